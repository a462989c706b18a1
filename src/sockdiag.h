/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockdiag: exact socket lookup by 5-tuple over NETLINK_SOCK_DIAG. */
#ifndef PTRAP_SOCKDIAG_H
#define PTRAP_SOCKDIAG_H

#include <stdint.h>
#include <sys/types.h>
#include "packet.h"

struct sockdiag;

struct sockdiag_sock {
	uint64_t inode;
	uid_t uid;
	uint64_t cookie;
};

/* Opens a CLOEXEC NETLINK_SOCK_DIAG socket.  NULL with errno on failure. */
struct sockdiag *sockdiag_open(void);
void sockdiag_close(struct sockdiag *sd);

/*
 * Find the local socket that sent pkt (TCP or UDP), connected or not,
 * bound to an address or a wildcard, IPv4 or dual-stack IPv6 (see the note
 * below for the order of requests).  Returns 0, or -1 with errno ENOENT
 * (no such socket), EPROTONOSUPPORT (protocol not looked up) or another
 * errno.
 */
int sockdiag_lookup(struct sockdiag *sd, const struct pkt_info *pkt,
		    struct sockdiag_sock *out);

/*
 * sockdiag_lookup() for n packets at once, the same answers: the first
 * form of every question goes out in one sendmsg() and the answers are
 * read with one recvmmsg(); a packet that form does not answer is then
 * looked up alone with the other forms.  err[i] is 0 (out[i] filled) or
 * the errno sockdiag_lookup() gives for pkts[i].
 */
void sockdiag_lookup_many(struct sockdiag *sd, const struct pkt_info *const pkts[],
			  unsigned int n, struct sockdiag_sock out[], int err[]);

/*
 * Note (measured on Linux 6.18): udp_diag takes the request's addresses
 * swapped (src = the peer, dst = local), while TCP takes the socket's own
 * view; sockdiag_lookup() asks in the form that works first and checks
 * that the socket it gets back really has the packet's source port and
 * address (or a wildcard), so a fallback never names a bystander.  ICMP
 * gives EPROTONOSUPPORT for now; a TIME_WAIT or not-yet-accepted socket is
 * found with inode 0.
 */

#endif
