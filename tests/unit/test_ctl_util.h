/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_TEST_CTL_UTIL_H
#define DSR_TEST_CTL_UTIL_H

/*
 * Helpers of test_ctl.c and test_ctl_io.c: a test handler, a server on a
 * socket under a mkdtemp() directory, client sockets in the same process
 * (non-blocking, so that the test never waits on the server it drives),
 * and a small JSON syntax checker. Every wait is bounded by WAIT_MS.
 */

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dsr_cmd.h"
#include "dsr_ctl.h"
#include "dsr_test.h"

#define WAIT_MS 10000u /* the longest any wait lasts */

/* What the test handler saw. */
struct th_log {
	unsigned int calls;
	unsigned int cancels;
	int live;                /* handler states allocated and not freed */
	size_t max_queued;       /* most bytes queued after a row of "rows"/"json rows" */
	size_t max_entry_queued; /* most bytes queued when the handler was called */
	size_t row_max;          /* longest row of "rows" */
	struct dsr_ctl_req last; /* the last request (line copied into line) */
	char line[DSR_CMD_LINE_MAX + 1];
};

static struct th_log th;

struct th_state {
	uint64_t next;
	uint64_t n;
};

static inline void
th_reset(void)
{
	memset(&th, 0, sizeof(th));
}

static inline struct th_state *
th_state_new(void **state, const char *arg)
{
	struct th_state *st = *state;

	if (st == NULL) {
		st = calloc(1, sizeof(*st));
		if (st == NULL)
			abort();
		st->n = strtoull(arg, NULL, 10);
		*state = st;
		th.live++;
	}
	return st;
}

static inline void
th_state_free(void **state)
{
	free(*state);
	*state = NULL;
	th.live--;
}

static inline void
th_row(struct dsr_ctl_out *out, uint64_t i)
{
	size_t before = dsr_ctl_queued(out), q;

	dsr_ctl_row_begin(out, "row");
	dsr_ctl_kv_u64(out, "i", i);
	dsr_ctl_kv_str(out, "pad", "abcdefghij");
	dsr_ctl_row_end(out);
	q = dsr_ctl_queued(out);
	if (q > before && q - before > th.row_max)
		th.row_max = q - before;
	if (q > th.max_queued)
		th.max_queued = q;
}

/*
 * Commands: len WORDS (the line's length), echo TEXT, fail [REASON],
 * failrows, mixed, nums, allbytes, who, none, rows N (streamed, stops at
 * DSR_CTL_CHUNK), flood N (N rows in one call, then MORE once), flooddone N
 * (N rows in one call, no state), wait N (N calls with no output).
 */
