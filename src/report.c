/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report: aggregate packets read from a pcapng file by (process, flow),
 * after the -r filter; report_print.c prints the result.
 *
 * Rows are kept in a plain array searched linearly (with a last-hit
 * shortcut): summaries have few distinct flows compared with packets.
 */
#include "report.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "comment.h"
#include "procinfo.h"
#include "packet.h"
#include "payload.h"
#include "pcapng.h"
#include "report_int.h"
#include "strbuf.h"

struct report *report_new(void)
{
	return calloc(1, sizeof(struct report));
}

void report_free(struct report *rp)
{
	unsigned int i;

	if (!rp)
		return;
	for (i = 0; i < rp->n_nametab; i++)
		free(rp->nametab[i].text);
	free(rp->nametab);
	cache_free(rp->row_index);
	cache_free(rp->name_index);
	cache_free(rp->flow_names);
	free(rp->procs);
	free(rp->rows);
	free(rp);
}

void report_set_filter(struct report *rp, const struct report_filter *flt)
{
	rp->flt = flt;
	report_names_compile(&rp->names, flt);
}

unsigned long long report_filtered(const struct report *rp)
{
	return rp->filtered;
}

void report_totals(const struct report *rp, unsigned long long *packets,
		   unsigned long long *unparsed)
{
	*packets = rp->packets;
	*unparsed = rp->unparsed;
}

static void copy_field(char *dst, size_t dlen, const char *s, size_t n)
{
	comment_unescape(s, n, dst, dlen);
}

int report_parse_comment(const char *s, size_t len, struct report_proc *p)
{
	const char *end = s + len, *v;
	enum comment_field f;
	bool have_pid = false;
	size_t vl;

	memset(p, 0, sizeof(*p));
	p->pid = p->ppid = p->uid = p->start = -1;
	comment_procinfo_clear(&p->info);
	while (comment_next(&s, end, &f, &v, &vl)) {
		if (comment_procinfo_field(&p->info, f, v, vl))
			continue;
		switch (f) {
		case COMMENT_PID:
			have_pid = true;
			p->pid = comment_number(v, vl);
			break;
		case COMMENT_CMD:
			copy_field(p->exe, sizeof(p->exe), v, vl);
			break;
		case COMMENT_ARGS:
			copy_field(p->args, sizeof(p->args), v, vl);
			break;
		case COMMENT_USERID:
			p->uid = comment_number(v, vl);
			break;
		case COMMENT_START:
			p->start = comment_number(v, vl);
			break;
		case COMMENT_PARENTPID:
			p->ppid = comment_number(v, vl);
			break;
		case COMMENT_COMM:
			copy_field(p->comm, sizeof(p->comm), v, vl);
			break;
		case COMMENT_REASON:
			copy_field(p->reason, sizeof(p->reason), v, vl);
			break;
		default:
			break;
		}
	}
	return have_pid ? 0 : -1;
}

/* The IP packet inside a record of a known link type; NULL if none. */
static const uint8_t *ip_start(const struct pcapng_record *r, size_t *len)
{
	const uint8_t *d = r->data;
	size_t n = r->caplen, off;
	unsigned int type;

	switch (r->linktype) {
	case PCAPNG_LINKTYPE_RAW:
	case PCAPNG_LINKTYPE_IPV4:
	case PCAPNG_LINKTYPE_IPV6:
		*len = n;
		return d;
	case PCAPNG_LINKTYPE_ETHERNET:
		if (n < 14)
			return NULL;
		type = (unsigned int)d[12] << 8 | d[13];
		off = 14;
		/* 802.1Q / 802.1ad tags, any depth that fits */
		while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) &&
		       n >= off + 4) {
			type = (unsigned int)d[off + 2] << 8 | d[off + 3];
			off += 4;
		}
		break;
	case PCAPNG_LINKTYPE_LINUX_SLL:
		if (n < 16)
			return NULL;
		type = (unsigned int)d[14] << 8 | d[15];
		off = 16;
		break;
	case PCAPNG_LINKTYPE_LINUX_SLL2:
		if (n < 20)
			return NULL;
		type = (unsigned int)d[0] << 8 | d[1];
		off = 20;
		break;
	default:
		return NULL;
	}
	if (type != 0x0800 && type != 0x86dd)
		return NULL;
	*len = n - off;
	return d + off;
}

