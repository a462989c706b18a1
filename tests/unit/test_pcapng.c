/* SPDX-License-Identifier: GPL-2.0-or-later */
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
#include <net/if.h>
#include <unistd.h>

#include "comment.h"
#include "pcapng.h"
#include "pcapng_read.h"
#include "report.h"
#include "testlib.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must name tests/data"
#endif

#define N_PKTS	4
#define SLL_LEN	16	/* the writer's Linux cooked header */
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
			tl_set_who(&who, 100 + i, i ? "curl" : "dig",
				 i ? "/usr/bin/curl" : "/usr/bin/dig", "x\0y", 4);
			pk.pid = 100 + i;
			pk.tid = 200 + i;
		}
		comment_format(&who, comment, sizeof(comment));
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
	/* Linux cooked: libpcap 1.10 refuses a second raw-IP interface. */
	assert_int_equal(pcap_datalink(pc), DLT_LINUX_SLL);
	for (i = 0; i < N_PKTS; i++) {
		uint64_t ts = TS_BASE + (uint64_t)i * 1000000001ull;

		if (pcap_next_ex(pc, &h, &data) != 1)
			fail_msg("packet %d: %s", i, pcap_geterr(pc));
		assert_int_equal(h->caplen, SLL_LEN + pkt_len[i]);
		assert_int_equal(h->len, SLL_LEN + pkt_len[i] + (i == 3 ? 100 : 0));
		assert_int_equal(h->ts.tv_sec, ts / 1000000000u);
		/* tv_usec holds nanoseconds at nano precision */
		assert_int_equal(h->ts.tv_usec, ts % 1000000000u);
		/* outgoing, ARPHRD_NONE, no address, IPv4 or IPv6 */
		assert_int_equal(data[0] << 8 | data[1], 4);
		assert_int_equal(data[2] << 8 | data[3], 0xfffe);
		assert_int_equal(data[14] << 8 | data[15], i % 2 ? 0x86dd : 0x0800);
		assert_memory_equal(data + SLL_LEN, pkts[i], pkt_len[i]);
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
	char if_name[8][32];	/* r[].if_name points into a freed buffer */
};

static int collect(const struct pcapng_record *r, void *arg)
{
	struct collected *c = arg;

	if (c->n < 8) {
		c->r[c->n] = *r;
		c->parsed[c->n] = r->comment_len &&
			report_parse_comment(r->comment, r->comment_len, &c->p[c->n]) == 0;
		snprintf(c->if_name[c->n], sizeof(c->if_name[0]), "%.*s",
			 (int)r->if_name_len, r->if_name ? r->if_name : "");
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
	assert_int_equal(c.r[0].linktype, PCAPNG_LINKTYPE_LINUX_SLL);
	assert_int_equal(c.r[0].ts_ns, TS_BASE);
	assert_int_equal(c.r[3].ts_ns, TS_BASE + 3000000003ull);
	assert_int_equal(c.r[3].origlen, SLL_LEN + pkt_len[3] + 100);
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
	struct tl_capture cap;
	char *out;
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
		assert_int_equal(c.r[1].linktype, PCAPNG_LINKTYPE_LINUX_SLL);
		assert_int_equal(c.r[1].ts_ns, TS_BASE);

		/* The report sees through the Ethernet + VLAN header. */
		rp = report_new();
		assert_non_null(rp);
		for (i = 0; i < c.n; i++) {
			/* comment pointers are into `all`, still alive here */
			assert_int_equal(report_add(rp, &c.r[i]), 0);
		}
		assert_int_equal(report_print(rp, &(struct report_opts){
			.by = CLI_BY_PROCESS, .json = true },
			tl_capture_open(&cap)), 0);
		out = tl_capture_close(&cap);
		assert_non_null(strstr(out, "{\"type\":\"process\",\"pid\":77,\"uid\":5,\"comm\":\"be\",\"exe\":\"\","
				       "\"packets\":1,\"bytes\":32,\"first\":\"1970-01-01T00:00:01.500000000Z\""));
		assert_non_null(strstr(out, "\"pid\":100,\"ppid\":1,\"uid\":1000,\"comm\":\"dig\",\"exe\":\"/usr/bin/dig\","
				       "\"packets\":1,\"bytes\":58,"));
		assert_non_null(strstr(out, "\"pid\":null,\"uid\":33,\"comm\":\"\",\"exe\":\"\",\"reason\":\"socket not found\""));
		assert_non_null(strstr(out, "\"destinations\":[{\"proto\":\"udp\",\"dst\":\"2001:db8::53\",\"dport\":53,\"packets\":1,"));
		free(out);
		assert_int_equal(report_print(rp, &(struct report_opts){
			.by = CLI_BY_DESTINATION }, tl_capture_open(&cap)), 0);
		out = tl_capture_close(&cap);
		/* Two destinations, each line followed by its processes. */
		assert_non_null(strstr(out, "PACKETS  BYTES  "));
		assert_non_null(strstr(out, "  DESTINATION\n"));
		assert_non_null(strstr(out, "      3    119  "));
		assert_non_null(strstr(out, "  udp 192.0.2.53:53\n"));
		assert_non_null(strstr(out, "    dig (pid 100, uid 1000) /usr/bin/dig\n"));
		assert_non_null(strstr(out, "  udp [2001:db8::53]:53\n"));
		free(out);
		report_free(rp);
		free(all);
	}
	free(file);
	unlink(path);
}

