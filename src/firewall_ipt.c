/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * firewall_ipt: the iptables backend of firewall.c: iptables-restore in
 * and out, leftovers of a dead instance (the group chains of a filter
 * expression included), the raw table iptables-nft adds, and the rule
 * counters for the statistics.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "firewall.h"
#include "firewall_int.h"
#include "rules.h"

static const char *const fw_ipt_restore[2] = { IPTABLES_RESTORE, IP6TABLES_RESTORE };
static const char *const fw_ipt[2] = { IPTABLES, IP6TABLES };

enum fw_chain_state fw_ipt_chain_state(int status, const char *listing, bool complete,
				       const char *chain)
{
	size_t n = strlen(chain);
	const char *p, *eol;

	if (status != 0 || !listing)
		return FW_CHAIN_UNKNOWN;
	/* "-N CHAIN", a line of its own; a cut-off last line proves nothing */
	for (p = listing; (eol = strchr(p, '\n')) != NULL; p = eol + 1) {
		if ((size_t)(eol - p) == n + 3 && strncmp(p, "-N ", 3) == 0 &&
		    strncmp(p + 3, chain, n) == 0)
			return FW_CHAIN_PRESENT;
	}
	if (complete && *p && strncmp(p, "-N ", 3) == 0 && strcmp(p + 3, chain) == 0)
		return FW_CHAIN_PRESENT;
	return complete ? FW_CHAIN_ABSENT : FW_CHAIN_UNKNOWN;
}

/*
 * List the whole raw table rather than the chain: asked about a missing
 * chain, iptables-nft answers as it does for one it cannot read.  why
 * gets iptables' own words when it cannot tell.
 */
