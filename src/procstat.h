/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procstat: the fields of /proc/PID/stat that name a process and its parent. */
#ifndef PTRAP_PROCSTAT_H
#define PTRAP_PROCSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Kernel threads of workqueues show up to 63 bytes ("kworker/u8:0-events_unbound"). */
#define PROCSTAT_COMM_MAX	64

struct procstat {
	pid_t pid;			/* field 1 */
	pid_t ppid;			/* field 4; 0 for pid 1 and kthreadd */
	char state;			/* field 3: R, S, Z, ... */
	unsigned int flags;		/* field 9: PF_* */
	unsigned long long start;	/* field 22: clock ticks after boot */
	char comm[PROCSTAT_COMM_MAX];	/* field 2, without the parentheses */
};

/*
 * Parse one stat line, buf[0..len).  comm is whatever the process named
 * itself (spaces, ')' and newlines included), so it ends at the LAST ')';
 * a longer comm is cut to PROCSTAT_COMM_MAX - 1 bytes.  0, or -1 with
 * errno EPROTO on a malformed line.
 */
int procstat_parse(const char *buf, size_t len, struct procstat *st);

/* Read and parse <dirfd>/PID/stat.  0, or -1 with errno (ESRCH once gone). */
int procstat_read(int dirfd, pid_t pid, struct procstat *st);

/* PF_KTHREAD: a kernel thread (no user space, no exe). */
bool procstat_kthread(const struct procstat *st);

#endif
