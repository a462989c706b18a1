/* Shared helpers for the benchmark programs. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
