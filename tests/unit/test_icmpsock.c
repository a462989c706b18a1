/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for icmpsock: /proc/net ping and raw tables; the resolver's ICMP attribution. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "icmpsock.h"
#include "resolver.h"
#include "testlib.h"

#define DATA_ROOT	TEST_DATA_DIR "/icmpsock"

/* The data files are as an x86 kernel prints them: words in host order. */
static void need_little_endian(void)
{
	const uint16_t one = 1;

	if (*(const uint8_t *)&one != 1)
		skip();
}

static void mkpkt(struct pkt_info *pi, int family, const char *src,
		  const char *dst, uint8_t type, uint16_t id)
{
	tl_set_pkt(pi, family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6,
		   src, 0, dst, 0);
	assert_int_equal(pi->src.family, family);
	pi->has_icmp = true;
	pi->icmp_type = type;
	pi->icmp_echo = type == 8 || type == 128;
	pi->icmp_error = type == 3 || type == 1;
	if (pi->icmp_echo)
		pi->icmp_id = id;
}

static void test_parse_line(void **state)
{
	struct icmpsock_entry e;
	uint8_t want[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
	struct in_addr a;

	(void)state;
	need_little_endian();
	assert_int_equal(icmpsock_parse_line("   52: 0A0200C0:1234 00000000:0000 07 "
		"00000340:00000000 00:00000000 00000000  1000        0 5002 2 "
		"00000000219907f3 0       \n", AF_INET, &e), 0);
	inet_pton(AF_INET, "192.0.2.10", &a);
	assert_memory_equal(&e.local.u.v4, &a, 4);
	assert_int_equal(e.local.family, AF_INET);
	assert_int_equal(e.lport, 0x1234);
	assert_int_equal(e.rport, 0);
	assert_int_equal(e.tx_queue, 0x340);
	assert_int_equal(e.uid, 1000);
	assert_int_equal(e.inode, 5002);

	assert_int_equal(icmpsock_parse_line("  219: B80D0120000000000000000010000000:003A "
		"00000000000000000000000000000000:0000 07 00000000:00000000 "
		"00:00000000 00000000     0        0 8002 2 00000000cce5ff70 0",
		AF_INET6, &e), 0);
	assert_memory_equal(e.local.u.bytes, want, 16);
	assert_int_equal(e.lport, IPPROTO_ICMPV6);
	assert_int_equal(e.tx_queue, 0);
	assert_int_equal(e.inode, 8002);

	/* header, a v6 line read as v4, a cut-off line, junk */
	errno = 0;
	assert_int_equal(icmpsock_parse_line("  sl  local_address rem_address   st "
		"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode", AF_INET, &e), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(icmpsock_parse_line("  219: B80D0120000000000000000010000000:003A "
		"00000000000000000000000000000000:0000 07 00000000:00000000 "
		"00:00000000 00000000     0        0 8002 2 0 0", AF_INET, &e), -1);
	assert_int_equal(icmpsock_parse_line("  185: 00000000:0001 00000000:0000 07 "
		"00000340:000", AF_INET, &e), -1);
	assert_int_equal(icmpsock_parse_line("  185: 0000000G:0001 00000000:0000 07 "
		"00000340:00000000 00:00000000 00000000     0        0 1 2 0 0",
		AF_INET, &e), -1);
	assert_int_equal(icmpsock_parse_line("", AF_INET, &e), -1);
	assert_int_equal(icmpsock_parse_line("1: x", AF_UNIX, &e), -1);
}

static struct icmpsock *open_data(void)
{
	struct icmpsock *is = icmpsock_new(DATA_ROOT);

	assert_non_null(is);
	return is;
}

static void test_ping_socket(void **state)
{
	struct icmpsock_result r;
	struct pkt_info pi;
	struct icmpsock *is;

	(void)state;
	need_little_endian();
	is = open_data();

	/* the socket bound to the source, not the one bound elsewhere */
	mkpkt(&pi, AF_INET, "192.0.2.10", "192.0.2.53", 8, 0x1234);
	assert_int_equal(icmpsock_lookup(is, &pi, -1, &r), 0);
	assert_false(r.raw);
	assert_int_equal(r.n_match, 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.c[0].inode, 5002);
	assert_false(r.c[0].sending);

	/* a wildcard-bound ping socket, of the queue's uid only */
	mkpkt(&pi, AF_INET, "192.0.2.10", "192.0.2.53", 8, 0x94f9);
	assert_int_equal(icmpsock_lookup(is, &pi, 1000, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.c[0].inode, 5001);
	assert_int_equal(r.c[0].uid, 1000);

	mkpkt(&pi, AF_INET6, "2001:db8::10", "2001:db8::53", 128, 0x5086);
	assert_int_equal(icmpsock_lookup(is, &pi, 0, &r), 0);
	assert_false(r.raw);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.c[0].inode, 7001);
	assert_true(r.c[0].sending);
	icmpsock_free(is);
}

static void test_raw_sockets(void **state)
{
	struct icmpsock_result r;
	struct pkt_info pi;
	struct icmpsock *is;

	(void)state;
	need_little_endian();
	is = open_data();

	/*
	 * No ping socket of that id from that address: raw ones.  6004 is
	 * bound elsewhere, 6005 is UDP's; of 6001-6003 two are sending.
	 */
	mkpkt(&pi, AF_INET, "192.0.2.99", "192.0.2.53", 8, 0x1234);
	assert_int_equal(icmpsock_lookup(is, &pi, -1, &r), 0);
	assert_true(r.raw);
	assert_int_equal(r.n_match, 3);
	assert_int_equal(r.n_sending, 2);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.c[0].inode, 6002);
	assert_int_equal(r.c[1].inode, 6003);

	/* the queue's uid leaves one */
	assert_int_equal(icmpsock_lookup(is, &pi, 1000, &r), 0);
	assert_int_equal(r.n_match, 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.c[0].inode, 6003);
	assert_int_equal(icmpsock_lookup(is, &pi, 0, &r), 0);
	assert_int_equal(r.n_match, 2);
	assert_int_equal(r.n_sending, 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.c[0].inode, 6002);
	assert_int_equal(icmpsock_lookup(is, &pi, 4242, &r), 0);
	assert_int_equal(r.n_match, 0);

	/* not an echo request: never a ping socket, even with a matching id */
	mkpkt(&pi, AF_INET, "192.0.2.10", "192.0.2.53", 13, 0);
	pi.icmp_id = 0x1234;
	assert_int_equal(icmpsock_lookup(is, &pi, 0, &r), 0);
	assert_true(r.raw);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.c[0].inode, 6002);

	/* the source an IPPROTO_RAW socket is bound to */
	mkpkt(&pi, AF_INET, "198.51.100.7", "192.0.2.53", 13, 0);
	assert_int_equal(icmpsock_lookup(is, &pi, 0, &r), 0);
	assert_int_equal(r.n_match, 3);
	assert_int_equal(r.n_sending, 2);

	/* IPv6: the wildcard and the ::10-bound socket, neither sending */
	mkpkt(&pi, AF_INET6, "2001:db8::10", "2001:db8::53", 128, 7);
	assert_int_equal(icmpsock_lookup(is, &pi, -1, &r), 0);
	assert_true(r.raw);
	assert_int_equal(r.n_match, 2);
	assert_int_equal(r.n_sending, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.c[0].inode, 8001);
	assert_int_equal(r.c[1].inode, 8002);

	/* not ICMP, or ICMPv6 over IPv4 */
	pi.proto = IPPROTO_UDP;
	assert_int_equal(icmpsock_lookup(is, &pi, -1, &r), -1);
	assert_int_equal(errno, EPROTONOSUPPORT);
	mkpkt(&pi, AF_INET, "192.0.2.10", "192.0.2.53", 8, 1);
	pi.proto = IPPROTO_ICMPV6;
	assert_int_equal(icmpsock_lookup(is, &pi, -1, &r), -1);
	assert_int_equal(errno, EPROTONOSUPPORT);
	icmpsock_free(is);
}

