/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for output: reports against literals and goldens. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "procinfo.h"
#include "testlib.h"

#define BUF_LEN 8192

/* 2026-11-22T20:44:03.123456789Z */
#define TS0 { 1795380243, 123456789 }
static const struct timespec ts0 = TS0;

/* The dig query of the old script's example. */
static void dig_event(struct pkt_info *pkt, struct resolver_result *who)
{
	static const char argv[] = "dig\0@192.0.2.53\0example.test";

	tl_set_pkt(pkt, IPPROTO_UDP, "192.0.2.10", 40000, "192.0.2.53", 53);
	memset(who, 0, sizeof(*who));
	who->has_uid = true;
	who->uid = who->gid = 1000;
	who->has_inode = true;
	who->inode = 5678;
	who->n_procs = 1;
	tl_set_proc(&who->procs[0], 1234, 1, 1000, "dig", "/usr/bin/dig",
		 argv, sizeof(argv));	/* with the trailing NUL */
}

static void check_golden(const char *name, const char *got, int len)
{
	char rel[256];

	assert_true(len > 0);
	snprintf(rel, sizeof(rel), "output/%s", name);
	tl_check_golden(rel, got, len);
}

static void check_event(const char *name, const struct out_event *ev)
{
	char buf[BUF_LEN], file[128];
	int n;

	n = out_format_event_text(ev, buf, sizeof(buf));
	snprintf(file, sizeof(file), "%s.txt", name);
	check_golden(file, buf, n);
	/* text reports are one line */
	assert_ptr_equal(strchr(buf, '\n'), buf + n - 1);

	n = out_format_event_json(ev, buf, sizeof(buf));
	snprintf(file, sizeof(file), "%s.json", name);
	check_golden(file, buf, n);
	assert_ptr_equal(strchr(buf, '\n'), buf + n - 1);
}

static int setup_utc(void **state)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void test_v4_udp(void **state)
{
	struct pkt_info pkt;
	struct resolver_result who;
	struct out_event ev = { .seq = 1, .ts = ts0, .pkt = &pkt, .who = &who };
	const char *text = "[2026-11-22, 20:44:03.123] PROCESS REQUEST "
		"CAPTURED. Matching PID: 1234 comm=dig uid=1000 "
		"exe=/usr/bin/dig udp 192.0.2.10:40000 -> 192.0.2.53:53\n";
	char buf[BUF_LEN];
	int n;

	dig_event(&pkt, &who);
	n = out_format_event_text(&ev, buf, sizeof(buf));
	assert_string_equal(buf, text);
	assert_int_equal(n, strlen(text));
	n = out_format_event_json(&ev, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "{\"type\":\"packet\",\"seq\":1,"
		"\"ts\":\"2026-11-22T20:44:03.123456Z\",\"proto\":\"udp\","
		"\"src\":\"192.0.2.10\",\"sport\":40000,"
		"\"dst\":\"192.0.2.53\",\"dport\":53,\"pid\":1234,\"ppid\":1,"
		"\"uid\":1000,\"gid\":1000,\"comm\":\"dig\","
		"\"exe\":\"/usr/bin/dig\","
		"\"cmdline\":[\"dig\",\"@192.0.2.53\",\"example.test\"],"
		"\"pids\":[1234],\"user\":null,\"group\":null,\"chain\":null,"
		"\"chain_complete\":null,\"cgroup\":null,\"unit\":null,"
		"\"user_unit\":null,\"container\":null,\"exited\":false,"
		"\"inode\":5678}\n");
	check_event("v4-udp", &ev);
}

static void tree_add(struct proctree *t, pid_t pid, const char *comm)
{
	t->node[t->n].pid = pid;
	snprintf(t->node[t->n].comm, sizeof(t->node[t->n].comm), "%s", comm);
	t->n++;
}

/* dig from an ssh session: user, unit, chain and cgroup (issue 16). */
static void dig_info(struct procinfo *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->serial = 1;
	strcpy(pi->user, "alice");
	strcpy(pi->group, "staff");
	tree_add(&pi->tree, 1234, "dig");
	tree_add(&pi->tree, 1190, "bash");
	tree_add(&pi->tree, 880, "sshd");
	tree_add(&pi->tree, 1, "systemd");
	strcpy(pi->cg.path, "/user.slice/user-1000.slice/session-3.scope");
	cgroupinfo_classify(pi->cg.path, strlen(pi->cg.path), &pi->cg);
}

