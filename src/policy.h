/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy: after a packet is attributed, decide whether it is reported (and
 * its hook run) or only accepted: --comm, --unit, --container, one report
 * per TCP connection (unless --every-packet), -n/--rate per flow, --count.
 */
#ifndef PTRAP_POLICY_H
#define PTRAP_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include "cli.h"
#include "packet.h"
#include "resolver.h"

/* Flows the rate limiter remembers; the least recently seen go first. */
#define POLICY_DEFAULT_FLOWS	4096

enum policy_verdict {
	POLICY_REPORT,		/* report it (and run the hook) */
	POLICY_COMM_FILTERED,	/* --comm, --unit, --container: not a wanted sender */
	POLICY_RATE_LIMITED,	/* -n: its flow is over the limit */
	POLICY_SEGMENT,		/* TCP: its connection was reported already */
	POLICY_DONE,		/* --count reached: report nothing more */
};

struct policy;

/*
 * Takes rate_per_min, comms and max_reports from cfg (copied; cfg may go
 * away).  max_flows bounds the rate table (0: POLICY_DEFAULT_FLOWS).
 * Returns NULL with errno set.
 */
struct policy *policy_new(const struct ptrap_config *cfg, unsigned int max_flows);
void policy_free(struct policy *p);

/*
 * The verdict for one packet; now_ns is CLOCK_MONOTONIC (injected for
 * tests).  POLICY_REPORT counts towards --count and takes a token of the
 * flow; the other verdicts change nothing.
 */
enum policy_verdict policy_check(struct policy *p, const struct pkt_info *pkt,
				 const struct resolver_result *who,
				 uint64_t now_ns);
/*
 * The same for a packet whose payload the decoders named (a TCP segment
 * holding a DNS message, a ClientHello or an HTTP request): reported
 * like a connection's first segment, since what it asks for comes after
 * the SYN.
 */
enum policy_verdict policy_check_named(struct policy *p,
				       const struct pkt_info *pkt,
				       const struct resolver_result *who,
				       uint64_t now_ns, bool named);

/* True once --count reports have been allowed (never without --count). */
bool policy_done(const struct policy *p);

/* Flows in the rate table now (tests, statistics). */
unsigned int policy_flows(const struct policy *p);

#endif
