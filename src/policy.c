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
 */
#include "policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "flowkey.h"

#define NS_PER_MIN	60000000000ull
#define NIL		UINT32_MAX

struct policy_flow {
	struct flow_key key;
	uint64_t tat;			/* when the bucket is full again, + T */
	uint32_t hnext;			/* hash chain */
	uint32_t newer, older;		/* LRU list */
};

struct policy {
	unsigned int rate;		/* per minute; 0: unlimited */
	uint64_t interval;		/* T: ns per token */
	uint64_t tolerance;		/* (N - 1) * T: the burst */
	unsigned long long max_reports, reports;
	char comms[CLI_MAX_COMMS][CLI_COMM_LEN];
	unsigned int n_comms;

	struct policy_flow *flows;
	uint32_t cap, used;
	uint32_t *buckets;		/* heads of hash chains */
	uint32_t mask;			/* buckets - 1 */
	uint32_t newest, oldest;
	uint32_t seed;			/* keeps chains short against chosen ports */
};

struct policy *policy_new(const struct ptrap_config *cfg, unsigned int max_flows)
{
	struct policy *p;
	uint32_t nb = 1;
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
	for (i = 0; i < p->n_comms; i++) {
		memcpy(p->comms[i], cfg->comms[i], CLI_COMM_LEN);
		p->comms[i][CLI_COMM_LEN - 1] = '\0';
	}

	p->cap = max_flows ? max_flows : POLICY_DEFAULT_FLOWS;
	while (nb < 2 * p->cap)
		nb <<= 1;
	p->mask = nb - 1;
	p->newest = p->oldest = NIL;
	if (p->rate > 0) {
		p->flows = calloc(p->cap, sizeof(*p->flows));
		p->buckets = malloc(nb * sizeof(*p->buckets));
		if (!p->flows || !p->buckets)
			goto fail;
		for (i = 0; i < nb; i++)
			p->buckets[i] = NIL;
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
	free(p->flows);
	free(p->buckets);
	free(p);
}

static uint32_t hash_key(const struct policy *p, const struct flow_key *k)
{
	return flow_key_hash(k, p->seed) & p->mask;
}

static void lru_unlink(struct policy *p, uint32_t i)
{
	struct policy_flow *f = &p->flows[i];

	if (f->newer != NIL)
		p->flows[f->newer].older = f->older;
	else
		p->newest = f->older;
	if (f->older != NIL)
		p->flows[f->older].newer = f->newer;
	else
		p->oldest = f->newer;
}

static void lru_push(struct policy *p, uint32_t i)
{
	struct policy_flow *f = &p->flows[i];

	f->newer = NIL;
	f->older = p->newest;
	if (p->newest != NIL)
		p->flows[p->newest].newer = i;
	p->newest = i;
	if (p->oldest == NIL)
		p->oldest = i;
}

static void hash_unlink(struct policy *p, uint32_t i)
{
	uint32_t *link = &p->buckets[hash_key(p, &p->flows[i].key)];

	while (*link != NIL && *link != i)
		link = &p->flows[*link].hnext;
	if (*link == i)
		*link = p->flows[i].hnext;
}

static uint32_t flow_find(struct policy *p, const struct flow_key *k,
			  uint32_t h)
{
	uint32_t i;

	for (i = p->buckets[h]; i != NIL; i = p->flows[i].hnext)
		if (flow_key_equal(&p->flows[i].key, k))
			return i;
	return NIL;
}

/* A new entry for k: a free one, or the least recently seen flow's. */
static uint32_t flow_add(struct policy *p, const struct flow_key *k,
			 uint32_t h)
{
	uint32_t i;

	if (p->used < p->cap) {
		i = p->used++;
	} else {
		i = p->oldest;
		lru_unlink(p, i);
		hash_unlink(p, i);
	}
	p->flows[i].key = *k;
	p->flows[i].hnext = p->buckets[h];
	p->buckets[h] = i;
	lru_push(p, i);
	return i;
}

/* GCRA: conforming unless the flow's arrival time is more than the burst ahead. */
static bool rate_allows(struct policy *p, const struct pkt_info *pkt,
			uint64_t now)
{
	struct flow_key k;
	struct policy_flow *f;
	uint32_t h, i;

	if (p->rate == 0)
		return true;
	flow_key_src_port(pkt, &k);
	h = hash_key(p, &k);
	i = flow_find(p, &k, h);
	if (i == NIL) {
		i = flow_add(p, &k, h);
		p->flows[i].tat = now;
	} else {
		lru_unlink(p, i);
		lru_push(p, i);
	}
	f = &p->flows[i];
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

enum policy_verdict policy_check(struct policy *p, const struct pkt_info *pkt,
				 const struct resolver_result *who,
				 uint64_t now_ns)
{
	if (policy_done(p))
		return POLICY_DONE;
	if (!comm_allows(p, who))
		return POLICY_COMM_FILTERED;
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
	return p->used;
}
