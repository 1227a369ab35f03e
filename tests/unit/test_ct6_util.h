/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_TEST_CT6_UTIL_H
#define DSR_TEST_CT6_UTIL_H

/*
 * Helpers of test_ct6.c: IPv6 flows, a hash of the tests' own, tables,
 * a free-callback log (as test_ct_util.h is for lib/ct).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_ct6.h"

#define TCP 6
#define UDP 17

static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The tests hash flows themselves: five words, mixed. */
static uint64_t
hash6_of(const struct dsr_flow6 *f)
{
	uint64_t w[5], h = 0x9e3779b97f4a7c15ULL;
	unsigned int i;

	memcpy(w, f, sizeof(w));
	for (i = 0; i < 5; i++)
		h = mix64(h ^ w[i]);
	return h;
}

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	rng_state += 0x9e3779b97f4a7c15ULL;
	return mix64(rng_state);
}

/* fd00::<a> -> fd01::<b> (the low 8 bytes of each address). */
static struct dsr_flow6
mkflow6(uint64_t a, uint64_t b, uint16_t sp, uint16_t dp, uint8_t proto)
{
	struct dsr_flow6 f;

	memset(&f, 0, sizeof(f));
	f.src_ip[0] = 0xfd;
	f.dst_ip[0] = 0xfd;
	f.dst_ip[1] = 0x01;
	memcpy(f.src_ip + 8, &a, 8);
	memcpy(f.dst_ip + 8, &b, 8);
	f.src_port = sp;
	f.dst_port = dp;
	f.proto = proto;
	return f;
}

static struct dsr_flow6
rnd_flow6(void)
{
	uint64_t r = rnd(), s = rnd();
	struct dsr_flow6 f = mkflow6(r, 0x100 + (s & 7), (uint16_t)(s >> 16), (uint16_t)(s >> 32),
				     (s >> 63) ? TCP : UDP);

	memcpy(f.src_ip + 2, &s, 6); /* the client's whole address varies */
	return f;
}

/* A 16-bit checksum of a key, stored as the backend to detect torn copies. */
static uint16_t
key_sum6(const struct dsr_flow6 *f)
{
	return (uint16_t)(hash6_of(f) >> 20);
}

/* The flow of an entry, for checks. */
static struct dsr_flow6
flow_of(const struct dsr_ct6_entry *e)
{
	struct dsr_flow6 f;

	memset(&f, 0, sizeof(f));
	memcpy(f.src_ip, e->src_ip, 16);
	memcpy(f.dst_ip, e->dst_ip, 16);
	f.src_port = e->src_port;
	f.dst_port = e->dst_port;
	f.proto = dsr_ct6_entry_proto(e);
	return f;
}

struct cb_log {
	unsigned int expired, removed;
	uint16_t last_backend;
	uint8_t last_state;
};

static void
log_cb(void *arg, const struct dsr_ct6_entry *e, enum dsr_ct_free_reason why)
{
	struct cb_log *l = arg;

	if (why == DSR_CT_EXPIRED)
		l->expired++;
	else
		l->removed++;
	l->last_backend = e->backend;
	l->last_state = dsr_ct6_entry_state(e);
}

static void *table_mem;

static struct dsr_ct6 *
new_ct6(uint32_t max, struct cb_log *log)
{
	size_t sz = dsr_ct6_mem_size(max);
	struct dsr_ct6 *ct;

	free(table_mem);
	table_mem = aligned_alloc(64, (sz + 63) & ~(size_t)63);
	if (table_mem != NULL)
		memset(table_mem, 0xa5, sz); /* init must not rely on zeroed memory */
	ct = table_mem == NULL ? NULL : dsr_ct6_init(table_mem, sz, max);
	if (ct == NULL) {
		fprintf(stderr, "cannot make a table of %u entries\n", max);
		exit(2);
	}
	if (log != NULL) {
		memset(log, 0, sizeof(*log));
		dsr_ct6_set_free_cb(ct, log_cb, log);
	}
	return ct;
}

static uint8_t
st_for(const struct dsr_flow6 *f, uint8_t st)
{
	return f->proto == UDP && st > DSR_CT_FREE && st < DSR_CT_NSTATES ? DSR_CT_UDP : st;
}

static struct dsr_ct6_entry *
ins(struct dsr_ct6 *ct, const struct dsr_flow6 *f, uint16_t be, uint8_t st, uint32_t now)
{
	return dsr_ct6_insert(ct, f, hash6_of(f), be, st_for(f, st), now);
}

static struct dsr_ct6_entry *
look(struct dsr_ct6 *ct, const struct dsr_flow6 *f, uint32_t now)
{
	return dsr_ct6_lookup(ct, f, hash6_of(f), now);
}

/* Fill with max random flows in state state; returns the failures. */
static unsigned int
fill(struct dsr_ct6 *ct, struct dsr_flow6 *flows, uint32_t max, uint8_t state, uint32_t now)
{
	unsigned int i, fails = 0;

	for (i = 0; i < max; i++) {
		flows[i] = rnd_flow6();
		flows[i].proto = state == DSR_CT_UDP ? UDP : TCP;
		if (ins(ct, &flows[i], (uint16_t)i, state, now) == NULL)
			fails++;
	}
	return fails;
}

#endif /* DSR_TEST_CT6_UTIL_H */
