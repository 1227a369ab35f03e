/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Duplicate addresses, with lib/arp's words, limits and table
 * (arp_conflict.c): another MAC that uses one of our addresses (an NA for
 * it, or an NS from it), or probes for one (an NS from ::, RFC 4862 DAD).
 * Each is logged at most once per address and kind per DSR_ARP_DEFEND_MS
 * and recorded in the conflict table. "Using" is defended with an
 * unsolicited NA to all-nodes, at most once per address per
 * DSR_ARP_DEFEND_MS. A probe is answered with an NA to all-nodes (RFC
 * 4861 7.2.4), up to DSR_ARP_PROBE_ANSWERS per DSR_ARP_PROBE_WINDOW_MS.
 *
 * While our address is TENTATIVE (our own DAD), either is a failed DAD:
 * logged as above plus one error line, counted (dad-failed), recorded,
 * and neither defended nor answered (RFC 4862 5.4: no NA for a tentative
 * address). dsrlb uses the address anyway when DAD ends, and its
 * announcements then claim it.
 */
#include <stdlib.h>
#include <string.h>

#include "dsr_log.h"
#include "dsr_nd.h"
#include "nd_pvt.h"

int
nd_conflict_resize(const struct dsr_nd *nd, uint32_t rows, struct dsr_nd_conflict **out,
		   unsigned int *n_out)
{
	struct dsr_nd_conflict *t = calloc(rows, sizeof(*t));
	unsigned int n = nd->n_conflicts, skip = 0;

	if (t == NULL)
		return -1;
	if (n > rows) {
		skip = n - rows;
		n = rows;
	}
	if (n > 0)
		memcpy(t, nd->conflicts + skip, n * sizeof(*t));
	*out = t;
	*n_out = n;
	return 0;
}

void
nd_conflict_record(struct dsr_nd *nd, uint16_t port, const uint8_t *ip, const uint8_t *mac,
		   enum dsr_arp_conflict_kind kind, uint32_t now_ms)
{
	struct dsr_nd_conflict *c;
	unsigned int i;

	for (i = 0; i < nd->n_conflicts; i++) {
		c = &nd->conflicts[i];
		if (nd_ip_eq(c->ip, ip) && c->port == port && c->kind == kind &&
		    dsr_mac_eq(c->mac, mac)) {
			c->last_ms = now_ms;
			c->count++;
			return;
		}
	}
	if (nd->n_conflicts == nd->p.arp.conflicts_max) {
		/* Full: the oldest row (the first) goes, to keep first-seen order. */
		memmove(nd->conflicts, nd->conflicts + 1,
			(nd->n_conflicts - 1) * sizeof(*nd->conflicts));
		nd->n_conflicts--;
		nd_count(nd, port, DSR_ND_CONFLICT_TABLE_FULL);
	}
	c = &nd->conflicts[nd->n_conflicts++];
	memset(c, 0, sizeof(*c));
	memcpy(c->ip, ip, 16);
	memcpy(c->mac, mac, 6);
	c->port = port;
	c->kind = (uint8_t)kind;
	c->first_ms = now_ms;
	c->last_ms = now_ms;
	c->count = 1;
}

/* Start the rate-limit timer `flag` if it is not running: true if the action may happen now. */
static bool
nd_limit(struct dsr_nd *nd, struct nd_addr *addr, uint8_t flag, uint32_t *since, uint32_t now_ms)
{
	if ((addr->flags & flag) != 0 && now_ms - *since < DSR_ARP_DEFEND_MS)
		return false;
	addr->flags |= flag;
	*since = now_ms;
	nd_wake(nd, now_ms + DSR_ARP_DEFEND_MS);
	return true;
}

