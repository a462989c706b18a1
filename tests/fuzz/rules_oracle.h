/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules_oracle: is a rule text made of ptrap's own words only?  Every
 * line must have one of the shapes src/rules.c and src/rules_ipt.c write,
 * and every word of it must be one of their keywords, a number, an
 * address, a port range, a chain name or (quoted for nft, after -o for
 * iptables) an interface name of letters, digits, '.', '_' and '-'.  A
 * value that smuggled syntax in (";", a newline, a quote, a brace, a
 * verdict word) fails it.  Header-only: used by fuzz_rules and
 * test_rules.
 */
#ifndef PTRAP_RULES_ORACLE_H
#define PTRAP_RULES_ORACLE_H

#include <stdbool.h>
#include <string.h>

static const char *const oracle_nft_words[] = {
	"oifname", "meta", "skuid", "ip", "ip6", "saddr", "daddr", "udp",
	"tcp", "sport", "dport", "!=", "{", "}", "nfproto", "ipv4", "ipv6",
	"l4proto", "icmp", "icmpv6", "type", "echo-request",
	"timestamp-request", "info-request", "address-mask-request", "flags",
	"&", "(fin", "|", "syn", "rst", "ack)", "==", "counter", "queue",
	"num", "bypass", NULL,
};

static const char *const oracle_ipt_words[] = {
	"-A", "-D", "-F", "-X", "OUTPUT", "-s", "-d", "-p", "udp", "tcp",
	"icmp", "ipv6-icmp", "--syn", "--sport", "--dport", "-m", "multiport",
	"--dports", "--icmp-type", "--icmpv6-type", "echo-request",
	"timestamp-request", "address-mask-request", "-j", "NFQUEUE",
	"--queue-num", "--queue-bypass", "RETURN", "owner", "--uid-owner",
	NULL,
};

static bool oracle_in(const char *w, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && strncmp(w, *words, n) == 0)
			return true;
	return false;
}

/* Numbers, addresses, prefixes, ranges ("1-5", "1:5"), lists of them. */
static bool oracle_value(const char *w, size_t n)
{
	size_t i;

	if (n == 0 || strspn(w, "0123456789abcdef.:/-,") < n)
		return false;
	for (i = 0; i < n; i++)	/* not a word such as "add" */
		if (w[i] >= '0' && w[i] <= '9')
			return true;
	return memchr(w, ':', n) != NULL;	/* IPv6 of letters only: "f::" */
}

static bool oracle_iface(const char *w, size_t n)
{
	return n > 0 && n < 16 &&
	       strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789._-") >= n;
}

static bool oracle_chain(const char *w, size_t n)
{
	return n > 6 && strncmp(w, "PTRAP_", 6) == 0 &&
	       strspn(w + 6, "0123456789_") >= n - 6;
}

/* The next blank-separated word of [*p, end): its start, length in *n. */
static const char *oracle_word(const char **p, const char *end, size_t *n)
{
	const char *w = *p;

	*n = strcspn(w, " ");
	if (w + *n > end)
		*n = (size_t)(end - w);
	*p = w + *n + 1;
	return w;
}

/* One nft rule line, without its "\t\t". */
static bool oracle_nft_rule(const char *start, size_t len)
{
	const char *end = start + len, *p = start, *w;
	size_t n;

	while (p < end) {
		w = oracle_word(&p, end, &n);
		if (n > 0 && w[n - 1] == ',')	/* "{ a, b }" */
			n--;
		if (n >= 2 && w[0] == '"' && w[n - 1] == '"' &&
		    oracle_iface(w + 1, n - 2))
			continue;
		if (!oracle_in(w, n, oracle_nft_words) && !oracle_value(w, n))
			return false;
	}
	/* "... counter queue num N bypass" ends every rule */
	return len > 7 && memcmp(end - 7, " bypass", 7) == 0 &&
	       memmem(start, len, "counter queue num ", 18) != NULL;
}

static bool oracle_ipt_line(const char *p, size_t len)
{
	const char *end = p + len, *w;
	bool after_o = false;
	size_t n;

	if ((len == 4 && strncmp(p, "*raw", 4) == 0) ||
	    (len == 6 && strncmp(p, "COMMIT", 6) == 0))
		return true;
	if (p[0] == ':')	/* ":PTRAP_N - [0:0]" */
		return len > 9 && strncmp(end - 8, " - [0:0]", 8) == 0 &&
		       oracle_chain(p + 1, len - 9);
	if (len < 3 || p[0] != '-' || !strchr("ADFX", p[1]) || p[2] != ' ')
		return false;
	while (p < end) {
		w = oracle_word(&p, end, &n);
		if (after_o) {
			if (!oracle_iface(w, n))
				return false;
			after_o = false;
			continue;
		}
		if (n == 2 && strncmp(w, "-o", 2) == 0) {
			after_o = true;
			continue;
		}
		if (!oracle_in(w, n, oracle_ipt_words) && !oracle_value(w, n) &&
		    !oracle_chain(w, n))
			return false;
	}
	return !after_o;
}

/* The whole text, nft (install or removal) or iptables-restore input. */
static bool rules_oracle_ok(const char *text, bool nft)
{
	static const char *const nft_fixed[] = {
		"\tflags owner", "\tchain output {",
		"\t\ttype filter hook output priority raw; policy accept;",
		"\t}", "}", NULL,
	};
	const char *p, *eol;
	size_t len;

	for (p = text; *p; p = eol + 1) {
		eol = strchr(p, '\n');
		if (!eol)
			return false;	/* every line ends */
		len = (size_t)(eol - p);
		if (!nft) {
			if (!oracle_ipt_line(p, len))
				return false;
			continue;
		}
		if (oracle_in(p, len, nft_fixed))
			continue;
		if ((len > 18 && strncmp(p, "table inet ptrap_", 17) == 0 &&
		     strspn(p + 17, "0123456789") == len - 19 &&
		     strncmp(eol - 2, " {", 2) == 0) ||
		    (len > 23 && strncmp(p, "delete table inet ptrap_", 24) == 0 &&
		     strspn(p + 24, "0123456789") == len - 24))
			continue;
		if (len < 3 || p[0] != '\t' || p[1] != '\t' ||
		    !oracle_nft_rule(p + 2, len - 2))
			return false;
	}
	return true;
}

#endif
