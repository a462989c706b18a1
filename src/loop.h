/*
 * loop: the event loop.  One epoll set: the queue socket, a signalfd, a
 * timerfd for hold and hook deadlines, and the hooks' output pipes.
 */
#ifndef PTRAP_LOOP_H
#define PTRAP_LOOP_H

#include <stdio.h>
#include "cli.h"
#include "pcapng.h"
#include "queue.h"
#include "resolver.h"

struct loop_stats {
	unsigned long long trapped;
	unsigned long long by_pid, by_uid_only, unattributed;
	unsigned long long hooks_run, hooks_skipped, hooks_timed_out, holds_expired;
	unsigned long long unparsed;
	unsigned long long write_errors;	/* -w: packets not written */
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

void loop_print_stats(FILE *out, const struct loop_stats *st,
		      const struct queue *q);

#endif
