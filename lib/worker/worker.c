/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dsr_worker.h"

_Static_assert(DSR_MAX_PORTS <= 32, "tx_dirty is a 32-bit mask of ports");

_Static_assert(DSR_BURST <= DSR_TX_BUF && DSR_BURST <= DSR_FWD_BURST_MAX, "burst sizes");

uint32_t
dsr_worker_now_ms(const struct dsr_worker *w)
{
	return (uint32_t)((rte_rdtsc() - w->tsc_base) / w->tsc_per_ms);
}

static uint64_t
worker_cycles(void)
{
	return rte_rdtsc();
}

void
dsr_worker_record_cycles(struct dsr_worker *w, bool on)
{
	w->record_cycles = on;
	w->fwd.cycles = on ? worker_cycles : NULL;
}

/* Send n packets (bytes in all) on port now; count them, and drop what does not fit. */
static void
worker_send(struct dsr_worker *w, uint16_t port, struct rte_mbuf **m, uint16_t n, uint64_t bytes)
{
	struct dsr_stats_lcore *st = w->fwd.st;
	uint64_t t0 = w->record_cycles ? rte_rdtsc() : 0;
	uint16_t sent, i;

	sent = rte_eth_tx_burst(port, w->txq, m, n);
	if (unlikely(sent < n)) {
		for (i = sent; i < n; i++)
			bytes -= rte_pktmbuf_pkt_len(m[i]);
		DSR_CTR_ADD(st->drop[DSR_DROP_TX_FULL], (uint64_t)(n - sent));
		rte_pktmbuf_free_bulk(&m[sent], n - sent);
	}
	DSR_CTR_ADD(st->port[port].tx_pkts, sent);
	DSR_CTR_ADD(st->port[port].tx_bytes, bytes);
	if (w->record_cycles)
		DSR_CTR_ADD(st->cyc_tx, rte_rdtsc() - t0);
}

static void
worker_flush_port(struct dsr_worker *w, uint16_t port)
{
	struct dsr_worker_txbuf *b = &w->tx[port];

	worker_send(w, port, b->m, b->n, b->bytes);
	b->n = 0;
	b->bytes = 0;
}

static inline void
worker_tx(struct dsr_worker *w, uint16_t port, struct rte_mbuf *m)
{
	struct dsr_worker_txbuf *b = &w->tx[port];

	b->m[b->n++] = m;
	b->bytes += rte_pktmbuf_pkt_len(m);
	w->tx_dirty |= 1u << port;
	if (b->n == DSR_TX_BUF)
		worker_flush_port(w, port);
}

/* Queue n packets (n <= DSR_BURST) of bytes in all for port. */
static inline void
worker_tx_bulk(struct dsr_worker *w, uint16_t port, struct rte_mbuf **m, unsigned int n,
	       uint64_t bytes)
{
	struct dsr_worker_txbuf *b = &w->tx[port];
	unsigned int i;

	if (n == 0)
		return;
	if (b->n == 0 && n == DSR_BURST) {
		/* A whole burst and nothing queued before it: no copy. */
		worker_send(w, port, m, (uint16_t)n, bytes);
		return;
	}
	if (n > (unsigned int)(DSR_TX_BUF - b->n))
		worker_flush_port(w, port);
	for (i = 0; i < n; i++)
		b->m[b->n + i] = m[i];
	b->n += n;
	b->bytes += bytes;
	w->tx_dirty |= 1u << port;
	if (b->n == DSR_TX_BUF)
		worker_flush_port(w, port);
}

static void
worker_slow(struct dsr_worker *w, struct rte_mbuf **slow, unsigned int n)
{
	unsigned int q;

	if (n == 0)
		return;
	q = rte_ring_enqueue_burst(w->slow_ring, (void **)slow, n, NULL);
	if (q < n) {
		DSR_CTR_ADD(w->fwd.st->drop[DSR_DROP_SLOW_FULL], (uint64_t)(n - q));
		rte_pktmbuf_free_bulk(&slow[q], n - q);
	}
}

/* Receive a burst from rxq and forward it (lib/fwd), then send, hand on or free each packet. */
static inline unsigned int
worker_rx(struct dsr_worker *w, const struct dsr_worker_rxq *rxq, uint32_t now)
{
	struct rte_mbuf *pkts[DSR_BURST], *slow[DSR_BURST], *tx[DSR_BURST];
	uint8_t *frame[DSR_BURST];
	uint16_t len[DSR_BURST];
	uint8_t verdict[DSR_BURST];
	uint64_t t0 = w->record_cycles ? rte_rdtsc() : 0, rx_bytes = 0, tx_bytes = 0;
	unsigned int nslow = 0, ntx = 0;
	uint16_t i, n;

	n = rte_eth_rx_burst(rxq->port, rxq->queue, pkts, DSR_BURST);
	if (n == 0)
		return 0;
	if (w->record_cycles)
		DSR_CTR_ADD(w->fwd.st->cyc_rx, rte_rdtsc() - t0);
	for (i = 0; i < n; i++) {
		frame[i] = rte_pktmbuf_mtod(pkts[i], uint8_t *);
		len[i] = rte_pktmbuf_data_len(pkts[i]);
		rx_bytes += len[i];
		rte_prefetch0(frame[i]);
	}
	if (likely(dsr_fwd_burst(&w->fwd, frame, len, n, rxq->port, now, verdict) == n)) {
		/* All forwarded, the common case. */
		worker_tx_bulk(w, rxq->port, pkts, n, rx_bytes);
		return n;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (likely(verdict[i] == DSR_FWD_TX)) {
			tx[ntx++] = m;
			tx_bytes += len[i];
		} else if (verdict[i] == DSR_FWD_SLOW) {
			m->port = rxq->port;
			slow[nslow++] = m;
		} else {
			rte_pktmbuf_free(m);
		}
	}
	worker_tx_bulk(w, rxq->port, tx, ntx, tx_bytes);
	worker_slow(w, slow, nslow);
	return n;
}

