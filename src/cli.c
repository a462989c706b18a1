/*
 * cli: argv to a struct ptrap_config, driven by the option table in
 * cli_table.c.  Every bad value gives one line naming it and an exit code;
 * nothing here prints or exits.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_lists.h"
#include "cli_table.h"

#define N_OPTIONS cli_n_options

static const char *const backend_names[] = {
	[CLI_BACKEND_AUTO] = "auto",
	[CLI_BACKEND_NFT] = "nft",
	[CLI_BACKEND_IPTABLES] = "iptables",
	[CLI_BACKEND_NONE] = "none",
};

const char *cli_backend_name(enum cli_backend b)
{
	if ((unsigned int)b >= sizeof(backend_names) / sizeof(backend_names[0]))
		return "?";
	return backend_names[b];
}

static const char *const by_names[] = {
	[CLI_BY_PROCESS] = "process",
	[CLI_BY_DESTINATION] = "destination",
	[CLI_BY_FLOW] = "flow",
};

const char *cli_by_name(enum cli_by b)
{
	if ((unsigned int)b >= sizeof(by_names) / sizeof(by_names[0]))
		return "?";
	return by_names[b];
}

static const struct cli_option *find_option(int val)
{
	size_t i;

	for (i = 0; i < N_OPTIONS; i++)
		if (cli_options[i].val == val)
			return &cli_options[i];
	return NULL;
}

/* "-i" or "--hook-timeout": how the user most likely spelled it. */
const char *cli_option_label(int val, char *buf, size_t len)
{
	const struct cli_option *o = find_option(val);

	if (o == NULL)
		snprintf(buf, len, "?");
	else if (o->val < 256)
		snprintf(buf, len, "-%c", o->val);
	else
		snprintf(buf, len, "--%s", o->name);
	return buf;
}

void cli_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "'VALUE'" shortened to CLI_SHOW_MAX bytes so the message stays a line. */
int cli_bad_value(char *err, size_t errlen, int val, const char *what,
		  const char *s, size_t slen, const char *expected)
{
	char label[32];
	int show = slen > CLI_SHOW_MAX ? CLI_SHOW_MAX : (int)slen;

	cli_set_err(err, errlen, "invalid %s '%.*s%s' for %s (expected %s)",
		    what, show, s, slen > CLI_SHOW_MAX ? "..." : "",
		    cli_option_label(val, label, sizeof(label)), expected);
	return PTRAP_EXIT_USAGE;
}

/*
 * Decimal only: strtoul alone would accept spaces, signs and junk.  A
 * leading zero is refused as in addr.c, so "010" is never a surprise.
 */
int cli_parse_uint(const char *s, unsigned long min, unsigned long max,
		   unsigned int *out)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static int parse_number(int val, const char *s, unsigned long min,
			unsigned long max, const char *what,
			const char *expected, unsigned int *out,
			char *err, size_t errlen)
{
	if (cli_parse_uint(s, min, max, out) < 0)
		return cli_bad_value(err, errlen, val, what, s, strlen(s),
				     expected);
	return PTRAP_EXIT_OK;
}

/*
 * -C: megabytes of 1000000 bytes with up to six decimals, parsed by hand
 * (strtod would depend on the locale); 0.001-1000000.
 */
static int parse_megabytes(const char *s, unsigned long long *bytes)
{
	unsigned long long v = 0, scale = 1000000;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long long)(*p - '0');
		if (v > 1000000)
			return -1;
	}
	v *= scale;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			scale /= 10;
			if (scale == 0)
				return -1;
			v += (unsigned long long)(*p - '0') * scale;
		}
	}
	if (*p != '\0' || v < 1000 || v > 1000000ull * 1000000ull)
		return -1;
	*bytes = v;
	return 0;
}

static int parse_backend(const char *s, enum cli_backend *out)
{
	size_t i;

	for (i = 0; i < sizeof(backend_names) / sizeof(backend_names[0]); i++) {
		if (strcmp(s, backend_names[i]) == 0) {
			*out = (enum cli_backend)i;
			return 0;
		}
	}
	return -1;
}

static int parse_by(const char *s, enum cli_by *out)
{
	size_t i;

	for (i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++) {
		if (strcmp(s, by_names[i]) == 0) {
			*out = (enum cli_by)i;
			return 0;
		}
	}
	return -1;
}

