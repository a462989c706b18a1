/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * resolver: from a packet's flow (and the uid the queue gave) to the process.
 *
 * One path for every protocol: a finder names the sending socket (sockdiag
 * for TCP/UDP, icmpsock for ICMP: inode and uid), procmap finds the
 * processes holding it, and each candidate is verified and read through the
 * one process cache (rs_attribute()).  The flow cache short-cuts the first
 * two steps for the next packets of a flow.
 *
 * The send-time record (bpfrec, an eBPF program noting pid, start time,
 * comm and uid as the packet leaves the socket) needs no inode: it is
 * asked first for a queued packet (resolver_rec.c), its pid and start time
 * handed to rs_attribute() as a candidate, and the socket finders are the
 * fallback when it has nothing.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flowcache.h"
#include "flowkey.h"
#include "icmpsock.h"
#include "monotime.h"
#include "proccache.h"
#include "procmap.h"
#include "queue.h"
#include "resolver_int.h"

#define RESOLVER_FLOWS	4096		/* flows remembered */
#define RESOLVER_PROCS	512		/* process records remembered */

struct resolver *resolver_new(const char *proc_root)
{
	struct resolver *r;
	long hz;
	int saved;

	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->sd = sockdiag_open();
	if (!r->sd)
		goto err;
	r->pm = procmap_new(proc_root);
	if (!r->pm)
		goto err;
	r->fc = flowcache_new(r->pm, RESOLVER_FLOWS);
	if (!r->fc)
		goto err;
	r->pc = proccache_new(RESOLVER_PROCS);
	if (!r->pc)
		goto err;
	r->is = icmpsock_new(proc_root);
	if (!r->is)
		goto err;
	r->pi = procinfo_reader_new(proc_root);
	if (!r->pi)
		goto err;
	hz = sysconf(_SC_CLK_TCK);
	r->tick_ns = hz > 0 && hz <= 1000000000L ? 1000000000ull / (unsigned long)hz
						  : 10000000ull;
	return r;

err:
	saved = errno;
	resolver_free(r);
	errno = saved;
	return NULL;
}

void resolver_use_record(struct resolver *r, struct bpfrec *br)
{
	if (r)
		r->br = br;
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	sockdiag_close(r->sd);
	flowcache_free(r->fc);
	proccache_free(r->pc);
	procmap_free(r->pm);
	icmpsock_free(r->is);
	procinfo_reader_free(r->pi);
	free(r);
}

int rs_fail(struct resolver_result *res, const char *why)
{
	res->problem = why;
	errno = ENOENT;
	return -1;
}

/* Why sock_diag could not be asked, or did not know the socket. */
static const char *lookup_problem(const struct pkt_info *pkt, int err)
{
	switch (pkt->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		break;
	default:
		return "not tcp/udp";
	}
	if (!pkt->has_ports)
		return "no ports (fragment or truncated)";
	switch (err) {
	case ENOENT:
		/* sock_diag has tcp/udp tables only; a closed udp socket leaves them */
		return "no socket in sock_diag: raw socket, or closed before lookup";
	case EAFNOSUPPORT:
		return "not ipv4/ipv6";
	default:
		return "socket lookup failed";
	}
}

static void init_result(struct resolver_result *res, long long queue_uid,
			long long queue_gid)
{
	/* procs[] is most of the size and is filled as it is used */
	memset(res, 0, offsetof(struct resolver_result, procs));
	res->problem = NULL;
	res->info = NULL;
	res->exited = false;
	if (queue_uid >= 0) {
		res->has_uid = true;
		res->uid = (uid_t)queue_uid;
		res->gid = queue_gid >= 0 ? (gid_t)queue_gid : (gid_t)-1;
	}
}

/* Only the bytes in use: the record is mostly an empty cmdline buffer. */
static void copy_proc(struct resolver_proc *dst, const struct resolver_proc *src)
{
	size_t len = src->cmdline_len < sizeof(src->cmdline) ?
		     src->cmdline_len + 1 : sizeof(src->cmdline);

	memcpy(dst, src, offsetof(struct resolver_proc, cmdline));
	memcpy(dst->cmdline, src->cmdline, len);
	dst->cmdline_len = src->cmdline_len;
}

