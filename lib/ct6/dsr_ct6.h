/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_CT6_H
#define DSR_CT6_H

/**
 * @file
 * The IPv6 connection table: one per worker, keyed by the full 5-tuple
 * of struct dsr_flow6 (37 bytes of key).
 *
 * Same contract as lib/ct (dsr_ct.h), whose states, free reasons, TCP
 * state machine (dsr_ct_tcp_next()), sequence hints (dsr_ct_seq_hint())
 * and RST window it uses: memory from the caller, one writer (the owning
 * worker), lock-free readers (dsr_ct6_count(), dsr_ct6_walk()), a caller
 * millisecond clock, lazy ageing plus a paced sweep, no timers.
 *
 * The layout differs (ct6_pvt.h): a 48-byte entry does not fit three to
 * a cache line, so entries live in a pool of exactly max_entries, and
 * the hash buckets hold 16-bit signatures and pool indices, ten to a
 * 64-byte line. A lookup reads one bucket line (two for the few flows in
 * their second bucket) and its entry. Entries never move: an entry
 * pointer stays valid until the entry is freed (lib/ct's moves on insert).
 */

#include <stddef.h>
#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dsr_ct.h"
#include "dsr_flow6.h"

/**
 * One entry: 48 bytes. As in lib/ct the protocol is not stored: an
 * entry is UDP exactly when its state is DSR_CT_UDP, and sh packs the
 * state and the TCP sequence hint the same way (dsr_ct6_entry_state(),
 * dsr_ct6_entry_proto(), dsr_ct6_entry_seq_hint()).
 */
struct dsr_ct6_entry {
	union {
		uint8_t src_ip[16]; /**< network order */
		uint64_t src_w[2];  /* the same bytes as words (private) */
	};
	union {
		uint8_t dst_ip[16]; /**< network order */
		uint64_t dst_w[2];  /* private */
	};
	uint16_t src_port;  /**< network order */
	uint16_t dst_port;  /**< network order */
	uint16_t sh;        /**< bits 0-2: enum dsr_ct_state; 3-15: TCP sequence hint */
	uint16_t backend;   /**< backend id */
	uint32_t last_seen; /**< ms clock of the last packet */
	uint32_t home;      /* private: where its bucket slot is; the free list's link */
};

/* lib/ct's helpers read an entry's sh and last_seen: hand them a copy of those. */
static inline struct dsr_ct_entry
dsr_ct6_as_ct(const struct dsr_ct6_entry *e)
{
	struct dsr_ct_entry t = {.sh = e->sh, .last_seen = e->last_seen};

	return t;
}

/** The state of an entry (enum dsr_ct_state). */
static inline uint8_t
dsr_ct6_entry_state(const struct dsr_ct6_entry *e)
{
	struct dsr_ct_entry t = dsr_ct6_as_ct(e);

	return dsr_ct_entry_state(&t);
}

/** The IP protocol of an entry's flow: 17 (UDP) in state DSR_CT_UDP, else 6 (TCP). */
static inline uint8_t
dsr_ct6_entry_proto(const struct dsr_ct6_entry *e)
{
	struct dsr_ct_entry t = dsr_ct6_as_ct(e);

	return dsr_ct_entry_proto(&t);
}

/** The sequence hint of a TCP entry (DSR_CT_SEQ_HINT_BITS bits). */
static inline uint16_t
dsr_ct6_entry_seq_hint(const struct dsr_ct6_entry *e)
{
	struct dsr_ct_entry t = dsr_ct6_as_ct(e);

	return dsr_ct_entry_seq_hint(&t);
}

/** dsr_ct_rst_in_window() for an IPv6 entry. */
static inline int
dsr_ct6_rst_in_window(const struct dsr_ct6_entry *e, uint16_t hint)
{
	struct dsr_ct_entry t = dsr_ct6_as_ct(e);

	return dsr_ct_rst_in_window(&t, hint);
}

/* Store what a lib/ct helper changed in the copy t back into e, only if it changed. */
static inline void
dsr_ct6_store_back(struct dsr_ct6_entry *e, const struct dsr_ct_entry *t)
{
	if (e->sh != t->sh)
		__atomic_store_n(&e->sh, t->sh, __ATOMIC_RELAXED);
	if (e->last_seen != t->last_seen)
		__atomic_store_n(&e->last_seen, t->last_seen, __ATOMIC_RELAXED);
}

