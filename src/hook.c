/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hook: run the user's command for a trapped packet, collect its output,
 * enforce its timeout and the cap on concurrent hooks.
 *
 * The command goes through /bin/sh -c with "$@" appended and the PID passed
 * as a separate argument, so no packet or process data is ever spliced
 * into shell text.
 */
#include "hook.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

extern char **environ;

struct hook_run {
	pid_t pid;			/* 0: free slot; also the process group */
	int out_fd;			/* read end of stdout+stderr; -1 once closed */
	unsigned long long seq;		/* event the hook runs for */
	pid_t target;			/* the PID handed to the hook */
	uint64_t kill_at;		/* monotonic ns: --hook-timeout */
	char *out;
	size_t out_len;
	bool truncated;
	bool exited;			/* reaped; wstatus valid */
	int wstatus;
	bool timed_out;
	bool holding;			/* packet_id waits for the end, or hold_until */
	uint32_t packet_id;
	uint64_t hold_until;
};

struct hook_set {
	char *script;		/* cmd + ' "$@"' */
	unsigned int max, running;
	uint64_t timeout_ns;
	struct hook_run *runs;
};

struct hook_set *hook_set_new(const char *cmd, unsigned int max,
			      unsigned int timeout_ms)
{
	struct hook_set *hs = calloc(1, sizeof(*hs));
	unsigned int i;

	if (!hs)
		return NULL;
	hs->runs = calloc(max, sizeof(*hs->runs));
	if (!hs->runs || asprintf(&hs->script, "%s \"$@\"", cmd) < 0) {
		free(hs->runs);
		free(hs);
		return NULL;
	}
	for (i = 0; i < max; i++)
		hs->runs[i].out_fd = -1;
	hs->max = max;
	hs->timeout_ns = (uint64_t)timeout_ms * 1000000ull;
	return hs;
}

unsigned int hook_running(const struct hook_set *hs)
{
	return hs->running;
}

static struct hook_run *hook_slot(struct hook_set *hs, int i)
{
	return &hs->runs[i];
}

/*
 * What a hook inherits from ptrap's environment: where to find programs,
 * the home directory, language and time zone.  Nothing else: ptrap runs as
 * root, often started from a shell whose LD_PRELOAD, proxies or tokens the
 * hook has no business with.
 */
