/* SPDX-License-Identifier: GPL-2.0-or-later */
/* payload_int: what payload.c and the per-protocol decoders share. */
#ifndef PTRAP_PAYLOAD_INT_H
#define PTRAP_PAYLOAD_INT_H

#include "payload.h"

static inline uint16_t pl_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t pl_get24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* How payload.c asks for DNS: which form, and how sure the port is. */
struct pl_dns_how {
	bool tcp;	/* with the 2-byte length prefix */
	bool strict;	/* not a DNS port: only a clean standard query counts */
	bool mdns;	/* port 5353: the QU bit in qclass */
};

/*
 * Each decoder returns 0 when the payload is its protocol (out->kind set,
 * out->problem maybe), -1 when it is not (out->kind left PAYLOAD_NONE).
 * cut: the packet goes on past p + n.
 */
int payload_dns_decode(const uint8_t *p, size_t n, bool cut,
		       const struct pl_dns_how *how, struct payload *out);
int payload_tls_decode(const uint8_t *p, size_t n, bool cut,
		       struct payload *out);
int payload_http_decode(const uint8_t *p, size_t n, bool cut,
			struct payload *out);

#endif
