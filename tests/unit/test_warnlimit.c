/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for warnlimit, with the clock injected. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "warnlimit.h"

#define MS 1000000ull

static void test_one_per_interval(void **state)
{
	struct warnlimit w;
	unsigned long long held = 99;
	uint64_t t0 = 5000 * MS;
	int i;

	(void)state;
	warnlimit_init(&w, 10000);
	assert_true(warnlimit_allow(&w, 0, t0, &held));
	assert_int_equal(held, 0);
	for (i = 1; i <= 50; i++)
		assert_false(warnlimit_allow(&w, 0, t0 + i * 100 * MS, &held));
	assert_int_equal(held, 0);
	/* 9999 ms later: still within the interval */
	assert_false(warnlimit_allow(&w, 0, t0 + 9999 * MS, &held));
	/* at 10 s the next one goes out and tells how many were held back */
	assert_true(warnlimit_allow(&w, 0, t0 + 10000 * MS, &held));
	assert_int_equal(held, 51);
	assert_false(warnlimit_allow(&w, 0, t0 + 10001 * MS, &held));
	assert_true(warnlimit_allow(&w, 0, t0 + 60000 * MS, &held));
	assert_int_equal(held, 1);
	assert_true(warnlimit_allow(&w, 0, t0 + 120000 * MS, &held));
	assert_int_equal(held, 0);
}

static void test_kinds_apart(void **state)
{
	struct warnlimit w;
	unsigned long long held;

	(void)state;
	warnlimit_init(&w, 1000);
	/* a clock that starts at 0 must not swallow the first warning */
	assert_true(warnlimit_allow(&w, 1, 0, &held));
	assert_true(warnlimit_allow(&w, 2, 0, &held));
	assert_false(warnlimit_allow(&w, 1, 1, &held));
	assert_false(warnlimit_allow(&w, 1, 2, &held));
	assert_false(warnlimit_allow(&w, 2, 3, &held));
	assert_int_equal(warnlimit_take(&w, 1), 2);
	assert_int_equal(warnlimit_take(&w, 1), 0);
	assert_int_equal(warnlimit_take(&w, 2), 1);
	/* out of range: never limited, never counted */
	assert_true(warnlimit_allow(&w, WARNLIMIT_KINDS, 5, &held));
	assert_true(warnlimit_allow(&w, WARNLIMIT_KINDS, 6, &held));
	assert_int_equal(held, 0);
	assert_int_equal(warnlimit_take(&w, WARNLIMIT_KINDS), 0);
}

static void test_zero_interval(void **state)
{
	struct warnlimit w;
	unsigned long long held;

	(void)state;
	warnlimit_init(&w, 0);
	assert_true(warnlimit_allow(&w, 0, 7, &held));
	assert_true(warnlimit_allow(&w, 0, 7, &held));
	assert_int_equal(held, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_per_interval),
		cmocka_unit_test(test_kinds_apart),
		cmocka_unit_test(test_zero_interval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
