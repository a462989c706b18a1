/*
 * sendrec: what the send-time record shares between the eBPF programs
 * (sendrec.bpf.c) and user space (bpfrec.c, tests/unit/test_bpfrec.c):
 * the layouts of the maps and of the take call, the packet signature, and
 * the one function that decides which record belongs to a queued packet.
 *
 * How a record finds its packet (why a plain "last sender of this flow"
 * would name the wrong process, and why this does not):
 *
 *  - Each flow (struct sendrec_key) has a ring of the last SENDREC_RING
 *    records, numbered 1, 2, ... by a per-flow counter (sent), and the
 *    number of the last one a queued packet took (taken).  The hook adds
 *    a record synchronously in the sender's send call, before the packet
 *    reaches the queue; the queue is FIFO; so a flow's packets arrive in
 *    the order of their records, and the oldest untaken record is the
 *    first queued packet's, even when several processes used the 5-tuple
 *    in turn while their packets were still queued.
 *  - A record whose packet never reached the queue (dropped, or not
 *    matched by the firewall rules after all) would shift that order.  The
 *    second hook, after the queue's priority, sees such a packet continue
 *    in its sender's context and marks its record SENDREC_F_STALE; a
 *    packet the queue hands back after its verdict passes there in the
 *    listener's context, which is told apart by its tgid.
 *  - Every record carries a signature of the packet (lengths, IPv4 id,
 *    TCP sequence number, the first payload bytes) that user space
 *    computes the same way from the queued copy: records that do not fit
 *    are passed over, and a record made after the packet was read from the
 *    queue can never be its own.
 *  - Two processes sending byte-identical packets on one 5-tuple at the
 *    same moment could reach the queue in either order.  The hook sees
 *    that case (an untaken record of another process with the same
 *    signature whose thread is still running) and flags both records
 *    SENDREC_F_CONFLICT: they name nobody.
 *  - When a flow's ring wraps before user space took its records, the
 *    oldest are lost; a later record is then only taken if no other
 *    process sent on the flow in between (SENDREC_F_SWITCH bits and
 *    lost_switch), so the record may be a sibling packet's, never another
 *    process's.
 */
#ifndef PTRAP_BPF_SENDREC_H
#define PTRAP_BPF_SENDREC_H

#include <linux/types.h>

#define SENDREC_RING		4	/* records kept per flow */
#define SENDREC_FLOWS		8192	/* flows kept (LRU) */
#define SENDREC_SIG_DATA	16	/* payload bytes in a signature */
#define SENDREC_COMM_LEN	16
#define SENDREC_PORT_WORDS	1024	/* 65536 bits */

/* The hooks' priorities on NF_INET_LOCAL_OUT: before raw (-300), where
 * ptrap's queue rule sits, and right after it. */
#define SENDREC_PRIO_RECORD	(-400)
#define SENDREC_PRIO_AFTER	(-299)

/* Not in Debian 12's linux/bpf.h (Linux 6.1); values from Linux 6.4. */
#define SENDREC_PROG_TYPE_NETFILTER	32
#define SENDREC_ATTACH_NETFILTER	45

/* The same layout as struct flow_key (src/flowkey.h); bpfrec.c asserts it. */
struct sendrec_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u8 family;
	__u8 proto;
	__u8 pad[2];
};

/* What the queued copy and the hook both see of one packet. */
struct sendrec_sig {
	__u16 ip_len;		/* IPv4 total length, IPv6 payload length */
	__u16 ip_id;		/* IPv4 identification; 0 for IPv6 */
	__u32 l4;		/* TCP: sequence number; ICMP: bytes 4-7 (echo
				 * id and sequence); UDP: 0 */
	__u8 data_len;		/* bytes of data[] set */
	__u8 pad[3];
	__u8 data[SENDREC_SIG_DATA];	/* first bytes after the UDP/ICMP header */
};

/* The sender, as the hook saw it. */
struct sendrec_rec {
	__u64 start_ns;		/* thread-group leader's start_boottime */
	__u64 ktime_ns;		/* CLOCK_MONOTONIC at the send */
	__u64 cgroup_id;	/* cgroup v2 id */
	__u64 task;		/* the thread's task_struct, for the conflict
				 * check only (never leaves the kernel's maps) */
	__u32 tgid, tid, ppid;	/* init pid namespace */
	__u32 uid, gid;		/* real ids of the task */
	__u32 sock_uid;		/* fsuid the socket was opened with: what
				 * the queue reports as the packet's uid */
	char comm[SENDREC_COMM_LEN];	/* thread-group leader's */
};

