/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small shared helpers for the benchmark programs (not part of ptrap). */
#ifndef PTRAP_BENCH_H
#define PTRAP_BENCH_H

#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Parses "ADDR" and "PORT" into an IPv4 or IPv6 socket address. */
int bench_addr(const char *addr, const char *port,
	       struct sockaddr_storage *ss, socklen_t *len);
/* Parses a non-negative decimal; -1 (and a message) on error. */
long bench_num(const char *s, const char *what);
/* Set by SIGINT/SIGTERM once bench_catch_stop() ran: time to finish. */
extern volatile sig_atomic_t bench_stop;
void bench_catch_stop(void);
/* A UDP socket bound to ss (SO_REUSEADDR); -1 with a message naming prog. */
int bench_udp_bound(const char *prog, const struct sockaddr_storage *ss,
		    socklen_t len);
/* Sorts v[0..n) and returns the value at percentile p (0..100). */
double bench_pct(double *v, long n, double p);

#endif
