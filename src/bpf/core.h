/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core: the few kernel structures sendrec.bpf.c reads, for CO-RE.
 *
 * Not a vmlinux.h: only the fields used, so the build does not depend on
 * the build machine's kernel.  preserve_access_index makes clang record
 * every access by type and field name; libbpf relocates each against the
 * running kernel's BTF (/sys/kernel/btf/vmlinux) at load time, and a load
 * fails cleanly if a field is gone.  Layout here is irrelevant, names and
 * kinds are not.
 *
 * Checked against Linux 6.18 with
 *   bpftool btf dump file /sys/kernel/btf/vmlinux format c
 * (each struct and field name below exists there with the same kind of
 * type), and by the load itself (tests/netns/bpfrec.sh).
 */
#ifndef PTRAP_BPF_CORE_H
#define PTRAP_BPF_CORE_H

#include <linux/types.h>

#define CORE __attribute__((preserve_access_index))

typedef struct {
	__u32 val;
} CORE kuid_t;

struct nf_hook_state {
	__u8 hook;
	__u8 pf;
} CORE;

/* BPF_PROG_TYPE_NETFILTER's context (include/net/netfilter/nf_bpf_link.h) */
struct bpf_nf_ctx {
	const struct nf_hook_state *state;
	struct sk_buff *skb;
} CORE;

struct cred {
	kuid_t fsuid;
} CORE;

struct file {
	const struct cred *f_cred;
} CORE;

struct socket {
	struct file *file;
} CORE;

typedef struct {
	int owned;		/* lock_sock() held by a task */
} CORE socket_lock_t;

struct sock {
	socket_lock_t sk_lock;
	struct socket *sk_socket;
} CORE;

struct sk_buff {
	struct sock *sk;
	unsigned int len;
	unsigned int data_len;
	__u16 network_header;
	unsigned int tail;	/* sk_buff_data_t: an offset from head on 64-bit */
	unsigned char *head;
} CORE;

struct kernfs_node {
	__u64 id;
} CORE;

struct cgroup {
	struct kernfs_node *kn;
} CORE;

struct css_set {
	struct cgroup *dfl_cgrp;
} CORE;

struct task_struct {
	unsigned int __state;
	void *stack;
	unsigned int flags;
	int pid;
	int tgid;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	__u64 start_boottime;
	char comm[16];
	struct css_set *cgroups;
} CORE;

/* x86-64: the user registers at the top of a task's kernel stack */
struct pt_regs {
	unsigned long orig_ax;	/* the system call number */
	unsigned short cs;	/* a u16 in a union since 6.9, a long before */
	unsigned short ss;
} CORE;

#define PF_KTHREAD	0x00200000	/* include/linux/sched.h */
#define TASK_RUNNING	0x00000000

/* arch/x86/include/asm/segment.h: user code and stack segments */
#define USER_CS		0x33
#define USER32_CS	0x23
#define USER_DS		0x2b

#endif