void rs_take_uid(struct resolver_result *res, uid_t uid)
{
	if (res->has_uid)
		return;
	res->has_uid = true;
	res->uid = uid;
	res->gid = (gid_t)-1;
}

/* The gid the queue did not give: the first holder's, if it is that user. */
static void finish_gid(struct resolver_result *res)
{
	if (res->gid == (gid_t)-1 && res->procs[0].uid == res->uid)
		res->gid = res->procs[0].gid;
}

int rs_holders(struct resolver *r, uint64_t inode, long long uid,
	       const struct rs_when *w, struct rs_cand *c, unsigned int max)
{
	pid_t pids[RESOLVER_MAX_PIDS];
	int n, i;

	if (max > RESOLVER_MAX_PIDS)
		max = RESOLVER_MAX_PIDS;
	n = procmap_find_inode_at(r->pm, inode, uid, w->queued_by, w->now,
				  pids, max);
	for (i = 0; i < n; i++) {
		c[i].pid = pids[i];
		c[i].fd = procmap_holder_fd(r->pm, inode, pids[i]);
		c[i].start = 0;
	}
	return n;
}

unsigned int rs_attribute(struct resolver *r, struct rs_cand *c, unsigned int n,
			  const struct rs_when *w, struct resolver_result *res)
{
	unsigned int i, kept = 0;

	for (i = 0; i < n && res->n_procs < RESOLVER_MAX_PIDS; i++) {
		struct resolver_proc *out = &res->procs[res->n_procs];

		/* a holder that exits meanwhile is left out, not reported half */
		if (proccache_get(r->pc, r->pm, c[i].pid, w->queued_by, w->now,
				  out) < 0)
			continue;
		if (c[i].start && out->start != c[i].start)
			continue;	/* the pid was recycled since the record */
		res->n_procs++;
		c[kept++] = c[i];
	}
	if (res->n_procs > 0)
		finish_gid(res);
	return kept;
}

int rs_attribute_inode(struct resolver *r, uint64_t inode, const struct rs_when *w,
		       struct resolver_result *res, const char *none,
		       struct rs_cand *c)
{
	struct rs_cand local[RESOLVER_MAX_PIDS];
	int n;

	if (!c)
		c = local;
	res->has_inode = true;
	res->inode = inode;
	res->n_procs = 0;
	n = rs_holders(r, inode, res->uid, w, c, RESOLVER_MAX_PIDS);
	if (n < 0) {
		res->problem = "cannot read /proc";
		return -1;
	}
	if (rs_attribute(r, c, (unsigned int)n, w, res) == 0)
		return rs_fail(res, none);
	return 0;
}

void resolver_prefetch(struct resolver *r, const struct pkt_info *const pkts[],
		       const long long uids[], unsigned int n)
{
	const struct pkt_info *ask[RESOLVER_PREFETCH];
	struct flow_key keys[RESOLVER_PREFETCH], k;
	struct sockdiag_sock socks[RESOLVER_PREFETCH];
	int errs[RESOLVER_PREFETCH];
	unsigned int i, j, m = 0;

	if (!r)
		return;
	r->n_ahead = 0;
	for (i = 0; i < n && m < RESOLVER_PREFETCH; i++) {
		const struct pkt_info *p = pkts[i];

		/* what the record will name needs no socket */
		if (!p || !p->has_ports ||
		    (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP) ||
		    rs_recordable(r, p) || flowcache_has(r->fc, p, uids[i]))
			continue;
		flow_key_from_pkt(p, &k);
		for (j = 0; j < m && !flow_key_equal(&keys[j], &k); j++)
			;
		if (j == m) {
			keys[m] = k;
			ask[m++] = p;
		}
	}
	/* one new flow gains nothing from a batch: it is looked up as usual */
	if (m < 2)
		return;
	sockdiag_lookup_many(r->sd, ask, m, socks, errs);
	for (i = 0; i < m; i++) {
		r->ahead[i].key = keys[i];
		r->ahead[i].sock = socks[i];
		r->ahead[i].err = errs[i];
	}
	r->n_ahead = m;
}

