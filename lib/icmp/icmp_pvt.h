/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_ICMP_PVT_H
#define DSR_ICMP_PVT_H

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

/* The TTL of our echo replies (Linux's default). */
#define ICMP_REPLY_TTL 64

#endif /* DSR_ICMP_PVT_H */
