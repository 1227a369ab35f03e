/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/nd: lifecycle, configuration (our addresses, on which ports), the
 * tick driver with duplicate address detection at start (RFC 4862 5.4)
 * and announcements, and the helpers the other files share. Layout:
 * nd_pvt.h.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_log.h"
#include "dsr_nd.h"
#include "nd_pvt.h"

const uint8_t nd_all_nodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
const uint8_t nd_any[16];
static const uint8_t nd_all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 0x01};

#define DSR_X_NAME(e, name, help) name,
static const char *const nd_counter_names[DSR_ND_NCOUNTERS] = {DSR_ND_COUNTERS(DSR_X_NAME)};
#undef DSR_X_NAME

void
dsr_nd_params_default(struct dsr_nd_params *p)
{
	dsr_arp_params_default(&p->arp);
	p->dad_transmits = 1;
	p->dad_retrans_ms = 1000;
	p->mld_reports = 2;
}

static bool
nd_ms_ok(uint32_t ms)
{
	return ms >= 1 && ms <= ND_MS_MAX;
}

static bool
nd_params_ok(const struct dsr_nd_params *p)
{
	return p->arp.announce_count <= ND_COUNT_MAX && nd_ms_ok(p->arp.announce_interval_ms) &&
	       nd_ms_ok(p->arp.refresh_ms) && nd_ms_ok(p->arp.retry_ms) && p->arp.max_tries >= 1 &&
	       p->arp.max_tries <= ND_COUNT_MAX && p->arp.conflicts_max >= 1 &&
	       p->arp.conflicts_max <= ND_CONFLICTS_MAX_MAX && p->dad_transmits <= ND_COUNT_MAX &&
	       nd_ms_ok(p->dad_retrans_ms) && p->mld_reports <= ND_MLD_REPORTS_MAX;
}

struct dsr_nd *
dsr_nd_create(const struct dsr_nd_params *p, dsr_arp_tx_fn tx, dsr_arp_log_fn log, void *arg)
{
	struct dsr_nd_params def;
	struct dsr_nd *nd;

	if (p == NULL) {
		dsr_nd_params_default(&def);
		p = &def;
	}
	if (!nd_params_ok(p))
		return NULL;
	nd = calloc(1, sizeof(*nd));
	if (nd == NULL)
		return NULL;
	if (dsr_conflicts_init(&nd->conflicts, p->arp.conflicts_max) < 0) {
		free(nd);
		return NULL;
	}
	nd->p = *p;
	nd->tx = tx;
	nd->log = log;
	nd->arg = arg;
	return nd;
}

void
dsr_nd_free(struct dsr_nd *nd)
{
	if (nd == NULL)
		return;
	nd_mld_fini(nd);
	free(nd->addrs);
	free(nd->neighs);
	dsr_conflicts_fini(&nd->conflicts);
	free(nd);
}

void
nd_wake(struct dsr_nd *nd, uint32_t due_ms)
{
	if (!nd->has_due || (int32_t)(due_ms - nd->due_ms) < 0) {
		nd->has_due = true;
		nd->due_ms = due_ms;
	}
}

/* By (port, ip), then a port address before a VIP (the one kept of a pair). */
static int
nd_addr_cmp(const void *x, const void *y)
{
	const struct nd_addr *ax = x, *ay = y;
	int c;

	if (ax->port != ay->port)
		return ax->port < ay->port ? -1 : 1;
	c = memcmp(ax->ip, ay->ip, 16);
	if (c != 0)
		return c;
	return (int)ax->kind - (int)ay->kind;
}

static int
nd_addr_key_cmp(const void *key, const void *elem)
{
	const struct nd_addr *k = key, *e = elem;

	if (k->port != e->port)
		return k->port < e->port ? -1 : 1;
	return memcmp(k->ip, e->ip, 16);
}

static struct nd_addr *
nd_addr_search(struct nd_addr *addrs, unsigned int n, uint16_t port, const uint8_t *ip)
{
	struct nd_addr key;

	if (n == 0)
		return NULL;
	key.port = port;
	memcpy(key.ip, ip, 16);
	return bsearch(&key, addrs, n, sizeof(*addrs), nd_addr_key_cmp);
}

struct nd_addr *
nd_addr_find(struct dsr_nd *nd, uint16_t port, const uint8_t *ip)
{
	return nd_addr_search(nd->addrs, nd->n_addrs, port, ip);
}

/* The port address our NS on port come from: the lowest one. */
const struct nd_addr *
nd_port_source(const struct dsr_nd *nd, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < nd->n_addrs; i++)
		if (nd->addrs[i].port == port && nd->addrs[i].kind == DSR_ND_ADDR_PORT)
			return &nd->addrs[i];
	return NULL;
}

static bool
nd_unicast_ip(const uint8_t *ip)
{
	return ip[0] != 0xff && !nd_ip_is_any(ip);
}

