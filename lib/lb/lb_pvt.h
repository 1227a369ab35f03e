/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_LB_PVT_H
#define DSR_LB_PVT_H

#include "dsr_lb.h"

/* Format a MAC address as xx:xx:xx:xx:xx:xx into buf (>= 18 bytes). */
const char *dsr_lb_mac_str(const uint8_t mac[6], char *buf);

/* Build a generation from conf (with ARP's backend MACs) and publish it. */
int dsr_lb_publish(struct dsr_lb *lb, const struct dsr_conf *conf, char *err, size_t errlen);

/* lb_arp.c: create the ARP state; (re)configure it from conf. */
int dsr_lb_arp_init(struct dsr_lb *lb, char *err, size_t errlen);
int dsr_lb_arp_configure(struct dsr_lb *lb, const struct dsr_conf *conf, char *err,
			 size_t errlen);

/* lb_arp.c: feed the slow-path frames to ARP, run its timers. */
void dsr_lb_arp_service(struct dsr_lb *lb, uint32_t now_ms);

/* lb_arp.c: print ARP counters, neighbours and conflicts. */
void dsr_lb_arp_print(const struct dsr_lb *lb, FILE *out);

#endif /* DSR_LB_PVT_H */
