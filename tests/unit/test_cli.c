/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for cli: command lines in, config or exit code + message out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "testlib.h"
#include "cli_table.h"

#define MAX_ARGS 40

/* One canonical line per config, so a table row can state all of it. */
static void dump_cfg(const struct ptrap_config *c, char *buf, size_t len)
{
	size_t pos = 0;
	unsigned int i;
	char a[ADDR_STR_MAX];

#define PUT(...) do { \
		int n_ = snprintf(buf + pos, len - pos, __VA_ARGS__); \
		assert_true(n_ >= 0 && (size_t)n_ < len - pos); \
		pos += (size_t)n_; \
	} while (0)

	PUT("udp=%d tcp=%d dests=", c->udp, c->tcp);
	for (i = 0; i < c->n_dests; i++)
		PUT("%s%s", i ? "," : "",
		    addr_prefix_str(&c->dests[i], a, sizeof(a)));
	PUT(" ports=");
	for (i = 0; i < c->n_ports; i++) {
		if (c->ports[i].lo == c->ports[i].hi)
			PUT("%s%u", i ? "," : "", c->ports[i].lo);
		else
			PUT("%s%u-%u", i ? "," : "", c->ports[i].lo,
			    c->ports[i].hi);
	}
	PUT(" exec=%s hold=%u timeout=%u max_hooks=%u json=%d v=%d queue=%u"
	    " backend=%s help=%d version=%d man=%d",
	    c->hook_cmd ? c->hook_cmd : "-", c->hold_ms, c->hook_timeout_ms,
	    c->max_hooks, c->json, c->verbosity, c->queue_num,
	    cli_backend_name(c->backend), c->help, c->version, c->man_options);
#undef PUT
}

/* Run cli_parse on a NULL-terminated list (argv[0] is added). */
static int parse(const char *const *args, struct ptrap_config *cfg,
		 char *err, size_t errlen, char **argv)
{
	int argc = 0;

	argv[argc++] = (char *)"ptrap";
	while (*args && argc < MAX_ARGS - 1)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return cli_parse(argc, argv, cfg, err, errlen);
}

#define D_REST " hold=500 timeout=10000 max_hooks=16 json=0 v=0 queue=4253" \
	" backend=auto help=0 version=0 man=0"

struct good_case {
	const char *args[MAX_ARGS];
	const char *expect;
};

static const struct good_case good[] = {
	/* the old script's command line */
	{ { "-u", "-i", "192.168.1.1", "-p", "53", "-e", "pstree -p -H" },
	  "udp=1 tcp=0 dests=192.168.1.1 ports=53 exec=pstree -p -H" D_REST },
	{ { "-t", "-i", "2001:db8::1" },
	  "udp=0 tcp=1 dests=2001:db8::1 ports= exec=-" D_REST },
	{ { "--udp", "--tcp", "--ip", "192.0.2.0/24", "--port=853" },
	  "udp=1 tcp=1 dests=192.0.2.0/24 ports=853 exec=-" D_REST },
	{ { "-ut", "-i192.0.2.1,2001:db8::1", "-p", "53,853,1000-2000" },
	  "udp=1 tcp=1 dests=192.0.2.1,2001:db8::1 ports=53,853,1000-2000"
	  " exec=-" D_REST },
	/* repeated options add up; exact duplicates are dropped */
	{ { "-u", "-i", "192.0.2.1", "-i", "198.51.100.7,192.0.2.1",
	    "-p", "53", "-p", "53,54", "-i", "192.0.2.9/24", "-i",
	    "192.0.2.0/24" },
	  "udp=1 tcp=0 dests=192.0.2.1,198.51.100.7,192.0.2.0/24 ports=53,54"
	  " exec=-" D_REST },
	{ { "-u", "-i", "::1", "-s", "0", "--hook-timeout", "1",
	    "--max-hooks", "1024", "-j", "--queue-num", "0",
	    "--backend", "none", "-vv", "--verbose" },
	  "udp=1 tcp=0 dests=::1 ports= exec=- hold=0 timeout=1 max_hooks=1024"
	  " json=1 v=3 queue=0 backend=none help=0 version=0 man=0" },
	{ { "-u", "-i", "::1", "-s", "60000", "--hook-timeout=3600000",
	    "--max-hooks", "1", "--queue-num", "65535", "--backend=iptables",
	    "-q", "-p", "1-65535" },
	  "udp=1 tcp=0 dests=::1 ports=1-65535 exec=- hold=60000"
	  " timeout=3600000 max_hooks=1 json=0 v=-1 queue=65535"
	  " backend=iptables help=0 version=0 man=0" },
	{ { "-t", "-i", "::1", "--backend", "nft", "--json" },
	  "udp=0 tcp=1 dests=::1 ports= exec=- hold=500 timeout=10000"
	  " max_hooks=16 json=1 v=0 queue=4253 backend=nft help=0 version=0"
	  " man=0" },
	/* help and version need nothing else, not even -i */
	{ { "-h" },
	  "udp=0 tcp=0 dests= ports= exec=- hold=500 timeout=10000"
	  " max_hooks=16 json=0 v=0 queue=4253 backend=auto help=1 version=0"
	  " man=0" },
	{ { "--version", "-u" },
	  "udp=1 tcp=0 dests= ports= exec=- hold=500 timeout=10000"
	  " max_hooks=16 json=0 v=0 queue=4253 backend=auto help=0 version=1"
	  " man=0" },
	{ { "--man-options" },
	  "udp=0 tcp=0 dests= ports= exec=- hold=500 timeout=10000"
	  " max_hooks=16 json=0 v=0 queue=4253 backend=auto help=0 version=0"
	  " man=1" },
	/* "--" ends the options; nothing may follow */
	{ { "-u", "-i", "::1", "--" },
	  "udp=1 tcp=0 dests=::1 ports= exec=-" D_REST },
};

static void test_good(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ptrap_config cfg;
		char err[256] = "junk", dump[1024];
		char *argv[MAX_ARGS];

		print_message("good[%zu]\n", i);
		assert_int_equal(parse(good[i].args, &cfg, err, sizeof(err),
				       argv), PTRAP_EXIT_OK);
		assert_string_equal(err, "");
		dump_cfg(&cfg, dump, sizeof(dump));
		assert_string_equal(dump, good[i].expect);
	}
}

