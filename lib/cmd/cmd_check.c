/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `check set VIP:PORT/PROTO KIND [options]`: its parser and formatter.
 * Whether the check can run (a kernel interface for tcp and http, the
 * timeout within the interval) is lib/conf's to say.
 */
#include <stdio.h>
#include <string.h>

#include "cmd_pvt.h"

static const char *const check_kind_names[DSR_CHECK_NKINDS] = {
	[DSR_CHECK_NONE] = "none",
	[DSR_CHECK_TCP] = "tcp",
	[DSR_CHECK_HTTP] = "http",
	[DSR_CHECK_DSR] = "dsr",
};

void
dsr_check_default(struct dsr_check *c)
{
	memset(c, 0, sizeof(*c));
	c->kind = DSR_CHECK_NONE;
	c->interval_ms = DSR_CHECK_INTERVAL_DEF;
	c->timeout_ms = DSR_CHECK_TIMEOUT_DEF;
	c->rise = DSR_CHECK_RISE_DEF;
	c->fall = DSR_CHECK_FALL_DEF;
	c->expect = DSR_CHECK_EXPECT_DEF;
	c->path[0] = '/';
}

const char *
dsr_check_kind_name(enum dsr_check_kind kind)
{
	if ((unsigned int)kind >= DSR_CHECK_NKINDS)
		return "unknown";
	return check_kind_names[kind];
}

/* The options, each at most once. */
enum check_opt {
	OPT_PATH,
	OPT_EXPECT,
	OPT_PORT,
	OPT_INTERVAL,
	OPT_TIMEOUT,
	OPT_RISE,
	OPT_FALL,
	OPT_PANIC,
	OPT_N
};

static const char *const check_opt_names[OPT_N] = {
	CMD_KW_PATH,    CMD_KW_EXPECT, CMD_KW_PORT, CMD_KW_INTERVAL,
	CMD_KW_TIMEOUT, CMD_KW_RISE,   CMD_KW_FALL, CMD_KW_PANIC,
};

static int
check_path(struct cmd_ctx *c, struct dsr_check *k)
{
	const char *t = cmd_ctx_next(c, "PATH");
	char q[CMD_QUOTE_SIZE];
	size_t n;

	if (t == NULL)
		return -1;
	n = strlen(t);
	if (t[0] != '/' || n >= DSR_CHECK_PATH_MAX) {
		cmd_err(c->err, c->errlen, "bad path '%s' (starts with '/', at most %u bytes)",
			cmd_quote(t, n, q), DSR_CHECK_PATH_MAX - 1);
		return -1;
	}
	memcpy(k->path, t, n + 1);
	return 0;
}

static int
check_ms(struct cmd_ctx *c, const char *what, uint32_t *ms)
{
	const char *t = cmd_ctx_next(c, "seconds");

	if (t == NULL)
		return -1;
	return cmd_tok_ms(t, strlen(t), DSR_CHECK_INTERVAL_MIN, DSR_CHECK_INTERVAL_MAX, what, ms,
			  c->err, c->errlen);
}

/* Read one option's value into k. */
static int
check_opt(struct cmd_ctx *c, enum check_opt o, struct dsr_check *k)
{
	uint32_t v;

	switch (o) {
	case OPT_PATH:
		return check_path(c, k);
	case OPT_INTERVAL:
		return check_ms(c, CMD_KW_INTERVAL, &k->interval_ms);
	case OPT_TIMEOUT:
		return check_ms(c, CMD_KW_TIMEOUT, &k->timeout_ms);
	case OPT_RISE:
		return cmd_arg_u32(c, CMD_KW_RISE, 1, DSR_CHECK_RISE_MAX, &k->rise);
	case OPT_FALL:
		return cmd_arg_u32(c, CMD_KW_FALL, 1, DSR_CHECK_RISE_MAX, &k->fall);
	case OPT_EXPECT:
		if (cmd_arg_u32(c, "status", 100, 599, &v) < 0)
			return -1;
		k->expect = (uint16_t)v;
		return 0;
	case OPT_PORT:
		if (cmd_arg_u32(c, "port", 1, 65535, &v) < 0)
			return -1;
		k->port = (uint16_t)v;
		return 0;
	case OPT_PANIC:
		if (cmd_arg_u32(c, "panic percentage", 0, 100, &v) < 0)
			return -1;
		k->panic = (uint8_t)v;
		return 0;
	case OPT_N:
		break;
	}
	return -1;
}

