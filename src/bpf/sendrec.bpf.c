/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sendrec.bpf.c: record the sending process of packets ptrap will queue,
 * at send time, in the sender's own context.
 *
 *   sendrec_record  NF_INET_LOCAL_OUT, priority -400 (before raw, where
 *                   ptrap's queue rule is): filter, then record
 *   sendrec_after   NF_INET_LOCAL_OUT, priority -299 (after raw): a packet
 *                   recorded above that arrives here in its sender's
 *                   context was not queued; its record is marked stale
 *   sendrec_take    BPF_PROG_TYPE_SYSCALL, run by bpfrec_take(): the
 *                   matching of sendrec.h, atomically in the kernel
 *
 * When is `current` the sender?  Softirqs (TCP retransmits and
 * ACK-clocked data, tunnels, forwarding) and workqueues send on whatever
 * task they interrupted or run in.  The preempt count would say so, but it
 * is a per-cpu variable that a kernel without KALLSYMS_ALL (this one)
 * cannot give a BPF program.  So a record is only made when all hold:
 *   1. the packet is UDP, an ICMP request, or a TCP SYN without ACK: TCP
 *      data segments are never recorded;
 *   2. its socket is a user-space socket (sk_socket with a file): kernel
 *      sockets (ICMP errors, TCP resets, tunnels) are skipped;
 *   3. current is not a kernel thread;
 *   4. TCP: the socket is locked by a task (sk_lock.owned).  connect() and
 *      sendmsg() hold it; a timer resending the SYN defers while it is
 *      held and runs its work in the holder's release_sock().  So a SYN
 *      sent while it is owned is sent by its owner, in task context.
 *   5. UDP and ICMP: our stack frame lies on current's kernel stack and
 *      current entered the kernel through a sending system call (see
 *      in_send_call()).
 * User space takes the thread-stack size (cfg.stack_size) from the kernel
 * (16 KiB on x86-64, 32 KiB with KASAN); a wrong size records nothing.
 */
#include "core.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "sendrec.h"

#define NF_DROP		0
#define NF_ACCEPT	1

#define ETH_P_IP_VER	4
#define ETH_P_IP6_VER	6
#define IP_MF		0x2000
#define IP_OFFMASK	0x1fff
#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04
#define TCP_ACK		0x10
#define L4_READ		(8 + SENDREC_SIG_DATA)	/* transport bytes read */

char LICENSE[] SEC("license") = "GPL";

/* Filled by bpfrec.c before it sets cfg.ready. */
struct sendrec_cfg cfg = {};
__u64 ports[SENDREC_PORT_WORDS] = {};
/* The first 16 bits of every destination, per family: most packets that
 * match none are told apart here with one load, before the trie. */
__u64 dest16_4[SENDREC_PORT_WORDS] = {};
__u64 dest16_6[SENDREC_PORT_WORDS] = {};
/* The records of all flows (see sendrec.h); the next slot; flow ids. */
struct sendrec_slot records[SENDREC_LOG] = {};
__u64 log_next = 0;
__u64 flow_ids = 0;
/* A zeroed flow to create entries from. */
const struct sendrec_flow zero_flow = {};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sendrec_lpm4);
	__type(value, __u8);
} dest4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sendrec_lpm6);
	__type(value, __u8);
} dest6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SENDREC_FLOWS);
	__type(key, struct sendrec_key);
	__type(value, struct sendrec_flow);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sendrec_stash);
} stash SEC(".maps");

/* Per CPU scratch for the record being built (too big for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sendrec_slot);
} scratch SEC(".maps");

/* The calls that send, by number: x86-64, and ia32 for 32-bit tasks. */
static __always_inline int sending_call(unsigned long nr, int ia32)
{
	if (!ia32)	/* write writev sendfile connect sendto sendmsg
			 * splice sendmmsg io_uring_enter */
		return nr == 1 || nr == 20 || nr == 40 || nr == 42 ||
		       nr == 44 || nr == 46 || nr == 275 || nr == 307 ||
		       nr == 426;
	/* write socketcall writev sendfile sendfile64 splice sendmmsg
	 * connect sendto sendmsg io_uring_enter */
	return nr == 4 || nr == 102 || nr == 146 || nr == 187 || nr == 239 ||
	       nr == 313 || nr == 345 || nr == 362 || nr == 369 ||
	       nr == 370 || nr == 426;
}

