/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_FRAG_PVT_H
#define DSR_FRAG_PVT_H

#include <stdint.h>

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
	uint64_t seed6; /* keys the digest of IPv6 addresses */
	uint32_t mask;  /* buckets - 1 */
	uint32_t count;
	uint32_t timeout_ms;
	struct frag_bucket bk[] __attribute__((aligned(64)));
};

#endif /* DSR_FRAG_PVT_H */
