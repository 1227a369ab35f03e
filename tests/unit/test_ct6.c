/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for lib/ct6: the per-worker IPv6 connection table. */

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_ct6.h"
#include "ct6_pvt.h"
#include "dsr_test.h"
#include "test_ct6_util.h"

static void
test_insert_lookup_remove(void)
{
	struct cb_log log;
	struct dsr_ct6 *ct = new_ct6(100, &log);
	struct dsr_flow6 f = mkflow6(1, 2, 0x3930, 0x5000, TCP);
	struct dsr_ct6_entry *e;

	CHECK_EQ(dsr_ct6_count(ct), 0);
	CHECK_EQ(dsr_ct6_capacity(ct), 100);
	CHECK(look(ct, &f, 1000) == NULL);
	e = ins(ct, &f, 7, DSR_CT_SYN, 1000);
	CHECK(e != NULL);
	if (e == NULL)
		return;
	CHECK(memcmp(e, &f, offsetof(struct dsr_flow6, proto)) == 0); /* the key */
	CHECK_EQ(dsr_ct6_entry_proto(e), TCP);
	CHECK_EQ(dsr_ct6_entry_state(e), DSR_CT_SYN);
	CHECK_EQ(e->backend, 7);
	CHECK_EQ(e->last_seen, 1000);
	CHECK_EQ(dsr_ct6_count(ct), 1);
	CHECK(look(ct, &f, 2000) == e);
	CHECK_EQ(e->last_seen, 1000); /* lookup does not touch */
	dsr_ct6_touch(e, DSR_CT_EST, 3000);
	CHECK_EQ(dsr_ct6_entry_state(e), DSR_CT_EST);
	CHECK_EQ(e->last_seen, 3000);
	dsr_ct6_remove(ct, e);
	CHECK_EQ(dsr_ct6_count(ct), 0);
	CHECK_EQ(log.removed, 1);
	CHECK_EQ(log.expired, 0);
	CHECK_EQ(log.last_backend, 7);
	CHECK_EQ(log.last_state, DSR_CT_EST); /* the callback sees the entry before it goes */
	CHECK(look(ct, &f, 3000) == NULL);
	dsr_ct6_remove(ct, e);                                          /* already free: ignored */
	dsr_ct6_remove(ct, NULL);                                       /* ignored */
	dsr_ct6_remove(ct, (struct dsr_ct6_entry *)((uint8_t *)e + 8)); /* not an entry */
	dsr_ct6_remove(ct, (struct dsr_ct6_entry *)table_mem);          /* not in the pool */
	CHECK_EQ(log.removed, 1);
	CHECK_EQ(dsr_ct6_count(ct), 0);
	CHECK(ins(ct, &f, 1, DSR_CT_FREE, 0) == NULL); /* FREE is not a state to insert */
	CHECK(ins(ct, &f, 1, DSR_CT_NSTATES, 0) == NULL);
	CHECK_EQ(dsr_ct6_count(ct), 0);
}

static void
test_five_tuple_distinct(void)
{
	enum { N = 2 * DSR_CT6_SLOTS };
	const uint64_t forced = 0x123456789abcdef0ULL;
	struct dsr_flow6 f[N + 1];
	struct dsr_ct6_entry *e;
	struct dsr_ct6 *ct;
	unsigned int i, pass;

	/* Each flow differs from f[0] in one field, one bit of it. */
	f[0] = mkflow6(0x0a, 0x64, 1000, 80, TCP);
	for (i = 1; i <= N; i++)
		f[i] = f[0];
	for (i = 0; i < 8; i++)
		f[1 + i].src_ip[i * 2] ^= 0x10; /* 1-8: every 8-byte word of the key */
	for (i = 0; i < 4; i++)
		f[9 + i].dst_ip[i * 4] ^= 0x01; /* 9-12 */
	f[13].src_port ^= 1;
	f[14].dst_port ^= 0x100;
	f[15].proto = UDP;
	f[16].dst_ip[15] ^= 0x80;
	f[17].src_ip[15] ^= 0x80;
	f[18].src_port ^= 0x8000;
	f[19].dst_port ^= 0x0080;
	f[N].src_port ^= 2;
	/* Pass 0 with real hashes; pass 1 with one hash for all the flows. */
	for (pass = 0; pass < 2; pass++) {
		ct = new_ct6(1000, NULL);
		for (i = 0; i < N; i++) {
			uint64_t h = pass ? forced : hash6_of(&f[i]);

			CHECK(dsr_ct6_lookup(ct, &f[i], h, 0) == NULL);
			CHECK(dsr_ct6_insert(ct, &f[i], h, (uint16_t)(100 + i),
					     st_for(&f[i], DSR_CT_EST), 0) != NULL);
		}
		CHECK_EQ(dsr_ct6_count(ct), N);
		for (i = 0; i < N; i++) {
			e = dsr_ct6_lookup(ct, &f[i], pass ? forced : hash6_of(&f[i]), 1);
			CHECK(e != NULL && e->backend == 100 + i);
		}
		CHECK(dsr_ct6_lookup(ct, &f[N], pass ? forced : hash6_of(&f[N]), 1) == NULL);
	}
	/* Twenty flows of one hash fill both candidate buckets: one more has
	 * no slot (it may not evict a live entry) until one of them goes. */
	CHECK(dsr_ct6_insert(ct, &f[N], forced, 106, DSR_CT_SYN, 1) == NULL);
	CHECK_EQ(dsr_ct6_count(ct), N);
	for (i = 0; i < N; i++) {
		e = dsr_ct6_lookup(ct, &f[i], forced, 1);
		CHECK(e != NULL && e->backend == 100 + i);
	}
	dsr_ct6_remove(ct, dsr_ct6_lookup(ct, &f[3], forced, 1));
	e = dsr_ct6_insert(ct, &f[N], forced, 106, DSR_CT_SYN, 1);
	CHECK(e != NULL && dsr_ct6_lookup(ct, &f[N], forced, 1) == e);
	CHECK(dsr_ct6_lookup(ct, &f[3], forced, 1) == NULL);
	/* The same signature in another bucket, and another signature in this one. */
	CHECK(dsr_ct6_lookup(ct, &f[4], forced ^ 1, 1) == NULL ||
	      dsr_ct6_bucket1(ct, forced ^ 1) == dsr_ct6_bucket1(ct, forced));
	CHECK(dsr_ct6_lookup(ct, &f[4], forced ^ (1ULL << 60), 1) == NULL);
}

