/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for dnslink: resolv.conf's nameservers, forwarders by name,
 * and the link from a forwarder's query to the application query it
 * serves (same first question, another process, within the window).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnslink.h"

static void query(struct payload *pl, const char *name, uint16_t qtype)
{
	const char *why;

	memset(pl, 0, sizeof(*pl));
	pl->kind = PAYLOAD_DNS;
	pl->dns.qdcount = pl->dns.n_questions = 1;
	pl->dns.q[0].qtype = qtype;
	pl->dns.q[0].qclass = 1;
	assert_int_equal(payload_name_parse(&pl->dns.q[0].qname, name, &why), 0);
}

static struct addr_ip ip(const char *s)
{
	struct addr_prefix p;

	assert_int_equal(addr_parse_prefix(s, &p), 0);
	return p.ip;
}

static void test_resolv(void **state)
{
	char path[] = "/tmp/test_dnslink.XXXXXX", buf[ADDR_STR_MAX];
	struct dnslink_ns ns = { .n = 0 };
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# comment\nsearch example.test\nnameserver 192.0.2.53\n"
	      "  nameserver\tfe80::1%eth0\nnameserver 192.0.2.53\n"
	      "nameserver not-an-address\nnameserver 127.0.0.1\n", f);
	fclose(f);
	assert_int_equal(dnslink_read_resolv(&ns, path), 0);
	unlink(path);
	assert_int_equal(ns.n, 3);	/* the duplicate and the bad one left out */
	assert_string_equal(addr_ip_str(&ns.ip[1], buf, sizeof(buf)), "fe80::1");
	assert_string_equal(dnslink_stub(&ns, buf, sizeof(buf)), "127.0.0.1");
	ns.n = 1;
	assert_string_equal(dnslink_stub(&ns, buf, sizeof(buf)), "127.0.0.53");
	assert_int_equal(dnslink_read_resolv(&ns, "/nonexistent/resolv.conf"), -1);
}

static void test_forwarders(void **state)
{
	(void)state;
	assert_true(dnslink_known_forwarder("systemd-resolve", "/lib/systemd/systemd-resolved"));
	assert_true(dnslink_known_forwarder("x", "/usr/sbin/dnsmasq"));
	assert_true(dnslink_known_forwarder("unbound", ""));
	assert_false(dnslink_known_forwarder("dig", "/usr/bin/dig"));
	assert_false(dnslink_known_forwarder("dnsmasq2", "/tmp/dnsmasq.sh"));
	assert_false(dnslink_known_forwarder(NULL, NULL));
}

static void test_link(void **state)
{
	struct dnslink *d = malloc(sizeof(*d));
	struct addr_ip stub = ip("127.0.0.53"), up = ip("192.0.2.53");
	const struct dnslink_app *a;
	struct payload pl;
	uint64_t t = 1000000000ull;

	(void)state;
	dnslink_init(d);
	query(&pl, "Evil.Example.test", 1);
	/* an application asks the stub: remembered, nothing returned */
	assert_null(dnslink_query(d, &pl, 100, "dig", false, &stub, t));
	/* the forwarder asks upstream, in 0x20-mixed case */
	query(&pl, "eVIL.example.TEST", 1);
	a = dnslink_query(d, &pl, 560, "dnsmasq", true, &up, t + 1000);
	assert_non_null(a);
	assert_int_equal(a->pid, 100);
	assert_string_equal(a->comm, "dig");
	/* another type is another question */
	query(&pl, "evil.example.test", 28);
	assert_null(dnslink_query(d, &pl, 560, "dnsmasq", true, &up, t + 2000));
	/* too late */
	query(&pl, "evil.example.test", 1);
	assert_null(dnslink_query(d, &pl, 560, "dnsmasq", true, &up,
				  t + DNSLINK_WINDOW_NS + 1));
	/* the most recent application wins */
	assert_null(dnslink_query(d, &pl, 101, "curl", false, &stub, t + 3000));
	a = dnslink_query(d, &pl, 560, "dnsmasq", true, &up, t + 4000);
	assert_non_null(a);
	assert_int_equal(a->pid, 101);
	/* a query to a remote server is not remembered */
	query(&pl, "direct.example.test", 1);
	assert_null(dnslink_query(d, &pl, 102, "dig", false, &up, t));
	assert_null(dnslink_query(d, &pl, 560, "dnsmasq", true, &up, t + 10));
	/* replies are not queries */
	query(&pl, "evil.example.test", 1);
	pl.dns.flags = PAYLOAD_DNS_QR;
	assert_null(dnslink_query(d, &pl, 560, "dnsmasq", true, &up, t + 4000));
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolv),
		cmocka_unit_test(test_forwarders),
		cmocka_unit_test(test_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
