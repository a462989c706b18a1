/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loop_dns: the event loop's part of local DNS forwarders (dnslink.c):
 * applications' queries are remembered, a forwarder's query is linked to
 * the one it serves, and without --dns the first query of each forwarder
 * says once how to see the applications behind it.  A forwarder is known
 * by its name (dnslink.c) or because it holds a socket listening on port
 * 53: /proc/net says which, /proc/PID/fd whose (once per process).
 */
#include "loop_int.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnslink.h"
#include "output.h"

#define LOOP_DNS_NOTED	16	/* forwarders already told about */
#define LOOP_DNS_LISTEN	32	/* sockets listening on port 53 kept */
#define LOOP_DNS_SEEN	64	/* senders already checked */
#define LOOP_DNS_FDS	4096	/* fds of a sender looked at, at most */

struct loop_dns {
	struct dnslink link;
	pid_t noted[LOOP_DNS_NOTED];
	unsigned int n_noted;
	/* the socket inodes listening on port 53, read at most once a second */
	uint64_t listen_read_at;
	unsigned long long listen[LOOP_DNS_LISTEN];
	unsigned int n_listen;
	/* senders checked for those sockets, by (pid, start time) */
	struct {
		pid_t pid;
		unsigned long long start;
		bool listens;
	} seen[LOOP_DNS_SEEN];
	unsigned int seen_next;
};

/*
 * The inodes of the sockets bound to port 53 that listen (UDP: unconnected,
 * state 07; TCP: LISTEN, 0A), from /proc/net: what a DNS server or
 * forwarder holds, whatever its name.
 */
static void ld_read_file(struct loop_dns *d, const char *path, const char *state)
{
	char line[512], local[64], st[8];
	unsigned long long inode;
	FILE *f = fopen(path, "re");
	const char *port;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && d->n_listen < LOOP_DNS_LISTEN) {
		if (sscanf(line, " %*s %63s %*s %7s %*s %*s %*s %*s %*s %llu",
			   local, st, &inode) != 3 || inode == 0)
			continue;
		port = strrchr(local, ':');
		if (port && strcmp(port, ":0035") == 0 && strcmp(st, state) == 0)
			d->listen[d->n_listen++] = inode;
	}
	fclose(f);
}

static void ld_read_listeners(struct loop_dns *d, uint64_t now)
{
	if (d->listen_read_at && now - d->listen_read_at < 1000000000ull)
		return;
	d->listen_read_at = now;
	d->n_listen = 0;
	ld_read_file(d, "/proc/net/udp", "07");
	ld_read_file(d, "/proc/net/udp6", "07");
	ld_read_file(d, "/proc/net/tcp", "0A");
	ld_read_file(d, "/proc/net/tcp6", "0A");
}

/* Does pid hold one of the listening sockets? */
static bool ld_holds_listener(const struct loop_dns *d, pid_t pid)
{
	char dir[64], path[320], link[64];
	unsigned long long inode;
	unsigned int i, n = 0;
	struct dirent *e;
	bool found = false;
	ssize_t k;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%ld/fd", (long)pid);
	fds = opendir(dir);
	if (!fds)
		return false;
	while (!found && n++ < LOOP_DNS_FDS && (e = readdir(fds)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		k = readlink(path, link, sizeof(link) - 1);
		if (k <= 0)
			continue;
		link[k] = '\0';
		if (sscanf(link, "socket:[%llu]", &inode) != 1)
			continue;
		for (i = 0; i < d->n_listen && !found; i++)
			found = d->listen[i] == inode;
	}
	closedir(fds);
	return found;
}

/* A forwarder by what it does: it serves DNS on port 53 too. */
static bool ld_listens(struct loop_dns *d, const struct resolver_proc *p,
		       uint64_t now)
{
	unsigned int i;
	bool listens;

	for (i = 0; i < LOOP_DNS_SEEN; i++)
		if (d->seen[i].pid == p->pid && d->seen[i].start == p->start)
			return d->seen[i].listens;
	ld_read_listeners(d, now);
	listens = d->n_listen > 0 && ld_holds_listener(d, p->pid);
	i = d->seen_next++ % LOOP_DNS_SEEN;
	d->seen[i].pid = p->pid;
	d->seen[i].start = p->start;
	d->seen[i].listens = listens;
	return listens;
}

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
	uint64_t now = monotime_ns();

	memset(link, 0, sizeof(*link));
	if (!l->dns || pl->kind != PAYLOAD_DNS || who->n_procs == 0 ||
	    !pkt->has_ports || pkt->dport != 53 ||
	    (pl->dns.flags & PAYLOAD_DNS_QR))
		return;
	link->forwarder = dnslink_known_forwarder(p->comm, p->exe) ||
			  ld_listens(l->dns, p, now);
	app = dnslink_query(&l->dns->link, pl, p->pid, p->comm,
			    link->forwarder, &pkt->dst, now);
	if (!link->forwarder)
		return;
	loop_dns_note(l, p);
	if (app) {
		link->app_pid = app->pid;
		link->app_comm = app->comm;
	}
}
