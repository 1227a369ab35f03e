/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "dsr_frag.h"
#include "frag_pvt.h"

#define FRAG_MAX_ENTRIES (1u << 24)

/* frag_pack() digests the 32 bytes of addresses at the start of a key. */
_Static_assert(offsetof(struct dsr_frag_key, src) == 0 && offsetof(struct dsr_frag_key, dst) == 16,
	       "a key starts with its addresses");

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

static uint64_t
frag_splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
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
	/* SipHash's 128-bit key from the seed (splitmix64's steps). */
	t->key6[0] = frag_splitmix(seed);
	t->key6[1] = frag_splitmix(t->key6[0]);
	t->mask = frag_buckets(entries) - 1;
	t->timeout_ms = DSR_FRAG_DEFAULT_TIMEOUT_MS;
	return t;
}

void
dsr_frag_set_timeout(struct dsr_frag *t, uint32_t timeout_ms)
{
	t->timeout_ms = timeout_ms > INT32_MAX ? INT32_MAX : timeout_ms;
}

/* What an entry keeps of k (backend and age unset). */
static inline struct frag_entry
frag_pack(const struct dsr_frag *t, const struct dsr_frag_key *k)
{
	struct frag_entry p = {.id = k->id, .proto = k->proto, .family = DSR_FRAG_IPV4};

	if (k->family == DSR_FRAG_IPV6) {
		uint64_t d = frag_siphash32(t->key6, (const uint8_t *)k); /* src, then dst */

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
