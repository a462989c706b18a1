/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sendrec: what the send-time record shares between the eBPF programs
 * (sendrec.bpf.c) and user space (bpfrec.c, tests/unit/test_bpfrec.c):
 * the layouts of the maps and of the take call, the packet signature, and
 * the one function that decides which record belongs to a queued packet.
 *
 * How a record finds its packet (why a plain "last sender of this flow"
 * would name the wrong process, and why this does not):
 *
 *  - Records go to one log of SENDREC_LOG slots, written round.  Each
 *    flow (struct sendrec_key, an LRU map) numbers its records 1, 2, ...
 *    (sent), links each to the one before, and keeps the number of the
 *    last one a queued packet took (taken).  The hook adds the record
 *    synchronously in the sender's send call, before the packet reaches
 *    the queue; the queue is FIFO; so a flow's packets arrive in the order
 *    of their records and the oldest untaken record is the first queued
 *    packet's, even when several processes used the 5-tuple in turn while
 *    their packets were still queued.
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
 *  - Records are lost when the log wraps before they are taken, or when
 *    a flow has more than SENDREC_CHAIN untaken ones.  The packet's own
 *    record is then the oldest lost one: exactly one is consumed per
 *    packet, so the order holds, and the packet is named only if every
 *    record of the flow since the last taken one is the same process's
 *    (last_switch), from a sibling record (SENDREC_F_SIBLING).
 *
 * What is left, each needing a byte-identical packet of another process
 * on the same 5-tuple to name a wrong one: a packet dropped between the
 * two hooks (a DROP rule in raw before ptrap's, which the second hook
 * never sees); a flow evicted from the LRU map (SENDREC_FLOWS newer flows)
 * while its packet waited unread, then recreated; records lost while an
 * unmarked dead one was among them; a sender moved to another CPU
 * between the hooks (the mark of an unqueued packet uses a per-CPU note).
 */
#ifndef PTRAP_BPF_SENDREC_H
#define PTRAP_BPF_SENDREC_H

#include <linux/types.h>

#define SENDREC_LOG		16384	/* records kept, all flows (power of 2) */
#define SENDREC_CHAIN		64	/* untaken records a flow can have */
#define SENDREC_FLOWS		16384	/* flows kept (LRU) */
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

/* One slot of the log. */
struct sendrec_slot {
	__u64 seq;		/* the record's number in its flow; 0: being written */
	__u64 flow;		/* its flow's id (struct sendrec_flow) */
	__u32 prev;		/* slot of the flow's record before, + 1; 0: none */
	__u32 flags;		/* SENDREC_F_* */
	struct sendrec_sig sig;
	__u32 pad;
	struct sendrec_rec rec;
};

struct sendrec_flow {
	__u64 id;		/* unique per flow entry, never 0 */
	__u64 sent;		/* records made (the hook) */
	__u64 taken;		/* the last record taken (the take program) */
	__u64 last_switch;	/* newest record of another process than the one before */
	__u32 last;		/* slot of the newest record, + 1; 0: none */
	__u32 pad;
};

/* Set by bpfrec.c in the object's .bss before load; read by the hooks. */
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
	__u64 seq;		/* its record: number, flow id and slot */
	__u64 flow;
	__u32 slot;
	__u32 pad;
};

/* BPF_PROG_RUN context of the take program: in from user space, out back. */
struct sendrec_take_args {
	struct sendrec_key key;		/* in */
	struct sendrec_sig sig;		/* in */
	__u64 before_ns;	/* in: the packet was queued before this */
	__s64 sock_uid;		/* in: the queue's uid, or -1 */
	__s32 result;		/* out: 0, -ENOENT, -ENOTUNIQ or -EAGAIN */
	__u32 flags;		/* out: the record's SENDREC_F_* */
	__u64 seq;		/* out: its number in the flow */
	struct sendrec_rec rec;	/* out, when result is 0 */
};

#define SENDREC_ENOENT		2	/* no record for this packet */
#define SENDREC_ENOTUNIQ	76	/* records exist, none provably its own */
#define SENDREC_EAGAIN		11	/* a record is being written: ask again */

#ifdef __bpf__
#define SENDREC_INLINE	static __always_inline
#else
#define SENDREC_INLINE	static inline
#endif

/*
 * Reads and writes of the words both sides touch concurrently.  x86-64
 * only (bpfrec_open() refuses others): its memory model keeps loads in
 * order and stores in order, so these need only stop the compiler from
 * moving other accesses across them.  Counters several writers change use
 * atomic instructions.
 */
#define sendrec_barrier()	__asm__ __volatile__("" ::: "memory")
#define sendrec_load(p)		({ __typeof__(*(p)) v_ = *(volatile __typeof__(*(p)) *)(p); \
				   sendrec_barrier(); v_; })
#define sendrec_store(p, v)	do { sendrec_barrier(); \
				     *(volatile __typeof__(*(p)) *)(p) = (v); \
				     sendrec_barrier(); } while (0)

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

/* Does slot sl hold record seq of flow? */
SENDREC_INLINE int sendrec_slot_is(struct sendrec_slot *sl, __u64 seq, __u64 flow)
{
	sendrec_barrier();
	return sendrec_load(&sl->seq) == seq && sl->flow == flow;
}

/*
 * Copy record seq of flow from slot sl to *rec and *flags: 1, or 0 when
 * the slot holds another one.  A writer clears seq first and sets it
 * last, so an unchanged seq after the copy means the copy is whole.
 */
