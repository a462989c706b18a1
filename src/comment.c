/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * comment: the text ptrap puts on each packet it writes with -w.
 *
 * Every packet of a flow carries the same comment, and with printf-style
 * formatting it was most of ptrap's own per-packet work.  So the text is
 * built with plain copies, and a small memo keeps the comments of the
 * processes seen last: a packet whose process record (pid, ppid, uid,
 * exe, argv, comm) is byte for byte the one a comment was made from gets
 * that comment again.  The memo compares the record itself, not a pid, so
 * a recycled pid or an exec() can never get an old comment.
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "comment.h"
#include "strbuf.h"

#define MEMO_PROCS	16		/* processes remembered */

static const char *const keys[COMMENT_N_FIELDS] = {
	[COMMENT_PID] = "PID",
	[COMMENT_CMD] = "Cmd",
	[COMMENT_ARGS] = "Args",
	[COMMENT_USERID] = "UserId",
	[COMMENT_PARENTPID] = "ParentPID",
	[COMMENT_COMM] = "Comm",
	[COMMENT_REASON] = "Reason",
	[COMMENT_STATE] = "State",
};

/* A comment under construction: truncated to len - 1, always terminated. */
struct cm_buf {
	char *buf;
	size_t len, off;
};

static void put_mem(struct cm_buf *b, const char *s, size_t n)
{
	size_t room = b->len - 1 - b->off;

	if (n > room)
		n = room;
	memcpy(b->buf + b->off, s, n);
	b->off += n;
	b->buf[b->off] = '\0';
}

#define PUT_LIT(b, s)	put_mem((b), (s), sizeof(s) - 1)

/* "Key:" on a line of its own; the value follows as " value". */
static void put_key(struct cm_buf *b, enum comment_field f)
{
	if (b->off > 0)
		PUT_LIT(b, "\n");
	put_mem(b, keys[f], strlen(keys[f]));
	PUT_LIT(b, ":");
}

/*
 * Untrusted bytes (a process names itself, and its exe path and argv are
 * its owner's choice): a newline must not start a forged "PID: 1" line,
 * so what a one-line value cannot hold is escaped C-style, as sb_escaped()
 * does, and the backslash too so that comment_unescape() is exact.
 */
static void put_escaped(struct cm_buf *b, const char *s, size_t n)
{
	struct strbuf sb;

	sb_init(&sb, b->buf + b->off, b->len - b->off);
	sb_escaped(&sb, s, n, "\\");
	b->off += sb.pos;
	b->buf[b->off] = '\0';
}

static void put_str(struct cm_buf *b, enum comment_field f, const char *s,
		    size_t max)
{
	put_key(b, f);
	PUT_LIT(b, " ");
	put_escaped(b, s, strnlen(s, max));
}

/* " 123", or " -123" */
static void put_digits(struct cm_buf *b, bool minus, unsigned long v)
{
	char d[SB_DEC_MAX];
	size_t n = sb_dec(d, v);

	if (minus)
		PUT_LIT(b, " -");
	else
		PUT_LIT(b, " ");
	put_mem(b, d, n);
}

static void put_ulong(struct cm_buf *b, enum comment_field f, unsigned long v)
{
	put_key(b, f);
	put_digits(b, false, v);
}

static void put_long(struct cm_buf *b, enum comment_field f, long v)
{
	put_key(b, f);
	put_digits(b, v < 0, v < 0 ? 0ul - (unsigned long)v : (unsigned long)v);
}

/* argv is NUL-separated; a line per field keeps the comment parseable. */
static void put_args(struct cm_buf *b, enum comment_field f, const char *argv,
		     size_t len)
{
	size_t i;

	put_key(b, f);
	for (i = 0; i < len; ) {
		const char *a = argv + i;
		size_t n = strnlen(a, len - i);

		PUT_LIT(b, " ");
		put_escaped(b, a, n);
		i += n + 1;
	}
}

static void format_proc(struct cm_buf *b, const struct resolver_proc *pr)
{
	size_t argv_len = pr->cmdline_len < sizeof(pr->cmdline) ?
			  pr->cmdline_len : sizeof(pr->cmdline);

	put_long(b, COMMENT_PID, (long)pr->pid);
	put_str(b, COMMENT_CMD, pr->exe[0] ? pr->exe : "?", sizeof(pr->exe));
	put_args(b, COMMENT_ARGS, pr->cmdline, argv_len);
	put_ulong(b, COMMENT_USERID, (unsigned long)pr->uid);
	put_long(b, COMMENT_PARENTPID, (long)pr->ppid);
	put_str(b, COMMENT_COMM, pr->comm, sizeof(pr->comm));
	if (pr->exited)
		put_str(b, COMMENT_STATE, "exited", sizeof("exited"));
}

static void format_unknown(struct cm_buf *b, long long uid, const char *reason)
{
	put_str(b, COMMENT_PID, "unknown", sizeof("unknown"));
	if (uid >= 0)
		put_ulong(b, COMMENT_USERID, (unsigned long)uid);
	else
		put_str(b, COMMENT_USERID, "?", 2);
	put_str(b, COMMENT_REASON, reason ? reason : "unknown", COMMENT_MAX);
}

