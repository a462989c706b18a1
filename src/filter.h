/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter: a pcap-filter-style expression (tcpdump's syntax, the part that
 * firewall rules can match) and its compilation into rule groups.
 *
 * filter_parse() turns the words after the options into a small tree;
 * filter_compile() turns the tree, ANDed with what the options select,
 * into groups: each group is one conjunction of matches on one address
 * family and protocol, and becomes one nft rule or a few iptables rules
 * (rules.c).  Both are pure functions; nothing here prints or allocates
 * beyond filter_compile's work space, freed before it returns.
 */
#ifndef PTRAP_FILTER_H
#define PTRAP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define FILTER_MAX_NODES	96	/* primitives and operators */
#define FILTER_MAX_GROUPS	64	/* rule groups: nft rules */
#define FILTER_MAX_NEG		16	/* negated values of one field */
#define FILTER_MAX_ADDRS	64	/* = CLI_MAX_DESTS (-i) */
#define FILTER_MAX_PORTS	32	/* = CLI_MAX_PORTS (-p) */

/*
 * The packets ptrap can trap fall into six classes: IPv4 or IPv6 times
 * UDP, TCP or ICMP (ICMPv6 for IPv6; requests only, see rules.c).
 */
enum filter_proto { FILTER_UDP, FILTER_TCP, FILTER_ICMP };
#define FILTER_N_CLASSES	6
#define FILTER_CLASS(v6, proto)	((v6) * 3 + (proto))

enum filter_dir { FILTER_SRC_OR_DST, FILTER_SRC, FILTER_DST, FILTER_SRC_AND_DST };
enum filter_kind { FILTER_IS_CLASS, FILTER_IS_ADDR, FILTER_IS_PORT };

/* A primitive: "udp", "src net 192.0.2.0/24", "tcp dst portrange 1-1023". */
struct filter_atom {
	uint8_t kind;		/* enum filter_kind */
	uint8_t dir;		/* enum filter_dir; ADDR and PORT only */
	uint8_t classes;	/* bit per class it can be true in */
	struct addr_prefix addr;	/* FILTER_IS_ADDR */
	struct addr_port_range ports;	/* FILTER_IS_PORT */
};

enum filter_op { FILTER_ATOM, FILTER_NOT, FILTER_AND, FILTER_OR };

struct filter_node {
	uint8_t op;		/* enum filter_op */
	uint8_t a, b;		/* operands: indices into nodes[] */
	struct filter_atom atom;	/* FILTER_ATOM */
};

/* A parsed expression; n_nodes == 0 is no expression (everything). */
struct filter {
	struct filter_node nodes[FILTER_MAX_NODES];
	unsigned int n_nodes;
	unsigned int root;
};

/*
 * Parse argv[0..argc), joined by blanks as tcpdump joins its arguments.
 * Returns 0, or -1 with a one-line message (no newline) in err.
 */
int filter_parse(struct filter *f, int argc, char *const *argv,
		 char *err, size_t errlen);

/*
 * What the options select, ANDed with the expression: the protocols
 * (-u, -t, --icmp), the destinations (-i; none: any) and the destination
 * ports of UDP and TCP (-p; none: any).
 */
struct filter_scope {
	bool udp, tcp, icmp;
	const struct addr_prefix *dests;
	unsigned int n_dests;
	const struct addr_port_range *ports;
	unsigned int n_ports;
};

/*
 * One field's condition in a group: any of pos[] (no pos: any value) and
 * none of neg[].  Values are kept in the order first given.
 */
struct filter_addrs {
	unsigned int n_pos, n_neg;
	struct addr_prefix pos[FILTER_MAX_ADDRS];
	struct addr_prefix neg[FILTER_MAX_NEG];
};

struct filter_ports {
	unsigned int n_pos, n_neg;
	struct addr_port_range pos[FILTER_MAX_PORTS];
	struct addr_port_range neg[FILTER_MAX_NEG];
};

/* A packet of this family and protocol matching every field. */
struct filter_group {
	int family;		/* AF_INET or AF_INET6 */
	enum filter_proto proto;
	struct filter_addrs saddr, daddr;
	struct filter_ports sport, dport;	/* UDP and TCP only */
};

/* Groups in class order (IPv4 UDP, TCP, ICMP, then IPv6), then as written. */
struct filter_rules {
	unsigned int n;
	struct filter_group g[FILTER_MAX_GROUPS];
};

/*
 * Compile f (may be empty) within scope into out (about 280 KB: allocate
 * it).  Returns 0, or -1 with a one-line message in err when the result
 * needs more than FILTER_MAX_GROUPS groups or FILTER_MAX_NEG negations of
 * one field, or matches no packet at all.
 */
int filter_compile(const struct filter *f, const struct filter_scope *scope,
		   struct filter_rules *out, char *err, size_t errlen);

#endif
