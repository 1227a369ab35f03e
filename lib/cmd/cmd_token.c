/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Token parsers: one per token kind, on byte spans, strict. Each either
 * fills its result or leaves one error line naming the bad part.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd_pvt.h"

const char *
cmd_quote(const char *s, size_t n, char out[CMD_QUOTE_SIZE])
{
	if (n > CMD_QUOTE_MAX) {
		memcpy(out, s, CMD_QUOTE_MAX);
		memcpy(out + CMD_QUOTE_MAX, "...", 4);
	} else {
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return out;
}

void
cmd_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "bad WHAT 'TOKEN'SUFFIX", the one shape of every token error. */
static int
bad_token(char *err, size_t errlen, const char *what, const char *s, size_t n, const char *suffix)
{
	char q[CMD_QUOTE_SIZE];

	if (err != NULL)
		cmd_err(err, errlen, "bad %s '%s'%s", what, cmd_quote(s, n, q), suffix);
	return -1;
}

/* The decimal core of every number: 1-10 digits, no leading zero, fits in 32 bits. */
static int
dec_span(const char *s, size_t n, uint32_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x > UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

int
cmd_tok_u32(const char *s, size_t n, uint32_t min, uint32_t max, const char *what, uint32_t *v,
	    char *err, size_t errlen)
{
	char range[32];
	uint32_t x;

	if (dec_span(s, n, &x) == 0 && x >= min && x <= max) {
		*v = x;
		return 0;
	}
	snprintf(range, sizeof(range), " (%u-%u)", min, max);
	return bad_token(err, errlen, what, s, n, range);
}

int
cmd_tok_ms(const char *s, size_t n, uint32_t min_ms, uint32_t max_ms, const char *what,
	   uint32_t *ms, char *err, size_t errlen)
{
	const char *dot = memchr(s, '.', n);
	size_t whole = dot == NULL ? n : (size_t)(dot - s);
	size_t frac = dot == NULL ? 0 : n - whole - 1, i = 0;
	uint32_t w, f = 0, scale = 1000;
	char range[64], lo[16], hi[16];
	uint64_t x;

	if (dec_span(s, whole, &w) == 0 && (dot == NULL || (frac >= 1 && frac <= 3))) {
		for (i = 0; i < frac; i++) {
			char d = s[whole + 1 + i];

			if (d < '0' || d > '9')
				break;
			f = f * 10 + (uint32_t)(d - '0');
			scale /= 10;
		}
		x = (uint64_t)w * 1000 + (uint64_t)f * scale;
		if (i == frac && x >= min_ms && x <= max_ms) {
			*ms = (uint32_t)x;
			return 0;
		}
	}
	snprintf(range, sizeof(range), " (%s-%s seconds)", dsr_ms_str(min_ms, lo, sizeof(lo)),
		 dsr_ms_str(max_ms, hi, sizeof(hi)));
	return bad_token(err, errlen, what, s, n, range);
}

const char *
dsr_ms_str(uint32_t ms, char *buf, size_t len)
{
	char frac[8];
	size_t k;

	if (ms % 1000 == 0) {
		snprintf(buf, len, "%u", ms / 1000);
		return buf;
	}
	snprintf(frac, sizeof(frac), "%03u", ms % 1000);
	for (k = 3; k > 0 && frac[k - 1] == '0'; k--)
		frac[k - 1] = '\0';
	snprintf(buf, len, "%u.%s", ms / 1000, frac);
	return buf;
}

/* Four octets 0..255 separated by '.', no leading zeros, nothing else. */
static int
ipv4_span(const char *s, size_t n, uint32_t *ip_be)
{
	uint8_t b[4];
	size_t start = 0, i;
	unsigned int k = 0;
	uint32_t v;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (k == 4 || i - start > 3 || dec_span(s + start, i - start, &v) < 0 || v > 255)
			return -1;
		b[k++] = (uint8_t)v;
		start = i + 1;
	}
	if (k != 4)
		return -1;
	memcpy(ip_be, b, sizeof(b));
	return 0;
}

int
cmd_tok_ipv4(const char *s, size_t n, uint32_t *ip_be, char *err, size_t errlen)
{
	if (ipv4_span(s, n, ip_be) == 0)
		return 0;
	return bad_token(err, errlen, "IPv4 address", s, n, "");
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
cmd_tok_mac(const char *s, size_t n, uint8_t mac[6], char *err, size_t errlen)
{
	uint8_t m[6];
	unsigned int i;

	if (n != 17)
		return bad_token(err, errlen, "MAC address", s, n, "");
	for (i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return bad_token(err, errlen, "MAC address", s, n, "");
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, sizeof(m));
	return 0;
}

int
cmd_tok_ifname(const char *s, size_t n, char out[DSR_IFNAME_MAX], char *err, size_t errlen)
{
	size_t i;

	if (n == 0 || n >= DSR_IFNAME_MAX)
		return bad_token(err, errlen, "interface name", s, n, " (1-15 characters)");
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return bad_token(err, errlen, "interface name", s, n, "");
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return bad_token(err, errlen, "interface name", s, n,
					 " (letters, digits, '_', '.' and '-' only)");
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int
cmd_tok_ipv6(const char *s, size_t n, uint8_t ip6[16], char *err, size_t errlen)
{
	char buf[DSR_IP6_STR_LEN];
	size_t i;

	/* inet_pton() alone would take a zone ("%eth0") on some systems: digits, letters a-f, ':' and '.' only. */
	for (i = 0; i < n && i < sizeof(buf); i++)
		if (!isxdigit((unsigned char)s[i]) && s[i] != ':' && s[i] != '.')
			break;
	if (n == 0 || i != n || n >= sizeof(buf))
		return bad_token(err, errlen, "IPv6 address", s, n, "");
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, ip6) != 1)
		return bad_token(err, errlen, "IPv6 address", s, n, "");
	return 0;
}

int
cmd_tok_addr(const char *s, size_t n, struct cmd_addr *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	if (memchr(s, ':', n) == NULL)
		return cmd_tok_ipv4(s, n, &a->ip, err, errlen);
	a->family = DSR_AF_IPV6;
	return cmd_tok_ipv6(s, n, a->ip6, err, errlen);
}

int
cmd_tok_svc(const char *s, size_t n, struct dsr_svc_key *svc, char *err, size_t errlen)
{
	const char *close = n > 0 && s[0] == '[' ? memchr(s, ']', n) : NULL;
	const char *colon, *slash, *proto;
	size_t proto_len;
	struct cmd_addr a;
	uint32_t port;
	uint8_t p;

	/* [IPv6]:PORT/PROTO, or IPv4:PORT/PROTO. */
	if (close != NULL)
		colon = (size_t)(close + 1 - s) < n && close[1] == ':' ? close + 1 : NULL;
	else
		colon = memchr(s, ':', n);
	slash = colon == NULL ? NULL : memchr(colon, '/', n - (size_t)(colon - s));
	if (slash == NULL || (s[0] == '[' && close == NULL))
		return bad_token(err, errlen, "service", s, n,
				 " (expected VIP:PORT/PROTO or [VIP6]:PORT/PROTO)");
	if (close == NULL && memchr(colon + 1, ':', (size_t)(slash - colon - 1)) != NULL)
		return bad_token(err, errlen, "service", s, n,
				 " (an IPv6 VIP goes in brackets: [VIP6]:PORT/PROTO)");
	if (close != NULL) {
		memset(&a, 0, sizeof(a));
		a.family = DSR_AF_IPV6;
		if (cmd_tok_ipv6(s + 1, (size_t)(close - s - 1), a.ip6, err, errlen) < 0)
			return -1;
	} else if (cmd_tok_addr(s, (size_t)(colon - s), &a, err, errlen) < 0) {
		return -1;
	}
	if (cmd_tok_u32(colon + 1, (size_t)(slash - colon - 1), 1, 65535, "port", &port, err,
			errlen) < 0)
		return -1;
	proto = slash + 1;
	proto_len = n - (size_t)(proto - s);
	if (proto_len == strlen(CMD_KW_TCP) && memcmp(proto, CMD_KW_TCP, proto_len) == 0)
		p = IPPROTO_TCP;
	else if (proto_len == strlen(CMD_KW_UDP) && memcmp(proto, CMD_KW_UDP, proto_len) == 0)
		p = IPPROTO_UDP;
	else
		return bad_token(err, errlen, "protocol", proto, proto_len, " (tcp or udp)");
	memset(svc, 0, sizeof(*svc));
	svc->family = a.family;
	svc->ip = a.ip;
	memcpy(svc->ip6, a.ip6, 16);
	svc->port = htons((uint16_t)port);
	svc->proto = p;
	return 0;
}

int
cmd_tok_prefix(const char *s, size_t n, struct cmd_addr *a, uint8_t *len, char *err, size_t errlen)
{
	const char *slash = memchr(s, '/', n);
	uint32_t l;

	if (slash == NULL)
		return bad_token(err, errlen, "address", s, n, " (expected IP/LEN)");
	if (cmd_tok_addr(s, (size_t)(slash - s), a, err, errlen) < 0 ||
	    cmd_tok_u32(slash + 1, n - (size_t)(slash + 1 - s), 0,
			a->family == DSR_AF_IPV6 ? 128 : 32, "prefix length", &l, err, errlen) < 0)
		return -1;
	*len = (uint8_t)l;
	return 0;
}

const char *
cmd_ipv4_str(uint32_t ip_be, char *buf, size_t len)
{
	uint8_t b[4];

	memcpy(b, &ip_be, sizeof(b));
	snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return buf;
}

/* The public token parsers: whole NUL-terminated strings, no message. */

int
dsr_parse_ipv4(const char *s, uint32_t *ip_be)
{
	return cmd_tok_ipv4(s, strlen(s), ip_be, NULL, 0);
}

int
dsr_parse_mac(const char *s, uint8_t mac[6])
{
	return cmd_tok_mac(s, strlen(s), mac, NULL, 0);
}

int
dsr_parse_svc(const char *s, struct dsr_svc_key *svc)
{
	return cmd_tok_svc(s, strlen(s), svc, NULL, 0);
}

int
dsr_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	return cmd_tok_u32(s, strlen(s), min, max, "number", v, NULL, 0);
}

const char *
dsr_svc_str(const struct dsr_svc_key *svc, char *buf, size_t len)
{
	char ip[DSR_IP6_STR_LEN + 2];

	if (svc->family == DSR_AF_IPV6) {
		ip[0] = '[';
		dsr_ip6_str(svc->ip6, ip + 1);
		strcat(ip, "]");
	} else {
		cmd_ipv4_str(svc->ip, ip, sizeof(ip));
	}
	if (svc->proto == IPPROTO_TCP || svc->proto == IPPROTO_UDP)
		snprintf(buf, len, "%s:%u/%s", ip, ntohs(svc->port),
			 svc->proto == IPPROTO_TCP ? CMD_KW_TCP : CMD_KW_UDP);
	else
		snprintf(buf, len, "%s:%u/%u", ip, ntohs(svc->port), svc->proto);
	return buf;
}
