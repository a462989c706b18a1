/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bpfrec: load, fill, attach and query the send-time record programs.
 *
 * libbpf 1.1 (Debian 12) knows neither the netfilter program type nor its
 * links (libbpf 1.2 does): the type is set on the programs before load and
 * the links are made with the bpf() system call.  The object comes from
 * bpftool's skeleton (its bytes and the layout of .bss); it is opened with
 * plain libbpf calls so that the whole set-up is in this file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpfrec.h"
#include "flowkey.h"
#include "bpf/sendrec.h"
#include "bpf/sendrec.skel.h"

#define NFPROTO_IPV4_	2
#define NFPROTO_IPV6_	10
#define NF_INET_LOCAL_OUT_	3
#define BPFREC_LINKS	4
#define BPFREC_TRIES	16	/* takes while a record is being written */

/* The kernel's view must be ours, byte for byte. */
_Static_assert(sizeof(struct flow_key) == sizeof(struct sendrec_key), "flow key size");
_Static_assert(offsetof(struct flow_key, sport) == offsetof(struct sendrec_key, sport), "sport");
_Static_assert(offsetof(struct flow_key, dport) == offsetof(struct sendrec_key, dport), "dport");
_Static_assert(offsetof(struct flow_key, family) == offsetof(struct sendrec_key, family), "family");
_Static_assert(offsetof(struct flow_key, proto) == offsetof(struct sendrec_key, proto), "proto");

struct bpfrec {
	struct bpf_object *obj;
	struct bpf_program *record, *after, *take;
	int links[BPFREC_LINKS];
	unsigned int n_links;
	int take_fd;
	struct bpfrec_stats st;
};

/* BPF_LINK_CREATE's netfilter form (Linux 6.4 include/uapi/linux/bpf.h). */
struct bpfrec_nf_link_attr {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__u32 pf;
	__u32 hooknum;
	__s32 priority;
	__u32 nf_flags;
};

/* Library code never prints: libbpf's messages are dropped. */
static int bpfrec_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static void say(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

static int nf_link(int prog_fd, unsigned int pf, int priority)
{
	struct bpfrec_nf_link_attr attr = {
		.prog_fd = (__u32)prog_fd,
		.attach_type = SENDREC_ATTACH_NETFILTER,
		.pf = pf,
		.hooknum = NF_INET_LOCAL_OUT_,
		.priority = priority,
	};

	return (int)syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
}

/*
 * The facts about the running kernel the programs need, from its BTF:
 * none at all means no CO-RE; KASAN doubles the task stack (x86-64
 * THREAD_SIZE: 16 KiB, 32 KiB with KASAN).
 */
static int kernel_facts(__u64 *stack_size, char *why, size_t whylen)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();

	if (!vmlinux) {
		say(why, whylen, "kernel has no BTF (/sys/kernel/btf/vmlinux)");
		errno = ENOTSUP;
		return -1;
	}
	*stack_size = btf__find_by_name_kind(vmlinux, "kasan_check_range",
					     BTF_KIND_FUNC) > 0 ? 32768 : 16384;
	btf__free(vmlinux);
	return 0;
}

/*
 * The programs record pids of the initial pid namespace, which /proc in
 * another one does not show (and could show as another process): only
 * there may the record name anyone.  PROC_PID_INIT_INO is that
 * namespace's fixed inode number (include/linux/proc_ns.h).
 */
#define BPFREC_PID_INIT_INO	0xEFFFFFFCu

static int check_pidns(char *why, size_t whylen)
{
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) < 0 || st.st_ino != BPFREC_PID_INIT_INO) {
		say(why, whylen, "ptrap runs in a pid namespace, the record's pids are the host's");
		errno = ENOTSUP;
		return -1;
	}
	return 0;
}

