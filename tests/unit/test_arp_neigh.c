/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/arp, part 3: backend resolution. Requests (exact
 * bytes), learning from replies to our requests only, refresh, MAC
 * change, FAILED after max_tries and recovery, neighbours across a
 * reconfigure, shared and static-MAC backends.
 */
#include "test_arp_util.h"

/* The request for ip from port 0 (10.0.0.1) or port 1 (192.168.1.1). */
static uint32_t
mk_request(uint8_t *w, uint16_t port, const char *ip)
{
	return mk_arp(w, BCAST, port_macs[port], -1, 1, port_macs[port],
		      port == 0 ? "10.0.0.1" : "192.168.1.1", ZERO, ip);
}

/* 10.0.0.21's answer to port 0's request, from mac. */
static void
reply_21(const uint8_t *mac, uint32_t now_ms)
{
	uint8_t f[64];
	uint32_t len = mk_arp(f, P0MAC, mac, -1, 2, mac, "10.0.0.21", P0MAC, "10.0.0.1");

	input(0, f, len, now_ms);
}

static void
check_lookup(const char *ip, enum dsr_mac_lookup want, const uint8_t *want_mac, int line)
{
	uint8_t mac[6] = {0};
	enum dsr_mac_lookup r = dsr_arp_lookup(arp, ip_of(ip), mac);

	if (r != want || (dsr_mac_lookup_has_mac(want) && memcmp(mac, want_mac, 6) != 0)) {
		fprintf(stderr, "%s:%d: lookup %s: %d %02x:..:%02x, want %d\n", __FILE__, line, ip,
			r, mac[0], mac[5], want);
		dsr_test_failures++;
	}
}

#define CHECK_LOOKUP(ip, want, mac) check_lookup(ip, want, mac, __LINE__)

static void
test_requests(void)
{
	struct dsr_arp_params p = params_with(0);
	const struct dsr_arp_neigh *t;
	uint8_t w[64];
	unsigned int n;

	setup(&p, true, 0);
	/* 10.0.0.21 (two backends: one neighbour) and 192.168.1.50; not 10.0.0.22 (static). */
	t = dsr_arp_neighbours(arp, &n);
	CHECK_EQ(n, 2);
	CHECK(t != NULL);
	CHECK(neigh_of("10.0.0.21") != NULL && neigh_of("10.0.0.21")->port == 0);
	CHECK(neigh_of("192.168.1.50") != NULL && neigh_of("192.168.1.50")->port == 1);
	CHECK(neigh_of("10.0.0.22") == NULL);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_INCOMPLETE);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_PENDING, NULL);
	CHECK_LOOKUP("10.0.0.22", DSR_MAC_PENDING, NULL); /* static MACs are not lib/arp's */
	CHECK_EQ(n_tx, 0);

	dsr_arp_tick(arp, 0);
	CHECK_EQ(n_tx, 2);
	hex(w, "ffffffffffff 020000000001 0806"
	       "0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000015"
	       "000000000000000000000000000000000000");
	CHECK_TX_ANY(0, w, 60);
	mk_request(w, 1, "192.168.1.50");
	CHECK_TX_ANY(1, w, 60);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_SENT), 1);
	CHECK_EQ(cnt(1, DSR_ARP_REQ_SENT), 1);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.tries, 1);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.next_ms, 1000);

	/* Retries every retry_ms. */
	clear_out();
	dsr_arp_tick(arp, 500);
	dsr_arp_tick(arp, 999);
	CHECK_EQ(n_tx, 0);
	dsr_arp_tick(arp, 1000);
	CHECK_EQ(n_tx, 2);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.tries, 2);
	/* A reply from the static-MAC backend is not learned. */
	{
		uint8_t f[64];
		uint32_t len =
			mk_arp(f, P0MAC, BK99_MAC, -1, 2, BK99_MAC, "10.0.0.22", P0MAC, "10.0.0.1");

		input(0, f, len, 1100);
		CHECK_EQ(cnt(0, DSR_ARP_REPLIES_IGNORED), 1);
		CHECK_LOOKUP("10.0.0.22", DSR_MAC_PENDING, NULL);
	}
	CHECK_EQ(n_log, 0);
	teardown();
}

