/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `show stats --prometheus`: the counters in the Prometheus text
 * exposition format (version 0.0.4), for node_exporter's textfile
 * collector: `dsrlbctl show stats --prometheus > dsrlb.prom.$$ && mv ...`.
 * Streamed one metric family at a time. The counters' families come from
 * their tables (lib/stats); only the derived ones are named here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_ctl.h"
#include "dsr_lb.h"
#include "dsr_nd.h"
#include "show_pvt.h"

/* What a family's samples are of. */
enum prom_kind {
	PK_PORT,         /* a port counter, by port */
	PK_TOTAL,        /* a traffic counter, summed over the workers */
	PK_WORKER,       /* a loop counter, by worker */
	PK_ARRAY,        /* the drop reasons or the events */
	PK_CONNS,        /* connection entries, by worker */
	PK_CAPACITY,     /* connection table size, by worker */
	PK_CONNS6,       /* IPv6 connection entries, by worker */
	PK_CAPACITY6,    /* IPv6 connection table size, by worker */
	PK_VIP,          /* a flow counter, by VIP */
	PK_BACKEND,      /* a flow counter, by backend */
	PK_BE_UP,        /* whether a backend takes new flows */
	PK_BE_HEALTH,    /* a backend's health */
	PK_BE_CHECK,     /* the latency of its last check */
	PK_BE_SINCE,     /* seconds in its health state */
	PK_VIP_PANIC,    /* times a VIP began to ignore health */
	PK_VIP_ROUTE,    /* whether the route of a VIP's address is announced */
	PK_ARP,          /* ARP counters, by port */
	PK_CONFLICTS,    /* duplicate-address frames */
	PK_ND,           /* neighbour discovery counters, by port */
	PK_ND_CONFLICTS, /* IPv6 duplicate-address frames */
};

/*
 * The families, in order. A section of a counter group (no name, no
 * array) gives one family per counter of the group.
 */
static const struct prom_section {
	enum prom_kind kind;
	enum dsr_ctr_group group;
	const struct dsr_ctr_array *array;
	const char *name;
	const char *type;
	const char *help;
} sections[] = {
	{PK_PORT, DSR_CTR_G_PORT, NULL, NULL, NULL, NULL},
	{PK_TOTAL, DSR_CTR_G_TRAFFIC, NULL, NULL, NULL, NULL},
	{PK_ARRAY, 0, &dsr_ctr_drops, NULL, NULL, NULL},
	{PK_ARRAY, 0, &dsr_ctr_events, NULL, NULL, NULL},
	{PK_WORKER, DSR_CTR_G_LOOP, NULL, NULL, NULL, NULL},
	{PK_CONNS, 0, NULL, "dsrlb_connections", "gauge", "Connection entries, by worker."},
	{PK_CAPACITY, 0, NULL, "dsrlb_connection_capacity", "gauge",
	 "Connection table size, by worker."},
	{PK_CONNS6, 0, NULL, "dsrlb_ipv6_connections", "gauge",
	 "IPv6 connection entries, by worker."},
	{PK_CAPACITY6, 0, NULL, "dsrlb_ipv6_connection_capacity", "gauge",
	 "IPv6 connection table size, by worker."},
	{PK_VIP, DSR_CTR_G_VIP, NULL, NULL, NULL, NULL},
	{PK_BACKEND, DSR_CTR_G_BACKEND, NULL, NULL, NULL, NULL},
	{PK_BE_UP, 0, NULL, "dsrlb_backend_up", "gauge",
	 "1 if the backend takes new flows (MAC known, weight above 0, not down)."},
	{PK_BE_HEALTH, 0, NULL, "dsrlb_backend_health", "gauge",
	 "Health by active checks: 1 up, 0 down, -1 unchecked."},
	{PK_BE_CHECK, 0, NULL, "dsrlb_backend_check_latency_microseconds", "gauge",
	 "Latency of the backend's last health check."},
	{PK_BE_SINCE, 0, NULL, "dsrlb_backend_health_state_seconds", "gauge",
	 "Seconds the backend has been in its health state."},
	{PK_VIP_PANIC, 0, NULL, "dsrlb_vip_panics_total", "counter",
	 "Times the VIP ignored health because too few backends were healthy (panic)."},
	{PK_VIP_ROUTE, 0, NULL, "dsrlb_vip_announced", "gauge",
	 "1 if the route of the VIP's address is in the announce table, else 0."},
	{PK_ARP, 0, NULL, "dsrlb_arp_total", "counter", "ARP counters, by port."},
	{PK_CONFLICTS, 0, NULL, "dsrlb_arp_conflicts_total", "counter",
	 "Duplicate-address frames, by our address, other MAC and kind."},
	{PK_ND, 0, NULL, "dsrlb_nd_total", "counter",
	 "IPv6 neighbour discovery counters, by port."},
	{PK_ND_CONFLICTS, 0, NULL, "dsrlb_nd_conflicts_total", "counter",
	 "IPv6 duplicate-address frames, by our address, other MAC and kind."},
};