struct bad_case {
	const char *args[MAX_ARGS];
	int code;
	const char *msg;	/* substring of the message */
};

static const struct bad_case bad[] = {
	{ { "-u", "-i", "::1", "-p", "0" }, 2, "invalid port '0' for -p" },
	{ { "-u", "-i", "::1", "-p", "65536" }, 2,
	  "invalid port '65536' for -p (expected 1-65535 or LO-HI)" },
	{ { "-u", "-i", "::1", "-p", "abc" }, 2, "'abc' for -p" },
	{ { "-u", "-i", "::1", "-p", "5-3" }, 2, "'5-3' for -p" },
	{ { "-u", "-i", "::1", "--port", "53,54,x" }, 2, "'x' for -p" },
	{ { "-u", "-i", "::1", "-p", "53,,54" }, 2,
	  "empty element in '53,,54' for -p" },
	{ { "-u", "-i", "::1", "-p", "53," }, 2, "empty element in '53,'" },
	{ { "-u", "-i", "::1", "-p", "" }, 2, "empty element in '' for -p" },
	{ { "-u", "-i", "300.1.1.1" }, 2,
	  "invalid address '300.1.1.1' for -i" },
	{ { "-u", "-i", "1.2.3.4/33" }, 2, "'1.2.3.4/33' for -i" },
	{ { "-u", "-i", "::/129" }, 2, "'::/129' for -i" },
	{ { "-u", "-i", ",::1" }, 2, "empty element in ',::1' for -i" },
	{ { "-u", "-i", "::1", "-e", "" }, 2, "empty command for -e" },
	{ { "-u", "-i", "::1", "-e", "a", "-e", "b" }, 2,
	  "-e given more than once" },
	{ { "-u", "-i", "::1", "-s", "60001" }, 2,
	  "invalid hold time '60001' for -s" },
	{ { "-u", "-i", "::1", "-s", "-1" }, 2, "'-1' for -s" },
	{ { "-u", "-i", "::1", "-s", " 5" }, 2, "' 5' for -s" },
	{ { "-u", "-i", "::1", "-s", "5ms" }, 2, "'5ms' for -s" },
	{ { "-u", "-i", "::1", "-s", "+5" }, 2, "'+5' for -s" },
	{ { "-u", "-i", "::1", "-s", "" }, 2, "'' for -s" },
	{ { "-u", "-i", "::1", "-s", "99999999999999999999999" }, 2,
	  "'99999999999999999999999' for -s" },
	{ { "-u", "-i", "::1", "--hook-timeout", "0" }, 2,
	  "'0' for --hook-timeout" },
	{ { "-u", "-i", "::1", "--hook-timeout", "3600001" }, 2,
	  "'3600001' for --hook-timeout" },
	{ { "-u", "-i", "::1", "--max-hooks", "1025" }, 2,
	  "'1025' for --max-hooks" },
	{ { "-u", "-i", "::1", "--max-hooks", "0" }, 2,
	  "'0' for --max-hooks" },
	{ { "-u", "-i", "::1", "--queue-num", "65536" }, 2,
	  "invalid queue number '65536' for --queue-num" },
	{ { "-u", "-i", "::1", "--queue-num", "0x10" }, 2,
	  "'0x10' for --queue-num" },
	{ { "-u", "-i", "::1", "--backend", "foo" }, 2,
	  "invalid backend 'foo' for --backend" },
	{ { "-u", "-i", "::1", "--backend", "NFT" }, 2, "'NFT' for --backend" },
	{ { "-u", "-i", "::1", "--bogus" }, 2, "unknown option '--bogus'" },
	{ { "-u", "-i", "::1", "-x" }, 2, "unknown option '-x'" },
	{ { "-uz", "-i", "::1" }, 2, "unknown option '-z'" },
	{ { "-u", "--h" }, 2, "ambiguous option '--h'" },
	{ { "-u", "--udp=yes", "-i", "::1" }, 2,
	  "option '--udp=yes' takes no argument" },
	{ { "-u", "-i" }, 2, "option -i needs a value (ADDR[/LEN])" },
	{ { "-u", "--ip" }, 2, "option --ip needs a value" },
	{ { "-u", "-i", "::1", "--queue-num" }, 2,
	  "option --queue-num needs a value (N)" },
	/* words after the options are a filter expression */
	{ { "-u", "-i", "::1", "extra" }, 2,
	  "filter expression: 'extra': expected a primitive" },
	{ { "-u", "-i", "::1", "--", "-t" }, 2,
	  "unexpected argument '-t': options go before the filter expression" },
	{ { "-u", "-i", "::1", "-q", "-v" }, 2,
	  "-q and -v cannot be combined" },
	/* value errors are found even when help was asked for */
	{ { "-h", "-p", "0" }, 2, "'0' for -p" },
	{ { NULL }, 3, "no destination: give -i ADDR" },
	{ { "-u", "-t", "-p", "53" }, 3, "no destination: give -i ADDR" },
	{ { "-i", "192.0.2.1" }, 4, "no protocol" },
	{ { "-i", "192.0.2.1", "-p", "53", "-e", "true" }, 4, "no protocol" },
	{ { "-r", "f", "-w", "g" }, 2,
	  "-w does not apply to -r, which only summarises capture files: drop -w" },
	{ { "-r", "f", "--count", "3" }, 2, "--count does not apply to -r" },
	{ { "-r", "f", "-n", "0" }, 2, "-n does not apply to -r" },
	{ { "-r", "f", "-e", "true" }, 2, "-e does not apply to -r" },
	{ { "-r", "f", "g", "-n", "5" }, 2, "-n does not apply to -r" },
	{ { "-r", "" }, 2, "empty file name for -r" },
	{ { "-u", "-i", "::1", "-w", "g.pcapng", "-G", "5" }, 2,
	  "-G 5 would overwrite 'g.pcapng' at each rotation" },
	{ { "-u", "-i", "::1", "-w", "g-%H.pcapng", "-G", "60" }, 2,
	  "the time in 'g-%H.pcapng' changes only every 3600 seconds" },
	{ { "-u", "-i", "::1", "-w", "g-%%M.pcapng", "-G", "60" }, 2,
	  "-G 60 would overwrite" },
	{ { "-r", "f", "--by", "host" }, 2,
	  "invalid grouping 'host' for --by (expected process, comm, exe, "
	  "user, unit, destination, flow or name)" },
	{ { "-r", "f", "--sort", "time" }, 2,
	  "invalid order 'time' for --sort (expected packets, bytes, first or last)" },
	{ { "-r", "f", "--top", "0" }, 2, "invalid group count '0' for --top" },
	{ { "-u", "-i", "::1", "-w", "" }, 2, "empty file name for -w" },
	{ { "-w", "f.pcapng", "-u" }, 3, "no destination: give -i ADDR" },
	/* matching, reporting and privilege options */
	{ { "-u", "-c", "-i", "::1" }, 5, "-c traps TCP connection attempts" },
	{ { "--icmp", "-c", "-i", "::1" }, 5, "it needs -t" },
	{ { "-c", "-i", "::1" }, 5, "it needs -t" },
	{ { "--icmp" }, 3, "no destination" },
	{ { "-u", "-i", "::1", "-o", "" }, 2, "empty element in '' for -o" },
	{ { "-u", "-i", "::1", "-o", "0123456789abcdef" }, 2,
	  "invalid interface '0123456789abcdef' for -o" },
	{ { "-u", "-i", "::1", "-o", "eth0/1" }, 2, "'eth0/1' for -o" },
	{ { "-u", "-i", "::1", "-o", "a b" }, 2, "'a b' for -o" },
	{ { "-u", "-i", "::1", "-o", ".." }, 2, "'..' for -o" },
	{ { "-u", "-i", "::1", "-o", "eth*" }, 2, "'eth*' for -o" },
	{ { "-u", "-i", "::1", "-o", "a\"b" }, 2, "'a\"b' for -o" },
	{ { "-u", "-i", "::1", "-o", "a,b,c,d,e,f,g,h,i" }, 2,
	  "too many interfaces for -o (max 8)" },
	{ { "-u", "-i", "::1", "--uid", "no-such-user-ptrap" }, 2,
	  "invalid user 'no-such-user-ptrap' for --uid" },
	{ { "-u", "-i", "::1", "--uid", "4294967295" }, 2, "for --uid" },
	{ { "-u", "-i", "::1", "--uid", "-1" }, 2, "'-1' for --uid" },
	{ { "-u", "-i", "::1", "--comm", "0123456789abcdef" }, 2,
	  "invalid command name '0123456789abcdef' for --comm" },
	{ { "-u", "-i", "::1", "--unit", "a/b.service" }, 2,
	  "invalid unit 'a/b.service' for --unit" },
	{ { "-u", "-i", "::1", "--unit", "a b" }, 2, "for --unit" },
	{ { "-u", "-i", "::1", "--container", "docker:" }, 2,
	  "invalid container 'docker:' for --container" },
	{ { "-u", "-i", "::1", "--container", "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q" }, 2,
	  "too many containers for --container (max 16)" },
	{ { "-u", "-i", "::1", "-n", "1000001" }, 2, "invalid rate" },
	{ { "-u", "-i", "::1", "-n", "-1" }, 2, "'-1' for -n" },
	{ { "-u", "-i", "::1", "--count", "0" }, 2,
	  "invalid count '0' for --count (expected 1-4000000000)" },
	{ { "-u", "-i", "::1", "--count", "4000000001" }, 2, "for --count" },
	{ { "-u", "-i", "::1", "-Z", "no-such-user-ptrap" }, 2,
	  "invalid user 'no-such-user-ptrap' for -Z" },
	{ { "-u", "-i", "::1", "-Z", "" }, 2, "invalid user '' for -Z" },
	{ { "-u", "-i", "::1", "-S", "100" }, 2, "-S needs -w" },
	{ { "-u", "-i", "::1", "-w", "f", "-S", "262145" }, 2,
	  "invalid snapshot length '262145' for -S" },
	{ { "-u", "-i", "::1", "--pid", "1" }, 2, "--pid selects packets" },
	{ { "-r", "f", "--pid", "0" }, 2, "invalid process id '0' for --pid" },
	{ { "-r", "f", "--pid", "4194305" }, 2, "for --pid" },
	{ { "-u", "-i", "::1", "--name", "a.*.test" }, 2,
	  "invalid name pattern 'a.*.test' for --name: '*' only as the whole "
	  "first label" },
	{ { "-u", "-i", "::1", "--name", "a..test" }, 2,
	  "invalid name pattern 'a..test' for --name" },
	{ { "-u", "-i", "::1", "--name", "" }, 2, "for --name" },
	{ { "--dns", "-p", "53" }, 2, "--dns traps port 53: drop -p" },
	{ { "-u", "-i", "::1", "--resolv-conf", "/x" }, 2,
	  "--resolv-conf needs --dns" },
	{ { "--dns", "--resolv-conf", "/nonexistent/resolv.conf" }, 2,
	  "cannot read '/nonexistent/resolv.conf' for --resolv-conf" },
};

