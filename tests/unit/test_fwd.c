/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/fwd: the per-packet path on flat frames.
 *
 * The core is a differential test. dsr_fwd_burst() inlines the common case
 * (untagged IPv4 without options, to a VIP, established entry) and falls
 * back to the general functions for anything else; it must behave exactly
 * like the general path, dsr_fwd_classify() on every frame and then
 * dsr_fwd_decide() on each pending one. Two rigs, each with its own
 * struct dsr_fwd, connection table and counters, get the same bursts under
 * the same generations, rig A through dsr_fwd_burst(), rig B through the
 * general path. After every burst the verdicts, the output frames, the
 * whole counter block and the tables' contents (bucket by bucket) must be
 * equal. Frames come from a seeded PRNG (DSR_FWD_SEED overrides the seed,
 * DSR_FWD_BURSTS the number of random bursts; DSR_FWD_VERBOSE prints the
 * drop and event counts of the random run).
 *
 * Here too: truncation and the burst size limit. The directed cases are
 * in test_fwd_cases.c, the shared helpers in test_fwd_util.h and
 * test_fwd_pair.h.
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

/* Random traffic. */

struct svc {
	uint32_t ip;
	uint16_t port;
	uint8_t proto;
	unsigned int weight;
};

static struct tflow pool[NFLOWS];

static void
pool_init(void)
{
	const struct svc svcs[] = {
		{ip4(10, 0, 0, 100), 80, TCP, 40},     /* VIP 0 (A, B), 1 (C) */
		{ip4(10, 0, 0, 100), 53, UDP, 18},     /* VIP 1 (A, B), 0 (C) */
		{ip4(192, 168, 1, 100), 443, TCP, 10}, /* VIP 2 */
		{ip4(10, 0, 0, 101), 8080, UDP, 6},    /* VIP 3 in A only */
		{ip4(10, 0, 0, 100), 81, TCP, 5},      /* not VIPs: */
		{ip4(10, 0, 0, 100), 80, UDP, 5},      {ip4(10, 0, 0, 100), 53, TCP, 5},
		{ip4(10, 0, 0, 102), 80, TCP, 5},      {ip4(192, 168, 1, 100), 443, UDP, 3},
		{ip4(10, 0, 0, 100), 80, 1, 3}, /* ICMP */
		{ip4(10, 0, 0, 2), 22, TCP, 3}, /* port 0's address: its kernel interface in A */
		{ip4(10, 0, 0, 2), 0, 1, 2},    /* ICMP to it */
	};
	const unsigned int nsvc = sizeof(svcs) / sizeof(svcs[0]);
	unsigned int i, j, total = 0, r;

	for (j = 0; j < nsvc; j++)
		total += svcs[j].weight;
	for (i = 0; i < NFLOWS; i++) {
		struct tflow *t = &pool[i];

		r = rnd_below(total);
		for (j = 0; r >= svcs[j].weight; j++)
			r -= svcs[j].weight;
		t->dip = svcs[j].ip;
		t->dport = svcs[j].port;
		t->proto = svcs[j].proto;
		/* One call per statement: the order of operands is unspecified. */
		r = (uint32_t)rnd();
		t->sip = ip4(r & 1 ? 172 : 10, (uint8_t)(16 + (r >> 1) % 4), (uint8_t)(r >> 8),
			     (uint8_t)(1 + (r >> 16) % 254));
		t->sport = (uint16_t)(rnd_below(50) == 0 ? rnd_below(4) : 1024 + rnd_below(64512));
		t->phase = 0;
		t->seq = (uint32_t)rnd();
	}
	/* A few flows that differ from another in one field only. */
	for (i = 0; i + 1 < NHOT; i += 6) {
		pool[i + 1] = pool[i];
		pool[i + 1].sport ^= 1;
	}
}

