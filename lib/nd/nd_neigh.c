/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Backend MAC resolution by Neighbor Solicitation: the neighbour state
 * machine of lib/arp's dsr_neigh.h (shared with ARP), for IPv6 backends,
 * on the port the configuration names. An NS goes to the backend's
 * solicited-node group, or unicast to the known MAC and address (PROBING).
 *
 * Our NS come from the port's (lowest) port address; while that address
 * is in DAD they wait (RFC 4862: a tentative address is not a source).
 * Learning: an NA whose target is the neighbour, to the port's source
 * address and MAC with Solicited set, while an NS is outstanding. Its MAC
 * is the target link-layer option's, or the Ethernet source (Linux leaves
 * the option out when it answers a unicast NS).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_log.h"
#include "dsr_nd.h"
#include "nd_pvt.h"

static int
nd_neigh_cmp(const void *x, const void *y)
{
	const struct dsr_nd_neigh *nx = x, *ny = y;

	return memcmp(nx->ip, ny->ip, 16);
}

static struct dsr_nd_neigh *
nd_neigh_search(struct dsr_nd_neigh *neighs, unsigned int n, const uint8_t *ip)
{
	struct dsr_nd_neigh key;

	if (n == 0)
		return NULL;
	memcpy(key.ip, ip, 16);
	return bsearch(&key, neighs, n, sizeof(*neighs), nd_neigh_cmp);
}

/* Is ip a port address of port in c? */
static bool
nd_is_port_addr(const struct dsr_nd_config *c, uint16_t port, const uint8_t *ip)
{
	unsigned int i;

	for (i = 0; i < c->n_addrs; i++)
		if (c->addrs[i].port == port && c->addrs[i].kind == DSR_ND_ADDR_PORT &&
		    nd_ip_eq(c->addrs[i].ip, ip))
			return true;
	return false;
}

/* Sort by address, then by list order (carried in sm.next_ms while building). */
static int
nd_neigh_build_cmp(const void *x, const void *y)
{
	const struct dsr_nd_neigh *nx = x, *ny = y;
	int c = memcmp(nx->ip, ny->ip, 16);

	if (c != 0)
		return c;
	return nx->sm.next_ms < ny->sm.next_ms ? -1 : nx->sm.next_ms > ny->sm.next_ms;
}

/*
 * The neighbours of a new configuration, sorted by address. Those that
 * stay (same address on the same port) keep their state; new ones are
 * INCOMPLETE with an NS due at now_ms. *changed is set if a lookup
 * result is not the same any more.
 */
int
nd_neigh_build(const struct dsr_nd *nd, const struct dsr_nd_config *c, uint32_t now_ms,
	       struct dsr_nd_neigh **out, unsigned int *n_out, bool *changed)
{
	struct dsr_nd_neigh *neighs;
	unsigned int n = 0, i, j;

	neighs = calloc(c->n_backends + 1, sizeof(*neighs));
	if (neighs == NULL)
		return -1;
	for (i = 0; i < c->n_backends; i++) {
		const struct dsr_nd_target *b = &c->backends[i];

		if (nd_is_port_addr(c, b->port, b->ip))
			continue;
		memcpy(neighs[n].ip, b->ip, 16);
		neighs[n].port = b->port;
		neighs[n++].sm.next_ms = i;
	}
	if (n > 0)
		qsort(neighs, n, sizeof(*neighs), nd_neigh_build_cmp);
	for (i = 0, j = 0; i < n; i++) {
		struct dsr_nd_neigh *old;

		/* A backend listed twice (several VIPs, or two ports): the first listed. */
		if (j > 0 && nd_ip_eq(neighs[j - 1].ip, neighs[i].ip))
			continue;
		old = nd_neigh_search(nd->neighs, nd->n_neighs, neighs[i].ip);
		if (old != NULL && old->port == neighs[i].port) {
			neighs[j] = *old;
		} else {
			neighs[j] = neighs[i];
			dsr_neigh_start(&neighs[j].sm, now_ms);
		}
		j++;
	}
	/* Old neighbours whose lookup result is not the same any more. */
	for (i = 0; i < nd->n_neighs; i++) {
		const struct dsr_nd_neigh *o = &nd->neighs[i];
		const struct dsr_nd_neigh *nw = nd_neigh_search(neighs, j, o->ip);

		if (dsr_neigh_lookup_differs(&o->sm, nw == NULL ? NULL : &nw->sm))
			*changed = true;
	}
	*out = neighs;
	*n_out = j;
	return 0;
}