/*
 * Is this the context of current's own system call?  Interrupts, and the
 * softirqs run when they end or when a task re-enables them, run on the
 * per-cpu interrupt stacks (x86-64 SOFTIRQ_ON_OWN_STACK, and irq_exit on
 * the irq stack): our stack frame then lies outside current's kernel
 * stack.  One case runs on the task stack: an interrupt from user mode;
 * the registers at the top of the stack then are the interrupt's (a vector
 * or -1 for orig_ax), not those of a sending system call.
 * sc is scratch memory, to turn the frame's address into a number.
 */
static __always_inline int in_send_call(const struct task_struct *t,
					struct sendrec_slot *sc)
{
	__u64 base = (__u64)t->stack, fp, regs;
	volatile __u64 *cell = &sc->rec.task;
	unsigned long top[8];	/* the last 64 bytes of the stack */
	unsigned int o_nr, o_cs, o_ss, pad;
	unsigned short cs, ss;
	__u8 here = 0;

	*cell = (__u64)&here;
	fp = *cell;
	if (!base || fp - base >= cfg.stack_size)
		return 0;
	/* x86-64: orig_ax, ip, cs, flags, sp, ss end the registers; FRED
	 * kernels keep 16 bytes above them */
	regs = base + cfg.stack_size - sizeof(top);
	if (bpf_probe_read_kernel(top, sizeof(top), (const void *)regs))
		return 0;
	o_nr = bpf_core_field_offset(struct pt_regs, orig_ax);
	o_cs = bpf_core_field_offset(struct pt_regs, cs);
	o_ss = bpf_core_field_offset(struct pt_regs, ss);
	if (o_ss != o_nr + 40 || o_cs != o_nr + 16)
		return 0;	/* not the layout this knows */
	for (pad = 0; pad <= 2; pad += 2) {
		/* top[2 - pad] is orig_ax when pad words sit above ss */
		cs = (unsigned short)top[4 - pad];
		ss = (unsigned short)top[7 - pad];
		if ((cs != USER_CS && cs != USER32_CS) || ss != USER_DS)
			continue;
		return sending_call(top[2 - pad], cs == USER32_CS);
	}
	return 0;
}

/* Where the transport header of an IPv6 packet starts, or 0. */
static __always_inline unsigned int ip6_l4(const unsigned char *head,
					   unsigned int nh, unsigned int left,
					   __u8 *proto)
{
	unsigned int off = 40;
	__u8 ext[2];
	int i;

	for (i = 0; i < 4; i++) {
		if (*proto != 0 && *proto != 43 && *proto != 60)
			return off;
		if (off + 2 > left ||
		    bpf_probe_read_kernel(ext, 2, head + nh + off))
			return 0;
		*proto = ext[0];
		off += ((unsigned int)ext[1] + 1) * 8;
	}
	return 0;
}

static __always_inline int bit_set(const __u64 *map, __u16 bit)
{
	return (map[(bit >> 6) & (SENDREC_PORT_WORDS - 1)] >> (bit & 63)) & 1;
}

static __always_inline int port_wanted(__u16 port)
{
	__u64 w;

	if (cfg.any_port)
		return 1;
	w = ports[(port >> 6) & (SENDREC_PORT_WORDS - 1)];
	return (w >> (port & 63)) & 1;
}

static __always_inline int icmp_request(__u8 proto, __u8 type)
{
	if (proto == 1)		/* echo, timestamp, information, address mask */
		return type == 8 || type == 13 || type == 15 || type == 17;
	return type == 128;	/* ICMPv6 echo */
}

