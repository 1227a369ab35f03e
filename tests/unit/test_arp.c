/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/arp, part 1: parameters, the responder (port
 * addresses and VIPs, broadcast and unicast, with and without a VLAN
 * tag), malformed frames, announcements and frames from our own MACs.
 * Duplicate address detection: test_arp_conflict.c; resolution of
 * backends: test_arp_neigh.c.
 */
#include "test_arp_util.h"

static void
test_params(void)
{
	struct dsr_arp_params p, bad;
	struct dsr_arp *a;

	dsr_arp_params_default(&p);
	CHECK_EQ(p.announce_count, 2);
	CHECK_EQ(p.announce_interval_ms, 2000);
	CHECK_EQ(p.refresh_ms, 60000);
	CHECK_EQ(p.retry_ms, 1000);
	CHECK_EQ(p.max_tries, 3);
	CHECK_EQ(p.conflicts_max, DSR_ARP_CONFLICTS_MAX);

	bad = p;
	bad.max_tries = 0;
	CHECK(dsr_arp_create(&bad, tx_cb, log_cb, &txs) == NULL);
	bad = p;
	bad.max_tries = 256;
	CHECK(dsr_arp_create(&bad, tx_cb, log_cb, &txs) == NULL);
	bad = p;
	bad.retry_ms = 0;
	CHECK(dsr_arp_create(&bad, tx_cb, log_cb, &txs) == NULL);
	bad = p;
	bad.refresh_ms = 0;
	CHECK(dsr_arp_create(&bad, tx_cb, log_cb, &txs) == NULL);
	bad = p;
	bad.conflicts_max = 0;
	CHECK(dsr_arp_create(&bad, tx_cb, log_cb, &txs) == NULL);
	a = dsr_arp_create(NULL, NULL, NULL, NULL);
	CHECK(a != NULL);
	dsr_arp_free(a);

	/* A configure with bad params fails and changes nothing. */
	setup(&p, true, 0);
	bad = p;
	bad.retry_ms = 0;
	CHECK_EQ(reconfigure(&bad, 0), -1);
	CHECK_EQ(dsr_arp_configure(arp, conf, &p, port_macs, DSR_MAX_PORTS + 1, 0), -1);
	dsr_arp_tick(arp, 0);
	CHECK_EQ(cnt(0, DSR_ARP_ANNOUNCE_SENT), 3);
	teardown();

	CHECK_STR(dsr_arp_counter_name(DSR_ARP_RX), "rx");
	CHECK_STR(dsr_arp_counter_name(DSR_ARP_BAD_DST), "bad-dst");
	CHECK_STR(dsr_arp_counter_name(DSR_ARP_NCOUNTERS), "?");
	CHECK_STR(dsr_arp_state_name(DSR_NEIGH_INCOMPLETE), "incomplete");
	CHECK_STR(dsr_arp_state_name(DSR_NEIGH_FAILED), "failed");
}

static void
test_reply_port_addr(void)
{
	struct dsr_arp_params p = params_with(0);
	uint8_t f[64], w[64];
	uint32_t len, wlen;

	setup(&p, false, 0);
	/* Broadcast request from 10.0.0.50 for the port address. */
	len = mk_arp(f, BCAST, HOST_MAC, -1, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.1");
	input(0, f, len, 10);
	CHECK_EQ(n_tx, 1);
	wlen = hex(w, "020000000050 020000000001 0806"
		      "0001 0800 06 04 0002 020000000001 0a000001 020000000050 0a000032"
		      "000000000000000000000000000000000000");
	CHECK_EQ(wlen, 60);
	CHECK_TX(0, 0, w, wlen);
	CHECK_EQ(cnt(0, DSR_ARP_RX), 1);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_ANSWERED), 1);
	CHECK_EQ(cnt_all_but_rx(0), 1);
	CHECK_EQ(n_log, 0);

	/* Unicast to the port MAC: the same answer. */
	clear_out();
	len = mk_arp(f, P0MAC, HOST_MAC, -1, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.1");
	input(0, f, len, 20);
	CHECK_TX(0, 0, w, wlen);
	CHECK_EQ(n_tx, 1);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_ANSWERED), 2);

	/* Port 1's address asked on port 0: not ours there. */
	clear_out();
	len = mk_arp(f, BCAST, HOST_MAC, -1, 1, HOST_MAC, "10.0.0.50", ZERO, "192.168.1.1");
	input(0, f, len, 30);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_IGNORED), 1);
	/* Asked on port 1: answered from port 1's MAC. */
	len = mk_arp(f, BCAST, HOST_MAC, -1, 1, HOST_MAC, "192.168.1.9", ZERO, "192.168.1.1");
	input(1, f, len, 30);
	mk_arp(w, HOST_MAC, P1MAC, -1, 2, P1MAC, "192.168.1.1", HOST_MAC, "192.168.1.9");
	CHECK_EQ(n_tx, 1);
	CHECK_TX(0, 1, w, 60);
	CHECK_EQ(cnt(1, DSR_ARP_REQ_ANSWERED), 1);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_ANSWERED), 2);
	teardown();
}

