/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * firewall_int: what firewall.c (locks, backend choice, nft) and
 * firewall_ipt.c (iptables) share.  Private to the two.
 */
#ifndef PTRAP_FIREWALL_INT_H
#define PTRAP_FIREWALL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "cli.h"

struct nft_ctx;

#define FW_TEXT_MAX	(256 * 1024)
#define FW_OUT_MAX	4096
#define FW_LIST_MAX	(256 * 1024)	/* a raw OUTPUT listing */

enum fw_kind { FW_AUTO, FW_NFT, FW_IPT, FW_NONE };

struct fw {
	const struct ptrap_config *cfg;
	enum fw_kind kind;
	struct nft_ctx *nft;	/* kept open: its socket owns our table */
	bool ipt_installed[2];	/* [0] IPv4, [1] IPv6 */
	/* iptables-nft's table "raw" and its chain OUTPUT before we added */
	bool raw_table_had[2], raw_chain_had[2];
	char *text;
};

/* The family of index f of the per-family arrays: [0] IPv4, [1] IPv6. */
#define FW_FAMILY(f)	((f) ? AF_INET6 : AF_INET)

/* First line of a tool's message, for one-line errors. */
void fw_first_line(char *dst, size_t len, const char *prefix, const char *msg);
/* Run argv with input on stdin; its exit status, or -1 with errno. */
int fw_run_quiet(char *const *argv, const char *input, char *out, size_t outlen);
/* A libnftables context with buffered output and errors, or NULL. */
struct nft_ctx *fw_nft_ctx(void);

/* Both families' rules in, or out: 0, or -1 with errno and why set. */
int fw_ipt_install(struct fw *fw, char *why, size_t whylen);
int fw_ipt_remove(struct fw *fw, char *why, size_t whylen);

#endif
