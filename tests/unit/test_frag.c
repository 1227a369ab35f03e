/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/frag: the fragment table. Bounded memory under a flood, expiry by
 * the timeout, the oldest entry evicted from a full bucket; IPv6 keys
 * beside IPv4's in the same buckets, and IPv4's buckets as they were.
 */
#include <stdlib.h>
#include <string.h>

#include "dsr_frag.h"
#include "dsr_test.h"
#include "frag_pvt.h"

static struct dsr_frag *
make(uint32_t entries, void **mem)
{
	size_t size = dsr_frag_mem_size(entries);

	*mem = aligned_alloc(64, (size + 63) & ~(size_t)63);
	return dsr_frag_init(*mem, size, entries, 0x1234);
}

static struct dsr_frag_key
key(uint32_t src, uint16_t id)
{
	struct dsr_frag_key k;

	dsr_frag_key4(&k, src, 0x6400000a, id, 17);
	return k;
}

/* An IPv6 datagram from fd00::<src> to fd00:1::100. */
static struct dsr_frag_key
key6(uint32_t src, uint32_t id)
{
	uint8_t s[16] = {0xfd}, d[16] = {0xfd, 0, 0, 1, [14] = 1};

	struct dsr_frag_key k;

	memcpy(s + 12, &src, 4);
	dsr_frag_key6(&k, s, d, id, 17);
	return k;
}

static void
test_put_get(void)
{
	void *mem;
	struct dsr_frag *t = make(1024, &mem);
	struct dsr_frag_key k = key(1, 7), other = key(1, 8);
	uint16_t be = 0;

	CHECK(t != NULL);
	CHECK(dsr_frag_capacity(t) >= 1024);
	CHECK_EQ(dsr_frag_get(t, &k, 0, &be), DSR_FRAG_MISS);
	CHECK_EQ(dsr_frag_put(t, &k, 42, 100), DSR_FRAG_PUT_NEW);
	CHECK_EQ(dsr_frag_get(t, &k, 200, &be), DSR_FRAG_HIT);
	CHECK_EQ(be, 42);
	CHECK_EQ(dsr_frag_get(t, &other, 200, &be), DSR_FRAG_MISS);
	other = k;
	other.proto = 6; /* the protocol is part of the identity */
	CHECK_EQ(dsr_frag_get(t, &other, 200, &be), DSR_FRAG_MISS);
	/* The same datagram again (a retransmitted first fragment): renewed. */
	CHECK_EQ(dsr_frag_put(t, &k, 43, 300), DSR_FRAG_PUT_SAME);
	CHECK_EQ(dsr_frag_get(t, &k, 300, &be), DSR_FRAG_HIT);
	CHECK_EQ(be, 43);
	CHECK_EQ(dsr_frag_count(t), 1);
	free(mem);
}

static void
test_expiry(void)
{
	void *mem;
	struct dsr_frag *t = make(64, &mem);
	struct dsr_frag_key k = key(2, 1);
	uint16_t be = 0;

	dsr_frag_set_timeout(t, 2000);
	CHECK_EQ(dsr_frag_put(t, &k, 5, 1000), DSR_FRAG_PUT_NEW);
	CHECK_EQ(dsr_frag_get(t, &k, 2999, &be), DSR_FRAG_HIT);
	CHECK_EQ(dsr_frag_get(t, &k, 3000, &be), DSR_FRAG_EXPIRED);
	CHECK_EQ(dsr_frag_count(t), 0);
	CHECK_EQ(dsr_frag_get(t, &k, 3000, &be), DSR_FRAG_MISS);
	/* Across the clock's wrap. */
	CHECK_EQ(dsr_frag_put(t, &k, 6, UINT32_MAX - 500), DSR_FRAG_PUT_NEW);
	CHECK_EQ(dsr_frag_get(t, &k, 1000, &be), DSR_FRAG_HIT);
	CHECK_EQ(dsr_frag_get(t, &k, 1500, &be), DSR_FRAG_EXPIRED);
	free(mem);
}