static int check_match(const struct bpfrec_match *m)
{
	unsigned int i;

	if ((!m->udp && !m->tcp && !m->icmp) || !m->n_dests ||
	    (m->n_ports && !m->ports))
		return -1;
	for (i = 0; i < m->n_dests; i++) {
		const struct addr_prefix *p = &m->dests[i];

		if ((p->ip.family == AF_INET && p->len > 32) ||
		    (p->ip.family == AF_INET6 && p->len > 128) ||
		    (p->ip.family != AF_INET && p->ip.family != AF_INET6))
			return -1;
	}
	for (i = 0; i < m->n_ports; i++)
		if (m->ports[i].lo == 0 || m->ports[i].lo > m->ports[i].hi)
			return -1;
	return 0;
}

/* The first 16 bits of the addresses in prefix d, in the bitmap map. */
static void mark_dest16(__u64 *map, const struct addr_prefix *d)
{
	unsigned int first = (unsigned int)d->ip.u.bytes[0] << 8 | d->ip.u.bytes[1];
	unsigned int n = d->len >= 16 ? 1u : 1u << (16 - d->len), b;

	first &= ~(n - 1);
	for (b = first; b < first + n; b++)
		map[b >> 6] |= 1ull << (b & 63);
}

/* Before load: the protocols, the port bitmap and cfg, in .bss's image. */
static int fill_bss(struct bpfrec *br, const struct bpfrec_match *m, __u64 stack_size,
		    pid_t owner)
{
	struct bpf_map *map = bpf_object__find_map_by_name(br->obj, ".bss");
	struct sendrec__bss *bss;
	unsigned int i, p;
	size_t size = 0;
	int err;

	if (!map || !bpf_map__initial_value(map, &size) || size < sizeof(*bss)) {
		errno = ENOENT;
		return -1;
	}
	bss = calloc(1, size);
	if (!bss)
		return -1;
	for (i = 0; i < m->n_ports; i++)
		for (p = m->ports[i].lo; p <= m->ports[i].hi; p++)
			bss->ports[p >> 6] |= 1ull << (p & 63);
	for (i = 0; i < m->n_dests; i++)
		mark_dest16(m->dests[i].ip.family == AF_INET ? bss->dest16_4 : bss->dest16_6,
			    &m->dests[i]);
	bss->cfg.udp = m->udp;
	bss->cfg.tcp = m->tcp;
	bss->cfg.icmp = m->icmp;
	bss->cfg.any_port = m->n_ports == 0;
	bss->cfg.owner_tgid = (__u32)owner;
	bss->cfg.stack_size = stack_size;
	bss->cfg.ready = 1;	/* nothing runs before the links exist */
	err = bpf_map__set_initial_value(map, bss, size);
	free(bss);
	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
}

/* After load: the destinations into the tries. */
static int fill_dests(struct bpfrec *br, const struct bpfrec_match *m,
		      bool *v4, bool *v6)
{
	struct bpf_map *d4 = bpf_object__find_map_by_name(br->obj, "dest4");
	struct bpf_map *d6 = bpf_object__find_map_by_name(br->obj, "dest6");
	__u8 one = 1;
	unsigned int i;

	*v4 = *v6 = false;
	for (i = 0; i < m->n_dests; i++) {
		const struct addr_prefix *d = &m->dests[i];
		int err;

		if (d->ip.family == AF_INET) {
			struct sendrec_lpm4 k = { .prefixlen = d->len };

			memcpy(k.addr, d->ip.u.bytes, 4);
			err = bpf_map__update_elem(d4, &k, sizeof(k), &one, sizeof(one), BPF_ANY);
			*v4 = true;
		} else {
			struct sendrec_lpm6 k = { .prefixlen = d->len };

			memcpy(k.addr, d->ip.u.bytes, 16);
			err = bpf_map__update_elem(d6, &k, sizeof(k), &one, sizeof(one), BPF_ANY);
			*v6 = true;
		}
		if (err) {
			errno = -err;
			return -1;
		}
	}
	return 0;
}

