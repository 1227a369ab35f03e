/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The protocol of lib/ctl/dsr_ctl.h, client side: connect, check the
 * greeting, send a line, read its reply. Replies are read with a bounded
 * buffer and a timeout on every wait; JSON documents are streamed to
 * stdout and scanned on the way for their top-level "status" and "error".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "dsr_common.h"
#include "dsrlbctl.h"

#define CONN_BUF_MIN   (64u * 1024)
#define GREETING       "dsrlb protocol "
#define JSON_ERROR_MAX 400

static enum ctl_status __attribute__((format(printf, 3, 4)))
conn_msg(struct ctl_conn *c, enum ctl_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return st;
}

void
ctl_conn_init(struct ctl_conn *c, const char *path, int timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->fd = -1;
	c->timeout_ms = timeout_ms;
}

void
ctl_conn_close(struct ctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->head = c->tail = c->seen = 0;
}

void
ctl_conn_free(struct ctl_conn *c)
{
	ctl_conn_close(c);
	free(c->buf);
	c->buf = NULL;
	c->cap = 0;
}

/* Wait until fd is ready for events; CTL_FAIL on timeout. */
static enum ctl_status
conn_wait(struct ctl_conn *c, short events)
{
	struct pollfd pfd = {.fd = c->fd, .events = events};
	int n;

	do
		n = poll(&pfd, 1, c->timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return conn_msg(c, CTL_FAIL, "poll: %s", strerror(errno));
	if (n == 0)
		return conn_msg(c, CTL_FAIL,
				"dsrlb sent nothing for %d s (DSRLB_TIMEOUT sets the limit)",
				c->timeout_ms / 1000);
	return CTL_OK;
}

/* Read more bytes into buf[tail..], making room first. */
static enum ctl_status
conn_fill(struct ctl_conn *c)
{
	ssize_t r;

	if (c->head == c->tail) {
		c->head = c->tail = c->seen = 0;
	} else if (c->head > 0 && c->tail == c->cap) {
		memmove(c->buf, c->buf + c->head, c->tail - c->head);
		c->tail -= c->head;
		c->head = 0;
	}
	if (c->tail == c->cap) {
		size_t cap = c->cap == 0 ? CONN_BUF_MIN : c->cap * 2;
		char *b;

		if (c->cap >= CTL_REPLY_LINE_MAX)
			return conn_msg(c, CTL_FAIL, "reply line of %u MiB or more from dsrlb",
					CTL_REPLY_LINE_MAX >> 20);
		b = realloc(c->buf, cap);
		if (b == NULL)
			return conn_msg(c, CTL_FAIL, "out of memory");
		c->buf = b;
		c->cap = cap;
	}
	for (;;) {
		if (conn_wait(c, POLLIN) != CTL_OK)
			return CTL_FAIL;
		r = read(c->fd, c->buf + c->tail, c->cap - c->tail);
		if (r > 0)
			break;
		if (r == 0)
			return conn_msg(c, CTL_FAIL, "dsrlb closed the connection");
		if (errno != EINTR && errno != EAGAIN)
			return conn_msg(c, CTL_FAIL, "read from %s: %s", c->path, strerror(errno));
	}
	c->tail += (size_t)r;
	return CTL_OK;
}

/* The next line, NUL-terminated in place, newline and a trailing "\r" removed. */
static enum ctl_status
conn_read_line(struct ctl_conn *c, char **line, size_t *len)
{
	char *nl;

	for (;;) {
		nl = c->tail - c->head > c->seen
			     ? memchr(c->buf + c->head + c->seen, '\n', c->tail - c->head - c->seen)
			     : NULL;
		if (nl != NULL)
			break;
		c->seen = c->tail - c->head;
		if (conn_fill(c) != CTL_OK)
			return CTL_FAIL;
	}
	*line = c->buf + c->head;
	*len = (size_t)(nl - *line);
	*nl = '\0';
	c->head += *len + 1;
	c->seen = 0;
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*line)[--*len] = '\0';
	return CTL_OK;
}

/* A status line: "OK" -> CTL_OK, "ERR reason" -> CTL_ERR, else -1. */
static int
status_line(struct ctl_conn *c, const char *line, size_t len)
{
	if (len == 2 && memcmp(line, "OK", 2) == 0)
		return CTL_OK;
	if (len >= 3 && memcmp(line, "ERR", 3) == 0 && (len == 3 || line[3] == ' ')) {
		if (len <= 4)
			return conn_msg(c, CTL_ERR, "error (no reason given)");
		return conn_msg(c, CTL_ERR, "%s", line + 4);
	}
	return -1;
}

