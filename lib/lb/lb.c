/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_ring.h>

#include "dsr_lb.h"
#include "dsr_log.h"
#include "lb_pvt.h"

#define DSR_MBUF_CACHE 256

_Static_assert(DSR_NUMA_MAX_PORTS >= DSR_MAX_PORTS, "lib/numa places every port");
_Static_assert(DSR_NUMA_MAX_WORKERS >= DSR_LB_MAX_WORKERS, "lib/numa places every worker");

/* Say once if a worker polls a port on another socket than its lcore's. */
static void
lb_warn_remote(const struct dsr_lb *lb, const struct dsr_worker *w)
{
	uint16_t q, p;

	for (q = 0; q < w->nb_rxq; q++) {
		p = w->rxq[q].port;
		if (dsr_numa_remote(&lb->numa, w->id, p)) {
			dsr_log(DSR_LOG_WARNING,
				"worker %u (lcore %u) is on socket %d but polls port %u on socket "
				"%d: its frames cross sockets; lcores on the port's socket avoid it",
				w->id, w->lcore, lb->numa.worker_socket[w->id], p,
				lb->numa.port_socket[p]);
			return;
		}
	}
}

/* Spread every (port, RX queue) over the workers, round robin. */
static int
lb_assign_queues(struct dsr_lb *lb, char *err, size_t errlen)
{
	unsigned int k = 0;
	uint16_t p, q, i;

	for (p = 0; p < lb->nb_ports; p++) {
		for (q = 0; q < lb->ports[p].nb_rxq; q++, k++) {
			struct dsr_worker *w = lb->workers[k % lb->nb_workers];

			if (w->nb_rxq == DSR_WORKER_MAX_RXQ) {
				snprintf(err, errlen, "worker %u would poll more than %u RX queues",
					 w->id, DSR_WORKER_MAX_RXQ);
				return -1;
			}
			w->rxq[w->nb_rxq].port = p;
			w->rxq[w->nb_rxq].queue = q;
			w->nb_rxq++;
		}
	}
	for (i = 0; i < lb->nb_workers; i++)
		if (lb->workers[i]->nb_rxq == 0)
			dsr_log(DSR_LOG_WARNING,
				"worker %u has no RX queue and will idle: the ports offer %u queues "
				"in all for %u workers",
				i, k, lb->nb_workers);
	for (i = 0; i < lb->nb_workers; i++)
		lb_warn_remote(lb, lb->workers[i]);
	return 0;
}

static int
lb_probe_ports(struct dsr_lb *lb, char *err, size_t errlen)
{
	uint16_t p, avail = rte_eth_dev_count_avail();

	if (avail == 0) {
		snprintf(err, errlen,
			 "no DPDK port: bind a NIC to vfio-pci (dpdk-devbind.py) or add a virtual "
			 "device such as --vdev net_af_packet0,iface=eth0");
		return -1;
	}
	if (avail > DSR_MAX_PORTS) {
		snprintf(err, errlen, "%u ports found, at most %u are supported", avail,
			 DSR_MAX_PORTS);
		return -1;
	}
	for (p = 0; p < DSR_MAX_PORTS; p++) {
		if (lb->conf->ports[p].has_addr && p >= avail) {
			snprintf(err, errlen,
				 "the config gives port %u an address, but there are only %u ports "
				 "(0-%u)",
				 p, avail, avail - 1);
			return -1;
		}
	}
	/* Ports are numbered 0..avail-1 when probed by EAL alone. */
	for (p = 0; p < avail; p++) {
		if (!rte_eth_dev_is_valid_port(p)) {
			snprintf(err, errlen, "port ids are not contiguous (port %u missing)", p);
			return -1;
		}
		if (dsr_port_probe(p, lb->nb_workers, &lb->ports[p], err, errlen) != 0)
			return -1;
	}
	lb->nb_ports = avail;
	return 0;
}

/*
 * Where everything goes (lib/numa): gather the topology, place, and give
 * each port the socket its queues are set up on. Worker i runs on
 * lcores[i]; the workers past nb_lcores (none with params->lcores) are
 * polled by the caller's thread, so they go on its socket.
 */