#define NB_SECTIONS (sizeof(sections) / sizeof(sections[0]))

/* One family: its section and, for a counter group, its counter. */
struct prom_family {
	const struct prom_section *sec;
	const struct dsr_ctr_desc *ctr;
	const char *name;
	const char *type;
	const char *help;
};

/* Family f of all, in order. @return false past the last. */
static bool
family_at(unsigned int f, struct prom_family *fam)
{
	unsigned int i, n;

	for (i = 0; i < NB_SECTIONS; i++) {
		const struct prom_section *sec = &sections[i];
		const struct dsr_ctr_desc *d = NULL;

		n = 1;
		if (sec->name == NULL && sec->array == NULL)
			d = dsr_ctr_group(sec->group, &n);
		if (f >= n) {
			f -= n;
			continue;
		}
		fam->sec = sec;
		fam->ctr = d != NULL ? &d[f] : NULL;
		if (fam->ctr != NULL) {
			fam->name = fam->ctr->family;
			fam->type = fam->ctr->type;
			fam->help = fam->ctr->help;
		} else if (sec->array != NULL) {
			fam->name = sec->array->family;
			fam->type = "counter";
			fam->help = sec->array->help;
		} else {
			fam->name = sec->name;
			fam->type = sec->type;
			fam->help = sec->help;
		}
		return true;
	}
	return false;
}

static void
sample(struct dsr_ctl_out *out, const char *name, const char *labels, double v)
{
	char line[512];

	snprintf(line, sizeof(line), "%s{%s} %.0f", name, labels, v);
	dsr_ctl_text(out, line);
}

/* Items of a family: ports, workers, VIPs, backends, ... */
static unsigned int
family_items(const struct dsr_lb *lb, const struct prom_section *sec)
{
	unsigned int n = 0;

	switch (sec->kind) {
	case PK_PORT:
		return lb->nb_ports;
	case PK_TOTAL:
		return 1;
	case PK_ARRAY:
		return sec->array->n;
	case PK_WORKER:
	case PK_CONNS:
	case PK_CAPACITY:
	case PK_CONNS6:
	case PK_CAPACITY6:
		return lb->nb_workers;
	case PK_VIP:
	case PK_VIP_PANIC:
	case PK_VIP_ROUTE:
		return DSR_MAX_VIPS;
	case PK_ARP:
		return lb->nb_ports * DSR_ARP_NCOUNTERS;
	case PK_CONFLICTS:
		dsr_arp_conflicts(lb->arp, &n);
		return n;
	case PK_ND:
		return lb->nd != NULL ? lb->nb_ports * DSR_ND_NCOUNTERS : 0;
	case PK_ND_CONFLICTS:
		if (lb->nd != NULL)
			dsr_nd_conflicts(lb->nd, &n);
		return n;
	default:
		return DSR_MAX_BACKENDS;
	}
}

