/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The counters as rows: `show stats [SECTION]` on the control socket and
 * the summary the daemon prints on SIGUSR1 and at exit run this same code.
 * Output streams in phases, resuming where it stopped when the client's
 * queue was full, so thousands of backends never make one large reply.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "dsr_ctl.h"
#include "dsr_lb.h"
#include "show_pvt.h"

enum rows_phase {
	PH_HEADER = 0,
	PH_PORTS,
	PH_WORKERS,
	PH_TOTAL,
	PH_DROPS,
	PH_EVENTS,
	PH_VIPS,
	PH_BACKENDS,
	PH_ARP,
	PH_NEIGH,
	PH_CONFLICTS,
	PH_ND,
	PH_ND_NEIGH,
	PH_ND_CONFLICTS,
	PH_CONTROL,
	PH_END
};

/* Which phases each section shows. */
static bool
phase_in(enum dsr_stats_section sec, enum rows_phase ph)
{
	switch (sec) {
	case DSR_STATS_ALL:
		return true;
	case DSR_STATS_PORTS:
		return ph == PH_PORTS;
	case DSR_STATS_WORKERS:
		return ph == PH_WORKERS;
	case DSR_STATS_VIPS:
		return ph == PH_VIPS;
	case DSR_STATS_BACKENDS:
		return ph == PH_BACKENDS;
	case DSR_STATS_DROPS:
		return ph == PH_DROPS || ph == PH_EVENTS;
	case DSR_STATS_ARP:
		/* ARP's only; neighbour discovery's (IPv6) are `show nd`, and in all. */
		return ph == PH_ARP || ph == PH_NEIGH || ph == PH_CONFLICTS;
	case DSR_STATS_CONTROL:
		return ph == PH_CONTROL;
	default:
		return false;
	}
}

static void
row_header(const struct dsr_lb *lb, struct dsr_ctl_out *out)
{
	unsigned int i, idle = 0;

	/* Workers left without an RX queue: the ports offer fewer queues than workers. */
	for (i = 0; i < lb->nb_workers; i++)
		if (lb->workers[i]->nb_rxq == 0)
			idle++;
	dsr_ctl_row_begin(out, "stats");
	dsr_ctl_kv_u64(out, "uptime-ms", (rte_rdtsc() - lb->start_tsc) * 1000 / rte_get_tsc_hz());
	dsr_ctl_kv_u64(out, "workers", lb->nb_workers);
	dsr_ctl_kv_u64(out, "idle-workers", idle);
	dsr_ctl_kv_u64(out, "ports", lb->nb_ports);
	dsr_ctl_row_end(out);
}

/* The counters of group g in block, those rows selects (DSR_CTR_IN_*; 0: all). */
static void
kv_group(struct dsr_ctl_out *out, enum dsr_ctr_group g, unsigned int rows, const void *block)
{
	const struct dsr_ctr_desc *d;
	unsigned int i, n;

	d = dsr_ctr_group(g, &n);
	for (i = 0; i < n; i++)
		if (rows == 0 || (d[i].rows & rows) != 0)
			dsr_ctl_kv_u64(out, d[i].key, dsr_ctr_get(block, &d[i]));
}

static void
row_port(const struct dsr_lb *lb, const struct dsr_stats_lcore *s, uint16_t p,
	 struct dsr_ctl_out *out)
{
	const struct dsr_port_info *pi = &lb->ports[p];
	const struct dsr_ctr_port *c = &s->port[p];
	struct rte_eth_stats hw;
	char kind[16], mac[18];

