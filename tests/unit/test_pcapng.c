/*
 * Unit tests for the pcapng writer, reader and report: libpcap reads our
 * files back as an independent oracle; hand-made big-endian data and every
 * truncation of a file check the reader's bounds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapng.h"
#include "pcapng_read.h"
#include "report.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must name tests/data"
#endif

#define N_PKTS	4
#define TS_BASE	1795380243123456789ull	/* 2026-11-22T20:44:03.123456789Z */

static uint8_t pkts[N_PKTS][1600];
static uint32_t pkt_len[N_PKTS];

/* An IPv4 or IPv6 UDP packet to port 53 with payload bytes. */
static uint32_t make_udp(uint8_t *b, bool v6, uint16_t sport, uint32_t payload)
{
	uint32_t l4 = 8 + payload, hl = v6 ? 40 : 20, i;

	memset(b, 0, hl + l4);
	if (v6) {
		b[0] = 0x60;
		b[4] = l4 >> 8;
		b[5] = l4 & 0xff;
		b[6] = 17;
		b[7] = 64;
		inet_pton(AF_INET6, "2001:db8::10", b + 8);
		inet_pton(AF_INET6, "2001:db8::53", b + 24);
	} else {
		b[0] = 0x45;
		b[2] = (hl + l4) >> 8;
		b[3] = (hl + l4) & 0xff;
		b[8] = 64;
		b[9] = 17;
		inet_pton(AF_INET, "192.0.2.10", b + 12);
		inet_pton(AF_INET, "192.0.2.53", b + 16);
	}
	b[hl] = sport >> 8;
	b[hl + 1] = sport & 0xff;
	b[hl + 3] = 53;
	b[hl + 4] = l4 >> 8;
	b[hl + 5] = l4 & 0xff;
	for (i = 0; i < payload; i++)
		b[hl + 8 + i] = (uint8_t)(i * 7 + sport);
	return hl + l4;
}

static void set_proc(struct resolver_result *who, pid_t pid, const char *comm,
		     const char *exe, const char *cmdline, size_t cmdlen)
{
	struct resolver_proc *p = &who->procs[0];

	memset(who, 0, sizeof(*who));
	who->has_uid = true;
	who->uid = 1000;
	who->n_procs = 1;
	p->pid = pid;
	p->ppid = 1;
	p->uid = 1000;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	snprintf(p->exe, sizeof(p->exe), "%s", exe);
	memcpy(p->cmdline, cmdline, cmdlen);
	p->cmdline_len = cmdlen;
}

static void test_comment_format(void **state)
{
	struct resolver_result who;
	char buf[PCAPNG_COMMENT_MAX];

	(void)state;
	set_proc(&who, 1234, "dig", "/usr/bin/dig", "dig\0@192.0.2.53\0a\nb", 20);
	pcapng_format_comment(&who, buf, sizeof(buf));
	assert_string_equal(buf, "PID: 1234\nCmd: /usr/bin/dig\nArgs: dig @192.0.2.53 a b\n"
			    "UserId: 1000\nParentPID: 1\nComm: dig");
	memset(&who, 0, sizeof(who));
	who.problem = "socket not found";
	pcapng_format_comment(&who, buf, sizeof(buf));
	assert_string_equal(buf, "PID: unknown\nUserId: ?\nReason: socket not found");
	/* Truncated to the buffer, still terminated. */
	set_proc(&who, 1234, "dig", "/usr/bin/dig", "dig", 4);
	assert_int_equal(pcapng_format_comment(&who, buf, 10), 9);
	assert_string_equal(buf, "PID: 1234");
}

/* Four packets: v4 and v6 with a process, v4 without, v6 of 1500 bytes. */
static void write_file(const char *path)
{
	struct pcapng_writer *w = pcapng_writer_open(path, false);
	struct resolver_result who;
	char comment[PCAPNG_COMMENT_MAX];
	int i;

	assert_non_null(w);
	pkt_len[0] = make_udp(pkts[0], false, 40000, 30);
	pkt_len[1] = make_udp(pkts[1], true, 40001, 31);
	pkt_len[2] = make_udp(pkts[2], false, 40002, 1);
	pkt_len[3] = make_udp(pkts[3], true, 40003, 1500 - 48);
	for (i = 0; i < N_PKTS; i++) {
		struct pcapng_packet pk = {
			.ts_ns = TS_BASE + (uint64_t)i * 1000000001ull,
			.data = pkts[i],
			.caplen = pkt_len[i],
			.origlen = pkt_len[i] + (i == 3 ? 100 : 0),
			.comment = comment,
		};

		if (i == 2) {
			memset(&who, 0, sizeof(who));
			who.has_uid = true;
			who.uid = 33;
			who.problem = "socket not found";
		} else {
			set_proc(&who, 100 + i, i ? "curl" : "dig",
				 i ? "/usr/bin/curl" : "/usr/bin/dig", "x\0y", 4);
			pk.pid = 100 + i;
			pk.tid = 200 + i;
		}
		pcapng_format_comment(&who, comment, sizeof(comment));
		assert_int_equal(pcapng_writer_packet(w, &pk), 0);
	}
	assert_int_equal(pcapng_writer_close(w), 0);
}

