/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procinfo: who a process is in an admin's terms (issue 16): its user and
 * group names, its parent chain up to pid 1, its cgroup v2 path and the
 * systemd unit and container that path names.  Read once per process:
 * the record lives in the process cache (proccache_info()), keyed there by
 * pid and checked by start time; this module only reads and formats.
 */
#ifndef PTRAP_PROCINFO_H
#define PTRAP_PROCINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroupinfo.h"
#include "proctree.h"
#include "strbuf.h"
#include "usernames.h"

struct procinfo {
	/*
	 * Which reading this is: unique per procinfo_read()/procinfo_names()
	 * of one reader, so a memo of text made from it can compare one
	 * number; 0: nothing known.
	 */
	uint64_t serial;
	char user[USERNAMES_NAME_MAX];	/* name, or the number; "" unknown */
	char group[USERNAMES_NAME_MAX];
	struct proctree tree;		/* tree.n == 0: not read */
	struct cgroupinfo cg;		/* cg.path "": not read */
};

struct procinfo_reader;

/* proc_root: "/proc", or a fake tree in tests.  NULL with errno. */
struct procinfo_reader *procinfo_reader_new(const char *proc_root);
void procinfo_reader_free(struct procinfo_reader *pr);

/*
 * Everything about process pid, which started at start (stat field 22; 0
 * if unknown) and runs as uid/gid.  What cannot be read (the process
 * exited meanwhile) is left empty; the names are always there.  now:
 * CLOCK_MONOTONIC ns.
 */
void procinfo_read(struct procinfo_reader *pr, pid_t pid, unsigned long long start,
		   uid_t uid, gid_t gid, uint64_t now, struct procinfo *out);

/* Only the names of uid (and of gid unless it is (gid_t)-1): no process known. */
void procinfo_names(struct procinfo_reader *pr, uid_t uid, gid_t gid, uint64_t now,
		    struct procinfo *out);

/* The container as one word: "docker:0123456789ab", "lxc:web"; "" if none. */
void procinfo_container(const struct procinfo *pi, struct strbuf *b);

/*
 * --unit NAME: is unit or user_unit NAME (a NAME without a dot is
 * NAME.service)?  Pure; for live reports and -r alike.
 */
bool procinfo_unit_match(const char *want, const char *unit, const char *user_unit);

/*
 * --container ID: does the container id (or name) start with ID, and with
 * "RUNTIME:ID" is its runtime RUNTIME?  "" id never matches.  Pure.
 */
bool procinfo_container_match(const char *want, const char *runtime, const char *id);

struct procinfo_stats {
	unsigned long reads;		/* processes read */
	struct proctree_stats tree;
	struct usernames_stats names;
};

void procinfo_stats(const struct procinfo_reader *pr, struct procinfo_stats *st);

#endif
