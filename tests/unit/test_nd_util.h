/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_TEST_ND_UTIL_H
#define DSR_TEST_ND_UTIL_H

/*
 * Helpers of test_nd.c and test_nd_neigh.c: a configuration with two
 * ports, VIPs and backends; tx and log callbacks that record what lib/nd
 * sends and logs (test_arp_util.h's, shared); an NS/NA builder of the
 * tests' own, with its own checksum, so that expected frames do not come
 * from the code under test.
 *
 *   port 0  fd00::1      02:00:00:00:00:01
 *   port 1  fd00:1::1    02:00:00:00:00:02
 *   VIP     fd00:100::100 on ports 0 and 1; fd00::100 on port 0
 *   backends (with_backends): fd00::21 (port 0, listed twice),
 *   fd00:1::50 (port 1)
 */

#include "test_arp_util.h"

#include "dsr_nd.h"

#define NS  135u
#define NA  136u
#define F_S 0x40u /* NA flags */
#define F_O 0x20u

static struct dsr_nd *nd;
static const uint8_t ALLNODES_MAC[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
static const uint8_t HOST6_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x50}; /* fd00::50 */

static inline const uint8_t *
ip6(const char *s)
{
	static uint8_t buf[8][16];
	static unsigned int k;
	uint8_t *b = buf[k++ % 8];

	if (inet_pton(AF_INET6, s, b) != 1)
		abort();
	return b;
}

/* The 33:33 MAC of the solicited-node group of the address s. */
static inline void
sn_mac(const char *s, uint8_t mac[6])
{
	const uint8_t *a = ip6(s);

	mac[0] = 0x33;
	mac[1] = 0x33;
	mac[2] = 0xff;
	memcpy(mac + 3, a + 13, 3);
}

static inline const char *
sn_of(const char *s)
{
	static char buf[4][64];
	static unsigned int k;
	const uint8_t *a = ip6(s);
	char *b = buf[k++ % 4];

	snprintf(b, 64, "ff02::1:ff%02x:%02x%02x", a[13], a[14], a[15]);
	return b;
}