#define SENDREC_F_SWITCH	0x1	/* another process than the record before */
#define SENDREC_F_CONFLICT	0x2	/* order against another sender unknown */
#define SENDREC_F_STALE		0x4	/* the packet went on without the queue */
#define SENDREC_F_SIBLING	0x8	/* take: own record lost, same process's */

struct sendrec_slot {
	__u64 seq;		/* the record's number; 0: empty or being written */
	__u32 flags;		/* SENDREC_F_* */
	__u32 pad;
	struct sendrec_sig sig;
	__u32 pad2;
	struct sendrec_rec rec;
};

struct sendrec_flow {
	__u64 sent;		/* records written (the hook) */
	__u64 taken;		/* the last record taken (the take program) */
	__u64 lost_switch;	/* newest overwritten untaken SWITCH record */
	struct sendrec_slot slot[SENDREC_RING];
};

/* Set by user space in the programs' .data; read by the hooks. */
struct sendrec_cfg {
	__u32 ready;		/* 0: record nothing */
	__u32 owner_tgid;	/* the queue listener: its verdicts are not stale */
	__u8 udp, tcp, icmp;	/* protocols to record */
	__u8 any_port;		/* 1: every UDP/TCP port, else ports[] */
	__u8 pad[3];
	__u64 stack_size;	/* THREAD_SIZE: a task's kernel stack */
};

/* LPM trie keys: prefixlen in bits, then the address in network order. */
struct sendrec_lpm4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct sendrec_lpm6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/* Per CPU: the last packet recorded, for the hook after the queue. */
struct sendrec_stash {
	__u64 skb;
	__u64 seq;
	struct sendrec_key key;
};

/* BPF_PROG_RUN context of the take program: in from user space, out back. */
struct sendrec_take_args {
	struct sendrec_key key;		/* in */
	struct sendrec_sig sig;		/* in */
	__u64 before_ns;	/* in: the packet was queued before this */
	__s64 sock_uid;		/* in: the queue's uid, or -1 */
	__s32 result;		/* out: 0, -ENOENT or -ENOTUNIQ */
	__u32 flags;		/* out: the record's SENDREC_F_* */
	__u64 seq;		/* out: its number in the flow */
	struct sendrec_rec rec;	/* out, when result is 0 */
};

#define SENDREC_ENOENT		2	/* no record for this packet */
#define SENDREC_ENOTUNIQ	76	/* records exist, none provably its own */

#ifdef __bpf__
#define SENDREC_INLINE	static __always_inline
#else
#define SENDREC_INLINE	static inline
#endif

/* Ordered reads and writes of the words both sides touch concurrently. */
#define sendrec_load(p)		__sync_fetch_and_add((p), 0)
#define sendrec_store(p, v)	((void)__sync_lock_test_and_set((p), (v)))

SENDREC_INLINE int sendrec_sig_equal(const struct sendrec_sig *a,
				     const struct sendrec_sig *b)
{
	unsigned int n = a->data_len < b->data_len ? a->data_len : b->data_len;
	unsigned int i;

	if (a->ip_len != b->ip_len || a->ip_id != b->ip_id || a->l4 != b->l4)
		return 0;
	for (i = 0; i < SENDREC_SIG_DATA; i++)
		if (i < n && a->data[i] != b->data[i])
			return 0;
	return 1;
}

/*
 * Fill sig from the transport header onwards: l4 holds avail bytes of it
 * (at most SENDREC_SIG_DATA + 8 are looked at).  ip_len and ip_id come
 * from the IP header.
 */
