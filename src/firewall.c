/*
 * firewall: install and remove ptrap's rules (nft or iptables), pick a
 * backend, clean up after a dead instance, and own the per-queue lock.
 *
 * nft is preferred: its table has "flags owner", so the kernel deletes it
 * when our netlink socket closes, even after kill -9.  The iptables chain
 * has no owner; a dead instance's chain is removed by the next start, and
 * until then --queue-bypass keeps traffic flowing.
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

#include "rules.h"
#include "child.h"

#define FW_TEXT_MAX	(256 * 1024)
#define FW_OUT_MAX	4096
#define FW_LIST_MAX	(256 * 1024)	/* a raw OUTPUT listing */

enum fw_kind { FW_AUTO, FW_NFT, FW_IPT, FW_NONE };

struct fw {
	const struct ptrap_config *cfg;
	enum fw_kind kind;
	struct nft_ctx *nft;	/* kept open: its socket owns our table */
	bool ipt_installed[2];	/* [0] IPv4, [1] IPv6 */
	char *text;
};

static const char *const fw_ipt_restore[2] = { IPTABLES_RESTORE, IP6TABLES_RESTORE };
static const char *const fw_ipt[2] = { IPTABLES, IP6TABLES };
static const int fw_family[2] = { AF_INET, AF_INET6 };

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

/* First line of a tool's message, for one-line errors. */
static void first_line(char *dst, size_t len, const char *prefix, const char *msg)
{
	size_t n = strcspn(msg, "\n");

	snprintf(dst, len, "%s%.*s", prefix, (int)n, msg);
}

static int run_quiet(char *const *argv, const char *input, char *out, size_t outlen)
{
	int status;

	if (child_run(argv, input, input ? strlen(input) : 0, out, outlen, &status) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* --- nft --- */

#define FW_NO_NFT_QUEUE	"this kernel's nftables cannot queue packets " \
			"(no nft queue expression, CONFIG_NFT_QUEUE)"

/* A dry run of script in the kernel: 0, or -1. */
static int nft_dry_run(const char *script)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	int ret;

	if (!nft)
		return -1;
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
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
		first_line(why, whylen, "", err && *err ? err : "nft failed");
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

		first_line(why, whylen, "nft: ", err && *err ? err : "delete failed");
		ret = -1;
	}
	/* Closing the owner socket removes the table in any case. */
	nft_ctx_free(fw->nft);
	fw->nft = NULL;
	return ret;
}

/* --- iptables --- */

enum fw_chain_state fw_ipt_chain_state(int status, const char *listing, bool complete,
				       const char *chain)
{
	size_t n = strlen(chain);
	const char *p, *eol;

	if (status != 0 || !listing)
		return FW_CHAIN_UNKNOWN;
	/* "-N CHAIN", a line of its own; a cut-off last line proves nothing */
	for (p = listing; (eol = strchr(p, '\n')) != NULL; p = eol + 1) {
		if ((size_t)(eol - p) == n + 3 && strncmp(p, "-N ", 3) == 0 &&
		    strncmp(p + 3, chain, n) == 0)
			return FW_CHAIN_PRESENT;
	}
	if (complete && *p && strncmp(p, "-N ", 3) == 0 && strcmp(p + 3, chain) == 0)
		return FW_CHAIN_PRESENT;
	return complete ? FW_CHAIN_ABSENT : FW_CHAIN_UNKNOWN;
}

/*
 * List the whole raw table rather than the chain: asked about a missing
 * chain, iptables-nft answers as it does for one it cannot read.  why
 * gets iptables' own words when it cannot tell.
 */
