/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for filter: expressions in, one line per rule group (or the
 * one-line error) out.  A group is written "v4 udp saddr=A daddr=B,C!=D
 * sport=53 dport!=1-1023", fields without a condition left out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"

#define DUMP_MAX	8192
#define WORDS_MAX	256

static void put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < len - *pos);
	*pos += (size_t)n;
}

static void dump_addrs(char *b, size_t len, size_t *pos, const char *name,
		       const struct filter_addrs *a)
{
	char s[ADDR_STR_MAX];
	unsigned int i;

	if (a->n_pos + a->n_neg == 0)
		return;
	put(b, len, pos, " %s", name);
	for (i = 0; i < a->n_pos; i++)
		put(b, len, pos, "%s%s", i ? "," : "=",
		    addr_prefix_str(&a->pos[i], s, sizeof(s)));
	for (i = 0; i < a->n_neg; i++)
		put(b, len, pos, "%s%s", i ? "," : "!=",
		    addr_prefix_str(&a->neg[i], s, sizeof(s)));
}

static void dump_range(char *b, size_t len, size_t *pos,
		       const struct addr_port_range *r)
{
	put(b, len, pos, "%u", r->lo);
	if (r->hi != r->lo)
		put(b, len, pos, "-%u", r->hi);
}

static void dump_ports(char *b, size_t len, size_t *pos, const char *name,
		       const struct filter_ports *p)
{
	unsigned int i;

	if (p->n_pos + p->n_neg == 0)
		return;
	put(b, len, pos, " %s", name);
	for (i = 0; i < p->n_pos; i++) {
		put(b, len, pos, "%s", i ? "," : "=");
		dump_range(b, len, pos, &p->pos[i]);
	}
	for (i = 0; i < p->n_neg; i++) {
		put(b, len, pos, "%s", i ? "," : "!=");
		dump_range(b, len, pos, &p->neg[i]);
	}
}

static const char *const proto_names[] = { "udp", "tcp", "icmp" };

static void dump(const struct filter_rules *r, char *b, size_t len)
{
	size_t pos = 0;
	unsigned int i;

	b[0] = '\0';
	for (i = 0; i < r->n; i++) {
		const struct filter_group *g = &r->g[i];

		put(b, len, &pos, "%s%s %s", i ? "\n" : "",
		    g->family == AF_INET ? "v4" : "v6", proto_names[g->proto]);
		dump_addrs(b, len, &pos, "saddr", &g->saddr);
		dump_addrs(b, len, &pos, "daddr", &g->daddr);
		dump_ports(b, len, &pos, "sport", &g->sport);
		dump_ports(b, len, &pos, "dport", &g->dport);
	}
}

