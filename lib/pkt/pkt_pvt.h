/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_PKT_PVT_H
#define DSR_PKT_PVT_H

#include <stdint.h>

#include "dsr_common.h"

#define DSR_IPV4_MF      0x2000u
#define DSR_IPV4_OFFMASK 0x1fffu

/* Read a big-endian 16-bit field from an unaligned place. */
static inline uint16_t
dsr_rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

#endif /* DSR_PKT_PVT_H */
