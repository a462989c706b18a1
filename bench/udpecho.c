/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udpecho: the tiny UDP echo server of the latency and new-flow
 * scenarios.  It sends every datagram back to its sender until
 * SIGINT/SIGTERM or SECONDS.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	struct sockaddr_storage ss, peer;
	long secs = 600, echoed = 0;
	double deadline;
	socklen_t len;
	char buf[2048];
	int fd;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s ADDR PORT [SECONDS]\n", argv[0]);
		return 2;
	}
	if (argc == 4)
		secs = bench_num(argv[3], "seconds");
	if (secs < 0 || bench_addr(argv[1], argv[2], &ss, &len) < 0)
		return 2;
	bench_catch_stop();
	fd = bench_udp_bound("udpecho", &ss, len);
	if (fd < 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	fprintf(stderr, "ready\n");
	deadline = bench_now() + secs;
	while (!bench_stop && bench_now() < deadline) {
		socklen_t plen = sizeof(peer);
		ssize_t r;

		r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);
		if (r < 0)
			continue;
		if (sendto(fd, buf, r, 0, (struct sockaddr *)&peer, plen) == r)
			echoed++;
	}
	close(fd);
	printf("{\"echoed\":%ld}\n", echoed);
	return 0;
}
