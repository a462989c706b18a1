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
#include "cli_table.h"

#define N_OPTIONS cli_n_options

/* Longest argument echoed back in a message; argv can be arbitrarily long. */
#define SHOW_MAX 64
/* Longest single element of a comma list we try to parse. */
#define ELEM_MAX 128

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
static const char *option_label(int val, char *buf, size_t len)
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

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Report "'VALUE'" shortened to SHOW_MAX bytes so the message stays a line. */
static int bad_value(char *err, size_t errlen, int val, const char *what,
		     const char *s, size_t slen, const char *expected)
{
	char label[32];
	int show = slen > SHOW_MAX ? SHOW_MAX : (int)slen;

	set_err(err, errlen, "invalid %s '%.*s%s' for %s (expected %s)",
		what, show, s, slen > SHOW_MAX ? "..." : "",
		option_label(val, label, sizeof(label)), expected);
	return PTRAP_EXIT_USAGE;
}

/*
 * Decimal only: strtoul alone would accept spaces, signs and junk.  A
 * leading zero is refused as in addr.c, so "010" is never a surprise.
 */
static int parse_uint(const char *s, unsigned long min, unsigned long max,
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

static bool prefix_equal(const struct addr_prefix *a,
			 const struct addr_prefix *b)
{
	return a->len == b->len && addr_ip_equal(&a->ip, &b->ip);
}

static int add_dest(struct ptrap_config *cfg, const char *elem)
{
	struct addr_prefix p;
	unsigned int i;

	if (addr_parse_prefix(elem, &p) < 0)
		return -1;
	for (i = 0; i < cfg->n_dests; i++)
		if (prefix_equal(&cfg->dests[i], &p))
			return 0;
	if (cfg->n_dests >= CLI_MAX_DESTS) {
		errno = E2BIG;
		return -1;
	}
	cfg->dests[cfg->n_dests++] = p;
	return 0;
}

static int add_port(struct ptrap_config *cfg, const char *elem)
{
	struct addr_port_range r;
	unsigned int i;

	if (addr_parse_port_range(elem, &r) < 0)
		return -1;
	for (i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].lo == r.lo && cfg->ports[i].hi == r.hi)
			return 0;
	if (cfg->n_ports >= CLI_MAX_PORTS) {
		errno = E2BIG;
		return -1;
	}
	cfg->ports[cfg->n_ports++] = r;
	return 0;
}

/* What a comma-list option holds, for parse_list() and its messages. */
struct list_kind {
	const char *what, *plural;
	const char *expected;
	int max;
	int (*add)(struct ptrap_config *cfg, const char *elem);
};

static const struct list_kind dest_list = {
	"address", "addresses", "IPv4 or IPv6 ADDR[/LEN]",
	CLI_MAX_DESTS, add_dest,
};
static const struct list_kind port_list = {
	"port", "ports", "1-65535 or LO-HI",
	CLI_MAX_PORTS, add_port,
};

/*
 * 1-15 bytes of letters, digits, '.', '_' and '-': the kernel allows more,
 * but '*', '+' and quotes would mean patterns or syntax to iptables or nft.
 */
static int add_iface(struct ptrap_config *cfg, const char *elem)
{
	size_t len = strlen(elem);
	unsigned int i;
	const char *c;

	if (len == 0 || len >= IF_NAMESIZE || strcmp(elem, ".") == 0 ||
	    strcmp(elem, "..") == 0)
		return -1;
	for (c = elem; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' ||
		      *c == '-'))
			return -1;
	for (i = 0; i < cfg->n_out_ifaces; i++)
		if (strcmp(cfg->out_ifaces[i], elem) == 0)
			return 0;
	if (cfg->n_out_ifaces >= CLI_MAX_IFACES) {
		errno = E2BIG;
		return -1;
	}
	memcpy(cfg->out_ifaces[cfg->n_out_ifaces++], elem, len + 1);
	return 0;
}

/* A number is a uid as is (like chown); anything else must be a user. */
static int add_uid(struct ptrap_config *cfg, const char *elem)
{
	unsigned int uid, i;

	if (elem[0] >= '0' && elem[0] <= '9') {
		/* (uid_t)-1 means "no uid" to the kernel. */
		if (parse_uint(elem, 0, 4294967294ul, &uid) < 0)
			return -1;
	} else {
		const struct passwd *pw = getpwnam(elem);

		if (pw == NULL)
			return -1;
		uid = pw->pw_uid;
	}
	for (i = 0; i < cfg->n_uids; i++)
		if (cfg->uids[i] == (uid_t)uid)
			return 0;
	if (cfg->n_uids >= CLI_MAX_UIDS) {
		errno = E2BIG;
		return -1;
	}
	cfg->uids[cfg->n_uids++] = (uid_t)uid;
	return 0;
}

