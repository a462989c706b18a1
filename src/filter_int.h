/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter_int: what filter_dnf.c (the normal form) and filter_group.c (a
 * conjunction as a group) share.  Private to the two.
 */
#ifndef PTRAP_FILTER_INT_H
#define PTRAP_FILTER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "filter.h"

enum filter_lit_field { L_SADDR, L_DADDR, L_SPORT, L_DPORT };

/* One match of a conjunction: field (not) in value. */
struct filter_lit {
	uint8_t field;		/* enum filter_lit_field */
	bool neg;
	struct addr_prefix addr;	/* L_SADDR, L_DADDR */
	struct addr_port_range ports;	/* L_SPORT, L_DPORT */
};

#define CONJ_MAX_LITS	32	/* literals of one conjunction */

/*
 * The group of the conjunction lits[0..n) in class (FILTER_CLASS()),
 * within s, into g: 1, or 0 when no packet can match it, or -1 when a
 * field has more than FILTER_MAX_NEG negations.
 */
int filter_group_build(const struct filter_lit *const *lits, unsigned int n,
		       unsigned int class, const struct filter_scope *s,
		       struct filter_group *g);

/* Value by value (struct padding is not compared). */
bool filter_group_equal(const struct filter_group *a, const struct filter_group *b);

#endif
