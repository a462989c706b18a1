/* SPDX-License-Identifier: GPL-2.0-or-later */
/* testlib: helpers shared by the unit tests (see testlib.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

#define TL_PATH_MAX	512

char *tl_read_file(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	FILE *f = fopen(path, "re");

	if (!buf || !f) {
		free(buf);
		if (f)
			fclose(f);
		return NULL;
	}
	for (;;) {
		n += fread(buf + n, 1, cap - 1 - n, f);
		if (n < cap - 1)
			break;
		cap *= 2;
		buf = realloc(buf, cap);
		assert_non_null(buf);
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Say where the texts part, so the failure reads like a diff. */
static void report_mismatch(const char *path, const char *want, const char *got)
{
	size_t i = 0, line = 1, bol = 0;

	while (want[i] && want[i] == got[i]) {
		if (want[i] == '\n') {
			line++;
			bol = i + 1;
		}
		i++;
	}
	print_error("%s differs at line %zu:\n"
		    "--- expected\n%.*s\n+++ generated\n%.*s\n"
		    "(PTRAP_UPDATE_GOLDEN=1 regenerates; review the diff)\n",
		    path, line,
		    (int)strcspn(want + bol, "\n"), want + bol,
		    (int)strcspn(got + bol, "\n"), got + bol);
}

void tl_check_golden(const char *rel, const char *got, int len)
{
	const char *update = getenv("PTRAP_UPDATE_GOLDEN");
	char path[TL_PATH_MAX];
	size_t flen = 0;
	char *want;
	FILE *f;

	assert_true(len >= 0);
	assert_int_equal(strlen(got), (size_t)len);
	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, rel);
	if (update && *update && strcmp(update, "0") != 0) {
		f = fopen(path, "we");
		assert_non_null(f);
		assert_int_equal(fwrite(got, 1, (size_t)len, f), (size_t)len);
		assert_int_equal(fclose(f), 0);
		return;
	}
	want = tl_read_file(path, &flen);
	if (!want)
		fail_msg("cannot read %s", path);
	if (flen != (size_t)len || memcmp(want, got, flen) != 0) {
		report_mismatch(path, want, got);
		free(want);
		fail();
	}
	free(want);
}

void tl_set_ip(struct addr_ip *ip, const char *s)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(ip->family, s, ip->u.bytes), 1);
}

void tl_set_pkt(struct pkt_info *p, uint8_t proto, const char *src,
		uint16_t sport, const char *dst, uint16_t dport)
{
	memset(p, 0, sizeof(*p));
	tl_set_ip(&p->src, src);
	tl_set_ip(&p->dst, dst);
	p->proto = proto;
	p->has_ports = sport != 0;
	p->sport = sport;
	p->dport = dport;
}

void tl_set_proc(struct resolver_proc *p, pid_t pid, pid_t ppid,
		 unsigned int uid, const char *comm, const char *exe,
		 const char *cmdline, size_t cmdline_len)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	p->uid = uid;
	p->gid = uid;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	snprintf(p->exe, sizeof(p->exe), "%s", exe);
	assert_true(cmdline_len <= sizeof(p->cmdline));
	memcpy(p->cmdline, cmdline, cmdline_len);
	p->cmdline_len = cmdline_len;
}

void tl_set_who(struct resolver_result *who, pid_t pid, const char *comm,
		const char *exe, const char *cmdline, size_t cmdline_len)
{
	memset(who, 0, sizeof(*who));
	who->has_uid = true;
	who->uid = 1000;
	who->n_procs = 1;
	tl_set_proc(&who->procs[0], pid, 1, 1000, comm, exe, cmdline, cmdline_len);
}

void tl_fake_root(char root[TL_ROOT_MAX], const char *tag)
{
	snprintf(root, TL_ROOT_MAX, "/tmp/ptrap-%s-XXXXXX", tag);
	assert_non_null(mkdtemp(root));
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		return rmdir(path);
	return unlink(path);
}