static void test_bad(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ptrap_config cfg;
		char err[256];
		char *argv[MAX_ARGS];

		print_message("bad[%zu]\n", i);
		assert_int_equal(parse(bad[i].args, &cfg, err, sizeof(err),
				       argv), bad[i].code);
		if (strstr(err, bad[i].msg) == NULL)
			fail_msg("message '%s' lacks '%s'", err, bad[i].msg);
		assert_null(strchr(err, '\n'));
	}
}

/* The fields of the matching, reporting and privilege options. */
static void test_new_options(void **state)
{
	const char *defaults[] = { "-u", "-i", "::1", NULL };
	const char *all[] = { "-t", "--icmp", "-c", "-i", "::1",
		"-o", "lo,eth0", "-o", "lo", "--uid", "0,root,65534",
		"--comm", "dig,curl", "--comm", "dig", "-n", "0",
		"--unit", "nginx.service,ssh", "--container", "docker:0123,web",
		"--count", "4000000000", "-Z", "root", "--hook-caps",
		"--no-bpf", "--syslog-only", "-w", "f", "-S", "262144", NULL };
	const char *names[] = { "-u", "-i", "::1", "--name", "*.example.test",
		"--name", "a,b.test", NULL };
	const char *report[] = { "-r", "f", "--pid", "1,4194304",
		"--pid", "1", "--comm", "x", NULL };
	struct ptrap_config cfg;
	char err[256], *argv[MAX_ARGS];

	(void)state;
	assert_int_equal(parse(defaults, &cfg, err, sizeof(err), argv), 0);
	assert_int_equal(cfg.rate_per_min, CLI_DEFAULT_RATE);
	assert_int_equal(cfg.rate_per_min, 20);
	assert_false(cfg.icmp || cfg.connect_only || cfg.syslog ||
		     cfg.syslog_only || cfg.hook_caps || cfg.no_bpf);
	assert_int_equal(cfg.n_out_ifaces + cfg.n_uids + cfg.n_comms +
			 cfg.n_pids, 0);
	assert_true(cfg.max_reports == 0 && cfg.snaplen == 0);
	assert_null(cfg.run_as_user);
	assert_int_equal(cfg.n_names, 0);
	/* --name repeats; a comma is a byte of the name, not a separator */
	assert_int_equal(parse(names, &cfg, err, sizeof(err), argv), 0);
	assert_int_equal(cfg.n_names, 2);
	assert_string_equal(cfg.names[0], "*.example.test");
	assert_string_equal(cfg.names[1], "a,b.test");
	/* --dns: udp and tcp to port 53 of the stub and the given servers */
	{
		const char *dns[] = { "--dns", "-i", "192.0.2.0/24",
			"--resolv-conf", TEST_DATA_DIR "/dnslink/resolv.conf", NULL };
		char s[ADDR_STR_MAX];

		assert_int_equal(parse(dns, &cfg, err, sizeof(err), argv), 0);
		assert_true(cfg.udp && cfg.tcp && cfg.dns);
		assert_int_equal(cfg.n_ports, 1);
		assert_int_equal(cfg.ports[0].lo, 53);
		/* 192.0.2.53 is inside -i's prefix already */
		assert_int_equal(cfg.n_dests, 3);
		assert_string_equal(addr_prefix_str(&cfg.dests[1], s, sizeof(s)),
				    "127.0.0.53");
		assert_string_equal(addr_prefix_str(&cfg.dests[2], s, sizeof(s)),
				    "2001:db8::53");
	}

	assert_int_equal(parse(all, &cfg, err, sizeof(err), argv), 0);
	assert_true(cfg.tcp && cfg.icmp && cfg.connect_only && !cfg.udp);
	assert_int_equal(cfg.n_out_ifaces, 2);
	assert_string_equal(cfg.out_ifaces[0], "lo");
	assert_string_equal(cfg.out_ifaces[1], "eth0");
	/* "root" is uid 0 again: duplicates are dropped */
	assert_int_equal(cfg.n_uids, 2);
	assert_int_equal(cfg.uids[0], 0);
	assert_int_equal(cfg.uids[1], 65534);
	assert_int_equal(cfg.n_comms, 2);
	assert_string_equal(cfg.comms[0], "dig");
	assert_string_equal(cfg.comms[1], "curl");
	assert_int_equal(cfg.n_units, 2);
	assert_string_equal(cfg.units[1], "ssh");
	assert_int_equal(cfg.n_containers, 2);
	assert_string_equal(cfg.containers[0], "docker:0123");
	assert_int_equal(cfg.rate_per_min, 0);
	assert_true(cfg.max_reports == 4000000000ull);
	assert_string_equal(cfg.run_as_user, "root");
	assert_true(cfg.hook_caps && cfg.syslog && cfg.syslog_only && cfg.no_bpf);
	assert_int_equal(cfg.snaplen, 262144);

	/* -r takes the filters and needs no protocol or destination */
	assert_int_equal(parse(report, &cfg, err, sizeof(err), argv), 0);
	assert_int_equal(cfg.n_pids, 2);
	assert_int_equal(cfg.pids[0], 1);
	assert_int_equal(cfg.pids[1], 4194304);
	assert_int_equal(cfg.n_comms, 1);
}