static bool prefix_match(const struct addr_prefix *pf, const struct addr_ip *ip)
{
	unsigned int full = pf->len / 8, rest = pf->len % 8;

	if (pf->ip.family != ip->family)
		return false;
	if (memcmp(pf->ip.u.bytes, ip->u.bytes, full) != 0)
		return false;
	return rest == 0 ||
	       ((pf->ip.u.bytes[full] ^ ip->u.bytes[full]) & (0xff00 >> rest)) == 0;
}

static bool proto_match(const struct report_filter *flt,
			const struct pkt_info *pkt)
{
	bool any = !flt->udp && !flt->tcp && !flt->icmp;

	if (pkt->proto == IPPROTO_TCP && flt->connect_only &&
	    (pkt->tcp_flags & 0x12) != 0x02)
		return false;
	switch (pkt->proto) {
	case IPPROTO_UDP:
		return any || flt->udp;
	case IPPROTO_TCP:
		return any || flt->tcp;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return any || flt->icmp;
	default:
		return any;
	}
}

static bool iface_match(const struct report_filter *flt,
			const struct pcapng_record *r)
{
	unsigned int i;

	for (i = 0; i < flt->n_ifaces; i++)
		if (r->if_name && r->if_name_len == strlen(flt->ifaces[i]) &&
		    memcmp(r->if_name, flt->ifaces[i], r->if_name_len) == 0)
			return true;
	return flt->n_ifaces == 0;
}

static bool filter_match(const struct report *rp,
			 const struct pcapng_record *r,
			 const struct pkt_info *pkt, const struct report_proc *p,
			 const struct rp_names *nm)
{
	const struct report_filter *flt = rp->flt;
	bool ok;
	unsigned int i;

	if (!proto_match(flt, pkt) || !iface_match(flt, r))
		return false;
	for (ok = flt->n_uids == 0, i = 0; !ok && i < flt->n_uids; i++)
		ok = p->uid >= 0 && p->uid == (long long)flt->uids[i];
	if (!ok)
		return false;
	for (ok = flt->n_dests == 0, i = 0; !ok && i < flt->n_dests; i++)
		ok = prefix_match(&flt->dests[i], &pkt->dst);
	if (!ok)
		return false;
	for (ok = flt->n_ports == 0, i = 0; !ok && i < flt->n_ports; i++)
		ok = pkt->has_ports && pkt->dport >= flt->ports[i].lo &&
		     pkt->dport <= flt->ports[i].hi;
	if (!ok)
		return false;
	for (ok = flt->n_pids == 0, i = 0; !ok && i < flt->n_pids; i++)
		ok = p->pid >= 0 && p->pid == (long long)flt->pids[i];
	if (!ok)
		return false;
	for (ok = flt->n_comms == 0, i = 0; !ok && i < flt->n_comms; i++)
		ok = p->comm[0] && strcmp(p->comm, flt->comms[i]) == 0;
	if (!ok)
		return false;
	for (ok = flt->n_units == 0, i = 0; !ok && i < flt->n_units; i++)
		ok = procinfo_unit_match(flt->units[i], p->info.unit, p->info.user_unit);
	if (!ok)
		return false;
	for (ok = flt->n_containers == 0, i = 0; !ok && i < flt->n_containers; i++)
		ok = procinfo_container_match(flt->containers[i], p->info.runtime,
					      p->info.container);
	return ok && (flt->n_names == 0 || report_names_match(&rp->names, nm));
}

bool report_filter_active(const struct report_filter *flt)
{
	return flt && (flt->n_dests || flt->n_ports || flt->n_pids ||
		       flt->n_comms || flt->udp || flt->tcp || flt->icmp ||
		       flt->connect_only || flt->n_uids || flt->n_ifaces ||
		       flt->n_names || flt->n_units || flt->n_containers);
}

static bool proc_eq(const struct report_proc *a, const struct report_proc *b)
{
	return a->pid == b->pid && a->start == b->start && a->uid == b->uid &&
	       a->ppid == b->ppid &&
	       strcmp(a->comm, b->comm) == 0 && strcmp(a->exe, b->exe) == 0 &&
	       strcmp(a->reason, b->reason) == 0 &&
	       strcmp(a->info.user, b->info.user) == 0 &&
	       strcmp(a->info.unit, b->info.unit) == 0 &&
	       strcmp(a->info.user_unit, b->info.user_unit) == 0 &&
	       strcmp(a->info.container, b->info.container) == 0 &&
	       strcmp(a->info.cgroup, b->info.cgroup) == 0 &&
	       a->info.exited == b->info.exited;
}

