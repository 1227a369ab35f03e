/* SPDX-License-Identifier: BSD-3-Clause */
#include "dsr_test.h"

int dsr_test_failures;

int
dsr_test_run(const struct dsr_test_case *cases, unsigned int n)
{
	unsigned int i, passed = 0, failed = 0;

	for (i = 0; i < n; i++) {
		int before = dsr_test_failures;

		cases[i].fn();
		if (dsr_test_failures == before) {
			passed++;
			printf("ok   %s\n", cases[i].name);
		} else {
			failed++;
			printf("FAIL %s\n", cases[i].name);
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