/* A table of 3 entries is one bucket: every key shares it. */
static void
test_evict_oldest(void)
{
	void *mem;
	struct dsr_frag *t = make(3, &mem);
	struct dsr_frag_key k[5];
	uint16_t be = 0;
	unsigned int i;

	CHECK_EQ(dsr_frag_capacity(t), 3);
	dsr_frag_set_timeout(t, 2000);
	for (i = 0; i < 5; i++)
		k[i] = key(10 + i, (uint16_t)i);
	CHECK_EQ(dsr_frag_put(t, &k[0], 0, 100), DSR_FRAG_PUT_NEW);
	CHECK_EQ(dsr_frag_put(t, &k[1], 1, 50), DSR_FRAG_PUT_NEW); /* the oldest */
	CHECK_EQ(dsr_frag_put(t, &k[2], 2, 200), DSR_FRAG_PUT_NEW);
	CHECK_EQ(dsr_frag_put(t, &k[3], 3, 300), DSR_FRAG_PUT_EVICTED);
	CHECK_EQ(dsr_frag_get(t, &k[1], 300, &be), DSR_FRAG_MISS);
	CHECK_EQ(dsr_frag_get(t, &k[0], 300, &be), DSR_FRAG_HIT);
	CHECK_EQ(be, 0);
	CHECK_EQ(dsr_frag_get(t, &k[3], 300, &be), DSR_FRAG_HIT);
	CHECK_EQ(be, 3);
	/* An expired entry is reused before a live one is evicted. */
	CHECK_EQ(dsr_frag_put(t, &k[4], 4, 2150), DSR_FRAG_PUT_EXPIRED);
	CHECK_EQ(dsr_frag_get(t, &k[2], 2150, &be), DSR_FRAG_HIT);
	CHECK_EQ(dsr_frag_get(t, &k[3], 2150, &be), DSR_FRAG_HIT);
	CHECK_EQ(dsr_frag_count(t), 3);
	free(mem);
}

/* A flood of first fragments: the count never passes the capacity. */
static void
test_flood_bounded(void)
{
	void *mem;
	struct dsr_frag *t = make(4096, &mem);
	uint32_t i, evicted = 0, cap = dsr_frag_capacity(t);
	uint16_t be = 0;

	for (i = 0; i < 200000; i++) {
		struct dsr_frag_key k = key(i * 2654435761u, (uint16_t)i);

		evicted += dsr_frag_put(t, &k, (uint16_t)(i & 7), i / 1000) == DSR_FRAG_PUT_EVICTED;
		CHECK(dsr_frag_count(t) <= cap);
	}
	CHECK_EQ(dsr_frag_count(t), cap);
	CHECK(evicted > 200000 - 2 * cap);
	/* The newest datagram is still there. */
	{
		struct dsr_frag_key k = key((i - 1) * 2654435761u, (uint16_t)(i - 1));

		CHECK_EQ(dsr_frag_get(t, &k, i / 1000, &be), DSR_FRAG_HIT);
		CHECK_EQ(be, (i - 1) & 7);
	}
	free(mem);
}

/* IPv6 keys: every byte of the identity counts, and IPv4's are never taken for them. */
static void
test_ipv6(void)
{
	void *mem;
	struct dsr_frag *t = make(1024, &mem);
	struct dsr_frag_key k = key6(1, 0x80000007), other;
	struct dsr_frag_key k4 = key(0, 7);
	uint16_t be = 0;
	unsigned int i;

	CHECK_EQ(dsr_frag_put(t, &k, 42, 100), DSR_FRAG_PUT_NEW);
	CHECK_EQ(dsr_frag_get(t, &k, 200, &be), DSR_FRAG_HIT);
	CHECK_EQ(be, 42);
	for (i = 0; i < 32; i++) {
		other = k;
		(i < 16 ? other.src : other.dst)[i % 16] ^= 0x40;
		CHECK_EQ(dsr_frag_get(t, &other, 200, &be), DSR_FRAG_MISS);
	}
	other = k;
	other.id ^= 0x80000000u; /* all 32 bits of the id */
	CHECK_EQ(dsr_frag_get(t, &other, 200, &be), DSR_FRAG_MISS);
	other = k;
	other.proto = 6;
	CHECK_EQ(dsr_frag_get(t, &other, 200, &be), DSR_FRAG_MISS);
	/* Same bytes, other family: another datagram. */
	memcpy(k4.src, k.src, 4);
	memcpy(k4.dst, k.dst, 4);
	k4.id = 0x7;
	CHECK_EQ(dsr_frag_get(t, &k4, 200, &be), DSR_FRAG_MISS);
	CHECK_EQ(dsr_frag_put(t, &k4, 9, 200), DSR_FRAG_PUT_NEW);
	CHECK_EQ(dsr_frag_get(t, &k, 200, &be), DSR_FRAG_HIT);
	CHECK_EQ(be, 42);
	CHECK_EQ(dsr_frag_put(t, &k, 43, 300), DSR_FRAG_PUT_SAME);
	CHECK_EQ(dsr_frag_count(t), 2);
	dsr_frag_set_timeout(t, 2000);
	CHECK_EQ(dsr_frag_get(t, &k, 2300, &be), DSR_FRAG_EXPIRED);
	CHECK_EQ(dsr_frag_get(t, &k4, 2199, &be), DSR_FRAG_HIT);
	CHECK_EQ(be, 9);
	free(mem);
}

