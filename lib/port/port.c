/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "dsr_port.h"

#define DSR_RSS_HF (RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP)
/*
 * Hashed too where the NIC can: IPv6 TCP and UDP by 4-tuple (without
 * them every whole IPv6 packet goes to queue 0); fragments and ICMP by
 * their addresses (all fragments of a datagram share them, so they reach
 * one worker and its fragment table); without them they all go to queue
 * 0. IPv6 fragments the same way: FRAG_IPV6, or IPV6_EX (IPv6 with
 * extension headers, a fragment header among them, by its addresses);
 * never the TCP_EX/UDP_EX types, which would hash a first fragment on its
 * ports and its later ones, which have none, elsewhere.
 */
#define DSR_RSS_HF_MORE                                                                            \
	(RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_NONFRAG_IPV6_UDP | RTE_ETH_RSS_FRAG_IPV4 |     \
	 RTE_ETH_RSS_NONFRAG_IPV4_OTHER | RTE_ETH_RSS_NONFRAG_IPV6_OTHER | RTE_ETH_RSS_FRAG_IPV6 | \
	 RTE_ETH_RSS_IPV6_EX)

/*
 * Drivers that spread flows over several RX queues without reporting
 * RSS: net_af_packet opens its queues with PACKET_FANOUT_HASH, and the
 * kernel hashes each flow to one queue.
 */
static const char *const kernel_spread_drivers[] = {"net_af_packet"};

const char *
dsr_port_spread_name(enum dsr_port_spread s)
{
	switch (s) {
	case DSR_SPREAD_RSS:
		return "rss";
	case DSR_SPREAD_KERNEL:
		return "kernel-fanout";
	default:
		return "none";
	}
}

int
dsr_port_probe(uint16_t port_id, uint16_t nb_workers, struct dsr_port_info *info, char *err,
	       size_t errlen)
{
	struct rte_eth_dev_info dev;
	struct rte_ether_addr mac;
	unsigned int i;
	int ret;

	memset(info, 0, sizeof(*info));
	info->port_id = port_id;
	ret = rte_eth_dev_info_get(port_id, &dev);
	if (ret != 0) {
		snprintf(err, errlen, "port %u: cannot read device info: %s", port_id,
			 rte_strerror(-ret));
		return -1;
	}
	snprintf(info->driver, sizeof(info->driver), "%s", dev.driver_name);
	if (rte_eth_dev_get_name_by_port(port_id, info->name) != 0)
		snprintf(info->name, sizeof(info->name), "port%u", port_id);
	info->dev_socket = rte_eth_dev_socket_id(port_id);
	info->socket = info->dev_socket;
	if (rte_eth_macaddr_get(port_id, &mac) != 0) {
		snprintf(err, errlen, "port %u (%s): cannot read its MAC address", port_id,
			 info->name);
		return -1;
	}
	memcpy(info->mac, mac.addr_bytes, 6);

	info->spread = DSR_SPREAD_NONE;
	if ((dev.flow_type_rss_offloads & DSR_RSS_HF) == DSR_RSS_HF)
		info->spread = DSR_SPREAD_RSS;
	info->rss_hf = DSR_RSS_HF | (dev.flow_type_rss_offloads & DSR_RSS_HF_MORE);
	for (i = 0; i < RTE_DIM(kernel_spread_drivers); i++)
		if (strcmp(dev.driver_name, kernel_spread_drivers[i]) == 0)
			info->spread = DSR_SPREAD_KERNEL;
	info->nb_rxq = 1;
	if (info->spread != DSR_SPREAD_NONE)
		info->nb_rxq = RTE_MIN(nb_workers, dev.max_rx_queues);
	if (info->nb_rxq <= 1) {
		info->nb_rxq = 1;
		info->spread = DSR_SPREAD_NONE;
	}
	if (dev.max_tx_queues < nb_workers) {
		snprintf(
			err, errlen,
			"port %u (%s, %s): %u worker lcores need one TX queue each, but it has %u; "
			"use fewer lcores (-l) or a port with more queues",
			port_id, info->name, info->driver, nb_workers, dev.max_tx_queues);
		return -1;
	}
	info->nb_txq = nb_workers;
	info->rx_desc = DSR_PORT_RX_DESC;
	info->tx_desc = DSR_PORT_TX_DESC;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &info->rx_desc, &info->tx_desc);
	if (ret != 0) {
		snprintf(err, errlen, "port %u (%s): cannot size its rings: %s", port_id,
			 info->name, rte_strerror(-ret));
		return -1;
	}
	return 0;
}

int
dsr_port_start(struct dsr_port_info *info, struct rte_mempool *mp, char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	uint16_t q, port = info->port_id;
	int ret;

	memset(&conf, 0, sizeof(conf));
	if (info->spread == DSR_SPREAD_RSS) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info->rss_hf;
	}
	ret = rte_eth_dev_configure(port, info->nb_rxq, info->nb_txq, &conf);
	if (ret != 0) {
		snprintf(err, errlen,
			 "port %u (%s): configure with %u RX / %u TX queues failed: %s", port,
			 info->name, info->nb_rxq, info->nb_txq, rte_strerror(-ret));
		return -1;
	}
	for (q = 0; q < info->nb_rxq; q++) {
		ret = rte_eth_rx_queue_setup(port, q, info->rx_desc, (unsigned int)info->socket,
					     NULL, mp);
		if (ret != 0) {
			snprintf(err, errlen, "port %u (%s): RX queue %u setup failed: %s", port,
				 info->name, q, rte_strerror(-ret));
			return -1;
		}
	}
	for (q = 0; q < info->nb_txq; q++) {
		ret = rte_eth_tx_queue_setup(port, q, info->tx_desc, (unsigned int)info->socket,
					     NULL);
		if (ret != 0) {
			snprintf(err, errlen, "port %u (%s): TX queue %u setup failed: %s", port,
				 info->name, q, rte_strerror(-ret));
			return -1;
		}
	}
	ret = rte_eth_dev_start(port);
	if (ret != 0) {
		snprintf(err, errlen, "port %u (%s): start failed: %s", port, info->name,
			 rte_strerror(-ret));
		return -1;
	}
	/* We filter on our MAC in software; ask the NIC to do it first where it can. */
	(void)rte_eth_promiscuous_disable(port);
	return 0;
}

void
dsr_port_close(uint16_t port_id)
{
	(void)rte_eth_dev_stop(port_id);
	(void)rte_eth_dev_close(port_id);
}
