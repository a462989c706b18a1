/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loop_out: what the event loop writes: reports (stdout and syslog),
 * warnings, rate-limited per kind, packets to the -w file, and the
 * statistics.
 */
#include "loop_int.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "comment.h"
#include "pcapng.h"
#include "stats.h"

/* A reader that went away (ptrap | head) ends the run like a signal would. */
void loop_emit(struct loop *l, const char *s, int len)
{
	if (len <= 0)
		return;
	syslog_out_report(s, len);
	if (l->cfg->syslog_only)
		return;
	if (fwrite(s, 1, len, l->out) != (size_t)len)
		l->stop = true;
}

void loop_warn_limited(struct loop *l, enum loop_warn_kind kind,
		       const char *fmt, ...)
{
	unsigned long long held;
	va_list ap;

	if (l->cfg->verbosity < 0 ||
	    !warnlimit_allow(&l->wl, kind, monotime_ns(), &held))
		return;
	fputs("ptrap: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (held)
		fprintf(stderr, " (%llu more suppressed)", held);
	fputc('\n', stderr);
	va_start(ap, fmt);
	syslog_out_vwarning(fmt, ap);
	va_end(ap);
}

void loop_flow_str(const struct pkt_info *pkt, char *buf, size_t len)
{
	char s[ADDR_STR_MAX], d[ADDR_STR_MAX];

	if (pkt->has_ports) {
		addr_endpoint_str(&pkt->src, pkt->sport, s, sizeof(s));
		addr_endpoint_str(&pkt->dst, pkt->dport, d, sizeof(d));
	} else {
		addr_ip_str(&pkt->src, s, sizeof(s));
		addr_ip_str(&pkt->dst, d, sizeof(d));
	}
	snprintf(buf, len, "%s %s -> %s", pkt_proto_name(pkt->proto), s, d);
}

/*
 * After each -w write: a failing disk is told once per incident, not per
 * packet, and again when writing works again (packets are accepted all
 * along; those trapped meanwhile are not in the file).
 */
void loop_write_status(struct loop *l, int ret)
{
	bool failing = pcapng_writer_failing(l->pw);
	const char *why = pcapng_writer_refused(l->pw) ?
			  pcapng_writer_refused(l->pw) : strerror(errno);

	if (ret < 0)
		l->st->count.write_errors++;
	if (failing && !l->write_failing)
		loop_warn(l, "cannot write the capture file: %s; packets are "
			  "still accepted but not saved until writing works "
			  "again", why);
	else if (!failing && l->write_failing)
		loop_warn(l, "writing the capture file again");
	l->write_failing = failing;
}

/* -w: the packet with its sender in the comment. */
void loop_write_packet(struct loop *l, const struct queue_packet *p,
		       const struct timespec *ts,
		       const struct resolver_result *who,
		       const struct payload *pl)
{
	char comment[COMMENT_MAX];
	size_t n;
	struct pcapng_packet pk = {
		.ts_ns = (uint64_t)ts->tv_sec * 1000000000ull + ts->tv_nsec,
		.data = p->data,
		.caplen = p->data ? p->len : 0,
		.origlen = p->orig_len,
		.comment = comment,
		.ifindex = p->outdev,
	};

	if (!l->pw)
		return;
	if (who) {
		pk.comment = comment_memo_get(l->comments, who);
		/* the process part is memoized; names differ packet by packet */
		if (pl && pl->kind != PAYLOAD_NONE) {
			n = strnlen(pk.comment, sizeof(comment) - 1);
			memcpy(comment, pk.comment, n);
			comment[n] = '\0';
			comment_append_payload(comment, sizeof(comment), n, pl);
			pk.comment = comment;
		}
		if (who->n_procs > 0)
			pk.pid = (uint32_t)who->procs[0].pid;
	} else {
		comment_format_unknown(p->uid, "not an IPv4/IPv6 packet",
				       comment, sizeof(comment));
	}
	if (pcapng_writer_packet(l->pw, &pk) == 0) {
		l->st->count.pcap_packets++;
		l->st->count.pcap_bytes += pk.caplen;
		loop_write_status(l, 0);
	} else {
		loop_write_status(l, -1);
	}
}

void loop_print_stats(const struct ptrap_config *cfg, FILE *err,
		      FILE *json_out, const struct loop_stats *st,
		      const struct queue *q)
{
	struct stats s = st->count;
	struct queue_stats qs;
	char buf[2048];
	int len;

	s.queue_num = cfg->queue_num;
	s.writing = cfg->write_path != NULL;
	queue_get_stats(q, &qs);
	s.verdicts = qs.verdicts;
	s.verdict_errors = qs.errors;
	s.enobufs = qs.enobufs;
	s.reads = qs.reads;
	s.id_gaps = qs.id_gaps;
	s.have_kernel = stats_read_nfqueue(STATS_NFQUEUE_PATH, cfg->queue_num,
					   &s.kernel) == 0;
	if (st->record) {
		struct bpfrec_stats rs;

		bpfrec_stats(st->record, &rs);
		s.have_record = true;
		s.rec_taken = rs.taken;
		s.rec_siblings = rs.siblings;
		s.rec_none = rs.none;
		s.rec_ambiguous = rs.ambiguous;
		s.rec_errors = rs.errors;
	}
	s.have_matched = st->rule_matches &&
			 st->rule_matches(st->rule_matches_arg, &s.matched) == 0;
	if (cfg->json) {
		len = stats_format_json(&s, buf, sizeof(buf));
		if (len > 0)
			fwrite(buf, 1, len, json_out);
		fflush(json_out);
	} else {
		len = stats_format_text(&s, buf, sizeof(buf));
		if (len > 0)
			fwrite(buf, 1, len, err);
	}
}
