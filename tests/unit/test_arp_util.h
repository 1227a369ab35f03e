/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_TEST_ARP_UTIL_H
#define DSR_TEST_ARP_UTIL_H

/*
 * Helpers of test_arp.c, test_arp_conflict.c and test_arp_neigh.c: a configuration with two
 * ports, VIPs and backends; tx and log callbacks that record what lib/arp
 * sends and logs; an ARP frame builder of the tests' own (so expected
 * frames do not come from the code under test) and a hex parser for
 * literal frames.
 *
 *   port 0  10.0.0.1/24     02:00:00:00:00:01
 *   port 1  192.168.1.1/24  02:00:00:00:00:02
 *   VIP 0   164.152.77.34:80/tcp  in no subnet: served on both ports
 *   VIP 1   10.0.0.100:80/tcp     in port 0's subnet: port 0 only
 *   VIP 2   164.152.77.34:53/udp  same address as VIP 0
 *   backends (with_backends): 10.0.0.21 of VIPs 0 and 1 (one neighbour,
 *   port 0), 192.168.1.50 of VIP 0 (port 1), 10.0.0.22 of VIP 1 with a
 *   static MAC (never resolved).
 */

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_arp.h"
#include "dsr_log.h"
#include "dsr_test.h"

#define MAX_TX  64
#define MAX_LOG 32

struct tx_rec {
	uint16_t port;
	uint32_t len;
	uint8_t f[128];
};

struct log_rec {
	int level;
	char line[256];
};

static struct tx_rec txs[MAX_TX];
static unsigned int n_tx;
static struct log_rec logs[MAX_LOG];
static unsigned int n_log;

static const uint8_t port_macs[2][6] = {
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
	{0x02, 0x00, 0x00, 0x00, 0x00, 0x02},
};
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t ZERO[6];
static const uint8_t HOST_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x50}; /* 10.0.0.50 */
static const uint8_t BK21_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x21}; /* 10.0.0.21 */
static const uint8_t BK99_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
static const uint8_t BK50_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x50}; /* 192.168.1.50 */
static const uint8_t OTHER_MAC[6] = {0x00, 0x13, 0xd4, 0x59, 0x7a, 0xda};
static const uint8_t PROBER_MAC[6] = {0x1c, 0xc1, 0xde, 0xb4, 0x76, 0x60};

#define P0MAC port_macs[0]
#define P1MAC port_macs[1]

static struct dsr_conf *conf;
static struct dsr_arp *arp;

static void
tx_cb(void *arg, uint16_t port, const uint8_t *frame, uint32_t len)
{
	CHECK(arg == &txs);
	if (n_tx == MAX_TX || len > sizeof(txs[0].f)) {
		fprintf(stderr, "tx_cb: too many frames or too long (%u)\n", len);
		dsr_test_failures++;
		return;
	}
	txs[n_tx].port = port;
	txs[n_tx].len = len;
	memcpy(txs[n_tx].f, frame, len);
	n_tx++;
}

static void
log_cb(void *arg, int level, const char *line)
{
	CHECK(arg == &txs);
	if (n_log == MAX_LOG) {
		fprintf(stderr, "log_cb: too many lines\n");
		dsr_test_failures++;
		return;
	}
	logs[n_log].level = level;
	snprintf(logs[n_log].line, sizeof(logs[0].line), "%s", line);
	n_log++;
}

static inline void
clear_out(void)
{
	n_tx = 0;
	n_log = 0;
}

static inline uint32_t
ip_of(const char *s)
{
	uint32_t ip;

	if (inet_pton(AF_INET, s, &ip) != 1)
		abort();
	return ip;
}

/* A conflict row's IPv4 address (the first 4 bytes of its ip). */
static inline uint32_t
conflict_ip4(const struct dsr_conflict *c)
{
	uint32_t ip;

	memcpy(&ip, c->ip, 4);
	return ip;
}

static inline void
conf_vip(unsigned int id, const char *ip, uint16_t port, uint8_t proto)
{
	conf->vips[id].used = true;
	conf->vips[id].svc.ip = ip_of(ip);
	conf->vips[id].svc.port = htons(port);
	conf->vips[id].svc.proto = proto;
}

