/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ct6_bench: lib/ct6 against lib/ct, measured the same way, printed
 * as "-- " lines (timings are not checked: the machine is shared).
 *
 * For each table and size (10k and 2^20 entries, max_entries = the
 * size, table full): bytes per entry, then hits in random order, ns per
 * lookup, (a) one at a time, (b) in bursts of 32 with a prefetch pass
 * (lib/ct's way), and for ct6 (c) bursts with both prefetch stages.
 * Hashes are computed ahead of timing, as tests/perf/bench_ct.c does,
 * so the numbers are the table's alone. Tables are allocated as
 * bench_ct.c does (huge pages where transparent huge pages allow).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "dsr_ct.h"
#include "dsr_ct6.h"
#include "dsr_test.h"

/*
 * The big case: a million entries, as tests/perf measures; under the
 * sanitizers (CI's build-asan) a smaller one, which times nothing useful
 * there and took 90 s.
 */
#if defined(__SANITIZE_ADDRESS__)
#define BENCH_BIG (1u << 16)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BENCH_BIG (1u << 16)
#endif
#endif
#ifndef BENCH_BIG
#define BENCH_BIG (1u << 20)
#endif

#define BURST 32
#define REPS  5 /* each timing is the best of REPS runs */

void test_ct6_bench(void);

static uint64_t
bmix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct q4 {
	struct dsr_flow f;
	uint64_t h;
};

struct q6 {
	struct dsr_flow6 f;
	uint64_t h;
};

static void *xalloc(size_t sz);

/* A table: 2 MiB aligned and madvise()d for huge pages (as bench_ct.c), like the daemon's. */
static void *
table_alloc(size_t sz)
{
	size_t huge = 2u << 20, len = (sz + huge - 1) & ~(huge - 1);
	void *p = aligned_alloc(huge, len);

	if (p == NULL)
		return xalloc(sz);
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

static void *
xalloc(size_t sz)
{
	void *p = aligned_alloc(64, (sz + 63) & ~(size_t)63);

	if (p == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

/* Random-order queries of the n flows (indices shuffled). */
static uint32_t *
shuffled(uint32_t n, uint64_t *rng)
{
	uint32_t *idx = xalloc(sizeof(*idx) * n), i, j, t;

	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = n - 1; i > 0; i--) {
		*rng += 0x9e3779b97f4a7c15ULL;
		j = (uint32_t)(bmix(*rng) % (i + 1));
		t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
	return idx;
}

static void
bench4(uint32_t n, uint32_t rounds)
{
	size_t sz = dsr_ct_mem_size(n);
	void *mem = table_alloc(sz);
	struct dsr_ct *ct = dsr_ct_init(mem, sz, n);
	struct q4 *fl = xalloc(sizeof(*fl) * n), *q = xalloc(sizeof(*q) * n);
	uint64_t rng = 7, hits = 0, a, b;
	uint32_t *idx, i, r, k, rep, fails = 0;
	double t0, t1, t2, best[2] = {0, 0};

	for (i = 0; i < n; i++) {
		rng += 0x9e3779b97f4a7c15ULL;
		a = bmix(rng);
		memset(&fl[i].f, 0, sizeof(fl[i].f));
		fl[i].f.src_ip = (uint32_t)a;
		fl[i].f.src_port = (uint16_t)(a >> 32);
		fl[i].f.dst_ip = 0x0a000001u + (uint32_t)((a >> 48) & 15);
		fl[i].f.dst_port = 80;
		fl[i].f.proto = 6;
		memcpy(&a, &fl[i].f, 8);
		memcpy(&b, (const uint8_t *)&fl[i].f + 8, 8);
		fl[i].h = bmix(a ^ bmix(b + 0x9e3779b97f4a7c15ULL));
		fails += dsr_ct_insert(ct, &fl[i].f, fl[i].h, 1, DSR_CT_EST, 0) == NULL;
	}
	idx = shuffled(n, &rng);
	for (i = 0; i < n; i++)
		q[i] = fl[idx[i]];
	for (rep = 0; rep < REPS; rep++) {
		hits = 0;
		t0 = now_s();
		for (r = 0; r < rounds; r++)
			for (i = 0; i < n; i++)
				hits += dsr_ct_lookup(ct, &q[i].f, q[i].h, 1) != NULL;
		t1 = now_s();
		for (r = 0; r < rounds; r++)
			for (i = 0; i + BURST <= n; i += BURST) {
				for (k = 0; k < BURST; k++)
					dsr_ct_prefetch(ct, q[i + k].h);
				for (k = 0; k < BURST; k++)
					hits += dsr_ct_lookup(ct, &q[i + k].f, q[i + k].h, 1) !=
						NULL;
			}
		t2 = now_s();
		best[0] = rep == 0 || t1 - t0 < best[0] ? t1 - t0 : best[0];
		best[1] = rep == 0 || t2 - t1 < best[1] ? t2 - t1 : best[1];
	}
	printf("# ct  %8u entries: %5.1f B/entry; lookup %5.1f ns, prefetched %5.1f ns%s\n", n,
	       (double)sz / n, best[0] * 1e9 / ((double)n * rounds),
	       best[1] * 1e9 / ((double)(n / BURST * BURST) * rounds),
	       fails == 0 && hits == (uint64_t)(n + n / BURST * BURST) * rounds ? "" : " MISSES");
	CHECK_EQ(fails, 0);
	free(idx);
	free(q);
	free(fl);
	free(mem);
}

static void
bench6(uint32_t n, uint32_t rounds)
{
	size_t sz = dsr_ct6_mem_size(n);
	void *mem = table_alloc(sz);
	struct dsr_ct6 *ct = dsr_ct6_init(mem, sz, n);
	struct q6 *fl = xalloc(sizeof(*fl) * n), *q = xalloc(sizeof(*q) * n);
	uint64_t rng = 7, hits = 0, a, w[5];
	uint32_t *idx, i, r, k, j, rep, fails = 0;
	double t0, t1, t2, t3, best[3] = {0, 0, 0};

	for (i = 0; i < n; i++) {
		rng += 0x9e3779b97f4a7c15ULL;
		a = bmix(rng);
		memset(&fl[i].f, 0, sizeof(fl[i].f));
		fl[i].f.src_ip[0] = 0x20;
		fl[i].f.src_ip[1] = 0x01;
		memcpy(fl[i].f.src_ip + 8, &a, 8);
		fl[i].f.dst_ip[0] = 0xfd;
		fl[i].f.dst_ip[15] = (uint8_t)(1 + ((a >> 48) & 15));
		fl[i].f.src_port = (uint16_t)(a >> 32);
		fl[i].f.dst_port = 80;
		fl[i].f.proto = 6;
		memcpy(w, &fl[i].f, sizeof(w));
		for (j = 0, a = 0x9e3779b97f4a7c15ULL; j < 5; j++)
			a = bmix(a ^ w[j]);
		fl[i].h = a;
		fails += dsr_ct6_insert(ct, &fl[i].f, fl[i].h, 1, DSR_CT_EST, 0) == NULL;
	}
	idx = shuffled(n, &rng);
	for (i = 0; i < n; i++)
		q[i] = fl[idx[i]];
	for (rep = 0; rep < REPS; rep++) {
		hits = 0;
		t0 = now_s();
		for (r = 0; r < rounds; r++)
			for (i = 0; i < n; i++)
				hits += dsr_ct6_lookup(ct, &q[i].f, q[i].h, 1) != NULL;
		t1 = now_s();
		for (r = 0; r < rounds; r++)
			for (i = 0; i + BURST <= n; i += BURST) {
				for (k = 0; k < BURST; k++)
					dsr_ct6_prefetch(ct, q[i + k].h);
				for (k = 0; k < BURST; k++)
					hits += dsr_ct6_lookup(ct, &q[i + k].f, q[i + k].h, 1) !=
						NULL;
			}
		t2 = now_s();
		for (r = 0; r < rounds; r++)
			for (i = 0; i + BURST <= n; i += BURST) {
				for (k = 0; k < BURST; k++)
					dsr_ct6_prefetch(ct, q[i + k].h);
				for (k = 0; k < BURST; k++)
					dsr_ct6_prefetch_entry(ct, q[i + k].h);
				for (k = 0; k < BURST; k++)
					hits += dsr_ct6_lookup(ct, &q[i + k].f, q[i + k].h, 1) !=
						NULL;
			}
		t3 = now_s();
		best[0] = rep == 0 || t1 - t0 < best[0] ? t1 - t0 : best[0];
		best[1] = rep == 0 || t2 - t1 < best[1] ? t2 - t1 : best[1];
		best[2] = rep == 0 || t3 - t2 < best[2] ? t3 - t2 : best[2];
	}
	printf("# ct6 %8u entries: %5.1f B/entry; lookup %5.1f ns, prefetched %5.1f ns, "
	       "2-stage prefetch %5.1f ns%s\n",
	       n, (double)sz / n, best[0] * 1e9 / ((double)n * rounds),
	       best[1] * 1e9 / ((double)(n / BURST * BURST) * rounds),
	       best[2] * 1e9 / ((double)(n / BURST * BURST) * rounds),
	       fails == 0 && hits == (uint64_t)(n + 2 * (n / BURST * BURST)) * rounds ? ""
										      : " MISSES");
	CHECK_EQ(fails, 0);
	free(idx);
	free(q);
	free(fl);
	free(mem);
}

void
test_ct6_bench(void)
{
	bench4(10000, 20);
	bench6(10000, 20);
	bench4(BENCH_BIG, 1);
	bench6(BENCH_BIG, 1);
}