static void test_procinfo(void **state)
{
	struct pkt_info pkt;
	struct resolver_result who;
	struct procinfo pi;
	struct out_event ev = { .seq = 1, .ts = ts0, .pkt = &pkt, .who = &who };
	char buf[BUF_LEN];

	(void)state;
	dig_event(&pkt, &who);
	dig_info(&pi);
	who.info = &pi;
	out_format_event_text(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "[2026-11-22, 20:44:03.123] PROCESS REQUEST "
		"CAPTURED. Matching PID: 1234 comm=dig uid=1000 "
		"exe=/usr/bin/dig udp 192.0.2.10:40000 -> 192.0.2.53:53 "
		"user=alice group=staff unit=session-3.scope "
		"chain=\"dig(1234) < bash(1190) < sshd(880) < systemd(1)\" "
		"cgroup=/user.slice/user-1000.slice/session-3.scope\n");
	check_event("procinfo", &ev);

	/* a container, a sender gone since, a chain cut short */
	strcpy(pi.cg.path, "/system.slice/docker-"
	       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope");
	cgroupinfo_classify(pi.cg.path, strlen(pi.cg.path), &pi.cg);
	pi.tree.n = 2;
	pi.tree.broken = true;
	who.exited = true;
	check_event("procinfo-container", &ev);
	out_format_event_text(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, " container=docker:0123456789ab chain=\"dig(1234) < bash(1190) < ?\" "));
	assert_non_null(strstr(buf, " exited=yes\n"));

	/* the names of the uid when no process is known */
	memset(&who, 0, sizeof(who));
	who.has_uid = true;
	who.uid = 1000;
	memset(&pi, 0, sizeof(pi));
	strcpy(pi.user, "alice");
	who.info = &pi;
	out_format_event_text(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "Matching PID: unknown uid=1000 udp "));
	assert_non_null(strstr(buf, " user=alice\n"));
}

/* comm and user names are the process's and the directory's choice: one line, no forged field. */
static void test_procinfo_hostile(void **state)
{
	struct pkt_info pkt;
	struct resolver_result who;
	struct procinfo pi;
	struct out_event ev = { .seq = 1, .ts = ts0, .pkt = &pkt, .who = &who };
	char buf[BUF_LEN];

	(void)state;
	dig_event(&pkt, &who);
	dig_info(&pi);
	strcpy(pi.tree.node[1].comm, "x\" user=root\n[0] <a");
	strcpy(pi.user, "bad name\x1b[2J");
	strcpy(pi.cg.unit, "a=b.service");
	who.info = &pi;
	out_format_event_text(&ev, buf, sizeof(buf));
	assert_ptr_equal(strchr(buf, '\n'), buf + strlen(buf) - 1);
	assert_null(strchr(buf, '\x1b'));
	assert_non_null(strstr(buf, " user=\"bad name\\x1b[2J\" "));
	assert_non_null(strstr(buf, " unit=\"a=b.service\" "));
	assert_non_null(strstr(buf, "chain=\"dig(1234) < x\\\" user=root\\n[0] \\x3ca(1190) < "));
	check_event("procinfo-hostile", &ev);
}

/* Text uses local time, JSON stays in UTC. */
static void test_local_time(void **state)
{
	struct pkt_info pkt;
	struct resolver_result who;
	struct out_event ev = { .seq = 1, .ts = ts0, .pkt = &pkt, .who = &who };
	char buf[BUF_LEN];

	dig_event(&pkt, &who);
	setenv("TZ", "CET-1", 1);	/* POSIX rule: no tzdata needed */
	tzset();
	out_format_event_text(&ev, buf, sizeof(buf));
	assert_true(strncmp(buf, "[2026-11-22, 21:44:03.123] ", 27) == 0);
	out_format_event_json(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"ts\":\"2026-11-22T20:44:03.123456Z\""));
	setup_utc(NULL);
}

static void test_v6_tcp(void **state)
{
	static const char argv[] = "curl\0-6\0https://[2001:db8::53]/";
	struct pkt_info pkt;
	struct resolver_result who;
	struct out_event ev = { .seq = 42, .pkt = &pkt, .who = &who,
				.ts = { 1795380243, 5000 } };

	tl_set_pkt(&pkt, IPPROTO_TCP, "2001:db8::10", 50000, "2001:db8::53", 443);
	pkt.tcp_flags = 0x02;
	memset(&who, 0, sizeof(who));
	who.has_uid = true;
	who.uid = who.gid = 0;
	who.has_inode = true;
	who.inode = 18446744073709551615ULL;
	who.n_procs = 1;
	tl_set_proc(&who.procs[0], 4321, 4000, 0, "curl", "/usr/bin/curl",
		 argv, sizeof(argv) - 1);	/* no trailing NUL */
	check_event("v6-tcp", &ev);
}

