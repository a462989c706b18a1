/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for safefile: what a local user can plant where ptrap writes.
 * The cases with another user's files need root (chown); without it they
 * are skipped, the rest still run.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "safefile.h"

#define OTHER_UID	65534

struct dirs {
	char shared[64];	/* 1777, as /tmp */
	char private[64];	/* 0755, ours */
};

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *get(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	struct dirs *d = calloc(1, sizeof(*d));
	char top[] = "/tmp/ptrap-safefile.XXXXXX";

	if (!d || !mkdtemp(top))
		return -1;
	snprintf(d->shared, sizeof(d->shared), "%s/s", top);
	snprintf(d->private, sizeof(d->private), "%s/p", top);
	if (mkdir(d->shared, 0700) < 0 || chmod(d->shared, 01777) < 0 ||
	    mkdir(d->private, 0755) < 0)
		return -1;
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dirs *d = *state;
	char cmd[200];

	/* the dirs hold only what the tests made */
	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strrchr(d->shared, '/') - d->shared),
		 d->shared);
	if (system(cmd) != 0)
		return -1;
	free(d);
	return 0;
}

static void path_in(char *buf, size_t len, const char *dir, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void test_new_file_mode(void **state)
{
	struct dirs *d = *state;
	char p[128];
	struct stat st;
	struct safefile_id id;
	const char *why = "x";
	int fd;

	path_in(p, sizeof(p), d->private, "new.pcapng");
	fd = safefile_open(p, false, 0600, &id, &why);
	assert_true(fd >= 0);
	assert_null(why);
	assert_true(id.valid);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

static void test_symlink_refused(void **state)
{
	struct dirs *d = *state;
	char p[128], target[128], buf[64];
	const char *why = NULL;

	path_in(target, sizeof(target), d->private, "victim");
	put(target, "precious");
	path_in(p, sizeof(p), d->shared, "link.pcapng");
	assert_int_equal(symlink(target, p), 0);
	assert_int_equal(safefile_open(p, false, 0600, NULL, &why), -1);
	assert_int_equal(errno, EPERM);
	assert_non_null(why);
	assert_non_null(strstr(why, "symbolic link"));
	assert_string_equal(get(target, buf, sizeof(buf)), "precious");
	/* appending (SIGHUP) is refused as well */
	assert_int_equal(safefile_open(p, true, 0600, NULL, &why), -1);
	assert_string_equal(get(target, buf, sizeof(buf)), "precious");
}

static void test_hardlink_refused(void **state)
{
	struct dirs *d = *state;
	char p[128], target[128], buf[64];
	const char *why = NULL;

	path_in(target, sizeof(target), d->private, "victim2");
	put(target, "precious");
	path_in(p, sizeof(p), d->private, "hard.pcapng");
	assert_int_equal(link(target, p), 0);
	assert_int_equal(safefile_open(p, false, 0600, NULL, &why), -1);
	assert_non_null(strstr(why, "hard links"));
	assert_string_equal(get(target, buf, sizeof(buf)), "precious");
}

static void test_own_file_truncated_and_tightened(void **state)
{
	struct dirs *d = *state;
	char p[128], buf[64];
	struct stat st;
	int fd;

	path_in(p, sizeof(p), d->private, "old.pcapng");
	put(p, "old contents");
	assert_int_equal(chmod(p, 0644), 0);
	fd = safefile_open(p, false, 0600, NULL, NULL);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	close(fd);
	/* append keeps what is there */
	put(p, "section one");
	fd = safefile_open(p, true, 0600, NULL, NULL);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "+", 1), 1);
	close(fd);
	assert_string_equal(get(p, buf, sizeof(buf)), "section one+");
}

static void test_planted_file_refused(void **state)
{
	struct dirs *d = *state;
	char p[128], buf[64];
	const char *why = NULL;
	int fd;

	if (geteuid() != 0)
		skip();
	path_in(p, sizeof(p), d->shared, "planted.pcapng");
	put(p, "theirs");
	assert_int_equal(chown(p, OTHER_UID, OTHER_UID), 0);
	assert_int_equal(safefile_open(p, false, 0600, NULL, &why), -1);
	assert_non_null(strstr(why, "another user"));
	assert_string_equal(get(p, buf, sizeof(buf)), "theirs");
	/* the same file in a directory only root can write: the admin's call */
	path_in(p, sizeof(p), d->private, "theirs.pcapng");
	put(p, "theirs");
	assert_int_equal(chown(p, OTHER_UID, OTHER_UID), 0);
	fd = safefile_open(p, false, 0600, NULL, &why);
	assert_true(fd >= 0);
	close(fd);
}

static void *fifo_reader(void *arg)
{
	char buf[16];
	int fd = open(arg, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == 3 ? arg : NULL;
}

static void test_fifo(void **state)
{
	struct dirs *d = *state;
	char p[128];
	const char *why = NULL;
	pthread_t t;
	void *ok = NULL;
	int fd;

	/* ours: opened once a reader comes, as tcpdump -w FIFO does */
	path_in(p, sizeof(p), d->private, "pipe");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(pthread_create(&t, NULL, fifo_reader, p), 0);
	fd = safefile_open(p, false, 0600, NULL, &why);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	close(fd);
	assert_int_equal(pthread_join(t, &ok), 0);
	assert_ptr_equal(ok, p);

	if (geteuid() != 0)
		skip();
	/* someone else's, in /tmp, with no reader: refused, and no hang */
	path_in(p, sizeof(p), d->shared, "theirpipe");
	assert_int_equal(mkfifo(p, 0666), 0);
	assert_int_equal(chown(p, OTHER_UID, OTHER_UID), 0);
	assert_int_equal(safefile_open(p, false, 0600, NULL, &why), -1);
	assert_non_null(strstr(why, "another user"));
}

static void test_unlink_only_ours(void **state)
{
	struct dirs *d = *state;
	char p[128], buf[64];
	struct safefile_id id;
	int fd;

	path_in(p, sizeof(p), d->shared, "ring0");
	fd = safefile_open(p, false, 0600, &id, NULL);
	assert_true(fd >= 0);
	/*
	 * Replaced under the same name: that file stays.  (fd stays open
	 * until then, so the new file cannot get the freed inode number.)
	 */
	assert_int_equal(unlink(p), 0);
	put(p, "planted");
	close(fd);
	assert_int_equal(safefile_unlink_ours(p, &id), -1);
	assert_int_equal(errno, ESTALE);
	assert_string_equal(get(p, buf, sizeof(buf)), "planted");
	assert_int_equal(unlink(p), 0);
	/* still ours: removed */
	fd = safefile_open(p, false, 0600, &id, NULL);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(safefile_unlink_ours(p, &id), 0);
	assert_int_equal(access(p, F_OK), -1);
	/* never made by us: never removed */
	put(p, "x");
	id.valid = false;
	assert_int_equal(safefile_unlink_ours(p, &id), -1);
	assert_int_equal(access(p, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_file_mode),
		cmocka_unit_test(test_symlink_refused),
		cmocka_unit_test(test_hardlink_refused),
		cmocka_unit_test(test_own_file_truncated_and_tightened),
		cmocka_unit_test(test_planted_file_refused),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_unlink_only_ours),
	};

	umask(022);
	return cmocka_run_group_tests(tests, setup, teardown);
}
