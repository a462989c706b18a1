/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sockhold: load for the /proc scale scenario.  Forks PROCS processes,
 * each opening SOCKS UDP sockets bound to 127.0.0.1, prints "ready" once
 * all of them hold their sockets, and tears them all down on
 * SIGINT/SIGTERM, stdin EOF, or after SECONDS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_PROCS	4096

/* The child: open the sockets, report on the pipe, wait to be killed. */
static int sockhold_child(long socks, int ready_fd)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	long i;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < socks; i++) {
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			return 1;
	}
	if (write(ready_fd, "r", 1) != 1)
		return 1;
	close(ready_fd);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	static pid_t pids[MAX_PROCS];
	long procs, socks, secs = 600, i, ready = 0;
	double deadline;
	int p[2], rc = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s PROCS SOCKS_PER_PROC [SECONDS]\n", argv[0]);
		return 2;
	}
	procs = bench_num(argv[1], "procs");
	socks = bench_num(argv[2], "sockets");
	if (argc == 4)
		secs = bench_num(argv[3], "seconds");
	if (procs < 1 || procs > MAX_PROCS || socks < 0 || socks > 60000 || secs < 0)
		return 2;
	bench_catch_stop();
	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("sockhold: pipe");
		return 1;
	}
	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("sockhold: fork");
			rc = 1;
			break;
		}
		if (pids[i] == 0) {
			close(p[0]);
			_exit(sockhold_child(socks, p[1]));
		}
	}
	close(p[1]);
	deadline = bench_now() + secs;
	while (!rc && ready < i && bench_now() < deadline) {
		char c;

		if (read(p[0], &c, 1) != 1) {
			rc = 1;		/* a child failed before it was ready */
			break;
		}
		ready++;
	}
	if (!rc) {
		struct pollfd pfd = { .fd = 0, .events = POLLIN };

		fprintf(stderr, "ready %ld processes, %ld sockets\n", ready, ready * socks);
		while (!bench_stop && bench_now() < deadline) {
			char c;

			if (poll(&pfd, 1, 200) > 0 && read(0, &c, 1) <= 0)
				break;
		}
	}
	for (long j = 0; j < i; j++)
		kill(pids[j], SIGKILL);
	for (long j = 0; j < i; j++)
		waitpid(pids[j], NULL, 0);
	close(p[0]);
	return rc;
}
