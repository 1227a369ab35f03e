/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_conf.h"
#include "dsr_ct.h"
#include "dsr_gen.h"
#include "gen_pvt.h"

uint32_t
dsr_gen_pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* A backend's MAC by its family: static, or asked of ARP or NDP (NULL: not known yet). */
static enum dsr_mac_lookup
gen_mac_of(const struct dsr_conf_backend *cb, const struct dsr_gen_macs *m, uint8_t mac[6])
{
	if (cb->has_mac) {
		memcpy(mac, cb->mac, 6);
		return DSR_MAC_OK;
	}
	if (cb->family == DSR_AF_IPV6)
		return m->v6 == NULL ? DSR_MAC_PENDING : m->v6(m->arg, cb->ip6, mac);
	return m->v4 == NULL ? DSR_MAC_PENDING : m->v4(m->arg, cb->ip, mac);
}

static void
gen_backends(struct dsr_gen *g, const struct dsr_conf *conf, const struct dsr_gen_macs *m,
	     const uint8_t *down)
{
	enum dsr_mac_lookup usable;
	unsigned int i;

	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		const struct dsr_conf_backend *cb = &conf->backends[i];
		struct dsr_gen_backend *b = &g->backends[i];

		if (!cb->used)
			continue;
		b->flags = DSR_GEN_BE_USED;
		b->vip = cb->vip;
		b->ip = cb->ip;
		if (cb->family == DSR_AF_IPV6)
			memcpy(g->backend_ip6[i], cb->ip6, 16);
		if (down != NULL && down[i]) {
			/* Out of the table, and its entries are chosen again. */
			gen_mac_of(cb, m, b->mac);
			continue;
		}
		b->flags |= DSR_GEN_BE_LIVE;
		usable = gen_mac_of(cb, m, b->mac);
		if (dsr_mac_lookup_has_mac(usable))
			b->flags |= DSR_GEN_BE_MAC;
		if ((usable == DSR_MAC_OK || usable == DSR_MAC_PENDING) && cb->weight > 0)
			b->flags |= DSR_GEN_BE_NEW;
	}
}

/* Build the Maglev table of one VIP from the backends that take new flows. */
static int
gen_vip_maglev(struct dsr_gen *g, const struct dsr_conf *conf, uint16_t vip, uint16_t *table,
	       struct dsr_maglev_backend *scratch)
{
	unsigned int i, n = 0;
	uint32_t m;
	int ret;

	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		const struct dsr_conf_backend *cb = &conf->backends[i];

		if (!cb->used || cb->vip != vip || !(g->backends[i].flags & DSR_GEN_BE_NEW))
			continue;
		scratch[n].key = cb->family == DSR_AF_IPV6 ? dsr_gen_ip6_key(cb->ip6) : cb->ip;
		scratch[n].weight = cb->weight;
		scratch[n].id = (uint16_t)i;
		n++;
	}
	ret = dsr_maglev_build(scratch, n, g->maglev_size, table);
	if (ret < 0)
		return ret;
	g->vips[vip].nb_new = (uint16_t)n;
	for (m = 0; m < g->maglev_size; m++)
		if (table[m] != DSR_MAGLEV_NONE)
			g->maglev_slots[table[m]]++;
	return 0;
}

