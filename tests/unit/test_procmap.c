/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for procmap: inode -> pids and process details, on a fake /proc. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procmap.h"
#include "resolver.h"
#include "resolver_int.h"
#include "testlib.h"

struct fake {
	char root[TL_ROOT_MAX];
	struct procmap *pm;
};

/* <root>/<pid>/{fd/,status,comm,cmdline,stat,exe} for a process or thread */
static void mk_proc(struct fake *fk, int pid, int tgid, int ppid, unsigned int uid,
		    unsigned int gid, const char *comm, const char *exe,
		    const char *cmdline, size_t cmdline_len)
{
	struct tl_proc p = {
		.pid = pid, .tgid = tgid, .ppid = ppid, .uid = uid, .gid = gid,
		.comm = comm, .exe = exe, .cmdline = cmdline,
		.cmdline_len = cmdline_len, .start = 12345,
	};

	tl_fake_proc(fk->root, &p);
}

static void mk_simple(struct fake *fk, int pid, const char *comm)
{
	mk_proc(fk, pid, pid, 1, 1000, 1000, comm, "/usr/bin/true", "x", 2);
}

/* <root>/<pid>/fd/<fd> -> target; an existing link is replaced */
static void mk_fd(struct fake *fk, int pid, int fd, const char *target)
{
	char name[32];

	snprintf(name, sizeof(name), "fd/%d", fd);
	tl_fake_link(fk->root, pid, name, target);
}

static int setup(void **state)
{
	struct fake *fk = calloc(1, sizeof(*fk));

	if (!fk)
		return -1;
	tl_fake_root(fk->root, "procmap");
	*state = fk;
	return 0;
}

static int teardown(void **state)
{
	struct fake *fk = *state;

	procmap_free(fk->pm);
	tl_rm_tree(fk->root);
	free(fk);
	return 0;
}

static struct procmap *open_pm(struct fake *fk)
{
	fk->pm = procmap_new(fk->root);
	assert_non_null(fk->pm);
	return fk->pm;
}

static struct procmap_stats stats(struct fake *fk)
{
	struct procmap_stats st;

	procmap_stats(fk->pm, &st);
	return st;
}

static void test_new_bad_root(void **state)
{
	(void)state;
	errno = 0;
	assert_null(procmap_new("/nonexistent/ptrap-proc"));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(procmap_new(""));
	assert_int_equal(errno, EINVAL);
}

static void test_single_holder(void **state)
{
	struct fake *fk = *state;
	pid_t pids[8] = { 0 };

	mk_simple(fk, 100, "curl");
	mk_fd(fk, 100, 0, "/dev/null");
	mk_fd(fk, 100, 1, "pipe:[777]");
	tl_fake_sock(fk->root, 100, 3, 12345);
	mk_simple(fk, 200, "other");
	tl_fake_sock(fk->root, 200, 5, 999);
	open_pm(fk);

	assert_int_equal(procmap_find_inode(fk->pm, 12345, -1, pids, 8), 1);
	assert_int_equal(pids[0], 100);
	assert_int_equal(stats(fk).scans, 1);
	assert_int_equal(stats(fk).procs_scanned, 2);
	assert_int_equal(stats(fk).fds_read, 4);
}

static void test_shared_sorted(void **state)
{
	struct fake *fk = *state;
	pid_t pids[8] = { 0 };

	/* after fork both hold it; readdir order is not numeric order */
	mk_simple(fk, 4300, "child");
	mk_simple(fk, 210, "parent");
	mk_simple(fk, 99, "bystander");
	tl_fake_sock(fk->root, 4300, 7, 5555);
	tl_fake_sock(fk->root, 210, 3, 5555);
	tl_fake_sock(fk->root, 210, 9, 5555);	/* dup()ed: still one pid */
	tl_fake_sock(fk->root, 99, 3, 5556);
	open_pm(fk);

	assert_int_equal(procmap_find_inode(fk->pm, 5555, -1, pids, 8), 2);
	assert_int_equal(pids[0], 210);
	assert_int_equal(pids[1], 4300);

	/* the cached answer lists both too, and max truncates to the lowest */
	memset(pids, 0, sizeof(pids));
	assert_int_equal(procmap_find_inode(fk->pm, 5555, -1, pids, 1), 1);
	assert_int_equal(pids[0], 210);
	assert_int_equal(pids[1], 0);
	assert_int_equal(procmap_find_inode(fk->pm, 5555, -1, pids, 8), 2);
	assert_int_equal(pids[1], 4300);
	assert_int_equal(stats(fk).scans, 1);
	assert_int_equal(stats(fk).hits, 2);
}