static bool hook_env_kept(const char *var)
{
	static const char *const names[] = {
		"PATH=", "HOME=", "LANG=", "LANGUAGE=", "TZ=",
	};
	size_t i;

	if (strncmp(var, "LC_", 3) == 0)
		return true;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(var, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

/*
 * The kept variables, TERM=dumb and PTRAP_*; the strings live in store.
 * The hook's output goes to a pipe, never a terminal: TERM=dumb says so,
 * keeps escape sequences out of the report, and lets `pstree -H` run where
 * ptrap itself has no TERM (systemd, cron, a bare root: "TERM is not set").
 */
#define HOOK_NVARS 14
#define HOOK_VAR_MAX 1040	/* PTRAP_QNAME= and the longest escaped name */
static char **hook_env(const struct hook_info *in,
		       char store[HOOK_NVARS][HOOK_VAR_MAX])
{
	size_t n = 0, i, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + HOOK_NVARS + 1, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++) {
		if (hook_env_kept(environ[i]))
			env[k++] = environ[i];
	}
	snprintf(store[0], 160, "PTRAP_PID=%ld", (long)in->pid);
	if (in->uid >= 0)
		snprintf(store[1], 160, "PTRAP_UID=%lld", in->uid);
	else
		snprintf(store[1], 160, "PTRAP_UID=");
	snprintf(store[2], 160, "PTRAP_COMM=%s", in->comm ? in->comm : "");
	snprintf(store[3], 160, "PTRAP_PROTO=%s", in->proto);
	snprintf(store[4], 160, "PTRAP_SRC=%s", in->src);
	snprintf(store[5], 160, "PTRAP_DST=%s", in->dst);
	if (in->sport >= 0)
		snprintf(store[6], 160, "PTRAP_SPORT=%d", in->sport);
	else
		snprintf(store[6], 160, "PTRAP_SPORT=");
	if (in->dport >= 0)
		snprintf(store[7], 160, "PTRAP_DPORT=%d", in->dport);
	else
		snprintf(store[7], 160, "PTRAP_DPORT=");
	snprintf(store[8], 160, "TERM=dumb");
	/* escaped names: printable ASCII without spaces, whatever was sent */
	snprintf(store[9], HOOK_VAR_MAX, "PTRAP_QNAME=%s", in->qname ? in->qname : "");
	snprintf(store[10], HOOK_VAR_MAX, "PTRAP_QTYPE=%s", in->qtype ? in->qtype : "");
	snprintf(store[11], HOOK_VAR_MAX, "PTRAP_SNI=%s", in->sni ? in->sni : "");
	snprintf(store[12], HOOK_VAR_MAX, "PTRAP_HOST=%s", in->host ? in->host : "");
	if (in->asked_by > 0)
		snprintf(store[13], 160, "PTRAP_ASKED_BY=%ld", (long)in->asked_by);
	else
		snprintf(store[13], 160, "PTRAP_ASKED_BY=");
	for (i = 0; i < HOOK_NVARS; i++)
		env[k++] = store[i];
	env[k] = NULL;
	return env;
}

int hook_start(struct hook_set *hs, const struct hook_info *info,
	       unsigned long long seq, uint64_t now, int *out_fd)
{
	char pidarg[24], store[HOOK_NVARS][HOOK_VAR_MAX];
	char *argv[] = { "/bin/sh", "-c", hs->script, "sh", pidarg, NULL };
	struct child_opts o = { .argv = argv, .new_pgroup = 1 };
	struct hook_run *run = NULL;
	int p[2] = { -1, -1 }, saved;
	unsigned int i;
	char **env;

	for (i = 0; i < hs->max && !run; i++) {
		if (hs->runs[i].pid == 0)
			run = &hs->runs[i];
	}
	if (!run) {
		errno = EAGAIN;
		return -1;
	}
	snprintf(pidarg, sizeof(pidarg), "%ld", (long)info->pid);
	env = hook_env(info, store);
	if (!env)
		return -1;
	run->out = malloc(HOOK_OUTPUT_MAX);
	if (!run->out || pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		goto err;
	/* The child's end must block: a hook should not see EAGAIN on stdout. */
	fcntl(p[1], F_SETFL, 0);
	o.envp = env;
	o.stdin_fd = -1;
	o.output_fd = p[1];
	if (child_start(&o, &run->pid) < 0)
		goto err;
	close(p[1]);
	free(env);
	run->out_fd = p[0];
	run->seq = seq;
	run->target = info->pid;
	run->kill_at = now + hs->timeout_ns;
	run->out_len = 0;
	run->truncated = run->exited = run->timed_out = run->holding = false;
	hs->running++;
	*out_fd = run->out_fd;
	return (int)(run - hs->runs);
err:
	saved = errno;
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]);
	}
	free(run->out);
	run->out = NULL;
	run->pid = 0;
	free(env);
	errno = saved;
	return -1;
}

void hook_hold(struct hook_set *hs, int slot, uint32_t packet_id, uint64_t until)
{
	struct hook_run *run = hook_slot(hs, slot);

	run->holding = true;
	run->packet_id = packet_id;
	run->hold_until = until;
}

