/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * output_payload: the payload part of a report.
 *
 * Every name goes through payload_name_escape(), whose text is printable
 * ASCII without spaces whatever bytes the packet held; JSON strings get
 * their own escaping on top, for the backslashes of that text.
 */
#include "output_payload.h"

#include <errno.h>
#include <string.h>

#include "addr.h"
#include "packet.h"
#include "resolver.h"

/* JSON string of ASCII text: " and \ escaped, anything else odd \u00XX. */
static void opl_json_ascii(struct strbuf *b, const char *s, size_t n)
{
	size_t i, run = 0;

	sb_char(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			continue;
		sb_mem(b, s + run, i - run);
		if (c == '"' || c == '\\') {
			sb_char(b, '\\');
			sb_char(b, (char)c);
		} else {
			sb_printf(b, "\\u%04x", c);
		}
		run = i + 1;
	}
	sb_mem(b, s + run, n - run);
	sb_char(b, '"');
}

static void opl_json_cstr(struct strbuf *b, const char *s)
{
	if (s == NULL)
		sb_str(b, "null");
	else
		opl_json_ascii(b, s, strlen(s));
}

static void opl_json_name(struct strbuf *b, const struct payload_name *name)
{
	char text[PAYLOAD_NAME_TEXT_MAX];
	struct strbuf t;

	sb_init(&t, text, sizeof(text));
	payload_name_escape(&t, name);
	if (sb_finish(&t) < 0) {
		b->full = true;		/* cannot happen: the buffer is the maximum */
		return;
	}
	opl_json_ascii(b, text, strlen(text));
}

static void opl_text_problem(struct strbuf *b, const struct payload *pl)
{
	if (pl->problem == NULL)
		return;
	/* static strings of the decoders: lower-case words, a colon */
	sb_str(b, " payload_problem=\"");
	sb_str(b, pl->problem);
	sb_char(b, '"');
}

static void opl_text_dns(struct strbuf *b, const struct payload_dns *d)
{
	char tbuf[PAYLOAD_NUM_NAME_MAX];
	unsigned int i;

	sb_str(b, " dns");
	if (d->flags & PAYLOAD_DNS_QR)
		sb_str(b, " reply");
	if (d->opcode != 0) {
		sb_char(b, ' ');
		sb_str(b, payload_opcode_name(d->opcode, tbuf));
	}
	for (i = 0; i < d->n_questions && i < PAYLOAD_DNS_QMAX; i++) {
		const struct payload_dns_question *q = &d->q[i];

		sb_char(b, ' ');
		sb_str(b, payload_type_name(q->qtype, tbuf));
		sb_str(b, "? ");
		payload_name_escape(b, &q->qname);
		if (q->qclass != 1) {	/* IN goes without saying, as in dig */
			sb_char(b, ' ');
			sb_str(b, payload_class_name(q->qclass, tbuf));
		}
	}
	if (d->qdcount > d->n_questions && d->n_questions > 0)
		sb_printf(b, " (+%u more)", d->qdcount - d->n_questions);
}

void out_payload_text(struct strbuf *b, const struct payload *pl)
{
	if (pl == NULL)
		return;
	switch (pl->kind) {
	case PAYLOAD_NONE:
		return;
	case PAYLOAD_DNS:
		opl_text_dns(b, &pl->dns);
		break;
	case PAYLOAD_TLS:
		sb_str(b, " tls");
		if (pl->tls.has_sni) {
			sb_str(b, " sni=");
			payload_name_escape(b, &pl->tls.sni);
		}
		if (pl->tls.ech)
			sb_str(b, " ech");
		break;
	case PAYLOAD_HTTP:
		sb_str(b, " http");
		if (pl->http.has_host) {
			sb_str(b, " host=");
			payload_name_escape(b, &pl->http.host);
		}
		break;
	}
	opl_text_problem(b, pl);
}

static void opl_json_question(struct strbuf *b,
			      const struct payload_dns_question *q)
{
	char tbuf[PAYLOAD_NUM_NAME_MAX];

	sb_str(b, "\"qname\":");
	opl_json_name(b, &q->qname);
	sb_str(b, ",\"qtype\":\"");
	sb_str(b, payload_type_name(q->qtype, tbuf));
	sb_str(b, "\",\"qclass\":\"");
	sb_str(b, payload_class_name(q->qclass, tbuf));
	sb_char(b, '"');
}

static void opl_json_dns(struct strbuf *b, const struct payload_dns *d)
{
	char tbuf[PAYLOAD_NUM_NAME_MAX];
	unsigned int i, n = d->n_questions;

	if (n > PAYLOAD_DNS_QMAX)
		n = PAYLOAD_DNS_QMAX;
	sb_str(b, ",\"dns\":{\"id\":");
	sb_ulong(b, d->id);
	sb_str(b, ",\"opcode\":\"");
	sb_str(b, payload_opcode_name(d->opcode, tbuf));
	sb_printf(b, "\",\"response\":%s,\"tcp\":%s,",
		  d->flags & PAYLOAD_DNS_QR ? "true" : "false",
		  d->tcp ? "true" : "false");
	/* the first question at the top: what nearly every query has */
	if (n > 0)
		opl_json_question(b, &d->q[0]);
	else
		sb_str(b, "\"qname\":null,\"qtype\":null,\"qclass\":null");
	sb_str(b, ",\"qdcount\":");
	sb_ulong(b, d->qdcount);
	sb_str(b, ",\"questions\":[");
	for (i = 0; i < n; i++) {
		sb_str(b, i ? ",{" : "{");
		opl_json_question(b, &d->q[i]);
		sb_char(b, '}');
	}
	sb_char(b, ']');
}

