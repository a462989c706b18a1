/* SPDX-License-Identifier: GPL-2.0-or-later */
/* resolver: from a packet's flow (and the uid the queue gave) to the process. */
#ifndef PTRAP_RESOLVER_H
#define PTRAP_RESOLVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "packet.h"

#define RESOLVER_MAX_PIDS	8
#define RESOLVER_COMM_MAX	64
#define RESOLVER_PATH_MAX	512
#define RESOLVER_CMDLINE_MAX	2048
#define RESOLVER_PROBLEM_MAX	160

struct resolver_proc {
	pid_t pid, ppid;
	uid_t uid;
	gid_t gid;
	unsigned long long start;		/* stat field 22 (0: not read) */
	/* cgroup v2 id when it sent, from the send-time record; 0: not recorded */
	uint64_t cgroup_id;
	char comm[RESOLVER_COMM_MAX];		/* of the thread-group leader */
	char exe[RESOLVER_PATH_MAX];		/* "" if unreadable */
	/* NUL-separated argv as in /proc/PID/cmdline; cmdline_len bytes */
	char cmdline[RESOLVER_CMDLINE_MAX];
	size_t cmdline_len;
};

struct procinfo;

struct resolver_result {
	bool has_uid;			/* uid/gid from the queue or sock_diag */
	uid_t uid;
	gid_t gid;
	bool has_inode;			/* socket found by sock_diag */
	uint64_t inode;
	unsigned int n_procs;		/* processes holding that socket */
	struct resolver_proc procs[RESOLVER_MAX_PIDS];	/* procs[0] is reported first */
	/*
	 * When n_procs == 0: why.  With n_procs > 0 it may say how the socket
	 * was chosen (several raw ICMP sockets).  A static string, or
	 * problem_buf: do not copy a result by value.
	 */
	const char *problem;
	char problem_buf[RESOLVER_PROBLEM_MAX];
	/*
	 * procs[0]'s user and group names, parent chain, cgroup, unit and
	 * container; with no process, the names of uid.  NULL: none known.
	 * Owned by the resolver: valid until its next call.
	 */
	const struct procinfo *info;
	/*
	 * procs[0] is what was known of a sender that has exited since: from
	 * the send-time record, pid, ppid, uid, gid, comm, start and cgroup_id
	 * as they were when it sent, exe and cmdline empty.
	 */
	bool exited;
};

struct resolver;
struct bpfrec;
struct queue_packet;

/*
 * proc_root is "/proc" in production and a fake tree in tests.  Returns NULL
 * with errno set on failure (e.g. no sock_diag socket).
 */
struct resolver *resolver_new(const char *proc_root);
void resolver_free(struct resolver *r);

/*
 * Before resolving a batch of packets one by one: look up the sockets of
 * the new flows among pkts (those the flow cache does not know; uids as
 * resolver_lookup() gets them) together, in one sock_diag exchange.  The
 * following resolver_lookup() calls for these packets use the answers;
 * the next prefetch forgets them.  At most RESOLVER_PREFETCH are kept.
 */
#define RESOLVER_PREFETCH	64
void resolver_prefetch(struct resolver *r, const struct pkt_info *const pkts[],
		       const long long uids[], unsigned int n);

/*
 * Resolve the sender of pkt.  queue_uid/queue_gid are < 0 when the queue did
 * not deliver them.  queued_by (CLOCK_MONOTONIC ns) is a time the packet was
 * already queued at: what was checked in /proc since then (for an earlier
 * packet of the same batch) is not checked again; UINT64_MAX checks all.
 * Always fills res (res->problem says what is missing); returns 0 if at
 * least one process was found, -1 otherwise.
 */
int resolver_lookup(struct resolver *r, const struct pkt_info *pkt,
		    long long queue_uid, long long queue_gid, uint64_t queued_by,
		    struct resolver_result *res);

/*
 * The send-time record (bpfrec.h) to ask first, or NULL.  The caller
 * keeps it open while r uses it and closes it after resolver_free().
 */
void resolver_use_record(struct resolver *r, struct bpfrec *br);

/*
 * resolver_lookup() for a packet read from the queue (pkt parsed from
 * qp): with a record, its sender as recorded at send time, else the
 * socket finders.  Call it once per packet, in queue order, before the
 * packet's verdict: a record is taken only once.
 */
int resolver_lookup_queued(struct resolver *r, const struct pkt_info *pkt,
			   const struct queue_packet *qp,
			   struct resolver_result *res);

#endif
