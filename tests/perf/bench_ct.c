/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark of lib/ct, the connection table. Standalone: no EAL.
 *
 *	bench_ct [quick]
 *	bench_ct memory N...
 *
 * The second form prints only the memory of a table of N entries, lib/ct's
 * and lib/ct6's (the IPv6 table), for tests/perf/bench_fwd.py.
 * Reports inserts/s of unique flows, lookups/s of hits (random order,
 * with and without a prefetch pass over bursts of 32 as the worker
 * does), sweep cost, bytes per configured entry, and the insert failure
 * rate at 100% of max_entries (one fill, then churn at 100%). Hashes are
 * computed by the benchmark (not dsr_flow_hash()) and ahead of timing.
 * The table is 2 MiB aligned and madvise(MADV_HUGEPAGE)d, like the
 * daemon's hugepage memory, when transparent huge pages allow it.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "dsr_ct.h"
#include "dsr_ct6.h"

#define BURST 32

struct bflow {
	struct dsr_flow f;
	uint64_t h;
};

static uint64_t rng = 0x1234567;

static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rnd(void)
{
	rng += 0x9e3779b97f4a7c15ULL;
	return mix64(rng);
}

static uint64_t
hash_of(const struct dsr_flow *f)
{
	uint64_t a, b;

	memcpy(&a, f, 8);
	memcpy(&b, (const uint8_t *)f + 8, 8);
	return mix64(a ^ mix64(b + 0x9e3779b97f4a7c15ULL));
}

