/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_ARP_H
#define DSR_ARP_H

/**
 * @file
 * ARP on the main lcore: the responder for our port addresses and VIPs,
 * announcements, backend MAC resolution and refresh, and duplicate
 * address detection (RFC 5227, and Stratus STCP's duplicate-IP check).
 *
 * Pure C, no EAL: frames in and out are flat byte buffers, time is a
 * caller-supplied millisecond clock (uint32_t, wrapping), and frames to
 * send go through a callback. The daemon feeds it the ARP frames workers
 * hand over and calls dsr_arp_tick() every few milliseconds; tests drive
 * it directly. Nothing here is on the fast path.
 *
 * Frames sent are untagged, 60 bytes (42 bytes of Ethernet + ARP, zero
 * padded), except replies to a VLAN-tagged request (answers, and defence
 * replies to a tagged probe), which carry the same tag (64 bytes).
 *
 * Rate limits: per address (one of our addresses on one port), at most
 * one defence announcement per DSR_ARP_DEFEND_MS, and at most one log
 * line per DSR_ARP_DEFEND_MS for each kind of conflict. A probe for our
 * address is answered whatever the defence limit says, up to
 * DSR_ARP_PROBE_ANSWERS per DSR_ARP_PROBE_WINDOW_MS per address. A
 * backend's address claimed by another MAC is logged at most once per
 * DSR_ARP_DEFEND_MS per backend.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsr_conf.h"
#include "dsr_dup.h"
#include "dsr_neigh.h"

#define DSR_ARP_FRAME_LEN 60

/* X(ENUM, "name", "meaning"): per-port counters. */
#define DSR_ARP_COUNTERS(X)                                                                        \
	X(RX, "rx", "ARP frames received")                                                         \
	X(REQ_ANSWERED, "requests-answered", "requests for our addresses answered")                \
	X(REQ_IGNORED, "requests-ignored", "requests for addresses that are not ours")             \
	X(REPLIES_LEARNED, "replies-learned", "replies to our requests that set a backend MAC")    \
	X(REPLIES_IGNORED, "replies-ignored", "replies we did not ask for (never learned)")        \
	X(REQ_SENT, "requests-sent",                                                               \
	  "resolution and refresh requests sent (unicast confirmations included)")                 \
	X(ANNOUNCE_SENT, "announcements-sent", "gratuitous ARP announcements sent")                \
	X(CONFLICT_USING, "conflict-using", "frames from another MAC using our address")           \
	X(CONFLICT_PROBE, "conflict-probe",                                                        \
	  "probes (sender 0.0.0.0) from another MAC for our address")                              \
	X(DEFENDED, "defended", "defence announcements sent (at most one per address per 10 s)")   \
	X(PROBES_ANSWERED, "probes-answered", "probes for our address answered")                   \
	X(PROBES_LIMITED, "probes-limited",                                                        \
	  "probes not answered: over 10 per address in one second")                                \
	X(CONFLICT_BACKEND, "conflict-backend",                                                    \
	  "replies from another MAC for a backend whose MAC answers (never learned)")              \
	X(CONFLICT_TABLE_FULL, "conflict-table-full", "conflicts that replaced the oldest entry")  \
	X(BAD_TRUNCATED, "bad-truncated", "frame shorter than Ethernet + ARP")                     \
	X(BAD_HTYPE, "bad-htype", "hardware type is not Ethernet (1)")                             \
	X(BAD_PTYPE, "bad-ptype", "protocol type is not IPv4 (0x0800)")                            \
	X(BAD_HLEN, "bad-hlen", "hardware address length is not 6")                                \
	X(BAD_PLEN, "bad-plen", "protocol address length is not 4")                                \
	X(BAD_OP, "bad-op", "operation is neither request (1) nor reply (2)")                      \
	X(BAD_SENDER_MAC, "bad-sender-mac", "sender MAC is broadcast, multicast or zero")          \
	X(BAD_DST, "bad-dst", "request sent to a multicast Ethernet address")

#define DSR_X_ENUM(e, name, help) DSR_ARP_##e,
enum dsr_arp_counter { DSR_ARP_COUNTERS(DSR_X_ENUM) DSR_ARP_NCOUNTERS };
#undef DSR_X_ENUM

