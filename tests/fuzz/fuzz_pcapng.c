/*
 * fuzz_pcapng: pcapng_read_buf() and the -r report on arbitrary bytes.  The
 * reader must never look outside the buffer (ASan catches that), every
 * record it delivers must point inside it, and it must either succeed or
 * fail with a message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pcapng_read.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_state {
	const uint8_t *buf;
	size_t len;
	struct report *rp;
	long records;
};

static int fz_inside(const struct fz_state *st, const void *p, size_t n)
{
	const uint8_t *b = p;

	return b >= st->buf && n <= st->len && (size_t)(b - st->buf) <= st->len - n;
}

static int fz_record(const struct pcapng_record *r, void *arg)
{
	struct fz_state *st = arg;
	struct report_proc proc;

	if (r->caplen && !fz_inside(st, r->data, r->caplen))
		abort();
	if (r->comment_len && !fz_inside(st, r->comment, r->comment_len))
		abort();
	if (r->comment_len)
		report_parse_comment(r->comment, r->comment_len, &proc);
	if (report_add(st->rp, r) < 0)
		abort();
	st->records++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct fz_state st = { 0 };
	unsigned long long packets, unparsed;
	char err[256] = "";
	uint8_t *copy;
	struct report_opts opts;
	long n;

	if (!sink)
		sink = fopen("/dev/null", "we");
	/* An exact-size heap copy, so a one-byte over-read is caught. */
	copy = malloc(size ? size : 1);
	st.rp = report_new();
	if (!copy || !st.rp || !sink)
		abort();
	memcpy(copy, data, size);
	st.buf = copy;
	st.len = size;
	n = pcapng_read_buf(copy, size, fz_record, &st, err, sizeof(err));
	if (n < 0 && err[0] == '\0')
		abort();
	if (n >= 0 && n != st.records)
		abort();
	report_totals(st.rp, &packets, &unparsed);
	if (packets != (unsigned long long)st.records || unparsed > packets)
		abort();
	/* every --by and --sort, --top 0 or 2, text or JSON, from the size */
	opts.by = (enum cli_by)(size % CLI_BY_N);
	opts.sort = (enum cli_sort)((size / CLI_BY_N) % CLI_SORT_N);
	opts.top = (size & 8) ? 2 : 0;
	opts.json = (size & 4) != 0;
	if (report_print(st.rp, &opts, sink) < 0 && errno != ENOMEM)
		abort();
	report_free(st.rp);
	free(copy);
	return 0;
}
