/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * warnlimit: at most one warning of a kind per interval; the ones held
 * back are counted and told with the next one that gets through.
 *
 * A flood of packets nobody can be named for, or a disk that keeps
 * failing, would otherwise bury the one line that matters on stderr.
 */
#include "warnlimit.h"

#include <string.h>

void warnlimit_init(struct warnlimit *w, unsigned int interval_ms)
{
	memset(w, 0, sizeof(*w));
	w->interval_ns = (uint64_t)interval_ms * 1000000ull;
}

bool warnlimit_allow(struct warnlimit *w, unsigned int kind, uint64_t now_ns,
		     unsigned long long *suppressed)
{
	struct warnlimit_kind *k;

	*suppressed = 0;
	if (kind >= WARNLIMIT_KINDS)
		return true;
	k = &w->k[kind];
	if (k->seen && now_ns - k->last_ns < w->interval_ns) {
		k->suppressed++;
		return false;
	}
	k->seen = true;
	k->last_ns = now_ns;
	*suppressed = k->suppressed;
	k->suppressed = 0;
	return true;
}

unsigned long long warnlimit_take(struct warnlimit *w, unsigned int kind)
{
	unsigned long long n;

	if (kind >= WARNLIMIT_KINDS)
		return 0;
	n = w->k[kind].suppressed;
	w->k[kind].suppressed = 0;
	return n;
}
