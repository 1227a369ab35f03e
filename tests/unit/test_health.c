/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/health: the rise/fall state machine and the panic
 * rule.
 */

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "dsr_health.h"
#include "dsr_test.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A new backend is unchecked, in service, with no result. */
static void
test_reset(void)
{
	struct dsr_health_be h;

	memset(&h, 0xa5, sizeof(h));
	dsr_health_reset(&h, 1234);
	CHECK_EQ(h.state, DSR_HEALTH_UNCHECKED);
	CHECK_EQ(h.last, DSR_HEALTH_RES_NONE);
	CHECK_EQ(h.run, 0);
	CHECK_EQ(h.since_ms, 1234);
	CHECK_EQ(h.checks, 0);
	CHECK_STR(h.why, "");
	CHECK(dsr_health_in_service(&h));
	CHECK_STR(dsr_health_name(DSR_HEALTH_UNCHECKED), "unchecked");
	CHECK_STR(dsr_health_name(DSR_HEALTH_UP), "up");
	CHECK_STR(dsr_health_name(DSR_HEALTH_DOWN), "down");
	CHECK_STR(dsr_health_result_name(DSR_HEALTH_RES_FAIL), "failed");
}

/* fall failures in a row take it down, rise successes bring it up; only then. */
static void
test_rise_fall(void)
{
	struct dsr_health_be h;
	uint64_t t = 0;

	dsr_health_reset(&h, t);
	/* Unchecked to up after rise (2) passes. */
	CHECK_EQ(dsr_health_record(&h, 2, 3, true, 150, NULL, ++t), DSR_HEALTH_SAME);
	CHECK_EQ(h.state, DSR_HEALTH_UNCHECKED);
	CHECK_EQ(dsr_health_record(&h, 2, 3, true, 160, NULL, ++t), DSR_HEALTH_WENT_UP);
	CHECK_EQ(h.state, DSR_HEALTH_UP);
	CHECK_EQ(h.since_ms, 2);
	CHECK_EQ(h.latency_us, 160);
	CHECK_EQ(dsr_health_record(&h, 2, 3, true, 170, NULL, ++t), DSR_HEALTH_SAME);
	CHECK_EQ(h.since_ms, 2);

	/* Two failures, a pass: the count starts again. */
	CHECK_EQ(dsr_health_record(&h, 2, 3, false, 1000, "timeout", ++t), DSR_HEALTH_SAME);
	CHECK_EQ(dsr_health_record(&h, 2, 3, false, 1000, "timeout", ++t), DSR_HEALTH_SAME);
	CHECK_EQ(h.run, 2);
	CHECK_EQ(dsr_health_record(&h, 2, 3, true, 100, NULL, ++t), DSR_HEALTH_SAME);
	CHECK_EQ(h.state, DSR_HEALTH_UP);
	CHECK_EQ(h.run, 1);
	CHECK_STR(h.why, "timeout"); /* the last failure stays */

	/* Three in a row: down, once. */
	CHECK_EQ(dsr_health_record(&h, 2, 3, false, 10, "connection refused", ++t),
		 DSR_HEALTH_SAME);
	CHECK_EQ(dsr_health_record(&h, 2, 3, false, 10, "connection refused", ++t),
		 DSR_HEALTH_SAME);
	CHECK(dsr_health_in_service(&h));
	CHECK_EQ(dsr_health_record(&h, 2, 3, false, 10, "connection refused", ++t),
		 DSR_HEALTH_WENT_DOWN);
	CHECK(!dsr_health_in_service(&h));
	CHECK_EQ(h.since_ms, t);
	CHECK_EQ(h.last, DSR_HEALTH_RES_FAIL);
	CHECK_EQ(dsr_health_record(&h, 2, 3, false, 10, "connection refused", ++t),
		 DSR_HEALTH_SAME);
	CHECK_EQ(h.state, DSR_HEALTH_DOWN);

	/* One pass is not enough, a failure between restarts the count. */
	CHECK_EQ(dsr_health_record(&h, 2, 3, true, 90, NULL, ++t), DSR_HEALTH_SAME);
	CHECK_EQ(dsr_health_record(&h, 2, 3, false, 10, "reset", ++t), DSR_HEALTH_SAME);
	CHECK_EQ(dsr_health_record(&h, 2, 3, true, 90, NULL, ++t), DSR_HEALTH_SAME);
	CHECK_EQ(h.state, DSR_HEALTH_DOWN);
	CHECK_EQ(dsr_health_record(&h, 2, 3, true, 90, NULL, ++t), DSR_HEALTH_WENT_UP);
	CHECK_EQ(h.state, DSR_HEALTH_UP);
	CHECK_EQ(h.checks, 14);
	CHECK_EQ(h.failures, 7);
}

