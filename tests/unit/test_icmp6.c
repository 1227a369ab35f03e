/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/icmp's ICMPv6: the flow an error quotes (through extension
 * headers), the checksum over the pseudo-header, echo replies. Frames
 * are built by hand; checksums are checked by the test's own sum.
 */
#include <arpa/inet.h>
#include <string.h>

#include "dsr_icmp.h"
#include "dsr_test.h"

/* fd00:1::100 (a VIP), 2001:db8::10 (a client), fd00::2 (a router). */
static const uint8_t VIP6[16] = {0xfd, 0, 0, 1, [14] = 0x01, [15] = 0x00};
static const uint8_t CLIENT6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};
static const uint8_t ROUTER6[16] = {0xfd, [15] = 0x02};
static const uint8_t OURMAC[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t PEERMAC[6] = {0x02, 0, 0, 0, 0, 0x99};

/* The test's own RFC 1071 sum of the pseudo-header and a message (independent of lib/pkt). */
static uint16_t
ref_csum6(const uint8_t *src, const uint8_t *dst, const uint8_t *msg, uint32_t len)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < 16; i += 2)
		sum += (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
	sum += len + 58;
	for (i = 0; i < len; i++)
		sum += i & 1 ? msg[i] : (uint32_t)msg[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An IPv6 header at p: payload plen, next header nh, src -> dst. */
static void
ip6_hdr(uint8_t *p, uint16_t plen, uint8_t nh, const uint8_t *src, const uint8_t *dst)
{
	memset(p, 0, 40);
	p[0] = 0x60 | 0x0b; /* version 6, traffic class 0xb7, flow label 0x12345 */
	p[1] = 0x71;
	p[2] = 0x23;
	p[3] = 0x45;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = nh;
	p[7] = 57;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
}

/*
 * An ICMPv6 error of type at m quoting VIP:80 -> CLIENT:40000 over
 * proto, after the extension headers ext (nh chain), n of them.
 * Returns the message's length.
 */
static uint32_t
quote6(uint8_t *m, uint8_t type, uint8_t proto, const uint8_t *ext, unsigned int n)
{
	uint8_t *q = m + 8, *x;
	unsigned int i;

	memset(m, 0, 400);
	m[0] = type;
	m[4] = 0;
	m[5] = 0;
	m[6] = 0x05;
	m[7] = 0x00; /* MTU 1280 for type 2 */
	ip6_hdr(q, 100, n ? ext[0] : proto, VIP6, CLIENT6);
	x = q + 40;
	for (i = 0; i < n; i++) {
		x[0] = i + 1 < n ? ext[i + 1] : proto;
		if (ext[i] == 44) {
			x += 8; /* fragment header, offset 0 */
		} else {
			x[1] = 1; /* 16 bytes */
			x += 16;
		}
	}
	x[0] = 0;
	x[1] = 80;
	x[2] = 0x9c;
	x[3] = 0x40; /* 40000 */
	return (uint32_t)(x + 8 - m);
}

static void
check_flow(const struct dsr_flow6 *fl, uint8_t proto)
{
	CHECK(memcmp(fl->src_ip, CLIENT6, 16) == 0);
	CHECK(memcmp(fl->dst_ip, VIP6, 16) == 0);
	CHECK_EQ(ntohs(fl->src_port), 40000);
	CHECK_EQ(ntohs(fl->dst_port), 80);
	CHECK_EQ(fl->proto, proto);
	CHECK(fl->pad[0] == 0 && fl->pad[1] == 0 && fl->pad[2] == 0);
}

static void
test_kind(void)
{
	CHECK_EQ(dsr_icmp6_kind(1), DSR_ICMP_K_ERROR);
	CHECK_EQ(dsr_icmp6_kind(2), DSR_ICMP_K_ERROR);
	CHECK_EQ(dsr_icmp6_kind(3), DSR_ICMP_K_ERROR);
	CHECK_EQ(dsr_icmp6_kind(128), DSR_ICMP_K_ECHO);
	CHECK_EQ(dsr_icmp6_kind(0), DSR_ICMP_K_OTHER);
	CHECK_EQ(dsr_icmp6_kind(4), DSR_ICMP_K_OTHER);
	CHECK_EQ(dsr_icmp6_kind(129), DSR_ICMP_K_OTHER);
	CHECK_EQ(dsr_icmp6_kind(135), DSR_ICMP_K_OTHER); /* neighbour solicitation */
}

static void
test_error_flow(void)
{
	static const uint8_t types[] = {1, 2, 3};
	uint8_t m[400];
	struct dsr_flow6 fl;
	uint32_t len;
	unsigned int i;

	for (i = 0; i < sizeof(types); i++) {
		len = quote6(m, types[i], 6, NULL, 0);
		CHECK_EQ(len, 8 + 40 + 8);
		memset(&fl, 0xee, sizeof(fl));
		CHECK_EQ(dsr_icmp6_error_flow(m, len, VIP6, &fl), DSR_ICMP_ERR_OK);
		check_flow(&fl, 6);
	}
	len = quote6(m, 2, 17, NULL, 0);
	CHECK_EQ(dsr_icmp6_error_flow(m, len, VIP6, &fl), DSR_ICMP_ERR_OK);
	check_flow(&fl, 17);
	/* Short of the quoted ports' 8 bytes, or of the quoted header. */
	CHECK_EQ(dsr_icmp6_error_flow(m, len - 1, VIP6, &fl), DSR_ICMP_ERR_TRUNCATED);
	CHECK_EQ(dsr_icmp6_error_flow(m, 8 + 40, VIP6, &fl), DSR_ICMP_ERR_TRUNCATED);
	CHECK_EQ(dsr_icmp6_error_flow(m, 8 + 39, VIP6, &fl), DSR_ICMP_ERR_TRUNCATED);
	CHECK_EQ(dsr_icmp6_error_flow(m, 0, VIP6, &fl), DSR_ICMP_ERR_TRUNCATED);
	/* Not about a packet the VIP sent. */
	CHECK_EQ(dsr_icmp6_error_flow(m, len, ROUTER6, &fl), DSR_ICMP_ERR_FOREIGN);
	m[8] = 0x45; /* IPv4 quoted in ICMPv6 */
	CHECK_EQ(dsr_icmp6_error_flow(m, len, VIP6, &fl), DSR_ICMP_ERR_FOREIGN);
	len = quote6(m, 2, 58, NULL, 0); /* an ICMPv6 packet */
	CHECK_EQ(dsr_icmp6_error_flow(m, len, VIP6, &fl), DSR_ICMP_ERR_FOREIGN);
	len = quote6(m, 2, 59, NULL, 0); /* no next header */
	CHECK_EQ(dsr_icmp6_error_flow(m, len, VIP6, &fl), DSR_ICMP_ERR_FOREIGN);
}

static void
test_error_flow_ext(void)
{
	static const uint8_t ext3[] = {0, 60, 44}; /* hop-by-hop, dest options, fragment */
	static const uint8_t ext2[] = {43, 60};    /* routing, dest options */
	uint8_t m[400], many[DSR_ICMP6_MAX_EXT + 1];
	struct dsr_flow6 fl;
	uint32_t len;

	len = quote6(m, 2, 6, ext3, 3);
	CHECK_EQ(len, 8 + 40 + 16 + 16 + 8 + 8);
	CHECK_EQ(dsr_icmp6_error_flow(m, len, VIP6, &fl), DSR_ICMP_ERR_OK);
	check_flow(&fl, 6);
	len = quote6(m, 1, 17, ext2, 2);
	CHECK_EQ(dsr_icmp6_error_flow(m, len, VIP6, &fl), DSR_ICMP_ERR_OK);
	check_flow(&fl, 17);
	/* Cut anywhere in the chain: truncated, never read past len. */
	for (; len > 8 + 40; len--)
		CHECK_EQ(dsr_icmp6_error_flow(m, len - 1, VIP6, &fl), DSR_ICMP_ERR_TRUNCATED);
	/* A later fragment has no ports. */
	len = quote6(m, 2, 6, ext3, 3);
	m[8 + 40 + 32 + 3] = 0x08; /* offset 1 (8 bytes) */
	CHECK_EQ(dsr_icmp6_error_flow(m, len, VIP6, &fl), DSR_ICMP_ERR_FOREIGN);
	m[8 + 40 + 32 + 3] = 0x01; /* offset 0, more fragments: the first */
	CHECK_EQ(dsr_icmp6_error_flow(m, len, VIP6, &fl), DSR_ICMP_ERR_OK);
	/* The walk is bounded: MAX_EXT headers pass, one more does not. */
	memset(many, 60, sizeof(many));
	len = quote6(m, 2, 6, many, DSR_ICMP6_MAX_EXT);
	CHECK_EQ(dsr_icmp6_error_flow(m, len, VIP6, &fl), DSR_ICMP_ERR_OK);
	len = quote6(m, 2, 6, many, DSR_ICMP6_MAX_EXT + 1);
	CHECK_EQ(dsr_icmp6_error_flow(m, len, VIP6, &fl), DSR_ICMP_ERR_FOREIGN);
}

/* An echo request frame at f (VLAN tag if vlan; n extension headers of 8 bytes). */
static uint32_t
echo_req(uint8_t *f, int vlan, unsigned int next, uint32_t data)
{
	uint32_t l3 = vlan ? 18 : 14, l4, i;
	uint8_t *ip = f + l3, *icmp;
	uint16_t cs;

	memset(f, 0, 1600);
	memcpy(f, OURMAC, 6);
	memcpy(f + 6, PEERMAC, 6);
	if (vlan) {
		f[12] = 0x81;
		f[14] = 0x00;
		f[15] = 42;
	}
	f[l3 - 2] = 0x86;
	f[l3 - 1] = 0xdd;
	ip6_hdr(ip, (uint16_t)(next * 8 + 8 + data), next ? 0 : 58, CLIENT6, VIP6);
	for (i = 0; i < next; i++)
		ip[40 + i * 8] = i + 1 < next ? 60 : 58; /* 8-byte options headers, len 0 */
	l4 = l3 + 40 + next * 8;
	icmp = f + l4;
	icmp[0] = 128;
	icmp[4] = 0x12; /* identifier */
	icmp[5] = 0x34;
	icmp[7] = 7; /* sequence */
	for (i = 0; i < data; i++)
		icmp[8 + i] = (uint8_t)(i * 7 + 1);
	cs = ref_csum6(CLIENT6, VIP6, icmp, 8 + data);
	icmp[2] = (uint8_t)(cs >> 8);
	icmp[3] = (uint8_t)cs;
	return l4;
}

static void
check_reply(const uint8_t *f, const uint8_t *req, uint32_t l3, uint32_t reqoff, uint32_t data)
{
	const uint8_t *ip = f + l3, *icmp = ip + 40;

	CHECK(memcmp(f, PEERMAC, 6) == 0);
	CHECK(memcmp(f + 6, OURMAC, 6) == 0);
	CHECK(memcmp(f + 12, req + 12, l3 - 12) == 0); /* VLAN tag, ethertype */
	CHECK(memcmp(ip, req + l3, 4) == 0);           /* version, class, flow label */
	CHECK_EQ(ip[4] << 8 | ip[5], 8 + data);
	CHECK_EQ(ip[6], 58);
	CHECK_EQ(ip[7], 64);
	CHECK(memcmp(ip + 8, VIP6, 16) == 0);
	CHECK(memcmp(ip + 24, CLIENT6, 16) == 0);
	CHECK_EQ(icmp[0], 129);
	CHECK_EQ(icmp[1], 0);
	CHECK(memcmp(icmp + 4, req + reqoff + 4, 4 + data) == 0); /* id, seq, data */
	CHECK_EQ(ref_csum6(VIP6, CLIENT6, icmp, 8 + data), 0);    /* right checksum */
}

static void
test_echo_reply(void)
{
	static uint8_t f[1600], req[1600];
	static const uint32_t sizes[] = {0, 1, 56, 1232};
	uint32_t l4, i;
	int v;

	for (v = 0; v < 2; v++)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			uint32_t l3 = v ? 18 : 14, end;

			l4 = echo_req(f, v, 0, sizes[i]);
			end = l4 + 8 + sizes[i];
			CHECK_EQ(dsr_icmp6_csum(f + l3, f + l4, 8 + sizes[i]), 0);
			memcpy(req, f, sizeof(f));
			/* Ethernet padding after the payload is allowed, and cut. */
			CHECK_EQ(dsr_icmp6_echo_reply(f, end + 4, l3, l4, OURMAC), (int)end);
			check_reply(f, req, l3, l4, sizes[i]);
		}
	/* The checksum function computes what the test computes. */
	l4 = echo_req(f, 0, 0, 33);
	f[l4 + 2] = f[l4 + 3] = 0;
	CHECK_EQ(dsr_icmp6_csum(f + 14, f + l4, 41), ref_csum6(CLIENT6, VIP6, f + l4, 41));
}

static void
test_echo_reply_ext(void)
{
	static uint8_t f[1600], req[1600];
	uint32_t l4 = echo_req(f, 1, 2, 20);

	CHECK_EQ(l4, 18 + 40 + 16);
	memcpy(req, f, sizeof(f));
	/* Extension headers are dropped: the message moves up. */
	CHECK_EQ(dsr_icmp6_echo_reply(f, l4 + 28, 18, l4, OURMAC), 18 + 40 + 28);
	check_reply(f, req, 18, l4, 20);
}

static void
test_echo_reply_bad(void)
{
	static uint8_t f[1600], req[1600];
	uint32_t l4 = echo_req(f, 0, 0, 16), end = l4 + 24;

	memcpy(req, f, sizeof(f));
	f[l4 + 10] ^= 1; /* a bit of the data flipped: wrong checksum */
	CHECK_EQ(dsr_icmp6_echo_reply(f, end, 14, l4, OURMAC), -1);
	f[l4 + 10] ^= 1;
	CHECK(memcmp(f, req, sizeof(f)) == 0); /* unchanged */
	/* The checksum covers the pseudo-header: another destination is wrong. */
	f[14 + 39] ^= 1;
	CHECK_EQ(dsr_icmp6_echo_reply(f, end, 14, l4, OURMAC), -1);
	f[14 + 39] ^= 1;
	/* Inconsistent lengths and offsets, or not a request. */
	CHECK_EQ(dsr_icmp6_echo_reply(f, end - 1, 14, l4, OURMAC), -1);
	CHECK_EQ(dsr_icmp6_echo_reply(f, end, 14, 14 + 39, OURMAC), -1);
	CHECK_EQ(dsr_icmp6_echo_reply(f, 20, 14, l4, OURMAC), -1);
	f[14 + 5] = 7; /* payload length < the ICMPv6 header */
	CHECK_EQ(dsr_icmp6_echo_reply(f, end, 14, l4, OURMAC), -1);
	f[14 + 5] = 24;
	f[l4] = 129;
	CHECK_EQ(dsr_icmp6_echo_reply(f, end, 14, l4, OURMAC), -1);
	f[l4] = 128;
	CHECK(memcmp(f, req, sizeof(f)) == 0);
	CHECK_EQ(dsr_icmp6_echo_reply(f, end, 14, l4, OURMAC), (int)end);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_kind),           DSR_TEST(test_error_flow),
		DSR_TEST(test_error_flow_ext), DSR_TEST(test_echo_reply),
		DSR_TEST(test_echo_reply_ext), DSR_TEST(test_echo_reply_bad),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
