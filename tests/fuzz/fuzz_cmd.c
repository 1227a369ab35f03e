/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the command language (lib/cmd) and the configuration
 * state (lib/conf), with a generation built from what was accepted
 * (lib/gen).
 *
 * The whole input is parsed as one line (dsr_cmd_parse_n(), with an error
 * buffer of an input-chosen size), then split at '\n' into lines that are
 * each parsed and applied to a fresh configuration, as a config file or a
 * control socket would. Invariants:
 *   - parse returns -1, 0 or 1; on 0 and -1 the command is all zeros; on
 *     -1 the error is one line of printable ASCII (it goes back to the
 *     client as "ERR <error>"); a tiny error buffer is never overrun;
 *   - dsr_cmd_parse() and dsr_cmd_parse_n() agree on lines without NUL;
 *   - a parsed command, formatted with dsr_cmd_format() and parsed again,
 *     gives the same command (memcmp; a backend add has has_weight set);
 *   - dsr_conf_apply() that fails leaves the state unchanged (checked for
 *     the first lines of each input) and says why;
 *   - dsr_conf_dump() of the result, loaded into a fresh state, applies
 *     line by line and dumps the same text;
 *   - the generation builds (ENOMEM aside), finds every VIP by its service
 *     and its address (IPv4 or IPv6),
 *     and its Maglev tables name only backends of their own VIP that take
 *     new flows.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_cmd.h"
#include "dsr_conf.h"
#include "dsr_gen.h"
#include "dsr_maglev.h"
#include "fuzz_util.h"

#define SNAP_LINES  8    /* lines per input whose failure is checked against a copy */
#define MAGLEV_FUZZ 1021 /* larger tables are built at this size (a prime) */

static struct dsr_conf *conf, *conf2, *snap;

static void
check_err(int r, const struct dsr_cmd *cmd, const char *err)
{
	static const struct dsr_cmd zero;
	size_t i;

	FUZZ_CHECK(r >= -1 && r <= 1);
	if (r != 1)
		FUZZ_CHECK(memcmp(cmd, &zero, sizeof(zero)) == 0);
	if (r != -1)
		return;
	FUZZ_CHECK(err[0] != '\0');
	for (i = 0; err[i] != '\0'; i++)
		FUZZ_CHECK((unsigned char)err[i] >= 0x20 && (unsigned char)err[i] < 0x7f);
	FUZZ_CHECK(i < DSR_CMD_ERR_MAX);
}

/* Format cmd, parse it again: the same command. */
static void
round_trip(const struct dsr_cmd *cmd)
{
	char buf[DSR_CMD_LINE_MAX + 1], err[DSR_CMD_ERR_MAX];
	struct dsr_cmd want = *cmd, again;
	int n, r;

	n = dsr_cmd_format(cmd, buf, sizeof(buf));
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(buf));
	r = dsr_cmd_parse(buf, &again, err, sizeof(err));
	if (r != 1)
		fprintf(stderr, "fuzz_cmd: '%s' does not parse: %s\n", buf, err);
	FUZZ_CHECK(r == 1);
	if (want.id == DSR_CMD_BACKEND_ADD)
		want.u.backend.has_weight = true;
	if (memcmp(&want, &again, sizeof(want)) != 0)
		fprintf(stderr, "fuzz_cmd: '%s' parses to another command\n", buf);
	FUZZ_CHECK(memcmp(&want, &again, sizeof(want)) == 0);
}

/* Parse one line of n bytes (no '\n' inside), check it, apply it. */
static void
one_line(const uint8_t *p, size_t n, unsigned int lineno)
{
	char err[DSR_CMD_ERR_MAX], err2[DSR_CMD_ERR_MAX], cerr[DSR_CMD_ERR_MAX];
	struct dsr_cmd cmd, cmd2;
	char *line;
	int r, r2, rc;

	r = dsr_cmd_parse_n((const char *)p, n, &cmd, err, sizeof(err));
	check_err(r, &cmd, err);
	if (memchr(p, '\0', n) == NULL) {
		line = malloc(n + 1);
		FUZZ_CHECK(line != NULL);
		memcpy(line, p, n);
		line[n] = '\0';
		r2 = dsr_cmd_parse(line, &cmd2, err2, sizeof(err2));
		FUZZ_CHECK(r2 == r);
		FUZZ_CHECK(memcmp(&cmd, &cmd2, sizeof(cmd)) == 0);
		if (r == -1)
			FUZZ_CHECK(strcmp(err, err2) == 0);
		free(line);
	}
	if (r != 1)
		return;
	round_trip(&cmd);
	if (lineno < SNAP_LINES)
		memcpy(snap, conf, sizeof(*conf));
	cerr[0] = '\0';
	rc = dsr_conf_apply(conf, &cmd, cerr, sizeof(cerr));
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == -1) {
		FUZZ_CHECK(cerr[0] != '\0' && strchr(cerr, '\n') == NULL);
		if (lineno < SNAP_LINES)
			FUZZ_CHECK(memcmp(snap, conf, sizeof(*conf)) == 0);
	}
}