enum ctl_status
ctl_conn_open(struct ctl_conn *c)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *hint = "", *ver;
	size_t len, vlen;
	char *line;
	int st;

	ctl_conn_close(c);
	if (strlen(c->path) >= sizeof(sa.sun_path))
		return conn_msg(c, CTL_FAIL, "socket path too long: %s", c->path);
	memcpy(sa.sun_path, c->path, strlen(c->path));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return conn_msg(c, CTL_FAIL, "socket: %s", strerror(errno));
	/* A UNIX stream connect completes or fails at once (EAGAIN: backlog full). */
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		ctl_conn_close(c);
		if (e == ENOENT || e == ECONNREFUSED)
			hint = " (is dsrlb running? -s PATH)";
		else if (e == EACCES || e == EPERM)
			hint = " (run as root or as a member of the daemon's group)";
		else if (e == EAGAIN)
			hint = " (dsrlb is not accepting connections)";
		return conn_msg(c, CTL_FAIL, "cannot connect to %s: %s%s", c->path, strerror(e),
				hint);
	}
	if (conn_read_line(c, &line, &len) != CTL_OK) {
		ctl_conn_close(c);
		return CTL_FAIL;
	}
	st = status_line(c, line, len);
	if (st == CTL_ERR) {
		ctl_conn_close(c);
		return CTL_ERR;
	}
	if (len < strlen(GREETING) || memcmp(line, GREETING, strlen(GREETING)) != 0) {
		conn_msg(c, CTL_FAIL,
			 "unexpected greeting '%.80s' on %s (not a dsrlb control socket?)", line,
			 c->path);
		ctl_conn_close(c);
		return CTL_FAIL;
	}
	ver = line + strlen(GREETING);
	vlen = strspn(ver, "0123456789");
	if (vlen == 0) {
		conn_msg(c, CTL_FAIL, "unexpected greeting '%.80s' on %s", line, c->path);
		ctl_conn_close(c);
		return CTL_FAIL;
	}
	if (vlen > 9 || strtoul(ver, NULL, 10) != DSR_CTL_PROTOCOL) {
		conn_msg(c, CTL_FAIL, "daemon speaks protocol %.*s, this dsrlbctl speaks %d",
			 (int)(vlen > 20 ? 20 : vlen), ver, DSR_CTL_PROTOCOL);
		ctl_conn_close(c);
		return CTL_FAIL;
	}
	c->read_only = strstr(ver + vlen, "(read-only)") != NULL;
	return CTL_OK;
}

enum ctl_status
ctl_conn_ensure(struct ctl_conn *c)
{
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};

	if (c->fd < 0)
		return ctl_conn_open(c);
	/*
	 * Between replies the daemon sends nothing: anything readable (EOF
	 * after an idle timeout, a goodbye line) means the connection is over.
	 */
	if (c->head != c->tail || poll(&pfd, 1, 0) != 0)
		return ctl_conn_open(c);
	return CTL_OK;
}

bool
ctl_line_is_blank(const char *line, size_t n)
{
	size_t i = 0;

	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i == n || line[i] == '#';
}

bool
ctl_line_is_json(const char *line, size_t n)
{
	size_t i = 0;

	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return n - i >= 4 && memcmp(line + i, "json", 4) == 0 &&
	       (n - i == 4 || line[i + 4] == ' ' || line[i + 4] == '\t' || line[i + 4] == '#');
}

static enum ctl_status
conn_send(struct ctl_conn *c, const char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = send(c->fd, p, n, MSG_NOSIGNAL);
		if (r >= 0) {
			p += r;
			n -= (size_t)r;
		} else if (errno == EAGAIN) {
			if (conn_wait(c, POLLOUT) != CTL_OK)
				return CTL_FAIL;
		} else if (errno == EPIPE || errno == ECONNRESET) {
			return conn_msg(c, CTL_FAIL, "dsrlb closed the connection");
		} else if (errno != EINTR) {
			return conn_msg(c, CTL_FAIL, "send to %s: %s", c->path, strerror(errno));
		}
	}
	return CTL_OK;
}

/*
 * Scanner of one JSON document, fed in pieces: keeps the string values of
 * the top-level keys "status" and "error" (escapes of quote, backslash and
 * slash undone, \n \r \t made spaces, others kept as written).
 */
struct json_scan {
	int depth;
	bool in_str, esc, expect_key;
	char *cap; /* where the current string goes, or NULL */
	size_t caplen, capmax;
	char key[16]; /* the last top-level key */
	char status[8];
	char error[JSON_ERROR_MAX];
};

static void
json_put(struct json_scan *j, char ch)
{
	if (j->cap != NULL && j->caplen + 1 < j->capmax) {
		j->cap[j->caplen++] = ch;
		j->cap[j->caplen] = '\0';
	}
}

