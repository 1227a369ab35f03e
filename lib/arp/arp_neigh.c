/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Backend MAC resolution: one neighbour per backend IP (without a static
 * MAC), on the lowest-numbered port whose subnet holds it. The states and
 * their moves are dsr_neigh.h's (shared with lib/nd); here are ARP's
 * requests, learning from replies and log lines.
 *
 * A reply that names another MAC than the known one, while that one still
 * answers, is a claim: never learned (see arp_neigh_claim()).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_arp.h"
#include "dsr_log.h"
#include "dsr_pkt.h"
#include "arp_pvt.h"

static int
arp_neigh_cmp(const void *x, const void *y)
{
	const struct dsr_arp_neigh *nx = x, *ny = y;

	if (nx->ip != ny->ip)
		return nx->ip < ny->ip ? -1 : 1;
	return 0;
}

static struct dsr_arp_neigh *
arp_neigh_search(struct dsr_arp_neigh *neighs, unsigned int n, uint32_t ip)
{
	struct dsr_arp_neigh key = {.ip = ip};

	if (n == 0)
		return NULL;
	return bsearch(&key, neighs, n, sizeof(*neighs), arp_neigh_cmp);
}

/*
 * The neighbours of a new configuration, sorted by IP. Those that stay
 * (same IP on the same port) keep their state; new ones are INCOMPLETE
 * with a request due at now_ms. *changed is set if a neighbour that had a
 * MAC goes away (dsr_arp_lookup() no longer finds it).
 */
int
arp_neigh_build(const struct dsr_arp *a, const struct dsr_conf *conf, const struct arp_port *ports,
		uint16_t nb_ports, uint32_t now_ms, struct dsr_arp_neigh **out, unsigned int *n_out,
		bool *changed)
{
	struct dsr_arp_neigh *neighs;
	unsigned int n = 0, i, j;

	neighs = calloc(DSR_MAX_BACKENDS, sizeof(*neighs));
	if (neighs == NULL)
		return -1;
	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		const struct dsr_conf_backend *b = &conf->backends[i];
		uint16_t p;

		if (!b->used || b->has_mac || b->family != DSR_AF_IPV4)
			continue;
		for (p = 0; p < nb_ports; p++)
			if (arp_port_holds(&ports[p], b->ip))
				break;
		/* Outside every subnet (the config layer rejects it), or our own address. */
		if (p == nb_ports || b->ip == ports[p].ip)
			continue;
		neighs[n].ip = b->ip;
		neighs[n++].port = p;
	}
	if (n > 0)
		qsort(neighs, n, sizeof(*neighs), arp_neigh_cmp);
	for (i = 0, j = 0; i < n; i++) {
		struct dsr_arp_neigh *old;

		/* Backends of several VIPs with one IP share a neighbour. */
		if (j > 0 && neighs[j - 1].ip == neighs[i].ip)
			continue;
		old = arp_neigh_search(a->neighs, a->n_neighs, neighs[i].ip);
		if (old != NULL && old->port == neighs[i].port) {
			neighs[j] = *old;
		} else {
			neighs[j] = neighs[i];
			dsr_neigh_start(&neighs[j].sm, now_ms);
		}
		j++;
	}
	/* Old neighbours whose lookup result is not the same any more. */
	for (i = 0; i < a->n_neighs; i++) {
		const struct dsr_arp_neigh *o = &a->neighs[i];
		const struct dsr_arp_neigh *nw = arp_neigh_search(neighs, j, o->ip);

		if (dsr_neigh_lookup_differs(&o->sm, nw == NULL ? NULL : &nw->sm))
			*changed = true;
	}
	*out = neighs;
	*n_out = j;
	return 0;
}

static struct dsr_neigh_timing
arp_timing(const struct dsr_arp *a)
{
	return (struct dsr_neigh_timing){a->p.refresh_ms, a->p.retry_ms, a->p.max_tries};
}

static struct dsr_arp_neigh *
arp_neigh_of(struct dsr_neigh_sm *sm)
{
	return (struct dsr_arp_neigh *)((char *)sm - offsetof(struct dsr_arp_neigh, sm));
}

/* A request for n's IP: broadcast, or unicast to the MAC we know (PROBING). */
static void
arp_neigh_request(void *ctx, struct dsr_neigh_sm *sm, bool unicast)
{
	struct dsr_arp *a = ctx;
	const struct dsr_arp_neigh *n = arp_neigh_of(sm);

	arp_send(a, n->port, NULL, unicast ? sm->mac : arp_mac_bcast, ARP_OP_REQUEST,
		 a->ports[n->port].ip, arp_mac_zero, n->ip);
	arp_count(a, n->port, DSR_ARP_REQ_SENT);
}

static void
arp_neigh_failed(void *ctx, struct dsr_neigh_sm *sm)
{
	const struct dsr_arp_neigh *n = arp_neigh_of(sm);
	char ip[16];

	arp_log(ctx, DSR_LOG_WARNING,
		"port %u: backend %s does not answer ARP (%u tries); no new flows go to it",
		n->port, dsr_ip_str(n->ip, ip), sm->tries);
}

static void
arp_neigh_unconfirmed(void *ctx, struct dsr_neigh_sm *sm)
{
	const struct dsr_arp_neigh *n = arp_neigh_of(sm);
	char ip[16], m[18];

	arp_log(ctx, DSR_LOG_WARNING,
		"port %u: backend %s does not answer at %s any more (%u tries); asking who has it",
		n->port, dsr_ip_str(n->ip, ip), dsr_mac_str(sm->mac, m), sm->tries);
}