static int attach(struct bpfrec *br, bool v4, bool v6, char *why, size_t whylen)
{
	int rec = bpf_program__fd(br->record);
	int after = bpf_program__fd(br->after);
	unsigned int f, pfs[2], n_pfs = 0;
	int fd;

	if (v4)
		pfs[n_pfs++] = NFPROTO_IPV4_;
	if (v6)
		pfs[n_pfs++] = NFPROTO_IPV6_;
	for (f = 0; f < n_pfs; f++) {
		fd = nf_link(rec, pfs[f], SENDREC_PRIO_RECORD);
		if (fd >= 0) {
			br->links[br->n_links++] = fd;
			fd = nf_link(after, pfs[f], SENDREC_PRIO_AFTER);
		}
		if (fd < 0) {
			if (errno == EPERM)
				say(why, whylen, "attaching the send-time record needs CAP_NET_ADMIN");
			else if (errno == EINVAL || errno == EOPNOTSUPP) {
				say(why, whylen, "kernel has no BPF netfilter links (Linux 6.4 or later)");
				errno = ENOTSUP;
			} else
				say(why, whylen, "cannot attach the send-time record: %s",
				    strerror(errno));
			return -1;
		}
		br->links[br->n_links++] = fd;
	}
	return 0;
}

/*
 * Can this kernel load a netfilter program at all, and may we?  A
 * two-instruction one tells "unknown program type" (EINVAL, before 6.4)
 * from missing capabilities (EPERM) before the real load.
 */
static int probe_netfilter(char *why, size_t whylen)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_prog_load_opts opts = {
		.sz = sizeof(opts), .expected_attach_type = SENDREC_ATTACH_NETFILTER,
	};
	int fd;

	fd = bpf_prog_load(SENDREC_PROG_TYPE_NETFILTER, "sendrec_probe", "GPL",
			   insns, 2, &opts);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EPERM) {
		say(why, whylen, "loading the send-time record needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)");
	} else {
		say(why, whylen, "kernel has no BPF netfilter programs (Linux 6.4 or later)");
		errno = ENOTSUP;
	}
	return -1;
}

/* The object from the skeleton's bytes, its programs typed for netfilter. */
static int open_object(struct bpfrec *br)
{
	struct bpf_object_open_opts opts = { .sz = sizeof(opts), .object_name = "sendrec" };
	const void *bytes;
	size_t size;

	bytes = sendrec__elf_bytes(&size);
	br->obj = bpf_object__open_mem(bytes, size, &opts);
	if (!br->obj)
		return -1;
	br->record = bpf_object__find_program_by_name(br->obj, "sendrec_record");
	br->after = bpf_object__find_program_by_name(br->obj, "sendrec_after");
	br->take = bpf_object__find_program_by_name(br->obj, "sendrec_take");
	if (!br->record || !br->after || !br->take) {
		errno = ENOENT;
		return -1;
	}
	bpf_program__set_type(br->record, SENDREC_PROG_TYPE_NETFILTER);
	bpf_program__set_expected_attach_type(br->record, SENDREC_ATTACH_NETFILTER);
	bpf_program__set_type(br->after, SENDREC_PROG_TYPE_NETFILTER);
	bpf_program__set_expected_attach_type(br->after, SENDREC_ATTACH_NETFILTER);
	return 0;
}

/* The whole set-up, in the loader process (see bpfrec_open()). */
static struct bpfrec *load(const struct bpfrec_match *m, pid_t owner,
			   char *why, size_t whylen)
{
	struct bpfrec *br;
	__u64 stack_size;
	bool v4, v6;
	int err, saved;

	if (kernel_facts(&stack_size, why, whylen) < 0)
		return NULL;
	br = calloc(1, sizeof(*br));
	if (!br)
		return NULL;
	libbpf_set_print(bpfrec_quiet);
	if (open_object(br) < 0 || fill_bss(br, m, stack_size, owner) < 0) {
		say(why, whylen, "cannot open the send-time record programs: %s",
		    strerror(errno));
		goto err_close;
	}
	if (probe_netfilter(why, whylen) < 0)
		goto err_close;
	err = bpf_object__load(br->obj);
	if (err) {
		errno = -err;
		say(why, whylen, "the kernel refused the send-time record programs: %s",
		    strerror(errno));
		goto err_close;
	}
	br->take_fd = bpf_program__fd(br->take);
	if (fill_dests(br, m, &v4, &v6) < 0) {
		say(why, whylen, "cannot fill the send-time record filter: %s",
		    strerror(errno));
		goto err_close;
	}
	if (attach(br, v4, v6, why, whylen) < 0)
		goto err_close;
	return br;

err_close:
	saved = errno;
	bpfrec_close(br);
	errno = saved;
	return NULL;
}

