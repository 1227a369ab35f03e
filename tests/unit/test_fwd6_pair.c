/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The differential test of test_fwd.c for IPv6: two rigs with IPv6 tables
 * get the same random bursts of IPv6 frames under changing generations,
 * rig A through
 * dsr_fwd_burst() (its two stages over the whole burst), rig B through
 * the general path frame by frame, and after every burst the verdicts,
 * the output frames, every counter and both tables must be the same
 * (test_fwd_pair.h). Any inline IPv6 case added to the burst stages
 * must pass it. The frames: TCP (scripted SYN, ACKs,
 * FIN, port reuse, RSTs in and out of window, random flags) and UDP to
 * IPv6 VIPs, to ports and addresses that are not VIPs, from martians,
 * with a VLAN tag, an extension header, hop limit 1, a bad payload length,
 * a bad TCP header, another MAC, padding, or cut short; the generations
 * remove a backend, take one down, change timeouts and start from scratch
 * (backend ids of another VIP), so that entries go stale and expire.
 *
 * DSR_FWD_SEED picks the seed (printed; default fixed);
 * DSR_FWD_BURSTS the number of bursts.
 */
#include <stdlib.h>
#include <string.h>

#include "test_fwd_pair.h"

#define NFLOWS6    256
#define CT6_SMALL  96 /* small, so that the test fills it */
#define NGENS6     4
#define BE_DOWN    2 /* the backend generation 2 takes down (fd00::25) */
#define V6_HLEN    40
#define FRAME6_MAX 256

/* clang-format off */
static const char *const conf6_a[] = {
	"port 0 address 10.0.0.2/24",
	"port 0 address fd00::2/64",
	"port 1 address 192.168.1.2/24",
	"timeout set tcp-syn 2",
	"timeout set tcp 10",
	"timeout set tcp-fin 3",
	"timeout set udp 5",
	"maglev size 251",
	"vip add [fd00:1::100]:80/tcp", /* VIP 0 */
	"backend add [fd00:1::100]:80/tcp fd00::21 mac 02:00:00:00:06:21", /* 0 */
	"backend add [fd00:1::100]:80/tcp fd00::22 mac 02:00:00:00:06:22 weight 50", /* 1 */
	"backend add [fd00:1::100]:80/tcp fd00::25 mac 02:00:00:00:06:25", /* 2 */
	"backend add [fd00:1::100]:80/tcp fd00::26 weight 30", /* 3: MAC never known */
	"vip add [fd00:1::100]:53/udp", /* VIP 1 */
	"backend add [fd00:1::100]:53/udp fd00::21 mac 02:00:00:00:06:21", /* 4 */
	"backend add [fd00:1::100]:53/udp fd00::22 mac 02:00:00:00:06:22", /* 5 */
	"vip add [fd00:1::101]:443/tcp", /* VIP 2: drained */
	"backend add [fd00:1::101]:443/tcp fd00::50 mac 02:00:00:00:06:50 weight 0", /* 6 */
	NULL,
};

/* On top of A: a backend goes (its id held), one comes, strict-syn, shorter timeouts. */
static const char *const conf6_b[] = {
	"backend del [fd00:1::100]:80/tcp fd00::22",
	"@hold 1",
	"backend add [fd00:1::100]:80/tcp fd00::24 mac 02:00:00:00:06:24", /* 7 */
	"backend set [fd00:1::101]:443/tcp fd00::50 weight 10",
	"strict-syn on",
	"timeout set tcp-syn 1",
	"timeout set tcp 4",
	"timeout set udp 1",
	NULL,
};

