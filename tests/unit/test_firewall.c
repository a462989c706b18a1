/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for firewall's pure parts: whether iptables' listing shows a
 * chain (or cannot tell), and the queue lock in a private directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "firewall.h"

#define CHAIN "PTRAP-Q0"

/* What iptables-nft 1.8.9 printed in a namespace with our chain. */
static const char listing[] =
	"-P PREROUTING ACCEPT\n"
	"-P OUTPUT ACCEPT\n"
	"-N PTRAP-Q0\n"
	"-N USERCHAIN\n"
	"-A OUTPUT -j PTRAP-Q0\n";

static void test_chain_present(void **state)
{
	(void)state;
	assert_int_equal(fw_ipt_chain_state(0, listing, true, CHAIN), FW_CHAIN_PRESENT);
	/* found before the cut: still known */
	assert_int_equal(fw_ipt_chain_state(0, listing, false, CHAIN), FW_CHAIN_PRESENT);
	/* the last line without its newline, in a complete listing */
	assert_int_equal(fw_ipt_chain_state(0, "-P OUTPUT ACCEPT\n-N PTRAP-Q0", true, CHAIN),
			 FW_CHAIN_PRESENT);
}

static void test_chain_absent(void **state)
{
	(void)state;
	assert_int_equal(fw_ipt_chain_state(0, listing, true, "PTRAP-Q1"), FW_CHAIN_ABSENT);
	/* names that only start or end like ours */
	assert_int_equal(fw_ipt_chain_state(0, "-N PTRAP-Q01\n-N XPTRAP-Q0\n", true, CHAIN),
			 FW_CHAIN_ABSENT);
	assert_int_equal(fw_ipt_chain_state(0, "-N PTRAP-Q\n", true, CHAIN), FW_CHAIN_ABSENT);
	/* a jump is not the chain: only "-N" declares it */
	assert_int_equal(fw_ipt_chain_state(0, "-A OUTPUT -j PTRAP-Q0\n", true, CHAIN),
			 FW_CHAIN_ABSENT);
	assert_int_equal(fw_ipt_chain_state(0, "", true, CHAIN), FW_CHAIN_ABSENT);
}

static void test_chain_unknown(void **state)
{
	(void)state;
	/* iptables-nft 1.8.9 on a chain it cannot read (and on a missing one) */
	assert_int_equal(fw_ipt_chain_state(1,
		"iptables v1.8.9 (nf_tables): table `raw' is incompatible, use 'nft' tool.\n",
		true, CHAIN), FW_CHAIN_UNKNOWN);
	/* without CAP_NET_ADMIN */
	assert_int_equal(fw_ipt_chain_state(4,
		"iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: "
		"Permission denied (you must be root)\n", true, CHAIN), FW_CHAIN_UNKNOWN);
	/* a failure whose output happens to hold the name proves nothing */
	assert_int_equal(fw_ipt_chain_state(1, listing, true, CHAIN), FW_CHAIN_UNKNOWN);
	/* not run at all, killed (128 + signal), binary missing (127) */
	assert_int_equal(fw_ipt_chain_state(-1, NULL, true, CHAIN), FW_CHAIN_UNKNOWN);
	assert_int_equal(fw_ipt_chain_state(137, "", true, CHAIN), FW_CHAIN_UNKNOWN);
	assert_int_equal(fw_ipt_chain_state(127, "", true, CHAIN), FW_CHAIN_UNKNOWN);
	/* cut off before our line could appear */
	assert_int_equal(fw_ipt_chain_state(0, "-P PREROUTING ACCEPT\n-N PTR", false, CHAIN),
			 FW_CHAIN_UNKNOWN);
	/* a cut-off last line that looks like ours may continue */
	assert_int_equal(fw_ipt_chain_state(0, "-N PTRAP-Q0", false, CHAIN), FW_CHAIN_UNKNOWN);
}

/* --- the lock, in a directory of our own --- */

struct lockdir {
	char dir[64];
	char sub[96];		/* not created yet: fw_lock_queue makes it */
};

static int setup_dir(void **state)
{
	struct lockdir *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	snprintf(d->dir, sizeof(d->dir), "/tmp/ptrap-lock.XXXXXX");
	if (!mkdtemp(d->dir)) {
		free(d);
		return -1;
	}
	snprintf(d->sub, sizeof(d->sub), "%s/run", d->dir);
	*state = d;
	return 0;
}

