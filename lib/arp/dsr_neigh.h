/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_NEIGH_H
#define DSR_NEIGH_H

/**
 * @file
 * The neighbour state machine that resolves and refreshes a backend's
 * MAC, for both families: ARP (lib/arp, IPv4) and Neighbor Solicitation
 * (lib/nd, IPv6) embed struct dsr_neigh_sm in their neighbour rows and
 * drive it here; they keep the address, the frames and the log lines.
 * Pure C, no EAL, no clock: callers pass the time.
 *
 *   INCOMPLETE  a request when next_ms comes, then every retry_ms; when
 *               the retry after the max_tries-th request comes due: FAILED.
 *   REACHABLE   when confirmed_ms + dsr_neigh_refresh_due() comes:
 *               REFRESHING, and a request at once. The confirmation starts
 *               early enough (refresh_ms less max_tries * retry_ms, when
 *               the refresh is at least twice that) that a backend which
 *               stopped answering is FAILED within refresh_ms of its last
 *               confirmation.
 *   REFRESHING  like INCOMPLETE, but the MAC is still used.
 *   PROBING     an answer to a refresh named another MAC: requests go
 *               unicast to the known MAC, every retry_ms, and the MAC is
 *               still used. Its answer makes it REACHABLE again; after
 *               max_tries unanswered ones it is REFRESHING with relearn
 *               set (broadcast requests whose first answer sets the MAC,
 *               whatever it is).
 *   FAILED      one request every max(5 * retry_ms, 1 s); not used for
 *               new flows (the MAC, if any, is kept).
 *
 * An answer moves any of INCOMPLETE, REFRESHING, PROBING and FAILED with
 * a request outstanding (tries > 0) to REACHABLE. An answer that names
 * another MAC than the known one, while that one still answers
 * (REACHABLE, REFRESHING or PROBING, without relearn), is a claim: never
 * learned, so a host that answers for a backend's address cannot take its
 * traffic while the backend is up.
 *
 * A claim that sent us PROBING and was then answered by the known MAC is
 * disproven: for two refresh periods after that answer (renewed by each
 * one), that MAC's answers are claims in every state, relearn and FAILED
 * included. So a
 * host that floods answers for a backend's address until the backend's
 * own answers are lost (a busy slow path) does not win the relearning;
 * a backend that really moved to a new MAC is still followed (its new
 * MAC was never disproven).
 */

#include <stdbool.h>
#include <stdint.h>

#include "dsr_common.h"

/** A neighbour's state (struct dsr_neigh_sm.state). */
enum dsr_arp_neigh_state {
	DSR_NEIGH_INCOMPLETE = 0, /**< never resolved; requests going out */
	DSR_NEIGH_REACHABLE,      /**< resolved and confirmed within the refresh time */
	DSR_NEIGH_REFRESHING,     /**< refresh due: requests going out, MAC still used */
	DSR_NEIGH_FAILED,         /**< no answer to max_tries requests; still retried,
	                               one request every max(5 * retry_ms, 1000 ms) */
	DSR_NEIGH_PROBING,        /**< a reply named another MAC: unicast requests to the
	                               known MAC confirm it; MAC still used */
};

/** FAILED neighbours are retried every max(this * retry_ms, DSR_NEIGH_FAILED_MIN_MS). */
#define DSR_NEIGH_FAILED_FACTOR 5u
#define DSR_NEIGH_FAILED_MIN_MS 1000u
/** The largest *_ms value a neighbour timer takes. */
#define DSR_NEIGH_MS_MAX (1u << 30)

/** The timing of resolution (struct dsr_arp_params carries them for both families). */
struct dsr_neigh_timing {
	uint32_t refresh_ms; /**< confirm a resolved MAC this often */
	uint32_t retry_ms;   /**< between requests of one resolution */
	uint32_t max_tries;  /**< requests before FAILED */
};

/** One neighbour's resolution state, in the family's neighbour row. */
struct dsr_neigh_sm {
	uint8_t state;   /**< enum dsr_arp_neigh_state */
	uint8_t has_mac; /**< mac is valid (resolved at least once) */
	uint8_t mac[6];
	uint8_t tries;        /**< requests sent in the current resolution */
	uint8_t relearn;      /**< the known MAC stopped answering after another MAC
	                            claimed the address: the next answer sets the MAC */
	uint8_t claim_logged; /**< claim_ms is running (the claim log rate limit) */
	uint8_t pad0;
	uint32_t confirmed_ms; /**< last answer that confirmed it */
	uint32_t next_ms;      /**< when the next request (or refresh) is due */
	uint32_t claim_ms;     /**< last "claims backend address" log line */
	uint8_t suspect[6];    /**< in PROBING: the MAC whose claim sent us there */
	uint8_t disproven[6];  /**< a MAC whose claim the known MAC answered */
	uint8_t has_disproven; /**< disproven is set, until disproven_until_ms */
	uint8_t pad1[3];
	uint32_t disproven_until_ms;
};

