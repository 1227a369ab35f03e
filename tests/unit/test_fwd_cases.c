/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/fwd: directed cases. What a forwarded frame looks
 * like, RST, port reuse (SYN after FIN), IP options, every combination of
 * TCP flags after every way into an entry state, and IPv4 header fields.
 * Some go through dsr_fwd_burst() alone, some through the differential
 * pair of test_fwd_pair.h (the random differential test is test_fwd.c).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_ct.h"
#include "dsr_fwd.h"
#include "dsr_gen.h"
#include "dsr_maglev.h"
#include "dsr_pkt.h"
#include "dsr_stats.h"
#include "dsr_test.h"
#include "test_fwd_util.h"
#include "test_fwd_pair.h"

/* Directed cases. */

static struct dsr_flow
key_of(const struct tflow *t)
{
	struct dsr_flow f;

	memset(&f, 0, sizeof(f));
	f.src_ip = t->sip;
	f.dst_ip = t->dip;
	f.src_port = be16(t->sport);
	f.dst_port = be16(t->dport);
	f.proto = t->proto;
	return f;
}

static struct dsr_ct_entry *
entry_of(struct rig *r, const struct tflow *t, uint32_t now)
{
	struct dsr_flow f = key_of(t);

	return dsr_ct_lookup(r->ct, &f, dsr_flow_table_hash(&f), now);
}

/* The backend Maglev gives flow t of VIP vip under generation g. */
static uint16_t
maglev_of(const struct dsr_gen *g, uint16_t vip, const struct tflow *t)
{
	struct dsr_flow f = key_of(t);

	return dsr_maglev_lookup(g->vips[vip].maglev, g->maglev_size, dsr_flow_hash(&f));
}

/*
 * One frame through dsr_fwd_burst() on rig r. out gets the frame after,
 * in_copy (may be NULL) the frame before. @return the verdict.
 */
static uint8_t
one(struct rig *r, const struct dsr_gen *g, const struct fb *b, uint16_t port, uint32_t now,
    uint8_t *out, uint8_t *in_copy, uint16_t *len_out)
{
	uint8_t *frame[1] = {out};
	uint16_t len[1];
	uint8_t v[1] = {0xee};
	unsigned int ntx;

	len[0] = fb_build(b, out);
	if (in_copy != NULL)
		memcpy(in_copy, out, len[0]);
	if (len_out != NULL)
		*len_out = len[0];
	dsr_fwd_begin(&r->f, g);
	ntx = dsr_fwd_burst(&r->f, frame, len, 1, port, now, v);
	CHECK_EQ(ntx, v[0] == DSR_FWD_TX);
	return v[0];
}

static uint8_t
one_tcp(struct rig *r, const struct dsr_gen *g, const struct tflow *t, uint8_t flags, uint32_t now,
	uint8_t *out)
{
	struct fb b;

	fb_init(&b, 0, t, flags);
	b.payload = 10;
	return one(r, g, &b, 0, now, out, NULL, NULL);
}

/* A flow to 10.0.0.100:80 whose SYN (now) was forwarded under gens[0]; its entry. */
static struct dsr_ct_entry *
open_flow(struct rig *r, struct tflow *t, uint16_t first_sport, uint32_t now)
{
	static uint8_t buf[FRAME_MAX];
	uint16_t sport;

	for (sport = first_sport; sport < first_sport + 100; sport++) {
		*t = mkflow(ip4(10, 1, 0, 1), sport, ip4(10, 0, 0, 100), 80, TCP);
		if (one_tcp(r, gens[0], t, SYN, now, buf) == DSR_FWD_TX)
			return entry_of(r, t, now);
	}
	return NULL;
}

/*
 * Health: in D, backend DOWN_D_TCP is down. Its flows are chosen again on
 * their next packet (ct-stale) and never reach it; flows of a backend that
 * stays up keep it.
 */
