/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_GEN_PVT_H
#define DSR_GEN_PVT_H

/* Shared by gen.c and gen6.c (IPv6 VIPs). */

#include <stdint.h>

#include "dsr_conf.h"
#include "dsr_gen.h"

/* The smallest power of two >= n. */
uint32_t dsr_gen_pow2_at_least(uint32_t n);

/* Size and allocate g's IPv6 tables for conf's IPv6 VIPs: 0, or -1 (out of memory). */
int dsr_gen_alloc6(struct dsr_gen *g, const struct dsr_conf *conf);

/* Put IPv6 VIP vip (its Maglev table built) in the service and address tables. */
void dsr_gen_insert6(struct dsr_gen *g, uint16_t vip);

#endif /* DSR_GEN_PVT_H */
