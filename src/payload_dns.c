/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * payload_dns: the header and the questions of a DNS message (RFC 1035
 * 4.1) over UDP or TCP.  Nothing past the questions is decoded except, for
 * the strict check on other ports, the additional records.  Every length is
 * checked against the bytes present; running out of them is "truncated"
 * when the message says it goes on, "malformed" when it does not.
 */
#include <string.h>

#include "payload_int.h"

#define DNS_HDR_LEN		12
#define DNS_QUESTION_FIXED	4	/* qtype, qclass */
#define DNS_RR_FIXED		10	/* type, class, ttl, rdlength */
/* A name of 127 one-byte labels could be split into that many runs; real
 * messages use one or two pointers per name. */
#define DNS_MAX_JUMPS		64
#define DNS_STRICT_AR_MAX	2	/* EDNS OPT, and a TSIG or SIG(0) */
#define DNS_WALK_RR_MAX		8	/* records walked after the questions */
#define DNS_OPCODE_QUERY	0

struct dns_msg {
	const uint8_t *m;	/* the message, after any TCP length prefix */
	size_t avail;		/* bytes of it in the packet */
	size_t end;		/* its length; more than avail: truncated */
	struct payload *out;
};

/* Out of bytes: truncated if the message goes on, else malformed. */
static int dns_short(struct dns_msg *d, const char *malformed)
{
	if (d->avail < d->end) {
		d->out->truncated = true;
		d->out->problem = "truncated dns message";
	} else {
		d->out->problem = malformed;
	}
	return -1;
}

static int dns_bad(struct dns_msg *d, const char *why)
{
	d->out->problem = why;
	return -1;
}

/*
 * The name at *pos into name; *pos moves past it.  A compression pointer
 * must point below the start of the run of labels it ends: every
 * compressor writes them so (a name refers to one sent before it), and
 * then no chain of pointers can loop.
 */
static int dns_name(struct dns_msg *d, size_t *pos, struct payload_name *name)
{
	size_t p = *pos, run, after = 0, wl = 0, t;
	unsigned int jumps = 0;
	uint8_t b;

	run = p;
	for (;;) {
		if (p >= d->avail)
			return dns_short(d, "malformed dns: label past end");
		b = d->m[p];
		if ((b & 0xc0) == 0xc0) {
			if (p + 1 >= d->avail)
				return dns_short(d, "malformed dns: label past end");
			t = (size_t)(b & 0x3f) << 8 | d->m[p + 1];
			if (t >= run)
				return dns_bad(d, "malformed dns: compression pointer not backwards");
			if (t < DNS_HDR_LEN)
				return dns_bad(d, "malformed dns: compression pointer into the header");
			if (++jumps > DNS_MAX_JUMPS)
				return dns_bad(d, "malformed dns: too many compression pointers");
			if (after == 0)
				after = p + 2;
			p = run = t;
			continue;
		}
		if (b & 0xc0)
			return dns_bad(d, "malformed dns: unknown label type");
		if (b == 0)
			break;
		/* this label and the root's zero must still fit */
		if (wl + 1 + b + 1 > PAYLOAD_NAME_MAX)
			return dns_bad(d, "malformed dns: name longer than 255 bytes");
		if (p + 1 + b > d->avail)
			return dns_short(d, "malformed dns: label past end");
		memcpy(name->wire + wl, d->m + p, 1 + (size_t)b);
		wl += 1 + (size_t)b;
		p += 1 + (size_t)b;
	}
	name->wire[wl++] = 0;
	name->len = (uint8_t)wl;
	*pos = after ? after : p + 1;
	return 0;
}

static int dns_question(struct dns_msg *d, size_t *pos, bool mdns,
			struct payload_dns_question *q)
{
	if (*pos >= d->avail && d->avail == d->end)
		return dns_bad(d, "malformed dns: fewer questions than qdcount");
	if (dns_name(d, pos, &q->qname) < 0)
		return -1;
	if (*pos + DNS_QUESTION_FIXED > d->avail)
		return dns_short(d, "malformed dns: question past end");
	q->qtype = pl_get16(d->m + *pos);
	q->qclass = pl_get16(d->m + *pos + 2);
	q->unicast_response = mdns && (q->qclass & 0x8000);
	if (q->unicast_response)
		q->qclass &= 0x7fff;
	*pos += DNS_QUESTION_FIXED;
	return 0;
}

static int dns_skip_rr(struct dns_msg *d, size_t *pos)
{
	struct payload_name scratch;
	size_t rdlen;

	if (*pos >= d->avail && d->avail == d->end)
		return dns_bad(d, "malformed dns: fewer records than the counts say");
	if (dns_name(d, pos, &scratch) < 0)
		return -1;
	if (*pos + DNS_RR_FIXED > d->avail)
		return dns_short(d, "malformed dns: record past end");
	rdlen = pl_get16(d->m + *pos + 8);
	if (*pos + DNS_RR_FIXED + rdlen > d->avail)
		return dns_short(d, "malformed dns: record data past end");
	*pos += DNS_RR_FIXED + rdlen;
	return 0;
}

