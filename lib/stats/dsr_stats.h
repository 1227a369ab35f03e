/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_STATS_H
#define DSR_STATS_H

/**
 * @file
 * Counters. Each worker owns one struct dsr_stats_lcore and is its only
 * writer; readers (the main lcore) sum all workers' blocks on demand.
 * Increments are plain loads and stores (relaxed atomics: no lock prefix),
 * so a reader sees each counter whole. Pure C, no EAL.
 *
 * Each counter is named once, in one X-macro row below, as in VPP's
 * foreach_lb_error and lb_foreach_vip_counter. The struct fields, the
 * keys of `show stats`, the Prometheus families, the DPDK telemetry keys
 * and the names in test reports are all made from the rows, so they
 * cannot drift apart; dsr_ctr_outputs() lists where each one appears.
 * docs/design.md has the checklist for adding one.
 */

#include <stddef.h>
#include <stdint.h>

#include "dsr_common.h"
#include "dsr_pkt6.h"

/*
 * Drop reasons and events: X(ENUM, "name", "meaning"). A reason is the
 * row "drop NAME" of `show stats`, the label reason="NAME" of the
 * Prometheus family dsrlb_drops_total and the key NAME (with '_' for '-')
 * of the telemetry command /dsrlb/drops; an event likewise "event NAME",
 * dsrlb_events_total{event="NAME"} and /dsrlb/events.
 */
#define DSR_DROP_REASONS(X)                                                                         \
	X(NOT_OURS, "not-our-mac", "frame not addressed to the port's MAC address")                 \
	X(NOT_IPV4, "not-ipv4",                                                                     \
	  "neither IPv4 nor ARP (nor IPv6 where it is served), or more than one VLAN tag")          \
	X(MALFORMED, "malformed", "truncated or inconsistent Ethernet, IPv4, TCP or UDP header")    \
	X(OVERSIZE, "oversize",                                                                     \
	  "IPv4 datagram longer than its frame, which is longer than any standard Ethernet "        \
	  "frame: cut by the driver (net_af_packet's ring)")                                        \
	X(FRAGMENT, "fragment", "IPv4 or IPv6 fragment of neither TCP nor UDP")                     \
	X(FRAG_NO_FIRST, "frag-no-first",                                                           \
	  "later IPv4 or IPv6 fragment whose first one was not seen (or expired) and whose VIP "    \
	  "has more than one backend to choose from")                                               \
	X(ICMP_TRUNCATED, "icmp-truncated",                                                         \
	  "ICMP error to a VIP too short to quote an IPv4 header and 8 bytes")                      \
	X(ICMP_FOREIGN, "icmp-foreign",                                                             \
	  "ICMP error to a VIP quoting a packet the VIP did not send (another source, not TCP "     \
	  "or UDP, no ports)")                                                                      \
	X(ICMP_NO_SERVICE, "icmp-no-service",                                                       \
	  "ICMP error quoting a packet from a VIP address and a port or protocol with no service")  \
	X(ICMP_TYPE, "icmp-type",                                                                   \
	  "ICMP to a VIP neither echo request, destination unreachable nor time exceeded")          \
	X(ICMP_OFF, "icmp-off", "ICMP error to a VIP while `icmp forward off`")                     \
	X(ICMP_RATE, "icmp-rate", "echo request not answered: over `icmp rate`")                    \
	X(TTL, "ttl", "IPv4 TTL or IPv6 hop limit of 0 or 1")                                       \
	DSR_PKT6_REASONS(X)                                                                         \
	X(NOT_VIP, "not-vip", "no VIP matches destination address, port and protocol")              \
	X(MARTIAN, "martian",                                                                       \
	  "source address no client can have: 0/8, 127/8, 224/4, 240/4, the VIP or the port's own") \
	X(NO_BACKEND, "no-backend", "the VIP has no backend that takes new flows")                  \
	X(NO_STATE, "no-state", "strict-syn: a non-SYN TCP packet without a connection")            \
	X(NO_MAC, "no-mac", "the backend's MAC address is not known")                               \
	X(SLOW_FULL, "slowpath-full", "the ring to the main lcore was full")                        \
	X(TX_FULL, "tx-full", "the transmit queue was full")

