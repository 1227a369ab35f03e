/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the control socket's framing (lib/ctl), through a real
 * UNIX socket. One server, on a socket in a temporary directory, lives for
 * the whole run; each input is one client connection.
 *
 * Input: a mode byte (bit 0: hang up without waiting for the replies;
 * bit 1: use the read-only socket), then pieces: a size byte (bit 7: the
 * size is (b & 0x7f) * 64, else b & 0x7f) and that many bytes, written to
 * the socket as one send(); the server is polled and the client reads
 * after each piece. At the end the client shuts down its sending side and
 * reads until the server closes the connection.
 *
 * The handler answers by the request's first letter: 'f' fails with the
 * line as the reason; 'm' streams a few rows over several calls
 * (DSR_CTL_MORE); 'b' streams rows past DSR_CTL_CHUNK (twice per input,
 * then it echoes); 't' writes a free text line; anything else echoes the
 * line as a row.
 *
 * Invariants:
 *   - the first line is the greeting; every byte is printable ASCII, tab
 *     or '\n', and the output ends with '\n';
 *   - every other line is a row of a text reply, a status line ("OK" or
 *     "ERR reason"), or a whole JSON document ({"rows":[...],"status":...},
 *     valid JSON) on one line;
 *   - there is one reply (status line or JSON document) per request and
 *     per bad line that the server counted, and as many ERR replies as
 *     bad lines and errors it counted;
 *   - once the client is gone the server has no client left and every
 *     handler state was freed (by the handler, or by cancel).
 */
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "dsr_cmd.h"
#include "dsr_ctl.h"
#include "fuzz_util.h"

#define SPIN_MAX 200000u /* polls before the server is declared stuck */

static struct dsr_ctl_server *srv;
static char dir[64], path_rw[128], path_ro[128];
static int live_states;
static unsigned int bigs; /* big replies in this input */

struct hstate {
	unsigned int left;
	unsigned int i;
};

static struct hstate *
hstate_get(void **state, unsigned int n)
{
	struct hstate *st = *state;

	if (st == NULL) {
		st = calloc(1, sizeof(*st));
		FUZZ_CHECK(st != NULL);
		st->left = n;
		*state = st;
		live_states++;
	}
	return st;
}

static void
hstate_free(void **state)
{
	free(*state);
	*state = NULL;
	live_states--;
}

static enum dsr_ctl_result
handler(void *arg, const struct dsr_ctl_req *req, struct dsr_ctl_out *out, void **state)
{
	const char *l = req->line;
	size_t n = strlen(l);
	struct hstate *st;
	char text[DSR_CMD_LINE_MAX + 8];

	(void)arg;
	FUZZ_CHECK(n > 0 && n <= DSR_CMD_LINE_MAX);
	FUZZ_CHECK(l[0] != ' ' && l[0] != '\t' && l[0] != '#');
	switch (l[0]) {
	case 'f':
		if (n % 3 != 0)
			dsr_ctl_error(out, "%s", l);
		return DSR_CTL_FAIL;
	case 'm':
		st = hstate_get(state, 1 + (unsigned int)(n % 4));
		dsr_ctl_row_begin(out, "more");
		dsr_ctl_kv_u64(out, "i", st->i++);
		dsr_ctl_kv_str(out, "line", l);
		/* the row is left open: the server closes it */
		if (--st->left > 0)
			return DSR_CTL_MORE;
		hstate_free(state);
		return DSR_CTL_DONE;
	case 'b':
		if (*state == NULL && ++bigs > 2)
			goto echo; /* two big replies per input: they are slow to produce */
		st = hstate_get(state, 3);
		do {
			dsr_ctl_row_begin(out, "big");
			dsr_ctl_kv_u64(out, "i", st->i++);
			dsr_ctl_kv_str(out, "pad", "0123456789abcdef0123456789abcdef");
			dsr_ctl_row_end(out);
		} while (dsr_ctl_queued(out) < DSR_CTL_CHUNK);
		if (--st->left > 0)
			return DSR_CTL_MORE;
		hstate_free(state);
		return DSR_CTL_DONE;
	case 't':
		snprintf(text, sizeof(text), "> %s", l);
		dsr_ctl_text(out, text);
		return DSR_CTL_DONE;
	default:
echo:
		dsr_ctl_row_begin(out, "echo");
		dsr_ctl_kv_str(out, "line", l);
		dsr_ctl_kv_u64(out, "n", n);
		dsr_ctl_kv_dbl(out, "half", (double)n / 2);
		dsr_ctl_kv_u64(out, "ro", req->read_only);
		dsr_ctl_row_end(out);
		return DSR_CTL_DONE;
	}
}