/* SYN, ACKs, FIN, then maybe a SYN again (port reuse); or anything. */
static uint8_t
next_flags(struct tflow *t)
{
	uint32_t r = rnd_below(100);

	if (r < 22) { /* any combination of SYN, ACK, FIN, RST */
		uint32_t c = rnd_below(16);

		return (uint8_t)((c & 7) | ((c & 8) << 1));
	}
	if (r < 27)
		return (uint8_t)rnd();
	switch (t->phase) {
	case 0:
		t->phase = 1;
		return SYN;
	case 8:
		if (rnd() & 1)
			return ACK;
		t->phase = 1;
		return SYN; /* the port again, after a close */
	default:
		r = rnd_below(100);
		if (r < 3) {
			t->phase = 0;
			return RST | ACK;
		}
		if (r < 15 || ++t->phase == 8) {
			t->phase = 8;
			return FIN | ACK;
		}
		return r < 50 ? (PSH | ACK) : ACK;
	}
}

/*
 * ICMP: mostly errors (unreachable, time exceeded) quoting a packet a VIP
 * sent to one of the pool's clients, now and then from another source, of
 * another protocol or port; echo requests; other types.
 */
static void
gen_icmp(struct fb *b)
{
	const struct tflow *q = &pool[rnd_below(NFLOWS)];
	uint32_t r = rnd_below(100);

	b->icmp_type = r < 70 ? (rnd_below(4) ? 3 : 11) : r < 85 ? 8 : (uint8_t)rnd_below(20);
	b->icmp_code = b->icmp_type == 3 ? (uint8_t)(rnd_below(3) ? 4 : rnd_below(16)) : 0;
	b->quote = b->icmp_type == 3 || b->icmp_type == 11;
	b->qsip = q->dip; /* the VIP answered the client */
	b->qdip = q->sip;
	b->qsport = q->dport;
	b->qdport = q->sport;
	b->qproto = q->proto;
	r = rnd_below(100);
	if (r < 5)
		b->qsip ^= 0x01000000; /* another source */
	else if (r < 8)
		b->qproto = (uint8_t)rnd_below(30);
	else if (r < 10)
		b->qsport ^= 1;
	if (b->dip != b->qsip && rnd_below(2) == 0)
		b->dip = b->qsip; /* mostly to the address it quotes */
}

