/* SPDX-License-Identifier: GPL-2.0-or-later */
/* child: start child programs with clean fds, signals and process groups. */
#ifndef PTRAP_CHILD_H
#define PTRAP_CHILD_H

#include <stddef.h>
#include <sys/types.h>

struct child_opts {
	char *const *argv;		/* argv[0] is the path to run */
	char *const *envp;		/* NULL: inherit ptrap's environment */
	int stdin_fd;			/* -1: /dev/null */
	int output_fd;			/* stdout and stderr go here; -1: inherit */
	int new_pgroup;			/* run in a process group of its own */
};

/*
 * Start a child.  It gets default signal dispositions and an empty signal
 * mask (ptrap blocks and ignores some), and no fd above 2: ptrap's netlink
 * sockets must never outlive ptrap in a child, or the queue stays bound
 * and the owner-flag table stays installed after ptrap is gone.
 * Returns 0 and *pid, or -1 with errno.
 */
int child_start(const struct child_opts *o, pid_t *pid);

/*
 * Run argv to completion with input on its stdin and its combined output
 * captured into out (NUL-terminated, truncated to outlen - 1).  *status
 * gets the wait status.  Returns 0 if it ran (whatever its exit status),
 * -1 with errno if it could not be run.
 */
int child_run(char *const *argv, const char *input, size_t inlen,
	      char *out, size_t outlen, int *status);

#endif
