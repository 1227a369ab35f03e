/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/fwd with IPv6 (fwd6.c), directed cases: a TCP flow to an IPv6 VIP
 * forwarded with only the MACs changed and pinned to its backend by the
 * IPv6 table; RST eviction; the Maglev choice without an entry agreeing
 * with the entry's; every IPv6 malformed reason, hop limit, martians,
 * not-VIP; fragments (the first as a packet of its flow, later ones
 * after it, without it by the one-backend guess, expiry, eviction, atomic
 * ones, every drop); ICMPv6 errors to the flow's backend; echo and
 * neighbour discovery to the main lcore; no IPv6 table: not-ipv4.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_conf.h"
#include "dsr_ct6.h"
#include "dsr_frag.h"
#include "dsr_fwd.h"
#include "dsr_gen.h"
#include "dsr_pkt6.h"
#include "dsr_stats.h"
#include "dsr_test.h"
#include "test_conf_util.h"

#define CT6_ENTRIES  1024
#define FRAG_ENTRIES 1024

static const uint8_t PORT_MAC[6] = {0x02, 0x70, 0x63, 0x61, 0x70, 0x00};
static const uint8_t CLIENT_MAC[6] = {0x02, 0, 0, 0, 0xc1, 0x01};
static const uint8_t VIP[16] = {0xfd, 0, 0, 1, [14] = 1, [15] = 0};    /* fd00:1::100 */
static const uint8_t CLIENT[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 10}; /* 2001:db8::a */

struct rig6 {
	struct dsr_fwd f;
	struct dsr_stats_lcore *st;
	void *ct_mem, *ct6_mem, *frag_mem;
	struct dsr_gen *g;
};

static void
rig6_init(struct rig6 *r, struct dsr_gen *g, int with_ct6)
{
	size_t s4 = (dsr_ct_mem_size(1024) + 63) & ~(size_t)63;
	size_t s6 = (dsr_ct6_mem_size(CT6_ENTRIES) + 63) & ~(size_t)63;
	size_t sf = (dsr_frag_mem_size(FRAG_ENTRIES) + 63) & ~(size_t)63;

	r->st = aligned_alloc(64, (sizeof(*r->st) + 63) & ~(size_t)63);
	r->ct_mem = aligned_alloc(64, s4);
	r->ct6_mem = aligned_alloc(64, s6);
	r->frag_mem = aligned_alloc(64, sf);
	if (r->st == NULL || r->ct_mem == NULL || r->ct6_mem == NULL || r->frag_mem == NULL)
		exit(2);
	memset(r->st, 0, sizeof(*r->st));
	dsr_fwd_init(&r->f, dsr_ct_init(r->ct_mem, s4, 1024), r->st);
	if (with_ct6)
		dsr_fwd_set_ct6(&r->f, dsr_ct6_init(r->ct6_mem, s6, CT6_ENTRIES));
	dsr_fwd_set_frag(&r->f, dsr_frag_init(r->frag_mem, sf, FRAG_ENTRIES, 5));
	dsr_fwd_set_port_mac(&r->f, 0, PORT_MAC);
	r->g = g;
	dsr_fwd_begin(&r->f, g);
}

