/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Backend MAC resolution by Neighbor Solicitation: lib/arp's neighbour
 * state machine (arp_neigh.c, the states of enum dsr_arp_neigh_state),
 * for IPv6 backends, on the port the configuration names.
 *
 *   INCOMPLETE  an NS to the backend's solicited-node group when next_ms
 *               comes, then every retry_ms; when the retry after the
 *               max_tries-th NS comes due: FAILED.
 *   REACHABLE   at confirmed_ms + nd_refresh_due(): REFRESHING, an NS at once.
 *   REFRESHING  like INCOMPLETE, but the MAC is still used.
 *   PROBING     an answer to a refresh named another MAC: NS go unicast
 *               to the known MAC and address, every retry_ms, the MAC
 *               still used; unanswered max_tries times: REFRESHING with
 *               relearn (the next answer sets the MAC, whatever it is).
 *   FAILED      one NS every max(5 * retry_ms, 1 s); not used for new flows.
 *
 * Our NS come from the port's (lowest) port address; while that address
 * is in DAD they wait (RFC 4862: a tentative address is not a source).
 * Learning: an NA whose target is the neighbour, to the port's source
 * address and MAC with Solicited set, while an NS is outstanding. Its MAC
 * is the target link-layer option's, or the Ethernet source (Linux leaves
 * the option out when it answers a unicast NS).
 */
#include <stdlib.h>
#include <string.h>

#include "dsr_log.h"
#include "dsr_nd.h"
#include "nd_pvt.h"

static uint32_t
nd_refresh_due(const struct dsr_nd *nd)
{
	uint32_t lead = nd->p.arp.max_tries * nd->p.arp.retry_ms;

	return nd->p.arp.refresh_ms >= 2 * lead ? nd->p.arp.refresh_ms - lead
						: nd->p.arp.refresh_ms;
}

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

static enum dsr_mac_lookup
nd_neigh_usable(const struct dsr_nd_neigh *n)
{
	if (!n->has_mac)
		return n->state == DSR_NEIGH_FAILED ? DSR_MAC_NEVER : DSR_MAC_PENDING;
	return n->state == DSR_NEIGH_FAILED ? DSR_MAC_LOST : DSR_MAC_OK;
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

/* Sort by address, then by list order (carried in next_ms while building). */
static int
nd_neigh_build_cmp(const void *x, const void *y)
{
	const struct dsr_nd_neigh *nx = x, *ny = y;
	int c = memcmp(nx->ip, ny->ip, 16);

	if (c != 0)
		return c;
	return nx->next_ms < ny->next_ms ? -1 : nx->next_ms > ny->next_ms;
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
		neighs[n++].next_ms = i;
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
			neighs[j].state = DSR_NEIGH_INCOMPLETE;
			neighs[j].next_ms = now_ms;
		}
		j++;
	}
	/* Old neighbours whose lookup result is not the same any more. */
	for (i = 0; i < nd->n_neighs; i++) {
		const struct dsr_nd_neigh *o = &nd->neighs[i];
		struct dsr_nd_neigh *nw = nd_neigh_search(neighs, j, o->ip);
		enum dsr_mac_lookup now = nw == NULL ? DSR_MAC_PENDING : nd_neigh_usable(nw);

		if (now != nd_neigh_usable(o) ||
		    (o->has_mac && nw != NULL && !dsr_mac_eq(o->mac, nw->mac)))
			*changed = true;
	}
	*out = neighs;
	*n_out = j;
	return 0;
}

static uint32_t
nd_failed_retry_ms(const struct dsr_nd *nd)
{
	uint64_t ms = (uint64_t)nd->p.arp.retry_ms * ND_FAILED_FACTOR;

	if (ms < ND_FAILED_MIN_MS)
		ms = ND_FAILED_MIN_MS;
	if (ms > ND_MS_MAX)
		ms = ND_MS_MAX;
	return (uint32_t)ms;
}

