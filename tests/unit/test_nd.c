/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/nd, part 1: parameters and configuration, DAD at
 * start and announcements, the responder (exact bytes, field by field,
 * checksum), every validation counter, duplicate detection ("using" and
 * "probed for" with ARP's log lines, defence, rate limits, the conflict
 * table rows). The literal frames were made with scapy (see each).
 */
#include "test_nd_util.h"

static void
test_params(void)
{
	struct dsr_nd_params p = nd_params(2, 1), bad;
	struct dsr_nd_addr_info ai;

	dsr_nd_params_default(&p);
	CHECK_EQ(p.arp.announce_count, 2);
	CHECK_EQ(p.arp.announce_interval_ms, 2000);
	CHECK_EQ(p.arp.refresh_ms, 60000);
	CHECK_EQ(p.arp.retry_ms, 1000);
	CHECK_EQ(p.arp.max_tries, 3);
	CHECK_EQ(p.arp.conflicts_max, DSR_ARP_CONFLICTS_MAX);
	CHECK_EQ(p.dad_transmits, 1);
	CHECK_EQ(p.dad_retrans_ms, 1000);
	CHECK_EQ(p.mld_reports, 2);
	bad = p;
	bad.dad_retrans_ms = 0;
	CHECK(dsr_nd_create(&bad, NULL, NULL, NULL) == NULL);
	bad = p;
	bad.dad_transmits = 256;
	CHECK(dsr_nd_create(&bad, NULL, NULL, NULL) == NULL);
	bad = p;
	bad.mld_reports = 11;
	CHECK(dsr_nd_create(&bad, NULL, NULL, NULL) == NULL);
	bad = p;
	bad.arp.max_tries = 0;
	CHECK(dsr_nd_create(&bad, NULL, NULL, NULL) == NULL);
	bad = p;
	bad.arp.conflicts_max = 65537;
	CHECK(dsr_nd_create(&bad, NULL, NULL, NULL) == NULL);

	nd_setup(&p, true, 0);
	CHECK(dsr_nd_addr_get(nd, 0, &ai));
	CHECK(memcmp(ai.ip, ip6("fd00::1"), 16) == 0);
	CHECK_EQ(ai.kind, DSR_ND_ADDR_PORT);
	CHECK_EQ(ai.state, DSR_ND_TENTATIVE);
	CHECK(!dsr_nd_addr_get(nd, 5, &ai));
	CHECK(dsr_nd_addr_get(nd, 4, &ai));
	CHECK_EQ(ai.port, 1);

	/* Rejected, the state unchanged: bad params, ports, addresses, a backend without source. */
	bad = p;
	bad.arp.retry_ms = 0;
	CHECK_EQ(nd_reconfigure(&bad, 0), -1);
	nd_addrs[0].port = 2;
	CHECK_EQ(nd_reconfigure(&p, 0), -1);
	nd_addrs[0].port = 0;
	memcpy(nd_addrs[0].ip, ip6("ff02::1"), 16);
	CHECK_EQ(nd_reconfigure(&p, 0), -1);
	memcpy(nd_addrs[0].ip, ip6("::"), 16);
	CHECK_EQ(nd_reconfigure(&p, 0), -1);
	memcpy(nd_addrs[0].ip, ip6("fd00::1"), 16);
	nd_addrs[0].kind = DSR_ND_ADDR_VIP; /* port 0 has no port address now */
	CHECK_EQ(nd_reconfigure(&p, 0), -1);
	nd_addrs[0].kind = 7;
	CHECK_EQ(nd_reconfigure(&p, 0), -1);
	nd_addrs[0].kind = DSR_ND_ADDR_PORT;
	memcpy(nd_backends[0].ip, ip6("ff02::21"), 16);
	CHECK_EQ(nd_reconfigure(&p, 0), -1);
	memcpy(nd_backends[0].ip, ip6("fd00::21"), 16);
	CHECK(dsr_nd_configure(nd, NULL, &p, 0) == -1);
	CHECK_EQ(n_tx, 0);
	CHECK(dsr_nd_addr_get(nd, 4, &ai));
	CHECK_EQ(ai.port, 1);
	CHECK_EQ(nd_reconfigure(&p, 0), 0);
	CHECK_STR(dsr_nd_counter_name(DSR_ND_RX), "rx");
	CHECK_STR(dsr_nd_counter_name(DSR_ND_CONFLICT_USING), "conflict-using");
	CHECK_STR(dsr_nd_counter_name(DSR_ND_BAD_CHECKSUM), "bad-checksum");
	CHECK_STR(dsr_nd_counter_name(DSR_ND_NCOUNTERS), "?");
	CHECK_EQ(dsr_nd_counter(nd, DSR_MAX_PORTS, DSR_ND_RX), 0);
	nd_teardown();
}

