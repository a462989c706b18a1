/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * output: format reports (text or JSON) into caller buffers.
 *
 * Pure formatting: no I/O, no clock reads.  Every formatter either produces
 * a complete line or fails with ENOSPC and leaves an empty string, so the
 * caller never prints half a report.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "output.h"
#include "output_payload.h"
#include "output_proc.h"
#include "strbuf.h"

/* --- timestamps --- */

static long clamp_nsec(long nsec)
{
	if (nsec < 0)
		return 0;
	return nsec > 999999999L ? 999999999L : nsec;
}

/*
 * The date and time of one second, formatted once: a busy flow reports
 * many packets a second, and localtime_r + strftime cost more than the
 * rest of a report.  Local time is keyed on the zone too (tzset() after
 * a change of TZ gives new names or offset); localtime_r itself does not
 * look at TZ again, so nothing else can change the answer.
 */
struct ts_memo {
	bool valid;
	time_t sec;
	const char *tz0, *tz1;
	long tzoff;
	size_t n;
	char s[48];
};

static struct ts_memo text_memo, json_memo;

static bool ts_memo_hit(const struct ts_memo *m, time_t sec, bool local)
{
	if (!m->valid || m->sec != sec)
		return false;
	return !local || (m->tz0 == tzname[0] && m->tz1 == tzname[1] &&
			  m->tzoff == timezone);
}

/* Seconds through strftime, once per second; false if unrepresentable. */
static bool ts_seconds(struct ts_memo *m, time_t sec, bool local)
{
	struct tm tm;

	if (ts_memo_hit(m, sec, local))
		return true;
	m->valid = false;
	if ((local ? localtime_r(&sec, &tm) : gmtime_r(&sec, &tm)) == NULL)
		return false;
	m->n = strftime(m->s, sizeof(m->s), local ? "%Y-%m-%d, %H:%M:%S" :
			"%Y-%m-%dT%H:%M:%S", &tm);
	if (m->n == 0)
		return false;
	m->sec = sec;
	m->tz0 = tzname[0];
	m->tz1 = tzname[1];
	m->tzoff = timezone;
	m->valid = true;
	return true;
}

/* '.' and the first digits of the fraction of a second, zero-padded. */
static void ob_fraction(struct strbuf *b, long nsec, int digits)
{
	char d[10];
	int i;

	d[0] = '.';
	for (i = 9; i > digits; i--)
		nsec /= 10;
	for (i = digits; i > 0; i--) {
		d[i] = (char)('0' + nsec % 10);
		nsec /= 10;
	}
	sb_mem(b, d, (size_t)digits + 1);
}

/* "[2026-11-22, 21:44:03.123]" in local time, like the old script. */
static void ob_text_ts(struct strbuf *b, const struct timespec *ts)
{
	if (!ts_seconds(&text_memo, ts->tv_sec, true)) {
		b->full = true;	/* unrepresentable time: refuse */
		return;
	}
	sb_char(b, '[');
	sb_mem(b, text_memo.s, text_memo.n);
	ob_fraction(b, clamp_nsec(ts->tv_nsec), 3);
	sb_char(b, ']');
}

void out_text_ts(struct strbuf *b, const struct timespec *ts)
{
	ob_text_ts(b, ts);
}

/* "2026-11-22T20:44:03.123456Z" (RFC 3339, UTC). */
static void ob_json_ts(struct strbuf *b, const struct timespec *ts)
{
	if (!ts_seconds(&json_memo, ts->tv_sec, false)) {
		b->full = true;
		return;
	}
	sb_char(b, '"');
	sb_mem(b, json_memo.s, json_memo.n);
	ob_fraction(b, clamp_nsec(ts->tv_nsec), 6);
	sb_str(b, "Z\"");
}

/* --- text values --- */

static bool text_plain_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '=';
}

/*
 * A key=value value: bare when unambiguous, else in double quotes with
 * escapes, so a report is one line and splits cleanly on spaces and '='.
 */
static void ob_text_value(struct strbuf *b, const char *s, size_t n)
{
	bool plain = n > 0;
	size_t i;

	for (i = 0; i < n && plain; i++)
		plain = text_plain_byte((unsigned char)s[i]);
	if (plain) {
		sb_mem(b, s, n);
		return;
	}
	sb_char(b, '"');
	sb_escaped(b, s, n, "\"\\");
	sb_char(b, '"');
}

/* --- JSON values --- */

