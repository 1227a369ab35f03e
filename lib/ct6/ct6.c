/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-worker IPv6 connection table. Layout and hashing: ct6_pvt.h.
 *
 * Concurrency, as lib/ct: one writer and lock-free readers. A bucket's
 * ctl is a seqlock: the writer makes it odd, changes the bucket's slots
 * and the entries they point to, then makes it even with a release
 * store; dsr_ct6_walk() copies a bucket and its entries between two
 * loads of it and retries if it changed. Shared fields are written and
 * read with atomic operations so that readers' copies are not data races.
 */
#include <stddef.h>
#include <string.h>

#include "dsr_ct6.h"
#include "ct6_pvt.h"

#define DSR_CT6_DEFAULT_SYN_MS 30000
#define DSR_CT6_DEFAULT_EST_MS 900000
#define DSR_CT6_DEFAULT_FIN_MS 60000
#define DSR_CT6_DEFAULT_UDP_MS 300000

/* The key is laid out alike in a flow and an entry: compare it as words. */
_Static_assert(offsetof(struct dsr_ct6_entry, dst_ip) == offsetof(struct dsr_flow6, dst_ip),
	       "key layout");
_Static_assert(offsetof(struct dsr_ct6_entry, src_port) == offsetof(struct dsr_flow6, src_port),
	       "key layout");
_Static_assert(offsetof(struct dsr_ct6_entry, sh) == 36,
	       "dsr_ct6_bucket_find() reads the state as bits 32-34 of the word at byte 32");
_Static_assert(offsetof(struct dsr_ct6_bucket, ctl) == 20, "ctl is lanes 10-11 of the sig words");

/* The search node of a relocation, as in lib/ct. */
struct ct6_node {
	uint32_t b;
	int16_t parent;
	uint8_t slot;
};

static inline uint32_t
ct6_home(uint32_t b, unsigned int slot)
{
	return b << DSR_CT6_SLOT_BITS | slot;
}

/* Writer: open a bucket's write section; returns the (odd) control word. */
static inline uint32_t
ct6_write_begin(struct dsr_ct6_bucket *bk)
{
	uint32_t ctl = bk->ctl + 1;

	__atomic_store_n(&bk->ctl, ctl, __ATOMIC_RELAXED);
	/* Order the odd counter before the stores that follow. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return ctl;
}

/* Writer: close the section. */
static inline void
ct6_write_end(struct dsr_ct6_bucket *bk, uint32_t ctl)
{
	__atomic_store_n(&bk->ctl, ctl + 1, __ATOMIC_RELEASE);
}

/* Writer: set slot i of bk (inside a write section). */
static inline void
ct6_slot_set(struct dsr_ct6_bucket *bk, unsigned int i, uint16_t sig, uint32_t idx)
{
	__atomic_store_n(&bk->idx[i], idx, __ATOMIC_RELAXED);
	__atomic_store_n(&bk->sig[i], sig, __ATOMIC_RELAXED);
}

static inline void
ct6_entry_store(struct dsr_ct6_entry *d, const struct dsr_ct6_entry *s)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		__atomic_store_n(&d->src_w[i], s->src_w[i], __ATOMIC_RELAXED);
		__atomic_store_n(&d->dst_w[i], s->dst_w[i], __ATOMIC_RELAXED);
	}
	__atomic_store_n(&d->src_port, s->src_port, __ATOMIC_RELAXED);
	__atomic_store_n(&d->dst_port, s->dst_port, __ATOMIC_RELAXED);
	__atomic_store_n(&d->backend, s->backend, __ATOMIC_RELAXED);
	__atomic_store_n(&d->last_seen, s->last_seen, __ATOMIC_RELAXED);
	__atomic_store_n(&d->sh, s->sh, __ATOMIC_RELAXED);
	d->home = s->home; /* the writer's alone */
}

static inline void
ct6_entry_load(struct dsr_ct6_entry *d, const struct dsr_ct6_entry *s)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		d->src_w[i] = __atomic_load_n(&s->src_w[i], __ATOMIC_RELAXED);
		d->dst_w[i] = __atomic_load_n(&s->dst_w[i], __ATOMIC_RELAXED);
	}
	d->src_port = __atomic_load_n(&s->src_port, __ATOMIC_RELAXED);
	d->dst_port = __atomic_load_n(&s->dst_port, __ATOMIC_RELAXED);
	d->sh = __atomic_load_n(&s->sh, __ATOMIC_RELAXED);
	d->backend = __atomic_load_n(&s->backend, __ATOMIC_RELAXED);
	d->last_seen = __atomic_load_n(&s->last_seen, __ATOMIC_RELAXED);
	d->home = 0;
}

