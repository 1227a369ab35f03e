/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_TEST_FWD_PAIR_H
#define DSR_TEST_FWD_PAIR_H

/*
 * The differential pair of test_fwd.c and test_fwd_cases.c: two rigs fed
 * the same bursts, one through dsr_fwd_burst(), one through the general
 * path, compared after every burst (verdicts, frames, counters, tables),
 * with reports of what differs. Functions are static inline: not every
 * program uses every one.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_ct.h"
#include "dsr_fwd.h"
#include "dsr_gen.h"
#include "dsr_stats.h"
#include "dsr_test.h"
#include "test_fwd_util.h"

/* Mismatch reports. */

static inline void
hexdump(const char *what, const uint8_t *p, unsigned int len)
{
	unsigned int i;

	fprintf(stderr, "    %s (%u bytes):", what, len);
	for (i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 32 == 0 ? "\n      " : " ", p[i]);
	fprintf(stderr, "\n");
}

/* Compare counter blocks; report every field that differs. @return 0 if equal. */
static inline int
stats_diff(const struct dsr_stats_lcore *a, const struct dsr_stats_lcore *b)
{
	const uint64_t *x = (const uint64_t *)a, *y = (const uint64_t *)b;
	size_t i, nw = sizeof(*a) / sizeof(uint64_t);
	char name[64];
	int bad = 0;

	if (memcmp(a, b, sizeof(*a)) == 0)
		return 0;
	for (i = 0; i < nw; i++) {
		if (x[i] == y[i])
			continue;
		fprintf(stderr, "    counter %s: burst path %llu, general path %llu\n",
			dsr_stats_field_name(i * sizeof(uint64_t), name, sizeof(name)),
			(unsigned long long)x[i], (unsigned long long)y[i]);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* A table's contents in walk order, with the bucket of each entry. */
struct walk_buf {
	struct dsr_ct_entry e[WALK_MAX];
	uint32_t bucket[WALK_MAX];
	unsigned int n;
	uint32_t cur;
	int overflow;
};

static inline int
walk_cb(void *arg, const struct dsr_ct_entry *e)
{
	struct walk_buf *w = arg;

	if (w->n >= WALK_MAX) {
		w->overflow = 1;
		return 1;
	}
	w->e[w->n] = *e;
	w->bucket[w->n] = w->cur;
	w->n++;
	return 0;
}

static inline void
walk_all(const struct dsr_ct *ct, struct walk_buf *w)
{
	uint32_t cursor = 0, nb = dsr_ct_buckets(ct);

	w->n = 0;
	w->overflow = 0;
	while (cursor < nb && !w->overflow) {
		w->cur = cursor;
		dsr_ct_walk(ct, &cursor, 1, walk_cb, w);
	}
}

static inline void
print_entry(const char *who, uint32_t bucket, const struct dsr_ct_entry *e)
{
	char s[16], d[16];

	fprintf(stderr, "    %s: bucket %u %s:%u -> %s:%u proto %u state %u backend %u seen %u\n",
		who, bucket, dsr_ip_str(e->src_ip, s), be16(e->src_port), dsr_ip_str(e->dst_ip, d),
		be16(e->dst_port), dsr_ct_entry_proto(e), dsr_ct_entry_state(e), e->backend,
		e->last_seen);
}

/* Compare two tables entry by entry, in walk order. @return 0 if equal. */
static inline int
tables_diff(const struct dsr_ct *a, const struct dsr_ct *b)
{
	static struct walk_buf wa, wb;
	unsigned int i;

	if (dsr_ct_count(a) != dsr_ct_count(b)) {
		fprintf(stderr, "    table count: burst path %u, general path %u\n",
			dsr_ct_count(a), dsr_ct_count(b));
		return -1;
	}
	walk_all(a, &wa);
	walk_all(b, &wb);
	if (wa.overflow || wb.overflow || wa.n != wb.n || wa.n != dsr_ct_count(a)) {
		fprintf(stderr,
			"    table walk: burst path %u entries, general path %u, count %u\n", wa.n,
			wb.n, dsr_ct_count(a));
		return -1;
	}
	for (i = 0; i < wa.n; i++) {
		if (wa.bucket[i] == wb.bucket[i] &&
		    memcmp(&wa.e[i], &wb.e[i], sizeof(wa.e[i])) == 0)
			continue;
		fprintf(stderr, "    table entry %u differs:\n", i);
		print_entry("burst path  ", wa.bucket[i], &wa.e[i]);
		print_entry("general path", wb.bucket[i], &wb.e[i]);
		return -1;
	}
	return 0;
}

/* The IPv6 tables' contents in walk order (entries as found, private link included). */
struct walk6_buf {
	struct dsr_ct6_entry e[WALK_MAX];
	unsigned int n;
	int overflow;
};

static inline int
walk6_cb(void *arg, const struct dsr_ct6_entry *e)
{
	struct walk6_buf *w = arg;

	if (w->n >= WALK_MAX) {
		w->overflow = 1;
		return 1;
	}
	w->e[w->n++] = *e;
	return 0;
}

/* Compare two IPv6 tables (either may be NULL: both must be). @return 0 if equal. */
static inline int
tables6_diff(const struct dsr_ct6 *a, const struct dsr_ct6 *b)
{
	static struct walk6_buf wa, wb;
	uint32_t ca = 0, cb = 0;
	unsigned int i;

	if (a == NULL || b == NULL)
		return a == b ? 0 : -1;
	wa.n = wb.n = 0;
	wa.overflow = wb.overflow = 0;
	dsr_ct6_walk(a, &ca, dsr_ct6_buckets(a), walk6_cb, &wa);
	dsr_ct6_walk(b, &cb, dsr_ct6_buckets(b), walk6_cb, &wb);
	if (dsr_ct6_count(a) != dsr_ct6_count(b) || wa.overflow || wb.overflow || wa.n != wb.n ||
	    wa.n != dsr_ct6_count(a)) {
		fprintf(stderr,
			"    IPv6 table: burst path %u entries (%u walked), general path %u "
			"(%u walked)\n",
			dsr_ct6_count(a), wa.n, dsr_ct6_count(b), wb.n);
		return -1;
	}
	for (i = 0; i < wa.n; i++) {
		const struct dsr_ct6_entry *x = &wa.e[i], *y = &wb.e[i];

		if (memcmp(x, y, sizeof(*x)) == 0)
			continue;
		fprintf(stderr,
			"    IPv6 table entry %u differs: burst path state/hint %#x backend %u "
			"seen %u, general path %#x, %u, %u\n",
			i, x->sh, x->backend, x->last_seen, y->sh, y->backend, y->last_seen);
		return -1;
	}
	return 0;
}

/* The differential pair. */

struct pair {
	struct rig a; /* dsr_fwd_burst() */
	struct rig b; /* classify, decide, count */
	unsigned long bursts;
	int failed; /* a mismatch was reported: stop feeding */
	/* What the bursts covered. */
	unsigned long tx_simple; /* TX frames shaped for the inline path */
	unsigned long frames;
};

static inline int
pair_init(struct pair *p, uint32_t entries)
{
	memset(p, 0, sizeof(*p));
	if (rig_init(&p->a, entries) != 0 || rig_init(&p->b, entries) != 0)
		return -1;
	return 0;
}

static inline void
pair_free(struct pair *p)
{
	rig_free(&p->a);
	rig_free(&p->b);
}

static inline const char *
verdict_name(uint8_t v)
{
	switch (v) {
	case DSR_FWD_TX:
		return "TX";
	case DSR_FWD_SLOW:
		return "SLOW";
	case DSR_FWD_DROP:
		return "DROP";
	case DSR_FWD_PENDING:
		return "PENDING";
	default:
		return "?";
	}
}

static inline void
report_burst(const struct pair *p, const struct dsr_gen *g, uint8_t *const orig[],
	     const uint16_t len[], unsigned int n, uint16_t port, uint32_t now)
{
	unsigned int i;

	fprintf(stderr, "  burst %lu: generation %llu, port %u, now_ms %u, %u frames:\n", p->bursts,
		(unsigned long long)g->version, port, now, n);
	for (i = 0; i < n; i++) {
		char what[32];

		snprintf(what, sizeof(what), "frame %u", i);
		hexdump(what, orig[i], len[i]);
	}
}

static inline uint8_t *
dup_frame(const uint8_t *p, uint16_t len)
{
	/* Exactly len bytes (one for an empty frame), so ASan sees overruns. */
	uint8_t *q = malloc(len > 0 ? len : 1);

	if (q != NULL && len > 0)
		memcpy(q, p, len);
	return q;
}

/*
 * Feed one burst to both rigs under g and compare everything.
 * verdict_out (may be NULL) gets the verdicts. @return 0 if all agreed.
 */
static inline int
pair_burst(struct pair *p, const struct dsr_gen *g, uint8_t *const orig[], const uint16_t len[],
	   unsigned int n, uint16_t port, uint32_t now, uint8_t *verdict_out)
{
	uint8_t *fa[BURST], *fb[BURST];
	uint8_t va[BURST], vb[BURST];
	unsigned int i, ta, tb, ntx = 0;
	int bad = 0;

	if (p->failed)
		return -1;
	if (n > BURST) {
		CHECK(n <= BURST);
		return -1;
	}
	p->bursts++;
	for (i = 0; i < n; i++) {
		fa[i] = dup_frame(orig[i], len[i]);
		fb[i] = dup_frame(orig[i], len[i]);
		if (fa[i] == NULL || fb[i] == NULL) {
			fprintf(stderr, "test_fwd: out of memory\n");
			exit(2);
		}
	}
	memset(va, 0xee, sizeof(va));
	memset(vb, 0xee, sizeof(vb));
	dsr_fwd_begin(&p->a.f, g);
	dsr_fwd_begin(&p->b.f, g);
	ta = dsr_fwd_burst(&p->a.f, fa, len, n, port, now, va);
	tb = ref_burst(&p->b.f, fb, len, n, port, now, vb);

	for (i = 0; i < n; i++) {
		int frame_bad = 0;

		if (va[i] != vb[i]) {
			fprintf(stderr,
				"  frame %u: verdict %s (burst path) vs %s (general path)\n", i,
				verdict_name(va[i]), verdict_name(vb[i]));
			frame_bad = 1;
		}
		if (va[i] != DSR_FWD_TX && va[i] != DSR_FWD_SLOW && va[i] != DSR_FWD_DROP) {
			fprintf(stderr, "  frame %u: verdict %u is not final\n", i, va[i]);
			frame_bad = 1;
		}
		if (len[i] > 0 && memcmp(fa[i], fb[i], len[i]) != 0) {
			fprintf(stderr, "  frame %u: output frames differ\n", i);
			hexdump("burst path", fa[i], len[i]);
			hexdump("general path", fb[i], len[i]);
			frame_bad = 1;
		}
		/* Only a TX frame changes, and only in its Ethernet addresses. */
		if (va[i] == DSR_FWD_TX && len[i] < 14) {
			ntx++;
			fprintf(stderr, "  frame %u: TX of a %u-byte frame\n", i, len[i]);
			frame_bad = 1;
		} else if (va[i] == DSR_FWD_TX) {
			ntx++;
			if (memcmp(fa[i] + 12, orig[i] + 12, len[i] - 12u) != 0 || port >= NPORTS ||
			    memcmp(fa[i] + 6, port_mac[port], 6) != 0) {
				fprintf(stderr, "  frame %u: TX frame changed beyond its MACs\n",
					i);
				frame_bad = 1;
			}
			if (len[i] >= 15 && memcmp(orig[i] + 12, "\x08\x00\x45", 3) == 0)
				p->tx_simple++;
		} else if (len[i] > 0 && memcmp(fa[i], orig[i], len[i]) != 0) {
			fprintf(stderr, "  frame %u: a %s frame was changed\n", i,
				verdict_name(va[i]));
			frame_bad = 1;
		}
		if (frame_bad) {
			char what[32];

			snprintf(what, sizeof(what), "input of frame %u", i);
			hexdump(what, orig[i], len[i]);
			bad = 1;
		}
	}
	if (ta != tb || ta != ntx) {
		fprintf(stderr,
			"  TX count: burst path returned %u, general path %u, verdicts %u\n", ta,
			tb, ntx);
		bad = 1;
	}
	if (stats_diff(p->a.st, p->b.st) != 0)
		bad = 1;
	if (tables_diff(p->a.ct, p->b.ct) != 0 || tables6_diff(p->a.ct6, p->b.ct6) != 0)
		bad = 1;
	p->frames += n;
	if (bad) {
		fprintf(stderr, "test_fwd: the burst path and the general path disagree\n");
		report_burst(p, g, orig, len, n, port, now);
		p->failed = 1;
		dsr_test_failures++;
	}
	if (verdict_out != NULL)
		memcpy(verdict_out, va, n);
	for (i = 0; i < n; i++) {
		free(fa[i]);
		free(fb[i]);
	}
	return bad ? -1 : 0;
}

/* Table housekeeping on both rigs, identically (the IPv6 tables too, if they have them). */
static inline void
pair_sweep(struct pair *p, unsigned int nbuckets, uint32_t now)
{
	unsigned int ra, rb, ra6 = 0, rb6 = 0;

	if (p->failed)
		return;
	ra = dsr_ct_sweep(p->a.ct, nbuckets, now);
	rb = dsr_ct_sweep(p->b.ct, nbuckets, now);
	if (p->a.ct6 != NULL && p->b.ct6 != NULL) {
		ra6 = dsr_ct6_sweep(p->a.ct6, nbuckets, now);
		rb6 = dsr_ct6_sweep(p->b.ct6, nbuckets, now);
	}
	CHECK_EQ(ra, rb);
	CHECK_EQ(ra6, rb6);
	if (ra != rb || ra6 != rb6 || stats_diff(p->a.st, p->b.st) != 0 ||
	    tables_diff(p->a.ct, p->b.ct) != 0 || tables6_diff(p->a.ct6, p->b.ct6) != 0) {
		fprintf(stderr, "test_fwd: tables differ after a sweep (burst %lu)\n", p->bursts);
		p->failed = 1;
		dsr_test_failures++;
	}
}

struct flush_arg {
	int all;
	uint32_t ip;
	uint16_t port;
	uint8_t proto;
};

static inline int
flush_match(void *arg, const struct dsr_ct_entry *e)
{
	const struct flush_arg *fa = arg;

	return fa->all || (e->dst_ip == fa->ip && e->dst_port == fa->port &&
			   dsr_ct_entry_proto(e) == fa->proto);
}

static inline void
pair_flush(struct pair *p, const struct flush_arg *fa)
{
	struct flush_arg arg = *fa; /* the callback's argument is not const */
	uint32_t ca = 0, cb = 0;
	unsigned int ra = 0, rb = 0;

	if (p->failed)
		return;
	while (ca < dsr_ct_buckets(p->a.ct))
		ra += dsr_ct_remove_if(p->a.ct, &ca, 3, flush_match, &arg);
	while (cb < dsr_ct_buckets(p->b.ct))
		rb += dsr_ct_remove_if(p->b.ct, &cb, 3, flush_match, &arg);
	CHECK_EQ(ra, rb);
	if (ra != rb || stats_diff(p->a.st, p->b.st) != 0 || tables_diff(p->a.ct, p->b.ct) != 0) {
		fprintf(stderr, "test_fwd: tables differ after a flush (burst %lu)\n", p->bursts);
		p->failed = 1;
		dsr_test_failures++;
	}
}

#endif /* DSR_TEST_FWD_PAIR_H */
