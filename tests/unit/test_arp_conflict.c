/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/arp, part 2: duplicate address detection. Another
 * MAC using our address (gratuitous ARP, replies), probes (sender
 * 0.0.0.0), the defence frames and their shared 10 s limit, the log rate
 * limits, and the conflict table (rows, replacement when full, resize).
 */
#include "test_arp_util.h"

static void
test_conflict_using_gratuitous(void)
{
	struct dsr_arp_params p = params_with(0);
	const struct dsr_conflict *c;
	uint8_t f[64], w[64];
	uint32_t len;
	unsigned int n;

	setup(&p, true, 0);
	/* Another host announces our VIP. */
	len = mk_arp(f, BCAST, OTHER_MAC, -1, 1, OTHER_MAC, "164.152.77.34", ZERO, "164.152.77.34");
	input(0, f, len, 5000);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: MAC address 00:13:d4:59:7a:da is using our IP address 164.152.77.34");
	/* The defence announcement, then the answer to the request. */
	CHECK_EQ(n_tx, 2);
	hex(w, "ffffffffffff 020000000001 0806"
	       "0001 0800 06 04 0001 020000000001 a4984d22 000000000000 a4984d22"
	       "000000000000000000000000000000000000");
	CHECK_TX(0, 0, w, 60);
	mk_arp(w, OTHER_MAC, P0MAC, -1, 2, P0MAC, "164.152.77.34", OTHER_MAC, "164.152.77.34");
	CHECK_TX(1, 0, w, 60);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_USING), 1);
	CHECK_EQ(cnt(0, DSR_ARP_DEFENDED), 1);
	CHECK_EQ(cnt(0, DSR_ARP_ANNOUNCE_SENT), 0);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_ANSWERED), 1);

	/* Within 10 s: counted and answered, neither logged nor defended. */
	clear_out();
	input(0, f, len, 14999);
	CHECK_EQ(n_log, 0);
	CHECK_EQ(n_tx, 1);
	CHECK_TX(0, 0, w, 60);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_USING), 2);
	CHECK_EQ(cnt(0, DSR_ARP_DEFENDED), 1);

	/* 10 s after: both again. The tick in between changes nothing. */
	clear_out();
	dsr_arp_tick(arp, 15000);
	clear_out();
	input(0, f, len, 15000);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: MAC address 00:13:d4:59:7a:da is using our IP address 164.152.77.34");
	CHECK_EQ(n_tx, 2);
	CHECK_EQ(cnt(0, DSR_ARP_DEFENDED), 2);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_USING), 3);

	c = dsr_arp_conflicts(arp, &n);
	CHECK_EQ(n, 1);
	CHECK_EQ(conflict_ip4(&c[0]), ip_of("164.152.77.34"));
	CHECK(memcmp(c[0].mac, OTHER_MAC, 6) == 0);
	CHECK_EQ(c[0].port, 0);
	CHECK_EQ(c[0].kind, DSR_CONFLICT_USING);
	CHECK_EQ(c[0].first_ms, 5000);
	CHECK_EQ(c[0].last_ms, 15000);
	CHECK_EQ(c[0].count, 3);

	/* The same on port 1: its own row, its own limits. */
	clear_out();
	input(1, f, len, 16000);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 1: MAC address 00:13:d4:59:7a:da is using our IP address 164.152.77.34");
	CHECK_EQ(cnt(1, DSR_ARP_DEFENDED), 1);
	c = dsr_arp_conflicts(arp, &n);
	CHECK_EQ(n, 2);
	CHECK_EQ(c[1].port, 1);

	/* A VIP that port 1 does not serve: no conflict there. */
	clear_out();
	len = mk_arp(f, BCAST, OTHER_MAC, -1, 1, OTHER_MAC, "10.0.0.100", ZERO, "10.0.0.100");
	input(1, f, len, 16000);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(n_log, 0);
	CHECK_EQ(cnt(1, DSR_ARP_CONFLICT_USING), 1);
	CHECK_EQ(cnt(1, DSR_ARP_REQ_IGNORED), 1);
	CHECK_EQ(dsr_arp_take_changed(arp), false);
	teardown();
}

