/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Changing the running configuration: one command (dsr_lb_apply), a
 * whole file by difference (dsr_lb_reload, SIGHUP), and `conns flush`.
 * Every change is built on a copy of the configuration, validated, turned
 * into a new generation and published in one pointer swap; a change that
 * fails leaves everything as it was. Nothing unchanged is touched: VIP
 * and backend ids, and so the connection entries that name them, survive.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_lb.h"
#include "dsr_log.h"
#include "lb_pvt.h"

static enum dsr_mac_lookup
lb_mac_of(void *arg, uint32_t ip, uint8_t mac[6])
{
	struct dsr_lb *lb = arg;

	return lb->arp == NULL ? DSR_MAC_PENDING : dsr_arp_lookup(lb->arp, ip, mac);
}

static enum dsr_mac_lookup
lb_mac_of6(void *arg, const uint8_t ip6[16], uint8_t mac[6])
{
	struct dsr_lb *lb = arg;

	return lb->nd == NULL ? DSR_MAC_PENDING : dsr_nd_lookup(lb->nd, ip6, mac);
}

int
dsr_lb_publish(struct dsr_lb *lb, const struct dsr_conf *conf, char *err, size_t errlen)
{
	static uint8_t down[DSR_MAX_BACKENDS]; /* main lcore only */
	struct dsr_gen *g;

	dsr_lb_health_down(lb, conf, down);
	const struct dsr_gen_macs macs = {lb_mac_of, lb_mac_of6, lb};

	g = dsr_gen_build_macs(conf, dsr_pub_next_version(&lb->pub), &macs, down);

	if (g == NULL) {
		snprintf(err, errlen, "cannot build the forwarding tables: %s", strerror(errno));
		return -1;
	}
	/* Not yet visible to any worker: still ours to write. */
	g->flush_seq = lb->flush_seq;
	g->flush_all = lb->flush_all;
	g->flush_svc = lb->flush_svc;
	dsr_pub_publish(&lb->pub, g);
	lb->publishes++;
	return 0;
}

/*
 * Ids that a change frees or takes. A deleted backend's id is held until
 * no connection entry names it (dsr_lb_release_held); an id that starts
 * being used gets its counters' current sums as a baseline, so a reused
 * id starts from zero.
 */
static void
lb_track_ids(struct dsr_lb *lb, const struct dsr_conf *old, struct dsr_conf *next)
{
	struct dsr_stats_lcore *sum = NULL;
	unsigned int i;

	for (i = 0; i < DSR_MAX_BACKENDS; i++)
		if (old->backends[i].used && !next->backends[i].used)
			next->backend_held[i] = true;
	for (i = 0; i < DSR_MAX_VIPS + DSR_MAX_BACKENDS; i++) {
		bool vip = i < DSR_MAX_VIPS;
		unsigned int id = vip ? i : i - DSR_MAX_VIPS;
		bool was = vip ? old->vips[id].used : old->backends[id].used;
		bool is = vip ? next->vips[id].used : next->backends[id].used;

		if (was || !is)
			continue;
		if (sum == NULL) {
			sum = aligned_alloc(64, sizeof(*sum));
			if (sum == NULL)
				return; /* baselines stay as they were: counters carry over */
			dsr_lb_stats_raw(lb, sum);
		}
		if (vip) {
			lb->base->vip[id] = sum->vip[id];
		} else {
			lb->base->backend[id] = sum->backend[id];
			lb->base->lost_conns[id] = 0;
			lb->base->backend_failed[id] = false;
		}
	}
	free(sum);
}

/* Make next the running configuration: ARP, generation, ids. Frees next on failure. */
static int
lb_commit(struct dsr_lb *lb, struct dsr_conf *next, char *err, size_t errlen)
{
	lb_track_ids(lb, lb->conf, next);
	dsr_lb_health_sync(lb, lb->conf, next);
	if (dsr_lb_arp_configure(lb, next, err, errlen) != 0 ||
	    (lb->nd != NULL && dsr_lb_nd_configure(lb, next, err, errlen) != 0) ||
	    dsr_lb_publish(lb, next, err, errlen) != 0) {
		/* Put ARP and ND back on the running configuration (they held it before). */
		dsr_lb_arp_configure(lb, lb->conf, err, errlen);
		if (lb->nd != NULL)
			dsr_lb_nd_configure(lb, lb->conf, err, errlen);
		free(next);
		return -1;
	}
	free(lb->conf);
	lb->conf = next;
	return 0;
}

