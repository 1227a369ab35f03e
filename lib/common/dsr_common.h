/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_COMMON_H
#define DSR_COMMON_H

/**
 * @file
 * What every module shares: branch hints, array size, protocol numbers
 * and header lengths, the table limits, the control protocol's number
 * and default socket, MAC address helpers, and what a neighbour lookup
 * says. Pure C, no EAL; the first module in lib/meson.build.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Branch hints, as DPDK's rte_branch_prediction.h (whichever comes first wins). */
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/** Number of elements of an array. */
#define DSR_DIM(a) (sizeof(a) / sizeof((a)[0]))

/* The fast path reads multi-byte fields with masks and shifts that assume this. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "dsrlb assumes a little-endian CPU");

/* IP protocol numbers. */
#define DSR_IPPROTO_ICMP 1u
#define DSR_IPPROTO_TCP  6u
#define DSR_IPPROTO_UDP  17u
/* IPv6 extension headers and ICMPv6 (RFC 8200, RFC 4443). */
#define DSR_IPPROTO_HOPOPTS  0u
#define DSR_IPPROTO_ROUTING  43u
#define DSR_IPPROTO_FRAGMENT 44u
#define DSR_IPPROTO_ICMPV6   58u
#define DSR_IPPROTO_NONE     59u
#define DSR_IPPROTO_DSTOPTS  60u

/* Ethernet types (host order). */
#define DSR_ETHERTYPE_IPV4 0x0800
#define DSR_ETHERTYPE_ARP  0x0806
#define DSR_ETHERTYPE_VLAN 0x8100
#define DSR_ETHERTYPE_IPV6 0x86DD

/* Header lengths, in bytes. */
#define DSR_ETH_HLEN      14u /**< Ethernet II, untagged */
#define DSR_VLAN_HLEN     4u  /**< one 802.1Q tag */
#define DSR_IPV4_MIN_HLEN 20u /**< IPv4 without options */
#define DSR_IPV6_HLEN     40u /**< the IPv6 fixed header */
#define DSR_TCP_MIN_HLEN  20u /**< TCP without options */
#define DSR_UDP_HLEN      8u

/* Table limits. */
#define DSR_IFNAME_MAX   16u   /**< a Linux interface name, its NUL included (IFNAMSIZ) */
#define DSR_MAX_PORTS    32u   /**< DPDK port ids 0..31 (the worker's tx_dirty is a 32-bit mask) */
#define DSR_MAX_VIPS     1024u /**< services */
#define DSR_MAX_BACKENDS 4096u /**< over all VIPs; backend ids are 0..DSR_MAX_BACKENDS-1 */

/* The control socket: protocol number (the greeting) and default path. */
#define DSR_CTL_PROTOCOL   1
#define DSR_DEFAULT_SOCKET "/run/dsrlb/dsrlb.sock"

/* Address families (struct dsr_svc_key.family and its likes). */
#define DSR_AF_IPV4 0 /**< ip holds the address (the zero default) */
#define DSR_AF_IPV6 1 /**< ip6 holds the address; ip is 0 */

/**
 * A service: VIP:PORT/PROTO, or [VIP6]:PORT/PROTO. Addresses and port in
 * network byte order; the other family's address is all zeros, so keys
 * compare whole.
 */
struct dsr_svc_key {
	uint32_t ip; /**< IPv4 */
	uint16_t port;
	uint8_t proto;   /**< DSR_IPPROTO_TCP or DSR_IPPROTO_UDP */
	uint8_t family;  /**< DSR_AF_IPV4 or DSR_AF_IPV6 */
	uint8_t ip6[16]; /**< IPv6 */
};

/** Bytes a formatted service needs: "[" IPv6 "]:65535/tcp", NUL included. */
#define DSR_SVC_STR_LEN 60

/** Bytes a formatted IPv6 address needs, NUL included (INET6_ADDRSTRLEN). */
#define DSR_IP6_STR_LEN 46

/** Format an IPv6 address (RFC 5952) into buf (DSR_IP6_STR_LEN bytes); returns buf. */
const char *dsr_ip6_str(const uint8_t ip6[16], char *buf);

/** Format an address of family (ip or ip6) into buf (DSR_IP6_STR_LEN bytes); returns buf. */
const char *dsr_addr_str(uint8_t family, uint32_t ip, const uint8_t ip6[16], char *buf);

/** Bytes a formatted IPv4 address needs, NUL included (INET_ADDRSTRLEN). */
#define DSR_IP_STR_LEN 16

/** Format an IPv4 address (network order) as a.b.c.d into buf (DSR_IP_STR_LEN bytes); returns buf. */
const char *dsr_ip_str(uint32_t ip, char *buf);

/** Bytes a formatted MAC address needs, NUL included. */
#define DSR_MAC_STR_LEN 18

/** Format a MAC address as xx:xx:xx:xx:xx:xx into buf (DSR_MAC_STR_LEN bytes); returns buf. */
const char *dsr_mac_str(const uint8_t mac[6], char *buf);

/** Whether two MAC addresses are equal. */
static inline bool
dsr_mac_eq(const uint8_t a[6], const uint8_t b[6])
{
	return memcmp(a, b, 6) == 0;
}

/** Whether a MAC address can be a host's: not multicast or broadcast, not all zeros. */
static inline bool
dsr_mac_is_unicast(const uint8_t m[6])
{
	return (m[0] & 1) == 0 && (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) != 0;
}

/**
 * What a lookup of a backend's MAC says (lib/arp's dsr_arp_lookup(), the
 * callback lib/gen builds a generation with). The balancer keeps PENDING
 * backends in the Maglev table, so that the table does not depend on the
 * order in which backends answer, and takes LOST and NEVER ones out.
 */
enum dsr_mac_lookup {
	DSR_MAC_NEVER = -2,   /**< failed without ever being resolved; no MAC */
	DSR_MAC_PENDING = -1, /**< not resolved yet (or no such neighbour); no MAC */
	DSR_MAC_LOST = 0,     /**< resolved once, failed now; mac is the last one */
	DSR_MAC_OK = 1,       /**< resolved and usable; mac set */
};

/** Whether a lookup result carries a MAC address. */
static inline bool
dsr_mac_lookup_has_mac(enum dsr_mac_lookup r)
{
	return r == DSR_MAC_OK || r == DSR_MAC_LOST;
}

#endif /* DSR_COMMON_H */
