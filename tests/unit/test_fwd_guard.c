/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/fwd against a hostile network (issue 13): martian
 * sources, datagrams cut by the driver (oversize), and client RSTs
 * judged by their sequence number. Each case runs through the
 * differential pair of test_fwd_pair.h, so the fast path and the
 * general path must agree on it too.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_ct.h"
#include "dsr_fwd.h"
#include "dsr_gen.h"
#include "dsr_pkt.h"
#include "dsr_stats.h"
#include "dsr_test.h"
#include "test_fwd_util.h"
#include "test_fwd_pair.h"

/* Run one frame through both paths of p; @return the (agreed) verdict. */
static uint8_t
pair_one(struct pair *p, const struct dsr_gen *g, const struct fb *b, uint16_t port, uint32_t now)
{
	static uint8_t buf[FRAME_MAX];
	uint8_t *frames[1] = {buf};
	uint16_t len[1];
	uint8_t v[1] = {0xee};

	len[0] = fb_build(b, buf);
	pair_burst(p, g, frames, len, 1, port, now, v);
	return v[0];
}

static void
test_martian_sources(void)
{
	static const uint8_t bad[][4] = {
		{0, 0, 0, 0},         {0, 1, 2, 3},         {127, 0, 0, 1}, {127, 255, 255, 254},
		{224, 0, 0, 1},       {239, 255, 255, 250}, {240, 0, 0, 1}, {254, 1, 2, 3},
		{255, 255, 255, 255}, {10, 0, 0, 100}, /* the VIP itself */
		{10, 0, 0, 2},                         /* port 0's own address */
	};
	static const uint8_t good[][4] = {
		{1, 0, 0, 1},         {126, 255, 255, 255}, {128, 0, 0, 1},
		{223, 255, 255, 254}, {10, 0, 0, 99},       {10, 0, 0, 3},
	};
	const struct dsr_gen *g = gens[0];
	uint64_t martian = 0;
	struct pair p;
	struct tflow t;
	struct fb b;
	unsigned int i, k;
	uint32_t now = 1000;

	CHECK(pair_init(&p, 1024) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* SYN, ACK and UDP alike: dropped, counted, no entry. */
		for (k = 0; k < 3; k++) {
			t = mkflow(ip4(bad[i][0], bad[i][1], bad[i][2], bad[i][3]),
				   (uint16_t)(30000 + i), ip4(10, 0, 0, 100), k == 2 ? 53 : 80,
				   k == 2 ? UDP : TCP);
			fb_init(&b, 0, &t, k == 0 ? SYN : k == 1 ? ACK : 0);
			b.payload = 20;
			CHECK_EQ(pair_one(&p, g, &b, 0, now++), DSR_FWD_DROP);
			martian++;
			CHECK_EQ(p.a.st->drop[DSR_DROP_MARTIAN], martian);
		}
	}
	CHECK_EQ(dsr_ct_count(p.a.ct), 0);
	CHECK_EQ(p.a.st->event[DSR_EV_CT_NEW], 0);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		t = mkflow(ip4(good[i][0], good[i][1], good[i][2], good[i][3]),
			   (uint16_t)(31000 + i), ip4(10, 0, 0, 100), 80, TCP);
		fb_init(&b, 0, &t, SYN);
		CHECK(pair_one(&p, g, &b, 0, now++) != DSR_FWD_DROP ||
		      p.a.st->drop[DSR_DROP_NO_MAC] > 0);
	}
	CHECK_EQ(p.a.st->drop[DSR_DROP_MARTIAN], martian);
	/* Port 1's address arriving on port 1 is martian; 10.0.0.2 there is not. */
	t = mkflow(ip4(192, 168, 1, 2), 32000, ip4(192, 168, 1, 100), 443, TCP);
	fb_init(&b, 1, &t, SYN);
	CHECK_EQ(pair_one(&p, g, &b, 1, now++), DSR_FWD_DROP);
	CHECK_EQ(p.a.st->drop[DSR_DROP_MARTIAN], martian + 1);
	CHECK(!p.failed);
	pair_free(&p);
}