SENDREC_INLINE void sendrec_sig_fill(struct sendrec_sig *sig, __u8 proto,
				     const __u8 *l4, unsigned int avail,
				     __u16 ip_len, __u16 ip_id)
{
	unsigned int i, hdr = 8, n;

	__builtin_memset(sig, 0, sizeof(*sig));
	sig->ip_len = ip_len;
	sig->ip_id = ip_id;
	if (proto == 6) {		/* TCP: the sequence number, no payload */
		if (avail >= 8)
			sig->l4 = (__u32)l4[4] << 24 | (__u32)l4[5] << 16 |
				  (__u32)l4[6] << 8 | l4[7];
		return;
	}
	if (proto != 17 && avail >= 8)	/* ICMP, ICMPv6 */
		sig->l4 = (__u32)l4[4] << 24 | (__u32)l4[5] << 16 |
			  (__u32)l4[6] << 8 | l4[7];
	n = avail > hdr ? avail - hdr : 0;
	if (n > SENDREC_SIG_DATA)
		n = SENDREC_SIG_DATA;
	sig->data_len = (__u8)n;
	for (i = 0; i < SENDREC_SIG_DATA; i++)
		if (i < n)
			sig->data[i] = l4[hdr + i];
}

/*
 * The take: find the record of the queued packet a->sig in flow f, mark it
 * taken and copy it to a.  Sets a->result (0, -SENDREC_ENOENT,
 * -SENDREC_ENOTUNIQ).  One consumer per flow map: the queue listener.
 *
 * Normal case: the flow's first untaken record whose signature and uid fit
 * and that was made before the packet was read; the records passed over
 * are dead (their packets never came) and are consumed with it.
 *
 * When the ring wrapped (records after the last taken one were
 * overwritten), the packet's own record is the first of the lost ones, so
 * exactly one is consumed, whatever the answer; the answer is the sender
 * of the oldest record still there, and only if no other process sent on
 * the flow from the lost records up to that one (SENDREC_F_SIBLING: tid
 * and time are a sibling packet's).
 */
SENDREC_INLINE void sendrec_take_flow(struct sendrec_flow *f,
				      struct sendrec_take_args *a)
{
	__u64 sent = sendrec_load(&f->sent), taken = sendrec_load(&f->taken);
	__u64 lo, s, cand = 0;
	struct sendrec_slot *sl;
	__u32 flags = 0;
	int i;

	a->result = -SENDREC_ENOENT;
	if (sent <= taken)
		return;
	lo = sent > SENDREC_RING ? sent - SENDREC_RING + 1 : 1;
	if (lo > taken + 1) {
		sl = &f->slot[lo % SENDREC_RING];
		a->result = -SENDREC_ENOTUNIQ;
		if (sendrec_load(&sl->seq) == lo) {
			flags = sl->flags;
			a->rec = sl->rec;
			if (sendrec_load(&sl->seq) == lo &&
			    !(flags & SENDREC_F_SWITCH) &&
			    sendrec_load(&f->lost_switch) < taken + 2 &&
			    (a->sock_uid < 0 || a->rec.sock_uid == (__u32)a->sock_uid))
				a->result = 0;
		}
		if (__sync_val_compare_and_swap(&f->taken, taken, taken + 1) != taken)
			a->result = -SENDREC_ENOTUNIQ;
		a->seq = taken + 1;
		a->flags = (flags & ~SENDREC_F_SWITCH) | SENDREC_F_SIBLING;
		return;
	}
	for (i = 0; i < SENDREC_RING; i++) {
		s = taken + 1 + (__u64)i;
		if (s > sent)
			break;
		sl = &f->slot[s % SENDREC_RING];
		/* 0: being written, so its packet is not queued yet; larger:
		 * overwritten while we looked */
		if (sendrec_load(&sl->seq) != s)
			continue;
		flags = sl->flags;
		a->rec = sl->rec;
		if (sendrec_load(&sl->seq) != s || (flags & SENDREC_F_STALE))
			continue;
		if (a->rec.ktime_ns > a->before_ns)
			break;	/* sent after the packet was read: not its own */
		if (a->sock_uid >= 0 && a->rec.sock_uid != (__u32)a->sock_uid)
			continue;
		if (!sendrec_sig_equal(&sl->sig, &a->sig))
			continue;
		cand = s;
		break;
	}
	if (!cand)
		return;
	if (__sync_val_compare_and_swap(&f->taken, taken, cand) != taken) {
		a->result = -SENDREC_ENOTUNIQ;
		return;
	}
	a->seq = cand;
	a->flags = flags;
	a->result = (flags & SENDREC_F_CONFLICT) ? -SENDREC_ENOTUNIQ : 0;
}

#endif