static struct dsr_conf *
lb_conf_copy(const struct dsr_lb *lb, char *err, size_t errlen)
{
	struct dsr_conf *next = malloc(sizeof(*next));

	if (next == NULL)
		snprintf(err, errlen, "out of memory");
	else
		memcpy(next, lb->conf, sizeof(*next));
	return next;
}

int
dsr_lb_apply_cmd(struct dsr_lb *lb, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	const struct dsr_cmd_spec *spec = dsr_cmd_spec_of(cmd->id);
	struct dsr_conf *next;

	if (spec != NULL && (spec->flags & DSR_CMD_F_STARTUP)) {
		snprintf(err, errlen, "'%s' can only be set in the config file at start",
			 spec->words);
		return -1;
	}
	next = lb_conf_copy(lb, err, errlen);
	if (next == NULL)
		return -1;
	if (dsr_conf_apply(next, cmd, err, errlen) != 0) {
		free(next);
		return -1;
	}
	return lb_commit(lb, next, err, errlen);
}

int
dsr_lb_apply(struct dsr_lb *lb, const char *line, char *err, size_t errlen)
{
	struct dsr_cmd cmd;
	int ret = dsr_cmd_parse(line, &cmd, err, errlen);

	return ret <= 0 ? ret : dsr_lb_apply_cmd(lb, &cmd, err, errlen);
}

/* Apply one command of a reload to next; on error say which. */
static int
reload_step(struct dsr_conf *next, const struct dsr_cmd *cmd, unsigned int *changes, char *err,
	    size_t errlen)
{
	char line[2 * DSR_CMD_ERR_MAX], why[DSR_CMD_ERR_MAX];

	if (dsr_conf_apply(next, cmd, why, sizeof(why)) == 0) {
		(*changes)++;
		return 0;
	}
	dsr_cmd_format(cmd, line, sizeof(line));
	snprintf(err, errlen, "'%s': %s", line, why);
	return -1;
}

/* The settings of a state as commands and lines (dsr_conf_settings()). */
#define LB_SETTINGS_MAX (DSR_MAX_PORTS + 32)
struct lb_settings {
	unsigned int n;
	struct dsr_cmd cmd[LB_SETTINGS_MAX];
	char line[LB_SETTINGS_MAX][128];
};

static int
lb_settings_add(void *arg, const struct dsr_cmd *cmd)
{
	struct lb_settings *s = arg;

	if (s->n == LB_SETTINGS_MAX)
		return -1;
	s->cmd[s->n] = *cmd;
	dsr_cmd_format(cmd, s->line[s->n], sizeof(s->line[s->n]));
	s->n++;
	return 0;
}

static bool
lb_settings_has(const struct lb_settings *s, const char *line)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->line[i], line) == 0)
			return true;
	return false;
}

/*
 * The settings the file changes (DSR_CMD_F_SETTING rows of the command
 * table): applied to next, or, for those read only at start
 * (DSR_CMD_F_STARTUP), kept at their running value with a warning.
 */
