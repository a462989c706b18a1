/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Golden tests for the rule text: each case is a configuration whose nft
 * script, iptables-restore inputs and their removal texts must equal
 * tests/data/rules/<case>.{nft,ipt4,ipt6}[-remove] byte for byte.
 * The option matrix (every combination of protocol, -c, -o, --uid,
 * address family and port form) is one file per text kind,
 * tests/data/rules/matrix/all.*, each case after a "# case: NAME" line.
 * PTRAP_UPDATE_GOLDEN=1 rewrites the files instead (review the diff by eye
 * before committing).  tests/netns/rules-files.sh and rules-matrix.sh feed
 * the same files to the real tools.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "rules.h"
#include "testlib.h"
#include "../fuzz/rules_oracle.h"

#define TEXT_MAX	(64 * 1024)
#define MATRIX_MAX	(2 * 1024 * 1024)
#define MAX_ITEMS	24

struct golden_case {
	const char *name;
	const char *dests[MAX_ITEMS];	/* NULL-terminated */
	const char *ports[MAX_ITEMS];	/* NULL-terminated */
	bool udp, tcp, icmp;
	unsigned int queue;
};

static const struct golden_case cases[] = {
	{ .name = "v4-udp53", .dests = { "192.0.2.53" }, .ports = { "53" },
	  .udp = true, .queue = 4253 },
	{ .name = "v6-tcp", .dests = { "2001:db8::53" },
	  .ports = { "853", "53" }, .tcp = true, .queue = 4253 },
	{ .name = "mixed-noport",
	  .dests = { "192.0.2.0/24", "2001:db8::/64", "198.51.100.7",
		     "2001:db8:1::1" },
	  .udp = true, .tcp = true, .queue = 4253 },
	/* 20 single ports: 15 in the first multiport rule, 5 in the next */
	{ .name = "multiport-split", .dests = { "192.0.2.53", "2001:db8::53" },
	  .ports = { "1000", "1002", "1004", "1006", "1008", "1010", "1012",
		     "1014", "1016", "1018", "1020", "1022", "1024", "1026",
		     "1028", "1030", "1032", "1034", "1036", "1038" },
	  .udp = true, .queue = 4253 },
	/*
	 * Unsorted, overlapping and adjacent: merges to 50-61, 443, 853,
	 * 1024-2049, nine singles (15 slots), then 4000-4010 which needs
	 * two more slots and so opens a second rule.  198.51.100.9 and the
	 * second /24 are inside the first /24 and vanish.
	 */
	{ .name = "port-ranges",
	  .dests = { "198.51.100.0/24", "198.51.100.9", "198.51.100.0/24",
		     "2001:db8::/32", "2001:db8:ff::/48" },
	  .ports = { "443", "53", "50-60", "55", "61", "853", "1024-2048",
		     "2049", "3000", "3002", "3004", "3006", "3008", "3010",
		     "3012", "3014", "3016", "4000-4010" },
	  .tcp = true, .queue = 4253 },
	{ .name = "icmp", .dests = { "192.0.2.53", "2001:db8::53" },
	  .ports = { "53" }, .udp = true, .icmp = true, .queue = 4253 },
	{ .name = "queue0", .dests = { "192.0.2.1" }, .ports = { "80" },
	  .tcp = true, .queue = 0 },
	{ .name = "queue65535", .dests = { "2001:db8::1", "192.0.2.1" },
	  .ports = { "53" }, .udp = true, .tcp = true, .icmp = true,
	  .queue = 65535 },
};

static void build_config(const struct golden_case *gc, struct ptrap_config *cfg)
{
	struct addr_port_range *r;
	struct addr_prefix *p;
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < MAX_ITEMS && gc->dests[i]; i++) {
		p = &cfg->dests[cfg->n_dests++];
		assert_int_equal(addr_parse_prefix(gc->dests[i], p), 0);
	}
	for (i = 0; i < MAX_ITEMS && gc->ports[i]; i++) {
		r = &cfg->ports[cfg->n_ports++];
		assert_int_equal(addr_parse_port_range(gc->ports[i], r), 0);
	}
	cfg->udp = gc->udp;
	cfg->tcp = gc->tcp;
	cfg->icmp = gc->icmp;
	cfg->queue_num = gc->queue;
	cfg->backend = CLI_BACKEND_AUTO;
}

static void check_golden(const char *name, const char *ext, const char *text,
			 int len)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "rules/%s.%s", name, ext);
	tl_check_golden(rel, text, len);
}

