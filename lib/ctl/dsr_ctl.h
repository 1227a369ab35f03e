/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_CTL_H
#define DSR_CTL_H

/**
 * @file
 * The control socket: a UNIX stream socket served from the main lcore
 * with non-blocking I/O, never from a worker. Pure POSIX, no EAL.
 *
 * Protocol (version 1), line based:
 * - On connect the server sends one greeting line:
 *   "dsrlb protocol 1 (read-write)" or "... (read-only)".
 * - A request is one line (at most DSR_CMD_LINE_MAX bytes before "\n"; one
 *   trailing "\r" is dropped) of the command language. An optional first
 *   word "json" asks for the reply as one JSON document ("json" alone is
 *   answered ERR "missing command after 'json'").
 * - Blank lines and comment-only lines ("# ...") get no reply at all.
 * - A longer line is answered "ERR line too long (max 4096 bytes)" and
 *   dropped up to its "\n"; a line with a control byte other than tab,
 *   DEL or a non-ASCII byte (comments included) is answered
 *   "ERR bad byte 0xNN at column C" (the first one, from 1). The
 *   connection stays usable. (If the line starts with the word "json",
 *   these errors come as JSON documents.)
 * - A text reply is zero or more lines, then a status line: "OK" or
 *   "ERR <reason>". A JSON reply is one document on one line, written as
 *   it streams, so the status comes last:
 *   {"rows":[...],"status":"OK"} or {"rows":[...],"status":"ERR","error":"..."}.
 * - Requests on one connection are answered in order; a client may send
 *   the next request before the reply ends (it waits in the input buffer).
 *   A client that shuts down its sending side (echo cmd | socat ...) still
 *   gets the replies to what it sent (a last line without "\n" included),
 *   then the server closes the connection.
 * - A client is closed after idle_ms without input nor progress in
 *   reading its reply, unless a handler is at work for it (a request in
 *   progress with nothing queued).
 *
 * Replies stream: a handler produces a bounded amount of output per call
 * and returns DSR_CTL_MORE to be called again once the client has read
 * what is queued (below DSR_CTL_CHUNK), so a dump of millions of entries
 * never holds the main lcore for long nor buffers without bound. A reply
 * that would pass DSR_CTL_OUT_MAX queued bytes (a handler that ignores
 * DSR_CTL_CHUNK) loses its later rows and ends
 * "ERR reply too large: the client is not reading".
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "dsr_common.h"

#define DSR_CTL_MAX_CLIENTS    256     /**< default limit of clients on the read-write socket */
#define DSR_CTL_RO_MAX_CLIENTS 256     /**< default limit of clients on the read-only socket */
#define DSR_CTL_RO_MAX_PER_UID 16      /**< default limit of one uid's read-only clients */
#define DSR_CTL_RO_MAX_AGE_MS  600000u /**< default: a read-only client is closed this old */
#define DSR_CTL_ROOT_SLOTS     16      /**< slots past the limits that only root may take */
#define DSR_CTL_IDLE_MS        60000u  /**< default: a client silent this long is dropped */
#define DSR_CTL_CHUNK          16384u /**< a handler should stop producing past this many queued bytes */
#define DSR_CTL_OUT_MAX        (1u << 20) /**< hard bound of queued reply bytes per client */

/* X(ENUM, "name", "meaning"): server counters. */
#define DSR_CTL_COUNTERS(X)                                                                        \
	X(ACCEPTED, "accepted", "connections accepted")                                            \
	X(REFUSED_PEER, "refused-peer",                                                            \
	  "read-write connections refused: peer not root nor in the group")                        \
	X(RW_REFUSED_FULL, "rw-refused-full", "read-write connections refused: too many clients")  \
	X(RO_REFUSED_FULL, "ro-refused-full", "read-only connections refused: too many clients")   \
	X(RO_REFUSED_UID, "ro-refused-uid",                                                        \
	  "read-only connections refused: too many clients of that uid")                           \
	X(RO_AGE_CLOSED, "ro-age-closed", "read-only clients closed at the maximum age")           \
	X(REQUESTS, "requests", "requests handled")                                                \
	X(ERRORS, "errors", "requests answered ERR")                                               \
	X(BAD_LINE, "bad-lines", "lines too long or with NUL/binary bytes")                        \
	X(IDLE_CLOSED, "idle-closed", "clients dropped for silence")                               \
	X(GONE, "gone", "clients that went away (mid-reply included)")                             \
	X(OUT_FULL, "reply-overflow", "replies cut because the client did not read")

