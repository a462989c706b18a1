/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared helpers for the benchmark programs. */
#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

int bench_addr(const char *addr, const char *port,
	       struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	long p = bench_num(port, "port");

	memset(ss, 0, sizeof(*ss));
	if (p < 0 || p > 65535) {
		errno = EINVAL;
		return -1;
	}
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(p);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(p);
		*len = sizeof(*s6);
		return 0;
	}
	errno = EINVAL;
	return -1;
}

long bench_num(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "bad %s: %s\n", what, s);
		errno = EINVAL;
		return -1;
	}
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_pct(double *v, long n, double p)
{
	long i;

	if (n <= 0)
		return -1;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (long)(p / 100.0 * (n - 1) + 0.5);
	return v[i];
}

volatile sig_atomic_t bench_stop;

static void on_stop(int sig)
{
	(void)sig;
	bench_stop = 1;
}

void bench_catch_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

int bench_udp_bound(const char *prog, const struct sockaddr_storage *ss,
		    socklen_t len)
{
	int fd, one = 1;

	fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "%s: socket: %s\n", prog, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) < 0) {
		fprintf(stderr, "%s: bind: %s\n", prog, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
