/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usernames: uid -> user name and gid -> group name through NSS (so LDAP,
 * sssd and systemd-userdb users have names too), cached with a bounded
 * time-to-live, answers of "no such id" included; a number otherwise.
 */
#ifndef PTRAP_USERNAMES_H
#define PTRAP_USERNAMES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define USERNAMES_NAME_MAX	64	/* longer names are shown as numbers */
#define USERNAMES_TTL_DEFAULT	(60ull * 1000000000ull)		/* ns */
#define USERNAMES_RETRY_MAX	(5ull * 1000000000ull)		/* a failed lookup, ns */

/*
 * Where names come from.  Each puts the name of id into buf (len bytes)
 * and returns 1, returns 0 if there is no such id, or -1 with errno when
 * the lookup failed (a directory server down: tried again sooner).
 */
struct usernames_source {
	int (*user)(void *arg, uid_t uid, char *buf, size_t len);
	int (*group)(void *arg, gid_t gid, char *buf, size_t len);
	void *arg;
};

/* getpwuid_r() and getgrgid_r(). */
extern const struct usernames_source usernames_nss;

struct usernames;

/*
 * src: NULL for usernames_nss; size: ids kept (users and groups
 * together, rounded up to a multiple of 4); ttl_ns: how long an answer
 * is used before it is asked again (a failure: at most USERNAMES_RETRY_MAX).
 */
struct usernames *usernames_new(const struct usernames_source *src, unsigned int size,
				uint64_t ttl_ns);
void usernames_free(struct usernames *un);

/*
 * The name of uid into buf, or its decimal number if it has none; now is
 * CLOCK_MONOTONIC in ns (monotime_ns(), or a test's clock).  1 for a
 * name, 0 for a number, -1 with errno ENOSPC if buf is too short (a buf
 * of USERNAMES_NAME_MAX always fits).  Names come from the directory,
 * not from ptrap: escape them where they are printed.
 */
int usernames_user(struct usernames *un, uid_t uid, uint64_t now, char *buf, size_t len);
int usernames_group(struct usernames *un, gid_t gid, uint64_t now, char *buf, size_t len);

struct usernames_stats {
	unsigned long hits;		/* answered from the cache */
	unsigned long lookups;		/* asked the source */
	unsigned long unknown;		/* of those: no such id */
	unsigned long failures;		/* of those: the lookup failed */
};

void usernames_stats(const struct usernames *un, struct usernames_stats *st);

#endif