void tl_rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* <root>/<pid>/<name>, or <root>/<name> for pid 0 */
static void proc_path(char *path, const char *root, int pid, const char *name)
{
	if (pid)
		snprintf(path, TL_PATH_MAX, "%s/%d/%s", root, pid, name);
	else
		snprintf(path, TL_PATH_MAX, "%s/%s", root, name);
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", path, strerror(errno));
}

void tl_fake_file(const char *root, int pid, const char *name,
		  const void *data, size_t len)
{
	char path[TL_PATH_MAX];
	FILE *f;

	proc_path(path, root, pid, name);
	f = fopen(path, "we");
	if (!f)
		fail_msg("cannot create %s: %s", path, strerror(errno));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

void tl_fake_link(const char *root, int pid, const char *name, const char *target)
{
	char path[TL_PATH_MAX];

	proc_path(path, root, pid, name);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

void tl_fake_proc(const char *root, const struct tl_proc *p)
{
	const char *cmdline = p->cmdline ? p->cmdline : p->comm;
	size_t cmdline_len = p->cmdline ? p->cmdline_len : strlen(p->comm);
	int tgid = p->tgid ? p->tgid : p->pid;
	char path[TL_PATH_MAX], buf[1024];
	int n;

	snprintf(path, sizeof(path), "%s/%d", root, p->pid);
	make_dir(path);
	proc_path(path, root, p->pid, "fd");
	make_dir(path);

	/* the real layout: Name before Tgid, four ids per Uid/Gid line */
	n = snprintf(buf, sizeof(buf),
		     "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%d\n"
		     "Ngid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n"
		     "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t64\n",
		     p->comm, tgid, p->pid, p->ppid, p->uid, p->uid + 1,
		     p->uid + 2, p->uid + 3, p->gid, p->gid + 1, p->gid + 2,
		     p->gid + 3);
	tl_fake_file(root, p->pid, "status", buf, (size_t)n);
	n = snprintf(buf, sizeof(buf), "%s\n", p->comm);
	tl_fake_file(root, p->pid, "comm", buf, (size_t)n);
	tl_fake_file(root, p->pid, "cmdline", cmdline, cmdline_len);
	/* a comm with a space and a ')' must not shift the fields */
	n = snprintf(buf, sizeof(buf),
		     "%d (%s) S %d %d %d 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 "
		     "%llu 1000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 "
		     "17 0 0 0 0 0 0\n",
		     p->pid, p->comm, p->ppid, tgid, tgid, p->start);
	tl_fake_file(root, p->pid, "stat", buf, (size_t)n);
	if (p->exe)
		tl_fake_link(root, p->pid, "exe", p->exe);
}

void tl_fake_sock(const char *root, int pid, int fd, unsigned long long inode)
{
	char name[32], target[64];

	snprintf(name, sizeof(name), "fd/%d", fd);
	snprintf(target, sizeof(target), "socket:[%llu]", inode);
	tl_fake_link(root, pid, name, target);
}

void tl_fake_children(const char *root, int pid, int tid, const char *list)
{
	char path[TL_PATH_MAX], name[64];

	proc_path(path, root, pid, "task");
	make_dir(path);
	snprintf(name, sizeof(name), "task/%d", tid);
	proc_path(path, root, pid, name);
	make_dir(path);
	snprintf(name, sizeof(name), "task/%d/children", tid);
	tl_fake_file(root, pid, name, list, strlen(list));
}

void tl_fake_rm(const char *root, int pid, const char *name)
{
	char path[TL_PATH_MAX];

	if (name) {
		proc_path(path, root, pid, name);
		assert_int_equal(unlink(path), 0);
		return;
	}
	snprintf(path, sizeof(path), "%s/%d", root, pid);
	tl_rm_tree(path);
	assert_int_equal(access(path, F_OK), -1);
}

FILE *tl_capture_open(struct tl_capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	return c->f;
}

char *tl_capture_close(struct tl_capture *c)
{
	assert_int_equal(fclose(c->f), 0);
	c->f = NULL;
	assert_non_null(c->buf);
	return c->buf;
}

char *tl_capture(void (*fn)(FILE *), size_t *len)
{
	struct tl_capture c;
	char *buf;

	fn(tl_capture_open(&c));
	buf = tl_capture_close(&c);
	*len = c.len;
	return buf;
}