/* 64 destinations fit; the 65th is a usage error naming the limit. */
static void test_too_many(void **state)
{
	static char list[65 * 16];
	static char ports[33 * 8];
	const char *args[] = { "-u", "-i", list, NULL, NULL, NULL };
	struct ptrap_config cfg;
	char err[256], *argv[MAX_ARGS];
	size_t pos = 0;
	int i;

	for (i = 0; i < 64; i++)
		pos += (size_t)sprintf(list + pos, "%s192.0.2.%d",
				       i ? "," : "", i);
	assert_int_equal(parse(args, &cfg, err, sizeof(err), argv), 0);
	assert_int_equal(cfg.n_dests, 64);

	sprintf(list + pos, ",198.51.100.1");
	assert_int_equal(parse(args, &cfg, err, sizeof(err), argv), 2);
	assert_string_equal(err, "too many addresses for -i (max 64)");

	/* the same through 65 separate -i options */
	{
		static char addrs[65][16];
		char *argv2[2 + 2 * 65 + 2];
		int argc = 0;

		argv2[argc++] = (char *)"ptrap";
		argv2[argc++] = (char *)"-t";
		for (i = 0; i < 65; i++) {
			sprintf(addrs[i], "192.0.2.%d", i);
			argv2[argc++] = (char *)"-i";
			argv2[argc++] = addrs[i];
		}
		argv2[argc] = NULL;
		assert_int_equal(cli_parse(argc, argv2, &cfg, err,
					   sizeof(err)), 2);
		assert_non_null(strstr(err, "(max 64)"));
		assert_int_equal(cli_parse(argc - 2, argv2, &cfg, err,
					   sizeof(err)), 0);
		assert_int_equal(cfg.n_dests, 64);
	}

	pos = 0;
	for (i = 0; i < 33; i++)
		pos += (size_t)sprintf(ports + pos, "%s%d", i ? "," : "",
				       i + 1);
	args[1] = "-i";
	args[2] = "::1";
	args[3] = "-p";
	args[4] = ports;
	assert_int_equal(parse(args, &cfg, err, sizeof(err), argv), 2);
	assert_string_equal(err, "too many ports for -p (max 32)");
	ports[strlen(ports) - 3] = '\0';	/* drop ",33" */
	assert_int_equal(parse(args, &cfg, err, sizeof(err), argv), 0);
	assert_int_equal(cfg.n_ports, 32);
	assert_int_equal(cfg.ports[31].lo, 32);
}