static void
test_down_backend(void)
{
	static uint8_t out[FRAME_MAX];
	const struct dsr_gen *gd = gens[3];
	struct dsr_ct_entry *e;
	uint32_t now = 1000;
	unsigned int down = 0, kept = 0;
	uint64_t stale;
	struct tflow t;
	struct rig r;
	uint16_t sport, be;
	uint8_t v;

	CHECK((gd->backends[DOWN_D_TCP].flags &
	       (DSR_GEN_BE_USED | DSR_GEN_BE_NEW | DSR_GEN_BE_LIVE)) == DSR_GEN_BE_USED);
	CHECK((gd->backends[0].flags & DSR_GEN_BE_LIVE) != 0);
	CHECK_EQ(gd->maglev_slots[DOWN_D_TCP], 0);
	CHECK(rig_init(&r, 4096) == 0);
	for (sport = 2000; sport < 2400 && (down < 5 || kept < 5); sport++) {
		t = mkflow(ip4(10, 3, 0, 1), sport, ip4(10, 0, 0, 100), 80, TCP);
		if (one_tcp(&r, gens[0], &t, SYN, now, out) != DSR_FWD_TX)
			continue;
		CHECK_EQ(one_tcp(&r, gens[0], &t, ACK, now + 1, out), DSR_FWD_TX);
		e = entry_of(&r, &t, now + 1);
		be = e->backend;
		if (be != DOWN_D_TCP && be != 0)
			continue;
		stale = r.st->event[DSR_EV_CT_STALE];
		v = one_tcp(&r, gd, &t, ACK, now + 2, out);
		e = entry_of(&r, &t, now + 2);
		if (be == DOWN_D_TCP) {
			/* Chosen again: a live backend, or dropped if Maglev's has no MAC yet. */
			down++;
			CHECK_EQ(r.st->event[DSR_EV_CT_STALE], stale + 1);
			CHECK(memcmp(out, gd->backends[DOWN_D_TCP].mac, 6) != 0);
			CHECK(e == NULL || e->backend != DOWN_D_TCP);
			if (v == DSR_FWD_TX)
				CHECK(e != NULL &&
				      memcmp(out, gd->backends[e->backend].mac, 6) == 0);
			else
				CHECK(e == NULL && v == DSR_FWD_DROP);
		} else {
			kept++;
			CHECK_EQ(v, DSR_FWD_TX);
			CHECK(e != NULL && e->backend == 0);
			CHECK(memcmp(out, gd->backends[0].mac, 6) == 0);
			CHECK_EQ(r.st->event[DSR_EV_CT_STALE], stale);
		}
	}
	CHECK(down >= 5);
	CHECK(kept >= 5);
	rig_free(&r);
}

static void
test_established_ack(void)
{
	static uint8_t out[FRAME_MAX], in[FRAME_MAX];
	const struct dsr_gen *g = gens[0];
	const struct dsr_gen_backend *be;
	struct dsr_ct_entry *e;
	struct rig r;
	struct tflow t, u;
	struct fb b;
	uint16_t len, bid;
	uint32_t now = 1000;

	CHECK(rig_init(&r, 1024) == 0);
	e = open_flow(&r, &t, 40000, now);
	CHECK(e != NULL);
	if (e == NULL)
		goto out;
	CHECK_EQ(dsr_ct_entry_state(e), DSR_CT_SYN);
	bid = e->backend;
	be = &g->backends[bid];
	CHECK_EQ(be->vip, 0);
	CHECK((be->flags & DSR_GEN_BE_MAC) != 0);

	/* The ACK: only the MACs change. */
	fb_init(&b, 0, &t, ACK);
	b.payload = 100;
	now += 5;
	CHECK_EQ(one(&r, g, &b, 0, now, out, in, &len), DSR_FWD_TX);
	CHECK_EQ(len, 14 + 20 + 20 + 100);
	CHECK(memcmp(out, be->mac, 6) == 0);
	CHECK(memcmp(out + 6, port_mac[0], 6) == 0);
	CHECK(memcmp(out + 12, in + 12, len - 12u) == 0);
	e = entry_of(&r, &t, now);
	CHECK(e != NULL);
	if (e != NULL) {
		CHECK_EQ(dsr_ct_entry_state(e), DSR_CT_EST);
		CHECK_EQ(e->last_seen, now);
		CHECK_EQ(e->backend, bid);
	}
	CHECK_EQ(dsr_ct_count(r.ct), 1);
	CHECK_EQ(r.st->event[DSR_EV_CT_NEW], 1);
	CHECK_EQ(r.st->fwd_pkts, 2);
	CHECK_EQ(r.st->fwd_bytes, (14 + 20 + 20 + 10) + len);
	CHECK_EQ(r.st->backend[bid].pkts, 2);
	CHECK_EQ(r.st->backend[bid].active, 1);
	CHECK_EQ(r.st->vip[0].pkts, 2);
	CHECK_EQ(r.st->rx_pkts - dsr_stats_drops(r.st), 2); /* open_flow() may have tried others */
	CHECK_EQ(r.st->port[0].rx_pkts, r.st->rx_pkts);

	/* The same on port 1: the source MAC is port 1's. */
	fb_init(&b, 1, &t, ACK | PSH);
	now += 5;
	CHECK_EQ(one(&r, g, &b, 1, now, out, in, &len), DSR_FWD_TX);
	CHECK(memcmp(out, be->mac, 6) == 0);
	CHECK(memcmp(out + 6, port_mac[1], 6) == 0);
	CHECK(memcmp(out + 12, in + 12, len - 12u) == 0);

	/* A burst that alternates between two VIPs' established flows. */
	u = mkflow(ip4(10, 1, 0, 9), 5353, ip4(10, 0, 0, 100), 53, UDP);
	fb_init(&b, 0, &u, 0);
	CHECK_EQ(one(&r, g, &b, 0, now, out, NULL, NULL), DSR_FWD_TX);
	e = entry_of(&r, &u, now);
	CHECK(e != NULL);
	if (e != NULL) {
		static uint8_t frames[7][FRAME_MAX], copy[7][FRAME_MAX];
		uint8_t *fp[7], v[7];
		uint16_t lens[7];
		uint64_t vip0 = r.st->vip[0].pkts, vip1 = r.st->vip[1].pkts;
		uint64_t vip0b = r.st->vip[0].bytes, vip1b = r.st->vip[1].bytes, b0 = 0, b1 = 0;
		uint16_t ubid = e->backend;
		unsigned int i;

		CHECK_EQ(dsr_ct_entry_state(e), DSR_CT_UDP);
		for (i = 0; i < 7; i++) {
			fb_init(&b, 0, i & 1 ? &u : &t, ACK);
			b.payload = i * 10;
			fp[i] = frames[i];
			lens[i] = fb_build(&b, frames[i]);
			memcpy(copy[i], frames[i], lens[i]);
			if (i & 1)
				b1 += lens[i];
			else
				b0 += lens[i];
		}
		now += 1;
		dsr_fwd_begin(&r.f, g);
		CHECK_EQ(dsr_fwd_burst(&r.f, fp, lens, 7, 0, now, v), 7);
		for (i = 0; i < 7; i++) {
			CHECK_EQ(v[i], DSR_FWD_TX);
			CHECK(memcmp(frames[i], g->backends[i & 1 ? ubid : bid].mac, 6) == 0);
			CHECK(memcmp(frames[i] + 6, port_mac[0], 6) == 0);
			CHECK(memcmp(frames[i] + 12, copy[i] + 12, lens[i] - 12u) == 0);
		}
		CHECK_EQ(r.st->vip[0].pkts - vip0, 4);
		CHECK_EQ(r.st->vip[1].pkts - vip1, 3);
		CHECK_EQ(r.st->vip[0].bytes - vip0b, b0);
		CHECK_EQ(r.st->vip[1].bytes - vip1b, b1);
	}
out:
	rig_free(&r);
}

