/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report_print: the -r summary as a text table an auditor can read: a
 * header saying what the capture covers (its date printed once), aligned
 * columns, groups in --sort order with their sub-groups indented under
 * them, and the totals line; JSON lines are report_json.c's.
 */
#include "report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "packet.h"
#include "report_int.h"
#include "strbuf.h"

#define TEXT_KEY_MAX	8192	/* a process with every field escaped */
#define TEXT_TIME_MAX	64

static const char *const key_titles[] = {
	[CLI_BY_PROCESS] = "PROCESS",
	[CLI_BY_DESTINATION] = "DESTINATION",
	[CLI_BY_FLOW] = "FLOW",
	[CLI_BY_COMM] = "COMM",
	[CLI_BY_EXE] = "EXE",
	[CLI_BY_USER] = "USER",
	[CLI_BY_UNIT] = "UNIT",
	[CLI_BY_NAME] = "NAME",
};
_Static_assert(sizeof(key_titles) / sizeof(key_titles[0]) == CLI_BY_N,
	       "a --by key without a column title");

static const char *const sort_texts[] = {
	[CLI_SORT_PACKETS] = "most packets first",
	[CLI_SORT_BYTES] = "most bytes first",
	[CLI_SORT_FIRST] = "earliest first packet first",
	[CLI_SORT_LAST] = "latest last packet first",
};
_Static_assert(sizeof(sort_texts) / sizeof(sort_texts[0]) == CLI_SORT_N,
	       "a --sort key without a text");

static const char *plural(unsigned long long n, const char *one,
			  const char *many)
{
	return n == 1 ? one : many;
}

static struct tm local_tm(uint64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;

	if (!localtime_r(&sec, &tm))
		memset(&tm, 0, sizeof(tm));
	return tm;
}

/* "20:43:17.201", or with the date ("12-06 20:43:17.201") */
static void text_time(char *buf, size_t len, uint64_t ns, bool date)
{
	struct tm tm = local_tm(ns);
	char s[48];

	strftime(s, sizeof(s), date ? "%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03llu", s,
		 (unsigned long long)(ns % 1000000000u / 1000000u));
}

/* first..last, or one time when they are the same millisecond */
static void text_span(char *buf, size_t len, const struct rp_sum *s, bool date)
{
	char a[TEXT_TIME_MAX], b[TEXT_TIME_MAX];

	text_time(a, sizeof(a), s->first, date);
	text_time(b, sizeof(b), s->last, date);
	if (strcmp(a, b) == 0)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s..%s", a, b);
}

/* s escaped: its bytes were a process's or a packet's choice. */
static void esc(struct strbuf *b, const char *s)
{
	sb_escaped(b, s, strlen(s), NULL);
}

static void kv(struct strbuf *b, const char *key, const char *s)
{
	if (!s[0])
		return;
	sb_printf(b, " %s=", key);
	sb_escaped(b, s, strlen(s), "\\\" =");
}

static void proc_text(struct strbuf *b, const struct report_proc *p)
{
	const struct comment_procinfo *pi = &p->info;

	if (p->pid < 0) {
		sb_str(b, "unknown process");
		if (p->uid >= 0)
			sb_printf(b, " (uid %lld)", p->uid);
		sb_str(b, ": ");
		esc(b, p->reason[0] ? p->reason : "no process in the capture");
		return;
	}
	esc(b, p->comm[0] ? p->comm : "?");
	sb_printf(b, " (pid %lld", p->pid);
	if (p->uid >= 0)
		sb_printf(b, ", uid %lld", p->uid);
	sb_char(b, ')');
	if (p->exe[0]) {
		sb_char(b, ' ');
		esc(b, p->exe);
	}
	kv(b, "user", pi->user);
	kv(b, "unit", pi->unit);
	kv(b, "user_unit", pi->user_unit);
	if (pi->container[0]) {
		char c[sizeof(pi->runtime) + CGROUPINFO_SHORT_ID + 2];

		/* as `docker ps` shows an id; a name is short anyway */
		snprintf(c, sizeof(c), "%s:%.*s", pi->runtime,
			 CGROUPINFO_SHORT_ID, pi->container);
		kv(b, "container", c);
	}
	if (pi->exited)
		sb_str(b, " exited");
}

