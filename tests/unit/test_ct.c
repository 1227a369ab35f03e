/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for lib/ct: the per-worker connection table. */

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_ct.h"
#include "ct_pvt.h"
#include "dsr_test.h"
#include "test_ct_util.h"

static void
test_insert_lookup_remove(void)
{
	struct cb_log log;
	struct dsr_ct *ct = new_ct(100, &log);
	struct dsr_flow f = mkflow(0x0100000a, 0x0200000a, 0x3930, 0x5000, TCP);
	struct dsr_ct_entry *e;

	CHECK_EQ(dsr_ct_count(ct), 0);
	CHECK_EQ(dsr_ct_capacity(ct), 100);
	CHECK(look(ct, &f, 1000) == NULL);
	e = ins(ct, &f, 7, DSR_CT_SYN, 1000);
	CHECK(e != NULL);
	if (e == NULL)
		return;
	CHECK(memcmp(e, &f, offsetof(struct dsr_flow, proto)) == 0); /* the key */
	CHECK_EQ(dsr_ct_entry_proto(e), TCP);
	CHECK_EQ(dsr_ct_entry_state(e), DSR_CT_SYN);
	CHECK_EQ(e->backend, 7);
	CHECK_EQ(e->last_seen, 1000);
	CHECK_EQ(dsr_ct_count(ct), 1);
	CHECK(look(ct, &f, 2000) == e);
	CHECK_EQ(e->last_seen, 1000); /* lookup does not touch */
	dsr_ct_touch(e, DSR_CT_EST, 3000);
	CHECK_EQ(dsr_ct_entry_state(e), DSR_CT_EST);
	CHECK_EQ(e->last_seen, 3000);
	dsr_ct_remove(ct, e);
	CHECK_EQ(dsr_ct_count(ct), 0);
	CHECK_EQ(log.removed, 1);
	CHECK_EQ(log.expired, 0);
	CHECK_EQ(log.last_backend, 7);
	CHECK_EQ(log.last_state, DSR_CT_EST); /* the callback sees the entry before it goes */
	CHECK(look(ct, &f, 3000) == NULL);
	dsr_ct_remove(ct, e);    /* already free: ignored */
	dsr_ct_remove(ct, NULL); /* ignored */
	CHECK_EQ(log.removed, 1);
	CHECK_EQ(dsr_ct_count(ct), 0);
	CHECK(ins(ct, &f, 1, DSR_CT_FREE, 0) == NULL); /* FREE is not a state to insert */
	CHECK(ins(ct, &f, 1, DSR_CT_NSTATES, 0) == NULL);
	CHECK_EQ(dsr_ct_count(ct), 0);
}

static void
test_five_tuple_distinct(void)
{
	struct dsr_flow f[7];
	struct dsr_ct_entry *e;
	struct dsr_ct *ct;
	unsigned int i, pass;
	const uint64_t forced = 0x123456789abcdef0ULL;

	f[0] = mkflow(0x0100000a, 0x0200000a, 1000, 80, TCP);
	for (i = 1; i < 7; i++)
		f[i] = f[0];
	f[1].src_ip ^= 0x01000000;
	f[2].dst_ip ^= 0x01000000;
	f[3].src_port ^= 1;
	f[4].dst_port ^= 0x100;
	f[5].proto = UDP;
	f[6].src_port ^= 2;
	/* Pass 0 with real hashes; pass 1 with one hash for all the flows. */
	for (pass = 0; pass < 2; pass++) {
		ct = new_ct(1000, NULL);
		for (i = 0; i < 6; i++) {
			uint64_t h = pass ? forced : hash_of(&f[i]);

			CHECK(dsr_ct_lookup(ct, &f[i], h, 0) == NULL);
			CHECK(dsr_ct_insert(ct, &f[i], h, (uint16_t)(100 + i),
					    st_for(&f[i], DSR_CT_EST), 0) != NULL);
		}
		CHECK_EQ(dsr_ct_count(ct), 6);
		for (i = 0; i < 6; i++) {
			e = dsr_ct_lookup(ct, &f[i], pass ? forced : hash_of(&f[i]), 1);
			CHECK(e != NULL && e->backend == 100 + i);
		}
		CHECK(dsr_ct_lookup(ct, &f[6], pass ? forced : hash_of(&f[6]), 1) == NULL);
	}
	/* Six flows of one hash fill both candidate buckets: a seventh has no
	 * slot (it may not evict a live entry) until one of the six goes. */
	CHECK(dsr_ct_insert(ct, &f[6], forced, 106, DSR_CT_SYN, 1) == NULL);
	CHECK_EQ(dsr_ct_count(ct), 6);
	for (i = 0; i < 6; i++) {
		e = dsr_ct_lookup(ct, &f[i], forced, 1);
		CHECK(e != NULL && e->backend == 100 + i);
	}
	dsr_ct_remove(ct, dsr_ct_lookup(ct, &f[3], forced, 1));
	e = dsr_ct_insert(ct, &f[6], forced, 106, DSR_CT_SYN, 1);
	CHECK(e != NULL && dsr_ct_lookup(ct, &f[6], forced, 1) == e);
	CHECK(dsr_ct_lookup(ct, &f[3], forced, 1) == NULL);
}