/* Split text on blanks into words (kept in a static buffer). */
static int split(const char *text, char **words)
{
	static char buf[4096];
	char *save = NULL, *w;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (w = strtok_r(buf, " ", &save); w && n < WORDS_MAX;
	     w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	return n;
}

static const struct filter_scope all = { .udp = true, .tcp = true, .icmp = true };

/* 0 with the groups in out, or -1 with the message in err. */
static int compile(const char *text, const struct filter_scope *scope,
		   char *out, char *err)
{
	static struct filter f;
	struct filter_rules *r = malloc(sizeof(*r));
	char *words[WORDS_MAX];
	int n = split(text, words), ret = -1;

	assert_non_null(r);
	err[0] = out[0] = '\0';
	if (filter_parse(&f, n, words, err, 256) == 0 &&
	    filter_compile(&f, scope, r, err, 256) == 0) {
		dump(r, out, DUMP_MAX);
		ret = 0;
	}
	free(r);
	return ret;
}

struct good_case {
	const char *expr, *groups;
};

static const struct good_case good[] = {
	{ "udp and dst port 53 and dst host 192.0.2.53",
	  "v4 udp daddr=192.0.2.53 dport=53" },
	/* port: either direction, UDP and TCP, both families */
	{ "port 53",
	  "v4 udp sport=53\nv4 udp dport=53\nv4 tcp sport=53\nv4 tcp dport=53\n"
	  "v6 udp sport=53\nv6 udp dport=53\nv6 tcp sport=53\nv6 tcp dport=53" },
	/* not (s or d) = not s and not d; ICMP has no port, so it matches */
	{ "not port 53",
	  "v4 udp sport!=53 dport!=53\nv4 tcp sport!=53 dport!=53\nv4 icmp\n"
	  "v6 udp sport!=53 dport!=53\nv6 tcp sport!=53 dport!=53\nv6 icmp" },
	{ "src and dst host 127.0.0.1",
	  "v4 udp saddr=127.0.0.1 daddr=127.0.0.1\n"
	  "v4 tcp saddr=127.0.0.1 daddr=127.0.0.1\n"
	  "v4 icmp saddr=127.0.0.1 daddr=127.0.0.1" },
	{ "not src and dst host 127.0.0.1 and udp",
	  "v4 udp saddr!=127.0.0.1\nv4 udp daddr!=127.0.0.1\nv6 udp" },
	/* pcap: "and" and "or" bind alike, left to right */
	{ "icmp or udp and dst port 53",
	  "v4 udp dport=53\nv6 udp dport=53" },
	{ "icmp or (udp and dst port 53)",
	  "v4 udp dport=53\nv4 icmp\nv6 udp dport=53" },
	/* a bare value repeats the qualifiers before it */
	{ "dst host 192.0.2.53 or 198.51.100.7 and tcp",
	  "v4 tcp daddr=192.0.2.53\nv4 tcp daddr=198.51.100.7" },
	{ "tcp dst port 80 or 443",
	  "v4 tcp dport=80\nv4 tcp dport=443\nv6 tcp dport=80\nv6 tcp dport=443" },
	{ "udp and not dst port 53 and not 853",
	  "v4 udp dport!=53,853\nv6 udp dport!=53,853" },
	/* a host alone is a host, with /LEN a net; ! && || as words */
	{ "dst 192.0.2.53 && !udp", "v4 tcp daddr=192.0.2.53\nv4 icmp daddr=192.0.2.53" },
	{ "dst 2001:db8::/32 || dst 192.0.2.0/24 and icmp6",
	  "v6 icmp daddr=2001:db8::/32" },
	/* tcpdump's short and masked networks */
	{ "dst net 10 and udp", "v4 udp daddr=10.0.0.0/8" },
	{ "dst net 192.0.2 and udp", "v4 udp daddr=192.0.2.0/24" },
	{ "dst net 192.0.2.0 mask 255.255.255.128 and udp",
	  "v4 udp daddr=192.0.2.0/25" },
	/* intersections: the inner network stays, disjoint ones vanish */
	{ "dst net 192.0.2.0/24 and dst host 192.0.2.7 and udp",
	  "v4 udp daddr=192.0.2.7" },
	{ "(dst host 192.0.2.1 or dst host 192.0.2.2) and dst host 192.0.2.2 and udp",
	  "v4 udp daddr=192.0.2.2" },
	{ "dst portrange 1-1023 and dst portrange 500-2000 and tcp",
	  "v4 tcp dport=500-1023\nv6 tcp dport=500-1023" },
	/* negations: merged, inside the positives, or the group is gone */
	{ "udp and dst portrange 1-100 and not dst portrange 50-60 and not dst port 61",
	  "v4 udp dport=1-100!=50-61\nv6 udp dport=1-100!=50-61" },
	{ "udp and dst host 192.0.2.1 and not dst net 192.0.2.0/24", NULL },
	{ "udp and dst net 192.0.2.0/24 and not dst host 198.51.100.1",
	  "v4 udp daddr=192.0.2.0/24" },
	{ "udp and dst net 192.0.2.0/24 and not dst net 192.0.2.0/25 and "
	  "not dst host 192.0.2.1",
	  "v4 udp daddr=192.0.2.0/24!=192.0.2.0/25" },
	/* subsumption: "udp port 53" adds nothing to "port 53" */
	{ "port 53 or udp port 53",
	  "v4 udp sport=53\nv4 udp dport=53\nv4 tcp sport=53\nv4 tcp dport=53\n"
	  "v6 udp sport=53\nv6 udp dport=53\nv6 tcp sport=53\nv6 tcp dport=53" },
	{ "ip6 and not (tcp or udp)", "v6 icmp" },
	{ "not not ip and icmp", "v4 icmp" },
	{ "(((udp)))", "v4 udp\nv6 udp" },
};

static void test_good(void **state)
{
	char out[DUMP_MAX], err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int ret = compile(good[i].expr, &all, out, err);

		print_message("good[%zu] %s\n", i, good[i].expr);
		if (good[i].groups == NULL) {
			assert_int_equal(ret, -1);
			assert_non_null(strstr(err, "matches no packet"));
			continue;
		}
		if (ret != 0)
			fail_msg("%s: %s", good[i].expr, err);
		assert_string_equal(out, good[i].groups);
	}
}