#define DSR_EVENTS(X)                                                                              \
	X(CT_NEW, "ct-new", "connection entries created")                                          \
	X(CT_MIDFLOW, "ct-midflow",                                                                \
	  "entries created from a non-SYN packet (after a restart or loss)")                       \
	X(CT_REUSE, "ct-reuse", "a SYN on a closing entry started a new connection")               \
	X(CT_RST, "ct-rst", "entries removed at once by a client RST")                             \
	X(RST_OUT_OF_WINDOW, "rst-out-of-window",                                                  \
	  "RSTs forwarded whose sequence number is far from the flow's: entry kept")               \
	X(CT_EXPIRED, "ct-expired", "entries aged out")                                            \
	X(CT_FULL, "ct-full", "packets forwarded by Maglev alone because the table was full")      \
	X(CT_STALE, "ct-stale", "entries whose backend was removed or went down, re-chosen")       \
	X(CT_FLUSHED, "ct-flushed", "entries removed by conns flush")                              \
	X(TO_KERNEL, "to-kernel",                                                                  \
	  "frames for a port's own address passed to the main lcore for its kernel interface")     \
	X(SLOWPATH, "slowpath",                                                                    \
	  "frames passed to the main lcore (ARP, kernel interface, health check answers, echo)")   \
	X(ICMP_ECHO, "icmp-echo", "echo replies sent for a VIP or a port's address")               \
	X(FRAG_FWD, "frag-fwd", "IPv4 and IPv6 fragments forwarded, first and later ones")         \
	X(FRAG_TRACKED, "frag-tracked", "first fragments whose backend was remembered")            \
	X(FRAG_EXPIRED, "frag-expired",                                                            \
	  "fragment table entries found or reused after `timeout frag`")                           \
	X(FRAG_EVICTED, "frag-evicted",                                                            \
	  "fragment table entries replaced before their timeout: the table was full")              \
	X(FRAG_GUESSED, "frag-guessed",                                                            \
	  "later fragments without a first one sent to the only backend their VIP address has")

#define DSR_X_ENUM(e, name, help) DSR_DROP_##e,
enum dsr_drop { DSR_DROP_REASONS(DSR_X_ENUM) DSR_DROP_MAX };
#undef DSR_X_ENUM
#define DSR_X_ENUM(e, name, help) DSR_EV_##e,
enum dsr_event { DSR_EVENTS(DSR_X_ENUM) DSR_EV_MAX };
#undef DSR_X_ENUM

/* The rows of `show stats` that show a worker counter. */
#define DSR_CTR_IN_WORKER 1u /**< "worker N" */
#define DSR_CTR_IN_TOTAL  2u /**< "total" */
#define DSR_CTR_IN_BOTH   (DSR_CTR_IN_WORKER | DSR_CTR_IN_TOTAL)

/*
 * A worker's own counters: X(field, key, rows, family, type, help, tel).
 * field is the member of struct dsr_stats_lcore; key its key in the
 * `show stats` rows that rows names; family, type (counter or gauge) and
 * help its Prometheus family; tel its key in the telemetry command
 * /dsrlb/stats (the sum over the workers). Traffic counters are Prometheus
 * totals; loop counters are labelled worker="N".
 */
