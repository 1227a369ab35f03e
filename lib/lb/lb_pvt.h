/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_LB_PVT_H
#define DSR_LB_PVT_H

#include "dsr_lb.h"

/* Format a MAC address as xx:xx:xx:xx:xx:xx into buf (>= 18 bytes). */
const char *dsr_lb_mac_str(const uint8_t mac[6], char *buf);

#endif /* DSR_LB_PVT_H */
