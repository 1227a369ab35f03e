/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dsrlbctl: the command-line client of dsrlb's control socket. It sends
 * lines as typed (the daemon parses and validates them) and prints the
 * replies; lib/cmd's table only feeds completion and docs/cli.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsr_opts.h"
#include "dsrlbctl.h"

#define TIMEOUT_MAX_S 86400ul
#define OPTS_MAX      16 /* room for dsr_opts_ctl()'s rows */

static void
usage(FILE *out)
{
	const struct dsr_opt_spec *t;
	unsigned int n;

	t = dsr_opts_ctl(&n);
	fprintf(out, "usage: dsrlbctl [-s PATH] [--json] [COMMAND...]\n"
		     "       dsrlbctl [-s PATH] [--json] -f FILE\n"
		     "       dsrlbctl --markdown | --man PAGE | --version\n"
		     "Send commands to the control socket of dsrlb and print the replies.\n");
	dsr_opts_usage(out, t, n);
	fprintf(out,
		"Without COMMAND: a prompt if stdin is a terminal, else commands from stdin.\n"
		"'dsrlbctl help' lists the commands.\n"
		"Exit status: 0 OK, 1 the daemon answered ERR, 2 usage or connection error.\n"
		"DSRLB_TIMEOUT: seconds to wait for the daemon (default %d, 0 = no limit).\n",
		CTL_TIMEOUT_S);
}

static int
usage_error(const char *what)
{
	fprintf(stderr, "dsrlbctl: %s\n", what);
	usage(stderr);
	return CTL_FAIL;
}

/* DSRLB_TIMEOUT in milliseconds for poll(): -1 for no limit, -2 if bad. */
static int
timeout_ms(void)
{
	const char *s = getenv("DSRLB_TIMEOUT");
	unsigned long v;
	char *end;

	if (s == NULL || s[0] == '\0')
		return CTL_TIMEOUT_S * 1000;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v > TIMEOUT_MAX_S) {
		fprintf(stderr, "dsrlbctl: bad DSRLB_TIMEOUT '%s' (seconds, 0-%lu)\n", s,
			TIMEOUT_MAX_S);
		return -2;
	}
	return v == 0 ? -1 : (int)(v * 1000);
}

/* The COMMAND words joined by single spaces, as one request. */
static int
one_shot(struct ctl_conn *c, int argc, char **argv, bool json)
{
	size_t len = 0, n;
	char *line;
	int i, st;

	for (i = 0; i < argc; i++) {
		if (strpbrk(argv[i], "\r\n") != NULL)
			return usage_error("a COMMAND cannot hold a line break (use -f FILE)");
		len += strlen(argv[i]) + 1;
	}
	line = malloc(len);
	if (line == NULL)
		return usage_error("out of memory");
	for (i = 0, n = 0; i < argc; i++) {
		n += (size_t)sprintf(line + n, "%s%s", i > 0 ? " " : "", argv[i]);
	}
	if (ctl_line_is_blank(line, n)) {
		free(line);
		return usage_error("nothing to send: the COMMAND is empty or a comment");
	}
	st = ctl_conn_open(c);
	if (st == CTL_OK)
		st = ctl_request(c, line, n, json);
	if (st != CTL_OK)
		fprintf(stderr, "dsrlbctl: %s\n", c->msg);
	free(line);
	return st;
}

/* Send each command line of f in order; stop at the first that fails. */
static int
run_lines(struct ctl_conn *c, FILE *f, const char *name, bool json)
{
	unsigned long lineno = 0;
	char *line = NULL;
	size_t cap = 0, n;
	ssize_t r;
	int st = CTL_OK;

	while ((r = getline(&line, &cap, f)) >= 0) {
		n = (size_t)r;
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			n--;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (ctl_line_is_blank(line, n))
			continue;
		st = ctl_request(c, line, n, json);
		if (st != CTL_OK) {
			fprintf(stderr, "dsrlbctl: %s:%lu: %s\n", name, lineno, c->msg);
			break;
		}
	}
	if (st == CTL_OK && ferror(f)) {
		fprintf(stderr, "dsrlbctl: cannot read %s: %s\n", name, strerror(errno));
		st = CTL_FAIL;
	}
	free(line);
	return st;
}

/* Commands of a file, of stdin, or typed at a prompt. */
static int
many(struct ctl_conn *c, const char *file, bool json)
{
	const char *name = "stdin";
	FILE *f = stdin;
	int st;

	if (file != NULL && strcmp(file, "-") != 0) {
		name = file;
		f = fopen(file, "r");
		if (f == NULL) {
			fprintf(stderr, "dsrlbctl: cannot open %s: %s\n", file, strerror(errno));
			return CTL_FAIL;
		}
	}
	st = ctl_conn_open(c);
	if (st != CTL_OK)
		fprintf(stderr, "dsrlbctl: %s\n", c->msg);
	else if (file == NULL && isatty(STDIN_FILENO))
		st = ctl_interactive(c, json);
	else
		st = run_lines(c, f, name, json);
	if (f != stdin)
		fclose(f);
	return st;
}

int
main(int argc, char **argv)
{
	const char *path = getenv("DSRLB_SOCKET"), *file = NULL, *man = NULL;
	struct option longopts[OPTS_MAX + 1];
	char shortopts[3 * OPTS_MAX + 2];
	const struct dsr_opt_spec *t;
	bool json = false, markdown = false;
	struct ctl_conn c;
	unsigned int n;
	int opt, ms, st;

	if (path == NULL || path[0] == '\0')
		path = DSR_DEFAULT_SOCKET;
	t = dsr_opts_ctl(&n);
	/* "+": options end at the first COMMAND word (show stats --prometheus). */
	if (dsr_opts_getopt(t, n, "+", longopts, OPTS_MAX + 1, shortopts, sizeof(shortopts)) != 0)
		return usage_error("internal error: option table too long");
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'j':
			json = true;
			break;
		case DSR_OPT_MARKDOWN:
			markdown = true;
			break;
		case DSR_OPT_MAN:
			man = optarg;
			break;
		case DSR_OPT_VERSION:
			dsr_opts_print_version("dsrlbctl");
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return CTL_FAIL;
		}
	}
	if (markdown || man != NULL) {
		if (file != NULL || optind < argc || (markdown && man != NULL))
			return usage_error(
				"--markdown and --man take no COMMAND, -f nor each other");
		st = CTL_OK;
		if (markdown)
			ctl_markdown();
		else if (ctl_man(man) != 0)
			return usage_error("--man takes dsrlb.8, dsrlbctl.8 or dsrlb.conf.5");
	} else {
		if (file != NULL && optind < argc)
			return usage_error("give -f FILE or a COMMAND, not both");
		ms = timeout_ms();
		if (ms == -2)
			return CTL_FAIL;
		ctl_conn_init(&c, path, ms);
		if (optind < argc)
			st = one_shot(&c, argc - optind, argv + optind, json);
		else
			st = many(&c, file, json);
		ctl_conn_free(&c);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "dsrlbctl: cannot write to stdout: %s\n", strerror(errno));
		return CTL_FAIL;
	}
	return st;
}
