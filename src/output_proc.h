/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * output_proc: who the sender is in an admin's terms (user, group, unit,
 * container, parent chain, cgroup: struct procinfo) as part of a report
 * line, text or JSON.  output.c calls these; they are apart so that the
 * process fields and the payload fields of a report grow independently.
 */
#ifndef PTRAP_OUTPUT_PROC_H
#define PTRAP_OUTPUT_PROC_H

#include "resolver.h"
#include "strbuf.h"

/*
 * Text: " user=alice group=alice unit=ssh.service container=docker:0123456789ab
 * chain=\"dig(1234) < bash(1190) < sshd(880) < systemd(1)\" cgroup=/system.slice/ssh.service",
 * each only when known, then " exited=yes" for a sender that has exited.
 * Every value is printable ASCII without spaces or in double quotes with
 * escapes, so a process's own bytes cannot end the line or forge a field.
 */
void out_proc_text(struct strbuf *b, const struct resolver_result *who);

/*
 * JSON: ",\"user\":..,\"group\":..,\"chain\":[{\"pid\":1234,\"comm\":\"dig\"},..],
 * \"chain_complete\":..,\"cgroup\":..,\"unit\":..,\"user_unit\":..,\"container\":{..},
 * \"exited\":..", null where unknown: every report has every member.
 */
void out_proc_json(struct strbuf *b, const struct resolver_result *who);

#endif
