/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry (dpdk-telemetry.py): /dsrlb/stats, /dsrlb/drops,
 * /dsrlb/events, /dsrlb/port,N and /dsrlb/vips, with the keys of the
 * counter tables (lib/stats). Names use '_' for '-', '.' and ':'
 * (telemetry's rule: dsr_tel_name()). Telemetry callbacks run on DPDK's
 * telemetry thread, not on the main lcore, so they never read the running
 * configuration: the main lcore copies what they show into a snapshot
 * once a second, under a mutex that only these two sides take (never a
 * worker).
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "dsr_lb.h"
#include "show_pvt.h"

#define TEL_VIPS RTE_TEL_MAX_DICT_ENTRIES

struct tel_snapshot {
	pthread_mutex_t lock;
	struct dsr_stats_lcore s; /* raw sums, up to the VIPs' (offset VIP_OFF) */
	uint64_t conns, conns6, generations;
	unsigned int nb_ports;
	unsigned int nb_vips;
	char vip_name[TEL_VIPS][DSR_SVC_STR_LEN]; /* "[fd00::1]:80/tcp" as "_fd00__1__80/tcp" */
	uint64_t vip_pkts[TEL_VIPS];
};

#define VIP_OFF offsetof(struct dsr_stats_lcore, vip)

/* One daemon per process: the callbacks take no argument. */
static struct tel_snapshot tel = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The counters of group g in block, by their telemetry keys. */
static void
tel_group(struct rte_tel_data *d, enum dsr_ctr_group g, const void *block)
{
	const struct dsr_ctr_desc *c;
	unsigned int i, n;

	c = dsr_ctr_group(g, &n);
	for (i = 0; i < n; i++)
		rte_tel_data_add_dict_u64(d, c[i].tel, dsr_ctr_get(block, &c[i]));
}

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&tel.lock);
	tel_group(d, DSR_CTR_G_TRAFFIC, &tel.s);
	rte_tel_data_add_dict_u64(d, "drops", dsr_stats_drops(&tel.s));
	rte_tel_data_add_dict_u64(d, "conns", tel.conns);
	rte_tel_data_add_dict_u64(d, "conns6", tel.conns6);
	rte_tel_data_add_dict_u64(d, "new_conns", tel.s.event[DSR_EV_CT_NEW]);
	rte_tel_data_add_dict_u64(d, "generations", tel.generations);
	tel_group(d, DSR_CTR_G_LOOP, &tel.s);
	pthread_mutex_unlock(&tel.lock);
	return 0;
}

/* The drop reasons or the events, by name. */
static int
tel_array(const struct dsr_ctr_array *a, struct rte_tel_data *d)
{
	unsigned int i;
	char name[48];

	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&tel.lock);
	for (i = 0; i < a->n; i++)
		rte_tel_data_add_dict_u64(d, dsr_tel_name(a->names[i], name, sizeof(name)),
					  dsr_ctr_array_get(&tel.s, a, i));
	pthread_mutex_unlock(&tel.lock);
	return 0;
}

static int
tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	return tel_array(&dsr_ctr_drops, d);
}

static int
tel_events(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	return tel_array(&dsr_ctr_events, d);
}

/* /dsrlb/port,N: port N's counters. */
static int
tel_port(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned long p;
	char *end;
	int rc = 0;

	(void)cmd;
	if (params == NULL || !isdigit((unsigned char)params[0]))
		return -EINVAL;
	p = strtoul(params, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	pthread_mutex_lock(&tel.lock);
	if (p < tel.nb_ports) {
		rte_tel_data_start_dict(d);
		tel_group(d, DSR_CTR_G_PORT, &tel.s.port[p]);
	} else {
		rc = -EINVAL;
	}
	pthread_mutex_unlock(&tel.lock);
	return rc;
}

static int
tel_vips(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&tel.lock);
	for (i = 0; i < tel.nb_vips; i++)
		rte_tel_data_add_dict_u64(d, tel.vip_name[i], tel.vip_pkts[i]);
	pthread_mutex_unlock(&tel.lock);
	return 0;
}

void
dsr_show_telemetry_register(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	rte_telemetry_register_cmd(
		DSR_TEL_STATS, tel_stats,
		"dsrlb totals: packets, bytes, drops, connections (IPv4, IPv6). No parameters");
	rte_telemetry_register_cmd(DSR_TEL_DROPS, tel_drops,
				   "dsrlb drops by reason. No parameters");
	rte_telemetry_register_cmd(DSR_TEL_VIPS, tel_vips,
				   "dsrlb forwarded packets by VIP. No parameters");
	rte_telemetry_register_cmd(DSR_TEL_EVENTS, tel_events,
				   "dsrlb connection table and slow-path events. No parameters");
	rte_telemetry_register_cmd(DSR_TEL_PORT, tel_port,
				   "dsrlb counters of a port. Parameters: int port_id");
}

void
show_telemetry_update(const struct dsr_lb *lb, const struct dsr_stats_lcore *s)
{
	unsigned int i, n = 0;

	pthread_mutex_lock(&tel.lock);
	memcpy(&tel.s, s, VIP_OFF);
	tel.generations = lb->publishes;
	tel.nb_ports = lb->nb_ports;
	tel.conns = 0;
	tel.conns6 = 0;
	for (i = 0; i < lb->nb_workers; i++) {
		tel.conns += dsr_ct_count(lb->workers[i]->fwd.ct);
		if (lb->workers[i]->fwd.ct6 != NULL)
			tel.conns6 += dsr_ct6_count(lb->workers[i]->fwd.ct6);
	}
	for (i = 0; i < DSR_MAX_VIPS && n < TEL_VIPS; i++) {
		if (!lb->conf->vips[i].used)
			continue;
		char svc[DSR_SVC_STR_LEN];

		dsr_tel_name(dsr_svc_str(&lb->conf->vips[i].svc, svc, sizeof(svc)), tel.vip_name[n],
			     sizeof(tel.vip_name[n]));
		tel.vip_pkts[n] = s->vip[i].pkts - lb->base->vip[i].pkts;
		n++;
	}
	tel.nb_vips = n;
	pthread_mutex_unlock(&tel.lock);
}

void
dsr_show_service(const struct dsr_lb *lb, uint32_t now_ms)
{
	static uint32_t last_ms;
	struct dsr_stats_lcore *s;

	if (last_ms != 0 && (int32_t)(now_ms - last_ms) < 1000)
		return;
	last_ms = now_ms == 0 ? 1 : now_ms;
	s = aligned_alloc(64, sizeof(*s));
	if (s == NULL)
		return;
	dsr_lb_stats_raw(lb, s);
	show_telemetry_update(lb, s);
	free(s);
}
