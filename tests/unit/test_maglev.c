/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for lib/maglev: weighted Maglev table population. */

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsr_maglev.h"
#include "maglev_pvt.h"
#include "dsr_test.h"

#define M_DEF DSR_MAGLEV_DEFAULT_SIZE
#define MAX_B 1000

/* 10.0.x.y, network order, for backend number i (0-based). */
static uint32_t
key_of(unsigned int i)
{
	return htonl(0x0a000000u + i + 1);
}

static void
make_backends(struct dsr_maglev_backend *b, unsigned int n, uint32_t weight)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		b[i].key = key_of(i);
		b[i].weight = weight;
		b[i].id = (uint16_t)i;
	}
}

static uint16_t *
new_table(uint32_t size)
{
	uint16_t *t = malloc(sizeof(*t) * size);

	if (t == NULL)
		abort();
	return t;
}

/* counts[id] = slots of id (ids < nids); returns the number of other slots. */
static uint32_t
count_slots(const uint16_t *t, uint32_t size, uint32_t *counts, unsigned int nids)
{
	uint32_t i, other = 0;

	memset(counts, 0, sizeof(*counts) * nids);
	for (i = 0; i < size; i++) {
		if (t[i] < nids)
			counts[t[i]]++;
		other += t[i] >= nids;
	}
	return other;
}

static uint32_t
count_diff(const uint16_t *a, const uint16_t *b, uint32_t size)
{
	uint32_t i, d = 0;

	for (i = 0; i < size; i++)
		d += a[i] != b[i];
	return d;
}

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

static void
shuffle(struct dsr_maglev_backend *b, unsigned int n)
{
	unsigned int i;

	for (i = n; i > 1; i--) {
		unsigned int j = rng() % i;
		struct dsr_maglev_backend tmp = b[i - 1];

		b[i - 1] = b[j];
		b[j] = tmp;
	}
}

/*
 * The reference algorithm, written the slow and obvious way: rounds over
 * the key-sorted backends with a credit each.
 */
static void
ref_build(const struct dsr_maglev_backend *in, unsigned int n, uint32_t size, uint16_t *t)
{
	struct dsr_maglev_backend b[MAX_B];
	uint64_t credit[MAX_B] = {0};
	uint32_t pos[MAX_B], skip[MAX_B], max_w = 0, filled = 0, i, j;

	memcpy(b, in, sizeof(*b) * n);
	for (i = 1; i < n; i++) {
		for (j = i;
		     j > 0 && dsr_maglev_key_num(b[j - 1].key) > dsr_maglev_key_num(b[j].key);
		     j--) {
			struct dsr_maglev_backend tmp = b[j];

			b[j] = b[j - 1];
			b[j - 1] = tmp;
		}
	}
	for (i = 0; i < n; i++) {
		dsr_maglev_perm(b[i].key, size, &pos[i], &skip[i]);
		if (b[i].weight > max_w)
			max_w = b[i].weight;
	}
	for (i = 0; i < size; i++)
		t[i] = DSR_MAGLEV_NONE;
	while (max_w > 0 && filled < size) {
		for (i = 0; i < n && filled < size; i++) {
			credit[i] += b[i].weight;
			if (b[i].weight == 0 || credit[i] < max_w)
				continue;
			credit[i] -= max_w;
			while (t[pos[i]] != DSR_MAGLEV_NONE)
				pos[i] = (pos[i] + skip[i]) % size;
			t[pos[i]] = b[i].id;
			filled++;
		}
	}
}

static void
test_is_prime(void)
{
	static const uint32_t primes[] = {
		2, 3, 5, 7, 11, 13, 31, 251, 257, 65521, 65537, 1048573, 2147483647u, 4294967291u};
	/* The last three: 65519 * 65521, 65521^2 (the square root bound), 2^32 - 1. */
	/* clang-format off */
	static const uint32_t composites[] = {0, 1, 4, 6, 9, 15, 25, 49, 91, 121, 65535, 65536,
		1048575, 1048576, 4292870399u, 4293001441u, 4294967295u};
	/* clang-format on */
	uint32_t i, j, mism = 0;
	int naive;

	for (i = 0; i < sizeof(primes) / sizeof(primes[0]); i++)
		CHECK(dsr_maglev_is_prime(primes[i]));
	for (i = 0; i < sizeof(composites) / sizeof(composites[0]); i++)
		CHECK(!dsr_maglev_is_prime(composites[i]));

	/* Agree with naive trial division on every n < 100000. */
	for (i = 0; i < 100000; i++) {
		naive = i >= 2;
		for (j = 2; naive && j * j <= i; j++)
			naive = i % j != 0;
		mism += dsr_maglev_is_prime(i) != naive;
	}
	CHECK_EQ(mism, 0);
}

