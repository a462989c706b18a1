/*
 * pcapng: our own writer, because libpcap cannot write per-packet options.
 *
 * Every block is built whole in a userspace buffer and the buffer only
 * ever reaches the file at block boundaries, so a reader (tshark -r on a
 * live file, or after a crash) sees a valid file after each flush.  The
 * file is in host byte order, which pcapng allows (readers swap).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "pcapng.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

#define PW_BUF		(256 * 1024)	/* flushed when the next block does not fit */
#define PW_BLOCK_MAX	(28 + 65536 + PCAPNG_COMMENT_MAX + 64)

struct pcapng_writer {
	char *path;			/* NULL for stdout */
	int fd;
	bool flush_each;
	uint8_t *buf;
	size_t len;
	uint64_t pending_since;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Appenders into a block under construction; room was checked before. */
static void put16(uint8_t **p, uint16_t v)
{
	memcpy(*p, &v, 2);
	*p += 2;
}

static void put32(uint8_t **p, uint32_t v)
{
	memcpy(*p, &v, 4);
	*p += 4;
}

static void put_opt(uint8_t **p, uint16_t code, const void *val, size_t len)
{
	put16(p, code);
	put16(p, (uint16_t)len);
	if (len)
		memcpy(*p, val, len);
	memset(*p + len, 0, pad4(len) - len);
	*p += pad4(len);
}

static void put_str_opt(uint8_t **p, uint16_t code, const char *s)
{
	size_t n = strlen(s);

	if (n > PCAPNG_COMMENT_MAX)
		n = PCAPNG_COMMENT_MAX;
	put_opt(p, code, s, n);
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int pcapng_writer_flush(struct pcapng_writer *w)
{
	int ret;

	if (w->len == 0)
		return 0;
	ret = write_all(w->fd, w->buf, w->len);
	/* Dropping the buffer even on error keeps blocks whole in the next flush. */
	w->len = 0;
	w->pending_since = 0;
	return ret;
}

uint64_t pcapng_writer_pending_since(const struct pcapng_writer *w)
{
	return w->pending_since;
}

/* Room for len more bytes at the end of the buffer, flushing first if needed. */
static uint8_t *reserve(struct pcapng_writer *w, size_t len)
{
	if (w->len + len > PW_BUF && pcapng_writer_flush(w) < 0)
		return NULL;
	if (w->len == 0)
		w->pending_since = mono_ns();
	return w->buf + w->len;
}

/* Fill in both total-length fields and commit the block. */
static void commit(struct pcapng_writer *w, uint8_t *start, uint8_t *end)
{
	uint32_t total = (uint32_t)(end - start) + 4;

	memcpy(start + 4, &total, 4);
	memcpy(end, &total, 4);
	w->len += total;
}

/*
 * One raw-IP interface per section for all packets: libpcap 1.10 refuses a
 * second LINKTYPE_RAW interface block ("different type"), so per-device
 * blocks would make the file unreadable for tcpdump.
 */
static int write_idb(struct pcapng_writer *w, const char *name)
{
	uint8_t *start, *p, tsresol = 9;	/* nanoseconds */

	start = p = reserve(w, 128);
	if (!p)
		return -1;
	put32(&p, PCAPNG_BT_IDB);
	put32(&p, 0);
	put16(&p, PCAPNG_LINKTYPE_RAW);
	put16(&p, 0);
	put32(&p, 0);		/* no snaplen limit */
	put_str_opt(&p, PCAPNG_IF_NAME, name);
	put_opt(&p, PCAPNG_IF_TSRESOL, &tsresol, 1);
	put_opt(&p, PCAPNG_OPT_END, NULL, 0);
	commit(w, start, p);
	return 0;
}

static int write_shb(struct pcapng_writer *w)
{
	struct utsname u;
	char os[200], hw[80];
	uint8_t *start, *p;
	int64_t section_len = -1;

	if (uname(&u) == 0) {
		snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
		snprintf(hw, sizeof(hw), "%s", u.machine);
	} else {
		snprintf(os, sizeof(os), "Linux");
		hw[0] = '\0';
	}
	start = p = reserve(w, 512);
	if (!p)
		return -1;
	put32(&p, PCAPNG_BT_SHB);
	put32(&p, 0);
	put32(&p, PCAPNG_MAGIC);
	put16(&p, 1);
	put16(&p, 0);
	memcpy(p, &section_len, 8);
	p += 8;
	if (hw[0])
		put_str_opt(&p, PCAPNG_SHB_HARDWARE, hw);
	put_str_opt(&p, PCAPNG_SHB_OS, os);
	put_str_opt(&p, PCAPNG_SHB_USERAPPL, "ptrap " PACKAGE_VERSION);
	put_opt(&p, PCAPNG_OPT_END, NULL, 0);
	commit(w, start, p);
	return write_idb(w, "ptrap");
}

int pcapng_writer_packet(struct pcapng_writer *w, const struct pcapng_packet *pk)
{
	uint32_t caplen = pk->caplen > 65535 ? 65535 : pk->caplen;
	uint32_t flags = 2;	/* direction: outbound */
	uint8_t *start, *p;
	start = p = reserve(w, PW_BLOCK_MAX);
	if (!p)
		return -1;
	put32(&p, PCAPNG_BT_EPB);
	put32(&p, 0);
	put32(&p, 0);		/* the section's only interface */
	put32(&p, (uint32_t)(pk->ts_ns >> 32));
	put32(&p, (uint32_t)pk->ts_ns);
	put32(&p, caplen);
	put32(&p, pk->origlen < caplen ? caplen : pk->origlen);
	memcpy(p, pk->data, caplen);
	memset(p + caplen, 0, pad4(caplen) - caplen);
	p += pad4(caplen);
	if (pk->comment)
		put_str_opt(&p, PCAPNG_OPT_COMMENT, pk->comment);
	put_opt(&p, PCAPNG_EPB_FLAGS, &flags, 4);
	if (pk->pid) {
		uint32_t ids[2] = { pk->pid, pk->tid };

		put_opt(&p, PCAPNG_EPB_PID_TID, ids, 8);
	}
	put_opt(&p, PCAPNG_OPT_END, NULL, 0);
	commit(w, start, p);
	if (w->flush_each)
		return pcapng_writer_flush(w);
	return 0;
}

static int open_file(struct pcapng_writer *w, int flags)
{
	if (!w->path) {
		w->fd = STDOUT_FILENO;
		return 0;
	}
	w->fd = open(w->path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
	return w->fd < 0 ? -1 : 0;
}

struct pcapng_writer *pcapng_writer_open(const char *path, bool flush_each)
{
	struct pcapng_writer *w;
	int saved;

	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->fd = -1;
	w->flush_each = flush_each;
	w->buf = malloc(PW_BUF);
	if (!w->buf)
		goto fail;
	if (strcmp(path, "-") != 0) {
		w->path = strdup(path);
		if (!w->path)
			goto fail;
	}
	if (open_file(w, O_TRUNC) < 0 || write_shb(w) < 0 ||
	    pcapng_writer_flush(w) < 0)
		goto fail;
	return w;
fail:
	saved = errno;
	if (w->path && w->fd >= 0)
		close(w->fd);
	free(w->path);
	free(w->buf);
	free(w);
	errno = saved;
	return NULL;
}

int pcapng_writer_reopen(struct pcapng_writer *w)
{
	int ret = pcapng_writer_flush(w);

	if (!w->path)
		return ret;
	if (w->fd >= 0)
		close(w->fd);
	/* Appending a new section keeps a file that was not rotated valid. */
	if (open_file(w, O_APPEND) < 0 || write_shb(w) < 0 ||
	    pcapng_writer_flush(w) < 0)
		return -1;
	return ret;
}

int pcapng_writer_close(struct pcapng_writer *w)
{
	int ret, saved;

	if (!w)
		return 0;
	ret = w->fd >= 0 ? pcapng_writer_flush(w) : 0;
	saved = errno;
	if (w->path && w->fd >= 0 && close(w->fd) < 0 && ret == 0) {
		ret = -1;
		saved = errno;
	}
	free(w->path);
	free(w->buf);
	free(w);
	errno = saved;
	return ret;
}

/* Append at *off; stop (truncated, NUL kept) when buf is full. */
static void __attribute__((format(printf, 4, 5)))
add(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*off += (size_t)n < len - *off ? (size_t)n : len - *off - 1;
}

size_t pcapng_format_comment(const struct resolver_result *who,
			     char *buf, size_t len)
{
	const struct resolver_proc *pr = &who->procs[0];
	size_t off = 0, i;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (who->n_procs == 0) {
		add(buf, len, &off, "PID: unknown\n");
		if (who->has_uid)
			add(buf, len, &off, "UserId: %lu\n", (unsigned long)who->uid);
		else
			add(buf, len, &off, "UserId: ?\n");
		add(buf, len, &off, "Reason: %s",
		    who->problem ? who->problem : "unknown");
		return off;
	}
	add(buf, len, &off, "PID: %ld\nCmd: %s\nArgs:", (long)pr->pid,
	    pr->exe[0] ? pr->exe : "?");
	/* argv is NUL-separated; a line per field keeps the comment parseable. */
	for (i = 0; i < pr->cmdline_len && i < sizeof(pr->cmdline); ) {
		const char *a = pr->cmdline + i;
		size_t n = strnlen(a, pr->cmdline_len - i);
		size_t k;

		add(buf, len, &off, " ");
		for (k = 0; k < n && off + 1 < len; k++)
			buf[off++] = a[k] == '\n' || a[k] == '\r' ? ' ' : a[k];
		buf[off] = '\0';
		i += n + 1;
	}
	add(buf, len, &off, "\nUserId: %lu\nParentPID: %ld\nComm: %s",
	    (unsigned long)pr->uid, (long)pr->ppid, pr->comm);
	return off;
}
