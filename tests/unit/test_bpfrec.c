/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the send-time record's pure parts: the flow key, the
 * packet signature, and the take (src/bpf/sendrec.h, the same code the
 * BPF take program runs) on hand-made logs.  No root, no BPF.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf/sendrec.h"
#include "flowkey.h"
#include "packet.h"

#define FLOW_ID		7
#define T_READ		1000000	/* the packet was read from the queue then */

struct world {
	struct sendrec_flow f;
	struct sendrec_slot log[SENDREC_LOG];
};

static struct world w;

/* Record seq of the flow, by process tgid, with payload byte b, at slot. */
static void put(unsigned int slot, uint64_t seq, unsigned int prev, uint32_t tgid,
		uint8_t b, uint32_t flags)
{
	struct sendrec_slot *sl = &w.log[slot];
	uint8_t l4[9] = { 0, 1, 0, 2, 0, 9, 0, 0, b };

	memset(sl, 0, sizeof(*sl));
	sl->seq = seq;
	sl->flow = FLOW_ID;
	sl->prev = prev;
	sl->flags = flags;
	sendrec_sig_fill(&sl->sig, IPPROTO_UDP, l4, sizeof(l4), 29, 0);
	sl->rec.tgid = tgid;
	sl->rec.tid = tgid;
	sl->rec.start_ns = 1000 + tgid;
	sl->rec.ktime_ns = 100 * seq;
	if (seq > w.f.sent)
		w.f.sent = seq;
	w.f.last = slot + 1;
}

static void reset(void)
{
	memset(&w, 0, sizeof(w));
	w.f.id = FLOW_ID;
}

/* Take for a queued packet with payload byte b; returns the result. */
static int take(uint8_t b, long long uid, struct sendrec_take_args *a)
{
	uint8_t l4[9] = { 0, 1, 0, 2, 0, 9, 0, 0, b };
	struct sendrec_walk wk;
	int i;

	memset(a, 0, sizeof(*a));
	sendrec_sig_fill(&a->sig, IPPROTO_UDP, l4, sizeof(l4), 29, 0);
	a->before_ns = T_READ;
	a->sock_uid = uid;
	if (sendrec_take_begin(&w.f, w.log, a, &wk) == 0) {
		for (i = 0; i < SENDREC_CHAIN; i++)
			if (sendrec_take_step(w.log, &wk))
				break;
		sendrec_take_end(&w.f, w.log, a, &wk);
	}
	return a->result;
}

static void expect(uint8_t b, uint32_t tgid)
{
	struct sendrec_take_args a;

	assert_int_equal(take(b, -1, &a), 0);
	assert_int_equal(a.rec.tgid, tgid);
}

/* Several processes on one 5-tuple, same bytes: named in send order. */
static void test_order(void **state)
{
	reset();
	put(10, 1, 0, 101, 'x', 0);
	put(20, 2, 11, 102, 'x', SENDREC_F_SWITCH);
	put(30, 3, 21, 103, 'x', SENDREC_F_SWITCH);
	expect('x', 101);
	expect('x', 102);
	expect('x', 103);
	assert_int_equal(w.f.taken, 3);
	{
		struct sendrec_take_args a;

		assert_int_equal(take('x', -1, &a), -SENDREC_ENOENT);
	}
}

/* A record whose packet never came (another payload) is passed over and
 * consumed; a stale one is passed over. */
static void test_dead_and_stale(void **state)
{
	struct sendrec_take_args a;

	reset();
	put(1, 1, 0, 101, 'a', 0);
	put(2, 2, 2, 102, 'x', SENDREC_F_SWITCH | SENDREC_F_STALE);
	put(3, 3, 3, 103, 'x', SENDREC_F_SWITCH);
	expect('x', 103);
	assert_int_equal(take('a', -1, &a), -SENDREC_ENOENT);
}

