/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * safefile: capture files opened and removed without following a planted
 * symlink, filling a planted file, or removing someone else's.
 *
 * The checks follow the kernel's fs.protected_regular / protected_symlinks
 * ideas, done here as well so that they hold on a box with those sysctls
 * off, and for hard links (protected_hardlinks only stops making them).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"

/* Whether others than the owner may create files in path's directory. */
static bool dir_shared(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;
	size_t n;

	if (!slash) {
		snprintf(dir, sizeof(dir), ".");
	} else {
		n = (size_t)(slash - path);
		if (n == 0)
			n = 1;		/* "/file" */
		if (n >= sizeof(dir))
			return true;	/* cannot tell: assume the worst */
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if (stat(dir, &st) < 0)
		return true;
	return (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

static int refuse(int fd, const char **why, const char *text)
{
	if (fd >= 0)
		close(fd);
	if (why)
		*why = text;
	errno = EPERM;
	return -1;
}

int safefile_open(const char *path, bool append, mode_t mode,
		  struct safefile_id *id, const char **why)
{
	struct stat st;
	int fd, flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;

	if (why)
		*why = NULL;
	if (id)
		id->valid = false;
	/*
	 * Never O_TRUNC here: a file that is refused must stay as it was.
	 * O_NONBLOCK: a FIFO nobody reads must not hang us before the checks.
	 */
	if (append)
		flags |= O_APPEND;
	fd = open(path, flags, mode);
	if (fd < 0 && errno == ENXIO) {
		/* a FIFO without a reader yet: wait for one, as tcpdump does */
		if (lstat(path, &st) < 0 || !S_ISFIFO(st.st_mode))
			return -1;
		if (st.st_uid != geteuid() && dir_shared(path))
			return refuse(-1, why, "belongs to another user, in a directory others can write to (refused)");
		fd = open(path, flags & ~O_NONBLOCK, mode);
	}
	if (fd < 0) {
		if (errno == ELOOP)
			return refuse(-1, why, "is a symbolic link (refused: write to its target)");
		return -1;
	}
	if (fstat(fd, &st) < 0)
		goto fail;
	if (st.st_uid != geteuid() && dir_shared(path))
		return refuse(fd, why, "belongs to another user, in a directory others can write to (refused)");
	if (S_ISREG(st.st_mode)) {
		if (st.st_nlink > 1)
			return refuse(fd, why, "has other hard links (refused)");
		if (!append && st.st_size > 0 && ftruncate(fd, 0) < 0)
			goto fail;
		if (!append && st.st_uid == geteuid() &&
		    (st.st_mode & 07777) != mode && fchmod(fd, mode) < 0)
			goto fail;
	} else if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	/* Writes block as usual from here on. */
	if (fcntl(fd, F_SETFL, append ? O_APPEND : 0) < 0)
		goto fail;
	if (id) {
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		id->valid = S_ISREG(st.st_mode);
	}
	return fd;
fail:
	{
		int saved = errno;

		close(fd);
		errno = saved;
	}
	return -1;
}

int safefile_unlink_ours(const char *path, const struct safefile_id *id)
{
	struct stat st;

	if (!id || !id->valid) {
		errno = ESTALE;
		return -1;
	}
	if (lstat(path, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode) || st.st_dev != id->dev ||
	    st.st_ino != id->ino || st.st_uid != geteuid()) {
		errno = ESTALE;
		return -1;
	}
	return unlink(path);
}
