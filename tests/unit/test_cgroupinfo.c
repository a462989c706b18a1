/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for cgroupinfo: picking the v2 line, and units and containers from real-world paths. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroupinfo.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must name tests/data"
#endif
#define DATA_DIR TEST_DATA_DIR "/cgroupinfo/"

#define DOCKER_ID "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d"
#define CTRD_ID "f45298cd514d1930c4fe3afc4412e59547f7e3148fddd22ca33cefce046eb830"

static struct cgroupinfo ci;

static const struct cgroupinfo *classify(const char *path)
{
	memset(&ci, 0x5a, sizeof(ci));	/* every field must be set */
	cgroupinfo_classify(path, strlen(path), &ci);
	return &ci;
}

/* --- the brief's own examples, asserted field by field --- */

static void test_system_service(void **state)
{
	const struct cgroupinfo *c = classify("/system.slice/nginx.service");

	(void)state;
	assert_string_equal(c->unit, "nginx.service");
	assert_string_equal(c->user_unit, "");
	assert_int_equal(c->uid, -1);
	assert_int_equal(c->runtime, CGROUPINFO_NONE);
	assert_string_equal(c->id, "");
	assert_string_equal(c->pod_uid, "");
}

static void test_user_unit(void **state)
{
	const struct cgroupinfo *c =
		classify("/user.slice/user-1000.slice/user@1000.service/app.slice/bar.service");

	(void)state;
	assert_string_equal(c->unit, "user@1000.service");
	assert_string_equal(c->user_unit, "bar.service");
	assert_int_equal(c->uid, 1000);
	assert_int_equal(c->runtime, CGROUPINFO_NONE);
}

static void test_session_and_transient_scopes(void **state)
{
	const struct cgroupinfo *c = classify("/user.slice/user-1000.slice/session-3.scope");

	(void)state;
	assert_string_equal(c->unit, "session-3.scope");
	assert_int_equal(c->uid, 1000);
	c = classify("/system.slice/run-r3c0d1e2f4a5b6c7d8e9f0a1b2c3d4e5f.scope");
	assert_string_equal(c->unit, "run-r3c0d1e2f4a5b6c7d8e9f0a1b2c3d4e5f.scope");
	assert_int_equal(c->runtime, CGROUPINFO_NONE);
}

static void test_docker(void **state)
{
	const struct cgroupinfo *c = classify("/system.slice/docker-" DOCKER_ID ".scope");

	(void)state;
	assert_int_equal(c->runtime, CGROUPINFO_DOCKER);
	assert_string_equal(cgroupinfo_runtime_name(c->runtime), "docker");
	assert_string_equal(c->id, DOCKER_ID);
	assert_string_equal(c->short_id, "9ec39b91f3d7");
	assert_string_equal(c->unit, "docker-" DOCKER_ID ".scope");
	assert_false(c->monitor);
	c = classify("/docker/" DOCKER_ID);
	assert_int_equal(c->runtime, CGROUPINFO_DOCKER);
	assert_string_equal(c->id, DOCKER_ID);
	assert_string_equal(c->unit, "");
}

static void test_kubernetes(void **state)
{
	const struct cgroupinfo *c = classify(
		"/kubepods.slice/kubepods-besteffort.slice/"
		"kubepods-besteffort-poddd1bf9d1_241d_47f5_8e25_12de83135812.slice/"
		"cri-containerd-" CTRD_ID ".scope");

	(void)state;
	assert_int_equal(c->runtime, CGROUPINFO_CONTAINERD);
	assert_string_equal(c->id, CTRD_ID);
	assert_string_equal(c->short_id, "f45298cd514d");
	assert_string_equal(c->pod_uid, "dd1bf9d1-241d-47f5-8e25-12de83135812");
	c = classify("/kubepods/burstable/pod74ba62da-1a3d-11e7-bb11-080027cb0e22/" CTRD_ID);
	assert_int_equal(c->runtime, CGROUPINFO_KUBERNETES);
	assert_string_equal(c->id, CTRD_ID);
	assert_string_equal(c->pod_uid, "74ba62da-1a3d-11e7-bb11-080027cb0e22");
}

static void test_podman_and_conmon(void **state)
{
	const struct cgroupinfo *c = classify("/machine.slice/libpod-" DOCKER_ID ".scope");

	(void)state;
	assert_int_equal(c->runtime, CGROUPINFO_PODMAN);
	assert_false(c->monitor);
	assert_string_equal(c->id, DOCKER_ID);
	c = classify("/machine.slice/libpod-conmon-" DOCKER_ID ".scope");
	assert_int_equal(c->runtime, CGROUPINFO_PODMAN);
	assert_true(c->monitor);
	assert_string_equal(c->id, DOCKER_ID);
}

