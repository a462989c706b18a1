/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udpsend: send COUNT UDP datagrams of SIZE bytes to ADDR PORT with
 * sendmmsg(), BATCH per call, for at most SECONDS; print one JSON line.
 * The sender of the throughput scenarios: it measures what the kernel
 * lets through the OUTPUT path, the sink measures what arrived.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench.h"

#define MAX_BATCH	1024

int main(int argc, char **argv)
{
	static struct mmsghdr msgs[MAX_BATCH];
	static struct iovec iov[MAX_BATCH];
	static char payload[65000];
	struct sockaddr_storage ss;
	long count, size, batch, secs = 30, sent = 0, errs = 0, calls = 0;
	double t0, t1, deadline;
	socklen_t len;
	int fd, i;

	if (argc < 6 || argc > 7) {
		fprintf(stderr, "usage: %s ADDR PORT COUNT SIZE BATCH [SECONDS]\n", argv[0]);
		return 2;
	}
	count = bench_num(argv[3], "count");
	size = bench_num(argv[4], "size");
	batch = bench_num(argv[5], "batch");
	if (argc == 7)
		secs = bench_num(argv[6], "seconds");
	if (count < 0 || size < 0 || size > (long)sizeof(payload) ||
	    batch < 1 || batch > MAX_BATCH || secs < 0 ||
	    bench_addr(argv[1], argv[2], &ss, &len) < 0) {
		fprintf(stderr, "udpsend: bad arguments\n");
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
		perror("udpsend: socket");
		return 1;
	}
	memset(payload, 'x', size);
	for (i = 0; i < batch; i++) {
		iov[i].iov_base = payload;
		iov[i].iov_len = size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = bench_now();
	deadline = t0 + secs;
	while (sent < count) {
		long n = count - sent < batch ? count - sent : batch;
		int r = sendmmsg(fd, msgs, n, 0);

		calls++;
		if (r < 0) {
			/* ECONNREFUSED from an earlier ICMP, ENOBUFS: count, go on */
			if (errno != EINTR)
				errs++;
		} else {
			sent += r;
		}
		if ((calls & 63) == 0 && bench_now() > deadline)
			break;
	}
	t1 = bench_now();
	close(fd);
	printf("{\"sent\":%ld,\"errors\":%ld,\"seconds\":%.6f,\"pps\":%.0f}\n",
	       sent, errs, t1 - t0, t1 > t0 ? sent / (t1 - t0) : 0.0);
	return 0;
}
