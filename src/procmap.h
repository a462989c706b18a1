/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procmap: socket inode -> pids holding it, and per-process details, from /proc. */
#ifndef PTRAP_PROCMAP_H
#define PTRAP_PROCMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "resolver.h"

struct procmap;

/* root is "/proc" or a fake tree laid out the same way (tests). */
struct procmap *procmap_new(const char *root);
void procmap_free(struct procmap *pm);

/*
 * Fill pids (at most max) with the processes that hold socket inode.  A
 * cached answer is re-verified (the fd still points at socket:[inode])
 * before it is trusted; on a miss the processes of uid are scanned first
 * (uid < 0: unknown), then all others.  Returns the number found (0 if
 * none), or -1 with errno.
 */
int procmap_find_inode(struct procmap *pm, uint64_t inode, long long uid,
		       pid_t *pids, unsigned int max);

/*
 * The same, but a place seen (by a scan or a re-check) at or after
 * fresh_after is trusted without re-reading it: the caller passes the time
 * its packet was already queued, so a holder seen since held the socket
 * after the packet was sent.  now (same monotonic clock) stamps what is
 * seen here.  procmap_find_inode() is this with fresh_after UINT64_MAX.
 */
int procmap_find_inode_at(struct procmap *pm, uint64_t inode, long long uid,
			  uint64_t fresh_after, uint64_t now,
			  pid_t *pids, unsigned int max);

/*
 * The fd by which pid held inode when procmap last saw it (no I/O, not
 * re-verified), or -1: lets a caller re-check the place later by itself.
 */
int procmap_holder_fd(const struct procmap *pm, uint64_t inode, pid_t pid);

/*
 * Does pid still hold socket inode as fd (<root>/PID/fd/FD ->
 * socket:[INODE])?  The one check every cached answer passes before it is
 * used again: it fails for a closed socket, a reused fd and a recycled pid
 * (unless the new process holds that very socket, i.e. inherited it).
 */
bool procmap_holds(const struct procmap *pm, pid_t pid, int fd, uint64_t inode);

/* Counters since procmap_new(), for tests and statistics. */
struct procmap_stats {
	unsigned long hits;		/* answered from the cache (re-verified) */
	unsigned long fresh;		/* cached places trusted: seen after fresh_after */
	unsigned long misses;		/* not (validly) cached: scanned */
	unsigned long stale;		/* cached places found no longer valid */
	unsigned long scans;		/* /proc walks */
	unsigned long procs_scanned;	/* fd directories read */
	unsigned long fds_read;		/* fd links read while scanning */
};

void procmap_stats(const struct procmap *pm, struct procmap_stats *st);

/* Read pid's ppid, uid, gid, comm, exe, cmdline.  0, or -1 with errno (ESRCH if gone). */
int procmap_read_proc(struct procmap *pm, pid_t pid, struct resolver_proc *out);

/* What <root>/PID/stat tells: enough to know it is still the same program. */
struct procmap_stat {
	unsigned long long start;	/* field 22: clock ticks since boot */
	pid_t ppid;
	char comm[RESOLVER_COMM_MAX];	/* the thread's own */
};

/* One read of pid's stat.  0, or -1 with errno (ESRCH if gone, EPROTO). */
int procmap_read_stat(const struct procmap *pm, pid_t pid, struct procmap_stat *out);

/* Where pid's exe points, into buf (len > 0); "" if unreadable or gone. */
void procmap_read_exe(const struct procmap *pm, pid_t pid, char *buf, size_t len);

#endif
