/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the worker's packet path (lib/fwd) on arbitrary frames,
 * under two generations built from a real configuration.
 *
 * Input: records of [flags u8][dt u8][len u16 LE][len bytes of frame] (a
 * short last frame takes what is left). The first two bytes set the
 * starting clock (high half), so the wrapping ms clock is covered; if the
 * lowest bit of that is set, cycle accounting is on (--record-cycles).
 *   flags bits 0-1  port: 0, 1, 2 (MACs set), 3 = an out-of-range port id
 *   flags bit 2     the burst ends after this frame (else at 32 frames)
 *   flags bit 3     switch generation (A <-> B) at the next burst
 *   flags bit 4     after this burst: sweep 8 buckets; if dt bit 7 is set,
 *                   also flush one service's entries (dt & 3; 3 = all), as
 *                   the worker does for `conns flush`
 *   flags bits 5-7  the clock advances by dt << (3 * these bits) ms
 * A burst of one frame goes through dsr_fwd_frame() (the general path); a
 * longer one through dsr_fwd_burst() (the inline fast path, falling back to
 * the general one), one call per run of frames from the same port, as the
 * worker calls it once per received burst.
 *
 * Invariants, after every burst:
 *   - a TX frame changed in bytes 0..11 only; its source MAC is the port's
 *     and its destination MAC is a backend (with a MAC) of the VIP that the
 *     frame's destination matches; other verdicts left the frame untouched;
 *     an ICMP error goes to a backend of the VIP of the flow it quotes, a
 *     later fragment (IPv4 or IPv6) to a backend of a VIP on its address
 *     and of its protocol; SLOW is only for
 *     ARP and echo requests;
 *   - rx/fwd/drop/slowpath counters moved by what the burst did; drop,
 *     event, VIP and backend packet counters never decrease;
 *   - the table holds at most its capacity; the backends' "active" counters
 *     add up to its entry count, and so do created - expired - RST - stale -
 *     reused - flushed entries; every entry is in a live state and names a
 *     backend id that some generation used;
 *   - ct-rst and rst-out-of-window together grow by at most the RSTs in
 *     the burst;
 *   - a one-frame burst of a TCP segment to a VIP whose flow had an entry
 *     (with its backend still the VIP's, with a MAC) is judged by its
 *     sequence number, computed here from the frame: an RST within one
 *     hint step of the entry's hint removes the entry (ct-rst), any other
 *     RST leaves it exactly as it was (rst-out-of-window); another segment
 *     moves the hint one step forward when it is one step ahead, and
 *     never otherwise.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_conf.h"
#include "dsr_ct.h"
#include "dsr_fwd.h"
#include "dsr_gen.h"
#include "dsr_ct6.h"
#include "dsr_icmp.h"
#include "dsr_pkt6.h"
#include "dsr_pkt.h"
#include "dsr_stats.h"
#include "fuzz_util.h"
#include "../unit/test_conf_lines.h"

#define NPORTS       3
#define BURST        32
#define CT_ENTRIES   8  /* small, so that the fuzzer fills it (ct-full) */
#define FRAG_ENTRIES 3  /* one bucket: evictions */
#define CT6_ENTRIES  16 /* small, so that the fuzzer fills it too */
#define IDS          10 /* VIP and backend ids below this cover those of both generations */

/* Generation A: what the config says. */
static const char *const conf_a[] = {
	"port 0 address 10.0.0.2/24",
	"port 1 address 192.168.1.2/24",
	"timeout set tcp-syn 2",
	"timeout set tcp 10",
	"timeout set tcp-fin 3",
	"timeout set udp 5",
	"maglev size 251",
	"vip add 10.0.0.100:80/tcp",
	"backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01 weight 100",
	"backend add 10.0.0.100:80/tcp 10.0.0.22 mac 02:00:00:00:b1:02 weight 50",
	"backend add 10.0.0.100:80/tcp 10.0.0.23 weight 100", /* MAC from "ARP" (mac_of) */
	"vip add 10.0.0.100:53/udp",
	"backend add 10.0.0.100:53/udp 10.0.0.21 mac 02:00:00:00:b1:01",
	"vip add 192.168.1.100:443/tcp",
	"backend add 192.168.1.100:443/tcp 192.168.1.50 mac 02:00:00:00:c1:50 weight 0",
	"vip add 10.0.0.101:8080/udp", /* no backend */
	"port 0 address fd00::2/64",
	"vip add [fd00:1::100]:80/tcp",
	"backend add [fd00:1::100]:80/tcp fd00::21 mac 02:00:00:00:b6:01",
	"backend add [fd00:1::100]:80/tcp fd00::22 mac 02:00:00:00:b6:02",
	"vip add [fd00:1::100]:53/udp", /* one backend: later fragments guessed */
	"backend add [fd00:1::100]:53/udp fd00::21 mac 02:00:00:00:b6:01",
	NULL,
};

/*
 * Generation B: a live change on top of A. 10.0.0.22 goes (its id held,
 * as lib/lb does while entries name it), 10.0.0.23's MAC is lost, the
 * drained backend comes back, a VIP goes, strict-syn and other timeouts.
 */
static const char *const conf_b[] = {
	"backend del 10.0.0.100:80/tcp 10.0.0.22",
	"@hold 1",
	"backend add 10.0.0.100:80/tcp 10.0.0.24 mac 02:00:00:00:b1:04",
	"backend set 192.168.1.100:443/tcp 192.168.1.50 weight 10",
	"vip del 10.0.0.101:8080/udp",
	"strict-syn on",
	"timeout set tcp-syn 1",
	"timeout set tcp 4",
	"timeout set udp 1",
	NULL,
};

static const uint8_t port_mac[NPORTS][6] = {
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x02},
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x03},
};

