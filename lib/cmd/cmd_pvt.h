/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_CMD_PVT_H
#define DSR_CMD_PVT_H

/*
 * Private to lib/cmd: the token parsers on byte spans, shared by cmd.c
 * (the command grammar) and cmd_token.c (where they live).
 *
 * Each token kind has exactly one parser. A parser takes a span (s, n),
 * which need not be NUL-terminated, and returns 0 or -1. On -1 it writes
 * one error line naming the bad part in single quotes into err, unless
 * err is NULL. The public dsr_parse_*() functions are thin wrappers that
 * pass strlen() and no error buffer.
 */

#include <stddef.h>
#include <stdint.h>

#include "dsr_cmd.h"

/* Longest part of a token that an error message quotes; longer is cut and ends in "...". */
#define CMD_QUOTE_MAX 48
/* Size of a buffer for cmd_quote(): the cut text, "..." and the NUL. */
#define CMD_QUOTE_SIZE (CMD_QUOTE_MAX + 4)

/* Keywords inside a command's arguments. Parser and formatter both use these. */
#define CMD_KW_ADDRESS    "address"
#define CMD_KW_KERNEL_IF  "kernel-interface"
#define CMD_KW_MAC        "mac"
#define CMD_KW_WEIGHT     "weight"
#define CMD_KW_ON         "on"
#define CMD_KW_OFF        "off"
#define CMD_KW_TCP        "tcp"
#define CMD_KW_UDP        "udp"
#define CMD_KW_INTERVAL   "interval"
#define CMD_KW_LIMIT      "limit"
#define CMD_KW_PROMETHEUS "--prometheus"
#define CMD_KW_PATH       "path"
#define CMD_KW_EXPECT     "expect"
#define CMD_KW_PORT       "port"
#define CMD_KW_TIMEOUT    "timeout"
#define CMD_KW_RISE       "rise"
#define CMD_KW_FALL       "fall"
#define CMD_KW_PANIC      "panic"
#define CMD_KW_ROUTED     "routed"

/*
 * Tokens kept per line. The longest command has 20 tokens ("check set SVC
 * http" and eight options with their values); as long as this is larger, the first token
 * past a command is always seen and reported as unexpected.
 */
#define CMD_MAX_TOKENS 24

/* Room for the words already read, quoted in "missing X after '...'". */
#define CMD_PREFIX_MAX 128

/* A line being parsed (cmd.c). */
struct cmd_ctx {
	char buf[DSR_CMD_LINE_MAX + 1]; /* the line, comment cut, tokens NUL-terminated */
	char *tok[CMD_MAX_TOKENS];
	unsigned int ntok;
	unsigned int pos; /* next token to read */
	char *err;
	size_t errlen;
};

/* cmd.c: reading arguments (each sets the error and returns -1 or NULL). */
const char *cmd_ctx_next(struct cmd_ctx *c, const char *what);
int cmd_ctx_unexpected(struct cmd_ctx *c, const char *hint);
int cmd_ctx_end(struct cmd_ctx *c);
int cmd_arg_u32(struct cmd_ctx *c, const char *what, uint32_t min, uint32_t max, uint32_t *v);
int cmd_arg_svc(struct cmd_ctx *c, struct dsr_svc_key *svc);

/* cmd_check.c: check set. */
int cmd_parse_check(struct cmd_ctx *c, struct dsr_cmd *cmd);
int cmd_format_check(const struct dsr_cmd *cmd, const struct dsr_cmd_spec *spec, char *buf,
		     size_t len);

/* cmd_show.c: the run-time commands' parsers and formatter. */
int cmd_parse_show_svc(struct cmd_ctx *c, struct dsr_cmd *cmd);
int cmd_parse_show_conns(struct cmd_ctx *c, struct dsr_cmd *cmd);
int cmd_parse_show_stats(struct cmd_ctx *c, struct dsr_cmd *cmd);
int cmd_parse_no_args(struct cmd_ctx *c, struct dsr_cmd *cmd);
int cmd_parse_help(struct cmd_ctx *c, struct dsr_cmd *cmd);
int cmd_format_runtime(const struct dsr_cmd *cmd, const struct dsr_cmd_spec *spec, char *buf,
		       size_t len);

/* Copy s[0..n) into out for quoting, cut to CMD_QUOTE_MAX bytes plus "...". */
const char *cmd_quote(const char *s, size_t n, char out[CMD_QUOTE_SIZE]);

/* snprintf() into err when err is not NULL. */
void cmd_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Decimal digits only: no sign, no whitespace, no leading zero (except
 * "0" itself), value in min..max. "what" names the value in the error:
 * "bad WHAT 'TOKEN' (MIN-MAX)".
 */
int cmd_tok_u32(const char *s, size_t n, uint32_t min, uint32_t max, const char *what, uint32_t *v,
		char *err, size_t errlen);

/*
 * Seconds with up to three decimals ("2", "0.5", "1.25"), as ms in
 * min_ms..max_ms: "bad WHAT 'TOKEN' (MIN-MAX seconds)".
 */
int cmd_tok_ms(const char *s, size_t n, uint32_t min_ms, uint32_t max_ms, const char *what,
	       uint32_t *ms, char *err, size_t errlen);

/* Dotted quad, each octet 0..255 without leading zeros. "bad IPv4 address 'TOKEN'". */
int cmd_tok_ipv4(const char *s, size_t n, uint32_t *ip_be, char *err, size_t errlen);

/* Six pairs of hex digits separated by ':'. "bad MAC address 'TOKEN'". */
int cmd_tok_mac(const char *s, size_t n, uint8_t mac[6], char *err, size_t errlen);

/* VIP:PORT/PROTO; the error names the bad part (address, port or protocol). */
int cmd_tok_svc(const char *s, size_t n, struct dsr_svc_key *svc, char *err, size_t errlen);

/* An address of either family: IPv6 if it has a ':'. */
struct cmd_addr {
	uint8_t family; /* DSR_AF_IPV4 or DSR_AF_IPV6 */
	uint32_t ip;    /* network order */
	uint8_t ip6[16];
};
int cmd_tok_ipv6(const char *s, size_t n, uint8_t ip6[16], char *err, size_t errlen);
int cmd_tok_addr(const char *s, size_t n, struct cmd_addr *a, char *err, size_t errlen);

/* IP/LEN with LEN 0..32; the error names the bad part. */
int cmd_tok_prefix(const char *s, size_t n, struct cmd_addr *a, uint8_t *len, char *err,
		   size_t errlen);

/*
 * A Linux interface name: 1-15 of letters, digits, '_', '.', '-', not
 * "." or "..". "bad interface name 'TOKEN' (...)"; out holds the name.
 */
int cmd_tok_ifname(const char *s, size_t n, char out[DSR_IFNAME_MAX], char *err, size_t errlen);

/* Format an IPv4 address (network order) as a dotted quad; buf >= 16 bytes. */
const char *cmd_ipv4_str(uint32_t ip_be, char *buf, size_t len);

#endif /* DSR_CMD_PVT_H */