static struct dsr_neigh_timing
nd_timing(const struct dsr_nd *nd)
{
	return (struct dsr_neigh_timing){nd->p.arp.refresh_ms, nd->p.arp.retry_ms,
					 nd->p.arp.max_tries};
}

static struct dsr_nd_neigh *
nd_neigh_of(struct dsr_neigh_sm *sm)
{
	return (struct dsr_nd_neigh *)((char *)sm - offsetof(struct dsr_nd_neigh, sm));
}

/* The ops' context: the module and the port's source address of the NS. */
struct nd_neigh_ctx {
	struct dsr_nd *nd;
	const struct nd_addr *src;
};

/* An NS for n: to its solicited-node group, or unicast to the MAC we know (PROBING). */
static void
nd_neigh_request(void *ctx, struct dsr_neigh_sm *sm, bool unicast)
{
	struct nd_neigh_ctx *c = ctx;
	const struct dsr_nd_neigh *n = nd_neigh_of(sm);
	uint8_t sn[16], mac[6];

	if (unicast) {
		nd_send_ns(c->nd, n->port, sm->mac, c->src->ip, n->ip, n->ip);
	} else {
		dsr_nd_solicited_node(n->ip, sn);
		nd_mc_mac(sn, mac);
		nd_send_ns(c->nd, n->port, mac, c->src->ip, sn, n->ip);
	}
	nd_count(c->nd, n->port, DSR_ND_REQ_SENT);
}

static void
nd_neigh_failed(void *ctx, struct dsr_neigh_sm *sm)
{
	struct nd_neigh_ctx *c = ctx;
	const struct dsr_nd_neigh *n = nd_neigh_of(sm);
	char ip[DSR_IP6_STR_LEN];

	nd_log(c->nd, DSR_LOG_WARNING,
	       "port %u: backend %s does not answer neighbor solicitations (%u tries); no new "
	       "flows go to it",
	       n->port, dsr_ip6_str(n->ip, ip), sm->tries);
}

static void
nd_neigh_unconfirmed(void *ctx, struct dsr_neigh_sm *sm)
{
	struct nd_neigh_ctx *c = ctx;
	const struct dsr_nd_neigh *n = nd_neigh_of(sm);
	char ip[DSR_IP6_STR_LEN], m[DSR_MAC_STR_LEN];

	nd_log(c->nd, DSR_LOG_WARNING,
	       "port %u: backend %s does not answer at %s any more (%u tries); asking who has it",
	       n->port, dsr_ip6_str(n->ip, ip), dsr_mac_str(sm->mac, m), sm->tries);
}

static const struct dsr_neigh_ops nd_neigh_ops = {
	.request = nd_neigh_request,
	.unconfirmed = nd_neigh_unconfirmed,
	.failed = nd_neigh_failed,
};

void
nd_neigh_tick(struct dsr_nd *nd, uint32_t now_ms)
{
	struct dsr_neigh_timing t = nd_timing(nd);
	struct nd_neigh_ctx c = {.nd = nd};
	unsigned int i;

	for (i = 0; i < nd->n_neighs; i++) {
		struct dsr_nd_neigh *n = &nd->neighs[i];

		dsr_neigh_claim_expire(&n->sm, now_ms, DSR_ARP_DEFEND_MS);
		if (!nd_due(now_ms, n->sm.next_ms)) {
			nd_wake(nd, n->sm.next_ms);
			continue;
		}
		c.src = nd_port_source(nd, n->port);
		if (c.src == NULL)
			continue; /* dsr_nd_configure() does not let this happen */
		if (c.src->state == DSR_ND_TENTATIVE) {
			/* Wait for the end of the source address's DAD (its tick comes first). */
			nd_wake(nd, c.src->dad_next_ms);
			continue;
		}
		if (dsr_neigh_step(&n->sm, &t, now_ms, &nd_neigh_ops, &c))
			nd->changed = true;
		nd_wake(nd, n->sm.next_ms);
	}
}

/* Does NA f answer an NS of ours from port (to its source address and MAC, Solicited)? */
static bool
nd_neigh_to_us(const struct dsr_nd *nd, uint16_t port, const struct nd_frame *f)
{
	const struct nd_addr *src = nd_port_source(nd, port);

	return src != NULL && nd_ip_eq(f->dst, src->ip) &&
	       dsr_mac_eq(f->eth_dst, nd->ports[port].mac) && (f->flags & ND_NA_SOLICITED) != 0;
}

