/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * safefile: open and remove the files ptrap writes (captures) without
 * letting another local user point them elsewhere.  ptrap runs as root and
 * captures hold other users' DNS traffic.
 */
#ifndef PTRAP_SAFEFILE_H
#define PTRAP_SAFEFILE_H

#include <stdbool.h>
#include <sys/types.h>

/* What ptrap created, to remove it later only if it is still that file. */
struct safefile_id {
	dev_t dev;
	ino_t ino;
	bool valid;
};

/*
 * Open path for writing (O_WRONLY | O_CLOEXEC | O_NOFOLLOW, plus O_APPEND
 * if append, else truncating), creating it with mode.  Refused, with *why
 * set to a static explanation and errno EPERM:
 * - path is a symbolic link;
 * - an existing regular file with other hard links;
 * - an existing file that belongs to another user in a directory others
 *   may write to (/tmp: a file planted for us to fill or truncate).
 * An existing regular file is truncated only after those checks and then
 * gets mode too (its contents are ours from now on); FIFOs and character
 * devices (-w to a pipe into Wireshark, /dev/null) are written, never
 * truncated.  id (may be NULL) receives the file's identity.
 * Returns the fd, or -1 with errno (and *why NULL when open(2) itself
 * failed: use strerror).
 */
int safefile_open(const char *path, bool append, mode_t mode,
		  struct safefile_id *id, const char **why);

/*
 * Remove path only if it is still the file id names (same device and
 * inode, a regular file owned by us): a same-named file someone else put
 * there stays.  0, or -1 with errno (ESTALE: not ours any more).
 */
int safefile_unlink_ours(const char *path, const struct safefile_id *id);

#endif