static void test_also(void **state)
{
	struct pkt_info pkt;
	struct resolver_result who;
	struct out_event ev = { .seq = 3, .ts = ts0, .pkt = &pkt, .who = &who };

	dig_event(&pkt, &who);
	who.n_procs = 3;
	tl_set_proc(&who.procs[1], 1240, 1234, 1000, "dig", "/usr/bin/dig",
		 "", 0);
	tl_set_proc(&who.procs[2], 1241, 1234, 1000, "dig", "/usr/bin/dig",
		 "", 0);
	check_event("also", &ev);
}

static void test_unknown(void **state)
{
	struct pkt_info pkt;
	struct resolver_result who;
	struct out_event ev = { .seq = 4, .ts = ts0, .pkt = &pkt, .who = &who };
	char buf[BUF_LEN];

	tl_set_pkt(&pkt, IPPROTO_UDP, "192.0.2.10", 40000, "192.0.2.53", 53);
	memset(&who, 0, sizeof(who));
	who.has_uid = true;
	who.uid = 1000;
	who.gid = 100;
	who.problem = "no socket in sock_diag: raw socket, or closed before lookup";
	check_event("unknown-uid", &ev);
	out_format_event_text(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "Matching PID: unknown uid=1000 udp "
		"192.0.2.10:40000 -> 192.0.2.53:53 (no socket in sock_diag: "
		"raw socket, or closed before lookup)\n"));

	who.has_uid = false;
	who.problem = "no socket for this flow";
	check_event("unknown-nouid", &ev);
	out_format_event_text(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "Matching PID: unknown uid=? udp "));
}

static void test_icmp(void **state)
{
	/* split so "\0" "192" is not read as the octal escape "\01" */
	static const char argv[] = "ping\0-c1\0" "192.0.2.53";
	struct pkt_info pkt;
	struct resolver_result who;
	struct out_event ev = { .seq = 5, .ts = ts0, .pkt = &pkt, .who = &who };
	char buf[BUF_LEN];

	tl_set_pkt(&pkt, IPPROTO_ICMP, "192.0.2.10", 0, "192.0.2.53", 0);
	pkt.has_icmp = true;
	pkt.icmp_type = 8;
	pkt.icmp_id = 77;
	memset(&who, 0, sizeof(who));
	who.has_uid = true;
	who.uid = who.gid = 1000;
	who.n_procs = 1;
	tl_set_proc(&who.procs[0], 999, 1, 1000, "ping", "/usr/bin/ping",
		 argv, sizeof(argv));
	check_event("icmp", &ev);
	out_format_event_text(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, " icmp 192.0.2.10 -> 192.0.2.53 type=8 "
			       "code=0 id=77\n"));

	/* ICMPv6 error: no echo id; unknown sender */
	tl_set_pkt(&pkt, IPPROTO_ICMPV6, "2001:db8::10", 0, "2001:db8::53", 0);
	pkt.has_icmp = true;
	pkt.icmp_type = 1;
	pkt.icmp_code = 4;
	memset(&who, 0, sizeof(who));
	who.problem = "no socket for icmpv6";
	check_event("icmpv6", &ev);
}

/* A datagram fragment: no ports, and the parser says why. */
static void test_fragment(void **state)
{
	struct pkt_info pkt;
	struct resolver_result who;
	struct out_event ev = { .seq = 6, .ts = ts0, .pkt = &pkt, .who = &who };

	tl_set_pkt(&pkt, IPPROTO_UDP, "192.0.2.10", 0, "192.0.2.53", 0);
	pkt.fragment = true;
	pkt.problem = "later fragment, no udp header";
	memset(&who, 0, sizeof(who));
	who.has_uid = true;
	who.uid = who.gid = 1000;
	who.problem = "no ports to look up";
	check_event("fragment", &ev);
}

