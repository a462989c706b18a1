/* SPDX-License-Identifier: GPL-2.0-or-later */
/* output: one report line per trapped packet (text or JSON), hook results. */
#ifndef PTRAP_OUTPUT_H
#define PTRAP_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>
#include "packet.h"
#include "payload.h"
#include "resolver.h"

/*
 * A DNS query a local forwarder sent (dnslink.c), and the application
 * query it serves when one was seen (app_pid 0: none).
 */
struct out_link {
	bool forwarder;
	pid_t app_pid;
	const char *app_comm;
};

/* Everything one report says; filled by the event loop. */
struct out_event {
	unsigned long long seq;		/* 1, 2, ... per trapped packet */
	struct timespec ts;		/* wall clock when ptrap received it */
	const struct pkt_info *pkt;
	const struct resolver_result *who;
	const struct payload *pl;	/* what the payload says; NULL: none */
	const struct out_link *link;	/* DNS forwarders; NULL: none */
};

struct out_hook_result {
	unsigned long long seq;		/* the event it ran for */
	struct timespec ts;		/* when it ended */
	pid_t target_pid;		/* the PID given to the hook */
	int exit_status;		/* -1 if killed by a signal */
	int term_signal;		/* 0 unless killed */
	bool timed_out;			/* ptrap killed it after --hook-timeout */
	const char *output;		/* collected stdout+stderr */
	size_t output_len;
	bool output_truncated;		/* more than the cap was printed */
};

/*
 * Format into buf (always NUL-terminated, ends with '\n').  Return the length
 * written, or -1 with errno ENOSPC when buf is too small.  Local time is used
 * for text, UTC (RFC 3339) for JSON; tz comes from the environment (TZ).
 */
int out_format_event_text(const struct out_event *ev, char *buf, size_t len);
int out_format_event_json(const struct out_event *ev, char *buf, size_t len);
int out_format_hook_text(const struct out_hook_result *h, char *buf, size_t len);
int out_format_hook_json(const struct out_hook_result *h, char *buf, size_t len);

/* "[2026-11-22, 21:44:03.123]", as text reports start. */
struct strbuf;
void out_text_ts(struct strbuf *b, const struct timespec *ts);

/*
 * --dns text mode, for a DNS message: "[time] dig (1234) -> 127.0.0.53:53:
 * A? example.test", with " via dnsmasq (560)" after the application when
 * a forwarder sent it for one (output_payload.c).  As the formatters above.
 */
int out_format_dns_text(const struct out_event *ev, char *buf, size_t len);

/* Append s as a JSON string literal (with quotes); returns bytes or -1. */
int out_json_string(char *buf, size_t len, const char *s, size_t slen);

#endif
