/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flowkey: a packet's flow as one fixed-layout key (caches, the eBPF record). */
#ifndef PTRAP_FLOWKEY_H
#define PTRAP_FLOWKEY_H

#include <stdint.h>
#include "packet.h"

/*
 * Byte-comparable and hashable: every byte is defined (pad and the unused
 * address bytes are zero).  The eBPF send-time record (src/bpf/sendrec.h)
 * fills the same layout from the packet in the kernel.
 */
struct flow_key {
	uint8_t saddr[16];	/* IPv4: first 4 bytes, the rest zero */
	uint8_t daddr[16];
	uint16_t sport;		/* host order; ICMP echo: the identifier; else 0 without ports */
	uint16_t dport;		/* host order; 0 for ICMP and without ports */
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPPROTO_UDP, _TCP, _ICMP, _ICMPV6, ... */
	uint8_t pad[2];		/* always zero */
};

/* pkt's key (an IPv4 or IPv6 packet); every byte is set, pad zero. */
void flow_key_from_pkt(const struct pkt_info *pkt, struct flow_key *key);

#endif
