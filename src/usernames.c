/* SPDX-License-Identifier: GPL-2.0-or-later */
/* usernames: uid -> user name and gid -> group name through NSS, cached with a time-to-live. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "strbuf.h"
#include "usernames.h"

#define NSS_BUF_FIRST	4096
#define NSS_BUF_MAX	(1024 * 1024)	/* a group lists its members: it can be large */

enum un_kind { UN_USER = 1, UN_GROUP };
enum un_state { UN_NAME, UN_NONE, UN_FAILED };

/* The key of the one cache module (cache.c): no padding, compared as bytes. */
struct un_key {
	uint32_t id;
	uint32_t kind;			/* UN_USER, UN_GROUP */
};

struct un_entry {
	uint8_t state;
	uint64_t asked;			/* caller's now when the source answered */
	char name[USERNAMES_NAME_MAX];
};

struct usernames {
	struct usernames_source src;
	uint64_t ttl, retry;
	struct usernames_stats st;
	struct cache *c;		/* struct un_key -> struct un_entry */
};

/* --- NSS --- */

/* Errors that getpwuid_r(3) lists as meaning "not found". */
static bool nss_not_found(int err)
{
	return err == ENOENT || err == ESRCH || err == EBADF || err == EPERM;
}

static int nss_copy(const char *name, char *out, size_t len)
{
	size_t n = strlen(name);

	if (n == 0 || n >= len)
		return 0;		/* no usable name: the number it is */
	memcpy(out, name, n + 1);
	return 1;
}

/*
 * One lookup with a growing buffer: kind UN_USER or UN_GROUP.  A stack
 * buffer first; the heap only for the rare entry that does not fit.
 */
static int nss_lookup(enum un_kind kind, uint32_t id, char *out, size_t len)
{
	char stack[NSS_BUF_FIRST], *buf = stack, *heap = NULL;
	size_t size = sizeof(stack);
	struct passwd pw, *pwr = NULL;
	struct group gr, *grr = NULL;
	int err, r;

	for (;;) {
		if (kind == UN_USER)
			err = getpwuid_r((uid_t)id, &pw, buf, size, &pwr);
		else
			err = getgrgid_r((gid_t)id, &gr, buf, size, &grr);
		if (err != ERANGE || size >= NSS_BUF_MAX)
			break;
		size *= 4;
		free(heap);
		heap = malloc(size);
		if (!heap) {
			err = ENOMEM;
			break;
		}
		buf = heap;
	}
	if (err && !nss_not_found(err)) {
		free(heap);
		errno = err;
		return -1;
	}
	if (kind == UN_USER)
		r = !err && pwr ? nss_copy(pw.pw_name, out, len) : 0;
	else
		r = !err && grr ? nss_copy(gr.gr_name, out, len) : 0;
	free(heap);
	return r;
}

static int nss_user(void *arg, uid_t uid, char *buf, size_t len)
{
	(void)arg;
	return nss_lookup(UN_USER, (uint32_t)uid, buf, len);
}

static int nss_group(void *arg, gid_t gid, char *buf, size_t len)
{
	(void)arg;
	return nss_lookup(UN_GROUP, (uint32_t)gid, buf, len);
}

const struct usernames_source usernames_nss = { nss_user, nss_group, NULL };

/* --- the cache --- */

struct usernames *usernames_new(const struct usernames_source *src, unsigned int size,
				uint64_t ttl_ns)
{
	struct usernames *un;

	un = calloc(1, sizeof(*un));
	if (!un)
		return NULL;
	un->src = src ? *src : usernames_nss;
	un->ttl = ttl_ns;
	un->retry = ttl_ns < USERNAMES_RETRY_MAX ? ttl_ns : USERNAMES_RETRY_MAX;
	un->c = cache_new(size ? size : 1, sizeof(struct un_key), sizeof(struct un_entry));
	if (!un->c) {
		free(un);
		errno = ENOMEM;
		return NULL;
	}
	return un;
}

void usernames_free(struct usernames *un)
{
	if (!un)
		return;
	cache_free(un->c);
	free(un);
}

void usernames_stats(const struct usernames *un, struct usernames_stats *st)
{
	*st = un->st;
}

/* The entry of (kind, id), made the most recently used; *hit false: a new one. */
static struct un_entry *un_slot(struct usernames *un, enum un_kind kind, uint32_t id,
				bool *hit)
{
	struct un_key k = { .id = id, .kind = (uint32_t)kind };
	bool added;
	struct un_entry *e;

	e = cache_put(un->c, cache_hash64((uint64_t)kind << 32 | id), &k, &added);
	*hit = !added;
	return e;
}

static bool un_fresh(const struct usernames *un, const struct un_entry *e, uint64_t now)
{
	uint64_t ttl = e->state == UN_FAILED ? un->retry : un->ttl;

	return now >= e->asked && now - e->asked < ttl;
}

static void un_ask(struct usernames *un, struct un_entry *e, enum un_kind kind,
		   uint32_t id, uint64_t now)
{
	int r;

	un->st.lookups++;
	e->name[0] = '\0';
	if (kind == UN_USER)
		r = un->src.user(un->src.arg, (uid_t)id, e->name, sizeof(e->name));
	else
		r = un->src.group(un->src.arg, (gid_t)id, e->name, sizeof(e->name));
	e->name[sizeof(e->name) - 1] = '\0';
	if (r > 0 && e->name[0]) {
		e->state = UN_NAME;
	} else if (r >= 0) {
		e->state = UN_NONE;
		un->st.unknown++;
	} else {
		e->state = UN_FAILED;
		un->st.failures++;
	}
	e->asked = now;
}

static int un_name(struct usernames *un, enum un_kind kind, uint32_t id, uint64_t now,
		   char *buf, size_t len)
{
	struct un_entry *e;
	struct strbuf b;
	bool hit;

	e = un_slot(un, kind, id, &hit);
	if (hit && un_fresh(un, e, now))
		un->st.hits++;
	else
		un_ask(un, e, kind, id, now);
	sb_init(&b, buf, len);
	if (e->state == UN_NAME)
		sb_str(&b, e->name);
	else
		sb_ulong(&b, id);
	if (sb_finish(&b) < 0)
		return -1;
	return e->state == UN_NAME;
}

int usernames_user(struct usernames *un, uid_t uid, uint64_t now, char *buf, size_t len)
{
	return un_name(un, UN_USER, (uint32_t)uid, now, buf, len);
}

int usernames_group(struct usernames *un, gid_t gid, uint64_t now, char *buf, size_t len)
{
	return un_name(un, UN_GROUP, (uint32_t)gid, now, buf, len);
}
