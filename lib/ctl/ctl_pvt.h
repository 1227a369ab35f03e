/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_CTL_PVT_H
#define DSR_CTL_PVT_H

/*
 * Private to lib/ctl: the reply writer (ctl_out.c) and what the server
 * (ctl.c) uses of it.
 *
 * Each client has one output buffer, buf[off..len) being the bytes not
 * yet sent. Reply bytes are appended at len; the server sends from off.
 * Bytes of a handler's rows are "bounded" appends: once the bytes queued
 * would pass DSR_CTL_OUT_MAX the reply overflows, the partial row is cut
 * off (len back to row_start) and every later row of the request is
 * dropped. The framing (JSON head, status line) is always appended.
 * A writer made by dsr_ctl_out_file() has no buffer: bytes go straight
 * to its stream.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "dsr_ctl.h"

#define CTL_ERR_MAX  512         /**< longest failure reason kept */
#define CTL_OUT_MIN  4096u       /**< first allocation of an output buffer */
#define CTL_OUT_KEEP (64u << 10) /**< an empty buffer larger than this is freed */

struct dsr_ctl_out {
	FILE *file; /**< dsr_ctl_out_file(): bytes go there, nothing is queued */
	char *buf;
	size_t off;          /**< first byte not yet sent */
	size_t len;          /**< end of the queued bytes */
	size_t cap;          /**< allocated size of buf */
	size_t row_start;    /**< where the open row began (a comma included) */
	uint64_t nrows;      /**< rows of this reply so far */
	unsigned int npairs; /**< pairs of the open row */
	bool json;           /**< this reply is JSON */
	bool in_row;         /**< a row is open */
	bool overflow;       /**< passed DSR_CTL_OUT_MAX: rows are dropped */
	bool nomem;          /**< a framing append failed: the client must go */
	bool has_err;        /**< dsr_ctl_error() was called */
	char err[CTL_ERR_MAX];
};

/** Free the buffer. */
void ctl_out_free(struct dsr_ctl_out *out);

/** Append bytes that are not part of a row (never dropped). 0 or -1 (nomem set). */
int ctl_out_put(struct dsr_ctl_out *out, const char *s, size_t n);

/** Start a reply: reset the per-request state; JSON: write the head. */
void ctl_out_begin(struct dsr_ctl_out *out, bool json);

/** Close a row the handler left open. */
void ctl_out_close_row(struct dsr_ctl_out *out);

/**
 * End a reply: "OK" if ok, else "ERR reason" where reason is the
 * handler's dsr_ctl_error() text, or "command failed" if it gave none.
 */
void ctl_out_finish(struct dsr_ctl_out *out, bool ok);

/** Replace the failure reason (printf style). */
void ctl_out_set_err(struct dsr_ctl_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** A whole ERR reply that no handler produced (bad line, ...). */
void ctl_out_reply_err(struct dsr_ctl_out *out, bool json, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** n bytes were sent: consume them (and compact or free the buffer). */
void ctl_out_sent(struct dsr_ctl_out *out, size_t n);

/* ctl_sock.c */

/**
 * Listen on path, mode mode, group gid (or (gid_t)-1 to leave it), owner
 * root if we are root. Returns the socket, or -1 with err set; on error
 * the path is left as it was found (but for a stale socket file removed).
 */
int ctl_sock_listen(const char *path, mode_t mode, gid_t gid, char *err, size_t errlen);

/** The gid of group name: false if name is NULL or "" or no such group. */
bool ctl_sock_group(const char *name, gid_t *gid);

/** Whether a peer may use the read-write socket: root, or in group (if has_group). */
bool ctl_sock_peer_ok(uid_t uid, gid_t gid, bool has_group, gid_t group);

#endif /* DSR_CTL_PVT_H */
