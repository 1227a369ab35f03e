/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for lib/numa: placement on made-up machines. */

#include <stdint.h>
#include <string.h>

#include "dsr_numa.h"
#include "dsr_test.h"

/* A topology: main lcore's socket, workers' sockets, ports' sockets. */
static void
topo_set(struct dsr_numa_topo *t, int main_socket, const int *workers, unsigned int nw,
	 const int *ports, unsigned int np)
{
	memset(t, 0, sizeof(*t));
	t->main_socket = main_socket;
	t->nb_workers = nw;
	memcpy(t->worker_socket, workers, sizeof(*workers) * nw);
	t->nb_ports = np;
	memcpy(t->port_socket, ports, sizeof(*ports) * np);
}

/*
 * What must hold whatever the machine: every port's RX queues take the
 * pool on its queue-setup socket; pools are distinct sockets, ascending,
 * each used by at least one port.
 */
static void
check_invariants(const struct dsr_numa_plan *pl)
{
	unsigned int p, k, users;

	for (p = 0; p < pl->nb_ports; p++) {
		CHECK(dsr_numa_rxq_pool(pl, p) >= 0);
		CHECK((unsigned int)dsr_numa_rxq_pool(pl, p) < pl->nb_pools);
		CHECK_EQ(pl->pool_socket[dsr_numa_rxq_pool(pl, p)], pl->port_socket[p]);
	}
	for (k = 0; k < pl->nb_pools; k++) {
		if (k > 0)
			CHECK(pl->pool_socket[k - 1] < pl->pool_socket[k]);
		for (users = 0, p = 0; p < pl->nb_ports; p++)
			users += pl->port_pool[p] == k;
		CHECK(users > 0);
	}
}

/* One socket: one pool, everything on socket 0, nothing remote. */
static void
test_one_socket(void)
{
	static const int w[] = {0, 0, 0}, p[] = {0, 0};
	struct dsr_numa_topo t;
	struct dsr_numa_plan pl;
	unsigned int i, q;

	topo_set(&t, 0, w, 3, p, 2);
	CHECK_EQ(dsr_numa_place(&t, &pl), 0);
	check_invariants(&pl);
	CHECK_EQ(pl.nb_pools, 1);
	CHECK_EQ(pl.pool_socket[0], 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(pl.worker_socket[i], 0);
	for (q = 0; q < 2; q++) {
		CHECK_EQ(pl.port_socket[q], 0);
		CHECK_EQ(dsr_numa_rxq_pool(&pl, q), 0);
		for (i = 0; i < 3; i++)
			CHECK(!dsr_numa_remote(&pl, i, q));
	}
}

/*
 * Two sockets, a port on each, workers on both: one pool per socket,
 * each port's RX queues on its own socket's pool, each worker on its own
 * lcore's socket; a worker polling the other socket's port is remote.
 */
static void
test_two_sockets(void)
{
	static const int w[] = {0, 1, 1, 0}, p[] = {1, 0, 1};
	struct dsr_numa_topo t;
	struct dsr_numa_plan pl;
	unsigned int i;

	topo_set(&t, 0, w, 4, p, 3);
	CHECK_EQ(dsr_numa_place(&t, &pl), 0);
	check_invariants(&pl);
	CHECK_EQ(pl.nb_pools, 2);
	CHECK_EQ(pl.pool_socket[0], 0);
	CHECK_EQ(pl.pool_socket[1], 1);
	CHECK_EQ(dsr_numa_rxq_pool(&pl, 0), 1);
	CHECK_EQ(dsr_numa_rxq_pool(&pl, 1), 0);
	CHECK_EQ(dsr_numa_rxq_pool(&pl, 2), 1);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(pl.port_socket[i], p[i]);
		CHECK(pl.port_known[i]);
	}
	for (i = 0; i < 4; i++)
		CHECK_EQ(pl.worker_socket[i], w[i]);
	CHECK(!dsr_numa_remote(&pl, 1, 0));
	CHECK(dsr_numa_remote(&pl, 0, 0));
	CHECK(!dsr_numa_remote(&pl, 0, 1));
	CHECK(dsr_numa_remote(&pl, 2, 1));
	/* Out of range: no pool, never remote. */
	CHECK_EQ(dsr_numa_rxq_pool(&pl, 3), -1);
	CHECK(!dsr_numa_remote(&pl, 4, 0));
	CHECK(!dsr_numa_remote(&pl, 0, 3));
}

/*
 * A port that does not know its socket (SOCKET_ID_ANY, a vdev) goes on
 * the main lcore's socket, joining that socket's pool if there is one;
 * it is never called remote, since its place is a guess.
 */
