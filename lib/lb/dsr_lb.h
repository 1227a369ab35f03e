/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_LB_H
#define DSR_LB_H

/**
 * @file
 * The assembled load balancer: ports, mempools, one worker per set of
 * RX queues with its connection table and counters, the slow-path
 * rings, and the published generation. The daemon (app/dsrlb) and the
 * in-process traffic runner (tests/traffic) both build it through here,
 * so tests exercise the same setup the daemon runs.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dsr_arp.h"
#include "dsr_conf.h"
#include "dsr_ctl.h"
#include "dsr_health.h"
#include "dsr_icmp.h"
#include "dsr_nd.h"
#include "dsr_publish.h"
#include "dsr_numa.h"
#include "dsr_port.h"
#include "dsr_stats.h"
#include "dsr_worker.h"

#define DSR_LB_MAX_WORKERS 128
#define DSR_LB_SLOW_RING   1024 /**< frames queued per worker for the main lcore */
#define DSR_LB_KIF_DESC    512  /**< RX and TX descriptors of a kernel interface's port */

struct rte_mempool;

/** Rates over the last second, for `show stats`. */
struct dsr_lb_rates {
	uint32_t at_ms; /**< when the last sample was taken (0 = none yet) */
	uint64_t rx_pkts, fwd_pkts, drops, new_conns;   /**< totals at that sample */
	double rx_pps, fwd_pps, drop_pps, new_conns_ps; /**< per second */
	uint64_t port_rx[DSR_MAX_PORTS], port_tx[DSR_MAX_PORTS];
	double port_rx_pps[DSR_MAX_PORTS], port_tx_pps[DSR_MAX_PORTS];
};

/** Counter baselines: the sums when an id started being used. */
struct dsr_lb_base {
	struct dsr_ctr_flow vip[DSR_MAX_VIPS];
	struct dsr_ctr_flow backend[DSR_MAX_BACKENDS];
	/*
	 * Per backend: whether ARP had it usable at the last check, and the
	 * connections it held each time it failed (they cannot survive: the
	 * host is gone). Main lcore only.
	 */
	bool backend_failed[DSR_MAX_BACKENDS];
	uint64_t lost_conns[DSR_MAX_BACKENDS];
};

/**
 * A port's kernel interface (`port N kernel-interface NAME`, lb_kif.c): a
 * Linux interface NAME with the port's MAC and address. Frames to the
 * port's address that match no VIP go to it, and what it sends goes out
 * of the port. Health checks and routing daemons use it as any interface
 * (bind to the port's address, or SO_BINDTODEVICE to name). Main lcore.
 */
struct dsr_lb_kif {
	bool plugged;              /**< its vdev exists */
	bool started;              /**< its DPDK port runs: the interface is usable */
	bool vhost;                /**< net_virtio_user over /dev/vhost-net, else net_tap */
	uint16_t dev_port;         /**< its DPDK port id (not one of dsr_lb.ports) */
	unsigned int ifindex;      /**< the Linux interface index */
	char name[DSR_IFNAME_MAX]; /**< the Linux interface name */
	char vdev[48];             /**< the vdev's name, e.g. net_tap_dsr0 */
	/**
	 * The buffers of what the kernel sends (its RX queue): its own pool,
	 * not the port's, so that a port PMD which registered the port's pool
	 * with the kernel (net_af_xdp's umem) copies them into its own.
	 */
	struct rte_mempool *pool;
};

/** A backend's dsr probe: at most one in flight. */
struct dsr_lb_probe {
	struct dsr_probe p; /**< the one in flight, or the last */
	uint32_t next_ms;   /**< when the next one is due */
	uint32_t sent_ms;
	uint64_t sent_tsc; /**< for its latency */
	uint16_t port;     /**< the port it went out on */
	bool in_flight;
	uint8_t round; /**< varies the source port from one probe to the next */
};

#define DSR_LB_HC_ANSWER 16 /**< bytes of an http check's answer read, at most */

/**
 * A backend's tcp or http check (lb_hc.c): a non-blocking socket on a
 * kernel interface, at most one in flight. Its times are in the
 * backend's dsr_lb_probe.
 */
struct dsr_lb_hc {
	int fd;                        /**< -1: none in flight */
	uint8_t phase;                 /**< connecting, or reading the answer */
	uint16_t got;                  /**< bytes of the answer read */
	char answer[DSR_LB_HC_ANSWER]; /**< its first bytes: the status line */
};

