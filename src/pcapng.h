/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapng: write trapped packets to a pcapng file, each with the process
 * that sent it in the packet's comment (and pid in epb_processid_threadid).
 */
#ifndef PTRAP_PCAPNG_H
#define PTRAP_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Block types, option codes and link types the writer and reader share. */
#define PCAPNG_BT_SHB		0x0a0d0d0au
#define PCAPNG_BT_IDB		1u
#define PCAPNG_BT_SPB		3u
#define PCAPNG_BT_EPB		6u
#define PCAPNG_MAGIC		0x1a2b3c4du
#define PCAPNG_OPT_END		0
#define PCAPNG_OPT_COMMENT	1
#define PCAPNG_SHB_HARDWARE	2
#define PCAPNG_SHB_OS		3
#define PCAPNG_SHB_USERAPPL	4
#define PCAPNG_IF_NAME		2
#define PCAPNG_IF_TSRESOL	9
#define PCAPNG_IF_TSOFFSET	14
#define PCAPNG_EPB_FLAGS	2
#define PCAPNG_EPB_PID_TID	8	/* epb_processid_threadid: two u32 */
#define PCAPNG_LINKTYPE_ETHERNET	1
#define PCAPNG_LINKTYPE_RAW		101
#define PCAPNG_LINKTYPE_LINUX_SLL	113
#define PCAPNG_LINKTYPE_IPV4		228
#define PCAPNG_LINKTYPE_IPV6		229
#define PCAPNG_LINKTYPE_LINUX_SLL2	276

#define PCAPNG_COMMENT_MAX	4096	/* longer comments are cut */

struct pcapng_writer;

/* One packet as the queue gave it (starting at the IP header). */
struct pcapng_packet {
	uint64_t ts_ns;			/* wall clock, ns since the epoch */
	const uint8_t *data;
	uint32_t caplen, origlen;
	const char *comment;		/* NULL: none */
	uint32_t pid, tid;		/* 0: unknown (then no pid option) */
	uint32_t ifindex;		/* output interface; 0: unknown */
};

/*
 * Create (truncate) path, or use stdout for "-", and write the section
 * header.  flush_each: write every packet at once instead of buffering.
 * NULL with errno on failure.  The fd is CLOEXEC.  Files are opened with
 * safefile_open() (no symlinks, no planted files), new ones mode 0600.
 */
struct pcapng_writer *pcapng_writer_open(const char *path, bool flush_each);

/* -C, -G and -W, with tcpdump's meaning and file names. */
struct pcapng_rotation {
	unsigned long long max_bytes;	/* a new file once larger; 0: never */
	unsigned int secs;		/* a new file after; 0: never (else
					 * the path is a strftime format) */
	unsigned int max_files;		/* files kept; 0: all */
};

/*
 * pcapng_writer_open() with rotation (NULL or all zero: none; ignored for
 * "-").  Each file is a complete pcapng file with its own section header.
 * snaplen: bytes kept of each packet (0: all); the original length is
 * always recorded.  mode: of the files it creates.  -W removes only files
 * this writer created that are still the ones it created.  On failure
 * *refused (may be NULL) is why safefile_open() refused the file, or NULL
 * when errno says it all.
 */
struct pcapng_writer *pcapng_writer_open_rotating(const char *path,
		bool flush_each, const struct pcapng_rotation *rot,
		unsigned int snaplen, mode_t mode, const char **refused);

/* After a failed write, rotation or reopen: as *refused above. */
const char *pcapng_writer_refused(const struct pcapng_writer *w);

/*
 * Flush, close and open path again in append mode, starting a new section
 * (SIGHUP after log rotation).  A no-op for stdout.  0, or -1 with errno.
 */
int pcapng_writer_reopen(struct pcapng_writer *w);

/* Flush and close; returns -1 with errno if the last flush failed. */
int pcapng_writer_close(struct pcapng_writer *w);

/*
 * Append one enhanced packet block (and an interface block named after the
 * output interface the first time its ifindex is seen in the section;
 * interface 0, "ptrap", holds packets without one).  Whole blocks only ever reach the file, so it is
 * valid after every flush.  0, or -1 with errno (write error).
 */
int pcapng_writer_packet(struct pcapng_writer *w, const struct pcapng_packet *p);

/*
 * Write what is buffered.  0, or -1 with errno.  On failure the buffer is
 * dropped and the file cut back to its last whole block; the next flush
 * tries again, so writing resumes once there is space.
 */
int pcapng_writer_flush(struct pcapng_writer *w);

/* Whether the last write failed (and none has succeeded since). */
bool pcapng_writer_failing(const struct pcapng_writer *w);

/* CLOCK_MONOTONIC ns of the oldest unflushed byte; 0 if nothing pending. */
uint64_t pcapng_writer_pending_since(const struct pcapng_writer *w);

#endif
