/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report_json: the -r summary as JSON lines, one object per group with
 * its sub-groups in an array, and the totals object (ptrap(8), OUTPUT).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "packet.h"
#include "report_int.h"

static void json_ts(FILE *out, uint64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;
	char buf[64];

	gmtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(out, "\"%s.%09lluZ\"", buf, (unsigned long long)(ns % 1000000000u));
}

void report_json_str(FILE *out, const char *s)
{
	char buf[4096];

	if (out_json_string(buf, sizeof(buf), s, strlen(s)) < 0)
		fputs("\"\"", out);
	else
		fputs(buf, out);
}

/* ,"key":"s" when s is not empty. */
static void opt_str(FILE *out, const char *key, const char *s)
{
	if (!s[0])
		return;
	fprintf(out, ",\"%s\":", key);
	report_json_str(out, s);
}

static void json_sum(FILE *out, const struct rp_sum *s)
{
	fprintf(out, "\"packets\":%llu,\"bytes\":%llu,\"first\":", s->packets,
		s->bytes);
	json_ts(out, s->first);
	fputs(",\"last\":", out);
	json_ts(out, s->last);
}

static void json_procinfo(FILE *out, const struct comment_procinfo *pi)
{
	unsigned int i;

	opt_str(out, "user", pi->user);
	opt_str(out, "group", pi->group);
	opt_str(out, "unit", pi->unit);
	opt_str(out, "user_unit", pi->user_unit);
	if (pi->container[0]) {
		fputs(",\"container\":{\"runtime\":", out);
		report_json_str(out, pi->runtime);
		fputs(",\"id\":", out);
		report_json_str(out, pi->container);
		fputc('}', out);
	}
	if (pi->n_chain > 0) {
		fputs(",\"chain\":[", out);
		for (i = 0; i < pi->n_chain; i++) {
			fprintf(out, "%s{\"pid\":%lld,\"comm\":", i ? "," : "",
				pi->chain[i].pid);
			report_json_str(out, pi->chain[i].comm);
			fputc('}', out);
		}
		fputc(']', out);
	}
	opt_str(out, "cgroup", pi->cgroup);
	if (pi->exited)
		fputs(",\"exited\":true", out);
}

static void json_proc(FILE *out, const struct report_proc *p)
{
	fputs("\"pid\":", out);
	if (p->pid >= 0)
		fprintf(out, "%lld", p->pid);
	else
		fputs("null", out);
	if (p->ppid >= 0)
		fprintf(out, ",\"ppid\":%lld", p->ppid);
	if (p->uid >= 0)
		fprintf(out, ",\"uid\":%lld", p->uid);
	if (p->start >= 0)
		fprintf(out, ",\"start\":%lld", p->start);
	fputs(",\"comm\":", out);
	report_json_str(out, p->comm);
	fputs(",\"exe\":", out);
	report_json_str(out, p->exe);
	if (p->pid < 0) {
		fputs(",\"reason\":", out);
		report_json_str(out, p->reason[0] ? p->reason :
				"no process in the capture");
	}
	json_procinfo(out, &p->info);
}

static void json_flow(FILE *out, const struct rp_flow *f, bool with_src)
{
	char s[ADDR_STR_MAX];

	fprintf(out, "\"proto\":\"%s\"", pkt_proto_name(f->proto));
	if (with_src) {
		fprintf(out, ",\"src\":\"%s\"", addr_ip_str(&f->src, s, sizeof(s)));
		if (f->has_ports)
			fprintf(out, ",\"sport\":%u", f->sport);
	}
	fprintf(out, ",\"dst\":\"%s\"", addr_ip_str(&f->dst, s, sizeof(s)));
	if (f->has_ports)
		fprintf(out, ",\"dport\":%u", f->dport);
}

/* A group's own fields: what it is grouped by. */
static void json_key(const struct report *rp, enum cli_by by,
		     const struct rp_group *g, FILE *out)
{
	const struct rp_row *r = &rp->rows[g->row];
	const struct report_proc *p = &rp->procs[r->proc];

	switch (by) {
	case CLI_BY_PROCESS:
		json_proc(out, p);
		return;
	case CLI_BY_DESTINATION:
	case CLI_BY_FLOW:
		json_flow(out, &r->f, by == CLI_BY_FLOW);
		return;
	case CLI_BY_COMM:
		fputs("\"comm\":", out);
		report_json_str(out, p->comm);
		break;
	case CLI_BY_EXE:
		fputs("\"exe\":", out);
		report_json_str(out, p->exe);
		break;
	case CLI_BY_USER:
		fputs("\"user\":", out);
		if (p->info.user[0])
			report_json_str(out, p->info.user);
		else
			fputs("null", out);
		if (p->uid >= 0)
			fprintf(out, ",\"uid\":%lld", p->uid);
		break;
	case CLI_BY_UNIT:
		fputs("\"unit\":", out);
		if (p->info.unit[0] || p->info.user_unit[0])
			report_json_str(out, p->info.unit[0] ? p->info.unit :
					p->info.user_unit);
		else
			fputs("null", out);
		if (!p->info.unit[0] && p->info.user_unit[0])
			fputs(",\"user_unit\":true", out);
		break;
	case CLI_BY_NAME:
	case CLI_BY_N:
		fputs("\"name\":", out);
		if (r->name >= 0)
			report_json_str(out, rp->nametab[r->name].text);
		else
			fputs("null", out);
		return;
	}
	fprintf(out, ",\"processes\":%u", g->n_procs);
}

void report_json_groups(const struct report *rp, const struct rp_grouping *g,
			const struct report_opts *o, FILE *out)
{
	bool by_proc = report_by_process_kind(o->by);
	unsigned int i, j, n = g->n_groups;

	if (o->top && o->top < n)
		n = o->top;
	for (i = 0; i < n; i++) {
		const struct rp_group *grp = &g->groups[i];

		fprintf(out, "{\"type\":\"%s\",", cli_by_name(o->by));
		json_key(rp, o->by, grp, out);
		fputc(',', out);
		json_sum(out, &grp->sum);
		fprintf(out, ",\"%s\":[", by_proc ? "destinations" : "processes");
		for (j = 0; j < grp->n_subs; j++) {
			const struct rp_group *sg = &g->subs[grp->sub + j];
			const struct rp_row *r = &rp->rows[sg->row];

			fputs(j ? ",{" : "{", out);
			if (by_proc)
				json_flow(out, &r->f, false);
			else
				json_proc(out, &rp->procs[r->proc]);
			fputc(',', out);
			json_sum(out, &sg->sum);
			fputc('}', out);
		}
		fputs("]}\n", out);
	}
}

void report_json_total(const struct report *rp, unsigned int n_files,
		       unsigned int n_bad, const char *error, FILE *out)
{
	fprintf(out, "{\"type\":\"total\",\"packets\":%llu,\"unparsed\":%llu,",
		rp->packets, rp->unparsed);
	if (report_filter_active(rp->flt))
		fprintf(out, "\"filtered_out\":%llu,", rp->filtered);
	if (n_files > 1)
		fprintf(out, "\"files\":%u,\"damaged_files\":%u,", n_files, n_bad);
	fputs("\"error\":", out);
	if (error)
		report_json_str(out, error);
	else
		fputs("null", out);
	fputs("}\n", out);
}
