/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_ARP_PVT_H
#define DSR_ARP_PVT_H

/*
 * Private state of lib/arp (see dsr_arp.h for the API).
 *
 * arp.c          lifecycle, configure (our addresses), tick driver,
 *                announcements, frame building, log lines
 * arp_input.c    frame validation, the responder, dispatch
 * arp_neigh.c    backend resolution: neighbour table, state machine, learning
 * arp_conflict.c duplicate address detection, defence, the conflict table
 *
 * Our addresses are (port, ip) pairs in a+n_addrs, sorted by (port, ip):
 * a port's own address and each VIP on every port that serves it.
 * Neighbours are sorted by ip (a backend IP has one neighbour, on the
 * lowest port whose subnet holds it). Both arrays are replaced, never
 * resized, by dsr_arp_configure().
 *
 * Timers: every deadline is a uint32_t millisecond value compared with
 * arp_due() (wrap-safe while less than 2^31 ms away). dsr_arp_tick() walks
 * the tables only when the earliest deadline (due_ms) has come; whoever
 * sets a deadline calls arp_wake() with it.
 */

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>

#include "dsr_arp.h"

#define ARP_BODY_LEN   28u
#define ARP_OP_REQUEST 1u
#define ARP_OP_REPLY   2u

/* Tunables accepted by dsr_arp_create() and dsr_arp_configure(). */
#define ARP_MS_MAX            (1u << 30) /* every *_ms tunable: 1 .. this */
#define ARP_ANNOUNCE_MAX      255u
#define ARP_TRIES_MAX         255u /* struct dsr_neigh_sm.tries is 8 bits */
#define ARP_CONFLICTS_MAX_MAX 65536u

/* One of our addresses on one port. */
struct arp_addr {
	uint32_t ip; /* network order */
	uint16_t port;
	uint8_t ann_left; /* announcements still to send */
	uint8_t pad;
	uint32_t ann_next_ms;
	struct dsr_dup_limits lim; /* defence, log and probe-answer limits */
};

/* A received ARP frame, validated; pointers into the frame. */
struct arp_frame {
	const uint8_t *eth_dst;
	const uint8_t *vlan; /* the 4-byte 802.1Q tag (0x8100, TCI), or NULL */
	uint16_t op;
	const uint8_t *sha;
	uint32_t spa; /* network order */
	const uint8_t *tha;
	uint32_t tpa; /* network order */
};

struct arp_port {
	bool has_addr;
	uint8_t prefix_len;
	uint32_t ip; /* network order */
	uint8_t mac[6];
};

struct dsr_arp {
	struct dsr_arp_params p;
	dsr_arp_tx_fn tx;
	dsr_arp_log_fn log;
	void *arg;

	uint16_t nb_ports;
	struct arp_port ports[DSR_MAX_PORTS];

	struct arp_addr *addrs;
	unsigned int n_addrs;

	struct dsr_arp_neigh *neighs;
	unsigned int n_neighs;
	bool changed;

	struct dsr_conflicts conflicts; /* p.conflicts_max rows, oldest first */

	bool has_due;
	uint32_t due_ms;

	uint64_t counters[DSR_MAX_PORTS][DSR_ARP_NCOUNTERS];
};

/* Does port p's subnet hold ip? */
static inline bool
arp_port_holds(const struct arp_port *p, uint32_t ip)
{
	uint32_t mask = p->prefix_len == 0 ? 0 : htonl(~0u << (32 - p->prefix_len));

	return p->has_addr && ((ip ^ p->ip) & mask) == 0;
}

static inline bool
arp_due(uint32_t now_ms, uint32_t due_ms)
{
	return (int32_t)(now_ms - due_ms) >= 0;
}

static inline void
arp_count(struct dsr_arp *a, uint16_t port, enum dsr_arp_counter c)
{
	a->counters[port][c]++;
}

extern const uint8_t arp_mac_bcast[6];
extern const uint8_t arp_mac_zero[6];

/* arp.c */
void arp_wake(struct dsr_arp *a, uint32_t due_ms);
struct arp_addr *arp_addr_find(struct dsr_arp *a, uint16_t port, uint32_t ip);
void arp_send(struct dsr_arp *a, uint16_t port, const uint8_t *vlan, const uint8_t *eth_dst,
	      uint16_t op, uint32_t spa, const uint8_t *tha, uint32_t tpa);
void arp_log(struct dsr_arp *a, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* arp_neigh.c */
int arp_neigh_build(const struct dsr_arp *a, const struct dsr_conf *conf,
		    const struct arp_port *ports, uint16_t nb_ports, uint32_t now_ms,
		    struct dsr_arp_neigh **out, unsigned int *n_out, bool *changed);
void arp_neigh_tick(struct dsr_arp *a, uint32_t now_ms);
bool arp_neigh_learn(struct dsr_arp *a, uint16_t port, const struct arp_frame *f, uint32_t now_ms);

/* arp_conflict.c */
void arp_conflict_record(struct dsr_arp *a, uint16_t port, uint32_t ip, const uint8_t *mac,
			 enum dsr_arp_conflict_kind kind, uint32_t now_ms);
void arp_conflict_using(struct dsr_arp *a, uint16_t port, struct arp_addr *addr,
			const struct arp_frame *f, uint32_t now_ms);
void arp_conflict_probe(struct dsr_arp *a, uint16_t port, struct arp_addr *addr,
			const struct arp_frame *f, uint32_t now_ms);

#endif /* DSR_ARP_PVT_H */
