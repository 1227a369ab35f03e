/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <string.h>

#include "dsr_frag.h"
#include "frag_pvt.h"

#define FRAG_MAX_ENTRIES (1u << 24)

static uint32_t
frag_buckets(uint32_t entries)
{
	uint32_t n = 1;

	while (n * FRAG_WAYS < entries)
		n <<= 1;
	return n;
}

size_t
dsr_frag_mem_size(uint32_t entries)
{
	if (entries == 0 || entries > FRAG_MAX_ENTRIES)
		return 0;
	return sizeof(struct dsr_frag) + (size_t)frag_buckets(entries) * sizeof(struct frag_bucket);
}

struct dsr_frag *
dsr_frag_init(void *mem, size_t size, uint32_t entries, uint64_t seed)
{
	size_t need = dsr_frag_mem_size(entries);
	struct dsr_frag *t = mem;

	if (mem == NULL || need == 0 || size < need || ((uintptr_t)mem & 63) != 0)
		return NULL;
	memset(mem, 0, need);
	t->seed = seed | 1;
	t->seed6 = (seed ^ 0x6672616736ULL) * 0x9e3779b97f4a7c15ULL; /* "frag6" */
	t->mask = frag_buckets(entries) - 1;
	t->timeout_ms = DSR_FRAG_DEFAULT_TIMEOUT_MS;
	return t;
}

void
dsr_frag_set_timeout(struct dsr_frag *t, uint32_t timeout_ms)
{
	t->timeout_ms = timeout_ms > INT32_MAX ? INT32_MAX : timeout_ms;
}

static inline uint64_t
frag_rotl(uint64_t x, unsigned int r)
{
	return (x << r) | (x >> (64 - r));
}

/* IPv6's 32 bytes of addresses as 64 bits: MurmurHash3 x64's mixing, keyed by seed6. */
static inline uint64_t
frag_digest6(const struct dsr_frag *t, const struct dsr_frag_key *k)
{
	uint64_t h = t->seed6, w;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		memcpy(&w, (i < 2 ? k->src : k->dst) + 8 * (i & 1), 8);
		w *= 0x87c37b91114253d5ULL;
		w = frag_rotl(w, 31);
		w *= 0x4cf5ad432745937fULL;
		h ^= w;
		h = frag_rotl(h, 27) * 5 + 0x52dce729;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* What an entry keeps of k (backend and age unset). */
static inline struct frag_entry
frag_pack(const struct dsr_frag *t, const struct dsr_frag_key *k)
{
	struct frag_entry p = {.id = k->id, .proto = k->proto, .family = DSR_FRAG_IPV4};

	if (k->family == DSR_FRAG_IPV6) {
		uint64_t d = frag_digest6(t, k);

		p.addr[0] = (uint32_t)(d >> 32);
		p.addr[1] = (uint32_t)d;
		p.family = DSR_FRAG_IPV6;
	} else {
		memcpy(&p.addr[0], k->src, 4);
		memcpy(&p.addr[1], k->dst, 4);
	}
	return p;
}

static inline bool
frag_key_eq(const struct frag_entry *a, const struct frag_entry *b)
{
	return a->addr[0] == b->addr[0] && a->addr[1] == b->addr[1] && a->id == b->id &&
	       a->proto == b->proto && a->family == b->family;
}

/* IPv4's bucket is where it was before IPv6 shared the table. */
static inline struct frag_bucket *
frag_bucket_of(struct dsr_frag *t, const struct frag_entry *k)
{
	uint64_t a = ((uint64_t)k->addr[0] << 32) | k->addr[1];
	uint64_t b =
		((uint64_t)(k->family == DSR_FRAG_IPV6) << 40) | ((uint64_t)k->id << 8) | k->proto;
	uint64_t h = (a ^ t->seed) * 0x9e3779b97f4a7c15ULL;

	h ^= (b + (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return &t->bk[h & t->mask];
}

static inline bool
frag_expired(const struct dsr_frag *t, const struct frag_entry *e, uint32_t now_ms)
{
	return (int32_t)(now_ms - e->born_ms) >= (int32_t)t->timeout_ms;
}

enum dsr_frag_put
dsr_frag_put(struct dsr_frag *t, const struct dsr_frag_key *k, uint16_t backend, uint32_t now_ms)
{
	const struct frag_entry p = frag_pack(t, k);
	struct frag_bucket *bk = frag_bucket_of(t, &p);
	struct frag_entry *free_e = NULL, *stale = NULL, *oldest = NULL;
	enum dsr_frag_put r;
	unsigned int i;

	for (i = 0; i < FRAG_WAYS; i++) {
		struct frag_entry *e = &bk->e[i];

		if (e->family == 0) {
			if (free_e == NULL)
				free_e = e;
			continue;
		}
		if (frag_key_eq(e, &p)) {
			e->backend = backend;
			e->born_ms = now_ms;
			return DSR_FRAG_PUT_SAME;
		}
		if (stale == NULL && frag_expired(t, e, now_ms))
			stale = e;
		if (oldest == NULL || (int32_t)(e->born_ms - oldest->born_ms) < 0)
			oldest = e;
	}
	if (free_e != NULL) {
		t->count++;
		r = DSR_FRAG_PUT_NEW;
	} else if (stale != NULL) {
		free_e = stale;
		r = DSR_FRAG_PUT_EXPIRED;
	} else {
		free_e = oldest;
		r = DSR_FRAG_PUT_EVICTED;
	}
	*free_e = p;
	free_e->backend = backend;
	free_e->born_ms = now_ms;
	return r;
}

enum dsr_frag_get
dsr_frag_get(struct dsr_frag *t, const struct dsr_frag_key *k, uint32_t now_ms, uint16_t *backend)
{
	const struct frag_entry p = frag_pack(t, k);
	struct frag_bucket *bk = frag_bucket_of(t, &p);
	unsigned int i;

	for (i = 0; i < FRAG_WAYS; i++) {
		struct frag_entry *e = &bk->e[i];

		if (e->family == 0 || !frag_key_eq(e, &p))
			continue;
		if (frag_expired(t, e, now_ms)) {
			e->family = 0;
			t->count--;
			return DSR_FRAG_EXPIRED;
		}
		*backend = e->backend;
		return DSR_FRAG_HIT;
	}
	return DSR_FRAG_MISS;
}

uint32_t
dsr_frag_count(const struct dsr_frag *t)
{
	return t->count;
}

uint32_t
dsr_frag_capacity(const struct dsr_frag *t)
{
	return (t->mask + 1) * FRAG_WAYS;
}