static void
test_learn(void)
{
	struct dsr_arp_params p = params_with(0);
	const struct dsr_arp_neigh *nb;

	setup(&p, true, 0);
	dsr_arp_tick(arp, 0);
	clear_out();
	reply_21(BK21_MAC, 40);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK21_MAC);
	CHECK_EQ(dsr_arp_take_changed(arp), true);
	CHECK_EQ(dsr_arp_take_changed(arp), false);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_INFO, "port 0: backend 10.0.0.21 is at 02:00:00:00:00:21");
	CHECK_EQ(cnt(0, DSR_ARP_REPLIES_LEARNED), 1);
	nb = neigh_of("10.0.0.21");
	CHECK_EQ(nb->sm.state, DSR_NEIGH_REACHABLE);
	CHECK_EQ(nb->sm.has_mac, 1);
	CHECK_EQ(nb->sm.confirmed_ms, 40);
	CHECK_EQ(nb->sm.tries, 0);
	CHECK_EQ(nb->sm.next_ms, 57040); /* 60 s refresh, confirmation starts 3 s early */
	CHECK_EQ(n_tx, 0);

	/* No request outstanding now: the same reply again is not learned. */
	reply_21(BK99_MAC, 50);
	CHECK_EQ(cnt(0, DSR_ARP_REPLIES_IGNORED), 1);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK21_MAC);
	CHECK_EQ(dsr_arp_take_changed(arp), false);
	/* Learned neighbours send nothing until the refresh. */
	dsr_arp_tick(arp, 1000);
	dsr_arp_tick(arp, 2000);
	dsr_arp_tick(arp, 3000);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_REACHABLE);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_SENT), 1);
	/* 192.168.1.50 on port 1 is still being resolved. */
	CHECK_EQ(cnt(1, DSR_ARP_REQ_SENT), 3);
	teardown();
}

static void
test_not_learned(void)
{
	struct dsr_arp_params p = params_with(0);
	uint8_t f[64];
	uint32_t len;

	setup(&p, true, 0);
	/* Unsolicited: no request sent yet. */
	reply_21(BK21_MAC, 0);
	CHECK_EQ(cnt(0, DSR_ARP_REPLIES_IGNORED), 1);
	dsr_arp_tick(arp, 0);
	/* Gratuitous reply (target = sender), broadcast. */
	len = mk_arp(f, BCAST, BK21_MAC, -1, 2, BK21_MAC, "10.0.0.21", BCAST, "10.0.0.21");
	input(0, f, len, 10);
	/* Not to our port address, our MAC, or sent to our MAC. */
	len = mk_arp(f, P0MAC, BK21_MAC, -1, 2, BK21_MAC, "10.0.0.21", P0MAC, "10.0.0.2");
	input(0, f, len, 10);
	len = mk_arp(f, P0MAC, BK21_MAC, -1, 2, BK21_MAC, "10.0.0.21", HOST_MAC, "10.0.0.1");
	input(0, f, len, 10);
	len = mk_arp(f, BCAST, BK21_MAC, -1, 2, BK21_MAC, "10.0.0.21", P0MAC, "10.0.0.1");
	input(0, f, len, 10);
	/* Not a neighbour. */
	len = mk_arp(f, P0MAC, HOST_MAC, -1, 2, HOST_MAC, "10.0.0.50", P0MAC, "10.0.0.1");
	input(0, f, len, 10);
	/* From the wrong port (port 1's addresses, as if 10.0.0.21 were there). */
	len = mk_arp(f, P1MAC, BK21_MAC, -1, 2, BK21_MAC, "10.0.0.21", P1MAC, "192.168.1.1");
	input(1, f, len, 10);
	CHECK_EQ(cnt(0, DSR_ARP_REPLIES_IGNORED), 6);
	CHECK_EQ(cnt(1, DSR_ARP_REPLIES_IGNORED), 1);
	CHECK_EQ(cnt_all_but_rx(0), 7); /* and one request sent */
	CHECK_EQ(cnt_all_but_rx(1), 2);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_PENDING, NULL);
	CHECK_EQ(dsr_arp_take_changed(arp), false);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_INCOMPLETE);
	/* A tagged reply that is otherwise right is learned. */
	len = mk_arp(f, P0MAC, BK21_MAC, 9, 2, BK21_MAC, "10.0.0.21", P0MAC, "10.0.0.1");
	input(0, f, len, 20);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK21_MAC);
	CHECK_EQ(n_log, 1);
	teardown();
}

