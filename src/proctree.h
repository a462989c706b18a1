/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proctree: a process's ancestry up to pid 1 (pid + comm of each), walked
 * through /proc/PID/stat, with a cache of the ancestors already named, and
 * its one-line form "dig(1234) < bash(1190) < sshd(880) < systemd(1)".
 */
#ifndef PTRAP_PROCTREE_H
#define PTRAP_PROCTREE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "procstat.h"
#include "strbuf.h"

#define PROCTREE_DEPTH		16	/* nodes kept, the process included */

struct proctree_node {
	pid_t pid;
	unsigned long long start;	/* stat field 22: with pid, who it is */
	char comm[PROCSTAT_COMM_MAX];	/* of the thread-group leader */
};

struct proctree {
	unsigned int n;		/* node[0]: the process; node[n-1]: the oldest found */
	bool truncated;		/* more ancestors than PROCTREE_DEPTH: text ends "..." */
	bool broken;		/* the walk lost an ancestor (gone, unreadable, a loop): "?" */
	struct proctree_node node[PROCTREE_DEPTH];
};

/*
 * Walk from pid (a process, as procmap reports it; a thread id gives the
 * thread's comm first) to the process whose ppid is 0 (pid 1, or kthreadd
 * for a kernel thread), reading <rootfd>/PID/stat for each.  A parent that
 * exits meanwhile is noticed (gone, or its pid already reused: a parent
 * never starts after its child) and the child is read again for the
 * parent it was given instead, a few times at most.  No cache.  0, or -1
 * with errno (ESRCH: pid is gone).
 */
int proctree_walk(int rootfd, pid_t pid, struct proctree *t);

/*
 * The cache: processes once named, by (pid, start time), each with the
 * parent it had when first seen.  An ancestor is re-read only when it
 * cannot be proven to be the same process; so the first process of a
 * shell costs a walk, the next ones two stat reads (itself and its
 * parent), and a process already seen none.  A reparented process keeps
 * the ancestry it was first seen with: who started it.
 */
struct proctree_cache;

/* size: processes kept (rounded up to a multiple of 4); root: "/proc" or a fake tree. */
struct proctree_cache *proctree_cache_new(const char *root, unsigned int size);
void proctree_cache_free(struct proctree_cache *c);

/*
 * The ancestry of pid.  start: its stat start time if the caller knows it
 * (then a cached (pid, start) answers without I/O, and a pid now held by
 * another process is ESRCH), else 0.  now: proctree_now() when the call
 * begins (tests inject it).  0, or -1 with errno.
 */
int proctree_get(struct proctree_cache *c, pid_t pid, unsigned long long start,
		 uint64_t now, struct proctree *t);

/* CLOCK_BOOTTIME in clock ticks, the unit of stat's start time. */
uint64_t proctree_now(void);

struct proctree_stats {
	unsigned long calls;
	unsigned long reads;		/* stat files read */
	unsigned long cached;		/* nodes named from the cache, no I/O */
	unsigned long reparented;	/* a parent gone mid-walk: child re-read */
};

void proctree_stats(const struct proctree_cache *c, struct proctree_stats *st);

/*
 * "comm(pid) < comm(pid) < ...", "..." after the last node if truncated,
 * "?" if broken.  comm is attacker-chosen: unshowable bytes and '\', '"'
 * and '<' are escaped (sb_escaped), so the text is printable ASCII, one
 * line, splits unambiguously on " < ", and may sit in double quotes as is.
 */
void proctree_append(struct strbuf *b, const struct proctree *t);

/* Room for the longest text: every comm byte escaped to four. */
#define PROCTREE_TEXT_MAX \
	(PROCTREE_DEPTH * ((PROCSTAT_COMM_MAX - 1) * 4 + sizeof(" < (2147483647)")) + \
	 sizeof(" < ..."))

/* proctree_append() into buf; its length, or -1 with errno ENOSPC. */
int proctree_format(const struct proctree *t, char *buf, size_t len);

#endif
