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
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "comment.h"
#include "procinfo.h"
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
	[COMMENT_USER] = "User",
	[COMMENT_GROUP] = "Group",
	[COMMENT_UNIT] = "Unit",
	[COMMENT_USERUNIT] = "UserUnit",
	[COMMENT_CONTAINER] = "Container",
	[COMMENT_CHAIN] = "Chain",
	[COMMENT_CGROUP] = "Cgroup",
	[COMMENT_EXITED] = "Exited",
	[COMMENT_START] = "Start",
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
}

/* A field only when it says something. */
static void put_known(struct cm_buf *b, enum comment_field f, const char *s, size_t max)
{
	if (s[0])
		put_str(b, f, s, max);
}

/* The chain as proctree_append() writes it: escaped already, one line. */
static void put_chain(struct cm_buf *b, const struct proctree *t)
{
	struct strbuf sb;

	put_key(b, COMMENT_CHAIN);
	PUT_LIT(b, " ");
	sb_init(&sb, b->buf + b->off, b->len - b->off);
	proctree_append(&sb, t);
	if (sb_finish(&sb) < 0)
		return;		/* cut: no half a chain */
	b->off += sb.pos;
}

/* Issue 16's fields: who the process is, each when known. */
static void format_procinfo(struct cm_buf *b, const struct resolver_result *who)
{
	const struct procinfo *pi = who->info;

	if (pi) {
		put_known(b, COMMENT_USER, pi->user, sizeof(pi->user));
		put_known(b, COMMENT_GROUP, pi->group, sizeof(pi->group));
		put_known(b, COMMENT_UNIT, pi->cg.unit, sizeof(pi->cg.unit));
		put_known(b, COMMENT_USERUNIT, pi->cg.user_unit, sizeof(pi->cg.user_unit));
		if (pi->cg.runtime != CGROUPINFO_NONE && pi->cg.id[0]) {
			const char *rt = cgroupinfo_runtime_name(pi->cg.runtime);

			put_key(b, COMMENT_CONTAINER);
			PUT_LIT(b, " ");
			put_mem(b, rt, strlen(rt));
			PUT_LIT(b, ":");
			put_escaped(b, pi->cg.id, strnlen(pi->cg.id, sizeof(pi->cg.id)));
		}
		if (pi->tree.n > 0)
			put_chain(b, &pi->tree);
		put_known(b, COMMENT_CGROUP, pi->cg.path, sizeof(pi->cg.path));
	}
	if (who->exited)
		put_str(b, COMMENT_EXITED, "yes", 4);
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
	format_procinfo(&b, who);
	/* last: readers before it knew the lines above in this order */
	if (who->n_procs > 0 && who->procs[0].start)
		put_ulong(&b, COMMENT_START, (unsigned long)who->procs[0].start);
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
	uint64_t info;			/* and its procinfo's serial (0: none) */
	bool exited;
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

	return k->pid == p->pid && k->start == p->start &&
	       k->ppid == p->ppid && k->uid == p->uid &&
	       k->cmdline_len == p->cmdline_len &&
	       strncmp(k->exe, p->exe, sizeof(k->exe)) == 0 &&
	       strncmp(k->comm, p->comm, sizeof(k->comm)) == 0 &&
	       memcmp(k->cmdline, p->cmdline, n) == 0;
}

static void remember(struct resolver_proc *k, const struct resolver_proc *p)
{
	size_t n = p->cmdline_len < sizeof(p->cmdline) ?
		   p->cmdline_len : sizeof(p->cmdline);

	k->pid = p->pid;
	k->start = p->start;
	k->ppid = p->ppid;
	k->uid = p->uid;
	k->cmdline_len = p->cmdline_len;
	memcpy(k->exe, p->exe, sizeof(k->exe));
	memcpy(k->comm, p->comm, sizeof(k->comm));
	memcpy(k->cmdline, p->cmdline, n);
}

