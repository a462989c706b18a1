/*
 * rules: the firewall rule text ptrap installs and removes; this file
 * prepares the configuration and writes the nft script, rules_ipt.c the
 * iptables-restore input.
 *
 * Everything here is a pure function of the configuration, so the text can
 * be golden-tested byte for byte.  Destinations and ports are normalised
 * first (covered prefixes dropped, port ranges sorted and merged): the
 * result does not depend on how redundantly the user spelled them, and
 * iptables' multiport needs fewer rules.  filter_compile() then turns the
 * options and the filter expression into rule groups (see filter_dnf.c);
 * without an expression that is one group per family and protocol, the
 * rules ptrap always had.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rules.h"
#include "rules_int.h"

/*
 * ICMP requests a local program can send and wait on for an answer.
 * Information and address mask requests are deprecated (RFC 6918) but
 * still sendable from a raw socket, and a program sending them is worth
 * naming.  Neighbour discovery, router solicitation, MLD and the ICMPv6
 * node information query are left alone: the kernel sends the first three
 * (no socket owns them, and delaying them would stall the network), the
 * last is experimental.  iptables has no name for the information request.
 */
const struct rules_icmp_type rules_icmp4_types[] = {
	{ "echo-request", "echo-request" },
	{ "timestamp-request", "timestamp-request" },
	{ "info-request", "15" },
	{ "address-mask-request", "address-mask-request" },
};
const size_t rules_n_icmp4_types = ARRAY_SIZE(rules_icmp4_types);
const struct rules_icmp_type rules_icmp6_types[] = {
	{ "echo-request", "echo-request" },
};
const size_t rules_n_icmp6_types = ARRAY_SIZE(rules_icmp6_types);

static unsigned int family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/*
 * Keep each destination unless another one contains it; of identical ones
 * the first stays.  The user's order is kept otherwise.
 */
static int norm_dests(const struct ptrap_config *cfg, struct rules_set *rs)
{
	struct addr_prefix in[CLI_MAX_DESTS];
	unsigned int i, j;
	bool dropped;

	for (i = 0; i < cfg->n_dests; i++) {
		in[i] = cfg->dests[i];
		if (in[i].ip.family != AF_INET && in[i].ip.family != AF_INET6)
			return -1;
		if (in[i].len > family_bits(in[i].ip.family))
			return -1;
		addr_prefix_mask(&in[i]);
	}
	rs->n_dests = 0;
	for (i = 0; i < cfg->n_dests; i++) {
		dropped = false;
		for (j = 0; j < cfg->n_dests && !dropped; j++) {
			if (j == i || !addr_prefix_covers(&in[j], &in[i]))
				continue;
			dropped = in[j].len < in[i].len || j < i;
		}
		if (!dropped)
			rs->dests[rs->n_dests++] = in[i];
	}
	return 0;
}

/* Sort by lower bound and merge ranges that overlap or touch. */
static int norm_ports(const struct ptrap_config *cfg, struct rules_set *rs)
{
	struct addr_port_range in[CLI_MAX_PORTS], t;
	unsigned int i, j, n = 0;

	for (i = 0; i < cfg->n_ports; i++) {
		t = cfg->ports[i];
		if (t.lo == 0 || t.lo > t.hi)
			return -1;
		for (j = i; j > 0 && in[j - 1].lo > t.lo; j--)
			in[j] = in[j - 1];
		in[j] = t;
	}
	for (i = 0; i < cfg->n_ports; i++) {
		/* unsigned int arithmetic: hi + 1 cannot wrap at 65535 */
		if (n > 0 && in[i].lo <= rs->ports[n - 1].hi + 1u) {
			if (in[i].hi > rs->ports[n - 1].hi)
				rs->ports[n - 1].hi = in[i].hi;
			continue;
		}
		rs->ports[n++] = in[i];
	}
	rs->n_ports = n;
	return 0;
}

/*
 * Interface names go into the rule text unquoted for iptables and quoted
 * for nft, where '*' is a wildcard; iptables reads a trailing '+' as one.
 * Only names that mean themselves in both are accepted.
 */
static bool iface_plain(const char *name)
{
	size_t i, n = strnlen(name, IF_NAMESIZE);

	if (n == 0 || n >= IF_NAMESIZE)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			return false;
	}
	return true;
}

