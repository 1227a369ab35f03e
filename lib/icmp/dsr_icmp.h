/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_ICMP_H
#define DSR_ICMP_H

/**
 * @file
 * ICMP for a DSR balancer. Errors about packets a VIP sent (fragmentation
 * needed, other unreachables, time exceeded) belong to the backend that
 * sent them: dsr_icmp4_error_flow() reads the flow they are about from the
 * header they quote, for the fast path to route the message like a packet
 * of that flow. Echo requests to a VIP or to a port's address are
 * answered on the main lcore: dsr_icmp4_echo_reply(), paced by a token
 * bucket. Pure C, no EAL. ICMPv6 (icmp6.c) does the same for IPv6:
 * dsr_icmp6_error_flow() (packet too big, unreachable, time exceeded),
 * dsr_icmp6_echo_reply().
 */

#include <stdbool.h>
#include <stdint.h>

#include "dsr_flow6.h"
#include "dsr_pkt.h"

/* ICMP types (RFC 792). */
#define DSR_ICMP_ECHO_REPLY    0
#define DSR_ICMP_UNREACH       3 /**< code 4: fragmentation needed (RFC 1191) */
#define DSR_ICMP_ECHO_REQUEST  8
#define DSR_ICMP_TIME_EXCEEDED 11

/** What an ICMP message to a VIP is, for the fast path. */
enum dsr_icmp_kind {
	DSR_ICMP_K_ERROR = 0, /**< unreachable or time exceeded: quotes a packet */
	DSR_ICMP_K_ECHO,      /**< echo request */
	DSR_ICMP_K_OTHER,     /**< a type dsrlb does not handle */
};

/** The kind of an ICMP message, from its first byte (its type). */
static inline enum dsr_icmp_kind
dsr_icmp4_kind(uint8_t type)
{
	if (type == DSR_ICMP_UNREACH || type == DSR_ICMP_TIME_EXCEEDED)
		return DSR_ICMP_K_ERROR;
	return type == DSR_ICMP_ECHO_REQUEST ? DSR_ICMP_K_ECHO : DSR_ICMP_K_OTHER;
}

/** Why an error's quoted packet is not one to route. */
enum dsr_icmp_err {
	DSR_ICMP_ERR_OK = 0,
	/** Shorter than the ICMP header, the quoted IPv4 header and 8 bytes of it. */
	DSR_ICMP_ERR_TRUNCATED,
	/**
	 * Not a packet the message's destination sent: not IPv4, a bad header
	 * length, neither TCP nor UDP, a later fragment (no ports), or from
	 * another address.
	 */
	DSR_ICMP_ERR_FOREIGN,
};

/**
 * The flow an ICMP error is about. icmp points at the ICMP header; len is
 * the bytes of the message (to the end of its IPv4 datagram); outer_dst
 * is the message's destination (network order). The quoted packet went
 * VIP:PORT -> CLIENT:CPORT; *flow is set to the flow the client's packets
 * have, CLIENT:CPORT -> VIP:PORT (what the table and Maglev key on).
 */
enum dsr_icmp_err dsr_icmp4_error_flow(const uint8_t *icmp, uint32_t len, uint32_t outer_dst,
				       struct dsr_flow *flow);

/**
 * Turn the echo request in frame (parsed as DSR_PKT_ICMP into pkt) into
 * its reply, in place: Ethernet addresses swapped (the source becomes
 * mac), IPv4 addresses swapped, TTL 64, type 0, both checksums new; the
 * payload, any VLAN tag and IP options as they were.
 * @return 0, or -1 (frame unchanged) if the request's ICMP checksum is wrong.
 */
int dsr_icmp4_echo_reply(uint8_t *frame, const struct dsr_pkt *pkt, const uint8_t mac[6]);

/* ICMPv6 types (RFC 4443). */
#define DSR_ICMP6_UNREACH       1 /**< destination unreachable */
#define DSR_ICMP6_TOO_BIG       2 /**< packet too big (RFC 8201): the MTU at bytes 4-7 */
#define DSR_ICMP6_TIME_EXCEEDED 3
#define DSR_ICMP6_ECHO_REQUEST  128
#define DSR_ICMP6_ECHO_REPLY    129