static int apply_option(struct ptrap_config *cfg, int c, const char *arg,
			char *err, size_t errlen)
{
	switch (c) {
	case 'u':
		cfg->udp = true;
		return PTRAP_EXIT_OK;
	case 't':
		cfg->tcp = true;
		return PTRAP_EXIT_OK;
	case 'i':
	case 'p':
	case 'o':
	case OPT_UID:
	case OPT_COMM:
	case OPT_PID:
		return cli_parse_list(cfg, c, arg, err, errlen);
	case OPT_ICMP:
		cfg->icmp = true;
		return PTRAP_EXIT_OK;
	case 'c':
		cfg->connect_only = true;
		return PTRAP_EXIT_OK;
	case 'n':
		return parse_number(c, arg, 0, 1000000, "rate",
				    "0-1000000 per minute", &cfg->rate_per_min,
				    err, errlen);
	case OPT_COUNT: {
		unsigned int n;

		if (cli_parse_uint(arg, 1, 4000000000ul, &n) < 0)
			return cli_bad_value(err, errlen, c, "count", arg,
					     strlen(arg), "1-4000000000");
		cfg->max_reports = n;
		return PTRAP_EXIT_OK;
	}
	case OPT_HOOK_CAPS:
		cfg->hook_caps = true;
		return PTRAP_EXIT_OK;
	case 'Z':
		if (arg[0] == '\0' || getpwnam(arg) == NULL)
			return cli_bad_value(err, errlen, c, "user", arg,
					     strlen(arg), "an existing user name");
		cfg->run_as_user = arg;
		return PTRAP_EXIT_OK;
	case OPT_SYSLOG:
		cfg->syslog = true;
		return PTRAP_EXIT_OK;
	case OPT_SYSLOG_ONLY:
		cfg->syslog = true;
		cfg->syslog_only = true;
		return PTRAP_EXIT_OK;
	case 'S':
		return parse_number(c, arg, 0, CLI_MAX_SNAPLEN,
				    "snapshot length", "0-262144 bytes",
				    &cfg->snaplen, err, errlen);
	case 'e':
		if (arg[0] == '\0') {
			cli_set_err(err, errlen, "empty command for -e");
			return PTRAP_EXIT_USAGE;
		}
		if (cfg->hook_cmd != NULL) {
			cli_set_err(err, errlen, "-e given more than once");
			return PTRAP_EXIT_USAGE;
		}
		cfg->hook_cmd = arg;
		return PTRAP_EXIT_OK;
	case 's':
		return parse_number(c, arg, 0, 60000, "hold time",
				    "0-60000 ms", &cfg->hold_ms, err, errlen);
	case OPT_HOOK_TIMEOUT:
		return parse_number(c, arg, 1, 3600000, "hook timeout",
				    "1-3600000 ms", &cfg->hook_timeout_ms,
				    err, errlen);
	case OPT_MAX_HOOKS:
		return parse_number(c, arg, 1, 1024, "hook count", "1-1024",
				    &cfg->max_hooks, err, errlen);
	case OPT_QUEUE_NUM:
		return parse_number(c, arg, 0, 65535, "queue number",
				    "0-65535", &cfg->queue_num, err, errlen);
	case OPT_BATCH_WAIT:
		return parse_number(c, arg, 0, 10000, "batch wait",
				    "0-10000 us", &cfg->batch_wait_us, err, errlen);
	case OPT_BACKEND:
		if (parse_backend(arg, &cfg->backend) < 0)
			return cli_bad_value(err, errlen, c, "backend", arg,
					     strlen(arg),
					     "auto, nft, iptables or none");
		return PTRAP_EXIT_OK;
	case 'w':
		cfg->write_path = arg;
		return PTRAP_EXIT_OK;
	case 'r':
		cfg->read_path = arg;
		return PTRAP_EXIT_OK;
	case OPT_FLUSH:
		cfg->flush = true;
		return PTRAP_EXIT_OK;
	case 'C':
		if (parse_megabytes(arg, &cfg->rotate_bytes) < 0)
			return cli_bad_value(err, errlen, c, "file size", arg,
					     strlen(arg), "0.001-1000000 MB");
		return PTRAP_EXIT_OK;
	case 'G':
		return parse_number(c, arg, 1, 31536000, "rotation interval",
				    "1-31536000 seconds", &cfg->rotate_secs,
				    err, errlen);
	case 'W':
		return parse_number(c, arg, 1, 100000, "file count",
				    "1-100000", &cfg->rotate_files, err, errlen);
	case OPT_BY:
		if (parse_by(arg, &cfg->by) < 0)
			return cli_bad_value(err, errlen, c, "grouping", arg,
					     strlen(arg),
					     "process, destination or flow");
		return PTRAP_EXIT_OK;
	case 'j':
		cfg->json = true;
		return PTRAP_EXIT_OK;
	case 'v':
		if (cfg->verbosity < 100)
			cfg->verbosity++;
		return PTRAP_EXIT_OK;
	case 'h':
		cfg->help = true;
		return PTRAP_EXIT_OK;
	case 'V':
		cfg->version = true;
		return PTRAP_EXIT_OK;
	case OPT_MAN_OPTIONS:
		cfg->man_options = true;
		return PTRAP_EXIT_OK;
	}
	cli_set_err(err, errlen, "internal error: unhandled option %d", c);
	return PTRAP_EXIT_USAGE;
}