/* Whether the configuration's lists are well formed (ports, addresses). */
static bool
nd_config_ok(const struct dsr_nd_config *c)
{
	unsigned int i, j;

	if (c->nb_ports > DSR_MAX_PORTS || (c->nb_ports > 0 && c->port_mac == NULL) ||
	    (c->n_addrs > 0 && c->addrs == NULL) || (c->n_backends > 0 && c->backends == NULL))
		return false;
	for (i = 0; i < c->n_addrs; i++) {
		const struct dsr_nd_addr *a = &c->addrs[i];

		if (a->port >= c->nb_ports || a->kind > DSR_ND_ADDR_VIP || !nd_unicast_ip(a->ip))
			return false;
	}
	for (i = 0; i < c->n_backends; i++) {
		const struct dsr_nd_target *b = &c->backends[i];
		bool src = false;

		if (b->port >= c->nb_ports || !nd_unicast_ip(b->ip))
			return false;
		for (j = 0; j < c->n_addrs && !src; j++)
			src = c->addrs[j].port == b->port && c->addrs[j].kind == DSR_ND_ADDR_PORT;
		if (!src)
			return false;
	}
	return true;
}

/*
 * Our addresses under the new configuration, sorted and unique, with the
 * state of those that were already ours carried over, and DAD (or, with
 * dad_transmits 0, announcements) scheduled for the new ones.
 */
static int
nd_addrs_build(const struct dsr_nd *nd, const struct dsr_nd_config *c,
	       const struct dsr_nd_params *p, uint32_t now_ms, struct nd_addr **out,
	       unsigned int *n_out)
{
	struct nd_addr *addrs, *old;
	unsigned int i, j;

	addrs = calloc(c->n_addrs + 1, sizeof(*addrs));
	if (addrs == NULL)
		return -1;
	for (i = 0; i < c->n_addrs; i++) {
		memcpy(addrs[i].ip, c->addrs[i].ip, 16);
		addrs[i].port = c->addrs[i].port;
		addrs[i].kind = c->addrs[i].kind;
	}
	if (c->n_addrs > 0)
		qsort(addrs, c->n_addrs, sizeof(*addrs), nd_addr_cmp);
	for (i = 0, j = 0; i < c->n_addrs; i++) {
		struct nd_addr a = addrs[i];

		if (j > 0 && nd_addr_key_cmp(&addrs[j - 1], &a) == 0)
			continue;
		old = nd_addr_search(nd->addrs, nd->n_addrs, a.port, a.ip);
		if (old != NULL) {
			addrs[j] = *old;
			addrs[j].kind = a.kind;
		} else {
			addrs[j] = a;
			addrs[j].ann_left = (uint8_t)p->arp.announce_count;
			addrs[j].state = p->dad_transmits > 0 ? DSR_ND_TENTATIVE : DSR_ND_PREFERRED;
			addrs[j].dad_left = (uint8_t)p->dad_transmits;
			addrs[j].dad_next_ms = now_ms;
			addrs[j].ann_next_ms = now_ms;
		}
		j++;
	}
	*out = addrs;
	*n_out = j;
	return 0;
}

int
dsr_nd_configure(struct dsr_nd *nd, const struct dsr_nd_config *c,
		 const struct dsr_nd_params *params, uint32_t now_ms)
{
	struct dsr_conflicts conflicts = {0};
	struct dsr_nd_neigh *neighs = NULL;
	struct nd_addr *addrs = NULL;
	unsigned int n_addrs, n_neighs;
	struct dsr_nd_params p;
	bool changed = false;
	uint16_t i;

	if (params == NULL)
		params = &nd->p;
	p = *params;
	if (c == NULL || !nd_params_ok(&p) || !nd_config_ok(c))
		return -1;
	if (nd_addrs_build(nd, c, &p, now_ms, &addrs, &n_addrs) < 0)
		return -1;
	if (nd_neigh_build(nd, c, now_ms, &neighs, &n_neighs, &changed) < 0)
		goto fail;
	if (p.arp.conflicts_max != nd->p.arp.conflicts_max &&
	    dsr_conflicts_resized(&nd->conflicts, p.arp.conflicts_max, &conflicts) < 0)
		goto fail;

	/* Commit: nothing fails from here on. */
	nd->p = p;
	nd->nb_ports = c->nb_ports;
	memset(nd->ports, 0, sizeof(nd->ports));
	for (i = 0; i < c->nb_ports; i++)
		memcpy(nd->ports[i].mac, c->port_mac[i], 6);
	free(nd->addrs);
	nd->addrs = addrs;
	nd->n_addrs = n_addrs;
	free(nd->neighs);
	nd->neighs = neighs;
	nd->n_neighs = n_neighs;
	nd->changed |= changed;
	if (conflicts.rows != NULL) {
		dsr_conflicts_fini(&nd->conflicts);
		nd->conflicts = conflicts;
	}
	nd->mld_dirty = true;
	nd_wake(nd, now_ms);
	return 0;
fail:
	free(addrs);
	free(neighs);
	return -1;
}

/* An unsolicited NA for ad (announcement, defence): to all-nodes, Override set. */
void
nd_announce(struct dsr_nd *nd, const struct nd_addr *ad, const uint8_t *vlan)
{
	nd_send_na(nd, ad->port, vlan, nd_all_nodes_mac, nd_all_nodes, ad->ip, ND_NA_OVERRIDE);
}