static void
test_refresh_and_mac_change(void)
{
	struct dsr_arp_params p = params_with(0);
	uint8_t w[64];

	setup(&p, true, 0);
	dsr_arp_tick(arp, 0);
	reply_21(BK21_MAC, 100);
	CHECK_EQ(dsr_arp_take_changed(arp), true);
	clear_out();
	/*
	 * 192.168.1.50 keeps retrying; look at port 0 only. The confirmation
	 * starts 3 tries x 1 s before the 60 s refresh is up: at 100 + 57000.
	 */
	dsr_arp_tick(arp, 57099);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_SENT), 1);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_REACHABLE);
	dsr_arp_tick(arp, 57100);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_SENT), 2);
	mk_request(w, 0, "10.0.0.21");
	CHECK_TX_ANY(0, w, 60);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_REFRESHING);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.tries, 1);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK21_MAC); /* still used */
	CHECK_EQ(dsr_arp_take_changed(arp), false);

	/* Confirmed, same MAC: quietly REACHABLE again. */
	reply_21(BK21_MAC, 57200);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_REACHABLE);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.confirmed_ms, 57200);
	CHECK_EQ(dsr_arp_take_changed(arp), false);
	CHECK_EQ(n_log, 0);

	/* Next confirmation at 114200; a second try after retry_ms; then a new MAC answers. */
	dsr_arp_tick(arp, 114199);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_SENT), 2);
	dsr_arp_tick(arp, 114200);
	dsr_arp_tick(arp, 115200);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_SENT), 4);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.tries, 2);
	n_log = 0; /* 192.168.1.50 has failed meanwhile */
	(void)dsr_arp_take_changed(arp);
	clear_out();
	reply_21(BK99_MAC, 115300);
	/* Not believed while the known MAC may still answer: a unicast request to it first. */
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: MAC address 02:00:00:00:00:99 claims backend address 10.0.0.21 (known "
		  "at 02:00:00:00:00:21)");
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK21_MAC);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_PROBING);
	mk_arp(w, BK21_MAC, P0MAC, -1, 1, P0MAC, "10.0.0.1", ZERO, "10.0.0.21");
	CHECK_EQ(n_tx, 1);
	CHECK_TX(0, 0, w, 60);
	dsr_arp_tick(arp, 116300);
	dsr_arp_tick(arp, 117300);
	CHECK_EQ(n_tx, 3);
	CHECK_TX(2, 0, w, 60);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_PROBING);
	CHECK_EQ(dsr_arp_take_changed(arp), false);
	/* 3 unicast requests unanswered: the old MAC is gone; ask everyone. */
	dsr_arp_tick(arp, 118300);
	CHECK_EQ(n_log, 2);
	CHECK_LOG(1, DSR_LOG_WARNING,
		  "port 0: backend 10.0.0.21 does not answer at 02:00:00:00:00:21 any more (3 "
		  "tries); asking who has it");
	CHECK_EQ(n_tx, 4);
	mk_request(w, 0, "10.0.0.21");
	CHECK_TX(3, 0, w, 60);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_REFRESHING);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.relearn, 1);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK21_MAC);
	/* The new MAC answers: taken. */
	reply_21(BK99_MAC, 118400);
	CHECK_EQ(n_log, 3);
	CHECK_LOG(2, DSR_LOG_WARNING,
		  "port 0: backend 10.0.0.21 changed MAC from 02:00:00:00:00:21 to "
		  "02:00:00:00:00:99");
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK99_MAC);
	CHECK_EQ(dsr_arp_take_changed(arp), true);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_REACHABLE);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.relearn, 0);
	CHECK_EQ(cnt(0, DSR_ARP_REPLIES_LEARNED), 3);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_BACKEND), 1);
	teardown();
}

/*
 * Spoofed replies during a refresh: another host answers first for a
 * backend that is up. The MAC never changes; the backend's own answer to
 * the unicast confirmation (or to the broadcast) keeps it.
 */
