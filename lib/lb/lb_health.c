/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Health on the main lcore: each backend's state (lib/health) under its
 * VIP's check, the panic rule, and what a change does: a backend that goes
 * down leaves the Maglev table in a new generation at once, and its
 * connections, chosen again on their next packet, are counted as lost.
 */
#include <stdlib.h>
#include <string.h>

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
	for (i = 0; i < DSR_MAX_BACKENDS; i++)
		dsr_health_reset(&lb->health->be[i], 0);
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
		if (!old->backends[i].used || old->backends[i].vip != nb->vip || changed[nb->vip])
			dsr_health_reset(&h->be[i], now);
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
	char line[DSR_HEALTH_LINE_MAX], svc[48];
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
	char line[DSR_HEALTH_LINE_MAX], svc[48], ip[16], err[128];
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
			dsr_ip_str(cb->ip, ip), dsr_check_kind_name((enum dsr_check_kind)k->kind),
			&lb->health->be[b], c, k->rise, k->fall);
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
