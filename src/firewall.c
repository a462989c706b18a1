/*
 * firewall: install and remove ptrap's rules (nft or iptables), pick a
 * backend, clean up after a dead instance, and own the per-queue lock.
 *
 * nft is preferred: its table has "flags owner", so the kernel deletes it
 * when our netlink socket closes, even after kill -9.  The iptables chain
 * has no owner; a dead instance's chain is removed by the next start, and
 * until then --queue-bypass keeps traffic flowing.  This file holds the
 * locks, the backend choice and the nft backend; firewall_ipt.c the
 * iptables one.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "firewall.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "firewall_int.h"
#include "rules.h"

/* A lock file an exiting owner unlinks under us is retried this often. */
#define FW_LOCK_TRIES	16

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * Lock files are per network namespace: each netns has its own queues.
 * An owner unlinks its file on exit while still holding the lock, so a
 * file we opened before that may be dead by the time flock() succeeds:
 * only a lock on the inode the path names now counts.
 */
int fw_lock_queue(struct fw_lock *lk, const char *dir, unsigned int queue_num,
		  pid_t *owner)
{
	char pidbuf[32];
	struct stat ns, held, named;
	ssize_t n;
	int fd, tries, saved;

	lk->fd = -1;
	*owner = 0;
	if (stat("/proc/self/ns/net", &ns) < 0)
		ns.st_ino = 0;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -1;
	if (snprintf(lk->path, sizeof(lk->path), "%s/queue-%u-net%lu.lock", dir,
		     queue_num, (unsigned long)ns.st_ino) >= (int)sizeof(lk->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (tries = 0; tries < FW_LOCK_TRIES; tries++) {
		fd = open(lk->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			saved = errno;
			n = pread(fd, pidbuf, sizeof(pidbuf) - 1, 0);
			if (n > 0) {
				pidbuf[n] = '\0';
				*owner = (pid_t)strtol(pidbuf, NULL, 10);
			}
			close(fd);
			errno = saved;
			return -1;
		}
		if (fstat(fd, &held) < 0)
			goto fail;
		if (stat(lk->path, &named) < 0) {
			if (errno != ENOENT)
				goto fail;
		} else if (same_file(&held, &named)) {
			break;
		}
		close(fd);	/* locked a file its owner had just unlinked */
		fd = -1;
	}
	if (fd < 0) {
		errno = EAGAIN;
		return -1;
	}
	n = snprintf(pidbuf, sizeof(pidbuf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pidbuf, n, 0) != n) {
		/* Only informative; the flock is what counts. */
	}
	lk->fd = fd;
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

void fw_unlock_queue(struct fw_lock *lk)
{
	struct stat held, named;

	if (lk->fd < 0)
		return;
	/*
	 * Unlink before unlocking: a waiter that locks the old inode after
	 * this sees the path name another one (or none) and retries.
	 */
	if (fstat(lk->fd, &held) < 0 || stat(lk->path, &named) < 0 ||
	    !same_file(&held, &named) || unlink(lk->path) < 0) {
		/* e.g. -Z user may not write FW_LOCK_DIR: stale pid text is harmless */
		if (ftruncate(lk->fd, 0) < 0) {
			/* nothing more to do */
		}
	}
	close(lk->fd);
	lk->fd = -1;
}

int fw_check_ifaces(const struct ptrap_config *cfg, const char **missing)
{
	unsigned int i;

	for (i = 0; i < cfg->n_out_ifaces; i++) {
		if (if_nametoindex(cfg->out_ifaces[i]) == 0) {
			*missing = cfg->out_ifaces[i];
			errno = ENODEV;
			return -1;
		}
	}
	return 0;
}

struct fw *fw_new(const struct ptrap_config *cfg)
{
	struct fw *fw = calloc(1, sizeof(*fw));

	if (!fw)
		return NULL;
	fw->text = malloc(FW_TEXT_MAX);
	if (!fw->text) {
		free(fw);
		return NULL;
	}
	fw->cfg = cfg;
	fw->kind = FW_AUTO;
	return fw;
}

void fw_free(struct fw *fw)
{
	if (!fw)
		return;
	if (fw->nft)
		nft_ctx_free(fw->nft);
	free(fw->text);
	free(fw);
}

const char *fw_backend(const struct fw *fw)
{
	static const char *const names[] = { "auto", "nft", "iptables", "none" };

	return names[fw->kind];
}

void fw_first_line(char *dst, size_t len, const char *prefix, const char *msg)
{
	size_t n = strcspn(msg, "\n");

	snprintf(dst, len, "%s%.*s", prefix, (int)n, msg);
}

int fw_run_quiet(char *const *argv, const char *input, char *out, size_t outlen)
{
	int status;

	if (child_run(argv, input, input ? strlen(input) : 0, out, outlen, &status) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct nft_ctx *fw_nft_ctx(void)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);

	if (nft) {
		nft_ctx_buffer_output(nft);
		nft_ctx_buffer_error(nft);
	}
	return nft;
}

/* --- nft --- */

#define FW_NO_NFT_QUEUE	"this kernel's nftables cannot queue packets " \
			"(no nft queue expression, CONFIG_NFT_QUEUE)"

/* A dry run of script in the kernel: 0, or -1. */
static int nft_dry_run(const char *script)
{
	struct nft_ctx *nft = fw_nft_ctx();
	int ret;

	if (!nft)
		return -1;
	nft_ctx_set_dry_run(nft, true);
	ret = nft_run_cmd_from_buffer(nft, script) == 0 ? 0 : -1;
	nft_ctx_free(nft);
	return ret;
}

/*
 * Whether nft failed for want of the queue expression: nft then says only
 * "Could not process rule: No such file or directory".  A chain that
 * accepts loads where one that queues does not.
 */
static bool nft_lacks_queue(unsigned int queue_num)
{
	static const char probe[] =
		"table inet ptrap_probe {\n"
		"\tchain output {\n"
		"\t\ttype filter hook output priority raw; policy accept;\n"
		"\t\tmeta l4proto udp %s\n"
		"\t}\n}\n";
	char script[sizeof(probe) + 64], verdict[48];

	snprintf(script, sizeof(script), probe, "accept");
	if (nft_dry_run(script) < 0)
		return false;
	snprintf(verdict, sizeof(verdict), "queue num %u bypass", queue_num);
	snprintf(script, sizeof(script), probe, verdict);
	return nft_dry_run(script) < 0;
}

static int nft_install(struct fw *fw, char *why, size_t whylen)
{
	const char *err;

	if (rules_nft_install(fw->cfg, fw->text, FW_TEXT_MAX) < 0) {
		snprintf(why, whylen, "nft rules too long");
		return -1;
	}
	fw->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!fw->nft) {
		snprintf(why, whylen, "cannot create an nftables context");
		errno = ENOMEM;
		return -1;
	}
	nft_ctx_buffer_output(fw->nft);
	nft_ctx_buffer_error(fw->nft);
	if (nft_run_cmd_from_buffer(fw->nft, fw->text) == 0)
		return 0;

	err = nft_ctx_get_error_buffer(fw->nft);
	if (nft_lacks_queue(fw->cfg->queue_num))
		snprintf(why, whylen, "%s", FW_NO_NFT_QUEUE);
	else
		fw_first_line(why, whylen, "", err && *err ? err : "nft failed");
	nft_ctx_free(fw->nft);	/* the transaction failed as a whole: nothing left */
	fw->nft = NULL;
	errno = EPROTONOSUPPORT;
	return -1;
}

static int nft_remove(struct fw *fw, char *why, size_t whylen)
{
	int ret = 0;

	if (!fw->nft)
		return 0;
	if (rules_nft_remove(fw->cfg, fw->text, FW_TEXT_MAX) < 0 ||
	    nft_run_cmd_from_buffer(fw->nft, fw->text) != 0) {
		const char *err = nft_ctx_get_error_buffer(fw->nft);

		fw_first_line(why, whylen, "nft: ", err && *err ? err : "delete failed");
		ret = -1;
	}
	/* Closing the owner socket removes the table in any case. */
	nft_ctx_free(fw->nft);
	fw->nft = NULL;
	return ret;
}

int fw_install(struct fw *fw, char *why, size_t whylen)
{
	char table[RULES_NAME_MAX], chain[RULES_NAME_MAX], nft_why[256];

	rules_nft_table_name(fw->cfg->queue_num, table, sizeof(table));
	rules_ipt_chain_name(fw->cfg->queue_num, chain, sizeof(chain));

	switch (fw->cfg->backend) {
	case CLI_BACKEND_NONE:
		fw->kind = FW_NONE;
		snprintf(why, whylen, "backend none: no rules installed, listening on queue %u",
			 fw->cfg->queue_num);
		return 0;
	case CLI_BACKEND_NFT:
		if (nft_install(fw, nft_why, sizeof(nft_why)) < 0) {
			snprintf(why, whylen, "nft backend failed: %s%s", nft_why,
				 strcmp(nft_why, FW_NO_NFT_QUEUE) == 0 ?
				 "; --backend iptables (or auto, the default) "
				 "installs iptables rules instead" : "");
			return -1;
		}
		fw->kind = FW_NFT;
		snprintf(why, whylen, "backend nft (requested): table inet %s, owner flag", table);
		return 0;
	case CLI_BACKEND_IPTABLES:
		if (fw_ipt_install(fw, why, whylen) < 0)
			return -1;
		fw->kind = FW_IPT;
		snprintf(why, whylen, "backend iptables (requested): chain %s in the raw table", chain);
		return 0;
	case CLI_BACKEND_AUTO:
		break;
	}

	if (nft_install(fw, nft_why, sizeof(nft_why)) == 0) {
		fw->kind = FW_NFT;
		snprintf(why, whylen, "backend nft (auto: the kernel queues from nftables): table inet %s, owner flag",
			 table);
		return 0;
	}
	if (fw_ipt_install(fw, why, whylen) < 0)
		return -1;
	fw->kind = FW_IPT;
	snprintf(why, whylen, "backend iptables (auto: %s%s): chain %s in the raw table",
		 strcmp(nft_why, FW_NO_NFT_QUEUE) == 0 ? "" : "nft failed: ",
		 nft_why, chain);
	return 0;
}

int fw_remove(struct fw *fw, char *why, size_t whylen)
{
	switch (fw->kind) {
	case FW_NFT:
		return nft_remove(fw, why, whylen);
	case FW_IPT:
		return fw_ipt_remove(fw, why, whylen);
	default:
		return 0;
	}
}
