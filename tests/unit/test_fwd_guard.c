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
			CHECK_EQ(p.a.st->drop[DSR_MARTIAN], martian);
		}
	}
	CHECK_EQ(dsr_ct_count(p.a.ct), 0);
	CHECK_EQ(p.a.st->event[DSR_EV_CT_NEW], 0);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		t = mkflow(ip4(good[i][0], good[i][1], good[i][2], good[i][3]),
			   (uint16_t)(31000 + i), ip4(10, 0, 0, 100), 80, TCP);
		fb_init(&b, 0, &t, SYN);
		CHECK(pair_one(&p, g, &b, 0, now++) != DSR_FWD_DROP ||
		      p.a.st->drop[DSR_NO_MAC] > 0);
	}
	CHECK_EQ(p.a.st->drop[DSR_MARTIAN], martian);
	/* Port 1's address arriving on port 1 is martian; 10.0.0.2 there is not. */
	t = mkflow(ip4(192, 168, 1, 2), 32000, ip4(192, 168, 1, 100), 443, TCP);
	fb_init(&b, 1, &t, SYN);
	CHECK_EQ(pair_one(&p, g, &b, 1, now++), DSR_FWD_DROP);
	CHECK_EQ(p.a.st->drop[DSR_MARTIAN], martian + 1);
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
	CHECK_EQ(p.a.st->drop[DSR_OVERSIZE], 1);
	CHECK_EQ(p.a.st->drop[DSR_MALFORMED], 0);
	/* With a VLAN tag too. */
	b.vlan = 1;
	CHECK_EQ(pair_one(&p, g, &b, 0, now++), DSR_FWD_DROP);
	CHECK_EQ(p.a.st->drop[DSR_OVERSIZE], 2);
	/* Cut within a standard frame (1518 bytes): malformed, not the driver's doing. */
	b.vlan = 0;
	b.trunc = 1518;
	CHECK_EQ(pair_one(&p, g, &b, 0, now++), DSR_FWD_DROP);
	b.trunc = 100;
	CHECK_EQ(pair_one(&p, g, &b, 0, now++), DSR_FWD_DROP);
	CHECK_EQ(p.a.st->drop[DSR_MALFORMED], 2);
	/* A long frame whose header is broken otherwise stays malformed. */
	b.trunc = -1;
	b.ver_ihl = 0x44;
	CHECK_EQ(pair_one(&p, g, &b, 0, now++), DSR_FWD_DROP);
	b.ver_ihl = 0x45;
	b.tot_adj = 10 - 1968; /* total length 10: below the header */
	CHECK_EQ(pair_one(&p, g, &b, 0, now++), DSR_FWD_DROP);
	CHECK_EQ(p.a.st->drop[DSR_MALFORMED], 4);
	CHECK_EQ(p.a.st->drop[DSR_OVERSIZE], 2);
	/* A long frame that holds its whole datagram is forwarded. */
	b.tot_adj = 0;
	b.udp_adj = 0;
	CHECK_EQ(pair_one(&p, g, &b, 0, now++), DSR_FWD_TX);
	CHECK(!p.failed);
	pair_free(&p);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_martian_sources),
		DSR_TEST(test_oversize),
	};

	return fwd_test_main(cases, sizeof(cases) / sizeof(cases[0]));
}
