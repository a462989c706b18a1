/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * output_payload: what a packet's payload says (DNS questions, TLS SNI,
 * HTTP Host) as the tail of a report line, text or JSON.  output.c calls
 * these; they are apart so that the report's process fields and its
 * payload fields can grow independently.
 */
#ifndef PTRAP_OUTPUT_PAYLOAD_H
#define PTRAP_OUTPUT_PAYLOAD_H

#include "output.h"
#include "payload.h"
#include "strbuf.h"

/*
 * Text: " dns A? www.example.test", " tls sni=api.example.test",
 * " http host=example.test", then " payload_problem=\"...\"" when the
 * payload was cut or malformed.  Names are escaped (payload_name_escape()):
 * printable ASCII, no spaces, so a forged name cannot end the line.
 * Appends nothing for PAYLOAD_NONE or NULL.
 */
void out_payload_text(struct strbuf *b, const struct payload *pl);

/*
 * JSON: ",\"dns\":{...}" / ",\"tls\":{...}" / ",\"http\":{...}" (the man
 * page's OUTPUT section lists the members); nothing for PAYLOAD_NONE.
 */
void out_payload_json(struct strbuf *b, const struct payload *pl);

/*
 * The forwarder link: text " forwarder asked_by=dig(1234)" (or " forwarder"),
 * JSON ",\"forwarder\":true,\"asked_by\":{\"pid\":1234,\"comm\":\"dig\"}";
 * nothing for NULL or a sender that is no forwarder.
 */
void out_link_text(struct strbuf *b, const struct out_link *link);
void out_link_json(struct strbuf *b, const struct out_link *link);

#endif
