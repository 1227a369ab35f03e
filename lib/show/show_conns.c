/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * show conns: walk every worker's table with the lock-free reader
 * (dsr_ct_walk), a few buckets at a time, streaming rows; the workers
 * never wait. conns flush: publish the request with a new generation and
 * answer once every worker has removed its matching entries.
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

static int
conns_row(void *arg, const struct dsr_ct_entry *e)
{
	struct conns_ctx *c = arg;
	const struct dsr_svc_key *f = &c->cmd->u.show.svc;
	const struct dsr_conf_backend *cb;
	struct dsr_svc_key svc;
	char addr[24], ip[16], s[48];

	if (c->cmd->u.show.has_svc &&
	    (e->dst_ip != f->ip || e->dst_port != f->port || dsr_ct_entry_proto(e) != f->proto))
		return 0;
	svc.ip = e->dst_ip;
	svc.port = e->dst_port;
	svc.proto = dsr_ct_entry_proto(e);
	svc.family = DSR_AF_IPV4;
	memset(svc.ip6, 0, sizeof(svc.ip6));
	cb = &c->lb->conf->backends[e->backend];
	dsr_ctl_row_begin(c->out, "conn");
	dsr_ctl_kv_u64(c->out, "worker", c->walk->worker);
	snprintf(addr, sizeof(addr), "%s:%u", dsr_ip_str(e->src_ip, ip),
		 (unsigned int)ntohs(e->src_port));
	dsr_ctl_kv_str(c->out, "client", addr);
	dsr_ctl_kv_str(c->out, "vip", dsr_svc_str(&svc, s, sizeof(s)));
	dsr_ctl_kv_str(c->out, "backend", cb->used ? dsr_ip_str(cb->ip, ip) : "removed");
	dsr_ctl_kv_str(c->out, "state",
		       dsr_ct_entry_state(e) < DSR_CT_NSTATES ? state_names[dsr_ct_entry_state(e)]
							      : "?");
	/* The worker may touch the entry after this walk read the clock. */
	dsr_ctl_kv_u64(c->out, "idle-ms",
		       (int32_t)(c->now - e->last_seen) > 0 ? (uint32_t)(c->now - e->last_seen)
							    : 0);
	dsr_ctl_row_end(c->out);
	c->walk->shown++;
	return c->cmd->u.show.limit != 0 && c->walk->shown >= c->cmd->u.show.limit;
}

enum dsr_ctl_result
show_conns(const struct dsr_lb *lb, const struct dsr_cmd *cmd, struct show_conns_walk *w,
	   struct dsr_ctl_out *out)
{
	struct conns_ctx c = {lb, cmd, out, w, dsr_lb_now_ms(lb)};
	char s[48];

	if (cmd->u.show.has_svc && dsr_conf_find_vip(lb->conf, &cmd->u.show.svc) < 0) {
		dsr_ctl_error(out, "VIP %s does not exist",
			      dsr_svc_str(&cmd->u.show.svc, s, sizeof(s)));
		return DSR_CTL_FAIL;
	}
	while (w->worker < lb->nb_workers) {
		const struct dsr_ct *ct = lb->workers[w->worker]->fwd.ct;

		if (dsr_ctl_queued(out) > DSR_CTL_CHUNK)
			return DSR_CTL_MORE;
		if (dsr_ct_walk(ct, &w->cursor, CONNS_BUCKETS_PER_STEP, conns_row, &c) != 0)
			break; /* the limit is reached */
		if (w->cursor >= dsr_ct_buckets(ct)) {
			w->worker++;
			w->cursor = 0;
		}
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
