/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for procstat and proctree: stat lines, ancestry walks, the cache, the text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procstat.h"
#include "proctree.h"

/*
 * ---- fake /proc builder (minimal, local) ----------------------------------
 * Only <root>/<pid>/stat.  To be replaced by tests/unit/testlib.{c,h} at
 * merge; kept apart from the tests below so that is a mechanical switch.
 */
struct fake {
	char root[64];
	int rootfd;
};

static void fk_write(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* A stat line laid out as the kernel writes it (tpgid -1, 52 fields). */
static int fk_stat_line(char *buf, size_t len, int pid, const char *comm,
			int ppid, unsigned long long start, unsigned int flags)
{
	return snprintf(buf, len,
			"%d (%s) S %d %d %d 0 -1 %u 120 0 0 0 1 2 0 0 20 0 1 0 %llu "
			"5296128 1000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 "
			"17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
			pid, comm, ppid, pid, pid, flags, start);
}

static void fk_proc(struct fake *fk, int pid, const char *comm, int ppid,
		    unsigned long long start)
{
	char path[128], buf[512];
	int n;

	snprintf(path, sizeof(path), "%s/%d", fk->root, pid);
	if (mkdir(path, 0755) < 0)
		assert_int_equal(errno, EEXIST);
	n = fk_stat_line(buf, sizeof(buf), pid, comm, ppid, start, 0x400100);
	snprintf(path, sizeof(path), "%s/%d/stat", fk->root, pid);
	fk_write(path, buf, (size_t)n);
}

static int fk_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP || flag == FTW_D ? rmdir(path) : unlink(path);
}

static void fk_rm_tree(const char *path)
{
	nftw(path, fk_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void fk_gone(struct fake *fk, int pid)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%d", fk->root, pid);
	fk_rm_tree(path);
}

static int setup(void **state)
{
	struct fake *fk = calloc(1, sizeof(*fk));

	if (!fk)
		return -1;
	strcpy(fk->root, "/tmp/ptrap-proctree-XXXXXX");
	if (!mkdtemp(fk->root)) {
		free(fk);
		return -1;
	}
	fk->rootfd = open(fk->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*state = fk;
	return fk->rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fake *fk = *state;

	close(fk->rootfd);
	fk_rm_tree(fk->root);
	free(fk);
	return 0;
}
/* ---- end of the fake /proc builder ---------------------------------------- */

static const char *text(const struct proctree *t)
{
	static char buf[PROCTREE_TEXT_MAX];

	assert_true(proctree_format(t, buf, sizeof(buf)) >= 0);
	return buf;
}

static const char *walk_text(struct fake *fk, int pid)
{
	struct proctree t;

	assert_int_equal(proctree_walk(fk->rootfd, pid, &t), 0);
	return text(&t);
}

/* --- procstat --- */

static void test_stat_real_line(void **state)
{
	/* /proc/PID/stat of cat on this machine's kernel */
	static const char line[] =
		"31480 (cat) R 31476 31476 4645 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 "
		"797224 3133440 386 18446744073709551615 94326187372544 94326187392425 "
		"140730856341312 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 94326187408432 "
		"94326187410048 94326682628096 140730856344203 140730856344223 "
		"140730856344223 140730856345579 0\n";
	struct procstat st;

	(void)state;
	assert_int_equal(procstat_parse(line, strlen(line), &st), 0);
	assert_int_equal(st.pid, 31480);
	assert_string_equal(st.comm, "cat");
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, 31476);
	assert_int_equal(st.flags, 4194304);
	assert_int_equal(st.start, 797224);
	assert_false(procstat_kthread(&st));
}

static void test_stat_hostile_comm(void **state)
{
	/* a comm that imitates the rest of the line: only the last ')' counts */
	static const char forged[] = "77 (x) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 5 \n(y) S 66 "
		"66 66 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 4242 0 0 0\n";
	static const char spaces[] = "78 (Web Content) S 66 66 66 0 -1 0 0 0 0 0 0 0 0 0 20 "
		"0 1 0 99 0 0\n";
	struct procstat st;

	(void)state;
	assert_int_equal(procstat_parse(forged, strlen(forged), &st), 0);
	assert_int_equal(st.pid, 77);
	assert_string_equal(st.comm,
			    "x) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 5 \n(y");
	assert_int_equal(st.ppid, 66);
	assert_int_equal(st.start, 4242);
	assert_int_equal(st.comm[sizeof(st.comm) - 1], '\0');

	assert_int_equal(procstat_parse(spaces, strlen(spaces), &st), 0);
	assert_string_equal(st.comm, "Web Content");
	assert_int_equal(st.start, 99);
}

static void test_stat_kthread(void **state)
{
	char buf[512];
	struct procstat st;
	int n;

	(void)state;
	n = fk_stat_line(buf, sizeof(buf), 12, "kworker/u8:0-events_unbound", 2, 15,
			 0x04208060);
	assert_int_equal(procstat_parse(buf, (size_t)n, &st), 0);
	assert_string_equal(st.comm, "kworker/u8:0-events_unbound");
	assert_true(procstat_kthread(&st));
	assert_int_equal(st.ppid, 2);
}

static void test_stat_long_comm_cut(void **state)
{
	char comm[200], buf[512];
	struct procstat st;
	int n;

	(void)state;
	memset(comm, 'a', sizeof(comm) - 1);
	comm[sizeof(comm) - 1] = '\0';
	n = fk_stat_line(buf, sizeof(buf), 5, comm, 1, 7, 0);
	assert_int_equal(procstat_parse(buf, (size_t)n, &st), 0);
	assert_int_equal(strlen(st.comm), PROCSTAT_COMM_MAX - 1);
	assert_int_equal(st.start, 7);
}

static void test_stat_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"12",
		"12 cat) S 1",
		"12 (cat S 1 1 1 0 -1 0",
		"12 (cat) S",
		"12 (cat) S x 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 5 0\n",
		"12 (cat) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0\n",	/* no field 22 */
		"12 (cat) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 -5 0\n",
		"0 (cat) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 5 0\n",
		"-3 (cat) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 5 0\n",
		"12 (cat) S 99999999999 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 5 0\n",
		"12 (cat) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 99999999999999999999999 0\n",
	};
	struct procstat st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(procstat_parse(bad[i], strlen(bad[i]), &st), -1);
		assert_int_equal(errno, EPROTO);
	}
}