static void
test_balance_equal(void)
{
	static const unsigned int ns[] = {2, 3, 10, 100};
	struct dsr_maglev_backend b[100];
	uint32_t counts[100];
	uint16_t *t = new_table(M_DEF);
	unsigned int k, i;

	for (k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		unsigned int n = ns[k];
		uint32_t lo = UINT32_MAX, hi = 0;
		double mean = (double)M_DEF / n, spread;

		make_backends(b, n, 1);
		CHECK_EQ(dsr_maglev_build(b, n, M_DEF, t), 0);
		CHECK_EQ(count_slots(t, M_DEF, counts, n), 0);
		for (i = 0; i < n; i++) {
			if (counts[i] < lo)
				lo = counts[i];
			if (counts[i] > hi)
				hi = counts[i];
		}
		spread = (hi - lo) / mean;
		printf("# balance N=%u: min %u max %u (max-min)/mean %.4f%%\n", n, lo, hi,
		       spread * 100);
		CHECK(spread <= 0.01);
	}
	free(t);
}

/* Check that each backend's share is within 1% (absolute) of weight/sum. */
static void
check_weights(const uint32_t *w, unsigned int n, uint32_t size)
{
	struct dsr_maglev_backend b[16];
	uint32_t counts[16];
	uint16_t *t = new_table(size);
	double worst = 0, sum = 0;
	unsigned int i;

	make_backends(b, n, 0);
	for (i = 0; i < n; i++) {
		b[i].weight = w[i];
		sum += w[i];
	}
	CHECK_EQ(dsr_maglev_build(b, n, size, t), 0);
	CHECK_EQ(count_slots(t, size, counts, n), 0);
	printf("# weights");
	for (i = 0; i < n; i++) {
		double share = (double)counts[i] / size, want = w[i] / sum;
		double dev = share > want ? share - want : want - share;

		printf(" %u:%.4f(want %.4f)", w[i], share, want);
		if (dev > worst)
			worst = dev;
		CHECK(dev <= 0.01);
	}
	printf(" worst dev %.5f\n", worst);
	free(t);
}

