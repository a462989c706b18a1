/* proccache: per-pid process details, re-checked cheaply instead of re-read. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proccache.h"

#define PC_WAYS		4

struct pc_entry {
	pid_t pid;			/* 0: free */
	unsigned long long start;	/* stat field 22, in clock ticks since boot */
	char stat_comm[RESOLVER_COMM_MAX];
	uint64_t checked;		/* caller's clock at the last read or check */
	uint32_t used;
	struct resolver_proc proc;
};

struct proccache {
	int rootfd;
	unsigned int nsets;
	uint32_t tick;
	struct proccache_stats st;
	struct pc_entry *e;		/* nsets * PC_WAYS */
};

/* What /proc/PID/stat tells: enough to know it is still the same program. */
struct pc_stat {
	unsigned long long start;
	pid_t ppid;
	char comm[RESOLVER_COMM_MAX];
};

struct proccache *proccache_new(const char *root, unsigned int size)
{
	struct proccache *pc;
	int saved;

	pc = calloc(1, sizeof(*pc));
	if (!pc)
		return NULL;
	pc->nsets = size / PC_WAYS ? size / PC_WAYS : 1;
	pc->e = calloc((size_t)pc->nsets * PC_WAYS, sizeof(*pc->e));
	if (!pc->e)
		goto err;
	pc->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pc->rootfd < 0)
		goto err;
	return pc;
err:
	saved = errno;
	free(pc->e);
	free(pc);
	errno = saved;
	return NULL;
}

void proccache_free(struct proccache *pc)
{
	if (!pc)
		return;
	close(pc->rootfd);
	free(pc->e);
	free(pc);
}

void proccache_stats(const struct proccache *pc, struct proccache_stats *st)
{
	*st = pc->st;
}

static struct pc_entry *pc_set(const struct proccache *pc, pid_t pid)
{
	uint32_t h = (uint32_t)pid * 0x9e3779b1u;

	return &pc->e[(h >> 8) % pc->nsets * PC_WAYS];
}

/*
 * "PID (COMM) S PPID ... START ...": comm may hold spaces and parentheses,
 * so the fields are counted from the last ')'.
 */
static int read_stat(const struct proccache *pc, pid_t pid, struct pc_stat *s)
{
	char path[32], buf[1024], *open_p, *close_p, *f;
	unsigned int field;
	ssize_t n;
	size_t clen;
	int fd;

	snprintf(path, sizeof(path), "%d/stat", (int)pid);
	fd = openat(pc->rootfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		errno = n == 0 ? ESRCH : errno;
		return -1;
	}
	buf[n] = '\0';
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

/* Does exe still point where it did?  An exec() usually changes it. */
static bool same_exe(const struct proccache *pc, const struct pc_entry *e)
{
	char path[32], link[RESOLVER_PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%d/exe", (int)e->pid);
	n = readlinkat(pc->rootfd, path, link, sizeof(link) - 1);
	if (n < 0)
		n = 0;		/* unreadable was cached as "" too */
	link[n] = '\0';
	return strcmp(link, e->proc.exe) == 0;
}

const struct resolver_proc *proccache_peek(const struct proccache *pc, pid_t pid)
{
	const struct pc_entry *set = pc_set(pc, pid);
	unsigned int i;

	for (i = 0; i < PC_WAYS; i++)
		if (set[i].pid == pid && pid > 0)
			return &set[i].proc;
	return NULL;
}

int proccache_get(struct proccache *pc, struct procmap *pm, pid_t pid,
		  uint64_t fresh_after, uint64_t now, struct resolver_proc *out)
{
	struct pc_entry *set, *victim = NULL, *e = NULL;
	struct pc_stat s;
	unsigned int i;

	if (!pc || !pm || !out || pid <= 0) {
		errno = EINVAL;
		return -1;
	}
	set = pc_set(pc, pid);
	for (i = 0; i < PC_WAYS; i++) {
		if (set[i].pid == pid) {
			e = &set[i];
			break;
		}
		if (!victim || (victim->pid && (!set[i].pid || set[i].used < victim->used)))
			victim = &set[i];
	}
	if (e && e->checked >= fresh_after) {
		e->used = ++pc->tick;
		pc->st.fresh++;
		memcpy(out, &e->proc, sizeof(*out));
		return 0;
	}
	/* before anything is read: a pid recycled meanwhile then mismatches later */
	if (read_stat(pc, pid, &s) < 0)
		return -1;
	if (e && e->start == s.start && strcmp(e->stat_comm, s.comm) == 0 &&
	    same_exe(pc, e)) {
		e->proc.ppid = s.ppid;	/* re-parenting changes it; it is free here */
		e->checked = now;
		e->used = ++pc->tick;
		pc->st.hits++;
		memcpy(out, &e->proc, sizeof(*out));
		return 0;
	}
	if (!e)
		e = victim;
	e->pid = 0;
	if (procmap_read_proc(pm, pid, out) < 0)
		return -1;
	pc->st.reads++;
	e->pid = pid;
	e->start = s.start;
	memcpy(e->stat_comm, s.comm, sizeof(s.comm));
	e->checked = now;
	e->used = ++pc->tick;
	memcpy(&e->proc, out, sizeof(*out));
	return 0;
}
