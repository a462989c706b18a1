/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for usernames: the cache, its time-to-live, unknown ids, NSS itself. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "usernames.h"

#define SEC	1000000000ull

/* A directory of a few users and groups that counts what it is asked. */
struct fake_dir {
	unsigned int user_calls, group_calls;
	bool down;			/* the directory server is unreachable */
};

static int fake_user(void *arg, uid_t uid, char *buf, size_t len)
{
	struct fake_dir *d = arg;
	const char *name = NULL;

	d->user_calls++;
	if (d->down) {
		errno = EIO;
		return -1;
	}
	if (uid == 0)
		name = "root";
	else if (uid == 1000)
		name = "alice";
	else if (uid == 1001)
		name = "bob\n[fake] line";	/* a directory can hold anything */
	else if (uid >= 5000 && uid < 7000)
		name = "many";
	else if (uid == 1002)
		name = "a-very-long-directory-user-name-that-does-not-fit-into-64-bytes-at-all";
	if (!name)
		return 0;
	if (strlen(name) >= len)
		return 0;
	strcpy(buf, name);
	return 1;
}

static int fake_group(void *arg, gid_t gid, char *buf, size_t len)
{
	struct fake_dir *d = arg;

	d->group_calls++;
	if (gid != 1000 || len < 6)
		return 0;
	strcpy(buf, "staff");
	return 1;
}

static struct usernames *fake_new(struct fake_dir *d, unsigned int size, uint64_t ttl)
{
	struct usernames_source src = { fake_user, fake_group, d };
	struct usernames *un = usernames_new(&src, size, ttl);

	assert_non_null(un);
	return un;
}

