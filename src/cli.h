/* cli: the option table, parsing argv into a config, --help and --version. */
#ifndef PTRAP_CLI_H
#define PTRAP_CLI_H

#include <stdbool.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/types.h>
#include "addr.h"
#include "filter.h"

/* Exit codes; kept from the original script where they still mean something. */
enum ptrap_exit {
	PTRAP_EXIT_OK = 0,
	PTRAP_EXIT_RUNTIME = 1,		/* any other runtime error */
	PTRAP_EXIT_USAGE = 2,		/* unknown option, bad value */
	PTRAP_EXIT_NO_DEST = 3,		/* no -i */
	PTRAP_EXIT_NO_PROTO = 4,	/* none of -u/-t/--icmp */
	PTRAP_EXIT_CONNECT_NO_TCP = 5,	/* -c without -t */
	PTRAP_EXIT_NO_PRIV = 6,		/* no CAP_NET_ADMIN */
	PTRAP_EXIT_QUEUE_BUSY = 7,	/* another ptrap owns this queue */
};

/* --by: what a -r summary groups by. */
enum cli_by {
	CLI_BY_PROCESS,		/* pid, with its comm, exe and user */
	CLI_BY_DESTINATION,
	CLI_BY_FLOW,
	CLI_BY_COMM,
	CLI_BY_EXE,
	CLI_BY_USER,
	CLI_BY_UNIT,
	CLI_BY_NAME,		/* DNS qname, TLS SNI, HTTP Host */
	CLI_BY_N
};

/* --sort: the order of a -r summary's rows. */
enum cli_sort {
	CLI_SORT_PACKETS,	/* most first */
	CLI_SORT_BYTES,		/* most first */
	CLI_SORT_FIRST,		/* earliest first packet first */
	CLI_SORT_LAST,		/* latest last packet first */
	CLI_SORT_N
};

enum cli_backend {
	CLI_BACKEND_AUTO,
	CLI_BACKEND_NFT,
	CLI_BACKEND_IPTABLES,
	CLI_BACKEND_NONE,
};

/* The comma lists' capacities (the option table prints them in --help). */
#define CLI_MAX_DESTS	64
#define CLI_MAX_PORTS	32
#define CLI_MAX_IFACES	8
#define CLI_MAX_UIDS	16
#define CLI_MAX_COMMS	16
#define CLI_COMM_LEN	16		/* as /proc/PID/comm: 15 + NUL */
#define CLI_MAX_PIDS	64
#define CLI_MAX_UNITS	16
#define CLI_UNIT_LEN	256		/* systemd's UNIT_NAME_MAX */
#define CLI_MAX_CONTAINERS	16
#define CLI_CONTAINER_LEN	144	/* "runtime:" and an id or name */
#define CLI_MAX_READS	64		/* -r FILE and the files after it */
#define CLI_MAX_NAMES	64		/* --name; NAMEMATCH_MAX */
#define CLI_MAX_RESOLV	4		/* --resolv-conf */

/*
 * Defaults of numeric options, named for the code that relies on them.
 * Only the option table (cli_table.c) applies them, next to each option's
 * range and unit; --help and the man page print them from there.
 */
#define CLI_DEFAULT_QUEUE	4253
#define CLI_DEFAULT_HOLD_MS	500
#define CLI_DEFAULT_HOOK_TIMEOUT_MS	10000
#define CLI_DEFAULT_MAX_HOOKS	16
#define CLI_DEFAULT_RATE	20		/* reports per minute per flow */
#define CLI_DEFAULT_BATCH_WAIT_US	20

