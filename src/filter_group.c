/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter_group: one conjunction of literals, ANDed with what the options
 * select, as one rule group.  Per field the positive literals intersect
 * (a network with one inside it leaves the inner one; disjoint ones leave
 * nothing, and the conjunction is dropped), the negated ones are merged,
 * drop the values they cover, and vanish where they exclude nothing the
 * positive ones allow.
 */
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"
#include "filter_int.h"

/* field AND x; false when nothing is left. */
static bool addrs_and(struct filter_addrs *fa, bool *any,
		      const struct addr_prefix *x)
{
	unsigned int i, j, k = 0;

	if (*any) {
		fa->pos[0] = *x;
		fa->n_pos = 1;
		*any = false;
		return true;
	}
	for (i = 0; i < fa->n_pos; i++) {
		if (addr_prefix_covers(x, &fa->pos[i])) {
			fa->pos[k++] = fa->pos[i];
		} else if (addr_prefix_covers(&fa->pos[i], x)) {
			for (j = 0; j < k && !addr_prefix_covers(&fa->pos[j], x); j++)
				;
			if (j == k)
				fa->pos[k++] = *x;
		}
	}
	fa->n_pos = k;
	return k > 0;
}

static bool ports_and(struct filter_ports *fp, bool *any,
		      const struct addr_port_range *x)
{
	unsigned int i, k = 0;
	struct addr_port_range r;

	if (*any) {
		fp->pos[0] = *x;
		fp->n_pos = 1;
		*any = false;
		return true;
	}
	for (i = 0; i < fp->n_pos; i++) {
		r.lo = fp->pos[i].lo > x->lo ? fp->pos[i].lo : x->lo;
		r.hi = fp->pos[i].hi < x->hi ? fp->pos[i].hi : x->hi;
		if (r.lo <= r.hi)
			fp->pos[k++] = r;
	}
	fp->n_pos = k;
	return k > 0;
}

/*
 * Negations covered by another go; values a negation covers go; and with
 * a positive set, negations outside it go.  0: nothing can match.
 */
static int addrs_finish(struct filter_addrs *fa, bool any)
{
	unsigned int i, j, k;

	for (i = 0, k = 0; i < fa->n_neg; i++) {
		for (j = 0; j < fa->n_neg; j++)
			if (j != i && addr_prefix_covers(&fa->neg[j], &fa->neg[i]) &&
			    (fa->neg[j].len < fa->neg[i].len || j < i))
				break;
		if (j == fa->n_neg)
			fa->neg[k++] = fa->neg[i];
	}
	fa->n_neg = k;
	for (i = 0, k = 0; i < fa->n_pos; i++) {
		for (j = 0; j < fa->n_neg; j++)
			if (addr_prefix_covers(&fa->neg[j], &fa->pos[i]))
				break;
		if (j == fa->n_neg)
			fa->pos[k++] = fa->pos[i];
	}
	fa->n_pos = k;
	if (any)
		return 1;
	if (fa->n_pos == 0)
		return 0;
	for (i = 0, k = 0; i < fa->n_neg; i++) {
		for (j = 0; j < fa->n_pos; j++)
			if (addr_prefix_covers(&fa->pos[j], &fa->neg[i]))
				break;
		if (j < fa->n_pos)
			fa->neg[k++] = fa->neg[i];
	}
	fa->n_neg = k;
	return 1;
}

/* As addrs_finish; negated ranges are also sorted and merged. */
static int ports_finish(struct filter_ports *fp, bool any)
{
	struct addr_port_range t;
	unsigned int i, j, k;

	for (i = 1; i < fp->n_neg; i++) {
		t = fp->neg[i];
		for (j = i; j > 0 && fp->neg[j - 1].lo > t.lo; j--)
			fp->neg[j] = fp->neg[j - 1];
		fp->neg[j] = t;
	}
	for (i = 0, k = 0; i < fp->n_neg; i++) {
		/* unsigned int arithmetic: hi + 1 cannot wrap at 65535 */
		if (k > 0 && fp->neg[i].lo <= fp->neg[k - 1].hi + 1u) {
			if (fp->neg[i].hi > fp->neg[k - 1].hi)
				fp->neg[k - 1].hi = fp->neg[i].hi;
			continue;
		}
		fp->neg[k++] = fp->neg[i];
	}
	fp->n_neg = k;
	for (i = 0, k = 0; i < fp->n_pos; i++) {
		for (j = 0; j < fp->n_neg; j++)
			if (fp->neg[j].lo <= fp->pos[i].lo &&
			    fp->pos[i].hi <= fp->neg[j].hi)
				break;
		if (j == fp->n_neg)
			fp->pos[k++] = fp->pos[i];
	}
	fp->n_pos = k;
	if (any)
		return 1;
	if (fp->n_pos == 0)
		return 0;
	for (i = 0, k = 0; i < fp->n_neg; i++) {
		for (j = 0; j < fp->n_pos; j++)
			if (fp->neg[i].lo <= fp->pos[j].hi &&
			    fp->pos[j].lo <= fp->neg[i].hi)
				break;
		if (j < fp->n_pos)
			fp->neg[k++] = fp->neg[i];
	}
	fp->n_neg = k;
	return 1;
}

