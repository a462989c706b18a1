/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procinfo: what naming a new process costs (issue 16): parent chain,
 * cgroup (unit, container) and user name, once per new process and from
 * the caches for every later packet of it.
 *
 *   procinfo N      start N idle children (sleep) one after another, measure each
 *
 * Prints one JSON line, microseconds: "new" is the chain through the
 * cache (this program, the children's parent, is known: the child and its
 * parent are read), the cgroup file and the cached user name, as ptrap
 * would pay for a shell's next child; "cold" is the same with nothing
 * cached (the whole chain read, the user asked of NSS); "cached" is
 * proctree_get() with the (pid, start time) the caller keeps plus a user
 * name from the cache: the cost for every later packet.  "floor" is the
 * I/O of "new" alone, measured the same way on a second new child: its
 * stat, its parent's stat and its cgroup file, read and nothing else
 * (the first reads after a context switch cost two or three times what a
 * repeated read does on this VM, so "new" is compared with this, not with
 * the parts).  The parts, read again at once: one stat read, the cgroup
 * read, one NSS lookup.
 *
 * Then ptrap's own path, as the resolver takes it (issue 16 wired in):
 * "reader_new" is procinfo_read() of a third new child, nothing read of
 * it yet, through a warm reader (its parent known): what proccache_info()
 * pays the first time a process is reported (compare with "floor");
 * "info_cached" is proccache_info() of a record already read, what every
 * later packet of a known process pays for the fields; "text_extra" is
 * what the fields add to formatting one text report (out_format_event_text
 * with the info minus without), paid per report, not per packet.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;
#include "cgroupinfo.h"
#include "monotime.h"
#include "output.h"
#include "proccache.h"
#include "procinfo.h"
#include "procmap.h"
#include "proctree.h"
#include "usernames.h"

#define CACHED_REPEAT	100
#define WARMUP		10

enum { NEW, FLOOR, COLD, CACHED, STAT, CGROUP, NSS, CHAIN_NEW, READER_NEW,
       INFO_CACHED, TEXT_EXTRA, N_FIG };

static const char *const fig_name[N_FIG] = {
	"new", "floor", "cold", "cached", "stat_read", "cgroup_read", "nss_lookup",
	"chain_new", "reader_new", "info_cached", "text_extra",
};

static pid_t spawn_sleep(void)
{
	/* vfork-style: no copy-on-write faults of ours in the figures */
	char *child_argv[] = { "sleep", "1000", NULL };
	pid_t pid;

	errno = posix_spawnp(&pid, "sleep", NULL, NULL, child_argv, environ);
	return errno ? -1 : pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The files "new" reads, read and thrown away. */
static void raw_reads(int rootfd, pid_t pid)
{
	char path[32], buf[4096];
	struct procstat ps;
	int fd;

	procstat_read(rootfd, pid, &ps);
	procstat_read(rootfd, getpid(), &ps);
	snprintf(path, sizeof(path), "%d/cgroup", (int)pid);
	fd = openat(rootfd, path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf)) < 0)
			buf[0] = '\0';
		close(fd);
	}
}

/* One report's formatting: the mean of CACHED_REPEAT, in us. */
static double text_us(const struct out_event *ev, char *buf, size_t len)
{
	uint64_t t0 = monotime_ns();
	long k;

	for (k = 0; k < CACHED_REPEAT; k++)
		out_format_event_text(ev, buf, len);
	return (double)(monotime_ns() - t0) / 1000.0 / CACHED_REPEAT;
}

static double us_since(uint64_t t0)
{
	return (double)(monotime_ns() - t0) / 1000.0;
}