static void test_absent_inode(void **state)
{
	struct fake *fk = *state;
	pid_t pids[8] = { 0 };

	mk_simple(fk, 100, "curl");
	tl_fake_sock(fk->root, 100, 3, 12345);
	mk_fd(fk, 100, 4, "socket:[]");		/* malformed links are ignored */
	mk_fd(fk, 100, 5, "socket:[424242");
	mk_fd(fk, 100, 6, "socket:[424242]x");
	open_pm(fk);

	assert_int_equal(procmap_find_inode(fk->pm, 424242, -1, pids, 8), 0);
	assert_int_equal(procmap_find_inode(fk->pm, 0, -1, pids, 8), 0);
	/* nothing is cached for an inode nobody holds: each try scans */
	assert_int_equal(procmap_find_inode(fk->pm, 424242, -1, pids, 8), 0);
	assert_int_equal(stats(fk).scans, 2);
	assert_int_equal(stats(fk).misses, 2);
	assert_int_equal(stats(fk).hits, 0);

	errno = 0;
	assert_int_equal(procmap_find_inode(fk->pm, 12345, -1, pids, 0), -1);
	assert_int_equal(errno, EINVAL);
}

/*
 * A place seen at or after fresh_after (the packet was queued by then) is
 * trusted without a readlink; an older one is re-read, so a socket moved
 * away since is noticed.
 */
static void test_fresh_after(void **state)
{
	struct fake *fk = *state;
	pid_t pids[8] = { 0 };

	mk_simple(fk, 100, "client");
	tl_fake_sock(fk->root, 100, 3, 5001);
	tl_fake_sock(fk->root, 100, 4, 5002);	/* the next flow in the same batch */
	open_pm(fk);

	/* packet queued by 50, scan at 100: sees both sockets */
	assert_int_equal(procmap_find_inode_at(fk->pm, 5001, -1, 50, 100, pids, 8), 1);
	assert_int_equal(stats(fk).scans, 1);
	mk_fd(fk, 100, 4, "pipe:[1]");	/* closed after the scan */

	/* a packet of the same batch: seen after it was queued, no I/O */
	assert_int_equal(procmap_find_inode_at(fk->pm, 5002, -1, 50, 110, pids, 8), 1);
	assert_int_equal(pids[0], 100);
	assert_int_equal(stats(fk).fresh, 1);
	assert_int_equal(stats(fk).stale, 0);

	/* a packet queued after the scan: the place is re-read, and is stale */
	assert_int_equal(procmap_find_inode_at(fk->pm, 5002, -1, 101, 120, pids, 8), 0);
	assert_int_equal(stats(fk).stale, 1);

	/* that lookup's scan (at 120) saw 5001 again: fresh up to 120 */
	assert_int_equal(stats(fk).scans, 2);
	assert_int_equal(procmap_find_inode_at(fk->pm, 5001, -1, 120, 130, pids, 8), 1);
	assert_int_equal(stats(fk).fresh, 2);
	/* queued later: re-read (a hit), which makes it fresh up to 140 */
	assert_int_equal(procmap_find_inode_at(fk->pm, 5001, -1, 121, 140, pids, 8), 1);
	assert_int_equal(stats(fk).hits, 1);
	assert_int_equal(procmap_find_inode_at(fk->pm, 5001, -1, 140, 150, pids, 8), 1);
	assert_int_equal(stats(fk).fresh, 3);
	assert_int_equal(stats(fk).scans, 2);
}

