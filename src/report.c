/*
 * report: aggregate packets read from a pcapng file by (process, flow) and
 * print them grouped by process, destination or flow.
 *
 * Rows are kept in a plain array searched linearly (with a last-hit
 * shortcut): summaries have few distinct flows compared with packets.
 */
#include "report.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "packet.h"
#include "pcapng.h"

struct rp_flow {
	uint8_t proto;
	bool has_ports;
	struct addr_ip src, dst;
	uint16_t sport, dport;
};

struct rp_row {
	unsigned int proc;
	struct rp_flow f;
	unsigned long long packets, bytes;
	uint64_t first, last;
};

struct report {
	struct report_proc *procs;
	unsigned int n_procs, cap_procs;
	struct rp_row *rows;
	unsigned int n_rows, cap_rows, last_hit;
	unsigned long long packets, unparsed, filtered;
	const struct report_filter *flt;
};

struct report *report_new(void)
{
	return calloc(1, sizeof(struct report));
}

void report_free(struct report *rp)
{
	if (!rp)
		return;
	free(rp->procs);
	free(rp->rows);
	free(rp);
}

void report_set_filter(struct report *rp, const struct report_filter *flt)
{
	rp->flt = flt;
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
	if (n >= dlen)
		n = dlen - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static long long parse_num(const char *s, size_t n)
{
	long long v = 0;
	size_t i;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int report_parse_comment(const char *s, size_t len, struct report_proc *p)
{
	static const struct {
		const char *key;
		int which;
	} keys[] = {
		{ "PID: ", 0 }, { "Cmd: ", 1 }, { "Args: ", 2 }, { "UserId: ", 3 },
		{ "ParentPID: ", 4 }, { "Comm: ", 5 }, { "Reason: ", 6 },
	};
	const char *end = s + len;
	bool have_pid = false;

	memset(p, 0, sizeof(*p));
	p->pid = p->ppid = p->uid = -1;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		size_t i, k;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			const char *v;
			size_t kl = strlen(keys[i].key), vl;

			if (n < kl || memcmp(s, keys[i].key, kl) != 0)
				continue;
			v = s + kl;
			vl = n - kl;
			switch (keys[i].which) {
			case 0:
				have_pid = true;
				p->pid = parse_num(v, vl);
				break;
			case 1:
				copy_field(p->exe, sizeof(p->exe), v, vl);
				break;
			case 2:
				copy_field(p->args, sizeof(p->args), v, vl);
				break;
			case 3:
				p->uid = parse_num(v, vl);
				break;
			case 4:
				p->ppid = parse_num(v, vl);
				break;
			case 5:
				copy_field(p->comm, sizeof(p->comm), v, vl);
				break;
			case 6:
				copy_field(p->reason, sizeof(p->reason), v, vl);
				break;
			}
			break;
		}
		/* A NUL inside the comment ends it, as in a C string. */
		for (k = 0; k < n; k++)
			if (s[k] == '\0')
				return have_pid ? 0 : -1;
		s += n + 1;
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

static bool filter_match(const struct report_filter *flt,
			 const struct pkt_info *pkt, const struct report_proc *p)
{
	bool ok;
	unsigned int i;

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
	return ok;
}

static bool filter_active(const struct report_filter *flt)
{
	return flt && (flt->n_dests || flt->n_ports || flt->n_pids || flt->n_comms);
}

static bool proc_eq(const struct report_proc *a, const struct report_proc *b)
{
	return a->pid == b->pid && a->uid == b->uid && a->ppid == b->ppid &&
	       strcmp(a->comm, b->comm) == 0 && strcmp(a->exe, b->exe) == 0 &&
	       strcmp(a->reason, b->reason) == 0;
}

static bool dest_eq(const struct rp_flow *a, const struct rp_flow *b)
{
	return a->proto == b->proto && addr_ip_equal(&a->dst, &b->dst) &&
	       a->has_ports == b->has_ports && a->dport == b->dport;
}

static bool flow_eq(const struct rp_flow *a, const struct rp_flow *b)
{
	return dest_eq(a, b) && addr_ip_equal(&a->src, &b->src) &&
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

	for (i = 0; i < rp->n_procs; i++)
		if (proc_eq(&rp->procs[i], p))
			return (int)i;
	if (rp->n_procs == rp->cap_procs &&
	    grow((void **)&rp->procs, &rp->cap_procs, sizeof(*p)) < 0)
		return -1;
	rp->procs[rp->n_procs] = *p;
	return (int)rp->n_procs++;
}

int report_add(struct report *rp, const struct pcapng_record *r)
{
	struct report_proc p;
	struct pkt_info pkt;
	struct rp_flow f;
	struct rp_row *row = NULL;
	const uint8_t *ip;
	size_t len, i;
	int pi;

	ip = ip_start(r, &len);
	if (!ip || pkt_parse(ip, len, &pkt) < 0) {
		if (filter_active(rp->flt)) {
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
		p.ppid = p.uid = -1;
	}
	if (filter_active(rp->flt) && !filter_match(rp->flt, &pkt, &p)) {
		rp->filtered++;
		return 0;
	}
	rp->packets++;
	pi = find_proc(rp, &p);
	if (pi < 0)
		return -1;
	memset(&f, 0, sizeof(f));
	f.proto = pkt.proto;
	f.src = pkt.src;
	f.dst = pkt.dst;
	f.has_ports = pkt.has_ports;
	if (pkt.has_ports) {
		f.sport = pkt.sport;
		f.dport = pkt.dport;
	}
	if (rp->last_hit < rp->n_rows && rp->rows[rp->last_hit].proc == (unsigned int)pi &&
	    flow_eq(&rp->rows[rp->last_hit].f, &f))
		row = &rp->rows[rp->last_hit];
	for (i = 0; !row && i < rp->n_rows; i++)
		if (rp->rows[i].proc == (unsigned int)pi && flow_eq(&rp->rows[i].f, &f))
			row = &rp->rows[i];
	if (!row) {
		if (rp->n_rows == rp->cap_rows &&
		    grow((void **)&rp->rows, &rp->cap_rows, sizeof(*row)) < 0)
			return -1;
		row = &rp->rows[rp->n_rows++];
		memset(row, 0, sizeof(*row));
		row->proc = (unsigned int)pi;
		row->f = f;
		row->first = r->ts_ns;
		row->last = r->ts_ns;
	}
	rp->last_hit = (unsigned int)(row - rp->rows);
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

/* Printing ------------------------------------------------------------- */

struct rp_sum {
	unsigned long long packets, bytes;
	uint64_t first, last;
};

static void sum_add(struct rp_sum *s, const struct rp_row *r)
{
	if (s->packets == 0 || r->first < s->first)
		s->first = r->first;
	if (s->packets == 0 || r->last > s->last)
		s->last = r->last;
	s->packets += r->packets;
	s->bytes += r->bytes;
}

static bool group_eq(enum cli_by by, const struct rp_row *a, const struct rp_row *b)
{
	if (by == CLI_BY_PROCESS)
		return a->proc == b->proc;
	if (by == CLI_BY_DESTINATION)
		return dest_eq(&a->f, &b->f);
	return flow_eq(&a->f, &b->f);
}

static bool sub_eq(enum cli_by by, const struct rp_row *a, const struct rp_row *b)
{
	return by == CLI_BY_PROCESS ? dest_eq(&a->f, &b->f) : a->proc == b->proc;
}

static void print_ts(FILE *out, uint64_t ns, bool json)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;
	char buf[64];

	if (json) {
		gmtime_r(&sec, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(out, "\"%s.%09lluZ\"", buf,
			(unsigned long long)(ns % 1000000000u));
	} else {
		localtime_r(&sec, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(out, "%s.%03llu", buf,
			(unsigned long long)(ns % 1000000000u / 1000000u));
	}
}

static void json_str(FILE *out, const char *s)
{
	char buf[4096];

	if (out_json_string(buf, sizeof(buf), s, strlen(s)) < 0)
		fputs("\"\"", out);
	else
		fputs(buf, out);
}

static void print_sum(FILE *out, const struct rp_sum *s, bool json)
{
	if (json) {
		fprintf(out, "\"packets\":%llu,\"bytes\":%llu,\"first\":",
			s->packets, s->bytes);
		print_ts(out, s->first, true);
		fputs(",\"last\":", out);
		print_ts(out, s->last, true);
		return;
	}
	fprintf(out, "%llu packets, %llu bytes, ", s->packets, s->bytes);
	print_ts(out, s->first, false);
	fputs(" .. ", out);
	print_ts(out, s->last, false);
}

static void print_proc(FILE *out, const struct report_proc *p, bool json)
{
	if (json) {
		fputs("\"pid\":", out);
		if (p->pid >= 0)
			fprintf(out, "%lld", p->pid);
		else
			fputs("null", out);
		if (p->ppid >= 0)
			fprintf(out, ",\"ppid\":%lld", p->ppid);
		if (p->uid >= 0)
			fprintf(out, ",\"uid\":%lld", p->uid);
		fputs(",\"comm\":", out);
		json_str(out, p->comm);
		fputs(",\"exe\":", out);
		json_str(out, p->exe);
		if (p->pid < 0) {
			fputs(",\"reason\":", out);
			json_str(out, p->reason[0] ? p->reason : "no process in the capture");
		}
		return;
	}
	if (p->pid >= 0)
		fprintf(out, "PID %lld comm=%s", p->pid, p->comm[0] ? p->comm : "?");
	else
		fputs("PID unknown", out);
	if (p->uid >= 0)
		fprintf(out, " uid=%lld", p->uid);
	if (p->exe[0])
		fprintf(out, " exe=%s", p->exe);
	if (p->pid < 0 && p->reason[0])
		fprintf(out, " (%s)", p->reason);
}

static void print_ep(FILE *out, const struct addr_ip *ip, bool has_port,
		     uint16_t port)
{
	char s[ADDR_STR_MAX];

	if (has_port)
		fputs(addr_endpoint_str(ip, port, s, sizeof(s)), out);
	else
		fputs(addr_ip_str(ip, s, sizeof(s)), out);
}

static void print_flow(FILE *out, const struct rp_flow *f, bool with_src, bool json)
{
	char s[ADDR_STR_MAX];

	if (json) {
		fprintf(out, "\"proto\":\"%s\"", pkt_proto_name(f->proto));
		if (with_src) {
			fprintf(out, ",\"src\":\"%s\"", addr_ip_str(&f->src, s, sizeof(s)));
			if (f->has_ports)
				fprintf(out, ",\"sport\":%u", f->sport);
		}
		fprintf(out, ",\"dst\":\"%s\"", addr_ip_str(&f->dst, s, sizeof(s)));
		if (f->has_ports)
			fprintf(out, ",\"dport\":%u", f->dport);
		return;
	}
	fprintf(out, "%s ", pkt_proto_name(f->proto));
	if (with_src) {
		print_ep(out, &f->src, f->has_ports, f->sport);
		fputs(" -> ", out);
	}
	print_ep(out, &f->dst, f->has_ports, f->dport);
}

static void print_head(const struct report *rp, enum cli_by by, bool json,
		       const struct rp_row *r, FILE *out)
{
	if (by == CLI_BY_PROCESS)
		print_proc(out, &rp->procs[r->proc], json);
	else
		print_flow(out, &r->f, by == CLI_BY_FLOW, json);
}

static void print_sub(const struct report *rp, enum cli_by by, bool json,
		      const struct rp_row *r, FILE *out)
{
	if (by == CLI_BY_PROCESS)
		print_flow(out, &r->f, false, json);
	else
		print_proc(out, &rp->procs[r->proc], json);
}

void report_print(const struct report *rp, enum cli_by by, bool json, FILE *out)
{
	static const char *const sub_names[] = {
		[CLI_BY_PROCESS] = "destinations",
		[CLI_BY_DESTINATION] = "processes",
		[CLI_BY_FLOW] = "processes",
	};
	bool *done = calloc(rp->n_rows + 1, 2 * sizeof(bool));
	bool *sdone = done ? done + rp->n_rows + 1 : NULL;
	unsigned int i, j, k;

	if (!done)
		return;
	for (i = 0; i < rp->n_rows; i++) {
		struct rp_sum total = { 0 };
		bool first = true;

		if (done[i])
			continue;
		for (j = i; j < rp->n_rows; j++)
			if (!done[j] && group_eq(by, &rp->rows[i], &rp->rows[j]))
				sum_add(&total, &rp->rows[j]);
		if (json) {
			fprintf(out, "{\"type\":\"%s\",", cli_by_name(by));
			print_head(rp, by, true, &rp->rows[i], out);
			fputc(',', out);
			print_sum(out, &total, true);
			fprintf(out, ",\"%s\":[", sub_names[by]);
		} else {
			print_head(rp, by, false, &rp->rows[i], out);
			fputs(": ", out);
			print_sum(out, &total, false);
			fputc('\n', out);
		}
		memset(sdone, 0, rp->n_rows * sizeof(bool));
		for (j = i; j < rp->n_rows; j++) {
			struct rp_sum s = { 0 };

			if (done[j] || sdone[j] || !group_eq(by, &rp->rows[i], &rp->rows[j]))
				continue;
			for (k = j; k < rp->n_rows; k++) {
				if (done[k] || sdone[k] ||
				    !group_eq(by, &rp->rows[i], &rp->rows[k]) ||
				    !sub_eq(by, &rp->rows[j], &rp->rows[k]))
					continue;
				sum_add(&s, &rp->rows[k]);
				sdone[k] = true;
			}
			if (json) {
				fputs(first ? "{" : ",{", out);
				print_sub(rp, by, true, &rp->rows[j], out);
				fputc(',', out);
				print_sum(out, &s, true);
				fputc('}', out);
			} else {
				fputs("    ", out);
				print_sub(rp, by, false, &rp->rows[j], out);
				fputs(": ", out);
				print_sum(out, &s, false);
				fputc('\n', out);
			}
			first = false;
		}
		for (j = i; j < rp->n_rows; j++)
			if (sdone[j])
				done[j] = true;
		if (json)
			fputs("]}\n", out);
	}
	free(done);
}

static int add_cb(const struct pcapng_record *r, void *arg)
{
	return report_add(arg, r) < 0;
}

int report_file(const char *path, enum cli_by by, bool json,
		const struct report_filter *flt, FILE *out,
		char *err, size_t errlen)
{
	struct report *rp = report_new();
	long n;

	if (!rp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	report_set_filter(rp, flt);
	n = pcapng_read_file(path, add_cb, rp, err, errlen);
	if (n < 0 && rp->packets == 0 && rp->filtered == 0) {
		report_free(rp);
		return -1;
	}
	report_print(rp, by, json, out);
	if (json) {
		fprintf(out, "{\"type\":\"total\",\"packets\":%llu,\"unparsed\":%llu,",
			rp->packets, rp->unparsed);
		if (filter_active(flt))
			fprintf(out, "\"filtered_out\":%llu,", rp->filtered);
		fputs("\"error\":", out);
		if (n < 0)
			json_str(out, err);
		else
			fputs("null", out);
		fputs("}\n", out);
	} else {
		fprintf(out, "%llu packets%s", rp->packets, n < 0 ? " before the damage" : "");
		if (rp->unparsed)
			fprintf(out, ", %llu not IPv4/IPv6", rp->unparsed);
		if (filter_active(flt))
			fprintf(out, ", %llu left out by the filter", rp->filtered);
		fputc('\n', out);
	}
	report_free(rp);
	return n < 0 ? -1 : 0;
}