static bool dns_query_header(const struct payload_dns *dns)
{
	return !(dns->flags & (PAYLOAD_DNS_QR | PAYLOAD_DNS_AA | PAYLOAD_DNS_TC |
			       PAYLOAD_DNS_RA | PAYLOAD_DNS_Z)) &&
	       dns->opcode == DNS_OPCODE_QUERY && dns->rcode == 0 &&
	       dns->qdcount >= 1 && dns->qdcount <= PAYLOAD_DNS_QMAX &&
	       dns->ancount == 0 && dns->nscount == 0 &&
	       dns->arcount <= DNS_STRICT_AR_MAX;
}

static bool dns_query_class(uint16_t cls)
{
	return cls == 1 || cls == 3 || cls == 4 || cls == 255;
}

/* A strict query asks for something real. */
static bool dns_strict_questions(const struct payload_dns *dns)
{
	unsigned int i;

	for (i = 0; i < dns->n_questions; i++)
		if (dns->q[i].qtype == 0 || !dns_query_class(dns->q[i].qclass))
			return false;
	return true;
}

/*
 * With few records (a query's OPT, a short answer) they are walked, so
 * that lying counts and bytes smuggled after the records show; a long
 * answer is left alone, the cost stays bounded.
 */
static void dns_records(struct dns_msg *d, size_t pos)
{
	const struct payload_dns *dns = &d->out->dns;
	unsigned int i, n = (unsigned int)dns->ancount + dns->nscount + dns->arcount;

	if (dns->qdcount > PAYLOAD_DNS_QMAX || n > DNS_WALK_RR_MAX)
		return;
	for (i = 0; i < n; i++)
		if (dns_skip_rr(d, &pos) < 0)
			return;
	if (pos < d->avail)
		d->out->problem = n ? "malformed dns: bytes after the last record" :
				  "malformed dns: bytes after the last question";
}

static int dns_not_dns(struct payload *out)
{
	out->kind = PAYLOAD_NONE;
	out->truncated = false;
	out->problem = NULL;
	return -1;
}

int payload_dns_decode(const uint8_t *p, size_t n, bool cut,
		       const struct pl_dns_how *how, struct payload *out)
{
	struct payload_dns *dns = &out->dns;
	struct dns_msg d = { .out = out };
	size_t pos = DNS_HDR_LEN;
	unsigned int i, want;

	out->kind = PAYLOAD_DNS;
	memset(dns, 0, offsetof(struct payload_dns, q));
	dns->tcp = how->tcp;
	if (how->tcp) {
		if (n < 2) {
			if (how->strict)
				return dns_not_dns(out);
			out->truncated = true;
			out->problem = "truncated dns message";
			return 0;
		}
		dns->msg_len = pl_get16(p);
		d.m = p + 2;
		d.end = dns->msg_len;
		d.avail = n - 2 < d.end ? n - 2 : d.end;
		if (how->strict && (cut || d.end != n - 2))
			return dns_not_dns(out);
		if (d.end < DNS_HDR_LEN) {
			out->problem = "malformed dns: length prefix shorter than a header";
			return how->strict ? dns_not_dns(out) : 0;
		}
	} else {
		if (how->strict && cut)
			return dns_not_dns(out);
		d.m = p;
		d.avail = n;
		/* a partial copy: the datagram's real end is unknown */
		d.end = cut ? (size_t)UINT16_MAX + 1 : n;
		dns->msg_len = n > UINT16_MAX ? UINT16_MAX : (uint16_t)n;
	}
	if (d.avail < DNS_HDR_LEN) {
		dns_short(&d, "malformed dns: shorter than its header");
		return how->strict ? dns_not_dns(out) : 0;
	}
	dns->id = pl_get16(d.m);
	dns->flags = pl_get16(d.m + 2);
	dns->opcode = (dns->flags >> 11) & 0xf;
	dns->rcode = dns->flags & 0xf;
	dns->qdcount = pl_get16(d.m + 4);
	dns->ancount = pl_get16(d.m + 6);
	dns->nscount = pl_get16(d.m + 8);
	dns->arcount = pl_get16(d.m + 10);
	if (how->strict && !dns_query_header(dns))
		return dns_not_dns(out);

	/* Beyond PAYLOAD_DNS_QMAX nothing is read: the cost stays bounded. */
	want = dns->qdcount < PAYLOAD_DNS_QMAX ? dns->qdcount : PAYLOAD_DNS_QMAX;
	for (i = 0; i < want; i++) {
		if (dns_question(&d, &pos, how->mdns, &dns->q[i]) < 0)
			break;
		dns->n_questions++;
	}
	if (!out->problem)
		dns_records(&d, pos);
	/* what was not read (a long answer) is still missing */
	if (!out->problem && d.avail < d.end)
		dns_short(&d, NULL);
	if (how->strict && (out->problem || out->truncated ||
			    !dns_strict_questions(dns)))
		return dns_not_dns(out);
	return 0;
}
