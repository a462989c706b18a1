/*
 * firewall: install and remove ptrap's rules (nft or iptables), pick a
 * backend, clean up after a dead instance, and own the per-queue lock.
 */
#ifndef PTRAP_FIREWALL_H
#define PTRAP_FIREWALL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "cli.h"

#define FW_LOCK_DIR "/run/ptrap"

struct fw;

/* The lock of one queue: its fd and the path it was taken on. */
struct fw_lock {
	int fd;			/* -1: not held */
	char path[128];
};

/*
 * Take the lock for a queue in this network namespace (a file under dir,
 * normally FW_LOCK_DIR, flock'ed, holding our pid).  Returns 0, or -1
 * with errno EWOULDBLOCK (another live ptrap; *owner gets its pid if
 * known).
 */
int fw_lock_queue(struct fw_lock *lk, const char *dir, unsigned int queue_num,
		  pid_t *owner);
/* Unlink the file while still holding it, then release.  No-op if not held. */
void fw_unlock_queue(struct fw_lock *lk);

enum fw_chain_state { FW_CHAIN_UNKNOWN = -1, FW_CHAIN_ABSENT, FW_CHAIN_PRESENT };

/*
 * Whether chain is in a table, from "iptables -t TABLE -S": status is its
 * exit status (-1: it could not be run), listing its output, complete
 * false if the output was cut off.  Any failure is UNKNOWN: iptables-nft
 * 1.8.9 says "incompatible" with status 1 both for a missing chain and
 * for one it cannot parse, so no message means "absent" for certain.
 */
enum fw_chain_state fw_ipt_chain_state(int status, const char *listing, bool complete,
				       const char *chain);

/*
 * Every -o interface must exist now (the rules match by name, so one that
 * appears later would be trapped too, but a typo should not trap nothing
 * silently).  Returns 0, or -1 with errno ENODEV and *missing set.
 */
int fw_check_ifaces(const struct ptrap_config *cfg, const char **missing);

/* Nothing is touched until fw_install. */
struct fw *fw_new(const struct ptrap_config *cfg);
void fw_free(struct fw *fw);

/*
 * Remove rules a dead ptrap left for this queue (iptables; nft tables go
 * with their owner).  Only call while holding the queue lock.  Returns
 * the number of rule sets removed, or -1 with errno (EIO: iptables could
 * not tell whether they are there) and why set.
 */
int fw_remove_stale(struct fw *fw, char *why, size_t whylen);

/*
 * Install the rules with the configured backend.  For auto, nft is tried
 * first and iptables used where the kernel cannot queue from nft.  why
 * gets a one-line account of the choice (or of the failure).  Returns 0,
 * or -1 with errno; on failure nothing stays installed.
 */
int fw_install(struct fw *fw, char *why, size_t whylen);

/* Remove exactly what fw_install added.  0, or -1 with errno (why says). */
int fw_remove(struct fw *fw, char *why, size_t whylen);

/*
 * Packets ptrap's rules have sent to the queue since fw_install, from the
 * iptables rule counters (the kernel counts a packet accepted because the
 * queue was full nowhere else).  0, or -1 with errno: ENOTSUP for the nft
 * and none backends (no counters) and for iptables-legacy.  Lists the
 * chains over netlink: not for every packet.
 */
int fw_rule_matches(struct fw *fw, unsigned long long *pkts);

/* "nft", "iptables" or "none" once installed; "auto" before. */
const char *fw_backend(const struct fw *fw);

#endif
