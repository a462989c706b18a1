/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * readset: expands -r's patterns itself (a quoted 'ptrap.pcapng*' works
 * where a shell would not expand it, e.g. from a unit's ExecStart), and
 * orders by contents rather than names: a ring reused in turn has its
 * oldest packets in any of its files.
 */
#include "readset.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pcapng_read.h"

static int add_one(struct readset *rs, const char *path)
{
	struct readset_file *f;
	struct stat st;
	bool known = strcmp(path, "-") != 0 && stat(path, &st) == 0;
	unsigned int i;

	for (i = 0; known && i < rs->n; i++) {
		if (rs->files[i].known && rs->files[i].dev == st.st_dev &&
		    rs->files[i].ino == st.st_ino) {
			rs->dupes++;
			return 0;
		}
	}
	if (rs->n == rs->cap) {
		unsigned int ncap = rs->cap ? rs->cap * 2 : 16;

		f = ncap < (1u << 20) ?
		    realloc(rs->files, ncap * sizeof(*f)) : NULL;
		if (!f)
			return -1;
		rs->files = f;
		rs->cap = ncap;
	}
	f = &rs->files[rs->n];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return -1;
	f->known = known;
	if (known) {
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	}
	f->order = rs->n++;
	return 0;
}

int readset_add(struct readset *rs, const char *pattern, char *err,
		size_t errlen)
{
	struct stat st;
	glob_t g;
	size_t i;
	int rc;

	if (strcmp(pattern, "-") == 0 || stat(pattern, &st) == 0 ||
	    strpbrk(pattern, "*?[") == NULL) {
		if (add_one(rs, pattern) == 0)
			return 0;
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	rc = glob(pattern, 0, NULL, &g);
	if (rc == GLOB_NOMATCH) {
		snprintf(err, errlen, "no file matches this pattern");
		return -1;
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s", rc == GLOB_NOSPACE ?
			 strerror(ENOMEM) : "cannot expand the pattern");
		return -1;
	}
	for (i = 0; i < g.gl_pathc; i++) {
		if (add_one(rs, g.gl_pathv[i]) < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			globfree(&g);
			return -1;
		}
	}
	globfree(&g);
	return 0;
}

static int first_cb(const struct pcapng_record *r, void *arg)
{
	struct readset_file *f = arg;

	f->has_first = true;
	f->first_ns = r->ts_ns;
	return 1;	/* enough */
}

static int cmp_first(const void *a, const void *b)
{
	const struct readset_file *x = a, *y = b;

	if (x->has_first != y->has_first)
		return x->has_first ? -1 : 1;
	if (x->has_first && x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void readset_order(struct readset *rs)
{
	char err[256];
	unsigned int i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->files[i].path, "-") != 0)
			pcapng_read_file(rs->files[i].path, first_cb,
					 &rs->files[i], err, sizeof(err));
	if (rs->n > 1)
		qsort(rs->files, rs->n, sizeof(rs->files[0]), cmp_first);
}

void readset_free(struct readset *rs)
{
	unsigned int i;

	for (i = 0; i < rs->n; i++)
		free(rs->files[i].path);
	free(rs->files);
	memset(rs, 0, sizeof(*rs));
}
