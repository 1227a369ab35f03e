/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/ctl: the protocol on a real socket. Greeting, text
 * and JSON replies, errors, line framing (length, bad bytes, blank and
 * comment lines, "\r\n", pipelining, a peer that half-closes). The
 * limits, streaming, peers and socket files are in test_ctl_io.c.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "dsr_ctl.h"
#include "dsr_test.h"
#include "test_ctl_util.h"

static void
test_greeting(void)
{
	struct tsrv t = {0};
	struct tc a, b;

	if (tsrv_open(&t, NULL, 0, 0) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(tc_connect(t.s, t.path, &a));
	CHECK(tc_connect(t.s, t.ro_path, &b));
	CHECK(tc_wait_lines(t.s, &a, 1));
	CHECK(tc_wait_lines(t.s, &b, 1));
	CHECK_STR(tc_take(&a), "dsrlb protocol 1 (read-write)\n");
	CHECK_STR(tc_take(&b), "dsrlb protocol 1 (read-only)\n");
	CHECK_EQ(dsr_ctl_clients(t.s), 2);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_ACCEPTED), 2);
	CHECK_EQ(th.calls, 0);
	tc_close(&a);
	tc_close(&b);
	pump(t.s, NULL, 20);
	CHECK_EQ(dsr_ctl_clients(t.s), 0);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_GONE), 2);
	tsrv_close(&t);
}

static void
test_text_rows(void)
{
	struct tsrv t = {0};
	struct tc a;

	if (!tsrv_open_client(&t, &a)) {
		CHECK(0);
		return;
	}
	CHECK_STR(tc_ask(t.s, &a, "len abc\n", 2), "len: n 7\nOK\n");
	CHECK_STR(th.last.line, "len abc");
	CHECK(!th.last.json);
	CHECK(!th.last.read_only);
	CHECK_STR(tc_ask(t.s, &a, "echo a value  with spaces\n", 2),
		  "echo: text a value  with spaces\nOK\n");
	/* Control bytes in text output become '?': no value breaks the framing. */
	CHECK_STR(tc_ask(t.s, &a, "mixed\n", 4),
		  "item: name a\"b\\c??\xc3\xa9 n 18446744073709551615 ratio 0.50\n"
		  "hello world\n"
		  "empty\n"
		  "OK\n");
	CHECK_STR(tc_ask(t.s, &a, "nums\n", 2),
		  "nums: zero 0 neg -1.50 big 12345.68 nan nan\nOK\n");
	CHECK_STR(tc_ask(t.s, &a, "none\n", 1), "OK\n");
	CHECK_STR(tc_ask(t.s, &a, "who\n", 2), "who: ro 0 json 0\nOK\n");
	/* "\r\n" line ends and leading blanks. */
	CHECK_STR(tc_ask(t.s, &a, "  len ab\r\n", 2), "len: n 6\nOK\n");
	CHECK_STR(th.last.line, "len ab");
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_REQUESTS), 7);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_ERRORS), 0);
	tc_close(&a);
	tsrv_close(&t);
}

static void
test_json_rows(void)
{
	static const char mixed[] =
		"{\"rows\":[{\"kind\":\"item\",\"name\":\"a\\\"b\\\\c\\n\\u0001\\u00c3\\u00a9\","
		"\"n\":18446744073709551615,\"ratio\":0.50},"
		"{\"kind\":\"text\",\"text\":\"hello world\"},"
		"{\"kind\":\"empty\"}],\"status\":\"OK\"}\n";
	struct tsrv t = {0};
	const char *r;
	struct tc a;

	if (!tsrv_open_client(&t, &a)) {
		CHECK(0);
		return;
	}
	r = tc_ask(t.s, &a, "json mixed\n", 1);
	CHECK_STR(r, mixed);
	CHECK(js_valid(r));
	CHECK(th.last.json);
	CHECK_STR(th.last.line, "mixed");
	r = tc_ask(t.s, &a, "json nums\n", 1);
	CHECK_STR(r, "{\"rows\":[{\"kind\":\"nums\",\"zero\":0,\"neg\":-1.50,\"big\":12345.68,"
		     "\"nan\":null}],\"status\":\"OK\"}\n");
	CHECK(js_valid(r));
	r = tc_ask(t.s, &a, "json none\n", 1);
	CHECK_STR(r, "{\"rows\":[],\"status\":\"OK\"}\n");
	CHECK(js_valid(r));
	r = tc_ask(t.s, &a, "json\twho\n", 1);
	CHECK_STR(r, "{\"rows\":[{\"kind\":\"who\",\"ro\":0,\"json\":1}],\"status\":\"OK\"}\n");
	/* The checker itself tells broken documents. */
	CHECK(!js_valid("{\"rows\":[{\"kind\":\"x\",}],\"status\":\"OK\"}"));
	CHECK(!js_valid("{\"rows\":[\"a\nb\"]}"));
	CHECK(!js_valid("{\"rows\":[\"\\x01\"]}"));
	CHECK(!js_valid("{\"rows\":[]"));
	CHECK(!js_valid("{\"n\":01}"));
	CHECK(js_valid("{\"n\":-0.50e+3,\"a\":[true,false,null]}\n"));
	/* Text and JSON requests alternate freely on one connection. */
	CHECK_STR(tc_ask(t.s, &a, "len a\n", 2), "len: n 5\nOK\n");
	tc_close(&a);
	tsrv_close(&t);
}