static void
rig6_free(struct rig6 *r)
{
	free(r->st);
	free(r->ct_mem);
	free(r->ct6_mem);
	free(r->frag_mem);
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * An IPv6 frame from src to dst: nh after the fixed header, ext (already
 * chained, its own next headers set by the caller) of next_ext bytes,
 * then l4 bytes (l4n). Returns the length.
 */
static uint32_t
frame6(uint8_t *buf, const uint8_t src[16], const uint8_t dst[16], uint8_t nh, uint8_t hlim,
       const uint8_t *ext, uint32_t extn, const uint8_t *l4, uint32_t l4n)
{
	memcpy(buf, PORT_MAC, 6);
	memcpy(buf + 6, CLIENT_MAC, 6);
	put16(buf + 12, DSR_ETHERTYPE_IPV6);
	memset(buf + 14, 0, 40);
	buf[14] = 0x60;
	put16(buf + 18, extn + l4n);
	buf[20] = nh;
	buf[21] = hlim;
	memcpy(buf + 22, src, 16);
	memcpy(buf + 38, dst, 16);
	if (extn > 0) /* ext may be NULL then */
		memcpy(buf + 54, ext, extn);
	memcpy(buf + 54 + extn, l4, l4n);
	return 54 + extn + l4n;
}

/* A TCP header (20 bytes) from sport to dport with flags and seq. */
static void
tcp_hdr(uint8_t *t, uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq)
{
	memset(t, 0, 20);
	put16(t, sport);
	put16(t + 2, dport);
	put16(t + 4, seq >> 16);
	put16(t + 6, seq & 0xffff);
	t[12] = 5 << 4;
	t[13] = flags;
}

static uint32_t
tcp6(uint8_t *buf, const uint8_t src[16], uint16_t sport, uint8_t flags, uint32_t seq)
{
	uint8_t t[20];

	tcp_hdr(t, sport, 80, flags, seq);
	return frame6(buf, src, VIP, DSR_IPPROTO_TCP, 64, NULL, 0, t, sizeof(t));
}

static struct dsr_gen *
gen6(void)
{
	struct dsr_conf *c = conf_new();
	struct dsr_gen *g;

	APPLY_OK(c, "maglev size 251");
	APPLY_OK(c, "port 0 address fd00::2/64");
	APPLY_OK(c, "vip add [fd00:1::100]:80/tcp");
	APPLY_OK(c, "backend add [fd00:1::100]:80/tcp fd00::21 mac 02:00:00:00:06:21");
	APPLY_OK(c, "backend add [fd00:1::100]:80/tcp fd00::22 mac 02:00:00:00:06:22");
	APPLY_OK(c, "vip add [fd00:1::100]:53/udp");
	APPLY_OK(c, "backend add [fd00:1::100]:53/udp fd00::23 mac 02:00:00:00:06:23");
	g = dsr_gen_build(c, 1, NULL, NULL);
	free(c);
	if (g == NULL)
		exit(2);
	return g;
}

static enum dsr_fwd_verdict
one(struct rig6 *r, uint8_t *buf, uint32_t len, uint32_t now)
{
	return dsr_fwd_frame(&r->f, buf, len, 0, now);
}

/* The backend MAC a frame went to (its last byte: 0x21, 0x22 or 0x23). */
static int
to(const uint8_t *buf)
{
	return buf[0] == 0x02 && buf[4] == 0x06 ? buf[5] : -1;
}

static void
test_flow(void)
{
	struct dsr_gen *g = gen6();
	struct rig6 a, b;
	uint8_t buf[256], orig[256];
	uint32_t len, i, n21 = 0;
	int be;

	rig6_init(&a, g, 1);
	rig6_init(&b, g, 1);
	len = tcp6(buf, CLIENT, 40000, DSR_TCP_SYN, 1000);
	memcpy(orig, buf, len);
	CHECK_EQ(one(&a, buf, len, 10), DSR_FWD_TX);
	be = to(buf);
	CHECK(be == 0x21 || be == 0x22);
	/* Only the Ethernet addresses changed. */
	CHECK(memcmp(buf + 6, PORT_MAC, 6) == 0);
	CHECK(memcmp(buf + 12, orig + 12, len - 12) == 0);
	CHECK_EQ(dsr_ct6_count(a.f.ct6), 1);
	CHECK_EQ(a.st->event[DSR_EV_CT_NEW], 1);
	/* Another worker without the entry (mid-flow pickup) chooses the same backend. */
	len = tcp6(buf, CLIENT, 40000, DSR_TCP_ACK, 1001);
	CHECK_EQ(one(&b, buf, len, 10), DSR_FWD_TX);
	CHECK_EQ(to(buf), be);
	CHECK_EQ(b.st->event[DSR_EV_CT_MIDFLOW], 1);
	/* The flow stays on its backend; an RST in window removes the entry. */
	for (i = 0; i < 5; i++) {
		len = tcp6(buf, CLIENT, 40000, DSR_TCP_ACK, 1001);
		CHECK_EQ(one(&a, buf, len, 20 + i), DSR_FWD_TX);
		CHECK_EQ(to(buf), be);
	}
	len = tcp6(buf, CLIENT, 40000, DSR_TCP_RST, 1001);
	CHECK_EQ(one(&a, buf, len, 30), DSR_FWD_TX);
	CHECK_EQ(dsr_ct6_count(a.f.ct6), 0);
	CHECK_EQ(a.st->event[DSR_EV_CT_RST], 1);
	CHECK_EQ(a.st->backend[0].active + a.st->backend[1].active, 0);
	/* Many flows spread over both backends. */
	for (i = 0; i < 200; i++) {
		uint8_t src[16];

		memcpy(src, CLIENT, 16);
		src[14] = (uint8_t)(i >> 8);
		src[15] = (uint8_t)i;
		len = tcp6(buf, src, (uint16_t)(1024 + i), DSR_TCP_SYN, 1);
		CHECK_EQ(one(&a, buf, len, 40), DSR_FWD_TX);
		n21 += to(buf) == 0x21;
	}
	CHECK(n21 > 50 && n21 < 150);
	CHECK_EQ(dsr_ct6_count(a.f.ct6), 200);
	CHECK_EQ(a.st->vip[0].new_conns, 201);
	rig6_free(&a);
	rig6_free(&b);
	dsr_gen_free(g);
}

static void
test_drops(void)
{
	struct dsr_gen *g = gen6();
	struct rig6 a;
	uint8_t buf[512], t[20], ext[80];
	uint8_t src[16];
	uint32_t len, i;

	rig6_init(&a, g, 1);
	tcp_hdr(t, 40000, 80, DSR_TCP_SYN, 1);
	/* ipv6-truncated: the TCP header cut short (payload length honest). */
	len = frame6(buf, CLIENT, VIP, DSR_IPPROTO_TCP, 64, NULL, 0, t, 12);
	CHECK_EQ(one(&a, buf, len, 1), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_TRUNCATED], 1);
	/* ipv6-version */
	len = frame6(buf, CLIENT, VIP, DSR_IPPROTO_TCP, 64, NULL, 0, t, 20);
	buf[14] = 0x40;
	CHECK_EQ(one(&a, buf, len, 1), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_VERSION], 1);
	/* ipv6-payload-length: beyond the frame */
	len = frame6(buf, CLIENT, VIP, DSR_IPPROTO_TCP, 64, NULL, 0, t, 20);
	put16(buf + 18, 200);
	CHECK_EQ(one(&a, buf, len, 1), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_PAYLOAD_LEN], 1);
	/* ipv6-ext-chain: two fragment headers */
	memset(ext, 0, sizeof(ext));
	ext[0] = DSR_IPPROTO_FRAGMENT;
	ext[8] = DSR_IPPROTO_TCP;
	len = frame6(buf, CLIENT, VIP, DSR_IPPROTO_FRAGMENT, 64, ext, 16, t, 20);
	CHECK_EQ(one(&a, buf, len, 1), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_EXT_CHAIN], 1);
	/* ipv6-ext-many: nine destination options headers */
	memset(ext, 0, sizeof(ext));
	for (i = 0; i < 9; i++)
		ext[8 * i] = i < 8 ? DSR_IPPROTO_DSTOPTS : DSR_IPPROTO_TCP;
	len = frame6(buf, CLIENT, VIP, DSR_IPPROTO_DSTOPTS, 64, ext, 72, t, 20);
	CHECK_EQ(one(&a, buf, len, 1), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_EXT_MANY], 1);
	/* ipv6-hbh-not-first */
	memset(ext, 0, sizeof(ext));
	ext[0] = DSR_IPPROTO_HOPOPTS;
	ext[8] = DSR_IPPROTO_TCP;
	len = frame6(buf, CLIENT, VIP, DSR_IPPROTO_DSTOPTS, 64, ext, 16, t, 20);
	CHECK_EQ(one(&a, buf, len, 1), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_HOPOPTS_NOT_FIRST], 1);
	/* ipv6-l4-header: data offset below 20 */
	t[12] = 4 << 4;
	len = frame6(buf, CLIENT, VIP, DSR_IPPROTO_TCP, 64, NULL, 0, t, 20);
	CHECK_EQ(one(&a, buf, len, 1), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_L4_HEADER], 1);
	t[12] = 5 << 4;
	/* A good chain of extension headers is forwarded. */
	memset(ext, 0, sizeof(ext));
	ext[0] = DSR_IPPROTO_DSTOPTS;
	ext[8] = DSR_IPPROTO_TCP;
	len = frame6(buf, CLIENT, VIP, DSR_IPPROTO_HOPOPTS, 64, ext, 16, t, 20);
	CHECK_EQ(one(&a, buf, len, 1), DSR_FWD_TX);
	/* hop limit, not-vip, martians, fragments */
	len = frame6(buf, CLIENT, VIP, DSR_IPPROTO_TCP, 1, NULL, 0, t, 20);
	CHECK_EQ(one(&a, buf, len, 1), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_TTL], 1);
	tcp_hdr(t, 40000, 81, DSR_TCP_SYN, 1);
	len = frame6(buf, CLIENT, VIP, DSR_IPPROTO_TCP, 64, NULL, 0, t, 20);
	CHECK_EQ(one(&a, buf, len, 1), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_NOT_VIP], 1);
	tcp_hdr(t, 40000, 80, DSR_TCP_SYN, 1);
	{
		static const uint8_t bad[4][16] = {
			{[15] = 1}, {0xff, 0x02, [15] = 1}, {0xfe, 0x80, [15] = 1}, {0}};

		for (i = 0; i < 5; i++) {
			memcpy(src, i < 4 ? bad[i] : VIP, 16);
			if (i == 3)
				memcpy(src, (const uint8_t[16]){0xfd, [15] = 2},
				       16); /* port address */
			len = frame6(buf, src, VIP, DSR_IPPROTO_TCP, 64, NULL, 0, t, 20);
			CHECK_EQ(one(&a, buf, len, 1), DSR_FWD_DROP);
		}
	}
	CHECK_EQ(a.st->drop[DSR_DROP_MARTIAN], 5);
	memset(ext, 0, sizeof(ext));
	ext[0] = DSR_IPPROTO_TCP;
	ext[3] = 1; /* more fragments: a first fragment, its data a multiple of 8 bytes */
	memcpy(ext + 8, t, 20);
	memset(ext + 28, 0, 4);
	len = frame6(buf, CLIENT, VIP, DSR_IPPROTO_FRAGMENT, 64, ext, 8, ext + 8, 24);
	CHECK_EQ(one(&a, buf, len, 1), DSR_FWD_TX); /* test_frag6 has the rest */
	CHECK_EQ(a.st->event[DSR_EV_FRAG_TRACKED], 1);
	CHECK_EQ(dsr_ct6_count(a.f.ct6), 1); /* the good chain's flow, the fragment's too */
	rig6_free(&a);
	/* Without an IPv6 table IPv6 is not served. */
	rig6_init(&a, g, 0);
	len = tcp6(buf, CLIENT, 40000, DSR_TCP_SYN, 1);
	CHECK_EQ(one(&a, buf, len, 1), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_NOT_IPV4], 1);
	rig6_free(&a);
	dsr_gen_free(g);
}

