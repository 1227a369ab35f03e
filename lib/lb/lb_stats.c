/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "dsr_lb.h"
#include "lb_pvt.h"

/*
 * Counter sums (less the baselines of reused ids) and rates. lib/show
 * renders them.
 */

void
dsr_lb_stats_raw(const struct dsr_lb *lb, struct dsr_stats_lcore *out)
{
	const struct dsr_stats_lcore *per[DSR_LB_MAX_WORKERS + 1];
	unsigned int i, n = 0;

	for (i = 0; i < lb->nb_workers; i++)
		per[n++] = lb->workers[i]->fwd.st;
	if (lb->main_st != NULL)
		per[n++] = lb->main_st; /* the main lcore's (kernel interfaces) */
	dsr_stats_sum(out, per, n);
}

static double
per_second(uint64_t now, uint64_t before, uint32_t ms)
{
	return ms == 0 ? 0.0 : (double)(now - before) * 1000.0 / ms;
}

void
dsr_lb_sample_rates(struct dsr_lb *lb, uint32_t now_ms)
{
	struct dsr_lb_rates *r = &lb->rates;
	struct dsr_stats_lcore *s = aligned_alloc(64, sizeof(*s));
	uint32_t ms = r->at_ms == 0 ? 0 : now_ms - r->at_ms;
	uint64_t drops;
	unsigned int p;

	if (s == NULL)
		return;
	dsr_lb_stats_raw(lb, s);
	drops = dsr_stats_drops(s);
	r->rx_pps = per_second(s->rx_pkts, r->rx_pkts, ms);
	r->fwd_pps = per_second(s->fwd_pkts, r->fwd_pkts, ms);
	r->drop_pps = per_second(drops, r->drops, ms);
	r->new_conns_ps = per_second(s->event[DSR_EV_CT_NEW], r->new_conns, ms);
	r->rx_pkts = s->rx_pkts;
	r->fwd_pkts = s->fwd_pkts;
	r->drops = drops;
	r->new_conns = s->event[DSR_EV_CT_NEW];
	for (p = 0; p < lb->nb_ports; p++) {
		r->port_rx_pps[p] = per_second(s->port[p].rx_pkts, r->port_rx[p], ms);
		r->port_tx_pps[p] = per_second(s->port[p].tx_pkts, r->port_tx[p], ms);
		r->port_rx[p] = s->port[p].rx_pkts;
		r->port_tx[p] = s->port[p].tx_pkts;
	}
	r->at_ms = now_ms == 0 ? 1 : now_ms;
	free(s);
}

static void
unbase(struct dsr_ctr_flow *c, const struct dsr_ctr_flow *base)
{
	c->pkts -= base->pkts;
	c->bytes -= base->bytes;
	c->new_conns -= base->new_conns;
}

void
dsr_lb_stats(const struct dsr_lb *lb, struct dsr_stats_lcore *out)
{
	unsigned int i;

	dsr_lb_stats_raw(lb, out);
	for (i = 0; i < DSR_MAX_VIPS; i++)
		unbase(&out->vip[i], &lb->base->vip[i]);
	for (i = 0; i < DSR_MAX_BACKENDS; i++)
		unbase(&out->backend[i], &lb->base->backend[i]);
}
