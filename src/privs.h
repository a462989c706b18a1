/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * privs: after set-up, keep only the capabilities ptrap still needs,
 * optionally become an unprivileged user (-Z), and decide what hooks get.
 */
#ifndef PTRAP_PRIVS_H
#define PTRAP_PRIVS_H

#include <stdbool.h>
#include <sys/types.h>

/* Supplementary groups saved while files are created as the -Z user. */
#define PRIVS_MAX_GROUPS	64

struct privs {
	const char *user;		/* -Z, or NULL: stay who we are */
	uid_t uid;
	gid_t gid;
	bool hook_caps;			/* --hook-caps: hooks get ptrap's set */
	bool dropped;			/* privs_drop() ran (maybe partly) */
	bool as_user;			/* inside privs_become_user() */
	int n_groups;
	gid_t groups[PRIVS_MAX_GROUPS];
};

/*
 * Resolve -Z (user may be NULL).  Returns 0, or -1 with errno (ENOENT:
 * no such user).
 */
int privs_init(struct privs *p, const char *user, bool hook_caps);

/*
 * The first capability ptrap cannot work without that this process lacks
 * (CAP_NET_ADMIN; with -Z also CAP_SETUID/CAP_SETGID; as uid 0 also
 * CAP_SETPCAP, to stop root children regaining every capability), or NULL.
 */
const char *privs_missing(const struct privs *p);

/*
 * A capability that only narrows what ptrap can see (other users'
 * processes: CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH) and is missing, or NULL.
 */
const char *privs_missing_optional(void);

/*
 * Act as the -Z user for creating files (euid, egid and its groups; the
 * capabilities come back with privs_become_self()).  No-op without -Z.
 * Return 0, or -1 with errno.
 */
int privs_become_user(struct privs *p);
int privs_become_self(struct privs *p);

/*
 * The one-way drop, once rules, queue and files are set up: the bounding,
 * permitted and effective sets shrink to CAP_NET_ADMIN, CAP_SYS_PTRACE and
 * CAP_DAC_READ_SEARCH (those of them we have), root children gain nothing
 * on exec (SECBIT_NOROOT, locked), the ids become the -Z user's, and the
 * ambient set (what children keep) is empty, or the three with
 * --hook-caps, and no_new_privs is set.  Returns 0, or -1 with errno.
 */
int privs_drop(struct privs *p);

/*
 * For tear-down after the drop: children (iptables-restore removing our
 * rules) get CAP_NET_ADMIN as an ambient capability.  No hook may be
 * started after this.  Returns 0, or -1 with errno.
 */
int privs_children_net_admin(struct privs *p);

#endif