const char *comment_memo_get(struct comment_memo *m,
			     const struct resolver_result *who)
{
	const struct resolver_proc *p = &who->procs[0];
	uint64_t info = who->info ? who->info->serial : 0;
	struct memo_entry *e;
	bool added;

	if (who->n_procs == 0) {
		comment_format(who, m->scratch, sizeof(m->scratch));
		return m->scratch;
	}
	e = cache_put(m->procs, cache_hash64((uint64_t)p->pid), &p->pid, &added);
	if (!added && same_proc(&e->key, p) && e->info == info && e->exited == who->exited)
		return e->text;
	remember(&e->key, p);
	e->info = info;
	e->exited = who->exited;
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

/* --- what the payload said --- */

static const char *const pl_keys[COMMENT_PL_N_FIELDS] = {
	[COMMENT_PL_QUERY] = "Query",
	[COMMENT_PL_SNI] = "SNI",
	[COMMENT_PL_HOST] = "Host",
	[COMMENT_PL_PROBLEM] = "PayloadProblem",
};

/* A whole line or nothing: a cut name would read back as another name. */
static void put_line(struct cm_buf *b, const struct strbuf *line)
{
	if (line->full || b->off + 1 + line->pos + 1 > b->len)
		return;
	if (b->off > 0)
		PUT_LIT(b, "\n");
	put_mem(b, line->buf, line->pos);
}

static void pl_name_line(struct cm_buf *b, enum comment_payload_field f,
			 const char *type, const struct payload_name *name,
			 const char *cls)
{
	char text[PAYLOAD_NAME_TEXT_MAX + 64];
	struct strbuf l;

	sb_init(&l, text, sizeof(text));
	sb_str(&l, pl_keys[f]);
	sb_str(&l, ": ");
	if (type) {
		sb_str(&l, type);
		sb_char(&l, ' ');
	}
	payload_name_escape(&l, name);
	if (cls) {
		sb_char(&l, ' ');
		sb_str(&l, cls);
	}
	put_line(b, &l);
}

size_t comment_append_payload(char *buf, size_t len, size_t off,
			      const struct payload *pl)
{
	struct cm_buf b = { .buf = buf, .len = len, .off = off };
	char tb[PAYLOAD_NUM_NAME_MAX], cb[PAYLOAD_NUM_NAME_MAX];
	char text[128];
	struct strbuf l;
	unsigned int i;

	if (pl == NULL || len == 0 || off >= len)
		return off;
	switch (pl->kind) {
	case PAYLOAD_NONE:
		return off;
	case PAYLOAD_DNS:
		for (i = 0; i < pl->dns.n_questions && i < PAYLOAD_DNS_QMAX; i++) {
			const struct payload_dns_question *q = &pl->dns.q[i];

			pl_name_line(&b, COMMENT_PL_QUERY,
				     payload_type_name(q->qtype, tb), &q->qname,
				     q->qclass == 1 ? NULL :
				     payload_class_name(q->qclass, cb));
		}
		break;
	case PAYLOAD_TLS:
		if (pl->tls.has_sni)
			pl_name_line(&b, COMMENT_PL_SNI, NULL, &pl->tls.sni, NULL);
		break;
	case PAYLOAD_HTTP:
		if (pl->http.has_host)
			pl_name_line(&b, COMMENT_PL_HOST, NULL, &pl->http.host,
				     NULL);
		break;
	}
	if (pl->problem) {
		sb_init(&l, text, sizeof(text));
		sb_str(&l, "PayloadProblem: ");
		sb_str(&l, pl->problem);
		put_line(&b, &l);
	}
	return b.off;
}

bool comment_next_payload(const char **s, const char *end,
			  enum comment_payload_field *f,
			  const char **v, size_t *vlen)
{
	while (*s < end) {
		const char *line = *s, *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		int i;

		*s = nl && !memchr(line, '\0', n) ? nl + 1 : end;
		for (i = 0; i < COMMENT_PL_N_FIELDS; i++) {
			size_t kl = strlen(pl_keys[i]);

			if (n >= kl + 2 && memcmp(line, pl_keys[i], kl) == 0 &&
			    line[kl] == ':' && line[kl + 1] == ' ') {
				*f = (enum comment_payload_field)i;
				*v = line + kl + 2;
				*vlen = n - kl - 2;
				return true;
			}
		}
	}
	return false;
}

int comment_parse_name(enum comment_payload_field f, const char *v,
		       size_t vlen, const char **type, size_t *type_len,
		       struct payload_name *name)
{
	char text[PAYLOAD_NAME_TEXT_MAX];
	const char *sp, *why;
	size_t n;

	*type = v;
	*type_len = 0;
	if (f == COMMENT_PL_QUERY) {
		sp = memchr(v, ' ', vlen);
		if (sp == NULL)
			goto bad;
		*type_len = (size_t)(sp - v);
		vlen -= *type_len + 1;
		v = sp + 1;
		/* a class, if any, follows the name: names have no spaces */
		sp = memchr(v, ' ', vlen);
		if (sp)
			vlen = (size_t)(sp - v);
	} else if (f != COMMENT_PL_SNI && f != COMMENT_PL_HOST) {
		goto bad;
	}
	n = vlen;
	if (n == 0 || n >= sizeof(text) || memchr(v, '\0', n))
		goto bad;
	memcpy(text, v, n);
	text[n] = '\0';
	return payload_name_parse(name, text, &why);
bad:
	errno = EINVAL;
	return -1;
}

/* --- issue 16's fields, read back --- */

void comment_procinfo_clear(struct comment_procinfo *pi)
{
	pi->user[0] = pi->group[0] = pi->unit[0] = pi->user_unit[0] = '\0';
	pi->runtime[0] = pi->container[0] = pi->cgroup[0] = '\0';
	pi->n_chain = 0;
	pi->chain_truncated = pi->chain_broken = false;
	pi->exited = false;
}

/* "comm(pid)": the pid is in the last parentheses, comm may hold any. */
static void parse_node(struct comment_procinfo *pi, const char *s, size_t n)
{
	const char *open;
	size_t i;

	if (pi->n_chain >= PROCTREE_DEPTH || n < 3 || s[n - 1] != ')')
		return;
	for (open = NULL, i = n - 1; i-- > 0; )
		if (s[i] == '(') {
			open = s + i;
			break;
		}
	if (!open)
		return;
	pi->chain[pi->n_chain].pid = comment_number(open + 1, (size_t)(s + n - 1 - open - 1));
	comment_unescape(s, (size_t)(open - s), pi->chain[pi->n_chain].comm,
			 sizeof(pi->chain[pi->n_chain].comm));
	pi->n_chain++;
}

/* "a(1) < b(2) < ...": " < " never occurs inside a node (its '<' is escaped). */
static void parse_chain(struct comment_procinfo *pi, const char *v, size_t vlen)
{
	const char *end = v + vlen;

	pi->n_chain = 0;
	while (v < end) {
		const char *sep = memmem(v, (size_t)(end - v), " < ", 3);
		size_t n = sep ? (size_t)(sep - v) : (size_t)(end - v);

		if (n == 3 && memcmp(v, "...", 3) == 0)
			pi->chain_truncated = true;
		else if (n == 1 && v[0] == '?')
			pi->chain_broken = true;
		else
			parse_node(pi, v, n);
		v = sep ? sep + 3 : end;
	}
}

static void parse_container(struct comment_procinfo *pi, const char *v, size_t vlen)
{
	const char *colon = memchr(v, ':', vlen);
	size_t n;

	if (!colon)
		return;
	n = (size_t)(colon - v);
	if (n >= sizeof(pi->runtime))
		return;
	memcpy(pi->runtime, v, n);
	pi->runtime[n] = '\0';
	comment_unescape(colon + 1, vlen - n - 1, pi->container, sizeof(pi->container));
}

bool comment_procinfo_field(struct comment_procinfo *pi, enum comment_field f,
			    const char *v, size_t vlen)
{
	switch (f) {
	case COMMENT_USER:
		comment_unescape(v, vlen, pi->user, sizeof(pi->user));
		return true;
	case COMMENT_GROUP:
		comment_unescape(v, vlen, pi->group, sizeof(pi->group));
		return true;
	case COMMENT_UNIT:
		comment_unescape(v, vlen, pi->unit, sizeof(pi->unit));
		return true;
	case COMMENT_USERUNIT:
		comment_unescape(v, vlen, pi->user_unit, sizeof(pi->user_unit));
		return true;
	case COMMENT_CONTAINER:
		parse_container(pi, v, vlen);
		return true;
	case COMMENT_CHAIN:
		parse_chain(pi, v, vlen);
		return true;
	case COMMENT_CGROUP:
		comment_unescape(v, vlen, pi->cgroup, sizeof(pi->cgroup));
		return true;
	case COMMENT_EXITED:
		pi->exited = vlen == 3 && memcmp(v, "yes", 3) == 0;
		return true;
	default:
		return false;
	}
}

void comment_procinfo_parse(const char *s, size_t len, struct comment_procinfo *pi)
{
	const char *end = s + len, *v;
	enum comment_field f;
	size_t vlen;

	comment_procinfo_clear(pi);
	while (comment_next(&s, end, &f, &v, &vlen))
		comment_procinfo_field(pi, f, v, vlen);
}
