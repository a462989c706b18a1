/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report_group: the rows of a -r summary grouped by a --by key and
 * sorted by a --sort key.  Each row gets a group key and a sub-group key
 * as text; rows sorted by the two fall into runs, which are the groups
 * and their sub-groups.  Ties in the --sort order go by key, so the same
 * capture always prints the same table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "report_int.h"

#define KEY_MAX	2048		/* a name's text, an exe, a flow */

struct keyed {
	unsigned int row;
	char *key, *sub;
};

bool report_by_process_kind(enum cli_by by)
{
	return by != CLI_BY_DESTINATION && by != CLI_BY_FLOW &&
	       by != CLI_BY_NAME;
}

static void flow_key(const struct rp_flow *f, bool with_src, char *buf,
		     size_t len)
{
	char s[ADDR_STR_MAX], d[ADDR_STR_MAX];

	/* protocol number first: rows of one protocol stay together */
	if (f->has_ports)
		addr_endpoint_str(&f->dst, f->dport, d, sizeof(d));
	else
		addr_ip_str(&f->dst, d, sizeof(d));
	if (!with_src) {
		snprintf(buf, len, "%03u %s", f->proto, d);
		return;
	}
	if (f->has_ports)
		addr_endpoint_str(&f->src, f->sport, s, sizeof(s));
	else
		addr_ip_str(&f->src, s, sizeof(s));
	snprintf(buf, len, "%03u %s %s", f->proto, d, s);
}

/* The text a row is grouped by; "" for "not known" (no comm, no name). */
static void key_of(const struct report *rp, enum cli_by by,
		   const struct rp_row *r, char *buf, size_t len)
{
	const struct report_proc *p = &rp->procs[r->proc];

	switch (by) {
	case CLI_BY_PROCESS:
		snprintf(buf, len, "%010u", r->proc);
		return;
	case CLI_BY_COMM:
		snprintf(buf, len, "%s", p->comm);
		return;
	case CLI_BY_EXE:
		snprintf(buf, len, "%s", p->exe);
		return;
	case CLI_BY_USER:
		if (p->info.user[0])
			snprintf(buf, len, "%s", p->info.user);
		else if (p->uid >= 0)
			snprintf(buf, len, "%lld", p->uid);
		else
			buf[0] = '\0';
		return;
	case CLI_BY_UNIT:
		snprintf(buf, len, "%s", p->info.unit[0] ? p->info.unit :
			 p->info.user_unit);
		return;
	case CLI_BY_DESTINATION:
		flow_key(&r->f, false, buf, len);
		return;
	case CLI_BY_FLOW:
		flow_key(&r->f, true, buf, len);
		return;
	case CLI_BY_NAME:
	case CLI_BY_N:
		break;
	}
	snprintf(buf, len, "%s", r->name >= 0 ? rp->nametab[r->name].text : "");
}

static void sum_add(struct rp_sum *s, const struct rp_sum *r)
{
	if (s->packets == 0 || r->first < s->first)
		s->first = r->first;
	if (s->packets == 0 || r->last > s->last)
		s->last = r->last;
	s->packets += r->packets;
	s->bytes += r->bytes;
}

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->sub, y->sub);
}

/* What qsort_r compares groups by. */
struct sort_ctx {
	enum cli_sort sort;
	const struct keyed *keys;	/* rp_group.row indexes it meanwhile */
	bool subs;			/* sub-groups: their sub keys */
};

static int cmp_sum(enum cli_sort sort, const struct rp_sum *a,
		   const struct rp_sum *b)
{
	switch (sort) {
	case CLI_SORT_BYTES:
		if (a->bytes != b->bytes)
			return a->bytes > b->bytes ? -1 : 1;
		break;
	case CLI_SORT_FIRST:
		if (a->first != b->first)
			return a->first < b->first ? -1 : 1;
		break;
	case CLI_SORT_LAST:
		if (a->last != b->last)
			return a->last > b->last ? -1 : 1;
		break;
	case CLI_SORT_PACKETS:
	case CLI_SORT_N:
		break;
	}
	if (a->packets != b->packets)
		return a->packets > b->packets ? -1 : 1;
	return 0;
}

