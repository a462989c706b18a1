/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flowcache: a flow's 5-tuple -> its socket and the processes holding it,
 * so that consecutive packets of one flow cost a hash lookup instead of a
 * sock_diag round trip and a dozen /proc reads.
 *
 * Why a cached answer cannot name the wrong process:
 * - The queue hands us the uid of the sending socket with every packet; a
 *   flow whose uid differs from the stored one is a different socket and
 *   is looked up afresh.
 * - A new TCP connection always starts with a SYN, which is never answered
 *   from the cache, so a recycled TCP port is always looked up.
 * - Anything else (a UDP socket closed and a new one of the same uid bound
 *   to the same local and remote address and port, a pid recycled) needs a
 *   close, a new socket and a send within FLOWCACHE_TRUST_NS of the last
 *   verification; after that time, every holder's /proc/PID/fd/N must
 *   still be socket:[INODE] before the answer is used again.  A recycled
 *   pid fails that check (the new process cannot hold a socket whose
 *   holder died unless it inherited it, and then it does hold it).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "cache.h"
#include "flowcache.h"
#include "flowkey.h"
#include "procmap.h"

struct fc_val {
	long long queue_uid;
	uint64_t verified_ns;
	bool stale;			/* failed a check or forgotten: last owner only */
	struct flowcache_entry e;
};

struct flowcache {
	struct procmap *pm;		/* whose check re-verifies an answer */
	struct cache *c;		/* struct flow_key -> struct fc_val */
	struct flowcache_stats st;
};

struct flowcache *flowcache_new(struct procmap *pm, unsigned int size)
{
	struct flowcache *fc = calloc(1, sizeof(*fc));
	struct cache *c = cache_new(size ? size : 1, sizeof(struct flow_key),
				    sizeof(struct fc_val));

	if (!fc || !c) {
		free(fc);
		cache_free(c);
		errno = ENOMEM;
		return NULL;
	}
	fc->pm = pm;
	fc->c = c;
	return fc;
}

void flowcache_free(struct flowcache *fc)
{
	if (fc)
		cache_free(fc->c);
	free(fc);
}

/* A new connection, maybe on a recycled port: never answered from here. */
static bool is_syn(const struct pkt_info *pkt)
{
	return pkt->proto == IPPROTO_TCP && (pkt->tcp_flags & 0x12) == 0x02;
}

static bool verify(const struct flowcache *fc, const struct flowcache_entry *e)
{
	unsigned int i;

	for (i = 0; i < e->n; i++)
		if (!procmap_holds(fc->pm, e->pid[i], e->fd[i], e->inode))
			return false;
	return e->n > 0;
}

const struct flowcache_entry *flowcache_lookup(struct flowcache *fc,
					       const struct pkt_info *pkt,
					       long long queue_uid, uint64_t now_ns,
					       bool *checked)
{
	struct flow_key k;
	struct fc_val *v;
	uint32_t h;

	*checked = false;
	if (!fc || !pkt || !pkt->has_ports)
		return NULL;
	flow_key_from_pkt(pkt, &k);
	h = flow_key_hash(&k, 0);
	v = cache_get(fc->c, h, &k);
	if (!v || v->stale || v->queue_uid != queue_uid || is_syn(pkt)) {
		fc->st.misses++;
		return NULL;
	}
	if (now_ns - v->verified_ns >= FLOWCACHE_TRUST_NS) {
		if (!verify(fc, &v->e)) {
			v->stale = true;
			fc->st.stale++;
			fc->st.misses++;
			return NULL;
		}
		v->verified_ns = now_ns;
		*checked = true;
		fc->st.checked++;
	} else {
		fc->st.hits++;
	}
	return &v->e;
}

bool flowcache_has(const struct flowcache *fc, const struct pkt_info *pkt,
		   long long queue_uid)
{
	const struct fc_val *v;
	struct flow_key k;

	if (!fc || !pkt || !pkt->has_ports)
		return false;
	flow_key_from_pkt(pkt, &k);
	v = cache_peek(fc->c, flow_key_hash(&k, 0), &k);
	return v && !v->stale && v->queue_uid == queue_uid && !is_syn(pkt);
}

void flowcache_store(struct flowcache *fc, const struct pkt_info *pkt,
		     long long queue_uid, const struct flowcache_entry *e,
		     uint64_t now_ns)
{
	struct flow_key k;
	struct fc_val *v;

	if (!fc || !pkt || !pkt->has_ports || !e || e->n == 0)
		return;
	flow_key_from_pkt(pkt, &k);
	v = cache_put(fc->c, flow_key_hash(&k, 0), &k, NULL);
	v->queue_uid = queue_uid;
	v->verified_ns = now_ns;
	v->stale = false;
	v->e = *e;
	if (v->e.n > RESOLVER_MAX_PIDS)
		v->e.n = RESOLVER_MAX_PIDS;
}

void flowcache_forget(struct flowcache *fc, const struct pkt_info *pkt)
{
	struct flow_key k;
	struct fc_val *v;

	if (!fc || !pkt || !pkt->has_ports)
		return;
	flow_key_from_pkt(pkt, &k);
	v = cache_peek(fc->c, flow_key_hash(&k, 0), &k);
	if (v)
		v->stale = true;
}

const struct flowcache_entry *flowcache_last(struct flowcache *fc,
					     const struct pkt_info *pkt,
					     long long queue_uid)
{
	struct flow_key k;
	struct fc_val *v;

	if (!fc || !pkt || !pkt->has_ports || is_syn(pkt))
		return NULL;
	flow_key_from_pkt(pkt, &k);
	v = cache_peek(fc->c, flow_key_hash(&k, 0), &k);
	if (!v || (queue_uid >= 0 && v->queue_uid >= 0 && v->queue_uid != queue_uid))
		return NULL;
	return &v->e;
}

void flowcache_stats(const struct flowcache *fc, struct flowcache_stats *st)
{
	*st = fc->st;
}
