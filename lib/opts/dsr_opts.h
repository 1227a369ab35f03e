/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_OPTS_H
#define DSR_OPTS_H

/**
 * @file
 * The command-line options of the two programs, dsrlb and dsrlbctl, as
 * tables: each program's getopt_long() arguments, its --help text and its
 * man page come from the same rows, so they cannot disagree. Also the
 * version (from meson.build) and the defaults both programs share. Pure C.
 */

#include <getopt.h>
#include <stdio.h>

#include "dsr_common.h"
#include "dsr_version.h"

/** One option. */
struct dsr_opt_spec {
	const char *name; /**< long name, without "--" */
	int key;          /**< the short letter, or a value above 255 for a long-only option */
	const char *arg;  /**< the argument's name, e.g. "FILE"; NULL if it takes none */
	const char *help; /**< one line, no trailing full stop needed */
};

/** First key for long-only options. */
#define DSR_OPT_LONG_ONLY 256

/* Long-only keys. */
enum {
	DSR_OPT_VERSION = DSR_OPT_LONG_ONLY,
	DSR_OPT_MARKDOWN,
	DSR_OPT_MAN,
};

/** dsrlb's own options (after EAL's and "--"). */
const struct dsr_opt_spec *dsr_opts_daemon(unsigned int *n);

/** dsrlbctl's options. */
const struct dsr_opt_spec *dsr_opts_ctl(unsigned int *n);

/**
 * Fill getopt_long()'s arguments from a table: longopts needs n + 1
 * entries (the last is zeroed), shortopts 3 * n + 2 bytes. prefix is put
 * in front of the short options ("+" to stop at the first non-option).
 * @return 0, or -1 if a buffer is too small.
 */
int dsr_opts_getopt(const struct dsr_opt_spec *t, unsigned int n, const char *prefix,
		    struct option *longopts, unsigned int nlong, char *shortopts,
		    unsigned int nshort);

/** Write the table as --help lines: "  -f, --config FILE   help". */
void dsr_opts_usage(FILE *out, const struct dsr_opt_spec *t, unsigned int n);

/** Print "PROGRAM VERSION" to stdout (--version). */
void dsr_opts_print_version(const char *program);

#endif /* DSR_OPTS_H */
