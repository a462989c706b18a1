/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * payload: what a packet's transport payload says it is for: the questions
 * of a DNS message, the server name of a TLS ClientHello, the Host of an
 * HTTP/1.x request.  Pure and bounded: reads only the bytes it is given,
 * allocates nothing, keeps no state between packets; a hostile payload
 * gives a problem string, never a crash.
 */
#ifndef PTRAP_PAYLOAD_H
#define PTRAP_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "packet.h"
#include "strbuf.h"

/*
 * A name in DNS wire form, uncompressed: length-prefixed labels ending in
 * the zero-length root label, as sent (case kept).  A label may hold any
 * byte, a dot included, so label boundaries are never guessed from text.
 * SNI and Host are split at their dots into the same form.
 */
#define PAYLOAD_NAME_MAX	255
struct payload_name {
	uint8_t len;			/* bytes in wire[], the root's 0 included */
	uint8_t wire[PAYLOAD_NAME_MAX];
};

/*
 * The longest text payload_name_escape() writes, its NUL included: four
 * labels (63, 63, 63, 61 bytes) of \DDD and three dots.
 */
#define PAYLOAD_NAME_TEXT_MAX	1004
/* Buffer for payload_type_name() and friends: "CLASS65535" and a NUL. */
#define PAYLOAD_NUM_NAME_MAX	16

#define PAYLOAD_DNS_QMAX	4	/* questions decoded; qdcount may say more */

/* Bits of the DNS flags word (RFC 1035 4.1.1, RFC 4035 3.2). */
#define PAYLOAD_DNS_QR		0x8000
#define PAYLOAD_DNS_AA		0x0400
#define PAYLOAD_DNS_TC		0x0200
#define PAYLOAD_DNS_RD		0x0100
#define PAYLOAD_DNS_RA		0x0080
#define PAYLOAD_DNS_Z		0x0040
#define PAYLOAD_DNS_AD		0x0020
#define PAYLOAD_DNS_CD		0x0010

struct payload_dns_question {
	struct payload_name qname;
	uint16_t qtype, qclass;
	bool unicast_response;	/* mDNS "QU" (port 5353): top bit of qclass,
				   which is then cleared (RFC 6762 5.4) */
};

struct payload_dns {
	bool tcp;		/* length-prefixed (RFC 1035 4.2.2) */
	uint16_t msg_len;	/* the TCP length prefix, or the UDP payload's */
	uint16_t id, flags;	/* flags: the whole second word of the header */
	uint8_t opcode, rcode;	/* taken out of flags */
	uint16_t qdcount, ancount, nscount, arcount;	/* as the header says */
	uint8_t n_questions;	/* complete questions in q[] */
	struct payload_dns_question q[PAYLOAD_DNS_QMAX];
};

#define PAYLOAD_ALPN_MAX	4	/* protocols kept */
#define PAYLOAD_ALPN_LEN	32	/* longer protocol names are skipped */
struct payload_tls {
	uint16_t record_version;	/* e.g. 0x0301 */
	uint16_t hello_version;		/* legacy_version: 0x0303 for 1.2/1.3 */
	bool has_sni;			/* else sni is not set */
	struct payload_name sni;	/* server_name, type host_name */
	bool ech;	/* encrypted_client_hello: sni is the outer, public name */
	uint8_t n_alpn;
	uint8_t alpn_len[PAYLOAD_ALPN_MAX];
	uint8_t alpn[PAYLOAD_ALPN_MAX][PAYLOAD_ALPN_LEN];
};

#define PAYLOAD_METHOD_MAX	20
struct payload_http {
	char method[PAYLOAD_METHOD_MAX + 1];	/* "GET", NUL-terminated */
	uint8_t version_minor;	/* 1 for HTTP/1.1; 0 too when the line was cut */
	bool has_host;
	struct payload_name host;	/* the Host header without its port */
	bool has_port;
	uint16_t port;
};

enum payload_kind {
	PAYLOAD_NONE = 0,	/* none of the protocols below */
	PAYLOAD_DNS,
	PAYLOAD_TLS,
	PAYLOAD_HTTP,
};

