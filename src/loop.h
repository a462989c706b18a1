/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loop: the event loop.  One epoll set: the queue socket, a signalfd, a
 * timerfd for hold and hook deadlines, and the hooks' output pipes.
 */
#ifndef PTRAP_LOOP_H
#define PTRAP_LOOP_H

#include <stdio.h>
#include "bpfrec.h"
#include "cli.h"
#include "pcapng.h"
#include "queue.h"
#include "resolver.h"
#include "stats.h"

struct loop_stats {
	/*
	 * What the loop counts, in the statistics' own struct (stats.h): the
	 * queue's and the kernel's figures join them when they are printed.
	 */
	struct stats count;
	/*
	 * Packets the rules sent to the queue, from their counters (set by
	 * main; NULL when the backend has none): see stats.h.
	 */
	int (*rule_matches)(void *arg, unsigned long long *pkts);
	void *rule_matches_arg;
	/* The send-time record, for its counters (set by main; NULL: off). */
	const struct bpfrec *record;
};

/*
 * Serve packets until SIGINT or SIGTERM arrives on sigfd (a signalfd that
 * also carries SIGCHLD, SIGHUP and SIGUSR1).  Every packet that was held
 * has its verdict when this returns.  Returns 0, or -1 with errno on a
 * fatal error.  pw (may be NULL) gets every trapped packet (-w); it is
 * flushed at most about a second after a packet was buffered, and
 * reopened on SIGHUP.
 */
int loop_run(const struct ptrap_config *cfg, struct queue *q,
	     struct resolver *r, int sigfd, struct loop_stats *st,
	     struct pcapng_writer *pw);

/* Accept whatever is still waiting in the queue (after the rules are gone). */
void loop_accept_pending(struct queue *q);

/*
 * The statistics (src/stats.h): text to err, or with -j one JSON object
 * to json_out.
 */
void loop_print_stats(const struct ptrap_config *cfg, FILE *err, FILE *json_out,
		      const struct loop_stats *st, const struct queue *q);

#endif