/* Unique random flows: client address/port random, a few VIPs. */
static void
gen_flows(struct bflow *fl, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint64_t r = rnd();

		memset(&fl[i].f, 0, sizeof(fl[i].f));
		fl[i].f.src_ip = (uint32_t)r;
		fl[i].f.src_port = (uint16_t)(r >> 32);
		fl[i].f.dst_ip = 0x0a000001u + (uint32_t)((r >> 48) & 15);
		fl[i].f.dst_port = 80;
		fl[i].f.proto = (r >> 63) ? 6 : 17;
		fl[i].h = hash_of(&fl[i].f);
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *
xalloc(size_t sz, size_t align)
{
	void *p = aligned_alloc(align, (sz + align - 1) / align * align);

	if (p == NULL) {
		fprintf(stderr, "out of memory (%zu bytes)\n", sz);
		exit(2);
	}
	return p;
}

static struct dsr_ct *
new_ct(uint32_t max, void **mem)
{
	size_t sz = dsr_ct_mem_size(max);
	struct dsr_ct *ct;

	*mem = xalloc(sz, 2u << 20);
#ifdef MADV_HUGEPAGE
	madvise(*mem, (sz + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1), MADV_HUGEPAGE);
#endif
	ct = dsr_ct_init(*mem, sz, max);
	if (ct == NULL) {
		fprintf(stderr, "dsr_ct_init(%u) failed\n", max);
		exit(2);
	}
	return ct;
}

static void
shuffle(uint32_t *idx, uint32_t n)
{
	uint32_t i, j, t;

	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = (uint32_t)(rnd() % (i + 1));
		t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
}

/* Insert n unique flows into an empty table of max_entries = n. */
static void
bench_insert(uint32_t n)
{
	struct bflow *fl = xalloc(sizeof(*fl) * n, 64);
	uint32_t i, fails = 0;
	struct dsr_ct *ct;
	double t0, t1;
	void *mem;

	gen_flows(fl, n);
	ct = new_ct(n, &mem);
	t0 = now_s();
	for (i = 0; i < n; i++)
		if (dsr_ct_insert(ct, &fl[i].f, fl[i].h, 1, DSR_CT_SYN, 0) == NULL)
			fails++;
	t1 = now_s();
	printf("insert     cap %8u: %6.2f M inserts/s (%5.1f ns each), fill to 100%%: %u failed\n",
	       n, n / (t1 - t0) / 1e6, (t1 - t0) * 1e9 / n, fails);

	/* The worker's way: a burst is prefetched, looked up (miss), inserted. */
	free(mem);
	ct = new_ct(n, &mem);
	t0 = now_s();
	for (i = 0; i + BURST <= n; i += BURST) {
		uint32_t k;

		for (k = 0; k < BURST; k++)
			dsr_ct_prefetch(ct, fl[i + k].h);
		for (k = 0; k < BURST; k++)
			if (dsr_ct_lookup(ct, &fl[i + k].f, fl[i + k].h, 0) == NULL)
				dsr_ct_insert(ct, &fl[i + k].f, fl[i + k].h, 1, DSR_CT_SYN, 0);
	}
	t1 = now_s();
	printf("miss+ins   cap %8u: %6.2f M flows/s   (%5.1f ns each), prefetched bursts of %d\n",
	       n, i / (t1 - t0) / 1e6, (t1 - t0) * 1e9 / i, BURST);
	free(mem);
	free(fl);
}

/*
 * Look up n live entries of a full table in random order. The flows are
 * copied in that order first, so only the table is accessed at random
 * (a worker finds the flow in the packet it has just parsed).
 */
static void
bench_lookup(uint32_t n, uint32_t rounds)
{
	struct bflow *fl = xalloc(sizeof(*fl) * n, 64), *q = xalloc(sizeof(*q) * n, 64);
	uint32_t *idx = xalloc(sizeof(*idx) * n, 64);
	uint64_t hits = 0, total = (uint64_t)n * rounds;
	struct dsr_ct_entry *e;
	uint32_t i, r, k;
	struct dsr_ct *ct;
	double t0, t1, t2;
	void *mem;

	gen_flows(fl, n);
	ct = new_ct(n, &mem);
	for (i = 0; i < n; i++)
		dsr_ct_insert(ct, &fl[i].f, fl[i].h, (uint16_t)i, DSR_CT_EST, 0);
	shuffle(idx, n);
	for (i = 0; i < n; i++)
		q[i] = fl[idx[i]];
	t0 = now_s();
	for (r = 0; r < rounds; r++)
		for (i = 0; i < n; i++) {
			e = dsr_ct_lookup(ct, &q[i].f, q[i].h, 1);
			hits += e != NULL;
		}
	t1 = now_s();
	for (r = 0; r < rounds; r++)
		for (i = 0; i + BURST <= n; i += BURST) {
			for (k = 0; k < BURST; k++)
				dsr_ct_prefetch(ct, q[i + k].h);
			for (k = 0; k < BURST; k++) {
				e = dsr_ct_lookup(ct, &q[i + k].f, q[i + k].h, 1);
				hits += e != NULL;
			}
		}
	t2 = now_s();
	printf("lookup    live %8u: %6.2f M hits/s (%5.1f ns); prefetched: %6.2f M/s (%5.1f "
	       "ns)%s\n",
	       n, total / (t1 - t0) / 1e6, (t1 - t0) * 1e9 / total,
	       (double)(n / BURST * BURST) * rounds / (t2 - t1) / 1e6,
	       (t2 - t1) * 1e9 / ((double)(n / BURST * BURST) * rounds),
	       hits == total + (uint64_t)(n / BURST * BURST) * rounds ? "" : " MISSES!");
	free(mem);
	free(idx);
	free(q);
	free(fl);
}

/* A full pass over a full table: nothing expired, then everything. */
static void
bench_sweep(uint32_t n)
{
	struct bflow *fl = xalloc(sizeof(*fl) * n, 64);
	uint32_t i, nb, freed = 0;
	struct dsr_ct *ct;
	double t0, t1, t2, t3;
	void *mem;

	gen_flows(fl, n);
	ct = new_ct(n, &mem);
	for (i = 0; i < n; i++)
		dsr_ct_insert(ct, &fl[i].f, fl[i].h, 1, DSR_CT_SYN, 0);
	nb = dsr_ct_buckets(ct);
	t0 = now_s();
	for (i = 0; i < nb; i += 8)
		freed += dsr_ct_sweep(ct, 8, 1000);
	t1 = now_s();
	for (i = 0; i < nb; i += 8)
		freed += dsr_ct_sweep(ct, 8, 100000);
	t2 = now_s();
	for (i = 0; i < nb; i += 8)
		dsr_ct_sweep(ct, 8, 100000);
	t3 = now_s();
	printf("sweep      cap %8u: %u buckets; per bucket: %.1f ns (live), %.1f ns (all expire, "
	       "%u freed), %.1f ns (empty); a pass at 8/call: %.1f ms\n",
	       n, nb, (t1 - t0) * 1e9 / nb, (t2 - t1) * 1e9 / nb, freed, (t3 - t2) * 1e9 / nb,
	       (t1 - t0) * 1e3);
	free(mem);
	free(fl);
}

/*
 * Fill to 100% of max_entries, then churn at 100%: remove a random live
 * flow, insert a new one, 2 * max times. Reports both failure rates.
 */
static void
bench_fill(uint32_t n)
{
	struct bflow *fl = xalloc(sizeof(*fl) * n, 64), nf;
	uint32_t *live = xalloc(sizeof(*live) * n, 64);
	uint64_t fill_fail = 0, churn_fail = 0, ops = 2 * (uint64_t)n, k;
	uint32_t i, nlive = 0;
	struct dsr_ct *ct;
	double t0, t1;
	void *mem;

	gen_flows(fl, n);
	ct = new_ct(n, &mem);
	for (i = 0; i < n; i++) {
		if (dsr_ct_insert(ct, &fl[i].f, fl[i].h, 1, DSR_CT_EST, 0) == NULL)
			fill_fail++;
		else
			live[nlive++] = i;
	}
	t0 = now_s();
	for (k = 0; k < ops; k++) {
		uint32_t j = (uint32_t)(rnd() % nlive), slot = live[j];
		struct dsr_ct_entry *e = dsr_ct_lookup(ct, &fl[slot].f, fl[slot].h, 0);

		if (e == NULL) {
			fprintf(stderr, "lost an entry!\n");
			exit(1);
		}
		dsr_ct_remove(ct, e);
		gen_flows(&nf, 1);
		if (dsr_ct_insert(ct, &nf.f, nf.h, 1, DSR_CT_EST, 0) == NULL) {
			churn_fail++;
			live[j] = live[--nlive];
		} else {
			fl[slot] = nf;
		}
	}
	t1 = now_s();
	printf("fill       cap %8u: %8u buckets, load at 100%% %.3f, %5.2f B/entry; failed: fill "
	       "%.4f%%, churn %.4f%% (%.0f ns per remove+insert)\n",
	       n, dsr_ct_buckets(ct), (double)n / (3.0 * dsr_ct_buckets(ct)),
	       (double)dsr_ct_mem_size(n) / n, 100.0 * fill_fail / n, 100.0 * churn_fail / ops,
	       (t1 - t0) * 1e9 / ops);
	free(mem);
	free(live);
	free(fl);
}

/* Bytes of lib/ct's and lib/ct6's tables of n entries, and per entry. */
static void
print_memory(uint32_t n)
{
	printf("memory     cap %8u: %zu bytes, %.2f bytes/entry; ct6 %zu bytes, %.2f bytes/entry\n",
	       n, dsr_ct_mem_size(n), (double)dsr_ct_mem_size(n) / n, dsr_ct6_mem_size(n),
	       (double)dsr_ct6_mem_size(n) / n);
}

int
main(int argc, char **argv)
{
	static const uint32_t mem_sizes[] = {1000,    10000,   100000,  1000000, 1u << 20,
					     2516582, 2516583, 4000000, 1u << 22};
	int quick = argc > 1 && strcmp(argv[1], "quick") == 0;
	uint32_t big = quick ? 1u << 20 : 4u << 20;
	unsigned int i;

	if (argc > 1 && strcmp(argv[1], "memory") == 0) {
		for (i = 2; i < (unsigned int)argc; i++) {
			char *end;
			unsigned long n = strtoul(argv[i], &end, 10);

			if (*end != '\0' || n == 0 || n > UINT32_MAX) {
				fprintf(stderr, "bench_ct: bad size '%s'\n", argv[i]);
				return 2;
			}
			print_memory((uint32_t)n);
		}
		return 0;
	}
	for (i = 0; i < sizeof(mem_sizes) / sizeof(mem_sizes[0]); i++)
		print_memory(mem_sizes[i]);
	bench_insert(1u << 20);
	if (!quick)
		bench_insert(4u << 20);
	bench_lookup(10000, 200);
	bench_lookup(1u << 20, 3);
	if (!quick)
		bench_lookup(4u << 20, 2);
	bench_sweep(big);
	bench_fill(1000000);
	bench_fill(1u << 20);
	bench_fill(2516582); /* 80% of 2^20 buckets: the design maximum */
	if (!quick) {
		bench_fill(4000000);
		bench_fill(1u << 22);
	}
	return 0;
}