/*
 * A fragment from src to dst of protocol nh, datagram id, at byte offset
 * off (a multiple of 8), more to come or not, carrying n bytes of data.
 */
static uint32_t
frag6(uint8_t *buf, const uint8_t src[16], const uint8_t dst[16], uint8_t nh, uint32_t id,
      uint32_t off, int more, const uint8_t *data, uint32_t n)
{
	uint8_t fh[8] = {nh};

	put16(fh + 2, off | (more ? 1u : 0u));
	put16(fh + 4, id >> 16);
	put16(fh + 6, id & 0xffff);
	return frame6(buf, src, dst, DSR_IPPROTO_FRAGMENT, 64, fh, 8, data, n);
}

/* A first fragment of a TCP SYN (header whole, 24 bytes) from src:sport, datagram id. */
static uint32_t
first6(uint8_t *buf, const uint8_t src[16], uint16_t sport, uint32_t id)
{
	uint8_t t[24] = {0};

	tcp_hdr(t, sport, 80, DSR_TCP_SYN, 1);
	return frag6(buf, src, VIP, DSR_IPPROTO_TCP, id, 0, 1, t, sizeof(t));
}

/* A later fragment (offset 24, the last) of TCP datagram id from src. */
static uint32_t
later6(uint8_t *buf, const uint8_t src[16], uint8_t nh, uint32_t id)
{
	static const uint8_t data[16] = {1, 2, 3, 4, 5, 6, 7, 8};

	return frag6(buf, src, VIP, nh, id, 24, 0, data, sizeof(data));
}