/* sock_diag's answer for pkt: looked up ahead if it was, else now. */
static int find_socket(struct resolver *r, const struct pkt_info *pkt,
		       struct sockdiag_sock *sk)
{
	struct flow_key k;
	unsigned int i;

	if (r->n_ahead > 0)
		flow_key_from_pkt(pkt, &k);
	for (i = 0; i < r->n_ahead; i++) {
		if (!flow_key_equal(&r->ahead[i].key, &k))
			continue;
		if (r->ahead[i].err) {
			errno = r->ahead[i].err;
			return -1;
		}
		*sk = r->ahead[i].sock;
		return 0;
	}
	return sockdiag_lookup(r->sd, pkt, sk);
}

/*
 * A cached flow: within the trust time the process records are taken as
 * they are; after a re-verification they get proccache's cheap check.
 * -1 when a holder's record is gone: the caller looks the flow up again.
 */
static int from_cache(struct resolver *r, const struct flowcache_entry *e,
		      bool checked, const struct rs_when *w,
		      struct resolver_result *res)
{
	struct rs_cand c[RESOLVER_MAX_PIDS];
	unsigned int i;

	res->has_inode = true;
	res->inode = e->inode;
	if (e->has_uid)
		rs_take_uid(res, e->uid);
	if (checked) {
		for (i = 0; i < e->n; i++)
			c[i] = (struct rs_cand){ .pid = e->pid[i], .fd = e->fd[i] };
		return rs_attribute(r, c, e->n, w, res) == e->n ? 0 : -1;
	}
	for (i = 0; i < e->n; i++) {
		const struct resolver_proc *p = proccache_peek(r->pc, e->pid[i]);

		if (!p)
			return -1;
		copy_proc(&res->procs[res->n_procs++], p);
	}
	finish_gid(res);
	return 0;
}

/*
 * A TCP segment whose socket has no owner any more (the FIN or RST after
 * close, the last ACK from TIME-WAIT): the flow's last owner, as the flow
 * cache and the process cache still know it, each checked by start time
 * against a recycled pid's record.  exited if it is gone altogether.
 */
static int last_owner(struct resolver *r, const struct pkt_info *pkt,
		      long long queue_uid, struct resolver_result *res)
{
	const struct flowcache_entry *e;
	struct procmap_stat s;
	unsigned int i;

	if (pkt->proto != IPPROTO_TCP)
		return -1;
	e = flowcache_last(r->fc, pkt, queue_uid);
	if (!e)
		return -1;
	res->n_procs = 0;
	for (i = 0; i < e->n && res->n_procs < RESOLVER_MAX_PIDS; i++) {
		const struct resolver_proc *p = proccache_peek(r->pc, e->pid[i]);

		if (p && e->start[i] && p->start == e->start[i])
			copy_proc(&res->procs[res->n_procs++], p);
	}
	if (res->n_procs == 0)
		return -1;
	res->has_inode = true;
	res->inode = e->inode;
	if (e->has_uid)
		rs_take_uid(res, e->uid);
	finish_gid(res);
	res->exited = procmap_read_stat(r->pm, res->procs[0].pid, &s) < 0 ||
		      s.start != res->procs[0].start;
	res->problem = "socket closed: its last owner";
	return 0;
}