int main(int argc, char **argv)
{
	struct proctree_cache *pc;
	struct proctree_stats st0, st1;
	struct usernames *un, *un_cold;
	struct cgroupinfo ci;
	struct procstat ps;
	struct proctree t;
	char name[USERNAMES_NAME_MAX];
	double *fig[N_FIG];
	long n, i, k, done = 0;
	unsigned int depth = 0;
	static struct resolver_result who;
	static char obuf[65536];
	struct out_event ev = { .seq = 1, .who = &who };
	struct procinfo_reader *pr;
	const struct procinfo *ip;
	struct procinfo info;
	struct proccache *cache;
	struct pkt_info pkt;
	struct addr_prefix a;
	struct procmap *pm;
	uint64_t t0;
	int rootfd, f;

	n = argc == 2 ? bench_num(argv[1], "N") : -1;
	if (n <= WARMUP) {
		fprintf(stderr, "usage: procinfo N (N > %d)\n", WARMUP);
		return 2;
	}
	rootfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pc = proctree_cache_new("/proc", 4096);
	un = usernames_new(NULL, 256, USERNAMES_TTL_DEFAULT);
	un_cold = usernames_new(NULL, 256, 0);	/* ttl 0: every call asks NSS */
	for (f = 0; f < N_FIG; f++)
		fig[f] = calloc((size_t)n, sizeof(double));
	pr = procinfo_reader_new("/proc");
	pm = procmap_new("/proc");
	cache = proccache_new(512);
	memset(&pkt, 0, sizeof(pkt));
	pkt.proto = IPPROTO_UDP;
	pkt.has_ports = true;
	pkt.sport = 40000;
	pkt.dport = 53;
	addr_parse_prefix("192.0.2.10", &a);
	pkt.src = a.ip;
	addr_parse_prefix("192.0.2.53", &a);
	pkt.dst = a.ip;
	ev.pkt = &pkt;
	clock_gettime(CLOCK_REALTIME, &ev.ts);
	if (rootfd < 0 || !pc || !un || !un_cold || !fig[N_FIG - 1] || !pr || !pm ||
	    !cache) {
		perror("procinfo");
		return 1;
	}
	proctree_stats(pc, &st0);
	for (i = 0; i < n; i++) {
		long j = i - WARMUP;
		pid_t pid, other;

		other = spawn_sleep();
		if (other < 0) {
			perror("procinfo: sleep");
			return 1;
		}
		t0 = monotime_ns();
		raw_reads(rootfd, other);
		if (j >= 0)
			fig[FLOOR][j] = us_since(t0);
		reap(other);
		/* ptrap's reader, once, on a child nothing has read yet */
		other = spawn_sleep();
		if (other < 0) {
			perror("procinfo: sleep");
			return 1;
		}
		t0 = monotime_ns();
		procinfo_read(pr, other, 0, getuid(), getgid(), monotime_ns(), &info);
		if (j >= 0)
			fig[READER_NEW][j] = us_since(t0);
		if (info.tree.n < 2)
			fprintf(stderr, "procinfo: child %d: no chain\n", (int)other);
		reap(other);
		pid = spawn_sleep();
		if (pid < 0) {
			perror("procinfo: sleep");
			return 1;
		}
		/* once per new process: what the first packet of it costs */
		t0 = monotime_ns();
		if (proctree_get(pc, pid, 0, proctree_now(), &t) < 0 ||
		    cgroupinfo_read(rootfd, pid, &ci) < 0 ||
		    usernames_user(un, getuid(), monotime_ns(), name, sizeof(name)) < 0)
			goto failed;
		if (j >= 0)
			fig[NEW][j] = us_since(t0);
		depth = t.n;

		/* every later packet: the caller kept (pid, start) */
		t0 = monotime_ns();
		for (k = 0; k < CACHED_REPEAT; k++) {
			proctree_get(pc, pid, t.node[0].start, proctree_now(), &t);
			usernames_user(un, getuid(), monotime_ns(), name, sizeof(name));
		}
		if (j >= 0)
			fig[CACHED][j] = us_since(t0) / CACHED_REPEAT;

		/* nothing cached */
		t0 = monotime_ns();
		if (proctree_walk(rootfd, pid, &t) < 0 ||
		    cgroupinfo_read(rootfd, pid, &ci) < 0 ||
		    usernames_user(un_cold, getuid(), monotime_ns(), name, sizeof(name)) < 0)
			goto failed;
		if (j >= 0)
			fig[COLD][j] = us_since(t0);

		/* the parts */
		t0 = monotime_ns();
		procstat_read(rootfd, pid, &ps);
		if (j >= 0)
			fig[STAT][j] = us_since(t0);
		t0 = monotime_ns();
		cgroupinfo_read(rootfd, pid, &ci);
		if (j >= 0)
			fig[CGROUP][j] = us_since(t0);
		t0 = monotime_ns();
		usernames_user(un_cold, getuid(), monotime_ns(), name, sizeof(name));
		if (j >= 0) {
			fig[NSS][j] = us_since(t0);
			fig[CHAIN_NEW][j] = fig[NEW][j] - fig[CGROUP][j];
		}

		/* ptrap's path: the cached record's info, then formatting */
		who.n_procs = 1;
		if (proccache_get(cache, pm, pid, UINT64_MAX, monotime_ns(),
				  &who.procs[0]) < 0 ||
		    !proccache_info(cache, pr, pid, monotime_ns()))
			goto failed;
		t0 = monotime_ns();
		for (k = 0, ip = NULL; k < CACHED_REPEAT; k++)
			ip = proccache_info(cache, pr, pid, monotime_ns());
		if (j >= 0)
			fig[INFO_CACHED][j] = us_since(t0) / CACHED_REPEAT;
		who.info = NULL;
		if (j >= 0)
			fig[TEXT_EXTRA][j] = -text_us(&ev, obuf, sizeof(obuf));
		who.info = ip;
		if (j >= 0) {
			fig[TEXT_EXTRA][j] += text_us(&ev, obuf, sizeof(obuf));
			done++;
		}
		reap(pid);
		continue;
failed:
		fprintf(stderr, "procinfo: child %d: %m\n", (int)pid);
		reap(pid);
		return 1;
	}
	proctree_stats(pc, &st1);
	printf("{\"processes\":%ld,\"depth\":%u,\"stat_reads_per_new\":%.2f", done, depth,
	       (double)(st1.reads - st0.reads) / (double)n);
	for (f = 0; f < N_FIG; f++)
		printf(",\"%s_p50_us\":%.3f,\"%s_p99_us\":%.3f", fig_name[f],
		       bench_pct(fig[f], done, 50), fig_name[f], bench_pct(fig[f], done, 99));
	printf("}\n");
	return 0;
}
