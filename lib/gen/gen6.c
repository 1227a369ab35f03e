/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 VIPs in a generation: a service table keyed by (address, port,
 * protocol) and an address table (ICMPv6 and later fragments, which have
 * no ports), both open addressing at most half full, as the IPv4 ones.
 */
#include <stdlib.h>
#include <string.h>

#include "dsr_gen.h"
#include "gen_pvt.h"

/* The hash of an IPv6 address, and of a service, for the tables' index. */
static inline uint64_t
gen6_addr_hash(const uint8_t ip6[16])
{
	uint64_t a, b;

	memcpy(&a, ip6, 8);
	memcpy(&b, ip6 + 8, 8);
	a = (a ^ (b * 0xbf58476d1ce4e5b9ULL)) * 0x9e3779b97f4a7c15ULL;
	return a ^ (a >> 31);
}

static inline uint32_t
gen6_svc_index(const struct dsr_gen *g, const uint8_t ip6[16], uint16_t port, uint8_t proto)
{
	uint64_t h = gen6_addr_hash(ip6) ^ (((uint64_t)port << 8 | proto) * 0xc2b2ae3d27d4eb4fULL);

	return (uint32_t)(h >> 32) & g->vip6_mask;
}

uint32_t
dsr_gen_ip6_key(const uint8_t ip6[16])
{
	uint32_t h = 2166136261u; /* FNV-1a: fixed, and every byte counts */
	unsigned int i;

	for (i = 0; i < 16; i++)
		h = (h ^ ip6[i]) * 16777619u;
	return h;
}

int
dsr_gen_alloc6(struct dsr_gen *g, const struct dsr_conf *conf)
{
	unsigned int i, n = 0;

	for (i = 0; i < DSR_MAX_VIPS; i++)
		n += conf->vips[i].used && conf->vips[i].svc.family == DSR_AF_IPV6;
	g->vip6_mask = dsr_gen_pow2_at_least(2 * n + 2) - 1;
	g->vip6_slots = calloc(g->vip6_mask + 1, sizeof(*g->vip6_slots));
	g->addr6_slots = calloc(g->vip6_mask + 1, sizeof(*g->addr6_slots));
	return g->vip6_slots != NULL && g->addr6_slots != NULL ? 0 : -1;
}

void
dsr_gen_insert6(struct dsr_gen *g, uint16_t vip)
{
	const struct dsr_gen_vip *v = &g->vips[vip];
	unsigned int k = v->proto == DSR_IPPROTO_UDP ? DSR_GEN_ADDR_UDP : DSR_GEN_ADDR_TCP;
	uint32_t i = gen6_svc_index(g, v->ip6, v->port, v->proto);
	struct dsr_gen_addr6_slot *a;

	while (g->vip6_slots[i].used)
		i = (i + 1) & g->vip6_mask;
	memcpy(g->vip6_slots[i].ip6, v->ip6, 16);
	g->vip6_slots[i].port = v->port;
	g->vip6_slots[i].proto = v->proto;
	g->vip6_slots[i].used = 1;
	g->vip6_slots[i].vip = vip;

	i = (uint32_t)(gen6_addr_hash(v->ip6) >> 32) & g->vip6_mask;
	while (g->addr6_slots[i].used && memcmp(g->addr6_slots[i].ip6, v->ip6, 16) != 0)
		i = (i + 1) & g->vip6_mask;
	a = &g->addr6_slots[i];
	if (!a->used) {
		memcpy(a->ip6, v->ip6, 16);
		a->used = 1;
		a->frag_be[0] = DSR_MAGLEV_NONE;
		a->frag_be[1] = DSR_MAGLEV_NONE;
	}
	if (a->nsvc[k] < 2)
		a->nsvc[k]++;
	a->frag_be[k] = a->nsvc[k] == 1 && v->nb_new == 1 ? v->maglev[0] : DSR_MAGLEV_NONE;
}

int
dsr_gen_vip6_lookup(const struct dsr_gen *g, const uint8_t ip6[16], uint16_t port, uint8_t proto)
{
	uint32_t i = gen6_svc_index(g, ip6, port, proto);

	for (;;) {
		const struct dsr_gen_vip6_slot *s = &g->vip6_slots[i];

		if (!s->used)
			return -1;
		if (s->port == port && s->proto == proto && memcmp(s->ip6, ip6, 16) == 0)
			return s->vip;
		i = (i + 1) & g->vip6_mask;
	}
}

const struct dsr_gen_addr6_slot *
dsr_gen_addr6_lookup(const struct dsr_gen *g, const uint8_t ip6[16])
{
	uint32_t i = (uint32_t)(gen6_addr_hash(ip6) >> 32) & g->vip6_mask;

	for (;;) {
		const struct dsr_gen_addr6_slot *s = &g->addr6_slots[i];

		if (!s->used)
			return NULL;
		if (memcmp(s->ip6, ip6, 16) == 0)
			return s;
		i = (i + 1) & g->vip6_mask;
	}
}
