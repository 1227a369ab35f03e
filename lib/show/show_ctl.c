/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's commands: parse the line with the one grammar
 * (lib/cmd), refuse changing commands on the read-only socket, apply
 * changes through dsr_lb_apply_cmd() (build, publish, RCU), and answer
 * show commands as rows. Runs on the main lcore only.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_ctl.h"
#include "dsr_lb.h"
#include "dsr_log.h"
#include "show_pvt.h"

/* What a streaming request keeps between calls. */
struct show_req_state {
	struct dsr_cmd cmd;
	struct show_rows rows;       /* show stats, show nd, show conflicts */
	struct show_conns_walk walk; /* show conns, conns flush */
	unsigned int next;           /* show vips/backends/help: next id */
};

static void
rows_timeouts(const struct dsr_lb *lb, struct dsr_ctl_out *out)
{
	unsigned int k;

	dsr_ctl_row_begin(out, "timeouts");
	for (k = 0; k < DSR_TIMEOUT_NKINDS; k++)
		dsr_ctl_kv_u64(out, dsr_timeout_name(k), lb->conf->timeout_s[k]);
	dsr_ctl_row_end(out);
}

static void
rows_ports(const struct dsr_lb *lb, struct dsr_ctl_out *out)
{
	const struct dsr_conf_port *cp;
	const struct dsr_lb_kif *k;
	char kind[16], mac[DSR_MAC_STR_LEN], addr[DSR_IP6_STR_LEN + 4], ip[DSR_IP6_STR_LEN];
	uint16_t p;

	for (p = 0; p < lb->nb_ports; p++) {
		cp = &lb->conf->ports[p];
		snprintf(kind, sizeof(kind), "port %u", p);
		dsr_ctl_row_begin(out, kind);
		dsr_ctl_kv_str(out, "name", lb->ports[p].name);
		dsr_ctl_kv_str(out, "driver", lb->ports[p].driver);
		dsr_ctl_kv_str(out, "mac", dsr_mac_str(lb->ports[p].mac, mac));
		if (cp->has_addr)
			snprintf(addr, sizeof(addr), "%s/%u", dsr_ip_str(cp->ip, ip),
				 cp->prefix_len);
		dsr_ctl_kv_str(out, "address", cp->has_addr ? addr : "none");
		if (cp->has_addr6)
			snprintf(addr, sizeof(addr), "%s/%u", dsr_ip6_str(cp->ip6, ip),
				 cp->prefix6);
		dsr_ctl_kv_str(out, "address6", cp->has_addr6 ? addr : "none");
		k = dsr_lb_kernel_if(lb, p);
		dsr_ctl_kv_str(out, "kernel-interface", k != NULL ? k->name : "none");
		dsr_ctl_kv_str(out, "kernel-driver", k != NULL ? dsr_lb_kif_driver(k) : "none");
		dsr_ctl_kv_str(out, "kernel-state",
			       k == NULL                    ? "none"
			       : dsr_lb_kernel_if_up(lb, p) ? "up"
							    : "down");
		dsr_ctl_kv_u64(out, "rxq", lb->ports[p].nb_rxq);
		dsr_ctl_kv_u64(out, "txq", lb->ports[p].nb_txq);
		dsr_ctl_kv_str(out, "spread", dsr_port_spread_name(lb->ports[p].spread));
		dsr_ctl_kv_u64(out, "socket", (uint64_t)lb->ports[p].socket);
		dsr_ctl_row_end(out);
	}
}

