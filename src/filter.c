/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter: parse a pcap-filter-style expression into a tree.
 *
 * The grammar is tcpdump's, restricted to what ptrap's rules can match:
 *
 *   expr  := unary { ("and" | "&&" | "or" | "||") unary }
 *   unary := ("not" | "!") unary | "(" expr ")" | prim
 *   prim  := [proto] [dir] type VALUE | proto | [dir] VALUE | VALUE
 *   proto := ip | ip6 | udp | tcp | icmp | icmp6
 *   dir   := src | dst | src or dst | src and dst
 *   type  := host ADDR | net NET[/LEN] | net NET mask MASK | port N
 *          | portrange LO-HI
 *
 * As in pcap, "and" and "or" have the same precedence and group left to
 * right; a bare VALUE repeats the qualifiers of the primitive before it
 * ("host a or b"); with a direction but no type, VALUE is a host, or a
 * net if it has a "/LEN".  Only words made of letters, digits, '.', ':',
 * '/' and '-' are read, and only the numbers and addresses parsed from
 * them ever reach rule text, so no expression can inject into nft or
 * iptables input.  No name is looked up: addresses and ports are numeric.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"

#define FILTER_MAX_TOKENS	192
#define FILTER_MAX_DEPTH	32
#define FILTER_SHOW_MAX		40	/* longest word echoed in a message */

#define C_UDP4	(1u << FILTER_CLASS(0, FILTER_UDP))
#define C_TCP4	(1u << FILTER_CLASS(0, FILTER_TCP))
#define C_ICMP4	(1u << FILTER_CLASS(0, FILTER_ICMP))
#define C_UDP6	(1u << FILTER_CLASS(1, FILTER_UDP))
#define C_TCP6	(1u << FILTER_CLASS(1, FILTER_TCP))
#define C_ICMP6	(1u << FILTER_CLASS(1, FILTER_ICMP))
#define C_V4	(C_UDP4 | C_TCP4 | C_ICMP4)
#define C_V6	(C_UDP6 | C_TCP6 | C_ICMP6)
#define C_PORTS	(C_UDP4 | C_TCP4 | C_UDP6 | C_TCP6)

enum tok_type { T_END, T_WORD, T_LPAREN, T_RPAREN, T_NOT, T_AND, T_OR };

struct tok {
	enum tok_type type;
	const char *s;
	size_t len;
};

/* Protocol qualifiers, which are also primitives of their own. */
enum proto_word { P_NONE = -1, P_IP, P_IP6, P_UDP, P_TCP, P_ICMP, P_ICMP6 };

static const struct {
	const char *word;
	uint8_t classes;
} proto_words[] = {
	[P_IP] = { "ip", C_V4 },
	[P_IP6] = { "ip6", C_V6 },
	[P_UDP] = { "udp", C_UDP4 | C_UDP6 },
	[P_TCP] = { "tcp", C_TCP4 | C_TCP6 },
	[P_ICMP] = { "icmp", C_ICMP4 },
	[P_ICMP6] = { "icmp6", C_ICMP6 },
};

enum type_word { TY_NONE = -1, TY_HOST, TY_NET, TY_PORT, TY_PORTRANGE };
static const char *const type_words[] = { "host", "net", "port", "portrange" };

#define WHY_LINK	"link-layer matches cannot be expressed in ptrap's " \
			"rules, which see IP packets"
#define WHY_PROTO	"ptrap traps UDP, TCP and ICMP requests only"
#define WHY_RULES	"cannot be expressed in ptrap's firewall rules"

