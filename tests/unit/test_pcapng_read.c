/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for pcapng_read on hostile input: the captures in
 * tests/data/pcapng/hostile/ (made by make-hostile.py) give exactly the
 * outcomes in hostile/expected, and a capture of any length, from a file or
 * a pipe that keeps sending, is read in bounded memory.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>

#include "pcapng_read.h"

#define HOSTILE_DIR	TEST_DATA_DIR "/pcapng/hostile"

static int count_cb(const struct pcapng_record *r, void *arg)
{
	(void)r;
	++*(long *)arg;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_hostile_files(void **state)
{
	char *names[64], line[512], want[8192] = "", got[8192] = "";
	unsigned int n = 0, i;
	struct dirent *de;
	DIR *d = opendir(HOSTILE_DIR);
	FILE *f;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) && n < 64) {
		size_t len = strlen(de->d_name);

		if (len > 7 && strcmp(de->d_name + len - 7, ".pcapng") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	assert_true(n >= 20);
	qsort(names, n, sizeof(names[0]), by_name);
	for (i = 0; i < n; i++) {
		char path[512], err[256];
		long recs = 0, ret;

		snprintf(path, sizeof(path), "%s/%s", HOSTILE_DIR, names[i]);
		ret = pcapng_read_file(path, count_cb, &recs, err, sizeof(err));
		if (ret < 0)
			snprintf(line, sizeof(line), "%s: %ld records, then: %s\n",
				 names[i], recs, err);
		else
			snprintf(line, sizeof(line), "%s: %ld records\n", names[i], ret);
		assert_true(strlen(got) + strlen(line) < sizeof(got));
		strcat(got, line);
		free(names[i]);
	}
	f = fopen(HOSTILE_DIR "/expected", "r");
	assert_non_null(f);
	want[fread(want, 1, sizeof(want) - 1, f)] = '\0';
	fclose(f);
	if (strcmp(want, got) != 0)
		fprintf(stderr, "got:\n%s", got);
	assert_string_equal(want, got);
}

/* An empty section, then tiny unknown blocks: the cheapest flood. */
static size_t flood_chunk(uint8_t *buf, size_t len, bool first)
{
	static const uint8_t shb[28] = {
		0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a,
		1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		28, 0, 0, 0,
	};
	static const uint8_t tiny[12] = { 0x99, 0, 0, 0, 12, 0, 0, 0, 12, 0, 0, 0 };
	size_t off = 0;

	if (first) {
		memcpy(buf, shb, sizeof(shb));
		off = sizeof(shb);
	}
	while (off + sizeof(tiny) <= len) {
		memcpy(buf + off, tiny, sizeof(tiny));
		off += sizeof(tiny);
	}
	return off;
}

#define FLOOD_BYTES	(48u << 20)

static void *flood_writer(void *arg)
{
	int fd = *(int *)arg;
	static uint8_t buf[12 * 4096 + 28];
	size_t sent = 0;
	bool first = true;

	while (sent < FLOOD_BYTES) {
		size_t n = flood_chunk(buf, sizeof(buf), first), w = 0;

		first = false;
		while (w < n) {
			ssize_t r = write(fd, buf + w, n - w);

			if (r <= 0)
				goto out;
			w += (size_t)r;
		}
		sent += n;
	}
out:
	close(fd);
	return NULL;
}

static long max_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/*
 * 48 MiB of tiny blocks through a pipe (as `cat * | ptrap -r -`), read as
 * stdin would be: the reader's memory must not grow with the input.
 */
static void test_flood_bounded(void **state)
{
	int p[2], saved_stdin;
	pthread_t t;
	long recs = 0, before, after;
	char err[256];

	(void)state;
	assert_int_equal(pipe(p), 0);
	saved_stdin = dup(STDIN_FILENO);
	assert_true(saved_stdin >= 0);
	assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
	close(p[0]);
	assert_int_equal(pthread_create(&t, NULL, flood_writer, &p[1]), 0);
	before = max_rss_kb();
	assert_int_equal(pcapng_read_file("-", count_cb, &recs, err, sizeof(err)), 0);
	after = max_rss_kb();
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(dup2(saved_stdin, STDIN_FILENO), STDIN_FILENO);
	close(saved_stdin);
	/* read whole, this would have cost 48 MiB or more */
	if (after - before > 4096)
		fprintf(stderr, "max RSS grew by %ld kB\n", after - before);
	assert_true(after - before <= 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_flood_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
