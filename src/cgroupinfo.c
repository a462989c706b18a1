/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroupinfo: a process's cgroup v2 path and the systemd unit and the
 * container it names.  The path is written by systemd and the container
 * runtimes, but a delegated subtree (user@UID.service, a container) is
 * named by its owner: nothing here trusts a name beyond its shape.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroupinfo.h"
#include "procfile.h"

#define HEX_ID_LEN	64
#define CG_READ_MAX	(256 * 1024)	/* a hybrid file is 13 lines of at most 4 KiB */

struct span {
	const char *p;
	size_t n;
};

static bool span_is(struct span s, const char *lit)
{
	return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static bool span_prefix(struct span s, const char *pre)
{
	size_t n = strlen(pre);

	return s.n >= n && memcmp(s.p, pre, n) == 0;
}

static bool span_suffix(struct span s, const char *suf)
{
	size_t n = strlen(suf);

	return s.n > n && memcmp(s.p + s.n - n, suf, n) == 0;
}

/* s without n0 bytes in front and n1 at the end */
static struct span span_mid(struct span s, size_t n0, size_t n1)
{
	struct span m = { s.p + n0, s.n - n0 - n1 };

	return m;
}

static bool copy_span(char *dst, size_t size, struct span s)
{
	if (s.n == 0 || s.n >= size) {
		dst[0] = '\0';
		return false;
	}
	memcpy(dst, s.p, s.n);
	dst[s.n] = '\0';
	return true;
}

static bool is_hex_id(struct span s)
{
	size_t i;

	if (s.n != HEX_ID_LEN)
		return false;
	for (i = 0; i < s.n; i++)
		if (!((s.p[i] >= '0' && s.p[i] <= '9') || (s.p[i] >= 'a' && s.p[i] <= 'f')))
			return false;
	return true;
}

/* A uid as systemd writes it in user-UID.slice: decimal, at most 2^32 - 2. */
static long long parse_uid(struct span s)
{
	unsigned long long v = 0;
	size_t i;

	if (s.n == 0 || s.n > 10)
		return -1;
	for (i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		v = v * 10 + (unsigned long long)(s.p[i] - '0');
	}
	return v <= 4294967294ull ? (long long)v : -1;
}

/* --- systemd units --- */

static bool is_slice(struct span c)
{
	return span_suffix(c, ".slice");
}

/* The unit types that own processes; a slice only groups them. */
static bool is_unit(struct span c)
{
	static const char *const types[] = { ".service", ".scope", ".socket", ".mount", ".swap" };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (span_suffix(c, types[i]))
			return true;
	return false;
}

enum unit_state { FIND_UNIT, FIND_USER_UNIT, UNITS_DONE };

/*
 * As systemd reads its own paths: slices are skipped, the first unit is
 * the system manager's; below user@UID.service the same again gives the
 * user manager's unit.  Anything else ends the search.
 */
static void unit_step(struct cgroupinfo *ci, enum unit_state *st, struct span c)
{
	if (*st == UNITS_DONE)
		return;
	if (is_slice(c)) {
		if (*st == FIND_UNIT && span_prefix(c, "user-") && ci->uid < 0)
			ci->uid = parse_uid(span_mid(c, strlen("user-"), strlen(".slice")));
		return;
	}
	if (!is_unit(c)) {
		*st = UNITS_DONE;
		return;
	}
	if (*st == FIND_USER_UNIT) {
		copy_span(ci->user_unit, sizeof(ci->user_unit), c);
		*st = UNITS_DONE;
		return;
	}
	copy_span(ci->unit, sizeof(ci->unit), c);
	*st = UNITS_DONE;
	if (span_prefix(c, "user@") && span_suffix(c, ".service")) {
		long long uid = parse_uid(span_mid(c, strlen("user@"), strlen(".service")));

		if (uid >= 0) {
			ci->uid = uid;
			*st = FIND_USER_UNIT;
		}
	}
}

/* --- containers --- */

struct cg_walk {
	struct span prev;
	bool kubepods;			/* below a kubepods cgroup */
	bool found;
};

static void set_container(struct cgroupinfo *ci, struct cg_walk *w,
			  enum cgroupinfo_runtime rt, struct span id, bool monitor)
{
	struct span shrt = id;

	if (!copy_span(ci->id, sizeof(ci->id), id))
		return;
	if (is_hex_id(id))
		shrt.n = CGROUPINFO_SHORT_ID;
	copy_span(ci->short_id, sizeof(ci->short_id), shrt);
	ci->runtime = rt;
	ci->monitor = monitor;
	w->found = true;
}

/* PREFIX<64 hex>SUFFIX: the id in *id */
static bool hex_between(struct span c, const char *pre, const char *suf, struct span *id)
{
	size_t n0 = strlen(pre), n1 = strlen(suf);

	if (c.n != n0 + HEX_ID_LEN + n1 || !span_prefix(c, pre) ||
	    memcmp(c.p + c.n - n1, suf, n1) != 0)
		return false;
	*id = span_mid(c, n0, n1);
	return is_hex_id(*id);
}

/* "kubepods-burstable-pod<uid, '_' for '-'>.slice" or, below kubepods, "pod<uid>" */
static void pod_step(struct cgroupinfo *ci, struct cg_walk *w, struct span c)
{
	struct span u = { NULL, 0 };
	const char *p;
	size_t i;

	if (span_prefix(c, "kubepods") || span_prefix(c, "kubelet-kubepods"))
		w->kubepods = true;
	if (!w->kubepods)
		return;
	if (is_slice(c)) {
		for (p = c.p + c.n - strlen(".slice"); p - c.p >= 4; p--)
			if (memcmp(p - 4, "-pod", 4) == 0)
				break;
		if (p - c.p < 4)
			return;
		u.p = p;
		u.n = (size_t)(c.p + c.n - strlen(".slice") - p);
	} else if (span_prefix(c, "pod")) {
		u = span_mid(c, 3, 0);
	}
	/* a UUID, or the 32 hex digits of a static pod's hash */
	if (u.n < 32 || u.n >= sizeof(ci->pod_uid))
		return;
	for (i = 0; i < u.n; i++) {
		char ch = u.p[i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
		      ch == '-' || ch == '_'))
			return;
	}
	for (i = 0; i < u.n; i++)
		ci->pod_uid[i] = u.p[i] == '_' ? '-' : u.p[i];
	ci->pod_uid[u.n] = '\0';
}