static void
test_reply_vip(void)
{
	struct dsr_arp_params p = params_with(0);
	uint8_t f[64], w[64];
	uint32_t len;

	setup(&p, false, 0);
	/* VIP in no subnet: answered on both ports, broadcast or unicast. */
	len = mk_arp(f, BCAST, HOST_MAC, -1, 1, HOST_MAC, "10.0.0.50", ZERO, "164.152.77.34");
	input(0, f, len, 0);
	len = mk_arp(f, P1MAC, HOST_MAC, -1, 1, HOST_MAC, "192.168.1.9", ZERO, "164.152.77.34");
	input(1, f, len, 0);
	CHECK_EQ(n_tx, 2);
	mk_arp(w, HOST_MAC, P0MAC, -1, 2, P0MAC, "164.152.77.34", HOST_MAC, "10.0.0.50");
	CHECK_TX(0, 0, w, 60);
	mk_arp(w, HOST_MAC, P1MAC, -1, 2, P1MAC, "164.152.77.34", HOST_MAC, "192.168.1.9");
	CHECK_TX(1, 1, w, 60);

	/* VIP in port 0's subnet: port 0 only. */
	clear_out();
	len = mk_arp(f, P0MAC, HOST_MAC, -1, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.100");
	input(0, f, len, 0);
	len = mk_arp(f, BCAST, HOST_MAC, -1, 1, HOST_MAC, "192.168.1.9", ZERO, "10.0.0.100");
	input(1, f, len, 0);
	CHECK_EQ(n_tx, 1);
	mk_arp(w, HOST_MAC, P0MAC, -1, 2, P0MAC, "10.0.0.100", HOST_MAC, "10.0.0.50");
	CHECK_TX(0, 0, w, 60);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_ANSWERED), 2);
	CHECK_EQ(cnt(1, DSR_ARP_REQ_ANSWERED), 1);
	CHECK_EQ(cnt(1, DSR_ARP_REQ_IGNORED), 1);
	teardown();
}

static void
test_reply_vlan(void)
{
	struct dsr_arp_params p = params_with(0);
	uint8_t f[64], w[64];
	uint32_t len, wlen;

	setup(&p, false, 0);
	len = mk_arp(f, BCAST, HOST_MAC, 0x2064, 1, HOST_MAC, "10.0.0.50", ZERO, "164.152.77.34");
	CHECK_EQ(len, 64);
	input(0, f, len, 0);
	wlen = hex(w, "020000000050 020000000001 8100 2064 0806"
		      "0001 0800 06 04 0002 020000000001 a4984d22 020000000050 0a000032"
		      "000000000000000000000000000000000000");
	CHECK_EQ(wlen, 64);
	CHECK_EQ(n_tx, 1);
	CHECK_TX(0, 0, w, wlen);

	/* Tagged unicast for the port address; a frame longer than needed. */
	clear_out();
	len = mk_arp(f, P0MAC, HOST_MAC, 0x0005, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.1");
	input(0, f, len, 0);
	mk_arp(w, HOST_MAC, P0MAC, 0x0005, 2, P0MAC, "10.0.0.1", HOST_MAC, "10.0.0.50");
	CHECK_EQ(n_tx, 1);
	CHECK_TX(0, 0, w, 64);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_ANSWERED), 2);
	CHECK_EQ(cnt(0, DSR_ARP_RX), 2);
	teardown();
}

static void
test_request_not_ours(void)
{
	struct dsr_arp_params p = params_with(0);
	static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	static const uint8_t other[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x77};
	uint8_t f[64];
	uint32_t len;

	setup(&p, false, 0);
	/* Unknown IP. */
	len = mk_arp(f, BCAST, HOST_MAC, -1, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.77");
	input(0, f, len, 0);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_IGNORED), 1);
	/* Gratuitous request of another host for its own address. */
	len = mk_arp(f, BCAST, HOST_MAC, -1, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.50");
	input(0, f, len, 0);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_IGNORED), 2);
	/* Unicast to another MAC for our address. */
	len = mk_arp(f, other, HOST_MAC, -1, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.1");
	input(0, f, len, 0);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_IGNORED), 3);
	/* Multicast Ethernet destination: BAD_DST, even for our address. */
	len = mk_arp(f, mcast, HOST_MAC, -1, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.1");
	input(0, f, len, 0);
	CHECK_EQ(cnt(0, DSR_ARP_BAD_DST), 1);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_IGNORED), 3);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_ANSWERED), 0);
	CHECK_EQ(cnt(0, DSR_ARP_RX), 4);
	CHECK_EQ(cnt_all_but_rx(0), 4);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(n_log, 0);
	teardown();
}

