/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the ARP slow path (lib/arp) on arbitrary frames and
 * clock ticks, under two configurations.
 *
 * Input: the first two bytes set the starting clock (high half), then
 * operations, each an op byte (kind = op & 7, port = (op >> 3) & 3 with 3
 * an unconfigured port id, shift = (op >> 5) & 3) and its arguments:
 *   0-3  frame:  [dt u8][len u8][len bytes]; the clock advances dt << 3*shift
 *   4    tick:   [dt u16]; the clock advances dt << 4*shift, then a tick
 *   5    if op bit 7 (and at most 4 times): configure: configuration B if
 *        op bit 3, else A; new tunables if op bit 4 (else kept); else
 *        [dt u8] and a tick
 *   6    a well-formed ARP frame made of table values, for the paths behind
 *        validation: [dt u8][b0: op, tag, dst][sha][spa][tha][tpa]
 *   7    a reply to the port's address and MAC, as an answer to our request
 *        looks (the contradicting-reply case when sha is not the known
 *        MAC): [dt u8][sel: sha index low 4 bits, spa index high 4 bits]
 * Invariants, checked in the callbacks and after every operation:
 *   - every frame sent is on a configured port, 60 bytes (or 64 for a
 *     reply with a VLAN tag), a well-formed ARP request or reply from the
 *     port's MAC (Ethernet and sender) with the padding zero; its sender IP
 *     is one of our addresses on that port (the port's address or a VIP it
 *     serves); requests have a zero target MAC and are broadcast, or sent
 *     to the known MAC of a neighbour in PROBING state for its IP (the
 *     unicast confirmation); replies go to the unicast target MAC;
 *   - log lines are one printable line, WARNING or INFO;
 *   - per-port counters never decrease;
 *   - neighbours are sorted by IP without duplicates, on configured ports,
 *     with valid states; a learned MAC is unicast, non-zero and not ours;
 *     dsr_arp_lookup() agrees with the neighbour table;
 *   - if any backend's lookup result changed since the last call,
 *     dsr_arp_take_changed() says so (the daemon rebuilds the generation
 *     only then);
 *   - the conflict table holds at most conflicts_max rows;
 *   - a neighbour's MAC changes only when the known MAC stopped answering:
 *     one that had a MAC in REACHABLE, REFRESHING or PROBING state without
 *     relearn has the same MAC after the operation, whatever frame came.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_arp.h"
#include "dsr_conf.h"
#include "dsr_log.h"
#include "fuzz_util.h"

#define NPORTS 3

static const char *const conf_a_lines[] = {
	"port 0 address 10.0.0.2/24",
	"port 1 address 192.168.1.2/24",
	"vip add 10.0.0.100:80/tcp",    /* in port 0's subnet */
	"vip add 164.152.77.34:80/tcp", /* in no subnet: every port with an address */
	"vip add 192.168.1.100:53/udp", /* port 1 */
	"backend add 10.0.0.100:80/tcp 10.0.0.21",
	"backend add 10.0.0.100:80/tcp 10.0.0.22 mac 02:00:00:00:b1:02",
	"backend add 164.152.77.34:80/tcp 10.0.0.21",
	"backend add 164.152.77.34:80/tcp 192.168.1.50",
	"backend add 192.168.1.100:53/udp 192.168.1.51",
	NULL,
};

/* B: a VIP and a backend go, a backend comes, one gets a static MAC. */
static const char *const conf_b_lines[] = {
	"port 0 address 10.0.0.2/24",
	"port 1 address 192.168.1.2/24",
	"vip add 10.0.0.100:80/tcp",
	"vip add 192.168.1.100:53/udp",
	"vip add 10.0.0.101:80/tcp",
	"backend add 10.0.0.100:80/tcp 10.0.0.21",
	"backend add 10.0.0.100:80/tcp 10.0.0.23",
	"backend add 192.168.1.100:53/udp 192.168.1.51 mac 02:00:00:00:c1:51",
	"backend add 10.0.0.101:80/tcp 192.168.1.50",
	NULL,
};

static const uint8_t port_mac[NPORTS][6] = {
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x02},
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x03},
};