/**
 * The kind of an ICMPv6 message, from its type: errors 1-3 quote a
 * packet; 128 is an echo request. Parameter problem (4) and the
 * informational types (neighbour discovery among them) are OTHER here.
 */
static inline enum dsr_icmp_kind
dsr_icmp6_kind(uint8_t type)
{
	if (type >= DSR_ICMP6_UNREACH && type <= DSR_ICMP6_TIME_EXCEEDED)
		return DSR_ICMP_K_ERROR;
	return type == DSR_ICMP6_ECHO_REQUEST ? DSR_ICMP_K_ECHO : DSR_ICMP_K_OTHER;
}

/** Extension headers dsr_icmp6_error_flow() walks in a quoted packet, at most. */
#define DSR_ICMP6_MAX_EXT 8

/**
 * dsr_icmp4_error_flow() for an ICMPv6 error (types 1-3). icmp points at
 * the ICMPv6 header; len is the bytes of the message (to the end of its
 * IPv6 payload); outer_dst is the message's destination. The quoted
 * packet's extension headers (hop-by-hop, routing, destination options,
 * fragment; DSR_ICMP6_MAX_EXT at most) are walked to its TCP or UDP
 * header, whose first 8 bytes must be there. Results as for IPv4:
 * TRUNCATED if the message ends before them; FOREIGN if the quoted
 * packet is not IPv6, not from outer_dst, not TCP or UDP (no next
 * header, another protocol, too many extension headers) or a later
 * fragment. *flow (pad zeroed) is the client's: CLIENT:CPORT -> VIP:PORT.
 */
enum dsr_icmp_err dsr_icmp6_error_flow(const uint8_t *icmp, uint32_t len,
				       const uint8_t outer_dst[16], struct dsr_flow6 *flow);

/**
 * The ICMPv6 checksum (RFC 8200 8.1, RFC 4443 2.3) of the message msg of
 * len bytes in the IPv6 packet whose header is ip6 (its addresses make
 * the pseudo-header with len and next header 58), taken over the message
 * as it is: with its checksum field zero it is the value to store (host
 * order); with a right checksum there it is 0.
 */
uint16_t dsr_icmp6_csum(const uint8_t *ip6, const uint8_t *msg, uint32_t len);

/**
 * Turn the ICMPv6 echo request in frame into its reply, in place. l3_off
 * and l4_off are the offsets of the IPv6 header and the ICMPv6 message
 * (after any extension headers); frame_len the bytes of the frame. The
 * request's checksum is verified first. The reply: Ethernet addresses
 * swapped (the source becomes mac), any VLAN tag kept, IPv6 addresses
 * swapped, traffic class and flow label kept, hop limit 64 (the default
 * of Linux and of our IPv4 replies' TTL; 255 is for neighbour discovery,
 * which checks it, not for echo), type 129, new checksum, the
 * identifier, sequence and data as they were. Extension headers are
 * dropped (the message moves up to follow the IPv6 header; a routing
 * header's path is not the way back).
 * @return the reply's length from the frame's start (the frame ends
 * there: shorter than the request when it had extension headers or
 * Ethernet padding), or -1 (frame unchanged) if the request is not
 * consistent (offsets, payload length, not an echo request) or its
 * checksum is wrong.
 */
int dsr_icmp6_echo_reply(uint8_t *frame, uint32_t frame_len, uint32_t l3_off, uint32_t l4_off,
			 const uint8_t mac[6]);

/**
 * A token bucket: rate tokens a second, at most one second's worth
 * saved (at least one token). rate 0 never gives one.
 */
struct dsr_icmp_rl {
	uint32_t rate;
	uint32_t last_ms;
	uint64_t milli; /**< tokens, in thousandths */
};

/** Set the rate; the bucket starts full. */
void dsr_icmp_rl_init(struct dsr_icmp_rl *rl, uint32_t rate, uint32_t now_ms);

/** Take one token if there is one. */
bool dsr_icmp_rl_take(struct dsr_icmp_rl *rl, uint32_t now_ms);

#endif /* DSR_ICMP_H */
