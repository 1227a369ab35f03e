/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_CT_H
#define DSR_CT_H

/**
 * @file
 * The connection table: one per worker, keyed by the full 5-tuple.
 *
 * Pure C, no EAL: the caller provides the memory (the daemon takes it
 * from rte_zmalloc_socket() on the port's NUMA node, tests from
 * aligned_alloc()). Exactly one thread, the owning worker, calls the
 * writer functions; any other thread may call the reader functions
 * (dsr_ct_count(), dsr_ct_walk()) at the same time without locks.
 *
 * Time is a caller-supplied millisecond clock (uint32_t, wrapping),
 * so tests inject it. Ageing is lazy (an expired entry found by lookup
 * or insert is reclaimed) plus dsr_ct_sweep_paced(), which the worker
 * calls once per loop: a few buckets at most, a whole pass a second.
 * There are no timers.
 */

#include <stddef.h>
#include <stdint.h>

#include "dsr_pkt.h"

/** Connection states. They follow client->server packets only. */
enum dsr_ct_state {
	DSR_CT_FREE = 0, /**< slot unused */
	DSR_CT_SYN,      /**< SYN seen */
	DSR_CT_EST,      /**< ACK or data seen */
	DSR_CT_FIN,      /**< FIN seen */
	DSR_CT_UDP,      /**< UDP flow */
	DSR_CT_NSTATES
};

/*
 * The sequence hint: the top DSR_CT_SEQ_HINT_BITS bits of the client's
 * next sequence number (the last segment's seq + its length), so one
 * hint step is 2^DSR_CT_SEQ_HINT_SHIFT bytes (512 KiB). See
 * dsr_ct_rst_in_window() and docs/design.md.
 */
#define DSR_CT_SEQ_HINT_BITS  13
#define DSR_CT_SEQ_HINT_SHIFT (32 - DSR_CT_SEQ_HINT_BITS)
#define DSR_CT_SEQ_HINT_MASK  ((1u << DSR_CT_SEQ_HINT_BITS) - 1)

/**
 * One entry: 20 bytes, three to a 64-byte bucket. The protocol is not
 * stored: the table holds TCP and UDP flows only, and an entry is UDP
 * exactly when its state is DSR_CT_UDP. Read the packed word with
 * dsr_ct_entry_state(), dsr_ct_entry_proto() and dsr_ct_entry_seq_hint().
 */
struct dsr_ct_entry {
	uint32_t src_ip;    /**< network order */
	uint32_t dst_ip;    /**< network order */
	uint16_t src_port;  /**< network order */
	uint16_t dst_port;  /**< network order */
	uint16_t sh;        /**< bits 0-2: enum dsr_ct_state; 3-15: TCP sequence hint */
	uint16_t backend;   /**< backend id */
	uint32_t last_seen; /**< ms clock of the last packet */
};

#define DSR_CT_STATE_MASK 7u /* the state's bits in sh */

/** The state of an entry (enum dsr_ct_state). */
static inline uint8_t
dsr_ct_entry_state(const struct dsr_ct_entry *e)
{
	return (uint8_t)(e->sh & DSR_CT_STATE_MASK);
}

/** The IP protocol of an entry's flow: 17 (UDP) in state DSR_CT_UDP, else 6 (TCP). */
static inline uint8_t
dsr_ct_entry_proto(const struct dsr_ct_entry *e)
{
	return dsr_ct_entry_state(e) == DSR_CT_UDP ? 17 : 6;
}

/** The sequence hint of a TCP entry (DSR_CT_SEQ_HINT_BITS bits). */
static inline uint16_t
dsr_ct_entry_seq_hint(const struct dsr_ct_entry *e)
{
	return (uint16_t)(e->sh >> 3);
}

/** The hint of a client's next sequence number (host order): its top bits. */
static inline uint16_t
dsr_ct_seq_hint(uint32_t next_seq)
{
	return (uint16_t)(next_seq >> DSR_CT_SEQ_HINT_SHIFT);
}

/** Why an entry left the table (passed to the free callback). */
enum dsr_ct_free_reason {
	DSR_CT_EXPIRED = 0, /**< its state's timeout passed */
	DSR_CT_REMOVED,     /**< dsr_ct_remove(): RST, flush, backend gone */
};

