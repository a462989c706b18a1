/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * payload: find a packet's transport payload and pick the decoder for it.
 *
 * When DNS is tried, and why:
 * - Ports 53, 5353 (mDNS) and 5355 (LLMNR), as source or destination, say
 *   DNS whatever the bytes are: what does not parse there is reported as
 *   malformed DNS, because a tunnel or an exploit on the DNS port is what
 *   an admin chasing suspicious queries wants to see.  The source port
 *   counts too: a local server's answers leave from it.
 * - Any other port is tried as well, because resolvers do listen
 *   elsewhere (dnsmasq --port, dnscrypt-proxy and stubby on 5300/5353,
 *   containers' embedded servers) and a program that hides its lookups
 *   picks one.  There only a complete standard query counts (header bits
 *   of a query, 1-4 questions of a real class, no answers, every byte
 *   accounted for): random payloads fail that within the 12-byte header,
 *   and nothing is reported as "malformed DNS" on a port that is not DNS.
 * TLS and HTTP are recognised by their first bytes on any TCP port (TLS on
 * 8443, HTTP on 8080 and proxies are common), port 53 included.
 */
#include <errno.h>
#include <netinet/in.h>

#include "payload_int.h"

#define UDP_HDR_LEN	8
#define TCP_HDR_MIN	20
#define PORT_DNS	53
#define PORT_MDNS	5353
#define PORT_LLMNR	5355

static int pl_none(void)
{
	errno = ENOENT;
	return -1;
}

int payload_locate(const struct pkt_info *pkt, const uint8_t *data, size_t len,
		   struct payload_src *src)
{
	size_t off = pkt->l3_len, end = len, hlen, ulen;

	if (!pkt->has_ports || (pkt->proto != IPPROTO_UDP && pkt->proto != IPPROTO_TCP))
		return pl_none();
	/* link padding after a short IP packet; GSO leaves ip_len 0 */
	if (pkt->ip_len != 0 && pkt->ip_len < len)
		end = pkt->ip_len;
	src->cut = pkt->ip_len > len || pkt->fragment;
	if (pkt->proto == IPPROTO_UDP) {
		if (off + UDP_HDR_LEN > end)
			return pl_none();
		ulen = pl_get16(data + off + 4);
		if (ulen >= UDP_HDR_LEN && off + ulen < end)
			end = off + ulen;
		hlen = UDP_HDR_LEN;
	} else {
		if (off + TCP_HDR_MIN > end)
			return pl_none();
		hlen = (size_t)(data[off + 12] >> 4) * 4;
		if (hlen < TCP_HDR_MIN || off + hlen > end)
			return pl_none();
	}
	if (off + hlen >= end)
		return pl_none();
	src->proto = pkt->proto;
	src->sport = pkt->sport;
	src->dport = pkt->dport;
	src->data = data + off + hlen;
	src->len = end - off - hlen;
	return 0;
}

static bool pl_port(const struct payload_src *src, uint16_t port)
{
	return src->sport == port || src->dport == port;
}

/*
 * TLS and HTTP first, on every port: neither start can be a DNS message
 * over TCP (a length of 0x16 0x03.. with rcode FORMERR, or of "GE" with a
 * request line after it), and on port 53 they are a tunnel worth naming.
 */
static int pl_tcp(const struct payload_src *src, struct payload *out)
{
	struct pl_dns_how how = { .tcp = true };

	if (payload_tls_decode(src->data, src->len, src->cut, out) == 0 ||
	    payload_http_decode(src->data, src->len, src->cut, out) == 0)
		return 0;
	how.strict = !pl_port(src, PORT_DNS) && !pl_port(src, PORT_LLMNR);
	if (payload_dns_decode(src->data, src->len, src->cut, &how, out) == 0)
		return 0;
	return pl_none();
}

int payload_decode_src(const struct payload_src *src, struct payload *out)
{
	struct pl_dns_how how = { .tcp = false };

	out->kind = PAYLOAD_NONE;
	out->truncated = false;
	out->problem = NULL;
	if (src->len == 0)
		return pl_none();
	if (src->proto == IPPROTO_TCP)
		return pl_tcp(src, out);
	if (src->proto != IPPROTO_UDP)
		return pl_none();
	how.mdns = pl_port(src, PORT_MDNS);
	how.strict = !how.mdns && !pl_port(src, PORT_DNS) && !pl_port(src, PORT_LLMNR);
	if (payload_dns_decode(src->data, src->len, src->cut, &how, out) == 0)
		return 0;
	return pl_none();
}

int payload_decode(const struct pkt_info *pkt, const uint8_t *data, size_t len,
		   struct payload *out)
{
	struct payload_src src;

	out->kind = PAYLOAD_NONE;
	out->truncated = false;
	out->problem = NULL;
	if (payload_locate(pkt, data, len, &src) < 0)
		return -1;
	return payload_decode_src(&src, out);
}