int filter_group_build(const struct filter_lit *const *lits, unsigned int n,
		       unsigned int class, const struct filter_scope *s,
		       struct filter_group *g)
{
	bool any[4] = { true, true, true, true };
	bool ok = true;
	unsigned int i;

	memset(g, 0, sizeof(*g));
	g->family = class >= 3 ? AF_INET6 : AF_INET;
	g->proto = (enum filter_proto)(class % 3);
	if (s->n_dests > 0) {
		any[L_DADDR] = false;
		for (i = 0; i < s->n_dests; i++)
			if (s->dests[i].ip.family == g->family &&
			    g->daddr.n_pos < FILTER_MAX_ADDRS)
				g->daddr.pos[g->daddr.n_pos++] = s->dests[i];
	}
	if (s->n_ports > 0 && g->proto != FILTER_ICMP) {
		any[L_DPORT] = false;
		for (i = 0; i < s->n_ports && i < FILTER_MAX_PORTS; i++)
			g->dport.pos[g->dport.n_pos++] = s->ports[i];
	}
	for (i = 0; ok && i < n; i++) {
		const struct filter_lit *l = lits[i];
		struct filter_addrs *fa = l->field == L_SADDR ? &g->saddr : &g->daddr;
		struct filter_ports *fp = l->field == L_SPORT ? &g->sport : &g->dport;
		bool is_addr = l->field == L_SADDR || l->field == L_DADDR;

		if (!l->neg) {
			ok = is_addr ? addrs_and(fa, &any[l->field], &l->addr) :
				       ports_and(fp, &any[l->field], &l->ports);
		} else if (is_addr) {
			if (fa->n_neg >= FILTER_MAX_NEG)
				return -1;
			fa->neg[fa->n_neg++] = l->addr;
		} else {
			if (fp->n_neg >= FILTER_MAX_NEG)
				return -1;
			fp->neg[fp->n_neg++] = l->ports;
		}
	}
	if (!ok)
		return 0;
	return addrs_finish(&g->saddr, any[L_SADDR]) &&
	       addrs_finish(&g->daddr, any[L_DADDR]) &&
	       ports_finish(&g->sport, any[L_SPORT]) &&
	       ports_finish(&g->dport, any[L_DPORT]);
}
static bool addrs_equal(const struct addr_prefix *a, const struct addr_prefix *b,
			unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!addr_prefix_equal(&a[i], &b[i]))
			return false;
	return true;
}

static bool field_equal(const struct filter_addrs *a, const struct filter_addrs *b)
{
	return a->n_pos == b->n_pos && a->n_neg == b->n_neg &&
	       addrs_equal(a->pos, b->pos, a->n_pos) &&
	       addrs_equal(a->neg, b->neg, a->n_neg);
}

/* Port ranges have no padding: memcmp is exact. */
static bool ports_equal(const struct filter_ports *a, const struct filter_ports *b)
{
	return a->n_pos == b->n_pos && a->n_neg == b->n_neg &&
	       memcmp(a->pos, b->pos, a->n_pos * sizeof(a->pos[0])) == 0 &&
	       memcmp(a->neg, b->neg, a->n_neg * sizeof(a->neg[0])) == 0;
}

bool filter_group_equal(const struct filter_group *a, const struct filter_group *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       field_equal(&a->saddr, &b->saddr) &&
	       field_equal(&a->daddr, &b->daddr) &&
	       ports_equal(&a->sport, &b->sport) &&
	       ports_equal(&a->dport, &b->dport);
}
