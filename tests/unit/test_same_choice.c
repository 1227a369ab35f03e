/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Same choice everywhere (issue 18): two dsrlb instances with the same
 * VIPs and backends, listed in different orders (so with different VIP
 * and backend ids), send every flow to the same backend address, and a
 * packet from the middle of a flow that one instance began goes, on the
 * other, which has no entry for it, to the same backend. Both instances
 * are lib/fwd workers with their own tables under generations built from
 * shuffled configs: IPv4 and IPv6 VIPs, weights 0 to 100, a backend
 * address shared by two VIPs. For each of 100000 flows one instance gets
 * the SYN and the other a mid-flow ACK; the backends are compared by
 * address (each backend's MAC names it). A third instance with one
 * weight changed must disagree on some flows: the comparison can fail.
 */
#include <stdlib.h>
#include <string.h>

#include "dsr_conf.h"
#include "dsr_ct.h"
#include "dsr_ct6.h"
#include "dsr_fwd.h"
#include "dsr_gen.h"
#include "dsr_pkt.h"
#include "dsr_stats.h"
#include "dsr_test.h"

#define NFLOWS  100000u
#define ENTRIES 262144u

static const uint8_t PORT_MAC[6] = {0x02, 0x70, 0x63, 0x61, 0x70, 0x00};
static const uint8_t CLIENT_MAC[6] = {0x02, 0, 0, 0, 0xc1, 0x01};

/* The services (VIP lines) and the backends, MAC byte 5 naming the backend. */
static const char *const vips[] = {
	"vip add 10.0.0.100:80/tcp",
	"vip add 10.0.0.100:443/tcp",
	"vip add 10.0.0.101:80/tcp",
	"vip add [fd00:1::100]:80/tcp",
};

static const char *const backends[] = {
	"backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:00:01 weight 100",
	"backend add 10.0.0.100:80/tcp 10.0.0.22 mac 02:00:00:00:00:02 weight 50",
	"backend add 10.0.0.100:80/tcp 10.0.0.23 mac 02:00:00:00:00:03 weight 30",
	"backend add 10.0.0.100:80/tcp 10.0.0.24 mac 02:00:00:00:00:04 weight 0",
	"backend add 10.0.0.100:80/tcp 10.0.0.25 mac 02:00:00:00:00:05 weight 1",
	"backend add 10.0.0.100:443/tcp 10.0.0.21 mac 02:00:00:00:00:01 weight 100",
	"backend add 10.0.0.100:443/tcp 10.0.0.26 mac 02:00:00:00:00:06 weight 100",
	"backend add 10.0.0.101:80/tcp 10.0.0.27 mac 02:00:00:00:00:07 weight 7",
	"backend add 10.0.0.101:80/tcp 10.0.0.28 mac 02:00:00:00:00:08 weight 100",
	"backend add 10.0.0.101:80/tcp 10.0.0.29 mac 02:00:00:00:00:09 weight 60",
	"backend add [fd00:1::100]:80/tcp fd00::21 mac 02:00:00:00:00:11 weight 100",
	"backend add [fd00:1::100]:80/tcp fd00::22 mac 02:00:00:00:00:12 weight 40",
	"backend add [fd00:1::100]:80/tcp fd00::23 mac 02:00:00:00:00:13 weight 100",
	"backend add [fd00:1::100]:80/tcp fd00::24 mac 02:00:00:00:00:14 weight 0",
	"backend add [fd00:1::100]:80/tcp fd00::25 mac 02:00:00:00:00:15 weight 5",
};

#define NVIPS     (sizeof(vips) / sizeof(vips[0]))
#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

static uint64_t rng;

static uint64_t
rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
shuffle(const char **a, unsigned int n)
{
	unsigned int i;

	for (i = n - 1; i > 0; i--) {
		unsigned int j = (unsigned int)(rnd() % (i + 1));
		const char *t = a[i];

		a[i] = a[j];
		a[j] = t;
	}
}

/* A generation from the lines in an order of seed's, with line `change` replaced if given. */
static struct dsr_gen *
build(uint64_t seed, const char *change_from, const char *change_to)
{
	const char *v[NVIPS], *b[NBACKENDS];
	struct dsr_conf *c = malloc(sizeof(*c));
	char err[DSR_CMD_ERR_MAX];
	struct dsr_gen *g;
	unsigned int i;

	if (c == NULL)
		exit(2);
	memcpy(v, vips, sizeof(v));
	memcpy(b, backends, sizeof(b));
	rng = seed;
	shuffle(v, NVIPS);
	shuffle(b, NBACKENDS);
	dsr_conf_init(c);
	CHECK_EQ(dsr_conf_apply_line(c, "port 0 address 10.0.0.2/24", err, sizeof(err)), 0);
	CHECK_EQ(dsr_conf_apply_line(c, "port 0 address fd00::2/64", err, sizeof(err)), 0);
	for (i = 0; i < NVIPS; i++)
		CHECK_EQ(dsr_conf_apply_line(c, v[i], err, sizeof(err)), 0);
	for (i = 0; i < NBACKENDS; i++) {
		const char *line =
			change_from != NULL && strcmp(b[i], change_from) == 0 ? change_to : b[i];

		CHECK_EQ(dsr_conf_apply_line(c, line, err, sizeof(err)), 0);
	}
	g = dsr_gen_build(c, 1, NULL, NULL);
	free(c);
	if (g == NULL)
		exit(2);
	return g;
}

/* One instance: a worker's forwarding state and tables under its generation. */
struct inst {
	struct dsr_fwd f;
	struct dsr_stats_lcore *st;
	void *ct_mem, *ct6_mem;
	struct dsr_gen *g;
};

static void *
zalloc64(size_t n)
{
	void *p = aligned_alloc(64, (n + 63) & ~(size_t)63);

	if (p == NULL)
		exit(2);
	memset(p, 0, n);
	return p;
}

static void
inst_init(struct inst *in, struct dsr_gen *g)
{
	size_t s4 = (dsr_ct_mem_size(ENTRIES) + 63) & ~(size_t)63;
	size_t s6 = (dsr_ct6_mem_size(ENTRIES) + 63) & ~(size_t)63;

	in->st = zalloc64(sizeof(*in->st));
	in->ct_mem = zalloc64(s4);
	in->ct6_mem = zalloc64(s6);
	dsr_fwd_init(&in->f, dsr_ct_init(in->ct_mem, s4, ENTRIES), in->st);
	dsr_fwd_set_ct6(&in->f, dsr_ct6_init(in->ct6_mem, s6, ENTRIES));
	dsr_fwd_set_port_mac(&in->f, 0, PORT_MAC);
	in->g = g;
	dsr_fwd_begin(&in->f, g);
}

static void
inst_free(struct inst *in)
{
	free(in->st);
	free(in->ct_mem);
	free(in->ct6_mem);
	dsr_gen_free(in->g);
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A flow: client address and port, the service it goes to (index into vips). */
struct flow {
	uint8_t src[16]; /* IPv4: the first 4 bytes */
	uint16_t sport;
	unsigned int vip;
};

static const uint8_t vip_addr[NVIPS][16] = {
	{10, 0, 0, 100}, {10, 0, 0, 100}, {10, 0, 0, 101}, {0xfd, 0, 0, 1, [14] = 1, [15] = 0}};
static const uint16_t vip_port[NVIPS] = {80, 443, 80, 80};

/* A TCP frame of the flow with flags; returns its length. */
static uint32_t
frame(uint8_t *buf, const struct flow *fl, uint8_t flags)
{
	bool v6 = fl->vip == 3;
	uint32_t l3 = 14, l4 = v6 ? 54 : 34, sum = 0, i;
	uint8_t *t = buf + l4;

	memset(buf, 0, 128);
	memcpy(buf, PORT_MAC, 6);
	memcpy(buf + 6, CLIENT_MAC, 6);
	if (v6) {
		put16(buf + 12, DSR_ETHERTYPE_IPV6);
		buf[l3] = 0x60;
		put16(buf + l3 + 4, 20);
		buf[l3 + 6] = DSR_IPPROTO_TCP;
		buf[l3 + 7] = 64;
		memcpy(buf + l3 + 8, fl->src, 16);
		memcpy(buf + l3 + 24, vip_addr[fl->vip], 16);
	} else {
		put16(buf + 12, DSR_ETHERTYPE_IPV4);
		buf[l3] = 0x45;
		put16(buf + l3 + 2, 40);
		buf[l3 + 8] = 64;
		buf[l3 + 9] = DSR_IPPROTO_TCP;
		memcpy(buf + l3 + 12, fl->src, 4);
		memcpy(buf + l3 + 16, vip_addr[fl->vip], 4);
		for (i = 0; i < 20; i += 2)
			sum += (uint32_t)(buf[l3 + i] << 8 | buf[l3 + i + 1]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		put16(buf + l3 + 10, ~sum & 0xffff);
	}
	put16(t, fl->sport);
	put16(t + 2, vip_port[fl->vip]);
	put16(t + 4, 0x1234);
	t[12] = 5 << 4;
	t[13] = flags;
	return l4 + 20;
}

/* The backend (MAC byte 5) that in sends the frame to, or -1 if not sent. */
static int
send_to(struct inst *in, const struct flow *fl, uint8_t flags)
{
	uint8_t buf[128];
	uint32_t len = frame(buf, fl, flags);

	if (dsr_fwd_frame(&in->f, buf, len, 0, 1000) != DSR_FWD_TX)
		return -1;
	return buf[5];
}

/* Flows where a and b (SYN on one, mid-flow ACK on the other) disagree. */
static unsigned int
disagreements(struct inst *a, struct inst *b, unsigned int *dropped)
{
	unsigned int i, n = 0;
	struct flow fl;

	rng = 42;
	*dropped = 0;
	for (i = 0; i < NFLOWS; i++) {
		uint64_t r = rnd();
		int x, y;

		memset(&fl, 0, sizeof(fl));
		fl.vip = (unsigned int)(r % NVIPS);
		fl.sport = (uint16_t)(1024 + (r >> 8) % 60000);
		if (fl.vip == 3) {
			fl.src[0] = 0x20;
			fl.src[1] = 0x01;
			fl.src[2] = 0x0d;
			fl.src[3] = 0xb8;
			memcpy(fl.src + 8, &r, 8);
		} else {
			fl.src[0] = 192;
			fl.src[1] = 168;
			fl.src[2] = (uint8_t)(r >> 24);
			fl.src[3] = (uint8_t)(1 + (r >> 32) % 254);
		}
		/* Half the flows begin on a, half on b. */
		x = send_to(i % 2 ? b : a, &fl, DSR_TCP_SYN);
		y = send_to(i % 2 ? a : b, &fl, DSR_TCP_ACK);
		if (x < 0 || y < 0)
			(*dropped)++;
		else
			n += x != y;
	}
	return n;
}

static void
test_same_choice(void)
{
	struct inst a, b, c;
	unsigned int n, dropped, i, moved_ids = 0;

	inst_init(&a, build(1, NULL, NULL));
	inst_init(&b, build(2, NULL, NULL));
	/* The orders differ, and so do the ids of the same backends. */
	for (i = 0; i < DSR_MAX_BACKENDS; i++)
		moved_ids += (a.g->backends[i].flags & DSR_GEN_BE_USED) &&
			     memcmp(a.g->backends[i].mac, b.g->backends[i].mac, 6) != 0;
	CHECK(moved_ids > 0);
	n = disagreements(&a, &b, &dropped);
	printf("# %u flows: %u to different backends, %u dropped; %u backend ids differ\n", NFLOWS,
	       n, dropped, moved_ids);
	CHECK_EQ(n, 0);
	CHECK_EQ(dropped, 0);
	/* The control: one weight differs, some flows go elsewhere. */
	inst_free(&b);
	inst_init(&b, build(2, NULL, NULL));
	inst_init(&c, build(3, backends[1],
			    "backend add 10.0.0.100:80/tcp 10.0.0.22 mac 02:00:00:00:00:02 weight "
			    "60"));
	n = disagreements(&b, &c, &dropped);
	printf("# control, one weight 50 -> 60: %u of %u flows differ\n", n, NFLOWS);
	CHECK(n > 0);
	inst_free(&a);
	inst_free(&b);
	inst_free(&c);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_same_choice),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
