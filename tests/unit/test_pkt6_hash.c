/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/pkt's IPv6 flow hashes: the Maglev one's pinned values (it must
 * never change), every key bit's effect, and both hashes' spread.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dsr_pkt6.h"
#include "dsr_test.h"

/*
 * The hashes' pinned values for sample_flow() and its UDP twin. The first
 * two were also computed by a Python transcription of dsr_flow6_hash().
 */
#define PIN_FLOW6_HASH     0xe4a49bd92e6a9c10ULL
#define PIN_FLOW6_HASH_UDP 0x25defddd560101ceULL
#if defined(__SSE4_2__)
#define PIN_FLOW6_TABLE_HASH 0xb5c33314b5c33314ULL
#else
#define PIN_FLOW6_TABLE_HASH PIN_FLOW6_HASH
#endif

static const uint8_t client[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a};
static const uint8_t vip[16] = {0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00};

/* A client's flow to an IPv6 web VIP. */
static struct dsr_flow6
sample_flow(void)
{
	struct dsr_flow6 a;

	memset(&a, 0, sizeof(a));
	memcpy(a.src_ip, client, 16);
	memcpy(a.dst_ip, vip, 16);
	a.src_port = htons(40000);
	a.dst_port = htons(80);
	a.proto = DSR_IPPROTO_TCP;
	return a;
}

/* Flipping any one bit of the 37 bytes of key changes hash; returns the bits changed on average. */
static double
check_hash_bits(uint64_t (*hash)(const struct dsr_flow6 *))
{
	struct dsr_flow6 a = sample_flow(), b;
	uint64_t h = hash(&a);
	unsigned int i, changed = 0;

	CHECK_EQ(hash(&a), hash(&a));
	for (i = 0; i < 37 * 8; i++) {
		b = a;
		((uint8_t *)&b)[i / 8] ^= (uint8_t)(1u << (i % 8));
		CHECK(hash(&b) != h);
		changed += (unsigned int)__builtin_popcountll(hash(&b) ^ h);
	}
	return (double)changed / (37 * 8);
}

static void
test_hash(void)
{
	struct dsr_flow6 a = sample_flow();
	double avg;

	/*
	 * Pinned: a change here moves the Maglev slot of every live IPv6
	 * flow, so a restarted or upgraded daemon (or a peer) would send
	 * established connections elsewhere. Change it only knowingly.
	 */
	CHECK_EQ(dsr_flow6_hash(&a), (long long)PIN_FLOW6_HASH);
	a.proto = DSR_IPPROTO_UDP;
	a.src_port = htons(5353);
	a.dst_port = htons(53);
	CHECK_EQ(dsr_flow6_hash(&a), (long long)PIN_FLOW6_HASH_UDP);
	/* Any bit of the key changes about half the hash's bits. */
	avg = check_hash_bits(dsr_flow6_hash);
	CHECK(avg > 28 && avg < 36);
	printf("# flow6 hash: one key bit flipped changes %.1f of 64 bits on average\n", avg);
}

/*
 * The table's hash: any bit of the key changes it; spread over both the
 * bucket bits (low) and the tag bits (top 5) for flows that differ only a
 * little, as clients' ports and addresses do. Its value only has to be
 * the same within a process; it is pinned (for SSE4.2) so that a change
 * is seen, not because one would be harmful.
 */
static void
test_table_hash(void)
{
	enum { NB = 4096, FLOWS = 8 * NB };
	static unsigned int bucket[NB];
	unsigned int tag[32] = {0}, i, most = 0, fewest = FLOWS;
	struct dsr_flow6 a = sample_flow(), b;

	CHECK_EQ(dsr_flow6_table_hash(&a), (long long)PIN_FLOW6_TABLE_HASH);
	check_hash_bits(dsr_flow6_table_hash);
	/* 256 client addresses (the last two bytes) x 128 ports: 8 flows a bucket on average. */
	for (i = 0; i < FLOWS; i++) {
		uint64_t h;

		b = a;
		b.src_ip[14] = (uint8_t)(i / 128);
		b.src_ip[15] = (uint8_t)(0x0a + i / 128);
		b.src_port = htons((uint16_t)(40000 + i % 128));
		h = dsr_flow6_table_hash(&b);
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
	printf("# flow6 table hash: %u flows in %u buckets, %u to %u a bucket\n", FLOWS, NB, fewest,
	       most);
}

/*
 * The Maglev hash spread over a prime table size, as Maglev takes it
 * modulo: flows from one /64 (the interface identifier's last bytes) and
 * ports, 64 flows a slot on average; no slot far from that.
 */
static void
test_hash_spread(void)
{
	enum { M = 251, FLOWS = 64 * M };
	unsigned int slot[M] = {0}, i, most = 0, fewest = FLOWS;
	struct dsr_flow6 a = sample_flow(), b;

	for (i = 0; i < FLOWS; i++) {
		b = a;
		b.src_ip[13] = (uint8_t)(i >> 12);
		b.src_ip[15] = (uint8_t)(i >> 6);
		b.src_port = htons((uint16_t)(50000 + (i & 63)));
		slot[dsr_flow6_hash(&b) % M]++;
	}
	for (i = 0; i < M; i++) {
		most = slot[i] > most ? slot[i] : most;
		fewest = slot[i] < fewest ? slot[i] : fewest;
	}
	/* Poisson(64): 5 standard deviations is 24 either way. */
	CHECK(most < 64 + 40 && fewest > 64 - 40);
	printf("# flow6 hash: %u flows in %u slots, %u to %u a slot\n", FLOWS, M, fewest, most);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_hash),
		DSR_TEST(test_table_hash),
		DSR_TEST(test_hash_spread),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