/* Not its own: made after the packet was read, or another uid's socket. */
static void test_time_and_uid(void **state)
{
	struct sendrec_take_args a;

	reset();
	put(1, 1, 0, 101, 'x', 0);
	w.log[1].rec.ktime_ns = T_READ + 1;
	assert_int_equal(take('x', -1, &a), -SENDREC_ENOENT);
	w.log[1].rec.ktime_ns = T_READ;
	w.log[1].rec.sock_uid = 1000;
	assert_int_equal(take('x', 0, &a), -SENDREC_ENOENT);
	assert_int_equal(take('x', 1000, &a), 0);
	assert_int_equal(a.rec.tgid, 101);
}

/* Two senders whose order against the queue is unknown: nobody named,
 * but each consumes its record, so the next one is right again. */
static void test_conflict(void **state)
{
	struct sendrec_take_args a;

	reset();
	put(1, 1, 0, 101, 'x', SENDREC_F_CONFLICT);
	put(2, 2, 2, 102, 'x', SENDREC_F_SWITCH | SENDREC_F_CONFLICT);
	put(3, 3, 3, 103, 'y', SENDREC_F_SWITCH);
	assert_int_equal(take('x', -1, &a), -SENDREC_ENOTUNIQ);
	assert_int_equal(take('x', -1, &a), -SENDREC_ENOTUNIQ);
	expect('y', 103);
}

/*
 * Records 1 and 2 are lost (their slots hold other flows' records now).
 * One process sent all: the packets are named from the oldest record
 * left, one record consumed each, then the order holds again.
 */
static void test_lost_uniform(void **state)
{
	struct sendrec_take_args a;

	reset();
	put(3, 3, 2, 101, 'c', 0);
	put(4, 4, 4, 101, 'd', 0);
	w.log[1].flow = FLOW_ID + 1;	/* what record 2's slot holds now */
	assert_int_equal(take('a', -1, &a), 0);
	assert_int_equal(a.rec.tgid, 101);
	assert_true(a.flags & SENDREC_F_SIBLING);
	assert_int_equal(w.f.taken, 1);
	assert_int_equal(take('b', -1, &a), 0);
	assert_true(a.flags & SENDREC_F_SIBLING);
	assert_int_equal(w.f.taken, 2);
	expect('c', 101);
	expect('d', 101);
}

/* The same, but another process sent since: never a guess. */
static void test_lost_mixed(void **state)
{
	struct sendrec_take_args a;

	reset();
	put(3, 3, 2, 101, 'c', 0);
	put(4, 4, 4, 102, 'd', SENDREC_F_SWITCH);
	w.f.last_switch = 4;
	assert_int_equal(take('a', -1, &a), -SENDREC_ENOTUNIQ);
	assert_int_equal(take('b', -1, &a), -SENDREC_ENOTUNIQ);
	assert_int_equal(w.f.taken, 2);
	expect('c', 101);
	expect('d', 102);
}

/* More untaken records than a walk reads: the oldest count as lost. */
static void test_chain_limit(void **state)
{
	struct sendrec_take_args a;
	unsigned int i, n = SENDREC_CHAIN + 2;

	reset();
	for (i = 1; i <= n; i++)
		put(i, i, i > 1 ? i : 0, 100 + i, 'x', i > 1 ? SENDREC_F_SWITCH : 0);
	w.f.last_switch = n;
	assert_int_equal(take('x', -1, &a), -SENDREC_ENOTUNIQ);
	assert_int_equal(take('x', -1, &a), -SENDREC_ENOTUNIQ);
	for (i = 3; i <= n; i++)
		expect('x', 100 + i);
}

/* The newest record being written: ask again; overwritten: lost. */
static void test_head(void **state)
{
	struct sendrec_take_args a;

	reset();
	put(1, 1, 0, 101, 'x', 0);
	w.log[1].seq = 0;
	assert_int_equal(take('x', -1, &a), -SENDREC_EAGAIN);
	assert_int_equal(w.f.taken, 0);
	w.log[1].seq = 1;
	w.log[1].flow = FLOW_ID + 1;
	assert_int_equal(take('x', -1, &a), -SENDREC_ENOTUNIQ);
	assert_int_equal(w.f.taken, 1);
}