static int
lb_place(struct dsr_lb *lb, const unsigned int *lcores, unsigned int nb_lcores, char *err,
	 size_t errlen)
{
	struct dsr_numa_topo topo;
	unsigned int i;
	uint16_t p;

	memset(&topo, 0, sizeof(topo));
	topo.main_socket = (int)rte_lcore_to_socket_id(rte_get_main_lcore());
	topo.nb_workers = lb->nb_workers;
	for (i = 0; i < lb->nb_workers; i++)
		topo.worker_socket[i] = i < nb_lcores ? (int)rte_lcore_to_socket_id(lcores[i])
						      : (int)rte_socket_id();
	topo.nb_ports = lb->nb_ports;
	for (p = 0; p < lb->nb_ports; p++)
		topo.port_socket[p] = lb->ports[p].dev_socket;
	if (dsr_numa_place(&topo, &lb->numa) != 0) {
		snprintf(err, errlen, "cannot place %u workers and %u ports", lb->nb_workers,
			 lb->nb_ports);
		return -1;
	}
	for (p = 0; p < lb->nb_ports; p++) {
		lb->ports[p].socket = lb->numa.port_socket[p];
		if (!lb->numa.port_known[p])
			dsr_log(DSR_LOG_INFO,
				"port %u (%s) does not report its NUMA socket: its queues and "
				"packet buffers go on the main lcore's, socket %d",
				p, lb->ports[p].name, lb->ports[p].socket);
	}
	return 0;
}

/*
 * One packet buffer pool per socket that has ports. A pool's buffers fill
 * the RX rings of its own ports and, once received, can be anywhere a
 * frame goes: any port's TX ring, any worker's burst, TX buffers and
 * rings, and the cache every lcore keeps of every pool. Each pool is
 * sized for all of that, so that none runs dry while the others hold its
 * buffers; with one socket this is the one pool there always was. want
 * (--mbufs) is the least for each pool.
 */
static int
lb_create_pools(struct dsr_lb *lb, uint32_t want, char *err, size_t errlen)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int shared = 0, n, k, p;
	int socket;

	for (p = 0; p < lb->nb_ports; p++)
		shared += lb->ports[p].nb_txq * lb->ports[p].tx_desc;
	shared += lb->nb_workers * (DSR_BURST + DSR_TX_BUF * lb->nb_ports + 2 * DSR_LB_SLOW_RING);
	shared += (lb->nb_workers + 1) * DSR_MBUF_CACHE;
	/* What dsrlb sends to each kernel interface (its RX has its own pool). */
	shared += dsr_lb_kif_count(lb->conf) * (DSR_LB_KIF_DESC + DSR_BURST);
	for (k = 0; k < lb->numa.nb_pools; k++) {
		n = shared;
		for (p = 0; p < lb->nb_ports; p++)
			if (lb->numa.port_pool[p] == k)
				n += lb->ports[p].nb_rxq * lb->ports[p].rx_desc;
		if (want > n)
			n = want;
		socket = lb->numa.pool_socket[k];
		snprintf(name, sizeof(name), "dsr_mbufs_s%d", socket);
		lb->pools[k] = rte_pktmbuf_pool_create(name, n, DSR_MBUF_CACHE, 0,
						       RTE_MBUF_DEFAULT_BUF_SIZE, socket);
		if (lb->pools[k] == NULL) {
			snprintf(err, errlen,
				 "cannot allocate %u packet buffers (%u MB) on socket %d: %s; "
				 "reserve more hugepages on that socket (--socket-mem) or raise -m",
				 n,
				 (unsigned int)((uint64_t)n * (RTE_MBUF_DEFAULT_BUF_SIZE + 128) >>
						20),
				 socket, rte_strerror(rte_errno));
			return -1;
		}
	}
	return 0;
}

struct rte_mempool *
dsr_lb_port_pool(const struct dsr_lb *lb, uint16_t port)
{
	int k = dsr_numa_rxq_pool(&lb->numa, port);

	return k < 0 ? NULL : lb->pools[k];
}

static struct rte_ring *
lb_ring(const char *kind, unsigned int id, int socket, char *err, size_t errlen)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "dsr_%s_%u", kind, id);
	r = rte_ring_create(name, DSR_LB_SLOW_RING, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (r == NULL)
		snprintf(err, errlen, "cannot create ring %s: %s", name, rte_strerror(rte_errno));
	return r;
}

/*
 * A worker's IPv6 connection table: `conntrack size6` entries (by default
 * a quarter of `conntrack size`: IPv6 entries take 56 bytes where IPv4's
 * take 32); none when it is 0 (IPv6 packets are then dropped).
 */