/**
 * Tunables (config commands `arp ...`). Accepted ranges: announce_count
 * 0..255, each *_ms 1..2^30, max_tries 1..255, conflicts_max 1..65536.
 */
struct dsr_arp_params {
	uint32_t announce_count;       /**< announcements per address (default 2; 0 = none) */
	uint32_t announce_interval_ms; /**< between them (default 2000) */
	uint32_t refresh_ms;           /**< confirm a resolved MAC this often (default 60000) */
	uint32_t retry_ms;             /**< between requests of one resolution (default 1000) */
	uint32_t max_tries;            /**< requests before FAILED (default 3) */
	uint32_t conflicts_max;        /**< conflict table size (default DSR_ARP_CONFLICTS_MAX) */
};

/** One neighbour: a backend IP on a port, resolved by ARP. */
struct dsr_arp_neigh {
	uint32_t ip; /**< network order */
	uint16_t port;
	uint16_t pad;
	struct dsr_neigh_sm sm; /**< its resolution (dsr_neigh.h) */
};

/** Send one frame on a port (the daemon queues it to a worker's TX ring). */
typedef void (*dsr_arp_tx_fn)(void *arg, uint16_t port, const uint8_t *frame, uint32_t len);

/** Emit one log line: level is a dsr_log level (DSR_LOG_WARNING, DSR_LOG_INFO). */
typedef void (*dsr_arp_log_fn)(void *arg, int level, const char *line);

struct dsr_arp;

/** Default tunables. */
void dsr_arp_params_default(struct dsr_arp_params *p);

/**
 * Create the state (malloc; main lcore only), with no ports or addresses
 * until dsr_arp_configure(). p NULL means the defaults; tx NULL drops
 * frames; log NULL sends lines to dsr_log(). arg is passed to both.
 * NULL on bad params or ENOMEM.
 */
struct dsr_arp *dsr_arp_create(const struct dsr_arp_params *p, dsr_arp_tx_fn tx, dsr_arp_log_fn log,
			       void *arg);
void dsr_arp_free(struct dsr_arp *a);

/**
 * Take a (new) configuration: port MACs (port_mac[i] for i < nb_ports),
 * port addresses, VIPs and backends come from conf. Our addresses are the
 * port addresses and the VIPs. A VIP is served (answered, announced) on
 * every port whose subnet holds it, or on every port with an address if
 * none does. Backends without a static MAC are resolved on the port whose
 * subnet holds them (the first, by port number); backends with a static
 * MAC are never resolved nor learned. Neighbours that stay keep their
 * state; new ones start INCOMPLETE with a request due now. Addresses that
 * are new (all of them on the first call) are announced: announce_count
 * gratuitous requests (sender IP = target IP = ours, target MAC zero,
 * broadcast), the first at now_ms; only dsr_arp_tick() sends them.
 * Addresses that stay are not announced again (announcements still
 * pending for them go on); removed ones stop. The tunables are replaced
 * by params (NULL: kept); a smaller conflicts_max keeps the newest rows.
 * A backend at a port's own address gets no neighbour.
 * @return 0, or -1 (bad params, nb_ports > DSR_MAX_PORTS, ENOMEM) with the
 * state unchanged.
 */
int dsr_arp_configure(struct dsr_arp *a, const struct dsr_conf *conf,
		      const struct dsr_arp_params *params, const uint8_t (*port_mac)[6],
		      uint16_t nb_ports, uint32_t now_ms);

/**
 * Handle one received frame (starting at the Ethernet header; one 802.1Q
 * tag allowed) from port. Validates it (malformed frames are counted by
 * reason and dropped), detects conflicts, answers requests for our
 * addresses (probes too), defends, and learns from replies to our own
 * outstanding requests only (sender IP = a neighbour in INCOMPLETE,
 * REFRESHING, PROBING or FAILED state on that port, with a request
 * outstanding, target IP = the port's address, target MAC = the port's
 * MAC). A reply that names another MAC than the one a neighbour has and
 * that still answers (REACHABLE, REFRESHING, PROBING) never replaces it:
 * it is counted (conflict-backend), logged and recorded as a conflict, and
 * if it answers our refresh the known MAC is confirmed by unicast requests
 * (PROBING); only when those go unanswered is a broadcast request's answer
 * taken, whatever its MAC. A FAILED neighbour takes the next answer.
 * A frame whose sender MAC is one of ours is ignored.
 * Order: validation (RX, then the first BAD_* reason), own-MAC check,
 * conflict "using" (and its defence), then the request (the probe answer,
 * or the answer) or the reply (learning). A frame of another ethertype is
 * ignored without being counted; a port >= DSR_MAX_PORTS is ignored.
 */
