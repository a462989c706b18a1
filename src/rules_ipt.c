/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules_ipt: the iptables-restore input that installs and removes ptrap's
 * chain PTRAP_<queue> in the raw table, from the groups rules.c prepares.
 *
 * iptables matches one value per field and rule, so a group becomes one
 * rule per destination (and source, and source port), with the
 * destination ports in multiport matches.  Negations cannot be ANDed in
 * one rule either: a group with any gets a chain of its own,
 * PTRAP_<queue>_<k>, which the group's rules jump to; it RETURNs the
 * excluded values to PTRAP_<queue> (where later groups may still match)
 * and queues the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "rules.h"
#include "rules_int.h"

/* xt_multiport holds 15 port slots; a range "lo:hi" takes two of them. */
#define RULES_MULTIPORT_SLOTS	15

static bool has_negation(const struct filter_group *g)
{
	return g->saddr.n_neg || g->daddr.n_neg || g->sport.n_neg ||
	       g->dport.n_neg;
}

/* What one iptables rule of a group matches besides its ports. */
struct ipt_rule {
	const struct filter_group *g;
	const struct addr_prefix *s, *d;	/* NULL: any */
	const struct addr_port_range *sport;	/* NULL: any */
	unsigned int chain;	/* the group's own chain, 0: none */
};

static const char *l4_name(const struct filter_group *g)
{
	if (g->proto == FILTER_UDP)
		return "udp";
	if (g->proto == FILTER_TCP)
		return "tcp";
	return g->family == AF_INET6 ? "ipv6-icmp" : "icmp";
}

static void ipt_port(struct strbuf *rb, const struct addr_port_range *r)
{
	sb_printf(rb, "%u", r->lo);
	if (r->hi != r->lo)
		sb_printf(rb, ":%u", r->hi);
}

static void ipt_head(struct strbuf *rb, const struct rules_set *rs,
		     const struct ipt_rule *r)
{
	sb_printf(rb, "-A PTRAP_%u", rs->queue);
	if (r->s) {
		sb_printf(rb, " -s ");
		rules_prefix(rb, r->s);
	}
	if (r->d) {
		sb_printf(rb, " -d ");
		rules_prefix(rb, r->d);
	}
	sb_printf(rb, " -p %s", l4_name(r->g));
	if (rs->syn && r->g->proto == FILTER_TCP)
		sb_printf(rb, " --syn");
	if (r->sport) {
		sb_printf(rb, " --sport ");
		ipt_port(rb, r->sport);
	}
}

static void ipt_tail(struct strbuf *rb, const struct rules_set *rs,
		     const struct ipt_rule *r)
{
	if (r->chain)
		sb_printf(rb, " -j PTRAP_%u_%u\n", rs->queue, r->chain);
	else
		sb_printf(rb, " -j NFQUEUE --queue-num %u --queue-bypass\n",
			  rs->queue);
}

/* One rule, or several when the ports overflow one multiport match. */
static void ipt_l4(struct strbuf *rb, const struct rules_set *rs,
		   const struct ipt_rule *r)
{
	const struct filter_ports *dp = &r->g->dport;
	unsigned int i = 0, slots, need;

	if (dp->n_pos <= 1) {
		ipt_head(rb, rs, r);
		if (dp->n_pos == 1) {
			sb_printf(rb, " --dport ");
			ipt_port(rb, &dp->pos[0]);
		}
		ipt_tail(rb, rs, r);
		return;
	}
	while (i < dp->n_pos) {
		ipt_head(rb, rs, r);
		sb_printf(rb, " -m multiport --dports ");
		for (slots = 0; i < dp->n_pos; i++) {
			need = dp->pos[i].hi != dp->pos[i].lo ? 2 : 1;
			if (slots + need > RULES_MULTIPORT_SLOTS)
				break;
			if (slots > 0)
				sb_printf(rb, ",");
			ipt_port(rb, &dp->pos[i]);
			slots += need;
		}
		ipt_tail(rb, rs, r);
	}
}

static void ipt_icmp(struct strbuf *rb, const struct rules_set *rs,
		     const struct ipt_rule *r)
{
	const struct rules_icmp_type *types = rules_icmp4_types;
	size_t i, n = rules_n_icmp4_types;
	bool v6 = r->g->family == AF_INET6;

	if (v6) {
		types = rules_icmp6_types;
		n = rules_n_icmp6_types;
	}
	for (i = 0; i < n; i++) {
		ipt_head(rb, rs, r);
		sb_printf(rb, " --%s %s", v6 ? "icmpv6-type" : "icmp-type",
			  types[i].ipt);
		ipt_tail(rb, rs, r);
	}
}

