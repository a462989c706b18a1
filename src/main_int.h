/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main_int: what main.c and main_read.c share: messages on stderr. */
#ifndef PTRAP_MAIN_INT_H
#define PTRAP_MAIN_INT_H

#include <stddef.h>
#include <stdio.h>
#include "cli.h"

#define fail(...) do { \
	fprintf(stderr, "ptrap: " __VA_ARGS__); \
	fputc('\n', stderr); \
} while (0)

/* A usage error ends as GNU tools' do, pointing at --help. */
#define usage_fail(...) do { \
	fail(__VA_ARGS__); \
	fputs("Try 'ptrap --help' for more information.\n", stderr); \
} while (0)

/* A file name in a message: control bytes escaped, so it stays one line. */
const char *main_show_path(const char *path, char *buf, size_t len);

/* -r: summarise the capture files of cfg; returns the exit status. */
int main_read(const struct ptrap_config *cfg);

#endif