/* Writer: free live pool entry i, calling the callback first; its slot is cleared. */
static void
ct6_free(struct dsr_ct6 *ct, uint32_t i, enum dsr_ct_free_reason why)
{
	struct dsr_ct6_entry *e = &ct->pool[i];
	struct dsr_ct6_bucket *bk = &ct->bk[e->home >> DSR_CT6_SLOT_BITS];
	uint32_t ctl;

	if (ct->free_cb != NULL)
		ct->free_cb(ct->free_arg, e, why);
	ctl = ct6_write_begin(bk);
	__atomic_store_n(&bk->sig[e->home & DSR_CT6_SLOT_MASK], (uint16_t)0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->sh, (uint16_t)DSR_CT_FREE, __ATOMIC_RELAXED);
	ct6_write_end(bk, ctl);
	e->home = ct->free_head;
	ct->free_head = i;
	__atomic_store_n(&ct->count, ct->count - 1, __ATOMIC_RELAXED);
}

static inline void
ct6_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

/* Reader: a consistent copy of a bucket's live entries; returns how many. */
static unsigned int
ct6_bucket_read(const struct dsr_ct6 *ct, const struct dsr_ct6_bucket *bk,
		struct dsr_ct6_entry out[DSR_CT6_SLOTS])
{
	uint32_t c1, c2;
	unsigned int i, n;

	for (;;) {
		c1 = __atomic_load_n(&bk->ctl, __ATOMIC_ACQUIRE);
		if (c1 & 1) {
			ct6_relax();
			continue;
		}
		for (i = 0, n = 0; i < DSR_CT6_SLOTS; i++) {
			uint32_t idx = __atomic_load_n(&bk->idx[i], __ATOMIC_RELAXED);

			if (__atomic_load_n(&bk->sig[i], __ATOMIC_RELAXED) == 0 ||
			    idx >= ct->max_entries)
				continue;
			ct6_entry_load(&out[n], &ct->pool[idx]);
			n += dsr_ct6_entry_state(&out[n]) != DSR_CT_FREE;
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		c2 = __atomic_load_n(&bk->ctl, __ATOMIC_RELAXED);
		if (c1 == c2)
			return n;
	}
}

static uint32_t
ct6_nbuckets(uint32_t max_entries)
{
	/* ceil(max_entries / (slots * load)), rounded up to a power of two */
	uint64_t need =
		((uint64_t)max_entries * DSR_CT6_LOAD_DEN + DSR_CT6_SLOTS * DSR_CT6_LOAD_NUM - 1) /
		(DSR_CT6_SLOTS * DSR_CT6_LOAD_NUM);
	uint32_t nb = 2;

	while (nb < need)
		nb <<= 1;
	return nb;
}

size_t
dsr_ct6_mem_size(uint32_t max_entries)
{
	uint64_t sz;

	if (max_entries == 0 || max_entries > DSR_CT6_MAX_ENTRIES)
		return 0;
	sz = sizeof(struct dsr_ct6) +
	     (uint64_t)ct6_nbuckets(max_entries) * sizeof(struct dsr_ct6_bucket) +
	     (uint64_t)max_entries * sizeof(struct dsr_ct6_entry);
	return sz > SIZE_MAX ? 0 : (size_t)sz;
}

struct dsr_ct6 *
dsr_ct6_init(void *mem, size_t size, uint32_t max_entries)
{
	size_t need = dsr_ct6_mem_size(max_entries);
	struct dsr_ct6 *ct = mem;
	uint32_t i;

	if (mem == NULL || need == 0 || size < need || ((uintptr_t)mem & 63) != 0)
		return NULL;
	memset(mem, 0, need);
	ct->mask = ct6_nbuckets(max_entries) - 1;
	ct->max_entries = max_entries;
	ct->pool = (struct dsr_ct6_entry *)&ct->bk[ct->mask + 1];
	for (i = 0; i < max_entries; i++)
		ct->pool[i].home = i + 1; /* the free stack: 0, 1, ..., max_entries (none) */
	ct->free_head = 0;
	ct->timeout[DSR_CT_SYN] = DSR_CT6_DEFAULT_SYN_MS;
	ct->timeout[DSR_CT_EST] = DSR_CT6_DEFAULT_EST_MS;
	ct->timeout[DSR_CT_FIN] = DSR_CT6_DEFAULT_FIN_MS;
	ct->timeout[DSR_CT_UDP] = DSR_CT6_DEFAULT_UDP_MS;
	return ct;
}

void
dsr_ct6_set_free_cb(struct dsr_ct6 *ct, dsr_ct6_free_cb cb, void *arg)
{
	ct->free_cb = cb;
	ct->free_arg = arg;
}

void
dsr_ct6_set_timeouts(struct dsr_ct6 *ct, const uint32_t timeout_ms[DSR_CT_NSTATES])
{
	unsigned int s;

	for (s = DSR_CT_FREE + 1; s < DSR_CT_NSTATES; s++)
		ct->timeout[s] = timeout_ms[s] > INT32_MAX ? (uint32_t)INT32_MAX : timeout_ms[s];
}

/* The first free slot of a bucket, or -1. */
static inline int
ct6_free_slot(const struct dsr_ct6_bucket *bk)
{
	unsigned int i;

	for (i = 0; i < DSR_CT6_SLOTS; i++)
		if (bk->sig[i] == 0)
			return (int)i;
	return -1;
}

static inline int
ct6_queued(const struct ct6_node *q, unsigned int n, uint32_t b)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (q[i].b == b)
			return 1;
	return 0;
}

