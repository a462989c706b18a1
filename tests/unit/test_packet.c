/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for packet: hand-built IPv4/IPv6 packets, truncation, fuzzing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"

/* A packet under construction; builders append at n. */
struct pkt {
	uint8_t b[4096];
	size_t n;
};

static const uint8_t v4_src[4] = { 192, 0, 2, 1 };
static const uint8_t v4_dst[4] = { 198, 51, 100, 2 };
static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x12, 0x34 };

static void put8(struct pkt *p, uint8_t v)
{
	assert_true(p->n < sizeof(p->b));
	p->b[p->n++] = v;
}

static void put16(struct pkt *p, uint16_t v)
{
	put8(p, (uint8_t)(v >> 8));
	put8(p, (uint8_t)v);
}

static void put(struct pkt *p, const uint8_t *d, size_t n)
{
	while (n--)
		put8(p, *d++);
}

static void zeros(struct pkt *p, size_t n)
{
	while (n--)
		put8(p, 0);
}

/* IPv4 header with ihl 32-bit words (options zero-filled); tot_len is
 * fixed by v4_done() unless the test overrides it. */
static void ipv4(struct pkt *p, unsigned int ihl, uint8_t proto, uint16_t frag)
{
	p->n = 0;
	put8(p, (uint8_t)(0x40 | ihl));
	put8(p, 0);		/* tos */
	put16(p, 0);		/* tot_len */
	put16(p, 0x1234);	/* id */
	put16(p, frag);
	put8(p, 64);		/* ttl */
	put8(p, proto);
	put16(p, 0);		/* checksum: not checked */
	put(p, v4_src, 4);
	put(p, v4_dst, 4);
	if (ihl > 5)
		zeros(p, (ihl - 5) * 4);
}

static void v4_done(struct pkt *p)
{
	p->b[2] = (uint8_t)(p->n >> 8);
	p->b[3] = (uint8_t)p->n;
}

static void ipv6(struct pkt *p, uint8_t nexthdr)
{
	p->n = 0;
	put8(p, 0x60);
	put8(p, 0);
	put16(p, 0x0001);	/* flow label */
	put16(p, 0);		/* payload length */
	put8(p, nexthdr);
	put8(p, 64);		/* hop limit */
	put(p, v6_src, 16);
	put(p, v6_dst, 16);
}

static void v6_done(struct pkt *p)
{
	p->b[4] = (uint8_t)((p->n - 40) >> 8);
	p->b[5] = (uint8_t)(p->n - 40);
}

/* Hop-by-hop, routing or destination options: (units + 1) * 8 bytes. */
static void ext6(struct pkt *p, uint8_t nexthdr, uint8_t units)
{
	put8(p, nexthdr);
	put8(p, units);
	zeros(p, (size_t)(units + 1) * 8 - 2);
}

static void frag6(struct pkt *p, uint8_t nexthdr, uint16_t offset8, bool more)
{
	put8(p, nexthdr);
	put8(p, 0);
	put16(p, (uint16_t)(offset8 << 3 | (more ? 1 : 0)));
	put16(p, 0xbeef);	/* identification */
	put16(p, 0xcafe);
}

/* AH: (len + 2) * 4 bytes. */
static void ah(struct pkt *p, uint8_t nexthdr, uint8_t len)
{
	put8(p, nexthdr);
	put8(p, len);
	zeros(p, (size_t)(len + 2) * 4 - 2);
}

static void udp(struct pkt *p, uint16_t sport, uint16_t dport, size_t payload)
{
	put16(p, sport);
	put16(p, dport);
	put16(p, (uint16_t)(8 + payload));
	put16(p, 0);
	while (payload--)
		put8(p, 'x');
}

static void tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
	put16(p, sport);
	put16(p, dport);
	put16(p, 0x0102);	/* seq */
	put16(p, 0x0304);
	put16(p, 0);		/* ack */
	put16(p, 0);
	put8(p, 5 << 4);	/* data offset */
	put8(p, flags);
	put16(p, 64240);	/* window */
	put16(p, 0);		/* checksum */
	put16(p, 0);		/* urgent */
}

static void icmp(struct pkt *p, uint8_t type, uint8_t code, uint16_t id)
{
	put8(p, type);
	put8(p, code);
	put16(p, 0);
	put16(p, id);
	put16(p, 1);		/* sequence */
	zeros(p, 8);
}

