/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_CT6_PVT_H
#define DSR_CT6_PVT_H

/*
 * Private layout of the IPv6 connection table (see dsr_ct6.h for the API).
 *
 * An IPv6 entry is 48 bytes (the 36 bytes of addresses and ports, the
 * state and hint word, the backend, last_seen, and `home`). lib/ct's
 * layout, whole entries in the bucket, would fit one to a cache line
 * and need twice the lines for the same load. So the key is stored apart
 * from its hash bucket, as rte_hash and the cuckoo-filter papers do:
 *
 *	pool:    max_entries entries of 48 bytes, exactly (no load slack);
 *	         free ones form a stack linked through `home`.
 *	buckets: a power of two of 64-byte lines, each ten 16-bit
 *	         signatures (0 = free slot), a seqlock word, and ten 32-bit
 *	         pool indices.
 *
 * Each flow has two candidate buckets, both from the caller's hash h:
 *
 *	b1  = (uint32_t)h & mask
 *	sig = h >> 48 (0 becomes 1)
 *	b2  = b1 ^ alt(sig)         (a multiplicative hash of sig, odd, & mask)
 *
 * so a slot's other bucket is known from its bucket and signature alone
 * (partial-key cuckoo hashing): relocation moves slots between buckets
 * without reading entries, and entries never move. A lookup compares
 * the ten signatures at once (three 8-byte words, lane-exact), then the
 * key of each match only: a false match costs one entry read with chance
 * about 10 / 2^16 per bucket. An entry's `home` is (bucket << 4 | slot),
 * so that remove and sweep, which start from the entry, find its slot.
 *
 * Readers (walk) go bucket by bucket: a bucket's ctl is a seqlock that
 * covers its slots and the keys and backends of the entries they point
 * to (an entry is written only while its slot's bucket is open).
 * dsr_ct6_touch() stores sh and last_seen outside it, as in lib/ct.
 *
 * Sizing: buckets = max(2, next power of two >= ceil(max_entries /
 * (10 * 0.9))): a full table fills 45% to 90% of the slots. Memory:
 * 48 * max_entries + 64 * buckets, 55.2 to 62.3 bytes per entry (from
 * about 1000 entries up), 56.0 when max_entries is a power of two.
 * The hash must be well mixed in its low bits and its top 16 (as a
 * 32-bit CRC in both halves is, up to 2^16 buckets; past that the
 * signature shares bits with the bucket index and filters less, which
 * costs speed, not correctness).
 */

#include <stdint.h>

#include "dsr_ct6.h"

#define DSR_CT6_SLOT_BITS 4 /* home = bucket << 4 | slot */
#define DSR_CT6_SLOT_MASK ((1u << DSR_CT6_SLOT_BITS) - 1)

/* Design load: max_entries fill at most this fraction (num / den) of slots. */
#ifndef DSR_CT6_LOAD_NUM
#define DSR_CT6_LOAD_NUM 9
#define DSR_CT6_LOAD_DEN 10
#endif

/* Largest max_entries accepted (as lib/ct). */
#define DSR_CT6_MAX_ENTRIES (1u << 28)

/* Buckets a relocation search may examine before insert gives up. */
#ifndef DSR_CT6_BFS_NODES
#define DSR_CT6_BFS_NODES 64
#endif

_Static_assert(sizeof(struct dsr_ct6_entry) == 48, "entry must be 48 bytes");
_Static_assert(sizeof(struct dsr_ct6_bucket) == 64, "bucket must be one cache line");
_Static_assert(DSR_CT6_SLOTS <= DSR_CT6_SLOT_MASK + 1, "home's slot bits");

#endif /* DSR_CT6_PVT_H */