static void
test_conflict_using_reply(void)
{
	struct dsr_arp_params p = params_with(0);
	uint8_t f[64], w[64];
	uint32_t len;

	setup(&p, true, 0);
	dsr_arp_tick(arp, 0); /* resolution requests out */
	clear_out();
	/* A reply that claims the port address. */
	len = mk_arp(f, P0MAC, OTHER_MAC, -1, 2, OTHER_MAC, "10.0.0.1", P0MAC, "10.0.0.1");
	input(0, f, len, 100);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: MAC address 00:13:d4:59:7a:da is using our IP address 10.0.0.1");
	CHECK_EQ(n_tx, 1);
	mk_announce(w, 0, "10.0.0.1");
	CHECK_TX(0, 0, w, 60);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_USING), 1);
	CHECK_EQ(cnt(0, DSR_ARP_DEFENDED), 1);
	CHECK_EQ(cnt(0, DSR_ARP_REPLIES_IGNORED), 1);
	CHECK_EQ(cnt(0, DSR_ARP_REPLIES_LEARNED), 0);
	CHECK_EQ(dsr_arp_take_changed(arp), false);
	CHECK_EQ(dsr_arp_lookup(arp, ip_of("10.0.0.1"), w), DSR_MAC_PENDING);
	CHECK_EQ(dsr_arp_lookup(arp, ip_of("10.0.0.21"), w), DSR_MAC_PENDING);

	/* A second within 10 s: counted only. */
	clear_out();
	input(0, f, len, 10099);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(n_log, 0);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_USING), 2);
	teardown();

	/*
	 * A backend whose address is also one of our VIPs (a strange
	 * configuration): its reply to our request is a conflict, never learned.
	 */
	setup(&p, true, 0);
	conf_vip(8, "10.0.0.21", 80, 6);
	CHECK_EQ(reconfigure(&p, 0), 0);
	dsr_arp_tick(arp, 0);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.tries, 1);
	clear_out();
	len = mk_arp(f, P0MAC, BK21_MAC, -1, 2, BK21_MAC, "10.0.0.21", P0MAC, "10.0.0.1");
	input(0, f, len, 100);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_USING), 1);
	CHECK_EQ(cnt(0, DSR_ARP_REPLIES_IGNORED), 1);
	CHECK_EQ(cnt(0, DSR_ARP_REPLIES_LEARNED), 0);
	CHECK_EQ(dsr_arp_lookup(arp, ip_of("10.0.0.21"), w), DSR_MAC_PENDING);
	CHECK_EQ(n_log, 1);
	teardown();
}