/** dsr_ct_touch() for an IPv6 entry (writer only): stores only what changed. */
static inline void
dsr_ct6_touch(struct dsr_ct6_entry *e, uint8_t state, uint32_t now_ms)
{
	struct dsr_ct_entry t = dsr_ct6_as_ct(e);

	dsr_ct_touch(&t, state, now_ms);
	dsr_ct6_store_back(e, &t);
}

/** dsr_ct_touch_tcp() for an IPv6 entry (writer only): the hint moves one step at most. */
static inline void
dsr_ct6_touch_tcp(struct dsr_ct6_entry *e, uint8_t state, uint16_t hint, uint32_t now_ms)
{
	struct dsr_ct_entry t = dsr_ct6_as_ct(e);

	dsr_ct_touch_tcp(&t, state, hint, now_ms);
	dsr_ct6_store_back(e, &t);
}

/** dsr_ct_seq_init() for an IPv6 entry just inserted for a TCP segment (writer only). */
static inline void
dsr_ct6_seq_init(struct dsr_ct6_entry *e, uint16_t hint)
{
	struct dsr_ct_entry t = dsr_ct6_as_ct(e);

	dsr_ct_seq_init(&t, hint);
	dsr_ct6_store_back(e, &t);
}

/** Called, on the writer's thread, for every entry that leaves the table (see dsr_ct_free_cb). */
typedef void (*dsr_ct6_free_cb)(void *arg, const struct dsr_ct6_entry *e,
				enum dsr_ct_free_reason why);

struct dsr_ct6;

/**
 * Bytes of memory dsr_ct6_init() needs for max_entries (0 if max_entries
 * is 0 or above 2^28): 48 per entry for the pool plus 64 per bucket of
 * ten slots, the buckets a power of two that a full table fills to at
 * most 90%; 55.2 to 62.3 bytes per entry from 1000 entries up (56.0 at
 * 2^20 entries, 61.1 at 10000).
 */
size_t dsr_ct6_mem_size(uint32_t max_entries);

/**
 * Build a table in mem (64-byte aligned, at least dsr_ct6_mem_size() bytes;
 * it need not be zeroed). Default timeouts as lib/ct's: syn 30 s, est
 * 900 s, fin 60 s, udp 300 s.
 * @return the table (inside mem) or NULL if arguments are bad.
 */
struct dsr_ct6 *dsr_ct6_init(void *mem, size_t size, uint32_t max_entries);

/** Set the free callback (may be NULL). Writer only. */
void dsr_ct6_set_free_cb(struct dsr_ct6 *ct, dsr_ct6_free_cb cb, void *arg);

/** As dsr_ct_set_timeouts(): ms by state, clamped to INT32_MAX. Writer only. */
void dsr_ct6_set_timeouts(struct dsr_ct6 *ct, const uint32_t timeout_ms[DSR_CT_NSTATES]);

/**
 * Insert a flow that dsr_ct6_lookup() just did not find (no duplicate
 * check), as dsr_ct_insert(): TCP or UDP only, state DSR_CT_UDP exactly
 * when UDP, never DSR_CT_FREE; the sequence hint starts at 0. Never
 * evicts a live entry; an expired entry in the candidate buckets is
 * reclaimed when they have no free slot (also when the table is full);
 * then a bounded cuckoo search moves slots to their other bucket.
 * Entries themselves never move. Writer only.
 * @return the new entry, or NULL if the table holds max_entries or no
 * slot could be found.
 */
struct dsr_ct6_entry *dsr_ct6_insert(struct dsr_ct6 *ct, const struct dsr_flow6 *flow,
				     uint64_t hash, uint16_t backend, uint8_t state,
				     uint32_t now_ms);

/**
 * Remove an entry returned by lookup/insert (callback, REMOVED). A free
 * entry or a pointer that is not an entry of the table is ignored. Writer only.
 */
void dsr_ct6_remove(struct dsr_ct6 *ct, struct dsr_ct6_entry *e);

/** Entries one sweep step looks at (three cache lines of the pool). */
#define DSR_CT6_SWEEP_STEP 4

/**
 * Expire the entries of up to nsteps sweep steps (DSR_CT6_SWEEP_STEP
 * entries of the pool each; at most one full pass per call), continuing
 * where the last call stopped and wrapping around. The pool is read in
 * order, as lib/ct's buckets are. Writer only.
 * @return the number of entries freed (callback, EXPIRED).
 */
unsigned int dsr_ct6_sweep(struct dsr_ct6 *ct, unsigned int nsteps, uint32_t now_ms);

