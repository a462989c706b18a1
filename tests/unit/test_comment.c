/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for comment: the packet comment as -w writes it (these texts
 * are what Wireshark users and the -r reader see) and as the reader takes
 * it apart again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "comment.h"
#include "procinfo.h"
#include "report.h"
#include "testlib.h"

static void test_comment_format(void **state)
{
	struct resolver_result who;
	char buf[COMMENT_MAX];

	(void)state;
	tl_set_who(&who, 1234, "dig", "/usr/bin/dig", "dig\0@192.0.2.53\0a\nb", 20);
	comment_format(&who, buf, sizeof(buf));
	/* a newline inside an argument is escaped, never a new line */
	assert_string_equal(buf, "PID: 1234\nCmd: /usr/bin/dig\nArgs: dig @192.0.2.53 a\\nb\n"
			    "UserId: 1000\nParentPID: 1\nComm: dig");
	memset(&who, 0, sizeof(who));
	who.problem = "socket not found";
	comment_format(&who, buf, sizeof(buf));
	assert_string_equal(buf, "PID: unknown\nUserId: ?\nReason: socket not found");
	/* Truncated to the buffer, still terminated. */
	tl_set_who(&who, 1234, "dig", "/usr/bin/dig", "dig", 4);
	assert_int_equal(comment_format(&who, buf, 10), 9);
	assert_string_equal(buf, "PID: 1234");
}

/* The memo gives a process's comment again, and a fresh one once it changes. */
static void test_comment_memo(void **state)
{
	struct comment_memo *c = comment_memo_new();
	struct resolver_result who;
	const char *first;

	(void)state;
	assert_non_null(c);
	tl_set_who(&who, 1234, "dig", "/usr/bin/dig", "dig\0a\0", 6);
	first = comment_memo_get(c, &who);
	assert_string_equal(first, "PID: 1234\nCmd: /usr/bin/dig\nArgs: dig a\n"
			    "UserId: 1000\nParentPID: 1\nComm: dig");
	assert_ptr_equal(comment_memo_get(c, &who), first);
	/* same pid, exec'd: every field shown is compared, not the pid */
	tl_set_who(&who, 1234, "curl", "/usr/bin/curl", "dig\0a\0", 6);
	assert_string_equal(comment_memo_get(c, &who), "PID: 1234\nCmd: /usr/bin/curl\n"
			    "Args: dig a\nUserId: 1000\nParentPID: 1\nComm: curl");
	tl_set_who(&who, 1234, "curl", "/usr/bin/curl", "dig\0b\0", 6);
	assert_non_null(strstr(comment_memo_get(c, &who), "Args: dig b\n"));
	who.procs[0].ppid = 77;
	assert_non_null(strstr(comment_memo_get(c, &who), "ParentPID: 77\n"));
	memset(&who, 0, sizeof(who));
	who.problem = "gone";
	assert_string_equal(comment_memo_get(c, &who),
			    "PID: unknown\nUserId: ?\nReason: gone");
	comment_memo_free(c);
}

