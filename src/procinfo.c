/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procinfo: a process's user, parents, cgroup, unit and container, read once. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procinfo.h"

#define PI_TREE_SIZE	1024	/* processes whose place in the tree is kept */
#define PI_NAMES_SIZE	256	/* user and group ids */

struct procinfo_reader {
	int rootfd;
	uint64_t serial;
	unsigned long reads;
	struct proctree_cache *tree;
	struct usernames *names;
};

struct procinfo_reader *procinfo_reader_new(const char *proc_root)
{
	struct procinfo_reader *pr;
	int saved;

	pr = calloc(1, sizeof(*pr));
	if (!pr)
		return NULL;
	pr->rootfd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pr->rootfd < 0)
		goto err;
	pr->tree = proctree_cache_new(proc_root, PI_TREE_SIZE);
	if (!pr->tree)
		goto err;
	pr->names = usernames_new(NULL, PI_NAMES_SIZE, USERNAMES_TTL_DEFAULT);
	if (!pr->names)
		goto err;
	return pr;
err:
	saved = errno;
	procinfo_reader_free(pr);
	errno = saved;
	return NULL;
}

void procinfo_reader_free(struct procinfo_reader *pr)
{
	if (!pr)
		return;
	if (pr->rootfd >= 0)
		close(pr->rootfd);
	proctree_cache_free(pr->tree);
	usernames_free(pr->names);
	free(pr);
}

static void pi_clear(struct procinfo *out)
{
	out->user[0] = '\0';
	out->group[0] = '\0';
	out->tree.n = 0;
	out->tree.truncated = false;
	out->tree.broken = false;
	memset(&out->cg, 0, sizeof(out->cg));
	out->cg.uid = -1;
}

void procinfo_names(struct procinfo_reader *pr, uid_t uid, gid_t gid, uint64_t now,
		    struct procinfo *out)
{
	pi_clear(out);
	out->serial = ++pr->serial;
	usernames_user(pr->names, uid, now, out->user, sizeof(out->user));
	if (gid != (gid_t)-1)
		usernames_group(pr->names, gid, now, out->group, sizeof(out->group));
}

void procinfo_read(struct procinfo_reader *pr, pid_t pid, unsigned long long start,
		   uid_t uid, gid_t gid, uint64_t now, struct procinfo *out)
{
	procinfo_names(pr, uid, gid, now, out);
	pr->reads++;
	/* gone meanwhile: the names are what is known */
	if (proctree_get(pr->tree, pid, start, proctree_now(), &out->tree) < 0)
		out->tree.n = 0;
	if (cgroupinfo_read(pr->rootfd, pid, &out->cg) < 0) {
		memset(&out->cg, 0, sizeof(out->cg));
		out->cg.uid = -1;
	}
}

void procinfo_container(const struct procinfo *pi, struct strbuf *b)
{
	const struct cgroupinfo *cg = &pi->cg;

	if (cg->runtime == CGROUPINFO_NONE || cg->short_id[0] == '\0')
		return;
	sb_str(b, cgroupinfo_runtime_name(cg->runtime));
	sb_char(b, ':');
	/* a name (lxc, nspawn) is the admin's or the guest's choice */
	sb_escaped(b, cg->short_id, strnlen(cg->short_id, sizeof(cg->short_id)), "\\\" =");
}

static bool unit_is(const char *want, const char *unit)
{
	size_t n = strlen(want);

	if (!unit[0])
		return false;
	if (strchr(want, '.'))
		return strcmp(want, unit) == 0;
	return strncmp(want, unit, n) == 0 && strcmp(unit + n, ".service") == 0;
}

bool procinfo_unit_match(const char *want, const char *unit, const char *user_unit)
{
	return unit_is(want, unit) || unit_is(want, user_unit);
}

bool procinfo_container_match(const char *want, const char *runtime, const char *id)
{
	const char *colon = strchr(want, ':');

	if (!id[0])
		return false;
	if (colon) {
		size_t n = (size_t)(colon - want);

		if (strncmp(want, runtime, n) != 0 || runtime[n] != '\0')
			return false;
		want = colon + 1;
	}
	return strncmp(want, id, strlen(want)) == 0;
}

void procinfo_stats(const struct procinfo_reader *pr, struct procinfo_stats *st)
{
	st->reads = pr->reads;
	proctree_stats(pr->tree, &st->tree);
	usernames_stats(pr->names, &st->names);
}