static struct dsr_gen *gens[2];
static struct dsr_conf *confs[2];
static struct dsr_stats_lcore *st;
static void *ct_mem;
static size_t ct_size;
static void *frag_mem;
static size_t frag_size;
static void *ct6_mem;
static size_t ct6_size;
static bool be_ever_used[DSR_MAX_BACKENDS];

/* lib/arp's part: 10.0.0.23 resolved in A, unknown in B. */
static enum dsr_mac_lookup
mac_of(void *arg, uint32_t ip, uint8_t mac[6])
{
	static const uint8_t m23[6] = {0x02, 0x00, 0x00, 0x00, 0xb1, 0x03};
	const int *which = arg;
	uint32_t ip23 = __builtin_bswap32(0x0a000017); /* 10.0.0.23 */

	if (ip != ip23 || *which != 0)
		return DSR_MAC_PENDING;
	memcpy(mac, m23, 6);
	return DSR_MAC_OK;
}

static void
load(struct dsr_conf *c, const char *const *lines)
{
	char err[2 * DSR_CMD_ERR_MAX];

	if (test_conf_lines(c, lines, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_fwd: %s\n", err);
		abort();
	}
}

static void
setup(void)
{
	static int which[2] = {0, 1};
	unsigned int g, i;

	for (g = 0; g < 2; g++) {
		confs[g] = malloc(sizeof(*confs[g]));
		FUZZ_CHECK(confs[g] != NULL);
		if (g == 0)
			dsr_conf_init(confs[g]);
		else
			*confs[g] = *confs[0];
		load(confs[g], g == 0 ? conf_a : conf_b);
		gens[g] = dsr_gen_build(confs[g], g + 1, mac_of, &which[g]);
		FUZZ_CHECK(gens[g] != NULL);
		for (i = 0; i < DSR_MAX_BACKENDS; i++)
			if (gens[g]->backends[i].flags & DSR_GEN_BE_USED)
				be_ever_used[i] = true;
		for (i = 0; i < DSR_MAX_VIPS; i++)
			FUZZ_CHECK(!gens[g]->vips[i].used || i < IDS);
		for (i = IDS; i < DSR_MAX_BACKENDS; i++)
			FUZZ_CHECK(!be_ever_used[i]);
	}
	st = aligned_alloc(64, sizeof(*st));
	ct_size = (dsr_ct_mem_size(CT_ENTRIES) + 63) & ~(size_t)63;
	ct_mem = aligned_alloc(64, ct_size);
	frag_size = (dsr_frag_mem_size(FRAG_ENTRIES) + 63) & ~(size_t)63;
	frag_mem = aligned_alloc(64, frag_size);
	ct6_size = (dsr_ct6_mem_size(CT6_ENTRIES) + 63) & ~(size_t)63;
	ct6_mem = aligned_alloc(64, ct6_size);
	FUZZ_CHECK(st != NULL && ct_mem != NULL && frag_mem != NULL && ct6_mem != NULL);
}

static uint64_t
fake_cycles(void)
{
	static uint64_t c;

	return c += 7;
}

/* A snapshot of the counters that the checks compare. */
struct snap {
	uint64_t rx_pkts, rx_bytes, fwd_pkts, fwd_bytes;
	uint64_t port_rx[NPORTS], port_rx_bytes[NPORTS];
	uint64_t drop[DSR_DROP_MAX];
	uint64_t event[DSR_EV_MAX];
	uint64_t vip_pkts, be_pkts, drops;
};

static void
snap_take(struct snap *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->rx_pkts = st->rx_pkts;
	s->rx_bytes = st->rx_bytes;
	s->fwd_pkts = st->fwd_pkts;
	s->fwd_bytes = st->fwd_bytes;
	for (i = 0; i < NPORTS; i++) {
		s->port_rx[i] = st->port[i].rx_pkts;
		s->port_rx_bytes[i] = st->port[i].rx_bytes;
	}
	for (i = 0; i < DSR_DROP_MAX; i++) {
		s->drop[i] = st->drop[i];
		s->drops += st->drop[i];
	}
	memcpy(s->event, st->event, sizeof(s->event));
	/* Only the ids in use: a packet counted on another id breaks the sums. */
	for (i = 0; i < IDS; i++) {
		s->vip_pkts += st->vip[i].pkts;
		s->be_pkts += st->backend[i].pkts;
	}
}

struct frame {
	uint8_t *buf;  /* exactly len bytes (malloc), so ASan sees any overrun */
	uint8_t *orig; /* a copy as received */
	uint32_t len;
	uint16_t port;
	uint8_t verdict;
};

/* The port id a record's port selector stands for. */
static uint16_t
port_of(uint8_t flags)
{
	uint8_t sel = flags & 3;

	return sel < NPORTS ? sel : DSR_MAX_PORTS + 7;
}

/* Whether a frame is an IPv6 TCP segment with RST. */
static bool
is_rst6(const struct frame *fr)
{
	struct dsr_pkt6 p;

	return dsr_pkt_parse6(fr->orig, fr->len, &p) == DSR_PKT_L4 && p.flow.proto == 6 &&
	       (p.tcp_flags & DSR_TCP_RST);
}

/* vip_of6(): the frame's backend was checked already. */
#define VIP_CHECKED (-3)

/* Whether mac is a backend (with a MAC) of a VIP of protocol proto on IPv6 address dst. */
static bool
backend_on_addr6(const struct dsr_gen *g, const uint8_t dst[16], uint8_t proto, const uint8_t *mac)
{
	const uint8_t want = DSR_GEN_BE_USED | DSR_GEN_BE_MAC;
	unsigned int i;

	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		const struct dsr_gen_backend *b = &g->backends[i];
		const struct dsr_gen_vip *v = &g->vips[b->vip];

		if ((b->flags & want) == want && v->family == DSR_AF_IPV6 &&
		    memcmp(v->ip6, dst, 16) == 0 && v->proto == proto &&
		    memcmp(b->mac, mac, 6) == 0)
			return true;
	}
	return false;
}

