/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_PORT_H
#define DSR_PORT_H

/**
 * @file
 * Ethernet port setup: how many RX queues a port can spread flows over,
 * RSS on the IPv4 TCP/UDP 5-tuple, one TX queue per worker, start/stop.
 * Errors are returned as text for the daemon to print, never logged here.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rte_mempool;

#define DSR_PORT_RX_DESC 1024
#define DSR_PORT_TX_DESC 1024

/** How a port spreads flows over its RX queues. */
enum dsr_port_spread {
	DSR_SPREAD_NONE = 0, /**< one RX queue: no RSS */
	DSR_SPREAD_RSS,      /**< NIC RSS on the IPv4 TCP/UDP 5-tuple */
	DSR_SPREAD_KERNEL,   /**< the driver's own flow hash (af_packet fanout) */
};

struct dsr_port_info {
	uint16_t port_id;
	uint16_t nb_rxq;
	uint16_t nb_txq;
	uint16_t rx_desc;
	uint16_t tx_desc;
	int dev_socket; /**< NUMA socket the device reports; -1 (SOCKET_ID_ANY): unknown */
	int socket;     /**< NUMA socket its queues are set up on: the caller sets it (lib/numa) */
	enum dsr_port_spread spread;
	uint64_t rss_hf; /**< RSS hash types asked for (when spread is RSS) */
	uint8_t mac[6];
	char driver[32];
	char name[64];
};

/**
 * Decide the queues of a port for nb_workers workers: RX queues =
 * min(workers, device max) where the port spreads flows, else 1; TX queues
 * = nb_workers (each worker transmits on its own queue).
 * @return 0, or -1 with err set (e.g. too few TX queues).
 */
int dsr_port_probe(uint16_t port_id, uint16_t nb_workers, struct dsr_port_info *info, char *err,
		   size_t errlen);

/**
 * Configure and start a probed port, its queues on info->socket, RX
 * buffers from mp. @return 0 or -1 with err.
 */
int dsr_port_start(struct dsr_port_info *info, struct rte_mempool *mp, char *err, size_t errlen);

/** Stop and close a port. */
void dsr_port_close(uint16_t port_id);

/** Name of a spread mode ("rss", "kernel-fanout", "none"). */
const char *dsr_port_spread_name(enum dsr_port_spread s);

#endif /* DSR_PORT_H */
