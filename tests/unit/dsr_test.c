/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The unit-test runner. Environment:
 *   DSR_TEST_FILTER=GLOB[,GLOB...]  run only the cases whose name matches
 *                                   one of the globs (fnmatch), e.g.
 *                                   DSR_TEST_FILTER='test_rst*' build/tests/unit/test_ct
 *   DSR_TEST_TAP=1                  write TAP (version 13) instead of the
 *                                   plain "ok   name" lines; meson runs the
 *                                   unit tests this way (protocol: 'tap').
 * Either way the last line is "N passed, N failed" (a TAP comment in TAP).
 */
#include <fnmatch.h>
#include <stdbool.h>

#include "dsr_test.h"

int dsr_test_failures;

static bool
selected(const char *filter, const char *name)
{
	char buf[256], *glob, *save = NULL;

	if (filter == NULL || filter[0] == '\0')
		return true;
	snprintf(buf, sizeof(buf), "%s", filter);
	for (glob = strtok_r(buf, ",", &save); glob != NULL; glob = strtok_r(NULL, ",", &save))
		if (fnmatch(glob, name, 0) == 0)
			return true;
	return false;
}

int
dsr_test_run(const struct dsr_test_case *cases, unsigned int n)
{
	const char *filter = getenv("DSR_TEST_FILTER"), *tap_env = getenv("DSR_TEST_TAP");
	bool tap = tap_env != NULL && strcmp(tap_env, "1") == 0;
	unsigned int i, passed = 0, failed = 0, planned = 0;

	for (i = 0; i < n; i++)
		planned += selected(filter, cases[i].name);
	if (planned == 0) {
		fprintf(stderr, "no test case matches DSR_TEST_FILTER '%s'\n", filter);
		if (tap)
			printf("1..0 # SKIP no case matches DSR_TEST_FILTER\n");
		printf("%s0 passed, 1 failed\n", tap ? "# " : "");
		return 1;
	}
	if (tap)
		printf("TAP version 13\n1..%u\n", planned);
	fflush(stdout);
	for (i = 0; i < n; i++) {
		int before = dsr_test_failures;

		if (!selected(filter, cases[i].name))
			continue;
		cases[i].fn();
		if (dsr_test_failures == before)
			passed++;
		else
			failed++;
		if (tap)
			printf("%sok %u - %s\n", dsr_test_failures == before ? "" : "not ",
			       passed + failed, cases[i].name);
		else
			printf("%s %s\n", dsr_test_failures == before ? "ok  " : "FAIL",
			       cases[i].name);
		fflush(stdout);
	}
	printf("%s%u passed, %u failed\n", tap ? "# " : "", passed, failed);
	return failed == 0 ? 0 : 1;
}