static void test_goldens(void **state)
{
	struct ptrap_config cfg;
	char *buf = malloc(TEXT_MAX);
	size_t i;

	assert_non_null(buf);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build_config(&cases[i], &cfg);
		check_golden(cases[i].name, "nft", buf,
			     rules_nft_install(&cfg, buf, TEXT_MAX));
		check_golden(cases[i].name, "ipt4", buf,
			     rules_ipt_install(&cfg, AF_INET, buf, TEXT_MAX));
		check_golden(cases[i].name, "ipt6", buf,
			     rules_ipt_install(&cfg, AF_INET6, buf, TEXT_MAX));
		check_golden(cases[i].name, "nft-remove", buf,
			     rules_nft_remove(&cfg, buf, TEXT_MAX));
		check_golden(cases[i].name, "ipt4-remove", buf,
			     rules_ipt_remove(&cfg, AF_INET, buf, TEXT_MAX));
		check_golden(cases[i].name, "ipt6-remove", buf,
			     rules_ipt_remove(&cfg, AF_INET6, buf, TEXT_MAX));
	}
	free(buf);
}

/* --- the option matrix --- */

enum { M_UDP = 1, M_TCP = 2, M_ICMP = 4 };

static const struct {
	const char *name;
	unsigned int protos;
} m_protos[] = {
	{ "u", M_UDP }, { "t", M_TCP }, { "icmp", M_ICMP },
	{ "mixed", M_UDP | M_TCP | M_ICMP },
};

static const struct {
	const char *name;
	const char *dests[4];
	bool v4, v6;
} m_dests[] = {
	{ "v4", { "192.0.2.53" }, true, false },
	{ "v6", { "2001:db8::53" }, false, true },
	{ "mixed", { "192.0.2.0/24", "2001:db8::53", "198.51.100.7" },
	  true, true },
};

static const struct {
	const char *name;
	const char *ports[3];
} m_ports[] = {
	{ "noport", { NULL } },
	{ "list", { "853", "53" } },
	{ "range", { "1024-2048" } },
};

/* Given unsorted: the text must come out sorted. */
static const char *const m_ifaces[] = { "lo", "d0" };
static const uid_t m_uids[] = { 1000, 0 };

struct m_case {
	char name[64];
	struct ptrap_config cfg;
	unsigned int protos;
	bool c, o, uid, v4, v6;
	unsigned int n_ports;
};

/* Calls fn for every valid combination; -c needs TCP. */
static unsigned int m_each(void (*fn)(const struct m_case *mc, void *arg),
			   void *arg)
{
	const size_t np = sizeof(m_protos) / sizeof(m_protos[0]);
	const size_t nd = sizeof(m_dests) / sizeof(m_dests[0]);
	const size_t nq = sizeof(m_ports) / sizeof(m_ports[0]);
	struct golden_case gc;
	struct m_case mc;
	size_t p, d, q, i, k;
	unsigned int c, o, u, n = 0;

	/* k counts through the product; the last dimension varies fastest */
	for (k = 0; k < np * 8 * nd * nq; k++) {
		q = k % nq;
		d = k / nq % nd;
		u = (unsigned int)(k / (nq * nd) % 2);
		o = (unsigned int)(k / (nq * nd * 2) % 2);
		c = (unsigned int)(k / (nq * nd * 4) % 2);
		p = k / (nq * nd * 8);
		if (c && !(m_protos[p].protos & M_TCP))
			continue;
		memset(&gc, 0, sizeof(gc));
		memset(&mc, 0, sizeof(mc));
		gc.name = mc.name;
		for (i = 0; i < 4 && m_dests[d].dests[i]; i++)
			gc.dests[i] = m_dests[d].dests[i];
		for (i = 0; i < 3 && m_ports[q].ports[i]; i++)
			gc.ports[i] = m_ports[q].ports[i];
		mc.n_ports = (unsigned int)i;
		gc.udp = m_protos[p].protos & M_UDP;
		gc.tcp = m_protos[p].protos & M_TCP;
		gc.icmp = m_protos[p].protos & M_ICMP;
		gc.queue = 4253;
		build_config(&gc, &mc.cfg);
		mc.cfg.connect_only = c;
		if (o) {
			for (i = 0; i < 2; i++)
				strcpy(mc.cfg.out_ifaces[i], m_ifaces[i]);
			mc.cfg.n_out_ifaces = 2;
		}
		if (u) {
			for (i = 0; i < 2; i++)
				mc.cfg.uids[i] = m_uids[i];
			mc.cfg.n_uids = 2;
		}
		snprintf(mc.name, sizeof(mc.name), "%s%s%s%s-%s-%s",
			 m_protos[p].name, c ? "-c" : "", o ? "-o" : "",
			 u ? "-uid" : "", m_dests[d].name, m_ports[q].name);
		mc.protos = m_protos[p].protos;
		mc.c = c;
		mc.o = o;
		mc.uid = u;
		mc.v4 = m_dests[d].v4;
		mc.v6 = m_dests[d].v6;
		fn(&mc, arg);
		n++;
	}
	return n;
}