/* Values the structured frames are made of. */
static const uint8_t macs[][6] = {
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}, {0x02, 0x00, 0x00, 0x00, 0x00, 0x02},
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x03}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	{0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, {0x02, 0x00, 0x00, 0x00, 0x00, 0x21},
	{0x02, 0x00, 0x00, 0x00, 0x01, 0x50}, {0x00, 0x13, 0xd4, 0x59, 0x7a, 0xda},
	{0x1c, 0xc1, 0xde, 0xb4, 0x76, 0x60}, {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01},
	{0x02, 0x66, 0x66, 0x66, 0x66, 0x66}, {0x02, 0x00, 0x00, 0x00, 0x01, 0x51},
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x23}, {0x02, 0x00, 0x00, 0x00, 0x00, 0x99},
};
static const char *const ips[] = {
	"10.0.0.2",  "192.168.1.2", "10.0.0.100", "164.152.77.34", "192.168.1.100",
	"10.0.0.21", "10.0.0.22",   "10.0.0.23",  "192.168.1.50",  "192.168.1.51",
	"0.0.0.0",   "10.0.0.99",   "10.0.0.101",
};
#define NMACS (sizeof(macs) / sizeof(macs[0]))
#define NIPS  (sizeof(ips) / sizeof(ips[0]))

static struct dsr_conf *confs[2];
static struct dsr_arp *cur_arp; /* for tx_cb's check of unicast requests */
static const struct dsr_conf *cur_conf;
static struct dsr_arp_params params_a, params_b, cur_params;
static uint32_t ip_tab[NIPS];

static uint32_t
ip_of(const char *s)
{
	uint32_t ip;

	FUZZ_CHECK(inet_pton(AF_INET, s, &ip) == 1);
	return ip;
}

static bool
mac_is_ours(const uint8_t *m)
{
	unsigned int i;

	for (i = 0; i < NPORTS; i++)
		if (memcmp(m, port_mac[i], 6) == 0)
			return true;
	return false;
}

static bool
in_subnet(const struct dsr_conf_port *p, uint32_t ip)
{
	uint32_t mask = p->prefix_len == 0 ? 0 : htonl(~0u << (32 - p->prefix_len));

	return p->has_addr && ((ip ^ p->ip) & mask) == 0;
}

