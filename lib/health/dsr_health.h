/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_HEALTH_H
#define DSR_HEALTH_H

/**
 * @file
 * Health of backends, as active checks see it: the per-backend rise/fall
 * state machine and the per-VIP panic rule. Pure C, no EAL, no clock of
 * its own: callers pass the time and the results of checks (lib/lb runs
 * the checks and turns health into generations).
 *
 * A backend starts `unchecked` (no check configured, or no verdict yet)
 * and is in service then. It goes `down` after `fall` failures in a row
 * and `up` after `rise` successes in a row; one result of the other kind
 * starts the count again. Only `down` takes it out of the Maglev table.
 *
 * Panic: when fewer than `panic` percent of a VIP's backends (those with a
 * weight above 0) are in service, health would take too much of the
 * service away: the VIP ignores health and uses all of them, until enough
 * are healthy again. 0 turns the rule off.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsr_common.h"

/** A backend's health. */
enum dsr_health {
	DSR_HEALTH_UNCHECKED = 0, /**< no check, or no verdict yet: in service */
	DSR_HEALTH_UP,            /**< rise checks passed in a row */
	DSR_HEALTH_DOWN,          /**< fall checks failed in a row: out of service */
};

/** The result of the last check. */
enum dsr_health_result {
	DSR_HEALTH_RES_NONE = 0, /**< none yet */
	DSR_HEALTH_RES_OK,
	DSR_HEALTH_RES_FAIL,
};

/** What dsr_health_record() changed. */
enum dsr_health_change {
	DSR_HEALTH_SAME = 0,
	DSR_HEALTH_WENT_UP,
	DSR_HEALTH_WENT_DOWN,
};

#define DSR_HEALTH_WHY_MAX  48  /**< a failure's reason, NUL included */
#define DSR_HEALTH_LINE_MAX 256 /**< a log line of dsr_health_line(), NUL included */

/** One backend's health state. */
struct dsr_health_be {
	uint8_t state; /**< enum dsr_health */
	uint8_t last;  /**< enum dsr_health_result of the last check */
	uint16_t pad;
	uint32_t run;        /**< results in a row like the last one */
	uint32_t latency_us; /**< of the last check that completed */
	uint32_t pad2;
	uint64_t since_ms;            /**< when state was entered */
	uint64_t checks;              /**< checks completed */
	uint64_t failures;            /**< of which failed */
	char why[DSR_HEALTH_WHY_MAX]; /**< the last failure's reason, "" if none */
};

/** Back to unchecked, as of now_ms (a new backend, or its VIP's check changed). */
void dsr_health_reset(struct dsr_health_be *h, uint64_t now_ms);

/**
 * Record one check's result: ok, its latency, why it failed (may be NULL
 * when ok). rise and fall are at least 1 (0 is taken as 1).
 * @return the change of state it caused.
 */
enum dsr_health_change dsr_health_record(struct dsr_health_be *h, uint32_t rise, uint32_t fall,
					 bool ok, uint32_t latency_us, const char *why,
					 uint64_t now_ms);

/** Whether health keeps the backend in service (anything but down). */
static inline bool
dsr_health_in_service(const struct dsr_health_be *h)
{
	return h->state != DSR_HEALTH_DOWN;
}

/** "unchecked", "up", "down". */
const char *dsr_health_name(enum dsr_health state);

/** "none", "ok", "failed". */
const char *dsr_health_result_name(enum dsr_health_result r);

/**
 * The log line of a change (without the level): "VIP V: backend B is down
 * (KIND: WHY; F of F checks failed)" or "VIP V: backend B is up (R of R
 * checks passed)". vip, backend and kind are already formatted.
 * @return snprintf()'s result.
 */
int dsr_health_line(char *buf, size_t len, const char *vip, const char *backend, const char *kind,
		    const struct dsr_health_be *h, enum dsr_health_change c, uint32_t rise,
		    uint32_t fall);

/** A VIP's panic state. */
struct dsr_health_vip {
	bool panic;        /**< health is being ignored */
	uint64_t panics;   /**< times panic began */
	uint64_t since_ms; /**< when panic began or ended */
};

/** The panic rule: fewer than pct percent of total in service (pct 0: never). */
bool dsr_health_panic_rule(unsigned int healthy, unsigned int total, unsigned int pct);

/**
 * Apply the panic rule to a VIP with healthy of total backends in service.
 * @return 1 when panic begins (counted in v->panics), -1 when it ends, 0.
 */
int dsr_health_vip_update(struct dsr_health_vip *v, unsigned int healthy, unsigned int total,
			  unsigned int pct, uint64_t now_ms);