static int cmp_group(const void *a, const void *b, void *arg)
{
	const struct rp_group *x = a, *y = b;
	const struct sort_ctx *c = arg;
	int d = cmp_sum(c->sort, &x->sum, &y->sum);

	if (d)
		return d;
	return c->subs ? strcmp(c->keys[x->row].sub, c->keys[y->row].sub) :
			 strcmp(c->keys[x->row].key, c->keys[y->row].key);
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* Distinct processes among keyed rows [from, to), sorted in scratch. */
static unsigned int count_procs(const struct keyed *k, unsigned int from,
				unsigned int to, const struct report *rp,
				unsigned int *scratch)
{
	unsigned int i, n = 0;

	for (i = from; i < to; i++)
		scratch[i - from] = rp->rows[k[i].row].proc;
	qsort(scratch, to - from, sizeof(*scratch), cmp_uint);
	for (i = 0; i < to - from; i++)
		n += i == 0 || scratch[i] != scratch[i - 1];
	return n;
}

static struct rp_sum row_sum(const struct rp_row *r)
{
	return (struct rp_sum){ r->packets, r->bytes, r->first, r->last };
}

int report_group(const struct report *rp, enum cli_by by, enum cli_sort sort,
		 struct rp_grouping *g)
{
	enum cli_by sub_by = report_by_process_kind(by) ? CLI_BY_DESTINATION :
							  CLI_BY_PROCESS;
	unsigned int n = rp->n_rows, i, j, *scratch = NULL;
	struct keyed *k = calloc(n + 1, sizeof(*k));
	struct sort_ctx ctx;
	char buf[KEY_MAX];
	int ret = -1;

	memset(g, 0, sizeof(*g));
	g->groups = calloc(n + 1, sizeof(*g->groups));
	g->subs = calloc(n + 1, sizeof(*g->subs));
	scratch = calloc(n + 1, sizeof(*scratch));
	if (!k || !g->groups || !g->subs || !scratch)
		goto out;
	for (i = 0; i < n; i++) {
		k[i].row = i;
		key_of(rp, by, &rp->rows[i], buf, sizeof(buf));
		k[i].key = strdup(buf);
		key_of(rp, sub_by, &rp->rows[i], buf, sizeof(buf));
		k[i].sub = strdup(buf);
		if (!k[i].key || !k[i].sub)
			goto out;
	}
	qsort(k, n, sizeof(*k), cmp_keyed);
	for (i = 0; i < n; i = j) {
		struct rp_group *grp = &g->groups[g->n_groups++];

		grp->row = i;		/* an index into k until the end */
		grp->sub = g->n_subs;
		struct rp_group *sg = NULL;

		for (j = i; j < n && strcmp(k[j].key, k[i].key) == 0; j++) {
			struct rp_sum rs = row_sum(&rp->rows[k[j].row]);

			if (!sg || strcmp(k[j].sub, k[j - 1].sub) != 0) {
				sg = &g->subs[g->n_subs++];
				sg->row = j;
				grp->n_subs++;
			}
			sum_add(&sg->sum, &rs);
			sum_add(&grp->sum, &rs);
		}
		grp->n_procs = count_procs(k, i, j, rp, scratch);
	}
	for (i = 0; i < g->n_groups; i++) {
		struct rp_group *grp = &g->groups[i];
		unsigned int end;

		for (j = grp->sub; j < grp->sub + grp->n_subs; j++) {
			end = j + 1 < grp->sub + grp->n_subs ?
			      g->subs[j + 1].row :
			      (i + 1 < g->n_groups ? g->groups[i + 1].row : n);
			g->subs[j].n_procs = count_procs(k, g->subs[j].row, end,
							 rp, scratch);
		}
	}
	ctx = (struct sort_ctx){ .sort = sort, .keys = k, .subs = true };
	for (i = 0; i < g->n_groups; i++)
		qsort_r(&g->subs[g->groups[i].sub], g->groups[i].n_subs,
			sizeof(*g->subs), cmp_group, &ctx);
	ctx.subs = false;
	qsort_r(g->groups, g->n_groups, sizeof(*g->groups), cmp_group, &ctx);
	/* from indices into k to rows */
	for (i = 0; i < g->n_groups; i++)
		g->groups[i].row = k[g->groups[i].row].row;
	for (i = 0; i < g->n_subs; i++)
		g->subs[i].row = k[g->subs[i].row].row;
	ret = 0;
out:
	for (i = 0; k && i < n; i++) {
		free(k[i].key);
		free(k[i].sub);
	}
	free(k);
	free(scratch);
	if (ret < 0) {
		report_grouping_free(g);
		errno = ENOMEM;
	}
	return ret;
}

void report_grouping_free(struct rp_grouping *g)
{
	free(g->groups);
	free(g->subs);
	memset(g, 0, sizeof(*g));
}
