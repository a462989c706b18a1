/* SPDX-License-Identifier: GPL-2.0-or-later */
/* packet: parse a queued packet (starting at the IP header) into a flow key. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "packet.h"

#define IPV4_HDR_MIN	20
#define IPV6_HDR_LEN	40
#define IPV4_MF		0x2000
#define IPV4_OFFMASK	0x1fff
#define IPV6_OFFMASK	0xfff8
#define IPV6_MF		0x0001
/* A real packet carries a handful at most; the bound stops hostile chains. */
#define IPV6_MAX_EXTHDRS 16

#define TCP_HDR_MIN	20
#define UDP_HDR_LEN	8
#define ICMP_HDR_LEN	8

/* Not in every libc's netinet/in.h */
#ifndef IPPROTO_MH
#define IPPROTO_MH	135
#endif
#define PKT_PROTO_HIP	139
#define PKT_PROTO_SHIM6	140

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The first problem found is the one worth reporting. */
static void set_problem(struct pkt_info *out, const char *why)
{
	if (!out->problem)
		out->problem = why;
}

static int not_ip(struct pkt_info *out, const char *why)
{
	out->problem = why;
	errno = EINVAL;
	return -1;
}

static bool icmp_is_echo(uint8_t proto, uint8_t type)
{
	if (proto == IPPROTO_ICMP)
		return type == 8 || type == 0;
	return type == 128 || type == 129;
}

/* Errors carry the start of the packet that caused them (RFC 792, 4443). */
static bool icmp_is_error(uint8_t proto, uint8_t type)
{
	if (proto == IPPROTO_ICMP)
		return type == 3 || type == 4 || type == 5 || type == 11 ||
		       type == 12;
	return type >= 1 && type <= 4;
}

/* l4 points at the transport header, n bytes of it are inside the packet. */
static void parse_l4(const uint8_t *l4, size_t n, struct pkt_info *out)
{
	switch (out->proto) {
	case IPPROTO_TCP:
		/* ports and flags lie in the first 14 bytes, but a shorter
		 * header than the minimum is not a TCP header at all */
		if (n < TCP_HDR_MIN) {
			set_problem(out, "truncated tcp header");
			return;
		}
		out->sport = get16(l4);
		out->dport = get16(l4 + 2);
		out->tcp_flags = l4[13];
		out->has_ports = true;
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		if (n < UDP_HDR_LEN) {
			set_problem(out, "truncated udp header");
			return;
		}
		out->sport = get16(l4);
		out->dport = get16(l4 + 2);
		out->has_ports = true;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (n < ICMP_HDR_LEN) {
			set_problem(out, out->proto == IPPROTO_ICMP ?
				    "truncated icmp header" :
				    "truncated icmpv6 header");
			return;
		}
		out->icmp_type = l4[0];
		out->icmp_code = l4[1];
		out->has_icmp = true;
		out->icmp_echo = icmp_is_echo(out->proto, l4[0]);
		out->icmp_error = icmp_is_error(out->proto, l4[0]);
		if (out->icmp_echo) {
			out->icmp_id = get16(l4 + 4);
			out->icmp_seq = get16(l4 + 6);
		}
		break;
	default:
		break;
	}
}

static int parse_ipv4(const uint8_t *data, size_t len, struct pkt_info *out)
{
	size_t ihl, end;
	uint16_t frag;

	if (len < IPV4_HDR_MIN)
		return not_ip(out, "truncated ipv4 header");

	out->src.family = AF_INET;
	out->dst.family = AF_INET;
	memcpy(&out->src.u.v4, data + 12, 4);
	memcpy(&out->dst.u.v4, data + 16, 4);
	out->proto = data[9];
	out->ip_len = get16(data + 2);

	ihl = (size_t)(data[0] & 0x0f) * 4;
	if (ihl < IPV4_HDR_MIN) {
		set_problem(out, "bad ipv4 header length");
		return 0;
	}
	if (ihl > len) {
		set_problem(out, "ipv4 header past end of packet");
		return 0;
	}
	out->l3_len = (uint16_t)ihl;

	/*
	 * A total length beyond len is normal: the queue may copy only a
	 * prefix.  Zero is what GSO/BIG TCP leaves there, so len is all we know
	 * then.  Shorter than the header itself is simply wrong; the bytes are
	 * still parsed, as they are all there is to go on.
	 */
	end = len;
	if (out->ip_len != 0 && out->ip_len < ihl)
		set_problem(out, "bad ipv4 total length");
	else if (out->ip_len != 0 && out->ip_len < len)
		end = out->ip_len;

	frag = get16(data + 6);
	if (frag & (IPV4_MF | IPV4_OFFMASK))
		out->fragment = true;
	if (frag & IPV4_OFFMASK) {
		set_problem(out, "non-first fragment");
		return 0;
	}
	parse_l4(data + ihl, end - ihl, out);
	return 0;
}