static void
test_spoofed_reply(void)
{
	static const uint8_t SPOOF[6] = {0x02, 0x66, 0x66, 0x66, 0x66, 0x66};
	struct dsr_arp_params p = params_with(0);
	const struct dsr_conflict *c;
	uint8_t w[64], f[64];
	unsigned int i, n;
	uint32_t len;

	p.refresh_ms = 6000;
	setup(&p, true, 0);
	dsr_arp_tick(arp, 0);
	reply_21(BK21_MAC, 10);
	CHECK_EQ(dsr_arp_take_changed(arp), true);
	/* The confirmation starts at 10 + 3000. */
	dsr_arp_tick(arp, 3010);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_REFRESHING);
	(void)dsr_arp_take_changed(arp); /* 192.168.1.50, never answering, failed at 3000 */
	clear_out();
	/* A spray of spoofed replies, before the backend's own. */
	for (i = 0; i < 20; i++)
		reply_21(SPOOF, 3011 + i);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_PROBING);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK21_MAC);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: MAC address 02:66:66:66:66:66 claims backend address 10.0.0.21 (known "
		  "at 02:00:00:00:00:21)");
	CHECK_EQ(n_tx, 1); /* one unicast confirmation, not one per spoofed reply */
	mk_arp(w, BK21_MAC, P0MAC, -1, 1, P0MAC, "10.0.0.1", ZERO, "10.0.0.21");
	CHECK_TX(0, 0, w, 60);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_BACKEND), 20);
	CHECK_EQ(cnt(0, DSR_ARP_REPLIES_IGNORED), 20);
	CHECK_EQ(cnt(0, DSR_ARP_REPLIES_LEARNED), 1);
	/* The backend answers (its answer to the broadcast, or to the unicast request). */
	reply_21(BK21_MAC, 3040);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_REACHABLE);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.confirmed_ms, 3040);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK21_MAC);
	CHECK_EQ(dsr_arp_take_changed(arp), false);
	/* More spoofed replies, unsolicited now: counted, no log within 10 s, no request. */
	clear_out();
	for (i = 0; i < 5; i++)
		reply_21(SPOOF, 4000 + i);
	len = mk_arp(f, BCAST, SPOOF, -1, 2, SPOOF, "10.0.0.21", BCAST, "10.0.0.21");
	input(0, f, len, 4100);
	CHECK_EQ(n_log, 0);
	CHECK_EQ(n_tx, 0);
	CHECK_EQ(cnt(0, DSR_ARP_CONFLICT_BACKEND), 26);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_REACHABLE);
	/* The next refresh: the spray again, the backend answers the unicast request. */
	dsr_arp_tick(arp, 6040);
	reply_21(SPOOF, 6041);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_PROBING);
	dsr_arp_tick(arp, 7041);
	reply_21(SPOOF, 7042);
	reply_21(BK21_MAC, 7043);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_REACHABLE);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK21_MAC);
	/* 10 s after the first line: logged again. */
	clear_out();
	reply_21(SPOOF, 13011);
	CHECK_EQ(n_log, 1);
	/* Recorded as a conflict of kind "backend", with the spoofer's MAC. */
	c = dsr_arp_conflicts(arp, &n);
	CHECK_EQ(n, 1);
	CHECK_EQ(conflict_ip4(&c[0]), ip_of("10.0.0.21"));
	CHECK(memcmp(c[0].mac, SPOOF, 6) == 0);
	CHECK_EQ(c[0].kind, DSR_CONFLICT_BACKEND);
	CHECK_EQ(c[0].count, 29);
	/* A backend with a static MAC has no neighbour: replies for it are never learned. */
	(void)dsr_arp_take_changed(arp); /* 192.168.1.50 failed meanwhile */
	len = mk_arp(f, P0MAC, SPOOF, -1, 2, SPOOF, "10.0.0.22", P0MAC, "10.0.0.1");
	input(0, f, len, 13100);
	CHECK(neigh_of("10.0.0.22") == NULL);
	CHECK_LOOKUP("10.0.0.22", DSR_MAC_PENDING, NULL);
	CHECK_EQ(dsr_arp_take_changed(arp), false);
	CHECK_STR(dsr_arp_state_name(DSR_NEIGH_PROBING), "probing");
	teardown();
}

