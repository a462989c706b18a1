/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * payload_name: a decoded name to text and back, and the mnemonics of DNS
 * types, classes and opcodes.  The text is the master-file form (RFC 1035
 * 5.1) as dig prints it, so what ptrap shows can be pasted into dig or
 * into --name and means the same bytes.
 */
#include <errno.h>
#include <string.h>

#include "payload.h"

#define LABEL_MAX	63

/*
 * dig's choice (BIND's dns_name_totext()): these get a backslash, any
 * byte outside '!'..'~' becomes \DDD.  Space is outside, so a name is
 * always one token, and no byte can end a line or start an escape.
 */
static bool name_special(uint8_t c)
{
	switch (c) {
	case '"': case '(': case ')': case '.': case ';': case '\\':
	case '@': case '$':
		return true;
	}
	return false;
}

static bool name_plain(uint8_t c)
{
	return c > 0x20 && c < 0x7f && !name_special(c);
}

static void label_escape(struct strbuf *b, const uint8_t *s, size_t n)
{
	size_t i = 0, run;
	char esc[4];

	while (i < n) {
		for (run = i; run < n && name_plain(s[run]); run++)
			;
		sb_mem(b, s + i, run - i);
		if (run == n)
			break;
		esc[0] = '\\';
		if (name_special(s[run])) {
			esc[1] = (char)s[run];
			sb_mem(b, esc, 2);
		} else {
			esc[1] = (char)('0' + s[run] / 100);
			esc[2] = (char)('0' + s[run] / 10 % 10);
			esc[3] = (char)('0' + s[run] % 10);
			sb_mem(b, esc, 4);
		}
		i = run + 1;
	}
}

void payload_name_escape(struct strbuf *b, const struct payload_name *name)
{
	size_t pos = 0, l;

	if (name->len == 0)
		return;
	if (name->wire[0] == 0) {
		sb_char(b, '.');
		return;
	}
	/* a well-formed wire name by construction; the bounds are kept anyway */
	while (pos < name->len && (l = name->wire[pos]) != 0 &&
	       pos + 1 + l <= name->len) {
		if (pos > 0)
			sb_char(b, '.');
		label_escape(b, name->wire + pos + 1, l);
		pos += 1 + l;
	}
}

/* Appends one label to the wire form being built in name. */
static int name_add_label(struct payload_name *name, size_t *wl,
			  const uint8_t *label, size_t n, const char **why)
{
	if (n == 0) {
		*why = "empty label";
		return -1;
	}
	if (n > LABEL_MAX) {
		*why = "label longer than 63 bytes";
		return -1;
	}
	if (*wl + 1 + n + 1 > PAYLOAD_NAME_MAX) {
		*why = "name longer than 255 bytes";
		return -1;
	}
	name->wire[(*wl)++] = (uint8_t)n;
	memcpy(name->wire + *wl, label, n);
	*wl += n;
	return 0;
}

static int name_finish(struct payload_name *name, size_t wl)
{
	name->wire[wl++] = 0;
	name->len = (uint8_t)wl;
	return 0;
}

static int name_fail(struct payload_name *name)
{
	name->len = 0;
	errno = EINVAL;
	return -1;
}

int payload_name_from_text(struct payload_name *name, const uint8_t *s,
			   size_t n, const char **why)
{
	const uint8_t *dot;
	size_t wl = 0, l;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0) {
		*why = "empty name";
		return name_fail(name);
	}
	/* 255 wire bytes hold at most 253 of text: longer needs no walk */
	if (n > PAYLOAD_NAME_MAX - 2) {
		*why = "name longer than 255 bytes";
		return name_fail(name);
	}
	while (n > 0) {
		dot = memchr(s, '.', n);
		l = dot ? (size_t)(dot - s) : n;
		if (name_add_label(name, &wl, s, l, why) < 0)
			return name_fail(name);
		if (dot == NULL)
			break;
		s += l + 1;
		n -= l + 1;
		if (n == 0) {	/* "a..": the final dot went already */
			*why = "empty label";
			return name_fail(name);
		}
	}
	return name_finish(name, wl);
}

