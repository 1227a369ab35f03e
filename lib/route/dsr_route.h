/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_ROUTE_H
#define DSR_ROUTE_H

/**
 * @file
 * VIP routes in the kernel over rtnetlink (NETLINK_ROUTE), for a routing
 * daemon to announce: "VIP/32 dev IFNAME proto dsrlb table T" (/128 for
 * IPv6). The messages are built and parsed in pure C (route.c, unit
 * tested byte for byte); route_sock.c sends them on a netlink socket and
 * reads the kernel's answers. Never runs `ip`.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * dsrlb's routing protocol number (rtm_protocol): not one of the kernel's
 * RTPROT_* (0-18, 42, 99, 186-189, 192), nor FRR's (11, 42, 186-198),
 * nor BIRD's (12). Named "dsrlb" in /etc/iproute2/rt_protos.d/dsrlb.conf.
 */
#define DSR_ROUTE_PROTO 248

#define DSR_ROUTE_MSG_MAX 96 /**< bytes that any request built here takes */

/** One VIP route. */
struct dsr_route {
	uint8_t family;   /**< DSR_AF_IPV4 or DSR_AF_IPV6 */
	uint32_t ip;      /**< network order (IPv4) */
	uint8_t ip6[16];  /**< IPv6 */
	uint32_t table;   /**< 1-4294967295 */
	uint32_t ifindex; /**< the interface (dev); 0 in a delete matches any */
};

/**
 * Build RTM_NEWROUTE (create or replace, with an ACK) for r, sequence seq,
 * into buf. @return its length, or -1 if len is too small or r is bad.
 */
int dsr_route_msg_add(const struct dsr_route *r, uint32_t seq, uint8_t *buf, size_t len);

/** Build RTM_DELROUTE of r with protocol dsrlb (other routes are not touched). */
int dsr_route_msg_del(const struct dsr_route *r, uint32_t seq, uint8_t *buf, size_t len);

/** Build a dump request (RTM_GETROUTE, NLM_F_DUMP) of the routes of family. */
int dsr_route_msg_dump(uint8_t family, uint32_t seq, uint8_t *buf, size_t len);

/** Called with each route of protocol dsrlb in the table a dump asks about. */
typedef void (*dsr_route_fn)(void *arg, const struct dsr_route *r);

/**
 * Read one buffer of the kernel's answers to request seq: routes of
 * protocol dsrlb in table go to fn (which may be NULL), other messages
 * and routes are skipped. @return 1 when the answer is complete (an ACK,
 * or NLMSG_DONE of a dump), 0 if more is to come, -errno for an
 * NLMSG_ERROR, -EBADMSG for a malformed buffer.
 */
int dsr_route_parse(const uint8_t *buf, size_t len, uint32_t seq, uint32_t table, dsr_route_fn fn,
		    void *arg);

/** A NETLINK_ROUTE socket (route_sock.c): the fd, or -1 with the reason in err. */
int dsr_route_open(char *err, size_t errlen);

/** Close it (fd < 0 is allowed). */
void dsr_route_close(int fd);

/** Add or replace r. @return 0, or -1 with the kernel's reason in err. */
int dsr_route_add(int fd, const struct dsr_route *r, char *err, size_t errlen);

/** Delete r; a route that is not there is no error. @return 0 or -1 with err. */
int dsr_route_del(int fd, const struct dsr_route *r, char *err, size_t errlen);

/**
 * Delete every route of protocol dsrlb in table (both families): those a
 * dsrlb that did not exit cleanly left. *n counts them.
 * @return 0 or -1 with err.
 */
int dsr_route_flush(int fd, uint32_t table, unsigned int *n, char *err, size_t errlen);

/** "10.0.0.100/32" or "fd00::100/128" into buf (>= 48 bytes). */
const char *dsr_route_str(const struct dsr_route *r, char *buf, size_t len);

#endif /* DSR_ROUTE_H */
