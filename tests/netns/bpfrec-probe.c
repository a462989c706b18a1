/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bpfrec-probe: a minimal queue listener around bpfrec, for
 * tests/netns/bpfrec.sh.  It opens the send-time record for the given
 * matchers, binds the queue, and for every queued packet prints what
 * bpfrec_take() says, then accepts it.
 *
 *   bpfrec-probe [-q NUM] [-u] [-t] [-i] [-p PORT[-HI]]... [-g FIFO]
 *                [-n COUNT] [-w IDLE_MS] [-D] DEST...
 *
 * -g FIFO: start reading the queue only once a writer has opened and
 * closed FIFO (so that packets wait in the queue, their senders gone).
 * -D: drop every capability after opening (nothing must need them then).
 * Prints "ready" when attached and bound; one line per packet:
 *   seq=N proto=udp sport=S dport=D result=ok pid=P tid=T ppid=PP
 *   uid=U sock_uid=SU comm=C start=NS cgroup=ID sibling=0|1 payload=TEXT
 * (result=none or result=ambiguous without the sender fields); and
 * "stats taken=.. none=.. ambiguous=.." at the end.
 * Exit: 0, 1 on error, 77 when the kernel cannot do it (reason on stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cap-ng.h>

#include "bpfrec.h"
#include "packet.h"
#include "queue.h"

#define PROBE_MAX	64

struct probe {
	struct bpfrec *br;
	struct queue *q;
	unsigned long seq;
	unsigned long count;		/* stop after this many; 0: no limit */
};

static void print_payload(const struct pkt_info *pkt, const struct queue_packet *qp)
{
	unsigned int off = pkt->l3_len + (pkt->proto == IPPROTO_TCP ? 20u : 8u);
	unsigned int i;

	fputs(" payload=", stdout);
	for (i = off; i < qp->len && i < off + 40; i++) {
		int c = qp->data[i];

		putchar(c > ' ' && c < 127 ? c : '_');
	}
}

static void on_packet(const struct queue_packet *qp, void *arg)
{
	struct probe *pr = arg;
	struct bpfrec_entry e;
	struct pkt_info pkt;
	int rc;

	pr->seq++;
	if (pkt_parse(qp->data, qp->len, &pkt) < 0) {
		printf("seq=%lu result=unparsed\n", pr->seq);
		queue_accept(pr->q, qp->id);
		return;
	}
	printf("seq=%lu proto=%s sport=%u dport=%u tcp_flags=0x%02x", pr->seq,
	       pkt_proto_name(pkt.proto), pkt.has_ports ? pkt.sport : pkt.icmp_id,
	       pkt.dport, pkt.tcp_flags);
	rc = bpfrec_take(pr->br, &pkt, qp, &e);
	if (rc == 0)
		printf(" result=ok pid=%d tid=%d ppid=%d uid=%u sock_uid=%u comm=%s start=%llu cgroup=%llu sibling=%d",
		       (int)e.pid, (int)e.tid, (int)e.ppid, (unsigned)e.uid,
		       (unsigned)e.sock_uid, e.comm, (unsigned long long)e.start_ns,
		       (unsigned long long)e.cgroup_id, e.sibling);
	else if (errno == ENOENT)
		fputs(" result=none", stdout);
	else if (errno == ENOTUNIQ)
		fputs(" result=ambiguous", stdout);
	else
		printf(" result=error errno=%d", errno);
	print_payload(&pkt, qp);
	putchar('\n');
	queue_accept(pr->q, qp->id);
}

/*
 * Hooks and children must never inherit a BPF fd: every fd bpfrec_open()
 * and queue_open() made must be CLOEXEC.  before[fd] marks what was open
 * before them (inherited from the test harness: not ours to judge).
 */
#define PROBE_FDS	1024

static void open_fds(bool fds[PROBE_FDS])
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	memset(fds, 0, PROBE_FDS * sizeof(fds[0]));
	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] != '.' && fd >= 0 && fd < PROBE_FDS && fd != dirfd(d))
			fds[fd] = true;
	}
	closedir(d);
}