#define DSR_CTR_TRAFFIC(X)                                                                         \
	X(rx_pkts, "rx-pkts", DSR_CTR_IN_BOTH, "dsrlb_received_packets_total", counter,            \
	  "Frames received by the workers.", "rx_pkts")                                            \
	X(rx_bytes, "rx-bytes", DSR_CTR_IN_TOTAL, "dsrlb_received_bytes_total", counter,           \
	  "Bytes received by the workers.", "rx_bytes")                                            \
	X(fwd_pkts, "fwd-pkts", DSR_CTR_IN_BOTH, "dsrlb_forwarded_packets_total", counter,         \
	  "Frames forwarded to backends.", "fwd_pkts")                                             \
	X(fwd_bytes, "fwd-bytes", DSR_CTR_IN_TOTAL, "dsrlb_forwarded_bytes_total", counter,        \
	  "Bytes forwarded to backends.", "fwd_bytes")

#define DSR_CTR_LOOP(X)                                                                            \
	X(polls, "polls", DSR_CTR_IN_WORKER, "dsrlb_worker_polls_total", counter,                  \
	  "Poll loop iterations, by worker.", "polls")                                             \
	X(busy_polls, "busy-polls", DSR_CTR_IN_WORKER, "dsrlb_worker_busy_polls_total", counter,   \
	  "Poll loop iterations that received at least one frame, by worker.", "busy_polls")

/*
 * Cycle accounting (dsrlb --record-cycles), by stage of a burst:
 * X(field, meaning). `show stats` shows them per packet (cycles-*, by
 * hand: they are ratios), and only there.
 */
#define DSR_CTR_CYCLES(X)                                                                          \
	X(cyc_pkts, "packets in the accounted bursts")                                             \
	X(cyc_rx, "rte_eth_rx_burst() of non-empty bursts")                                        \
	X(cyc_parse, "classify: parse, VIP match, hash, prefetch")                                 \
	X(cyc_table, "decide: table lookup/insert, state, rewrite (Maglev included)")              \
	X(cyc_maglev, "of which Maglev lookups (flows without an entry)")                          \
	X(cyc_tx, "rte_eth_tx_burst() and freeing")

/*
 * A port's counters (struct dsr_ctr_port): X(field, key, family, type,
 * help, tel). key is in the "port N" row, the family is labelled
 * port="N", tel is a key of the telemetry command /dsrlb/port,N.
 */
#define DSR_CTR_PORT(X)                                                                            \
	X(rx_pkts, "rx-pkts", "dsrlb_port_rx_packets_total", counter, "Frames received by port.",  \
	  "rx_pkts")                                                                               \
	X(rx_bytes, "rx-bytes", "dsrlb_port_rx_bytes_total", counter, "Bytes received by port.",   \
	  "rx_bytes")                                                                              \
	X(tx_pkts, "tx-pkts", "dsrlb_port_tx_packets_total", counter, "Frames sent by port.",      \
	  "tx_pkts")                                                                               \
	X(tx_bytes, "tx-bytes", "dsrlb_port_tx_bytes_total", counter, "Bytes sent by port.",       \
	  "tx_bytes")                                                                              \
	X(kernel_in_pkts, "kernel-in-pkts", "dsrlb_port_kernel_in_packets_total", counter,         \
	  "Frames passed to the port's kernel interface.", "kernel_in_pkts")                       \
	X(kernel_out_pkts, "kernel-out-pkts", "dsrlb_port_kernel_out_packets_total", counter,      \
	  "Frames the port's kernel interface sent out of the port.", "kernel_out_pkts")           \
	X(kernel_drops, "kernel-drops", "dsrlb_port_kernel_drops_total", counter,                  \
	  "Frames lost between the port and its kernel interface (a full queue or ring).",         \
	  "kernel_drops")

/*
 * A VIP's or a backend's counters (struct dsr_ctr_flow): X(field, key,
 * family, type, help). key is in the "vip ..." and "backend ..." rows;
 * the Prometheus families are dsrlb_vip_<family> and
 * dsrlb_backend_<family>, with help "<help>, by VIP." and "<help>, by
 * backend.". A VIP's active is the sum of its backends'. Telemetry has
 * only each VIP's pkts (/dsrlb/vips): its replies hold 256 entries, where
 * there may be 4096 backends.
 */
