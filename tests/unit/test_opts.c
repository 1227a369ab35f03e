/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/opts: the option tables, what getopt_long() gets from them and the
 * --help lines.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_opts.h"
#include "dsr_test.h"

#define MAX 16

/* Names and keys are unique, every row has help, short keys are letters. */
static void
check_table(const struct dsr_opt_spec *t, unsigned int n)
{
	unsigned int i, j;

	CHECK(n > 0 && n < MAX);
	for (i = 0; i < n; i++) {
		CHECK(t[i].name != NULL && t[i].name[0] != '-');
		CHECK(t[i].help != NULL && t[i].help[0] != '\0');
		CHECK(t[i].key >= DSR_OPT_LONG_ONLY || (t[i].key >= 'a' && t[i].key <= 'z') ||
		      (t[i].key >= 'A' && t[i].key <= 'Z'));
		for (j = i + 1; j < n; j++) {
			CHECK(strcmp(t[i].name, t[j].name) != 0);
			CHECK(t[i].key != t[j].key);
		}
	}
}

static void
test_tables(void)
{
	const struct dsr_opt_spec *t;
	unsigned int n;

	t = dsr_opts_daemon(&n);
	check_table(t, n);
	t = dsr_opts_ctl(&n);
	check_table(t, n);
}

static void
test_getopt(void)
{
	struct option lo[MAX + 1];
	char so[3 * MAX + 2];
	const struct dsr_opt_spec *t;
	unsigned int n, i;

	t = dsr_opts_daemon(&n);
	CHECK_EQ(dsr_opts_getopt(t, n, "", lo, MAX + 1, so, sizeof(so)), 0);
	/* f: s: r: m: c d h; --version is long only. */
	CHECK_STR(so, "f:s:r:m:cedh");
	for (i = 0; i < n; i++) {
		CHECK_STR(lo[i].name, t[i].name);
		CHECK_EQ(lo[i].val, t[i].key);
		CHECK_EQ(lo[i].has_arg, t[i].arg != NULL ? required_argument : no_argument);
		CHECK(lo[i].flag == NULL);
	}
	CHECK(lo[n].name == NULL && lo[n].val == 0);

	t = dsr_opts_ctl(&n);
	CHECK_EQ(dsr_opts_getopt(t, n, "+", lo, MAX + 1, so, sizeof(so)), 0);
	CHECK_STR(so, "+s:jf:h");
	/* Too small: refused, not overrun. */
	CHECK_EQ(dsr_opts_getopt(t, n, "+", lo, n, so, sizeof(so)), -1);
	CHECK_EQ(dsr_opts_getopt(t, n, "+", lo, MAX + 1, so, 4), -1);
}

/* getopt_long() with the generated arguments parses a real command line. */
static void
test_parse(void)
{
	char a0[] = "dsrlb", a1[] = "-f", a2[] = "x.conf", a3[] = "--ro-socket=/r",
	     a4[] = "--version", a5[] = "-d";
	char *argv[] = {a0, a1, a2, a3, a4, a5, NULL};
	struct option lo[MAX + 1];
	char so[3 * MAX + 2];
	const struct dsr_opt_spec *t;
	unsigned int n;
	int c, seen = 0;

	t = dsr_opts_daemon(&n);
	CHECK_EQ(dsr_opts_getopt(t, n, "", lo, MAX + 1, so, sizeof(so)), 0);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(6, argv, so, lo, NULL)) != -1) {
		if (c == 'f') {
			CHECK_STR(optarg, "x.conf");
			seen |= 1;
		} else if (c == 'r') {
			CHECK_STR(optarg, "/r");
			seen |= 2;
		} else if (c == DSR_OPT_VERSION)
			seen |= 4;
		else if (c == 'd')
			seen |= 8;
		else
			CHECK(0);
	}
	CHECK_EQ(seen, 15);
}

static void
test_usage(void)
{
	const struct dsr_opt_spec *t;
	char *buf = NULL;
	size_t len = 0;
	unsigned int n;
	FILE *f;

	t = dsr_opts_daemon(&n);
	f = open_memstream(&buf, &len);
	CHECK(f != NULL);
	if (f == NULL)
		return;
	dsr_opts_usage(f, t, n);
	fclose(f);
	CHECK(strstr(buf, "  -f, --config FILE      configuration:") == buf);
	CHECK(strstr(buf, "\n      --version          print the version and exit\n") != NULL);
	CHECK(strstr(buf, "(default " DSR_DEFAULT_SOCKET ")") != NULL);
	free(buf);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_tables),
		DSR_TEST(test_getopt),
		DSR_TEST(test_parse),
		DSR_TEST(test_usage),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