static void
test_weights(void)
{
	static const uint32_t w1[] = {100, 200, 300};
	static const uint32_t w2[] = {1, 99};
	static const uint32_t w3[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	static const uint32_t w4[] = {4000000000u, 1000000000u};

	check_weights(w1, 3, M_DEF);
	check_weights(w2, 2, M_DEF);
	check_weights(w3, 10, M_DEF);
	check_weights(w4, 2, M_DEF);
	check_weights(w1, 3, 1009);
}

/* Remove each backend in turn from N=10, and add an 11th. */
static void
test_disruption_membership(void)
{
	struct dsr_maglev_backend b[11], sub[10];
	uint16_t *full = new_table(M_DEF), *t = new_table(M_DEF), *back = new_table(M_DEF);
	const unsigned int n = 10;
	double worst = 0, sum = 0, frac;
	uint32_t collateral = 0, i, j, k;

	make_backends(b, n + 1, 1);
	CHECK_EQ(dsr_maglev_build(b, n, M_DEF, full), 0);
	for (k = 0; k < n; k++) {
		for (i = 0, j = 0; i < n; i++) {
			if (i != k)
				sub[j++] = b[i];
		}
		CHECK_EQ(dsr_maglev_build(sub, n - 1, M_DEF, t), 0);
		frac = (double)count_diff(full, t, M_DEF) / M_DEF;
		sum += frac;
		if (frac > worst)
			worst = frac;
		/* Every slot of the removed backend moves; count the others. */
		for (i = 0; i < M_DEF; i++) {
			CHECK(t[i] != k);
			collateral += full[i] != k && full[i] != t[i];
		}
		/* Adding it back restores the same table. */
		CHECK_EQ(dsr_maglev_build(b, n, M_DEF, back), 0);
		CHECK_EQ(count_diff(full, back, M_DEF), 0);
	}
	printf("# remove 1 of %u: changed mean %.4f worst %.4f (1/N %.4f, ratio %.3f), "
	       "collateral %.4f%%\n",
	       n, sum / n, worst, 1.0 / n, worst * n, 100.0 * collateral / n / M_DEF);
	CHECK(worst <= 1.2 / n);

	/* Add an 11th backend. */
	CHECK_EQ(dsr_maglev_build(b, n + 1, M_DEF, t), 0);
	frac = (double)count_diff(full, t, M_DEF) / M_DEF;
	printf("# add 11th to %u: changed %.4f (1/(N+1) %.4f, ratio %.3f)\n", n, frac,
	       1.0 / (n + 1), frac * (n + 1));
	CHECK(frac <= 1.2 / (n + 1));
	free(full);
	free(t);
	free(back);
}

static void
check_weight_change(uint32_t from, uint32_t to)
{
	struct dsr_maglev_backend b[10];
	uint16_t *a = new_table(M_DEF), *t = new_table(M_DEF);
	double ideal, frac;

	make_backends(b, 10, from);
	CHECK_EQ(dsr_maglev_build(b, 10, M_DEF, a), 0);
	b[3].weight = to;
	CHECK_EQ(dsr_maglev_build(b, 10, M_DEF, t), 0);
	/* The least that must move: the change of backend 3's share. */
	ideal = (double)to / (9.0 * from + to) - 1.0 / 10;
	if (ideal < 0)
		ideal = -ideal;
	frac = (double)count_diff(a, t, M_DEF) / M_DEF;
	printf("# weight %u -> %u of 1 in 10: changed %.4f, ideal %.4f (ratio %.3f)\n", from, to,
	       frac, ideal, frac / ideal);
	CHECK(frac <= 1.5 * ideal + 0.005);
	free(a);
	free(t);
}

static void
test_disruption_weight(void)
{
	check_weight_change(100, 200);
	check_weight_change(100, 50);
	check_weight_change(100, 110);
	check_weight_change(100, 1);
}

static void
test_order_independence(void)
{
	struct dsr_maglev_backend b[50];
	uint16_t *a = new_table(M_DEF), *t = new_table(M_DEF);
	unsigned int i, round;

	make_backends(b, 50, 0);
	for (i = 0; i < 50; i++)
		b[i].weight = i % 7 == 0 ? 0 : 1 + rng() % 500;
	CHECK_EQ(dsr_maglev_build(b, 50, M_DEF, a), 0);
	for (round = 0; round < 20; round++) {
		shuffle(b, 50);
		CHECK_EQ(dsr_maglev_build(b, 50, M_DEF, t), 0);
		CHECK_EQ(count_diff(a, t, M_DEF), 0);
	}
	free(a);
	free(t);
}

static void
test_drain(void)
{
	struct dsr_maglev_backend b[5];
	uint32_t counts[5];
	uint16_t *t = new_table(M_DEF), *ref = new_table(M_DEF);
	unsigned int i;

	make_backends(b, 5, 10);
	b[2].weight = 0;
	CHECK_EQ(dsr_maglev_build(b, 5, M_DEF, t), 0);
	CHECK_EQ(count_slots(t, M_DEF, counts, 5), 0);
	CHECK_EQ(counts[2], 0);
	CHECK_EQ(counts[0] + counts[1] + counts[3] + counts[4], M_DEF);
	/* Same table as without the drained backend at all. */
	b[2] = b[4];
	CHECK_EQ(dsr_maglev_build(b, 4, M_DEF, ref), 0);
	CHECK_EQ(count_diff(t, ref, M_DEF), 0);

	/* All drained, or none at all: every slot is NONE. */
	make_backends(b, 5, 0);
	CHECK_EQ(dsr_maglev_build(b, 5, M_DEF, t), 0);
	CHECK_EQ(count_slots(t, M_DEF, counts, 5), M_DEF);
	for (i = 0; i < M_DEF; i++)
		CHECK(t[i] == DSR_MAGLEV_NONE);
	memset(t, 0, sizeof(*t) * M_DEF);
	CHECK_EQ(dsr_maglev_build(NULL, 0, M_DEF, t), 0);
	for (i = 0; i < M_DEF; i++)
		CHECK(t[i] == DSR_MAGLEV_NONE);
	free(t);
	free(ref);
}

/*
 * Pinned tables. If these change, the hash or the algorithm changed and
 * every deployed flow would move: that needs a very good reason.
 */
static void
test_golden(void)
{
	static const uint32_t weights[2][3] = {{1, 1, 1}, {1, 2, 3}};
	static const uint16_t gold[2][13] = {
		{7, 8, 9, 9, 9, 7, 9, 8, 7, 8, 9, 7, 8},
		{7, 8, 9, 9, 9, 7, 9, 9, 9, 8, 9, 8, 8},
	};
	/* 192.168.0.1, 192.168.0.2, 10.0.0.5 */
	static const uint32_t keys[3] = {0xc0a80001, 0xc0a80002, 0x0a000005};
	struct dsr_maglev_backend b[3];
	uint16_t t[13];
	uint32_t off, skip;
	unsigned int c, i;

	/* splitmix64's first output from seed 0 (its published test vector). */
	CHECK(dsr_maglev_mix64(0) == 0xe220a8397b1dcdafULL);
	CHECK(dsr_maglev_mix64(0x0a000001) == 0x207f14566daeebc6ULL);
	CHECK(dsr_maglev_mix64(0x0a000001 | DSR_MAGLEV_H2_TAG) == 0x12613767dab50658ULL);
	dsr_maglev_perm(htonl(0x0a000001), M_DEF, &off, &skip);
	CHECK_EQ(off, 29167);
	CHECK_EQ(skip, 1625);

	for (c = 0; c < 2; c++) {
		for (i = 0; i < 3; i++) {
			b[i].key = htonl(keys[i]);
			b[i].weight = weights[c][i];
			b[i].id = (uint16_t)(7 + i);
		}
		CHECK_EQ(dsr_maglev_build(b, 3, 13, t), 0);
		printf("# golden weights %u/%u/%u:", b[0].weight, b[1].weight, b[2].weight);
		for (i = 0; i < 13; i++) {
			printf(" %u", t[i]);
			CHECK_EQ(t[i], gold[c][i]);
		}
		printf("\n");
	}
}

/*
 * The build equals the obvious round-by-round algorithm, with similar
 * weights (maglev.c walks the rounds) and skewed ones (it uses a heap).
 */
static void
test_reference(void)
{
	static const uint32_t sizes[] = {3, 13, 1009, 65537};
	struct dsr_maglev_backend b[60];
	uint16_t *t = new_table(M_DEF), *r = new_table(M_DEF);
	unsigned int s, round, i, n, checked = 0;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (round = 0; round < 16; round++) {
			unsigned int mode = round % 4;

			n = 1 + rng() % 60;
			for (i = 0; i < n; i++) {
				b[i].key = rng();
				b[i].id = (uint16_t)(rng() % 1000);
				if (mode == 0)
					b[i].weight = 5;
				else if (mode == 1)
					b[i].weight = 1 + rng() % 3;
				else
					b[i].weight = rng() % 4 == 0 ? 0 : 1 + rng() % 1000;
			}
			if (mode == 3)
				b[rng() % n].weight = 20000; /* one heavy backend */
			/* At least one active. */
			b[0].weight += 1;
			if (dsr_maglev_build(b, n, sizes[s], t) == -EINVAL)
				continue; /* a random duplicate key */
			ref_build(b, n, sizes[s], r);
			CHECK_EQ(count_diff(t, r, sizes[s]), 0);
			checked++;
		}
	}
	CHECK(checked >= 60);
	free(t);
	free(r);
}