/* Hostile lengths: a 10k argument is refused with a short message. */
static void test_overlong(void **state)
{
	static char big[10001], opt[10001];
	const char *cases[][5] = {
		{ "-u", "-i", big, NULL },
		{ "-u", "-p", big, NULL },
		{ "-u", "-s", big, NULL },
		{ "-u", "--backend", big, NULL },
		{ "-u", opt, NULL, NULL },
		{ "-u", "-i", "::1", big },
	};
	struct ptrap_config cfg;
	char err[256], *argv[MAX_ARGS];
	size_t i;

	memset(big, '1', sizeof(big) - 1);
	memset(opt, 'z', sizeof(opt) - 1);
	opt[0] = opt[1] = '-';
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("overlong[%zu]\n", i);
		assert_int_equal(parse(cases[i], &cfg, err, sizeof(err), argv),
				 PTRAP_EXIT_USAGE);
		assert_true(strlen(err) < 160);
		assert_non_null(strstr(err, "...'"));
	}

	/* a long hook command is fine: it is the user's shell code */
	{
		const char *args[] = { "-u", "-i", "::1", "-e", big, NULL };

		assert_int_equal(parse(args, &cfg, err, sizeof(err), argv), 0);
		assert_ptr_equal(cfg.hook_cmd, argv[5]);
	}
}

/* Strings point into argv; small or missing error buffers are safe. */
static void test_argv_and_errbuf(void **state)
{
	const char *args[] = { "-u", "-i", "::1", "-e", "pstree -p -H", NULL };
	const char *badargs[] = { "-u", "-i", "300.1.1.1", NULL };
	struct ptrap_config cfg;
	char err[8], *argv[MAX_ARGS];

	assert_int_equal(parse(args, &cfg, NULL, 0, argv), 0);
	assert_ptr_equal(cfg.hook_cmd, argv[5]);

	memset(err, 'x', sizeof(err));
	assert_int_equal(parse(badargs, &cfg, err, sizeof(err), argv), 2);
	assert_string_equal(err, "invalid");
	assert_int_equal(parse(badargs, &cfg, NULL, 0, argv), 2);
}

static const char *const visible[] = {
	"udp", "tcp", "ip", "port", "exec", "hold", "hook-timeout",
	"max-hooks", "json", "verbose", "quiet", "queue-num", "backend",
	"write", "flush", "file-size", "rotate-seconds", "file-count", "read",
	"by", "help", "version", "icmp", "connect", "out-interface", "uid",
	"comm", "unit", "container", "every-packet", "rate", "count", "hook-caps",
	"user", "syslog", "syslog-only",
	"snaplen", "pid", "batch-wait", "name", "sort", "top", "no-bpf", "dns",
	"resolv-conf",
};

