/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Duplicate address detection (RFC 5227 section 2.4): another MAC that
 * sends ARP with one of our addresses as sender ("using"), or probes for
 * one (sender 0.0.0.0). Each is logged at most once per address and kind
 * per DSR_ARP_DEFEND_MS and recorded in the conflict table. "Using" is
 * defended with an announcement, at most once per address per
 * DSR_ARP_DEFEND_MS (RFC 5227's DEFEND_INTERVAL). A probe is a request for
 * our address: it is answered (a reply to the prober) whether or not we
 * defended the address lately, since a prober that hears nothing takes
 * the address; its own limit is DSR_ARP_PROBE_ANSWERS per
 * DSR_ARP_PROBE_WINDOW_MS per address.
 */

#include "dsr_arp.h"
#include "dsr_log.h"
#include "dsr_pkt.h"
#include "arp_pvt.h"

void
arp_conflict_record(struct dsr_arp *a, uint16_t port, uint32_t ip, const uint8_t *mac,
		    enum dsr_arp_conflict_kind kind, uint32_t now_ms)
{
	if (dsr_conflicts_record(&a->conflicts, DSR_AF_IPV4, port, (const uint8_t *)&ip, mac, kind,
				 now_ms))
		arp_count(a, port, DSR_ARP_CONFLICT_TABLE_FULL);
}

/* Whether the action timer limits may happen now (its end wakes the tick). */
static bool
arp_limit(struct dsr_arp *a, struct arp_addr *addr, enum dsr_dup_timer timer, uint32_t now_ms)
{
	uint32_t due;

	if (!dsr_dup_take(&addr->lim, timer, now_ms))
		return false;
	if (dsr_dup_expire(&addr->lim, now_ms, &due))
		arp_wake(a, due);
	return true;
}

/* Frame f on port has our address addr as its sender IP. */
void
arp_conflict_using(struct dsr_arp *a, uint16_t port, struct arp_addr *addr,
		   const struct arp_frame *f, uint32_t now_ms)
{
	char mac[18], ip[16];

	arp_count(a, port, DSR_ARP_CONFLICT_USING);
	if (arp_limit(a, addr, DSR_DUP_LOG_USING, now_ms))
		arp_log(a, DSR_LOG_WARNING, "port %u: MAC address %s is using our IP address %s",
			port, dsr_mac_str(f->sha, mac), dsr_ip_str(addr->ip, ip));
	if (arp_limit(a, addr, DSR_DUP_DEFENDED, now_ms)) {
		/* RFC 5227 2.4 (b): one announcement. */
		arp_send(a, port, NULL, arp_mac_bcast, ARP_OP_REQUEST, addr->ip, arp_mac_zero,
			 addr->ip);
		arp_count(a, port, DSR_ARP_DEFENDED);
	}
	arp_conflict_record(a, port, addr->ip, f->sha, DSR_CONFLICT_USING, now_ms);
}

/* Whether a probe for addr may be answered now (its own window, not the defence limit). */
static bool
arp_probe_answer_ok(struct dsr_arp *a, struct arp_addr *addr, uint32_t now_ms)
{
	uint32_t due;
	bool ok = dsr_dup_probe_answer(&addr->lim, now_ms);

	if (dsr_dup_expire(&addr->lim, now_ms, &due))
		arp_wake(a, due);
	return ok;
}

/* Frame f on port is a probe (sender IP 0.0.0.0) for our address addr. */
void
arp_conflict_probe(struct dsr_arp *a, uint16_t port, struct arp_addr *addr,
		   const struct arp_frame *f, uint32_t now_ms)
{
	char mac[18], ip[16];

	arp_count(a, port, DSR_ARP_CONFLICT_PROBE);
	if (arp_limit(a, addr, DSR_DUP_LOG_PROBE, now_ms))
		arp_log(a, DSR_LOG_WARNING, "port %u: MAC address %s probed for our IP address %s",
			port, dsr_mac_str(f->sha, mac), dsr_ip_str(addr->ip, ip));
	if (arp_probe_answer_ok(a, addr, now_ms)) {
		/* A reply to the prober, in the probe's VLAN; its target IP stays 0.0.0.0. */
		arp_send(a, port, f->vlan, f->sha, ARP_OP_REPLY, addr->ip, f->sha, 0);
		arp_count(a, port, DSR_ARP_PROBES_ANSWERED);
	} else {
		arp_count(a, port, DSR_ARP_PROBES_LIMITED);
	}
	arp_conflict_record(a, port, addr->ip, f->sha, DSR_CONFLICT_PROBE, now_ms);
}

const struct dsr_conflict *
dsr_arp_conflicts(const struct dsr_arp *a, unsigned int *n)
{
	*n = a->conflicts.n;
	return a->conflicts.rows;
}
