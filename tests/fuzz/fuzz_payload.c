/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_payload: the payload decoders on arbitrary bytes.  The first byte
 * says how they arrived (bit 0: TCP, bits 1-2: port 53, 5353, 443 or 9,
 * bit 3: the packet was cut); the rest is the transport payload.  Nothing
 * may be read outside it (ASan), the result must keep the documented
 * contract, and every decoded name must print as one token that parses
 * back to the same bytes and goes through the --name matcher.  What a
 * report (text, JSON) and a packet comment make of the result must be
 * one line of printable ASCII.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "comment.h"
#include "namematch.h"
#include "output_payload.h"
#include "payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t fz_ports[] = { 53, 5353, 443, 9 };
static struct namematch_set fz_set;
static int fz_ready;

static void fz_name(const struct payload_name *n)
{
	char text[PAYLOAD_NAME_TEXT_MAX];
	struct payload_name back;
	struct strbuf b;
	const char *why;
	size_t i;

	if (n->len == 0 || n->len > PAYLOAD_NAME_MAX)
		abort();
	sb_init(&b, text, sizeof(text));
	payload_name_escape(&b, n);
	if (sb_finish(&b) <= 0)
		abort();
	for (i = 0; text[i]; i++)
		if (text[i] <= 0x20 || text[i] >= 0x7f)
			abort();
	if (payload_name_parse(&back, text, &why) < 0 || back.len != n->len ||
	    memcmp(back.wire, n->wire, n->len) != 0)
		abort();
	(void)namematch_name(&fz_set, n);
}

static void fz_one_line(const char *s, size_t n, bool newlines)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((s[i] < 0x20 && !(newlines && s[i] == '\n')) || s[i] >= 0x7f)
			abort();
}

static void fz_outputs(const struct payload *pl)
{
	static char buf[8192], comment[COMMENT_MAX];
	struct strbuf b;
	size_t n;
	int len;

	sb_init(&b, buf, sizeof(buf));
	out_payload_text(&b, pl);
	len = sb_finish(&b);
	if (len < 0)
		abort();
	fz_one_line(buf, (size_t)len, false);
	sb_init(&b, buf, sizeof(buf));
	out_payload_json(&b, pl);
	len = sb_finish(&b);
	if (len <= 0 || buf[len - 1] != '}')
		abort();
	fz_one_line(buf, (size_t)len, false);
	/* lines of the comment: only whole ones, never past its end */
	comment[0] = '\0';
	n = comment_append_payload(comment, sizeof(comment), 0, pl);
	if (n >= sizeof(comment) || strlen(comment) != n)
		abort();
	fz_one_line(comment, n, true);
}

static void fz_check(const struct payload *pl, int ret)
{
	unsigned int i;

	if (ret < 0) {
		if (errno != ENOENT || pl->kind != PAYLOAD_NONE)
			abort();
		return;
	}
	if (ret != 0 || (pl->truncated && !pl->problem) ||
	    (pl->problem && !pl->problem[0]))
		abort();
	switch (pl->kind) {
	case PAYLOAD_DNS:
		if (pl->dns.n_questions > PAYLOAD_DNS_QMAX ||
		    pl->dns.n_questions > pl->dns.qdcount)
			abort();
		for (i = 0; i < pl->dns.n_questions; i++)
			fz_name(&pl->dns.q[i].qname);
		break;
	case PAYLOAD_TLS:
		if (pl->tls.has_sni)
			fz_name(&pl->tls.sni);
		if (pl->tls.n_alpn > PAYLOAD_ALPN_MAX)
			abort();
		for (i = 0; i < pl->tls.n_alpn; i++)
			if (pl->tls.alpn_len[i] == 0 || pl->tls.alpn_len[i] > PAYLOAD_ALPN_LEN)
				abort();
		break;
	case PAYLOAD_HTTP:
		if (strnlen(pl->http.method, sizeof(pl->http.method)) == 0 ||
		    strnlen(pl->http.method, sizeof(pl->http.method)) > PAYLOAD_METHOD_MAX)
			abort();
		if (pl->http.has_host)
			fz_name(&pl->http.host);
		break;
	case PAYLOAD_NONE:
		abort();
	}
	(void)namematch_payload(&fz_set, pl);
	fz_outputs(pl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct payload_src src;
	struct payload pl;
	const char *why;
	uint8_t *copy;

	if (!fz_ready) {
		namematch_init(&fz_set);
		if (namematch_add(&fz_set, "*.example.test", &why) < 0 ||
		    namematch_add(&fz_set, "a\\.b.test", &why) < 0 ||
		    namematch_add(&fz_set, "*", &why) < 0)
			abort();
		fz_ready = 1;
	}
	if (size == 0)
		return 0;
	/* an exact-size heap copy, so a one-byte over-read is caught */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	src.proto = data[0] & 1 ? IPPROTO_TCP : IPPROTO_UDP;
	src.sport = 40000;
	src.dport = fz_ports[(data[0] >> 1) & 3];
	src.cut = data[0] & 8;
	src.data = copy;
	src.len = size - 1;
	fz_check(&pl, payload_decode_src(&src, &pl));
	free(copy);
	return 0;
}
