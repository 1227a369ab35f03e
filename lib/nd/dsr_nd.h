/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_ND_H
#define DSR_ND_H

/**
 * @file
 * IPv6 Neighbor Discovery (RFC 4861) and Duplicate Address Detection
 * (RFC 4862) on the main lcore: the IPv6 twin of lib/arp. The responder
 * for our port addresses and VIPs, DAD at start, unsolicited Neighbor
 * Advertisements (announcements), backend MAC resolution and refresh by
 * Neighbor Solicitation, and the duplicate-address checks with ARP's log
 * lines, rate limits and conflict table (docs/ndp.md).
 *
 * Pure C, no EAL: frames in and out are flat byte buffers, time is a
 * caller-supplied millisecond clock (uint32_t, wrapping), and frames to
 * send go through a callback. Nothing here is on the fast path.
 *
 * Configuration does not come from struct dsr_conf: the caller lists our
 * addresses (which port serves which address is decided by the caller)
 * and the backends to resolve (with the port to resolve each on).
 * IPv6 addresses are uint8_t[16] in network order throughout.
 *
 * It shares with lib/arp the tunables, the neighbour states, the conflict
 * kinds, the callbacks' types and the rate limits (DSR_ARP_DEFEND_MS,
 * DSR_ARP_PROBE_ANSWERS per DSR_ARP_PROBE_WINDOW_MS).
 *
 * Frames sent: Neighbor Advertisements and Solicitations with a
 * link-layer address option are 86 bytes (Ethernet 14, IPv6 40, ICMPv6
 * 24, option 8), DAD probes 78 (no option); answers to a VLAN-tagged
 * frame carry the same tag (4 bytes more). Hop limit 255, checksum set.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsr_arp.h"
#include "dsr_common.h"

#define DSR_ND_FRAME_LEN     86u /**< NA or NS with a link-layer address option */
#define DSR_ND_DAD_FRAME_LEN 78u /**< DAD probe: NS from ::, no option */

/* ICMPv6 types (RFC 4861 section 4). */
#define DSR_ND_RS 133u
#define DSR_ND_RA 134u
#define DSR_ND_NS 135u
#define DSR_ND_NA 136u
#define DSR_ND_RD 137u