static void test_libpcap_oracle(void **state)
{
	char path[] = "/tmp/ptrap-pcapng-XXXXXX", errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc;
	int fd = mkstemp(path), i;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path);
	pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!pc)
		fail_msg("libpcap cannot read our file: %s", errbuf);
	assert_int_equal(pcap_datalink(pc), DLT_RAW);
	for (i = 0; i < N_PKTS; i++) {
		uint64_t ts = TS_BASE + (uint64_t)i * 1000000001ull;

		if (pcap_next_ex(pc, &h, &data) != 1)
			fail_msg("packet %d: %s", i, pcap_geterr(pc));
		assert_int_equal(h->caplen, pkt_len[i]);
		assert_int_equal(h->len, pkt_len[i] + (i == 3 ? 100 : 0));
		assert_int_equal(h->ts.tv_sec, ts / 1000000000u);
		/* tv_usec holds nanoseconds at nano precision */
		assert_int_equal(h->ts.tv_usec, ts % 1000000000u);
		assert_memory_equal(data, pkts[i], pkt_len[i]);
	}
	assert_int_equal(pcap_next_ex(pc, &h, &data), PCAP_ERROR_BREAK);
	pcap_close(pc);
	unlink(path);
}

struct collected {
	int n;
	struct pcapng_record r[8];
	struct report_proc p[8];
	bool parsed[8];
};

static int collect(const struct pcapng_record *r, void *arg)
{
	struct collected *c = arg;

	if (c->n < 8) {
		c->r[c->n] = *r;
		c->parsed[c->n] = r->comment_len &&
			report_parse_comment(r->comment, r->comment_len, &c->p[c->n]) == 0;
		c->n++;
	}
	return 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? (size_t)n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void test_reader_roundtrip(void **state)
{
	char path[] = "/tmp/ptrap-pcapng-XXXXXX", err[256];
	struct collected c = { 0 };
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path);
	assert_int_equal(pcapng_read_file(path, collect, &c, err, sizeof(err)), N_PKTS);
	assert_int_equal(c.n, N_PKTS);
	assert_int_equal(c.r[0].linktype, PCAPNG_LINKTYPE_RAW);
	assert_int_equal(c.r[0].ts_ns, TS_BASE);
	assert_int_equal(c.r[3].ts_ns, TS_BASE + 3000000003ull);
	assert_int_equal(c.r[3].origlen, pkt_len[3] + 100);
	assert_int_equal(c.r[3].if_id, 0);
	assert_true(c.parsed[0]);
	assert_int_equal(c.p[0].pid, 100);
	assert_int_equal(c.p[0].ppid, 1);
	assert_int_equal(c.p[0].uid, 1000);
	assert_string_equal(c.p[0].comm, "dig");
	assert_string_equal(c.p[0].exe, "/usr/bin/dig");
	assert_string_equal(c.p[0].args, "x y");
	assert_true(c.r[1].has_pid);
	assert_int_equal(c.r[1].pid, 101);
	assert_int_equal(c.r[1].tid, 201);
	assert_string_equal(c.p[1].comm, "curl");
	assert_true(c.parsed[2]);
	assert_int_equal(c.p[2].pid, -1);
	assert_int_equal(c.p[2].uid, 33);
	assert_string_equal(c.p[2].reason, "socket not found");
	assert_false(c.r[2].has_pid);
	unlink(path);
}