static int teardown_dir(void **state)
{
	struct lockdir *d = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
	if (system(cmd) != 0)
		return -1;
	free(d);
	return 0;
}

static long file_pid(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtol(buf, NULL, 10);
}

static void test_lock_unlinks_on_unlock(void **state)
{
	struct lockdir *d = *state;
	struct fw_lock a, b, c;
	pid_t owner = -1;

	assert_int_equal(fw_lock_queue(&a, d->sub, 7, &owner), 0);
	assert_true(a.fd > 2);
	assert_int_equal(owner, 0);
	assert_int_equal(strncmp(a.path, d->sub, strlen(d->sub)), 0);
	assert_non_null(strstr(a.path, "/queue-7-net"));
	assert_int_equal(fw_lock_queue(&c, d->sub, 8, &owner), 0);	/* other queue */
	assert_string_not_equal(c.path, a.path);
	fw_unlock_queue(&c);
	assert_int_equal(file_pid(a.path), (long)getpid());
	assert_true(fcntl(a.fd, F_GETFD) & FD_CLOEXEC);

	/* a second open file description conflicts, even in this process */
	errno = 0;
	assert_int_equal(fw_lock_queue(&b, d->sub, 7, &owner), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	assert_int_equal(owner, getpid());
	assert_int_equal(b.fd, -1);
	fw_unlock_queue(&b);	/* not held: a no-op */
	assert_int_equal(access(a.path, F_OK), 0);

	fw_unlock_queue(&a);
	assert_int_equal(a.fd, -1);
	assert_int_equal(access(a.path, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	fw_unlock_queue(&a);	/* twice: harmless */

	/* and the queue can be locked again */
	assert_int_equal(fw_lock_queue(&a, d->sub, 7, &owner), 0);
	fw_unlock_queue(&a);
	assert_int_equal(access(a.path, F_OK), -1);
}

/* kill -9 leaves the file; the next instance takes it and removes it. */
static void test_lock_after_dead_owner(void **state)
{
	struct lockdir *d = *state;
	struct fw_lock a;
	pid_t owner, child;
	int status;

	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct fw_lock c;

		_exit(fw_lock_queue(&c, d->sub, 3, &owner) == 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	assert_int_equal(fw_lock_queue(&a, d->sub, 3, &owner), 0);
	assert_int_equal(file_pid(a.path), (long)getpid());
	fw_unlock_queue(&a);
	assert_int_equal(access(a.path, F_OK), -1);
}

/* The path names someone else's file now: unlock must leave it alone. */
static void test_unlock_spares_other_file(void **state)
{
	struct lockdir *d = *state;
	struct fw_lock a;
	char moved[200];
	pid_t owner;
	int fd;

	assert_int_equal(fw_lock_queue(&a, d->sub, 5, &owner), 0);
	snprintf(moved, sizeof(moved), "%s.moved", a.path);
	assert_int_equal(rename(a.path, moved), 0);
	fd = open(a.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);

	fw_unlock_queue(&a);
	assert_int_equal(access(a.path, F_OK), 0);
	/* what we held lost its pid text, not its name */
	assert_int_equal(access(moved, F_OK), 0);
	assert_int_equal(file_pid(moved), 0);
}

static void test_lock_path_too_long(void **state)
{
	struct lockdir *d = *state;
	char dir[200];
	struct fw_lock a;
	pid_t owner;
	int n;

	n = snprintf(dir, sizeof(dir), "%s/", d->dir);
	memset(dir + n, 'x', sizeof(dir) - n - 1);
	dir[sizeof(dir) - 1] = '\0';
	errno = 0;
	/* the directory can be made; the file name would be cut */
	assert_int_equal(fw_lock_queue(&a, dir, 0, &owner), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_int_equal(a.fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_present),
		cmocka_unit_test(test_chain_absent),
		cmocka_unit_test(test_chain_unknown),
		cmocka_unit_test_setup_teardown(test_lock_unlinks_on_unlock, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_lock_after_dead_owner, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_unlock_spares_other_file, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_lock_path_too_long, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
