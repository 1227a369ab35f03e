/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket server: accepting, clients, line framing and the
 * poll loop (socket files and peer credentials are in ctl_sock.c, the
 * reply writer in ctl_out.c). Everything is non-blocking and each
 * dsr_ctl_poll() does a bounded amount of work:
 *   - accept up to CTL_ACCEPT_MAX connections per listening socket;
 *   - per client: one recv(), then up to CTL_STEPS steps (a line handled
 *     or a handler call), a step running only while fewer than
 *     DSR_CTL_CHUNK bytes are queued (a send() is tried first if not),
 *     then one send().
 * So a client that does not read holds at most about DSR_CTL_CHUNK bytes
 * plus one handler call's output, and one that keeps sending fills its
 * input buffer and then the kernel's, and is not read further.
 *
 * A peer that shuts down its sending side (echo cmd | socat ...) still
 * gets the replies to the lines it sent (a last line without "\n"
 * included), then is closed.
 *
 * Test hook: if the environment variable DSR_CTL_TEST_UID is set (to a
 * number) when dsr_ctl_open() runs, the server takes it as the uid of
 * every peer that is root, so that unit tests running as root can
 * exercise the refusal of a peer on the read-write socket. Only tests set
 * it. Applied to root peers only, it can refuse a peer that would get in
 * but never let in one that would be refused; it is logged when set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dsr_cmd.h"
#include "dsr_ctl.h"
#include "dsr_log.h"
#include "ctl_pvt.h"

#define CTL_ACCEPT_MAX 16 /* connections accepted per listening socket per poll */
#define CTL_STEPS      4  /* lines or handler calls per client per poll */
#define CTL_IN_MAX     (DSR_CMD_LINE_MAX + 2) /* a longest line and "\r\n" */
#define CTL_KEEP       DSR_CTL_NCOUNTERS      /* ctl_client_poll(): keep the client */

struct ctl_client {
	int fd;
	bool ro;          /* came in on the read-only socket */
	bool extra;       /* holds one of the DSR_CTL_ROOT_SLOTS past the limits */
	bool eof;         /* the peer shut down its side: finish, then close */
	bool busy;        /* a request is in progress (its handler returned MORE) */
	bool discard;     /* dropping the rest of a too long line */
	uint32_t last_ms; /* last input, output progress or request end */
	uint32_t born_ms; /* when it was accepted (the read-only age limit) */
	void *state;      /* the handler's, while busy */
	struct dsr_ctl_req req;
	struct dsr_ctl_out out;
	size_t inlen;
	char in[CTL_IN_MAX];
	char line[DSR_CMD_LINE_MAX + 1]; /* the request being run */
};

struct dsr_ctl_server {
	int fd_rw;
	int fd_ro;
	char *path;
	char *ro_path;
	char *group;  /* NULL: only root on the read-write socket */
	bool has_gid; /* the group exists */
	gid_t gid;
	bool has_test_uid;
	uid_t test_uid;
	bool accept_warned;
	unsigned int max_clients;    /* read-write socket */
	unsigned int ro_max_clients; /* read-only socket */
	unsigned int ro_max_per_uid;
	uint32_t ro_max_age_ms;
	uint32_t idle_ms;
	uint32_t now;
	dsr_ctl_handler handler;
	dsr_ctl_cancel cancel;
	void *arg;
	struct ctl_client **cl; /* max_clients + ro_max_clients + DSR_CTL_ROOT_SLOTS */
	unsigned int n;
	unsigned int n_rw, n_ro, n_extra; /* clients in each socket's slots, in root's */
	uint64_t counters[DSR_CTL_NCOUNTERS];
};

/* Say why (best effort, never blocking) and close. */
static void
ctl_refuse(int fd, const char *msg)
{
	ssize_t r = send(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT);

	(void)r;
	close(fd);
}

/* Why a peer may not use the read-write socket. */
static void
ctl_denied(const struct dsr_ctl_server *s, uid_t uid, char *msg, size_t len)
{
	unsigned int u = (unsigned int)uid;

	if (s->has_gid)
		snprintf(msg, len,
			 "ERR permission denied: uid %u is neither root nor in group %s\n", u,
			 s->group);
	else if (s->group != NULL)
		snprintf(msg, len,
			 "ERR permission denied: uid %u is not root (group %s does not exist)\n", u,
			 s->group);
	else
		snprintf(msg, len, "ERR permission denied: uid %u is not root\n", u);
}

