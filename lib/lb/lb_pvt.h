/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_LB_PVT_H
#define DSR_LB_PVT_H

#include "dsr_ctl.h"
#include "dsr_lb.h"

/* Where a streamed `show stats` stopped. */
struct dsr_lb_rows {
	unsigned int phase;
	unsigned int next;
};

/* Format a MAC address as xx:xx:xx:xx:xx:xx into buf (>= 18 bytes). */
const char *dsr_lb_mac_str(const uint8_t mac[6], char *buf);

/* Build a generation from conf (with ARP's backend MACs) and publish it. */
int dsr_lb_publish(struct dsr_lb *lb, const struct dsr_conf *conf, char *err, size_t errlen);

/* lb_arp.c: create the ARP state; (re)configure it from conf. */
int dsr_lb_arp_init(struct dsr_lb *lb, char *err, size_t errlen);
int dsr_lb_arp_configure(struct dsr_lb *lb, const struct dsr_conf *conf, char *err, size_t errlen);

/* lb_arp.c: feed the slow-path frames to ARP, run its timers. */
void dsr_lb_arp_service(struct dsr_lb *lb, uint32_t now_ms);

/* Where a streamed `show conns` / `conns flush` is. */
struct lb_conns_walk {
	unsigned int worker;
	uint32_t cursor;
	uint64_t shown;
	bool started; /* conns flush: the request is published */
	uint64_t seq;
	uint64_t flushed_before;
	uint32_t started_ms;
};

/* lb_conns.c */
enum dsr_ctl_result dsr_lb_conns_show(const struct dsr_lb *lb, const struct dsr_cmd *cmd,
				      struct lb_conns_walk *w, struct dsr_ctl_out *out);
enum dsr_ctl_result dsr_lb_conns_flush(struct dsr_lb *lb, const struct dsr_ctl_req *req,
				       const struct dsr_cmd *cmd, struct lb_conns_walk *w,
				       struct dsr_ctl_out *out);

/* lb_prom.c: the counters in the Prometheus text exposition format. */
enum dsr_ctl_result dsr_lb_prometheus(const struct dsr_lb *lb, enum dsr_stats_section sec,
				      struct dsr_lb_rows *st, struct dsr_ctl_out *out);

/* lb_rows.c: one VIP's row (show vips and show stats). */
void dsr_lb_row_vip(const struct dsr_lb *lb, const struct dsr_stats_lcore *s, unsigned int v,
		    struct dsr_ctl_out *out);

/* lb_rows.c: `show stats [SECTION]` rows; MORE when the client's queue is full. */
enum dsr_ctl_result dsr_lb_rows_stats(const struct dsr_lb *lb, enum dsr_stats_section sec,
				      struct dsr_lb_rows *st, struct dsr_ctl_out *out);

/* lb_arp.c: ARP rows: part 0 per-port counters, 1 neighbours, 2 conflicts. */
bool dsr_lb_rows_arp(const struct dsr_lb *lb, unsigned int part, unsigned int *next,
		     struct dsr_ctl_out *out);

/* lb_stats.c: a backend's MAC (static, resolved or "none") and ARP state name. */
const char *dsr_lb_backend_mac(const struct dsr_lb *lb, const struct dsr_conf_backend *cb,
			       char *buf);
const char *dsr_lb_backend_arp(const struct dsr_lb *lb, const struct dsr_conf_backend *cb);

/* lb_telemetry.c: register the /dsrlb/ commands; refresh their snapshot. */
void dsr_lb_telemetry_register(void);
void dsr_lb_telemetry_update(const struct dsr_lb *lb, const struct dsr_stats_lcore *raw);

/*
 * lb_stats.c: the summed counters (dsr_lb_stats()) for a control command,
 * in memory the caller frees; NULL, with the error on out, if none is left.
 */
struct dsr_stats_lcore *dsr_lb_stats_snapshot(const struct dsr_lb *lb, struct dsr_ctl_out *out);

/* lb_stats.c: update lb->rates (once a second). */
void dsr_lb_sample_rates(struct dsr_lb *lb, uint32_t now_ms);

#endif /* DSR_LB_PVT_H */