void out_payload_json(struct strbuf *b, const struct payload *pl)
{
	if (pl == NULL)
		return;
	switch (pl->kind) {
	case PAYLOAD_NONE:
		return;
	case PAYLOAD_DNS:
		opl_json_dns(b, &pl->dns);
		break;
	case PAYLOAD_TLS:
		sb_str(b, ",\"tls\":{\"sni\":");
		if (pl->tls.has_sni)
			opl_json_name(b, &pl->tls.sni);
		else
			sb_str(b, "null");
		sb_printf(b, ",\"ech\":%s", pl->tls.ech ? "true" : "false");
		break;
	case PAYLOAD_HTTP:
		sb_str(b, ",\"http\":{\"method\":");
		opl_json_cstr(b, pl->http.method);
		sb_str(b, ",\"host\":");
		if (pl->http.has_host)
			opl_json_name(b, &pl->http.host);
		else
			sb_str(b, "null");
		if (pl->http.has_port)
			sb_printf(b, ",\"port\":%u", pl->http.port);
		else
			sb_str(b, ",\"port\":null");
		break;
	}
	sb_printf(b, ",\"truncated\":%s,\"problem\":",
		  pl->truncated ? "true" : "false");
	opl_json_cstr(b, pl->problem);
	sb_char(b, '}');
}

/* --- local forwarders (--dns) --- */

/* A command name as "comm (pid)" shows it: space and parentheses escaped. */
static void opl_comm(struct strbuf *b, const char *comm, size_t max)
{
	size_t n = strnlen(comm, max);

	if (n == 0)
		sb_char(b, '?');
	else
		sb_escaped(b, comm, n, "\\\" ()=");
}

void out_link_text(struct strbuf *b, const struct out_link *link)
{
	if (link == NULL || !link->forwarder)
		return;
	sb_str(b, " forwarder");
	if (link->app_pid <= 0)
		return;
	sb_str(b, " asked_by=");
	opl_comm(b, link->app_comm, 16);
	sb_printf(b, "(%ld)", (long)link->app_pid);
}

void out_link_json(struct strbuf *b, const struct out_link *link)
{
	const char *c;

	if (link == NULL || !link->forwarder)
		return;
	sb_str(b, ",\"forwarder\":true,\"asked_by\":");
	if (link->app_pid <= 0) {
		sb_str(b, "null");
		return;
	}
	sb_printf(b, "{\"pid\":%ld,\"comm\":", (long)link->app_pid);
	/* comm: untrusted bytes; escaped to ASCII first, then as JSON */
	{
		char text[16 * 4 + 1];
		struct strbuf t;

		c = link->app_comm;
		sb_init(&t, text, sizeof(text));
		sb_escaped(&t, c, strnlen(c, 16), NULL);
		if (sb_finish(&t) < 0)
			text[0] = '\0';
		opl_json_ascii(b, text, strlen(text));
	}
	sb_char(b, '}');
}

static void opl_sender(struct strbuf *b, const struct resolver_result *who)
{
	const struct resolver_proc *p = &who->procs[0];

	if (who->n_procs == 0) {
		if (who->has_uid)
			sb_printf(b, "unknown (uid %u)", (unsigned int)who->uid);
		else
			sb_str(b, "unknown");
		return;
	}
	opl_comm(b, p->comm, sizeof(p->comm));
	sb_printf(b, " (%ld)", (long)p->pid);
}

int out_format_dns_text(const struct out_event *ev, char *buf, size_t len)
{
	const struct out_link *link = ev->link;
	const struct pkt_info *pkt = ev->pkt;
	char dst[ADDR_STR_MAX];
	struct strbuf b;
	unsigned int i;

	if (pkt == NULL || ev->who == NULL || ev->pl == NULL ||
	    ev->pl->kind != PAYLOAD_DNS) {
		errno = EINVAL;
		return -1;
	}
	sb_init(&b, buf, len);
	out_text_ts(&b, &ev->ts);
	sb_char(&b, ' ');
	if (link && link->forwarder && link->app_pid > 0) {
		opl_comm(&b, link->app_comm, 16);
		sb_printf(&b, " (%ld) via ", (long)link->app_pid);
	}
	opl_sender(&b, ev->who);
	sb_str(&b, " -> ");
	sb_str(&b, addr_endpoint_str(&pkt->dst, pkt->dport, dst, sizeof(dst)));
	if (pkt->proto == IPPROTO_TCP)
		sb_str(&b, " tcp");
	sb_char(&b, ':');
	if (ev->pl->dns.flags & PAYLOAD_DNS_QR)
		sb_str(&b, " reply");
	for (i = 0; i < ev->pl->dns.n_questions && i < PAYLOAD_DNS_QMAX; i++) {
		const struct payload_dns_question *q = &ev->pl->dns.q[i];
		char tb[PAYLOAD_NUM_NAME_MAX];

		sb_char(&b, ' ');
		sb_str(&b, payload_type_name(q->qtype, tb));
		sb_str(&b, "? ");
		payload_name_escape(&b, &q->qname);
	}
	if (ev->pl->problem) {
		sb_str(&b, " payload_problem=\"");
		sb_str(&b, ev->pl->problem);
		sb_char(&b, '"');
	}
	if (link && link->forwarder && link->app_pid <= 0)
		sb_str(&b, " (forwarder; no application query seen)");
	sb_char(&b, '\n');
	return sb_finish(&b);
}
