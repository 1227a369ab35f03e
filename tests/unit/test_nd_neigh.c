/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/nd, part 2: backend resolution by Neighbor
 * Solicitation on a fake clock. Solicitations (exact bytes), learning
 * from answers to our own NS only, refresh, FAILED and recovery, a claim
 * by another MAC with the unicast confirmation, resolution waiting for
 * the source address's DAD, and neighbours across a reconfigure. Also
 * the conflict table when full, and the multicast MACs a port accepts.
 */
#include "test_nd_util.h"

static const uint8_t BK_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x21}; /* fd00::21 */

/* scapy: Ether(dst='33:33:ff:00:00:21', src=P0)/IPv6(src='fd00::1', dst='ff02::1:ff00:21',
 * hlim=255)/ICMPv6ND_NS(tgt='fd00::21')/ICMPv6NDOptSrcLLAddr(P0) */
static const char NS_FD00_21[] = "3333ff000021 020000000001 86dd"
				 "6000000000203aff fd000000000000000000000000000001"
				 "ff0200000000000000000001ff000021"
				 "87007d5900000000 fd000000000000000000000000000021"
				 "0101020000000001";

/* fd00::21's answer to port 0's NS, from mac; with a target option if opt. */
static void
answer_21(const uint8_t *mac, bool opt, uint32_t now_ms)
{
	struct ndf d = {.dst = P0MAC,
			.src = mac,
			.tci = -1,
			.ip_src = "fd00::21",
			.ip_dst = "fd00::1",
			.type = NA,
			.flags = F_S | F_O,
			.target = "fd00::21",
			.opt = opt ? 2 : 0,
			.opt_mac = mac};
	uint8_t f[128];
	uint32_t len = mk_nd(f, &d);

	nd_in(0, f, len, now_ms);
}

static void
check_lookup(const char *ip, enum dsr_mac_lookup want, const uint8_t *want_mac, int line)
{
	uint8_t mac[6] = {0};
	enum dsr_mac_lookup r = dsr_nd_lookup(nd, ip6(ip), mac);

	if (r != want || (dsr_mac_lookup_has_mac(want) && memcmp(mac, want_mac, 6) != 0)) {
		fprintf(stderr, "%s:%d: lookup %s: %d %02x:..:%02x, want %d\n", __FILE__, line, ip,
			r, mac[0], mac[5], want);
		dsr_test_failures++;
	}
}

#define CHECK_LOOKUP(ip, want, mac) check_lookup(ip, want, mac, __LINE__)

static void
test_requests_and_fail(void)
{
	struct dsr_nd_params p = nd_params(0, 0);
	const struct dsr_nd_neigh *t;
	uint8_t w[128];
	uint32_t len;
	unsigned int n;

	nd_setup(&p, true, 0);
	t = dsr_nd_neighbours(nd, &n);
	CHECK_EQ(n, 2); /* fd00::21 listed twice: one neighbour */
	CHECK(t != NULL && memcmp(t[0].ip, ip6("fd00::21"), 16) == 0);
	CHECK(nd_neigh_of("fd00::21")->port == 0);
	CHECK(nd_neigh_of("fd00:1::50")->port == 1);
	CHECK_LOOKUP("fd00::21", DSR_MAC_PENDING, NULL);
	CHECK_LOOKUP("fd00::99", DSR_MAC_PENDING, NULL);

	dsr_nd_tick(nd, 0);
	CHECK_EQ(n_tx, 2);
	len = hex(w, NS_FD00_21);
	CHECK_TX_ANY(0, w, len);
	CHECK_EQ(t_csum(w + 14, w + 54, 32), 0);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_SENT), 1);
	CHECK_EQ(ncnt(1, DSR_ND_REQ_SENT), 1);
	/* A second apart, three in all; then FAILED. */
	clear_out();
	dsr_nd_tick(nd, 999);
	CHECK_EQ(n_tx, 0);
	dsr_nd_tick(nd, 1000);
	dsr_nd_tick(nd, 2000);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_SENT), 3);
	CHECK_EQ(dsr_nd_take_changed(nd), false);
	clear_out();
	dsr_nd_tick(nd, 3000);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.state, DSR_NEIGH_FAILED);
	CHECK_LOOKUP("fd00::21", DSR_MAC_NEVER, NULL);
	CHECK_EQ(dsr_nd_take_changed(nd), true);
	CHECK_EQ(dsr_nd_take_changed(nd), false);
	CHECK_EQ(n_log, 2);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: backend fd00::21 does not answer neighbor solicitations (3 tries); no "
		  "new flows go to it");
	/* FAILED: asked every 5 s; the next answer is taken. */
	clear_out();
	dsr_nd_tick(nd, 7999);
	CHECK_EQ(n_tx, 0);
	dsr_nd_tick(nd, 8000);
	CHECK_EQ(n_tx, 2);
	answer_21(BK_MAC, true, 8001);
	CHECK_LOOKUP("fd00::21", DSR_MAC_OK, BK_MAC);
	CHECK_EQ(ncnt(0, DSR_ND_REPLIES_LEARNED), 1);
	CHECK_EQ(dsr_nd_take_changed(nd), true);
	CHECK_LOG(0, DSR_LOG_INFO, "port 0: backend fd00::21 is at 02:00:00:00:00:21");
	nd_teardown();
}