/**
 * Called, on the writer's thread, for every entry that leaves the table,
 * before its slot is reused. The worker uses it to keep its per-backend
 * "active entries" counters exact.
 */
typedef void (*dsr_ct_free_cb)(void *arg, const struct dsr_ct_entry *e,
			       enum dsr_ct_free_reason why);

struct dsr_ct;

/**
 * Bytes of memory dsr_ct_init() needs for max_entries (0 if max_entries
 * is 0 or above 2^28). For max_entries >= 64: 32 bytes per entry when
 * max_entries is a power of two, between 27 and 54 in general (a 64-byte
 * bucket holds three entries; a full table uses 40% to 80% of the slots).
 */
size_t dsr_ct_mem_size(uint32_t max_entries);

/**
 * Build a table in mem (64-byte aligned, at least dsr_ct_mem_size() bytes;
 * it need not be zeroed: init clears it).
 * Default timeouts: syn 30 s, est 900 s, fin 60 s, udp 300 s.
 * @return the table (inside mem) or NULL if arguments are bad.
 */
struct dsr_ct *dsr_ct_init(void *mem, size_t size, uint32_t max_entries);

/** Set the free callback (may be NULL). Writer only. */
void dsr_ct_set_free_cb(struct dsr_ct *ct, dsr_ct_free_cb cb, void *arg);

/**
 * Set the idle timeout of each state, in ms, indexed by enum dsr_ct_state
 * (FREE ignored; values above INT32_MAX are clamped to it; 0 means an
 * entry in that state is expired as soon as it is looked at). Applies to
 * existing entries too. Writer only.
 */
void dsr_ct_set_timeouts(struct dsr_ct *ct, const uint32_t timeout_ms[DSR_CT_NSTATES]);

/**
 * Insert a flow that dsr_ct_lookup() just did not find (no duplicate
 * check is made). The flow must be TCP or UDP, and state DSR_CT_UDP
 * exactly when it is UDP (else NULL). The sequence hint starts at 0:
 * set it with dsr_ct_seq_init(). Never evicts a live entry; expired entries in the
 * candidate buckets are reclaimed (also when the table is full). If both
 * candidate buckets hold only live entries, a bounded cuckoo search moves
 * entries to their other bucket. state must not be DSR_CT_FREE. May move
 * entries: see dsr_ct_lookup() about pointers. Writer only.
 * @return the new entry, or NULL if the table holds max_entries or no
 * slot could be found (the caller forwards statelessly and counts it).
 */
struct dsr_ct_entry *dsr_ct_insert(struct dsr_ct *ct, const struct dsr_flow *flow, uint64_t hash,
				   uint16_t backend, uint8_t state, uint32_t now_ms);

/**
 * Remove an entry returned by lookup/insert (callback, REMOVED). A free
 * slot or a pointer outside the table is ignored. Writer only.
 */
void dsr_ct_remove(struct dsr_ct *ct, struct dsr_ct_entry *e);

/**
 * Expire up to nbuckets buckets (at most one full pass per call),
 * continuing from where the last call stopped and wrapping around.
 * Writer only. @return the number of entries freed (callback, EXPIRED).
 */
unsigned int dsr_ct_sweep(struct dsr_ct *ct, unsigned int nbuckets, uint32_t now_ms);

/** The state of a sweep paced by the clock (dsr_ct_sweep_paced()); zero it to start. */
struct dsr_ct_pace {
	uint32_t last_ms; /**< the clock when the budget last grew */
	uint32_t due;     /**< buckets the sweep is behind */
};

/**
 * The state an entry moves to when a client->server TCP packet with
 * these flags arrives (RST is the caller's business: it removes).
 * FIN -> FIN; SYN without ACK keeps SYN/EST/FIN as they are and makes
 * FREE into SYN; anything else moves SYN (and FREE) to EST and leaves
 * EST and FIN. Any other state (UDP) is kept unless FIN is set.
 */
static inline uint8_t
dsr_ct_tcp_next(uint8_t state, uint8_t tcp_flags)
{
	if (tcp_flags & DSR_TCP_FIN)
		return DSR_CT_FIN;
	if ((tcp_flags & (DSR_TCP_SYN | DSR_TCP_ACK)) == DSR_TCP_SYN)
		return state == DSR_CT_FREE ? DSR_CT_SYN : state;
	if (state == DSR_CT_SYN || state == DSR_CT_FREE)
		return DSR_CT_EST;
	return state;
}