static void test_lxc(void **state)
{
	const struct cgroupinfo *c = classify("/lxc/web1");

	(void)state;
	assert_int_equal(c->runtime, CGROUPINFO_LXC);
	assert_string_equal(c->id, "web1");
	assert_string_equal(c->short_id, "web1");
	c = classify("/lxc.payload.web1/init.scope");
	assert_int_equal(c->runtime, CGROUPINFO_LXC);
	assert_string_equal(c->id, "web1");
	assert_string_equal(c->unit, "");
}

static void test_lookalikes(void **state)
{
	(void)state;
	assert_int_equal(classify("/system.slice/docker-xyz.scope")->runtime, CGROUPINFO_NONE);
	assert_string_equal(ci.unit, "docker-xyz.scope");
	assert_int_equal(classify("/" DOCKER_ID)->runtime, CGROUPINFO_NONE);
	assert_int_equal(classify("/system.slice/docker-" DOCKER_ID ".scope.evil")->runtime,
			 CGROUPINFO_NONE);
	assert_int_equal(classify("/user.slice/user-4294967295.slice/session-1.scope")->uid, -1);
	assert_int_equal(classify("")->runtime, CGROUPINFO_NONE);
	assert_string_equal(ci.unit, "");
}

/* --- the golden table of real-world paths --- */

static void describe(FILE *f, const char *path)
{
	const struct cgroupinfo *c = classify(path);

	fprintf(f, "%s\n\t", path);
	if (c->unit[0])
		fprintf(f, "unit=%s ", c->unit);
	if (c->user_unit[0])
		fprintf(f, "user_unit=%s ", c->user_unit);
	if (c->uid >= 0)
		fprintf(f, "uid=%lld ", c->uid);
	if (c->runtime != CGROUPINFO_NONE)
		fprintf(f, "runtime=%s%s id=%s short_id=%s ", cgroupinfo_runtime_name(c->runtime),
			c->monitor ? " monitor" : "", c->id, c->short_id);
	if (c->pod_uid[0])
		fprintf(f, "pod=%s ", c->pod_uid);
	if (!c->unit[0] && c->uid < 0 && c->runtime == CGROUPINFO_NONE && !c->pod_uid[0])
		fprintf(f, "nothing ");
	fprintf(f, "\n");
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf;

	if (!f)
		fail_msg("cannot open %s", path);
	buf = calloc(1, 1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	return buf;
}

static void test_golden_paths(void **state)
{
	char line[2048], *got, *want;
	size_t got_len, want_len, n = 0;
	FILE *in, *out;

	(void)state;
	in = fopen(DATA_DIR "paths", "re");
	assert_non_null(in);
	out = open_memstream(&got, &got_len);
	assert_non_null(out);
	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		describe(out, line);
		n++;
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_true(n >= 60);
	if (getenv("PTRAP_UPDATE_GOLDEN")) {
		out = fopen(DATA_DIR "paths.golden", "we");
		assert_non_null(out);
		fputs(got, out);
		fclose(out);
	}
	want = slurp(DATA_DIR "paths.golden", &want_len);
	if (strcmp(want, got) != 0)
		fail_msg("paths.golden differs (PTRAP_UPDATE_GOLDEN=1 rewrites it):\n%s", got);
	free(want);
	free(got);
}

/* --- /proc/PID/cgroup --- */

static void test_parse_hybrid(void **state)
{
	/* this machine's layout: v1 lines first, the v2 line last */
	static const char file[] =
		"9:name=systemd:/system.slice/v1-view.service\n"
		"8:pids:/\n"
		"4:memory:/process_api/0f34378ea3bed66b34b0154b8edbb7b3\n"
		"2:cpu,cpuacct:/\n"
		"0::/system.slice/docker-" DOCKER_ID ".scope\n";

	(void)state;
	assert_int_equal(cgroupinfo_parse(file, strlen(file), &ci), 0);
	assert_string_equal(ci.path, "/system.slice/docker-" DOCKER_ID ".scope");
	assert_false(ci.v1);
	assert_false(ci.path_cut);
	assert_int_equal(ci.runtime, CGROUPINFO_DOCKER);
}

static void test_parse_v1_only(void **state)
{
	static const char file[] =
		"12:cpuset:/\n"
		"3:cpu,cpuacct:/user.slice\n"
		"1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n";

	(void)state;
	assert_int_equal(cgroupinfo_parse(file, strlen(file), &ci), 0);
	assert_true(ci.v1);
	assert_string_equal(ci.path, "/user.slice/user-1000.slice/session-2.scope");
	assert_string_equal(ci.unit, "session-2.scope");
}

static void test_parse_odd_lines(void **state)
{
	static const char colon[] = "0::/system.slice/a:b.service";	/* no final newline */
	static const char none[] = "8:pids:/\nnonsense\n0::\n:\n\n7:devices:/x\n";

	(void)state;
	assert_int_equal(cgroupinfo_parse(colon, strlen(colon), &ci), 0);
	assert_string_equal(ci.path, "/system.slice/a:b.service");
	assert_string_equal(ci.unit, "a:b.service");
	errno = 0;
	assert_int_equal(cgroupinfo_parse(none, strlen(none), &ci), -1);
	assert_int_equal(errno, EPROTO);
	assert_string_equal(ci.path, "");
	assert_int_equal(cgroupinfo_parse("", 0, &ci), -1);
}

static void test_parse_long_path(void **state)
{
	size_t n = 3000, i;
	char *file = malloc(n + 64), *p;

	(void)state;
	assert_non_null(file);
	p = file + sprintf(file, "0::");
	for (i = 0; i + 16 < n; i += 16)
		p += sprintf(p, "/deep%010zu", i);
	p += sprintf(p, "/docker-%s.scope\n", DOCKER_ID);
	assert_int_equal(cgroupinfo_parse(file, (size_t)(p - file), &ci), 0);
	assert_true(ci.path_cut);
	assert_int_equal(strlen(ci.path), CGROUPINFO_PATH_MAX - 1);
	/* classified from the whole path, not the cut copy */
	assert_int_equal(ci.runtime, CGROUPINFO_DOCKER);
	free(file);
}

/* ---- fake /proc builder (minimal, local; tests/unit/testlib at merge) ---- */
static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP || flag == FTW_D ? rmdir(path) : unlink(path);
}