/* Is ip one of our addresses on port (dsr_arp_configure()'s rule)? */
static bool
our_address(uint16_t port, uint32_t ip)
{
	const struct dsr_conf *c = cur_conf;
	unsigned int v, p;
	bool anywhere;

	if (c->ports[port].has_addr && c->ports[port].ip == ip)
		return true;
	for (v = 0; v < DSR_MAX_VIPS; v++) {
		if (!c->vips[v].used || c->vips[v].svc.ip != ip)
			continue;
		anywhere = false;
		for (p = 0; p < NPORTS; p++)
			anywhere |= in_subnet(&c->ports[p], ip);
		if (anywhere ? in_subnet(&c->ports[port], ip) : c->ports[port].has_addr)
			return true;
	}
	return false;
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
tx_cb(void *arg, uint16_t port, const uint8_t *f, uint32_t len)
{
	static const uint8_t zero[6], bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const uint8_t *a = f + 14;
	uint32_t spa, i;
	uint16_t op;

	(void)arg;
	FUZZ_CHECK(port < NPORTS);
	FUZZ_CHECK(len == DSR_ARP_FRAME_LEN || len == DSR_ARP_FRAME_LEN + 4);
	FUZZ_CHECK(memcmp(f + 6, port_mac[port], 6) == 0);
	if (len == DSR_ARP_FRAME_LEN + 4) {
		FUZZ_CHECK(rd16(f + 12) == 0x8100);
		a += 4;
	}
	FUZZ_CHECK(rd16(a - 2) == 0x0806);
	FUZZ_CHECK(rd16(a) == 1 && rd16(a + 2) == 0x0800 && a[4] == 6 && a[5] == 4);
	op = rd16(a + 6);
	FUZZ_CHECK(memcmp(a + 8, port_mac[port], 6) == 0);
	memcpy(&spa, a + 14, 4);
	FUZZ_CHECK(our_address(port, spa));
	for (i = (uint32_t)(a + 28 - f); i < len; i++)
		FUZZ_CHECK(f[i] == 0);
	if (op == 1) {
		FUZZ_CHECK(len == DSR_ARP_FRAME_LEN);
		FUZZ_CHECK(memcmp(a + 18, zero, 6) == 0);
		if (memcmp(f, bcast, 6) != 0) {
			const struct dsr_arp_neigh *nb;
			uint32_t tpa;
			unsigned int n, j;
			bool probing = false;

			/* A unicast confirmation of a known MAC. */
			memcpy(&tpa, a + 24, 4);
			nb = dsr_arp_neighbours(cur_arp, &n);
			for (j = 0; j < n; j++)
				probing |= nb[j].ip == tpa && nb[j].port == port &&
					   nb[j].sm.state == DSR_NEIGH_PROBING &&
					   nb[j].sm.has_mac && memcmp(nb[j].sm.mac, f, 6) == 0;
			FUZZ_CHECK(probing);
		}
	} else {
		FUZZ_CHECK(op == 2);
		FUZZ_CHECK((f[0] & 1) == 0 && memcmp(f, zero, 6) != 0);
		FUZZ_CHECK(memcmp(f, a + 18, 6) == 0);
	}
}

static void
log_cb(void *arg, int level, const char *line)
{
	size_t i;

	(void)arg;
	FUZZ_CHECK(level == DSR_LOG_WARNING || level == DSR_LOG_INFO);
	FUZZ_CHECK(line[0] != '\0');
	for (i = 0; line[i] != '\0'; i++)
		FUZZ_CHECK((unsigned char)line[i] >= 0x20 && (unsigned char)line[i] < 0x7f);
}

static void
load(struct dsr_conf *c, const char *const *lines)
{
	char err[DSR_CMD_ERR_MAX];

	dsr_conf_init(c);
	for (; *lines != NULL; lines++) {
		if (dsr_conf_apply_line(c, *lines, err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz_arp: '%s': %s\n", *lines, err);
			abort();
		}
	}
}

static void
setup(void)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		confs[i] = malloc(sizeof(*confs[i]));
		FUZZ_CHECK(confs[i] != NULL);
		load(confs[i], i == 0 ? conf_a_lines : conf_b_lines);
	}
	for (i = 0; i < NIPS; i++)
		ip_tab[i] = ip_of(ips[i]);
	dsr_arp_params_default(&params_a);
	params_a.announce_interval_ms = 100;
	params_a.refresh_ms = 1000;
	params_a.retry_ms = 50;
	params_a.max_tries = 2;
	params_a.conflicts_max = 4;
	params_b = params_a;
	params_b.announce_count = 1;
	params_b.refresh_ms = 300;
	params_b.retry_ms = 400;
	params_b.max_tries = 3;
	params_b.conflicts_max = 2;
}

/* State carried between operations for the checks. */
struct shadow {
	uint64_t counters[DSR_MAX_PORTS][DSR_ARP_NCOUNTERS];
	int look[NIPS];
	uint8_t look_mac[NIPS][6];
	/* Neighbours before the operation (the MAC-change rule). */
	struct dsr_arp_neigh nb[DSR_MAX_BACKENDS];
	unsigned int n_nb;
};

static void
snapshot(struct dsr_arp *a, struct shadow *sh)
{
	const struct dsr_arp_neigh *nb = dsr_arp_neighbours(a, &sh->n_nb);

	FUZZ_CHECK(sh->n_nb <= DSR_MAX_BACKENDS);
	if (sh->n_nb > 0)
		memcpy(sh->nb, nb, sh->n_nb * sizeof(*nb));
}

/* A MAC that answers is never replaced; only one that stopped answering is. */
static void
check_mac_kept(struct dsr_arp *a, const struct shadow *sh)
{
	const struct dsr_arp_neigh *nb;
	unsigned int n, i, j;

	nb = dsr_arp_neighbours(a, &n);
	for (i = 0; i < sh->n_nb; i++) {
		const struct dsr_arp_neigh *o = &sh->nb[i];

		if (!o->sm.has_mac || o->sm.relearn || o->sm.state == DSR_NEIGH_FAILED ||
		    o->sm.state == DSR_NEIGH_INCOMPLETE)
			continue;
		for (j = 0; j < n; j++)
			if (nb[j].ip == o->ip && nb[j].sm.has_mac)
				FUZZ_CHECK(memcmp(nb[j].sm.mac, o->sm.mac, 6) == 0);
	}
}

