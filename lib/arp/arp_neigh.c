/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Backend MAC resolution: one neighbour per backend IP (without a static
 * MAC), on the lowest-numbered port whose subnet holds it.
 *
 *   INCOMPLETE  a request when next_ms comes, then every retry_ms; when
 *               the retry after the max_tries-th request comes due: FAILED.
 *   REACHABLE   when confirmed_ms + arp_refresh_due() comes: REFRESHING,
 *               and a request at once. The confirmation starts early
 *               enough (refresh_ms less max_tries * retry_ms, when the
 *               refresh is at least twice that) that a backend which
 *               stopped answering is FAILED within refresh_ms of its last
 *               confirmation.
 *   REFRESHING  like INCOMPLETE, but the MAC is still used.
 *   PROBING     an answer to a refresh named another MAC: requests go
 *               unicast to the known MAC (eth dst = it), every retry_ms,
 *               and the MAC is still used. Its answer makes it REACHABLE
 *               again; after max_tries unanswered ones it is REFRESHING
 *               with relearn set (broadcast requests whose first answer
 *               sets the MAC, whatever it is).
 *   FAILED      one request every max(5 * retry_ms, 1 s); not used for
 *               new flows (the MAC, if any, is kept).
 *
 * A reply moves any of INCOMPLETE, REFRESHING, PROBING and FAILED with a
 * request outstanding (tries > 0) to REACHABLE; see arp_neigh_learn().
 * A reply that names another MAC than the known one, while that one still
 * answers (REACHABLE, REFRESHING or PROBING, without relearn), is a claim:
 * never learned, so a host that answers for a backend's address cannot
 * take its traffic while the backend is up (see arp_neigh_claim()).
 */
#include <stdlib.h>
#include <string.h>

#include "dsr_arp.h"
#include "dsr_log.h"
#include "dsr_pkt.h"
#include "arp_pvt.h"

/* When to start confirming a neighbour, after a reply that confirmed it. */
static uint32_t
arp_refresh_due(const struct dsr_arp *a)
{
	uint32_t lead = a->p.max_tries * a->p.retry_ms;

	return a->p.refresh_ms >= 2 * lead ? a->p.refresh_ms - lead : a->p.refresh_ms;
}

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

/* What dsr_arp_lookup() says about n. */
static enum dsr_mac_lookup
arp_neigh_usable(const struct dsr_arp_neigh *n)
{
	if (!n->has_mac)
		return n->state == DSR_NEIGH_FAILED ? DSR_MAC_NEVER : DSR_MAC_PENDING;
	return n->state == DSR_NEIGH_FAILED ? DSR_MAC_LOST : DSR_MAC_OK;
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
			neighs[j].state = DSR_NEIGH_INCOMPLETE;
			neighs[j].next_ms = now_ms;
		}
		j++;
	}
	/* Old neighbours whose lookup result is not the same any more. */
	for (i = 0; i < a->n_neighs; i++) {
		const struct dsr_arp_neigh *o = &a->neighs[i];
		struct dsr_arp_neigh *nw = arp_neigh_search(neighs, j, o->ip);
		enum dsr_mac_lookup now = nw == NULL ? DSR_MAC_PENDING : arp_neigh_usable(nw);

		if (now != arp_neigh_usable(o) ||
		    (o->has_mac && nw != NULL && !dsr_mac_eq(o->mac, nw->mac)))
			*changed = true;
	}
	*out = neighs;
	*n_out = j;
	return 0;
}

static uint32_t
arp_failed_retry_ms(const struct dsr_arp *a)
{
	uint64_t ms = (uint64_t)a->p.retry_ms * ARP_FAILED_FACTOR;

	if (ms < ARP_FAILED_MIN_MS)
		ms = ARP_FAILED_MIN_MS;
	if (ms > ARP_MS_MAX)
		ms = ARP_MS_MAX;
	return (uint32_t)ms;
}

/* A request for n's IP: broadcast, or unicast to the MAC we know (PROBING). */
static void
arp_neigh_request(struct dsr_arp *a, struct dsr_arp_neigh *n, bool unicast)
{
	arp_send(a, n->port, NULL, unicast ? n->mac : arp_mac_bcast, ARP_OP_REQUEST,
		 a->ports[n->port].ip, arp_mac_zero, n->ip);
	arp_count(a, n->port, DSR_ARP_REQ_SENT);
	if (n->tries < ARP_TRIES_MAX)
		n->tries++;
}

static void
arp_neigh_fail(struct dsr_arp *a, struct dsr_arp_neigh *n, uint32_t now_ms)
{
	char ip[16];

	/* Usable, or pending (still in the Maglev table): the lookup changes. */
	if (arp_neigh_usable(n) == DSR_MAC_OK || arp_neigh_usable(n) == DSR_MAC_PENDING)
		a->changed = true;
	n->state = DSR_NEIGH_FAILED;
	n->relearn = 0;
	n->next_ms = now_ms + arp_failed_retry_ms(a);
	arp_log(a, DSR_LOG_WARNING,
		"port %u: backend %s does not answer ARP (%u tries); no new flows go to it",
		n->port, dsr_ip_str(n->ip, ip), n->tries);
}

/* PROBING and the known MAC did not answer: ask everyone; the next answer is taken. */
static void
arp_neigh_unconfirmed(struct dsr_arp *a, struct dsr_arp_neigh *n)
{
	char ip[16], m[18];

	arp_log(a, DSR_LOG_WARNING,
		"port %u: backend %s does not answer at %s any more (%u tries); asking who has it",
		n->port, dsr_ip_str(n->ip, ip), dsr_mac_str(n->mac, m), n->tries);
	n->state = DSR_NEIGH_REFRESHING;
	n->relearn = 1;
	n->tries = 0;
}