/* One random frame received on port: mostly good, often broken in one way or more. */
static uint16_t
gen_frame(uint8_t *buf, uint16_t port)
{
	struct tflow *t = &pool[rnd_below(5) < 3 ? rnd_below(NHOT) : rnd_below(NFLOWS)];
	struct fb b;
	uint32_t r;
	uint16_t len;

	fb_init(&b, port, t, t->proto == TCP ? next_flags(t) : 0);
	b.payload = rnd_below(20) == 0 ? rnd_below(1400) : rnd_below(80);
	/*
	 * The flow's own sequence numbers, which move on (now and then by
	 * more than a hint step, as after a loss the balancer did not see);
	 * now and then a blind RST's random one.
	 */
	b.seq = t->seq;
	if ((b.tcp_flags & RST) && rnd_below(3) == 0)
		b.seq = (uint32_t)rnd();
	t->seq += b.payload + ((b.tcp_flags & SYN) != 0) + ((b.tcp_flags & FIN) != 0);
	if (rnd_below(500) == 0)
		t->seq += (uint32_t)rnd_below(1u << 21);

	/* Destination MAC. */
	r = rnd_below(100);
	if (port == 2 && r < 40)
		memset(b.dst, 0, 6); /* port 2's MAC is all zeros */
	else if (r < 5)
		memset(b.dst, 0xff, 6);
	else if (r < 8)
		memcpy(b.dst, "\x01\x00\x5e\x00\x00\x01", 6);
	else if (r < 11)
		memcpy(b.dst, port_mac[(port + 1) % 2], 6);
	else if (r < 14)
		b.dst[rnd_below(6)] ^= 0x10; /* one bit off */
	else if (r < 16)
		fill_rnd(b.dst, 6);

	/* Ethernet. */
	r = rnd_below(100);
	if (r < 5)
		b.vlan = 1;
	else if (r < 6)
		b.vlan = 2;
	r = rnd_below(100);
	if (r < 4)
		b.ethertype = 0x0806;
	else if (r < 6)
		b.ethertype =
			(const uint16_t[]){0x86dd, 0x88a8, 0x0000, 0x0801, 0x0008}[rnd_below(5)];

	/* IPv4. */
	r = rnd_below(100);
	if (r < 6)
		b.ver_ihl = (uint8_t)(0x46 + rnd_below(10)); /* options */
	else if (r < 7)
		b.ver_ihl = (uint8_t)(0x40 + rnd_below(5)); /* IHL < 5 */
	else if (r < 8)
		b.ver_ihl = (uint8_t)((rnd_below(16) << 4) | 5);
	r = rnd_below(100);
	if (r < 30) {
		b.frag = 0x4000; /* DF alone is fine */
	} else if (r < 33) {
		b.frag = 0x2000; /* MF, offset 0: a first fragment */
		if (rnd_below(2) == 0)
			b.frag |= (uint16_t)(rnd() & 0x5fff); /* and maybe an offset */
	} else if (r < 36) {
		b.frag = (uint16_t)(1 + rnd_below(0x1fff)); /* an offset */
		if (rnd_below(4) == 0)
			b.frag |= 0x4000; /* and DF */
	} else if (r < 37) {
		b.frag = 0x8000; /* the reserved bit */
	} else if (r < 38) {
		b.frag = (uint16_t)rnd();
	}
	/* Fragments share a few IP ids, so that later ones find their first. */
	if (b.frag & 0x3fff) {
		b.has_id = rnd_below(8) != 0;
		b.id = (uint16_t)rnd_below(3);
	}
	if (rnd_below(100) < 4)
		b.ttl = (const uint8_t[]){0, 1, 2, 255}[rnd_below(4)];
	if (rnd_below(100) < 3)
		b.proto = (const uint8_t[]){1, 0, 47, 255, TCP, UDP}[rnd_below(6)];
	if (b.proto == 1)
		gen_icmp(&b);
	r = rnd_below(100);
	if (r < 2)
		b.tot_adj = -(int)rnd_below(80); /* too small, maybe below the headers */
	else if (r < 4)
		b.tot_adj = 1 + (int)rnd_below(40); /* beyond the frame */
	else if (r < 5)
		b.tot_adj = (int)rnd_below(65536) - 32768;

	/* TCP and UDP. */
	r = rnd_below(100);
	if (r < 5) {
		b.doff = (uint8_t)(5 + rnd_below(11));
		b.tcp_hlen = b.doff * 4u; /* TCP options */
	} else if (r < 8) {
		b.doff = (uint8_t)rnd_below(16); /* < 5, or beyond the segment */
	}
	r = rnd_below(100);
	if (r < 2)
		b.udp_adj = -(int)rnd_below(16);
	else if (r < 4)
		b.udp_adj = 1 + (int)rnd_below(8);
	else if (r < 5)
		b.udp_adj = (int)rnd_below(65536) - 32768;

	/* Sources no client can have. */
	if (rnd_below(100) < 2)
		b.sip = (const uint32_t[]){ip4(0, 0, 0, 0),    ip4(127, 0, 0, 1),
					   ip4(224, 0, 0, 5),  ip4(255, 255, 255, 255),
					   ip4(10, 0, 0, 2),   t->dip,
					   ip4(192, 168, 1, 2)}[rnd_below(7)];

	/* The frame. */
	if (rnd_below(100) < 10)
		b.pad = rnd_below(24);
	if (rnd_below(200) == 0) {
		/* Long, and cut as net_af_packet cuts what its ring cannot hold. */
		b.payload = 1500 + rnd_below(FRAME_MAX - 1600);
		if (rnd_below(2) == 0)
			b.trunc = (int)(1400 + rnd_below(200));
		else
			b.tot_adj = 1 + (int)rnd_below(2000);
	}
	if (rnd_below(100) < 4)
		b.trunc = (int)rnd_below(80);
	len = fb_build(&b, buf);
	if (rnd_below(100) < 2 && len > 0) {
		/* One call per statement: the order of operands is unspecified. */
		r = (uint32_t)rnd();
		buf[r % (len < 64 ? len : 64)] ^= (uint8_t)(1u << (r >> 8) % 8);
	}
	return len;
}

