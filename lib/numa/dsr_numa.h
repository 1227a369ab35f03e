/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_NUMA_H
#define DSR_NUMA_H

/**
 * @file
 * NUMA placement, decided from the topology alone (pure C, no EAL), so
 * that it can be tested with made-up machines:
 * - each worker's state (connection table, counters, rings) goes on the
 *   socket of the worker's own lcore, the only lcore that writes it;
 * - each port's queues go on the port's socket;
 * - one packet buffer pool per socket that has ports, and each port's
 *   RX queues fill from the pool of its own socket.
 * A socket that is not known (SOCKET_ID_ANY, -1: a virtual device, or a
 * machine that does not say) is taken to be the main lcore's socket, or
 * socket 0 when that is not known either. lib/lb gathers the topology
 * (rte_lcore_to_socket_id(), rte_eth_dev_socket_id()) and applies the plan.
 */

#include <stdbool.h>
#include <stdint.h>

#define DSR_NUMA_MAX_PORTS   32   /**< at least DSR_MAX_PORTS */
#define DSR_NUMA_MAX_WORKERS 128  /**< at least DSR_LB_MAX_WORKERS */
#define DSR_NUMA_UNKNOWN     (-1) /**< SOCKET_ID_ANY: any negative socket means unknown */

/** The machine as lib/lb sees it. */
struct dsr_numa_topo {
	int main_socket; /**< the main lcore's socket */
	unsigned int nb_workers;
	int worker_socket[DSR_NUMA_MAX_WORKERS]; /**< the socket of worker i's lcore */
	unsigned int nb_ports;
	int port_socket[DSR_NUMA_MAX_PORTS]; /**< rte_eth_dev_socket_id(p) */
};

/** Where everything goes. */
struct dsr_numa_plan {
	int fallback; /**< the socket an unknown one is taken to be */
	unsigned int nb_workers;
	int worker_socket[DSR_NUMA_MAX_WORKERS]; /**< worker i's table, counters and rings */
	unsigned int nb_ports;
	int port_socket[DSR_NUMA_MAX_PORTS];   /**< port p's RX/TX queue setup */
	bool port_known[DSR_NUMA_MAX_PORTS];   /**< port p reported its socket */
	unsigned int nb_pools;                 /**< sockets with ports, one pool each */
	int pool_socket[DSR_NUMA_MAX_PORTS];   /**< pool k's socket, in ascending order */
	uint8_t port_pool[DSR_NUMA_MAX_PORTS]; /**< the pool port p's RX queues take buffers from */
};

/**
 * Place workers, ports and pools for topo.
 * @return 0, or -1 (plan zeroed) if topo has more workers or ports than
 * the limits above.
 */
int dsr_numa_place(const struct dsr_numa_topo *topo, struct dsr_numa_plan *plan);

/**
 * The pool an RX queue of port uses, whichever worker polls it: the pool
 * on the port's socket. @return its index, or -1 for a port out of range.
 */
int dsr_numa_rxq_pool(const struct dsr_numa_plan *plan, unsigned int port);

/**
 * Whether worker polling a queue of port crosses sockets: the port said
 * where it is, and it is not the worker's socket. An unknown port socket
 * is never called remote (the fallback is a guess, not a fact).
 */
bool dsr_numa_remote(const struct dsr_numa_plan *plan, unsigned int worker, unsigned int port);

#endif /* DSR_NUMA_H */