/* Length of the valid UTF-8 sequence at s (RFC 3629), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4;
	else
		return 0;
	/* Refuse overlong forms, surrogates and code points past U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need;
}

/* The two-character escapes of RFC 8259, NULL for any other byte. */
static const char *json_short_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	}
	return NULL;
}

/* Valid UTF-8 passes through; each invalid byte becomes U+FFFD. */
static void ob_json_str(struct strbuf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k;
	const char *esc;

	sb_char(b, '"');
	while (i < n && !b->full) {
		esc = json_short_escape(s[i]);
		if (esc != NULL) {
			sb_str(b, esc);
			i++;
		} else if (s[i] < 0x20) {
			sb_printf(b, "\\u%04x", s[i]);
			i++;
		} else if ((k = utf8_len(s + i, n - i)) == 0) {
			sb_str(b, "\\ufffd");
			i++;
		} else {
			sb_mem(b, s + i, k);
			i += k;
		}
	}
	sb_char(b, '"');
}

static void ob_json_cstr(struct strbuf *b, const char *s, size_t max)
{
	if (s == NULL)
		sb_str(b, "null");
	else
		ob_json_str(b, s, strnlen(s, max));
}

int out_json_string(char *buf, size_t len, const char *s, size_t slen)
{
	struct strbuf b;

	sb_init(&b, buf, len);
	ob_json_str(&b, s, slen);
	return sb_finish(&b);
}

/* --- packets --- */

static bool icmp_is_echo(const struct pkt_info *pkt)
{
	if (pkt->proto == IPPROTO_ICMP)
		return pkt->icmp_type == 0 || pkt->icmp_type == 8;
	if (pkt->proto == IPPROTO_ICMPV6)
		return pkt->icmp_type == 128 || pkt->icmp_type == 129;
	return false;
}

static void ob_endpoint(struct strbuf *b, const struct addr_ip *ip,
			bool has_port, uint16_t port)
{
	char s[ADDR_STR_MAX];

	if (has_port)
		sb_str(b, addr_endpoint_str(ip, port, s, sizeof(s)));
	else
		sb_str(b, addr_ip_str(ip, s, sizeof(s)));
}

/* comm, uid, exe and the other holders of the socket. */
static void ob_text_process(struct strbuf *b, const struct resolver_result *who)
{
	const struct resolver_proc *p = &who->procs[0];
	unsigned int i, n = who->n_procs;

	if (n > RESOLVER_MAX_PIDS)
		n = RESOLVER_MAX_PIDS;
	sb_long(b, (long)(int)p->pid);
	sb_str(b, " comm=");
	ob_text_value(b, p->comm, strnlen(p->comm, sizeof(p->comm)));
	sb_str(b, " uid=");
	sb_ulong(b, (unsigned int)p->uid);
	sb_str(b, " exe=");
	if (p->exe[0] == '\0')
		sb_char(b, '?');
	else
		ob_text_value(b, p->exe, strnlen(p->exe, sizeof(p->exe)));
	for (i = 1; i < n; i++)
		sb_printf(b, "%s%d", i == 1 ? " also=" : ",",
			  (int)who->procs[i].pid);
}

int out_format_event_text(const struct out_event *ev, char *buf, size_t len)
{
	const struct pkt_info *pkt = ev->pkt;
	const struct resolver_result *who = ev->who;
	struct strbuf b;

	if (pkt == NULL || who == NULL) {
		errno = EINVAL;
		return -1;
	}
	sb_init(&b, buf, len);
	ob_text_ts(&b, &ev->ts);
	sb_str(&b, " PROCESS REQUEST CAPTURED. Matching PID: ");
	if (who->n_procs > 0)
		ob_text_process(&b, who);
	else if (who->has_uid)
		sb_printf(&b, "unknown uid=%u", (unsigned int)who->uid);
	else
		sb_str(&b, "unknown uid=?");
	sb_char(&b, ' ');
	sb_str(&b, pkt_proto_name(pkt->proto));
	sb_char(&b, ' ');
	ob_endpoint(&b, &pkt->src, pkt->has_ports, pkt->sport);
	sb_str(&b, " -> ");
	ob_endpoint(&b, &pkt->dst, pkt->has_ports, pkt->dport);
	if (!pkt->has_ports && pkt->has_icmp) {
		sb_printf(&b, " type=%u code=%u", pkt->icmp_type,
			  pkt->icmp_code);
		if (icmp_is_echo(pkt))
			sb_printf(&b, " id=%u", pkt->icmp_id);
	}
	if (pkt->problem != NULL) {
		sb_str(&b, " packet_problem=");
		ob_text_value(&b, pkt->problem, strlen(pkt->problem));
	}
	if (who->problem != NULL) {
		sb_str(&b, " (");
		sb_escaped(&b, who->problem, strlen(who->problem), NULL);
		sb_char(&b, ')');
	}
	out_proc_text(&b, who);
	/* last: what was asked for ends the line, as tcpdump's does */
	out_payload_text(&b, ev->pl);
	out_link_text(&b, ev->link);
	sb_char(&b, '\n');
	return sb_finish(&b);
}