static void
test_random_bursts(void)
{
	static uint8_t bufs[BURST][FRAME_MAX];
	uint8_t *orig[BURST];
	uint16_t len[BURST];
	struct pair p;
	uint32_t seed = env_u32("DSR_FWD_SEED", 20240611),
		 bursts = env_u32("DSR_FWD_BURSTS", 50000);
	uint32_t now = 0xffffffffu - 3600u * 1000u, it; /* the clock wraps after an hour */
	unsigned int cur = 0, i, n;
	uint64_t sum;

	CHECK(pair_init(&p, CT_ENTRIES) == 0);
	rng_state = seed;
	pool_init();
	for (i = 0; i < BURST; i++)
		orig[i] = bufs[i];
	for (it = 0; it < bursts && !p.failed; it++) {
		uint16_t port;
		uint32_t r;

		if (rnd_below(150) == 0)
			cur = rnd_below(NGENS);
		r = rnd_below(100);
		if (r < 90)
			now += rnd_below(20);
		else if (r < 98)
			now += rnd_below(2000);
		else if (r < 99)
			now += 2000 + rnd_below(10000); /* beyond some timeouts */
		else if (rnd_below(5) == 0)
			now += 30000 + rnd_below(600000); /* beyond all */
		r = rnd_below(100);
		if (r < 45)
			port = 0;
		else if (r < 80)
			port = 1;
		else if (r < 96)
			port = 2;
		else
			port = (const uint16_t[]){DSR_MAX_PORTS, DSR_MAX_PORTS + 1, 1000,
						  0xffff}[rnd_below(4)];
		n = 1 + rnd_below(BURST);
		for (i = 0; i < n; i++)
			len[i] = gen_frame(orig[i], port);
		pair_burst(&p, gens[cur], orig, len, n, port, now, NULL);
		if (rnd_below(5) == 0)
			pair_sweep(&p, 1 + rnd_below(8), now);
		if (rnd_below(800) == 0) {
			struct flush_arg fa = {.all = (int)(rnd() & 1),
					       .ip = ip4(10, 0, 0, 100),
					       .port = be16(80),
					       .proto = TCP};

			pair_flush(&p, &fa);
		}
	}
	printf("# seed %u: %lu bursts, %lu frames, %llu forwarded (%lu plain IPv4), "
	       "%u entries at the end\n",
	       seed, p.bursts, p.frames, (unsigned long long)p.a.st->fwd_pkts, p.tx_simple,
	       dsr_ct_count(p.a.ct));
	if (getenv("DSR_FWD_VERBOSE") != NULL) {
		for (i = 0; i < DSR_DROP_MAX; i++)
			printf("#   drop %-14s %llu\n", dsr_drop_name(i),
			       (unsigned long long)p.a.st->drop[i]);
		for (i = 0; i < DSR_EV_MAX; i++)
			printf("#   event %-13s %llu\n", dsr_event_name(i),
			       (unsigned long long)p.a.st->event[i]);
	}
	if (p.failed) {
		fprintf(stderr, "test_fwd: reproduce with DSR_FWD_SEED=%u\n", seed);
	} else if (bursts >= 20000) {
		const struct dsr_stats_lcore *st = p.a.st;

		/* Every reason and event the path can produce was produced. */
		for (i = 0; i < DSR_DROP_MAX; i++) {
			/* Counted by the worker or the main lcore, not lib/fwd. */
			if (i == DSR_DROP_SLOW_FULL || i == DSR_DROP_TX_FULL ||
			    i == DSR_DROP_ICMP_RATE)
				continue;
			/* IPv6 is not generated here: test_fwd6.c has its reasons. */
			if (i >= DSR_DROP_TRUNCATED && i <= DSR_DROP_L4_HEADER)
				continue;
			if (st->drop[i] == 0)
				fprintf(stderr, "test_fwd: no drop %s\n", dsr_drop_name(i));
			CHECK(st->drop[i] > 0);
		}
		for (i = 0; i < DSR_EV_MAX; i++) {
			if (i == DSR_EV_CT_FLUSHED || i == DSR_EV_ICMP_ECHO)
				continue; /* counted by the worker or the main lcore, not lib/fwd */
			if (st->event[i] == 0)
				fprintf(stderr, "test_fwd: no event %s\n", dsr_event_name(i));
			CHECK(st->event[i] > 0);
		}
		/* Most forwarded frames found an entry (the inline case). */
		CHECK(st->fwd_pkts > 2 * st->event[DSR_EV_CT_NEW]);
		CHECK(p.tx_simple > 10000);
		sum = 0;
		for (i = 0; i < NPORTS; i++)
			sum += st->port[i].rx_pkts;
		CHECK(sum < st->rx_pkts); /* some came on out-of-range port ids */
	}
	pair_free(&p);
}

