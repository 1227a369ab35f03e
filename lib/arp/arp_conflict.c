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
#include <stdlib.h>
#include <string.h>

#include "dsr_arp.h"
#include "dsr_log.h"
#include "dsr_pkt.h"
#include "arp_pvt.h"

/*
 * A conflict table of `rows` rows holding the newest of the current rows
 * (in the same order), for a change of conflicts_max.
 */
int
arp_conflict_resize(const struct dsr_arp *a, uint32_t rows, struct dsr_arp_conflict **out,
		    unsigned int *n_out)
{
	struct dsr_arp_conflict *t = calloc(rows, sizeof(*t));
	unsigned int n = a->n_conflicts, skip = 0;

	if (t == NULL)
		return -1;
	if (n > rows) {
		skip = n - rows;
		n = rows;
	}
	if (n > 0)
		memcpy(t, a->conflicts + skip, n * sizeof(*t));
	*out = t;
	*n_out = n;
	return 0;
}

void
arp_conflict_record(struct dsr_arp *a, uint16_t port, uint32_t ip, const uint8_t *mac,
		    enum dsr_arp_conflict_kind kind, uint32_t now_ms)
{
	struct dsr_arp_conflict *c;
	unsigned int i;

	for (i = 0; i < a->n_conflicts; i++) {
		c = &a->conflicts[i];
		if (c->ip == ip && c->port == port && c->kind == kind && dsr_mac_eq(c->mac, mac)) {
			c->last_ms = now_ms;
			c->count++;
			return;
		}
	}
	if (a->n_conflicts == a->p.conflicts_max) {
		/* Full: the oldest row (the first) goes, to keep first-seen order. */
		memmove(a->conflicts, a->conflicts + 1,
			(a->n_conflicts - 1) * sizeof(*a->conflicts));
		a->n_conflicts--;
		arp_count(a, port, DSR_ARP_CONFLICT_TABLE_FULL);
	}
	c = &a->conflicts[a->n_conflicts++];
	memset(c, 0, sizeof(*c));
	c->ip = ip;
	memcpy(c->mac, mac, 6);
	c->port = port;
	c->kind = (uint8_t)kind;
	c->first_ms = now_ms;
	c->last_ms = now_ms;
	c->count = 1;
}

/*
 * Start the rate-limit timer `flag` (time in *since) of an address if it
 * is not running: true if the limited action may happen now.
 */
static bool
arp_limit(struct dsr_arp *a, struct arp_addr *addr, uint8_t flag, uint32_t *since, uint32_t now_ms)
{
	if ((addr->flags & flag) != 0 && !arp_limit_over(now_ms, *since))
		return false;
	addr->flags |= flag;
	*since = now_ms;
	arp_wake(a, now_ms + DSR_ARP_DEFEND_MS);
	return true;
}

/* Frame f on port has our address addr as its sender IP. */
void
arp_conflict_using(struct dsr_arp *a, uint16_t port, struct arp_addr *addr,
		   const struct arp_frame *f, uint32_t now_ms)
{
	char mac[18], ip[16];

	arp_count(a, port, DSR_ARP_CONFLICT_USING);
	if (arp_limit(a, addr, ARP_ADDR_LOG_USING, &addr->log_using_ms, now_ms))
		arp_log(a, DSR_LOG_WARNING, "port %u: MAC address %s is using our IP address %s",
			port, dsr_mac_str(f->sha, mac), dsr_ip_str(addr->ip, ip));
	if (arp_limit(a, addr, ARP_ADDR_DEFENDED, &addr->defend_ms, now_ms)) {
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
	if ((addr->flags & ARP_ADDR_PROBE_WIN) == 0 ||
	    now_ms - addr->probe_win_ms >= DSR_ARP_PROBE_WINDOW_MS) {
		addr->flags |= ARP_ADDR_PROBE_WIN;
		addr->probe_win_ms = now_ms;
		addr->probe_answers = 0;
		arp_wake(a, now_ms + DSR_ARP_PROBE_WINDOW_MS);
	}
	if (addr->probe_answers >= DSR_ARP_PROBE_ANSWERS)
		return false;
	addr->probe_answers++;
	return true;
}

/* Frame f on port is a probe (sender IP 0.0.0.0) for our address addr. */
void
arp_conflict_probe(struct dsr_arp *a, uint16_t port, struct arp_addr *addr,
		   const struct arp_frame *f, uint32_t now_ms)
{
	char mac[18], ip[16];

	arp_count(a, port, DSR_ARP_CONFLICT_PROBE);
	if (arp_limit(a, addr, ARP_ADDR_LOG_PROBE, &addr->log_probe_ms, now_ms))
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

const struct dsr_arp_conflict *
dsr_arp_conflicts(const struct dsr_arp *a, unsigned int *n)
{
	*n = a->n_conflicts;
	return a->conflicts;
}