/** Health of backends under their VIP's check (main lcore only). */
struct dsr_lb_health {
	struct dsr_lb_probe probe[DSR_MAX_BACKENDS];
	struct dsr_lb_hc hc[DSR_MAX_BACKENDS];
	uint32_t last_tick_ms;
	struct dsr_health_be be[DSR_MAX_BACKENDS];
	struct dsr_health_vip vip[DSR_MAX_VIPS];
	struct dsr_check check[DSR_MAX_VIPS]; /**< the check each VIP's states are under */
};

/** Where a VIP address's route stands (`announce table`, lb_announce.c). */
enum dsr_lb_route_state {
	DSR_LB_ROUTE_OFF = 0,    /**< "not-announced": no `announce table` */
	DSR_LB_ROUTE_ANNOUNCED,  /**< "announced": the route is in the table */
	DSR_LB_ROUTE_WITHDRAWN,  /**< "withdrawn": `vip withdraw` */
	DSR_LB_ROUTE_NO_BACKEND, /**< "no-usable-backend": none healthy, resolved, weight > 0 */
	DSR_LB_ROUTE_FAILED,     /**< "route-error": wanted, but the kernel refused; retried */
};

struct dsr_lb_announce;

/** How to build the balancer. */
struct dsr_lb_params {
	unsigned int nb_workers; /**< worker count (>= 1) */
	bool lcores;             /**< run workers on EAL worker lcores (else the caller polls) */
	uint32_t nb_mbufs;       /**< packet buffers in each pool; 0 = sized from the queues */
	bool record_cycles;      /**< account worker cycles by stage (costs a little) */
	bool allow_empty;        /**< a reload may remove every VIP (dsrlb --allow-empty) */
};

struct dsr_lb {
	struct dsr_conf *conf; /**< the running configuration (owned) */
	struct dsr_pub pub;
	uint16_t nb_ports;
	struct dsr_port_info ports[DSR_MAX_PORTS];
	uint16_t nb_workers;
	struct dsr_worker *workers[DSR_LB_MAX_WORKERS];
	struct dsr_numa_plan numa;                /**< the socket of each worker, port and pool */
	struct rte_mempool *pools[DSR_MAX_PORTS]; /**< one per socket with ports (numa.nb_pools) */
	uint64_t start_tsc;
	bool ports_started;
	bool launched;
	struct dsr_arp *arp;    /**< ARP state (main lcore only) */
	struct dsr_nd *nd;      /**< IPv6 neighbour discovery (main lcore only) */
	uint64_t slow_frames;   /**< frames the main lcore took from the slow rings */
	uint64_t slow_tx_drops; /**< frames the main lcore could not queue for sending */
	uint64_t publishes;     /**< generations published */
	struct dsr_lb_kif kif[DSR_MAX_PORTS]; /**< each port's kernel interface, if any */
	struct dsr_stats_lcore *main_st; /**< the main lcore's counters (kernel interfaces, echo) */
	struct dsr_icmp_rl icmp_rl;      /**< paces echo replies (`icmp rate`) */
	struct dsr_lb_base *base;        /**< counter baselines of reused ids */
	struct dsr_lb_health *health;    /**< backend health (lb_health.c) */
	struct dsr_lb_announce *ann;     /**< VIP routes (lb_announce.c) */
	struct dsr_lb_rates rates;
	uint32_t last_second_ms;    /**< last once-a-second housekeeping */
	struct dsr_ctl_server *ctl; /**< the control socket server, if any */
	bool allow_empty;           /**< dsr_lb_params.allow_empty */
	/* conns flush: the request published with every generation. */
	uint64_t flush_seq;
	bool flush_all;
	struct dsr_svc_key flush_svc;
};

/**
 * Build everything for conf (copied). With params->lcores, worker i runs
 * on the i-th EAL worker lcore (dsr_lb_launch); without, the caller polls
 * the workers itself (tests).
 * @return 0, or -1 with a message for the operator in err.
 */
int dsr_lb_init(struct dsr_lb *lb, const struct dsr_conf *conf, const struct dsr_lb_params *params,
		char *err, size_t errlen);

/**
 * The packet buffer pool on port's socket: its RX queues fill from it, and
 * frames built to send on it come from it. NULL for a port out of range.
 */
struct rte_mempool *dsr_lb_port_pool(const struct dsr_lb *lb, uint16_t port);

/** Start the workers on their lcores. */
int dsr_lb_launch(struct dsr_lb *lb, char *err, size_t errlen);

/** Milliseconds since dsr_lb_init(), the clock the workers use too. */
uint32_t dsr_lb_now_ms(const struct dsr_lb *lb);