static int add_comm(struct ptrap_config *cfg, const char *elem)
{
	size_t len = strlen(elem);
	unsigned int i;

	if (len == 0 || len >= CLI_COMM_LEN)
		return -1;
	for (i = 0; i < cfg->n_comms; i++)
		if (strcmp(cfg->comms[i], elem) == 0)
			return 0;
	if (cfg->n_comms >= CLI_MAX_COMMS) {
		errno = E2BIG;
		return -1;
	}
	memcpy(cfg->comms[cfg->n_comms++], elem, len + 1);
	return 0;
}

/* PID_MAX_LIMIT on 64-bit kernels. */
static int add_pid(struct ptrap_config *cfg, const char *elem)
{
	unsigned int pid, i;

	if (parse_uint(elem, 1, 4194304, &pid) < 0)
		return -1;
	for (i = 0; i < cfg->n_pids; i++)
		if (cfg->pids[i] == (pid_t)pid)
			return 0;
	if (cfg->n_pids >= CLI_MAX_PIDS) {
		errno = E2BIG;
		return -1;
	}
	cfg->pids[cfg->n_pids++] = (pid_t)pid;
	return 0;
}

static const struct list_kind iface_list = {
	"interface", "interfaces",
	"an interface name: 1-15 letters, digits, '.', '_' or '-'",
	CLI_MAX_IFACES, add_iface,
};
static const struct list_kind uid_list = {
	"user", "users", "an existing user name or a uid",
	CLI_MAX_UIDS, add_uid,
};
static const struct list_kind comm_list = {
	"command name", "command names", "1-15 characters",
	CLI_MAX_COMMS, add_comm,
};
static const struct list_kind pid_list = {
	"process id", "process ids", "1-4194304",
	CLI_MAX_PIDS, add_pid,
};

/*
 * Split a comma list and feed each element to k->add(); -1 with errno E2BIG
 * means the list is full, anything else blames the element.
 */
static int parse_list(struct ptrap_config *cfg, int val, const char *list,
		      const struct list_kind *k, char *err, size_t errlen)
{
	const char *p = list;
	char label[32];

	option_label(val, label, sizeof(label));
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char elem[ELEM_MAX];

		if (n == 0) {
			size_t len = strlen(list);

			set_err(err, errlen, "empty element in '%.*s%s' for %s",
				len > SHOW_MAX ? SHOW_MAX : (int)len, list,
				len > SHOW_MAX ? "..." : "", label);
			return PTRAP_EXIT_USAGE;
		}
		if (n >= sizeof(elem))
			return bad_value(err, errlen, val, k->what, p, n,
					 k->expected);
		memcpy(elem, p, n);
		elem[n] = '\0';
		if (k->add(cfg, elem) < 0) {
			if (errno != E2BIG)
				return bad_value(err, errlen, val, k->what,
						 p, n, k->expected);
			set_err(err, errlen, "too many %s for %s (max %d)",
				k->plural, label, k->max);
			return PTRAP_EXIT_USAGE;
		}
		if (comma == NULL)
			return PTRAP_EXIT_OK;
		p = comma + 1;
	}
}

