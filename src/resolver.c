/* resolver: from a packet's flow (and the uid the queue gave) to the process. */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flowcache.h"
#include "flowkey.h"
#include "icmpsock.h"
#include "monotime.h"
#include "proccache.h"
#include "procmap.h"
#include "resolver.h"
#include "sockdiag.h"

#define RESOLVER_FLOWS	4096		/* flows remembered */
#define RESOLVER_PROCS	512		/* process records remembered */

/* A socket looked up ahead by resolver_prefetch(). */
struct rs_ahead {
	struct flow_key key;		/* of its packet: the caller's memory moves on */
	struct sockdiag_sock sock;
	int err;			/* 0, or sockdiag's errno */
};

struct resolver {
	struct sockdiag *sd;
	struct procmap *pm;
	struct flowcache *fc;
	struct proccache *pc;
	struct icmpsock *is;
	struct rs_ahead ahead[RESOLVER_PREFETCH];
	unsigned int n_ahead;
};

struct resolver *resolver_new(const char *proc_root)
{
	struct resolver *r;
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
	return r;

err:
	saved = errno;
	resolver_free(r);
	errno = saved;
	return NULL;
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	sockdiag_close(r->sd);
	procmap_free(r->pm);
	flowcache_free(r->fc);
	proccache_free(r->pc);
	icmpsock_free(r->is);
	free(r);
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

static void finish_gid(struct resolver_result *res)
{
	if (res->gid == (gid_t)-1 && res->procs[0].uid == res->uid)
		res->gid = res->procs[0].gid;
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

		if (!p || !p->has_ports ||
		    (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP) ||
		    flowcache_has(r->fc, p, uids[i]))
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
		      bool checked, uint64_t queued_by, uint64_t now,
		      struct resolver_result *res)
{
	unsigned int i;

	res->has_inode = true;
	res->inode = e->inode;
	if (!res->has_uid && e->has_uid) {
		res->has_uid = true;
		res->uid = e->uid;
		res->gid = (gid_t)-1;
	}
	for (i = 0; i < e->n; i++) {
		struct resolver_proc *out = &res->procs[res->n_procs];
		const struct resolver_proc *p;

		if (checked) {
			if (proccache_get(r->pc, r->pm, e->pid[i], queued_by,
					  now, out) < 0)
				return -1;
		} else {
			p = proccache_peek(r->pc, e->pid[i]);
			if (!p)
				return -1;
			copy_proc(out, p);
		}
		res->n_procs++;
	}
	finish_gid(res);
	return 0;
}

int resolver_lookup(struct resolver *r, const struct pkt_info *pkt,
		    long long queue_uid, long long queue_gid, uint64_t queued_by,
		    struct resolver_result *res)
{
	const struct flowcache_entry *hit;
	struct flowcache_entry fe = { .n = 0 };
	pid_t pids[RESOLVER_MAX_PIDS];
	struct sockdiag_sock sk;
	uint64_t now;
	bool checked;
	long long uid;
	int n, i;

	init_result(res, queue_uid, queue_gid);
	if (!r || !pkt) {
		res->problem = "internal error";
		errno = EINVAL;
		return -1;
	}

	if (pkt->proto == IPPROTO_ICMP || pkt->proto == IPPROTO_ICMPV6)
		return icmpsock_resolve(r->is, r->pm, pkt, res);
	if (pkt->proto != IPPROTO_TCP && pkt->proto != IPPROTO_UDP) {
		res->problem = lookup_problem(pkt, EPROTONOSUPPORT);
		errno = ENOENT;
		return -1;
	}
	now = monotime_ns();
	hit = flowcache_lookup(r->fc, pkt, queue_uid, now, &checked);
	if (hit) {
		if (from_cache(r, hit, checked, queued_by, now, res) == 0)
			return 0;
		flowcache_forget(r->fc, pkt);
		init_result(res, queue_uid, queue_gid);
	}
	if (!pkt->has_ports || find_socket(r, pkt, &sk) < 0) {
		res->problem = lookup_problem(pkt, errno);
		errno = ENOENT;
		return -1;
	}
	if (!res->has_uid) {
		/* sock_diag knows the socket's uid, not its gid */
		res->has_uid = true;
		res->uid = sk.uid;
		res->gid = (gid_t)-1;
	}
	if (sk.inode == 0) {
		res->problem = "socket has no file (time-wait or not yet accepted)";
		errno = ENOENT;
		return -1;
	}
	res->has_inode = true;
	res->inode = sk.inode;

	uid = res->uid;
	n = procmap_find_inode_at(r->pm, sk.inode, uid, queued_by, now, pids,
				  RESOLVER_MAX_PIDS);
	if (n < 0) {
		res->problem = "cannot read /proc";
		return -1;
	}
	for (i = 0; i < n; i++) {
		/* a holder that exits meanwhile is left out, not reported half */
		if (proccache_get(r->pc, r->pm, pids[i], queued_by, now,
				  &res->procs[res->n_procs]) < 0)
			continue;
		res->n_procs++;
		fe.pid[fe.n] = pids[i];
		fe.fd[fe.n] = procmap_holder_fd(r->pm, sk.inode, pids[i]);
		fe.n++;
	}
	if (res->n_procs == 0) {
		res->problem = "no process holds the socket (exited?)";
		errno = ENOENT;
		return -1;
	}
	fe.inode = sk.inode;
	fe.has_uid = true;
	fe.uid = sk.uid;
	flowcache_store(r->fc, pkt, queue_uid, &fe, now);
	finish_gid(res);
	return 0;
}