static void
test_learn_only_ours(void)
{
	struct dsr_nd_params p = nd_params(0, 0);
	uint8_t f[128];
	uint32_t len;

	nd_setup(&p, true, 0);
	/* Before any NS: not learned. */
	answer_21(BK_MAC, true, 0);
	CHECK_LOOKUP("fd00::21", DSR_MAC_PENDING, NULL);
	CHECK_EQ(ncnt(0, DSR_ND_REPLIES_IGNORED), 1);
	dsr_nd_tick(nd, 0);
	/* Unsolicited (to all-nodes, S clear), to another address, on the wrong port. */
	len = mk_unsol_na(f, BK_MAC, "fd00::21");
	nd_in(0, f, len, 10);
	{
		struct ndf d = {.dst = P0MAC,
				.src = BK_MAC,
				.tci = -1,
				.ip_src = "fd00::21",
				.ip_dst = "fd00::100",
				.type = NA,
				.flags = F_S,
				.target = "fd00::21",
				.opt = 2,
				.opt_mac = BK_MAC};

		len = mk_nd(f, &d);
		nd_in(0, f, len, 10);
		d.ip_dst = "fd00::1";
		d.flags = 0; /* not solicited */
		len = mk_nd(f, &d);
		nd_in(0, f, len, 10);
		d.flags = F_S;
		len = mk_nd(f, &d);
		nd_in(1, f, len, 10);
	}
	CHECK_LOOKUP("fd00::21", DSR_MAC_PENDING, NULL);
	CHECK_EQ(ncnt(0, DSR_ND_REPLIES_IGNORED), 4);
	CHECK_EQ(ncnt(1, DSR_ND_REPLIES_IGNORED), 1);
	CHECK_EQ(dsr_nd_take_changed(nd), false);
	/* The answer, without a target option (Linux's to a unicast NS): the Ethernet source. */
	answer_21(BK_MAC, false, 20);
	CHECK_LOOKUP("fd00::21", DSR_MAC_OK, BK_MAC);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.state, DSR_NEIGH_REACHABLE);
	CHECK_EQ(dsr_nd_take_changed(nd), true);
	/* Once REACHABLE, a repeat is not learned again. */
	answer_21(BK_MAC, true, 30);
	CHECK_EQ(ncnt(0, DSR_ND_REPLIES_LEARNED), 1);
	CHECK_EQ(dsr_nd_take_changed(nd), false);
	nd_teardown();
}

