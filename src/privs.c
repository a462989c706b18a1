/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * privs: shed privileges once set-up is done.
 *
 * After set-up ptrap still needs CAP_NET_ADMIN (verdicts on the queue,
 * removing its rules), CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (the fd and
 * exe links of other users' processes in /proc).  Everything else goes,
 * from the bounding set too.  SECBIT_NOROOT (locked) keeps a uid-0 child
 * from regaining every capability on exec, so what a child gets is exactly
 * the ambient set: empty for hooks unless --hook-caps, CAP_NET_ADMIN for
 * iptables-restore at tear-down.
 */
#include "privs.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <unistd.h>

static const unsigned int privs_keep[] = {
	CAP_NET_ADMIN, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH,
};
#define PRIVS_NKEEP	(sizeof(privs_keep) / sizeof(privs_keep[0]))
/* Highest capability number libcap-ng can name; invalid ones read as 0. */
#define PRIVS_LAST_CAP	63

#define PRIVS_CAPS_AMBIENT \
	((capng_select_t)(CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT))

int privs_init(struct privs *p, const char *user, bool hook_caps)
{
	const struct passwd *pw;

	*p = (struct privs){ .user = user, .hook_caps = hook_caps };
	if (!user)
		return 0;
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		if (errno == 0)
			errno = ENOENT;
		return -1;
	}
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	return 0;
}

static int read_caps(void)
{
	capng_clear(CAPNG_SELECT_ALL);
	if (capng_get_caps_process() < 0) {
		if (errno == 0)
			errno = EPERM;
		return -1;
	}
	return 0;
}

const char *privs_missing(const struct privs *p)
{
	if (read_caps() < 0)
		return geteuid() == 0 ? NULL : "CAP_NET_ADMIN";
	if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN))
		return "CAP_NET_ADMIN";
	if (p->user && !capng_have_capability(CAPNG_EFFECTIVE, CAP_SETUID))
		return "CAP_SETUID";
	if (p->user && !capng_have_capability(CAPNG_EFFECTIVE, CAP_SETGID))
		return "CAP_SETGID";
	/* Without it a root hook would get every capability back on exec. */
	if ((getuid() == 0 || geteuid() == 0) &&
	    !capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP))
		return "CAP_SETPCAP";
	return NULL;
}

const char *privs_missing_optional(void)
{
	if (read_caps() < 0)
		return NULL;
	if (!capng_have_capability(CAPNG_PERMITTED, CAP_SYS_PTRACE))
		return "CAP_SYS_PTRACE";
	if (!capng_have_capability(CAPNG_PERMITTED, CAP_DAC_READ_SEARCH))
		return "CAP_DAC_READ_SEARCH";
	return NULL;
}

int privs_become_user(struct privs *p)
{
	int saved;

	if (!p->user || p->as_user)
		return 0;
	p->n_groups = getgroups(PRIVS_MAX_GROUPS, p->groups);
	if (p->n_groups < 0)
		return -1;
	/* The user's own groups decide, as they will after the drop. */
	if (initgroups(p->user, p->gid) < 0)
		return -1;
	if (setegid(p->gid) < 0)
		goto err_groups;
	if (seteuid(p->uid) < 0)
		goto err_gid;
	p->as_user = true;
	return 0;
err_gid:
	saved = errno;
	if (setegid(getgid()) < 0) {
		/* euid is still ours, so this cannot fail for want of caps */
	}
	errno = saved;
err_groups:
	saved = errno;
	if (setgroups(p->n_groups, p->groups) < 0) {
		/* as above */
	}
	errno = saved;
	return -1;
}

int privs_become_self(struct privs *p)
{
	if (!p->as_user)
		return 0;
	/* Back to the real uid first: that restores the effective caps. */
	if (seteuid(getuid()) < 0 || setegid(getgid()) < 0 ||
	    setgroups(p->n_groups, p->groups) < 0)
		return -1;
	p->as_user = false;
	return 0;
}