/* JSON escaping of every byte value, built here byte by byte. */
static void
test_json_escape(void)
{
	char want[4096], *w = want;
	struct tsrv t = {0};
	const char *r;
	struct tc a;
	int b;

	if (!tsrv_open_client(&t, &a)) {
		CHECK(0);
		return;
	}
	w += sprintf(w, "{\"rows\":[{\"kind\":\"text\",\"text\":\"");
	for (b = 1; b < 256; b++) {
		if (b == '"' || b == '\\')
			w += sprintf(w, "\\%c", b);
		else if (b == '\n')
			w += sprintf(w, "\\n");
		else if (b == '\r')
			w += sprintf(w, "\\r");
		else if (b == '\t')
			w += sprintf(w, "\\t");
		else if (b == '\b')
			w += sprintf(w, "\\b");
		else if (b == '\f')
			w += sprintf(w, "\\f");
		else if (b < 0x20 || b >= 0x7f)
			w += sprintf(w, "\\u%04x", b);
		else
			*w++ = (char)b;
	}
	sprintf(w, "\"}],\"status\":\"OK\"}\n");
	r = tc_ask(t.s, &a, "json allbytes\n", 1);
	CHECK_STR(r, want);
	CHECK(js_valid(r));
	/* Text: every control byte but tab is '?', the rest as is. */
	w = want;
	for (b = 1; b < 256; b++)
		*w++ = (b < 0x20 && b != '\t') || b == 0x7f ? '?' : (char)b;
	sprintf(w, "\nOK\n");
	CHECK_STR(tc_ask(t.s, &a, "allbytes\n", 2), want);
	tc_close(&a);
	tsrv_close(&t);
}

static void
test_fail(void)
{
	struct tsrv t = {0};
	const char *r;
	struct tc a;

	if (!tsrv_open_client(&t, &a)) {
		CHECK(0);
		return;
	}
	CHECK_STR(tc_ask(t.s, &a, "fail no such backend\n", 1), "ERR no such backend\n");
	CHECK_STR(tc_ask(t.s, &a, "fail\n", 1), "ERR command failed\n");
	/* Rows already written stay before the ERR line; an open row is closed. */
	CHECK_STR(tc_ask(t.s, &a, "failrows\n", 3), "partial\nx: v 1\nERR after 2 rows\n");
	r = tc_ask(t.s, &a, "json failrows\n", 1);
	CHECK_STR(r,
		  "{\"rows\":[{\"kind\":\"text\",\"text\":\"partial\"},{\"kind\":\"x\",\"v\":1}],"
		  "\"status\":\"ERR\",\"error\":\"after 2 rows\"}\n");
	CHECK(js_valid(r));
	r = tc_ask(t.s, &a, "json fail a \"quoted\" reason\n", 1);
	CHECK_STR(r, "{\"rows\":[],\"status\":\"ERR\",\"error\":\"a \\\"quoted\\\" reason\"}\n");
	CHECK(js_valid(r));
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_REQUESTS), 5);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_ERRORS), 5);
	CHECK_STR(tc_ask(t.s, &a, "len a\n", 2), "len: n 5\nOK\n");
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_ERRORS), 5);
	tc_close(&a);
	tsrv_close(&t);
}