/* Read-only clients of uid. */
static unsigned int
ctl_uid_clients(const struct dsr_ctl_server *s, uid_t uid)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->n; i++)
		n += s->cl[i]->ro && s->cl[i]->req.uid == uid;
	return n;
}

/*
 * Whether a peer uid may have a slot on the socket (ro or not): CTL_KEEP,
 * with *extra set if it takes one of root's, or the refusal counter with
 * the message to send in msg.
 */
static unsigned int
ctl_slot(const struct dsr_ctl_server *s, bool ro, uid_t uid, bool *extra, char *msg, size_t len)
{
	unsigned int used = ro ? s->n_ro : s->n_rw;
	unsigned int max = ro ? s->ro_max_clients : s->max_clients;

	*extra = false;
	if (used >= max && uid == 0 && s->n_extra < DSR_CTL_ROOT_SLOTS) {
		*extra = true;
		return CTL_KEEP;
	}
	if (used >= max) {
		if (ro)
			snprintf(msg, len, "ERR too many clients on the read-only socket (%u)\n",
				 max);
		else
			snprintf(msg, len, "ERR too many clients (%u)\n", max);
		return ro ? DSR_CTL_RO_REFUSED_FULL : DSR_CTL_RW_REFUSED_FULL;
	}
	if (ro && uid != 0 && ctl_uid_clients(s, uid) >= s->ro_max_per_uid) {
		snprintf(msg, len, "ERR too many clients of uid %u on the read-only socket (%u)\n",
			 (unsigned int)uid, s->ro_max_per_uid);
		return DSR_CTL_RO_REFUSED_UID;
	}
	return CTL_KEEP;
}

static void
ctl_take(struct dsr_ctl_server *s, int fd, bool ro)
{
	struct ctl_client *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	unsigned int why;
	char msg[256];
	bool extra;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		dsr_log(DSR_LOG_WARNING, "control socket: SO_PEERCRED: %s", strerror(errno));
		ctl_refuse(fd, "ERR permission denied: unknown peer\n");
		s->counters[DSR_CTL_REFUSED_PEER]++;
		return;
	}
	if (s->has_test_uid && cred.uid == 0)
		cred.uid = s->test_uid;
	if (!ro && !ctl_sock_peer_ok(cred.uid, cred.gid, s->has_gid, s->gid)) {
		ctl_denied(s, cred.uid, msg, sizeof(msg));
		ctl_refuse(fd, msg);
		s->counters[DSR_CTL_REFUSED_PEER]++;
		return;
	}
	why = ctl_slot(s, ro, cred.uid, &extra, msg, sizeof(msg));
	if (why != CTL_KEEP) {
		ctl_refuse(fd, msg);
		s->counters[why]++;
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		dsr_log(DSR_LOG_WARNING, "control socket: out of memory for a new client");
		ctl_refuse(fd, "ERR out of memory\n");
		return;
	}
	c->fd = fd;
	c->ro = ro;
	c->extra = extra;
	c->last_ms = s->now;
	c->born_ms = s->now;
	c->req.uid = cred.uid;
	c->req.gid = cred.gid;
	c->req.pid = cred.pid;
	c->req.read_only = ro;
	snprintf(msg, sizeof(msg), "dsrlb protocol %d (%s)\n", DSR_CTL_PROTOCOL,
		 ro ? "read-only" : "read-write");
	if (ctl_out_put(&c->out, msg, strlen(msg)) != 0) {
		free(c);
		ctl_refuse(fd, "ERR out of memory\n");
		return;
	}
	s->cl[s->n++] = c;
	if (extra)
		s->n_extra++;
	else if (ro)
		s->n_ro++;
	else
		s->n_rw++;
	s->counters[DSR_CTL_ACCEPTED]++;
}

static void
ctl_accept(struct dsr_ctl_server *s, int lfd, bool ro)
{
	unsigned int i;
	int fd;

	for (i = 0; i < CTL_ACCEPT_MAX; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK && !s->accept_warned) {
				dsr_log(DSR_LOG_WARNING, "control socket: accept: %s",
					strerror(errno));
				s->accept_warned = true; /* until an accept works again */
			}
			return;
		}
		s->accept_warned = false;
		ctl_take(s, fd, ro);
	}
}

/* Clients. */

static size_t
ctl_queued(const struct ctl_client *c)
{
	return dsr_ctl_queued(&c->out);
}

