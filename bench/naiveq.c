/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * naiveq: the reference NFQUEUE listener a first attempt would write.
 * It receives one packet, sends one verdict (accept), and repeats, on
 * queue NUM, until SIGINT/SIGTERM or SECONDS; it prints one JSON line.
 * It does nothing else: no parsing, no lookup, so it is the floor of
 * per-packet cost for the one-message-per-packet design.
 *
 * "naiveq QUEUE SECONDS batch" is the other floor, the cheapest listener
 * of ptrap's own design: recvmmsg() up to BATCHQ_N messages a call, one
 * NFQNL_MSG_VERDICT_BATCH for the highest id.  Neither attributes, so
 * what ptrap adds beyond them is its own work; what they add over no
 * queue at all is the kernel's queue round trip, which no listener avoids.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "bench.h"

#define BATCHQ_N	64
#define BATCHQ_BUF	(0xffff + 4096)

static int naiveq_send(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	return 0;
}

static int naiveq_bind(struct mnl_socket *nl, char *buf, unsigned int num)
{
	struct nlmsghdr *nlh;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	if (naiveq_send(nl, nlh) < 0)
		return -1;
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	return naiveq_send(nl, nlh);
}

struct naiveq_pkt {
	uint32_t id;
	int have;
};

static int naiveq_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	struct naiveq_pkt *p = data;
	struct nfqnl_msg_packet_hdr *ph;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	p->id = ntohl(ph->packet_id);
	p->have = 1;
	return MNL_CB_OK;
}

/* recvmmsg + batch verdict; returns packets seen, counts errors. */
static long batchq_run(struct mnl_socket *nl, unsigned int portid, long num,
		       double deadline, long *errors)
{
	struct mmsghdr msgs[BATCHQ_N];
	struct iovec iov[BATCHQ_N];
	char *bufs, out[256];
	long packets = 0;
	int i, n;

	int rcvbuf = 8 << 20;

	/* as ptrap does: a burst must not overflow the socket (ENOBUFS) */
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		   sizeof(rcvbuf));
	bufs = malloc((size_t)BATCHQ_N * BATCHQ_BUF);
	if (!bufs)
		return -1;
	for (i = 0; i < BATCHQ_N; i++) {
		iov[i].iov_base = bufs + (size_t)i * BATCHQ_BUF;
		iov[i].iov_len = BATCHQ_BUF;
	}
	while (!bench_stop && bench_now() < deadline) {
		struct naiveq_pkt p = { 0, 0 }, last = { 0, 0 };
		struct nlmsghdr *nlh;

		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < BATCHQ_N; i++) {
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(mnl_socket_get_fd(nl), msgs, BATCHQ_N,
			     MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				(*errors)++;
			continue;
		}
		for (i = 0; i < n; i++) {
			p.have = 0;
			if (mnl_cb_run(iov[i].iov_base, msgs[i].msg_len, 0, portid,
				       naiveq_cb, &p) < 0 || !p.have)
				continue;
			packets++;
			if (!last.have || p.id > last.id)
				last = p;
		}
		if (!last.have)
			continue;
		nlh = nfq_nlmsg_put(out, NFQNL_MSG_VERDICT_BATCH, num);
		nfq_nlmsg_verdict_put(nlh, last.id, NF_ACCEPT);
		if (naiveq_send(nl, nlh) < 0)
			(*errors)++;
	}
	free(bufs);
	return packets;
}

int main(int argc, char **argv)
{
	size_t bufsz = 0xffff + (MNL_SOCKET_BUFFER_SIZE / 2);
	long num, secs = 60, packets = 0, errors = 0;
	struct mnl_socket *nl;
	double deadline;
	unsigned int portid;
	char *buf;

	int batch = argc == 4 && strcmp(argv[3], "batch") == 0;

	if (argc < 2 || argc > 4 || (argc == 4 && !batch)) {
		fprintf(stderr, "usage: %s QUEUE_NUM [SECONDS [batch]]\n", argv[0]);
		return 2;
	}
	num = bench_num(argv[1], "queue number");
	if (argc >= 3)
		secs = bench_num(argv[2], "seconds");
	if (num < 0 || num > 65535 || secs < 0)
		return 2;
	bench_catch_stop();
	buf = malloc(bufsz);
	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!buf || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("naiveq: netlink");
		return 1;
	}
	portid = mnl_socket_get_portid(nl);
	if (naiveq_bind(nl, buf, num) < 0) {
		perror("naiveq: bind queue");
		return 1;
	}
	fprintf(stderr, "ready\n");
	deadline = bench_now() + secs;
	/* a timeout on recv lets the deadline and signals be seen when idle */
	{
		struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };

		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	if (batch)
		packets = batchq_run(nl, portid, num, deadline, &errors);
	while (!batch && !bench_stop && bench_now() < deadline) {
		struct naiveq_pkt p = { 0, 0 };
		struct nlmsghdr *nlh;
		ssize_t r;

		r = mnl_socket_recvfrom(nl, buf, bufsz);
		if (r < 0) {
			if (errno != EAGAIN && errno != EINTR)
				errors++;	/* ENOBUFS: messages were lost */
			continue;
		}
		if (mnl_cb_run(buf, r, 0, portid, naiveq_cb, &p) < 0 || !p.have)
			continue;
		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, num);
		nfq_nlmsg_verdict_put(nlh, p.id, NF_ACCEPT);
		if (naiveq_send(nl, nlh) < 0)
			errors++;
		packets++;
	}
	mnl_socket_close(nl);
	free(buf);
	printf("{\"packets\":%ld,\"errors\":%ld}\n", packets, errors);
	return 0;
}
