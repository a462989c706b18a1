/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockdiag: exact socket lookup by 5-tuple over NETLINK_SOCK_DIAG. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "sockdiag.h"

/* The kernel answers inside sendmsg(); this only guards against a lost reply. */
#define SOCKDIAG_TIMEOUT_MS	500
#define SD_BATCH		64	/* questions sent together */
#define SD_REQ_LEN		(NLMSG_ALIGN(sizeof(struct nlmsghdr)) + \
				 NLMSG_ALIGN(sizeof(struct inet_diag_req_v2)))
#define SD_ANSWER_LEN		2048	/* one exact answer: ~100 bytes */
#define SD_RCVBUF		(1 << 20)	/* SD_BATCH answers at once */

struct sockdiag {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
	/* one exact answer is a single small message; a page is plenty */
	char buf[8192] __attribute__((aligned(8)));
	/* sockdiag_lookup_many(): SD_BATCH questions out, answers in */
	char reqs[SD_BATCH * SD_REQ_LEN] __attribute__((aligned(8)));
	char answers[SD_BATCH][SD_ANSWER_LEN] __attribute__((aligned(8)));
};

/* One question to the kernel, addresses in network byte order. */
struct sd_query {
	uint8_t family;			/* table: AF_INET or AF_INET6 */
	uint8_t proto;
	uint8_t src[16], dst[16];	/* AF_INET uses the first 4 bytes */
	uint16_t sport, dport;		/* host order */
};

struct sockdiag *sockdiag_open(void)
{
	struct timeval tv = {
		.tv_sec = SOCKDIAG_TIMEOUT_MS / 1000,
		.tv_usec = (SOCKDIAG_TIMEOUT_MS % 1000) * 1000,
	};
	struct sockdiag *sd;
	int saved, rcvbuf = SD_RCVBUF;

