/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procmap: socket inode -> pids holding it, from /proc, with a cache of
 * where each socket was last seen; procmap_proc.c reads process details.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "procmap.h"
#include "procmap_int.h"

/*
 * The cache maps a socket inode to (pid, fd) places where it was seen.
 * All places of one inode share a hash, so a lookup walks them together;
 * when full, the least recently used place is forgotten.
 */
#define PM_PLACES	4096
#define PM_MAX_FOUND	64		/* holders collected by one lookup */
#define PM_RECENT	8		/* last pids that answered a lookup */
#define PM_MAX_DESC	64		/* descendants read after pass 0 */

/* One place per (inode, pid) is enough to name the pid. */
struct pm_key {
	uint64_t inode;
	int32_t pid;
	uint32_t zero;			/* keys are compared as bytes */
};

struct pm_place {
	int fd;
	uint64_t seen;			/* caller's clock when last seen valid */
};

struct procmap {
	int rootfd;
	pid_t recent[PM_RECENT];	/* ring; 0: empty */
	unsigned int recent_next;
	struct procmap_stats st;
	pid_t *defer;			/* pass-2 pids of a scan, reused */
	size_t defer_cap;
	struct cache *places;		/* struct pm_key -> struct pm_place */
};

/* What one scan is looking for and has found. */
struct pm_scan {
	uint64_t inode;
	uint64_t now;			/* caller's clock: stamps the places seen */
	pid_t found[PM_MAX_FOUND];
	unsigned int n;
};

struct procmap *procmap_new(const char *root)
{
	struct procmap *pm;
	int saved;

	if (!root || !*root) {
		errno = EINVAL;
		return NULL;
	}
	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return NULL;
	pm->rootfd = -1;
	pm->places = cache_new(PM_PLACES, sizeof(struct pm_key),
			       sizeof(struct pm_place));
	if (!pm->places)
		goto err;
	pm->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pm->rootfd < 0)
		goto err;
	return pm;
err:
	saved = errno;
	procmap_free(pm);
	errno = saved;
	return NULL;
}

void procmap_free(struct procmap *pm)
{
	if (!pm)
		return;
	if (pm->rootfd >= 0)
		close(pm->rootfd);
	cache_free(pm->places);
	free(pm->defer);
	free(pm);
}

void procmap_stats(const struct procmap *pm, struct procmap_stats *st)
{
	*st = pm->st;
}

static uint32_t inode_hash(uint64_t inode)
{
	return cache_hash64(inode);	/* inodes are often sequential */
}

static void place_add(struct procmap *pm, uint64_t inode, pid_t pid, int fd,
		      uint64_t seen)
{
	struct pm_key k = { .inode = inode, .pid = pid };
	struct pm_place *p = cache_put(pm->places, inode_hash(inode), &k, NULL);

	p->fd = fd;
	p->seen = seen;
}

/* Parse "socket:[N]" as the kernel writes it; 0 for anything else. */
static uint64_t parse_socket_link(const char *s)
{
	uint64_t v = 0;

	if (strncmp(s, "socket:[", 8) != 0)
		return 0;
	s += 8;
	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return s[0] == ']' && s[1] == '\0' ? v : 0;
}

/* Decimal without sign or leading zero, 0..INT_MAX (a /proc name); else -1. */
static int parse_num(const char *s)
{
	long long v = 0;

	if (s[0] == '0')
		return s[1] == '\0' ? 0 : -1;
	if (*s < '1' || *s > '9')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > INT_MAX)
			return -1;
	}
	return (int)v;
}

bool procmap_holds(const struct procmap *pm, pid_t pid, int fd, uint64_t inode)
{
	char path[64], link[64];
	ssize_t n;

	if (pid <= 0 || fd < 0)
		return false;
	snprintf(path, sizeof(path), "%d/fd/%d", (int)pid, fd);
	n = readlinkat(pm->rootfd, path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return parse_socket_link(link) == inode;
}

static void found_add(struct pm_scan *sc, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < sc->n; i++)
		if (sc->found[i] == pid)
			return;
	if (sc->n < PM_MAX_FOUND)
		sc->found[sc->n++] = pid;
}

