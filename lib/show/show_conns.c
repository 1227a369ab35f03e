/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * show conns: walk every worker's tables with the lock-free readers
 * (dsr_ct_walk, then dsr_ct6_walk for its IPv6 table), a few buckets at
 * a time, streaming rows; the workers never wait. conns flush: publish
 * the request with a new generation and answer once every worker has
 * removed its matching entries (the workers do the removing: lib/worker).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dsr_ctl.h"
#include "dsr_lb.h"
#include "show_pvt.h"

#define CONNS_BUCKETS_PER_STEP 64
#define FLUSH_TIMEOUT_MS       10000

static const char *const state_names[DSR_CT_NSTATES] = {
	[DSR_CT_FREE] = "free", [DSR_CT_SYN] = "syn", [DSR_CT_EST] = "established",
	[DSR_CT_FIN] = "fin",   [DSR_CT_UDP] = "udp",
};

struct conns_ctx {
	const struct dsr_lb *lb;
	const struct dsr_cmd *cmd;
	struct dsr_ctl_out *out;
	struct show_conns_walk *walk;
	uint32_t now;
};

/*
 * One entry's row, from either table: the client as text, the service,
 * what lib/ct's helpers read of the entry (state, last_seen) and its
 * backend id. Non-zero when the limit is reached.
 */
static int
conns_emit(struct conns_ctx *c, const char *client, const struct dsr_svc_key *svc,
	   const struct dsr_ct_entry *e, uint16_t backend)
{
	const struct dsr_conf_backend *cb = &c->lb->conf->backends[backend];
	char ip[DSR_IP6_STR_LEN], s[DSR_SVC_STR_LEN];
	uint8_t state = dsr_ct_entry_state(e);

	dsr_ctl_row_begin(c->out, "conn");
	dsr_ctl_kv_u64(c->out, "worker", c->walk->worker);
	dsr_ctl_kv_str(c->out, "client", client);
	dsr_ctl_kv_str(c->out, "vip", dsr_svc_str(svc, s, sizeof(s)));
	dsr_ctl_kv_str(c->out, "backend",
		       cb->used ? dsr_addr_str(cb->family, cb->ip, cb->ip6, ip) : "removed");
	dsr_ctl_kv_str(c->out, "state", state < DSR_CT_NSTATES ? state_names[state] : "?");
	/* The worker may touch the entry after this walk read the clock. */
	dsr_ctl_kv_u64(c->out, "idle-ms",
		       (int32_t)(c->now - e->last_seen) > 0 ? (uint32_t)(c->now - e->last_seen)
							    : 0);
	dsr_ctl_row_end(c->out);
	c->walk->shown++;
	return c->cmd->u.show.limit != 0 && c->walk->shown >= c->cmd->u.show.limit;
}

static int
conns_row(void *arg, const struct dsr_ct_entry *e)
{
	struct conns_ctx *c = arg;
	const struct dsr_svc_key *f = &c->cmd->u.show.svc;
	struct dsr_svc_key svc;
	char client[DSR_IP_STR_LEN + 6], ip[DSR_IP_STR_LEN];

	if (c->cmd->u.show.has_svc && (f->family != DSR_AF_IPV4 || e->dst_ip != f->ip ||
				       e->dst_port != f->port || dsr_ct_entry_proto(e) != f->proto))
		return 0;
	memset(&svc, 0, sizeof(svc));
	svc.ip = e->dst_ip;
	svc.port = e->dst_port;
	svc.proto = dsr_ct_entry_proto(e);
	svc.family = DSR_AF_IPV4;
	snprintf(client, sizeof(client), "%s:%u", dsr_ip_str(e->src_ip, ip),
		 (unsigned int)ntohs(e->src_port));
	return conns_emit(c, client, &svc, e, e->backend);
}

/* An IPv6 entry: the client as [addr]:port. */
static int
conns_row6(void *arg, const struct dsr_ct6_entry *e)
{
	struct conns_ctx *c = arg;
	const struct dsr_svc_key *f = &c->cmd->u.show.svc;
	const struct dsr_ct_entry t = dsr_ct6_as_ct(e);
	struct dsr_svc_key svc;
	char client[DSR_IP6_STR_LEN + 8], ip[DSR_IP6_STR_LEN];

	if (c->cmd->u.show.has_svc &&
	    (f->family != DSR_AF_IPV6 || memcmp(e->dst_ip, f->ip6, 16) != 0 ||
	     e->dst_port != f->port || dsr_ct6_entry_proto(e) != f->proto))
		return 0;
	memset(&svc, 0, sizeof(svc));
	memcpy(svc.ip6, e->dst_ip, 16);
	svc.port = e->dst_port;
	svc.proto = dsr_ct6_entry_proto(e);
	svc.family = DSR_AF_IPV6;
	snprintf(client, sizeof(client), "[%s]:%u", dsr_ip6_str(e->src_ip, ip),
		 (unsigned int)ntohs(e->src_port));
	return conns_emit(c, client, &svc, &t, e->backend);
}

