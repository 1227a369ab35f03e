/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_PKT6_H
#define DSR_PKT6_H

/**
 * @file
 * IPv6 for the fast path: the parser (the fixed header, then a bounded
 * walk of the extension header chain to TCP, UDP or ICMPv6) and the IPv6
 * flow hashes. Pure C, like dsr_pkt.h, whose classes and fragment kinds
 * it shares.
 *
 * The forwarding path runs dsr_pkt_parse() first: an IPv6 frame comes
 * back DSR_PKT_NOT_IPV4 with ethertype DSR_ETHERTYPE_IPV6 and l3_off set,
 * and dsr_pkt_parse6_l3() goes on from there, so that IPv4 frames pay
 * nothing for IPv6. dsr_pkt_parse6() does both steps for callers that
 * only want IPv6 (tests, the slow path).
 */

#include <stdint.h>

#include "dsr_flow6.h"
#include "dsr_pkt.h"

/** At most this many extension headers are walked; a longer chain is malformed. */
#define DSR_PKT6_MAX_EXT 8u

/** Bytes of an ICMPv6 header that must be whole (type, code, checksum, 4 more). */
#define DSR_ICMPV6_HLEN 8u

/** Bytes of the IPv6 fragment header. */
#define DSR_IPV6_FRAG_HLEN 8u

/*
 * Why an IPv6 frame is DSR_PKT_MALFORMED: X(ENUM, "name", "meaning"), in
 * the form of lib/stats' DSR_DROP_REASONS, so that the rows can become
 * drop reasons there as they are.
 */
#define DSR_PKT6_REASONS(X)                                                                        \
	X(TRUNCATED, "ipv6-truncated",                                                             \
	  "frame ends inside the Ethernet or IPv6 header, or an extension, TCP, UDP or ICMPv6 "    \
	  "header ends beyond the IPv6 payload")                                                   \
	X(VERSION, "ipv6-version", "IPv6 ethertype with an IP version other than 6")               \
	X(PAYLOAD_LEN, "ipv6-payload-length", "IPv6 payload length beyond the frame")              \
	X(EXT_CHAIN, "ipv6-ext-chain",                                                             \
	  "bad IPv6 extension header chain: a second fragment header, or a fragment whose length " \
	  "is not a multiple of 8 with more to come or that ends beyond 65535")                    \
	X(EXT_MANY, "ipv6-ext-many", "more than 8 IPv6 extension headers")                         \
	X(HOPOPTS_NOT_FIRST, "ipv6-hbh-not-first",                                                 \
	  "IPv6 hop-by-hop options header other than right after the fixed header")                \
	X(L4_HEADER, "ipv6-l4-header",                                                             \
	  "TCP data offset below 20 bytes or beyond the payload, or UDP length below 8 or beyond " \
	  "the payload")

/** Why dsr_pkt_parse6() said DSR_PKT_MALFORMED (struct dsr_pkt6's reason); 0 is none. */
#define DSR_PKT6_X_ENUM(e, name, text) DSR_PKT6_##e,
enum dsr_pkt6_reason { DSR_PKT6_OK = 0, DSR_PKT6_REASONS(DSR_PKT6_X_ENUM) DSR_PKT6_NREASONS };
#undef DSR_PKT6_X_ENUM

/** The result of parsing one IPv6 frame. */
struct dsr_pkt6 {
	/**
	 * Written once the fixed header is valid (end_off != 0), else left
	 * as it was: the addresses; the protocol once the chain's last
	 * header is known (for a later fragment, the fragment header's next
	 * header), else 0; the ports for DSR_PKT_L4 only, else 0; pad 0.
	 */
	struct dsr_flow6 flow;
	uint32_t frag_id;      /**< fragment header's identification, host order; else 0 */
	uint32_t end_off;      /**< one past the IPv6 payload, if its length is valid; else 0 */
	uint16_t l3_off;       /**< offset of the IPv6 fixed header in the frame */
	uint16_t l4_off;       /**< offset of the chain's last (upper-layer) header, or 0 */
	uint16_t frag_hdr_off; /**< offset of the fragment header; else 0 */
	uint16_t ethertype;    /**< inner ethertype, host order (dsr_pkt_parse6() only) */
	uint16_t vlan_tci;     /**< host order; valid if has_vlan (dsr_pkt_parse6() only) */
	uint8_t has_vlan;      /**< dsr_pkt_parse6() only */
	uint8_t tcp_flags;     /**< TCP flags byte; 0 unless TCP */
	uint8_t frag;          /**< enum dsr_pkt_frag: NONE also for an atomic fragment */
	uint8_t hop_limit;     /**< once the fixed header is valid */
	uint8_t reason;        /**< enum dsr_pkt6_reason: set for DSR_PKT_MALFORMED, else 0 */
	uint8_t n_ext;         /**< extension headers walked */
};

/* One cache line; the flow first, as the hashes read it. */
_Static_assert(sizeof(struct dsr_pkt6) == 64, "struct dsr_pkt6 is 64 bytes");