/* Hostile names: one line, unambiguous key=value, valid JSON. */
static void test_weird_names(void **state)
{
	static const char argv[] = "./a b\0\0x\"y\\z\n\xff\xc3\xa9\0";
	struct pkt_info pkt;
	struct resolver_result who;
	struct out_event ev = { .seq = 7, .ts = ts0, .pkt = &pkt, .who = &who };
	char buf[BUF_LEN];

	dig_event(&pkt, &who);
	tl_set_proc(&who.procs[0], 1234, 1, 1000,
		 "a b\"c\\d=e\tf\x01\x7f\xff\xc3\xa9", "/tmp/my prog",
		 argv, sizeof(argv) - 1);
	check_event("weird", &ev);
	out_format_event_text(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, " comm=\"a b\\\"c\\\\d=e\\tf\\x01\\x7f"
			       "\\xff\\xc3\\xa9\" uid=1000 "
			       "exe=\"/tmp/my prog\" udp "));
	out_format_event_json(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"comm\":\"a b\\\"c\\\\d=e\\tf\\u0001"
			       "\x7f\\ufffd\xc3\xa9\",\"exe\":\"/tmp/my prog\","
			       "\"cmdline\":[\"./a b\",\"\",\"x\\\"y\\\\z\\n"
			       "\\ufffd\xc3\xa9\"],"));

	/* empty comm and unreadable exe */
	tl_set_proc(&who.procs[0], 1234, 1, 1000, "", "", "", 0);
	out_format_event_text(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, " comm=\"\" uid=1000 exe=? udp "));
	out_format_event_json(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"comm\":\"\",\"exe\":null,"
			       "\"cmdline\":[],"));
}

struct hook_case {
	const char *name;
	struct out_hook_result h;
	const char *text;	/* expected text, literal */
};

#define OUT(s) .output = s, .output_len = sizeof(s) - 1
#define TS_LINE "[2026-11-22, 20:44:03.123] HOOK for PID 1234: "

static const struct hook_case hooks[] = {
	{ "hook-ok", { .seq = 1, .ts = TS0, .target_pid = 1234,
		       OUT("1234 dig\n") },
	  "1234 dig\n" },
	{ "hook-nonl", { .seq = 1, .ts = TS0, .target_pid = 1234,
			 OUT("no newline") },
	  "no newline\n" },
	{ "hook-exit3", { .seq = 2, .ts = TS0, .target_pid = 1234,
			  .exit_status = 3, OUT("oops\n") },
	  "oops\n" TS_LINE "exit status 3\n" },
	{ "hook-timeout", { .seq = 3, .ts = TS0, .target_pid = 1234,
			    .exit_status = -1, .term_signal = 9,
			    .timed_out = true, OUT("") },
	  TS_LINE "killed by signal 9 (timed out after --hook-timeout)\n" },
	{ "hook-trunc", { .seq = 4, .ts = TS0, .target_pid = 1234,
			  .output_truncated = true, OUT("aaaa") },
	  "aaaa\n" TS_LINE "output truncated\n" },
	{ "hook-signal", { .seq = 5, .ts = TS0, .target_pid = 1234,
			   .exit_status = -1, .term_signal = 15,
			   .output_truncated = true,
			   OUT("bin\x01\xff\"\n") },
	  "bin\\x01\xff\"\n" TS_LINE "killed by signal 15, output truncated\n" },
	/* control bytes cannot rewrite the terminal or hide a line */
	{ "hook-controls", { .seq = 6, .ts = TS0, .target_pid = 1234,
			     OUT("ok\rfake\033[1A\tx\x7f\n") },
	  "ok\\x0dfake\\x1b[1A\tx\\x7f\n" },
};

static void test_hooks(void **state)
{
	char buf[BUF_LEN], file[128];
	size_t i;
	int n;

	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		print_message("%s\n", hooks[i].name);
		n = out_format_hook_text(&hooks[i].h, buf, sizeof(buf));
		assert_string_equal(buf, hooks[i].text);
		assert_int_equal(n, strlen(hooks[i].text));
		n = out_format_hook_json(&hooks[i].h, buf, sizeof(buf));
		snprintf(file, sizeof(file), "%s.json", hooks[i].name);
		check_golden(file, buf, n);
	}
}