/* Unchecked goes down after fall failures; rise/fall 1 (and 0, taken as 1) flip at once. */
static void
test_edges(void)
{
	struct dsr_health_be h;

	dsr_health_reset(&h, 0);
	CHECK_EQ(dsr_health_record(&h, 2, 2, false, 0, NULL, 1), DSR_HEALTH_SAME);
	CHECK_EQ(dsr_health_record(&h, 2, 2, false, 0, NULL, 2), DSR_HEALTH_WENT_DOWN);
	CHECK_STR(h.why, "failed");

	dsr_health_reset(&h, 0);
	CHECK_EQ(dsr_health_record(&h, 1, 1, true, 0, NULL, 1), DSR_HEALTH_WENT_UP);
	CHECK_EQ(dsr_health_record(&h, 1, 1, false, 0, "x", 2), DSR_HEALTH_WENT_DOWN);
	CHECK_EQ(dsr_health_record(&h, 0, 0, true, 0, NULL, 3), DSR_HEALTH_WENT_UP);
	CHECK_EQ(dsr_health_record(&h, 0, 0, false, 0, "x", 4), DSR_HEALTH_WENT_DOWN);

	/* A long reason is cut, not overrun. */
	dsr_health_reset(&h, 0);
	dsr_health_record(&h, 1, 1, false, 0,
			  "a very long reason that does not fit in the buffer of the state at all",
			  1);
	CHECK_EQ(strlen(h.why), DSR_HEALTH_WHY_MAX - 1);
}

/* The log lines are exactly the issue's. */
static void
test_lines(void)
{
	char buf[DSR_HEALTH_LINE_MAX];
	struct dsr_health_be h;
	uint64_t t = 0;

	dsr_health_reset(&h, 0);
	dsr_health_record(&h, 2, 3, false, 0, "connection refused", ++t);
	dsr_health_record(&h, 2, 3, false, 0, "connection refused", ++t);
	dsr_health_line(buf, sizeof(buf), "10.0.0.100:80/tcp", "10.0.0.22", "http", &h,
			dsr_health_record(&h, 2, 3, false, 0, "connection refused", ++t), 2, 3);
	CHECK_STR(buf, "VIP 10.0.0.100:80/tcp: backend 10.0.0.22 is down (http: connection "
		       "refused; 3 of 3 checks failed)");
	dsr_health_record(&h, 2, 3, true, 0, NULL, ++t);
	dsr_health_line(buf, sizeof(buf), "10.0.0.100:80/tcp", "10.0.0.22", "http", &h,
			dsr_health_record(&h, 2, 3, true, 0, NULL, ++t), 2, 3);
	CHECK_STR(buf, "VIP 10.0.0.100:80/tcp: backend 10.0.0.22 is up (2 of 2 checks passed)");
}

/* Fewer than pct percent healthy: panic; exactly pct percent is not. */
static void
test_panic_rule(void)
{
	CHECK(!dsr_health_panic_rule(0, 4, 0));  /* off */
	CHECK(!dsr_health_panic_rule(0, 0, 50)); /* no backends: nothing to use */
	CHECK(dsr_health_panic_rule(1, 4, 50));
	CHECK(!dsr_health_panic_rule(2, 4, 50));
	CHECK(!dsr_health_panic_rule(3, 4, 50));
	CHECK(dsr_health_panic_rule(0, 1, 1));
	CHECK(!dsr_health_panic_rule(1, 1, 100));
	CHECK(dsr_health_panic_rule(2, 3, 67)); /* 66.6% */
	CHECK(!dsr_health_panic_rule(2, 3, 66));
	CHECK(dsr_health_panic_rule(4095, 4096, 100));
}

