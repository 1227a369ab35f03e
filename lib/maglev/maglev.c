/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Weighted Maglev table population.
 *
 * The reference algorithm runs in rounds. Backends with a non-zero weight,
 * sorted by key number (dsr_maglev_key_num), each keep a credit starting
 * at 0. In every round each of them in turn adds its weight to its credit
 * and, if the credit has reached W (the largest weight), subtracts W and
 * claims the next slot of its permutation that is still free. This stops
 * as soon as every slot is taken.
 *
 * After r rounds a backend of weight w has claimed floor(r * w / W)
 * slots, so its k-th claim (k >= 1) happens in round ceil(k * W / w).
 * Two equivalent drivers produce that sequence of claims:
 * - when weights are similar (average weight >= W / 4), the rounds are
 *   walked directly: every round visits each backend, and at least a
 *   quarter of them claim a slot, so this costs O(M) plus probing;
 * - otherwise walking the rounds costs O(rounds * N), which is slow with
 *   skewed weights (one weight 10^6, the others 1), so the claims are
 *   taken from a binary min-heap ordered by (round of the next claim,
 *   position in key order): O(M log N).
 * The unit tests check both against a naive round-by-round reference.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_maglev.h"
#include "maglev_pvt.h"

/*
 * Per active backend scratch state. next_round is used by the heap driver:
 * the round of the next claim, ceil((claims + 1) * W / weight). credit is
 * used by the rounds driver (< W between rounds). pos is the next slot of
 * the permutation to try.
 */
struct maglev_state {
	uint64_t next_round;
	uint64_t credit;
	uint32_t pos;
	uint32_t skip;
	uint32_t claims;
	uint32_t weight;
	uint16_t id;
};

bool
dsr_maglev_is_prime(uint32_t n)
{
	uint32_t i;

	if (n < 2)
		return false;
	if (n < 4)
		return true;
	if (n % 2 == 0 || n % 3 == 0)
		return false;
	for (i = 5; (uint64_t)i * i <= n; i += 6) {
		if (n % i == 0 || n % (i + 2) == 0)
			return false;
	}
	return true;
}

static int
maglev_cmp_key(const void *a, const void *b)
{
	uint32_t ka = dsr_maglev_key_num(((const struct dsr_maglev_backend *)a)->key);
	uint32_t kb = dsr_maglev_key_num(((const struct dsr_maglev_backend *)b)->key);

	return ka < kb ? -1 : ka > kb;
}

/* Heap order: earlier round first, then key order within the round. */
static inline int
maglev_before(const struct maglev_state *st, uint32_t a, uint32_t b)
{
	return st[a].next_round < st[b].next_round ||
	       (st[a].next_round == st[b].next_round && a < b);
}

static void
maglev_sift_down(const struct maglev_state *st, uint32_t *heap, uint32_t n, uint32_t i)
{
	uint32_t v = heap[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && maglev_before(st, heap[c + 1], heap[c]))
			c++;
		if (!maglev_before(st, heap[c], v))
			break;
		heap[i] = heap[c];
		i = c;
	}
	heap[i] = v;
}

static inline uint64_t
maglev_claim_round(uint32_t k, uint32_t max_w, uint32_t w)
{
	/* k <= 2^20 + 1 and max_w < 2^32: no overflow. */
	return ((uint64_t)k * max_w + w - 1) / w;
}

static void
maglev_fill_none(uint16_t *table, uint32_t size)
{
	uint32_t i;

	for (i = 0; i < size; i++)
		table[i] = DSR_MAGLEV_NONE;
}

/* Give the backend its next free preferred slot. */
static inline void
maglev_claim(struct maglev_state *s, uint16_t *table, uint32_t size)
{
	uint32_t pos = s->pos, skip = s->skip;

	/* Ids are never DSR_MAGLEV_NONE, so it marks a free slot. */
	while (table[pos] != DSR_MAGLEV_NONE) {
		pos += skip;
		if (pos >= size)
			pos -= size;
	}
	table[pos] = s->id;
	pos += skip;
	if (pos >= size)
		pos -= size;
	s->pos = pos;
	s->claims++;
}

