/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report: the -r summary of a pcapng file: who sent what to where. */
#ifndef PTRAP_REPORT_H
#define PTRAP_REPORT_H

#include <stdbool.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/types.h>
#include "cli.h"
#include "comment.h"
#include "pcapng_read.h"

struct report;

/* Process details parsed back from a ptrap packet comment. */
struct report_proc {
	long long pid;		/* -1: unknown */
	long long ppid;		/* -1: not given */
	long long uid;		/* -1: not given */
	long long start;	/* Start: (stat's start time); -1: not given */
	char comm[64];
	char exe[512];
	char args[1024];
	char reason[128];	/* "Reason:" when the pid is unknown */
	struct comment_procinfo info;	/* user, unit, container, chain, cgroup */
};

/*
 * -r with -u/-t/--icmp, -c, -i, -p, -o, --uid, --pid, --comm, --name,
 * --unit, --container: a packet is counted only if it matches every list
 * given (any entry of a list); empty lists match everything.  Packets
 * that are not IPv4/IPv6 match no filter.
 */
struct report_filter {
	bool udp, tcp, icmp;		/* none: any protocol */
	bool connect_only;		/* TCP: only SYN without ACK */
	const uid_t *uids;		/* the comment's UserId */
	unsigned int n_uids;
	const char (*ifaces)[IF_NAMESIZE];	/* the interface block's name */
	unsigned int n_ifaces;
	const struct addr_prefix *dests;
	unsigned int n_dests;
	const struct addr_port_range *ports;	/* destination ports */
	unsigned int n_ports;
	const pid_t *pids;
	unsigned int n_pids;
	const char (*comms)[CLI_COMM_LEN];
	unsigned int n_comms;
	const char (*units)[CLI_UNIT_LEN];	/* --unit */
	unsigned int n_units;
	const char (*containers)[CLI_CONTAINER_LEN];	/* --container */
	unsigned int n_containers;
	const char *const *names;	/* --name patterns, checked by cli */
	unsigned int n_names;
};

struct report *report_new(void);
void report_free(struct report *rp);

/* Count only what flt selects (NULL: everything); flt must outlive rp. */
void report_set_filter(struct report *rp, const struct report_filter *flt);

/* Count one packet.  0, or -1 with errno ENOMEM. */
int report_add(struct report *rp, const struct pcapng_record *r);

/*
 * Parse a comment ("PID: ..\nComm: ..") into p.  Lines it does not know are
 * ignored.  Returns 0 if a PID line was found, -1 otherwise.
 */
int report_parse_comment(const char *s, size_t len, struct report_proc *p);

/* How a summary is shown: --by, --sort, --top, -j. */
struct report_opts {
	enum cli_by by;
	enum cli_sort sort;
	unsigned int top;	/* 0: every group */
	bool json;
};

/*
 * Print the summary: a text table (a header, aligned columns, the groups
 * and under each its sub-groups, indented) or JSON lines.  Times are
 * local (TZ), JSON's UTC.  0, or -1 with errno ENOMEM (nothing printed).
 */
int report_print(const struct report *rp, const struct report_opts *o,
		 FILE *out);

/*
 * Packets counted, and those that were not IPv4/IPv6 (not in any group).
 * Packets the filter left out are in neither.
 */
void report_totals(const struct report *rp, unsigned long long *packets,
		   unsigned long long *unparsed);

/* Packets read but left out by the filter. */
unsigned long long report_filtered(const struct report *rp);

/*
 * Count the packets of one capture file ("-": stdin; pcapng or pcap) into
 * rp.  Returns the records read, or -1 with a message in err (those before
 * any damage are counted).  Several files add up as one capture.
 */
long report_read(struct report *rp, const char *path, char *err, size_t errlen);

/*
 * The totals line after report_print(): packets, what was not IPv4/IPv6,
 * what the filter left out; files and damaged files when several were
 * read (n_files > 1); error: the last read error, or NULL.
 */
void report_print_total(const struct report *rp, bool json,
			unsigned int n_files, unsigned int n_bad,
			const char *error, FILE *out);

/*
 * One file: report_read(), report_print() and report_print_total() of
 * what flt selects (NULL: all) to out.  Returns 0; or -1 with a message
 * in err: nothing printed if the file could not be read at all, a
 * partial summary if it is damaged.
 */
int report_file(const char *path, const struct report_opts *o,
		const struct report_filter *flt, FILE *out,
		char *err, size_t errlen);

#endif