static void ep_text(struct strbuf *b, const struct addr_ip *ip, bool has_port,
		    uint16_t port)
{
	char s[ADDR_STR_MAX];

	sb_str(b, has_port ? addr_endpoint_str(ip, port, s, sizeof(s)) :
			     addr_ip_str(ip, s, sizeof(s)));
}

static void flow_text(struct strbuf *b, const struct rp_flow *f, bool with_src)
{
	sb_printf(b, "%s ", pkt_proto_name(f->proto));
	if (with_src) {
		ep_text(b, &f->src, f->has_ports, f->sport);
		sb_str(b, " -> ");
	}
	ep_text(b, &f->dst, f->has_ports, f->dport);
}

/* What a group stands for, as its KEY column says it. */
static void key_text(struct strbuf *b, const struct report *rp, enum cli_by by,
		     const struct rp_group *g)
{
	const struct rp_row *r = &rp->rows[g->row];
	const struct report_proc *p = &rp->procs[r->proc];

	switch (by) {
	case CLI_BY_PROCESS:
		proc_text(b, p);
		return;
	case CLI_BY_DESTINATION:
	case CLI_BY_FLOW:
		flow_text(b, &r->f, by == CLI_BY_FLOW);
		return;
	case CLI_BY_NAME:
	case CLI_BY_N:
		if (r->name >= 0)
			sb_str(b, rp->nametab[r->name].text);	/* escaped already */
		else
			sb_str(b, "(no name)");
		return;
	case CLI_BY_COMM:
		if (p->comm[0])
			esc(b, p->comm);
		else
			sb_str(b, "(unknown process)");
		break;
	case CLI_BY_EXE:
		if (p->exe[0])
			esc(b, p->exe);
		else
			sb_str(b, "(no executable)");
		break;
	case CLI_BY_USER:
		if (p->info.user[0])
			esc(b, p->info.user);
		else if (p->uid >= 0)
			sb_printf(b, "uid %lld", p->uid);
		else
			sb_str(b, "(unknown user)");
		break;
	case CLI_BY_UNIT:
		if (p->info.unit[0])
			esc(b, p->info.unit);
		else if (p->info.user_unit[0]) {
			esc(b, p->info.user_unit);
			sb_str(b, " (user unit)");
		} else
			sb_str(b, "(no unit)");
		break;
	}
	if (g->n_procs > 1)
		sb_printf(b, " (%u processes)", g->n_procs);
}

static void sub_text(struct strbuf *b, const struct report *rp, enum cli_by by,
		     const struct rp_group *sg)
{
	const struct rp_row *r = &rp->rows[sg->row];

	if (report_by_process_kind(by))
		flow_text(b, &r->f, false);
	else
		proc_text(b, &rp->procs[r->proc]);
}

