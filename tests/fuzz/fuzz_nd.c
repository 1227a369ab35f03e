/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: IPv6 Neighbor Discovery (lib/nd) on arbitrary frames
 * and clock ticks, under two configurations; fuzz_arp.c's shape.
 *
 * Input: the first two bytes set the starting clock (high half), then
 * operations, each an op byte (kind = op & 7, port = (op >> 3) & 3 with 3
 * an unconfigured port id, shift = (op >> 5) & 3) and its arguments:
 *   0-3  frame:  [dt u8][len u8][len bytes]; the clock advances dt << 3*shift
 *   4    tick:   [dt u16]; the clock advances dt << 4*shift, then a tick
 *   5    if op bit 7 (and at most 4 times): configure: configuration B if
 *        op bit 3, else A; new tunables if op bit 4 (else kept); else
 *        [dt u8] and a tick
 *   6    a well-formed NS or NA (correct checksum) made of table values,
 *        for the paths behind validation:
 *        [dt u8][b0: NA if bit 0, tag if bit 1, option if bit 2, flags
 *        bits 5-7][src][dst][target][mac: sender low 4 bits, Ethernet
 *        destination high 4 bits]
 *   7    an NA answering our NS on the port (to its source address and
 *        MAC, Solicited): [dt u8][sel: mac index low 4 bits, target high 4]
 * Invariants, checked in the callbacks and after every operation:
 *   - every frame sent is on a configured port, from the port's MAC, a
 *     well-formed NS or NA: IPv6 with hop limit 255, the payload length
 *     of the frame, a correct ICMPv6 checksum; an NA is for one of our
 *     addresses on that port, in use (not in DAD), from that address,
 *     with the port's MAC as target link-layer option, either to
 *     all-nodes (Solicited clear) or to a unicast address and MAC
 *     (Solicited set); an NS is a DAD probe (from ::, no option, 78
 *     bytes) for one of our addresses in DAD on that port, to its
 *     solicited-node group, or a resolution for a neighbour on that port
 *     from the port's first port address (in use), with the port's MAC as
 *     source option, to the target's solicited-node group, or unicast to
 *     the known MAC of a neighbour in PROBING state; tags only on NA;
 *   - log lines are one printable line, ERR, WARNING or INFO;
 *   - per-port counters never decrease;
 *   - neighbours are sorted by address without duplicates, on configured
 *     ports, with valid states; a learned MAC is unicast and not ours;
 *     dsr_nd_lookup() agrees with the neighbour table;
 *   - if a backend's lookup result changed since the last call,
 *     dsr_nd_take_changed() says so;
 *   - the conflict table holds at most conflicts_max rows;
 *   - a neighbour's MAC changes only when the known MAC stopped answering;
 *   - each port's multicast list holds all-nodes and the solicited-node
 *     group of each of our addresses on the port, sorted, unique.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_log.h"
#include "dsr_nd.h"
#include "fuzz_util.h"

#define NPORTS 3
#define NA_S   0x40u

static const uint8_t port_mac[NPORTS][6] = {
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x02},
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x03},
};

/* The addresses of configuration A, B: (port, kind, address). */
struct addr_line {
	uint16_t port;
	uint8_t kind;
	const char *ip;
};

static const struct addr_line addrs_a[] = {
	{0, DSR_ND_ADDR_PORT, "fd00::2"},      {1, DSR_ND_ADDR_PORT, "fd00:1::2"},
	{0, DSR_ND_ADDR_VIP, "fd00:100::100"}, {1, DSR_ND_ADDR_VIP, "fd00:100::100"},
	{0, DSR_ND_ADDR_VIP, "fd00::100"},
};
static const struct addr_line backends_a[] = {
	{0, 0, "fd00::21"},
	{0, 0, "fd00::22"},
	{1, 0, "fd00:1::50"},
	{0, 0, "fd00::21"},
};
/* B: a VIP goes, one comes, a backend goes, one comes, one moves port. */
static const struct addr_line addrs_b[] = {
	{0, DSR_ND_ADDR_PORT, "fd00::2"},
	{1, DSR_ND_ADDR_PORT, "fd00:1::2"},
	{0, DSR_ND_ADDR_VIP, "fd00::100"},
	{0, DSR_ND_ADDR_VIP, "fd00::101"},
};
static const struct addr_line backends_b[] = {
	{0, 0, "fd00::21"},
	{0, 0, "fd00::23"},
	{0, 0, "fd00:1::50"},
};

