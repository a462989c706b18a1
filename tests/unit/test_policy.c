/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for policy: per-flow rate limit, --comm, --unit, --container, --count. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "policy.h"
#include "procinfo.h"
#include "testlib.h"

#define SEC	1000000000ull
#define T0	(1000 * SEC)	/* an arbitrary monotonic start */

static void set_who(struct resolver_result *w, const char *comm)
{
	memset(w, 0, sizeof(*w));
	w->has_uid = true;
	if (comm) {
		w->n_procs = 1;
		w->procs[0].pid = 1234;
		strcpy(w->procs[0].comm, comm);
	}
}

static void set_cfg(struct ptrap_config *c, unsigned int rate)
{
	memset(c, 0, sizeof(*c));
	c->rate_per_min = rate;
	c->every_packet = true;		/* the rate tests count TCP segments too */
}

/* How many of n packets, spread evenly over span ns from t, are reported. */
static unsigned int run(struct policy *p, const struct pkt_info *pkt,
			const struct resolver_result *who, unsigned int n,
			uint64_t t, uint64_t span)
{
	unsigned int i, ok = 0;

	for (i = 0; i < n; i++)
		if (policy_check(p, pkt, who, t + span * i / n) == POLICY_REPORT)
			ok++;
	return ok;
}

static void test_burst_is_exactly_n(void **state)
{
	static const unsigned int rates[] = { 1, 3, 20, 1000 };
	struct ptrap_config c;
	struct resolver_result w;
	struct pkt_info pkt;
	struct policy *p;
	uint64_t span;
	unsigned int i;

	(void)state;
	tl_set_pkt(&pkt, IPPROTO_UDP, "192.0.2.10", 40000, "192.0.2.53", 53);
	set_who(&w, "dig");
	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		set_cfg(&c, rates[i]);
		p = policy_new(&c, 0);
		assert_non_null(p);
		/*
		 * 10N packets of one flow within one second (or within one
		 * refill interval, 60 s / N, when that is shorter): exactly
		 * N pass.
		 */
		span = 60 * SEC / rates[i] - 1;
		if (span > SEC)
			span = SEC;
		assert_int_equal(run(p, &pkt, &w, 10 * rates[i], T0, span), rates[i]);
		policy_free(p);
	}
	/* Over a whole second, 1000/min also refills 16 (1000 / 60) more. */
	set_cfg(&c, 1000);
	p = policy_new(&c, 0);
	assert_non_null(p);
	assert_int_equal(run(p, &pkt, &w, 10000, T0, SEC), 1016);
	policy_free(p);
}

static void test_refill(void **state)
{
	struct ptrap_config c;
	struct resolver_result w;
	struct pkt_info pkt;
	struct policy *p;

	(void)state;
	tl_set_pkt(&pkt, IPPROTO_TCP, "2001:db8::10", 50000, "2001:db8::53", 443);
	set_who(&w, "curl");
	set_cfg(&c, 20);	/* one token every 3 s */
	p = policy_new(&c, 0);
	assert_non_null(p);
	assert_int_equal(run(p, &pkt, &w, 200, T0, SEC), 20);
	assert_int_equal(policy_check(p, &pkt, &w, T0 + 2 * SEC), POLICY_RATE_LIMITED);
	/* 3 s after the first packet one token is back, and only one. */
	assert_int_equal(policy_check(p, &pkt, &w, T0 + 3 * SEC), POLICY_REPORT);
	assert_int_equal(policy_check(p, &pkt, &w, T0 + 3 * SEC), POLICY_RATE_LIMITED);
	/* A quiet minute refills the whole burst, and not more. */
	assert_int_equal(run(p, &pkt, &w, 100, T0 + 200 * SEC, SEC), 20);
	policy_free(p);
}

static void test_flows_are_independent(void **state)
{
	struct ptrap_config c;
	struct resolver_result w;
	struct pkt_info a, b, d, e;
	struct policy *p;

	(void)state;
	set_who(&w, "dig");
	tl_set_pkt(&a, IPPROTO_UDP, "192.0.2.10", 40000, "192.0.2.53", 53);
	tl_set_pkt(&b, IPPROTO_UDP, "192.0.2.10", 40001, "192.0.2.53", 53);	/* sport */
	tl_set_pkt(&d, IPPROTO_UDP, "192.0.2.10", 40000, "192.0.2.54", 53);	/* dst */
	tl_set_pkt(&e, IPPROTO_TCP, "192.0.2.10", 40000, "192.0.2.53", 53);	/* proto */
	set_cfg(&c, 5);
	p = policy_new(&c, 0);
	assert_non_null(p);
	assert_int_equal(run(p, &a, &w, 50, T0, SEC), 5);
	assert_int_equal(run(p, &b, &w, 50, T0, SEC), 5);
	assert_int_equal(run(p, &d, &w, 50, T0, SEC), 5);
	assert_int_equal(run(p, &e, &w, 50, T0, SEC), 5);
	/* Only the destination port differs: same flow, still limited. */
	a.dport = 5353;
	assert_int_equal(policy_check(p, &a, &w, T0 + SEC), POLICY_RATE_LIMITED);
	assert_int_equal(policy_flows(p), 4);
	policy_free(p);
}

