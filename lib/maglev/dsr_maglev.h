/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_MAGLEV_H
#define DSR_MAGLEV_H

/**
 * @file
 * Weighted Maglev consistent hashing (Eisenbud et al., NSDI 2016).
 * Pure C, no EAL. Built on the control lcore; the result is a flat
 * array that workers index with (flow hash % size).
 */

#include <stdbool.h>
#include <stdint.h>

#define DSR_MAGLEV_DEFAULT_SIZE 65537u
#define DSR_MAGLEV_MAX_SIZE     1048573u /**< largest prime below 2^20 */
#define DSR_MAGLEV_NONE         0xffffu  /**< slot value when no backend can take flows */

/** One backend as Maglev sees it. */
struct dsr_maglev_backend {
	uint32_t key; /**< identity hashed for the permutation: the backend IPv4, network order */
	uint32_t weight; /**< 0 = draining: gets no slot */
	uint16_t id;     /**< value written into the slots (the backend id) */
};

/** Return true if n is prime. */
bool dsr_maglev_is_prime(uint32_t n);

/**
 * Fill table[0..size-1] with backend ids.
 *
 * The result depends only on the set of {key, weight, id}, never on the
 * order of the array, so two daemons with the same config build the same
 * table. Each backend gets a share of slots proportional to its weight.
 * If no backend has a non-zero weight every slot is DSR_MAGLEV_NONE.
 *
 * Algorithm: each backend's permutation of the slots comes from a fixed,
 * seedless hash of its key (see maglev_pvt.h); backends, in order of key
 * (as a number: 10.0.0.1 = 0x0a000001, on any host), take turns in
 * rounds: each adds its weight to a credit and, when the credit reaches
 * the largest weight, subtracts it and claims its next free preferred
 * slot. A backend whose share is below one slot may get none. Two
 * backends may share an id (they then pool their slots). Scratch memory
 * is malloc'ed and freed: call it from the control plane only.
 * Cost: O(M) with similar weights, O(M log N) with skewed ones, plus
 * Maglev's O(M log M) slot probing (about 1 ms for M = 65537, N = 100).
 *
 * On error the table is left untouched.
 *
 * @return 0, -EINVAL (table NULL, size not prime, size <= 2,
 *         size > DSR_MAGLEV_MAX_SIZE, n > 65535, backends NULL with n > 0,
 *         an id equal to DSR_MAGLEV_NONE, duplicate key) or -ENOMEM.
 */
int dsr_maglev_build(const struct dsr_maglev_backend *backends, unsigned int n, uint32_t size,
		     uint16_t *table);

/** Pick the slot for a flow hash. */
static inline uint16_t
dsr_maglev_lookup(const uint16_t *table, uint32_t size, uint64_t flow_hash)
{
	return table[(uint32_t)(flow_hash >> 32) % size];
}

#endif /* DSR_MAGLEV_H */
