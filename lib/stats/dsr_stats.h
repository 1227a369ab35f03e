/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_STATS_H
#define DSR_STATS_H

/**
 * @file
 * Counters. Each worker owns one struct dsr_stats_lcore and is its only
 * writer; readers (the main lcore) sum all workers' blocks on demand.
 * Increments are plain loads and stores (relaxed atomics: no lock prefix),
 * so a reader sees each counter whole. Pure C, no EAL.
 *
 * Drop reasons and events come from one X-macro each, as in VPP's
 * foreach_lb_error, so names, help and enums cannot drift apart.
 */

#include <stdint.h>

#include "dsr_common.h"

/* X(ENUM, "name", "meaning") */
#define DSR_DROP_REASONS(X)                                                                         \
	X(NOT_OURS, "not-our-mac", "frame not addressed to the port's MAC address")                 \
	X(NOT_IPV4, "not-ipv4", "neither IPv4 nor ARP, or more than one VLAN tag")                  \
	X(MALFORMED, "malformed", "truncated or inconsistent Ethernet, IPv4, TCP or UDP header")    \
	X(OVERSIZE, "oversize",                                                                     \
	  "IPv4 datagram longer than its frame, which is longer than any standard Ethernet "        \
	  "frame: cut by the driver (net_af_packet's ring)")                                        \
	X(FRAGMENT, "fragment", "IPv4 fragment")                                                    \
	X(TTL, "ttl", "IPv4 TTL of 0 or 1")                                                         \
	X(NOT_VIP, "not-vip", "no VIP matches destination address, port and protocol")              \
	X(MARTIAN, "martian",                                                                       \
	  "source address no client can have: 0/8, 127/8, 224/4, 240/4, the VIP or the port's own") \
	X(NO_BACKEND, "no-backend", "the VIP has no backend that takes new flows")                  \
	X(NO_STATE, "no-state", "strict-syn: a non-SYN TCP packet without a connection")            \
	X(NO_MAC, "no-mac", "the backend's MAC address is not known")                               \
	X(SLOW_FULL, "slowpath-full", "the ring to the main lcore was full")                        \
	X(TX_FULL, "tx-full", "the transmit queue was full")

#define DSR_EVENTS(X)                                                                              \
	X(CT_NEW, "ct-new", "connection entries created")                                          \
	X(CT_MIDFLOW, "ct-midflow",                                                                \
	  "entries created from a non-SYN packet (after a restart or loss)")                       \
	X(CT_REUSE, "ct-reuse", "a SYN on a closing entry started a new connection")               \
	X(CT_RST, "ct-rst", "entries removed at once by a client RST")                             \
	X(RST_OUT_OF_WINDOW, "rst-out-of-window",                                                  \
	  "RSTs forwarded whose sequence number is far from the flow's: entry kept")               \
	X(CT_EXPIRED, "ct-expired", "entries aged out")                                            \
	X(CT_FULL, "ct-full", "packets forwarded by Maglev alone because the table was full")      \
	X(CT_STALE, "ct-stale", "entries whose backend was removed, re-chosen by Maglev")          \
	X(CT_FLUSHED, "ct-flushed", "entries removed by conns flush")                              \
	X(SLOWPATH, "slowpath", "frames passed to the main lcore (ARP)")

#define DSR_X_ENUM(e, name, help) DSR_DROP_##e,
enum dsr_drop { DSR_DROP_REASONS(DSR_X_ENUM) DSR_DROP_MAX };
#undef DSR_X_ENUM
#define DSR_X_ENUM(e, name, help) DSR_EV_##e,
enum dsr_event { DSR_EVENTS(DSR_X_ENUM) DSR_EV_MAX };
#undef DSR_X_ENUM

/** Traffic counters of one VIP or backend. */
struct dsr_ctr_flow {
	uint64_t pkts;
	uint64_t bytes;
	uint64_t new_conns; /**< connection entries created */
	uint64_t active;    /**< live entries (this worker's table) */
};

struct dsr_ctr_port {
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t tx_pkts;
	uint64_t tx_bytes;
};

/** One worker's counters. Allocate 64-byte aligned. */
struct dsr_stats_lcore {
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t fwd_pkts;
	uint64_t fwd_bytes;
	uint64_t drop[DSR_DROP_MAX];
	uint64_t event[DSR_EV_MAX];
	uint64_t polls;      /**< loop iterations */
	uint64_t busy_polls; /**< iterations that received at least one packet */
	/* Cycle accounting (dsrlb --record-cycles), by stage of a burst. */
	uint64_t cyc_pkts;   /**< packets in the accounted bursts */
	uint64_t cyc_rx;     /**< rte_eth_rx_burst() of non-empty bursts */
	uint64_t cyc_parse;  /**< classify: parse, VIP match, hash, prefetch */
	uint64_t cyc_table;  /**< decide: table lookup/insert, state, rewrite (Maglev included) */
	uint64_t cyc_maglev; /**< of which Maglev lookups (flows without an entry) */
	uint64_t cyc_tx;     /**< rte_eth_tx_burst() and freeing */
	struct dsr_ctr_port port[DSR_MAX_PORTS];
	struct dsr_ctr_flow vip[DSR_MAX_VIPS];
	struct dsr_ctr_flow backend[DSR_MAX_BACKENDS];
} __attribute__((aligned(64)));

/** Add v to a counter the calling thread owns. */
#define DSR_CTR_ADD(c, v)                                                                          \
	__atomic_store_n(&(c), __atomic_load_n(&(c), __ATOMIC_RELAXED) + (v), __ATOMIC_RELAXED)

/** Read a counter owned by another thread. */
#define DSR_CTR_GET(c) __atomic_load_n(&(c), __ATOMIC_RELAXED)

/** Set out to the sum of n workers' counters (out may be uninitialised). */
void dsr_stats_sum(struct dsr_stats_lcore *out, const struct dsr_stats_lcore *const *per,
		   unsigned int n);

/** Sum of all drop counters of s. */
uint64_t dsr_stats_drops(const struct dsr_stats_lcore *s);

const char *dsr_drop_name(enum dsr_drop d);
const char *dsr_drop_help(enum dsr_drop d);
const char *dsr_event_name(enum dsr_event e);
const char *dsr_event_help(enum dsr_event e);

#endif /* DSR_STATS_H */
