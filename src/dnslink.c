/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dnslink: forwarders and the application queries they serve.
 *
 * A forwarder asks its upstream the question an application asked it a
 * moment before (RFC 1035 caches aside), so the link is the question: the
 * first (qname, qtype) of the message, qname compared without case (a
 * forwarder may send 0x20-mixed case, RFC draft-vixie-dnsext-dns0x20).
 * A forwarder is known by its name (comm or executable).
 */
#include "dnslink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

void dnslink_init(struct dnslink *d)
{
	memset(d, 0, sizeof(*d));
}

static int dl_parse_ip(const char *s, struct addr_ip *ip)
{
	char buf[INET6_ADDRSTRLEN + 1];
	size_t n = strcspn(s, "%");

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, buf, &ip->u.v4) == 1) {
		ip->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, &ip->u.v6) == 1) {
		ip->family = AF_INET6;
		return 0;
	}
	return -1;
}

int dnslink_read_resolv(struct dnslink_ns *ns, const char *path)
{
	char line[512], word[16], addr[128];
	FILE *f = fopen(path, "re");
	struct addr_ip ip;
	unsigned int i;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %15s %127s", word, addr) != 2 ||
		    strcmp(word, "nameserver") != 0 || ns->n >= DNSLINK_NS_MAX ||
		    dl_parse_ip(addr, &ip) < 0)
			continue;
		for (i = 0; i < ns->n && !addr_ip_equal(&ns->ip[i], &ip); i++)
			;
		if (i == ns->n)
			ns->ip[ns->n++] = ip;
	}
	fclose(f);
	return 0;
}

static bool dl_loopback(const struct addr_ip *ip);

const char *dnslink_stub(const struct dnslink_ns *ns, char *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < ns->n; i++)
		if (dl_loopback(&ns->ip[i]) && addr_ip_str(&ns->ip[i], buf, len))
			return buf;
	snprintf(buf, len, "%s", DNSLINK_STUB);
	return buf;
}

bool dnslink_known_forwarder(const char *comm, const char *exe)
{
	/* comm is cut at 15 bytes: "systemd-resolve" is systemd-resolved */
	static const char *const names[] = {
		"systemd-resolve", "systemd-resolved", "dnsmasq", "unbound",
		"named", "pdns_recursor", "kresd", "dnscrypt-proxy", "stubby",
		"coredns", "nscd", "dnsproxy", "knot-resolver",
	};
	const char *base = exe ? strrchr(exe, '/') : NULL;
	size_t i;

	base = base ? base + 1 : exe;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((comm && strcmp(comm, names[i]) == 0) ||
		    (base && strcmp(base, names[i]) == 0))
			return true;
	return false;
}

static bool dl_loopback(const struct addr_ip *ip)
{
	static const uint8_t v6_loop[16] = { [15] = 1 };

	if (ip->family == AF_INET)
		return ip->u.bytes[0] == 127;
	return ip->family == AF_INET6 && memcmp(ip->u.bytes, v6_loop, 16) == 0;
}

bool dnslink_local_resolver(const struct addr_ip *ip)
{
	return dl_loopback(ip);
}

static uint8_t dl_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Label lengths are below 64: lowering every byte leaves them alone. */
static void dl_lower_name(struct payload_name *dst, const struct payload_name *src)
{
	unsigned int i;

	dst->len = src->len;
	for (i = 0; i < src->len && i < PAYLOAD_NAME_MAX; i++)
		dst->wire[i] = dl_lower(src->wire[i]);
}

static bool dl_same(const struct dnslink_app *a, uint16_t qtype,
		    const struct payload_name *q)
{
	return a->when != 0 && a->qtype == qtype && a->qname.len == q->len &&
	       memcmp(a->qname.wire, q->wire, q->len) == 0;
}

const struct dnslink_app *dnslink_query(struct dnslink *d, const struct payload *pl,
					pid_t pid, const char *comm,
					bool forwarder, const struct addr_ip *dst,
					uint64_t now)
{
	const struct dnslink_app *best = NULL;
	struct payload_name q;
	struct dnslink_app *a;
	uint16_t qtype;
	unsigned int i;

	if (pl->kind != PAYLOAD_DNS || (pl->dns.flags & PAYLOAD_DNS_QR) ||
	    pl->dns.n_questions == 0)
		return NULL;
	dl_lower_name(&q, &pl->dns.q[0].qname);
	qtype = pl->dns.q[0].qtype;
	if (forwarder) {
		for (i = 0; i < DNSLINK_SLOTS; i++) {
			a = &d->ring[i];
			if (!dl_same(a, qtype, &q) || a->pid == pid ||
			    now < a->when || now - a->when > DNSLINK_WINDOW_NS)
				continue;
			if (!best || a->when > best->when)
				best = a;
		}
		return best;
	}
	if (!dnslink_local_resolver(dst))
		return NULL;
	a = &d->ring[d->next++ % DNSLINK_SLOTS];
	a->pid = pid;
	snprintf(a->comm, sizeof(a->comm), "%s", comm ? comm : "");
	a->when = now ? now : 1;
	a->qtype = qtype;
	a->dst = *dst;
	a->qname = q;
	return NULL;
}
