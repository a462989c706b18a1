/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * icmpsock: the local sockets that may have sent an ICMP/ICMPv6 packet,
 * from /proc/net: inodes and uids only; the resolver names the process.
 */
#ifndef PTRAP_ICMPSOCK_H
#define PTRAP_ICMPSOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "packet.h"

#define ICMPSOCK_MAX_CANDS	16

/* One line of /proc/net/{icmp,icmp6,raw,raw6}. */
struct icmpsock_entry {
	struct addr_ip local, remote;
	uint16_t lport, rport;		/* ping: echo id; raw: protocol */
	unsigned long tx_queue;		/* bytes still charged to the socket */
	uid_t uid;
	uint64_t inode;
};

struct icmpsock_cand {
	uint64_t inode;
	uid_t uid;
	bool sending;			/* tx_queue > 0 */
};

struct icmpsock_result {
	bool raw;			/* raw sockets; else ICMP datagram ("ping") */
	unsigned int n_match;		/* sockets that could have sent it */
	unsigned int n_sending;		/* of those, sockets with data in flight */
	unsigned int n;			/* kept in c[]: the senders, else the matches */
	struct icmpsock_cand c[ICMPSOCK_MAX_CANDS];
};

struct icmpsock;

/* proc_root is "/proc" or a fake tree with net/icmp etc.  NULL with errno. */
struct icmpsock *icmpsock_new(const char *proc_root);
void icmpsock_free(struct icmpsock *is);

/*
 * Find the sockets that could have sent pkt: for an echo request the ping
 * socket bound to its echo id, otherwise (or if there is none) the raw
 * sockets of its protocol (or IPPROTO_RAW) bound to its source or to no
 * address.  uid >= 0 (the queue's) leaves out other users' sockets.
 * Returns 0 (out->n_match may be 0), or -1 with errno.
 */
int icmpsock_lookup(struct icmpsock *is, const struct pkt_info *pkt,
		    long long uid, struct icmpsock_result *out);

/*
 * Parse one table line of the given family.  0, or -1 with errno EINVAL for
 * a header or malformed line.
 */
int icmpsock_parse_line(const char *line, int family, struct icmpsock_entry *e);

/*
 * Why a socket's data in flight matters (measured on Linux 6.18): while
 * NFQUEUE holds a packet, the skb stays charged to its socket, so the
 * sender's tx_queue is non-zero (0x340 for a 64-byte ping) and every idle
 * socket's is 0.  That tells apart the raw sockets, all bound to the
 * wildcard, of several pings running at once.  The kernel here has no
 * raw_diag (CONFIG_INET_RAW_DIAG unset: sock_diag answers ENOENT) and
 * inet_diag has no ping sockets, so /proc/net is the only source.
 */

#endif
