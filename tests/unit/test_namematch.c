/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for names as text (payload_name: the escaper, its inverse,
 * the mnemonics) and for --name matching (namematch).  What dig prints
 * for real queries is checked in test_payload; here are the byte-level
 * rules and the pattern semantics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "namematch.h"
#include "payload.h"

/* A wire name from a literal: its labels; the literal's NUL is the root. */
#define WIRE(lit)	wire(lit, sizeof(lit))
static struct payload_name wire(const char *labels, size_t n)
{
	struct payload_name name;

	assert_true(n <= PAYLOAD_NAME_MAX);
	memcpy(name.wire, labels, n);
	name.len = (uint8_t)n;
	return name;
}

static void escaped_is(const struct payload_name *n, const char *want)
{
	char text[PAYLOAD_NAME_TEXT_MAX];
	struct strbuf b;

	sb_init(&b, text, sizeof(text));
	payload_name_escape(&b, n);
	assert_true(sb_finish(&b) >= 0);
	assert_string_equal(text, want);
}

static void test_escape(void **state)
{
	struct payload_name n;

	n = WIRE("\3www\7example\4test");
	escaped_is(&n, "www.example.test");
	n = WIRE("\3a.b\4test");
	escaped_is(&n, "a\\.b.test");
	n = WIRE("\3x\0y\4test");
	escaped_is(&n, "x\\000y.test");
	/* dig's specials, space and DEL and high bytes */
	n = WIRE("\10\"();\\@$ \1\177\2\200\377");
	escaped_is(&n, "\\\"\\(\\)\\;\\\\\\@\\$\\032.\\127.\\128\\255");
	n = WIRE("");
	escaped_is(&n, ".");
	n.len = 0;
	escaped_is(&n, "");
}

/* Every byte in every position survives escape and parse unchanged. */
static void test_escape_round_trip(void **state)
{
	char text[PAYLOAD_NAME_TEXT_MAX];
	struct payload_name n, back;
	struct strbuf b;
	const char *why;
	unsigned int c;

	for (c = 0; c < 256; c++) {
		n.wire[0] = 3;
		n.wire[1] = (uint8_t)c;
		n.wire[2] = 'x';
		n.wire[3] = (uint8_t)c;
		n.wire[4] = 1;
		n.wire[5] = (uint8_t)c;
		n.wire[6] = 0;
		n.len = 7;
		sb_init(&b, text, sizeof(text));
		payload_name_escape(&b, &n);
		assert_true(sb_finish(&b) > 0);
		assert_null(strpbrk(text, " \t\r\n"));
		assert_int_equal(payload_name_parse(&back, text, &why), 0);
		assert_int_equal(back.len, n.len);
		assert_memory_equal(back.wire, n.wire, n.len);
	}
}

/* The longest text: four labels of \DDD bytes fill the 255 wire bytes. */
static void test_escape_bound(void **state)
{
	char text[PAYLOAD_NAME_TEXT_MAX];
	struct payload_name n;
	struct strbuf b;
	size_t pos = 0, l, i;

	for (l = 0; l < 4; l++) {
		n.wire[pos++] = l < 3 ? 63 : 61;
		for (i = 0; i < (l < 3 ? 63u : 61u); i++)
			n.wire[pos++] = 0xff;
	}
	n.wire[pos++] = 0;
	assert_int_equal(pos, PAYLOAD_NAME_MAX);
	n.len = (uint8_t)pos;
	sb_init(&b, text, sizeof(text));
	payload_name_escape(&b, &n);
	assert_int_equal(sb_finish(&b), PAYLOAD_NAME_TEXT_MAX - 1);
}