bool report_dest_eq(const struct rp_flow *a, const struct rp_flow *b)
{
	return a->proto == b->proto && addr_ip_equal(&a->dst, &b->dst) &&
	       a->has_ports == b->has_ports && a->dport == b->dport;
}

bool report_flow_eq(const struct rp_flow *a, const struct rp_flow *b)
{
	return report_dest_eq(a, b) && addr_ip_equal(&a->src, &b->src) &&
	       a->sport == b->sport;
}

static int grow(void **arr, unsigned int *cap, size_t elem)
{
	unsigned int ncap = *cap ? *cap * 2 : 16;
	void *n;

	if (ncap > 1u << 26) {
		errno = ENOMEM;
		return -1;
	}
	n = realloc(*arr, ncap * elem);
	if (!n)
		return -1;
	*arr = n;
	*cap = ncap;
	return 0;
}

static int find_proc(struct report *rp, const struct report_proc *p)
{
	unsigned int i;

	/* a flow's packets come together: the last one first */
	if (rp->last_proc < rp->n_procs && proc_eq(&rp->procs[rp->last_proc], p))
		return (int)rp->last_proc;
	for (i = 0; i < rp->n_procs; i++)
		if (proc_eq(&rp->procs[i], p))
			return (int)(rp->last_proc = i);
	rp->last_proc = rp->n_procs;
	if (rp->n_procs == rp->cap_procs &&
	    grow((void **)&rp->procs, &rp->cap_procs, sizeof(*p)) < 0)
		return -1;
	rp->procs[rp->n_procs] = *p;
	return (int)rp->n_procs++;
}

/* Entries of the row and name indexes: beyond, rows and names repeat. */
#define INDEX_CAP	(1u << 16)

struct row_key {
	unsigned int proc;
	struct rp_flow f;
};

static uint64_t fnv1a(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--)
		h = (h ^ *s++) * 0x100000001b3ull;
	return h;
}

/*
 * The first name the packet asks for (report_names_get(): a DNS query's
 * first question, a TLS ClientHello's SNI, an HTTP Host), escaped and in
 * lower case (DNS names are not case-sensitive), as an index into
 * rp->nametab; -1 if none, -2 when out of memory.
 */
