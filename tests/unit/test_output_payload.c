/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for output_payload and the payload lines of comment: what a
 * decoded payload looks like in a text report, a JSON report and a packet
 * comment, and that hostile names stay one escaped token everywhere.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "comment.h"
#include "output_payload.h"

static void set_name(struct payload_name *n, const char *text)
{
	const char *why;

	assert_int_equal(payload_name_parse(n, text, &why), 0);
}

/* A query for name (type A) and, with name2, a second one (AAAA). */
static void set_dns(struct payload *pl, const char *name, const char *name2)
{
	memset(pl, 0, sizeof(*pl));
	pl->kind = PAYLOAD_DNS;
	pl->dns.id = 4660;
	pl->dns.flags = PAYLOAD_DNS_RD;
	pl->dns.qdcount = name2 ? 2 : 1;
	pl->dns.n_questions = pl->dns.qdcount;
	set_name(&pl->dns.q[0].qname, name);
	pl->dns.q[0].qtype = 1;
	pl->dns.q[0].qclass = 1;
	if (name2) {
		set_name(&pl->dns.q[1].qname, name2);
		pl->dns.q[1].qtype = 28;
		pl->dns.q[1].qclass = 1;
	}
}

static const char *text_of(const struct payload *pl, bool json, char *buf,
			   size_t len)
{
	struct strbuf b;

	sb_init(&b, buf, len);
	if (json)
		out_payload_json(&b, pl);
	else
		out_payload_text(&b, pl);
	assert_true(sb_finish(&b) >= 0);
	return buf;
}

static void test_text(void **state)
{
	struct payload pl;
	char buf[4096];

	(void)state;
	set_dns(&pl, "www.example.test", NULL);
	assert_string_equal(text_of(&pl, false, buf, sizeof(buf)),
			    " dns A? www.example.test");
	set_dns(&pl, "a.example.test", "b.example.test");
	assert_string_equal(text_of(&pl, false, buf, sizeof(buf)),
			    " dns A? a.example.test AAAA? b.example.test");
	/* a dot, a NUL and a newline inside a label: one token */
	set_dns(&pl, "odd\\.la\\000bel\\010.example.test", NULL);
	assert_string_equal(text_of(&pl, false, buf, sizeof(buf)),
			    " dns A? odd\\.la\\000bel\\010.example.test");
	pl.dns.q[0].qclass = 3;
	pl.dns.flags |= PAYLOAD_DNS_QR;
	pl.dns.qdcount = 3;
	pl.problem = "malformed dns: question past end";
	assert_string_equal(text_of(&pl, false, buf, sizeof(buf)),
			    " dns reply A? odd\\.la\\000bel\\010.example.test CH"
			    " (+2 more) payload_problem=\"malformed dns: question past end\"");
	memset(&pl, 0, sizeof(pl));
	pl.kind = PAYLOAD_TLS;
	pl.tls.has_sni = true;
	set_name(&pl.tls.sni, "api.example.test");
	assert_string_equal(text_of(&pl, false, buf, sizeof(buf)),
			    " tls sni=api.example.test");
	memset(&pl, 0, sizeof(pl));
	pl.kind = PAYLOAD_HTTP;
	pl.http.has_host = true;
	set_name(&pl.http.host, "example.test");
	assert_string_equal(text_of(&pl, false, buf, sizeof(buf)),
			    " http host=example.test");
	pl.kind = PAYLOAD_NONE;
	assert_string_equal(text_of(&pl, false, buf, sizeof(buf)), "");
	assert_string_equal(text_of(NULL, false, buf, sizeof(buf)), "");
}

