/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_ICMP_PVT_H
#define DSR_ICMP_PVT_H

#include <stdint.h>
#include <string.h>

/* Offsets in an IPv4 header. */
#define ICMP_IP_FRAG    6u  /* flags and fragment offset, 2 bytes */
#define ICMP_IP_TTL     8u  /* time to live */
#define ICMP_IP_PROTO   9u  /* protocol */
#define ICMP_IP_CSUM    10u /* header checksum, 2 bytes */
#define ICMP_IP_SRC     12u /* source address */
#define ICMP_IP_DST     16u /* destination address */
#define ICMP_IP_OFFMASK 0x1fffu

/* Bytes of the quoted packet's data an error must hold: the ports. */
#define ICMP_QUOTED_L4 8u

/* The TTL (IPv4) and hop limit (IPv6) of our echo replies (Linux's default). */
#define ICMP_REPLY_TTL 64

/* Store v (host order) big-endian. */
static inline void
icmp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * The ports of a quoted packet (l4: its TCP or UDP header) VIP:PORT ->
 * CLIENT:CPORT, turned round into the client's flow's: CPORT -> PORT.
 */
static inline void
icmp_turn_ports(const uint8_t *l4, uint16_t *src_port, uint16_t *dst_port)
{
	memcpy(src_port, l4 + 2, 2);
	memcpy(dst_port, l4, 2);
}

/* A reply's Ethernet header: back to the request's source, from mac. */
static inline void
icmp_eth_reply(uint8_t *frame, const uint8_t mac[6])
{
	memmove(frame, frame + 6, 6);
	memcpy(frame + 6, mac, 6);
}

#endif /* DSR_ICMP_PVT_H */
