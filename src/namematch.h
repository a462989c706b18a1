/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * namematch: --name PATTERN, matched against the names a payload decoded
 * to (DNS qnames, TLS SNI, HTTP Host).
 *
 * A pattern is a name as ptrap prints it: "example.test" matches that
 * name only; "*.example.test" matches every name below it, at any depth
 * (a.example.test, a.b.example.test), not example.test itself: what an
 * OpenSnitch user gets from its "*.example.test" (the regexp
 * .*\.example\.test) and what a DNS wildcard covers (RFC 4592).  Malware
 * spreads over many labels under one domain, so one label deep (the TLS
 * certificate rule) would miss most of it; give both patterns to match
 * the domain too.  "*" alone matches every name but the root.
 *
 * ASCII letters match case-insensitively; one final dot is ignored;
 * escapes as printed (\. \\ \DDD) stand for those bytes.  Names are
 * compared label by label in wire form, so an escaped dot inside a label
 * is never taken for a label boundary.
 */
#ifndef PTRAP_NAMEMATCH_H
#define PTRAP_NAMEMATCH_H

#include <stdbool.h>
#include "payload.h"

#define NAMEMATCH_MAX	64	/* --name patterns */

struct namematch_pattern {
	bool subdomains;		/* "*.": below suffix, not suffix itself */
	struct payload_name suffix;	/* lower case */
};

struct namematch_set {
	unsigned int n;
	struct namematch_pattern p[NAMEMATCH_MAX];
};

void namematch_init(struct namematch_set *set);

/*
 * Add a pattern.  0, or -1 with errno EINVAL and *why a one-line reason
 * ("'*' only as the whole first label, as in *.example.test", "empty
 * label", ...), or ENOSPC ("more than 64 name patterns").
 */
int namematch_add(struct namematch_set *set, const char *pattern,
		  const char **why);

/* Does name match one pattern of set?  False for an empty set. */
bool namematch_name(const struct namematch_set *set,
		    const struct payload_name *name);

/* Does one name in pl (any decoded question, the SNI, the Host) match? */
bool namematch_payload(const struct namematch_set *set,
		       const struct payload *pl);

#endif