static void
check_boundaries(struct dsr_ct6 *ct, struct cb_log *log, const uint32_t *tmo, uint32_t t0)
{
	static const uint8_t states[] = {DSR_CT_SYN, DSR_CT_EST, DSR_CT_FIN, DSR_CT_UDP};
	unsigned int i;

	for (i = 0; i < sizeof(states); i++) {
		struct dsr_flow6 f =
			mkflow6(1 + i, 2, 5000, 443, states[i] == DSR_CT_UDP ? UDP : TCP);
		uint32_t t = tmo[states[i]];
		unsigned int before = log->expired;

		CHECK(ins(ct, &f, 3, states[i], t0) != NULL);
		CHECK(look(ct, &f, t0 + t - 1) != NULL);
		CHECK_EQ(log->expired, before);
		CHECK(look(ct, &f, t0 + t) == NULL);
		CHECK_EQ(log->expired, before + 1);
		CHECK_EQ(log->last_state, states[i]);
		CHECK_EQ(dsr_ct6_count(ct), 0);
		CHECK(look(ct, &f, t0 + t) == NULL);
		CHECK_EQ(log->expired, before + 1);
	}
}

static void
test_timeouts_default(void)
{
	static const uint32_t tmo[DSR_CT_NSTATES] = {0, 30000, 900000, 60000, 300000};
	struct cb_log log;
	struct dsr_ct6 *ct = new_ct6(100, &log);

	check_boundaries(ct, &log, tmo, 12345);
}

static void
test_timeouts_set(void)
{
	static const uint32_t tmo[DSR_CT_NSTATES] = {777, 100, 200, 300, 400};
	uint32_t big[DSR_CT_NSTATES] = {0, 1, UINT32_MAX, 1, 1};
	struct dsr_flow6 f = mkflow6(1, 2, 3, 4, TCP);
	struct cb_log log;
	struct dsr_ct6 *ct = new_ct6(100, &log);

	dsr_ct6_set_timeouts(ct, tmo);
	check_boundaries(ct, &log, tmo, 5);
	/* A new timeout applies to entries already in the table. */
	CHECK(ins(ct, &f, 1, DSR_CT_EST, 0) != NULL);
	CHECK(look(ct, &f, 150) != NULL);
	dsr_ct6_set_timeouts(ct, (const uint32_t[DSR_CT_NSTATES]){0, 100, 250, 300, 400});
	CHECK(look(ct, &f, 249) != NULL);
	CHECK(look(ct, &f, 250) == NULL);
	/* Timeouts are clamped to INT32_MAX ms. */
	dsr_ct6_set_timeouts(ct, big);
	CHECK(ins(ct, &f, 1, DSR_CT_EST, 0) != NULL);
	CHECK(look(ct, &f, INT32_MAX - 1) != NULL);
	CHECK(look(ct, &f, INT32_MAX) == NULL);
}