static void
test_json_prefix(void)
{
	struct tsrv t = {0};
	const char *r;
	struct tc a;

	if (!tsrv_open_client(&t, &a)) {
		CHECK(0);
		return;
	}
	r = "{\"rows\":[],\"status\":\"ERR\",\"error\":\"missing command after 'json'\"}\n";
	CHECK(js_valid(r));
	CHECK_STR(tc_ask(t.s, &a, "json\n", 1), r);
	CHECK_STR(tc_ask(t.s, &a, "  json   # just a comment\n", 1), r);
	CHECK_EQ(th.calls, 0);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_ERRORS), 2);
	/* "jsonx" is not the json word: the handler gets the line as is. */
	CHECK_STR(tc_ask(t.s, &a, "jsonx\n", 1), "ERR unknown test command 'jsonx'\n");
	CHECK_STR(th.line, "jsonx");
	CHECK_STR(tc_ask(t.s, &a, " json \t len a\n", 1),
		  "{\"rows\":[{\"kind\":\"len\",\"n\":5}],\"status\":\"OK\"}\n");
	CHECK_STR(th.line, "len a");
	tc_close(&a);
	tsrv_close(&t);
}

static void
test_bad_bytes(void)
{
	struct tsrv t = {0};
	struct tc a;

	if (!tsrv_open_client(&t, &a)) {
		CHECK(0);
		return;
	}
	CHECK(tc_send(t.s, &a, "len a\0b\n", 8));
	CHECK(tc_wait_lines(t.s, &a, 2));
	CHECK_STR(tc_take(&a), "ERR bad byte 0x00 at column 6\n");
	CHECK_STR(tc_ask(t.s, &a, "len \x01\n", 1), "ERR bad byte 0x01 at column 5\n");
	CHECK_STR(tc_ask(t.s, &a, "len ab\xff\n", 1), "ERR bad byte 0xff at column 7\n");
	CHECK_STR(tc_ask(t.s, &a, "\x7f\n", 1), "ERR bad byte 0x7f at column 1\n");
	CHECK_STR(tc_ask(t.s, &a, "len \xc3\xa9\n", 1), "ERR bad byte 0xc3 at column 5\n");
	/* Only one trailing "\r" is a line end; another is a bad byte, as is one inside. */
	CHECK_STR(tc_ask(t.s, &a, "len a\r\r\n", 1), "ERR bad byte 0x0d at column 6\n");
	CHECK_STR(tc_ask(t.s, &a, "len\ra\n", 1), "ERR bad byte 0x0d at column 4\n");
	/* Also in a comment. */
	CHECK_STR(tc_ask(t.s, &a, "# \x02\n", 1), "ERR bad byte 0x02 at column 3\n");
	/* A JSON request gets a JSON error. */
	CHECK_STR(tc_ask(t.s, &a, "json len \x1b\n", 1),
		  "{\"rows\":[],\"status\":\"ERR\",\"error\":\"bad byte 0x1b at column 10\"}\n");
	CHECK_EQ(th.calls, 0);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_BAD_LINE), 9);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_REQUESTS), 0);
	/* Tabs are fine, and the connection is still usable. */
	CHECK_STR(tc_ask(t.s, &a, "len\ta\n", 2), "len: n 5\nOK\n");
	CHECK_EQ(dsr_ctl_clients(t.s), 1);
	tc_close(&a);
	tsrv_close(&t);
}

static void
test_blank_comment(void)
{
	struct tsrv t = {0};
	struct tc a;

	if (!tsrv_open_client(&t, &a)) {
		CHECK(0);
		return;
	}
	CHECK(tc_sends(t.s, &a, "\n   \n\t\r\n# a comment\n  \t# another\n#\n"));
	pump(t.s, &a, 100);
	CHECK_EQ(a.len, a.pos); /* no reply at all */
	CHECK_EQ(th.calls, 0);
	CHECK_STR(tc_ask(t.s, &a, "\n# x\nlen a # trailing\n", 2), "len: n 16\nOK\n");
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_REQUESTS), 1);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_BAD_LINE), 0);
	tc_close(&a);
	tsrv_close(&t);
}