static void
test_refresh(void)
{
	struct dsr_nd_params p = nd_params(0, 0);

	nd_setup(&p, true, 0);
	dsr_nd_tick(nd, 0);
	answer_21(BK_MAC, true, 100);
	clear_out();
	/* Refresh 60 s, starting 3 tries (3 s) early. */
	dsr_nd_tick(nd, 57099);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.state, DSR_NEIGH_REACHABLE);
	dsr_nd_tick(nd, 57100);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.state, DSR_NEIGH_REFRESHING);
	CHECK_LOOKUP("fd00::21", DSR_MAC_OK, BK_MAC);
	answer_21(BK_MAC, true, 57200);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.state, DSR_NEIGH_REACHABLE);
	CHECK_EQ(dsr_nd_take_changed(nd), true); /* the first learning */
	/* Unanswered: FAILED within 60 s of the last confirmation, the MAC kept (LOST). */
	dsr_nd_tick(nd, 114200);
	dsr_nd_tick(nd, 115200);
	dsr_nd_tick(nd, 116200);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.state, DSR_NEIGH_REFRESHING);
	CHECK_LOOKUP("fd00::21", DSR_MAC_OK, BK_MAC);
	dsr_nd_take_changed(nd); /* fd00:1::50, never answering, failed meanwhile */
	dsr_nd_tick(nd, 117200);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.state, DSR_NEIGH_FAILED);
	CHECK_LOOKUP("fd00::21", DSR_MAC_LOST, BK_MAC);
	CHECK_EQ(dsr_nd_take_changed(nd), true);
	/* It answers again. */
	clear_out();
	dsr_nd_tick(nd, 122200);
	answer_21(BK_MAC, true, 122300);
	CHECK_LOOKUP("fd00::21", DSR_MAC_OK, BK_MAC);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_INFO,
		  "port 0: backend fd00::21 answers neighbor solicitations again at "
		  "02:00:00:00:00:21");
	nd_teardown();
}

static void
test_claim(void)
{
	struct dsr_nd_params p = nd_params(0, 0);
	const struct dsr_conflict *c;
	uint8_t w[128];
	uint32_t len;
	unsigned int n;

	nd_setup(&p, true, 0);
	dsr_nd_tick(nd, 0);
	answer_21(BK_MAC, true, 100);
	dsr_nd_take_changed(nd);
	/* Another MAC answers while REACHABLE: a claim, never learned. */
	clear_out();
	answer_21(OTHER_MAC, true, 200);
	CHECK_LOOKUP("fd00::21", DSR_MAC_OK, BK_MAC);
	CHECK_EQ(ncnt(0, DSR_ND_CONFLICT_BACKEND), 1);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: MAC address 00:13:d4:59:7a:da claims backend address fd00::21 (known "
		  "at 02:00:00:00:00:21)");
	c = dsr_nd_conflicts(nd, &n);
	CHECK_EQ(n, 1);
	CHECK_EQ(c[0].kind, DSR_CONFLICT_BACKEND);
	answer_21(OTHER_MAC, true, 300);
	CHECK_EQ(n_log, 1); /* once per 10 s */
	CHECK_EQ(n_tx, 0);

	/* It answers our refresh: the known MAC is confirmed by unicast NS (PROBING). */
	dsr_nd_tick(nd, 57100);
	clear_out();
	answer_21(OTHER_MAC, true, 57150);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.state, DSR_NEIGH_PROBING);
	CHECK_EQ(n_tx, 1);
	{
		struct ndf d = {.dst = BK_MAC,
				.src = P0MAC,
				.tci = -1,
				.ip_src = "fd00::1",
				.ip_dst = "fd00::21",
				.type = NS,
				.target = "fd00::21",
				.opt = 1,
				.opt_mac = P0MAC};

		len = mk_nd(w, &d);
		CHECK_TX(0, 0, w, len);
	}
	/* The known MAC answers: REACHABLE, nothing changed. */
	answer_21(BK_MAC, false, 57200);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.state, DSR_NEIGH_REACHABLE);
	CHECK_LOOKUP("fd00::21", DSR_MAC_OK, BK_MAC);
	CHECK_EQ(dsr_nd_take_changed(nd), false);

	/*
	 * Next refresh: claimed again, and the known MAC is silent: asked
	 * again, but the claimant was disproven at 57200 (the known MAC
	 * answered its claim): not taken for two refresh periods, then taken.
	 */
	dsr_nd_tick(nd, 114200);
	answer_21(OTHER_MAC, true, 114250);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.state, DSR_NEIGH_PROBING);
	dsr_nd_tick(nd, 115250);
	dsr_nd_tick(nd, 116250);
	clear_out();
	dsr_nd_tick(nd, 117250);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.state, DSR_NEIGH_REFRESHING);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.relearn, 1);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: backend fd00::21 does not answer at 02:00:00:00:00:21 any more (3 "
		  "tries); asking who has it");
	len = hex(w, NS_FD00_21);
	CHECK_TX(0, 0, w, len);
	answer_21(OTHER_MAC, true, 117300);
	CHECK_LOOKUP("fd00::21", DSR_MAC_OK, BK_MAC);
	dsr_nd_tick(nd, 57200 + 120000); /* the relearn's next NS, the window over */
	dsr_nd_take_changed(nd);
	clear_out();
	answer_21(OTHER_MAC, true, 57200 + 120050);
	CHECK_LOOKUP("fd00::21", DSR_MAC_OK, OTHER_MAC);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: backend fd00::21 changed MAC from 02:00:00:00:00:21 to "
		  "00:13:d4:59:7a:da");
	CHECK_EQ(dsr_nd_take_changed(nd), true);
	nd_teardown();
}

