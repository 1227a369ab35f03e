/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/arp: lifecycle, configuration (which addresses are ours, on which
 * ports), the tick driver with announcements, and the helpers the other
 * files share (frame building, log lines). Layout: arp_pvt.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_arp.h"
#include "dsr_log.h"
#include "arp_pvt.h"

const uint8_t arp_mac_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
const uint8_t arp_mac_zero[6];

#define DSR_X_NAME(e, name, help) name,
static const char *const arp_counter_names[DSR_ARP_NCOUNTERS] = {DSR_ARP_COUNTERS(DSR_X_NAME)};
#undef DSR_X_NAME

static const char *const arp_state_names[] = {
	[DSR_NEIGH_INCOMPLETE] = "incomplete", [DSR_NEIGH_REACHABLE] = "reachable",
	[DSR_NEIGH_REFRESHING] = "refreshing", [DSR_NEIGH_FAILED] = "failed",
	[DSR_NEIGH_PROBING] = "probing",
};

static const char *const arp_conflict_kind_names[] = {
	[DSR_CONFLICT_USING] = "using",
	[DSR_CONFLICT_PROBE] = "probe",
	[DSR_CONFLICT_BACKEND] = "backend",
};

void
dsr_arp_params_default(struct dsr_arp_params *p)
{
	p->announce_count = 2;
	p->announce_interval_ms = 2000;
	p->refresh_ms = 60000;
	p->retry_ms = 1000;
	p->max_tries = 3;
	p->conflicts_max = DSR_ARP_CONFLICTS_MAX;
}

static bool
arp_ms_ok(uint32_t ms)
{
	return ms >= 1 && ms <= ARP_MS_MAX;
}

static bool
arp_params_ok(const struct dsr_arp_params *p)
{
	return p->announce_count <= ARP_ANNOUNCE_MAX && arp_ms_ok(p->announce_interval_ms) &&
	       arp_ms_ok(p->refresh_ms) && arp_ms_ok(p->retry_ms) && p->max_tries >= 1 &&
	       p->max_tries <= ARP_TRIES_MAX && p->conflicts_max >= 1 &&
	       p->conflicts_max <= ARP_CONFLICTS_MAX_MAX;
}

struct dsr_arp *
dsr_arp_create(const struct dsr_arp_params *p, dsr_arp_tx_fn tx, dsr_arp_log_fn log, void *arg)
{
	struct dsr_arp_params def;
	struct dsr_arp *a;

	if (p == NULL) {
		dsr_arp_params_default(&def);
		p = &def;
	}
	if (!arp_params_ok(p))
		return NULL;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->conflicts = calloc(p->conflicts_max, sizeof(*a->conflicts));
	if (a->conflicts == NULL) {
		free(a);
		return NULL;
	}
	a->p = *p;
	a->tx = tx;
	a->log = log;
	a->arg = arg;
	return a;
}

void
dsr_arp_free(struct dsr_arp *a)
{
	if (a == NULL)
		return;
	free(a->addrs);
	free(a->neighs);
	free(a->conflicts);
	free(a);
}

void
arp_wake(struct dsr_arp *a, uint32_t due_ms)
{
	if (!a->has_due || (int32_t)(due_ms - a->due_ms) < 0) {
		a->has_due = true;
		a->due_ms = due_ms;
	}
}

static int
arp_addr_cmp(const void *x, const void *y)
{
	const struct arp_addr *ax = x, *ay = y;

	if (ax->port != ay->port)
		return ax->port < ay->port ? -1 : 1;
	if (ax->ip != ay->ip)
		return ax->ip < ay->ip ? -1 : 1;
	return 0;
}

static struct arp_addr *
arp_addr_search(struct arp_addr *addrs, unsigned int n, uint16_t port, uint32_t ip)
{
	struct arp_addr key = {.ip = ip, .port = port};

	if (n == 0)
		return NULL;
	return bsearch(&key, addrs, n, sizeof(*addrs), arp_addr_cmp);
}

struct arp_addr *
arp_addr_find(struct dsr_arp *a, uint16_t port, uint32_t ip)
{
	return arp_addr_search(a->addrs, a->n_addrs, port, ip);
}

/*
 * Our addresses under the new configuration, sorted and unique, with the
 * state of those that were already ours carried over and announcements
 * scheduled for the new ones.
 */