/*
 * Later fragments of datagram id from src without their first: TCP (two
 * backends) dropped, the nofirst-th frag-no-first; UDP (one service, one
 * backend) guessed.
 */
static void
no_first(struct rig6 *r, const uint8_t src[16], uint32_t id, uint32_t now, uint64_t nofirst)
{
	uint8_t buf[256];
	uint32_t len = later6(buf, src, DSR_IPPROTO_TCP, id);

	CHECK_EQ(one(r, buf, len, now), DSR_FWD_DROP);
	CHECK_EQ(r->st->drop[DSR_DROP_FRAG_NO_FIRST], nofirst);
	len = later6(buf, src, DSR_IPPROTO_UDP, id);
	CHECK_EQ(one(r, buf, len, now), DSR_FWD_TX);
	CHECK_EQ(to(buf), 0x23);
}

static void
test_frag6(void)
{
	struct dsr_gen *g = gen6();
	struct rig6 a;
	uint8_t buf[256], orig[256], src[16];
	uint32_t len, i, seen[2] = {0, 0};
	int be;

	rig6_init(&a, g, 1);
	/* The first fragment: a packet of its flow (an entry), its datagram remembered. */
	len = first6(buf, CLIENT, 42000, 0x80000001);
	CHECK_EQ(one(&a, buf, len, 100), DSR_FWD_TX);
	be = to(buf);
	CHECK(be == 0x21 || be == 0x22);
	CHECK_EQ(dsr_ct6_count(a.f.ct6), 1);
	CHECK_EQ(a.st->event[DSR_EV_FRAG_TRACKED], 1);
	CHECK_EQ(a.st->event[DSR_EV_FRAG_FWD], 1);
	CHECK_EQ(dsr_frag_count(a.f.frag), 1);
	/* Its later fragment follows it, only the MACs changed, counted on its VIP. */
	len = later6(buf, CLIENT, DSR_IPPROTO_TCP, 0x80000001);
	memcpy(orig, buf, len);
	CHECK_EQ(one(&a, buf, len, 200), DSR_FWD_TX);
	CHECK_EQ(to(buf), be);
	CHECK(memcmp(buf + 6, PORT_MAC, 6) == 0);
	CHECK(memcmp(buf + 12, orig + 12, len - 12) == 0);
	CHECK_EQ(a.st->event[DSR_EV_FRAG_FWD], 2);
	CHECK_EQ(a.st->vip[0].pkts, 2);
	/* Another id (all 32 bits count) is another datagram: no first. */
	no_first(&a, CLIENT, 0x00000001, 200, 1);
	CHECK_EQ(a.st->event[DSR_EV_FRAG_GUESSED], 1);
	/* Many datagrams: each later fragment goes where its first went, on both backends. */
	memcpy(src, CLIENT, 16);
	for (i = 0; i < 64; i++) {
		src[15] = (uint8_t)(20 + i);
		len = first6(buf, src, (uint16_t)(1024 + i), 1000 + i);
		CHECK_EQ(one(&a, buf, len, 300), DSR_FWD_TX);
		be = to(buf);
		seen[be == 0x22]++;
		len = later6(buf, src, DSR_IPPROTO_TCP, 1000 + i);
		CHECK_EQ(one(&a, buf, len, 301), DSR_FWD_TX);
		CHECK_EQ(to(buf), be);
	}
	CHECK(seen[0] > 0 && seen[1] > 0);
	CHECK_EQ(a.st->event[DSR_EV_FRAG_TRACKED], 65);
	/* Expired: the first went at 100, the default timeout is 2 s. */
	len = later6(buf, CLIENT, DSR_IPPROTO_TCP, 0x80000001);
	CHECK_EQ(one(&a, buf, len, 2100), DSR_FWD_DROP);
	CHECK_EQ(a.st->event[DSR_EV_FRAG_EXPIRED], 1);
	CHECK_EQ(a.st->drop[DSR_DROP_FRAG_NO_FIRST], 2);
	/* An atomic fragment (offset 0, no more) is a whole packet: not remembered. */
	{
		uint8_t t[20];

		tcp_hdr(t, 43000, 80, DSR_TCP_SYN, 1);
		len = frag6(buf, CLIENT, VIP, DSR_IPPROTO_TCP, 9, 0, 0, t, sizeof(t));
		CHECK_EQ(one(&a, buf, len, 2100), DSR_FWD_TX);
		CHECK_EQ(a.st->event[DSR_EV_FRAG_TRACKED], 65);
	}
	/* Other protocols' fragments, to another address, from a martian. */
	len = later6(buf, CLIENT, 50, 1);
	CHECK_EQ(one(&a, buf, len, 2100), DSR_FWD_DROP);
	len = frag6(buf, CLIENT, VIP, DSR_IPPROTO_ICMPV6, 2, 0, 1, orig, 16);
	CHECK_EQ(one(&a, buf, len, 2100), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_FRAGMENT], 2);
	len = frag6(buf, CLIENT, (const uint8_t[16]){0xfd, 0, 0, 1, [14] = 1, [15] = 1},
		    DSR_IPPROTO_TCP, 1000, 24, 0, orig, 16);
	CHECK_EQ(one(&a, buf, len, 2100), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_NOT_VIP], 1);
	len = later6(buf, (const uint8_t[16]){0xfe, 0x80, [15] = 1}, DSR_IPPROTO_UDP, 3);
	CHECK_EQ(one(&a, buf, len, 2100), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_MARTIAN], 1);
	rig6_free(&a);
	dsr_gen_free(g);
}

