/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry (dpdk-telemetry.py): /dsrlb/stats, /dsrlb/drops and
 * /dsrlb/vips. Names use '_' for '-', '.' and ':' (telemetry's rule).
 * Telemetry callbacks run on DPDK's telemetry thread, not on the main lcore, so they never read the running configuration: the main
 * lcore copies what they show into a snapshot once a second, under a
 * mutex that only these two sides take (never a worker).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "dsr_lb.h"
#include "show_pvt.h"

#define TEL_VIPS RTE_TEL_MAX_DICT_ENTRIES

struct tel_snapshot {
	pthread_mutex_t lock;
	uint64_t rx_pkts, rx_bytes, fwd_pkts, fwd_bytes, drops, conns, new_conns, generations;
	uint64_t drop[DSR_DROP_MAX];
	unsigned int nb_vips;
	char vip_name[TEL_VIPS][48];
	uint64_t vip_pkts[TEL_VIPS];
};

/* One daemon per process: the callbacks take no argument. */
static struct tel_snapshot tel = {.lock = PTHREAD_MUTEX_INITIALIZER};

/*
 * Telemetry names may hold only letters, digits, '_' and '/': "not-vip"
 * becomes "not_vip", "10.0.0.1:80/tcp" becomes "10_0_0_1_80/tcp".
 */
static const char *
tel_name(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < len; i++)
		out[i] = (isalnum((unsigned char)in[i]) || in[i] == '/') ? in[i] : '_';
	out[i] = '\0';
	return out;
}

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&tel.lock);
	rte_tel_data_add_dict_u64(d, "rx_pkts", tel.rx_pkts);
	rte_tel_data_add_dict_u64(d, "rx_bytes", tel.rx_bytes);
	rte_tel_data_add_dict_u64(d, "fwd_pkts", tel.fwd_pkts);
	rte_tel_data_add_dict_u64(d, "fwd_bytes", tel.fwd_bytes);
	rte_tel_data_add_dict_u64(d, "drops", tel.drops);
	rte_tel_data_add_dict_u64(d, "conns", tel.conns);
	rte_tel_data_add_dict_u64(d, "new_conns", tel.new_conns);
	rte_tel_data_add_dict_u64(d, "generations", tel.generations);
	pthread_mutex_unlock(&tel.lock);
	return 0;
}

static int
tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;
	char name[48];

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&tel.lock);
	for (i = 0; i < DSR_DROP_MAX; i++)
		rte_tel_data_add_dict_u64(d, tel_name(dsr_drop_name(i), name, sizeof(name)),
					  tel.drop[i]);
	pthread_mutex_unlock(&tel.lock);
	return 0;
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
		"/dsrlb/stats", tel_stats,
		"dsrlb totals: packets, bytes, drops, connections. No parameters");
	rte_telemetry_register_cmd("/dsrlb/drops", tel_drops,
				   "dsrlb drops by reason. No parameters");
	rte_telemetry_register_cmd("/dsrlb/vips", tel_vips,
				   "dsrlb forwarded packets by VIP. No parameters");
}

void
show_telemetry_update(const struct dsr_lb *lb, const struct dsr_stats_lcore *s)
{
	unsigned int i, n = 0;

	pthread_mutex_lock(&tel.lock);
	tel.rx_pkts = s->rx_pkts;
	tel.rx_bytes = s->rx_bytes;
	tel.fwd_pkts = s->fwd_pkts;
	tel.fwd_bytes = s->fwd_bytes;
	tel.drops = dsr_stats_drops(s);
	tel.new_conns = s->event[DSR_EV_CT_NEW];
	tel.generations = lb->publishes;
	tel.conns = 0;
	for (i = 0; i < lb->nb_workers; i++)
		tel.conns += dsr_ct_count(lb->workers[i]->fwd.ct);
	memcpy(tel.drop, s->drop, sizeof(tel.drop));
	for (i = 0; i < DSR_MAX_VIPS && n < TEL_VIPS; i++) {
		if (!lb->conf->vips[i].used)
			continue;
		char svc[48];

		tel_name(dsr_svc_str(&lb->conf->vips[i].svc, svc, sizeof(svc)), tel.vip_name[n],
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
