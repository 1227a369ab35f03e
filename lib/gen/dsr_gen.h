/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_GEN_H
#define DSR_GEN_H

/**
 * @file
 * A generation: the read-only view of the configuration that workers
 * use on the fast path. The main lcore builds a new one from a struct
 * dsr_conf, publishes it with one atomic pointer store, and frees the
 * old one once RCU shows that no worker can still hold it. Nothing in a
 * published generation is ever written. Pure C, no EAL.
 */

#include <stdbool.h>
#include <stdint.h>

#include "dsr_common.h"
#include "dsr_ct.h"
#include "dsr_maglev.h"

struct dsr_conf; /* lib/conf: what a generation is built from */

/** Backend flags. */
#define DSR_GEN_BE_USED 0x01 /**< the backend id exists */
#define DSR_GEN_BE_MAC  0x02 /**< its MAC is known: packets can be sent to it */
#define DSR_GEN_BE_NEW  0x04 /**< in the Maglev table (weight > 0, not failed, not down) */
/**
 * Not down by health checks: its connection entries stay. An entry whose
 * backend lacks it is chosen again (ct-stale), like one of a removed
 * backend.
 */
#define DSR_GEN_BE_LIVE 0x08

struct dsr_gen_backend {
	uint8_t mac[6];
	uint8_t flags;
	uint8_t pad;
	uint16_t vip; /**< VIP id */
	uint16_t pad2;
	uint32_t ip; /**< network order */
};

struct dsr_gen_vip {
	uint32_t ip;   /**< network order (family DSR_AF_IPV4) */
	uint16_t port; /**< network order */
	uint8_t proto;
	uint8_t used;
	uint16_t nb_new;        /**< backends taking new flows */
	uint8_t family;         /**< DSR_AF_IPV4, or DSR_AF_IPV6 (ip6) */
	const uint16_t *maglev; /**< maglev_size slots of backend ids */
	uint8_t ip6[16];        /**< family DSR_AF_IPV6 */
};

/** One slot of the IPv6 VIP lookup table (open addressing, linear probing). */
struct dsr_gen_vip6_slot {
	uint8_t ip6[16];
	uint16_t port; /**< network order */
	uint8_t proto;
	uint8_t used; /**< 0 = empty */
	uint16_t vip; /**< VIP id */
};

/** One slot of the IPv6 VIP address table: dsr_gen_addr_slot's twin. */
struct dsr_gen_addr6_slot {
	uint8_t ip6[16];
	uint16_t frag_be[2]; /**< as dsr_gen_addr_slot's */
	uint8_t nsvc[2];
	uint8_t used; /**< 0 = empty */
};

/** One slot of the VIP lookup table (open addressing, linear probing). */
struct dsr_gen_vip_slot {
	uint64_t key; /**< dsr_gen_vip_key(); 0 = empty */
	uint16_t vip; /**< VIP id */
};

/**
 * One slot of the VIP address table (open addressing, linear probing):
 * an address some service is on. ICMP and later fragments, which have no
 * ports, are matched by address.
 */
struct dsr_gen_addr_slot {
	uint32_t ip; /**< network order; 0 = empty */
	/**
	 * By protocol (DSR_GEN_ADDR_TCP, DSR_GEN_ADDR_UDP): the backend a
	 * later fragment without its first goes to, when the choice is not in
	 * doubt: the address has one service of that protocol, and it has one
	 * backend taking new flows. Else DSR_MAGLEV_NONE.
	 */
	uint16_t frag_be[2];
	uint8_t nsvc[2]; /**< services on the address, by protocol (at most 2 counted) */
};

#define DSR_GEN_ADDR_TCP 0
#define DSR_GEN_ADDR_UDP 1

struct dsr_gen {
	uint64_t version;
	uint32_t maglev_size;
	uint32_t timeout_ms[DSR_CT_NSTATES]; /**< indexed by enum dsr_ct_state */
	bool strict_syn;
	/*
	 * Some VIP has a dsr health check: a TCP frame from a VIP to the
	 * address of the port it came in on (a backend's answer to a probe)
	 * goes to the main lcore instead of being dropped as not-vip.
	 */
	bool dsr_checks;
	bool icmp_forward;        /**< ICMP errors to a VIP go to the flow's backend */
	uint32_t frag_timeout_ms; /**< how long later fragments follow their first */
	uint32_t vip_mask;        /**< vip_slots has vip_mask + 1 entries */
	struct dsr_gen_vip_slot *vip_slots;
	uint32_t addr_mask; /**< addr_slots has addr_mask + 1 entries */
	struct dsr_gen_addr_slot *addr_slots;
	/* IPv6: VIPs by service and by address (gen6.c). */
	uint32_t vip6_mask; /**< vip6_slots and addr6_slots have vip6_mask + 1 entries */
	struct dsr_gen_vip6_slot *vip6_slots;
	struct dsr_gen_addr6_slot *addr6_slots;
	uint32_t port_ip[DSR_MAX_PORTS]; /**< each port's address (network order), 0 if none */
	/** port_ip of the ports with a kernel interface, 0 for the others. */
	uint32_t kernel_ip[DSR_MAX_PORTS];
	uint16_t *maglev_mem; /**< all VIPs' tables, one allocation */
	/*
	 * `conns flush`: when flush_seq changes, each worker removes the
	 * entries of its table that match (all, or one service), a few buckets
	 * per loop, and then reports flush_seq as done.
	 */
	uint64_t flush_seq;
	bool flush_all;
	struct dsr_svc_key flush_svc;
	struct dsr_gen_vip vips[DSR_MAX_VIPS];
	struct dsr_gen_backend backends[DSR_MAX_BACKENDS];
	/* Control plane only (show backends): Maglev slots of each backend id. */
	uint32_t maglev_slots[DSR_MAX_BACKENDS];
	uint8_t port_ip6[DSR_MAX_PORTS][16]; /**< each port's IPv6 address, zeros if none */
	/** port_ip6 of the ports with a kernel interface, zeros for the others. */
	uint8_t kernel_ip6[DSR_MAX_PORTS][16];
	/* The IPv6 address of each IPv6 backend (struct dsr_gen_backend's ip is 0). */
	uint8_t backend_ip6[DSR_MAX_BACKENDS][16];
};