/* The VIP an IPv6 frame sent to a backend belongs to: its flow's, or the flow its error quotes. */
static int
vip_of6(const struct dsr_gen *g, const struct frame *fr)
{
	struct dsr_flow6 q;
	struct dsr_pkt6 p;

	switch (dsr_pkt_parse6(fr->orig, fr->len, &p)) {
	case DSR_PKT_L4: /* a flow's packet, or its first fragment */
		return dsr_gen_vip6_lookup(g, p.flow.dst_ip, p.flow.dst_port, p.flow.proto);
	case DSR_PKT_FRAGMENT: /* a later fragment: a backend of a VIP on its address */
		FUZZ_CHECK(p.frag == DSR_PKT_FRAG_LATER);
		FUZZ_CHECK(dsr_gen_addr6_lookup(g, p.flow.dst_ip) != NULL);
		return backend_on_addr6(g, p.flow.dst_ip, p.flow.proto, fr->buf) ? VIP_CHECKED : -1;
	case DSR_PKT_ICMPV6:
		FUZZ_CHECK(dsr_icmp6_error_flow(fr->orig + p.l4_off, p.end_off - p.l4_off,
						p.flow.dst_ip, &q) == DSR_ICMP_ERR_OK);
		return dsr_gen_vip6_lookup(g, q.dst_ip, q.dst_port, q.proto);
	default:
		FUZZ_CHECK(!"forwarded IPv6 that is neither a flow's packet nor an ICMPv6 error");
		return -1;
	}
}

