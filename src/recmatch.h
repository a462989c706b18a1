/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * recmatch: ptrap's matchers (-i, -p, -u, -t, --icmp and the filter
 * expression) as the send-time record's filter (bpfrec.h).  The record
 * may cover more than the rules queue, never less: what the rules match
 * and the record misses only falls back to /proc.
 */
#ifndef PTRAP_RECMATCH_H
#define PTRAP_RECMATCH_H

#include "addr.h"
#include "bpfrec.h"
#include "cli.h"

#define RECMATCH_MAX_DESTS	128
#define RECMATCH_MAX_PORTS	128

struct recmatch {
	struct bpfrec_match m;		/* points into the arrays below */
	struct addr_prefix dests[RECMATCH_MAX_DESTS];
	struct addr_port_range ports[RECMATCH_MAX_PORTS];
};

/*
 * Fill rm from cfg; a set too large to list is widened (any destination
 * of that family, any port).  0, or -1 with errno (EINVAL: the options
 * and expression match nothing; ENOMEM).
 */
int recmatch_build(const struct ptrap_config *cfg, struct recmatch *rm);

#endif
