/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proccache: per-pid process details, re-checked cheaply instead of re-read. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "proccache.h"

struct pc_entry {
	unsigned long long start;	/* stat field 22, in clock ticks since boot */
	char stat_comm[RESOLVER_COMM_MAX];
	uint64_t checked;		/* caller's clock at the last read or check */
	struct resolver_proc proc;
	bool has_info;			/* info read (proccache_info()) */
	struct procinfo info;
};

struct proccache {
	struct proccache_stats st;
	struct cache *c;		/* pid_t -> struct pc_entry */
};

struct proccache *proccache_new(unsigned int size)
{
	struct proccache *pc;

	pc = calloc(1, sizeof(*pc));
	if (!pc)
		return NULL;
	pc->c = cache_new(size ? size : 1, sizeof(pid_t), sizeof(struct pc_entry));
	if (!pc->c) {
		free(pc);
		return NULL;
	}
	return pc;
}

void proccache_free(struct proccache *pc)
{
	if (!pc)
		return;
	cache_free(pc->c);
	free(pc);
}

void proccache_stats(const struct proccache *pc, struct proccache_stats *st)
{
	*st = pc->st;
}

static uint32_t pid_hash(pid_t pid)
{
	return cache_hash64((uint64_t)pid);
}

/* Does exe still point where it did?  An exec() usually changes it. */
static bool same_exe(const struct procmap *pm, pid_t pid,
		     const struct pc_entry *e)
{
	char link[RESOLVER_PATH_MAX];

	/* unreadable was cached as "" too */
	procmap_read_exe(pm, pid, link, sizeof(link));
	return strcmp(link, e->proc.exe) == 0;
}

const struct resolver_proc *proccache_peek(const struct proccache *pc, pid_t pid)
{
	const struct pc_entry *e;

	if (pid <= 0)
		return NULL;
	e = cache_peek(pc->c, pid_hash(pid), &pid);
	return e ? &e->proc : NULL;
}

int proccache_get_known(struct proccache *pc, pid_t pid, unsigned long long start,
			const char *comm, struct resolver_proc *out)
{
	struct pc_entry *e;

	if (!pc || pid <= 0 || !start || !comm) {
		errno = EINVAL;
		return -1;
	}
	e = cache_get(pc->c, pid_hash(pid), &pid);
	if (!e || e->start != start ||
	    strncmp(e->stat_comm, comm, PROCCACHE_COMM_CMP) != 0) {
		errno = ENOENT;
		return -1;
	}
	pc->st.known++;
	memcpy(out, &e->proc, sizeof(*out));
	return 0;
}

int proccache_get(struct proccache *pc, struct procmap *pm, pid_t pid,
		  uint64_t fresh_after, uint64_t now, struct resolver_proc *out)
{
	struct procmap_stat s;
	struct pc_entry *e;

	if (!pc || !pm || !out || pid <= 0) {
		errno = EINVAL;
		return -1;
	}
	e = cache_get(pc->c, pid_hash(pid), &pid);
	if (e && e->checked >= fresh_after) {
		pc->st.fresh++;
		memcpy(out, &e->proc, sizeof(*out));
		return 0;
	}
	/* before anything is read: a pid recycled meanwhile then mismatches later */
	if (procmap_read_stat(pm, pid, &s) < 0)
		return -1;
	if (e && e->start == s.start && strcmp(e->stat_comm, s.comm) == 0 &&
	    same_exe(pm, pid, e)) {
		e->proc.ppid = s.ppid;	/* re-parenting changes it; it is free here */
		e->checked = now;
		pc->st.hits++;
		memcpy(out, &e->proc, sizeof(*out));
		return 0;
	}
	if (e)
		cache_del(pc->c, e);
	if (procmap_read_proc(pm, pid, out) < 0)
		return -1;
	pc->st.reads++;
	out->start = s.start;
	e = cache_put(pc->c, pid_hash(pid), &pid, NULL);
	e->start = s.start;
	memcpy(e->stat_comm, s.comm, sizeof(s.comm));
	e->checked = now;
	e->has_info = false;
	memcpy(&e->proc, out, sizeof(*out));
	return 0;
}

const struct procinfo *proccache_info_known(const struct proccache *pc, pid_t pid,
					    unsigned long long start)
{
	const struct pc_entry *e;

	if (!pc || pid <= 0 || start == 0)
		return NULL;
	e = cache_peek(pc->c, pid_hash(pid), &pid);
	return e && e->has_info && e->start == start ? &e->info : NULL;
}

const struct procinfo *proccache_info(struct proccache *pc, struct procinfo_reader *pr,
				      pid_t pid, uint64_t now)
{
	struct pc_entry *e;

	if (!pc || !pr || pid <= 0)
		return NULL;
	e = cache_peek(pc->c, pid_hash(pid), &pid);
	if (!e)
		return NULL;
	if (!e->has_info) {
		procinfo_read(pr, pid, e->start, e->proc.uid, e->proc.gid, now, &e->info);
		e->has_info = true;
	}
	return &e->info;
}
