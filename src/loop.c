/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loop: the event loop.  One epoll set: the queue socket, a signalfd, a
 * timerfd for hold and hook deadlines, and the hooks' output pipes.
 *
 * A packet is held only while its hook runs; otherwise it gets its verdict
 * right after it was attributed and reported, in the same batch.
 */
#include "loop_int.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "comment.h"
#include "hook.h"
#include "output.h"
#include "packet.h"
#include "payload.h"
#include "policy.h"
#include "syslog_out.h"
#include "warnlimit.h"

#define LOOP_BATCH	256		/* queue messages read per wake-up */
#define LOOP_BUSY	4		/* a read this large means traffic is heavy */
#define LOOP_OBUF	(512 * 1024)	/* a hook's output, JSON-escaped */

enum loop_src { SRC_QUEUE = 1, SRC_SIGNAL, SRC_TIMER, SRC_HOOK };

static int ep_add(int ep, int fd, enum loop_src src, unsigned int idx)
{
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u64 = ((uint64_t)src << 32) | idx,
	};

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* A name as reports print it, into buf (PAYLOAD_NAME_TEXT_MAX bytes). */
static const char *name_text(const struct payload_name *name, char *buf)
{
	struct strbuf b;

	sb_init(&b, buf, PAYLOAD_NAME_TEXT_MAX);
	payload_name_escape(&b, name);
	sb_finish(&b);
	return buf;
}

/* PTRAP_QNAME and PTRAP_QTYPE (the first question), PTRAP_SNI, PTRAP_HOST. */
struct hook_names {
	char qname[PAYLOAD_NAME_TEXT_MAX], sni[PAYLOAD_NAME_TEXT_MAX];
	char host[PAYLOAD_NAME_TEXT_MAX], qtype[PAYLOAD_NUM_NAME_MAX];
};

static void hook_names_set(struct hook_info *info, struct hook_names *hn,
			   const struct payload *pl)
{
	if (pl->kind == PAYLOAD_DNS && pl->dns.n_questions > 0) {
		info->qname = name_text(&pl->dns.q[0].qname, hn->qname);
		info->qtype = payload_type_name(pl->dns.q[0].qtype, hn->qtype);
	} else if (pl->kind == PAYLOAD_TLS && pl->tls.has_sni) {
		info->sni = name_text(&pl->tls.sni, hn->sni);
	} else if (pl->kind == PAYLOAD_HTTP && pl->http.has_host) {
		info->host = name_text(&pl->http.host, hn->host);
	}
}

static void start_hook(struct loop *l, const struct queue_packet *p,
		       const struct pkt_info *pkt, const struct resolver_result *who,
		       const struct payload *pl, const struct out_link *link)
{
	char src[ADDR_STR_MAX], dst[ADDR_STR_MAX];
	struct hook_names hn;
	struct hook_info info = {
		.pid = who->procs[0].pid,
		.uid = who->has_uid ? (long long)who->uid : -1,
		.comm = who->procs[0].comm,
		.proto = pkt_proto_name(pkt->proto),
		.src = addr_ip_str(&pkt->src, src, sizeof(src)),
		.dst = addr_ip_str(&pkt->dst, dst, sizeof(dst)),
		.sport = pkt->has_ports ? pkt->sport : -1,
		.dport = pkt->has_ports ? pkt->dport : -1,
	};
	uint64_t now = monotime_ns();
	int slot, out_fd;

	hook_names_set(&info, &hn, pl);
	info.asked_by = link->app_pid;
	slot = hook_start(l->hooks, &info, l->seq, now, &out_fd);
	if (slot < 0) {
		l->st->count.hooks_skipped++;
		if (errno == EAGAIN)
			loop_warn(l, "hook not run for PID %ld: %u hooks already "
				  "running (--max-hooks); packet accepted",
				  (long)info.pid, hook_running(l->hooks));
		else
			loop_warn(l, "hook not run for PID %ld: %s",
				  (long)info.pid, strerror(errno));
		queue_accept(l->q, p->id);
		return;
	}
	l->st->count.hooks_run++;
	if (ep_add(l->ep, out_fd, SRC_HOOK, (unsigned int)slot) < 0)
		loop_warn_limited(l, WARN_HOOK_WATCH,
				  "cannot watch hook output: %s",
				  strerror(errno));
	if (l->cfg->hold_ms == 0) {
		queue_accept(l->q, p->id);
		return;
	}
	hook_hold(l->hooks, slot, p->id,
		  now + (uint64_t)l->cfg->hold_ms * 1000000ull);
}

/*
 * --name, --comm, -n, --count: a packet that is not reported is only
 * accepted.  Names first: a packet --name leaves out must not use up its
 * flow's rate.
 */
