/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-worker connection table. Layout and hashing scheme: ct_pvt.h.
 *
 * Concurrency: one writer (the owning worker) and any number of readers
 * (dsr_ct_walk(), dsr_ct_count()). A bucket's control word is a seqlock:
 * the writer makes its counter odd, changes keys / moves entries / frees
 * or fills slots, then makes it even again with a release store; readers
 * copy the bucket between two loads of the word and retry if it changed.
 * dsr_ct_touch() changes sh and last_seen outside the seqlock with
 * relaxed stores: a reader may see one of them new and the other old,
 * never a torn key. All shared fields are written with atomic stores so
 * that readers' copies are not data races.
 */
#include <stddef.h>
#include <string.h>

#include "dsr_ct.h"
#include "ct_pvt.h"

#define DSR_CT_DEFAULT_SYN_MS 30000
#define DSR_CT_DEFAULT_EST_MS 900000
#define DSR_CT_DEFAULT_FIN_MS 60000
#define DSR_CT_DEFAULT_UDP_MS 300000

/* The key fields are laid out alike in a flow and an entry: compare them as words. */
_Static_assert(offsetof(struct dsr_ct_entry, dst_ip) == offsetof(struct dsr_flow, dst_ip),
	       "key layout");
_Static_assert(offsetof(struct dsr_ct_entry, src_port) == offsetof(struct dsr_flow, src_port),
	       "key layout");
_Static_assert(offsetof(struct dsr_ct_entry, sh) == 12,
	       "dsr_ct_bucket_find() reads the state as bits 32-34 of the second word");
_Static_assert(DSR_CT_UDP == 4 && DSR_CT_SYN < 4 && DSR_CT_EST < 4 && DSR_CT_FIN < 4,
	       "bit 2 of the state tells UDP entries from TCP ones");
_Static_assert(DSR_CT_NSTATES <= 7, "state 7 is never used (dsr_ct_key1())");

/* XOR distance between a flow's two buckets, by tag; odd, so never 0. */
static const uint32_t ct_tag_offset[DSR_CT_NTAGS] = {
	0xc0e16b17, 0x890acd8d, 0xb3889d8b, 0x6a0398e5, 0x048344ed, 0xf175cfeb, 0x391ceef1,
	0x4baf8cad, 0x35477445, 0xd9cf2b15, 0x961facc7, 0x0094ab49, 0xe3211e37, 0x62fe6c27,
	0x5ac30b33, 0x1450582d, 0x7a30fcc7, 0x5540f5bb, 0x16cef055, 0x2cf8f14b, 0xc9c9263b,
	0xd6ff920b, 0x53192697, 0x73ea9b9b, 0x102713f9, 0xf4183a0f, 0x71b63e31, 0xda61f571,
	0x46eb7409, 0xb23ad691, 0x67c8fe11, 0x7eb46615,
};

/* The search node of a relocation: bucket b took its place as the other
 * bucket of the entry in slot `slot` of node `parent` (-1 for the roots). */
struct ct_node {
	uint32_t b;
	int16_t parent;
	uint8_t slot;
};

static inline uint32_t
ct_other(const struct dsr_ct *ct, uint32_t b, uint32_t tag)
{
	return b ^ ct->alt[tag];
}

static inline uint32_t
ct_ctl_tag(uint32_t ctl, unsigned int slot)
{
	return (ctl >> DSR_CT_TAG_SHIFT(slot)) & DSR_CT_TAG_MASK;
}

static inline uint32_t
ct_ctl_set_tag(uint32_t ctl, unsigned int slot, uint32_t tag)
{
	ctl &= ~(DSR_CT_TAG_MASK << DSR_CT_TAG_SHIFT(slot));
	return ctl | (tag << DSR_CT_TAG_SHIFT(slot));
}

static inline uint32_t
ct_ctl_next(uint32_t ctl)
{
	return (ctl & ~DSR_CT_SEQ_MASK) | ((ctl + 1) & DSR_CT_SEQ_MASK);
}