/* Every prefix of a valid file: no crash, no over-read (exact-size copies). */
static void test_truncated(void **state)
{
	char path[] = "/tmp/ptrap-pcapng-XXXXXX", err[256];
	size_t len, cut;
	uint8_t *buf;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path);
	buf = slurp(path, &len);
	for (cut = 0; cut <= len; cut++) {
		struct collected c = { 0 };
		uint8_t *copy = malloc(cut ? cut : 1);
		long n;

		memcpy(copy, buf, cut);
		n = pcapng_read_buf(copy, cut, collect, &c, err, sizeof(err));
		if (cut == len)
			assert_int_equal(n, N_PKTS);
		else if (n < 0)
			assert_true(err[0] != '\0');
		else
			assert_true(n < N_PKTS);
		assert_true(c.n <= N_PKTS);
		free(copy);
	}
	/* A flipped length byte anywhere is refused or skipped, never trusted. */
	for (cut = 0; cut < len; cut++) {
		struct collected c = { 0 };
		uint8_t *copy = malloc(len);

		memcpy(copy, buf, len);
		copy[cut] ^= 0xff;
		pcapng_read_buf(copy, len, collect, &c, err, sizeof(err));
		free(copy);
	}
	free(buf);
	unlink(path);
}

/* Big-endian appenders for a hand-made file. */
static void be32(uint8_t **p, uint32_t v)
{
	(*p)[0] = v >> 24;
	(*p)[1] = v >> 16;
	(*p)[2] = v >> 8;
	(*p)[3] = v;
	*p += 4;
}

static void be16(uint8_t **p, uint16_t v)
{
	(*p)[0] = v >> 8;
	(*p)[1] = v;
	*p += 2;
}

static void be_finish(uint8_t *start, uint8_t **p)
{
	uint32_t total = (uint32_t)(*p - start) + 4;
	uint8_t *q = start + 4;

	be32(&q, total);
	be32(p, total);
}

/*
 * A big-endian section (Ethernet interface, microsecond default, a VLAN
 * tag, a comment) followed by a little-endian one from our writer.
 */