/* <root>/<pid>/<sub> as a directory stream; NULL if gone or unreadable. */
static DIR *pid_subdir(struct procmap *pm, pid_t pid, const char *sub)
{
	char path[32];
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "%d/%s", (int)pid, sub);
	fd = openat(pm->rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

/*
 * Read every fd of pid, caching each socket seen so that the next new
 * flow of an already-running process is a hit.  A process that exits
 * meanwhile, or whose fds we may not read, is simply skipped.
 */
static void scan_pid(struct procmap *pm, pid_t pid, struct pm_scan *sc)
{
	char link[64];
	struct dirent *de;
	DIR *d;

	d = pid_subdir(pm, pid, "fd");
	if (!d)
		return;
	pm->st.procs_scanned++;
	while ((de = readdir(d))) {
		uint64_t ino;
		ssize_t n;
		int num = parse_num(de->d_name);

		if (num < 0)
			continue;
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		pm->st.fds_read++;
		ino = parse_socket_link(link);
		if (!ino)
			continue;
		place_add(pm, ino, pid, num, sc->now);
		if (ino == sc->inode)
			found_add(sc, pid);
	}
	closedir(d);
}

static bool is_recent(const struct procmap *pm, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < PM_RECENT; i++)
		if (pm->recent[i] == pid)
			return true;
	return false;
}

static void remember_recent(struct procmap *pm, pid_t pid)
{
	if (is_recent(pm, pid))
		return;
	pm->recent[pm->recent_next] = pid;
	pm->recent_next = (pm->recent_next + 1) % PM_RECENT;
}

static void defer_pid(struct procmap *pm, size_t *n, pid_t pid, struct pm_scan *sc)
{
	if (*n == pm->defer_cap) {
		size_t cap = pm->defer_cap ? pm->defer_cap * 2 : 256;
		pid_t *p = realloc(pm->defer, cap * sizeof(*p));

		if (!p) {
			/* order is only an optimisation: scan it now */
			scan_pid(pm, pid, sc);
			return;
		}
		pm->defer = p;
		pm->defer_cap = cap;
	}
	pm->defer[(*n)++] = pid;
}

