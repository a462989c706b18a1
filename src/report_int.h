/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report_int: the aggregation state report.c fills, report_group.c
 * groups and sorts and report_print.c prints.  Private to those files.
 */
#ifndef PTRAP_REPORT_INT_H
#define PTRAP_REPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "addr.h"
#include "namematch.h"
#include "payload.h"
#include "report.h"

struct rp_flow {
	uint8_t proto;
	bool has_ports;
	struct addr_ip src, dst;
	uint16_t sport, dport;
};

/* A name packets asked for: DNS qname, TLS SNI or HTTP Host. */
struct rp_name {
	char *text;			/* escaped, lower case */
	struct payload_name wire;	/* as asked, for --name */
};

/* Packets of one process, one flow and one name. */
struct rp_row {
	unsigned int proc;
	struct rp_flow f;
	int name;		/* index in report.nametab; -1: none */
	unsigned long long packets, bytes;
	uint64_t first, last;
};

struct report {
	struct report_proc *procs;
	unsigned int n_procs, cap_procs;
	struct rp_row *rows;
	unsigned int n_rows, cap_rows, last_proc;
	struct rp_name *nametab;	/* the names rows point to */
	unsigned int n_nametab, cap_nametab;
	/*
	 * Indexes of rows by (process, flow) and of names by their text's
	 * hash.  An entry they forget (or a hash two names share) only
	 * costs a second row or name with the same key, which grouping
	 * adds up again.
	 */
	struct cache *row_index, *name_index;
	/* a flow's last name, for its segments that carry none */
	struct cache *flow_names;
	unsigned long long packets, unparsed, filtered;
	const struct report_filter *flt;
	struct namematch_set names;	/* flt's --name patterns, compiled */
};

/* Same protocol, destination address and port. */
bool report_dest_eq(const struct rp_flow *a, const struct rp_flow *b);
/* Same destination and same source address and port. */
bool report_flow_eq(const struct rp_flow *a, const struct rp_flow *b);
struct rp_sum {
	unsigned long long packets, bytes;
	uint64_t first, last;
};

/*
 * A group of rows (a process, a destination, a name...) or a sub-group
 * inside one (its destinations, or its processes): a row standing for
 * its key, the rows' sums, how many processes they are and, for a group,
 * its sub-groups subs[sub .. sub + n_subs).
 */
struct rp_group {
	unsigned int row;
	struct rp_sum sum;
	unsigned int n_procs;
	unsigned int sub, n_subs;
};

struct rp_grouping {
	struct rp_group *groups, *subs;
	unsigned int n_groups, n_subs;
};

/*
 * Group rp's rows by `by`, each group's sub-groups by the other side
 * (destinations of a process, processes of a destination), both sorted
 * by `sort`, ties by key.  0, or -1 with errno ENOMEM.
 */
int report_group(const struct report *rp, enum cli_by by, enum cli_sort sort,
		 struct rp_grouping *g);
void report_grouping_free(struct rp_grouping *g);

/* Does by group processes (its sub-groups are destinations)? */
bool report_by_process_kind(enum cli_by by);

/* JSON lines (report_json.c): the groups, the totals, a string. */
void report_json_groups(const struct report *rp, const struct rp_grouping *g,
			const struct report_opts *o, FILE *out);
void report_json_total(const struct report *rp, unsigned int n_files,
		       unsigned int n_bad, const char *error, FILE *out);
void report_json_str(FILE *out, const char *s);
/* --- report_name.c --- */

#define RP_NAMES_MAX	PAYLOAD_DNS_QMAX
/* The names a packet asks for: DNS questions, SNI or Host. */
struct rp_names {
	unsigned int n;
	struct payload_name name[RP_NAMES_MAX];
};

/* From the packet's bytes (ip, len: as pkt_parse() got them), else the comment. */
void report_names_get(const struct pcapng_record *r, const struct pkt_info *pkt,
		      const uint8_t *ip, size_t len, struct rp_names *nm);
bool report_names_match(const struct namematch_set *set,
			const struct rp_names *nm);
void report_names_compile(struct namematch_set *set,
			  const struct report_filter *flt);

/* Does flt (may be NULL) select anything at all? */
bool report_filter_active(const struct report_filter *flt);

#endif