/* One character of escaped text at *t into *c; *t moves past it. */
static int name_unescape(const char **t, uint8_t *c)
{
	const char *s = *t;
	unsigned int v;

	if (s[0] != '\\') {
		*c = (uint8_t)s[0];
		*t = s + 1;
		return 0;
	}
	if (s[1] >= '0' && s[1] <= '9') {
		if (s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9')
			return -1;
		v = (unsigned int)(s[1] - '0') * 100 + (unsigned int)(s[2] - '0') * 10 +
		    (unsigned int)(s[3] - '0');
		if (v > 255)
			return -1;
		*c = (uint8_t)v;
		*t = s + 4;
		return 0;
	}
	if (s[1] == '\0')
		return -1;
	*c = (uint8_t)s[1];
	*t = s + 2;
	return 0;
}

int payload_name_parse(struct payload_name *name, const char *text,
		       const char **why)
{
	uint8_t label[LABEL_MAX + 1];
	size_t wl = 0, l = 0;

	if (text[0] == '.' && text[1] == '\0')
		return name_finish(name, 0);
	if (text[0] == '\0') {
		*why = "empty name";
		return name_fail(name);
	}
	while (*text) {
		if (*text == '.') {
			if (name_add_label(name, &wl, label, l, why) < 0)
				return name_fail(name);
			l = 0;
			if (*++text == '\0')
				return name_finish(name, wl);
			continue;
		}
		if (l > LABEL_MAX) {
			*why = "label longer than 63 bytes";
			return name_fail(name);
		}
		if (name_unescape(&text, &label[l++]) < 0) {
			*why = "bad escape";
			return name_fail(name);
		}
	}
	if (name_add_label(name, &wl, label, l, why) < 0)
		return name_fail(name);
	return name_finish(name, wl);
}

static const char *num_name(const char *prefix, unsigned int v,
			    char buf[PAYLOAD_NUM_NAME_MAX])
{
	struct strbuf b;

	sb_init(&b, buf, PAYLOAD_NUM_NAME_MAX);
	sb_str(&b, prefix);
	sb_ulong(&b, v);
	sb_finish(&b);
	return buf;
}

/* IANA "Resource Record (RR) TYPEs", the ones a query is likely to ask. */
const char *payload_type_name(uint16_t type, char buf[PAYLOAD_NUM_NAME_MAX])
{
	switch (type) {
	case 1: return "A";
	case 2: return "NS";
	case 5: return "CNAME";
	case 6: return "SOA";
	case 12: return "PTR";
	case 13: return "HINFO";
	case 15: return "MX";
	case 16: return "TXT";
	case 17: return "RP";
	case 18: return "AFSDB";
	case 24: return "SIG";
	case 25: return "KEY";
	case 28: return "AAAA";
	case 29: return "LOC";
	case 33: return "SRV";
	case 35: return "NAPTR";
	case 36: return "KX";
	case 37: return "CERT";
	case 39: return "DNAME";
	case 41: return "OPT";
	case 42: return "APL";
	case 43: return "DS";
	case 44: return "SSHFP";
	case 45: return "IPSECKEY";
	case 46: return "RRSIG";
	case 47: return "NSEC";
	case 48: return "DNSKEY";
	case 49: return "DHCID";
	case 50: return "NSEC3";
	case 51: return "NSEC3PARAM";
	case 52: return "TLSA";
	case 53: return "SMIMEA";
	case 55: return "HIP";
	case 59: return "CDS";
	case 60: return "CDNSKEY";
	case 61: return "OPENPGPKEY";
	case 62: return "CSYNC";
	case 63: return "ZONEMD";
	case 64: return "SVCB";
	case 65: return "HTTPS";
	case 99: return "SPF";
	case 108: return "EUI48";
	case 109: return "EUI64";
	case 249: return "TKEY";
	case 250: return "TSIG";
	case 251: return "IXFR";
	case 252: return "AXFR";
	case 255: return "ANY";
	case 256: return "URI";
	case 257: return "CAA";
	}
	return num_name("TYPE", type, buf);
}

const char *payload_class_name(uint16_t cls, char buf[PAYLOAD_NUM_NAME_MAX])
{
	switch (cls) {
	case 1: return "IN";
	case 3: return "CH";
	case 4: return "HS";
	case 254: return "NONE";
	case 255: return "ANY";
	}
	return num_name("CLASS", cls, buf);
}

const char *payload_opcode_name(uint8_t opcode, char buf[PAYLOAD_NUM_NAME_MAX])
{
	switch (opcode) {
	case 0: return "QUERY";
	case 1: return "IQUERY";
	case 2: return "STATUS";
	case 4: return "NOTIFY";
	case 5: return "UPDATE";
	case 6: return "DSO";
	}
	return num_name("OPCODE", opcode, buf);
}
