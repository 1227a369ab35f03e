/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_TEST_FWD_UTIL_H
#define DSR_TEST_FWD_UTIL_H

/*
 * Helpers of test_fwd.c and test_fwd_cases.c: the generations the tests
 * run under, a seeded PRNG, a rig (one worker's forwarding state, table
 * and counters), the general path on a burst, and a frame builder.
 * Functions are static inline: not every program uses every one.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_conf.h"
#include "dsr_ct.h"
#include "dsr_fwd.h"
#include "dsr_gen.h"
#include "dsr_pkt.h"
#include "dsr_stats.h"
#include "dsr_test.h"
#include "test_conf_lines.h"

#define TCP 6
#define UDP 17

#define NPORTS     3   /* ports 0 and 1 have a MAC; port 2 keeps the zero MAC */
#define CT_ENTRIES 128 /* small, so that the random test fills it */
#define BURST      32
#define FRAME_MAX  2048
#define NFLOWS     384
#define NHOT       24
#define NGENS      4
#define WALK_MAX   4096 /* entries a table walk records */

#define FIN DSR_TCP_FIN
#define SYN DSR_TCP_SYN
#define RST DSR_TCP_RST
#define PSH DSR_TCP_PSH
#define ACK DSR_TCP_ACK

/* clang-format off */
/* Generation A: the starting configuration. */
static const char *const conf_a[] = {
	"port 0 address 10.0.0.2/24",
	"port 0 kernel-interface dsr0", /* frames to 10.0.0.2 but no VIP on port 0: SLOW */
	"port 1 address 192.168.1.2/24",
	"timeout set tcp-syn 2",
	"timeout set tcp 10",
	"timeout set tcp-fin 3",
	"timeout set udp 5",
	"maglev size 251",
	"vip add 10.0.0.100:80/tcp", /* VIP 0 */
	"backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01 weight 100", /* 0 */
	"backend add 10.0.0.100:80/tcp 10.0.0.22 mac 02:00:00:00:b1:02 weight 50",  /* 1 */
	"backend add 10.0.0.100:80/tcp 10.0.0.25 mac 02:00:00:00:b1:05 weight 100", /* 2 */
	"backend add 10.0.0.100:80/tcp 10.0.0.23 weight 100", /* 3: MAC from mac_of() */
	"backend add 10.0.0.100:80/tcp 10.0.0.26 weight 30",  /* 4: MAC never known */
	"vip add 10.0.0.100:53/udp", /* VIP 1 */
	"backend add 10.0.0.100:53/udp 10.0.0.21 mac 02:00:00:00:b1:01", /* 5 */
	"backend add 10.0.0.100:53/udp 10.0.0.22 mac 02:00:00:00:b1:02", /* 6 */
	"vip add 192.168.1.100:443/tcp", /* VIP 2: drained, no backend for new flows */
	"backend add 192.168.1.100:443/tcp 192.168.1.50 mac 02:00:00:00:c1:50 weight 0", /* 7 */
	"vip add 10.0.0.101:8080/udp", /* VIP 3: no backend at all */
	NULL,
};

/*
 * Generation B: a live change on top of A. 10.0.0.22 goes (its id held, as
 * lib/lb does while entries name it), 10.0.0.23 loses its MAC, a backend
 * comes, the drained one takes flows again, a VIP goes, strict-syn is on
 * and timeouts change.
 */
static const char *const conf_b[] = {
	"backend del 10.0.0.100:80/tcp 10.0.0.22",
	"@hold 1",
	"backend add 10.0.0.100:80/tcp 10.0.0.24 mac 02:00:00:00:b1:04", /* 8 */
	"backend set 192.168.1.100:443/tcp 192.168.1.50 weight 10",
	"vip del 10.0.0.101:8080/udp",
	"strict-syn on",
	"icmp forward off",
	"timeout set tcp-syn 1",
	"timeout set tcp 4",
	"timeout set udp 1",
	NULL,
};