static int
arp_addrs_build(struct dsr_arp *a, const struct dsr_conf *conf, const struct arp_port *ports,
		uint16_t nb_ports, uint32_t announce_count, uint32_t now_ms, struct arp_addr **out,
		unsigned int *n_out)
{
	unsigned int nvips = 0, n = 0, i, j;
	struct arp_addr *addrs, *old;
	uint16_t p;

	for (i = 0; i < DSR_MAX_VIPS; i++)
		nvips += conf->vips[i].used;
	addrs = calloc((size_t)nb_ports * (1 + nvips) + 1, sizeof(*addrs));
	if (addrs == NULL)
		return -1;
	for (p = 0; p < nb_ports; p++) {
		if (ports[p].has_addr) {
			addrs[n].port = p;
			addrs[n++].ip = ports[p].ip;
		}
	}
	for (i = 0; i < DSR_MAX_VIPS; i++) {
		uint32_t ip = conf->vips[i].svc.ip;
		unsigned int first = n;

		/* IPv6 VIPs are lib/nd's; a routed VIP is reached by its route, never by ARP. */
		if (!conf->vips[i].used || conf->vips[i].svc.family != DSR_AF_IPV4 ||
		    conf->vips[i].routed)
			continue;
		for (p = 0; p < nb_ports; p++) {
			if (arp_port_holds(&ports[p], ip)) {
				addrs[n].port = p;
				addrs[n++].ip = ip;
			}
		}
		if (n > first)
			continue;
		/* No subnet holds it: every port with an address serves it. */
		for (p = 0; p < nb_ports; p++) {
			if (ports[p].has_addr) {
				addrs[n].port = p;
				addrs[n++].ip = ip;
			}
		}
	}
	if (n > 0)
		qsort(addrs, n, sizeof(*addrs), arp_addr_cmp);
	for (i = 0, j = 0; i < n; i++) {
		if (j > 0 && arp_addr_cmp(&addrs[j - 1], &addrs[i]) == 0)
			continue;
		old = arp_addr_search(a->addrs, a->n_addrs, addrs[i].port, addrs[i].ip);
		if (old != NULL) {
			addrs[j] = *old;
		} else {
			addrs[j] = addrs[i];
			addrs[j].ann_left = (uint8_t)announce_count;
			addrs[j].ann_next_ms = now_ms;
		}
		j++;
	}
	*out = addrs;
	*n_out = j;
	return 0;
}

int
dsr_arp_configure(struct dsr_arp *a, const struct dsr_conf *conf,
		  const struct dsr_arp_params *params, const uint8_t (*port_mac)[6],
		  uint16_t nb_ports, uint32_t now_ms)
{
	struct dsr_arp_conflict *conflicts = NULL;
	struct arp_port ports[DSR_MAX_PORTS];
	struct dsr_arp_neigh *neighs = NULL;
	struct arp_addr *addrs = NULL;
	unsigned int n_addrs, n_neighs, n_conflicts = 0;
	struct dsr_arp_params p;
	bool changed = false;
	uint16_t i;
	int ret;

	if (params == NULL)
		params = &a->p;
	p = *params;
	if (conf == NULL || nb_ports > DSR_MAX_PORTS || (nb_ports > 0 && port_mac == NULL) ||
	    !arp_params_ok(&p))
		return -1;
	memset(ports, 0, sizeof(ports));
	for (i = 0; i < nb_ports; i++) {
		ports[i].has_addr = conf->ports[i].has_addr;
		ports[i].prefix_len = conf->ports[i].prefix_len;
		ports[i].ip = conf->ports[i].ip;
		memcpy(ports[i].mac, port_mac[i], 6);
	}
	ret = arp_addrs_build(a, conf, ports, nb_ports, p.announce_count, now_ms, &addrs, &n_addrs);
	if (ret < 0)
		return -1;
	if (arp_neigh_build(a, conf, ports, nb_ports, now_ms, &neighs, &n_neighs, &changed) < 0)
		goto fail;
	if (p.conflicts_max != a->p.conflicts_max &&
	    arp_conflict_resize(a, p.conflicts_max, &conflicts, &n_conflicts) < 0)
		goto fail;

	/* Commit: nothing fails from here on. */
	a->p = p;
	a->nb_ports = nb_ports;
	memcpy(a->ports, ports, sizeof(ports));
	free(a->addrs);
	a->addrs = addrs;
	a->n_addrs = n_addrs;
	free(a->neighs);
	a->neighs = neighs;
	a->n_neighs = n_neighs;
	a->changed |= changed;
	if (conflicts != NULL) {
		free(a->conflicts);
		a->conflicts = conflicts;
		a->n_conflicts = n_conflicts;
	}
	arp_wake(a, now_ms);
	return 0;
fail:
	free(addrs);
	free(neighs);
	return -1;
}

void
arp_limit_expire(struct dsr_arp *a, uint8_t *flags, uint8_t flag, uint32_t since_ms, uint32_t ms,
		 uint32_t now_ms)
{
	if ((*flags & flag) == 0)
		return;
	if (now_ms - since_ms >= ms)
		*flags &= (uint8_t)~flag;
	else
		arp_wake(a, since_ms + ms);
}