/**
 * Parse the IPv6 packet at l3 in a frame (the rest of dsr_pkt_parse()'s
 * work when it said DSR_PKT_NOT_IPV4 for ethertype DSR_ETHERTYPE_IPV6).
 *
 * Checks the version and that the payload length is within the frame
 * (Ethernet padding after it is allowed), then walks at most
 * DSR_PKT6_MAX_EXT extension headers, each within the payload: hop-by-hop
 * (only first), routing (with no segments left), destination options and
 * one fragment header.
 *
 * @param frame  the frame, starting at the Ethernet destination address
 * @param len    bytes available
 * @param l3     offset of the IPv6 fixed header
 * @param pkt    filled in as far as parsing got; has_vlan, vlan_tci and
 *               ethertype are left as they are
 * @return
 *   - DSR_PKT_L4: TCP or UDP, header whole (data offset / UDP length
 *     checked as for IPv4); also the first fragment of one (frag
 *     DSR_PKT_FRAG_FIRST) whose header is whole in it. flow complete.
 *   - DSR_PKT_ICMPV6: not a fragment, DSR_ICMPV6_HLEN bytes whole at l4_off.
 *   - DSR_PKT_FRAGMENT: a later fragment (frag DSR_PKT_FRAG_LATER), or
 *     the first fragment of anything but TCP or UDP (flow.proto and l4_off
 *     name the chain's end, as for DSR_PKT_OTHER_L4); frag_id set.
 *   - DSR_PKT_HOPLIMIT: hop limit <= 1 (checked before the chain).
 *   - DSR_PKT_OTHER_L4: not a fragment, and the chain ends in anything
 *     else (AH, ESP, no next header, unknown), or a routing header has
 *     segments left (it ends there); flow.proto and l4_off name that header.
 *   - DSR_PKT_MALFORMED: reason says why.
 */
enum dsr_pkt_class dsr_pkt_parse6_l3(const uint8_t *frame, uint32_t len, uint32_t l3,
				     struct dsr_pkt6 *pkt);

/**
 * Parse a frame as IPv6: Ethernet with one optional 802.1Q tag (as
 * dsr_pkt_parse() reads it), then dsr_pkt_parse6_l3().
 *
 * @return DSR_PKT_NOT_IPV6 for anything but IPv6 (ARP, IPv4, another
 *   ethertype, a second VLAN tag); DSR_PKT_MALFORMED (reason
 *   DSR_PKT6_TRUNCATED) for a frame too short for its Ethernet header;
 *   else as dsr_pkt_parse6_l3().
 */
enum dsr_pkt_class dsr_pkt_parse6(const uint8_t *frame, uint32_t len, struct dsr_pkt6 *pkt);

/* MLD message types (RFC 2710, RFC 3810). */
#define DSR_MLD_QUERY     130u
#define DSR_MLD_REPORT_V1 131u
#define DSR_MLD_DONE      132u
#define DSR_MLD_REPORT_V2 143u

/**
 * The offset of an MLD message in a frame whose IPv6 header is at l3, or
 * 0 if it is none: hop limit 1, a Hop-by-Hop header (whole in the frame)
 * whose next header is ICMPv6, and 4 bytes of ICMPv6 of an MLD type. The
 * shape only (the router alert, lengths and checksum are lib/nd's to
 * judge): dsr_pkt_parse6_l3() stops at the hop limit of such a frame.
 */
uint32_t dsr_pkt6_mld_off(const uint8_t *frame, uint32_t len, uint32_t l3);

/** The name of a malformed reason ("ipv6-truncated"...); "ok" for DSR_PKT6_OK, "?" if unknown. */
const char *dsr_pkt6_reason_name(enum dsr_pkt6_reason r);

/*
 * The IPv6 flow hash's fixed salt ("dsrflow6"). It must never change
 * between releases: the Maglev slot of every live IPv6 flow would move.
 */
#define DSR_FLOW6_HASH_SALT 0x647372666c6f7736ULL

/** Rotate left (r in 1..63). */
static inline uint64_t
dsr_rotl64(uint64_t x, unsigned int r)
{
	return (x << r) | (x >> (64 - r));
}

/**
 * A 64-bit hash of an IPv6 flow, the one Maglev picks backends with. As
 * dsr_flow_hash(), it has no random seed: every dsrlb process on every
 * (little-endian) machine computes the same value for the same flow.
 * MurmurHash3 x64's block mixing over the flow's five 8-byte words (the
 * pad bytes are zero), then its 64-bit finaliser. Pinned by test_pkt6.c.
 */
static inline uint64_t
dsr_flow6_hash(const struct dsr_flow6 *flow)
{
	uint64_t h = DSR_FLOW6_HASH_SALT, w;
	unsigned int i;

	for (i = 0; i < sizeof(*flow) / 8; i++) {
		__builtin_memcpy(&w, (const uint8_t *)flow + 8 * i, 8);
		w *= 0x87c37b91114253d5ULL;
		w = dsr_rotl64(w, 31);
		w *= 0x4cf5ad432745937fULL;
		h ^= w;
		h = dsr_rotl64(h, 27) * 5 + 0x52dce729;
	}
	/* MurmurHash3's 64-bit finaliser, as in dsr_flow_hash() (left as it is there). */
	h ^= sizeof(*flow);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/**
 * The IPv6 connection table's hash of a flow: CRC32C of its five words
 * (SSE4.2), the 32-bit result in both halves, as dsr_flow_table_hash()
 * does for IPv4; without SSE4.2 it is dsr_flow6_hash(). Same within a
 * process, not keyed.
 */
#if defined(__SSE4_2__)
static inline uint64_t
dsr_flow6_table_hash(const struct dsr_flow6 *flow)
{
	uint64_t c = (uint32_t)DSR_FLOW6_HASH_SALT, w;
	unsigned int i;

	for (i = 0; i < sizeof(*flow) / 8; i++) {
		__builtin_memcpy(&w, (const uint8_t *)flow + 8 * i, 8);
		c = __builtin_ia32_crc32di((uint32_t)c, w);
	}
	return (c << 32) | c;
}
#else
static inline uint64_t
dsr_flow6_table_hash(const struct dsr_flow6 *flow)
{
	return dsr_flow6_hash(flow);
}
#endif

#endif /* DSR_PKT6_H */
