/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procmap_int: what procmap.c lends procmap_proc.c.  Private to those two
 * files.
 */
#ifndef PTRAP_PROCMAP_INT_H
#define PTRAP_PROCMAP_INT_H

#include "procmap.h"

/* The directory fd of the root given to procmap_new(). */
int procmap_root_fd(const struct procmap *pm);

#endif