static void test_cache_hit(void **state)
{
	struct fake *fk = *state;
	pid_t pids[8] = { 0 };

	mk_simple(fk, 100, "curl");
	tl_fake_sock(fk->root, 100, 3, 12345);
	tl_fake_sock(fk->root, 100, 4, 777);	/* the next flow of the same process */
	mk_simple(fk, 300, "sshd");
	tl_fake_sock(fk->root, 300, 3, 888);
	open_pm(fk);

	assert_int_equal(procmap_find_inode(fk->pm, 12345, -1, pids, 8), 1);
	assert_int_equal(stats(fk).misses, 1);
	assert_int_equal(stats(fk).scans, 1);

	/* the scan remembered every socket it saw */
	assert_int_equal(procmap_find_inode(fk->pm, 12345, -1, pids, 8), 1);
	assert_int_equal(pids[0], 100);
	assert_int_equal(procmap_find_inode(fk->pm, 777, -1, pids, 8), 1);
	assert_int_equal(pids[0], 100);
	assert_int_equal(procmap_find_inode(fk->pm, 888, -1, pids, 8), 1);
	assert_int_equal(pids[0], 300);
	assert_int_equal(stats(fk).hits, 3);
	assert_int_equal(stats(fk).scans, 1);
	assert_int_equal(stats(fk).stale, 0);
}

static void test_new_socket_of_known_process(void **state)
{
	struct fake *fk = *state;
	pid_t pids[8] = { 0 };

	mk_simple(fk, 100, "browser");
	tl_fake_sock(fk->root, 100, 3, 11);
	mk_simple(fk, 200, "b");
	mk_simple(fk, 300, "c");
	open_pm(fk);
	assert_int_equal(procmap_find_inode(fk->pm, 11, -1, pids, 8), 1);
	assert_int_equal(stats(fk).procs_scanned, 3);

	/* its next flow: only the fds of the pid that answered last are read */
	tl_fake_sock(fk->root, 100, 9, 12);
	assert_int_equal(procmap_find_inode(fk->pm, 12, -1, pids, 8), 1);
	assert_int_equal(pids[0], 100);
	assert_int_equal(stats(fk).scans, 2);
	assert_int_equal(stats(fk).procs_scanned, 4);

	/* a socket of another process: the recent pid, then the rest once */
	tl_fake_sock(fk->root, 300, 4, 13);
	assert_int_equal(procmap_find_inode(fk->pm, 13, -1, pids, 8), 1);
	assert_int_equal(pids[0], 300);
	assert_int_equal(stats(fk).procs_scanned, 7);
}

static void test_new_socket_shared_by_fork(void **state)
{
	struct fake *fk = *state;
	pid_t pids[8] = { 0 };

	/* 100 (threads 100, 101) forked 150 and, from thread 101, 160; 150 forked 170 */
	mk_simple(fk, 100, "parent");
	tl_fake_sock(fk->root, 100, 3, 11);
	tl_fake_children(fk->root, 100, 100, "150 ");
	tl_fake_children(fk->root, 100, 101, "160 ");
	mk_simple(fk, 150, "child");
	tl_fake_children(fk->root, 150, 150, "170 ");
	mk_simple(fk, 160, "child2");
	mk_simple(fk, 170, "grandchild");
	mk_simple(fk, 200, "stranger");
	open_pm(fk);
	assert_int_equal(procmap_find_inode(fk->pm, 11, -1, pids, 8), 1);

	/* a socket made after the scan, then inherited: all found via pass 0 */
	tl_fake_sock(fk->root, 100, 4, 12);
	tl_fake_sock(fk->root, 150, 4, 12);
	tl_fake_sock(fk->root, 160, 5, 12);
	tl_fake_sock(fk->root, 170, 4, 12);
	assert_int_equal(procmap_find_inode(fk->pm, 12, -1, pids, 8), 4);
	assert_int_equal(pids[0], 100);
	assert_int_equal(pids[1], 150);
	assert_int_equal(pids[2], 160);
	assert_int_equal(pids[3], 170);
	/* 100 (pass 0) and its three descendants; 200 was not read again */
	assert_int_equal(stats(fk).procs_scanned, 5 + 4);
}

