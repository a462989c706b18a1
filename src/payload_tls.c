/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * payload_tls: the server name (RFC 6066 3) and ALPN list (RFC 7301) of a
 * TLS ClientHello (RFC 8446 4.1.2) in the first handshake record of a TCP
 * segment.  Each length is checked twice: against the structure holding
 * it (past that: malformed) and against the bytes present (past those:
 * the hello goes on in a later segment or record, "incomplete").  What was
 * read whole before that point is kept; nothing is guessed from a part.
 */
#include <string.h>

#include "payload_int.h"

#define TLS_CT_HANDSHAKE	22
#define TLS_HS_CLIENT_HELLO	1
#define TLS_RECORD_HDR		5
#define TLS_HS_HDR		4
#define TLS_RECORD_MAX		16384	/* TLSPlaintext.length, 2^14 */
#define TLS_RANDOM_LEN		32
#define TLS_SESSION_ID_MAX	32
/* Real hellos carry about twenty; the bound keeps hostile ones cheap. */
#define TLS_MAX_EXTENSIONS	256

#define TLS_EXT_SERVER_NAME	0
#define TLS_EXT_ALPN		16
#define TLS_EXT_ECH		0xfe0d	/* draft-ietf-tls-esni */
#define TLS_SNI_HOST_NAME	0

struct tls_hello {
	const uint8_t *p;
	size_t avail;		/* bytes present: the record, or less */
	struct payload *out;
};

static int tls_incomplete(struct tls_hello *h)
{
	h->out->truncated = true;
	h->out->problem = "incomplete ClientHello";
	return -1;
}

static int tls_bad(struct tls_hello *h, const char *why)
{
	h->out->problem = why;
	return -1;
}

/* [pos, pos + k) inside lim (else malformed: why) and present. */
static int tls_need(struct tls_hello *h, size_t pos, size_t k, size_t lim,
		    const char *why)
{
	if (pos + k > lim)
		return tls_bad(h, why);
	if (pos + k > h->avail)
		return tls_incomplete(h);
	return 0;
}

/* server_name extension data at [pos, end): the first host_name. */
static int tls_sni(struct tls_hello *h, size_t pos, size_t end)
{
	struct payload_tls *tls = &h->out->tls;
	size_t list_end, len;
	const char *why;

	if (tls->has_sni)
		return tls_bad(h, "malformed tls: two server_name extensions");
	if (pos == end)		/* a server's empty echo, not a client's */
		return 0;
	if (tls_need(h, pos, 2, end, "malformed tls: server_name past its extension") < 0)
		return -1;
	list_end = pos + 2 + pl_get16(h->p + pos);
	if (list_end > end)
		return tls_bad(h, "malformed tls: server_name list past its extension");
	pos += 2;
	while (pos < list_end) {
		if (tls_need(h, pos, 3, list_end, "malformed tls: server_name entry past its list") < 0)
			return -1;
		len = pl_get16(h->p + pos + 1);
		if (tls_need(h, pos + 3, len, list_end, "malformed tls: server_name entry past its list") < 0)
			return -1;
		if (h->p[pos] == TLS_SNI_HOST_NAME) {
			if (tls->has_sni)
				return tls_bad(h, "malformed tls: two host names in server_name");
			if (payload_name_from_text(&tls->sni, h->p + pos + 3, len, &why) < 0)
				return tls_bad(h, "malformed tls: server_name is not a host name");
			tls->has_sni = true;
		}
		pos += 3 + len;
	}
	return 0;
}

static int tls_alpn(struct tls_hello *h, size_t pos, size_t end)
{
	struct payload_tls *tls = &h->out->tls;
	size_t list_end, len;

	if (tls_need(h, pos, 2, end, "malformed tls: alpn past its extension") < 0)
		return -1;
	list_end = pos + 2 + pl_get16(h->p + pos);
	if (list_end > end)
		return tls_bad(h, "malformed tls: alpn list past its extension");
	pos += 2;
	while (pos < list_end) {
		if (tls_need(h, pos, 1, list_end, "malformed tls: alpn past its list") < 0)
			return -1;
		len = h->p[pos];
		if (len == 0)
			return tls_bad(h, "malformed tls: empty alpn protocol");
		if (tls_need(h, pos + 1, len, list_end, "malformed tls: alpn protocol past its list") < 0)
			return -1;
		if (tls->n_alpn < PAYLOAD_ALPN_MAX && len <= PAYLOAD_ALPN_LEN) {
			memcpy(tls->alpn[tls->n_alpn], h->p + pos + 1, len);
			tls->alpn_len[tls->n_alpn++] = (uint8_t)len;
		}
		pos += 1 + len;
	}
	return 0;
}