static void
check(struct dsr_arp *a, struct shadow *sh)
{
	const struct dsr_arp_neigh *nb;
	const struct dsr_conflict *cf;
	unsigned int n, i, p, c;
	bool changed_seen = false, changed;

	for (p = 0; p < DSR_MAX_PORTS; p++) {
		if (p == NPORTS)
			p = DSR_MAX_PORTS - 1; /* the only other port frames come in on */
		for (c = 0; c < DSR_ARP_NCOUNTERS; c++) {
			uint64_t v = dsr_arp_counter(a, (uint16_t)p, (enum dsr_arp_counter)c);

			FUZZ_CHECK(v >= sh->counters[p][c]);
			sh->counters[p][c] = v;
		}
	}
	nb = dsr_arp_neighbours(a, &n);
	for (i = 0; i < n; i++) {
		uint8_t mac[6];
		enum dsr_mac_lookup r;

		if (i > 0)
			FUZZ_CHECK(nb[i - 1].ip < nb[i].ip); /* the order bsearch uses */
		FUZZ_CHECK(nb[i].port < NPORTS);
		FUZZ_CHECK(nb[i].sm.state <= DSR_NEIGH_PROBING);
		FUZZ_CHECK(!nb[i].sm.relearn || nb[i].sm.state == DSR_NEIGH_REFRESHING);
		r = dsr_arp_lookup(a, nb[i].ip, mac);
		if (!nb[i].sm.has_mac) {
			/* Not resolved yet: -1; failed before it ever was: -2. */
			FUZZ_CHECK(r == (nb[i].sm.state == DSR_NEIGH_FAILED ? DSR_MAC_NEVER
									    : DSR_MAC_PENDING));
			continue;
		}
		FUZZ_CHECK((nb[i].sm.mac[0] & 1) == 0 && !mac_is_ours(nb[i].sm.mac));
		FUZZ_CHECK(memcmp(nb[i].sm.mac, "\0\0\0\0\0\0", 6) != 0);
		FUZZ_CHECK(r == (nb[i].sm.state == DSR_NEIGH_FAILED ? DSR_MAC_LOST : DSR_MAC_OK));
		FUZZ_CHECK(memcmp(mac, nb[i].sm.mac, 6) == 0);
	}
	cf = dsr_arp_conflicts(a, &n);
	FUZZ_CHECK(n <= cur_params.conflicts_max);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(cf[i].count >= 1 && cf[i].kind <= DSR_CONFLICT_BACKEND);

	/* A lookup that changed since the last take must be flagged. */
	changed = dsr_arp_take_changed(a);
	for (i = 0; i < NIPS; i++) {
		uint8_t mac[6] = {0};
		enum dsr_mac_lookup r = dsr_arp_lookup(a, ip_tab[i], mac);

		if (r != sh->look[i] ||
		    (dsr_mac_lookup_has_mac(r) && memcmp(mac, sh->look_mac[i], 6) != 0))
			changed_seen = true;
		sh->look[i] = r;
		memcpy(sh->look_mac[i], mac, 6);
	}
	if (changed_seen && !changed)
		fprintf(stderr, "fuzz_arp: a backend's lookup changed but take_changed is false\n");
	FUZZ_CHECK(!changed_seen || changed);
}

/* A well-formed ARP frame from table values (42 bytes, or 46 with a tag). */
static uint32_t
build_frame(struct fuzz_in *in, uint8_t *f)
{
	uint8_t b0 = fuzz_u8(in), *a = f + 14;
	uint32_t spa = ip_tab[fuzz_u8(in) % NIPS], tpa;
	const uint8_t *sha = macs[b0 % NMACS];
	const uint8_t *dst = macs[(b0 >> 4) % NMACS];
	const uint8_t *tha = macs[fuzz_u8(in) % NMACS];
	uint8_t sel = fuzz_u8(in);

	/* sha from b0 bits 0-3, dst from bits 4-7; spa, tha, tpa from the next bytes */
	tpa = ip_tab[sel % NIPS];
	memset(f, 0, 64);
	memcpy(f, dst, 6);
	memcpy(f + 6, sha, 6);
	if (sel & 0x80) {
		f[12] = 0x81;
		f[13] = 0x00;
		f[15] = 7; /* VLAN 7 */
		a += 4;
	}
	a[-2] = 0x08;
	a[-1] = 0x06;
	a[1] = 1;
	a[2] = 0x08;
	a[4] = 6;
	a[5] = 4;
	a[7] = (sel & 0x40) ? 2 : 1;
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, &spa, 4);
	memcpy(a + 18, tha, 6);
	memcpy(a + 24, &tpa, 4);
	return (uint32_t)(a + 28 - f);
}

