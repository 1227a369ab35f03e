/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Health on the main lcore: each backend's state (lib/health) under its
 * VIP's check, the panic rule, and what a change does: a backend that goes
 * down leaves the Maglev table in a new generation at once, and its
 * connections, chosen again on their next packet, are counted as lost.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>

#include "dsr_lb.h"
#include "dsr_log.h"
#include "lb_pvt.h"

int
dsr_lb_health_init(struct dsr_lb *lb)
{
	unsigned int i;

	lb->health = calloc(1, sizeof(*lb->health));
	if (lb->health == NULL)
		return -1;
	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		dsr_health_reset(&lb->health->be[i], 0);
		lb->health->hc[i].fd = -1;
	}
	for (i = 0; i < DSR_MAX_VIPS; i++)
		lb->health->check[i] = lb->conf->vips[i].check;
	return 0;
}

/*
 * next becomes the running configuration: backends that are new, or whose
 * VIP's check changed, start unchecked; a VIP whose check changed leaves
 * panic.
 */
void
dsr_lb_health_sync(struct dsr_lb *lb, const struct dsr_conf *old, const struct dsr_conf *next)
{
	struct dsr_lb_health *h = lb->health;
	uint64_t now = dsr_lb_now_ms(lb);
	bool changed[DSR_MAX_VIPS];
	unsigned int i;

	for (i = 0; i < DSR_MAX_VIPS; i++) {
		const struct dsr_check *k = &next->vips[i].check;

		changed[i] = !old->vips[i].used || !next->vips[i].used ||
			     memcmp(&h->check[i], k, sizeof(*k)) != 0;
		if (!changed[i])
			continue;
		h->check[i] = *k;
		memset(&h->vip[i], 0, sizeof(h->vip[i]));
	}
	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		const struct dsr_conf_backend *nb = &next->backends[i];

		if (!nb->used)
			continue;
		if (!old->backends[i].used || old->backends[i].vip != nb->vip || changed[nb->vip]) {
			dsr_health_reset(&h->be[i], now);
			dsr_lb_hc_close(lb, i); /* a check under the old configuration */
		}
	}
}

/* Backends of VIP v with a weight: how many, and how many health keeps in service. */
static void
vip_counts(const struct dsr_lb *lb, const struct dsr_conf *conf, unsigned int v,
	   unsigned int *healthy, unsigned int *total)
{
	unsigned int i;

	*healthy = 0;
	*total = 0;
	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		const struct dsr_conf_backend *cb = &conf->backends[i];

		if (!cb->used || cb->vip != v || cb->weight == 0)
			continue;
		(*total)++;
		*healthy += dsr_health_in_service(&lb->health->be[i]);
	}
}

void
dsr_lb_health_down(struct dsr_lb *lb, const struct dsr_conf *conf, uint8_t down[])
{
	uint64_t now = dsr_lb_now_ms(lb);
	char line[DSR_HEALTH_LINE_MAX], svc[DSR_SVC_STR_LEN];
	unsigned int i, healthy, total;
	int c;

	for (i = 0; i < DSR_MAX_VIPS; i++) {
		if (!conf->vips[i].used)
			continue;
		vip_counts(lb, conf, i, &healthy, &total);
		c = dsr_health_vip_update(&lb->health->vip[i], healthy, total,
					  conf->vips[i].check.panic, now);
		if (c == 0)
			continue;
		dsr_health_panic_line(line, sizeof(line),
				      dsr_svc_str(&conf->vips[i].svc, svc, sizeof(svc)), c, healthy,
				      total, conf->vips[i].check.panic);
		dsr_log(c > 0 ? DSR_LOG_WARNING : DSR_LOG_NOTICE, "%s", line);
	}
	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		const struct dsr_conf_backend *cb = &conf->backends[i];

		down[i] = cb->used && !dsr_health_in_service(&lb->health->be[i]) &&
			  !lb->health->vip[cb->vip].panic;
	}
}