/* Entering panic is counted once and logged; leaving it too. */
static void
test_panic_vip(void)
{
	struct dsr_health_vip v;
	char buf[DSR_HEALTH_LINE_MAX];

	memset(&v, 0, sizeof(v));
	CHECK_EQ(dsr_health_vip_update(&v, 3, 3, 50, 1), 0);
	CHECK_EQ(dsr_health_vip_update(&v, 1, 3, 50, 2), 1);
	CHECK(v.panic);
	CHECK_EQ(v.panics, 1);
	CHECK_EQ(v.since_ms, 2);
	CHECK_EQ(dsr_health_vip_update(&v, 0, 3, 50, 3), 0);
	CHECK_EQ(v.panics, 1);
	CHECK_EQ(dsr_health_vip_update(&v, 2, 3, 50, 4), -1);
	CHECK(!v.panic);
	CHECK_EQ(dsr_health_vip_update(&v, 1, 3, 50, 5), 1);
	CHECK_EQ(v.panics, 2);
	/* Turning the rule off ends panic. */
	CHECK_EQ(dsr_health_vip_update(&v, 1, 3, 0, 6), -1);

	dsr_health_panic_line(buf, sizeof(buf), "10.0.0.100:80/tcp", 1, 1, 3, 50);
	CHECK_STR(buf, "VIP 10.0.0.100:80/tcp: only 1 of 3 backends are healthy, below panic 50%: "
		       "using all of them");
	dsr_health_panic_line(buf, sizeof(buf), "10.0.0.100:80/tcp", -1, 2, 3, 50);
	CHECK_STR(buf, "VIP 10.0.0.100:80/tcp: 2 of 3 backends are healthy, panic 50% is over: "
		       "down backends are out again");
}

