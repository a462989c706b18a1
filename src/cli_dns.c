/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli_dns: what --dns adds to the configuration: UDP and TCP to port 53
 * of every nameserver in the resolv.conf files (--resolv-conf, default
 * /etc/resolv.conf and systemd-resolved's list of its upstream servers)
 * and of the local stub, besides any -i.  Private to cli.c.
 */
#include <errno.h>
#include <string.h>

#include "cli_dns.h"
#include "cli_msg.h"
#include "dnslink.h"

/* systemd-resolved's upstream servers: what its stub forwards to. */
#define CLI_DNS_UPLINK	"/run/systemd/resolve/resolv.conf"

static int dns_add_dest(struct ptrap_config *cfg, const struct addr_ip *ip)
{
	struct addr_prefix p = { .ip = *ip, .len = ip->family == AF_INET ? 32 : 128 };
	unsigned int i;

	for (i = 0; i < cfg->n_dests; i++)
		if (addr_prefix_covers(&cfg->dests[i], &p))
			return 0;
	if (cfg->n_dests >= CLI_MAX_DESTS)
		return -1;
	cfg->dests[cfg->n_dests++] = p;
	return 0;
}

int cli_dns_apply(struct ptrap_config *cfg, char *err, size_t errlen)
{
	static const char *const defaults[] = { DNSLINK_RESOLV_CONF, CLI_DNS_UPLINK };
	struct dnslink_ns ns = { .n = 0 };
	struct addr_prefix stub;
	unsigned int i;
	char show[CLI_SHOW_BUF];

	if (cfg->n_ports) {
		cli_set_err(err, errlen, "--dns traps port 53: drop -p");
		return PTRAP_EXIT_USAGE;
	}
	for (i = 0; i < cfg->n_resolv_confs; i++)
		if (dnslink_read_resolv(&ns, cfg->resolv_confs[i]) < 0) {
			const char *p = cfg->resolv_confs[i];

			cli_set_err(err, errlen, "cannot read '%s' for --resolv-conf: %s",
				    cli_show(p, strlen(p), show, sizeof(show)),
				    strerror(errno));
			return PTRAP_EXIT_USAGE;
		}
	/* a missing default is a machine without that resolver */
	for (i = 0; cfg->n_resolv_confs == 0 && i < 2; i++)
		(void)dnslink_read_resolv(&ns, defaults[i]);
	if (addr_parse_prefix(DNSLINK_STUB, &stub) < 0 ||
	    dns_add_dest(cfg, &stub.ip) < 0)
		goto full;
	for (i = 0; i < ns.n; i++)
		if (dns_add_dest(cfg, &ns.ip[i]) < 0)
			goto full;
	cfg->udp = cfg->tcp = true;
	cfg->ports[0].lo = cfg->ports[0].hi = 53;
	cfg->n_ports = 1;
	return PTRAP_EXIT_OK;
full:
	cli_set_err(err, errlen, "--dns: more than %d destinations with -i",
		    CLI_MAX_DESTS);
	return PTRAP_EXIT_USAGE;
}