/*
 * Truncated frames of every length, for frames that are forwarded whole:
 * both paths agree, and a frame is dropped until it is complete.
 */
static void
test_truncation(void)
{
	static uint8_t full[FRAME_MAX], bufs[BURST][FRAME_MAX], alone_buf[FRAME_MAX];
	uint8_t *orig[BURST], *alone[1] = {alone_buf}, v[BURST];
	uint16_t len[BURST], alone_len[1], flen, l;
	struct pair p;
	struct tflow tcp = mkflow(ip4(10, 5, 0, 1), 1234, ip4(10, 0, 0, 100), 80, TCP);
	struct tflow udp = mkflow(ip4(10, 5, 0, 1), 1234, ip4(10, 0, 0, 100), 53, UDP);
	struct tflow arp = mkflow(ip4(10, 5, 0, 1), 0, ip4(10, 0, 0, 100), 0, TCP);
	struct fb b;
	unsigned int kind, k, vlan, opts;
	uint32_t now = 50;

	CHECK(pair_init(&p, CT_ENTRIES) == 0);
	rng_state = 11;
	for (k = 0; k < BURST; k++)
		orig[k] = bufs[k];
	/* Entries for the flows, so that the inline decide is reached. */
	fb_init(&b, 0, &tcp, SYN);
	len[0] = fb_build(&b, orig[0]);
	fb_init(&b, 0, &udp, 0);
	len[1] = fb_build(&b, orig[1]);
	pair_burst(&p, gens[0], orig, len, 2, 0, now, v);
	for (k = 0; k < 40 && v[0] != DSR_FWD_TX; k++) {
		tcp.sport++; /* find a client port that maps to a backend with a MAC */
		fb_init(&b, 0, &tcp, SYN);
		len[0] = fb_build(&b, orig[0]);
		pair_burst(&p, gens[0], orig, len, 1, 0, now, v);
	}
	CHECK_EQ(v[0], DSR_FWD_TX);
	for (kind = 0; kind < 3; kind++) {
		for (vlan = 0; vlan < 2; vlan++) {
			for (opts = 0; opts < 2; opts++) {
				fb_init(&b, 0,
					kind == 0   ? &tcp
					: kind == 1 ? &udp
						    : &arp,
					kind == 0 ? ACK : 0);
				if (kind == 2)
					b.ethertype = 0x0806;
				b.vlan = vlan;
				b.ver_ihl = opts ? 0x47 : 0x45;
				b.payload = 6;
				flen = fb_build(&b, full);
				for (l = 0; l <= flen; l++) {
					/* Alone, then 32 of them at a time. */
					memcpy(alone_buf, full, l);
					alone_len[0] = l;
					pair_burst(&p, gens[0], alone, alone_len, 1, 0, ++now, v);
					if (kind < 2)
						CHECK_EQ(v[0],
							 l < flen ? DSR_FWD_DROP : DSR_FWD_TX);
					else
						CHECK_EQ(v[0], l < 14 + 4 * vlan ? DSR_FWD_DROP
										 : DSR_FWD_SLOW);
					memcpy(orig[l % BURST], full, l);
					len[l % BURST] = l;
					if (l % BURST == BURST - 1 || l == flen)
						pair_burst(&p, gens[0], orig, len, l % BURST + 1, 0,
							   ++now, NULL);
				}
			}
		}
	}
	/* Every length 0..60 of random frames, many of them. */
	pool_init();
	for (k = 0; k < 2000; k++) {
		unsigned int i;

		for (i = 0; i < BURST; i++) {
			len[i] = gen_frame(orig[i], 0);
			if (len[i] > (k + i) % 61)
				len[i] = (uint16_t)((k + i) % 61);
		}
		pair_burst(&p, gens[k % NGENS], orig, len, BURST, 0, ++now, NULL);
	}
	pair_free(&p);
}