static void test_sig(void **state)
{
	uint8_t l4[40];
	struct sendrec_sig a, b;
	unsigned int i;

	for (i = 0; i < sizeof(l4); i++)
		l4[i] = (uint8_t)i;
	sendrec_sig_fill(&a, IPPROTO_UDP, l4, sizeof(l4), 60, 7);
	assert_int_equal(a.data_len, SENDREC_SIG_DATA);
	assert_int_equal(a.data[0], 8);		/* after the UDP header */
	assert_int_equal(a.l4, 0);
	/* a shorter copy of the same packet still fits */
	sendrec_sig_fill(&b, IPPROTO_UDP, l4, 12, 60, 7);
	assert_int_equal(b.data_len, 4);
	assert_true(sendrec_sig_equal(&a, &b));
	l4[9] ^= 1;
	sendrec_sig_fill(&b, IPPROTO_UDP, l4, 12, 60, 7);
	assert_false(sendrec_sig_equal(&a, &b));
	/* TCP: the sequence number, no payload */
	sendrec_sig_fill(&a, IPPROTO_TCP, l4, 20, 60, 7);
	assert_int_equal(a.l4, 0x04050607);
	assert_int_equal(a.data_len, 0);
	/* ICMP: identifier and sequence */
	sendrec_sig_fill(&a, IPPROTO_ICMP, l4, 8, 28, 7);
	assert_int_equal(a.l4, 0x04050607);
	sendrec_sig_fill(&b, IPPROTO_ICMP, l4, 8, 28, 8);
	assert_false(sendrec_sig_equal(&a, &b));	/* IPv4 id differs */
}

static void test_flow_key(void **state)
{
	static const uint8_t udp4[] = {
		0x45, 0, 0, 29, 0, 1, 0x40, 0, 64, 17, 0, 0,
		192, 0, 2, 7, 192, 0, 2, 53,
		0x9c, 0x40, 0, 53, 0, 9, 0, 0, 'x',
	};
	static const uint8_t ping6[] = {
		0x60, 0, 0, 0, 0, 8, 58, 64,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
		128, 0, 0, 0, 0x12, 0x34, 0, 1,
	};
	struct pkt_info pkt;
	struct flow_key k;
	static const struct flow_key zero;

	assert_int_equal(pkt_parse(udp4, sizeof(udp4), &pkt), 0);
	flow_key_from_pkt(&pkt, &k);
	assert_memory_equal(k.saddr, ((uint8_t[]){ 192, 0, 2, 7 }), 4);
	assert_memory_equal(k.saddr + 4, zero.saddr, 12);
	assert_memory_equal(k.daddr, ((uint8_t[]){ 192, 0, 2, 53 }), 4);
	assert_int_equal(k.sport, 40000);
	assert_int_equal(k.dport, 53);
	assert_int_equal(k.family, AF_INET);
	assert_int_equal(k.proto, IPPROTO_UDP);
	assert_memory_equal(k.pad, zero.pad, 2);

	assert_int_equal(pkt_parse(ping6, sizeof(ping6), &pkt), 0);
	flow_key_from_pkt(&pkt, &k);
	assert_int_equal(k.sport, 0x1234);	/* the echo identifier */
	assert_int_equal(k.dport, 0);
	assert_int_equal(k.family, AF_INET6);
	assert_int_equal(k.proto, IPPROTO_ICMPV6);
	assert_int_equal(k.daddr[15], 0x53);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_dead_and_stale),
		cmocka_unit_test(test_time_and_uid),
		cmocka_unit_test(test_conflict),
		cmocka_unit_test(test_lost_uniform),
		cmocka_unit_test(test_lost_mixed),
		cmocka_unit_test(test_chain_limit),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_sig),
		cmocka_unit_test(test_flow_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