/* One send() of what is queued: 0, or -1 if the client is gone. */
static int
ctl_write(struct dsr_ctl_server *s, struct ctl_client *c)
{
	ssize_t r;

	if (ctl_queued(c) == 0)
		return 0;
	r = send(c->fd, c->out.buf + c->out.off, ctl_queued(c), MSG_NOSIGNAL | MSG_DONTWAIT);
	if (r < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
	ctl_out_sent(&c->out, (size_t)r);
	c->last_ms = s->now;
	return 0;
}

/* Run the handler once for the client's request and end the reply if it is done. */
static void
ctl_call(struct dsr_ctl_server *s, struct ctl_client *c)
{
	enum dsr_ctl_result r;

	r = s->handler(s->arg, &c->req, &c->out, &c->state);
	ctl_out_close_row(&c->out);
	if (c->out.overflow) {
		if (r == DSR_CTL_MORE && c->state != NULL && s->cancel != NULL)
			s->cancel(s->arg, c->state);
		s->counters[DSR_CTL_OUT_FULL]++;
		ctl_out_set_err(&c->out, "reply too large: the client is not reading");
		r = DSR_CTL_FAIL;
	} else if (r != DSR_CTL_DONE && r != DSR_CTL_FAIL && r != DSR_CTL_MORE) {
		ctl_out_set_err(&c->out, "internal error: bad handler result %d", (int)r);
		r = DSR_CTL_FAIL;
	}
	if (r == DSR_CTL_MORE)
		return;
	c->busy = false;
	c->state = NULL;
	c->last_ms = s->now;
	if (r == DSR_CTL_FAIL)
		s->counters[DSR_CTL_ERRORS]++;
	ctl_out_finish(&c->out, r == DSR_CTL_DONE);
}

/* Whether the n bytes at p start with the word "json" (the reply format). */
static bool
ctl_is_json(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (n - i < 4 || memcmp(p + i, "json", 4) != 0)
		return false;
	i += 4;
	return i == n || p[i] == ' ' || p[i] == '\t' || p[i] == '#';
}

/* Handle the line at c->in[0..n): an error, nothing, or a request. */
static void
ctl_line(struct dsr_ctl_server *s, struct ctl_client *c, size_t n)
{
	bool json = ctl_is_json(c->in, n);
	const char *p;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char b = (unsigned char)c->in[i];

		if ((b < 0x20 && b != '\t') || b >= 0x7f) {
			s->counters[DSR_CTL_BAD_LINE]++;
			ctl_out_reply_err(&c->out, json, "bad byte 0x%02x at column %zu", b, i + 1);
			return;
		}
	}
	memcpy(c->line, c->in, n);
	c->line[n] = '\0';
	p = c->line + strspn(c->line, " \t");
	if (*p == '\0' || *p == '#')
		return; /* blank or comment: no reply */
	s->counters[DSR_CTL_REQUESTS]++;
	if (json) {
		p += 4;
		p += strspn(p, " \t");
		if (*p == '\0' || *p == '#') {
			s->counters[DSR_CTL_ERRORS]++;
			ctl_out_reply_err(&c->out, true, "missing command after 'json'");
			return;
		}
	}
	c->req.line = p;
	c->req.json = json;
	c->state = NULL;
	c->busy = true;
	ctl_out_begin(&c->out, json);
	ctl_call(s, c);
}

static void
ctl_too_long(struct dsr_ctl_server *s, struct ctl_client *c)
{
	s->counters[DSR_CTL_BAD_LINE]++;
	ctl_out_reply_err(&c->out, ctl_is_json(c->in, c->inlen), "line too long (max %d bytes)",
			  DSR_CMD_LINE_MAX);
}

static void
ctl_consume(struct ctl_client *c, size_t n)
{
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
}

/* Handle the next input line if there is one: 1 if something was consumed. */
static int
ctl_next_line(struct dsr_ctl_server *s, struct ctl_client *c)
{
	const char *nl;
	size_t n, used;

	if (c->discard) {
		nl = memchr(c->in, '\n', c->inlen);
		if (nl == NULL) {
			c->inlen = 0;
			return 0;
		}
		ctl_consume(c, (size_t)(nl - c->in) + 1);
		c->discard = false;
	}
	nl = memchr(c->in, '\n', c->inlen);
	if (nl != NULL) {
		n = (size_t)(nl - c->in);
		used = n + 1;
	} else if (c->inlen > DSR_CMD_LINE_MAX &&
		   (c->in[DSR_CMD_LINE_MAX] != '\r' || c->inlen == sizeof(c->in))) {
		/* No "\n" after DSR_CMD_LINE_MAX bytes (nor "\r\n"): too long already. */
		ctl_too_long(s, c);
		c->inlen = 0;
		c->discard = !c->eof;
		return 1;
	} else if (c->eof && c->inlen > 0) {
		n = used = c->inlen; /* the last line, without "\n" */
	} else {
		return 0;
	}
	if (n > 0 && c->in[n - 1] == '\r')
		n--;
	if (n > DSR_CMD_LINE_MAX)
		ctl_too_long(s, c);
	else
		ctl_line(s, c, n);
	ctl_consume(c, used);
	return 1;
}