/**
 * Refresh an entry on a packet (writer only). Stores only what changed,
 * so that a flow seen many times per millisecond does not dirty its
 * cache line on every packet. Keeps the sequence hint.
 */
static inline void
dsr_ct_touch(struct dsr_ct_entry *e, uint8_t state, uint32_t now_ms)
{
	uint16_t sh = (uint16_t)((e->sh & ~DSR_CT_STATE_MASK) | state);

	if (e->sh != sh)
		__atomic_store_n(&e->sh, sh, __ATOMIC_RELAXED);
	if (e->last_seen != now_ms)
		__atomic_store_n(&e->last_seen, now_ms, __ATOMIC_RELAXED);
}

/**
 * dsr_ct_touch() for a client TCP segment whose next sequence number has
 * the hint hint (dsr_ct_seq_hint()): the entry's hint moves one step
 * forward when the segment is in the step after it, and never otherwise,
 * so a spoofed segment far from the flow's numbers cannot move it (and
 * it changes, and dirties the line, once per 512 KiB the client sends).
 */
static inline void
dsr_ct_touch_tcp(struct dsr_ct_entry *e, uint8_t state, uint16_t hint, uint32_t now_ms)
{
	uint16_t sh = e->sh;
	uint16_t n = (uint16_t)((sh & ~DSR_CT_STATE_MASK) | state);

	if ((((unsigned int)hint - (sh >> 3)) & DSR_CT_SEQ_HINT_MASK) == 1)
		n = (uint16_t)((hint << 3) | state);
	if (n != sh)
		__atomic_store_n(&e->sh, n, __ATOMIC_RELAXED);
	if (e->last_seen != now_ms)
		__atomic_store_n(&e->last_seen, now_ms, __ATOMIC_RELAXED);
}

/** Set the sequence hint of an entry just inserted for a TCP segment (writer only). */
static inline void
dsr_ct_seq_init(struct dsr_ct_entry *e, uint16_t hint)
{
	uint16_t sh =
		(uint16_t)(((hint & DSR_CT_SEQ_HINT_MASK) << 3) | (e->sh & DSR_CT_STATE_MASK));

	__atomic_store_n(&e->sh, sh, __ATOMIC_RELAXED);
}

/**
 * Is an RST whose segment has the sequence hint hint close enough to the
 * flow's to be the client's own? Within one hint step either side of the
 * entry's: at least 512 KiB around the client's next sequence number, at
 * most 1 MiB. A blind RST, whose number is random, passes with chance
 * 3 / 2^13 (1 in 2731).
 */
static inline int
dsr_ct_rst_in_window(const struct dsr_ct_entry *e, uint16_t hint)
{
	unsigned int d = ((unsigned int)hint - dsr_ct_entry_seq_hint(e) + 1) & DSR_CT_SEQ_HINT_MASK;

	return d <= 2;
}

/**
 * Writer: remove the entries of up to nbuckets buckets, from *cursor on,
 * for which match() is true (free callback, REMOVED). *cursor advances;
 * the pass is over when it equals dsr_ct_buckets(). @return entries removed.
 */
unsigned int dsr_ct_remove_if(struct dsr_ct *ct, uint32_t *cursor, unsigned int nbuckets,
			      int (*match)(void *arg, const struct dsr_ct_entry *e), void *arg);

/** Live entries now. Safe from any thread. */
uint32_t dsr_ct_count(const struct dsr_ct *ct);

/** The max_entries the table was built with. */
uint32_t dsr_ct_capacity(const struct dsr_ct *ct);

/** Number of buckets (for walk cursors and stats). */
uint32_t dsr_ct_buckets(const struct dsr_ct *ct);

