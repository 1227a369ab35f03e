/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "dsr_numa.h"

/*
 * An unknown socket is taken to be the main lcore's: a virtual device
 * (net_af_packet, net_ring, net_pcap) reports none, and its driver
 * allocates its own memory from the main lcore, which probes it; the main
 * lcore also builds the ARP frames sent on every port. If even the main
 * lcore's socket is unknown, socket 0, which every machine has.
 */
static int
resolve(int socket, int fallback)
{
	return socket < 0 ? fallback : socket;
}

/* Index of socket in the sorted pool list, adding it if it is new. */
static uint8_t
pool_of(struct dsr_numa_plan *plan, int socket)
{
	unsigned int k, j;

	for (k = 0; k < plan->nb_pools && plan->pool_socket[k] < socket; k++)
		;
	if (k < plan->nb_pools && plan->pool_socket[k] == socket)
		return (uint8_t)k;
	for (j = plan->nb_pools; j > k; j--)
		plan->pool_socket[j] = plan->pool_socket[j - 1];
	plan->pool_socket[k] = socket;
	plan->nb_pools++;
	return (uint8_t)k;
}

int
dsr_numa_place(const struct dsr_numa_topo *topo, struct dsr_numa_plan *plan)
{
	unsigned int i, p;

	memset(plan, 0, sizeof(*plan));
	if (topo->nb_workers > DSR_NUMA_MAX_WORKERS || topo->nb_ports > DSR_NUMA_MAX_PORTS)
		return -1;
	plan->fallback = resolve(topo->main_socket, 0);
	plan->nb_workers = topo->nb_workers;
	for (i = 0; i < topo->nb_workers; i++)
		plan->worker_socket[i] = resolve(topo->worker_socket[i], plan->fallback);
	plan->nb_ports = topo->nb_ports;
	for (p = 0; p < topo->nb_ports; p++) {
		plan->port_known[p] = topo->port_socket[p] >= 0;
		plan->port_socket[p] = resolve(topo->port_socket[p], plan->fallback);
		pool_of(plan, plan->port_socket[p]);
	}
	/* The pools are sorted now; map each port to its socket's. */
	for (p = 0; p < topo->nb_ports; p++)
		plan->port_pool[p] = pool_of(plan, plan->port_socket[p]);
	return 0;
}

int
dsr_numa_rxq_pool(const struct dsr_numa_plan *plan, unsigned int port)
{
	return port < plan->nb_ports ? plan->port_pool[port] : -1;
}

bool
dsr_numa_remote(const struct dsr_numa_plan *plan, unsigned int worker, unsigned int port)
{
	return worker < plan->nb_workers && port < plan->nb_ports && plan->port_known[port] &&
	       plan->port_socket[port] != plan->worker_socket[worker];
}
