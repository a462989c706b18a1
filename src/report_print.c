/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report_print: the -r summary as a text table or JSON lines, grouped by
 * process, destination or flow, and the totals line (report_file).
 */
#include "report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "packet.h"
#include "report_int.h"
#include "strbuf.h"

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
	if (by == CLI_BY_NAME)
		return report_name_eq(&a->name, &b->name);
	if (by == CLI_BY_PROCESS)
		return a->proc == b->proc;
	if (by == CLI_BY_DESTINATION)
		return report_dest_eq(&a->f, &b->f);
	return report_flow_eq(&a->f, &b->f);
}

static bool sub_eq(enum cli_by by, const struct rp_row *a, const struct rp_row *b)
{
	return by == CLI_BY_PROCESS ? report_dest_eq(&a->f, &b->f) :
				      a->proc == b->proc;
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

/* A name from the capture, escaped: its bytes were the process's choice. */
static void text_str(FILE *out, const char *key, const char *s)
{
	char buf[CGROUPINFO_PATH_MAX * 4 + 8];
	struct strbuf b;

	if (!s[0])
		return;
	sb_init(&b, buf, sizeof(buf));
	sb_escaped(&b, s, strlen(s), "\\\" =");
	if (sb_finish(&b) >= 0)
		fprintf(out, " %s=%s", key, buf);
}

/* Issue 16's fields: user, unit, container (and, in JSON, chain and cgroup). */
static void print_procinfo(FILE *out, const struct comment_procinfo *pi, bool json)
{
	unsigned int i;

	if (!json) {
		text_str(out, "user", pi->user);
		text_str(out, "unit", pi->unit);
		text_str(out, "user_unit", pi->user_unit);
		if (pi->container[0]) {
			char c[sizeof(pi->runtime) + CGROUPINFO_SHORT_ID + 2];

			/* as `docker ps` shows an id; a name is short anyway */
			snprintf(c, sizeof(c), "%s:%.*s", pi->runtime,
				 CGROUPINFO_SHORT_ID, pi->container);
			text_str(out, "container", c);
		}
		if (pi->exited)
			fputs(" exited=yes", out);
		return;
	}
	if (pi->user[0]) {
		fputs(",\"user\":", out);
		json_str(out, pi->user);
	}
	if (pi->group[0]) {
		fputs(",\"group\":", out);
		json_str(out, pi->group);
	}
	if (pi->unit[0]) {
		fputs(",\"unit\":", out);
		json_str(out, pi->unit);
	}
	if (pi->user_unit[0]) {
		fputs(",\"user_unit\":", out);
		json_str(out, pi->user_unit);
	}
	if (pi->container[0]) {
		fputs(",\"container\":{\"runtime\":", out);
		json_str(out, pi->runtime);
		fputs(",\"id\":", out);
		json_str(out, pi->container);
		fputc('}', out);
	}
	if (pi->n_chain > 0) {
		fputs(",\"chain\":[", out);
		for (i = 0; i < pi->n_chain; i++) {
			fprintf(out, "%s{\"pid\":%lld,\"comm\":", i ? "," : "",
				pi->chain[i].pid);
			json_str(out, pi->chain[i].comm);
			fputc('}', out);
		}
		fputc(']', out);
	}
	if (pi->cgroup[0]) {
		fputs(",\"cgroup\":", out);
		json_str(out, pi->cgroup);
	}
	if (pi->exited)
		fputs(",\"exited\":true", out);
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
			json_str(out, p->reason[0] ? p->reason :
				      "no process in the capture");
		}
		print_procinfo(out, &p->info, json);
		return;
	}
	if (p->pid >= 0)
		fprintf(out, "PID %lld comm=%s", p->pid,
			p->comm[0] ? p->comm : "?");
	else
		fputs("PID unknown", out);
	if (p->uid >= 0)
		fprintf(out, " uid=%lld", p->uid);
	if (p->exe[0])
		fprintf(out, " exe=%s", p->exe);
	if (p->pid < 0 && p->reason[0])
		fprintf(out, " (%s)", p->reason);
	print_procinfo(out, &p->info, json);
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
			fprintf(out, ",\"src\":\"%s\"",
				addr_ip_str(&f->src, s, sizeof(s)));
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

/* --by name: the name as reports print it; "(none)" / null without one. */
static void print_name(FILE *out, const struct payload_name *n, bool json)
{
	char text[PAYLOAD_NAME_TEXT_MAX];
	struct strbuf b;

	if (n->len == 0) {
		fputs(json ? "\"name\":null" : "name (none)", out);
		return;
	}
	sb_init(&b, text, sizeof(text));
	payload_name_escape(&b, n);
	if (sb_finish(&b) < 0)
		text[0] = '\0';
	if (json) {
		fputs("\"name\":", out);
		json_str(out, text);
	} else {
		fprintf(out, "name %s", text);
	}
}

static void print_head(const struct report *rp, enum cli_by by, bool json,
		       const struct rp_row *r, FILE *out)
{
	if (by == CLI_BY_NAME)
		print_name(out, &r->name, json);
	else if (by == CLI_BY_PROCESS)
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
		[CLI_BY_NAME] = "processes",
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

			if (done[j] || sdone[j] ||
			    !group_eq(by, &rp->rows[i], &rp->rows[j]))
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

long report_read(struct report *rp, const char *path, char *err, size_t errlen)
{
	return pcapng_read_file(path, add_cb, rp, err, errlen);
}

void report_print_total(const struct report *rp, bool json,
			unsigned int n_files, unsigned int n_bad,
			const char *error, FILE *out)
{
	bool filtered = report_filter_active(rp->flt);

	if (json) {
		fprintf(out, "{\"type\":\"total\",\"packets\":%llu,\"unparsed\":%llu,",
			rp->packets, rp->unparsed);
		if (filtered)
			fprintf(out, "\"filtered_out\":%llu,", rp->filtered);
		if (n_files > 1)
			fprintf(out, "\"files\":%u,\"damaged_files\":%u,",
				n_files, n_bad);
		fputs("\"error\":", out);
		if (error)
			json_str(out, error);
		else
			fputs("null", out);
		fputs("}\n", out);
		return;
	}
	fprintf(out, "%llu packets%s", rp->packets,
		error && n_files <= 1 ? " before the damage" : "");
	if (rp->unparsed)
		fprintf(out, ", %llu not IPv4/IPv6", rp->unparsed);
	if (filtered)
		fprintf(out, ", %llu left out by the filter", rp->filtered);
	if (n_files > 1)
		fprintf(out, ", %u files", n_files);
	if (n_bad && n_files > 1)
		fprintf(out, " (%u damaged or unreadable)", n_bad);
	fputc('\n', out);
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
	n = report_read(rp, path, err, errlen);
	if (n < 0 && rp->packets == 0 && rp->filtered == 0) {
		report_free(rp);
		return -1;
	}
	report_print(rp, by, json, out);
	report_print_total(rp, json, 1, n < 0, n < 0 ? err : NULL, out);
	report_free(rp);
	return n < 0 ? -1 : 0;
}