static void
test_bad_args(void)
{
	struct dsr_maglev_backend b[3];
	uint16_t *t = new_table(1048583);
	uint32_t i, untouched = 0;

	make_backends(b, 3, 1);
	for (i = 0; i < 13; i++)
		t[i] = 0x1234;
	CHECK_EQ(dsr_maglev_build(b, 3, 0, t), -EINVAL);
	CHECK_EQ(dsr_maglev_build(b, 3, 1, t), -EINVAL);
	CHECK_EQ(dsr_maglev_build(b, 3, 2, t), -EINVAL);
	CHECK_EQ(dsr_maglev_build(b, 3, 12, t), -EINVAL);
	CHECK_EQ(dsr_maglev_build(b, 3, 65536, t), -EINVAL);
	CHECK_EQ(dsr_maglev_build(b, 3, 1048583, t), -EINVAL); /* prime, too big */
	CHECK_EQ(dsr_maglev_build(b, 3, 4294967291u, t), -EINVAL);
	CHECK_EQ(dsr_maglev_build(b, 3, 13, NULL), -EINVAL);
	CHECK_EQ(dsr_maglev_build(NULL, 3, 13, t), -EINVAL);
	CHECK_EQ(dsr_maglev_build(b, 65536, 13, t), -EINVAL);
	b[1].id = DSR_MAGLEV_NONE;
	CHECK_EQ(dsr_maglev_build(b, 3, 13, t), -EINVAL);
	b[1].id = 1;
	b[2].key = b[0].key; /* duplicate, even when drained */
	b[2].weight = 0;
	CHECK_EQ(dsr_maglev_build(b, 3, 13, t), -EINVAL);
	for (i = 0; i < 13; i++)
		untouched += t[i] == 0x1234;
	CHECK_EQ(untouched, 13);

	/* The limits themselves are fine. */
	make_backends(b, 3, 1);
	CHECK_EQ(dsr_maglev_build(b, 3, 3, t), 0);
	CHECK_EQ(dsr_maglev_build(b, 3, DSR_MAGLEV_MAX_SIZE, t), 0);
	free(t);
}

