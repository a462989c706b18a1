/*
 * ptrap: trap matching outbound packets in an NFQUEUE, name the process that
 * sent each one, report it, optionally run a hook while it is held, accept.
 *
 * main() owns the order of set-up and tear-down; the stages live in their
 * own files (cli, firewall/rules, queue, packet, resolver, output, hook,
 * loop).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <cap-ng.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli.h"
#include "firewall.h"
#include "loop.h"
#include "pcapng.h"
#include "queue.h"
#include "report.h"
#include "resolver.h"
#include "rules.h"

/* Enough for the headers the resolver reads, incl. IPv6 extension chains. */
#define MAIN_COPY_RANGE	512
/* -w: whole packets, so the capture file is useful on its own. */
#define MAIN_COPY_RANGE_WRITE	0xffff

static int verbosity;

#define note(...) do { \
	if (verbosity >= 0) { \
		fprintf(stderr, "ptrap: " __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

#define fail(...) do { \
	fprintf(stderr, "ptrap: " __VA_ARGS__); \
	fputc('\n', stderr); \
} while (0)

static bool have_net_admin(void)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_get_caps_process() < 0)
		return geteuid() == 0;
	return capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN);
}

/*
 * Signals are read from a signalfd, never handled asynchronously.  A
 * disposition of SIG_IGN (inherited by `ptrap &` from a non-interactive
 * shell) would discard the signal before the signalfd sees it: reset first.
 */
static int setup_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGCHLD };
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		signal(sigs[i], SIG_DFL);
		sigaddset(&set, sigs[i]);
	}
	/* A closed stdout must end the run cleanly, not kill it with rules left. */
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void describe(const struct ptrap_config *cfg, char *buf, size_t len)
{
	char a[ADDR_STR_MAX];
	size_t off = 0;
	unsigned int i;

	off += snprintf(buf + off, len - off, "%s%s%s to",
			cfg->udp ? "udp" : "", cfg->udp && cfg->tcp ? "+" : "",
			cfg->tcp ? "tcp" : "");
	for (i = 0; i < cfg->n_dests && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? "," : " ",
				addr_prefix_str(&cfg->dests[i], a, sizeof(a)));
	if (off < len && cfg->n_ports == 0)
		off += snprintf(buf + off, len - off, " any port");
	for (i = 0; i < cfg->n_ports && off < len; i++) {
		const struct addr_port_range *p = &cfg->ports[i];

		if (p->lo == p->hi)
			off += snprintf(buf + off, len - off, "%s%u", i ? "," : " port ", p->lo);
		else
			off += snprintf(buf + off, len - off, "%s%u-%u", i ? "," : " ports ",
					p->lo, p->hi);
	}
}