/* scapy: Ether(dst='33:33:ff:00:00:01', src=P0)/IPv6(src='::', dst='ff02::1:ff00:1',
 * hlim=255)/ICMPv6ND_NS(tgt='fd00::1') */
static const char PROBE_FD00_1[] = "3333ff000001 020000000001 86dd"
				   "6000000000183aff 00000000000000000000000000000000"
				   "ff0200000000000000000001ff000001"
				   "87007da500000000 fd000000000000000000000000000001";

/* scapy: Ether(dst='33:33:00:00:00:01', src=P0)/IPv6(src='fd00:100::100', dst='ff02::1',
 * hlim=255)/ICMPv6ND_NA(R=0, S=0, O=1, tgt='fd00:100::100')/ICMPv6NDOptDstLLAddr(P0) */
static const char ANN_VIP_P0[] = "333300000001 020000000001 86dd"
				 "6000000000203aff fd000100000000000000000000000100"
				 "ff020000000000000000000000000001"
				 "8800569d20000000 fd000100000000000000000000000100"
				 "0201020000000001";

static void
test_dad_then_announce(void)
{
	struct dsr_nd_params p = nd_params(2, 1);
	struct dsr_nd_addr_info ai;
	uint8_t w[128], f[128];
	uint32_t len;

	nd_setup(&p, false, 0);
	dsr_nd_tick(nd, 0);
	/* One DAD probe per address and port, nothing else. */
	CHECK_EQ(n_tx, 5);
	len = hex(w, PROBE_FD00_1);
	CHECK_EQ(len, DSR_ND_DAD_FRAME_LEN);
	CHECK_TX_ANY(0, w, len);
	len = mk_our_probe(w, 1, "fd00:100::100");
	CHECK_TX_ANY(1, w, len);
	CHECK_EQ(ncnt(0, DSR_ND_DAD_SENT), 3);
	CHECK_EQ(ncnt(1, DSR_ND_DAD_SENT), 2);
	CHECK_EQ(ncnt(0, DSR_ND_ANNOUNCE_SENT), 0);

	/* Tentative: a solicitation for it is not answered (RFC 4862 5.4.3). */
	clear_out();
	len = mk_ns(f, "fd00::1");
	nd_in(0, f, len, 500);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_TENTATIVE), 1);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_ANSWERED), 0);
	dsr_nd_tick(nd, 999);
	CHECK_EQ(n_tx, 0);

	/* RetransTimer later: in use, announced. */
	dsr_nd_tick(nd, 1000);
	CHECK_EQ(n_tx, 5);
	len = hex(w, ANN_VIP_P0);
	CHECK_EQ(len, DSR_ND_FRAME_LEN);
	CHECK_TX_ANY(0, w, len);
	len = mk_our_announce(w, 1, "fd00:1::1", -1);
	CHECK_TX_ANY(1, w, len);
	CHECK_EQ(ncnt(0, DSR_ND_ANNOUNCE_SENT), 3);
	CHECK(dsr_nd_addr_get(nd, 0, &ai));
	CHECK_EQ(ai.state, DSR_ND_PREFERRED);
	CHECK_EQ(ai.duplicate, 0);
	clear_out();
	nd_in(0, f, len, 1001);
	CHECK_EQ(n_tx, 1);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_ANSWERED), 1);

	/* The second announcement, announce_interval later; then nothing. */
	clear_out();
	dsr_nd_tick(nd, 2999);
	CHECK_EQ(n_tx, 0);
	dsr_nd_tick(nd, 3000);
	CHECK_EQ(n_tx, 5);
	clear_out();
	dsr_nd_tick(nd, 100000);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(ncnt(0, DSR_ND_ANNOUNCE_SENT), 6);
	CHECK_EQ(n_log, 0);

	/* A reconfigure: addresses that stay are not probed again; a new one is. */
	add_addr(1, "fd00:1::7", DSR_ND_ADDR_VIP);
	CHECK_EQ(nd_reconfigure(NULL, 200000), 0);
	dsr_nd_tick(nd, 200000);
	CHECK_EQ(n_tx, 1);
	len = mk_our_probe(w, 1, "fd00:1::7");
	CHECK_TX(0, 1, w, len);
	nd_teardown();

	/* Two transmits: a second apart, in use a second after the second. */
	p = nd_params(1, 2);
	nd_setup(&p, false, 0);
	dsr_nd_tick(nd, 0);
	dsr_nd_tick(nd, 1000);
	CHECK_EQ(ncnt(0, DSR_ND_DAD_SENT), 6);
	CHECK_EQ(ncnt(0, DSR_ND_ANNOUNCE_SENT), 0);
	dsr_nd_tick(nd, 1999);
	CHECK_EQ(ncnt(0, DSR_ND_ANNOUNCE_SENT), 0);
	dsr_nd_tick(nd, 2000);
	CHECK_EQ(ncnt(0, DSR_ND_ANNOUNCE_SENT), 3);
	nd_teardown();

	/* No DAD: announced at once. */
	p = nd_params(1, 0);
	nd_setup(&p, false, 0);
	dsr_nd_tick(nd, 0);
	CHECK_EQ(ncnt(0, DSR_ND_DAD_SENT), 0);
	CHECK_EQ(ncnt(0, DSR_ND_ANNOUNCE_SENT), 3);
	nd_teardown();
}

