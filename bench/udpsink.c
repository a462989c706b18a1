/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udpsink: count UDP datagrams arriving on ADDR PORT until COUNT have
 * arrived, nothing came for IDLE_MS after the first one, or SECONDS
 * passed; print one JSON line.  The rate is taken from first to last
 * arrival, so it is the rate packets got through the queue.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

#define BATCH	256
#define RCVBUF	(32 << 20)

int main(int argc, char **argv)
{
	static struct mmsghdr msgs[BATCH];
	static struct iovec iov[BATCH];
	static char buf[BATCH][2048];
	struct sockaddr_storage ss;
	long count, idle, secs, got = 0;
	double first = 0, last = 0, deadline;
	int fd, i, rcvbuf = RCVBUF;
	socklen_t len;

	if (argc != 6) {
		fprintf(stderr, "usage: %s ADDR PORT COUNT IDLE_MS SECONDS\n", argv[0]);
		return 2;
	}
	count = bench_num(argv[3], "count");
	idle = bench_num(argv[4], "idle");
	secs = bench_num(argv[5], "seconds");
	if (count < 0 || idle < 1 || secs < 0 ||
	    bench_addr(argv[1], argv[2], &ss, &len) < 0)
		return 2;
	bench_catch_stop();
	fd = bench_udp_bound("udpsink", &ss, len);
	if (fd < 0)
		return 1;
	/* the sink must never be the bottleneck: drops here would be ours */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = sizeof(buf[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	/* "ready" on stderr lets the harness start the sender without sleeping */
	fprintf(stderr, "ready\n");
	deadline = bench_now() + secs;
	while (!bench_stop && got < count) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double now = bench_now();
		int r, wait_ms = 200;

		if (now > deadline)
			break;
		if (got && (now - last) * 1000 > idle)
			break;
		r = poll(&pfd, 1, wait_ms);
		if (r <= 0)
			continue;
		r = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
		if (r <= 0)
			continue;
		last = bench_now();
		if (!got)
			first = last;
		got += r;
	}
	close(fd);
	printf("{\"received\":%ld,\"seconds\":%.6f,\"pps\":%.0f}\n", got,
	       last - first, last > first ? got / (last - first) : 0.0);
	return 0;
}
