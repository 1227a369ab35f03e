/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>

#include "dsr_log.h"

static enum dsr_log_level max_level = DSR_LOG_INFO;

static const char *const level_names[] = {"ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"};

void
dsr_log_set_level(enum dsr_log_level level)
{
	max_level = level;
}

void
dsr_log(enum dsr_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line, so lines from different sources never interleave. */
	fprintf(stderr, "%s %s\n", level_names[level], line);
}
