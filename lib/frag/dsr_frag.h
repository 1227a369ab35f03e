/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_FRAG_H
#define DSR_FRAG_H

/**
 * @file
 * A worker's fragment table: which backend the first fragment of an IPv4
 * or IPv6 datagram went to, so that its later fragments, which carry no
 * ports, follow it. Keyed by (family, source, destination, protocol,
 * identification), as RFC 791 and RFC 8200 identify a datagram; both
 * families share one table. Fixed size, chosen at init: a flood of
 * fragments replaces the oldest entries and never allocates. Entries
 * live a short timeout from the first fragment (`timeout set frag`).
 * Nothing is reassembled. One writer, its worker; no locks. Pure C.
 *
 * An entry is 20 bytes, three to a 64-byte bucket, for both families:
 * IPv4's addresses are kept as they are; IPv6's 32 bytes of addresses are
 * kept as a 64-bit digest (SipHash-2-4 under a key drawn from the
 * table's random seed), beside the exact 32-bit identification and
 * protocol. Two IPv6 datagrams are taken for one only if their address
 * pairs have the same digest and they share id and protocol while both
 * are in the table: about 2^-64 for any two, and not to be aimed at
 * without the key.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** struct dsr_frag_key's family. */
enum dsr_frag_family {
	DSR_FRAG_IPV4 = 4,
	DSR_FRAG_IPV6 = 6,
};

/** A datagram's identity, either family. Addresses in network order; the rest zero. */
struct dsr_frag_key {
	uint8_t src[16]; /**< IPv4: the first 4 bytes */
	uint8_t dst[16]; /**< IPv4: the first 4 bytes */
	uint32_t id;     /**< identification, host order: IPv4's 16 bits, IPv6's 32 */
	uint8_t proto;
	uint8_t family; /**< enum dsr_frag_family */
	uint16_t pad;
};

/**
 * Fill k with the key of an IPv4 datagram (addresses as in the header, in
 * network order). In place, field by field: the table reads the fields
 * as they were stored (a key built in one piece and copied costs IPv4
 * several stalled loads a lookup).
 */
static inline void
dsr_frag_key4(struct dsr_frag_key *k, uint32_t src, uint32_t dst, uint16_t id, uint8_t proto)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src, &src, 4);
	memcpy(k->dst, &dst, 4);
	k->id = id;
	k->proto = proto;
	k->family = DSR_FRAG_IPV4;
}

/** Fill k with the key of an IPv6 datagram (the fragment header's identification, host order). */
static inline void
dsr_frag_key6(struct dsr_frag_key *k, const uint8_t src[16], const uint8_t dst[16], uint32_t id,
	      uint8_t proto)
{
	memcpy(k->src, src, 16);
	memcpy(k->dst, dst, 16);
	k->id = id;
	k->proto = proto;
	k->family = DSR_FRAG_IPV6;
	k->pad = 0;
}

/** What dsr_frag_put() did, for the counters. */
enum dsr_frag_put {
	DSR_FRAG_PUT_NEW = 0, /**< took a free slot */
	DSR_FRAG_PUT_SAME,    /**< the datagram was there already: backend and time renewed */
	DSR_FRAG_PUT_EXPIRED, /**< took the slot of an entry whose timeout had passed */
	DSR_FRAG_PUT_EVICTED, /**< its bucket was full of live entries: replaced the oldest */
};

/** What dsr_frag_get() found. */
enum dsr_frag_get {
	DSR_FRAG_MISS = 0, /**< no entry */
	DSR_FRAG_HIT,      /**< *backend set */
	DSR_FRAG_EXPIRED,  /**< an entry whose timeout had passed: removed */
};

struct dsr_frag;

/** The default number of entries of a worker's table. */
#define DSR_FRAG_DEFAULT_ENTRIES 12288u

/** The default timeout, ms. */
#define DSR_FRAG_DEFAULT_TIMEOUT_MS 2000u

/**
 * Bytes dsr_frag_init() needs for at least entries entries (rounded up to
 * a power of two number of 64-byte buckets of 3), or 0 if entries is 0 or
 * above 2^24.
 */
size_t dsr_frag_mem_size(uint32_t entries);

/**
 * Build a table in mem (64-byte aligned, dsr_frag_mem_size(entries)
 * bytes; cleared here). seed keys the bucket hash, so that nobody can
 * aim a flood at one bucket without knowing it. Timeout: the default.
 * @return the table (inside mem), or NULL if the arguments are bad.
 */
struct dsr_frag *dsr_frag_init(void *mem, size_t size, uint32_t entries, uint64_t seed);

/** Set how long an entry lives after its first fragment, ms (0: at once). */
void dsr_frag_set_timeout(struct dsr_frag *t, uint32_t timeout_ms);

/** Remember that the datagram k goes to backend (k's family must be set). */
enum dsr_frag_put dsr_frag_put(struct dsr_frag *t, const struct dsr_frag_key *k, uint16_t backend,
			       uint32_t now_ms);

/** Find the backend of the datagram k. An expired entry is removed, not returned. */
enum dsr_frag_get dsr_frag_get(struct dsr_frag *t, const struct dsr_frag_key *k, uint32_t now_ms,
			       uint16_t *backend);

/** Entries in use, expired ones not yet reused included. */
uint32_t dsr_frag_count(const struct dsr_frag *t);

/** Slots in all (what dsr_frag_count() can reach). */
uint32_t dsr_frag_capacity(const struct dsr_frag *t);

#endif /* DSR_FRAG_H */