int
dsr_lb_health_record(struct dsr_lb *lb, unsigned int b, bool ok, uint32_t latency_us,
		     const char *why)
{
	const struct dsr_conf_backend *cb;
	const struct dsr_check *k;
	enum dsr_health_change c;
	char line[DSR_HEALTH_LINE_MAX], svc[DSR_SVC_STR_LEN], ip[DSR_IP6_STR_LEN], err[128];
	unsigned int w;

	if (b >= DSR_MAX_BACKENDS || !lb->conf->backends[b].used)
		return 0;
	cb = &lb->conf->backends[b];
	k = &lb->conf->vips[cb->vip].check;
	if (k->kind == DSR_CHECK_NONE)
		return 0;
	c = dsr_health_record(&lb->health->be[b], k->rise, k->fall, ok, latency_us, why,
			      dsr_lb_now_ms(lb));
	if (c == DSR_HEALTH_SAME)
		return 0;
	dsr_health_line(line, sizeof(line),
			dsr_svc_str(&lb->conf->vips[cb->vip].svc, svc, sizeof(svc)),
			dsr_addr_str(cb->family, cb->ip, cb->ip6, ip),
			dsr_check_kind_name((enum dsr_check_kind)k->kind), &lb->health->be[b], c,
			k->rise, k->fall);
	dsr_log(c == DSR_HEALTH_WENT_DOWN ? DSR_LOG_WARNING : DSR_LOG_INFO, "%s", line);
	/* Its connections are chosen again on their next packet: lost, unless panic keeps it. */
	if (c == DSR_HEALTH_WENT_DOWN && !lb->health->vip[cb->vip].panic)
		for (w = 0; w < lb->nb_workers; w++)
			lb->base->lost_conns[b] +=
				DSR_CTR_GET(lb->workers[w]->fwd.st->backend[b].active);
	if (dsr_lb_publish(lb, lb->conf, err, sizeof(err)) != 0) {
		dsr_log(DSR_LOG_ERR, "%s", err);
		return -1;
	}
	return 1;
}

const struct dsr_health_be *
dsr_lb_health_of(const struct dsr_lb *lb, unsigned int b)
{
	return &lb->health->be[b];
}

/*
 * dsr probes. Backend b's probes come from port 49152 + 4 b + round % 4
 * (DSR_MAX_BACKENDS is 4096): the answer names its backend, and a late
 * answer to an earlier probe does not match the current one.
 */
#define PROBE_PORT_BASE 49152u
_Static_assert(PROBE_PORT_BASE + 4 * DSR_MAX_BACKENDS <= 65536, "probe ports fit");

/*
 * The port a probe to backend b goes out on: the one whose subnet of the
 * backend's family holds it, else the first with an address of that family.
 */
static int
probe_port(const struct dsr_lb *lb, const struct dsr_conf_backend *cb)
{
	bool v6 = cb->family == DSR_AF_IPV6;
	int p = v6 ? dsr_conf_port_of6(lb->conf, cb->ip6) : dsr_conf_port_of(lb->conf, cb->ip);
	unsigned int i;

	for (i = 0; p < 0 && i < lb->nb_ports; i++)
		if (v6 ? lb->conf->ports[i].has_addr6 : lb->conf->ports[i].has_addr)
			p = (int)i;
	return p >= 0 && p < lb->nb_ports ? p : -1;
}

/* Backend b's MAC (its own, or ARP's or ND's), into mac. */
static bool
probe_mac(const struct dsr_lb *lb, const struct dsr_conf_backend *cb, uint8_t mac[6])
{
	if (cb->has_mac) {
		memcpy(mac, cb->mac, 6);
		return true;
	}
	if (cb->family == DSR_AF_IPV6)
		return lb->nd != NULL &&
		       dsr_mac_lookup_has_mac(dsr_nd_lookup(lb->nd, cb->ip6, mac));
	return dsr_mac_lookup_has_mac(dsr_arp_lookup(lb->arp, cb->ip, mac));
}