/* --- attribution on a fake /proc with processes --- */

struct fake {
	char root[TL_ROOT_MAX];
	struct resolver *r;
};

/* A ping process pid holding socket inode as fd 3. */
static void mk_ping(struct fake *fk, int pid, unsigned long long inode)
{
	struct tl_proc p = { .pid = pid, .ppid = 1, .comm = "ping" };

	tl_fake_proc(fk->root, &p);
	tl_fake_sock(fk->root, pid, 3, inode);
}

/* One wildcard-bound line (byte order plays no part) of a table. */
static void add_line(struct fake *fk, const char *table, int v6, unsigned int port,
		     unsigned int tx, unsigned long long inode)
{
	char path[128], line[256];
	const char *any = v6 ? "00000000000000000000000000000000" : "00000000";
	FILE *f;

	snprintf(path, sizeof(path), "%s/net/%s", fk->root, table);
	f = fopen(path, "a");
	assert_non_null(f);
	snprintf(line, sizeof(line), "  12: %s:%04X %s:0000 07 %08X:00000000 "
		 "00:00000000 00000000     0        0 %llu 2 0000000000000000 0\n",
		 any, port, any, tx, inode);
	fputs(line, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	struct fake *fk = calloc(1, sizeof(*fk));
	char path[128];

	assert_non_null(fk);
	tl_fake_root(fk->root, "icmpsock");
	snprintf(path, sizeof(path), "%s/net", fk->root);
	assert_int_equal(mkdir(path, 0755), 0);
	*state = fk;
	return 0;
}

static int teardown(void **state)
{
	struct fake *fk = *state;

	resolver_free(fk->r);
	tl_rm_tree(fk->root);
	free(fk);
	return 0;
}

/* The resolver with the queue's uid 0 and no gid, as the queue gives them. */
static int resolve(struct fake *fk, const struct pkt_info *pi,
		   struct resolver_result *res)
{
	if (!fk->r)
		fk->r = resolver_new(fk->root);
	if (!fk->r)
		skip();		/* no sock_diag here */
	return resolver_lookup(fk->r, pi, 0, -1, UINT64_MAX, res);
}

static void test_resolve_ping(void **state)
{
	struct fake *fk = *state;
	struct resolver_result res;
	struct pkt_info pi;

	mk_ping(fk, 400, 9001);
	add_line(fk, "icmp", 0, 0x94f9, 0, 9001);
	mkpkt(&pi, AF_INET, "192.0.2.10", "192.0.2.53", 8, 0x94f9);
	assert_int_equal(resolve(fk, &pi, &res), 0);
	assert_int_equal(res.n_procs, 1);
	assert_int_equal(res.procs[0].pid, 400);
	assert_string_equal(res.procs[0].comm, "ping");
	assert_true(res.has_inode);
	assert_int_equal(res.inode, 9001);
	assert_null(res.problem);
	assert_int_equal(res.gid, 0);

	/* the id of no socket, and no raw socket either */
	mkpkt(&pi, AF_INET, "192.0.2.10", "192.0.2.53", 8, 0x94fa);
	assert_int_equal(resolve(fk, &pi, &res), -1);
	assert_int_equal(res.n_procs, 0);
	assert_string_equal(res.problem, "no ping or raw icmp socket (closed before lookup)");

	/* an error the kernel sent, quoting someone's packet */
	mkpkt(&pi, AF_INET, "192.0.2.10", "192.0.2.53", 3, 0);
	assert_int_equal(resolve(fk, &pi, &res), -1);
	assert_string_equal(res.problem,
			    "icmp error quoting another packet: no socket sent it (the kernel did)");

	pi.has_icmp = false;
	assert_int_equal(resolve(fk, &pi, &res), -1);
	assert_string_equal(res.problem, "no icmp header (truncated)");
}

static void test_resolve_raw(void **state)
{
	struct fake *fk = *state;
	struct resolver_result res;
	struct pkt_info pi;

	mk_ping(fk, 300, 9100);
	mk_ping(fk, 301, 9101);
	mk_ping(fk, 302, 9102);
	add_line(fk, "raw6", 1, IPPROTO_ICMPV6, 0x340, 9100);
	add_line(fk, "raw6", 1, IPPROTO_ICMPV6, 0x340, 9101);
	add_line(fk, "raw6", 1, IPPROTO_ICMPV6, 0, 9102);

	/* two sending: the echo id is one holder's pid */
	mkpkt(&pi, AF_INET6, "2001:db8::10", "2001:db8::53", 128, 301);
	assert_int_equal(resolve(fk, &pi, &res), 0);
	assert_int_equal(res.n_procs, 1);
	assert_int_equal(res.procs[0].pid, 301);
	assert_int_equal(res.inode, 9101);
	assert_string_equal(res.problem, "raw socket: 2 sending, chosen by echo id = pid");

	/* nothing tells them apart: every candidate, no guess */
	mkpkt(&pi, AF_INET6, "2001:db8::10", "2001:db8::53", 128, 999);
	assert_int_equal(resolve(fk, &pi, &res), -1);
	assert_int_equal(res.n_procs, 0);
	assert_false(res.has_inode);
	assert_string_equal(res.problem, "ambiguous: 2 raw icmp sockets sending (pids 300,301)");
	mkpkt(&pi, AF_INET6, "2001:db8::10", "2001:db8::53", 1, 0);
	assert_int_equal(resolve(fk, &pi, &res), -1);
	assert_string_equal(res.problem, "ambiguous: 2 raw icmp sockets sending (pids 300,301)");
}

static void test_resolve_raw_idle(void **state)
{
	struct fake *fk = *state;
	struct resolver_result res;
	struct pkt_info pi;

	mk_ping(fk, 300, 9100);
	mk_ping(fk, 301, 9101);
	add_line(fk, "raw", 0, IPPROTO_ICMP, 0, 9100);
	add_line(fk, "raw", 0, IPPROTO_RAW, 0, 9101);
	mkpkt(&pi, AF_INET, "192.0.2.10", "192.0.2.53", 8, 300);
	assert_int_equal(resolve(fk, &pi, &res), -1);
	assert_int_equal(res.n_procs, 0);
	assert_string_equal(res.problem,
			    "raw socket: 2 candidates, none sending (closed before lookup?)");

	/* the one that is sending, whatever its echo id */
	add_line(fk, "raw", 0, IPPROTO_ICMP, 0x340, 9101);
	mkpkt(&pi, AF_INET, "192.0.2.10", "192.0.2.53", 8, 7);
	assert_int_equal(resolve(fk, &pi, &res), 0);
	assert_int_equal(res.procs[0].pid, 301);
	assert_null(res.problem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_ping_socket),
		cmocka_unit_test(test_raw_sockets),
		cmocka_unit_test_setup_teardown(test_resolve_ping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_raw_idle, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
