/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report_name: what a captured packet asks for, for -r --by name and
 * -r --name.  The names come from the packet's own bytes, so captures by
 * tcpdump, tshark or dumpcap give the same names as ptrap's; only where
 * the bytes stop before the name (-S) does ptrap's comment supply it.
 */
#include <string.h>

#include "comment.h"
#include "report_int.h"

static void names_add(struct rp_names *nm, const struct payload_name *n)
{
	if (nm->n < RP_NAMES_MAX && n->len > 0)
		nm->name[nm->n++] = *n;
}

static void names_from_payload(struct rp_names *nm, const struct payload *pl)
{
	unsigned int i;

	switch (pl->kind) {
	case PAYLOAD_DNS:
		for (i = 0; i < pl->dns.n_questions && i < PAYLOAD_DNS_QMAX; i++)
			names_add(nm, &pl->dns.q[i].qname);
		break;
	case PAYLOAD_TLS:
		if (pl->tls.has_sni)
			names_add(nm, &pl->tls.sni);
		break;
	case PAYLOAD_HTTP:
		if (pl->http.has_host)
			names_add(nm, &pl->http.host);
		break;
	case PAYLOAD_NONE:
		break;
	}
}

static void names_from_comment(struct rp_names *nm, const char *s, size_t len)
{
	const char *end = s + len, *v, *type;
	enum comment_payload_field f;
	struct payload_name n;
	size_t vl, tl;

	while (comment_next_payload(&s, end, &f, &v, &vl))
		if (comment_parse_name(f, v, vl, &type, &tl, &n) == 0)
			names_add(nm, &n);
}

void report_names_get(const struct pcapng_record *r, const struct pkt_info *pkt,
		      const uint8_t *ip, size_t len, struct rp_names *nm)
{
	struct payload pl;

	nm->n = 0;
	if (payload_decode(pkt, ip, len, &pl) == 0)
		names_from_payload(nm, &pl);
	if (nm->n == 0 && r->comment_len > 0)
		names_from_comment(nm, r->comment, r->comment_len);
}

bool report_names_match(const struct namematch_set *set,
			const struct rp_names *nm)
{
	unsigned int i;

	for (i = 0; i < nm->n; i++)
		if (namematch_name(set, &nm->name[i]))
			return true;
	return false;
}

void report_names_compile(struct namematch_set *set,
			  const struct report_filter *flt)
{
	const char *why;
	unsigned int i;

	namematch_init(set);
	/* cli_parse() checked every pattern */
	for (i = 0; flt && i < flt->n_names; i++)
		(void)namematch_add(set, flt->names[i], &why);
}