static void
test_conflict_probe(void)
{
	struct dsr_arp_params p = params_with(0);
	const struct dsr_conflict *c;
	uint8_t f[64], w[64], g[64];
	uint32_t len, glen, t;
	unsigned int n, i;

	setup(&p, false, 0);
	len = mk_arp(f, BCAST, PROBER_MAC, -1, 1, PROBER_MAC, "0.0.0.0", ZERO, "164.152.77.34");
	input(0, f, len, 1000);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: MAC address 1c:c1:de:b4:76:60 probed for our IP address 164.152.77.34");
	CHECK_EQ(n_tx, 1);
	hex(w, "1cc1deb47660 020000000001 0806"
	       "0001 0800 06 04 0002 020000000001 a4984d22 1cc1deb47660 00000000"
	       "000000000000000000000000000000000000");
	CHECK_TX(0, 0, w, 60);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_PROBE), 1);
	CHECK_EQ(cnt(0, DSR_ARP_PROBES_ANSWERED), 1);
	CHECK_EQ(cnt(0, DSR_ARP_DEFENDED), 0);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_ANSWERED), 0);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_USING), 0);

	/* Within 10 s: answered again (a prober that hears nothing takes the address), no log. */
	clear_out();
	input(0, f, len, 2000);
	input(0, f, len, 10999);
	CHECK_EQ(n_tx, 2);
	CHECK_TX(0, 0, w, 60);
	CHECK_TX(1, 0, w, 60);
	CHECK_EQ(n_log, 0);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_PROBE), 3);
	CHECK_EQ(cnt(0, DSR_ARP_PROBES_ANSWERED), 3);

	/* 10 s after the first: logged again. */
	clear_out();
	input(0, f, len, 11000);
	CHECK_EQ(n_tx, 1);
	CHECK_TX(0, 0, w, 60);
	CHECK_EQ(n_log, 1);

	/* Right after a defence of the address against "using", a probe is still answered. */
	clear_out();
	glen = mk_arp(g, BCAST, OTHER_MAC, -1, 2, OTHER_MAC, "164.152.77.34", ZERO,
		      "164.152.77.34");
	input(0, g, glen, 12000);
	CHECK_EQ(n_tx, 1);
	mk_announce(w, 0, "164.152.77.34");
	CHECK_TX(0, 0, w, 60);
	CHECK_EQ(cnt(0, DSR_ARP_DEFENDED), 1);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: MAC address 00:13:d4:59:7a:da is using our IP address 164.152.77.34");
	input(0, f, len, 12100);
	CHECK_EQ(n_tx, 2);
	mk_arp(w, PROBER_MAC, P0MAC, -1, 2, P0MAC, "164.152.77.34", PROBER_MAC, "0.0.0.0");
	CHECK_TX(1, 0, w, 60);
	/* ... and the defence limit still holds for "using". */
	input(0, g, glen, 13000);
	CHECK_EQ(n_tx, 2);
	CHECK_EQ(cnt(0, DSR_ARP_DEFENDED), 1);

	/* The probe answers' own limit: 10 per address per second. */
	clear_out();
	for (i = 0; i < 15; i++)
		input(0, f, len, 20000 + i);
	CHECK_EQ(n_tx, DSR_ARP_PROBE_ANSWERS);
	CHECK_EQ(cnt(0, DSR_ARP_PROBES_LIMITED), 15 - DSR_ARP_PROBE_ANSWERS);
	/* ... per address: another one has its own. */
	len = mk_arp(f, BCAST, PROBER_MAC, -1, 1, PROBER_MAC, "0.0.0.0", ZERO, "10.0.0.100");
	input(0, f, len, 20500);
	CHECK_EQ(n_tx, DSR_ARP_PROBE_ANSWERS + 1);
	mk_arp(w, PROBER_MAC, P0MAC, -1, 2, P0MAC, "10.0.0.100", PROBER_MAC, "0.0.0.0");
	CHECK_TX(DSR_ARP_PROBE_ANSWERS, 0, w, 60);
	/* A new second, a new window (the tick clears the old one). */
	for (t = 20000; t <= 21000; t += 100)
		dsr_arp_tick(arp, t);
	len = mk_arp(f, BCAST, PROBER_MAC, -1, 1, PROBER_MAC, "0.0.0.0", ZERO, "164.152.77.34");
	input(0, f, len, 21000);
	CHECK_EQ(n_tx, DSR_ARP_PROBE_ANSWERS + 2);

	/* A tagged probe is answered in its VLAN. */
	clear_out();
	len = mk_arp(f, BCAST, PROBER_MAC, 0x0064, 1, PROBER_MAC, "0.0.0.0", ZERO, "10.0.0.1");
	input(0, f, len, 22000);
	mk_arp(w, PROBER_MAC, P0MAC, 0x0064, 2, P0MAC, "10.0.0.1", PROBER_MAC, "0.0.0.0");
	CHECK_EQ(n_tx, 1);
	CHECK_TX(0, 0, w, 64);

	/* A probe for an address that is not ours: ignored. */
	clear_out();
	len = mk_arp(f, BCAST, PROBER_MAC, -1, 1, PROBER_MAC, "0.0.0.0", ZERO, "10.0.0.77");
	input(0, f, len, 22000);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(n_log, 0);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_IGNORED), 1);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_PROBE), 23);
	CHECK_EQ(cnt(0, DSR_ARP_PROBES_ANSWERED) + cnt(0, DSR_ARP_PROBES_LIMITED), 23);

	c = dsr_arp_conflicts(arp, &n);
	CHECK_EQ(n, 4);
	CHECK_EQ(conflict_ip4(&c[0]), ip_of("164.152.77.34"));
	CHECK(memcmp(c[0].mac, PROBER_MAC, 6) == 0);
	CHECK_EQ(c[0].kind, DSR_CONFLICT_PROBE);
	CHECK_EQ(c[0].first_ms, 1000);
	CHECK_EQ(c[0].last_ms, 21000);
	CHECK_EQ(c[0].count, 21);
	CHECK_EQ(c[1].kind, DSR_CONFLICT_USING);
	CHECK_EQ(c[1].count, 2);
	CHECK_EQ(conflict_ip4(&c[2]), ip_of("10.0.0.100"));
	CHECK_EQ(conflict_ip4(&c[3]), ip_of("10.0.0.1"));
	CHECK_STR(dsr_arp_conflict_kind_name(DSR_CONFLICT_PROBE), "probe");
	CHECK_STR(dsr_arp_conflict_kind_name(DSR_CONFLICT_BACKEND), "backend");
	CHECK_STR(dsr_arp_conflict_kind_name((enum dsr_arp_conflict_kind)9), "?");
	teardown();
}