/**
 * Reader: visit the entries of up to max_buckets buckets starting at
 * *cursor, giving fn a consistent copy of each entry in the table (a
 * bucket being written is re-read; an expired entry is there until
 * lookup, insert or sweep frees it). fn returns non-zero to stop early; the
 * bucket it stopped in counts as visited. *cursor advances; it equals
 * dsr_ct_buckets() when the walk is done. Safe from any thread while the
 * writer runs; then an entry inserted, removed or relocated during the
 * walk may be seen once, twice or not at all, but every entry given is a
 * consistent copy of its key and backend (state and last_seen, which
 * dsr_ct_touch() updates outside the lock, may be from different packets).
 * @return fn's non-zero result, or 0.
 */
int dsr_ct_walk(const struct dsr_ct *ct, uint32_t *cursor, uint32_t max_buckets,
		int (*fn)(void *arg, const struct dsr_ct_entry *e), void *arg);

/*
 * Inline fast path. The table's layout is in this header only so that
 * prefetch and lookup inline into the worker's burst loop, as rte_lpm.h
 * and rte_ring.h expose theirs; the fields are private to lib/ct (the
 * scheme is described in ct_pvt.h). Use the functions, not the fields.
 */
#define DSR_CT_SLOTS    3 /* entries per bucket */
#define DSR_CT_TAG_BITS 5 /* partial-key tag bits per slot */
#define DSR_CT_NTAGS    (1u << DSR_CT_TAG_BITS)

/* One cache line: a control word (seqlock counter and slot tags), three entries. */
struct dsr_ct_bucket {
	uint32_t ctl;
	struct dsr_ct_entry e[DSR_CT_SLOTS];
} __attribute__((aligned(64)));

struct dsr_ct {
	/* Read by the writer on every packet. */
	uint32_t mask; /* buckets - 1 */
	uint32_t max_entries;
	uint32_t count;             /* live entries; written by the writer only, read atomically */
	uint32_t sweep_next;        /* next bucket dsr_ct_sweep() looks at */
	uint32_t timeout[8];        /* ms, by state (& 7); unknown states expire at once */
	uint32_t alt[DSR_CT_NTAGS]; /* XOR distance to the other bucket, by tag (masked) */
	dsr_ct_free_cb free_cb;
	void *free_arg;
	struct dsr_ct_bucket bk[]; /* mask + 1 buckets */
} __attribute__((aligned(64)));

/* Internal, for dsr_ct_lookup(): free an entry found expired. */
void dsr_ct_expire_entry(struct dsr_ct *ct, struct dsr_ct_entry *e);

/* Internal: a hash's tag, and its two candidate buckets. */
static inline uint32_t
dsr_ct_tag(uint64_t hash)
{
	return (uint32_t)(hash >> (64 - DSR_CT_TAG_BITS));
}

static inline uint32_t
dsr_ct_bucket1(const struct dsr_ct *ct, uint64_t hash)
{
	return (uint32_t)hash & ct->mask;
}

static inline uint32_t
dsr_ct_bucket2(const struct dsr_ct *ct, uint32_t b1, uint64_t hash)
{
	return b1 ^ ct->alt[dsr_ct_tag(hash)];
}

/* Internal: has e's state's timeout passed at now_ms? */
static inline int
dsr_ct_expired(const struct dsr_ct *ct, const struct dsr_ct_entry *e, uint32_t now_ms)
{
	return (int32_t)(now_ms - e->last_seen) >= (int32_t)ct->timeout[e->sh & DSR_CT_STATE_MASK];
}

/**
 * Prefetch the cache line a lookup of this hash reads first: the flow's
 * first candidate bucket (where nearly every flow is; the second is read
 * only when the first does not hold it).
 */
static inline void
dsr_ct_prefetch(const struct dsr_ct *ct, uint64_t hash)
{
	uint32_t b = dsr_ct_bucket1(ct, hash);

	__builtin_prefetch(&ct->bk[b], 0, 3);
}

/*
 * Internal: an entry's bytes 0-7 are the addresses and 8-11 the ports, as
 * in a flow; bits 32-34 of its second word are the state (FREE = 0), and
 * the state stands for the protocol in the key: a UDP entry is in state
 * DSR_CT_UDP (4), a TCP entry in one of 1-3 (bit 34 clear).
 */
#define DSR_CT_K1_PORTS 0xffffffffULL
#define DSR_CT_K1_LIVE  0x700000000ULL /* the state */

