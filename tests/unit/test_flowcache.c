/* Unit tests for flowcache and proccache on a fake /proc. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flowcache.h"
#include "proccache.h"
#include "procmap.h"

#define T0	1000000000ull	/* a monotonic "now" */

struct fake {
	char root[64];
	struct flowcache *fc;
	struct proccache *pc;
	struct procmap *pm;
};

static void xwrite(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(data, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void put(struct fake *fk, int pid, const char *name, const char *data)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%d/%s", fk->root, pid, name);
	xwrite(path, data);
}

static void link_to(struct fake *fk, int pid, const char *name, const char *target)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%d/%s", fk->root, pid, name);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

/* A process as procmap and proccache read it; start is stat field 22. */
static void mk_proc(struct fake *fk, int pid, const char *comm, const char *exe,
		    unsigned long long start)
{
	char path[256], buf[512];

	snprintf(path, sizeof(path), "%s/%d", fk->root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/fd", fk->root, pid);
	mkdir(path, 0755);
	snprintf(buf, sizeof(buf),
		 "Name:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t1\n"
		 "Uid:\t1000\t1000\t1000\t1000\nGid:\t100\t100\t100\t100\n",
		 comm, pid, pid);
	put(fk, pid, "status", buf);
	snprintf(buf, sizeof(buf), "%s\n", comm);
	put(fk, pid, "comm", buf);
	put(fk, pid, "cmdline", comm);
	/* a comm with a space and a ')' must not shift the fields */
	snprintf(buf, sizeof(buf),
		 "%d (%s) S 1 %d %d 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 %llu 1000 "
		 "100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
		 pid, comm, pid, pid, start);
	put(fk, pid, "stat", buf);
	link_to(fk, pid, "exe", exe);
}

static void mk_sock(struct fake *fk, int pid, int fd, unsigned long long inode)
{
	char name[32], target[64];

	snprintf(name, sizeof(name), "fd/%d", fd);
	snprintf(target, sizeof(target), "socket:[%llu]", inode);
	link_to(fk, pid, name, target);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		return rmdir(path);
	return unlink(path);
}

static void rm_pid(struct fake *fk, int pid)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%d", fk->root, pid);
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int setup(void **state)
{
	struct fake *fk = calloc(1, sizeof(*fk));

	if (!fk)
		return -1;
	strcpy(fk->root, "/tmp/ptrap-flowcache-XXXXXX");
	if (!mkdtemp(fk->root)) {
		free(fk);
		return -1;
	}
	fk->fc = flowcache_new(fk->root, 64);
	fk->pc = proccache_new(fk->root, 16);
	fk->pm = procmap_new(fk->root);
	if (!fk->fc || !fk->pc || !fk->pm)
		return -1;
	*state = fk;
	return 0;
}

static int teardown(void **state)
{
	struct fake *fk = *state;

	flowcache_free(fk->fc);
	proccache_free(fk->pc);
	procmap_free(fk->pm);
	nftw(fk->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fk);
	return 0;
}

static struct pkt_info udp4(uint16_t sport)
{
	struct pkt_info p;

	memset(&p, 0, sizeof(p));
	p.src.family = p.dst.family = AF_INET;
	inet_pton(AF_INET, "192.0.2.10", &p.src.u.v4);
	inet_pton(AF_INET, "198.51.100.7", &p.dst.u.v4);
	p.proto = IPPROTO_UDP;
	p.has_ports = true;
	p.sport = sport;
	p.dport = 53;
	return p;
}

static struct flowcache_entry holder(pid_t pid, int fd, uint64_t inode)
{
	struct flowcache_entry e = { .inode = inode, .has_uid = true, .uid = 1000,
				     .gid = 100, .n = 1 };

	e.pid[0] = pid;
	e.fd[0] = fd;
	return e;
}

static void test_hit_within_trust(void **state)
{
	struct fake *fk = *state;
	struct pkt_info p = udp4(40000), other = udp4(40001);
	struct flowcache_entry e = holder(100, 3, 555);
	const struct flowcache_entry *got;
	struct flowcache_stats st;
	bool checked = true;

	/* no /proc entry at all: within the trust time nothing is read */
	flowcache_store(fk->fc, &p, 1000, &e, T0);
	got = flowcache_lookup(fk->fc, &p, 1000, T0 + FLOWCACHE_TRUST_NS / 2, &checked);
	assert_non_null(got);
	assert_false(checked);
	assert_int_equal(got->inode, 555);
	assert_int_equal(got->pid[0], 100);
	assert_null(flowcache_lookup(fk->fc, &other, 1000, T0, &checked));
	flowcache_stats(fk->fc, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 1);
}

static void test_recheck_after_trust(void **state)
{
	struct fake *fk = *state;
	struct pkt_info p = udp4(40000);
	struct flowcache_entry e = holder(100, 3, 555);
	const struct flowcache_entry *got;
	bool checked = false;
	uint64_t t = T0 + FLOWCACHE_TRUST_NS;

	mk_proc(fk, 100, "dig", "/usr/bin/dig", 5000);
	mk_sock(fk, 100, 3, 555);
	flowcache_store(fk->fc, &p, 1000, &e, T0);
	got = flowcache_lookup(fk->fc, &p, 1000, t, &checked);
	assert_non_null(got);
	assert_true(checked);
	/* verified again at t: trusted without a check until t + trust */
	assert_non_null(flowcache_lookup(fk->fc, &p, 1000, t + 1, &checked));
	assert_false(checked);
}

/*
 * The sender exited and its pid (and port) went to another process that
 * has a different socket at the same fd number: never the stale answer.
 */
static void test_recycled_pid_and_port(void **state)
{
	struct fake *fk = *state;
	struct pkt_info p = udp4(40000);
	struct flowcache_entry e = holder(100, 3, 555);
	struct flowcache_stats st;
	bool checked;

	mk_proc(fk, 100, "dig", "/usr/bin/dig", 5000);
	mk_sock(fk, 100, 3, 555);
	flowcache_store(fk->fc, &p, 1000, &e, T0);
	rm_pid(fk, 100);
	mk_proc(fk, 100, "evil", "/usr/bin/evil", 9000);
	mk_sock(fk, 100, 3, 556);
	assert_null(flowcache_lookup(fk->fc, &p, 1000, T0 + FLOWCACHE_TRUST_NS, &checked));
	/* and the dropped entry stays dropped */
	assert_null(flowcache_lookup(fk->fc, &p, 1000, T0 + FLOWCACHE_TRUST_NS, &checked));
	flowcache_stats(fk->fc, &st);
	assert_int_equal(st.stale, 1);

	/* the holder gone altogether */
	flowcache_store(fk->fc, &p, 1000, &e, T0);
	rm_pid(fk, 100);
	assert_null(flowcache_lookup(fk->fc, &p, 1000, T0 + 2 * FLOWCACHE_TRUST_NS, &checked));
}

/* A socket of another uid on the same 5-tuple is a different socket. */
static void test_uid_must_match(void **state)
{
	struct fake *fk = *state;
	struct pkt_info p = udp4(40000);
	struct flowcache_entry e = holder(100, 3, 555);
	bool checked;

	flowcache_store(fk->fc, &p, 1000, &e, T0);
	assert_null(flowcache_lookup(fk->fc, &p, 0, T0, &checked));
	assert_null(flowcache_lookup(fk->fc, &p, -1, T0, &checked));
	assert_non_null(flowcache_lookup(fk->fc, &p, 1000, T0, &checked));
	/* the probe used to pick sockets to look up ahead says the same */
	assert_false(flowcache_has(fk->fc, &p, 0));
	assert_true(flowcache_has(fk->fc, &p, 1000));
}

/* A SYN opens a new connection, maybe on a recycled port: always looked up. */
static void test_tcp_syn_misses(void **state)
{
	struct fake *fk = *state;
	struct pkt_info p = udp4(40000);
	struct flowcache_entry e = holder(100, 3, 555);
	bool checked;

	p.proto = IPPROTO_TCP;
	p.tcp_flags = 0x02;
	flowcache_store(fk->fc, &p, 1000, &e, T0);
	assert_null(flowcache_lookup(fk->fc, &p, 1000, T0, &checked));
	assert_false(flowcache_has(fk->fc, &p, 1000));
	p.tcp_flags = 0x12;	/* SYN+ACK of the same socket: fine */
	assert_true(flowcache_has(fk->fc, &p, 1000));
	assert_non_null(flowcache_lookup(fk->fc, &p, 1000, T0, &checked));
	p.tcp_flags = 0x10;
	assert_non_null(flowcache_lookup(fk->fc, &p, 1000, T0, &checked));
	/* the same 5-tuple under UDP is another flow */
	p.proto = IPPROTO_UDP;
	assert_null(flowcache_lookup(fk->fc, &p, 1000, T0, &checked));
}

/* Bounded: more flows than slots evict the least recently used. */
static void test_bounded(void **state)
{
	struct fake *fk = *state;
	struct flowcache_entry e = holder(100, 3, 555);
	struct pkt_info p;
	unsigned int i, found = 0;
	bool checked;

	for (i = 0; i < 1000; i++) {
		p = udp4((uint16_t)(20000 + i));
		flowcache_store(fk->fc, &p, 1000, &e, T0);
	}
	for (i = 0; i < 1000; i++) {
		p = udp4((uint16_t)(20000 + i));
		if (flowcache_lookup(fk->fc, &p, 1000, T0, &checked))
			found++;
	}
	assert_true(found <= 64);
	assert_true(found >= 32);
	p = udp4(20999);	/* the newest is kept */
	assert_non_null(flowcache_lookup(fk->fc, &p, 1000, T0, &checked));
}

static void test_proccache_reuse_and_recycle(void **state)
{
	struct fake *fk = *state;
	struct resolver_proc pr;
	struct proccache_stats st;

	mk_proc(fk, 200, "a b) c", "/usr/bin/old", 7000);
	assert_int_equal(proccache_get(fk->pc, fk->pm, 200, UINT64_MAX, 0, &pr), 0);
	assert_string_equal(pr.comm, "a b) c");
	assert_string_equal(pr.exe, "/usr/bin/old");
	assert_int_equal(pr.uid, 1000);

	/* same process: answered after the cheap check, not re-read */
	put(fk, 200, "cmdline", "changed-but-not-re-read");
	assert_int_equal(proccache_get(fk->pc, fk->pm, 200, UINT64_MAX, 0, &pr), 0);
	assert_memory_equal(pr.cmdline, "a b) c", 6);
	proccache_stats(fk->pc, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.reads, 1);

	/* recycled pid: another start time */
	rm_pid(fk, 200);
	mk_proc(fk, 200, "newcomer", "/usr/bin/new", 8000);
	assert_int_equal(proccache_get(fk->pc, fk->pm, 200, UINT64_MAX, 0, &pr), 0);
	assert_string_equal(pr.comm, "newcomer");
	assert_string_equal(pr.exe, "/usr/bin/new");

	/* exec: same start time, other exe */
	link_to(fk, 200, "exe", "/usr/bin/exec-ed");
	assert_int_equal(proccache_get(fk->pc, fk->pm, 200, UINT64_MAX, 0, &pr), 0);
	assert_string_equal(pr.exe, "/usr/bin/exec-ed");
	proccache_stats(fk->pc, &st);
	assert_int_equal(st.reads, 3);
	assert_non_null(proccache_peek(fk->pc, 200));
	assert_null(proccache_peek(fk->pc, 201));

	/* gone */
	rm_pid(fk, 200);
	errno = 0;
	assert_int_equal(proccache_get(fk->pc, fk->pm, 200, UINT64_MAX, 0, &pr), -1);
	assert_int_equal(errno, ESRCH);
}

/*
 * A record checked at or after the caller's fresh_after (the time its
 * packet was queued by) is used without I/O; an older one is checked.
 */
static void test_proccache_fresh_after(void **state)
{
	struct fake *fk = *state;
	struct resolver_proc pr;
	struct proccache_stats st;

	mk_proc(fk, 300, "client", "/usr/bin/client", 7000);
	assert_int_equal(proccache_get(fk->pc, fk->pm, 300, 50, 100, &pr), 0);
	link_to(fk, 300, "exe", "/usr/bin/exec-ed");

	/* checked at 100, after the packet was queued (by 100): as is */
	assert_int_equal(proccache_get(fk->pc, fk->pm, 300, 100, 120, &pr), 0);
	assert_string_equal(pr.exe, "/usr/bin/client");
	proccache_stats(fk->pc, &st);
	assert_int_equal(st.fresh, 1);
	assert_int_equal(st.reads, 1);

	/* a packet queued after that check: checked, the exec is seen */
	assert_int_equal(proccache_get(fk->pc, fk->pm, 300, 101, 130, &pr), 0);
	assert_string_equal(pr.exe, "/usr/bin/exec-ed");
	proccache_stats(fk->pc, &st);
	assert_int_equal(st.reads, 2);

	/* gone: a fresh record still answers (the check was after the packet) */
	rm_pid(fk, 300);
	assert_int_equal(proccache_get(fk->pc, fk->pm, 300, 130, 140, &pr), 0);
	errno = 0;
	assert_int_equal(proccache_get(fk->pc, fk->pm, 300, 131, 150, &pr), -1);
	assert_int_equal(errno, ESRCH);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_hit_within_trust),
		T(test_recheck_after_trust),
		T(test_recycled_pid_and_port),
		T(test_uid_must_match),
		T(test_tcp_syn_misses),
		T(test_bounded),
		T(test_proccache_fresh_after),
		T(test_proccache_reuse_and_recycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
