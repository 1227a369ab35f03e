/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_ND_PVT_H
#define DSR_ND_PVT_H

/*
 * Private state of lib/nd (see dsr_nd.h for the API).
 *
 * nd.c          lifecycle, configure (our addresses), tick driver, DAD,
 *               announcements, log lines
 * nd_frame.c    frame building (NS, NA, checksums), parsing and validation
 * nd_input.c    the responder and dispatch of received NS and NA
 * nd_neigh.c    backend resolution: neighbour table, state machine, learning
 * nd_conflict.c duplicate address detection, defence, the conflict table
 * nd_mld.c      MLD: our solicited-node groups reported (RFC 3810, RFC 2710)
 *
 * The layout and timers are lib/arp's (arp_pvt.h): our addresses sorted
 * by (port, ip), neighbours by ip, both replaced by dsr_nd_configure();
 * every deadline is a wrapping uint32_t millisecond value compared with
 * nd_due(), and dsr_nd_tick() walks the tables only when the earliest one
 * (due_ms) has come.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dsr_nd.h"

#define ND_MS_MAX            (1u << 30)
#define ND_COUNT_MAX         255u
#define ND_CONFLICTS_MAX_MAX 65536u
#define ND_MLD_REPORTS_MAX   10u

#define ND_HLEN         24u /* ICMPv6 NS/NA: type, code, checksum, flags, target */
#define ND_OPT_SLL      1u
#define ND_OPT_TLL      2u
#define ND_NA_ROUTER    0x80u
#define ND_NA_SOLICITED 0x40u
#define ND_NA_OVERRIDE  0x20u

/* One of our addresses on one port. */
struct nd_addr {
	uint8_t ip[16];
	uint16_t port;
	uint8_t kind;      /* enum dsr_nd_addr_kind */
	uint8_t state;     /* enum dsr_nd_addr_state */
	uint8_t dad_left;  /* DAD probes still to send */
	uint8_t duplicate; /* DAD saw another MAC */
	uint8_t ann_left;  /* announcements still to send */
	uint8_t pad;
	uint32_t dad_next_ms; /* next probe, or the end of DAD once dad_left is 0 */
	uint32_t ann_next_ms;
	struct dsr_dup_limits lim; /* defence, log and probe-answer limits (lib/arp) */
};

/* A received NS or NA, validated; pointers into the frame. */
struct nd_frame {
	const uint8_t *eth_dst;
	const uint8_t *vlan; /* the 4-byte 802.1Q tag, or NULL */
	const uint8_t *src;  /* IPv6 source */
	const uint8_t *dst;  /* IPv6 destination */
	const uint8_t *target;
	const uint8_t *mac; /* sender MAC: the link-layer option's, else Ethernet source */
	uint8_t type;       /* DSR_ND_NS or DSR_ND_NA */
	uint8_t flags;      /* NA: ND_NA_* */
	bool has_opt;       /* a source (NS) or target (NA) link-layer option */
	bool from_any;      /* source is :: */
};

struct nd_port {
	uint8_t mac[6];
};

/* A multicast group (MLD). */
struct nd_mld_group {
	uint8_t ip[16];
};

/* MLD on one port (nd_mld.c): the groups last reported, the retransmissions. */
struct nd_mld {
	struct nd_mld_group *groups; /* sorted, unique */
	unsigned int n_groups;
	uint8_t left;     /* unsolicited reports of the current state still to send */
	bool v1;          /* an MLDv1 querier was heard (until v1_until_ms) */
	uint32_t next_ms; /* the next unsolicited report */
	uint32_t v1_until_ms;
	uint32_t win_ms; /* the current second of query answers, and how many */
	uint32_t win_n;
};

struct dsr_nd {
	struct dsr_nd_params p;
	dsr_arp_tx_fn tx;
	dsr_arp_log_fn log;
	void *arg;

	uint16_t nb_ports;
	struct nd_port ports[DSR_MAX_PORTS];