static void
test_rst(void)
{
	static uint8_t out[FRAME_MAX], in[FRAME_MAX];
	const struct dsr_gen *g = gens[0];
	struct dsr_ct_entry *e;
	struct rig r;
	struct tflow t;
	struct fb b;
	uint16_t len, bid;
	uint32_t now = 5000;

	CHECK(rig_init(&r, 1024) == 0);
	e = open_flow(&r, &t, 41000, now);
	CHECK(e != NULL);
	if (e == NULL)
		goto out;
	bid = e->backend;
	CHECK_EQ(one_tcp(&r, g, &t, ACK, now + 1, out), DSR_FWD_TX);
	CHECK_EQ(dsr_ct_count(r.ct), 1);
	CHECK_EQ(r.st->backend[bid].active, 1);

	/* RST on the entry: forwarded to its backend, and the entry goes. */
	fb_init(&b, 0, &t, RST | ACK);
	CHECK_EQ(one(&r, g, &b, 0, now + 2, out, in, &len), DSR_FWD_TX);
	CHECK(memcmp(out, g->backends[bid].mac, 6) == 0);
	CHECK(memcmp(out + 6, port_mac[0], 6) == 0);
	CHECK(memcmp(out + 12, in + 12, len - 12u) == 0);
	CHECK(entry_of(&r, &t, now + 2) == NULL);
	CHECK_EQ(dsr_ct_count(r.ct), 0);
	CHECK_EQ(r.st->event[DSR_EV_CT_RST], 1);
	CHECK_EQ(r.st->backend[bid].active, 0);
	CHECK_EQ(r.st->event[DSR_EV_CT_NEW], 1);

	/* An RST without an entry is forwarded by Maglev and creates none. */
	CHECK_EQ(one_tcp(&r, g, &t, RST, now + 3, out), DSR_FWD_TX);
	CHECK(memcmp(out, g->backends[maglev_of(g, 0, &t)].mac, 6) == 0);
	CHECK_EQ(dsr_ct_count(r.ct), 0);
	CHECK_EQ(r.st->event[DSR_EV_CT_NEW], 1);
	/* Not even with strict-syn on (generation B). */
	CHECK_EQ(one_tcp(&r, gens[1], &t, RST, now + 4, out), DSR_FWD_TX);
	CHECK_EQ(dsr_ct_count(r.ct), 0);
	/* strict-syn drops an ACK without an entry; without it, the ACK makes one. */
	CHECK_EQ(one_tcp(&r, gens[1], &t, ACK, now + 5, out), DSR_FWD_DROP);
	CHECK_EQ(r.st->drop[DSR_DROP_NO_STATE], 1);
	CHECK_EQ(one_tcp(&r, g, &t, ACK, now + 6, out), DSR_FWD_TX);
	CHECK_EQ(r.st->event[DSR_EV_CT_MIDFLOW], 1);
	CHECK_EQ(dsr_ct_count(r.ct), 1);
out:
	rig_free(&r);
}

