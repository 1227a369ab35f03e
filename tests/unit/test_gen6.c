/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/gen with IPv6 VIPs: found by service and by address, their Maglev
 * tables spread over their own backends by weight (the IPv6 backend key
 * pinned), MACs from the IPv6 callback, and the IPv4 tables unchanged.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_conf.h"
#include "dsr_gen.h"
#include "dsr_test.h"
#include "test_conf_util.h"

static const uint8_t VIP6[16] = {0xfd, 0, 0, 1, [14] = 1, [15] = 0}; /* fd00:1::100 */
static const uint8_t B21[16] = {0xfd, [15] = 0x21};
static const uint8_t B22[16] = {0xfd, [15] = 0x22};

static enum dsr_mac_lookup
mac6(void *arg, const uint8_t ip6[16], uint8_t mac[6])
{
	(void)arg;
	if (memcmp(ip6, B21, 16) != 0)
		return DSR_MAC_PENDING;
	memcpy(mac, "\x02\x00\x00\x00\x06\x21", 6);
	return DSR_MAC_OK;
}

static struct dsr_conf *
conf6(void)
{
	struct dsr_conf *c = conf_new();

	APPLY_OK(c, "maglev size 1009");
	APPLY_OK(c, "port 0 address 10.0.0.2/24");
	APPLY_OK(c, "port 0 address fd00::2/64");
	APPLY_OK(c, "vip add 10.0.0.100:80/tcp");
	APPLY_OK(c, "backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:00:21");
	APPLY_OK(c, "vip add [fd00:1::100]:80/tcp");
	APPLY_OK(c, "backend add [fd00:1::100]:80/tcp fd00::21 weight 100");
	APPLY_OK(c, "backend add [fd00:1::100]:80/tcp fd00::22 weight 300");
	APPLY_OK(c, "vip add [fd00:1::100]:53/udp");
	APPLY_OK(c, "backend add [fd00:1::100]:53/udp fd00::22 mac 02:00:00:00:06:22");
	return c;
}

static void
test_lookup(void)
{
	struct dsr_conf *c = conf6();
	const struct dsr_gen_macs m = {NULL, mac6, NULL};
	struct dsr_gen *g = dsr_gen_build_macs(c, 1, &m, NULL);
	const struct dsr_gen_addr6_slot *a;
	uint8_t other[16];
	int v4, v6t, v6u;

	CHECK(g != NULL);
	if (g == NULL)
		return;
	v4 = dsr_gen_vip_lookup(g, htonl(0x0a000064), htons(80), 6);
	v6t = dsr_gen_vip6_lookup(g, VIP6, htons(80), 6);
	v6u = dsr_gen_vip6_lookup(g, VIP6, htons(53), 17);
	CHECK(v4 >= 0 && v6t >= 0 && v6u >= 0 && v4 != v6t && v6t != v6u);
	CHECK_EQ(dsr_gen_vip6_lookup(g, VIP6, htons(81), 6), -1);
	CHECK_EQ(dsr_gen_vip6_lookup(g, VIP6, htons(80), 17), -1);
	CHECK_EQ(dsr_gen_vip_lookup(g, 0, htons(80), 6), -1); /* an IPv6 VIP is not 0.0.0.0 */
	memcpy(other, VIP6, 16);
	other[15] ^= 1;
	CHECK_EQ(dsr_gen_vip6_lookup(g, other, htons(80), 6), -1);
	CHECK(dsr_gen_addr6_lookup(g, other) == NULL);
	a = dsr_gen_addr6_lookup(g, VIP6);
	CHECK(a != NULL);
	if (a != NULL) {
		/* TCP: two backends, no guess; UDP: one service with one backend. */
		CHECK_EQ(a->frag_be[DSR_GEN_ADDR_TCP], DSR_MAGLEV_NONE);
		CHECK(a->frag_be[DSR_GEN_ADDR_UDP] != DSR_MAGLEV_NONE);
	}
	if (v6t >= 0) {
		CHECK_EQ(g->vips[v6t].family, DSR_AF_IPV6);
		CHECK(memcmp(g->vips[v6t].ip6, VIP6, 16) == 0);
		CHECK_EQ(g->vips[v6t].nb_new, 2);
	}
	CHECK(memcmp(g->port_ip6[0], (const uint8_t[16]){0xfd, [15] = 2}, 16) == 0);
	dsr_gen_free(g);
	free(c);
}

/* Slots by weight (1:3), MACs from the IPv6 callback, pinned keys. */
static void
test_maglev_macs(void)
{
	struct dsr_conf *c = conf6();
	const struct dsr_gen_macs m = {NULL, mac6, NULL};
	struct dsr_gen *g = dsr_gen_build_macs(c, 1, &m, NULL);
	int b21 = dsr_conf_find_backend_addr(c, 1, DSR_AF_IPV6, 0, B21);
	int b22 = dsr_conf_find_backend_addr(c, 1, DSR_AF_IPV6, 0, B22);

	CHECK(g != NULL && b21 >= 0 && b22 >= 0);
	if (g == NULL || b21 < 0 || b22 < 0)
		return;
	CHECK_EQ(g->maglev_slots[b21] + g->maglev_slots[b22], 1009);
	CHECK(g->maglev_slots[b22] > 2 * g->maglev_slots[b21]);
	CHECK(g->maglev_slots[b22] < 4 * g->maglev_slots[b21]);
	CHECK(g->backends[b21].flags & DSR_GEN_BE_MAC);
	CHECK(memcmp(g->backends[b21].mac, "\x02\x00\x00\x00\x06\x21", 6) == 0);
	CHECK(!(g->backends[b22].flags & DSR_GEN_BE_MAC)); /* pending: still in Maglev */
	CHECK(g->backends[b22].flags & DSR_GEN_BE_NEW);
	CHECK(memcmp(g->backend_ip6[b22], B22, 16) == 0);
	/* Fixed forever: other dsrlb instances must build the same tables. */
	CHECK_EQ(dsr_gen_ip6_key(B21), 0x74022a6bu); /* FNV-1a, as Python computes it */
	CHECK_EQ(dsr_gen_ip6_key(B22), 0x75022bfeu);
	dsr_gen_free(g);
	free(c);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_lookup),
		DSR_TEST(test_maglev_macs),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