/* X(ENUM, "name", "meaning"): per-port counters (ARP's names where they apply). */
#define DSR_ND_COUNTERS(X)                                                                         \
	X(RX, "rx", "ND frames received (NS, NA, RS, RA, redirect)")                               \
	X(REQ_ANSWERED, "requests-answered", "solicitations for our addresses answered")           \
	X(REQ_IGNORED, "requests-ignored", "solicitations for addresses that are not ours")        \
	X(REQ_TENTATIVE, "requests-tentative",                                                     \
	  "solicitations for our addresses still in DAD (not answered, RFC 4862)")                 \
	X(REPLIES_LEARNED, "replies-learned", "advertisements answering our NS that set a MAC")    \
	X(REPLIES_IGNORED, "replies-ignored", "advertisements we did not ask for (never learned)") \
	X(REQ_SENT, "requests-sent",                                                               \
	  "resolution and refresh solicitations sent (unicast confirmations included)")            \
	X(ANNOUNCE_SENT, "announcements-sent", "unsolicited advertisements sent")                  \
	X(DAD_SENT, "dad-probes-sent", "DAD probes sent (NS from ::)")                             \
	X(DAD_FAILED, "dad-failed", "addresses whose DAD saw another MAC (used anyway)")           \
	X(CONFLICT_USING, "conflict-using", "frames from another MAC using our address")           \
	X(CONFLICT_PROBE, "conflict-probe", "DAD probes (NS from ::) from another MAC for ours")   \
	X(DEFENDED, "defended", "defence advertisements sent (at most one per address per 10 s)")  \
	X(PROBES_ANSWERED, "probes-answered", "probes for our address answered")                   \
	X(PROBES_LIMITED, "probes-limited",                                                        \
	  "probes not answered: over 10 per address in one second")                                \
	X(CONFLICT_BACKEND, "conflict-backend",                                                    \
	  "advertisements from another MAC for a backend whose MAC answers (never learned)")       \
	X(CONFLICT_TABLE_FULL, "conflict-table-full", "conflicts that replaced the oldest entry")  \
	X(OTHER_TYPE, "other-types", "router solicitations, advertisements, redirects (ignored)")  \
	X(MLD_QUERIES, "mld-queries", "MLD queries received (general or for one of our groups)")   \
	X(MLD_REPORTS, "mld-reports-sent",                                                         \
	  "MLD reports sent (answers to queries, and unsolicited ones on a change)")               \
	X(MLD_LIMITED, "mld-queries-limited",                                                      \
	  "MLD queries not answered: over 10 answered on the port in one second")                  \
	X(MLD_BAD, "mld-bad",                                                                      \
	  "MLD queries dropped: hop limit not 1, source not link-local, no router alert, bad "     \
	  "length, checksum or group")                                                             \
	X(BAD_TRUNCATED, "bad-truncated", "frame shorter than its headers or payload length")      \
	X(BAD_VERSION, "bad-version", "IP version is not 6")                                       \
	X(BAD_HOP_LIMIT, "bad-hop-limit", "hop limit is not 255")                                  \
	X(BAD_CODE, "bad-code", "ICMPv6 code is not 0")                                            \
	X(BAD_LENGTH, "bad-length", "ICMPv6 length is under 24")                                   \
	X(BAD_CHECKSUM, "bad-checksum", "ICMPv6 checksum is wrong")                                \
	X(BAD_SOURCE, "bad-source", "IPv6 source is multicast")                                    \
	X(BAD_TARGET, "bad-target", "target address is multicast")                                 \
	X(BAD_OPTION, "bad-option", "an option of length 0, past the end, or a bad MAC option")    \
	X(BAD_DAD_DST, "bad-dad-dst", "NS from :: not to the target's solicited-node group")       \
	X(BAD_DAD_OPTION, "bad-dad-option", "NS from :: with a source link-layer option")          \
	X(BAD_NA_SOURCE, "bad-na-source", "NA from ::")                                            \
	X(BAD_NA_SOLICITED, "bad-na-solicited", "NA to a multicast address with S set")            \
	X(BAD_SENDER_MAC, "bad-sender-mac", "sender MAC is broadcast, multicast or zero")          \
	X(BAD_DST, "bad-dst", "Ethernet destination does not match the IPv6 destination")

#define DSR_X_ENUM(e, name, help) DSR_ND_##e,
enum dsr_nd_counter { DSR_ND_COUNTERS(DSR_X_ENUM) DSR_ND_NCOUNTERS };
#undef DSR_X_ENUM

/**
 * Tunables: lib/arp's (so that `arp ...` settings can apply to both),
 * with their meaning and ranges for NS and NA (announce_count unsolicited
 * NAs, retry_ms between NS, max_tries NS before FAILED), and DAD's.
 * dad_transmits 0..255 (0: no DAD, addresses are used at once),
 * dad_retrans_ms 1..2^30.
 */
struct dsr_nd_params {
	struct dsr_arp_params arp; /**< as lib/arp; defaults dsr_arp_params_default() */
	uint32_t dad_transmits;    /**< DupAddrDetectTransmits (default 1) */
	uint32_t dad_retrans_ms;   /**< RetransTimer: between probes, and the wait after
	                                the last (default 1000) */
	uint32_t mld_reports;      /**< unsolicited MLD reports on a change of our groups,
	                                1 s apart (default 2, RFC 3810's robustness; 0: none;
	                                queries are answered whatever it says) */
};

/** What one of our addresses is. */
enum dsr_nd_addr_kind {
	DSR_ND_ADDR_PORT = 0, /**< a port address: the source of our NS on that port */
	DSR_ND_ADDR_VIP,      /**< a VIP served on that port */
};

/** One of our addresses on one port (configuration input). */
struct dsr_nd_addr {
	uint8_t ip[16];
	uint16_t port;
	uint8_t kind; /**< enum dsr_nd_addr_kind */
	uint8_t pad;
};