/* DAD of a tentative address: the probes, then the wait, then PREFERRED. */
static void
nd_dad_tick(struct dsr_nd *nd, struct nd_addr *ad, uint32_t now_ms)
{
	uint8_t sn[16], mac[6];

	if (!nd_due(now_ms, ad->dad_next_ms)) {
		nd_wake(nd, ad->dad_next_ms);
		return;
	}
	if (ad->dad_left == 0) {
		ad->state = DSR_ND_PREFERRED;
		ad->ann_next_ms = now_ms;
		return;
	}
	dsr_nd_solicited_node(ad->ip, sn);
	nd_mc_mac(sn, mac);
	nd_send_ns(nd, ad->port, mac, nd_any, sn, ad->ip);
	nd_count(nd, ad->port, DSR_ND_DAD_SENT);
	ad->dad_left--;
	ad->dad_next_ms = now_ms + nd->p.dad_retrans_ms;
	nd_wake(nd, ad->dad_next_ms);
}

/* DAD, announcements due, and rate-limit timers that have run out. */
static void
nd_addrs_tick(struct dsr_nd *nd, uint32_t now_ms)
{
	uint32_t due;
	unsigned int i;

	for (i = 0; i < nd->n_addrs; i++) {
		struct nd_addr *ad = &nd->addrs[i];

		if (ad->state == DSR_ND_TENTATIVE)
			nd_dad_tick(nd, ad, now_ms);
		if (ad->state == DSR_ND_PREFERRED && ad->ann_left > 0 &&
		    nd_due(now_ms, ad->ann_next_ms)) {
			nd_announce(nd, ad, NULL);
			nd_count(nd, ad->port, DSR_ND_ANNOUNCE_SENT);
			ad->ann_left--;
			ad->ann_next_ms = now_ms + nd->p.arp.announce_interval_ms;
		}
		if (ad->state == DSR_ND_PREFERRED && ad->ann_left > 0)
			nd_wake(nd, ad->ann_next_ms);
		if (dsr_dup_expire(&ad->lim, now_ms, &due))
			nd_wake(nd, due);
	}
}

void
dsr_nd_tick(struct dsr_nd *nd, uint32_t now_ms)
{
	if (!nd->has_due || !nd_due(now_ms, nd->due_ms))
		return;
	nd->has_due = false;
	/* Before DAD: a node joins the solicited-node group first (RFC 4862 5.4.2). */
	nd_mld_tick(nd, now_ms);
	nd_addrs_tick(nd, now_ms);
	nd_neigh_tick(nd, now_ms);
}

bool
dsr_nd_take_changed(struct dsr_nd *nd)
{
	bool c = nd->changed;

	nd->changed = false;
	return c;
}

static int
nd_mac_cmp(const void *x, const void *y)
{
	return memcmp(x, y, 6);
}

unsigned int
dsr_nd_mc_macs(const struct dsr_nd *nd, uint16_t port, uint8_t (*macs)[6], unsigned int max)
{
	uint8_t(*all)[6];
	unsigned int n = 0, i, j;
	uint8_t sn[16];

	all = calloc(nd->n_addrs + 1, sizeof(*all));
	if (all == NULL)
		return 0;
	memcpy(all[n++], nd_all_nodes_mac, 6);
	for (i = 0; i < nd->n_addrs; i++) {
		if (nd->addrs[i].port != port)
			continue;
		dsr_nd_solicited_node(nd->addrs[i].ip, sn);
		nd_mc_mac(sn, all[n++]);
	}
	qsort(all, n, sizeof(*all), nd_mac_cmp);
	for (i = 0, j = 0; i < n; i++) {
		if (j > 0 && memcmp(all[j - 1], all[i], 6) == 0)
			continue;
		memmove(all[j++], all[i], 6);
	}
	for (i = 0; i < j && i < max; i++)
		memcpy(macs[i], all[i], 6);
	free(all);
	return j;
}

bool
dsr_nd_addr_get(const struct dsr_nd *nd, unsigned int i, struct dsr_nd_addr_info *out)
{
	const struct nd_addr *a;

	if (i >= nd->n_addrs)
		return false;
	a = &nd->addrs[i];
	memcpy(out->ip, a->ip, 16);
	out->port = a->port;
	out->kind = a->kind;
	out->state = a->state;
	out->duplicate = a->duplicate;
	return true;
}

uint64_t
dsr_nd_counter(const struct dsr_nd *nd, uint16_t port, enum dsr_nd_counter c)
{
	if (port >= DSR_MAX_PORTS || (unsigned int)c >= DSR_ND_NCOUNTERS)
		return 0;
	return nd->counters[port][c];
}

const char *
dsr_nd_counter_name(enum dsr_nd_counter c)
{
	if ((unsigned int)c >= DSR_ND_NCOUNTERS)
		return "?";
	return nd_counter_names[c];
}

void
nd_log(struct dsr_nd *nd, int level, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (nd->log != NULL)
		nd->log(nd->arg, level, line);
	else
		dsr_log((enum dsr_log_level)level, "%s", line);
}
