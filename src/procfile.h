/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procfile: read one small /proc file whole, relative to a directory fd. */
#ifndef PTRAP_PROCFILE_H
#define PTRAP_PROCFILE_H

#include <stddef.h>

/* Stop after a read that ends in '\n': a one-line file (stat) needs no read of EOF. */
#define PROCFILE_ONE_LINE	1u

/*
 * dirfd/name into buf[0..size), short reads retried (/proc files come in
 * pieces), until EOF, a full buffer (then *len == size: there may be
 * more) or, with PROCFILE_ONE_LINE, the end of the line.  No NUL added.
 * 0 with *len, or -1 with errno from openat()/read().
 */
int procfile_read(int dirfd, const char *name, char *buf, size_t size, size_t *len,
		  unsigned int flags);

#endif
