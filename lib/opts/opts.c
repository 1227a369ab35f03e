/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The option tables of dsrlb and dsrlbctl and what is made from them:
 * getopt_long()'s arguments and the --help lines. The man pages
 * (dsrlbctl --man) read the same tables.
 */
#include <string.h>

#include "dsr_opts.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const struct dsr_opt_spec daemon_opts[] = {
	{"config", 'f', "FILE", "configuration: one command per line (see dsrlb.conf(5))"},
	{"socket", 's', "PATH",
	 "control socket, mode 0660, root and group dsrlb (default " DSR_DEFAULT_SOCKET ")"},
	{"ro-socket", 'r', "PATH", "read-only control socket for any local user (show, help)"},
	{"mbufs", 'm', "N",
	 "packet buffers in each NUMA node's pool (default: sized from the queues)"},
	{"record-cycles", 'c', NULL, "count worker cycles by stage (show stats workers)"},
	{"allow-empty", 'e', NULL, "let a reload (SIGHUP) of a file with no VIP remove them all"},
	{"debug", 'd', NULL, "log debug lines too"},
	{"version", DSR_OPT_VERSION, NULL, "print the version and exit"},
	{"help", 'h', NULL, "this text"},
};

static const struct dsr_opt_spec ctl_opts[] = {
	{"socket", 's', "PATH", "control socket ($DSRLB_SOCKET, default " DSR_DEFAULT_SOCKET ")"},
	{"json", 'j', NULL, "ask for replies as JSON documents, one per line"},
	{"file", 'f', "FILE",
	 "send the commands of FILE in order (config file language; '-' is stdin) and stop at "
	 "the first error"},
	{"markdown", DSR_OPT_MARKDOWN, NULL, "print the command reference (docs/cli.md)"},
	{"man", DSR_OPT_MAN, "PAGE", "print a man page: dsrlb.8, dsrlbctl.8 or dsrlb.conf.5"},
	{"version", DSR_OPT_VERSION, NULL, "print the version and exit"},
	{"help", 'h', NULL, "this text"},
};

const struct dsr_opt_spec *
dsr_opts_daemon(unsigned int *n)
{
	*n = NELEMS(daemon_opts);
	return daemon_opts;
}

const struct dsr_opt_spec *
dsr_opts_ctl(unsigned int *n)
{
	*n = NELEMS(ctl_opts);
	return ctl_opts;
}

int
dsr_opts_getopt(const struct dsr_opt_spec *t, unsigned int n, const char *prefix,
		struct option *longopts, unsigned int nlong, char *shortopts, unsigned int nshort)
{
	size_t k = strlen(prefix);
	unsigned int i;

	if (nlong < n + 1 || nshort < k + 3 * n + 1)
		return -1;
	memcpy(shortopts, prefix, k);
	for (i = 0; i < n; i++) {
		longopts[i].name = t[i].name;
		longopts[i].has_arg = t[i].arg != NULL ? required_argument : no_argument;
		longopts[i].flag = NULL;
		longopts[i].val = t[i].key;
		if (t[i].key >= DSR_OPT_LONG_ONLY)
			continue;
		shortopts[k++] = (char)t[i].key;
		if (t[i].arg != NULL)
			shortopts[k++] = ':';
	}
	memset(&longopts[n], 0, sizeof(longopts[n]));
	shortopts[k] = '\0';
	return 0;
}

void
dsr_opts_usage(FILE *out, const struct dsr_opt_spec *t, unsigned int n)
{
	char left[64];
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (t[i].key < DSR_OPT_LONG_ONLY)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", t[i].key, t[i].name,
				 t[i].arg != NULL ? " " : "", t[i].arg != NULL ? t[i].arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", t[i].name,
				 t[i].arg != NULL ? " " : "", t[i].arg != NULL ? t[i].arg : "");
		fprintf(out, "  %-22s %s\n", left, t[i].help);
	}
}

void
dsr_opts_print_version(const char *program)
{
	printf("%s %s\n", program, DSR_VERSION);
}