/* Is the other record's thread maybe still between this hook and the queue? */
static __always_inline int maybe_sending(const struct sendrec_rec *r)
{
	const struct task_struct *t = (const void *)r->task;

	if (BPF_CORE_READ(t, pid) != (int)r->tid ||
	    BPF_CORE_READ(t, tgid) != (int)r->tgid ||
	    BPF_CORE_READ(t, group_leader, start_boottime) != r->start_ns)
		return 0;	/* gone: its send returned long ago */
	return BPF_CORE_READ(t, __state) == TASK_RUNNING;
}

static __always_inline void fill_task(struct sendrec_rec *r)
{
	const struct task_struct *t = bpf_get_current_task_btf();
	const struct task_struct *leader = t->group_leader;
	__u64 id = bpf_get_current_pid_tgid(), ug = bpf_get_current_uid_gid();
	__u32 sock_uid = r->sock_uid;

	__builtin_memset(r, 0, sizeof(*r));
	r->sock_uid = sock_uid;
	r->task = (__u64)t;
	r->tgid = id >> 32;
	r->tid = (__u32)id;
	r->uid = (__u32)ug;
	r->gid = ug >> 32;
	r->ppid = t->real_parent->tgid;
	r->start_ns = leader->start_boottime;
	bpf_probe_read_kernel(&r->comm, sizeof(r->comm), leader->comm);
	r->comm[sizeof(r->comm) - 1] = '\0';
	r->cgroup_id = t->cgroups->dfl_cgrp->kn->id;
	r->ktime_ns = bpf_ktime_get_ns();
}

/* The flow's entry, created if new. */
static __always_inline struct sendrec_flow *flow_of(const struct sendrec_key *key)
{
	struct sendrec_flow *f = bpf_map_lookup_elem(&flows, key);

	if (!f) {
		bpf_map_update_elem(&flows, key, &zero_flow, BPF_NOEXIST);
		f = bpf_map_lookup_elem(&flows, key);
		if (!f)
			return NULL;
	}
	if (!f->id)
		__sync_val_compare_and_swap(&f->id, 0, __sync_fetch_and_add(&flow_ids, 1) + 1);
	return f;
}

static __always_inline int same_sender(const struct sendrec_rec *a,
				       const struct sendrec_rec *b)
{
	return a->tgid == b->tgid && a->start_ns == b->start_ns;
}

/*
 * Flags for record s (in sc) of flow f, linked after slot prev (+1), by a
 * look at the flow's untaken records: SWITCH when the one before is
 * another process's (or cannot be read), CONFLICT when an untaken record
 * of another process with the same bytes may still be on its way to the
 * queue (that one is flagged too).  A record already taken needs neither:
 * its packet has been read.
 */
static __always_inline __u32 new_flags(struct sendrec_flow *f, __u32 prev,
				       __u64 s, const struct sendrec_slot *sc)
{
	__u64 taken = sendrec_load(&f->taken), os, want = s - 1;
	__u32 flags = 0, at = prev;
	struct sendrec_slot *o;
	int i;

	for (i = 0; i < 8 && at && want > taken; i++, want--) {
		o = &records[(at - 1) & (SENDREC_LOG - 1)];
		os = sendrec_load(&o->seq);
		if (os == 0) {
			/* being written at this very moment by another
			 * sender on this flow: their order is unknown */
			__sync_fetch_and_or(&o->flags, SENDREC_F_CONFLICT);
			flags |= SENDREC_F_CONFLICT | (i == 0 ? SENDREC_F_SWITCH : 0);
			break;
		}
		if (os != want || o->flow != f->id) {
			flags |= i == 0 ? SENDREC_F_SWITCH : 0;
			break;
		}
		if (same_sender(&o->rec, &sc->rec)) {
			at = o->prev;
			continue;
		}
		flags |= i == 0 ? SENDREC_F_SWITCH : 0;
		if (sendrec_sig_equal(&o->sig, &sc->sig) && maybe_sending(&o->rec)) {
			__sync_fetch_and_or(&o->flags, SENDREC_F_CONFLICT);
			flags |= SENDREC_F_CONFLICT;
		}
		at = o->prev;
	}
	return flags;
}

/*
 * Add the record in sc (sig, rec set) to its flow: claim a log slot, link
 * it, fill it.  Fills st for the hook after the queue.  0 on success.
 */