/* Writer: open a bucket's write section; returns the (odd) control word. */
static inline uint32_t
ct_write_begin(struct dsr_ct_bucket *bk)
{
	uint32_t ctl = ct_ctl_next(bk->ctl);

	__atomic_store_n(&bk->ctl, ctl, __ATOMIC_RELAXED);
	/* Order the odd counter before the entry stores that follow. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return ctl;
}

/* Writer: close the section, publishing ctl (with its new tags) even. */
static inline void
ct_write_end(struct dsr_ct_bucket *bk, uint32_t ctl)
{
	__atomic_store_n(&bk->ctl, ct_ctl_next(ctl), __ATOMIC_RELEASE);
}

static inline void
ct_entry_store(struct dsr_ct_entry *d, const struct dsr_ct_entry *s)
{
	__atomic_store_n(&d->src_ip, s->src_ip, __ATOMIC_RELAXED);
	__atomic_store_n(&d->dst_ip, s->dst_ip, __ATOMIC_RELAXED);
	__atomic_store_n(&d->src_port, s->src_port, __ATOMIC_RELAXED);
	__atomic_store_n(&d->dst_port, s->dst_port, __ATOMIC_RELAXED);
	__atomic_store_n(&d->backend, s->backend, __ATOMIC_RELAXED);
	__atomic_store_n(&d->last_seen, s->last_seen, __ATOMIC_RELAXED);
	__atomic_store_n(&d->sh, s->sh, __ATOMIC_RELAXED);
}

static inline void
ct_entry_load(struct dsr_ct_entry *d, const struct dsr_ct_entry *s)
{
	d->src_ip = __atomic_load_n(&s->src_ip, __ATOMIC_RELAXED);
	d->dst_ip = __atomic_load_n(&s->dst_ip, __ATOMIC_RELAXED);
	d->src_port = __atomic_load_n(&s->src_port, __ATOMIC_RELAXED);
	d->dst_port = __atomic_load_n(&s->dst_port, __ATOMIC_RELAXED);
	d->sh = __atomic_load_n(&s->sh, __ATOMIC_RELAXED);
	d->backend = __atomic_load_n(&s->backend, __ATOMIC_RELAXED);
	d->last_seen = __atomic_load_n(&s->last_seen, __ATOMIC_RELAXED);
}

/* Writer: fill slot i of bk with a copy of *src whose tag is tag. */
static inline void
ct_slot_write(struct dsr_ct_bucket *bk, unsigned int i, const struct dsr_ct_entry *src,
	      uint32_t tag)
{
	uint32_t ctl = ct_write_begin(bk);

	ct_entry_store(&bk->e[i], src);
	ct_write_end(bk, ct_ctl_set_tag(ctl, i, tag));
}

/* Writer: free a live slot, calling the callback first. */
static void
ct_slot_free(struct dsr_ct *ct, struct dsr_ct_bucket *bk, unsigned int i,
	     enum dsr_ct_free_reason why)
{
	uint32_t ctl;

	if (ct->free_cb != NULL)
		ct->free_cb(ct->free_arg, &bk->e[i], why);
	ctl = ct_write_begin(bk);
	__atomic_store_n(&bk->e[i].sh, (uint16_t)DSR_CT_FREE, __ATOMIC_RELAXED);
	ct_write_end(bk, ctl);
	__atomic_store_n(&ct->count, ct->count - 1, __ATOMIC_RELAXED);
}

static inline void
ct_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

/* Reader: a consistent copy of a bucket's entries. */
static void
ct_bucket_read(const struct dsr_ct_bucket *bk, struct dsr_ct_entry out[DSR_CT_SLOTS])
{
	uint32_t c1, c2;
	unsigned int i;

	for (;;) {
		c1 = __atomic_load_n(&bk->ctl, __ATOMIC_ACQUIRE);
		if (c1 & 1) {
			ct_relax();
			continue;
		}
		for (i = 0; i < DSR_CT_SLOTS; i++)
			ct_entry_load(&out[i], &bk->e[i]);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		c2 = __atomic_load_n(&bk->ctl, __ATOMIC_RELAXED);
		if (c1 == c2)
			return;
	}
}

static uint32_t
ct_nbuckets(uint32_t max_entries)
{
	/* ceil(max_entries / (slots * load)), rounded up to a power of two */
	uint64_t need =
		((uint64_t)max_entries * DSR_CT_LOAD_DEN + DSR_CT_SLOTS * DSR_CT_LOAD_NUM - 1) /
		(DSR_CT_SLOTS * DSR_CT_LOAD_NUM);
	uint32_t nb = 2;

	while (nb < need)
		nb <<= 1;
	return nb;
}

size_t
dsr_ct_mem_size(uint32_t max_entries)
{
	uint32_t nb;

	if (max_entries == 0 || max_entries > DSR_CT_MAX_ENTRIES)
		return 0;
	nb = ct_nbuckets(max_entries);
#if SIZE_MAX < UINT64_MAX
	if ((SIZE_MAX - sizeof(struct dsr_ct)) / sizeof(struct dsr_ct_bucket) < nb)
		return 0;
#endif
	return sizeof(struct dsr_ct) + (size_t)nb * sizeof(struct dsr_ct_bucket);
}

struct dsr_ct *
dsr_ct_init(void *mem, size_t size, uint32_t max_entries)
{
	size_t need = dsr_ct_mem_size(max_entries);
	struct dsr_ct *ct = mem;
	unsigned int t;

	if (mem == NULL || need == 0 || size < need || ((uintptr_t)mem & 63) != 0)
		return NULL;
	memset(mem, 0, need);
	ct->mask = ct_nbuckets(max_entries) - 1;
	ct->max_entries = max_entries;
	for (t = 0; t < DSR_CT_NTAGS; t++)
		ct->alt[t] = ct_tag_offset[t] & ct->mask;
	ct->timeout[DSR_CT_SYN] = DSR_CT_DEFAULT_SYN_MS;
	ct->timeout[DSR_CT_EST] = DSR_CT_DEFAULT_EST_MS;
	ct->timeout[DSR_CT_FIN] = DSR_CT_DEFAULT_FIN_MS;
	ct->timeout[DSR_CT_UDP] = DSR_CT_DEFAULT_UDP_MS;
	return ct;
}

void
dsr_ct_set_free_cb(struct dsr_ct *ct, dsr_ct_free_cb cb, void *arg)
{
	ct->free_cb = cb;
	ct->free_arg = arg;
}

void
dsr_ct_set_timeouts(struct dsr_ct *ct, const uint32_t timeout_ms[DSR_CT_NSTATES])
{
	unsigned int s;

	for (s = DSR_CT_FREE + 1; s < DSR_CT_NSTATES; s++)
		ct->timeout[s] = timeout_ms[s] > INT32_MAX ? (uint32_t)INT32_MAX : timeout_ms[s];
}

static inline int
ct_queued(const struct ct_node *q, unsigned int n, uint32_t b)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (q[i].b == b)
			return 1;
	return 0;
}