/* Whether a frame the path gave the main lcore is IPv6 echo or neighbour discovery. */
static bool
slow6(const struct frame *fr)
{
	struct dsr_pkt6 p;
	uint8_t type;

	if (dsr_pkt_parse6(fr->orig, fr->len, &p) != DSR_PKT_ICMPV6)
		return false;
	type = fr->orig[p.l4_off];
	return type == DSR_ICMP6_ECHO_REQUEST || (type >= 133 && type <= 137);
}

static void
check_tx(const struct dsr_gen *g, const struct frame *fr)
{
	struct dsr_pkt pkt;
	unsigned int i;
	bool found = false;
	int vip;

	FUZZ_CHECK(fr->len >= 14);
	FUZZ_CHECK(fr->port < NPORTS);
	FUZZ_CHECK(memcmp(fr->buf + 12, fr->orig + 12, fr->len - 12) == 0);
	FUZZ_CHECK(memcmp(fr->buf + 6, port_mac[fr->port], 6) == 0);
	FUZZ_CHECK(memcmp(fr->orig, port_mac[fr->port], 6) == 0); /* it was sent to us */
	switch (dsr_pkt_parse(fr->orig, fr->len, &pkt)) {
	case DSR_PKT_L4: /* a flow's packet, or its first fragment */
		vip = dsr_gen_vip_lookup(g, pkt.flow.dst_ip, pkt.flow.dst_port, pkt.flow.proto);
		break;
	case DSR_PKT_ICMP: { /* an error: the backend of the flow it quotes */
		const uint8_t *ip = fr->orig + pkt.l3_off;
		uint32_t len = (uint32_t)(ip[2] << 8 | ip[3]) - (uint32_t)(pkt.l4_off - pkt.l3_off);
		struct dsr_flow q;

		FUZZ_CHECK(dsr_icmp4_error_flow(fr->orig + pkt.l4_off, len, pkt.flow.dst_ip, &q) ==
			   DSR_ICMP_ERR_OK);
		vip = dsr_gen_vip_lookup(g, q.dst_ip, q.dst_port, q.proto);
		break;
	}
	case DSR_PKT_NOT_IPV4: /* IPv6 */
		FUZZ_CHECK(pkt.ethertype == DSR_ETHERTYPE_IPV6);
		vip = vip_of6(g, fr);
		if (vip == VIP_CHECKED)
			return;
		break;
	case DSR_PKT_FRAGMENT: /* a later fragment: a backend of a VIP on its address */
		FUZZ_CHECK(pkt.frag == DSR_PKT_FRAG_LATER);
		FUZZ_CHECK(dsr_gen_addr_lookup(g, pkt.flow.dst_ip) != NULL);
		vip = -2;
		break;
	default:
		FUZZ_CHECK(!"forwarded what is neither a flow's packet, ICMP nor a fragment");
		vip = -1;
	}
	FUZZ_CHECK(vip >= 0 || vip == -2);
	for (i = 0; i < DSR_MAX_BACKENDS && !found; i++) {
		const struct dsr_gen_backend *b = &g->backends[i];

		found = (b->flags & (DSR_GEN_BE_USED | DSR_GEN_BE_MAC)) ==
				(DSR_GEN_BE_USED | DSR_GEN_BE_MAC) &&
			(vip >= 0 ? b->vip == vip
				  : g->vips[b->vip].ip == pkt.flow.dst_ip &&
					    g->vips[b->vip].proto == pkt.flow.proto) &&
			memcmp(b->mac, fr->buf, 6) == 0;
	}
	FUZZ_CHECK(found);
}