/* TCP and UDP: sock_diag names the socket, by 5-tuple. */
static int lookup_tcp_udp(struct resolver *r, const struct pkt_info *pkt,
			  long long queue_uid, long long queue_gid,
			  const struct rs_when *w, struct resolver_result *res)
{
	struct flowcache_entry fe = { .n = 0 };
	struct rs_cand c[RESOLVER_MAX_PIDS];
	const struct flowcache_entry *hit;
	struct sockdiag_sock sk;
	unsigned int i;
	bool checked;

	hit = flowcache_lookup(r->fc, pkt, queue_uid, w->now, &checked);
	if (hit) {
		if (from_cache(r, hit, checked, w, res) == 0)
			return 0;
		flowcache_forget(r->fc, pkt);
		init_result(res, queue_uid, queue_gid);
	}
	if (!pkt->has_ports || find_socket(r, pkt, &sk) < 0) {
		rs_fail(res, lookup_problem(pkt, errno));
		return last_owner(r, pkt, queue_uid, res) == 0 ? 0 : rs_fail(res, res->problem);
	}
	/* sock_diag knows the socket's uid, not its gid */
	rs_take_uid(res, sk.uid);
	if (sk.inode == 0) {
		rs_fail(res, "socket has no file (time-wait or not yet accepted)");
		return last_owner(r, pkt, queue_uid, res) == 0 ? 0 : rs_fail(res, res->problem);
	}
	if (rs_attribute_inode(r, sk.inode, w, res,
			       "no process holds the socket (exited?)", c) < 0)
		return last_owner(r, pkt, queue_uid, res) == 0 ? 0 : rs_fail(res, res->problem);
	for (i = 0; i < res->n_procs; i++) {
		fe.pid[fe.n] = c[i].pid;
		fe.start[fe.n] = res->procs[i].start;
		fe.fd[fe.n++] = c[i].fd;
	}
	fe.inode = sk.inode;
	fe.has_uid = true;
	fe.uid = sk.uid;
	flowcache_store(r->fc, pkt, queue_uid, &fe, w->now);
	return 0;
}

/*
 * Who procs[0] is, from its process record (read once per process), or
 * with no process the names of the uid.  A sender that has exited has no
 * record to read (its pid may be another process's by now): what was read
 * of it while it lived (same pid and start time), else the names of its
 * recorded uid and gid only.
 */
static void add_info(struct resolver *r, const struct rs_when *w,
		     struct resolver_result *res)
{
	if (res->exited) {
		res->info = proccache_info_known(r->pc, res->procs[0].pid,
						 res->procs[0].start);
		if (res->info)
			return;
		procinfo_names(r->pi, res->procs[0].uid, res->procs[0].gid, w->now,
			       &r->names_only);
		res->info = &r->names_only;
		return;
	}
	if (res->n_procs > 0)
		res->info = proccache_info(r->pc, r->pi, res->procs[0].pid, w->now);
	if (!res->info && res->n_procs == 0 && res->has_uid) {
		procinfo_names(r->pi, res->uid, res->gid, w->now, &r->names_only);
		res->info = &r->names_only;
	}
}

/* qp (NULL: none) brings the send-time record, asked first. */
static int lookup(struct resolver *r, const struct pkt_info *pkt,
		  long long queue_uid, long long queue_gid,
		  const struct queue_packet *qp, struct rs_when *w,
		  struct resolver_result *res)
{
	w->now = monotime_ns();
	if (qp && rs_lookup_record(r, pkt, qp, w, res) == 0)
		return 0;
	switch (pkt->proto) {
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return rs_lookup_icmp(r, pkt, w, res);
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		return lookup_tcp_udp(r, pkt, queue_uid, queue_gid, w, res);
	default:
		return rs_fail(res, lookup_problem(pkt, EPROTONOSUPPORT));
	}
}

/* The one entry of both public lookups. */
static int lookup_all(struct resolver *r, const struct pkt_info *pkt,
		      long long queue_uid, long long queue_gid, uint64_t queued_by,
		      const struct queue_packet *qp, struct resolver_result *res)
{
	struct rs_when w = { .queued_by = queued_by };
	int ret, saved;

	init_result(res, queue_uid, queue_gid);
	if (!r || !pkt) {
		res->problem = "internal error";
		errno = EINVAL;
		return -1;
	}
	ret = lookup(r, pkt, queue_uid, queue_gid, qp, &w, res);
	saved = errno;
	add_info(r, &w, res);
	errno = saved;
	return ret;
}

int resolver_lookup(struct resolver *r, const struct pkt_info *pkt,
		    long long queue_uid, long long queue_gid, uint64_t queued_by,
		    struct resolver_result *res)
{
	return lookup_all(r, pkt, queue_uid, queue_gid, queued_by, NULL, res);
}

int resolver_lookup_queued(struct resolver *r, const struct pkt_info *pkt,
			   const struct queue_packet *qp,
			   struct resolver_result *res)
{
	if (!qp)
		return lookup_all(r, pkt, -1, -1, UINT64_MAX, NULL, res);
	return lookup_all(r, pkt, qp->uid, qp->gid, qp->rx_ns, qp, res);
}
