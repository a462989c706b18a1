/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loop_int: the event loop's state, shared by loop.c (the loop itself) and
 * loop_out.c (what it writes).  Private to those two files.
 */
#ifndef PTRAP_LOOP_INT_H
#define PTRAP_LOOP_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "loop.h"
#include "monotime.h"
#include "packet.h"
#include "namematch.h"
#include "payload.h"
#include "syslog_out.h"
#include "warnlimit.h"

/* Runtime warnings that can repeat per packet: one line per kind per 10 s. */
enum loop_warn_kind {
	WARN_NO_PROCESS,
	WARN_UNPARSED,
	WARN_VERDICT,
	WARN_HOOK_WATCH,
};

/* A packet of the current queue read, waiting for the read to end. */
struct loop_rx {
	struct queue_packet p;		/* p.data: in the queue's buffers */
	struct pkt_info pkt;
	bool parsed;
};

struct loop {
	const struct ptrap_config *cfg;
	struct queue *q;
	struct resolver *r;
	struct hook_set *hooks;
	struct loop_stats *st;
	struct pcapng_writer *pw;
	struct comment_memo *comments;	/* -w: the packet comments */
	FILE *out;			/* reports: stderr when -w - owns stdout */
	int ep, sigfd, tfd;
	bool stop;
	bool reap;
	bool write_failing;		/* -w: an ENOSPC/EIO incident is going on */
	unsigned long long seq;
	int last_read;			/* packets the last queue read brought */
	char *obuf;
	struct policy *pol;		/* --comm, -n, --count */
	struct namematch_set *names;	/* --name; NULL: none given */
	struct loop_dns *dns;		/* local DNS forwarders (loop_dns.c) */
	struct warnlimit wl;
	unsigned long long verdict_errors;	/* refusals already warned about */
	struct loop_rx rx[QUEUE_RX_MAX];	/* the current read */
	unsigned int n_rx;
};

/* A macro so that the format stays a literal: "ptrap: warning: " fmt. */
#define loop_warn(l, ...) do { \
	if ((l)->cfg->verbosity >= 0) { \
		fprintf(stderr, "ptrap: warning: " __VA_ARGS__); \
		fputc('\n', stderr); \
		syslog_out_warning(__VA_ARGS__); \
	} \
} while (0)

/* A report line to stdout (or stderr with -w -) and syslog, as asked. */
void loop_emit(struct loop *l, const char *s, int len);

/* A warning that can repeat per packet: one line per kind per 10 s. */
void loop_warn_limited(struct loop *l, enum loop_warn_kind kind,
		       const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "udp 192.0.2.1:5000 -> 192.0.2.53:53", for warnings. */
void loop_flow_str(const struct pkt_info *pkt, char *buf, size_t len);

/*
 * -w: the packet with its sender (who; NULL if unparsed) and what its
 * payload said (pl; NULL: nothing) in the comment.
 */
void loop_write_packet(struct loop *l, const struct queue_packet *p,
		       const struct timespec *ts,
		       const struct resolver_result *who,
		       const struct payload *pl);

/* --- loop_dns.c --- */
struct out_link;
struct resolver_result;
struct loop_dns *loop_dns_new(const struct ptrap_config *cfg);
void loop_dns_free(struct loop_dns *d);
/*
 * A packet about to be reported: link says whether a local DNS forwarder
 * sent it and for which application; the first query of a forwarder is
 * noted once on stderr (without --dns).
 */
void loop_dns_packet(struct loop *l, const struct pkt_info *pkt,
		     const struct resolver_result *who, const struct payload *pl,
		     struct out_link *link);

/* After each -w write or flush (ret < 0: it failed): warn on a change. */
void loop_write_status(struct loop *l, int ret);

#endif