static int
walk_entry(void *arg, const struct dsr_ct_entry *e)
{
	unsigned int *n = arg;

	FUZZ_CHECK(dsr_ct_entry_state(e) > DSR_CT_FREE && dsr_ct_entry_state(e) < DSR_CT_NSTATES);
	FUZZ_CHECK(e->backend < DSR_MAX_BACKENDS && be_ever_used[e->backend]);
	FUZZ_CHECK(dsr_ct_entry_proto(e) == 6 || dsr_ct_entry_proto(e) == 17);
	(*n)++;
	return 0;
}

static void
check_table(struct dsr_ct *ct, struct dsr_ct6 *ct6)
{
	uint64_t active = 0, live;
	uint32_t cursor = 0;
	unsigned int i, walked = 0;
	const uint64_t *ev = st->event;

	for (i = 0; i < IDS; i++)
		active += st->backend[i].active;
	live = dsr_ct_count(ct);
	FUZZ_CHECK(live <= dsr_ct_capacity(ct));
	FUZZ_CHECK(dsr_ct6_count(ct6) <= dsr_ct6_capacity(ct6));
	FUZZ_CHECK(active == live + dsr_ct6_count(ct6));
	FUZZ_CHECK(ev[DSR_EV_CT_NEW] - ev[DSR_EV_CT_EXPIRED] - ev[DSR_EV_CT_RST] -
			   ev[DSR_EV_CT_STALE] - ev[DSR_EV_CT_REUSE] - ev[DSR_EV_CT_FLUSHED] ==
		   live + dsr_ct6_count(ct6));
	dsr_ct_walk(ct, &cursor, dsr_ct_buckets(ct), walk_entry, &walked);
	FUZZ_CHECK(cursor == dsr_ct_buckets(ct));
	FUZZ_CHECK(walked == live);
}

