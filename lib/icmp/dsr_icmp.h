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
 * bucket. Pure C, no EAL. IPv6 (packet too big, echo) adds its own parse
 * with the same results.
 */

#include <stdbool.h>
#include <stdint.h>

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
