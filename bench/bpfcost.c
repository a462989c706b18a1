/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bpfcost: what the send-time record (src/bpfrec.c) costs a sender.
 * Sends COUNT UDP datagrams to an address it does not match (untrapped
 * traffic) and COUNT to one it does, without and with the record attached,
 * ROUNDS times in turn; prints one JSON line with the median CPU ns per
 * packet of each and the median of the rounds' differences (each round
 * measures both sides back to back, so slow drifts of a shared machine
 * cancel), and the cost of one take that finds nothing (one system
 * call).  The drain of the receiving socket is in both sides' figures.
 * No queue rule: matched packets are recorded and go on (and the hook
 * after the queue marks their records), which is the whole kernel-side
 * cost.  Runs in the caller's network namespace: both addresses must be
 * local (bench/run puts them on lo).
 *
 *   bpfcost MATCHED-ADDR UNMATCHED-ADDR PORT COUNT ROUNDS
 *
 * With "send", only the CPU ns per datagram to ADDR, the median of ROUNDS
 * runs of COUNT, with whatever is attached (bench/run runs it with and
 * without a whole ptrap running):
 *
 *   bpfcost send ADDR PORT COUNT ROUNDS
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "bpfrec.h"
#include "monotime.h"

/* CPU time of this thread: the send path runs in it, and time the
 * machine gives to others does not count. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct target {
	int tx, rx;		/* connected sender, bound sink */
};

static int target_open(const char *addr, const char *port, struct target *t)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (bench_addr(addr, port, &ss, &len) < 0)
		return -1;
	t->rx = bench_udp_bound("bpfcost", &ss, len);
	t->tx = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (t->rx < 0 || t->tx < 0 || connect(t->tx, (struct sockaddr *)&ss, len) < 0) {
		perror("bpfcost: socket");
		return -1;
	}
	return 0;
}

/* ns per datagram sent; the sink is drained as it goes so none is dropped. */
static double run(const struct target *t, long count)
{
	static char buf[2048];
	uint64_t t0, t1;
	long i;

	t0 = cpu_ns();
	for (i = 0; i < count; i++) {
		if (send(t->tx, "x", 1, 0) < 0 && errno != ENOBUFS)
			return -1;
		if ((i & 63) == 63)
			while (recv(t->rx, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
	}
	t1 = cpu_ns();
	while (recv(t->rx, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	return (double)(t1 - t0) / (double)count;
}

#define MAX_ROUNDS	200

static double median(double *v, long n)
{
	return bench_pct(v, n, 50);
}

/* One take for a packet of a flow never recorded: the system call. */
static double take_cost(struct bpfrec *br, long count)
{
	static const uint8_t pkt4[] = {
		0x45, 0, 0, 29, 0, 1, 0x40, 0, 64, 17, 0, 0,
		198, 51, 100, 99, 198, 51, 100, 98, 0x9c, 0x40, 0, 9, 0, 9, 0, 0, 'x',
	};
	struct queue_packet qp = { .data = pkt4, .len = sizeof(pkt4), .uid = -1 };
	struct bpfrec_entry e;
	struct pkt_info pkt;
	uint64_t t0;
	long i;

	if (pkt_parse(pkt4, sizeof(pkt4), &pkt) < 0)
		return -1;
	qp.rx_ns = monotime_ns();
	t0 = cpu_ns();
	for (i = 0; i < count; i++)
		if (bpfrec_take(br, &pkt, &qp, &e) == 0 || errno != ENOENT)
			return -1;
	return (double)(cpu_ns() - t0) / (double)count;
}

/* bpfcost send ADDR PORT COUNT ROUNDS */
static int send_only(char **argv)
{
	static double ns[MAX_ROUNDS];
	struct target t;
	long count = bench_num(argv[4], "count");
	long rounds = bench_num(argv[5], "rounds"), r;

	if (count < 1 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "bpfcost: bad arguments\n");
		return 2;
	}
	if (target_open(argv[2], argv[3], &t) < 0)
		return 1;
	for (r = 0; r < rounds; r++) {
		ns[r] = run(&t, count);
		if (ns[r] < 0) {
			perror("bpfcost: send");
			return 1;
		}
	}
	printf("{\"count\": %ld, \"rounds\": %ld, \"send_ns\": %.1f}\n",
	       count, rounds, median(ns, rounds));
	return 0;
}

int main(int argc, char **argv)
{
	static double off_u[MAX_ROUNDS], on_u[MAX_ROUNDS], d_u[MAX_ROUNDS];
	static double off_m[MAX_ROUNDS], on_m[MAX_ROUNDS], d_m[MAX_ROUNDS];
	static double take[MAX_ROUNDS];
	struct addr_prefix dest;
	struct addr_port_range port;
	struct bpfrec_match m = { .udp = true, .dests = &dest, .n_dests = 1,
				  .ports = &port, .n_ports = 1 };
	struct target matched, unmatched;
	double mo, md;
	struct bpfrec *br;
	long count, rounds, r;
	char why[256];

	if (argc == 6 && strcmp(argv[1], "send") == 0)
		return send_only(argv);
	if (argc != 6) {
		fprintf(stderr, "usage: %s MATCHED-ADDR UNMATCHED-ADDR PORT COUNT ROUNDS\n"
			"       %s send ADDR PORT COUNT ROUNDS\n", argv[0], argv[0]);
		return 2;
	}
	count = bench_num(argv[4], "count");
	rounds = bench_num(argv[5], "rounds");
	if (count < 1 || rounds < 1 || rounds > MAX_ROUNDS ||
	    addr_parse_prefix(argv[1], &dest) < 0 ||
	    addr_parse_port_range(argv[3], &port) < 0) {
		fprintf(stderr, "bpfcost: bad arguments\n");
		return 2;
	}
	if (target_open(argv[1], argv[3], &matched) < 0 ||
	    target_open(argv[2], argv[3], &unmatched) < 0)
		return 1;
	for (r = 0; r < rounds; r++) {
		off_u[r] = run(&unmatched, count);
		off_m[r] = run(&matched, count);
		br = bpfrec_open(&m, why, sizeof(why));
		if (!br) {
			fprintf(stderr, "bpfcost: %s\n", why);
			return errno == ENOTSUP ? 77 : 1;
		}
		on_u[r] = run(&unmatched, count);
		on_m[r] = run(&matched, count);
		take[r] = take_cost(br, count / 10 + 1);
		bpfrec_close(br);
		if (off_u[r] < 0 || off_m[r] < 0 || on_u[r] < 0 || on_m[r] < 0 || take[r] < 0) {
			perror("bpfcost: send");
			return 1;
		}
		d_u[r] = on_u[r] - off_u[r];
		d_m[r] = on_m[r] - off_m[r];
	}
	mo = median(off_u, rounds);
	md = median(d_u, rounds);
	printf("{\"count\": %ld, \"rounds\": %ld, \"unmatched_off_ns\": %.1f, "
	       "\"unmatched_on_ns\": %.1f, \"unmatched_extra_ns\": %.1f, "
	       "\"unmatched_ratio\": %.4f, \"matched_off_ns\": %.1f, "
	       "\"matched_on_ns\": %.1f, \"matched_extra_ns\": %.1f, "
	       "\"take_none_ns\": %.1f}\n",
	       count, rounds, mo, median(on_u, rounds), md, mo / (mo + md),
	       median(off_m, rounds), median(on_m, rounds), median(d_m, rounds),
	       median(take, rounds));
	return 0;
}
