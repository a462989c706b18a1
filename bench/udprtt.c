/*
 * udprtt: request/response clients against udpecho.
 *
 *   udprtt rtt ADDR PORT N [SECONDS]     one socket, N requests one at a time
 *   udprtt flows ADDR PORT N [SECONDS]   N short-lived sockets, one request each
 *
 * Both print one JSON line: completed requests, lost ones (no reply in
 * TIMEOUT_MS), the rate, and p50/p99 of the round trip in microseconds.
 * In "flows" mode each round trip includes socket(), connect() and the
 * first packet of a new flow, which is what a trap has to look up.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

#define TIMEOUT_MS	1000

/* One request on fd, its reply within TIMEOUT_MS: 0, else -1. */
static int udprtt_once(int fd, long seq)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char req[32], rep[64];
	int len = snprintf(req, sizeof(req), "req %ld", seq);

	if (send(fd, req, len, 0) != len)
		return -1;
	for (;;) {
		ssize_t r;

		if (poll(&pfd, 1, TIMEOUT_MS) <= 0)
			return -1;
		r = recv(fd, rep, sizeof(rep), 0);
		if (r < 0)
			return -1;
		/* a late reply to an earlier, timed-out request: skip it */
		if (r == len && !memcmp(req, rep, len))
			return 0;
	}
}

static int udprtt_socket(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	long n, secs = 60, done = 0, lost = 0, i;
	double t0, t1, deadline, *rtt;
	int flows, fd = -1;
	socklen_t len;

	if (argc < 5 || argc > 6 ||
	    (strcmp(argv[1], "rtt") && strcmp(argv[1], "flows"))) {
		fprintf(stderr, "usage: %s rtt|flows ADDR PORT N [SECONDS]\n", argv[0]);
		return 2;
	}
	flows = !strcmp(argv[1], "flows");
	n = bench_num(argv[4], "count");
	if (argc == 6)
		secs = bench_num(argv[5], "seconds");
	if (n < 1 || secs < 0 || bench_addr(argv[2], argv[3], &ss, &len) < 0)
		return 2;
	rtt = calloc(n, sizeof(*rtt));
	if (!rtt) {
		perror("udprtt");
		return 1;
	}
	if (!flows && (fd = udprtt_socket(&ss, len)) < 0) {
		perror("udprtt: socket");
		return 1;
	}
	t0 = bench_now();
	deadline = t0 + secs;
	for (i = 0; i < n && bench_now() < deadline; i++) {
		double s = bench_now();
		int r;

		if (flows) {
			fd = udprtt_socket(&ss, len);
			if (fd < 0) {
				perror("udprtt: socket");
				return 1;
			}
		}
		r = udprtt_once(fd, i);
		if (flows)
			close(fd);
		if (r < 0) {
			lost++;
			continue;
		}
		rtt[done++] = (bench_now() - s) * 1e6;
	}
	t1 = bench_now();
	if (!flows)
		close(fd);
	printf("{\"mode\":\"%s\",\"done\":%ld,\"lost\":%ld,\"seconds\":%.6f,"
	       "\"rate\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f}\n",
	       argv[1], done, lost, t1 - t0, t1 > t0 ? done / (t1 - t0) : 0.0,
	       bench_pct(rtt, done, 50), bench_pct(rtt, done, 99));
	free(rtt);
	return 0;
}