/* scapy: Ether(dst=HOST6, src=P0)/IPv6(src='fd00::1', dst='fd00::50', hlim=255)/
 * ICMPv6ND_NA(R=0, S=1, O=1, tgt='fd00::1')/ICMPv6NDOptDstLLAddr(P0) */
static const char NA_FD00_1[] = "020000000050 020000000001 86dd"
				"6000000000203aff fd000000000000000000000000000001"
				"fd000000000000000000000000000050"
				"88001c4e60000000 fd000000000000000000000000000001"
				"0201020000000001";

static void
test_responder(void)
{
	struct dsr_nd_params p = nd_params(0, 0);
	uint8_t f[128], w[128];
	const uint8_t *ip, *icmp;
	uint32_t len;

	nd_setup(&p, false, 0);
	len = mk_ns(f, "fd00::1");
	nd_in(0, f, len, 10);
	CHECK_EQ(n_tx, 1);
	CHECK_EQ(ncnt(0, DSR_ND_RX), 1);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_ANSWERED), 1);
	len = hex(w, NA_FD00_1);
	CHECK_TX(0, 0, w, len);
	/* Field by field. */
	CHECK_EQ(txs[0].len, 86);
	CHECK(memcmp(txs[0].f, HOST6_MAC, 6) == 0);
	CHECK(memcmp(txs[0].f + 6, P0MAC, 6) == 0);
	CHECK(txs[0].f[12] == 0x86 && txs[0].f[13] == 0xdd);
	ip = txs[0].f + 14;
	icmp = ip + 40;
	CHECK_EQ(ip[0], 0x60);
	CHECK(ip[1] == 0 && ip[2] == 0 && ip[3] == 0);
	CHECK_EQ(ip[4] << 8 | ip[5], 32);
	CHECK_EQ(ip[6], 58);
	CHECK_EQ(ip[7], 255);
	CHECK(memcmp(ip + 8, ip6("fd00::1"), 16) == 0);
	CHECK(memcmp(ip + 24, ip6("fd00::50"), 16) == 0);
	CHECK_EQ(icmp[0], NA);
	CHECK_EQ(icmp[1], 0);
	CHECK_EQ(icmp[4], F_S | F_O);
	CHECK(icmp[5] == 0 && icmp[6] == 0 && icmp[7] == 0);
	CHECK(memcmp(icmp + 8, ip6("fd00::1"), 16) == 0);
	CHECK(icmp[24] == 2 && icmp[25] == 1);
	CHECK(memcmp(icmp + 26, P0MAC, 6) == 0);
	CHECK_EQ(icmp[2] << 8 | icmp[3], 0x1c4e);
	CHECK_EQ(t_csum(ip, icmp, 32), 0);

	/* A VIP on port 1. */
	clear_out();
	{
		uint8_t m[6];
		struct ndf d = {.src = HOST6_MAC,
				.tci = -1,
				.ip_src = "fd00:1::9",
				.ip_dst = sn_of("fd00:100::100"),
				.type = NS,
				.target = "fd00:100::100",
				.opt = 1,
				.opt_mac = HOST6_MAC};
		struct ndf a = {.dst = HOST6_MAC,
				.src = P1MAC,
				.tci = -1,
				.ip_src = "fd00:100::100",
				.ip_dst = "fd00:1::9",
				.type = NA,
				.flags = F_S | F_O,
				.target = "fd00:100::100",
				.opt = 2,
				.opt_mac = P1MAC};

		sn_mac("fd00:100::100", m);
		d.dst = m;
		len = mk_nd(f, &d);
		nd_in(1, f, len, 20);
		len = mk_nd(w, &a);
		CHECK_EQ(n_tx, 1);
		CHECK_TX(0, 1, w, len);

		/* Tagged: the answer carries the tag. */
		clear_out();
		d.tci = 7;
		a.tci = 7;
		len = mk_nd(f, &d);
		nd_in(1, f, len, 20);
		len = mk_nd(w, &a);
		CHECK_EQ(len, DSR_ND_FRAME_LEN + 4);
		CHECK_TX(0, 1, w, len);

		/* Unicast, no source option (Linux's refresh): to the Ethernet source. */
		clear_out();
		d.tci = -1;
		d.dst = P1MAC;
		d.ip_dst = "fd00:100::100";
		d.opt = 0;
		a.tci = -1;
		len = mk_nd(f, &d);
		nd_in(1, f, len, 30);
		len = mk_nd(w, &a);
		CHECK_TX(0, 1, w, len);
		CHECK_EQ(ncnt(1, DSR_ND_REQ_ANSWERED), 3);

		/* Unicast to another MAC: ignored. */
		clear_out();
		d.dst = P0MAC;
		len = mk_nd(f, &d);
		nd_in(1, f, len, 30);
		CHECK_EQ(n_tx, 0);
		CHECK_EQ(ncnt(1, DSR_ND_REQ_IGNORED), 1);

		/* To another solicited-node group (the right MAC for it): ignored. */
		d.ip_dst = sn_of("fd00:1::1");
		sn_mac("fd00:1::1", m);
		d.dst = m;
		len = mk_nd(f, &d);
		nd_in(1, f, len, 30);
		CHECK_EQ(n_tx, 0);
		CHECK_EQ(ncnt(1, DSR_ND_REQ_IGNORED), 2);
	}
	/* Not ours; ours but not on this port. */
	len = mk_ns(f, "fd00::77");
	nd_in(0, f, len, 40);
	len = mk_ns(f, "fd00::100");
	nd_in(1, f, len, 40);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_IGNORED), 1);
	CHECK_EQ(ncnt(1, DSR_ND_REQ_IGNORED), 3);
	CHECK_EQ(n_log, 0);
	CHECK_EQ(dsr_nd_take_changed(nd), false);
	nd_teardown();
}