static int check_cloexec(const bool before[PROBE_FDS])
{
	bool now[PROBE_FDS];
	int fd, bad = 0, n = 0;

	open_fds(now);
	for (fd = 0; fd < PROBE_FDS; fd++) {
		char path[64], target[256];
		ssize_t len;

		if (!now[fd] || before[fd])
			continue;
		n++;
		if (fcntl(fd, F_GETFD) & FD_CLOEXEC)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		len = readlink(path, target, sizeof(target) - 1);
		target[len > 0 ? len : 0] = '\0';
		fprintf(stderr, "bpfrec-probe: fd %d (%s) is not CLOEXEC\n", fd, target);
		bad = 1;
	}
	fprintf(stderr, "bpfrec-probe: %d new fds, all CLOEXEC: %s\n", n, bad ? "no" : "yes");
	return bad ? -1 : 0;
}

static void wait_fifo(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

int main(int argc, char **argv)
{
	struct addr_prefix dests[PROBE_MAX];
	struct addr_port_range ports[PROBE_MAX];
	struct bpfrec_match m = { .dests = dests, .ports = ports };
	struct probe pr = { 0 };
	struct bpfrec_stats st;
	const char *fifo = NULL;
	unsigned int queue_num = 0, idle_ms = 1500;
	bool drop = false, fds[PROBE_FDS];
	char why[256];
	int c, n;

	while ((c = getopt(argc, argv, "q:utip:g:n:w:D")) != -1) {
		switch (c) {
		case 'q': queue_num = (unsigned)atoi(optarg); break;
		case 'u': m.udp = true; break;
		case 't': m.tcp = true; break;
		case 'i': m.icmp = true; break;
		case 'p':
			if (m.n_ports == PROBE_MAX ||
			    addr_parse_port_range(optarg, &ports[m.n_ports]) < 0)
				return 1;
			m.n_ports++;
			break;
		case 'g': fifo = optarg; break;
		case 'n': pr.count = strtoul(optarg, NULL, 10); break;
		case 'w': idle_ms = (unsigned)atoi(optarg); break;
		case 'D': drop = true; break;
		default: return 1;
		}
	}
	for (; optind < argc && m.n_dests < PROBE_MAX; optind++)
		if (addr_parse_prefix(argv[optind], &dests[m.n_dests++]) < 0)
			return 1;

	open_fds(fds);
	pr.br = bpfrec_open(&m, why, sizeof(why));
	if (!pr.br) {
		fprintf(stderr, "bpfrec-probe: %s\n", why);
		return errno == ENOTSUP ? 77 : 1;
	}
	pr.q = queue_open(queue_num, 0);
	if (!pr.q) {
		perror("bpfrec-probe: queue");
		return 1;
	}
	if (check_cloexec(fds) < 0)
		return 1;
	if (drop) {
		capng_clear(CAPNG_SELECT_BOTH);
		if (capng_apply(CAPNG_SELECT_BOTH) < 0) {
			fprintf(stderr, "bpfrec-probe: cannot drop capabilities\n");
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	if (fifo)
		wait_fifo(fifo);
	for (;;) {
		struct pollfd p = { .fd = queue_fd(pr.q), .events = POLLIN };

		n = poll(&p, 1, (int)idle_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (queue_receive(pr.q, QUEUE_RX_MAX, on_packet, NULL, &pr) < 0 &&
		    errno != EAGAIN && errno != ENOBUFS) {
			perror("bpfrec-probe: receive");
			return 1;
		}
		queue_flush(pr.q);
		fflush(stdout);
		if (pr.count && pr.seq >= pr.count)
			break;
	}
	bpfrec_stats(pr.br, &st);
	printf("stats taken=%llu siblings=%llu none=%llu ambiguous=%llu errors=%llu\n",
	       st.taken, st.siblings, st.none, st.ambiguous, st.errors);
	queue_close(pr.q);
	bpfrec_close(pr.br);
	return 0;
}
