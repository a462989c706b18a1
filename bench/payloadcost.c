/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * payloadcost: what payload_decode() costs per packet, in ns, for the
 * payloads ptrap sees: a dig query over UDP and TCP, a curl-sized
 * ClientHello (517 bytes, SNI last), curl's HTTP request, payloads that
 * are none of them (TLS application data, QUIC-sized random UDP, an SSH
 * banner), the worst hostile DNS and TLS inputs the bounds allow, and a
 * decode plus --name with 8 patterns.  Each figure is the best of ROUNDS
 * rounds of N decodes of an already parsed IPv4 packet (pkt_parse() runs
 * for every packet anyway); prints one JSON line.
 *     payloadcost [N [ROUNDS]]        default 200000 5
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "namematch.h"
#include "packet.h"
#include "payload.h"

#define PKT_MAX	20000

struct pkt {
	const char *name;
	uint8_t b[PKT_MAX];
	size_t len, l4;		/* l4: where the payload starts */
	uint8_t proto;
	bool match;		/* time namematch_payload() as well */
};

static struct namematch_set patterns;

static void put(struct pkt *p, const void *d, size_t n)
{
	if (p->len + n > sizeof(p->b)) {
		fprintf(stderr, "payloadcost: %s too long\n", p->name);
		exit(1);
	}
	memcpy(p->b + p->len, d, n);
	p->len += n;
}

static void put_str(struct pkt *p, const char *s)
{
	put(p, s, strlen(s));
}

static void put8(struct pkt *p, unsigned int v)
{
	uint8_t c = (uint8_t)v;

	put(p, &c, 1);
}

static void put16(struct pkt *p, unsigned int v)
{
	put8(p, v >> 8);
	put8(p, v);
}

static void set16(struct pkt *p, size_t at, unsigned int v)
{
	p->b[at] = (uint8_t)(v >> 8);
	p->b[at + 1] = (uint8_t)v;
}

/* IPv4 and a UDP or TCP header to dport; the payload follows. */
static void start(struct pkt *p, const char *name, uint8_t proto, uint16_t dport)
{
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->proto = proto;
	put8(p, 0x45);
	p->len = 20;
	p->b[8] = 64;
	p->b[9] = proto;
	inet_pton(AF_INET, "192.0.2.10", p->b + 12);
	inet_pton(AF_INET, "192.0.2.53", p->b + 16);
	put16(p, 40000);
	put16(p, dport);
	if (proto == IPPROTO_UDP) {
		put16(p, 0);
		put16(p, 0);
	} else {
		p->len += 8;
		put8(p, 5 << 4);
		put8(p, 0x18);
		p->len += 6;
	}
	p->l4 = p->len;
}

static void finish(struct pkt *p)
{
	set16(p, 2, p->len);
	if (p->proto == IPPROTO_UDP)
		set16(p, 24, p->len - 20);
}

static void dns_query(struct pkt *p, const char *name, bool edns)
{
	const char *s = name, *dot;

	put16(p, 0x1234);
	put16(p, 0x0120);
	put16(p, 1);
	put16(p, 0);
	put16(p, 0);
	put16(p, edns);
	while (*s) {
		dot = strchr(s, '.');
		put8(p, dot ? (size_t)(dot - s) : strlen(s));
		put(p, s, dot ? (size_t)(dot - s) : strlen(s));
		s = dot ? dot + 1 : s + strlen(s);
	}
	put8(p, 0);
	put16(p, 1);
	put16(p, 1);
	if (edns) {		/* OPT with a client cookie, as dig sends */
		static const uint8_t opt[] = { 0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 12,
					       0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
		put(p, opt, sizeof(opt));
	}
}

/* 4 questions: 3 of 63-byte labels, one of 64 pointers (the bounds). */
static void dns_worst(struct pkt *p)
{
	size_t at[100], n = 0, l, i;

	put16(p, 0x1234);
	put16(p, 0x0100);
	put16(p, 4);
	put16(p, 0);
	put16(p, 0);
	put16(p, 0);
	for (l = 0; l < 3; l++) {
		put8(p, 63);
		for (i = 0; i < 31; i++) {
			at[n] = p->len - p->l4;
			put16(p, 0xc000 | (n ? at[n - 1] : 12));
			n++;
		}
		put8(p, 'x');
	}
	put8(p, 0);
	put16(p, 1);
	put16(p, 1);
	for (l = 0; l < 3; l++) {
		put16(p, 0xc000 | at[62]);
		put16(p, 28);
		put16(p, 1);
	}
}

static void ext(struct pkt *p, unsigned int type, size_t len, uint8_t fill)
{
	put16(p, type);
	put16(p, len);
	while (len--)
		put8(p, fill);
}

/* A ClientHello shaped like curl's (517 bytes), server_name last. */
static void tls_hello(struct pkt *p, unsigned int extra)
{
	static const char sni[] = "www.example.test";
	size_t rec = p->len, hs, exts, i;

	put8(p, 22);
	put16(p, 0x0301);
	put16(p, 0);
	put8(p, 1);
	put8(p, 0);
	put16(p, 0);
	hs = p->len;
	put16(p, 0x0303);
	for (i = 0; i < 32; i++)
		put8(p, i);
	put8(p, 32);
	for (i = 0; i < 32; i++)
		put8(p, 0xaa);
	put16(p, 62);
	for (i = 0; i < 31; i++)
		put16(p, 0x1301 + i);
	put8(p, 1);
	put8(p, 0);
	put16(p, 0);
	exts = p->len;
	ext(p, 11, 4, 1);		/* ec_point_formats */
	ext(p, 10, 12, 0);		/* supported_groups */
	ext(p, 35, 0, 0);		/* session_ticket */
	ext(p, 22, 0, 0);		/* encrypt_then_mac */
	ext(p, 23, 0, 0);		/* extended_master_secret */
	ext(p, 13, 42, 4);		/* signature_algorithms */
	ext(p, 43, 5, 3);		/* supported_versions */
	ext(p, 45, 2, 1);		/* psk_key_exchange_modes */
	ext(p, 51, 38, 7);		/* key_share, x25519 */
	for (i = 0; i < extra; i++)
		ext(p, 0x0a0a, 0, 0);	/* GREASE */
	put16(p, 16);			/* alpn h2, http/1.1 */
	put16(p, 14);
	put16(p, 12);
	put8(p, 2);
	put(p, "h2", 2);
	put8(p, 8);
	put(p, "http/1.1", 8);
	put16(p, 0);			/* server_name */
	put16(p, 5 + strlen(sni));
	put16(p, 3 + strlen(sni));
	put8(p, 0);
	put16(p, strlen(sni));
	put(p, sni, strlen(sni));
	if (p->len - rec < 517)
		ext(p, 21, 517 - (p->len - rec) - 4, 0);	/* padding */
	set16(p, exts - 2, p->len - exts);
	set16(p, rec + 3, p->len - rec - 5);
	p->b[rec + 6] = (uint8_t)((p->len - hs) >> 16);
	set16(p, rec + 7, p->len - hs);
}

static void random_bytes(struct pkt *p, size_t n, uint8_t first)
{
	uint32_t x = 2463534242u;

	put8(p, first);
	while (--n) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		put8(p, x);
	}
}

