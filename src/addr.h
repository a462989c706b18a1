/* SPDX-License-Identifier: GPL-2.0-or-later */
/* addr: IP addresses, prefixes and port ranges as given on the command line. */
#ifndef PTRAP_ADDR_H
#define PTRAP_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 address; family is AF_INET or AF_INET6. */
struct addr_ip {
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	} u;
};

/* ADDR[/LEN]; host bits beyond len are always zero after parsing. */
struct addr_prefix {
	struct addr_ip ip;
	uint8_t len;		/* 0..32 or 0..128 */
};

struct addr_port_range {
	uint16_t lo, hi;	/* host order, lo <= hi, 1..65535 */
};

#define ADDR_STR_MAX 64		/* "[ipv6]:port" and "ipv6/128" fit */

/* Parse one "ADDR" or "ADDR/LEN". Returns 0, or -1 with errno EINVAL. */
int addr_parse_prefix(const char *s, struct addr_prefix *out);
/* Parse "PORT" or "LO-HI". Returns 0, or -1 with errno EINVAL/ERANGE. */
int addr_parse_port_range(const char *s, struct addr_port_range *out);

/* "192.0.2.1", "2001:db8::1" */
const char *addr_ip_str(const struct addr_ip *ip, char *buf, size_t len);
/* "192.0.2.0/24"; a full-length prefix prints without "/LEN" */
const char *addr_prefix_str(const struct addr_prefix *p, char *buf, size_t len);
/* "192.0.2.1:53", "[2001:db8::1]:53" */
const char *addr_endpoint_str(const struct addr_ip *ip, uint16_t port,
			      char *buf, size_t len);

bool addr_ip_equal(const struct addr_ip *a, const struct addr_ip *b);

/* Same network, same length (host bits are not compared if masked). */
bool addr_prefix_equal(const struct addr_prefix *a, const struct addr_prefix *b);
/* Zero the bits beyond p->len, so equal networks compare equal byte for byte. */
void addr_prefix_mask(struct addr_prefix *p);
/* Does network a contain network b (equal counts)?  Both masked. */
bool addr_prefix_covers(const struct addr_prefix *a, const struct addr_prefix *b);

/*
 * Details of the functions above:
 * - addr_parse_prefix: "[v6]" and "[v6]/LEN" are accepted, "[v4]" is not;
 *   LEN is plain decimal without sign, blanks or leading zero; host bits
 *   set beyond LEN ("192.0.2.77/24") are accepted and cleared, as nft does.
 * - addr_parse_port_range: plain decimal as for LEN; ERANGE for a number
 *   outside 1..65535, EINVAL for anything else (including LO > HI).
 * - The *_str helpers return buf, or NULL with errno (EAFNOSUPPORT for a
 *   family other than AF_INET/AF_INET6, ENOSPC for a short buffer) and buf
 *   set to "" when len > 0.  ADDR_STR_MAX bytes are always enough.
 */

#endif