static void test_json(void **state)
{
	struct payload pl;
	char buf[4096];

	(void)state;
	set_dns(&pl, "a\\\"b.example.test", "b.example.test");
	assert_string_equal(text_of(&pl, true, buf, sizeof(buf)),
		",\"dns\":{\"id\":4660,\"opcode\":\"QUERY\",\"response\":false,"
		"\"tcp\":false,\"qname\":\"a\\\\\\\"b.example.test\",\"qtype\":\"A\","
		"\"qclass\":\"IN\",\"qdcount\":2,\"questions\":["
		"{\"qname\":\"a\\\\\\\"b.example.test\",\"qtype\":\"A\",\"qclass\":\"IN\"},"
		"{\"qname\":\"b.example.test\",\"qtype\":\"AAAA\",\"qclass\":\"IN\"}],"
		"\"truncated\":false,\"problem\":null}");
	memset(&pl, 0, sizeof(pl));
	pl.kind = PAYLOAD_DNS;
	pl.truncated = true;
	pl.problem = "truncated dns message";
	assert_string_equal(text_of(&pl, true, buf, sizeof(buf)),
		",\"dns\":{\"id\":0,\"opcode\":\"QUERY\",\"response\":false,"
		"\"tcp\":false,\"qname\":null,\"qtype\":null,\"qclass\":null,"
		"\"qdcount\":0,\"questions\":[],\"truncated\":true,"
		"\"problem\":\"truncated dns message\"}");
	memset(&pl, 0, sizeof(pl));
	pl.kind = PAYLOAD_HTTP;
	strcpy(pl.http.method, "GET");
	pl.http.has_host = pl.http.has_port = true;
	pl.http.port = 8080;
	set_name(&pl.http.host, "example.test");
	assert_string_equal(text_of(&pl, true, buf, sizeof(buf)),
		",\"http\":{\"method\":\"GET\",\"host\":\"example.test\","
		"\"port\":8080,\"truncated\":false,\"problem\":null}");
	memset(&pl, 0, sizeof(pl));
	pl.kind = PAYLOAD_TLS;
	assert_string_equal(text_of(&pl, true, buf, sizeof(buf)),
		",\"tls\":{\"sni\":null,\"ech\":false,\"truncated\":false,"
		"\"problem\":null}");
	/* too small a buffer: nothing, never half an object */
	set_dns(&pl, "www.example.test", NULL);
	{
		struct strbuf b;

		sb_init(&b, buf, 40);
		out_payload_json(&b, &pl);
		assert_int_equal(sb_finish(&b), -1);
		assert_string_equal(buf, "");
	}
}

static void test_comment_lines(void **state)
{
	char buf[COMMENT_MAX] = "PID: 1\nComm: dig";
	struct payload_name name, want;
	enum comment_payload_field f;
	const char *s, *v, *type;
	size_t n, vl, tl;
	struct payload pl;

	(void)state;
	set_dns(&pl, "odd\\.la\\000bel.example.test", "b.example.test");
	pl.dns.q[1].qclass = 3;
	n = comment_append_payload(buf, sizeof(buf), strlen(buf), &pl);
	assert_string_equal(buf, "PID: 1\nComm: dig\n"
			    "Query: A odd\\.la\\000bel.example.test\n"
			    "Query: AAAA b.example.test CH");
	assert_int_equal(n, strlen(buf));
	/* read back: the process reader skips them, this one finds them */
	s = buf;
	assert_true(comment_next_payload(&s, buf + n, &f, &v, &vl));
	assert_int_equal(f, COMMENT_PL_QUERY);
	assert_int_equal(comment_parse_name(f, v, vl, &type, &tl, &name), 0);
	assert_int_equal(tl, 1);
	assert_memory_equal(type, "A", 1);
	set_name(&want, "odd\\.la\\000bel.example.test");
	assert_int_equal(name.len, want.len);
	assert_memory_equal(name.wire, want.wire, want.len);
	assert_true(comment_next_payload(&s, buf + n, &f, &v, &vl));
	assert_int_equal(comment_parse_name(f, v, vl, &type, &tl, &name), 0);
	assert_int_equal(tl, 4);
	set_name(&want, "b.example.test");
	assert_memory_equal(name.wire, want.wire, want.len);
	assert_false(comment_next_payload(&s, buf + n, &f, &v, &vl));

	/* a line that does not fit is left out whole */
	strcpy(buf, "PID: 1");
	set_dns(&pl, "www.example.test", NULL);
	n = comment_append_payload(buf, 20, strlen(buf), &pl);
	assert_string_equal(buf, "PID: 1");
	assert_int_equal(n, 6);

	memset(&pl, 0, sizeof(pl));
	pl.kind = PAYLOAD_TLS;
	pl.tls.has_sni = true;
	set_name(&pl.tls.sni, "api.example.test");
	pl.problem = "incomplete ClientHello";
	buf[0] = '\0';
	comment_append_payload(buf, sizeof(buf), 0, &pl);
	assert_string_equal(buf, "SNI: api.example.test\n"
			    "PayloadProblem: incomplete ClientHello");
	s = buf;
	assert_true(comment_next_payload(&s, buf + strlen(buf), &f, &v, &vl));
	assert_int_equal(f, COMMENT_PL_SNI);
	assert_int_equal(comment_parse_name(f, v, vl, &type, &tl, &name), 0);
	assert_int_equal(tl, 0);
	assert_true(comment_next_payload(&s, buf + strlen(buf), &f, &v, &vl));
	assert_int_equal(f, COMMENT_PL_PROBLEM);
	assert_int_equal(comment_parse_name(f, v, vl, &type, &tl, &name), -1);
	/* "Query:" without a name is no name */
	assert_int_equal(comment_parse_name(COMMENT_PL_QUERY, "A", 1, &type,
					    &tl, &name), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_comment_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