/* A claim answering our refresh while the port's new address is in DAD: confirmed after it. */
static void
test_claim_source_in_dad(void)
{
	struct dsr_nd_params p = nd_params(0, 1);
	struct ndf d = {.dst = P0MAC,
			.src = OTHER_MAC,
			.tci = -1,
			.ip_src = "fd00::21",
			.ip_dst = "fd00::3",
			.type = NA,
			.flags = F_S | F_O,
			.target = "fd00::21",
			.opt = 2,
			.opt_mac = OTHER_MAC};
	uint8_t f[128], w[128];
	uint32_t len;

	nd_setup(&p, true, 0);
	dsr_nd_tick(nd, 0);
	dsr_nd_tick(nd, 1000);
	answer_21(BK_MAC, true, 1100);
	dsr_nd_tick(nd, 58100);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.state, DSR_NEIGH_REFRESHING);
	/* Port 0's address changes: the new one is tentative. */
	memcpy(nd_addrs[0].ip, ip6("fd00::3"), 16);
	CHECK_EQ(nd_reconfigure(NULL, 58200), 0);
	clear_out();
	len = mk_nd(f, &d);
	nd_in(0, f, len, 58200);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.state, DSR_NEIGH_PROBING);
	CHECK_EQ(n_tx, 0);
	dsr_nd_tick(nd, 58200);
	CHECK_EQ(n_tx, 1); /* the DAD probe of fd00::3 only */
	len = mk_our_probe(w, 0, "fd00::3");
	CHECK_TX(0, 0, w, len);
	clear_out();
	dsr_nd_tick(nd, 59200);
	{
		struct ndf ns = {.dst = BK_MAC,
				 .src = P0MAC,
				 .tci = -1,
				 .ip_src = "fd00::3",
				 .ip_dst = "fd00::21",
				 .type = NS,
				 .target = "fd00::21",
				 .opt = 1,
				 .opt_mac = P0MAC};

		len = mk_nd(w, &ns);
		CHECK_TX_ANY(0, w, len);
	}
	CHECK_LOOKUP("fd00::21", DSR_MAC_OK, BK_MAC);
	nd_teardown();
}

static void
test_waits_for_dad(void)
{
	struct dsr_nd_params p = nd_params(0, 1);
	uint32_t len;
	uint8_t w[128];

	nd_setup(&p, true, 0);
	dsr_nd_tick(nd, 0);
	/* Only DAD probes: the port addresses are tentative, no source for an NS. */
	CHECK_EQ(n_tx, 5);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_SENT), 0);
	dsr_nd_tick(nd, 500);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_SENT), 0);
	clear_out();
	dsr_nd_tick(nd, 1000);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_SENT), 1);
	CHECK_EQ(ncnt(1, DSR_ND_REQ_SENT), 1);
	len = hex(w, NS_FD00_21);
	CHECK_TX_ANY(0, w, len);
	nd_teardown();
}

