/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procmap_proc: one process's details from <root>/<pid>: ppid, uid, gid
 * (status), comm, exe and cmdline, a thread reported as its process; and
 * the cheap identity checks (stat, exe) that tell a cached record is
 * still the same program.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfile.h"
#include "procmap.h"
#include "procmap_int.h"

/* dirfd/name as a C string: up to size-1 bytes, NUL-terminated (procfile). */
static int read_at(int dirfd, const char *name, char *buf, size_t size, size_t *len)
{
	if (procfile_read(dirfd, name, buf, size - 1, len, 0) < 0)
		return -1;
	buf[*len] = '\0';
	return 0;
}

/* The first number after "Key:" in a status file, e.g. the real uid. */
static int status_field(const char *status, const char *key, unsigned long *val)
{
	size_t klen = strlen(key);
	const char *line = status;

	while (line && *line) {
		if (strncmp(line, key, klen) == 0) {
			const char *s = line + klen;
			char *end;

			while (*s == ' ' || *s == '\t')
				s++;
			if (*s < '0' || *s > '9')
				break;
			errno = 0;
			*val = strtoul(s, &end, 10);
			if (errno || (*end != '\t' && *end != ' ' &&
				      *end != '\n' && *end))
				break;
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	errno = EPROTO;
	return -1;
}

struct pm_status {
	unsigned long tgid, ppid, uid, gid;
};

static int read_status(int dirfd, struct pm_status *s)
{
	char buf[4096];
	size_t len;

	if (read_at(dirfd, "status", buf, sizeof(buf), &len) < 0)
		return -1;
	if (status_field(buf, "Tgid:", &s->tgid) < 0 ||
	    status_field(buf, "PPid:", &s->ppid) < 0 ||
	    status_field(buf, "Uid:", &s->uid) < 0 ||
	    status_field(buf, "Gid:", &s->gid) < 0)
		return -1;
	return 0;
}

/* Open <root>/<pid>; later reads through it fail with ESRCH once it exits. */
static int open_pid(struct procmap *pm, pid_t pid)
{
	char name[16];
	int fd;

	snprintf(name, sizeof(name), "%d", (int)pid);
	fd = openat(procmap_root_fd(pm), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		errno = ESRCH;
	return fd;
}

int procmap_read_proc(struct procmap *pm, pid_t pid, struct resolver_proc *out)
{
	struct pm_status s;
	size_t len;
	ssize_t n;
	int dirfd, saved;

	if (!pm || !out || pid <= 0) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	dirfd = open_pid(pm, pid);
	if (dirfd < 0)
		return -1;
	if (read_status(dirfd, &s) < 0)
		goto fail;
	/* a thread: report its process, named after the leader */
	if (s.tgid != (unsigned long)pid && s.tgid > 0 && s.tgid <= INT_MAX) {
		close(dirfd);
		pid = (pid_t)s.tgid;
		dirfd = open_pid(pm, pid);
		if (dirfd < 0)
			return -1;
		if (read_status(dirfd, &s) < 0)
			goto fail;
	}
	out->pid = pid;
	out->ppid = (pid_t)s.ppid;
	out->uid = (uid_t)s.uid;
	out->gid = (gid_t)s.gid;

	if (read_at(dirfd, "comm", out->comm, sizeof(out->comm), &len) < 0)
		goto fail;
	if (len > 0 && out->comm[len - 1] == '\n')
		out->comm[len - 1] = '\0';

	/* kernel threads have no exe; others may hide it (EACCES): "" */
	n = readlinkat(dirfd, "exe", out->exe, sizeof(out->exe) - 1);
	if (n < 0) {
		if (errno == ESRCH)
			goto fail;
		n = 0;
	}
	out->exe[n] = '\0';

	/* one byte kept for a terminator so the buffer is a safe C string too */
	if (read_at(dirfd, "cmdline", out->cmdline, sizeof(out->cmdline),
		    &len) < 0) {
		if (errno == ESRCH)
			goto fail;
		len = 0;
	}
	out->cmdline_len = len;
	close(dirfd);
	return 0;

fail:
	saved = errno == ENOENT ? ESRCH : errno;
	close(dirfd);
	errno = saved;
	return -1;
}

/*
 * "PID (COMM) S PPID ... START ...": comm may hold spaces and parentheses,
 * so the fields are counted from the last ')'.
 */
static int parse_stat(char *buf, struct procmap_stat *s)
{
	char *open_p, *close_p, *f;
	unsigned int field;
	size_t clen;

	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (!open_p || !close_p || close_p < open_p)
		goto bad;
	clen = (size_t)(close_p - open_p - 1);
	if (clen >= sizeof(s->comm))
		clen = sizeof(s->comm) - 1;
	memcpy(s->comm, open_p + 1, clen);
	s->comm[clen] = '\0';
	/* field 3 (state) starts two bytes after ')' */
	f = close_p + 2;
	for (field = 3; field < 22 && f; field++) {
		if (field == 4)
			s->ppid = (pid_t)strtol(f, NULL, 10);
		f = strchr(f, ' ');
		if (f)
			f++;
	}
	if (!f || *f < '0' || *f > '9')
		goto bad;
	s->start = strtoull(f, NULL, 10);
	return 0;
bad:
	errno = EPROTO;
	return -1;
}

int procmap_read_stat(const struct procmap *pm, pid_t pid, struct procmap_stat *out)
{
	char path[32], buf[1024];
	size_t len;

	if (!pm || !out || pid <= 0) {
		errno = EINVAL;
		return -1;
	}
	snprintf(path, sizeof(path), "%d/stat", (int)pid);
	if (read_at(procmap_root_fd(pm), path, buf, sizeof(buf), &len) < 0) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	if (len == 0) {
		errno = ESRCH;
		return -1;
	}
	return parse_stat(buf, out);
}

void procmap_read_exe(const struct procmap *pm, pid_t pid, char *buf, size_t len)
{
	char path[32];
	ssize_t n;

	snprintf(path, sizeof(path), "%d/exe", (int)pid);
	n = readlinkat(procmap_root_fd(pm), path, buf, len - 1);
	buf[n < 0 ? 0 : n] = '\0';
}
