/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udprtt: request/response clients against udpecho.
 *
 *   udprtt rtt ADDR PORT N [SECONDS]     one socket, N requests one at a time
 *   udprtt flows ADDR PORT N [SECONDS [PARALLEL]]
 *                                        N short-lived sockets, one request
 *                                        each, PARALLEL of them in flight
 *
 * Both print one JSON line: completed requests, lost ones (no reply in
 * TIMEOUT_MS), the rate, and p50/p99 of the round trip in microseconds.
 * In "flows" mode each round trip includes socket(), connect() and the
 * first packet of a new flow, which is what a trap has to look up.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

#define TIMEOUT_MS	1000
#define MAX_PARALLEL	256

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

/* A flow in flight: its socket, its request number, when it started. */
struct flow {
	int fd;			/* -1: slot free */
	long seq;
	double start;
};

/* A new socket sends request seq; false if that failed (counted lost). */
static bool flow_start(struct flow *f, const struct sockaddr_storage *ss,
		       socklen_t len, long seq)
{
	char req[32];
	int n = snprintf(req, sizeof(req), "req %ld", seq);

	f->seq = seq;
	f->start = bench_now();
	f->fd = udprtt_socket(ss, len);
	if (f->fd < 0)
		return false;
	if (send(f->fd, req, n, 0) != n) {
		close(f->fd);
		f->fd = -1;
		return false;
	}
	return true;
}

/* Its reply arrived: true.  A late reply to nothing else is skipped. */
static bool flow_answered(const struct flow *f)
{
	char req[32], rep[64];
	int n = snprintf(req, sizeof(req), "req %ld", f->seq);
	ssize_t r;

	while ((r = recv(f->fd, rep, sizeof(rep), MSG_DONTWAIT)) >= 0)
		if (r == n && !memcmp(req, rep, n))
			return true;
	return false;
}

/*
 * n short-lived flows, par of them in flight at once: each socket sends
 * one request, waits for its reply (or TIMEOUT_MS) and is closed, and a
 * new one takes its place.  par 1 is one client waiting on each flow.
 */
static void flows_run(const struct sockaddr_storage *ss, socklen_t len,
		      long n, int par, double deadline, double *rtt,
		      long *done, long *lost)
{
	struct pollfd pfd[MAX_PARALLEL];
	struct flow fl[MAX_PARALLEL];
	long started = 0;
	int i, active = 0;

	for (i = 0; i < par; i++) {
		fl[i].fd = -1;
		while (fl[i].fd < 0 && started < n) {
			if (!flow_start(&fl[i], ss, len, started++))
				(*lost)++;
		}
		if (fl[i].fd >= 0)
			active++;
	}
	while (active > 0) {
		double now;

		for (i = 0; i < par; i++) {
			pfd[i].fd = fl[i].fd;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, par, 100) < 0 && errno != EINTR)
			break;
		now = bench_now();
		for (i = 0; i < par; i++) {
			struct flow *f = &fl[i];

			if (f->fd < 0)
				continue;
			if ((pfd[i].revents & POLLIN) && flow_answered(f)) {
				rtt[(*done)++] = (bench_now() - f->start) * 1e6;
			} else if ((now - f->start) * 1000 > TIMEOUT_MS) {
				(*lost)++;
			} else {
				continue;
			}
			close(f->fd);
			f->fd = -1;
			active--;
			while (f->fd < 0 && started < n && bench_now() < deadline) {
				if (!flow_start(f, ss, len, started++))
					(*lost)++;
			}
			if (f->fd >= 0)
				active++;
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	long n, secs = 60, done = 0, lost = 0, i;
	double t0, t1, deadline, *rtt;
	int flows, fd = -1;
	long par = 1;
	socklen_t len;

	if (argc < 5 || argc > 7 ||
	    (strcmp(argv[1], "rtt") && strcmp(argv[1], "flows")) ||
	    (argc == 7 && strcmp(argv[1], "flows"))) {
		fprintf(stderr, "usage: %s rtt ADDR PORT N [SECONDS]\n"
			"       %s flows ADDR PORT N [SECONDS [PARALLEL]]\n",
			argv[0], argv[0]);
		return 2;
	}
	flows = !strcmp(argv[1], "flows");
	n = bench_num(argv[4], "count");
	if (argc >= 6)
		secs = bench_num(argv[5], "seconds");
	if (argc == 7)
		par = bench_num(argv[6], "parallel");
	if (n < 1 || secs < 0 || par < 1 || par > MAX_PARALLEL ||
	    bench_addr(argv[2], argv[3], &ss, &len) < 0)
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
	if (flows)
		flows_run(&ss, len, n, (int)par, deadline, rtt, &done, &lost);
	for (i = 0; !flows && i < n && bench_now() < deadline; i++) {
		double s = bench_now();

		if (udprtt_once(fd, i) < 0) {
			lost++;
			continue;
		}
		rtt[done++] = (bench_now() - s) * 1e6;
	}
	t1 = bench_now();
	if (!flows)
		close(fd);
	printf("{\"mode\":\"%s\",\"done\":%ld,\"lost\":%ld,\"seconds\":%.6f,"
	       "\"parallel\":%ld,\"rate\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f}\n",
	       argv[1], done, lost, t1 - t0, par, t1 > t0 ? done / (t1 - t0) : 0.0,
	       bench_pct(rtt, done, 50), bench_pct(rtt, done, 99));
	free(rtt);
	return 0;
}