	memset(&hw, 0, sizeof(hw));
	(void)rte_eth_stats_get(p, &hw);
	snprintf(kind, sizeof(kind), "port %u", p);
	dsr_ctl_row_begin(out, kind);
	dsr_ctl_kv_str(out, "name", pi->name);
	dsr_ctl_kv_str(out, "driver", pi->driver);
	dsr_ctl_kv_str(out, "mac", dsr_mac_str(pi->mac, mac));
	dsr_ctl_kv_u64(out, "rxq", pi->nb_rxq);
	dsr_ctl_kv_u64(out, "txq", pi->nb_txq);
	dsr_ctl_kv_str(out, "spread", dsr_port_spread_name(pi->spread));
	kv_group(out, DSR_CTR_G_PORT, 0, c);
	dsr_ctl_kv_dbl(out, "rx-pps", lb->rates.port_rx_pps[p]);
	dsr_ctl_kv_dbl(out, "tx-pps", lb->rates.port_tx_pps[p]);
	dsr_ctl_kv_u64(out, "hw-ipackets", hw.ipackets);
	dsr_ctl_kv_u64(out, "hw-opackets", hw.opackets);
	dsr_ctl_kv_u64(out, "hw-imissed", hw.imissed);
	dsr_ctl_kv_u64(out, "hw-ierrors", hw.ierrors);
	dsr_ctl_kv_u64(out, "hw-oerrors", hw.oerrors);
	dsr_ctl_kv_u64(out, "hw-rx-nombuf", hw.rx_nombuf);
	dsr_ctl_row_end(out);
}

/* --record-cycles: cycles per packet by stage, like testpmd's --record-core-cycles. */
static void
row_cycles(const struct dsr_stats_lcore *st, struct dsr_ctl_out *out)
{
	uint64_t n = DSR_CTR_GET(st->cyc_pkts);
	double d = n ? (double)n : 1.0;
	uint64_t rx = DSR_CTR_GET(st->cyc_rx), parse = DSR_CTR_GET(st->cyc_parse);
	uint64_t table = DSR_CTR_GET(st->cyc_table), tx = DSR_CTR_GET(st->cyc_tx);

	dsr_ctl_kv_u64(out, "cycles-pkts", n);
	dsr_ctl_kv_dbl(out, "cycles-per-pkt", (rx + parse + table + tx) / d);
	dsr_ctl_kv_dbl(out, "cycles-rx", rx / d);
	dsr_ctl_kv_dbl(out, "cycles-parse", parse / d);
	dsr_ctl_kv_dbl(out, "cycles-table", table / d);
	dsr_ctl_kv_dbl(out, "cycles-maglev", DSR_CTR_GET(st->cyc_maglev) / d);
	dsr_ctl_kv_dbl(out, "cycles-tx", tx / d);
}

static void
row_worker(const struct dsr_lb *lb, unsigned int i, struct dsr_ctl_out *out)
{
	const struct dsr_worker *w = lb->workers[i];
	const struct dsr_stats_lcore *st = w->fwd.st;
	char kind[16];

	snprintf(kind, sizeof(kind), "worker %u", i);
	dsr_ctl_row_begin(out, kind);
	dsr_ctl_kv_u64(out, "lcore", w->lcore);
	dsr_ctl_kv_u64(out, "rxqs", w->nb_rxq);
	kv_group(out, DSR_CTR_G_TRAFFIC, DSR_CTR_IN_WORKER, st);
	dsr_ctl_kv_u64(out, "drops", dsr_stats_drops(st));
	dsr_ctl_kv_u64(out, "conns", dsr_ct_count(w->fwd.ct));
	dsr_ctl_kv_u64(out, "capacity", dsr_ct_capacity(w->fwd.ct));
	dsr_ctl_kv_u64(out, "conns6", w->fwd.ct6 ? dsr_ct6_count(w->fwd.ct6) : 0);
	dsr_ctl_kv_u64(out, "capacity6", w->fwd.ct6 ? dsr_ct6_capacity(w->fwd.ct6) : 0);
	kv_group(out, DSR_CTR_G_LOOP, DSR_CTR_IN_WORKER, st);
	if (w->record_cycles)
		row_cycles(st, out);
	dsr_ctl_row_end(out);
}

