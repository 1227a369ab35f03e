/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration written back as commands (show config, a saved
 * file): the settings first, then each VIP with its backends and check;
 * and the settings' writers, which a reload also compares.
 */
#include <stdio.h>
#include <string.h>

#include "conf_pvt.h"
#include "dsr_conf.h"

/*
 * The settings' current values as commands (DSR_CMD_F_SETTING rows):
 * show config and the reload's comparison of settings come from these.
 */
int
dsr_conf_settings_ports(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg)
{
	struct dsr_cmd cmd;
	unsigned int i;
	int r = 0;

	for (i = 0; i < DSR_MAX_PORTS && r == 0; i++) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.id = DSR_CMD_PORT_ADDRESS;
		cmd.u.port_addr.port = (uint16_t)i;
		if (conf->ports[i].has_addr) {
			cmd.u.port_addr.prefix_len = conf->ports[i].prefix_len;
			cmd.u.port_addr.ip = conf->ports[i].ip;
			r = emit(arg, &cmd);
		}
		if (conf->ports[i].has_addr6 && r == 0) {
			cmd.u.port_addr.family = DSR_AF_IPV6;
			cmd.u.port_addr.ip = 0;
			cmd.u.port_addr.prefix_len = conf->ports[i].prefix6;
			memcpy(cmd.u.port_addr.ip6, conf->ports[i].ip6, 16);
			r = emit(arg, &cmd);
		}
	}
	return r;
}

int
dsr_conf_settings_port_kif(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg)
{
	struct dsr_cmd cmd;
	unsigned int i;
	int r = 0;

	for (i = 0; i < DSR_MAX_PORTS && r == 0; i++) {
		if (conf->ports[i].kif[0] == '\0')
			continue;
		memset(&cmd, 0, sizeof(cmd));
		cmd.id = DSR_CMD_PORT_KERNEL_IF;
		cmd.u.port_kif.port = (uint16_t)i;
		memcpy(cmd.u.port_kif.name, conf->ports[i].kif, DSR_IFNAME_MAX);
		r = emit(arg, &cmd);
	}
	return r;
}

int
dsr_conf_settings_timeouts(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg)
{
	struct dsr_cmd cmd;
	unsigned int i;
	int r = 0;

	for (i = 0; i < DSR_TIMEOUT_NKINDS && r == 0; i++) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.id = DSR_CMD_TIMEOUT_SET;
		cmd.u.timeout.kind = (enum dsr_timeout_kind)i;
		cmd.u.timeout.seconds = conf->timeout_s[i];
		r = emit(arg, &cmd);
	}
	return r;
}

static int
settings_scalar(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg, enum dsr_cmd_id id)
{
	struct dsr_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.id = id;
	switch (id) {
	case DSR_CMD_CONNTRACK_SIZE:
		cmd.u.size = conf->conntrack_size;
		break;
	case DSR_CMD_CONNTRACK_SIZE6:
		if (conf->conntrack_size6 == DSR_CONNTRACK6_AUTO)
			return 0; /* not set: it follows conntrack size */
		cmd.u.size = conf->conntrack_size6;
		break;
	case DSR_CMD_MAGLEV_SIZE:
		cmd.u.size = conf->maglev_size;
		break;
	case DSR_CMD_STRICT_SYN:
		cmd.u.on = conf->strict_syn;
		break;
	case DSR_CMD_ICMP_FORWARD:
		cmd.u.on = conf->icmp_forward;
		break;
	case DSR_CMD_ICMP_RATE:
		cmd.u.rate = conf->icmp_rate;
		break;
	case DSR_CMD_ARP_ANNOUNCE:
		cmd.u.arp_announce.count = conf->arp_announce_count;
		cmd.u.arp_announce.interval_s = conf->arp_announce_interval_s;
		break;
	default: /* DSR_CMD_ARP_REFRESH */
		cmd.u.seconds = conf->arp_refresh_s;
		break;
	}
	return emit(arg, &cmd);
}

#define SETTINGS_SCALAR(name, id)                                                                  \
	int dsr_conf_settings_##name(const struct dsr_conf *conf, dsr_conf_emit_fn emit,           \
				     void *arg)                                                    \
	{                                                                                          \
		return settings_scalar(conf, emit, arg, id);                                       \
	}
SETTINGS_SCALAR(conntrack, DSR_CMD_CONNTRACK_SIZE)
SETTINGS_SCALAR(conntrack6, DSR_CMD_CONNTRACK_SIZE6)
SETTINGS_SCALAR(maglev, DSR_CMD_MAGLEV_SIZE)
SETTINGS_SCALAR(strict_syn, DSR_CMD_STRICT_SYN)
SETTINGS_SCALAR(arp_announce, DSR_CMD_ARP_ANNOUNCE)
SETTINGS_SCALAR(arp_refresh, DSR_CMD_ARP_REFRESH)
SETTINGS_SCALAR(icmp_forward, DSR_CMD_ICMP_FORWARD)
SETTINGS_SCALAR(icmp_rate, DSR_CMD_ICMP_RATE)

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
	cmd.u.vip.routed = conf->vips[vip].routed;
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