static bool
ctl_idle(const struct dsr_ctl_server *s, const struct ctl_client *c)
{
	uint32_t el = s->now - c->last_ms;

	if (el >= 0x80000000u || el < s->idle_ms)
		return false; /* the clock went back, or not yet */
	/* A handler at work (nothing queued) is not idle; one held by a client not reading is. */
	return !c->busy || ctl_queued(c) > 0;
}

/*
 * A read-only client past the age limit, busy or not (else one that keeps
 * sending, or reads a long reply slowly, would hold its slot for ever).
 * Root's are not limited.
 */
static bool
ctl_too_old(const struct dsr_ctl_server *s, const struct ctl_client *c)
{
	uint32_t age = s->now - c->born_ms;

	return c->ro && c->req.uid != 0 && age < 0x80000000u && age >= s->ro_max_age_ms;
}

/* Serve one client: CTL_KEEP, or the counter to count when closing it. */
static unsigned int
ctl_client_poll(struct dsr_ctl_server *s, struct ctl_client *c)
{
	unsigned int steps;
	ssize_t r;

	if (!c->eof && c->inlen < sizeof(c->in)) {
		r = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, MSG_DONTWAIT);
		if (r > 0) {
			c->inlen += (size_t)r;
			c->last_ms = s->now;
		} else if (r == 0) {
			c->eof = true;
		} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			return DSR_CTL_GONE;
		}
	}
	for (steps = 0; steps < CTL_STEPS && !c->out.nomem; steps++) {
		if (ctl_queued(c) >= DSR_CTL_CHUNK) {
			if (ctl_write(s, c) != 0)
				return DSR_CTL_GONE;
			if (ctl_queued(c) >= DSR_CTL_CHUNK)
				break;
		}
		if (c->busy)
			ctl_call(s, c);
		else if (ctl_next_line(s, c) == 0)
			break;
	}
	if (c->out.nomem) {
		dsr_log(DSR_LOG_WARNING,
			"control socket: out of memory for a reply, client closed");
		return DSR_CTL_GONE;
	}
	if (ctl_write(s, c) != 0)
		return DSR_CTL_GONE;
	if (c->eof && !c->busy && c->inlen == 0 && ctl_queued(c) == 0)
		return DSR_CTL_GONE;
	if (ctl_idle(s, c))
		return DSR_CTL_IDLE_CLOSED;
	if (ctl_too_old(s, c))
		return DSR_CTL_RO_AGE_CLOSED;
	return CTL_KEEP;
}

/* Close client i (cancelling its request), counting why unless why is CTL_KEEP. */
static void
ctl_drop(struct dsr_ctl_server *s, unsigned int i, unsigned int why)
{
	struct ctl_client *c = s->cl[i];

	if (c->busy && c->state != NULL && s->cancel != NULL)
		s->cancel(s->arg, c->state);
	close(c->fd);
	if (c->extra)
		s->n_extra--;
	else if (c->ro)
		s->n_ro--;
	else
		s->n_rw--;
	ctl_out_free(&c->out);
	free(c);
	s->cl[i] = s->cl[--s->n];
	if (why < DSR_CTL_NCOUNTERS)
		s->counters[why]++;
}

/* The API. */

