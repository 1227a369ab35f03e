/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_CONF_H
#define DSR_CONF_H

/**
 * @file
 * The configuration state: what the operator asked for, as plain data.
 * Commands from lib/cmd are validated against it and applied; a command
 * that fails leaves the state untouched. lib/gen turns a state into the
 * read-only generation that workers use. Pure C, no EAL.
 *
 * VIP and backend ids are small integers, stable for as long as the VIP
 * or backend exists: connection entries and counters refer to them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dsr_cmd.h"

#define DSR_CONNTRACK_DEFAULT 1048576u
#define DSR_CONNTRACK_MIN     1024u
#define DSR_CONNTRACK_MAX     (1u << 27)
/** conntrack_size6 when `conntrack size6` is not set: a quarter of conntrack size. */
#define DSR_CONNTRACK6_AUTO UINT32_MAX

/** Accepted maglev sizes: primes in this range (the top is lib/maglev's DSR_MAGLEV_MAX_SIZE). */
#define DSR_CONF_MAGLEV_MIN 3u
#define DSR_CONF_MAGLEV_MAX 1048573u

struct dsr_conf_port {
	bool has_addr;
	uint8_t prefix_len;
	uint32_t ip; /**< network order */
	/* Its IPv6 address, if any (a port may have one of each family). */
	bool has_addr6;
	uint8_t prefix6;
	uint8_t ip6[16];
	char kif[DSR_IFNAME_MAX]; /**< port N kernel-interface NAME, "" if none */
};

struct dsr_conf_vip {
	bool used;
	struct dsr_svc_key svc;
	struct dsr_check check; /**< its health check (`check set`); kind none by default */
	bool routed;            /**< vip add ... routed: no ARP/NDP answers or announcements */
};

struct dsr_conf_backend {
	bool used;
	bool has_mac;
	uint8_t mac[6];
	uint16_t vip;    /**< id of its VIP */
	uint8_t family;  /**< its VIP's: DSR_AF_IPV4 (ip) or DSR_AF_IPV6 (ip6) */
	uint32_t ip;     /**< network order */
	uint8_t ip6[16]; /**< family DSR_AF_IPV6 */
	uint32_t weight; /**< 0 = drain */
};

struct dsr_conf {
	struct dsr_conf_port ports[DSR_MAX_PORTS];
	struct dsr_conf_vip vips[DSR_MAX_VIPS];             /**< indexed by VIP id */
	struct dsr_conf_backend backends[DSR_MAX_BACKENDS]; /**< indexed by backend id */
	uint32_t timeout_s[DSR_TIMEOUT_NKINDS];
	uint32_t conntrack_size; /**< entries per worker */
	/** IPv6 entries per worker (`conntrack size6`); 0: no IPv6 table; DSR_CONNTRACK6_AUTO */
	uint32_t conntrack_size6;
	uint32_t maglev_size; /**< prime */
	bool strict_syn;
	uint32_t arp_announce_count;      /**< gratuitous ARPs per address (default 2) */
	uint32_t arp_announce_interval_s; /**< seconds between them (default 2) */
	uint32_t arp_refresh_s;           /**< confirm resolved backend MACs this often (60) */
	bool icmp_forward;                /**< ICMP errors to a VIP go to the flow's backend (on) */
	uint32_t icmp_rate;               /**< echo replies a second (1000) */
	uint32_t announce_table;          /**< routing table of the VIP routes; 0 = none */
	/*
	 * Backend ids not to give out yet: lib/lb holds the id of a deleted
	 * backend while connection entries still name it, so that a new
	 * backend never inherits them. Not part of the configuration proper:
	 * never dumped, and ignored by dsr_conf_dump()'s round trip.
	 */
	bool backend_held[DSR_MAX_BACKENDS];
};

/**
 * Defaults: no ports, VIPs or backends; timeouts 30/900/60/300 s, frag 2 s; conntrack
 * 1M, IPv6 a quarter of it (DSR_CONNTRACK6_AUTO); maglev 65537; 2 ARP announcements 2 s apart; ARP refresh 60 s.
 */
void dsr_conf_init(struct dsr_conf *conf);