static void
test_syn_after_fin(void)
{
	static uint8_t out[FRAME_MAX];
	const struct dsr_gen *ga = gens[0], *gb = gens[1];
	struct dsr_ct_entry *e;
	struct rig r;
	struct tflow t;
	uint16_t bid, x = 0, y = 0, sport;
	uint32_t now = 9000;

	CHECK(rig_init(&r, 1024) == 0);

	/* Same generation: the SYN counts a reuse and makes a new entry. */
	e = open_flow(&r, &t, 42000, now);
	CHECK(e != NULL);
	if (e == NULL)
		goto out;
	bid = e->backend;
	CHECK_EQ(one_tcp(&r, ga, &t, ACK, now + 1, out), DSR_FWD_TX);
	CHECK_EQ(one_tcp(&r, ga, &t, FIN | ACK, now + 2, out), DSR_FWD_TX);
	e = entry_of(&r, &t, now + 2);
	CHECK(e != NULL && dsr_ct_entry_state(e) == DSR_CT_FIN);
	CHECK_EQ(one_tcp(&r, ga, &t, SYN, now + 3, out), DSR_FWD_TX);
	CHECK_EQ(r.st->event[DSR_EV_CT_REUSE], 1);
	CHECK_EQ(r.st->event[DSR_EV_CT_NEW], 2);
	CHECK_EQ(dsr_ct_count(r.ct), 1);
	CHECK_EQ(r.st->backend[bid].active, 1);
	e = entry_of(&r, &t, now + 3);
	CHECK(e != NULL && dsr_ct_entry_state(e) == DSR_CT_SYN && e->backend == bid);
	CHECK(memcmp(out, ga->backends[bid].mac, 6) == 0);
	/* A SYN on an established entry is no reuse. */
	CHECK_EQ(one_tcp(&r, ga, &t, ACK, now + 4, out), DSR_FWD_TX);
	CHECK_EQ(one_tcp(&r, ga, &t, SYN, now + 5, out), DSR_FWD_TX);
	CHECK_EQ(r.st->event[DSR_EV_CT_REUSE], 1);

	/*
	 * Across a change: a flow on backend x in A whose Maglev choice in B is
	 * y != x. After FIN, an ACK in B stays on x; a SYN re-chooses y.
	 */
	for (sport = 1000; sport < 60000; sport++) {
		t = mkflow(ip4(10, 2, 0, 1), sport, ip4(10, 0, 0, 100), 80, TCP);
		x = maglev_of(ga, 0, &t);
		y = maglev_of(gb, 0, &t);
		if (x != y && x == 0 && (gb->backends[y].flags & DSR_GEN_BE_MAC))
			break;
	}
	CHECK(sport < 60000);
	if (sport >= 60000)
		goto out;
	now += 100;
	CHECK_EQ(one_tcp(&r, ga, &t, SYN, now, out), DSR_FWD_TX);
	CHECK(memcmp(out, ga->backends[x].mac, 6) == 0);
	CHECK_EQ(one_tcp(&r, ga, &t, ACK, now + 1, out), DSR_FWD_TX);
	CHECK_EQ(one_tcp(&r, ga, &t, FIN | ACK, now + 2, out), DSR_FWD_TX);
	CHECK_EQ(one_tcp(&r, gb, &t, ACK, now + 3, out), DSR_FWD_TX);
	CHECK(memcmp(out, gb->backends[x].mac, 6) == 0);
	e = entry_of(&r, &t, now + 3);
	CHECK(e != NULL && dsr_ct_entry_state(e) == DSR_CT_FIN && e->backend == x);
	CHECK_EQ(one_tcp(&r, gb, &t, SYN, now + 4, out), DSR_FWD_TX);
	CHECK(memcmp(out, gb->backends[y].mac, 6) == 0);
	CHECK_EQ(r.st->event[DSR_EV_CT_REUSE], 2);
	e = entry_of(&r, &t, now + 4);
	CHECK(e != NULL && dsr_ct_entry_state(e) == DSR_CT_SYN && e->backend == y);
	CHECK_EQ(r.st->backend[x].active + r.st->backend[y].active, (x == bid) + 1 + (y == bid));
out:
	rig_free(&r);
}