static bool report_wanted(struct loop *l, const struct pkt_info *pkt,
			  const struct resolver_result *who,
			  const struct payload *pl)
{
	/* --dns: the DNS messages among the TCP segments */
	if ((l->names && !namematch_payload(l->names, pl)) ||
	    (l->cfg->dns && pl->kind != PAYLOAD_DNS)) {
		l->st->count.name_filtered++;
		return false;
	}
	switch (policy_check_named(l->pol, pkt, who, monotime_ns(),
				   pl->kind != PAYLOAD_NONE)) {
	case POLICY_REPORT:
		return true;
	case POLICY_RATE_LIMITED:
		l->st->count.rate_limited++;
		break;
	case POLICY_COMM_FILTERED:
		l->st->count.comm_filtered++;
		break;
	case POLICY_SEGMENT:
		l->st->count.segments++;
		break;
	case POLICY_DONE:
		break;
	}
	return false;
}

/* One packet of a read, parsed (parsed false: not IP, or no payload). */
static void handle_packet(struct loop *l, const struct queue_packet *p,
			  const struct pkt_info *pkt, bool parsed)
{
	struct resolver_result who;
	struct out_event ev;
	struct payload pl;
	struct out_link link;
	char flow[160];
	int len;

	l->st->count.trapped++;
	if (!parsed) {
		l->st->count.unparsed++;
		if (l->cfg->verbosity > 0)
			loop_warn_limited(l, WARN_UNPARSED,
					  "packet %u is not IPv4/IPv6 (%s); "
					  "accepted", p->id,
					  p->data ? pkt->problem : "no payload");
		if (l->pw) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			loop_write_packet(l, p, &ts, NULL, NULL);
		}
		queue_accept(l->q, p->id);
		return;
	}
	resolver_lookup_queued(l->r, pkt, p, &who);
	/* once per packet, bounded by the copy the queue gave (bench: < 1 us) */
	payload_decode(pkt, p->data, p->len, &pl);

	ev.seq = ++l->seq;
	clock_gettime(CLOCK_REALTIME, &ev.ts);
	loop_write_packet(l, p, &ev.ts, &who, &pl);
	loop_dns_packet(l, pkt, &who, &pl, &link);
	if (!report_wanted(l, pkt, &who, &pl)) {
		queue_accept(l->q, p->id);
		return;
	}
	ev.pkt = pkt;
	ev.who = &who;
	ev.pl = &pl;
	ev.link = &link;
	if (l->cfg->json)
		len = out_format_event_json(&ev, l->obuf, LOOP_OBUF);
	else if (l->cfg->dns && pl.kind == PAYLOAD_DNS)
		len = out_format_dns_text(&ev, l->obuf, LOOP_OBUF);
	else
		len = out_format_event_text(&ev, l->obuf, LOOP_OBUF);
	loop_emit(l, l->obuf, len);

	if (who.n_procs == 0) {
		if (who.has_uid)
			l->st->count.by_uid_only++;
		else
			l->st->count.unattributed++;
		loop_flow_str(pkt, flow, sizeof(flow));
		if (who.has_uid)
			loop_warn_limited(l, WARN_NO_PROCESS,
					  "no process for %s (uid %lu): %s",
					  flow, (unsigned long)who.uid,
					  who.problem ? who.problem : "unknown");
		else
			loop_warn_limited(l, WARN_NO_PROCESS,
					  "no process for %s: %s", flow,
					  who.problem ? who.problem : "unknown");
		queue_accept(l->q, p->id);
		return;
	}
	l->st->count.by_pid++;
	if (who.exited)
		l->st->count.exited++;
	/* a hook given the pid of a process that is gone could act on its
	 * successor */
	if (!l->cfg->hook_cmd || who.exited) {
		queue_accept(l->q, p->id);
		return;
	}
	start_hook(l, p, pkt, &who, &pl, &link);
}

/*
 * The packets of one queue read: parsed first, so that the sockets of all
 * new flows among them are looked up in one sock_diag exchange, then
 * handled in order.
 */
static void on_read(void *arg)
{
	const struct pkt_info *pkts[QUEUE_RX_MAX];
	long long uids[QUEUE_RX_MAX];
	struct loop *l = arg;
	unsigned int i, n = 0;

	for (i = 0; i < l->n_rx; i++) {
		struct loop_rx *rx = &l->rx[i];

		rx->parsed = rx->p.data &&
			     pkt_parse(rx->p.data, rx->p.len, &rx->pkt) == 0;
		if (rx->parsed) {
			pkts[n] = &rx->pkt;
			uids[n++] = rx->p.uid;
		}
	}
	resolver_prefetch(l->r, pkts, uids, n);
	for (i = 0; i < l->n_rx; i++)
		handle_packet(l, &l->rx[i].p, &l->rx[i].pkt, l->rx[i].parsed);
	l->n_rx = 0;
}

