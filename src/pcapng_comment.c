/*
 * pcapng_comment: the text ptrap puts on each packet it writes with -w.
 *
 * Every packet of a flow carries the same comment, and with printf-style
 * formatting it was most of ptrap's own per-packet work.  So the text is
 * built with plain copies, and a small memo keeps the comments of the
 * processes seen last: a packet whose process record (pid, ppid, uid,
 * exe, argv, comm) is byte for byte the one a comment was made from gets
 * that comment again.  The memo compares the record itself, not a pid, so
 * a recycled pid or an exec() can never get an old comment.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng.h"
#include "strbuf.h"

#define PCM_SLOTS	16		/* processes remembered, by pid */

struct pcm_slot {
	bool used;
	struct resolver_proc key;	/* the record the text was made from */
	char text[PCAPNG_COMMENT_MAX];
};

struct pcapng_comments {
	char scratch[PCAPNG_COMMENT_MAX];	/* comments without a process */
	struct pcm_slot slot[PCM_SLOTS];
};

/* A comment under construction: truncated to len - 1, always terminated. */
struct pcm_buf {
	char *buf;
	size_t len, off;
};

static void put_mem(struct pcm_buf *b, const char *s, size_t n)
{
	size_t room = b->len - 1 - b->off;

	if (n > room)
		n = room;
	memcpy(b->buf + b->off, s, n);
	b->off += n;
	b->buf[b->off] = '\0';
}

static void put_str(struct pcm_buf *b, const char *s, size_t max)
{
	put_mem(b, s, strnlen(s, max));
}

static void put_ulong(struct pcm_buf *b, unsigned long v)
{
	char d[SB_DEC_MAX];

	put_mem(b, d, sb_dec(d, v));
}

static void put_long(struct pcm_buf *b, long v)
{
	if (v < 0) {
		put_mem(b, "-", 1);
		put_ulong(b, 0ul - (unsigned long)v);
	} else {
		put_ulong(b, (unsigned long)v);
	}
}

#define PUT_LIT(b, s)	put_mem((b), (s), sizeof(s) - 1)

static void format_proc(struct pcm_buf *b, const struct resolver_proc *pr)
{
	size_t i, k;

	PUT_LIT(b, "PID: ");
	put_long(b, (long)pr->pid);
	PUT_LIT(b, "\nCmd: ");
	if (pr->exe[0])
		put_str(b, pr->exe, sizeof(pr->exe));
	else
		PUT_LIT(b, "?");
	PUT_LIT(b, "\nArgs:");
	/* argv is NUL-separated; a line per field keeps the comment parseable. */
	for (i = 0; i < pr->cmdline_len && i < sizeof(pr->cmdline); ) {
		const char *a = pr->cmdline + i;
		size_t n = strnlen(a, pr->cmdline_len - i);
		size_t start = b->off;

		PUT_LIT(b, " ");
		put_mem(b, a, n);
		for (k = start + 1; k < b->off; k++)
			if (b->buf[k] == '\n' || b->buf[k] == '\r')
				b->buf[k] = ' ';
		i += n + 1;
	}
	PUT_LIT(b, "\nUserId: ");
	put_ulong(b, (unsigned long)pr->uid);
	PUT_LIT(b, "\nParentPID: ");
	put_long(b, (long)pr->ppid);
	PUT_LIT(b, "\nComm: ");
	put_str(b, pr->comm, sizeof(pr->comm));
}

size_t pcapng_format_comment(const struct resolver_result *who,
			     char *buf, size_t len)
{
	struct pcm_buf b = { .buf = buf, .len = len, .off = 0 };

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (who->n_procs > 0) {
		format_proc(&b, &who->procs[0]);
		return b.off;
	}
	PUT_LIT(&b, "PID: unknown\nUserId: ");
	if (who->has_uid)
		put_ulong(&b, (unsigned long)who->uid);
	else
		PUT_LIT(&b, "?");
	PUT_LIT(&b, "\nReason: ");
	if (who->problem)
		put_str(&b, who->problem, PCAPNG_COMMENT_MAX);
	else
		PUT_LIT(&b, "unknown");
	return b.off;
}

struct pcapng_comments *pcapng_comments_new(void)
{
	return calloc(1, sizeof(struct pcapng_comments));
}

void pcapng_comments_free(struct pcapng_comments *c)
{
	free(c);
}

/* Is p the record k was made from, in everything the comment shows? */
static bool same_proc(const struct resolver_proc *k, const struct resolver_proc *p)
{
	size_t n = p->cmdline_len < sizeof(p->cmdline) ?
		   p->cmdline_len : sizeof(p->cmdline);

	return k->pid == p->pid && k->ppid == p->ppid && k->uid == p->uid &&
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
	k->ppid = p->ppid;
	k->uid = p->uid;
	k->cmdline_len = p->cmdline_len;
	memcpy(k->exe, p->exe, sizeof(k->exe));
	memcpy(k->comm, p->comm, sizeof(k->comm));
	memcpy(k->cmdline, p->cmdline, n);
}

const char *pcapng_comment(struct pcapng_comments *c,
			   const struct resolver_result *who)
{
	const struct resolver_proc *p = &who->procs[0];
	struct pcm_slot *s;

	if (who->n_procs == 0) {
		pcapng_format_comment(who, c->scratch, sizeof(c->scratch));
		return c->scratch;
	}
	s = &c->slot[((unsigned int)p->pid * 0x9e3779b1u >> 8) % PCM_SLOTS];
	if (s->used && same_proc(&s->key, p))
		return s->text;
	remember(&s->key, p);
	pcapng_format_comment(who, s->text, sizeof(s->text));
	s->used = true;
	return s->text;
}
