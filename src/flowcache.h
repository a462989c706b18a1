/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flowcache: a flow's 5-tuple -> its socket and the processes holding it. */
#ifndef PTRAP_FLOWCACHE_H
#define PTRAP_FLOWCACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "packet.h"
#include "resolver.h"

/*
 * How long a verified answer is trusted without looking at /proc again.
 * See flowcache.c for why this cannot name a wrong process in practice.
 */
#define FLOWCACHE_TRUST_NS	(1000000ull)	/* 1 ms */

struct flowcache;
struct procmap;

struct flowcache_entry {
	uint64_t inode;
	bool has_uid;			/* uid/gid as the slow path found them */
	uid_t uid;
	gid_t gid;
	unsigned int n;			/* holders of the socket */
	pid_t pid[RESOLVER_MAX_PIDS];
	int fd[RESOLVER_MAX_PIDS];	/* where each holds it; -1: unknown */
	unsigned long long start[RESOLVER_MAX_PIDS];	/* stat field 22; 0: unknown */
};

/*
 * size: flows kept (the least recently used go first); pm: whose check
 * (procmap_holds()) re-verifies an answer, and which must outlive fc.
 */
struct flowcache *flowcache_new(struct procmap *pm, unsigned int size);
void flowcache_free(struct flowcache *fc);

/*
 * The cached answer for pkt's flow, or NULL.  queue_uid (< 0: unknown) must
 * be the uid stored with it, and a TCP SYN without ACK (a new connection,
 * maybe on a recycled port) is never answered.  An answer older than
 * FLOWCACHE_TRUST_NS is re-verified first: every holder's /proc/PID/fd/N
 * must still be socket:[INODE]; otherwise the entry is dropped.  *checked
 * says whether that happened (callers then re-check process details too).
 */
const struct flowcache_entry *flowcache_lookup(struct flowcache *fc,
					       const struct pkt_info *pkt,
					       long long queue_uid, uint64_t now_ns,
					       bool *checked);

/*
 * Would flowcache_lookup() find pkt's flow (perhaps after a re-check)?  No
 * I/O, no counters: for deciding which sockets to look up ahead.
 */
bool flowcache_has(const struct flowcache *fc, const struct pkt_info *pkt,
		   long long queue_uid);

/* Remember e (a fresh, verified answer) for pkt's flow. */
void flowcache_store(struct flowcache *fc, const struct pkt_info *pkt,
		     long long queue_uid, const struct flowcache_entry *e,
		     uint64_t now_ns);

/*
 * Forget pkt's flow (its cached processes turned out to be gone): no
 * lookup answers from it again, but flowcache_last() still does.
 */
void flowcache_forget(struct flowcache *fc, const struct pkt_info *pkt);

/*
 * The last answer stored for pkt's flow, even one that failed its check
 * or was forgotten since (until the flow is evicted): who owned the
 * socket before it closed, for the FIN or RST that follows.  NULL for a
 * SYN without ACK (a new connection), a flow never stored, or a uid that
 * differs from the stored one when both are known.  No I/O.
 */
const struct flowcache_entry *flowcache_last(struct flowcache *fc,
					     const struct pkt_info *pkt,
					     long long queue_uid);

struct flowcache_stats {
	unsigned long hits;		/* answered within the trust time */
	unsigned long checked;		/* answered after re-verification */
	unsigned long misses;
	unsigned long stale;		/* entries dropped by a failed check */
};

void flowcache_stats(const struct flowcache *fc, struct flowcache_stats *st);

#endif
