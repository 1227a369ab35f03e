/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/nd's MLD (nd_mld.c): the link-local source, the
 * unsolicited reports of our solicited-node groups on a change and their
 * retransmission, answers to MLDv2 and MLDv1 queries (general and for
 * one group), MLDv1 compatibility for 260 s, reports split at 64
 * records, and every reason a query is refused. Expected frames come from
 * the tests' own builder and checksum (test_nd_util.h's t_csum).
 */
#include "test_nd_util.h"

#define MLD_MAX_TX 16

struct mld_tx {
	uint16_t port;
	uint32_t len;
	uint8_t f[1600];
};

static struct mld_tx mtx[MLD_MAX_TX];
static unsigned int n_mtx;

static void
mld_tx_cb(void *arg, uint16_t port, const uint8_t *frame, uint32_t len)
{
	(void)arg;
	if (n_mtx == MLD_MAX_TX || len > sizeof(mtx[0].f)) {
		fprintf(stderr, "mld_tx_cb: too many frames or too long (%u)\n", len);
		dsr_test_failures++;
		return;
	}
	mtx[n_mtx].port = port;
	mtx[n_mtx].len = len;
	memcpy(mtx[n_mtx].f, frame, len);
	n_mtx++;
}

/* Frame i sent was exactly (port, want, len). */
static void
check_mtx(unsigned int i, uint16_t port, const uint8_t *want, uint32_t len, int line)
{
	if (i >= n_mtx) {
		fprintf(stderr, "%s:%d: frame %u not sent (%u sent)\n", __FILE__, line, i, n_mtx);
		dsr_test_failures++;
		return;
	}
	if (mtx[i].port != port || mtx[i].len != len || memcmp(mtx[i].f, want, len) != 0) {
		fprintf(stderr, "%s:%d: frame %u differs (port %u, want %u)\n", __FILE__, line, i,
			mtx[i].port, port);
		dump("sent", mtx[i].f, mtx[i].len);
		dump("want", want, len);
		dsr_test_failures++;
	}
}

#define CHECK_MTX(i, port, want, len) check_mtx(i, port, want, len, __LINE__)

/* The ports' link-local addresses (modified EUI-64 of port_macs). */
static const char *const LL[2] = {"fe80::ff:fe00:1", "fe80::ff:fe00:2"};

/* Ethernet (to dst's 33:33 MAC, from port's, an optional tag) and IPv6 with the router alert. */
static uint8_t *
mk_mld_head(uint8_t *f, const uint8_t *eth_src, int tci, const char *src, const char *dst,
	    unsigned int hop, bool alert, uint32_t mlen, uint32_t *n)
{
	const uint8_t *d = ip6(dst);
	uint8_t *ip;
	uint32_t o = 12, plen = 8 + mlen;

	memset(f, 0, 1600);
	f[0] = 0x33;
	f[1] = 0x33;
	memcpy(f + 2, d + 12, 4);
	memcpy(f + 6, eth_src, 6);
	if (tci >= 0) {
		f[o++] = 0x81;
		f[o++] = 0x00;
		f[o++] = (uint8_t)(tci >> 8);
		f[o++] = (uint8_t)tci;
	}
	f[o++] = 0x86;
	f[o++] = 0xdd;
	ip = f + o;
	ip[0] = 0x60;
	ip[4] = (uint8_t)(plen >> 8);
	ip[5] = (uint8_t)plen;
	ip[6] = 0; /* Hop-by-Hop */
	ip[7] = (uint8_t)hop;
	memcpy(ip + 8, ip6(src), 16);
	memcpy(ip + 24, d, 16);
	ip[40] = 58;
	if (alert) {
		ip[42] = 5;
		ip[43] = 2;
	} else {
		ip[42] = 1; /* PadN over the option's 4 bytes */
		ip[43] = 2;
	}
	ip[46] = 1; /* PadN */
	*n = o + 40 + plen;
	return ip;
}

static void
set_csum(uint8_t *ip, uint32_t mlen)
{
	t_put_csum(ip, ip + 48, mlen);
}

