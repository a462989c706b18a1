/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flowkey: the one key that names a flow (same 5-tuple) everywhere: the
 * flow cache, the resolver's look-ahead and the rate limiter.  The layout
 * is fixed: an eBPF program fills the same struct from packet bytes.
 */
#ifndef PTRAP_FLOWKEY_H
#define PTRAP_FLOWKEY_H

#include <stdbool.h>
#include <stdint.h>

struct pkt_info;

struct flow_key {
	uint8_t saddr[16];	/* IPv4: first 4 bytes, the rest zero */
	uint8_t daddr[16];
	uint16_t sport;		/* host order; ICMP echo: the identifier; else 0 without ports */
	uint16_t dport;		/* host order; 0 for ICMP and without ports */
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPPROTO_UDP, _TCP, _ICMP, _ICMPV6, ... */
	uint8_t pad[2];		/* always zero: keys are compared and hashed as bytes */
};
_Static_assert(sizeof(struct flow_key) == 40, "flow_key is shared with BPF");

/* pkt's key; every byte is set (pad zero), so keys compare as memory. */
void flow_key_from_pkt(const struct pkt_info *pkt, struct flow_key *k);

/*
 * pkt's key by its source port only: dport 0, and sport 0 unless it is a
 * TCP/UDP port (no ICMP identifier).  The old script's hashlimit key
 * (source, destination, source port): the rate limiter's flow.
 */
void flow_key_src_port(const struct pkt_info *pkt, struct flow_key *k);

bool flow_key_equal(const struct flow_key *a, const struct flow_key *b);

/* Mixed in every bit (any bit range makes a table index); seed keys it. */
uint32_t flow_key_hash(const struct flow_key *k, uint32_t seed);

#endif