static void test_names_cached(void **state)
{
	struct fake_dir d = { 0 };
	struct usernames *un = fake_new(&d, 64, 60 * SEC);
	struct usernames_stats st;
	char buf[USERNAMES_NAME_MAX];

	(void)state;
	assert_int_equal(usernames_user(un, 1000, 1 * SEC, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "alice");
	assert_int_equal(usernames_user(un, 1000, 2 * SEC, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "alice");
	assert_int_equal(d.user_calls, 1);
	/* the same number as a group is another question */
	assert_int_equal(usernames_group(un, 1000, 2 * SEC, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "staff");
	assert_int_equal(d.group_calls, 1);
	assert_int_equal(usernames_group(un, 1000, 3 * SEC, buf, sizeof(buf)), 1);
	assert_int_equal(d.group_calls, 1);
	usernames_stats(un, &st);
	assert_int_equal(st.lookups, 2);
	assert_int_equal(st.hits, 2);
	usernames_free(un);
}

static void test_ttl(void **state)
{
	struct fake_dir d = { 0 };
	struct usernames *un = fake_new(&d, 64, 60 * SEC);
	char buf[USERNAMES_NAME_MAX];

	(void)state;
	assert_int_equal(usernames_user(un, 0, 100 * SEC, buf, sizeof(buf)), 1);
	assert_int_equal(usernames_user(un, 0, 159 * SEC, buf, sizeof(buf)), 1);
	assert_int_equal(d.user_calls, 1);
	/* renamed in the directory: seen once the answer has aged out */
	assert_int_equal(usernames_user(un, 0, 160 * SEC, buf, sizeof(buf)), 1);
	assert_int_equal(d.user_calls, 2);
	usernames_free(un);
}

static void test_unknown_is_cached_too(void **state)
{
	struct fake_dir d = { 0 };
	struct usernames *un = fake_new(&d, 64, 60 * SEC);
	struct usernames_stats st;
	char buf[USERNAMES_NAME_MAX];

	(void)state;
	assert_int_equal(usernames_user(un, 4242, 1 * SEC, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "4242");
	assert_int_equal(usernames_user(un, 4242, 30 * SEC, buf, sizeof(buf)), 0);
	assert_int_equal(d.user_calls, 1);
	assert_int_equal(usernames_user(un, 4242, 61 * SEC, buf, sizeof(buf)), 0);
	assert_int_equal(d.user_calls, 2);
	assert_int_equal(usernames_group(un, 4294967295u, 1 * SEC, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "4294967295");
	usernames_stats(un, &st);
	assert_int_equal(st.unknown, 3);
	assert_int_equal(st.failures, 0);
	usernames_free(un);
}

static void test_failure_retried_sooner(void **state)
{
	struct fake_dir d = { .down = true };
	struct usernames *un = fake_new(&d, 64, 60 * SEC);
	struct usernames_stats st;
	char buf[USERNAMES_NAME_MAX];

	(void)state;
	assert_int_equal(usernames_user(un, 1000, 10 * SEC, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1000");
	/* not asked per packet while it is down ... */
	assert_int_equal(usernames_user(un, 1000, 14 * SEC, buf, sizeof(buf)), 0);
	assert_int_equal(d.user_calls, 1);
	/* ... but again after USERNAMES_RETRY_MAX, not after the whole ttl */
	d.down = false;
	assert_int_equal(usernames_user(un, 1000, 10 * SEC + USERNAMES_RETRY_MAX, buf,
					sizeof(buf)), 1);
	assert_string_equal(buf, "alice");
	assert_int_equal(d.user_calls, 2);
	usernames_stats(un, &st);
	assert_int_equal(st.failures, 1);
	usernames_free(un);
}

static void test_odd_names(void **state)
{
	struct fake_dir d = { 0 };
	struct usernames *un = fake_new(&d, 64, 60 * SEC);
	char buf[USERNAMES_NAME_MAX], tiny[3];

	(void)state;
	/* as the directory has it: escaping is the printer's job */
	assert_int_equal(usernames_user(un, 1001, 1, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "bob\n[fake] line");
	/* too long to keep: its number, not a cut name */
	assert_int_equal(usernames_user(un, 1002, 1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1002");
	errno = 0;
	assert_int_equal(usernames_user(un, 1000, 1, tiny, sizeof(tiny)), -1);
	assert_int_equal(errno, ENOSPC);
	assert_string_equal(tiny, "");
	usernames_free(un);
}

static void test_bounded(void **state)
{
	struct fake_dir d = { 0 };
	struct usernames *un = fake_new(&d, 16, 60 * SEC);
	char buf[USERNAMES_NAME_MAX];
	uid_t uid;

	(void)state;
	for (uid = 5000; uid < 7000; uid++) {
		assert_int_equal(usernames_user(un, uid, 1 * SEC, buf, sizeof(buf)), 1);
		assert_string_equal(buf, "many");
	}
	assert_int_equal(d.user_calls, 2000);
	/* 16 entries: the first ones are long gone and asked again */
	assert_int_equal(usernames_user(un, 5000, 2 * SEC, buf, sizeof(buf)), 1);
	assert_int_equal(d.user_calls, 2001);
	/* and the most recent one is still there */
	assert_int_equal(usernames_user(un, 6999, 2 * SEC, buf, sizeof(buf)), 1);
	assert_int_equal(d.user_calls, 2001);
	usernames_free(un);
}

/* The real NSS: this machine's passwd and group, through nsswitch.conf. */
static void test_nss(void **state)
{
	struct usernames *un = usernames_new(NULL, 64, 60 * SEC);
	char buf[USERNAMES_NAME_MAX];
	struct passwd *pw;
	struct group *gr;

	(void)state;
	assert_non_null(un);
	assert_int_equal(usernames_user(un, 0, 1, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "root");
	assert_int_equal(usernames_group(un, 0, 1, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "root");
	pw = getpwuid(65534);
	if (pw) {
		assert_int_equal(usernames_user(un, 65534, 1, buf, sizeof(buf)), 1);
		assert_string_equal(buf, pw->pw_name);
	}
	gr = getgrgid(65534);
	if (gr) {
		assert_int_equal(usernames_group(un, 65534, 1, buf, sizeof(buf)), 1);
		assert_string_equal(buf, gr->gr_name);
	}
	/* nobody has this uid here */
	assert_null(getpwuid(3999999999u));
	assert_int_equal(usernames_user(un, 3999999999u, 1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "3999999999");
	usernames_free(un);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_cached),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_unknown_is_cached_too),
		cmocka_unit_test(test_failure_retried_sooner),
		cmocka_unit_test(test_odd_names),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_nss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