static void
check_boundaries(struct dsr_ct *ct, struct cb_log *log, const uint32_t *tmo, uint32_t t0)
{
	static const uint8_t states[] = {DSR_CT_SYN, DSR_CT_EST, DSR_CT_FIN, DSR_CT_UDP};
	unsigned int i;

	for (i = 0; i < sizeof(states); i++) {
		struct dsr_flow f = mkflow(0x0100000a + i, 0x0200000a, 5000, 443,
					   states[i] == DSR_CT_UDP ? UDP : TCP);
		uint32_t t = tmo[states[i]];
		unsigned int before = log->expired;

		CHECK(ins(ct, &f, 3, states[i], t0) != NULL);
		CHECK(look(ct, &f, t0 + t - 1) != NULL);
		CHECK_EQ(log->expired, before);
		CHECK(look(ct, &f, t0 + t) == NULL);
		CHECK_EQ(log->expired, before + 1);
		CHECK_EQ(log->last_state, states[i]);
		CHECK_EQ(dsr_ct_count(ct), 0);
		CHECK(look(ct, &f, t0 + t) == NULL);
		CHECK_EQ(log->expired, before + 1);
	}
}

static void
test_timeouts_default(void)
{
	static const uint32_t tmo[DSR_CT_NSTATES] = {0, 30000, 900000, 60000, 300000};
	struct cb_log log;
	struct dsr_ct *ct = new_ct(100, &log);

	check_boundaries(ct, &log, tmo, 12345);
}

static void
test_timeouts_set(void)
{
	static const uint32_t tmo[DSR_CT_NSTATES] = {777, 100, 200, 300, 400};
	uint32_t big[DSR_CT_NSTATES] = {0, 1, UINT32_MAX, 1, 1};
	struct dsr_flow f = mkflow(1, 2, 3, 4, TCP);
	struct cb_log log;
	struct dsr_ct *ct = new_ct(100, &log);
	struct dsr_ct_entry *e;

	dsr_ct_set_timeouts(ct, tmo);
	check_boundaries(ct, &log, tmo, 5);
	/* A new timeout applies to entries already in the table. */
	CHECK(ins(ct, &f, 1, DSR_CT_EST, 0) != NULL);
	CHECK(look(ct, &f, 150) != NULL);
	dsr_ct_set_timeouts(ct, (const uint32_t[DSR_CT_NSTATES]){0, 100, 250, 300, 400});
	CHECK(look(ct, &f, 249) != NULL);
	CHECK(look(ct, &f, 250) == NULL);
	/* Timeouts are clamped to INT32_MAX ms. */
	dsr_ct_set_timeouts(ct, big);
	e = ins(ct, &f, 1, DSR_CT_EST, 0);
	CHECK(e != NULL);
	CHECK(look(ct, &f, INT32_MAX - 1) != NULL);
	CHECK(look(ct, &f, INT32_MAX) == NULL);
}