struct ptrap_config {
	bool udp, tcp, icmp;
	struct addr_prefix dests[CLI_MAX_DESTS];
	unsigned int n_dests;
	struct addr_port_range ports[CLI_MAX_PORTS];
	unsigned int n_ports;		/* 0: any port */
	bool connect_only;		/* -c: TCP SYN without ACK only */
	bool every_packet;		/* --every-packet: TCP reported per segment */
	char out_ifaces[CLI_MAX_IFACES][IF_NAMESIZE];	/* -o; syntax only */
	unsigned int n_out_ifaces;
	uid_t uids[CLI_MAX_UIDS];	/* --uid, matched in the kernel */
	unsigned int n_uids;
	char comms[CLI_MAX_COMMS][CLI_COMM_LEN];	/* --comm */
	unsigned int n_comms;
	char units[CLI_MAX_UNITS][CLI_UNIT_LEN];	/* --unit */
	unsigned int n_units;
	char containers[CLI_MAX_CONTAINERS][CLI_CONTAINER_LEN];	/* --container */
	unsigned int n_containers;
	const char *names[CLI_MAX_NAMES];	/* --name, checked; in argv */
	unsigned int n_names;
	bool dns;			/* --dns: -u -t -p 53 to the resolvers */
	const char *resolv_confs[CLI_MAX_RESOLV];	/* --resolv-conf */
	unsigned int n_resolv_confs;
	pid_t pids[CLI_MAX_PIDS];	/* --pid, a filter for -r */
	unsigned int n_pids;
	unsigned int rate_per_min;	/* -n; 0: unlimited */
	unsigned long long max_reports;	/* --count; 0: no limit */
	bool syslog;			/* --syslog: reports also to syslog */
	bool syslog_only;		/* --syslog-only: instead of stdout */
	const char *hook_cmd;		/* -e, NULL if none (points into argv) */
	unsigned int hold_ms;		/* -s */
	unsigned int hook_timeout_ms;	/* --hook-timeout */
	unsigned int max_hooks;		/* --max-hooks */
	bool json;			/* -j */
	int verbosity;			/* -1 quiet, 0 normal, 1.. verbose */
	unsigned int queue_num;		/* --queue-num, 0..65535 */
	unsigned int batch_wait_us;	/* --batch-wait; 0: off */
	enum cli_backend backend;
	const char *write_path;		/* -w: pcapng output, "-" stdout */
	const char *read_paths[CLI_MAX_READS];	/* -r and the words after
					 * the options: files or glob(7)
					 * patterns to summarise, then exit */
	unsigned int n_read_paths;	/* 0: not -r */
	bool flush;			/* --flush: write each packet at once */
	unsigned long long rotate_bytes; /* -C, in bytes; 0: none */
	unsigned int rotate_secs;	/* -G; 0: none */
	unsigned int rotate_files;	/* -W; 0: no limit */
	unsigned int snaplen;		/* -S; 0: whole packet */
	const char *run_as_user;	/* -Z, after setup */
	bool hook_caps;			/* --hook-caps: hooks keep our caps */
	bool no_bpf;			/* --no-bpf: no send-time record */
	enum cli_by by;			/* --by, for -r */
	enum cli_sort sort;		/* --sort, for -r */
	unsigned int top;		/* --top, for -r; 0: every group */
	bool help, version;		/* print and exit 0 */
	bool man_options;		/* hidden --man-options: print
					 * cli_print_man_options(), exit 0 */
	bool hold_given;		/* -s was given (for cli_habit_hint) */
	struct filter filter;		/* the expression after the options,
					 * ANDed with them; empty: none */
	char *const *filter_words;	/* its words, in argv */
	int n_filter_words;
};

/*
 * Parse argv into cfg (defaults first).  Returns PTRAP_EXIT_OK, or an exit
 * code with a one-line message (no "ptrap: " prefix, no newline) in err.
 * Does not print, does not exit.  Resets getopt state, so it can be called
 * repeatedly (tests).
 */
int cli_parse(int argc, char **argv, struct ptrap_config *cfg,
	      char *err, size_t errlen);

/*
 * A tcpdump habit the command line seems to follow where ptrap accepted
 * it with another meaning ("-s 0"), as a one-line warning; NULL if none.
 */
const char *cli_habit_hint(const struct ptrap_config *cfg);

/*
 * What the options select, for filter_compile(): -u, -t and --icmp, or
 * with an expression and none of them all three (ICMP only without -p,
 * which gives ports); -i; -p.
 */
void cli_filter_scope(const struct ptrap_config *cfg, struct filter_scope *scope);

/*
 * An argument as a message shows it, so the message stays one line: its
 * first CLI_SHOW_MAX bytes, newlines and other control or non-ASCII
 * bytes as C escapes, "..." when cut.  Returns buf.
 */
#define CLI_SHOW_MAX	64
#define CLI_SHOW_BUF	(4 * CLI_SHOW_MAX + 4)
const char *cli_show(const char *s, size_t slen, char *buf, size_t len);

/* --help text, generated from the option table. */
void cli_print_help(FILE *out);
void cli_print_version(FILE *out);

const char *cli_backend_name(enum cli_backend b);
const char *cli_by_name(enum cli_by b);
const char *cli_sort_name(enum cli_sort s);

/* The man page's OPTIONS section (roff), generated from the option table. */
void cli_print_man_options(FILE *out);

#endif