/* A reply to port's address and MAC, from table values (kind 7). */
static uint32_t
build_reply(struct fuzz_in *in, uint16_t port, uint8_t *f)
{
	uint8_t sel = fuzz_u8(in), *a = f + 14;
	const uint8_t *sha = macs[(sel & 0x0f) % NMACS];
	const uint8_t *pmac = port < NPORTS ? port_mac[port] : port_mac[0];
	uint32_t spa = ip_tab[(sel >> 4) % NIPS];
	uint32_t tpa = port < NPORTS ? cur_conf->ports[port].ip : 0;

	memset(f, 0, 64);
	memcpy(f, pmac, 6);
	memcpy(f + 6, sha, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	a[1] = 1;
	a[2] = 0x08;
	a[4] = 6;
	a[5] = 4;
	a[7] = 2;
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, &spa, 4);
	memcpy(a + 18, pmac, 6);
	memcpy(a + 24, &tpa, 4);
	return DSR_ARP_FRAME_LEN;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	static struct shadow sh;
	struct dsr_arp *a;
	unsigned int i, nconf = 0;
	uint32_t now;

	if (confs[0] == NULL)
		setup();
	memset(&sh, 0, sizeof(sh));
	for (i = 0; i < NIPS; i++)
		sh.look[i] = -1;
	now = (uint32_t)fuzz_u16(&in) << 16;
	a = dsr_arp_create(&params_a, tx_cb, log_cb, NULL);
	FUZZ_CHECK(a != NULL);
	cur_arp = a;
	cur_conf = confs[0];
	cur_params = params_a;
	FUZZ_CHECK(dsr_arp_configure(a, cur_conf, NULL, port_mac, NPORTS, now) == 0);
	check(a, &sh);

	while (in.n > 0) {
		uint8_t op = fuzz_u8(&in), kind = op & 7, sel = (op >> 3) & 3;
		uint16_t port = sel < NPORTS ? sel : DSR_MAX_PORTS - 1;
		unsigned int shift = (op >> 5) & 3;

		snapshot(a, &sh);
		switch (kind) {
		case 0:
		case 1:
		case 2:
		case 3: {
			size_t len;
			const uint8_t *p;
			uint8_t *f;

			now += (uint32_t)fuzz_u8(&in) << (3 * shift);
			p = fuzz_bytes(&in, fuzz_u8(&in), &len);
			f = malloc(len > 0 ? len : 1); /* exactly len: ASan sees overruns */
			FUZZ_CHECK(f != NULL);
			if (len > 0)
				memcpy(f, p, len);
			dsr_arp_input(a, port, f, (uint32_t)len, now);
			free(f);
			break;
		}
		case 5:
			if (!(op & 0x80) || nconf >= 4) {
				/* configure is slow (it scans every VIP and backend id): rarer */
				now += (uint32_t)fuzz_u8(&in) << (4 * shift);
				dsr_arp_tick(a, now);
				break;
			}
			nconf++;
			cur_conf = confs[(op >> 3) & 1];
			if (op & 0x10)
				cur_params = cur_params.conflicts_max == params_a.conflicts_max
						     ? params_b
						     : params_a;
			FUZZ_CHECK(dsr_arp_configure(a, cur_conf, (op & 0x10) ? &cur_params : NULL,
						     port_mac, NPORTS, now) == 0);
			break;
		case 6: {
			uint8_t f[64], *g;
			uint32_t len;

			now += (uint32_t)fuzz_u8(&in) << (3 * shift);
			len = build_frame(&in, f);
			g = malloc(len);
			FUZZ_CHECK(g != NULL);
			memcpy(g, f, len);
			dsr_arp_input(a, port, g, len, now);
			free(g);
			break;
		}
		case 7: {
			uint8_t f[64], *g;
			uint32_t len;

			now += (uint32_t)fuzz_u8(&in) << (3 * shift);
			len = build_reply(&in, port, f);
			g = malloc(len);
			FUZZ_CHECK(g != NULL);
			memcpy(g, f, len);
			dsr_arp_input(a, port, g, len, now);
			free(g);
			break;
		}
		default: /* 4 */
			now += (uint32_t)fuzz_u16(&in) << (4 * shift);
			dsr_arp_tick(a, now);
			break;
		}
		check_mac_kept(a, &sh);
		check(a, &sh);
	}
	dsr_arp_free(a);
	cur_arp = NULL;
	return 0;
}