static inline void
conf_backend(unsigned int id, unsigned int vip, const char *ip, const uint8_t *mac)
{
	struct dsr_conf_backend *b = &conf->backends[id];

	b->used = true;
	b->vip = (uint16_t)vip;
	b->ip = ip_of(ip);
	b->weight = 1;
	if (mac != NULL) {
		b->has_mac = true;
		memcpy(b->mac, mac, 6);
	}
}

static inline void
teardown(void)
{
	dsr_arp_free(arp);
	arp = NULL;
	free(conf);
	conf = NULL;
}

/* Defaults but announce_count (the tests of announcements set it). */
static inline struct dsr_arp_params
params_with(uint32_t announce_count)
{
	struct dsr_arp_params p;

	dsr_arp_params_default(&p);
	p.announce_count = announce_count;
	return p;
}

static inline int
reconfigure(const struct dsr_arp_params *p, uint32_t now_ms)
{
	return dsr_arp_configure(arp, conf, p, port_macs, 2, now_ms);
}

/* The configuration above, configured at now_ms; nothing recorded yet. */
static inline void
setup(const struct dsr_arp_params *p, bool with_backends, uint32_t now_ms)
{
	conf = calloc(1, sizeof(*conf));
	if (conf == NULL)
		abort();
	dsr_conf_init(conf);
	conf->ports[0].has_addr = true;
	conf->ports[0].ip = ip_of("10.0.0.1");
	conf->ports[0].prefix_len = 24;
	conf->ports[1].has_addr = true;
	conf->ports[1].ip = ip_of("192.168.1.1");
	conf->ports[1].prefix_len = 24;
	conf_vip(0, "164.152.77.34", 80, 6);
	conf_vip(1, "10.0.0.100", 80, 6);
	conf_vip(2, "164.152.77.34", 53, 17);
	if (with_backends) {
		conf_backend(0, 0, "10.0.0.21", NULL);
		conf_backend(1, 1, "10.0.0.21", NULL);
		conf_backend(2, 0, "192.168.1.50", NULL);
		conf_backend(3, 1, "10.0.0.22", BK99_MAC);
	}
	arp = dsr_arp_create(p, tx_cb, log_cb, &txs);
	if (arp == NULL)
		abort();
	CHECK_EQ(reconfigure(p, now_ms), 0);
	clear_out();
}

/*
 * An ARP frame: Ethernet (a VLAN tag if tci >= 0), then ARP, zero padded
 * to 60 bytes (64 tagged). Returns the length.
 */
static inline uint32_t
mk_arp(uint8_t *buf, const uint8_t *dst, const uint8_t *src, int tci, unsigned int op,
       const uint8_t *sha, const char *spa, const uint8_t *tha, const char *tpa)
{
	uint32_t n = 12, sip = ip_of(spa), tip = ip_of(tpa);

	memset(buf, 0, 64);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	if (tci >= 0) {
		buf[n++] = 0x81;
		buf[n++] = 0x00;
		buf[n++] = (uint8_t)(tci >> 8);
		buf[n++] = (uint8_t)tci;
	}
	buf[n++] = 0x08;
	buf[n++] = 0x06;
	buf[n++] = 0x00; /* htype */
	buf[n++] = 0x01;
	buf[n++] = 0x08; /* ptype */
	buf[n++] = 0x00;
	buf[n++] = 6;
	buf[n++] = 4;
	buf[n++] = (uint8_t)(op >> 8);
	buf[n++] = (uint8_t)op;
	memcpy(buf + n, sha, 6);
	memcpy(buf + n + 6, &sip, 4);
	memcpy(buf + n + 10, tha, 6);
	memcpy(buf + n + 16, &tip, 4);
	return tci >= 0 ? 64 : 60;
}

