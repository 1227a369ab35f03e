/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the pieces lib/arp shares with lib/nd: the neighbour
 * state machine (dsr_neigh.h) driven directly, without frames, and the
 * duplicate address bookkeeping (dsr_dup.h): rate limits, their expiry
 * and wake-up time, and the conflict table of both families.
 */
#include <string.h>

#include "dsr_dup.h"
#include "dsr_neigh.h"
#include "dsr_test.h"

static const uint8_t MAC_A[6] = {2, 0, 0, 0, 0, 0xa};
static const uint8_t MAC_B[6] = {2, 0, 0, 0, 0, 0xb};

struct trace {
	unsigned int bcast, unicast, unconfirmed, failed;
};

static void
t_request(void *ctx, struct dsr_neigh_sm *n, bool unicast)
{
	struct trace *t = ctx;

	(void)n;
	if (unicast)
		t->unicast++;
	else
		t->bcast++;
}

static void
t_unconfirmed(void *ctx, struct dsr_neigh_sm *n)
{
	((struct trace *)ctx)->unconfirmed++;
	CHECK_EQ(n->state, DSR_NEIGH_PROBING); /* called before the move */
}

static void
t_failed(void *ctx, struct dsr_neigh_sm *n)
{
	((struct trace *)ctx)->failed++;
	CHECK_EQ(n->state, DSR_NEIGH_FAILED);
}

static const struct dsr_neigh_ops ops = {t_request, t_unconfirmed, t_failed};
static const struct dsr_neigh_timing timing = {
	.refresh_ms = 60000, .retry_ms = 1000, .max_tries = 3};

/* INCOMPLETE: three requests a second apart, then FAILED; a late answer brings it back. */
static void
test_neigh_resolve_fail_return(void)
{
	struct dsr_neigh_sm n;
	struct trace t = {0};
	uint32_t now = 100;
	unsigned int i;

	dsr_neigh_start(&n, now);
	CHECK_EQ(dsr_neigh_usable(&n), DSR_MAC_PENDING);
	for (i = 0; i < 3; i++) {
		CHECK(!dsr_neigh_step(&n, &timing, now, &ops, &t));
		CHECK_EQ(n.next_ms, now + 1000);
		now = n.next_ms;
	}
	CHECK_EQ(t.bcast, 3);
	/* The retry after the third request: FAILED, and the lookup changes. */
	CHECK(dsr_neigh_step(&n, &timing, now, &ops, &t));
	CHECK_EQ(t.failed, 1);
	CHECK_EQ(dsr_neigh_usable(&n), DSR_MAC_NEVER);
	CHECK_EQ(n.next_ms, now + 5000); /* max(5 * retry, 1 s) */
	/* FAILED asks again; an answer not to us is ignored, one to us is learned. */
	now = n.next_ms;
	CHECK(!dsr_neigh_step(&n, &timing, now, &ops, &t));
	CHECK_EQ(t.bcast, 4);
	CHECK_EQ(dsr_neigh_judge(&n, MAC_A, false, now), DSR_NEIGH_IGNORE);
	CHECK_EQ(dsr_neigh_judge(&n, MAC_A, true, now), DSR_NEIGH_LEARN);
	CHECK(dsr_neigh_learn(&n, MAC_A, &timing, now + 5));
	CHECK_EQ(dsr_neigh_usable(&n), DSR_MAC_OK);
	CHECK_EQ(n.tries, 0);
	/* Refresh starts early enough to fail within refresh_ms: 60000 - 3 * 1000. */
	CHECK_EQ(n.next_ms, now + 5 + 57000);
	/* REACHABLE learns nothing more from the same MAC. */
	CHECK_EQ(dsr_neigh_judge(&n, MAC_A, true, now), DSR_NEIGH_IGNORE);
}