/*
 * IP options change nothing but the path a frame takes: two rigs, the same
 * flows, one with options, one without; the same verdicts, MACs, tables
 * and packet counters.
 */
static void
test_ip_options(void)
{
	static uint8_t fx[16][FRAME_MAX], fy[16][FRAME_MAX], cy[16][FRAME_MAX];
	static const uint8_t script[] = {SYN, ACK, ACK | PSH, ACK, FIN | ACK, SYN, ACK, RST};
	const struct dsr_gen *g = gens[0];
	static struct walk_buf wx, wy;
	struct rig x, y;
	struct tflow fl[16];
	uint8_t *px[16], *py[16], vx[16], vy[16];
	uint16_t lx[16], ly[16];
	unsigned int i, step, ntx = 0, nb;
	uint32_t now = 20000;

	CHECK(rig_init(&x, 1024) == 0);
	CHECK(rig_init(&y, 1024) == 0);
	for (i = 0; i < 16; i++) {
		fl[i] = mkflow(ip4(10, 3, 0, (uint8_t)i), (uint16_t)(30000 + i),
			       i < 12 ? ip4(10, 0, 0, 100) : ip4(192, 168, 1, 100),
			       i < 12 ? 80 : 443, TCP);
		if (i % 4 == 3) {
			fl[i].proto = UDP;
			fl[i].dport = 53;
			fl[i].dip = ip4(10, 0, 0, 100);
		}
		px[i] = fx[i];
		py[i] = fy[i];
	}
	for (step = 0; step < sizeof(script); step++) {
		for (i = 0; i < 16; i++) {
			struct fb b;
			uint64_t save = rng_state;

			fb_init(&b, 0, &fl[i], fl[i].proto == TCP ? script[step] : 0);
			b.payload = step * 3;
			lx[i] = fb_build(&b, fx[i]);
			rng_state = save; /* the same IP id, ports' neighbours, payload */
			b.ver_ihl = (uint8_t)(0x46 + (i + step) % 10);
			ly[i] = fb_build(&b, fy[i]);
			CHECK_EQ(ly[i], lx[i] + ((b.ver_ihl & 15) - 5) * 4);
			memcpy(cy[i], fy[i], ly[i]);
		}
		nb = 1 + step % 3; /* in bursts of various sizes */
		for (i = 0; i < 16; i += nb) {
			unsigned int k = 16 - i < nb ? 16 - i : nb;

			dsr_fwd_begin(&x.f, g);
			dsr_fwd_begin(&y.f, g);
			CHECK_EQ(dsr_fwd_burst(&x.f, px + i, lx + i, k, 0, now, vx + i),
				 dsr_fwd_burst(&y.f, py + i, ly + i, k, 0, now, vy + i));
		}
		for (i = 0; i < 16; i++) {
			CHECK_EQ(vx[i], vy[i]);
			if (vy[i] == DSR_FWD_TX) {
				ntx++;
				CHECK(memcmp(fx[i], fy[i], 12) == 0);
				CHECK(memcmp(fy[i] + 12, cy[i] + 12, ly[i] - 12u) == 0);
			}
		}
		now += 3;
	}
	CHECK(ntx > 60);
	CHECK_EQ(dsr_ct_count(x.ct), dsr_ct_count(y.ct));
	CHECK(dsr_ct_count(x.ct) > 0);
	walk_all(x.ct, &wx);
	walk_all(y.ct, &wy);
	CHECK_EQ(wx.n, wy.n);
	CHECK(memcmp(wx.e, wy.e, wx.n * sizeof(wx.e[0])) == 0);
	CHECK(memcmp(wx.bucket, wy.bucket, wx.n * sizeof(wx.bucket[0])) == 0);
	CHECK(memcmp(x.st->drop, y.st->drop, sizeof(x.st->drop)) == 0);
	CHECK(memcmp(x.st->event, y.st->event, sizeof(x.st->event)) == 0);
	CHECK_EQ(x.st->rx_pkts, y.st->rx_pkts);
	CHECK_EQ(x.st->fwd_pkts, y.st->fwd_pkts);
	CHECK(x.st->fwd_bytes < y.st->fwd_bytes);
	for (i = 0; i < 16; i++) {
		CHECK_EQ(x.st->vip[i].pkts, y.st->vip[i].pkts);
		CHECK_EQ(x.st->vip[i].new_conns, y.st->vip[i].new_conns);
		CHECK_EQ(x.st->backend[i].pkts, y.st->backend[i].pkts);
		CHECK_EQ(x.st->backend[i].new_conns, y.st->backend[i].new_conns);
		CHECK_EQ(x.st->backend[i].active, y.st->backend[i].active);
	}
	rig_free(&x);
	rig_free(&y);
}