/* Parse hex digits (spaces ignored) into buf; returns the byte count. */
static inline uint32_t
hex(uint8_t *buf, const char *s)
{
	uint32_t n = 0;
	int hi = -1;

	for (; *s != '\0'; s++) {
		int v;

		if (*s == ' ')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else
			abort();
		if (hi < 0) {
			hi = v;
		} else {
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

static inline void
dump(const char *what, const uint8_t *f, uint32_t len)
{
	uint32_t i;

	fprintf(stderr, "  %s (%u):", what, len);
	for (i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 16 == 0 ? "\n    " : " ", f[i]);
	fprintf(stderr, "\n");
}

/* Frame i sent was exactly (port, want, len). */
static inline void
check_tx(unsigned int i, uint16_t port, const uint8_t *want, uint32_t len, int line)
{
	if (i >= n_tx) {
		fprintf(stderr, "%s:%d: frame %u not sent (%u sent)\n", __FILE__, line, i, n_tx);
		dsr_test_failures++;
		return;
	}
	if (txs[i].port != port || txs[i].len != len || memcmp(txs[i].f, want, len) != 0) {
		fprintf(stderr, "%s:%d: frame %u differs (port %u, want %u)\n", __FILE__, line, i,
			txs[i].port, port);
		dump("sent", txs[i].f, txs[i].len);
		dump("want", want, len);
		dsr_test_failures++;
	}
}

#define CHECK_TX(i, port, want, len) check_tx(i, port, want, len, __LINE__)

/* Some frame sent was exactly (port, want, len): for frames in no set order. */
static inline void
check_tx_any(uint16_t port, const uint8_t *want, uint32_t len, int line)
{
	unsigned int i;

	for (i = 0; i < n_tx; i++)
		if (txs[i].port == port && txs[i].len == len && memcmp(txs[i].f, want, len) == 0)
			return;
	fprintf(stderr, "%s:%d: frame not sent on port %u\n", __FILE__, line, port);
	dump("want", want, len);
	dsr_test_failures++;
}

#define CHECK_TX_ANY(port, want, len) check_tx_any(port, want, len, __LINE__)

/* Log line i was exactly (level, text). */
static inline void
check_log(unsigned int i, int level, const char *text, int line)
{
	if (i >= n_log) {
		fprintf(stderr, "%s:%d: log line %u missing (%u logged): want \"%s\"\n", __FILE__,
			line, i, n_log, text);
		dsr_test_failures++;
		return;
	}
	if (logs[i].level != level || strcmp(logs[i].line, text) != 0) {
		fprintf(stderr, "%s:%d: log line %u: %d \"%s\", want %d \"%s\"\n", __FILE__, line,
			i, logs[i].level, logs[i].line, level, text);
		dsr_test_failures++;
	}
}

#define CHECK_LOG(i, level, text) check_log(i, level, text, __LINE__)

static inline uint64_t
cnt(uint16_t port, enum dsr_arp_counter c)
{
	return dsr_arp_counter(arp, port, c);
}

/* Sum of all counters of a port but RX. */
static inline uint64_t
cnt_all_but_rx(uint16_t port)
{
	uint64_t s = 0;
	int c;

	for (c = 0; c < DSR_ARP_NCOUNTERS; c++)
		if (c != DSR_ARP_RX)
			s += cnt(port, (enum dsr_arp_counter)c);
	return s;
}

static inline void
input(uint16_t port, const uint8_t *f, uint32_t len, uint32_t now_ms)
{
	dsr_arp_input(arp, port, f, len, now_ms);
}

/* The announcement of ip on port. */
static inline uint32_t
mk_announce(uint8_t *w, uint16_t port, const char *ip)
{
	return mk_arp(w, BCAST, port_macs[port], -1, 1, port_macs[port], ip, ZERO, ip);
}

static inline const struct dsr_arp_neigh *
neigh_of(const char *ip)
{
	const struct dsr_arp_neigh *t;
	unsigned int n, i;

	t = dsr_arp_neighbours(arp, &n);
	for (i = 0; i < n; i++)
		if (t[i].ip == ip_of(ip))
			return &t[i];
	return NULL;
}

#endif /* DSR_TEST_ARP_UTIL_H */