/* How many long names start with the "--NAME[=...]" in elem. */
static int count_prefix_matches(const char *elem)
{
	size_t n = strcspn(elem + 2, "=");
	size_t i;
	int hits = 0;

	for (i = 0; i < N_OPTIONS; i++)
		if (strncmp(cli_options[i].name, elem + 2, n) == 0)
			hits++;
	return hits;
}

/* getopt returned '?' or ':' for the argv element elem. */
static int getopt_error(int c, const char *elem, char *err, size_t errlen)
{
	size_t len = strlen(elem);
	int show = len > CLI_SHOW_MAX ? CLI_SHOW_MAX : (int)len;
	const char *more = len > CLI_SHOW_MAX ? "..." : "";
	bool is_long = strncmp(elem, "--", 2) == 0;
	const struct cli_option *o;

	if (c == ':') {
		o = find_option(optopt);
		if (o == NULL)
			cli_set_err(err, errlen, "missing argument for '%.*s%s'",
				    show, elem, more);
		else if (is_long || o->val >= 256)
			cli_set_err(err, errlen, "option --%s needs a value (%s)",
				    o->name, o->arg);
		else
			cli_set_err(err, errlen, "option -%c needs a value (%s)",
				    o->val, o->arg);
		return PTRAP_EXIT_USAGE;
	}
	/* "--udp=1" also lands here, with optopt naming the option. */
	if (is_long && optopt != 0 && strchr(elem, '='))
		cli_set_err(err, errlen, "option '%.*s%s' takes no argument",
			    show, elem, more);
	else if (is_long && count_prefix_matches(elem) > 1)
		cli_set_err(err, errlen, "ambiguous option '%.*s%s'",
			    show, elem, more);
	else if (is_long)
		cli_set_err(err, errlen, "unknown option '%.*s%s'",
			    show, elem, more);
	else if (optopt > 0x20 && optopt < 0x7f)
		cli_set_err(err, errlen, "unknown option '-%c'", optopt);
	else
		cli_set_err(err, errlen, "unknown option in '%.*s%s'",
			    show, elem, more);
	return PTRAP_EXIT_USAGE;
}

static void config_defaults(struct ptrap_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->hold_ms = CLI_DEFAULT_HOLD_MS;
	cfg->hook_timeout_ms = CLI_DEFAULT_HOOK_TIMEOUT_MS;
	cfg->max_hooks = CLI_DEFAULT_MAX_HOOKS;
	cfg->queue_num = CLI_DEFAULT_QUEUE;
	cfg->backend = CLI_BACKEND_AUTO;
	cfg->rate_per_min = CLI_DEFAULT_RATE;
	cfg->batch_wait_us = CLI_DEFAULT_BATCH_WAIT_US;
}

