/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_TEST_CONF_LINES_H
#define DSR_TEST_CONF_LINES_H

/*
 * Config lines for tests and fuzzers (test_fwd, fuzz_fwd): each line is
 * applied to a config as the daemon's file would be, except "@hold N",
 * which marks backend id N as held, as a live change that removed a
 * backend leaves it.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_cmd.h"
#include "dsr_conf.h"

/** Apply lines (NULL-terminated) to c. @return 0, or -1 with the line and why in err. */
static inline int
test_conf_lines(struct dsr_conf *c, const char *const *lines, char *err, size_t errlen)
{
	char why[DSR_CMD_ERR_MAX];

	for (; *lines != NULL; lines++) {
		if (strncmp(*lines, "@hold ", 6) == 0) {
			c->backend_held[atoi(*lines + 6)] = true;
			continue;
		}
		if (dsr_conf_apply_line(c, *lines, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "'%s': %s", *lines, why);
			return -1;
		}
	}
	return 0;
}

#endif /* DSR_TEST_CONF_LINES_H */