/* The rules of group g for destination d (NULL: any), every source. */
static void ipt_group(struct strbuf *rb, const struct rules_set *rs,
		      const struct filter_group *g, const struct addr_prefix *d,
		      unsigned int chain)
{
	unsigned int ns = g->saddr.n_pos ? g->saddr.n_pos : 1;
	unsigned int np = g->sport.n_pos ? g->sport.n_pos : 1;
	struct ipt_rule r = { .g = g, .d = d, .chain = chain };
	unsigned int i, j;

	for (i = 0; i < ns; i++) {
		r.s = g->saddr.n_pos ? &g->saddr.pos[i] : NULL;
		for (j = 0; j < np; j++) {
			r.sport = g->sport.n_pos ? &g->sport.pos[j] : NULL;
			if (g->proto == FILTER_ICMP)
				ipt_icmp(rb, rs, &r);
			else
				ipt_l4(rb, rs, &r);
		}
	}
}

static bool group_has_dest(const struct filter_group *g,
			   const struct addr_prefix *d)
{
	unsigned int i;

	for (i = 0; i < g->daddr.n_pos; i++)
		if (addr_prefix_equal(&g->daddr.pos[i], d))
			return true;
	return false;
}

static bool addrs_neg_equal(const struct filter_addrs *a, const struct filter_addrs *b)
{
	unsigned int i;

	if (a->n_neg != b->n_neg)
		return false;
	for (i = 0; i < a->n_neg; i++)
		if (!addr_prefix_equal(&a->neg[i], &b->neg[i]))
			return false;
	return true;
}

static bool ports_neg_equal(const struct filter_ports *a, const struct filter_ports *b)
{
	return a->n_neg == b->n_neg &&
	       memcmp(a->neg, b->neg, a->n_neg * sizeof(a->neg[0])) == 0;
}

/* Whether g and h can share a chain: the same RETURN rules. */
static bool same_negations(const struct filter_group *g, const struct filter_group *h)
{
	bool ports = g->sport.n_neg || g->dport.n_neg;

	return addrs_neg_equal(&g->saddr, &h->saddr) &&
	       addrs_neg_equal(&g->daddr, &h->daddr) &&
	       ports_neg_equal(&g->sport, &h->sport) &&
	       ports_neg_equal(&g->dport, &h->dport) &&
	       (!ports || g->proto == h->proto);
}

/*
 * The chain number of each group of the family that needs one (1, 2...;
 * groups with the same negations share one), 0 for the others; returns
 * how many chains there are.
 */
static unsigned int number_chains(const struct rules_set *rs, int family,
				  unsigned int chain[FILTER_MAX_GROUPS])
{
	const struct filter_rules *fr = rs->fr;
	unsigned int i, j, n = 0;

	for (i = 0; i < fr->n; i++) {
		chain[i] = 0;
		if (fr->g[i].family != family || !has_negation(&fr->g[i]))
			continue;
		for (j = 0; j < i; j++)
			if (chain[j] && same_negations(&fr->g[i], &fr->g[j]))
				break;
		chain[i] = j < i ? chain[j] : ++n;
	}
	return n;
}

/*
 * Destination by destination, as ptrap's rules always were: all groups'
 * rules for the first destination, then for the next one; groups that
 * match any destination last.
 */
static void ipt_rules(struct strbuf *rb, const struct rules_set *rs, int family,
		      const unsigned int chain[FILTER_MAX_GROUPS])
{
	const struct filter_rules *fr = rs->fr;
	unsigned int i, j, k, m;
	bool seen;

	for (i = 0; i < fr->n; i++) {
		if (fr->g[i].family != family)
			continue;
		for (j = 0; j < fr->g[i].daddr.n_pos; j++) {
			const struct addr_prefix *d = &fr->g[i].daddr.pos[j];

			seen = false;
			for (k = 0; k < i && !seen; k++)
				seen = fr->g[k].family == family &&
				       group_has_dest(&fr->g[k], d);
			for (m = 0; m < j && !seen; m++)
				seen = addr_prefix_equal(&fr->g[i].daddr.pos[m], d);
			if (seen)
				continue;
			for (k = i; k < fr->n; k++)
				if (fr->g[k].family == family &&
				    group_has_dest(&fr->g[k], d))
					ipt_group(rb, rs, &fr->g[k], d, chain[k]);
		}
	}
	for (i = 0; i < fr->n; i++)
		if (fr->g[i].family == family && fr->g[i].daddr.n_pos == 0)
			ipt_group(rb, rs, &fr->g[i], NULL, chain[i]);
}