static uint16_t
sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* A TCP frame's checksums are right (no options, no payload). */
static void
check_sums(const uint8_t *f)
{
	uint8_t pseudo[12];

	CHECK_EQ(sum16(f + 14, 20, 0), 0xffff);
	memcpy(pseudo, f + 26, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	pseudo[10] = 0;
	pseudo[11] = 20;
	CHECK_EQ(sum16(f + 34, 20, sum16(pseudo, 12, 0)), 0xffff);
}

/*
 * The dsr probe's SYN and RST, byte for byte, and what answers it. The
 * SYN's bytes are scapy's: Ether(dst='02:00:00:00:b1:02',
 * src='02:00:00:00:00:01')/IP(src='10.0.0.2', dst='10.0.0.100', flags='DF',
 * id=0)/TCP(sport=49160, dport=80, seq=0x12345678, flags='S',
 * window=65535).
 */
static void
test_probe_frames(void)
{
	static const uint8_t syn_want[DSR_PROBE_FRAME_LEN] = {
		0x02, 0x00, 0x00, 0x00, 0xb1, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
		0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0x26, 0x6b, 0x0a, 0x00,
		0x00, 0x02, 0x0a, 0x00, 0x00, 0x64, 0xc0, 0x08, 0x00, 0x50, 0x12, 0x34, 0x56, 0x78,
		0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0xff, 0xff, 0x72, 0x78, 0x00, 0x00,
	};
	struct dsr_probe p = {
		.src_mac = {0x02, 0, 0, 0, 0, 0x01},
		.dst_mac = {0x02, 0, 0, 0, 0xb1, 0x02},
		.src_ip = htonl(0x0a000002),
		.dst_ip = htonl(0x0a000064),
		.sport = 49160,
		.dport = 80,
		.seq = 0x12345678,
	};
	uint8_t f[DSR_PROBE_FRAME_LEN], small[10];
	struct dsr_probe_reply r;
	unsigned int i;

	CHECK_EQ(dsr_probe_syn(small, sizeof(small), &p), 0);
	CHECK_EQ(dsr_probe_syn(f, sizeof(f), &p), DSR_PROBE_FRAME_LEN);
	check_sums(f);
	for (i = 0; i < DSR_PROBE_FRAME_LEN; i++)
		if (f[i] != syn_want[i]) {
			fprintf(stderr, "SYN byte %u: %02x, want %02x\n", i, f[i], syn_want[i]);
			dsr_test_failures++;
		}
	/* Our own SYN parsed is not an answer. */
	CHECK_EQ(dsr_probe_parse(f, sizeof(f), &r), 0);
	CHECK_EQ(r.sport, 49160);
	CHECK_EQ(r.flags, 0x02);
	CHECK_EQ(dsr_probe_match(&p, &r), DSR_PROBE_OTHER);

	/* The RST: seq + 1, no ACK, window 0. */
	CHECK_EQ(dsr_probe_rst(f, sizeof(f), &p), DSR_PROBE_FRAME_LEN);
	check_sums(f);
	CHECK_EQ(f[47], 0x04);
	CHECK_EQ(f[41], 0x79);
	CHECK_EQ(f[48] | f[49], 0);

	/* The answers, as the backend sends them: from the VIP to the port's address. */
	r.src_ip = p.dst_ip;
	r.dst_ip = p.src_ip;
	r.sport = 80;
	r.dport = 49160;
	r.seq = 999;
	r.ack = p.seq + 1;
	r.flags = 0x12;
	CHECK_EQ(dsr_probe_match(&p, &r), DSR_PROBE_ANSWERED);
	r.flags = 0x14;
	CHECK_EQ(dsr_probe_match(&p, &r), DSR_PROBE_REFUSED);
	r.flags = 0x12;
	r.ack = p.seq + 2; /* an answer to another SYN */
	CHECK_EQ(dsr_probe_match(&p, &r), DSR_PROBE_OTHER);
	r.ack = p.seq + 1;
	r.dport = 49161; /* another probe's port */
	CHECK_EQ(dsr_probe_match(&p, &r), DSR_PROBE_OTHER);
	r.dport = 49160;
	r.src_ip = htonl(0x0a000016); /* from the backend's own address, not the VIP */
	CHECK_EQ(dsr_probe_match(&p, &r), DSR_PROBE_OTHER);

	/* Not TCP over untagged IPv4: not parsed. */
	dsr_probe_syn(f, sizeof(f), &p);
	f[23] = 17;
	CHECK_EQ(dsr_probe_parse(f, sizeof(f), &r), -1);
	f[23] = 6;
	f[12] = 0x81;
	CHECK_EQ(dsr_probe_parse(f, sizeof(f), &r), -1);
	f[12] = 0x08;
	CHECK_EQ(dsr_probe_parse(f, 40, &r), -1);
	f[20] = 0x20; /* a fragment */
	CHECK_EQ(dsr_probe_parse(f, sizeof(f), &r), -1);
}

/* Compare a frame with the bytes it should have. */
static void
check_bytes(const char *what, const uint8_t *f, const uint8_t *want, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (f[i] != want[i]) {
			fprintf(stderr, "%s byte %u: %02x, want %02x\n", what, i, f[i], want[i]);
			dsr_test_failures++;
		}
}

/*
 * The IPv6 probe: the same builder, the IPv6 pseudo-header. The frames
 * are scapy's: Ether(dst='02:00:00:00:b1:02', src='02:00:00:00:00:01')/
 * IPv6(src='fd00::2', dst='fd00:1::100', hlim=64)/TCP(sport=49160,
 * dport=80, seq=0x12345678, flags='S', window=65535), the RST with
 * seq=0x12345679, flags='R', window=0, and the backend's SYN-ACK
 * Ether(src='02:00:00:00:b1:02', dst='02:00:00:00:00:01')/
 * IPv6(src='fd00:1::100', dst='fd00::2')/TCP(sport=80, dport=49160,
 * seq=999, ack=0x12345679, flags='SA').
 */
static void
test_probe_frames6(void)
{
	static const uint8_t syn_want[DSR_PROBE_FRAME6_LEN] = {
		0x02, 0x00, 0x00, 0x00, 0xb1, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86,
		0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x06, 0x40, 0xfd, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xfd,
		0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x01, 0x00, 0xc0, 0x08, 0x00, 0x50, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00,
		0x00, 0x50, 0x02, 0xff, 0xff, 0x8b, 0xd9, 0x00, 0x00,
	};
	static const uint8_t rst_want[DSR_PROBE_FRAME6_LEN] = {
		0x02, 0x00, 0x00, 0x00, 0xb1, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86,
		0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x06, 0x40, 0xfd, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xfd,
		0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x01, 0x00, 0xc0, 0x08, 0x00, 0x50, 0x12, 0x34, 0x56, 0x79, 0x00, 0x00, 0x00,
		0x00, 0x50, 0x04, 0x00, 0x00, 0x8b, 0xd6, 0x00, 0x00,
	};
	static const uint8_t synack[DSR_PROBE_FRAME6_LEN] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0xb1, 0x02, 0x86,
		0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x06, 0x40, 0xfd, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0xfd,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x02, 0x00, 0x50, 0xc0, 0x08, 0x00, 0x00, 0x03, 0xe7, 0x12, 0x34, 0x56,
		0x79, 0x50, 0x12, 0x20, 0x00, 0x67, 0xe1, 0x00, 0x00,
	};
	struct dsr_probe p = {
		.src_mac = {0x02, 0, 0, 0, 0, 0x01},
		.dst_mac = {0x02, 0, 0, 0, 0xb1, 0x02},
		.family = DSR_AF_IPV6,
		.src_ip6 = {0xfd, [15] = 0x02},
		.dst_ip6 = {0xfd, 0, 0, 0x01, [14] = 0x01},
		.sport = 49160,
		.dport = 80,
		.seq = 0x12345678,
	};
	struct dsr_probe p4 = p;
	uint8_t f[DSR_PROBE_FRAME_MAX];
	struct dsr_probe_reply r;

	CHECK_EQ(dsr_probe_syn(f, DSR_PROBE_FRAME_LEN, &p), 0); /* IPv4's room is short */
	CHECK_EQ(dsr_probe_syn(f, sizeof(f), &p), DSR_PROBE_FRAME6_LEN);
	check_bytes("SYN6", f, syn_want, DSR_PROBE_FRAME6_LEN);
	CHECK_EQ(dsr_probe_parse(f, sizeof(f), &r), 0);
	CHECK_EQ(r.family, DSR_AF_IPV6);
	CHECK_EQ(r.flags, 0x02);
	CHECK_EQ(dsr_probe_match(&p, &r), DSR_PROBE_OTHER); /* our own SYN */
	CHECK_EQ(dsr_probe_rst(f, sizeof(f), &p), DSR_PROBE_FRAME6_LEN);
	check_bytes("RST6", f, rst_want, DSR_PROBE_FRAME6_LEN);

	/* The backend's SYN-ACK: parsed, and the answer; an RST is the refusal. */
	memcpy(f, synack, sizeof(synack));
	CHECK_EQ(dsr_probe_parse(f, sizeof(synack), &r), 0);
	CHECK_EQ(r.family, DSR_AF_IPV6);
	CHECK_EQ(memcmp(r.src_ip6, p.dst_ip6, 16), 0);
	CHECK_EQ(memcmp(r.dst_ip6, p.src_ip6, 16), 0);
	CHECK_EQ(r.sport, 80);
	CHECK_EQ(r.dport, 49160);
	CHECK_EQ(r.seq, 999);
	CHECK_EQ(r.ack, 0x12345679);
	CHECK_EQ(r.flags, 0x12);
	CHECK_EQ(dsr_probe_match(&p, &r), DSR_PROBE_ANSWERED);
	r.flags = 0x14;
	CHECK_EQ(dsr_probe_match(&p, &r), DSR_PROBE_REFUSED);
	r.flags = 0x12;
	r.src_ip6[15] = 0x21; /* from another address than the VIP */
	CHECK_EQ(dsr_probe_match(&p, &r), DSR_PROBE_OTHER);
	r.src_ip6[15] = 0x00;
	r.dst_ip6[15] = 0x03; /* to another address than the port's */
	CHECK_EQ(dsr_probe_match(&p, &r), DSR_PROBE_OTHER);
	r.dst_ip6[15] = 0x02;
	CHECK_EQ(dsr_probe_match(&p, &r), DSR_PROBE_ANSWERED);
	/* The same ports and sequence over IPv4 answer no IPv6 probe, and the other way round. */
	CHECK_EQ(dsr_probe_parse(f, sizeof(synack), &r), 0);
	p4.family = DSR_AF_IPV4;
	CHECK_EQ(dsr_probe_match(&p4, &r), DSR_PROBE_OTHER);
	r.family = DSR_AF_IPV4;
	CHECK_EQ(dsr_probe_match(&p, &r), DSR_PROBE_OTHER);

	/* Not TCP, a fragment, cut short: not parsed. */
	f[20] = 17;
	CHECK_EQ(dsr_probe_parse(f, sizeof(synack), &r), -1);
	f[20] = 44; /* a fragment header where TCP was */
	CHECK_EQ(dsr_probe_parse(f, sizeof(synack), &r), -1);
	f[20] = 6;
	CHECK_EQ(dsr_probe_parse(f, 60, &r), -1);
}

