/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for strbuf: the escaper shared by every text that carries untrusted names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "strbuf.h"

static const char *esc(const char *s, size_t n, const char *also)
{
	static char buf[256];
	struct strbuf b;

	sb_init(&b, buf, sizeof(buf));
	sb_escaped(&b, s, n, also);
	assert_true(sb_finish(&b) >= 0);
	return buf;
}

static void test_escaped_plain(void **state)
{
	(void)state;
	assert_string_equal(esc("dig", 3, NULL), "dig");
	assert_string_equal(esc("Web Content", 11, NULL), "Web Content");
	assert_string_equal(esc("", 0, NULL), "");
}

static void test_escaped_controls_and_high_bytes(void **state)
{
	static const char s[] = "a\nb\tc\rd\x1b[0m\x7f\x80\xff";

	(void)state;
	assert_string_equal(esc(s, sizeof(s) - 1, NULL),
			    "a\\nb\\tc\\x0dd\\x1b[0m\\x7f\\x80\\xff");
	/* a NUL inside the span is shown, not a terminator */
	assert_string_equal(esc("a\0b", 3, NULL), "a\\x00b");
}

static void test_escaped_also(void **state)
{
	(void)state;
	/* without also, quotes and backslashes stay as they are */
	assert_string_equal(esc("a\"b\\c<d", 7, NULL), "a\"b\\c<d");
	/* in quotes: \" and \\ */
	assert_string_equal(esc("a\"b\\c<d", 7, "\"\\"), "a\\\"b\\\\c<d");
	/* any other byte of also as \xNN */
	assert_string_equal(esc("a\"b\\c<d", 7, "\"\\<"), "a\\\"b\\\\c\\x3cd");
}

static void test_escaped_overflow_is_sticky(void **state)
{
	char buf[8];
	struct strbuf b;

	(void)state;
	sb_init(&b, buf, sizeof(buf));
	sb_escaped(&b, "\xff\xff", 2, NULL);	/* 8 bytes: one too many */
	sb_str(&b, "x");
	errno = 0;
	assert_int_equal(sb_finish(&b), -1);
	assert_int_equal(errno, ENOSPC);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaped_plain),
		cmocka_unit_test(test_escaped_controls_and_high_bytes),
		cmocka_unit_test(test_escaped_also),
		cmocka_unit_test(test_escaped_overflow_is_sticky),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
