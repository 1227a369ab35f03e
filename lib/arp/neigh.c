/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour state machine of dsr_neigh.h, shared by ARP (arp_neigh.c)
 * and Neighbor Solicitation (lib/nd nd_neigh.c).
 */
#include <string.h>

#include "dsr_neigh.h"

/* When to start confirming a neighbour, after an answer that confirmed it. */
static uint32_t
neigh_refresh_due(const struct dsr_neigh_timing *t)
{
	uint32_t lead = t->max_tries * t->retry_ms;

	return t->refresh_ms >= 2 * lead ? t->refresh_ms - lead : t->refresh_ms;
}

uint32_t
dsr_neigh_failed_retry_ms(const struct dsr_neigh_timing *t)
{
	uint64_t ms = (uint64_t)t->retry_ms * DSR_NEIGH_FAILED_FACTOR;

	if (ms < DSR_NEIGH_FAILED_MIN_MS)
		ms = DSR_NEIGH_FAILED_MIN_MS;
	if (ms > DSR_NEIGH_MS_MAX)
		ms = DSR_NEIGH_MS_MAX;
	return (uint32_t)ms;
}

enum dsr_mac_lookup
dsr_neigh_usable(const struct dsr_neigh_sm *n)
{
	if (!n->has_mac)
		return n->state == DSR_NEIGH_FAILED ? DSR_MAC_NEVER : DSR_MAC_PENDING;
	return n->state == DSR_NEIGH_FAILED ? DSR_MAC_LOST : DSR_MAC_OK;
}

void
dsr_neigh_start(struct dsr_neigh_sm *n, uint32_t now_ms)
{
	memset(n, 0, sizeof(*n));
	n->state = DSR_NEIGH_INCOMPLETE;
	n->next_ms = now_ms;
}

bool
dsr_neigh_lookup_differs(const struct dsr_neigh_sm *old, const struct dsr_neigh_sm *now)
{
	enum dsr_mac_lookup r = now == NULL ? DSR_MAC_PENDING : dsr_neigh_usable(now);

	return r != dsr_neigh_usable(old) ||
	       (old->has_mac && now != NULL && !dsr_mac_eq(old->mac, now->mac));
}

void
dsr_neigh_sent(struct dsr_neigh_sm *n)
{
	if (n->tries < UINT8_MAX)
		n->tries++;
}

static void
neigh_request(struct dsr_neigh_sm *n, bool unicast, const struct dsr_neigh_ops *ops, void *ctx)
{
	ops->request(ctx, n, unicast);
	dsr_neigh_sent(n);
}

bool
dsr_neigh_step(struct dsr_neigh_sm *n, const struct dsr_neigh_timing *t, uint32_t now_ms,
	       const struct dsr_neigh_ops *ops, void *ctx)
{
	enum dsr_mac_lookup before;

	switch (n->state) {
	case DSR_NEIGH_PROBING:
		if (n->tries < t->max_tries) {
			neigh_request(n, true, ops, ctx);
			n->next_ms = now_ms + t->retry_ms;
			return false;
		}
		/* Unanswered: ask everyone at once; the next answer is taken. */
		ops->unconfirmed(ctx, n);
		n->state = DSR_NEIGH_REFRESHING;
		n->relearn = 1;
		n->tries = 0;
		/* fallthrough */
	case DSR_NEIGH_REACHABLE:
		if (n->state == DSR_NEIGH_REACHABLE) {
			n->state = DSR_NEIGH_REFRESHING;
			n->tries = 0;
		}
		/* fallthrough */
	case DSR_NEIGH_INCOMPLETE:
	case DSR_NEIGH_REFRESHING:
		if (n->tries >= t->max_tries) {
			/* Usable, or pending (still in the Maglev table): the lookup changes. */
			before = dsr_neigh_usable(n);
			n->state = DSR_NEIGH_FAILED;
			n->relearn = 0;
			n->next_ms = now_ms + dsr_neigh_failed_retry_ms(t);
			ops->failed(ctx, n);
			return before == DSR_MAC_OK || before == DSR_MAC_PENDING;
		}
		neigh_request(n, false, ops, ctx);
		n->next_ms = now_ms + t->retry_ms;
		return false;
	default: /* FAILED */
		neigh_request(n, false, ops, ctx);
		n->next_ms = now_ms + dsr_neigh_failed_retry_ms(t);
		return false;
	}
}

void
dsr_neigh_claim_expire(struct dsr_neigh_sm *n, uint32_t now_ms, uint32_t limit_ms)
{
	if (n->claim_logged && now_ms - n->claim_ms >= limit_ms)
		n->claim_logged = 0;
}

enum dsr_neigh_verdict
dsr_neigh_judge(const struct dsr_neigh_sm *n, const uint8_t mac[6], bool to_us, uint32_t now_ms)
{
	bool other = !n->has_mac || !dsr_mac_eq(n->mac, mac);
	bool disproven = n->has_disproven && (int32_t)(now_ms - n->disproven_until_ms) < 0 &&
			 dsr_mac_eq(n->disproven, mac);

	/* Another MAC while the known one answers, or one it disproved: a claim. */
	if (other && (disproven || (n->has_mac && !n->relearn && n->state != DSR_NEIGH_FAILED)))
		return DSR_NEIGH_CLAIM;
	if (n->state == DSR_NEIGH_REACHABLE || n->tries == 0 || !to_us)
		return DSR_NEIGH_IGNORE;
	return DSR_NEIGH_LEARN;
}

bool
dsr_neigh_claim_log(struct dsr_neigh_sm *n, uint32_t now_ms, uint32_t limit_ms)
{
	if (n->claim_logged && now_ms - n->claim_ms < limit_ms)
		return false;
	n->claim_logged = 1;
	n->claim_ms = now_ms;
	return true;
}

bool
dsr_neigh_probe_known(struct dsr_neigh_sm *n, const uint8_t mac[6], bool to_us, uint32_t now_ms)
{
	/* Relearning (the known MAC given up already), a disproven claim changes nothing. */
	if (!to_us || n->state != DSR_NEIGH_REFRESHING || n->tries == 0 || n->relearn)
		return false;
	memcpy(n->suspect, mac, 6);
	n->state = DSR_NEIGH_PROBING;
	n->tries = 0;
	n->next_ms = now_ms;
	return true;
}

bool
dsr_neigh_learn(struct dsr_neigh_sm *n, const uint8_t mac[6], const struct dsr_neigh_timing *t,
		uint32_t now_ms)
{
	bool changed = dsr_neigh_usable(n) != DSR_MAC_OK || !dsr_mac_eq(n->mac, mac);

	/* PROBING comes only from dsr_neigh_probe_known(), which set the suspect. */
	if (n->state == DSR_NEIGH_PROBING && dsr_mac_eq(n->mac, mac)) {
		uint64_t span = 2 * (uint64_t)t->refresh_ms;

		memcpy(n->disproven, n->suspect, 6);
		n->has_disproven = 1;
		n->disproven_until_ms =
			now_ms + (uint32_t)(span < DSR_NEIGH_MS_MAX ? span : DSR_NEIGH_MS_MAX);
	}
	memcpy(n->mac, mac, 6);
	n->has_mac = 1;
	n->state = DSR_NEIGH_REACHABLE;
	n->tries = 0;
	n->relearn = 0;
	n->confirmed_ms = now_ms;
	n->next_ms = now_ms + neigh_refresh_due(t);
	return changed;
}