#define DSR_CTR_FLOW(X)                                                                            \
	X(pkts, "pkts", "packets_total", counter, "Frames forwarded")                              \
	X(bytes, "bytes", "bytes_total", counter, "Bytes forwarded")                               \
	X(new_conns, "new-conns", "new_connections_total", counter, "Entries created")             \
	X(active, "active", "active_connections", gauge, "Live entries")                           \
	X(syn_retries, "syn-retries", "syn_retries_total", counter,                                \
	  "Client SYNs repeated on an entry still in the SYN state: the backend did not answer")   \
	X(icmp_fwd, "icmp-fwd", "icmp_forwarded_total", counter,                                   \
	  "ICMP errors about the flows forwarded (fragmentation needed and the like; also in pkts)")

#define DSR_X_FIELD(field, ...) uint64_t field;

/** Traffic counters of one VIP or backend. */
struct dsr_ctr_flow {
	DSR_CTR_FLOW(DSR_X_FIELD)
};

struct dsr_ctr_port {
	DSR_CTR_PORT(DSR_X_FIELD)
};

/** One worker's counters. Allocate 64-byte aligned. */
struct dsr_stats_lcore {
	DSR_CTR_TRAFFIC(DSR_X_FIELD)
	uint64_t drop[DSR_DROP_MAX];
	uint64_t event[DSR_EV_MAX];
	DSR_CTR_LOOP(DSR_X_FIELD)
	DSR_CTR_CYCLES(DSR_X_FIELD)
	struct dsr_ctr_port port[DSR_MAX_PORTS];
	struct dsr_ctr_flow vip[DSR_MAX_VIPS];
	struct dsr_ctr_flow backend[DSR_MAX_BACKENDS];
} __attribute__((aligned(64)));

#undef DSR_X_FIELD

/** The groups of counters with their own X-macro, and the struct each is of. */
enum dsr_ctr_group {
	DSR_CTR_G_TRAFFIC, /**< struct dsr_stats_lcore: DSR_CTR_TRAFFIC */
	DSR_CTR_G_LOOP,    /**< struct dsr_stats_lcore: DSR_CTR_LOOP */
	DSR_CTR_G_PORT,    /**< struct dsr_ctr_port: DSR_CTR_PORT */
	DSR_CTR_G_VIP,     /**< struct dsr_ctr_flow: DSR_CTR_FLOW, as dsrlb_vip_* */
	DSR_CTR_G_BACKEND, /**< struct dsr_ctr_flow: DSR_CTR_FLOW, as dsrlb_backend_* */
	DSR_CTR_G_MAX
};

/** One counter of a group: its X-macro row. */
struct dsr_ctr_desc {
	size_t off;         /**< of the field in its struct */
	const char *field;  /**< the field's name */
	const char *key;    /**< its key in `show stats` */
	unsigned int rows;  /**< DSR_CTR_IN_* (traffic and loop counters; else 0) */
	const char *family; /**< its Prometheus family */
	const char *type;   /**< "counter" or "gauge" */
	const char *help;   /**< the family's HELP text */
	const char *tel;    /**< its telemetry key (NULL for VIPs and backends) */
};

/** A counter array with names of its own: the drop reasons or the events. */
struct dsr_ctr_array {
	const char *row;    /**< `show stats` rows "ROW NAME", with the key "count" */
	const char *family; /**< the Prometheus family, a counter */
	const char *help;
	const char *label; /**< the label that holds NAME */
	const char *tel;   /**< the telemetry command; its keys are dsr_tel_name(NAME) */
	size_t off;        /**< of the array in struct dsr_stats_lcore */
	unsigned int n;
	const char *const *names;
	const char *const *helps;
};

