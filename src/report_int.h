/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report_int: the aggregation state report.c fills and report_print.c
 * prints.  Private to those two files.
 */
#ifndef PTRAP_REPORT_INT_H
#define PTRAP_REPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
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

struct rp_row {
	unsigned int proc;
	struct rp_flow f;
	struct payload_name name;	/* the first one asked for; len 0: none */
	unsigned long long packets, bytes;
	uint64_t first, last;
};

struct report {
	struct report_proc *procs;
	unsigned int n_procs, cap_procs;
	struct rp_row *rows;
	unsigned int n_rows, cap_rows, last_hit;
	unsigned long long packets, unparsed, filtered;
	const struct report_filter *flt;
	struct namematch_set names;	/* flt's --name patterns, compiled */
};

/* Same protocol, destination address and port. */
bool report_dest_eq(const struct rp_flow *a, const struct rp_flow *b);
/* Same destination and same source address and port. */
bool report_flow_eq(const struct rp_flow *a, const struct rp_flow *b);
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
bool report_name_eq(const struct payload_name *a, const struct payload_name *b);
void report_names_compile(struct namematch_set *set,
			  const struct report_filter *flt);

/* Does flt (may be NULL) select anything at all? */
bool report_filter_active(const struct report_filter *flt);

#endif