/*
 * Generation C: a different configuration from scratch, so that VIP and
 * backend ids change meaning (entries of A and B name backends that are
 * gone or belong to another VIP now). Default timeouts.
 */
static const char *const conf_c[] = {
	"port 0 address 10.0.0.2/24",
	"port 1 address 192.168.1.2/24",
	"maglev size 13",
	"vip add 10.0.0.100:53/udp", /* VIP 0 */
	"backend add 10.0.0.100:53/udp 10.0.0.22 mac 02:00:00:00:b1:02", /* 0 */
	"vip add 10.0.0.100:80/tcp", /* VIP 1 */
	"backend add 10.0.0.100:80/tcp 10.0.0.27 mac 02:00:00:00:b1:07", /* 1 */
	"backend add 10.0.0.100:80/tcp 10.0.0.23", /* 2: failed, MAC still known */
	"vip add 192.168.1.100:443/tcp", /* VIP 2 */
	"backend add 192.168.1.100:443/tcp 192.168.1.50 mac 02:00:00:00:c1:50", /* 3 */
	NULL,
};

/* clang-format on */

static const uint8_t port_mac[NPORTS][6] = {
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x02},
	{0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* never set */
};

static const uint8_t client_mac[6] = {0x02, 0xcc, 0x00, 0x00, 0x00, 0x01};

static struct dsr_gen *gens[NGENS];

/* Generation D: A, with health checks taking these backends down. */
#define DOWN_D_TCP 2
#define DOWN_D_UDP 5

/* Uniform random numbers: splitmix64, seeded per test. */
static uint64_t rng_state;

static inline uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint32_t
rnd_below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* A number from the environment (DSR_FWD_SEED, DSR_FWD_BURSTS), or dflt. */
static inline uint32_t
env_u32(const char *name, uint32_t dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? (uint32_t)strtoul(v, NULL, 0) : dflt;
}

/* An IPv4 address in network order. */
static inline uint32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t x[4] = {a, b, c, d};
	uint32_t ip;

	memcpy(&ip, x, 4);
	return ip;
}

static inline uint16_t
be16(uint16_t v)
{
	const uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	uint16_t r;

	memcpy(&r, x, 2);
	return r;
}

/*
 * lib/arp's part. 10.0.0.23: resolved in A, unknown in B, failed but
 * known in C. Every other address without a static MAC: unknown.
 */
static inline enum dsr_mac_lookup
mac_of(void *arg, uint32_t ip, uint8_t mac[6])
{
	static const uint8_t m23[6] = {0x02, 0x00, 0x00, 0x00, 0xb1, 0x03};
	const int *which = arg;

	if (ip != ip4(10, 0, 0, 23))
		return DSR_MAC_PENDING;
	if (*which == 1)
		return DSR_MAC_PENDING;
	memcpy(mac, m23, 6);
	return *which == 0 ? DSR_MAC_OK : DSR_MAC_LOST;
}

static inline int
load(struct dsr_conf *c, const char *const *lines)
{
	char err[2 * DSR_CMD_ERR_MAX];

	if (test_conf_lines(c, lines, err, sizeof(err)) != 0) {
		fprintf(stderr, "test_fwd: %s\n", err);
		return -1;
	}
	return 0;
}

static inline int
build_gens(void)
{
	static int which[NGENS] = {0, 1, 2, 0};
	static uint8_t down[DSR_MAX_BACKENDS];
	struct dsr_conf *c = malloc(sizeof(*c));
	int rc = -1;

	if (c == NULL)
		return -1;
	dsr_conf_init(c);
	if (load(c, conf_a) != 0 || (gens[0] = dsr_gen_build(c, 1, mac_of, &which[0])) == NULL)
		goto out;
	down[DOWN_D_TCP] = 1;
	down[DOWN_D_UDP] = 1;
	if ((gens[3] = dsr_gen_build_health(c, 4, mac_of, &which[0], down)) == NULL)
		goto out;
	if (load(c, conf_b) != 0 || (gens[1] = dsr_gen_build(c, 2, mac_of, &which[1])) == NULL)
		goto out;
	dsr_conf_init(c);
	if (load(c, conf_c) != 0 || (gens[2] = dsr_gen_build(c, 3, mac_of, &which[2])) == NULL)
		goto out;
	rc = 0;
out:
	free(c);
	return rc;
}

