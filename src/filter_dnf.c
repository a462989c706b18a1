/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter_dnf: compile a parsed expression into rule groups.
 *
 * Firewall rules are conjunctions: a packet is queued when one rule has
 * all its matches true.  So the expression, for each of the six classes
 * (IPv4/IPv6 x UDP/TCP/ICMP), is brought into disjunctive normal form:
 * protocol and family primitives become true or false, "host", "net",
 * "port" and "portrange" become literals on the source or destination
 * address or port, "not" is pushed down onto literals (De Morgan), and
 * "and" is distributed over "or".  Each conjunction is then one group:
 * per field, the positive literals intersect into a set of values (with
 * -i and -p, which the expression is ANDed with), the negated ones make an
 * exclusion list ("ip daddr != {...}" for nft, RETURN rules in a chain of
 * its own for iptables).  Conjunctions that cannot match are dropped, as
 * are those another one already covers, so the rule count stays that of
 * the expression's real alternatives; above FILTER_MAX_GROUPS it is an
 * error, not a slow firewall.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"
#include "filter_int.h"

#define MAX_LITS	(2 * FILTER_MAX_NODES)	/* an atom gives at most 2 */
#define SET_MAX		256	/* conjunctions while distributing */

struct conj {
	unsigned int n;
	uint8_t lit[CONJ_MAX_LITS];	/* indices into compiler.lits, sorted */
};

struct cset {
	unsigned int n;
	struct conj c[SET_MAX];
};

struct compiler {
	const struct filter *f;
	unsigned int class;
	struct filter_lit lits[MAX_LITS];
	unsigned int n_lits;
	char *err;
	size_t errlen;
};

