/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procinfo-probe PID: what proctree, cgroupinfo and usernames say about a
 * running process, one key=value per line, for tests/netns/procinfo.sh
 * (until ptrap's own reports carry these fields).  Exit 1 if PID is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroupinfo.h"
#include "monotime.h"
#include "proctree.h"
#include "strbuf.h"
#include "usernames.h"

static void put(const char *key, const char *val)
{
	char buf[CGROUPINFO_PATH_MAX * 4 + 64];
	struct strbuf b;

	sb_init(&b, buf, sizeof(buf));
	sb_escaped(&b, val, strlen(val), NULL);
	if (sb_finish(&b) >= 0)
		printf("%s=%s\n", key, buf);
}

int main(int argc, char **argv)
{
	char text[PROCTREE_TEXT_MAX], name[USERNAMES_NAME_MAX], path[64];
	struct proctree_cache *pc;
	struct usernames *un;
	struct cgroupinfo ci;
	struct proctree t;
	struct stat st;
	long pid;
	int rootfd;

	if (argc != 2 || (pid = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: procinfo-probe PID\n");
		return 2;
	}
	rootfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pc = proctree_cache_new("/proc", 64);
	un = usernames_new(NULL, 16, USERNAMES_TTL_DEFAULT);
	if (rootfd < 0 || !pc || !un) {
		perror("procinfo-probe");
		return 1;
	}
	if (proctree_get(pc, (pid_t)pid, 0, proctree_now(), &t) < 0 ||
	    proctree_format(&t, text, sizeof(text)) < 0) {
		fprintf(stderr, "procinfo-probe: %ld: %s\n", pid, strerror(errno));
		return 1;
	}
	printf("chain=%s\n", text);
	if (cgroupinfo_read(rootfd, (pid_t)pid, &ci) == 0) {
		put("cgroup", ci.path);
		put("unit", ci.unit);
		put("user_unit", ci.user_unit);
		printf("slice_uid=%lld\n", ci.uid);
		put("runtime", cgroupinfo_runtime_name(ci.runtime));
		put("id", ci.id);
		put("short_id", ci.short_id);
		put("pod", ci.pod_uid);
	}
	/* /proc/PID belongs to the process's effective uid and gid */
	snprintf(path, sizeof(path), "/proc/%ld", pid);
	if (stat(path, &st) == 0) {
		usernames_user(un, st.st_uid, monotime_ns(), name, sizeof(name));
		put("user", name);
		usernames_group(un, st.st_gid, monotime_ns(), name, sizeof(name));
		put("group", name);
	}
	usernames_free(un);
	proctree_cache_free(pc);
	close(rootfd);
	return 0;
}