/* One worker's state: forwarding, table, counters. */
#define FRAG_ENTRIES 6 /* the fragment table's: two buckets, so that the random test fills them */

struct rig {
	struct dsr_fwd f;
	struct dsr_ct *ct;
	void *ct_mem;
	void *frag_mem;
	struct dsr_stats_lcore *st;
	struct dsr_ct6 *ct6; /* NULL unless rig_set_ct6() gave it one */
	void *ct6_mem;
};

/* Set up r with a table of entries (the test cannot go on without it: exits). */
static inline int
rig_init(struct rig *r, uint32_t entries)
{
	size_t size = (dsr_ct_mem_size(entries) + 63) & ~(size_t)63;
	unsigned int i;

	r->ct_mem = aligned_alloc(64, size);
	r->st = aligned_alloc(64, (sizeof(*r->st) + 63) & ~(size_t)63);
	r->ct = NULL;
	if (r->ct_mem != NULL && r->st != NULL)
		r->ct = dsr_ct_init(r->ct_mem, size, entries);
	if (r->ct == NULL) {
		fprintf(stderr, "test_fwd: cannot set up a table of %u entries\n", entries);
		exit(2);
	}
	memset(r->st, 0, sizeof(*r->st));
	dsr_fwd_init(&r->f, r->ct, r->st);
	size = (dsr_frag_mem_size(FRAG_ENTRIES) + 63) & ~(size_t)63;
	r->frag_mem = aligned_alloc(64, size);
	if (r->frag_mem == NULL) {
		fprintf(stderr, "test_fwd: cannot set up a fragment table\n");
		exit(2);
	}
	dsr_fwd_set_frag(&r->f, dsr_frag_init(r->frag_mem, size, FRAG_ENTRIES, 7));
	for (i = 0; i < 2; i++)
		dsr_fwd_set_port_mac(&r->f, (uint16_t)i, port_mac[i]);
	r->ct6 = NULL;
	r->ct6_mem = NULL;
	return 0;
}

/* Give r an IPv6 table of entries (IPv6 frames are dropped without one). */
static inline void
rig_set_ct6(struct rig *r, uint32_t entries)
{
	size_t size = (dsr_ct6_mem_size(entries) + 63) & ~(size_t)63;

	r->ct6_mem = aligned_alloc(64, size);
	r->ct6 = r->ct6_mem == NULL ? NULL : dsr_ct6_init(r->ct6_mem, size, entries);
	if (r->ct6 == NULL) {
		fprintf(stderr, "test_fwd: cannot set up an IPv6 table of %u entries\n", entries);
		exit(2);
	}
	dsr_fwd_set_ct6(&r->f, r->ct6);
}

static inline void
rig_free(struct rig *r)
{
	free(r->ct6_mem);
	free(r->ct_mem);
	free(r->frag_mem);
	free(r->st);
}

/* The general path on a burst, as dsr_fwd_frame() does it for one frame. */
static inline unsigned int
ref_burst(struct dsr_fwd *f, uint8_t *const frame[], const uint16_t len[], unsigned int n,
	  uint16_t port, uint32_t now, uint8_t verdict[])
{
	struct dsr_fwd_meta meta[DSR_FWD_BURST_MAX];
	uint64_t rx_bytes = 0, tx_bytes = 0;
	unsigned int i, ntx = 0;

	for (i = 0; i < n; i++) {
		rx_bytes += len[i];
		verdict[i] = (uint8_t)dsr_fwd_classify(f, frame[i], len[i], port, &meta[i]);
	}
	for (i = 0; i < n; i++) {
		if (verdict[i] != DSR_FWD_PENDING)
			continue;
		verdict[i] = (uint8_t)dsr_fwd_decide(f, frame[i], len[i], &meta[i], now);
		if (verdict[i] == DSR_FWD_TX) {
			ntx++;
			tx_bytes += len[i];
		}
	}
	dsr_fwd_count_rx(f, port, n, rx_bytes);
	dsr_fwd_count_fwd(f, ntx, tx_bytes);
	return ntx;
}

