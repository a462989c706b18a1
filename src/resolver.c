/* resolver: from a packet's flow (and the uid the queue gave) to the process. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "procmap.h"
#include "resolver.h"
#include "sockdiag.h"

struct resolver {
	struct sockdiag *sd;
	struct procmap *pm;
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
	free(r);
}

/* Why sock_diag could not be asked, or did not know the socket. */
static const char *lookup_problem(const struct pkt_info *pkt, int err)
{
	switch (pkt->proto) {
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return "icmp sockets are not looked up yet";
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
		return "socket not found (closed before lookup)";
	case EAFNOSUPPORT:
		return "not ipv4/ipv6";
	default:
		return "socket lookup failed";
	}
}

int resolver_lookup(struct resolver *r, const struct pkt_info *pkt,
		    long long queue_uid, long long queue_gid,
		    struct resolver_result *res)
{
	pid_t pids[RESOLVER_MAX_PIDS];
	struct sockdiag_sock sk;
	long long uid;
	int n, i;

	memset(res, 0, sizeof(*res));
	if (queue_uid >= 0) {
		res->has_uid = true;
		res->uid = (uid_t)queue_uid;
		res->gid = queue_gid >= 0 ? (gid_t)queue_gid : (gid_t)-1;
	}
	if (!r || !pkt) {
		res->problem = "internal error";
		errno = EINVAL;
		return -1;
	}

	if (pkt->proto != IPPROTO_TCP && pkt->proto != IPPROTO_UDP) {
		res->problem = lookup_problem(pkt, EPROTONOSUPPORT);
		errno = ENOENT;
		return -1;
	}
	if (!pkt->has_ports || sockdiag_lookup(r->sd, pkt, &sk) < 0) {
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
	n = procmap_find_inode(r->pm, sk.inode, uid, pids, RESOLVER_MAX_PIDS);
	if (n < 0) {
		res->problem = "cannot read /proc";
		return -1;
	}
	for (i = 0; i < n; i++) {
		/* a holder that exits meanwhile is left out, not reported half */
		if (procmap_read_proc(r->pm, pids[i], &res->procs[res->n_procs]) == 0)
			res->n_procs++;
	}
	if (res->n_procs == 0) {
		res->problem = "no process holds the socket (exited?)";
		errno = ENOENT;
		return -1;
	}
	if (res->gid == (gid_t)-1 && res->procs[0].uid == res->uid)
		res->gid = res->procs[0].gid;
	return 0;
}
