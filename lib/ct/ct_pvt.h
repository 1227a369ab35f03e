/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_CT_PVT_H
#define DSR_CT_PVT_H

/*
 * Private layout of the connection table (see dsr_ct.h for the API).
 *
 * Buckets are one cache line: a 32-bit control word and three 20-byte
 * entries, as in FD.io VPP's lbhash.h, but keyed by the full 5-tuple.
 *
 * Each flow has two candidate buckets, both derived from the caller's
 * 64-bit hash h, so both are known before the key is read
 * (dsr_ct_prefetch() fetches b1's line only, where inserts go first):
 *
 *	b1  = (uint32_t)h & mask
 *	tag = h >> 59                          (5 bits)
 *	b2  = b1 ^ ct->alt[tag]                (ct_tag_offset[tag] & mask;
 *	                                        offsets are odd: b2 != b1)
 *
 * This is cuckoo-filter style partial-key hashing: since b2 = b1 ^ f(tag)
 * and b1 = b2 ^ f(tag), an entry's other bucket is known from the bucket
 * it is in plus its tag, without rehashing the key. A 20-byte entry has
 * no spare byte for the tag, so the tags of a bucket's three slots live
 * in the control word, next to the sequence counter:
 *
 *	bits  0..16  sequence counter (odd while the writer changes the bucket)
 *	bits 17..21  tag of slot 0
 *	bits 22..26  tag of slot 1
 *	bits 27..31  tag of slot 2
 *
 * A reader compares the whole word before and after copying a bucket, so
 * the 17-bit counter only has to not wrap (65536 write sections on the
 * same bucket) while one reader copies 64 bytes.
 *
 * The key is never rehashed, so the table does not depend on which hash
 * function the caller uses (tests force collisions by passing one hash
 * for several flows), but that hash must be well mixed in its low bits
 * and in its top 5 bits, as dsr_flow_table_hash() and dsr_flow_hash() are.
 *
 * Insert fills b1 first, then b2; if both hold only live entries, a
 * breadth-first search (at most DSR_CT_BFS_NODES bucket reads, each
 * bucket once) looks for a chain of entries that can each move to their
 * other bucket, ending at a free or expired slot, and shifts it along
 * (cuckoo relocation). Nothing live is ever evicted, but entries move:
 * entry pointers do not survive the next insert.
 *
 * Sizing: buckets = max(2, next power of two >= ceil(max_entries / (3 * 0.8))),
 * so a full table uses at most 80% (at least 40%) of its slots. Measured
 * with random keys at 2^20 buckets: at 80% load no insert failed, either
 * filling to 100% of max_entries or churning (remove one, insert one) at
 * 100%; failures appear from about 85% (0.0001%) and at 90% are 0.02%
 * filling, 0.07% churning. Bytes per entry: 32 when max_entries is a
 * power of two, 26.7 to 53.3 otherwise (from 64 entries up).
 */

#include <stdint.h>

#include "dsr_ct.h"

/* DSR_CT_SLOTS, DSR_CT_TAG_BITS and DSR_CT_NTAGS are in dsr_ct.h. */
#define DSR_CT_SEQ_BITS     17 /* sequence counter bits in the control word */
#define DSR_CT_SEQ_MASK     ((1u << DSR_CT_SEQ_BITS) - 1)
#define DSR_CT_TAG_MASK     ((1u << DSR_CT_TAG_BITS) - 1)
#define DSR_CT_TAG_SHIFT(i) (DSR_CT_SEQ_BITS + (i)*DSR_CT_TAG_BITS)

/* Design load: max_entries fill at most this fraction (num / den) of slots. */
#ifndef DSR_CT_LOAD_NUM
#define DSR_CT_LOAD_NUM 4
#define DSR_CT_LOAD_DEN 5
#endif

/* Largest max_entries accepted by dsr_ct_mem_size() / dsr_ct_init(). */
#define DSR_CT_MAX_ENTRIES (1u << 28)

/* Buckets a relocation search may examine before insert gives up. */
#ifndef DSR_CT_BFS_NODES
#define DSR_CT_BFS_NODES 64
#endif

_Static_assert(sizeof(struct dsr_ct_entry) == 20, "entry must be 20 bytes");
_Static_assert(sizeof(struct dsr_ct_bucket) == 64, "bucket must be one cache line");
_Static_assert(DSR_CT_SEQ_BITS + DSR_CT_SLOTS * DSR_CT_TAG_BITS == 32, "control word layout");

#endif /* DSR_CT_PVT_H */