static pcap_t *open_oracle(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc;

	pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
						     errbuf);
	if (!pc)
		fail_msg("libpcap cannot read %s: %s", path, errbuf);
	return pc;
}

static void write_one(struct pcapng_writer *w, int i, uint32_t ifindex)
{
	struct pcapng_packet pk = {
		.ts_ns = TS_BASE + (uint64_t)i,
		.data = pkts[i % N_PKTS],
		.caplen = pkt_len[i % N_PKTS],
		.origlen = pkt_len[i % N_PKTS],
		.comment = "PID: 1",
		.ifindex = ifindex,
	};

	assert_int_equal(pcapng_writer_packet(w, &pk), 0);
}

/* -S: caplen is cut to the snaplen, the original length is kept. */
static void test_snaplen(void **state)
{
	char path[] = "/tmp/ptrap-pcapng-XXXXXX", err[256];
	struct collected c = { 0 };
	struct pcapng_writer *w;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc;
	int fd = mkstemp(path), i;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path);	/* fills pkts[] */
	w = pcapng_writer_open_rotating(path, false, NULL, 60, 0600, NULL);
	assert_non_null(w);
	write_one(w, 3, 0);	/* 1500 bytes of IPv6 */
	write_one(w, 2, 0);	/* 29 bytes of IPv4: shorter than the snaplen */
	write_one(w, 7, 1);	/* another interface, the same snaplen */
	assert_int_equal(pcapng_writer_close(w), 0);

	pc = open_oracle(path);
	assert_int_equal(pcap_snapshot(pc), 60);
	for (i = 0; i < 3; i++) {
		uint32_t want = SLL_LEN + pkt_len[i == 1 ? 2 : 3];

		if (pcap_next_ex(pc, &h, &data) != 1)
			fail_msg("packet %d: %s", i, pcap_geterr(pc));
		assert_int_equal(h->len, want);
		assert_int_equal(h->caplen, want < 60 ? want : 60);
		assert_memory_equal(data + SLL_LEN, pkts[i == 1 ? 2 : 3],
				    h->caplen - SLL_LEN);
	}
	assert_int_equal(pcap_next_ex(pc, &h, &data), PCAP_ERROR_BREAK);
	pcap_close(pc);

	assert_int_equal(pcapng_read_file(path, collect, &c, err, sizeof(err)), 3);
	assert_int_equal(c.r[0].caplen, 60);
	assert_int_equal(c.r[0].origlen, SLL_LEN + pkt_len[3]);
	assert_int_equal(c.r[1].caplen, SLL_LEN + pkt_len[2]);
	unlink(path);
}


/*
 * One interface block per output interface, named after it, created when
 * first used and again in each new section; libpcap reads them all.
 */
static void test_interfaces(void **state)
{
	char path[] = "/tmp/ptrap-pcapng-XXXXXX", err[256], lo[IF_NAMESIZE];
	static const uint32_t ifx[] = { 1, 999999, 0, 1, 999999 };
	static const uint32_t want_id[] = { 1, 2, 0, 1, 1 };
	struct collected c = { 0 };
	struct pcapng_writer *w;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc;
	int fd = mkstemp(path), i;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path);
	if (!if_indextoname(1, lo))
		snprintf(lo, sizeof(lo), "if1");
	w = pcapng_writer_open(path, false);
	assert_non_null(w);
	for (i = 0; i < 4; i++)
		write_one(w, i, ifx[i]);
	/* SIGHUP on a file that was not moved: a new section in the same file. */
	assert_int_equal(pcapng_writer_reopen(w), 0);
	write_one(w, 4, ifx[4]);
	assert_int_equal(pcapng_writer_close(w), 0);

	assert_int_equal(pcapng_read_file(path, collect, &c, err, sizeof(err)), 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(c.r[i].if_id, want_id[i]);
		assert_int_equal(c.r[i].linktype, PCAPNG_LINKTYPE_LINUX_SLL);
	}
	assert_string_equal(c.if_name[0], lo);
	assert_string_equal(c.if_name[1], "if999999");
	assert_string_equal(c.if_name[2], "ptrap");
	assert_string_equal(c.if_name[3], lo);
	assert_string_equal(c.if_name[4], "if999999");

	pc = open_oracle(path);
	for (i = 0; i < 5; i++) {
		if (pcap_next_ex(pc, &h, &data) != 1)
			fail_msg("libpcap, packet %d: %s", i, pcap_geterr(pc));
		assert_int_equal(h->caplen, SLL_LEN + pkt_len[i % N_PKTS]);
		assert_int_equal(h->ts.tv_usec, (TS_BASE + (uint64_t)i) % 1000000000u);
	}
	assert_int_equal(pcap_next_ex(pc, &h, &data), PCAP_ERROR_BREAK);
	pcap_close(pc);
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