static void
test_reconfigure(void)
{
	struct dsr_nd_params p = nd_params(0, 0);
	const struct dsr_nd_neigh *t;
	unsigned int n;
	uint8_t f[128];
	uint32_t len;

	nd_setup(&p, true, 0);
	dsr_nd_tick(nd, 0);
	answer_21(BK_MAC, true, 100);
	dsr_nd_take_changed(nd);
	/* fd00:1::50 goes, fd00::22 comes; fd00::21 keeps its MAC and state. */
	n_nd_backends = 0;
	add_backend(0, "fd00::22");
	add_backend(0, "fd00::21");
	add_backend(0, "fd00::1"); /* our port address: no neighbour */
	clear_out();
	CHECK_EQ(nd_reconfigure(NULL, 200), 0);
	t = dsr_nd_neighbours(nd, &n);
	CHECK_EQ(n, 2);
	CHECK(memcmp(t[0].ip, ip6("fd00::21"), 16) == 0);
	CHECK(memcmp(t[1].ip, ip6("fd00::22"), 16) == 0);
	CHECK_LOOKUP("fd00::21", DSR_MAC_OK, BK_MAC);
	CHECK_EQ(nd_neigh_of("fd00::21")->sm.state, DSR_NEIGH_REACHABLE);
	CHECK_EQ(nd_neigh_of("fd00::22")->sm.state, DSR_NEIGH_INCOMPLETE);
	CHECK_EQ(dsr_nd_take_changed(nd), false); /* fd00:1::50 had no MAC */
	dsr_nd_tick(nd, 200);
	CHECK_EQ(n_tx, 1);
	/* fd00::21 moves to port 1: a new neighbour there, its lookup changes. */
	n_nd_backends = 0;
	add_backend(1, "fd00::21");
	CHECK_EQ(nd_reconfigure(NULL, 300), 0);
	CHECK_LOOKUP("fd00::21", DSR_MAC_PENDING, NULL);
	CHECK_EQ(dsr_nd_take_changed(nd), true);
	/* A removed address is not ours any more. */
	n_nd_addrs = 2;
	CHECK_EQ(nd_reconfigure(NULL, 400), 0);
	clear_out();
	len = mk_ns(f, "fd00::100");
	nd_in(0, f, len, 500);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(ncnt(0, DSR_ND_REQ_IGNORED), 1);
	nd_teardown();
}

static void
test_conflict_table_full(void)
{
	struct dsr_nd_params p = nd_params(0, 0);
	static const uint8_t m1[6] = {2, 0, 0, 0, 0xe, 1}, m2[6] = {2, 0, 0, 0, 0xe, 2},
			     m3[6] = {2, 0, 0, 0, 0xe, 3};
	const struct dsr_conflict *c;
	uint8_t f[128];
	uint32_t len;
	unsigned int n;

	p.arp.conflicts_max = 2;
	nd_setup(&p, false, 0);
	len = mk_probe(f, m1, "fd00::1", -1);
	nd_in(0, f, len, 1);
	len = mk_probe(f, m2, "fd00::1", -1);
	nd_in(0, f, len, 2);
	CHECK_EQ(ncnt(0, DSR_ND_CONFLICT_TABLE_FULL), 0);
	len = mk_probe(f, m3, "fd00::1", -1);
	nd_in(0, f, len, 3);
	CHECK_EQ(ncnt(0, DSR_ND_CONFLICT_TABLE_FULL), 1);
	c = dsr_nd_conflicts(nd, &n);
	CHECK_EQ(n, 2);
	CHECK(memcmp(c[0].mac, m2, 6) == 0);
	CHECK(memcmp(c[1].mac, m3, 6) == 0);
	/* Smaller: the newest stays. */
	p.arp.conflicts_max = 1;
	CHECK_EQ(nd_reconfigure(&p, 4), 0);
	c = dsr_nd_conflicts(nd, &n);
	CHECK_EQ(n, 1);
	CHECK(memcmp(c[0].mac, m3, 6) == 0);
	nd_teardown();
}