/*
 * One step of worker w's walk: its IPv4 table, then its IPv6 one (if it
 * has one). Only the table of the filter's family is walked. Non-zero
 * when the limit is reached; w->worker moves on when both are done.
 */
static int
conns_step(const struct dsr_lb *lb, struct conns_ctx *c, struct show_conns_walk *w)
{
	const struct dsr_fwd *fwd = &lb->workers[w->worker]->fwd;
	const struct dsr_svc_key *f = &c->cmd->u.show.svc;
	bool has_svc = c->cmd->u.show.has_svc;
	uint32_t buckets = 0;
	int rc = 0;

	if (!w->v6 && !(has_svc && f->family != DSR_AF_IPV4)) {
		rc = dsr_ct_walk(fwd->ct, &w->cursor, CONNS_BUCKETS_PER_STEP, conns_row, c);
		buckets = dsr_ct_buckets(fwd->ct);
	} else if (w->v6 && fwd->ct6 != NULL && !(has_svc && f->family != DSR_AF_IPV6)) {
		rc = dsr_ct6_walk(fwd->ct6, &w->cursor, CONNS_BUCKETS_PER_STEP, conns_row6, c);
		buckets = dsr_ct6_buckets(fwd->ct6);
	}
	if (rc != 0)
		return rc;
	if (w->cursor >= buckets) {
		w->cursor = 0;
		if (w->v6)
			w->worker++;
		w->v6 = !w->v6;
	}
	return 0;
}

enum dsr_ctl_result
show_conns(const struct dsr_lb *lb, const struct dsr_cmd *cmd, struct show_conns_walk *w,
	   struct dsr_ctl_out *out)
{
	struct conns_ctx c = {lb, cmd, out, w, dsr_lb_now_ms(lb)};
	char s[DSR_SVC_STR_LEN];

	if (cmd->u.show.has_svc && dsr_conf_find_vip(lb->conf, &cmd->u.show.svc) < 0) {
		dsr_ctl_error(out, "VIP %s does not exist",
			      dsr_svc_str(&cmd->u.show.svc, s, sizeof(s)));
		return DSR_CTL_FAIL;
	}
	while (w->worker < lb->nb_workers) {
		if (dsr_ctl_queued(out) > DSR_CTL_CHUNK)
			return DSR_CTL_MORE;
		if (conns_step(lb, &c, w) != 0)
			break; /* the limit is reached */
	}
	dsr_ctl_row_begin(out, "conns");
	dsr_ctl_kv_u64(out, "shown", w->shown);
	dsr_ctl_row_end(out);
	return DSR_CTL_DONE;
}

static uint64_t
flushed_so_far(const struct dsr_lb *lb)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < lb->nb_workers; i++)
		n += DSR_CTR_GET(lb->workers[i]->fwd.st->event[DSR_EV_CT_FLUSHED]);
	return n;
}

enum dsr_ctl_result
show_conns_flush(struct dsr_lb *lb, const struct dsr_ctl_req *req, const struct dsr_cmd *cmd,
		 struct show_conns_walk *w, struct dsr_ctl_out *out)
{
	char err[DSR_CMD_ERR_MAX];
	uint32_t now = dsr_lb_now_ms(lb);

	(void)req;
	if (!w->started) {
		/* One flush at a time: a second waits for the first. */
		if (!dsr_lb_flush_done(lb, lb->flush_seq))
			return DSR_CTL_MORE;
		w->flushed_before = flushed_so_far(lb);
		if (dsr_lb_flush_start(lb, cmd->u.show.has_svc ? &cmd->u.show.svc : NULL, &w->seq,
				       err, sizeof(err)) != 0) {
			dsr_ctl_error(out, "%s", err);
			return DSR_CTL_FAIL;
		}
		w->started = true;
		w->started_ms = now;
	}
	if (!dsr_lb_flush_done(lb, w->seq)) {
		if ((int32_t)(now - w->started_ms) < FLUSH_TIMEOUT_MS)
			return DSR_CTL_MORE;
		dsr_ctl_error(out, "the workers did not finish the flush in %u s",
			      FLUSH_TIMEOUT_MS / 1000);
		return DSR_CTL_FAIL;
	}
	dsr_ctl_row_begin(out, "flushed");
	dsr_ctl_kv_u64(out, "entries", flushed_so_far(lb) - w->flushed_before);
	dsr_ctl_row_end(out);
	return DSR_CTL_DONE;
}