/* The DPDK telemetry commands of the counters. */
#define DSR_TEL_STATS  "/dsrlb/stats"  /**< traffic and loop totals (tel keys) */
#define DSR_TEL_DROPS  "/dsrlb/drops"  /**< drop reasons */
#define DSR_TEL_EVENTS "/dsrlb/events" /**< events */
#define DSR_TEL_PORT   "/dsrlb/port"   /**< ",N": port N's counters (tel keys) */
#define DSR_TEL_VIPS   "/dsrlb/vips"   /**< each VIP's pkts, keyed by dsr_tel_name(VIP) */

/** The counters of group g (n of them). */
const struct dsr_ctr_desc *dsr_ctr_group(enum dsr_ctr_group g, unsigned int *n);

/** The drop reasons and the events. */
extern const struct dsr_ctr_array dsr_ctr_drops;
extern const struct dsr_ctr_array dsr_ctr_events;

/** Counter d of block, a struct of d's group, read as DSR_CTR_GET does. */
static inline uint64_t
dsr_ctr_get(const void *block, const struct dsr_ctr_desc *d)
{
	return __atomic_load_n((const uint64_t *)(const void *)((const char *)block + d->off),
			       __ATOMIC_RELAXED);
}

/** Counter i of array a in s. */
static inline uint64_t
dsr_ctr_array_get(const struct dsr_stats_lcore *s, const struct dsr_ctr_array *a, unsigned int i)
{
	return __atomic_load_n((const uint64_t *)(const void *)((const char *)s + a->off) + i,
			       __ATOMIC_RELAXED);
}

/**
 * A name as telemetry takes it: letters, digits, '_' and '/' only, any
 * other character as '_' ("not-vip" is "not_vip", "10.0.0.1:80/tcp" is
 * "10_0_0_1_80/tcp"). Cut to len - 1 characters. @return out.
 */
const char *dsr_tel_name(const char *in, char *out, size_t len);

/**
 * The name of the counter at byte offset off of struct dsr_stats_lcore
 * ("fwd_pkts", "drop[ttl]", "backend[3].active"; "(padding)" between
 * counters), for reports. @return buf.
 */
const char *dsr_stats_field_name(size_t off, char *buf, size_t len);

/** Where one counter appears in the outputs (what a test checks). */
struct dsr_ctr_where {
	char field[48];   /**< as dsr_stats_field_name() names it, with [] for any index */
	char row[32];     /**< `show stats`: the row's kind, or its first word if it has more */
	char key[32];     /**< `show stats`: the key in that row */
	char family[64];  /**< Prometheus: the family */
	char label[64];   /**< Prometheus: NAME="VALUE" that tells it apart in its family, or "" */
	char tel_cmd[32]; /**< telemetry: the command (a port's without its ",N") */
	char tel_key[48]; /**< telemetry: the key in its reply ("" for a VIP's own name) */
};

/**
 * Every counter but the cycle accounting, in table order, with where it
 * appears. Fills at most max of w. @return how many there are.
 */
unsigned int dsr_ctr_outputs(struct dsr_ctr_where *w, unsigned int max);

/** Add v to a counter the calling thread owns. */
#define DSR_CTR_ADD(c, v)                                                                          \
	__atomic_store_n(&(c), __atomic_load_n(&(c), __ATOMIC_RELAXED) + (v), __ATOMIC_RELAXED)

/** Read a counter owned by another thread. */
#define DSR_CTR_GET(c) __atomic_load_n(&(c), __ATOMIC_RELAXED)

/** Set out to the sum of n workers' counters (out may be uninitialised). */
void dsr_stats_sum(struct dsr_stats_lcore *out, const struct dsr_stats_lcore *const *per,
		   unsigned int n);

/** Sum of all drop counters of s. */
uint64_t dsr_stats_drops(const struct dsr_stats_lcore *s);

const char *dsr_drop_name(enum dsr_drop d);
const char *dsr_drop_help(enum dsr_drop d);
const char *dsr_event_name(enum dsr_event e);
const char *dsr_event_help(enum dsr_event e);

#endif /* DSR_STATS_H */