static void on_packet(const struct queue_packet *p, void *arg)
{
	struct loop *l = arg;

	/* a read brings at most QUEUE_RX_MAX messages: never full here */
	if (l->n_rx == QUEUE_RX_MAX)
		on_read(l);
	l->rx[l->n_rx++].p = *p;
}

/* A packet held for a hook gets its verdict. */
static void accept_held(uint32_t packet_id, void *arg)
{
	struct loop *l = arg;

	queue_accept(l->q, packet_id);
}

static void report_hook(const struct hook_result *r, void *arg)
{
	struct loop *l = arg;
	struct out_hook_result h = {
		.seq = r->seq,
		.target_pid = r->target,
		.exit_status = r->exit_status,
		.term_signal = r->term_signal,
		.timed_out = r->timed_out,
		.output = r->out,
		.output_len = r->out_len,
		.output_truncated = r->truncated,
	};
	int len;

	clock_gettime(CLOCK_REALTIME, &h.ts);
	len = l->cfg->json ? out_format_hook_json(&h, l->obuf, LOOP_OBUF)
			   : out_format_hook_text(&h, l->obuf, LOOP_OBUF);
	loop_emit(l, l->obuf, len);
}

/* Hooks that exited (SIGCHLD): report them, release their packets. */
static void finish_hooks(struct loop *l)
{
	if (!l->hooks || !l->reap)
		return;
	l->reap = false;
	hook_collect(l->hooks, report_hook, accept_held, l);
}

/* Release packets held too long, kill hooks past their timeout; arm the timer. */
static void check_deadlines(struct loop *l)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	struct hook_deadlines d;

	if (!l->hooks)
		return;
	hook_check_deadlines(l->hooks, monotime_ns(), accept_held, l, &d);
	l->st->count.holds_expired += d.holds_expired;
	l->st->count.hooks_timed_out += d.timed_out;
	if (d.next != UINT64_MAX) {
		its.it_value.tv_sec = d.next / 1000000000ull;
		its.it_value.tv_nsec = d.next % 1000000000ull;
	}
	timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void on_signals(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGINT:
		case SIGTERM:
			l->stop = true;
			break;
		case SIGCHLD:
			l->reap = true;
			break;
		case SIGUSR1:
			loop_print_stats(l->cfg, stderr, l->out, l->st, l->q);
			break;
		case SIGHUP:
			if (l->pw && pcapng_writer_reopen(l->pw) < 0)
				loop_warn(l, "cannot reopen the capture file: %s",
					  strerror(errno));
			break;
		default:
			break;
		}
	}
}

/* The kernel refused verdicts (e.g. their packet's device went away). */
static void check_verdict_errors(struct loop *l)
{
	struct queue_stats qs;

	queue_get_stats(l->q, &qs);
	if (qs.errors == l->verdict_errors)
		return;
	loop_warn_limited(l, WARN_VERDICT,
			  "the kernel refused %llu verdicts (packet already gone)",
			  qs.errors - l->verdict_errors);
	l->verdict_errors = qs.errors;
}

