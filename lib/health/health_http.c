/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The http check's request and the parse of its answer's status line.
 */
#include <stdio.h>
#include <string.h>

#include "dsr_health.h"

int
dsr_health_http_request(char *buf, size_t len, const char *path, const char *host)
{
	int n = snprintf(buf, len, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path,
			 host);

	return n < 0 || (size_t)n >= len ? -1 : n;
}

int
dsr_health_http_status(const char *buf, size_t len)
{
	static const char proto[] = "HTTP/1.";
	size_t i;
	int code = 0;

	/* "HTTP/1.x DDD" is 12 bytes: judge what has come so far. */
	for (i = 0; i < len && i < sizeof(proto) - 1; i++)
		if (buf[i] != proto[i])
			return -1;
	if (len < 12)
		return 0;
	if (buf[7] < '0' || buf[7] > '9' || buf[8] != ' ')
		return -1;
	for (i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		code = code * 10 + (buf[i] - '0');
	}
	if (code < 100 || (len > 12 && buf[12] != ' ' && buf[12] != '\r'))
		return -1;
	return code;
}
