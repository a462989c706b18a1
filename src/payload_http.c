/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * payload_http: the method and the Host header of an HTTP/1.x request
 * (RFC 9112 3 and 5, RFC 9110 7.2) at the start of a TCP segment.  The
 * first line must be a whole request line; only a well-known method may
 * have it cut by the end of the segment.
 */
#include <string.h>

#include "payload_int.h"

/*
 * Registered methods are upper case letters, '-' and '_' (the IANA method
 * registry); digits too, for private ones.  Demanding that keeps random
 * bytes on other ports from looking like a request.
 */
static bool http_method_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

/* The methods whose request line may be cut by the end of the segment. */
static bool http_known_method(const uint8_t *m, size_t n)
{
	static const char *const known[] = {
		"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
		"TRACE", "PATCH",
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i]) == n && memcmp(known[i], m, n) == 0)
			return true;
	return false;
}

/* RFC 9110 5.6.2 token characters, for header field names. */
static bool http_tchar(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int http_incomplete(struct payload *out)
{
	out->truncated = true;
	out->problem = "incomplete http request";
	return 0;
}

static bool http_port(const uint8_t *s, size_t n, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > UINT16_MAX)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* Host = uri-host [ ":" port ]; an IPv6 literal keeps its brackets. */
static void http_host(struct payload *out, const uint8_t *v, size_t n)
{
	struct payload_http *http = &out->http;
	const uint8_t *colon = NULL, *close;
	size_t hlen = n;
	const char *why;

	if (http->has_host) {
		if (!out->problem)
			out->problem = "malformed http: two host headers";
		return;
	}
	if (n == 0) {
		out->problem = "malformed http: empty host";
		return;
	}
	if (v[0] == '[') {
		close = memchr(v, ']', n);
		if (close == NULL || (close + 1 < v + n && close[1] != ':')) {
			out->problem = "malformed http: bad ip literal in host";
			return;
		}
		if (close + 1 < v + n)
			colon = close + 1;
	} else {
		colon = memchr(v, ':', n);
	}
	if (colon) {
		hlen = (size_t)(colon - v);
		if (!http_port(colon + 1, n - hlen - 1, &http->port)) {
			out->problem = "malformed http: bad port in host";
			return;
		}
		http->has_port = true;
	}
	if (payload_name_from_text(&http->host, v, hlen, &why) < 0) {
		http->has_port = false;
		out->problem = "malformed http: host is not a host name";
		return;
	}
	http->has_host = true;
}

static bool http_is_host(const uint8_t *s, size_t n)
{
	return n == 4 && (s[0] | 0x20) == 'h' && (s[1] | 0x20) == 'o' &&
	       (s[2] | 0x20) == 's' && (s[3] | 0x20) == 't';
}

/* The header lines from pos: each "name: value" ends in LF or CR LF. */
static int http_headers(const uint8_t *p, size_t n, size_t pos,
			struct payload *out)
{
	const uint8_t *lf;
	size_t end, name, v;

	for (;;) {
		lf = pos < n ? memchr(p + pos, '\n', n - pos) : NULL;
		if (lf == NULL)
			return http_incomplete(out);
		end = (size_t)(lf - p);
		if (end > pos && p[end - 1] == '\r')
			end--;
		if (end == pos)
			break;		/* the empty line: headers complete */
		for (name = pos; name < end && http_tchar(p[name]); name++)
			;
		if (name < end && p[name] == ':' &&
		    http_is_host(p + pos, name - pos)) {
			for (v = name + 1; v < end && (p[v] == ' ' || p[v] == '\t'); v++)
				;
			while (end > v && (p[end - 1] == ' ' || p[end - 1] == '\t'))
				end--;
			http_host(out, p + v, end - v);
		}
		pos = (size_t)(lf - p) + 1;
	}
	if (!out->http.has_host && out->http.version_minor >= 1 && !out->problem)
		out->problem = "malformed http: no host header";
	return 0;
}

/*
 * "HTTP/1.<digit>" at pos, then CR LF or LF: 1 and *minor set; 0 when the
 * bytes end before it does (what is there matches); -1 when it is not.
 */
static int http_version(const uint8_t *p, size_t n, size_t *pos,
			uint8_t *minor)
{
	static const char prefix[] = "HTTP/1.";
	size_t i, at = *pos;

	for (i = 0; i < sizeof(prefix) - 1; i++, at++) {
		if (at == n)
			return 0;
		if (p[at] != (uint8_t)prefix[i])
			return -1;
	}
	if (at == n)
		return 0;
	if (p[at] < '0' || p[at] > '9')
		return -1;
	*minor = (uint8_t)(p[at++] - '0');
	if (at < n && p[at] == '\r')
		at++;
	if (at == n)
		return 0;
	if (p[at] != '\n')
		return -1;
	*pos = at + 1;
	return 1;
}

int payload_http_decode(const uint8_t *p, size_t n, bool cut,
			struct payload *out)
{
	struct payload_http *http = &out->http;
	size_t m, t, pos = 0;
	uint8_t minor = 0;
	int ret = 0;

	(void)cut;	/* the empty line tells whether the headers are whole */
	if (n == 0 || p[0] < 'A' || p[0] > 'Z')
		return -1;
	for (m = 1; m < n && m <= PAYLOAD_METHOD_MAX && http_method_char(p[m]); m++)
		;
	if (m >= n || m > PAYLOAD_METHOD_MAX || p[m] != ' ')
		return -1;
	/* request-target: visible ASCII; its form is not checked */
	for (t = m + 1; t < n && p[t] > 0x20 && p[t] < 0x7f; t++)
		;
	if (t < n) {
		if (t == m + 1 || p[t] != ' ')
			return -1;
		pos = t + 1;
		ret = http_version(p, n, &pos, &minor);
		if (ret < 0)
			return -1;
	}
	if (ret == 0 && !http_known_method(p, m))
		return -1;
	out->kind = PAYLOAD_HTTP;
	memcpy(http->method, p, m);
	http->method[m] = '\0';
	http->version_minor = minor;
	http->has_host = false;
	http->has_port = false;
	if (ret == 0)
		return http_incomplete(out);
	return http_headers(p, n, pos, out);
}