/* What the writer writes the reader reads back, field by field. */
static void test_round_trip(void **state)
{
	struct resolver_result who;
	struct report_proc p;
	char buf[COMMENT_MAX];
	size_t n;

	(void)state;
	tl_set_who(&who, 4321, "cu rl", "/usr/bin/curl", "curl\0-s\0", 8);
	who.procs[0].ppid = 77;
	n = comment_format(&who, buf, sizeof(buf));
	assert_int_equal(report_parse_comment(buf, n, &p), 0);
	assert_int_equal(p.pid, 4321);
	assert_int_equal(p.ppid, 77);
	assert_int_equal(p.uid, 1000);
	assert_string_equal(p.comm, "cu rl");
	assert_string_equal(p.exe, "/usr/bin/curl");
	assert_string_equal(p.args, "curl -s");
	assert_string_equal(p.reason, "");
	assert_int_equal(p.start, -1);		/* not read: not written */
	who.procs[0].start = 987654;
	n = comment_format(&who, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\nStart: 987654"));
	assert_int_equal(report_parse_comment(buf, n, &p), 0);
	assert_int_equal(p.start, 987654);

	memset(&who, 0, sizeof(who));
	who.problem = "no socket";
	n = comment_format(&who, buf, sizeof(buf));
	assert_int_equal(report_parse_comment(buf, n, &p), 0);
	assert_int_equal(p.pid, -1);
	assert_int_equal(p.uid, -1);
	assert_string_equal(p.reason, "no socket");

	n = comment_format_unknown(33, "not an IPv4/IPv6 packet", buf, sizeof(buf));
	assert_string_equal(buf, "PID: unknown\nUserId: 33\nReason: not an IPv4/IPv6 packet");
	assert_int_equal(n, strlen(buf));
}

/*
 * A process names itself: a comm, exe or argument with a newline, a CR,
 * an escape or a backslash must stay inside its one line (no forged
 * "PID: 1" field), and the reader gets the bytes back exactly.
 */
static void test_forged_fields(void **state)
{
	static const char comm[] = "x\nPID: 1\r\033[2J";
	static const char exe[] = "/tmp/a\nCmd: /usr/sbin/sshd\\";
	static const char argv[] = "evil\0--x\nUserId: 0\0";
	struct resolver_result who;
	struct report_proc p;
	char buf[COMMENT_MAX];
	const char *s, *v;
	enum comment_field f;
	unsigned int pids = 0, lines = 1;
	size_t n, vl, i;

	(void)state;
	tl_set_who(&who, 4321, comm, exe, argv, sizeof(argv) - 1);
	n = comment_format(&who, buf, sizeof(buf));
	for (i = 0; i < n; i++) {
		assert_true(buf[i] != '\r' && buf[i] != '\033');
		lines += buf[i] == '\n';
	}
	assert_int_equal(lines, 6);	/* PID Cmd Args UserId ParentPID Comm */
	s = buf;
	while (comment_next(&s, buf + n, &f, &v, &vl))
		pids += f == COMMENT_PID;
	assert_int_equal(pids, 1);
	assert_non_null(strstr(buf, "Comm: x\\nPID: 1\\x0d\\x1b[2J"));
	assert_int_equal(report_parse_comment(buf, n, &p), 0);
	assert_int_equal(p.pid, 4321);
	assert_int_equal(p.uid, 1000);
	assert_string_equal(p.comm, comm);
	assert_string_equal(p.exe, exe);
	assert_string_equal(p.args, "evil --x\nUserId: 0");
}

/* Lines a reader does not know are skipped; a NUL ends the comment. */
static void test_reader(void **state)
{
	static const char text[] = "Note: x\nPID: 12\nFuture: y\nComm: a\0b\nUserId: 5";
	const char *s = text, *v;
	enum comment_field f;
	size_t vl;

	(void)state;
	assert_true(comment_next(&s, text + sizeof(text) - 1, &f, &v, &vl));
	assert_int_equal(f, COMMENT_PID);
	assert_int_equal(comment_number(v, vl), 12);
	assert_true(comment_next(&s, text + sizeof(text) - 1, &f, &v, &vl));
	assert_int_equal(f, COMMENT_COMM);
	assert_false(comment_next(&s, text + sizeof(text) - 1, &f, &v, &vl));
	/* "Args:" without a space is no value; numbers are digits only */
	s = "Args:";
	assert_false(comment_next(&s, s + 5, &f, &v, &vl));
	assert_int_equal(comment_number("12a", 3), -1);
	assert_int_equal(comment_number("", 0), -1);
	assert_int_equal(comment_number("1234567890123456789", 19), -1);
}

static void tree_add(struct proctree *t, pid_t pid, const char *comm)
{
	t->node[t->n].pid = pid;
	snprintf(t->node[t->n].comm, sizeof(t->node[t->n].comm), "%s", comm);
	t->n++;
}

/* Issue 16's fields: written when known, read back exactly, hostile bytes included. */
static void test_procinfo(void **state)
{
	static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct comment_memo *m = comment_memo_new();
	struct comment_procinfo got;
	struct resolver_result who;
	struct procinfo pi;
	char buf[COMMENT_MAX];
	const char *first;

	(void)state;
	memset(&pi, 0, sizeof(pi));
	pi.serial = 7;
	strcpy(pi.user, "alice");
	strcpy(pi.group, "staff");
	tree_add(&pi.tree, 1234, "dig");
	tree_add(&pi.tree, 1190, "a (b) < c\nPID: 1");
	tree_add(&pi.tree, 1, "systemd");
	snprintf(pi.cg.path, sizeof(pi.cg.path), "/system.slice/docker-%s.scope", id);
	cgroupinfo_classify(pi.cg.path, strlen(pi.cg.path), &pi.cg);
	tl_set_who(&who, 1234, "dig", "/usr/bin/dig", "dig", 4);
	who.info = &pi;
	who.exited = true;
	comment_format(&who, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\nComm: dig\nUser: alice\nGroup: staff\n"
			       "Unit: docker-"));
	assert_non_null(strstr(buf, ".scope\nContainer: docker:0123456789abcdef"));
	assert_non_null(strstr(buf, "\nChain: dig(1234) < a (b) \\x3c c\\nPID: 1(1190) < systemd(1)\n"
			       "Cgroup: /system.slice/docker-"));
	assert_non_null(strstr(buf, ".scope\nExited: yes"));
	assert_null(strstr(buf, "\nPID: 1"));

	comment_procinfo_parse(buf, strlen(buf), &got);
	assert_string_equal(got.user, "alice");
	assert_string_equal(got.group, "staff");
	assert_string_equal(got.unit, pi.cg.unit);
	assert_string_equal(got.user_unit, "");
	assert_string_equal(got.runtime, "docker");
	assert_string_equal(got.container, id);
	assert_string_equal(got.cgroup, pi.cg.path);
	assert_true(got.exited);
	assert_int_equal(got.n_chain, 3);
	assert_int_equal(got.chain[1].pid, 1190);
	assert_string_equal(got.chain[1].comm, "a (b) < c\nPID: 1");
	assert_string_equal(got.chain[2].comm, "systemd");
	assert_false(got.chain_truncated || got.chain_broken);

	/* the memo: a new reading of the same process is a new comment */
	who.exited = false;
	first = comment_memo_get(m, &who);
	assert_null(strstr(first, "Exited"));
	assert_ptr_equal(comment_memo_get(m, &who), first);
	strcpy(pi.user, "bob");
	pi.serial = 8;
	assert_non_null(strstr(comment_memo_get(m, &who), "User: bob\n"));
	comment_memo_free(m);

	/* no process: the user of the uid */
	memset(&who, 0, sizeof(who));
	who.has_uid = true;
	who.uid = 1000;
	memset(&pi, 0, sizeof(pi));
	strcpy(pi.user, "alice");
	pi.tree.truncated = true;
	who.info = &pi;
	comment_format(&who, buf, sizeof(buf));
	assert_string_equal(buf, "PID: unknown\nUserId: 1000\nReason: unknown\nUser: alice");
	comment_procinfo_parse("Chain: a(1) < b(2) < ...\n", 25, &got);
	assert_int_equal(got.n_chain, 2);
	assert_true(got.chain_truncated);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comment_format),
		cmocka_unit_test(test_comment_memo),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_forged_fields),
		cmocka_unit_test(test_procinfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