int cli_parse(int argc, char **argv, struct ptrap_config *cfg,
	      char *err, size_t errlen)
{
	/* '+': stop at the first non-option; ':': report missing arguments. */
	char shortopts[2 + 2 * CLI_MAX_OPTIONS + 1];
	struct option longopts[CLI_MAX_OPTIONS + 1];
	bool quiet = false;
	size_t i, n = 0;
	int c, ret;

	config_defaults(cfg);
	cli_set_err(err, errlen, "%s", "");

	shortopts[n++] = '+';
	shortopts[n++] = ':';
	for (i = 0; i < N_OPTIONS; i++) {
		const struct cli_option *o = &cli_options[i];

		longopts[i] = (struct option){
			.name = o->name,
			.has_arg = o->arg ? required_argument : no_argument,
			.flag = NULL,
			.val = o->val,
		};
		if (o->val >= 256)
			continue;
		shortopts[n++] = (char)o->val;
		if (o->arg)
			shortopts[n++] = ':';
	}
	shortopts[n] = '\0';
	memset(&longopts[N_OPTIONS], 0, sizeof(longopts[N_OPTIONS]));

	opterr = 0;
	optind = 0;		/* glibc: full re-initialisation */
	for (;;) {
		/* The element getopt is looking at (also inside "-ut"). */
		int cur = optind > 0 ? optind : 1;

		c = getopt_long(argc, argv, shortopts, longopts, NULL);
		if (c == -1)
			break;
		if (c == '?' || c == ':')
			return getopt_error(c, cur < argc ? argv[cur] : "",
					    err, errlen);
		if (c == 'q') {
			quiet = true;
			continue;
		}
		ret = apply_option(cfg, c, optarg, err, errlen);
		if (ret != PTRAP_EXIT_OK)
			return ret;
	}
	if (optind < argc) {
		size_t len = strlen(argv[optind]);
		bool cut = len > CLI_SHOW_MAX;

		cli_set_err(err, errlen, "unexpected argument '%.*s%s'",
			    cut ? CLI_SHOW_MAX : (int)len, argv[optind],
			    cut ? "..." : "");
		return PTRAP_EXIT_USAGE;
	}

	if (cfg->help || cfg->version || cfg->man_options)
		return PTRAP_EXIT_OK;
	if (quiet && cfg->verbosity > 0) {
		cli_set_err(err, errlen, "-q and -v cannot be combined");
		return PTRAP_EXIT_USAGE;
	}
	if (quiet)
		cfg->verbosity = -1;
	if (cfg->read_path && cfg->write_path) {
		cli_set_err(err, errlen, "-r and -w cannot be combined");
		return PTRAP_EXIT_USAGE;
	}
	if (cfg->write_path && cfg->write_path[0] == '\0') {
		cli_set_err(err, errlen, "empty file name for -w");
		return PTRAP_EXIT_USAGE;
	}
	if ((cfg->rotate_bytes || cfg->rotate_secs || cfg->rotate_files) &&
	    (!cfg->write_path || strcmp(cfg->write_path, "-") == 0)) {
		cli_set_err(err, errlen, "-C, -G and -W need -w FILE (not stdout)");
		return PTRAP_EXIT_USAGE;
	}
	if (cfg->rotate_files && !cfg->rotate_bytes && !cfg->rotate_secs) {
		cli_set_err(err, errlen, "-W needs -C or -G");
		return PTRAP_EXIT_USAGE;
	}
	if (cfg->snaplen && !cfg->write_path) {
		cli_set_err(err, errlen, "-S needs -w");
		return PTRAP_EXIT_USAGE;
	}
	if (cfg->n_pids && !cfg->read_path) {
		cli_set_err(err, errlen, "--pid selects packets for -r only");
		return PTRAP_EXIT_USAGE;
	}
	/* Reading a file traps nothing: no destination or protocol needed. */
	if (cfg->read_path)
		return PTRAP_EXIT_OK;
	if (cfg->connect_only && !cfg->tcp) {
		cli_set_err(err, errlen,
			    "-c traps TCP connection attempts: it needs -t");
		return PTRAP_EXIT_CONNECT_NO_TCP;
	}
	if (cfg->n_dests == 0) {
		cli_set_err(err, errlen, "no destination: give -i ADDR");
		return PTRAP_EXIT_NO_DEST;
	}
	if (!cfg->udp && !cfg->tcp && !cfg->icmp) {
		cli_set_err(err, errlen, "no protocol: give -u, -t and/or --icmp");
		return PTRAP_EXIT_NO_PROTO;
	}
	return PTRAP_EXIT_OK;
}

