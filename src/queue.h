/* SPDX-License-Identifier: GPL-2.0-or-later */
/* queue: the NFQUEUE socket: bind, receive packets in batches, send verdicts. */
#ifndef PTRAP_QUEUE_H
#define PTRAP_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct queue;

struct queue_packet {
	uint32_t id;		/* for the verdict */
	const uint8_t *data;	/* starts at the IP header */
	uint32_t len;		/* bytes in data (may be less than orig_len) */
	uint32_t orig_len;	/* length on the wire */
	long long uid, gid;	/* of the sending socket; -1 if not given */
	uint32_t outdev;	/* output ifindex; 0 if not given */
	uint64_t rx_ns;		/* CLOCK_MONOTONIC after the read that brought
				 * it: the packet was queued before then */
};

struct queue_stats {
	unsigned long long received;
	unsigned long long reads;	/* recvmmsg() calls that brought messages */
	unsigned long long verdicts;
	unsigned long long id_gaps;	/* packet ids we never got: undeliverable */
	unsigned long long enobufs;	/* ENOBUFS errors (messages lost) */
	unsigned long long errors;	/* verdicts the kernel refused */
};

/*
 * Open a CLOEXEC nfnetlink socket and bind it to queue num, asking for
 * copy_range bytes of each packet, the sender's uid/gid, fail-open on
 * overflow and unsegmented GSO packets.  NULL with errno on failure;
 * EBUSY means another process is bound to num.
 */
struct queue *queue_open(unsigned int num, unsigned int copy_range);
void queue_close(struct queue *q);
int queue_fd(const struct queue *q);

typedef void (*queue_packet_cb)(const struct queue_packet *p, void *arg);
typedef void (*queue_read_cb)(void *arg);

/* Packets one read can bring (one message each): at most this many. */
#define QUEUE_RX_MAX	64

/*
 * Receive what is waiting (at most max messages, without blocking) and call
 * cb for each packet.  p->data points into the receive buffers: it stays
 * valid until done (may be NULL) is called, after the packets of each read
 * and before the next read reuses them.  Returns the number of packets, or
 * -1 with errno.
 */
int queue_receive(struct queue *q, unsigned int max, queue_packet_cb cb,
		  queue_read_cb done, void *arg);

/* Queue an ACCEPT verdict; verdicts go out in one message batch on flush. */
int queue_accept(struct queue *q, uint32_t id);
int queue_flush(struct queue *q);

void queue_get_stats(const struct queue *q, struct queue_stats *st);

#endif