/*
 * Fragments to the IPv6 address of a port with a kernel interface are the
 * kernel's (it reassembles them), as IPv4's: later ones without a first,
 * other protocols' and those to no VIP; a VIP on that address still has
 * its datagrams followed. Elsewhere they are dropped. So is hop limit 1,
 * but not to the kernel (eBGP sends it).
 */
static void
test_frag6_kernel(void)
{
	static const uint8_t PORT_IP[16] = {0xfd, [15] = 2};  /* fd00::2 */
	static const uint8_t OTHER_IP[16] = {0xfd, [15] = 3}; /* fd00::3 */
	static const uint8_t data[16] = {1, 2, 3, 4};
	struct dsr_conf *c = conf_new();
	struct dsr_gen *g;
	struct rig6 a;
	uint8_t buf[256], t[24] = {0};
	uint32_t len;
	int be;

	APPLY_OK(c, "maglev size 251");
	APPLY_OK(c, "port 0 address fd00::2/64");
	APPLY_OK(c, "port 0 kernel-interface dsr0");
	APPLY_OK(c, "vip add [fd00::2]:443/tcp");
	APPLY_OK(c, "backend add [fd00::2]:443/tcp fd00::21 mac 02:00:00:00:06:21");
	APPLY_OK(c, "backend add [fd00::2]:443/tcp fd00::22 mac 02:00:00:00:06:22");
	APPLY_OK(c, "vip add [fd00:1::100]:80/tcp");
	APPLY_OK(c, "backend add [fd00:1::100]:80/tcp fd00::21 mac 02:00:00:00:06:21");
	g = dsr_gen_build(c, 1, NULL, NULL);
	free(c);
	if (g == NULL)
		exit(2);
	rig6_init(&a, g, 1);
	/* A UDP datagram to the port (no VIP there): both fragments to the kernel. */
	put16(t + 4, 4000); /* the UDP length: the whole datagram's */
	len = frag6(buf, CLIENT, PORT_IP, DSR_IPPROTO_UDP, 7, 0, 1, t, sizeof(t));
	CHECK_EQ(one(&a, buf, len, 100), DSR_FWD_SLOW);
	len = frag6(buf, CLIENT, PORT_IP, DSR_IPPROTO_UDP, 7, 24, 0, data, sizeof(data));
	CHECK_EQ(one(&a, buf, len, 100), DSR_FWD_SLOW);
	/* A fragmented echo request to the port: the kernel's. */
	len = frag6(buf, CLIENT, PORT_IP, DSR_IPPROTO_ICMPV6, 8, 0, 1, t, sizeof(t));
	CHECK_EQ(one(&a, buf, len, 100), DSR_FWD_SLOW);
	/* A later TCP fragment without its first, to the VIP on the port's address. */
	len = frag6(buf, CLIENT, PORT_IP, DSR_IPPROTO_TCP, 9, 24, 0, data, sizeof(data));
	CHECK_EQ(one(&a, buf, len, 100), DSR_FWD_SLOW);
	CHECK_EQ(a.st->event[DSR_EV_TO_KERNEL], 4);
	CHECK_EQ(a.st->drop[DSR_DROP_FRAG_NO_FIRST], 0);
	/* That VIP's own datagram: its first is forwarded, its later fragment follows. */
	tcp_hdr(t, 42000, 443, DSR_TCP_SYN, 1);
	len = frag6(buf, CLIENT, PORT_IP, DSR_IPPROTO_TCP, 10, 0, 1, t, sizeof(t));
	CHECK_EQ(one(&a, buf, len, 100), DSR_FWD_TX);
	be = to(buf);
	CHECK(be == 0x21 || be == 0x22);
	len = frag6(buf, CLIENT, PORT_IP, DSR_IPPROTO_TCP, 10, 24, 0, data, sizeof(data));
	CHECK_EQ(one(&a, buf, len, 100), DSR_FWD_TX);
	CHECK_EQ(to(buf), be);
	/* Not the kernel's: another VIP's address, an address that is nobody's. */
	len = frag6(buf, CLIENT, VIP, DSR_IPPROTO_ICMPV6, 11, 0, 1, t, sizeof(t));
	CHECK_EQ(one(&a, buf, len, 100), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_FRAGMENT], 1);
	len = frag6(buf, CLIENT, OTHER_IP, DSR_IPPROTO_UDP, 12, 24, 0, data, sizeof(data));
	CHECK_EQ(one(&a, buf, len, 100), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_NOT_VIP], 1);
	CHECK_EQ(a.st->event[DSR_EV_TO_KERNEL], 4);
	/* Hop limit 1 (eBGP's) to the port's address is the kernel's; to a VIP, dropped. */
	tcp_hdr(t, 40000, 179, DSR_TCP_SYN, 1);
	len = frame6(buf, OTHER_IP, PORT_IP, DSR_IPPROTO_TCP, 1, NULL, 0, t, 20);
	CHECK_EQ(one(&a, buf, len, 100), DSR_FWD_SLOW);
	CHECK_EQ(a.st->event[DSR_EV_TO_KERNEL], 5);
	len = frame6(buf, OTHER_IP, VIP, DSR_IPPROTO_TCP, 1, NULL, 0, t, 20);
	CHECK_EQ(one(&a, buf, len, 100), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_TTL], 1);
	rig6_free(&a);
	dsr_gen_free(g);
}