int main(int argc, char **argv)
{
	struct ptrap_config cfg;
	struct loop_stats stats = { 0 };
	struct resolver *res = NULL;
	struct queue *q = NULL;
	struct fw *fw = NULL;
	struct pcapng_writer *pw = NULL;
	char err[512], why[512], what[1024];
	int rc, sigfd = -1, lockfd = -1, stale;
	pid_t owner;

	rc = cli_parse(argc, argv, &cfg, err, sizeof(err));
	if (rc != PTRAP_EXIT_OK) {
		fail("%s", err);
		return rc;
	}
	if (cfg.help) {
		cli_print_help(stdout);
		return PTRAP_EXIT_OK;
	}
	if (cfg.version) {
		cli_print_version(stdout);
		return PTRAP_EXIT_OK;
	}
	if (cfg.man_options) {
		cli_print_man_options(stdout);
		return PTRAP_EXIT_OK;
	}
	verbosity = cfg.verbosity;
	if (cfg.read_path) {
		/* Only reads a file: no privileges, no rules, no queue. */
		if (report_file(cfg.read_path, cfg.by, cfg.json, stdout, err,
				sizeof(err)) < 0) {
			fflush(stdout);
			fail("%s: %s", cfg.read_path, err);
			return PTRAP_EXIT_RUNTIME;
		}
		return fflush(stdout) == EOF ? PTRAP_EXIT_RUNTIME : PTRAP_EXIT_OK;
	}

	if (!have_net_admin()) {
		fail("CAP_NET_ADMIN is needed to install rules and bind queue %u (run as root)",
		     cfg.queue_num);
		return PTRAP_EXIT_NO_PRIV;
	}

	rc = PTRAP_EXIT_RUNTIME;
	sigfd = setup_signals();
	if (sigfd < 0) {
		fail("cannot set up signals: %s", strerror(errno));
		goto out;
	}
	lockfd = fw_lock_queue(cfg.queue_num, &owner);
	if (lockfd < 0) {
		if (errno == EWOULDBLOCK) {
			fail("queue %u is owned by another ptrap (pid %ld); use --queue-num",
			     cfg.queue_num, (long)owner);
			rc = PTRAP_EXIT_QUEUE_BUSY;
		} else {
			fail("cannot lock queue %u in %s: %s", cfg.queue_num,
			     FW_LOCK_DIR, strerror(errno));
		}
		goto out;
	}
	if (cfg.write_path) {
		struct pcapng_rotation rot = {
			.max_bytes = cfg.rotate_bytes,
			.secs = cfg.rotate_secs,
			.max_files = cfg.rotate_files,
		};

		/* Before any rule: a bad path must not cost a trapped packet. */
		pw = pcapng_writer_open_rotating(cfg.write_path, cfg.flush, &rot);
		if (!pw) {
			fail("cannot write %s: %s", cfg.write_path, strerror(errno));
			goto out;
		}
	}
	res = resolver_new("/proc");
	if (!res) {
		fail("cannot open the socket lookup (sock_diag): %s", strerror(errno));
		goto out;
	}
	/* Bind before any rule points at the queue. */
	q = queue_open(cfg.queue_num, pw ? MAIN_COPY_RANGE_WRITE : MAIN_COPY_RANGE);
	if (!q) {
		if (errno == EBUSY) {
			fail("queue %u is bound by another program; use --queue-num", cfg.queue_num);
			rc = PTRAP_EXIT_QUEUE_BUSY;
		} else {
			fail("cannot bind NFQUEUE %u: %s", cfg.queue_num, strerror(errno));
		}
		goto out;
	}
	fw = fw_new(&cfg);
	if (!fw) {
		fail("out of memory");
		goto out;
	}
	if (cfg.backend != CLI_BACKEND_NONE) {
		stale = fw_remove_stale(fw);
		if (stale > 0)
			note("removed rules a dead ptrap left for queue %u", cfg.queue_num);
		else if (stale < 0)
			fail("cannot remove the rules a dead ptrap left for queue %u", cfg.queue_num);
	}
	if (fw_install(fw, why, sizeof(why)) < 0) {
		fail("cannot install rules: %s", why);
		goto out;
	}
	note("%s", why);
	describe(&cfg, what, sizeof(what));
	note("trapping %s on queue %u%s; Ctrl-C to stop", what, cfg.queue_num,
	     cfg.hook_cmd ? ", running the hook for each" : "");

	rc = PTRAP_EXIT_OK;
	if (loop_run(&cfg, q, res, sigfd, &stats, pw) < 0) {
		fail("stopped on an error: %s", strerror(errno));
		rc = PTRAP_EXIT_RUNTIME;
	}
	if (cfg.verbosity > 0)
		loop_print_stats(stderr, &stats, q);

out:
	if (fw) {
		if (fw_remove(fw, why, sizeof(why)) < 0) {
			fail("could not remove all rules: %s", why);
			rc = PTRAP_EXIT_RUNTIME;
		}
		fw_free(fw);
	}
	if (q) {
		/* Rules are gone: what is still queued only needs its verdict. */
		loop_accept_pending(q);
		queue_close(q);
	}
	resolver_free(res);
	if (pw && pcapng_writer_close(pw) < 0) {
		fail("cannot write %s: %s", cfg.write_path, strerror(errno));
		rc = PTRAP_EXIT_RUNTIME;
	}
	fw_unlock_queue(lockfd);
	if (sigfd >= 0)
		close(sigfd);
	return rc;
}