static void *fail(struct compiler *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "filter expression: ..." in c->err; NULL, for the callers' returns. */
static void *fail(struct compiler *c, const char *fmt, ...)
{
	char text[160];
	va_list ap;

	if (c->err && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(text, sizeof(text), fmt, ap);
		va_end(ap);
		snprintf(c->err, c->errlen, "filter expression: %s", text);
	}
	return NULL;
}

static bool lit_equal(const struct filter_lit *a, const struct filter_lit *b)
{
	if (a->field != b->field || a->neg != b->neg)
		return false;
	if (a->field == L_SADDR || a->field == L_DADDR)
		return addr_prefix_equal(&a->addr, &b->addr);
	return a->ports.lo == b->ports.lo && a->ports.hi == b->ports.hi;
}

/* The index of the literal, added if new; -1 when the table is full. */
static int intern(struct compiler *c, const struct filter_lit *l)
{
	unsigned int i;

	for (i = 0; i < c->n_lits; i++)
		if (lit_equal(&c->lits[i], l))
			return (int)i;
	if (c->n_lits >= MAX_LITS)
		return -1;
	c->lits[c->n_lits] = *l;
	return (int)c->n_lits++;
}

static struct cset *set_new(struct compiler *c, bool truth)
{
	struct cset *s = malloc(sizeof(*s));

	if (!s)
		return fail(c, "out of memory");
	s->n = truth ? 1 : 0;
	s->c[0].n = 0;
	return s;
}

/* Two literals of one field that no packet matches together. */
static bool lits_conflict(const struct filter_lit *a, const struct filter_lit *b)
{
	const struct filter_lit *pos = a->neg ? b : a, *neg = a->neg ? a : b;

	if (a->field != b->field || (a->neg && b->neg))
		return false;
	if (a->field == L_SADDR || a->field == L_DADDR) {
		if (!a->neg && !b->neg)
			return !addr_prefix_covers(&a->addr, &b->addr) &&
			       !addr_prefix_covers(&b->addr, &a->addr);
		return addr_prefix_covers(&neg->addr, &pos->addr);
	}
	if (!a->neg && !b->neg)
		return a->ports.hi < b->ports.lo || b->ports.hi < a->ports.lo;
	return neg->ports.lo <= pos->ports.lo && pos->ports.hi <= neg->ports.hi;
}

/* x AND y into out; false if it can never match. */
static bool conj_and(const struct compiler *c, const struct conj *x,
		     const struct conj *y, struct conj *out, bool *full)
{
	unsigned int i = 0, j = 0, k;
	uint8_t l;

	out->n = 0;
	*full = false;
	while (i < x->n || j < y->n) {
		if (j >= y->n || (i < x->n && x->lit[i] < y->lit[j]))
			l = x->lit[i++];
		else if (i >= x->n || y->lit[j] < x->lit[i])
			l = y->lit[j++];
		else {
			l = x->lit[i++];
			j++;
		}
		for (k = 0; k < out->n; k++)
			if (lits_conflict(&c->lits[out->lit[k]], &c->lits[l]))
				return false;
		if (out->n >= CONJ_MAX_LITS) {
			*full = true;
			return false;
		}
		out->lit[out->n++] = l;
	}
	return true;
}

static bool conj_subset(const struct conj *x, const struct conj *y)
{
	unsigned int i = 0, j = 0;

	while (i < x->n && j < y->n) {
		if (x->lit[i] == y->lit[j])
			i++;
		j++;
	}
	return i == x->n;
}

/* Add x unless one already there covers it; drop those x covers. */
static bool set_add(struct cset *s, const struct conj *x)
{
	unsigned int i, k = 0;

	for (i = 0; i < s->n; i++)
		if (conj_subset(&s->c[i], x))
			return true;
	for (i = 0; i < s->n; i++)
		if (!conj_subset(x, &s->c[i]))
			s->c[k++] = s->c[i];
	s->n = k;
	if (s->n >= SET_MAX)
		return false;
	s->c[s->n++] = *x;
	return true;
}

static struct cset *set_or(struct compiler *c, struct cset *a, struct cset *b)
{
	unsigned int i;

	for (i = 0; i < b->n; i++)
		if (!set_add(a, &b->c[i])) {
			free(a);
			a = fail(c, "more than %u alternatives; simplify it",
				 SET_MAX);
			break;
		}
	free(b);
	return a;
}

static struct cset *set_and(struct compiler *c, struct cset *a, struct cset *b)
{
	struct cset *out = set_new(c, false);
	unsigned int i, j;
	struct conj z;
	bool full;

	for (i = 0; out && i < a->n; i++) {
		for (j = 0; out && j < b->n; j++) {
			if (conj_and(c, &a->c[i], &b->c[j], &z, &full)) {
				if (!set_add(out, &z)) {
					free(out);
					out = fail(c, "more than %u "
						   "alternatives; simplify it",
						   SET_MAX);
				}
			} else if (full) {
				free(out);
				out = fail(c, "more than %u terms in "
					   "one alternative", CONJ_MAX_LITS);
			}
		}
	}
	free(a);
	free(b);
	return out;
}

/* A set of one conjunction per literal in l[] (or), or of all of them. */
static struct cset *set_lits(struct compiler *c, const struct filter_lit *l,
			     unsigned int n, bool any_of)
{
	struct cset *s = set_new(c, !any_of);
	unsigned int i;
	int id;

	for (i = 0; s && i < n; i++) {
		id = intern(c, &l[i]);
		if (id < 0) {
			free(s);
			return fail(c, "more than %u terms", MAX_LITS);
		}
		if (any_of) {
			s->c[s->n].n = 1;
			s->c[s->n++].lit[0] = (uint8_t)id;
		} else {
			/* two literals of one atom: keep them sorted */
			struct conj *x = &s->c[0];
			unsigned int k = x->n;

			while (k > 0 && x->lit[k - 1] > id) {
				x->lit[k] = x->lit[k - 1];
				k--;
			}
			x->lit[k] = (uint8_t)id;
			x->n++;
		}
	}
	return s;
}

static struct cset *atom_dnf(struct compiler *c, const struct filter_atom *a,
			     bool neg)
{
	struct filter_lit l[2];
	unsigned int n = 0;
	bool either;

	if (!(a->classes & (1u << c->class)))
		return set_new(c, neg);
	if (a->kind == FILTER_IS_CLASS)
		return set_new(c, !neg);
	memset(l, 0, sizeof(l));
	if (a->dir != FILTER_DST)
		l[n++].field = a->kind == FILTER_IS_ADDR ? L_SADDR : L_SPORT;
	if (a->dir != FILTER_SRC)
		l[n++].field = a->kind == FILTER_IS_ADDR ? L_DADDR : L_DPORT;
	for (unsigned int i = 0; i < n; i++) {
		l[i].neg = neg;
		l[i].addr = a->addr;
		l[i].ports = a->ports;
	}
	/* not (s or d) = not s and not d; not (s and d) = not s or not d */
	either = a->dir == FILTER_SRC_OR_DST;
	return set_lits(c, l, n, either != neg);
}

static struct cset *dnf(struct compiler *c, unsigned int node, bool neg)
{
	const struct filter_node *nd = &c->f->nodes[node];
	struct cset *a, *b;

	switch (nd->op) {
	case FILTER_ATOM:
		return atom_dnf(c, &nd->atom, neg);
	case FILTER_NOT:
		return dnf(c, nd->a, !neg);
	default:
		break;
	}
	a = dnf(c, nd->a, neg);
	if (!a)
		return NULL;
	b = dnf(c, nd->b, neg);
	if (!b) {
		free(a);
		return NULL;
	}
	/* not (a and b) = not a or not b, and the other way round */
	if ((nd->op == FILTER_AND) != neg)
		return set_and(c, a, b);
	return set_or(c, a, b);
}

static bool class_in_scope(const struct filter_scope *s, unsigned int class)
{
	int family = class >= 3 ? AF_INET6 : AF_INET;
	enum filter_proto proto = (enum filter_proto)(class % 3);
	unsigned int i;

	if ((proto == FILTER_UDP && !s->udp) || (proto == FILTER_TCP && !s->tcp) ||
	    (proto == FILTER_ICMP && !s->icmp))
		return false;
	if (s->n_dests == 0)
		return true;
	for (i = 0; i < s->n_dests; i++)
		if (s->dests[i].ip.family == family)
			return true;
	return false;
}

/* Groups of one class into out, skipping repeats. */
static int compile_class(struct compiler *c, const struct filter_scope *s,
			 struct filter_rules *out, struct filter_group *g)
{
	struct cset *set = c->f->n_nodes ? dnf(c, c->f->root, false) :
					   set_new(c, true);
	const struct filter_lit *lits[CONJ_MAX_LITS];
	unsigned int i, j;
	int r = 0;

	if (!set)
		return -1;
	for (i = 0; i < set->n && r >= 0; i++) {
		for (j = 0; j < set->c[i].n; j++)
			lits[j] = &c->lits[set->c[i].lit[j]];
		r = filter_group_build(lits, set->c[i].n, c->class, s, g);
		if (r < 0)
			fail(c, "more than %u negated values of one field",
			     FILTER_MAX_NEG);
		if (r <= 0)
			continue;
		for (j = 0; j < out->n; j++)
			if (filter_group_equal(&out->g[j], g))
				break;
		if (j < out->n)
			continue;
		if (out->n >= FILTER_MAX_GROUPS) {
			fail(c, "needs more than %u rules; simplify it",
			     FILTER_MAX_GROUPS);
			r = -1;
			break;
		}
		out->g[out->n++] = *g;
	}
	free(set);
	return r < 0 ? -1 : 0;
}

/* filter_parse writes operands before operators: so recursion ends. */
static bool tree_valid(const struct filter *f)
{
	unsigned int i;

	if (f->n_nodes > FILTER_MAX_NODES ||
	    (f->n_nodes > 0 && f->root >= f->n_nodes))
		return false;
	for (i = 0; i < f->n_nodes; i++) {
		const struct filter_node *nd = &f->nodes[i];

		if (nd->op > FILTER_OR || (nd->op != FILTER_ATOM && nd->a >= i) ||
		    (nd->op >= FILTER_AND && nd->b >= i))
			return false;
	}
	return true;
}

int filter_compile(const struct filter *f, const struct filter_scope *scope,
		   struct filter_rules *out, char *err, size_t errlen)
{
	struct filter_group *scratch = malloc(sizeof(*scratch));
	struct compiler c;
	unsigned int class;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	c.f = f;
	c.err = err;
	c.errlen = errlen;
	out->n = 0;
	if (!scratch) {
		fail(&c, "out of memory");
		return -1;
	}
	if (!tree_valid(f)) {
		fail(&c, "invalid (%u terms)", f->n_nodes);
		goto out;
	}
	for (class = 0; class < FILTER_N_CLASSES; class++) {
		if (!class_in_scope(scope, class))
			continue;
		c.class = class;
		c.n_lits = 0;
		if (compile_class(&c, scope, out, scratch) < 0)
			goto out;
	}
	ret = out->n ? 0 : -1;
	if (out->n == 0 && err && errlen) {
		snprintf(err, errlen, "filter expression: %s",
			 scope->n_dests || scope->n_ports || !scope->udp ||
			 !scope->tcp || !scope->icmp ?
			 "no packet matches both it and the options "
			 "(-u, -t, --icmp, -i, -p)" :
			 "matches no packet ptrap can trap (outbound UDP, "
			 "TCP and ICMP requests)");
	}
out:
	free(scratch);
	return ret;
}
