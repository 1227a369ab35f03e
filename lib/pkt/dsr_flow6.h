/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_FLOW6_H
#define DSR_FLOW6_H

/**
 * @file
 * An IPv6 flow's 5-tuple (37 bytes of key in a 40-byte struct): what the
 * IPv6 parser fills, the IPv6 connection table keys on and the IPv6 flow
 * hashes read. Addresses and ports in network byte order.
 */

#include <stdint.h>

struct dsr_flow6 {
	uint8_t src_ip[16];
	uint8_t dst_ip[16];
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t proto;  /**< DSR_IPPROTO_TCP or DSR_IPPROTO_UDP */
	uint8_t pad[3]; /**< always zero, so the struct can be compared and hashed whole */
};

/* Hashed and compared as five 8-byte words. */
_Static_assert(sizeof(struct dsr_flow6) == 40, "struct dsr_flow6 is 40 bytes");

#endif /* DSR_FLOW6_H */