/* Frames. */

struct fb {
	uint8_t dst[6];
	unsigned int vlan; /* VLAN tags before the ethertype */
	uint16_t ethertype;
	uint8_t ver_ihl;
	uint16_t frag; /* flags and fragment offset */
	uint8_t ttl;
	uint8_t proto;
	uint32_t sip, dip; /* network order */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint8_t doff;          /* TCP data offset field, in words */
	unsigned int tcp_hlen; /* TCP header bytes written */
	unsigned int payload;
	int tot_adj;      /* added to the IPv4 total length */
	int udp_adj;      /* added to the UDP length */
	unsigned int pad; /* Ethernet padding after the IPv4 packet */
	int trunc;        /* >= 0: cut the frame to this length */
	int has_seq;      /* TCP: write seq (else the sequence number is random) */
	uint32_t seq;
	int has_id; /* write id as the IPv4 identification (else random) */
	uint16_t id;
	/*
	 * ICMP (proto 1): type and code; with quote, the message quotes an
	 * IPv4 header and 8 bytes of a packet qsip:qsport -> qdip:qdport
	 * (network order addresses, host order ports) of protocol qproto.
	 */
	uint8_t icmp_type, icmp_code;
	int quote;
	uint32_t qsip, qdip;
	uint16_t qsport, qdport;
	uint8_t qproto;
};

struct tflow {
	uint32_t sip, dip;
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t phase; /* where the flow's scripted TCP flags are */
	uint32_t seq;  /* test_fwd: the client's next sequence number */
};

static inline void
fb_init(struct fb *b, uint16_t port, const struct tflow *t, uint8_t flags)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->dst, port_mac[port < NPORTS ? port : 0], 6);
	b->ethertype = 0x0800;
	b->ver_ihl = 0x45;
	b->ttl = 64;
	b->proto = t->proto;
	b->sip = t->sip;
	b->dip = t->dip;
	b->sport = t->sport;
	b->dport = t->dport;
	b->tcp_flags = flags;
	b->doff = 5;
	b->tcp_hlen = 20;
	b->trunc = -1;
	/* One sequence number per flow, so that its RSTs are in window. */
	b->has_seq = 1;
	b->seq = 0x10000000u ^ (t->sip * 2654435761u) ^ ((uint32_t)t->sport << 8);
}

