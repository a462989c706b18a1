/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapng_read: walk the packets of a pcapng or pcap file, any byte order, checked. */
#ifndef PTRAP_PCAPNG_READ_H
#define PTRAP_PCAPNG_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcapng_record {
	uint32_t if_id;			/* in its section */
	const char *if_name;		/* its if_name, not NUL-terminated; */
	size_t if_name_len;		/* NULL, 0: none */
	uint16_t linktype;
	uint64_t ts_ns;			/* ns since the epoch */
	uint32_t caplen, origlen;
	const uint8_t *data;		/* caplen bytes */
	const char *comment;		/* first opt_comment, not NUL-terminated */
	size_t comment_len;		/* 0: none */
	bool has_pid;			/* epb_processid_threadid present */
	uint32_t pid, tid;
};

/* Return non-zero to stop the walk early. */
typedef int (*pcapng_record_cb)(const struct pcapng_record *r, void *arg);

/*
 * Walk len bytes of pcapng: sections in either byte order, any number of
 * interfaces, unknown blocks skipped.  Classic pcap (microsecond or
 * nanosecond, either byte order) is read too, as interface 0.  Every length is checked against the
 * buffer; nothing is read outside it.  Calls cb for each enhanced or
 * simple packet block.  Returns the number of records delivered, or -1
 * with a message in err when the data is not pcapng or is damaged (the
 * records before the damage were delivered).
 */
long pcapng_read_buf(const uint8_t *buf, size_t len, pcapng_record_cb cb,
		     void *arg, char *err, size_t errlen);

/* The same for a file ("-": stdin), read whole into memory. */
long pcapng_read_file(const char *path, pcapng_record_cb cb, void *arg,
		      char *err, size_t errlen);

#endif