static int
reload_settings(struct dsr_conf *next, const struct dsr_conf *run, const struct dsr_conf *want,
		unsigned int *changes, char *err, size_t errlen)
{
	struct lb_settings *r = malloc(sizeof(*r)), *w = malloc(sizeof(*w));
	bool warned[DSR_CMD_NIDS] = {false};
	unsigned int i;
	int ret = -1;

	if (r == NULL || w == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	r->n = 0;
	w->n = 0;
	if (dsr_conf_settings(run, lb_settings_add, r) != 0 ||
	    dsr_conf_settings(want, lb_settings_add, w) != 0) {
		snprintf(err, errlen, "too many settings");
		goto out;
	}
	for (i = 0; i < w->n; i++) {
		if (lb_settings_has(r, w->line[i]))
			continue;
		if (dsr_cmd_spec_of(w->cmd[i].id)->flags & DSR_CMD_F_STARTUP) {
			dsr_log(DSR_LOG_WARNING,
				"reload: '%s' changes only at restart; keeping the running value",
				w->line[i]);
			warned[w->cmd[i].id] = true;
		} else if (reload_step(next, &w->cmd[i], changes, err, errlen) != 0)
			goto out;
	}
	/* A start-up setting the file no longer has (a port address). */
	for (i = 0; i < r->n; i++)
		if ((dsr_cmd_spec_of(r->cmd[i].id)->flags & DSR_CMD_F_STARTUP) &&
		    !warned[r->cmd[i].id] && !lb_settings_has(w, r->line[i]))
			dsr_log(DSR_LOG_WARNING,
				"reload: '%s' is gone from the file; it changes only at restart, "
				"keeping it",
				r->line[i]);
	ret = 0;
out:
	free(r);
	free(w);
	return ret;
}

static bool
backend_same_mac(const struct dsr_conf_backend *a, const struct dsr_conf_backend *b)
{
	return a->has_mac == b->has_mac && (!a->has_mac || dsr_mac_eq(a->mac, b->mac));
}

/* Each VIP's health check, where the file's differs (none where the file has none). */
static int
reload_checks(struct dsr_conf *next, const struct dsr_conf *want, unsigned int *changes, char *err,
	      size_t errlen)
{
	struct dsr_cmd cmd;
	unsigned int i;
	int v;

	for (i = 0; i < DSR_MAX_VIPS; i++) {
		if (!want->vips[i].used)
			continue;
		v = dsr_conf_find_vip(next, &want->vips[i].svc);
		if (v >= 0 && memcmp(&next->vips[v].check, &want->vips[i].check,
				     sizeof(want->vips[i].check)) == 0)
			continue;
		memset(&cmd, 0, sizeof(cmd));
		cmd.id = DSR_CMD_CHECK_SET;
		cmd.u.check.svc = want->vips[i].svc;
		cmd.u.check.check = want->vips[i].check;
		if (reload_step(next, &cmd, changes, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* A backend command's address: the backend's, of either family. */
static void
reload_backend_addr(struct dsr_cmd *cmd, const struct dsr_conf_backend *b)
{
	cmd->u.backend.family = b->family;
	cmd->u.backend.ip = b->ip;
	memcpy(cmd->u.backend.ip6, b->ip6, 16);
}

/* Deletions first (VIPs, then backends gone or whose MAC changed), then additions. */
static int
reload_diff(struct dsr_conf *next, const struct dsr_conf *want, unsigned int *changes, char *err,
	    size_t errlen)
{
	struct dsr_cmd cmd;
	unsigned int i;
	int v, b;

	for (i = 0; i < DSR_MAX_VIPS; i++) {
		if (!next->vips[i].used || dsr_conf_find_vip(want, &next->vips[i].svc) >= 0)
			continue;
		memset(&cmd, 0, sizeof(cmd));
		cmd.id = DSR_CMD_VIP_DEL;
		cmd.u.vip.svc = next->vips[i].svc;
		if (reload_step(next, &cmd, changes, err, errlen) != 0)
			return -1;
	}
	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		const struct dsr_conf_backend *nb = &next->backends[i];

		if (!nb->used)
			continue;
		v = dsr_conf_find_vip(want, &next->vips[nb->vip].svc);
		b = v < 0 ? -1
			  : dsr_conf_find_backend_addr(want, (uint16_t)v, nb->family, nb->ip,
						       nb->ip6);
		if (b >= 0 && backend_same_mac(nb, &want->backends[b]))
			continue;
		memset(&cmd, 0, sizeof(cmd));
		cmd.id = DSR_CMD_BACKEND_DEL;
		cmd.u.backend.svc = next->vips[nb->vip].svc;
		reload_backend_addr(&cmd, nb);
		if (reload_step(next, &cmd, changes, err, errlen) != 0)
			return -1;
	}
	/* A kept VIP whose routed flag changed keeps its backends (ARP/ND follow). */
	for (i = 0; i < DSR_MAX_VIPS; i++) {
		v = next->vips[i].used ? dsr_conf_find_vip(want, &next->vips[i].svc) : -1;
		if (v >= 0 && next->vips[i].routed != want->vips[v].routed) {
			next->vips[i].routed = want->vips[v].routed;
			(*changes)++;
		}
	}
	for (i = 0; i < DSR_MAX_VIPS; i++) {
		if (!want->vips[i].used || dsr_conf_find_vip(next, &want->vips[i].svc) >= 0)
			continue;
		memset(&cmd, 0, sizeof(cmd));
		cmd.id = DSR_CMD_VIP_ADD;
		cmd.u.vip.svc = want->vips[i].svc;
		cmd.u.vip.routed = want->vips[i].routed;
		if (reload_step(next, &cmd, changes, err, errlen) != 0)
			return -1;
	}
	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		const struct dsr_conf_backend *wb = &want->backends[i];

		if (!wb->used)
			continue;
		v = dsr_conf_find_vip(next, &want->vips[wb->vip].svc);
		b = v < 0 ? -1
			  : dsr_conf_find_backend_addr(next, (uint16_t)v, wb->family, wb->ip,
						       wb->ip6);
		if (b >= 0 && next->backends[b].weight == wb->weight)
			continue;
		memset(&cmd, 0, sizeof(cmd));
		cmd.id = b >= 0 ? DSR_CMD_BACKEND_SET : DSR_CMD_BACKEND_ADD;
		cmd.u.backend.svc = want->vips[wb->vip].svc;
		reload_backend_addr(&cmd, wb);
		cmd.u.backend.has_mac = wb->has_mac;
		memcpy(cmd.u.backend.mac, wb->mac, 6);
		cmd.u.backend.has_weight = true;
		cmd.u.backend.weight = wb->weight;
		if (reload_step(next, &cmd, changes, err, errlen) != 0)
			return -1;
	}
	return reload_checks(next, want, changes, err, errlen);
}

int
dsr_lb_reload(struct dsr_lb *lb, const char *path, unsigned int *changes, char *err, size_t errlen)
{
	struct dsr_conf *want, *next;

	*changes = 0;
	want = malloc(sizeof(*want));
	if (want == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	dsr_conf_init(want);
	if (dsr_conf_load_file(want, path, err, errlen) != 0) {
		free(want);
		return -1;
	}
	if (dsr_conf_check_reload(lb->conf, want, lb->allow_empty, err, errlen) != 0) {
		free(want);
		return -1;
	}
	next = lb_conf_copy(lb, err, errlen);
	if (next == NULL) {
		free(want);
		return -1;
	}
	if (reload_settings(next, lb->conf, want, changes, err, errlen) != 0 ||
	    reload_diff(next, want, changes, err, errlen) != 0) {
		free(want);
		free(next);
		*changes = 0;
		return -1;
	}
	free(want);
	if (*changes == 0) {
		free(next);
		return 0;
	}
	return lb_commit(lb, next, err, errlen);
}

void
dsr_lb_release_held(struct dsr_lb *lb)
{
	unsigned int i, w;
	uint64_t active;

	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		if (!lb->conf->backend_held[i])
			continue;
		active = 0;
		for (w = 0; w < lb->nb_workers; w++)
			active += DSR_CTR_GET(lb->workers[w]->fwd.st->backend[i].active);
		if (active == 0)
			lb->conf->backend_held[i] = false;
	}
}

int
dsr_lb_flush_start(struct dsr_lb *lb, const struct dsr_svc_key *svc, uint64_t *seq, char *err,
		   size_t errlen)
{
	if (svc != NULL && dsr_conf_find_vip(lb->conf, svc) < 0) {
		char s[48];

		snprintf(err, errlen, "VIP %s does not exist", dsr_svc_str(svc, s, sizeof(s)));
		return -1;
	}
	lb->flush_seq++;
	lb->flush_all = svc == NULL;
	memset(&lb->flush_svc, 0, sizeof(lb->flush_svc));
	if (svc != NULL)
		lb->flush_svc = *svc;
	*seq = lb->flush_seq;
	return dsr_lb_publish(lb, lb->conf, err, errlen);
}

bool
dsr_lb_flush_done(const struct dsr_lb *lb, uint64_t seq)
{
	unsigned int w;

	for (w = 0; w < lb->nb_workers; w++)
		if (__atomic_load_n(&lb->workers[w]->flush_done, __ATOMIC_ACQUIRE) < seq)
			return false;
	return true;
}