static void parse_ok(const struct pkt *p, struct pkt_info *pi)
{
	memset(pi, 0x5a, sizeof(*pi));
	assert_int_equal(pkt_parse(p->b, p->n, pi), 0);
}

static void parse_fail(const uint8_t *d, size_t n, const char *problem)
{
	struct pkt_info pi;

	errno = 0;
	assert_int_equal(pkt_parse(d, n, &pi), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(pi.problem, problem);
	assert_false(pi.has_ports);
}

static void assert_v4_addrs(const struct pkt_info *pi)
{
	assert_int_equal(pi->src.family, AF_INET);
	assert_int_equal(pi->dst.family, AF_INET);
	assert_memory_equal(pi->src.u.bytes, v4_src, 4);
	assert_memory_equal(pi->dst.u.bytes, v4_dst, 4);
}

static void assert_v6_addrs(const struct pkt_info *pi)
{
	assert_int_equal(pi->src.family, AF_INET6);
	assert_int_equal(pi->dst.family, AF_INET6);
	assert_memory_equal(pi->src.u.bytes, v6_src, 16);
	assert_memory_equal(pi->dst.u.bytes, v6_dst, 16);
}

static void test_udp4(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	ipv4(&p, 5, IPPROTO_UDP, 0x4000);	/* DF is not a fragment */
	udp(&p, 40000, 53, 12);
	v4_done(&p);
	parse_ok(&p, &pi);
	assert_v4_addrs(&pi);
	assert_int_equal(pi.proto, IPPROTO_UDP);
	assert_true(pi.has_ports);
	assert_int_equal(pi.sport, 40000);
	assert_int_equal(pi.dport, 53);
	assert_int_equal(pi.l3_len, 20);
	assert_int_equal(pi.ip_len, 40);
	assert_false(pi.fragment);
	assert_false(pi.has_icmp);
	assert_int_equal(pi.tcp_flags, 0);
	assert_null(pi.problem);
	assert_string_equal(pkt_proto_name(pi.proto), "udp");
}

static void test_tcp4_syn_options(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	ipv4(&p, 6, IPPROTO_TCP, 0);	/* one word of IP options */
	tcp(&p, 51000, 443, 0x02);
	v4_done(&p);
	parse_ok(&p, &pi);
	assert_v4_addrs(&pi);
	assert_int_equal(pi.proto, IPPROTO_TCP);
	assert_true(pi.has_ports);
	assert_int_equal(pi.sport, 51000);
	assert_int_equal(pi.dport, 443);
	assert_int_equal(pi.tcp_flags, 0x02);
	assert_int_equal(pi.l3_len, 24);
	assert_int_equal(pi.ip_len, 44);
	assert_null(pi.problem);

	ipv4(&p, 5, IPPROTO_TCP, 0);
	tcp(&p, 51000, 443, 0x12);	/* SYN+ACK */
	v4_done(&p);
	parse_ok(&p, &pi);
	assert_int_equal(pi.tcp_flags, 0x12);
	assert_int_equal(pi.l3_len, 20);
}

static void test_udp6(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	ipv6(&p, IPPROTO_UDP);
	udp(&p, 33333, 5353, 3);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_v6_addrs(&pi);
	assert_int_equal(pi.proto, IPPROTO_UDP);
	assert_true(pi.has_ports);
	assert_int_equal(pi.sport, 33333);
	assert_int_equal(pi.dport, 5353);
	assert_int_equal(pi.l3_len, 40);
	assert_int_equal(pi.ip_len, 51);
	assert_false(pi.fragment);
	assert_null(pi.problem);
}

static void test_v6_ext_chain(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	ipv6(&p, IPPROTO_HOPOPTS);
	ext6(&p, IPPROTO_DSTOPTS, 0);	/* 8 */
	ext6(&p, IPPROTO_ROUTING, 1);	/* 16 */
	ext6(&p, IPPROTO_TCP, 2);	/* 24 */
	tcp(&p, 1234, 80, 0x18);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_v6_addrs(&pi);
	assert_int_equal(pi.proto, IPPROTO_TCP);
	assert_int_equal(pi.l3_len, 40 + 8 + 16 + 24);
	assert_true(pi.has_ports);
	assert_int_equal(pi.sport, 1234);
	assert_int_equal(pi.dport, 80);
	assert_int_equal(pi.tcp_flags, 0x18);
	assert_false(pi.fragment);
	assert_null(pi.problem);
}

static void test_v6_fragments(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	/* first fragment: the UDP header is there */
	ipv6(&p, IPPROTO_DSTOPTS);
	ext6(&p, IPPROTO_FRAGMENT, 0);
	frag6(&p, IPPROTO_UDP, 0, true);
	udp(&p, 1000, 2000, 100);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_true(pi.fragment);
	assert_true(pi.has_ports);
	assert_int_equal(pi.sport, 1000);
	assert_int_equal(pi.dport, 2000);
	assert_int_equal(pi.proto, IPPROTO_UDP);
	assert_int_equal(pi.l3_len, 56);
	assert_null(pi.problem);

	/* later fragment: bytes after the header are payload, not UDP */
	ipv6(&p, IPPROTO_FRAGMENT);
	frag6(&p, IPPROTO_UDP, 185, false);
	udp(&p, 1000, 2000, 100);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_v6_addrs(&pi);
	assert_true(pi.fragment);
	assert_false(pi.has_ports);
	assert_int_equal(pi.sport, 0);
	assert_int_equal(pi.proto, IPPROTO_UDP);
	assert_int_equal(pi.l3_len, 48);
	assert_string_equal(pi.problem, "non-first fragment");

	/* atomic fragment (offset 0, no MF): not part of a larger datagram */
	ipv6(&p, IPPROTO_FRAGMENT);
	frag6(&p, IPPROTO_UDP, 0, false);
	udp(&p, 1000, 2000, 0);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_false(pi.fragment);
	assert_true(pi.has_ports);
	assert_null(pi.problem);
}

static void test_v4_fragments(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	ipv4(&p, 5, IPPROTO_UDP, 0x2000);	/* MF, offset 0 */
	udp(&p, 1000, 2000, 100);
	v4_done(&p);
	parse_ok(&p, &pi);
	assert_true(pi.fragment);
	assert_true(pi.has_ports);
	assert_int_equal(pi.sport, 1000);
	assert_int_equal(pi.dport, 2000);
	assert_null(pi.problem);

	ipv4(&p, 5, IPPROTO_UDP, 185);		/* last fragment */
	udp(&p, 1000, 2000, 100);
	v4_done(&p);
	parse_ok(&p, &pi);
	assert_v4_addrs(&pi);
	assert_true(pi.fragment);
	assert_false(pi.has_ports);
	assert_int_equal(pi.dport, 0);
	assert_int_equal(pi.l3_len, 20);
	assert_int_equal(pi.proto, IPPROTO_UDP);
	assert_string_equal(pi.problem, "non-first fragment");

	ipv4(&p, 5, IPPROTO_TCP, 0x2000 | 1);	/* middle fragment */
	tcp(&p, 1, 2, 0x02);
	v4_done(&p);
	parse_ok(&p, &pi);
	assert_true(pi.fragment);
	assert_false(pi.has_ports);
	assert_int_equal(pi.tcp_flags, 0);
	assert_string_equal(pi.problem, "non-first fragment");
}

static void test_v6_ah(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	ipv6(&p, IPPROTO_AH);
	ah(&p, IPPROTO_UDP, 4);		/* (4 + 2) * 4 = 24 bytes */
	udp(&p, 500, 4500, 4);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_int_equal(pi.l3_len, 64);
	assert_int_equal(pi.proto, IPPROTO_UDP);
	assert_true(pi.has_ports);
	assert_int_equal(pi.sport, 500);
	assert_int_equal(pi.dport, 4500);
	assert_null(pi.problem);
}

static void test_v6_esp_nonext(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	ipv6(&p, IPPROTO_HOPOPTS);
	ext6(&p, IPPROTO_ESP, 0);
	zeros(&p, 32);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_int_equal(pi.proto, IPPROTO_ESP);
	assert_int_equal(pi.l3_len, 48);
	assert_false(pi.has_ports);
	assert_null(pi.problem);
	assert_string_equal(pkt_proto_name(pi.proto), "other");

	ipv6(&p, IPPROTO_NONE);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_int_equal(pi.proto, IPPROTO_NONE);
	assert_int_equal(pi.l3_len, 40);
	assert_false(pi.has_ports);
	assert_null(pi.problem);
}

static void test_v6_ext_count(void **state)
{
	struct pkt p;
	struct pkt_info pi;
	int i;

	/* 16 headers are walked */
	ipv6(&p, IPPROTO_DSTOPTS);
	for (i = 0; i < 15; i++)
		ext6(&p, IPPROTO_DSTOPTS, 0);
	ext6(&p, IPPROTO_UDP, 0);
	udp(&p, 7, 9, 0);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_int_equal(pi.l3_len, 40 + 16 * 8);
	assert_true(pi.has_ports);
	assert_int_equal(pi.dport, 9);
	assert_null(pi.problem);

	/* a 17th is one too many */
	ipv6(&p, IPPROTO_DSTOPTS);
	for (i = 0; i < 16; i++)
		ext6(&p, IPPROTO_DSTOPTS, 0);
	ext6(&p, IPPROTO_UDP, 0);
	udp(&p, 7, 9, 0);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_v6_addrs(&pi);
	assert_false(pi.has_ports);
	assert_int_equal(pi.l3_len, 40 + 16 * 8);
	assert_string_equal(pi.problem, "too many ipv6 extension headers");
}

static void test_v6_ext_past_end(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	/* claims 8 * 256 bytes, the packet has far fewer */
	ipv6(&p, IPPROTO_HOPOPTS);
	ext6(&p, IPPROTO_UDP, 0);
	udp(&p, 7, 9, 0);
	p.b[41] = 255;
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_v6_addrs(&pi);
	assert_false(pi.has_ports);
	assert_int_equal(pi.proto, IPPROTO_HOPOPTS);
	assert_string_equal(pi.problem, "ipv6 extension header past end of packet");

	/* fits in the captured bytes but not in the payload length */
	ipv6(&p, IPPROTO_ROUTING);
	ext6(&p, IPPROTO_UDP, 1);
	udp(&p, 7, 9, 0);
	p.b[4] = 0;
	p.b[5] = 8;
	parse_ok(&p, &pi);
	assert_false(pi.has_ports);
	assert_string_equal(pi.problem, "ipv6 extension header past end of packet");

	/* fewer than the 8 bytes every extension header has */
	ipv6(&p, IPPROTO_DSTOPTS);
	zeros(&p, 4);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_false(pi.has_ports);
	assert_string_equal(pi.problem, "truncated ipv6 extension header");
}

static void test_truncated_l4(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	ipv4(&p, 5, IPPROTO_UDP, 0);
	udp(&p, 1000, 53, 0);
	v4_done(&p);
	p.n -= 1;			/* 7 bytes of UDP */
	parse_ok(&p, &pi);
	assert_v4_addrs(&pi);
	assert_false(pi.has_ports);
	assert_int_equal(pi.sport, 0);
	assert_int_equal(pi.l3_len, 20);
	assert_string_equal(pi.problem, "truncated udp header");

	ipv4(&p, 5, IPPROTO_TCP, 0);
	tcp(&p, 1000, 80, 0x02);
	v4_done(&p);
	p.n -= 1;			/* 19 bytes of TCP */
	parse_ok(&p, &pi);
	assert_false(pi.has_ports);
	assert_int_equal(pi.tcp_flags, 0);
	assert_string_equal(pi.problem, "truncated tcp header");

	ipv6(&p, IPPROTO_TCP);
	tcp(&p, 1000, 80, 0x02);
	v6_done(&p);
	p.n = 40 + 10;
	parse_ok(&p, &pi);
	assert_v6_addrs(&pi);
	assert_false(pi.has_ports);
	assert_string_equal(pi.problem, "truncated tcp header");

	/* the IP total length ends the packet before the UDP header does
	 * (e.g. Ethernet padding after it) */
	ipv4(&p, 5, IPPROTO_UDP, 0);
	udp(&p, 1000, 53, 0);
	p.b[3] = 24;
	parse_ok(&p, &pi);
	assert_int_equal(pi.ip_len, 24);
	assert_false(pi.has_ports);
	assert_string_equal(pi.problem, "truncated udp header");

	ipv6(&p, IPPROTO_ICMPV6);
	icmp(&p, 128, 0, 7);
	p.n = 40 + 7;
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_false(pi.has_icmp);
	assert_string_equal(pi.problem, "truncated icmpv6 header");
}

static void test_ip_lengths(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	/* the queue copied only part of a long packet: fine */
	ipv4(&p, 5, IPPROTO_UDP, 0);
	udp(&p, 1000, 53, 4);
	p.b[2] = 0x05;
	p.b[3] = 0xdc;
	parse_ok(&p, &pi);
	assert_int_equal(pi.ip_len, 1500);
	assert_true(pi.has_ports);
	assert_null(pi.problem);

	/* total length shorter than the header: wrong, but ports still read */
	ipv4(&p, 5, IPPROTO_UDP, 0);
	udp(&p, 1000, 53, 4);
	p.b[3] = 19;
	parse_ok(&p, &pi);
	assert_int_equal(pi.ip_len, 19);
	assert_true(pi.has_ports);
	assert_int_equal(pi.dport, 53);
	assert_string_equal(pi.problem, "bad ipv4 total length");

	/* zero, as GSO leaves it: use what is there */
	ipv4(&p, 5, IPPROTO_TCP, 0);
	tcp(&p, 1000, 80, 0x10);
	parse_ok(&p, &pi);
	assert_int_equal(pi.ip_len, 0);
	assert_true(pi.has_ports);
	assert_null(pi.problem);

	ipv6(&p, IPPROTO_TCP);
	tcp(&p, 1000, 80, 0x10);
	parse_ok(&p, &pi);
	assert_int_equal(pi.ip_len, 40);
	assert_true(pi.has_ports);
	assert_null(pi.problem);
}

static void test_bad_ihl(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	ipv4(&p, 5, IPPROTO_UDP, 0);
	udp(&p, 1000, 53, 0);
	v4_done(&p);
	p.b[0] = 0x44;
	parse_ok(&p, &pi);
	assert_v4_addrs(&pi);
	assert_false(pi.has_ports);
	assert_int_equal(pi.l3_len, 0);
	assert_string_equal(pi.problem, "bad ipv4 header length");

	p.b[0] = 0x40;
	parse_ok(&p, &pi);
	assert_string_equal(pi.problem, "bad ipv4 header length");

	/* 60 bytes of header in a 28-byte packet */
	p.b[0] = 0x4f;
	parse_ok(&p, &pi);
	assert_v4_addrs(&pi);
	assert_false(pi.has_ports);
	assert_int_equal(pi.l3_len, 0);
	assert_string_equal(pi.problem, "ipv4 header past end of packet");

	/* ihl 7 = 28 bytes: the header fits, nothing is left for UDP */
	p.b[0] = 0x47;
	parse_ok(&p, &pi);
	assert_int_equal(pi.l3_len, 28);
	assert_false(pi.has_ports);
	assert_string_equal(pi.problem, "truncated udp header");
}

static void test_not_ip(void **state)
{
	static const uint8_t v4hdr[20] = { 0x45 };
	uint8_t junk[64];
	struct pkt_info pi;
	int v;

	memset(junk, 0, sizeof(junk));
	parse_fail(junk, 0, "empty packet");
	parse_fail(NULL, 20, "empty packet");
	parse_fail(v4hdr, 19, "truncated ipv4 header");
	parse_fail(v4hdr, 1, "truncated ipv4 header");

	junk[0] = 0x60;
	parse_fail(junk, 39, "truncated ipv6 header");

	for (v = 0; v < 16; v++) {
		if (v == 4 || v == 6)
			continue;
		junk[0] = (uint8_t)(v << 4 | 5);
		parse_fail(junk, sizeof(junk), "not an ip packet");
	}

	errno = 0;
	assert_int_equal(pkt_parse(v4hdr, sizeof(v4hdr), NULL), -1);
	assert_int_equal(errno, EINVAL);

	/* a bare 20-byte header is enough for the addresses */
	assert_int_equal(pkt_parse(v4hdr, sizeof(v4hdr), &pi), 0);
	assert_int_equal(pi.src.family, AF_INET);
}

static void test_icmp_echo(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	ipv4(&p, 5, IPPROTO_ICMP, 0);
	icmp(&p, 8, 0, 0x4d2e);
	v4_done(&p);
	parse_ok(&p, &pi);
	assert_v4_addrs(&pi);
	assert_int_equal(pi.proto, IPPROTO_ICMP);
	assert_true(pi.has_icmp);
	assert_false(pi.has_ports);
	assert_int_equal(pi.icmp_type, 8);
	assert_int_equal(pi.icmp_code, 0);
	assert_int_equal(pi.icmp_id, 0x4d2e);
	assert_null(pi.problem);
	assert_string_equal(pkt_proto_name(pi.proto), "icmp");

	ipv4(&p, 5, IPPROTO_ICMP, 0);
	icmp(&p, 0, 0, 99);		/* echo reply */
	v4_done(&p);
	parse_ok(&p, &pi);
	assert_int_equal(pi.icmp_id, 99);

	/* port unreachable: bytes 4-7 are unused, not an id */
	ipv4(&p, 5, IPPROTO_ICMP, 0);
	icmp(&p, 3, 3, 0x1111);
	v4_done(&p);
	parse_ok(&p, &pi);
	assert_true(pi.has_icmp);
	assert_int_equal(pi.icmp_type, 3);
	assert_int_equal(pi.icmp_code, 3);
	assert_int_equal(pi.icmp_id, 0);

	ipv4(&p, 5, IPPROTO_ICMP, 0);
	icmp(&p, 8, 0, 1);
	v4_done(&p);
	p.n = 27;
	parse_ok(&p, &pi);
	assert_false(pi.has_icmp);
	assert_string_equal(pi.problem, "truncated icmp header");
}

static void test_icmp6_echo(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	ipv6(&p, IPPROTO_ICMPV6);
	icmp(&p, 128, 0, 0xabcd);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_v6_addrs(&pi);
	assert_int_equal(pi.proto, IPPROTO_ICMPV6);
	assert_true(pi.has_icmp);
	assert_int_equal(pi.icmp_type, 128);
	assert_int_equal(pi.icmp_id, 0xabcd);
	assert_null(pi.problem);
	assert_string_equal(pkt_proto_name(pi.proto), "icmpv6");

	ipv6(&p, IPPROTO_ICMPV6);
	icmp(&p, 129, 0, 0x0102);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_int_equal(pi.icmp_id, 0x0102);

	/* ICMPv4's echo type numbers mean nothing in ICMPv6 */
	ipv6(&p, IPPROTO_ICMPV6);
	icmp(&p, 8, 0, 0x0102);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_int_equal(pi.icmp_type, 8);
	assert_int_equal(pi.icmp_id, 0);

	/* neighbour solicitation */
	ipv6(&p, IPPROTO_ICMPV6);
	icmp(&p, 135, 0, 0x0102);
	v6_done(&p);
	parse_ok(&p, &pi);
	assert_int_equal(pi.icmp_type, 135);
	assert_int_equal(pi.icmp_id, 0);
}

/* Sequence numbers, and which messages are echoes or errors. */
static void test_icmp_seq_kinds(void **state)
{
	static const struct {
		bool v6;
		uint8_t type;
		bool echo, error;
	} kinds[] = {
		{ false, 8, true, false },	/* echo request */
		{ false, 0, true, false },	/* echo reply */
		{ false, 3, false, true },	/* destination unreachable */
		{ false, 4, false, true },	/* source quench */
		{ false, 5, false, true },	/* redirect */
		{ false, 11, false, true },	/* time exceeded */
		{ false, 12, false, true },	/* parameter problem */
		{ false, 13, false, false },	/* timestamp request */
		{ false, 128, false, false },	/* an ICMPv6 number in ICMPv4 */
		{ true, 128, true, false },
		{ true, 129, true, false },
		{ true, 1, false, true },
		{ true, 2, false, true },	/* packet too big */
		{ true, 3, false, true },
		{ true, 4, false, true },
		{ true, 8, false, false },
		{ true, 135, false, false },	/* neighbour solicitation */
	};
	struct pkt p;
	struct pkt_info pi;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (kinds[i].v6)
			ipv6(&p, IPPROTO_ICMPV6);
		else
			ipv4(&p, 5, IPPROTO_ICMP, 0);
		icmp(&p, kinds[i].type, 0, 0x1234);
		p.b[p.n - 10] = 0xbe;		/* sequence 0xbeef */
		p.b[p.n - 9] = 0xef;
		if (kinds[i].v6)
			v6_done(&p);
		else
			v4_done(&p);
		parse_ok(&p, &pi);
		assert_true(pi.has_icmp);
		assert_int_equal(pi.icmp_type, kinds[i].type);
		assert_int_equal(pi.icmp_echo, kinds[i].echo);
		assert_int_equal(pi.icmp_error, kinds[i].error);
		assert_int_equal(pi.icmp_id, kinds[i].echo ? 0x1234 : 0);
		assert_int_equal(pi.icmp_seq, kinds[i].echo ? 0xbeef : 0);
		assert_null(pi.problem);
	}

	/* exactly the 8-byte header is enough; one byte less is not */
	ipv4(&p, 5, IPPROTO_ICMP, 0);
	icmp(&p, 8, 0, 0x0102);
	v4_done(&p);
	p.n = 28;
	parse_ok(&p, &pi);
	assert_true(pi.icmp_echo);
	assert_int_equal(pi.icmp_id, 0x0102);
	assert_int_equal(pi.icmp_seq, 1);
	p.n = 27;
	parse_ok(&p, &pi);
	assert_false(pi.has_icmp);
	assert_false(pi.icmp_echo);
	assert_false(pi.icmp_error);
	assert_int_equal(pi.icmp_seq, 0);
	assert_string_equal(pi.problem, "truncated icmp header");

	/* the IP total length, not the copy, ends the header */
	ipv6(&p, IPPROTO_ICMPV6);
	icmp(&p, 128, 0, 0x0102);
	v6_done(&p);
	p.b[5] = 6;			/* payload length 6 of 16 */
	parse_ok(&p, &pi);
	assert_false(pi.has_icmp);
	assert_false(pi.icmp_echo);
	assert_string_equal(pi.problem, "truncated icmpv6 header");
}

