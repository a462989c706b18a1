/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cache: a bounded table of fixed-size keys and values that forgets the
 * least recently used entry when full.  Every cache ptrap keeps is one of
 * these (flows, process records, socket places, rate-limit flows, packet
 * comments); what an entry means and when it is still valid is its user's.
 */
#ifndef PTRAP_CACHE_H
#define PTRAP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cache;

/*
 * Room for cap entries (at least 1) of key_size-byte keys, compared as
 * bytes (so zero any padding), and val_size-byte values.  NULL with errno.
 */
struct cache *cache_new(unsigned int cap, size_t key_size, size_t val_size);
void cache_free(struct cache *c);

/*
 * hash is the caller's hash of key: a key must always come with the same
 * one, and any of its bits may be used.  Keys may share a hash on purpose
 * to be walked together (cache_first()).
 */

/* The value stored for key, made the most recently used; NULL if none. */
void *cache_get(struct cache *c, uint32_t hash, const void *key);

/* The same without changing the order: for looking, not using. */
void *cache_peek(const struct cache *c, uint32_t hash, const void *key);

/*
 * The value for key, made the most recently used: the stored one, or a new
 * one (*added true, if added is not NULL) in a free entry, else in the
 * least recently used entry, which is forgotten.  A new value's bytes are
 * the caller's to fill.
 */
void *cache_put(struct cache *c, uint32_t hash, const void *key, bool *added);

/* Forget the entry of val (a pointer this module returned). */
void cache_del(struct cache *c, void *val);

/* Make the entry of val the most recently used. */
void cache_touch(struct cache *c, void *val);

/*
 * The entries stored with exactly this hash, in no particular order:
 * cache_first(), then cache_next() until NULL.  To drop the current one,
 * take its next first.  The order of use is not changed.
 */
void *cache_first(const struct cache *c, uint32_t hash);
void *cache_next(const struct cache *c, const void *val);

/* The key stored with val. */
const void *cache_key(const struct cache *c, const void *val);

/* Entries stored now. */
unsigned int cache_count(const struct cache *c);

/* A hash for integer keys (pids, inodes): Fibonacci hashing. */
static inline uint32_t cache_hash64(uint64_t v)
{
	return (uint32_t)((v * 0x9e3779b97f4a7c15ull) >> 32);
}

#endif