/* The prefix frames of a flow, each alone, then fl; then all of them in one burst. */
static void
matrix_case(struct pair *p, const struct dsr_gen *g, uint8_t *const orig[], const struct tflow *t,
	    const uint8_t prefix[3], uint8_t fl, uint32_t *now)
{
	uint16_t len[4];
	struct fb b;
	unsigned int k;

	for (k = 0; k < 3 && prefix[k] != 0; k++) {
		fb_init(&b, 0, t, prefix[k]);
		len[0] = fb_build(&b, orig[0]);
		pair_burst(p, g, orig, len, 1, 0, *now, NULL);
	}
	fb_init(&b, 0, t, fl);
	len[0] = fb_build(&b, orig[0]);
	pair_burst(p, g, orig, len, 1, 0, ++*now, NULL);
	for (k = 0; k < 3 && prefix[k] != 0; k++) {
		fb_init(&b, 0, t, prefix[k]);
		len[k] = fb_build(&b, orig[k]);
	}
	fb_init(&b, 0, t, fl);
	len[k] = fb_build(&b, orig[k]);
	pair_burst(p, g, orig, len, k + 1, 0, ++*now, NULL);
}

/*
 * Every combination of SYN/ACK/FIN/RST (alone, and with PSH, URG, ECE and
 * CWR) after every way into an entry state, under each generation, to a
 * VIP with backends and one without (A) or with few (B, C): both paths agree.
 */
static void
test_flag_matrix(void)
{
	static uint8_t bufs[4][FRAME_MAX];
	static const uint8_t prefix[][3] = {
		{0}, {SYN}, {SYN, ACK}, {SYN, ACK, FIN | ACK}, {ACK}, {FIN}, {SYN | ACK},
	};
	const unsigned int nprefix = sizeof(prefix) / sizeof(prefix[0]);
	uint8_t *orig[4] = {bufs[0], bufs[1], bufs[2], bufs[3]};
	struct pair p;
	unsigned int g, s, c, vip;
	uint16_t sport = 1;
	uint32_t now = 100;

	CHECK(pair_init(&p, 1024) == 0);
	rng_state = 7;
	for (g = 0; g < NGENS; g++) {
		for (vip = 0; vip < 2; vip++) {
			for (s = 0; s < nprefix; s++) {
				for (c = 0; c < 32; c++) {
					uint32_t dip =
						vip ? ip4(192, 168, 1, 100) : ip4(10, 0, 0, 100);
					struct tflow t = mkflow(ip4(10, 4, (uint8_t)g, (uint8_t)s),
								sport++, dip, vip ? 443 : 80, TCP);
					uint8_t fl = (uint8_t)((c & 7) | ((c & 8) << 1));

					if (c & 16)
						fl |= PSH | 0x20 | 0x40 | 0x80;
					matrix_case(&p, gens[g], orig, &t, prefix[s], fl, &now);
				}
			}
			/* Let every entry expire before the next round. */
			now += 2000000;
			pair_sweep(&p, dsr_ct_buckets(p.a.ct), now);
			CHECK_EQ(dsr_ct_count(p.a.ct), 0);
		}
	}
	CHECK_EQ(p.a.st->event[DSR_EV_CT_FULL], 0);
	CHECK(p.a.st->event[DSR_EV_CT_REUSE] > 0);
	CHECK(p.a.st->event[DSR_EV_CT_RST] > 0);
	CHECK_EQ(p.a.st->event[DSR_EV_CT_STALE], 0); /* one generation per round */
	pair_free(&p);
}

/*
 * IPv4 header fields one at a time, on an established flow, through both
 * paths: DF alone, the reserved bit and TTL 2 are fine; MF, an offset, TTL
 * 0 or 1 drop, each for its reason.
 */