static int parse_number(int val, const char *s, unsigned long min,
			unsigned long max, const char *what,
			const char *expected, unsigned int *out,
			char *err, size_t errlen)
{
	if (parse_uint(s, min, max, out) < 0)
		return bad_value(err, errlen, val, what, s, strlen(s),
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
		return parse_list(cfg, c, arg, &dest_list, err, errlen);
	case 'p':
		return parse_list(cfg, c, arg, &port_list, err, errlen);
	case OPT_ICMP:
		cfg->icmp = true;
		return PTRAP_EXIT_OK;
	case 'c':
		cfg->connect_only = true;
		return PTRAP_EXIT_OK;
	case 'o':
		return parse_list(cfg, c, arg, &iface_list, err, errlen);
	case OPT_UID:
		return parse_list(cfg, c, arg, &uid_list, err, errlen);
	case OPT_COMM:
		return parse_list(cfg, c, arg, &comm_list, err, errlen);
	case OPT_PID:
		return parse_list(cfg, c, arg, &pid_list, err, errlen);
	case 'n':
		return parse_number(c, arg, 0, 1000000, "rate",
				    "0-1000000 per minute", &cfg->rate_per_min,
				    err, errlen);
	case OPT_COUNT: {
		unsigned int n;

		if (parse_uint(arg, 1, 4000000000ul, &n) < 0)
			return bad_value(err, errlen, c, "count", arg,
					 strlen(arg), "1-4000000000");
		cfg->max_reports = n;
		return PTRAP_EXIT_OK;
	}
	case OPT_HOOK_CAPS:
		cfg->hook_caps = true;
		return PTRAP_EXIT_OK;
	case 'Z':
		if (arg[0] == '\0' || getpwnam(arg) == NULL)
			return bad_value(err, errlen, c, "user", arg,
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
			set_err(err, errlen, "empty command for -e");
			return PTRAP_EXIT_USAGE;
		}
		if (cfg->hook_cmd != NULL) {
			set_err(err, errlen, "-e given more than once");
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
	case OPT_BACKEND:
		if (parse_backend(arg, &cfg->backend) < 0)
			return bad_value(err, errlen, c, "backend", arg,
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
			return bad_value(err, errlen, c, "file size", arg,
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
			return bad_value(err, errlen, c, "grouping", arg,
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
	set_err(err, errlen, "internal error: unhandled option %d", c);
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
	int show = len > SHOW_MAX ? SHOW_MAX : (int)len;
	const char *more = len > SHOW_MAX ? "..." : "";
	bool is_long = strncmp(elem, "--", 2) == 0;
	const struct cli_option *o;

	if (c == ':') {
		o = find_option(optopt);
		if (o == NULL)
			set_err(err, errlen, "missing argument for '%.*s%s'",
				show, elem, more);
		else if (is_long || o->val >= 256)
			set_err(err, errlen, "option --%s needs a value (%s)",
				o->name, o->arg);
		else
			set_err(err, errlen, "option -%c needs a value (%s)",
				o->val, o->arg);
		return PTRAP_EXIT_USAGE;
	}
	/* "--udp=1" also lands here, with optopt naming the option. */
	if (is_long && optopt != 0 && strchr(elem, '='))
		set_err(err, errlen, "option '%.*s%s' takes no argument",
			show, elem, more);
	else if (is_long && count_prefix_matches(elem) > 1)
		set_err(err, errlen, "ambiguous option '%.*s%s'",
			show, elem, more);
	else if (is_long)
		set_err(err, errlen, "unknown option '%.*s%s'",
			show, elem, more);
	else if (optopt > 0x20 && optopt < 0x7f)
		set_err(err, errlen, "unknown option '-%c'", optopt);
	else
		set_err(err, errlen, "unknown option in '%.*s%s'",
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
	set_err(err, errlen, "%s", "");

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

		set_err(err, errlen, "unexpected argument '%.*s%s'",
			len > SHOW_MAX ? SHOW_MAX : (int)len, argv[optind],
			len > SHOW_MAX ? "..." : "");
		return PTRAP_EXIT_USAGE;
	}

	if (cfg->help || cfg->version || cfg->man_options)
		return PTRAP_EXIT_OK;
	if (quiet && cfg->verbosity > 0) {
		set_err(err, errlen, "-q and -v cannot be combined");
		return PTRAP_EXIT_USAGE;
	}
	if (quiet)
		cfg->verbosity = -1;
	if (cfg->read_path && cfg->write_path) {
		set_err(err, errlen, "-r and -w cannot be combined");
		return PTRAP_EXIT_USAGE;
	}
	if (cfg->write_path && cfg->write_path[0] == '\0') {
		set_err(err, errlen, "empty file name for -w");
		return PTRAP_EXIT_USAGE;
	}
	if ((cfg->rotate_bytes || cfg->rotate_secs || cfg->rotate_files) &&
	    (!cfg->write_path || strcmp(cfg->write_path, "-") == 0)) {
		set_err(err, errlen, "-C, -G and -W need -w FILE (not stdout)");
		return PTRAP_EXIT_USAGE;
	}
	if (cfg->rotate_files && !cfg->rotate_bytes && !cfg->rotate_secs) {
		set_err(err, errlen, "-W needs -C or -G");
		return PTRAP_EXIT_USAGE;
	}
	if (cfg->snaplen && !cfg->write_path) {
		set_err(err, errlen, "-S needs -w");
		return PTRAP_EXIT_USAGE;
	}
	if (cfg->n_pids && !cfg->read_path) {
		set_err(err, errlen, "--pid selects packets for -r only");
		return PTRAP_EXIT_USAGE;
	}
	/* Reading a file traps nothing: no destination or protocol needed. */
	if (cfg->read_path)
		return PTRAP_EXIT_OK;
	if (cfg->connect_only && !cfg->tcp) {
		set_err(err, errlen,
			"-c traps TCP connection attempts: it needs -t");
		return PTRAP_EXIT_CONNECT_NO_TCP;
	}
	if (cfg->n_dests == 0) {
		set_err(err, errlen, "no destination: give -i ADDR");
		return PTRAP_EXIT_NO_DEST;
	}
	if (!cfg->udp && !cfg->tcp && !cfg->icmp) {
		set_err(err, errlen, "no protocol: give -u, -t and/or --icmp");
		return PTRAP_EXIT_NO_PROTO;
	}
	return PTRAP_EXIT_OK;
}