static __always_inline int add_record(const struct sendrec_key *key,
				      struct sendrec_slot *sc,
				      struct sendrec_stash *st)
{
	struct sendrec_flow *f = flow_of(key);
	struct sendrec_slot *sl;
	__u32 idx, prev, flags;
	__u64 s, id;

	if (!f || !(id = f->id))
		return -1;
	idx = (__u32)__sync_fetch_and_add(&log_next, 1) & (SENDREC_LOG - 1);
	sl = &records[idx];
	sendrec_store(&sl->seq, 0);
	__sync_fetch_and_and(&sl->flags, 0);
	s = __sync_fetch_and_add(&f->sent, 1) + 1;
	prev = __sync_lock_test_and_set(&f->last, idx + 1);
	flags = new_flags(f, prev, s, sc);
	if ((flags & SENDREC_F_SWITCH) && s > sendrec_load(&f->last_switch))
		sendrec_store(&f->last_switch, s);
	sl->flow = id;
	sl->prev = prev;
	sl->sig = sc->sig;
	sl->rec = sc->rec;
	__sync_fetch_and_or(&sl->flags, flags);
	sendrec_store(&sl->seq, s);
	st->seq = s;
	st->flow = id;
	st->slot = idx;
	return 0;
}

SEC("netfilter")
int sendrec_record(struct bpf_nf_ctx *ctx)
{
	const struct sk_buff *skb = ctx->skb;
	const unsigned char *head;
	const struct task_struct *task;
	const struct file *file;
	const struct sock *sk;
	struct sendrec_stash *st;
	struct sendrec_slot *sc;
	struct sendrec_key key;
	unsigned int nh, left, l4off, avail;
	__u8 ip[40], l4[L4_READ], proto;
	__u16 ip_len, ip_id = 0;
	__u32 zero = 0;

	if (!cfg.ready)
		return NF_ACCEPT;
	/* ctx->skb is a trusted BTF pointer: plain loads, no helper calls
	 * on the path every packet takes */
	head = skb->head;
	nh = skb->network_header;
	left = skb->tail > nh ? skb->tail - nh : 0;
	if (left < 20 || bpf_probe_read_kernel(ip, 20, head + nh))
		return NF_ACCEPT;
	__builtin_memset(&key, 0, sizeof(key));
	if (ip[0] >> 4 == ETH_P_IP_VER) {
		struct sendrec_lpm4 lk = { .prefixlen = 32 };

		proto = ip[9];
		if ((ip[6] << 8 | ip[7]) & (IP_MF | IP_OFFMASK))
			return NF_ACCEPT;
		__builtin_memcpy(lk.addr, ip + 16, 4);
		if (!(proto == 17 && cfg.udp) && !(proto == 6 && cfg.tcp) &&
		    !(proto == 1 && cfg.icmp))
			return NF_ACCEPT;
		if (!bit_set(dest16_4, ip[16] << 8 | ip[17]) ||
		    !bpf_map_lookup_elem(&dest4, &lk))
			return NF_ACCEPT;
		__builtin_memcpy(key.saddr, ip + 12, 4);
		__builtin_memcpy(key.daddr, ip + 16, 4);
		key.family = 2;		/* AF_INET */
		l4off = (ip[0] & 15) * 4;
		ip_len = ip[2] << 8 | ip[3];
		ip_id = ip[4] << 8 | ip[5];
	} else if (ip[0] >> 4 == ETH_P_IP6_VER) {
		struct sendrec_lpm6 lk = { .prefixlen = 128 };

		if (left < 40 || bpf_probe_read_kernel(ip, 40, head + nh))
			return NF_ACCEPT;
		proto = ip[6];
		l4off = ip6_l4(head, nh, left, &proto);
		if (!(proto == 17 && cfg.udp) && !(proto == 6 && cfg.tcp) &&
		    !(proto == 58 && cfg.icmp))
			return NF_ACCEPT;
		__builtin_memcpy(lk.addr, ip + 24, 16);
		if (!l4off || !bit_set(dest16_6, ip[24] << 8 | ip[25]) ||
		    !bpf_map_lookup_elem(&dest6, &lk))
			return NF_ACCEPT;
		__builtin_memcpy(key.saddr, ip + 8, 16);
		__builtin_memcpy(key.daddr, ip + 24, 16);
		key.family = 10;	/* AF_INET6 */
		ip_len = ip[4] << 8 | ip[5];
	} else {
		return NF_ACCEPT;
	}
	if (l4off < 20 || l4off > 255 + 40)
		return NF_ACCEPT;
	avail = left > l4off ? left - l4off : 0;
	if (avail > L4_READ)
		avail = L4_READ;
	if (avail < 8 || bpf_probe_read_kernel(l4, avail, head + nh + l4off))
		return NF_ACCEPT;
	key.proto = proto;
	if (proto == 17 || proto == 6) {
		key.sport = l4[0] << 8 | l4[1];
		key.dport = l4[2] << 8 | l4[3];
		if (!port_wanted(key.dport))
			return NF_ACCEPT;
		if (proto == 6 && (avail < 14 ||
				   (l4[13] & (TCP_FIN | TCP_SYN | TCP_RST | TCP_ACK)) != TCP_SYN))
			return NF_ACCEPT;
	} else {
		if (!icmp_request(proto, l4[0]))
			return NF_ACCEPT;
		if (l4[0] == 8 || l4[0] == 128)
			key.sport = l4[4] << 8 | l4[5];
	}

	/* Matched: now prove we run in the sender. */
	task = bpf_get_current_task_btf();
	sk = skb->sk;
	file = sk ? sk->sk_socket->file : NULL;
	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!file || !sc || (task->flags & PF_KTHREAD))
		return NF_ACCEPT;
	if (proto == 6) {
		/* connect() holds the socket lock; the timer resending the
		 * SYN defers to its holder while it is held */
		if (!sk->sk_lock.owned)
			return NF_ACCEPT;
	} else if (!in_send_call(task, sc)) {
		return NF_ACCEPT;
	}
	sc->rec.sock_uid = file->f_cred->fsuid.val;
	st = bpf_map_lookup_elem(&stash, &zero);
	if (!st)
		return NF_ACCEPT;
	sendrec_sig_fill(&sc->sig, proto, l4, avail, ip_len, ip_id);
	fill_task(&sc->rec);
	if (add_record(&key, sc, st) == 0)
		st->skb = (__u64)skb;
	return NF_ACCEPT;
}

