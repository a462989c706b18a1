/* SPDX-License-Identifier: GPL-2.0-or-later */
/* monotime: CLOCK_MONOTONIC in nanoseconds, the one clock for deadlines and ages. */
#ifndef PTRAP_MONOTIME_H
#define PTRAP_MONOTIME_H

#include <stdint.h>
#include <time.h>

static inline uint64_t monotime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