int
cmd_parse_check(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	struct dsr_check *k = &cmd->u.check.check;
	bool seen[OPT_N] = {false};
	char q[CMD_QUOTE_SIZE];
	const char *t;
	unsigned int i, o;

	dsr_check_default(k);
	if (cmd_arg_svc(c, &cmd->u.check.svc) < 0)
		return -1;
	t = cmd_ctx_next(c, "check kind");
	if (t == NULL)
		return -1;
	for (i = 0; i < DSR_CHECK_NKINDS; i++)
		if (strcmp(t, check_kind_names[i]) == 0)
			break;
	if (i == DSR_CHECK_NKINDS) {
		cmd_err(c->err, c->errlen, "bad check kind '%s' (tcp, http, dsr or none)",
			cmd_quote(t, strlen(t), q));
		return -1;
	}
	k->kind = (uint8_t)i;
	while (c->pos < c->ntok) {
		t = c->tok[c->pos++];
		if (k->kind == DSR_CHECK_NONE)
			return cmd_ctx_unexpected(c, " ('none' takes no options)");
		for (o = 0; o < OPT_N; o++)
			if (strcmp(t, check_opt_names[o]) == 0)
				break;
		if (o == OPT_N)
			return cmd_ctx_unexpected(c, " (expected path, expect, port, interval, "
						     "timeout, rise, fall or panic)");
		if (seen[o])
			return cmd_ctx_unexpected(c, " (given twice)");
		if ((o == OPT_PATH || o == OPT_EXPECT) && k->kind != DSR_CHECK_HTTP)
			return cmd_ctx_unexpected(c, " (only http checks have a path and expect)");
		seen[o] = true;
		if (check_opt(c, (enum check_opt)o, k) < 0)
			return -1;
	}
	return 0;
}

int
cmd_format_check(const struct dsr_cmd *cmd, const struct dsr_cmd_spec *spec, char *buf, size_t len)
{
	const struct dsr_check *k = &cmd->u.check.check;
	char svc[DSR_SVC_STR_LEN], http[DSR_CHECK_PATH_MAX + 32] = "", port[16] = "", iv[16],
							     to[16];

	dsr_svc_str(&cmd->u.check.svc, svc, sizeof(svc));
	if (k->kind == DSR_CHECK_NONE)
		return snprintf(buf, len, "%s %s %s", spec->words, svc,
				dsr_check_kind_name(DSR_CHECK_NONE));
	if (k->kind == DSR_CHECK_HTTP)
		snprintf(http, sizeof(http), " %s %s %s %u", CMD_KW_PATH, k->path, CMD_KW_EXPECT,
			 k->expect);
	if (k->port != 0)
		snprintf(port, sizeof(port), " %s %u", CMD_KW_PORT, k->port);
	return snprintf(buf, len, "%s %s %s%s%s %s %s %s %s %s %u %s %u %s %u", spec->words, svc,
			dsr_check_kind_name((enum dsr_check_kind)k->kind), http, port,
			CMD_KW_INTERVAL, dsr_ms_str(k->interval_ms, iv, sizeof(iv)), CMD_KW_TIMEOUT,
			dsr_ms_str(k->timeout_ms, to, sizeof(to)), CMD_KW_RISE, k->rise,
			CMD_KW_FALL, k->fall, CMD_KW_PANIC, k->panic);
}