/**
 * Main-lcore housekeeping, called every millisecond or so with the clock:
 * ARP frames from the workers, ARP timers, a new generation when a backend
 * MAC changed, RCU reclaim.
 */
void dsr_lb_service(struct dsr_lb *lb, uint32_t now_ms);

/**
 * Give a port a MAC address before the workers start, for virtual ports
 * that have none (net_ring). Returns 0, or -1 if port is out of range.
 */
int dsr_lb_set_port_mac(struct dsr_lb *lb, uint16_t port, const uint8_t mac[6]);

/**
 * Apply one command line to the running configuration: validate it,
 * build a new generation and publish it (the old one is freed after an
 * RCU grace period). Startup-only and run-time-only commands are refused.
 * A command that fails changes nothing.
 * @return 0, or -1 with err set.
 */
int dsr_lb_apply(struct dsr_lb *lb, const char *line, char *err, size_t errlen);

/** The same for a parsed command. */
int dsr_lb_apply_cmd(struct dsr_lb *lb, const struct dsr_cmd *cmd, char *err, size_t errlen);

/**
 * Re-read a config file and apply the difference to the running state in
 * one generation: settings that differ, VIPs and backends removed, added,
 * re-weighted (a backend whose static MAC changed is removed and added).
 * Unchanged VIPs and backends keep their ids and their connections.
 * Start-up settings (sizes, port addresses) are kept, with a warning.
 * A file with no VIP is refused while VIPs run, unless the balancer was
 * built with allow_empty (dsr_conf_check_reload()).
 * @return 0 (*changes = commands applied, 0 = nothing differed), or -1
 * with err set and nothing changed.
 */
int dsr_lb_reload(struct dsr_lb *lb, const char *path, unsigned int *changes, char *err,
		  size_t errlen);

/** Release held backend ids that no connection entry names any more. */
void dsr_lb_release_held(struct dsr_lb *lb);

/**
 * Start a `conns flush` of one service (svc) or all (NULL): publish the
 * request; workers remove the matching entries over their next loops.
 * *seq is the request, for dsr_lb_flush_done().
 */
int dsr_lb_flush_start(struct dsr_lb *lb, const struct dsr_svc_key *svc, uint64_t *seq, char *err,
		       size_t errlen);
bool dsr_lb_flush_done(const struct dsr_lb *lb, uint64_t seq);

/** Port's kernel interface, or NULL when it has none (or it is not running). */
const struct dsr_lb_kif *dsr_lb_kernel_if(const struct dsr_lb *lb, uint16_t port);

/** Is port's kernel interface there and up (IFF_UP, read from the kernel now)? */
bool dsr_lb_kernel_if_up(const struct dsr_lb *lb, uint16_t port);

/** "virtio-user" or "tap": which DPDK driver makes the interface. */
const char *dsr_lb_kif_driver(const struct dsr_lb_kif *k);

/**
 * Record a health check's result for backend b (ok, latency, why it
 * failed). A change of state is logged and published at once; a backend
 * that goes down has its active connections counted in lost-conns.
 * @return 1 if the state changed, 0 if not, -1 if publishing failed.
 */
int dsr_lb_health_record(struct dsr_lb *lb, unsigned int b, bool ok, uint32_t latency_us,
			 const char *why);

/** Backend b's health. */
const struct dsr_health_be *dsr_lb_health_of(const struct dsr_lb *lb, unsigned int b);

/**
 * `vip withdraw` (withdraw true) / `vip announce`: take the route of the
 * address of service svc away, or give it back. -1 with the reason if
 * there is no such VIP or no `announce table`.
 */
int dsr_lb_vip_withdraw(struct dsr_lb *lb, const struct dsr_svc_key *svc, bool withdraw, char *err,
			size_t errlen);

/** Where the route of VIP id vip's address stands. */
enum dsr_lb_route_state dsr_lb_vip_route(const struct dsr_lb *lb, unsigned int vip);

/** "announced", "withdrawn", "no-usable-backend", "not-announced", "route-error". */
const char *dsr_lb_route_state_name(enum dsr_lb_route_state s);

/** Stop the workers and wait for them. */
void dsr_lb_stop(struct dsr_lb *lb);

/** Close the ports and free everything (after dsr_lb_stop). */
void dsr_lb_fini(struct dsr_lb *lb);

/** Sum all workers' counters into out, less the baselines of reused ids. */
void dsr_lb_stats(const struct dsr_lb *lb, struct dsr_stats_lcore *out);

/** Sum all workers' counters into out, as they are. */
void dsr_lb_stats_raw(const struct dsr_lb *lb, struct dsr_stats_lcore *out);

#endif /* DSR_LB_H */
