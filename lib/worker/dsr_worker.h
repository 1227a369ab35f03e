/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_WORKER_H
#define DSR_WORKER_H

/**
 * @file
 * A worker lcore: polls its RX queues in bursts, runs each burst through
 * lib/fwd in two stages (classify and prefetch, then decide), transmits
 * on its own TX queue of the port a frame came in on, hands ARP frames
 * to the main lcore through a ring, sends the frames the main lcore
 * gives it, sweeps a few table buckets, and reports RCU quiescence once
 * per loop. No locks, no allocation, no syscalls, no logging.
 */

#include <stdint.h>

#include <rte_common.h>

#include "dsr_publish.h"
#include "dsr_fwd.h"

struct rte_mbuf;
struct rte_ring;

#define DSR_BURST          32 /**< at most DSR_FWD_BURST_MAX */
#define DSR_TX_BUF         64
#define DSR_WORKER_MAX_RXQ 32
#define DSR_SWEEP_BUCKETS  2    /**< table buckets aged per loop, at most */
#define DSR_SWEEP_PASS_MS  1000 /**< the sweep's pace: the whole table in this time */
#define DSR_FLUSH_BUCKETS  256  /**< table buckets flushed per loop during conns flush */

struct dsr_worker_rxq {
	uint16_t port;
	uint16_t queue;
};

struct dsr_worker_txbuf {
	uint16_t n;
	uint64_t bytes; /**< of the n frames */
	struct rte_mbuf *m[DSR_TX_BUF];
};

struct dsr_worker {
	struct dsr_fwd fwd;
	struct dsr_pub *pub;
	struct rte_ring *slow_ring; /**< worker -> main: ARP frames */
	struct rte_ring *tx_ring;   /**< main -> worker: frames to send, mbuf->port = out port */
	uint64_t tsc_base;
	uint64_t tsc_per_ms;
	uint16_t id;  /**< 0..nb_workers-1, also the RCU thread id */
	uint16_t txq; /**< this worker's TX queue on every port */
	uint16_t nb_rxq;
	uint32_t tx_dirty;         /**< bit p: tx[p] holds frames (DSR_MAX_PORTS <= 32) */
	struct dsr_ct_pace sweep;  /**< the table sweep's pace */
	struct dsr_ct_pace sweep6; /**< the IPv6 table's (its steps are 4 entries) */
	bool record_cycles;        /**< account cycles by stage (--record-cycles) */
	unsigned int lcore;
	void *ct_mem;   /**< the table's memory (owned by lib/lb) */
	void *frag_mem; /**< the fragment table's (owned by lib/lb) */
	void *ct6_mem;  /**< the IPv6 table's (owned by lib/lb) */
	struct dsr_worker_rxq rxq[DSR_WORKER_MAX_RXQ];
	/* conns flush: the request being worked on, and the last one done. */
	uint64_t flush_seen;
	uint64_t flush_done; /**< atomic: read by the main lcore */
	uint32_t flush_cursor;
	uint32_t flush_cursor6; /**< the IPv6 table's, once the IPv4 one is done */
	bool flush_all;
	struct dsr_svc_key flush_svc;
	struct dsr_worker_txbuf tx[DSR_MAX_PORTS];
} __rte_cache_aligned;

/** The worker's millisecond clock (TSC based, from tsc_base). */
uint32_t dsr_worker_now_ms(const struct dsr_worker *w);

/**
 * One pass over the worker's queues at time now_ms: receive, forward,
 * transmit, drain tx_ring, sweep. The caller reports RCU quiescence.
 * @return the number of packets received.
 */
unsigned int dsr_worker_poll(struct dsr_worker *w, uint32_t now_ms);

/** Turn cycle accounting by stage on or off (before the worker runs). */
void dsr_worker_record_cycles(struct dsr_worker *w, bool on);

/** The lcore entry point: register with RCU, poll until pub->quit, go offline. */
int dsr_worker_main(void *arg);

#endif /* DSR_WORKER_H */