static void fk_cgroup(const char *root, int pid, const char *text, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d", root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/cgroup", root, pid);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}
/* ---- end of the fake /proc builder ---- */

static void test_read_fake_proc(void **state)
{
	char root[] = "/tmp/ptrap-cgroupinfo-XXXXXX", *big, *p;
	int rootfd, i;

	(void)state;
	assert_non_null(mkdtemp(root));
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(rootfd >= 0);
	fk_cgroup(root, 42, "1:name=systemd:/\n0::/system.slice/sshd.service\n", 46);
	assert_int_equal(cgroupinfo_read(rootfd, 42, &ci), 0);
	assert_string_equal(ci.unit, "sshd.service");

	/* a file larger than the first buffer: 13 long v1 lines, v2 last */
	big = malloc(70000);
	assert_non_null(big);
	p = big;
	for (i = 13; i > 0; i--) {
		p += sprintf(p, "%d:ctl%d:/", i, i);
		memset(p, 'x', 4000);
		p += 4000;
		*p++ = '\n';
	}
	p += sprintf(p, "0::/lxc.payload.c9\n");
	fk_cgroup(root, 43, big, (size_t)(p - big));
	free(big);
	assert_int_equal(cgroupinfo_read(rootfd, 43, &ci), 0);
	assert_int_equal(ci.runtime, CGROUPINFO_LXC);
	assert_string_equal(ci.id, "c9");

	fk_cgroup(root, 44, "", 0);
	errno = 0;
	assert_int_equal(cgroupinfo_read(rootfd, 44, &ci), -1);
	assert_int_equal(errno, ESRCH);
	errno = 0;
	assert_int_equal(cgroupinfo_read(rootfd, 45, &ci), -1);
	assert_int_equal(errno, ESRCH);
	close(rootfd);
	nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_read_self(void **state)
{
	int rootfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	(void)state;
	assert_true(rootfd >= 0);
	if (access("/proc/self/cgroup", R_OK) < 0) {
		close(rootfd);
		skip();
	}
	assert_int_equal(cgroupinfo_read(rootfd, getpid(), &ci), 0);
	assert_int_equal(ci.path[0], '/');
	close(rootfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_service),
		cmocka_unit_test(test_user_unit),
		cmocka_unit_test(test_session_and_transient_scopes),
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_kubernetes),
		cmocka_unit_test(test_podman_and_conmon),
		cmocka_unit_test(test_lxc),
		cmocka_unit_test(test_lookalikes),
		cmocka_unit_test(test_golden_paths),
		cmocka_unit_test(test_parse_hybrid),
		cmocka_unit_test(test_parse_v1_only),
		cmocka_unit_test(test_parse_odd_lines),
		cmocka_unit_test(test_parse_long_path),
		cmocka_unit_test(test_read_fake_proc),
		cmocka_unit_test(test_read_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