static void test_help(void **state)
{
	size_t len, i;
	char *h = tl_capture(cli_print_help, &len);
	char *line, *save = NULL;
	char needle[64];

	assert_true(strncmp(h, "Usage: ptrap ", 13) == 0);
	for (i = 0; i < sizeof(visible) / sizeof(visible[0]); i++) {
		snprintf(needle, sizeof(needle), "--%s", visible[i]);
		if (strstr(h, needle) == NULL)
			fail_msg("--help lacks %s", needle);
	}
	assert_null(strstr(h, "man-options"));
	assert_non_null(strstr(h, "  -i, --ip ADDR[/LEN]     Destination"));
	assert_non_null(strstr(h, "      --hook-timeout MS   Kill"));
	assert_non_null(strstr(h, "  5  -c without -t\n"));
	assert_non_null(strstr(h, "  7  another ptrap"));
	assert_non_null(strstr(h,
		"  ptrap -u -i 192.168.1.1 -p 53 -e \"pstree -p -H\"\n"));
	for (line = strtok_r(h, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > 80)
			fail_msg("help line too long: %s", line);
	free(h);
}

static void test_man_options(void **state)
{
	size_t len, n_tp = 0, i;
	char *m = tl_capture(cli_print_man_options, &len);
	const char *p;

	for (p = m; (p = strstr(p, ".TP\n")) != NULL; p++)
		n_tp++;
	assert_int_equal(n_tp, sizeof(visible) / sizeof(visible[0]));
	assert_true(strncmp(m, ".TP\n\\fB\\-u\\fR, \\fB\\-\\-udp\\fR\n", 27)
		    == 0);
	assert_non_null(strstr(m, ".TP\n\\fB\\-\\-hook\\-timeout\\fR"
			       " \\fIMS\\fR\nKill the hook's process group"));
	assert_non_null(strstr(m, "\\fIPORT[\\-PORT]\\fR"));
	assert_non_null(strstr(m, "range, 1\\-65535."));
	assert_non_null(strstr(m, "comma-separated"));
	assert_null(strstr(m, "man\\-options"));
	/* no raw dash may reach roff except hyphens inside words */
	for (i = 0; i + 1 < len; i++)
		if (m[i + 1] == '-' && m[i] == ' ')
			fail_msg("unescaped dash at %zu", i);
	free(m);
}

/* -w/-r/--flush/--by land in the config; -r needs neither -i nor -u. */
static void test_pcapng_options(void **state)
{
	const char *w[] = { "-u", "-i", "::1", "-w", "out.pcapng", "--flush", NULL };
	const char *r[] = { "-r", "in.pcapng", "--by", "flow", "-j", NULL };
	const char *d[] = { "--read=-", "--by", "destination", NULL };
	struct ptrap_config cfg;
	char err[256], *argv[MAX_ARGS];

	(void)state;
	assert_int_equal(parse(w, &cfg, err, sizeof(err), argv), PTRAP_EXIT_OK);
	assert_string_equal(cfg.write_path, "out.pcapng");
	assert_int_equal(cfg.n_read_paths, 0);
	assert_true(cfg.flush);
	assert_int_equal(cfg.by, CLI_BY_PROCESS);
	assert_int_equal(parse(r, &cfg, err, sizeof(err), argv), PTRAP_EXIT_OK);
	assert_int_equal(cfg.n_read_paths, 1);
	assert_string_equal(cfg.read_paths[0], "in.pcapng");
	assert_null(cfg.write_path);
	assert_false(cfg.flush);
	assert_true(cfg.json);
	assert_int_equal(cfg.by, CLI_BY_FLOW);
	assert_int_equal(cfg.n_dests, 0);
	assert_int_equal(parse(d, &cfg, err, sizeof(err), argv), PTRAP_EXIT_OK);
	assert_string_equal(cfg.read_paths[0], "-");
	assert_int_equal(cfg.by, CLI_BY_DESTINATION);
	assert_string_equal(cli_by_name(CLI_BY_FLOW), "flow");
}

/*
 * -r FILE, more -r and the words after the options are all files; the
 * options -r honours select packets; -G names that change often enough.
 */
static void test_read_files(void **state)
{
	const char *several[] = { "-u", "--icmp", "-c", "--uid", "0", "-o",
				  "lo", "-r", "a", "-r", "b", "c", "d*", "-",
				  "--by", "comm", "--sort", "last", "--top",
				  "3", "--", "-e", NULL };
	const char *rot[][7] = {
		{ "-u", "-i", "::1", "-w", "g-%s.pcapng", "-G", "1" },
		{ "-u", "-i", "::1", "-w", "g-%H%M%S", "-G", "1" },
		{ "-u", "-i", "::1", "-w", "g-%Y%m%d-%H", "-G", "3600" },
		{ "-u", "-i", "::1", "-w", "g-%F", "-G", "86400" },
	};
	struct ptrap_config cfg;
	char err[256], *argv[MAX_ARGS];
	const char *r[8 + 1];
	size_t i;

	(void)state;
	assert_int_equal(parse(several, &cfg, err, sizeof(err), argv),
			 PTRAP_EXIT_OK);
	assert_int_equal(cfg.n_read_paths, 6);
	assert_string_equal(cfg.read_paths[5], "-e");
	assert_int_equal(cfg.by, CLI_BY_COMM);
	assert_int_equal(cfg.sort, CLI_SORT_LAST);
	assert_int_equal(cfg.top, 3);
	assert_string_equal(cfg.read_paths[0], "a");
	assert_string_equal(cfg.read_paths[1], "b");
	assert_string_equal(cfg.read_paths[3], "d*");
	assert_string_equal(cfg.read_paths[4], "-");
	assert_true(cfg.udp && cfg.icmp && cfg.connect_only && !cfg.tcp);
	assert_int_equal(cfg.n_uids, 1);
	assert_int_equal(cfg.n_out_ifaces, 1);
	assert_int_equal(cfg.n_filter_words, 0);
	for (i = 0; i < sizeof(rot) / sizeof(rot[0]); i++) {
		memcpy(r, rot[i], sizeof(rot[i]));
		r[7] = NULL;
		assert_int_equal(parse(r, &cfg, err, sizeof(err), argv),
				 PTRAP_EXIT_OK);
	}
}

/* --batch-wait: microseconds, 0 (off) to 10000, default 20. */
static void test_batch_wait(void **state)
{
	const char *dflt[] = { "-u", "-i", "::1", NULL };
	const char *off[] = { "-u", "-i", "::1", "--batch-wait", "0", NULL };
	const char *max[] = { "-u", "-i", "::1", "--batch-wait=10000", NULL };
	const char *big[] = { "-u", "-i", "::1", "--batch-wait", "10001", NULL };
	struct ptrap_config cfg;
	char err[256], *argv[MAX_ARGS];

	(void)state;
	assert_int_equal(parse(dflt, &cfg, err, sizeof(err), argv), PTRAP_EXIT_OK);
	assert_int_equal(cfg.batch_wait_us, 20);
	assert_int_equal(parse(off, &cfg, err, sizeof(err), argv), PTRAP_EXIT_OK);
	assert_int_equal(cfg.batch_wait_us, 0);
	assert_int_equal(parse(max, &cfg, err, sizeof(err), argv), PTRAP_EXIT_OK);
	assert_int_equal(cfg.batch_wait_us, 10000);
	assert_int_equal(parse(big, &cfg, err, sizeof(err), argv), PTRAP_EXIT_USAGE);
	assert_string_equal(err, "invalid batch wait '10001' for --batch-wait "
			    "(expected 0-10000 us)");
}

/* -C (decimal megabytes), -G, -W: need -w FILE; -W needs -C or -G. */
static void test_rotation_options(void **state)
{
	const char *ok[] = { "-u", "-i", "::1", "-w", "o-%M", "-C", "0.01", "-G",
			     "60", "-W", "3", NULL };
	const char *big[] = { "-u", "-i", "::1", "-w", "o", "-C", "1000000", NULL };
	const char *wrong[][9] = {
		{ "-u", "-i", "::1", "-w", "o", "-C", "0.0009", NULL },
		{ "-u", "-i", "::1", "-w", "o", "-C", "1000000.5", NULL },
		{ "-u", "-i", "::1", "-w", "o", "-C", "1.", NULL },
		{ "-u", "-i", "::1", "-w", "o", "-C", ".5", NULL },
		{ "-u", "-i", "::1", "-w", "o", "-C", "1,5", NULL },
		{ "-u", "-i", "::1", "-w", "o", "-G", "0", NULL },
		{ "-u", "-i", "::1", "-w", "o", "-W", "3", NULL },
		{ "-u", "-i", "::1", "-w", "-", "-C", "1", NULL },
		{ "-u", "-i", "::1", "-C", "1", NULL },
	};
	struct ptrap_config cfg;
	char err[256], *argv[MAX_ARGS];
	size_t i;

	(void)state;
	assert_int_equal(parse(ok, &cfg, err, sizeof(err), argv), PTRAP_EXIT_OK);
	assert_true(cfg.rotate_bytes == 10000);
	assert_int_equal(cfg.rotate_secs, 60);
	assert_int_equal(cfg.rotate_files, 3);
	assert_int_equal(parse(big, &cfg, err, sizeof(err), argv), PTRAP_EXIT_OK);
	assert_true(cfg.rotate_bytes == 1000000000000ull);
	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++)
		assert_int_equal(parse(wrong[i], &cfg, err, sizeof(err), argv),
				 PTRAP_EXIT_USAGE);
	assert_string_equal(err, "-C, -G and -W need -w FILE (not stdout)");
}