/* Writer: move the slot si of bucket sb to the free slot di of bucket db. */
static void
ct6_slot_move(struct dsr_ct6 *ct, uint32_t sb, unsigned int si, uint32_t db, unsigned int di)
{
	struct dsr_ct6_bucket *s = &ct->bk[sb], *d = &ct->bk[db];
	uint32_t ctl = ct6_write_begin(d);

	ct6_slot_set(d, di, s->sig[si], s->idx[si]);
	ct6_write_end(d, ctl);
	ct->pool[s->idx[si]].home = ct6_home(db, di);
}

/*
 * Both candidate buckets are full of live entries: search breadth-first
 * (DSR_CT6_BFS_NODES bucket reads at most, each bucket once) for a chain
 * of slots that can each move to their other bucket, ending at a free
 * slot; then shift it along, last move first, so that every entry stays
 * findable. Reads buckets only. Sets *ob / *oi to the root slot the
 * chain freed (still holding its old value: the caller overwrites it).
 * @return 0, or -1 if no chain was found.
 */
static int
ct6_relocate(struct dsr_ct6 *ct, const uint32_t root[2], uint32_t *ob, unsigned int *oi)
{
	struct ct6_node q[DSR_CT6_BFS_NODES + 2];
	unsigned int head, tail = 2, reads = 0, i, k, di, si;
	uint32_t alt[DSR_CT6_SLOTS], db;
	struct dsr_ct6_bucket *bk;
	int j = -1;

	q[0] = (struct ct6_node){root[0], -1, 0};
	q[1] = (struct ct6_node){root[1], -1, 0};
	for (head = 0; head < tail && reads < DSR_CT6_BFS_NODES; head++) {
		bk = &ct->bk[q[head].b];
		for (i = 0; i < DSR_CT6_SLOTS; i++) {
			alt[i] = q[head].b ^ dsr_ct6_alt(ct, bk->sig[i]);
			__builtin_prefetch(&ct->bk[alt[i]], 0, 3);
		}
		for (i = 0; i < DSR_CT6_SLOTS && reads < DSR_CT6_BFS_NODES; i++) {
			if (ct6_queued(q, tail, alt[i]))
				continue;
			reads++;
			j = ct6_free_slot(&ct->bk[alt[i]]);
			if (j >= 0)
				goto found;
			q[tail++] = (struct ct6_node){alt[i], (int16_t)head, (uint8_t)i};
		}
	}
	return -1;

found:
	db = alt[i];
	di = (unsigned int)j;
	si = i;
	k = head;
	for (;;) {
		ct6_slot_move(ct, q[k].b, si, db, di);
		db = q[k].b;
		di = si;
		if (q[k].parent < 0)
			break;
		si = q[k].slot;
		k = (unsigned int)q[k].parent;
	}
	*ob = db;
	*oi = di;
	return 0;
}

