/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/pkt: frame classification and the flow hash. The traffic fixtures
 * cover the same cases end to end; these pin the parser's own contract
 * (offsets, flags, the flow's byte layout) and the hash's values.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dsr_pkt.h"
#include "dsr_test.h"

#define FRAME_MAX 128

/* Build Ethernet [+ VLAN] + IPv4 + TCP/UDP into buf; returns the length. */
static uint32_t
build(uint8_t *buf, int vlan, uint8_t proto, uint8_t ttl, uint16_t frag, uint8_t ihl_words,
      uint8_t tcp_flags)
{
	uint32_t l3 = vlan ? 18 : 14, ihl = ihl_words * 4u, l4len = proto == 6 ? 20 : 8;
	uint16_t tot = (uint16_t)(ihl + l4len);
	uint8_t *ip, *l4;

	memset(buf, 0, FRAME_MAX);
	memset(buf, 0x02, 12);
	if (vlan) {
		buf[12] = 0x81;
		buf[13] = 0x00;
		buf[14] = 0x20; /* prio 1, vid 42 */
		buf[15] = 42;
	}
	buf[l3 - 2] = 0x08;
	buf[l3 - 1] = 0x00;
	ip = buf + l3;
	ip[0] = (uint8_t)(0x40 | ihl_words);
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[6] = (uint8_t)(frag >> 8);
	ip[7] = (uint8_t)frag;
	ip[8] = ttl;
	ip[9] = proto;
	memcpy(ip + 12, "\xc0\x00\x02\x0a", 4); /* 192.0.2.10 */
	memcpy(ip + 16, "\x0a\x00\x00\x64", 4); /* 10.0.0.100 */
	l4 = ip + ihl;
	l4[0] = 0x9c; /* sport 40000 */
	l4[1] = 0x40;
	l4[2] = 0x00; /* dport 80 */
	l4[3] = 80;
	if (proto == 6) {
		l4[12] = 5 << 4;
		l4[13] = tcp_flags;
	} else {
		l4[4] = 0;
		l4[5] = 8;
	}
	return l3 + tot;
}

static void
test_tcp(void)
{
	uint8_t f[FRAME_MAX];
	struct dsr_pkt p;
	uint32_t len = build(f, 0, 6, 64, 0, 5, DSR_TCP_SYN);

	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_L4);
	CHECK_EQ(p.l3_off, 14);
	CHECK_EQ(p.l4_off, 34);
	CHECK_EQ(p.flow.src_ip, inet_addr("192.0.2.10"));
	CHECK_EQ(p.flow.dst_ip, inet_addr("10.0.0.100"));
	CHECK_EQ(p.flow.src_port, htons(40000));
	CHECK_EQ(p.flow.dst_port, htons(80));
	CHECK_EQ(p.flow.proto, 6);
	CHECK_EQ(p.flow.pad[0] | p.flow.pad[1] | p.flow.pad[2], 0);
	CHECK_EQ(p.tcp_flags, DSR_TCP_SYN);
	CHECK_EQ(p.has_vlan, 0);
}

static void
test_udp_vlan_options(void)
{
	uint8_t f[FRAME_MAX];
	struct dsr_pkt p;
	uint32_t len = build(f, 1, 17, 64, 0, 7, 0);

	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_L4);
	CHECK_EQ(p.has_vlan, 1);
	CHECK_EQ(p.vlan_tci, 0x202a);
	CHECK_EQ(p.l3_off, 18);
	CHECK_EQ(p.l4_off, 18 + 28);
	CHECK_EQ(p.flow.proto, 17);
	CHECK_EQ(p.tcp_flags, 0);
	/* Ethernet padding after the IPv4 total length is allowed. */
	CHECK_EQ(dsr_pkt_parse(f, len + 10, &p), DSR_PKT_L4);
}

