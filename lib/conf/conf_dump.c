/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration written back as commands (show config, a saved
 * file): the settings first, then each VIP with its backends and check.
 */
#include <stdio.h>
#include <string.h>

#include "conf_pvt.h"
#include "dsr_conf.h"

/* Format cmd and write it as one line. */
static int
dump_cmd(FILE *out, const struct dsr_cmd *cmd)
{
	char line[2 * DSR_CMD_ERR_MAX];

	dsr_cmd_format(cmd, line, sizeof(line));
	return fprintf(out, "%s\n", line) < 0 ? -1 : 0;
}

static int
dump_vip(const struct dsr_conf *conf, uint16_t vip, FILE *out)
{
	struct dsr_cmd cmd;
	unsigned int i;
	int r;

	memset(&cmd, 0, sizeof(cmd));
	cmd.id = DSR_CMD_VIP_ADD;
	cmd.u.vip.svc = conf->vips[vip].svc;
	r = dump_cmd(out, &cmd);
	for (i = 0; i < DSR_MAX_BACKENDS && r == 0; i++) {
		const struct dsr_conf_backend *b = &conf->backends[i];

		if (!b->used || b->vip != vip)
			continue;
		memset(&cmd, 0, sizeof(cmd));
		cmd.id = DSR_CMD_BACKEND_ADD;
		cmd.u.backend.svc = conf->vips[vip].svc;
		cmd.u.backend.ip = b->ip;
		cmd.u.backend.family = b->family;
		memcpy(cmd.u.backend.ip6, b->ip6, 16);
		cmd.u.backend.has_mac = b->has_mac;
		memcpy(cmd.u.backend.mac, b->mac, sizeof(b->mac));
		cmd.u.backend.has_weight = true;
		cmd.u.backend.weight = b->weight;
		r = dump_cmd(out, &cmd);
	}
	if (r == 0 && conf->vips[vip].check.kind != DSR_CHECK_NONE) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.id = DSR_CMD_CHECK_SET;
		cmd.u.check.svc = conf->vips[vip].svc;
		cmd.u.check.check = conf->vips[vip].check;
		r = dump_cmd(out, &cmd);
	}
	return r;
}

static int
dump_emit(void *arg, const struct dsr_cmd *cmd)
{
	return dump_cmd(arg, cmd);
}

int
dsr_conf_dump(const struct dsr_conf *conf, FILE *out)
{
	unsigned int i;
	int r;

	r = dsr_conf_settings(conf, dump_emit, out);
	for (i = 0; i < DSR_MAX_VIPS && r == 0; i++)
		if (conf->vips[i].used)
			r = dump_vip(conf, (uint16_t)i, out);
	if (r == 0 && ferror(out))
		r = -1;
	return r < 0 ? -1 : 0;
}
