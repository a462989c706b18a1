/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * resolver_int: the resolver's state and its one attribution path, shared
 * by resolver.c (TCP/UDP, the flow cache) and resolver_icmp.c (ICMP).
 * Private to those two files.
 */
#ifndef PTRAP_RESOLVER_INT_H
#define PTRAP_RESOLVER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "flowkey.h"
#include "procinfo.h"
#include "resolver.h"
#include "sockdiag.h"

struct bpfrec;
struct flowcache;
struct icmpsock;
struct proccache;
struct procinfo_reader;
struct procmap;

/* A socket looked up ahead by resolver_prefetch(). */
struct rs_ahead {
	struct flow_key key;		/* of its packet: the caller's memory moves on */
	struct sockdiag_sock sock;
	int err;			/* 0, or sockdiag's errno */
};

/*
 * The finders: sockdiag (TCP/UDP by 5-tuple) and icmpsock (ICMP, from
 * /proc/net) name sockets, never processes; the caches belong to the one
 * path below that turns sockets and candidate processes into processes.
 */
struct resolver {
	struct sockdiag *sd;
	struct icmpsock *is;
	struct procmap *pm;
	struct flowcache *fc;
	struct proccache *pc;
	struct procinfo_reader *pi;	/* procs[0]'s user, parents, cgroup */
	struct procinfo names_only;	/* res->info when no process is known */
	struct rs_ahead ahead[RESOLVER_PREFETCH];
	unsigned int n_ahead;
	struct bpfrec *br;		/* the send-time record, or NULL (not ours) */
	unsigned long long tick_ns;	/* one clock tick of stat field 22 */
};

/*
 * A process a finder names as a possible sender.  The socket finders'
 * come from procmap (the holders of their socket, with the fd); a finder
 * that knows the process itself (a send-time record) gives pid and start
 * time, and no socket.
 */
struct rs_cand {
	pid_t pid;
	int fd;				/* where it holds the socket; -1: unknown */
	unsigned long long start;	/* stat field 22 of pid; 0: unknown */
};

/* The clock and the freshness bound of one lookup (resolver_lookup()). */
struct rs_when {
	uint64_t queued_by;		/* what was checked since is not checked again */
	uint64_t now;
};

/*
 * The holders of socket inode (procmap: cached places re-verified, else a
 * scan of uid's processes first), at most max.  Count, or -1 with errno.
 */
int rs_holders(struct resolver *r, uint64_t inode, long long uid,
	       const struct rs_when *w, struct rs_cand *c, unsigned int max);

/*
 * The one way into res->procs: each candidate read through the process
 * cache, left out if gone meanwhile or, with a start time, if its pid now
 * names another process.  c[] keeps only those added (compacted); returns
 * their number.
 */
unsigned int rs_attribute(struct resolver *r, struct rs_cand *c, unsigned int n,
			  const struct rs_when *w, struct resolver_result *res);

/*
 * Socket inode to its processes (rs_holders(), rs_attribute()), with the
 * inode in res; without one, res->problem = none.  c (room for
 * RESOLVER_MAX_PIDS, may be NULL) gets the candidates that were added.
 * 0, or -1 with res->problem set.
 */
int rs_attribute_inode(struct resolver *r, uint64_t inode, const struct rs_when *w,
		       struct resolver_result *res, const char *none,
		       struct rs_cand *c);

/* A finder's uid, when the queue gave none (finders know no gid). */
void rs_take_uid(struct resolver_result *res, uid_t uid);

/* res->problem = why; errno ENOENT; -1. */
int rs_fail(struct resolver_result *res, const char *why);

/*
 * Would the send-time record have recorded pkt?  UDP, ICMP, and TCP SYN
 * without ACK: the packets it sees in the sender's own context.
 */
bool rs_recordable(const struct resolver *r, const struct pkt_info *pkt);

/*
 * The send-time record of the queued packet (resolver_rec.c): 0 with res
 * filled (the live process through rs_attribute(), else what was recorded,
 * exited), 1 when there is none and the socket finders must answer.
 */
int rs_lookup_record(struct resolver *r, const struct pkt_info *pkt,
		     const struct queue_packet *qp, const struct rs_when *w,
		     struct resolver_result *res);

/* ICMP and ICMPv6 (resolver_icmp.c): icmpsock's sockets to a process. */
int rs_lookup_icmp(struct resolver *r, const struct pkt_info *pkt,
		   const struct rs_when *w, struct resolver_result *res);

#endif