	sd = calloc(1, sizeof(*sd));
	if (!sd)
		return NULL;
	sd->nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!sd->nl)
		goto err_free;
	if (mnl_socket_bind(sd->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err_close;
	if (setsockopt(mnl_socket_get_fd(sd->nl), SOL_SOCKET, SO_RCVTIMEO,
		       &tv, sizeof(tv)) < 0)
		goto err_close;
	/* room for SD_BATCH answers; without it a batch falls back to one by one */
	if (setsockopt(mnl_socket_get_fd(sd->nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(mnl_socket_get_fd(sd->nl), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	sd->portid = mnl_socket_get_portid(sd->nl);
	return sd;

err_close:
	saved = errno;
	mnl_socket_close(sd->nl);
	errno = saved;
err_free:
	saved = errno;
	free(sd);
	errno = saved;
	return NULL;
}

void sockdiag_close(struct sockdiag *sd)
{
	if (!sd)
		return;
	mnl_socket_close(sd->nl);
	free(sd);
}

/* Write the request for q, with sequence number seq, at buf. */
static struct nlmsghdr *sd_put(char *buf, const struct sd_query *q, unsigned int seq)
{
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	/* no NLM_F_DUMP: an exact lookup, answered with one message or an error */
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = q->family;
	req->sdiag_protocol = q->proto;
	req->idiag_states = ~0u;
	req->id.idiag_sport = htons(q->sport);
	req->id.idiag_dport = htons(q->dport);
	memcpy(req->id.idiag_src, q->src, q->family == AF_INET ? 4 : 16);
	memcpy(req->id.idiag_dst, q->dst, q->family == AF_INET ? 4 : 16);
	req->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	return nlh;
}

static int sd_send(struct sockdiag *sd, const struct sd_query *q)
{
	struct nlmsghdr *nlh = sd_put(sd->buf, q, ++sd->seq);

	if (mnl_socket_sendto(sd->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	return 0;
}

/* One answer: 0 and the socket in out, or the error (an errno value). */
static int sd_answer(const struct nlmsghdr *nlh, struct inet_diag_msg *out)
{
	size_t plen = mnl_nlmsg_get_payload_len(nlh);

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		return plen < sizeof(*e) || e->error >= 0 ? EPROTO : -e->error;
	}
	if (nlh->nlmsg_type == NLMSG_DONE)
		return ENOENT;
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || plen < sizeof(*out))
		return EPROTO;
	memcpy(out, mnl_nlmsg_get_payload(nlh), sizeof(*out));
	return 0;
}

/*
 * Read until the answer carrying our sequence number arrives; replies to an
 * earlier, timed-out question are skipped.
 */
static int sd_recv(struct sockdiag *sd, struct inet_diag_msg *out)
{
	for (;;) {
		const struct nlmsghdr *nlh;
		ssize_t n;
		int len;

		n = mnl_socket_recvfrom(sd->nl, sd->buf, sizeof(sd->buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				errno = ETIMEDOUT;
			return -1;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)sd->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			int err;

			if (nlh->nlmsg_seq != sd->seq || nlh->nlmsg_pid != sd->portid)
				continue;
			err = sd_answer(nlh, out);
			if (err == 0)
				return 0;
			errno = err;
			return -1;
		}
	}
}

static int sd_query(struct sockdiag *sd, const struct sd_query *q,
		    struct inet_diag_msg *out)
{
	if (sd_send(sd, q) < 0)
		return -1;
	return sd_recv(sd, out);
}

static const uint8_t v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* Put ip into a query field of the given table family (v4-mapped if needed). */
static void put_addr(uint8_t *field, int table, const struct addr_ip *ip)
{
	memset(field, 0, 16);
	if (table == AF_INET) {
		memcpy(field, &ip->u.v4, 4);
	} else if (ip->family == AF_INET) {
		memcpy(field, v4mapped_prefix, 12);
		memcpy(field + 12, &ip->u.v4, 4);
	} else {
		memcpy(field, &ip->u.v6, 16);
	}
}

/* Is raw (as the kernel reported it for a socket of family fam) ip, or unset? */
static bool addr_is(int fam, const __be32 *raw, const struct addr_ip *ip,
		    bool allow_any)
{
	uint8_t want[16];
	static const uint8_t zero[16];
	size_t n = fam == AF_INET ? 4 : 16;

	if (allow_any && memcmp(raw, zero, n) == 0)
		return true;
	if (fam == AF_INET && ip->family != AF_INET)
		return false;
	put_addr(want, fam, ip);
	return memcmp(raw, want, n) == 0;
}

/*
 * The kernel's lookups fall back to wildcard and listening sockets, and the
 * UDP one treats the question's addresses in its own way, so make sure the
 * socket found really is the sender: its local port is the packet's source
 * port, its local address the source (or unbound), and if it is connected,
 * its peer is the packet's destination.
 */
static bool reply_matches(const struct inet_diag_msg *m, const struct pkt_info *pkt)
{
	int fam = m->idiag_family;

	if (fam != AF_INET && fam != AF_INET6)
		return false;
	if (ntohs(m->id.idiag_sport) != pkt->sport)
		return false;
	if (!addr_is(fam, m->id.idiag_src, &pkt->src, true))
		return false;
	if (m->id.idiag_dport == 0)
		return addr_is(fam, m->id.idiag_dst, &pkt->dst, true);
	return ntohs(m->id.idiag_dport) == pkt->dport &&
	       addr_is(fam, m->id.idiag_dst, &pkt->dst, false);
}

/*
 * One form of the question.  Measured on Linux 6.18 (see sockdiag_lookup):
 * TCP wants the socket's own view (src = local = packet source); UDP wants
 * it swapped (src = the peer = packet destination, dst = local), as
 * udp_diag passes the request straight to the receive-path lookup.  That
 * lookup scores wildcards itself, so the swapped exact form also finds
 * unconnected sockets and sockets bound to 0.0.0.0 or ::.
 */
struct sd_try {
	uint8_t table;		/* AF_INET6 for a v4 packet: dual-stack socket */
	bool swap;		/* src = peer, dst = local */
	bool any_peer;		/* peer 0.0.0.0/:: port 0 (unconnected socket) */
};

static void make_query(const struct pkt_info *pkt, const struct sd_try *t,
		       struct sd_query *q)
{
	uint8_t local[16], peer[16];
	uint16_t lport = pkt->sport, pport = t->any_peer ? 0 : pkt->dport;

	memset(q, 0, sizeof(*q));
	q->family = t->table;
	q->proto = pkt->proto;
	put_addr(local, t->table, &pkt->src);
	if (t->any_peer)
		memset(peer, 0, sizeof(peer));
	else
		put_addr(peer, t->table, &pkt->dst);
	memcpy(q->src, t->swap ? peer : local, 16);
	memcpy(q->dst, t->swap ? local : peer, 16);
	q->sport = t->swap ? pport : lport;
	q->dport = t->swap ? lport : pport;
}

static int try_one(struct sockdiag *sd, const struct pkt_info *pkt,
		   const struct sd_try *t, struct inet_diag_msg *m)
{
	struct sd_query q;

	make_query(pkt, t, &q);
	if (sd_query(sd, &q, m) < 0)
		return -1;
	if (!reply_matches(m, pkt)) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/*
 * Forms in the order tried; the first is the one that answers on 6.18, the
 * rest cost a round trip each only when the socket is gone, and cover
 * kernels that treat the request differently.
 */
static const struct sd_try tcp4_tries[] = {
	{ AF_INET, false, false },
	{ AF_INET6, false, false },
};
static const struct sd_try tcp6_tries[] = {
	{ AF_INET6, false, false },
};
static const struct sd_try udp4_tries[] = {
	{ AF_INET, true, false },
	{ AF_INET, true, true },
	{ AF_INET, false, false },
	{ AF_INET, false, true },
	{ AF_INET6, true, false },	/* dual-stack socket: ::ffff:a.b.c.d */
	{ AF_INET6, true, true },
};
static const struct sd_try udp6_tries[] = {
	{ AF_INET6, true, false },
	{ AF_INET6, true, true },
	{ AF_INET6, false, false },
	{ AF_INET6, false, true },
};

#define NTRIES(a)	(sizeof(a) / sizeof((a)[0]))

/* The forms to try for pkt, or -1 with errno if it cannot be looked up. */
static int tries_for(const struct pkt_info *pkt, const struct sd_try **tries,
		     size_t *n)
{
	bool v4 = pkt->src.family == AF_INET;

	if (pkt->proto != IPPROTO_TCP && pkt->proto != IPPROTO_UDP) {
		errno = EPROTONOSUPPORT;
		return -1;
	}
	if (pkt->src.family != pkt->dst.family || (!v4 && pkt->src.family != AF_INET6)) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (!pkt->has_ports) {
		errno = EINVAL;
		return -1;
	}
	if (pkt->proto == IPPROTO_TCP) {
		*tries = v4 ? tcp4_tries : tcp6_tries;
		*n = v4 ? NTRIES(tcp4_tries) : NTRIES(tcp6_tries);
	} else {
		*tries = v4 ? udp4_tries : udp6_tries;
		*n = v4 ? NTRIES(udp4_tries) : NTRIES(udp6_tries);
	}
	return 0;
}

static void fill_sock(const struct inet_diag_msg *m, struct sockdiag_sock *out)
{
	out->inode = m->idiag_inode;
	out->uid = m->idiag_uid;
	out->cookie = (uint64_t)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];
}

/*
 * Go on after "no such socket"; a kernel without IPv6 may refuse the
 * v4-mapped forms in other ways.  True: errno is the final answer.
 */
static bool final_error(const struct pkt_info *pkt, const struct sd_try *t)
{
	return errno != ENOENT && t->table == pkt->src.family;
}

/* Try forms tries[from..n) one round trip each. */
static int lookup_from(struct sockdiag *sd, const struct pkt_info *pkt,
		       const struct sd_try *tries, size_t n, size_t from,
		       struct sockdiag_sock *out)
{
	struct inet_diag_msg m;
	size_t i;

	for (i = from; i < n; i++) {
		if (try_one(sd, pkt, &tries[i], &m) == 0) {
			fill_sock(&m, out);
			return 0;
		}
		if (final_error(pkt, &tries[i]))
			return -1;
	}
	errno = ENOENT;
	return -1;
}

int sockdiag_lookup(struct sockdiag *sd, const struct pkt_info *pkt,
		    struct sockdiag_sock *out)
{
	const struct sd_try *tries;
	size_t n;

	if (!sd || !pkt || !out) {
		errno = EINVAL;
		return -1;
	}
	if (tries_for(pkt, &tries, &n) < 0)
		return -1;
	return lookup_from(sd, pkt, tries, n, 0, out);
}

/* One packet of a batch: where it goes in the caller's arrays, its forms. */
struct sd_item {
	unsigned int at;
	const struct sd_try *tries;
	size_t n_tries;
};

/* items[0..n) in their first form: one sendmsg(), then their answers. */
static void many_first_form(struct sockdiag *sd, const struct pkt_info *const pkts[],
			    const struct sd_item items[], unsigned int n,
			    struct inet_diag_msg m[], int err[])
{
	struct mmsghdr msgs[SD_BATCH];
	struct iovec iov[SD_BATCH];
	unsigned int first_seq = sd->seq + 1, i, got = 0;
	size_t len = 0;
	int r, k;

	for (i = 0; i < n; i++) {
		struct sd_query q;

		err[i] = EAGAIN;	/* not answered (yet) */
		memset(&m[i], 0, sizeof(m[i]));
		make_query(pkts[items[i].at], &items[i].tries[0], &q);
		len += NLMSG_ALIGN(sd_put(sd->reqs + len, &q, ++sd->seq)->nlmsg_len);
	}
	/* not sent: all stay EAGAIN, asked again alone (which reports why) */
	if (mnl_socket_sendto(sd->nl, sd->reqs, len) < 0)
		return;
	/* the kernel answered every question inside sendmsg(): all are queued */
	while (got < n) {
		for (i = 0; i < n - got; i++) {
			iov[i].iov_base = sd->answers[i];
			iov[i].iov_len = SD_ANSWER_LEN;
			memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		r = recvmmsg(mnl_socket_get_fd(sd->nl), msgs, n - got, MSG_DONTWAIT, NULL);
		if (r <= 0)
			return;	/* the rest stay EAGAIN: looked up alone */
		for (k = 0; k < r; k++) {
			const struct nlmsghdr *nlh = (const void *)sd->answers[k];
			int mlen = (int)msgs[k].msg_len;
			unsigned int at;

			if ((msgs[k].msg_hdr.msg_flags & MSG_TRUNC) ||
			    !mnl_nlmsg_ok(nlh, mlen) || nlh->nlmsg_pid != sd->portid)
				continue;
			at = nlh->nlmsg_seq - first_seq;
			if (at >= n)
				continue;	/* an answer to an earlier question */
			err[at] = sd_answer(nlh, &m[at]);
		}
		got += (unsigned int)r;
	}
}

/* Settle one packet from its first-form answer, asking further if needed. */
static int settle(struct sockdiag *sd, const struct pkt_info *pkt,
		  const struct sd_item *it, const struct inet_diag_msg *m,
		  int first_err, struct sockdiag_sock *out)
{
	size_t from = 1;

	if (first_err == 0 && reply_matches(m, pkt)) {
		fill_sock(m, out);
		return 0;
	}
	if (first_err == EAGAIN) {
		from = 0;		/* no answer read: ask again */
	} else if (first_err != 0) {
		errno = first_err;
		if (final_error(pkt, &it->tries[0]))
			return errno;
	}			/* else a bystander answered: next form */
	return lookup_from(sd, pkt, it->tries, it->n_tries, from, out) == 0 ?
	       0 : errno;
}

void sockdiag_lookup_many(struct sockdiag *sd, const struct pkt_info *const pkts[],
			  unsigned int n, struct sockdiag_sock out[], int err[])
{
	struct inet_diag_msg m[SD_BATCH];
	struct sd_item items[SD_BATCH];
	int first_err[SD_BATCH];
	unsigned int next = 0, cnt, j;

	while (next < n) {
		/* up to SD_BATCH packets that can be asked about */
		for (cnt = 0; next < n && cnt < SD_BATCH; next++) {
			struct sd_item *it = &items[cnt];

			if (!sd || !pkts[next]) {
				err[next] = EINVAL;
				continue;
			}
			if (tries_for(pkts[next], &it->tries, &it->n_tries) < 0) {
				err[next] = errno;
				continue;
			}
			it->at = next;
			cnt++;
		}
		if (cnt == 0)
			continue;
		many_first_form(sd, pkts, items, cnt, m, first_err);
		for (j = 0; j < cnt; j++)
			err[items[j].at] = settle(sd, pkts[items[j].at], &items[j],
						  &m[j], first_err[j],
						  &out[items[j].at]);
	}
}
