/* SPDX-License-Identifier: GPL-2.0-or-later */
/* output_proc: the sender's user, unit, container, parents and cgroup in a report. */
#include <string.h>

#include "output.h"
#include "output_proc.h"
#include "procinfo.h"

/* --- text --- */

static bool op_plain(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '=')
			return false;
	}
	return true;
}

/* " key=value": bare when unambiguous, else quoted with escapes. */
static void op_text_field(struct strbuf *b, const char *key, const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == 0)
		return;
	sb_char(b, ' ');
	sb_str(b, key);
	sb_char(b, '=');
	if (op_plain(s, n)) {
		sb_mem(b, s, n);
		return;
	}
	sb_char(b, '"');
	sb_escaped(b, s, n, "\\\"");
	sb_char(b, '"');
}

void out_proc_text(struct strbuf *b, const struct resolver_result *who)
{
	const struct procinfo *pi = who->info;

	if (pi) {
		op_text_field(b, "user", pi->user, sizeof(pi->user));
		op_text_field(b, "group", pi->group, sizeof(pi->group));
		op_text_field(b, "unit", pi->cg.unit, sizeof(pi->cg.unit));
		op_text_field(b, "user_unit", pi->cg.user_unit, sizeof(pi->cg.user_unit));
		if (pi->cg.runtime != CGROUPINFO_NONE) {
			sb_str(b, " container=");
			procinfo_container(pi, b);
		}
		if (pi->tree.n > 0) {
			/* already escaped: printable, no '"', '\\' unescaped */
			sb_str(b, " chain=\"");
			proctree_append(b, &pi->tree);
			sb_char(b, '"');
		}
		op_text_field(b, "cgroup", pi->cg.path, sizeof(pi->cg.path));
	}
	if (who->exited)
		sb_str(b, " exited=yes");
}

/* --- JSON --- */

static void op_json_str(struct strbuf *b, const char *s, size_t max)
{
	int k;

	if (b->full)
		return;
	k = out_json_string(b->buf + b->pos, b->len - b->pos, s, strnlen(s, max));
	if (k < 0) {
		b->full = true;
		return;
	}
	b->pos += (size_t)k;
}

/* ,"key":"value" or ,"key":null when s is empty (or pi is NULL) */
static void op_json_field(struct strbuf *b, const char *key, const char *s, size_t max)
{
	sb_str(b, ",\"");
	sb_str(b, key);
	sb_str(b, "\":");
	if (!s || s[0] == '\0')
		sb_str(b, "null");
	else
		op_json_str(b, s, max);
}

static void op_json_chain(struct strbuf *b, const struct proctree *t)
{
	unsigned int i;

	sb_str(b, ",\"chain\":[");
	for (i = 0; i < t->n; i++) {
		sb_str(b, i ? ",{\"pid\":" : "{\"pid\":");
		sb_long(b, t->node[i].pid);
		sb_str(b, ",\"comm\":");
		op_json_str(b, t->node[i].comm, sizeof(t->node[i].comm));
		sb_char(b, '}');
	}
	sb_str(b, "],\"chain_complete\":");
	sb_str(b, t->truncated || t->broken ? "false" : "true");
}

static void op_json_container(struct strbuf *b, const struct cgroupinfo *cg)
{
	sb_str(b, ",\"container\":");
	if (cg->runtime == CGROUPINFO_NONE) {
		sb_str(b, "null");
		return;
	}
	sb_str(b, "{\"runtime\":\"");
	sb_str(b, cgroupinfo_runtime_name(cg->runtime));
	sb_char(b, '"');
	op_json_field(b, "id", cg->id, sizeof(cg->id));
	op_json_field(b, "short_id", cg->short_id, sizeof(cg->short_id));
	if (cg->pod_uid[0])
		op_json_field(b, "pod", cg->pod_uid, sizeof(cg->pod_uid));
	sb_char(b, '}');
}

void out_proc_json(struct strbuf *b, const struct resolver_result *who)
{
	const struct procinfo *pi = who->info;

	op_json_field(b, "user", pi ? pi->user : NULL, USERNAMES_NAME_MAX);
	op_json_field(b, "group", pi ? pi->group : NULL, USERNAMES_NAME_MAX);
	if (pi && pi->tree.n > 0)
		op_json_chain(b, &pi->tree);
	else
		sb_str(b, ",\"chain\":null,\"chain_complete\":null");
	op_json_field(b, "cgroup", pi ? pi->cg.path : NULL, CGROUPINFO_PATH_MAX);
	op_json_field(b, "unit", pi ? pi->cg.unit : NULL, CGROUPINFO_UNIT_MAX);
	op_json_field(b, "user_unit", pi ? pi->cg.user_unit : NULL, CGROUPINFO_UNIT_MAX);
	if (pi)
		op_json_container(b, &pi->cg);
	else
		sb_str(b, ",\"container\":null");
	sb_str(b, who->exited ? ",\"exited\":true" : ",\"exited\":false");
	/* a sender gone has no cgroup path to read: the id it was recorded with */
	if (who->exited && who->n_procs > 0 && who->procs[0].cgroup_id) {
		sb_str(b, ",\"cgroup_id\":");
		sb_ulong(b, who->procs[0].cgroup_id);
	}
}