/* Fragments: the first has the ports, later ones only the addresses. */
static void
test_fragments(void)
{
	uint8_t f[FRAME_MAX];
	struct dsr_pkt p;
	uint32_t len;

	len = build(f, 0, 6, 64, 0x2000, 5, 0x02); /* MF, offset 0: TCP, header whole */
	f[18] = 0x12;
	f[19] = 0x34;
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_L4);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_FIRST);
	CHECK_EQ(p.ip_id, 0x1234);
	CHECK_EQ(ntohs(p.flow.src_port), 40000);
	CHECK_EQ(p.tcp_flags, 0x02);
	/* A first fragment too short for its TCP header (RFC 1858's tiny fragment). */
	f[16] = 0;
	f[17] = 20 + 8;
	CHECK_EQ(dsr_pkt_parse(f, 14 + 20 + 8, &p), DSR_PKT_MALFORMED);
	len = build(f, 0, 17, 64, 0x2000, 5, 0); /* UDP: its length is the datagram's */
	f[14 + 20 + 4] = 0x0f;
	f[14 + 20 + 5] = 0xa0; /* 4000 */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_L4);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_FIRST);
	f[14 + 20 + 4] = 0;
	f[14 + 20 + 5] = 7; /* below the UDP header */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_MALFORMED);
	/* The same length in a whole datagram is beyond it. */
	len = build(f, 0, 17, 64, 0, 5, 0);
	f[14 + 20 + 4] = 0x0f;
	f[14 + 20 + 5] = 0xa0;
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_MALFORMED);

	len = build(f, 1, 17, 64, 0x00b9, 5, 0); /* offset 1480, last: VLAN tagged */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_FRAGMENT);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_LATER);
	CHECK_EQ(p.l3_off, 18);
	CHECK_EQ(p.flow.src_ip, htonl(0xc000020a));
	CHECK_EQ(p.flow.dst_ip, htonl(0x0a000064));
	CHECK_EQ(p.flow.proto, 17);
	CHECK_EQ(p.flow.src_port, 0);
	CHECK_EQ(p.flow.dst_port, 0);
	len = build(f, 0, 6, 64, 0x2001, 5, 0); /* MF and an offset */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_FRAGMENT);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_LATER);
	len = build(f, 0, 1, 64, 0x2000, 5, 0); /* the first fragment of ICMP */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_FRAGMENT);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_FIRST);
	len = build(f, 0, 6, 1, 0x0001, 5, 0); /* TTL comes first */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_TTL);
}

static void
test_classes(void)
{
	uint8_t f[FRAME_MAX];
	struct dsr_pkt p;
	uint32_t len;

	len = build(f, 0, 6, 1, 0, 5, 0);
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_TTL);
	len = build(f, 0, 6, 0, 0, 5, 0);
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_TTL);
	len = build(f, 0, 6, 64, 0x4000, 5, 0); /* DF alone is fine */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_L4);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_NONE);
	len = build(f, 0, 1, 64, 0, 5, 0); /* ICMP: 8 bytes of header */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_ICMP);
	CHECK_EQ(p.l4_off, 34);
	CHECK_EQ(p.flow.proto, 1);
	CHECK_EQ(p.flow.src_port, 0);
	CHECK_EQ(dsr_pkt_parse(f, len - 1, &p), DSR_PKT_MALFORMED);
	len = build(f, 0, 47, 64, 0, 5, 0); /* GRE */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_OTHER_L4);
	len = build(f, 0, 6, 64, 0, 5, 0);
	f[12] = 0x86;
	f[13] = 0xdd;
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_NOT_IPV4);
	f[12] = 0x08;
	f[13] = 0x06;
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_ARP);
	/* A second tag is not for us. */
	len = build(f, 1, 6, 64, 0, 5, 0);
	f[16] = 0x81;
	f[17] = 0x00;
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_NOT_IPV4);
}

static void
test_malformed(void)
{
	uint8_t f[FRAME_MAX];
	struct dsr_pkt p;
	uint32_t len, cut;

	len = build(f, 0, 6, 64, 0, 5, 0);
	/* Every truncation of a valid TCP frame is malformed. */
	for (cut = 0; cut < len; cut++)
		CHECK_EQ(dsr_pkt_parse(f, cut, &p), DSR_PKT_MALFORMED);
	len = build(f, 1, 17, 64, 0, 5, 0);
	for (cut = 0; cut < len; cut++)
		CHECK_EQ(dsr_pkt_parse(f, cut, &p), DSR_PKT_MALFORMED);

	len = build(f, 0, 6, 64, 0, 5, 0);
	f[14] = 0x44; /* IHL 4 */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_MALFORMED);
	f[14] = 0x65; /* version 6 */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_MALFORMED);
	len = build(f, 0, 6, 64, 0, 5, 0);
	f[14 + 20 + 12] = 4 << 4; /* TCP data offset 4 */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_MALFORMED);
	f[14 + 20 + 12] = 6 << 4; /* data offset past the IP length */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_MALFORMED);
	len = build(f, 0, 17, 64, 0, 5, 0);
	f[14 + 20 + 5] = 7; /* UDP length 7 */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_MALFORMED);
	f[14 + 20 + 5] = 9; /* UDP length past the IP payload */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_MALFORMED);
	len = build(f, 0, 6, 64, 0, 5, 0);
	f[17] = (uint8_t)(f[17] + 1); /* IPv4 total length one past the frame */
	CHECK_EQ(dsr_pkt_parse(f, len, &p), DSR_PKT_MALFORMED);
}

