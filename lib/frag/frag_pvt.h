/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_FRAG_PVT_H
#define DSR_FRAG_PVT_H

#include <stdint.h>

#include "dsr_frag.h"

/* Slots of a bucket: three 20-byte entries fill a 64-byte line. */
#define FRAG_WAYS 3

struct frag_entry {
	struct dsr_frag_key key;
	uint16_t backend;
	uint16_t used; /* 0: free */
	uint32_t born_ms;
};

struct frag_bucket {
	struct frag_entry e[FRAG_WAYS];
	uint32_t pad;
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct frag_bucket) == 64, "a bucket is one cache line");

struct dsr_frag {
	uint64_t seed;
	uint32_t mask; /* buckets - 1 */
	uint32_t count;
	uint32_t timeout_ms;
	struct frag_bucket bk[] __attribute__((aligned(64)));
};

#endif /* DSR_FRAG_PVT_H */