static void
test_ip_header(void)
{
	static uint8_t buf[FRAME_MAX];
	static const struct {
		uint16_t frag;
		uint8_t ttl;
		uint8_t verdict;
		int drop; /* -1: none */
	} cases[] = {
		{0x0000, 64, DSR_FWD_TX, -1},
		{0x4000, 64, DSR_FWD_TX, -1},
		{0x8000, 64, DSR_FWD_TX, -1},
		{0x4000, 2, DSR_FWD_TX, -1},
		/* The first fragment, then later ones of the same datagram: they follow it. */
		{0x2000, 64, DSR_FWD_TX, -1},
		{0x6000, 64, DSR_FWD_TX, -1},
		{0x0001, 64, DSR_FWD_TX, -1},
		{0x5fff, 64, DSR_FWD_TX, -1},
		{0x1000, 64, DSR_FWD_TX, -1},
		{0x4000, 1, DSR_FWD_DROP, DSR_DROP_TTL},
		{0x0000, 0, DSR_FWD_DROP, DSR_DROP_TTL},
		{0x2000, 1, DSR_FWD_DROP, DSR_DROP_TTL}, /* TTL before fragments */
	};
	uint8_t *orig[1] = {buf}, v[1];
	uint16_t len[1];
	struct pair p;
	struct tflow t = mkflow(ip4(10, 7, 0, 1), 7000, ip4(10, 0, 0, 100), 53, UDP);
	struct fb b;
	unsigned int i, opts;
	uint32_t now = 10;

	CHECK(pair_init(&p, CT_ENTRIES) == 0);
	rng_state = 5;
	fb_init(&b, 0, &t, 0);
	len[0] = fb_build(&b, buf);
	pair_burst(&p, gens[0], orig, len, 1, 0, now, v);
	CHECK_EQ(v[0], DSR_FWD_TX);
	for (opts = 0; opts < 2; opts++) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			uint64_t before = cases[i].drop >= 0 ? p.a.st->drop[cases[i].drop] : 0;

			fb_init(&b, 0, &t, 0);
			b.ver_ihl = opts ? 0x4f : 0x45;
			b.frag = cases[i].frag;
			b.ttl = cases[i].ttl;
			b.has_id = 1;
			b.id = 77; /* one datagram */
			len[0] = fb_build(&b, buf);
			pair_burst(&p, gens[0], orig, len, 1, 0, ++now, v);
			CHECK_EQ(v[0], cases[i].verdict);
			if (cases[i].drop >= 0)
				CHECK_EQ(p.a.st->drop[cases[i].drop] - before, 1);
		}
	}
	CHECK_EQ(dsr_stats_drops(p.a.st), 6);
	CHECK_EQ(p.a.st->event[DSR_EV_FRAG_TRACKED], 4);
	CHECK_EQ(p.a.st->event[DSR_EV_FRAG_FWD], 10);
	pair_free(&p);
}

/*
 * The kernel interface (port 0 kernel-interface): frames to port 0's own
 * address that match no VIP are SLOW and counted to-kernel, on both
 * paths; a VIP on that same address, any other VIP, and everything on a
 * port without a kernel interface never are.
 */
