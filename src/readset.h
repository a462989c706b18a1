/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * readset: the capture files -r reads: names and glob(7) patterns
 * expanded, each file once, in the order of their first packets, so the
 * files of a rotated ring (ptrap.pcapng00..15, reused in turn) are read
 * in time order whatever their numbers.
 */
#ifndef PTRAP_READSET_H
#define PTRAP_READSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct readset_file {
	char *path;
	bool has_first;		/* first_ns valid: a packet was read */
	uint64_t first_ns;
	bool known;		/* dev, ino valid (stat worked) */
	dev_t dev;		/* which file, so that it is read once */
	ino_t ino;
	unsigned int order;	/* as added: ties keep it */
};

struct readset {
	struct readset_file *files;
	unsigned int n, cap;
	unsigned int dupes;	/* names of a file already in the set */
};

/*
 * Add the file pattern names, or each file it matches when it names no
 * file and holds a glob(7) character; "-" is stdin.  A name that does not
 * exist is kept (reading it says why).  0, or -1 with a message in err:
 * a pattern that matches nothing, no memory.
 */
int readset_add(struct readset *rs, const char *pattern, char *err,
		size_t errlen);

/*
 * Sort the files by their first packet's time stamp (reading up to it);
 * files without one go last, in the order they were added.
 */
void readset_order(struct readset *rs);

void readset_free(struct readset *rs);

#endif
