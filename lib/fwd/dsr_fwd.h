/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_FWD_H
#define DSR_FWD_H

/**
 * @file
 * The per-packet path of a worker, on a flat frame: classify, match the
 * VIP, find or create the connection, choose the backend, rewrite the
 * Ethernet addresses. Pure C, no EAL and no mbuf, so unit tests, fuzzers
 * and the worker's burst loop all run the same code.
 *
 * A burst runs in two stages so that table cache misses overlap:
 * dsr_fwd_classify() on every packet (parse, VIP match, hash, prefetch
 * the table buckets), then dsr_fwd_decide() on each packet that needs it.
 * Only the Ethernet addresses of a forwarded frame change; IP, TCP/UDP
 * and payload are left byte for byte as received.
 */

#include <stdint.h>

#include "dsr_ct.h"
#include "dsr_ct6.h"
#include "dsr_frag.h"
#include "dsr_gen.h"
#include "dsr_pkt.h"
#include "dsr_stats.h"

enum dsr_fwd_verdict {
	DSR_FWD_TX = 0,  /**< frame rewritten: transmit on the port it came in on */
	DSR_FWD_SLOW,    /**< hand to the main lcore (ARP; for the kernel interface) */
	DSR_FWD_DROP,    /**< free it; the reason is already counted */
	DSR_FWD_PENDING, /**< classify only: call dsr_fwd_decide() */
};

/** One worker's forwarding state. The worker is its only user. */
struct dsr_fwd {
	struct dsr_ct *ct;
	struct dsr_frag *frag; /**< fragments' backends (NULL: later fragments by address only) */
	struct dsr_ct6 *ct6;   /**< the IPv6 table (NULL: IPv6 is dropped as not-ipv4) */
	struct dsr_stats_lcore *st;
	const struct dsr_gen *gen; /**< generation of the current burst */
	uint64_t timeouts_version; /**< generation whose timeouts ct has */
	uint64_t (*cycles)(void);  /**< cycle counter when accounting (NULL: off) */
	uint8_t port_mac[DSR_MAX_PORTS][6];
	uint64_t port_mac_w[DSR_MAX_PORTS]; /**< port_mac in the low-addressed 6 bytes of a word */
};

/** What a PENDING packet is: how decide treats it. */
enum dsr_fwd_kind {
	DSR_FWD_K_FLOW = 0, /**< a packet of flow: table, Maglev */
	DSR_FWD_K_ICMP,     /**< an ICMP error about flow: its backend, no entry made or touched */
	DSR_FWD_K_FRAG_FIRST, /**< a first fragment of flow: as K_FLOW, then remembered */
	/** A later fragment: flow has addresses and protocol only; vip is unset. */
	DSR_FWD_K_FRAG_LATER,
	/** IPv6 TCP/UDP: flow holds only the protocol; decide parses the frame again. */
	DSR_FWD_K_FLOW6,
	DSR_FWD_K_ICMP6, /**< an ICMPv6 error about a flow of VIP vip (as K_FLOW6) */
};

/** What classify learned about a packet, for decide. */
struct dsr_fwd_meta {
	struct dsr_flow flow;
	uint64_t hash;     /**< dsr_flow_table_hash(&flow), the table's */
	uint16_t vip;      /**< VIP id */
	uint16_t port;     /**< port it came in on */
	uint16_t seq_hint; /**< TCP: dsr_ct_seq_hint() of the segment's seq + length */
	uint8_t tcp_flags; /**< 0 for UDP */
	uint8_t kind;      /**< enum dsr_fwd_kind */
};

/** Set up f for a worker that owns ct and st (registers ct's free callback). */
void dsr_fwd_init(struct dsr_fwd *f, struct dsr_ct *ct, struct dsr_stats_lcore *st);

/** Give f an IPv6 table (made by the caller, like ct; registers its free callback). */
void dsr_fwd_set_ct6(struct dsr_fwd *f, struct dsr_ct6 *ct6);

/** Give f a fragment table (made by the caller, like ct). */
void dsr_fwd_set_frag(struct dsr_fwd *f, struct dsr_frag *frag);

/** Set the MAC address of a port (the source MAC of frames sent on it). */
void dsr_fwd_set_port_mac(struct dsr_fwd *f, uint16_t port, const uint8_t mac[6]);

/** Start a burst under generation g (picks up changed timeouts). */
void dsr_fwd_begin(struct dsr_fwd *f, const struct dsr_gen *g);

/** Count received frames (the burst loop does it once per burst). */
void dsr_fwd_count_rx(struct dsr_fwd *f, uint16_t port, uint64_t pkts, uint64_t bytes);

/** Count forwarded frames (the burst loop does it once per burst). */
void dsr_fwd_count_fwd(struct dsr_fwd *f, uint64_t pkts, uint64_t bytes);

/** Stage 1 (the caller counts rx). Returns DSR_FWD_PENDING, or a final verdict. */
enum dsr_fwd_verdict dsr_fwd_classify(struct dsr_fwd *f, const uint8_t *frame, uint32_t len,
				      uint16_t port, struct dsr_fwd_meta *m);

/**
 * Stage 2 for a PENDING packet: returns TX (frame rewritten; the caller
 * counts it) or DROP; or SLOW for a later fragment, without its first,
 * to the address of a port with a kernel interface.
 */
enum dsr_fwd_verdict dsr_fwd_decide(struct dsr_fwd *f, uint8_t *frame, uint32_t len,
				    const struct dsr_fwd_meta *m, uint32_t now_ms);

/** Most frames dsr_fwd_burst() takes at once. */
#define DSR_FWD_BURST_MAX 64

/**
 * Forward a burst of n frames (at most DSR_FWD_BURST_MAX; more are not
 * looked at) received on port, as a worker does: dsr_fwd_stage1() then
 * dsr_fwd_stage2(). Sets verdict[i] to TX (frame i rewritten), SLOW or
 * DROP (counted), and counts rx and forwarding. @return the number of
 * TX verdicts.
 */
unsigned int dsr_fwd_burst(struct dsr_fwd *f, uint8_t *const frame[], const uint16_t len[],
			   unsigned int n, uint16_t port, uint32_t now_ms, uint8_t verdict[]);

/**
 * The first half of dsr_fwd_burst(): classify n frames from port (the
 * common frame, untagged IPv4 to a VIP, inline; others through
 * dsr_fwd_classify()), prefetch their table buckets, count rx. verdict[i]
 * is PENDING (meta[i] filled) or final. Both stages of a burst must run
 * under the same generation (dsr_fwd_begin()). With f->cycles set,
 * accounts cyc_parse and cyc_pkts.
 */
void dsr_fwd_stage1(struct dsr_fwd *f, uint8_t *const frame[], const uint16_t len[], unsigned int n,
		    uint16_t port, struct dsr_fwd_meta meta[], uint8_t verdict[]);

/**
 * The second half: for each PENDING frame, find or create its entry and
 * rewrite it (the established case inline, others through the general
 * decide), setting verdict[i] to TX or DROP; count forwarding. With
 * f->cycles set, accounts cyc_table. @return the number of TX verdicts.
 */
unsigned int dsr_fwd_stage2(struct dsr_fwd *f, uint8_t *const frame[], const uint16_t len[],
			    unsigned int n, uint32_t now_ms, const struct dsr_fwd_meta meta[],
			    uint8_t verdict[]);

/** Both stages for one frame, counting rx and forwarding as the burst loop does. */
enum dsr_fwd_verdict dsr_fwd_frame(struct dsr_fwd *f, uint8_t *frame, uint32_t len, uint16_t port,
				   uint32_t now_ms);

#endif /* DSR_FWD_H */