static inline enum dsr_ctl_result
th_handler(void *arg, const struct dsr_ctl_req *req, struct dsr_ctl_out *out, void **state)
{
	const char *l = req->line, *a;
	struct th_state *st;

	(void)arg;
	th.calls++;
	th.last = *req;
	snprintf(th.line, sizeof(th.line), "%s", req->line);
	th.last.line = th.line;
	if (dsr_ctl_queued(out) > th.max_entry_queued)
		th.max_entry_queued = dsr_ctl_queued(out);
	a = strchr(l, ' ');
	a = a == NULL ? "" : a + 1;
	if (strncmp(l, "len", 3) == 0) {
		dsr_ctl_row_begin(out, "len");
		dsr_ctl_kv_u64(out, "n", strlen(l));
		dsr_ctl_row_end(out);
	} else if (strncmp(l, "echo ", 5) == 0) {
		dsr_ctl_row_begin(out, "echo");
		dsr_ctl_kv_str(out, "text", a);
		dsr_ctl_row_end(out);
	} else if (strncmp(l, "failrows", 8) == 0) {
		dsr_ctl_text(out, "partial");
		dsr_ctl_row_begin(out, "x");
		dsr_ctl_kv_u64(out, "v", 1);
		/* left open: the server closes it */
		dsr_ctl_error(out, "after %d rows", 2);
		return DSR_CTL_FAIL;
	} else if (strncmp(l, "fail", 4) == 0) {
		if (*a != '\0')
			dsr_ctl_error(out, "%s", a);
		return DSR_CTL_FAIL;
	} else if (strcmp(l, "mixed") == 0) {
		dsr_ctl_row_begin(out, "item");
		dsr_ctl_kv_str(out, "name", "a\"b\\c\n\x01\xc3\xa9");
		dsr_ctl_kv_u64(out, "n", UINT64_MAX);
		dsr_ctl_kv_dbl(out, "ratio", 0.5);
		dsr_ctl_row_end(out);
		dsr_ctl_text(out, "hello world");
		dsr_ctl_row_begin(out, "empty");
		dsr_ctl_row_end(out);
	} else if (strcmp(l, "nums") == 0) {
		dsr_ctl_row_begin(out, "nums");
		dsr_ctl_kv_u64(out, "zero", 0);
		dsr_ctl_kv_dbl(out, "neg", -1.5);
		dsr_ctl_kv_dbl(out, "big", 12345.678);
		dsr_ctl_kv_dbl(out, "nan", NAN);
		dsr_ctl_row_end(out);
	} else if (strcmp(l, "allbytes") == 0) {
		char s[256];
		int i;

		for (i = 1; i < 256; i++)
			s[i - 1] = (char)i;
		s[255] = '\0';
		dsr_ctl_text(out, s);
	} else if (strcmp(l, "who") == 0) {
		dsr_ctl_row_begin(out, "who");
		dsr_ctl_kv_u64(out, "ro", req->read_only);
		dsr_ctl_kv_u64(out, "json", dsr_ctl_is_json(out));
		dsr_ctl_row_end(out);
	} else if (strcmp(l, "none") == 0) {
		/* no rows */
	} else if (strncmp(l, "rows ", 5) == 0) {
		st = th_state_new(state, a);
		do
			th_row(out, st->next++);
		while (st->next < st->n && dsr_ctl_queued(out) < DSR_CTL_CHUNK);
		if (st->next < st->n)
			return DSR_CTL_MORE;
		th_state_free(state);
	} else if (strncmp(l, "flood ", 6) == 0) {
		st = th_state_new(state, a);
		if (st->next == 0) {
			while (st->next < st->n)
				th_row(out, st->next++);
			return DSR_CTL_MORE;
		}
		th_state_free(state);
	} else if (strncmp(l, "flooddone ", 10) == 0) {
		uint64_t i, n = strtoull(a, NULL, 10);

		for (i = 0; i < n; i++)
			th_row(out, i);
	} else if (strncmp(l, "wait ", 5) == 0) {
		st = th_state_new(state, a);
		if (++st->next < st->n)
			return DSR_CTL_MORE;
		th_state_free(state);
		dsr_ctl_text(out, "waited");
	} else {
		dsr_ctl_error(out, "unknown test command '%s'", l);
		return DSR_CTL_FAIL;
	}
	return DSR_CTL_DONE;
}

static inline void
th_cancel(void *arg, void *state)
{
	(void)arg;
	th.cancels++;
	free(state);
	th.live--;
}

/* Clocks: real milliseconds, or a fake one the idle test moves by hand. */
static bool fake_clock;
static uint32_t fake_now;

static inline uint32_t
real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

static inline uint32_t
tnow(void)
{
	return fake_clock ? fake_now : real_ms();
}

/* A temporary directory and the server in it. */
struct tsrv {
	char dir[64];
	char path[128];
	char ro_path[128];
	struct dsr_ctl_server *s;
	char err[256];
};