/* From scratch: VIP and backend ids change meaning (entries name another VIP's backends). */
static const char *const conf6_c[] = {
	"port 0 address fd00::2/64",
	"maglev size 13",
	"vip add [fd00:1::100]:53/udp", /* VIP 0 */
	"backend add [fd00:1::100]:53/udp fd00::22 mac 02:00:00:00:06:22", /* 0 */
	"vip add [fd00:1::100]:80/tcp", /* VIP 1 */
	"backend add [fd00:1::100]:80/tcp fd00::27 mac 02:00:00:00:06:27", /* 1 */
	"vip add [fd00:1::101]:443/tcp", /* VIP 2 */
	"backend add [fd00:1::101]:443/tcp fd00::50 mac 02:00:00:00:06:50", /* 2 */
	NULL,
};
/* clang-format on */

static struct dsr_gen *gens6[NGENS6];

static int
build_gens6(void)
{
	static uint8_t down[DSR_MAX_BACKENDS];
	struct dsr_conf *c = malloc(sizeof(*c));
	int rc = -1;

	if (c == NULL)
		return -1;
	dsr_conf_init(c);
	if (load(c, conf6_a) != 0 || (gens6[0] = dsr_gen_build(c, 1, NULL, NULL)) == NULL)
		goto out;
	down[BE_DOWN] = 1;
	if ((gens6[2] = dsr_gen_build_health(c, 3, NULL, NULL, down)) == NULL)
		goto out;
	if (load(c, conf6_b) != 0 || (gens6[1] = dsr_gen_build(c, 2, NULL, NULL)) == NULL)
		goto out;
	dsr_conf_init(c);
	if (load(c, conf6_c) != 0 || (gens6[3] = dsr_gen_build(c, 4, NULL, NULL)) == NULL)
		goto out;
	rc = 0;
out:
	free(c);
	return rc;
}

struct flow6 {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t phase; /* where the scripted TCP flags are */
	uint32_t seq;  /* the client's next sequence number */
};

static struct flow6 pool6[NFLOWS6];

static void
addr6(uint8_t a[16], uint16_t w0, uint16_t w1, uint32_t low)
{
	memset(a, 0, 16);
	a[0] = (uint8_t)(w0 >> 8);
	a[1] = (uint8_t)w0;
	a[2] = (uint8_t)(w1 >> 8);
	a[3] = (uint8_t)w1;
	a[12] = (uint8_t)(low >> 24);
	a[13] = (uint8_t)(low >> 16);
	a[14] = (uint8_t)(low >> 8);
	a[15] = (uint8_t)low;
}

static void
pool6_init(void)
{
	static const struct {
		uint32_t low; /* fd00:1::LOW */
		uint16_t port;
		uint8_t proto;
		unsigned int weight;
	} svcs[] = {
		{0x100, 80, TCP, 40}, {0x100, 53, UDP, 18}, {0x101, 443, TCP, 8}, /* VIPs */
		{0x100, 81, TCP, 4},  {0x100, 80, UDP, 4},  {0x102, 80, TCP, 4},  /* not VIPs */
	};
	const unsigned int nsvc = sizeof(svcs) / sizeof(svcs[0]);
	unsigned int i, j, total = 0, r;

	for (j = 0; j < nsvc; j++)
		total += svcs[j].weight;
	for (i = 0; i < NFLOWS6; i++) {
		struct flow6 *t = &pool6[i];

		r = rnd_below(total);
		for (j = 0; r >= svcs[j].weight; j++)
			r -= svcs[j].weight;
		addr6(t->dst, 0xfd00, 1, svcs[j].low);
		t->dport = svcs[j].port;
		t->proto = svcs[j].proto;
		addr6(t->src, 0x2001, 0x0db8, (uint32_t)rnd_below(1u << 20));
		r = rnd_below(60);
		if (r == 0)
			addr6(t->src, 0xfe80, 0, 1); /* link-local: a martian */
		else if (r == 1)
			memcpy(t->src, t->dst, 16); /* the VIP itself */
		t->sport = (uint16_t)(1024 + rnd_below(64512));
		t->phase = 0;
		t->seq = (uint32_t)rnd();
	}
	/* A few flows that differ from another in the source port only. */
	for (i = 0; i + 1 < 24; i += 6) {
		pool6[i + 1] = pool6[i];
		pool6[i + 1].sport ^= 1;
	}
}