static void
rows_workers(const struct dsr_lb *lb, struct dsr_ctl_out *out)
{
	char kind[16], queues[DSR_WORKER_MAX_RXQ * 12];
	unsigned int i, q;
	size_t used;

	for (i = 0; i < lb->nb_workers; i++) {
		const struct dsr_worker *w = lb->workers[i];

		used = 0;
		queues[0] = '\0';
		for (q = 0; q < w->nb_rxq && used < sizeof(queues); q++)
			used += (size_t)snprintf(queues + used, sizeof(queues) - used, "%s%u/%u",
						 q ? "," : "", w->rxq[q].port, w->rxq[q].queue);
		snprintf(kind, sizeof(kind), "worker %u", i);
		dsr_ctl_row_begin(out, kind);
		dsr_ctl_kv_u64(out, "lcore", w->lcore);
		dsr_ctl_kv_u64(out, "socket", (uint64_t)lb->numa.worker_socket[i]);
		dsr_ctl_kv_str(out, "rx-queues", w->nb_rxq ? queues : "none");
		dsr_ctl_kv_u64(out, "tx-queue", w->txq);
		dsr_ctl_kv_u64(out, "conns", dsr_ct_count(w->fwd.ct));
		dsr_ctl_kv_u64(out, "capacity", dsr_ct_capacity(w->fwd.ct));
		dsr_ctl_kv_u64(out, "conns6", w->fwd.ct6 ? dsr_ct6_count(w->fwd.ct6) : 0);
		dsr_ctl_kv_u64(out, "capacity6", w->fwd.ct6 ? dsr_ct6_capacity(w->fwd.ct6) : 0);
		/* Read while the worker writes it: a whole word, maybe a moment old. */
		dsr_ctl_kv_u64(out, "frags", w->fwd.frag ? dsr_frag_count(w->fwd.frag) : 0);
		dsr_ctl_kv_u64(out, "frag-capacity",
			       w->fwd.frag ? dsr_frag_capacity(w->fwd.frag) : 0);
		dsr_ctl_row_end(out);
	}
}

/* The backend's state as an operator reads it. */
static const char *
backend_state(const struct dsr_lb *lb, const struct dsr_conf_backend *cb)
{
	uint8_t mac[6];

	if (!cb->has_mac && show_backend_lookup(lb, cb, mac) != DSR_MAC_OK)
		return show_backend_arp(lb, cb); /* "failed" or "unresolved" */
	if (!dsr_health_in_service(dsr_lb_health_of(lb, (unsigned int)(cb - lb->conf->backends))))
		return lb->health->vip[cb->vip].panic ? "panic" : "down";
	return cb->weight == 0 ? "draining" : "up";
}

/* show checks: one row per VIP. */
static void
rows_checks(const struct dsr_lb *lb, struct dsr_ctl_out *out)
{
	char kind[8 + DSR_SVC_STR_LEN], svc[DSR_SVC_STR_LEN], ms[16];
	unsigned int i;

	for (i = 0; i < DSR_MAX_VIPS; i++) {
		const struct dsr_check *k = &lb->conf->vips[i].check;

		if (!lb->conf->vips[i].used)
			continue;
		snprintf(kind, sizeof(kind), "check %s",
			 dsr_svc_str(&lb->conf->vips[i].svc, svc, sizeof(svc)));
		dsr_ctl_row_begin(out, kind);
		dsr_ctl_kv_str(out, "kind", dsr_check_kind_name((enum dsr_check_kind)k->kind));
		if (k->kind != DSR_CHECK_NONE) {
			if (k->kind == DSR_CHECK_HTTP) {
				dsr_ctl_kv_str(out, "path", k->path);
				dsr_ctl_kv_u64(out, "expect", k->expect);
			}
			dsr_ctl_kv_u64(out, "port",
				       k->port != 0 ? k->port : ntohs(lb->conf->vips[i].svc.port));
			dsr_ctl_kv_str(out, "interval", dsr_ms_str(k->interval_ms, ms, sizeof(ms)));
			dsr_ctl_kv_str(out, "timeout", dsr_ms_str(k->timeout_ms, ms, sizeof(ms)));
			dsr_ctl_kv_u64(out, "rise", k->rise);
			dsr_ctl_kv_u64(out, "fall", k->fall);
		}
		dsr_ctl_kv_u64(out, "panic", k->panic);
		dsr_ctl_kv_str(out, "panicking", lb->health->vip[i].panic ? "yes" : "no");
		dsr_ctl_kv_u64(out, "panics", lb->health->vip[i].panics);
		dsr_ctl_row_end(out);
	}
}

