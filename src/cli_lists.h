/*
 * cli_lists: the comma-list options (-i, -p, -o, --uid, --comm, --pid).
 * Private to cli.c.
 */
#ifndef PTRAP_CLI_LISTS_H
#define PTRAP_CLI_LISTS_H

#include <stddef.h>
#include "cli.h"

/*
 * Add each element of the comma list given to option val (one of the six
 * above) to cfg, skipping duplicates.  PTRAP_EXIT_OK, or PTRAP_EXIT_USAGE
 * with a one-line message in err.
 */
int cli_parse_list(struct ptrap_config *cfg, int val, const char *list,
		   char *err, size_t errlen);

#endif
