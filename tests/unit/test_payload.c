/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the payload decoders: captures of real clients (dig,
 * curl, openssl s_client, python3; tests/data/payload/README) decoded and
 * compared with goldens and with what dig and tshark printed for the same
 * packets; then every truncation of every payload and random mutations,
 * each decoded from an exact-size copy (valgrind and ASan see a one-byte
 * over-read) and checked against the documented contract.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "payload.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must name tests/data"
#endif
#define DATA TEST_DATA_DIR "/payload/"

#define MAX_PKTS	256
#define TEXT_MAX	(256 * 1024)
#define N_MUTATIONS	5000

struct fixture {
	size_t n;
	uint8_t *ip[MAX_PKTS];		/* from the IP header on */
	size_t len[MAX_PKTS];
};

/* The payload decoded from an exact-size heap copy. */
static int decode_copy(const struct payload_src *src, struct payload *pl)
{
	struct payload_src s = *src;
	uint8_t *copy = malloc(s.len ? s.len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, src->data, s.len);
	s.data = copy;
	ret = payload_decode_src(&s, pl);
	free(copy);
	return ret;
}

static void load(const char *file, struct fixture *fx)
{
	char errbuf[PCAP_ERRBUF_SIZE], path[512];
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t link;
	pcap_t *pc;

	snprintf(path, sizeof(path), DATA "%s", file);
	pc = pcap_open_offline(path, errbuf);
	if (pc == NULL)
		fail_msg("%s: %s", path, errbuf);
	assert_int_equal(pcap_datalink(pc), DLT_EN10MB);
	link = 14;
	fx->n = 0;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		assert_true(fx->n < MAX_PKTS);
		assert_int_equal(h->caplen, h->len);
		assert_true(h->caplen > link);
		fx->len[fx->n] = h->caplen - link;
		fx->ip[fx->n] = malloc(fx->len[fx->n]);
		assert_non_null(fx->ip[fx->n]);
		memcpy(fx->ip[fx->n], data + link, fx->len[fx->n]);
		fx->n++;
	}
	pcap_close(pc);
	assert_true(fx->n > 0);
}

static void unload(struct fixture *fx)
{
	size_t i;

	for (i = 0; i < fx->n; i++)
		free(fx->ip[i]);
	fx->n = 0;
}

static void put_name(struct strbuf *b, const struct payload_name *n)
{
	payload_name_escape(b, n);
}

static void put_dns(struct strbuf *b, const struct payload_dns *d)
{
	static const struct { uint16_t bit; const char *name; } flags[] = {
		{ PAYLOAD_DNS_QR, "qr" }, { PAYLOAD_DNS_AA, "aa" },
		{ PAYLOAD_DNS_TC, "tc" }, { PAYLOAD_DNS_RD, "rd" },
		{ PAYLOAD_DNS_RA, "ra" }, { PAYLOAD_DNS_Z, "z" },
		{ PAYLOAD_DNS_AD, "ad" }, { PAYLOAD_DNS_CD, "cd" },
	};
	char nb[PAYLOAD_NUM_NAME_MAX];
	const char *sep = "";
	unsigned int i;

	sb_printf(b, "dns %s len=%u id=%u %s flags=", d->tcp ? "tcp" : "udp",
		  d->msg_len, d->id, payload_opcode_name(d->opcode, nb));
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (d->flags & flags[i].bit) {
			sb_printf(b, "%s%s", sep, flags[i].name);
			sep = ",";
		}
	}
	sb_printf(b, " rcode=%u qd=%u an=%u ns=%u ar=%u", d->rcode, d->qdcount,
		  d->ancount, d->nscount, d->arcount);
	for (i = 0; i < d->n_questions; i++) {
		sb_printf(b, " q=%s", payload_type_name(d->q[i].qtype, nb));
		sb_printf(b, "/%s%s/", payload_class_name(d->q[i].qclass, nb),
			  d->q[i].unicast_response ? "/qu" : "");
		put_name(b, &d->q[i].qname);
	}
}

