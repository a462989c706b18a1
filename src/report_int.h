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
};

/* Same protocol, destination address and port. */
bool report_dest_eq(const struct rp_flow *a, const struct rp_flow *b);
/* Same destination and same source address and port. */
bool report_flow_eq(const struct rp_flow *a, const struct rp_flow *b);
/* Does flt (may be NULL) select anything at all? */
bool report_filter_active(const struct report_filter *flt);

#endif
