/* SPDX-License-Identifier: GPL-2.0-or-later */
/* packet: parse a queued packet (starting at the IP header) into a flow key. */
#ifndef PTRAP_PACKET_H
#define PTRAP_PACKET_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "addr.h"

struct pkt_info {
	struct addr_ip src, dst;
	uint8_t proto;		/* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6, or other */
	bool has_ports;		/* sport/dport valid (TCP/UDP, not a later fragment) */
	uint16_t sport, dport;	/* host order */
	uint8_t tcp_flags;	/* TCP only: FIN=0x01 SYN=0x02 RST=0x04 ACK=0x10 ... */
	bool has_icmp;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id;	/* echo request/reply identifier, host order */
	uint16_t icmp_seq;	/* echo request/reply sequence number, host order */
	bool icmp_echo;		/* echo request or reply: icmp_id/icmp_seq valid */
	bool icmp_error;	/* an error quoting another packet (unreachable, ...) */
	bool fragment;		/* part of a fragmented datagram */
	uint16_t l3_len;	/* IP header(s) length incl. IPv6 extension headers */
	uint32_t ip_len;	/* total length claimed by the IP header */
	const char *problem;	/* NULL, or why the packet could only be parsed partly */
};

/*
 * Parse len bytes starting at the IPv4 or IPv6 header.  Never reads past len.
 * Returns 0 when at least the addresses were read (problem may still be set,
 * e.g. "truncated udp header"), -1 with errno EINVAL when the data is not an
 * IP packet at all (problem says why).
 */
int pkt_parse(const uint8_t *data, size_t len, struct pkt_info *out);

/* "udp", "tcp", "icmp", "icmpv6", or "other" */
const char *pkt_proto_name(uint8_t proto);

/* An ICMP or ICMPv6 echo request (all a ping socket can send)? */
bool pkt_is_echo_request(const struct pkt_info *pkt);

/*
 * Details of the above:
 * - UDP-Lite (136) gets ports like UDP; pkt_proto_name() calls it "udplite".
 * - l3_len counts the IP header(s) actually walked: 0 when the IPv4 header
 *   length is bad; for a non-first fragment it ends after the IPv4 header or
 *   IPv6 fragment header.  ESP (50) and no-next-header (59) end the walk
 *   without a problem; proto is then 50 or 59.
 * - ip_len 0 (IPv4) or payload length 0 (IPv6) is what GSO/BIG TCP leaves;
 *   then len bytes are parsed, without a problem.  ip_len larger than len
 *   is a partial copy, not a problem either.
 * - At most 16 IPv6 extension headers are walked.
 * - TCP needs its 20-byte minimum header, UDP 8, ICMP/ICMPv6 8 (has_icmp).
 *   ICMP errors are ICMPv4 types 3, 4, 5, 11, 12 and ICMPv6 types 1-4;
 *   the packet they quote is not parsed.
 * - problem is a static string, e.g. "truncated udp header",
 *   "non-first fragment", "too many ipv6 extension headers".
 */

#endif