/* ALPN protocol names are bytes, not host names: the test shows them as C does. */
static void put_bytes(struct strbuf *b, const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] > 0x20 && s[i] < 0x7f && s[i] != '\\' && s[i] != ',')
			sb_char(b, (char)s[i]);
		else
			sb_printf(b, "\\x%02x", s[i]);
	}
}

static void put_tls(struct strbuf *b, const struct payload_tls *t)
{
	unsigned int i;

	sb_printf(b, "tls record=0x%04x hello=0x%04x", t->record_version,
		  t->hello_version);
	if (t->has_sni) {
		sb_str(b, " sni=");
		put_name(b, &t->sni);
	}
	if (t->ech)
		sb_str(b, " ech");
	for (i = 0; i < t->n_alpn; i++) {
		sb_str(b, i ? "," : " alpn=");
		put_bytes(b, t->alpn[i], t->alpn_len[i]);
	}
}

static void put_http(struct strbuf *b, const struct payload_http *h)
{
	sb_printf(b, "http %s 1.%u", h->method, h->version_minor);
	if (h->has_host) {
		sb_str(b, " host=");
		put_name(b, &h->host);
	}
	if (h->has_port)
		sb_printf(b, " port=%u", h->port);
}

/* One golden line: the packet, then what its payload decoded to. */
static void put_packet(struct strbuf *b, size_t i, const uint8_t *ip, size_t len)
{
	struct payload_src src;
	struct payload pl;
	struct pkt_info pkt;
	int ret;

	memset(&pkt, 0, sizeof(pkt));
	assert_int_equal(pkt_parse(ip, len, &pkt), 0);
	sb_printf(b, "%zu %s %s %u>%u ", i + 1, pkt.src.family == AF_INET6 ? "ip6" : "ip",
		  pkt_proto_name(pkt.proto), pkt.sport, pkt.dport);
	if (payload_locate(&pkt, ip, len, &src) < 0) {
		assert_int_equal(errno, ENOENT);
		sb_str(b, "-\n");
		return;
	}
	ret = decode_copy(&src, &pl);
	/* the one-call form agrees */
	{
		struct payload again;

		assert_int_equal(payload_decode(&pkt, ip, len, &again), ret);
		assert_int_equal(again.kind, pl.kind);
	}
	switch (pl.kind) {
	case PAYLOAD_NONE:
		assert_int_equal(ret, -1);
		sb_printf(b, "none len=%zu", src.len);
		break;
	case PAYLOAD_DNS:
		put_dns(b, &pl.dns);
		break;
	case PAYLOAD_TLS:
		put_tls(b, &pl.tls);
		break;
	case PAYLOAD_HTTP:
		put_http(b, &pl.http);
		break;
	}
	if (pl.kind != PAYLOAD_NONE)
		assert_int_equal(ret, 0);
	if (pl.truncated)
		sb_str(b, " truncated");
	if (pl.problem)
		sb_printf(b, " problem=\"%s\"", pl.problem);
	sb_char(b, '\n');
}

static char *read_file(const char *name)
{
	char path[512];
	char *buf = calloc(1, TEXT_MAX);
	size_t n;
	FILE *f;

	assert_non_null(buf);
	snprintf(path, sizeof(path), DATA "%s", name);
	f = fopen(path, "re");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	n = fread(buf, 1, TEXT_MAX - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* PTRAP_UPDATE_GOLDEN=1 rewrites the golden; review the diff. */
static void check_golden(const char *name, const char *got)
{
	const char *w, *g;
	char *want;
	int line = 1;

	if (getenv("PTRAP_UPDATE_GOLDEN")) {
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), DATA "%s", name);
		f = fopen(path, "we");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
		return;
	}
	want = read_file(name);
	for (w = want, g = got; *w && *w == *g; w++, g++)
		if (*w == '\n')
			line++;
	if (*w || *g) {
		/* back to the start of the line that differs */
		while (w > want && w[-1] != '\n') {
			w--;
			g--;
		}
		fail_msg("%s differs at line %d:\nwant: %.*s\ngot:  %.*s", name, line,
			 (int)strcspn(w, "\n"), w, (int)strcspn(g, "\n"), g);
	}
	free(want);
}