/*
 * Both candidate buckets hold only live entries: search breadth-first
 * (each bucket at most once, DSR_CT_BFS_NODES bucket reads at most) for
 * a chain of entries that can each move to their other bucket, ending at
 * a free or expired slot; then shift the chain along, last move first,
 * so each entry is always findable. Sets *ob / *oi to the root slot the
 * chain freed. @return 0, or -1 if no chain was found.
 */
static int
ct_relocate(struct dsr_ct *ct, const uint32_t root[2], uint32_t now, uint32_t *ob, unsigned int *oi)
{
	struct ct_node q[DSR_CT_BFS_NODES + 2];
	unsigned int head, tail = 2, reads = 0, i, j, k;
	uint32_t alt[DSR_CT_SLOTS], db;
	struct dsr_ct_bucket *bk, *ab;
	unsigned int di, si;

	q[0] = (struct ct_node){root[0], -1, 0};
	q[1] = (struct ct_node){root[1], -1, 0};
	for (head = 0; head < tail && reads < DSR_CT_BFS_NODES; head++) {
		bk = &ct->bk[q[head].b];
		for (i = 0; i < DSR_CT_SLOTS; i++) {
			alt[i] = ct_other(ct, q[head].b, ct_ctl_tag(bk->ctl, i));
			__builtin_prefetch(&ct->bk[alt[i]], 0, 3);
		}
		for (i = 0; i < DSR_CT_SLOTS && reads < DSR_CT_BFS_NODES; i++) {
			if (ct_queued(q, tail, alt[i]))
				continue;
			reads++;
			ab = &ct->bk[alt[i]];
			for (j = 0; j < DSR_CT_SLOTS; j++)
				if (dsr_ct_entry_state(&ab->e[j]) == DSR_CT_FREE ||
				    dsr_ct_expired(ct, &ab->e[j], now))
					goto found;
			q[tail++] = (struct ct_node){alt[i], (int16_t)head, (uint8_t)i};
		}
	}
	return -1;

found:
	if (dsr_ct_entry_state(&ab->e[j]) != DSR_CT_FREE)
		ct_slot_free(ct, ab, j, DSR_CT_EXPIRED);
	db = alt[i];
	di = j;
	si = i;
	k = head;
	for (;;) {
		bk = &ct->bk[q[k].b];
		ct_slot_write(&ct->bk[db], di, &bk->e[si], ct_ctl_tag(bk->ctl, si));
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

struct dsr_ct_entry *
dsr_ct_insert(struct dsr_ct *ct, const struct dsr_flow *flow, uint64_t hash, uint16_t backend,
	      uint8_t state, uint32_t now_ms)
{
	uint32_t tag = dsr_ct_tag(hash), root[2], b;
	int full = ct->count >= ct->max_entries;
	struct dsr_ct_bucket *bk;
	struct dsr_ct_entry ne;
	unsigned int n, i;

	if (state == DSR_CT_FREE || state >= DSR_CT_NSTATES ||
	    (flow->proto != 6 && flow->proto != 17) || (flow->proto == 17) != (state == DSR_CT_UDP))
		return NULL;
	root[0] = (uint32_t)hash & ct->mask;
	root[1] = ct_other(ct, root[0], tag);
	for (n = 0; n < 2; n++) {
		bk = &ct->bk[root[n]];
		for (i = 0; i < DSR_CT_SLOTS; i++) {
			if (dsr_ct_entry_state(&bk->e[i]) == DSR_CT_FREE) {
				if (!full)
					goto put;
			} else if (dsr_ct_expired(ct, &bk->e[i], now_ms)) {
				ct_slot_free(ct, bk, i, DSR_CT_EXPIRED);
				goto put;
			}
		}
	}
	if (full || ct_relocate(ct, root, now_ms, &b, &i) != 0)
		return NULL;
	bk = &ct->bk[b];
put:
	ne.src_ip = flow->src_ip;
	ne.dst_ip = flow->dst_ip;
	ne.src_port = flow->src_port;
	ne.dst_port = flow->dst_port;
	ne.sh = state;
	ne.backend = backend;
	ne.last_seen = now_ms;
	ct_slot_write(bk, i, &ne, tag);
	__atomic_store_n(&ct->count, ct->count + 1, __ATOMIC_RELAXED);
	return &bk->e[i];
}

/* Free a live entry given by pointer; a free slot or a pointer outside the table is ignored. */
static void
ct_entry_free(struct dsr_ct *ct, struct dsr_ct_entry *e, enum dsr_ct_free_reason why)
{
	uintptr_t off = (uintptr_t)e - (uintptr_t)ct->bk;
	struct dsr_ct_bucket *bk;
	unsigned int i;

	if (e == NULL || off >= ((uintptr_t)ct->mask + 1) * sizeof(*bk))
		return;
	bk = &ct->bk[off / sizeof(*bk)];
	i = (unsigned int)((off % sizeof(*bk)) / sizeof(*e));
	if (i >= DSR_CT_SLOTS || &bk->e[i] != e || dsr_ct_entry_state(e) == DSR_CT_FREE)
		return;
	ct_slot_free(ct, bk, i, why);
}

void
dsr_ct_remove(struct dsr_ct *ct, struct dsr_ct_entry *e)
{
	ct_entry_free(ct, e, DSR_CT_REMOVED);
}

void
dsr_ct_expire_entry(struct dsr_ct *ct, struct dsr_ct_entry *e)
{
	ct_entry_free(ct, e, DSR_CT_EXPIRED);
}

/* How far ahead of the sweep its prefetch runs, in buckets. */
#define DSR_CT_SWEEP_AHEAD 4

unsigned int
dsr_ct_sweep(struct dsr_ct *ct, unsigned int nbuckets, uint32_t now_ms)
{
	uint32_t b = ct->sweep_next;
	struct dsr_ct_bucket *bk;
	unsigned int n, i, freed = 0;

	if (nbuckets > ct->mask)
		nbuckets = ct->mask + 1;
	for (n = 0; n < nbuckets; n++) {
		bk = &ct->bk[b];
		for (i = 0; i < DSR_CT_SLOTS; i++) {
			if (dsr_ct_entry_state(&bk->e[i]) != DSR_CT_FREE &&
			    dsr_ct_expired(ct, &bk->e[i], now_ms)) {
				ct_slot_free(ct, bk, i, DSR_CT_EXPIRED);
				freed++;
			}
		}
		/* The pass is sequential: fetch a bucket of a later call now. */
		__builtin_prefetch(&ct->bk[(b + DSR_CT_SWEEP_AHEAD) & ct->mask], 1, 3);
		b = (b + 1) & ct->mask;
	}
	ct->sweep_next = b;
	return freed;
}

unsigned int
dsr_ct_remove_if(struct dsr_ct *ct, uint32_t *cursor, unsigned int nbuckets,
		 int (*match)(void *arg, const struct dsr_ct_entry *e), void *arg)
{
	uint32_t b = *cursor;
	struct dsr_ct_bucket *bk;
	unsigned int n, i, removed = 0;

	for (n = 0; n < nbuckets && b <= ct->mask; n++, b++) {
		bk = &ct->bk[b];
		for (i = 0; i < DSR_CT_SLOTS; i++) {
			if (dsr_ct_entry_state(&bk->e[i]) != DSR_CT_FREE && match(arg, &bk->e[i])) {
				ct_slot_free(ct, bk, i, DSR_CT_REMOVED);
				removed++;
			}
		}
	}
	*cursor = b;
	return removed;
}

uint32_t
dsr_ct_count(const struct dsr_ct *ct)
{
	return __atomic_load_n(&ct->count, __ATOMIC_RELAXED);
}

uint32_t
dsr_ct_capacity(const struct dsr_ct *ct)
{
	return ct->max_entries;
}

uint32_t
dsr_ct_buckets(const struct dsr_ct *ct)
{
	return ct->mask + 1;
}

int
dsr_ct_walk(const struct dsr_ct *ct, uint32_t *cursor, uint32_t max_buckets,
	    int (*fn)(void *arg, const struct dsr_ct_entry *e), void *arg)
{
	struct dsr_ct_entry copy[DSR_CT_SLOTS];
	uint32_t nb = ct->mask + 1, b = *cursor, end;
	unsigned int i;
	int rc;

	if (b >= nb) {
		*cursor = nb;
		return 0;
	}
	end = max_buckets >= nb - b ? nb : b + max_buckets;
	for (; b < end; b++) {
		ct_bucket_read(&ct->bk[b], copy);
		for (i = 0; i < DSR_CT_SLOTS; i++) {
			if (dsr_ct_entry_state(&copy[i]) == DSR_CT_FREE)
				continue;
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
