/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_CONF_PVT_H
#define DSR_CONF_PVT_H

/* Shared by conf.c (commands) and conf_file.c (files). */

#include <stddef.h>

#include "dsr_conf.h"

/* Write one error line into err (if any) and return -1. */
int dsr_conf_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse and apply n bytes of text; a blank or comment line is 0. */
int dsr_conf_apply_text(struct dsr_conf *conf, const char *line, size_t n, char *err,
			size_t errlen);

/* conf_check.c: check set. */
int dsr_conf_apply_check(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err,
			 size_t errlen);

#endif /* DSR_CONF_PVT_H */