/* An NS for n: to its solicited-node group, or unicast to the MAC we know (PROBING). */
static void
nd_neigh_request(struct dsr_nd *nd, struct dsr_nd_neigh *n, const struct nd_addr *src, bool unicast)
{
	uint8_t sn[16], mac[6];

	if (unicast) {
		nd_send_ns(nd, n->port, n->mac, src->ip, n->ip, n->ip);
	} else {
		dsr_nd_solicited_node(n->ip, sn);
		nd_mc_mac(sn, mac);
		nd_send_ns(nd, n->port, mac, src->ip, sn, n->ip);
	}
	nd_count(nd, n->port, DSR_ND_REQ_SENT);
	if (n->tries < ND_COUNT_MAX)
		n->tries++;
}

static void
nd_neigh_fail(struct dsr_nd *nd, struct dsr_nd_neigh *n, uint32_t now_ms)
{
	char ip[DSR_IP6_STR_LEN];

	if (nd_neigh_usable(n) == DSR_MAC_OK || nd_neigh_usable(n) == DSR_MAC_PENDING)
		nd->changed = true;
	n->state = DSR_NEIGH_FAILED;
	n->relearn = 0;
	n->next_ms = now_ms + nd_failed_retry_ms(nd);
	nd_log(nd, DSR_LOG_WARNING,
	       "port %u: backend %s does not answer neighbor solicitations (%u tries); no new "
	       "flows go to it",
	       n->port, dsr_ip6_str(n->ip, ip), n->tries);
}

static void
nd_neigh_unconfirmed(struct dsr_nd *nd, struct dsr_nd_neigh *n)
{
	char ip[DSR_IP6_STR_LEN], m[DSR_MAC_STR_LEN];

	nd_log(nd, DSR_LOG_WARNING,
	       "port %u: backend %s does not answer at %s any more (%u tries); asking who has it",
	       n->port, dsr_ip6_str(n->ip, ip), dsr_mac_str(n->mac, m), n->tries);
	n->state = DSR_NEIGH_REFRESHING;
	n->relearn = 1;
	n->tries = 0;
}

/* One due neighbour: the next NS, or the next state. */
static void
nd_neigh_step(struct dsr_nd *nd, struct dsr_nd_neigh *n, const struct nd_addr *src, uint32_t now_ms)
{
	switch (n->state) {
	case DSR_NEIGH_PROBING:
		if (n->tries < nd->p.arp.max_tries) {
			nd_neigh_request(nd, n, src, true);
			n->next_ms = now_ms + nd->p.arp.retry_ms;
			break;
		}
		nd_neigh_unconfirmed(nd, n);
		/* fallthrough */
	case DSR_NEIGH_REACHABLE:
		if (n->state == DSR_NEIGH_REACHABLE) {
			n->state = DSR_NEIGH_REFRESHING;
			n->tries = 0;
		}
		/* fallthrough */
	case DSR_NEIGH_INCOMPLETE:
	case DSR_NEIGH_REFRESHING:
		if (n->tries >= nd->p.arp.max_tries) {
			nd_neigh_fail(nd, n, now_ms);
			break;
		}
		nd_neigh_request(nd, n, src, false);
		n->next_ms = now_ms + nd->p.arp.retry_ms;
		break;
	default: /* FAILED */
		nd_neigh_request(nd, n, src, false);
		n->next_ms = now_ms + nd_failed_retry_ms(nd);
		break;
	}
}