struct payload {
	enum payload_kind kind;
	/*
	 * The packet holds only the start of the message (a TCP segment, a
	 * DNS length prefix saying more, a partial copy); what it holds was
	 * decoded, and problem says "truncated dns message", "incomplete
	 * ClientHello" or "incomplete http request" (unless something was
	 * malformed).  A name is only ever given whole, never a part of one.
	 */
	bool truncated;
	const char *problem;	/* NULL or a static string, e.g.
				   "malformed dns: label past end" */
	union {			/* the member that kind names */
		struct payload_dns dns;
		struct payload_tls tls;
		struct payload_http http;
	};
};

/* The transport payload of a parsed packet and where it came from. */
struct payload_src {
	uint8_t proto;		/* IPPROTO_UDP or IPPROTO_TCP */
	uint16_t sport, dport;
	const uint8_t *data;
	size_t len;
	bool cut;		/* the packet goes on past the copy we have */
};

/*
 * Find the UDP or TCP payload of data (len bytes from the IP header, as
 * given to pkt_parse(), which filled pkt).  The IP and UDP lengths bound
 * it (link padding is not payload).  0, or -1 with errno ENOENT: not TCP
 * or UDP, no ports (a later fragment), a bad header, or no payload bytes.
 */
int payload_locate(const struct pkt_info *pkt, const uint8_t *data, size_t len,
		   struct payload_src *src);

/*
 * Decode a transport payload.  0 when it is DNS, TLS or HTTP (out->kind;
 * out->problem may still be set); -1 with errno ENOENT when it is none of
 * them (out->kind PAYLOAD_NONE).  Only the members kind names are set.
 */
int payload_decode_src(const struct payload_src *src, struct payload *out);

/* payload_locate() and payload_decode_src() in one; same results. */
int payload_decode(const struct pkt_info *pkt, const uint8_t *data, size_t len,
		   struct payload *out);

/*
 * Which protocol is tried (payload.c says why):
 * - UDP with port 53, 5353 (mDNS) or 5355 (LLMNR) as source or destination:
 *   DNS, and a payload that is not DNS is reported as malformed DNS.
 * - TCP, any port (53 too: a tunnel): a TLS handshake record holding a
 *   ClientHello; an HTTP/1.x request line (method [A-Z][A-Z0-9_-]*,
 *   target, HTTP/1.<digit>).
 * - TCP with port 53 or 5355, when it is neither: DNS with its length
 *   prefix, reported as malformed if it is not DNS either.
 * - UDP or TCP, any other port: DNS only if it is strictly a complete
 *   standard query: QR 0, opcode QUERY, rcode 0, AA TC RA Z clear,
 *   1 to 4 questions of class IN, CH, HS or ANY, no answer or authority
 *   records, at most 2 additional ones, every byte accounted for, not cut.
 * The decoders keep no stream state: a TCP segment from the middle of a
 * stream is read as if it started one (on port 53: a DNS message that
 * is usually malformed or truncated).
 */

/* --- names (payload_name.c) --- */

/*
 * Append name in the master-file form dig prints, without the final dot
 * ("." for the root): in a label, `. ; \ " ( ) @ $` get a backslash and
 * bytes outside '!'..'~' become \DDD (decimal), so the text is printable
 * ASCII without spaces: one token.  A zero-length name appends nothing.
 */
void payload_name_escape(struct strbuf *b, const struct payload_name *name);

/*
 * Wire form from a host name as text (SNI, Host): split at every '.', no
 * escapes; one final dot is dropped.  0, or -1 with errno EINVAL and *why:
 * "empty name", "empty label", "label longer than 63 bytes", "name longer
 * than 255 bytes".
 */
int payload_name_from_text(struct payload_name *name, const uint8_t *s,
			   size_t n, const char **why);
/*
 * Wire form from the escaped form above (the inverse of
 * payload_name_escape(): \. \\ \DDD \X); "." is the root; one final dot
 * is dropped.  0, or -1 with errno EINVAL and *why (those of
 * payload_name_from_text() and "bad escape").
 */
int payload_name_parse(struct payload_name *name, const char *text,
		       const char **why);

/* Mnemonics, else TYPE<N> / CLASS<N> (RFC 3597) or OPCODE<N> in buf. */
const char *payload_type_name(uint16_t type, char buf[PAYLOAD_NUM_NAME_MAX]);
const char *payload_class_name(uint16_t cls, char buf[PAYLOAD_NUM_NAME_MAX]);
const char *payload_opcode_name(uint8_t opcode, char buf[PAYLOAD_NUM_NAME_MAX]);

#endif
