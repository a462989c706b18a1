/*
 * cli_help: the texts generated from the option table: --help, --version
 * and the man page's OPTIONS section.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_table.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

#define HELP_WIDTH	79
#define HELP_COLUMN	26

/* Print text word-wrapped from column col, continuing lines at indent. */
static void print_wrapped(FILE *out, const char *text, int col, int indent)
{
	const char *p = text;

	while (*p) {
		size_t w = strcspn(p, " ");

		if (col > indent && col + 1 + (int)w > HELP_WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, w, out);
		col += (int)w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

static const char *const exit_codes[] = {
	[PTRAP_EXIT_OK] = "success (also after -h and -V)",
	[PTRAP_EXIT_RUNTIME] = "runtime error",
	[PTRAP_EXIT_USAGE] = "usage error: unknown option or bad value",
	[PTRAP_EXIT_NO_DEST] = "no destination (neither -i nor an expression)",
	[PTRAP_EXIT_NO_PROTO] = "no protocol (no -u, -t, --icmp or expression)",
	[PTRAP_EXIT_CONNECT_NO_TCP] = "-c without -t",
	[PTRAP_EXIT_NO_PRIV] =
		"missing capability (CAP_NET_ADMIN, or one needed to drop privileges)",
	[PTRAP_EXIT_QUEUE_BUSY] = "another ptrap already uses this queue number",
};

_Static_assert(sizeof(exit_codes) / sizeof(exit_codes[0]) ==
	       PTRAP_EXIT_QUEUE_BUSY + 1, "an exit code without a text");

/* Longest help text once its %-numbers are filled in. */
#define HELP_TEXT_MAX	1024

/* The help text with its %R, %N, %M, %D and %L filled in from the table. */
static const char *expand_help(const struct cli_option *o, char *buf,
			       size_t len)
{
	const struct cli_number *num = o->num;
	const char *p;
	size_t pos = 0;
	int n;

	for (p = o->help; *p && pos + 1 < len; p++) {
		if (p[0] != '%' || p[1] == '\0') {
			buf[pos++] = *p;
			continue;
		}
		p++;
		if (*p == 'L')
			n = snprintf(buf + pos, len - pos, "%u", o->list_max);
		else if (*p == 'R' && num != NULL)
			n = snprintf(buf + pos, len - pos, "%lu-%lu", num->min,
				     num->max);
		else if ((*p == 'N' || *p == 'M' || *p == 'D') && num != NULL)
			n = snprintf(buf + pos, len - pos, "%lu",
				     *p == 'N' ? num->min :
				     *p == 'M' ? num->max : num->def);
		else if (*p == '%')
			n = snprintf(buf + pos, len - pos, "%%");
		else	/* not ours: left as written */
			n = snprintf(buf + pos, len - pos, "%%%c", *p);
		if (n < 0 || (size_t)n >= len - pos)
			break;
		pos += (size_t)n;
	}
	buf[pos] = '\0';
	return buf;
}

void cli_print_help(FILE *out)
{
	char text[HELP_TEXT_MAX];
	size_t i;

	fprintf(out, "Usage: ptrap -u|-t|--icmp -i ADDR[/LEN] [-p PORT[-PORT]] "
		"[-e CMD] [OPTION]...\n"
		"  or:  ptrap [OPTION]... EXPRESSION\n"
		"  or:  ptrap [OPTION]... -r FILE [FILE]...\n");
	print_wrapped(out, "Hold outbound packets to the given destinations, "
		      "report the local process that sent each one and "
		      "optionally run a hook on it, then let the packet go.",
		      0, 0);
	print_wrapped(out, "EXPRESSION, after the options, is a tcpdump "
		      "filter (host, net, port, portrange, udp, tcp, icmp, "
		      "icmp6, ip, ip6, src, dst, and, or, not, parentheses) "
		      "compiled into the same kernel rules and ANDed with the "
		      "options; with one, -i and -u/-t/--icmp are optional "
		      "(see FILTER EXPRESSIONS in ptrap(8)). -r summarises "
		      "capture files (names or quoted glob patterns, e.g. "
		      "-r 'ptrap.pcapng*' for a ring) and exits.", 0, 0);
	fprintf(out, "\nOptions:\n");
	for (i = 0; i < cli_n_options; i++) {
		const struct cli_option *o = &cli_options[i];
		int col;

		if (o->hidden)
			continue;
		if (o->val < 256)
			col = fprintf(out, "  -%c, --%s", o->val, o->name);
		else
			col = fprintf(out, "      --%s", o->name);
		if (o->arg)
			col += fprintf(out, " %s", o->arg);
		if (col + 2 > HELP_COLUMN) {
			fprintf(out, "\n%*s", HELP_COLUMN, "");
		} else {
			fprintf(out, "%*s", HELP_COLUMN - col, "");
		}
		print_wrapped(out, expand_help(o, text, sizeof(text)),
			      HELP_COLUMN, HELP_COLUMN);
	}
	fprintf(out, "\nExit status:\n");
	for (i = 0; i < sizeof(exit_codes) / sizeof(exit_codes[0]); i++)
		if (exit_codes[i] != NULL)
			fprintf(out, "  %zu  %s\n", i, exit_codes[i]);
	fprintf(out, "\nExample (report every DNS query to 192.168.1.1 with "
		"the sender's process tree):\n"
		"  ptrap -u -i 192.168.1.1 -p 53 -e \"pstree -p -H\"\n"
		"The same with a filter expression:\n"
		"  ptrap -e \"pstree -p -H\" udp and dst port 53 and dst host "
		"192.168.1.1\n");
}

void cli_print_version(FILE *out)
{
	fprintf(out, "ptrap %s\n", PACKAGE_VERSION);
}

/*
 * Roff-escape one line of text.  In prose a '-' after a letter is a hyphen
 * and stays; any other '-' starts an option or is a range, so it becomes
 * "\-", as does every '-' in an option name (dashes: true).
 */
static void print_roff(FILE *out, const char *s, bool dashes)
{
	const char *p;

	if (s[0] == '.' || s[0] == '\'')
		fputs("\\&", out);
	for (p = s; *p; p++) {
		char prev = p > s ? p[-1] : ' ';

		if (*p == '\\')
			fputs("\\e", out);
		else if (*p == '-' && (dashes ||
				       !((prev >= 'a' && prev <= 'z') ||
					 (prev >= 'A' && prev <= 'Z'))))
			fputs("\\-", out);
		else
			fputc(*p, out);
	}
}

void cli_print_man_options(FILE *out)
{
	char text[HELP_TEXT_MAX];
	size_t i;

	for (i = 0; i < cli_n_options; i++) {
		const struct cli_option *o = &cli_options[i];

		if (o->hidden)
			continue;
		fputs(".TP\n", out);
		if (o->val < 256)
			fprintf(out, "\\fB\\-%c\\fR, ", o->val);
		fputs("\\fB\\-\\-", out);
		print_roff(out, o->name, true);
		fputs("\\fR", out);
		if (o->arg) {
			fputs(" \\fI", out);
			print_roff(out, o->arg, true);
			fputs("\\fR", out);
		}
		fputc('\n', out);
		print_roff(out, expand_help(o, text, sizeof(text)), false);
		fputc('\n', out);
	}
}