static void
test_conflict_table_full(void)
{
	struct dsr_arp_params p = params_with(0);
	const struct dsr_conflict *c;
	uint8_t f[64], mac[6];
	uint32_t len;
	unsigned int n, i;

	p.conflicts_max = 3;
	setup(&p, false, 0);
	memcpy(mac, OTHER_MAC, 6);
	for (i = 1; i <= 4; i++) {
		mac[5] = (uint8_t)i;
		len = mk_arp(f, BCAST, mac, -1, 1, mac, "10.0.0.1", ZERO, "10.0.0.1");
		input(0, f, len, i * 100);
	}
	c = dsr_arp_conflicts(arp, &n);
	CHECK_EQ(n, 3);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_TABLE_FULL), 1);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(c[i].mac[5], i + 2);
		CHECK_EQ(c[i].first_ms, (i + 2) * 100);
		CHECK_EQ(c[i].count, 1);
	}
	/* A known row is updated in place: nothing replaced. */
	mac[5] = 3;
	len = mk_arp(f, BCAST, mac, -1, 1, mac, "10.0.0.1", ZERO, "10.0.0.1");
	input(0, f, len, 900);
	c = dsr_arp_conflicts(arp, &n);
	CHECK_EQ(n, 3);
	CHECK_EQ(c[1].mac[5], 3);
	CHECK_EQ(c[1].count, 2);
	CHECK_EQ(c[1].first_ms, 300);
	CHECK_EQ(c[1].last_ms, 900);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_TABLE_FULL), 1);
	/* The same MAC and address as a probe is another row: the oldest goes. */
	len = mk_arp(f, BCAST, mac, -1, 1, mac, "0.0.0.0", ZERO, "10.0.0.1");
	input(0, f, len, 1000);
	c = dsr_arp_conflicts(arp, &n);
	CHECK_EQ(n, 3);
	CHECK_EQ(c[0].mac[5], 3);
	CHECK_EQ(c[0].kind, DSR_CONFLICT_USING);
	CHECK_EQ(c[1].mac[5], 4);
	CHECK_EQ(c[2].mac[5], 3);
	CHECK_EQ(c[2].kind, DSR_CONFLICT_PROBE);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_TABLE_FULL), 2);

	/* A smaller table keeps the newest rows. */
	p.conflicts_max = 2;
	CHECK_EQ(reconfigure(&p, 2000), 0);
	c = dsr_arp_conflicts(arp, &n);
	CHECK_EQ(n, 2);
	CHECK_EQ(c[0].mac[5], 4);
	CHECK_EQ(c[1].kind, DSR_CONFLICT_PROBE);
	teardown();
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_conflict_using_gratuitous),
		DSR_TEST(test_conflict_using_reply),
		DSR_TEST(test_conflict_probe),
		DSR_TEST(test_conflict_table_full),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