/* Values the structured frames are made of. */
static const uint8_t macs[][6] = {
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}, {0x02, 0x00, 0x00, 0x00, 0x00, 0x02},
	{0x33, 0x33, 0x00, 0x00, 0x00, 0x01}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	{0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, {0x02, 0x00, 0x00, 0x00, 0x00, 0x21},
	{0x02, 0x00, 0x00, 0x00, 0x01, 0x50}, {0x00, 0x13, 0xd4, 0x59, 0x7a, 0xda},
	{0x1c, 0xc1, 0xde, 0xb4, 0x76, 0x60}, {0x33, 0x33, 0xff, 0x00, 0x00, 0x21},
	{0x33, 0x33, 0xff, 0x00, 0x00, 0x02}, {0x33, 0x33, 0xff, 0x00, 0x01, 0x00},
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x22}, {0x02, 0x00, 0x00, 0x00, 0x00, 0x99},
};
static const char *const ips[] = {
	"fd00::2",         "fd00:1::2",      "fd00:100::100",    "fd00::100", "fd00::21",
	"fd00::22",        "fd00::23",       "fd00:1::50",       "::",        "ff02::1",
	"ff02::1:ff00:21", "ff02::1:ff00:2", "ff02::1:ff00:100", "fd00::99",  "fd00::101",
	"fe80::1",
};
#define NMACS (sizeof(macs) / sizeof(macs[0]))
#define NIPS  (sizeof(ips) / sizeof(ips[0]))

static struct dsr_nd_addr conf_addrs[2][8];
static unsigned int n_conf_addrs[2];
static struct dsr_nd_target conf_backends[2][8];
static unsigned int n_conf_backends[2];
static uint8_t ip_tab[NIPS][16];
static struct dsr_nd_params params_a, params_b, cur_params;
static struct dsr_nd *cur_nd;
static unsigned int cur_conf;
static bool ready;

static void
ip_of(const char *s, uint8_t *out)
{
	FUZZ_CHECK(inet_pton(AF_INET6, s, out) == 1);
}

static void
load(unsigned int c, const struct addr_line *a, unsigned int na, const struct addr_line *b,
     unsigned int nb)
{
	unsigned int i;

	for (i = 0; i < na; i++) {
		conf_addrs[c][i].port = a[i].port;
		conf_addrs[c][i].kind = a[i].kind;
		ip_of(a[i].ip, conf_addrs[c][i].ip);
	}
	n_conf_addrs[c] = na;
	for (i = 0; i < nb; i++) {
		conf_backends[c][i].port = b[i].port;
		ip_of(b[i].ip, conf_backends[c][i].ip);
	}
	n_conf_backends[c] = nb;
}

static void
setup(void)
{
	unsigned int i;

	load(0, addrs_a, DSR_DIM(addrs_a), backends_a, DSR_DIM(backends_a));
	load(1, addrs_b, DSR_DIM(addrs_b), backends_b, DSR_DIM(backends_b));
	for (i = 0; i < NIPS; i++)
		ip_of(ips[i], ip_tab[i]);
	dsr_nd_params_default(&params_a);
	params_a.arp.announce_interval_ms = 100;
	params_a.arp.refresh_ms = 1000;
	params_a.arp.retry_ms = 50;
	params_a.arp.max_tries = 2;
	params_a.arp.conflicts_max = 4;
	params_a.dad_retrans_ms = 100;
	params_b = params_a;
	params_b.arp.announce_count = 1;
	params_b.arp.refresh_ms = 300;
	params_b.arp.retry_ms = 400;
	params_b.arp.max_tries = 3;
	params_b.arp.conflicts_max = 2;
	params_b.dad_transmits = 2;
	params_b.dad_retrans_ms = 30;
	ready = true;
}