static int tls_extensions(struct tls_hello *h, size_t pos, size_t end)
{
	size_t e_end;
	unsigned int type, n = 0;
	int ret;

	while (pos < end) {
		if (++n > TLS_MAX_EXTENSIONS)
			return tls_bad(h, "malformed tls: too many extensions");
		if (tls_need(h, pos, 4, end, "malformed tls: extension past the extensions") < 0)
			return -1;
		type = pl_get16(h->p + pos);
		e_end = pos + 4 + pl_get16(h->p + pos + 2);
		if (e_end > end)
			return tls_bad(h, "malformed tls: extension past the extensions");
		pos += 4;
		ret = 0;
		if (type == TLS_EXT_SERVER_NAME)
			ret = tls_sni(h, pos, e_end);
		else if (type == TLS_EXT_ALPN)
			ret = tls_alpn(h, pos, e_end);
		else if (type == TLS_EXT_ECH)
			h->out->tls.ech = true;
		if (ret < 0)
			return -1;
		pos = e_end;
	}
	/* the last extension may end past the bytes we have */
	if (pos > h->avail)
		return tls_incomplete(h);
	return 0;
}

/* The ClientHello body from pos (after the handshake header) to end. */
static int tls_hello_body(struct tls_hello *h, size_t pos, size_t end)
{
	static const char short_hello[] = "malformed tls: ClientHello past its end";
	size_t len;

	if (tls_need(h, pos, 2 + TLS_RANDOM_LEN + 1, end, short_hello) < 0)
		return -1;
	h->out->tls.hello_version = pl_get16(h->p + pos);
	pos += 2 + TLS_RANDOM_LEN;
	len = h->p[pos];
	if (len > TLS_SESSION_ID_MAX)
		return tls_bad(h, "malformed tls: session id longer than 32 bytes");
	pos += 1 + len;
	if (tls_need(h, pos, 2, end, short_hello) < 0)
		return -1;
	len = pl_get16(h->p + pos);
	if (len < 2 || (len & 1))
		return tls_bad(h, "malformed tls: bad cipher suites length");
	pos += 2 + len;
	if (tls_need(h, pos, 1, end, short_hello) < 0)
		return -1;
	len = h->p[pos];
	if (len == 0)
		return tls_bad(h, "malformed tls: no compression methods");
	pos += 1 + len;
	if (pos == end)		/* no extensions at all (before TLS 1.2) */
		return 0;
	if (tls_need(h, pos, 2, end, short_hello) < 0)
		return -1;
	len = pl_get16(h->p + pos);
	if (pos + 2 + len != end)
		return tls_bad(h, "malformed tls: extensions do not end with the ClientHello");
	return tls_extensions(h, pos + 2, end);
}

int payload_tls_decode(const uint8_t *p, size_t n, bool cut,
		       struct payload *out)
{
	struct payload_tls *tls = &out->tls;
	struct tls_hello h = { .p = p, .avail = n, .out = out };
	size_t rec_len;

	(void)cut;	/* the lengths inside tell whether the hello goes on */
	if (n < TLS_RECORD_HDR + 1 || p[0] != TLS_CT_HANDSHAKE || p[1] != 3 ||
	    p[2] > 4 || p[TLS_RECORD_HDR] != TLS_HS_CLIENT_HELLO)
		return -1;
	out->kind = PAYLOAD_TLS;
	memset(tls, 0, offsetof(struct payload_tls, sni));
	tls->ech = false;
	tls->n_alpn = 0;
	tls->record_version = pl_get16(p + 1);
	rec_len = pl_get16(p + 3);
	if (rec_len > TLS_RECORD_MAX) {
		out->problem = "malformed tls: record longer than 16384 bytes";
		return 0;
	}
	if (TLS_RECORD_HDR + rec_len < h.avail)
		h.avail = TLS_RECORD_HDR + rec_len;
	/* a handshake header split over records, or the segment ends in it */
	if (h.avail < TLS_RECORD_HDR + TLS_HS_HDR) {
		tls_incomplete(&h);
		return 0;
	}
	tls_hello_body(&h, TLS_RECORD_HDR + TLS_HS_HDR,
		       TLS_RECORD_HDR + TLS_HS_HDR + pl_get24(p + TLS_RECORD_HDR + 1));
	return 0;
}
