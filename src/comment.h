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
 *   User: alice               (issue 16: who the process is; each line
 *   Group: alice               only when known)
 *   Unit: ssh.service
 *   UserUnit: app.service
 *   Container: docker:<64 hex digits>
 *   Chain: dig(1234) < bash(1190) < sshd(880) < systemd(1)
 *   Cgroup: /system.slice/ssh.service
 *   Exited: yes
 *   Start: 123456             (stat's start time: a reused PID is another process)
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
#include "payload.h"
#include "cgroupinfo.h"
#include "proctree.h"
#include "resolver.h"
#include "usernames.h"

#define COMMENT_MAX	4096	/* the longest comment written */

enum comment_field {
	COMMENT_PID,			/* a number, or "unknown" */
	COMMENT_CMD,			/* the executable, "?" if unreadable */
	COMMENT_ARGS,			/* argv joined by spaces */
	COMMENT_USERID,			/* a number, or "?" */
	COMMENT_PARENTPID,
	COMMENT_COMM,
	COMMENT_REASON,			/* why no process was found */
	COMMENT_USER,			/* user name (or number) */
	COMMENT_GROUP,
	COMMENT_UNIT,			/* systemd unit of the system manager */
	COMMENT_USERUNIT,		/* ... of the user's manager */
	COMMENT_CONTAINER,		/* "runtime:id" */
	COMMENT_CHAIN,			/* proctree_append()'s text */
	COMMENT_CGROUP,
	COMMENT_EXITED,			/* "yes": the sender had exited */
	COMMENT_START,			/* stat's start time, clock ticks since
					 * boot: with PID, which process */
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
 * The issue-16 fields of a comment, read back for -r: what a report can
 * group or filter by.  Strings are unescaped and NUL-terminated ("" when
 * the comment did not say); chain[] lists the process first.
 */
struct comment_procinfo {
	char user[USERNAMES_NAME_MAX];
	char group[USERNAMES_NAME_MAX];
	char unit[CGROUPINFO_UNIT_MAX];
	char user_unit[CGROUPINFO_UNIT_MAX];
	char runtime[16];		/* "docker", ... */
	char container[CGROUPINFO_ID_MAX];	/* its id, or name */
	unsigned int n_chain;
	bool chain_truncated, chain_broken;
	struct {
		long long pid;
		char comm[PROCSTAT_COMM_MAX];
	} chain[PROCTREE_DEPTH];
	char cgroup[CGROUPINFO_PATH_MAX];
	bool exited;
};

/* Empty: nothing said. */
void comment_procinfo_clear(struct comment_procinfo *pi);

/*
 * One field from comment_next() into pi: true if it was one of those
 * above (and taken), false for any other field.
 */
bool comment_procinfo_field(struct comment_procinfo *pi, enum comment_field f,
			    const char *v, size_t vlen);

/* All of them from a whole comment [s, s + len). */
void comment_procinfo_parse(const char *s, size_t len, struct comment_procinfo *pi);

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

/*
 * What the payload said, after the process fields (comment_append_payload()):
 *
 *   Query: A www.example.test     one per DNS question: type, name and,
 *                                 unless IN, the class; the name escaped
 *                                 as in reports (one token, no spaces)
 *   SNI: api.example.test         TLS ClientHello server name
 *   Host: example.test            HTTP/1.x Host, without its port
 *   PayloadProblem: truncated dns message
 *
 * A line is added only whole: one that does not fit in len is left out.
 * Their keys are not in enum comment_field, so comment_next() skips them;
 * comment_next_payload() reads them.  Returns the new length.
 */
enum comment_payload_field {
	COMMENT_PL_QUERY,
	COMMENT_PL_SNI,
	COMMENT_PL_HOST,
	COMMENT_PL_PROBLEM,
	COMMENT_PL_N_FIELDS
};

size_t comment_append_payload(char *buf, size_t len, size_t off,
			      const struct payload *pl);

/* As comment_next(), for the payload lines above. */
bool comment_next_payload(const char **s, const char *end,
			  enum comment_payload_field *f,
			  const char **v, size_t *vlen);

/*
 * A payload line's name back in wire form (a Query's first word, its type,
 * is left in [*type, *type + *type_len); other fields set *type_len 0).
 * -r uses it where the packet bytes were cut (-S) before the name.  0, or
 * -1 with errno EINVAL.
 */
int comment_parse_name(enum comment_payload_field f, const char *v,
		       size_t vlen, const char **type, size_t *type_len,
		       struct payload_name *name);

#endif