/* Input a frame: rx and exactly counter c go up by one, nothing is sent. */
static void
check_bad(const uint8_t *f, uint32_t len, enum dsr_nd_counter c, int line)
{
	uint64_t rx = ncnt(0, DSR_ND_RX), v = ncnt(0, c);
	uint64_t sum = 0, after = 0;
	int i;

	for (i = 0; i < DSR_ND_NCOUNTERS; i++)
		sum += ncnt(0, (enum dsr_nd_counter)i);
	clear_out();
	nd_in(0, f, len, 100);
	for (i = 0; i < DSR_ND_NCOUNTERS; i++)
		after += ncnt(0, (enum dsr_nd_counter)i);
	if (ncnt(0, DSR_ND_RX) != rx + 1 || ncnt(0, c) != v + 1 || after != sum + 2 || n_tx != 0) {
		fprintf(stderr, "%s:%d: want %s once (rx %llu->%llu, %llu->%llu, sent %u)\n",
			__FILE__, line, dsr_nd_counter_name(c), (unsigned long long)rx,
			(unsigned long long)ncnt(0, DSR_ND_RX), (unsigned long long)v,
			(unsigned long long)ncnt(0, c), n_tx);
		dsr_test_failures++;
	}
}

#define CHECK_BAD(f, len, c) check_bad(f, len, c, __LINE__)

/* Input a frame that is not ND: no counter moves. */
static void
check_not_nd(const uint8_t *f, uint32_t len, int line)
{
	uint64_t sum = 0, after = 0;
	int i;

	for (i = 0; i < DSR_ND_NCOUNTERS; i++)
		sum += ncnt(0, (enum dsr_nd_counter)i);
	nd_in(0, f, len, 100);
	for (i = 0; i < DSR_ND_NCOUNTERS; i++)
		after += ncnt(0, (enum dsr_nd_counter)i);
	if (after != sum) {
		fprintf(stderr, "%s:%d: a frame that is not ND was counted\n", __FILE__, line);
		dsr_test_failures++;
	}
}

#define CHECK_NOT_ND(f, len) check_not_nd(f, len, __LINE__)