/** A backend to resolve (configuration input). */
struct dsr_nd_target {
	uint8_t ip[16];
	uint16_t port; /**< the port to resolve it on */
};

/** A configuration: everything dsr_nd_configure() takes but the tunables. */
struct dsr_nd_config {
	uint16_t nb_ports;
	const uint8_t (*port_mac)[6]; /**< nb_ports MACs */
	const struct dsr_nd_addr *addrs;
	unsigned int n_addrs;
	const struct dsr_nd_target *backends;
	unsigned int n_backends;
};

/** DAD state of one of our addresses. */
enum dsr_nd_addr_state {
	DSR_ND_TENTATIVE = 0, /**< DAD running: not answered for, not announced */
	DSR_ND_PREFERRED,     /**< in use */
};

/** One of our addresses as it is now (dsr_nd_addr_get()). */
struct dsr_nd_addr_info {
	uint8_t ip[16];
	uint16_t port;
	uint8_t kind;      /**< enum dsr_nd_addr_kind */
	uint8_t state;     /**< enum dsr_nd_addr_state */
	uint8_t duplicate; /**< DAD saw another MAC with it (dsrlb uses it anyway) */
};

/** One neighbour: a backend address on a port, resolved by NS. */
struct dsr_nd_neigh {
	uint8_t ip[16];
	uint16_t port;
	uint16_t pad;
	struct dsr_neigh_sm sm; /**< its resolution (lib/arp's dsr_neigh.h) */
};

struct dsr_nd;

/** Default tunables. */
void dsr_nd_params_default(struct dsr_nd_params *p);

/**
 * Create the state (malloc; main lcore only), with no ports or addresses
 * until dsr_nd_configure(). p NULL means the defaults; tx NULL drops
 * frames; log NULL sends lines to dsr_log(). arg is passed to both.
 * NULL on bad params or ENOMEM.
 */
struct dsr_nd *dsr_nd_create(const struct dsr_nd_params *p, dsr_arp_tx_fn tx, dsr_arp_log_fn log,
			     void *arg);
void dsr_nd_free(struct dsr_nd *nd);

/**
 * Take a (new) configuration; may be repeated. Addresses that stay (same
 * port and address) keep their state; new ones (all on the first call)
 * start TENTATIVE: dad_transmits DAD probes retrans apart, the first at
 * now_ms, then dad_retrans_ms of waiting, then PREFERRED and
 * announce_count unsolicited NAs (with dad_transmits 0: PREFERRED at
 * once). Only dsr_nd_tick() sends. Neighbours that stay (same address on
 * the same port) keep their state and learned MAC; new ones start
 * INCOMPLETE with an NS due now. A backend equal to a port address of its
 * port gets no neighbour. The tunables are replaced by params (NULL:
 * kept); a smaller conflicts_max keeps the newest rows.
 * @return 0, or -1 with the state unchanged: bad params, nb_ports over
 * DSR_MAX_PORTS, an address or backend on a port >= nb_ports, a multicast
 * or unspecified address, a backend on a port without a port address (no
 * source for its NS), ENOMEM.
 */
int dsr_nd_configure(struct dsr_nd *nd, const struct dsr_nd_config *c,
		     const struct dsr_nd_params *params, uint32_t now_ms);

/**
 * Handle one received frame (Ethernet, one 802.1Q tag allowed) from
 * port. Frames that are not ICMPv6 ND (another ethertype, another next
 * header: extension headers are not walked, another ICMPv6 type) are
 * ignored without being counted; RS, RA and redirects are counted
 * (other-types) and ignored; NS and NA are validated (RFC 4861 7.1.1,
 * 7.1.2; the first failing check's bad-* counter), then, as in lib/arp:
 * own-MAC check, conflict "using" (NS from, or NA for, our address from
 * another MAC; defended), then NS: the probe answer or the answer; NA:
 * learning (answers to our own NS only). A port >= DSR_MAX_PORTS is
 * ignored.
 */
void dsr_nd_input(struct dsr_nd *nd, uint16_t port, const uint8_t *frame, uint32_t len,
		  uint32_t now_ms);

