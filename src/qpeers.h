/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qpeers: the other NFQUEUE listeners of this network namespace, and the
 * process holding each one's socket: another ptrap, an IPS, a firewall
 * daemon, whose rules may take the packets ours match.
 */
#ifndef PTRAP_QPEERS_H
#define PTRAP_QPEERS_H

#include <stdbool.h>
#include <sys/types.h>

#define QPEERS_MAX	32
#define QPEERS_COMM_LEN	16

struct qpeer {
	unsigned int queue;
	unsigned int portid;		/* the listener's netlink port id */
	pid_t pid;			/* 0: not found (no access) */
	char comm[QPEERS_COMM_LEN];	/* "" when pid is 0 */
};

/*
 * The queues bound in this network namespace but `self` (up to max,
 * from /proc/net/netfilter/nfnetlink_queue), each with the process
 * whose file table holds the listening socket (matched by the socket's
 * inode in /proc/net/netlink and /proc/PID/fd; of a process sharing it,
 * the first found).  Returns how many, or -1 with errno (no nfnetlink_queue
 * file: ENOENT, nothing bound yet).
 */
int qpeers_list(unsigned int self, struct qpeer *out, unsigned int max);

#endif