#define DSR_X_ENUM(e, name, help) DSR_CTL_##e,
enum dsr_ctl_counter { DSR_CTL_COUNTERS(DSR_X_ENUM) DSR_CTL_NCOUNTERS };
#undef DSR_X_ENUM

/** A request as the handler sees it. */
struct dsr_ctl_req {
	const char *line; /**< the command line, "json" prefix and line end removed */
	bool json;        /**< reply as JSON */
	bool read_only;   /**< the connection may only run read-only commands */
	uid_t uid;        /**< peer credentials (SO_PEERCRED) */
	gid_t gid;
	pid_t pid;
};

/** Where a handler writes its reply (text or JSON, as the request asked). */
struct dsr_ctl_out;

/** Handler results. */
enum dsr_ctl_result {
	DSR_CTL_DONE = 0, /**< reply complete: the server adds "OK" (or JSON status OK) */
	DSR_CTL_FAIL,     /**< reply complete with dsr_ctl_error() set: "ERR reason" */
	DSR_CTL_MORE,     /**< call again (same req, same *state) once the client has read */
};

/**
 * Run a request. *state is NULL on the first call of a request and is the
 * handler's own between DSR_CTL_MORE calls; when the handler returns DONE
 * or FAIL it must have freed it. If the client goes away mid-request (or
 * its reply overflows, or the server closes), the server calls
 * cancel(arg, state) instead of calling the handler again; cancel is only
 * called with a non-NULL state. A handler begins and ends its rows within
 * one call (a row left open is closed when the call returns).
 */
typedef enum dsr_ctl_result (*dsr_ctl_handler)(void *arg, const struct dsr_ctl_req *req,
					       struct dsr_ctl_out *out, void **state);
typedef void (*dsr_ctl_cancel)(void *arg, void *state);

/* Reply writing. A row is a record: a kind, then ordered key/value pairs.
 * Text: "KIND: key value key value" ("KIND" alone without pairs; a value
 * with spaces is written as is; keys never have spaces; control bytes
 * other than tab are written as '?' so that no value breaks the framing).
 * JSON: {"kind":"KIND","key":value,...} inside the reply's "rows" array;
 * numbers unquoted (a double that is NaN or infinite is null), strings
 * escaped (quotes, backslashes, control bytes, and DEL and non-ASCII
 * bytes as \u00XX: the document is pure ASCII). */
void dsr_ctl_row_begin(struct dsr_ctl_out *out, const char *kind);
void dsr_ctl_kv_str(struct dsr_ctl_out *out, const char *key, const char *value);
void dsr_ctl_kv_u64(struct dsr_ctl_out *out, const char *key, uint64_t value);
void dsr_ctl_kv_dbl(struct dsr_ctl_out *out, const char *key, double value); /**< "%.2f" */
void dsr_ctl_row_end(struct dsr_ctl_out *out);
/** A free text line (help, config dumps). JSON: a row {"kind":"text","text":"..."}. */
void dsr_ctl_text(struct dsr_ctl_out *out, const char *line);
/** The failure reason (printf style), for a handler that returns DSR_CTL_FAIL
 * ("ERR command failed" if it gives none). */
