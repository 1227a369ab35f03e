/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour rows of show arp, show nd, show conflicts and show stats:
 * ARP's (lib/arp) and IPv6 neighbour discovery's (lib/nd, when the
 * balancer has it), in the same row kinds and keys.
 */
#include <stdio.h>

#include "dsr_ctl.h"
#include "dsr_lb.h"
#include "dsr_nd.h"
#include "show_pvt.h"

/* A neighbour row: its address as text. */
static void
row_neigh(struct dsr_ctl_out *out, const char *ip, uint16_t port, const struct dsr_neigh_sm *sm)
{
	char kind[16 + DSR_IP6_STR_LEN], m[DSR_MAC_STR_LEN];

	snprintf(kind, sizeof(kind), "neighbour %s", ip);
	dsr_ctl_row_begin(out, kind);
	dsr_ctl_kv_u64(out, "port", port);
	dsr_ctl_kv_str(out, "state", dsr_arp_state_name((enum dsr_arp_neigh_state)sm->state));
	dsr_ctl_kv_str(out, "mac", sm->has_mac ? dsr_mac_str(sm->mac, m) : "none");
}

/* A conflict row (lib/arp's or lib/nd's). */
static void
row_conflict(struct dsr_ctl_out *out, const struct dsr_conflict *c)
{
	char k[16 + DSR_IP6_STR_LEN + DSR_MAC_STR_LEN], m[DSR_MAC_STR_LEN], ip[DSR_IP6_STR_LEN];

	snprintf(k, sizeof(k), "conflict %s %s", dsr_conflict_ip_str(c, ip),
		 dsr_mac_str(c->mac, m));
	dsr_ctl_row_begin(out, k);
	dsr_ctl_kv_u64(out, "port", c->port);
	dsr_ctl_kv_str(out, "kind",
		       dsr_arp_conflict_kind_name((enum dsr_arp_conflict_kind)c->kind));
	dsr_ctl_kv_u64(out, "count", c->count);
	dsr_ctl_kv_u64(out, "first-ms", c->first_ms);
	dsr_ctl_kv_u64(out, "last-ms", c->last_ms);
}

/* Rows of one part: how many, and row i. */
static unsigned int
part_size(const struct dsr_lb *lb, unsigned int part)
{
	unsigned int n = 0;

	switch (part) {
	case SHOW_NB_ARP_PORTS:
		return lb->nb_ports;
	case SHOW_NB_ARP_NEIGH:
		dsr_arp_neighbours(lb->arp, &n);
		return n;
	case SHOW_NB_ARP_CONFLICTS:
		dsr_arp_conflicts(lb->arp, &n);
		return n;
	default:
		break;
	}
	if (lb->nd == NULL)
		return 0;
	if (part == SHOW_NB_ND_PORTS)
		return lb->nb_ports;
	if (part == SHOW_NB_ND_NEIGH)
		dsr_nd_neighbours(lb->nd, &n);
	else
		dsr_nd_conflicts(lb->nd, &n);
	return n;
}

static void
part_row(const struct dsr_lb *lb, unsigned int part, unsigned int i, struct dsr_ctl_out *out)
{
	const struct dsr_arp_neigh *an;
	const struct dsr_nd_neigh *nn;
	char kind[16], ip[DSR_IP6_STR_LEN];
	unsigned int n;
	int c;

	switch (part) {
	case SHOW_NB_ARP_PORTS:
		snprintf(kind, sizeof(kind), "arp port %u", i);
		dsr_ctl_row_begin(out, kind);
		for (c = 0; c < DSR_ARP_NCOUNTERS; c++)
			dsr_ctl_kv_u64(out, dsr_arp_counter_name(c),
				       dsr_arp_counter(lb->arp, (uint16_t)i, c));
		break;
	case SHOW_NB_ND_PORTS:
		snprintf(kind, sizeof(kind), "nd port %u", i);
		dsr_ctl_row_begin(out, kind);
		for (c = 0; c < DSR_ND_NCOUNTERS; c++)
			dsr_ctl_kv_u64(out, dsr_nd_counter_name(c),
				       dsr_nd_counter(lb->nd, (uint16_t)i, c));
		break;
	case SHOW_NB_ARP_NEIGH:
		an = dsr_arp_neighbours(lb->arp, &n) + i;
		row_neigh(out, dsr_ip_str(an->ip, ip), an->port, &an->sm);
		break;
	case SHOW_NB_ND_NEIGH:
		nn = dsr_nd_neighbours(lb->nd, &n) + i;
		row_neigh(out, dsr_ip6_str(nn->ip, ip), nn->port, &nn->sm);
		break;
	case SHOW_NB_ARP_CONFLICTS:
		row_conflict(out, dsr_arp_conflicts(lb->arp, &n) + i);
		break;
	default:
		row_conflict(out, dsr_nd_conflicts(lb->nd, &n) + i);
		break;
	}
	dsr_ctl_row_end(out);
}

bool
show_rows_neigh(const struct dsr_lb *lb, unsigned int part, unsigned int *next,
		struct dsr_ctl_out *out)
{
	unsigned int n = part_size(lb, part);

	for (; *next < n; (*next)++) {
		if (dsr_ctl_queued(out) > DSR_CTL_CHUNK)
			return false;
		part_row(lb, part, *next, out);
	}
	return true;
}

enum dsr_ctl_result
show_rows_parts(const struct dsr_lb *lb, const uint8_t *parts, unsigned int nparts,
		struct show_rows *st, struct dsr_ctl_out *out)
{
	for (; st->phase < nparts; st->phase++, st->next = 0)
		if (!show_rows_neigh(lb, parts[st->phase], &st->next, out))
			return DSR_CTL_MORE;
	return DSR_CTL_DONE;
}
