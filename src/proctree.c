/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proctree: a process's ancestry up to pid 1, walked through /proc/PID/stat
 * with a cache of the ancestors already named, and its one-line form.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "proctree.h"

#define PT_RETRIES	4	/* children re-read for a vanished parent, per walk */

/* A process once named, by pid in the one cache module (cache.c). */
struct pt_entry {
	pid_t pid;			/* the key, kept here too */
	pid_t ppid;			/* the parent at the last read; 0: none */
	unsigned long long start;
	unsigned long long pstart;	/* that parent's start time */
	bool linked;			/* ppid and pstart known */
	uint64_t seen;			/* caller's now at the last read */
	char comm[PROCSTAT_COMM_MAX];
};

struct proctree_cache {
	int rootfd;
	struct proctree_stats st;
	struct cache *c;		/* pid_t -> struct pt_entry */
};

/* Where the walk stands: a process and what it says its parent is. */
struct pt_cur {
	pid_t pid, ppid;
	unsigned long long start, pstart;
	bool fresh;			/* just read: ppid is its parent now */
	bool linked;			/* from the cache: ppid and pstart known */
	char comm[PROCSTAT_COMM_MAX];
};

struct pt_walk {
	int rootfd;
	struct proctree_cache *c;	/* NULL: read everything */
	uint64_t now;
	unsigned int retries;
	struct proctree_stats *st;
};

/* --- the cache --- */

struct proctree_cache *proctree_cache_new(const char *root, unsigned int size)
{
	struct proctree_cache *c;
	int saved;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->c = cache_new(size ? size : 1, sizeof(pid_t), sizeof(struct pt_entry));
	if (!c->c)
		goto err;
	c->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->rootfd < 0)
		goto err;
	return c;
err:
	saved = errno;
	cache_free(c->c);
	free(c);
	errno = saved;
	return NULL;
}

void proctree_cache_free(struct proctree_cache *c)
{
	if (!c)
		return;
	close(c->rootfd);
	cache_free(c->c);
	free(c);
}

void proctree_stats(const struct proctree_cache *c, struct proctree_stats *st)
{
	*st = c->st;
}

static uint32_t pt_hash(pid_t pid)
{
	return cache_hash64((uint64_t)pid);
}

static struct pt_entry *pt_find(struct proctree_cache *c, pid_t pid)
{
	return cache_get(c->c, pt_hash(pid), &pid);
}

/* Remember what a stat read said; a pid now held by another process is replaced. */
static void pt_store(struct pt_walk *w, const struct pt_cur *cur)
{
	struct pt_entry *e;
	bool added;

	if (!w->c)
		return;
	e = cache_put(w->c->c, pt_hash(cur->pid), &cur->pid, &added);
	if (added)
		memset(e, 0, sizeof(*e));
	if (added || e->start != cur->start || e->ppid != cur->ppid)
		e->linked = cur->ppid == 0;	/* the parent is named by the walk */
	e->pid = cur->pid;
	e->ppid = cur->ppid;
	e->start = cur->start;
	if (cur->ppid == 0)
		e->pstart = 0;
	e->seen = w->now;
	memcpy(e->comm, cur->comm, sizeof(e->comm));
}

/* cur's parent is the process par: next time, without reading it. */
static void pt_link(struct pt_walk *w, const struct pt_cur *cur,
		    const struct pt_cur *par)
{
	struct pt_entry *e;

	if (!w->c || !cur->fresh)
		return;
	e = pt_find(w->c, cur->pid);
	if (e && e->start == cur->start && e->ppid == par->pid) {
		e->pstart = par->start;
		e->linked = true;
	}
}

static void cur_from_entry(struct pt_cur *cur, const struct pt_entry *e)
{
	cur->pid = e->pid;
	cur->ppid = e->ppid;
	cur->start = e->start;
	cur->pstart = e->pstart;
	cur->fresh = false;
	cur->linked = e->linked;
	memcpy(cur->comm, e->comm, sizeof(cur->comm));
}

/* --- the walk --- */

static int pt_read(struct pt_walk *w, pid_t pid, struct pt_cur *cur)
{
	struct procstat s;

	w->st->reads++;
	if (procstat_read(w->rootfd, pid, &s) < 0)
		return -1;
	cur->pid = s.pid;
	cur->ppid = s.ppid;
	cur->start = s.start;
	cur->pstart = 0;
	cur->fresh = true;
	cur->linked = false;
	memcpy(cur->comm, s.comm, sizeof(cur->comm));
	pt_store(w, cur);
	return 0;
}

/*
 * A cached process is cur's parent if it cannot be another one: either
 * cur's link names it by start time, or cur (read just now) already
 * lived when the cached process held that pid, and a parent that held
 * it then still holds it (a later holder would be younger than cur).
 */
static bool pt_proven(const struct pt_cur *cur, const struct pt_entry *e)
{
	if (e->start > cur->start)
		return false;
	if (cur->fresh)
		return cur->start < e->seen;
	return cur->linked && e->start == cur->pstart;
}

