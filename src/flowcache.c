/*
 * flowcache: a flow's 5-tuple -> its socket and the processes holding it,
 * so that consecutive packets of one flow cost a hash lookup instead of a
 * sock_diag round trip and a dozen /proc reads.
 *
 * Why a cached answer cannot name the wrong process:
 * - The queue hands us the uid of the sending socket with every packet; a
 *   flow whose uid differs from the stored one is a different socket and
 *   is looked up afresh.
 * - A new TCP connection always starts with a SYN, which is never answered
 *   from the cache, so a recycled TCP port is always looked up.
 * - Anything else (a UDP socket closed and a new one of the same uid bound
 *   to the same local and remote address and port, a pid recycled) needs a
 *   close, a new socket and a send within FLOWCACHE_TRUST_NS of the last
 *   verification; after that time, every holder's /proc/PID/fd/N must
 *   still be socket:[INODE] before the answer is used again.  A recycled
 *   pid fails that check (the new process cannot hold a socket whose
 *   holder died unless it inherited it, and then it does hold it).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flowcache.h"
#include "flowkey.h"

#define FC_WAYS		4

struct fc_slot {
	struct flow_key key;
	bool used_slot;
	long long queue_uid;
	uint64_t verified_ns;
	uint32_t used;			/* tick of last hit or store */
	struct flowcache_entry e;
};

struct flowcache {
	int rootfd;
	unsigned int nsets;
	uint32_t tick;
	struct flowcache_stats st;
	struct fc_slot *slots;		/* nsets * FC_WAYS */
};

struct flowcache *flowcache_new(const char *root, unsigned int size)
{
	struct flowcache *fc;
	int saved;

	fc = calloc(1, sizeof(*fc));
	if (!fc)
		return NULL;
	fc->nsets = size / FC_WAYS ? size / FC_WAYS : 1;
	fc->slots = calloc((size_t)fc->nsets * FC_WAYS, sizeof(*fc->slots));
	if (!fc->slots)
		goto err;
	fc->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fc->rootfd < 0)
		goto err;
	return fc;
err:
	saved = errno;
	free(fc->slots);
	free(fc);
	errno = saved;
	return NULL;
}

void flowcache_free(struct flowcache *fc)
{
	if (!fc)
		return;
	close(fc->rootfd);
	free(fc->slots);
	free(fc);
}

void flowcache_stats(const struct flowcache *fc, struct flowcache_stats *st)
{
	*st = fc->st;
}

static struct fc_slot *key_set(const struct flowcache *fc, const struct flow_key *k)
{
	return &fc->slots[flow_key_hash(k, 0) % fc->nsets * FC_WAYS];
}

static struct fc_slot *find(const struct flowcache *fc, const struct pkt_info *pkt)
{
	struct fc_slot *set;
	struct flow_key k;
	unsigned int i;

	flow_key_from_pkt(pkt, &k);
	set = key_set(fc, &k);
	for (i = 0; i < FC_WAYS; i++)
		if (set[i].used_slot && flow_key_equal(&set[i].key, &k))
			return &set[i];
	return NULL;
}

/* Does <root>/<pid>/fd/<fd> still point at socket:[inode]? */
static bool holds(const struct flowcache *fc, pid_t pid, int fd, uint64_t inode)
{
	char path[48], link[64], want[40];
	ssize_t n;

	if (fd < 0)
		return false;
	snprintf(path, sizeof(path), "%d/fd/%d", (int)pid, fd);
	n = readlinkat(fc->rootfd, path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)inode);
	return strcmp(link, want) == 0;
}

static bool verify(const struct flowcache *fc, const struct flowcache_entry *e)
{
	unsigned int i;

	for (i = 0; i < e->n; i++)
		if (!holds(fc, e->pid[i], e->fd[i], e->inode))
			return false;
	return e->n > 0;
}

const struct flowcache_entry *flowcache_lookup(struct flowcache *fc,
					       const struct pkt_info *pkt,
					       long long queue_uid, uint64_t now_ns,
					       bool *checked)
{
	struct fc_slot *s;

	*checked = false;
	if (!fc || !pkt || !pkt->has_ports)
		return NULL;
	s = find(fc, pkt);
	if (!s || s->queue_uid != queue_uid ||
	    (pkt->proto == IPPROTO_TCP && (pkt->tcp_flags & 0x12) == 0x02)) {
		fc->st.misses++;
		return NULL;
	}
	if (now_ns - s->verified_ns >= FLOWCACHE_TRUST_NS) {
		if (!verify(fc, &s->e)) {
			s->used_slot = false;
			fc->st.stale++;
			fc->st.misses++;
			return NULL;
		}
		s->verified_ns = now_ns;
		*checked = true;
		fc->st.checked++;
	} else {
		fc->st.hits++;
	}
	s->used = ++fc->tick;
	return &s->e;
}

bool flowcache_has(const struct flowcache *fc, const struct pkt_info *pkt,
		   long long queue_uid)
{
	const struct fc_slot *s;

	if (!fc || !pkt || !pkt->has_ports)
		return false;
	s = find(fc, pkt);
	return s && s->queue_uid == queue_uid &&
	       !(pkt->proto == IPPROTO_TCP && (pkt->tcp_flags & 0x12) == 0x02);
}

void flowcache_store(struct flowcache *fc, const struct pkt_info *pkt,
		     long long queue_uid, const struct flowcache_entry *e,
		     uint64_t now_ns)
{
	struct fc_slot *set, *victim = NULL;
	struct flow_key k;
	unsigned int i;

	if (!fc || !pkt || !pkt->has_ports || !e || e->n == 0)
		return;
	flow_key_from_pkt(pkt, &k);
	set = key_set(fc, &k);
	for (i = 0; i < FC_WAYS; i++) {
		struct fc_slot *s = &set[i];

		if (s->used_slot && flow_key_equal(&s->key, &k)) {
			victim = s;
			break;
		}
		if (!victim || (victim->used_slot && (!s->used_slot || s->used < victim->used)))
			victim = s;
	}
	victim->key = k;
	victim->used_slot = true;
	victim->queue_uid = queue_uid;
	victim->verified_ns = now_ns;
	victim->used = ++fc->tick;
	victim->e = *e;
	if (victim->e.n > RESOLVER_MAX_PIDS)
		victim->e.n = RESOLVER_MAX_PIDS;
}

void flowcache_forget(struct flowcache *fc, const struct pkt_info *pkt)
{
	struct fc_slot *s;

	if (!fc || !pkt || !pkt->has_ports)
		return;
	s = find(fc, pkt);
	if (s)
		s->used_slot = false;
}