static void
cancel(void *arg, void *state)
{
	(void)arg;
	FUZZ_CHECK(state != NULL);
	free(state);
	live_states--;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void
teardown(void)
{
	dsr_ctl_close(srv);
	srv = NULL;
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void
setup(void)
{
	struct dsr_ctl_params p = {.path = path_rw, .ro_path = path_ro, .group = "root"};
	char err[256];

	snprintf(dir, sizeof(dir), "/tmp/dsr_fuzz_ctl_XXXXXX");
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	snprintf(path_rw, sizeof(path_rw), "%s/ctl.sock", dir);
	snprintf(path_ro, sizeof(path_ro), "%s/ctl-ro.sock", dir);
	srv = dsr_ctl_open(&p, handler, cancel, NULL, err, sizeof(err));
	if (srv == NULL)
		fprintf(stderr, "fuzz_ctl: %s\n", err);
	FUZZ_CHECK(srv != NULL);
	atexit(teardown);
}

/* What the client received. */
struct rx {
	char *buf;
	size_t len, cap;
	bool eof;
};

static void
client_read(int fd, struct rx *r)
{
	ssize_t n;

	while (!r->eof) {
		if (r->cap - r->len < 4096) {
			r->cap = r->cap * 2 + 65536;
			r->buf = realloc(r->buf, r->cap);
			FUZZ_CHECK(r->buf != NULL);
		}
		n = recv(fd, r->buf + r->len, r->cap - r->len - 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n <= 0) {
			r->eof = true;
			return;
		}
		r->len += (size_t)n;
	}
}

/* JSON syntax (RFC 8259), enough to tell a whole document from a broken one. */
static const char *js_value(const char *p, const char *end, int depth);

static const char *
js_string(const char *p, const char *end)
{
	int i;

	if (p >= end || *p++ != '"')
		return NULL;
	while (p < end && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p++ != '\\')
			continue;
		if (p >= end)
			return NULL;
		if (strchr("\"\\/bfnrt", *p) != NULL && *p != '\0') {
			p++;
			continue;
		}
		if (*p++ != 'u' || end - p < 4)
			return NULL;
		for (i = 0; i < 4; i++, p++)
			if (strchr("0123456789abcdefABCDEF", *p) == NULL || *p == '\0')
				return NULL;
	}
	return p < end ? p + 1 : NULL;
}

static const char *
js_number(const char *p, const char *end)
{
	const char *s;

	if (p < end && *p == '-')
		p++;
	s = p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p == s || (*s == '0' && p - s > 1))
		return NULL;
	if (p < end && *p == '.') {
		s = ++p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == s)
			return NULL;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		s = p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == s)
			return NULL;
	}
	return p;
}

