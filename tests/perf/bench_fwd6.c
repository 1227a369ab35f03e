/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where an IPv6 packet's cycles go, against IPv4's: lib/fwd's two burst
 * stages on established flows, without DPDK (no PMD, no mbufs).
 * Standalone: no EAL.
 *
 *	bench_fwd6 [FLOWS] [PASSES]
 *
 * One ACK per flow (64-byte IPv4 frames as gen_pcap.py's `ack`, 74-byte
 * IPv6 ones as `ack6`), every flow's entry made by a first pass, then
 * PASSES passes over all flows in bursts of 32: stage 1
 * (dsr_fwd_stage1()), then stage 2 either as the worker runs it
 * (dsr_fwd_stage2(): IPv4's established flows inline, IPv6 through the
 * general decide) or through the general decide for every packet
 * (dsr_fwd_decide()), the two in turn: for an inline case the
 * difference is what it saves. Each stage is timed with the TSC per burst; a pass's
 * cycles per packet are its sum over its packets, and the report keeps
 * each stage's least pass (a pass is well under a millisecond at 10k
 * flows, so on a shared machine most passes run undisturbed). Then the
 * parts of IPv6's stage 1 on their own, each as a loop over all frames:
 * the parse, the VIP lookup, the table hash.
 * The frames are restored between passes (stage 2 rewrites their MACs).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include "dsr_conf.h"
#include "dsr_fwd.h"
#include "dsr_gen.h"
#include "dsr_pkt6.h"
#include "dsr_stats.h"

#define BURST 32
#define SLOT  128 /* bytes between frames */

static const uint8_t PORT_MAC[6] = {0x02, 0x70, 0x63, 0x61, 0x70, 0x00};

static const char *const CONF[] = {
	"port 0 address 10.0.0.2/24",
	"port 0 address fd00::2/64",
	"maglev size 65537",
	"vip add 10.0.0.100:80/tcp",
	"backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01",
	"backend add 10.0.0.100:80/tcp 10.0.0.22 mac 02:00:00:00:b1:02",
	"backend add 10.0.0.100:80/tcp 10.0.0.23 mac 02:00:00:00:b1:03",
	"backend add 10.0.0.100:80/tcp 10.0.0.24 mac 02:00:00:00:b1:04",
	"vip add [fd00::100]:80/tcp",
	"backend add [fd00::100]:80/tcp fd00::21 mac 02:00:00:00:b1:01",
	"backend add [fd00::100]:80/tcp fd00::22 mac 02:00:00:00:b1:02",
	"backend add [fd00::100]:80/tcp fd00::23 mac 02:00:00:00:b1:03",
	"backend add [fd00::100]:80/tcp fd00::24 mac 02:00:00:00:b1:04",
	NULL,
};

