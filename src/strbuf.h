/*
 * strbuf: append to a caller's fixed buffer.  Overflow is sticky and ends
 * in an empty string, so a formatter either produces its whole text or
 * nothing: no caller can print half a line or half a rule set.
 */
#ifndef PTRAP_STRBUF_H
#define PTRAP_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;		/* capacity, including the final NUL */
	size_t pos;
	bool full;
};

void sb_init(struct strbuf *b, char *buf, size_t len);
void sb_mem(struct strbuf *b, const void *p, size_t n);
void sb_str(struct strbuf *b, const char *s);
void sb_char(struct strbuf *b, char c);
void sb_printf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Decimal without printf, for the per-packet formatters: sb_dec() writes
 * the digits of v to d (no NUL) and returns how many.
 */
#define SB_DEC_MAX	20
size_t sb_dec(char d[SB_DEC_MAX], unsigned long long v);
void sb_ulong(struct strbuf *b, unsigned long long v);
void sb_long(struct strbuf *b, long long v);
/*
 * s[0..n) with newline, tab and every other byte outside printable ASCII
 * as C escapes (\n, \t, \xNN), so it stays on one line; with quoted,
 * '"' and '\\' escaped too.
 */
void sb_c_escaped(struct strbuf *b, const char *s, size_t n, bool quoted);
/* The length written, or -1 with errno ENOSPC (the buffer then holds ""). */
int sb_finish(struct strbuf *b);

#endif
