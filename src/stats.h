/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats: ptrap's counters next to the kernel's for its queue, as text or
 * as one JSON object (SIGUSR1, and at exit with -v).
 */
#ifndef PTRAP_STATS_H
#define PTRAP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define STATS_NFQUEUE_PATH	"/proc/net/netfilter/nfnetlink_queue"

/* One line of /proc/net/netfilter/nfnetlink_queue (this network namespace). */
struct stats_kernel {
	unsigned int queue_num;
	unsigned int portid;		/* the bound socket's netlink port id */
	unsigned int queue_total;	/* packets waiting for a verdict now */
	unsigned int copy_mode, copy_range;
	unsigned long long queue_dropped;	/* queue full, no fail-open */
	unsigned long long user_dropped;	/* not deliverable, no fail-open */
	unsigned long long id_sequence;	/* the last packet id given out */
};

/*
 * The figures: the event loop counts its own straight into this struct
 * (struct loop_stats); the queue's, the kernel's and the rules' are added
 * when they are printed.
 */
struct stats {
	unsigned int queue_num;
	unsigned long long trapped, by_pid, by_uid_only, unattributed, unparsed;
	unsigned long long hooks_run, hooks_timed_out, hooks_skipped, holds_expired;
	unsigned long long rate_limited, comm_filtered, name_filtered;
	unsigned long long segments;	/* TCP: later segments of a reported connection */
	unsigned long long verdicts, verdict_errors, enobufs;
	unsigned long long reads;	/* queue reads that brought packets */
	bool writing;			/* -w given */
	unsigned long long pcap_packets, pcap_bytes, write_errors;
	unsigned long long id_gaps;	/* packet ids below the last seen, never seen */
	bool have_kernel;
	struct stats_kernel kernel;
	/*
	 * Packets the rules sent to the queue (their counters).  The kernel
	 * neither counts nor numbers a packet it accepts because the queue is
	 * full, so only this total minus the ids given out reveals them.
	 */
	bool have_matched;
	unsigned long long matched;
	/*
	 * The send-time record (bpfrec_stats()), when it is on: packets it
	 * named (of them from a sibling record), had nothing for, could not
	 * tell apart, failed on; and of the packets attributed to a process
	 * (by_pid), those whose sender had exited.
	 */
	bool have_record;
	unsigned long long rec_taken, rec_siblings, rec_none, rec_ambiguous, rec_errors;
	unsigned long long exited;
};

/*
 * Find queue_num's line in f (the nfnetlink_queue format).  0, or -1 with
 * errno ENOENT (no such queue bound) or EPROTO (a line we cannot read).
 */
int stats_parse_nfqueue(FILE *f, unsigned int queue_num, struct stats_kernel *k);

/* The same from path (STATS_NFQUEUE_PATH in production). */
int stats_read_nfqueue(const char *path, unsigned int queue_num,
		       struct stats_kernel *k);

/* Packets the kernel accepted without showing them to ptrap. */
struct stats_fail_open {
	bool have_queue_full;
	unsigned long long queue_full;		/* queue at its maximum length */
	unsigned long long undeliverable;	/* our receive buffer was full */
};

void stats_fail_open(const struct stats *s, struct stats_fail_open *fo);

/*
 * The text (several lines, each starting "ptrap: ") or one JSON object
 * {"type":"stats",...} with a newline.  Length, or -1 with errno ENOSPC.
 */
int stats_format_text(const struct stats *s, char *buf, size_t len);
int stats_format_json(const struct stats *s, char *buf, size_t len);

#endif