static void
test_tcp_state_machine(void)
{
	struct dsr_flow f = mkflow(1, 2, 3, 4, TCP);
	struct dsr_ct *ct = new_ct(100, NULL);
	struct dsr_ct_entry *e;

	/* {state, flags, next} */
	static const uint8_t tr[][3] = {
		{DSR_CT_FREE, DSR_TCP_SYN, DSR_CT_SYN},
		{DSR_CT_SYN, DSR_TCP_SYN, DSR_CT_SYN}, /* SYN retransmitted */
		{DSR_CT_SYN, DSR_TCP_ACK, DSR_CT_EST},
		{DSR_CT_SYN, DSR_TCP_ACK | DSR_TCP_PSH, DSR_CT_EST},
		{DSR_CT_SYN, DSR_TCP_SYN | DSR_TCP_ACK, DSR_CT_EST},
		{DSR_CT_SYN, 0, DSR_CT_EST},
		{DSR_CT_EST, DSR_TCP_ACK | DSR_TCP_PSH, DSR_CT_EST}, /* data */
		{DSR_CT_EST, DSR_TCP_SYN, DSR_CT_EST},
		{DSR_CT_EST, DSR_TCP_FIN, DSR_CT_FIN},
		{DSR_CT_EST, DSR_TCP_FIN | DSR_TCP_ACK, DSR_CT_FIN},
		{DSR_CT_SYN, DSR_TCP_FIN, DSR_CT_FIN},
		{DSR_CT_FREE, DSR_TCP_FIN | DSR_TCP_ACK, DSR_CT_FIN},
		{DSR_CT_FIN, DSR_TCP_ACK, DSR_CT_FIN}, /* ACK after FIN */
		{DSR_CT_FIN, DSR_TCP_SYN, DSR_CT_FIN},
		{DSR_CT_FIN, DSR_TCP_FIN | DSR_TCP_ACK, DSR_CT_FIN},
		{DSR_CT_FREE, DSR_TCP_ACK, DSR_CT_EST}};
	unsigned int i;

	for (i = 0; i < sizeof(tr) / sizeof(tr[0]); i++)
		CHECK_EQ(dsr_ct_tcp_next(tr[i][0], tr[i][1]), tr[i][2]);

	/* A connection's life, each state with its own timeout. */
	e = ins(ct, &f, 9, dsr_ct_tcp_next(DSR_CT_FREE, DSR_TCP_SYN), 0);
	CHECK(e != NULL && dsr_ct_entry_state(e) == DSR_CT_SYN);
	if (e == NULL)
		return;
	dsr_ct_touch(e, dsr_ct_tcp_next(dsr_ct_entry_state(e), DSR_TCP_SYN), 1000);
	CHECK_EQ(dsr_ct_entry_state(e), DSR_CT_SYN);
	dsr_ct_touch(e, dsr_ct_tcp_next(dsr_ct_entry_state(e), DSR_TCP_ACK), 2000);
	CHECK_EQ(dsr_ct_entry_state(e), DSR_CT_EST);
	/* Established: alive well past the SYN timeout. */
	e = look(ct, &f, 2000 + 30000 + 100000);
	CHECK(e != NULL);
	if (e == NULL)
		return;
	dsr_ct_touch(e, dsr_ct_tcp_next(dsr_ct_entry_state(e), DSR_TCP_PSH | DSR_TCP_ACK), 200000);
	dsr_ct_touch(e, dsr_ct_tcp_next(dsr_ct_entry_state(e), DSR_TCP_FIN | DSR_TCP_ACK), 300000);
	CHECK_EQ(dsr_ct_entry_state(e), DSR_CT_FIN);
	dsr_ct_touch(e, dsr_ct_tcp_next(dsr_ct_entry_state(e), DSR_TCP_ACK), 301000);
	CHECK_EQ(dsr_ct_entry_state(e), DSR_CT_FIN);
	CHECK(look(ct, &f, 301000 + 60000 - 1) != NULL);
	CHECK(look(ct, &f, 301000 + 60000) == NULL);
}

static void
test_clock_wrap(void)
{
	struct dsr_flow f = mkflow(1, 2, 3, 4, TCP), g = mkflow(5, 6, 7, 8, UDP);
	const uint32_t t0 = UINT32_MAX - 10;
	struct cb_log log;
	struct dsr_ct *ct = new_ct(100, &log);
	struct dsr_ct_entry *e;

	CHECK(ins(ct, &f, 1, DSR_CT_SYN, t0) != NULL);
	CHECK(look(ct, &f, t0 + 29999) != NULL); /* now_ms has wrapped to 29988 */
	CHECK(look(ct, &f, t0 + 30000) == NULL);
	CHECK_EQ(log.expired, 1);
	/* A touch before the wrap, then a sweep after it. */
	e = ins(ct, &g, 2, DSR_CT_UDP, t0 - 1000);
	CHECK(e != NULL);
	if (e == NULL)
		return;
	dsr_ct_touch(e, DSR_CT_UDP, t0 + 5);
	CHECK_EQ(dsr_ct_sweep(ct, dsr_ct_buckets(ct), 1000), 0);
	CHECK(look(ct, &g, t0 + 5 + 299999) != NULL);
	CHECK_EQ(dsr_ct_sweep(ct, dsr_ct_buckets(ct), t0 + 5 + 300000), 1);
	CHECK_EQ(dsr_ct_count(ct), 0);
	/* Now behind last_seen (another clock reading): not expired. */
	CHECK(ins(ct, &f, 1, DSR_CT_SYN, 5000) != NULL);
	CHECK(look(ct, &f, 4000) != NULL);
}