static void ob_json_ip(struct strbuf *b, const struct addr_ip *ip)
{
	char s[ADDR_STR_MAX];

	sb_char(b, '"');
	sb_str(b, addr_ip_str(ip, s, sizeof(s)));
	sb_char(b, '"');
}

/* argv as an array: NUL-separated, a trailing NUL ends the last item. */
static void ob_json_cmdline(struct strbuf *b, const struct resolver_proc *p)
{
	size_t n = p->cmdline_len, i = 0;
	bool first = true;

	if (n > sizeof(p->cmdline))
		n = sizeof(p->cmdline);
	sb_char(b, '[');
	while (i < n) {
		const char *item = p->cmdline + i;
		const char *nul = memchr(item, '\0', n - i);
		size_t k = nul ? (size_t)(nul - item) : n - i;

		if (!first)
			sb_char(b, ',');
		ob_json_str(b, item, k);
		first = false;
		i += k + 1;
	}
	sb_char(b, ']');
}

static void ob_json_process(struct strbuf *b, const struct resolver_result *who)
{
	const struct resolver_proc *p = &who->procs[0];
	unsigned int i, n = who->n_procs;

	if (n > RESOLVER_MAX_PIDS)
		n = RESOLVER_MAX_PIDS;
	if (n == 0) {
		sb_str(b, ",\"pid\":null,\"ppid\":null");
		if (who->has_uid)
			sb_printf(b, ",\"uid\":%u,\"gid\":%u",
				  (unsigned int)who->uid,
				  (unsigned int)who->gid);
		else
			sb_str(b, ",\"uid\":null,\"gid\":null");
		sb_str(b, ",\"comm\":null,\"exe\":null,\"cmdline\":null");
	} else {
		sb_str(b, ",\"pid\":");
		sb_long(b, (long)(int)p->pid);
		sb_str(b, ",\"ppid\":");
		sb_long(b, (long)(int)p->ppid);
		sb_str(b, ",\"uid\":");
		sb_ulong(b, (unsigned int)p->uid);
		sb_str(b, ",\"gid\":");
		sb_ulong(b, (unsigned int)p->gid);
		sb_str(b, ",\"comm\":");
		ob_json_cstr(b, p->comm, sizeof(p->comm));
		sb_str(b, ",\"exe\":");
		if (p->exe[0] == '\0')
			sb_str(b, "null");
		else
			ob_json_cstr(b, p->exe, sizeof(p->exe));
		sb_str(b, ",\"cmdline\":");
		ob_json_cmdline(b, p);
	}
	sb_str(b, ",\"pids\":[");
	for (i = 0; i < n; i++) {
		if (i)
			sb_char(b, ',');
		sb_long(b, (long)(int)who->procs[i].pid);
	}
	sb_char(b, ']');
}