/* A conflict's sample (lib/arp's and lib/nd's rows differ only in the address). */
static void
emit_conflict(struct dsr_ctl_out *out, const char *name, const char *ip, const uint8_t mac[6],
	      uint8_t kind, uint64_t count)
{
	char l[256], m[DSR_MAC_STR_LEN];

	snprintf(l, sizeof(l), "address=\"%s\",mac=\"%s\",kind=\"%s\"", ip, dsr_mac_str(mac, m),
		 dsr_arp_conflict_kind_name((enum dsr_arp_conflict_kind)kind));
	sample(out, name, l, count);
}

/* Item i of a family that the ARP or the neighbour discovery module counts. */
static void
emit_arp(const struct dsr_lb *lb, const struct prom_family *fam, unsigned int i,
	 struct dsr_ctl_out *out)
{
	const struct dsr_arp_conflict *cf;
	const struct dsr_nd_conflict *nf;
	char l[256], ip[DSR_IP6_STR_LEN];
	unsigned int n;

	switch (fam->sec->kind) {
	case PK_ARP:
		n = i % DSR_ARP_NCOUNTERS;
		snprintf(l, sizeof(l), "port=\"%u\",counter=\"%s\"", i / DSR_ARP_NCOUNTERS,
			 dsr_arp_counter_name(n));
		sample(out, fam->name, l,
		       dsr_arp_counter(lb->arp, (uint16_t)(i / DSR_ARP_NCOUNTERS), n));
		return;
	case PK_ND:
		n = i % DSR_ND_NCOUNTERS;
		snprintf(l, sizeof(l), "port=\"%u\",counter=\"%s\"", i / DSR_ND_NCOUNTERS,
			 dsr_nd_counter_name(n));
		sample(out, fam->name, l,
		       dsr_nd_counter(lb->nd, (uint16_t)(i / DSR_ND_NCOUNTERS), n));
		return;
	case PK_ND_CONFLICTS:
		nf = dsr_nd_conflicts(lb->nd, &n) + i;
		emit_conflict(out, fam->name, dsr_ip6_str(nf->ip, ip), nf->mac, nf->kind,
			      nf->count);
		return;
	default:
		cf = dsr_arp_conflicts(lb->arp, &n) + i;
		emit_conflict(out, fam->name, dsr_ip_str(cf->ip, ip), cf->mac, cf->kind, cf->count);
		return;
	}
}

/* Item i of a backend's family. */
static void
emit_backend(const struct dsr_lb *lb, const struct dsr_stats_lcore *s,
	     const struct prom_family *fam, unsigned int i, struct dsr_ctl_out *out)
{
	const struct dsr_conf_backend *cb = &lb->conf->backends[i];
	const struct dsr_health_be *h;
	char l[256], svc[DSR_SVC_STR_LEN], ip[DSR_IP6_STR_LEN];
	uint8_t m[6];
	bool ok;

	if (!cb->used)
		return;
	snprintf(l, sizeof(l), "vip=\"%s\",backend=\"%s\"",
		 dsr_svc_str(&lb->conf->vips[cb->vip].svc, svc, sizeof(svc)),
		 dsr_addr_str(cb->family, cb->ip, cb->ip6, ip));
	if (fam->sec->kind == PK_BACKEND) {
		sample(out, fam->name, l, dsr_ctr_get(&s->backend[i], fam->ctr));
		return;
	}
	h = dsr_lb_health_of(lb, i);
	switch (fam->sec->kind) {
	case PK_BE_HEALTH:
		sample(out, fam->name, l,
		       h->state == DSR_HEALTH_UP     ? 1
		       : h->state == DSR_HEALTH_DOWN ? 0
						     : -1);
		return;
	case PK_BE_CHECK:
		sample(out, fam->name, l, h->latency_us);
		return;
	case PK_BE_SINCE:
		sample(out, fam->name, l, (dsr_lb_now_ms(lb) - h->since_ms) / 1000);
		return;
	default:
		break;
	}
	ok = cb->has_mac || show_backend_lookup(lb, cb, m) == DSR_MAC_OK;
	ok = ok && (dsr_health_in_service(h) || lb->health->vip[cb->vip].panic);
	sample(out, fam->name, l, ok && cb->weight > 0);
}