static const char *
js_seq(const char *p, const char *end, int depth, char close, bool object)
{
	p++;
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (object) {
			p = js_string(p, end);
			if (p == NULL || p >= end || *p++ != ':')
				return NULL;
		}
		p = js_value(p, end, depth + 1);
		if (p == NULL || p >= end)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *
js_value(const char *p, const char *end, int depth)
{
	if (p >= end || depth > 32)
		return NULL;
	switch (*p) {
	case '{':
		return js_seq(p, end, depth, '}', true);
	case '[':
		return js_seq(p, end, depth, ']', false);
	case '"':
		return js_string(p, end);
	case 't':
		return end - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f':
		return end - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n':
		return end - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:
		return js_number(p, end);
	}
}

static bool
starts(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	return n >= k && memcmp(p, s, k) == 0;
}

static bool
ends(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	return n >= k && memcmp(p + n - k, s, k) == 0;
}

/* Check the whole conversation; count the replies and the ERR ones. */
static void
check_output(const struct rx *r, bool ro, uint64_t *replies, uint64_t *errs)
{
	const char *greet =
		ro ? "dsrlb protocol 1 (read-only)\n" : "dsrlb protocol 1 (read-write)\n";
	const char *p = r->buf, *end = r->buf + r->len, *nl;
	size_t i, n;

	*replies = *errs = 0;
	for (i = 0; i < r->len; i++) {
		unsigned char b = (unsigned char)r->buf[i];

		FUZZ_CHECK((b >= 0x20 && b < 0x7f) || b == '\t' || b == '\n');
	}
	FUZZ_CHECK(starts(p, r->len, greet));
	FUZZ_CHECK(r->buf[r->len - 1] == '\n');
	for (p += strlen(greet); p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		FUZZ_CHECK(nl != NULL);
		n = (size_t)(nl - p);
		if (n > 0 && p[0] == '{') {
			FUZZ_CHECK(js_value(p, nl, 0) == nl);
			FUZZ_CHECK(starts(p, n, "{\"rows\":["));
			if (ends(p, n, "],\"status\":\"OK\"}")) {
				(*replies)++;
			} else {
				static const char st_err[] = "],\"status\":\"ERR\",\"error\":\"";

				FUZZ_CHECK(memmem(p, n, st_err, sizeof(st_err) - 1) != NULL);
				FUZZ_CHECK(ends(p, n, "\"}"));
				(*replies)++;
				(*errs)++;
			}
		} else if (n == 2 && memcmp(p, "OK", 2) == 0) {
			(*replies)++;
		} else if (starts(p, n, "ERR ")) {
			FUZZ_CHECK(n > 4);
			(*replies)++;
			(*errs)++;
		} else {
			/* A row of a text reply. */
			FUZZ_CHECK(starts(p, n, "echo: line ") || starts(p, n, "more: i ") ||
				   starts(p, n, "big: i ") || starts(p, n, "> "));
		}
	}
}

static void
poll_read(int fd, struct rx *r, unsigned int times)
{
	while (times-- > 0) {
		dsr_ctl_poll(srv, 0);
		client_read(fd, r);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct rx r = {0};
	uint64_t req0, bad0, err0, replies, errs;
	unsigned int spin;
	uint8_t mode;
	bool ro;
	int fd;

	if (srv == NULL)
		setup();
	bigs = 0;
	mode = fuzz_u8(&in);
	ro = (mode & 2) != 0 || geteuid() != 0;
	req0 = dsr_ctl_counter(srv, DSR_CTL_REQUESTS);
	bad0 = dsr_ctl_counter(srv, DSR_CTL_BAD_LINE);
	err0 = dsr_ctl_counter(srv, DSR_CTL_ERRORS);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	FUZZ_CHECK(fd >= 0);
	memcpy(sa.sun_path, ro ? path_ro : path_rw, strlen(ro ? path_ro : path_rw) + 1);
	FUZZ_CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	poll_read(fd, &r, 1);
	FUZZ_CHECK(dsr_ctl_clients(srv) == 1);

	while (in.n > 0) {
		uint8_t k = fuzz_u8(&in);
		size_t len, off = 0;
		const uint8_t *p =
			fuzz_bytes(&in, k & 0x80 ? (size_t)(k & 0x7f) * 64 : k & 0x7fu, &len);

		for (spin = 0; off < len; spin++) {
			ssize_t w = send(fd, p + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);

			if (w > 0)
				off += (size_t)w;
			else
				FUZZ_CHECK(errno == EAGAIN || errno == EWOULDBLOCK ||
					   errno == EINTR);
			FUZZ_CHECK(spin < SPIN_MAX);
			if (off < len)
				poll_read(fd, &r, 1); /* the socket is full: let the server read */
		}
		poll_read(fd, &r, 1 + (k & 1));
	}

	if (mode & 1) {
		/* Hang up at once: the server must notice and cancel what is in progress. */
		close(fd);
		for (spin = 0; dsr_ctl_clients(srv) > 0; spin++) {
			FUZZ_CHECK(spin < SPIN_MAX);
			dsr_ctl_poll(srv, 0);
		}
	} else {
		FUZZ_CHECK(shutdown(fd, SHUT_WR) == 0);
		for (spin = 0; !r.eof; spin++) {
			if (spin >= SPIN_MAX)
				fprintf(stderr, "fuzz_ctl: the replies never ended\n");
			FUZZ_CHECK(spin < SPIN_MAX);
			poll_read(fd, &r, 1);
		}
		close(fd);
		FUZZ_CHECK(dsr_ctl_clients(srv) == 0);
		check_output(&r, ro, &replies, &errs);
		FUZZ_CHECK(replies == dsr_ctl_counter(srv, DSR_CTL_REQUESTS) - req0 +
					      dsr_ctl_counter(srv, DSR_CTL_BAD_LINE) - bad0);
		FUZZ_CHECK(errs == dsr_ctl_counter(srv, DSR_CTL_ERRORS) - err0 +
					   dsr_ctl_counter(srv, DSR_CTL_BAD_LINE) - bad0);
	}
	FUZZ_CHECK(live_states == 0);
	free(r.buf);
	return 0;
}
