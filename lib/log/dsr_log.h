/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_LOG_H
#define DSR_LOG_H

/**
 * @file
 * Log lines for operators: "LEVEL message", one line each, on stderr
 * (systemd's journal adds the time). Never called on the fast path.
 */

enum dsr_log_level {
	DSR_LOG_ERR = 0,
	DSR_LOG_WARNING,
	DSR_LOG_NOTICE,
	DSR_LOG_INFO,
	DSR_LOG_DEBUG,
};

/** Lines above this level are not printed (default: INFO). */
void dsr_log_set_level(enum dsr_log_level level);

void dsr_log(enum dsr_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* DSR_LOG_H */