static void
row_total(const struct dsr_lb *lb, const struct dsr_stats_lcore *s, struct dsr_ctl_out *out)
{
	uint64_t conns = 0, conns6 = 0;
	unsigned int i;

	for (i = 0; i < lb->nb_workers; i++) {
		conns += dsr_ct_count(lb->workers[i]->fwd.ct);
		if (lb->workers[i]->fwd.ct6 != NULL)
			conns6 += dsr_ct6_count(lb->workers[i]->fwd.ct6);
	}
	dsr_ctl_row_begin(out, "total");
	kv_group(out, DSR_CTR_G_TRAFFIC, DSR_CTR_IN_TOTAL, s);
	kv_group(out, DSR_CTR_G_LOOP, DSR_CTR_IN_TOTAL, s);
	dsr_ctl_kv_u64(out, "drops", dsr_stats_drops(s));
	dsr_ctl_kv_u64(out, "conns", conns);
	dsr_ctl_kv_u64(out, "conns6", conns6);
	dsr_ctl_kv_u64(out, "slowpath-handled", lb->slow_frames);
	dsr_ctl_kv_u64(out, "slowpath-tx-drops", lb->slow_tx_drops);
	dsr_ctl_kv_u64(out, "generations", lb->publishes);
	dsr_ctl_kv_dbl(out, "rx-pps", lb->rates.rx_pps);
	dsr_ctl_kv_dbl(out, "fwd-pps", lb->rates.fwd_pps);
	dsr_ctl_kv_dbl(out, "drop-pps", lb->rates.drop_pps);
	dsr_ctl_kv_dbl(out, "new-conns-per-s", lb->rates.new_conns_ps);
	dsr_ctl_row_end(out);
}

static void
row_count(struct dsr_ctl_out *out, const struct dsr_ctr_array *a, unsigned int i,
	  const struct dsr_stats_lcore *s)
{
	char kind[64];

	snprintf(kind, sizeof(kind), "%s %s", a->row, a->names[i]);
	dsr_ctl_row_begin(out, kind);
	dsr_ctl_kv_u64(out, "count", dsr_ctr_array_get(s, a, i));
	dsr_ctl_row_end(out);
}

void
show_row_vip(const struct dsr_lb *lb, const struct dsr_stats_lcore *s, unsigned int v,
	     struct dsr_ctl_out *out)
{
	const struct dsr_conf *c = lb->conf;
	char kind[8 + DSR_SVC_STR_LEN], svc[DSR_SVC_STR_LEN];
	uint64_t nb = 0;
	unsigned int b;

	for (b = 0; b < DSR_MAX_BACKENDS; b++)
		if (c->backends[b].used && c->backends[b].vip == v)
			nb++;
	snprintf(kind, sizeof(kind), "vip %s", dsr_svc_str(&c->vips[v].svc, svc, sizeof(svc)));
	dsr_ctl_row_begin(out, kind);
	kv_group(out, DSR_CTR_G_VIP, 0, &s->vip[v]);
	dsr_ctl_kv_u64(out, "backends", nb);
	dsr_ctl_kv_str(out, "routed", c->vips[v].routed ? "yes" : "no");
	dsr_ctl_kv_str(out, "route", dsr_lb_route_state_name(dsr_lb_vip_route(lb, v)));
	dsr_ctl_row_end(out);
}

static void
row_backend(const struct dsr_lb *lb, const struct dsr_stats_lcore *s, unsigned int b,
	    struct dsr_ctl_out *out)
{
	const struct dsr_conf_backend *cb = &lb->conf->backends[b];
	char kind[16 + DSR_SVC_STR_LEN + DSR_IP6_STR_LEN], svc[DSR_SVC_STR_LEN];
	char ip[DSR_IP6_STR_LEN], mac[DSR_MAC_STR_LEN];

	dsr_svc_str(&lb->conf->vips[cb->vip].svc, svc, sizeof(svc));
	snprintf(kind, sizeof(kind), "backend %s %s", svc,
		 dsr_addr_str(cb->family, cb->ip, cb->ip6, ip));
	dsr_ctl_row_begin(out, kind);
	kv_group(out, DSR_CTR_G_BACKEND, 0, &s->backend[b]);
	dsr_ctl_kv_u64(out, "lost-conns", lb->base->lost_conns[b]);
	dsr_ctl_kv_u64(out, "weight", cb->weight);
	dsr_ctl_kv_str(out, "mac", show_backend_mac(lb, cb, mac));
	dsr_ctl_kv_str(out, "arp", show_backend_arp(lb, cb));
	dsr_ctl_row_end(out);
}

