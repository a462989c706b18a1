/*
 * hook: run the user's command for a trapped packet, collect its output,
 * enforce its timeout and the cap on concurrent hooks.
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
};

struct hook_run {
	pid_t pid;			/* 0: free slot; also the process group */
	int out_fd;			/* read end of stdout+stderr; -1 once closed */
	unsigned long long seq;		/* event the hook runs for */
	pid_t target;			/* the PID handed to the hook */
	uint64_t kill_at;		/* monotonic ns: --hook-timeout */
	char *out;
	size_t out_len;
	bool truncated;
	bool exited;			/* reaped; wstatus valid */
	int wstatus;
	bool timed_out;
	/* The event loop's: the packet held until the hook ends or hold_until. */
	bool holding;
	uint32_t packet_id;
	uint64_t hold_until;
};

struct hook_set;

struct hook_set *hook_set_new(const char *cmd, unsigned int max,
			      unsigned int timeout_ms);
/* Kills and reaps every hook still running. */
void hook_set_free(struct hook_set *hs);

unsigned int hook_capacity(const struct hook_set *hs);
unsigned int hook_running(const struct hook_set *hs);
/* Slot i (0 <= i < capacity); pid == 0 when free. */
struct hook_run *hook_slot(struct hook_set *hs, unsigned int i);

/*
 * Start the hook for info in its own process group.  Returns the run, or
 * NULL with errno EAGAIN when the cap is reached (or another errno).
 */
struct hook_run *hook_start(struct hook_set *hs, const struct hook_info *info,
			    unsigned long long seq, uint64_t now);

/* Read what the hook printed; closes out_fd at end of file.  0 or -1. */
int hook_read_output(struct hook_run *run);

/* Reap exited hooks (no blocking).  Returns how many exited now. */
unsigned int hook_reap(struct hook_set *hs);

/* Kill the whole process group (timeout, shutdown, leftovers). */
void hook_kill(struct hook_run *run);

/* After the caller reported it: drain, kill leftovers, free the slot. */
void hook_release(struct hook_set *hs, struct hook_run *run);

#endif
