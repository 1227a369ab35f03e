/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `show stats --prometheus`: the counters in the Prometheus text
 * exposition format (version 0.0.4), for node_exporter's textfile
 * collector: `dsrlbctl show stats --prometheus > dsrlb.prom.$$ && mv ...`.
 * Streamed one metric family at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_ctl.h"
#include "dsr_lb.h"
#include "show_pvt.h"

enum prom_family {
	PF_PORT_RX_PKTS = 0,
	PF_PORT_RX_BYTES,
	PF_PORT_TX_PKTS,
	PF_PORT_TX_BYTES,
	PF_FWD_PKTS,
	PF_FWD_BYTES,
	PF_DROPS,
	PF_EVENTS,
	PF_CONNS,
	PF_CAPACITY,
	PF_VIP_PKTS,
	PF_VIP_BYTES,
	PF_VIP_NEW,
	PF_BE_PKTS,
	PF_BE_BYTES,
	PF_BE_NEW,
	PF_BE_ACTIVE,
	PF_BE_UP,
	PF_ARP,
	PF_CONFLICTS,
	PF_END
};

static const struct {
	const char *name;
	const char *type;
	const char *help;
} families[PF_END] = {
	[PF_PORT_RX_PKTS] = {"dsrlb_port_rx_packets_total", "counter", "Frames received by port."},
	[PF_PORT_RX_BYTES] = {"dsrlb_port_rx_bytes_total", "counter", "Bytes received by port."},
	[PF_PORT_TX_PKTS] = {"dsrlb_port_tx_packets_total", "counter", "Frames sent by port."},
	[PF_PORT_TX_BYTES] = {"dsrlb_port_tx_bytes_total", "counter", "Bytes sent by port."},
	[PF_FWD_PKTS] = {"dsrlb_forwarded_packets_total", "counter",
			 "Frames forwarded to backends."},
	[PF_FWD_BYTES] = {"dsrlb_forwarded_bytes_total", "counter", "Bytes forwarded to backends."},
	[PF_DROPS] = {"dsrlb_drops_total", "counter", "Frames dropped, by reason."},
	[PF_EVENTS] = {"dsrlb_events_total", "counter", "Connection table and slow-path events."},
	[PF_CONNS] = {"dsrlb_connections", "gauge", "Connection entries, by worker."},
	[PF_CAPACITY] = {"dsrlb_connection_capacity", "gauge", "Connection table size, by worker."},
	[PF_VIP_PKTS] = {"dsrlb_vip_packets_total", "counter", "Frames forwarded, by VIP."},
	[PF_VIP_BYTES] = {"dsrlb_vip_bytes_total", "counter", "Bytes forwarded, by VIP."},
	[PF_VIP_NEW] = {"dsrlb_vip_new_connections_total", "counter", "Entries created, by VIP."},
	[PF_BE_PKTS] = {"dsrlb_backend_packets_total", "counter", "Frames forwarded, by backend."},
	[PF_BE_BYTES] = {"dsrlb_backend_bytes_total", "counter", "Bytes forwarded, by backend."},
	[PF_BE_NEW] = {"dsrlb_backend_new_connections_total", "counter",
		       "Entries created, by backend."},
	[PF_BE_ACTIVE] = {"dsrlb_backend_active_connections", "gauge", "Live entries, by backend."},
	[PF_BE_UP] = {"dsrlb_backend_up", "gauge",
		      "1 if the backend takes new flows (MAC known, weight above 0)."},
	[PF_ARP] = {"dsrlb_arp_total", "counter", "ARP counters, by port."},
	[PF_CONFLICTS] = {"dsrlb_arp_conflicts_total", "counter",
			  "Duplicate-address frames, by our address, other MAC and kind."},
};

static void
sample(struct dsr_ctl_out *out, const char *name, const char *labels, double v)
{
	char line[512];

	snprintf(line, sizeof(line), "%s{%s} %.0f", name, labels, v);
	dsr_ctl_text(out, line);
}

/* Items of a family: ports, workers, VIPs, backends, ... */
static unsigned int
family_items(const struct dsr_lb *lb, enum prom_family f)
{
	unsigned int n = 0;

	switch (f) {
	case PF_PORT_RX_PKTS:
	case PF_PORT_RX_BYTES:
	case PF_PORT_TX_PKTS:
	case PF_PORT_TX_BYTES:
		return lb->nb_ports;
	case PF_DROPS:
		return DSR_DROP_MAX;
	case PF_EVENTS:
		return DSR_EV_MAX;
	case PF_CONNS:
	case PF_CAPACITY:
		return lb->nb_workers;
	case PF_VIP_PKTS:
	case PF_VIP_BYTES:
	case PF_VIP_NEW:
		return DSR_MAX_VIPS;
	case PF_ARP:
		return lb->nb_ports * DSR_ARP_NCOUNTERS;
	case PF_CONFLICTS:
		dsr_arp_conflicts(lb->arp, &n);
		return n;
	case PF_FWD_PKTS:
	case PF_FWD_BYTES:
		return 1;
	default:
		return DSR_MAX_BACKENDS;
	}
}