static void
test_capacity(void)
{
	static const uint32_t sizes[] = {1, 2, 3, 7, 100, 1000, 1024, 4915};
	struct dsr_flow *fl = malloc(sizeof(*fl) * 5000), extra;
	struct dsr_ct_entry *e;
	unsigned int s, i, lost;

	rng_state = 1;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint32_t max = sizes[s];
		struct dsr_ct *ct = new_ct(max, NULL);

		/* 4915 entries fill 80% of 2048 buckets: the design maximum. */
		CHECK_EQ(fill(ct, fl, max, DSR_CT_EST, 0), 0);
		CHECK_EQ(dsr_ct_count(ct), max);
		extra = rnd_flow();
		CHECK(ins(ct, &extra, 1, DSR_CT_EST, 0) == NULL);
		CHECK_EQ(dsr_ct_count(ct), max);
		/* Relocation kept every entry findable, with its data. */
		for (i = 0, lost = 0; i < max; i++) {
			e = look(ct, &fl[i], 1);
			if (e == NULL || e->backend != (uint16_t)i ||
			    dsr_ct_entry_state(e) != st_for(&fl[i], DSR_CT_EST) ||
			    e->last_seen != 0 || dsr_ct_entry_proto(e) != fl[i].proto)
				lost++;
		}
		CHECK_EQ(lost, 0);
	}
	free(fl);
}

static void
test_full_reclaims_expired(void)
{
	struct dsr_flow *fl = malloc(sizeof(*fl) * 2000), f[7];
	const uint64_t forced = 42;
	unsigned int i, ok = 0;
	struct cb_log log;
	struct dsr_ct *ct = new_ct(6, &log);

	/* Six flows of one hash fill the table and both their buckets. */
	for (i = 0; i < 7; i++)
		f[i] = mkflow(1, 2, (uint16_t)i, 80, TCP);
	for (i = 0; i < 6; i++)
		CHECK(dsr_ct_insert(ct, &f[i], forced, 1, DSR_CT_SYN, 0) != NULL);
	CHECK(dsr_ct_insert(ct, &f[6], forced, 2, DSR_CT_SYN, 29999) == NULL);
	CHECK(ins(ct, &f[6], 2, DSR_CT_SYN, 29999) == NULL); /* full */
	CHECK_EQ(log.expired, 0);
	CHECK(dsr_ct_insert(ct, &f[6], forced, 2, DSR_CT_SYN, 30000) != NULL);
	CHECK_EQ(log.expired, 1);
	CHECK_EQ(log.last_backend, 1); /* the callback saw the old entry */
	CHECK_EQ(dsr_ct_count(ct), 6);

	/* A full table of random flows, all expired: new flows replace them. */
	rng_state = 2;
	ct = new_ct(1000, &log);
	CHECK_EQ(fill(ct, fl, 1000, DSR_CT_SYN, 0), 0);
	for (i = 0; i < 1000; i++) {
		struct dsr_flow g = rnd_flow();

		if (ins(ct, &g, 1, DSR_CT_EST, 30000) != NULL)
			ok++;
		CHECK(dsr_ct_count(ct) <= 1000);
	}
	CHECK_EQ(ok, log.expired);
	/* Most succeed (782 here): the rest found only new, live entries in
	 * their two buckets, and a full table looks no further. */
	CHECK(ok > 500);
	CHECK_EQ(dsr_ct_count(ct), 1000);
	free(fl);
}

static int
match_dport(void *arg, const struct dsr_ct_entry *e)
{
	return e->dst_port == *(const uint16_t *)arg;
}

static void
test_remove_if(void)
{
	struct cb_log log;
	struct dsr_ct *ct = new_ct(4096, &log);
	struct dsr_flow f;
	uint16_t port = 80;
	uint32_t cursor = 0, i;
	unsigned int removed = 0, passes = 0;

	for (i = 0; i < 1000; i++) {
		f = mkflow(0xc0000200u + i, 0x0a000064u, (uint16_t)(1024 + i), i % 4 ? 443 : 80, 6);
		CHECK(ins(ct, &f, (uint16_t)i, DSR_CT_EST, 1000) != NULL);
	}
	/* In chunks of 100 buckets, as a worker does a flush between bursts. */
	while (cursor < dsr_ct_buckets(ct)) {
		removed += dsr_ct_remove_if(ct, &cursor, 100, match_dport, &port);
		passes++;
	}
	CHECK_EQ(removed, 250);
	CHECK_EQ(log.removed, 250);
	CHECK_EQ(log.expired, 0);
	CHECK_EQ(dsr_ct_count(ct), 750);
	CHECK_EQ(passes, (dsr_ct_buckets(ct) + 99) / 100);
	for (i = 0; i < 1000; i++) {
		f = mkflow(0xc0000200u + i, 0x0a000064u, (uint16_t)(1024 + i), i % 4 ? 443 : 80, 6);
		CHECK((look(ct, &f, 1000) != NULL) == (i % 4 != 0));
	}
	/* A finished cursor removes nothing more. */
	CHECK_EQ(dsr_ct_remove_if(ct, &cursor, 100, match_dport, &port), 0);
}