SEC("netfilter")
int sendrec_after(struct bpf_nf_ctx *ctx)
{
	struct sendrec_stash *st;
	struct sendrec_slot *sl;
	__u32 zero = 0;

	st = bpf_map_lookup_elem(&stash, &zero);
	if (!st || st->skb != (__u64)ctx->skb)
		return NF_ACCEPT;
	st->skb = 0;
	/* The listener's verdict hands a queued packet back here. */
	if (bpf_get_current_pid_tgid() >> 32 == cfg.owner_tgid)
		return NF_ACCEPT;
	sl = &records[st->slot & (SENDREC_LOG - 1)];
	if (sendrec_load(&sl->seq) == st->seq && sl->flow == st->flow)
		__sync_fetch_and_or(&sl->flags, SENDREC_F_STALE);
	return NF_ACCEPT;
}

static long take_step(__u64 i, struct sendrec_walk *w)
{
	return sendrec_take_step(records, w);
}

SEC("syscall")
int sendrec_take(struct sendrec_take_args *ctx)
{
	/* The verifier wants ctx at fixed offsets and no ctx memory in
	 * helpers: work on a copy. */
	struct sendrec_take_args a;
	struct sendrec_walk w;
	struct sendrec_flow *f;

	__builtin_memcpy(&a, ctx, sizeof(a));
	f = bpf_map_lookup_elem(&flows, &a.key);
	if (!f)
		a.result = -SENDREC_ENOENT;
	else if (sendrec_take_begin(f, records, &a, &w) == 0) {
		bpf_loop(SENDREC_CHAIN, take_step, &w, 0);
		sendrec_take_end(f, records, &a, &w);
	}
	__builtin_memcpy(ctx, &a, sizeof(a));
	return 0;
}
