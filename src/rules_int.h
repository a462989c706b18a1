/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules_int: what rules.c (preparation, nft) and rules_ipt.c (iptables)
 * share.  Private to the two.
 */
#ifndef PTRAP_RULES_INT_H
#define PTRAP_RULES_INT_H

#include <net/if.h>
#include <stdbool.h>

#include "cli.h"
#include "filter.h"
#include "strbuf.h"

#define RULES_QUEUE_MAX		65535
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The configuration reduced to what the rules need, validated. */
struct rules_set {
	struct addr_prefix dests[CLI_MAX_DESTS];	/* normalised */
	unsigned int n_dests;
	struct addr_port_range ports[CLI_MAX_PORTS];	/* sorted, merged */
	unsigned int n_ports;
	char ifaces[CLI_MAX_IFACES][IF_NAMESIZE];	/* sorted, unique */
	unsigned int n_ifaces;
	uid_t uids[CLI_MAX_UIDS];			/* sorted, unique */
	unsigned int n_uids;
	bool syn;		/* -c: TCP rules match SYN without ACK only */
	unsigned int queue;
	struct filter_rules *fr;	/* the groups: options and expression */
};

/* ICMP requests ptrap traps, with their nft and iptables names. */
struct rules_icmp_type {
	const char *nft, *ipt;
};

extern const struct rules_icmp_type rules_icmp4_types[];
extern const size_t rules_n_icmp4_types;
extern const struct rules_icmp_type rules_icmp6_types[];
extern const size_t rules_n_icmp6_types;

/* 0, or -1 with errno EINVAL (ENOMEM); rules_release() in both cases. */
int rules_prepare(const struct ptrap_config *cfg, struct rules_set *rs);
void rules_release(struct rules_set *rs);

unsigned int rules_count_family(const struct rules_set *rs, int family);
void rules_prefix(struct strbuf *rb, const struct addr_prefix *p);

#endif