static void test_stale_fd_repointed(void **state)
{
	struct fake *fk = *state;
	pid_t pids[8] = { 0 };

	mk_simple(fk, 100, "old");
	tl_fake_sock(fk->root, 100, 3, 12345);
	open_pm(fk);
	assert_int_equal(procmap_find_inode(fk->pm, 12345, -1, pids, 8), 1);
	assert_int_equal(pids[0], 100);

	/* fd 3 closed and reused for another socket; a new process has 12345 */
	tl_fake_sock(fk->root, 100, 3, 999);
	mk_simple(fk, 400, "new");
	tl_fake_sock(fk->root, 400, 7, 12345);

	assert_int_equal(procmap_find_inode(fk->pm, 12345, -1, pids, 8), 1);
	assert_int_equal(pids[0], 400);
	assert_int_equal(stats(fk).stale, 1);
	assert_int_equal(stats(fk).scans, 2);
	assert_int_equal(stats(fk).hits, 0);
}

static void test_stale_pid_gone(void **state)
{
	struct fake *fk = *state;
	pid_t pids[8] = { 0 };

	mk_simple(fk, 100, "a");
	tl_fake_sock(fk->root, 100, 3, 12345);
	mk_simple(fk, 101, "b");
	tl_fake_sock(fk->root, 101, 3, 12345);
	open_pm(fk);
	assert_int_equal(procmap_find_inode(fk->pm, 12345, -1, pids, 8), 2);

	/* one holder exits: the other is still a valid cached answer */
	tl_fake_rm(fk->root, 100, NULL);
	assert_int_equal(procmap_find_inode(fk->pm, 12345, -1, pids, 8), 1);
	assert_int_equal(pids[0], 101);
	assert_int_equal(stats(fk).stale, 1);
	assert_int_equal(stats(fk).hits, 1);

	/* both gone: rescan, nothing */
	tl_fake_rm(fk->root, 101, NULL);
	assert_int_equal(procmap_find_inode(fk->pm, 12345, -1, pids, 8), 0);
	assert_int_equal(stats(fk).stale, 2);
	assert_int_equal(stats(fk).scans, 2);

	/* pid 100 recycled by a process holding a different socket on fd 3 */
	mk_simple(fk, 100, "recycled");
	tl_fake_sock(fk->root, 100, 3, 54321);
	assert_int_equal(procmap_find_inode(fk->pm, 12345, -1, pids, 8), 0);
}

static void test_uid_order_same_answer(void **state)
{
	struct fake *fk = *state;
	long long me = (long long)geteuid();
	long long uids[] = { -1, me, me + 1 };
	pid_t pids[8];
	unsigned int i;

	mk_simple(fk, 100, "a");
	tl_fake_sock(fk->root, 100, 3, 1);
	mk_simple(fk, 200, "b");
	tl_fake_sock(fk->root, 200, 3, 2);
	tl_fake_sock(fk->root, 200, 4, 3);
	mk_simple(fk, 300, "c");
	tl_fake_sock(fk->root, 300, 4, 3);

	/* fake dirs all belong to us: pass 1 or pass 2 must not matter */
	for (i = 0; i < sizeof(uids) / sizeof(uids[0]); i++) {
		struct procmap *pm = procmap_new(fk->root);

		assert_non_null(pm);
		memset(pids, 0, sizeof(pids));
		assert_int_equal(procmap_find_inode(pm, 3, uids[i], pids, 8), 2);
		assert_int_equal(pids[0], 200);
		assert_int_equal(pids[1], 300);
		assert_int_equal(procmap_find_inode(pm, 1, uids[i], pids, 8), 1);
		assert_int_equal(pids[0], 100);
		assert_int_equal(procmap_find_inode(pm, 77, uids[i], pids, 8), 0);
		procmap_free(pm);
	}
}