static void
test_malformed(void)
{
	struct dsr_nd_params p = nd_params(0, 0);
	uint8_t g[128], f[128], m[6];
	struct ndf d = {.src = HOST6_MAC,
			.tci = -1,
			.ip_src = "fd00::50",
			.type = NS,
			.target = "fd00::1",
			.opt = 1,
			.opt_mac = HOST6_MAC};
	struct ndf na = {.dst = P0MAC,
			 .src = HOST6_MAC,
			 .tci = -1,
			 .ip_src = "fd00::50",
			 .ip_dst = "fd00::1",
			 .type = NA,
			 .flags = F_S,
			 .target = "fd00::50",
			 .opt = 2,
			 .opt_mac = HOST6_MAC};
	uint32_t len;

	nd_setup(&p, false, 0);
	sn_mac("fd00::1", m);
	d.dst = m;
	d.ip_dst = sn_of("fd00::1");
	len = mk_nd(g, &d);

	/* Truncated: the payload length past the frame; the ICMPv6 header cut. */
	memcpy(f, g, len);
	CHECK_BAD(f, len - 1, DSR_ND_BAD_TRUNCATED);
	CHECK_BAD(f, 14 + 40 + 2, DSR_ND_BAD_TRUNCATED);
	memcpy(f, g, len);
	f[14] = 0x40;
	CHECK_BAD(f, len, DSR_ND_BAD_VERSION);
	d.hop = 64;
	len = mk_nd(f, &d);
	CHECK_BAD(f, len, DSR_ND_BAD_HOP_LIMIT);
	d.hop = 0;
	d.code = 1;
	len = mk_nd(f, &d);
	CHECK_BAD(f, len, DSR_ND_BAD_CODE);
	d.code = 0;
	/* 16 bytes of ICMPv6 (payload length 16). */
	len = mk_nd(f, &d);
	f[19] = 16;
	fix_csum(f);
	CHECK_BAD(f, len, DSR_ND_BAD_LENGTH);
	memcpy(f, g, len);
	f[14 + 40 + 2] ^= 0x01;
	CHECK_BAD(f, len, DSR_ND_BAD_CHECKSUM);
	d.ip_src = "ff02::5";
	len = mk_nd(f, &d);
	CHECK_BAD(f, len, DSR_ND_BAD_SOURCE);
	d.ip_src = "fd00::50";
	/* A multicast target (the Ethernet and IPv6 destinations stay fd00::1's group). */
	len = mk_nd(f, &d);
	memcpy(f + 14 + 40 + 8, ip6("ff02::1"), 16);
	fix_csum(f);
	CHECK_BAD(f, len, DSR_ND_BAD_TARGET);
	/* Options: length 0; past the end; a link-layer option of 16 bytes. */
	len = mk_nd(f, &d);
	f[14 + 40 + 25] = 0;
	fix_csum(f);
	CHECK_BAD(f, len, DSR_ND_BAD_OPTION);
	f[14 + 40 + 25] = 2;
	fix_csum(f);
	CHECK_BAD(f, len, DSR_ND_BAD_OPTION);
	f[19] = 40; /* 16 bytes of option within the payload */
	fix_csum(f);
	CHECK_BAD(f, len + 8, DSR_ND_BAD_OPTION);
	f[14 + 40 + 25] = 1;
	f[19] = 25; /* one byte of option */
	fix_csum(f);
	CHECK_BAD(f, len, DSR_ND_BAD_OPTION);
	/* A DAD probe to fd00::1 itself, and one with a source link-layer option. */
	d.ip_src = "::";
	d.ip_dst = "fd00::1";
	d.dst = P0MAC;
	d.opt = 0;
	len = mk_nd(f, &d);
	CHECK_BAD(f, len, DSR_ND_BAD_DAD_DST);
	d.ip_dst = sn_of("fd00::1");
	d.dst = m;
	d.opt = 1;
	len = mk_nd(f, &d);
	CHECK_BAD(f, len, DSR_ND_BAD_DAD_OPTION);
	d.ip_src = "fd00::50";
	/* NA from ::; NA to a multicast address with S. */
	na.ip_src = "::";
	len = mk_nd(f, &na);
	CHECK_BAD(f, len, DSR_ND_BAD_NA_SOURCE);
	na.ip_src = "fd00::50";
	na.ip_dst = "ff02::1";
	na.dst = ALLNODES_MAC;
	len = mk_nd(f, &na);
	CHECK_BAD(f, len, DSR_ND_BAD_NA_SOLICITED);
	/* Sender MACs: a multicast option, a zero Ethernet source, a multicast one. */
	d.opt_mac = BCAST;
	len = mk_nd(f, &d);
	CHECK_BAD(f, len, DSR_ND_BAD_SENDER_MAC);
	d.opt_mac = HOST6_MAC;
	d.src = ZERO;
	len = mk_nd(f, &d);
	CHECK_BAD(f, len, DSR_ND_BAD_SENDER_MAC);
	d.opt = 0;
	d.src = ALLNODES_MAC;
	len = mk_nd(f, &d);
	CHECK_BAD(f, len, DSR_ND_BAD_SENDER_MAC);
	d.src = HOST6_MAC;
	d.opt = 1;
	/* Ethernet multicast that is not the IPv6 destination's group; broadcast. */
	d.dst = ALLNODES_MAC;
	len = mk_nd(f, &d);
	CHECK_BAD(f, len, DSR_ND_BAD_DST);
	d.dst = BCAST;
	len = mk_nd(f, &d);
	CHECK_BAD(f, len, DSR_ND_BAD_DST);
	d.dst = m;
	/* RS, RA, redirect: counted and ignored. */
	d.type = 133;
	len = mk_nd(f, &d);
	CHECK_BAD(f, len, DSR_ND_OTHER_TYPE);
	d.type = 134;
	len = mk_nd(f, &d);
	CHECK_BAD(f, len, DSR_ND_OTHER_TYPE);
	d.type = 137;
	len = mk_nd(f, &d);
	CHECK_BAD(f, len, DSR_ND_OTHER_TYPE);
	/* Not ND: echo request, UDP, ARP, too short to tell, no frame. */
	d.type = 128;
	len = mk_nd(f, &d);
	CHECK_NOT_ND(f, len);
	d.type = NS;
	len = mk_nd(f, &d);
	f[14 + 6] = 17;
	CHECK_NOT_ND(f, len);
	f[14 + 6] = 58;
	CHECK_NOT_ND(f, 14 + 40);
	CHECK_NOT_ND(f, 10);
	CHECK_NOT_ND(f, 16);
	f[12] = 0x08;
	f[13] = 0x06;
	CHECK_NOT_ND(f, len);
	dsr_nd_input(nd, 0, NULL, 60, 100);
	dsr_nd_input(nd, DSR_MAX_PORTS, g, len, 100);
	CHECK_EQ(dsr_nd_counter(nd, 0, DSR_ND_RX), 25);
	/* The good one still answered, and nothing else was. */
	clear_out();
	nd_in(0, g, len, 200);
	CHECK_EQ(n_tx, 1);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_ANSWERED), 1);
	CHECK_EQ(n_log, 0);
	nd_teardown();
}

