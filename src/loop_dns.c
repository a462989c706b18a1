/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loop_dns: the event loop's part of local DNS forwarders (dnslink.c):
 * applications' queries are remembered, a forwarder's query is linked to
 * the one it serves, and without --dns the first query of each forwarder
 * says once how to see the applications behind it.
 */
#include "loop_int.h"

#include <stdlib.h>
#include <string.h>

#include "dnslink.h"
#include "output.h"

#define LOOP_DNS_NOTED	16	/* forwarders already told about */

struct loop_dns {
	struct dnslink link;
	pid_t noted[LOOP_DNS_NOTED];
	unsigned int n_noted;
};

struct loop_dns *loop_dns_new(const struct ptrap_config *cfg)
{
	struct loop_dns *d = calloc(1, sizeof(*d));
	unsigned int i;

	if (!d)
		return NULL;
	dnslink_init(&d->link);
	/* the stub to suggest; --dns has traps on all of them already */
	for (i = 0; i < cfg->n_resolv_confs; i++)
		(void)dnslink_read_resolv(&d->link.ns, cfg->resolv_confs[i]);
	if (cfg->n_resolv_confs == 0)
		(void)dnslink_read_resolv(&d->link.ns, DNSLINK_RESOLV_CONF);
	return d;
}

void loop_dns_free(struct loop_dns *d)
{
	free(d);
}

/* Once per forwarder: its queries are other programs'. */
static void loop_dns_note(struct loop *l, const struct resolver_proc *p)
{
	struct loop_dns *d = l->dns;
	char stub[ADDR_STR_MAX];
	unsigned int i;

	for (i = 0; i < d->n_noted; i++)
		if (d->noted[i] == p->pid)
			return;
	if (d->n_noted < LOOP_DNS_NOTED)
		d->noted[d->n_noted++] = p->pid;
	if (l->cfg->dns)
		return;
	loop_warn(l, "PID %ld (%.16s) is a local DNS forwarder: the queries it "
		  "sends are other programs'. To see which program asked, trap "
		  "its stub address (ptrap -u -t -i %s -p 53) or run ptrap --dns",
		  (long)p->pid, p->comm,
		  dnslink_stub(&d->link.ns, stub, sizeof(stub)));
}

void loop_dns_packet(struct loop *l, const struct pkt_info *pkt,
		     const struct resolver_result *who, const struct payload *pl,
		     struct out_link *link)
{
	const struct resolver_proc *p = &who->procs[0];
	const struct dnslink_app *app;

	memset(link, 0, sizeof(*link));
	if (!l->dns || pl->kind != PAYLOAD_DNS || who->n_procs == 0 ||
	    !pkt->has_ports || pkt->dport != 53 ||
	    (pl->dns.flags & PAYLOAD_DNS_QR))
		return;
	link->forwarder = dnslink_known_forwarder(p->comm, p->exe);
	app = dnslink_query(&l->dns->link, pl, p->pid, p->comm,
			    link->forwarder, &pkt->dst, monotime_ns());
	if (!link->forwarder)
		return;
	loop_dns_note(l, p);
	if (app) {
		link->app_pid = app->pid;
		link->app_comm = app->comm;
	}
}
