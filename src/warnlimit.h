/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * warnlimit: at most one warning of a kind per interval; the ones held
 * back are counted and told with the next one that gets through.
 */
#ifndef PTRAP_WARNLIMIT_H
#define PTRAP_WARNLIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define WARNLIMIT_KINDS		16
#define WARNLIMIT_DEFAULT_MS	10000

struct warnlimit_kind {
	bool seen;
	uint64_t last_ns;		/* when one was last let through */
	unsigned long long suppressed;	/* held back since */
};

struct warnlimit {
	uint64_t interval_ns;
	struct warnlimit_kind k[WARNLIMIT_KINDS];
};

void warnlimit_init(struct warnlimit *w, unsigned int interval_ms);

/*
 * Whether a warning of kind may be printed at now_ns (any monotonic clock;
 * tests inject it).  If so, *suppressed gets how many of that kind were
 * held back since the last one printed, and the count restarts.  A kind
 * out of range is always let through.
 */
bool warnlimit_allow(struct warnlimit *w, unsigned int kind, uint64_t now_ns,
		     unsigned long long *suppressed);

/* Held back and not yet told (for a last line at exit); resets it. */
unsigned long long warnlimit_take(struct warnlimit *w, unsigned int kind);

#endif
