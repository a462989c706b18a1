/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli_msg: messages naming an option and its bad value, and the strict
 * decimal parser, for cli.c and cli_lists.c.  Nothing here prints.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_msg.h"
#include "strbuf.h"

const struct cli_option *cli_find_option(int val)
{
	size_t i;

	for (i = 0; i < cli_n_options; i++)
		if (cli_options[i].val == val)
			return &cli_options[i];
	return NULL;
}

const char *cli_option_label(int val, char *buf, size_t len)
{
	const struct cli_option *o = cli_find_option(val);

	if (o == NULL)
		snprintf(buf, len, "?");
	else if (o->val < 256)
		snprintf(buf, len, "-%c", o->val);
	else
		snprintf(buf, len, "--%s", o->name);
	return buf;
}

void cli_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

const char *cli_show(const char *s, size_t slen, char *buf, size_t len)
{
	struct strbuf b;

	sb_init(&b, buf, len);
	sb_escaped(&b, s, slen > CLI_SHOW_MAX ? CLI_SHOW_MAX : slen, NULL);
	if (slen > CLI_SHOW_MAX)
		sb_str(&b, "...");
	if (sb_finish(&b) < 0)
		snprintf(buf, len, "?");
	return buf;
}

int cli_bad_value(char *err, size_t errlen, int val, const char *what,
		  const char *s, size_t slen, const char *expected)
{
	char label[32], show[CLI_SHOW_BUF];

	cli_set_err(err, errlen, "invalid %s '%s' for %s (expected %s)", what,
		    cli_show(s, slen, show, sizeof(show)),
		    cli_option_label(val, label, sizeof(label)), expected);
	return PTRAP_EXIT_USAGE;
}

/*
 * strtoul alone would accept spaces, signs and junk.  A leading zero is
 * refused as in addr.c, so "010" is never a surprise.
 */
int cli_parse_ulong(const char *s, unsigned long min, unsigned long max,
		    unsigned long *out)
{
	unsigned long v;
	char *end;
	int saved = errno;

	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		errno = saved;
		return -1;
	}
	errno = saved;
	*out = v;
	return 0;
}

int cli_parse_uint(const char *s, unsigned long min, unsigned long max,
		   unsigned int *out)
{
	unsigned long v;

	if (max > (unsigned int)-1 || cli_parse_ulong(s, min, max, &v) < 0)
		return -1;
	*out = (unsigned int)v;
	return 0;
}