/* lib/ct's state machine (dsr_ct_tcp_next()) on an IPv6 entry's life. */
static void
test_tcp_state_machine(void)
{
	struct dsr_flow6 f = mkflow6(1, 2, 3, 4, TCP);
	struct dsr_ct6 *ct = new_ct6(100, NULL);
	struct dsr_ct6_entry *e;

	e = ins(ct, &f, 9, dsr_ct_tcp_next(DSR_CT_FREE, DSR_TCP_SYN), 0);
	CHECK(e != NULL && dsr_ct6_entry_state(e) == DSR_CT_SYN);
	if (e == NULL)
		return;
	dsr_ct6_touch(e, dsr_ct_tcp_next(dsr_ct6_entry_state(e), DSR_TCP_SYN), 1000);
	CHECK_EQ(dsr_ct6_entry_state(e), DSR_CT_SYN);
	dsr_ct6_touch(e, dsr_ct_tcp_next(dsr_ct6_entry_state(e), DSR_TCP_ACK), 2000);
	CHECK_EQ(dsr_ct6_entry_state(e), DSR_CT_EST);
	/* Established: alive well past the SYN timeout. */
	e = look(ct, &f, 2000 + 30000 + 100000);
	CHECK(e != NULL);
	if (e == NULL)
		return;
	dsr_ct6_touch(e, dsr_ct_tcp_next(dsr_ct6_entry_state(e), DSR_TCP_PSH | DSR_TCP_ACK),
		      200000);
	dsr_ct6_touch(e, dsr_ct_tcp_next(dsr_ct6_entry_state(e), DSR_TCP_FIN | DSR_TCP_ACK),
		      300000);
	CHECK_EQ(dsr_ct6_entry_state(e), DSR_CT_FIN);
	dsr_ct6_touch(e, dsr_ct_tcp_next(dsr_ct6_entry_state(e), DSR_TCP_ACK), 301000);
	CHECK_EQ(dsr_ct6_entry_state(e), DSR_CT_FIN);
	CHECK(look(ct, &f, 301000 + 60000 - 1) != NULL);
	CHECK(look(ct, &f, 301000 + 60000) == NULL);
}

static void
test_clock_wrap(void)
{
	struct dsr_flow6 f = mkflow6(1, 2, 3, 4, TCP), g = mkflow6(5, 6, 7, 8, UDP);
	const uint32_t t0 = UINT32_MAX - 10;
	struct cb_log log;
	struct dsr_ct6 *ct = new_ct6(100, &log);
	struct dsr_ct6_entry *e;

	CHECK(ins(ct, &f, 1, DSR_CT_SYN, t0) != NULL);
	CHECK(look(ct, &f, t0 + 29999) != NULL); /* now_ms has wrapped to 29988 */
	CHECK(look(ct, &f, t0 + 30000) == NULL);
	CHECK_EQ(log.expired, 1);
	/* A touch before the wrap, then a sweep after it. */
	e = ins(ct, &g, 2, DSR_CT_UDP, t0 - 1000);
	CHECK(e != NULL);
	if (e == NULL)
		return;
	dsr_ct6_touch(e, DSR_CT_UDP, t0 + 5);
	CHECK_EQ(dsr_ct6_sweep(ct, dsr_ct6_sweep_steps(ct), 1000), 0);
	CHECK(look(ct, &g, t0 + 5 + 299999) != NULL);
	CHECK_EQ(dsr_ct6_sweep(ct, dsr_ct6_sweep_steps(ct), t0 + 5 + 300000), 1);
	CHECK_EQ(dsr_ct6_count(ct), 0);
	/* Now behind last_seen (another clock reading): not expired. */
	CHECK(ins(ct, &f, 1, DSR_CT_SYN, 5000) != NULL);
	CHECK(look(ct, &f, 4000) != NULL);
}

static void
test_capacity(void)
{
	/* 18432 entries fill 90% of 2048 buckets: the design maximum. */
	static const uint32_t sizes[] = {1, 2, 3, 7, 19, 100, 1000, 1024, 18432};
	struct dsr_flow6 *fl = malloc(sizeof(*fl) * 18432), extra;
	struct dsr_ct6_entry *e;
	unsigned int s, i, lost;

	rng_state = 1;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint32_t max = sizes[s];
		struct dsr_ct6 *ct = new_ct6(max, NULL);

		CHECK_EQ(fill(ct, fl, max, DSR_CT_EST, 0), 0);
		CHECK_EQ(dsr_ct6_count(ct), max);
		extra = rnd_flow6();
		CHECK(ins(ct, &extra, 1, DSR_CT_EST, 0) == NULL);
		CHECK_EQ(dsr_ct6_count(ct), max);
		/* Relocation kept every entry findable, with its data. */
		for (i = 0, lost = 0; i < max; i++) {
			e = look(ct, &fl[i], 1);
			if (e == NULL || e->backend != (uint16_t)i ||
			    dsr_ct6_entry_state(e) != st_for(&fl[i], DSR_CT_EST) ||
			    e->last_seen != 0 || dsr_ct6_entry_proto(e) != fl[i].proto)
				lost++;
		}
		CHECK_EQ(lost, 0);
	}
	CHECK_EQ(dsr_ct6_buckets(new_ct6(18432, NULL)), 2048);
	free(fl);
}