/* ns per decode over n decodes of p. */
static double measure(const struct pkt *p, const struct pkt_info *info, long n)
{
	struct payload pl;
	unsigned long sink = 0;
	double t0;
	long i;

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		sink += (unsigned long)payload_decode(info, p->b, p->len, &pl);
		if (p->match)
			sink += namematch_payload(&patterns, &pl);
	}
	if (sink == 1)		/* keeps the loop from being optimised away */
		fprintf(stderr, "#");
	return (bench_now() - t0) / (double)n * 1e9;
}

static bool build(struct pkt *p, int i)
{
	switch (i) {
	case 0:
		start(p, "dns_udp", IPPROTO_UDP, 53);
		dns_query(p, "www.example.test", true);
		break;
	case 1:
		start(p, "dns_tcp", IPPROTO_TCP, 53);
		put16(p, 0);
		dns_query(p, "www.example.test", true);
		set16(p, p->l4, p->len - p->l4 - 2);
		break;
	case 2:
		start(p, "dns_other_port", IPPROTO_UDP, 5300);
		dns_query(p, "www.example.test", true);
		break;
	case 3:
		start(p, "tls", IPPROTO_TCP, 443);
		tls_hello(p, 0);
		break;
	case 4:
		start(p, "http", IPPROTO_TCP, 80);
		put_str(p, "GET / HTTP/1.1\r\nHost: www.example.test\r\n"
			"User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n");
		break;
	case 5:
		start(p, "none_tls_data", IPPROTO_TCP, 443);
		random_bytes(p, 1400, 0x17);
		break;
	case 6:
		start(p, "none_udp", IPPROTO_UDP, 443);
		random_bytes(p, 1200, 0xc3);
		break;
	case 7:
		start(p, "none_ssh", IPPROTO_TCP, 22);
		put_str(p, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
		break;
	case 8:
		start(p, "dns_match8", IPPROTO_UDP, 53);
		dns_query(p, "www.example.test", true);
		p->match = true;
		break;
	case 9:
		start(p, "worst_dns", IPPROTO_UDP, 53);
		dns_worst(p);
		break;
	case 10:
		start(p, "worst_tls", IPPROTO_TCP, 443);
		tls_hello(p, 244);
		break;
	default:
		return false;
	}
	finish(p);
	return true;
}

#define N_PKTS	11

int main(int argc, char **argv)
{
	static const char *const pats[] = {
		"*.evil.test", "tracker.example.test", "*.ads.test", "a.test",
		"*.cdn.test", "b.example.test", "*.c2.test", "*.www.example.test",
	};
	static struct pkt p[N_PKTS];
	struct pkt_info info[N_PKTS];
	double best[N_PKTS], t;
	long n = 200000, rounds = 5, r;
	const char *why;
	size_t i;

	if (argc > 3 || (argc > 1 && (n = bench_num(argv[1], "count")) < 1) ||
	    (argc > 2 && (rounds = bench_num(argv[2], "rounds")) < 1)) {
		fprintf(stderr, "usage: %s [N [ROUNDS]]\n", argv[0]);
		return 2;
	}
	namematch_init(&patterns);
	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
		if (namematch_add(&patterns, pats[i], &why) < 0)
			return 1;
	for (i = 0; i < N_PKTS; i++) {
		if (!build(&p[i], (int)i))
			return 1;
		memset(&info[i], 0, sizeof(info[i]));
		if (pkt_parse(p[i].b, p[i].len, &info[i]) < 0) {
			fprintf(stderr, "payloadcost: %s: %s\n", p[i].name, info[i].problem);
			return 1;
		}
		best[i] = 1e30;
	}
	/* rounds outermost: a noisy moment costs every payload alike */
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < N_PKTS; i++) {
			t = measure(&p[i], &info[i], n);
			if (t < best[i])
				best[i] = t;
		}
	}
	for (i = 0; i < N_PKTS; i++)
		printf("%s\"%s_ns\": %.1f", i ? ", " : "{", p[i].name, best[i]);
	printf("}\n");
	return 0;
}
