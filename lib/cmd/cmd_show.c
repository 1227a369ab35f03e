/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The run-time commands (show ..., conns flush, help): their parsers and
 * their canonical form. They never appear in a config file.
 */
#include <stdio.h>
#include <string.h>

#include "cmd_pvt.h"

static const char *const section_names[DSR_STATS_NSECTIONS] = {
	[DSR_STATS_ALL] = "all",           [DSR_STATS_PORTS] = "ports",
	[DSR_STATS_WORKERS] = "workers",   [DSR_STATS_VIPS] = "vips",
	[DSR_STATS_BACKENDS] = "backends", [DSR_STATS_DROPS] = "drops",
	[DSR_STATS_ARP] = "arp",           [DSR_STATS_CONTROL] = "control",
};

const char *
dsr_stats_section_name(enum dsr_stats_section s)
{
	return (unsigned int)s < DSR_STATS_NSECTIONS ? section_names[s] : "?";
}

int
cmd_parse_no_args(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	(void)cmd;
	return cmd_ctx_end(c);
}

/* An optional service as the next token (it always has a ':'). */
static int
opt_svc(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	if (c->pos < c->ntok && strchr(c->tok[c->pos], ':') != NULL) {
		if (cmd_arg_svc(c, &cmd->u.show.svc) < 0)
			return -1;
		cmd->u.show.has_svc = true;
	}
	return 0;
}

int
cmd_parse_show_svc(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	if (opt_svc(c, cmd) < 0)
		return -1;
	return cmd_ctx_end(c);
}

int
cmd_parse_show_conns(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	const char *t;

	if (opt_svc(c, cmd) < 0)
		return -1;
	if (c->pos == c->ntok)
		return 0;
	t = cmd_ctx_next(c, CMD_KW_LIMIT);
	if (strcmp(t, CMD_KW_LIMIT) != 0)
		return cmd_ctx_unexpected(c, " (expected 'limit' or VIP:PORT/PROTO)");
	if (cmd_arg_u32(c, "limit", 1, UINT32_MAX, &cmd->u.show.limit) < 0)
		return -1;
	return cmd_ctx_end(c);
}

int
cmd_parse_show_stats(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	unsigned int i;
	const char *t;

	while (c->pos < c->ntok) {
		t = c->tok[c->pos++];
		if (strcmp(t, CMD_KW_PROMETHEUS) == 0 && !cmd->u.show.prometheus) {
			cmd->u.show.prometheus = true;
			continue;
		}
		for (i = 1; i < DSR_STATS_NSECTIONS; i++)
			if (strcmp(t, section_names[i]) == 0)
				break;
		if (i == DSR_STATS_NSECTIONS || cmd->u.show.section != DSR_STATS_ALL)
			return cmd_ctx_unexpected(c, " (expected ports, workers, vips, backends, "
						     "drops, arp, control or --prometheus)");
		cmd->u.show.section = (uint8_t)i;
	}
	return 0;
}

int
cmd_parse_help(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	size_t used = 0;

	for (; c->pos < c->ntok; c->pos++) {
		size_t n = strlen(c->tok[c->pos]);

		if (used + n + 2 > sizeof(cmd->u.topic))
			return cmd_ctx_unexpected(c, " (help topic too long)");
		if (used > 0)
			cmd->u.topic[used++] = ' ';
		memcpy(cmd->u.topic + used, c->tok[c->pos], n);
		used += n;
		cmd->u.topic[used] = '\0';
	}
	return 0;
}

int
cmd_format_runtime(const struct dsr_cmd *cmd, const struct dsr_cmd_spec *spec, char *buf,
		   size_t len)
{
	char svc[48] = "", lim[24] = "";

	/* Only these use u.show.svc: for help, the union holds the topic. */
	if ((cmd->id == DSR_CMD_SHOW_BACKENDS || cmd->id == DSR_CMD_CONNS_FLUSH ||
	     cmd->id == DSR_CMD_SHOW_CONNS) &&
	    cmd->u.show.has_svc) {
		svc[0] = ' ';
		dsr_svc_str(&cmd->u.show.svc, svc + 1, sizeof(svc) - 1);
	}
	switch (cmd->id) {
	case DSR_CMD_SHOW_BACKENDS:
	case DSR_CMD_CONNS_FLUSH:
		return snprintf(buf, len, "%s%s", spec->words, svc);
	case DSR_CMD_SHOW_CONNS:
		if (cmd->u.show.limit > 0)
			snprintf(lim, sizeof(lim), " %s %u", CMD_KW_LIMIT, cmd->u.show.limit);
		return snprintf(buf, len, "%s%s%s", spec->words, svc, lim);
	case DSR_CMD_SHOW_STATS:
		return snprintf(buf, len, "%s%s%s%s", spec->words, cmd->u.show.section ? " " : "",
				cmd->u.show.section ? section_names[cmd->u.show.section] : "",
				cmd->u.show.prometheus ? " " CMD_KW_PROMETHEUS : "");
	case DSR_CMD_HELP:
		return snprintf(buf, len, "%s%s%s", spec->words, cmd->u.topic[0] ? " " : "",
				cmd->u.topic);
	default:
		return snprintf(buf, len, "%s", spec->words);
	}
}
