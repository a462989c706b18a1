/*
 * cli_lists: the comma-list options (-i, -p, -o, --uid, --comm, --pid),
 * and the message helpers cli.c shares with it.  Private to cli.c and
 * cli_lists.c.
 */
#ifndef PTRAP_CLI_LISTS_H
#define PTRAP_CLI_LISTS_H

#include <stddef.h>
#include "cli.h"

/* Longest argument echoed back in a message; argv can be arbitrarily long. */
#define CLI_SHOW_MAX 64

/*
 * Add each element of the comma list given to option val (one of the six
 * above) to cfg, skipping duplicates.  PTRAP_EXIT_OK, or PTRAP_EXIT_USAGE
 * with a one-line message in err.
 */
int cli_parse_list(struct ptrap_config *cfg, int val, const char *list,
		   char *err, size_t errlen);

/* In cli.c: */
void cli_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *cli_option_label(int val, char *buf, size_t len);
int cli_bad_value(char *err, size_t errlen, int val, const char *what,
		  const char *s, size_t slen, const char *expected);
int cli_parse_uint(const char *s, unsigned long min, unsigned long max,
		   unsigned int *out);

#endif
