/* strbuf: append to a caller's fixed buffer; overflow is sticky. */
#include "strbuf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sb_init(struct strbuf *b, char *buf, size_t len)
{
	b->buf = buf;
	b->len = buf ? len : 0;
	b->pos = 0;
	b->full = b->len == 0;
	if (b->len > 0)
		buf[0] = '\0';
}

void sb_mem(struct strbuf *b, const void *p, size_t n)
{
	if (b->full)
		return;
	if (n >= b->len - b->pos) {	/* keep one byte for the NUL */
		b->full = true;
		return;
	}
	memcpy(b->buf + b->pos, p, n);
	b->pos += n;
}

void sb_str(struct strbuf *b, const char *s)
{
	sb_mem(b, s, strlen(s));
}

void sb_char(struct strbuf *b, char c)
{
	sb_mem(b, &c, 1);
}

size_t sb_dec(char d[SB_DEC_MAX], unsigned long long v)
{
	char rev[SB_DEC_MAX];
	size_t n = 0, i;

	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		d[i] = rev[n - 1 - i];
	return n;
}

void sb_ulong(struct strbuf *b, unsigned long long v)
{
	char d[SB_DEC_MAX];

	sb_mem(b, d, sb_dec(d, v));
}

void sb_long(struct strbuf *b, long long v)
{
	if (v < 0) {
		sb_char(b, '-');
		sb_ulong(b, 0ull - (unsigned long long)v);
	} else {
		sb_ulong(b, (unsigned long long)v);
	}
}

void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	size_t room;
	va_list ap;
	int n;

	if (b->full)
		return;
	room = b->len - b->pos;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->pos, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		b->full = true;
		return;
	}
	b->pos += (size_t)n;
}

void sb_c_escaped(struct strbuf *b, const char *s, size_t n, bool quoted)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			sb_str(b, "\\n");
		else if (c == '\t')
			sb_str(b, "\\t");
		else if (quoted && (c == '"' || c == '\\'))
			sb_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			sb_printf(b, "\\x%02x", c);
		else
			sb_char(b, (char)c);
	}
}

int sb_finish(struct strbuf *b)
{
	if (b->len > 0)
		b->buf[b->full ? 0 : b->pos] = '\0';
	if (b->full || b->pos > INT_MAX) {
		if (b->len > 0)
			b->buf[0] = '\0';
		errno = ENOSPC;
		return -1;
	}
	return (int)b->pos;
}