static void container_step(struct cgroupinfo *ci, struct cg_walk *w, struct span c)
{
	static const struct {
		const char *pre, *suf;
		enum cgroupinfo_runtime rt;
		bool monitor;
	} scopes[] = {
		/* the conmon forms first: "libpod-" would match them too */
		{ "libpod-conmon-", ".scope", CGROUPINFO_PODMAN, true },
		{ "libpod-", ".scope", CGROUPINFO_PODMAN, false },
		{ "libpod-", "", CGROUPINFO_PODMAN, false },		/* cgroupfs */
		{ "crio-conmon-", ".scope", CGROUPINFO_CRIO, true },
		{ "crio-", ".scope", CGROUPINFO_CRIO, false },
		{ "crio-", "", CGROUPINFO_CRIO, false },		/* cgroupfs */
		{ "cri-containerd-", ".scope", CGROUPINFO_CONTAINERD, false },
		{ "nerdctl-", ".scope", CGROUPINFO_CONTAINERD, false },
		{ "docker-", ".scope", CGROUPINFO_DOCKER, false },
	};
	struct span id;
	size_t i;

	if (w->found)
		return;
	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (hex_between(c, scopes[i].pre, scopes[i].suf, &id)) {
			set_container(ci, w, scopes[i].rt, id, scopes[i].monitor);
			return;
		}
	if (span_is(w->prev, "docker") && is_hex_id(c))		/* cgroupfs driver */
		set_container(ci, w, CGROUPINFO_DOCKER, c, false);
	else if (w->kubepods && ci->pod_uid[0] && is_hex_id(c))
		set_container(ci, w, CGROUPINFO_KUBERNETES, c, false);
	else if (span_prefix(c, "lxc.payload."))
		set_container(ci, w, CGROUPINFO_LXC, span_mid(c, strlen("lxc.payload."), 0), false);
	else if (span_prefix(c, "lxc.monitor."))
		set_container(ci, w, CGROUPINFO_LXC, span_mid(c, strlen("lxc.monitor."), 0), true);
	else if (span_is(w->prev, "lxc") || span_is(w->prev, "lxc.payload"))
		set_container(ci, w, CGROUPINFO_LXC, c, false);
	else if (span_is(w->prev, "lxc.monitor"))
		set_container(ci, w, CGROUPINFO_LXC, c, true);
	else if (span_prefix(c, "systemd-nspawn@") && span_suffix(c, ".service") &&
		 c.n > strlen("systemd-nspawn@.service"))
		set_container(ci, w, CGROUPINFO_NSPAWN,
			      span_mid(c, strlen("systemd-nspawn@"), strlen(".service")), false);
}