static void
test_mc_macs(void)
{
	struct dsr_nd_params p = nd_params(0, 1);
	static const uint8_t want0[3][6] = {
		{0x33, 0x33, 0, 0, 0, 1},
		{0x33, 0x33, 0xff, 0, 0, 1},
		{0x33, 0x33, 0xff, 0, 1, 0}, /* fd00::100 and fd00:100::100 share it */
	};
	uint8_t macs[8][6];
	uint8_t sn[16];

	nd_setup(&p, false, 0);
	CHECK_EQ(dsr_nd_mc_macs(nd, 0, macs, 8), 3);
	CHECK(memcmp(macs, want0, sizeof(want0)) == 0);
	CHECK_EQ(dsr_nd_mc_macs(nd, 0, macs, 1), 3);
	CHECK(memcmp(macs[0], want0[0], 6) == 0);
	CHECK_EQ(dsr_nd_mc_macs(nd, 1, macs, 8), 3);
	CHECK_EQ(dsr_nd_mc_macs(nd, 5, macs, 8), 1);
	dsr_nd_solicited_node(ip6("fd00:1::abcd:1234"), sn);
	CHECK(memcmp(sn, ip6("ff02::1:ffcd:1234"), 16) == 0);
	nd_teardown();
}

/*
 * The kernel interface's share of ND (pure): copies of a valid NS for the
 * port's address and of an NA to it; not of DAD probes, of ND about other
 * addresses, of frames from the address itself, or of broken frames. What
 * the kernel sends: its NA dropped, its NS sent, the rest not ND.
 */
static void
test_kernel_copies(void)
{
	static const uint8_t lb_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
	uint8_t f[128], any[16] = {0}, port6[16];
	struct ndf na = {.dst = lb_mac,
			 .src = HOST6_MAC,
			 .tci = -1,
			 .ip_src = "fd00::50",
			 .ip_dst = "fd00::2",
			 .type = NA,
			 .flags = F_S | F_O,
			 .target = "fd00::50",
			 .opt = 2,
			 .opt_mac = HOST6_MAC};
	uint32_t n;

	memcpy(port6, ip6("fd00::2"), 16); /* ip6() reuses its buffer */
	n = mk_ns(f, "fd00::2");
	CHECK_EQ(dsr_nd_kernel_rx(f, n, port6), DSR_ARP_KERNEL_COPY);
	CHECK_EQ(dsr_nd_kernel_rx(f, n, any), DSR_ARP_KERNEL_NONE); /* no IPv6 address */
	CHECK_EQ(dsr_nd_kernel_tx(f, n), DSR_ARP_KERNEL_SEND);
	f[n - 1] ^= 1; /* checksum broken */
	CHECK_EQ(dsr_nd_kernel_rx(f, n, port6), DSR_ARP_KERNEL_NONE);
	n = mk_ns(f, "fd00::3");
	CHECK_EQ(dsr_nd_kernel_rx(f, n, port6), DSR_ARP_KERNEL_NONE);
	n = mk_probe(f, HOST6_MAC, "fd00::2", -1);
	CHECK_EQ(dsr_nd_kernel_rx(f, n, port6), DSR_ARP_KERNEL_NONE);

	n = mk_nd(f, &na);
	CHECK_EQ(dsr_nd_kernel_rx(f, n, port6), DSR_ARP_KERNEL_COPY);
	CHECK_EQ(dsr_nd_kernel_tx(f, n), DSR_ARP_KERNEL_DROP);
	na.ip_dst = "fd00::9";
	n = mk_nd(f, &na);
	CHECK_EQ(dsr_nd_kernel_rx(f, n, port6), DSR_ARP_KERNEL_NONE);
	na.ip_src = "fd00::2"; /* our own */
	na.ip_dst = "fd00::2";
	n = mk_nd(f, &na);
	CHECK_EQ(dsr_nd_kernel_rx(f, n, port6), DSR_ARP_KERNEL_NONE);
	f[12] = 0x08; /* not IPv6 */
	f[13] = 0x00;
	CHECK_EQ(dsr_nd_kernel_tx(f, n), DSR_ARP_KERNEL_NONE);
	CHECK_EQ(dsr_nd_kernel_rx(f, n, port6), DSR_ARP_KERNEL_NONE);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_requests_and_fail),
		DSR_TEST(test_learn_only_ours),
		DSR_TEST(test_refresh),
		DSR_TEST(test_claim),
		DSR_TEST(test_claim_source_in_dad),
		DSR_TEST(test_waits_for_dad),
		DSR_TEST(test_reconfigure),
		DSR_TEST(test_conflict_table_full),
		DSR_TEST(test_mc_macs),
		DSR_TEST(test_kernel_copies),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
