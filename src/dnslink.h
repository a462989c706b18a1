/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dnslink: local DNS forwarders (systemd-resolved, dnsmasq, unbound...)
 * send the queries of other programs.  This module tells a forwarder's
 * query apart and links it to the application query it serves: the same
 * question, asked shortly before by another process of a local resolver
 * address.  It also reads the nameservers of a resolv.conf.  Pure state,
 * no I/O but the resolv.conf read.
 */
#ifndef PTRAP_DNSLINK_H
#define PTRAP_DNSLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"
#include "payload.h"

#define DNSLINK_RESOLV_CONF	"/etc/resolv.conf"
#define DNSLINK_STUB		"127.0.0.53"	/* systemd-resolved's */
#define DNSLINK_NS_MAX		8
#define DNSLINK_SLOTS		128		/* application queries kept */
#define DNSLINK_WINDOW_NS	(5ull * 1000000000ull)	/* how far back */

/* An application's query, as remembered for its forwarder's. */
struct dnslink_app {
	pid_t pid;
	char comm[16];
	uint64_t when;			/* monotonic ns */
	uint16_t qtype;
	struct addr_ip dst;		/* the local resolver it asked */
	struct payload_name qname;	/* lower case */
};

/* The nameservers of resolv.conf files. */
struct dnslink_ns {
	struct addr_ip ip[DNSLINK_NS_MAX];
	unsigned int n;
};

struct dnslink {
	struct dnslink_ns ns;
	struct dnslink_app ring[DNSLINK_SLOTS];
	unsigned int next;
};

void dnslink_init(struct dnslink *d);

/*
 * Add the "nameserver ADDR" lines of path to ns (at most DNSLINK_NS_MAX in
 * all, each once; an IPv6 zone "%eth0" is dropped).  0, or -1 with errno
 * from fopen().
 */
int dnslink_read_resolv(struct dnslink_ns *ns, const char *path);

/* The address to trap to see applications' queries: a loopback
 * nameserver of ns, else DNSLINK_STUB. */
const char *dnslink_stub(const struct dnslink_ns *ns, char *buf, size_t len);

/* Is this comm or exe (basename) a known DNS forwarder or cache? */
bool dnslink_known_forwarder(const char *comm, const char *exe);

/* A loopback address: where a local forwarder listens. */
bool dnslink_local_resolver(const struct addr_ip *ip);

/*
 * A DNS query (pl: a query with a question) that pid sent to dst at now.
 * From a forwarder: the most recent application query of the same first
 * question by another process within DNSLINK_WINDOW_NS (NULL: none).
 * From anyone else: remembered if it went to a local resolver; NULL.
 */
const struct dnslink_app *dnslink_query(struct dnslink *d, const struct payload *pl,
					pid_t pid, const char *comm,
					bool forwarder, const struct addr_ip *dst,
					uint64_t now);

#endif