static enum fw_chain_state ipt_chain_state(int f, const char *chain, char *why,
					   size_t whylen)
{
	char *argv[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-S", NULL };
	char *out = malloc(FW_LIST_MAX);
	enum fw_chain_state st;
	int rc;

	if (!out) {
		snprintf(why, whylen, "out of memory");
		return FW_CHAIN_UNKNOWN;
	}
	rc = fw_run_quiet(argv, NULL, out, FW_LIST_MAX);
	st = fw_ipt_chain_state(rc, rc < 0 ? NULL : out,
				rc >= 0 && strlen(out) < FW_LIST_MAX - 1, chain);
	if (st == FW_CHAIN_UNKNOWN) {
		if (rc < 0)
			snprintf(why, whylen, "%s: %s", fw_ipt[f], strerror(errno));
		else if (rc == 0)
			snprintf(why, whylen, "%s -S: listing too long", fw_ipt[f]);
		else
			fw_first_line(why, whylen, "", *out ? out : "iptables failed");
	}
	free(out);
	return st;
}

/*
 * Delete every raw OUTPUT rule whose target is chain, however it is
 * guarded (-o and --uid put matches on the jumps): each "-A OUTPUT ...
 * -j chain" line of the listing becomes a "-D" line for iptables-restore.
 * A line cut off by a full buffer has no newline and is left alone.
 */
static void ipt_delete_jumps(int f, const char *chain)
{
	char *list[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-S", "OUTPUT", NULL };
	char *restore[] = { (char *)fw_ipt_restore[f], "-w", "--noflush", NULL };
	char *out = malloc(FW_LIST_MAX), *text = malloc(FW_LIST_MAX + 32);
	char tail[RULES_NAME_MAX + 8], ignored[256];
	size_t tlen, pos = 0, n;
	char *line, *eol;

	if (!out || !text || fw_run_quiet(list, NULL, out, FW_LIST_MAX) != 0)
		goto cleanup;
	tlen = (size_t)snprintf(tail, sizeof(tail), " -j %s", chain);
	pos = (size_t)snprintf(text, FW_LIST_MAX, "*raw\n");
	for (line = out; (eol = strchr(line, '\n')) != NULL; line = eol + 1) {
		n = (size_t)(eol - line);
		if (n < 10 + tlen || strncmp(line, "-A OUTPUT ", 10) != 0 ||
		    strncmp(eol - tlen, tail, tlen) != 0)
			continue;
		/* text is as large as out, plus room for the frame */
		memcpy(text + pos, line, n + 1);
		text[pos + 1] = 'D';
		pos += n + 1;
	}
	snprintf(text + pos, FW_LIST_MAX + 32 - pos, "COMMIT\n");
	fw_run_quiet(restore, text, ignored, sizeof(ignored));
cleanup:
	free(out);
	free(text);
}

/*
 * The group chains CHAIN_<k> a filter expression adds (rules_ipt.c), once
 * CHAIN is flushed and no longer jumps to them: flushed and deleted.
 */
static void ipt_remove_group_chains(int f, const char *chain)
{
	char *list[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-S", NULL };
	char *out = malloc(FW_LIST_MAX), *line, *eol;
	char name[RULES_NAME_MAX + 8], ignored[256];
	size_t n = strlen(chain), len;

	if (!out || fw_run_quiet(list, NULL, out, FW_LIST_MAX) != 0)
		goto cleanup;
	for (line = out; (eol = strchr(line, '\n')) != NULL; line = eol + 1) {
		len = (size_t)(eol - line);
		/* "-N CHAIN_<digits>" */
		if (len <= n + 4 || len - 3 >= sizeof(name) ||
		    strncmp(line, "-N ", 3) != 0 ||
		    strncmp(line + 3, chain, n) != 0 || line[3 + n] != '_' ||
		    strspn(line + 4 + n, "0123456789") != len - 4 - n)
			continue;
		memcpy(name, line + 3, len - 3);
		name[len - 3] = '\0';
		{
			char *flush[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-F", name, NULL };
			char *drop[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-X", name, NULL };

			fw_run_quiet(flush, NULL, ignored, sizeof(ignored));
			fw_run_quiet(drop, NULL, ignored, sizeof(ignored));
		}
	}
cleanup:
	free(out);
}

/*
 * Tolerant removal, one step at a time: used for leftovers and as a
 * fallback.  Succeeds only if the chain is known to be gone.
 */
static int ipt_remove_chain(int f, const char *chain, char *why, size_t whylen)
{
	char out[256];
	char *del[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-D", "OUTPUT", "-j", (char *)chain, NULL };
	char *flush[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-F", (char *)chain, NULL };
	char *drop[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-X", (char *)chain, NULL };
	int i;

	ipt_delete_jumps(f, chain);
	/* A jump added twice (by hand or a crash mid-way) must go too. */
	for (i = 0; i < 64 && fw_run_quiet(del, NULL, out, sizeof(out)) == 0; i++)
		;
	fw_run_quiet(flush, NULL, out, sizeof(out));
	ipt_remove_group_chains(f, chain);
	if (fw_run_quiet(drop, NULL, out, sizeof(out)) == 0)
		return 0;
	switch (ipt_chain_state(f, chain, why, whylen)) {
	case FW_CHAIN_ABSENT:
		return 0;
	case FW_CHAIN_PRESENT:
		fw_first_line(why, whylen, "", *out ? out : "chain still in use");
		errno = EBUSY;
		return -1;
	default:
		errno = EIO;
		return -1;
	}
}

static int ipt_restore(struct fw *fw, int f, char *why, size_t whylen)
{
	char out[FW_OUT_MAX];
	char *argv[] = { (char *)fw_ipt_restore[f], "-w", "--noflush", NULL };
	int rc = fw_run_quiet(argv, fw->text, out, sizeof(out));

	if (rc == 0)
		return 0;
	if (rc < 0)
		snprintf(why, whylen, "%s: %s", fw_ipt_restore[f], strerror(errno));
	else
		fw_first_line(why, whylen, "", *out ? out : "iptables-restore failed");
	errno = EIO;
	return -1;
}

/* --- iptables-nft's raw table, seen through libnftables --- */

/* Run cmd; true if it worked.  *out gets the output, if out. */
static bool nft_cmd(struct nft_ctx *nft, const char *cmd, const char **out)
{
	if (nft_run_cmd_from_buffer(nft, cmd) != 0)
		return false;
	if (out)
		*out = nft_ctx_get_output_buffer(nft);
	return true;
}

/* Before our first rule of family f: were table raw and its OUTPUT there? */
static void raw_note(struct fw *fw, int f)
{
	const char *fam = FW_FAMILY(f) == AF_INET ? "ip" : "ip6";
	struct nft_ctx *nft = fw_nft_ctx();
	char cmd[64];

	/* unknown counts as there: then nothing is ever deleted */
	fw->raw_table_had[f] = fw->raw_chain_had[f] = true;
	if (!nft)
		return;
	snprintf(cmd, sizeof(cmd), "list table %s raw", fam);
	fw->raw_table_had[f] = nft_cmd(nft, cmd, NULL);
	snprintf(cmd, sizeof(cmd), "list chain %s raw OUTPUT", fam);
	fw->raw_chain_had[f] = nft_cmd(nft, cmd, NULL);
	nft_ctx_free(nft);
}

/* Lines of a listing that start with n tabs: objects (1) or rules (2). */
static unsigned int count_indented(const char *text, unsigned int n)
{
	const char *p, *eol;
	unsigned int count = 0;

	for (p = text; p && *p; p = *eol ? eol + 1 : eol) {
		eol = strchrnul(p, '\n');
		if (strspn(p, "\t") == n)
			count++;
	}
	return count;
}

/*
 * iptables-nft adds table raw and its base chain OUTPUT for our jump and
 * leaves them behind, empty, when the jump goes.  Remove what was not
 * there before, once it is empty again: a chain with a rule or another
 * policy than accept, or a table with anything in it, stays.  The kernel
 * refuses to delete a chain that holds rules, so one added meanwhile is
 * safe; a chain added to the table between our look and the delete is not
 * (the window is one netlink round trip).
 */
static void raw_tidy(struct fw *fw, int f)
{
	const char *fam = FW_FAMILY(f) == AF_INET ? "ip" : "ip6";
	struct nft_ctx *nft;
	const char *out;
	char cmd[64];

	if (fw->raw_table_had[f] && fw->raw_chain_had[f])
		return;
	nft = fw_nft_ctx();
	if (!nft)
		return;
	snprintf(cmd, sizeof(cmd), "list chain %s raw OUTPUT", fam);
	if (!fw->raw_chain_had[f] && nft_cmd(nft, cmd, &out)) {
		/* "\t\ttype filter hook output priority raw; policy accept;" */
		if (count_indented(out, 2) != 1 || !strstr(out, "policy accept;"))
			goto out;
		snprintf(cmd, sizeof(cmd), "delete chain %s raw OUTPUT", fam);
		if (!nft_cmd(nft, cmd, NULL))
			goto out;
	}
	snprintf(cmd, sizeof(cmd), "list table %s raw", fam);
	if (!fw->raw_table_had[f] && nft_cmd(nft, cmd, &out) &&
	    count_indented(out, 1) == 0) {
		snprintf(cmd, sizeof(cmd), "delete table %s raw", fam);
		nft_cmd(nft, cmd, NULL);
	}
out:
	nft_ctx_free(nft);
}

int fw_ipt_remove(struct fw *fw, char *why, size_t whylen)
{
	char chain[RULES_NAME_MAX], reason[256];
	int f, ret = 0, saved = 0;

	rules_ipt_chain_name(fw->cfg->queue_num, chain, sizeof(chain));
	for (f = 1; f >= 0; f--) {
		if (!fw->ipt_installed[f])
			continue;
		if (rules_ipt_remove(fw->cfg, FW_FAMILY(f), fw->text, FW_TEXT_MAX) < 0 ||
		    ipt_restore(fw, f, reason, sizeof(reason)) < 0) {
			/* Someone edited our chain: remove it piece by piece. */
			if (ipt_remove_chain(f, chain, reason, sizeof(reason)) < 0) {
				saved = errno;
				snprintf(why, whylen, "%s chain %s in the raw table may remain (%s)",
					 f ? "ip6tables" : "iptables", chain, reason);
				ret = -1;
				continue;
			}
		}
		fw->ipt_installed[f] = false;
		raw_tidy(fw, f);
	}
	if (ret < 0)
		errno = saved;
	return ret;
}

int fw_ipt_install(struct fw *fw, char *why, size_t whylen)
{
	int f, len;

	for (f = 0; f < 2; f++) {
		len = rules_ipt_install(fw->cfg, FW_FAMILY(f), fw->text, FW_TEXT_MAX);
		if (len < 0) {
			snprintf(why, whylen, "iptables rules too long");
			goto undo;
		}
		if (len == 0)
			continue;
		raw_note(fw, f);
		if (ipt_restore(fw, f, why, whylen) < 0) {
			raw_tidy(fw, f);
			goto undo;
		}
		fw->ipt_installed[f] = true;
	}
	return 0;
undo:
	{
		char ignored[256];
		int saved = errno;

		fw_ipt_remove(fw, ignored, sizeof(ignored));
		errno = saved;
	}
	return -1;
}

int fw_remove_stale(struct fw *fw, char *why, size_t whylen)
{
	char chain[RULES_NAME_MAX];
	int f, removed = 0;

	rules_ipt_chain_name(fw->cfg->queue_num, chain, sizeof(chain));
	for (f = 0; f < 2; f++) {
		switch (ipt_chain_state(f, chain, why, whylen)) {
		case FW_CHAIN_ABSENT:
			continue;
		case FW_CHAIN_PRESENT:
			break;
		default:
			errno = EIO;
			return -1;
		}
		if (ipt_remove_chain(f, chain, why, whylen) < 0)
			return -1;
		removed++;
	}
	return removed;
}

/*
 * Sum the counters of the queue rules in one family's chains: CHAIN and
 * the group chains CHAIN_<k> of a filter expression.  Read with
 * libnftables, in-process: after privs_drop() an iptables child would
 * have no CAP_NET_ADMIN.  This sees iptables-nft's rules (Debian's
 * default); iptables-legacy keeps its counters where nft cannot see them.
 */
static int ipt_count(struct nft_ctx *nft, int f, const char *chain,
		     unsigned long long *pkts)
{
	const char *p, *eol, *c, *qn, *name;
	size_t n = strlen(chain);
	unsigned long long v;
	bool ours = false;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "list table %s raw",
		 FW_FAMILY(f) == AF_INET ? "ip" : "ip6");
	if (nft_run_cmd_from_buffer(nft, cmd) != 0) {
		errno = ENOTSUP;
		return -1;
	}
	/*
	 * "\tchain NAME {" starts a chain; within ours each queue rule reads
	 * "... counter packets N bytes M queue num Q bypass", one a line.
	 */
	for (p = nft_ctx_get_output_buffer(nft); p && *p; p = *eol ? eol + 1 : eol) {
		eol = strchrnul(p, '\n');
		if (strncmp(p, "\tchain ", 7) == 0) {
			name = p + 7;
			ours = strncmp(name, chain, n) == 0 &&
			       (name[n] == ' ' || name[n] == '_');
			continue;
		}
		/* "counter" may open the line: a group chain's last rule */
		c = strstr(p, "counter packets ");
		qn = strstr(p, " queue ");
		if (ours && c && c < eol && qn && qn < eol &&
		    sscanf(c, "counter packets %llu", &v) == 1)
			*pkts += v;
	}
	return 0;
}

int fw_rule_matches(struct fw *fw, unsigned long long *pkts)
{
	char chain[RULES_NAME_MAX];
	struct nft_ctx *nft;
	int f, ret = 0;

	if (fw->kind != FW_IPT) {
		errno = ENOTSUP;
		return -1;
	}
	nft = fw_nft_ctx();
	if (!nft) {
		errno = ENOMEM;
		return -1;
	}
	rules_ipt_chain_name(fw->cfg->queue_num, chain, sizeof(chain));
	*pkts = 0;
	for (f = 0; f < 2 && ret == 0; f++) {
		if (fw->ipt_installed[f])
			ret = ipt_count(nft, f, chain, pkts);
	}
	nft_ctx_free(nft);
	return ret;
}
