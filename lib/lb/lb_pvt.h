/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_LB_PVT_H
#define DSR_LB_PVT_H

#include "dsr_lb.h"

/* Build a generation from conf (with ARP's backend MACs) and publish it. */
int dsr_lb_publish(struct dsr_lb *lb, const struct dsr_conf *conf, char *err, size_t errlen);

/* lb_arp.c: create the ARP state; (re)configure it from conf. */
int dsr_lb_arp_init(struct dsr_lb *lb, char *err, size_t errlen);
int dsr_lb_arp_configure(struct dsr_lb *lb, const struct dsr_conf *conf, char *err, size_t errlen);

/* lb_arp.c: feed the slow-path frames to ARP, run its timers. */
void dsr_lb_arp_service(struct dsr_lb *lb, uint32_t now_ms);

/* lb_kif.c: kernel interfaces: how many conf asks for; create (after the
 * ports started), remove; take a slow-ring frame for the kernel (true: the
 * mbuf is taken); poll what the kernel sent. */
unsigned int dsr_lb_kif_count(const struct dsr_conf *conf);
int dsr_lb_kif_init(struct dsr_lb *lb, char *err, size_t errlen);
void dsr_lb_kif_fini(struct dsr_lb *lb);
/** Free the kernel interfaces' pools: after the ports are closed and the rings drained. */
void dsr_lb_kif_pools_free(struct dsr_lb *lb);
struct rte_mbuf;
bool dsr_lb_kif_take(struct dsr_lb *lb, struct rte_mbuf *m);
void dsr_lb_kif_service(struct dsr_lb *lb);

/* lb_stats.c: update lb->rates (once a second). */
void dsr_lb_sample_rates(struct dsr_lb *lb, uint32_t now_ms);

/* lb_health.c: allocate; follow a configuration change; the down backends of conf. */
int dsr_lb_health_init(struct dsr_lb *lb);
void dsr_lb_health_sync(struct dsr_lb *lb, const struct dsr_conf *old, const struct dsr_conf *next);
void dsr_lb_health_down(struct dsr_lb *lb, const struct dsr_conf *conf, uint8_t down[]);

/*
 * lb_icmp.c: answer an echo request from a slow ring (parsed into pkt as
 * DSR_PKT_ICMP), paced by `icmp rate`. Returns whether it is consumed
 * (answered or dropped, and counted); false leaves it for the kernel
 * interface.
 */
struct dsr_pkt;
bool dsr_lb_icmp_input(struct dsr_lb *lb, struct rte_mbuf *m, const struct dsr_pkt *pkt,
		       uint32_t now_ms);

/*
 * lb_nd.c: neighbour discovery: create; (re)configure from conf (our
 * IPv6 addresses, IPv6 backends, the ports' multicast groups); take an
 * IPv6 frame from a slow ring (its header at l3): ND to lib/nd, echo to
 * lb_icmp.c. Returns whether it is consumed.
 */
int dsr_lb_nd_init(struct dsr_lb *lb, char *err, size_t errlen);
int dsr_lb_nd_configure(struct dsr_lb *lb, const struct dsr_conf *conf, char *err, size_t errlen);
bool dsr_lb_ipv6_input(struct dsr_lb *lb, struct rte_mbuf *m, uint32_t l3, uint32_t now_ms);

/* lb_icmp.c: answer an IPv6 echo request (parsed into p), paced with IPv4's. */
struct dsr_pkt6;
bool dsr_lb_icmp6_input(struct dsr_lb *lb, struct rte_mbuf *m, const struct dsr_pkt6 *p,
			uint32_t now_ms);

/* lb_arp.c: lib/arp's and lib/nd's callbacks: send a frame on port (arg: the lb); log a line. */
void dsr_lb_slow_tx(void *arg, uint16_t port, const uint8_t *frame, uint32_t len);
void dsr_lb_slow_log(void *arg, int level, const char *line);

/* lb_arp.c: queue a frame to send on port (through a worker's TX ring). */
void dsr_lb_send_frame(struct dsr_lb *lb, uint16_t port, const uint8_t *frame, uint32_t len);

/* lb_health.c: dsr probes: send and time out (now and then); take an answer. */
void dsr_lb_health_tick(struct dsr_lb *lb, uint32_t now_ms);
bool dsr_lb_health_input(struct dsr_lb *lb, uint16_t port, const uint8_t *frame, uint32_t len);

/*
 * lb_hc.c: tcp and http checks: advance those in flight (one poll() that
 * does not wait); time out and start backend b's; close one, or all.
 */
void dsr_lb_hc_poll(struct dsr_lb *lb);
void dsr_lb_hc_step(struct dsr_lb *lb, unsigned int b, const struct dsr_check *k, uint32_t now_ms);
void dsr_lb_hc_close(struct dsr_lb *lb, unsigned int b);
void dsr_lb_hc_fini(struct dsr_lb *lb);

/*
 * lb_announce.c: VIP routes (`announce table`): set up (flush stale
 * routes); follow config, health and neighbours (now and then); remove
 * every route (exit).
 */
int dsr_lb_announce_init(struct dsr_lb *lb, char *err, size_t errlen);
void dsr_lb_announce_tick(struct dsr_lb *lb, uint32_t now_ms);
void dsr_lb_announce_stop(struct dsr_lb *lb);
void dsr_lb_announce_fini(struct dsr_lb *lb);

#endif /* DSR_LB_PVT_H */
