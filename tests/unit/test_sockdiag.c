/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sockdiag against the running kernel: real sockets on 127.0.0.1 and ::1
 * (nothing is sent), each looked up alone and in one batch; both must name
 * the socket's own inode (fstat), and agree on what is not there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sockdiag.h"
#include "testlib.h"

#define MAX_CASES	80

struct sd_case {
	struct pkt_info pkt;
	int fd;			/* the socket that must be found; -1: none */
	int want_err;		/* 0, or the errno expected */
};

struct fixture {
	struct sockdiag *sd;
	struct sd_case c[MAX_CASES];
	unsigned int n;
	int fds[MAX_CASES * 2];
	unsigned int nfds;
};

static int keep(struct fixture *fx, int fd)
{
	assert_true(fd >= 0);
	fx->fds[fx->nfds++] = fd;
	return fd;
}

static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	return ntohs(ss.ss_family == AF_INET ?
		     ((struct sockaddr_in *)&ss)->sin_port :
		     ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void to_sockaddr(int family, const char *ip, uint16_t port,
			struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		assert_int_equal(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
		*len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		assert_int_equal(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
		*len = sizeof(*s6);
	}
}

/* A socket bound to bind_ip (port 0: any), connected to peer unless NULL. */
static int mk_sock(struct fixture *fx, int family, int type, const char *bind_ip,
		   const char *peer, uint16_t peer_port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = keep(fx, socket(family, type | SOCK_CLOEXEC, 0));

	to_sockaddr(family, bind_ip, 0, &ss, &len);
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	if (peer) {
		to_sockaddr(family, peer, peer_port, &ss, &len);
		assert_int_equal(connect(fd, (struct sockaddr *)&ss, len), 0);
	}
	return fd;
}

/* The packet fd would send from src to dst:dport. */
static void add_case(struct fixture *fx, int fd, int family, uint8_t proto,
		     const char *src, uint16_t sport, const char *dst,
		     uint16_t dport, int want_err)
{
	struct sd_case *c = &fx->c[fx->n++];

	assert_true(fx->n <= MAX_CASES);
	memset(c, 0, sizeof(*c));
	tl_set_ip(&c->pkt.src, src);
	tl_set_ip(&c->pkt.dst, dst);
	assert_int_equal(c->pkt.src.family, family);
	c->pkt.proto = proto;
	c->pkt.has_ports = true;
	c->pkt.sport = sport;
	c->pkt.dport = dport;
	c->fd = fd;
	c->want_err = want_err;
}

static int setup(void **state)
{
	static struct fixture fx;
	struct sockaddr_storage ss;
	socklen_t len;
	int lis, cli, i, fd;
	bool v6;

	memset(&fx, 0, sizeof(fx));
	fx.sd = sockdiag_open();
	if (!fx.sd)
		skip();

	/* UDP, connected, as dig and curl's resolver send */
	for (i = 0; i < 20; i++) {
		fd = mk_sock(&fx, AF_INET, SOCK_DGRAM, "127.0.0.1", "127.0.0.1", 9);
		add_case(&fx, fd, AF_INET, IPPROTO_UDP, "127.0.0.1", local_port(fd),
			 "127.0.0.1", 9, 0);
	}
	/* UDP, unconnected, bound to the address or to 0.0.0.0 */
	fd = mk_sock(&fx, AF_INET, SOCK_DGRAM, "127.0.0.1", NULL, 0);
	add_case(&fx, fd, AF_INET, IPPROTO_UDP, "127.0.0.1", local_port(fd),
		 "127.0.0.1", 53, 0);
	fd = mk_sock(&fx, AF_INET, SOCK_DGRAM, "0.0.0.0", NULL, 0);
	add_case(&fx, fd, AF_INET, IPPROTO_UDP, "127.0.0.1", local_port(fd),
		 "127.0.0.1", 53, 0);

	/* TCP: the client end of an established connection */
	lis = mk_sock(&fx, AF_INET, SOCK_STREAM, "127.0.0.1", NULL, 0);
	assert_int_equal(listen(lis, 8), 0);
	for (i = 0; i < 5; i++) {
		cli = mk_sock(&fx, AF_INET, SOCK_STREAM, "127.0.0.1", "127.0.0.1",
			      local_port(lis));
		add_case(&fx, cli, AF_INET, IPPROTO_TCP, "127.0.0.1", local_port(cli),
			 "127.0.0.1", local_port(lis), 0);
	}

	/* IPv6, when the kernel has it */
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	to_sockaddr(AF_INET6, "::1", 0, &ss, &len);
	v6 = fd >= 0 && bind(fd, (struct sockaddr *)&ss, len) == 0;
	if (fd >= 0)
		close(fd);
	if (v6) {
		fd = mk_sock(&fx, AF_INET6, SOCK_DGRAM, "::1", "::1", 9);
		add_case(&fx, fd, AF_INET6, IPPROTO_UDP, "::1", local_port(fd),
			 "::1", 9, 0);
	}

	/* nobody has these: a closed port, a TCP tuple of a UDP socket */
	add_case(&fx, -1, AF_INET, IPPROTO_UDP, "127.0.0.1", 1, "127.0.0.1", 9, ENOENT);
	add_case(&fx, -1, AF_INET, IPPROTO_TCP, "127.0.0.1", fx.c[0].pkt.sport,
		 "127.0.0.1", 9, ENOENT);
	/* not looked up at all */
	add_case(&fx, -1, AF_INET, IPPROTO_ICMP, "127.0.0.1", 0, "127.0.0.1", 0,
		 EPROTONOSUPPORT);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	unsigned int i;

	for (i = 0; i < fx->nfds; i++)
		close(fx->fds[i]);
	sockdiag_close(fx->sd);
	return 0;
}

static void check(const struct sd_case *c, int err, const struct sockdiag_sock *s)
{
	struct stat st;

	assert_int_equal(err, c->want_err);
	if (c->fd < 0)
		return;
	assert_int_equal(fstat(c->fd, &st), 0);
	assert_int_equal(s->inode, st.st_ino);
	assert_int_equal(s->uid, getuid());
}

static void test_one_by_one(void **state)
{
	struct fixture *fx = *state;
	unsigned int i;

	for (i = 0; i < fx->n; i++) {
		struct sockdiag_sock s = { 0, 0, 0 };
		int err = sockdiag_lookup(fx->sd, &fx->c[i].pkt, &s) == 0 ? 0 : errno;

		print_message("case %u\n", i);
		check(&fx->c[i], err, &s);
	}
}

static void test_batch(void **state)
{
	struct fixture *fx = *state;
	const struct pkt_info *pkts[MAX_CASES];
	struct sockdiag_sock out[MAX_CASES];
	int err[MAX_CASES];
	unsigned int i, round;

	for (i = 0; i < fx->n; i++)
		pkts[i] = &fx->c[i].pkt;
	/* twice: answers left from the first round must not mix in */
	for (round = 0; round < 2; round++) {
		memset(out, 0, sizeof(out));
		sockdiag_lookup_many(fx->sd, pkts, fx->n, out, err);
		for (i = 0; i < fx->n; i++) {
			print_message("round %u case %u\n", round, i);
			check(&fx->c[i], err[i], &out[i]);
		}
	}
	/* and interleaved with single lookups */
	sockdiag_lookup_many(fx->sd, pkts, 3, out, err);
	for (i = 0; i < 3; i++)
		check(&fx->c[i], err[i], &out[i]);
}

/* More questions than go out at once (64): answered in chunks. */
static void test_large_batch(void **state)
{
	struct fixture *fx = *state;
	const struct pkt_info *pkts[150];
	struct sockdiag_sock out[150];
	int err[150];
	unsigned int i;

	for (i = 0; i < 150; i++)
		pkts[i] = &fx->c[i % fx->n].pkt;
	sockdiag_lookup_many(fx->sd, pkts, 150, out, err);
	for (i = 0; i < 150; i++)
		check(&fx->c[i % fx->n], err[i], &out[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_by_one),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_large_batch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
