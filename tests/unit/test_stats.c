/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for stats: the nfnetlink_queue parser, fail-open, text and JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "testlib.h"

#define FIXTURE TEST_DATA_DIR "/stats/nfnetlink_queue"

static void test_parse_fixture(void **state)
{
	struct stats_kernel k;

	(void)state;
	assert_int_equal(stats_read_nfqueue(FIXTURE, 4253, &k), 0);
	assert_int_equal(k.queue_num, 4253);
	assert_int_equal(k.portid, 30928);
	assert_int_equal(k.queue_total, 17);
	assert_int_equal(k.copy_mode, 2);
	assert_int_equal(k.copy_range, 512);
	assert_int_equal(k.queue_dropped, 3);
	assert_int_equal(k.user_dropped, 1);
	assert_int_equal(k.id_sequence, 2000000);

	/* every column at the top of its u32 range */
	assert_int_equal(stats_read_nfqueue(FIXTURE, 65535, &k), 0);
	assert_int_equal(k.queue_total, 8192);
	assert_int_equal(k.queue_dropped, 4294967295ull);
	assert_int_equal(k.id_sequence, 4294967295ull);

	assert_int_equal(stats_read_nfqueue(FIXTURE, 0, &k), 0);
	assert_int_equal(k.portid, 12345);
	assert_int_equal(k.id_sequence, 0);
}

static void test_parse_missing(void **state)
{
	struct stats_kernel k;

	(void)state;
	errno = 0;
	assert_int_equal(stats_read_nfqueue(FIXTURE, 4254, &k), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(stats_read_nfqueue(TEST_DATA_DIR "/stats/absent", 4253, &k), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_parse_garbage(void **state)
{
	static char text[] = " 4253  30928     0 2   512     0\n";
	struct stats_kernel k;
	FILE *f;

	(void)state;
	f = fmemopen(text, strlen(text), "r");
	assert_non_null(f);
	errno = 0;
	assert_int_equal(stats_parse_nfqueue(f, 4253, &k), -1);
	assert_int_equal(errno, EPROTO);
	fclose(f);
}

/* A run with everything in it: 30000 matched, 8192 queued, 3 undelivered. */
static void fill(struct stats *s)
{
	memset(s, 0, sizeof(*s));
	s->queue_num = 4253;
	s->trapped = 8189;
	s->by_pid = 8000;
	s->by_uid_only = 150;
	s->unattributed = 30;
	s->unparsed = 9;
	s->hooks_run = 12;
	s->hooks_timed_out = 2;
	s->hooks_skipped = 1;
	s->holds_expired = 4;
	s->rate_limited = 77;
	s->comm_filtered = 6;
	s->segments = 9;
	s->name_filtered = 3;
	s->verdicts = 8189;
	s->reads = 420;
	s->verdict_errors = 5;
	s->enobufs = 1;
	s->writing = true;
	s->pcap_packets = 8180;
	s->pcap_bytes = 523520;
	s->write_errors = 9;
	s->id_gaps = 3;
	s->have_kernel = true;
	s->kernel.queue_num = 4253;
	s->kernel.queue_total = 0;
	s->kernel.id_sequence = 8192;
	s->have_matched = true;
	s->matched = 30000;
}

static void test_fail_open(void **state)
{
	struct stats_fail_open fo;
	struct stats s;

	(void)state;
	fill(&s);
	stats_fail_open(&s, &fo);
	assert_true(fo.have_queue_full);
	assert_int_equal(fo.queue_full, 30000 - 8192);
	assert_int_equal(fo.undeliverable, 3);

	/* drops are not fail-open: without it they are counted as drops */
	s.kernel.queue_dropped = 800;
	s.kernel.user_dropped = 2;
	stats_fail_open(&s, &fo);
	assert_int_equal(fo.queue_full, 30000 - 8192 - 800);
	assert_int_equal(fo.undeliverable, 1);

	/* counters read a moment apart never make a negative count */
	s.matched = 8000;
	s.kernel.user_dropped = 10;
	stats_fail_open(&s, &fo);
	assert_int_equal(fo.queue_full, 0);
	assert_int_equal(fo.undeliverable, 0);

	s.have_matched = false;
	stats_fail_open(&s, &fo);
	assert_false(fo.have_queue_full);
	assert_int_equal(fo.queue_full, 0);
}

static void check_golden(const char *name, const char *got)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "stats/%s", name);
	tl_check_golden(rel, got, (int)strlen(got));
}

static void test_golden_full(void **state)
{
	char buf[2048];
	struct stats s;
	int len;

	(void)state;
	fill(&s);
	len = stats_format_text(&s, buf, sizeof(buf));
	assert_int_equal(len, (int)strlen(buf));
	check_golden("full.txt", buf);
	len = stats_format_json(&s, buf, sizeof(buf));
	assert_int_equal(len, (int)strlen(buf));
	check_golden("full.json", buf);
}

/* No -w, no /proc counters, no rule counters (backend none or nft). */
static void test_golden_bare(void **state)
{
	char buf[2048];
	struct stats s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.queue_num = 7;
	s.trapped = s.by_pid = s.verdicts = 2;
	s.id_gaps = 5;
	assert_true(stats_format_text(&s, buf, sizeof(buf)) > 0);
	check_golden("bare.txt", buf);
	assert_true(stats_format_json(&s, buf, sizeof(buf)) > 0);
	check_golden("bare.json", buf);
}

static void test_too_small(void **state)
{
	char buf[64];
	struct stats s;

	(void)state;
	fill(&s);
	errno = 0;
	assert_int_equal(stats_format_text(&s, buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENOSPC);
	assert_string_equal(buf, "");
	assert_int_equal(stats_format_json(&s, buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_fixture),
		cmocka_unit_test(test_parse_missing),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_fail_open),
		cmocka_unit_test(test_golden_full),
		cmocka_unit_test(test_golden_bare),
		cmocka_unit_test(test_too_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