static void test_stat_read_gone(void **state)
{
	struct fake *fk = *state;
	struct procstat st;

	errno = 0;
	assert_int_equal(procstat_read(fk->rootfd, 4242, &st), -1);
	assert_int_equal(errno, ESRCH);
	errno = 0;
	assert_int_equal(procstat_read(fk->rootfd, 0, &st), -1);
	assert_int_equal(errno, EINVAL);
}

/* --- walks --- */

static void test_walk_to_init(void **state)
{
	struct fake *fk = *state;
	struct proctree t;

	fk_proc(fk, 1, "systemd", 0, 1);
	fk_proc(fk, 880, "sshd", 1, 500);
	fk_proc(fk, 1190, "bash", 880, 900);
	fk_proc(fk, 1234, "dig", 1190, 1000);
	assert_int_equal(proctree_walk(fk->rootfd, 1234, &t), 0);
	assert_int_equal(t.n, 4);
	assert_false(t.truncated);
	assert_false(t.broken);
	assert_int_equal(t.node[0].pid, 1234);
	assert_int_equal(t.node[0].start, 1000);
	assert_int_equal(t.node[3].pid, 1);
	assert_string_equal(text(&t), "dig(1234) < bash(1190) < sshd(880) < systemd(1)");
}

static void test_walk_pid1_and_kthreads(void **state)
{
	struct fake *fk = *state;

	fk_proc(fk, 1, "systemd", 0, 1);
	fk_proc(fk, 2, "kthreadd", 0, 1);
	fk_proc(fk, 12, "kworker/0:1-events", 2, 3);
	assert_string_equal(walk_text(fk, 1), "systemd(1)");
	assert_string_equal(walk_text(fk, 2), "kthreadd(2)");
	assert_string_equal(walk_text(fk, 12), "kworker/0:1-events(12) < kthreadd(2)");
}