static void
test_sweep(void)
{
	struct dsr_flow *fl = malloc(sizeof(*fl) * 1000);
	unsigned int i, calls = 0, total = 0, n, first = 0;
	struct cb_log log;
	struct dsr_ct *ct = new_ct(1000, &log);
	uint32_t nb = dsr_ct_buckets(ct);

	rng_state = 3;
	CHECK_EQ(fill(ct, fl, 600, DSR_CT_SYN, 0), 0);
	CHECK_EQ(fill(ct, fl + 600, 400, DSR_CT_EST, 0), 0);
	CHECK_EQ(dsr_ct_sweep(ct, nb * 2, 29999), 0);
	CHECK_EQ(log.expired, 0);
	/* Bounded steps: each looks at 37 buckets, the cursor wraps. */
	for (n = 0; n < nb + 37; n += 37) {
		unsigned int fr = dsr_ct_sweep(ct, 37, 30000);

		CHECK(fr <= 37 * 3);
		if (calls++ == 0)
			first = fr;
		total += fr;
	}
	CHECK(calls > 2);
	CHECK(first > 0 && first < 600);
	CHECK_EQ(total, 600);
	CHECK_EQ(log.expired, 600);
	CHECK_EQ(log.removed, 0);
	CHECK_EQ(dsr_ct_count(ct), 400);
	for (i = 0; i < 1000; i++)
		CHECK((look(ct, &fl[i], 30000) != NULL) == (i >= 600));
	CHECK_EQ(dsr_ct_sweep(ct, UINT32_MAX, 900000), 400);
	CHECK_EQ(dsr_ct_count(ct), 0);
	free(fl);
}

/*
 * The paced sweep: nothing while the clock stands still, buckets / pass
 * + 1 buckets a millisecond, at most max a call, never more than one
 * pass in hand; a whole pass in pass_ms frees every expired entry.
 */
static void
test_sweep_paced(void)
{
	struct dsr_flow *fl = malloc(sizeof(*fl) * 1000);
	struct dsr_ct_pace pace = {.last_ms = 30000};
	unsigned int i, freed = 0;
	struct cb_log log;
	struct dsr_ct *ct = new_ct(1000, &log);
	uint32_t nb = dsr_ct_buckets(ct), per_ms = nb / 100 + 1, start = ct->sweep_next, ms;

	rng_state = 5;
	CHECK_EQ(fill(ct, fl, 600, DSR_CT_SYN, 0), 0);
	/* The clock stands still: nothing is due, nothing is swept. */
	for (i = 0; i < 100; i++)
		CHECK_EQ(dsr_ct_sweep_paced(ct, &pace, 100, 2, 30000), 0);
	CHECK_EQ(ct->sweep_next, start);
	/* One millisecond later: per_ms buckets, 2 a call. */
	for (i = 0; i < per_ms + 10; i++)
		freed += dsr_ct_sweep_paced(ct, &pace, 100, 2, 30001);
	CHECK_EQ(ct->sweep_next, (start + per_ms) & (nb - 1));
	CHECK_EQ(pace.due, 0);
	CHECK(freed > 0 && freed < 600);
	/* A long pause earns one pass at most; one call sweeps at most max. */
	CHECK(dsr_ct_sweep_paced(ct, &pace, 100, 1, 90000) <= 3);
	CHECK_EQ(pace.due, nb - 1);
	/* Every millisecond of a pass: the whole table, every SYN entry freed. */
	pace.due = 0;
	for (ms = 90001; ms <= 90100; ms++)
		for (i = 0; i < per_ms; i++)
			freed += dsr_ct_sweep_paced(ct, &pace, 100, 8, ms);
	CHECK_EQ(freed + dsr_ct_count(ct), 600);
	CHECK_EQ(dsr_ct_count(ct), 0);
	CHECK_EQ(log.expired, 600);
	/* The clock may wrap. */
	pace.last_ms = UINT32_MAX;
	CHECK_EQ(dsr_ct_sweep_paced(ct, &pace, 100, 4, 0), 0);
	CHECK_EQ(pace.due, per_ms - 4);
	free(fl);
}