/** What the family does for one step of a neighbour (its frames and log lines). */
struct dsr_neigh_ops {
	/** Send a request: to everyone, or unicast to the known MAC (PROBING). */
	void (*request)(void *ctx, struct dsr_neigh_sm *n, bool unicast);
	/** The known MAC did not answer the unicast requests (before relearning): log it. */
	void (*unconfirmed)(void *ctx, struct dsr_neigh_sm *n);
	/** The neighbour went FAILED after n->tries requests: log it. */
	void (*failed)(void *ctx, struct dsr_neigh_sm *n);
};

/** What an answer naming mac means for a neighbour (dsr_neigh_judge()). */
enum dsr_neigh_verdict {
	DSR_NEIGH_IGNORE = 0, /**< nothing to learn (no request outstanding, or not to us) */
	DSR_NEIGH_CLAIM,      /**< another MAC than the one that still answers */
	DSR_NEIGH_LEARN,      /**< learn mac: dsr_neigh_learn() */
};

/** What dsr_arp_lookup()/dsr_nd_lookup() say about n. */
enum dsr_mac_lookup dsr_neigh_usable(const struct dsr_neigh_sm *n);

/** A new neighbour: INCOMPLETE, its first request due at now_ms. */
void dsr_neigh_start(struct dsr_neigh_sm *n, uint32_t now_ms);

/**
 * Whether old (or none: NULL) and now give different lookups: another
 * result, or another MAC. For the `changed` flag of a reconfiguration.
 */
bool dsr_neigh_lookup_differs(const struct dsr_neigh_sm *old, const struct dsr_neigh_sm *now);

/**
 * Step a neighbour whose next_ms has come: the next request (through
 * ops), or the next state. Sets next_ms.
 * @return true if its lookup result changed (it went FAILED while usable
 *   or pending).
 */
bool dsr_neigh_step(struct dsr_neigh_sm *n, const struct dsr_neigh_timing *t, uint32_t now_ms,
		    const struct dsr_neigh_ops *ops, void *ctx);

/** Forget a claim log rate limit that has run out (so an old one never looks recent after a wrap). */
void dsr_neigh_claim_expire(struct dsr_neigh_sm *n, uint32_t now_ms, uint32_t limit_ms);

/**
 * An answer naming mac at now_ms; to_us: it answers a request of ours (to
 * our address and MAC, solicited).
 */
enum dsr_neigh_verdict dsr_neigh_judge(const struct dsr_neigh_sm *n, const uint8_t mac[6],
				       bool to_us, uint32_t now_ms);

/**
 * A claim (DSR_NEIGH_CLAIM): whether to log it now (at most once per
 * limit_ms); the limit restarts when it says yes.
 */
bool dsr_neigh_claim_log(struct dsr_neigh_sm *n, uint32_t now_ms, uint32_t limit_ms);

/**
 * A claim by mac that answers our refresh: confirm the known MAC with
 * unicast requests before anything else is believed (mac is the suspect).
 * Not while relearning (the known MAC was given up already). True if n
 * is PROBING now (tries 0, next_ms now_ms): the caller sends the first
 * request.
 */
bool dsr_neigh_probe_known(struct dsr_neigh_sm *n, const uint8_t mac[6], bool to_us,
			   uint32_t now_ms);

/**
 * Count one request sent (after the family sent it).
 */
void dsr_neigh_sent(struct dsr_neigh_sm *n);

/**
 * Learn mac (DSR_NEIGH_LEARN): REACHABLE, confirmed now, refresh due. The
 * known MAC answering after a suspect's claim disproves the suspect.
 * @return true if the lookup result changed (was not usable, or another MAC).
 */
bool dsr_neigh_learn(struct dsr_neigh_sm *n, const uint8_t mac[6], const struct dsr_neigh_timing *t,
		     uint32_t now_ms);

/** When a FAILED neighbour is retried, ms. */
uint32_t dsr_neigh_failed_retry_ms(const struct dsr_neigh_timing *t);

#endif /* DSR_NEIGH_H */
