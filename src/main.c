/* SPDX-License-Identifier: GPL-2.0-or-later */
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

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli.h"
#include "firewall.h"
#include "main_int.h"
#include "loop.h"
#include "pcapng.h"
#include "privs.h"
#include "qpeers.h"
#include "queue.h"
#include "recmatch.h"
#include "resolver.h"
#include "rules.h"
#include "strbuf.h"

/*
 * Enough for the headers the resolver reads, incl. IPv6 extension chains,
 * and for the payload decoders: a DNS query (padded, RFC 8467) or a TLS
 * ClientHello (curl's is 517 bytes, a browser's with post-quantum key
 * shares about 1800) up to its server name.
 */
#define MAIN_COPY_RANGE	4096
/* -w: whole packets, so the capture file is useful on its own. */
#define MAIN_COPY_RANGE_WRITE	0xffff

static int verbosity;

#define note(...) do { \
	if (verbosity >= 0) { \
		fprintf(stderr, "ptrap: " __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

const char *main_show_path(const char *path, char *buf, size_t len)
{
	struct strbuf b;

	sb_init(&b, buf, len);
	sb_escaped(&b, path, strlen(path), NULL);
	if (sb_finish(&b) < 0)
		return cli_show(path, strlen(path), buf, len);
	return buf;
}

/*
 * Another listener on another queue (a ptrap, an IPS) may trap the same
 * packets: which one gets a packet both match depends on the backend,
 * and a second ptrap that sees nothing would otherwise say nothing.
 */
static void warn_peers(const struct ptrap_config *cfg, const struct fw *fw)
{
	struct qpeer peers[QPEERS_MAX];
	char who[128], comm[4 * QPEERS_COMM_LEN + 4];
	int i, n;

	if (verbosity < 0)
		return;
	n = qpeers_list(cfg->queue_num, peers, QPEERS_MAX);
	for (i = 0; i < n; i++) {
		if (peers[i].pid > 0)
			/* a process names itself: escaped, one line */
			snprintf(who, sizeof(who), "%s (pid %ld)",
				 peers[i].comm[0] ? main_show_path(peers[i].comm,
					comm, sizeof(comm)) : "?",
				 (long)peers[i].pid);
		else
			snprintf(who, sizeof(who), "netlink port %u (process "
				 "not found)", peers[i].portid);
		fprintf(stderr, "ptrap: warning: NFQUEUE %u is bound too, by "
			"%s; a packet its rules match as well %s\n",
			peers[i].queue, who,
			strcmp(fw_backend(fw), "iptables") == 0 ?
			"goes to the rule met first in raw OUTPUT (this "
			"ptrap's jump comes after those already there), so "
			"this ptrap may never see it" :
			strcmp(fw_backend(fw), "nft") == 0 ?
			"is held and reported by both (each nft table is a "
			"hook of its own)" :
			"goes where the rules loaded by hand send it");
	}
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

/* -S: no more than the file keeps, but never less than the resolver reads. */
static unsigned int copy_range(const struct ptrap_config *cfg, bool writing)
{
	if (!writing)
		return MAIN_COPY_RANGE;
	if (cfg->snaplen == 0 || cfg->snaplen >= MAIN_COPY_RANGE_WRITE)
		return MAIN_COPY_RANGE_WRITE;
	return cfg->snaplen > MAIN_COPY_RANGE ? cfg->snaplen : MAIN_COPY_RANGE;
}

/* For the statistics: the fail-open count needs the rule counters. */
static int rule_matches(void *arg, unsigned long long *pkts)
{
	return fw_rule_matches(arg, pkts);
}

/*
 * The send-time record, which names senders that exit at once: its filter
 * is the rules' matchers, and it is opened before the drop (loading needs
 * CAP_BPF).
 * Without it, one line says why and /proc names the senders as before.
 */
static struct bpfrec *open_record(const struct ptrap_config *cfg)
{
	struct recmatch *rm;
	struct bpfrec *br = NULL;
	char why[256];

	if (cfg->no_bpf) {
		note("send-time record off (--no-bpf); naming senders from /proc only");
		return NULL;
	}
	rm = malloc(sizeof(*rm));
	if (!rm) {
		snprintf(why, sizeof(why), "out of memory");
	} else if (recmatch_build(cfg, rm) < 0) {
		snprintf(why, sizeof(why), "cannot express the matchers as its filter");
	} else {
		br = bpfrec_open(&rm->m, why, sizeof(why));
		if (br == NULL && why[0] == '\0')
			snprintf(why, sizeof(why), "%s", strerror(errno));
	}
	free(rm);
	if (br) {
		if (cfg->verbosity > 0)
			note("send-time record on: eBPF on the output hook names each sender as it sends");
		return br;
	}
	note("send-time record off: %s; naming senders from /proc only", why);
	return NULL;
}

/* "udp+tcp(SYN)+icmp to 192.0.2.53 port 53 via lo for uid 0": the start line. */
static void describe(const struct ptrap_config *cfg, char *buf, size_t len)
{
	const char *protos[3];
	char a[ADDR_STR_MAX];
	struct strbuf b;
	unsigned int i, n = 0;

	if (cfg->udp)
		protos[n++] = "udp";
	if (cfg->tcp)
		protos[n++] = cfg->connect_only ? "tcp(SYN)" : "tcp";
	if (cfg->icmp)
		protos[n++] = "icmp";
	sb_init(&b, buf, len);
	for (i = 0; i < n; i++)
		sb_printf(&b, "%s%s", i ? "+" : "", protos[i]);
	/* with an expression, only what the options add to it */
	if (n == 0)
		sb_str(&b, "packets");
	if (cfg->n_dests > 0 || cfg->filter.n_nodes == 0)
		sb_str(&b, " to");
	for (i = 0; i < cfg->n_dests; i++)
		sb_printf(&b, "%s%s", i ? "," : " ",
			  addr_prefix_str(&cfg->dests[i], a, sizeof(a)));
	if (cfg->n_ports == 0 && (cfg->udp || cfg->tcp) &&
	    cfg->filter.n_nodes == 0)
		sb_str(&b, " any port");
	for (i = 0; i < cfg->n_ports; i++) {
		const struct addr_port_range *p = &cfg->ports[i];

		sb_str(&b, i ? "," : cfg->n_ports > 1 || p->lo != p->hi ?
		       " ports " : " port ");
		if (p->lo == p->hi)
			sb_printf(&b, "%u", p->lo);
		else
			sb_printf(&b, "%u-%u", p->lo, p->hi);
	}
	for (i = 0; i < cfg->n_out_ifaces; i++)
		sb_printf(&b, "%s%s", i ? "," : " via ", cfg->out_ifaces[i]);
	for (i = 0; i < cfg->n_uids; i++)
		sb_printf(&b, "%s%lu", i ? "," : " for uid ",
			  (unsigned long)cfg->uids[i]);
	for (i = 0; i < (unsigned int)cfg->n_filter_words; i++)
		sb_printf(&b, "%s%s", i ? " " : " matching '",
			  cfg->filter_words[i]);
	if (cfg->n_filter_words > 0)
		sb_char(&b, '\'');
	if (sb_finish(&b) < 0)
		snprintf(buf, len, "the given destinations");
}

int main(int argc, char **argv)
{
	struct ptrap_config cfg;
	struct loop_stats stats = { 0 };
	struct resolver *res = NULL;
	struct bpfrec *rec = NULL;
	struct queue *q = NULL;
	struct fw *fw = NULL;
	struct pcapng_writer *pw = NULL;
	struct privs privs = { .user = NULL };
	const char *lacking;
	char err[512], why[512], what[1024], path[1024];
	const char *missing = NULL;
	struct fw_lock lock = { .fd = -1 };
	int rc, sigfd = -1, stale;
	pid_t owner;

	rc = cli_parse(argc, argv, &cfg, err, sizeof(err));
	if (rc == PTRAP_EXIT_RUNTIME) {
		fail("%s", err);
		return rc;
	}
	if (rc != PTRAP_EXIT_OK) {
		usage_fail("%s", err);
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
	/* Only reads files: no privileges, no rules, no queue. */
	if (cfg.n_read_paths)
		return main_read(&cfg);

	/* Before privileges and rules: a mistyped -o is a usage error. */
	if (fw_check_ifaces(&cfg, &missing) < 0) {
		usage_fail("no such interface '%s' for -o", missing);
		return PTRAP_EXIT_USAGE;
	}
	if (privs_init(&privs, cfg.run_as_user, cfg.hook_caps) < 0) {
		usage_fail("-Z %s: %s", cfg.run_as_user,
			   errno == ENOENT ? "no such user" : strerror(errno));
		return PTRAP_EXIT_USAGE;
	}
	if (cli_habit_hint(&cfg))
		note("%s", cli_habit_hint(&cfg));
	lacking = privs_missing(&privs);
	if (lacking) {
		if (strcmp(lacking, "CAP_NET_ADMIN") == 0)
			fail("CAP_NET_ADMIN is needed to install rules and "
			     "bind queue %u (run as root)", cfg.queue_num);
		else
			fail("%s is needed to drop privileges%s (run as root)",
			     lacking, cfg.run_as_user ? " with -Z" : "");
		return PTRAP_EXIT_NO_PRIV;
	}
	lacking = privs_missing_optional();
	if (lacking)
		note("without %s other users' processes cannot be named", lacking);

	rc = PTRAP_EXIT_RUNTIME;
	sigfd = setup_signals();
	if (sigfd < 0) {
		fail("cannot set up signals: %s", strerror(errno));
		goto out;
	}
	if (fw_lock_queue(&lock, FW_LOCK_DIR, cfg.queue_num, &owner) < 0) {
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

		/*
		 * Before any rule: a bad path must not cost a trapped packet.
		 * As the -Z user, who will reopen and rotate it (as tcpdump).
		 */
		if (privs_become_user(&privs) < 0) {
			fail("cannot become user %s: %s", cfg.run_as_user, strerror(errno));
			goto out;
		}
		const char *refused = NULL;

		/*
		 * Captures hold other users' traffic: 0600, or 0640 for the
		 * -Z user's group (who will read them).
		 */
		pw = pcapng_writer_open_rotating(cfg.write_path, cfg.flush, &rot,
						 cfg.snaplen,
						 cfg.run_as_user ? 0640 : 0600,
						 &refused);
		if (!pw)
			fail("cannot write %s: %s",
			     main_show_path(cfg.write_path, path, sizeof(path)),
			     refused ? refused : strerror(errno));
		if (privs_become_self(&privs) < 0) {
			fail("cannot switch back from user %s: %s", cfg.run_as_user,
			     strerror(errno));
			goto out;
		}
		if (!pw)
			goto out;
	}
	res = resolver_new("/proc");
	if (!res) {
		fail("cannot open the socket lookup (sock_diag): %s", strerror(errno));
		goto out;
	}
	/* Bind before any rule points at the queue. */
	/*
	 * The record's hooks before any packet is queued to us: a hook added
	 * while packets wait in a queue makes the kernel resume them at a
	 * stale place in the hook list after their verdict, and queue them
	 * again (nf_reinject's hook index).
	 */
	rec = open_record(&cfg);
	resolver_use_record(res, rec);
	stats.record = rec;
	q = queue_open(cfg.queue_num, copy_range(&cfg, pw != NULL));
	if (!q) {
		if (errno == EBUSY) {
			fail("queue %u is bound by another program; "
			     "use --queue-num", cfg.queue_num);
			rc = PTRAP_EXIT_QUEUE_BUSY;
		} else {
			fail("cannot bind NFQUEUE %u: %s", cfg.queue_num,
			     strerror(errno));
		}
		goto out;
	}
	fw = fw_new(&cfg);
	if (!fw) {
		fail("out of memory");
		goto out;
	}
	if (cfg.backend != CLI_BACKEND_NONE) {
		stale = fw_remove_stale(fw, why, sizeof(why));
		if (stale > 0)
			note("removed rules a dead ptrap left for queue %u", cfg.queue_num);
		else if (stale < 0)
			fail("cannot remove the rules a dead ptrap left for queue %u: %s",
			     cfg.queue_num, why);
	}
	if (fw_install(fw, why, sizeof(why)) < 0) {
		fail("cannot install rules: %s", why);
		goto out;
	}
	note("%s", why);
	warn_peers(&cfg, fw);
	stats.rule_matches = rule_matches;
	stats.rule_matches_arg = fw;
	/* Rules, queue and files are set up: what is left needs little. */
	if (privs_drop(&privs) < 0) {
		fail("cannot drop privileges%s%s: %s", cfg.run_as_user ? " to user " : "",
		     cfg.run_as_user ? cfg.run_as_user : "", strerror(errno));
		goto out;
	}
	describe(&cfg, what, sizeof(what));
	note("trapping %s on queue %u%s; Ctrl-C to stop", what, cfg.queue_num,
	     cfg.hook_cmd ? ", running the hook for each" : "");

	rc = PTRAP_EXIT_OK;
	if (loop_run(&cfg, q, res, sigfd, &stats, pw) < 0) {
		fail("stopped on an error: %s", strerror(errno));
		rc = PTRAP_EXIT_RUNTIME;
	}
	if (cfg.verbosity > 0)
		loop_print_stats(&cfg, stderr, cfg.write_path &&
				 strcmp(cfg.write_path, "-") == 0 ? stderr : stdout,
				 &stats, q);

out:
	/* iptables-restore, run to remove our rules, needs CAP_NET_ADMIN. */
	if (fw && privs_children_net_admin(&privs) < 0)
		fail("cannot pass CAP_NET_ADMIN to iptables: %s", strerror(errno));
	if (fw) {
		if (fw_remove(fw, why, sizeof(why)) < 0) {
			fail("could not remove ptrap's rules: %s", why);
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
	bpfrec_close(rec);
	if (pw && pcapng_writer_close(pw) < 0) {
		fail("cannot write %s: %s",
		     main_show_path(cfg.write_path, path, sizeof(path)),
		     strerror(errno));
		rc = PTRAP_EXIT_RUNTIME;
	}
	fw_unlock_queue(&lock);
	if (sigfd >= 0)
		close(sigfd);
	return rc;
}