static void
test_own_mac(void)
{
	struct dsr_nd_params p = nd_params(0, 0);
	uint8_t f[128];
	uint32_t len;

	nd_setup(&p, false, 0);
	/* Our own announcement and probe, looped back: not a conflict. */
	len = mk_our_announce(f, 0, "fd00::1", -1);
	nd_in(0, f, len, 10);
	len = mk_our_probe(f, 1, "fd00:1::1");
	nd_in(0, f, len, 10);
	nd_in(1, f, len, 10);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(n_log, 0);
	CHECK_EQ(ncnt(0, DSR_ND_RX), 2);
	CHECK_EQ(ncnt(0, DSR_ND_CONFLICT_USING) + ncnt(1, DSR_ND_CONFLICT_PROBE), 0);
	nd_teardown();
}

static void
test_conflict_using(void)
{
	struct dsr_nd_params p = nd_params(0, 0);
	const struct dsr_conflict *c;
	uint8_t f[128], w[128];
	uint32_t len, wlen;
	unsigned int n;

	nd_setup(&p, false, 0);
	len = mk_unsol_na(f, OTHER_MAC, "fd00:100::100");
	nd_in(0, f, len, 5000);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: MAC address 00:13:d4:59:7a:da is using our IP address fd00:100::100");
	CHECK_EQ(n_tx, 1);
	wlen = hex(w, ANN_VIP_P0);
	CHECK_TX(0, 0, w, wlen);
	CHECK_EQ(ncnt(0, DSR_ND_CONFLICT_USING), 1);
	CHECK_EQ(ncnt(0, DSR_ND_DEFENDED), 1);
	CHECK_EQ(ncnt(0, DSR_ND_REPLIES_IGNORED), 1);
	CHECK_EQ(ncnt(0, DSR_ND_ANNOUNCE_SENT), 0);

	/* Within 10 s: counted only. */
	clear_out();
	nd_in(0, f, len, 14999);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(n_log, 0);
	CHECK_EQ(ncnt(0, DSR_ND_CONFLICT_USING), 2);
	CHECK_EQ(ncnt(0, DSR_ND_DEFENDED), 1);

	/* 10 s after: logged and defended again. */
	dsr_nd_tick(nd, 15000);
	nd_in(0, f, len, 15000);
	CHECK_EQ(n_log, 1);
	CHECK_EQ(n_tx, 1);
	CHECK_EQ(ncnt(0, DSR_ND_DEFENDED), 2);

	c = dsr_nd_conflicts(nd, &n);
	CHECK_EQ(n, 1);
	CHECK(memcmp(c[0].ip, ip6("fd00:100::100"), 16) == 0);
	CHECK(memcmp(c[0].mac, OTHER_MAC, 6) == 0);
	CHECK_EQ(c[0].port, 0);
	CHECK_EQ(c[0].kind, DSR_CONFLICT_USING);
	CHECK_EQ(c[0].first_ms, 5000);
	CHECK_EQ(c[0].last_ms, 15000);
	CHECK_EQ(c[0].count, 3);

	/* An NS from our port address by another MAC: "using", defended, and answered. */
	clear_out();
	{
		uint8_t m[6];
		struct ndf d = {.src = OTHER_MAC,
				.tci = -1,
				.ip_src = "fd00::1",
				.ip_dst = sn_of("fd00::100"),
				.type = NS,
				.target = "fd00::100",
				.opt = 1,
				.opt_mac = OTHER_MAC};

		sn_mac("fd00::100", m);
		d.dst = m;
		len = mk_nd(f, &d);
	}
	nd_in(0, f, len, 16000);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: MAC address 00:13:d4:59:7a:da is using our IP address fd00::1");
	CHECK_EQ(n_tx, 2);
	wlen = mk_our_announce(w, 0, "fd00::1", -1);
	CHECK_TX(0, 0, w, wlen);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_ANSWERED), 1);
	c = dsr_nd_conflicts(nd, &n);
	CHECK_EQ(n, 2);

	/* The same on port 1: its own row and limits; a VIP port 1 does not serve: nothing. */
	clear_out();
	len = mk_unsol_na(f, OTHER_MAC, "fd00:100::100");
	nd_in(1, f, len, 16000);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 1: MAC address 00:13:d4:59:7a:da is using our IP address fd00:100::100");
	CHECK_EQ(ncnt(1, DSR_ND_DEFENDED), 1);
	clear_out();
	len = mk_unsol_na(f, OTHER_MAC, "fd00::100");
	nd_in(1, f, len, 16000);
	CHECK_EQ(n_log + n_tx, 0);
	CHECK_EQ(ncnt(1, DSR_ND_CONFLICT_USING), 1);
	CHECK_EQ(dsr_nd_take_changed(nd), false);
	nd_teardown();
}

