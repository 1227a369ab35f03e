/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/icmp: the flow an ICMP error quotes, echo replies, the rate limit.
 * The traffic fixtures check the same end to end, byte for byte.
 */
#include <arpa/inet.h>
#include <string.h>

#include "dsr_icmp.h"
#include "dsr_pkt.h"
#include "dsr_test.h"

#define VIP    0x0a000064u /* 10.0.0.100 */
#define CLIENT 0xc000020au /* 192.0.2.10 */

/* An ICMP error of type/code quoting VIP:80 -> CLIENT:40000 over proto, at m. */
static uint32_t
quote(uint8_t *m, uint8_t type, uint8_t proto)
{
	uint8_t *q = m + 8;
	uint32_t vip = htonl(VIP), cl = htonl(CLIENT);

	memset(m, 0, 64);
	m[0] = type;
	m[1] = 4;
	q[0] = 0x45;
	q[9] = proto;
	memcpy(q + 12, &vip, 4);
	memcpy(q + 16, &cl, 4);
	q[20] = 0;
	q[21] = 80;
	q[22] = 0x9c;
	q[23] = 0x40; /* 40000 */
	return 8 + 20 + 8;
}

static void
test_error_flow(void)
{
	uint8_t m[64];
	struct dsr_flow fl;
	uint32_t len = quote(m, 3, 6);

	CHECK_EQ(dsr_icmp4_kind(3), DSR_ICMP_K_ERROR);
	CHECK_EQ(dsr_icmp4_kind(11), DSR_ICMP_K_ERROR);
	CHECK_EQ(dsr_icmp4_kind(8), DSR_ICMP_K_ECHO);
	CHECK_EQ(dsr_icmp4_kind(0), DSR_ICMP_K_OTHER);
	CHECK_EQ(dsr_icmp4_kind(5), DSR_ICMP_K_OTHER);
	CHECK_EQ(dsr_icmp4_error_flow(m, len, htonl(VIP), &fl), DSR_ICMP_ERR_OK);
	/* The client's direction: what the table and Maglev key on. */
	CHECK_EQ(fl.src_ip, htonl(CLIENT));
	CHECK_EQ(fl.dst_ip, htonl(VIP));
	CHECK_EQ(ntohs(fl.src_port), 40000);
	CHECK_EQ(ntohs(fl.dst_port), 80);
	CHECK_EQ(fl.proto, 6);
	CHECK(fl.pad[0] == 0 && fl.pad[1] == 0 && fl.pad[2] == 0);
	len = quote(m, 11, 17);
	CHECK_EQ(dsr_icmp4_error_flow(m, len, htonl(VIP), &fl), DSR_ICMP_ERR_OK);
	CHECK_EQ(fl.proto, 17);
	/* Short of the quoted ports, or of the quoted header. */
	CHECK_EQ(dsr_icmp4_error_flow(m, len - 1, htonl(VIP), &fl), DSR_ICMP_ERR_TRUNCATED);
	CHECK_EQ(dsr_icmp4_error_flow(m, 8 + 19, htonl(VIP), &fl), DSR_ICMP_ERR_TRUNCATED);
	CHECK_EQ(dsr_icmp4_error_flow(m, 8, htonl(VIP), &fl), DSR_ICMP_ERR_TRUNCATED);
	/* Options in the quoted header: the ports come after them. */
	m[8] = 0x46;
	CHECK_EQ(dsr_icmp4_error_flow(m, len, htonl(VIP), &fl), DSR_ICMP_ERR_TRUNCATED);
	CHECK_EQ(dsr_icmp4_error_flow(m, len + 4, htonl(VIP), &fl), DSR_ICMP_ERR_OK);
	m[8] = 0x45;
	/* Not what the VIP sent. */
	CHECK_EQ(dsr_icmp4_error_flow(m, len, htonl(VIP + 1), &fl), DSR_ICMP_ERR_FOREIGN);
	m[8] = 0x65; /* IPv6 */
	CHECK_EQ(dsr_icmp4_error_flow(m, len, htonl(VIP), &fl), DSR_ICMP_ERR_FOREIGN);
	m[8] = 0x44; /* IHL 4 */
	CHECK_EQ(dsr_icmp4_error_flow(m, len, htonl(VIP), &fl), DSR_ICMP_ERR_FOREIGN);
	m[8] = 0x45;
	m[8 + 9] = 1; /* ICMP quoting ICMP */
	CHECK_EQ(dsr_icmp4_error_flow(m, len, htonl(VIP), &fl), DSR_ICMP_ERR_FOREIGN);
	m[8 + 9] = 17;
	m[8 + 7] = 0xb9; /* a later fragment: no ports */
	CHECK_EQ(dsr_icmp4_error_flow(m, len, htonl(VIP), &fl), DSR_ICMP_ERR_FOREIGN);
	m[8 + 6] = 0x20; /* MF, offset 0: the first fragment has them */
	m[8 + 7] = 0;
	CHECK_EQ(dsr_icmp4_error_flow(m, len, htonl(VIP), &fl), DSR_ICMP_ERR_OK);
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
test_echo_reply(void)
{
	static const uint8_t lb_mac[6] = {2, 0x70, 0x63, 0x61, 0x70, 0};
	uint8_t f[14 + 20 + 8 + 13 + 6], ip[20];
	uint32_t vip = htonl(VIP), cl = htonl(CLIENT);
	struct dsr_pkt pkt;
	uint32_t len = sizeof(f);

	memset(f, 0, sizeof(f));
	memcpy(f, lb_mac, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\xc1\x01", 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[17] = 20 + 8 + 13; /* 6 bytes of Ethernet padding follow */
	f[18] = 0x12;
	f[22] = 7; /* TTL */
	f[23] = 1;
	memcpy(f + 26, &cl, 4);
	memcpy(f + 30, &vip, 4);
	f[24] = 0;
	f[25] = 0;
	f[24] = (uint8_t)(dsr_csum_fold(dsr_csum_add(0, f + 14, 20)) >> 8);
	f[25] = (uint8_t)dsr_csum_fold(dsr_csum_add(0, f + 14, 20));
	f[34] = 8;    /* echo request */
	f[38] = 0xab; /* id */
	f[41] = 3;    /* seq */
	memcpy(f + 42, "hello, world!", 13);
	{
		uint16_t c = dsr_csum_fold(dsr_csum_add(0, f + 34, 8 + 13));

		f[36] = (uint8_t)(c >> 8);
		f[37] = (uint8_t)c;
	}
	CHECK_EQ(dsr_pkt_parse(f, len, &pkt), DSR_PKT_ICMP);
	f[45] ^= 1; /* a bad checksum: no reply */
	CHECK_EQ(dsr_icmp4_echo_reply(f, &pkt, lb_mac), -1);
	CHECK(memcmp(f, lb_mac, 6) == 0);
	f[45] ^= 1;
	CHECK_EQ(dsr_icmp4_echo_reply(f, &pkt, lb_mac), 0);
	CHECK(memcmp(f, "\x02\x00\x00\x00\xc1\x01", 6) == 0);
	CHECK(memcmp(f + 6, lb_mac, 6) == 0);
	CHECK(memcmp(f + 26, &vip, 4) == 0);
	CHECK(memcmp(f + 30, &cl, 4) == 0);
	CHECK_EQ(f[22], 64);
	CHECK_EQ(rd16(f + 18), 0x1200); /* the id stays */
	CHECK_EQ(f[34], 0);
	CHECK_EQ(f[35], 0);
	CHECK_EQ(f[38], 0xab);
	CHECK_EQ(f[41], 3);
	CHECK(memcmp(f + 42, "hello, world!", 13) == 0);
	/* Both checksums verify. */
	memcpy(ip, f + 14, 20);
	CHECK_EQ(dsr_csum_fold(dsr_csum_add(0, ip, 20)), 0);
	CHECK_EQ(dsr_csum_fold(dsr_csum_add(0, f + 34, 8 + 13)), 0);
}

static void
test_rate_limit(void)
{
	struct dsr_icmp_rl rl;
	unsigned int i, n;

	dsr_icmp_rl_init(&rl, 3, 1000);
	for (i = n = 0; i < 10; i++)
		n += dsr_icmp_rl_take(&rl, 1000);
	CHECK_EQ(n, 3); /* a second's worth at once */
	CHECK(!dsr_icmp_rl_take(&rl, 1300));
	CHECK(dsr_icmp_rl_take(&rl, 1334)); /* one token per 333 ms */
	CHECK(!dsr_icmp_rl_take(&rl, 1400));
	for (i = n = 0; i < 10; i++)
		n += dsr_icmp_rl_take(&rl, 100000);
	CHECK_EQ(n, 3); /* never more than a second's worth saved */
	dsr_icmp_rl_init(&rl, 0, 0);
	CHECK(!dsr_icmp_rl_take(&rl, 0));
	CHECK(!dsr_icmp_rl_take(&rl, 1000000));
	/* Across the clock's wrap, and a clock that goes back. */
	dsr_icmp_rl_init(&rl, 1000, UINT32_MAX - 5);
	for (i = n = 0; i < 2000; i++)
		n += dsr_icmp_rl_take(&rl, UINT32_MAX - 5);
	CHECK_EQ(n, 1000);
	for (i = n = 0; i < 100; i++)
		n += dsr_icmp_rl_take(&rl, 10); /* 16 ms later: 16 tokens */
	CHECK_EQ(n, 16);
	CHECK(!dsr_icmp_rl_take(&rl, 5)); /* back in time: nothing new */
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_error_flow),
		DSR_TEST(test_echo_reply),
		DSR_TEST(test_rate_limit),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
