/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN flood against one worker's packet path, in process (lib/fwd and
 * lib/ct exactly as a worker runs them; pure C, no EAL).
 *
 *	test_flood [NSYN [FRAMES_PER_MS]]
 *
 * One TCP VIP, 4 backends with static MACs, a 65536-entry table. First
 * 1,000 flows are established (SYN, then ACK). Then a fifth backend is
 * added (a new generation, as `backend add` publishes): Maglev now sends
 * about a fifth of the established flows' hashes elsewhere, so any of
 * them that lost its entry would change backend. Then NSYN SYNs (default
 * 10,000,000) from pseudo-random sources and ports, all distinct, go
 * through in bursts of 32 (classify all, then decide each, then sweep 8
 * buckets, as the worker's loop does), and every 11th frame is an ACK of
 * an established flow, in turn: each of 900 flows gets one ACK per 9,000
 * SYNs, and the other 100 stay idle until the flood is over (idle, but
 * within their 900 s timeout: SYN pressure must not push them out either).
 * A simulated millisecond clock advances 1 ms per FRAMES_PER_MS frames
 * (default 1000, a 1 Mpps flood), starting 4 s before the 32-bit clock
 * wraps. The flood runs twice: with the default SYN timeout (30 s, longer
 * than the run: the table fills once and stays full) and with `timeout
 * set tcp-syn 2` (SYN entries age out and the table churns).
 *
 * Checks, for each run:
 *   - every established-flow packet, during the flood and one more for each
 *     of the 1,000 after it, is forwarded (DSR_FWD_TX) to the MAC its SYN
 *     was forwarded to: none is lost to table pressure, none changes
 *     backend;
 *   - no established entry ever leaves the table (the free callback, fwd's,
 *     is wrapped to watch), and at the end each is still there, in state
 *     established, with its backend;
 *   - every SYN is forwarded; the table never holds more than its capacity;
 *     each SYN either made an entry (ct-new) or was forwarded by Maglev
 *     alone (ct-full), and a sample of those frames went to the Maglev
 *     choice; the backends' active counters add up to the entries;
 *   - with tcp-syn 30 nothing expires and the table ends full; with
 *     tcp-syn 2 entries expire and later SYNs get entries again;
 *   - the process's anonymous resident memory (/proc/self/statm: resident
 *     minus shared) does not grow during the flood (64 KiB tolerance).
 * The flood rate on this core (frames/s, clock_gettime around the flood
 * loop, frame building and checks included) is printed, not asserted.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ct_pvt.h"
#include "dsr_conf.h"
#include "dsr_ct.h"
#include "dsr_fwd.h"
#include "dsr_gen.h"
#include "dsr_maglev.h"
#include "dsr_pkt.h"
#include "dsr_stats.h"
#include "dsr_test.h"

#define CT_ENTRIES   65536u
#define NEST         1000u /* established flows */
#define NEST_IDLE    100u  /* of which the last 100 send nothing during the flood */
#define SYN_PER_ACK  10u   /* an ACK after every 10 SYNs: 1,000 ACKs per 10,000 SYNs */
#define BURST        32u
#define SWEEP        8u /* buckets swept per loop here (the worker paces its sweep by the clock) */
#define FRAME_LEN    60u
#define CLOCK_START  0xfffff060u /* 4 s before the ms clock wraps */
#define RSS_SLACK_KB 64
#define EST_IP_BASE  0xc6120000u /* 198.18.0.0: established clients */
#define EST_PORT     1024u       /* established source ports 1024..2023; SYNs use 2048.. */
#define SYN_PORT_MIN 2048u

static uint64_t nsyn = 10000000;
static uint32_t frames_per_ms = 1000;

static const uint8_t port_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t client_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x10};

/*
 * Flood sources: a bijection of the SYN's index, so no two SYNs share a
 * flow, onto unicast addresses a client can have (lib/fwd drops martian
 * sources: 0/8, 127/8, 224/3): the low 24 bits mixed, the first octet
 * 1-126 or 128-223 from the index's high bits (222 * 2^24 indices).
 */
