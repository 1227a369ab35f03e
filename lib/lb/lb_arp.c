/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The balancer's side of ARP: lib/arp decides, this file moves frames.
 * Workers hand ARP frames (and frames for a port's kernel interface,
 * lb_kif.c) to the main lcore on their slow rings; frames
 * ARP wants sent are copied into mbufs and queued on a worker's TX ring
 * (each worker has a TX queue on every port), so the main lcore never
 * touches a queue a worker owns.
 */
#include <string.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dsr_lb.h"
#include "dsr_log.h"
#include "lb_pvt.h"

/* Frames taken from each worker's slow ring per service call: bounds the
 * main lcore's work under an ARP storm (the rest waits, or the worker
 * drops it and counts slowpath-full). */
#define LB_SLOW_PER_CALL 128

void
dsr_lb_slow_tx(void *arg, uint16_t port, const uint8_t *frame, uint32_t len)
{
	dsr_lb_send_frame(arg, port, frame, len);
}

void
dsr_lb_send_frame(struct dsr_lb *lb, uint16_t port, const uint8_t *frame, uint32_t len)
{
	struct dsr_worker *w = lb->workers[port % lb->nb_workers];
	struct rte_mempool *mp = dsr_lb_port_pool(lb, port);
	struct rte_mbuf *m = mp != NULL ? rte_pktmbuf_alloc(mp) : NULL;
	char *data;

	if (m == NULL) {
		lb->slow_tx_drops++;
		return;
	}
	data = rte_pktmbuf_append(m, (uint16_t)len);
	if (data == NULL) {
		rte_pktmbuf_free(m);
		lb->slow_tx_drops++;
		return;
	}
	memcpy(data, frame, len);
	m->port = port;
	if (rte_ring_enqueue(w->tx_ring, m) != 0) {
		rte_pktmbuf_free(m);
		lb->slow_tx_drops++;
	}
}

void
dsr_lb_slow_log(void *arg, int level, const char *line)
{
	(void)arg;
	dsr_log((enum dsr_log_level)level, "%s", line);
}

static void
lb_arp_params(const struct dsr_conf *conf, struct dsr_arp_params *p)
{
	dsr_arp_params_default(p);
	p->announce_count = conf->arp_announce_count;
	p->announce_interval_ms = conf->arp_announce_interval_s * 1000;
	p->refresh_ms = conf->arp_refresh_s * 1000;
}

int
dsr_lb_arp_configure(struct dsr_lb *lb, const struct dsr_conf *conf, char *err, size_t errlen)
{
	uint8_t macs[DSR_MAX_PORTS][6];
	struct dsr_arp_params p;
	uint16_t i;

	for (i = 0; i < lb->nb_ports; i++)
		memcpy(macs[i], lb->ports[i].mac, 6);
	lb_arp_params(conf, &p);
	if (dsr_arp_configure(lb->arp, conf, &p, (const uint8_t(*)[6])macs, lb->nb_ports,
			      dsr_lb_now_ms(lb)) != 0) {
		snprintf(err, errlen, "ARP: cannot take the configuration (out of memory)");
		return -1;
	}
	return 0;
}

int
dsr_lb_arp_init(struct dsr_lb *lb, char *err, size_t errlen)
{
	struct dsr_arp_params p;

	lb_arp_params(lb->conf, &p);
	lb->arp = dsr_arp_create(&p, dsr_lb_slow_tx, dsr_lb_slow_log, lb);
	if (lb->arp == NULL) {
		snprintf(err, errlen, "ARP: cannot create its state");
		return -1;
	}
	return dsr_lb_arp_configure(lb, lb->conf, err, errlen);
}

/*
 * A backend that ARP just declared failed: its established connections
 * are lost (new flows already avoid it). Count them, once per failure.
 */
static void
lb_count_lost(struct dsr_lb *lb)
{
	unsigned int b, w;
	uint8_t mac[6];

	for (b = 0; b < DSR_MAX_BACKENDS; b++) {
		const struct dsr_conf_backend *cb = &lb->conf->backends[b];
		enum dsr_mac_lookup r =
			!cb->used || cb->has_mac ? DSR_MAC_OK
			: cb->family == DSR_AF_IPV6
				? (lb->nd != NULL ? dsr_nd_lookup(lb->nd, cb->ip6, mac)
						  : DSR_MAC_PENDING)
				: dsr_arp_lookup(lb->arp, cb->ip, mac);
		bool failed = r == DSR_MAC_LOST || r == DSR_MAC_NEVER;

		if (failed && !lb->base->backend_failed[b])
			for (w = 0; w < lb->nb_workers; w++)
				lb->base->lost_conns[b] +=
					DSR_CTR_GET(lb->workers[w]->fwd.st->backend[b].active);
		lb->base->backend_failed[b] = failed;
	}
}

/*
 * A frame from a worker's slow ring: a health check's answer (consumed),
 * an echo request to answer (consumed), ARP (which a kernel interface
 * may also want a copy of), or IPv4 for the port's kernel interface.
 * Returns whether it is consumed.
 */
static bool
lb_slow_input(struct dsr_lb *lb, struct rte_mbuf *m, uint32_t now_ms)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	struct dsr_pkt pkt;

	switch (dsr_pkt_parse(frame, len, &pkt)) {
	case DSR_PKT_ARP:
		dsr_arp_input(lb->arp, m->port, frame, len, now_ms);
		return false;
	case DSR_PKT_L4:
		return dsr_lb_health_input(lb, m->port, frame, len);
	case DSR_PKT_ICMP:
		return dsr_lb_icmp_input(lb, m, &pkt, now_ms);
	case DSR_PKT_NOT_IPV4:
		if (pkt.ethertype == DSR_ETHERTYPE_IPV6)
			return dsr_lb_ipv6_input(lb, m, pkt.l3_off, now_ms);
		return false;
	default:
		return false;
	}
}

void
dsr_lb_arp_service(struct dsr_lb *lb, uint32_t now_ms)
{
	struct rte_mbuf *m[DSR_BURST];
	unsigned int i, j, n, got;
	bool changed;
	char err[128];

	/* ND's timers first: an address whose DAD is over is ours before frames about it. */
	if (lb->nd != NULL)
		dsr_nd_tick(lb->nd, now_ms);
	for (i = 0; i < lb->nb_workers; i++) {
		for (got = 0; got < LB_SLOW_PER_CALL; got += n) {
			n = rte_ring_dequeue_burst(lb->workers[i]->slow_ring, (void **)m, DSR_BURST,
						   NULL);
			if (n == 0)
				break;
			for (j = 0; j < n; j++) {
				/* For the kernel interface (a copy of ARP, or IPv4), or done. */
				if (lb_slow_input(lb, m[j], now_ms) || !dsr_lb_kif_take(lb, m[j]))
					rte_pktmbuf_free(m[j]);
			}
			lb->slow_frames += n;
		}
	}
	dsr_arp_tick(lb->arp, now_ms);
	/* Both flags are taken: neither may be left set for the next call. */
	changed = dsr_arp_take_changed(lb->arp);
	if (lb->nd != NULL && dsr_nd_take_changed(lb->nd))
		changed = true;
	if (!changed)
		return;
	lb_count_lost(lb);
	if (dsr_lb_publish(lb, lb->conf, err, sizeof(err)) != 0)
		dsr_log(DSR_LOG_ERR, "%s", err);
}