static void
test_failed_unresolved(void)
{
	struct dsr_arp_params p = params_with(0);
	uint32_t t;

	setup(&p, true, 0);
	dsr_arp_tick(arp, 0);
	dsr_arp_tick(arp, 1000);
	dsr_arp_tick(arp, 2000);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_SENT), 3);
	CHECK_EQ(n_log, 0);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_INCOMPLETE);
	clear_out();
	dsr_arp_tick(arp, 2999);
	CHECK_EQ(n_log, 0);
	dsr_arp_tick(arp, 3000);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_FAILED);
	CHECK_EQ(n_tx, 0);
	/* One line each, in no set order. */
	CHECK_EQ(n_log, 2);
	{
		unsigned int i0 = strncmp(logs[0].line, "port 0", 6) == 0 ? 0 : 1;

		CHECK_LOG(i0, DSR_LOG_WARNING,
			  "port 0: backend 10.0.0.21 does not answer ARP (3 tries); no new flows "
			  "go to it");
		CHECK_LOG(1 - i0, DSR_LOG_WARNING,
			  "port 1: backend 192.168.1.50 does not answer ARP (3 tries); no new "
			  "flows go to it");
	}
	/* Failed before it was ever resolved: -2, and out of the Maglev table. */
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_NEVER, NULL);
	CHECK_EQ(dsr_arp_take_changed(arp), true);
	CHECK_EQ(dsr_arp_take_changed(arp), false);

	/* FAILED: one request every 5 * retry_ms, no more log lines. */
	for (t = 3000; t < 8000; t += 100)
		dsr_arp_tick(arp, t);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_SENT), 3);
	dsr_arp_tick(arp, 8000);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_SENT), 4);
	for (t = 8000; t <= 18000; t += 100)
		dsr_arp_tick(arp, t);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_SENT), 6);
	CHECK_EQ(n_log, 2);

	/* An answer: first resolution. */
	clear_out();
	reply_21(BK21_MAC, 18100);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_INFO, "port 0: backend 10.0.0.21 is at 02:00:00:00:00:21");
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK21_MAC);
	CHECK_EQ(dsr_arp_take_changed(arp), true);
	teardown();
}

static void
test_failed_and_recovery(void)
{
	struct dsr_arp_params p = params_with(0);

	p.refresh_ms = 10000;
	setup(&p, true, 0);
	dsr_arp_tick(arp, 0);
	reply_21(BK21_MAC, 0);
	CHECK_EQ(dsr_arp_take_changed(arp), true);
	clear_out();
	/*
	 * A 10 s refresh: the confirmation starts at 7000 (3 tries x 1 s
	 * early), tries at 7000, 8000, 9000; FAILED at 10000, within the
	 * refresh interval of the last confirmation.
	 */
	dsr_arp_tick(arp, 7000);
	dsr_arp_tick(arp, 8000);
	dsr_arp_tick(arp, 9000);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_REFRESHING);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK21_MAC);
	/* Only the port-1 neighbour, never resolved, failed meanwhile (at 3000). */
	CHECK_EQ(dsr_arp_take_changed(arp), true);
	CHECK_LOOKUP("192.168.1.50", DSR_MAC_NEVER, NULL);
	n_log = 0;
	dsr_arp_tick(arp, 9999);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_REFRESHING);
	dsr_arp_tick(arp, 10000);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_FAILED);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_LOST, BK21_MAC);
	CHECK_EQ(dsr_arp_take_changed(arp), true);
	CHECK_EQ(dsr_arp_take_changed(arp), false);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: backend 10.0.0.21 does not answer ARP (3 tries); no new flows go to it");
	CHECK_EQ(cnt(0, DSR_ARP_REQ_SENT), 4);

	/* Still retried; the answer to a retry brings it back. */
	dsr_arp_tick(arp, 15000);
	CHECK_EQ(cnt(0, DSR_ARP_REQ_SENT), 5);
	n_log = 0;
	reply_21(BK21_MAC, 15500);
	CHECK_EQ(n_log, 1);
	CHECK_LOG(0, DSR_LOG_INFO,
		  "port 0: backend 10.0.0.21 answers ARP again at 02:00:00:00:00:21");
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK21_MAC);
	CHECK_EQ(dsr_arp_take_changed(arp), true);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_REACHABLE);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.next_ms, 22500);

	/* Failing again, then back at another MAC: both lines. */
	dsr_arp_tick(arp, 28500);
	dsr_arp_tick(arp, 29500);
	dsr_arp_tick(arp, 30500);
	dsr_arp_tick(arp, 31500);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_LOST, BK21_MAC);
	n_log = 0;
	reply_21(BK99_MAC, 32000);
	CHECK_EQ(n_log, 2);
	CHECK_LOG(0, DSR_LOG_WARNING,
		  "port 0: backend 10.0.0.21 changed MAC from 02:00:00:00:00:21 to "
		  "02:00:00:00:00:99");
	CHECK_LOG(1, DSR_LOG_INFO,
		  "port 0: backend 10.0.0.21 answers ARP again at 02:00:00:00:00:99");
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK99_MAC);
	teardown();
}

