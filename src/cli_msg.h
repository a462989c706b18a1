/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli_msg: what cli.c and cli_lists.c share: the one-line messages naming
 * an option and its bad value, and the strict decimal parser.  Private to
 * the cli modules; depends only on the option table.
 */
#ifndef PTRAP_CLI_MSG_H
#define PTRAP_CLI_MSG_H

#include <stddef.h>

#include "cli_table.h"

/* The table entry of getopt value val, or NULL. */
const struct cli_option *cli_find_option(int val);

void cli_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "-i" or "--hook-timeout": how the user most likely spelled it. */
const char *cli_option_label(int val, char *buf, size_t len);
/*
 * "invalid WHAT 'VALUE' for -X (expected EXPECTED)", VALUE as cli_show()
 * shows it.  Returns PTRAP_EXIT_USAGE.
 */
int cli_bad_value(char *err, size_t errlen, int val, const char *what,
		  const char *s, size_t slen, const char *expected);
/*
 * Plain decimal in min..max: no sign, blank or leading zero.  0, or -1
 * (errno untouched).
 */
int cli_parse_ulong(const char *s, unsigned long min, unsigned long max,
		    unsigned long *out);
int cli_parse_uint(const char *s, unsigned long min, unsigned long max,
		   unsigned int *out);

#endif