static void
emit_item(const struct dsr_lb *lb, const struct dsr_stats_lcore *s, enum prom_family f,
	  unsigned int i, struct dsr_ctl_out *out)
{
	const char *name = families[f].name;
	const struct dsr_conf_backend *cb = &lb->conf->backends[i % DSR_MAX_BACKENDS];
	const struct dsr_arp_conflict *cf;
	char l[256], svc[48], ip[16], mac[18];
	unsigned int n;
	uint8_t m[6];

	switch (f) {
	case PF_PORT_RX_PKTS:
	case PF_PORT_RX_BYTES:
	case PF_PORT_TX_PKTS:
	case PF_PORT_TX_BYTES:
		snprintf(l, sizeof(l), "port=\"%u\"", i);
		sample(out, name, l,
		       f == PF_PORT_RX_PKTS    ? s->port[i].rx_pkts
		       : f == PF_PORT_RX_BYTES ? s->port[i].rx_bytes
		       : f == PF_PORT_TX_PKTS  ? s->port[i].tx_pkts
					       : s->port[i].tx_bytes);
		return;
	case PF_FWD_PKTS:
	case PF_FWD_BYTES:
		sample(out, name, "", f == PF_FWD_PKTS ? s->fwd_pkts : s->fwd_bytes);
		return;
	case PF_DROPS:
		snprintf(l, sizeof(l), "reason=\"%s\"", dsr_drop_name(i));
		sample(out, name, l, s->drop[i]);
		return;
	case PF_EVENTS:
		snprintf(l, sizeof(l), "event=\"%s\"", dsr_event_name(i));
		sample(out, name, l, s->event[i]);
		return;
	case PF_CONNS:
	case PF_CAPACITY:
		snprintf(l, sizeof(l), "worker=\"%u\"", i);
		sample(out, name, l,
		       f == PF_CONNS ? dsr_ct_count(lb->workers[i]->fwd.ct)
				     : dsr_ct_capacity(lb->workers[i]->fwd.ct));
		return;
	case PF_VIP_PKTS:
	case PF_VIP_BYTES:
	case PF_VIP_NEW:
		if (!lb->conf->vips[i].used)
			return;
		snprintf(l, sizeof(l), "vip=\"%s\"",
			 dsr_svc_str(&lb->conf->vips[i].svc, svc, sizeof(svc)));
		sample(out, name, l,
		       f == PF_VIP_PKTS    ? s->vip[i].pkts
		       : f == PF_VIP_BYTES ? s->vip[i].bytes
					   : s->vip[i].new_conns);
		return;
	case PF_ARP:
		n = i % DSR_ARP_NCOUNTERS;
		snprintf(l, sizeof(l), "port=\"%u\",counter=\"%s\"", i / DSR_ARP_NCOUNTERS,
			 dsr_arp_counter_name(n));
		sample(out, name, l,
		       dsr_arp_counter(lb->arp, (uint16_t)(i / DSR_ARP_NCOUNTERS), n));
		return;
	case PF_CONFLICTS:
		cf = dsr_arp_conflicts(lb->arp, &n) + i;
		snprintf(l, sizeof(l), "address=\"%s\",mac=\"%s\",kind=\"%s\"",
			 dsr_ip_str(cf->ip, ip), dsr_mac_str(cf->mac, mac),
			 dsr_arp_conflict_kind_name(cf->kind));
		sample(out, name, l, cf->count);
		return;
	default:
		break;
	}
	if (!cb->used)
		return;
	snprintf(l, sizeof(l), "vip=\"%s\",backend=\"%s\"",
		 dsr_svc_str(&lb->conf->vips[cb->vip].svc, svc, sizeof(svc)),
		 dsr_ip_str(cb->ip, ip));
	if (f == PF_BE_UP) {
		bool ok = cb->has_mac || dsr_arp_lookup(lb->arp, cb->ip, m) == DSR_MAC_OK;

		sample(out, name, l, ok && cb->weight > 0);
		return;
	}
	sample(out, name, l,
	       f == PF_BE_PKTS    ? s->backend[i].pkts
	       : f == PF_BE_BYTES ? s->backend[i].bytes
	       : f == PF_BE_NEW   ? s->backend[i].new_conns
				  : s->backend[i].active);
}

enum dsr_ctl_result
show_prometheus(const struct dsr_lb *lb, enum dsr_stats_section sec, struct show_rows *st,
		struct dsr_ctl_out *out)
{
	struct dsr_stats_lcore *s;
	char line[256];

	(void)sec; /* the whole set: scrapers want stable families */
	if (dsr_ctl_is_json(out)) {
		dsr_ctl_error(out, "--prometheus is a text format: drop 'json'");
		return DSR_CTL_FAIL;
	}
	s = show_stats_snapshot(lb, out);
	if (s == NULL)
		return DSR_CTL_FAIL;
	/* st->next: 0 = the family's HELP/TYPE lines are due, else item next - 1. */
	for (; st->phase < PF_END; st->phase++, st->next = 0) {
		unsigned int n = family_items(lb, st->phase);

		for (; st->next <= n; st->next++) {
			if (dsr_ctl_queued(out) > DSR_CTL_CHUNK) {
				free(s);
				return DSR_CTL_MORE;
			}
			if (st->next > 0) {
				emit_item(lb, s, st->phase, st->next - 1, out);
				continue;
			}
			snprintf(line, sizeof(line), "# HELP %s %s", families[st->phase].name,
				 families[st->phase].help);
			dsr_ctl_text(out, line);
			snprintf(line, sizeof(line), "# TYPE %s %s", families[st->phase].name,
				 families[st->phase].type);
			dsr_ctl_text(out, line);
		}
	}
	free(s);
	return DSR_CTL_DONE;
}