static char *
dump(const struct dsr_conf *c, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(dsr_conf_dump(c, f) == 0);
	FUZZ_CHECK(fclose(f) == 0);
	return text;
}

/* Load a dump into a fresh state, line by line: every line applies. */
static void
check_dump(void)
{
	char err[DSR_CMD_ERR_MAX];
	size_t len, len2;
	char *text = dump(conf, &len), *text2, *copy, *line, *save = NULL;

	copy = strdup(text);
	FUZZ_CHECK(copy != NULL);
	dsr_conf_init(conf2);
	for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (dsr_conf_apply_line(conf2, line, err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz_cmd: dumped line '%s' fails: %s\n", line, err);
			FUZZ_CHECK(!"a dumped line does not load");
		}
	}
	free(copy);
	text2 = dump(conf2, &len2);
	FUZZ_CHECK(len == len2 && memcmp(text, text2, len) == 0);
	free(text);
	free(text2);
}

/* lib/arp's part, decided by the address: unknown, known but failed, usable. */
static int
mac_of(void *arg, uint32_t ip, uint8_t mac[6])
{
	(void)arg;
	memset(mac, 0, 6);
	mac[0] = 0x02;
	memcpy(mac + 2, &ip, 4);
	return (int)(ip % 3) - 1;
}

static void
check_gen(void)
{
	struct dsr_gen *g;
	unsigned int v, b, s, nb_new;

	if (conf->maglev_size > MAGLEV_FUZZ)
		conf->maglev_size = MAGLEV_FUZZ;
	errno = 0;
	g = dsr_gen_build(conf, 1, mac_of, NULL);
	if (g == NULL) {
		FUZZ_CHECK(errno == ENOMEM);
		return;
	}
	for (v = 0; v < DSR_MAX_VIPS; v++) {
		const struct dsr_conf_vip *cv = &conf->vips[v];

		if (!cv->used)
			continue;
		if (cv->svc.family == DSR_AF_IPV6) {
			FUZZ_CHECK(dsr_gen_vip6_lookup(g, cv->svc.ip6, cv->svc.port,
						       cv->svc.proto) == (int)v);
			FUZZ_CHECK(dsr_gen_addr6_lookup(g, cv->svc.ip6) != NULL);
		} else {
			FUZZ_CHECK(dsr_gen_vip_lookup(g, cv->svc.ip, cv->svc.port, cv->svc.proto) ==
				   (int)v);
			FUZZ_CHECK(dsr_gen_addr_lookup(g, cv->svc.ip) != NULL);
		}
		nb_new = 0;
		for (b = 0; b < DSR_MAX_BACKENDS; b++) {
			const struct dsr_conf_backend *cb = &conf->backends[b];

			if (cb->used && cb->vip == v && (g->backends[b].flags & DSR_GEN_BE_NEW)) {
				FUZZ_CHECK(cb->weight > 0);
				nb_new++;
			}
		}
		FUZZ_CHECK(g->vips[v].nb_new == nb_new);
		for (s = 0; s < g->maglev_size; s++) {
			uint16_t id = g->vips[v].maglev[s];

			if (nb_new == 0) {
				FUZZ_CHECK(id == DSR_MAGLEV_NONE);
				continue;
			}
			FUZZ_CHECK(id < DSR_MAX_BACKENDS);
			FUZZ_CHECK(g->backends[id].vip == v);
			FUZZ_CHECK(g->backends[id].flags & DSR_GEN_BE_NEW);
		}
	}
	dsr_gen_free(g);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsr_cmd cmd;
	const uint8_t *p = data, *end = data + size, *nl;
	unsigned int lineno = 0;
	size_t errlen;
	char *err;
	int r;

	if (conf == NULL) {
		conf = malloc(sizeof(*conf));
		conf2 = malloc(sizeof(*conf2));
		snap = malloc(sizeof(*snap));
		FUZZ_CHECK(conf != NULL && conf2 != NULL && snap != NULL);
	}

	/* The whole input as one line, with a small error buffer of exact size. */
	errlen = 1 + (size > 0 ? data[0] % 48 : 0);
	err = malloc(errlen);
	FUZZ_CHECK(err != NULL);
	r = dsr_cmd_parse_n((const char *)data, size, &cmd, err, errlen);
	FUZZ_CHECK(r >= -1 && r <= 1);
	if (r == -1)
		FUZZ_CHECK(strlen(err) < errlen);
	if (r == 1)
		round_trip(&cmd);
	free(err);

	/* Line by line, into a configuration. */
	dsr_conf_init(conf);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		one_line(p, (size_t)(nl - p), lineno++);
		p = nl + 1;
	}
	check_dump();
	check_gen();
	return 0;
}
