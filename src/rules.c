/*
 * rules: the firewall rule text ptrap installs and removes.
 *
 * Everything here is a pure function of the configuration, so the text can
 * be golden-tested byte for byte.  Destinations and ports are normalised
 * first (covered prefixes dropped, port ranges sorted and merged): the
 * result does not depend on how redundantly the user spelled them, and
 * iptables' multiport needs fewer rules.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>

#include "rules.h"
#include "strbuf.h"

#define RULES_QUEUE_MAX		65535
/* xt_multiport holds 15 port slots; a range "lo:hi" takes two of them. */
#define RULES_MULTIPORT_SLOTS	15

/*
 * ICMP requests a local program can send and wait on for an answer.
 * Information and address mask requests are deprecated (RFC 6918) but
 * still sendable from a raw socket, and a program sending them is worth
 * naming.  Neighbour discovery, router solicitation, MLD and the ICMPv6
 * node information query are left alone: the kernel sends the first three
 * (no socket owns them, and delaying them would stall the network), the
 * last is experimental.  iptables has no name for the information request.
 */
struct rules_icmp_type {
	const char *nft, *ipt;
};

static const struct rules_icmp_type rules_icmp4_types[] = {
	{ "echo-request", "echo-request" },
	{ "timestamp-request", "timestamp-request" },
	{ "info-request", "15" },
	{ "address-mask-request", "address-mask-request" },
};
static const struct rules_icmp_type rules_icmp6_types[] = {
	{ "echo-request", "echo-request" },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The configuration reduced to what the rules need, validated. */
struct rules_set {
	struct addr_prefix dests[CLI_MAX_DESTS];
	unsigned int n_dests;
	struct addr_port_range ports[CLI_MAX_PORTS];
	unsigned int n_ports;
	char ifaces[CLI_MAX_IFACES][IF_NAMESIZE];	/* sorted, unique */
	unsigned int n_ifaces;
	uid_t uids[CLI_MAX_UIDS];			/* sorted, unique */
	unsigned int n_uids;
	bool syn;		/* -c: TCP rules match SYN without ACK only */
	unsigned int queue;
};

static unsigned int family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* Zero the host bits, so equal networks compare equal byte for byte. */
static void prefix_mask(struct addr_prefix *p)
{
	unsigned int bytes = family_bits(p->ip.family) / 8;
	unsigned int i, keep;

	for (i = 0; i < bytes; i++) {
		keep = p->len > i * 8 ? p->len - i * 8 : 0;
		if (keep < 8)
			p->ip.u.bytes[i] &= (uint8_t)(0xff00 >> keep);
	}
}

/* Does network a contain network b?  Both are masked. */
static bool prefix_covers(const struct addr_prefix *a,
			  const struct addr_prefix *b)
{
	struct addr_prefix t;

	if (a->ip.family != b->ip.family || a->len > b->len)
		return false;
	t = *b;
	t.len = a->len;
	prefix_mask(&t);
	return memcmp(t.ip.u.bytes, a->ip.u.bytes,
		      family_bits(a->ip.family) / 8) == 0;
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
		prefix_mask(&in[i]);
	}
	rs->n_dests = 0;
	for (i = 0; i < cfg->n_dests; i++) {
		dropped = false;
		for (j = 0; j < cfg->n_dests && !dropped; j++) {
			if (j == i || !prefix_covers(&in[j], &in[i]))
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

static int rules_prepare(const struct ptrap_config *cfg, struct rules_set *rs)
{
	if (!cfg || cfg->n_dests > CLI_MAX_DESTS ||
	    cfg->n_ports > CLI_MAX_PORTS || cfg->queue_num > RULES_QUEUE_MAX ||
	    cfg->n_out_ifaces > CLI_MAX_IFACES || cfg->n_uids > CLI_MAX_UIDS ||
	    (cfg->connect_only && !cfg->tcp))
		goto invalid;
	if (norm_dests(cfg, rs) < 0 || norm_ports(cfg, rs) < 0 ||
	    norm_ifaces(cfg, rs) < 0 || norm_uids(cfg, rs) < 0)
		goto invalid;
	rs->syn = cfg->connect_only;
	rs->queue = cfg->queue_num;
	return 0;
invalid:
	errno = EINVAL;
	return -1;
}

static unsigned int count_family(const struct rules_set *rs, int family)
{
	unsigned int i, n = 0;

	for (i = 0; i < rs->n_dests; i++)
		if (rs->dests[i].ip.family == family)
			n++;
	return n;
}

static void rb_prefix(struct strbuf *rb, const struct addr_prefix *p)
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

/* nft wants braces only around more than one element; "{ a, b }". */
static void nft_dest_set(struct strbuf *rb, const struct rules_set *rs,
			 int family)
{
	unsigned int i, n = count_family(rs, family), k = 0;

	if (n > 1)
		sb_printf(rb, "{ ");
	for (i = 0; i < rs->n_dests; i++) {
		if (rs->dests[i].ip.family != family)
			continue;
		if (k++ > 0)
			sb_printf(rb, ", ");
		rb_prefix(rb, &rs->dests[i]);
	}
	if (n > 1)
		sb_printf(rb, " }");
}

/*
 * The same and-mask as iptables' --syn (SYN set; ACK, RST and FIN clear),
 * so both backends trap the same segments: one per connection attempt.
 */
#define RULES_NFT_SYN	" tcp flags & (fin | syn | rst | ack) == syn"

static void nft_l4(struct strbuf *rb, const struct rules_set *rs,
		   const char *proto)
{
	bool syn = rs->syn && strcmp(proto, "tcp") == 0;
	unsigned int i;

	if (rs->n_ports == 0) {
		/* a tcp flags match implies the protocol */
		if (syn)
			sb_printf(rb, RULES_NFT_SYN);
		else
			sb_printf(rb, " meta l4proto %s", proto);
		return;
	}
	sb_printf(rb, " %s dport %s", proto, rs->n_ports > 1 ? "{ " : "");
	for (i = 0; i < rs->n_ports; i++) {
		sb_printf(rb, "%s%u", i ? ", " : "", rs->ports[i].lo);
		if (rs->ports[i].hi != rs->ports[i].lo)
			sb_printf(rb, "-%u", rs->ports[i].hi);
	}
	if (rs->n_ports > 1)
		sb_printf(rb, " }");
	if (syn)
		sb_printf(rb, RULES_NFT_SYN);
}

/* oifname and skuid: before the address, as a set when there are several. */
static void nft_owner(struct strbuf *rb, const struct rules_set *rs)
{
	unsigned int i;

	if (rs->n_ifaces > 0) {
		sb_printf(rb, "oifname %s", rs->n_ifaces > 1 ? "{ " : "");
		for (i = 0; i < rs->n_ifaces; i++)
			sb_printf(rb, "%s\"%s\"", i ? ", " : "", rs->ifaces[i]);
		sb_printf(rb, "%s ", rs->n_ifaces > 1 ? " }" : "");
	}
	if (rs->n_uids > 0) {
		sb_printf(rb, "meta skuid %s", rs->n_uids > 1 ? "{ " : "");
		for (i = 0; i < rs->n_uids; i++)
			sb_printf(rb, "%s%u", i ? ", " : "",
				  (unsigned int)rs->uids[i]);
		sb_printf(rb, "%s ", rs->n_uids > 1 ? " }" : "");
	}
}

static void nft_icmp(struct strbuf *rb, int family)
{
	const struct rules_icmp_type *types = rules_icmp4_types;
	size_t i, n = ARRAY_SIZE(rules_icmp4_types);

	if (family == AF_INET6) {
		types = rules_icmp6_types;
		n = ARRAY_SIZE(rules_icmp6_types);
	}
	sb_printf(rb, " %s type %s", family == AF_INET ? "icmp" : "icmpv6",
		  n > 1 ? "{ " : "");
	for (i = 0; i < n; i++)
		sb_printf(rb, "%s%s", i ? ", " : "", types[i].nft);
	if (n > 1)
		sb_printf(rb, " }");
}

enum rules_proto { RULES_UDP, RULES_TCP, RULES_ICMP };

static void nft_rule(struct strbuf *rb, const struct rules_set *rs,
		     int family, enum rules_proto proto)
{
	sb_printf(rb, "\t\t");
	nft_owner(rb, rs);
	sb_printf(rb, "%s daddr ", family == AF_INET ? "ip" : "ip6");
	nft_dest_set(rb, rs, family);
	if (proto == RULES_ICMP)
		nft_icmp(rb, family);
	else
		nft_l4(rb, rs, proto == RULES_UDP ? "udp" : "tcp");
	/* bypass: with nobody bound to the queue, accept instead of drop. */
	sb_printf(rb, " counter queue num %u bypass\n", rs->queue);
}

int rules_nft_install(const struct ptrap_config *cfg, char *buf, size_t len)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct rules_set rs;
	struct strbuf rb;
	size_t f;

	sb_init(&rb, buf, len);
	if (rules_prepare(cfg, &rs) < 0)
		return -1;
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
	for (f = 0; f < ARRAY_SIZE(families); f++) {
		if (count_family(&rs, families[f]) == 0)
			continue;
		if (cfg->udp)
			nft_rule(&rb, &rs, families[f], RULES_UDP);
		if (cfg->tcp)
			nft_rule(&rb, &rs, families[f], RULES_TCP);
		if (cfg->icmp)
			nft_rule(&rb, &rs, families[f], RULES_ICMP);
	}
	sb_printf(&rb, "\t}\n}\n");
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

/* --- iptables-restore --- */

static void ipt_head(struct strbuf *rb, const struct rules_set *rs,
		     const struct addr_prefix *p, const char *proto)
{
	sb_printf(rb, "-A PTRAP_%u -d ", rs->queue);
	rb_prefix(rb, p);
	sb_printf(rb, " -p %s", proto);
	if (rs->syn && strcmp(proto, "tcp") == 0)
		sb_printf(rb, " --syn");
}

static void ipt_tail(struct strbuf *rb, const struct rules_set *rs)
{
	sb_printf(rb, " -j NFQUEUE --queue-num %u --queue-bypass\n", rs->queue);
}

static void ipt_port(struct strbuf *rb, const struct addr_port_range *r)
{
	sb_printf(rb, "%u", r->lo);
	if (r->hi != r->lo)
		sb_printf(rb, ":%u", r->hi);
}

/* One rule, or several when the ports overflow one multiport match. */
static void ipt_l4(struct strbuf *rb, const struct rules_set *rs,
		   const struct addr_prefix *p, const char *proto)
{
	unsigned int i = 0, slots, need;

	if (rs->n_ports <= 1) {
		ipt_head(rb, rs, p, proto);
		if (rs->n_ports == 1) {
			sb_printf(rb, " --dport ");
			ipt_port(rb, &rs->ports[0]);
		}
		ipt_tail(rb, rs);
		return;
	}
	while (i < rs->n_ports) {
		ipt_head(rb, rs, p, proto);
		sb_printf(rb, " -m multiport --dports ");
		for (slots = 0; i < rs->n_ports; i++) {
			need = rs->ports[i].hi != rs->ports[i].lo ? 2 : 1;
			if (slots + need > RULES_MULTIPORT_SLOTS)
				break;
			if (slots > 0)
				sb_printf(rb, ",");
			ipt_port(rb, &rs->ports[i]);
			slots += need;
		}
		ipt_tail(rb, rs);
	}
}

static void ipt_icmp(struct strbuf *rb, const struct rules_set *rs,
		     const struct addr_prefix *p)
{
	const struct rules_icmp_type *types = rules_icmp4_types;
	size_t i, n = ARRAY_SIZE(rules_icmp4_types);
	bool v6 = p->ip.family == AF_INET6;

	if (v6) {
		types = rules_icmp6_types;
		n = ARRAY_SIZE(rules_icmp6_types);
	}
	for (i = 0; i < n; i++) {
		ipt_head(rb, rs, p, v6 ? "ipv6-icmp" : "icmp");
		sb_printf(rb, " --%s %s", v6 ? "icmpv6-type" : "icmp-type",
			  types[i].ipt);
		ipt_tail(rb, rs);
	}
}

/*
 * -o and --uid guard the jumps from OUTPUT, one per interface and uid
 * pair: the chain's rules stay one per destination, and a packet takes at
 * most one jump (it has one interface and one owner).  op is 'A' or 'D'.
 */
static void ipt_jumps(struct strbuf *rb, const struct rules_set *rs, char op)
{
	unsigned int i, j, ni = rs->n_ifaces ? rs->n_ifaces : 1;
	unsigned int nu = rs->n_uids ? rs->n_uids : 1;

	for (i = 0; i < ni; i++) {
		for (j = 0; j < nu; j++) {
			sb_printf(rb, "-%c OUTPUT", op);
			if (rs->n_ifaces)
				sb_printf(rb, " -o %s", rs->ifaces[i]);
			if (rs->n_uids)
				sb_printf(rb, " -m owner --uid-owner %u",
					  (unsigned int)rs->uids[j]);
			sb_printf(rb, " -j PTRAP_%u\n", rs->queue);
		}
	}
}

static int ipt_prepare(const struct ptrap_config *cfg, int family,
		       struct rules_set *rs)
{
	if (family != AF_INET && family != AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	return rules_prepare(cfg, rs);
}

int rules_ipt_install(const struct ptrap_config *cfg, int family,
		      char *buf, size_t len)
{
	const struct addr_prefix *p;
	struct rules_set rs;
	struct strbuf rb;
	unsigned int i;

	sb_init(&rb, buf, len);
	if (ipt_prepare(cfg, family, &rs) < 0)
		return -1;
	if (count_family(&rs, family) == 0)
		return sb_finish(&rb);
	/*
	 * raw runs before conntrack and before the user's own rules; a
	 * reinjected packet only leaves the raw table, so mangle, nat and
	 * filter still see it.  The jump is appended: the user's raw OUTPUT
	 * rules keep running first.
	 */
	sb_printf(&rb, "*raw\n:PTRAP_%u - [0:0]\n", rs.queue);
	for (i = 0; i < rs.n_dests; i++) {
		p = &rs.dests[i];
		if (p->ip.family != family)
			continue;
		if (cfg->udp)
			ipt_l4(&rb, &rs, p, "udp");
		if (cfg->tcp)
			ipt_l4(&rb, &rs, p, "tcp");
		if (cfg->icmp)
			ipt_icmp(&rb, &rs, p);
	}
	ipt_jumps(&rb, &rs, 'A');
	sb_printf(&rb, "COMMIT\n");
	return sb_finish(&rb);
}

int rules_ipt_remove(const struct ptrap_config *cfg, int family,
		     char *buf, size_t len)
{
	struct rules_set rs;
	struct strbuf rb;

	sb_init(&rb, buf, len);
	if (ipt_prepare(cfg, family, &rs) < 0)
		return -1;
	if (count_family(&rs, family) == 0)
		return sb_finish(&rb);
	/* The jumps go first: a referenced chain cannot be deleted. */
	sb_printf(&rb, "*raw\n");
	ipt_jumps(&rb, &rs, 'D');
	sb_printf(&rb, "-F PTRAP_%u\n-X PTRAP_%u\nCOMMIT\n", rs.queue,
		  rs.queue);
	return sb_finish(&rb);
}
