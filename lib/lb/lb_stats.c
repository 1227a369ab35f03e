/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "dsr_lb.h"
#include "lb_pvt.h"

/*
 * The summary is one record per line: a scope ("port 0", "worker 1",
 * "vip 10.0.0.1:80/tcp", ...), a colon, then "key value" pairs. Tests
 * and scripts parse it; keep keys stable.
 */

const char *
dsr_lb_mac_str(const uint8_t mac[6], char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return buf;
}

void
dsr_lb_stats(const struct dsr_lb *lb, struct dsr_stats_lcore *out)
{
	const struct dsr_stats_lcore *per[DSR_LB_MAX_WORKERS];
	unsigned int i;

	for (i = 0; i < lb->nb_workers; i++)
		per[i] = lb->workers[i]->fwd.st;
	dsr_stats_sum(out, per, lb->nb_workers);
}

static void
print_ports(const struct dsr_lb *lb, const struct dsr_stats_lcore *s, FILE *out)
{
	struct rte_eth_stats hw;
	char mac[18];
	uint16_t p;

	for (p = 0; p < lb->nb_ports; p++) {
		const struct dsr_port_info *pi = &lb->ports[p];
		const struct dsr_ctr_port *c = &s->port[p];

		memset(&hw, 0, sizeof(hw));
		(void)rte_eth_stats_get(p, &hw);
		fprintf(out,
			"port %u: name %s driver %s mac %s rxq %u txq %u spread %s rx-pkts %" PRIu64
			" rx-bytes %" PRIu64 " tx-pkts %" PRIu64 " tx-bytes %" PRIu64
			" hw-ipackets %" PRIu64 " hw-opackets %" PRIu64 " hw-imissed %" PRIu64
			" hw-ierrors %" PRIu64 " hw-oerrors %" PRIu64 " hw-rx-nombuf %" PRIu64 "\n",
			p, pi->name, pi->driver, dsr_lb_mac_str(pi->mac, mac), pi->nb_rxq, pi->nb_txq,
			dsr_port_spread_name(pi->spread), c->rx_pkts, c->rx_bytes, c->tx_pkts,
			c->tx_bytes, hw.ipackets, hw.opackets, hw.imissed, hw.ierrors, hw.oerrors,
			hw.rx_nombuf);
	}
}

static void
print_workers(const struct dsr_lb *lb, FILE *out)
{
	unsigned int i;

	for (i = 0; i < lb->nb_workers; i++) {
		const struct dsr_worker *w = lb->workers[i];
		const struct dsr_stats_lcore *st = w->fwd.st;

		fprintf(out,
			"worker %u: lcore %u rxqs %u rx-pkts %" PRIu64 " fwd-pkts %" PRIu64
			" drops %" PRIu64 " conns %u capacity %u polls %" PRIu64
			" busy-polls %" PRIu64 "\n",
			i, w->lcore, w->nb_rxq, DSR_CTR_GET(st->rx_pkts), DSR_CTR_GET(st->fwd_pkts),
			dsr_stats_drops(st), dsr_ct_count(w->fwd.ct), dsr_ct_capacity(w->fwd.ct),
			DSR_CTR_GET(st->polls), DSR_CTR_GET(st->busy_polls));
	}
}

/* The MAC a backend is sent to: static, resolved, or "none". */
static const char *
backend_mac(const struct dsr_lb *lb, const struct dsr_conf_backend *cb, char *buf)
{
	uint8_t mac[6];

	if (cb->has_mac)
		return dsr_lb_mac_str(cb->mac, buf);
	if (dsr_arp_lookup(lb->arp, cb->ip, mac) < 0)
		return "none";
	return dsr_lb_mac_str(mac, buf);
}

/* Why a backend does or does not take new flows, as far as ARP goes. */
static const char *
backend_arp(const struct dsr_lb *lb, const struct dsr_conf_backend *cb)
{
	uint8_t mac[6];

	if (cb->has_mac)
		return "static";
	switch (dsr_arp_lookup(lb->arp, cb->ip, mac)) {
	case 1:
		return "resolved";
	case 0:
		return "failed";
	default:
		return "unresolved";
	}
}

static void
print_services(const struct dsr_lb *lb, const struct dsr_stats_lcore *s, FILE *out)
{
	const struct dsr_conf *c = lb->conf;
	char svc[48], ip[16], mac[18];
	unsigned int v, b;

	for (v = 0; v < DSR_MAX_VIPS; v++) {
		uint64_t active = 0, nb = 0;

		if (!c->vips[v].used)
			continue;
		for (b = 0; b < DSR_MAX_BACKENDS; b++) {
			if (c->backends[b].used && c->backends[b].vip == v) {
				active += s->backend[b].active;
				nb++;
			}
		}
		dsr_svc_str(&c->vips[v].svc, svc, sizeof(svc));
		fprintf(out,
			"vip %s: pkts %" PRIu64 " bytes %" PRIu64 " new-conns %" PRIu64
			" active %" PRIu64 " backends %" PRIu64 "\n",
			svc, s->vip[v].pkts, s->vip[v].bytes, s->vip[v].new_conns, active, nb);
		for (b = 0; b < DSR_MAX_BACKENDS; b++) {
			const struct dsr_conf_backend *cb = &c->backends[b];

			if (!cb->used || cb->vip != v)
				continue;
			fprintf(out,
				"backend %s %s: pkts %" PRIu64 " bytes %" PRIu64
				" new-conns %" PRIu64 " active %" PRIu64 " weight %u mac %s arp %s\n",
				svc, dsr_ip_str(cb->ip, ip), s->backend[b].pkts, s->backend[b].bytes,
				s->backend[b].new_conns, s->backend[b].active, cb->weight,
				backend_mac(lb, cb, mac), backend_arp(lb, cb));
		}
	}
}

void
dsr_lb_print_stats(const struct dsr_lb *lb, FILE *out)
{
	struct dsr_stats_lcore *s = aligned_alloc(64, sizeof(*s));
	uint64_t conns = 0;
	unsigned int i;

	if (s == NULL) {
		fprintf(out, "stats: out of memory\n");
		return;
	}
	dsr_lb_stats(lb, s);
	for (i = 0; i < lb->nb_workers; i++)
		conns += dsr_ct_count(lb->workers[i]->fwd.ct);
	fprintf(out, "stats: uptime-ms %" PRIu64 " workers %u ports %u\n",
		(rte_rdtsc() - lb->start_tsc) * 1000 / rte_get_tsc_hz(), lb->nb_workers,
		lb->nb_ports);
	print_ports(lb, s, out);
	print_workers(lb, out);
	fprintf(out,
		"total: rx-pkts %" PRIu64 " rx-bytes %" PRIu64 " fwd-pkts %" PRIu64
		" fwd-bytes %" PRIu64 " drops %" PRIu64 " conns %" PRIu64 " slowpath-handled %" PRIu64
		"\n",
		s->rx_pkts, s->rx_bytes, s->fwd_pkts, s->fwd_bytes, dsr_stats_drops(s), conns,
		lb->slow_frames);
	for (i = 0; i < DSR_DROP_MAX; i++)
		fprintf(out, "drop %s: count %" PRIu64 "\n", dsr_drop_name(i), s->drop[i]);
	for (i = 0; i < DSR_EV_MAX; i++)
		fprintf(out, "event %s: count %" PRIu64 "\n", dsr_event_name(i), s->event[i]);
	print_services(lb, s, out);
	dsr_lb_arp_print(lb, out);
	fprintf(out, "end\n");
	fflush(out);
	free(s);
}