static void test_udplite_other(void **state)
{
	struct pkt p;
	struct pkt_info pi;

	ipv4(&p, 5, IPPROTO_UDPLITE, 0);
	udp(&p, 4000, 4001, 0);
	v4_done(&p);
	parse_ok(&p, &pi);
	assert_true(pi.has_ports);
	assert_int_equal(pi.sport, 4000);
	assert_string_equal(pkt_proto_name(pi.proto), "udplite");

	ipv4(&p, 5, IPPROTO_GRE, 0);
	udp(&p, 4000, 4001, 0);
	v4_done(&p);
	parse_ok(&p, &pi);
	assert_int_equal(pi.proto, IPPROTO_GRE);
	assert_false(pi.has_ports);
	assert_false(pi.has_icmp);
	assert_null(pi.problem);
	assert_string_equal(pkt_proto_name(IPPROTO_GRE), "other");
	assert_string_equal(pkt_proto_name(IPPROTO_UDP), "udp");
	assert_string_equal(pkt_proto_name(IPPROTO_TCP), "tcp");
}

/* Parse a copy in a buffer of exactly n bytes, so that a sanitizer or
 * valgrind sees any read past the end; check what must always hold. */
static int parse_exact(const uint8_t *d, size_t n, struct pkt_info *pi)
{
	uint8_t *copy = malloc(n ? n : 1);
	int r;

	assert_non_null(copy);
	if (n)
		memcpy(copy, d, n);
	r = pkt_parse(copy, n, pi);
	free(copy);
	if (r < 0) {
		assert_non_null(pi->problem);
		assert_false(pi->has_ports);
		return r;
	}
	assert_true(pi->l3_len <= n);
	if (pi->has_ports)
		assert_true((size_t)pi->l3_len + 8 <= n);
	if (pi->has_icmp)
		assert_true((size_t)pi->l3_len + 8 <= n);
	return r;
}