/* SYN, ACKs, FIN, maybe a SYN again (port reuse), RSTs; or anything. */
static uint8_t
flags6(struct flow6 *t)
{
	uint32_t r = rnd_below(100);

	if (r < 15)
		return (uint8_t)rnd_below(64);
	switch (t->phase) {
	case 0:
		t->phase = 1;
		return SYN;
	case 6:
		t->phase = (uint8_t)(rnd() & 1 ? 7 : 1);
		return t->phase == 7 ? FIN | ACK : SYN;
	case 7:
		t->phase = 0;
		return ACK;
	default:
		if (r < 18) {
			t->phase = 0;
			return RST | ACK;
		}
		t->phase++;
		return r < 60 ? ACK : PSH | ACK;
	}
}

/* A random frame of flow t on port into buf; returns its length. */
static uint16_t
frame6_rand(uint8_t *buf, struct flow6 *t, uint16_t port)
{
	uint32_t r = rnd_below(100), off = 12, ip, l4, plen, hdr, data = rnd_below(3) * 7;
	uint8_t fl = t->proto == TCP ? flags6(t) : 0;
	uint8_t nh = t->proto;
	int len;

	memcpy(buf, port_mac[port < NPORTS ? port : 0], 6);
	if (r == 0)
		buf[5] ^= 1; /* another MAC */
	memcpy(buf + 6, client_mac, 6);
	if (r == 1 || r == 2) { /* a VLAN tag */
		put16(buf + off, 0x8100);
		put16(buf + off + 2, 7);
		off += 4;
	}
	put16(buf + off, 0x86dd);
	ip = off + 2;
	memset(buf + ip, 0, V6_HLEN);
	buf[ip] = 0x60;
	buf[ip + 7] = r == 3 ? 1 : 64; /* hop limit */
	memcpy(buf + ip + 8, t->src, 16);
	memcpy(buf + ip + 24, t->dst, 16);
	l4 = ip + V6_HLEN;
	if (r == 4 || r == 5) { /* a hop-by-hop options header (8 bytes of padding) */
		memset(buf + l4, 0, 8);
		buf[l4] = nh;
		buf[l4 + 2] = 1; /* PadN, 4 bytes */
		buf[l4 + 3] = 4;
		nh = 0;
		l4 += 8;
	}
	buf[ip + 6] = nh;
	hdr = t->proto == TCP ? 20 : 8;
	memset(buf + l4, 0, hdr + data);
	put16(buf + l4, t->sport);
	put16(buf + l4 + 2, t->dport);
	if (t->proto == TCP) {
		/* The client's sequence number, or a far one (a blind RST). */
		uint32_t seq = (fl & RST) && rnd_below(3) == 0 ? (uint32_t)rnd() : t->seq;

		put16(buf + l4 + 4, seq >> 16);
		put16(buf + l4 + 6, seq & 0xffff);
		buf[l4 + 12] = r == 6 ? 0x40 : 0x50; /* data offset; 4 words is too short */
		buf[l4 + 13] = fl;
		t->seq += data + ((fl & SYN) != 0) + ((fl & FIN) != 0);
	} else {
		put16(buf + l4 + 4, r == 6 ? 4 : hdr + data); /* UDP length */
	}
	plen = l4 + hdr + data - ip - V6_HLEN;
	put16(buf + ip + 4, r == 7 ? plen + 9 : plen);
	len = (int)(l4 + hdr + data);
	if (r == 8)
		len += (int)rnd_below(20); /* Ethernet padding */
	if (r == 9)
		len = (int)rnd_below((uint32_t)len); /* cut short */
	return (uint16_t)len;
}