void
arp_neigh_tick(struct dsr_arp *a, uint32_t now_ms)
{
	unsigned int i;

	for (i = 0; i < a->n_neighs; i++) {
		struct dsr_arp_neigh *n = &a->neighs[i];

		if (n->claim_logged && now_ms - n->claim_ms >= DSR_ARP_DEFEND_MS)
			n->claim_logged =
				0; /* so that an old one never looks recent after a wrap */
		if (!arp_due(now_ms, n->next_ms)) {
			arp_wake(a, n->next_ms);
			continue;
		}
		switch (n->state) {
		case DSR_NEIGH_PROBING:
			if (n->tries < a->p.max_tries) {
				arp_neigh_request(a, n, true);
				n->next_ms = now_ms + a->p.retry_ms;
				break;
			}
			/* Unanswered: a broadcast request at once. */
			arp_neigh_unconfirmed(a, n);
			/* fallthrough */
		case DSR_NEIGH_REACHABLE:
			if (n->state == DSR_NEIGH_REACHABLE) {
				n->state = DSR_NEIGH_REFRESHING;
				n->tries = 0;
			}
			/* fallthrough */
		case DSR_NEIGH_INCOMPLETE:
		case DSR_NEIGH_REFRESHING:
			if (n->tries >= a->p.max_tries) {
				arp_neigh_fail(a, n, now_ms);
				break;
			}
			arp_neigh_request(a, n, false);
			n->next_ms = now_ms + a->p.retry_ms;
			break;
		default: /* FAILED */
			arp_neigh_request(a, n, false);
			n->next_ms = now_ms + arp_failed_retry_ms(a);
			break;
		}
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
	if (!n->claim_logged || now_ms - n->claim_ms >= DSR_ARP_DEFEND_MS) {
		n->claim_logged = 1;
		n->claim_ms = now_ms;
		arp_log(a, DSR_LOG_WARNING,
			"port %u: MAC address %s claims backend address %s (known at %s)", n->port,
			dsr_mac_str(f->sha, m1), dsr_ip_str(n->ip, ip), dsr_mac_str(n->mac, m2));
	}
	arp_conflict_record(a, n->port, n->ip, f->sha, DSR_CONFLICT_BACKEND, now_ms);
	if (to_us && n->state == DSR_NEIGH_REFRESHING && n->tries > 0) {
		n->state = DSR_NEIGH_PROBING;
		n->tries = 0;
		arp_neigh_request(a, n, true);
		n->next_ms = now_ms + a->p.retry_ms;
		arp_wake(a, n->next_ms);
	}
}

/*
 * A reply (already known not to conflict with our addresses) on port:
 * learn from it if it answers one of our requests. True if learned.
 */
bool
arp_neigh_learn(struct dsr_arp *a, uint16_t port, const struct arp_frame *f, uint32_t now_ms)
{
	const struct arp_port *pt = &a->ports[port];
	struct dsr_arp_neigh *n;
	char ip[16], m1[18], m2[18];
	bool to_us;
	enum dsr_mac_lookup before;

	n = arp_neigh_search(a->neighs, a->n_neighs, f->spa);
	if (n == NULL || n->port != port)
		return false;
	to_us = arp_neigh_to_us(pt, f);
	if (n->has_mac && !n->relearn && n->state != DSR_NEIGH_FAILED &&
	    !dsr_mac_eq(n->mac, f->sha)) {
		arp_neigh_claim(a, n, f, to_us, now_ms);
		return false;
	}
	if (n->state == DSR_NEIGH_REACHABLE || n->tries == 0 || !to_us)
		return false;

	before = arp_neigh_usable(n);
	dsr_ip_str(n->ip, ip);
	if (!n->has_mac) {
		arp_log(a, DSR_LOG_INFO, "port %u: backend %s is at %s", port, ip,
			dsr_mac_str(f->sha, m1));
	} else {
		if (!dsr_mac_eq(n->mac, f->sha))
			arp_log(a, DSR_LOG_WARNING, "port %u: backend %s changed MAC from %s to %s",
				port, ip, dsr_mac_str(n->mac, m1), dsr_mac_str(f->sha, m2));
		if (n->state == DSR_NEIGH_FAILED)
			arp_log(a, DSR_LOG_INFO, "port %u: backend %s answers ARP again at %s",
				port, ip, dsr_mac_str(f->sha, m1));
	}
	if (before != DSR_MAC_OK || !dsr_mac_eq(n->mac, f->sha))
		a->changed = true;
	memcpy(n->mac, f->sha, 6);
	n->has_mac = 1;
	n->state = DSR_NEIGH_REACHABLE;
	n->tries = 0;
	n->relearn = 0;
	n->confirmed_ms = now_ms;
	n->next_ms = now_ms + arp_refresh_due(a);
	arp_wake(a, n->next_ms);
	return true;
}

enum dsr_mac_lookup
dsr_arp_lookup(const struct dsr_arp *a, uint32_t ip, uint8_t mac[6])
{
	struct dsr_arp_neigh *n = arp_neigh_search(a->neighs, a->n_neighs, ip);

	if (n == NULL)
		return DSR_MAC_PENDING;
	if (n->has_mac)
		memcpy(mac, n->mac, 6);
	return arp_neigh_usable(n);
}

const struct dsr_arp_neigh *
dsr_arp_neighbours(const struct dsr_arp *a, unsigned int *n)
{
	*n = a->n_neighs;
	return a->neighs;
}