static void
row_control(const struct dsr_lb *lb, struct dsr_ctl_out *out)
{
	const struct dsr_ctl_server *ctl = lb->ctl;
	int c;

	if (ctl == NULL)
		return;
	dsr_ctl_row_begin(out, "control");
	dsr_ctl_kv_u64(out, "clients", dsr_ctl_clients(ctl));
	dsr_ctl_kv_u64(out, "ro-clients", dsr_ctl_clients_ro(ctl));
	for (c = 0; c < DSR_CTL_NCOUNTERS; c++)
		dsr_ctl_kv_u64(out, dsr_ctl_counter_name(c), dsr_ctl_counter(ctl, c));
	dsr_ctl_row_end(out);
}

/* Emit the rows of one phase from item *next on; false if it stopped early. */
static bool
rows_phase(const struct dsr_lb *lb, const struct dsr_stats_lcore *s, enum rows_phase ph,
	   unsigned int *next, struct dsr_ctl_out *out)
{
	unsigned int n;

	switch (ph) {
	case PH_HEADER:
		row_header(lb, out);
		return true;
	case PH_TOTAL:
		row_total(lb, s, out);
		return true;
	case PH_CONTROL:
		row_control(lb, out);
		return true;
	case PH_PORTS:
		n = lb->nb_ports;
		break;
	case PH_WORKERS:
		n = lb->nb_workers;
		break;
	case PH_DROPS:
		n = dsr_ctr_drops.n;
		break;
	case PH_EVENTS:
		n = dsr_ctr_events.n;
		break;
	case PH_VIPS:
		n = DSR_MAX_VIPS;
		break;
	case PH_BACKENDS:
		n = DSR_MAX_BACKENDS;
		break;
	default:
		/* PH_ARP ... PH_ND_CONFLICTS are the neighbour parts, in order. */
		return show_rows_neigh(lb, SHOW_NB_ARP_PORTS + (ph - PH_ARP), next, out);
	}
	for (; *next < n; (*next)++) {
		if (dsr_ctl_queued(out) > DSR_CTL_CHUNK)
			return false;
		switch (ph) {
		case PH_PORTS:
			row_port(lb, s, (uint16_t)*next, out);
			break;
		case PH_WORKERS:
			row_worker(lb, *next, out);
			break;
		case PH_DROPS:
			row_count(out, &dsr_ctr_drops, *next, s);
			break;
		case PH_EVENTS:
			row_count(out, &dsr_ctr_events, *next, s);
			break;
		case PH_VIPS:
			if (lb->conf->vips[*next].used)
				show_row_vip(lb, s, *next, out);
			break;
		default:
			if (lb->conf->backends[*next].used)
				row_backend(lb, s, *next, out);
			break;
		}
	}
	return true;
}

enum dsr_ctl_result
show_rows_stats(const struct dsr_lb *lb, enum dsr_stats_section sec, struct show_rows *st,
		struct dsr_ctl_out *out)
{
	struct dsr_stats_lcore *s = show_stats_snapshot(lb, out);

	if (s == NULL)
		return DSR_CTL_FAIL;
	for (; st->phase < PH_END; st->phase++, st->next = 0) {
		if (!phase_in(sec, st->phase))
			continue;
		if (!rows_phase(lb, s, st->phase, &st->next, out)) {
			free(s);
			return DSR_CTL_MORE;
		}
	}
	free(s);
	return DSR_CTL_DONE;
}

void
dsr_show_print_stats(const struct dsr_lb *lb, FILE *f)
{
	struct dsr_ctl_out *out = dsr_ctl_out_file(f);
	struct show_rows st = {0, 0};

	if (out == NULL)
		return;
	while (show_rows_stats(lb, DSR_STATS_ALL, &st, out) == DSR_CTL_MORE)
		;
	dsr_ctl_out_file_free(out);
	fprintf(f, "end\n");
	fflush(f);
}