/* Our MLDv2 report on port: n records of type rt for groups g. */
static uint32_t
mk_v2(uint8_t *f, uint16_t port, int tci, unsigned int n, uint8_t rt, const char *const *g)
{
	uint32_t len, mlen = 8 + 20 * n, i;
	uint8_t *ip =
		mk_mld_head(f, port_macs[port], tci, LL[port], "ff02::16", 1, true, mlen, &len);
	uint8_t *icmp = ip + 48;

	icmp[0] = 143;
	icmp[6] = (uint8_t)(n >> 8);
	icmp[7] = (uint8_t)n;
	for (i = 0; i < n; i++) {
		icmp[8 + 20 * i] = rt;
		memcpy(icmp + 8 + 20 * i + 4, ip6(g[i]), 16);
	}
	set_csum(ip, mlen);
	return len;
}

/* Our MLDv1 report (to the group) or Done (to ff02::2) on port. */
static uint32_t
mk_v1(uint8_t *f, uint16_t port, unsigned int type, const char *group)
{
	uint32_t len;
	uint8_t *ip = mk_mld_head(f, port_macs[port], -1, LL[port], type == 132 ? "ff02::2" : group,
				  1, true, 24, &len);

	ip[48] = (uint8_t)type;
	memcpy(ip + 56, ip6(group), 16);
	set_csum(ip, 24);
	return len;
}

/* A description of a query for mk_query(). */
struct qd {
	int tci;
	const char *src;  /* NULL: fe80::99 */
	const char *dst;  /* NULL: ff02::1 */
	unsigned int hop; /* 0: 1 */
	bool no_alert;
	uint32_t mlen;     /* 24 (MLDv1) or 28 (MLDv2) */
	const char *group; /* NULL: :: */
	unsigned int code;
	bool bad_csum;
};

static uint32_t
mk_query(uint8_t *f, const struct qd *q)
{
	static const uint8_t QMAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
	uint32_t len;
	uint8_t *ip = mk_mld_head(f, QMAC, q->tci, q->src ? q->src : "fe80::99",
				  q->dst ? q->dst : "ff02::1", q->hop ? q->hop : 1, !q->no_alert,
				  q->mlen, &len);

	ip[48] = 130;
	ip[49] = (uint8_t)q->code;
	ip[52] = 0x27; /* Maximum Response Code 10000 */
	ip[53] = 0x10;
	memcpy(ip + 56, ip6(q->group ? q->group : "::"), 16);
	if (q->mlen >= 28)
		ip[72] = 2; /* QRV */
	set_csum(ip, q->mlen);
	if (q->bad_csum)
		ip[50] ^= 1;
	return len;
}

static void
mld_in(uint16_t port, const uint8_t *f, uint32_t len, uint32_t now_ms)
{
	dsr_nd_mld_input(nd, port, f, len, now_ms);
}

/*
 * Port 0: fd00::1, fd00:100::100, fd00::100 (the last two share the group
 * ff02::1:ff00:100); port 1: fd00:1::1, fd00:100::100.
 */
static const char *const G0[2] = {"ff02::1:ff00:1", "ff02::1:ff00:100"};

static void
mld_setup(uint32_t reports, uint32_t now_ms)
{
	struct dsr_nd_params p = nd_params(0, 0);

	p.mld_reports = reports;
	n_nd_addrs = 0;
	n_nd_backends = 0;
	add_addr(0, "fd00::1", DSR_ND_ADDR_PORT);
	add_addr(1, "fd00:1::1", DSR_ND_ADDR_PORT);
	add_addr(0, "fd00:100::100", DSR_ND_ADDR_VIP);
	add_addr(1, "fd00:100::100", DSR_ND_ADDR_VIP);
	add_addr(0, "fd00::100", DSR_ND_ADDR_VIP);
	nd = dsr_nd_create(&p, mld_tx_cb, NULL, NULL);
	if (nd == NULL)
		abort();
	CHECK_EQ(nd_reconfigure(&p, now_ms), 0);
	n_mtx = 0;
}