static uint32_t
flood_src(uint32_t x)
{
	const uint32_t m = 0xffffffu;
	uint32_t lo = x & m, hi = (x >> 24) % 222u;

	lo = (lo * 0x9e3779u + 1) & m; /* odd multiplier: a bijection mod 2^24 */
	lo ^= lo >> 12;
	lo = (lo * 0x85ebcbu) & m;
	lo ^= lo >> 11;
	return ((hi < 126 ? 1 + hi : 2 + hi) << 24) | lo;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* An Ethernet/IPv4/TCP frame to the VIP (60 bytes: 54 and padding). */
static void
frame_template(uint8_t *f, uint32_t vip)
{
	memset(f, 0, FRAME_LEN);
	memcpy(f, port_mac, 6);
	memcpy(f + 6, client_mac, 6);
	put16(f + 12, 0x0800);
	f[14] = 0x45;
	put16(f + 16, 40);
	f[22] = 64; /* TTL */
	f[23] = 6;  /* TCP */
	put32(f + 30, vip);
	put16(f + 36, 80);
	put32(f + 38, 1); /* seq */
	f[46] = 5 << 4;   /* data offset */
	put16(f + 48, 65535);
}

static void
frame_set(uint8_t *f, const uint8_t *tmpl, uint32_t src_ip, uint16_t src_port, uint8_t flags)
{
	memcpy(f, tmpl, FRAME_LEN);
	put32(f + 26, src_ip);
	put16(f + 34, src_port);
	f[47] = flags;
}

/*
 * Anonymous resident memory in KiB: resident minus shared (file-backed)
 * pages of /proc/self/statm. Code pages that the flood runs for the first
 * time are file-backed: they are not memory the process allocates.
 */
static long
rss_kb(void)
{
	long size = 0, res = 0, shared = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld %ld", &size, &res, &shared) != 3)
		res = -1;
	fclose(f);
	return res < 0 ? -1 : (res - shared) * (sysconf(_SC_PAGESIZE) / 1024);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The established flows, and the free-callback wrapper that watches them. */
struct est {
	uint8_t mac[6];
	uint16_t backend;
};

static struct {
	dsr_ct_free_cb fwd_cb; /* fwd's own callback, called first */
	void *fwd_arg;
	uint64_t est_freed; /* established entries that left the table: must stay 0 */
	uint64_t freed[2];  /* by reason: EXPIRED, REMOVED */
} watch;

static bool
is_est(uint32_t src_ip_be, uint16_t src_port_be)
{
	uint32_t ip = __builtin_bswap32(src_ip_be);
	uint16_t port = __builtin_bswap16(src_port_be);

	return ip - EST_IP_BASE < NEST && port == EST_PORT + (ip - EST_IP_BASE);
}

static void
watch_cb(void *arg, const struct dsr_ct_entry *e, enum dsr_ct_free_reason why)
{
	(void)arg;
	watch.fwd_cb(watch.fwd_arg, e, why);
	watch.freed[why == DSR_CT_REMOVED]++;
	if (is_est(e->src_ip, e->src_port)) {
		if (watch.est_freed == 0)
			fprintf(stderr, "established flow 0x%08x:%u left the table (%s)\n",
				__builtin_bswap32(e->src_ip), __builtin_bswap16(e->src_port),
				why == DSR_CT_EXPIRED ? "expired" : "removed");
		watch.est_freed++;
	}
}

struct rig {
	struct dsr_conf *conf;
	struct dsr_gen *gen1; /* 4 backends: the flows are established under it */
	struct dsr_gen *gen;  /* 5 backends: the flood runs under it */
	struct dsr_stats_lcore *st;
	void *ct_mem;
	struct dsr_ct *ct;
	struct dsr_fwd f;
	uint32_t vip; /* host order */
	uint8_t tmpl[FRAME_LEN];
	struct est est[NEST];
	unsigned int moved_if_stateless; /* established flows Maglev alone would now move */
};

static const char *const conf_lines[] = {
	"port 0 address 10.0.0.2/24",
	"vip add 10.0.0.100:80/tcp",
	"backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01",
	"backend add 10.0.0.100:80/tcp 10.0.0.22 mac 02:00:00:00:b1:02",
	"backend add 10.0.0.100:80/tcp 10.0.0.23 mac 02:00:00:00:b1:03",
	"backend add 10.0.0.100:80/tcp 10.0.0.24 mac 02:00:00:00:b1:04",
	NULL,
};

static bool
rig_init(struct rig *r, const char *extra)
{
	char err[DSR_CMD_ERR_MAX];
	size_t ct_size = (dsr_ct_mem_size(CT_ENTRIES) + 63) & ~(size_t)63;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->conf = malloc(sizeof(*r->conf));
	r->st = aligned_alloc(64, sizeof(*r->st));
	r->ct_mem = aligned_alloc(64, ct_size);
	if (r->conf == NULL || r->st == NULL || r->ct_mem == NULL)
		return false;
	dsr_conf_init(r->conf);
	for (i = 0; conf_lines[i] != NULL; i++)
		if (dsr_conf_apply_line(r->conf, conf_lines[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "'%s': %s\n", conf_lines[i], err);
			return false;
		}
	if (extra != NULL && dsr_conf_apply_line(r->conf, extra, err, sizeof(err)) != 0) {
		fprintf(stderr, "'%s': %s\n", extra, err);
		return false;
	}
	r->gen1 = dsr_gen_build(r->conf, 1, NULL, NULL);
	if (dsr_conf_apply_line(r->conf,
				"backend add 10.0.0.100:80/tcp 10.0.0.25 mac 02:00:00:00:b1:05",
				err, sizeof(err)) != 0) {
		fprintf(stderr, "backend add: %s\n", err);
		return false;
	}
	r->gen = dsr_gen_build(r->conf, 2, NULL, NULL);
	if (r->gen1 == NULL || r->gen == NULL)
		return false;
	memset(r->st, 0, sizeof(*r->st));
	r->ct = dsr_ct_init(r->ct_mem, ct_size, CT_ENTRIES);
	if (r->ct == NULL)
		return false;
	dsr_fwd_init(&r->f, r->ct, r->st);
	dsr_fwd_set_port_mac(&r->f, 0, port_mac);
	memset(&watch, 0, sizeof(watch));
	watch.fwd_cb = r->ct->free_cb;
	watch.fwd_arg = r->ct->free_arg;
	dsr_ct_set_free_cb(r->ct, watch_cb, NULL);
	r->vip = 0x0a000064u; /* 10.0.0.100 */
	frame_template(r->tmpl, r->vip);
	return true;
}

static void
rig_free(struct rig *r)
{
	dsr_gen_free(r->gen1);
	dsr_gen_free(r->gen);
	free(r->conf);
	free(r->st);
	free(r->ct_mem);
}

/* Established flow j's 5-tuple. */
static struct dsr_flow
est_flow(const struct rig *r, unsigned int j)
{
	struct dsr_flow fl = {.src_ip = __builtin_bswap32(EST_IP_BASE + j),
			      .dst_ip = __builtin_bswap32(r->vip),
			      .src_port = __builtin_bswap16((uint16_t)(EST_PORT + j)),
			      .dst_port = __builtin_bswap16(80),
			      .proto = 6};

	return fl;
}

/* Run one burst as the worker does; verdicts out. */
static void
run_burst(struct rig *r, const struct dsr_gen *g, uint8_t (*fr)[64], unsigned int n, uint32_t now,
	  uint8_t *verdict)
{
	uint8_t *frame[BURST];
	uint16_t len[BURST];
	unsigned int i;

	for (i = 0; i < n; i++) {
		frame[i] = fr[i];
		len[i] = FRAME_LEN;
	}
	dsr_fwd_begin(&r->f, g);
	dsr_fwd_burst(&r->f, frame, len, n, 0, now, verdict);
	dsr_ct_sweep(r->ct, SWEEP, now);
}

/* SYN then ACK for each established flow; record where each went. */
static void
establish(struct rig *r, uint32_t now)
{
	uint8_t fr[BURST][64], verdict[BURST];
	unsigned int j, k, n, pass;

	for (pass = 0; pass < 2; pass++) {
		for (j = 0; j < NEST; j += n) {
			n = NEST - j < BURST ? NEST - j : BURST;
			for (k = 0; k < n; k++)
				frame_set(fr[k], r->tmpl, EST_IP_BASE + j + k,
					  (uint16_t)(EST_PORT + j + k),
					  pass == 0 ? DSR_TCP_SYN : DSR_TCP_ACK);
			run_burst(r, r->gen1, fr, n, now, verdict);
			for (k = 0; k < n; k++) {
				CHECK_EQ(verdict[k], DSR_FWD_TX);
				if (pass == 0)
					memcpy(r->est[j + k].mac, fr[k], 6);
				else
					CHECK(memcmp(r->est[j + k].mac, fr[k], 6) == 0);
			}
		}
	}
	for (j = 0; j < NEST; j++) {
		struct dsr_flow fl = est_flow(r, j);
		struct dsr_ct_entry *e = dsr_ct_lookup(r->ct, &fl, dsr_flow_table_hash(&fl), now);

		CHECK(e != NULL && dsr_ct_entry_state(e) == DSR_CT_EST);
		if (e != NULL) {
			r->est[j].backend = e->backend;
			CHECK(memcmp(r->gen1->backends[e->backend].mac, r->est[j].mac, 6) == 0);
			/* Where Maglev alone would send it once the fifth backend is in. */
			r->moved_if_stateless +=
				dsr_maglev_lookup(r->gen->vips[0].maglev, r->gen->maglev_size,
						  dsr_flow_hash(&fl)) != e->backend;
		}
	}
	CHECK_EQ(dsr_ct_count(r->ct), NEST);
	CHECK(r->moved_if_stateless > 0);
}

struct flood_result {
	uint64_t frames, syns, acks;
	uint64_t syn_not_tx, ack_not_tx, ack_moved, maglev_checked, maglev_wrong;
	uint32_t max_count;
	long rss_start, rss_max;
	double secs;
	uint32_t end_ms;
};

static void
flood(struct rig *r, uint32_t start_ms, struct flood_result *res)
{
	static uint8_t fr[BURST][64];
	uint8_t verdict[BURST];
	uint8_t is_ack[BURST];
	uint16_t ack_of[BURST];
	const uint16_t *table = r->gen->vips[0].maglev;
	uint32_t msz = r->gen->maglev_size, now = start_ms, cnt;
	uint64_t syn = 0, frame = 0, next_rss = 1u << 20, rng = 0x2545f4914f6cdd1dULL;
	unsigned int k, n, ack_next = 0;
	double t0;
	long rss;

	memset(res, 0, sizeof(*res));
	res->rss_start = res->rss_max = rss_kb();
	t0 = now_s();
	while (syn < nsyn) {
		/* Build a burst: every (SYN_PER_ACK + 1)th frame an ACK. */
		for (n = 0; n < BURST && syn < nsyn; n++, frame++) {
			if (frame % (SYN_PER_ACK + 1) == SYN_PER_ACK) {
				uint32_t j = ack_next;

				ack_next = ack_next + 1 == NEST - NEST_IDLE ? 0 : ack_next + 1;
				frame_set(fr[n], r->tmpl, EST_IP_BASE + j, (uint16_t)(EST_PORT + j),
					  DSR_TCP_ACK);
				is_ack[n] = 1;
				ack_of[n] = (uint16_t)j;
			} else {
				rng ^= rng << 13;
				rng ^= rng >> 7;
				rng ^= rng << 17;
				frame_set(fr[n], r->tmpl, flood_src((uint32_t)syn),
					  (uint16_t)(SYN_PORT_MIN + rng % (65536 - SYN_PORT_MIN)),
					  DSR_TCP_SYN);
				is_ack[n] = 0;
				syn++;
			}
		}
		now = start_ms + (uint32_t)(frame / frames_per_ms);
		run_burst(r, r->gen, fr, n, now, verdict);
		for (k = 0; k < n; k++) {
			if (is_ack[k]) {
				res->acks++;
				if (verdict[k] != DSR_FWD_TX)
					res->ack_not_tx++;
				else if (memcmp(fr[k], r->est[ack_of[k]].mac, 6) != 0)
					res->ack_moved++;
				continue;
			}
			if (verdict[k] != DSR_FWD_TX) {
				res->syn_not_tx++;
				continue;
			}
			/* A sample: the SYN went where Maglev says, entry or not. */
			if ((k & 15) == 0) {
				struct dsr_pkt p;
				uint16_t be;

				dsr_pkt_parse(fr[k], FRAME_LEN, &p);
				be = dsr_maglev_lookup(table, msz, dsr_flow_hash(&p.flow));
				res->maglev_checked++;
				if (be == DSR_MAGLEV_NONE ||
				    memcmp(fr[k], r->gen->backends[be].mac, 6) != 0)
					res->maglev_wrong++;
			}
		}
		cnt = dsr_ct_count(r->ct);
		if (cnt > res->max_count)
			res->max_count = cnt;
		if (frame >= next_rss) {
			next_rss += 1u << 20;
			rss = rss_kb();
			if (rss > res->rss_max)
				res->rss_max = rss;
		}
	}
	res->secs = now_s() - t0;
	rss = rss_kb();
	if (rss > res->rss_max)
		res->rss_max = rss;
	res->frames = frame;
	res->syns = syn;
	res->end_ms = now;
}

/* After the flood: every established flow still there, as it was. */
static void
check_established(struct rig *r, uint32_t now)
{
	unsigned int j, missing = 0, changed = 0;

	for (j = 0; j < NEST; j++) {
		struct dsr_flow fl = est_flow(r, j);
		struct dsr_ct_entry *e = dsr_ct_lookup(r->ct, &fl, dsr_flow_table_hash(&fl), now);

		if (e == NULL)
			missing++;
		else if (dsr_ct_entry_state(e) != DSR_CT_EST || e->backend != r->est[j].backend)
			changed++;
	}
	CHECK_EQ(missing, 0);
	CHECK_EQ(changed, 0);
}

/* After the flood: one more ACK from each established flow, idle ones included. */
static void
ack_all(struct rig *r, uint32_t now)
{
	uint8_t fr[BURST][64], verdict[BURST];
	unsigned int j, k, n, lost = 0, moved = 0;

	for (j = 0; j < NEST; j += n) {
		n = NEST - j < BURST ? NEST - j : BURST;
		for (k = 0; k < n; k++)
			frame_set(fr[k], r->tmpl, EST_IP_BASE + j + k, (uint16_t)(EST_PORT + j + k),
				  DSR_TCP_ACK);
		run_burst(r, r->gen, fr, n, now, verdict);
		for (k = 0; k < n; k++) {
			lost += verdict[k] != DSR_FWD_TX;
			moved += verdict[k] == DSR_FWD_TX &&
				 memcmp(r->est[j + k].mac, fr[k], 6) != 0;
		}
	}
	CHECK_EQ(lost, 0);
	CHECK_EQ(moved, 0);
}

static int
walk_count(void *arg, const struct dsr_ct_entry *e)
{
	(void)e;
	(*(uint32_t *)arg)++;
	return 0;
}

/* The counters agree with the table. */
static void
check_counters(struct rig *r)
{
	const uint64_t *ev = r->st->event;
	uint64_t active = 0, drops = 0;
	uint32_t cursor = 0, walked = 0, live = dsr_ct_count(r->ct);
	unsigned int i;

	for (i = 0; i < 8; i++)
		active += r->st->backend[i].active;
	for (i = 0; i < DSR_DROP_MAX; i++)
		drops += r->st->drop[i];
	CHECK_EQ(active, live);
	CHECK_EQ(ev[DSR_EV_CT_NEW] - ev[DSR_EV_CT_EXPIRED] - ev[DSR_EV_CT_RST] -
			 ev[DSR_EV_CT_STALE] - ev[DSR_EV_CT_REUSE] - ev[DSR_EV_CT_FLUSHED],
		 live);
	CHECK_EQ(drops, 0);
	dsr_ct_walk(r->ct, &cursor, dsr_ct_buckets(r->ct), walk_count, &walked);
	CHECK_EQ(walked, live);
	CHECK(live <= dsr_ct_capacity(r->ct));
}

static void
run_flood(const char *extra, uint32_t syn_timeout_ms)
{
	struct rig *r = malloc(sizeof(*r));
	struct flood_result res;
	uint64_t new0, full, created, expired;
	uint32_t sim_ms;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	if (!rig_init(r, extra)) {
		CHECK(!"rig_init");
		free(r);
		return;
	}
	CHECK_EQ(r->gen->timeout_ms[DSR_CT_SYN], syn_timeout_ms);
	establish(r, CLOCK_START);
	new0 = r->st->event[DSR_EV_CT_NEW];
	CHECK_EQ(new0, NEST);

	flood(r, CLOCK_START, &res);
	created = r->st->event[DSR_EV_CT_NEW] - new0;
	full = r->st->event[DSR_EV_CT_FULL];
	expired = r->st->event[DSR_EV_CT_EXPIRED];
	sim_ms = res.end_ms - CLOCK_START;
	printf("  tcp-syn %u s: %llu SYN + %llu ACK frames in %.3f s on one core: "
	       "%.2f Mframes/s (%.2f M SYN/s); simulated %.1f s\n",
	       syn_timeout_ms / 1000, (unsigned long long)res.syns, (unsigned long long)res.acks,
	       res.secs, res.frames / res.secs / 1e6, res.syns / res.secs / 1e6, sim_ms / 1000.0);
	printf("  ct-new %llu (%.2f%% of SYNs got an entry), ct-full %llu, ct-expired %llu, "
	       "entries at most %u of %u, now %u\n",
	       (unsigned long long)created, 100.0 * created / res.syns, (unsigned long long)full,
	       (unsigned long long)expired, res.max_count, CT_ENTRIES, dsr_ct_count(r->ct));
	printf("  established: %u of %u would change backend without their entry; "
	       "%llu ACKs, %llu not forwarded, %llu to another backend; "
	       "%llu established entries freed; anonymous RSS %ld KiB at the start, at most %ld KiB\n",
	       r->moved_if_stateless, NEST, (unsigned long long)res.acks,
	       (unsigned long long)res.ack_not_tx, (unsigned long long)res.ack_moved,
	       (unsigned long long)watch.est_freed, res.rss_start, res.rss_max);
	fflush(stdout);

	CHECK_EQ(res.syns, nsyn);
	CHECK(res.acks + 1 >= nsyn / SYN_PER_ACK);
	CHECK_EQ(res.ack_not_tx, 0);
	CHECK_EQ(res.ack_moved, 0);
	CHECK_EQ(watch.est_freed, 0);
	check_established(r, res.end_ms);
	ack_all(r, res.end_ms);
	CHECK_EQ(res.syn_not_tx, 0);
	CHECK(res.maglev_checked > 0);
	CHECK_EQ(res.maglev_wrong, 0);
	CHECK(res.max_count <= CT_ENTRIES);
	CHECK_EQ(created + full, nsyn); /* each SYN: an entry, or Maglev alone */
	CHECK(full > 0);
	CHECK_EQ(watch.freed[1], 0); /* nothing removed (only RST, flush, stale do that) */
	check_counters(r);
	CHECK(res.rss_start > 0);
	CHECK(res.rss_max - res.rss_start <= RSS_SLACK_KB);
	if (sim_ms + 1000 < syn_timeout_ms) {
		/* Nothing aged out: the table filled once and stayed full. */
		CHECK_EQ(expired, 0);
		CHECK_EQ(created, CT_ENTRIES - NEST);
		CHECK_EQ(dsr_ct_count(r->ct), CT_ENTRIES);
	} else if (sim_ms > syn_timeout_ms + 100) {
		/* SYN entries aged out and made room for later SYNs. */
		CHECK(expired > 0);
		CHECK(created > CT_ENTRIES - NEST);
	}
	rig_free(r);
	free(r);
}

static void
test_flood_syn_timeout_default(void)
{
	run_flood(NULL, 30000);
}

static void
test_flood_syn_timeout_short(void)
{
	run_flood("timeout set tcp-syn 2", 2000);
}

int
main(int argc, char **argv)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_flood_syn_timeout_default),
		DSR_TEST(test_flood_syn_timeout_short),
	};

	if (argc > 1)
		nsyn = strtoull(argv[1], NULL, 0);
	if (argc > 2)
		frames_per_ms = (uint32_t)strtoul(argv[2], NULL, 0);
	if (nsyn == 0 || frames_per_ms == 0) {
		fprintf(stderr, "usage: %s [NSYN [FRAMES_PER_MS]]\n", argv[0]);
		return 2;
	}
	printf("SYN flood: %llu SYNs, %u established flows, table %u entries, 1 ms per %u frames\n",
	       (unsigned long long)nsyn, NEST, CT_ENTRIES, frames_per_ms);
	fflush(stdout);
	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