static void
test_reconfigure(void)
{
	struct dsr_arp_params p = params_with(0);

	setup(&p, true, 0);
	dsr_arp_tick(arp, 0);
	reply_21(BK21_MAC, 10);
	{
		uint8_t f[64];
		uint32_t len = mk_arp(f, P1MAC, BK50_MAC, -1, 2, BK50_MAC, "192.168.1.50", P1MAC,
				      "192.168.1.1");

		input(1, f, len, 10);
	}
	CHECK_LOOKUP("192.168.1.50", DSR_MAC_OK, BK50_MAC);
	CHECK_EQ(dsr_arp_take_changed(arp), true);

	/* One of 10.0.0.21's two backends goes: the neighbour stays as it was. */
	conf->backends[1].used = false;
	CHECK_EQ(reconfigure(&p, 100), 0);
	CHECK_EQ(dsr_arp_take_changed(arp), false);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_OK, BK21_MAC);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.confirmed_ms, 10);

	/* A new backend starts INCOMPLETE with a request due now. */
	conf_backend(4, 0, "10.0.0.23", NULL);
	CHECK_EQ(reconfigure(&p, 200), 0);
	CHECK_EQ(neigh_of("10.0.0.23")->sm.state, DSR_NEIGH_INCOMPLETE);
	clear_out();
	dsr_arp_tick(arp, 200);
	CHECK_EQ(n_tx, 1);
	{
		uint8_t w[64];

		mk_request(w, 0, "10.0.0.23");
		CHECK_TX(0, 0, w, 60);
	}
	CHECK_EQ(cnt(0, DSR_ARP_REQ_SENT), 2);

	/* The last backend of 192.168.1.50 goes: lookups change. */
	conf->backends[2].used = false;
	CHECK_EQ(reconfigure(&p, 300), 0);
	CHECK_EQ(dsr_arp_take_changed(arp), true);
	CHECK_LOOKUP("192.168.1.50", DSR_MAC_PENDING, NULL);
	CHECK(neigh_of("192.168.1.50") == NULL);

	/* A backend given a static MAC is no longer resolved. */
	conf->backends[0].has_mac = true;
	memcpy(conf->backends[0].mac, BK99_MAC, 6);
	CHECK_EQ(reconfigure(&p, 400), 0);
	CHECK_EQ(dsr_arp_take_changed(arp), true);
	CHECK(neigh_of("10.0.0.21") == NULL);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_PENDING, NULL);

	/* A backend outside every subnet, or at a port address, gets no neighbour. */
	conf_backend(5, 0, "172.31.0.9", NULL);
	conf_backend(6, 0, "10.0.0.1", NULL);
	CHECK_EQ(reconfigure(&p, 500), 0);
	CHECK(neigh_of("172.31.0.9") == NULL);
	CHECK(neigh_of("10.0.0.1") == NULL);
	teardown();
}

static void
test_neigh_moves(void)
{
	struct dsr_arp_params p = params_with(0);

	setup(&p, true, 0);
	dsr_arp_tick(arp, 0);
	reply_21(BK21_MAC, 10);
	CHECK_EQ(dsr_arp_take_changed(arp), true);
	/* Port 0 loses its address, port 1's subnet grows to hold 10.0.0.21. */
	conf->ports[0].has_addr = false;
	conf->ports[1].prefix_len = 0;
	CHECK_EQ(reconfigure(&p, 100), 0);
	CHECK(neigh_of("10.0.0.21") != NULL && neigh_of("10.0.0.21")->port == 1);
	CHECK_EQ(neigh_of("10.0.0.21")->sm.state, DSR_NEIGH_INCOMPLETE);
	CHECK_LOOKUP("10.0.0.21", DSR_MAC_PENDING, NULL);
	CHECK_EQ(dsr_arp_take_changed(arp), true);
	/* Resolved from port 1 now. */
	clear_out();
	dsr_arp_tick(arp, 100);
	{
		uint8_t w[64];

		mk_request(w, 1, "10.0.0.21");
		CHECK_TX_ANY(1, w, 60);
	}
	teardown();
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_requests),          DSR_TEST(test_learn),
		DSR_TEST(test_not_learned),       DSR_TEST(test_refresh_and_mac_change),
		DSR_TEST(test_failed_unresolved), DSR_TEST(test_failed_and_recovery),
		DSR_TEST(test_reconfigure),       DSR_TEST(test_neigh_moves),
		DSR_TEST(test_spoofed_reply),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