static int
lb_create_ct6(struct dsr_lb *lb, struct dsr_worker *w, unsigned int id, int socket, char *err,
	      size_t errlen)
{
	uint32_t entries = dsr_conf_conntrack_size6(lb->conf);
	size_t size = dsr_ct6_mem_size(entries);
	struct dsr_ct6 *ct6;

	if (entries == 0)
		return 0;
	w->ct6_mem = size ? rte_zmalloc_socket("dsr_ct6", size, RTE_CACHE_LINE_SIZE, socket) : NULL;
	ct6 = w->ct6_mem == NULL ? NULL : dsr_ct6_init(w->ct6_mem, size, entries);
	if (ct6 == NULL) {
		snprintf(err, errlen,
			 "cannot allocate %zu MB for worker %u's IPv6 connection table (conntrack "
			 "size6 %u%s) on socket %d: lower 'conntrack size6', or reserve more "
			 "hugepages / -m",
			 size >> 20, id, entries,
			 lb->conf->conntrack_size6 == DSR_CONNTRACK6_AUTO
				 ? ", a quarter of conntrack size"
				 : "",
			 socket);
		return -1;
	}
	dsr_fwd_set_ct6(&w->fwd, ct6);
	return 0;
}

static void
lb_log_ct6(uint32_t entries)
{
	if (entries == 0)
		dsr_log(DSR_LOG_INFO, "IPv6 connection table: none (conntrack size6 0): IPv6 "
				      "packets are dropped");
	else
		dsr_log(DSR_LOG_INFO,
			"IPv6 connection table: %u entries per worker, %zu MB each (%zu bytes per "
			"entry)",
			entries, dsr_ct6_mem_size(entries) >> 20,
			dsr_ct6_mem_size(entries) / entries);
}

/* A worker's fragment table: a fixed size, keyed by a random seed. */
static int
lb_create_frag(struct dsr_worker *w, unsigned int id, int socket, char *err, size_t errlen)
{
	size_t size = dsr_frag_mem_size(DSR_FRAG_DEFAULT_ENTRIES);
	struct dsr_frag *frag;

	w->frag_mem = rte_zmalloc_socket("dsr_frag", size, RTE_CACHE_LINE_SIZE, socket);
	frag = w->frag_mem == NULL
		       ? NULL
		       : dsr_frag_init(w->frag_mem, size, DSR_FRAG_DEFAULT_ENTRIES, rte_rand());
	if (frag == NULL) {
		snprintf(err, errlen, "cannot allocate worker %u's fragment table (%zu kB)", id,
			 size >> 10);
		return -1;
	}
	dsr_fwd_set_frag(&w->fwd, frag);
	return 0;
}

