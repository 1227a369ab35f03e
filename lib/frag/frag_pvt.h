/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_FRAG_PVT_H
#define DSR_FRAG_PVT_H

#include <stdint.h>
#include <string.h>

#include "dsr_frag.h"

/* Slots of a bucket: three 20-byte entries fill a 64-byte line, for either family. */
#define FRAG_WAYS 3

/*
 * An entry: what it keeps of its key (IPv4's addresses as they are,
 * source then destination, or IPv6's as a keyed digest; identification;
 * protocol; family, 0 when the entry is free), then its backend and age.
 */
struct frag_entry {
	uint32_t addr[2];
	uint32_t id;
	uint8_t proto;
	uint8_t family;
	uint16_t backend;
	uint32_t born_ms;
};

_Static_assert(sizeof(struct frag_entry) == 20, "three entries to a bucket");

struct frag_bucket {
	struct frag_entry e[FRAG_WAYS];
	uint32_t pad;
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct frag_bucket) == 64, "a bucket is one cache line");

struct dsr_frag {
	uint64_t seed;
	uint64_t key6[2]; /* SipHash's key for the digest of IPv6 addresses */
	uint32_t mask;    /* buckets - 1 */
	uint32_t count;
	uint32_t timeout_ms;
	struct frag_bucket bk[] __attribute__((aligned(64)));
};

static inline uint64_t
frag_rotl(uint64_t x, unsigned int r)
{
	return (x << r) | (x >> (64 - r));
}

#define FRAG_SIPROUND(v)                                                                           \
	do {                                                                                       \
		v[0] += v[1];                                                                      \
		v[1] = frag_rotl(v[1], 13) ^ v[0];                                                 \
		v[0] = frag_rotl(v[0], 32);                                                        \
		v[2] += v[3];                                                                      \
		v[3] = frag_rotl(v[3], 16) ^ v[2];                                                 \
		v[0] += v[3];                                                                      \
		v[3] = frag_rotl(v[3], 21) ^ v[0];                                                 \
		v[2] += v[1];                                                                      \
		v[1] = frag_rotl(v[1], 17) ^ v[2];                                                 \
		v[2] = frag_rotl(v[2], 32);                                                        \
	} while (0)

/*
 * SipHash-2-4 (Aumasson and Bernstein) of 32 bytes under key k: a keyed
 * pseudo-random function, so that nobody who does not know the key can
 * make two IPv6 address pairs share a digest (a seeded multiply-and-mix
 * hash has differences that cancel whatever the seed). Little-endian
 * words, as the reference; pinned by test_frag.c with its test vector.
 */
static inline uint64_t
frag_siphash32(const uint64_t k[2], const uint8_t m[32])
{
	uint64_t v[4] = {k[0] ^ 0x736f6d6570736575ULL, k[1] ^ 0x646f72616e646f6dULL,
			 k[0] ^ 0x6c7967656e657261ULL, k[1] ^ 0x7465646279746573ULL};
	const uint64_t last = (uint64_t)32 << 56;
	uint64_t w;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		memcpy(&w, m + 8 * i, 8);
		v[3] ^= w;
		FRAG_SIPROUND(v);
		FRAG_SIPROUND(v);
		v[0] ^= w;
	}
	v[3] ^= last;
	FRAG_SIPROUND(v);
	FRAG_SIPROUND(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		FRAG_SIPROUND(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

#endif /* DSR_FRAG_PVT_H */
