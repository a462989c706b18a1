/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hook: run the user's command for a trapped packet, collect its output,
 * enforce its timeout and the cap on concurrent hooks, and hold its packet
 * until it ends.  The state of each run is this module's own; the event
 * loop knows a run by its slot number.
 */
#ifndef PTRAP_HOOK_H
#define PTRAP_HOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HOOK_OUTPUT_MAX	(64 * 1024)	/* more is read and dropped */

/* What the hook is told about the packet (argv: pid; env: all of it). */
struct hook_info {
	pid_t pid;
	long long uid;			/* -1 if unknown */
	const char *comm, *proto, *src, *dst;
	int sport, dport;		/* -1 if the protocol has none */
	/* what the payload said, escaped as in reports; NULL: nothing */
	const char *qname, *qtype, *sni, *host;
	pid_t asked_by;			/* --dns: the application a forwarder
					   asked for; 0: none */
};

/* A finished hook, for its report; valid during the callback only. */
struct hook_result {
	unsigned long long seq;		/* event the hook ran for */
	pid_t target;			/* the PID handed to the hook */
	int exit_status;		/* -1 if it did not exit normally */
	int term_signal;		/* 0 if not killed by a signal */
	bool timed_out;			/* killed for --hook-timeout */
	const char *out;		/* what it printed (stdout and stderr) */
	size_t out_len;
	bool truncated;			/* more than HOOK_OUTPUT_MAX */
};

/* A packet held for a hook, handed back for its verdict. */
typedef void hook_release_fn(uint32_t packet_id, void *arg);
typedef void hook_done_fn(const struct hook_result *r, void *arg);

struct hook_set;

struct hook_set *hook_set_new(const char *cmd, unsigned int max,
			      unsigned int timeout_ms);
/* Kills and reaps every hook still running; held packets are not handed back. */
void hook_set_free(struct hook_set *hs);

unsigned int hook_running(const struct hook_set *hs);

/*
 * Start the hook for info in its own process group.  Returns its slot (for
 * hook_hold() and hook_read_output()) and in *out_fd the read end of its
 * output, to watch; -1 with errno EAGAIN when the cap is reached (or
 * another errno).
 */
int hook_start(struct hook_set *hs, const struct hook_info *info,
	       unsigned long long seq, uint64_t now, int *out_fd);

/* Hold packet_id until the hook in slot ends, or until `until` (monotonic ns). */
void hook_hold(struct hook_set *hs, int slot, uint32_t packet_id, uint64_t until);

/* The output fd of slot is readable: read what is there. */
void hook_read_output(struct hook_set *hs, int slot);

/*
 * After SIGCHLD: for every hook that exited, read the rest of its output,
 * report it (done), hand back its held packet (release) and free its slot.
 * Returns how many finished.
 */
unsigned int hook_collect(struct hook_set *hs, hook_done_fn *done,
			  hook_release_fn *release, void *arg);

/* What hook_check_deadlines() did. */
struct hook_deadlines {
	uint64_t next;			/* monotonic ns of the next one; UINT64_MAX: none */
	unsigned int timed_out;		/* hooks killed for --hook-timeout */
	unsigned int holds_expired;	/* packets handed back before their hook ended */
};

/* Hand back packets held past their time, kill hooks past their timeout. */
void hook_check_deadlines(struct hook_set *hs, uint64_t now,
			  hook_release_fn *release, void *arg,
			  struct hook_deadlines *d);

/* Shutdown: hand back every packet still held. */
void hook_release_all(struct hook_set *hs, hook_release_fn *release, void *arg);

#endif