void dsr_ctl_error(struct dsr_ctl_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** Bytes queued for this client not yet sent: stop producing above DSR_CTL_CHUNK. */
size_t dsr_ctl_queued(const struct dsr_ctl_out *out);
/** Whether this reply is JSON (for handlers that format differently). */
bool dsr_ctl_is_json(const struct dsr_ctl_out *out);

/**
 * A writer that writes text rows straight to a stdio stream, with nothing
 * ever queued: the daemon's counters summary (SIGUSR1, exit) runs the same
 * row code as `show stats`. Free it with dsr_ctl_out_file_free().
 */
struct dsr_ctl_out *dsr_ctl_out_file(FILE *f);
void dsr_ctl_out_file_free(struct dsr_ctl_out *out);

struct dsr_ctl_params {
	const char *path;    /**< read-write socket (required) */
	const char *ro_path; /**< read-only socket, or NULL for none */
	const char *group; /**< group allowed on the read-write socket ("dsrlb"); NULL: root only */
	unsigned int max_clients;    /**< read-write socket; 0 = DSR_CTL_MAX_CLIENTS */
	unsigned int ro_max_clients; /**< read-only socket; 0 = DSR_CTL_RO_MAX_CLIENTS */
	unsigned int
		ro_max_per_uid; /**< one uid on the read-only socket; 0 = DSR_CTL_RO_MAX_PER_UID */
	uint32_t ro_max_age_ms; /**< 0 = DSR_CTL_RO_MAX_AGE_MS */
	uint32_t idle_ms;       /**< 0 = DSR_CTL_IDLE_MS */
};

struct dsr_ctl_server;

/**
 * Create the socket(s). The read-write socket is mode 0660, owner root and
 * group `group` if that group exists (else the group is left as created,
 * root's); its peers must be root (uid 0) or members of the group (primary
 * or supplementary, checked with SO_PEERCRED and getgrouplist), else they
 * get "ERR permission denied: uid N is neither root nor in group G" (or
 * "... uid N is not root (group G does not exist)") and are closed.
 *
 * Client limits, so that no local user can lock root out: each socket
 * has its own limit (max_clients, ro_max_clients), and read-only clients
 * never take a read-write slot. Past its socket's limit a new connection
 * gets "ERR too many clients (N)" (read-write) or "ERR too many clients on
 * the read-only socket (N)" and is closed. On the read-only socket a uid
 * other than root may hold ro_max_per_uid connections ("ERR too many
 * clients of uid U on the read-only socket (N)"), and its connections are
 * closed at ro_max_age_ms, whatever they do (a client that keeps sending
 * is never idle). Root is never refused by a full socket while one of
 * DSR_CTL_ROOT_SLOTS more slots is free, nor limited per uid or by age.
 * Each refusal and age closing is counted per socket. The greeting comes
 * only to accepted clients. The read-only
 * socket is mode 0666, any local user may connect, and only commands the
 * handler is told are read-only run there (req->read_only is true). An
 * existing socket file that nobody listens on is replaced; one in use is
 * an error ("control socket PATH is in use by another process"), as is a
 * file that is not a socket. Missing parent directories are created
 * (mode 0755). Errors name the path (and strerror where there is one).
 * Tests only: DSR_CTL_TEST_UID set in the environment at this call makes
 * the server take its value as every peer's uid (see ctl.c).
 * @return the server, or NULL with err set.
 */
struct dsr_ctl_server *dsr_ctl_open(const struct dsr_ctl_params *p, dsr_ctl_handler handler,
				    dsr_ctl_cancel cancel, void *arg, char *err, size_t errlen);

/**
 * Do what is ready without blocking: accept, read, run requests, write.
 * Bounded work per call: up to 16 connections accepted per socket, and
 * per client one read, up to 4 lines or handler calls, and a few sends.
 * now_ms is a millisecond clock for idle timeouts (it may wrap).
 */
void dsr_ctl_poll(struct dsr_ctl_server *s, uint32_t now_ms);

/** Close every client and the sockets, and unlink the socket files. */
void dsr_ctl_close(struct dsr_ctl_server *s);

/** Clients connected now (both sockets). */
unsigned int dsr_ctl_clients(const struct dsr_ctl_server *s);
/** Clients connected now on the read-only socket. */
unsigned int dsr_ctl_clients_ro(const struct dsr_ctl_server *s);
uint64_t dsr_ctl_counter(const struct dsr_ctl_server *s, enum dsr_ctl_counter c);
const char *dsr_ctl_counter_name(enum dsr_ctl_counter c);

#endif /* DSR_CTL_H */