/* Read what the hook printed; closes out_fd at end of file. */
static void read_output(struct hook_run *run)
{
	char sink[4096];
	ssize_t n;

	while (run->out_fd >= 0) {
		char *dst = sink;
		size_t room = sizeof(sink);

		if (run->out_len < HOOK_OUTPUT_MAX) {
			dst = run->out + run->out_len;
			room = HOOK_OUTPUT_MAX - run->out_len;
		}
		n = read(run->out_fd, dst, room);
		if (n > 0) {
			if (dst == sink)
				run->truncated = true;	/* keep reading so it never blocks */
			else
				run->out_len += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		close(run->out_fd);	/* EOF or a real error: nothing more to read */
		run->out_fd = -1;
	}
}

void hook_read_output(struct hook_set *hs, int slot)
{
	if (slot >= 0 && (unsigned int)slot < hs->max && hs->runs[slot].pid)
		read_output(hook_slot(hs, slot));
}

/* Kill the whole process group (timeout, shutdown, leftovers). */
static void kill_run(struct hook_run *run)
{
	if (run->pid > 0)
		kill(-run->pid, SIGKILL);
}

/* Reap exited hooks (no blocking). */
static void reap(struct hook_set *hs)
{
	unsigned int i;

	for (i = 0; i < hs->max; i++) {
		struct hook_run *run = &hs->runs[i];
		siginfo_t si = { .si_pid = 0 };

		if (run->pid == 0 || run->exited)
			continue;
		/*
		 * Peek first: while the zombie exists its pid cannot be reused,
		 * so killing its process group cannot hit a stranger.
		 */
		if (waitid(P_PID, run->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid != run->pid)
			continue;
		kill_run(run);
		while (waitpid(run->pid, &run->wstatus, 0) < 0 && errno == EINTR)
			;
		run->exited = true;
	}
}

/* Drain, kill leftovers, free the slot. */
static void release(struct hook_set *hs, struct hook_run *run)
{
	if (run->pid == 0)
		return;
	if (!run->exited) {
		/* Shutdown: the hook itself is still running. */
		kill_run(run);
		while (waitpid(run->pid, &run->wstatus, 0) < 0 && errno == EINTR)
			;
		run->exited = true;
	}
	if (run->out_fd >= 0) {
		close(run->out_fd);
		run->out_fd = -1;
	}
	free(run->out);
	run->out = NULL;
	run->pid = 0;
	hs->running--;
}

unsigned int hook_collect(struct hook_set *hs, hook_done_fn *done,
			  hook_release_fn *release_pkt, void *arg)
{
	unsigned int i, n = 0;

	reap(hs);
	for (i = 0; i < hs->max; i++) {
		struct hook_run *run = &hs->runs[i];
		struct hook_result r;

		if (run->pid == 0 || !run->exited)
			continue;
		read_output(run);
		r = (struct hook_result){
			.seq = run->seq,
			.target = run->target,
			.exit_status = WIFEXITED(run->wstatus) ?
				       WEXITSTATUS(run->wstatus) : -1,
			.term_signal = WIFSIGNALED(run->wstatus) ?
				       WTERMSIG(run->wstatus) : 0,
			.timed_out = run->timed_out,
			.out = run->out,
			.out_len = run->out_len,
			.truncated = run->truncated,
		};
		done(&r, arg);
		if (run->holding)
			release_pkt(run->packet_id, arg);
		run->holding = false;
		release(hs, run);
		n++;
	}
	return n;
}

void hook_check_deadlines(struct hook_set *hs, uint64_t now,
			  hook_release_fn *release_pkt, void *arg,
			  struct hook_deadlines *d)
{
	unsigned int i;

	d->next = UINT64_MAX;
	d->timed_out = d->holds_expired = 0;
	for (i = 0; i < hs->max; i++) {
		struct hook_run *run = &hs->runs[i];

		if (run->pid == 0)
			continue;
		if (run->holding && run->hold_until <= now) {
			release_pkt(run->packet_id, arg);
			run->holding = false;
			d->holds_expired++;
		}
		if (run->holding && run->hold_until < d->next)
			d->next = run->hold_until;
		if (!run->exited && !run->timed_out) {
			if (run->kill_at <= now) {
				kill_run(run);
				run->timed_out = true;
				d->timed_out++;
			} else if (run->kill_at < d->next) {
				d->next = run->kill_at;
			}
		}
	}
}

void hook_release_all(struct hook_set *hs, hook_release_fn *release_pkt, void *arg)
{
	unsigned int i;

	for (i = 0; i < hs->max; i++) {
		struct hook_run *run = &hs->runs[i];

		if (run->pid != 0 && run->holding) {
			release_pkt(run->packet_id, arg);
			run->holding = false;
		}
	}
}

void hook_set_free(struct hook_set *hs)
{
	unsigned int i;

	if (!hs)
		return;
	for (i = 0; i < hs->max; i++)
		release(hs, &hs->runs[i]);
	free(hs->runs);
	free(hs->script);
	free(hs);
}