void
nd_neigh_tick(struct dsr_nd *nd, uint32_t now_ms)
{
	unsigned int i;

	for (i = 0; i < nd->n_neighs; i++) {
		struct dsr_nd_neigh *n = &nd->neighs[i];
		const struct nd_addr *src;

		if (n->claim_logged && now_ms - n->claim_ms >= DSR_ARP_DEFEND_MS)
			n->claim_logged = 0;
		if (!nd_due(now_ms, n->next_ms)) {
			nd_wake(nd, n->next_ms);
			continue;
		}
		src = nd_port_source(nd, n->port);
		if (src == NULL)
			continue; /* dsr_nd_configure() does not let this happen */
		if (src->state == DSR_ND_TENTATIVE) {
			/* Wait for the end of the source address's DAD (its tick comes first). */
			nd_wake(nd, src->dad_next_ms);
			continue;
		}
		nd_neigh_step(nd, n, src, now_ms);
		nd_wake(nd, n->next_ms);
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

	nd_count(nd, n->port, DSR_ND_CONFLICT_BACKEND);
	if (!n->claim_logged || now_ms - n->claim_ms >= DSR_ARP_DEFEND_MS) {
		n->claim_logged = 1;
		n->claim_ms = now_ms;
		nd_log(nd, DSR_LOG_WARNING,
		       "port %u: MAC address %s claims backend address %s (known at %s)", n->port,
		       dsr_mac_str(f->mac, m1), dsr_ip6_str(n->ip, ip), dsr_mac_str(n->mac, m2));
	}
	nd_conflict_record(nd, n->port, n->ip, f->mac, DSR_CONFLICT_BACKEND, now_ms);
	if (to_us && n->state == DSR_NEIGH_REFRESHING && n->tries > 0) {
		const struct nd_addr *src = nd_port_source(nd, n->port);

		n->state = DSR_NEIGH_PROBING;
		n->tries = 0;
		n->next_ms = now_ms;
		if (src != NULL && src->state == DSR_ND_PREFERRED) {
			nd_neigh_request(nd, n, src, true);
			n->next_ms = now_ms + nd->p.arp.retry_ms;
		}
		nd_wake(nd, n->next_ms);
	}
}

bool
nd_neigh_learn(struct dsr_nd *nd, uint16_t port, const struct nd_frame *f, uint32_t now_ms)
{
	char ip[DSR_IP6_STR_LEN], m1[DSR_MAC_STR_LEN], m2[DSR_MAC_STR_LEN];
	struct dsr_nd_neigh *n;
	enum dsr_mac_lookup before;
	bool to_us;

	n = nd_neigh_search(nd->neighs, nd->n_neighs, f->target);
	if (n == NULL || n->port != port)
		return false;
	to_us = nd_neigh_to_us(nd, port, f);
	if (n->has_mac && !n->relearn && n->state != DSR_NEIGH_FAILED &&
	    !dsr_mac_eq(n->mac, f->mac)) {
		nd_neigh_claim(nd, n, f, to_us, now_ms);
		return false;
	}
	if (n->state == DSR_NEIGH_REACHABLE || n->tries == 0 || !to_us)
		return false;

	before = nd_neigh_usable(n);
	dsr_ip6_str(n->ip, ip);
	if (!n->has_mac) {
		nd_log(nd, DSR_LOG_INFO, "port %u: backend %s is at %s", port, ip,
		       dsr_mac_str(f->mac, m1));
	} else {
		if (!dsr_mac_eq(n->mac, f->mac))
			nd_log(nd, DSR_LOG_WARNING, "port %u: backend %s changed MAC from %s to %s",
			       port, ip, dsr_mac_str(n->mac, m1), dsr_mac_str(f->mac, m2));
		if (n->state == DSR_NEIGH_FAILED)
			nd_log(nd, DSR_LOG_INFO,
			       "port %u: backend %s answers neighbor solicitations again at %s",
			       port, ip, dsr_mac_str(f->mac, m1));
	}
	if (before != DSR_MAC_OK || !dsr_mac_eq(n->mac, f->mac))
		nd->changed = true;
	memcpy(n->mac, f->mac, 6);
	n->has_mac = 1;
	n->state = DSR_NEIGH_REACHABLE;
	n->tries = 0;
	n->relearn = 0;
	n->confirmed_ms = now_ms;
	n->next_ms = now_ms + nd_refresh_due(nd);
	nd_wake(nd, n->next_ms);
	return true;
}

enum dsr_mac_lookup
dsr_nd_lookup(const struct dsr_nd *nd, const uint8_t ip[16], uint8_t mac[6])
{
	struct dsr_nd_neigh *n = nd_neigh_search(nd->neighs, nd->n_neighs, ip);

	if (n == NULL)
		return DSR_MAC_PENDING;
	if (n->has_mac)
		memcpy(mac, n->mac, 6);
	return nd_neigh_usable(n);
}

const struct dsr_nd_neigh *
dsr_nd_neighbours(const struct dsr_nd *nd, unsigned int *n)
{
	*n = nd->n_neighs;
	return nd->neighs;
}