size_t comment_format_unknown(long long uid, const char *reason,
			      char *buf, size_t len)
{
	struct cm_buf b = { .buf = buf, .len = len, .off = 0 };

	if (len == 0)
		return 0;
	buf[0] = '\0';
	format_unknown(&b, uid, reason);
	return b.off;
}

size_t comment_format(const struct resolver_result *who, char *buf, size_t len)
{
	struct cm_buf b = { .buf = buf, .len = len, .off = 0 };

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (who->n_procs > 0)
		format_proc(&b, &who->procs[0]);
	else
		format_unknown(&b, who->has_uid ? (long long)who->uid : -1,
			       who->problem);
	return b.off;
}

bool comment_next(const char **s, const char *end, enum comment_field *f,
		  const char **v, size_t *vlen)
{
	while (*s < end) {
		const char *line = *s, *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		int i;

		/* a NUL inside the comment ends it after this line */
		*s = nl && !memchr(line, '\0', n) ? nl + 1 : end;
		for (i = 0; i < COMMENT_N_FIELDS; i++) {
			size_t kl = strlen(keys[i]);

			if (n >= kl + 2 && memcmp(line, keys[i], kl) == 0 &&
			    line[kl] == ':' && line[kl + 1] == ' ') {
				*f = (enum comment_field)i;
				*v = line + kl + 2;
				*vlen = n - kl - 2;
				return true;
			}
		}
	}
	return false;
}

long long comment_number(const char *v, size_t vlen)
{
	long long n = 0;
	size_t i;

	if (vlen == 0 || vlen > 18)
		return -1;
	for (i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		n = n * 10 + (v[i] - '0');
	}
	return n;
}

/* --- the memo --- */

struct memo_entry {
	struct resolver_proc key;	/* the record the text was made from */
	char text[COMMENT_MAX];
};

struct comment_memo {
	char scratch[COMMENT_MAX];	/* comments without a process */
	struct cache *procs;		/* pid_t -> struct memo_entry */
};

struct comment_memo *comment_memo_new(void)
{
	struct comment_memo *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->procs = cache_new(MEMO_PROCS, sizeof(pid_t), sizeof(struct memo_entry));
	if (!m->procs) {
		free(m);
		return NULL;
	}
	return m;
}

void comment_memo_free(struct comment_memo *m)
{
	if (m)
		cache_free(m->procs);
	free(m);
}

/*
 * Is p the record k was made from, in everything the comment shows?  A
 * field added to the comment must be compared here too.
 */
static bool same_proc(const struct resolver_proc *k, const struct resolver_proc *p)
{
	size_t n = p->cmdline_len < sizeof(p->cmdline) ?
		   p->cmdline_len : sizeof(p->cmdline);

	return k->pid == p->pid && k->ppid == p->ppid && k->uid == p->uid &&
	       k->exited == p->exited && k->cmdline_len == p->cmdline_len &&
	       strncmp(k->exe, p->exe, sizeof(k->exe)) == 0 &&
	       strncmp(k->comm, p->comm, sizeof(k->comm)) == 0 &&
	       memcmp(k->cmdline, p->cmdline, n) == 0;
}

static void remember(struct resolver_proc *k, const struct resolver_proc *p)
{
	size_t n = p->cmdline_len < sizeof(p->cmdline) ?
		   p->cmdline_len : sizeof(p->cmdline);

	k->pid = p->pid;
	k->ppid = p->ppid;
	k->uid = p->uid;
	k->exited = p->exited;
	k->cmdline_len = p->cmdline_len;
	memcpy(k->exe, p->exe, sizeof(k->exe));
	memcpy(k->comm, p->comm, sizeof(k->comm));
	memcpy(k->cmdline, p->cmdline, n);
}

const char *comment_memo_get(struct comment_memo *m,
			     const struct resolver_result *who)
{
	const struct resolver_proc *p = &who->procs[0];
	struct memo_entry *e;
	bool added;

	if (who->n_procs == 0) {
		comment_format(who, m->scratch, sizeof(m->scratch));
		return m->scratch;
	}
	e = cache_put(m->procs, cache_hash64((uint64_t)p->pid), &p->pid, &added);
	if (!added && same_proc(&e->key, p))
		return e->text;
	remember(&e->key, p);
	comment_format(who, e->text, sizeof(e->text));
	return e->text;
}

size_t comment_unescape(const char *v, size_t vlen, char *out, size_t outlen)
{
	size_t i = 0, o = 0;

	if (outlen == 0)
		return 0;
	while (i < vlen && o + 1 < outlen) {
		char c = v[i++];

		if (c == '\\' && i < vlen) {
			char e = v[i++];

			if (e == 'n') {
				c = '\n';
			} else if (e == 't') {
				c = '\t';
			} else if (e == 'x' && vlen - i >= 2 &&
				   strchr("0123456789abcdef", v[i]) &&
				   strchr("0123456789abcdef", v[i + 1])) {
				c = (char)(((v[i] <= '9' ? v[i] - '0' : v[i] - 'a' + 10) << 4) |
					   (v[i + 1] <= '9' ? v[i + 1] - '0' : v[i + 1] - 'a' + 10));
				i += 2;
			} else {
				c = e;		/* \\ and \" */
			}
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return o;
}