/* pcap-filter words ptrap knows but cannot honour, and why. */
static const struct {
	const char *word, *why;
} unsupported[] = {
	{ "inbound", "ptrap traps outbound packets only" },
	{ "outbound", "every packet ptrap traps is outbound: leave it out" },
	{ "ether", WHY_LINK }, { "arp", WHY_LINK }, { "rarp", WHY_LINK },
	{ "vlan", WHY_LINK }, { "mpls", WHY_LINK }, { "pppoed", WHY_LINK },
	{ "pppoes", WHY_LINK }, { "llc", WHY_LINK }, { "wlan", WHY_LINK },
	{ "link", WHY_LINK }, { "geneve", WHY_LINK }, { "stp", WHY_LINK },
	{ "ifname", WHY_LINK }, { "on", WHY_LINK },
	{ "sctp", WHY_PROTO }, { "igmp", WHY_PROTO }, { "pim", WHY_PROTO },
	{ "vrrp", WHY_PROTO }, { "carp", WHY_PROTO }, { "ah", WHY_PROTO },
	{ "esp", WHY_PROTO }, { "proto", WHY_PROTO },
	{ "protochain", WHY_PROTO }, { "decnet", WHY_PROTO },
	{ "atalk", WHY_PROTO }, { "ipx", WHY_PROTO }, { "iso", WHY_PROTO },
	{ "gateway", WHY_RULES }, { "broadcast", WHY_RULES },
	{ "multicast", WHY_RULES }, { "less", WHY_RULES },
	{ "greater", WHY_RULES }, { "len", WHY_RULES },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The qualifiers of one primitive, kept for a bare VALUE after it. */
struct quals {
	int proto;	/* enum proto_word */
	int dir;	/* enum filter_dir, -1: none */
	int type;	/* enum type_word */
};

struct parser {
	struct filter *f;
	struct tok toks[FILTER_MAX_TOKENS + 1];
	unsigned int n, pos, depth;
	struct quals last;
	bool have_last;
	char *err;
	size_t errlen;
};

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "filter expression: %s", msg);
	return -1;
}

/* A word as it is shown in messages: at most FILTER_SHOW_MAX bytes. */
#define SHOW(t)	(int)((t)->len > FILTER_SHOW_MAX ? FILTER_SHOW_MAX : (t)->len), \
		(t)->s, (t)->len > FILTER_SHOW_MAX ? "..." : ""

static bool word_is(const struct tok *t, const char *w)
{
	return t->type == T_WORD && t->len == strlen(w) &&
	       strncmp(t->s, w, t->len) == 0;
}

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == ':' || c == '/' ||
	       c == '-';
}

/* What a character outside the words means to a pcap user. */
static int bad_char(struct parser *p, char c)
{
	if (c == '[' || c == ']')
		return fail(p, "byte offsets such as 'tcp[13]' %s", WHY_RULES);
	if (c == '<' || c == '>' || c == '=')
		return fail(p, "comparisons such as 'len > 100' %s", WHY_RULES);
	if (c == '&' || c == '|')
		return fail(p, "'%c' alone: write 'and' ('&&') or 'or' ('||')", c);
	if (c > 0x20 && c < 0x7f)
		return fail(p, "unexpected character '%c'", c);
	return fail(p, "unexpected byte 0x%02x", (unsigned int)(unsigned char)c);
}

static int push(struct parser *p, enum tok_type type, const char *s, size_t len)
{
	if (p->n >= FILTER_MAX_TOKENS)
		return fail(p, "too long (more than %d words)", FILTER_MAX_TOKENS);
	p->toks[p->n++] = (struct tok){ .type = type, .s = s, .len = len };
	return 0;
}

/* Arguments are joined by blanks: a word never spans two of them. */
static int lex(struct parser *p, int argc, char *const *argv)
{
	const char *s;
	size_t n;
	int i;

	for (i = 0; i < argc; i++) {
		for (s = argv[i]; *s;) {
			if (*s == ' ' || *s == '\t' || *s == '\n') {
				s++;
			} else if (*s == '(' || *s == ')') {
				if (push(p, *s == '(' ? T_LPAREN : T_RPAREN, s, 1) < 0)
					return -1;
				s++;
			} else if (*s == '!') {
				if (push(p, T_NOT, s, 1) < 0)
					return -1;
				s++;
			} else if ((s[0] == '&' && s[1] == '&') ||
				   (s[0] == '|' && s[1] == '|')) {
				if (push(p, *s == '&' ? T_AND : T_OR, s, 2) < 0)
					return -1;
				s += 2;
			} else if (word_char(*s)) {
				for (n = 0; word_char(s[n]); n++)
					;
				if (push(p, T_WORD, s, n) < 0)
					return -1;
				s += n;
			} else {
				return bad_char(p, *s);
			}
		}
	}
	for (i = 0; (unsigned int)i < p->n; i++) {
		struct tok *t = &p->toks[i];

		if (word_is(t, "and"))
			t->type = T_AND;
		else if (word_is(t, "or"))
			t->type = T_OR;
		else if (word_is(t, "not"))
			t->type = T_NOT;
	}
	p->toks[p->n] = (struct tok){ .type = T_END, .s = "", .len = 0 };
	return 0;
}

static int new_node(struct parser *p, enum filter_op op, unsigned int a,
		    unsigned int b)
{
	struct filter_node *nd;

	if (p->f->n_nodes >= FILTER_MAX_NODES)
		return fail(p, "too long (more than %d terms)", FILTER_MAX_NODES);
	nd = &p->f->nodes[p->f->n_nodes];
	memset(nd, 0, sizeof(*nd));
	nd->op = (uint8_t)op;
	nd->a = (uint8_t)a;
	nd->b = (uint8_t)b;
	return (int)p->f->n_nodes++;
}