/* Root children must not regain capabilities on exec; lock that in. */
static int set_noroot(void)
{
	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);

	if (bits < 0)
		return -1;
	bits |= SECBIT_NOROOT | SECBIT_NOROOT_LOCKED;
	return prctl(PR_SET_SECUREBITS, (unsigned long)bits, 0, 0, 0);
}

/* What the kernel now says must be what we asked for, not more. */
static int verify(const bool *keep, const struct privs *p)
{
	unsigned int c, i;

	if (read_caps() < 0)
		return -1;
	for (c = 0; c <= PRIVS_LAST_CAP; c++) {
		bool want = false;

		for (i = 0; i < PRIVS_NKEEP; i++)
			if (privs_keep[i] == c && keep[i])
				want = true;
		if (!want && (capng_have_capability(CAPNG_PERMITTED, c) ||
			      capng_have_capability(CAPNG_EFFECTIVE, c) ||
			      capng_have_capability(CAPNG_AMBIENT, c))) {
			errno = EPERM;
			return -1;
		}
	}
	if (p->user && (getuid() != p->uid || geteuid() != p->uid ||
			getgid() != p->gid || getegid() != p->gid)) {
		errno = EPERM;
		return -1;
	}
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int privs_drop(struct privs *p)
{
	bool keep[PRIVS_NKEEP], setpcap;
	unsigned int i;
	int rc;

	if (privs_become_self(p) < 0)
		return -1;
	p->dropped = true;
	if (read_caps() < 0)
		return -1;
	setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	for (i = 0; i < PRIVS_NKEEP; i++)
		keep[i] = capng_have_capability(CAPNG_PERMITTED, privs_keep[i]);

	/* Without CAP_SETPCAP (non-root) children cannot gain caps anyway. */
	if (setpcap) {
		if (set_noroot() < 0)
			return -1;
		capng_clear(CAPNG_SELECT_BOUNDS);
		for (i = 0; i < PRIVS_NKEEP; i++)
			if (keep[i])
				capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, privs_keep[i]);
		if (capng_apply(CAPNG_SELECT_BOUNDS) != 0) {
			errno = EPERM;
			return -1;
		}
	}

	capng_clear(PRIVS_CAPS_AMBIENT);
	for (i = 0; i < PRIVS_NKEEP; i++) {
		if (!keep[i])
			continue;
		capng_update(CAPNG_ADD,
			     (capng_type_t)(CAPNG_EFFECTIVE | CAPNG_PERMITTED),
			     privs_keep[i]);
		/* Ambient needs the cap inheritable too. */
		if (p->hook_caps)
			capng_update(CAPNG_ADD,
				     (capng_type_t)(CAPNG_INHERITABLE | CAPNG_AMBIENT),
				     privs_keep[i]);
	}
	errno = 0;
	if (p->user)
		rc = capng_change_id((int)p->uid, (int)p->gid, CAPNG_INIT_SUPP_GRP);
	else
		rc = capng_apply(PRIVS_CAPS_AMBIENT);
	if (rc != 0) {
		if (errno == 0)
			errno = EPERM;
		return -1;
	}
	/*
	 * No exec regains anything either: not a setuid binary, not file
	 * capabilities (a hook running sudo or a capability-marked tool).
	 * Ambient capabilities (--hook-caps, the tear-down's iptables-restore)
	 * still pass, by design of no_new_privs.
	 */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return verify(keep, p);
}

int privs_children_net_admin(struct privs *p)
{
	if (!p->dropped)
		return 0;
	if (read_caps() < 0)
		return -1;
	if (!capng_have_capability(CAPNG_PERMITTED, CAP_NET_ADMIN)) {
		errno = EPERM;
		return -1;
	}
	capng_update(CAPNG_ADD, (capng_type_t)(CAPNG_INHERITABLE | CAPNG_AMBIENT),
		     CAP_NET_ADMIN);
	if (capng_apply(PRIVS_CAPS_AMBIENT) != 0) {
		if (errno == 0)
			errno = EPERM;
		return -1;
	}
	return 0;
}
