/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_CMD_H
#define DSR_CMD_H

/**
 * @file
 * The command language: one grammar for the config file and (later) the
 * control socket. A line is whitespace-separated words; '#' starts a
 * comment. Each command is one row of a table (words, usage, help,
 * flags, parser), in the manner of HAProxy's CLI keyword tables, so that
 * `help` and docs/cli.md come from the same strings as the parser.
 *
 * This module only turns text into a typed struct dsr_cmd and checks
 * each token's syntax and range. Whether the command makes sense
 * against the current state (duplicate VIP, missing VIP, ...) is
 * lib/conf's job. Pure C, no EAL.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsr_common.h"

#define DSR_CMD_LINE_MAX 4096 /**< longest accepted line, in bytes, newline excluded */
#define DSR_CMD_ERR_MAX  256  /**< size of an error buffer that always suffices */

/** Timeout names, in the order of `timeout set` words. */
enum dsr_timeout_kind {
	DSR_TIMEOUT_TCP_SYN = 0, /**< "tcp-syn" */
	DSR_TIMEOUT_TCP,         /**< "tcp" (established) */
	DSR_TIMEOUT_TCP_FIN,     /**< "tcp-fin" */
	DSR_TIMEOUT_UDP,         /**< "udp" */
	DSR_TIMEOUT_FRAG,        /**< "frag": a fragmented datagram's backend */
	DSR_TIMEOUT_NKINDS
};

#define DSR_TIMEOUT_MAX_S      604800u /**< one week */
#define DSR_TIMEOUT_FRAG_MAX_S 30u     /**< as Linux's ipfrag_time */
/** Most echo replies a second `icmp rate` allows. */
#define DSR_ICMP_RATE_MAX 1000000u

enum dsr_cmd_id {
	DSR_CMD_PORT_ADDRESS = 0, /**< port N address A/LEN */
	DSR_CMD_PORT_KERNEL_IF,   /**< port N kernel-interface NAME */
	DSR_CMD_VIP_ADD,          /**< vip add VIP:PORT/PROTO */
	DSR_CMD_VIP_DEL,          /**< vip del VIP:PORT/PROTO */
	DSR_CMD_VIP_WITHDRAW,     /**< vip withdraw VIP:PORT/PROTO */
	DSR_CMD_VIP_ANNOUNCE,     /**< vip announce VIP:PORT/PROTO */
	DSR_CMD_BACKEND_ADD,      /**< backend add SVC IP [mac M] [weight W] */
	DSR_CMD_BACKEND_DEL,      /**< backend del SVC IP */
	DSR_CMD_BACKEND_SET,      /**< backend set SVC IP weight W */
	DSR_CMD_CHECK_SET,        /**< check set SVC KIND [options] */
	DSR_CMD_TIMEOUT_SET,      /**< timeout set KIND SECONDS */
	DSR_CMD_CONNTRACK_SIZE,   /**< conntrack size N */
	DSR_CMD_CONNTRACK_SIZE6,  /**< conntrack size6 N */
	DSR_CMD_STRICT_SYN,       /**< strict-syn on|off */
	DSR_CMD_MAGLEV_SIZE,      /**< maglev size PRIME */
	DSR_CMD_ARP_ANNOUNCE,     /**< arp announce COUNT [interval SECONDS] */
	DSR_CMD_ARP_REFRESH,      /**< arp refresh SECONDS */
	DSR_CMD_ICMP_FORWARD,     /**< icmp forward on|off */
	DSR_CMD_ICMP_RATE,        /**< icmp rate N */
	DSR_CMD_ANNOUNCE_TABLE,   /**< announce table T */
	DSR_CMD_SHOW_VIPS,        /**< show vips */
	DSR_CMD_SHOW_BACKENDS,    /**< show backends [SVC] */
	DSR_CMD_SHOW_CHECKS,      /**< show checks */
	DSR_CMD_SHOW_CONNS,       /**< show conns [SVC] [limit N] */
	DSR_CMD_CONNS_FLUSH,      /**< conns flush [SVC] */
	DSR_CMD_SHOW_TIMEOUTS,    /**< show timeouts */
	DSR_CMD_SHOW_STATS,       /**< show stats [SECTION] [--prometheus] */
	DSR_CMD_SHOW_ARP,         /**< show arp */
	DSR_CMD_SHOW_ND,          /**< show nd */
	DSR_CMD_SHOW_CONFLICTS,   /**< show conflicts */
	DSR_CMD_SHOW_PORTS,       /**< show ports */
	DSR_CMD_SHOW_WORKERS,     /**< show workers */
	DSR_CMD_SHOW_CONFIG,      /**< show config */
	DSR_CMD_HELP,             /**< help [COMMAND] */
	DSR_CMD_NIDS
};