static void
test_oversize(void)
{
	const struct dsr_gen *g = gens[0];
	struct pair p;
	struct tflow t = mkflow(ip4(10, 1, 0, 1), 33000, ip4(10, 0, 0, 100), 53, UDP);
	struct fb b;
	uint32_t now = 1000;

	CHECK(pair_init(&p, 1024) == 0);
	/*
	 * What net_af_packet hands over for a datagram reassembled beyond its
	 * ring's frame size: the first 1982 bytes, IPv4 total length 3000.
	 */
	fb_init(&b, 0, &t, 0);
	b.payload = 1982 - 42;
	b.tot_adj = 3000 - 1968; /* IPv4 total length 3000 */
	b.udp_adj = b.tot_adj;
	CHECK_EQ(pair_one(&p, g, &b, 0, now++), DSR_FWD_DROP);
	CHECK_EQ(p.a.st->drop[DSR_DROP_OVERSIZE], 1);
	CHECK_EQ(p.a.st->drop[DSR_DROP_MALFORMED], 0);
	/* With a VLAN tag too. */
	b.vlan = 1;
	CHECK_EQ(pair_one(&p, g, &b, 0, now++), DSR_FWD_DROP);
	CHECK_EQ(p.a.st->drop[DSR_DROP_OVERSIZE], 2);
	/* Cut within a standard frame (1518 bytes): malformed, not the driver's doing. */
	b.vlan = 0;
	b.trunc = 1518;
	CHECK_EQ(pair_one(&p, g, &b, 0, now++), DSR_FWD_DROP);
	b.trunc = 100;
	CHECK_EQ(pair_one(&p, g, &b, 0, now++), DSR_FWD_DROP);
	CHECK_EQ(p.a.st->drop[DSR_DROP_MALFORMED], 2);
	/* A long frame whose header is broken otherwise stays malformed. */
	b.trunc = -1;
	b.ver_ihl = 0x44;
	CHECK_EQ(pair_one(&p, g, &b, 0, now++), DSR_FWD_DROP);
	b.ver_ihl = 0x45;
	b.tot_adj = 10 - 1968; /* total length 10: below the header */
	CHECK_EQ(pair_one(&p, g, &b, 0, now++), DSR_FWD_DROP);
	CHECK_EQ(p.a.st->drop[DSR_DROP_MALFORMED], 4);
	CHECK_EQ(p.a.st->drop[DSR_DROP_OVERSIZE], 2);
	/* A long frame that holds its whole datagram is forwarded. */
	b.tot_adj = 0;
	b.udp_adj = 0;
	CHECK_EQ(pair_one(&p, g, &b, 0, now++), DSR_FWD_TX);
	CHECK(!p.failed);
	pair_free(&p);
}

/* The entry of flow t in rig r, or NULL. */
static struct dsr_ct_entry *
entry_of(struct rig *r, const struct tflow *t, uint32_t now)
{
	struct dsr_flow f;

	memset(&f, 0, sizeof(f));
	f.src_ip = t->sip;
	f.dst_ip = t->dip;
	f.src_port = be16(t->sport);
	f.dst_port = be16(t->dport);
	f.proto = t->proto;
	return dsr_ct_lookup(r->ct, &f, dsr_flow_table_hash(&f), now);
}

/* A TCP segment of flow t with sequence number seq and len bytes of data. */
static uint8_t
seg(struct pair *p, const struct tflow *t, uint8_t flags, uint32_t seq, unsigned int len,
    uint32_t now)
{
	struct fb b;

	fb_init(&b, 0, t, flags);
	b.seq = seq;
	b.payload = len;
	return pair_one(p, gens[0], &b, 0, now);
}

/*
 * Issue 13, item 3: a blind RST (random sequence number) is forwarded
 * but leaves the entry; the client's own RST, near the numbers the flow
 * used, removes it at once, also right after the SYN.
 */