/* Sorted and unique, so the text does not depend on the user's order. */
static int norm_ifaces(const struct ptrap_config *cfg, struct rules_set *rs)
{
	unsigned int i, j, n = 0;
	int cmp = 1;

	for (i = 0; i < cfg->n_out_ifaces; i++) {
		if (!iface_plain(cfg->out_ifaces[i]))
			return -1;
		for (j = n; j > 0; j--) {
			cmp = strcmp(rs->ifaces[j - 1], cfg->out_ifaces[i]);
			if (cmp <= 0)
				break;
		}
		if (j > 0 && cmp == 0)
			continue;
		memmove(rs->ifaces[j + 1], rs->ifaces[j],
			(n - j) * sizeof(rs->ifaces[0]));
		memcpy(rs->ifaces[j], cfg->out_ifaces[i],
		       strnlen(cfg->out_ifaces[i], IF_NAMESIZE - 1) + 1);
		n++;
	}
	rs->n_ifaces = n;
	return 0;
}

static int norm_uids(const struct ptrap_config *cfg, struct rules_set *rs)
{
	unsigned int i, j, n = 0;
	uid_t u;

	for (i = 0; i < cfg->n_uids; i++) {
		u = cfg->uids[i];
		/* (uid_t)-1 is "no uid" to the kernel */
		if (u == (uid_t)-1)
			return -1;
		for (j = n; j > 0 && rs->uids[j - 1] > u; j--)
			;
		if (j > 0 && rs->uids[j - 1] == u)
			continue;
		memmove(&rs->uids[j + 1], &rs->uids[j],
			(n - j) * sizeof(rs->uids[0]));
		rs->uids[j] = u;
		n++;
	}
	rs->n_uids = n;
	return 0;
}

