/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the payload decoders on hand-built inputs: the limits and
 * each problem string that the captures in test_payload do not reach
 * (pointer chains, TLS fields one by one, HTTP corner cases, where the
 * payload starts and ends in a packet).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "payload.h"

struct buf {
	uint8_t b[20000];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->b));
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void put8(struct buf *b, unsigned int v)
{
	uint8_t c = (uint8_t)v;

	put(b, &c, 1);
}

static void put16(struct buf *b, unsigned int v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void set16(struct buf *b, size_t at, unsigned int v)
{
	b->b[at] = (uint8_t)(v >> 8);
	b->b[at + 1] = (uint8_t)v;
}

/* Decode n bytes from an exact-size copy, as if sent to proto/port. */
static int decode(uint8_t proto, uint16_t dport, const void *p, size_t n,
		  bool cut, struct payload *pl)
{
	struct payload_src src = {
		.proto = proto, .sport = 40000, .dport = dport, .len = n, .cut = cut,
	};
	uint8_t *copy = malloc(n ? n : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, p, n);
	src.data = copy;
	ret = payload_decode_src(&src, pl);
	free(copy);
	if (ret < 0)
		assert_int_equal(pl->kind, PAYLOAD_NONE);
	return ret;
}

static void name_is(const struct payload_name *n, const char *want)
{
	char text[PAYLOAD_NAME_TEXT_MAX];
	struct strbuf b;

	sb_init(&b, text, sizeof(text));
	payload_name_escape(&b, n);
	assert_true(sb_finish(&b) >= 0);
	assert_string_equal(text, want);
}

static void problem_is(const struct payload *pl, const char *want)
{
	if (want == NULL)
		assert_null(pl->problem);
	else if (pl->problem == NULL)
		fail_msg("no problem, wanted \"%s\"", want);
	else
		assert_string_equal(pl->problem, want);
}

/* --- DNS --- */

static void dns_header(struct buf *b, unsigned int flags, unsigned int qd,
		       unsigned int an, unsigned int ns, unsigned int ar)
{
	b->n = 0;
	put16(b, 0xbeef);
	put16(b, flags);
	put16(b, qd);
	put16(b, an);
	put16(b, ns);
	put16(b, ar);
}

static void dns_q(struct buf *b, const char *dotted, unsigned int type,
		  unsigned int cls)
{
	const char *s = dotted, *dot;

	while (*s) {
		dot = strchr(s, '.');
		put8(b, dot ? (size_t)(dot - s) : strlen(s));
		put(b, s, dot ? (size_t)(dot - s) : strlen(s));
		s = dot ? dot + 1 : s + strlen(s);
	}
	put8(b, 0);
	put16(b, type);
	put16(b, cls);
}

/*
 * Question 1: three 63-byte labels whose contents are compression
 * pointers, each to the one before; question 2 enters the chain so that
 * it takes `jumps` pointers to reach question 1's start.
 */
static void dns_chain(struct buf *b, unsigned int jumps)
{
	size_t at[100], n = 0, l, i, p;

	dns_header(b, 0x0100, 2, 0, 0, 0);
	for (l = 0; l < 3; l++) {
		put8(b, 63);
		for (i = 0; i < 31; i++) {
			at[n] = b->n;
			put16(b, 0xc000 | (n ? at[n - 1] : 12));
			n++;
		}
		put8(b, 'x');
	}
	put8(b, 0);
	put16(b, 1);
	put16(b, 1);
	assert_true(jumps >= 1 && jumps <= n + 1);
	p = jumps == 1 ? 12 : at[jumps - 2];
	put16(b, 0xc000 | p);
	put16(b, 28);
	put16(b, 1);
}

static void test_dns_pointer_chain(void **state)
{
	struct payload pl;
	struct buf b;

	dns_chain(&b, 64);
	assert_int_equal(decode(IPPROTO_UDP, 53, b.b, b.n, false, &pl), 0);
	problem_is(&pl, NULL);
	assert_int_equal(pl.dns.n_questions, 2);
	assert_int_equal(pl.dns.q[1].qtype, 28);
	assert_int_equal(pl.dns.q[1].qname.len, pl.dns.q[0].qname.len);
	dns_chain(&b, 65);
	assert_int_equal(decode(IPPROTO_UDP, 53, b.b, b.n, false, &pl), 0);
	problem_is(&pl, "malformed dns: too many compression pointers");
	assert_int_equal(pl.dns.n_questions, 1);
}

static void test_dns_tcp(void **state)
{
	struct payload pl;
	struct buf b, t = { .n = 0 };

	dns_header(&b, 0x0100, 1, 0, 0, 0);
	dns_q(&b, "www.example.test", 1, 1);
	put16(&t, b.n);
	put(&t, b.b, b.n);
	/* two messages in one segment: the first is the one decoded */
	put16(&t, b.n);
	put(&t, b.b, b.n);
	assert_int_equal(decode(IPPROTO_TCP, 53, t.b, t.n, false, &pl), 0);
	problem_is(&pl, NULL);
	assert_true(pl.dns.tcp);
	assert_int_equal(pl.dns.msg_len, b.n);
	name_is(&pl.dns.q[0].qname, "www.example.test");
	/* one byte; the header alone; a prefix below a header */
	assert_int_equal(decode(IPPROTO_TCP, 53, t.b, 1, false, &pl), 0);
	assert_true(pl.truncated);
	assert_int_equal(decode(IPPROTO_TCP, 53, t.b, 14, false, &pl), 0);
	assert_true(pl.truncated);
	problem_is(&pl, "truncated dns message");
	assert_int_equal(pl.dns.id, 0xbeef);
	assert_int_equal(pl.dns.n_questions, 0);
	set16(&t, 0, 11);
	assert_int_equal(decode(IPPROTO_TCP, 53, t.b, t.n, false, &pl), 0);
	problem_is(&pl, "malformed dns: length prefix shorter than a header");
	/* the same on port 9 is no DNS at all */
	assert_int_equal(decode(IPPROTO_TCP, 9, t.b, t.n, false, &pl), -1);
}

static void test_dns_strict(void **state)
{
	static const uint8_t opt[] = { 0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0 };
	struct payload pl;
	struct buf b, t = { .n = 0 };

	/* a standard query with EDNS: DNS on any port, UDP and TCP */
	dns_header(&b, 0x0120, 1, 0, 0, 1);
	dns_q(&b, "example.test", 16, 1);
	put(&b, opt, sizeof(opt));
	assert_int_equal(decode(IPPROTO_UDP, 9, b.b, b.n, false, &pl), 0);
	assert_int_equal(pl.kind, PAYLOAD_DNS);
	put16(&t, b.n);
	put(&t, b.b, b.n);
	assert_int_equal(decode(IPPROTO_TCP, 9, t.b, t.n, false, &pl), 0);
	/* but not as a part, with a byte more, or cut */
	assert_int_equal(decode(IPPROTO_TCP, 9, t.b, t.n - 1, false, &pl), -1);
	assert_int_equal(decode(IPPROTO_UDP, 9, b.b, b.n, true, &pl), -1);
	put8(&b, 0);
	assert_int_equal(decode(IPPROTO_UDP, 9, b.b, b.n, false, &pl), -1);
	/* an answer, a class that is no query's, an answer record */
	dns_header(&b, 0x8180, 1, 0, 0, 0);
	dns_q(&b, "example.test", 1, 1);
	assert_int_equal(decode(IPPROTO_UDP, 9, b.b, b.n, false, &pl), -1);
	assert_int_equal(decode(IPPROTO_UDP, 53, b.b, b.n, false, &pl), 0);
	dns_header(&b, 0x0100, 1, 0, 0, 0);
	dns_q(&b, "example.test", 1, 2);
	assert_int_equal(decode(IPPROTO_UDP, 9, b.b, b.n, false, &pl), -1);
	dns_header(&b, 0x0100, 1, 1, 0, 0);
	dns_q(&b, "example.test", 1, 1);
	assert_int_equal(decode(IPPROTO_UDP, 9, b.b, b.n, false, &pl), -1);
	/* on port 53 the lying count shows */
	assert_int_equal(decode(IPPROTO_UDP, 53, b.b, b.n, false, &pl), 0);
	problem_is(&pl, "malformed dns: fewer records than the counts say");
}

static void test_dns_mdns_and_cut(void **state)
{
	struct payload pl;
	struct buf b;
	char nb[PAYLOAD_NUM_NAME_MAX];

	dns_header(&b, 0, 1, 0, 0, 0);
	dns_q(&b, "printer.local", 12, 0x8001);
	assert_int_equal(decode(IPPROTO_UDP, 5353, b.b, b.n, false, &pl), 0);
	assert_true(pl.dns.q[0].unicast_response);
	assert_int_equal(pl.dns.q[0].qclass, 1);
	/* only mDNS has the bit: elsewhere it is the class */
	assert_int_equal(decode(IPPROTO_UDP, 53, b.b, b.n, false, &pl), 0);
	assert_false(pl.dns.q[0].unicast_response);
	assert_string_equal(payload_class_name(pl.dns.q[0].qclass, nb), "CLASS32769");
	/* a partial copy of a datagram is truncated, not malformed */
	assert_int_equal(decode(IPPROTO_UDP, 53, b.b, b.n - 3, true, &pl), 0);
	assert_true(pl.truncated);
	problem_is(&pl, "truncated dns message");
	assert_int_equal(decode(IPPROTO_UDP, 53, b.b, b.n - 3, false, &pl), 0);
	assert_false(pl.truncated);
	problem_is(&pl, "malformed dns: question past end");
	/* more questions than kept: the first four, and no complaint */
	dns_header(&b, 0x0100, 6, 0, 0, 0);
	for (int i = 0; i < 6; i++)
		dns_q(&b, "q.example.test", 1 + i, 1);
	assert_int_equal(decode(IPPROTO_UDP, 53, b.b, b.n, false, &pl), 0);
	problem_is(&pl, NULL);
	assert_int_equal(pl.dns.n_questions, PAYLOAD_DNS_QMAX);
	assert_int_equal(pl.dns.q[3].qtype, 4);
}

/* --- TLS --- */

struct hello {
	const char *sni;		/* NULL: no server_name */
	const char *alpn[8];
	unsigned int session_id, ciphers, compressions, extra_exts;
	bool ech, no_exts, second_sni, second_host_name;
};

static void ext_sni(struct buf *b, const char *name, bool twice)
{
	size_t n = strlen(name), per = 3 + n;

	put16(b, 0);
	put16(b, 2 + per * (twice ? 2 : 1));
	put16(b, per * (twice ? 2 : 1));
	put8(b, 0);
	put16(b, n);
	put(b, name, n);
	if (twice) {
		put8(b, 0);
		put16(b, n);
		put(b, name, n);
	}
}

/* A ClientHello record with the fields of h; returns its length. */
static size_t build_hello(struct buf *b, const struct hello *h)
{
	size_t hs, exts, alpn, i, n;

	b->n = 0;
	put8(b, 22);
	put16(b, 0x0301);
	put16(b, 0);			/* record length, set below */
	put8(b, 1);
	put8(b, 0);
	put16(b, 0);			/* handshake length, set below */
	hs = b->n;
	put16(b, 0x0303);
	for (i = 0; i < 32; i++)
		put8(b, i);
	put8(b, h->session_id);
	for (i = 0; i < h->session_id; i++)
		put8(b, 0xaa);
	put16(b, h->ciphers);
	for (i = 0; i < h->ciphers; i++)
		put8(b, 0x13);
	put8(b, h->compressions);
	for (i = 0; i < h->compressions; i++)
		put8(b, 0);
	if (!h->no_exts) {
		put16(b, 0);
		exts = b->n;
		for (i = 0; i < h->extra_exts; i++) {
			put16(b, 0x0a0a);	/* GREASE, empty */
			put16(b, 0);
		}
		if (h->sni)
			ext_sni(b, h->sni, h->second_host_name);
		if (h->sni && h->second_sni)
			ext_sni(b, h->sni, false);
		if (h->alpn[0]) {
			put16(b, 16);
			put16(b, 0);
			alpn = b->n;
			put16(b, 0);
			for (i = 0; h->alpn[i]; i++) {
				n = strlen(h->alpn[i]);
				put8(b, n);
				put(b, h->alpn[i], n);
			}
			set16(b, alpn - 2, b->n - alpn);
			set16(b, alpn, b->n - alpn - 2);
		}
		if (h->ech) {
			put16(b, 0xfe0d);
			put16(b, 1);
			put8(b, 0);
		}
		set16(b, exts - 2, b->n - exts);
	}
	set16(b, 3, b->n - 5);
	b->b[6] = (uint8_t)((b->n - hs) >> 16);
	set16(b, 7, b->n - hs);
	return b->n;
}

static const struct hello plain = {
	.sni = "www.example.test", .alpn = { "h2", "http/1.1" },
	.session_id = 32, .ciphers = 6, .compressions = 1,
};

static void tls_problem(const struct hello *h, const char *want)
{
	struct payload pl;
	struct buf b;

	build_hello(&b, h);
	assert_int_equal(decode(IPPROTO_TCP, 443, b.b, b.n, false, &pl), 0);
	assert_int_equal(pl.kind, PAYLOAD_TLS);
	problem_is(&pl, want);
}

static void test_tls_fields(void **state)
{
	struct payload pl;
	struct hello h = plain;
	struct buf b;

	build_hello(&b, &h);
	assert_int_equal(decode(IPPROTO_TCP, 443, b.b, b.n, false, &pl), 0);
	problem_is(&pl, NULL);
	assert_true(pl.tls.has_sni);
	name_is(&pl.tls.sni, "www.example.test");
	assert_int_equal(pl.tls.n_alpn, 2);
	assert_memory_equal(pl.tls.alpn[1], "http/1.1", 8);
	assert_false(pl.tls.ech);
	/* any port, and through 53 */
	assert_int_equal(decode(IPPROTO_TCP, 53, b.b, b.n, false, &pl), 0);
	assert_int_equal(pl.kind, PAYLOAD_TLS);
	/* a server's hello, SSLv2, a record of another type: not ours */
	b.b[5] = 2;
	assert_int_equal(decode(IPPROTO_TCP, 443, b.b, b.n, false, &pl), -1);
	b.b[5] = 1;
	b.b[0] = 23;
	assert_int_equal(decode(IPPROTO_TCP, 443, b.b, b.n, false, &pl), -1);

	h.ech = true;
	h.alpn[0] = "a-protocol-name-longer-than-32-bytes";
	h.alpn[1] = "p1";
	h.alpn[2] = "p2";
	h.alpn[3] = "p3";
	h.alpn[4] = "p4";
	h.alpn[5] = "p5";
	build_hello(&b, &h);
	assert_int_equal(decode(IPPROTO_TCP, 443, b.b, b.n, false, &pl), 0);
	problem_is(&pl, NULL);
	assert_true(pl.tls.ech);
	assert_int_equal(pl.tls.n_alpn, PAYLOAD_ALPN_MAX);
	assert_memory_equal(pl.tls.alpn[0], "p1", 2);
	assert_memory_equal(pl.tls.alpn[3], "p4", 2);

	h = plain;
	h.sni = NULL;
	h.no_exts = true;
	build_hello(&b, &h);
	assert_int_equal(decode(IPPROTO_TCP, 443, b.b, b.n, false, &pl), 0);
	problem_is(&pl, NULL);
	assert_false(pl.tls.has_sni);

	h = plain;
	h.sni = "x\001y.Example.TEST.";
	build_hello(&b, &h);
	assert_int_equal(decode(IPPROTO_TCP, 443, b.b, b.n, false, &pl), 0);
	name_is(&pl.tls.sni, "x\\001y.Example.TEST");
}

static void test_tls_malformed(void **state)
{
	struct hello h;

	h = plain, h.session_id = 33;
	tls_problem(&h, "malformed tls: session id longer than 32 bytes");
	h = plain, h.ciphers = 5;
	tls_problem(&h, "malformed tls: bad cipher suites length");
	h = plain, h.ciphers = 0;
	tls_problem(&h, "malformed tls: bad cipher suites length");
	h = plain, h.compressions = 0;
	tls_problem(&h, "malformed tls: no compression methods");
	h = plain, h.second_sni = true;
	tls_problem(&h, "malformed tls: two server_name extensions");
	h = plain, h.second_host_name = true;
	tls_problem(&h, "malformed tls: two host names in server_name");
	h = plain, h.sni = "a..b";
	tls_problem(&h, "malformed tls: server_name is not a host name");
	h = plain, h.sni = "";
	tls_problem(&h, "malformed tls: server_name is not a host name");
	h = plain, h.alpn[1] = "";
	tls_problem(&h, "malformed tls: empty alpn protocol");
	/* with server_name and alpn: 257, then 256 extensions */
	h = plain, h.extra_exts = 255;
	tls_problem(&h, "malformed tls: too many extensions");
	h = plain, h.extra_exts = 254;
	tls_problem(&h, NULL);
}

static void test_tls_lengths(void **state)
{
	struct payload pl;
	struct buf b;
	size_t n;

	/* the extensions' length disagrees with the hello's */
	n = build_hello(&b, &plain);
	b.b[5 + 4 + 2 + 32 + 1 + 32 + 2 + 6 + 2 + 1]++;
	assert_int_equal(decode(IPPROTO_TCP, 443, b.b, n, false, &pl), 0);
	problem_is(&pl, "malformed tls: extensions do not end with the ClientHello");
	/* an extension past the extensions */
	n = build_hello(&b, &plain);
	set16(&b, 5 + 4 + 2 + 32 + 1 + 32 + 2 + 6 + 2 + 2 + 2, 0x7fff);
	assert_int_equal(decode(IPPROTO_TCP, 443, b.b, n, false, &pl), 0);
	problem_is(&pl, "malformed tls: extension past the extensions");
	/* a record over 2^14 bytes */
	n = build_hello(&b, &plain);
	set16(&b, 3, 16385);
	assert_int_equal(decode(IPPROTO_TCP, 443, b.b, n, false, &pl), 0);
	problem_is(&pl, "malformed tls: record longer than 16384 bytes");
	/* the hello continues in the next record: the first one is read */
	n = build_hello(&b, &plain);
	set16(&b, 3, n - 5 - 10);
	assert_int_equal(decode(IPPROTO_TCP, 443, b.b, n, false, &pl), 0);
	assert_true(pl.truncated);
	problem_is(&pl, "incomplete ClientHello");
	assert_true(pl.tls.has_sni);
	/* a record too short for the handshake header */
	set16(&b, 3, 2);
	assert_int_equal(decode(IPPROTO_TCP, 443, b.b, n, false, &pl), 0);
	problem_is(&pl, "incomplete ClientHello");
	assert_false(pl.tls.has_sni);
}

/* --- HTTP --- */

static int http(const char *req, struct payload *pl)
{
	return decode(IPPROTO_TCP, 8080, req, strlen(req), false, pl);
}

static void http_host_is(const char *req, const char *host, int port,
			 const char *problem)
{
	struct payload pl;

	assert_int_equal(http(req, &pl), 0);
	assert_int_equal(pl.kind, PAYLOAD_HTTP);
	problem_is(&pl, problem);
	assert_int_equal(pl.http.has_host, host != NULL);
	if (host)
		name_is(&pl.http.host, host);
	assert_int_equal(pl.http.has_port, port >= 0);
	if (port >= 0)
		assert_int_equal(pl.http.port, port);
}

static void test_http(void **state)
{
	static const char *const not_http[] = {
		"get / HTTP/1.1\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n", "GET /\001 HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1 \r\n\r\n", "GET / HTTP/1.x\r\n\r\n",
		"GETTINGLONGERTHANTWENTY / HTTP/1.1\r\n\r\n", "GET", "GET/",
		"FOO /x", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "\r\n",
		"HTTP/1.1 200 OK\r\n\r\n",
	};
	struct payload pl;
	size_t i;

	for (i = 0; i < sizeof(not_http) / sizeof(not_http[0]); i++)
		if (http(not_http[i], &pl) != -1 || pl.kind != PAYLOAD_NONE)
			fail_msg("decoded as http: %s", not_http[i]);
	http_host_is("GET / HTTP/1.1\nHost: a.example.test\n\n", "a.example.test", -1, NULL);
	http_host_is("MKCALENDAR /c HTTP/1.1\r\nhost:x.test:0\r\n\r\n", "x.test", 0, NULL);
	http_host_is("GET / HTTP/1.1\r\nX: y\r\n z\r\nHost: \t b.test \t\r\n\r\n",
		     "b.test", -1, NULL);
	http_host_is("GET / HTTP/1.1\r\nHost: a..b\r\n\r\n", NULL, -1,
		     "malformed http: host is not a host name");
	http_host_is("GET / HTTP/1.1\r\nHost: x:65536\r\n\r\n", NULL, -1,
		     "malformed http: bad port in host");
	http_host_is("GET / HTTP/1.1\r\nHost: x:\r\n\r\n", NULL, -1,
		     "malformed http: bad port in host");
	http_host_is("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", NULL, -1,
		     "malformed http: bad ip literal in host");
	http_host_is("GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", NULL, -1,
		     "malformed http: bad ip literal in host");
	http_host_is("GET / HTTP/1.1\r\nHost:\r\n\r\n", NULL, -1,
		     "malformed http: empty host");
	/* a space before the colon makes it no Host header (RFC 9112 5.1) */
	http_host_is("GET / HTTP/1.1\r\nHost : x.test\r\n\r\n", NULL, -1,
		     "malformed http: no host header");
	http_host_is("GET / HTTP/1.0\r\n\r\n", NULL, -1, NULL);
	http_host_is("GET / HTTP/1.1\r\nHost: a.test\r\nUser-Agent: x", "a.test", -1,
		     "incomplete http request");
	/* a cut request line: only for a well-known method */
	assert_int_equal(http("DELETE /very/long/", &pl), 0);
	assert_string_equal(pl.http.method, "DELETE");
	assert_true(pl.truncated);
	assert_int_equal(http("DELETE /x HTTP/1.", &pl), 0);
	assert_true(pl.truncated);
	assert_int_equal(http("DELETE /x HTTP/1.1\r", &pl), 0);
	assert_true(pl.truncated);
	assert_int_equal(http("MKCOL /x HTTP/1.", &pl), -1);
}

/* --- where the payload is --- */

static size_t ip4_udp(uint8_t *p, uint16_t ip_len, uint16_t udp_len, size_t total)
{
	memset(p, 0, total);
	p[0] = 0x45;
	p[2] = (uint8_t)(ip_len >> 8);
	p[3] = (uint8_t)ip_len;
	p[8] = 64;
	p[9] = IPPROTO_UDP;
	inet_pton(AF_INET, "192.0.2.10", p + 12);
	inet_pton(AF_INET, "192.0.2.53", p + 16);
	p[20] = 0x9c;
	p[23] = 53;
	p[24] = (uint8_t)(udp_len >> 8);
	p[25] = (uint8_t)udp_len;
	return total;
}

static void test_locate(void **state)
{
	struct payload_src src;
	struct pkt_info pkt;
	uint8_t p[100];
	size_t n;

	/* padding after the IP packet, then a UDP length shorter still */
	n = ip4_udp(p, 20 + 8 + 20, 8 + 20, 60);
	assert_int_equal(pkt_parse(p, n, &pkt), 0);
	assert_int_equal(payload_locate(&pkt, p, n, &src), 0);
	assert_int_equal(src.len, 20);
	assert_ptr_equal(src.data, p + 28);
	assert_false(src.cut);
	n = ip4_udp(p, 20 + 8 + 20, 8 + 12, 60);
	assert_int_equal(pkt_parse(p, n, &pkt), 0);
	assert_int_equal(payload_locate(&pkt, p, n, &src), 0);
	assert_int_equal(src.len, 12);
	/* a partial copy: the IP length says more */
	n = ip4_udp(p, 20 + 8 + 100, 8 + 100, 40);
	assert_int_equal(pkt_parse(p, n, &pkt), 0);
	assert_int_equal(payload_locate(&pkt, p, n, &src), 0);
	assert_int_equal(src.len, 12);
	assert_true(src.cut);
	/* no payload */
	n = ip4_udp(p, 28, 8, 28);
	assert_int_equal(pkt_parse(p, n, &pkt), 0);
	assert_int_equal(payload_locate(&pkt, p, n, &src), -1);
	assert_int_equal(errno, ENOENT);
	/* TCP: the data offset is below 20 bytes, or past the packet */
	n = ip4_udp(p, 60, 0, 60);
	p[9] = IPPROTO_TCP;
	p[32] = 4 << 4;
	assert_int_equal(pkt_parse(p, n, &pkt), 0);
	assert_int_equal(payload_locate(&pkt, p, n, &src), -1);
	p[32] = 15 << 4;
	assert_int_equal(payload_locate(&pkt, p, n, &src), -1);
	p[32] = 5 << 4;
	assert_int_equal(payload_locate(&pkt, p, n, &src), 0);
	assert_int_equal(src.len, 20);
	/* a later fragment has no ports, ICMP has no payload of ours */
	p[9] = IPPROTO_UDP;
	p[6] = 0x00;
	p[7] = 0x10;
	assert_int_equal(pkt_parse(p, n, &pkt), 0);
	assert_int_equal(payload_locate(&pkt, p, n, &src), -1);
	p[7] = 0;
	p[6] = 0x20;		/* first fragment: more follows */
	assert_int_equal(pkt_parse(p, n, &pkt), 0);
	assert_int_equal(payload_locate(&pkt, p, n, &src), 0);
	assert_true(src.cut);
	p[6] = 0;
	p[9] = IPPROTO_ICMP;
	assert_int_equal(pkt_parse(p, n, &pkt), 0);
	assert_int_equal(payload_locate(&pkt, p, n, &src), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_pointer_chain),
		cmocka_unit_test(test_dns_tcp),
		cmocka_unit_test(test_dns_strict),
		cmocka_unit_test(test_dns_mdns_and_cut),
		cmocka_unit_test(test_tls_fields),
		cmocka_unit_test(test_tls_malformed),
		cmocka_unit_test(test_tls_lengths),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_locate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
