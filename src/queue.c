/* SPDX-License-Identifier: GPL-2.0-or-later */
/* queue: the NFQUEUE socket: bind, receive packets in batches, send verdicts. */
#include "queue.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "monotime.h"

#define QUEUE_MAXLEN	8192		/* packets the kernel holds for us */
#define QUEUE_RCVBUF	(16 << 20)	/* bursts wait here, not in drops */
#define QUEUE_SBUF	(64 * 1024)	/* verdicts batched into one sendmsg */
#define QUEUE_RX_MSGS	QUEUE_RX_MAX	/* messages read by one recvmmsg() */
#define QUEUE_RX_TOTAL	(2 << 20)	/* cap on all receive buffers together */
#define QUEUE_HDR_ROOM	4096		/* netlink + nfqueue attributes around the copy */

struct queue {
	struct mnl_socket *nl;
	unsigned int num;
	unsigned int portid;
	char *rbuf;			/* rx_msgs buffers of rbuf_len bytes */
	size_t rbuf_len;
	unsigned int rx_msgs;
	struct mmsghdr *mmsg;
	struct iovec *iov;
	uint32_t last_id;		/* to count ids the kernel skipped */
	char *sbuf;
	size_t sbuf_used;
	unsigned int sbuf_verdicts;	/* accept verdicts in sbuf */
	uint32_t sbuf_max_id;		/* the newest id among them */
	struct queue_stats stats;
};

struct queue_rx {
	struct queue *q;
	queue_packet_cb cb;
	void *arg;
	int count;
	uint64_t rx_ns;		/* when the current read returned */
};

static int queue_parse_packet(const struct nlmsghdr *nlh, void *data)
{
	struct queue_rx *rx = data;
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	struct nfqnl_msg_packet_hdr *ph;
	struct queue_packet p = { .uid = -1, .gid = -1, .rx_ns = rx->rx_ns };

	if ((nlh->nlmsg_type & 0xff) != NFQNL_MSG_PACKET)
		return MNL_CB_OK;
	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_OK;	/* malformed: nothing to give a verdict for */

	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	p.id = ntohl(ph->packet_id);
	if (attr[NFQA_PAYLOAD]) {
		p.data = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
		p.len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	}
	p.orig_len = attr[NFQA_CAP_LEN] ? ntohl(mnl_attr_get_u32(attr[NFQA_CAP_LEN])) : p.len;
	if (attr[NFQA_UID])
		p.uid = ntohl(mnl_attr_get_u32(attr[NFQA_UID]));
	if (attr[NFQA_GID])
		p.gid = ntohl(mnl_attr_get_u32(attr[NFQA_GID]));
	if (attr[NFQA_IFINDEX_OUTDEV])
		p.outdev = ntohl(mnl_attr_get_u32(attr[NFQA_IFINDEX_OUTDEV]));

	/*
	 * Ids are given out consecutively to the messages the kernel sends
	 * us; a gap is messages it could not deliver (socket buffer full,
	 * reported without ENOBUFS), whose packets fail-open accepted.
	 */
	if (rx->q->stats.received && p.id - rx->q->last_id - 1 < 0x80000000u)
		rx->q->stats.id_gaps += p.id - rx->q->last_id - 1;
	rx->q->last_id = p.id;
	rx->q->stats.received++;
	rx->count++;
	if (rx->cb)
		rx->cb(&p, rx->arg);
	else
		queue_accept(rx->q, p.id);
	return MNL_CB_OK;
}

/*
 * Send one config message and wait for its ack.  Packets that arrive
 * meanwhile (rules may already point here) are accepted, never stranded.
 */
static int queue_config(struct queue *q, struct nlmsghdr *nlh)
{
	struct queue_rx rx = { .q = q };
	uint32_t seq = (uint32_t)time(NULL) ^ (uint32_t)nlh->nlmsg_type;
	ssize_t n;
	int ret;

	if (seq == 0)
		seq = 1;
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		n = mnl_socket_recvfrom(q->nl, q->rbuf, q->rbuf_len);
		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			return -1;
		}
		ret = mnl_cb_run(q->rbuf, n, seq, q->portid, queue_parse_packet, &rx);
		if (ret <= MNL_CB_STOP)	/* the ack (STOP) or an error (-1, errno) */
			break;
	}
	queue_flush(q);
	return ret < 0 ? -1 : 0;
}

