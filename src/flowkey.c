/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flowkey: a packet's flow as one fixed-layout key. */
#include <string.h>
#include <sys/socket.h>

#include "flowkey.h"

void flow_key_from_pkt(const struct pkt_info *pkt, struct flow_key *key)
{
	size_t alen = pkt->src.family == AF_INET ? 4 : 16;

	memset(key, 0, sizeof(*key));
	memcpy(key->saddr, pkt->src.u.bytes, alen);
	memcpy(key->daddr, pkt->dst.u.bytes, alen);
	key->family = (uint8_t)pkt->src.family;
	key->proto = pkt->proto;
	if (pkt->has_ports) {
		key->sport = pkt->sport;
		key->dport = pkt->dport;
	} else if (pkt->icmp_echo) {
		key->sport = pkt->icmp_id;
	}
}