static int dispatch(struct loop *l, const struct epoll_event *ev)
{
	enum loop_src src = ev->data.u64 >> 32;
	unsigned int idx = ev->data.u64 & 0xffffffffu;
	uint64_t ticks;

	switch (src) {
	case SRC_QUEUE:
		l->last_read = queue_receive(l->q, LOOP_BATCH, on_packet, on_read, l);
		if (l->last_read < 0)
			return -1;
		check_verdict_errors(l);
		break;
	case SRC_SIGNAL:
		on_signals(l);
		break;
	case SRC_TIMER:
		if (read(l->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
			return -1;
		break;
	case SRC_HOOK:
		if (l->hooks)
			hook_read_output(l->hooks, (int)idx);
		break;
	}
	return 0;
}

/*
 * --batch-wait: after a large read, and once its verdicts are sent, pause
 * before the next one.  Meanwhile the kernel queues the following packets
 * without waking us for each, and the next read takes them in one batch:
 * at high rates wake-ups, not attribution, are what costs (bench/README).
 * A packet that finds the loop idle in epoll_wait is never delayed.
 */
static void batch_wait(struct loop *l)
{
	struct timespec ts;
	int got = l->last_read;

	l->last_read = 0;
	if (l->cfg->batch_wait_us == 0 || got < LOOP_BUSY || l->stop)
		return;
	ts.tv_sec = l->cfg->batch_wait_us / 1000000;
	ts.tv_nsec = (long)(l->cfg->batch_wait_us % 1000000) * 1000;
	nanosleep(&ts, NULL);
}

/* --name: the patterns cli_parse() checked, compiled. */
static int loop_names_new(struct loop *l)
{
	const char *why;
	unsigned int i;

	if (l->cfg->n_names == 0)
		return 0;
	l->names = malloc(sizeof(*l->names));
	if (!l->names)
		return -1;
	namematch_init(l->names);
	for (i = 0; i < l->cfg->n_names; i++)
		if (namematch_add(l->names, l->cfg->names[i], &why) < 0)
			return -1;
	return 0;
}

/* Shutdown: no held packet may wait for a verdict that never comes. */
static void release_all(struct loop *l)
{
	if (l->hooks)
		hook_release_all(l->hooks, accept_held, l);
	queue_flush(l->q);
}

/*
 * -w: the epoll timeout until the oldest buffered packet is due on disk
 * (1 s after it was buffered); -1 when nothing is buffered, 0 when due.
 */
static int capture_due_ms(const struct loop *l, uint64_t now)
{
	uint64_t since, due;

	if (!l->pw || (since = pcapng_writer_pending_since(l->pw)) == 0)
		return -1;
	due = since + 1000000000ull;
	return now >= due ? 0 : (int)((due - now) / 1000000ull) + 1;
}

/* -w: write the buffered packets once the oldest is due. */
static void flush_capture_if_due(struct loop *l)
{
	if (capture_due_ms(l, monotime_ns()) == 0)
		loop_write_status(l, pcapng_writer_flush(l->pw));
}

int loop_run(const struct ptrap_config *cfg, struct queue *q,
	     struct resolver *r, int sigfd, struct loop_stats *st,
	     struct pcapng_writer *pw)
{
	struct loop l = {
		.cfg = cfg, .q = q, .r = r, .st = st, .sigfd = sigfd,
		.ep = -1, .tfd = -1, .pw = pw,
		.out = cfg->write_path && strcmp(cfg->write_path, "-") == 0 ?
		       stderr : stdout,
	};
	struct epoll_event evs[32];
	int i, n, ret = -1, saved = 0;

	warnlimit_init(&l.wl, WARNLIMIT_DEFAULT_MS);
	l.obuf = malloc(LOOP_OBUF);
	if (!l.obuf)
		return -1;
	if (cfg->hook_cmd) {
		l.hooks = hook_set_new(cfg->hook_cmd, cfg->max_hooks,
				       cfg->hook_timeout_ms);
		if (!l.hooks)
			goto out;
	}
	l.pol = policy_new(cfg, 0);
	if (!l.pol || loop_names_new(&l) < 0)
		goto out;
	l.dns = loop_dns_new(cfg);
	if (!l.dns)
		goto out;
	if (pw) {
		l.comments = comment_memo_new();
		if (!l.comments)
			goto out;
	}
	if (cfg->syslog || cfg->syslog_only)
		syslog_out_open();
	/* The default timer slack (50 us) would make a 20 us wait 70 us. */
	if (cfg->batch_wait_us > 0)
		prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	l.ep = epoll_create1(EPOLL_CLOEXEC);
	l.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (l.ep < 0 || l.tfd < 0 ||
	    ep_add(l.ep, queue_fd(q), SRC_QUEUE, 0) < 0 ||
	    ep_add(l.ep, sigfd, SRC_SIGNAL, 0) < 0 ||
	    ep_add(l.ep, l.tfd, SRC_TIMER, 0) < 0)
		goto out;

	while (!l.stop) {
		flush_capture_if_due(&l);
		n = epoll_wait(l.ep, evs, 32, capture_due_ms(&l, monotime_ns()));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		for (i = 0; i < n; i++) {
			if (dispatch(&l, &evs[i]) < 0)
				goto out;
		}
		finish_hooks(&l);
		check_deadlines(&l);
		/* --count: done once the last report's hook has run too. */
		if (policy_done(l.pol) && (!l.hooks || hook_running(l.hooks) == 0))
			l.stop = true;
		if (queue_flush(q) < 0)
			goto out;
		if (fflush(l.out) == EOF)
			l.stop = true;
		flush_capture_if_due(&l);
		batch_wait(&l);
	}
	ret = 0;
out:
	saved = errno;
	release_all(&l);
	hook_set_free(l.hooks);
	fflush(l.out);
	if (pw && pcapng_writer_flush(pw) < 0)
		loop_warn(&l, "cannot write the capture file: %s",
			  strerror(errno));
	if (l.tfd >= 0)
		close(l.tfd);
	if (l.ep >= 0)
		close(l.ep);
	free(l.obuf);
	policy_free(l.pol);
	free(l.names);
	loop_dns_free(l.dns);
	comment_memo_free(l.comments);
	syslog_out_close();
	errno = saved;
	return ret;
}

static void accept_cb(const struct queue_packet *p, void *arg)
{
	queue_accept(arg, p->id);
}

void loop_accept_pending(struct queue *q)
{
	while (queue_receive(q, LOOP_BATCH, accept_cb, NULL, q) > 0)
		queue_flush(q);
	queue_flush(q);
}
