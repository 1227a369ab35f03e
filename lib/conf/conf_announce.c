/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VIP routes (issue 18): `announce table T`, the table whose routes a
 * routing daemon announces, and `vip add ... routed`, a VIP that routers
 * reach by that route rather than by ARP/NDP.
 */
#include <string.h>

#include "conf_pvt.h"
#include "dsr_conf.h"

int
dsr_conf_apply_announce_table(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err,
			      size_t errlen)
{
	const char *why = dsr_route_table_reserved(cmd->u.table);

	if (why != NULL)
		return dsr_conf_err(err, errlen, "announce table %u is the kernel's '%s' table",
				    cmd->u.table, why);
	if (!dsr_conf_has_kernel_if(conf))
		return dsr_conf_err(err, errlen,
				    "announce table: the routes go through a port's kernel "
				    "interface, and no port has one: add 'port N kernel-interface "
				    "NAME' before it");
	conf->announce_table = cmd->u.table;
	return 0;
}

int
dsr_conf_settings_announce(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg)
{
	struct dsr_cmd cmd;

	if (conf->announce_table == 0)
		return 0;
	memset(&cmd, 0, sizeof(cmd));
	cmd.id = DSR_CMD_ANNOUNCE_TABLE;
	cmd.u.table = conf->announce_table;
	return emit(arg, &cmd);
}

bool
dsr_conf_same_addr(const struct dsr_svc_key *a, const struct dsr_svc_key *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == DSR_AF_IPV6)
		return memcmp(a->ip6, b->ip6, 16) == 0;
	return a->ip == b->ip;
}

int
dsr_conf_check_routed(const struct dsr_conf *conf, const struct dsr_svc_key *svc, bool routed,
		      char *err, size_t errlen)
{
	char s[DSR_SVC_STR_LEN], o[DSR_SVC_STR_LEN];
	unsigned int i;

	for (i = 0; i < DSR_MAX_VIPS; i++) {
		const struct dsr_conf_vip *v = &conf->vips[i];

		if (!v->used || !dsr_conf_same_addr(&v->svc, svc) || v->routed == routed)
			continue;
		return dsr_conf_err(err, errlen,
				    "VIP %s %s routed but VIP %s, of the same address, %s: all "
				    "services of an address are routed or none",
				    dsr_svc_str(svc, s, sizeof(s)), routed ? "is" : "is not",
				    dsr_svc_str(&v->svc, o, sizeof(o)),
				    v->routed ? "is" : "is not");
	}
	return 0;
}