static int
lb_create_worker(struct dsr_lb *lb, unsigned int id, unsigned int lcore, char *err, size_t errlen)
{
	uint32_t entries = lb->conf->conntrack_size;
	size_t ct_size = dsr_ct_mem_size(entries);
	int socket = lb->numa.worker_socket[id];
	struct dsr_stats_lcore *st;
	struct dsr_worker *w;
	struct dsr_ct *ct;
	void *ct_mem;
	uint16_t p;

	w = rte_zmalloc_socket("dsr_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
	st = rte_zmalloc_socket("dsr_stats", sizeof(*st), RTE_CACHE_LINE_SIZE, socket);
	ct_mem =
		ct_size ? rte_zmalloc_socket("dsr_ct", ct_size, RTE_CACHE_LINE_SIZE, socket) : NULL;
	lb->workers[id] = w;
	if (w != NULL) {
		w->fwd.st = st;
		w->ct_mem = ct_mem;
	}
	if (w == NULL || st == NULL) {
		snprintf(err, errlen, "cannot allocate worker %u's state on socket %d", id, socket);
		return -1;
	}
	if (ct_mem == NULL) {
		snprintf(err, errlen,
			 "cannot allocate %zu MB for worker %u's connection table (conntrack size "
			 "%u) on socket %d: lower 'conntrack size', or reserve more hugepages / -m",
			 ct_size >> 20, id, entries, socket);
		return -1;
	}
	ct = dsr_ct_init(ct_mem, ct_size, entries);
	if (ct == NULL) {
		snprintf(err, errlen, "bad connection table size %u", entries);
		return -1;
	}
	dsr_fwd_init(&w->fwd, ct, st);
	if (lb_create_frag(w, id, socket, err, errlen) != 0 ||
	    lb_create_ct6(lb, w, id, socket, err, errlen) != 0)
		return -1;
	for (p = 0; p < lb->nb_ports; p++)
		dsr_fwd_set_port_mac(&w->fwd, p, lb->ports[p].mac);
	w->pub = &lb->pub;
	w->id = (uint16_t)id;
	w->txq = (uint16_t)id;
	w->lcore = lcore;
	w->tsc_base = lb->start_tsc;
	w->tsc_per_ms = rte_get_tsc_hz() / 1000;
	w->slow_ring = lb_ring("slow", id, socket, err, errlen);
	w->tx_ring = lb_ring("tx", id, socket, err, errlen);
	return w->slow_ring != NULL && w->tx_ring != NULL ? 0 : -1;
}

static int
lb_start_ports(struct dsr_lb *lb, char *err, size_t errlen)
{
	uint16_t p;

	for (p = 0; p < lb->nb_ports; p++) {
		if (dsr_port_start(&lb->ports[p], dsr_lb_port_pool(lb, p), err, errlen) != 0)
			return -1;
		lb->ports_started = true;
	}
	return 0;
}

int
dsr_lb_init(struct dsr_lb *lb, const struct dsr_conf *conf, const struct dsr_lb_params *params,
	    char *err, size_t errlen)
{
	unsigned int nb_workers = params->nb_workers;
	unsigned int i, l, lcore_ids[DSR_LB_MAX_WORKERS], nb_lcores = 0;

	memset(lb, 0, sizeof(*lb));
	lb->start_tsc = rte_rdtsc();
	lb->allow_empty = params->allow_empty;
	if (nb_workers == 0) {
		snprintf(err, errlen,
			 "no worker lcore: give at least two lcores (e.g. -l 0,1); the main lcore "
			 "only runs the slow path");
		return -1;
	}
	if (nb_workers > DSR_LB_MAX_WORKERS) {
		snprintf(err, errlen, "%u workers, at most %u supported", nb_workers,
			 DSR_LB_MAX_WORKERS);
		return -1;
	}
	lb->conf = malloc(sizeof(*lb->conf));
	if (lb->conf == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(lb->conf, conf, sizeof(*conf));
	lb->base = calloc(1, sizeof(*lb->base));
	lb->main_st = rte_zmalloc("dsr_main_stats", sizeof(*lb->main_st), RTE_CACHE_LINE_SIZE);
	if (lb->base == NULL || lb->main_st == NULL || dsr_lb_health_init(lb) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	lb->nb_workers = (uint16_t)nb_workers;
	if (params->lcores) {
		RTE_LCORE_FOREACH_WORKER(l) {
			if (nb_lcores < nb_workers)
				lcore_ids[nb_lcores++] = l;
		}
	}
	if (lb_probe_ports(lb, err, errlen) != 0 ||
	    lb_place(lb, lcore_ids, nb_lcores, err, errlen) != 0 ||
	    lb_create_pools(lb, params->nb_mbufs, err, errlen) != 0 ||
	    dsr_pub_init(&lb->pub, nb_workers, err, errlen) != 0)
		return -1;
	for (i = 0; i < nb_workers; i++) {
		if (lb_create_worker(lb, i, i < nb_lcores ? lcore_ids[i] : 0, err, errlen) != 0)
			return -1;
		dsr_worker_record_cycles(lb->workers[i], params->record_cycles);
	}
	if (lb_assign_queues(lb, err, errlen) != 0)
		return -1;
	dsr_log(DSR_LOG_INFO,
		"connection table: %u entries per worker, %zu MB each (%zu bytes per entry)",
		lb->conf->conntrack_size, dsr_ct_mem_size(lb->conf->conntrack_size) >> 20,
		dsr_ct_mem_size(lb->conf->conntrack_size) / lb->conf->conntrack_size);
	lb_log_ct6(dsr_conf_conntrack_size6(lb->conf));
	if (dsr_lb_arp_init(lb, err, errlen) != 0 || dsr_lb_nd_init(lb, err, errlen) != 0 ||
	    dsr_lb_publish(lb, lb->conf, err, errlen) != 0)
		return -1;
	if (lb_start_ports(lb, err, errlen) != 0)
		return -1;
	/* Now the ports take their multicast groups. */
	if (dsr_lb_nd_configure(lb, lb->conf, err, errlen) != 0)
		return -1;
	if (dsr_lb_kif_init(lb, err, errlen) != 0)
		return -1;
	return dsr_lb_announce_init(lb, err, errlen);
}

int
dsr_lb_launch(struct dsr_lb *lb, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	for (i = 0; i < lb->nb_workers; i++) {
		ret = rte_eal_remote_launch(dsr_worker_main, lb->workers[i], lb->workers[i]->lcore);
		if (ret != 0) {
			snprintf(err, errlen, "cannot launch worker %u on lcore %u: %s", i,
				 lb->workers[i]->lcore, rte_strerror(-ret));
			dsr_lb_stop(lb);
			return -1;
		}
		lb->launched = true;
	}
	return 0;
}

uint32_t
dsr_lb_now_ms(const struct dsr_lb *lb)
{
	return (uint32_t)((rte_rdtsc() - lb->start_tsc) / (rte_get_tsc_hz() / 1000));
}

int
dsr_lb_set_port_mac(struct dsr_lb *lb, uint16_t port, const uint8_t mac[6])
{
	char err[128];
	unsigned int i;

	if (port >= lb->nb_ports || lb->launched)
		return -1;
	memcpy(lb->ports[port].mac, mac, 6);
	for (i = 0; i < lb->nb_workers; i++)
		dsr_fwd_set_port_mac(&lb->workers[i]->fwd, port, mac);
	if (dsr_lb_arp_configure(lb, lb->conf, err, sizeof(err)) != 0)
		return -1;
	return lb->nd == NULL ? 0 : dsr_lb_nd_configure(lb, lb->conf, err, sizeof(err));
}

void
dsr_lb_service(struct dsr_lb *lb, uint32_t now_ms)
{
	dsr_lb_arp_service(lb, now_ms);
	dsr_lb_kif_service(lb);
	dsr_lb_health_tick(lb, now_ms);
	dsr_lb_announce_tick(lb, now_ms);
	dsr_pub_reclaim(&lb->pub, false);
	if ((int32_t)(now_ms - lb->last_second_ms) >= 1000) {
		lb->last_second_ms = now_ms;
		dsr_lb_release_held(lb);
		dsr_lb_sample_rates(lb, now_ms);
	}
}

void
dsr_lb_stop(struct dsr_lb *lb)
{
	/* Routers first: the workers forward while the routes go. */
	dsr_lb_announce_stop(lb);
	__atomic_store_n(&lb->pub.quit, 1, __ATOMIC_RELEASE);
	if (lb->launched)
		rte_eal_mp_wait_lcore();
	lb->launched = false;
}

static void
lb_free_ring(struct rte_ring *r)
{
	void *m;

	if (r == NULL)
		return;
	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

void
dsr_lb_fini(struct dsr_lb *lb)
{
	unsigned int i;
	uint16_t p;

	dsr_lb_announce_fini(lb);
	dsr_lb_kif_fini(lb);
	if (lb->ports_started)
		for (p = 0; p < lb->nb_ports; p++)
			dsr_port_close(p);
	for (i = 0; i < lb->nb_workers; i++) {
		struct dsr_worker *w = lb->workers[i];

		if (w == NULL)
			continue;
		for (p = 0; p < DSR_MAX_PORTS; p++)
			if (w->tx[p].n > 0)
				rte_pktmbuf_free_bulk(w->tx[p].m, w->tx[p].n);
		lb_free_ring(w->slow_ring);
		lb_free_ring(w->tx_ring);
		rte_free(w->ct_mem);
		rte_free(w->ct6_mem);
		rte_free(w->frag_mem);
		rte_free(w->fwd.st);
		rte_free(w);
	}
	if (lb->pub.qsv != NULL)
		dsr_pub_fini(&lb->pub);
	dsr_arp_free(lb->arp);
	dsr_nd_free(lb->nd);
	free(lb->base);
	rte_free(lb->main_st);
	dsr_lb_hc_fini(lb);
	free(lb->health);
	dsr_lb_kif_pools_free(lb);
	for (i = 0; i < lb->numa.nb_pools; i++)
		rte_mempool_free(lb->pools[i]);
	free(lb->conf);
	memset(lb, 0, sizeof(*lb));
}
