/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for cache: the bounded LRU table every cache is built on. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "cache.h"

struct val {
	uint64_t n;
};

static struct val *put(struct cache *c, uint32_t key, uint64_t n, bool want_added)
{
	bool added = !want_added;
	struct val *v = cache_put(c, cache_hash64(key), &key, &added);

	assert_non_null(v);
	assert_int_equal(added, want_added);
	if (added)
		v->n = n;
	return v;
}

static struct val *get(struct cache *c, uint32_t key)
{
	return cache_get(c, cache_hash64(key), &key);
}

static void test_bad_size(void **state)
{
	(void)state;
	errno = 0;
	assert_null(cache_new(0, 4, 4));
	assert_int_equal(errno, EINVAL);
	assert_null(cache_new(4, 0, 4));
}

static void test_put_get(void **state)
{
	struct cache *c = cache_new(4, sizeof(uint32_t), sizeof(struct val));
	struct val *v;

	(void)state;
	assert_non_null(c);
	assert_null(get(c, 1));
	v = put(c, 1, 100, true);
	assert_ptr_equal(put(c, 1, 0, false), v);	/* stored once */
	assert_int_equal(get(c, 1)->n, 100);
	assert_int_equal(cache_count(c), 1);
	assert_int_equal(*(const uint32_t *)cache_key(c, v), 1);
	cache_del(c, v);
	assert_null(get(c, 1));
	assert_int_equal(cache_count(c), 0);
	/* a freed entry is used again */
	assert_ptr_equal(put(c, 2, 200, true), v);
	cache_free(c);
}

/* Full: the least recently used goes; a get counts as use, a peek does not. */
static void test_lru_order(void **state)
{
	struct cache *c = cache_new(3, sizeof(uint32_t), sizeof(struct val));
	uint32_t two = 2, four = 4;

	(void)state;
	put(c, 1, 1, true);
	put(c, 2, 2, true);
	put(c, 3, 3, true);
	assert_non_null(get(c, 1));		/* 2 is now the oldest */
	assert_non_null(cache_peek(c, cache_hash64(two), &two));
	put(c, 4, 4, true);
	assert_null(get(c, 2));
	assert_int_equal(cache_count(c), 3);
	put(c, 3, 0, false);			/* a put of a stored key is a use */
	put(c, 5, 5, true);			/* so 1 goes, not 3 */
	assert_null(get(c, 1));
	assert_int_equal(get(c, 3)->n, 3);
	cache_touch(c, get(c, 4));
	put(c, 6, 6, true);			/* 5 was the oldest */
	assert_null(get(c, 5));
	assert_non_null(cache_peek(c, cache_hash64(four), &four));
	cache_free(c);
}

/* Keys that share a hash on purpose are walked together; deleting is safe. */
static void test_shared_hash(void **state)
{
	struct cache *c = cache_new(64, sizeof(uint32_t), sizeof(struct val));
	unsigned int seen = 0, n = 0;
	struct val *v, *next;
	uint32_t k;

	(void)state;
	for (k = 0; k < 40; k++) {
		struct val *x = cache_put(c, k % 4 == 0 ? 7 : k + 100, &k, NULL);

		x->n = k;
	}
	for (v = cache_first(c, 7); v; v = next) {
		next = cache_next(c, v);
		assert_int_equal(v->n % 4, 0);
		assert_int_equal(*(const uint32_t *)cache_key(c, v), v->n);
		seen |= 1u << (v->n / 4);
		n++;
		if (v->n == 8)
			cache_del(c, v);
	}
	assert_int_equal(n, 10);
	assert_int_equal(seen, 0x3ff);
	for (n = 0, v = cache_first(c, 7); v; v = cache_next(c, v))
		n++;
	assert_int_equal(n, 9);
	k = 8;
	assert_null(cache_get(c, 7, &k));
	k = 12;
	assert_non_null(cache_get(c, 7, &k));
	assert_int_equal(cache_count(c), 39);
	cache_free(c);
}

/* Many more keys than room: never a wrong value, the newest always kept. */
static void test_churn(void **state)
{
	struct cache *c = cache_new(100, sizeof(uint32_t), sizeof(struct val));
	unsigned int found = 0;
	uint32_t k, last = 9999;

	(void)state;
	for (k = 0; k < 10000; k++) {
		put(c, k, k * 3, true);
		if (k % 7 == 0)
			cache_del(c, get(c, k));
	}
	for (k = 0; k < 10000; k++) {
		struct val *v = cache_peek(c, cache_hash64(k), &k);

		if (v) {
			assert_int_equal(v->n, k * 3);
			assert_true(k >= 9800);
			found++;
		}
	}
	assert_int_equal(cache_count(c), found);
	assert_true(found >= 99);
	assert_non_null(cache_peek(c, cache_hash64(last), &last));
	cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_size),
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_lru_order),
		cmocka_unit_test(test_shared_hash),
		cmocka_unit_test(test_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