struct queue *queue_open(unsigned int num, unsigned int copy_range)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct queue *q;
	uint32_t flags = NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO | NFQA_CFG_F_UID_GID;
	int size = QUEUE_RCVBUF, one = 1, saved;
	unsigned int i;

	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->num = num;
	/* Sized by what is copied: small buffers when -w is not asked for. */
	if (copy_range == 0 || copy_range > 0xffff)
		copy_range = 0xffff;
	/* Each buffer starts a netlink header: keep them 8-byte aligned. */
	q->rbuf_len = (copy_range + QUEUE_HDR_ROOM + 7) & ~7u;
	q->rx_msgs = QUEUE_RX_TOTAL / q->rbuf_len;
	if (q->rx_msgs > QUEUE_RX_MSGS)
		q->rx_msgs = QUEUE_RX_MSGS;
	if (q->rx_msgs == 0)
		q->rx_msgs = 1;
	q->rbuf = malloc(q->rbuf_len * q->rx_msgs);
	q->mmsg = calloc(q->rx_msgs, sizeof(*q->mmsg));
	q->iov = calloc(q->rx_msgs, sizeof(*q->iov));
	q->sbuf = malloc(QUEUE_SBUF);
	if (!q->rbuf || !q->mmsg || !q->iov || !q->sbuf)
		goto err;
	for (i = 0; i < q->rx_msgs; i++) {
		q->iov[i].iov_base = q->rbuf + (size_t)i * q->rbuf_len;
		q->iov[i].iov_len = q->rbuf_len;
		q->mmsg[i].msg_hdr.msg_iov = &q->iov[i];
		q->mmsg[i].msg_hdr.msg_iovlen = 1;
	}

	q->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!q->nl)
		goto err;
	if (mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	q->portid = mnl_socket_get_portid(q->nl);
	/* FORCE works for root past rmem_max; the plain one is the fallback. */
	if (setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &size, sizeof(size)) < 0)
		setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUF,
			   &size, sizeof(size));
	/*
	 * An overrun then costs only the messages that did not fit (their
	 * packets are accepted by fail-open, and counted by the id gap),
	 * not an error return in the middle of a batch.
	 */
	setsockopt(mnl_socket_get_fd(q->nl), SOL_NETLINK, NETLINK_NO_ENOBUFS,
		   &one, sizeof(one));

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
	if (queue_config(q, nlh) < 0) {
		/* The kernel says EPERM when another socket owns the queue. */
		if (errno == EPERM)
			errno = EBUSY;
		goto err;
	}

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, copy_range);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, QUEUE_MAXLEN);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags));
	if (queue_config(q, nlh) < 0)
		goto err;
	return q;
err:
	saved = errno;
	queue_close(q);
	errno = saved;
	return NULL;
}

void queue_close(struct queue *q)
{
	if (!q)
		return;
	if (q->nl) {
		queue_flush(q);
		/* Closing the socket unbinds the queue; no message needed. */
		mnl_socket_close(q->nl);
	}
	free(q->rbuf);
	free(q->mmsg);
	free(q->iov);
	free(q->sbuf);
	free(q);
}

int queue_fd(const struct queue *q)
{
	return mnl_socket_get_fd(q->nl);
}

int queue_receive(struct queue *q, unsigned int max, queue_packet_cb cb,
		  queue_read_cb done, void *arg)
{
	struct queue_rx rx = { .q = q, .cb = cb, .arg = arg };
	unsigned int got = 0, want;
	int i, n;

	/* One syscall brings up to rx_msgs messages (one packet each). */
	while (got < max) {
		want = max - got < q->rx_msgs ? max - got : q->rx_msgs;
		n = recvmmsg(mnl_socket_get_fd(q->nl), q->mmsg, want, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* Lost messages; fail-open already accepted their packets. */
				q->stats.enobufs++;
				continue;
			}
			return -1;
		}
		q->stats.reads++;
		rx.rx_ns = monotime_ns();
		for (i = 0; i < n; i++) {
			/*
			 * An error message here answers one of our verdicts
			 * (the kernel dropped that packet already, e.g. its
			 * device went down): it is counted, never fatal, or
			 * one odd packet would stop the trap.
			 */
			if (mnl_cb_run(q->iov[i].iov_base, q->mmsg[i].msg_len, 0,
				       q->portid, queue_parse_packet, &rx) < 0)
				q->stats.errors++;
		}
		if (done)
			done(arg);
		got += (unsigned int)n;
		if ((unsigned int)n < want)
			break;	/* drained */
	}
	return rx.count;
}

int queue_accept(struct queue *q, uint32_t id)
{
	struct nlmsghdr *nlh;

	if (QUEUE_SBUF - q->sbuf_used < 128 && queue_flush(q) < 0)
		return -1;
	nlh = nfq_nlmsg_put(q->sbuf + q->sbuf_used, NFQNL_MSG_VERDICT, q->num);
	nfq_nlmsg_verdict_put(nlh, id, NF_ACCEPT);
	q->sbuf_used += NLMSG_ALIGN(nlh->nlmsg_len);
	if (q->sbuf_verdicts == 0 || id - q->sbuf_max_id < 0x80000000u)
		q->sbuf_max_id = id;
	q->sbuf_verdicts++;
	q->stats.verdicts++;
	return 0;
}

int queue_flush(struct queue *q)
{
	ssize_t n;

	if (q->sbuf_used == 0)
		return 0;
	/*
	 * When every packet we were given has its verdict in this batch
	 * (none is held by a hook), one batch verdict for the newest id says
	 * the same: the kernel accepts every queued id up to it, and the ids
	 * above it were not given to us yet.  It saves the kernel parsing
	 * one message per packet.
	 */
	if (q->sbuf_verdicts > 1 && q->stats.verdicts == q->stats.received) {
		struct nlmsghdr *nlh = nfq_nlmsg_put(q->sbuf, NFQNL_MSG_VERDICT_BATCH, q->num);

		nfq_nlmsg_verdict_put(nlh, q->sbuf_max_id, NF_ACCEPT);
		q->sbuf_used = nlh->nlmsg_len;
	}
	/* The kernel walks every message in one send: one syscall per batch. */
	n = mnl_socket_sendto(q->nl, q->sbuf, q->sbuf_used);
	q->sbuf_used = 0;
	q->sbuf_verdicts = 0;
	return n < 0 ? -1 : 0;
}

void queue_get_stats(const struct queue *q, struct queue_stats *st)
{
	*st = q->stats;
}
