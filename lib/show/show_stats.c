/* SPDX-License-Identifier: BSD-3-Clause */
/* What the show commands derive from the balancer's state. */
#include <stdlib.h>

#include "dsr_ctl.h"
#include "dsr_lb.h"
#include "dsr_nd.h"
#include "show_pvt.h"

struct dsr_stats_lcore *
show_stats_snapshot(const struct dsr_lb *lb, struct dsr_ctl_out *out)
{
	struct dsr_stats_lcore *s = aligned_alloc(64, sizeof(*s));
	unsigned int v, b;

	if (s == NULL) {
		dsr_ctl_error(out, "out of memory");
		return NULL;
	}
	dsr_lb_stats(lb, s);
	/* The workers count live entries by backend only. */
	for (v = 0; v < DSR_MAX_VIPS; v++)
		s->vip[v].active = 0;
	for (b = 0; b < DSR_MAX_BACKENDS; b++)
		if (lb->conf->backends[b].used)
			s->vip[lb->conf->backends[b].vip].active += s->backend[b].active;
	return s;
}

enum dsr_mac_lookup
show_backend_lookup(const struct dsr_lb *lb, const struct dsr_conf_backend *cb, uint8_t mac[6])
{
	if (cb->family != DSR_AF_IPV6)
		return dsr_arp_lookup(lb->arp, cb->ip, mac);
	if (lb->nd == NULL)
		return DSR_MAC_PENDING;
	return dsr_nd_lookup(lb->nd, cb->ip6, mac);
}

/* The MAC a backend is sent to: static, resolved, or "none". */
const char *
show_backend_mac(const struct dsr_lb *lb, const struct dsr_conf_backend *cb, char *buf)
{
	uint8_t mac[6];

	if (cb->has_mac)
		return dsr_mac_str(cb->mac, buf);
	if (!dsr_mac_lookup_has_mac(show_backend_lookup(lb, cb, mac)))
		return "none";
	return dsr_mac_str(mac, buf);
}

/* Why a backend does or does not take new flows, as far as ARP (or ND) goes. */
const char *
show_backend_arp(const struct dsr_lb *lb, const struct dsr_conf_backend *cb)
{
	uint8_t mac[6];

	if (cb->has_mac)
		return "static";
	switch (show_backend_lookup(lb, cb, mac)) {
	case DSR_MAC_OK:
		return "resolved";
	case DSR_MAC_LOST:
	case DSR_MAC_NEVER:
		return "failed";
	case DSR_MAC_PENDING:
	default:
		return "unresolved";
	}
}