static void parse_fails(const char *text, const char *want)
{
	struct payload_name n;
	const char *why = NULL;

	errno = 0;
	assert_int_equal(payload_name_parse(&n, text, &why), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(why, want);
	assert_int_equal(n.len, 0);
}

static void test_parse(void **state)
{
	char long_label[70], long_name[300];
	struct payload_name n;
	const char *why;

	assert_int_equal(payload_name_parse(&n, "A\\.b.\\065\\z.", &why), 0);
	assert_int_equal(n.len, 8);
	assert_memory_equal(n.wire, "\3A.b\2Az", 8);
	assert_int_equal(payload_name_parse(&n, ".", &why), 0);
	assert_int_equal(n.len, 1);
	parse_fails("", "empty name");
	parse_fails("a..b", "empty label");
	parse_fails(".a", "empty label");
	parse_fails("a.\\", "bad escape");
	parse_fails("a\\25", "bad escape");
	parse_fails("a\\256", "bad escape");
	memset(long_label, 'l', 64);
	long_label[64] = '\0';
	parse_fails(long_label, "label longer than 63 bytes");
	long_label[63] = '\0';
	assert_int_equal(payload_name_parse(&n, long_label, &why), 0);
	/* 127 one-byte labels are 255 bytes, 128 are too many */
	memset(long_name, 0, sizeof(long_name));
	for (int i = 0; i < 127; i++)
		memcpy(long_name + 2 * i, "x.", 2);
	assert_int_equal(payload_name_parse(&n, long_name, &why), 0);
	assert_int_equal(n.len, 255);
	memcpy(long_name + 2 * 127, "x", 1);
	parse_fails(long_name, "name longer than 255 bytes");
}

static void test_from_text(void **state)
{
	struct payload_name n;
	const char *why;

	/* no escapes in SNI and Host: a backslash is a byte */
	assert_int_equal(payload_name_from_text(&n, (const uint8_t *)"a\\b.test.", 9, &why), 0);
	assert_int_equal(n.len, 10);
	escaped_is(&n, "a\\\\b.test");
	assert_int_equal(payload_name_from_text(&n, (const uint8_t *)".", 1, &why), -1);
	assert_string_equal(why, "empty name");
	assert_int_equal(payload_name_from_text(&n, (const uint8_t *)"a..", 3, &why), -1);
	assert_string_equal(why, "empty label");
	assert_int_equal(payload_name_from_text(&n, (const uint8_t *)"a.b..", 5, &why), -1);
	assert_string_equal(why, "empty label");
}

static void test_mnemonics(void **state)
{
	char b[PAYLOAD_NUM_NAME_MAX];

	assert_string_equal(payload_type_name(1, b), "A");
	assert_string_equal(payload_type_name(28, b), "AAAA");
	assert_string_equal(payload_type_name(65, b), "HTTPS");
	assert_string_equal(payload_type_name(64, b), "SVCB");
	assert_string_equal(payload_type_name(257, b), "CAA");
	assert_string_equal(payload_type_name(0, b), "TYPE0");
	assert_string_equal(payload_type_name(65535, b), "TYPE65535");
	assert_string_equal(payload_class_name(1, b), "IN");
	assert_string_equal(payload_class_name(3, b), "CH");
	assert_string_equal(payload_class_name(2, b), "CLASS2");
	assert_string_equal(payload_class_name(65535, b), "CLASS65535");
	assert_string_equal(payload_opcode_name(0, b), "QUERY");
	assert_string_equal(payload_opcode_name(5, b), "UPDATE");
	assert_string_equal(payload_opcode_name(15, b), "OPCODE15");
}

/* --- namematch --- */

static struct payload_name name_of(const char *text)
{
	struct payload_name n;
	const char *why;

	if (payload_name_parse(&n, text, &why) < 0)
		fail_msg("%s: %s", text, why);
	return n;
}

static bool matches(const char *pattern, const char *name)
{
	struct namematch_set set;
	struct payload_name n = name_of(name);
	const char *why = NULL;

	namematch_init(&set);
	if (namematch_add(&set, pattern, &why) < 0)
		fail_msg("pattern %s: %s", pattern, why);
	return namematch_name(&set, &n);
}

static void test_match(void **state)
{
	assert_true(matches("example.test", "example.test"));
	assert_true(matches("example.test.", "EXAMPLE.Test"));
	assert_true(matches("EXAMPLE.TEST", "example.test."));
	assert_false(matches("example.test", "www.example.test"));
	assert_false(matches("example.test", "example.tes"));
	assert_false(matches("example.test", "xexample.test"));
	/* *.: any depth below, not the apex */
	assert_true(matches("*.example.test", "www.example.test"));
	assert_true(matches("*.example.test", "a.b.c.Example.TEST"));
	assert_false(matches("*.example.test", "example.test"));
	assert_false(matches("*.example.test", "badexample.test"));
	assert_false(matches("*.example.test", "example.test.evil"));
	/* an escaped dot is inside a label: no boundary to match at */
	assert_false(matches("*.example.test", "www\\.example.test"));
	assert_false(matches("*.b.test", "a\\.b.test"));
	assert_true(matches("a\\.b.test", "a\\.b.test"));
	assert_false(matches("a.b.test", "a\\.b.test"));
	assert_false(matches("a\\.b.test", "a.b.test"));
	/* bytes as printed, case only for ASCII letters */
	assert_true(matches("x\\000y.test", "x\\000y.test"));
	assert_false(matches("x\\000y.test", "x\\032y.test"));
	assert_true(matches("\\195\\169.test", "\\195\\169.test"));
	assert_false(matches("\\195\\169.test", "\\195\\137.test"));
	/* '*' alone: every name but the root; \* is a literal label */
	assert_true(matches("*", "test"));
	assert_true(matches("*", "a.b"));
	assert_false(matches("*", "."));
	assert_true(matches("\\*.test", "*.test"));
	assert_false(matches("\\*.test", "a.test"));
	assert_true(matches(".", "."));
}

static void test_pattern_errors(void **state)
{
	static const struct { const char *pattern, *why; } bad[] = {
		{ "", "empty name" },
		{ "a..test", "empty label" },
		{ "*example.test", "'*' only as the whole first label, as in *.example.test" },
		{ "a.*.test", "'*' only as the whole first label, as in *.example.test" },
		{ "*.*.test", "'*' only as the whole first label, as in *.example.test" },
		{ "www.ex*", "'*' only as the whole first label, as in *.example.test" },
		{ "*..test", "empty label" },
		{ "a\\", "bad escape" },
		{ "x\\999.test", "bad escape" },
	};
	struct namematch_set set;
	const char *why;
	char p[16];
	size_t i;

	namematch_init(&set);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		errno = 0;
		assert_int_equal(namematch_add(&set, bad[i].pattern, &why), -1);
		assert_int_equal(errno, EINVAL);
		if (why == NULL || strcmp(why, bad[i].why) != 0)
			fail_msg("%s: \"%s\", wanted \"%s\"", bad[i].pattern,
				 why ? why : "(null)", bad[i].why);
	}
	assert_int_equal(set.n, 0);
	for (i = 0; i < NAMEMATCH_MAX; i++) {
		snprintf(p, sizeof(p), "n%zu.test", i);
		assert_int_equal(namematch_add(&set, p, &why), 0);
	}
	assert_int_equal(namematch_add(&set, "one.more", &why), -1);
	assert_int_equal(errno, ENOSPC);
	assert_string_equal(why, "more than 64 name patterns");
}

