/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_PKT_H
#define DSR_PKT_H

/**
 * @file
 * Packet parsing for the fast path: Ethernet (one optional 802.1Q tag),
 * IPv4, TCP and UDP, read from a flat byte buffer. Pure C: no EAL, no
 * mbuf, so the same code is unit-tested, fuzzed and run by workers.
 */

#include <stddef.h>
#include <stdint.h>

#include "dsr_common.h"

/** A flow's 5-tuple. Addresses and ports are in network byte order. */
struct dsr_flow {
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t proto;  /**< DSR_IPPROTO_TCP or DSR_IPPROTO_UDP */
	uint8_t pad[3]; /**< always zero, so the struct can be compared whole */
};

/* The fast path copies and hashes it as two 8-byte words. */
_Static_assert(sizeof(struct dsr_flow) == 16, "struct dsr_flow is 16 bytes");

/** TCP flag bits as found in the TCP header's flags byte. */
#define DSR_TCP_FIN 0x01
#define DSR_TCP_SYN 0x02
#define DSR_TCP_RST 0x04
#define DSR_TCP_PSH 0x08
#define DSR_TCP_ACK 0x10

/** What a frame is, as far as the fast path cares. */
enum dsr_pkt_class {
	/**
	 * IPv4 TCP or UDP, headers complete: forwardable. Also the first
	 * fragment of a TCP or UDP datagram (frag DSR_PKT_FRAG_FIRST) whose
	 * L4 header is whole in it; its UDP length is that of the whole
	 * datagram, so only its lower bound is checked.
	 */
	DSR_PKT_L4 = 0,
	DSR_PKT_ARP,       /**< ARP: belongs to the slow path */
	DSR_PKT_NOT_IPV4,  /**< another ethertype, or a second VLAN tag */
	DSR_PKT_MALFORMED, /**< truncated or inconsistent header */
	/**
	 * Any other IPv4 fragment: a later one (offset non-zero, frag
	 * DSR_PKT_FRAG_LATER) or the first one of another protocol. flow has
	 * the addresses and protocol, ports 0.
	 */
	DSR_PKT_FRAGMENT,
	DSR_PKT_TTL,      /**< TTL <= 1 */
	DSR_PKT_OTHER_L4, /**< IPv4, neither TCP, UDP nor ICMP */
	/**
	 * ICMP, not a fragment, its 8-byte header whole (l4_off points at
	 * it). flow has the addresses and protocol, ports 0.
	 */
	DSR_PKT_ICMP,
	/* IPv6 (dsr_pkt6.h's dsr_pkt_parse6()); L4, MALFORMED, FRAGMENT and OTHER_L4 serve it too. */
	DSR_PKT_ICMPV6,   /**< ICMPv6, not a fragment, its 8-byte header whole */
	DSR_PKT_HOPLIMIT, /**< IPv6 hop limit <= 1 */
	DSR_PKT_NOT_IPV6, /**< dsr_pkt_parse6(): another ethertype (IPv4, ARP), or a second VLAN tag */
};

/** Where a frame stands among the fragments of its datagram (struct dsr_pkt's frag). */
enum dsr_pkt_frag {
	DSR_PKT_FRAG_NONE = 0, /**< a whole datagram */
	DSR_PKT_FRAG_FIRST,    /**< offset 0, more fragments: it has the ports */
	DSR_PKT_FRAG_LATER,    /**< offset non-zero: no L4 header */
};

/** The result of parsing one frame. */
struct dsr_pkt {
	struct dsr_flow flow;
	uint16_t l3_off;    /**< offset of the IPv4 header in the frame */
	uint16_t l4_off;    /**< offset of the TCP/UDP header */
	uint16_t ethertype; /**< inner ethertype, host order */
	uint16_t vlan_tci;  /**< host order; valid if has_vlan */
	uint16_t ip_id;     /**< IPv4 identification, host order (when l3_off is valid) */
	uint8_t has_vlan;
	uint8_t tcp_flags; /**< TCP flags byte; 0 for UDP */
	uint8_t frag;      /**< enum dsr_pkt_frag */
};

/** Bytes of an ICMP header (type, code, checksum, 4 more). */
#define DSR_ICMP_HLEN 8u

/**
 * Parse a frame.
 *
 * @param frame  the frame, starting at the Ethernet destination address
 * @param len    bytes available (Ethernet padding after the IPv4
 *               total length is allowed)
 * @param pkt    filled in as far as parsing got
 * @return the frame's class; only DSR_PKT_L4 has a complete pkt->flow
 */
enum dsr_pkt_class dsr_pkt_parse(const uint8_t *frame, uint32_t len, struct dsr_pkt *pkt);

/** The one's complement sum of n bytes (RFC 1071), added to sum. */
uint32_t dsr_csum_add(uint32_t sum, const uint8_t *p, size_t n);

/** Fold a dsr_csum_add() sum into the checksum to write (host order). */
uint16_t dsr_csum_fold(uint32_t sum);

/*
 * A fixed salt. It must never change between releases: the Maglev slot
 * of every live flow would move if it did.
 */
#define DSR_FLOW_HASH_SALT 0x64737266776b6579ULL

/**
 * A 64-bit hash of a flow. It has no random seed: every dsrlb process
 * on every machine computes the same value for the same flow, which is
 * what lets a restarted daemon (or a peer) pick the same Maglev slot.
 * (The value depends on byte order: x86-64 and other little-endian hosts
 * agree with each other.)
 */
static inline uint64_t
dsr_flow_hash(const struct dsr_flow *flow)
{
	uint64_t a, b, k;

	/* The flow as two words; the pad bytes are always zero. */
	__builtin_memcpy(&a, flow, 8);
	__builtin_memcpy(&b, (const uint8_t *)flow + 8, 8);
	a *= 0x9e3779b97f4a7c15ULL;
	b = (b ^ (b >> 29)) * 0xbf58476d1ce4e5b9ULL;
	k = a ^ ((b << 31) | (b >> 33)) ^ DSR_FLOW_HASH_SALT;
	/* MurmurHash3's 64-bit finaliser. */
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/**
 * The connection table's hash of a flow: CRC32C of its two words, the
 * 32-bit result in both halves, so that the table's bucket index (low
 * bits) and slot tag (top 5 bits) are both well mixed. The table only
 * needs a hash that is the same for a flow within one process, and this
 * one costs two instructions (SSE4.2, as rte_hash's default hash) where
 * dsr_flow_hash(), which stays the hash that Maglev picks backends with,
 * costs a chain of multiplies. Without SSE4.2 it is dsr_flow_hash().
 * Neither is keyed: flows can be crafted to share a bucket with either.
 */
#if defined(__SSE4_2__)
static inline uint64_t
dsr_flow_table_hash(const struct dsr_flow *flow)
{
	uint64_t a, b, c;

	__builtin_memcpy(&a, flow, 8);
	__builtin_memcpy(&b, (const uint8_t *)flow + 8, 8);
	c = __builtin_ia32_crc32di((uint32_t)DSR_FLOW_HASH_SALT, a);
	c = __builtin_ia32_crc32di((uint32_t)c, b);
	return (c << 32) | c;
}
#else
static inline uint64_t
dsr_flow_table_hash(const struct dsr_flow *flow)
{
	return dsr_flow_hash(flow);
}
#endif

#endif /* DSR_PKT_H */