static void golden(const char *pcap, const char *gold)
{
	static char text[TEXT_MAX];
	struct fixture fx;
	struct strbuf b;
	size_t i;

	load(pcap, &fx);
	sb_init(&b, text, sizeof(text));
	for (i = 0; i < fx.n; i++)
		put_packet(&b, i, fx.ip[i], fx.len[i]);
	assert_true(sb_finish(&b) > 0);
	check_golden(gold, text);
	unload(&fx);
}

static void test_golden_dig(void **state)
{
	golden("dig.pcap", "dig.golden");
}

static void test_golden_curl_tls(void **state)
{
	golden("curl-tls.pcap", "curl-tls.golden");
}

static void test_golden_curl_http(void **state)
{
	golden("curl-http.pcap", "curl-http.golden");
}

static void test_golden_crafted(void **state)
{
	golden("crafted.pcap", "crafted.golden");
}

static int decode_packet(const struct fixture *fx, size_t i, struct payload *pl)
{
	struct payload_src src;
	struct pkt_info pkt;

	memset(&pkt, 0, sizeof(pkt));
	assert_int_equal(pkt_parse(fx->ip[i], fx->len[i], &pkt), 0);
	if (payload_locate(&pkt, fx->ip[i], fx->len[i], &src) < 0)
		return -1;
	return decode_copy(&src, pl);
}

/*
 * dig's own text of each question it sent (dig-questions.txt) against
 * the escaper: every query dig made, in order, ";NAME. CLASS TYPE".
 */
static void test_dig_oracle(void **state)
{
	char *want = read_file("dig-questions.txt"), *line, *save = NULL;
	char got[PAYLOAD_NAME_TEXT_MAX + 64], nb[PAYLOAD_NUM_NAME_MAX];
	char cb[PAYLOAD_NUM_NAME_MAX];
	struct fixture fx;
	struct payload pl;
	struct strbuf b;
	size_t i, n = 0;

	load("dig.pcap", &fx);
	line = strtok_r(want, "\n", &save);
	for (i = 0; i < fx.n; i++) {
		if (decode_packet(&fx, i, &pl) < 0 || pl.kind != PAYLOAD_DNS ||
		    (pl.dns.flags & PAYLOAD_DNS_QR))
			continue;
		assert_int_equal(pl.dns.n_questions, 1);
		assert_null(pl.problem);
		sb_init(&b, got, sizeof(got));
		sb_char(&b, ';');
		payload_name_escape(&b, &pl.dns.q[0].qname);
		if (pl.dns.q[0].qname.len > 1)
			sb_char(&b, '.');
		sb_printf(&b, " %s %s", payload_class_name(pl.dns.q[0].qclass, cb),
			  payload_type_name(pl.dns.q[0].qtype, nb));
		assert_true(sb_finish(&b) > 0);
		if (line == NULL)
			fail_msg("query %zu (%s) has no line in dig-questions.txt", n + 1, got);
		assert_string_equal(got, line);
		line = strtok_r(NULL, "\n", &save);
		n++;
	}
	assert_null(line);
	assert_true(n >= 16);
	unload(&fx);
	free(want);
}

/*
 * tshark's SNI and ALPN (tshark-tls.txt) or method and Host
 * (tshark-http.txt) for the frames it found, where the text needs no
 * escaping (tshark drops the bytes our escaper shows).
 */
