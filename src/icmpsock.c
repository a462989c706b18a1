/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * icmpsock: the local sockets that may have sent an ICMP/ICMPv6 packet,
 * from /proc/net.  It names sockets only; the resolver finds their
 * processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "icmpsock.h"

#define ICMPSOCK_LINE_MAX	512

struct icmpsock {
	int netfd;		/* <root>/net: pins the network namespace */
};

struct icmpsock *icmpsock_new(const char *proc_root)
{
	struct icmpsock *is;
	int rootfd, netfd, saved;

	if (!proc_root || !*proc_root) {
		errno = EINVAL;
		return NULL;
	}
	rootfd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return NULL;
	netfd = openat(rootfd, "net", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	saved = errno;
	close(rootfd);
	if (netfd < 0) {
		errno = saved;
		return NULL;
	}
	is = calloc(1, sizeof(*is));
	if (!is) {
		close(netfd);
		errno = ENOMEM;
		return NULL;
	}
	is->netfd = netfd;
	return is;
}

void icmpsock_free(struct icmpsock *is)
{
	if (is)
		close(is->netfd);
	free(is);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly n hex digits at *s (n <= 8); advances *s. */
static int get_hex(const char **s, size_t n, uint32_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		int d = hexval((*s)[i]);

		if (d < 0)
			return -1;
		*v = *v << 4 | (uint32_t)d;
	}
	*s += n;
	return 0;
}

/*
 * "0100007F:0001": the kernel prints each 32-bit word of the address as a
 * number in host byte order, so the word goes back into memory as it is.
 */
static int get_endpoint(const char **s, int family, struct addr_ip *ip,
			uint16_t *port)
{
	unsigned int words = family == AF_INET ? 1 : 4, i;
	uint32_t w;

	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	for (i = 0; i < words; i++) {
		if (get_hex(s, 8, &w) < 0)
			return -1;
		memcpy(ip->u.bytes + 4 * i, &w, 4);
	}
	if (**s != ':')
		return -1;
	(*s)++;
	if (get_hex(s, 4, &w) < 0)
		return -1;
	*port = (uint16_t)w;
	return 0;
}

static void skip_blanks(const char **s)
{
	while (**s == ' ' || **s == '\t')
		(*s)++;
}

/* Skip one blank-separated field; -1 if there is none. */
static int skip_field(const char **s)
{
	skip_blanks(s);
	if (**s == '\0' || **s == '\n')
		return -1;
	while (**s && **s != ' ' && **s != '\t' && **s != '\n')
		(*s)++;
	return 0;
}

static int get_dec(const char **s, unsigned long long max, unsigned long long *v)
{
	skip_blanks(s);
	if (**s < '0' || **s > '9')
		return -1;
	*v = 0;
	for (; **s >= '0' && **s <= '9'; (*s)++) {
		*v = *v * 10 + (unsigned long long)(**s - '0');
		if (*v > max)
			return -1;
	}
	return 0;
}

int icmpsock_parse_line(const char *line, int family, struct icmpsock_entry *e)
{
	const char *s = line;
	unsigned long long v;
	unsigned int n;
	uint32_t tx;

	if (!line || !e || (family != AF_INET && family != AF_INET6))
		goto bad;
	memset(e, 0, sizeof(*e));
	/* "  12: " */
	if (get_dec(&s, 1u << 30, &v) < 0 || *s++ != ':')
		goto bad;
	skip_blanks(&s);
	if (get_endpoint(&s, family, &e->local, &e->lport) < 0 || *s != ' ')
		goto bad;
	skip_blanks(&s);
	if (get_endpoint(&s, family, &e->remote, &e->rport) < 0)
		goto bad;
	if (skip_field(&s) < 0)		/* st */
		goto bad;
	skip_blanks(&s);
	if (get_hex(&s, 8, &tx) < 0 || *s != ':')	/* tx_queue:rx_queue */
		goto bad;
	e->tx_queue = tx;
	/* the rest of rx_queue, tr:tm->when, retrnsmt */
	for (n = 0; n < 3; n++)
		if (skip_field(&s) < 0)
			goto bad;
	if (get_dec(&s, (uid_t)-1, &v) < 0)
		goto bad;
	e->uid = (uid_t)v;
	if (skip_field(&s) < 0)		/* timeout */
		goto bad;
	if (get_dec(&s, UINT64_MAX / 10, &v) < 0)
		goto bad;
	e->inode = v;
	return 0;

bad:
	errno = EINVAL;
	return -1;
}

static bool addr_any_or(const struct addr_ip *a, const struct addr_ip *want)
{
	static const uint8_t zero[16];
	size_t n = a->family == AF_INET ? 4 : 16;

	return memcmp(a->u.bytes, zero, n) == 0 || addr_ip_equal(a, want);
}

struct is_query {
	const struct pkt_info *pkt;
	long long uid;
	bool raw;
};

/*
 * A ping socket's local port is its echo id (the kernel writes it into
 * every request); a raw socket's is its protocol.  Either may be bound to
 * the source and connected to the destination.
 */
static bool entry_matches(const struct is_query *q, const struct icmpsock_entry *e)
{
	const struct pkt_info *pkt = q->pkt;

	if (q->uid >= 0 && (long long)e->uid != q->uid)
		return false;
	if (q->raw) {
		if (e->lport != pkt->proto && e->lport != IPPROTO_RAW)
			return false;
	} else if (e->lport != pkt->icmp_id) {
		return false;
	}
	return addr_any_or(&e->local, &pkt->src) &&
	       addr_any_or(&e->remote, &pkt->dst);
}

/*
 * Keep at most ICMPSOCK_MAX_CANDS; a sender displaces an idle match, since
 * only the senders are reported once there is one.
 */
static void add_cand(struct icmpsock_result *out, const struct icmpsock_entry *e)
{
	struct icmpsock_cand c = {
		.inode = e->inode, .uid = e->uid, .sending = e->tx_queue > 0,
	};
	unsigned int i;

	out->n_match++;
	if (c.sending)
		out->n_sending++;
	if (out->n < ICMPSOCK_MAX_CANDS) {
		out->c[out->n++] = c;
		return;
	}
	if (!c.sending)
		return;
	for (i = 0; i < out->n; i++) {
		if (!out->c[i].sending) {
			out->c[i] = c;
			return;
		}
	}
}

static int scan_table(struct icmpsock *is, const char *name,
		      const struct is_query *q, struct icmpsock_result *out)
{
	char line[ICMPSOCK_LINE_MAX];
	FILE *f;
	int fd;

	fd = openat(is->netfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;	/* no IPv6: no table */
	f = fdopen(fd, "r");
	if (!f) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct icmpsock_entry e;

		/* the header line does not parse; nor would a cut-off one */
		if (icmpsock_parse_line(line, q->pkt->src.family, &e) < 0)
			continue;
		if (entry_matches(q, &e))
			add_cand(out, &e);
	}
	fclose(f);
	return 0;
}

/* With senders among the matches, only they can have sent the packet. */
static void keep_senders(struct icmpsock_result *out)
{
	unsigned int i, k = 0;

	if (out->n_sending == 0)
		return;
	for (i = 0; i < out->n; i++)
		if (out->c[i].sending)
			out->c[k++] = out->c[i];
	out->n = k;
}

int icmpsock_lookup(struct icmpsock *is, const struct pkt_info *pkt,
		    long long uid, struct icmpsock_result *out)
{
	struct is_query q = { .pkt = pkt, .uid = uid };
	bool v4;

	if (!is || !pkt || !out) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	v4 = pkt->src.family == AF_INET;
	if ((pkt->proto != IPPROTO_ICMP || !v4) &&
	    (pkt->proto != IPPROTO_ICMPV6 || pkt->src.family != AF_INET6)) {
		errno = EPROTONOSUPPORT;
		return -1;
	}
	/* ping sockets send nothing but echo requests */
	if (pkt_is_echo_request(pkt)) {
		if (scan_table(is, v4 ? "icmp" : "icmp6", &q, out) < 0)
			return -1;
		if (out->n_match > 0) {
			keep_senders(out);
			return 0;
		}
	}
	q.raw = true;
	out->raw = true;
	if (scan_table(is, v4 ? "raw" : "raw6", &q, out) < 0)
		return -1;
	keep_senders(out);
	return 0;
}
