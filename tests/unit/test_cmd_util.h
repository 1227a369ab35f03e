/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TEST_CMD_UTIL_H
#define TEST_CMD_UTIL_H

/* Helpers of the lib/cmd grammar tests (test_cmd.c, test_check.c, test_announce.c). */

#include "dsr_cmd.h"
#include "dsr_test.h"

/* A line that must fail to parse with exactly msg. */
#define EXPECT_ERR(line, msg)                                                                      \
	do {                                                                                       \
		struct dsr_cmd _c;                                                                 \
		char _e[DSR_CMD_ERR_MAX] = "";                                                     \
		CHECK_EQ(dsr_cmd_parse(line, &_c, _e, sizeof(_e)), -1);                            \
		CHECK_STR(_e, msg);                                                                \
	} while (0)

#endif /* TEST_CMD_UTIL_H */