static void
test_rst_window(void)
{
	const uint32_t isn = 0x7ffff000u;
	struct dsr_ct_entry *e;
	struct pair p;
	struct tflow t = mkflow(ip4(10, 1, 0, 7), 45000, ip4(10, 0, 0, 100), 80, TCP);
	struct tflow u = mkflow(ip4(10, 1, 0, 7), 45001, ip4(10, 0, 0, 100), 80, TCP);
	uint16_t bid;
	uint32_t now = 1000, next = isn + 1;
	unsigned int i;

	CHECK(pair_init(&p, 1024) == 0);
	/* An established flow that sent 3 MiB, 1400 bytes a segment, past 2^31. */
	CHECK_EQ(seg(&p, &t, SYN, isn, 0, now), DSR_FWD_TX);
	for (i = 0; i < 2300; i++, next += 1400)
		CHECK_EQ(seg(&p, &t, ACK | PSH, next, 1400, now + 1), DSR_FWD_TX);
	e = entry_of(&p.a, &t, now + 1);
	CHECK(e != NULL && dsr_ct_entry_seq_hint(e) == dsr_ct_seq_hint(next));
	if (e == NULL)
		goto out;
	bid = e->backend;
	/* Blind RSTs: forwarded to the flow's backend, entry kept, counted. */
	CHECK_EQ(seg(&p, &t, RST, next + 0x40000000u, 0, now + 2), DSR_FWD_TX);
	CHECK_EQ(seg(&p, &t, RST | ACK, next - (3u << 20), 0, now + 3), DSR_FWD_TX);
	CHECK_EQ(seg(&p, &t, RST, next + (2u << 20), 0, now + 4), DSR_FWD_TX);
	CHECK_EQ(p.a.st->event[DSR_EV_RST_OUT_OF_WINDOW], 3);
	CHECK_EQ(p.a.st->event[DSR_EV_CT_RST], 0);
	e = entry_of(&p.a, &t, now + 5);
	CHECK(e != NULL && e->backend == bid && dsr_ct_entry_state(e) == DSR_CT_EST);
	CHECK(e != NULL && e->last_seen == now + 1); /* an out-of-window RST refreshes nothing */
	CHECK_EQ(p.a.st->backend[bid].active, 1);
	/* The connection goes on. */
	CHECK_EQ(seg(&p, &t, ACK, next, 0, now + 6), DSR_FWD_TX);
	/* The client's RST, even a little behind (data the backend did not get): gone. */
	CHECK_EQ(seg(&p, &t, RST | ACK, next - 2800, 0, now + 7), DSR_FWD_TX);
	CHECK(entry_of(&p.a, &t, now + 7) == NULL);
	CHECK_EQ(p.a.st->event[DSR_EV_CT_RST], 1);
	CHECK_EQ(p.a.st->backend[bid].active, 0);

	/* An RST before any data, right after the SYN. */
	CHECK_EQ(seg(&p, &u, SYN, 12345, 0, now + 8), DSR_FWD_TX);
	CHECK(entry_of(&p.a, &u, now + 8) != NULL);
	CHECK_EQ(seg(&p, &u, RST, 12346, 0, now + 9), DSR_FWD_TX);
	CHECK(entry_of(&p.a, &u, now + 9) == NULL);
	CHECK_EQ(p.a.st->event[DSR_EV_CT_RST], 2);
	/* A flow picked up mid-stream (after a restart) takes its hint from that packet. */
	CHECK_EQ(seg(&p, &u, ACK, 0x9000, 100, now + 10), DSR_FWD_TX);
	CHECK_EQ(seg(&p, &u, RST, 0x8000 + 0x80000000u, 0, now + 11), DSR_FWD_TX);
	CHECK(entry_of(&p.a, &u, now + 11) != NULL);
	CHECK_EQ(seg(&p, &u, RST, 0x9000 + 100, 0, now + 12), DSR_FWD_TX);
	CHECK(entry_of(&p.a, &u, now + 12) == NULL);
	CHECK_EQ(p.a.st->event[DSR_EV_RST_OUT_OF_WINDOW], 4);
	CHECK_EQ(p.a.st->event[DSR_EV_CT_RST], 3);
	CHECK(!p.failed);
out:
	pair_free(&p);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_martian_sources),
		DSR_TEST(test_oversize),
		DSR_TEST(test_rst_window),
	};

	return fwd_test_main(cases, sizeof(cases) / sizeof(cases[0]));
}
