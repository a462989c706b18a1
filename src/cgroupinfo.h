/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroupinfo: a process's cgroup v2 path (/proc/PID/cgroup) and what it
 * says: the systemd unit (system or user manager) and the container
 * (docker, podman, containerd, CRI-O, kubernetes pods, lxc, nspawn).
 */
#ifndef PTRAP_CGROUPINFO_H
#define PTRAP_CGROUPINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CGROUPINFO_PATH_MAX	1024	/* longer paths are cut (and still classified whole) */
#define CGROUPINFO_UNIT_MAX	256	/* systemd's UNIT_NAME_MAX */
#define CGROUPINFO_ID_MAX	128
#define CGROUPINFO_SHORT_ID	12	/* as `docker ps` shows an id */
#define CGROUPINFO_POD_MAX	40

enum cgroupinfo_runtime {
	CGROUPINFO_NONE = 0,
	CGROUPINFO_DOCKER,
	CGROUPINFO_PODMAN,
	CGROUPINFO_CONTAINERD,		/* cri-containerd-, nerdctl- */
	CGROUPINFO_CRIO,
	CGROUPINFO_KUBERNETES,		/* a pod's container; the path does not name the runtime */
	CGROUPINFO_LXC,			/* lxc, LXD, Incus, Proxmox */
	CGROUPINFO_NSPAWN,
};

struct cgroupinfo {
	char path[CGROUPINFO_PATH_MAX];	/* "" if the file names no cgroup we use */
	bool path_cut;			/* longer than CGROUPINFO_PATH_MAX - 1 */
	bool v1;			/* no v2 line: from the v1 name=systemd hierarchy */

	/* systemd: the system manager's unit, and the user manager's */
	char unit[CGROUPINFO_UNIT_MAX];		/* "nginx.service", "session-3.scope", "user@1000.service" */
	char user_unit[CGROUPINFO_UNIT_MAX];	/* under user@UID.service: "bar.service" */
	long long uid;				/* from user-UID.slice or user@UID.service; -1 */

	/* the outermost container the path names: the one the host's runtime knows */
	enum cgroupinfo_runtime runtime;
	bool monitor;			/* the runtime's helper for it (conmon, lxc monitor) */
	char id[CGROUPINFO_ID_MAX];	/* 64 hex digits, or a name (lxc, nspawn) */
	char short_id[CGROUPINFO_ID_MAX];	/* 12 hex digits, or the name */
	char pod_uid[CGROUPINFO_POD_MAX];	/* kubernetes pod UID, with '-' */
};

/*
 * Classify path[0..len) into ci (all but path and v1): pure.  Names are
 * taken as they appear (systemd's \x2d escapes stay); ids must be 64
 * lowercase hex digits.  Nothing recognised leaves the fields empty.
 */
void cgroupinfo_classify(const char *path, size_t len, struct cgroupinfo *ci);

/*
 * From the text of /proc/PID/cgroup: the v2 line "0::PATH" (on a hybrid
 * system among v1 lines), else the v1 name=systemd line; then classify.
 * Pure.  0, or -1 with errno EPROTO if no line is usable (ci cleared).
 */
int cgroupinfo_parse(const char *buf, size_t len, struct cgroupinfo *ci);

/* Read <rootfd>/PID/cgroup and parse it.  0, or -1 with errno (ESRCH once gone). */
int cgroupinfo_read(int rootfd, pid_t pid, struct cgroupinfo *ci);

/* "docker", "podman", ... ; "" for CGROUPINFO_NONE. */
const char *cgroupinfo_runtime_name(enum cgroupinfo_runtime rt);

#endif