static void
test_conflict_probe(void)
{
	struct dsr_nd_params p = nd_params(0, 0);
	const struct dsr_conflict *c;
	uint8_t f[128], w[128];
	uint32_t len, wlen, i;
	unsigned int n;

	nd_setup(&p, false, 0);
	len = mk_probe(f, PROBER_MAC, "fd00:100::100", -1);
	nd_in(0, f, len, 1000);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: MAC address 1c:c1:de:b4:76:60 probed for our IP address fd00:100::100");
	/* Answered to all-nodes (RFC 4861 7.2.4): our announcement's bytes. */
	CHECK_EQ(n_tx, 1);
	wlen = hex(w, ANN_VIP_P0);
	CHECK_TX(0, 0, w, wlen);
	CHECK_EQ(ncnt(0, DSR_ND_CONFLICT_PROBE), 1);
	CHECK_EQ(ncnt(0, DSR_ND_PROBES_ANSWERED), 1);
	CHECK_EQ(ncnt(0, DSR_ND_DEFENDED), 0);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_ANSWERED), 0);

	/* Up to 10 answers a second; the log once per 10 s. */
	clear_out();
	for (i = 0; i < 10; i++)
		nd_in(0, f, len, 1500);
	CHECK_EQ(n_tx, 9);
	CHECK_EQ(n_log, 0);
	CHECK_EQ(ncnt(0, DSR_ND_PROBES_ANSWERED), 10);
	CHECK_EQ(ncnt(0, DSR_ND_PROBES_LIMITED), 1);
	clear_out();
	nd_in(0, f, len, 2000);
	CHECK_EQ(n_tx, 1);
	CHECK_EQ(n_log, 0);
	dsr_nd_tick(nd, 11000);
	nd_in(0, f, len, 11000);
	CHECK_EQ(n_log, 1);

	/* Tagged: answered in the VLAN. */
	clear_out();
	len = mk_probe(f, PROBER_MAC, "fd00::1", 9);
	nd_in(0, f, len, 11000);
	wlen = mk_our_announce(w, 0, "fd00::1", 9);
	CHECK_EQ(wlen, DSR_ND_FRAME_LEN + 4);
	CHECK_TX(0, 0, w, wlen);
	c = dsr_nd_conflicts(nd, &n);
	CHECK_EQ(n, 2);
	CHECK_EQ(c[0].kind, DSR_CONFLICT_PROBE);
	CHECK_EQ(c[0].count, 13);
	CHECK_STR(dsr_arp_conflict_kind_name((enum dsr_arp_conflict_kind)c[0].kind), "probe");

	/* A probe for an address that is not ours. */
	clear_out();
	len = mk_probe(f, PROBER_MAC, "fd00::77", -1);
	nd_in(0, f, len, 11000);
	CHECK_EQ(n_tx + n_log, 0);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_IGNORED), 1);
	nd_teardown();
}