static int digits(unsigned long long v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

struct widths {
	int packets, bytes, time;
	bool date;		/* the capture spans more than one day */
};

static void widen(struct widths *w, const struct rp_sum *s)
{
	char t[2 * TEXT_TIME_MAX + 4];

	if (digits(s->packets) > w->packets)
		w->packets = digits(s->packets);
	if (digits(s->bytes) > w->bytes)
		w->bytes = digits(s->bytes);
	text_span(t, sizeof(t), s, w->date);
	if ((int)strlen(t) > w->time)
		w->time = (int)strlen(t);
}

static void line(FILE *out, const struct widths *w, const struct rp_sum *s,
		 const char *indent, const char *key)
{
	char t[2 * TEXT_TIME_MAX + 4];

	text_span(t, sizeof(t), s, w->date);
	fprintf(out, "%*llu  %*llu  %-*s  %s%s\n", w->packets, s->packets,
		w->bytes, s->bytes, w->time, t, indent, key);
}

/* "Capture of 2026-12-06, 20:43:17.200 to 20:43:17.593 UTC; ..." */
static void header(FILE *out, const struct rp_sum *all, bool date,
		   const struct report_opts *o, unsigned int n_groups)
{
	struct tm a = local_tm(all->first);
	char day[32], from[TEXT_TIME_MAX], to[TEXT_TIME_MAX], zone[16];

	strftime(day, sizeof(day), "%Y-%m-%d", &a);
	strftime(zone, sizeof(zone), "%Z", &a);
	text_time(from, sizeof(from), all->first, false);
	if (date) {
		struct tm b = local_tm(all->last);
		char day2[32];

		strftime(day2, sizeof(day2), "%Y-%m-%d", &b);
		text_time(to, sizeof(to), all->last, false);
		fprintf(out, "Capture from %s %s to %s %s %s", day, from,
			day2, to, zone);
	} else {
		text_time(to, sizeof(to), all->last, false);
		fprintf(out, "Capture of %s, %s to %s %s", day, from, to, zone);
	}
	fprintf(out, "; by %s, %s", cli_by_name(o->by), sort_texts[o->sort]);
	if (o->top && o->top < n_groups)
		fprintf(out, "; the first %u of %u", o->top, n_groups);
	fputs("\n", out);
}

static void text_groups(const struct report *rp, const struct rp_grouping *g,
			const struct report_opts *o, FILE *out)
{
	struct widths w = { .packets = 7, .bytes = 5, .time = 11 };
	struct rp_sum all = { 0 };
	unsigned int i, j, n = g->n_groups;
	char key[TEXT_KEY_MAX];
	struct tm a, b;
	struct strbuf sb;

	if (n == 0)
		return;
	if (o->top && o->top < n)
		n = o->top;
	for (i = 0; i < g->n_groups; i++) {
		const struct rp_sum *s = &g->groups[i].sum;

		if (i == 0 || s->first < all.first)
			all.first = s->first;
		if (i == 0 || s->last > all.last)
			all.last = s->last;
	}
	a = local_tm(all.first);
	b = local_tm(all.last);
	w.date = a.tm_year != b.tm_year || a.tm_yday != b.tm_yday;
	for (i = 0; i < n; i++) {
		widen(&w, &g->groups[i].sum);
		for (j = 0; j < g->groups[i].n_subs; j++)
			widen(&w, &g->subs[g->groups[i].sub + j].sum);
	}
	header(out, &all, w.date, o, g->n_groups);
	fprintf(out, "%*s  %*s  %-*s  %s\n", w.packets, "PACKETS", w.bytes,
		"BYTES", w.time, w.date ? "FIRST..LAST" : "TIME",
		key_titles[o->by]);
	for (i = 0; i < n; i++) {
		const struct rp_group *grp = &g->groups[i];

		sb_init(&sb, key, sizeof(key));
		key_text(&sb, rp, o->by, grp);
		if (sb_finish(&sb) < 0)
			snprintf(key, sizeof(key), "(too long)");
		line(out, &w, &grp->sum, "", key);
		for (j = 0; j < grp->n_subs; j++) {
			sb_init(&sb, key, sizeof(key));
			sub_text(&sb, rp, o->by, &g->subs[grp->sub + j]);
			if (sb_finish(&sb) < 0)
				snprintf(key, sizeof(key), "(too long)");
			line(out, &w, &g->subs[grp->sub + j].sum, "  ", key);
		}
	}
}

int report_print(const struct report *rp, const struct report_opts *o,
		 FILE *out)
{
	struct rp_grouping g;

	if (report_group(rp, o->by, o->sort, &g) < 0)
		return -1;
	if (o->json)
		report_json_groups(rp, &g, o, out);
	else
		text_groups(rp, &g, o, out);
	report_grouping_free(&g);
	return 0;
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
		report_json_total(rp, n_files, n_bad, error, out);
		return;
	}
	fprintf(out, "%llu %s%s", rp->packets,
		plural(rp->packets, "packet", "packets"),
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

int report_file(const char *path, const struct report_opts *o,
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
	if (report_print(rp, o, out) < 0) {
		snprintf(err, errlen, "out of memory");
		report_free(rp);
		return -1;
	}
	report_print_total(rp, o->json, 1, n < 0, n < 0 ? err : NULL, out);
	report_free(rp);
	return n < 0 ? -1 : 0;
}