static void
json_string_begin(struct json_scan *j)
{
	j->cap = NULL;
	if (j->depth != 1)
		return;
	if (j->expect_key) {
		j->cap = j->key;
		j->capmax = sizeof(j->key);
	} else if (strcmp(j->key, "status") == 0) {
		j->cap = j->status;
		j->capmax = sizeof(j->status);
	} else if (strcmp(j->key, "error") == 0) {
		j->cap = j->error;
		j->capmax = sizeof(j->error);
	}
	j->caplen = 0;
	if (j->cap != NULL)
		j->cap[0] = '\0';
}

static void
json_feed(struct json_scan *j, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = p[i];

		if (j->in_str) {
			if (j->esc) {
				j->esc = false;
				if (ch == 'n' || ch == 'r' || ch == 't') {
					ch = ' ';
				} else if (ch != '"' && ch != '\\' && ch != '/') {
					json_put(j, '\\');
				}
				json_put(j, ch);
			} else if (ch == '\\') {
				j->esc = true;
			} else if (ch == '"') {
				j->in_str = false;
			} else {
				json_put(j, ch);
			}
			continue;
		}
		switch (ch) {
		case '"':
			j->in_str = true;
			json_string_begin(j);
			break;
		case '{':
		case '[':
			if (++j->depth == 1)
				j->expect_key = ch == '{';
			break;
		case '}':
		case ']':
			j->depth--;
			break;
		case ':':
			if (j->depth == 1)
				j->expect_key = false;
			break;
		case ',':
			if (j->depth == 1) {
				j->expect_key = true;
				j->key[0] = '\0';
			}
			break;
		default:
			break;
		}
	}
}

/* A JSON reply: one line, streamed to stdout. */
static enum ctl_status
reply_json(struct ctl_conn *c)
{
	struct json_scan j;
	char *line, *nl;
	size_t len, k;
	int st;

	if (c->head == c->tail && conn_fill(c) != CTL_OK)
		return CTL_FAIL;
	if (c->buf[c->head] != '{') {
		/* Not a document: the daemon answered in text (a line it could not read). */
		if (conn_read_line(c, &line, &len) != CTL_OK)
			return CTL_FAIL;
		st = status_line(c, line, len);
		if (st >= 0)
			return (enum ctl_status)st;
		return conn_msg(c, CTL_FAIL, "bad JSON reply from dsrlb: '%.80s'", line);
	}
	memset(&j, 0, sizeof(j));
	for (;;) {
		if (c->head == c->tail && conn_fill(c) != CTL_OK)
			return CTL_FAIL;
		nl = memchr(c->buf + c->head, '\n', c->tail - c->head);
		k = nl != NULL ? (size_t)(nl - (c->buf + c->head)) : c->tail - c->head;
		fwrite(c->buf + c->head, 1, k, stdout);
		json_feed(&j, c->buf + c->head, k);
		c->head += k;
		if (nl != NULL) {
			c->head++;
			break;
		}
	}
	putchar('\n');
	if (strcmp(j.status, "OK") == 0)
		return CTL_OK;
	if (strcmp(j.status, "ERR") == 0)
		return conn_msg(c, CTL_ERR, "%s",
				j.error[0] != '\0' ? j.error : "error (no reason given)");
	return conn_msg(c, CTL_FAIL, "bad JSON reply from dsrlb (no status)");
}

/* A text reply: rows, then the status line. */
static enum ctl_status
reply_text(struct ctl_conn *c)
{
	char *line;
	size_t len;
	int st;

	for (;;) {
		if (conn_read_line(c, &line, &len) != CTL_OK)
			return CTL_FAIL;
		st = status_line(c, line, len);
		if (st >= 0)
			return (enum ctl_status)st;
		fwrite(line, 1, len, stdout);
		putchar('\n');
	}
}

enum ctl_status
ctl_request(struct ctl_conn *c, const char *line, size_t n, bool json)
{
	const char *prefix = json && !ctl_line_is_json(line, n) ? "json " : "";
	size_t plen = strlen(prefix);
	enum ctl_status st;
	char *req;

	st = ctl_conn_ensure(c);
	if (st != CTL_OK)
		return st;
	req = malloc(plen + n + 1);
	if (req == NULL)
		return conn_msg(c, CTL_FAIL, "out of memory");
	memcpy(req, prefix, plen);
	memcpy(req + plen, line, n);
	req[plen + n] = '\n';
	st = conn_send(c, req, plen + n + 1);
	free(req);
	if (st == CTL_OK)
		st = ctl_line_is_json(line, n) || plen > 0 ? reply_json(c) : reply_text(c);
	if (st == CTL_FAIL)
		ctl_conn_close(c);
	fflush(stdout);
	return st;
}