static int find_word(const struct tok *t, const char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (word_is(t, words[i]))
			return (int)i;
	return -1;
}

static int find_proto(const struct tok *t)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(proto_words); i++)
		if (word_is(t, proto_words[i].word))
			return (int)i;
	return P_NONE;
}

static bool is_keyword(const struct tok *t)
{
	return find_proto(t) != P_NONE ||
	       find_word(t, type_words, ARRAY_SIZE(type_words)) >= 0 ||
	       word_is(t, "src") || word_is(t, "dst") || word_is(t, "mask");
}

static int check_supported(struct parser *p, const struct tok *t)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unsupported); i++)
		if (word_is(t, unsupported[i].word))
			return fail(p, "'%s': %s", unsupported[i].word,
				    unsupported[i].why);
	return 0;
}

/* The word as a C string, or -1 if it cannot be a value at all. */
static int copy_word(struct parser *p, const struct tok *t, char *buf, size_t len)
{
	if (t->type == T_END)
		return fail(p, "incomplete, a value is missing at the end");
	if (t->type != T_WORD || is_keyword(t))
		return fail(p, "expected a value at '%.*s%s'", SHOW(t));
	if (t->len >= len)
		return fail(p, "value '%.*s%s' too long", SHOW(t));
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	return 0;
}

static bool has_letter(const char *s)
{
	for (; *s; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
			return true;
	return false;
}

static int parse_host(struct parser *p, const char *s, struct addr_prefix *a)
{
	if (strchr(s, '/'))
		return fail(p, "'host %s': a host has no /LEN (use net)", s);
	if (addr_parse_prefix(s, a) == 0)
		return 0;
	if (has_letter(s) && !strchr(s, ':'))
		return fail(p, "'%s': host names are not looked up, give an "
			    "address", s);
	return fail(p, "'%s' is not an IPv4 or IPv6 address", s);
}

/* "10", "10.1", "10.1.2": tcpdump's short IPv4 networks, /8 /16 /24. */
static int parse_dotted(const char *s, struct addr_prefix *a)
{
	char buf[INET_ADDRSTRLEN + 8];
	unsigned int dots = 0;
	const char *c;

	for (c = s; *c; c++) {
		if (*c == '.')
			dots++;
		else if (*c < '0' || *c > '9')
			return -1;
	}
	if (dots > 3 || strlen(s) > INET_ADDRSTRLEN)
		return -1;
	snprintf(buf, sizeof(buf), "%s%s", s,
		 dots == 0 ? ".0.0.0" : dots == 1 ? ".0.0" : dots == 2 ? ".0" : "");
	if (addr_parse_prefix(buf, a) < 0)
		return -1;
	a->len = (uint8_t)(8 * (dots + 1));
	return 0;
}

/* A contiguous IPv4 mask as a length, or -1. */
static int mask_len(const char *s)
{
	struct addr_prefix m;
	uint32_t v;
	int len = 0;

	if (addr_parse_prefix(s, &m) < 0 || m.ip.family != AF_INET ||
	    strchr(s, '/'))
		return -1;
	v = ntohl(m.ip.u.v4.s_addr);
	while (len < 32 && (v & 0x80000000u)) {
		v <<= 1;
		len++;
	}
	return v == 0 ? len : -1;
}

/* As tcpdump: bits set beyond the network are an error, not cleared. */
static int check_network(struct parser *p, const char *s,
			 const struct addr_prefix *a)
{
	struct addr_prefix m = *a;

	addr_prefix_mask(&m);
	if (!addr_ip_equal(&m.ip, &a->ip))
		return fail(p, "'%s': non-network bits set", s);
	return 0;
}

static int parse_net(struct parser *p, const char *s, const char *mask,
		     struct addr_prefix *a)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	int len;

	if (mask) {
		len = mask_len(mask);
		if (slash || parse_dotted(s, a) < 0 || len < 0)
			return fail(p, "'net %s mask %s': expected an IPv4 "
				    "network and a contiguous IPv4 mask", s, mask);
		a->len = (uint8_t)len;
		return check_network(p, s, a);
	}
	if (!slash) {
		if (parse_dotted(s, a) == 0 || addr_parse_prefix(s, a) == 0)
			return check_network(p, s, a);
		return fail(p, "'%s' is not an IPv4 or IPv6 network", s);
	}
	/* Parse the address at full length first, to see its host bits. */
	if ((size_t)(slash - s) >= sizeof(addr) ||
	    addr_parse_prefix(s, a) < 0)
		return fail(p, "'%s' is not an IPv4 or IPv6 network", s);
	len = a->len;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (addr_parse_prefix(addr, a) < 0)
		return fail(p, "'%s' is not an IPv4 or IPv6 network", s);
	a->len = (uint8_t)len;
	return check_network(p, s, a);
}