static void *
xalloc(size_t sz)
{
	void *p = aligned_alloc(64, (sz + 63) & ~(size_t)63);

	if (p == NULL) {
		fprintf(stderr, "bench_fwd6: out of memory\n");
		exit(2);
	}
	memset(p, 0, sz);
	return p;
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Flow i's ACK, as gen_pcap.py writes it; returns its length. */
static uint16_t
frame(uint8_t *b, uint32_t i, int v6)
{
	uint32_t l4 = v6 ? 54 : 34;

	memcpy(b, PORT_MAC, 6);
	memcpy(b + 6, "\x02\x00\x00\x00\xc1\x01", 6);
	if (v6) {
		static const uint8_t vip[16] = {0xfd, 0, [14] = 0x01, [15] = 0x00};

		put16(b + 12, 0x86dd);
		b[14] = 0x60;
		put16(b + 18, 20);
		b[20] = 6;
		b[21] = 64;
		memcpy(b + 22, "\x20\x01\x0d\xb8", 4);
		put16(b + 34, i >> 16);
		put16(b + 36, i & 0xffff);
		memcpy(b + 38, vip, 16);
	} else {
		put16(b + 12, 0x0800);
		b[14] = 0x45;
		put16(b + 16, 40);
		b[22] = 64;
		b[23] = 6;
		b[26] = 100;
		b[27] = (uint8_t)(64 | ((i >> 16) & 63));
		put16(b + 28, i & 0xffff);
		memcpy(b + 30, "\x0a\x00\x00\x64", 4); /* checksum left 0: not checked */
	}
	put16(b + l4, 1024 + (i * 7919) % 64000);
	put16(b + l4 + 2, 80);
	b[l4 + 12] = 5 << 4;
	b[l4 + 13] = DSR_TCP_ACK;
	return (uint16_t)(v6 ? 74 : 60);
}

struct rig {
	struct dsr_fwd f;
	uint8_t *buf, *pristine;
	uint16_t *len;
	uint32_t n;
};

static void
rig_init(struct rig *r, const struct dsr_gen *g, uint32_t flows, int v6)
{
	uint32_t entries = 1024, i;
	size_t s4, s6;

	while (entries < 2 * flows)
		entries <<= 1;
	s4 = dsr_ct_mem_size(entries);
	s6 = dsr_ct6_mem_size(entries);
	dsr_fwd_init(&r->f, dsr_ct_init(xalloc(s4), s4, entries), xalloc(sizeof(*r->f.st)));
	dsr_fwd_set_ct6(&r->f, dsr_ct6_init(xalloc(s6), s6, entries));
	dsr_fwd_set_port_mac(&r->f, 0, PORT_MAC);
	dsr_fwd_begin(&r->f, g);
	r->n = flows;
	r->buf = xalloc((size_t)flows * SLOT);
	r->pristine = xalloc((size_t)flows * SLOT);
	r->len = xalloc(flows * sizeof(*r->len));
	for (i = 0; i < flows; i++)
		r->len[i] = frame(r->pristine + (size_t)i * SLOT, i, v6);
	memcpy(r->buf, r->pristine, (size_t)flows * SLOT);
}

/* One pass over all flows; adds each stage's cycles. general: stage 2 as dsr_fwd_decide(). */
static void
pass(struct rig *r, uint32_t now, int general, uint64_t *c1, uint64_t *c2)
{
	struct dsr_fwd_meta meta[BURST];
	uint8_t *frm[BURST], v[BURST];
	uint32_t i, k, n;
	uint64_t t0, t1, t2;

	for (i = 0; i < r->n; i += n) {
		n = r->n - i < BURST ? r->n - i : BURST;
		for (k = 0; k < n; k++)
			frm[k] = r->buf + (size_t)(i + k) * SLOT;
		t0 = __rdtsc();
		dsr_fwd_stage1(&r->f, frm, r->len + i, n, 0, meta, v);
		t1 = __rdtsc();
		if (general) {
			for (k = 0; k < n; k++)
				if (v[k] == DSR_FWD_PENDING)
					v[k] = (uint8_t)dsr_fwd_decide(&r->f, frm[k], r->len[i + k],
								       &meta[k], now);
		} else {
			dsr_fwd_stage2(&r->f, frm, r->len + i, n, now, meta, v);
		}
		t2 = __rdtsc();
		*c1 += t1 - t0;
		*c2 += t2 - t1;
	}
	/* The next pass must find every frame as received. */
	for (i = 0; i < r->n; i++)
		memcpy(r->buf + (size_t)i * SLOT, r->pristine + (size_t)i * SLOT, 12);
}

/*
 * Passes as the worker runs the stages and passes through the general
 * decide, in turn (so that the machine's drift hits both); prints the
 * least pass of each.
 */
static void
measure(const char *name, struct rig *r, unsigned int passes)
{
	uint64_t best[2][2] = {{UINT64_MAX, UINT64_MAX}, {UINT64_MAX, UINT64_MAX}};
	uint64_t fwd0 = r->f.st->fwd_pkts;
	unsigned int p, g;

	for (p = 0; p < passes; p++)
		for (g = 0; g < 2; g++) {
			uint64_t c1 = 0, c2 = 0;

			pass(r, 1000 + p, (int)g, &c1, &c2);
			best[g][0] = c1 < best[g][0] ? c1 : best[g][0];
			best[g][1] = c2 < best[g][1] ? c2 : best[g][1];
		}
	for (g = 0; g < 2; g++)
		printf("%s%-17s stage 1 %6.1f, stage 2 %6.1f, both %6.1f cycles/packet\n", name,
		       g ? ", general decide" : "", (double)best[g][0] / r->n,
		       (double)best[g][1] / r->n, (double)(best[g][0] + best[g][1]) / r->n);
	if (r->f.st->fwd_pkts - fwd0 != (uint64_t)passes * r->n)
		printf("%s: NOT ALL FORWARDED\n", name);
}

/* IPv6 stage 1's parts, each over all frames at once, least pass. */
static void
parts6(struct rig *r, const struct dsr_gen *g, unsigned int passes)
{
	uint64_t best[3] = {UINT64_MAX, UINT64_MAX, UINT64_MAX}, sink = 0;
	struct dsr_pkt6 *pk = xalloc(r->n * sizeof(*pk));
	unsigned int p, i, j;

	for (p = 0; p < passes; p++) {
		uint64_t c[3], t;

		t = __rdtsc();
		for (i = 0; i < r->n; i++)
			sink += dsr_pkt_parse6_l3(r->buf + (size_t)i * SLOT, r->len[i], 14, &pk[i]);
		c[0] = __rdtsc() - t;
		t = __rdtsc();
		for (i = 0; i < r->n; i++)
			sink += (uint64_t)dsr_gen_vip6_lookup(g, pk[i].flow.dst_ip,
							      pk[i].flow.dst_port, 6);
		c[1] = __rdtsc() - t;
		t = __rdtsc();
		for (i = 0; i < r->n; i++)
			sink += dsr_flow6_table_hash(&pk[i].flow);
		c[2] = __rdtsc() - t;
		for (j = 0; j < 3; j++)
			best[j] = c[j] < best[j] ? c[j] : best[j];
	}
	printf("ipv6 stage 1's parts: parse %.1f, VIP lookup %.1f, table hash %.1f cycles/packet "
	       "(%llu)\n",
	       (double)best[0] / r->n, (double)best[1] / r->n, (double)best[2] / r->n,
	       (unsigned long long)(sink & 1));
	free(pk);
}

int
main(int argc, char **argv)
{
	uint32_t flows = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 10000;
	unsigned int passes = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 0) : 50, i;
	struct dsr_conf *c = xalloc(sizeof(*c));
	char err[DSR_CMD_ERR_MAX];
	struct rig r4, r6;
	struct dsr_gen *g;
	uint64_t a = 0, b = 0;

	if (flows == 0 || flows > (1u << 22) || passes == 0) {
		fprintf(stderr, "usage: bench_fwd6 [FLOWS (1-4194304)] [PASSES]\n");
		return 2;
	}
	dsr_conf_init(c);
	for (i = 0; CONF[i] != NULL; i++)
		if (dsr_conf_apply_line(c, CONF[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "bench_fwd6: '%s': %s\n", CONF[i], err);
			return 2;
		}
	g = dsr_gen_build(c, 1, NULL, NULL);
	if (g == NULL)
		return 2;
	rig_init(&r4, g, flows, 0);
	rig_init(&r6, g, flows, 1);
	pass(&r4, 999, 0, &a, &b); /* the entries */
	pass(&r6, 999, 0, &a, &b);
	printf("%u flows, established; TSC cycles, least pass of %u\n", flows, passes);
	measure("ipv4", &r4, passes);
	measure("ipv6", &r6, passes);
	parts6(&r6, g, passes);
	dsr_gen_free(g);
	return 0;
}