static void
test_random_bursts6(void)
{
	static uint8_t buf[BURST][FRAME6_MAX];
	uint32_t seed = env_u32("DSR_FWD_SEED", 20261205),
		 bursts = env_u32("DSR_FWD_BURSTS", 40000), now = 1000, it;
	unsigned long fast_shaped = 0;
	const struct dsr_stats_lcore *st;
	unsigned int cur = 0;
	struct pair p;

	rng_state = seed;
	printf("# seed %u (DSR_FWD_SEED=%u to repeat)\n", seed, seed);
	CHECK(build_gens6() == 0);
	pool6_init();
	CHECK(pair_init(&p, CT_ENTRIES) == 0);
	rig_set_ct6(&p.a, CT6_SMALL);
	rig_set_ct6(&p.b, CT6_SMALL);
	for (it = 0; it < bursts && !p.failed; it++) {
		uint8_t *frame[BURST];
		uint16_t len[BURST];
		/* Mostly port 0 (where the VIPs' subnet is), a few on port 1 and 2. */
		uint16_t port = (uint16_t)(rnd_below(10) == 0 ? 1 + rnd_below(2) : 0);
		unsigned int n = 1 + rnd_below(BURST), i;
		/* Half the bursts from the first 32 flows, so that they live long. */
		unsigned int span = rnd() & 1 ? 32 : NFLOWS6;

		for (i = 0; i < n; i++) {
			frame[i] = buf[i];
			len[i] = frame6_rand(buf[i], &pool6[rnd_below(span)], port);
			if (len[i] >= 14 + V6_HLEN && memcmp(buf[i] + 12, "\x86\xdd", 2) == 0 &&
			    (buf[i][20] == TCP || buf[i][20] == UDP))
				fast_shaped++;
		}
		if (rnd_below(200) == 0)
			cur = rnd_below(NGENS6);
		now += rnd_below(8) == 0 ? rnd_below(3000) : rnd_below(40);
		pair_burst(&p, gens6[cur], frame, len, n, port, now, NULL);
		if (rnd_below(16) == 0)
			pair_sweep(&p, 1 + rnd_below(8), now);
	}
	st = p.a.st;
	printf("# %lu bursts, %lu frames (%lu shaped for the inline IPv6 case), %llu forwarded, "
	       "%u IPv6 entries at the end\n",
	       p.bursts, p.frames, fast_shaped, (unsigned long long)st->fwd_pkts,
	       dsr_ct6_count(p.a.ct6));
	if (p.failed) {
		fprintf(stderr, "test_fwd6_pair: reproduce with DSR_FWD_SEED=%u\n", seed);
	} else if (bursts >= 20000) {
		/* The cases the inline path must hand on were all met. */
		static const enum dsr_event ev[] = {
			DSR_EV_CT_NEW,
			DSR_EV_CT_REUSE,
			DSR_EV_CT_RST,
			DSR_EV_CT_STALE,
			DSR_EV_CT_FULL,
			DSR_EV_CT_EXPIRED,
			DSR_EV_RST_OUT_OF_WINDOW,
		};
		static const enum dsr_drop drops[] = {DSR_DROP_MARTIAN, DSR_DROP_NOT_VIP,
						      DSR_DROP_NO_MAC,  DSR_DROP_NO_STATE,
						      DSR_DROP_TTL,     DSR_DROP_NOT_OURS};
		unsigned int i;

		for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
			if (st->event[ev[i]] == 0)
				fprintf(stderr, "test_fwd6_pair: no event %s\n",
					dsr_event_name(ev[i]));
			CHECK(st->event[ev[i]] > 0);
		}
		for (i = 0; i < sizeof(drops) / sizeof(drops[0]); i++) {
			if (st->drop[drops[i]] == 0)
				fprintf(stderr, "test_fwd6_pair: no drop %s\n",
					dsr_drop_name(drops[i]));
			CHECK(st->drop[drops[i]] > 0);
		}
		CHECK(st->fwd_pkts > p.frames / 4);
	}
	pair_free(&p);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_random_bursts6),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