/* Send backend b's next probe, or record why it cannot go. */
static void
probe_send(struct dsr_lb *lb, unsigned int b, uint32_t now)
{
	const struct dsr_conf_backend *cb = &lb->conf->backends[b];
	const struct dsr_conf_vip *v = &lb->conf->vips[cb->vip];
	struct dsr_lb_probe *pr = &lb->health->probe[b];
	uint8_t frame[DSR_PROBE_FRAME_MAX];
	int port = probe_port(lb, cb);
	uint32_t len;

	if (port < 0) {
		dsr_lb_health_record(lb, b, false, 0, "no port address to send from");
		return;
	}
	if (!probe_mac(lb, cb, pr->p.dst_mac)) {
		dsr_lb_health_record(lb, b, false, 0, "backend MAC unknown");
		return;
	}
	memcpy(pr->p.src_mac, lb->ports[port].mac, 6);
	pr->p.family = v->svc.family;
	pr->p.src_ip = lb->conf->ports[port].ip;
	pr->p.dst_ip = v->svc.ip;
	memcpy(pr->p.src_ip6, lb->conf->ports[port].ip6, 16);
	memcpy(pr->p.dst_ip6, v->svc.ip6, 16);
	pr->p.sport = (uint16_t)(PROBE_PORT_BASE + 4 * b + pr->round++ % 4);
	pr->p.dport = ntohs(v->svc.port);
	pr->p.seq = (now * 2654435761u) ^ (b * 40503u) ^ 0x5eed1234u;
	len = dsr_probe_syn(frame, sizeof(frame), &pr->p);
	dsr_lb_send_frame(lb, (uint16_t)port, frame, len);
	pr->port = (uint16_t)port;
	pr->sent_ms = now;
	pr->sent_tsc = rte_rdtsc();
	pr->in_flight = true;
}

void
dsr_lb_health_tick(struct dsr_lb *lb, uint32_t now_ms)
{
	struct dsr_lb_health *h = lb->health;
	unsigned int b;

	/* Every 10 ms is fine-grained enough for intervals of 100 ms and more. */
	if ((int32_t)(now_ms - h->last_tick_ms) < 10)
		return;
	h->last_tick_ms = now_ms;
	dsr_lb_hc_poll(lb);
	for (b = 0; b < DSR_MAX_BACKENDS; b++) {
		const struct dsr_conf_backend *cb = &lb->conf->backends[b];
		struct dsr_lb_probe *pr = &h->probe[b];
		const struct dsr_check *k;

		k = &lb->conf->vips[cb->vip].check;
		if (cb->used && (k->kind == DSR_CHECK_TCP || k->kind == DSR_CHECK_HTTP)) {
			dsr_lb_hc_step(lb, b, k, now_ms);
			continue;
		}
		if (h->hc[b].fd >= 0)
			dsr_lb_hc_close(lb, b); /* removed, or its check is another kind now */
		if (!cb->used || k->kind != DSR_CHECK_DSR)
			continue;
		if (pr->in_flight && (int32_t)(now_ms - pr->sent_ms) >= (int32_t)k->timeout_ms) {
			pr->in_flight = false;
			dsr_lb_health_record(lb, b, false, k->timeout_ms * 1000, "timeout");
		}
		if (!pr->in_flight && (int32_t)(now_ms - pr->next_ms) >= 0) {
			pr->next_ms = now_ms + k->interval_ms;
			probe_send(lb, b, now_ms);
		}
	}
}

bool
dsr_lb_health_input(struct dsr_lb *lb, uint16_t port, const uint8_t *frame, uint32_t len)
{
	struct dsr_probe_reply r;
	struct dsr_lb_probe *pr;
	enum dsr_probe_verdict v;
	uint8_t rst[DSR_PROBE_FRAME_MAX];
	struct dsr_svc_key svc = {0};
	uint32_t b, n;

	if (dsr_probe_parse(frame, len, &r) != 0 || r.dport < PROBE_PORT_BASE)
		return false;
	svc.family = r.family;
	svc.ip = r.src_ip;
	memcpy(svc.ip6, r.src_ip6, 16);
	svc.port = rte_cpu_to_be_16(r.sport);
	svc.proto = DSR_IPPROTO_TCP;
	if (dsr_conf_find_vip(lb->conf, &svc) < 0)
		return false; /* not from a VIP: the kernel interface's, if any */
	b = (r.dport - PROBE_PORT_BASE) / 4;
	pr = &lb->health->probe[b];
	if (!pr->in_flight || pr->port != port)
		return true; /* late or stray: ours all the same */
	v = dsr_probe_match(&pr->p, &r);
	if (v == DSR_PROBE_OTHER)
		return true;
	pr->in_flight = false;
	if (v == DSR_PROBE_ANSWERED) {
		n = dsr_probe_rst(rst, sizeof(rst), &pr->p);
		dsr_lb_send_frame(lb, port, rst, n);
	}
	dsr_lb_health_record(lb, b, v == DSR_PROBE_ANSWERED,
			     (uint32_t)((rte_rdtsc() - pr->sent_tsc) * 1000000 / rte_get_tsc_hz()),
			     "connection refused");
	return true;
}