/* Append the children of every thread of pid to q (at most PM_MAX_DESC). */
static void read_children(struct procmap *pm, pid_t pid, pid_t *q, unsigned int *n)
{
	char path[32], buf[1024];
	struct dirent *de;
	DIR *d;

	d = pid_subdir(pm, pid, "task");
	if (!d)
		return;
	while ((de = readdir(d)) && *n < PM_MAX_DESC) {
		const char *s;
		ssize_t len;
		int tid = parse_num(de->d_name), cfd;

		if (tid <= 0)
			continue;
		snprintf(path, sizeof(path), "%d/children", tid);
		cfd = openat(dirfd(d), path, O_RDONLY | O_CLOEXEC);
		if (cfd < 0)
			continue;
		len = read(cfd, buf, sizeof(buf) - 1);
		close(cfd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* "12 34 ": a number counts only with its separator (not cut off) */
		for (s = buf; *s && *n < PM_MAX_DESC;) {
			long long v = 0;

			while (*s == ' ' || *s == '\n')
				s++;
			if (*s < '0' || *s > '9')
				break;
			while (*s >= '0' && *s <= '9' && v <= INT_MAX)
				v = v * 10 + (*s++ - '0');
			if ((*s != ' ' && *s != '\n') || v <= 0 || v > INT_MAX)
				break;
			q[(*n)++] = (pid_t)v;
		}
	}
	closedir(d);
}

/*
 * Processes that share a socket nearly always got it by fork, so after a
 * holder is found in pass 0, its descendants are read too.
 */
static void scan_descendants(struct procmap *pm, struct pm_scan *sc)
{
	pid_t q[PM_MAX_DESC];
	unsigned int head = 0, n = 0, i;

	for (i = 0; i < sc->n && n < PM_MAX_DESC; i++)
		q[n++] = sc->found[i];
	while (head < n) {
		unsigned int from = n;

		read_children(pm, q[head++], q, &n);
		for (i = from; i < n; i++)
			scan_pid(pm, q[i], sc);
	}
}

/*
 * A new socket usually belongs to a process that sent before, so pass 0
 * reads only the fds of the last few pids that answered (and of their
 * descendants, if one holds the socket).  Pass 1 reads the
 * processes owned by uid (the /proc/<pid> directory is owned by the euid),
 * where the sender nearly always is; only if none of them holds the socket
 * does pass 2 read the others.  Each pass that finds a holder ends the
 * scan: a process of another pass sharing the socket is then not listed,
 * the price of not reading every fd in the system for each new flow.
 */
static int scan(struct procmap *pm, long long uid, struct pm_scan *sc)
{
	struct dirent *de;
	size_t ndefer = 0, i;
	DIR *d;
	int fd;

	pm->st.scans++;
	for (i = 0; i < PM_RECENT; i++)
		if (pm->recent[i] > 0)
			scan_pid(pm, pm->recent[i], sc);
	if (sc->n > 0) {
		scan_descendants(pm, sc);
		return 0;
	}

	fd = openat(pm->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;	/* a successful close() leaves errno alone */
	}
	while ((de = readdir(d))) {
		int pid = parse_num(de->d_name);
		struct stat st;

		if (pid <= 0 || is_recent(pm, pid))
			continue;
		if (uid < 0) {
			scan_pid(pm, pid, sc);
			continue;
		}
		if (fstatat(fd, de->d_name, &st, 0) < 0)
			continue;
		if ((long long)st.st_uid == uid)
			scan_pid(pm, pid, sc);
		else
			defer_pid(pm, &ndefer, pid, sc);
	}
	closedir(d);
	if (sc->n > 0)
		return 0;
	for (i = 0; i < ndefer; i++)
		scan_pid(pm, pm->defer[i], sc);
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int procmap_find_inode(struct procmap *pm, uint64_t inode, long long uid,
		       pid_t *pids, unsigned int max)
{
	return procmap_find_inode_at(pm, inode, uid, UINT64_MAX, 0, pids, max);
}

int procmap_find_inode_at(struct procmap *pm, uint64_t inode, long long uid,
			  uint64_t fresh_after, uint64_t now,
			  pid_t *pids, unsigned int max)
{
	unsigned int fresh = 0, i;
	struct pm_place *p, *next;
	uint32_t h = inode_hash(inode);
	struct pm_scan sc;

	if (!pm || !pids || max == 0) {
		errno = EINVAL;
		return -1;
	}
	if (inode == 0)
		return 0;
	sc.inode = inode;
	sc.n = 0;
	sc.now = now;

	/*
	 * A recycled pid or fd must never answer: re-read every cached place,
	 * unless it was seen after the packet was queued (fresh_after).
	 */
	for (p = cache_first(pm->places, h); p; p = next) {
		const struct pm_key *k = cache_key(pm->places, p);

		next = cache_next(pm->places, p);
		if (k->inode != inode)
			continue;
		if (p->seen >= fresh_after) {
			fresh++;
		} else if (procmap_holds(pm, k->pid, p->fd, inode)) {
			p->seen = now;
		} else {
			cache_del(pm->places, p);
			pm->st.stale++;
			continue;
		}
		cache_touch(pm->places, p);
		found_add(&sc, k->pid);
	}
	if (sc.n > 0 && fresh == sc.n) {
		pm->st.fresh++;
	} else if (sc.n > 0) {
		pm->st.hits++;
	} else {
		pm->st.misses++;
		if (scan(pm, uid, &sc) < 0)
			return -1;
	}

	qsort(sc.found, sc.n, sizeof(sc.found[0]), cmp_pid);
	for (i = 0; i < sc.n; i++)
		remember_recent(pm, sc.found[i]);
	if (sc.n > max)
		sc.n = max;
	memcpy(pids, sc.found, sc.n * sizeof(pids[0]));
	return (int)sc.n;
}

int procmap_holder_fd(const struct procmap *pm, uint64_t inode, pid_t pid)
{
	struct pm_key k = { .inode = inode, .pid = pid };
	const struct pm_place *p = cache_peek(pm->places, inode_hash(inode), &k);

	return p ? p->fd : -1;
}

/* For procmap_proc.c: the open root directory, "/proc" or a fake tree. */
int procmap_root_fd(const struct procmap *pm)
{
	return pm->rootfd;
}