/* Entries never move: a pointer stays good through inserts that relocate slots. */
static void
test_pointers_stable(void)
{
	enum { MAX = 18432 };
	struct dsr_flow6 *fl = malloc(sizeof(*fl) * MAX);
	struct dsr_ct6_entry **ep = malloc(sizeof(*ep) * MAX);
	unsigned int i, moved = 0;
	struct dsr_ct6 *ct = new_ct6(MAX, NULL);

	rng_state = 11;
	for (i = 0; i < MAX; i++) {
		fl[i] = rnd_flow6();
		ep[i] = ins(ct, &fl[i], (uint16_t)i, DSR_CT_EST, 0);
		CHECK(ep[i] != NULL);
	}
	for (i = 0; i < MAX; i++)
		moved += look(ct, &fl[i], 0) != ep[i];
	CHECK_EQ(moved, 0);
	free(ep);
	free(fl);
}

static void
test_full_reclaims_expired(void)
{
	enum { N = 2 * DSR_CT6_SLOTS };
	struct dsr_flow6 *fl = malloc(sizeof(*fl) * 2000), f[N + 1];
	const uint64_t forced = 42;
	unsigned int i, ok = 0;
	struct cb_log log;
	struct dsr_ct6 *ct = new_ct6(N, &log);

	/* Twenty flows of one hash fill the table and both their buckets. */
	for (i = 0; i <= N; i++)
		f[i] = mkflow6(1, 2, (uint16_t)i, 80, TCP);
	for (i = 0; i < N; i++)
		CHECK(dsr_ct6_insert(ct, &f[i], forced, (uint16_t)(1 + (i == 5)), DSR_CT_SYN,
				     i == 5 ? 0 : 10) != NULL);
	CHECK(dsr_ct6_insert(ct, &f[N], forced, 2, DSR_CT_SYN, 29999) == NULL);
	CHECK(ins(ct, &f[N], 2, DSR_CT_SYN, 29999) == NULL); /* full */
	CHECK_EQ(log.expired, 0);
	CHECK(dsr_ct6_insert(ct, &f[N], forced, 3, DSR_CT_SYN, 30000) != NULL);
	CHECK_EQ(log.expired, 1);
	CHECK_EQ(log.last_backend, 2); /* the callback saw the old entry, the expired one */
	CHECK_EQ(dsr_ct6_count(ct), N);
	CHECK(dsr_ct6_lookup(ct, &f[5], forced, 30000) == NULL);
	CHECK(dsr_ct6_lookup(ct, &f[N], forced, 30000) != NULL);

	/* A full table of random flows, all expired: new flows replace them. */
	rng_state = 2;
	ct = new_ct6(1000, &log);
	CHECK_EQ(fill(ct, fl, 1000, DSR_CT_SYN, 0), 0);
	for (i = 0; i < 1000; i++) {
		struct dsr_flow6 g = rnd_flow6();

		if (ins(ct, &g, 1, DSR_CT_EST, 30000) != NULL)
			ok++;
		CHECK(dsr_ct6_count(ct) <= 1000);
	}
	CHECK_EQ(ok, log.expired);
	/* Most succeed (897 here, where lib/ct's three-slot buckets get 782):
	 * the rest found only new, live entries in their two buckets. */
	CHECK(ok > 800);
	CHECK_EQ(dsr_ct6_count(ct), 1000);
	free(fl);
}

static int
match_dport(void *arg, const struct dsr_ct6_entry *e)
{
	return e->dst_port == *(const uint16_t *)arg;
}

static struct dsr_flow6
flush_flow(uint32_t i)
{
	return mkflow6(0xc0000200u + i, 0x64, (uint16_t)(1024 + i), i % 4 ? 443 : 80, TCP);
}