/** Sweep steps in a full pass: ceil(max_entries / DSR_CT6_SWEEP_STEP). */
uint32_t dsr_ct6_sweep_steps(const struct dsr_ct6 *ct);

/**
 * Writer: remove the entries of up to nbuckets buckets, from *cursor on,
 * for which match() is true (free callback, REMOVED). *cursor advances;
 * the pass is over when it equals dsr_ct6_buckets(). @return entries removed.
 */
unsigned int dsr_ct6_remove_if(struct dsr_ct6 *ct, uint32_t *cursor, unsigned int nbuckets,
			       int (*match)(void *arg, const struct dsr_ct6_entry *e), void *arg);

/** Live entries now. Safe from any thread. */
uint32_t dsr_ct6_count(const struct dsr_ct6 *ct);

/** The max_entries the table was built with. */
uint32_t dsr_ct6_capacity(const struct dsr_ct6 *ct);

/** Number of buckets (for walk and remove_if cursors). */
uint32_t dsr_ct6_buckets(const struct dsr_ct6 *ct);

/**
 * Reader: as dsr_ct_walk(), bucket by bucket: fn gets a consistent copy
 * of each live entry of up to max_buckets buckets from *cursor (its key
 * and backend from one moment; state and last_seen may be from different
 * packets). Safe from any thread while the writer runs; an entry
 * inserted, removed or whose slot moved during the walk may be seen
 * once, twice or not at all. fn returns non-zero to stop (that bucket
 * counts as visited). @return fn's non-zero result, or 0.
 */
int dsr_ct6_walk(const struct dsr_ct6 *ct, uint32_t *cursor, uint32_t max_buckets,
		 int (*fn)(void *arg, const struct dsr_ct6_entry *e), void *arg);

/*
 * Inline fast path. The layout is here only so that prefetch and lookup
 * inline into the worker's burst loop; the fields are private to lib/ct6
 * (the scheme is in ct6_pvt.h). Use the functions, not the fields.
 */
#define DSR_CT6_SLOTS 10 /* slots per bucket */

/*
 * One cache line: ten 16-bit signatures (0: free slot), the seqlock
 * word, ten pool indices. sig[] and ctl are read as three 8-byte words.
 */
struct dsr_ct6_bucket {
	uint16_t sig[DSR_CT6_SLOTS];
	uint32_t ctl;
	uint32_t idx[DSR_CT6_SLOTS];
} __attribute__((aligned(64)));

struct dsr_ct6 {
	/* Read by the writer on every packet. */
	uint32_t mask; /* buckets - 1 */
	uint32_t max_entries;
	uint32_t count;      /* live entries; written by the writer only, read atomically */
	uint32_t free_head;  /* first free pool entry, or max_entries when none */
	uint32_t sweep_next; /* next sweep step */
	uint32_t timeout[8]; /* ms, by state (& 7); unknown states expire at once */
	dsr_ct6_free_cb free_cb;
	void *free_arg;
	struct dsr_ct6_entry *pool; /* max_entries entries, after the buckets */
	struct dsr_ct6_bucket bk[]; /* mask + 1 buckets */
} __attribute__((aligned(64)));

/* Internal, for dsr_ct6_lookup(): free an entry found expired. */
void dsr_ct6_expire_entry(struct dsr_ct6 *ct, struct dsr_ct6_entry *e);

/* Internal: a hash's signature (its top 16 bits; never 0, which marks a free slot). */
static inline uint16_t
dsr_ct6_sig(uint64_t hash)
{
	uint16_t s = (uint16_t)(hash >> 48);

	return (uint16_t)(s + (s == 0));
}

/* Internal: the XOR distance from a slot's bucket to its other one, from its signature. */
static inline uint32_t
dsr_ct6_alt(const struct dsr_ct6 *ct, uint16_t sig)
{
	return ((uint32_t)(((uint64_t)sig * 0x9e3779b97f4a7c15ULL) >> 32) | 1u) & ct->mask;
}

static inline uint32_t
dsr_ct6_bucket1(const struct dsr_ct6 *ct, uint64_t hash)
{
	return (uint32_t)hash & ct->mask;
}

/* Internal: has e's state's timeout passed at now_ms? */
static inline int
dsr_ct6_expired(const struct dsr_ct6 *ct, const struct dsr_ct6_entry *e, uint32_t now_ms)
{
	return (int32_t)(now_ms - e->last_seen) >= (int32_t)ct->timeout[e->sh & DSR_CT_STATE_MASK];
}