/* The tests' own ICMPv6 checksum: one's complement sum, bit by bit as RFC 1071 says. */
static inline uint16_t
t_csum(const uint8_t *ip, const uint8_t *icmp, uint32_t len)
{
	uint32_t sum = 0, i;

	for (i = 8; i < 40; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	sum += len + 58;
	for (i = 0; i < len; i++)
		sum += (i & 1) ? icmp[i] : (uint32_t)icmp[i] << 8;
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A description of an ND frame for mk_nd(). */
struct ndf {
	const uint8_t *dst; /* Ethernet */
	const uint8_t *src; /* Ethernet */
	int tci;            /* a VLAN tag if >= 0 */
	const char *ip_src;
	const char *ip_dst;
	unsigned int hop;  /* 0: 255 */
	unsigned int type; /* NS, NA or other */
	unsigned int code;
	unsigned int flags; /* NA */
	const char *target;
	unsigned int opt; /* link-layer option type (1 or 2), 0: none */
	const uint8_t *opt_mac;
};

/* Build it: options after the 24 bytes, a correct checksum. Returns the length. */
static inline uint32_t
mk_nd(uint8_t *buf, const struct ndf *d)
{
	uint32_t n = 12, plen = 24 + (d->opt ? 8 : 0);
	uint8_t *ip, *icmp;
	uint16_t c;

	memset(buf, 0, 128);
	memcpy(buf, d->dst, 6);
	memcpy(buf + 6, d->src, 6);
	if (d->tci >= 0) {
		buf[n++] = 0x81;
		buf[n++] = 0x00;
		buf[n++] = (uint8_t)(d->tci >> 8);
		buf[n++] = (uint8_t)d->tci;
	}
	buf[n++] = 0x86;
	buf[n++] = 0xdd;
	ip = buf + n;
	ip[0] = 0x60;
	ip[5] = (uint8_t)plen;
	ip[6] = 58;
	ip[7] = (uint8_t)(d->hop ? d->hop : 255);
	memcpy(ip + 8, ip6(d->ip_src), 16);
	memcpy(ip + 24, ip6(d->ip_dst), 16);
	icmp = ip + 40;
	icmp[0] = (uint8_t)d->type;
	icmp[1] = (uint8_t)d->code;
	icmp[4] = (uint8_t)d->flags;
	memcpy(icmp + 8, ip6(d->target), 16);
	if (d->opt) {
		icmp[24] = (uint8_t)d->opt;
		icmp[25] = 1;
		memcpy(icmp + 26, d->opt_mac, 6);
	}
	c = t_csum(ip, icmp, plen);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return n + 40 + plen;
}

/* Write the checksum of the ICMPv6 message (len bytes at icmp) behind ip. */
static inline void
t_put_csum(const uint8_t *ip, uint8_t *icmp, uint32_t len)
{
	uint16_t c;

	icmp[2] = 0;
	icmp[3] = 0;
	c = t_csum(ip, icmp, len);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
}

/* Recompute the checksum of a built frame after an edit (untagged). */
static inline void
fix_csum(uint8_t *f)
{
	uint8_t *ip = f + 14;

	t_put_csum(ip, ip + 40, (uint32_t)(ip[4] << 8 | ip[5]));
}

/* An NS from host (fd00::50, HOST6_MAC) for target, to its solicited-node group. */
static inline uint32_t
mk_ns(uint8_t *f, const char *target)
{
	uint8_t m[6];
	struct ndf d = {.src = HOST6_MAC,
			.tci = -1,
			.ip_src = "fd00::50",
			.type = NS,
			.target = target,
			.opt = 1,
			.opt_mac = HOST6_MAC};

	sn_mac(target, m);
	d.dst = m;
	d.ip_dst = sn_of(target);
	return mk_nd(f, &d);
}

/* A DAD probe (NS from ::) from mac for target. */
static inline uint32_t
mk_probe(uint8_t *f, const uint8_t *mac, const char *target, int tci)
{
	uint8_t m[6];
	struct ndf d = {.src = mac, .tci = tci, .ip_src = "::", .type = NS, .target = target};

	sn_mac(target, m);
	d.dst = m;
	d.ip_dst = sn_of(target);
	return mk_nd(f, &d);
}

/* An unsolicited NA (to all-nodes, Override) from mac for target. */
static inline uint32_t
mk_unsol_na(uint8_t *f, const uint8_t *mac, const char *target)
{
	struct ndf d = {.dst = ALLNODES_MAC,
			.src = mac,
			.tci = -1,
			.ip_src = target,
			.ip_dst = "ff02::1",
			.type = NA,
			.flags = F_O,
			.target = target,
			.opt = 2,
			.opt_mac = mac};

	return mk_nd(f, &d);
}

/* Our unsolicited NA (announcement, defence, probe answer) for ip on port. */
static inline uint32_t
mk_our_announce(uint8_t *f, uint16_t port, const char *ip, int tci)
{
	struct ndf d = {.dst = ALLNODES_MAC,
			.src = port_macs[port],
			.tci = tci,
			.ip_src = ip,
			.ip_dst = "ff02::1",
			.type = NA,
			.flags = F_O,
			.target = ip,
			.opt = 2,
			.opt_mac = port_macs[port]};

	return mk_nd(f, &d);
}

/* Our DAD probe for ip on port. */
static inline uint32_t
mk_our_probe(uint8_t *f, uint16_t port, const char *ip)
{
	return mk_probe(f, port_macs[port], ip, -1);
}

static inline uint64_t
ncnt(uint16_t port, enum dsr_nd_counter c)
{
	return dsr_nd_counter(nd, port, c);
}

static inline void
nd_in(uint16_t port, const uint8_t *f, uint32_t len, uint32_t now_ms)
{
	dsr_nd_input(nd, port, f, len, now_ms);
}

static struct dsr_nd_addr nd_addrs[8];
static unsigned int n_nd_addrs;
static struct dsr_nd_target nd_backends[8];
static unsigned int n_nd_backends;

static inline void
add_addr(uint16_t port, const char *ip, enum dsr_nd_addr_kind kind)
{
	struct dsr_nd_addr *a = &nd_addrs[n_nd_addrs++];

	memset(a, 0, sizeof(*a));
	memcpy(a->ip, ip6(ip), 16);
	a->port = port;
	a->kind = (uint8_t)kind;
}

static inline void
add_backend(uint16_t port, const char *ip)
{
	struct dsr_nd_target *b = &nd_backends[n_nd_backends++];

	memset(b, 0, sizeof(*b));
	memcpy(b->ip, ip6(ip), 16);
	b->port = port;
}

static inline int
nd_reconfigure(const struct dsr_nd_params *p, uint32_t now_ms)
{
	struct dsr_nd_config c = {
		.nb_ports = 2,
		.port_mac = port_macs,
		.addrs = nd_addrs,
		.n_addrs = n_nd_addrs,
		.backends = nd_backends,
		.n_backends = n_nd_backends,
	};

	return dsr_nd_configure(nd, &c, p, now_ms);
}

/* Defaults but announce_count and dad_transmits, and no MLD reports (test_nd_mld.c's). */
static inline struct dsr_nd_params
nd_params(uint32_t announce_count, uint32_t dad_transmits)
{
	struct dsr_nd_params p;

	dsr_nd_params_default(&p);
	p.arp.announce_count = announce_count;
	p.dad_transmits = dad_transmits;
	p.mld_reports = 0;
	return p;
}

static inline void
nd_setup(const struct dsr_nd_params *p, bool with_backends, uint32_t now_ms)
{
	n_nd_addrs = 0;
	n_nd_backends = 0;
	add_addr(0, "fd00::1", DSR_ND_ADDR_PORT);
	add_addr(1, "fd00:1::1", DSR_ND_ADDR_PORT);
	add_addr(0, "fd00:100::100", DSR_ND_ADDR_VIP);
	add_addr(1, "fd00:100::100", DSR_ND_ADDR_VIP);
	add_addr(0, "fd00::100", DSR_ND_ADDR_VIP);
	if (with_backends) {
		add_backend(0, "fd00::21");
		add_backend(1, "fd00:1::50");
		add_backend(0, "fd00::21");
	}
	nd = dsr_nd_create(p, tx_cb, log_cb, &txs);
	if (nd == NULL)
		abort();
	CHECK_EQ(nd_reconfigure(p, now_ms), 0);
	clear_out();
}

static inline void
nd_teardown(void)
{
	dsr_nd_free(nd);
	nd = NULL;
}

static inline const struct dsr_nd_neigh *
nd_neigh_of(const char *ip)
{
	const struct dsr_nd_neigh *t;
	unsigned int n, i;

	t = dsr_nd_neighbours(nd, &n);
	for (i = 0; i < n; i++)
		if (memcmp(t[i].ip, ip6(ip), 16) == 0)
			return &t[i];
	return NULL;
}

#endif /* DSR_TEST_ND_UTIL_H */