/* A claim while refreshing: PROBING by unicast; unanswered, relearn; then FAILED. */
static void
test_neigh_claim_probe_relearn(void)
{
	struct dsr_neigh_sm n;
	struct trace t = {0};
	uint32_t now = 0;
	unsigned int i;

	dsr_neigh_start(&n, now);
	CHECK(!dsr_neigh_step(&n, &timing, now, &ops, &t));
	CHECK(dsr_neigh_learn(&n, MAC_A, &timing, now));
	/* Refresh due: REFRESHING, a broadcast request. */
	now = n.next_ms;
	CHECK(!dsr_neigh_step(&n, &timing, now, &ops, &t));
	CHECK_EQ(n.state, DSR_NEIGH_REFRESHING);
	CHECK_EQ(dsr_neigh_usable(&n), DSR_MAC_OK);
	/* Another MAC answers our refresh: a claim, never learned. */
	CHECK_EQ(dsr_neigh_judge(&n, MAC_B, true, now), DSR_NEIGH_CLAIM);
	CHECK(dsr_neigh_claim_log(&n, now, 10000));
	CHECK(!dsr_neigh_claim_log(&n, now + 9999, 10000));
	CHECK(!dsr_neigh_probe_known(&n, MAC_B, false, now));
	CHECK(dsr_neigh_probe_known(&n, MAC_B, true, now));
	CHECK_EQ(n.state, DSR_NEIGH_PROBING);
	CHECK_EQ(n.tries, 0);
	/* Three unicast requests, then the known MAC is given up: relearn, broadcast. */
	for (i = 0; i < 3; i++) {
		CHECK(!dsr_neigh_step(&n, &timing, now, &ops, &t));
		now = n.next_ms;
	}
	CHECK_EQ(t.unicast, 3);
	CHECK(!dsr_neigh_step(&n, &timing, now, &ops, &t));
	CHECK_EQ(t.unconfirmed, 1);
	CHECK_EQ(n.state, DSR_NEIGH_REFRESHING);
	CHECK_EQ(n.relearn, 1);
	CHECK_EQ(n.tries, 1);
	/* With relearn set, another MAC is learned, and the lookup changes. */
	CHECK_EQ(dsr_neigh_judge(&n, MAC_B, true, now), DSR_NEIGH_LEARN);
	CHECK(dsr_neigh_learn(&n, MAC_B, &timing, now));
	CHECK(memcmp(n.mac, MAC_B, 6) == 0);
	CHECK_EQ(n.relearn, 0);
	/* A claim log limit that ran out is forgotten. */
	dsr_neigh_claim_expire(&n, now + 20000, 10000);
	CHECK_EQ(n.claim_logged, 0);
}

/*
 * A claim that the known MAC then answers is disproven: for two refresh
 * periods that MAC is not learned, relearn and FAILED included; another
 * new MAC still is.
 */
