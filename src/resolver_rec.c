/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * resolver_rec: the send-time record as a finder (bpfrec.h).
 *
 * The record names the process itself (pid and start time), so no socket
 * is looked up and no /proc/PID/fd is scanned.  A process the cache read
 * before under the same pid and start time is taken from it without any
 * I/O (proccache_get_known()); a new one goes to rs_attribute() like any
 * other candidate, which reads exe and cmdline once.  When the process is gone (or its pid
 * names another one now), the report is what was recorded, marked exited:
 * the record is the only witness left, and it was made in the sender's
 * own context.  A live process whose comm or uid differ from the record
 * is still the same process (same pid and start time), changed since
 * (exec, setuid): the report says so rather than choose.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "bpfrec.h"
#include "proccache.h"
#include "resolver_int.h"

#define TCP_SYN_	0x02
#define TCP_ACK_	0x10

static const char exited_problem[] =
	"exited before it was looked up: pid, comm, ppid, uid and cgroup as recorded at send time";

bool rs_recordable(const struct resolver *r, const struct pkt_info *pkt)
{
	if (!r->br)
		return false;
	switch (pkt->proto) {
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return true;
	case IPPROTO_TCP:
		return pkt->has_ports &&
		       (pkt->tcp_flags & (TCP_SYN_ | TCP_ACK_)) == TCP_SYN_;
	default:
		return false;
	}
}

/* What the record says and /proc does not: said, not chosen between. */
static void check_agrees(const struct bpfrec_entry *e, struct resolver_result *res)
{
	const struct resolver_proc *p = &res->procs[0];
	bool comm = strncmp(p->comm, e->comm, sizeof(e->comm) - 1) != 0;
	bool uid = p->uid != e->uid;

	if (!comm && !uid)
		return;
	if (comm && uid)
		snprintf(res->problem_buf, sizeof(res->problem_buf),
			 "the send-time record and /proc disagree: comm %.15s "
			 "and uid %u at send time", e->comm, (unsigned int)e->uid);
	else if (comm)
		snprintf(res->problem_buf, sizeof(res->problem_buf),
			 "the send-time record and /proc disagree: comm %.15s "
			 "at send time", e->comm);
	else
		snprintf(res->problem_buf, sizeof(res->problem_buf),
			 "the send-time record and /proc disagree: uid %u at "
			 "send time", (unsigned int)e->uid);
	res->problem = res->problem_buf;
}

/* The sender is gone: what was recorded of it. */
static void from_entry(const struct bpfrec_entry *e, unsigned long long start,
		       struct resolver_result *res)
{
	struct resolver_proc *p = &res->procs[0];

	memset(p, 0, offsetof(struct resolver_proc, cmdline));
	p->cmdline[0] = '\0';
	p->cmdline_len = 0;
	p->pid = e->pid;
	p->ppid = e->ppid;
	p->uid = e->uid;
	p->gid = e->gid;
	p->start = start;
	memcpy(p->comm, e->comm, sizeof(e->comm));
	p->comm[sizeof(e->comm) - 1] = '\0';
	p->cgroup_id = e->cgroup_id;
	res->n_procs = 1;
	res->exited = true;
	if (res->gid == (gid_t)-1 && res->uid == p->uid)
		res->gid = p->gid;
	res->problem = exited_problem;
}

int rs_lookup_record(struct resolver *r, const struct pkt_info *pkt,
		     const struct queue_packet *qp, const struct rs_when *w,
		     struct resolver_result *res)
{
	struct bpfrec_entry e;
	struct rs_cand c;

	if (!rs_recordable(r, pkt))
		return 1;
	/* ENOENT, ENOTUNIQ or a failed take: the socket finders answer */
	if (bpfrec_take(r->br, pkt, qp, &e) < 0)
		return 1;
	rs_take_uid(res, e.sock_uid);
	c = (struct rs_cand){
		.pid = e.pid, .fd = -1,
		/* stat field 22 is start_boottime in whole ticks */
		.start = e.start_ns / r->tick_ns,
	};
	res->n_procs = 0;
	/* read once per (pid, start time): known, no /proc at all */
	if (proccache_get_known(r->pc, c.pid, c.start, e.comm, &res->procs[0]) == 0) {
		res->n_procs = 1;
		if (res->gid == (gid_t)-1 && res->uid == res->procs[0].uid)
			res->gid = res->procs[0].gid;
	} else if (rs_attribute(r, &c, 1, w, res) != 1) {
		from_entry(&e, c.start, res);
		return 0;
	}
	res->procs[0].cgroup_id = e.cgroup_id;
	check_agrees(&e, res);
	return 0;
}