/* Announcements due, and rate-limit timers that have run out. */
static void
arp_addrs_tick(struct dsr_arp *a, uint32_t now_ms)
{
	unsigned int i;

	for (i = 0; i < a->n_addrs; i++) {
		struct arp_addr *ad = &a->addrs[i];

		if (ad->ann_left > 0 && arp_due(now_ms, ad->ann_next_ms)) {
			arp_send(a, ad->port, NULL, arp_mac_bcast, ARP_OP_REQUEST, ad->ip,
				 arp_mac_zero, ad->ip);
			arp_count(a, ad->port, DSR_ARP_ANNOUNCE_SENT);
			ad->ann_left--;
			ad->ann_next_ms = now_ms + a->p.announce_interval_ms;
		}
		if (ad->ann_left > 0)
			arp_wake(a, ad->ann_next_ms);
		arp_limit_expire(a, &ad->flags, ARP_ADDR_DEFENDED, ad->defend_ms, DSR_ARP_DEFEND_MS,
				 now_ms);
		arp_limit_expire(a, &ad->flags, ARP_ADDR_LOG_USING, ad->log_using_ms,
				 DSR_ARP_DEFEND_MS, now_ms);
		arp_limit_expire(a, &ad->flags, ARP_ADDR_LOG_PROBE, ad->log_probe_ms,
				 DSR_ARP_DEFEND_MS, now_ms);
		arp_limit_expire(a, &ad->flags, ARP_ADDR_PROBE_WIN, ad->probe_win_ms,
				 DSR_ARP_PROBE_WINDOW_MS, now_ms);
	}
}

void
dsr_arp_tick(struct dsr_arp *a, uint32_t now_ms)
{
	if (!a->has_due || !arp_due(now_ms, a->due_ms))
		return;
	a->has_due = false;
	arp_addrs_tick(a, now_ms);
	arp_neigh_tick(a, now_ms);
}

bool
dsr_arp_take_changed(struct dsr_arp *a)
{
	bool c = a->changed;

	a->changed = false;
	return c;
}

uint64_t
dsr_arp_counter(const struct dsr_arp *a, uint16_t port, enum dsr_arp_counter c)
{
	if (port >= DSR_MAX_PORTS || (unsigned int)c >= DSR_ARP_NCOUNTERS)
		return 0;
	return a->counters[port][c];
}

const char *
dsr_arp_counter_name(enum dsr_arp_counter c)
{
	if ((unsigned int)c >= DSR_ARP_NCOUNTERS)
		return "?";
	return arp_counter_names[c];
}

const char *
dsr_arp_state_name(enum dsr_arp_neigh_state s)
{
	if ((unsigned int)s >= sizeof(arp_state_names) / sizeof(arp_state_names[0]))
		return "?";
	return arp_state_names[s];
}

const char *
dsr_arp_conflict_kind_name(enum dsr_arp_conflict_kind k)
{
	if ((unsigned int)k >= sizeof(arp_conflict_kind_names) / sizeof(arp_conflict_kind_names[0]))
		return "?";
	return arp_conflict_kind_names[k];
}

/*
 * Send an ARP frame from port: eth src and sha are the port's MAC, spa/tpa
 * in network order. vlan, if not NULL, is the 4-byte tag to insert.
 * Zero padded to DSR_ARP_FRAME_LEN (plus the tag).
 */
void
arp_send(struct dsr_arp *a, uint16_t port, const uint8_t *vlan, const uint8_t *eth_dst, uint16_t op,
	 uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	uint8_t f[DSR_ARP_FRAME_LEN + DSR_VLAN_HLEN];
	const uint8_t *mac = a->ports[port].mac;
	uint32_t len = DSR_ARP_FRAME_LEN;
	uint8_t *p = f + 12;

	memset(f, 0, sizeof(f));
	memcpy(f, eth_dst, 6);
	memcpy(f + 6, mac, 6);
	if (vlan != NULL) {
		memcpy(p, vlan, DSR_VLAN_HLEN);
		p += DSR_VLAN_HLEN;
		len += DSR_VLAN_HLEN;
	}
	p[0] = 0x08; /* ethertype ARP */
	p[1] = 0x06;
	p += 2;
	p[1] = 1;    /* htype Ethernet */
	p[2] = 0x08; /* ptype IPv4 */
	p[4] = 6;
	p[5] = 4;
	p[6] = (uint8_t)(op >> 8);
	p[7] = (uint8_t)op;
	memcpy(p + 8, mac, 6);
	memcpy(p + 14, &spa, 4);
	memcpy(p + 18, tha, 6);
	memcpy(p + 24, &tpa, 4);
	if (a->tx != NULL)
		a->tx(a->arg, port, f, len);
}

void
arp_log(struct dsr_arp *a, int level, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (a->log != NULL)
		a->log(a->arg, level, line);
	else
		dsr_log((enum dsr_log_level)level, "%s", line);
}