/*
 * Name cur's parent into par: 0; 1 if cur was re-read instead (its parent
 * had gone: it has a new one now); -1 if the ancestry is lost here.
 */
static int pt_parent(struct pt_walk *w, struct pt_cur *cur, struct pt_cur *par)
{
	struct pt_entry *e = w->c ? pt_find(w->c, cur->ppid) : NULL;
	struct pt_cur again;

	if (e && pt_proven(cur, e)) {
		cur_from_entry(par, e);
		w->st->cached++;
		pt_link(w, cur, par);
		return 0;
	}
	/* a parent never starts after its child: a younger one reuses the pid */
	if (pt_read(w, cur->ppid, par) == 0 && par->start <= cur->start &&
	    (cur->fresh || !cur->linked || par->start == cur->pstart)) {
		pt_link(w, cur, par);
		return 0;
	}
	if (w->retries == 0)
		return -1;
	w->retries--;
	w->st->reparented++;
	if (pt_read(w, cur->pid, &again) < 0 || again.start != cur->start)
		return -1;		/* cur is gone as well */
	if (cur->fresh && again.ppid == cur->ppid)
		return -1;		/* same parent, still unreadable */
	*cur = again;
	return 1;
}

static void pt_append(struct proctree *t, const struct pt_cur *cur)
{
	struct proctree_node *n = &t->node[t->n++];

	n->pid = cur->pid;
	n->start = cur->start;
	memcpy(n->comm, cur->comm, sizeof(n->comm));
}

static bool pt_in_chain(const struct proctree *t, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->node[i].pid == pid)
			return true;
	return false;
}

static void pt_walk(struct pt_walk *w, struct pt_cur *cur, struct proctree *t)
{
	struct pt_cur par;
	int r;

	pt_append(t, cur);
	while (cur->ppid != 0) {
		if (t->n == PROCTREE_DEPTH) {
			t->truncated = true;
			return;
		}
		r = pt_parent(w, cur, &par);
		if (r > 0) {	/* cur re-read: it may have renamed itself too */
			memcpy(t->node[t->n - 1].comm, cur->comm, sizeof(cur->comm));
			continue;
		}
		if (r < 0 || pt_in_chain(t, par.pid)) {
			t->broken = true;
			return;
		}
		pt_append(t, &par);
		*cur = par;
	}
}

static void pt_clear(struct proctree *t)
{
	t->n = 0;
	t->truncated = false;
	t->broken = false;
}

int proctree_walk(int rootfd, pid_t pid, struct proctree *t)
{
	struct proctree_stats st = { 0 };
	struct pt_walk w = { .rootfd = rootfd, .retries = PT_RETRIES, .st = &st };
	struct pt_cur cur;

	if (!t || pid <= 0) {
		errno = EINVAL;
		return -1;
	}
	pt_clear(t);
	if (pt_read(&w, pid, &cur) < 0)
		return -1;
	pt_walk(&w, &cur, t);
	return 0;
}

int proctree_get(struct proctree_cache *c, pid_t pid, unsigned long long start,
		 uint64_t now, struct proctree *t)
{
	struct pt_walk w = { .retries = PT_RETRIES };
	struct pt_entry *e;
	struct pt_cur cur;

	if (!c || !t || pid <= 0) {
		errno = EINVAL;
		return -1;
	}
	w.rootfd = c->rootfd;
	w.c = c;
	w.now = now;
	w.st = &c->st;
	c->st.calls++;
	pt_clear(t);
	e = start ? pt_find(c, pid) : NULL;
	if (e && e->start == start && e->linked) {
		cur_from_entry(&cur, e);
		c->st.cached++;
	} else {
		if (pt_read(&w, pid, &cur) < 0)
			return -1;
		if (start && cur.start != start) {
			errno = ESRCH;	/* pid reused: the process asked for is gone */
			return -1;
		}
	}
	pt_walk(&w, &cur, t);
	return 0;
}

uint64_t proctree_now(void)
{
	static long hz;
	struct timespec ts;

	if (!hz) {
		hz = sysconf(_SC_CLK_TCK);
		if (hz <= 0)
			hz = 100;
	}
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * (uint64_t)hz +
	       (uint64_t)ts.tv_nsec / (1000000000ull / (uint64_t)hz);
}

/* --- text --- */

void proctree_append(struct strbuf *b, const struct proctree *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		const struct proctree_node *n = &t->node[i];

		if (i)
			sb_str(b, " < ");
		sb_escaped(b, n->comm, strnlen(n->comm, sizeof(n->comm)), "\\\"<");
		sb_char(b, '(');
		sb_long(b, n->pid);
		sb_char(b, ')');
	}
	if (t->truncated)
		sb_str(b, " < ...");
	else if (t->broken)
		sb_str(b, " < ?");
}

int proctree_format(const struct proctree *t, char *buf, size_t len)
{
	struct strbuf b;

	sb_init(&b, buf, len);
	proctree_append(&b, t);
	return sb_finish(&b);
}