static void
gen_vip_insert(struct dsr_gen *g, uint16_t vip)
{
	const struct dsr_gen_vip *v = &g->vips[vip];
	uint64_t key = dsr_gen_vip_key(v->ip, v->port, v->proto);
	uint32_t i = (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & g->vip_mask;

	while (g->vip_slots[i].key != 0)
		i = (i + 1) & g->vip_mask;
	g->vip_slots[i].key = key;
	g->vip_slots[i].vip = vip;
}

/* Count VIP vip in its address's slot (made if new). */
static void
gen_addr_insert(struct dsr_gen *g, uint16_t vip)
{
	const struct dsr_gen_vip *v = &g->vips[vip];
	uint32_t i = (uint32_t)(((uint64_t)v->ip * 0x9e3779b97f4a7c15ULL) >> 32) & g->addr_mask;
	unsigned int k = v->proto == DSR_IPPROTO_UDP ? DSR_GEN_ADDR_UDP : DSR_GEN_ADDR_TCP;
	struct dsr_gen_addr_slot *s;

	while (g->addr_slots[i].ip != 0 && g->addr_slots[i].ip != v->ip)
		i = (i + 1) & g->addr_mask;
	s = &g->addr_slots[i];
	if (s->ip == 0) {
		s->ip = v->ip;
		s->frag_be[0] = DSR_MAGLEV_NONE;
		s->frag_be[1] = DSR_MAGLEV_NONE;
	}
	if (s->nsvc[k] < 2)
		s->nsvc[k]++;
	/* One service with one backend for new flows: every Maglev slot names it. */
	s->frag_be[k] = s->nsvc[k] == 1 && v->nb_new == 1 ? v->maglev[0] : DSR_MAGLEV_NONE;
}

struct dsr_gen *
dsr_gen_build(const struct dsr_conf *conf, uint64_t version, dsr_gen_mac_fn mac_of, void *arg)
{
	return dsr_gen_build_health(conf, version, mac_of, arg, NULL);
}

struct dsr_gen *
dsr_gen_build_health(const struct dsr_conf *conf, uint64_t version, dsr_gen_mac_fn mac_of,
		     void *arg, const uint8_t *down)
{
	const struct dsr_gen_macs m = {mac_of, NULL, arg};

	return dsr_gen_build_macs(conf, version, &m, down);
}

struct dsr_gen *
dsr_gen_build_macs(const struct dsr_conf *conf, uint64_t version, const struct dsr_gen_macs *macs,
		   const uint8_t *down)
{
	struct dsr_maglev_backend *scratch = NULL;
	struct dsr_gen *g;
	unsigned int i, nvips = 0, k = 0;
	int ret;

	g = aligned_alloc(64, (sizeof(*g) + 63) & ~(size_t)63);
	if (g == NULL)
		return NULL;
	memset(g, 0, sizeof(*g));
	g->version = version;
	g->maglev_size = conf->maglev_size;
	g->strict_syn = conf->strict_syn;
	g->icmp_forward = conf->icmp_forward;
	g->frag_timeout_ms = conf->timeout_s[DSR_TIMEOUT_FRAG] * 1000;
	g->timeout_ms[DSR_CT_SYN] = conf->timeout_s[DSR_TIMEOUT_TCP_SYN] * 1000;
	g->timeout_ms[DSR_CT_EST] = conf->timeout_s[DSR_TIMEOUT_TCP] * 1000;
	g->timeout_ms[DSR_CT_FIN] = conf->timeout_s[DSR_TIMEOUT_TCP_FIN] * 1000;
	g->timeout_ms[DSR_CT_UDP] = conf->timeout_s[DSR_TIMEOUT_UDP] * 1000;
	gen_backends(g, conf, macs, down);
	for (i = 0; i < DSR_MAX_PORTS; i++) {
		g->port_ip[i] = conf->ports[i].has_addr ? conf->ports[i].ip : 0;
		g->kernel_ip[i] = conf->ports[i].kif[0] != '\0' ? g->port_ip[i] : 0;
		if (conf->ports[i].has_addr6)
			memcpy(g->port_ip6[i], conf->ports[i].ip6, 16);
		if (conf->ports[i].has_addr6 && conf->ports[i].kif[0] != '\0')
			memcpy(g->kernel_ip6[i], conf->ports[i].ip6, 16);
	}

	for (i = 0; i < DSR_MAX_VIPS; i++)
		nvips += conf->vips[i].used;
	if (dsr_gen_alloc6(g, conf) != 0) {
		errno = ENOMEM;
		goto fail;
	}
	/* At most half full, so probes stay short; never zero-sized. */
	g->vip_mask = dsr_gen_pow2_at_least(2 * nvips + 2) - 1;
	g->vip_slots = calloc(g->vip_mask + 1, sizeof(*g->vip_slots));
	g->addr_mask = g->vip_mask;
	g->addr_slots = calloc(g->addr_mask + 1, sizeof(*g->addr_slots));
	g->maglev_mem = malloc((size_t)(nvips ? nvips : 1) * g->maglev_size * sizeof(uint16_t));
	scratch = malloc(DSR_MAX_BACKENDS * sizeof(*scratch));
	if (g->vip_slots == NULL || g->addr_slots == NULL || g->maglev_mem == NULL ||
	    scratch == NULL) {
		errno = ENOMEM;
		goto fail;
	}
	for (i = 0; i < DSR_MAX_VIPS; i++) {
		const struct dsr_conf_vip *cv = &conf->vips[i];
		uint16_t *table;

		if (!cv->used)
			continue;
		table = g->maglev_mem + (size_t)k++ * g->maglev_size;
		g->vips[i].family = cv->svc.family;
		memcpy(g->vips[i].ip6, cv->svc.ip6, 16);
		g->vips[i].ip = cv->svc.ip;
		g->vips[i].port = cv->svc.port;
		g->vips[i].proto = cv->svc.proto;
		g->vips[i].used = 1;
		if (cv->check.kind == DSR_CHECK_DSR)
			g->dsr_checks = true;
		g->vips[i].maglev = table;
		ret = gen_vip_maglev(g, conf, (uint16_t)i, table, scratch);
		if (ret < 0) {
			errno = -ret;
			goto fail;
		}
		if (cv->svc.family == DSR_AF_IPV6) {
			dsr_gen_insert6(g, (uint16_t)i);
			continue;
		}
		gen_vip_insert(g, (uint16_t)i);
		gen_addr_insert(g, (uint16_t)i);
	}
	free(scratch);
	return g;
fail:
	free(scratch);
	dsr_gen_free(g);
	return NULL;
}

void
dsr_gen_free(struct dsr_gen *gen)
{
	if (gen == NULL)
		return;
	free(gen->vip_slots);
	free(gen->addr_slots);
	free(gen->vip6_slots);
	free(gen->addr6_slots);
	free(gen->maglev_mem);
	free(gen);
}