/* dsr_fwd_burst() looks at DSR_FWD_BURST_MAX frames at most. */
static void
test_burst_limit(void)
{
	enum { N = DSR_FWD_BURST_MAX + 6 };
	static uint8_t bufs[N][FRAME_MAX], copy[N][FRAME_MAX];
	uint8_t *frame[N], v[N];
	uint16_t len[N];
	uint64_t bytes = 0;
	struct rig r;
	struct tflow t = mkflow(ip4(10, 6, 0, 1), 999, ip4(10, 0, 0, 100), 53, UDP);
	struct fb b;
	unsigned int i, ntx;

	CHECK(rig_init(&r, 1024) == 0);
	rng_state = 3;
	for (i = 0; i < N; i++) {
		fb_init(&b, 0, &t, 0);
		b.payload = i;
		frame[i] = bufs[i];
		len[i] = fb_build(&b, bufs[i]);
		memcpy(copy[i], bufs[i], len[i]);
		if (i < DSR_FWD_BURST_MAX)
			bytes += len[i];
	}
	memset(v, 0xee, sizeof(v));
	dsr_fwd_begin(&r.f, gens[0]);
	ntx = dsr_fwd_burst(&r.f, frame, len, N, 0, 100, v);
	CHECK_EQ(ntx, DSR_FWD_BURST_MAX);
	for (i = 0; i < N; i++) {
		if (i < DSR_FWD_BURST_MAX) {
			CHECK_EQ(v[i], DSR_FWD_TX);
		} else {
			CHECK_EQ(v[i], 0xee);
			CHECK(memcmp(bufs[i], copy[i], len[i]) == 0);
		}
	}
	CHECK_EQ(r.st->rx_pkts, DSR_FWD_BURST_MAX);
	CHECK_EQ(r.st->rx_bytes, bytes);
	CHECK_EQ(r.st->fwd_pkts, DSR_FWD_BURST_MAX);
	CHECK_EQ(r.st->event[DSR_EV_CT_NEW], 1);
	CHECK_EQ(dsr_ct_count(r.ct), 1);
	/* An empty burst counts nothing. */
	CHECK_EQ(dsr_fwd_burst(&r.f, frame, len, 0, 0, 100, v), 0);
	CHECK_EQ(r.st->rx_pkts, DSR_FWD_BURST_MAX);
	rig_free(&r);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_burst_limit),
		DSR_TEST(test_truncation),
		DSR_TEST(test_random_bursts),
	};

	return fwd_test_main(cases, sizeof(cases) / sizeof(cases[0]));
}