/* Everything the fixture holds, by our reader (copied out of its buffer). */
struct fx {
	long n;
	uint16_t linktype;
	uint32_t caplen[16], origlen[16];
	uint64_t ts[16];
	uint8_t data[16][128];
};

static int fx_collect(const struct pcapng_record *r, void *arg)
{
	struct fx *f = arg;

	if (f->n < 16) {
		f->linktype = r->linktype;
		f->caplen[f->n] = r->caplen;
		f->origlen[f->n] = r->origlen;
		f->ts[f->n] = r->ts_ns;
		memcpy(f->data[f->n], r->data, r->caplen < 128 ? r->caplen : 128);
	}
	f->n++;
	return 0;
}

/* Our reader and libpcap agree on every packet of path. */
static void compare_with_libpcap(const char *path, long want_n, int want_dlt)
{
	struct fx f = { 0 };
	struct pcap_pkthdr *h;
	const u_char *data;
	char err[256];
	pcap_t *pc;
	long i;

	if (pcapng_read_file(path, fx_collect, &f, err, sizeof(err)) < 0)
		fail_msg("%s: %s", path, err);
	assert_int_equal(f.n, want_n);
	pc = open_oracle(path);
	assert_int_equal(pcap_datalink(pc), want_dlt);
	for (i = 0; i < f.n; i++) {
		if (pcap_next_ex(pc, &h, &data) != 1)
			fail_msg("%s, packet %ld: %s", path, i, pcap_geterr(pc));
		assert_int_equal(h->caplen, f.caplen[i]);
		assert_int_equal(h->len, f.origlen[i]);
		assert_int_equal(h->ts.tv_sec, f.ts[i] / 1000000000u);
		assert_int_equal(h->ts.tv_usec, f.ts[i] % 1000000000u);
		assert_memory_equal(data, f.data[i], h->caplen < 128 ? h->caplen : 128);
	}
	assert_int_equal(pcap_next_ex(pc, &h, &data), PCAP_ERROR_BREAK);
	pcap_close(pc);
}

#define FIXTURE(name) TEST_DATA_DIR "/pcapng/" name