/* What the options select is ANDed in: -u/-t/--icmp, -i and -p. */
static void test_scope(void **state)
{
	struct addr_prefix d[3];
	struct addr_port_range p[2] = { { 53, 53 }, { 1000, 2000 } };
	struct filter_scope s = { .udp = true, .tcp = true };
	char out[DUMP_MAX], err[256];

	(void)state;
	assert_int_equal(addr_parse_prefix("192.0.2.0/24", &d[0]), 0);
	assert_int_equal(addr_parse_prefix("2001:db8::/32", &d[1]), 0);
	assert_int_equal(addr_parse_prefix("198.51.100.7", &d[2]), 0);
	s.dests = d;
	s.n_dests = 3;
	s.ports = p;
	s.n_ports = 2;
	assert_int_equal(compile("not dst host 192.0.2.53 and not tcp", &s, out, err), 0);
	assert_string_equal(out, "v4 udp daddr=192.0.2.0/24,198.51.100.7!=192.0.2.53"
			    " dport=53,1000-2000\nv6 udp daddr=2001:db8::/32"
			    " dport=53,1000-2000");
	/* -i 192.0.2.0/24 and "dst host 192.0.2.9": the host */
	assert_int_equal(compile("dst host 192.0.2.9 and dst portrange 1500-3000",
				 &s, out, err), 0);
	assert_string_equal(out, "v4 udp daddr=192.0.2.9 dport=1500-2000\n"
			    "v4 tcp daddr=192.0.2.9 dport=1500-2000");
	/* ICMP: -p does not apply, -i does */
	s.icmp = true;
	assert_int_equal(compile("icmp", &s, out, err), 0);
	assert_string_equal(out, "v4 icmp daddr=192.0.2.0/24,198.51.100.7");
	/* nothing in common with the options */
	assert_int_equal(compile("dst host 203.0.113.1", &s, out, err), -1);
	assert_string_equal(err, "filter expression: no packet matches both it "
			    "and the options (-u, -t, --icmp, -i, -p)");
	s.icmp = false;
	s.tcp = false;
	assert_int_equal(compile("tcp", &s, out, err), -1);
	/* the empty expression: the options alone, one group per class */
	{
		struct filter_rules *r = malloc(sizeof(*r));
		struct filter f;

		assert_non_null(r);
		memset(&f, 0, sizeof(f));
		s.tcp = true;
		assert_int_equal(filter_compile(&f, &s, r, err, sizeof(err)), 0);
		dump(r, out, sizeof(out));
		assert_string_equal(out, "v4 udp daddr=192.0.2.0/24,198.51.100.7 "
				    "dport=53,1000-2000\nv4 tcp daddr=192.0.2.0/24,"
				    "198.51.100.7 dport=53,1000-2000\nv6 udp "
				    "daddr=2001:db8::/32 dport=53,1000-2000\nv6 tcp "
				    "daddr=2001:db8::/32 dport=53,1000-2000");
		free(r);
	}
}

struct bad_case {
	const char *expr, *msg;	/* msg: a substring of the message */
};