static void
test_link_local(void)
{
	uint8_t out[16];
	static const uint8_t mac[6] = {0x00, 0x1b, 0x21, 0x3c, 0x9d, 0xf8};

	dsr_nd_link_local(port_macs[0], out);
	CHECK(memcmp(out, ip6(LL[0]), 16) == 0);
	dsr_nd_link_local(mac, out); /* RFC 4291 appendix A's example: the U/L bit flips */
	CHECK(memcmp(out, ip6("fe80::21b:21ff:fe3c:9df8"), 16) == 0);
}

static void
test_unsolicited(void)
{
	static const char *const G1[2] = {"ff02::1:ff00:1", "ff02::1:ff00:100"};
	static const char *const NEW[1] = {"ff02::1:ff02:abcd"};
	struct dsr_nd_params p;
	uint8_t want[1600];
	uint32_t n;

	mld_setup(2, 1000);
	CHECK_EQ(n_mtx, 0); /* only the tick sends */
	dsr_nd_tick(nd, 1000);
	CHECK_EQ(n_mtx, 2);
	n = mk_v2(want, 0, -1, 2, 4, G0); /* CHANGE_TO_EXCLUDE {}: joins */
	CHECK_MTX(0, 0, want, n);
	n = mk_v2(want, 1, -1, 2, 4, G1);
	CHECK_MTX(1, 1, want, n);
	/* The retransmission after 1 s, then none. */
	n_mtx = 0;
	dsr_nd_tick(nd, 1999);
	CHECK_EQ(n_mtx, 0);
	dsr_nd_tick(nd, 2000);
	CHECK_EQ(n_mtx, 2);
	n = mk_v2(want, 0, -1, 2, 4, G0);
	CHECK_MTX(0, 0, want, n);
	n_mtx = 0;
	dsr_nd_tick(nd, 9000);
	CHECK_EQ(n_mtx, 0);
	CHECK_EQ(ncnt(0, DSR_ND_MLD_REPORTS), 2);
	CHECK_EQ(ncnt(1, DSR_ND_MLD_REPORTS), 2);

	/* fd00::100 goes: its group stays (fd00:100::100's): nothing to report. */
	p = nd_params(0, 0);
	p.mld_reports = 2;
	n_nd_addrs--;
	CHECK_EQ(nd_reconfigure(&p, 10000), 0);
	dsr_nd_tick(nd, 10000);
	dsr_nd_tick(nd, 11000);
	CHECK_EQ(n_mtx, 0);
	/* A new VIP on port 0: its group joined; the VIP on both ports goes: a leave on both. */
	add_addr(0, "fd00::2:abcd", DSR_ND_ADDR_VIP);
	nd_addrs[2] = nd_addrs[--n_nd_addrs]; /* fd00:100::100 on port 0 */
	nd_addrs[3] = nd_addrs[n_nd_addrs - 1];
	n_nd_addrs = 3; /* fd00::1, fd00:1::1, fd00::2:abcd */
	CHECK_EQ(nd_reconfigure(&p, 12000), 0);
	dsr_nd_tick(nd, 12000);
	CHECK_EQ(n_mtx, 3);
	n = mk_v2(want, 0, -1, 1, 4, NEW);
	CHECK_MTX(0, 0, want, n);
	n = mk_v2(want, 0, -1, 1, 3, G0 + 1); /* CHANGE_TO_INCLUDE {}: the leave */
	CHECK_MTX(1, 0, want, n);
	n = mk_v2(want, 1, -1, 1, 3, G1 + 1);
	CHECK_MTX(2, 1, want, n);
	nd_teardown();

	/* mld_reports 0: nothing unsolicited, but queries are answered. */
	mld_setup(0, 0);
	dsr_nd_tick(nd, 0);
	dsr_nd_tick(nd, 5000);
	CHECK_EQ(n_mtx, 0);
	n = mk_query(want, &(struct qd){.tci = -1, .mlen = 28});
	mld_in(0, want, n, 6000);
	CHECK_EQ(n_mtx, 1);
	nd_teardown();
}