typedef void (*build_fn)(struct pkt *p);

static void b_udp4(struct pkt *p)
{
	ipv4(p, 5, IPPROTO_UDP, 0);
	udp(p, 1, 2, 3);
	v4_done(p);
}

static void b_tcp4(struct pkt *p)
{
	ipv4(p, 15, IPPROTO_TCP, 0);
	tcp(p, 1, 2, 2);
	v4_done(p);
}

static void b_icmp4(struct pkt *p)
{
	ipv4(p, 5, IPPROTO_ICMP, 0);
	icmp(p, 8, 0, 5);
	v4_done(p);
}

static void b_frag4(struct pkt *p)
{
	ipv4(p, 5, IPPROTO_UDP, 9);
	udp(p, 1, 2, 3);
	v4_done(p);
}

static void b_udp6(struct pkt *p)
{
	ipv6(p, IPPROTO_UDP);
	udp(p, 1, 2, 3);
	v6_done(p);
}

static void b_icmp6(struct pkt *p)
{
	ipv6(p, IPPROTO_ICMPV6);
	icmp(p, 128, 0, 5);
	v6_done(p);
}


static void b_chain6(struct pkt *p)
{
	ipv6(p, IPPROTO_HOPOPTS);
	ext6(p, IPPROTO_ROUTING, 1);
	ext6(p, IPPROTO_FRAGMENT, 0);
	frag6(p, IPPROTO_AH, 0, true);
	ah(p, IPPROTO_DSTOPTS, 1);
	ext6(p, IPPROTO_TCP, 0);
	tcp(p, 1, 2, 2);
	v6_done(p);
}

