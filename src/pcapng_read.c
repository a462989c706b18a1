/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapng_read: a bounds-checked pcapng walker, which also reads the
 * classic pcap files tcpdump writes.
 *
 * Input may be hostile: every block and option length is validated against
 * what is left before it is used, and all reads go through rd16/rd32 on
 * checked offsets.  Files are read a block at a time, never whole, so the
 * memory a capture of any size (or a pipe that never ends) can make us use
 * is bounded: one block of at most PR_BLOCK_MAX bytes, and PR_MAX_IFACES
 * interfaces per section with names of at most PR_NAME_MAX bytes.
 */
#include "pcapng_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcapng.h"

#define PR_MAX_IFACES	4096		/* per section; more is refused */
/* Wireshark refuses pcapng blocks over 16 MiB as well; ours are < 70 KiB. */
#define PR_BLOCK_MAX	(16u << 20)
#define PR_NAME_MAX	256		/* if_name bytes kept */
#define PCAP_MAGIC_US	0xa1b2c3d4u	/* classic pcap, microseconds */
#define PCAP_MAGIC_NS	0xa1b23c4du	/* classic pcap, nanoseconds */
#define PCAP_HDR_LEN	24
#define PCAP_REC_LEN	16

struct pr_iface {
	uint16_t linktype;
	bool tsres_pow2;
	uint8_t tsres;			/* exponent */
	int64_t tsoffset;		/* seconds */
	char name[PR_NAME_MAX];		/* if_name, cut to fit */
	size_t name_len;		/* 0: none */
	bool has_name;
};

struct pr_section {
	bool swap;
	struct pr_iface *ifaces;
	unsigned int n_ifaces, cap;
};

static uint16_t rd16(const uint8_t *p, bool swap)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return swap ? __builtin_bswap16(v) : v;
}