static int
configure(uint32_t now, const struct dsr_nd_params *p)
{
	struct dsr_nd_config c = {
		.nb_ports = NPORTS,
		.port_mac = port_mac,
		.addrs = conf_addrs[cur_conf],
		.n_addrs = n_conf_addrs[cur_conf],
		.backends = conf_backends[cur_conf],
		.n_backends = n_conf_backends[cur_conf],
	};

	return dsr_nd_configure(cur_nd, &c, p, now);
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The state of our address ip on port: -1 if it is not ours. */
static int
addr_state(uint16_t port, const uint8_t *ip)
{
	struct dsr_nd_addr_info ai;
	unsigned int i;

	for (i = 0; dsr_nd_addr_get(cur_nd, i, &ai); i++)
		if (ai.port == port && memcmp(ai.ip, ip, 16) == 0)
			return ai.state;
	return -1;
}

/* The first port address of port (the source of its NS), or NULL. */
static bool
port_source(uint16_t port, uint8_t *ip, int *state)
{
	struct dsr_nd_addr_info ai;
	unsigned int i;

	for (i = 0; dsr_nd_addr_get(cur_nd, i, &ai); i++) {
		if (ai.port == port && ai.kind == DSR_ND_ADDR_PORT) {
			memcpy(ip, ai.ip, 16);
			*state = ai.state;
			return true;
		}
	}
	return false;
}

static const struct dsr_nd_neigh *
neigh_of(const uint8_t *ip)
{
	const struct dsr_nd_neigh *nb = NULL;
	unsigned int n, i;

	nb = dsr_nd_neighbours(cur_nd, &n);
	for (i = 0; i < n; i++)
		if (memcmp(nb[i].ip, ip, 16) == 0)
			return &nb[i];
	return NULL;
}

static uint16_t
csum(const uint8_t *ip, const uint8_t *icmp, uint32_t len)
{
	uint32_t sum = 0, i;

	for (i = 8; i < 40; i += 2)
		sum += rd16(ip + i);
	sum += len + 58;
	for (i = 0; i < len; i++)
		sum += (i & 1) ? icmp[i] : (uint32_t)icmp[i] << 8;
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
check_ns(uint16_t port, const uint8_t *f, const uint8_t *ip, const uint8_t *icmp, uint32_t plen)
{
	static const uint8_t any[16];
	uint8_t sn[16], src[16];
	const struct dsr_nd_neigh *n;
	int st;

	dsr_nd_solicited_node(icmp + 8, sn);
	if (memcmp(ip + 8, any, 16) == 0) {
		/* A DAD probe. */
		FUZZ_CHECK(plen == 24);
		FUZZ_CHECK(addr_state(port, icmp + 8) == DSR_ND_TENTATIVE);
		FUZZ_CHECK(memcmp(ip + 24, sn, 16) == 0);
		FUZZ_CHECK(f[0] == 0x33 && f[1] == 0x33 && memcmp(f + 2, sn + 12, 4) == 0);
		return;
	}
	FUZZ_CHECK(plen == 32 && icmp[24] == 1 && icmp[25] == 1);
	FUZZ_CHECK(memcmp(icmp + 26, port_mac[port], 6) == 0);
	FUZZ_CHECK(port_source(port, src, &st) && st == DSR_ND_PREFERRED);
	FUZZ_CHECK(memcmp(ip + 8, src, 16) == 0);
	n = neigh_of(icmp + 8);
	FUZZ_CHECK(n != NULL && n->port == port);
	if (f[0] == 0x33) {
		FUZZ_CHECK(memcmp(ip + 24, sn, 16) == 0);
		FUZZ_CHECK(f[1] == 0x33 && memcmp(f + 2, sn + 12, 4) == 0);
	} else {
		/* A unicast confirmation of a known MAC. */
		FUZZ_CHECK(n->sm.state == DSR_NEIGH_PROBING && n->sm.has_mac &&
			   memcmp(n->sm.mac, f, 6) == 0);
		FUZZ_CHECK(memcmp(ip + 24, icmp + 8, 16) == 0);
	}
}

/*
 * An MLD report or Done we sent: from the port's link-local address, hop
 * limit 1, the router alert, a valid checksum, to its group's 33:33 MAC;
 * an MLDv2 report's records fill its length.
 */
static void
check_mld(uint16_t port, const uint8_t *f, const uint8_t *ip, uint32_t len)
{
	static const uint8_t hbh[8] = {58, 0, 5, 2, 0, 0, 1, 0};
	const uint8_t *icmp = ip + 48;
	uint32_t plen = rd16(ip + 4), mlen;
	uint8_t ll[16];

	FUZZ_CHECK(plen >= 8 + 24 && len == (uint32_t)(ip - f) + 40 + plen);
	mlen = plen - 8;
	FUZZ_CHECK(ip[7] == 1 && memcmp(ip + 40, hbh, 8) == 0);
	dsr_nd_link_local(port_mac[port], ll);
	FUZZ_CHECK(memcmp(ip + 8, ll, 16) == 0);
	FUZZ_CHECK(f[0] == 0x33 && f[1] == 0x33 && memcmp(f + 2, ip + 36, 4) == 0);
	FUZZ_CHECK(icmp[1] == 0 && csum(ip, icmp, mlen) == 0);
	if (icmp[0] == 143)
		FUZZ_CHECK(mlen == 8 + 20u * rd16(icmp + 6) && ip[24] == 0xff && ip[39] == 0x16);
	else
		FUZZ_CHECK((icmp[0] == 131 || icmp[0] == 132) && mlen == 24 && icmp[8] == 0xff);
}

static void
tx_cb(void *arg, uint16_t port, const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + 14, *icmp;
	uint32_t plen;

	(void)arg;
	FUZZ_CHECK(port < NPORTS);
	FUZZ_CHECK(len >= 78);
	FUZZ_CHECK(memcmp(f + 6, port_mac[port], 6) == 0);
	if (rd16(f + 12) == 0x8100)
		ip += 4;
	FUZZ_CHECK(rd16(ip - 2) == 0x86dd);
	if (ip[6] == 0) {
		check_mld(port, f, ip, len);
		return;
	}
	icmp = ip + 40;
	plen = rd16(ip + 4);
	FUZZ_CHECK(len == (uint32_t)(icmp - f) + plen);
	FUZZ_CHECK(ip[0] == 0x60 && ip[1] == 0 && ip[2] == 0 && ip[3] == 0);
	FUZZ_CHECK(ip[6] == 58 && ip[7] == 255);
	FUZZ_CHECK(icmp[1] == 0 && csum(ip, icmp, plen) == 0);
	if (icmp[0] == DSR_ND_NS) {
		FUZZ_CHECK(ip == f + 14);
		check_ns(port, f, ip, icmp, plen);
		return;
	}
	FUZZ_CHECK(icmp[0] == DSR_ND_NA && plen == 32);
	FUZZ_CHECK(addr_state(port, icmp + 8) == DSR_ND_PREFERRED);
	FUZZ_CHECK(memcmp(ip + 8, icmp + 8, 16) == 0);
	FUZZ_CHECK(icmp[24] == 2 && icmp[25] == 1 && memcmp(icmp + 26, port_mac[port], 6) == 0);
	if (ip[24] == 0xff) {
		FUZZ_CHECK(ip[25] == 0x02 && ip[39] == 1 && (icmp[4] & NA_S) == 0);
		FUZZ_CHECK(memcmp(f, "\x33\x33\x00\x00\x00\x01", 6) == 0);
	} else {
		FUZZ_CHECK((icmp[4] & NA_S) != 0);
		FUZZ_CHECK(dsr_mac_is_unicast(f));
	}
}

static void
log_cb(void *arg, int level, const char *line)
{
	size_t i;

	(void)arg;
	FUZZ_CHECK(level == DSR_LOG_ERR || level == DSR_LOG_WARNING || level == DSR_LOG_INFO);
	FUZZ_CHECK(line[0] != '\0');
	for (i = 0; line[i] != '\0'; i++)
		FUZZ_CHECK((unsigned char)line[i] >= 0x20 && (unsigned char)line[i] < 0x7f);
}

/* State carried between operations for the checks. */
struct shadow {
	uint64_t counters[DSR_MAX_PORTS][DSR_ND_NCOUNTERS];
	int look[NIPS];
	uint8_t look_mac[NIPS][6];
	struct dsr_nd_neigh nb[16];
	unsigned int n_nb;
};

static void
snapshot(struct shadow *sh)
{
	const struct dsr_nd_neigh *nb = dsr_nd_neighbours(cur_nd, &sh->n_nb);

	FUZZ_CHECK(sh->n_nb <= 16);
	if (sh->n_nb > 0)
		memcpy(sh->nb, nb, sh->n_nb * sizeof(*nb));
}

static void
check_mac_kept(const struct shadow *sh)
{
	unsigned int i;

	for (i = 0; i < sh->n_nb; i++) {
		const struct dsr_nd_neigh *o = &sh->nb[i], *n;

		if (!o->sm.has_mac || o->sm.relearn || o->sm.state == DSR_NEIGH_FAILED ||
		    o->sm.state == DSR_NEIGH_INCOMPLETE)
			continue;
		n = neigh_of(o->ip);
		if (n != NULL && n->sm.has_mac && n->port == o->port)
			FUZZ_CHECK(memcmp(n->sm.mac, o->sm.mac, 6) == 0);
	}
}

static void
check_mc(void)
{
	struct dsr_nd_addr_info ai;
	uint8_t m[16][6], sn[16];
	unsigned int p, n, i, j;

	for (p = 0; p < NPORTS; p++) {
		n = dsr_nd_mc_macs(cur_nd, (uint16_t)p, m, 16);
		FUZZ_CHECK(n >= 1 && n <= 16);
		FUZZ_CHECK(memcmp(m[0], "\x33\x33\x00\x00\x00\x01", 6) == 0);
		for (i = 1; i < n; i++)
			FUZZ_CHECK(memcmp(m[i - 1], m[i], 6) < 0);
		for (i = 0; dsr_nd_addr_get(cur_nd, i, &ai); i++) {
			bool found = false;

			if (ai.port != p)
				continue;
			dsr_nd_solicited_node(ai.ip, sn);
			for (j = 0; j < n; j++)
				found |= m[j][0] == 0x33 && m[j][1] == 0x33 &&
					 memcmp(m[j] + 2, sn + 12, 4) == 0;
			FUZZ_CHECK(found);
		}
	}
}

static void
check(struct shadow *sh)
{
	const struct dsr_nd_neigh *nb;
	unsigned int n, i, p, c;
	bool changed_seen = false, changed;

	for (p = 0; p < DSR_MAX_PORTS; p++) {
		if (p == NPORTS)
			p = DSR_MAX_PORTS - 1;
		for (c = 0; c < DSR_ND_NCOUNTERS; c++) {
			uint64_t v = dsr_nd_counter(cur_nd, (uint16_t)p, (enum dsr_nd_counter)c);

			FUZZ_CHECK(v >= sh->counters[p][c]);
			sh->counters[p][c] = v;
		}
	}
	nb = dsr_nd_neighbours(cur_nd, &n);
	for (i = 0; i < n; i++) {
		uint8_t mac[6];
		enum dsr_mac_lookup r;

		if (i > 0)
			FUZZ_CHECK(memcmp(nb[i - 1].ip, nb[i].ip, 16) < 0);
		FUZZ_CHECK(nb[i].port < NPORTS);
		FUZZ_CHECK(nb[i].sm.state <= DSR_NEIGH_PROBING);
		FUZZ_CHECK(!nb[i].sm.relearn || nb[i].sm.state == DSR_NEIGH_REFRESHING);
		r = dsr_nd_lookup(cur_nd, nb[i].ip, mac);
		if (!nb[i].sm.has_mac) {
			FUZZ_CHECK(r == (nb[i].sm.state == DSR_NEIGH_FAILED ? DSR_MAC_NEVER
									    : DSR_MAC_PENDING));
			continue;
		}
		FUZZ_CHECK(dsr_mac_is_unicast(nb[i].sm.mac));
		for (p = 0; p < NPORTS; p++)
			FUZZ_CHECK(memcmp(nb[i].sm.mac, port_mac[p], 6) != 0);
		FUZZ_CHECK(r == (nb[i].sm.state == DSR_NEIGH_FAILED ? DSR_MAC_LOST : DSR_MAC_OK));
		FUZZ_CHECK(memcmp(mac, nb[i].sm.mac, 6) == 0);
	}
	dsr_nd_conflicts(cur_nd, &n);
	FUZZ_CHECK(n <= cur_params.arp.conflicts_max);

	changed = dsr_nd_take_changed(cur_nd);
	for (i = 0; i < NIPS; i++) {
		uint8_t mac[6] = {0};
		enum dsr_mac_lookup r = dsr_nd_lookup(cur_nd, ip_tab[i], mac);

		if (r != sh->look[i] ||
		    (dsr_mac_lookup_has_mac(r) && memcmp(mac, sh->look_mac[i], 6) != 0))
			changed_seen = true;
		sh->look[i] = r;
		memcpy(sh->look_mac[i], mac, 6);
	}
	FUZZ_CHECK(!changed_seen || changed);
	check_mc();
}

/* An NS or NA from table values with a correct checksum (kind 6). */
/*
 * An MLD query at ip (kind 6 with bit 3): MLDv1 or MLDv2 (bit 4), general
 * or for tgt's solicited-node group (bit 0), from a link-local address
 * unless bit 5, router alert unless bit 6, checksum broken by bit 7.
 */
static uint32_t
build_query(uint8_t b0, uint8_t *ip, const uint8_t *src, const uint8_t *tgt, const uint8_t *f)
{
	uint32_t mlen = (b0 & 0x10) ? 28 : 24;
	uint8_t *icmp = ip + 48;
	uint16_t c;

	ip[0] = 0x60;
	ip[5] = (uint8_t)(8 + mlen);
	ip[6] = 0;
	ip[7] = 1;
	memcpy(ip + 8, src, 16);
	if (!(b0 & 0x20)) {
		ip[8] = 0xfe;
		ip[9] = 0x80;
	}
	ip[24] = 0xff;
	ip[25] = 0x02;
	ip[39] = 1;
	ip[40] = 58;
	ip[42] = (b0 & 0x40) ? 1 : 5;
	ip[43] = 2;
	ip[46] = 1;
	icmp[0] = 130;
	if (b0 & 1)
		dsr_nd_solicited_node(tgt, icmp + 8);
	c = csum(ip, icmp, mlen);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)(c ^ (b0 >> 7));
	return (uint32_t)(icmp - f) + mlen;
}

static uint32_t
build_frame(struct fuzz_in *in, uint8_t *f)
{
	uint8_t b0 = fuzz_u8(in), *ip = f + 14, *icmp;
	const uint8_t *src = ip_tab[fuzz_u8(in) % NIPS], *dst = ip_tab[fuzz_u8(in) % NIPS];
	const uint8_t *tgt = ip_tab[fuzz_u8(in) % NIPS];
	uint8_t sel = fuzz_u8(in);
	const uint8_t *mac = macs[(sel & 0x0f) % NMACS], *edst = macs[(sel >> 4) % NMACS];
	uint32_t plen = 24 + ((b0 & 4) ? 8 : 0);
	uint16_t c;

	memset(f, 0, 96);
	memcpy(f, edst, 6);
	memcpy(f + 6, mac, 6);
	if (b0 & 2) {
		f[12] = 0x81;
		f[15] = 7;
		ip += 4;
	}
	ip[-2] = 0x86;
	ip[-1] = 0xdd;
	if (b0 & 8)
		return build_query(b0, ip, src, tgt, f);
	ip[0] = 0x60;
	ip[5] = (uint8_t)plen;
	ip[6] = 58;
	ip[7] = 255;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	icmp = ip + 40;
	icmp[0] = (b0 & 1) ? DSR_ND_NA : DSR_ND_NS;
	icmp[4] = b0 & 0xe0;
	memcpy(icmp + 8, tgt, 16);
	if (b0 & 4) {
		icmp[24] = (b0 & 1) ? 2 : 1;
		icmp[25] = 1;
		memcpy(icmp + 26, mac, 6);
	}
	c = csum(ip, icmp, plen);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return (uint32_t)(icmp - f) + plen;
}

/* An NA answering port's NS (kind 7). */
static uint32_t
build_answer(struct fuzz_in *in, uint16_t port, uint8_t *f)
{
	uint8_t sel = fuzz_u8(in), *ip = f + 14, *icmp = ip + 40, src[16];
	const uint8_t *mac = macs[(sel & 0x0f) % NMACS], *tgt = ip_tab[(sel >> 4) % NIPS];
	int st;
	uint16_t c;

	memset(f, 0, 96);
	memset(src, 0, sizeof(src));
	if (port < NPORTS) {
		memcpy(f, port_mac[port], 6);
		port_source(port, src, &st);
	}
	memcpy(f + 6, mac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	ip[5] = 32;
	ip[6] = 58;
	ip[7] = 255;
	memcpy(ip + 8, tgt, 16);
	memcpy(ip + 24, src, 16);
	icmp[0] = DSR_ND_NA;
	icmp[4] = NA_S | 0x20;
	memcpy(icmp + 8, tgt, 16);
	icmp[24] = 2;
	icmp[25] = 1;
	memcpy(icmp + 26, mac, 6);
	c = csum(ip, icmp, 32);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return 86;
}

/* Hand a copy of exactly len bytes to lib/nd (ASan sees overruns). */
static void
feed(uint16_t port, const uint8_t *p, size_t len, uint32_t now)
{
	uint8_t *f = malloc(len > 0 ? len : 1);

	FUZZ_CHECK(f != NULL);
	if (len > 0)
		memcpy(f, p, len);
	dsr_nd_input(cur_nd, port, f, (uint32_t)len, now);
	dsr_nd_mld_input(cur_nd, port, f, (uint32_t)len, now);
	free(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	static struct shadow sh;
	unsigned int i, nconf = 0;
	uint32_t now;

	if (!ready)
		setup();
	memset(&sh, 0, sizeof(sh));
	for (i = 0; i < NIPS; i++)
		sh.look[i] = DSR_MAC_PENDING;
	now = (uint32_t)fuzz_u16(&in) << 16;
	cur_nd = dsr_nd_create(&params_a, tx_cb, log_cb, NULL);
	FUZZ_CHECK(cur_nd != NULL);
	cur_conf = 0;
	cur_params = params_a;
	FUZZ_CHECK(configure(now, NULL) == 0);
	check(&sh);

	while (in.n > 0) {
		uint8_t op = fuzz_u8(&in), kind = op & 7, sel = (op >> 3) & 3;
		uint16_t port = sel < NPORTS ? sel : DSR_MAX_PORTS - 1;
		unsigned int shift = (op >> 5) & 3;
		uint8_t f[96];
		size_t len;

		snapshot(&sh);
		switch (kind) {
		case 0:
		case 1:
		case 2:
		case 3: {
			const uint8_t *p;

			now += (uint32_t)fuzz_u8(&in) << (3 * shift);
			p = fuzz_bytes(&in, fuzz_u8(&in), &len);
			feed(port, p, len, now);
			break;
		}
		case 5:
			if (!(op & 0x80) || nconf >= 4) {
				now += (uint32_t)fuzz_u8(&in) << (4 * shift);
				dsr_nd_tick(cur_nd, now);
				break;
			}
			nconf++;
			cur_conf = (op >> 3) & 1;
			if (op & 0x10)
				cur_params =
					cur_params.arp.conflicts_max == params_a.arp.conflicts_max
						? params_b
						: params_a;
			FUZZ_CHECK(configure(now, (op & 0x10) ? &cur_params : NULL) == 0);
			break;
		case 6:
			now += (uint32_t)fuzz_u8(&in) << (3 * shift);
			len = build_frame(&in, f);
			feed(port, f, len, now);
			break;
		case 7:
			now += (uint32_t)fuzz_u8(&in) << (3 * shift);
			len = build_answer(&in, port, f);
			feed(port, f, len, now);
			break;
		default: /* 4 */
			now += (uint32_t)fuzz_u16(&in) << (4 * shift);
			dsr_nd_tick(cur_nd, now);
			break;
		}
		check_mac_kept(&sh);
		check(&sh);
	}
	dsr_nd_free(cur_nd);
	cur_nd = NULL;
	return 0;
}