static int parse_ports(struct parser *p, const char *s, bool range,
		       struct addr_port_range *r)
{
	if (addr_parse_port_range(s, r) < 0 || (!range && strchr(s, '-'))) {
		if (has_letter(s))
			return fail(p, "'%s': port names are not looked up, "
				    "give a number", s);
		return fail(p, range ? "'%s' is not a port range LO-HI "
			    "within 1-65535" : "'%s' is not a port 1-65535", s);
	}
	if (range && !strchr(s, '-'))
		return fail(p, "'portrange %s': expected LO-HI", s);
	return 0;
}

/* VALUE (and "mask M") under the qualifiers q, into an atom node. */
static int value_atom(struct parser *p, const struct quals *q)
{
	struct filter_atom at = { .dir = (uint8_t)(q->dir < 0 ?
					   FILTER_SRC_OR_DST : q->dir) };
	const struct tok *t = &p->toks[p->pos];
	char val[64], mask[64];
	int type = q->type, node;

	if (copy_word(p, t, val, sizeof(val)) < 0)
		return -1;
	p->pos++;
	if (type == TY_NONE)
		type = strchr(val, '/') ? TY_NET : TY_HOST;
	if (type == TY_NET && word_is(&p->toks[p->pos], "mask")) {
		if (copy_word(p, &p->toks[p->pos + 1], mask, sizeof(mask)) < 0)
			return -1;
		p->pos += 2;
	} else {
		mask[0] = '\0';
	}
	if (type == TY_HOST || type == TY_NET) {
		if (q->proto != P_NONE && q->proto != P_IP && q->proto != P_IP6)
			return fail(p, "'%s %s': only ip or ip6 can qualify an "
				    "address; write '%s and %s %s'",
				    proto_words[q->proto].word, val,
				    proto_words[q->proto].word,
				    type_words[type], val);
		if ((type == TY_HOST ? parse_host(p, val, &at.addr) :
		     parse_net(p, val, mask[0] ? mask : NULL, &at.addr)) < 0)
			return -1;
		at.kind = FILTER_IS_ADDR;
		at.classes = at.addr.ip.family == AF_INET ? C_V4 : C_V6;
		if (q->proto != P_NONE &&
		    !(at.classes & proto_words[q->proto].classes))
			return fail(p, "'%s %s %s': not an %s address",
				    proto_words[q->proto].word, type_words[type],
				    val, q->proto == P_IP ? "IPv4" : "IPv6");
	} else {
		if (q->proto != P_NONE && q->proto != P_UDP && q->proto != P_TCP)
			return fail(p, "'%s %s': only udp or tcp can qualify "
				    "a port", proto_words[q->proto].word,
				    type_words[type]);
		if (parse_ports(p, val, type == TY_PORTRANGE, &at.ports) < 0)
			return -1;
		at.kind = FILTER_IS_PORT;
		at.classes = C_PORTS;
		if (q->proto != P_NONE)
			at.classes &= proto_words[q->proto].classes;
	}
	node = new_node(p, FILTER_ATOM, 0, 0);
	if (node < 0)
		return -1;
	p->f->nodes[node].atom = at;
	p->last = *q;
	p->last.type = type;
	p->have_last = true;
	return node;
}

/* "src", "dst", "src or dst", "src and dst" (either order). */
static int parse_dir(struct parser *p)
{
	const struct tok *t = &p->toks[p->pos];
	bool src = word_is(t, "src");
	const struct tok *op = t + 1, *other = t + 2;
	int dir = src ? FILTER_SRC : FILTER_DST;

	p->pos++;
	if ((op->type == T_AND || op->type == T_OR) &&
	    word_is(other, src ? "dst" : "src") &&
	    (other[1].type == T_WORD)) {
		dir = op->type == T_AND ? FILTER_SRC_AND_DST : FILTER_SRC_OR_DST;
		p->pos += 2;
	}
	return dir;
}