static void
test_dad_conflict(void)
{
	struct dsr_nd_params p = nd_params(1, 1);
	struct dsr_nd_addr_info ai;
	uint8_t f[128], w[128];
	uint32_t len;

	nd_setup(&p, false, 0);
	dsr_nd_tick(nd, 0);
	clear_out();
	/* Someone has fd00::1 already: logged, loudly; not defended while tentative. */
	len = mk_unsol_na(f, OTHER_MAC, "fd00::1");
	nd_in(0, f, len, 300);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(n_log, 2);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: MAC address 00:13:d4:59:7a:da is using our IP address fd00::1");
	CHECK_LOG(1, DSR_LOG_ERR,
		  "port 0: duplicate address detection failed for our IP address fd00::1 (MAC "
		  "address 00:13:d4:59:7a:da has it); dsrlb uses it anyway");
	CHECK_EQ(ncnt(0, DSR_ND_DAD_FAILED), 1);
	CHECK_EQ(ncnt(0, DSR_ND_DEFENDED), 0);
	/* Someone probes for fd00::100 at the same time: logged, not answered. */
	clear_out();
	len = mk_probe(f, PROBER_MAC, "fd00::100", -1);
	nd_in(0, f, len, 400);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(n_log, 2);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: MAC address 1c:c1:de:b4:76:60 probed for our IP address fd00::100");
	CHECK_EQ(ncnt(0, DSR_ND_DAD_FAILED), 2);
	CHECK_EQ(ncnt(0, DSR_ND_PROBES_ANSWERED), 0);
	/* A second one for the same address: no second error line. */
	clear_out();
	len = mk_unsol_na(f, OTHER_MAC, "fd00::100");
	nd_in(0, f, len, 500);
	CHECK_EQ(n_log, 1);
	CHECK_EQ(ncnt(0, DSR_ND_DAD_FAILED), 2);
	CHECK(dsr_nd_addr_get(nd, 0, &ai));
	CHECK_EQ(ai.duplicate, 1);
	CHECK_EQ(ai.state, DSR_ND_TENTATIVE);

	/* DAD ends: used anyway, announced (which claims it). */
	clear_out();
	dsr_nd_tick(nd, 1000);
	CHECK(dsr_nd_addr_get(nd, 0, &ai));
	CHECK_EQ(ai.state, DSR_ND_PREFERRED);
	len = mk_our_announce(w, 0, "fd00::1", -1);
	CHECK_TX_ANY(0, w, len);
	CHECK_EQ(ncnt(0, DSR_ND_ANNOUNCE_SENT), 3);
	/* And defended from now on (the log limit of "using" still runs). */
	clear_out();
	len = mk_unsol_na(f, OTHER_MAC, "fd00::1");
	nd_in(0, f, len, 1100);
	CHECK_EQ(n_tx, 1);
	CHECK_EQ(n_log, 0);
	CHECK_EQ(ncnt(0, DSR_ND_DEFENDED), 1);
	nd_teardown();
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_params),         DSR_TEST(test_dad_then_announce),
		DSR_TEST(test_responder),      DSR_TEST(test_malformed),
		DSR_TEST(test_own_mac),        DSR_TEST(test_conflict_using),
		DSR_TEST(test_conflict_probe), DSR_TEST(test_dad_conflict),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
