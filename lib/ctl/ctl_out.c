/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reply writer: rows as text or JSON into a client's output buffer.
 *
 * Text: "KIND: key value key value\n" (or "KIND\n" without pairs), then
 * "OK\n" or "ERR reason\n". Control bytes (other than tab) in text output
 * are written as '?' so that no value can break the line framing.
 *
 * JSON: one document on one line, written as it streams, status last:
 *   {"rows":[{"kind":"KIND","key":value,...},...],"status":"OK"}
 *   {"rows":[...],"status":"ERR","error":"reason"}
 * Strings are escaped: '"' and '\\', control bytes (\n, \t, ... or
 * \u00XX), and DEL and every non-ASCII byte as \u00XX, so the document is
 * pure ASCII and valid whatever bytes a value holds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_ctl.h"
#include "ctl_pvt.h"

/* Make room for n more bytes at out->len: compact, then grow. 0 or -1. */
static int
out_reserve(struct dsr_ctl_out *out, size_t n)
{
	size_t cap;
	char *b;

	if (out->cap - out->len >= n)
		return 0;
	if (out->off > 0) {
		memmove(out->buf, out->buf + out->off, out->len - out->off);
		out->len -= out->off;
		out->row_start = out->row_start >= out->off ? out->row_start - out->off : 0;
		out->off = 0;
		if (out->cap - out->len >= n)
			return 0;
	}
	cap = out->cap > 0 ? out->cap : CTL_OUT_MIN;
	while (cap - out->len < n)
		cap *= 2;
	b = realloc(out->buf, cap);
	if (b == NULL)
		return -1;
	out->buf = b;
	out->cap = cap;
	return 0;
}

int
ctl_out_put(struct dsr_ctl_out *out, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (out->file != NULL)
		return fwrite(s, 1, n, out->file) == n ? 0 : -1;
	if (out_reserve(out, n) != 0) {
		out->nomem = true;
		return -1;
	}
	memcpy(out->buf + out->len, s, n);
	out->len += n;
	return 0;
}

/* Append bytes of the open row, unless the reply overflows: then cut the row off. */
static void
out_row_put(struct dsr_ctl_out *out, const char *s, size_t n)
{
	if (out->overflow || n == 0)
		return;
	if (out->file != NULL) {
		ctl_out_put(out, s, n);
		return;
	}
	if (out->len - out->off + n > DSR_CTL_OUT_MAX || out_reserve(out, n) != 0) {
		out->overflow = true;
		out->len = out->row_start;
		return;
	}
	memcpy(out->buf + out->len, s, n);
	out->len += n;
}

static void
out_put(struct dsr_ctl_out *out, bool row, const char *s, size_t n)
{
	if (row)
		out_row_put(out, s, n);
	else
		ctl_out_put(out, s, n);
}

static void
out_puts(struct dsr_ctl_out *out, bool row, const char *s)
{
	out_put(out, row, s, strlen(s));
}

/*
 * Append s as the reply's format wants it: JSON string content escaped,
 * or text with control bytes as '?'. Escapes are built in a small buffer.
 */
static void
out_esc(struct dsr_ctl_out *out, bool row, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[256];
	size_t n = 0;

	if (s == NULL)
		s = "";
	for (; *s != '\0'; s++) {
		unsigned char b = (unsigned char)*s;

		if (n > sizeof(tmp) - 8) {
			out_put(out, row, tmp, n);
			n = 0;
		}
		if (!out->json) {
			tmp[n++] = (b < 0x20 && b != '\t') || b == 0x7f ? '?' : (char)b;
			continue;
		}
		switch (b) {
		case '"':
		case '\\':
			tmp[n++] = '\\';
			tmp[n++] = (char)b;
			break;
		case '\n':
			tmp[n++] = '\\';
			tmp[n++] = 'n';
			break;
		case '\r':
			tmp[n++] = '\\';
			tmp[n++] = 'r';
			break;
		case '\t':
			tmp[n++] = '\\';
			tmp[n++] = 't';
			break;
		case '\b':
			tmp[n++] = '\\';
			tmp[n++] = 'b';
			break;
		case '\f':
			tmp[n++] = '\\';
			tmp[n++] = 'f';
			break;
		default:
			if (b < 0x20 || b >= 0x7f) {
				memcpy(tmp + n, "\\u00", 4);
				n += 4;
				tmp[n++] = hex[b >> 4];
				tmp[n++] = hex[b & 0xf];
			} else {
				tmp[n++] = (char)b;
			}
			break;
		}
	}
	out_put(out, row, tmp, n);
}

void
ctl_out_free(struct dsr_ctl_out *out)
{
	free(out->buf);
	out->buf = NULL;
	out->off = out->len = out->cap = 0;
}

void
ctl_out_begin(struct dsr_ctl_out *out, bool json)
{
	out->json = json;
	out->nrows = 0;
	out->npairs = 0;
	out->in_row = false;
	out->overflow = false;
	out->has_err = false;
	out->err[0] = '\0';
	if (json)
		out_puts(out, false, "{\"rows\":[");
}

void
ctl_out_close_row(struct dsr_ctl_out *out)
{
	if (out->in_row)
		dsr_ctl_row_end(out);
}