SENDREC_INLINE int sendrec_slot_copy(struct sendrec_slot *sl, __u64 seq, __u64 flow,
				     struct sendrec_rec *rec, __u32 *flags)
{
	if (!sendrec_slot_is(sl, seq, flow))
		return 0;
	*rec = sl->rec;
	*flags = sl->flags;
	return sendrec_slot_is(sl, seq, flow);
}

/* The take's walk along a flow's untaken records, newest first. */
struct sendrec_walk {
	__u64 id, taken;
	__u64 seq;		/* the record expected at slot at */
	__u64 before_ns;
	__s64 sock_uid;
	__u64 cand;		/* the oldest fitting record so far, or 0 */
	__u32 at;		/* its slot + 1; 0: no more */
	__u32 cand_at;
	__u32 oldest_at;	/* the oldest record read */
	__u32 pad;
	struct sendrec_sig sig;
};

/*
 * The take: find the record of the queued packet a->sig in flow f, mark it
 * taken and copy it to a.  Sets a->result (0, -SENDREC_ENOENT,
 * -SENDREC_ENOTUNIQ, -SENDREC_EAGAIN).  One consumer: the queue listener,
 * one packet at a time, in queue order.  In three parts, so that the BPF
 * program can run the middle one with bpf_loop():
 *   if (sendrec_take_begin(f, records, a, &w) == 0) {
 *           for (i = 0; i < SENDREC_CHAIN; i++)
 *                   if (sendrec_take_step(records, &w)) break;
 *           sendrec_take_end(f, records, a, &w);
 *   }
 *
 * Normal case: the flow's oldest untaken record whose signature and uid
 * fit and that was made before the packet was read; the older untaken
 * ones are dead (their packets never came) and are consumed with it.  When
 * some untaken records are lost, the packet's own is the oldest of them;
 * see the comment at the top.
 */
SENDREC_INLINE int sendrec_take_begin(struct sendrec_flow *f,
				      struct sendrec_slot *records,
				      struct sendrec_take_args *a,
				      struct sendrec_walk *w)
{
	struct sendrec_slot *head;

	__builtin_memset(w, 0, sizeof(*w));
	a->result = -SENDREC_ENOENT;
	w->id = f->id;
	w->taken = sendrec_load(&f->taken);
	w->at = (__u32)sendrec_load(&f->last);
	w->before_ns = a->before_ns;
	w->sock_uid = a->sock_uid;
	w->sig = a->sig;
	if (w->at == 0)
		return 1;
	/* The newest record linked; a newer one still being made belongs to
	 * a packet that is not queued yet. */
	head = &records[(w->at - 1) & (SENDREC_LOG - 1)];
	w->seq = sendrec_load(&head->seq);
	if (w->seq == 0) {
		a->result = -SENDREC_EAGAIN;	/* being written right now */
		return 1;
	}
	if (head->flow != w->id)
		w->seq = w->taken + 1;	/* overwritten: the untaken ones are lost */
	else if (w->seq <= w->taken)
		return 1;
	return 0;
}

/* One record of the walk; 1 when the walk is over. */
SENDREC_INLINE int sendrec_take_step(struct sendrec_slot *records,
				     struct sendrec_walk *w)
{
	struct sendrec_slot *sl;
	__u32 prev;
	int fits;

	if (w->seq <= w->taken || w->at == 0)
		return 1;
	sl = &records[(w->at - 1) & (SENDREC_LOG - 1)];
	if (!sendrec_slot_is(sl, w->seq, w->id))
		return 1;	/* overwritten: seq and older are lost */
	prev = sl->prev;
	fits = !(sl->flags & SENDREC_F_STALE) && sl->rec.ktime_ns <= w->before_ns &&
	       (w->sock_uid < 0 || sl->rec.sock_uid == (__u32)w->sock_uid) &&
	       sendrec_sig_equal(&sl->sig, &w->sig);
	if (!sendrec_slot_is(sl, w->seq, w->id))
		return 1;
	w->oldest_at = w->at;
	if (fits) {
		w->cand = w->seq;
		w->cand_at = w->at;
	}
	w->at = prev;
	w->seq--;
	return 0;
}

SENDREC_INLINE void sendrec_take_end(struct sendrec_flow *f,
				     struct sendrec_slot *records,
				     struct sendrec_take_args *a,
				     struct sendrec_walk *w)
{
	__u64 taken = w->taken;
	__u32 flags;

	if (w->seq > taken) {
		/* lost records: the packet's own is the oldest of them */
		a->seq = taken + 1;
		a->result = -SENDREC_ENOTUNIQ;
		if (w->oldest_at &&
		    sendrec_slot_copy(&records[(w->oldest_at - 1) & (SENDREC_LOG - 1)],
				      w->seq + 1, w->id, &a->rec, &flags) &&
		    sendrec_load(&f->last_switch) <= taken + 1 &&
		    (a->sock_uid < 0 || a->rec.sock_uid == (__u32)a->sock_uid)) {
			a->flags = (flags & ~SENDREC_F_SWITCH) | SENDREC_F_SIBLING;
			a->result = 0;
		}
		if (__sync_val_compare_and_swap(&f->taken, taken, taken + 1) != taken)
			a->result = -SENDREC_ENOTUNIQ;
		return;
	}
	if (!w->cand)
		return;
	if (!sendrec_slot_copy(&records[(w->cand_at - 1) & (SENDREC_LOG - 1)],
			       w->cand, w->id, &a->rec, &flags) ||
	    __sync_val_compare_and_swap(&f->taken, taken, w->cand) != taken) {
		a->result = -SENDREC_ENOTUNIQ;
		return;
	}
	a->seq = w->cand;
	a->flags = flags;
	a->result = (flags & SENDREC_F_CONFLICT) ? -SENDREC_ENOTUNIQ : 0;
}

#endif