/* The groups of the options and the expression, with normalised sets. */
static int compile(const struct ptrap_config *cfg, struct rules_set *rs)
{
	struct filter_scope scope;

	cli_filter_scope(cfg, &scope);
	scope.dests = rs->dests;
	scope.n_dests = rs->n_dests;
	scope.ports = rs->ports;
	scope.n_ports = rs->n_ports;
	rs->fr = malloc(sizeof(*rs->fr));
	if (!rs->fr) {
		errno = ENOMEM;
		return -1;
	}
	if (filter_compile(&cfg->filter, &scope, rs->fr, NULL, 0) < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int rules_prepare(const struct ptrap_config *cfg, struct rules_set *rs)
{
	struct filter_scope scope;

	rs->fr = NULL;
	if (!cfg)
		goto invalid;
	cli_filter_scope(cfg, &scope);
	/* Without an expression ptrap traps only what -i names. */
	if (cfg->n_dests > CLI_MAX_DESTS ||
	    (cfg->n_dests == 0 && cfg->filter.n_nodes == 0) ||
	    cfg->n_ports > CLI_MAX_PORTS || cfg->queue_num > RULES_QUEUE_MAX ||
	    cfg->n_out_ifaces > CLI_MAX_IFACES || cfg->n_uids > CLI_MAX_UIDS ||
	    (cfg->connect_only && !scope.tcp))
		goto invalid;
	if (norm_dests(cfg, rs) < 0 || norm_ports(cfg, rs) < 0 ||
	    norm_ifaces(cfg, rs) < 0 || norm_uids(cfg, rs) < 0)
		goto invalid;
	rs->syn = cfg->connect_only;
	rs->queue = cfg->queue_num;
	return compile(cfg, rs);
invalid:
	errno = EINVAL;
	return -1;
}

void rules_release(struct rules_set *rs)
{
	free(rs->fr);
	rs->fr = NULL;
}

unsigned int rules_count_family(const struct rules_set *rs, int family)
{
	unsigned int i, n = 0;

	for (i = 0; i < rs->fr->n; i++)
		if (rs->fr->g[i].family == family)
			n++;
	return n;
}

void rules_prefix(struct strbuf *rb, const struct addr_prefix *p)
{
	char s[ADDR_STR_MAX];

	if (!addr_prefix_str(p, s, sizeof(s))) {
		/* cannot happen for a validated prefix */
		rb->full = true;
		return;
	}
	sb_printf(rb, "%s", s);
}

void rules_nft_table_name(unsigned int queue_num, char *buf, size_t len)
{
	if (buf && len > 0)
		snprintf(buf, len, "ptrap_%u", queue_num);
}

void rules_ipt_chain_name(unsigned int queue_num, char *buf, size_t len)
{
	if (buf && len > 0)
		snprintf(buf, len, "PTRAP_%u", queue_num);
}

/* --- nftables --- */

/* A rule's matches are items separated by one blank. */
static void item(struct strbuf *rb, bool *first)
{
	if (!*first)
		sb_char(rb, ' ');
	*first = false;
}

/* nft wants braces only around more than one element: "{ a, b }". */
static void nft_addr_set(struct strbuf *rb, const struct addr_prefix *v,
			 unsigned int n)
{
	unsigned int i;

	if (n > 1)
		sb_printf(rb, "{ ");
	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_printf(rb, ", ");
		rules_prefix(rb, &v[i]);
	}
	if (n > 1)
		sb_printf(rb, " }");
}

static void nft_port_set(struct strbuf *rb, const struct addr_port_range *v,
			 unsigned int n)
{
	unsigned int i;

	sb_printf(rb, "%s", n > 1 ? "{ " : "");
	for (i = 0; i < n; i++) {
		sb_printf(rb, "%s%u", i ? ", " : "", v[i].lo);
		if (v[i].hi != v[i].lo)
			sb_printf(rb, "-%u", v[i].hi);
	}
	if (n > 1)
		sb_printf(rb, " }");
}

/* One field of a group as nft matches it: values, then exclusions. */
struct nft_field {
	const char *what;	/* "ip daddr", "udp sport" */
	unsigned int n[2];	/* [0] values, [1] exclusions */
	const struct addr_prefix *addr[2];	/* addresses, or NULL */
	const struct addr_port_range *port[2];	/* else ports */
};

static struct nft_field addr_field(const char *what, const struct filter_addrs *a)
{
	return (struct nft_field){ .what = what, .n = { a->n_pos, a->n_neg },
				   .addr = { a->pos, a->neg } };
}

static struct nft_field port_field(const char *what, const struct filter_ports *p)
{
	return (struct nft_field){ .what = what, .n = { p->n_pos, p->n_neg },
				   .port = { p->pos, p->neg } };
}

/* "ip daddr SET" and "ip daddr != SET"; false if neither applies. */
static bool nft_match(struct strbuf *rb, bool *first, const struct nft_field *f)
{
	unsigned int neg;

	for (neg = 0; neg < 2; neg++) {
		if (f->n[neg] == 0)
			continue;
		item(rb, first);
		sb_printf(rb, "%s %s", f->what, neg ? "!= " : "");
		if (f->addr[neg])
			nft_addr_set(rb, f->addr[neg], f->n[neg]);
		else
			nft_port_set(rb, f->port[neg], f->n[neg]);
	}
	return f->n[0] + f->n[1] > 0;
}

/*
 * The same and-mask as iptables' --syn (SYN set; ACK, RST and FIN clear),
 * so both backends trap the same segments: one per connection attempt.
 */
#define RULES_NFT_SYN	"tcp flags & (fin | syn | rst | ack) == syn"

/* oifname and skuid: first, as a set when there are several. */
static void nft_owner(struct strbuf *rb, bool *first, const struct rules_set *rs)
{
	unsigned int i;

	if (rs->n_ifaces > 0) {
		item(rb, first);
		sb_printf(rb, "oifname %s", rs->n_ifaces > 1 ? "{ " : "");
		for (i = 0; i < rs->n_ifaces; i++)
			sb_printf(rb, "%s\"%s\"", i ? ", " : "", rs->ifaces[i]);
		sb_printf(rb, "%s", rs->n_ifaces > 1 ? " }" : "");
	}
	if (rs->n_uids > 0) {
		item(rb, first);
		sb_printf(rb, "meta skuid %s", rs->n_uids > 1 ? "{ " : "");
		for (i = 0; i < rs->n_uids; i++)
			sb_printf(rb, "%s%u", i ? ", " : "",
				  (unsigned int)rs->uids[i]);
		sb_printf(rb, "%s", rs->n_uids > 1 ? " }" : "");
	}
}

static void nft_icmp(struct strbuf *rb, bool *first, int family)
{
	const struct rules_icmp_type *types = rules_icmp4_types;
	size_t i, n = rules_n_icmp4_types;

	if (family == AF_INET6) {
		types = rules_icmp6_types;
		n = rules_n_icmp6_types;
	}
	item(rb, first);
	sb_printf(rb, "%s type %s", family == AF_INET ? "icmp" : "icmpv6",
		  n > 1 ? "{ " : "");
	for (i = 0; i < n; i++)
		sb_printf(rb, "%s%s", i ? ", " : "", types[i].nft);
	if (n > 1)
		sb_printf(rb, " }");
}

static bool ports_equal(const struct filter_ports *a, const struct filter_ports *b)
{
	return a->n_pos == b->n_pos && a->n_neg == b->n_neg &&
	       memcmp(a->pos, b->pos, a->n_pos * sizeof(a->pos[0])) == 0 &&
	       memcmp(a->neg, b->neg, a->n_neg * sizeof(a->neg[0])) == 0;
}

/*
 * A UDP or TCP group without addresses whose twin of the other family
 * exists: one inet rule serves both ("udp dport 53" alone).  v6 tells
 * whether g is the second of the two, which is then left out.
 */
static bool nft_twin(const struct filter_rules *fr, const struct filter_group *g,
		     bool *second)
{
	unsigned int i;

	if (g->proto == FILTER_ICMP || g->saddr.n_pos || g->saddr.n_neg ||
	    g->daddr.n_pos || g->daddr.n_neg)
		return false;
	for (i = 0; i < fr->n; i++) {
		const struct filter_group *h = &fr->g[i];

		if (h == g || h->family == g->family || h->proto != g->proto ||
		    h->saddr.n_pos || h->saddr.n_neg || h->daddr.n_pos ||
		    h->daddr.n_neg || !ports_equal(&h->sport, &g->sport) ||
		    !ports_equal(&h->dport, &g->dport))
			continue;
		*second = h < g;
		return true;
	}
	return false;
}

static void nft_rule(struct strbuf *rb, const struct rules_set *rs,
		     const struct filter_group *g)
{
	const char *proto = g->proto == FILTER_UDP ? "udp" : "tcp";
	bool syn = rs->syn && g->proto == FILTER_TCP;
	bool first = true, addrs, ports, twin, second = false;
	struct nft_field f;

	twin = nft_twin(rs->fr, g, &second);
	if (twin && second)
		return;
	sb_printf(rb, "\t\t");
	nft_owner(rb, &first, rs);
	f = addr_field(g->family == AF_INET ? "ip saddr" : "ip6 saddr", &g->saddr);
	addrs = nft_match(rb, &first, &f);
	f = addr_field(g->family == AF_INET ? "ip daddr" : "ip6 daddr", &g->daddr);
	addrs |= nft_match(rb, &first, &f);
	if (g->proto == FILTER_ICMP) {
		nft_icmp(rb, &first, g->family);
	} else {
		/* an inet chain sees both families */
		if (!addrs && !twin) {
			item(rb, &first);
			sb_printf(rb, "meta nfproto %s",
				  g->family == AF_INET ? "ipv4" : "ipv6");
		}
		f = port_field(g->proto == FILTER_UDP ? "udp sport" : "tcp sport",
			       &g->sport);
		ports = nft_match(rb, &first, &f);
		f = port_field(g->proto == FILTER_UDP ? "udp dport" : "tcp dport",
			       &g->dport);
		ports |= nft_match(rb, &first, &f);
		/* a tcp flags match implies the protocol */
		if (!ports && !syn) {
			item(rb, &first);
			sb_printf(rb, "meta l4proto %s", proto);
		}
		if (syn) {
			item(rb, &first);
			sb_printf(rb, RULES_NFT_SYN);
		}
	}
	/* bypass: with nobody bound to the queue, accept instead of drop. */
	item(rb, &first);
	sb_printf(rb, "counter queue num %u bypass\n", rs->queue);
}

int rules_nft_install(const struct ptrap_config *cfg, char *buf, size_t len)
{
	struct rules_set rs;
	struct strbuf rb;
	unsigned int i;

	sb_init(&rb, buf, len);
	if (rules_prepare(cfg, &rs) < 0) {
		rules_release(&rs);
		return -1;
	}
	/*
	 * One declaration is one transaction.  "flags owner" ties the table
	 * to the netlink socket that creates it: the kernel deletes it when
	 * ptrap exits, however it exits.  Priority raw runs before conntrack.
	 */
	sb_printf(&rb, "table inet ptrap_%u {\n"
		  "\tflags owner\n"
		  "\tchain output {\n"
		  "\t\ttype filter hook output priority raw; policy accept;\n",
		  rs.queue);
	for (i = 0; i < rs.fr->n; i++)
		nft_rule(&rb, &rs, &rs.fr->g[i]);
	sb_printf(&rb, "\t}\n}\n");
	rules_release(&rs);
	return sb_finish(&rb);
}

int rules_nft_remove(const struct ptrap_config *cfg, char *buf, size_t len)
{
	struct strbuf rb;

	sb_init(&rb, buf, len);
	if (!cfg || cfg->queue_num > RULES_QUEUE_MAX) {
		errno = EINVAL;
		return -1;
	}
	sb_printf(&rb, "delete table inet ptrap_%u\n", cfg->queue_num);
	return sb_finish(&rb);
}