static void test_eviction(void **state)
{
	struct ptrap_config c;
	struct resolver_result w;
	struct pkt_info pkt, hot;
	struct policy *p;
	unsigned int i;

	(void)state;
	set_who(&w, "dig");
	set_cfg(&c, 2);
	p = policy_new(&c, 8);
	assert_non_null(p);
	tl_set_pkt(&hot, IPPROTO_UDP, "192.0.2.1", 1, "192.0.2.53", 53);
	assert_int_equal(run(p, &hot, &w, 10, T0, 1), 2);
	/* 20 other flows through a table of 8; the hot one is kept recent. */
	for (i = 0; i < 20; i++) {
		tl_set_pkt(&pkt, IPPROTO_UDP, "192.0.2.2", (uint16_t)(1000 + i), "192.0.2.53", 53);
		assert_int_equal(policy_check(p, &pkt, &w, T0 + i), POLICY_REPORT);
		assert_int_equal(policy_check(p, &hot, &w, T0 + i), POLICY_RATE_LIMITED);
	}
	assert_int_equal(policy_flows(p), 8);
	/* Flow 1000 was evicted: it is new again, with a full burst. */
	tl_set_pkt(&pkt, IPPROTO_UDP, "192.0.2.2", 1000, "192.0.2.53", 53);
	assert_int_equal(run(p, &pkt, &w, 10, T0 + 100, 1), 2);
	/* Flow 1019 is still known: one token spent, one left. */
	tl_set_pkt(&pkt, IPPROTO_UDP, "192.0.2.2", 1019, "192.0.2.53", 53);
	assert_int_equal(run(p, &pkt, &w, 10, T0 + 100, 1), 1);
	policy_free(p);
}

static void test_unlimited(void **state)
{
	struct ptrap_config c;
	struct resolver_result w;
	struct pkt_info pkt;
	struct policy *p;

	(void)state;
	tl_set_pkt(&pkt, IPPROTO_UDP, "192.0.2.10", 40000, "192.0.2.53", 53);
	set_who(&w, NULL);
	set_cfg(&c, 0);
	p = policy_new(&c, 0);
	assert_non_null(p);
	assert_int_equal(run(p, &pkt, &w, 5000, T0, 1), 5000);
	assert_int_equal(policy_flows(p), 0);
	policy_free(p);
}

static void test_comm_filter(void **state)
{
	struct ptrap_config c;
	struct resolver_result w;
	struct pkt_info pkt;
	struct policy *p;

	(void)state;
	tl_set_pkt(&pkt, IPPROTO_UDP, "192.0.2.10", 40000, "192.0.2.53", 53);
	set_cfg(&c, 1);
	strcpy(c.comms[0], "curl");
	strcpy(c.comms[1], "dig");
	c.n_comms = 2;
	p = policy_new(&c, 0);
	assert_non_null(p);
	set_who(&w, "nslookup");
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_COMM_FILTERED);
	set_who(&w, "di");	/* a prefix is not a match */
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_COMM_FILTERED);
	set_who(&w, NULL);	/* no process: nothing to match */
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_COMM_FILTERED);
	/* Filtered packets took no token: the first dig packet passes. */
	set_who(&w, "dig");
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_REPORT);
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_RATE_LIMITED);
	/* A second holder of the socket may be the one that matches. */
	set_who(&w, "bash");
	w.n_procs = 2;
	strcpy(w.procs[1].comm, "curl");
	pkt.sport = 40001;
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_REPORT);
	policy_free(p);
}

static void set_cgroup(struct procinfo *pi, const char *path)
{
	memset(pi, 0, sizeof(*pi));
	strcpy(pi->cg.path, path);
	cgroupinfo_classify(path, strlen(path), &pi->cg);
}