static void
test_no_evict_live(void)
{
	struct dsr_flow *fl = malloc(sizeof(*fl) * 1000);
	unsigned int i, found = 0;
	struct cb_log log;
	struct dsr_ct *ct = new_ct(1000, &log);
	struct dsr_ct_entry *e;

	rng_state = 4;
	CHECK_EQ(fill(ct, fl, 1000, DSR_CT_EST, 0), 0);
	/* A SYN flood at a full table of live flows: nothing gets in. */
	for (i = 0; i < 5000; i++) {
		struct dsr_flow g = rnd_flow();

		CHECK(ins(ct, &g, 9, DSR_CT_SYN, 1000 + i) == NULL);
	}
	for (i = 0; i < 1000; i++) {
		e = look(ct, &fl[i], 10000);
		found += e != NULL && e->backend == (uint16_t)i;
	}
	CHECK_EQ(found, 1000);
	CHECK_EQ(log.expired + log.removed, 0);
	CHECK_EQ(dsr_ct_count(ct), 1000);
	free(fl);
}

struct walk_ctx {
	unsigned char seen[4096];
	unsigned int n, bad, stop_after;
};

static int
walk_fn(void *arg, const struct dsr_ct_entry *e)
{
	struct walk_ctx *w = arg;

	if (dsr_ct_entry_state(e) == DSR_CT_FREE || e->backend >= 4096)
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
	struct dsr_flow *fl = malloc(sizeof(*fl) * 2500);
	struct dsr_ct *ct = new_ct(3000, NULL);
	uint32_t cur = 0, nb = dsr_ct_buckets(ct), chunks = 0;
	unsigned int i, once = 0;

	rng_state = 5;
	CHECK_EQ(fill(ct, fl, 2500, DSR_CT_EST, 0), 0);
	for (i = 0; i < 2500; i += 5)
		dsr_ct_remove(ct, look(ct, &fl[i], 0));
	memset(&w, 0, sizeof(w));
	while (cur < nb) {
		CHECK_EQ(dsr_ct_walk(ct, &cur, 13, walk_fn, &w), 0);
		chunks++;
	}
	CHECK_EQ(cur, nb);
	CHECK_EQ(chunks, (nb + 12) / 13);
	CHECK_EQ(dsr_ct_walk(ct, &cur, 13, walk_fn, &w), 0); /* done: nothing more */
	CHECK_EQ(w.n, 2000);
	CHECK_EQ(w.n, dsr_ct_count(ct));
	CHECK_EQ(w.bad, 0);
	for (i = 0; i < 2500; i++)
		once += w.seen[i] == (i % 5 != 0);
	CHECK_EQ(once, 2500);
	/* Stopping early returns fn's value and the cursor moves on. */
	memset(&w, 0, sizeof(w));
	w.stop_after = 10;
	cur = 0;
	CHECK_EQ(dsr_ct_walk(ct, &cur, nb, walk_fn, &w), 5);
	CHECK(cur > 0 && cur < nb);
	CHECK_EQ(w.n, 10);
	free(fl);
}

struct conc {
	struct dsr_ct *ct;
	int stop;
	unsigned long walks, entries, torn, over;
};

static int
conc_check(void *arg, const struct dsr_ct_entry *e)
{
	struct conc *c = arg;
	struct dsr_flow f =
		mkflow(e->src_ip, e->dst_ip, e->src_port, e->dst_port, dsr_ct_entry_proto(e));

	c->entries++;
	if (e->backend != key_sum(&f) ||
	    (dsr_ct_entry_proto(e) != TCP && dsr_ct_entry_proto(e) != UDP))
		c->torn++;
	return 0;
}

static void *
conc_reader(void *arg)
{
	struct conc *c = arg;
	uint32_t cur;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		for (cur = 0; cur < dsr_ct_buckets(c->ct);)
			dsr_ct_walk(c->ct, &cur, 8, conc_check, c);
		if (dsr_ct_count(c->ct) > dsr_ct_capacity(c->ct))
			c->over++;
		c->walks++;
	}
	return NULL;
}