/**
 * Prefetch the cache line a lookup of this hash reads first: the flow's
 * first candidate bucket. Call it for a burst, then dsr_ct6_prefetch_entry().
 */
static inline void
dsr_ct6_prefetch(const struct dsr_ct6 *ct, uint64_t hash)
{
	__builtin_prefetch(&ct->bk[dsr_ct6_bucket1(ct, hash)], 0, 3);
}

#if !defined(__SSE2__)
/*
 * Internal: bit 15 of each 16-bit lane of w that equals sig's lane in
 * pat (sig in all four lanes), exactly (no borrow between lanes).
 */
static inline uint64_t
dsr_ct6_lanes_eq(uint64_t w, uint64_t pat)
{
	const uint64_t lo = 0x7fff7fff7fff7fffULL;
	uint64_t x = w ^ pat;

	return ~(((x & lo) + lo) | x | lo);
}

/* Internal: dsr_ct6_lanes_eq()'s four bits (15, 31, 47, 63) as bits 0-3. */
static inline uint32_t
dsr_ct6_lanes_bits(uint64_t m)
{
	/* Bit 16k lands on bit 45 + k; no two partial products meet. */
	return (uint32_t)((((m >> 15) * 0x0000200040008001ULL) >> 45) & 15);
}
#endif

/* Internal: the slots of bk whose signature is sig, as a bit mask (bit i: slot i). */
#if defined(__SSE2__)
static inline uint32_t
dsr_ct6_sig_match(const struct dsr_ct6_bucket *bk, uint16_t sig)
{
	__m128i s = _mm_set1_epi16((short)sig);
	__m128i a = _mm_cmpeq_epi16(_mm_load_si128((const __m128i *)(const void *)bk->sig), s);
	__m128i b = _mm_cmpeq_epi16(_mm_loadl_epi64((const __m128i *)(const void *)&bk->sig[8]), s);

	/* Slots 0-9; lanes 10-11 are ctl. */
	return (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(a, b)) & 0x3ffu;
}
#else
static inline uint32_t
dsr_ct6_sig_match(const struct dsr_ct6_bucket *bk, uint16_t sig)
{
	uint64_t pat = sig * 0x0001000100010001ULL, w0, w1, w2;

	/* Three 8-byte loads (one 24-byte copy may go through the stack). */
	__builtin_memcpy(&w0, &bk->sig[0], 8);
	__builtin_memcpy(&w1, &bk->sig[4], 8);
	__builtin_memcpy(&w2, &bk->sig[8], 8);
	return dsr_ct6_lanes_bits(dsr_ct6_lanes_eq(w0, pat)) |
	       dsr_ct6_lanes_bits(dsr_ct6_lanes_eq(w1, pat)) << 4 |
	       (dsr_ct6_lanes_bits(dsr_ct6_lanes_eq(w2, pat)) & 3) << 8; /* not ctl */
}
#endif

/**
 * Prefetch the entry a lookup of this hash will compare first: the first
 * whose signature matches in the first bucket (which dsr_ct6_prefetch()
 * should have brought in by now). Optional: the second stage of a burst.
 */
static inline void
dsr_ct6_prefetch_entry(const struct dsr_ct6 *ct, uint64_t hash)
{
	const struct dsr_ct6_bucket *bk = &ct->bk[dsr_ct6_bucket1(ct, hash)];
	uint32_t m = dsr_ct6_sig_match(bk, dsr_ct6_sig(hash));

	if (m != 0)
		__builtin_prefetch(&ct->pool[bk->idx[__builtin_ctz(m)]], 0, 3);
}

/*
 * Internal: as in lib/ct, the word at byte 32 of an entry holds the ports
 * and the state (bits 32-34; FREE = 0), and the state stands for the
 * protocol in the key (UDP: state 4; TCP: 1-3, bit 34 clear).
 */
#define DSR_CT6_K4_PORTS 0xffffffffULL
#define DSR_CT6_K4_LIVE  0x700000000ULL

/* Internal: a flow's key words as entries hold them, and the bits of the last to compare. */
struct dsr_ct6_key {
	uint64_t w[4]; /* the addresses */
	uint64_t k4;   /* the ports and the state bits */
	uint64_t m4;
};