static uint32_t rd32(const uint8_t *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Ticks in the interface's resolution to ns since the epoch. */
static uint64_t to_ns(const struct pr_iface *ifc, uint64_t ticks)
{
	unsigned __int128 v = ticks;
	unsigned int i;

	if (ifc->tsres_pow2) {
		v = (v * 1000000000u) >> (ifc->tsres > 63 ? 63 : ifc->tsres);
	} else if (ifc->tsres <= 9) {
		for (i = ifc->tsres; i < 9; i++)
			v *= 10;
	} else {
		for (i = 9; i < ifc->tsres && v; i++)
			v /= 10;
	}
	v += (unsigned __int128)(ifc->tsoffset > 0 ? ifc->tsoffset : 0) * 1000000000u;
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

/*
 * Walk the options in [p, end): call fn for each with a checked value.
 * Returns 0, or -1 when an option runs past end (the block is damaged).
 */
typedef void (*opt_fn)(uint16_t code, const uint8_t *val, uint16_t len,
		       bool swap, void *arg);

static int walk_opts(const uint8_t *p, const uint8_t *end, bool swap,
		     opt_fn fn, void *arg)
{
	while ((size_t)(end - p) >= 4) {
		uint16_t code = rd16(p, swap), len = rd16(p + 2, swap);
		size_t padded = ((size_t)len + 3) & ~(size_t)3;

		p += 4;
		if (code == PCAPNG_OPT_END)
			return 0;
		if (padded > (size_t)(end - p))
			return -1;
		fn(code, p, len, swap, arg);
		p += padded;
	}
	return 0;
}

static void idb_opt(uint16_t code, const uint8_t *val, uint16_t len,
		    bool swap, void *arg)
{
	struct pr_iface *ifc = arg;
	uint64_t v;

	if (code == PCAPNG_IF_NAME && !ifc->has_name) {
		ifc->has_name = true;
		ifc->name_len = len < PR_NAME_MAX ? len : PR_NAME_MAX;
		memcpy(ifc->name, val, ifc->name_len);
	} else if (code == PCAPNG_IF_TSRESOL && len >= 1) {
		ifc->tsres_pow2 = val[0] & 0x80;
		ifc->tsres = val[0] & 0x7f;
	} else if (code == PCAPNG_IF_TSOFFSET && len == 8) {
		memcpy(&v, val, 8);
		ifc->tsoffset = (int64_t)(swap ? __builtin_bswap64(v) : v);
	}
}

static void epb_opt(uint16_t code, const uint8_t *val, uint16_t len,
		    bool swap, void *arg)
{
	struct pcapng_record *r = arg;

	if (code == PCAPNG_OPT_COMMENT && r->comment_len == 0 && len > 0) {
		r->comment = (const char *)val;
		r->comment_len = len;
	} else if (code == PCAPNG_EPB_PID_TID && len == 8) {
		r->has_pid = true;
		r->pid = rd32(val, swap);
		r->tid = rd32(val + 4, swap);
	}
}

static int add_iface(struct pr_section *s, const uint8_t *body, size_t blen)
{
	struct pr_iface ifc = { .tsres = 6, .has_name = false };

	if (blen < 8)
		return -1;
	if (s->n_ifaces >= PR_MAX_IFACES)
		return -1;
	if (s->n_ifaces == s->cap) {
		unsigned int cap = s->cap ? s->cap * 2 : 8;
		struct pr_iface *n = realloc(s->ifaces, cap * sizeof(*n));

		if (!n)
			return -1;
		s->ifaces = n;
		s->cap = cap;
	}
	ifc.linktype = rd16(body, s->swap);
	if (walk_opts(body + 8, body + blen, s->swap, idb_opt, &ifc) < 0)
		return -1;
	s->ifaces[s->n_ifaces++] = ifc;
	return 0;
}

static int packet_record(struct pr_section *s, uint32_t type,
			 const uint8_t *body, size_t blen,
			 struct pcapng_record *r)
{
	const struct pr_iface *ifc;
	size_t hdr = type == PCAPNG_BT_EPB ? 20 : 4;

	memset(r, 0, sizeof(*r));
	if (blen < hdr)
		return -1;
	if (type == PCAPNG_BT_SPB) {
		/* Interface 0; caplen is what the block holds, up to origlen. */
		r->origlen = rd32(body, s->swap);
		r->caplen = blen - 4 < r->origlen ? (uint32_t)(blen - 4) : r->origlen;
	} else {
		r->if_id = rd32(body, s->swap);
		r->caplen = rd32(body + 12, s->swap);
		r->origlen = rd32(body + 16, s->swap);
	}
	if (r->if_id >= s->n_ifaces || r->caplen > blen - hdr)
		return -1;
	ifc = &s->ifaces[r->if_id];
	r->linktype = ifc->linktype;
	r->if_name = ifc->has_name ? ifc->name : NULL;
	r->if_name_len = ifc->name_len;
	r->data = body + hdr;
	if (type == PCAPNG_BT_EPB) {
		uint64_t ticks = (uint64_t)rd32(body + 4, s->swap) << 32 |
				 rd32(body + 8, s->swap);
		size_t dpad = ((size_t)r->caplen + 3) & ~(size_t)3;

		r->ts_ns = to_ns(ifc, ticks);
		if (dpad > blen - hdr)
			return -1;
		if (walk_opts(body + hdr + dpad, body + blen, s->swap,
			      epb_opt, r) < 0)
			return -1;
	}
	return 0;
}

/*
 * Where the bytes come from: a buffer, or a file read block by block into
 * a buffer of our own that grows to the largest block seen (at most
 * PR_BLOCK_MAX).  pr_take() hands out the next n bytes, valid until the
 * next call.
 */
struct pr_src {
	const uint8_t *buf;		/* in memory: all of it */
	size_t len;
	int fd;				/* else a file, -1 for a buffer */
	uint8_t *own;
	size_t cap;
	size_t off;			/* bytes consumed so far */
	bool eof;
};

/*
 * The next n bytes, or NULL: at the end (*short_by 0 when nothing at all
 * was left, else how many were missing), or on a read error (errno).
 */
static const uint8_t *pr_take(struct pr_src *src, size_t n, size_t *got)
{
	size_t have = 0;
	ssize_t r;

	*got = 0;
	if (src->fd < 0) {
		if (src->len - src->off < n) {
			*got = src->len - src->off;
			src->off = src->len;
			errno = 0;
			return NULL;
		}
		src->off += n;
		return src->buf + src->off - n;
	}
	if (n > src->cap) {
		uint8_t *nb = realloc(src->own, n);

		if (!nb)
			return NULL;	/* errno ENOMEM: reported as a read error */
		src->own = nb;
		src->cap = n;
	}
	while (have < n) {
		r = read(src->fd, src->own + have, n - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return NULL;
		if (r == 0) {
			src->eof = true;
			*got = have;
			src->off += have;
			errno = 0;
			return NULL;
		}
		have += (size_t)r;
	}
	src->off += n;
	return src->own;
}

/*
 * A whole block as one piece: its first 12 bytes (head) were taken
 * already, from offset start.  A buffer holds it in place; a file's block
 * is put together in src->own.  NULL as pr_take().
 */
static const uint8_t *pr_take_block(struct pr_src *src, const uint8_t head[12],
				    size_t start, size_t total, size_t *got)
{
	const uint8_t *rest;

	if (src->fd < 0)
		return pr_take(src, total - 12, got) ? src->buf + start : NULL;
	if (total > src->cap) {
		uint8_t *nb = realloc(src->own, total);

		if (!nb)
			return NULL;
		src->own = nb;
		src->cap = total;
	}
	/* pr_take() reads into own from its start: move the head after it */
	rest = pr_take(src, total - 12, got);
	if (!rest)
		return NULL;
	memmove(src->own + 12, src->own, total - 12);
	memcpy(src->own, head, 12);
	return src->own;
}

/* A read error is not damage: say which. */
static void short_err(char *err, size_t errlen, const char *what, size_t off)
{
	if (errno)
		set_err(err, errlen, "read error at offset %zu: %s", off, strerror(errno));
	else
		set_err(err, errlen, "truncated %s at offset %zu", what, off);
}

/*
 * Classic pcap: a file header, then records of a 16-byte header and the
 * packet, all in the byte order of the magic; one link type, interface 0.
 * The header's first 4 bytes (the magic) were taken already.
 */
static long pcap_walk(struct pr_src *src, bool swap, bool nano,
		      pcapng_record_cb cb, void *arg, char *err, size_t errlen)
{
	struct pcapng_record r;
	uint16_t major, minor, linktype;
	const uint8_t *b;
	size_t got, at;
	long n = 0;

	b = pr_take(src, PCAP_HDR_LEN - 4, &got);
	if (!b) {
		if (errno)
			short_err(err, errlen, "pcap file header", 0);
		else
			set_err(err, errlen, "truncated pcap file header");
		goto bad;
	}
	major = rd16(b, swap);
	minor = rd16(b + 2, swap);
	if (major != 2) {
		set_err(err, errlen, "unsupported pcap version %u.%u", major, minor);
		goto bad;
	}
	/* The upper bits of the link type field carry FCS details. */
	linktype = (uint16_t)rd32(b + 16, swap);
	for (;;) {
		uint32_t sec, frac;

		at = src->off;
		b = pr_take(src, PCAP_REC_LEN, &got);
		if (!b) {
			if (got == 0 && errno == 0)
				break;		/* the end, between records */
			short_err(err, errlen, "record", at);
			goto bad;
		}
		memset(&r, 0, sizeof(r));
		sec = rd32(b, swap);
		frac = rd32(b + 4, swap);
		r.caplen = rd32(b + 8, swap);
		r.origlen = rd32(b + 12, swap);
		if (r.caplen > PR_BLOCK_MAX) {
			set_err(err, errlen, "record of %u bytes at offset %zu is too large",
				r.caplen, at);
			goto bad;
		}
		r.linktype = linktype;
		r.ts_ns = (uint64_t)sec * 1000000000u +
			  (nano ? frac : (uint64_t)frac * 1000u);
		r.data = pr_take(src, r.caplen, &got);
		if (!r.data) {
			short_err(err, errlen, "record", at);
			goto bad;
		}
		n++;
		if (cb(&r, arg))
			break;
	}
	return n;
bad:
	errno = EINVAL;
	return -1;
}

static long pcapng_walk(struct pr_src *src, pcapng_record_cb cb, void *arg,
			char *err, size_t errlen)
{
	struct pr_section s = { 0 };
	struct pcapng_record r;
	const uint8_t *b;
	size_t got, off;
	long n = 0;
	bool in_section = false;

	set_err(err, errlen, "%s", "");
	off = src->off;
	b = pr_take(src, 4, &got);
	if (b) {
		uint32_t magic = rd32(b, false);
		bool swap = magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS;

		if (swap)
			magic = __builtin_bswap32(magic);
		if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS)
			return pcap_walk(src, swap, magic == PCAP_MAGIC_NS,
					 cb, arg, err, errlen);
	}
	while (b) {
		uint8_t head[12];
		uint32_t type, total;

		/* b: the block's first 4 bytes; 8 more say its length and magic */
		memcpy(head, b, 4);
		b = pr_take(src, 8, &got);
		if (!b) {
			short_err(err, errlen, "block", off);
			goto bad;
		}
		memcpy(head + 4, b, 8);
		type = rd32(head, s.swap);
		if (type == PCAPNG_BT_SHB) {
			uint32_t magic = rd32(head + 8, false);

			if (magic == PCAPNG_MAGIC)
				s.swap = false;
			else if (magic == __builtin_bswap32(PCAPNG_MAGIC))
				s.swap = true;
			else {
				set_err(err, errlen, "bad byte-order magic at offset %zu", off);
				goto bad;
			}
			s.n_ifaces = 0;
			in_section = true;
		} else if (!in_section) {
			set_err(err, errlen, "not a pcapng or pcap file");
			goto bad;
		}
		total = rd32(head + 4, s.swap);
		if (total < 12 || total % 4 != 0) {
			set_err(err, errlen, "bad length of block at offset %zu", off);
			goto bad;
		}
		if (total > PR_BLOCK_MAX) {
			set_err(err, errlen, "block of %u bytes at offset %zu is too large",
				total, off);
			goto bad;
		}
		b = pr_take_block(src, head, off, total, &got);
		if (!b) {
			short_err(err, errlen, "block", off);
			goto bad;
		}
		if (rd32(b + total - 4, s.swap) != total) {
			set_err(err, errlen, "block lengths disagree at offset %zu", off);
			goto bad;
		}
		if (type == PCAPNG_BT_SHB) {
			if (total < 28 || rd16(b + 12, s.swap) != 1) {
				set_err(err, errlen, "unsupported section at offset %zu", off);
				goto bad;
			}
		} else if (type == PCAPNG_BT_IDB) {
			if (s.n_ifaces >= PR_MAX_IFACES) {
				set_err(err, errlen, "more than %d interfaces in one section at offset %zu",
					PR_MAX_IFACES, off);
				goto bad;
			}
			if (add_iface(&s, b + 8, total - 12) < 0) {
				set_err(err, errlen, "bad interface block at offset %zu", off);
				goto bad;
			}
		} else if (type == PCAPNG_BT_EPB || type == PCAPNG_BT_SPB) {
			if (packet_record(&s, type, b + 8, total - 12, &r) < 0) {
				set_err(err, errlen, "bad packet block at offset %zu", off);
				goto bad;
			}
			n++;
			if (cb(&r, arg))
				break;
		}
		off = src->off;
		b = pr_take(src, 4, &got);
		if (!b && (got != 0 || errno != 0)) {
			short_err(err, errlen, "block", off);
			goto bad;
		}
	}
	free(s.ifaces);
	if (!in_section) {
		if (got == 0 && off == 0 && errno == 0)
			set_err(err, errlen, "not a pcapng or pcap file (empty)");
		else if (err && !err[0])
			set_err(err, errlen, "not a pcapng or pcap file");
		errno = EINVAL;
		return -1;
	}
	return n;
bad:
	free(s.ifaces);
	errno = EINVAL;
	return -1;
}

long pcapng_read_buf(const uint8_t *buf, size_t len, pcapng_record_cb cb,
		     void *arg, char *err, size_t errlen)
{
	struct pr_src src = { .buf = buf, .len = len, .fd = -1 };

	return pcapng_walk(&src, cb, arg, err, errlen);
}

long pcapng_read_file(const char *path, pcapng_record_cb cb, void *arg,
		      char *err, size_t errlen)
{
	bool is_stdin = strcmp(path, "-") == 0;
	struct pr_src src = { .fd = -1 };
	long n;
	int saved;

	src.fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (src.fd < 0) {
		set_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	n = pcapng_walk(&src, cb, arg, err, errlen);
	saved = errno;
	if (!is_stdin)
		close(src.fd);
	free(src.own);
	errno = saved;
	return n;
}