int out_format_event_json(const struct out_event *ev, char *buf, size_t len)
{
	const struct pkt_info *pkt = ev->pkt;
	const struct resolver_result *who = ev->who;
	struct strbuf b;

	if (pkt == NULL || who == NULL) {
		errno = EINVAL;
		return -1;
	}
	sb_init(&b, buf, len);
	sb_str(&b, "{\"type\":\"packet\",\"seq\":");
	sb_ulong(&b, ev->seq);
	sb_str(&b, ",\"ts\":");
	ob_json_ts(&b, &ev->ts);
	sb_str(&b, ",\"proto\":\"");
	sb_str(&b, pkt_proto_name(pkt->proto));
	sb_str(&b, "\",\"src\":");
	ob_json_ip(&b, &pkt->src);
	if (pkt->has_ports) {
		sb_str(&b, ",\"sport\":");
		sb_ulong(&b, pkt->sport);
	} else
		sb_str(&b, ",\"sport\":null");
	sb_str(&b, ",\"dst\":");
	ob_json_ip(&b, &pkt->dst);
	if (pkt->has_ports) {
		sb_str(&b, ",\"dport\":");
		sb_ulong(&b, pkt->dport);
	} else
		sb_str(&b, ",\"dport\":null");
	if (!pkt->has_ports && pkt->has_icmp) {
		sb_printf(&b, ",\"icmp_type\":%u,\"icmp_code\":%u",
			  pkt->icmp_type, pkt->icmp_code);
		if (icmp_is_echo(pkt))
			sb_printf(&b, ",\"icmp_id\":%u", pkt->icmp_id);
	}
	ob_json_process(&b, who);
	out_proc_json(&b, who);
	if (who->problem != NULL) {
		sb_str(&b, ",\"problem\":");
		ob_json_cstr(&b, who->problem, 256);	/* static reason strings */
	}
	if (who->has_inode) {
		sb_str(&b, ",\"inode\":");
		sb_ulong(&b, who->inode);
	} else
		sb_str(&b, ",\"inode\":null");
	if (pkt->problem != NULL) {
		sb_str(&b, ",\"packet_problem\":");
		ob_json_cstr(&b, pkt->problem, 256);
	}
	out_payload_json(&b, ev->pl);
	out_link_json(&b, ev->link);
	sb_str(&b, "}\n");
	return sb_finish(&b);
}

/* --- hook results --- */

static bool hook_abnormal(const struct out_hook_result *h)
{
	return h->exit_status != 0 || h->term_signal != 0 || h->timed_out ||
	       h->output_truncated;
}

/*
 * A hook's output as it printed it, lines and all, but no control byte
 * reaches the terminal or log: a carriage return, an escape sequence or a
 * backspace could hide or rewrite report lines.  Those become \xNN.
 */
static void ob_hook_output(struct strbuf *b, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 ? c != 0x7f : (c == '\n' || c == '\t'))
			continue;
		sb_mem(b, s + run, i - run);
		sb_printf(b, "\\x%02x", c);
		run = i + 1;
	}
	sb_mem(b, s + run, n - run);
}

int out_format_hook_text(const struct out_hook_result *h, char *buf,
			 size_t len)
{
	const char *sep = "";
	struct strbuf b;

	sb_init(&b, buf, len);
	if (h->output != NULL && h->output_len > 0) {
		ob_hook_output(&b, h->output, h->output_len);
		if (h->output[h->output_len - 1] != '\n')
			sb_char(&b, '\n');
	}
	if (!hook_abnormal(h))
		return sb_finish(&b);

	ob_text_ts(&b, &h->ts);
	sb_printf(&b, " HOOK for PID %d: ", (int)h->target_pid);
	if (h->term_signal != 0) {
		sb_printf(&b, "killed by signal %d", h->term_signal);
		if (h->timed_out)
			sb_str(&b, " (timed out after --hook-timeout)");
		sep = ", ";
	} else if (h->timed_out) {
		sb_str(&b, "timed out after --hook-timeout");
		sep = ", ";
	} else if (h->exit_status != 0) {
		sb_printf(&b, "exit status %d", h->exit_status);
		sep = ", ";
	}
	if (h->output_truncated)
		sb_printf(&b, "%soutput truncated", sep);
	sb_char(&b, '\n');
	return sb_finish(&b);
}

int out_format_hook_json(const struct out_hook_result *h, char *buf,
			 size_t len)
{
	struct strbuf b;

	sb_init(&b, buf, len);
	sb_printf(&b, "{\"type\":\"hook\",\"seq\":%llu,\"ts\":", h->seq);
	ob_json_ts(&b, &h->ts);
	sb_printf(&b, ",\"pid\":%d", (int)h->target_pid);
	if (h->exit_status >= 0)
		sb_printf(&b, ",\"exit_status\":%d", h->exit_status);
	else
		sb_str(&b, ",\"exit_status\":null");
	if (h->term_signal != 0)
		sb_printf(&b, ",\"signal\":%d", h->term_signal);
	else
		sb_str(&b, ",\"signal\":null");
	sb_printf(&b, ",\"timed_out\":%s,\"truncated\":%s,\"output\":",
		  h->timed_out ? "true" : "false",
		  h->output_truncated ? "true" : "false");
	ob_json_str(&b, h->output ? h->output : "",
		    h->output ? h->output_len : 0);
	sb_str(&b, "}\n");
	return sb_finish(&b);
}