/* A full fragment table evicts its oldest datagram, IPv4's and IPv6's alike. */
static void
test_frag6_evict(void)
{
	static uint8_t mem[4096] __attribute__((aligned(64)));
	struct dsr_gen *g = gen6();
	struct rig6 a;
	uint8_t buf[256], src[16];
	uint32_t len, i;

	rig6_init(&a, g, 1);
	dsr_fwd_set_frag(&a.f, dsr_frag_init(mem, sizeof(mem), 3, 1)); /* one bucket */
	dsr_fwd_begin(&a.f, g);
	memcpy(src, CLIENT, 16);
	for (i = 0; i < 4; i++) {
		src[15] = (uint8_t)(30 + i);
		len = first6(buf, src, 2000, 50 + i);
		CHECK_EQ(one(&a, buf, len, 10 * i), DSR_FWD_TX);
	}
	CHECK_EQ(a.st->event[DSR_EV_FRAG_EVICTED], 1);
	src[15] = 30; /* the oldest: gone */
	len = later6(buf, src, DSR_IPPROTO_TCP, 50);
	CHECK_EQ(one(&a, buf, len, 40), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_FRAG_NO_FIRST], 1);
	src[15] = 33;
	len = later6(buf, src, DSR_IPPROTO_TCP, 53);
	CHECK_EQ(one(&a, buf, len, 40), DSR_FWD_TX);
	/* Past the timeout a new datagram takes an expired slot. */
	src[15] = 34;
	len = first6(buf, src, 2000, 54);
	CHECK_EQ(one(&a, buf, len, 5000), DSR_FWD_TX);
	CHECK_EQ(a.st->event[DSR_EV_FRAG_EXPIRED], 1);
	/* Without a fragment table, later fragments go by the address alone. */
	dsr_fwd_set_frag(&a.f, NULL);
	no_first(&a, src, 54, 5000, 2);
	CHECK_EQ(a.st->event[DSR_EV_FRAG_GUESSED], 1);
	rig6_free(&a);
	dsr_gen_free(g);
}