static void
test_remove_if(void)
{
	struct cb_log log;
	struct dsr_ct6 *ct = new_ct6(4096, &log);
	struct dsr_flow6 f;
	uint16_t port = 80;
	uint32_t cursor = 0, i;
	unsigned int removed = 0, passes = 0;

	for (i = 0; i < 1000; i++) {
		f = flush_flow(i);
		CHECK(ins(ct, &f, (uint16_t)i, DSR_CT_EST, 1000) != NULL);
	}
	/* In chunks of 100 buckets, as a worker does a flush between bursts. */
	while (cursor < dsr_ct6_buckets(ct)) {
		removed += dsr_ct6_remove_if(ct, &cursor, 100, match_dport, &port);
		passes++;
	}
	CHECK_EQ(removed, 250);
	CHECK_EQ(log.removed, 250);
	CHECK_EQ(log.expired, 0);
	CHECK_EQ(dsr_ct6_count(ct), 750);
	CHECK_EQ(passes, (dsr_ct6_buckets(ct) + 99) / 100);
	for (i = 0; i < 1000; i++) {
		f = flush_flow(i);
		CHECK((look(ct, &f, 1000) != NULL) == (i % 4 != 0));
	}
	CHECK_EQ(dsr_ct6_remove_if(ct, &cursor, 100, match_dport, &port), 0);
}

static void
test_sweep(void)
{
	struct dsr_flow6 *fl = malloc(sizeof(*fl) * 1000);
	unsigned int i, calls = 0, total = 0, n, first = 0;
	struct cb_log log;
	struct dsr_ct6 *ct = new_ct6(1000, &log);
	uint32_t ns = dsr_ct6_sweep_steps(ct);

	CHECK_EQ(ns, 250);
	rng_state = 3;
	CHECK_EQ(fill(ct, fl, 600, DSR_CT_SYN, 0), 0);
	CHECK_EQ(fill(ct, fl + 600, 400, DSR_CT_EST, 0), 0);
	CHECK_EQ(dsr_ct6_sweep(ct, ns * 2, 29999), 0);
	CHECK_EQ(log.expired, 0);
	/* Bounded steps: each call looks at 37 steps, the cursor wraps. */
	for (n = 0; n < ns + 37; n += 37) {
		unsigned int fr = dsr_ct6_sweep(ct, 37, 30000);

		CHECK(fr <= 37 * DSR_CT6_SWEEP_STEP);
		if (calls++ == 0)
			first = fr;
		total += fr;
	}
	CHECK(calls > 2);
	CHECK(first > 0 && first < 600);
	CHECK_EQ(total, 600);
	CHECK_EQ(log.expired, 600);
	CHECK_EQ(log.removed, 0);
	CHECK_EQ(dsr_ct6_count(ct), 400);
	for (i = 0; i < 1000; i++)
		CHECK((look(ct, &fl[i], 30000) != NULL) == (i >= 600));
	/* Freed entries are reused, and a sweep finds them in their new place. */
	CHECK_EQ(fill(ct, fl, 600, DSR_CT_SYN, 40000), 0);
	CHECK_EQ(dsr_ct6_sweep(ct, UINT32_MAX, 900000), 1000);
	CHECK_EQ(dsr_ct6_count(ct), 0);
	free(fl);
}

/* The paced sweep, in steps: as lib/ct's in buckets. */
static void
test_sweep_paced(void)
{
	struct dsr_flow6 *fl = malloc(sizeof(*fl) * 1000);
	struct dsr_ct_pace pace = {.last_ms = 30000};
	unsigned int i, freed = 0;
	struct cb_log log;
	struct dsr_ct6 *ct = new_ct6(1000, &log);
	uint32_t ns = dsr_ct6_sweep_steps(ct), per_ms = ns / 100 + 1, start = ct->sweep_next, ms;

	rng_state = 5;
	CHECK_EQ(fill(ct, fl, 600, DSR_CT_SYN, 0), 0);
	for (i = 0; i < 100; i++)
		CHECK_EQ(dsr_ct6_sweep_paced(ct, &pace, 100, 2, 30000), 0);
	CHECK_EQ(ct->sweep_next, start);
	for (i = 0; i < per_ms + 10; i++)
		freed += dsr_ct6_sweep_paced(ct, &pace, 100, 2, 30001);
	CHECK_EQ(ct->sweep_next, (start + per_ms) % ns);
	CHECK_EQ(pace.due, 0);
	CHECK(freed > 0 && freed < 600);
	i = dsr_ct6_sweep_paced(ct, &pace, 100, 1, 90000);
	CHECK(i <= DSR_CT6_SWEEP_STEP);
	freed += i;
	CHECK_EQ(pace.due, ns - 1);
	pace.due = 0;
	for (ms = 90001; ms <= 90100; ms++)
		for (i = 0; i < per_ms; i++)
			freed += dsr_ct6_sweep_paced(ct, &pace, 100, 8, ms);
	CHECK_EQ(freed + dsr_ct6_count(ct), 600);
	CHECK_EQ(dsr_ct6_count(ct), 0);
	CHECK_EQ(log.expired, 600);
	pace.last_ms = UINT32_MAX;
	CHECK_EQ(dsr_ct6_sweep_paced(ct, &pace, 100, 2, 0), 0);
	CHECK_EQ(pace.due, per_ms - 2);
	free(fl);
}