/* A backend's health: state, last result, its latency, time in state. */
static void
kv_health(const struct dsr_lb *lb, unsigned int b, struct dsr_ctl_out *out)
{
	const struct dsr_health_be *h = dsr_lb_health_of(lb, b);
	char why[DSR_HEALTH_WHY_MAX], *p;

	/* One word, so that the text format stays KEY VALUE pairs. */
	snprintf(why, sizeof(why), "%s", h->why);
	for (p = why; *p != '\0'; p++)
		if (*p == ' ')
			*p = '-';
	dsr_ctl_kv_str(out, "health", dsr_health_name((enum dsr_health)h->state));
	dsr_ctl_kv_str(out, "last-check", dsr_health_result_name((enum dsr_health_result)h->last));
	if (h->last == DSR_HEALTH_RES_FAIL)
		dsr_ctl_kv_str(out, "last-failure", why);
	dsr_ctl_kv_dbl(out, "check-ms", h->latency_us / 1000.0);
	dsr_ctl_kv_u64(out, "health-for-s", (dsr_lb_now_ms(lb) - h->since_ms) / 1000);
}

/* show vips / show backends [SVC]: one row per id, streamed. */
static enum dsr_ctl_result
rows_objects(const struct dsr_lb *lb, struct show_req_state *st, struct dsr_ctl_out *out)
{
	bool vips = st->cmd.id == DSR_CMD_SHOW_VIPS;
	unsigned int n = vips ? DSR_MAX_VIPS : DSR_MAX_BACKENDS;
	const struct dsr_gen *g = dsr_pub_gen(&lb->pub);
	struct dsr_stats_lcore *s;
	char kind[16 + DSR_SVC_STR_LEN + DSR_IP6_STR_LEN], svc[DSR_SVC_STR_LEN];
	char ip[DSR_IP6_STR_LEN], mac[DSR_MAC_STR_LEN];
	int filter = -1;

	if (!vips && st->cmd.u.show.has_svc) {
		filter = dsr_conf_find_vip(lb->conf, &st->cmd.u.show.svc);
		if (filter < 0) {
			dsr_ctl_error(out, "VIP %s does not exist",
				      dsr_svc_str(&st->cmd.u.show.svc, svc, sizeof(svc)));
			return DSR_CTL_FAIL;
		}
	}
	s = show_stats_snapshot(lb, out);
	if (s == NULL)
		return DSR_CTL_FAIL;
	for (; st->next < n; st->next++) {
		unsigned int i = st->next;
		const struct dsr_conf_backend *cb = &lb->conf->backends[i];
		uint32_t slots = g->maglev_slots[i];

		if (dsr_ctl_queued(out) > DSR_CTL_CHUNK) {
			free(s);
			return DSR_CTL_MORE;
		}
		if (vips) {
			if (!lb->conf->vips[i].used)
				continue;
			show_row_vip(lb, s, i, out);
			continue;
		}
		if (!cb->used || (filter >= 0 && cb->vip != filter))
			continue;
		dsr_svc_str(&lb->conf->vips[cb->vip].svc, svc, sizeof(svc));
		snprintf(kind, sizeof(kind), "backend %s %s", svc,
			 dsr_addr_str(cb->family, cb->ip, cb->ip6, ip));
		dsr_ctl_row_begin(out, kind);
		dsr_ctl_kv_str(out, "state", backend_state(lb, cb));
		kv_health(lb, i, out);
		dsr_ctl_kv_str(out, "mac", show_backend_mac(lb, cb, mac));
		dsr_ctl_kv_str(out, "arp", show_backend_arp(lb, cb));
		dsr_ctl_kv_u64(out, "weight", cb->weight);
		dsr_ctl_kv_u64(out, "slots", slots);
		dsr_ctl_kv_dbl(out, "share", 100.0 * slots / g->maglev_size);
		dsr_ctl_kv_u64(out, "active", s->backend[i].active);
		dsr_ctl_kv_u64(out, "new-conns", s->backend[i].new_conns);
		dsr_ctl_kv_u64(out, "syn-retries", s->backend[i].syn_retries);
		dsr_ctl_kv_u64(out, "pkts", s->backend[i].pkts);
		dsr_ctl_kv_u64(out, "bytes", s->backend[i].bytes);
		dsr_ctl_row_end(out);
	}
	free(s);
	return DSR_CTL_DONE;
}