static int name_index(struct report *rp, const struct rp_names *nm)
{
	char text[PAYLOAD_NAME_TEXT_MAX + 1];
	struct strbuf b;
	bool added;
	uint64_t h;
	int *idx;
	char *p;

	if (nm->n == 0 || nm->name[0].len == 0)
		return -1;
	sb_init(&b, text, sizeof(text));
	payload_name_escape(&b, &nm->name[0]);
	if (sb_finish(&b) < 0)
		return -1;
	for (p = text; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	h = fnv1a(text, strlen(text));
	if (!rp->name_index) {
		rp->name_index = cache_new(INDEX_CAP, sizeof(h), sizeof(int));
		if (!rp->name_index)
			return -2;
	}
	idx = cache_put(rp->name_index, (uint32_t)h, &h, &added);
	if (!added && strcmp(rp->nametab[*idx].text, text) == 0)
		return *idx;
	if (rp->n_nametab == rp->cap_nametab &&
	    grow((void **)&rp->nametab, &rp->cap_nametab, sizeof(*rp->nametab)) < 0)
		return -2;
	rp->nametab[rp->n_nametab].text = strdup(text);
	if (!rp->nametab[rp->n_nametab].text)
		return -2;
	rp->nametab[rp->n_nametab].wire = nm->name[0];
	*idx = (int)rp->n_nametab;
	return (int)rp->n_nametab++;
}

/*
 * A packet asking for no name takes the last one its flow asked for (a
 * TCP connection's segments after the ClientHello, whichever process the
 * comment names for them), so --name and --by name count connections,
 * not only the packets that hold the name.  -1: none; -2: no memory.
 */
static int flow_name(struct report *rp, const struct rp_flow *f, int name,
		     struct rp_names *nm)
{
	bool added;
	int *v;

	if (!rp->flow_names) {
		rp->flow_names = cache_new(INDEX_CAP, sizeof(*f), sizeof(int));
		if (!rp->flow_names)
			return -2;
	}
	if (name >= 0) {
		v = cache_put(rp->flow_names, (uint32_t)fnv1a(f, sizeof(*f)), f,
			      &added);
		*v = name;
		return name;
	}
	v = cache_get(rp->flow_names, (uint32_t)fnv1a(f, sizeof(*f)), f);
	if (!v || *v < 0 || (unsigned int)*v >= rp->n_nametab)
		return -1;
	nm->n = 1;
	nm->name[0] = rp->nametab[*v].wire;
	return *v;
}

/* Same process, flow and name (flow_name() gave later segments theirs). */
static bool row_match(const struct rp_row *row, unsigned int proc,
		      const struct rp_flow *f, int name)
{
	return row->proc == proc && report_flow_eq(&row->f, f) &&
	       row->name == name;
}

int report_add(struct report *rp, const struct pcapng_record *r)
{
	struct report_proc p;
	struct rp_names nm;
	struct pkt_info pkt;
	struct rp_flow f;
	struct rp_row *row = NULL;
	const uint8_t *ip;
	struct row_key key;
	unsigned int *ri;
	bool added;
	size_t len;
	int pi, name;

	ip = ip_start(r, &len);
	if (!ip || pkt_parse(ip, len, &pkt) < 0) {
		if (report_filter_active(rp->flt)) {
			rp->filtered++;
			return 0;
		}
		rp->packets++;
		rp->unparsed++;
		return 0;
	}
	if (r->comment_len == 0 ||
	    report_parse_comment(r->comment, r->comment_len, &p) < 0) {
		memset(&p, 0, sizeof(p));
		p.pid = r->has_pid && r->pid ? (long long)r->pid : -1;
		p.ppid = p.uid = p.start = -1;
	}
	memset(&f, 0, sizeof(f));
	f.proto = pkt.proto;
	f.src = pkt.src;
	f.dst = pkt.dst;
	f.has_ports = pkt.has_ports;
	if (pkt.has_ports) {
		f.sport = pkt.sport;
		f.dport = pkt.dport;
	}
	report_names_get(r, &pkt, ip, len, &nm);
	name = name_index(rp, &nm);
	if (name != -2)
		name = flow_name(rp, &f, name, &nm);
	if (name == -2)
		return -1;
	if (report_filter_active(rp->flt) && !filter_match(rp, r, &pkt, &p, &nm)) {
		rp->filtered++;
		return 0;
	}
	rp->packets++;
	pi = find_proc(rp, &p);
	if (pi < 0)
		return -1;
	if (!rp->row_index) {
		rp->row_index = cache_new(INDEX_CAP, sizeof(key), sizeof(unsigned int));
		if (!rp->row_index)
			return -1;
	}
	memset(&key, 0, sizeof(key));
	key.proc = (unsigned int)pi;
	memcpy(&key.f, &f, sizeof(f));	/* f's padding is zeroed too */
	ri = cache_put(rp->row_index, (uint32_t)fnv1a(&key, sizeof(key)), &key,
		       &added);
	if (!added && *ri < rp->n_rows &&
	    row_match(&rp->rows[*ri], (unsigned int)pi, &f, name))
		row = &rp->rows[*ri];
	if (!row) {
		if (rp->n_rows == rp->cap_rows &&
		    grow((void **)&rp->rows, &rp->cap_rows, sizeof(*row)) < 0)
			return -1;
		row = &rp->rows[rp->n_rows++];
		memset(row, 0, sizeof(*row));
		row->proc = (unsigned int)pi;
		row->f = f;
		row->name = name;
		row->first = r->ts_ns;
		row->last = r->ts_ns;
	}
	*ri = (unsigned int)(row - rp->rows);
	row->packets++;
	/* IP bytes, whatever link header the capture tool put before them. */
	len = (size_t)(ip - r->data);
	row->bytes += r->origlen > len ? r->origlen - len : 0;
	if (r->ts_ns < row->first)
		row->first = r->ts_ns;
	if (r->ts_ns > row->last)
		row->last = r->ts_ns;
	return 0;
}
