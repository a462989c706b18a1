/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for flowcache and proccache on a fake /proc. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "flowcache.h"
#include "proccache.h"
#include "procmap.h"
#include "testlib.h"

#define T0	1000000000ull	/* a monotonic "now" */

struct fake {
	char root[TL_ROOT_MAX];
	struct flowcache *fc;
	struct proccache *pc;
	struct procmap *pm;
};

/* A process as procmap and proccache read it; start is stat field 22. */
static void mk_proc(struct fake *fk, int pid, const char *comm, const char *exe,
		    unsigned long long start)
{
	struct tl_proc p = { .pid = pid, .ppid = 1, .uid = 1000, .gid = 100,
			     .comm = comm, .exe = exe, .start = start };

	tl_fake_proc(fk->root, &p);
}

static int setup(void **state)
{
	struct fake *fk = calloc(1, sizeof(*fk));

	if (!fk)
		return -1;
	tl_fake_root(fk->root, "flowcache");
	fk->pm = procmap_new(fk->root);
	fk->fc = flowcache_new(fk->pm, 64);
	fk->pc = proccache_new(16);
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
	tl_rm_tree(fk->root);
	free(fk);
	return 0;
}

static struct pkt_info udp4(uint16_t sport)
{
	struct pkt_info p;

	tl_set_pkt(&p, IPPROTO_UDP, "192.0.2.10", sport, "198.51.100.7", 53);
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
	tl_fake_sock(fk->root, 100, 3, 555);
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
	tl_fake_sock(fk->root, 100, 3, 555);
	flowcache_store(fk->fc, &p, 1000, &e, T0);
	tl_fake_rm(fk->root, 100, NULL);
	mk_proc(fk, 100, "evil", "/usr/bin/evil", 9000);
	tl_fake_sock(fk->root, 100, 3, 556);
	assert_null(flowcache_lookup(fk->fc, &p, 1000, T0 + FLOWCACHE_TRUST_NS, &checked));
	/* and the dropped entry stays dropped */
	assert_null(flowcache_lookup(fk->fc, &p, 1000, T0 + FLOWCACHE_TRUST_NS, &checked));
	flowcache_stats(fk->fc, &st);
	assert_int_equal(st.stale, 1);

	/* the holder gone altogether */
	flowcache_store(fk->fc, &p, 1000, &e, T0);
	tl_fake_rm(fk->root, 100, NULL);
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
	static const char changed[] = "changed-but-not-re-read";
	struct fake *fk = *state;
	struct resolver_proc pr;
	struct proccache_stats st;

	mk_proc(fk, 200, "a b) c", "/usr/bin/old", 7000);
	assert_int_equal(proccache_get(fk->pc, fk->pm, 200, UINT64_MAX, 0, &pr), 0);
	assert_string_equal(pr.comm, "a b) c");
	assert_string_equal(pr.exe, "/usr/bin/old");
	assert_int_equal(pr.uid, 1000);

	/* same process: answered after the cheap check, not re-read */
	tl_fake_file(fk->root, 200, "cmdline", changed, sizeof(changed) - 1);
	assert_int_equal(proccache_get(fk->pc, fk->pm, 200, UINT64_MAX, 0, &pr), 0);
	assert_memory_equal(pr.cmdline, "a b) c", 6);
	proccache_stats(fk->pc, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.reads, 1);

	/* recycled pid: another start time */
	tl_fake_rm(fk->root, 200, NULL);
	mk_proc(fk, 200, "newcomer", "/usr/bin/new", 8000);
	assert_int_equal(proccache_get(fk->pc, fk->pm, 200, UINT64_MAX, 0, &pr), 0);
	assert_string_equal(pr.comm, "newcomer");
	assert_string_equal(pr.exe, "/usr/bin/new");

	/* exec: same start time, other exe */
	tl_fake_link(fk->root, 200, "exe", "/usr/bin/exec-ed");
	assert_int_equal(proccache_get(fk->pc, fk->pm, 200, UINT64_MAX, 0, &pr), 0);
	assert_string_equal(pr.exe, "/usr/bin/exec-ed");
	proccache_stats(fk->pc, &st);
	assert_int_equal(st.reads, 3);
	assert_non_null(proccache_peek(fk->pc, 200));
	assert_null(proccache_peek(fk->pc, 201));

	/* gone */
	tl_fake_rm(fk->root, 200, NULL);
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
	tl_fake_link(fk->root, 300, "exe", "/usr/bin/exec-ed");

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
	tl_fake_rm(fk->root, 300, NULL);
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
