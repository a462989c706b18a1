/* flowkey: a packet's flow as one fixed-layout key. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "flowkey.h"

int flow_key_from_pkt(const struct pkt_info *pkt, struct flow_key *key)
{
	size_t alen;

	memset(key, 0, sizeof(*key));
	if (pkt->src.family == AF_INET)
		alen = 4;
	else if (pkt->src.family == AF_INET6)
		alen = 16;
	else {
		errno = EAFNOSUPPORT;
		return -1;
	}
	memcpy(key->saddr, pkt->src.u.bytes, alen);
	memcpy(key->daddr, pkt->dst.u.bytes, alen);
	key->family = (uint8_t)pkt->src.family;
	key->proto = pkt->proto;
	if (pkt->has_ports) {
		key->sport = pkt->sport;
		key->dport = pkt->dport;
	} else if (pkt->has_icmp && pkt->icmp_echo) {
		key->sport = pkt->icmp_id;
	}
	return 0;
}