/* The loader's answer: errno (0: loaded) and why, then the fds. */
struct bpfrec_reply {
	int err;
	char why[200];
};

/* In the loader: load for the parent, send it the take program and links. */
static void loader(int sock, const struct bpfrec_match *m, pid_t owner)
{
	struct bpfrec_reply rep = { .err = 0 };
	int fds[BPFREC_LINKS + 1];
	char cbuf[CMSG_SPACE(sizeof(fds))] = { 0 };
	struct iovec iov = { .iov_base = &rep, .iov_len = sizeof(rep) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct bpfrec *br = load(m, owner, rep.why, sizeof(rep.why));
	struct cmsghdr *c;
	unsigned int n = 0;

	if (!br) {
		rep.err = errno ? errno : EIO;
	} else {
		fds[n++] = br->take_fd;
		memcpy(&fds[n], br->links, br->n_links * sizeof(int));
		n += br->n_links;
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	}
	/* nothing to do if it fails: the parent sees no answer */
	(void)sendmsg(sock, &msg, MSG_NOSIGNAL);
}

/* In the parent: the loader's answer, its fds in a fresh handle. */
static struct bpfrec *receive(int sock, char *why, size_t whylen)
{
	struct bpfrec_reply rep = { .err = 0 };
	int fds[BPFREC_LINKS + 1];
	char cbuf[CMSG_SPACE(sizeof(fds))];
	struct iovec iov = { .iov_base = &rep, .iov_len = sizeof(rep) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	struct bpfrec *br;
	unsigned int i, n = 0;
	ssize_t got;

	do
		got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (got < 0 && errno == EINTR);
	if (got != (ssize_t)sizeof(rep))
		rep.err = 0;	/* no answer: n stays 0, the loader failed */
	c = got == (ssize_t)sizeof(rep) ? CMSG_FIRSTHDR(&msg) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
		n = (unsigned int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		if (n > BPFREC_LINKS + 1)
			n = BPFREC_LINKS + 1;
		memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	}
	rep.why[sizeof(rep.why) - 1] = '\0';
	br = rep.err == 0 && n >= 2 && !(msg.msg_flags & MSG_CTRUNC) ?
	     calloc(1, sizeof(*br)) : NULL;
	if (!br) {
		for (i = 0; i < n; i++)
			close(fds[i]);
		say(why, whylen, "%s", rep.err ? rep.why : "the send-time record's loader failed");
		errno = rep.err ? rep.err : EIO;
		return NULL;
	}
	br->take_fd = fds[0];
	for (i = 1; i < n; i++)
		br->links[br->n_links++] = fds[i];
	return br;
}

/*
 * The programs are loaded in a child process, which hands over the fds
 * ptrap keeps (the take program, the links; they hold the rest): libbpf's
 * parse of the kernel's BTF for CO-RE takes about 11 MB, which would stay
 * in ptrap's peak memory for good.
 */
struct bpfrec *bpfrec_open(const struct bpfrec_match *m, char *why, size_t whylen)
{
	struct bpfrec *br;
	int sv[2], saved, status;
	pid_t pid, owner = getpid();

	say(why, whylen, "%s", "");
#if !defined(__x86_64__)
	say(why, whylen, "the send-time record is only built for x86-64");
	errno = ENOTSUP;
	return NULL;
#endif
	if (check_match(m) < 0) {
		say(why, whylen, "nothing to record (no protocol or destination)");
		errno = EINVAL;
		return NULL;
	}
	if (check_pidns(why, whylen) < 0)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return NULL;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		loader(sv[1], m, owner);
		_exit(0);
	}
	close(sv[1]);
	br = pid < 0 ? NULL : receive(sv[0], why, whylen);
	saved = errno;
	close(sv[0]);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	errno = saved;
	return br;
}

void bpfrec_close(struct bpfrec *br)
{
	unsigned int i;

	if (!br)
		return;
	for (i = 0; i < br->n_links; i++)
		close(br->links[i]);
	/* a handle from the loader owns its take fd; the loader's own, libbpf */
	if (br->obj)
		bpf_object__close(br->obj);
	else
		close(br->take_fd);
	free(br);
}

/* The signature of the queued copy, as the hook computed it. */
static void queued_sig(const struct pkt_info *pkt, const struct queue_packet *qp,
		       struct sendrec_sig *sig)
{
	const uint8_t *d = qp->data;
	unsigned int avail = qp->len > pkt->l3_len ? qp->len - pkt->l3_len : 0;
	uint16_t ip_len, ip_id = 0;

	if (pkt->src.family == AF_INET) {
		ip_len = (uint16_t)(d[2] << 8 | d[3]);
		ip_id = (uint16_t)(d[4] << 8 | d[5]);
	} else {
		ip_len = (uint16_t)(d[4] << 8 | d[5]);
	}
	sendrec_sig_fill(sig, pkt->proto, d + pkt->l3_len, avail, ip_len, ip_id);
}

int bpfrec_take(struct bpfrec *br, const struct pkt_info *pkt,
		const struct queue_packet *qp, struct bpfrec_entry *out)
{
	struct sendrec_take_args a;
	struct flow_key key;
	int i;
	struct bpf_test_run_opts run = {
		.sz = sizeof(run), .ctx_in = &a, .ctx_size_in = sizeof(a),
	};

	memset(&a, 0, sizeof(a));
	if ((pkt->src.family != AF_INET && pkt->src.family != AF_INET6) ||
	    pkt->l3_len == 0 || qp->len < (pkt->src.family == AF_INET ? 20u : 40u)) {
		br->st.none++;
		errno = ENOENT;
		return -1;
	}
	flow_key_from_pkt(pkt, &key);
	memcpy(&a.key, &key, sizeof(a.key));
	queued_sig(pkt, qp, &a.sig);
	a.before_ns = qp->rx_ns;
	a.sock_uid = qp->uid;
	/* EAGAIN: the flow's newest record was being written; that takes
	 * a few hundred nanoseconds */
	for (i = 0; i < BPFREC_TRIES; i++) {
		if (bpf_prog_test_run_opts(br->take_fd, &run) < 0) {
			br->st.errors++;
			return -1;
		}
		if (a.result != -SENDREC_EAGAIN)
			break;
	}
	if (a.result == -SENDREC_ENOENT) {
		br->st.none++;
		errno = ENOENT;
		return -1;
	}
	if (a.result != 0) {
		br->st.ambiguous++;
		errno = ENOTUNIQ;
		return -1;
	}
	out->pid = (pid_t)a.rec.tgid;
	out->tid = (pid_t)a.rec.tid;
	out->ppid = (pid_t)a.rec.ppid;
	out->uid = a.rec.uid;
	out->gid = a.rec.gid;
	out->sock_uid = a.rec.sock_uid;
	out->start_ns = a.rec.start_ns;
	out->sent_ns = a.rec.ktime_ns;
	out->cgroup_id = a.rec.cgroup_id;
	memcpy(out->comm, a.rec.comm, sizeof(out->comm));
	out->comm[sizeof(out->comm) - 1] = '\0';
	out->sibling = (a.flags & SENDREC_F_SIBLING) != 0;
	br->st.taken++;
	if (out->sibling)
		br->st.siblings++;
	return 0;
}

void bpfrec_stats(const struct bpfrec *br, struct bpfrec_stats *st)
{
	*st = br->st;
}