/*
 * Every numeric option of the table: its default applied, both ends of its
 * range accepted, one past each end refused with the range in the message,
 * and --help showing the range's top.
 */
static void test_table_ranges(void **state)
{
	/* -w f-%s -C 1: what -S, -G and -W need (-G a name with a time) */
	const char *args[] = { "-u", "-i", "::1", "-w", "f-%s", "-C", "1",
			       NULL, NULL, NULL };
	struct ptrap_config cfg;
	char err[256], *argv[MAX_ARGS], opt[40], val[32], want[96];
	size_t i, len, n_num = 0;
	char *h = tl_capture(cli_print_help, &len);

	(void)state;
	for (i = 0; i < cli_n_options; i++) {
		const struct cli_option *o = &cli_options[i];
		const struct cli_number *num = o->num;
		unsigned long long got;

		if (num == NULL)
			continue;
		n_num++;
		print_message("--%s\n", o->name);
		snprintf(opt, sizeof(opt), "--%s", o->name);
		snprintf(val, sizeof(val), "%lu", num->max);
		if (strstr(h, val) == NULL)
			fail_msg("--help does not show %s's maximum %s", opt, val);
		args[7] = NULL;
		assert_int_equal(parse(args, &cfg, err, sizeof(err), argv), 0);
		got = 0;
		memcpy(&got, (char *)&cfg + num->offset, num->size);
		assert_true(got == num->def);
		args[7] = opt;
		args[8] = val;
		assert_int_equal(parse(args, &cfg, err, sizeof(err), argv), 0);
		got = 0;
		memcpy(&got, (char *)&cfg + num->offset, num->size);
		assert_true(got == num->max);
		snprintf(val, sizeof(val), "%lu", num->min);
		assert_int_equal(parse(args, &cfg, err, sizeof(err), argv), 0);
		snprintf(val, sizeof(val), "%lu", num->max + 1);
		assert_int_equal(parse(args, &cfg, err, sizeof(err), argv), 2);
		snprintf(want, sizeof(want), "(expected %lu-%lu%s%s)", num->min,
			 num->max, num->unit ? " " : "",
			 num->unit ? num->unit : "");
		if (strstr(err, want) == NULL)
			fail_msg("'%s' lacks '%s'", err, want);
		if (num->min > 0) {
			snprintf(val, sizeof(val), "%lu", num->min - 1);
			assert_int_equal(parse(args, &cfg, err, sizeof(err),
					       argv), 2);
		}
	}
	assert_true(n_num >= 10);
	/* placeholders all filled in; strftime's %H%M%S in -G stays */
	assert_null(strstr(h, "%R"));
	assert_null(strstr(h, "%D"));
	assert_null(strstr(h, "%L"));
	assert_null(strstr(h, "%N"));
	assert_non_null(strstr(h, "out-%H%M%S.pcapng"));
	free(h);
}

/*
 * A bad element is blamed as such whatever errno held before: once a
 * stale E2BIG turned "-o bad*name" into "too many interfaces".
 */
static void test_list_stale_errno(void **state)
{
	const char *iface[] = { "-o", "bad*name", NULL };
	const char *user[] = { "--uid", "no-such-user-x", NULL };
	const char *dest[] = { "-i", "300.0.0.1", NULL };
	struct ptrap_config cfg;
	char err[256], *argv[MAX_ARGS];

	(void)state;
	errno = E2BIG;
	assert_int_equal(parse(iface, &cfg, err, sizeof(err), argv), 2);
	assert_string_equal(err, "invalid interface 'bad*name' for -o "
			    "(expected an interface name: 1-15 letters, "
			    "digits, '.', '_' or '-')");
	errno = E2BIG;
	assert_int_equal(parse(user, &cfg, err, sizeof(err), argv), 2);
	assert_non_null(strstr(err, "invalid user 'no-such-user-x'"));
	errno = E2BIG;
	assert_int_equal(parse(dest, &cfg, err, sizeof(err), argv), 2);
	assert_non_null(strstr(err, "invalid address '300.0.0.1'"));
}

