/* SPDX-License-Identifier: GPL-2.0-or-later */
/* addr: IP addresses, prefixes and port ranges as given on the command line. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/* "[" + longest IPv6 text (45) + "]" + "/128" + NUL, with some room. */
#define ADDR_INPUT_MAX	64

/*
 * Strict unsigned decimal: a digit first (so no sign, no blanks, no "0x"),
 * no leading zero (so nobody can read "010" as octal).  *end is left past
 * the digits; the caller decides what may follow.  Returns 0, or -1 with
 * errno EINVAL (syntax) or ERANGE (above max, including strtoul overflow).
 */
static int parse_uint(const char *s, unsigned long max, const char **end,
		      unsigned long *val)
{
	char *e;
	unsigned long v;

	*end = s;
	if (*s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoul(s, &e, 10);
	*end = e;
	if (s[0] == '0' && e - s > 1) {
		errno = EINVAL;
		return -1;
	}
	if (errno == ERANGE || v > max) {
		errno = ERANGE;
		return -1;
	}
	*val = v;
	return 0;
}

void addr_prefix_mask(struct addr_prefix *p)
{
	unsigned int nbytes = p->ip.family == AF_INET ? 4 : 16;
	unsigned int i, bit;

	for (i = 0; i < nbytes; i++) {
		bit = i * 8;	/* first bit of this byte */
		if (bit >= p->len)
			p->ip.u.bytes[i] = 0;
		else if (bit + 8 > p->len)
			p->ip.u.bytes[i] &= (uint8_t)(0xff << (8 - (p->len - bit)));
	}
}

/*
 * Host bits set beyond len ("192.0.2.77/24") are accepted and cleared, as
 * nft does: the user clearly meant the network.
 */
int addr_parse_prefix(const char *s, struct addr_prefix *out)
{
	char buf[ADDR_INPUT_MAX];
	char *addr, *slash, *rb;
	struct addr_prefix p;
	unsigned long len;
	size_t n;
	bool bracket = false;

	if (!s || !out)
		goto einval;
	n = strnlen(s, sizeof(buf));
	if (n == 0 || n >= sizeof(buf))
		goto einval;
	memcpy(buf, s, n + 1);

	addr = buf;
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (addr[0] == '[') {
		rb = strchr(addr, ']');
		if (!rb || rb[1] != '\0')
			goto einval;
		*rb = '\0';
		addr++;
		bracket = true;
	}

	memset(&p, 0, sizeof(p));
	if (!bracket && inet_pton(AF_INET, addr, &p.ip.u.v4) == 1) {
		p.ip.family = AF_INET;
		p.len = 32;
	} else if (inet_pton(AF_INET6, addr, &p.ip.u.v6) == 1) {
		p.ip.family = AF_INET6;
		p.len = 128;
	} else {
		goto einval;
	}

	if (slash) {
		const char *end;

		if (parse_uint(slash + 1, p.len, &end, &len) < 0 ||
		    *end != '\0')
			goto einval;
		p.len = (uint8_t)len;
		addr_prefix_mask(&p);
	}
	*out = p;
	return 0;
einval:
	errno = EINVAL;
	return -1;
}

static int parse_port(const char *s, const char **end, uint16_t *port)
{
	unsigned long v;

	if (parse_uint(s, 65535, end, &v) < 0)
		return -1;
	if (v == 0) {
		errno = ERANGE;
		return -1;
	}
	*port = (uint16_t)v;
	return 0;
}

int addr_parse_port_range(const char *s, struct addr_port_range *out)
{
	struct addr_port_range r;
	const char *end;

	if (!s || !out)
		goto einval;
	if (parse_port(s, &end, &r.lo) < 0)
		goto fail;
	if (*end == '\0') {
		r.hi = r.lo;
	} else if (*end == '-') {
		if (parse_port(end + 1, &end, &r.hi) < 0)
			goto fail;
		if (*end != '\0' || r.lo > r.hi)
			goto einval;
	} else {
		goto einval;
	}
	*out = r;
	return 0;
fail:
	/* junk after an out-of-range number is still junk */
	if (errno == ERANGE && *end != '\0' && *end != '-')
		errno = EINVAL;
	return -1;
einval:
	errno = EINVAL;
	return -1;
}

const char *addr_ip_str(const struct addr_ip *ip, char *buf, size_t len)
{
	if (!ip || !buf) {
		errno = EINVAL;
		goto fail;
	}
	if (ip->family != AF_INET && ip->family != AF_INET6) {
		errno = EAFNOSUPPORT;
		goto fail;
	}
	/* inet_ntop takes a socklen_t; more than this is never needed */
	if (len > INET6_ADDRSTRLEN)
		len = INET6_ADDRSTRLEN;
	if (!inet_ntop(ip->family, &ip->u, buf, (socklen_t)len))
		goto fail;
	return buf;
fail:
	if (buf && len > 0)
		buf[0] = '\0';
	return NULL;
}

const char *addr_prefix_str(const struct addr_prefix *p, char *buf, size_t len)
{
	unsigned int full;
	size_t n;
	int r;

	if (!p) {
		errno = EINVAL;
		return NULL;
	}
	if (!addr_ip_str(&p->ip, buf, len))
		return NULL;
	full = p->ip.family == AF_INET ? 32 : 128;
	if (p->len == full)
		return buf;
	n = strlen(buf);
	r = snprintf(buf + n, len - n, "/%u", p->len);
	if (r < 0 || (size_t)r >= len - n) {
		buf[0] = '\0';
		errno = ENOSPC;
		return NULL;
	}
	return buf;
}

const char *addr_endpoint_str(const struct addr_ip *ip, uint16_t port,
			      char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int r;

	if (!buf || !addr_ip_str(ip, a, sizeof(a))) {
		if (buf && len > 0)
			buf[0] = '\0';
		return NULL;
	}
	if (ip->family == AF_INET6)
		r = snprintf(buf, len, "[%s]:%u", a, port);
	else
		r = snprintf(buf, len, "%s:%u", a, port);
	if (r < 0 || (size_t)r >= len) {
		if (len > 0)
			buf[0] = '\0';
		errno = ENOSPC;
		return NULL;
	}
	return buf;
}

bool addr_ip_equal(const struct addr_ip *a, const struct addr_ip *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return memcmp(&a->u.v4, &b->u.v4, sizeof(a->u.v4)) == 0;
	if (a->family == AF_INET6)
		return memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6)) == 0;
	return false;
}

bool addr_prefix_covers(const struct addr_prefix *a, const struct addr_prefix *b)
{
	struct addr_prefix t;

	if (a->ip.family != b->ip.family || a->len > b->len)
		return false;
	t = *b;
	t.len = a->len;
	addr_prefix_mask(&t);
	return memcmp(t.ip.u.bytes, a->ip.u.bytes,
		      a->ip.family == AF_INET ? 4 : 16) == 0;
}

bool addr_prefix_equal(const struct addr_prefix *a, const struct addr_prefix *b)
{
	return a->len == b->len && addr_ip_equal(&a->ip, &b->ip);
}
