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
#include "dsr_dp.h"
#include "dsr_port.h"
#include "dsr_stats.h"
#include "dsr_worker.h"

#define DSR_LB_MAX_WORKERS 128
#define DSR_LB_SLOW_RING   1024 /**< frames queued per worker for the main lcore */

struct rte_mempool;

/** How to build the balancer. */
struct dsr_lb_params {
	unsigned int nb_workers; /**< worker count (>= 1) */
	bool lcores;             /**< run workers on EAL worker lcores (else the caller polls) */
	uint32_t nb_mbufs;       /**< packet buffers in the pool; 0 = sized from the queues */
};

struct dsr_lb {
	struct dsr_conf *conf;  /**< the running configuration (owned) */
	struct dsr_dp dp;
	uint16_t nb_ports;
	struct dsr_port_info ports[DSR_MAX_PORTS];
	uint16_t nb_workers;
	struct dsr_worker *workers[DSR_LB_MAX_WORKERS];
	struct rte_mempool *mp;
	uint64_t start_tsc;
	bool ports_started;
	bool launched;
	struct dsr_arp *arp;    /**< ARP state (main lcore only) */
	uint64_t slow_frames;   /**< frames the main lcore took from the slow rings */
	uint64_t slow_tx_drops; /**< frames the main lcore could not queue for sending */
	uint64_t publishes;     /**< generations published */
};

/**
 * Build everything for conf (copied). With params->lcores, worker i runs
 * on the i-th EAL worker lcore (dsr_lb_launch); without, the caller polls
 * the workers itself (tests).
 * @return 0, or -1 with a message for the operator in err.
 */
int dsr_lb_init(struct dsr_lb *lb, const struct dsr_conf *conf,
		const struct dsr_lb_params *params, char *err, size_t errlen);

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
 * RCU grace period). Startup-only commands are refused. A command that
 * fails changes nothing.
 * @return 0, or -1 with err set.
 */
int dsr_lb_apply(struct dsr_lb *lb, const char *line, char *err, size_t errlen);

/** Stop the workers and wait for them. */
void dsr_lb_stop(struct dsr_lb *lb);

/** Close the ports and free everything (after dsr_lb_stop). */
void dsr_lb_fini(struct dsr_lb *lb);

/** Sum all workers' counters into out. */
void dsr_lb_stats(const struct dsr_lb *lb, struct dsr_stats_lcore *out);

/** Print the counters summary (on SIGUSR1 and at exit). */
void dsr_lb_print_stats(const struct dsr_lb *lb, FILE *out);

#endif /* DSR_LB_H */
