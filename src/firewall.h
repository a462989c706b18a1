/*
 * firewall: install and remove ptrap's rules (nft or iptables), pick a
 * backend, clean up after a dead instance, and own the per-queue lock.
 */
#ifndef PTRAP_FIREWALL_H
#define PTRAP_FIREWALL_H

#include <stddef.h>
#include <sys/types.h>
#include "cli.h"

#define FW_LOCK_DIR "/run/ptrap"

struct fw;

/*
 * Take the lock for cfg's queue in this network namespace (a file under
 * FW_LOCK_DIR, flock'ed, holding our pid).  Returns the fd, or -1 with
 * errno EWOULDBLOCK (another live ptrap; *owner gets its pid if known).
 */
int fw_lock_queue(unsigned int queue_num, pid_t *owner);
void fw_unlock_queue(int fd);

/* Nothing is touched until fw_install. */
struct fw *fw_new(const struct ptrap_config *cfg);
void fw_free(struct fw *fw);

/*
 * Remove rules a dead ptrap left for this queue (iptables; nft tables go
 * with their owner).  Only call while holding the queue lock.  Returns
 * the number of rule sets removed, or -1 with errno.
 */
int fw_remove_stale(struct fw *fw);

/*
 * Install the rules with the configured backend.  For auto, nft is tried
 * first and iptables used where the kernel cannot queue from nft.  why
 * gets a one-line account of the choice (or of the failure).  Returns 0,
 * or -1 with errno; on failure nothing stays installed.
 */
int fw_install(struct fw *fw, char *why, size_t whylen);

/* Remove exactly what fw_install added.  0, or -1 with errno (why says). */
int fw_remove(struct fw *fw, char *why, size_t whylen);

/* "nft", "iptables" or "none" once installed; "auto" before. */
const char *fw_backend(const struct fw *fw);

#endif