void dsr_arp_input(struct dsr_arp *a, uint16_t port, const uint8_t *frame, uint32_t len,
		   uint32_t now_ms);

/**
 * A port's kernel interface and ARP (lib/lb): dsrlb answers ARP for the
 * port's address itself; the kernel sends its own requests, and learns
 * its neighbours from copies of the received ARP frames for that address.
 * What to do with a frame (network order ip, the port's address):
 */
enum dsr_arp_kernel {
	DSR_ARP_KERNEL_NONE = 0, /**< not a valid ARP frame for ip: only dsrlb sees it */
	DSR_ARP_KERNEL_COPY,     /**< received, for ip (a request or a reply): the kernel too */
	DSR_ARP_KERNEL_DROP,     /**< sent by the kernel: a reply, which dsrlb has sent already */
	DSR_ARP_KERNEL_SEND,     /**< sent by the kernel: a request, goes out of the port */
};

/** Received frame: DSR_ARP_KERNEL_COPY or DSR_ARP_KERNEL_NONE. Pure. */
enum dsr_arp_kernel dsr_arp_kernel_rx(const uint8_t *frame, uint32_t len, uint32_t ip);

/**
 * A frame the kernel interface sent: DROP for an ARP reply, SEND for an
 * ARP request, NONE for anything else (which goes out too). Pure.
 */
enum dsr_arp_kernel dsr_arp_kernel_tx(const uint8_t *frame, uint32_t len);

/**
 * Send what is due at now_ms: announcements (first), then requests and
 * refreshes; move neighbours to REFRESHING and FAILED; clear expired rate
 * limits. Returns at once while nothing is due, so it is cheap to call
 * every few milliseconds (at least once per 24 days, for the wrapping clock).
 */
void dsr_arp_tick(struct dsr_arp *a, uint32_t now_ms);

/**
 * True (once) when a neighbour's MAC or usability changed since the last
 * call: the caller then rebuilds the generation with dsr_arp_lookup().
 */
bool dsr_arp_take_changed(struct dsr_arp *a);

/**
 * The MAC of backend IP ip (the neighbour on whatever port resolves it).
 * @return DSR_MAC_OK: resolved and usable (REACHABLE, REFRESHING or
 * PROBING), mac set; DSR_MAC_LOST: resolved once but FAILED now, mac set
 * (the last one); DSR_MAC_PENDING: not resolved yet, or no such neighbour
 * (no MAC); DSR_MAC_NEVER: FAILED without ever being resolved (no MAC).
 * See enum dsr_mac_lookup for what the balancer does with each.
 */
enum dsr_mac_lookup dsr_arp_lookup(const struct dsr_arp *a, uint32_t ip, uint8_t mac[6]);

/** Counter of a port (port < DSR_MAX_PORTS). */
uint64_t dsr_arp_counter(const struct dsr_arp *a, uint16_t port, enum dsr_arp_counter c);
const char *dsr_arp_counter_name(enum dsr_arp_counter c);

/**
 * Neighbours, sorted by IP: *n is set to their number; the array stays
 * valid until the next configure.
 */
const struct dsr_arp_neigh *dsr_arp_neighbours(const struct dsr_arp *a, unsigned int *n);

/** Conflict rows in the order they were first seen (oldest first). */
const struct dsr_conflict *dsr_arp_conflicts(const struct dsr_arp *a, unsigned int *n);

const char *dsr_arp_state_name(enum dsr_arp_neigh_state s);
/** "using", "probe" or "backend". */
const char *dsr_arp_conflict_kind_name(enum dsr_arp_conflict_kind k);

#endif /* DSR_ARP_H */