static void
check_burst(const struct dsr_gen *g, const struct frame *fr, unsigned int n, const struct snap *a,
	    const struct snap *b)
{
	uint64_t bytes = 0, tx = 0, tx_bytes = 0, drops = 0, slow = 0, rsts = 0;
	uint64_t port_rx[NPORTS] = {0}, port_rx_bytes[NPORTS] = {0};
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct dsr_pkt pkt;

		/* An RST may also be dropped after it removed its entry (no-mac). */
		if (dsr_pkt_parse(fr[i].orig, fr[i].len, &pkt) == DSR_PKT_L4 &&
		    pkt.flow.proto == 6 && (pkt.tcp_flags & DSR_TCP_RST))
			rsts++;
		else if (is_rst6(&fr[i]))
			rsts++;
		bytes += fr[i].len;
		if (fr[i].port < NPORTS) {
			port_rx[fr[i].port]++;
			port_rx_bytes[fr[i].port] += fr[i].len;
		}
		switch (fr[i].verdict) {
		case DSR_FWD_TX:
			check_tx(g, &fr[i]);
			tx++;
			tx_bytes += fr[i].len;
			break;
		case DSR_FWD_SLOW: {
			struct dsr_pkt pkt;

			/* ARP, or an echo request for the main lcore to answer. */
			FUZZ_CHECK(dsr_pkt_parse(fr[i].orig, fr[i].len, &pkt) == DSR_PKT_ARP ||
				   (pkt.frag == DSR_PKT_FRAG_NONE && pkt.flow.proto == 1 &&
				    fr[i].orig[pkt.l4_off] == DSR_ICMP_ECHO_REQUEST) ||
				   slow6(&fr[i]));
			FUZZ_CHECK(memcmp(fr[i].buf, fr[i].orig, fr[i].len) == 0);
			slow++;
			break;
		}
		case DSR_FWD_DROP:
			FUZZ_CHECK(memcmp(fr[i].buf, fr[i].orig, fr[i].len) == 0);
			drops++;
			break;
		default:
			FUZZ_CHECK(!"bad verdict");
		}
	}
	FUZZ_CHECK(b->rx_pkts - a->rx_pkts == n);
	FUZZ_CHECK(b->rx_bytes - a->rx_bytes == bytes);
	for (i = 0; i < NPORTS; i++) {
		FUZZ_CHECK(b->port_rx[i] - a->port_rx[i] == port_rx[i]);
		FUZZ_CHECK(b->port_rx_bytes[i] - a->port_rx_bytes[i] == port_rx_bytes[i]);
	}
	FUZZ_CHECK(b->fwd_pkts - a->fwd_pkts == tx);
	FUZZ_CHECK(b->fwd_bytes - a->fwd_bytes == tx_bytes);
	FUZZ_CHECK(b->vip_pkts - a->vip_pkts == tx);
	FUZZ_CHECK(b->be_pkts - a->be_pkts == tx);
	FUZZ_CHECK(b->drops - a->drops == drops);
	FUZZ_CHECK(b->event[DSR_EV_SLOWPATH] - a->event[DSR_EV_SLOWPATH] == slow);
	FUZZ_CHECK(b->event[DSR_EV_CT_RST] - a->event[DSR_EV_CT_RST] +
			   b->event[DSR_EV_RST_OUT_OF_WINDOW] -
			   a->event[DSR_EV_RST_OUT_OF_WINDOW] <=
		   rsts);
	for (i = 0; i < DSR_DROP_MAX; i++)
		FUZZ_CHECK(b->drop[i] >= a->drop[i]);
	for (i = 0; i < DSR_EV_MAX; i++)
		FUZZ_CHECK(b->event[i] >= a->event[i]);
}

/* What the RST oracle knows of a one-frame burst (see oracle_before()). */
struct rst_case {
	bool tcp_vip; /* a TCP segment to a VIP, on a port with our MAC */
	bool had;     /* its flow had a live entry, whose backend is usable */
	struct dsr_flow flow;
	uint64_t hash;
	uint8_t flags;
	uint16_t hint; /* of the segment, computed here */
	struct dsr_ct_entry old;
};

/* The hint of a segment, from the frame alone (not lib/fwd's code). */
static uint16_t
frame_hint(const uint8_t *fr, const struct dsr_pkt *pkt)
{
	const uint8_t *ip = fr + pkt->l3_off, *th = fr + pkt->l4_off;
	uint32_t tot = (uint32_t)(ip[2] << 8 | ip[3]), ihl = (uint32_t)(ip[0] & 15) * 4;
	uint32_t doff = (uint32_t)(th[12] >> 4) * 4;
	uint32_t seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];

	seq += tot - ihl - doff + !!(th[13] & DSR_TCP_SYN) + !!(th[13] & DSR_TCP_FIN);
	return (uint16_t)(seq >> 19);
}

/* A source lib/fwd drops as martian (0/8, 127/8, 224/3, the VIP, the port's address). */
static bool
martian(uint32_t src, uint32_t dst, uint16_t port)
{
	const struct dsr_conf_port *p = &confs[0]->ports[port];
	uint8_t a = (uint8_t)(__builtin_bswap32(src) >> 24);

	return a == 0 || a == 127 || a >= 224 || src == dst || (p->has_addr && src == p->ip);
}

/*
 * Before a one-frame burst: is it a TCP segment to a VIP, and what entry
 * does its flow have? (The lookup may expire the entry, as the frame's
 * own lookup would at the same clock.)
 */