/** Command flags (struct dsr_cmd_spec.flags). */
#define DSR_CMD_F_READONLY 0x1 /**< does not change state (show ...) */
#define DSR_CMD_F_STARTUP  0x2 /**< only in the config file at start (sizes, port addresses) */
#define DSR_CMD_F_RUNTIME  0x4 /**< only at run time, never in a config file (show, help, flush) */
/** A setting: one value per key (timeout set KIND, port N address), always in show config. */
#define DSR_CMD_F_SETTING 0x8

/** Sections of `show stats`. */
enum dsr_stats_section {
	DSR_STATS_ALL = 0,
	DSR_STATS_PORTS,
	DSR_STATS_WORKERS,
	DSR_STATS_VIPS,
	DSR_STATS_BACKENDS,
	DSR_STATS_DROPS,
	DSR_STATS_ARP,
	DSR_STATS_CONTROL,
	DSR_STATS_NSECTIONS
};

#define DSR_HELP_TOPIC_MAX 64

#define DSR_ARP_ANNOUNCE_MAX      10u
#define DSR_ARP_ANNOUNCE_INTERVAL 2u
#define DSR_ARP_INTERVAL_MAX_S    60u
#define DSR_ARP_REFRESH_MAX_S     3600u

#define DSR_WEIGHT_DEFAULT 100u
#define DSR_WEIGHT_MAX     65535u

/** Kinds of active health check (`check set`). */
enum dsr_check_kind {
	DSR_CHECK_NONE = 0, /**< no checks: backends are up unless ARP says otherwise */
	DSR_CHECK_TCP,      /**< TCP connect from the kernel interface */
	DSR_CHECK_HTTP,     /**< HTTP/1.1 GET from the kernel interface */
	DSR_CHECK_DSR,      /**< a SYN to the VIP through the DSR path */
	DSR_CHECK_NKINDS
};

#define DSR_CHECK_PATH_MAX     128u     /**< an HTTP check's path, NUL included */
#define DSR_CHECK_INTERVAL_MIN 100u     /**< ms */
#define DSR_CHECK_INTERVAL_MAX 3600000u /**< ms */
#define DSR_CHECK_RISE_MAX     100u     /**< rise and fall: 1-100 */
#define DSR_CHECK_INTERVAL_DEF 2000u
#define DSR_CHECK_TIMEOUT_DEF  1000u
#define DSR_CHECK_RISE_DEF     2u
#define DSR_CHECK_FALL_DEF     3u
#define DSR_CHECK_EXPECT_DEF   200u

/** One VIP's health check. Zeroed (and then defaulted) so that equal checks compare equal. */
struct dsr_check {
	uint8_t kind;    /**< enum dsr_check_kind */
	uint8_t panic;   /**< percent, 0-100; 0 = off */
	uint16_t port;   /**< host order; 0 = the VIP's port */
	uint16_t expect; /**< http: the status that means healthy, 100-599 */
	uint16_t pad;
	uint32_t interval_ms;          /**< 100 ms - 1 h */
	uint32_t timeout_ms;           /**< 100 ms - interval */
	uint32_t rise;                 /**< 1-100 */
	uint32_t fall;                 /**< 1-100 */
	char path[DSR_CHECK_PATH_MAX]; /**< http: starts with '/' */
};

/** Zero c and set the defaults: kind none, interval 2 s, timeout 1 s, rise 2, fall 3, "/", 200. */
void dsr_check_default(struct dsr_check *c);

/** "none", "tcp", "http", "dsr". */
const char *dsr_check_kind_name(enum dsr_check_kind kind);

/** Seconds in ms as the language writes them: "2", "0.5", "1.25". buf >= 16 bytes. */
const char *dsr_ms_str(uint32_t ms, char *buf, size_t len);

/** A parsed command. Only the union member of cmd->id is meaningful. */
struct dsr_cmd {
	enum dsr_cmd_id id;
	union {
		struct {
			uint16_t port;
			uint8_t prefix_len; /**< 0..32, or 0..128 for IPv6 */
			uint8_t family;     /**< DSR_AF_IPV4 (ip) or DSR_AF_IPV6 (ip6) */
			uint32_t ip;        /**< network order */
			uint8_t ip6[16];
		} port_addr;
		struct {
			uint16_t port;
			char name[DSR_IFNAME_MAX]; /**< 1-15 of [A-Za-z0-9_.-], NUL-terminated */
		} port_kif;
		struct {
			struct dsr_svc_key svc;
			bool routed; /**< vip add ... routed: no ARP/NDP for its address */
		} vip;               /**< vip add, del, withdraw, announce */
		struct {
			struct dsr_svc_key svc;
			uint32_t ip;     /**< network order (family DSR_AF_IPV4) */
			uint8_t family;  /**< DSR_AF_IPV4 or DSR_AF_IPV6 (ip6) */
			uint8_t ip6[16]; /**< family DSR_AF_IPV6 */
			uint8_t mac[6];
			bool has_mac;
			bool has_weight;
			uint32_t weight; /**< DSR_WEIGHT_DEFAULT if not given */
		} backend;
		struct {
			struct dsr_svc_key svc;
			struct dsr_check check;
		} check; /**< check set */
		struct {
			enum dsr_timeout_kind kind;
			uint32_t seconds; /**< 1..DSR_TIMEOUT_MAX_S */
		} timeout;
		struct {
			uint32_t count;      /**< 0-10 announcements per address */
			uint32_t interval_s; /**< 1-60 s apart; 2 if not given */
		} arp_announce;
		uint32_t size;    /**< conntrack size, maglev size */
		uint32_t seconds; /**< arp refresh: 1-3600 */
		uint32_t rate;    /**< icmp rate: 0..DSR_ICMP_RATE_MAX */
		uint32_t
			table; /**< announce table: a routing table id, see dsr_route_table_reserved() */
		struct {
			struct dsr_svc_key svc;
			bool has_svc;
			bool prometheus;        /**< show stats --prometheus */
			uint8_t section;        /**< show stats: enum dsr_stats_section */
			uint32_t limit;         /**< show conns: 0 = all */
		} show;                         /**< show backends/conns/stats, conns flush */
		char topic[DSR_HELP_TOPIC_MAX]; /**< help: the words asked about, "" for all */
		bool on;                        /**< strict-syn, icmp forward */
	} u;
};