/* A conflict while addr is in DAD: logged once per address (it stays ours). */
static void
nd_dad_failed(struct dsr_nd *nd, uint16_t port, struct nd_addr *addr, const uint8_t *mac)
{
	char m[DSR_MAC_STR_LEN], ip[DSR_IP6_STR_LEN];

	if (addr->duplicate)
		return;
	addr->duplicate = 1;
	nd_count(nd, port, DSR_ND_DAD_FAILED);
	nd_log(nd, DSR_LOG_ERR,
	       "port %u: duplicate address detection failed for our IP address %s "
	       "(MAC address %s has it); dsrlb uses it anyway",
	       port, dsr_ip6_str(addr->ip, ip), dsr_mac_str(mac, m));
}

/* Frame f on port uses our address addr (NS from it, NA for it). */
void
nd_conflict_using(struct dsr_nd *nd, uint16_t port, struct nd_addr *addr, const struct nd_frame *f,
		  uint32_t now_ms)
{
	char mac[DSR_MAC_STR_LEN], ip[DSR_IP6_STR_LEN];

	nd_count(nd, port, DSR_ND_CONFLICT_USING);
	if (nd_limit(nd, addr, ND_ADDR_LOG_USING, &addr->log_using_ms, now_ms))
		nd_log(nd, DSR_LOG_WARNING, "port %u: MAC address %s is using our IP address %s",
		       port, dsr_mac_str(f->mac, mac), dsr_ip6_str(addr->ip, ip));
	if (addr->state == DSR_ND_TENTATIVE) {
		nd_dad_failed(nd, port, addr, f->mac);
	} else if (nd_limit(nd, addr, ND_ADDR_DEFENDED, &addr->defend_ms, now_ms)) {
		nd_announce(nd, addr, NULL);
		nd_count(nd, port, DSR_ND_DEFENDED);
	}
	nd_conflict_record(nd, port, addr->ip, f->mac, DSR_CONFLICT_USING, now_ms);
}

/* Whether a probe for addr may be answered now (its own window, not the defence limit). */
static bool
nd_probe_answer_ok(struct dsr_nd *nd, struct nd_addr *addr, uint32_t now_ms)
{
	if ((addr->flags & ND_ADDR_PROBE_WIN) == 0 ||
	    now_ms - addr->probe_win_ms >= DSR_ARP_PROBE_WINDOW_MS) {
		addr->flags |= ND_ADDR_PROBE_WIN;
		addr->probe_win_ms = now_ms;
		addr->probe_answers = 0;
		nd_wake(nd, now_ms + DSR_ARP_PROBE_WINDOW_MS);
	}
	if (addr->probe_answers >= DSR_ARP_PROBE_ANSWERS)
		return false;
	addr->probe_answers++;
	return true;
}

/* Frame f on port is a DAD probe (NS from ::) for our address addr. */
void
nd_conflict_probe(struct dsr_nd *nd, uint16_t port, struct nd_addr *addr, const struct nd_frame *f,
		  uint32_t now_ms)
{
	char mac[DSR_MAC_STR_LEN], ip[DSR_IP6_STR_LEN];

	nd_count(nd, port, DSR_ND_CONFLICT_PROBE);
	if (nd_limit(nd, addr, ND_ADDR_LOG_PROBE, &addr->log_probe_ms, now_ms))
		nd_log(nd, DSR_LOG_WARNING, "port %u: MAC address %s probed for our IP address %s",
		       port, dsr_mac_str(f->mac, mac), dsr_ip6_str(addr->ip, ip));
	if (addr->state == DSR_ND_TENTATIVE) {
		nd_dad_failed(nd, port, addr, f->mac);
	} else if (nd_probe_answer_ok(nd, addr, now_ms)) {
		/* RFC 4861 7.2.4: to all-nodes, Solicited clear, in the probe's VLAN. */
		nd_announce(nd, addr, f->vlan);
		nd_count(nd, port, DSR_ND_PROBES_ANSWERED);
	} else {
		nd_count(nd, port, DSR_ND_PROBES_LIMITED);
	}
	nd_conflict_record(nd, port, addr->ip, f->mac, DSR_CONFLICT_PROBE, now_ms);
}

const struct dsr_nd_conflict *
dsr_nd_conflicts(const struct dsr_nd *nd, unsigned int *n)
{
	*n = nd->n_conflicts;
	return nd->conflicts;
}