static void
test_concurrent_walk(void)
{
	enum { MAX = 300, OPS = 6000000 };
	static struct dsr_flow live[MAX];
	static struct conc c;
	unsigned int n = 0, i, lost = 0;
	pthread_t th;

	rng_state = 6;
	memset(&c, 0, sizeof(c));
	c.ct = new_ct(MAX, NULL); /* small, so the reader often meets the writer */
	if (pthread_create(&th, NULL, conc_reader, &c) != 0) {
		CHECK(0);
		return;
	}
	for (i = 0; i < OPS; i++) {
		uint64_t r = rnd();

		if (n > 0 && (n == MAX || (r & 3) == 0)) {
			unsigned int k = (unsigned int)(r >> 8) % n;
			struct dsr_ct_entry *e = look(c.ct, &live[k], i / 16);

			if (e == NULL)
				lost++;
			dsr_ct_remove(c.ct, e);
			live[k] = live[--n];
		} else {
			struct dsr_flow f = rnd_flow();

			if (ins(c.ct, &f, key_sum(&f), DSR_CT_EST, i / 16) != NULL)
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
	CHECK_EQ(dsr_ct_count(c.ct), n);
}

static void
test_bad_args(void)
{
	size_t sz = dsr_ct_mem_size(1000);
	uint8_t *mem = aligned_alloc(64, sz + 64);
	uint32_t n;

	CHECK_EQ(dsr_ct_mem_size(0), 0);
	CHECK_EQ(dsr_ct_mem_size(DSR_CT_MAX_ENTRIES + 1), 0);
	CHECK_EQ(dsr_ct_mem_size(UINT32_MAX), 0);
	CHECK(dsr_ct_mem_size(1) > 0);
	CHECK(dsr_ct_mem_size(DSR_CT_MAX_ENTRIES) > 0);
	CHECK(sz > 0);
	CHECK(dsr_ct_init(NULL, sz, 1000) == NULL);
	CHECK(dsr_ct_init(mem + 8, sz, 1000) == NULL); /* not 64-byte aligned */
	CHECK(dsr_ct_init(mem, sz - 1, 1000) == NULL);
	CHECK(dsr_ct_init(mem, sz, 0) == NULL);
	CHECK(dsr_ct_init(mem, SIZE_MAX, UINT32_MAX) == NULL);
	CHECK(dsr_ct_init(mem, sz, 1000) == (struct dsr_ct *)mem);
	CHECK(dsr_ct_init(mem, sz + 64, 1000) != NULL);
	free(mem);
	/* Memory: <= 54 bytes per entry (from 64 entries), 32 for powers of two. */
	for (n = 1; n <= 200000; n += 1 + n / 50) {
		size_t m = dsr_ct_mem_size(n);

		if (n >= 64)
			CHECK(m * 10 <= (size_t)n * 540 + 10 * sizeof(struct dsr_ct));
	}
	CHECK_EQ(dsr_ct_mem_size(1u << 20), sizeof(struct dsr_ct) + (32u << 20));
	CHECK_EQ(dsr_ct_mem_size(1u << 22), sizeof(struct dsr_ct) + (128u << 20));
	CHECK_EQ(dsr_ct_buckets(new_ct(1u << 10, NULL)), 512);
}

/* The packed word: state, protocol by state, sequence hint; 20-byte entries. */
static void
test_entry_layout(void)
{
	struct dsr_flow t = mkflow(0x0100000a, 0x0200000a, 0x3930, 0x5000, TCP);
	struct dsr_flow u = t, other = t;
	struct dsr_ct *ct = new_ct(100, NULL);
	struct dsr_ct_entry *e;

	CHECK_EQ(sizeof(struct dsr_ct_entry), 20);
	CHECK_EQ(sizeof(struct dsr_ct_bucket), 64);
	u.proto = UDP;
	other.proto = 1;
	/* A state must match its protocol, and only TCP and UDP go in. */
	CHECK(dsr_ct_insert(ct, &t, hash_of(&t), 1, DSR_CT_UDP, 0) == NULL);
	CHECK(dsr_ct_insert(ct, &u, hash_of(&u), 1, DSR_CT_EST, 0) == NULL);
	CHECK(dsr_ct_insert(ct, &other, hash_of(&other), 1, DSR_CT_EST, 0) == NULL);
	CHECK(dsr_ct_insert(ct, &other, hash_of(&other), 1, DSR_CT_UDP, 0) == NULL);
	CHECK_EQ(dsr_ct_count(ct), 0);
	/* TCP and UDP flows of the same addresses and ports are two entries. */
	CHECK(dsr_ct_insert(ct, &t, 42, 1, DSR_CT_SYN, 0) != NULL);
	CHECK(dsr_ct_insert(ct, &u, 42, 2, DSR_CT_UDP, 0) != NULL);
	e = dsr_ct_lookup(ct, &t, 42, 1);
	CHECK(e != NULL && e->backend == 1 && dsr_ct_entry_proto(e) == TCP);
	e = dsr_ct_lookup(ct, &u, 42, 1);
	CHECK(e != NULL && e->backend == 2 && dsr_ct_entry_proto(e) == UDP);
	CHECK(dsr_ct_lookup(ct, &other, 42, 1) == NULL); /* another protocol finds neither */
	/* Every TCP state keeps the TCP key; the hint never changes the state. */
	e = dsr_ct_lookup(ct, &t, 42, 1);
	dsr_ct_seq_init(e, DSR_CT_SEQ_HINT_MASK);
	CHECK_EQ(dsr_ct_entry_state(e), DSR_CT_SYN);
	CHECK_EQ(dsr_ct_entry_seq_hint(e), DSR_CT_SEQ_HINT_MASK);
	dsr_ct_touch(e, DSR_CT_FIN, 2);
	CHECK(dsr_ct_lookup(ct, &t, 42, 3) == e);
	CHECK_EQ(dsr_ct_entry_seq_hint(e), DSR_CT_SEQ_HINT_MASK);
	CHECK_EQ(dsr_ct_entry_state(e), DSR_CT_FIN);
}

/* The sequence hint: how it moves, and which RSTs are in window. */
static void
test_seq_hint(void)
{
	struct dsr_flow f = mkflow(0x0100000a, 0x0200000a, 0x3930, 0x5000, TCP);
	struct dsr_ct *ct = new_ct(100, NULL);
	const uint32_t step = 1u << DSR_CT_SEQ_HINT_SHIFT;
	uint32_t isn = 0xfff00000u; /* the numbers wrap within this test */
	struct dsr_ct_entry *e = ins(ct, &f, 1, DSR_CT_SYN, 0);
	uint32_t d;

	CHECK_EQ(step, 512 * 1024);
	if (e == NULL)
		return;
	dsr_ct_seq_init(e, dsr_ct_seq_hint(isn + 1));
	/* Right after the SYN: the client's RST (seq isn + 1) is in window. */
	CHECK(dsr_ct_rst_in_window(e, dsr_ct_seq_hint(isn + 1)));
	/* In window: at least one step either side, at most two. */
	for (d = 0; d < step; d += 4096) {
		CHECK(dsr_ct_rst_in_window(e, dsr_ct_seq_hint(isn + 1 + d)));
		CHECK(dsr_ct_rst_in_window(e, dsr_ct_seq_hint(isn + 1 - d)));
	}
	CHECK(!dsr_ct_rst_in_window(e, dsr_ct_seq_hint(isn + 1 + 2 * step + 0x80000)));
	CHECK(!dsr_ct_rst_in_window(e, dsr_ct_seq_hint(isn + 1 - 2 * step)));
	CHECK(!dsr_ct_rst_in_window(e, dsr_ct_seq_hint(isn + 0x80000000u)));
	/* The client sends 3 MiB, 64 KiB at a time: the hint follows, across the wrap. */
	for (d = 0; d <= 3u << 20; d += 65536)
		dsr_ct_touch_tcp(e, DSR_CT_EST, dsr_ct_seq_hint(isn + 1 + d), 10);
	CHECK_EQ(dsr_ct_entry_seq_hint(e), dsr_ct_seq_hint(isn + 1 + (3u << 20)));
	CHECK_EQ(dsr_ct_entry_state(e), DSR_CT_EST);
	CHECK(dsr_ct_rst_in_window(e, dsr_ct_seq_hint(isn + 1 + (3u << 20))));
	CHECK(!dsr_ct_rst_in_window(e, dsr_ct_seq_hint(isn + 1)));
	/* A segment far away (spoofed, or before a long loss) does not move it. */
	d = isn + 1 + (3u << 20);
	dsr_ct_touch_tcp(e, DSR_CT_EST, dsr_ct_seq_hint(d + 0x40000000u), 11);
	dsr_ct_touch_tcp(e, DSR_CT_EST, dsr_ct_seq_hint(d + 2 * step), 12);
	dsr_ct_touch_tcp(e, DSR_CT_EST, dsr_ct_seq_hint(d - step), 13); /* behind: kept */
	CHECK_EQ(dsr_ct_entry_seq_hint(e), dsr_ct_seq_hint(d));
	CHECK_EQ(e->last_seen, 13);
	/* Of all 2^13 hints a random sequence number can have, 3 are in window. */
	for (d = 0, f.src_port = 0; d < (1u << DSR_CT_SEQ_HINT_BITS); d++)
		f.src_port = (uint16_t)(f.src_port + dsr_ct_rst_in_window(e, (uint16_t)d));
	CHECK_EQ(f.src_port, 3);
}

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
	};
	int rc = dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));

	free(table_mem);
	return rc;
}