static void
oracle_before(struct dsr_ct *ct, const struct dsr_gen *g, const struct frame *fr, uint32_t now,
	      struct rst_case *rc)
{
	const uint8_t want = DSR_GEN_BE_USED | DSR_GEN_BE_MAC;
	struct dsr_ct_entry *e;
	struct dsr_pkt pkt;
	int vip;

	memset(rc, 0, sizeof(*rc));
	if (fr->port >= NPORTS || fr->len < 14 || memcmp(fr->orig, port_mac[fr->port], 6) != 0 ||
	    dsr_pkt_parse(fr->orig, fr->len, &pkt) != DSR_PKT_L4 || pkt.flow.proto != 6)
		return;
	vip = dsr_gen_vip_lookup(g, pkt.flow.dst_ip, pkt.flow.dst_port, pkt.flow.proto);
	if (vip < 0 || martian(pkt.flow.src_ip, pkt.flow.dst_ip, fr->port))
		return;
	rc->tcp_vip = true;
	rc->flow = pkt.flow;
	rc->hash = dsr_flow_table_hash(&pkt.flow);
	rc->flags = pkt.tcp_flags;
	rc->hint = frame_hint(fr->orig, &pkt);
	e = dsr_ct_lookup(ct, &rc->flow, rc->hash, now);
	if (e == NULL || (g->backends[e->backend].flags & want) != want ||
	    g->backends[e->backend].vip != vip)
		return;
	rc->had = true;
	rc->old = *e;
}

static void
oracle_after(struct dsr_ct *ct, const struct rst_case *rc, const struct snap *a,
	     const struct snap *b, const struct frame *fr, uint32_t now)
{
	unsigned int d, old_hint;
	struct dsr_ct_entry *e;

	if (!rc->had)
		return;
	old_hint = dsr_ct_entry_seq_hint(&rc->old);
	d = ((unsigned int)rc->hint - old_hint + 1) & DSR_CT_SEQ_HINT_MASK;
	e = dsr_ct_lookup(ct, &rc->flow, rc->hash, now);
	if (rc->flags & DSR_TCP_RST) {
		FUZZ_CHECK(fr->verdict == DSR_FWD_TX);
		if (d <= 2) {
			FUZZ_CHECK(e == NULL);
			FUZZ_CHECK(b->event[DSR_EV_CT_RST] - a->event[DSR_EV_CT_RST] == 1);
		} else {
			FUZZ_CHECK(e != NULL && memcmp(e, &rc->old, sizeof(*e)) == 0);
			FUZZ_CHECK(b->event[DSR_EV_RST_OUT_OF_WINDOW] -
					   a->event[DSR_EV_RST_OUT_OF_WINDOW] ==
				   1);
		}
		return;
	}
	if ((rc->flags & (DSR_TCP_SYN | DSR_TCP_ACK)) == DSR_TCP_SYN &&
	    dsr_ct_entry_state(&rc->old) == DSR_CT_FIN)
		return; /* port reuse: a new entry */
	FUZZ_CHECK(e != NULL);
	if (d == 2)
		FUZZ_CHECK(dsr_ct_entry_seq_hint(e) == rc->hint);
	else
		FUZZ_CHECK(dsr_ct_entry_seq_hint(e) == old_hint);
}

/* conns flush, as the worker runs it. */
struct flush_arg {
	bool all;
	struct dsr_svc_key svc;
};

static int
flush_match(void *arg, const struct dsr_ct_entry *e)
{
	const struct flush_arg *fa = arg;

	return fa->all || (e->dst_ip == fa->svc.ip && e->dst_port == fa->svc.port &&
			   dsr_ct_entry_proto(e) == fa->svc.proto);
}

