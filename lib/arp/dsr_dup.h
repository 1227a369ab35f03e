/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_DUP_H
#define DSR_DUP_H

/**
 * @file
 * Duplicate address bookkeeping shared by ARP (lib/arp) and NDP (lib/nd):
 * the rate limits of each of our addresses (RFC 5227 DEFEND_INTERVAL for
 * defences, the same for each kind of log line, and a window of probe
 * answers), and the conflict table that `show conflicts` lists. The
 * families keep their frames and their log lines. Pure C, no EAL; time
 * is a wrapping millisecond clock passed in.
 */

#include <stdbool.h>
#include <stdint.h>

#define DSR_ARP_DEFEND_MS       10000u /**< RFC 5227 DEFEND_INTERVAL; also the log rate limit */
#define DSR_ARP_CONFLICTS_MAX   256u   /**< default size of the conflict table */
#define DSR_ARP_PROBE_ANSWERS   10u    /**< probes for one address answered per window */
#define DSR_ARP_PROBE_WINDOW_MS 1000u

/** What another MAC did with an address (struct dsr_conflict.kind). */
enum dsr_arp_conflict_kind {
	DSR_CONFLICT_USING = 0, /**< sent with our address as its own */
	DSR_CONFLICT_PROBE,     /**< probed for our address (ARP sender 0.0.0.0, NS from ::) */
	DSR_CONFLICT_BACKEND,   /**< answered for a backend whose MAC answers */
};

/** The rate-limit timers of struct dsr_dup_limits.flags (running when set). */
enum dsr_dup_timer {
	DSR_DUP_DEFENDED = 0x01,  /**< defend_ms: the last defence frame */
	DSR_DUP_LOG_USING = 0x02, /**< log_using_ms: the last "is using" line */
	DSR_DUP_LOG_PROBE = 0x04, /**< log_probe_ms: the last "probed for" line */
	DSR_DUP_PROBE_WIN = 0x08, /**< probe_win_ms: the window of probe answers */
};

/** The rate limits of one of our addresses on one port. */
struct dsr_dup_limits {
	uint8_t flags; /**< enum dsr_dup_timer bits */
	uint8_t pad[3];
	uint32_t defend_ms;
	uint32_t log_using_ms;
	uint32_t log_probe_ms;
	uint32_t probe_win_ms;  /**< start of the current window of probe answers */
	uint32_t probe_answers; /**< probes answered in that window */
};

/**
 * Whether the action that timer limits (a defence, or a kind of log line)
 * may happen now; if so, the timer runs DSR_ARP_DEFEND_MS from now. The
 * caller wakes up by dsr_dup_expire()'s due time.
 */
bool dsr_dup_take(struct dsr_dup_limits *l, enum dsr_dup_timer timer, uint32_t now_ms);

/**
 * Whether a probe for the address may be answered now: at most
 * DSR_ARP_PROBE_ANSWERS per DSR_ARP_PROBE_WINDOW_MS, whatever the defence
 * limit says (a prober that hears nothing takes the address).
 */
bool dsr_dup_probe_answer(struct dsr_dup_limits *l, uint32_t now_ms);

/**
 * Stop the timers that have run out (so an old one never looks recent
 * after a wrap of the clock).
 * @return true if some still run; *due_ms is then when the first ends.
 */
bool dsr_dup_expire(struct dsr_dup_limits *l, uint32_t now_ms, uint32_t *due_ms);

/** One conflict table row. */
struct dsr_conflict {
	uint8_t ip[16]; /**< our address (a backend's for DSR_CONFLICT_BACKEND), network
	                     order: an IPv4 one in the first 4 bytes, the rest zero */
	uint8_t mac[6]; /**< the other host's MAC */
	uint16_t port;
	uint8_t kind;   /**< enum dsr_arp_conflict_kind */
	uint8_t family; /**< DSR_AF_IPV4 or DSR_AF_IPV6 (dsr_common.h) */
	uint16_t pad;
	uint32_t first_ms;
	uint32_t last_ms;
	uint64_t count;
};

/** c's address as text, in buf (DSR_IP6_STR_LEN bytes). */
const char *dsr_conflict_ip_str(const struct dsr_conflict *c, char *buf);

/** The conflict table: max rows, oldest first. */
struct dsr_conflicts {
	struct dsr_conflict *rows;
	unsigned int n;
	unsigned int max;
};

/** An empty table of max rows (max >= 1). @return 0, or -1 without memory. */
int dsr_conflicts_init(struct dsr_conflicts *t, unsigned int max);

/** Free its rows. */
void dsr_conflicts_fini(struct dsr_conflicts *t);

/**
 * A new table of max rows holding the newest of t's rows in their order
 * (for a change of conflicts_max; the caller swaps it in, or frees it).
 * @return 0, or -1 without memory.
 */
int dsr_conflicts_resized(const struct dsr_conflicts *t, unsigned int max,
			  struct dsr_conflicts *out);

/**
 * Record one conflict: a row per (address, port, kind, MAC), counted, with
 * first and last times. ip has 4 bytes for DSR_AF_IPV4, 16 for IPv6.
 * @return true if the table was full and its oldest row went.
 */
bool dsr_conflicts_record(struct dsr_conflicts *t, uint8_t family, uint16_t port, const uint8_t *ip,
			  const uint8_t mac[6], enum dsr_arp_conflict_kind kind, uint32_t now_ms);

#endif /* DSR_DUP_H */
