/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for addr: prefix and port range parsing, formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "addr.h"

/* Parse s, which must succeed, and check it prints back as want. */
static void check_prefix(const char *s, int family, const char *want,
			 unsigned int len)
{
	struct addr_prefix p;
	char buf[ADDR_STR_MAX];

	memset(&p, 0xa5, sizeof(p));
	if (addr_parse_prefix(s, &p) != 0)
		fail_msg("addr_parse_prefix(\"%s\") failed", s);
	assert_int_equal(p.ip.family, family);
	assert_int_equal(p.len, len);
	assert_non_null(addr_prefix_str(&p, buf, sizeof(buf)));
	assert_string_equal(buf, want);
}

static void check_prefix_bad(const char *s)
{
	struct addr_prefix p;

	memset(&p, 0, sizeof(p));
	errno = 0;
	if (addr_parse_prefix(s, &p) != -1)
		fail_msg("addr_parse_prefix(\"%s\") should fail", s);
	assert_int_equal(errno, EINVAL);
	/* out is untouched on failure */
	assert_int_equal(p.ip.family, 0);
}

static void test_prefix_ok(void **state)
{
	check_prefix("192.0.2.1", AF_INET, "192.0.2.1", 32);
	check_prefix("192.0.2.0/24", AF_INET, "192.0.2.0/24", 24);
	check_prefix("192.0.2.1/32", AF_INET, "192.0.2.1", 32);
	check_prefix("0.0.0.0/0", AF_INET, "0.0.0.0/0", 0);
	check_prefix("2001:db8::1", AF_INET6, "2001:db8::1", 128);
	check_prefix("2001:db8::/32", AF_INET6, "2001:db8::/32", 32);
	check_prefix("::1", AF_INET6, "::1", 128);
	check_prefix("::/0", AF_INET6, "::/0", 0);
	check_prefix("[2001:db8::1]", AF_INET6, "2001:db8::1", 128);
	check_prefix("[2001:db8::]/48", AF_INET6, "2001:db8::/48", 48);
	check_prefix("2001:DB8::A", AF_INET6, "2001:db8::a", 128);
	check_prefix("::ffff:192.0.2.1", AF_INET6, "::ffff:192.0.2.1", 128);
}

static void test_prefix_bytes(void **state)
{
	struct addr_prefix p;
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	assert_int_equal(addr_parse_prefix("198.51.100.7", &p), 0);
	assert_int_equal(p.ip.u.bytes[0], 198);
	assert_int_equal(p.ip.u.bytes[1], 51);
	assert_int_equal(p.ip.u.bytes[2], 100);
	assert_int_equal(p.ip.u.bytes[3], 7);
	assert_int_equal(p.ip.u.v4.s_addr, htonl(0xc6336407));

	assert_int_equal(addr_parse_prefix("2001:db8::1", &p), 0);
	assert_memory_equal(p.ip.u.bytes, v6, 16);
}

/* Host bits beyond len are accepted and cleared. */
static void test_prefix_normalize(void **state)
{
	check_prefix("192.0.2.77/24", AF_INET, "192.0.2.0/24", 24);
	check_prefix("192.0.2.255/25", AF_INET, "192.0.2.128/25", 25);
	check_prefix("192.0.2.255/31", AF_INET, "192.0.2.254/31", 31);
	check_prefix("198.51.100.7/0", AF_INET, "0.0.0.0/0", 0);
	check_prefix("198.51.100.7/9", AF_INET, "198.0.0.0/9", 9);
	check_prefix("198.51.100.7/10", AF_INET, "198.0.0.0/10", 10);
	check_prefix("198.51.100.7/11", AF_INET, "198.32.0.0/11", 11);
	check_prefix("2001:db8:ffff::1/32", AF_INET6, "2001:db8::/32", 32);
	check_prefix("2001:db8:ffff::1/33", AF_INET6, "2001:db8:8000::/33", 33);
	check_prefix("2001:db8::ffff/127", AF_INET6, "2001:db8::fffe/127", 127);
	check_prefix("ffff::1/1", AF_INET6, "8000::/1", 1);
}

