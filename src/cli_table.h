/*
 * cli_table: the one option table behind getopt_long, --help and the man
 * page.  Private to cli.c (parsing) and cli_help.c (the texts).
 */
#ifndef PTRAP_CLI_TABLE_H
#define PTRAP_CLI_TABLE_H

#include <stdbool.h>
#include <stddef.h>

/* getopt values for options without a short form; above any char. */
enum {
	OPT_HOOK_TIMEOUT = 256,
	OPT_MAX_HOOKS,
	OPT_QUEUE_NUM,
	OPT_BACKEND,
	OPT_MAN_OPTIONS,
	OPT_FLUSH,
	OPT_BY,
	OPT_ICMP,
	OPT_COUNT,
	OPT_UID,
	OPT_COMM,
	OPT_PID,
	OPT_SYSLOG,
	OPT_SYSLOG_ONLY,
	OPT_HOOK_CAPS,
	OPT_BATCH_WAIT,
};

struct cli_option {
	const char *name;	/* long name */
	int val;		/* short char, or OPT_* */
	const char *arg;	/* argument name, NULL if none */
	const char *help;	/* one or two sentences */
	bool hidden;		/* not in --help nor the man page */
};

/* Room for getopt's arrays, which cli.c sizes at compile time. */
#define CLI_MAX_OPTIONS	64

extern const struct cli_option cli_options[];
extern const size_t cli_n_options;

#endif