static void test_big_endian(void **state)
{
	uint8_t buf[4096], *p = buf, *s, ip[200];
	const char *comment = "PID: 77\nComm: be\nUserId: 5";
	char path[] = "/tmp/ptrap-pcapng-XXXXXX", err[256];
	struct collected c = { 0 };
	struct report *rp;
	size_t iplen, flen, clen = strlen(comment);
	uint8_t *file;
	char *out = NULL;
	size_t outlen = 0;
	FILE *mf;
	int fd, i;

	(void)state;
	iplen = make_udp(ip, false, 5353, 4);
	s = p;
	be32(&p, PCAPNG_BT_SHB);
	be32(&p, 0);
	be32(&p, PCAPNG_MAGIC);
	be16(&p, 1);
	be16(&p, 0);
	be32(&p, 0xffffffff);
	be32(&p, 0xffffffff);
	be_finish(s, &p);
	s = p;		/* an unknown block type: skipped */
	be32(&p, 0x0bad0bad);
	be32(&p, 0);
	be32(&p, 42);
	be_finish(s, &p);
	s = p;
	be32(&p, PCAPNG_BT_IDB);
	be32(&p, 0);
	be16(&p, PCAPNG_LINKTYPE_ETHERNET);
	be16(&p, 0);
	be32(&p, 262144);
	be_finish(s, &p);
	s = p;
	be32(&p, PCAPNG_BT_EPB);
	be32(&p, 0);
	be32(&p, 0);
	be32(&p, 0);		/* ts high */
	be32(&p, 1500000);	/* 1.5 s in microseconds */
	be32(&p, (uint32_t)iplen + 18);
	be32(&p, (uint32_t)iplen + 18);
	memset(p, 0, 12);
	p += 12;
	be16(&p, 0x8100);
	be16(&p, 7);
	be16(&p, 0x0800);
	memcpy(p, ip, iplen);
	p += iplen;
	while ((p - s) % 4)
		*p++ = 0;
	be16(&p, PCAPNG_OPT_COMMENT);
	be16(&p, (uint16_t)clen);
	memcpy(p, comment, clen);
	p += clen;
	while ((p - s) % 4)
		*p++ = 0;
	be16(&p, PCAPNG_EPB_PID_TID);
	be16(&p, 8);
	be32(&p, 77);
	be32(&p, 78);
	be32(&p, 0);		/* opt_endofopt */
	be_finish(s, &p);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file(path);
	file = slurp(path, &flen);
	assert_true((size_t)(p - buf) + flen < sizeof(buf) + 8192);
	{
		size_t blen = (size_t)(p - buf);
		uint8_t *all = malloc(blen + flen);

		memcpy(all, buf, blen);
		memcpy(all + blen, file, flen);
		assert_int_equal(pcapng_read_buf(all, blen + flen, collect, &c,
						 err, sizeof(err)), 1 + N_PKTS);
		assert_int_equal(c.r[0].linktype, PCAPNG_LINKTYPE_ETHERNET);
		assert_int_equal(c.r[0].ts_ns, 1500000000ull);
		assert_int_equal(c.r[0].caplen, iplen + 18);
		assert_true(c.r[0].has_pid);
		assert_int_equal(c.r[0].pid, 77);
		assert_int_equal(c.r[0].tid, 78);
		assert_true(c.parsed[0]);
		assert_int_equal(c.p[0].pid, 77);
		assert_int_equal(c.p[0].uid, 5);
		assert_string_equal(c.p[0].comm, "be");
		assert_int_equal(c.r[1].linktype, PCAPNG_LINKTYPE_RAW);
		assert_int_equal(c.r[1].ts_ns, TS_BASE);

		/* The report sees through the Ethernet + VLAN header. */
		rp = report_new();
		assert_non_null(rp);
		for (i = 0; i < c.n; i++) {
			/* comment pointers are into `all`, still alive here */
			assert_int_equal(report_add(rp, &c.r[i]), 0);
		}
		mf = open_memstream(&out, &outlen);
		report_print(rp, CLI_BY_PROCESS, true, mf);
		fclose(mf);
		assert_non_null(strstr(out, "{\"type\":\"process\",\"pid\":77,\"uid\":5,\"comm\":\"be\",\"exe\":\"\","
				       "\"packets\":1,\"bytes\":50,\"first\":\"1970-01-01T00:00:01.500000000Z\""));
		assert_non_null(strstr(out, "\"pid\":100,\"ppid\":1,\"uid\":1000,\"comm\":\"dig\",\"exe\":\"/usr/bin/dig\","
				       "\"packets\":1,\"bytes\":58,"));
		assert_non_null(strstr(out, "\"pid\":null,\"uid\":33,\"comm\":\"\",\"exe\":\"\",\"reason\":\"socket not found\""));
		assert_non_null(strstr(out, "\"destinations\":[{\"proto\":\"udp\",\"dst\":\"2001:db8::53\",\"dport\":53,\"packets\":1,"));
		free(out);
		out = NULL;
		mf = open_memstream(&out, &outlen);
		report_print(rp, CLI_BY_DESTINATION, false, mf);
		fclose(mf);
		/* Two destinations, each line followed by its processes. */
		assert_non_null(strstr(out, "udp 192.0.2.53:53: 3 packets, 137 bytes, "));
		assert_non_null(strstr(out, "    PID 100 comm=dig uid=1000 exe=/usr/bin/dig: 1 packets, 58 bytes"));
		assert_non_null(strstr(out, "udp [2001:db8::53]:53: 2 packets, "));
		free(out);
		report_free(rp);
		free(all);
	}
	free(file);
	unlink(path);
}

/* Files written by tshark (Ethernet on lo, little-endian), committed. */
static void test_tshark_fixture(void **state)
{
	char err[256];
	struct collected c = { 0 };
	long n;

	(void)state;
	n = pcapng_read_file(TEST_DATA_DIR "/pcapng/tshark-lo-dns.pcapng",
			     collect, &c, err, sizeof(err));
	if (n < 0)
		fail_msg("%s", err);
	assert_int_equal(n, 4);
	assert_int_equal(c.r[0].linktype, PCAPNG_LINKTYPE_ETHERNET);
}

static void test_not_pcapng(void **state)
{
	static const uint8_t pcap_magic[24] = { 0xd4, 0xc3, 0xb2, 0xa1 };
	char err[256];
	struct collected c = { 0 };

	(void)state;
	assert_int_equal(pcapng_read_buf(pcap_magic, sizeof(pcap_magic), collect,
					 &c, err, sizeof(err)), -1);
	assert_string_equal(err, "not a pcapng file (no section header block)");
	assert_int_equal(pcapng_read_buf(pcap_magic, 0, collect, &c, err,
					 sizeof(err)), -1);
	assert_int_equal(pcapng_read_file("/nonexistent/x", collect, &c, err,
					  sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comment_format),
		cmocka_unit_test(test_libpcap_oracle),
		cmocka_unit_test(test_reader_roundtrip),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_tshark_fixture),
		cmocka_unit_test(test_not_pcapng),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
