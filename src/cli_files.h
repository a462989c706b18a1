/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli_files: the command line's capture files: the -r list (what -r
 * honours, what it refuses) and the -w name a -G rotation needs.
 * Private to cli.c.
 */
#ifndef PTRAP_CLI_FILES_H
#define PTRAP_CLI_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include "cli.h"

/* --by and --sort values; 0, or -1 for a name that is none of them. */
int cli_parse_by(const char *s, enum cli_by *out);
int cli_parse_sort(const char *s, enum cli_sort *out);

/* One -r FILE; PTRAP_EXIT_OK or PTRAP_EXIT_USAGE with err. */
int cli_add_read(struct ptrap_config *cfg, const char *arg, char *err,
		 size_t errlen);

/*
 * With -r, a word that is not an option, words[0] of the argc left, is
 * one more file (a filter expression is refused).  After "--", the words
 * left are all files: cli_read_words().
 */
int cli_read_word(struct ptrap_config *cfg, int argc, char *const *words,
		  char *err, size_t errlen);
int cli_read_words(struct ptrap_config *cfg, int argc, char *const *words,
		   char *err, size_t errlen);

/*
 * With -r: every option given (given[i] for cli_options[i]) must be one
 * -r honours; the first other one is refused by name.
 */
int cli_read_check(const bool *given, char *err, size_t errlen);

/*
 * -G SECONDS: the -w name must change at least that often through
 * strftime, or each rotation would overwrite the file before.  0, or -1
 * with err.
 */
int cli_check_rotate_name(const struct ptrap_config *cfg, char *err,
			  size_t errlen);

#endif
