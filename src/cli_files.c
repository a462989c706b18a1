/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli_files: the -r file list and its --by and --sort keys, and the -G
 * file name.  -r summarises files
 * and traps nothing, so an option it cannot honour is refused by name
 * rather than ignored (the option table says which it honours).
 */
#include "cli_files.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_msg.h"
#include "cli_table.h"

static const char *const by_names[] = {
	[CLI_BY_PROCESS] = "process",
	[CLI_BY_DESTINATION] = "destination",
	[CLI_BY_FLOW] = "flow",
	[CLI_BY_COMM] = "comm",
	[CLI_BY_EXE] = "exe",
	[CLI_BY_USER] = "user",
	[CLI_BY_UNIT] = "unit",
	[CLI_BY_NAME] = "name",
};
_Static_assert(sizeof(by_names) / sizeof(by_names[0]) == CLI_BY_N,
	       "a --by key without a name");

static const char *const sort_names[] = {
	[CLI_SORT_PACKETS] = "packets",
	[CLI_SORT_BYTES] = "bytes",
	[CLI_SORT_FIRST] = "first",
	[CLI_SORT_LAST] = "last",
};
_Static_assert(sizeof(sort_names) / sizeof(sort_names[0]) == CLI_SORT_N,
	       "a --sort key without a name");

const char *cli_sort_name(enum cli_sort s)
{
	if ((unsigned int)s >= CLI_SORT_N)
		return "?";
	return sort_names[s];
}

const char *cli_by_name(enum cli_by b)
{
	if ((unsigned int)b >= sizeof(by_names) / sizeof(by_names[0]))
		return "?";
	return by_names[b];
}

/* s as one of names[0..n); its index, or -1. */
static int parse_name(const char *s, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

int cli_parse_by(const char *s, enum cli_by *out)
{
	int i = parse_name(s, by_names, CLI_BY_N);

	if (i >= 0)
		*out = (enum cli_by)i;
	return i < 0 ? -1 : 0;
}

int cli_parse_sort(const char *s, enum cli_sort *out)
{
	int i = parse_name(s, sort_names, CLI_SORT_N);

	if (i >= 0)
		*out = (enum cli_sort)i;
	return i < 0 ? -1 : 0;
}

int cli_add_read(struct ptrap_config *cfg, const char *arg, char *err,
		 size_t errlen)
{
	if (arg[0] == '\0') {
		cli_set_err(err, errlen, "empty file name for -r");
		return PTRAP_EXIT_USAGE;
	}
	if (cfg->n_read_paths == CLI_MAX_READS) {
		cli_set_err(err, errlen, "more than %d files for -r (give a "
			    "quoted pattern, such as 'ptrap.pcapng*', which "
			    "ptrap expands itself)", CLI_MAX_READS);
		return PTRAP_EXIT_USAGE;
	}
	cfg->read_paths[cfg->n_read_paths++] = arg;
	return PTRAP_EXIT_OK;
}

/* A word no file is named after, which tcpdump would take as its filter. */
static bool is_expression(struct ptrap_config *cfg, int argc,
			  char *const *words)
{
	char err[256];
	bool yes;

	if (access(words[0], F_OK) == 0 || strpbrk(words[0], "*?[") != NULL)
		return false;
	yes = filter_parse(&cfg->filter, argc, words, err, sizeof(err)) == 0;
	memset(&cfg->filter, 0, sizeof(cfg->filter));
	return yes;
}

int cli_read_word(struct ptrap_config *cfg, int argc, char *const *words,
		  char *err, size_t errlen)
{
	char show[CLI_SHOW_BUF];
	const char *w = words[0];

	if (is_expression(cfg, argc, words)) {
		cli_set_err(err, errlen, "'%s' is a filter expression, which "
			    "becomes kernel rules and has no meaning for -r: "
			    "select packets with -u, -t, --icmp, -c, -i, -p, "
			    "-o, --uid, --pid, --comm, --name, --unit or "
			    "--container",
			    cli_show(w, strlen(w), show, sizeof(show)));
		return PTRAP_EXIT_USAGE;
	}
	return cli_add_read(cfg, w, err, errlen);
}

int cli_read_words(struct ptrap_config *cfg, int argc, char *const *words,
		   char *err, size_t errlen)
{
	int i, ret;

	for (i = 0; i < argc; i++) {
		ret = cli_read_word(cfg, argc - i, words + i, err, errlen);
		if (ret != PTRAP_EXIT_OK)
			return ret;
	}
	return PTRAP_EXIT_OK;
}

int cli_read_check(const bool *given, char *err, size_t errlen)
{
	char label[64];
	size_t i;

	for (i = 0; i < cli_n_options; i++) {
		if (!given[i] || cli_options[i].reads)
			continue;
		cli_option_label(cli_options[i].val, label, sizeof(label));
		cli_set_err(err, errlen, "%s does not apply to -r, which only "
			    "summarises capture files: drop %s", label, label);
		return PTRAP_EXIT_USAGE;
	}
	return PTRAP_EXIT_OK;
}

/*
 * How often the strftime(3) conversions of fmt change, in seconds: the
 * finest one present (a month counts 28 days); ULONG_MAX when none.
 */
static unsigned long name_period(const char *fmt)
{
	static const struct { const char *convs; unsigned long secs; } units[] = {
		{ "sSTrcX+", 1 },
		{ "MR", 60 },
		{ "HIklp", 3600 },
		{ "deajAuwDFx", 86400 },
		{ "UWV", 7 * 86400 },
		{ "mbBh", 28 * 86400 },
		{ "yYCGg", 365 * 86400 },
	};
	unsigned long best = ULONG_MAX;
	const char *p;
	size_t i;

	for (p = fmt; (p = strchr(p, '%')) != NULL; p++) {
		p++;
		while (*p == 'E' || *p == 'O' || *p == '_' || *p == '-' ||
		       *p == '0' || *p == '^' || *p == '#')
			p++;
		if (*p == '\0')
			break;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strchr(units[i].convs, *p) && units[i].secs < best)
				best = units[i].secs;
	}
	return best;
}

int cli_check_rotate_name(const struct ptrap_config *cfg, char *err,
			  size_t errlen)
{
	unsigned long period = name_period(cfg->write_path);
	char show[CLI_SHOW_BUF];

	if (period <= cfg->rotate_secs)
		return 0;
	cli_show(cfg->write_path, strlen(cfg->write_path), show, sizeof(show));
	if (period == ULONG_MAX)
		cli_set_err(err, errlen, "-G %u would overwrite '%s' at each "
			    "rotation: give the name a strftime(3) time, e.g. "
			    "-w 'ptrap-%%Y%%m%%d-%%H%%M%%S.pcapng' (or rotate "
			    "by size with -C)", cfg->rotate_secs, show);
	else
		cli_set_err(err, errlen, "-G %u would overwrite files: the "
			    "time in '%s' changes only every %lu seconds; add "
			    "finer conversions, e.g. %%H%%M%%S",
			    cfg->rotate_secs, show, period);
	return -1;
}
