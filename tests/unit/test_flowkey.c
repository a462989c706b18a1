/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for flowkey: the layout shared with BPF, what makes flows equal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <string.h>

#include "flowkey.h"
#include "testlib.h"

/* An eBPF program writes these offsets: they must never move. */
static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct flow_key, saddr), 0);
	assert_int_equal(offsetof(struct flow_key, daddr), 16);
	assert_int_equal(offsetof(struct flow_key, sport), 32);
	assert_int_equal(offsetof(struct flow_key, dport), 34);
	assert_int_equal(offsetof(struct flow_key, family), 36);
	assert_int_equal(offsetof(struct flow_key, proto), 37);
	assert_int_equal(offsetof(struct flow_key, pad), 38);
}

static void test_from_pkt(void **state)
{
	static const uint8_t v4[16] = { 192, 0, 2, 10 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x53 };
	struct flow_key k;
	struct pkt_info p;

	(void)state;
	tl_set_pkt(&p, IPPROTO_UDP, "192.0.2.10", 40000, "192.0.2.53", 53);
	memset(&k, 0xaa, sizeof(k));
	flow_key_from_pkt(&p, &k);
	assert_memory_equal(k.saddr, v4, 16);	/* the rest of the address zero */
	assert_int_equal(k.sport, 40000);
	assert_int_equal(k.dport, 53);
	assert_int_equal(k.family, AF_INET);
	assert_int_equal(k.proto, IPPROTO_UDP);
	assert_int_equal(k.pad[0] | k.pad[1], 0);

	tl_set_pkt(&p, IPPROTO_TCP, "2001:db8::10", 1, "2001:db8::53", 2);
	flow_key_from_pkt(&p, &k);
	assert_memory_equal(k.daddr, v6, 16);
	assert_int_equal(k.family, AF_INET6);

	/* ICMP echo: the identifier is the source "port" */
	tl_set_pkt(&p, IPPROTO_ICMP, "192.0.2.10", 0, "192.0.2.53", 0);
	p.icmp_echo = true;
	p.icmp_id = 0x1234;
	flow_key_from_pkt(&p, &k);
	assert_int_equal(k.sport, 0x1234);
	assert_int_equal(k.dport, 0);
	/* a fragment without ports, or another ICMP type: none */
	p.icmp_echo = false;
	flow_key_from_pkt(&p, &k);
	assert_int_equal(k.sport, 0);
}

static void test_equal_and_hash(void **state)
{
	struct flow_key a, b;
	struct pkt_info p, q;

	(void)state;
	tl_set_pkt(&p, IPPROTO_UDP, "192.0.2.10", 40000, "192.0.2.53", 53);
	q = p;
	flow_key_from_pkt(&p, &a);
	flow_key_from_pkt(&q, &b);
	assert_true(flow_key_equal(&a, &b));
	assert_int_equal(flow_key_hash(&a, 7), flow_key_hash(&b, 7));
	assert_int_not_equal(flow_key_hash(&a, 7), flow_key_hash(&a, 8));

	/* every field tells flows apart */
	q.dport = 54;
	flow_key_from_pkt(&q, &b);
	assert_false(flow_key_equal(&a, &b));
	assert_int_not_equal(flow_key_hash(&a, 0), flow_key_hash(&b, 0));
	q = p;
	q.proto = IPPROTO_TCP;
	flow_key_from_pkt(&q, &b);
	assert_false(flow_key_equal(&a, &b));
	tl_set_pkt(&q, IPPROTO_UDP, "192.0.2.11", 40000, "192.0.2.53", 53);
	flow_key_from_pkt(&q, &b);
	assert_false(flow_key_equal(&a, &b));
}

/* Sequential ports spread over the low bits that index a table. */
static void test_hash_spreads(void **state)
{
	unsigned int used[64] = { 0 }, i, empty = 0;
	struct flow_key k;
	struct pkt_info p;

	(void)state;
	for (i = 0; i < 640; i++) {
		tl_set_pkt(&p, IPPROTO_UDP, "192.0.2.10", (uint16_t)(20000 + i),
			   "192.0.2.53", 53);
		flow_key_from_pkt(&p, &k);
		used[flow_key_hash(&k, 0) & 63]++;
	}
	for (i = 0; i < 64; i++)
		if (used[i] == 0)
			empty++;
	assert_int_equal(empty, 0);
	for (i = 0; i < 64; i++)
		assert_true(used[i] < 30);	/* 10 expected in each */
}

/* The rate limiter's flow: the destination port does not count. */
static void test_src_port(void **state)
{
	struct flow_key a, b;
	struct pkt_info p;

	(void)state;
	tl_set_pkt(&p, IPPROTO_UDP, "192.0.2.10", 40000, "192.0.2.53", 53);
	flow_key_src_port(&p, &a);
	assert_int_equal(a.sport, 40000);
	assert_int_equal(a.dport, 0);
	p.dport = 5353;
	flow_key_src_port(&p, &b);
	assert_true(flow_key_equal(&a, &b));

	/* pings of every identifier are one flow, as in the old script */
	tl_set_pkt(&p, IPPROTO_ICMP, "192.0.2.10", 0, "192.0.2.53", 0);
	p.icmp_echo = true;
	p.icmp_id = 7;
	flow_key_src_port(&p, &a);
	assert_int_equal(a.sport, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_from_pkt),
		cmocka_unit_test(test_equal_and_hash),
		cmocka_unit_test(test_hash_spreads),
		cmocka_unit_test(test_src_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