static unsigned int count_str(const char *hay, const char *needle)
{
	unsigned int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static unsigned int count_lines_with(const char *text, const char *a,
				     const char *b)
{
	unsigned int n = 0;
	const char *eol;
	char line[1024];

	for (; *text; text = *eol ? eol + 1 : eol) {
		eol = strchr(text, '\n');
		if (!eol)
			eol = text + strlen(text);
		snprintf(line, sizeof(line), "%.*s", (int)(eol - text), text);
		if (strstr(line, a) && (!b || strstr(line, b)))
			n++;
	}
	return n;
}

/* What each option must do to the text, beyond matching the goldens. */
static void m_check(const struct m_case *mc, void *arg)
{
	const bool tcp = mc->protos & M_TCP, icmp = mc->protos & M_ICMP;
	unsigned int fams = (unsigned int)mc->v4 + mc->v6;
	unsigned int jumps = (mc->o ? 2 : 1) * (mc->uid ? 2 : 1);
	char *buf = arg;

	assert_true(rules_nft_install(&mc->cfg, buf, TEXT_MAX) > 0);
	/* every rule has the same guards, as sets, sorted */
	assert_int_equal(count_str(buf, "oifname { \"d0\", \"lo\" } "),
			 mc->o ? count_str(buf, " counter ") : 0);
	assert_int_equal(count_str(buf, "meta skuid { 0, 1000 } "),
			 mc->uid ? count_str(buf, " counter ") : 0);
	/* -c: exactly the TCP rules, one per family, carry the SYN test */
	assert_int_equal(count_str(buf, "tcp flags & (fin | syn | rst | ack) == syn"),
			 mc->c ? fams : 0);
	assert_int_equal(count_lines_with(buf, "icmp", "dport"), 0);
	if (tcp && mc->n_ports)
		assert_int_equal(count_lines_with(buf, " tcp dport ", NULL), fams);

	assert_true(rules_ipt_install(&mc->cfg, AF_INET, buf, TEXT_MAX) >= 0);
	if (mc->v4) {
		assert_int_equal(count_str(buf, "-A OUTPUT"), jumps);
		assert_int_equal(count_str(buf, " -o lo "), mc->o ? jumps / 2 : 0);
		assert_int_equal(count_str(buf, " --uid-owner 0 "),
				 mc->uid ? jumps / 2 : 0);
		assert_int_equal(count_lines_with(buf, "-p tcp", NULL),
				 count_lines_with(buf, "-p tcp", mc->c ? " --syn" : "-p"));
		assert_int_equal(count_str(buf, "--syn"),
				 mc->c ? count_lines_with(buf, "-p tcp", NULL) : 0);
		assert_int_equal(count_lines_with(buf, "-p icmp", "port"), 0);
		if (icmp)
			assert_true(count_lines_with(buf, "--icmp-type 15 ", NULL) > 0);
		assert_true(rules_ipt_remove(&mc->cfg, AF_INET, buf, TEXT_MAX) > 0);
		assert_int_equal(count_str(buf, "-D OUTPUT"), jumps);
	} else {
		assert_string_equal(buf, "");
	}
	assert_true(rules_ipt_install(&mc->cfg, AF_INET6, buf, TEXT_MAX) >= 0);
	if (mc->v6) {
		assert_int_equal(count_str(buf, "-A OUTPUT"), jumps);
		assert_int_equal(count_lines_with(buf, "-p ipv6-icmp", NULL),
				 icmp ? 1 : 0);
	} else {
		assert_string_equal(buf, "");
	}
}

struct m_text {
	char *buf[6];
	size_t at[6];
	char *tmp;
};

static const char *const m_exts[6] = {
	"nft", "ipt4", "ipt6", "nft-remove", "ipt4-remove", "ipt6-remove",
};

static void m_append(const struct m_case *mc, void *arg)
{
	struct m_text *t = arg;
	int k, n;

	for (k = 0; k < 6; k++) {
		switch (k) {
		case 0: n = rules_nft_install(&mc->cfg, t->tmp, TEXT_MAX); break;
		case 1: n = rules_ipt_install(&mc->cfg, AF_INET, t->tmp, TEXT_MAX); break;
		case 2: n = rules_ipt_install(&mc->cfg, AF_INET6, t->tmp, TEXT_MAX); break;
		case 3: n = rules_nft_remove(&mc->cfg, t->tmp, TEXT_MAX); break;
		case 4: n = rules_ipt_remove(&mc->cfg, AF_INET, t->tmp, TEXT_MAX); break;
		default: n = rules_ipt_remove(&mc->cfg, AF_INET6, t->tmp, TEXT_MAX); break;
		}
		assert_true(n >= 0);
		assert_true(rules_oracle_ok(t->tmp, k == 0 || k == 3));
		n = snprintf(t->buf[k] + t->at[k], MATRIX_MAX - t->at[k],
			     "# case: %s\n%s", mc->name, t->tmp);
		assert_true(n > 0 && (size_t)n < MATRIX_MAX - t->at[k]);
		t->at[k] += (size_t)n;
	}
}

static void test_matrix(void **state)
{
	struct m_text t;
	unsigned int n;
	int k;

	memset(&t, 0, sizeof(t));
	t.tmp = malloc(TEXT_MAX);
	assert_non_null(t.tmp);
	/* 4 protocol sets x 2 (-c, TCP only) x 2 x 2 x 3 x 3 */
	assert_int_equal(m_each(m_check, t.tmp), 216);
	for (k = 0; k < 6; k++) {
		t.buf[k] = malloc(MATRIX_MAX);
		assert_non_null(t.buf[k]);
	}
	n = m_each(m_append, &t);
	assert_int_equal(n, 216);
	for (k = 0; k < 6; k++) {
		check_golden("matrix/all", m_exts[k], t.buf[k], (int)t.at[k]);
		free(t.buf[k]);
	}
	free(t.tmp);
}

/* Names that would be wildcards or need quoting, and uid -1, are refused. */
static void test_guard_invalid(void **state)
{
	static const char *const bad[] = { "eth+", "eth*", "a\"b", "a b", "" };
	struct ptrap_config cfg;
	char buf[4096];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build_config(&cases[0], &cfg);
		strcpy(cfg.out_ifaces[0], bad[i]);
		cfg.n_out_ifaces = 1;
		errno = 0;
		assert_int_equal(rules_nft_install(&cfg, buf, sizeof(buf)), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(rules_ipt_install(&cfg, AF_INET, buf, sizeof(buf)), -1);
		assert_int_equal(rules_ipt_remove(&cfg, AF_INET, buf, sizeof(buf)), -1);
	}
	build_config(&cases[0], &cfg);
	cfg.uids[0] = (uid_t)-1;
	cfg.n_uids = 1;
	errno = 0;
	assert_int_equal(rules_ipt_install(&cfg, AF_INET, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);
	/* -c without TCP: cli_parse exits 5 before this */
	build_config(&cases[0], &cfg);	/* UDP */
	cfg.connect_only = true;
	errno = 0;
	assert_int_equal(rules_nft_install(&cfg, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);
	/* duplicates collapse: one jump for "d0,d0" and uid "7,7" */
	build_config(&cases[0], &cfg);
	strcpy(cfg.out_ifaces[0], "d0");
	strcpy(cfg.out_ifaces[1], "d0");
	cfg.n_out_ifaces = 2;
	cfg.uids[0] = 7;
	cfg.uids[1] = 7;
	cfg.n_uids = 2;
	assert_true(rules_ipt_install(&cfg, AF_INET, buf, sizeof(buf)) > 0);
	assert_int_equal(count_str(buf, "-A OUTPUT -o d0 -m owner --uid-owner 7 -j PTRAP_4253\n"), 1);
	assert_int_equal(count_str(buf, "-A OUTPUT"), 1);
	assert_true(rules_nft_install(&cfg, buf, sizeof(buf)) > 0);
	assert_int_equal(count_str(buf, "oifname \"d0\" meta skuid 7 ip daddr"), 1);
}

static void test_names(void **state)
{
	char buf[RULES_NAME_MAX];

	rules_nft_table_name(4253, buf, sizeof(buf));
	assert_string_equal(buf, "ptrap_4253");
	rules_ipt_chain_name(4253, buf, sizeof(buf));
	assert_string_equal(buf, "PTRAP_4253");
	rules_ipt_chain_name(65535, buf, sizeof(buf));
	assert_string_equal(buf, "PTRAP_65535");
	rules_nft_table_name(0, buf, sizeof(buf));
	assert_string_equal(buf, "ptrap_0");
	/* truncated, still terminated */
	memset(buf, 'X', sizeof(buf));
	rules_nft_table_name(4253, buf, 6);
	assert_string_equal(buf, "ptrap");
	assert_int_equal(buf[6], 'X');
}

static void test_remove_text(void **state)
{
	struct ptrap_config cfg;
	char buf[256];

	build_config(&cases[0], &cfg);	/* IPv4 only */
	assert_int_equal(rules_nft_remove(&cfg, buf, sizeof(buf)), 29);
	assert_string_equal(buf, "delete table inet ptrap_4253\n");
	assert_int_equal(rules_ipt_remove(&cfg, AF_INET, buf, sizeof(buf)), 64);
	assert_string_equal(buf, "*raw\n-D OUTPUT -j PTRAP_4253\n"
			    "-F PTRAP_4253\n-X PTRAP_4253\nCOMMIT\n");
	/* install added nothing for IPv6, so there is nothing to remove */
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(rules_ipt_remove(&cfg, AF_INET6, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");

	build_config(&cases[7], &cfg);	/* both families, queue 65535 */
	assert_int_equal(rules_nft_remove(&cfg, buf, sizeof(buf)), 30);
	assert_string_equal(buf, "delete table inet ptrap_65535\n");
	assert_int_equal(rules_ipt_remove(&cfg, AF_INET6, buf, sizeof(buf)), 67);
	assert_string_equal(buf, "*raw\n-D OUTPUT -j PTRAP_65535\n"
			    "-F PTRAP_65535\n-X PTRAP_65535\nCOMMIT\n");
}

static void test_empty_family(void **state)
{
	struct ptrap_config cfg;
	char buf[64];

	build_config(&cases[1], &cfg);	/* IPv6 only */
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(rules_ipt_install(&cfg, AF_INET, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

typedef int (*gen_fn)(const struct ptrap_config *cfg, char *buf, size_t len);

static int gen_nft(const struct ptrap_config *c, char *b, size_t l)
{
	return rules_nft_install(c, b, l);
}

static int gen_nft_rm(const struct ptrap_config *c, char *b, size_t l)
{
	return rules_nft_remove(c, b, l);
}

static int gen_ipt4(const struct ptrap_config *c, char *b, size_t l)
{
	return rules_ipt_install(c, AF_INET, b, l);
}

static int gen_ipt6(const struct ptrap_config *c, char *b, size_t l)
{
	return rules_ipt_install(c, AF_INET6, b, l);
}

static int gen_ipt6_rm(const struct ptrap_config *c, char *b, size_t l)
{
	return rules_ipt_remove(c, AF_INET6, b, l);
}

/*
 * Every buffer size short of length + 1 fails with ENOSPC, leaves an empty
 * string, and never touches a byte past the given length.
 */
static void check_enospc(gen_fn gen, const struct ptrap_config *cfg)
{
	char *full = malloc(TEXT_MAX), *buf = malloc(TEXT_MAX);
	size_t k, j;
	int n;

	assert_non_null(full);
	assert_non_null(buf);
	n = gen(cfg, full, TEXT_MAX);
	assert_true(n > 0);
	for (k = 0; k <= (size_t)n; k++) {
		memset(buf, 'X', (size_t)n + 16);
		errno = 0;
		assert_int_equal(gen(cfg, buf, k), -1);
		assert_int_equal(errno, ENOSPC);
		if (k > 0)
			assert_int_equal(buf[0], '\0');
		for (j = k; j < (size_t)n + 16; j++)
			assert_int_equal(buf[j], 'X');
	}
	memset(buf, 'X', (size_t)n + 16);
	assert_int_equal(gen(cfg, buf, (size_t)n + 1), n);
	assert_string_equal(buf, full);
	assert_int_equal(buf[n + 1], 'X');
	free(full);
	free(buf);
}

static void test_enospc(void **state)
{
	struct ptrap_config cfg;
	char small[16];

	build_config(&cases[7], &cfg);
	check_enospc(gen_nft, &cfg);
	check_enospc(gen_nft_rm, &cfg);
	check_enospc(gen_ipt4, &cfg);
	check_enospc(gen_ipt6, &cfg);
	check_enospc(gen_ipt6_rm, &cfg);
	build_config(&cases[3], &cfg);	/* many multiport rules */
	check_enospc(gen_ipt4, &cfg);

	/* even an empty result needs room for its terminator */
	build_config(&cases[1], &cfg);
	errno = 0;
	assert_int_equal(rules_ipt_install(&cfg, AF_INET, small, 0), -1);
	assert_int_equal(errno, ENOSPC);
	errno = 0;
	assert_int_equal(rules_nft_install(&cfg, small, sizeof(small)), -1);
	assert_int_equal(errno, ENOSPC);
	assert_string_equal(small, "");
}

/* Same config, same bytes; redundant spellings normalise to the same text. */
static void test_deterministic(void **state)
{
	static const struct golden_case messy = {
		.name = "messy",
		.dests = { "192.0.2.53", "192.0.2.53/32", "2001:db8::53" },
		.ports = { "53", "53", "53-53" },
		.udp = true, .icmp = true, .queue = 4253,
	};
	struct ptrap_config cfg, clean;
	char *a = malloc(TEXT_MAX), *b = malloc(TEXT_MAX);
	int na, nb;

	assert_non_null(a);
	assert_non_null(b);
	build_config(&cases[4], &cfg);
	memset(a, 'A', TEXT_MAX);
	memset(b, 'B', TEXT_MAX);
	na = rules_nft_install(&cfg, a, TEXT_MAX);
	nb = rules_nft_install(&cfg, b, TEXT_MAX);
	assert_true(na > 0);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, (size_t)na + 1);

	build_config(&messy, &cfg);
	build_config(&cases[5], &clean);	/* the icmp case */
	na = rules_nft_install(&cfg, a, TEXT_MAX);
	nb = rules_nft_install(&clean, b, TEXT_MAX);
	assert_true(na > 0);
	assert_string_equal(a, b);
	na = rules_ipt_install(&cfg, AF_INET, a, TEXT_MAX);
	nb = rules_ipt_install(&clean, AF_INET, b, TEXT_MAX);
	assert_true(na > 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void test_invalid(void **state)
{
	struct ptrap_config cfg;
	char buf[4096];

	build_config(&cases[0], &cfg);
	cfg.queue_num = 65536;
	errno = 0;
	assert_int_equal(rules_nft_install(&cfg, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(rules_ipt_remove(&cfg, AF_INET, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);

	build_config(&cases[0], &cfg);
	cfg.ports[0].lo = 90;
	cfg.ports[0].hi = 80;
	errno = 0;
	assert_int_equal(rules_ipt_install(&cfg, AF_INET, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);

	build_config(&cases[0], &cfg);
	cfg.dests[0].len = 33;
	errno = 0;
	assert_int_equal(rules_nft_install(&cfg, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);

	build_config(&cases[0], &cfg);
	cfg.n_dests = CLI_MAX_DESTS + 1;
	errno = 0;
	assert_int_equal(rules_ipt_install(&cfg, AF_INET, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);

	build_config(&cases[0], &cfg);
	errno = 0;
	assert_int_equal(rules_ipt_install(&cfg, AF_UNIX, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EAFNOSUPPORT);
}

/* Host bits set behind cli_parse's back are masked, not printed. */
static void test_host_bits_masked(void **state)
{
	struct ptrap_config cfg;
	char buf[512];

	build_config(&cases[0], &cfg);
	cfg.n_ports = 0;
	cfg.dests[0].len = 24;	/* 192.0.2.53/24 */
	assert_true(rules_ipt_install(&cfg, AF_INET, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "*raw\n:PTRAP_4253 - [0:0]\n"
			    "-A PTRAP_4253 -d 192.0.2.0/24 -p udp -j NFQUEUE"
			    " --queue-num 4253 --queue-bypass\n"
			    "-A OUTPUT -j PTRAP_4253\nCOMMIT\n");
}

/* --- filter expressions: tests/data/rules/filter/cases --- */

#define FILTER_CASES_MAX	64
#define FILTER_ARGS_MAX		48

/*
 * Each case's command line through cli_parse, as ptrap would get it, then
 * its six texts, appended to filter/all.* as the matrix is.
 */
static void test_filter_goldens(void **state)
{
	char path[512], *text, *line, *save = NULL, *tmp = malloc(TEXT_MAX);
	char *buf[6], *argv[FILTER_ARGS_MAX + 2], err[256];
	size_t at[6] = { 0 }, len;
	struct ptrap_config *cfg = malloc(sizeof(*cfg));
	unsigned int n_cases = 0;
	int k, n, argc;

	(void)state;
	assert_non_null(tmp);
	assert_non_null(cfg);
	for (k = 0; k < 6; k++) {
		buf[k] = malloc(MATRIX_MAX);
		assert_non_null(buf[k]);
	}
	snprintf(path, sizeof(path), "%s/rules/filter/cases", TEST_DATA_DIR);
	text = tl_read_file(path, &len);
	assert_non_null(text);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *name, *word, *wsave = NULL;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		name = strtok_r(line, " ", &wsave);
		argc = 0;
		argv[argc++] = (char *)"ptrap";
		while ((word = strtok_r(NULL, " ", &wsave)) != NULL) {
			assert_true(argc < FILTER_ARGS_MAX);
			argv[argc++] = word;
		}
		argv[argc] = NULL;
		print_message("filter case %s\n", name);
		if (cli_parse(argc, argv, cfg, err, sizeof(err)) != 0)
			fail_msg("%s: %s", name, err);
		for (k = 0; k < 6; k++) {
			switch (k) {
			case 0: n = rules_nft_install(cfg, tmp, TEXT_MAX); break;
			case 1: n = rules_ipt_install(cfg, AF_INET, tmp, TEXT_MAX); break;
			case 2: n = rules_ipt_install(cfg, AF_INET6, tmp, TEXT_MAX); break;
			case 3: n = rules_nft_remove(cfg, tmp, TEXT_MAX); break;
			case 4: n = rules_ipt_remove(cfg, AF_INET, tmp, TEXT_MAX); break;
			default: n = rules_ipt_remove(cfg, AF_INET6, tmp, TEXT_MAX); break;
			}
			assert_true(n >= 0);
			if (!rules_oracle_ok(tmp, k == 0 || k == 3))
				fail_msg("%s: text %d fails the oracle", name, k);
			n = snprintf(buf[k] + at[k], MATRIX_MAX - at[k],
				     "# case: %s\n%s", name, tmp);
			assert_true(n > 0 && (size_t)n < MATRIX_MAX - at[k]);
			at[k] += (size_t)n;
		}
		n_cases++;
	}
	assert_true(n_cases >= 10 && n_cases <= FILTER_CASES_MAX);
	for (k = 0; k < 6; k++) {
		check_golden("filter/all", m_exts[k], buf[k], (int)at[k]);
		free(buf[k]);
	}
	free(text);
	free(cfg);
	free(tmp);
}

/* --- hostile values: nothing but ptrap's own words reaches the text --- */

static int gen_ipt4_rm(const struct ptrap_config *c, char *b, size_t l)
{
	return rules_ipt_remove(c, AF_INET, b, l);
}

static const struct {
	gen_fn fn;
	bool nft;
} texts[] = {
	{ gen_nft, true }, { gen_nft_rm, true }, { gen_ipt4, false },
	{ gen_ipt6, false }, { gen_ipt4_rm, false }, { gen_ipt6_rm, false },
};

/* All six texts of cfg pass the oracle; the nft install text into out. */
static void check_oracle(const struct ptrap_config *cfg, char *out)
{
	char *buf = malloc(TEXT_MAX);
	size_t k;

	assert_non_null(buf);
	for (k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
		assert_true(texts[k].fn(cfg, buf, TEXT_MAX) >= 0);
		if (!rules_oracle_ok(buf, texts[k].nft))
			fail_msg("text %zu fails the oracle:\n%s", k, buf);
		if (k == 0 && out)
			strcpy(out, buf);
	}
	free(buf);
}

static int parse_args(const char *const *args, struct ptrap_config *cfg,
		      char *err, size_t errlen)
{
	char *argv[FILTER_ARGS_MAX + 2];
	int argc = 0;

	argv[argc++] = (char *)"ptrap";
	while (*args && argc < FILTER_ARGS_MAX)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return cli_parse(argc, argv, cfg, err, errlen);
}

static void test_hostile(void **state)
{
	/* each must be refused before any rule text is made */
	static const char *const refused[][12] = {
		{ "-u", "-i", "::1", "-o", "lo; flush ruleset" },
		{ "-u", "-i", "::1", "-o", "lo\"" },
		{ "-u", "-i", "::1", "-o", "lo\n" },
		{ "-u", "-i", "::1", "-o", "lo}" },
		{ "-u", "-i", "::1", "-o", "lo{" },
		{ "-u", "-i", "::1", "-o", "lo'" },
		{ "-u", "-i", "::1", "-o", "lo\\" },
		{ "-u", "-i", "::1", "-o", "lo accept" },
		{ "-u", "-i", "::1", "-o", "eth+" },
		{ "-u", "-i", "::1", "--uid", "root; flush ruleset" },
		{ "-u", "-i", "::1", "--uid", "0\n" },
		{ "-u", "-i", "::1;flush" },
		{ "-u", "-p", "53;flush", "-i", "::1" },
		{ "udp", "and", "port", "53;", "flush", "ruleset" },
		{ "udp", "}", "table", "ip", "x", "{" },
		{ "udp\naccept" },
		{ "host", "\"192.0.2.1\"" },
		{ "udp", "accept" },
		{ "udp", "counter", "queue", "num", "1" },
	};
	/* --comm never reaches the rules: any bytes, same text */
	const char *comm[] = { "-u", "-i", "192.0.2.1", "-o", "lo", "--comm",
			       "x;y{\"}\n", NULL };
	const char *plain[] = { "-u", "-i", "192.0.2.1", "-o", "lo", NULL };
	static const char *const bad_ifaces[] = {
		"lo; flush", "lo\n", "lo}", "a\"b", "x'y", "lo\\", "a b", "",
	};
	struct ptrap_config *cfg = malloc(sizeof(*cfg));
	char err[256], *a = malloc(TEXT_MAX), *b = malloc(TEXT_MAX);
	char buf[4096];
	size_t i, k;

	(void)state;
	assert_non_null(cfg);
	assert_non_null(a);
	assert_non_null(b);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		print_message("refused[%zu] %s %s\n", i, refused[i][0],
			      refused[i][1] ? refused[i][1] : "");
		assert_int_equal(parse_args(refused[i], cfg, err, sizeof(err)),
				 PTRAP_EXIT_USAGE);
		assert_null(strchr(err, '\n'));
	}
	assert_int_equal(parse_args(comm, cfg, err, sizeof(err)), 0);
	check_oracle(cfg, a);
	assert_int_equal(parse_args(plain, cfg, err, sizeof(err)), 0);
	check_oracle(cfg, b);
	assert_string_equal(a, b);
	/* behind cli_parse's back, rules refuses such names itself */
	for (i = 0; i < sizeof(bad_ifaces) / sizeof(bad_ifaces[0]); i++) {
		build_config(&cases[0], cfg);
		strcpy(cfg->out_ifaces[0], bad_ifaces[i]);
		cfg->n_out_ifaces = 1;
		for (k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
			if (texts[k].fn == gen_nft_rm)
				continue;	/* names only the table */
			errno = 0;
			assert_int_equal(texts[k].fn(cfg, buf, sizeof(buf)), -1);
			assert_int_equal(errno, EINVAL);
		}
	}
	free(cfg);
	free(a);
	free(b);
}

/* The oracle can fail: texts with smuggled syntax are caught. */
static void test_oracle_catches(void **state)
{
	static const char *const bad_nft[] = {
		"\t\tip daddr 192.0.2.1 counter queue num 1 bypass; flush ruleset\n",
		"\t\tip daddr 192.0.2.1 accept counter queue num 1 bypass\n",
		"\t\toifname \"lo;\" counter queue num 1 bypass\n",
		"\t\tip daddr 192.0.2.1 counter queue num 1 bypass\nflush ruleset\n",
		"\t\tip daddr 192.0.2.1\n",
		"table inet ptrap_1 {\n\t}\n}\ntable ip x {\n",
		"\t\tip daddr 192.0.2.1 counter queue num 1 bypass",
	};
	static const char *const bad_ipt[] = {
		"*raw\n-A OUTPUT -o lo;x -j PTRAP_1\nCOMMIT\n",
		"*raw\n-A PTRAP_1 -j ACCEPT\nCOMMIT\n",
		"*raw\n-A OUTPUT -o lo -j PTRAP_1\n*filter\nCOMMIT\n",
		"*raw\n-A OUTPUT -o\nCOMMIT\n",
		"*raw\n:FOO - [0:0]\nCOMMIT\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_nft) / sizeof(bad_nft[0]); i++)
		if (rules_oracle_ok(bad_nft[i], true))
			fail_msg("oracle passed nft[%zu]", i);
	for (i = 0; i < sizeof(bad_ipt) / sizeof(bad_ipt[0]); i++)
		if (rules_oracle_ok(bad_ipt[i], false))
			fail_msg("oracle passed ipt[%zu]", i);
	assert_true(rules_oracle_ok("\t\toifname { \"d0\", \"lo\" } ip daddr "
				    "{ 192.0.2.0/24, 198.51.100.7 } udp dport "
				    "!= { 1-10, 53 } counter queue num 4253 bypass\n",
				    true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_goldens),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_remove_text),
		cmocka_unit_test(test_empty_family),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_host_bits_masked),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_guard_invalid),
		cmocka_unit_test(test_filter_goldens),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_oracle_catches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
