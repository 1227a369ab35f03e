/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_SHOW_PVT_H
#define DSR_SHOW_PVT_H

#include "dsr_ctl.h"
#include "dsr_lb.h"
#include "dsr_show.h"

/* Where a streamed `show stats` stopped. */
struct show_rows {
	unsigned int phase;
	unsigned int next;
};

/* Where a streamed `show conns` / `conns flush` is. */
struct show_conns_walk {
	unsigned int worker;
	bool v6; /* show conns: in the worker's IPv6 table */
	uint32_t cursor;
	uint64_t shown;
	bool started; /* conns flush: the request is published */
	uint64_t seq;
	uint64_t flushed_before;
	uint32_t started_ms;
};

/* show_conns.c */
enum dsr_ctl_result show_conns(const struct dsr_lb *lb, const struct dsr_cmd *cmd,
			       struct show_conns_walk *w, struct dsr_ctl_out *out);
enum dsr_ctl_result show_conns_flush(struct dsr_lb *lb, const struct dsr_ctl_req *req,
				     const struct dsr_cmd *cmd, struct show_conns_walk *w,
				     struct dsr_ctl_out *out);

/* show_prom.c: the counters in the Prometheus text exposition format. */
enum dsr_ctl_result show_prometheus(const struct dsr_lb *lb, enum dsr_stats_section sec,
				    struct show_rows *st, struct dsr_ctl_out *out);

/* show_rows.c: one VIP's row (show vips and show stats). */
void show_row_vip(const struct dsr_lb *lb, const struct dsr_stats_lcore *s, unsigned int v,
		  struct dsr_ctl_out *out);

/* show_rows.c: `show stats [SECTION]` rows; MORE when the client's queue is full. */
enum dsr_ctl_result show_rows_stats(const struct dsr_lb *lb, enum dsr_stats_section sec,
				    struct show_rows *st, struct dsr_ctl_out *out);

/* show_arp.c: the parts of the neighbour rows. */
enum show_nb_part {
	SHOW_NB_ARP_PORTS = 0, /* "arp port N": ARP counters */
	SHOW_NB_ARP_NEIGH,     /* "neighbour A.B.C.D" */
	SHOW_NB_ARP_CONFLICTS, /* "conflict A.B.C.D MAC" */
	SHOW_NB_ND_PORTS,      /* "nd port N": neighbour discovery counters */
	SHOW_NB_ND_NEIGH,      /* "neighbour X::Y" */
	SHOW_NB_ND_CONFLICTS,  /* "conflict X::Y MAC" */
};

/*
 * show_arp.c: the rows of one part from item *next on; false when the
 * client's queue is full (call again). lib/nd's parts have no rows while
 * the balancer has no lb->nd.
 */
bool show_rows_neigh(const struct dsr_lb *lb, unsigned int part, unsigned int *next,
		     struct dsr_ctl_out *out);

/* show_arp.c: the rows of parts[0..nparts-1] (enum show_nb_part), streamed in st. */
enum dsr_ctl_result show_rows_parts(const struct dsr_lb *lb, const uint8_t *parts,
				    unsigned int nparts, struct show_rows *st,
				    struct dsr_ctl_out *out);

/*
 * show_stats.c: where a backend's MAC stands: lib/arp's lookup for an
 * IPv4 backend, lib/nd's for an IPv6 one (pending while there is no
 * lb->nd); mac is set as the lookup sets it. A static MAC is not looked at.
 */
enum dsr_mac_lookup show_backend_lookup(const struct dsr_lb *lb, const struct dsr_conf_backend *cb,
					uint8_t mac[6]);

/* show_stats.c: a backend's MAC (static, resolved or "none") and ARP (or ND) state name. */
const char *show_backend_mac(const struct dsr_lb *lb, const struct dsr_conf_backend *cb, char *buf);
const char *show_backend_arp(const struct dsr_lb *lb, const struct dsr_conf_backend *cb);

/*
 * show_stats.c: the summed counters (dsr_lb_stats()) for a control command,
 * each VIP's active being the sum of its backends', in memory the caller
 * frees; NULL, with the error on out, if none is left.
 */
struct dsr_stats_lcore *show_stats_snapshot(const struct dsr_lb *lb, struct dsr_ctl_out *out);

/* show_telemetry.c: refresh the telemetry snapshot from raw sums. */
void show_telemetry_update(const struct dsr_lb *lb, const struct dsr_stats_lcore *raw);

#endif /* DSR_SHOW_PVT_H */
