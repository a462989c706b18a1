/*
 * naiveq: the reference NFQUEUE listener a first attempt would write.
 * It receives one packet, sends one verdict (accept), and repeats, on
 * queue NUM, until SIGINT/SIGTERM or SECONDS; it prints one JSON line.
 * It does nothing else: no parsing, no lookup, so it is the floor of
 * per-packet cost for the one-message-per-packet design.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "bench.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

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

int main(int argc, char **argv)
{
	size_t bufsz = 0xffff + (MNL_SOCKET_BUFFER_SIZE / 2);
	long num, secs = 60, packets = 0, errors = 0;
	struct mnl_socket *nl;
	struct sigaction sa;
	double deadline;
	unsigned int portid;
	char *buf;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s QUEUE_NUM [SECONDS]\n", argv[0]);
		return 2;
	}
	num = bench_num(argv[1], "queue number");
	if (argc == 3)
		secs = bench_num(argv[2], "seconds");
	if (num < 0 || num > 65535 || secs < 0)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
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
	while (!stop && bench_now() < deadline) {
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
