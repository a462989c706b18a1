/* SPDX-License-Identifier: GPL-2.0-or-later */
/* usernames: uid -> user name and gid -> group name through NSS, cached with a time-to-live. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "usernames.h"

#define UN_WAYS		4
#define NSS_BUF_FIRST	4096
#define NSS_BUF_MAX	(1024 * 1024)	/* a group lists its members: it can be large */

enum un_kind { UN_FREE, UN_USER, UN_GROUP };
enum un_state { UN_NAME, UN_NONE, UN_FAILED };

struct un_entry {
	uint32_t id;
	uint8_t kind;
	uint8_t state;
	uint32_t used;
	uint64_t asked;			/* caller's now when the source answered */
	char name[USERNAMES_NAME_MAX];
};

struct usernames {
	struct usernames_source src;
	uint64_t ttl, retry;
	unsigned int nsets;
	uint32_t tick;
	struct usernames_stats st;
	struct un_entry *e;		/* nsets * UN_WAYS */
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
	un->nsets = size / UN_WAYS ? (size + UN_WAYS - 1) / UN_WAYS : 1;
	un->e = calloc((size_t)un->nsets * UN_WAYS, sizeof(*un->e));
	if (!un->e) {
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
	free(un->e);
	free(un);
}

void usernames_stats(const struct usernames *un, struct usernames_stats *st)
{
	*st = un->st;
}

static struct un_entry *un_slot(struct usernames *un, enum un_kind kind, uint32_t id,
				bool *hit)
{
	uint32_t h = id * 0x9e3779b1u ^ (kind == UN_GROUP ? 0x5bd1e995u : 0);
	struct un_entry *set = &un->e[(h >> 8) % un->nsets * UN_WAYS], *victim = NULL;
	unsigned int i;

	for (i = 0; i < UN_WAYS; i++) {
		if (set[i].kind == kind && set[i].id == id) {
			*hit = true;
			return &set[i];
		}
		if (!victim || (victim->kind != UN_FREE &&
				(set[i].kind == UN_FREE || set[i].used < victim->used)))
			victim = &set[i];
	}
	*hit = false;
	return victim;
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
	e->kind = (uint8_t)kind;
	e->id = id;
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
	e->used = ++un->tick;
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