/**
 * Send what is due at now_ms: DAD probes and the end of DAD, then
 * announcements, then solicitations and refreshes; clear expired rate
 * limits. Cheap while nothing is due.
 */
void dsr_nd_tick(struct dsr_nd *nd, uint32_t now_ms);

/**
 * An MLD frame received on port (one whose shape dsr_pkt6_mld_off()
 * recognises). Queries are validated (hop limit 1, link-local source,
 * router alert, length, checksum) and answered at once with reports of
 * the port's solicited-node groups (all of them for a general query, the
 * one asked for otherwise): MLDv2 reports to ff02::16 for an MLDv2 query,
 * MLDv1 reports to the group for an MLDv1 one, and for 260 s after an
 * MLDv1 query the unsolicited reports are MLDv1 too (RFC 3810 8.2).
 * Reports and Done from other hosts are ignored.
 */
void dsr_nd_mld_input(struct dsr_nd *nd, uint16_t port, const uint8_t *frame, uint32_t len,
		      uint32_t now_ms);

/** The link-local address MLD reports on a port come from: modified EUI-64 of its MAC. */
void dsr_nd_link_local(const uint8_t mac[6], uint8_t out[16]);

/**
 * A port's kernel interface and ND (lib/lb), as dsr_arp_kernel_rx() and
 * dsr_arp_kernel_tx() for ARP: dsrlb answers NS for the port's IPv6
 * address ip6 itself; the kernel sends its own NS and learns its
 * neighbours from copies of received NS for ip6 and NA to ip6.
 * Received frame: DSR_ARP_KERNEL_COPY for a valid NS whose target is ip6
 * or NA whose destination is ip6 (neither from :: nor from ip6), else
 * DSR_ARP_KERNEL_NONE. Pure.
 */
enum dsr_arp_kernel dsr_nd_kernel_rx(const uint8_t *frame, uint32_t len, const uint8_t ip6[16]);

/**
 * A frame the kernel interface sent: DROP for an NA (dsrlb has answered),
 * SEND for an NS, NONE for anything else (which goes out too). Pure.
 */
enum dsr_arp_kernel dsr_nd_kernel_tx(const uint8_t *frame, uint32_t len);

/** True (once) when a neighbour's MAC or usability changed since the last call. */
bool dsr_nd_take_changed(struct dsr_nd *nd);

/** As dsr_arp_lookup(), for an IPv6 backend. */
enum dsr_mac_lookup dsr_nd_lookup(const struct dsr_nd *nd, const uint8_t ip[16], uint8_t mac[6]);

/**
 * The multicast MACs port must accept (for rte_eth_dev_set_mc_addr_list):
 * all-nodes 33:33:00:00:00:01, and the solicited-node group
 * 33:33:ff:xx:xx:xx of each of our addresses on the port, sorted, without
 * duplicates. Fills up to max entries of macs; returns how many there
 * are (which may be more than max).
 */
unsigned int dsr_nd_mc_macs(const struct dsr_nd *nd, uint16_t port, uint8_t (*macs)[6],
			    unsigned int max);

/** Our address i (0 <= i < the count), sorted by (port, ip). False past the end. */
bool dsr_nd_addr_get(const struct dsr_nd *nd, unsigned int i, struct dsr_nd_addr_info *out);

uint64_t dsr_nd_counter(const struct dsr_nd *nd, uint16_t port, enum dsr_nd_counter c);
const char *dsr_nd_counter_name(enum dsr_nd_counter c);

/** Neighbours, sorted by address; valid until the next configure. */
const struct dsr_nd_neigh *dsr_nd_neighbours(const struct dsr_nd *nd, unsigned int *n);

/** Conflict rows in the order they were first seen (oldest first). */
const struct dsr_conflict *dsr_nd_conflicts(const struct dsr_nd *nd, unsigned int *n);

/** The solicited-node multicast address of ip (ff02::1:ffXX:XXXX). */
void dsr_nd_solicited_node(const uint8_t ip[16], uint8_t out[16]);

/* dsr_ip6_str() and DSR_IP6_STR_LEN are lib/common's. */

#endif /* DSR_ND_H */
