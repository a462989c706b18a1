/* SPDX-License-Identifier: GPL-2.0-or-later */
/* child: start child programs with clean fds, signals and process groups. */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int child_start(const struct child_opts *o, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	int err;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	err = posix_spawnattr_init(&attr);
	if (err)
		goto out_fa;

	if (o->stdin_fd >= 0)
		err = posix_spawn_file_actions_adddup2(&fa, o->stdin_fd, 0);
	else
		err = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
						       O_RDONLY, 0);
	if (!err && o->output_fd >= 0)
		err = posix_spawn_file_actions_adddup2(&fa, o->output_fd, 1);
	if (!err && o->output_fd >= 0)
		err = posix_spawn_file_actions_adddup2(&fa, o->output_fd, 2);
	/* libnftables' socket is not CLOEXEC: close everything explicitly. */
	if (!err)
		err = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (err)
		goto out_attr;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	/* Dispositions ptrap ignores (SIGPIPE) would survive exec otherwise. */
	posix_spawnattr_setsigdefault(&attr, &all);
	if (o->new_pgroup) {
		flags |= POSIX_SPAWN_SETPGROUP;
		posix_spawnattr_setpgroup(&attr, 0);
	}
	posix_spawnattr_setflags(&attr, flags);

	err = posix_spawn(pid, o->argv[0], &fa, &attr, o->argv,
			  o->envp ? o->envp : environ);
out_attr:
	posix_spawnattr_destroy(&attr);
out_fa:
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Feed input and collect output without deadlocking on full pipes. */
static void pump(int in_fd, const char *input, size_t inlen, int out_fd,
		 char *out, size_t outlen)
{
	size_t sent = 0, got = 0;

	if (inlen == 0 && in_fd >= 0) {
		close(in_fd);
		in_fd = -1;
	}
	while (out_fd >= 0) {
		struct pollfd p[2] = {
			{ .fd = out_fd, .events = POLLIN },
			{ .fd = in_fd, .events = POLLOUT },
		};
		ssize_t n;

		if (poll(p, in_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (in_fd >= 0 && (p[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			n = write(in_fd, input + sent, inlen - sent);
			if (n > 0)
				sent += n;
			if (n < 0 || sent == inlen) {
				close(in_fd);
				in_fd = -1;
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char sink[512];
			char *dst = got + 1 < outlen ? out + got : sink;
			size_t room = got + 1 < outlen ? outlen - 1 - got : sizeof(sink);

			n = read(out_fd, dst, room);
			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				close(out_fd);
				out_fd = -1;
			} else if (dst != sink) {
				got += n;
			}
		}
	}
	if (in_fd >= 0)
		close(in_fd);
	if (outlen)
		out[got] = '\0';
}

int child_run(char *const *argv, const char *input, size_t inlen,
	      char *out, size_t outlen, int *status)
{
	struct child_opts o = { .argv = argv };
	int in_pipe[2], out_pipe[2];
	pid_t pid;

	if (pipe2(in_pipe, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(out_pipe, O_CLOEXEC) < 0)
		goto err_in;
	o.stdin_fd = in_pipe[0];
	o.output_fd = out_pipe[1];
	if (child_start(&o, &pid) < 0)
		goto err_out;
	close(in_pipe[0]);
	close(out_pipe[1]);

	pump(in_pipe[1], input, inlen, out_pipe[0], out, outlen);

	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;

err_out:
	close(out_pipe[0]);
	close(out_pipe[1]);
err_in:
	close(in_pipe[0]);
	close(in_pipe[1]);
	return -1;
}