/* --unit and --container: the reported sender's cgroup, as the reports show it. */
static void test_unit_container_filter(void **state)
{
	static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct ptrap_config c;
	struct resolver_result w;
	struct pkt_info pkt;
	struct procinfo pi;
	struct policy *p;
	char path[256];

	(void)state;
	tl_set_pkt(&pkt, IPPROTO_UDP, "192.0.2.10", 40000, "192.0.2.53", 53);
	set_cfg(&c, 0);
	strcpy(c.units[0], "nginx");		/* nginx.service */
	strcpy(c.units[1], "app.service");	/* a user's unit too */
	c.n_units = 2;
	p = policy_new(&c, 0);
	assert_non_null(p);
	set_who(&w, "dig");
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_COMM_FILTERED);	/* no info */
	set_cgroup(&pi, "/system.slice/nginx.service");
	w.info = &pi;
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_REPORT);
	set_cgroup(&pi, "/system.slice/nginx-extra.service");
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_COMM_FILTERED);
	set_cgroup(&pi, "/user.slice/user-1000.slice/user@1000.service/app.slice/app.service");
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_REPORT);
	policy_free(p);

	set_cfg(&c, 0);
	strcpy(c.containers[0], "docker:0123");
	strcpy(c.containers[1], "web");
	c.n_containers = 2;
	p = policy_new(&c, 0);
	snprintf(path, sizeof(path), "/system.slice/docker-%s.scope", id);
	set_cgroup(&pi, path);
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_REPORT);
	snprintf(path, sizeof(path), "/machine.slice/libpod-%s.scope", id);
	set_cgroup(&pi, path);
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_COMM_FILTERED);	/* not docker */
	set_cgroup(&pi, "/lxc.payload.web1");
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_REPORT);	/* a name's prefix */
	set_cgroup(&pi, "/system.slice/ssh.service");
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_COMM_FILTERED);
	policy_free(p);
}

/* TCP: one report per connection, a new SYN on the same tuple is a new one. */
static void test_tcp_once(void **state)
{
	struct ptrap_config c;
	struct resolver_result w;
	struct pkt_info pkt, udp;
	struct policy *p;

	(void)state;
	set_cfg(&c, 0);
	c.every_packet = false;
	p = policy_new(&c, 0);
	assert_non_null(p);
	set_who(&w, "curl");
	tl_set_pkt(&pkt, IPPROTO_TCP, "192.0.2.10", 40000, "192.0.2.53", 80);
	pkt.tcp_flags = 0x02;		/* SYN */
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_REPORT);
	pkt.tcp_flags = 0x10;		/* ACK, data, FIN: the same connection */
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_SEGMENT);
	pkt.tcp_flags = 0x11;
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_SEGMENT);
	pkt.tcp_flags = 0x02;		/* the port again, later: a new connection */
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_REPORT);
	/* an established connection seen first mid-way: its first segment */
	tl_set_pkt(&pkt, IPPROTO_TCP, "192.0.2.10", 40001, "192.0.2.53", 80);
	pkt.tcp_flags = 0x18;
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_REPORT);
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_SEGMENT);
	/* a segment whose payload was named (a ClientHello) is reported */
	assert_int_equal(policy_check_named(p, &pkt, &w, T0, true), POLICY_REPORT);
	assert_int_equal(policy_check_named(p, &pkt, &w, T0, false), POLICY_SEGMENT);
	/* UDP is not affected */
	tl_set_pkt(&udp, IPPROTO_UDP, "192.0.2.10", 40000, "192.0.2.53", 53);
	assert_int_equal(policy_check(p, &udp, &w, T0), POLICY_REPORT);
	assert_int_equal(policy_check(p, &udp, &w, T0), POLICY_REPORT);
	policy_free(p);

	/* --every-packet: every segment */
	set_cfg(&c, 0);
	p = policy_new(&c, 0);
	tl_set_pkt(&pkt, IPPROTO_TCP, "192.0.2.10", 40000, "192.0.2.53", 80);
	pkt.tcp_flags = 0x10;
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_REPORT);
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_REPORT);
	policy_free(p);
}

static void test_count(void **state)
{
	struct ptrap_config c;
	struct resolver_result w;
	struct pkt_info pkt;
	struct policy *p;

	(void)state;
	tl_set_pkt(&pkt, IPPROTO_UDP, "192.0.2.10", 40000, "192.0.2.53", 53);
	set_cfg(&c, 2);
	c.max_reports = 3;
	p = policy_new(&c, 0);
	assert_non_null(p);
	set_who(&w, "dig");
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_REPORT);
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_REPORT);
	/* Limited packets are not reports: they do not count. */
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_RATE_LIMITED);
	assert_false(policy_done(p));
	pkt.sport = 40001;
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_REPORT);
	assert_true(policy_done(p));
	pkt.sport = 40002;
	assert_int_equal(policy_check(p, &pkt, &w, T0), POLICY_DONE);
	policy_free(p);

	c.max_reports = 0;
	c.rate_per_min = 0;
	p = policy_new(&c, 0);
	assert_non_null(p);
	assert_int_equal(run(p, &pkt, &w, 100, T0, 1), 100);
	assert_false(policy_done(p));
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_is_exactly_n),
		cmocka_unit_test(test_refill),
		cmocka_unit_test(test_flows_are_independent),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_comm_filter),
		cmocka_unit_test(test_unit_container_filter),
		cmocka_unit_test(test_tcp_once),
		cmocka_unit_test(test_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
