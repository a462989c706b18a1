/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * resolver_icmp: which of the ICMP sockets icmpsock found sent the packet.
 *
 * A ping socket is named exactly by its echo id.  Raw sockets are told
 * apart by the data in flight charged to the sender (icmpsock.h); when
 * several are sending, the echo id = pid convention of most pings may pick
 * one, and otherwise every candidate is listed and none named.
 */
#include <errno.h>
#include <stdio.h>

#include "icmpsock.h"
#include "resolver_int.h"

/* Nothing matched: say what was looked for. */
static const char *none_problem(const struct pkt_info *pkt)
{
	if (pkt->icmp_error)
		return "icmp error quoting another packet: no socket sent it (the kernel did)";
	if (pkt_is_echo_request(pkt))
		return "no ping or raw icmp socket (closed before lookup)";
	return "no raw icmp socket (closed before lookup)";
}

static const char no_holder[] = "no process holds the icmp socket (exited?)";

/* ",123" to the list in buf, while there is room for one more and the NUL. */
static void list_pid(char *buf, size_t len, size_t *used, pid_t pid)
{
	int w;

	if (*used + 12 >= len)
		return;
	w = snprintf(buf + *used, len - *used, "%s%d", *used ? "," : "", (int)pid);
	if (w > 0)
		*used += (size_t)w;
}

/*
 * Several raw sockets were sending at once.  iputils ping, like most
 * pings, uses its pid as the echo id on a raw socket: if exactly one
 * candidate's holder fits, take it and say so; otherwise list every
 * candidate's pids and name none.
 */
static int resolve_ambiguous(struct resolver *r, const struct pkt_info *pkt,
			     const struct icmpsock_result *ir,
			     const struct rs_when *w, struct resolver_result *res)
{
	char pids_str[96];
	size_t used = 0;
	unsigned int i, k, n_fit = 0, fit = 0;

	pids_str[0] = '\0';
	for (i = 0; i < ir->n; i++) {
		struct rs_cand c[RESOLVER_MAX_PIDS];
		int n = rs_holders(r, ir->c[i].inode, res->uid, w, c,
				   RESOLVER_MAX_PIDS);
		bool fits = false;

		for (k = 0; n > 0 && k < (unsigned int)n; k++) {
			if (pkt_is_echo_request(pkt) &&
			    ((unsigned int)c[k].pid & 0xffff) == pkt->icmp_id)
				fits = true;
			list_pid(pids_str, sizeof(pids_str), &used, c[k].pid);
		}
		if (fits) {
			n_fit++;
			fit = i;
		}
	}
	if (n_fit == 1 &&
	    rs_attribute_inode(r, ir->c[fit].inode, w, res, no_holder, NULL) == 0) {
		snprintf(res->problem_buf, sizeof(res->problem_buf),
			 "raw socket: %u sending, chosen by echo id = pid",
			 ir->n_sending);
		res->problem = res->problem_buf;
		return 0;
	}
	res->n_procs = 0;
	res->has_inode = false;
	snprintf(res->problem_buf, sizeof(res->problem_buf),
		 "ambiguous: %u raw icmp sockets sending (pids %s)",
		 ir->n_sending, used ? pids_str : "unknown");
	return rs_fail(res, res->problem_buf);
}

int rs_lookup_icmp(struct resolver *r, const struct pkt_info *pkt,
		   const struct rs_when *w, struct resolver_result *res)
{
	struct icmpsock_result ir;

	if (!pkt->has_icmp)
		return rs_fail(res, "no icmp header (truncated)");
	if (icmpsock_lookup(r->is, pkt, res->has_uid ? (long long)res->uid : -1,
			    &ir) < 0) {
		res->problem = "cannot read /proc/net";
		return -1;
	}
	if (ir.n_match == 0)
		return rs_fail(res, none_problem(pkt));
	rs_take_uid(res, ir.c[0].uid);
	if (ir.raw && ir.n_sending == 0) {
		/* the sender is charged for the held packet: it is not here */
		snprintf(res->problem_buf, sizeof(res->problem_buf),
			 "raw socket: %u candidates, none sending (closed before lookup?)",
			 ir.n_match);
		return rs_fail(res, res->problem_buf);
	}
	/* a ping socket's echo id is exact, sending or not */
	if (ir.n == 1)
		return rs_attribute_inode(r, ir.c[0].inode, w, res, no_holder, NULL);
	if (ir.raw)
		return resolve_ambiguous(r, pkt, &ir, w, res);
	snprintf(res->problem_buf, sizeof(res->problem_buf),
		 "ambiguous: %u ping sockets with echo id %u",
		 ir.n, pkt->icmp_id);
	return rs_fail(res, res->problem_buf);
}