static enum dsr_ctl_result
rows_help(const struct dsr_cmd *cmd, struct dsr_ctl_out *out)
{
	size_t tl = strlen(cmd->u.topic);
	const struct dsr_cmd_spec *t;
	unsigned int n, i, shown = 0;
	char line[512];

	t = dsr_cmd_table(&n);
	for (i = 0; i < n; i++) {
		if (tl > 0 && strncmp(t[i].words, cmd->u.topic, tl) != 0)
			continue;
		snprintf(line, sizeof(line), "%s%s%s", t[i].words, t[i].args[0] ? " " : "",
			 t[i].args);
		dsr_ctl_text(out, line);
		snprintf(line, sizeof(line), "    %s%s", t[i].help,
			 t[i].flags & DSR_CMD_F_STARTUP ? " (config file only, at start)" : "");
		dsr_ctl_text(out, line);
		shown++;
	}
	if (shown == 0) {
		dsr_ctl_error(out, "no command starts with '%s'", cmd->u.topic);
		return DSR_CTL_FAIL;
	}
	return DSR_CTL_DONE;
}

static enum dsr_ctl_result
rows_config(const struct dsr_lb *lb, struct dsr_ctl_out *out)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL || dsr_conf_dump(lb->conf, f) != 0) {
		if (f != NULL)
			fclose(f);
		free(buf);
		dsr_ctl_error(out, "cannot write the configuration");
		return DSR_CTL_FAIL;
	}
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		dsr_ctl_text(out, line);
	free(buf);
	return DSR_CTL_DONE;
}

/* A changing command: applied at once, logged with who asked. */
static enum dsr_ctl_result
run_change(struct dsr_lb *lb, const struct dsr_ctl_req *req, const struct dsr_cmd *cmd,
	   struct dsr_ctl_out *out)
{
	char err[DSR_CMD_ERR_MAX], line[2 * DSR_CMD_ERR_MAX];

	dsr_cmd_format(cmd, line, sizeof(line));
	if (dsr_lb_apply_cmd(lb, cmd, err, sizeof(err)) != 0) {
		dsr_ctl_error(out, "%s", err);
		return DSR_CTL_FAIL;
	}
	dsr_log(DSR_LOG_INFO, "control: uid %u pid %d: %s", (unsigned int)req->uid, (int)req->pid,
		line);
	return DSR_CTL_DONE;
}

/* vip withdraw / vip announce: the route of a VIP's address, logged with who asked. */
static enum dsr_ctl_result
h_withdraw(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
	   struct dsr_ctl_out *out)
{
	char err[DSR_CMD_ERR_MAX], line[2 * DSR_CMD_ERR_MAX];

	dsr_cmd_format(&st->cmd, line, sizeof(line));
	if (dsr_lb_vip_withdraw(lb, &st->cmd.u.vip.svc, st->cmd.id == DSR_CMD_VIP_WITHDRAW, err,
				sizeof(err)) != 0) {
		dsr_ctl_error(out, "%s", err);
		return DSR_CTL_FAIL;
	}
	dsr_log(DSR_LOG_INFO, "control: uid %u pid %d: %s", (unsigned int)req->uid, (int)req->pid,
		line);
	return DSR_CTL_DONE;
}

/* Handlers of the commands that take no more than the balancer and the command. */
static enum dsr_ctl_result
h_objects(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
	  struct dsr_ctl_out *out)
{
	(void)req;
	return rows_objects(lb, st, out);
}

