/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_TEST_H
#define DSR_TEST_H

/*
 * A minimal unit-test harness: no EAL, no framework. Each test binary
 * lists its cases in a table and calls dsr_test_run(). The last line
 * printed is "N passed, N failed", and the exit status is non-zero if
 * any check failed.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dsr_test_case {
	const char *name;
	void (*fn)(void);
};

extern int dsr_test_failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			dsr_test_failures++;                                                       \
		}                                                                                  \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long long _a = (long long)(a), _b = (long long)(b);                                \
		if (_a != _b) {                                                                    \
			fprintf(stderr, "%s:%d: check failed: %s == %s (%lld != %lld)\n",          \
				__FILE__, __LINE__, #a, #b, _a, _b);                               \
			dsr_test_failures++;                                                       \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		if (_a == NULL || _b == NULL || strcmp(_a, _b) != 0) {                             \
			fprintf(stderr, "%s:%d: check failed: \"%s\" == \"%s\"\n", __FILE__,       \
				__LINE__, _a ? _a : "(null)", _b ? _b : "(null)");                 \
			dsr_test_failures++;                                                       \
		}                                                                                  \
	} while (0)

/* clang-format off: it cannot lay out a braced initialiser in a macro */
#define DSR_TEST(fn)                                                                               \
	{                                                                                          \
#fn, fn                                                                            \
	}
/* clang-format on */

int dsr_test_run(const struct dsr_test_case *cases, unsigned int n);

#endif /* DSR_TEST_H */