static void tshark_oracle(const char *pcap, const char *txt, bool tls)
{
	char *want = read_file(txt), *line, *save = NULL, *f2, *f3;
	char got[PAYLOAD_NAME_TEXT_MAX + 64];
	struct fixture fx;
	struct payload pl;
	struct strbuf b;
	unsigned long frame;
	size_t n = 0, i;

	load(pcap, &fx);
	for (line = strtok_r(want, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		frame = strtoul(line, &f2, 10);
		assert_true(frame >= 1 && frame <= fx.n && *f2 == '\t');
		f2++;
		f3 = strchr(f2, '\t');
		assert_non_null(f3);
		*f3++ = '\0';
		assert_int_equal(decode_packet(&fx, frame - 1, &pl), 0);
		assert_null(pl.problem);
		sb_init(&b, got, sizeof(got));
		if (tls) {
			assert_int_equal(pl.kind, PAYLOAD_TLS);
			if (pl.tls.has_sni)
				payload_name_escape(&b, &pl.tls.sni);
			assert_true(sb_finish(&b) >= 0);
			assert_string_equal(got, f2);
			sb_init(&b, got, sizeof(got));
			for (i = 0; i < pl.tls.n_alpn; i++) {
				if (i)
					sb_char(&b, ',');
				put_bytes(&b, pl.tls.alpn[i], pl.tls.alpn_len[i]);
			}
			assert_true(sb_finish(&b) >= 0);
			assert_string_equal(got, f3);
		} else {
			assert_int_equal(pl.kind, PAYLOAD_HTTP);
			assert_string_equal(pl.http.method, f2);
			assert_true(pl.http.has_host);
			payload_name_escape(&b, &pl.http.host);
			if (f3[0] && f3[strlen(f3) - 1] == '.' && !strchr(f3, ':'))
				sb_char(&b, '.');	/* tshark keeps the final dot */
			if (pl.http.has_port)
				sb_printf(&b, ":%u", pl.http.port);
			assert_true(sb_finish(&b) > 0);
			if (strchr(got, '\\') == NULL)
				assert_string_equal(got, f3);
		}
		n++;
	}
	assert_true(n >= 4);
	unload(&fx);
	free(want);
}

static void test_tshark_oracle_tls(void **state)
{
	tshark_oracle("curl-tls.pcap", "tshark-tls.txt", true);
}

static void test_tshark_oracle_http(void **state)
{
	tshark_oracle("curl-http.pcap", "tshark-http.txt", false);
}

/* --- hostile input: the contract holds for every prefix and mutation --- */

static void check_name(const struct payload_name *n)
{
	char text[PAYLOAD_NAME_TEXT_MAX];
	struct payload_name back;
	struct strbuf b;
	const char *why;
	size_t pos = 0, i;

	assert_true(n->len >= 1);
	while (n->wire[pos] != 0) {
		assert_true(n->wire[pos] <= 63);
		pos += 1 + n->wire[pos];
		assert_true(pos < n->len);
	}
	assert_int_equal(pos + 1, n->len);
	/* one printable token that parses back to the same bytes */
	sb_init(&b, text, sizeof(text));
	payload_name_escape(&b, n);
	assert_true(sb_finish(&b) > 0);
	for (i = 0; text[i]; i++)
		assert_true(text[i] > 0x20 && text[i] < 0x7f);
	assert_int_equal(payload_name_parse(&back, text, &why), 0);
	assert_int_equal(back.len, n->len);
	assert_memory_equal(back.wire, n->wire, n->len);
}

static void check_contract(const struct payload *pl, int ret)
{
	unsigned int i;

	if (ret < 0) {
		assert_int_equal(errno, ENOENT);
		assert_int_equal(pl->kind, PAYLOAD_NONE);
		return;
	}
	assert_int_equal(ret, 0);
	assert_true(pl->kind == PAYLOAD_DNS || pl->kind == PAYLOAD_TLS ||
		    pl->kind == PAYLOAD_HTTP);
	if (pl->truncated)
		assert_non_null(pl->problem);
	if (pl->problem)
		assert_true(strncmp(pl->problem, "malformed ", 10) == 0 ||
			    strcmp(pl->problem, "truncated dns message") == 0 ||
			    strcmp(pl->problem, "incomplete ClientHello") == 0 ||
			    strcmp(pl->problem, "incomplete http request") == 0);
	switch (pl->kind) {
	case PAYLOAD_DNS:
		assert_true(pl->dns.n_questions <= PAYLOAD_DNS_QMAX);
		assert_true(pl->dns.n_questions <= pl->dns.qdcount);
		for (i = 0; i < pl->dns.n_questions; i++)
			check_name(&pl->dns.q[i].qname);
		break;
	case PAYLOAD_TLS:
		if (pl->tls.has_sni)
			check_name(&pl->tls.sni);
		assert_true(pl->tls.n_alpn <= PAYLOAD_ALPN_MAX);
		for (i = 0; i < pl->tls.n_alpn; i++)
			assert_true(pl->tls.alpn_len[i] >= 1 &&
				    pl->tls.alpn_len[i] <= PAYLOAD_ALPN_LEN);
		break;
	case PAYLOAD_HTTP:
		assert_true(strlen(pl->http.method) >= 1 &&
			    strlen(pl->http.method) <= PAYLOAD_METHOD_MAX);
		if (pl->http.has_host)
			check_name(&pl->http.host);
		break;
	case PAYLOAD_NONE:
		fail();
	}
}

static bool dns_port(const struct payload_src *src)
{
	static const uint16_t ports[] = { 53, 5353, 5355 };
	size_t i;

	for (i = 0; i < 3; i++)
		if (src->sport == ports[i] || src->dport == ports[i])
			return true;
	return false;
}

static bool same_name(const struct payload_name *a, const struct payload_name *b)
{
	return a->len == b->len && memcmp(a->wire, b->wire, a->len) == 0;
}

/*
 * A prefix of a whole message says what the protocol says about a part:
 * DNS over TCP and a ClientHello are "truncated"/"incomplete" (they carry
 * their length), a UDP datagram is malformed unless the copy was cut.
 * And nothing is guessed: every name a prefix yields is the full one.
 */
static void check_prefix(const struct payload_src *src, const struct payload *full,
			 size_t k, bool cut, const struct payload *pl)
{
	unsigned int i;

	if (full->problem || full->kind == PAYLOAD_NONE || k == src->len)
		return;
	if (k == 0) {
		assert_int_equal(pl->kind, PAYLOAD_NONE);
		return;
	}
	if (full->kind == PAYLOAD_DNS && !dns_port(src)) {
		/* a part of a query is never strictly a query */
		assert_int_equal(pl->kind, PAYLOAD_NONE);
	} else if (full->kind == PAYLOAD_DNS) {
		assert_int_equal(pl->kind, PAYLOAD_DNS);
		if (full->dns.tcp && src->len == 2u + full->dns.msg_len)
			assert_true(pl->truncated);
		else if (!full->dns.tcp && full->dns.qdcount <= PAYLOAD_DNS_QMAX &&
			 full->dns.ancount + full->dns.nscount + full->dns.arcount <= 8)
			assert_true(cut ? pl->truncated : !pl->truncated &&
				    strncmp(pl->problem, "malformed dns", 13) == 0);
		for (i = 0; i < pl->dns.n_questions; i++)
			assert_true(same_name(&pl->dns.q[i].qname, &full->dns.q[i].qname));
	} else if (full->kind == PAYLOAD_TLS && k >= 6) {
		assert_int_equal(pl->kind, PAYLOAD_TLS);
		assert_true(pl->truncated);
		assert_string_equal(pl->problem, "incomplete ClientHello");
		if (pl->tls.has_sni)
			assert_true(same_name(&pl->tls.sni, &full->tls.sni));
	} else if (full->kind == PAYLOAD_HTTP && pl->kind == PAYLOAD_HTTP) {
		/* the headers end at the first empty line; a body may follow */
		const uint8_t *e = memmem(src->data, src->len, "\n\r\n", 3);
		size_t hdr_end = e ? (size_t)(e - src->data) + 3 : src->len;

		assert_int_equal(pl->truncated, k < hdr_end);
		assert_string_equal(pl->http.method, full->http.method);
		if (pl->http.has_host)
			assert_true(same_name(&pl->http.host, &full->http.host));
	}
}

static const char *const fixtures[] = {
	"dig.pcap", "curl-tls.pcap", "curl-http.pcap", "crafted.pcap",
};

static void test_every_truncation(void **state)
{
	struct payload_src src, part;
	struct payload full, pl;
	struct fixture fx;
	struct pkt_info pkt;
	size_t f, i, k, tried = 0;
	int ret, cut;

	for (f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++) {
		load(fixtures[f], &fx);
		for (i = 0; i < fx.n; i++) {
			memset(&pkt, 0, sizeof(pkt));
			assert_int_equal(pkt_parse(fx.ip[i], fx.len[i], &pkt), 0);
			if (payload_locate(&pkt, fx.ip[i], fx.len[i], &src) < 0)
				continue;
			check_contract(&full, decode_copy(&src, &full));
			for (k = 0; k <= src.len; k++) {
				for (cut = 0; cut <= 1; cut++) {
					part = src;
					part.len = k;
					part.cut = cut;
					ret = decode_copy(&part, &pl);
					check_contract(&pl, ret);
					check_prefix(&src, &full, k, cut, &pl);
					tried++;
				}
			}
		}
		unload(&fx);
	}
	assert_true(tried > 10000);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Bytes a hostile sender would pick: lengths, pointers, their extremes. */
static uint8_t nasty_byte(void)
{
	static const uint8_t v[] = { 0x00, 0x01, 0x3f, 0x40, 0x80, 0xc0, 0xff,
				     0x0c, '.', ':', '\r', '\n', ' ', 0x16 };

	return rng() & 1 ? (uint8_t)rng() : v[rng() % sizeof(v)];
}

static void test_mutations(void **state)
{
	static const struct { uint8_t proto; uint16_t port; } modes[] = {
		{ IPPROTO_UDP, 53 }, { IPPROTO_TCP, 53 }, { IPPROTO_TCP, 443 },
		{ IPPROTO_UDP, 9 }, { IPPROTO_UDP, 5353 }, { IPPROTO_TCP, 9 },
	};
	struct payload_src src[4 * MAX_PKTS], m;
	struct fixture fx[4];
	struct payload pl;
	struct pkt_info pkt;
	uint8_t buf[2048];
	size_t nsrc = 0, f, i, j, n, at, edits, kinds[4] = { 0 };

	for (f = 0; f < 4; f++) {
		load(fixtures[f], &fx[f]);
		for (i = 0; i < fx[f].n; i++) {
			memset(&pkt, 0, sizeof(pkt));
			assert_int_equal(pkt_parse(fx[f].ip[i], fx[f].len[i], &pkt), 0);
			if (payload_locate(&pkt, fx[f].ip[i], fx[f].len[i], &src[nsrc]) == 0 &&
			    src[nsrc].len <= sizeof(buf))
				nsrc++;
		}
	}
	assert_true(nsrc > 50);
	for (i = 0; i < N_MUTATIONS; i++) {
		m = src[rng() % nsrc];
		n = m.len;
		memcpy(buf, m.data, n);
		for (edits = 1 + rng() % 8; edits > 0; edits--) {
			at = rng() % n;
			switch (rng() % 4) {
			case 0:		/* a byte */
			case 1:
				buf[at] = nasty_byte();
				break;
			case 2:		/* a 16-bit length */
				if (at + 1 < n) {
					buf[at] = nasty_byte();
					buf[at + 1] = nasty_byte();
				}
				break;
			case 3:		/* cut short */
				n = at + 1;
				break;
			}
		}
		m.data = buf;
		m.len = n;
		for (j = 0; j < sizeof(modes) / sizeof(modes[0]); j++) {
			m.proto = modes[j].proto;
			m.dport = modes[j].port;
			m.sport = 40000;
			m.cut = rng() & 1;
			check_contract(&pl, decode_copy(&m, &pl));
			kinds[pl.kind]++;
		}
	}
	/* the mutations reached every decoder, not only the rejections */
	for (i = 0; i < 4; i++)
		assert_true(kinds[i] > 100);
	for (f = 0; f < 4; f++)
		unload(&fx[f]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_dig),
		cmocka_unit_test(test_golden_curl_tls),
		cmocka_unit_test(test_golden_curl_http),
		cmocka_unit_test(test_golden_crafted),
		cmocka_unit_test(test_dig_oracle),
		cmocka_unit_test(test_tshark_oracle_tls),
		cmocka_unit_test(test_tshark_oracle_http),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