static void test_walk_gone(void **state)
{
	struct fake *fk = *state;
	struct proctree t;

	errno = 0;
	assert_int_equal(proctree_walk(fk->rootfd, 31337, &t), -1);
	assert_int_equal(errno, ESRCH);
	errno = 0;
	assert_int_equal(proctree_walk(fk->rootfd, 0, &t), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_walk_parent_vanished(void **state)
{
	struct fake *fk = *state;

	fk_proc(fk, 1, "init", 0, 1);
	fk_proc(fk, 300, "orphan", 200, 50);	/* 200 exited, not yet reparented */
	assert_string_equal(walk_text(fk, 300), "orphan(300) < ?");
}

static void test_walk_parent_pid_reused(void **state)
{
	struct fake *fk = *state;

	fk_proc(fk, 1, "init", 0, 1);
	fk_proc(fk, 200, "impostor", 1, 90);	/* started after its "child" */
	fk_proc(fk, 300, "child", 200, 50);
	/* never named as the parent: a parent cannot be younger than its child */
	assert_string_equal(walk_text(fk, 300), "child(300) < ?");
}

static void test_cache_parent_younger(void **state)
{
	struct fake *fk = *state;
	struct proctree_cache *c;
	struct proctree t;

	fk_proc(fk, 1, "init", 0, 1);
	fk_proc(fk, 200, "impostor", 1, 90);
	fk_proc(fk, 210, "its-child", 200, 95);
	fk_proc(fk, 300, "child", 200, 50);
	c = proctree_cache_new(fk->root, 64);
	assert_non_null(c);
	assert_int_equal(proctree_get(c, 210, 0, 1000, &t), 0);
	assert_string_equal(text(&t), "its-child(210) < impostor(200) < init(1)");
	/* the cached 200 was seen after 300 started, but it is younger than 300 */
	assert_int_equal(proctree_get(c, 300, 0, 1100, &t), 0);
	assert_string_equal(text(&t), "child(300) < ?");
	proctree_cache_free(c);
}

static void test_walk_loop(void **state)
{
	struct fake *fk = *state;

	fk_proc(fk, 10, "a", 11, 5);
	fk_proc(fk, 11, "b", 10, 5);
	assert_string_equal(walk_text(fk, 10), "a(10) < b(11) < ?");
	fk_proc(fk, 20, "self", 20, 5);
	assert_string_equal(walk_text(fk, 20), "self(20) < ?");
}

static void test_walk_depth_bound(void **state)
{
	struct fake *fk = *state;
	struct proctree t;
	char comm[16];
	int pid;

	fk_proc(fk, 1, "init", 0, 1);
	for (pid = 100; pid < 120; pid++) {
		snprintf(comm, sizeof(comm), "p%d", pid);
		fk_proc(fk, pid, comm, pid == 100 ? 1 : pid - 1, (unsigned long long)pid);
	}
	assert_int_equal(proctree_walk(fk->rootfd, 119, &t), 0);
	assert_int_equal(t.n, PROCTREE_DEPTH);
	assert_true(t.truncated);
	assert_int_equal(t.node[PROCTREE_DEPTH - 1].pid, 119 - PROCTREE_DEPTH + 1);
	assert_string_equal(text(&t),
			    "p119(119) < p118(118) < p117(117) < p116(116) < p115(115) < "
			    "p114(114) < p113(113) < p112(112) < p111(111) < p110(110) < "
			    "p109(109) < p108(108) < p107(107) < p106(106) < p105(105) < "
			    "p104(104) < ...");
	/* exactly the bound: complete, no "..." */
	assert_int_equal(proctree_walk(fk->rootfd, 100 + PROCTREE_DEPTH - 2, &t), 0);
	assert_int_equal(t.n, PROCTREE_DEPTH);
	assert_false(t.truncated);
	assert_int_equal(t.node[PROCTREE_DEPTH - 1].pid, 1);
}

/*
 * A parent that exits while the walk is on its way: the parent's stat is
 * a FIFO.  When the walk opens it, the child's stat is switched to its
 * reaper (as the kernel reparents it) and the FIFO is closed unwritten,
 * so the read finds the parent gone.
 */
struct exit_feed {
	char fifo[128], child[128], child_tmp[128];
	const char *reparented;
	int opened;
};

/* Opens without blocking, so a walk that never reads the parent fails instead of hanging. */
static void *parent_exits(void *arg)
{
	struct exit_feed *ef = arg;
	int fd = -1, tries;

	for (tries = 0; tries < 5000 && fd < 0; tries++) {
		fd = open(ef->fifo, O_WRONLY | O_NONBLOCK);
		if (fd < 0)
			usleep(1000);
	}
	if (fd < 0)
		return NULL;
	ef->opened = 1;
	fk_write(ef->child_tmp, ef->reparented, strlen(ef->reparented));
	if (rename(ef->child_tmp, ef->child) < 0)
		ef->opened = -1;
	close(fd);
	return NULL;
}

static void test_walk_reparented_mid_walk(void **state)
{
	struct fake *fk = *state;
	struct exit_feed ef = { .opened = 0 };
	char after[512];
	struct proctree_cache *c;
	struct proctree_stats st;
	struct proctree t;
	pthread_t th;

	fk_proc(fk, 1, "init", 0, 1);
	fk_proc(fk, 200, "nohup-sh", 1, 40);
	fk_proc(fk, 300, "daemon", 200, 50);
	fk_stat_line(after, sizeof(after), 300, "daemon", 1, 50, 0);
	ef.reparented = after;
	snprintf(ef.fifo, sizeof(ef.fifo), "%s/200/stat", fk->root);
	snprintf(ef.child, sizeof(ef.child), "%s/300/stat", fk->root);
	snprintf(ef.child_tmp, sizeof(ef.child_tmp), "%s/300/stat.new", fk->root);
	assert_int_equal(unlink(ef.fifo), 0);
	assert_int_equal(mkfifo(ef.fifo, 0600), 0);
	assert_int_equal(pthread_create(&th, NULL, parent_exits, &ef), 0);

	c = proctree_cache_new(fk->root, 64);
	assert_non_null(c);
	assert_int_equal(proctree_get(c, 300, 0, 1000, &t), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(ef.opened, 1);
	assert_string_equal(text(&t), "daemon(300) < init(1)");
	assert_false(t.broken);
	proctree_stats(c, &st);
	assert_int_equal(st.reparented, 1);
	assert_int_equal(st.reads, 4);	/* 300, 200 (gone), 300 again, 1 */
	proctree_cache_free(c);
}

/* --- the cache --- */

static void test_cache_reads_once(void **state)
{
	struct fake *fk = *state;
	struct proctree_cache *c;
	struct proctree_stats st;
	struct proctree t;

	fk_proc(fk, 1, "systemd", 0, 1);
	fk_proc(fk, 880, "sshd", 1, 500);
	fk_proc(fk, 1190, "bash", 880, 900);
	fk_proc(fk, 1234, "dig", 1190, 1000);
	c = proctree_cache_new(fk->root, 64);
	assert_non_null(c);

	/* first process: one read per node */
	assert_int_equal(proctree_get(c, 1234, 0, 2000, &t), 0);
	assert_string_equal(text(&t), "dig(1234) < bash(1190) < sshd(880) < systemd(1)");
	proctree_stats(c, &st);
	assert_int_equal(st.reads, 4);

	/* the same (pid, start) again: no I/O at all, even with /proc gone */
	fk_gone(fk, 1234);
	fk_gone(fk, 1190);
	assert_int_equal(proctree_get(c, 1234, 1000, 2001, &t), 0);
	assert_string_equal(text(&t), "dig(1234) < bash(1190) < sshd(880) < systemd(1)");
	proctree_stats(c, &st);
	assert_int_equal(st.reads, 4);

	/* without the start time it must look: it is gone */
	errno = 0;
	assert_int_equal(proctree_get(c, 1234, 0, 2002, &t), -1);
	assert_int_equal(errno, ESRCH);
	proctree_cache_free(c);
}

static void test_cache_siblings(void **state)
{
	struct fake *fk = *state;
	struct proctree_cache *c;
	struct proctree_stats st;
	struct proctree t;

	fk_proc(fk, 1, "systemd", 0, 1);
	fk_proc(fk, 880, "sshd", 1, 500);
	fk_proc(fk, 1190, "bash", 880, 900);
	fk_proc(fk, 1234, "dig", 1190, 1000);
	fk_proc(fk, 1300, "curl", 1190, 1500);	/* started before the first walk */
	c = proctree_cache_new(fk->root, 64);
	assert_non_null(c);
	assert_int_equal(proctree_get(c, 1234, 0, 2000, &t), 0);

	/* older than bash's last read: bash is proven from the cache */
	assert_int_equal(proctree_get(c, 1300, 0, 2100, &t), 0);
	assert_string_equal(text(&t), "curl(1300) < bash(1190) < sshd(880) < systemd(1)");
	proctree_stats(c, &st);
	assert_int_equal(st.reads, 5);

	/* younger than that read: bash is read again (pid 1190 could be reused), no more */
	fk_proc(fk, 1400, "ping", 1190, 2050);
	assert_int_equal(proctree_get(c, 1400, 0, 2200, &t), 0);
	assert_string_equal(text(&t), "ping(1400) < bash(1190) < sshd(880) < systemd(1)");
	proctree_stats(c, &st);
	assert_int_equal(st.reads, 7);

	/* bash exited and 1190 went to a newer process: not bash's child's parent */
	fk_gone(fk, 1190);
	fk_proc(fk, 1190, "impostor", 1, 3000);
	fk_proc(fk, 1500, "late", 1190, 3100);
	assert_int_equal(proctree_get(c, 1500, 0, 3200, &t), 0);
	assert_string_equal(text(&t), "late(1500) < impostor(1190) < systemd(1)");
	proctree_cache_free(c);
}

static void test_cache_pid_reused_self(void **state)
{
	struct fake *fk = *state;
	struct proctree_cache *c;
	struct proctree t;

	fk_proc(fk, 1, "init", 0, 1);
	fk_proc(fk, 50, "old", 1, 10);
	c = proctree_cache_new(fk->root, 8);
	assert_non_null(c);
	assert_int_equal(proctree_get(c, 50, 10, 100, &t), 0);
	fk_proc(fk, 50, "new", 1, 200);
	/* (pid, start) names the old one: its cached ancestry, no I/O */
	assert_int_equal(proctree_get(c, 50, 10, 300, &t), 0);
	assert_string_equal(text(&t), "old(50) < init(1)");
	assert_int_equal(proctree_get(c, 50, 200, 300, &t), 0);
	assert_string_equal(text(&t), "new(50) < init(1)");
	errno = 0;
	assert_int_equal(proctree_get(c, 50, 11, 300, &t), -1);
	assert_int_equal(errno, ESRCH);
	proctree_cache_free(c);
}

static void test_cache_eviction_bounded(void **state)
{
	struct fake *fk = *state;
	struct proctree_cache *c;
	struct proctree t;
	char comm[16];
	int pid;

	fk_proc(fk, 1, "init", 0, 1);
	for (pid = 100; pid < 300; pid++) {
		snprintf(comm, sizeof(comm), "w%d", pid);
		fk_proc(fk, pid, comm, 1, 10);
	}
	c = proctree_cache_new(fk->root, 8);
	assert_non_null(c);
	for (pid = 100; pid < 300; pid++) {
		snprintf(comm, sizeof(comm), "w%d", pid);
		assert_int_equal(proctree_get(c, pid, 0, 20, &t), 0);
		assert_int_equal(t.n, 2);
		assert_string_equal(t.node[0].comm, comm);
	}
	/* every answer right although 8 entries serve 201 processes */
	for (pid = 299; pid >= 100; pid -= 37) {
		char want[64];

		snprintf(want, sizeof(want), "w%d(%d) < init(1)", pid, pid);
		assert_int_equal(proctree_get(c, pid, 10, 30, &t), 0);
		assert_string_equal(text(&t), want);
	}
	proctree_cache_free(c);
}

static void test_cache_new_bad_root(void **state)
{
	(void)state;
	errno = 0;
	assert_null(proctree_cache_new("/nonexistent/ptrap-proc", 16));
	assert_int_equal(errno, ENOENT);
}

/* --- text --- */

static void node(struct proctree *t, pid_t pid, const char *comm)
{
	struct proctree_node *n = &t->node[t->n++];

	n->pid = pid;
	n->start = 1;
	snprintf(n->comm, sizeof(n->comm), "%s", comm);
}

static void test_text_hostile_comm(void **state)
{
	struct proctree t = { 0 };

	(void)state;
	node(&t, 7, "x\n[2026-11-23] PROCESS REQUEST CAPTURED. Matching PID: 1");
	node(&t, 8, "evil(9) < init");
	node(&t, 9, "Web Content");
	node(&t, 10, "a\"b\\c\x1b[31m\xff");
	node(&t, 11, "(sd-pam)");
	assert_string_equal(text(&t),
			    "x\\n[2026-11-23] PROCESS REQUEST CAPTURED. Matching PID: 1(7) < "
			    "evil(9) \\x3c init(8) < Web Content(9) < "
			    "a\\\"b\\\\c\\x1b[31m\\xff(10) < (sd-pam)(11)");
}

static void test_text_marks_and_room(void **state)
{
	struct proctree t = { 0 };
	char small[8];
	unsigned int i;

	(void)state;
	node(&t, 300, "orphan");
	t.broken = true;
	assert_string_equal(text(&t), "orphan(300) < ?");

	/* all-or-nothing in a short buffer */
	errno = 0;
	assert_int_equal(proctree_format(&t, small, sizeof(small)), -1);
	assert_int_equal(errno, ENOSPC);
	assert_string_equal(small, "");

	/* the worst case fits PROCTREE_TEXT_MAX */
	memset(&t, 0, sizeof(t));
	for (i = 0; i < PROCTREE_DEPTH; i++) {
		struct proctree_node *n = &t.node[t.n++];

		n->pid = 2147483647;
		memset(n->comm, 0xff, sizeof(n->comm) - 1);
	}
	t.truncated = true;
	assert_true(strlen(text(&t)) < PROCTREE_TEXT_MAX);
	assert_true(strlen(text(&t)) > PROCTREE_TEXT_MAX - 64);
}

/* --- a real process: no root needed --- */

static pid_t child_of(pid_t parent)
{
	char path[64], buf[64];
	FILE *f;
	long pid = 0;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)parent, (int)parent);
	for (i = 0; i < 200 && pid == 0; i++) {
		f = fopen(path, "r");
		if (!f)
			return -1;
		if (fgets(buf, sizeof(buf), f))
			pid = strtol(buf, NULL, 10);
		fclose(f);
		if (pid == 0)
			usleep(10000);
	}
	return (pid_t)pid;
}

static void comm_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, (int)len, f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static void test_real_sh_sleep(void **state)
{
	struct proctree_cache *c;
	struct proctree t, t2;
	char me[64], parent[64];
	pid_t sh, sleeper;
	int rootfd, status;

	(void)state;
	sh = fork();
	assert_true(sh >= 0);
	if (sh == 0) {
		/* "; exit" keeps sh from exec'ing sleep in its place */
		execl("/bin/sh", "sh", "-c", "sleep 5; exit 0", (char *)NULL);
		_exit(127);
	}
	sleeper = child_of(sh);
	if (sleeper <= 0) {	/* no CONFIG_PROC_CHILDREN */
		kill(sh, SIGKILL);
		waitpid(sh, &status, 0);
		skip();
	}
	rootfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(rootfd >= 0);
	assert_int_equal(proctree_walk(rootfd, sleeper, &t), 0);
	c = proctree_cache_new("/proc", 256);
	assert_non_null(c);
	assert_int_equal(proctree_get(c, sleeper, 0, proctree_now(), &t2), 0);
	kill(sh, SIGKILL);
	kill(sleeper, SIGKILL);
	waitpid(sh, &status, 0);

	comm_of(getpid(), me, sizeof(me));
	comm_of(getppid(), parent, sizeof(parent));
	assert_true(t.n >= 4);
	assert_string_equal(t.node[0].comm, "sleep");
	assert_int_equal(t.node[0].pid, sleeper);
	assert_string_equal(t.node[1].comm, "sh");
	assert_int_equal(t.node[1].pid, sh);
	assert_string_equal(t.node[2].comm, me);
	assert_int_equal(t.node[2].pid, getpid());
	assert_string_equal(t.node[3].comm, parent);	/* the test's shell or driver */
	assert_int_equal(t.node[3].pid, getppid());
	assert_true(t.truncated || t.node[t.n - 1].pid == 1);
	assert_false(t.broken);
	/* the cached walk agrees with the plain one */
	assert_string_equal(text(&t2), text(&t));
	close(rootfd);
	proctree_cache_free(c);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_real_line),
		cmocka_unit_test(test_stat_hostile_comm),
		cmocka_unit_test(test_stat_kthread),
		cmocka_unit_test(test_stat_long_comm_cut),
		cmocka_unit_test(test_stat_malformed),
		T(test_stat_read_gone),
		T(test_walk_to_init),
		T(test_walk_pid1_and_kthreads),
		T(test_walk_gone),
		T(test_walk_parent_vanished),
		T(test_walk_parent_pid_reused),
		T(test_cache_parent_younger),
		T(test_walk_loop),
		T(test_walk_depth_bound),
		T(test_walk_reparented_mid_walk),
		T(test_cache_reads_once),
		T(test_cache_siblings),
		T(test_cache_pid_reused_self),
		T(test_cache_eviction_bounded),
		cmocka_unit_test(test_cache_new_bad_root),
		cmocka_unit_test(test_text_hostile_comm),
		cmocka_unit_test(test_text_marks_and_room),
		cmocka_unit_test(test_real_sh_sleep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