/* Send what the main lcore queued for us (ARP replies and requests). */
static void
worker_drain_tx_ring(struct dsr_worker *w)
{
	struct rte_mbuf *m[DSR_BURST];
	unsigned int i, n;

	if (w->tx_ring == NULL)
		return;
	n = rte_ring_dequeue_burst(w->tx_ring, (void **)m, DSR_BURST, NULL);
	for (i = 0; i < n; i++) {
		if (m[i]->port < DSR_MAX_PORTS)
			worker_tx(w, m[i]->port, m[i]);
		else
			rte_pktmbuf_free(m[i]);
	}
}

static int
worker_flush_match(void *arg, const struct dsr_ct_entry *e)
{
	const struct dsr_worker *w = arg;

	return w->flush_all ||
	       (w->flush_svc.family == DSR_AF_IPV4 && e->dst_ip == w->flush_svc.ip &&
		e->dst_port == w->flush_svc.port && dsr_ct_entry_proto(e) == w->flush_svc.proto);
}

static int
worker_flush_match6(void *arg, const struct dsr_ct6_entry *e)
{
	const struct dsr_worker *w = arg;

	return w->flush_all ||
	       (w->flush_svc.family == DSR_AF_IPV6 && e->dst_port == w->flush_svc.port &&
		dsr_ct6_entry_proto(e) == w->flush_svc.proto &&
		memcmp(e->dst_ip, w->flush_svc.ip6, 16) == 0);
}

/* Work on a `conns flush` request, a bounded number of buckets per loop. */
static void
worker_flush(struct dsr_worker *w, const struct dsr_gen *g)
{
	unsigned int n;

	if (g->flush_seq != w->flush_seen) {
		w->flush_seen = g->flush_seq;
		w->flush_all = g->flush_all;
		w->flush_svc = g->flush_svc;
		w->flush_cursor = 0;
		w->flush_cursor6 = 0;
	}
	if (w->flush_seen == w->flush_done)
		return;
	/* The IPv4 table, then the IPv6 one. */
	if (w->flush_cursor < dsr_ct_buckets(w->fwd.ct)) {
		n = dsr_ct_remove_if(w->fwd.ct, &w->flush_cursor, DSR_FLUSH_BUCKETS,
				     worker_flush_match, w);
		DSR_CTR_ADD(w->fwd.st->event[DSR_EV_CT_FLUSHED], n);
		return;
	}
	if (w->fwd.ct6 != NULL && w->flush_cursor6 < dsr_ct6_buckets(w->fwd.ct6)) {
		n = dsr_ct6_remove_if(w->fwd.ct6, &w->flush_cursor6, DSR_FLUSH_BUCKETS,
				      worker_flush_match6, w);
		DSR_CTR_ADD(w->fwd.st->event[DSR_EV_CT_FLUSHED], n);
		return;
	}
	__atomic_store_n(&w->flush_done, w->flush_seen, __ATOMIC_RELEASE);
}

unsigned int
dsr_worker_poll(struct dsr_worker *w, uint32_t now_ms)
{
	const struct dsr_gen *g = dsr_pub_gen(w->pub);
	unsigned int total = 0;
	uint16_t q, p;

	dsr_fwd_begin(&w->fwd, g);
	for (q = 0; q < w->nb_rxq; q++)
		total += worker_rx(w, &w->rxq[q], now_ms);
	worker_drain_tx_ring(w);
	while (w->tx_dirty != 0) {
		p = (uint16_t)__builtin_ctz(w->tx_dirty);
		w->tx_dirty &= w->tx_dirty - 1;
		if (w->tx[p].n > 0)
			worker_flush_port(w, p);
	}
	dsr_ct_sweep_paced(w->fwd.ct, &w->sweep, DSR_SWEEP_PASS_MS, DSR_SWEEP_BUCKETS, now_ms);
	if (w->fwd.ct6 != NULL)
		dsr_ct6_sweep_paced(w->fwd.ct6, &w->sweep6, DSR_SWEEP_PASS_MS, DSR_SWEEP_BUCKETS,
				    now_ms);
	worker_flush(w, g);
	DSR_CTR_ADD(w->fwd.st->polls, 1);
	if (total > 0)
		DSR_CTR_ADD(w->fwd.st->busy_polls, 1);
	return total;
}

int
dsr_worker_main(void *arg)
{
	struct dsr_worker *w = arg;
	struct rte_rcu_qsbr *qsv = w->pub->qsv;

	rte_rcu_qsbr_thread_register(qsv, w->id);
	rte_rcu_qsbr_thread_online(qsv, w->id);
	while (!dsr_pub_quitting(w->pub)) {
		dsr_worker_poll(w, dsr_worker_now_ms(w));
		rte_rcu_qsbr_quiescent(qsv, w->id);
	}
	rte_rcu_qsbr_thread_offline(qsv, w->id);
	rte_rcu_qsbr_thread_unregister(qsv, w->id);
	return 0;
}
