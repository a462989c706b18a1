/* SPDX-License-Identifier: GPL-2.0-or-later */
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
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "monotime.h"
#include "safefile.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

#define PW_BUF		(256 * 1024)	/* flushed when the next block does not fit */
#define PW_SLL_LEN	16		/* the Linux cooked header before each packet */
#define PW_BLOCK_MAX	(28 + PW_SLL_LEN + 65536 + PCAPNG_COMMENT_MAX + 64)
#define PW_IDB_MAX	128
#define PW_MAX_IFACES	64		/* per section; more share interface 0 */

/* A file of the -W ring: removed only if it is still the one we made. */
struct pw_kept {
	char *name;
	struct safefile_id id;
};

struct pcapng_writer {
	char *path;			/* the current file; NULL for stdout */
	char *base;			/* -w FILE, the pattern of rotated names */
	struct pcapng_rotation rot;
	unsigned int count;		/* -C: the number appended to the name */
	int width;			/* its zero-padded width (-W) */
	time_t opened_at;		/* -G: wall clock the file was started */
	struct pw_kept *ring;		/* -W: the files kept, oldest at ring_pos */
	unsigned int ring_pos;
	int fd;
	struct safefile_id id;		/* the current file, as created */
	mode_t mode;			/* of the files it creates */
	const char *refused;		/* why the last open was refused, or NULL */
	bool flush_each;
	uint8_t *buf;
	size_t len;
	uint64_t pending_since;
	off_t good;			/* end of the last whole block on disk; -1: not seekable */
	bool failing;			/* the last write failed */
	bool hdr_on_disk;		/* this section's SHB+IDB reached the file */
	uint32_t snaplen;		/* 0: whole packets */
	/* Interface blocks of this section: ifaces[i] is interface i. */
	uint32_t ifaces[PW_MAX_IFACES];
	unsigned int n_ifaces;
	unsigned int n_ifaces_disk;	/* of those, written to the file */
};

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

/*
 * On a failed write (ENOSPC, EIO) the blocks that did reach the file are
 * cut off again, back to the end of the last whole block, so the file stays
 * readable and the next flush appends at a block boundary.
 */
static void cut_back(struct pcapng_writer *w)
{
	int saved = errno;

	if (w->good >= 0 && ftruncate(w->fd, w->good) == 0)
		lseek(w->fd, w->good, SEEK_SET);
	errno = saved;
}

int pcapng_writer_flush(struct pcapng_writer *w)
{
	int ret;

	if (w->len == 0) {
		w->pending_since = 0;	/* nothing pending, whatever was reserved */
		return 0;
	}
	ret = write_all(w->fd, w->buf, w->len);
	if (ret == 0) {
		if (w->good >= 0)
			w->good += (off_t)w->len;
		w->hdr_on_disk = true;
		w->n_ifaces_disk = w->n_ifaces;
	} else {
		cut_back(w);
		/* Interface blocks lost with the buffer are written again. */
		w->n_ifaces = w->n_ifaces_disk;
	}
	w->failing = ret < 0;
	/* Dropping the buffer even on error keeps blocks whole in the next flush. */
	w->len = 0;
	w->pending_since = 0;
	return ret;
}

const char *pcapng_writer_refused(const struct pcapng_writer *w)
{
	return w->refused;
}