/* More backends than slots; extreme weights. */
static void
test_edges(void)
{
	struct dsr_maglev_backend b[5];
	uint32_t counts[5];
	uint16_t *t = new_table(M_DEF);
	unsigned int i;

	make_backends(b, 5, 1);
	CHECK_EQ(dsr_maglev_build(b, 5, 3, t), 0);
	CHECK_EQ(count_slots(t, 3, counts, 5), 0);
	for (i = 0; i < 5; i++)
		CHECK(counts[i] == (i < 3 ? 1u : 0u)); /* first round, key order */

	/* Key 0 and 255.255.255.255 are ordinary keys. */
	b[0].key = 0;
	b[1].key = 0xffffffffu;
	CHECK_EQ(dsr_maglev_build(b, 2, M_DEF, t), 0);
	CHECK_EQ(count_slots(t, M_DEF, counts, 2), 0);
	CHECK(counts[0] > M_DEF / 2 - 100 && counts[1] > M_DEF / 2 - 100);

	/* A share far below one slot gets none; the build stays fast. */
	make_backends(b, 2, 1);
	b[0].weight = UINT32_MAX;
	CHECK_EQ(dsr_maglev_build(b, 2, M_DEF, t), 0);
	CHECK_EQ(count_slots(t, M_DEF, counts, 2), 0);
	CHECK_EQ(counts[0], M_DEF);
	CHECK_EQ(counts[1], 0);
	b[1].weight = UINT32_MAX - 1;
	CHECK_EQ(dsr_maglev_build(b, 2, M_DEF, t), 0);
	CHECK_EQ(count_slots(t, M_DEF, counts, 2), 0);
	CHECK((int64_t)counts[0] - counts[1] <= 2 && (int64_t)counts[1] - counts[0] <= 2);

	/* Lookup uses the upper 32 bits of the flow hash. */
	make_backends(b, 5, 1);
	CHECK_EQ(dsr_maglev_build(b, 5, M_DEF, t), 0);
	for (i = 0; i < 1000; i++) {
		uint64_t h = ((uint64_t)rng() << 32) | rng();

		CHECK_EQ(dsr_maglev_lookup(t, M_DEF, h), t[(h >> 32) % M_DEF]);
	}
	free(t);
}

static void
time_build(const char *what, const struct dsr_maglev_backend *b, unsigned int n, uint32_t size)
{
	uint16_t *t = new_table(size);
	uint32_t counts[MAX_B];
	struct timespec t0, t1;
	double ms, best = 1e9;
	int k;

	for (k = 0; k < 3; k++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		CHECK_EQ(dsr_maglev_build(b, n, size, t), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (ms < best)
			best = ms;
	}
	CHECK_EQ(count_slots(t, size, counts, n), 0);
	printf("# build M=%u N=%u %s: %.2f ms\n", size, n, what, best);
	free(t);
}

static void
test_timing(void)
{
	static struct dsr_maglev_backend b[MAX_B];
	unsigned int i;

	make_backends(b, 100, 1);
	time_build("equal", b, 100, M_DEF);
	make_backends(b, MAX_B, 1);
	time_build("equal", b, MAX_B, DSR_MAGLEV_MAX_SIZE);
	for (i = 0; i < MAX_B; i++)
		b[i].weight = 1 + rng() % 1000;
	time_build("weights 1..1000", b, MAX_B, DSR_MAGLEV_MAX_SIZE);
	make_backends(b, MAX_B, 1000);
	b[0].weight = 1000000;
	time_build("one weight 1000x", b, MAX_B, DSR_MAGLEV_MAX_SIZE);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_is_prime),
		DSR_TEST(test_balance_equal),
		DSR_TEST(test_weights),
		DSR_TEST(test_disruption_membership),
		DSR_TEST(test_disruption_weight),
		DSR_TEST(test_order_independence),
		DSR_TEST(test_drain),
		DSR_TEST(test_golden),
		DSR_TEST(test_reference),
		DSR_TEST(test_bad_args),
		DSR_TEST(test_edges),
		DSR_TEST(test_timing),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
