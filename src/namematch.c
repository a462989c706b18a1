/* SPDX-License-Identifier: GPL-2.0-or-later */
/* namematch: --name patterns against decoded names (semantics: namematch.h). */
#include <errno.h>
#include <string.h>

#include "namematch.h"

static uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 'a' - 'A') : c;
}

/* Label lengths are below 64, so lowering them changes nothing. */
static bool wire_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

void namematch_init(struct namematch_set *set)
{
	set->n = 0;
}

int namematch_add(struct namematch_set *set, const char *pattern,
		  const char **why)
{
	struct namematch_pattern *p;
	const char *t = pattern, *s;
	size_t i;

	if (set->n >= NAMEMATCH_MAX) {
		*why = "more than 64 name patterns";
		errno = ENOSPC;
		return -1;
	}
	p = &set->p[set->n];
	p->subdomains = t[0] == '*' && (t[1] == '.' || t[1] == '\0');
	if (p->subdomains)
		t += t[1] ? 2 : 1;
	/* a glob elsewhere would silently match nothing: say so instead */
	for (s = t; *s; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
		} else if (*s == '*') {
			*why = "'*' only as the whole first label, as in *.example.test";
			errno = EINVAL;
			return -1;
		}
	}
	if (p->subdomains && (*t == '\0' || strcmp(t, ".") == 0)) {
		p->suffix.len = 1;
		p->suffix.wire[0] = 0;
	} else if (payload_name_parse(&p->suffix, t, why) < 0) {
		return -1;
	}
	for (i = 0; i < p->suffix.len; i++)
		p->suffix.wire[i] = ascii_lower(p->suffix.wire[i]);
	set->n++;
	return 0;
}

static bool pattern_match(const struct namematch_pattern *p,
			  const struct payload_name *name)
{
	size_t plen = p->suffix.len, off, pos;

	if (name->len == 0)
		return false;
	if (!p->subdomains)
		return name->len == plen && wire_equal(name->wire, p->suffix.wire, plen);
	if (name->len <= plen)
		return false;
	/* the suffix must start on a label boundary, after one label at least */
	off = name->len - plen;
	for (pos = 0; pos < off; pos += 1 + (size_t)name->wire[pos])
		if (name->wire[pos] == 0)
			return false;
	return pos == off && wire_equal(name->wire + off, p->suffix.wire, plen);
}

bool namematch_name(const struct namematch_set *set,
		    const struct payload_name *name)
{
	unsigned int i;

	for (i = 0; i < set->n; i++)
		if (pattern_match(&set->p[i], name))
			return true;
	return false;
}

bool namematch_payload(const struct namematch_set *set,
		       const struct payload *pl)
{
	unsigned int i;

	switch (pl->kind) {
	case PAYLOAD_DNS:
		for (i = 0; i < pl->dns.n_questions; i++)
			if (namematch_name(set, &pl->dns.q[i].qname))
				return true;
		return false;
	case PAYLOAD_TLS:
		return pl->tls.has_sni && namematch_name(set, &pl->tls.sni);
	case PAYLOAD_HTTP:
		return pl->http.has_host && namematch_name(set, &pl->http.host);
	case PAYLOAD_NONE:
		break;
	}
	return false;
}
