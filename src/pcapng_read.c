/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapng_read: a bounds-checked pcapng walker, which also reads the
 * classic pcap files tcpdump writes.
 *
 * Input may be hostile: every block and option length is validated against
 * what is left before it is used, and all reads go through rd16/rd32 on
 * checked offsets.
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
#define PR_FILE_MAX	(1ull << 32)	/* files are read whole: refuse beyond 4 GiB */
#define PCAP_MAGIC_US	0xa1b2c3d4u	/* classic pcap, microseconds */
#define PCAP_MAGIC_NS	0xa1b23c4du	/* classic pcap, nanoseconds */
#define PCAP_HDR_LEN	24
#define PCAP_REC_LEN	16

struct pr_iface {
	uint16_t linktype;
	bool tsres_pow2;
	uint8_t tsres;			/* exponent */
	int64_t tsoffset;		/* seconds */
	const char *name;		/* if_name, in the buffer; NULL: none */
	size_t name_len;
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

	if (code == PCAPNG_IF_NAME && !ifc->name) {
		ifc->name = (const char *)val;
		ifc->name_len = len;
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
	struct pr_iface ifc = { .tsres = 6 };

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
	r->if_name = ifc->name;
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
 * Classic pcap: a file header, then records of a 16-byte header and the
 * packet, all in the byte order of the magic; one link type, interface 0.
 */
static long pcap_read_buf(const uint8_t *buf, size_t len, bool swap, bool nano,
			  pcapng_record_cb cb, void *arg, char *err, size_t errlen)
{
	struct pcapng_record r;
	uint16_t major, minor, linktype;
	size_t off = PCAP_HDR_LEN;
	long n = 0;

	if (len < PCAP_HDR_LEN) {
		set_err(err, errlen, "truncated pcap file header");
		goto bad;
	}
	major = rd16(buf + 4, swap);
	minor = rd16(buf + 6, swap);
	if (major != 2) {
		set_err(err, errlen, "unsupported pcap version %u.%u", major, minor);
		goto bad;
	}
	/* The upper bits of the link type field carry FCS details. */
	linktype = (uint16_t)rd32(buf + 20, swap);
	while (off < len) {
		const uint8_t *b = buf + off;
		uint32_t sec, frac;

		if (len - off < PCAP_REC_LEN) {
			set_err(err, errlen, "truncated record at offset %zu", off);
			goto bad;
		}
		memset(&r, 0, sizeof(r));
		sec = rd32(b, swap);
		frac = rd32(b + 4, swap);
		r.caplen = rd32(b + 8, swap);
		r.origlen = rd32(b + 12, swap);
		if (r.caplen > len - off - PCAP_REC_LEN) {
			set_err(err, errlen, "truncated record at offset %zu", off);
			goto bad;
		}
		r.linktype = linktype;
		r.ts_ns = (uint64_t)sec * 1000000000u +
			  (nano ? frac : (uint64_t)frac * 1000u);
		r.data = b + PCAP_REC_LEN;
		n++;
		if (cb(&r, arg))
			break;
		off += PCAP_REC_LEN + r.caplen;
	}
	return n;
bad:
	errno = EINVAL;
	return -1;
}

long pcapng_read_buf(const uint8_t *buf, size_t len, pcapng_record_cb cb,
		     void *arg, char *err, size_t errlen)
{
	struct pr_section s = { 0 };
	struct pcapng_record r;
	size_t off = 0;
	long n = 0;
	bool in_section = false;

	set_err(err, errlen, "%s", "");
	if (len >= 4) {
		uint32_t magic = rd32(buf, false);

		if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS)
			return pcap_read_buf(buf, len, false, magic == PCAP_MAGIC_NS,
					     cb, arg, err, errlen);
		if (magic == __builtin_bswap32(PCAP_MAGIC_US) ||
		    magic == __builtin_bswap32(PCAP_MAGIC_NS))
			return pcap_read_buf(buf, len, true,
					     magic == __builtin_bswap32(PCAP_MAGIC_NS),
					     cb, arg, err, errlen);
	}
	while (off < len) {
		const uint8_t *b = buf + off;
		uint32_t type, total;

		if (len - off < 12) {
			set_err(err, errlen, "truncated block at offset %zu", off);
			goto bad;
		}
		type = rd32(b, s.swap);
		if (type == PCAPNG_BT_SHB) {
			uint32_t magic = rd32(b + 8, false);

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
		total = rd32(b + 4, s.swap);
		if (total < 12 || total % 4 != 0 || total > len - off) {
			set_err(err, errlen, "%s block at offset %zu",
				total > len - off ? "truncated" : "bad length of", off);
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
		off += total;
	}
	free(s.ifaces);
	if (!in_section) {
		set_err(err, errlen, "not a pcapng or pcap file (empty)");
		errno = EINVAL;
		return -1;
	}
	return n;
bad:
	free(s.ifaces);
	errno = EINVAL;
	return -1;
}

static uint8_t *slurp(int fd, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap), *nb;
	ssize_t r;

	while (buf) {
		if (n == cap) {
			if (cap >= PR_FILE_MAX) {
				errno = EFBIG;
				break;
			}
			nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0) {
			*len = n;
			return buf;
		}
		n += (size_t)r;
	}
	free(buf);
	return NULL;
}

long pcapng_read_file(const char *path, pcapng_record_cb cb, void *arg,
		      char *err, size_t errlen)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *buf;
	size_t len = 0;
	long n;

	if (fd < 0) {
		set_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	buf = slurp(fd, &len);
	if (!buf) {
		set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
		if (!is_stdin)
			close(fd);
		return -1;
	}
	if (!is_stdin)
		close(fd);
	n = pcapng_read_buf(buf, len, cb, arg, err, errlen);
	free(buf);
	return n;
}