static inline void
dsr_ct6_key(const struct dsr_flow6 *flow, struct dsr_ct6_key *k)
{
	uint64_t k4;

	/* Word by word: loads that a later 8-byte load can forward from. */
	__builtin_memcpy(&k->w[0], &flow->src_ip[0], 8);
	__builtin_memcpy(&k->w[1], &flow->src_ip[8], 8);
	__builtin_memcpy(&k->w[2], &flow->dst_ip[0], 8);
	__builtin_memcpy(&k->w[3], &flow->dst_ip[8], 8);
	__builtin_memcpy(&k4, &flow->src_port, 8);
	k4 &= DSR_CT6_K4_PORTS;
	if (flow->proto == 6) {
		k->m4 = DSR_CT6_K4_PORTS | (1ULL << 34);
		k->k4 = k4;
		return;
	}
	k->m4 = DSR_CT6_K4_PORTS | DSR_CT6_K4_LIVE;
	k->k4 = k4 | ((uint64_t)(flow->proto == 17 ? DSR_CT_UDP : 7) << 32);
}

/* Internal: the live entry of bucket bk with signature sig and key k, or NULL. */
static inline struct dsr_ct6_entry *
dsr_ct6_bucket_find(const struct dsr_ct6 *ct, const struct dsr_ct6_bucket *bk, uint16_t sig,
		    const struct dsr_ct6_key *k)
{
	uint32_t m = dsr_ct6_sig_match(bk, sig);

	while (m != 0) {
		struct dsr_ct6_entry *e = &ct->pool[bk->idx[__builtin_ctz(m)]];
		uint64_t b;

		__builtin_memcpy(&b, &e->src_port, 8);
		if (((e->src_w[0] ^ k->w[0]) | (e->src_w[1] ^ k->w[1]) | (e->dst_w[0] ^ k->w[2]) |
		     (e->dst_w[1] ^ k->w[3]) | ((b ^ k->k4) & k->m4)) == 0 &&
		    (b & DSR_CT6_K4_LIVE) != 0)
			return e;
		m &= m - 1;
	}
	return NULL;
}

/**
 * Find the live entry for flow (hash: a well-mixed 64-bit hash of it; the
 * bucket comes from its low bits, the signature from its top 16). An
 * entry whose timeout has passed at now_ms is freed (callback, EXPIRED)
 * and not returned. Does not update last_seen. Writer only. The pointer
 * is valid until the entry is freed.
 */
static inline struct dsr_ct6_entry *
dsr_ct6_lookup(struct dsr_ct6 *ct, const struct dsr_flow6 *flow, uint64_t hash, uint32_t now_ms)
{
	uint32_t b = dsr_ct6_bucket1(ct, hash);
	uint16_t sig = dsr_ct6_sig(hash);
	struct dsr_ct6_entry *e;
	struct dsr_ct6_key k;

	dsr_ct6_key(flow, &k);
	e = dsr_ct6_bucket_find(ct, &ct->bk[b], sig, &k);
	if (e == NULL) {
		e = dsr_ct6_bucket_find(ct, &ct->bk[b ^ dsr_ct6_alt(ct, sig)], sig, &k);
		if (e == NULL)
			return NULL;
	}
	if (__builtin_expect(dsr_ct6_expired(ct, e, now_ms), 0)) {
		dsr_ct6_expire_entry(ct, e);
		return NULL;
	}
	return e;
}

/**
 * dsr_ct_sweep_paced() for ct6, in sweep steps (dsr_ct6_sweep_steps() a
 * pass) where lib/ct counts buckets: a whole pass every pass_ms, at most
 * max steps a call (state: struct dsr_ct_pace, zeroed to start). Writer
 * only. @return the number of entries freed.
 */
static inline unsigned int
dsr_ct6_sweep_paced(struct dsr_ct6 *ct, struct dsr_ct_pace *pace, uint32_t pass_ms,
		    unsigned int max, uint32_t now_ms)
{
	uint32_t steps = (ct->max_entries + DSR_CT6_SWEEP_STEP - 1) / DSR_CT6_SWEEP_STEP, n;

	if (now_ms != pace->last_ms) {
		uint64_t per_ms = steps / (pass_ms ? pass_ms : 1) + 1;
		uint64_t due = (uint64_t)(uint32_t)(now_ms - pace->last_ms) * per_ms + pace->due;

		pace->due = due < steps ? (uint32_t)due : steps;
		pace->last_ms = now_ms;
	}
	n = pace->due < max ? pace->due : max;
	if (n == 0)
		return 0;
	pace->due -= n;
	return dsr_ct6_sweep(ct, n, now_ms);
}

#endif /* DSR_CT6_H */
