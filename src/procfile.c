/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procfile: read one small /proc file whole, relative to a directory fd. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "procfile.h"

int procfile_read(int dirfd, const char *name, char *buf, size_t size, size_t *len,
		  unsigned int flags)
{
	size_t got = 0;
	ssize_t n;
	int fd, saved;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (got < size) {
		n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if ((flags & PROCFILE_ONE_LINE) && buf[got - 1] == '\n')
			break;
	}
	close(fd);
	*len = got;
	return 0;
}