void
ctl_out_finish(struct dsr_ctl_out *out, bool ok)
{
	const char *reason = out->has_err && out->err[0] != '\0' ? out->err : "command failed";

	ctl_out_close_row(out);
	if (out->json) {
		if (ok) {
			out_puts(out, false, "],\"status\":\"OK\"}\n");
		} else {
			out_puts(out, false, "],\"status\":\"ERR\",\"error\":\"");
			out_esc(out, false, reason);
			out_puts(out, false, "\"}\n");
		}
	} else if (ok) {
		out_puts(out, false, "OK\n");
	} else {
		out_puts(out, false, "ERR ");
		out_esc(out, false, reason);
		out_puts(out, false, "\n");
	}
}

static void __attribute__((format(printf, 2, 0)))
out_verr(struct dsr_ctl_out *out, const char *fmt, va_list ap)
{
	vsnprintf(out->err, sizeof(out->err), fmt, ap);
	out->has_err = true;
}

void
ctl_out_set_err(struct dsr_ctl_out *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_verr(out, fmt, ap);
	va_end(ap);
}

void
ctl_out_reply_err(struct dsr_ctl_out *out, bool json, const char *fmt, ...)
{
	va_list ap;

	ctl_out_begin(out, json);
	va_start(ap, fmt);
	out_verr(out, fmt, ap);
	va_end(ap);
	ctl_out_finish(out, false);
}

void
ctl_out_sent(struct dsr_ctl_out *out, size_t n)
{
	out->off += n;
	if (out->off < out->len)
		return;
	out->off = out->len = 0;
	if (out->cap > CTL_OUT_KEEP)
		ctl_out_free(out);
}

/* The public writer. */

void
dsr_ctl_row_begin(struct dsr_ctl_out *out, const char *kind)
{
	ctl_out_close_row(out);
	if (out->overflow)
		return;
	out->row_start = out->len;
	out->in_row = true;
	out->npairs = 0;
	if (out->json) {
		out_puts(out, true, out->nrows > 0 ? ",{\"kind\":\"" : "{\"kind\":\"");
		out_esc(out, true, kind);
		out_puts(out, true, "\"");
	} else {
		out_esc(out, true, kind);
	}
}

/* The part of a pair before its value. */
static void
out_key(struct dsr_ctl_out *out, const char *key, bool quoted)
{
	if (out->json) {
		out_puts(out, true, ",\"");
		out_esc(out, true, key);
		out_puts(out, true, quoted ? "\":\"" : "\":");
	} else {
		out_puts(out, true, out->npairs == 0 ? ": " : " ");
		out_esc(out, true, key);
		out_puts(out, true, " ");
	}
	out->npairs++;
}

void
dsr_ctl_kv_str(struct dsr_ctl_out *out, const char *key, const char *value)
{
	if (!out->in_row || out->overflow)
		return;
	out_key(out, key, true);
	out_esc(out, true, value);
	if (out->json)
		out_puts(out, true, "\"");
}

void
dsr_ctl_kv_u64(struct dsr_ctl_out *out, const char *key, uint64_t value)
{
	char num[24];

	if (!out->in_row || out->overflow)
		return;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)value);
	out_key(out, key, false);
	out_puts(out, true, num);
}

void
dsr_ctl_kv_dbl(struct dsr_ctl_out *out, const char *key, double value)
{
	char num[64];

	if (!out->in_row || out->overflow)
		return;
	/* JSON has no NaN nor infinity. */
	if (out->json && !isfinite(value))
		snprintf(num, sizeof(num), "null");
	else
		snprintf(num, sizeof(num), "%.2f", value);
	out_key(out, key, false);
	out_puts(out, true, num);
}

void
dsr_ctl_row_end(struct dsr_ctl_out *out)
{
	if (!out->in_row)
		return;
	out->in_row = false;
	if (out->overflow)
		return;
	out_puts(out, true, out->json ? "}" : "\n");
	if (!out->overflow)
		out->nrows++;
}

void
dsr_ctl_text(struct dsr_ctl_out *out, const char *line)
{
	if (out->json) {
		dsr_ctl_row_begin(out, "text");
		dsr_ctl_kv_str(out, "text", line);
		dsr_ctl_row_end(out);
		return;
	}
	ctl_out_close_row(out);
	if (out->overflow)
		return;
	out->row_start = out->len;
	out->in_row = true;
	out_esc(out, true, line);
	out_puts(out, true, "\n");
	out->in_row = false;
	if (!out->overflow)
		out->nrows++;
}

void
dsr_ctl_error(struct dsr_ctl_out *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_verr(out, fmt, ap);
	va_end(ap);
}

size_t
dsr_ctl_queued(const struct dsr_ctl_out *out)
{
	return out->len - out->off;
}

bool
dsr_ctl_is_json(const struct dsr_ctl_out *out)
{
	return out->json;
}

struct dsr_ctl_out *
dsr_ctl_out_file(FILE *f)
{
	struct dsr_ctl_out *out;

	if (f == NULL)
		return NULL;
	out = calloc(1, sizeof(*out));
	if (out != NULL)
		out->file = f;
	return out;
}

void
dsr_ctl_out_file_free(struct dsr_ctl_out *out)
{
	if (out == NULL)
		return;
	ctl_out_close_row(out);
	free(out);
}