static void
test_neigh_disproven(void)
{
	static const uint8_t MAC_C[6] = {0x02, 0, 0, 0, 0, 0x0c};
	struct dsr_neigh_sm n;
	struct trace t = {0};
	uint32_t now = 0, t0;
	unsigned int i;

	dsr_neigh_start(&n, now);
	CHECK(!dsr_neigh_step(&n, &timing, now, &ops, &t));
	CHECK(dsr_neigh_learn(&n, MAC_A, &timing, now));
	now = n.next_ms;
	CHECK(!dsr_neigh_step(&n, &timing, now, &ops, &t));
	/* B claims our refresh: PROBING; A answers the unicast request: B is disproven. */
	CHECK_EQ(dsr_neigh_judge(&n, MAC_B, true, now), DSR_NEIGH_CLAIM);
	CHECK(dsr_neigh_probe_known(&n, MAC_B, true, now));
	CHECK(!dsr_neigh_step(&n, &timing, now, &ops, &t));
	CHECK_EQ(dsr_neigh_judge(&n, MAC_A, true, now + 1), DSR_NEIGH_LEARN);
	CHECK(!dsr_neigh_learn(&n, MAC_A, &timing, now + 1));
	CHECK_EQ(n.has_disproven, 1);
	CHECK(memcmp(n.disproven, MAC_B, 6) == 0);
	t0 = now + 1;
	/* Later A stops answering (its answers lost): relearn, but B is not taken. */
	now = n.next_ms;
	CHECK(!dsr_neigh_step(&n, &timing, now, &ops, &t));
	CHECK_EQ(dsr_neigh_judge(&n, MAC_B, true, now), DSR_NEIGH_CLAIM);
	CHECK(dsr_neigh_probe_known(&n, MAC_B, true, now));
	for (i = 0; i < 4; i++) {
		CHECK(!dsr_neigh_step(&n, &timing, now, &ops, &t));
		now = n.next_ms;
	}
	CHECK_EQ(n.relearn, 1);
	CHECK_EQ(n.state, DSR_NEIGH_REFRESHING);
	CHECK_EQ(dsr_neigh_judge(&n, MAC_B, true, now), DSR_NEIGH_CLAIM);
	CHECK(!dsr_neigh_probe_known(&n, MAC_B, true, now)); /* relearning: no probing again */
	/* Nothing answers: FAILED; B is still refused there. */
	for (i = 0; i < 3; i++) {
		dsr_neigh_step(&n, &timing, now, &ops, &t);
		now = n.next_ms;
	}
	CHECK_EQ(n.state, DSR_NEIGH_FAILED);
	CHECK_EQ(dsr_neigh_judge(&n, MAC_B, true, now), DSR_NEIGH_CLAIM);
	/* A third MAC, never disproven, is learned (a backend that really moved). */
	CHECK_EQ(dsr_neigh_judge(&n, MAC_C, true, now), DSR_NEIGH_LEARN);
	/* And B, two refresh periods after it was disproven, is an answer like any other. */
	CHECK_EQ(dsr_neigh_judge(&n, MAC_B, true, t0 + 2 * timing.refresh_ms - 1), DSR_NEIGH_CLAIM);
	CHECK_EQ(dsr_neigh_judge(&n, MAC_B, true, t0 + 2 * timing.refresh_ms), DSR_NEIGH_LEARN);
	/* A claim that went unanswered by the known MAC disproves nothing. */
	dsr_neigh_start(&n, 0);
	CHECK(dsr_neigh_learn(&n, MAC_A, &timing, 0));
	now = n.next_ms;
	CHECK(!dsr_neigh_step(&n, &timing, now, &ops, &t));
	CHECK(dsr_neigh_probe_known(&n, MAC_B, true, now));
	for (i = 0; i < 4; i++) {
		CHECK(!dsr_neigh_step(&n, &timing, now, &ops, &t));
		now = n.next_ms;
	}
	CHECK(dsr_neigh_learn(&n, MAC_B, &timing, now));
	CHECK_EQ(n.has_disproven, 0);
}

/* A reconfiguration sees a lookup change: another result or another MAC. */
static void
test_neigh_lookup_differs(void)
{
	struct dsr_neigh_sm a, b;

	dsr_neigh_start(&a, 0);
	dsr_neigh_start(&b, 0);
	CHECK(!dsr_neigh_lookup_differs(&a, &b));
	CHECK(!dsr_neigh_lookup_differs(&a, NULL)); /* pending either way */
	CHECK(dsr_neigh_learn(&a, MAC_A, &timing, 0));
	CHECK(dsr_neigh_lookup_differs(&a, NULL));
	CHECK(dsr_neigh_learn(&b, MAC_B, &timing, 0));
	CHECK(dsr_neigh_lookup_differs(&a, &b));
	CHECK(!dsr_neigh_learn(&b, MAC_B, &timing, 1));
	memcpy(b.mac, MAC_A, 6);
	CHECK(!dsr_neigh_lookup_differs(&a, &b));
}

