/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * comment: the text ptrap puts on each packet it writes with -w, written
 * and read back (-r) here only.  One "Key: value" line per field:
 *
 *   PID: 1234            or   PID: unknown
 *   Cmd: /usr/bin/dig         UserId: 1000 (or ?)
 *   Args: dig @192.0.2.53     Reason: no socket in sock_diag: ...
 *   UserId: 1000
 *   ParentPID: 1
 *   Comm: dig
 *   State: exited        (only for a sender gone before it was looked
 *                         up, named by the send-time record)
 *
 * A reader skips lines it does not know, so a field can be added without
 * breaking older readers: a value in enum comment_field (and its key), one
 * line in comment_format() and, if the report shows it, one case in the
 * reader's loop (report_parse_comment()).
 */
#ifndef PTRAP_COMMENT_H
#define PTRAP_COMMENT_H

#include <stdbool.h>
#include <stddef.h>
#include "resolver.h"

#define COMMENT_MAX	4096	/* the longest comment written */

enum comment_field {
	COMMENT_PID,			/* a number, or "unknown" */
	COMMENT_CMD,			/* the executable, "?" if unreadable */
	COMMENT_ARGS,			/* argv joined by spaces */
	COMMENT_USERID,			/* a number, or "?" */
	COMMENT_PARENTPID,
	COMMENT_COMM,
	COMMENT_REASON,			/* why no process was found */
	COMMENT_STATE,			/* "exited", or absent */
	COMMENT_N_FIELDS
};

/*
 * The comment for who: procs[0]'s fields, or the "unknown" form with
 * who->problem.  Returns its length (truncated to fit len, always
 * NUL-terminated).
 */
size_t comment_format(const struct resolver_result *who, char *buf, size_t len);

/* The "unknown" form by itself: uid < 0 prints "?". */
size_t comment_format_unknown(long long uid, const char *reason,
			      char *buf, size_t len);

/*
 * Reading: the next line of [*s, end) that is a known field: *f and its
 * value [*v, *v + *vlen) up to the newline; *s moves past it.  false at
 * the end; a NUL ends the comment after its line, as in a C string.
 */
bool comment_next(const char **s, const char *end, enum comment_field *f,
		  const char **v, size_t *vlen);

/*
 * A field's value as the bytes it stands for: the writer escapes what a
 * line cannot hold (\n, \t, \\, \xNN).  Writes at most outlen - 1 bytes
 * and a NUL (a value may hold NULs from \x00); returns how many.
 */
size_t comment_unescape(const char *v, size_t vlen, char *out, size_t outlen);

/* A field's value as a decimal number (at most 18 digits), else -1. */
long long comment_number(const char *v, size_t vlen);

/*
 * A memo of comments: the packets of a flow carry the same one.
 * comment_memo_get() gives the comment for who, re-used when procs[0] is
 * the record it was made from in everything the comment shows; the text
 * stays valid until the next call.
 */
struct comment_memo;
struct comment_memo *comment_memo_new(void);
void comment_memo_free(struct comment_memo *m);
const char *comment_memo_get(struct comment_memo *m,
			     const struct resolver_result *who);

#endif