/**
 * Validate cmd against conf and apply it. Errors (err names the culprit):
 * duplicate VIP or backend, backend of a missing VIP, deleting or setting
 * what is not there, no free VIP/backend id, maglev size not prime or out
 * of DSR_CONF_MAGLEV_MIN..DSR_CONF_MAGLEV_MAX, conntrack size out of
 * DSR_CONNTRACK_MIN..DSR_CONNTRACK_MAX (size6: 0 or that range), a port number >= DSR_MAX_PORTS, a
 * second address for a port (one address per port), a port address that
 * is the network or broadcast address of its subnet (prefix /0 to /30) or
 * already on another port, a backend without a MAC on no port's subnet, a
 * backend MAC that is broadcast, multicast or all zeros, a backend address
 * that is a port address or a VIP (and a VIP or port address that is a
 * backend's), and a port, VIP or backend address that is not unicast
 * (0.0.0.0/8, 127.0.0.0/8, 224.0.0.0 and above). New VIPs and backends take the lowest free id; vip del also
 * deletes the VIP's backends. Fields that dsr_cmd_parse() range-checks
 * are checked again, for commands built by hand.
 * @return 0, or -1 with conf unchanged.
 */
int dsr_conf_apply(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen);

/**
 * Whether dsr_conf_apply() takes commands of this id (every row of the
 * command table without DSR_CMD_F_RUNTIME), and, in *settings if not
 * NULL, whether dsr_conf_settings() writes it.
 */
bool dsr_conf_applies(enum dsr_cmd_id id, bool *settings);

/** Called with each command dsr_conf_settings() writes; non-zero stops it. */
typedef int (*dsr_conf_emit_fn)(void *arg, const struct dsr_cmd *cmd);

/**
 * The settings (rows with DSR_CMD_F_SETTING: timeouts, sizes, port
 * addresses, ...) of conf as commands: what show config writes first,
 * and what a reload compares. Returns the first non-zero
 * emit() result, or 0.
 */
int dsr_conf_settings(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg);

/**
 * IPv6 connection entries per worker: `conntrack size6`, or when it is
 * not set a quarter of conntrack size, at least DSR_CONNTRACK_MIN.
 * 0: no IPv6 table (IPv6 packets are dropped).
 */
uint32_t dsr_conf_conntrack_size6(const struct dsr_conf *conf);

/** Parse and apply one line. Same return as dsr_conf_apply(); a blank line is 0. */
int dsr_conf_apply_line(struct dsr_conf *conf, const char *line, char *err, size_t errlen);

/**
 * Apply a whole file. On error, err is "PATH:LINE: what is wrong" (or
 * "PATH: not a regular file (a FIFO)" and the like: only regular files,
 * or links to them, are read), conf is left as it was before the call,
 * and -1 is returned.
 */
int dsr_conf_load_file(struct dsr_conf *conf, const char *path, char *err, size_t errlen);

/** The number of VIPs in conf. */
unsigned int dsr_conf_vip_count(const struct dsr_conf *conf);

/**
 * May a reload replace the running configuration run by want? Not if
 * want has no VIP while run has some, unless allow_empty (dsrlb
 * --allow-empty): an empty or truncated file would otherwise remove
 * every service at once. `vip del` removes them one by one.
 * @return 0, or -1 with the reason in err.
 */
int dsr_conf_check_reload(const struct dsr_conf *run, const struct dsr_conf *want, bool allow_empty,
			  char *err, size_t errlen);

/**
 * Whether some port has a kernel interface, which tcp and http checks
 * need to connect from.
 */
bool dsr_conf_has_kernel_if(const struct dsr_conf *conf);

/** Whether two services have the same address (family and IP; port and protocol aside). */
bool dsr_conf_same_addr(const struct dsr_svc_key *a, const struct dsr_svc_key *b);

/** Find a VIP id by service; -1 if absent. */
int dsr_conf_find_vip(const struct dsr_conf *conf, const struct dsr_svc_key *svc);

/** The lowest port whose subnet holds ip, or -1. */
int dsr_conf_port_of(const struct dsr_conf *conf, uint32_t ip);

/** The lowest port whose IPv6 subnet holds ip6, or -1. */
int dsr_conf_port_of6(const struct dsr_conf *conf, const uint8_t ip6[16]);

/** Find an IPv4 backend id by VIP id and IP; -1 if absent. */
int dsr_conf_find_backend(const struct dsr_conf *conf, uint16_t vip, uint32_t ip);

/** Find a backend id by VIP id and address of either family; -1 if absent. */
int dsr_conf_find_backend_addr(const struct dsr_conf *conf, uint16_t vip, uint8_t family,
			       uint32_t ip, const uint8_t ip6[16]);

/** Whether some VIP, backend or port address of conf is IPv6. */
bool dsr_conf_has_ipv6(const struct dsr_conf *conf);

/**
 * Write commands that recreate conf (what `show config` prints), one per
 * line, in a stable order: settings, ports, then each VIP followed by its
 * backends. Loading the output into a fresh dsr_conf gives an equal state.
 * @return 0 or -1 on a write error.
 */
int dsr_conf_dump(const struct dsr_conf *conf, FILE *out);

#endif /* DSR_CONF_H */