static void
test_queries(void)
{
	static const char *const ONE[1] = {"ff02::1:ff00:1"};
	uint8_t q[1600], want[1600];
	uint32_t n, w;

	mld_setup(0, 0);
	/* MLDv2 general query: every group of the port, MODE_IS_EXCLUDE {}. */
	n = mk_query(q, &(struct qd){.tci = -1, .mlen = 28});
	mld_in(0, q, n, 100);
	CHECK_EQ(n_mtx, 1);
	w = mk_v2(want, 0, -1, 2, 2, G0);
	CHECK_MTX(0, 0, want, w);
	CHECK_EQ(ncnt(0, DSR_ND_MLD_QUERIES), 1);
	/* For one of our groups (to that group): that record only; tagged, answered tagged. */
	n_mtx = 0;
	n = mk_query(q, &(struct qd){.tci = 7, .dst = ONE[0], .mlen = 28, .group = ONE[0]});
	mld_in(0, q, n, 200);
	w = mk_v2(want, 0, 7, 1, 2, ONE);
	CHECK_MTX(0, 0, want, w);
	/* For a group that is not ours: counted, not answered. */
	n_mtx = 0;
	n = mk_query(q, &(struct qd){.tci = -1, .mlen = 28, .group = "ff02::1:ff00:5"});
	mld_in(0, q, n, 300);
	CHECK_EQ(n_mtx, 0);
	CHECK_EQ(ncnt(0, DSR_ND_MLD_QUERIES), 3);
	/* A port number past the configured ones: nothing. */
	mld_in(5, q, n, 300);
	CHECK_EQ(ncnt(0, DSR_ND_MLD_QUERIES), 3);

	/* MLDv1 general query: a v1 report to each group. */
	n = mk_query(q, &(struct qd){.tci = -1, .mlen = 24});
	mld_in(0, q, n, 1000);
	CHECK_EQ(n_mtx, 2);
	w = mk_v1(want, 0, 131, G0[0]);
	CHECK_MTX(0, 0, want, w);
	w = mk_v1(want, 0, 131, G0[1]);
	CHECK_MTX(1, 0, want, w);
	nd_teardown();
}

static void
test_v1_compat(void)
{
	struct dsr_nd_params p = nd_params(0, 0);
	uint8_t q[1600], want[1600];
	uint32_t n, w;

	mld_setup(1, 0);
	dsr_nd_tick(nd, 0);
	n = mk_query(q, &(struct qd){.tci = -1, .mlen = 24});
	mld_in(0, q, n, 1000);
	n_mtx = 0;
	/* Within 260 s of it, a change on port 0 is reported in MLDv1: Done for the group that goes. */
	p.mld_reports = 1;
	n_nd_addrs = 2; /* fd00::1, fd00:1::1: the VIPs go */
	CHECK_EQ(nd_reconfigure(&p, 2000), 0);
	dsr_nd_tick(nd, 2000);
	CHECK_EQ(n_mtx, 2);
	w = mk_v1(want, 0, 132, "ff02::1:ff00:100");
	CHECK_MTX(0, 0, want, w);
	/* Port 1 heard no MLDv1 query: MLDv2. */
	w = mk_v2(want, 1, -1, 1, 3, G0 + 1);
	CHECK_MTX(1, 1, want, w);
	/* After 260 s, MLDv2 again on port 0. */
	n_mtx = 0;
	add_addr(0, "fd00::100", DSR_ND_ADDR_VIP);
	CHECK_EQ(nd_reconfigure(&p, 261000), 0);
	dsr_nd_tick(nd, 261000);
	CHECK_EQ(n_mtx, 1);
	w = mk_v2(want, 0, -1, 1, 4, G0 + 1);
	CHECK_MTX(0, 0, want, w);
	nd_teardown();
}

/* A query flood: at most 10 answered a second on a port. */
static void
test_query_flood(void)
{
	uint8_t q[1600];
	unsigned int i;
	uint32_t n;

	mld_setup(0, 0);
	n = mk_query(q, &(struct qd){.tci = -1, .mlen = 28});
	for (i = 0; i < 50; i++)
		mld_in(0, q, n, 5000 + i * 10); /* 50 in 500 ms */
	CHECK_EQ(n_mtx, 10);
	CHECK_EQ(ncnt(0, DSR_ND_MLD_QUERIES), 50);
	CHECK_EQ(ncnt(0, DSR_ND_MLD_LIMITED), 40);
	mld_in(0, q, n, 5999);
	CHECK_EQ(n_mtx, 10);
	mld_in(0, q, n, 6000); /* a new second */
	CHECK_EQ(n_mtx, 11);
	mld_in(1, q, n, 6000); /* another port's own count */
	CHECK_EQ(n_mtx, 12);
	nd_teardown();
}