static void test_uid_first_pass(void **state)
{
	struct fake *fk = *state;
	char path[256];
	pid_t pids[8] = { 0 };

	if (geteuid() != 0) {
		skip();		/* needs chown to give a fake process another owner */
		return;
	}
	mk_simple(fk, 100, "mine");
	tl_fake_sock(fk->root, 100, 3, 31);
	mk_simple(fk, 200, "theirs");
	tl_fake_sock(fk->root, 200, 3, 32);
	snprintf(path, sizeof(path), "%s/200", fk->root);
	assert_int_equal(chown(path, 4242, 4242), 0);
	open_pm(fk);

	/* found among uid 4242's processes: the others are not read */
	assert_int_equal(procmap_find_inode(fk->pm, 32, 4242, pids, 8), 1);
	assert_int_equal(pids[0], 200);
	assert_int_equal(stats(fk).procs_scanned, 1);
	/* not among them: everyone else is read after all */
	assert_int_equal(procmap_find_inode(fk->pm, 31, 4242, pids, 8), 1);
	assert_int_equal(pids[0], 100);
	assert_int_equal(stats(fk).procs_scanned, 3);
}

static void test_non_numeric_ignored(void **state)
{
	struct fake *fk = *state;
	const char *names[] = { "self", "net", "01", "-5", "12a", "99999999999" };
	char path[256];
	pid_t pids[8] = { 0 };
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", fk->root, names[i]);
		assert_int_equal(mkdir(path, 0755), 0);
		snprintf(path, sizeof(path), "%s/%s/fd", fk->root, names[i]);
		assert_int_equal(mkdir(path, 0755), 0);
		snprintf(path, sizeof(path), "%s/%s/fd/3", fk->root, names[i]);
		assert_int_equal(symlink("socket:[4242]", path), 0);
	}
	tl_fake_file(fk->root, 0, "77", "not a dir", 9);
	mk_simple(fk, 100, "real");
	tl_fake_sock(fk->root, 100, 3, 4242);
	mk_fd(fk, 100, 4, "socket:[4243]");
	snprintf(path, sizeof(path), "%s/100/fd/0x5", fk->root);
	assert_int_equal(symlink("socket:[4244]", path), 0);
	open_pm(fk);

	assert_int_equal(procmap_find_inode(fk->pm, 4242, -1, pids, 8), 1);
	assert_int_equal(pids[0], 100);
	assert_int_equal(stats(fk).procs_scanned, 1);
	assert_int_equal(procmap_find_inode(fk->pm, 4244, -1, pids, 8), 0);
}

static void test_unreadable_fd_dir(void **state)
{
	struct fake *fk = *state;
	char path[256];
	pid_t pids[8] = { 0 };

	if (geteuid() == 0) {
		skip();		/* root reads through mode 000 */
		return;
	}
	mk_simple(fk, 600, "hidden");
	tl_fake_sock(fk->root, 600, 3, 31337);
	mk_simple(fk, 601, "visible");
	tl_fake_sock(fk->root, 601, 3, 31337);
	snprintf(path, sizeof(path), "%s/600/fd", fk->root);
	assert_int_equal(chmod(path, 0), 0);
	open_pm(fk);

	assert_int_equal(procmap_find_inode(fk->pm, 31337, -1, pids, 8), 1);
	assert_int_equal(pids[0], 601);
	assert_int_equal(chmod(path, 0755), 0);
}