static void
test_no_evict_live(void)
{
	struct dsr_flow6 *fl = malloc(sizeof(*fl) * 1000);
	unsigned int i, found = 0;
	struct cb_log log;
	struct dsr_ct6 *ct = new_ct6(1000, &log);
	struct dsr_ct6_entry *e;

	rng_state = 4;
	CHECK_EQ(fill(ct, fl, 1000, DSR_CT_EST, 0), 0);
	for (i = 0; i < 5000; i++) {
		struct dsr_flow6 g = rnd_flow6();

		CHECK(ins(ct, &g, 9, DSR_CT_SYN, 1000 + i) == NULL);
	}
	for (i = 0; i < 1000; i++) {
		e = look(ct, &fl[i], 10000);
		found += e != NULL && e->backend == (uint16_t)i;
	}
	CHECK_EQ(found, 1000);
	CHECK_EQ(log.expired + log.removed, 0);
	CHECK_EQ(dsr_ct6_count(ct), 1000);
	free(fl);
}

struct walk_ctx {
	unsigned char seen[4096];
	unsigned int n, bad, stop_after;
	const struct dsr_flow6 *fl;
};

static int
walk_fn(void *arg, const struct dsr_ct6_entry *e)
{
	struct walk_ctx *w = arg;
	struct dsr_flow6 f = flow_of(e);

	if (dsr_ct6_entry_state(e) == DSR_CT_FREE || e->backend >= 4096 ||
	    memcmp(&f, &w->fl[e->backend], sizeof(f)) != 0)
		w->bad++;
	else
		w->seen[e->backend]++;
	w->n++;
	return w->stop_after != 0 && w->n == w->stop_after ? 5 : 0;
}

static void
test_walk(void)
{
	static struct walk_ctx w;
	struct dsr_flow6 *fl = malloc(sizeof(*fl) * 2500);
	struct dsr_ct6 *ct = new_ct6(3000, NULL);
	uint32_t cur = 0, nb = dsr_ct6_buckets(ct), chunks = 0;
	unsigned int i, once = 0;

	rng_state = 5;
	CHECK_EQ(fill(ct, fl, 2500, DSR_CT_EST, 0), 0);
	for (i = 0; i < 2500; i += 5)
		dsr_ct6_remove(ct, look(ct, &fl[i], 0));
	memset(&w, 0, sizeof(w));
	w.fl = fl;
	while (cur < nb) {
		CHECK_EQ(dsr_ct6_walk(ct, &cur, 13, walk_fn, &w), 0);
		chunks++;
	}
	CHECK_EQ(cur, nb);
	CHECK_EQ(chunks, (nb + 12) / 13);
	CHECK_EQ(dsr_ct6_walk(ct, &cur, 13, walk_fn, &w), 0);
	CHECK_EQ(w.n, 2000);
	CHECK_EQ(w.n, dsr_ct6_count(ct));
	CHECK_EQ(w.bad, 0);
	for (i = 0; i < 2500; i++)
		once += w.seen[i] == (i % 5 != 0);
	CHECK_EQ(once, 2500);
	memset(&w, 0, sizeof(w));
	w.fl = fl;
	w.stop_after = 10;
	cur = 0;
	CHECK_EQ(dsr_ct6_walk(ct, &cur, nb, walk_fn, &w), 5);
	CHECK(cur > 0 && cur < nb);
	CHECK_EQ(w.n, 10);
	free(fl);
}

struct conc {
	struct dsr_ct6 *ct;
	int stop;
	unsigned long walks, entries, torn, over;
};

static int
conc_check(void *arg, const struct dsr_ct6_entry *e)
{
	struct conc *c = arg;
	struct dsr_flow6 f = flow_of(e);

	c->entries++;
	if (e->backend != key_sum6(&f) ||
	    (dsr_ct6_entry_proto(e) != TCP && dsr_ct6_entry_proto(e) != UDP))
		c->torn++;
	return 0;
}

static void *
conc_reader(void *arg)
{
	struct conc *c = arg;
	uint32_t cur;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		for (cur = 0; cur < dsr_ct6_buckets(c->ct);)
			dsr_ct6_walk(c->ct, &cur, 8, conc_check, c);
		if (dsr_ct6_count(c->ct) > dsr_ct6_capacity(c->ct))
			c->over++;
		c->walks++;
	}
	return NULL;
}

