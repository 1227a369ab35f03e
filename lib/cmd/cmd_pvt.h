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
#define CMD_KW_ADDRESS "address"
#define CMD_KW_MAC     "mac"
#define CMD_KW_WEIGHT  "weight"
#define CMD_KW_ON      "on"
#define CMD_KW_OFF     "off"
#define CMD_KW_TCP     "tcp"
#define CMD_KW_UDP     "udp"
#define CMD_KW_INTERVAL "interval"

/* Copy s[0..n) into out for quoting, cut to CMD_QUOTE_MAX bytes plus "...". */
const char *cmd_quote(const char *s, size_t n, char out[CMD_QUOTE_SIZE]);

/* snprintf() into err when err is not NULL. */
void cmd_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Decimal digits only: no sign, no whitespace, no leading zero (except
 * "0" itself), value in min..max. "what" names the value in the error:
 * "bad WHAT 'TOKEN' (MIN-MAX)".
 */
int cmd_tok_u32(const char *s, size_t n, uint32_t min, uint32_t max, const char *what,
		uint32_t *v, char *err, size_t errlen);

/* Dotted quad, each octet 0..255 without leading zeros. "bad IPv4 address 'TOKEN'". */
int cmd_tok_ipv4(const char *s, size_t n, uint32_t *ip_be, char *err, size_t errlen);

/* Six pairs of hex digits separated by ':'. "bad MAC address 'TOKEN'". */
int cmd_tok_mac(const char *s, size_t n, uint8_t mac[6], char *err, size_t errlen);

/* VIP:PORT/PROTO; the error names the bad part (address, port or protocol). */
int cmd_tok_svc(const char *s, size_t n, struct dsr_svc_key *svc, char *err, size_t errlen);

/* IP/LEN with LEN 0..32; the error names the bad part. */
int cmd_tok_prefix(const char *s, size_t n, uint32_t *ip_be, uint8_t *len, char *err,
		   size_t errlen);

/* Format an IPv4 address (network order) as a dotted quad; buf >= 16 bytes. */
const char *cmd_ipv4_str(uint32_t ip_be, char *buf, size_t len);

#endif /* DSR_CMD_PVT_H */