static inline void
put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
fill_rnd(uint8_t *p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* An ICMP header of b's type and code, then the packet it quotes: 36 bytes at l4. */
static inline void
fb_icmp_quote(const struct fb *b, uint8_t *l4)
{
	uint8_t *q = l4 + 8;

	l4[0] = b->icmp_type;
	l4[1] = b->icmp_code;
	fill_rnd(l4 + 2, 6);
	memset(q, 0, 28);
	q[0] = 0x45;
	put16(q + 2, 1500);
	q[8] = 63;
	q[9] = b->qproto;
	memcpy(q + 12, &b->qsip, 4);
	memcpy(q + 16, &b->qdip, 4);
	put16(q + 20, b->qsport);
	put16(q + 22, b->qdport);
	fill_rnd(q + 24, 4);
}

/* Write the frame b describes into buf (FRAME_MAX bytes). @return its length. */
static inline uint16_t
fb_build(const struct fb *b, uint8_t *buf)
{
	unsigned int off = 12, i, hl, l4len, total;
	uint8_t *ip, *l4;
	long tot;

	memcpy(buf, b->dst, 6);
	memcpy(buf + 6, client_mac, 6);
	for (i = 0; i < b->vlan; i++) {
		put16(buf + off, 0x8100);
		put16(buf + off + 2, 100 + i);
		off += 4;
	}
	put16(buf + off, b->ethertype);
	off += 2;
	if (b->ethertype == 0x0806) {
		/* An ARP request. */
		put16(buf + off, 1);
		put16(buf + off + 2, 0x0800);
		buf[off + 4] = 6;
		buf[off + 5] = 4;
		put16(buf + off + 6, 1);
		memcpy(buf + off + 8, client_mac, 6);
		memcpy(buf + off + 14, &b->sip, 4);
		memset(buf + off + 18, 0, 6);
		memcpy(buf + off + 24, &b->dip, 4);
		total = off + 28;
	} else if (b->ethertype != 0x0800) {
		fill_rnd(buf + off, 46);
		total = off + 46;
	} else {
		ip = buf + off;
		hl = (b->ver_ihl & 15) >= 5 ? (b->ver_ihl & 15) * 4u : 20u;
		ip[0] = b->ver_ihl;
		ip[1] = 0;
		i = (unsigned int)rnd(); /* drawn even when unused: the stream stays the same */
		put16(ip + 4, b->has_id ? b->id : i);
		put16(ip + 6, b->frag);
		ip[8] = b->ttl;
		ip[9] = b->proto;
		put16(ip + 10, (unsigned int)rnd());
		memcpy(ip + 12, &b->sip, 4);
		memcpy(ip + 16, &b->dip, 4);
		for (i = 20; i < hl; i++)
			ip[i] = (i & 3) == 0 ? 0x01 : (uint8_t)(i * 37); /* NOPs and junk */
		l4 = ip + hl;
		if (b->proto == TCP) {
			put16(l4, b->sport);
			put16(l4 + 2, b->dport);
			fill_rnd(l4 + 4, 8);
			if (b->has_seq) {
				put16(l4 + 4, b->seq >> 16);
				put16(l4 + 6, b->seq & 0xffff);
			}
			l4[12] = (uint8_t)(b->doff << 4);
			l4[13] = b->tcp_flags;
			fill_rnd(l4 + 14, 6);
			for (i = 20; i < b->tcp_hlen; i++)
				l4[i] = 0x01;
			l4len = b->tcp_hlen;
		} else if (b->proto == UDP) {
			put16(l4, b->sport);
			put16(l4 + 2, b->dport);
			put16(l4 + 4, (unsigned int)(8 + (int)b->payload + b->udp_adj) & 0xffff);
			fill_rnd(l4 + 6, 2);
			l4len = 8;
		} else if (b->proto == 1 && b->quote) {
			fb_icmp_quote(b, l4);
			l4len = 8 + 28;
		} else {
			fill_rnd(l4, 8);
			l4len = 8;
		}
		fill_rnd(l4 + l4len, b->payload);
		tot = (long)(hl + l4len + b->payload) + b->tot_adj;
		if (tot < 0)
			tot = 0;
		put16(ip + 2, (unsigned int)tot & 0xffff);
		total = off + hl + l4len + b->payload;
	}
	memset(buf + total, 0, b->pad);
	total += b->pad;
	if (b->trunc >= 0 && (unsigned int)b->trunc < total)
		total = (unsigned int)b->trunc;
	return (uint16_t)total;
}

/* A flow of the directed cases. */
static inline struct tflow
mkflow(uint32_t sip, uint16_t sport, uint32_t dip, uint16_t dport, uint8_t proto)
{
	return (struct tflow){
		.sip = sip, .dip = dip, .sport = sport, .dport = dport, .proto = proto};
}

/* Build the generations, run the cases, free the generations. @return the exit status. */
static inline int
fwd_test_main(const struct dsr_test_case *cases, unsigned int n)
{
	unsigned int i;
	int rc;

	if (build_gens() != 0) {
		fprintf(stderr, "test_fwd: cannot build the generations\n");
		return 1;
	}
	rc = dsr_test_run(cases, n);
	for (i = 0; i < NGENS; i++)
		dsr_gen_free(gens[i]);
	return rc;
}

#endif /* DSR_TEST_FWD_UTIL_H */
