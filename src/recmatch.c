/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * recmatch: the send-time record's filter from ptrap's matchers.
 *
 * Without an expression the options are the filter as they are.  With
 * one, the expression is compiled as the rules are (filter_compile()) and
 * the groups' union is taken field by field: protocols, destination
 * prefixes, destination ports.  Source conditions and negations are left
 * out, which only widens it: a superset is what bpfrec needs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"
#include "recmatch.h"

_Static_assert(RECMATCH_MAX_PORTS >= CLI_MAX_PORTS, "-p fits");

/* Any destination of family: a /0 prefix. */
static void any_dest(struct addr_prefix *p, int family)
{
	memset(p, 0, sizeof(*p));
	p->ip.family = family;
	p->len = 0;
}

static void add_dest(struct recmatch *rm, const struct addr_prefix *p,
		     bool *any4, bool *any6)
{
	bool *any = p->ip.family == AF_INET ? any4 : any6;

	if (*any)
		return;
	if (rm->m.n_dests == RECMATCH_MAX_DESTS || p->len == 0) {
		*any = true;
		return;
	}
	rm->dests[rm->m.n_dests++] = *p;
}

static void add_group(struct recmatch *rm, const struct filter_group *g,
		      bool *any4, bool *any6, bool *any_port)
{
	unsigned int i;

	if (g->proto == FILTER_UDP)
		rm->m.udp = true;
	else if (g->proto == FILTER_TCP)
		rm->m.tcp = true;
	else
		rm->m.icmp = true;
	if (g->daddr.n_pos == 0)
		*(g->family == AF_INET ? any4 : any6) = true;
	for (i = 0; i < g->daddr.n_pos; i++)
		add_dest(rm, &g->daddr.pos[i], any4, any6);
	if (g->proto == FILTER_ICMP || *any_port)
		return;
	if (g->dport.n_pos == 0 ||
	    rm->m.n_ports + g->dport.n_pos > RECMATCH_MAX_PORTS) {
		*any_port = true;
		return;
	}
	for (i = 0; i < g->dport.n_pos; i++)
		rm->ports[rm->m.n_ports++] = g->dport.pos[i];
}

/* The /0 prefixes replace every listed one of their family. */
static void widen(struct recmatch *rm, bool any4, bool any6, bool any_port)
{
	unsigned int i, n = 0;

	for (i = 0; i < rm->m.n_dests; i++) {
		int f = rm->dests[i].ip.family;

		if ((f == AF_INET && !any4) || (f == AF_INET6 && !any6))
			rm->dests[n++] = rm->dests[i];
	}
	if (any4)
		any_dest(&rm->dests[n++], AF_INET);
	if (any6)
		any_dest(&rm->dests[n++], AF_INET6);
	rm->m.n_dests = n;
	if (any_port)
		rm->m.n_ports = 0;
}

static int from_expression(const struct ptrap_config *cfg, struct recmatch *rm)
{
	struct filter_scope scope;
	struct filter_rules *fr = malloc(sizeof(*fr));
	bool any4 = false, any6 = false, any_port = false;
	unsigned int i;

	if (!fr)
		return -1;
	cli_filter_scope(cfg, &scope);
	if (filter_compile(&cfg->filter, &scope, fr, NULL, 0) < 0 || fr->n == 0) {
		free(fr);
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < fr->n; i++)
		add_group(rm, &fr->g[i], &any4, &any6, &any_port);
	free(fr);
	widen(rm, any4, any6, any_port);
	return 0;
}

int recmatch_build(const struct ptrap_config *cfg, struct recmatch *rm)
{
	bool any4 = false, any6 = false;
	unsigned int i;

	memset(&rm->m, 0, sizeof(rm->m));
	rm->m.dests = rm->dests;
	rm->m.ports = rm->ports;
	if (cfg->filter.n_nodes > 0)
		return from_expression(cfg, rm);
	rm->m.udp = cfg->udp;
	rm->m.tcp = cfg->tcp;
	rm->m.icmp = cfg->icmp;
	for (i = 0; i < cfg->n_dests; i++)
		add_dest(rm, &cfg->dests[i], &any4, &any6);
	for (i = 0; i < cfg->n_ports && i < CLI_MAX_PORTS; i++)
		rm->ports[rm->m.n_ports++] = cfg->ports[i];
	widen(rm, any4, any6, false);
	if (rm->m.n_dests == 0 || (!rm->m.udp && !rm->m.tcp && !rm->m.icmp)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