static inline int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline void
tdir_remove(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline bool
tsrv_dir(struct tsrv *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/dsr_ctl_test_XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return false;
	snprintf(t->path, sizeof(t->path), "%s/ctl.sock", t->dir);
	snprintf(t->ro_path, sizeof(t->ro_path), "%s/ctl-ro.sock", t->dir);
	return true;
}

/* A server with a read-only socket too, group "root" unless group is given. */
static inline struct dsr_ctl_server *
tsrv_open(struct tsrv *t, const char *group, unsigned int max_clients, uint32_t idle_ms)
{
	struct dsr_ctl_params p = {
		.path = t->path,
		.ro_path = t->ro_path,
		.group = group != NULL ? group : "root",
		.max_clients = max_clients,
		.idle_ms = idle_ms,
	};

	th_reset();
	if (t->dir[0] == '\0' && !tsrv_dir(t))
		return NULL;
	t->s = dsr_ctl_open(&p, th_handler, th_cancel, NULL, t->err, sizeof(t->err));
	if (t->s == NULL)
		fprintf(stderr, "dsr_ctl_open: %s\n", t->err);
	return t->s;
}

static inline void
tsrv_close(struct tsrv *t)
{
	dsr_ctl_close(t->s);
	t->s = NULL;
	tdir_remove(t->dir);
	t->dir[0] = '\0';
}

/* A client: what it received, and a read cursor. */
struct tc {
	int fd;
	bool eof;
	char *buf; /* NUL-terminated */
	size_t len, cap, pos;
	unsigned long nlines;
};

static inline bool
tc_connect(struct dsr_ctl_server *s, const char *path, struct tc *c)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	unsigned int tries;

	memset(c, 0, sizeof(*c));
	c->cap = 4096;
	c->buf = calloc(1, c->cap);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || c->buf == NULL)
		return false;
	if (strlen(path) >= sizeof(sa.sun_path))
		return false;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	for (tries = 0; tries < 10000; tries++) {
		if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return true;
		if (errno != EAGAIN)
			break;
		dsr_ctl_poll(s, tnow()); /* the backlog is full: let the server accept */
	}
	fprintf(stderr, "connect %s: %s\n", path, strerror(errno));
	return false;
}