/* A client's flow to the web VIP. */
static struct dsr_flow
sample_flow(void)
{
	struct dsr_flow a = {0};

	a.src_ip = inet_addr("192.0.2.10");
	a.dst_ip = inet_addr("10.0.0.100");
	a.src_port = htons(40000);
	a.dst_port = htons(80);
	a.proto = 6;
	return a;
}

/* hash is a function of the flow that a port, the protocol or an address changes. */
static void
check_hash_fields(uint64_t (*hash)(const struct dsr_flow *))
{
	struct dsr_flow a = sample_flow(), b = a;

	CHECK_EQ(hash(&a), hash(&b));
	b.src_port = htons(40001);
	CHECK(hash(&a) != hash(&b));
	b = a;
	b.proto = 17;
	CHECK(hash(&a) != hash(&b));
	b = a;
	b.dst_ip = inet_addr("10.0.0.101");
	CHECK(hash(&a) != hash(&b));
}

static void
test_hash(void)
{
	struct dsr_flow a = sample_flow();

	/*
	 * Pinned: a change here moves the Maglev slot of every live flow, so
	 * a restarted or upgraded daemon would send established connections
	 * elsewhere. Change it only knowingly.
	 */
	CHECK_EQ(dsr_flow_hash(&a), (long long)0x494b31f0a7ee6a4aULL);
	check_hash_fields(dsr_flow_hash);
}

/*
 * The table's hash: a function of the whole flow, and spread over both
 * the bucket bits (low) and the tag bits (top 5) for flows that differ
 * only a little, as clients' ports and addresses do.
 */
static void
test_table_hash(void)
{
	enum { NB = 4096, FLOWS = 8 * NB };
	static unsigned int bucket[NB];
	unsigned int tag[32] = {0}, i, most = 0, fewest = FLOWS;
	struct dsr_flow a = sample_flow(), b;

	check_hash_fields(dsr_flow_table_hash);
	/* 256 client addresses x 128 ports: 8 flows a bucket on average. */
	for (i = 0; i < FLOWS; i++) {
		uint64_t h;

		b = a;
		b.src_ip = htonl(ntohl(a.src_ip) + i / 128);
		b.src_port = htons((uint16_t)(40000 + i % 128));
		h = dsr_flow_table_hash(&b);
		bucket[h & (NB - 1)]++;
		tag[h >> 59]++;
	}
	for (i = 0; i < NB; i++) {
		most = bucket[i] > most ? bucket[i] : most;
		fewest = bucket[i] < fewest ? bucket[i] : fewest;
	}
	/* Poisson(8) would put the fullest of 4096 buckets near 21. */
	CHECK(most <= 32);
	for (i = 0; i < 32; i++)
		CHECK(tag[i] > FLOWS / 32 / 2 && tag[i] < FLOWS / 32 * 2);
	printf("# table hash: %u flows in %u buckets, %u to %u a bucket\n", FLOWS, NB, fewest,
	       most);
}

static void
test_ip_str(void)
{
	char buf[16];

	CHECK_STR(dsr_ip_str(inet_addr("10.0.0.100"), buf), "10.0.0.100");
	CHECK_STR(dsr_ip_str(inet_addr("255.255.255.255"), buf), "255.255.255.255");
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_tcp),        DSR_TEST(test_udp_vlan_options), DSR_TEST(test_classes),
		DSR_TEST(test_fragments),  DSR_TEST(test_malformed),        DSR_TEST(test_hash),
		DSR_TEST(test_table_hash), DSR_TEST(test_ip_str),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
