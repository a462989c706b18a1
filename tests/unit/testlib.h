/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * testlib: what several unit tests need, written once: golden files, a fake
 * /proc tree, packets from address strings, and output captured from a FILE.
 * Include after <cmocka.h>; every helper fails the test on error.
 */
#ifndef PTRAP_TESTLIB_H
#define PTRAP_TESTLIB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "packet.h"
#include "resolver.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must name tests/data"
#endif

/*
 * got (len bytes, the whole string) must equal TEST_DATA_DIR/<rel> byte for
 * byte; the first differing line is printed.  PTRAP_UPDATE_GOLDEN=1 rewrites
 * the file instead: review the diff before committing.
 */
void tl_check_golden(const char *rel, const char *got, int len);

/* A whole file, NUL-terminated (malloc'd; *len bytes), or NULL. */
char *tl_read_file(const char *path, size_t *len);

/* ip from "192.0.2.1" or "2001:db8::1" (the family follows the text). */
void tl_set_ip(struct addr_ip *ip, const char *s);

/* A TCP/UDP-style packet; sport 0 means it has no ports (ICMP, fragment). */
void tl_set_pkt(struct pkt_info *p, uint8_t proto, const char *src,
		uint16_t sport, const char *dst, uint16_t dport);

/* A process record (gid = uid); cmdline is cmdline_len bytes of argv. */
void tl_set_proc(struct resolver_proc *p, pid_t pid, pid_t ppid,
		 unsigned int uid, const char *comm, const char *exe,
		 const char *cmdline, size_t cmdline_len);

/* who: one process (ppid 1, uid 1000) and the queue's uid 1000. */
void tl_set_who(struct resolver_result *who, pid_t pid, const char *comm,
		const char *exe, const char *cmdline, size_t cmdline_len);

/* --- a fake /proc: files laid out as procmap, proccache, icmpsock read them */

#define TL_ROOT_MAX	64

/* A fresh empty directory /tmp/ptrap-<tag>-XXXXXX in root. */
void tl_fake_root(char root[TL_ROOT_MAX], const char *tag);
/* Remove path and everything below it (no error if it is gone). */
void tl_rm_tree(const char *path);

struct tl_proc {
	int pid;
	int tgid;			/* 0: pid (a process, not a thread) */
	int ppid;
	unsigned int uid, gid;		/* real ids; effective ones are +1, +2, +3 */
	const char *comm;
	const char *exe;		/* NULL: no exe link (kernel thread) */
	const char *cmdline;		/* NULL: comm, without a NUL */
	size_t cmdline_len;
	unsigned long long start;	/* stat field 22 */
};

/*
 * <root>/<pid>/ with status (the kernel's layout), comm, cmdline, stat, exe
 * and an empty fd/.  Files of an existing directory are replaced.
 */
void tl_fake_proc(const char *root, const struct tl_proc *p);

/* <root>/<pid>/<name> holds len bytes of data (pid 0: <root>/<name>). */
void tl_fake_file(const char *root, int pid, const char *name,
		  const void *data, size_t len);
/* <root>/<pid>/<name> -> target; an existing link is replaced. */
void tl_fake_link(const char *root, int pid, const char *name, const char *target);
/* <root>/<pid>/fd/<fd> -> socket:[inode] */
void tl_fake_sock(const char *root, int pid, int fd, unsigned long long inode);
/* <root>/<pid>/task/<tid>/children as CONFIG_PROC_CHILDREN writes it */
void tl_fake_children(const char *root, int pid, int tid, const char *list);
/* <root>/<pid>/<name> removed (name NULL: the whole process). */
void tl_fake_rm(const char *root, int pid, const char *name);

/* --- output written to a FILE, captured in memory */

struct tl_capture {
	FILE *f;
	char *buf;
	size_t len;
};

/* Start capturing; write to the returned FILE. */
FILE *tl_capture_open(struct tl_capture *c);
/* Stop; the NUL-terminated text (c->len bytes), for the caller to free(). */
char *tl_capture_close(struct tl_capture *c);
/* What fn writes to its FILE; *len gets its length.  free() it. */
char *tl_capture(void (*fn)(FILE *), size_t *len);

#endif
