/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qpeers: the kernel lists each bound queue with its listener's netlink
 * port id; /proc/net/netlink maps the port id to the socket's inode, and
 * the process is the one with "socket:[INODE]" among its fds.  Read once
 * at start, so the cost of walking /proc does not matter.
 */
#include "qpeers.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NETLINK_NETFILTER_PROTO	12

/* The socket inode of netfilter netlink port id portid; 0 if none. */
static unsigned long portid_inode(unsigned int portid)
{
	FILE *f = fopen("/proc/net/netlink", "re");
	unsigned long ino = 0, sk_ino;
	unsigned int proto, pid;
	char line[512];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
		if (sscanf(line, "%*s %u %u %*s %*s %*s %*s %*s %*s %lu",
			   &proto, &pid, &sk_ino) == 3 &&
		    proto == NETLINK_NETFILTER_PROTO && pid == portid) {
			ino = sk_ino;
			break;
		}
	}
	fclose(f);
	return ino;
}

static bool has_socket(int piddir, unsigned long ino)
{
	char want[48], link[64], name[32];
	struct dirent *de;
	bool found = false;
	ssize_t n;
	DIR *d;
	int fd = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return false;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return false;
	}
	snprintf(want, sizeof(want), "socket:[%lu]", ino);
	while (!found && (de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(name, sizeof(name), "%.20s", de->d_name);
		n = readlinkat(dirfd(d), name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found = strcmp(link, want) == 0;
	}
	closedir(d);
	return found;
}

static void read_comm(int piddir, char *comm)
{
	ssize_t n;
	int fd = openat(piddir, "comm", O_RDONLY | O_CLOEXEC);

	comm[0] = '\0';
	if (fd < 0)
		return;
	n = read(fd, comm, QPEERS_COMM_LEN - 1);
	close(fd);
	if (n <= 0)
		return;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

/* Fill pid and comm of the peers whose socket inodes are ino[]. */
static void find_owners(struct qpeer *p, const unsigned long *ino,
			unsigned int n)
{
	unsigned int i, left = 0;
	struct dirent *de;
	DIR *proc;

	for (i = 0; i < n; i++)
		left += ino[i] != 0;
	proc = opendir("/proc");
	if (!proc)
		return;
	while (left > 0 && (de = readdir(proc)) != NULL) {
		int piddir;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		piddir = openat(dirfd(proc), de->d_name,
				O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (piddir < 0)
			continue;
		for (i = 0; i < n; i++) {
			if (ino[i] == 0 || p[i].pid != 0 ||
			    !has_socket(piddir, ino[i]))
				continue;
			p[i].pid = (pid_t)strtol(de->d_name, NULL, 10);
			read_comm(piddir, p[i].comm);
			left--;
		}
		close(piddir);
	}
	closedir(proc);
}

int qpeers_list(unsigned int self, struct qpeer *out, unsigned int max)
{
	FILE *f = fopen("/proc/net/netfilter/nfnetlink_queue", "re");
	unsigned long ino[QPEERS_MAX];
	unsigned int n = 0, q, portid, i;
	char line[256];

	if (!f)
		return -1;
	if (max > QPEERS_MAX)
		max = QPEERS_MAX;
	while (n < max && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%u %u", &q, &portid) != 2 || q == self)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].queue = q;
		out[n].portid = portid;
		n++;
	}
	fclose(f);
	for (i = 0; i < n; i++)
		ino[i] = portid_inode(out[i].portid);
	find_owners(out, ino, n);
	return (int)n;
}