static void test_match_payload(void **state)
{
	struct namematch_set set;
	struct payload pl;
	const char *why;

	namematch_init(&set);
	memset(&pl, 0, sizeof(pl));
	pl.kind = PAYLOAD_DNS;
	pl.dns.n_questions = 2;
	pl.dns.q[0].qname = name_of("a.test");
	pl.dns.q[1].qname = name_of("www.evil.test");
	assert_false(namematch_payload(&set, &pl));	/* no patterns */
	assert_int_equal(namematch_add(&set, "*.evil.test", &why), 0);
	assert_true(namematch_payload(&set, &pl));
	pl.dns.n_questions = 1;				/* q[1] not decoded */
	assert_false(namematch_payload(&set, &pl));

	pl.kind = PAYLOAD_TLS;
	pl.tls.has_sni = false;
	pl.tls.sni = name_of("x.evil.test");
	assert_false(namematch_payload(&set, &pl));
	pl.tls.has_sni = true;
	assert_true(namematch_payload(&set, &pl));

	pl.kind = PAYLOAD_HTTP;
	pl.http.has_host = true;
	pl.http.host = name_of("evil.test");
	assert_false(namematch_payload(&set, &pl));
	assert_int_equal(namematch_add(&set, "evil.test", &why), 0);
	assert_true(namematch_payload(&set, &pl));
	pl.kind = PAYLOAD_NONE;
	assert_false(namematch_payload(&set, &pl));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_round_trip),
		cmocka_unit_test(test_escape_bound),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_from_text),
		cmocka_unit_test(test_mnemonics),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_pattern_errors),
		cmocka_unit_test(test_match_payload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