void cgroupinfo_classify(const char *path, size_t len, struct cgroupinfo *ci)
{
	enum unit_state st = FIND_UNIT;
	struct cg_walk w = { { NULL, 0 }, false, false };
	const char *p = path, *end = path + len;

	ci->unit[0] = ci->user_unit[0] = '\0';
	ci->uid = -1;
	ci->runtime = CGROUPINFO_NONE;
	ci->monitor = false;
	ci->id[0] = ci->short_id[0] = ci->pod_uid[0] = '\0';
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		struct span c = { p, (size_t)((slash ? slash : end) - p) };

		p = slash ? slash + 1 : end;
		if (c.n == 0)
			continue;
		unit_step(ci, &st, c);
		pod_step(ci, &w, c);
		container_step(ci, &w, c);
		w.prev = c;
	}
}

/* --- /proc/PID/cgroup --- */

/* "name=systemd" among the comma-separated controllers of a v1 line */
static bool names_systemd(struct span ctl)
{
	const char *p = ctl.p, *end = ctl.p + ctl.n;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		struct span item = { p, (size_t)((comma ? comma : end) - p) };

		if (span_is(item, "name=systemd"))
			return true;
		p = comma ? comma + 1 : end;
	}
	return false;
}

int cgroupinfo_parse(const char *buf, size_t len, struct cgroupinfo *ci)
{
	const char *p = buf, *end = buf + len;
	struct span v2 = { NULL, 0 }, v1 = { NULL, 0 }, path;

	memset(ci, 0, sizeof(*ci));
	ci->uid = -1;
	while (p < end && !v2.p) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *c1 = memchr(p, ':', (size_t)(eol - p));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;

		/* "HIERARCHY:CONTROLLERS:PATH"; the path may hold ':' itself */
		if (c2 && c2 + 1 < eol && c2[1] == '/') {
			struct span id = { p, (size_t)(c1 - p) };
			struct span ctl = { c1 + 1, (size_t)(c2 - c1 - 1) };
			struct span pth = { c2 + 1, (size_t)(eol - c2 - 1) };

			if (span_is(id, "0") && ctl.n == 0)
				v2 = pth;
			else if (!v1.p && names_systemd(ctl))
				v1 = pth;
		}
		p = nl ? nl + 1 : end;
	}
	path = v2.p ? v2 : v1;
	if (!path.p) {
		errno = EPROTO;
		return -1;
	}
	ci->v1 = !v2.p;
	if (path.n >= sizeof(ci->path)) {
		ci->path_cut = true;
		memcpy(ci->path, path.p, sizeof(ci->path) - 1);
		ci->path[sizeof(ci->path) - 1] = '\0';
	} else {
		memcpy(ci->path, path.p, path.n);
		ci->path[path.n] = '\0';
	}
	cgroupinfo_classify(path.p, path.n, ci);
	return 0;
}

int cgroupinfo_read(int rootfd, pid_t pid, struct cgroupinfo *ci)
{
	char name[32], stack[4096], *buf = stack, *heap = NULL;
	size_t size = sizeof(stack), len;
	int r = -1;

	if (pid <= 0 || !ci) {
		errno = EINVAL;
		return -1;
	}
	snprintf(name, sizeof(name), "%d/cgroup", (int)pid);
	/* a full buffer may hold only part of it: read it again into a larger one */
	for (;;) {
		if (procfile_read(rootfd, name, buf, size, &len, 0) < 0) {
			if (errno == ENOENT)
				errno = ESRCH;
			goto out;
		}
		if (len < size)
			break;
		if (size >= CG_READ_MAX) {
			errno = EFBIG;
			goto out;
		}
		size *= 4;
		free(heap);
		heap = malloc(size);
		if (!heap)
			goto out;
		buf = heap;
	}
	if (len == 0)		/* an exited process's file reads empty */
		errno = ESRCH;
	else
		r = cgroupinfo_parse(buf, len, ci);
out:
	free(heap);
	return r;
}

const char *cgroupinfo_runtime_name(enum cgroupinfo_runtime rt)
{
	switch (rt) {
	case CGROUPINFO_NONE:
		break;
	case CGROUPINFO_DOCKER:
		return "docker";
	case CGROUPINFO_PODMAN:
		return "podman";
	case CGROUPINFO_CONTAINERD:
		return "containerd";
	case CGROUPINFO_CRIO:
		return "cri-o";
	case CGROUPINFO_KUBERNETES:
		return "kubernetes";
	case CGROUPINFO_LXC:
		return "lxc";
	case CGROUPINFO_NSPAWN:
		return "nspawn";
	}
	return "";
}