struct cmd_ctx; /* a line being parsed (private to lib/cmd) */

/** One row of the command table. */
struct dsr_cmd_spec {
	enum dsr_cmd_id id;
	const char *words; /**< the fixed leading words, e.g. "backend add" */
	/** The rest of the usage, e.g. "VIP:PORT/PROTO IP [mac MAC] [weight W]". */
	const char *args;
	const char *help; /**< one sentence */
	unsigned int flags;
	const char *example; /**< one example line (docs/cli.md) */
	/** Read the arguments after the words into cmd; -1 with the error set. */
	int (*parse)(struct cmd_ctx *c, struct dsr_cmd *cmd);
};

/**
 * Parse one line (NUL-terminated; a trailing "\n" or "\r\n" is allowed).
 * Words are separated by spaces and tabs; '#' anywhere starts a comment.
 * Any other control byte, DEL or non-ASCII byte anywhere in the line
 * (comments included) is an error, as is a line longer than
 * DSR_CMD_LINE_MAX bytes (the newline not counted).
 * @return 1 if cmd was filled, 0 for a blank or comment-only line, -1 on
 * error with err holding one line that names the bad token, e.g.
 * "bad IPv4 address '10.0.0.300'" or "unknown command 'vip frob'".
 * cmd is zeroed first (unused union bytes included) and stays zeroed on
 * 0 and -1. err may be NULL; DSR_CMD_ERR_MAX bytes always suffice.
 */
int dsr_cmd_parse(const char *line, struct dsr_cmd *cmd, char *err, size_t errlen);

/**
 * dsr_cmd_parse() on the n bytes at line, which need not be NUL-terminated
 * and may contain NUL bytes ("bad byte 0x00 at column C"): for text read
 * from a file or a socket.
 */
int dsr_cmd_parse_n(const char *line, size_t n, struct dsr_cmd *cmd, char *err, size_t errlen);

/** The command table, in help order. */
const struct dsr_cmd_spec *dsr_cmd_table(unsigned int *n);

/** The table row of an id. */
const struct dsr_cmd_spec *dsr_cmd_spec_of(enum dsr_cmd_id id);

/**
 * Write cmd back as one line of the language (no newline), in canonical
 * form (single spaces; backend add always writes its weight, and its mac
 * only when has_mac), such that dsr_cmd_parse() of the result gives an
 * equal command; the one difference is that a parsed backend add always
 * has has_weight set, since the weight is written.
 * @return the length snprintf() would have written, or -1 (buf set to "")
 * for an unknown cmd->id.
 */
int dsr_cmd_format(const struct dsr_cmd *cmd, char *buf, size_t len);

/* Token parsers shared with other modules. Each returns 0 or -1. */
int dsr_parse_ipv4(const char *s, uint32_t *ip_be);
int dsr_parse_mac(const char *s, uint8_t mac[6]);
int dsr_parse_svc(const char *s, struct dsr_svc_key *svc); /**< "10.0.0.1:80/tcp" */
int dsr_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v);

/** Format a service as "10.0.0.1:80/tcp" into buf (>= 32 bytes). */
const char *dsr_svc_str(const struct dsr_svc_key *svc, char *buf, size_t len);

/**
 * Why a routing table id may not be `announce table`'s: "none" for 0,
 * "default", "main" and "local" for the kernel's reserved 253, 254 and
 * 255; NULL if t is fine (1-252, 256-4294967295).
 */
const char *dsr_route_table_reserved(uint32_t t);

/** Name of a stats section ("all", "ports", ...). */
const char *dsr_stats_section_name(enum dsr_stats_section s);

/** Name of a timeout kind ("tcp-syn", ...). */
const char *dsr_timeout_name(enum dsr_timeout_kind kind);

#endif /* DSR_CMD_H */
