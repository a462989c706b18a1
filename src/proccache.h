/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proccache: per-pid process details, re-checked cheaply instead of re-read. */
#ifndef PTRAP_PROCCACHE_H
#define PTRAP_PROCCACHE_H

#include <stdint.h>
#include <sys/types.h>
#include "procinfo.h"
#include "procmap.h"
#include "resolver.h"

struct proccache;

/*
 * size: records kept (the least recently used go first).  Every /proc read
 * is the procmap's passed to proccache_get().
 */
struct proccache *proccache_new(unsigned int size);
void proccache_free(struct proccache *pc);

/*
 * Details of pid as procmap_read_proc() gives them.  A cached record is
 * used only if /proc/PID/stat still shows the same start time (field 22)
 * and comm and /proc/PID/exe the same target, so a recycled pid or an
 * exec() is read afresh; ppid is always taken from the fresh stat.
 *
 * A record read or checked at or after fresh_after is used without any
 * I/O: the caller passes the time its packet was already queued, and a
 * check made after that is as good as one made now.  now (same monotonic
 * clock) stamps a check made here; UINT64_MAX as fresh_after always checks.
 * 0, or -1 with errno (ESRCH once the process is gone).
 */
int proccache_get(struct proccache *pc, struct procmap *pm, pid_t pid,
		  uint64_t fresh_after, uint64_t now, struct resolver_proc *out);

/*
 * The cached record of pid if it is the process that started at start
 * (stat field 22) and its comm is still comm (the first 15 bytes), without
 * any I/O; else -1 with errno ENOENT.  For a caller that knows the process
 * by pid and start time from a record made as it sent (the send-time
 * record): those two name one process for good, so what was read of it
 * stands, but for an exec() since, which the comm shows unless the new
 * program has the same name.
 */
#define PROCCACHE_COMM_CMP	15
int proccache_get_known(struct proccache *pc, pid_t pid, unsigned long long start,
			const char *comm, struct resolver_proc *out);

/*
 * The cached record of pid without any check or I/O (NULL if none): for
 * callers that verified the process themselves moments ago.
 */
const struct resolver_proc *proccache_peek(const struct proccache *pc, pid_t pid);

/*
 * The procinfo of pid's cached record (NULL if none), read through pr the
 * first time it is asked for: once per process, as a recycled pid or an
 * exec() is a new record.  Valid until the next proccache call.
 */
const struct procinfo *proccache_info(struct proccache *pc, struct procinfo_reader *pr,
				      pid_t pid, uint64_t now);

/*
 * The procinfo already read for the process pid that started at start,
 * without any I/O: NULL if its record is gone, is another process's (a
 * recycled pid) or never had its info read.  For a sender that has
 * exited: what was known of it.
 */
const struct procinfo *proccache_info_known(const struct proccache *pc, pid_t pid,
					    unsigned long long start);

struct proccache_stats {
	unsigned long fresh;		/* re-used unchecked: checked after fresh_after */
	unsigned long hits;		/* record re-used after the cheap check */
	unsigned long reads;		/* read in full (new, recycled, exec'd) */
	unsigned long known;		/* proccache_get_known() answers */
};

void proccache_stats(const struct proccache *pc, struct proccache_stats *st);

#endif