/* Both families in one bucket: the oldest is evicted, whichever family. */
static void
test_mixed_bucket(void)
{
	void *mem;
	struct dsr_frag *t = make(3, &mem);
	struct dsr_frag_key k[4] = {key(1, 1), key6(2, 2), key6(3, 3), key(4, 4)};
	uint16_t be = 0;

	CHECK_EQ(dsr_frag_put(t, &k[0], 0, 100), DSR_FRAG_PUT_NEW);
	CHECK_EQ(dsr_frag_put(t, &k[1], 1, 50), DSR_FRAG_PUT_NEW); /* the oldest */
	CHECK_EQ(dsr_frag_put(t, &k[2], 2, 200), DSR_FRAG_PUT_NEW);
	CHECK_EQ(dsr_frag_put(t, &k[3], 3, 300), DSR_FRAG_PUT_EVICTED);
	CHECK_EQ(dsr_frag_get(t, &k[1], 300, &be), DSR_FRAG_MISS);
	CHECK_EQ(dsr_frag_get(t, &k[2], 300, &be), DSR_FRAG_HIT);
	CHECK_EQ(be, 2);
	CHECK_EQ(dsr_frag_get(t, &k[3], 300, &be), DSR_FRAG_HIT);
	CHECK_EQ(be, 3);
	free(mem);
}

/* A flood of IPv6 first fragments: bounded, and the newest is found. */
static void
test_flood6_bounded(void)
{
	void *mem;
	struct dsr_frag *t = make(4096, &mem);
	uint32_t i, cap = dsr_frag_capacity(t);
	uint16_t be = 0;

	for (i = 0; i < 100000; i++) {
		struct dsr_frag_key k = key6(i * 2654435761u, i);

		dsr_frag_put(t, &k, (uint16_t)(i & 7), i / 1000);
		CHECK(dsr_frag_count(t) <= cap);
	}
	CHECK_EQ(dsr_frag_count(t), cap);
	{
		struct dsr_frag_key k = key6((i - 1) * 2654435761u, i - 1);

		CHECK_EQ(dsr_frag_get(t, &k, i / 1000, &be), DSR_FRAG_HIT);
		CHECK_EQ(be, (i - 1) & 7);
	}
	free(mem);
}

/* IPv4's bucket is the one it had before IPv6 shared the table (pinned formula). */
static void
test_ipv4_bucket_pinned(void)
{
	void *mem;
	struct dsr_frag *t = make(4096, &mem);
	uint32_t i, n = 0;

	for (i = 0; i < 1000; i++) {
		struct dsr_frag_key k = key(i * 2654435761u, (uint16_t)(i * 7));
		uint32_t src = i * 2654435761u, dst = 0x6400000a;
		uint64_t a = ((uint64_t)src << 32) | dst,
			 b = ((uint64_t)(uint16_t)(i * 7) << 8) | 17;
		uint64_t h = (a ^ (0x1234 | 1)) * 0x9e3779b97f4a7c15ULL;
		const struct frag_bucket *bk;
		unsigned int w;

		h ^= (b + (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 32;
		dsr_frag_put(t, &k, 1, 0);
		bk = &t->bk[h & t->mask];
		for (w = 0; w < FRAG_WAYS; w++)
			n += bk->e[w].family == DSR_FRAG_IPV4 && bk->e[w].addr[0] == src &&
			     bk->e[w].id == (uint16_t)(i * 7);
	}
	CHECK_EQ(n, 1000);
	free(mem);
}

/* The IPv6 digest is SipHash-2-4: the reference's test vector (key 00..0f, message 00..1f). */
static void
test_siphash_vector(void)
{
	const uint64_t k[2] = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
	uint8_t m[32];
	unsigned int i;

	for (i = 0; i < 32; i++)
		m[i] = (uint8_t)i;
	CHECK(frag_siphash32(k, m) == 0x7127512f72f27cceULL);
}

static void
test_bad_args(void)
{
	static uint8_t buf[4096] __attribute__((aligned(64)));

	CHECK_EQ(dsr_frag_mem_size(0), 0);
	CHECK_EQ(dsr_frag_mem_size((1u << 24) + 1), 0);
	CHECK(dsr_frag_init(NULL, 4096, 3, 1) == NULL);
	CHECK(dsr_frag_init(buf, 10, 3, 1) == NULL);
	CHECK(dsr_frag_init(buf + 8, 4000, 3, 1) == NULL);
	CHECK(dsr_frag_init(buf, sizeof(buf), 3, 1) != NULL);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_put_get),
		DSR_TEST(test_expiry),
		DSR_TEST(test_evict_oldest),
		DSR_TEST(test_flood_bounded),
		DSR_TEST(test_bad_args),
		DSR_TEST(test_ipv6),
		DSR_TEST(test_mixed_bucket),
		DSR_TEST(test_flood6_bounded),
		DSR_TEST(test_ipv4_bucket_pinned),
		DSR_TEST(test_siphash_vector),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