static enum dsr_ctl_result
h_conns(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
	struct dsr_ctl_out *out)
{
	(void)req;
	return show_conns(lb, &st->cmd, &st->walk, out);
}

static enum dsr_ctl_result
h_flush(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
	struct dsr_ctl_out *out)
{
	return show_conns_flush(lb, req, &st->cmd, &st->walk, out);
}

static enum dsr_ctl_result
h_checks(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
	 struct dsr_ctl_out *out)
{
	(void)req;
	(void)st;
	rows_checks(lb, out);
	return DSR_CTL_DONE;
}

static enum dsr_ctl_result
h_timeouts(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
	   struct dsr_ctl_out *out)
{
	(void)req;
	(void)st;
	rows_timeouts(lb, out);
	return DSR_CTL_DONE;
}

static enum dsr_ctl_result
h_stats(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
	struct dsr_ctl_out *out)
{
	const struct dsr_cmd *cmd = &st->cmd;

	(void)req;
	if (cmd->u.show.prometheus)
		return show_prometheus(lb, cmd->u.show.section, &st->rows, out);
	return show_rows_stats(lb, cmd->u.show.section, &st->rows, out);
}

static enum dsr_ctl_result
h_arp(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
      struct dsr_ctl_out *out)
{
	(void)req;
	return show_rows_stats(lb, DSR_STATS_ARP, &st->rows, out);
}

/* show conflicts: ARP's, then neighbour discovery's (IPv6). */
static enum dsr_ctl_result
h_conflicts(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
	    struct dsr_ctl_out *out)
{
	static const uint8_t parts[] = {SHOW_NB_ARP_CONFLICTS, SHOW_NB_ND_CONFLICTS};

	(void)req;
	return show_rows_parts(lb, parts, sizeof(parts), &st->rows, out);
}

/* show nd: neighbour discovery's counters by port, neighbours and conflicts. */
static enum dsr_ctl_result
h_nd(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
     struct dsr_ctl_out *out)
{
	static const uint8_t parts[] = {SHOW_NB_ND_PORTS, SHOW_NB_ND_NEIGH, SHOW_NB_ND_CONFLICTS};

	(void)req;
	return show_rows_parts(lb, parts, sizeof(parts), &st->rows, out);
}

static enum dsr_ctl_result
h_ports(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
	struct dsr_ctl_out *out)
{
	(void)req;
	(void)st;
	rows_ports(lb, out);
	return DSR_CTL_DONE;
}

static enum dsr_ctl_result
h_workers(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
	  struct dsr_ctl_out *out)
{
	(void)req;
	(void)st;
	rows_workers(lb, out);
	return DSR_CTL_DONE;
}

static enum dsr_ctl_result
h_config(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
	 struct dsr_ctl_out *out)
{
	(void)req;
	(void)st;
	return rows_config(lb, out);
}

static enum dsr_ctl_result
h_help(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
       struct dsr_ctl_out *out)
{
	(void)lb;
	(void)req;
	return rows_help(&st->cmd, out);
}

static enum dsr_ctl_result
h_change(struct dsr_lb *lb, const struct dsr_ctl_req *req, struct show_req_state *st,
	 struct dsr_ctl_out *out)
{
	return run_change(lb, req, &st->cmd, out);
}

typedef enum dsr_ctl_result (*show_handler_fn)(struct dsr_lb *lb, const struct dsr_ctl_req *req,
					       struct show_req_state *st, struct dsr_ctl_out *out);

/*
 * The control socket's handler of each row of the command table (lib/cmd
 * holds the words, usage, flags and parser of the same id): every
 * configuration command is a change through dsr_lb_apply_cmd(). The unit
 * test show_table checks that every id has one.
 */