/* A negated group's chain: RETURN what is excluded, queue the rest. */
static void ipt_chain(struct strbuf *rb, const struct rules_set *rs,
		      const struct filter_group *g, unsigned int k)
{
	const struct filter_addrs *addrs[2] = { &g->saddr, &g->daddr };
	const struct filter_ports *ports[2] = { &g->sport, &g->dport };
	unsigned int f, i;

	for (f = 0; f < 2; f++) {
		for (i = 0; i < addrs[f]->n_neg; i++) {
			sb_printf(rb, "-A PTRAP_%u_%u -%c ", rs->queue, k,
				  f ? 'd' : 's');
			rules_prefix(rb, &addrs[f]->neg[i]);
			sb_printf(rb, " -j RETURN\n");
		}
	}
	for (f = 0; f < 2; f++) {
		for (i = 0; i < ports[f]->n_neg; i++) {
			sb_printf(rb, "-A PTRAP_%u_%u -p %s --%s ", rs->queue, k,
				  l4_name(g), f ? "dport" : "sport");
			ipt_port(rb, &ports[f]->neg[i]);
			sb_printf(rb, " -j RETURN\n");
		}
	}
	sb_printf(rb, "-A PTRAP_%u_%u -j NFQUEUE --queue-num %u --queue-bypass\n",
		  rs->queue, k, rs->queue);
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

/*
 * The groups of cfg and the chain numbers of family's: 1, 0 when nothing
 * of the family is trapped, -1 with errno.  rules_release() after 1.
 */
static int ipt_prepare(const struct ptrap_config *cfg, int family,
		       struct rules_set *rs, unsigned int chain[FILTER_MAX_GROUPS],
		       unsigned int *n_chains)
{
	rs->fr = NULL;
	if (family != AF_INET && family != AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (rules_prepare(cfg, rs) < 0) {
		rules_release(rs);
		return -1;
	}
	if (rules_count_family(rs, family) == 0) {
		rules_release(rs);
		return 0;
	}
	*n_chains = number_chains(rs, family, chain);
	return 1;
}

static void ipt_install_text(struct strbuf *rb, const struct rules_set *rs,
			     int family, const unsigned int chain[FILTER_MAX_GROUPS],
			     unsigned int n_chains)
{
	unsigned int i, k;

	/*
	 * raw runs before conntrack and before the user's own rules; a
	 * reinjected packet only leaves the raw table, so mangle, nat and
	 * filter still see it.  The jump is appended: the user's raw OUTPUT
	 * rules keep running first.
	 */
	sb_printf(rb, "*raw\n:PTRAP_%u - [0:0]\n", rs->queue);
	for (i = 1; i <= n_chains; i++)
		sb_printf(rb, ":PTRAP_%u_%u - [0:0]\n", rs->queue, i);
	ipt_rules(rb, rs, family, chain);
	for (i = 0, k = 0; i < rs->fr->n; i++) {
		if (chain[i] > k) {	/* numbered in order: first use */
			k = chain[i];
			ipt_chain(rb, rs, &rs->fr->g[i], k);
		}
	}
	ipt_jumps(rb, rs, 'A');
	sb_printf(rb, "COMMIT\n");
}

static void ipt_remove_text(struct strbuf *rb, const struct rules_set *rs,
			    unsigned int n_chains)
{
	unsigned int i;

	/*
	 * The jumps go first and PTRAP_<queue> is flushed before the group
	 * chains go: a referenced chain cannot be deleted.
	 */
	sb_printf(rb, "*raw\n");
	ipt_jumps(rb, rs, 'D');
	sb_printf(rb, "-F PTRAP_%u\n", rs->queue);
	for (i = 1; i <= n_chains; i++)
		sb_printf(rb, "-F PTRAP_%u_%u\n-X PTRAP_%u_%u\n", rs->queue, i,
			  rs->queue, i);
	sb_printf(rb, "-X PTRAP_%u\nCOMMIT\n", rs->queue);
}

/* The install or the removal text of one family. */
static int ipt_text(const struct ptrap_config *cfg, int family, bool install,
		    char *buf, size_t len)
{
	unsigned int chain[FILTER_MAX_GROUPS], n_chains = 0;
	struct rules_set rs;
	struct strbuf rb;
	int ret;

	sb_init(&rb, buf, len);
	ret = ipt_prepare(cfg, family, &rs, chain, &n_chains);
	if (ret < 0)
		return -1;
	if (ret > 0) {
		if (install)
			ipt_install_text(&rb, &rs, family, chain, n_chains);
		else
			ipt_remove_text(&rb, &rs, n_chains);
		rules_release(&rs);
	}
	return sb_finish(&rb);
}

int rules_ipt_install(const struct ptrap_config *cfg, int family,
		      char *buf, size_t len)
{
	return ipt_text(cfg, family, true, buf, len);
}

int rules_ipt_remove(const struct ptrap_config *cfg, int family,
		     char *buf, size_t len)
{
	return ipt_text(cfg, family, false, buf, len);
}