static void
test_kernel_interface(void)
{
	/* clang-format off */
	static const char *const conf_k[] = {
		"port 0 address 10.0.0.2/24",
		"port 0 kernel-interface dsr0",
		"port 1 address 192.168.1.2/24",
		"vip add 10.0.0.2:443/tcp", /* VIP 0: on the port's own address */
		"backend add 10.0.0.2:443/tcp 10.0.0.21 mac 02:00:00:00:b1:01",
		"vip add 10.0.0.100:80/tcp", /* VIP 1 */
		"backend add 10.0.0.100:80/tcp 10.0.0.22 mac 02:00:00:00:b1:02",
		"vip add 10.0.0.100:53/udp", /* VIP 2 */
		"backend add 10.0.0.100:53/udp 10.0.0.22 mac 02:00:00:00:b1:02",
		NULL,
	};
	/* clang-format on */
	static const struct {
		uint32_t dip;
		uint16_t dport;
		uint8_t proto;
		uint16_t port;
		uint16_t frag;
		uint8_t verdict;
	} cases[] = {
		{0, 443, TCP, 0, 0, DSR_FWD_TX},       /* the VIP on the port address */
		{1, 80, TCP, 0, 0, DSR_FWD_TX},        /* another VIP */
		{1, 53, UDP, 0, 0, DSR_FWD_TX},        /* a UDP VIP */
		{0, 22, TCP, 0, 0, DSR_FWD_SLOW},      /* SSH to the port */
		{0, 179, TCP, 0, 0, DSR_FWD_SLOW},     /* BGP */
		{0, 53, UDP, 0, 0, DSR_FWD_SLOW},      /* UDP */
		{0, 0, 1, 0, 0, DSR_FWD_SLOW},         /* ICMP */
		{0, 0, 47, 0, 0, DSR_FWD_SLOW},        /* GRE */
		{0, 443, UDP, 0, 0, DSR_FWD_SLOW},     /* the VIP's port, other protocol */
		{0, 22, TCP, 0, 0x2000, DSR_FWD_SLOW}, /* a first fragment */
		{0, 22, TCP, 0, 0x0010, DSR_FWD_SLOW}, /* a later one */
		{1, 0, 1, 0, 0, DSR_FWD_DROP},         /* ICMP to a VIP address: not echo */
		{2, 22, TCP, 1, 0, DSR_FWD_DROP},      /* port 1: no kernel interface */
		{0, 22, TCP, 1, 0, DSR_FWD_DROP},      /* port 0's address on port 1 */
	};
	const uint32_t dips[3] = {ip4(10, 0, 0, 2), ip4(10, 0, 0, 100), ip4(192, 168, 1, 2)};
	static uint8_t buf[BURST][FRAME_MAX];
	uint8_t *orig[BURST], v[BURST];
	uint16_t len[BURST];
	struct dsr_conf *c = malloc(sizeof(*c));
	struct dsr_gen *g = NULL;
	struct pair p;
	struct tflow t;
	struct fb b;
	unsigned int i, k, n, slow = 0;
	uint32_t now = 10;
	uint64_t before;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	dsr_conf_init(c);
	CHECK(load(c, conf_k) == 0);
	g = dsr_gen_build(c, 1, mac_of, &(int){0});
	CHECK(g != NULL);
	CHECK(pair_init(&p, CT_ENTRIES) == 0);
	if (g == NULL)
		goto out;
	CHECK_EQ(g->kernel_ip[0], ip4(10, 0, 0, 2));
	CHECK_EQ(g->kernel_ip[1], 0);
	for (i = 0; i < BURST; i++)
		orig[i] = buf[i];
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = mkflow(ip4(10, 9, 0, 1), (uint16_t)(5000 + i), dips[cases[i].dip],
			   cases[i].dport, cases[i].proto);
		before = p.a.st->event[DSR_EV_TO_KERNEL];
		fb_init(&b, cases[i].port, &t, cases[i].proto == TCP ? SYN : 0);
		b.frag = cases[i].frag;
		len[0] = fb_build(&b, buf[0]);
		pair_burst(&p, g, orig, len, 1, cases[i].port, ++now, v);
		CHECK_EQ(v[0], cases[i].verdict);
		CHECK_EQ(p.a.st->event[DSR_EV_TO_KERNEL] - before, v[0] == DSR_FWD_SLOW);
		slow += v[0] == DSR_FWD_SLOW;
	}
	/*
	 * TTL 1 (eBGP's default) to the port's own address is the kernel's:
	 * it ends there. To a VIP, or on another port, it is dropped (ttl).
	 */
	for (i = 0; i < 3; i++) {
		t = mkflow(ip4(10, 0, 0, 1), 40000, dips[i == 1], i == 1 ? 80 : 179, TCP);
		fb_init(&b, i == 2, &t, SYN);
		b.ttl = 1;
		len[0] = fb_build(&b, buf[0]);
		before = p.a.st->drop[DSR_DROP_TTL];
		pair_burst(&p, g, orig, len, 1, i == 2, ++now, v);
		CHECK_EQ(v[0], i == 0 ? DSR_FWD_SLOW : DSR_FWD_DROP);
		CHECK_EQ(p.a.st->drop[DSR_DROP_TTL] - before, i != 0);
		slow += v[0] == DSR_FWD_SLOW;
	}
	/* Random bursts of VIP traffic, on the port address too: never SLOW. */
	before = p.a.st->event[DSR_EV_TO_KERNEL];
	rng_state = 15;
	for (k = 0; k < 64; k++) {
		n = 1 + rnd_below(BURST);
		for (i = 0; i < n; i++) {
			unsigned int which = rnd_below(3);

			t = mkflow(ip4(10, 9, (uint8_t)rnd_below(4), (uint8_t)(1 + rnd_below(200))),
				   (uint16_t)(1024 + rnd_below(2000)), dips[which == 0 ? 0 : 1],
				   which == 0   ? 443
				   : which == 1 ? 80
						: 53,
				   which == 2 ? UDP : TCP);
			fb_init(&b, 0, &t,
				which == 2 ? 0
					   : (uint8_t[]){SYN, ACK, ACK | PSH,
							 FIN | ACK}[rnd_below(4)]);
			b.payload = rnd_below(100);
			len[i] = fb_build(&b, buf[i]);
		}
		pair_burst(&p, g, orig, len, n, 0, ++now, v);
		for (i = 0; i < n; i++)
			CHECK(v[i] != DSR_FWD_SLOW);
	}
	CHECK_EQ(p.a.st->event[DSR_EV_TO_KERNEL], before);
	CHECK_EQ(before, slow);
	CHECK_EQ(p.a.st->drop[DSR_DROP_NOT_VIP], 2);
	CHECK_EQ(p.a.st->drop[DSR_DROP_ICMP_TYPE], 1);
out:
	pair_free(&p);
	dsr_gen_free(g);
	free(c);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_established_ack),
		DSR_TEST(test_down_backend),
		DSR_TEST(test_rst),
		DSR_TEST(test_syn_after_fin),
		DSR_TEST(test_ip_options),
		DSR_TEST(test_ip_header),
		DSR_TEST(test_flag_matrix),
		DSR_TEST(test_kernel_interface),
	};

	return fwd_test_main(cases, sizeof(cases) / sizeof(cases[0]));
}