/* An ICMPv6 message of type/code quoting VIP:80 -> CLIENT:cport over TCP. */
static uint32_t
icmp6_err(uint8_t *buf, uint8_t type, uint16_t cport, uint32_t quote)
{
	static const uint8_t router[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	uint8_t m[8 + 40 + 20];

	memset(m, 0, sizeof(m));
	m[0] = type;
	m[4] = 0;
	m[6] = 0x05; /* MTU 1280 for packet too big */
	m[8] = 0x60;
	put16(m + 8 + 4, 20);
	m[8 + 6] = DSR_IPPROTO_TCP;
	m[8 + 7] = 63;
	memcpy(m + 8 + 8, VIP, 16);
	memcpy(m + 8 + 24, CLIENT, 16);
	tcp_hdr(m + 48, 80, cport, DSR_TCP_ACK, 1);
	return frame6(buf, router, VIP, DSR_IPPROTO_ICMPV6, 64, NULL, 0, m, quote);
}

static void
test_icmp6(void)
{
	struct dsr_gen *g = gen6();
	struct rig6 a, b;
	uint8_t buf[256], ns[32];
	uint32_t len;
	int be;

	rig6_init(&a, g, 1);
	rig6_init(&b, g, 1);
	len = tcp6(buf, CLIENT, 41000, DSR_TCP_SYN, 1);
	CHECK_EQ(one(&a, buf, len, 1), DSR_FWD_TX);
	be = to(buf);
	/* Packet too big for the flow: its backend, no entry touched; Maglev agrees. */
	len = icmp6_err(buf, 2, 41000, 68);
	CHECK_EQ(one(&a, buf, len, 2), DSR_FWD_TX);
	CHECK_EQ(to(buf), be);
	len = icmp6_err(buf, 2, 41000, 68);
	CHECK_EQ(one(&b, buf, len, 2), DSR_FWD_TX);
	CHECK_EQ(to(buf), be);
	CHECK_EQ(dsr_ct6_count(b.f.ct6), 0);
	CHECK_EQ(a.st->vip[0].icmp_fwd, 1);
	/* Truncated, foreign (another source), no service. */
	len = icmp6_err(buf, 1, 41000, 8 + 40 + 4);
	CHECK_EQ(one(&a, buf, len, 3), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_ICMP_TRUNCATED], 1);
	len = icmp6_err(buf, 3, 41000, 68);
	buf[54 + 8 + 8] ^= 1; /* the quoted source is not the VIP */
	CHECK_EQ(one(&a, buf, len, 3), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_ICMP_FOREIGN], 1);
	len = icmp6_err(buf, 2, 41000, 68);
	buf[54 + 48 + 1] = 81; /* from port 81: no service */
	CHECK_EQ(one(&a, buf, len, 3), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_ICMP_NO_SERVICE], 1);
	len = icmp6_err(buf, 200, 41000, 68); /* an informational type of no use */
	CHECK_EQ(one(&a, buf, len, 3), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_ICMP_TYPE], 1);
	/* Echo to the VIP and neighbour solicitations (also to 33:33:ff..) to the main lcore. */
	len = icmp6_err(buf, 128, 0, 8);
	CHECK_EQ(one(&a, buf, len, 4), DSR_FWD_SLOW);
	memset(ns, 0, sizeof(ns));
	ns[0] = 135;
	memcpy(ns + 8, VIP, 16);
	len = frame6(buf, CLIENT,
		     (const uint8_t[16]){0xff,
					 0x02, [11] = 1, [12] = 0xff, [13] = 0, [14] = 1, [15] = 0},
		     DSR_IPPROTO_ICMPV6, 255, NULL, 0, ns, 24);
	memcpy(buf, "\x33\x33\xff\x00\x01\x00", 6);
	CHECK_EQ(one(&a, buf, len, 4), DSR_FWD_SLOW);
	/* An MLD query (hop limit 1, Hop-by-Hop with the router alert) to the main lcore. */
	{
		static const uint8_t hbh[8] = {DSR_IPPROTO_ICMPV6, 0, 5, 2, 0, 0, 1, 0};
		static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
		uint8_t q[28] = {130};

		len = frame6(buf, CLIENT, all_nodes, DSR_IPPROTO_HOPOPTS, 1, hbh, 8, q, 28);
		memcpy(buf, "\x33\x33\x00\x00\x00\x01", 6);
		CHECK_EQ(one(&a, buf, len, 4), DSR_FWD_SLOW);
		CHECK_EQ(dsr_pkt6_mld_off(buf, len, 14), 14 + 48);
		q[0] = 143; /* another host's report: not ours */
		len = frame6(buf, CLIENT, all_nodes, DSR_IPPROTO_HOPOPTS, 1, hbh, 8, q, 28);
		memcpy(buf, "\x33\x33\x00\x00\x00\x01", 6);
		CHECK_EQ(one(&a, buf, len, 4), DSR_FWD_DROP);
		CHECK_EQ(dsr_pkt6_mld_off(buf, len, 14), 14 + 48);
		buf[21] = 2; /* hop limit 2: not MLD's shape */
		CHECK_EQ(dsr_pkt6_mld_off(buf, len, 14), 0);
		buf[21] = 1;
		CHECK_EQ(dsr_pkt6_mld_off(buf, 14 + 40 + 8 + 3, 14), 0); /* cut short */
		buf[54] = DSR_IPPROTO_TCP; /* the Hop-by-Hop header's next is not ICMPv6 */
		CHECK_EQ(dsr_pkt6_mld_off(buf, len, 14), 0);
		CHECK_EQ(a.st->drop[DSR_DROP_NOT_OURS], 1);
	}
	/* Other IPv6 multicast is not ours. */
	len = tcp6(buf, CLIENT, 41001, DSR_TCP_SYN, 1);
	memcpy(buf, "\x33\x33\x00\x00\x00\x01", 6);
	CHECK_EQ(one(&a, buf, len, 4), DSR_FWD_DROP);
	CHECK_EQ(a.st->drop[DSR_DROP_NOT_OURS], 2);
	rig6_free(&a);
	rig6_free(&b);
	dsr_gen_free(g);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_flow),  DSR_TEST(test_drops),       DSR_TEST(test_icmp6),
		DSR_TEST(test_frag6), DSR_TEST(test_frag6_evict), DSR_TEST(test_frag6_kernel),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
