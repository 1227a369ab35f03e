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

#include "dsr_log.h"
#include "dsr_nd.h"
#include "nd_pvt.h"

void
nd_conflict_record(struct dsr_nd *nd, uint16_t port, const uint8_t *ip, const uint8_t *mac,
		   enum dsr_arp_conflict_kind kind, uint32_t now_ms)
{
	if (dsr_conflicts_record(&nd->conflicts, DSR_AF_IPV6, port, ip, mac, kind, now_ms))
		nd_count(nd, port, DSR_ND_CONFLICT_TABLE_FULL);
}

/* Whether the action timer limits may happen now (its end wakes the tick). */
static bool
nd_limit(struct dsr_nd *nd, struct nd_addr *addr, enum dsr_dup_timer timer, uint32_t now_ms)
{
	uint32_t due;

	if (!dsr_dup_take(&addr->lim, timer, now_ms))
		return false;
	if (dsr_dup_expire(&addr->lim, now_ms, &due))
		nd_wake(nd, due);
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
	if (nd_limit(nd, addr, DSR_DUP_LOG_USING, now_ms))
		nd_log(nd, DSR_LOG_WARNING, "port %u: MAC address %s is using our IP address %s",
		       port, dsr_mac_str(f->mac, mac), dsr_ip6_str(addr->ip, ip));
	if (addr->state == DSR_ND_TENTATIVE) {
		nd_dad_failed(nd, port, addr, f->mac);
	} else if (nd_limit(nd, addr, DSR_DUP_DEFENDED, now_ms)) {
		nd_announce(nd, addr, NULL);
		nd_count(nd, port, DSR_ND_DEFENDED);
	}
	nd_conflict_record(nd, port, addr->ip, f->mac, DSR_CONFLICT_USING, now_ms);
}

/* Whether a probe for addr may be answered now (its own window, not the defence limit). */
static bool
nd_probe_answer_ok(struct dsr_nd *nd, struct nd_addr *addr, uint32_t now_ms)
{
	uint32_t due;
	bool ok = dsr_dup_probe_answer(&addr->lim, now_ms);

	if (dsr_dup_expire(&addr->lim, now_ms, &due))
		nd_wake(nd, due);
	return ok;
}

/* Frame f on port is a DAD probe (NS from ::) for our address addr. */
void
nd_conflict_probe(struct dsr_nd *nd, uint16_t port, struct nd_addr *addr, const struct nd_frame *f,
		  uint32_t now_ms)
{
	char mac[DSR_MAC_STR_LEN], ip[DSR_IP6_STR_LEN];

	nd_count(nd, port, DSR_ND_CONFLICT_PROBE);
	if (nd_limit(nd, addr, DSR_DUP_LOG_PROBE, now_ms))
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

const struct dsr_conflict *
dsr_nd_conflicts(const struct dsr_nd *nd, unsigned int *n)
{
	*n = nd->conflicts.n;
	return nd->conflicts.rows;
}