/*
 * Free the first expired entry of the candidate buckets (callback,
 * EXPIRED); set *ob / *oi to its now free slot. @return 0, or -1 if none.
 */
static int
ct6_reclaim(struct dsr_ct6 *ct, const uint32_t root[2], uint32_t now, uint32_t *ob,
	    unsigned int *oi)
{
	unsigned int n, i;

	for (n = 0; n < 2; n++)
		for (i = 0; i < DSR_CT6_SLOTS; i++)
			__builtin_prefetch(&ct->pool[ct->bk[root[n]].idx[i]], 0, 3);
	for (n = 0; n < 2; n++) {
		struct dsr_ct6_bucket *bk = &ct->bk[root[n]];

		for (i = 0; i < DSR_CT6_SLOTS; i++) {
			if (bk->sig[i] != 0 && dsr_ct6_expired(ct, &ct->pool[bk->idx[i]], now)) {
				ct6_free(ct, bk->idx[i], DSR_CT_EXPIRED);
				*ob = root[n];
				*oi = i;
				return 0;
			}
		}
	}
	return -1;
}

struct dsr_ct6_entry *
dsr_ct6_insert(struct dsr_ct6 *ct, const struct dsr_flow6 *flow, uint64_t hash, uint16_t backend,
	       uint8_t state, uint32_t now_ms)
{
	uint16_t sig = dsr_ct6_sig(hash);
	struct dsr_ct6_bucket *bk;
	struct dsr_ct6_entry ne;
	uint32_t root[2], b, idx, ctl;
	unsigned int i;
	int s;

	if (state == DSR_CT_FREE || state >= DSR_CT_NSTATES ||
	    (flow->proto != 6 && flow->proto != 17) || (flow->proto == 17) != (state == DSR_CT_UDP))
		return NULL;
	root[0] = dsr_ct6_bucket1(ct, hash);
	root[1] = root[0] ^ dsr_ct6_alt(ct, sig);
	if (ct->count < ct->max_entries) {
		b = root[0];
		s = ct6_free_slot(&ct->bk[b]);
		if (s < 0) {
			b = root[1];
			s = ct6_free_slot(&ct->bk[b]);
		}
		if (s >= 0) {
			i = (unsigned int)s;
			goto put;
		}
	}
	if (ct6_reclaim(ct, root, now_ms, &b, &i) != 0 &&
	    (ct->count >= ct->max_entries || ct6_relocate(ct, root, &b, &i) != 0))
		return NULL;
put:
	idx = ct->free_head;
	memcpy(ne.src_ip, flow->src_ip, 16);
	memcpy(ne.dst_ip, flow->dst_ip, 16);
	ne.src_port = flow->src_port;
	ne.dst_port = flow->dst_port;
	ne.sh = state;
	ne.backend = backend;
	ne.last_seen = now_ms;
	ne.home = ct6_home(b, i);
	ct->free_head = ct->pool[idx].home;
	bk = &ct->bk[b];
	ctl = ct6_write_begin(bk);
	ct6_entry_store(&ct->pool[idx], &ne);
	ct6_slot_set(bk, i, sig, idx);
	ct6_write_end(bk, ctl);
	__atomic_store_n(&ct->count, ct->count + 1, __ATOMIC_RELAXED);
	return &ct->pool[idx];
}

/* Free a live entry given by pointer; a free one or a pointer not to an entry is ignored. */
static void
ct6_entry_free(struct dsr_ct6 *ct, struct dsr_ct6_entry *e, enum dsr_ct_free_reason why)
{
	uintptr_t off = (uintptr_t)e - (uintptr_t)ct->pool;

	if (e == NULL || off >= (uintptr_t)ct->max_entries * sizeof(*e) || off % sizeof(*e) != 0 ||
	    dsr_ct6_entry_state(e) == DSR_CT_FREE)
		return;
	ct6_free(ct, (uint32_t)(off / sizeof(*e)), why);
}