/*
 * Walk the extension header chain after the fixed header, advancing
 * out->l3_len past each one.  Returns 0 at the upper-layer header (or at one
 * such as ESP that hides what follows), -1 when there is nothing more to
 * parse (problem set).  out->proto is left as the last next-header value.
 */
static int walk_ipv6_ext(const uint8_t *data, size_t end, struct pkt_info *out)
{
	size_t off = out->l3_len, hlen;
	unsigned int count;
	uint16_t frag;

	for (count = 0;; count++) {
		switch (out->proto) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_MH:
		case PKT_PROTO_HIP:
		case PKT_PROTO_SHIM6:
		case IPPROTO_AH:
		case IPPROTO_FRAGMENT:
			break;
		default:
			/* upper layer, ESP (50) or no next header (59) */
			return 0;
		}
		if (count == IPV6_MAX_EXTHDRS) {
			set_problem(out, "too many ipv6 extension headers");
			return -1;
		}
		/* every extension header is at least 8 bytes */
		if (end - off < 8) {
			set_problem(out, "truncated ipv6 extension header");
			return -1;
		}
		if (out->proto == IPPROTO_FRAGMENT)
			hlen = 8;
		else if (out->proto == IPPROTO_AH)
			hlen = ((size_t)data[off + 1] + 2) * 4;
		else
			hlen = ((size_t)data[off + 1] + 1) * 8;
		if (hlen > end - off) {
			set_problem(out, "ipv6 extension header past end of packet");
			return -1;
		}
		if (out->proto == IPPROTO_FRAGMENT) {
			frag = get16(data + off + 2);
			if (frag & (IPV6_OFFMASK | IPV6_MF))
				out->fragment = true;
			if (frag & IPV6_OFFMASK) {
				out->proto = data[off];
				out->l3_len = (uint16_t)(off + hlen);
				set_problem(out, "non-first fragment");
				return -1;
			}
		}
		out->proto = data[off];
		off += hlen;
		/* bounded by 40 + 16 headers of at most 2 KiB: fits */
		out->l3_len = (uint16_t)off;
	}
}

static int parse_ipv6(const uint8_t *data, size_t len, struct pkt_info *out)
{
	size_t end;
	uint16_t plen;

	if (len < IPV6_HDR_LEN)
		return not_ip(out, "truncated ipv6 header");

	out->src.family = AF_INET6;
	out->dst.family = AF_INET6;
	memcpy(&out->src.u.v6, data + 8, 16);
	memcpy(&out->dst.u.v6, data + 24, 16);
	out->proto = data[6];
	plen = get16(data + 4);
	out->ip_len = IPV6_HDR_LEN + (uint32_t)plen;
	out->l3_len = IPV6_HDR_LEN;

	/* as for IPv4: longer than len is a partial copy, zero is GSO/jumbo */
	end = len;
	if (plen != 0 && out->ip_len < len)
		end = out->ip_len;

	if (walk_ipv6_ext(data, end, out) < 0)
		return 0;
	parse_l4(data + out->l3_len, end - out->l3_len, out);
	return 0;
}

int pkt_parse(const uint8_t *data, size_t len, struct pkt_info *out)
{
	if (!out) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (!data || len < 1)
		return not_ip(out, "empty packet");

	switch (data[0] >> 4) {
	case 4:
		return parse_ipv4(data, len, out);
	case 6:
		return parse_ipv6(data, len, out);
	default:
		return not_ip(out, "not an ip packet");
	}
}

bool pkt_is_echo_request(const struct pkt_info *pkt)
{
	return pkt->icmp_echo &&
	       pkt->icmp_type == (pkt->proto == IPPROTO_ICMP ? 8 : 128);
}

const char *pkt_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	case IPPROTO_UDPLITE:
		return "udplite";
	default:
		return "other";
	}
}
