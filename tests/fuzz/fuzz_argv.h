/*
 * fuzz_argv: split a fuzzer input on NUL bytes into an argv for cli_parse.
 * Shared by fuzz_cli and fuzz_rules; header-only so each target is one file.
 */
#ifndef PTRAP_FUZZ_ARGV_H
#define PTRAP_FUZZ_ARGV_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_ARGS	128

struct fuzz_argv {
	char *text;			/* the input, NUL-terminated copy */
	char *argv[FUZZ_MAX_ARGS + 2];	/* "ptrap", args..., NULL */
	int argc;
};

/* Returns 0, or -1 when out of memory (the input is then skipped). */
static int fuzz_argv_split(struct fuzz_argv *a, const uint8_t *data,
			   size_t size)
{
	static char prog[] = "ptrap";
	size_t i, start = 0;

	/* One extra byte: the last argument needs a terminator too. */
	a->text = malloc(size + 1);
	if (!a->text)
		return -1;
	memcpy(a->text, data, size);
	a->text[size] = '\0';
	a->argc = 0;
	a->argv[a->argc++] = prog;
	/* Empty input: no arguments at all, rather than one empty one. */
	for (i = size ? 0 : 1; i <= size && a->argc <= FUZZ_MAX_ARGS; i++) {
		if (a->text[i] != '\0')
			continue;
		a->argv[a->argc++] = a->text + start;
		start = i + 1;
	}
	a->argv[a->argc] = NULL;
	return 0;
}

static void fuzz_argv_free(struct fuzz_argv *a)
{
	free(a->text);
	a->text = NULL;
}

#endif