void
dsr_ct6_remove(struct dsr_ct6 *ct, struct dsr_ct6_entry *e)
{
	ct6_entry_free(ct, e, DSR_CT_REMOVED);
}

void
dsr_ct6_expire_entry(struct dsr_ct6 *ct, struct dsr_ct6_entry *e)
{
	ct6_entry_free(ct, e, DSR_CT_EXPIRED);
}

uint32_t
dsr_ct6_sweep_steps(const struct dsr_ct6 *ct)
{
	return (ct->max_entries + DSR_CT6_SWEEP_STEP - 1) / DSR_CT6_SWEEP_STEP;
}

/* How far ahead of the sweep its prefetch runs, in steps. */
#define DSR_CT6_SWEEP_AHEAD 4

unsigned int
dsr_ct6_sweep(struct dsr_ct6 *ct, unsigned int nsteps, uint32_t now_ms)
{
	uint32_t steps = dsr_ct6_sweep_steps(ct), st = ct->sweep_next, i, end;
	unsigned int n, freed = 0;

	if (nsteps > steps)
		nsteps = steps;
	for (n = 0; n < nsteps; n++) {
		uint32_t ahead = st + DSR_CT6_SWEEP_AHEAD < steps ? st + DSR_CT6_SWEEP_AHEAD : 0;

		/* The pass is sequential: fetch a step of a later call now. */
		__builtin_prefetch(&ct->pool[ahead * DSR_CT6_SWEEP_STEP], 1, 3);
		end = (st + 1) * DSR_CT6_SWEEP_STEP;
		if (end > ct->max_entries)
			end = ct->max_entries;
		for (i = st * DSR_CT6_SWEEP_STEP; i < end; i++) {
			const struct dsr_ct6_entry *e = &ct->pool[i];

			if (dsr_ct6_entry_state(e) != DSR_CT_FREE &&
			    dsr_ct6_expired(ct, e, now_ms)) {
				ct6_free(ct, i, DSR_CT_EXPIRED);
				freed++;
			}
		}
		st = st + 1 < steps ? st + 1 : 0;
	}
	ct->sweep_next = st;
	return freed;
}

unsigned int
dsr_ct6_remove_if(struct dsr_ct6 *ct, uint32_t *cursor, unsigned int nbuckets,
		  int (*match)(void *arg, const struct dsr_ct6_entry *e), void *arg)
{
	uint32_t b = *cursor;
	unsigned int n, i, removed = 0;

	for (n = 0; n < nbuckets && b <= ct->mask; n++, b++) {
		struct dsr_ct6_bucket *bk = &ct->bk[b];

		for (i = 0; i < DSR_CT6_SLOTS; i++) {
			if (bk->sig[i] != 0 && match(arg, &ct->pool[bk->idx[i]])) {
				ct6_free(ct, bk->idx[i], DSR_CT_REMOVED);
				removed++;
			}
		}
	}
	*cursor = b;
	return removed;
}

uint32_t
dsr_ct6_count(const struct dsr_ct6 *ct)
{
	return __atomic_load_n(&ct->count, __ATOMIC_RELAXED);
}

uint32_t
dsr_ct6_capacity(const struct dsr_ct6 *ct)
{
	return ct->max_entries;
}

uint32_t
dsr_ct6_buckets(const struct dsr_ct6 *ct)
{
	return ct->mask + 1;
}

int
dsr_ct6_walk(const struct dsr_ct6 *ct, uint32_t *cursor, uint32_t max_buckets,
	     int (*fn)(void *arg, const struct dsr_ct6_entry *e), void *arg)
{
	struct dsr_ct6_entry copy[DSR_CT6_SLOTS];
	uint32_t nb = ct->mask + 1, b = *cursor, end;
	unsigned int i, n;
	int rc;

	if (b >= nb) {
		*cursor = nb;
		return 0;
	}
	end = max_buckets >= nb - b ? nb : b + max_buckets;
	for (; b < end; b++) {
		n = ct6_bucket_read(ct, &ct->bk[b], copy);
		for (i = 0; i < n; i++) {
			rc = fn(arg, &copy[i]);
			if (rc != 0) {
				*cursor = b + 1;
				return rc;
			}
		}
	}
	*cursor = b;
	return 0;
}
