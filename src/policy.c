/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy: which attributed packets are reported.
 *
 * The rate limit is a token bucket per flow (source address, destination
 * address, source port, protocol: the old script's hashlimit key) with a
 * burst of N refilled at N per minute, kept as GCRA: one "theoretical
 * arrival time" per flow instead of a token count and a timestamp.  The
 * table is bounded; when it is full the least recently seen flow is
 * forgotten.
 *
 * Why forgetting can never block a report wrongly: a flow that is not in
 * the table is treated as new, i.e. with a full bucket, which is the most
 * permissive state a flow can be in: its arrival time becomes "now",
 * and for a remembered flow only max(its time, now) matters, which is
 * never earlier.  So eviction
 * can only let a packet through that a bigger table would have limited,
 * never limit one that it would have let through.
 *
 * TCP is reported once per connection (issue 16): the first segment
 * ptrap sees of a 5-tuple (the SYN, or the first of a connection that was
 * open before), again only for a new SYN on the same tuple.  Forgetting a
 * connection when the table is full only means one more report of it.
 */
#include "policy.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cache.h"
#include "flowkey.h"
#include "procinfo.h"

#define NS_PER_MIN	60000000000ull

struct policy_flow {
	uint64_t tat;			/* when the bucket is full again, + T */
};

struct policy {
	unsigned int rate;		/* per minute; 0: unlimited */
	uint64_t interval;		/* T: ns per token */
	uint64_t tolerance;		/* (N - 1) * T: the burst */
	unsigned long long max_reports, reports;
	char comms[CLI_MAX_COMMS][CLI_COMM_LEN];
	unsigned int n_comms;
	char units[CLI_MAX_UNITS][CLI_UNIT_LEN];
	unsigned int n_units;
	char containers[CLI_MAX_CONTAINERS][CLI_CONTAINER_LEN];
	unsigned int n_containers;

	struct cache *flows;		/* struct flow_key -> struct policy_flow */
	struct cache *conns;		/* TCP 5-tuples reported; NULL: --every-packet */
	uint32_t seed;			/* keeps chains short against chosen ports */
};

struct policy *policy_new(const struct ptrap_config *cfg, unsigned int max_flows)
{
	struct policy *p;
	unsigned int i;

	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->rate = cfg->rate_per_min;
	if (p->rate > 0) {
		p->interval = NS_PER_MIN / p->rate;
		p->tolerance = (uint64_t)(p->rate - 1) * p->interval;
	}
	p->max_reports = cfg->max_reports;
	p->n_comms = cfg->n_comms < CLI_MAX_COMMS ? cfg->n_comms : CLI_MAX_COMMS;
	p->n_units = cfg->n_units < CLI_MAX_UNITS ? cfg->n_units : CLI_MAX_UNITS;
	memcpy(p->units, cfg->units, sizeof(p->units));
	for (i = 0; i < p->n_units; i++)
		p->units[i][CLI_UNIT_LEN - 1] = '\0';
	p->n_containers = cfg->n_containers < CLI_MAX_CONTAINERS ?
			  cfg->n_containers : CLI_MAX_CONTAINERS;
	memcpy(p->containers, cfg->containers, sizeof(p->containers));
	for (i = 0; i < p->n_containers; i++)
		p->containers[i][CLI_CONTAINER_LEN - 1] = '\0';
	for (i = 0; i < p->n_comms; i++) {
		memcpy(p->comms[i], cfg->comms[i], CLI_COMM_LEN);
		p->comms[i][CLI_COMM_LEN - 1] = '\0';
	}

	if (p->rate > 0) {
		p->flows = cache_new(max_flows ? max_flows : POLICY_DEFAULT_FLOWS,
				     sizeof(struct flow_key),
				     sizeof(struct policy_flow));
		if (!p->flows)
			goto fail;
	}
	if (!cfg->every_packet) {
		p->conns = cache_new(max_flows ? max_flows : POLICY_DEFAULT_FLOWS,
				     sizeof(struct flow_key), 1);
		if (!p->conns)
			goto fail;
	}
	/* A fixed seed only costs speed, never correctness. */
	if (getrandom(&p->seed, sizeof(p->seed), GRND_NONBLOCK) != sizeof(p->seed))
		p->seed = 0x9e3779b9u;
	return p;
fail:
	policy_free(p);
	errno = ENOMEM;
	return NULL;
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	cache_free(p->flows);
	cache_free(p->conns);
	free(p);
}

/* GCRA: conforming unless the flow's arrival time is more than the burst ahead. */
static bool rate_allows(struct policy *p, const struct pkt_info *pkt,
			uint64_t now)
{
	struct policy_flow *f;
	struct flow_key k;
	bool added;

	if (p->rate == 0)
		return true;
	flow_key_src_port(pkt, &k);
	f = cache_put(p->flows, flow_key_hash(&k, p->seed), &k, &added);
	if (added)
		f->tat = now;
	if (f->tat > now + p->tolerance)
		return false;
	f->tat = (f->tat > now ? f->tat : now) + p->interval;
	return true;
}

/* Any holder of the socket counts: each of them may have sent it. */
static bool comm_allows(const struct policy *p, const struct resolver_result *who)
{
	unsigned int i, j, n = who->n_procs;

	if (p->n_comms == 0)
		return true;
	if (n > RESOLVER_MAX_PIDS)
		n = RESOLVER_MAX_PIDS;
	for (i = 0; i < n; i++)
		for (j = 0; j < p->n_comms; j++)
			if (strncmp(who->procs[i].comm, p->comms[j], CLI_COMM_LEN) == 0)
				return true;
	return false;
}

/*
 * TCP: is pkt the first segment of its connection that ptrap sees, or
 * one whose payload was named?
 */
static bool conn_first(struct policy *p, const struct pkt_info *pkt, bool named)
{
	struct flow_key k;
	bool added;

	if (!p->conns || pkt->proto != IPPROTO_TCP || !pkt->has_ports)
		return true;
	flow_key_from_pkt(pkt, &k);
	cache_put(p->conns, flow_key_hash(&k, p->seed), &k, &added);
	/* a SYN without ACK on a known tuple: a new connection on a reused port */
	return added || named || (pkt->tcp_flags & 0x12) == 0x02;
}

/* --unit and --container: what the reported sender's cgroup names. */
static bool cgroup_allows(const struct policy *p, const struct resolver_result *who)
{
	const struct cgroupinfo *cg = who->info ? &who->info->cg : NULL;
	unsigned int i;
	bool ok;

	if (p->n_units == 0 && p->n_containers == 0)
		return true;
	if (!cg || who->n_procs == 0)
		return false;
	for (ok = p->n_units == 0, i = 0; !ok && i < p->n_units; i++)
		ok = procinfo_unit_match(p->units[i], cg->unit, cg->user_unit);
	if (!ok)
		return false;
	for (ok = p->n_containers == 0, i = 0; !ok && i < p->n_containers; i++)
		ok = procinfo_container_match(p->containers[i],
					      cgroupinfo_runtime_name(cg->runtime), cg->id);
	return ok;
}

enum policy_verdict policy_check(struct policy *p, const struct pkt_info *pkt,
				 const struct resolver_result *who,
				 uint64_t now_ns)
{
	return policy_check_named(p, pkt, who, now_ns, false);
}

enum policy_verdict policy_check_named(struct policy *p,
				       const struct pkt_info *pkt,
				       const struct resolver_result *who,
				       uint64_t now_ns, bool named)
{
	if (policy_done(p))
		return POLICY_DONE;
	if (!comm_allows(p, who) || !cgroup_allows(p, who))
		return POLICY_COMM_FILTERED;
	if (!conn_first(p, pkt, named))
		return POLICY_SEGMENT;
	if (!rate_allows(p, pkt, now_ns))
		return POLICY_RATE_LIMITED;
	p->reports++;
	return POLICY_REPORT;
}

bool policy_done(const struct policy *p)
{
	return p->max_reports > 0 && p->reports >= p->max_reports;
}

unsigned int policy_flows(const struct policy *p)
{
	return p->flows ? cache_count(p->flows) : 0;
}