static void test_many_sockets_evicted(void **state)
{
	struct fake *fk = *state;
	pid_t pids[4];
	unsigned long long ino;

	/* more sockets than cache places: eviction must never mislead */
	mk_simple(fk, 700, "busy");
	mk_simple(fk, 701, "busy2");
	for (ino = 1; ino <= 5000; ino++)
		tl_fake_sock(fk->root, ino % 3 ? 700 : 701, (int)ino + 2, 100000 + ino);
	open_pm(fk);

	for (ino = 1; ino <= 5000; ino += 250) {
		assert_int_equal(procmap_find_inode(fk->pm, 100000 + ino, -1, pids, 4), 1);
		assert_int_equal(pids[0], ino % 3 ? 700 : 701);
	}
	assert_true(stats(fk).hits > 0);
	assert_true(stats(fk).scans < 20);
}

static void test_read_proc_fields(void **state)
{
	static const char cmd[] = "dig\0@127.0.0.1\0example.test\0";
	struct fake *fk = *state;
	struct resolver_proc p;

	mk_proc(fk, 1234, 1234, 77, 1000, 100, "dig", "/usr/bin/dig",
		cmd, sizeof(cmd) - 1);
	open_pm(fk);

	memset(&p, 0x55, sizeof(p));
	assert_int_equal(procmap_read_proc(fk->pm, 1234, &p), 0);
	assert_int_equal(p.pid, 1234);
	assert_int_equal(p.ppid, 77);
	assert_int_equal(p.uid, 1000);	/* real uid, not the euid 1001 */
	assert_int_equal(p.gid, 100);
	assert_string_equal(p.comm, "dig");
	assert_string_equal(p.exe, "/usr/bin/dig");
	assert_int_equal(p.cmdline_len, 28);
	assert_memory_equal(p.cmdline, "dig\0@127.0.0.1\0example.test\0", 28);
}

static void test_read_proc_thread(void **state)
{
	struct fake *fk = *state;
	struct resolver_proc p;

	/* dig sends from a thread; the process is named after its leader */
	mk_proc(fk, 500, 500, 1, 0, 0, "dig", "/usr/bin/dig", "dig\0", 4);
	mk_proc(fk, 501, 500, 1, 0, 0, "isc-net-0000", "/usr/bin/dig", "dig\0", 4);
	open_pm(fk);

	assert_int_equal(procmap_read_proc(fk->pm, 501, &p), 0);
	assert_int_equal(p.pid, 500);
	assert_string_equal(p.comm, "dig");
}

static void test_read_proc_odd(void **state)
{
	struct fake *fk = *state;
	struct resolver_proc p;
	char big[3000];

	/* kernel thread: no exe, empty cmdline */
	mk_proc(fk, 2, 2, 0, 0, 0, "kthreadd", NULL, "", 0);
	/* argv longer than the buffer, exe of a deleted binary */
	memset(big, 'a', sizeof(big));
	mk_proc(fk, 3, 3, 2, 5, 6, "long", "/tmp/x (deleted)", big, sizeof(big));
	open_pm(fk);

	assert_int_equal(procmap_read_proc(fk->pm, 2, &p), 0);
	assert_string_equal(p.comm, "kthreadd");
	assert_string_equal(p.exe, "");
	assert_int_equal(p.cmdline_len, 0);
	assert_int_equal(p.ppid, 0);

	assert_int_equal(procmap_read_proc(fk->pm, 3, &p), 0);
	assert_string_equal(p.exe, "/tmp/x (deleted)");
	assert_int_equal(p.cmdline_len, RESOLVER_CMDLINE_MAX - 1);
	assert_int_equal(p.cmdline[RESOLVER_CMDLINE_MAX - 1], '\0');
	assert_int_equal(p.uid, 5);
	assert_int_equal(p.gid, 6);
}

static void test_read_proc_gone(void **state)
{
	struct fake *fk = *state;
	struct resolver_proc p;

	mk_simple(fk, 100, "x");
	mk_proc(fk, 101, 100, 1, 0, 0, "thread", NULL, "", 0);
	mk_simple(fk, 102, "bad");
	tl_fake_file(fk->root, 102, "status", "Name:\tbad\nTgid:\tnope\n", 21);
	open_pm(fk);

	errno = 0;
	assert_int_equal(procmap_read_proc(fk->pm, 4321, &p), -1);
	assert_int_equal(errno, ESRCH);

	/* the thread remains but its leader is gone */
	tl_fake_rm(fk->root, 100, NULL);
	errno = 0;
	assert_int_equal(procmap_read_proc(fk->pm, 101, &p), -1);
	assert_int_equal(errno, ESRCH);

	errno = 0;
	assert_int_equal(procmap_read_proc(fk->pm, 102, &p), -1);
	assert_int_equal(errno, EPROTO);
}