static enum fw_chain_state ipt_chain_state(int f, const char *chain, char *why,
					   size_t whylen)
{
	char *argv[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-S", NULL };
	char *out = malloc(FW_LIST_MAX);
	enum fw_chain_state st;
	int rc;

	if (!out) {
		snprintf(why, whylen, "out of memory");
		return FW_CHAIN_UNKNOWN;
	}
	rc = run_quiet(argv, NULL, out, FW_LIST_MAX);
	st = fw_ipt_chain_state(rc, rc < 0 ? NULL : out,
				rc >= 0 && strlen(out) < FW_LIST_MAX - 1, chain);
	if (st == FW_CHAIN_UNKNOWN) {
		if (rc < 0)
			snprintf(why, whylen, "%s: %s", fw_ipt[f], strerror(errno));
		else if (rc == 0)
			snprintf(why, whylen, "%s -S: listing too long", fw_ipt[f]);
		else
			first_line(why, whylen, "", *out ? out : "iptables failed");
	}
	free(out);
	return st;
}

/*
 * Delete every raw OUTPUT rule whose target is chain, however it is
 * guarded (-o and --uid put matches on the jumps): each "-A OUTPUT ...
 * -j chain" line of the listing becomes a "-D" line for iptables-restore.
 * A line cut off by a full buffer has no newline and is left alone.
 */
static void ipt_delete_jumps(int f, const char *chain)
{
	char *list[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-S", "OUTPUT", NULL };
	char *restore[] = { (char *)fw_ipt_restore[f], "-w", "--noflush", NULL };
	char *out = malloc(FW_LIST_MAX), *text = malloc(FW_LIST_MAX + 32);
	char tail[RULES_NAME_MAX + 8], ignored[256];
	size_t tlen, pos = 0, n;
	char *line, *eol;

	if (!out || !text || run_quiet(list, NULL, out, FW_LIST_MAX) != 0)
		goto cleanup;
	tlen = (size_t)snprintf(tail, sizeof(tail), " -j %s", chain);
	pos = (size_t)snprintf(text, FW_LIST_MAX, "*raw\n");
	for (line = out; (eol = strchr(line, '\n')) != NULL; line = eol + 1) {
		n = (size_t)(eol - line);
		if (n < 10 + tlen || strncmp(line, "-A OUTPUT ", 10) != 0 ||
		    strncmp(eol - tlen, tail, tlen) != 0)
			continue;
		/* text is as large as out, plus room for the frame */
		memcpy(text + pos, line, n + 1);
		text[pos + 1] = 'D';
		pos += n + 1;
	}
	snprintf(text + pos, FW_LIST_MAX + 32 - pos, "COMMIT\n");
	run_quiet(restore, text, ignored, sizeof(ignored));
cleanup:
	free(out);
	free(text);
}

/*
 * The group chains CHAIN_<k> a filter expression adds (rules_ipt.c), once
 * CHAIN is flushed and no longer jumps to them: flushed and deleted.
 */
static void ipt_remove_group_chains(int f, const char *chain)
{
	char *list[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-S", NULL };
	char *out = malloc(FW_LIST_MAX), *line, *eol;
	char name[RULES_NAME_MAX + 8], ignored[256];
	size_t n = strlen(chain), len;

	if (!out || run_quiet(list, NULL, out, FW_LIST_MAX) != 0)
		goto cleanup;
	for (line = out; (eol = strchr(line, '\n')) != NULL; line = eol + 1) {
		len = (size_t)(eol - line);
		/* "-N CHAIN_<digits>" */
		if (len <= n + 4 || len - 3 >= sizeof(name) ||
		    strncmp(line, "-N ", 3) != 0 ||
		    strncmp(line + 3, chain, n) != 0 || line[3 + n] != '_' ||
		    strspn(line + 4 + n, "0123456789") != len - 4 - n)
			continue;
		memcpy(name, line + 3, len - 3);
		name[len - 3] = '\0';
		{
			char *flush[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-F", name, NULL };
			char *drop[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-X", name, NULL };

			run_quiet(flush, NULL, ignored, sizeof(ignored));
			run_quiet(drop, NULL, ignored, sizeof(ignored));
		}
	}
cleanup:
	free(out);
}

/*
 * Tolerant removal, one step at a time: used for leftovers and as a
 * fallback.  Succeeds only if the chain is known to be gone.
 */
static int ipt_remove_chain(int f, const char *chain, char *why, size_t whylen)
{
	char out[256];
	char *del[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-D", "OUTPUT", "-j", (char *)chain, NULL };
	char *flush[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-F", (char *)chain, NULL };
	char *drop[] = { (char *)fw_ipt[f], "-w", "-t", "raw", "-X", (char *)chain, NULL };
	int i;

	ipt_delete_jumps(f, chain);
	/* A jump added twice (by hand or a crash mid-way) must go too. */
	for (i = 0; i < 64 && run_quiet(del, NULL, out, sizeof(out)) == 0; i++)
		;
	run_quiet(flush, NULL, out, sizeof(out));
	ipt_remove_group_chains(f, chain);
	if (run_quiet(drop, NULL, out, sizeof(out)) == 0)
		return 0;
	switch (ipt_chain_state(f, chain, why, whylen)) {
	case FW_CHAIN_ABSENT:
		return 0;
	case FW_CHAIN_PRESENT:
		first_line(why, whylen, "", *out ? out : "chain still in use");
		errno = EBUSY;
		return -1;
	default:
		errno = EIO;
		return -1;
	}
}

static int ipt_restore(struct fw *fw, int f, char *why, size_t whylen)
{
	char out[FW_OUT_MAX];
	char *argv[] = { (char *)fw_ipt_restore[f], "-w", "--noflush", NULL };
	int rc = run_quiet(argv, fw->text, out, sizeof(out));

	if (rc == 0)
		return 0;
	if (rc < 0)
		snprintf(why, whylen, "%s: %s", fw_ipt_restore[f], strerror(errno));
	else
		first_line(why, whylen, "", *out ? out : "iptables-restore failed");
	errno = EIO;
	return -1;
}

static int ipt_remove(struct fw *fw, char *why, size_t whylen)
{
	char chain[RULES_NAME_MAX], reason[256];
	int f, ret = 0, saved = 0;

	rules_ipt_chain_name(fw->cfg->queue_num, chain, sizeof(chain));
	for (f = 1; f >= 0; f--) {
		if (!fw->ipt_installed[f])
			continue;
		if (rules_ipt_remove(fw->cfg, fw_family[f], fw->text, FW_TEXT_MAX) < 0 ||
		    ipt_restore(fw, f, reason, sizeof(reason)) < 0) {
			/* Someone edited our chain: remove it piece by piece. */
			if (ipt_remove_chain(f, chain, reason, sizeof(reason)) < 0) {
				saved = errno;
				snprintf(why, whylen, "%s chain %s in the raw table may remain (%s)",
					 f ? "ip6tables" : "iptables", chain, reason);
				ret = -1;
				continue;
			}
		}
		fw->ipt_installed[f] = false;
	}
	if (ret < 0)
		errno = saved;
	return ret;
}

static int ipt_install(struct fw *fw, char *why, size_t whylen)
{
	int f, len;

	for (f = 0; f < 2; f++) {
		len = rules_ipt_install(fw->cfg, fw_family[f], fw->text, FW_TEXT_MAX);
		if (len < 0) {
			snprintf(why, whylen, "iptables rules too long");
			goto undo;
		}
		if (len == 0)
			continue;
		if (ipt_restore(fw, f, why, whylen) < 0)
			goto undo;
		fw->ipt_installed[f] = true;
	}
	return 0;
undo:
	{
		char ignored[256];
		int saved = errno;

		ipt_remove(fw, ignored, sizeof(ignored));
		errno = saved;
	}
	return -1;
}

int fw_remove_stale(struct fw *fw, char *why, size_t whylen)
{
	char chain[RULES_NAME_MAX];
	int f, removed = 0;

	rules_ipt_chain_name(fw->cfg->queue_num, chain, sizeof(chain));
	for (f = 0; f < 2; f++) {
		switch (ipt_chain_state(f, chain, why, whylen)) {
		case FW_CHAIN_ABSENT:
			continue;
		case FW_CHAIN_PRESENT:
			break;
		default:
			errno = EIO;
			return -1;
		}
		if (ipt_remove_chain(f, chain, why, whylen) < 0)
			return -1;
		removed++;
	}
	return removed;
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
		if (ipt_install(fw, why, whylen) < 0)
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
	if (ipt_install(fw, why, whylen) < 0)
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
		return ipt_remove(fw, why, whylen);
	default:
		return 0;
	}
}

/*
 * Sum the counters of the queue rules in one family's chains: CHAIN and
 * the group chains CHAIN_<k> of a filter expression.  Read with
 * libnftables, in-process: after privs_drop() an iptables child would
 * have no CAP_NET_ADMIN.  This sees iptables-nft's rules (Debian's
 * default); iptables-legacy keeps its counters where nft cannot see them.
 */
static int ipt_count(struct nft_ctx *nft, int f, const char *chain,
		     unsigned long long *pkts)
{
	const char *p, *eol, *c, *qn, *name;
	size_t n = strlen(chain);
	unsigned long long v;
	bool ours = false;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "list table %s raw",
		 fw_family[f] == AF_INET ? "ip" : "ip6");
	if (nft_run_cmd_from_buffer(nft, cmd) != 0) {
		errno = ENOTSUP;
		return -1;
	}
	/*
	 * "\tchain NAME {" starts a chain; within ours each queue rule reads
	 * "... counter packets N bytes M queue num Q bypass", one a line.
	 */
	for (p = nft_ctx_get_output_buffer(nft); p && *p; p = *eol ? eol + 1 : eol) {
		eol = strchrnul(p, '\n');
		if (strncmp(p, "\tchain ", 7) == 0) {
			name = p + 7;
			ours = strncmp(name, chain, n) == 0 &&
			       (name[n] == ' ' || name[n] == '_');
			continue;
		}
		/* "counter" may open the line: a group chain's last rule */
		c = strstr(p, "counter packets ");
		qn = strstr(p, " queue ");
		if (ours && c && c < eol && qn && qn < eol &&
		    sscanf(c, "counter packets %llu", &v) == 1)
			*pkts += v;
	}
	return 0;
}

int fw_rule_matches(struct fw *fw, unsigned long long *pkts)
{
	char chain[RULES_NAME_MAX];
	struct nft_ctx *nft;
	int f, ret = 0;

	if (fw->kind != FW_IPT) {
		errno = ENOTSUP;
		return -1;
	}
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft) {
		errno = ENOMEM;
		return -1;
	}
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	rules_ipt_chain_name(fw->cfg->queue_num, chain, sizeof(chain));
	*pkts = 0;
	for (f = 0; f < 2 && ret == 0; f++) {
		if (fw->ipt_installed[f])
			ret = ipt_count(nft, f, chain, pkts);
	}
	nft_ctx_free(nft);
	return ret;
}