static void
test_split(void)
{
	struct dsr_nd_params p = nd_params(0, 0);
	struct dsr_nd_addr addrs[71];
	struct dsr_nd_config c = {.nb_ports = 1, .port_mac = port_macs, .addrs = addrs};
	uint8_t q[1600];
	unsigned int i;
	uint32_t n;

	memset(addrs, 0, sizeof(addrs));
	for (i = 0; i < 71; i++) {
		memcpy(addrs[i].ip, ip6("fd00::"), 16);
		addrs[i].ip[14] = (uint8_t)(i >> 8);
		addrs[i].ip[15] = (uint8_t)(i + 1);
		addrs[i].kind = i == 0 ? DSR_ND_ADDR_PORT : DSR_ND_ADDR_VIP;
	}
	c.n_addrs = 71;
	p.mld_reports = 0;
	nd = dsr_nd_create(&p, mld_tx_cb, NULL, NULL);
	CHECK(nd != NULL);
	CHECK_EQ(dsr_nd_configure(nd, &c, &p, 0), 0);
	n_mtx = 0;
	n = mk_query(q, &(struct qd){.tci = -1, .mlen = 28});
	mld_in(0, q, n, 10);
	CHECK_EQ(n_mtx, 2); /* 64 records, then 7 */
	CHECK_EQ(mtx[0].len, 14 + 40 + 8 + 8 + 64 * 20);
	CHECK_EQ(mtx[0].f[14 + 48 + 7], 64);
	CHECK_EQ(mtx[1].len, 14 + 40 + 8 + 8 + 7 * 20);
	CHECK_EQ(mtx[1].f[14 + 48 + 7], 7);
	nd_teardown();
}

static void
test_bad_queries(void)
{
	static const struct qd bad[] = {
		{.tci = -1, .src = "fd00::99", .mlen = 28},  /* not link-local */
		{.tci = -1, .no_alert = true, .mlen = 28},   /* no router alert */
		{.tci = -1, .mlen = 28, .bad_csum = true},   /* checksum */
		{.tci = -1, .mlen = 26},                     /* neither 24 nor 28 or more */
		{.tci = -1, .mlen = 28, .group = "fd00::1"}, /* a unicast group */
		{.tci = -1, .mlen = 28, .code = 1},          /* code */
	};
	uint8_t q[1600];
	unsigned int i;
	uint32_t n;

	mld_setup(0, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = mk_query(q, &bad[i]);
		mld_in(0, q, n, 10);
		CHECK_EQ(ncnt(0, DSR_ND_MLD_BAD), i + 1);
	}
	/* Hop limit 2, or not MLD at all: not the shape, not counted. */
	n = mk_query(q, &(struct qd){.tci = -1, .hop = 2, .mlen = 28});
	mld_in(0, q, n, 10);
	/* A payload length past the frame. */
	n = mk_query(q, &(struct qd){.tci = -1, .mlen = 28});
	mld_in(0, q, n - 4, 10);
	CHECK_EQ(ncnt(0, DSR_ND_MLD_BAD), 7);
	/* Others' reports: ignored. */
	n = mk_v1(q, 1, 131, "ff02::1:ff00:1");
	mld_in(0, q, n, 10);
	mld_in(0, q, 10, 10);
	mld_in(0, NULL, 0, 10);
	CHECK_EQ(n_mtx, 0);
	CHECK_EQ(ncnt(0, DSR_ND_MLD_QUERIES), 0);
	CHECK_EQ(ncnt(0, DSR_ND_MLD_BAD), 7);
	CHECK_STR(dsr_nd_counter_name(DSR_ND_MLD_REPORTS), "mld-reports-sent");
	nd_teardown();
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_link_local),  DSR_TEST(test_unsolicited), DSR_TEST(test_queries),
		DSR_TEST(test_v1_compat),   DSR_TEST(test_split),       DSR_TEST(test_query_flood),
		DSR_TEST(test_bad_queries),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
