/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_TEST_CT_UTIL_H
#define DSR_TEST_CT_UTIL_H

/*
 * Helpers of test_ct.c: flows, a hash of the tests' own (so that the
 * tests do not depend on dsr_flow_hash()), tables, a free-callback log.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_ct.h"

#define TCP 6
#define UDP 17

/* The tests hash flows themselves, so they do not need pkt.c. */
static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
hash_of(const struct dsr_flow *f)
{
	uint64_t a, b;

	memcpy(&a, f, 8);
	memcpy(&b, (const uint8_t *)f + 8, 8);
	return mix64(a ^ mix64(b + 0x9e3779b97f4a7c15ULL));
}

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	rng_state += 0x9e3779b97f4a7c15ULL;
	return mix64(rng_state);
}

static struct dsr_flow
mkflow(uint32_t sip, uint32_t dip, uint16_t sp, uint16_t dp, uint8_t proto)
{
	return (struct dsr_flow){
		.src_ip = sip, .dst_ip = dip, .src_port = sp, .dst_port = dp, .proto = proto};
}

static struct dsr_flow
rnd_flow(void)
{
	uint64_t r = rnd();

	return mkflow((uint32_t)r, 0x0a000001u + (uint32_t)(rnd() & 7), (uint16_t)(r >> 32),
		      (uint16_t)(r >> 48), (r >> 31) & 1 ? TCP : UDP);
}

/* A 16-bit checksum of a key, stored as the backend to detect torn copies. */
static uint16_t
key_sum(const struct dsr_flow *f)
{
	return (uint16_t)(hash_of(f) >> 20);
}

/* Free-callback log. */
struct cb_log {
	unsigned int expired, removed;
	uint16_t last_backend;
	uint8_t last_state;
};

static void
log_cb(void *arg, const struct dsr_ct_entry *e, enum dsr_ct_free_reason why)
{
	struct cb_log *l = arg;

	if (why == DSR_CT_EXPIRED)
		l->expired++;
	else
		l->removed++;
	l->last_backend = e->backend;
	l->last_state = dsr_ct_entry_state(e);
}

static void *table_mem;

static struct dsr_ct *
new_ct(uint32_t max, struct cb_log *log)
{
	size_t sz = dsr_ct_mem_size(max);
	struct dsr_ct *ct;

	free(table_mem);
	table_mem = aligned_alloc(64, (sz + 63) & ~(size_t)63);
	if (table_mem != NULL)
		memset(table_mem, 0xa5, sz); /* init must not rely on zeroed memory */
	ct = table_mem == NULL ? NULL : dsr_ct_init(table_mem, sz, max);
	if (ct == NULL) {
		fprintf(stderr, "cannot make a table of %u entries\n", max);
		exit(2);
	}
	if (log != NULL) {
		memset(log, 0, sizeof(*log));
		dsr_ct_set_free_cb(ct, log_cb, log);
	}
	return ct;
}

/* The state a test means by st for flow f: a UDP flow's entry is always in state UDP. */
static uint8_t
st_for(const struct dsr_flow *f, uint8_t st)
{
	return f->proto == UDP && st > DSR_CT_FREE && st < DSR_CT_NSTATES ? DSR_CT_UDP : st;
}

static struct dsr_ct_entry *
ins(struct dsr_ct *ct, const struct dsr_flow *f, uint16_t be, uint8_t st, uint32_t now)
{
	return dsr_ct_insert(ct, f, hash_of(f), be, st_for(f, st), now);
}

static struct dsr_ct_entry *
look(struct dsr_ct *ct, const struct dsr_flow *f, uint32_t now)
{
	return dsr_ct_lookup(ct, f, hash_of(f), now);
}

/*
 * Fill a table of max entries with random flows, all in state state (so
 * UDP flows for DSR_CT_UDP, TCP flows otherwise); returns the failures.
 */
static unsigned int
fill(struct dsr_ct *ct, struct dsr_flow *flows, uint32_t max, uint8_t state, uint32_t now)
{
	unsigned int i, fails = 0;

	for (i = 0; i < max; i++) {
		flows[i] = rnd_flow();
		flows[i].proto = state == DSR_CT_UDP ? UDP : TCP;
		if (ins(ct, &flows[i], (uint16_t)i, state, now) == NULL)
			fails++;
	}
	return fails;
}

#endif /* DSR_TEST_CT_UTIL_H */