/* "len " and x up to n bytes, then end. */
static char *
long_line(size_t n, const char *end)
{
	char *s = malloc(n + strlen(end) + 1);

	if (s == NULL)
		abort();
	memset(s, 'x', n);
	memcpy(s, "len ", 4);
	strcpy(s + n, end);
	return s;
}

static void
test_line_length(void)
{
	char *l4096 = long_line(DSR_CMD_LINE_MAX, "\n");
	char *l4096crlf = long_line(DSR_CMD_LINE_MAX, "\r\n");
	char *l4097 = long_line(DSR_CMD_LINE_MAX + 1, "\n");
	char *l10000 = long_line(10000, "");
	char *j5000 = long_line(5000, "\n");
	struct tsrv t = {0};
	struct tc a;

	if (!tsrv_open_client(&t, &a)) {
		CHECK(0);
		return;
	}
	CHECK_STR(tc_ask(t.s, &a, l4096, 2), "len: n 4096\nOK\n");
	CHECK_STR(tc_ask(t.s, &a, l4096crlf, 2), "len: n 4096\nOK\n");
	CHECK_STR(tc_ask(t.s, &a, l4097, 1), "ERR line too long (max 4096 bytes)\n");
	CHECK_STR(tc_ask(t.s, &a, "len a\n", 2), "len: n 5\nOK\n");
	/* No "\n" yet: the error comes as soon as 4097 bytes are in, once. */
	CHECK_STR(tc_ask(t.s, &a, l10000, 1), "ERR line too long (max 4096 bytes)\n");
	CHECK(tc_sends(t.s, &a, "still the same long line"));
	pump(t.s, &a, 50);
	CHECK_EQ(a.len, a.pos);
	CHECK_STR(tc_ask(t.s, &a, " end of it\nlen ab\n", 2), "len: n 6\nOK\n");
	/* 4096 bytes then "\r" and no more yet: maybe a "\r\n" line, so no reply. */
	l4096crlf[DSR_CMD_LINE_MAX + 1] = '\0';
	CHECK(tc_sends(t.s, &a, l4096crlf));
	pump(t.s, &a, 50);
	CHECK_EQ(a.len, a.pos);
	CHECK_STR(tc_ask(t.s, &a, "\n", 2), "len: n 4096\nOK\n");
	/* A long JSON request gets a JSON error. */
	memcpy(j5000, "json len ", 9);
	CHECK_STR(
		tc_ask(t.s, &a, j5000, 1),
		"{\"rows\":[],\"status\":\"ERR\",\"error\":\"line too long (max 4096 bytes)\"}\n");
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_BAD_LINE), 3);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_REQUESTS), 5);
	CHECK_STR(tc_ask(t.s, &a, "len abc\n", 2), "len: n 7\nOK\n");
	tc_close(&a);
	tsrv_close(&t);
	free(l4096);
	free(l4096crlf);
	free(l4097);
	free(l10000);
	free(j5000);
}

static void
test_pipelined(void)
{
	struct tsrv t = {0};
	const char *r;
	struct tc a;
	char want[64];
	unsigned int i;

	if (!tsrv_open_client(&t, &a)) {
		CHECK(0);
		return;
	}
	CHECK_STR(tc_ask(t.s, &a, "len a\nlen bcd\n", 4), "len: n 5\nOK\nlen: n 7\nOK\n");
	CHECK_STR(
		tc_ask(t.s, &a, "json len a\nfail x\nlen ab\n", 4),
		"{\"rows\":[{\"kind\":\"len\",\"n\":5}],\"status\":\"OK\"}\nERR x\nlen: n 6\nOK\n");
	/* A streamed reply, then the next request waiting behind it. */
	r = tc_ask(t.s, &a, "rows 5000\nlen abc\n", 5000 + 3);
	for (i = 0; i < 5000 && r != NULL; i++) {
		snprintf(want, sizeof(want), "row: i %u pad abcdefghij\n", i);
		if (strncmp(r, want, strlen(want)) != 0)
			break;
		r += strlen(want);
	}
	CHECK_EQ(i, 5000);
	CHECK_STR(r, "OK\nlen: n 7\nOK\n");
	CHECK_EQ(th.live, 0);
	tc_close(&a);
	tsrv_close(&t);
}