/* Frame f (valid, a request for 10.0.0.1) with byte i set to v: counted as c, nothing sent. */
static void
check_bad(const uint8_t *f, uint32_t len, uint32_t i, uint8_t v, enum dsr_arp_counter c, int line)
{
	uint8_t g[64];
	uint64_t rx = cnt(0, DSR_ARP_RX), all = cnt_all_but_rx(0), before = cnt(0, c);

	memcpy(g, f, len);
	if (i < len)
		g[i] = v;
	input(0, g, len, 0);
	if (cnt(0, DSR_ARP_RX) != rx + 1 || cnt(0, c) != before + 1 ||
	    cnt_all_but_rx(0) != all + 1 || n_tx != 0 || n_log != 0) {
		fprintf(stderr, "%s:%d: bad frame not counted as %s alone, or answered\n", __FILE__,
			line, dsr_arp_counter_name(c));
		dsr_test_failures++;
	}
}

#define CHECK_BAD(f, len, i, v, c) check_bad(f, len, i, v, c, __LINE__)

static void
test_malformed(void)
{
	struct dsr_arp_params p = params_with(0);
	uint8_t f[64], t[64];
	uint32_t len, tlen;

	setup(&p, false, 0);
	len = mk_arp(f, BCAST, HOST_MAC, -1, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.1");
	tlen = mk_arp(t, BCAST, HOST_MAC, 7, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.1");

	/* Truncated: one byte short of Ethernet + ARP, untagged and tagged, and tiny. */
	CHECK_BAD(f, 41, 99, 0, DSR_ARP_BAD_TRUNCATED);
	CHECK_BAD(t, 45, 99, 0, DSR_ARP_BAD_TRUNCATED);
	CHECK_BAD(f, 13, 99, 0, DSR_ARP_BAD_TRUNCATED);
	CHECK_BAD(t, 17, 99, 0, DSR_ARP_BAD_TRUNCATED);
	CHECK_BAD(f, len, 15, 6, DSR_ARP_BAD_HTYPE);
	CHECK_BAD(t, tlen, 18, 1, DSR_ARP_BAD_HTYPE);
	CHECK_BAD(f, len, 16, 0x86, DSR_ARP_BAD_PTYPE);
	CHECK_BAD(f, len, 18, 8, DSR_ARP_BAD_HLEN);
	CHECK_BAD(f, len, 19, 16, DSR_ARP_BAD_PLEN);
	CHECK_BAD(f, len, 21, 3, DSR_ARP_BAD_OP);
	CHECK_BAD(f, len, 20, 1, DSR_ARP_BAD_OP);
	CHECK_BAD(t, tlen, 25, 0, DSR_ARP_BAD_OP);
	CHECK_BAD(f, len, 22, 0x03, DSR_ARP_BAD_SENDER_MAC); /* multicast */
	CHECK_BAD(f, len, 22, 0xff, DSR_ARP_BAD_SENDER_MAC); /* ff:00:00:00:00:50 */
	memset(f + 22, 0xff, 6);                             /* broadcast */
	CHECK_BAD(f, len, 99, 0, DSR_ARP_BAD_SENDER_MAC);
	memset(f + 22, 0, 6); /* zero */
	CHECK_BAD(f, len, 99, 0, DSR_ARP_BAD_SENDER_MAC);

	/* The first reason found counts: htype before op. */
	f[21] = 9;
	CHECK_BAD(f, len, 15, 6, DSR_ARP_BAD_HTYPE);
	CHECK_EQ(cnt(0, DSR_ARP_BAD_OP), 3);

	/* Another ethertype is not an ARP frame: not counted at all. */
	len = mk_arp(f, BCAST, HOST_MAC, -1, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.1");
	f[13] = 0x00;
	input(0, f, len, 0);
	CHECK_EQ(cnt(0, DSR_ARP_RX), 17);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_ANSWERED), 0);
	CHECK_EQ(n_tx, 0);
	teardown();
}

static void
check_announced(uint16_t port, const char *ip, int line)
{
	uint8_t w[64];
	uint32_t len = mk_announce(w, port, ip);

	check_tx_any(port, w, len, line);
}

#define CHECK_ANNOUNCED(port, ip) check_announced(port, ip, __LINE__)

static void
test_announce(void)
{
	struct dsr_arp_params p = params_with(2);
	uint8_t w[64];
	uint32_t t;

	setup(&p, false, 1000);
	CHECK_EQ(n_tx, 0); /* configure only schedules */
	dsr_arp_tick(arp, 1000);
	CHECK_EQ(n_tx, 5);
	CHECK_ANNOUNCED(0, "10.0.0.1");
	CHECK_ANNOUNCED(0, "10.0.0.100");
	CHECK_ANNOUNCED(0, "164.152.77.34");
	CHECK_ANNOUNCED(1, "192.168.1.1");
	CHECK_ANNOUNCED(1, "164.152.77.34");
	hex(w, "ffffffffffff 020000000001 0806"
	       "0001 0800 06 04 0001 020000000001 a4984d22 000000000000 a4984d22"
	       "000000000000000000000000000000000000");
	CHECK_TX_ANY(0, w, 60);

	clear_out();
	dsr_arp_tick(arp, 1000);
	dsr_arp_tick(arp, 2999);
	CHECK_EQ(n_tx, 0);
	dsr_arp_tick(arp, 3000);
	CHECK_EQ(n_tx, 5);
	CHECK_ANNOUNCED(0, "10.0.0.1");
	CHECK_ANNOUNCED(0, "10.0.0.100");
	CHECK_ANNOUNCED(0, "164.152.77.34");
	CHECK_ANNOUNCED(1, "192.168.1.1");
	CHECK_ANNOUNCED(1, "164.152.77.34");
	clear_out();
	for (t = 3000; t <= 20000; t += 500)
		dsr_arp_tick(arp, t);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(cnt(0, DSR_ARP_ANNOUNCE_SENT), 6);
	CHECK_EQ(cnt(1, DSR_ARP_ANNOUNCE_SENT), 4);

	/* The same configuration again: nothing new to announce. */
	CHECK_EQ(reconfigure(&p, 20000), 0);
	for (t = 20000; t <= 30000; t += 500)
		dsr_arp_tick(arp, t);
	CHECK_EQ(n_tx, 0);

	/* New VIPs: announced, twice, on the ports serving them. */
	conf_vip(5, "172.16.5.5", 443, 6);
	conf_vip(6, "192.168.1.200", 443, 6);
	CHECK_EQ(reconfigure(&p, 30000), 0);
	CHECK_EQ(n_tx, 0);
	dsr_arp_tick(arp, 30000);
	CHECK_EQ(n_tx, 3);
	CHECK_ANNOUNCED(0, "172.16.5.5");
	CHECK_ANNOUNCED(1, "172.16.5.5");
	CHECK_ANNOUNCED(1, "192.168.1.200");
	clear_out();
	dsr_arp_tick(arp, 31999);
	CHECK_EQ(n_tx, 0);
	dsr_arp_tick(arp, 32000);
	CHECK_EQ(n_tx, 3);
	CHECK_ANNOUNCED(0, "172.16.5.5");
	CHECK_ANNOUNCED(1, "172.16.5.5");
	CHECK_ANNOUNCED(1, "192.168.1.200");

	/* A VIP removed between its two announcements: the second is not sent. */
	clear_out();
	conf_vip(7, "10.0.0.150", 443, 6);
	CHECK_EQ(reconfigure(&p, 40000), 0);
	dsr_arp_tick(arp, 40000);
	CHECK_EQ(n_tx, 1);
	CHECK_ANNOUNCED(0, "10.0.0.150");
	conf->vips[7].used = false;
	CHECK_EQ(reconfigure(&p, 41000), 0);
	dsr_arp_tick(arp, 42000);
	dsr_arp_tick(arp, 50000);
	CHECK_EQ(n_tx, 1);
	CHECK_EQ(n_log, 0);
	teardown();

	/* announce_count 0: none. */
	p = params_with(0);
	setup(&p, false, 0);
	for (t = 0; t <= 10000; t += 1000)
		dsr_arp_tick(arp, t);
	CHECK_EQ(n_tx, 0);
	teardown();
}

static void
test_own_mac(void)
{
	struct dsr_arp_params p = params_with(0);
	uint8_t f[64];
	uint32_t len;

	setup(&p, true, 0);
	dsr_arp_tick(arp, 0);
	CHECK_EQ(cnt_all_but_rx(0), 1); /* the request for 10.0.0.21 */
	clear_out();
	/* Our own announcement and request looped back, and port 1's frame seen on port 0. */
	len = mk_arp(f, BCAST, P0MAC, -1, 1, P0MAC, "10.0.0.1", ZERO, "10.0.0.1");
	input(0, f, len, 10);
	len = mk_arp(f, BCAST, P0MAC, -1, 1, P0MAC, "10.0.0.1", ZERO, "10.0.0.21");
	input(0, f, len, 10);
	len = mk_arp(f, BCAST, P1MAC, -1, 1, P1MAC, "164.152.77.34", ZERO, "164.152.77.34");
	input(0, f, len, 10);
	len = mk_arp(f, P0MAC, P1MAC, -1, 2, P1MAC, "10.0.0.21", P0MAC, "10.0.0.1");
	input(0, f, len, 10);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(n_log, 0);
	CHECK_EQ(cnt(0, DSR_ARP_RX), 4);
	CHECK_EQ(cnt_all_but_rx(0), 1);
	CHECK_EQ(dsr_arp_take_changed(arp), false);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_INCOMPLETE);
	teardown();
}