static void
test_concurrent_walk(void)
{
	enum { MAX = 300, OPS = 3000000 };
	static struct dsr_flow6 live[MAX];
	static struct conc c;
	unsigned int n = 0, i, lost = 0;
	pthread_t th;

	rng_state = 6;
	memset(&c, 0, sizeof(c));
	c.ct = new_ct6(MAX, NULL); /* small, so the reader often meets the writer */
	if (pthread_create(&th, NULL, conc_reader, &c) != 0) {
		CHECK(0);
		return;
	}
	for (i = 0; i < OPS; i++) {
		uint64_t r = rnd();

		if (n > 0 && (n == MAX || (r & 3) == 0)) {
			unsigned int k = (unsigned int)(r >> 8) % n;
			struct dsr_ct6_entry *e = look(c.ct, &live[k], i / 16);

			if (e == NULL)
				lost++;
			dsr_ct6_remove(c.ct, e);
			live[k] = live[--n];
		} else {
			struct dsr_flow6 f = rnd_flow6();

			if (ins(c.ct, &f, key_sum6(&f), DSR_CT_EST, i / 16) != NULL)
				live[n++] = f;
		}
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	printf("#    concurrent: %lu walks, %lu entries seen, %lu torn\n", c.walks, c.entries,
	       c.torn);
	CHECK(c.walks > 0);
	CHECK(c.entries > 0);
	CHECK_EQ(c.torn, 0);
	CHECK_EQ(c.over, 0);
	CHECK_EQ(lost, 0);
	CHECK_EQ(dsr_ct6_count(c.ct), n);
}

static void
test_bad_args(void)
{
	size_t sz = dsr_ct6_mem_size(1000);
	uint8_t *mem = aligned_alloc(64, sz + 64);
	uint32_t n;

	CHECK_EQ(dsr_ct6_mem_size(0), 0);
	CHECK_EQ(dsr_ct6_mem_size(DSR_CT6_MAX_ENTRIES + 1), 0);
	CHECK_EQ(dsr_ct6_mem_size(UINT32_MAX), 0);
	CHECK(dsr_ct6_mem_size(1) > 0);
	CHECK(dsr_ct6_mem_size(DSR_CT6_MAX_ENTRIES) > 0);
	CHECK(dsr_ct6_init(NULL, sz, 1000) == NULL);
	CHECK(dsr_ct6_init(mem + 8, sz, 1000) == NULL); /* not 64-byte aligned */
	CHECK(dsr_ct6_init(mem, sz - 1, 1000) == NULL);
	CHECK(dsr_ct6_init(mem, sz, 0) == NULL);
	CHECK(dsr_ct6_init(mem, SIZE_MAX, UINT32_MAX) == NULL);
	CHECK(dsr_ct6_init(mem, sz, 1000) == (struct dsr_ct6 *)mem);
	CHECK(dsr_ct6_init(mem, sz + 64, 1000) != NULL);
	free(mem);
	/* Memory: 48 bytes an entry plus 7.1 to 14.2 for the buckets (from 1000 entries). */
	for (n = 1000; n <= 2000000; n += 1 + n / 50) {
		size_t m = dsr_ct6_mem_size(n) - sizeof(struct dsr_ct6);

		CHECK(m * 10 >= (size_t)n * 551 && m * 10 <= (size_t)n * 623);
	}
	CHECK_EQ(dsr_ct6_mem_size(1u << 20), sizeof(struct dsr_ct6) + (56u << 20));
	CHECK_EQ(dsr_ct6_mem_size(10000), sizeof(struct dsr_ct6) + 480000 + 2048 * 64);
}

/* The key is compared whole; the packed word is lib/ct's. */
static void
test_entry_layout(void)
{
	struct dsr_flow6 t = mkflow6(1, 2, 0x3930, 0x5000, TCP);
	struct dsr_flow6 u = t, other = t;
	struct dsr_ct6 *ct = new_ct6(100, NULL);
	struct dsr_ct6_entry *e;

	CHECK_EQ(sizeof(struct dsr_ct6_entry), 48);
	CHECK_EQ(sizeof(struct dsr_ct6_bucket), 64);
	u.proto = UDP;
	other.proto = 58;
	CHECK(dsr_ct6_insert(ct, &t, hash6_of(&t), 1, DSR_CT_UDP, 0) == NULL);
	CHECK(dsr_ct6_insert(ct, &u, hash6_of(&u), 1, DSR_CT_EST, 0) == NULL);
	CHECK(dsr_ct6_insert(ct, &other, hash6_of(&other), 1, DSR_CT_EST, 0) == NULL);
	CHECK(dsr_ct6_insert(ct, &other, hash6_of(&other), 1, DSR_CT_UDP, 0) == NULL);
	CHECK_EQ(dsr_ct6_count(ct), 0);
	/* TCP and UDP flows of the same addresses and ports are two entries. */
	CHECK(dsr_ct6_insert(ct, &t, 42, 1, DSR_CT_SYN, 0) != NULL);
	CHECK(dsr_ct6_insert(ct, &u, 42, 2, DSR_CT_UDP, 0) != NULL);
	e = dsr_ct6_lookup(ct, &t, 42, 1);
	CHECK(e != NULL && e->backend == 1 && dsr_ct6_entry_proto(e) == TCP);
	e = dsr_ct6_lookup(ct, &u, 42, 1);
	CHECK(e != NULL && e->backend == 2 && dsr_ct6_entry_proto(e) == UDP);
	CHECK(dsr_ct6_lookup(ct, &other, 42, 1) == NULL);
	e = dsr_ct6_lookup(ct, &t, 42, 1);
	if (e == NULL)
		return;
	dsr_ct6_seq_init(e, DSR_CT_SEQ_HINT_MASK);
	CHECK_EQ(dsr_ct6_entry_state(e), DSR_CT_SYN);
	CHECK_EQ(dsr_ct6_entry_seq_hint(e), DSR_CT_SEQ_HINT_MASK);
	dsr_ct6_touch(e, DSR_CT_FIN, 2);
	CHECK(dsr_ct6_lookup(ct, &t, 42, 3) == e);
	CHECK_EQ(dsr_ct6_entry_seq_hint(e), DSR_CT_SEQ_HINT_MASK);
	CHECK_EQ(dsr_ct6_entry_state(e), DSR_CT_FIN);
}

/* The sequence hint and RST window, through lib/ct's helpers. */
static void
test_seq_hint(void)
{
	struct dsr_flow6 f = mkflow6(1, 2, 0x3930, 0x5000, TCP);
	struct dsr_ct6 *ct = new_ct6(100, NULL);
	const uint32_t step = 1u << DSR_CT_SEQ_HINT_SHIFT;
	uint32_t isn = 0xfff00000u, d, in = 0;
	struct dsr_ct6_entry *e = ins(ct, &f, 1, DSR_CT_SYN, 0);

	if (e == NULL) {
		CHECK(0);
		return;
	}
	dsr_ct6_seq_init(e, dsr_ct_seq_hint(isn + 1));
	CHECK(dsr_ct6_rst_in_window(e, dsr_ct_seq_hint(isn + 1)));
	for (d = 0; d < step; d += 4096) {
		CHECK(dsr_ct6_rst_in_window(e, dsr_ct_seq_hint(isn + 1 + d)));
		CHECK(dsr_ct6_rst_in_window(e, dsr_ct_seq_hint(isn + 1 - d)));
	}
	CHECK(!dsr_ct6_rst_in_window(e, dsr_ct_seq_hint(isn + 1 + 2 * step + 0x80000)));
	CHECK(!dsr_ct6_rst_in_window(e, dsr_ct_seq_hint(isn + 1 - 2 * step)));
	for (d = 0; d <= 3u << 20; d += 65536)
		dsr_ct6_touch_tcp(e, DSR_CT_EST, dsr_ct_seq_hint(isn + 1 + d), 10);
	CHECK_EQ(dsr_ct6_entry_seq_hint(e), dsr_ct_seq_hint(isn + 1 + (3u << 20)));
	CHECK_EQ(dsr_ct6_entry_state(e), DSR_CT_EST);
	CHECK_EQ(e->last_seen, 10);
	d = isn + 1 + (3u << 20);
	dsr_ct6_touch_tcp(e, DSR_CT_EST, dsr_ct_seq_hint(d + 0x40000000u), 11);
	dsr_ct6_touch_tcp(e, DSR_CT_EST, dsr_ct_seq_hint(d - step), 13);
	CHECK_EQ(dsr_ct6_entry_seq_hint(e), dsr_ct_seq_hint(d));
	CHECK_EQ(e->last_seen, 13);
	for (d = 0; d < (1u << DSR_CT_SEQ_HINT_BITS); d++)
		in += (unsigned int)dsr_ct6_rst_in_window(e, (uint16_t)d);
	CHECK_EQ(in, 3);
	CHECK(look(ct, &f, 14) == e); /* the hint is not part of the key */
}

void test_ct6_bench(void);

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_insert_lookup_remove),
		DSR_TEST(test_five_tuple_distinct),
		DSR_TEST(test_timeouts_default),
		DSR_TEST(test_timeouts_set),
		DSR_TEST(test_tcp_state_machine),
		DSR_TEST(test_clock_wrap),
		DSR_TEST(test_capacity),
		DSR_TEST(test_pointers_stable),
		DSR_TEST(test_full_reclaims_expired),
		DSR_TEST(test_sweep),
		DSR_TEST(test_sweep_paced),
		DSR_TEST(test_remove_if),
		DSR_TEST(test_no_evict_live),
		DSR_TEST(test_walk),
		DSR_TEST(test_concurrent_walk),
		DSR_TEST(test_bad_args),
		DSR_TEST(test_entry_layout),
		DSR_TEST(test_seq_hint),
		DSR_TEST(test_ct6_bench),
	};
	int rc = dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));

	free(table_mem);
	return rc;
}