	struct nd_addr *addrs;
	unsigned int n_addrs;

	struct dsr_nd_neigh *neighs;
	unsigned int n_neighs;
	bool changed;

	struct dsr_conflicts conflicts; /* p.arp.conflicts_max rows, oldest first */

	struct nd_mld mld[DSR_MAX_PORTS];
	bool mld_dirty; /* our groups may have changed: report the difference */

	bool has_due;
	uint32_t due_ms;

	uint64_t counters[DSR_MAX_PORTS][DSR_ND_NCOUNTERS];
};

static inline bool
nd_due(uint32_t now_ms, uint32_t due_ms)
{
	return (int32_t)(now_ms - due_ms) >= 0;
}

static inline void
nd_count(struct dsr_nd *nd, uint16_t port, enum dsr_nd_counter c)
{
	nd->counters[port][c]++;
}

static inline bool
nd_ip_eq(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, 16) == 0;
}

static inline bool
nd_ip_is_any(const uint8_t *a)
{
	static const uint8_t any[16];

	return nd_ip_eq(a, any);
}

extern const uint8_t nd_all_nodes[16];
extern const uint8_t nd_any[16];

/* nd.c */
void nd_wake(struct dsr_nd *nd, uint32_t due_ms);
struct nd_addr *nd_addr_find(struct dsr_nd *nd, uint16_t port, const uint8_t *ip);
const struct nd_addr *nd_port_source(const struct dsr_nd *nd, uint16_t port);
void nd_announce(struct dsr_nd *nd, const struct nd_addr *ad, const uint8_t *vlan);
void nd_log(struct dsr_nd *nd, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* nd_frame.c */
uint32_t nd_csum_sum(const uint8_t *ip6, const uint8_t *icmp, uint32_t len);
/* Ethernet (vlan if not NULL) and the IPv6 fixed header at f; returns the header's offset. */
uint32_t nd_frame_head(uint8_t *f, const uint8_t *eth_dst, const uint8_t *mac, const uint8_t *vlan,
		       const uint8_t *ip_src, const uint8_t *ip_dst, uint8_t nh, uint8_t hop,
		       uint32_t plen);
int nd_parse(const uint8_t *frame, uint32_t len, struct nd_frame *f);
void nd_send_na(struct dsr_nd *nd, uint16_t port, const uint8_t *vlan, const uint8_t *eth_dst,
		const uint8_t *ip_dst, const uint8_t *target, uint8_t flags);
void nd_send_ns(struct dsr_nd *nd, uint16_t port, const uint8_t *eth_dst, const uint8_t *ip_src,
		const uint8_t *ip_dst, const uint8_t *target);
void nd_mc_mac(const uint8_t *ip, uint8_t mac[6]);

/* nd_neigh.c */
int nd_neigh_build(const struct dsr_nd *nd, const struct dsr_nd_config *c, uint32_t now_ms,
		   struct dsr_nd_neigh **out, unsigned int *n_out, bool *changed);
void nd_neigh_tick(struct dsr_nd *nd, uint32_t now_ms);
bool nd_neigh_learn(struct dsr_nd *nd, uint16_t port, const struct nd_frame *f, uint32_t now_ms);

/* nd_mld.c */
void nd_mld_tick(struct dsr_nd *nd, uint32_t now_ms);
void nd_mld_fini(struct dsr_nd *nd);

/* nd_conflict.c */
void nd_conflict_record(struct dsr_nd *nd, uint16_t port, const uint8_t *ip, const uint8_t *mac,
			enum dsr_arp_conflict_kind kind, uint32_t now_ms);
void nd_conflict_using(struct dsr_nd *nd, uint16_t port, struct nd_addr *addr,
		       const struct nd_frame *f, uint32_t now_ms);
void nd_conflict_probe(struct dsr_nd *nd, uint16_t port, struct nd_addr *addr,
		       const struct nd_frame *f, uint32_t now_ms);

#endif /* DSR_ND_PVT_H */