/* Walk the rounds: each backend in key order, every round. */
static void
maglev_fill_rounds(struct maglev_state *st, uint32_t na, uint32_t max_w, uint32_t size,
		   uint16_t *table)
{
	uint32_t filled = 0, i;

	for (;;) {
		for (i = 0; i < na; i++) {
			struct maglev_state *s = &st[i];

			s->credit += s->weight;
			if (s->credit < max_w)
				continue;
			s->credit -= max_w;
			maglev_claim(s, table, size);
			if (++filled == size)
				return;
		}
	}
}

/* The same claims, in the same order, from a heap of next claim rounds. */
static void
maglev_fill_heap(struct maglev_state *st, uint32_t *heap, uint32_t na, uint32_t max_w,
		 uint32_t size, uint16_t *table)
{
	uint32_t filled, i;

	for (i = 0; i < na; i++) {
		st[i].next_round = maglev_claim_round(1, max_w, st[i].weight);
		heap[i] = i;
	}
	for (i = na / 2; i-- > 0;)
		maglev_sift_down(st, heap, na, i);
	for (filled = 0; filled < size; filled++) {
		struct maglev_state *s = &st[heap[0]];

		maglev_claim(s, table, size);
		s->next_round = maglev_claim_round(s->claims + 1, max_w, s->weight);
		maglev_sift_down(st, heap, na, 0);
	}
}

/* Populate table from the key-sorted backends; at least one has weight > 0. */
static int
maglev_populate(const struct dsr_maglev_backend *sorted, unsigned int n, uint32_t size,
		uint16_t *table)
{
	struct maglev_state *st;
	uint32_t *heap = NULL;
	uint64_t sum_w = 0;
	uint32_t max_w = 0, na = 0, i;
	int use_heap;

	for (i = 0; i < n; i++) {
		if (sorted[i].weight > max_w)
			max_w = sorted[i].weight;
		if (sorted[i].weight != 0)
			na++;
		sum_w += sorted[i].weight;
	}
	/* Rounds when at least a quarter of the backends claim per round. */
	use_heap = (uint64_t)max_w * na > 4 * sum_w;

	st = malloc(sizeof(*st) * na);
	if (use_heap)
		heap = malloc(sizeof(*heap) * na);
	if (st == NULL || (use_heap && heap == NULL)) {
		free(st);
		free(heap);
		return -ENOMEM;
	}

	/* The active backends, still in key order: index = rank within a round. */
	na = 0;
	for (i = 0; i < n; i++) {
		struct maglev_state *s;

		if (sorted[i].weight == 0)
			continue;
		s = &st[na++];
		dsr_maglev_perm(sorted[i].key, size, &s->pos, &s->skip);
		s->claims = 0;
		s->credit = 0;
		s->weight = sorted[i].weight;
		s->id = sorted[i].id;
	}

	maglev_fill_none(table, size);
	if (use_heap)
		maglev_fill_heap(st, heap, na, max_w, size, table);
	else
		maglev_fill_rounds(st, na, max_w, size, table);

	free(st);
	free(heap);
	return 0;
}

int
dsr_maglev_build(const struct dsr_maglev_backend *backends, unsigned int n, uint32_t size,
		 uint16_t *table)
{
	struct dsr_maglev_backend *sorted;
	unsigned int i, active = 0;
	int rc;

	if (table == NULL || size <= 2 || size > DSR_MAGLEV_MAX_SIZE || !dsr_maglev_is_prime(size))
		return -EINVAL;
	if (n > 65535 || (n > 0 && backends == NULL))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (backends[i].id == DSR_MAGLEV_NONE)
			return -EINVAL;
		if (backends[i].weight != 0)
			active++;
	}
	if (n == 0) {
		maglev_fill_none(table, size);
		return 0;
	}

	/* A sorted copy: the table must not depend on the input order. */
	sorted = malloc(sizeof(*sorted) * n);
	if (sorted == NULL)
		return -ENOMEM;
	memcpy(sorted, backends, sizeof(*sorted) * n);
	qsort(sorted, n, sizeof(*sorted), maglev_cmp_key);
	for (i = 1; i < n; i++) {
		if (sorted[i - 1].key == sorted[i].key) {
			free(sorted);
			return -EINVAL;
		}
	}

	if (active == 0) {
		maglev_fill_none(table, size);
		rc = 0;
	} else {
		rc = maglev_populate(sorted, n, size, table);
	}
	free(sorted);
	return rc;
}
