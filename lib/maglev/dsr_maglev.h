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
	uint32_t key;    /**< identity hashed for the permutation: the backend IPv4, network order */
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
 * @return 0, -EINVAL (size not prime, size > DSR_MAGLEV_MAX_SIZE, n > 65535,
 *         duplicate key) or -ENOMEM.
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