static void test_prefix_bad(void **state)
{
	char longstr[200];

	check_prefix_bad("");
	check_prefix_bad("garbage");
	check_prefix_bad("example.com");
	check_prefix_bad("1.2.3.4/33");
	check_prefix_bad("::/129");
	check_prefix_bad("2001:db8::/200");
	check_prefix_bad("/24");
	check_prefix_bad("/");
	check_prefix_bad("1.2.3.4/");
	check_prefix_bad("1.2.3.4/2x");
	check_prefix_bad("1.2.3.4/-1");
	check_prefix_bad("1.2.3.4/+8");
	check_prefix_bad("1.2.3.4/ 8");
	check_prefix_bad("1.2.3.4/08");
	check_prefix_bad("1.2.3.4/0x8");
	check_prefix_bad("1.2.3.4/99999999999999999999999");
	check_prefix_bad("1.2.3.4/24/8");
	check_prefix_bad("+1.2.3.4");
	check_prefix_bad(" 1.2.3.4");
	check_prefix_bad("1.2.3.4 ");
	check_prefix_bad("1.2.3");
	check_prefix_bad("1.2.3.256");
	check_prefix_bad("1.2.3.4.5");
	/* glibc's inet_pton refuses these, so no octal/hex surprise */
	check_prefix_bad("01.2.3.4");
	check_prefix_bad("0x1.2.3.4");
	check_prefix_bad("2001:db8::1::2");
	check_prefix_bad("2001:db8::1%lo");
	check_prefix_bad("[192.0.2.1]");
	check_prefix_bad("[2001:db8::1");
	check_prefix_bad("2001:db8::1]");
	check_prefix_bad("[2001:db8::1]x");
	check_prefix_bad("[2001:db8::1]:53");
	check_prefix_bad("[]");

	memset(longstr, '0', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = '\0';
	check_prefix_bad(longstr);
	/* valid text made too long by leading zeros in the length */
	check_prefix_bad("1:2:3:4:5:6:7:8/"
			 "000000000000000000000000000000000000064");

	errno = 0;
	assert_int_equal(addr_parse_prefix(NULL, NULL), -1);
	assert_int_equal(errno, EINVAL);
}

static void check_ports(const char *s, unsigned int lo, unsigned int hi)
{
	struct addr_port_range r;

	if (addr_parse_port_range(s, &r) != 0)
		fail_msg("addr_parse_port_range(\"%s\") failed", s);
	assert_int_equal(r.lo, lo);
	assert_int_equal(r.hi, hi);
}

static void check_ports_bad(const char *s, int err)
{
	struct addr_port_range r = { 7, 7 };

	errno = 0;
	if (addr_parse_port_range(s, &r) != -1)
		fail_msg("addr_parse_port_range(\"%s\") should fail", s);
	if (errno != err)
		fail_msg("\"%s\": errno %d, want %d", s, errno, err);
	assert_int_equal(r.lo, 7);
	assert_int_equal(r.hi, 7);
}

static void test_ports_ok(void **state)
{
	check_ports("53", 53, 53);
	check_ports("1", 1, 1);
	check_ports("65535", 65535, 65535);
	check_ports("1024-2048", 1024, 2048);
	check_ports("1-65535", 1, 65535);
	check_ports("80-80", 80, 80);
}

static void test_ports_bad(void **state)
{
	check_ports_bad("0", ERANGE);
	check_ports_bad("65536", ERANGE);
	check_ports_bad("100000", ERANGE);
	check_ports_bad("99999999999999999999999999", ERANGE);
	check_ports_bad("18446744073709551616", ERANGE);
	check_ports_bad("18446744073709551669", ERANGE);
	check_ports_bad("0-53", ERANGE);
	check_ports_bad("53-65536", ERANGE);
	check_ports_bad("53-99999999999999999999999", ERANGE);
	check_ports_bad("5-3", EINVAL);
	check_ports_bad("", EINVAL);
	check_ports_bad("53-", EINVAL);
	check_ports_bad("-53", EINVAL);
	check_ports_bad("-", EINVAL);
	check_ports_bad("0x35", EINVAL);
	check_ports_bad("053", EINVAL);
	check_ports_bad(" 53", EINVAL);
	check_ports_bad("53 ", EINVAL);
	check_ports_bad("+53", EINVAL);
	check_ports_bad("53-+60", EINVAL);
	check_ports_bad("53--60", EINVAL);
	check_ports_bad("53-60-70", EINVAL);
	check_ports_bad("53,60", EINVAL);
	check_ports_bad("dns", EINVAL);
	check_ports_bad("99999x", EINVAL);
	check_ports_bad("5e3", EINVAL);
	check_ports_bad("53\n", EINVAL);
	check_ports_bad(NULL, EINVAL);
}

static void test_ip_str(void **state)
{
	struct addr_prefix p;
	char buf[ADDR_STR_MAX];
	char tiny[8];

	assert_int_equal(addr_parse_prefix("192.0.2.1", &p), 0);
	assert_ptr_equal(addr_ip_str(&p.ip, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "192.0.2.1");

	/* "192.0.2.1" needs 10 bytes */
	errno = 0;
	assert_null(addr_ip_str(&p.ip, tiny, sizeof(tiny)));
	assert_int_equal(errno, ENOSPC);
	assert_string_equal(tiny, "");

	assert_int_equal(addr_parse_prefix("2001:db8::1", &p), 0);
	assert_string_equal(addr_ip_str(&p.ip, buf, sizeof(buf)),
			    "2001:db8::1");

	p.ip.family = AF_UNIX;
	errno = 0;
	assert_null(addr_ip_str(&p.ip, buf, sizeof(buf)));
	assert_int_equal(errno, EAFNOSUPPORT);
	assert_string_equal(buf, "");
}

static void test_prefix_str_longest(void **state)
{
	struct addr_prefix p;
	char buf[ADDR_STR_MAX];
	char small[12];

	assert_int_equal(addr_parse_prefix("ffff:ffff:ffff:ffff:ffff:ffff:"
					   "255.255.255.255/127", &p), 0);
	assert_string_equal(addr_prefix_str(&p, buf, sizeof(buf)),
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");

	/* the address fits, the "/24" does not */
	assert_int_equal(addr_parse_prefix("192.0.2.0/24", &p), 0);
	errno = 0;
	assert_null(addr_prefix_str(&p, small, sizeof(small)));
	assert_int_equal(errno, ENOSPC);
	assert_string_equal(small, "");
}

static void test_endpoint_str(void **state)
{
	struct addr_prefix p;
	char buf[ADDR_STR_MAX];
	char small[16];

	assert_int_equal(addr_parse_prefix("192.0.2.1", &p), 0);
	assert_string_equal(addr_endpoint_str(&p.ip, 53, buf, sizeof(buf)),
			    "192.0.2.1:53");
	assert_string_equal(addr_endpoint_str(&p.ip, 65535, buf, sizeof(buf)),
			    "192.0.2.1:65535");
	assert_string_equal(addr_endpoint_str(&p.ip, 0, buf, sizeof(buf)),
			    "192.0.2.1:0");

	assert_int_equal(addr_parse_prefix("2001:db8::1", &p), 0);
	assert_string_equal(addr_endpoint_str(&p.ip, 53, buf, sizeof(buf)),
			    "[2001:db8::1]:53");

	/* "[2001:db8::1]:53" is 16 characters plus NUL */
	errno = 0;
	assert_null(addr_endpoint_str(&p.ip, 53, small, sizeof(small)));
	assert_int_equal(errno, ENOSPC);
	assert_string_equal(small, "");

	assert_int_equal(addr_parse_prefix("ffff:ffff:ffff:ffff:"
					   "ffff:ffff:ffff:ffff", &p), 0);
	assert_string_equal(addr_endpoint_str(&p.ip, 65535, buf, sizeof(buf)),
			    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}

static void test_ip_equal(void **state)
{
	struct addr_prefix a, b;

	assert_int_equal(addr_parse_prefix("192.0.2.1", &a), 0);
	assert_int_equal(addr_parse_prefix("192.0.2.1", &b), 0);
	assert_true(addr_ip_equal(&a.ip, &b.ip));
	assert_int_equal(addr_parse_prefix("192.0.2.2", &b), 0);
	assert_false(addr_ip_equal(&a.ip, &b.ip));
	/* same leading bytes, other family */
	assert_int_equal(addr_parse_prefix("c000:201::", &b), 0);
	assert_false(addr_ip_equal(&a.ip, &b.ip));

	assert_int_equal(addr_parse_prefix("2001:db8::1", &a), 0);
	assert_int_equal(addr_parse_prefix("[2001:0db8:0:0::1]", &b), 0);
	assert_true(addr_ip_equal(&a.ip, &b.ip));
	assert_int_equal(addr_parse_prefix("2001:db8::2", &b), 0);
	assert_false(addr_ip_equal(&a.ip, &b.ip));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_ok),
		cmocka_unit_test(test_prefix_bytes),
		cmocka_unit_test(test_prefix_normalize),
		cmocka_unit_test(test_prefix_bad),
		cmocka_unit_test(test_ports_ok),
		cmocka_unit_test(test_ports_bad),
		cmocka_unit_test(test_ip_str),
		cmocka_unit_test(test_prefix_str_longest),
		cmocka_unit_test(test_endpoint_str),
		cmocka_unit_test(test_ip_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
