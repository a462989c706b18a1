/*
 * cli: argv to a struct ptrap_config, driven by the option table in
 * cli_table.c.  Every bad value gives one line naming it and an exit code;
 * nothing here prints or exits.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_lists.h"
#include "cli_msg.h"
#include "cli_dns.h"
#include "cli_files.h"
#include "cli_table.h"
#include "namematch.h"

#define N_OPTIONS cli_n_options

/* Numeric fields are unsigned int or unsigned long long (see FIELD()). */
static void store_number(struct ptrap_config *cfg,
			 const struct cli_number *num, unsigned long v)
{
	char *field = (char *)cfg + num->offset;

	if (num->size == sizeof(unsigned int)) {
		unsigned int u = (unsigned int)v;

		memcpy(field, &u, sizeof(u));
	} else {
		unsigned long long u = v;

		memcpy(field, &u, sizeof(u));
	}
}

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

_Static_assert(CLI_MAX_NAMES == NAMEMATCH_MAX, "--name: one limit");

/* --name: checked here, compiled where it is used (loop, report). */
static int add_name(struct ptrap_config *cfg, const char *arg, char *err,
		    size_t errlen)
{
	struct namematch_set one;
	char show[CLI_SHOW_BUF];
	const char *why = NULL;

	namematch_init(&one);
	if (namematch_add(&one, arg, &why) < 0) {
		cli_set_err(err, errlen, "invalid name pattern '%s' for --name: %s",
			    cli_show(arg, strlen(arg), show, sizeof(show)),
			    why ? why : "not a name");
		return PTRAP_EXIT_USAGE;
	}
	if (cfg->n_names >= CLI_MAX_NAMES) {
		cli_set_err(err, errlen, "more than %d name patterns for --name",
			    CLI_MAX_NAMES);
		return PTRAP_EXIT_USAGE;
	}
	cfg->names[cfg->n_names++] = arg;
	return PTRAP_EXIT_OK;
}