static const struct bad_case bad[] = {
	/* what could reach nft or iptables as syntax never gets in */
	{ "udp; flush ruleset", "unexpected character ';'" },
	{ "port 53 }", "unexpected character '}'" },
	{ "udp { accept", "unexpected character '{'" },
	{ "host \"192.0.2.1\"", "unexpected character '\"'" },
	{ "host '192.0.2.1'", "unexpected character '''" },
	{ "udp\nflush ruleset", "'flush'" },
	{ "udp # comment", "unexpected character '#'" },
	{ "$(reboot)", "unexpected character '$'" },
	{ "udp `x`", "unexpected character '`'" },
	{ "udp\x01", "unexpected byte 0x01" },
	{ "udp\xff", "unexpected byte 0xff" },
	{ "udp,tcp", "unexpected character ','" },
	/* syntax */
	{ "udp and", "a primitive is missing at the end" },
	{ "and udp", "'and' where a primitive was expected" },
	{ "()", "')' where a primitive was expected" },
	{ "(udp", "missing ')'" },
	{ "udp)", "unbalanced ')'" },
	{ "udp tcp", "'tcp' after a complete expression" },
	{ "not", "missing at the end" },
	{ "host", "a value is missing at the end" },
	{ "host port", "expected a value at 'port'" },
	{ "53", "'53': expected a primitive" },
	{ "udp or 53", "'53': expected a primitive" },
	{ "src", "a value is missing" },
	{ "foo", "'foo': expected a primitive" },
	{ "udp & tcp", "'&' alone" },
	{ "udp | tcp", "'|' alone" },
	/* values */
	{ "host 192.0.2.0/24", "a host has no /LEN" },
	{ "host example.test", "host names are not looked up" },
	{ "host 300.1.1.1", "not an IPv4 or IPv6 address" },
	{ "net 192.0.2.1/24", "non-network bits set" },
	{ "net 192.0.2.0 mask 255.0.255.0", "contiguous IPv4 mask" },
	{ "net 2001:db8:: mask 255.255.0.0", "IPv4 network" },
	{ "net 192.0.2.0 mask", "a value is missing" },
	{ "net 192.0.2.x", "not an IPv4 or IPv6 network" },
	{ "port 0", "'0' is not a port 1-65535" },
	{ "port 65536", "not a port" },
	{ "port 1-5", "not a port" },
	{ "port domain", "port names are not looked up" },
	{ "portrange 5-3", "not a port range" },
	{ "portrange 53", "expected LO-HI" },
	/* qualifiers */
	{ "ip6 host 192.0.2.1", "'ip6 host 192.0.2.1': not an IPv6 address" },
	{ "ip host 2001:db8::1", "not an IPv4 address" },
	{ "udp host 192.0.2.1", "only ip or ip6 can qualify an address" },
	{ "ip port 53", "only udp or tcp can qualify a port" },
	{ "icmp dst port 53", "only udp or tcp" },
	{ "udp src 53", "needs a type" },
	/* outside what rules can match, or outside ptrap's scope */
	{ "inbound", "outbound packets only" },
	{ "outbound and udp", "leave it out" },
	{ "ether host 00:11:22:33:44:55", "link-layer" },
	{ "arp", "link-layer" },
	{ "vlan 7", "link-layer" },
	{ "sctp", "UDP, TCP and ICMP requests only" },
	{ "ip proto 17", "UDP, TCP and ICMP requests only" },
	{ "tcp[13] = 2", "byte offsets" },
	{ "icmp[icmptype] == icmp-echo", "byte offsets" },
	{ "len > 100", "comparisons" },
	{ "greater 100", "cannot be expressed" },
	{ "broadcast", "cannot be expressed" },
	{ "gateway 192.0.2.1", "cannot be expressed" },
	/* nothing can match */
	{ "udp and tcp", "matches no packet ptrap can trap" },
	{ "icmp and port 53", "matches no packet" },
	{ "ip and ip6", "matches no packet" },
	{ "dst host 192.0.2.1 and dst host 192.0.2.2", "matches no packet" },
	{ "udp and not udp", "matches no packet" },
	{ "", "empty" },
};

static void test_bad(void **state)
{
	char out[DUMP_MAX], err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("bad[%zu] %s\n", i, bad[i].expr);
		assert_int_equal(compile(bad[i].expr, &all, out, err), -1);
		if (strncmp(err, "filter expression: ", 19) != 0 ||
		    strstr(err, bad[i].msg) == NULL)
			fail_msg("'%s' lacks '%s'", err, bad[i].msg);
		assert_null(strchr(err, '\n'));
	}
}

/* Arguments are joined by blanks; "(" and ")" need none around them. */
static void test_words(void **state)
{
	static char *a[] = { "udp", "and", "dst", "port", "53" };
	static char *b[] = { "udp and dst port 53" };
	static char *c[] = { "udp and(dst", "port 53)" };
	static char *d[] = { "udp", "and\tdst\nport", "53" };
	struct filter_rules *r = malloc(sizeof(*r));
	char want[DUMP_MAX], got[DUMP_MAX], err[256];
	struct filter f;

	(void)state;
	assert_non_null(r);
	assert_int_equal(filter_parse(&f, 5, a, err, sizeof(err)), 0);
	assert_int_equal(filter_compile(&f, &all, r, err, sizeof(err)), 0);
	dump(r, want, sizeof(want));
	assert_string_equal(want, "v4 udp dport=53\nv6 udp dport=53");
	assert_int_equal(filter_parse(&f, 1, b, err, sizeof(err)), 0);
	assert_int_equal(filter_compile(&f, &all, r, err, sizeof(err)), 0);
	dump(r, got, sizeof(got));
	assert_string_equal(got, want);
	assert_int_equal(filter_parse(&f, 2, c, err, sizeof(err)), 0);
	assert_int_equal(filter_compile(&f, &all, r, err, sizeof(err)), 0);
	dump(r, got, sizeof(got));
	assert_string_equal(got, want);
	assert_int_equal(filter_parse(&f, 3, d, err, sizeof(err)), 0);
	assert_int_equal(filter_compile(&f, &all, r, err, sizeof(err)), 0);
	dump(r, got, sizeof(got));
	assert_string_equal(got, want);
	/* a word is never split across arguments */
	{
		static char *e[] = { "dst", "port", "5", "3" };

		assert_int_equal(filter_parse(&f, 4, e, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "'3' after a complete expression"));
	}
	free(r);
}

