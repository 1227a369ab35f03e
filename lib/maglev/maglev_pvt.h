/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_MAGLEV_PVT_H
#define DSR_MAGLEV_PVT_H

/*
 * Maglev internals shared with the unit tests: the backend permutation.
 *
 * Everything here is part of the table's on-the-wire contract: two
 * daemons (or two releases) must compute the same permutation for the
 * same key, or every live flow moves. Never change these functions.
 */

#include <stdint.h>
#include <string.h>

/* Input bit that separates the skip hash (h2) from the offset hash (h1). */
#define DSR_MAGLEV_H2_TAG (1ULL << 32)

/*
 * The splitmix64 finalizer (Steele, Lea, Flood 2014): a fixed, seedless
 * 64-bit bijection with full avalanche.
 */
static inline uint64_t
dsr_maglev_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * The key (an IPv4 address in network order) as a number: 10.0.0.1 is
 * 0x0a000001 on every host, whatever its byte order. Hashing and sorting
 * use this value so that the table does not depend on endianness.
 */
static inline uint32_t
dsr_maglev_key_num(uint32_t key)
{
	uint8_t b[4];

	memcpy(b, &key, sizeof(b));
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) |
	       (uint32_t)b[3];
}

/*
 * The permutation of a backend in a table of prime size M:
 * slot j = (offset + j * skip) % M, with offset = h1 % M,
 * skip = h2 % (M - 1) + 1, h1 = mix64(k), h2 = mix64(k | 2^32),
 * k = dsr_maglev_key_num(key). Since M is prime and 1 <= skip < M,
 * the permutation visits every slot exactly once.
 */
static inline void
dsr_maglev_perm(uint32_t key, uint32_t size, uint32_t *offset, uint32_t *skip)
{
	uint64_t k = dsr_maglev_key_num(key);

	*offset = (uint32_t)(dsr_maglev_mix64(k) % size);
	*skip = (uint32_t)(dsr_maglev_mix64(k | DSR_MAGLEV_H2_TAG) % (size - 1)) + 1;
}

#endif /* DSR_MAGLEV_PVT_H */