static const show_handler_fn show_handlers[DSR_CMD_NIDS] = {
	[DSR_CMD_PORT_ADDRESS] = h_change,
	[DSR_CMD_PORT_KERNEL_IF] = h_change,
	[DSR_CMD_VIP_ADD] = h_change,
	[DSR_CMD_VIP_DEL] = h_change,
	[DSR_CMD_VIP_WITHDRAW] = h_withdraw,
	[DSR_CMD_VIP_ANNOUNCE] = h_withdraw,
	[DSR_CMD_BACKEND_ADD] = h_change,
	[DSR_CMD_BACKEND_DEL] = h_change,
	[DSR_CMD_BACKEND_SET] = h_change,
	[DSR_CMD_CHECK_SET] = h_change,
	[DSR_CMD_SHOW_CHECKS] = h_checks,
	[DSR_CMD_TIMEOUT_SET] = h_change,
	[DSR_CMD_CONNTRACK_SIZE] = h_change,
	[DSR_CMD_CONNTRACK_SIZE6] = h_change,
	[DSR_CMD_STRICT_SYN] = h_change,
	[DSR_CMD_ICMP_FORWARD] = h_change,
	[DSR_CMD_ICMP_RATE] = h_change,
	[DSR_CMD_MAGLEV_SIZE] = h_change,
	[DSR_CMD_ARP_ANNOUNCE] = h_change,
	[DSR_CMD_ARP_REFRESH] = h_change,
	[DSR_CMD_ANNOUNCE_TABLE] = h_change,
	[DSR_CMD_SHOW_VIPS] = h_objects,
	[DSR_CMD_SHOW_BACKENDS] = h_objects,
	[DSR_CMD_SHOW_CONNS] = h_conns,
	[DSR_CMD_CONNS_FLUSH] = h_flush,
	[DSR_CMD_SHOW_TIMEOUTS] = h_timeouts,
	[DSR_CMD_SHOW_STATS] = h_stats,
	[DSR_CMD_SHOW_ARP] = h_arp,
	[DSR_CMD_SHOW_ND] = h_nd,
	[DSR_CMD_SHOW_CONFLICTS] = h_conflicts,
	[DSR_CMD_SHOW_PORTS] = h_ports,
	[DSR_CMD_SHOW_WORKERS] = h_workers,
	[DSR_CMD_SHOW_CONFIG] = h_config,
	[DSR_CMD_HELP] = h_help,
};

bool
dsr_show_handles(enum dsr_cmd_id id)
{
	return (unsigned int)id < DSR_CMD_NIDS && show_handlers[id] != NULL;
}

enum dsr_ctl_result
dsr_show_ctl_handle(void *arg, const struct dsr_ctl_req *req, struct dsr_ctl_out *out, void **state)
{
	struct dsr_lb *lb = arg;
	struct show_req_state *st = *state;
	const struct dsr_cmd_spec *spec;
	enum dsr_ctl_result r;
	char err[DSR_CMD_ERR_MAX];
	int rc;

	if (st == NULL) {
		st = calloc(1, sizeof(*st));
		if (st == NULL) {
			dsr_ctl_error(out, "out of memory");
			return DSR_CTL_FAIL;
		}
		rc = dsr_cmd_parse(req->line, &st->cmd, err, sizeof(err));
		if (rc != 1) {
			free(st);
			/* 0: a blank or comment line, for which err says nothing. */
			dsr_ctl_error(out, "%s", rc == 0 ? "empty command" : err);
			return DSR_CTL_FAIL;
		}
		spec = dsr_cmd_spec_of(st->cmd.id);
		if (!dsr_show_handles(st->cmd.id)) {
			free(st);
			dsr_ctl_error(out, "'%s' has no handler", spec->words);
			return DSR_CTL_FAIL;
		}
		if (req->read_only && !(spec->flags & DSR_CMD_F_READONLY)) {
			free(st);
			dsr_ctl_error(out, "read-only socket: '%s' changes the configuration",
				      spec->words);
			return DSR_CTL_FAIL;
		}
		*state = st;
	}
	r = show_handlers[st->cmd.id](lb, req, st, out);
	if (r != DSR_CTL_MORE) {
		free(st);
		*state = NULL;
	}
	return r;
}

void
dsr_show_ctl_cancel(void *arg, void *state)
{
	(void)arg;
	free(state);
}