/* What a racing exit leaves: the fd found by the scan, then files gone. */
static void rm_files(struct fake *fk, int pid, const char *const *names)
{
	for (; *names; names++)
		tl_fake_rm(fk->root, pid, *names);
}

static void test_exit_mid_lookup(void **state)
{
	static const char *const status[] = { "status", NULL };
	static const char *const comm[] = { "comm", NULL };
	static const char *const rest[] = { "cmdline", "exe", NULL };
	struct fake *fk = *state;
	struct resolver_proc p;
	pid_t pids[4];

	mk_simple(fk, 100, "dig");
	tl_fake_sock(fk->root, 100, 3, 4242);
	mk_simple(fk, 101, "curl");
	tl_fake_sock(fk->root, 101, 3, 4343);
	open_pm(fk);
	assert_int_equal(procmap_find_inode(fk->pm, 4242, -1, pids, 4), 1);
	assert_int_equal(pids[0], 100);

	/* gone between the fd scan and the details: ESRCH, nothing half-read */
	rm_files(fk, 100, status);
	errno = 0;
	memset(&p, 0x55, sizeof(p));
	assert_int_equal(procmap_read_proc(fk->pm, 100, &p), -1);
	assert_int_equal(errno, ESRCH);

	/* status read, then comm gone: the same */
	assert_int_equal(procmap_find_inode(fk->pm, 4343, -1, pids, 4), 1);
	rm_files(fk, 101, comm);
	errno = 0;
	assert_int_equal(procmap_read_proc(fk->pm, 101, &p), -1);
	assert_int_equal(errno, ESRCH);

	/* the whole directory gone: the cached place is stale, no holder */
	tl_fake_rm(fk->root, 100, NULL);
	assert_int_equal(procmap_find_inode(fk->pm, 4242, -1, pids, 4), 0);
	assert_int_equal(procmap_read_proc(fk->pm, 100, &p), -1);
	assert_int_equal(errno, ESRCH);

	/* a zombie-like entry (no cmdline, no exe) is still named */
	mk_simple(fk, 102, "zombie");
	tl_fake_sock(fk->root, 102, 4, 4444);
	rm_files(fk, 102, rest);
	assert_int_equal(procmap_find_inode(fk->pm, 4444, -1, pids, 4), 1);
	assert_int_equal(procmap_read_proc(fk->pm, 102, &p), 0);
	assert_string_equal(p.comm, "zombie");
	assert_string_equal(p.exe, "");
	assert_int_equal(p.cmdline_len, 0);
}

/*
 * The resolver with a real socket (sock_diag finds it) and a fake /proc
 * whose holder exits mid-lookup: "unknown" with a reason and the inode.
 */