static void
test_unknown_port(void)
{
	static const int w[] = {1, 0}, p1[] = {DSR_NUMA_UNKNOWN}, p2[] = {3, DSR_NUMA_UNKNOWN, 1};
	static const int wu[] = {DSR_NUMA_UNKNOWN, 1}, pu[] = {DSR_NUMA_UNKNOWN, -7};
	struct dsr_numa_topo t;
	struct dsr_numa_plan pl;

	topo_set(&t, 1, w, 2, p1, 1);
	CHECK_EQ(dsr_numa_place(&t, &pl), 0);
	check_invariants(&pl);
	CHECK_EQ(pl.fallback, 1);
	CHECK_EQ(pl.nb_pools, 1);
	CHECK_EQ(pl.pool_socket[0], 1);
	CHECK_EQ(pl.port_socket[0], 1);
	CHECK(!pl.port_known[0]);
	CHECK(!dsr_numa_remote(&pl, 0, 0));
	CHECK(!dsr_numa_remote(&pl, 1, 0));

	/* Port 1 unknown, main lcore on 1: it shares port 2's pool. */
	topo_set(&t, 1, w, 2, p2, 3);
	CHECK_EQ(dsr_numa_place(&t, &pl), 0);
	check_invariants(&pl);
	CHECK_EQ(pl.nb_pools, 2);
	CHECK_EQ(pl.pool_socket[0], 1);
	CHECK_EQ(pl.pool_socket[1], 3);
	CHECK_EQ(dsr_numa_rxq_pool(&pl, 0), 1);
	CHECK_EQ(dsr_numa_rxq_pool(&pl, 1), 0);
	CHECK_EQ(dsr_numa_rxq_pool(&pl, 2), 0);
	CHECK(!dsr_numa_remote(&pl, 1, 1));
	CHECK(dsr_numa_remote(&pl, 1, 2));

	/* Nothing known at all (any negative value): socket 0. */
	topo_set(&t, -1, wu, 2, pu, 2);
	CHECK_EQ(dsr_numa_place(&t, &pl), 0);
	check_invariants(&pl);
	CHECK_EQ(pl.fallback, 0);
	CHECK_EQ(pl.nb_pools, 1);
	CHECK_EQ(pl.pool_socket[0], 0);
	CHECK_EQ(pl.worker_socket[0], 0);
	CHECK_EQ(pl.worker_socket[1], 1);
	CHECK_EQ(pl.port_socket[1], 0);
}

/*
 * Workers on a socket with no port: their own state stays on their
 * socket, but no pool is made there; the RX queues they poll take the
 * port's pool, and they are remote.
 */
static void
test_workers_without_ports(void)
{
	static const int w[] = {1, 1, 0}, p[] = {0, 0};
	struct dsr_numa_topo t;
	struct dsr_numa_plan pl;

	topo_set(&t, 0, w, 3, p, 2);
	CHECK_EQ(dsr_numa_place(&t, &pl), 0);
	check_invariants(&pl);
	CHECK_EQ(pl.nb_pools, 1);
	CHECK_EQ(pl.pool_socket[0], 0);
	CHECK_EQ(pl.worker_socket[0], 1);
	CHECK_EQ(pl.worker_socket[1], 1);
	CHECK_EQ(pl.worker_socket[2], 0);
	CHECK_EQ(dsr_numa_rxq_pool(&pl, 0), 0);
	CHECK_EQ(dsr_numa_rxq_pool(&pl, 1), 0);
	CHECK(dsr_numa_remote(&pl, 0, 0));
	CHECK(dsr_numa_remote(&pl, 1, 1));
	CHECK(!dsr_numa_remote(&pl, 2, 1));
}

/* Many sockets in any order: pools sorted, one per socket, at the limits. */
static void
test_many_sockets(void)
{
	static struct dsr_numa_topo t;
	static struct dsr_numa_plan pl;
	unsigned int i;

	memset(&t, 0, sizeof(t));
	t.nb_workers = DSR_NUMA_MAX_WORKERS;
	for (i = 0; i < t.nb_workers; i++)
		t.worker_socket[i] = (int)(i % 5);
	t.nb_ports = DSR_NUMA_MAX_PORTS;
	for (i = 0; i < t.nb_ports; i++)
		t.port_socket[i] = (int)((7 * i + 3) % 11); /* 3, 10, 6, 2, ... */
	CHECK_EQ(dsr_numa_place(&t, &pl), 0);
	check_invariants(&pl);
	CHECK_EQ(pl.nb_pools, 11);
	for (i = 0; i < 11; i++)
		CHECK_EQ(pl.pool_socket[i], i);
	CHECK_EQ(pl.worker_socket[DSR_NUMA_MAX_WORKERS - 1], (DSR_NUMA_MAX_WORKERS - 1) % 5);

	/* Over the limits: refused, and the plan is left empty. */
	t.nb_ports = DSR_NUMA_MAX_PORTS + 1;
	CHECK_EQ(dsr_numa_place(&t, &pl), -1);
	CHECK_EQ(pl.nb_pools, 0);
	t.nb_ports = 1;
	t.nb_workers = DSR_NUMA_MAX_WORKERS + 1;
	CHECK_EQ(dsr_numa_place(&t, &pl), -1);
	CHECK_EQ(pl.nb_workers, 0);

	/* No ports: no pool. */
	t.nb_workers = 1;
	t.nb_ports = 0;
	CHECK_EQ(dsr_numa_place(&t, &pl), 0);
	CHECK_EQ(pl.nb_pools, 0);
	CHECK_EQ(dsr_numa_rxq_pool(&pl, 0), -1);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_one_socket),   DSR_TEST(test_two_sockets),
		DSR_TEST(test_unknown_port), DSR_TEST(test_workers_without_ports),
		DSR_TEST(test_many_sockets),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