static void test_every_prefix(void **state)
{
	static const build_fn builders[] = {
		b_udp4, b_tcp4, b_icmp4, b_frag4, b_udp6, b_icmp6, b_chain6,
	};
	struct pkt p;
	struct pkt_info pi, full;
	size_t i, n;

	for (i = 0; i < sizeof(builders) / sizeof(builders[0]); i++) {
		builders[i](&p);
		assert_int_equal(parse_exact(p.b, p.n, &full), 0);
		for (n = 0; n <= p.n; n++) {
			int r = parse_exact(p.b, n, &pi);
			size_t min = (p.b[0] >> 4) == 4 ? 20 : 40;

			assert_int_equal(r, n < min ? -1 : 0);
			/* with the L4 header complete, the answer is final */
			if (full.has_ports && n >= (size_t)full.l3_len + 20) {
				assert_true(pi.has_ports);
				assert_int_equal(pi.sport, full.sport);
				assert_int_equal(pi.dport, full.dport);
			}
		}
	}
}

/* xorshift32: a fixed sequence on every libc */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_random_bytes(void **state)
{
	static const uint8_t nh[] = { 0, 6, 17, 43, 44, 51, 58, 60, 1, 136 };
	uint32_t seed = 0x5eed1234;
	uint8_t buf[256];
	struct pkt_info pi;
	unsigned int i, ok = 0;
	size_t n, j;

	for (i = 0; i < 5000; i++) {
		n = rnd(&seed) % sizeof(buf);
		for (j = 0; j < n; j++)
			buf[j] = (uint8_t)rnd(&seed);
		/* mostly plausible IP versions and protocols, to get deep */
		if (n > 0 && i % 4 != 0)
			buf[0] = (uint8_t)((i & 1 ? 0x40 : 0x60) |
					   (buf[0] & 0x0f));
		if (n > 9 && (buf[0] >> 4) == 4)
			buf[9] = nh[rnd(&seed) % sizeof(nh)];
		if (n > 6 && (buf[0] >> 4) == 6)
			buf[6] = nh[rnd(&seed) % sizeof(nh)];
		if (parse_exact(buf, n, &pi) == 0)
			ok++;
	}
	/* the bias above must really reach the parsers */
	assert_true(ok > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp4),
		cmocka_unit_test(test_tcp4_syn_options),
		cmocka_unit_test(test_udp6),
		cmocka_unit_test(test_v6_ext_chain),
		cmocka_unit_test(test_v6_fragments),
		cmocka_unit_test(test_v4_fragments),
		cmocka_unit_test(test_v6_ah),
		cmocka_unit_test(test_v6_esp_nonext),
		cmocka_unit_test(test_v6_ext_count),
		cmocka_unit_test(test_v6_ext_past_end),
		cmocka_unit_test(test_truncated_l4),
		cmocka_unit_test(test_ip_lengths),
		cmocka_unit_test(test_bad_ihl),
		cmocka_unit_test(test_not_ip),
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_icmp6_echo),
		cmocka_unit_test(test_icmp_seq_kinds),
		cmocka_unit_test(test_udplite_other),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_random_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