static void test_resolver_holder_exits(void **state)
{
	static const char *const status[] = { "status", NULL };
	struct fake *fk = *state;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct resolver_result res;
	struct pkt_info pkt;
	struct resolver *r;
	socklen_t salen = sizeof(sa);
	struct stat st;
	char path[256];
	int fd;


	/* the resolver also opens <root>/net */
	snprintf(path, sizeof(path), "%s/net", fk->root);
	assert_int_equal(mkdir(path, 0755), 0);
	r = resolver_new(fk->root);
	if (!r)
		skip();		/* no sock_diag here */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &salen), 0);
	assert_int_equal(fstat(fd, &st), 0);

	memset(&pkt, 0, sizeof(pkt));
	pkt.src.family = pkt.dst.family = AF_INET;
	pkt.src.u.v4 = sa.sin_addr;
	pkt.dst.u.v4.s_addr = htonl(INADDR_LOOPBACK);
	pkt.proto = IPPROTO_UDP;
	pkt.has_ports = true;
	pkt.sport = ntohs(sa.sin_port);
	pkt.dport = 9;

	mk_simple(fk, 100, "dig");
	tl_fake_sock(fk->root, 100, 3, (unsigned long long)st.st_ino);
	rm_files(fk, 100, status);
	assert_int_equal(resolver_lookup(r, &pkt, 1000, 1000, UINT64_MAX, &res), -1);
	assert_int_equal(res.n_procs, 0);
	assert_true(res.has_inode);
	assert_int_equal(res.inode, st.st_ino);
	assert_true(res.has_uid);
	assert_int_equal(res.uid, 1000);
	assert_non_null(res.problem);
	assert_non_null(strstr(res.problem, "exited"));

	/* the same lookup with the process whole names it: the path works */
	tl_fake_rm(fk->root, 100, NULL);
	mk_simple(fk, 100, "dig");
	tl_fake_sock(fk->root, 100, 3, (unsigned long long)st.st_ino);
	assert_int_equal(resolver_lookup(r, &pkt, 1000, 1000, UINT64_MAX, &res), 0);
	assert_int_equal(res.n_procs, 1);
	assert_int_equal(res.procs[0].pid, 100);
	assert_string_equal(res.procs[0].comm, "dig");

	close(fd);
	resolver_free(r);
}

/*
 * Candidates that name a process without a socket (what a send-time
 * record gives): read through the process cache, and left out when gone
 * or when the pid now has another start time (recycled).
 */
static void test_resolver_candidates(void **state)
{
	struct fake *fk = *state;
	struct rs_when w = { .queued_by = UINT64_MAX, .now = 1 };
	struct rs_cand c[4] = {
		{ .pid = 4321, .fd = -1 },			/* gone */
		{ .pid = 100, .fd = -1, .start = 999 },		/* recycled */
		{ .pid = 200, .fd = -1, .start = 12345 },
		{ .pid = 100, .fd = -1 },			/* start unknown */
	};
	struct resolver_result res;
	struct resolver *r;
	char path[256];

	snprintf(path, sizeof(path), "%s/net", fk->root);
	assert_int_equal(mkdir(path, 0755), 0);
	r = resolver_new(fk->root);
	if (!r)
		skip();		/* no sock_diag here */
	mk_simple(fk, 100, "dig");
	mk_simple(fk, 200, "curl");
	memset(&res, 0, sizeof(res));
	res.uid = 1000;
	res.gid = (gid_t)-1;
	assert_int_equal(rs_attribute(r, c, 4, &w, &res), 2);
	assert_int_equal(res.n_procs, 2);
	assert_int_equal(res.procs[0].pid, 200);
	assert_int_equal(res.procs[0].start, 12345);
	assert_string_equal(res.procs[1].comm, "dig");
	assert_int_equal(c[0].pid, 200);	/* only those added are kept */
	assert_int_equal(c[1].pid, 100);
	assert_int_equal(res.gid, 1000);	/* the holder's, same user */
	resolver_free(r);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_bad_root),
		T(test_single_holder),
		T(test_shared_sorted),
		T(test_absent_inode),
		T(test_fresh_after),
		T(test_cache_hit),
		T(test_new_socket_of_known_process),
		T(test_new_socket_shared_by_fork),
		T(test_stale_fd_repointed),
		T(test_stale_pid_gone),
		T(test_uid_order_same_answer),
		T(test_uid_first_pass),
		T(test_non_numeric_ignored),
		T(test_unreadable_fd_dir),
		T(test_many_sockets_evicted),
		T(test_read_proc_fields),
		T(test_read_proc_thread),
		T(test_read_proc_odd),
		T(test_read_proc_gone),
		T(test_exit_mid_lookup),
		T(test_resolver_holder_exits),
		T(test_resolver_candidates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
