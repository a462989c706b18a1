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

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	struct sockaddr_storage ss, peer;
	long secs = 600, echoed = 0;
	struct sigaction sa;
	double deadline;
	socklen_t len;
	char buf[2048];
	int fd, one = 1;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s ADDR PORT [SECONDS]\n", argv[0]);
		return 2;
	}
	if (argc == 4)
		secs = bench_num(argv[3], "seconds");
	if (secs < 0 || bench_addr(argv[1], argv[2], &ss, &len) < 0)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("udpecho: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		perror("udpecho: bind");
		return 1;
	}
	fprintf(stderr, "ready\n");
	deadline = bench_now() + secs;
	while (!stop && bench_now() < deadline) {
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
