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
	OPT_UNIT,
	OPT_EVERY_PACKET,
	OPT_CONTAINER,
	OPT_PID,
	OPT_SYSLOG,
	OPT_SYSLOG_ONLY,
	OPT_HOOK_CAPS,
	OPT_BATCH_WAIT,
	OPT_NAME,
	OPT_DNS,
	OPT_RESOLV_CONF,
	OPT_SORT,
	OPT_TOP,
	OPT_NO_BPF,
};

/*
 * A numeric option's range, default and unit.  cli.c applies the default
 * and parses, checks and stores the value; cli_help.c puts the numbers
 * into the help text, so they are written down only here.
 */
struct cli_number {
	unsigned long min, max, def;
	const char *what;	/* "hold time" in "invalid hold time '1x' for -s" */
	const char *unit;	/* "ms" in "(expected 0-60000 ms)", or NULL */
	size_t offset, size;	/* the struct ptrap_config field it sets */
};

/*
 * In help texts, %R stands for the range ("0-60000"), %N and %M for its
 * ends, %D for the default and %L for list_max; %% is a '%'.
 */
struct cli_option {
	const char *name;	/* long name */
	int val;		/* short char, or OPT_* */
	const char *arg;	/* argument name, NULL if none */
	const char *help;	/* one or two sentences */
	bool hidden;		/* not in --help nor the man page */
	const struct cli_number *num;	/* NULL: not a plain number */
	unsigned int list_max;	/* comma lists: most elements in all */
	bool reads;		/* -r honours it; -r refuses the others */
};

/* Room for getopt's arrays, which cli.c sizes at compile time. */
#define CLI_MAX_OPTIONS	64

extern const struct cli_option cli_options[];
extern const size_t cli_n_options;

#endif
