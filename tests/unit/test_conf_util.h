/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TEST_CONF_UTIL_H
#define TEST_CONF_UTIL_H

/* Helpers of the lib/conf unit tests (test_conf.c, test_conf_hard.c). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_conf.h"
#include "dsr_test.h"

static inline struct dsr_conf *
conf_new(void)
{
	struct dsr_conf *c = malloc(sizeof(*c));

	if (c == NULL) {
		perror("malloc");
		exit(2);
	}
	dsr_conf_init(c);
	return c;
}

/* Apply a line that must succeed; print the error if not. */
static inline void
apply_ok(struct dsr_conf *c, const char *line, int lineno)
{
	char err[DSR_CMD_ERR_MAX] = "";

	if (dsr_conf_apply_line(c, line, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s:%d: '%s': %s\n", __FILE__, lineno, line, err);
		dsr_test_failures++;
	}
}

#define APPLY_OK(c, line) apply_ok(c, line, __LINE__)

/* A line that must fail with exactly msg and leave the state as it was. */
static inline void
apply_err(struct dsr_conf *c, const char *line, const char *msg, int lineno)
{
	struct dsr_conf *before = malloc(sizeof(*before));
	char err[DSR_CMD_ERR_MAX] = "";
	int r;

	memcpy(before, c, sizeof(*c));
	r = dsr_conf_apply_line(c, line, err, sizeof(err));
	if (r != -1 || strcmp(err, msg) != 0 || memcmp(before, c, sizeof(*c)) != 0) {
		fprintf(stderr, "%s:%d: '%s' -> %d '%s', want -1 '%s'%s\n", __FILE__, lineno, line,
			r, err, msg, memcmp(before, c, sizeof(*c)) != 0 ? ", state changed" : "");
		dsr_test_failures++;
	}
	free(before);
}

#define APPLY_ERR(c, line, msg) apply_err(c, line, msg, __LINE__)

#endif /* TEST_CONF_UTIL_H */