/**
 * The log line of a panic change: "VIP V: only H of T backends are healthy,
 * below panic P%: using all of them" or "VIP V: H of T backends are
 * healthy, panic P% is over: down backends are out again".
 */
int dsr_health_panic_line(char *buf, size_t len, const char *vip, int change, unsigned int healthy,
			  unsigned int total, unsigned int pct);

/*
 * The dsr check's frames. dsrlb sends a TCP SYN from a port's address
 * (src_ip, an ephemeral sport) to VIP:PORT (dst_ip, dport) in a frame to
 * the backend's MAC, as it forwards a client's packet. A backend that has
 * the VIP on its loopback and a listener answers SYN-ACK from the VIP to
 * the port's address, which comes back to dsrlb's port; dsrlb closes the
 * half-open connection with an RST. An RST answer means the VIP is there
 * but nothing listens. Either family: the same code builds and reads both
 * (the IPv6 frame has no extension headers, hop limit 64).
 */

#define DSR_PROBE_FRAME_LEN  54 /**< Ethernet, IPv4, TCP, no options */
#define DSR_PROBE_FRAME6_LEN 74 /**< Ethernet, IPv6, TCP, no options */
#define DSR_PROBE_FRAME_MAX  DSR_PROBE_FRAME6_LEN

/** One probe's addresses (IPs in network order, ports in host order). */
struct dsr_probe {
	uint8_t src_mac[6];  /**< the port's */
	uint8_t dst_mac[6];  /**< the backend's */
	uint32_t src_ip;     /**< the port's address (family DSR_AF_IPV4) */
	uint32_t dst_ip;     /**< the VIP (family DSR_AF_IPV4) */
	uint16_t sport;      /**< ephemeral */
	uint16_t dport;      /**< the VIP's port */
	uint32_t seq;        /**< the SYN's sequence number */
	uint8_t family;      /**< DSR_AF_IPV4 (0) or DSR_AF_IPV6 */
	uint8_t src_ip6[16]; /**< the port's IPv6 address (family DSR_AF_IPV6) */
	uint8_t dst_ip6[16]; /**< the IPv6 VIP (family DSR_AF_IPV6) */
};

/** What a reply to the port's address says (IPs in network order, the rest host order). */
struct dsr_probe_reply {
	uint32_t src_ip, dst_ip; /**< family DSR_AF_IPV4 */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint8_t family;                   /**< DSR_AF_IPV4 or DSR_AF_IPV6 */
	uint8_t src_ip6[16], dst_ip6[16]; /**< family DSR_AF_IPV6 */
};

enum dsr_probe_verdict {
	DSR_PROBE_OTHER = 0, /**< not an answer to this probe */
	DSR_PROBE_ANSWERED,  /**< SYN-ACK for the SYN: healthy */
	DSR_PROBE_REFUSED,   /**< RST: the VIP is there, nothing listens */
};

/**
 * Write the SYN into buf (DSR_PROBE_FRAME_LEN bytes for IPv4,
 * DSR_PROBE_FRAME6_LEN for IPv6). @return its length, 0 if buf is short.
 */
uint32_t dsr_probe_syn(uint8_t *buf, size_t len, const struct dsr_probe *p);

/** Write the RST that closes the probe's half-open connection. */
uint32_t dsr_probe_rst(uint8_t *buf, size_t len, const struct dsr_probe *p);

/** Parse a TCP frame of either family (not a fragment). @return 0, or -1 if it is not one. */
int dsr_probe_parse(const uint8_t *frame, uint32_t len, struct dsr_probe_reply *r);

/** Is r the answer to probe p? */
enum dsr_probe_verdict dsr_probe_match(const struct dsr_probe *p, const struct dsr_probe_reply *r);

/*
 * The http check (run by lib/lb from the kernel interface): its request,
 * and the status line of the answer, judged on its first bytes.
 */

#define DSR_HEALTH_HTTP_REQ_MAX 384 /**< a request's buffer, NUL included */

/**
 * Write "GET PATH HTTP/1.1", a Host header and "Connection: close".
 * @return its length, or -1 if it does not fit in len.
 */
int dsr_health_http_request(char *buf, size_t len, const char *path, const char *host);

/**
 * The status code of an answer's first len bytes ("HTTP/1.x DDD ...").
 * @return the code, 0 while too few bytes have come to tell, -1 if it is
 * no HTTP/1 status line.
 */
int dsr_health_http_status(const char *buf, size_t len);

#endif /* DSR_HEALTH_H */