/** Pack a service into a non-zero lookup key (ip, port: network order). */
static inline uint64_t
dsr_gen_vip_key(uint32_t ip, uint16_t port, uint8_t proto)
{
	return ((uint64_t)ip << 32) | ((uint64_t)port << 16) | ((uint64_t)proto << 8) | 1u;
}

/** Find the VIP id of a service, or -1. */
static inline int
dsr_gen_vip_lookup(const struct dsr_gen *g, uint32_t ip, uint16_t port, uint8_t proto)
{
	uint64_t key = dsr_gen_vip_key(ip, port, proto);
	uint32_t i = (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & g->vip_mask;

	for (;;) {
		const struct dsr_gen_vip_slot *s = &g->vip_slots[i];

		if (s->key == key)
			return s->vip;
		if (s->key == 0)
			return -1;
		i = (i + 1) & g->vip_mask;
	}
}

/** The address slot of a VIP address, or NULL if no service is on ip. */
static inline const struct dsr_gen_addr_slot *
dsr_gen_addr_lookup(const struct dsr_gen *g, uint32_t ip)
{
	uint32_t i = (uint32_t)(((uint64_t)ip * 0x9e3779b97f4a7c15ULL) >> 32) & g->addr_mask;

	if (ip == 0)
		return NULL;
	for (;;) {
		const struct dsr_gen_addr_slot *s = &g->addr_slots[i];

		if (s->ip == ip)
			return s;
		if (s->ip == 0)
			return NULL;
		i = (i + 1) & g->addr_mask;
	}
}

/**
 * Where backends without a static MAC get theirs (lib/arp's lookup):
 * DSR_MAC_OK = known and usable; DSR_MAC_LOST = known, but failed (out of
 * Maglev; the MAC still serves existing entries); DSR_MAC_PENDING = not
 * known yet: the backend stays in the Maglev table, so the table does not
 * depend on the order in which backends answer, and the packets of new
 * flows that map to it are dropped (no-mac) without creating an entry
 * until it is known; DSR_MAC_NEVER = failed before it was ever known (out
 * of Maglev). mac is set for OK and LOST.
 */
typedef enum dsr_mac_lookup (*dsr_gen_mac_fn)(void *arg, uint32_t ip, uint8_t mac[6]);

/** The same for an IPv6 backend (lib/nd's lookup). */
typedef enum dsr_mac_lookup (*dsr_gen_mac6_fn)(void *arg, const uint8_t ip6[16], uint8_t mac[6]);

/** Where backends' MACs come from: v4 and v6 may be NULL (unknown: PENDING). */
struct dsr_gen_macs {
	dsr_gen_mac_fn v4;
	dsr_gen_mac6_fn v6;
	void *arg;
};

/**
 * Build a generation from conf. A backend with a static MAC uses it;
 * others ask mac_of (NULL: unknown). A backend is in the Maglev table if
 * its weight is above 0 and it has not failed.
 * @return the generation, or NULL (errno: ENOMEM, or EINVAL from Maglev).
 */
struct dsr_gen *dsr_gen_build(const struct dsr_conf *conf, uint64_t version, dsr_gen_mac_fn mac_of,
			      void *arg);

/**
 * dsr_gen_build() with health: down (NULL: none) has one byte per backend
 * id, non-zero for a backend that health checks took out of service (and
 * whose VIP is not in panic). Such a backend has neither DSR_GEN_BE_NEW
 * nor DSR_GEN_BE_LIVE.
 */
struct dsr_gen *dsr_gen_build_health(const struct dsr_conf *conf, uint64_t version,
				     dsr_gen_mac_fn mac_of, void *arg, const uint8_t *down);

/** dsr_gen_build_health() with MACs of both families. */
struct dsr_gen *dsr_gen_build_macs(const struct dsr_conf *conf, uint64_t version,
				   const struct dsr_gen_macs *macs, const uint8_t *down);

/** Find the VIP id of an IPv6 service (ip6, port in network order), or -1. */
int dsr_gen_vip6_lookup(const struct dsr_gen *g, const uint8_t ip6[16], uint16_t port,
			uint8_t proto);

/** The address slot of an IPv6 VIP address, or NULL if no service is on it. */
const struct dsr_gen_addr6_slot *dsr_gen_addr6_lookup(const struct dsr_gen *g,
						      const uint8_t ip6[16]);

/**
 * The 32-bit identity of an IPv6 backend that Maglev's permutation
 * hashes (an IPv4 backend's is its address). Fixed forever: every dsrlb
 * must build the same table from the same backends.
 */
uint32_t dsr_gen_ip6_key(const uint8_t ip6[16]);

/** Free a generation that no worker can reach any more. NULL is fine. */
void dsr_gen_free(struct dsr_gen *gen);

#endif /* DSR_GEN_H */