/* A numeric option's value, checked against and stored by its table entry. */
static int set_number(struct ptrap_config *cfg, int val,
		      const struct cli_number *num, const char *arg,
		      char *err, size_t errlen)
{
	unsigned long v;
	char expected[64];

	if (cli_parse_ulong(arg, num->min, num->max, &v) < 0) {
		snprintf(expected, sizeof(expected), "%lu-%lu%s%s", num->min,
			 num->max, num->unit ? " " : "",
			 num->unit ? num->unit : "");
		return cli_bad_value(err, errlen, val, num->what, arg,
				     strlen(arg), expected);
	}
	store_number(cfg, num, v);
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

static int apply_option(struct ptrap_config *cfg, int c, const char *arg,
			char *err, size_t errlen)
{
	const struct cli_option *o = cli_find_option(c);

	/* tcpdump's -n takes no value: "-n -u" would eat the -u */
	if (c == 'n' && (arg[0] < '0' || arg[0] > '9')) {
		char show[CLI_SHOW_BUF];

		cli_set_err(err, errlen, "invalid rate '%s' for -n: -n is "
			    "--rate N in ptrap (reports per minute per flow); "
			    "ptrap looks no names up, so tcpdump's -n is not "
			    "needed", cli_show(arg, strlen(arg), show, sizeof(show)));
		return PTRAP_EXIT_USAGE;
	}
	if (c == 's')
		cfg->hold_given = true;
	if (o != NULL && o->num != NULL)
		return set_number(cfg, c, o->num, arg, err, errlen);
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
	case OPT_UNIT:
	case OPT_CONTAINER:
	case OPT_PID:
		return cli_parse_list(cfg, c, arg, err, errlen);
	case OPT_NAME:
		return add_name(cfg, arg, err, errlen);
	case OPT_DNS:
		cfg->dns = true;
		return PTRAP_EXIT_OK;
	case OPT_RESOLV_CONF:
		if (cfg->n_resolv_confs >= CLI_MAX_RESOLV) {
			cli_set_err(err, errlen, "--resolv-conf given more than %d times",
				    CLI_MAX_RESOLV);
			return PTRAP_EXIT_USAGE;
		}
		cfg->resolv_confs[cfg->n_resolv_confs++] = arg;
		return PTRAP_EXIT_OK;
	case OPT_ICMP:
		cfg->icmp = true;
		return PTRAP_EXIT_OK;
	case 'c':
		cfg->connect_only = true;
		return PTRAP_EXIT_OK;
	case OPT_EVERY_PACKET:
		cfg->every_packet = true;
		return PTRAP_EXIT_OK;
	case OPT_HOOK_CAPS:
		cfg->hook_caps = true;
		return PTRAP_EXIT_OK;
	case OPT_NO_BPF:
		cfg->no_bpf = true;
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
		return cli_add_read(cfg, arg, err, errlen);
	case OPT_FLUSH:
		cfg->flush = true;
		return PTRAP_EXIT_OK;
	case 'C':
		if (parse_megabytes(arg, &cfg->rotate_bytes) < 0)
			return cli_bad_value(err, errlen, c, "file size", arg,
					     strlen(arg), "0.001-1000000 MB");
		return PTRAP_EXIT_OK;
	case OPT_BY:
		if (cli_parse_by(arg, &cfg->by) < 0)
			return cli_bad_value(err, errlen, c, "grouping", arg,
					     strlen(arg), "process, comm, exe, "
					     "user, unit, destination, flow or "
					     "name");
		return PTRAP_EXIT_OK;
	case OPT_SORT:
		if (cli_parse_sort(arg, &cfg->sort) < 0)
			return cli_bad_value(err, errlen, c, "order", arg,
					     strlen(arg), "packets, bytes, "
					     "first or last");
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
	char show[CLI_SHOW_BUF];
	bool is_long = strncmp(elem, "--", 2) == 0;
	const struct cli_option *o;

	if (c == ':') {
		o = cli_find_option(optopt);
		if (o == NULL)
			cli_set_err(err, errlen, "missing argument for '%s'",
				    cli_show(elem, strlen(elem), show, sizeof(show)));
		else if (o->val == 'n' && !is_long)
			cli_set_err(err, errlen, "option -n needs a value: it is "
				    "--rate N in ptrap (reports per minute per "
				    "flow); tcpdump's -n is not needed");
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
		cli_set_err(err, errlen, "option '%s' takes no argument",
			    cli_show(elem, strlen(elem), show, sizeof(show)));
	else if (is_long && count_prefix_matches(elem) > 1)
		cli_set_err(err, errlen, "ambiguous option '%s'",
			    cli_show(elem, strlen(elem), show, sizeof(show)));
	else if (is_long)
		cli_set_err(err, errlen, "unknown option '%s'",
			    cli_show(elem, strlen(elem), show, sizeof(show)));
	else if (optopt > 0x20 && optopt < 0x7f)
		cli_set_err(err, errlen, "unknown option '-%c'", optopt);
	else
		cli_set_err(err, errlen, "unknown option in '%s'",
			    cli_show(elem, strlen(elem), show, sizeof(show)));
	return PTRAP_EXIT_USAGE;
}

/* Zero, then each numeric option's default from the table. */
static void config_defaults(struct ptrap_config *cfg)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->backend = CLI_BACKEND_AUTO;
	for (i = 0; i < N_OPTIONS; i++)
		if (cli_options[i].num != NULL)
			store_number(cfg, cli_options[i].num,
				     cli_options[i].num->def);
}

/*
 * The words after the options: a filter expression, unless they are
 * tcpdump habits ptrap spells differently.
 */
static int parse_expression(struct ptrap_config *cfg, int argc,
			    char *const *words, char *err, size_t errlen)
{
	size_t len = strlen(words[0]);
	char show[CLI_SHOW_BUF];
	int i;

	if (cfg->n_read_paths)
		return cli_read_words(cfg, argc, words, err, errlen);
	if (cfg->connect_only && len > 0 &&
	    strspn(words[0], "0123456789") == len) {
		cli_set_err(err, errlen, "unexpected argument '%s': -c is "
			    "--connect in ptrap and takes no value; to stop "
			    "after N reports use --count N",
			    cli_show(words[0], len, show, sizeof(show)));
		return PTRAP_EXIT_USAGE;
	}
	for (i = 0; i < argc; i++) {
		if (words[i][0] != '-')
			continue;
		cli_set_err(err, errlen, "unexpected argument '%s': "
			    "options go before the filter expression",
			    cli_show(words[i], strlen(words[i]), show,
				     sizeof(show)));
		return PTRAP_EXIT_USAGE;
	}
	if (filter_parse(&cfg->filter, argc, words, err, errlen) < 0)
		return PTRAP_EXIT_USAGE;
	cfg->filter_words = words;
	cfg->n_filter_words = argc;
	return PTRAP_EXIT_OK;
}

const char *cli_habit_hint(const struct ptrap_config *cfg)
{
	if (cfg->hold_given && cfg->hook_cmd == NULL)
		return "-s is --hold in ptrap, how long a packet waits for "
		       "its -e hook, so without -e it does nothing; tcpdump's "
		       "-s (snapshot length) is -S here";
	if (cfg->hold_given && cfg->hold_ms == 0 && cfg->write_path)
		return "-s 0 is --hold 0 in ptrap: hooks do not hold packets; "
		       "-w saves whole packets by default, tcpdump's -s is -S "
		       "here";
	return NULL;
}

void cli_filter_scope(const struct ptrap_config *cfg, struct filter_scope *scope)
{
	bool none = !cfg->udp && !cfg->tcp && !cfg->icmp;
	bool implied = none && cfg->filter.n_nodes > 0;

	*scope = (struct filter_scope){
		.udp = cfg->udp || implied, .tcp = cfg->tcp || implied,
		/* -p gives ports, which ICMP has not */
		.icmp = cfg->icmp || (implied && cfg->n_ports == 0),
		.dests = cfg->dests, .n_dests = cfg->n_dests,
		.ports = cfg->ports, .n_ports = cfg->n_ports,
	};
}

/* Whether the expression and the options together can become rules. */
static int check_expression(const struct ptrap_config *cfg,
			    const struct filter_scope *scope, char *err,
			    size_t errlen)
{
	struct filter_rules *fr = malloc(sizeof(*fr));
	int ret = PTRAP_EXIT_USAGE;

	if (!fr) {
		cli_set_err(err, errlen, "out of memory");
		return PTRAP_EXIT_RUNTIME;
	}
	if (filter_compile(&cfg->filter, scope, fr, err, errlen) == 0)
		ret = PTRAP_EXIT_OK;
	free(fr);
	return ret;
}

int cli_parse(int argc, char **argv, struct ptrap_config *cfg,
	      char *err, size_t errlen)
{
	/* '+': stop at the first non-option; ':': report missing arguments. */
	char shortopts[2 + 2 * CLI_MAX_OPTIONS + 1];
	struct option longopts[CLI_MAX_OPTIONS + 1];
	struct filter_scope scope;
	bool given[CLI_MAX_OPTIONS] = { false };
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
		/* -r: a word between options is one more file, as tcpdump's
		 * "-r FILE -n" has options after the file */
		if (c == -1 && cfg->n_read_paths && optind < argc &&
		    optind > 0 && strcmp(argv[optind - 1], "--") != 0) {
			ret = cli_read_word(cfg, argc - optind, argv + optind,
					    err, errlen);
			if (ret != PTRAP_EXIT_OK)
				return ret;
			optind++;
			continue;
		}
		if (c == -1)
			break;
		if (c == '?' || c == ':')
			return getopt_error(c, cur < argc ? argv[cur] : "",
					    err, errlen);
		if (cli_find_option(c))
			given[cli_find_option(c) - cli_options] = true;
		if (c == 'q') {
			quiet = true;
			continue;
		}
		ret = apply_option(cfg, c, optarg, err, errlen);
		if (ret != PTRAP_EXIT_OK)
			return ret;
	}
	if (optind < argc) {
		ret = parse_expression(cfg, argc - optind, argv + optind,
				       err, errlen);
		if (ret != PTRAP_EXIT_OK)
			return ret;
	}

	if (cfg->help || cfg->version || cfg->man_options)
		return PTRAP_EXIT_OK;
	if (quiet && cfg->verbosity > 0) {
		cli_set_err(err, errlen, "-q and -v cannot be combined");
		return PTRAP_EXIT_USAGE;
	}
	if (quiet)
		cfg->verbosity = -1;
	if (cfg->n_read_paths)
		return cli_read_check(given, err, errlen);
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
	if (cfg->rotate_secs && cli_check_rotate_name(cfg, err, errlen) < 0)
		return PTRAP_EXIT_USAGE;
	if (cfg->snaplen && !cfg->write_path) {
		cli_set_err(err, errlen, "-S needs -w");
		return PTRAP_EXIT_USAGE;
	}
	if (cfg->n_pids) {
		cli_set_err(err, errlen, "--pid selects packets for -r only");
		return PTRAP_EXIT_USAGE;
	}
	if (cfg->n_resolv_confs && !cfg->dns) {
		cli_set_err(err, errlen, "--resolv-conf needs --dns");
		return PTRAP_EXIT_USAGE;
	}
	if (cfg->dns && (ret = cli_dns_apply(cfg, err, errlen)) != PTRAP_EXIT_OK)
		return ret;
	cli_filter_scope(cfg, &scope);
	if (cfg->connect_only && !scope.tcp) {
		cli_set_err(err, errlen,
			    "-c traps TCP connection attempts: it needs -t");
		return PTRAP_EXIT_CONNECT_NO_TCP;
	}
	if (cfg->n_ports && scope.icmp && !scope.udp && !scope.tcp) {
		cli_set_err(err, errlen, "-p selects UDP and TCP ports, and "
			    "--icmp has none: add -u or -t, or drop -p");
		return PTRAP_EXIT_USAGE;
	}
	if (cfg->filter.n_nodes)
		return check_expression(cfg, &scope, err, errlen);
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