static int parse_prim(struct parser *p)
{
	struct quals q = { .proto = P_NONE, .dir = -1, .type = TY_NONE };
	const struct tok *t = &p->toks[p->pos];
	int node;

	if (t->type == T_END)
		return fail(p, "incomplete, a primitive is missing at the end");
	if (t->type != T_WORD)
		return fail(p, "'%.*s%s' where a primitive was expected",
			    SHOW(t));
	if (check_supported(p, t) < 0)
		return -1;
	q.proto = find_proto(t);
	if (q.proto != P_NONE) {
		p->pos++;
		t = &p->toks[p->pos];
		if (check_supported(p, t) < 0)	/* "ip proto 17" */
			return -1;
		if (!word_is(t, "src") && !word_is(t, "dst") &&
		    find_word(t, type_words, ARRAY_SIZE(type_words)) < 0) {
			node = new_node(p, FILTER_ATOM, 0, 0);
			if (node < 0)
				return -1;
			p->f->nodes[node].atom.kind = FILTER_IS_CLASS;
			p->f->nodes[node].atom.classes =
				proto_words[q.proto].classes;
			return node;
		}
	}
	if (word_is(t, "src") || word_is(t, "dst")) {
		q.dir = parse_dir(p);
		t = &p->toks[p->pos];
	}
	q.type = find_word(t, type_words, ARRAY_SIZE(type_words));
	if (q.type != TY_NONE)
		p->pos++;
	if (q.proto == P_NONE && q.dir < 0 && q.type == TY_NONE) {
		if (!p->have_last || is_keyword(t))
			return fail(p, "'%.*s%s': expected a primitive such as "
				    "'udp', 'host ADDR' or 'port N'", SHOW(t));
		q = p->last;	/* "host a or b" */
	}
	if (q.type == TY_NONE && (q.proto == P_UDP || q.proto == P_TCP ||
				  q.proto == P_ICMP || q.proto == P_ICMP6) &&
	    q.dir >= 0)
		return fail(p, "'%s %s' needs a type: host, net, port or "
			    "portrange", proto_words[q.proto].word,
			    q.dir == FILTER_SRC ? "src" : "dst");
	return value_atom(p, &q);
}

static int parse_expr(struct parser *p);

static int parse_unary(struct parser *p)
{
	const struct tok *t = &p->toks[p->pos];
	int node, inner;

	if (++p->depth > FILTER_MAX_DEPTH)
		return fail(p, "nested too deeply (more than %d levels)",
			    FILTER_MAX_DEPTH);
	if (t->type == T_NOT) {
		p->pos++;
		inner = parse_unary(p);
		node = inner < 0 ? -1 : new_node(p, FILTER_NOT, (unsigned int)inner, 0);
	} else if (t->type == T_LPAREN) {
		p->pos++;
		node = parse_expr(p);
		if (node >= 0 && p->toks[p->pos].type != T_RPAREN)
			node = fail(p, "missing ')'");
		else if (node >= 0)
			p->pos++;
	} else {
		node = parse_prim(p);
	}
	p->depth--;
	return node;
}

static int parse_expr(struct parser *p)
{
	int left = parse_unary(p), right;
	enum tok_type op;

	while (left >= 0 && (p->toks[p->pos].type == T_AND ||
			     p->toks[p->pos].type == T_OR)) {
		op = p->toks[p->pos].type;
		p->pos++;
		right = parse_unary(p);
		if (right < 0)
			return -1;
		left = new_node(p, op == T_AND ? FILTER_AND : FILTER_OR,
				(unsigned int)left, (unsigned int)right);
	}
	return left;
}

int filter_parse(struct filter *f, int argc, char *const *argv,
		 char *err, size_t errlen)
{
	static struct parser zero;
	struct parser p = zero;
	int root;

	memset(f, 0, sizeof(*f));
	p.f = f;
	p.err = err;
	p.errlen = errlen;
	if (lex(&p, argc, argv) < 0)
		goto fail;
	if (p.n == 0) {
		fail(&p, "empty");
		goto fail;
	}
	root = parse_expr(&p);
	if (root < 0)
		goto fail;
	if (p.toks[p.pos].type != T_END) {
		const struct tok *t = &p.toks[p.pos];

		if (t->type == T_RPAREN)
			fail(&p, "unbalanced ')'");
		else if (check_supported(&p, t) < 0)
			;	/* "vlan 7 and ...": said why */
		else
			fail(&p, "'%.*s%s' after a complete expression: join "
			     "with 'and' or 'or'", SHOW(t));
		goto fail;
	}
	f->root = (unsigned int)root;
	return 0;
fail:
	memset(f, 0, sizeof(*f));
	return -1;
}