/* NA f names another MAC than n's, which still answers: a claim, never learned. */
static void
nd_neigh_claim(struct dsr_nd *nd, struct dsr_nd_neigh *n, const struct nd_frame *f, bool to_us,
	       uint32_t now_ms)
{
	char ip[DSR_IP6_STR_LEN], m1[DSR_MAC_STR_LEN], m2[DSR_MAC_STR_LEN];
	struct nd_neigh_ctx c = {.nd = nd};

	nd_count(nd, n->port, DSR_ND_CONFLICT_BACKEND);
	if (dsr_neigh_claim_log(&n->sm, now_ms, DSR_ARP_DEFEND_MS))
		nd_log(nd, DSR_LOG_WARNING,
		       "port %u: MAC address %s claims backend address %s (known at %s)", n->port,
		       dsr_mac_str(f->mac, m1), dsr_ip6_str(n->ip, ip), dsr_mac_str(n->sm.mac, m2));
	nd_conflict_record(nd, n->port, n->ip, f->mac, DSR_CONFLICT_BACKEND, now_ms);
	if (dsr_neigh_probe_known(&n->sm, f->mac, to_us, now_ms)) {
		c.src = nd_port_source(nd, n->port);
		if (c.src != NULL && c.src->state == DSR_ND_PREFERRED) {
			nd_neigh_request(&c, &n->sm, true);
			dsr_neigh_sent(&n->sm);
			n->sm.next_ms = now_ms + nd->p.arp.retry_ms;
		}
		nd_wake(nd, n->sm.next_ms);
	}
}

bool
nd_neigh_learn(struct dsr_nd *nd, uint16_t port, const struct nd_frame *f, uint32_t now_ms)
{
	char ip[DSR_IP6_STR_LEN], m1[DSR_MAC_STR_LEN], m2[DSR_MAC_STR_LEN];
	struct dsr_neigh_timing t = nd_timing(nd);
	struct dsr_nd_neigh *n;
	struct dsr_neigh_sm *sm;
	bool to_us;

	n = nd_neigh_search(nd->neighs, nd->n_neighs, f->target);
	if (n == NULL || n->port != port)
		return false;
	sm = &n->sm;
	to_us = nd_neigh_to_us(nd, port, f);
	switch (dsr_neigh_judge(sm, f->mac, to_us, now_ms)) {
	case DSR_NEIGH_CLAIM:
		nd_neigh_claim(nd, n, f, to_us, now_ms);
		return false;
	case DSR_NEIGH_IGNORE:
		return false;
	default:
		break;
	}
	dsr_ip6_str(n->ip, ip);
	if (!sm->has_mac) {
		nd_log(nd, DSR_LOG_INFO, "port %u: backend %s is at %s", port, ip,
		       dsr_mac_str(f->mac, m1));
	} else {
		if (!dsr_mac_eq(sm->mac, f->mac))
			nd_log(nd, DSR_LOG_WARNING, "port %u: backend %s changed MAC from %s to %s",
			       port, ip, dsr_mac_str(sm->mac, m1), dsr_mac_str(f->mac, m2));
		if (sm->state == DSR_NEIGH_FAILED)
			nd_log(nd, DSR_LOG_INFO,
			       "port %u: backend %s answers neighbor solicitations again at %s",
			       port, ip, dsr_mac_str(f->mac, m1));
	}
	if (dsr_neigh_learn(sm, f->mac, &t, now_ms))
		nd->changed = true;
	nd_wake(nd, sm->next_ms);
	return true;
}

enum dsr_mac_lookup
dsr_nd_lookup(const struct dsr_nd *nd, const uint8_t ip[16], uint8_t mac[6])
{
	struct dsr_nd_neigh *n = nd_neigh_search(nd->neighs, nd->n_neighs, ip);

	if (n == NULL)
		return DSR_MAC_PENDING;
	if (n->sm.has_mac)
		memcpy(mac, n->sm.mac, 6);
	return dsr_neigh_usable(&n->sm);
}

const struct dsr_nd_neigh *
dsr_nd_neighbours(const struct dsr_nd *nd, unsigned int *n)
{
	*n = nd->n_neighs;
	return nd->neighs;
}