/* What the kernel interface gets of ARP, and what of its ARP goes out. */
static void
test_kernel_interface(void)
{
	const uint32_t ip = ip_of("10.0.0.1");
	uint8_t f[128];
	uint16_t len;

	/* A request for the port address, broadcast or unicast, VLAN or not: a copy. */
	len = mk_arp(f, BCAST, HOST_MAC, -1, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.1");
	CHECK_EQ(dsr_arp_kernel_rx(f, len, ip), DSR_ARP_KERNEL_COPY);
	CHECK_EQ(dsr_arp_kernel_rx(f, len, 0), DSR_ARP_KERNEL_NONE);
	CHECK_EQ(dsr_arp_kernel_tx(f, len), DSR_ARP_KERNEL_SEND);
	len = mk_arp(f, P0MAC, HOST_MAC, 7, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.1");
	CHECK_EQ(dsr_arp_kernel_rx(f, len, ip), DSR_ARP_KERNEL_COPY);
	/* A reply to the kernel's request: a copy. */
	len = mk_arp(f, P0MAC, HOST_MAC, -1, 2, HOST_MAC, "10.0.0.50", P0MAC, "10.0.0.1");
	CHECK_EQ(dsr_arp_kernel_rx(f, len, ip), DSR_ARP_KERNEL_COPY);
	CHECK_EQ(dsr_arp_kernel_tx(f, len), DSR_ARP_KERNEL_DROP);
	/* For another address (a VIP, a backend), a probe (sender 0), a gratuitous ARP. */
	len = mk_arp(f, BCAST, HOST_MAC, -1, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.100");
	CHECK_EQ(dsr_arp_kernel_rx(f, len, ip), DSR_ARP_KERNEL_NONE);
	len = mk_arp(f, BCAST, HOST_MAC, -1, 1, HOST_MAC, "0.0.0.0", ZERO, "10.0.0.1");
	CHECK_EQ(dsr_arp_kernel_rx(f, len, ip), DSR_ARP_KERNEL_NONE);
	len = mk_arp(f, BCAST, OTHER_MAC, -1, 1, OTHER_MAC, "10.0.0.1", ZERO, "10.0.0.1");
	CHECK_EQ(dsr_arp_kernel_rx(f, len, ip), DSR_ARP_KERNEL_NONE);
	/* Malformed or not ARP at all. */
	len = mk_arp(f, BCAST, HOST_MAC, -1, 1, HOST_MAC, "10.0.0.50", ZERO, "10.0.0.1");
	CHECK_EQ(dsr_arp_kernel_rx(f, 20, ip), DSR_ARP_KERNEL_NONE);
	CHECK_EQ(dsr_arp_kernel_tx(f, 20), DSR_ARP_KERNEL_NONE);
	f[12] = 0x08;
	f[13] = 0x00;
	CHECK_EQ(dsr_arp_kernel_rx(f, len, ip), DSR_ARP_KERNEL_NONE);
	CHECK_EQ(dsr_arp_kernel_tx(f, len), DSR_ARP_KERNEL_NONE);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_params),           DSR_TEST(test_reply_port_addr),
		DSR_TEST(test_reply_vip),        DSR_TEST(test_reply_vlan),
		DSR_TEST(test_request_not_ours), DSR_TEST(test_malformed),
		DSR_TEST(test_announce),         DSR_TEST(test_own_mac),
		DSR_TEST(test_kernel_interface),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
