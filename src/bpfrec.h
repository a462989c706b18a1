/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bpfrec: the sending process of each queued packet, recorded by eBPF at
 * send time in the sender's own context, so that it is known even when the
 * sender has exited (src/bpf/sendrec.bpf.c does the recording).
 */
#ifndef PTRAP_BPFREC_H
#define PTRAP_BPFREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "addr.h"
#include "packet.h"
#include "queue.h"

struct bpfrec;

/*
 * What to record: ptrap's matchers (-i/-p/-u/-t/--icmp).  It may be a
 * superset of what the firewall rules queue, never a subset.  The arrays
 * are read by bpfrec_open() only.
 */
struct bpfrec_match {
	bool udp, tcp, icmp;		/* ICMP: the request types ptrap queues */
	const struct addr_prefix *dests;	/* IPv4 and IPv6, at least one */
	unsigned int n_dests;
	const struct addr_port_range *ports;	/* UDP/TCP destination ports */
	unsigned int n_ports;		/* 0: any port */
};

/* The sender of one packet, as it was when it sent it. */
struct bpfrec_entry {
	pid_t pid;			/* process (tgid), init pid namespace */
	pid_t tid;			/* the sending thread */
	pid_t ppid;			/* real parent's tgid */
	uid_t uid;			/* real uid and gid of the task */
	gid_t gid;
	uid_t sock_uid;			/* fsuid the socket was opened with */
	uint64_t start_ns;		/* the process's start, boot-time ns:
					 * /proc/PID/stat field 22 * 1e9 / CLK_TCK */
	uint64_t sent_ns;		/* CLOCK_MONOTONIC at the send */
	uint64_t cgroup_id;		/* cgroup v2 id (inode of its directory) */
	char comm[16];			/* the process's (thread-group leader's) */
	bool sibling;			/* the packet's own record was overwritten:
					 * pid and process details are right, tid
					 * and sent_ns are a sibling packet's */
};

/*
 * Load the programs, fill their filter from m and attach them to
 * NF_INET_LOCAL_OUT of the caller's network namespace.  The loading is
 * done by a short-lived child process (fork), which hands the fds over:
 * libbpf's ~11 MB of kernel BTF never counts in the caller's memory.  Needs CAP_BPF and
 * CAP_PERFMON (or CAP_SYS_ADMIN) and CAP_NET_ADMIN; nothing afterwards.
 * The caller must be the process that reads the queue and gives the
 * verdicts (its tgid tells verdicts apart from unqueued packets).
 * Returns NULL with errno and a one-line reason in why for the fallback:
 * ENOTSUP (no netfilter BPF links: Linux < 6.4 or no
 * CONFIG_NETFILTER_BPF_LINK; no BTF; not x86-64; the caller is not in the
 * initial pid namespace), EPERM (capabilities),
 * EINVAL (bad match), or another errno.  All its fds are CLOEXEC.
 */
struct bpfrec *bpfrec_open(const struct bpfrec_match *m, char *why, size_t whylen);
/* Detach and free (NULL is fine). */
void bpfrec_close(struct bpfrec *br);

/*
 * The record of a queued packet: pkt parsed from qp->data.  Call it once
 * per packet, in queue order, before its verdict.  Returns 0 with out
 * filled, or -1 with errno ENOENT (nothing recorded for it: fall back),
 * ENOTUNIQ (records exist but none is provably this packet's: fall back)
 * or another errno (the take failed).
 */
int bpfrec_take(struct bpfrec *br, const struct pkt_info *pkt,
		const struct queue_packet *qp, struct bpfrec_entry *out);

struct bpfrec_stats {
	unsigned long long taken;	/* answered */
	unsigned long long siblings;	/* of those, from a sibling record */
	unsigned long long none;	/* ENOENT */
	unsigned long long ambiguous;	/* ENOTUNIQ */
	unsigned long long errors;
};

void bpfrec_stats(const struct bpfrec *br, struct bpfrec_stats *st);

/*
 * Details of the above:
 * - What is recorded, and why only in the sender's context: UDP, the ICMP
 *   requests, TCP SYN without ACK (connect); never TCP data.  See
 *   src/bpf/sendrec.bpf.c.  How a record is matched to its packet even when
 *   several processes use one 5-tuple in turn: src/bpf/sendrec.h.
 * - The netfilter links live in the network namespace bpfrec_open() runs
 *   in; each handle has its own maps, so instances in several namespaces
 *   or with different matchers do not see each other's records.
 * - pid, tid and ppid are in the initial pid namespace.
 * - A take is one bpf() call (BPF_PROG_RUN of a syscall program: about a
 *   microsecond); it needs no capability, only the handle's fds.  A take
 *   that meets a record being written is retried (it takes nanoseconds).
 * - Never a wrong process, except in cases sendrec.h names: a packet
 *   dropped between the hooks (a user's DROP rule before ptrap's in raw),
 *   or a flow evicted from the 16384-flow LRU while its packet waited
 *   unread, each followed by a byte-identical packet of another process
 *   on the same 5-tuple.
 */

#endif