static inline void
tc_close(struct tc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

/* Read what is there, up to max bytes. */
static inline void
tc_recv(struct tc *c, size_t max)
{
	while (max > 0 && !c->eof) {
		size_t room, i;
		ssize_t r;

		if (c->cap - c->len < 65536) {
			c->cap *= 2;
			c->buf = realloc(c->buf, c->cap);
			if (c->buf == NULL)
				abort();
		}
		room = c->cap - c->len - 1;
		r = recv(c->fd, c->buf + c->len, room < max ? room : max, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0) {
			c->eof = true; /* 0, ECONNRESET, ... */
			return;
		}
		for (i = c->len; i < c->len + (size_t)r; i++)
			c->nlines += c->buf[i] == '\n';
		c->len += (size_t)r;
		c->buf[c->len] = '\0';
		max -= (size_t)r;
	}
}

/* Send it all (the server runs between tries). */
static inline bool
tc_send(struct dsr_ctl_server *s, struct tc *c, const void *p, size_t n)
{
	uint32_t t0 = real_ms();

	while (n > 0) {
		ssize_t r = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (r > 0) {
			p = (const char *)p + r;
			n -= (size_t)r;
		} else if (r < 0 && errno != EAGAIN && errno != EINTR) {
			return false;
		}
		if (n > 0) {
			if (real_ms() - t0 > WAIT_MS)
				return false;
			dsr_ctl_poll(s, tnow());
			tc_recv(c, SIZE_MAX);
		}
	}
	return true;
}

static inline bool
tc_sends(struct dsr_ctl_server *s, struct tc *c, const char *str)
{
	return tc_send(s, c, str, strlen(str));
}

/* Poll until the client has n lines in all (or EOF, or WAIT_MS). */
static inline bool
tc_wait_lines(struct dsr_ctl_server *s, struct tc *c, unsigned long n)
{
	uint32_t t0 = real_ms();

	for (;;) {
		dsr_ctl_poll(s, tnow());
		tc_recv(c, SIZE_MAX);
		if (c->nlines >= n)
			return true;
		if (c->eof || real_ms() - t0 > WAIT_MS)
			return false;
	}
}

/* Poll until the server closes the client (or WAIT_MS). */
static inline bool
tc_wait_eof(struct dsr_ctl_server *s, struct tc *c)
{
	uint32_t t0 = real_ms();

	while (!c->eof && real_ms() - t0 <= WAIT_MS) {
		dsr_ctl_poll(s, tnow());
		tc_recv(c, SIZE_MAX);
	}
	return c->eof;
}

/* Poll for ms milliseconds, the client reading. */
static inline void
pump(struct dsr_ctl_server *s, struct tc *c, uint32_t ms)
{
	uint32_t t0 = real_ms();

	while (real_ms() - t0 < ms) {
		dsr_ctl_poll(s, tnow());
		if (c != NULL)
			tc_recv(c, SIZE_MAX);
	}
}

/* What came since the last take, as a string; the cursor moves to the end. */
static inline const char *
tc_take(struct tc *c)
{
	const char *p = c->buf + c->pos;

	c->pos = c->len;
	return p;
}

/* Connect and read the greeting; false if anything went wrong. */
static inline bool
tc_open(struct dsr_ctl_server *s, const char *path, struct tc *c)
{
	if (!tc_connect(s, path, c) || !tc_wait_lines(s, c, 1))
		return false;
	tc_take(c);
	return true;
}

/* A server with the default settings and client a connected to it; false if either failed. */
static inline bool
tsrv_open_client(struct tsrv *t, struct tc *a)
{
	return tsrv_open(t, NULL, 0, 0) != NULL && tc_open(t->s, t->path, a);
}

/* Send a request and wait for nlines more lines; return them ("" on timeout). */
static inline const char *
tc_ask(struct dsr_ctl_server *s, struct tc *c, const char *req, unsigned long nlines)
{
	unsigned long want = c->nlines + nlines;

	if (!tc_sends(s, c, req) || !tc_wait_lines(s, c, want))
		return "(timeout)";
	return tc_take(c);
}

/* JSON syntax (RFC 8259), enough to tell a valid document from a broken one. */
static inline const char *js_value(const char *p, int depth);

static inline const char *
js_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static inline const char *
js_string(const char *p)
{
	int i;

	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL; /* NUL (the end) included */
		if (*p++ != '\\')
			continue;
		if (*p != '\0' && strchr("\"\\/bfnrt", *p) != NULL) {
			p++;
		} else if (*p++ == 'u') {
			for (i = 0; i < 4; i++, p++)
				if (*p == '\0' || strchr("0123456789abcdefABCDEF", *p) == NULL)
					return NULL;
		} else {
			return NULL;
		}
	}
	return p + 1;
}

static inline const char *
js_digits(const char *p)
{
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

static inline const char *
js_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if ((p = js_digits(p)) == NULL)
		return NULL;
	if (*p == '.' && (p = js_digits(p + 1)) == NULL)
		return NULL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		p = js_digits(p);
	}
	return p;
}

static inline const char *
js_value(const char *p, int depth)
{
	char close;

	p = js_ws(p);
	if (depth > 64)
		return NULL;
	if (*p == '"')
		return js_string(p);
	if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0)
		return p + 4;
	if (strncmp(p, "false", 5) == 0)
		return p + 5;
	if (*p != '{' && *p != '[')
		return js_number(p);
	close = *p == '{' ? '}' : ']';
	p = js_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			p = js_string(js_ws(p));
			if (p == NULL || *(p = js_ws(p)) != ':')
				return NULL;
			p++;
		}
		p = js_value(p, depth + 1);
		if (p == NULL)
			return NULL;
		p = js_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

/* Whether s (one document, a trailing newline allowed) is valid JSON. */
static inline bool
js_valid(const char *s)
{
	const char *p = js_value(s, 0);

	return p != NULL && *js_ws(p) == '\0';
}

#endif /* DSR_TEST_CTL_UTIL_H */
