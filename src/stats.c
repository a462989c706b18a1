/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats: ptrap's counters next to the kernel's for its queue, as text or
 * as one JSON object (SIGUSR1, and at exit with -v).
 *
 * Fail-open, measured on kernel 6.18: a packet that finds the queue full
 * is accepted at once and gets no packet id (the id is taken after the
 * length check), and no counter in the kernel counts it.  A packet whose
 * message does not fit our receive buffer has an id already, so it shows
 * as a gap in the ids ptrap sees.  The first kind is therefore only
 * visible as rule matches minus ids given out (minus queue_dropped).
 */
#include "stats.h"

#include <errno.h>
#include <stdio.h>

#include "strbuf.h"

int stats_parse_nfqueue(FILE *f, unsigned int queue_num, struct stats_kernel *k)
{
	char line[256];

	/* "%5u %6u %5u %1u %5u %5u %5u %8u %2d" (net/netfilter/nfnetlink_queue.c) */
	while (fgets(line, sizeof(line), f)) {
		struct stats_kernel t;
		int one;

		if (sscanf(line, "%u %u %u %u %u %llu %llu %llu %d",
			   &t.queue_num, &t.portid, &t.queue_total, &t.copy_mode,
			   &t.copy_range, &t.queue_dropped, &t.user_dropped,
			   &t.id_sequence, &one) != 9) {
			errno = EPROTO;
			return -1;
		}
		if (t.queue_num == queue_num) {
			*k = t;
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

int stats_read_nfqueue(const char *path, unsigned int queue_num,
		       struct stats_kernel *k)
{
	FILE *f = fopen(path, "re");
	int ret, saved;

	if (!f)
		return -1;
	ret = stats_parse_nfqueue(f, queue_num, k);
	saved = errno;
	fclose(f);
	errno = saved;
	return ret;
}

static unsigned long long sub0(unsigned long long a, unsigned long long b)
{
	return a > b ? a - b : 0;
}

void stats_fail_open(const struct stats *s, struct stats_fail_open *fo)
{
	/* Without fail-open an undeliverable packet is counted as user_dropped. */
	fo->undeliverable = sub0(s->id_gaps,
				 s->have_kernel ? s->kernel.user_dropped : 0);
	fo->have_queue_full = s->have_matched && s->have_kernel;
	fo->queue_full = fo->have_queue_full ?
		sub0(s->matched, s->kernel.id_sequence + s->kernel.queue_dropped) : 0;
}

int stats_format_text(const struct stats *s, char *buf, size_t len)
{
	struct stats_fail_open fo;
	struct strbuf b;

	stats_fail_open(s, &fo);
	sb_init(&b, buf, len);
	sb_printf(&b, "ptrap: stats: %llu packets trapped: %llu attributed to a process, "
		  "%llu to a uid only, %llu to nobody, %llu unparsed\n",
		  s->trapped, s->by_pid, s->by_uid_only, s->unattributed, s->unparsed);
	sb_printf(&b, "ptrap: stats: hooks: %llu run, %llu timed out, %llu skipped (cap), "
		  "%llu holds expired; %llu packets rate-limited, %llu not reported (--comm, --unit, --container), "
		  "%llu (--name), %llu later TCP segments of reported connections\n",
		  s->hooks_run, s->hooks_timed_out, s->hooks_skipped, s->holds_expired,
		  s->rate_limited, s->comm_filtered, s->name_filtered, s->segments);
	sb_printf(&b, "ptrap: stats: verdicts: %llu sent, %llu refused by the kernel; "
		  "%llu receive overruns; %llu queue reads (%.1f packets each)\n",
		  s->verdicts, s->verdict_errors, s->enobufs, s->reads,
		  s->reads ? (double)s->trapped / (double)s->reads : 0.0);
	if (s->writing)
		sb_printf(&b, "ptrap: stats: capture: %llu packets (%llu bytes) written, "
			  "%llu not written\n", s->pcap_packets, s->pcap_bytes,
			  s->write_errors);
	if (s->have_record)
		sb_printf(&b, "ptrap: stats: send-time record: %llu packets named by "
			  "it (%llu from a sibling record, %llu senders had exited); "
			  "%llu without a record, %llu ambiguous, %llu failed: "
			  "those named from /proc\n", s->rec_taken, s->rec_siblings,
			  s->exited, s->rec_none, s->rec_ambiguous, s->rec_errors);
	if (s->have_kernel)
		sb_printf(&b, "ptrap: stats: kernel queue %u: %u waiting, %llu ids given out, "
			  "%llu dropped (queue full), %llu dropped (undeliverable)\n",
			  s->queue_num, s->kernel.queue_total, s->kernel.id_sequence,
			  s->kernel.queue_dropped, s->kernel.user_dropped);
	else
		sb_printf(&b, "ptrap: stats: kernel queue %u: no counters (%s unreadable)\n",
			  s->queue_num, STATS_NFQUEUE_PATH);
	if (fo.have_queue_full)
		sb_printf(&b, "ptrap: stats: fail-open: %llu packets accepted unseen: "
			  "%llu with the queue full (rule matches %llu - "
			  "ids %llu - dropped %llu), "
			  "%llu undeliverable (gaps in packet ids)\n",
			  fo.queue_full + fo.undeliverable, fo.queue_full, s->matched,
			  s->kernel.id_sequence, s->kernel.queue_dropped, fo.undeliverable);
	else
		sb_printf(&b, "ptrap: stats: fail-open: %llu undeliverable "
			  "packets accepted unseen (gaps in packet ids); "
			  "those accepted with the queue full are not counted "
			  "(the kernel neither counts nor numbers them, "
			  "no rule counters)\n", fo.undeliverable);
	return sb_finish(&b);
}

static void json_u(struct strbuf *b, const char *key, unsigned long long v)
{
	sb_printf(b, ",\"%s\":%llu", key, v);
}

static void json_opt(struct strbuf *b, const char *key, bool have,
		     unsigned long long v)
{
	if (have)
		json_u(b, key, v);
	else
		sb_printf(b, ",\"%s\":null", key);
}

int stats_format_json(const struct stats *s, char *buf, size_t len)
{
	const struct stats_kernel *k = &s->kernel;
	struct stats_fail_open fo;
	struct strbuf b;

	stats_fail_open(s, &fo);
	sb_init(&b, buf, len);
	sb_printf(&b, "{\"type\":\"stats\",\"queue\":%u", s->queue_num);
	json_u(&b, "trapped", s->trapped);
	json_u(&b, "by_pid", s->by_pid);
	json_u(&b, "by_uid_only", s->by_uid_only);
	json_u(&b, "unattributed", s->unattributed);
	json_u(&b, "unparsed", s->unparsed);
	json_u(&b, "hooks_run", s->hooks_run);
	json_u(&b, "hooks_timed_out", s->hooks_timed_out);
	json_u(&b, "hooks_skipped", s->hooks_skipped);
	json_u(&b, "holds_expired", s->holds_expired);
	json_u(&b, "rate_limited", s->rate_limited);
	json_u(&b, "comm_filtered", s->comm_filtered);
	json_u(&b, "name_filtered", s->name_filtered);
	json_u(&b, "tcp_segments", s->segments);
	json_u(&b, "verdicts", s->verdicts);
	json_u(&b, "verdict_errors", s->verdict_errors);
	json_u(&b, "receive_overruns", s->enobufs);
	json_u(&b, "queue_reads", s->reads);
	json_opt(&b, "pcap_packets", s->writing, s->pcap_packets);
	json_opt(&b, "pcap_bytes", s->writing, s->pcap_bytes);
	json_opt(&b, "write_errors", s->writing, s->write_errors);
	if (s->have_kernel)
		sb_printf(&b, ",\"kernel\":{\"queue_total\":%u,\"queue_dropped\":%llu,"
			  "\"user_dropped\":%llu,\"id_sequence\":%llu}",
			  k->queue_total, k->queue_dropped, k->user_dropped, k->id_sequence);
	else
		sb_str(&b, ",\"kernel\":null");
	json_opt(&b, "rule_matches", s->have_matched, s->matched);
	/* only when it is on: a run without it looks as it always did */
	if (s->have_record)
		sb_printf(&b, ",\"record\":{\"named\":%llu,\"siblings\":%llu,"
			  "\"exited\":%llu,\"none\":%llu,\"ambiguous\":%llu,"
			  "\"errors\":%llu}", s->rec_taken, s->rec_siblings,
			  s->exited, s->rec_none, s->rec_ambiguous, s->rec_errors);
	sb_str(&b, ",\"fail_open\":{");
	sb_printf(&b, "\"undeliverable\":%llu", fo.undeliverable);
	json_opt(&b, "queue_full", fo.have_queue_full, fo.queue_full);
	sb_str(&b, "}}\n");
	return sb_finish(&b);
}