static void
flush(struct dsr_ct *ct, unsigned int which)
{
	struct flush_arg fa = {.all = which == 3};
	uint32_t cursor = 0;
	unsigned int n;

	if (!fa.all)
		fa.svc = confs[0]->vips[which].svc; /* VIPs 0-2 exist in both */
	while (cursor < dsr_ct_buckets(ct)) {
		n = dsr_ct_remove_if(ct, &cursor, 2, flush_match, &fa);
		DSR_CTR_ADD(st->event[DSR_EV_CT_FLUSHED], n);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct frame fr[BURST];
	struct fuzz_in in = {data, size};
	struct dsr_fwd f;
	struct dsr_ct *ct;
	struct snap before, after;
	struct rst_case rc;
	unsigned int cur = 0, i, n;
	uint32_t now;

	if (gens[0] == NULL)
		setup();
	memset(st, 0, sizeof(*st));
	ct = dsr_ct_init(ct_mem, ct_size, CT_ENTRIES);
	FUZZ_CHECK(ct != NULL);
	dsr_fwd_init(&f, ct, st);
	dsr_fwd_set_frag(&f, dsr_frag_init(frag_mem, frag_size, FRAG_ENTRIES, 1));
	dsr_fwd_set_ct6(&f, dsr_ct6_init(ct6_mem, ct6_size, CT6_ENTRIES));
	FUZZ_CHECK(f.ct6 != NULL);
	FUZZ_CHECK(f.frag != NULL);
	for (i = 0; i < NPORTS; i++)
		dsr_fwd_set_port_mac(&f, (uint16_t)i, port_mac[i]);
	now = (uint32_t)fuzz_u16(&in) << 16;
	if (now & 0x10000)
		f.cycles = fake_cycles; /* dsrlb --record-cycles */

	while (in.n > 0) {
		uint8_t flags = 0, dt = 0, last_flags = 0, last_dt = 0;
		const struct dsr_gen *g = gens[cur];

		/* Read a burst. */
		for (n = 0; n < BURST && in.n > 0;) {
			size_t len;
			const uint8_t *p;

			flags = fuzz_u8(&in);
			dt = fuzz_u8(&in);
			p = fuzz_bytes(&in, fuzz_u16(&in), &len);
			now += (uint32_t)dt << (3 * (flags >> 5));
			fr[n].len = (uint32_t)len;
			fr[n].port = port_of(flags);
			fr[n].buf = malloc(len);
			fr[n].orig = malloc(len);
			FUZZ_CHECK(fr[n].buf != NULL && fr[n].orig != NULL);
			if (len > 0) {
				memcpy(fr[n].buf, p, len);
				memcpy(fr[n].orig, p, len);
			}
			n++;
			last_flags = flags;
			last_dt = dt;
			if (flags & 4)
				break;
		}

		/* Run it. */
		if (n == 1) {
			dsr_fwd_begin(&f, g);
			oracle_before(ct, g, &fr[0], now, &rc);
		}
		snap_take(&before);
		dsr_fwd_begin(&f, g);
		if (n == 1) {
			fr[0].verdict =
				(uint8_t)dsr_fwd_frame(&f, fr[0].buf, fr[0].len, fr[0].port, now);
		} else {
			/* As the worker: each run of frames from one port is a burst. */
			uint8_t *frame[BURST], verdict[BURST];
			uint16_t flen[BURST];
			unsigned int j, k;

			for (i = 0; i < n; i = j) {
				for (j = i; j < n && fr[j].port == fr[i].port; j++) {
					frame[j - i] = fr[j].buf;
					flen[j - i] = (uint16_t)fr[j].len;
				}
				dsr_fwd_burst(&f, frame, flen, j - i, fr[i].port, now, verdict);
				for (k = i; k < j; k++)
					fr[k].verdict = verdict[k - i];
			}
		}
		snap_take(&after);
		check_burst(g, fr, n, &before, &after);
		if (n == 1)
			oracle_after(ct, &rc, &before, &after, &fr[0], now);
		check_table(ct, f.ct6);

		/* What the poll loop does after the bursts. */
		if (last_flags & 0x10) {
			dsr_ct_sweep(ct, 8, now);
			if (last_dt & 0x80)
				flush(ct, last_dt & 3);
			check_table(ct, f.ct6);
		}
		if (last_flags & 0x08)
			cur ^= 1;
		for (i = 0; i < n; i++) {
			free(fr[i].buf);
			free(fr[i].orig);
		}
	}
	return 0;
}