static const struct dsr_neigh_ops arp_neigh_ops = {
	.request = arp_neigh_request,
	.unconfirmed = arp_neigh_unconfirmed,
	.failed = arp_neigh_failed,
};

void
arp_neigh_tick(struct dsr_arp *a, uint32_t now_ms)
{
	struct dsr_neigh_timing t = arp_timing(a);
	unsigned int i;

	for (i = 0; i < a->n_neighs; i++) {
		struct dsr_neigh_sm *n = &a->neighs[i].sm;

		dsr_neigh_claim_expire(n, now_ms, DSR_ARP_DEFEND_MS);
		if (arp_due(now_ms, n->next_ms) && dsr_neigh_step(n, &t, now_ms, &arp_neigh_ops, a))
			a->changed = true;
		arp_wake(a, n->next_ms);
	}
}

/* Does f answer a request of ours from port (to its address and MAC)? */
static bool
arp_neigh_to_us(const struct arp_port *pt, const struct arp_frame *f)
{
	return pt->has_addr && f->tpa == pt->ip && dsr_mac_eq(f->tha, pt->mac) &&
	       dsr_mac_eq(f->eth_dst, pt->mac);
}

/*
 * Reply f names another MAC than n's, which still answers: a claim. It is
 * counted, logged (once per DSR_ARP_DEFEND_MS per backend) and recorded,
 * never learned. If it answers our refresh, the known MAC is confirmed
 * with unicast requests before anything else is believed (PROBING).
 */
static void
arp_neigh_claim(struct dsr_arp *a, struct dsr_arp_neigh *n, const struct arp_frame *f, bool to_us,
		uint32_t now_ms)
{
	char ip[16], m1[18], m2[18];

	arp_count(a, n->port, DSR_ARP_CONFLICT_BACKEND);
	if (dsr_neigh_claim_log(&n->sm, now_ms, DSR_ARP_DEFEND_MS))
		arp_log(a, DSR_LOG_WARNING,
			"port %u: MAC address %s claims backend address %s (known at %s)", n->port,
			dsr_mac_str(f->sha, m1), dsr_ip_str(n->ip, ip), dsr_mac_str(n->sm.mac, m2));
	arp_conflict_record(a, n->port, n->ip, f->sha, DSR_CONFLICT_BACKEND, now_ms);
	if (dsr_neigh_probe_known(&n->sm, f->sha, to_us, now_ms)) {
		arp_neigh_request(a, &n->sm, true);
		dsr_neigh_sent(&n->sm);
		n->sm.next_ms = now_ms + a->p.retry_ms;
		arp_wake(a, n->sm.next_ms);
	}
}

/*
 * A reply (already known not to conflict with our addresses) on port:
 * learn from it if it answers one of our requests. True if learned.
 */
bool
arp_neigh_learn(struct dsr_arp *a, uint16_t port, const struct arp_frame *f, uint32_t now_ms)
{
	struct dsr_neigh_timing t = arp_timing(a);
	struct dsr_arp_neigh *n;
	struct dsr_neigh_sm *sm;
	char ip[16], m1[18], m2[18];
	bool to_us;

	n = arp_neigh_search(a->neighs, a->n_neighs, f->spa);
	if (n == NULL || n->port != port)
		return false;
	sm = &n->sm;
	to_us = arp_neigh_to_us(&a->ports[port], f);
	switch (dsr_neigh_judge(sm, f->sha, to_us, now_ms)) {
	case DSR_NEIGH_CLAIM:
		arp_neigh_claim(a, n, f, to_us, now_ms);
		return false;
	case DSR_NEIGH_IGNORE:
		return false;
	default:
		break;
	}
	dsr_ip_str(n->ip, ip);
	if (!sm->has_mac) {
		arp_log(a, DSR_LOG_INFO, "port %u: backend %s is at %s", port, ip,
			dsr_mac_str(f->sha, m1));
	} else {
		if (!dsr_mac_eq(sm->mac, f->sha))
			arp_log(a, DSR_LOG_WARNING, "port %u: backend %s changed MAC from %s to %s",
				port, ip, dsr_mac_str(sm->mac, m1), dsr_mac_str(f->sha, m2));
		if (sm->state == DSR_NEIGH_FAILED)
			arp_log(a, DSR_LOG_INFO, "port %u: backend %s answers ARP again at %s",
				port, ip, dsr_mac_str(f->sha, m1));
	}
	if (dsr_neigh_learn(sm, f->sha, &t, now_ms))
		a->changed = true;
	arp_wake(a, sm->next_ms);
	return true;
}

enum dsr_mac_lookup
dsr_arp_lookup(const struct dsr_arp *a, uint32_t ip, uint8_t mac[6])
{
	struct dsr_arp_neigh *n = arp_neigh_search(a->neighs, a->n_neighs, ip);

	if (n == NULL)
		return DSR_MAC_PENDING;
	if (n->sm.has_mac)
		memcpy(mac, n->sm.mac, 6);
	return dsr_neigh_usable(&n->sm);
}

const struct dsr_arp_neigh *
dsr_arp_neighbours(const struct dsr_arp *a, unsigned int *n)
{
	*n = a->n_neighs;
	return a->neighs;
}