struct dsr_ctl_server *
dsr_ctl_open(const struct dsr_ctl_params *p, dsr_ctl_handler handler, dsr_ctl_cancel cancel,
	     void *arg, char *err, size_t errlen)
{
	struct dsr_ctl_server *s;
	const char *env;
	char dummy[1];

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (p == NULL || p->path == NULL || handler == NULL) {
		snprintf(err, errlen, "control socket: no path or no handler");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto nomem;
	s->fd_rw = s->fd_ro = -1;
	s->handler = handler;
	s->cancel = cancel;
	s->arg = arg;
	s->max_clients = p->max_clients > 0 ? p->max_clients : DSR_CTL_MAX_CLIENTS;
	s->ro_max_clients = p->ro_max_clients > 0 ? p->ro_max_clients : DSR_CTL_RO_MAX_CLIENTS;
	s->ro_max_per_uid = p->ro_max_per_uid > 0 ? p->ro_max_per_uid : DSR_CTL_RO_MAX_PER_UID;
	s->ro_max_age_ms = p->ro_max_age_ms > 0 ? p->ro_max_age_ms : DSR_CTL_RO_MAX_AGE_MS;
	s->idle_ms = p->idle_ms > 0 ? p->idle_ms : DSR_CTL_IDLE_MS;
	s->cl = calloc((size_t)s->max_clients + s->ro_max_clients + DSR_CTL_ROOT_SLOTS,
		       sizeof(*s->cl));
	s->path = strdup(p->path);
	if (p->ro_path != NULL)
		s->ro_path = strdup(p->ro_path);
	if (p->group != NULL && p->group[0] != '\0')
		s->group = strdup(p->group);
	if (s->cl == NULL || s->path == NULL || (p->ro_path != NULL && s->ro_path == NULL) ||
	    (p->group != NULL && p->group[0] != '\0' && s->group == NULL))
		goto nomem;
	s->has_gid = ctl_sock_group(s->group, &s->gid);
	env = getenv("DSR_CTL_TEST_UID"); /* the test hook: see the top of this file */
	if (env != NULL && env[0] != '\0') {
		s->has_test_uid = true;
		s->test_uid = (uid_t)strtoul(env, NULL, 10);
		dsr_log(DSR_LOG_WARNING,
			"control socket: DSR_CTL_TEST_UID (a test hook): root peers are uid %u",
			(unsigned int)s->test_uid);
	}
	s->fd_rw = ctl_sock_listen(s->path, 0660, s->has_gid ? s->gid : (gid_t)-1, err, errlen);
	if (s->fd_rw < 0)
		goto fail;
	if (s->ro_path != NULL) {
		s->fd_ro = ctl_sock_listen(s->ro_path, 0666, (gid_t)-1, err, errlen);
		if (s->fd_ro < 0)
			goto fail;
	}
	return s;
nomem:
	snprintf(err, errlen, "control socket %s: out of memory", p->path);
fail:
	if (s != NULL) {
		if (s->fd_rw >= 0) {
			close(s->fd_rw);
			unlink(s->path);
		}
		free(s->cl);
		free(s->path);
		free(s->ro_path);
		free(s->group);
		free(s);
	}
	return NULL;
}

void
dsr_ctl_poll(struct dsr_ctl_server *s, uint32_t now_ms)
{
	unsigned int i = 0, why;

	if (s == NULL)
		return;
	s->now = now_ms;
	ctl_accept(s, s->fd_rw, false);
	if (s->fd_ro >= 0)
		ctl_accept(s, s->fd_ro, true);
	while (i < s->n) {
		why = ctl_client_poll(s, s->cl[i]);
		if (why == CTL_KEEP)
			i++;
		else
			ctl_drop(s, i, why); /* the last client moves to i */
	}
}

void
dsr_ctl_close(struct dsr_ctl_server *s)
{
	if (s == NULL)
		return;
	while (s->n > 0)
		ctl_drop(s, s->n - 1, CTL_KEEP);
	close(s->fd_rw);
	unlink(s->path);
	if (s->fd_ro >= 0) {
		close(s->fd_ro);
		unlink(s->ro_path);
	}
	free(s->cl);
	free(s->path);
	free(s->ro_path);
	free(s->group);
	free(s);
}

unsigned int
dsr_ctl_clients(const struct dsr_ctl_server *s)
{
	return s == NULL ? 0 : s->n;
}

unsigned int
dsr_ctl_clients_ro(const struct dsr_ctl_server *s)
{
	unsigned int i, n = 0;

	for (i = 0; s != NULL && i < s->n; i++)
		n += s->cl[i]->ro;
	return n;
}

uint64_t
dsr_ctl_counter(const struct dsr_ctl_server *s, enum dsr_ctl_counter c)
{
	if (s == NULL || (unsigned int)c >= DSR_CTL_NCOUNTERS)
		return 0;
	return s->counters[c];
}

const char *
dsr_ctl_counter_name(enum dsr_ctl_counter c)
{
#define DSR_X_NAME(e, name, help) [DSR_CTL_##e] = name,
	static const char *const names[] = {DSR_CTL_COUNTERS(DSR_X_NAME)};
#undef DSR_X_NAME

	if ((unsigned int)c >= DSR_CTL_NCOUNTERS)
		return "?";
	return names[c];
}