/* tcpdump's spellings: refused or warned about, naming ptrap's option. */
static void test_tcpdump_habits(void **state)
{
	static const struct bad_case habits[] = {
		{ { "-u", "-i", "eth0" }, 2,
		  "-i takes a destination address; for an interface use -o eth0" },
		{ { "-u", "-i", "wlp3s0,192.0.2.1" }, 2, "use -o wlp3s0" },
		{ { "-u", "-i", "lo" }, 2, "use -o lo" },	/* exists */
		{ { "-i", "any", "udp" }, 2, "every interface unless -o IF" },
		{ { "-u", "-i", "example" }, 2, "invalid address 'example' for -i" },
		{ { "-t", "-i", "::1", "-c", "5" }, 2,
		  "-c is --connect in ptrap and takes no value; to stop after N "
		  "reports use --count N" },
		{ { "-n", "-u", "-i", "::1" }, 2,
		  "invalid rate '-u' for -n: -n is --rate N in ptrap" },
		{ { "-u", "-i", "::1", "-n" }, 2,
		  "option -n needs a value: it is --rate N in ptrap" },
		{ { "--icmp", "-p", "53", "-i", "::1" }, 2,
		  "-p selects UDP and TCP ports, and --icmp has none" },
		{ { "-r", "f", "udp" }, 2,
		  "'udp' is a filter expression, which becomes kernel rules "
		  "and has no meaning for -r" },
		{ { "port", "53", "-c" }, 2, "options go before the filter expression" },
	};
	const char *hold[] = { "-u", "-i", "::1", "-s", "0", NULL };
	const char *hold_e[] = { "-u", "-i", "::1", "-s", "0", "-e", "x", NULL };
	const char *hold_w[] = { "-u", "-i", "::1", "-s", "0", "-e", "x", "-w",
				 "f", NULL };
	const char *icmp_u[] = { "-u", "--icmp", "-p", "53", "-i", "::1", NULL };
	const char *filter_p[] = { "-p", "53", "dst", "host", "::1", NULL };
	struct ptrap_config cfg;
	char err[256], *argv[MAX_ARGS];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(habits) / sizeof(habits[0]); i++) {
		print_message("habit[%zu]\n", i);
		assert_int_equal(parse(habits[i].args, &cfg, err, sizeof(err),
				       argv), habits[i].code);
		if (strstr(err, habits[i].msg) == NULL)
			fail_msg("message '%s' lacks '%s'", err, habits[i].msg);
	}
	/* -s is --hold: accepted, with a hint where it does nothing */
	assert_int_equal(parse(hold, &cfg, err, sizeof(err), argv), 0);
	assert_non_null(strstr(cli_habit_hint(&cfg), "-S here"));
	assert_int_equal(parse(hold_e, &cfg, err, sizeof(err), argv), 0);
	assert_null(cli_habit_hint(&cfg));
	assert_int_equal(parse(hold_w, &cfg, err, sizeof(err), argv), 0);
	assert_non_null(strstr(cli_habit_hint(&cfg), "-s 0 is --hold 0"));
	/* ports with UDP besides ICMP: as before, they apply to UDP */
	assert_int_equal(parse(icmp_u, &cfg, err, sizeof(err), argv), 0);
	/* -p with an expression and no protocol: UDP and TCP */
	assert_int_equal(parse(filter_p, &cfg, err, sizeof(err), argv), 0);
	{
		struct filter_scope s;

		cli_filter_scope(&cfg, &s);
		assert_true(s.udp && s.tcp && !s.icmp);
		assert_false(cfg.udp || cfg.tcp || cfg.icmp);
	}
}

/* The expression and its effect on what the options require. */
static void test_expression(void **state)
{
	const char *only[] = { "-e", "true", "udp", "and", "dst", "port", "53",
			       NULL };
	const char *syn[] = { "-c", "tcp", "dst", "port", "443", NULL };
	const char *syn_u[] = { "-u", "-c", "tcp", NULL };
	struct ptrap_config cfg;
	struct filter_scope s;
	char err[256], *argv[MAX_ARGS];

	(void)state;
	/* neither -i nor -u: the expression says what */
	assert_int_equal(parse(only, &cfg, err, sizeof(err), argv), 0);
	assert_int_equal(cfg.n_filter_words, 5);
	assert_string_equal(cfg.filter_words[0], "udp");
	assert_string_equal(cfg.hook_cmd, "true");
	cli_filter_scope(&cfg, &s);
	assert_true(s.udp && s.tcp && s.icmp);
	/* -c needs TCP, which the expression allows */
	assert_int_equal(parse(syn, &cfg, err, sizeof(err), argv), 0);
	assert_true(cfg.connect_only);
	assert_int_equal(parse(syn_u, &cfg, err, sizeof(err), argv), 5);
	/* no expression: as before */
	{
		const char *none[] = { "-u", NULL };

		assert_int_equal(parse(none, &cfg, err, sizeof(err), argv), 3);
		assert_int_equal(cfg.filter.n_nodes, 0);
	}
}

/* A value with a newline or control bytes cannot make a message two lines. */
static void test_message_one_line(void **state)
{
	const char *iface[] = { "-u", "-i", "::1", "-o", "lo\nflush ruleset", NULL };
	const char *rate[] = { "-n", "x\ty\x01", NULL };
	const char *arg[] = { "-r", "f", "g", "--by", "a\nb", NULL };
	const char *list[] = { "-u", "-i", "::1,,\n", NULL };
	const char *opt[] = { "--bad\noption", NULL };
	struct ptrap_config cfg;
	char err[256], *argv[MAX_ARGS];

	(void)state;
	assert_int_equal(parse(iface, &cfg, err, sizeof(err), argv), 2);
	assert_string_equal(err, "invalid interface 'lo\\nflush ruleset' for -o "
			    "(expected an interface name: 1-15 letters, digits, "
			    "'.', '_' or '-')");
	assert_int_equal(parse(rate, &cfg, err, sizeof(err), argv), 2);
	assert_non_null(strstr(err, "'x\\ty\\x01'"));
	assert_int_equal(parse(arg, &cfg, err, sizeof(err), argv), 2);
	assert_non_null(strstr(err, "'a\\nb'"));
	assert_int_equal(parse(list, &cfg, err, sizeof(err), argv), 2);
	assert_non_null(strstr(err, "'::1,,\\n'"));
	assert_int_equal(parse(opt, &cfg, err, sizeof(err), argv), 2);
	assert_null(strchr(err, '\n'));
}

static void test_version_backend(void **state)
{
	size_t len;
	char *v = tl_capture(cli_print_version, &len);

	assert_true(strncmp(v, "ptrap ", 6) == 0);
	assert_true(len > 7 && v[len - 1] == '\n');
	assert_null(strchr(v + 6, ' '));
	free(v);
	assert_string_equal(cli_backend_name(CLI_BACKEND_AUTO), "auto");
	assert_string_equal(cli_backend_name(CLI_BACKEND_NFT), "nft");
	assert_string_equal(cli_backend_name(CLI_BACKEND_IPTABLES), "iptables");
	assert_string_equal(cli_backend_name(CLI_BACKEND_NONE), "none");
	assert_string_equal(cli_backend_name((enum cli_backend)42), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_new_options),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_argv_and_errbuf),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_man_options),
		cmocka_unit_test(test_pcapng_options),
		cmocka_unit_test(test_read_files),
		cmocka_unit_test(test_batch_wait),
		cmocka_unit_test(test_rotation_options),
		cmocka_unit_test(test_version_backend),
		cmocka_unit_test(test_table_ranges),
		cmocka_unit_test(test_list_stale_errno),
		cmocka_unit_test(test_tcpdump_habits),
		cmocka_unit_test(test_expression),
		cmocka_unit_test(test_message_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