/* Bounds: each one a clear error, not a slow firewall or a crash. */
static void test_limits(void **state)
{
	static char text[16384];
	char out[DUMP_MAX], err[256];
	size_t pos = 0;
	int i;

	(void)state;
	/* 8 ports x 5 hosts x both directions: 160 alternatives per class */
	pos += (size_t)sprintf(text + pos, "udp and (port 1");
	for (i = 2; i <= 8; i++)
		pos += (size_t)sprintf(text + pos, " or %d", i);
	pos += (size_t)sprintf(text + pos, ") and (host 192.0.2.1");
	for (i = 2; i <= 5; i++)
		pos += (size_t)sprintf(text + pos, " or 192.0.2.%d", i);
	sprintf(text + pos, ")");
	assert_int_equal(compile(text, &all, out, err), -1);
	assert_string_equal(err, "filter expression: needs more than 64 rules; "
			    "simplify it");
	/* the same without the source side fits: 8 x 5 = 40 */
	pos = (size_t)sprintf(text, "udp and (dst port 1");
	for (i = 2; i <= 8; i++)
		pos += (size_t)sprintf(text + pos, " or %d", i);
	pos += (size_t)sprintf(text + pos, ") and (dst host 192.0.2.1");
	for (i = 2; i <= 5; i++)
		pos += (size_t)sprintf(text + pos, " or 192.0.2.%d", i);
	sprintf(text + pos, ")");
	assert_int_equal(compile(text, &all, out, err), 0);
	/* 17 ports excluded: more than FILTER_MAX_NEG */
	pos = (size_t)sprintf(text, "udp");
	for (i = 0; i < 17; i++)
		pos += (size_t)sprintf(text + pos, " and not dst port %d", 100 + 2 * i);
	assert_int_equal(compile(text, &all, out, err), -1);
	assert_non_null(strstr(err, "more than 16 negated values"));
	/* 16 are fine, and adjacent ones merge */
	pos = (size_t)sprintf(text, "udp");
	for (i = 0; i < 16; i++)
		pos += (size_t)sprintf(text + pos, " and not dst port %d", 100 + i);
	assert_int_equal(compile(text, &all, out, err), 0);
	assert_string_equal(out, "v4 udp dport!=100-115\nv6 udp dport!=100-115");
	/* too many terms, too deep */
	pos = (size_t)sprintf(text, "udp");
	for (i = 0; i < 60; i++)
		pos += (size_t)sprintf(text + pos, " and not tcp");
	assert_int_equal(compile(text, &all, out, err), -1);
	assert_non_null(strstr(err, "too long"));
	pos = 0;
	for (i = 0; i < 40; i++)
		pos += (size_t)sprintf(text + pos, "(");
	pos += (size_t)sprintf(text + pos, "udp");
	for (i = 0; i < 40; i++)
		pos += (size_t)sprintf(text + pos, ")");
	assert_int_equal(compile(text, &all, out, err), -1);
	assert_non_null(strstr(err, "nested too deeply"));
	/* a long word is cut in the message */
	memset(text, '1', 300);
	text[300] = '\0';
	assert_int_equal(compile(text, &all, out, err), -1);
	assert_true(strlen(err) < 160);
	assert_non_null(strstr(err, "...'"));
}

/* A tree filter_parse could not have made is refused, not walked. */
static void test_invalid_tree(void **state)
{
	struct filter_rules *r = malloc(sizeof(*r));
	struct filter f;
	char err[256];

	(void)state;
	assert_non_null(r);
	memset(&f, 0, sizeof(f));
	f.n_nodes = 2;
	f.root = 1;
	f.nodes[1].op = FILTER_NOT;
	f.nodes[1].a = 1;	/* itself: would recurse for ever */
	assert_int_equal(filter_compile(&f, &all, r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid"));
	f.nodes[1].a = 0;
	f.nodes[1].op = 9;
	assert_int_equal(filter_compile(&f, &all, r, err, sizeof(err)), -1);
	f.n_nodes = FILTER_MAX_NODES + 1;
	assert_int_equal(filter_compile(&f, &all, r, err, sizeof(err)), -1);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_invalid_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
