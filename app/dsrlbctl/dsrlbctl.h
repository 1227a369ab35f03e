/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSRLBCTL_H
#define DSRLBCTL_H

/*
 * dsrlbctl: the client of the daemon's control socket (protocol in
 * lib/ctl/dsr_ctl.h). conn.c speaks the protocol, interactive.c is the
 * readline loop, markdown.c writes docs/cli.md and man.c the man pages
 * from the command table.
 */

#include <stdbool.h>
#include <stddef.h>

#define CTL_TIMEOUT_S      30                  /* default: seconds without a byte from the daemon */
#define CTL_REPLY_LINE_MAX (16u * 1024 * 1024) /* longest text reply line */
#define CTL_MSG_MAX        512

/* Results; also the exit statuses. */
enum ctl_status {
	CTL_OK = 0,   /* the daemon said OK */
	CTL_ERR = 1,  /* the daemon said ERR (or refused us): msg is its reason */
	CTL_FAIL = 2, /* local, connection or protocol failure: msg says what */
};

/* A connection to the daemon. */
struct ctl_conn {
	const char *path;
	int fd;         /* -1 when not connected */
	int timeout_ms; /* per wait for the daemon; -1 = none */
	bool read_only; /* the greeting said (read-only) */
	char *buf;      /* received bytes not yet consumed: buf[head..tail) */
	size_t cap, head, tail;
	size_t seen; /* bytes after head already searched for a newline */
	char msg[CTL_MSG_MAX];
};

void ctl_conn_init(struct ctl_conn *c, const char *path, int timeout_ms);
/* Connect and check the greeting. */
enum ctl_status ctl_conn_open(struct ctl_conn *c);
/* Reconnect if not connected or if the daemon closed the connection. */
enum ctl_status ctl_conn_ensure(struct ctl_conn *c);
void ctl_conn_close(struct ctl_conn *c);
void ctl_conn_free(struct ctl_conn *c);

/*
 * Send one request line (n bytes, no newline; "json " put in front when
 * json is true and it is not there) and read its reply: text rows, or the
 * JSON document, go to stdout; the status line does not. Reconnects first
 * if the daemon closed the connection; on CTL_FAIL the connection is closed.
 */
enum ctl_status ctl_request(struct ctl_conn *c, const char *line, size_t n, bool json);

/* Whether a line gets no reply (blank or a '#' comment): never sent. */
bool ctl_line_is_blank(const char *line, size_t n);
/* Whether the line's first word is "json". */
bool ctl_line_is_json(const char *line, size_t n);

/* The readline loop; returns the exit status. */
int ctl_interactive(struct ctl_conn *c, bool json);

/* Write docs/cli.md to stdout. */
void ctl_markdown(void);

/* Write a man page (dsrlb.8, dsrlbctl.8, dsrlb.conf.5) to stdout; -1 for another name. */
int ctl_man(const char *page);

#endif /* DSRLBCTL_H */