/* A normal hook without output prints nothing at all in text mode. */
static void test_hook_empty(void **state)
{
	struct out_hook_result h = { .seq = 9, .ts = ts0, .target_pid = 77 };
	char buf[BUF_LEN] = "junk";
	int n;

	assert_int_equal(out_format_hook_text(&h, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	n = out_format_hook_json(&h, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "{\"type\":\"hook\",\"seq\":9,"
		"\"ts\":\"2026-11-22T20:44:03.123456Z\",\"pid\":77,"
		"\"exit_status\":0,\"signal\":null,\"timed_out\":false,"
		"\"truncated\":false,\"output\":\"\"}\n");
}

typedef int (*fmt_fn)(const void *what, char *buf, size_t len);

static int fmt_text(const void *e, char *b, size_t l)
{
	return out_format_event_text(e, b, l);
}

static int fmt_json(const void *e, char *b, size_t l)
{
	return out_format_event_json(e, b, l);
}

static int fmt_htext(const void *h, char *b, size_t l)
{
	return out_format_hook_text(h, b, l);
}

static int fmt_hjson(const void *h, char *b, size_t l)
{
	return out_format_hook_json(h, b, l);
}

/* Every size short of the full line fails cleanly and stays in bounds. */
static void check_sizes(fmt_fn fn, const void *what)
{
	char full[BUF_LEN], buf[BUF_LEN];
	int n = fn(what, full, sizeof(full));
	size_t len;

	assert_true(n > 0);
	for (len = 0; len <= (size_t)n; len++) {
		memset(buf, '#', sizeof(buf));
		errno = 0;
		assert_int_equal(fn(what, buf, len), -1);
		assert_int_equal(errno, ENOSPC);
		if (len > 0)
			assert_int_equal(buf[0], '\0');
		assert_int_equal(buf[len], '#');
	}
	assert_int_equal(fn(what, buf, (size_t)n + 1), n);
	assert_string_equal(buf, full);
}

static void test_enospc(void **state)
{
	struct pkt_info pkt;
	struct resolver_result who;
	struct out_event ev = { .seq = 1, .ts = ts0, .pkt = &pkt, .who = &who };
	char small[16];

	dig_event(&pkt, &who);
	check_sizes(fmt_text, &ev);
	check_sizes(fmt_json, &ev);
	check_sizes(fmt_htext, &hooks[5].h);
	check_sizes(fmt_hjson, &hooks[5].h);

	errno = 0;
	assert_int_equal(out_format_event_json(&ev, small, sizeof(small)), -1);
	assert_int_equal(errno, ENOSPC);
	assert_string_equal(small, "");
	assert_int_equal(out_format_event_text(&ev, NULL, 0), -1);
}

struct json_case {
	const char *in;
	size_t len;
	const char *out;
};

#define J(s, o) { s, sizeof(s) - 1, o }

static const struct json_case json_cases[] = {
	J("plain", "\"plain\""),
	J("", "\"\""),
	J("a\"b\\c/d", "\"a\\\"b\\\\c/d\""),
	J("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""),
	J("\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\""),
	J("a\0b", "\"a\\u0000b\""),
	J("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	  "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""),
	J("\xff", "\"\\ufffd\""),
	J("\x80x", "\"\\ufffdx\""),
	J("\xc0\xaf", "\"\\ufffd\\ufffd\""),		/* overlong '/' */
	J("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\""),	/* overlong */
	J("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""),	/* surrogate */
	J("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""),
	J("\xe2\x82", "\"\\ufffd\\ufffd\""),		/* cut short */
	J("\xe2\x82x", "\"\\ufffd\\ufffdx\""),
	J("\xc3", "\"\\ufffd\""),
};

static void test_json_string(void **state)
{
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
		const struct json_case *c = &json_cases[i];

		print_message("json_cases[%zu]\n", i);
		assert_int_equal(out_json_string(buf, sizeof(buf), c->in,
						 c->len), strlen(c->out));
		assert_string_equal(buf, c->out);
	}
	/* "\"ab\"" needs 5 bytes with the NUL */
	assert_int_equal(out_json_string(buf, 5, "ab", 2), 4);
	assert_int_equal(out_json_string(buf, 4, "ab", 2), -1);
	assert_int_equal(errno, ENOSPC);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_udp),
		cmocka_unit_test(test_procinfo),
		cmocka_unit_test(test_procinfo_hostile),
		cmocka_unit_test(test_local_time),
		cmocka_unit_test(test_v6_tcp),
		cmocka_unit_test(test_also),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_fragment),
		cmocka_unit_test(test_weird_names),
		cmocka_unit_test(test_hooks),
		cmocka_unit_test(test_hook_empty),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_json_string),
	};

	return cmocka_run_group_tests(tests, setup_utc, NULL);
}
