/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procstat: the fields of /proc/PID/stat that name a process and its parent. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "procfile.h"
#include "procstat.h"

#define PF_KTHREAD_FLAG	0x00200000u	/* include/linux/sched.h */

/* A decimal field ending at a space or the end; *p moves past the space. */
static int stat_num(const char **p, const char *end, unsigned long long *v)
{
	const char *s = *p;
	unsigned long long n = 0;

	if (s >= end || *s < '0' || *s > '9')
		return -1;
	while (s < end && *s >= '0' && *s <= '9') {
		if (n > (ULLONG_MAX - 9) / 10)
			return -1;
		n = n * 10 + (unsigned long long)(*s - '0');
		s++;
	}
	if (s < end && *s != ' ' && *s != '\n')
		return -1;
	*p = s < end ? s + 1 : s;
	*v = n;
	return 0;
}

/* Step over one field, whatever it holds (some may be negative). */
static int stat_skip(const char **p, const char *end)
{
	const char *sp = memchr(*p, ' ', (size_t)(end - *p));

	if (!sp)
		return -1;
	*p = sp + 1;
	return 0;
}

int procstat_parse(const char *buf, size_t len, struct procstat *st)
{
	const char *end = buf + len, *open_p, *close_p, *p = buf;
	unsigned long long v;
	unsigned int field;
	size_t clen;

	memset(st, 0, sizeof(*st));
	if (stat_num(&p, end, &v) < 0 || v == 0 || v > INT_MAX)
		goto bad;
	st->pid = (pid_t)v;
	open_p = p;
	if (open_p >= end || *open_p != '(')
		goto bad;
	close_p = memrchr(open_p + 1, ')', (size_t)(end - open_p - 1));
	if (!close_p || end - close_p < 4 || close_p[1] != ' ')
		goto bad;
	clen = (size_t)(close_p - open_p - 1);
	if (clen >= sizeof(st->comm))
		clen = sizeof(st->comm) - 1;
	memcpy(st->comm, open_p + 1, clen);
	st->comm[clen] = '\0';

	p = close_p + 2;
	st->state = *p;
	p++;
	if (p >= end || *p++ != ' ')
		goto bad;
	if (stat_num(&p, end, &v) < 0 || v > INT_MAX)	/* 4: ppid */
		goto bad;
	st->ppid = (pid_t)v;
	for (field = 5; field < 9; field++)	/* pgrp, session, tty, tpgid (may be -1) */
		if (stat_skip(&p, end) < 0)
			goto bad;
	if (stat_num(&p, end, &v) < 0)	/* 9: flags */
		goto bad;
	st->flags = (unsigned int)v;
	for (field = 10; field < 22; field++)
		if (stat_skip(&p, end) < 0)
			goto bad;
	if (stat_num(&p, end, &st->start) < 0)	/* 22: starttime */
		goto bad;
	return 0;
bad:
	errno = EPROTO;
	return -1;
}

int procstat_read(int dirfd, pid_t pid, struct procstat *st)
{
	char path[32], buf[1024];
	size_t len;

	if (pid <= 0) {
		errno = EINVAL;
		return -1;
	}
	snprintf(path, sizeof(path), "%d/stat", (int)pid);
	if (procfile_read(dirfd, path, buf, sizeof(buf), &len, PROCFILE_ONE_LINE) < 0) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	if (len == 0) {		/* the process exited between open and read */
		errno = ESRCH;
		return -1;
	}
	return procstat_parse(buf, len, st);
}

bool procstat_kthread(const struct procstat *st)
{
	return (st->flags & PF_KTHREAD_FLAG) != 0;
}