/* Rate limits: one action per 10 s per timer; expiry and the wake-up time. */
static void
test_dup_limits(void)
{
	struct dsr_dup_limits l;
	uint32_t due = 0;
	unsigned int i, ok = 0;

	memset(&l, 0, sizeof(l));
	CHECK(!dsr_dup_expire(&l, 0, &due));
	CHECK(dsr_dup_take(&l, DSR_DUP_DEFENDED, 1000));
	CHECK(!dsr_dup_take(&l, DSR_DUP_DEFENDED, 10999));
	CHECK(dsr_dup_take(&l, DSR_DUP_LOG_USING, 2000)); /* its own timer */
	CHECK(dsr_dup_expire(&l, 3000, &due));
	CHECK_EQ(due, 11000); /* the first to end */
	CHECK(dsr_dup_expire(&l, 11000, &due));
	CHECK_EQ(due, 12000);
	CHECK(dsr_dup_take(&l, DSR_DUP_DEFENDED, 11000));
	/* Probe answers: 10 per second, whatever the defence limit says. */
	for (i = 0; i < 12; i++)
		ok += dsr_dup_probe_answer(&l, 20000);
	CHECK_EQ(ok, DSR_ARP_PROBE_ANSWERS);
	CHECK(dsr_dup_probe_answer(&l, 21000));
	/* Everything ends: nothing runs after 10 s of quiet (and no wrap surprises). */
	CHECK(!dsr_dup_expire(&l, 40000, &due));
	CHECK_EQ(l.flags, 0);
	CHECK(dsr_dup_take(&l, DSR_DUP_LOG_PROBE, 40000u + (1u << 31)));
}

/* The conflict table: rows per (family, address, port, kind, MAC), oldest out, resize. */
static void
test_dup_conflicts(void)
{
	static const uint8_t ip4[4] = {10, 0, 0, 100};
	uint8_t ip6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	struct dsr_conflicts t, r;
	char s[64];

	CHECK_EQ(dsr_conflicts_init(&t, 3), 0);
	CHECK(!dsr_conflicts_record(&t, DSR_AF_IPV4, 0, ip4, MAC_A, DSR_CONFLICT_USING, 1));
	CHECK(!dsr_conflicts_record(&t, DSR_AF_IPV4, 0, ip4, MAC_A, DSR_CONFLICT_USING, 2));
	CHECK_EQ(t.n, 1);
	CHECK_EQ(t.rows[0].count, 2);
	CHECK_EQ(t.rows[0].first_ms, 1);
	CHECK_EQ(t.rows[0].last_ms, 2);
	CHECK_STR(dsr_conflict_ip_str(&t.rows[0], s), "10.0.0.100");
	/* The same 16 bytes as another family are another row. */
	memcpy(ip6, ip4, 4);
	memset(ip6 + 4, 0, 12);
	CHECK(!dsr_conflicts_record(&t, DSR_AF_IPV6, 0, ip6, MAC_A, DSR_CONFLICT_USING, 3));
	CHECK_EQ(t.n, 2);
	CHECK_STR(dsr_conflict_ip_str(&t.rows[1], s), "a00:64::");
	CHECK(!dsr_conflicts_record(&t, DSR_AF_IPV4, 1, ip4, MAC_A, DSR_CONFLICT_USING, 4));
	/* Full: the oldest goes. */
	CHECK(dsr_conflicts_record(&t, DSR_AF_IPV4, 0, ip4, MAC_B, DSR_CONFLICT_PROBE, 5));
	CHECK_EQ(t.n, 3);
	CHECK_EQ(t.rows[0].family, DSR_AF_IPV6);
	CHECK_EQ(t.rows[2].kind, DSR_CONFLICT_PROBE);
	/* Smaller: the newest two, in order; larger: all. */
	CHECK_EQ(dsr_conflicts_resized(&t, 2, &r), 0);
	CHECK_EQ(r.n, 2);
	CHECK_EQ(r.rows[0].port, 1);
	CHECK_EQ(r.rows[1].last_ms, 5);
	dsr_conflicts_fini(&r);
	CHECK_EQ(dsr_conflicts_resized(&t, 8, &r), 0);
	CHECK_EQ(r.n, 3);
	CHECK_EQ(r.max, 8);
	dsr_conflicts_fini(&r);
	dsr_conflicts_fini(&t);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_neigh_resolve_fail_return),
		DSR_TEST(test_neigh_claim_probe_relearn),
		DSR_TEST(test_neigh_disproven),
		DSR_TEST(test_neigh_lookup_differs),
		DSR_TEST(test_dup_limits),
		DSR_TEST(test_dup_conflicts),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