/* A by-worker family's value for worker w. */
static uint64_t
worker_value(const struct dsr_worker *w, const struct prom_family *fam)
{
	switch (fam->sec->kind) {
	case PK_CONNS:
		return dsr_ct_count(w->fwd.ct);
	case PK_CAPACITY:
		return dsr_ct_capacity(w->fwd.ct);
	case PK_CONNS6:
		return w->fwd.ct6 != NULL ? dsr_ct6_count(w->fwd.ct6) : 0;
	case PK_CAPACITY6:
		return w->fwd.ct6 != NULL ? dsr_ct6_capacity(w->fwd.ct6) : 0;
	default:
		return dsr_ctr_get(w->fwd.st, fam->ctr);
	}
}

static void
emit_item(const struct dsr_lb *lb, const struct dsr_stats_lcore *s, const struct prom_family *fam,
	  unsigned int i, struct dsr_ctl_out *out)
{
	const struct prom_section *sec = fam->sec;
	char l[256], svc[DSR_SVC_STR_LEN];

	switch (sec->kind) {
	case PK_PORT:
		snprintf(l, sizeof(l), "port=\"%u\"", i);
		sample(out, fam->name, l, dsr_ctr_get(&s->port[i], fam->ctr));
		return;
	case PK_TOTAL:
		sample(out, fam->name, "", dsr_ctr_get(s, fam->ctr));
		return;
	case PK_ARRAY:
		snprintf(l, sizeof(l), "%s=\"%s\"", sec->array->label, sec->array->names[i]);
		sample(out, fam->name, l, dsr_ctr_array_get(s, sec->array, i));
		return;
	case PK_WORKER:
	case PK_CONNS:
	case PK_CAPACITY:
	case PK_CONNS6:
	case PK_CAPACITY6:
		snprintf(l, sizeof(l), "worker=\"%u\"", i);
		sample(out, fam->name, l, worker_value(lb->workers[i], fam));
		return;
	case PK_VIP:
	case PK_VIP_PANIC:
	case PK_VIP_ROUTE:
		if (!lb->conf->vips[i].used)
			return;
		snprintf(l, sizeof(l), "vip=\"%s\"",
			 dsr_svc_str(&lb->conf->vips[i].svc, svc, sizeof(svc)));
		sample(out, fam->name, l,
		       sec->kind == PK_VIP ? dsr_ctr_get(&s->vip[i], fam->ctr)
		       : sec->kind == PK_VIP_ROUTE
			       ? dsr_lb_vip_route(lb, i) == DSR_LB_ROUTE_ANNOUNCED
			       : lb->health->vip[i].panics);
		return;
	case PK_ARP:
	case PK_CONFLICTS:
	case PK_ND:
	case PK_ND_CONFLICTS:
		emit_arp(lb, fam, i, out);
		return;
	default:
		emit_backend(lb, s, fam, i, out);
		return;
	}
}

enum dsr_ctl_result
show_prometheus(const struct dsr_lb *lb, enum dsr_stats_section sec, struct show_rows *st,
		struct dsr_ctl_out *out)
{
	struct dsr_stats_lcore *s;
	struct prom_family fam;
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
	for (; family_at(st->phase, &fam); st->phase++, st->next = 0) {
		unsigned int n = family_items(lb, fam.sec);

		for (; st->next <= n; st->next++) {
			if (dsr_ctl_queued(out) > DSR_CTL_CHUNK) {
				free(s);
				return DSR_CTL_MORE;
			}
			if (st->next > 0) {
				emit_item(lb, s, &fam, st->next - 1, out);
				continue;
			}
			snprintf(line, sizeof(line), "# HELP %s %s", fam.name, fam.help);
			dsr_ctl_text(out, line);
			snprintf(line, sizeof(line), "# TYPE %s %s", fam.name, fam.type);
			dsr_ctl_text(out, line);
		}
	}
	free(s);
	return DSR_CTL_DONE;
}