bool pcapng_writer_failing(const struct pcapng_writer *w)
{
	return w->failing;
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
		w->pending_since = monotime_ns();
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
 * Every interface block of a file has the same link type and snaplen:
 * libpcap 1.10 refuses a file whose interfaces differ in either, and tcpdump
 * must read ours.  The type is Linux cooked capture (what tcpdump -i any
 * writes), not raw IP: libpcap 1.10.3 compares a later interface's
 * LINKTYPE_RAW (101) with the first one's DLT_RAW (12) and so refuses any
 * second raw-IP interface block, even one in a new section.
 */
static int write_idb(struct pcapng_writer *w, uint32_t ifindex, const char *name)
{
	uint8_t *start, *p, tsresol = 9;	/* nanoseconds */

	start = p = reserve(w, PW_IDB_MAX);
	if (!p)
		return -1;
	put32(&p, PCAPNG_BT_IDB);
	put32(&p, 0);
	put16(&p, PCAPNG_LINKTYPE_LINUX_SLL);
	put16(&p, 0);
	put32(&p, w->snaplen);	/* 0: no limit */
	put_str_opt(&p, PCAPNG_IF_NAME, name);
	put_opt(&p, PCAPNG_IF_TSRESOL, &tsresol, 1);
	put_opt(&p, PCAPNG_OPT_END, NULL, 0);
	commit(w, start, p);
	w->ifaces[w->n_ifaces++] = ifindex;
	return 0;
}

/*
 * The interface id of ifindex in this section, writing its block the first
 * time.  The caller has reserved room for it, so no flush can come between
 * the interface block and the packet that refers to it.
 */
static int iface_id(struct pcapng_writer *w, uint32_t ifindex)
{
	char name[IF_NAMESIZE + 16];
	unsigned int i;

	if (ifindex == 0)
		return 0;
	for (i = 1; i < w->n_ifaces; i++)
		if (w->ifaces[i] == ifindex)
			return (int)i;
	if (w->n_ifaces == PW_MAX_IFACES)
		return 0;
	/* Looked up once per section: a name seen at capture time. */
	if (!if_indextoname(ifindex, name))
		snprintf(name, sizeof(name), "if%u", (unsigned int)ifindex);
	if (write_idb(w, ifindex, name) < 0)
		return -1;
	return (int)w->n_ifaces - 1;
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
	/* A new section: its interfaces start again, with 0 for "unknown". */
	w->n_ifaces = w->n_ifaces_disk = 0;
	return write_idb(w, 0, "ptrap");
}

static void free_names(struct pcapng_writer *w)
{
	unsigned int i;

	for (i = 0; w->ring && i < w->rot.max_files; i++)
		free(w->ring[i].name);
	free(w->ring);
	free(w->base);
	free(w->path);
}

static int open_file(struct pcapng_writer *w, bool append)
{
	w->hdr_on_disk = false;
	if (!w->path) {
		w->fd = STDOUT_FILENO;
		/* A pipe cannot be cut back: good stays -1. */
		w->good = lseek(w->fd, 0, SEEK_CUR);
		return 0;
	}
	w->fd = safefile_open(w->path, append, w->mode, &w->id, &w->refused);
	if (w->fd < 0)
		return -1;
	w->good = lseek(w->fd, 0, SEEK_END);
	return 0;
}

/*
 * tcpdump's names: FILE through strftime(3) with -G, then the -C count,
 * zero-padded to -W's width (no number on the first file without -W).
 */
static int make_name(const struct pcapng_writer *w, char *buf, size_t len)
{
	char base[4096];
	const char *b = w->base;
	struct tm tm;
	int n;

	if (w->rot.secs) {
		if (!localtime_r(&w->opened_at, &tm))
			return -1;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		n = (int)strftime(base, sizeof(base), w->base, &tm);
#pragma GCC diagnostic pop
		if (n == 0) {
			errno = ENAMETOOLONG;
			return -1;
		}
		b = base;
	}
	if (w->rot.max_bytes && (w->count || w->width))
		n = snprintf(buf, len, "%s%0*u", b, w->width, w->count);
	else
		n = snprintf(buf, len, "%s", b);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Start the file the rotation state names, each a complete pcapng file. */
static int open_named(struct pcapng_writer *w)
{
	char name[4096 + 16];
	struct pw_kept *slot;

	if (make_name(w, name, sizeof(name)) < 0)
		return -1;
	free(w->path);
	w->path = strdup(name);
	if (!w->path)
		return -1;
	if (w->ring) {
		/* -W: the file opened N files ago goes (unless it is this one). */
		slot = &w->ring[w->ring_pos];
		if (slot->name && strcmp(slot->name, name) != 0)
			safefile_unlink_ours(slot->name, &slot->id);
		free(slot->name);
		slot->name = strdup(name);
		slot->id.valid = false;
		w->ring_pos = (w->ring_pos + 1) % w->rot.max_files;
	}
	if (open_file(w, false) < 0)
		return -1;
	if (w->ring)
		w->ring[(w->ring_pos + w->rot.max_files - 1) % w->rot.max_files].id = w->id;
	if (write_shb(w) < 0 || pcapng_writer_flush(w) < 0)
		return -1;
	return 0;
}

static bool rotation_due(const struct pcapng_writer *w, time_t now)
{
	off_t bytes = (w->good > 0 ? w->good : 0) + (off_t)w->len;

	if (!w->base)
		return false;
	return w->fd < 0 ||
	       (w->rot.max_bytes && (unsigned long long)bytes > w->rot.max_bytes) ||
	       (w->rot.secs && now >= w->opened_at + (time_t)w->rot.secs);
}

/* Close the current file and start the next; 0, or -1 with errno. */
static int rotate(struct pcapng_writer *w, time_t now)
{
	int ret = 0, saved = 0;

	if (w->fd >= 0) {
		if (pcapng_writer_flush(w) < 0) {
			ret = -1;
			saved = errno;
		}
		close(w->fd);
		w->fd = -1;
		if (w->rot.secs && now >= w->opened_at + (time_t)w->rot.secs) {
			w->opened_at = now;
			w->count = 0;
		} else if (++w->count == w->rot.max_files && !w->rot.secs) {
			w->count = 0;
		}
	}
	if (open_named(w) < 0)
		return -1;
	errno = saved;
	return ret;
}

/*
 * The cooked header: sent by us, no link-layer header or address
 * (ARPHRD_NONE), the protocol taken from the IP version.
 */
static void put_sll(uint8_t *p, const struct pcapng_packet *pk)
{
	unsigned int ver = pk->caplen ? pk->data[0] >> 4 : 0;
	uint16_t proto = ver == 4 ? 0x0800 : ver == 6 ? 0x86dd : 0;

	memset(p, 0, PW_SLL_LEN);
	p[1] = 4;		/* PACKET_OUTGOING */
	p[2] = 0xff;		/* ARPHRD_NONE, 0xfffe */
	p[3] = 0xfe;
	p[14] = proto >> 8;
	p[15] = proto & 0xff;
}

int pcapng_writer_packet(struct pcapng_writer *w, const struct pcapng_packet *pk)
{
	uint32_t iplen = pk->caplen > 65535 ? 65535 : pk->caplen;
	uint32_t caplen = PW_SLL_LEN + iplen;
	uint32_t origlen = PW_SLL_LEN + (pk->origlen < iplen ? iplen : pk->origlen);
	uint32_t flags = 2;	/* direction: outbound */
	uint8_t *start, *p, sll[PW_SLL_LEN];
	time_t now = w->base ? time(NULL) : 0;
	int id;

	/* -S counts the whole record, cooked header included, as libpcap does. */
	if (w->snaplen && caplen > w->snaplen)
		caplen = w->snaplen;

	/*
	 * -C/-G: checked before each packet, as tcpdump does.  A failed
	 * flush of the old file does not cost this packet its place in the
	 * new one.
	 */
	if (rotation_due(w, now) && rotate(w, now) < 0 && w->fd < 0)
		return -1;
	/* The section header was lost with a failed flush: write it again. */
	if (!w->hdr_on_disk && w->len == 0 && write_shb(w) < 0)
		return -1;
	if (!reserve(w, PW_IDB_MAX + PW_BLOCK_MAX))
		return -1;
	id = iface_id(w, pk->ifindex);
	start = p = reserve(w, PW_BLOCK_MAX);
	if (id < 0 || !p)
		return -1;
	put32(&p, PCAPNG_BT_EPB);
	put32(&p, 0);
	put32(&p, (uint32_t)id);
	put32(&p, (uint32_t)(pk->ts_ns >> 32));
	put32(&p, (uint32_t)pk->ts_ns);
	put32(&p, caplen);
	put32(&p, origlen);
	put_sll(sll, pk);
	memcpy(p, sll, caplen < PW_SLL_LEN ? caplen : PW_SLL_LEN);
	if (caplen > PW_SLL_LEN)
		memcpy(p + PW_SLL_LEN, pk->data, caplen - PW_SLL_LEN);
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

struct pcapng_writer *pcapng_writer_open_rotating(const char *path,
		bool flush_each, const struct pcapng_rotation *rot,
		unsigned int snaplen, mode_t mode, const char **refused)
{
	struct pcapng_writer *w;
	unsigned int n;
	int saved;

	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->fd = -1;
	w->flush_each = flush_each;
	w->snaplen = snaplen;
	w->mode = mode;
	if (refused)
		*refused = NULL;
	w->buf = malloc(PW_BUF);
	if (!w->buf)
		goto fail;
	if (rot && (rot->max_bytes || rot->secs) && strcmp(path, "-") != 0) {
		w->rot = *rot;
		w->base = strdup(path);
		w->opened_at = time(NULL);
		if (rot->max_files && rot->max_bytes && !rot->secs)
			for (n = rot->max_files - 1; n > 0; n /= 10)
				w->width++;
		if (rot->max_files) {
			w->ring = calloc(rot->max_files, sizeof(*w->ring));
			if (!w->ring)
				goto fail;
		}
		if (!w->base || open_named(w) < 0)
			goto fail;
		return w;
	}
	if (strcmp(path, "-") != 0) {
		w->path = strdup(path);
		if (!w->path)
			goto fail;
	}
	if (open_file(w, false) < 0 || write_shb(w) < 0 ||
	    pcapng_writer_flush(w) < 0)
		goto fail;
	return w;
fail:
	saved = errno;
	if (refused)
		*refused = w->refused;
	if (w->path && w->fd >= 0)
		close(w->fd);
	free_names(w);
	free(w->buf);
	free(w);
	errno = saved;
	return NULL;
}

struct pcapng_writer *pcapng_writer_open(const char *path, bool flush_each)
{
	return pcapng_writer_open_rotating(path, flush_each, NULL, 0, 0600, NULL);
}

int pcapng_writer_reopen(struct pcapng_writer *w)
{
	int ret = pcapng_writer_flush(w);

	if (!w->path)
		return ret;
	if (w->fd >= 0)
		close(w->fd);
	/* Appending a new section keeps a file that was not rotated valid. */
	if (open_file(w, true) < 0 || write_shb(w) < 0 ||
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
	free_names(w);
	free(w->buf);
	free(w);
	errno = saved;
	return ret;
}