/* echo cmd | socat - UNIX:...: the peer shuts down its side and still gets the replies. */
static void
test_half_close(void)
{
	struct tsrv t = {0};
	struct tc a;

	if (!tsrv_open_client(&t, &a)) {
		CHECK(0);
		return;
	}
	CHECK(tc_sends(t.s, &a, "len a\nrows 3\nlen bc"));
	CHECK_EQ(shutdown(a.fd, SHUT_WR), 0);
	CHECK(tc_wait_eof(t.s, &a));
	CHECK_STR(tc_take(&a), "len: n 5\nOK\nrow: i 0 pad abcdefghij\nrow: i 1 pad abcdefghij\n"
			       "row: i 2 pad abcdefghij\nOK\nlen: n 6\nOK\n");
	CHECK_EQ(dsr_ctl_clients(t.s), 0);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_GONE), 1);
	tc_close(&a);
	tsrv_close(&t);
}

/* The stdio writer: text rows straight to a stream, nothing queued. */
static void
test_out_file(void)
{
	static const char head[] =
		"item: name a\"b\\c??\xc3\xa9 n 18446744073709551615 ratio 0.50\n"
		"hello world\nempty\nrow: i 0 pad abcdefghij\nrow: i 1 pad abcdefghij\n";
	static const char tail[] = "row: i 2999 pad abcdefghij\nopen: n 1\n";
	struct dsr_ctl_out *out;
	size_t size = 0;
	char *text = NULL;
	FILE *f = open_memstream(&text, &size);
	void *state = NULL;
	struct dsr_ctl_req req = {.line = "mixed"};
	unsigned int i;

	CHECK(dsr_ctl_out_file(NULL) == NULL);
	dsr_ctl_out_file_free(NULL);
	if (f == NULL) {
		CHECK(0);
		return;
	}
	out = dsr_ctl_out_file(f);
	CHECK(out != NULL);
	if (out == NULL)
		return;
	th_reset();
	CHECK(!dsr_ctl_is_json(out));
	CHECK_EQ(th_handler(NULL, &req, out, &state), DSR_CTL_DONE);
	req.line = "rows 3000";
	for (i = 0; i < 3000 && th_handler(NULL, &req, out, &state) == DSR_CTL_MORE; i++)
		;
	CHECK_EQ(i, 0); /* nothing is ever queued: one call does it all */
	CHECK_EQ(dsr_ctl_queued(out), 0);
	CHECK_EQ(th.max_queued, 0);
	CHECK(state == NULL);
	dsr_ctl_row_begin(out, "open");
	dsr_ctl_kv_u64(out, "n", 1);
	dsr_ctl_out_file_free(out); /* closes the row */
	fclose(f);
	CHECK(text != NULL && strncmp(text, head, strlen(head)) == 0);
	CHECK(text != NULL && size > 20 * 3000 && strcmp(text + size - strlen(tail), tail) == 0);
	free(text);
}

static void
test_counter_names(void)
{
	CHECK_STR(dsr_ctl_counter_name(DSR_CTL_ACCEPTED), "accepted");
	CHECK_STR(dsr_ctl_counter_name(DSR_CTL_BAD_LINE), "bad-lines");
	CHECK_STR(dsr_ctl_counter_name(DSR_CTL_OUT_FULL), "reply-overflow");
	CHECK_STR(dsr_ctl_counter_name(DSR_CTL_NCOUNTERS), "?");
	CHECK_EQ(dsr_ctl_counter(NULL, DSR_CTL_ACCEPTED), 0);
	CHECK_EQ(dsr_ctl_clients(NULL), 0);
	dsr_ctl_poll(NULL, 0);
	dsr_ctl_close(NULL);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_greeting),      DSR_TEST(test_text_rows),
		DSR_TEST(test_json_rows),     DSR_TEST(test_json_escape),
		DSR_TEST(test_fail),          DSR_TEST(test_json_prefix),
		DSR_TEST(test_bad_bytes),     DSR_TEST(test_blank_comment),
		DSR_TEST(test_line_length),   DSR_TEST(test_pipelined),
		DSR_TEST(test_half_close),    DSR_TEST(test_out_file),
		DSR_TEST(test_counter_names),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