static void swap_at(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n / 2; i++) {
		uint8_t t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

/* Files the real tools wrote (see tests/data/pcapng/README). */
static void test_fixtures(void **state)
{
	char path[] = "/tmp/ptrap-pcap-XXXXXX";
	uint8_t *buf;
	size_t len, off;
	FILE *f;
	int fd;

	(void)state;
	compare_with_libpcap(FIXTURE("tcpdump-lo-dns.pcap"), 6, DLT_EN10MB);
	compare_with_libpcap(FIXTURE("tcpdump-any-nano.pcap"), 6, DLT_LINUX_SLL2);
	compare_with_libpcap(FIXTURE("dumpcap-lo-dns.pcapng"), 6, DLT_EN10MB);
	compare_with_libpcap(FIXTURE("tshark-lo-dns.pcapng"), 4, DLT_EN10MB);

	/*
	 * The same pcap in big-endian order, as a big-endian machine writes
	 * it: every header field swapped, packet bytes untouched.
	 */
	buf = slurp(FIXTURE("tcpdump-lo-dns.pcap"), &len);
	swap_at(buf, 4);	/* magic */
	swap_at(buf + 4, 2);	/* version */
	swap_at(buf + 6, 2);
	for (off = 8; off < 24; off += 4)
		swap_at(buf + off, 4);
	for (off = 24; off + 16 <= len; ) {
		uint32_t incl;
		int k;

		memcpy(&incl, buf + off + 8, 4);
		for (k = 0; k < 16; k += 4)
			swap_at(buf + off + k, 4);
		off += 16 + incl;
	}
	assert_int_equal(off, len);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	compare_with_libpcap(path, 6, DLT_EN10MB);
	unlink(path);
	free(buf);
}

/* The totals line of ptrap -r path with flt, e.g. "3 packets, ...". */
static char *summary_total(const char *path, const struct report_filter *flt)
{
	struct tl_capture cap;
	char *out, *last, err[256];

	if (report_file(path, &(struct report_opts){ .by = CLI_BY_FLOW }, flt,
			tl_capture_open(&cap),
			err, sizeof(err)) < 0)
		fail_msg("%s: %s", path, err);
	out = tl_capture_close(&cap);
	out[cap.len - 1] = '\0';	/* the final newline */
	last = strrchr(out, '\n');
	memmove(out, last ? last + 1 : out, strlen(last ? last + 1 : out) + 1);
	return out;
}

static void check_total(const char *path, const struct report_filter *flt,
			const char *want)
{
	char *got = summary_total(path, flt);

	assert_string_equal(got, want);
	free(got);
}

/* -r with -i, -p, --pid, --comm: a packet counts if it matches them all. */
static void test_filters(void **state)
{
	char path[] = "/tmp/ptrap-pcapng-XXXXXX";
	struct addr_prefix net[2];
	struct addr_port_range dns = { 53, 53 }, high = { 1024, 65535 };
	pid_t pids[2] = { 101, 100 };
	char comms[2][CLI_COMM_LEN] = { "curl", "dig" };
	struct report_filter f;
	int fd;

	(void)state;
	assert_int_equal(addr_parse_prefix("192.0.2.0/25", &net[0]), 0);
	assert_int_equal(addr_parse_prefix("2001:db8::/32", &net[1]), 0);
	/* tcpdump's capture: three queries to 192.0.2.53:53, three answers back. */
	check_total(FIXTURE("tcpdump-lo-dns.pcap"), NULL, "6 packets");
	memset(&f, 0, sizeof(f));
	f.ports = &dns;
	f.n_ports = 1;
	check_total(FIXTURE("tcpdump-lo-dns.pcap"), &f,
		    "3 packets, 3 left out by the filter");
	f.ports = &high;
	check_total(FIXTURE("tcpdump-lo-dns.pcap"), &f,
		    "3 packets, 3 left out by the filter");
	f.dests = &net[1];
	f.n_dests = 1;
	check_total(FIXTURE("tcpdump-lo-dns.pcap"), &f,
		    "0 packets, 6 left out by the filter");
	f.dests = net;
	f.n_dests = 2;
	f.n_ports = 0;
	check_total(FIXTURE("tcpdump-lo-dns.pcap"), &f,
		    "6 packets, 0 left out by the filter");
	/* No process in tcpdump's file: a pid filter keeps nothing. */
	f.pids = pids;
	f.n_pids = 1;
	check_total(FIXTURE("tcpdump-lo-dns.pcap"), &f,
		    "0 packets, 6 left out by the filter");

	/* Ours: dig 100 (v4), curl 101 (v6), unknown (v4), curl 103 (v6). */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file(path);
	memset(&f, 0, sizeof(f));
	f.pids = pids;
	f.n_pids = 1;
	check_total(path, &f, "1 packet, 3 left out by the filter");
	f.n_pids = 2;
	check_total(path, &f, "2 packets, 2 left out by the filter");
	f.comms = comms;
	f.n_comms = 1;		/* pid 101 or 100, and curl */
	check_total(path, &f, "1 packet, 3 left out by the filter");
	f.n_pids = 0;
	check_total(path, &f, "2 packets, 2 left out by the filter");
	f.dests = net;
	f.n_dests = 1;		/* curl, but only to 192.0.2.0/25 */
	check_total(path, &f, "0 packets, 4 left out by the filter");
	f.n_dests = 2;
	f.n_comms = 2;
	check_total(path, &f, "3 packets, 1 left out by the filter");
	unlink(path);
}

static void test_not_pcapng(void **state)
{
	static const uint8_t pcap_magic[24] = { 0xd4, 0xc3, 0xb2, 0xa1 };
	static const uint8_t other[24] = { 0x7f, 'E', 'L', 'F' };
	char err[256];
	struct collected c = { 0 };

	(void)state;
	assert_int_equal(pcapng_read_buf(other, sizeof(other), collect,
					 &c, err, sizeof(err)), -1);
	assert_string_equal(err, "not a pcapng or pcap file");
	/* A pcap magic with a version no tool writes. */
	assert_int_equal(pcapng_read_buf(pcap_magic, sizeof(pcap_magic), collect,
					 &c, err, sizeof(err)), -1);
	assert_string_equal(err, "unsupported pcap version 0.0");
	assert_int_equal(pcapng_read_buf(pcap_magic, 20, collect,
					 &c, err, sizeof(err)), -1);
	assert_string_equal(err, "truncated pcap file header");
	assert_int_equal(pcapng_read_buf(pcap_magic, 0, collect, &c, err,
					 sizeof(err)), -1);
	assert_int_equal(pcapng_read_file("/nonexistent/x", collect, &c, err,
					  sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libpcap_oracle),
		cmocka_unit_test(test_reader_roundtrip),
		cmocka_unit_test(test_snaplen),
		cmocka_unit_test(test_interfaces),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_tshark_fixture),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_not_pcapng),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