/* Internal: the slot of bucket bk whose key words match k0, and k1 under m1, or NULL. */
static inline struct dsr_ct_entry *
dsr_ct_bucket_find(struct dsr_ct_bucket *bk, uint64_t k0, uint64_t k1, uint64_t m1)
{
	unsigned int i;

	for (i = 0; i < DSR_CT_SLOTS; i++) {
		uint64_t a, b;

		__builtin_memcpy(&a, &bk->e[i], 8);
		__builtin_memcpy(&b, (const uint8_t *)&bk->e[i] + 8, 8);
		if (((a ^ k0) | ((b ^ k1) & m1)) == 0 && (b & DSR_CT_K1_LIVE) != 0)
			return &bk->e[i];
	}
	return NULL;
}

/*
 * Internal: a flow's second key word as entries hold it, and the bits to
 * compare (*m1). TCP: the ports, and bit 34 clear (states 1-3). UDP: the
 * ports and state 4 exactly. Other protocols: state 7, which no entry
 * has, so they are never found.
 */
static inline uint64_t
dsr_ct_key1(const struct dsr_flow *flow, uint64_t *m1)
{
	uint64_t k1;

	__builtin_memcpy(&k1, (const uint8_t *)flow + 8, 8);
	k1 &= DSR_CT_K1_PORTS;
	if (flow->proto == 6) {
		*m1 = DSR_CT_K1_PORTS | (1ULL << 34);
		return k1;
	}
	*m1 = DSR_CT_K1_PORTS | DSR_CT_K1_LIVE;
	return k1 | ((uint64_t)(flow->proto == 17 ? DSR_CT_UDP : 7) << 32);
}

/**
 * Find the live entry for flow (hash: its dsr_flow_table_hash()). An entry
 * whose timeout has passed at now_ms is freed (callback, EXPIRED) and
 * not returned. Does not update last_seen. Writer only.
 *
 * The entry pointer (from lookup or insert) is valid until the next
 * dsr_ct_insert() (which may move other entries to their alternate
 * bucket to make room) or until the entry is freed; do not keep it
 * across either.
 */
static inline struct dsr_ct_entry *
dsr_ct_lookup(struct dsr_ct *ct, const struct dsr_flow *flow, uint64_t hash, uint32_t now_ms)
{
	uint32_t b = dsr_ct_bucket1(ct, hash);
	struct dsr_ct_entry *e;
	uint64_t k0, k1, m1;

	__builtin_memcpy(&k0, flow, 8);
	k1 = dsr_ct_key1(flow, &m1);
	e = dsr_ct_bucket_find(&ct->bk[b], k0, k1, m1);
	if (e == NULL) {
		e = dsr_ct_bucket_find(&ct->bk[dsr_ct_bucket2(ct, b, hash)], k0, k1, m1);
		if (e == NULL)
			return NULL;
	}
	if (__builtin_expect(dsr_ct_expired(ct, e, now_ms), 0)) {
		dsr_ct_expire_entry(ct, e);
		return NULL;
	}
	return e;
}

/**
 * Sweep at the clock's pace rather than the caller's: a whole pass of
 * the table every pass_ms (the budget grows by buckets / pass_ms + 1
 * buckets a millisecond, never beyond one pass), at most max buckets a
 * call. A worker calls it every loop; a fixed number of buckets a loop
 * swept a small table hundreds of times a second under load. Writer
 * only. @return the number of entries freed (callback, EXPIRED).
 */
static inline unsigned int
dsr_ct_sweep_paced(struct dsr_ct *ct, struct dsr_ct_pace *pace, uint32_t pass_ms, unsigned int max,
		   uint32_t now_ms)
{
	uint32_t buckets = ct->mask + 1, n;

	if (now_ms != pace->last_ms) {
		uint64_t per_ms = buckets / (pass_ms ? pass_ms : 1) + 1;
		uint64_t due = (uint64_t)(uint32_t)(now_ms - pace->last_ms) * per_ms + pace->due;

		pace->due = due < buckets ? (uint32_t)due : buckets;
		pace->last_ms = now_ms;
	}
	n = pace->due < max ? pace->due : max;
	if (n == 0)
		return 0;
	pace->due -= n;
	return dsr_ct_sweep(ct, n, now_ms);
}

#endif /* DSR_CT_H */
