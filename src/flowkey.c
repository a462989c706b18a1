/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flowkey: the one key that names a flow (same 5-tuple) everywhere. */
#include <string.h>
#include <sys/socket.h>

#include "flowkey.h"
#include "packet.h"

#define GOLDEN64	0x9e3779b97f4a7c15ull

void flow_key_from_pkt(const struct pkt_info *pkt, struct flow_key *k)
{
	size_t n = pkt->src.family == AF_INET ? 4 : 16;

	memset(k, 0, sizeof(*k));
	memcpy(k->saddr, pkt->src.u.bytes, n);
	memcpy(k->daddr, pkt->dst.u.bytes, n);
	if (pkt->has_ports) {
		k->sport = pkt->sport;
		k->dport = pkt->dport;
	} else if (pkt->icmp_echo) {
		k->sport = pkt->icmp_id;
	}
	k->family = (uint8_t)pkt->src.family;
	k->proto = pkt->proto;
}

void flow_key_src_port(const struct pkt_info *pkt, struct flow_key *k)
{
	flow_key_from_pkt(pkt, k);
	k->dport = 0;
	if (!pkt->has_ports)
		k->sport = 0;
}

bool flow_key_equal(const struct flow_key *a, const struct flow_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

uint32_t flow_key_hash(const struct flow_key *k, uint32_t seed)
{
	uint64_t w[sizeof(*k) / 8], h = GOLDEN64 ^ seed;
	unsigned int i;

	memcpy(w, k, sizeof(w));
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		h = (h ^ w[i]) * GOLDEN64;
		h ^= h >> 32;
	}
	/* the low bits index tables: fold the well-mixed high ones down */
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(h ^ h >> 32);
}