static void
test_http(void)
{
	char req[DSR_HEALTH_HTTP_REQ_MAX], path[200];

	CHECK_EQ(dsr_health_http_request(req, sizeof(req), "/healthz", "10.0.0.22"),
		 (int)strlen("GET /healthz HTTP/1.1\r\nHost: 10.0.0.22\r\nConnection: "
			     "close\r\n\r\n"));
	CHECK(strcmp(req,
		     "GET /healthz HTTP/1.1\r\nHost: 10.0.0.22\r\nConnection: close\r\n\r\n") == 0);
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	CHECK_EQ(dsr_health_http_request(req, 64, path, "10.0.0.22"), -1);

	CHECK_EQ(dsr_health_http_status("HTTP/1.1 200 OK\r\n", 17), 200);
	CHECK_EQ(dsr_health_http_status("HTTP/1.0 503 Service Unavailable\r\n", 34), 503);
	CHECK_EQ(dsr_health_http_status("HTTP/1.1 204\r\n", 14), 204);
	CHECK_EQ(dsr_health_http_status("HTTP/1.1 200", 12), 200);
	/* Too little to tell yet. */
	CHECK_EQ(dsr_health_http_status("", 0), 0);
	CHECK_EQ(dsr_health_http_status("HTTP/1.1 2", 10), 0);
	/* Not an HTTP/1 status line. */
	CHECK_EQ(dsr_health_http_status("SSH-2.0-", 8), -1);
	CHECK_EQ(dsr_health_http_status("HTTP/2 200 OK\r\n", 15), -1);
	CHECK_EQ(dsr_health_http_status("HTTP/1.1 2x0 OK\r\n", 17), -1);
	CHECK_EQ(dsr_health_http_status("HTTP/1.1 099 OK\r\n", 17), -1);
	CHECK_EQ(dsr_health_http_status("HTTP/1.1 2000 OK\r\n", 18), -1);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_reset),        DSR_TEST(test_rise_fall),     DSR_TEST(test_edges),
		DSR_TEST(test_lines),        DSR_TEST(test_panic_rule),    DSR_TEST(test_panic_vip),
		DSR_TEST(test_probe_frames), DSR_TEST(test_probe_frames6), DSR_TEST(test_http),
	};

	return dsr_test_run(cases, NELEM(cases));
}
