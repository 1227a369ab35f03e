/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/pkt's IPv6 side: the parser's classes, offsets and malformed
 * reasons, each extension header and chains of them, truncation at every
 * byte (in exactly sized buffers, for the ASan build). The IPv6 flow
 * hashes are in test_pkt6_hash.c.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsr_pkt6.h"
#include "dsr_test.h"

#define FRAME_MAX 256

static const uint8_t client[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a};
static const uint8_t vip[16] = {0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00};

/* A frame under construction: Ethernet [+ VLAN], the fixed header, headers appended. */
struct b6 {
	uint8_t f[FRAME_MAX];
	uint32_t l3;
	uint32_t len;
	uint32_t nh_at; /* where the last header's next header field is */
};

static void
b6_start(struct b6 *b, int vlan, uint8_t hop_limit)
{
	memset(b, 0, sizeof(*b));
	memset(b->f, 0x02, 12);
	b->l3 = vlan ? 18 : 14;
	if (vlan) {
		b->f[12] = 0x81;
		b->f[14] = 0x20; /* prio 1, vid 42 */
		b->f[15] = 42;
	}
	b->f[b->l3 - 2] = 0x86;
	b->f[b->l3 - 1] = 0xdd;
	b->f[b->l3] = 0x60;
	b->f[b->l3 + 7] = hop_limit;
	memcpy(b->f + b->l3 + 8, client, 16);
	memcpy(b->f + b->l3 + 24, vip, 16);
	b->nh_at = b->l3 + 6;
	b->len = b->l3 + 40;
}

/* Append a header of type nh and hlen bytes; returns where it starts. */
static uint32_t
b6_hdr(struct b6 *b, uint8_t nh, uint32_t hlen)
{
	uint32_t at = b->len;

	b->f[b->nh_at] = nh;
	b->nh_at = at;
	b->len += hlen;
	return at;
}

/* Hop-by-hop, destination options or routing: units of 8 bytes beyond the first 8. */
static uint32_t
b6_opts(struct b6 *b, uint8_t nh, uint8_t units)
{
	uint32_t at = b6_hdr(b, nh, (units + 1u) * 8);

	b->f[at + 1] = units;
	b->f[at + 2] = 1; /* a PadN option's type (or a routing type) */
	return at;
}

static uint32_t
b6_routing(struct b6 *b, uint8_t segments_left)
{
	uint32_t at = b6_opts(b, DSR_IPPROTO_ROUTING, 2);

	b->f[at + 2] = 4; /* segment routing */
	b->f[at + 3] = segments_left;
	return at;
}

static uint32_t
b6_frag(struct b6 *b, uint16_t offset_bytes, int more, uint32_t id)
{
	uint32_t at = b6_hdr(b, DSR_IPPROTO_FRAGMENT, 8);
	uint16_t fo = (uint16_t)(offset_bytes | (more ? 1 : 0));

	b->f[at + 2] = (uint8_t)(fo >> 8);
	b->f[at + 3] = (uint8_t)fo;
	b->f[at + 4] = (uint8_t)(id >> 24);
	b->f[at + 5] = (uint8_t)(id >> 16);
	b->f[at + 6] = (uint8_t)(id >> 8);
	b->f[at + 7] = (uint8_t)id;
	return at;
}

/* The upper-layer header: TCP (20), UDP (8, its length covering extra), else 8 bytes; extra after. */
static uint32_t
b6_l4(struct b6 *b, uint8_t proto, uint8_t tcp_flags, uint32_t extra)
{
	uint32_t at = b6_hdr(b, proto, proto == DSR_IPPROTO_TCP ? 20 : 8);
	uint8_t *l4 = b->f + at;

	l4[0] = 0x9c; /* sport 40000 */
	l4[1] = 0x40;
	l4[3] = 80; /* dport 80 */
	if (proto == DSR_IPPROTO_TCP) {
		l4[12] = 5 << 4;
		l4[13] = tcp_flags;
	} else if (proto == DSR_IPPROTO_UDP) {
		l4[5] = (uint8_t)(8 + extra);
	} else if (proto == DSR_IPPROTO_ICMPV6) {
		l4[0] = 128; /* echo request */
		l4[1] = 0;
	}
	memset(b->f + b->len, 0xee, extra);
	b->len += extra;
	return at;
}

/* Set the payload length to what was appended; returns the frame's length. */
static uint32_t
b6_done(struct b6 *b)
{
	uint32_t plen = b->len - b->l3 - 40;

	b->f[b->l3 + 4] = (uint8_t)(plen >> 8);
	b->f[b->l3 + 5] = (uint8_t)plen;
	return b->len;
}

/* Parse a copy in a buffer of exactly len bytes (ASan sees any read past it). */
static enum dsr_pkt_class
parse(const uint8_t *f, uint32_t len, struct dsr_pkt6 *p)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	enum dsr_pkt_class c;

	CHECK(copy != NULL);
	memcpy(copy, f, len);
	c = dsr_pkt_parse6(copy, len, p);
	free(copy);
	return c;
}

static void
check_flow(const struct dsr_pkt6 *p, uint8_t proto, int ports)
{
	CHECK_EQ(memcmp(p->flow.src_ip, client, 16), 0);
	CHECK_EQ(memcmp(p->flow.dst_ip, vip, 16), 0);
	CHECK_EQ(p->flow.proto, proto);
	CHECK_EQ(p->flow.src_port, ports ? htons(40000) : 0);
	CHECK_EQ(p->flow.dst_port, ports ? htons(80) : 0);
	CHECK_EQ(p->flow.pad[0] | p->flow.pad[1] | p->flow.pad[2], 0);
}

static void
test_tcp(void)
{
	struct dsr_pkt6 p, q;
	struct b6 b;
	uint32_t len;

	b6_start(&b, 0, 64);
	b6_l4(&b, DSR_IPPROTO_TCP, DSR_TCP_SYN | DSR_TCP_ACK, 0);
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_L4);
	check_flow(&p, DSR_IPPROTO_TCP, 1);
	CHECK_EQ(p.l3_off, 14);
	CHECK_EQ(p.l4_off, 54);
	CHECK_EQ(p.end_off, 74);
	CHECK_EQ(p.tcp_flags, DSR_TCP_SYN | DSR_TCP_ACK);
	CHECK_EQ(p.hop_limit, 64);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_NONE);
	CHECK_EQ(p.frag_hdr_off, 0);
	CHECK_EQ(p.frag_id, 0);
	CHECK_EQ(p.n_ext, 0);
	CHECK_EQ(p.reason, DSR_PKT6_OK);
	CHECK_EQ(p.has_vlan, 0);
	CHECK_EQ(p.ethertype, DSR_ETHERTYPE_IPV6);
	/* The forwarding path's way: dsr_pkt_parse() first, then from its l3_off. */
	{
		struct dsr_pkt p4;

		CHECK_EQ(dsr_pkt_parse(b.f, len, &p4), DSR_PKT_NOT_IPV4);
		CHECK_EQ(p4.ethertype, DSR_ETHERTYPE_IPV6);
		CHECK_EQ(dsr_pkt_parse6_l3(b.f, len, p4.l3_off, &q), DSR_PKT_L4);
		CHECK_EQ(memcmp(&q.flow, &p.flow, sizeof(p.flow)), 0);
		CHECK_EQ(q.l4_off, p.l4_off);
	}
	/* Hop limit 2 is still forwardable. */
	b.f[14 + 7] = 2;
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_L4);
}

static void
test_udp_vlan_padding(void)
{
	struct dsr_pkt6 p;
	struct b6 b;
	uint32_t len;

	b6_start(&b, 1, 64);
	b6_l4(&b, DSR_IPPROTO_UDP, 0, 5);
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_L4);
	check_flow(&p, DSR_IPPROTO_UDP, 1);
	CHECK_EQ(p.has_vlan, 1);
	CHECK_EQ(p.vlan_tci, 0x202a);
	CHECK_EQ(p.l3_off, 18);
	CHECK_EQ(p.l4_off, 58);
	CHECK_EQ(p.tcp_flags, 0);
	/* Ethernet padding after the payload length is allowed, and not parsed. */
	memset(b.f + len, 0xff, 20);
	CHECK_EQ(parse(b.f, len + 20, &p), DSR_PKT_L4);
	CHECK_EQ(p.end_off, len);
	/* The UDP length below its header, or past the payload. */
	b.f[58 + 5] = 7;
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_L4_HEADER);
	b.f[58 + 5] = 8 + 6;
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_L4_HEADER);
	b.f[58 + 5] = 8 + 4; /* shorter than the payload: allowed, as for IPv4 */
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_L4);
}

/* The largest packet: a tagged frame of 65593 bytes, its end past 16 bits. */
static void
test_largest(void)
{
	uint32_t len = 18 + 40 + 65535;
	uint8_t *f = calloc(1, len);
	struct dsr_pkt6 p;
	struct b6 b;

	CHECK(f != NULL);
	b6_start(&b, 1, 64);
	b6_opts(&b, DSR_IPPROTO_DSTOPTS, 0);
	b6_l4(&b, DSR_IPPROTO_TCP, DSR_TCP_ACK, 0);
	memcpy(f, b.f, b.len);
	f[18 + 4] = 0xff; /* payload length 65535 */
	f[18 + 5] = 0xff;
	CHECK_EQ(dsr_pkt_parse6(f, len, &p), DSR_PKT_L4);
	CHECK_EQ(p.end_off, len);
	CHECK_EQ(p.l4_off, 18 + 40 + 8);
	CHECK_EQ(dsr_pkt_parse6(f, len - 1, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_PAYLOAD_LEN);
	free(f);
}

/* Parse 8-byte extension headers of these types, then TCP. */
static enum dsr_pkt_class
parse_chain(const uint8_t *types, unsigned int n, struct dsr_pkt6 *p)
{
	struct b6 b;
	unsigned int i;

	b6_start(&b, 0, 64);
	for (i = 0; i < n; i++)
		b6_opts(&b, types[i], 0);
	b6_l4(&b, DSR_IPPROTO_TCP, 0, 0);
	return parse(b.f, b6_done(&b), p);
}

/* Each extension header alone, then chains of them. */
static void
test_ext_headers(void)
{
	static const uint8_t types[] = {DSR_IPPROTO_HOPOPTS, DSR_IPPROTO_DSTOPTS,
					DSR_IPPROTO_ROUTING};
	static const uint8_t dst_hbh[] = {DSR_IPPROTO_DSTOPTS, DSR_IPPROTO_HOPOPTS};
	static const uint8_t hbh_hbh[] = {DSR_IPPROTO_HOPOPTS, DSR_IPPROTO_HOPOPTS};
	uint8_t dst[DSR_PKT6_MAX_EXT + 1];
	struct dsr_pkt6 p;
	struct b6 b;
	uint32_t len, i, l4;

	for (i = 0; i < DSR_DIM(types); i++) {
		b6_start(&b, 0, 64);
		b6_opts(&b, types[i], (uint8_t)i); /* 8, 16 and 24 bytes */
		l4 = b6_l4(&b, DSR_IPPROTO_TCP, DSR_TCP_ACK, 3);
		len = b6_done(&b);
		CHECK_EQ(parse(b.f, len, &p), DSR_PKT_L4);
		check_flow(&p, DSR_IPPROTO_TCP, 1);
		CHECK_EQ(p.l4_off, l4);
		CHECK_EQ(p.l4_off, 54 + 8 * (i + 1));
		CHECK_EQ(p.n_ext, 1);
		CHECK_EQ(p.tcp_flags, DSR_TCP_ACK);
	}
	/* A routing header with no segments left, and one with some: not ours yet. */
	b6_start(&b, 0, 64);
	b6_routing(&b, 0);
	l4 = b6_l4(&b, DSR_IPPROTO_UDP, 0, 0);
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_L4);
	CHECK_EQ(p.l4_off, l4);
	b.f[54 + 3] = 1;
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_OTHER_L4);
	check_flow(&p, DSR_IPPROTO_ROUTING, 0);
	CHECK_EQ(p.l4_off, 54);

	/* Hop-by-hop, destination options, routing, destination options, fragment: UDP. */
	b6_start(&b, 1, 64);
	b6_opts(&b, DSR_IPPROTO_HOPOPTS, 0);
	b6_opts(&b, DSR_IPPROTO_DSTOPTS, 1);
	b6_routing(&b, 0);
	b6_opts(&b, DSR_IPPROTO_DSTOPTS, 0);
	b6_frag(&b, 0, 0, 7); /* atomic */
	l4 = b6_l4(&b, DSR_IPPROTO_UDP, 0, 8);
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_L4);
	check_flow(&p, DSR_IPPROTO_UDP, 1);
	CHECK_EQ(p.l4_off, l4);
	CHECK_EQ(p.l4_off, 18 + 40 + 8 + 16 + 24 + 8 + 8);
	CHECK_EQ(p.n_ext, 5);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_NONE);
	CHECK_EQ(p.frag_id, 7);
	CHECK_EQ(p.frag_hdr_off, l4 - 8);

	/* DSR_PKT6_MAX_EXT headers walk; one more does not. */
	memset(dst, DSR_IPPROTO_DSTOPTS, sizeof(dst));
	CHECK_EQ(parse_chain(dst, DSR_PKT6_MAX_EXT, &p), DSR_PKT_L4);
	CHECK_EQ(p.n_ext, DSR_PKT6_MAX_EXT);
	CHECK_EQ(parse_chain(dst, DSR_PKT6_MAX_EXT + 1, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_EXT_MANY);

	/* Hop-by-hop only first. */
	CHECK_EQ(parse_chain(dst_hbh, 2, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_HOPOPTS_NOT_FIRST);
	CHECK_EQ(parse_chain(hbh_hbh, 2, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_HOPOPTS_NOT_FIRST);

	/* An extension header longer than the payload. */
	b6_start(&b, 0, 64);
	b6_opts(&b, DSR_IPPROTO_DSTOPTS, 0);
	b6_l4(&b, DSR_IPPROTO_TCP, 0, 0);
	len = b6_done(&b);
	b.f[54 + 1] = 3; /* 32 bytes: 28 available */
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_TRUNCATED);
	b.f[54 + 1] = 2; /* 24 bytes: TCP then has 4 */
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_TRUNCATED);
}

static void
test_fragments(void)
{
	struct dsr_pkt6 p;
	struct b6 b;
	uint32_t len, fh;

	/* The first fragment of TCP, its header whole: forwardable, with the ports. */
	b6_start(&b, 0, 64);
	fh = b6_frag(&b, 0, 1, 0x12345678);
	b6_l4(&b, DSR_IPPROTO_TCP, DSR_TCP_SYN, 4);
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_L4);
	check_flow(&p, DSR_IPPROTO_TCP, 1);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_FIRST);
	CHECK_EQ(p.frag_id, 0x12345678);
	CHECK_EQ(p.frag_hdr_off, fh);
	CHECK_EQ(p.l4_off, fh + 8);
	CHECK_EQ(p.tcp_flags, DSR_TCP_SYN);
	/* Too short for its TCP header (RFC 7112 and the tiny fragment). */
	b.f[14 + 5] = 8 + 16;
	CHECK_EQ(parse(b.f, 14 + 40 + 8 + 16, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_TRUNCATED);

	/* UDP: its length is the datagram's, so only its lower bound is checked. */
	b6_start(&b, 0, 64);
	fh = b6_frag(&b, 0, 1, 9);
	b6_l4(&b, DSR_IPPROTO_UDP, 0, 8);
	len = b6_done(&b);
	b.f[fh + 8 + 4] = 0x0f; /* 4000 */
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_L4);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_FIRST);
	b.f[fh + 8 + 4] = 0;
	b.f[fh + 8 + 5] = 7;
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_L4_HEADER);

	/* The first fragment of ICMPv6, or of anything but TCP or UDP. */
	b6_start(&b, 0, 64);
	b6_frag(&b, 0, 1, 9);
	b6_l4(&b, DSR_IPPROTO_ICMPV6, 0, 8);
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_FRAGMENT);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_FIRST);
	check_flow(&p, DSR_IPPROTO_ICMPV6, 0);
	b.f[54] = 47; /* GRE */
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_FRAGMENT);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_FIRST);

	/* A later fragment, VLAN tagged, behind destination options: addresses and protocol. */
	b6_start(&b, 1, 64);
	b6_opts(&b, DSR_IPPROTO_DSTOPTS, 0);
	fh = b6_frag(&b, 1448, 0, 0xfeedf00d);
	b6_l4(&b, DSR_IPPROTO_UDP, 0, 11); /* just data */
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_FRAGMENT);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_LATER);
	check_flow(&p, DSR_IPPROTO_UDP, 0);
	CHECK_EQ(p.frag_id, 0xfeedf00d);
	CHECK_EQ(p.frag_hdr_off, fh);
	CHECK_EQ(p.l4_off, 0);
	CHECK_EQ(p.l3_off, 18);
	CHECK_EQ(p.n_ext, 2);
	/* Its next header is whatever the datagram's fragmentable part starts with. */
	b.f[fh] = DSR_IPPROTO_DSTOPTS;
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_FRAGMENT);
	CHECK_EQ(p.flow.proto, DSR_IPPROTO_DSTOPTS);
	/* Hop limit comes first. */
	b.f[18 + 7] = 1;
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_HOPLIMIT);

	/* Atomic fragment (RFC 6946): a whole datagram, its UDP length checked as such. */
	b6_start(&b, 0, 64);
	fh = b6_frag(&b, 0, 0, 1);
	b6_l4(&b, DSR_IPPROTO_UDP, 0, 3);
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_L4);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_NONE);
	b.f[fh + 8 + 5] = 8 + 4;
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_L4_HEADER);
	b6_start(&b, 0, 64);
	b6_frag(&b, 0, 0, 1);
	b6_l4(&b, DSR_IPPROTO_ICMPV6, 0, 0);
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_ICMPV6);

	/* A routing header with segments left ends the chain: of a first fragment here. */
	b6_start(&b, 0, 64);
	b6_frag(&b, 0, 1, 1);
	b6_routing(&b, 1);
	b6_l4(&b, DSR_IPPROTO_TCP, 0, 4);
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_FRAGMENT);
	CHECK_EQ(p.frag, DSR_PKT_FRAG_FIRST);
	check_flow(&p, DSR_IPPROTO_ROUTING, 0);
	CHECK_EQ(p.l4_off, 62);

	/* Bad chains: two fragment headers; a non-last fragment not in 8-byte units; past 65535. */
	b6_start(&b, 0, 64);
	b6_frag(&b, 0, 1, 1);
	b6_frag(&b, 0, 1, 2);
	b6_l4(&b, DSR_IPPROTO_TCP, 0, 4);
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_EXT_CHAIN);
	b6_start(&b, 0, 64);
	b6_frag(&b, 0, 1, 1);
	b6_l4(&b, DSR_IPPROTO_TCP, 0, 3);
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_EXT_CHAIN);
	b6_start(&b, 0, 64);
	b6_frag(&b, 65528, 0, 1);
	b6_l4(&b, DSR_IPPROTO_UDP, 0, 0); /* 8 bytes: ends at 65536 */
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_EXT_CHAIN);
	b.f[54 + 3] = 0xf0 | 1; /* 65520, more: ends at 65528 */
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_FRAGMENT);
}

static void
test_classes(void)
{
	static const uint8_t others[] = {50, 51, DSR_IPPROTO_NONE, 47, 253, 255};
	struct dsr_pkt6 p;
	struct dsr_pkt p4;
	struct b6 b;
	uint32_t len, i;

	/* ICMPv6: 8 bytes of header, behind hop-by-hop. */
	b6_start(&b, 0, 255);
	b6_opts(&b, DSR_IPPROTO_HOPOPTS, 0);
	b6_l4(&b, DSR_IPPROTO_ICMPV6, 0, 0);
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_ICMPV6);
	check_flow(&p, DSR_IPPROTO_ICMPV6, 0);
	CHECK_EQ(p.l4_off, 62);
	CHECK_EQ(p.hop_limit, 255);
	b.f[14 + 5]--;
	CHECK_EQ(parse(b.f, len - 1, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_TRUNCATED);

	/* Hop limit 0 and 1. */
	for (i = 0; i < 2; i++) {
		b6_start(&b, 0, (uint8_t)i);
		b6_l4(&b, DSR_IPPROTO_TCP, 0, 0);
		len = b6_done(&b);
		CHECK_EQ(parse(b.f, len, &p), DSR_PKT_HOPLIMIT);
		CHECK_EQ(p.hop_limit, i);
		CHECK_EQ(memcmp(p.flow.dst_ip, vip, 16), 0);
	}

	/* ESP, AH, no next header, unknown ones: other, behind a header or not. */
	for (i = 0; i < DSR_DIM(others); i++) {
		b6_start(&b, 0, 64);
		if (i & 1)
			b6_opts(&b, DSR_IPPROTO_DSTOPTS, 0);
		b6_l4(&b, others[i], 0, 0);
		len = b6_done(&b);
		CHECK_EQ(parse(b.f, len, &p), DSR_PKT_OTHER_L4);
		check_flow(&p, others[i], 0);
		CHECK_EQ(p.l4_off, (i & 1) ? 62 : 54);
	}
	/* No next header with nothing after it. */
	b6_start(&b, 0, 64);
	b.f[14 + 6] = DSR_IPPROTO_NONE;
	len = b6_done(&b);
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_OTHER_L4);

	/* Not IPv6: IPv4, ARP, another ethertype, a second tag. */
	b6_start(&b, 0, 64);
	b6_l4(&b, DSR_IPPROTO_TCP, 0, 0);
	len = b6_done(&b);
	b.f[12] = 0x08;
	b.f[13] = 0x00;
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_NOT_IPV6);
	CHECK_EQ(p.reason, DSR_PKT6_OK);
	CHECK_EQ(p.ethertype, DSR_ETHERTYPE_IPV4);
	b.f[13] = 0x06;
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_NOT_IPV6);
	b.f[12] = 0x88;
	b.f[13] = 0xcc;
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_NOT_IPV6);
	b6_start(&b, 1, 64);
	b6_l4(&b, DSR_IPPROTO_TCP, 0, 0);
	len = b6_done(&b);
	b.f[16] = 0x81;
	b.f[17] = 0x00;
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_NOT_IPV6);
	/* And dsr_pkt_parse() does not take IPv6 for IPv4. */
	b6_start(&b, 1, 64);
	b6_l4(&b, DSR_IPPROTO_TCP, 0, 0);
	len = b6_done(&b);
	CHECK_EQ(dsr_pkt_parse(b.f, len, &p4), DSR_PKT_NOT_IPV4);
	CHECK_EQ(p4.l3_off, 18);
}

static void
test_malformed(void)
{
	struct dsr_pkt6 p;
	struct b6 b;
	uint32_t len, i, j;

	b6_start(&b, 0, 64);
	b6_l4(&b, DSR_IPPROTO_TCP, 0, 0);
	len = b6_done(&b);
	b.f[14] = 0x40; /* version 4 */
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_VERSION);
	b.f[14] = 0x6f; /* traffic class bits do not matter */
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_L4);
	b.f[14 + 5]++; /* payload length one past the frame */
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_PAYLOAD_LEN);
	CHECK_EQ(p.end_off, 0);
	b.f[14 + 4] = 0xff;
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_PAYLOAD_LEN);
	b6_done(&b);
	b.f[54 + 12] = 4 << 4; /* TCP data offset 16 */
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_L4_HEADER);
	b.f[54 + 12] = 6 << 4; /* past the payload */
	CHECK_EQ(parse(b.f, len, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_L4_HEADER);
	/* Ethernet, its tag, the fixed header: cut. */
	CHECK_EQ(parse(b.f, 13, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_TRUNCATED);
	CHECK_EQ(parse(b.f, 53, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_TRUNCATED);
	CHECK_EQ(dsr_pkt_parse6_l3(b.f, 10, 14, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_TRUNCATED);
	b6_start(&b, 1, 64);
	CHECK_EQ(parse(b.f, 17, &p), DSR_PKT_MALFORMED);
	CHECK_EQ(p.reason, DSR_PKT6_TRUNCATED);

	/* Every reason has a distinct name, made for a drop counter. */
	for (i = 1; i < DSR_PKT6_NREASONS; i++) {
		const char *n = dsr_pkt6_reason_name((enum dsr_pkt6_reason)i);

		CHECK(n != NULL && strncmp(n, "ipv6-", 5) == 0);
		for (j = 1; j < i; j++)
			CHECK(strcmp(n, dsr_pkt6_reason_name((enum dsr_pkt6_reason)j)) != 0);
	}
	CHECK_STR(dsr_pkt6_reason_name(DSR_PKT6_OK), "ok");
	CHECK_STR(dsr_pkt6_reason_name(DSR_PKT6_NREASONS), "?");
	CHECK_STR(dsr_pkt6_reason_name(DSR_PKT6_EXT_MANY), "ipv6-ext-many");
}

/*
 * Every truncation of good frames, in exactly sized buffers: the frame cut
 * (the payload length then beyond it), and the packet cut (the payload
 * length following the cut). Only malformed comes back, for the right reason.
 */
static void
check_cuts(struct b6 *b, uint32_t len, int first_frag)
{
	struct dsr_pkt6 p;
	struct b6 c;
	uint32_t cut;

	for (cut = 0; cut < len; cut++) {
		CHECK_EQ(parse(b->f, cut, &p), DSR_PKT_MALFORMED);
		CHECK(p.reason == (cut < b->l3 + 40 ? DSR_PKT6_TRUNCATED : DSR_PKT6_PAYLOAD_LEN));
		if (cut < b->l3 + 40)
			continue;
		c = *b;
		c.len = cut;
		b6_done(&c);
		CHECK_EQ(parse(c.f, cut, &p), DSR_PKT_MALFORMED);
		/* A first fragment cut after its header may also not be in 8-byte units. */
		CHECK(p.reason == DSR_PKT6_TRUNCATED ||
		      (first_frag && p.reason == DSR_PKT6_EXT_CHAIN));
	}
}

static void
test_truncation(void)
{
	struct b6 b;
	uint32_t len;

	b6_start(&b, 0, 64);
	b6_l4(&b, DSR_IPPROTO_TCP, 0, 0);
	len = b6_done(&b);
	check_cuts(&b, len, 0);
	b6_start(&b, 1, 64);
	b6_opts(&b, DSR_IPPROTO_HOPOPTS, 1);
	b6_opts(&b, DSR_IPPROTO_DSTOPTS, 0);
	b6_routing(&b, 0);
	b6_frag(&b, 0, 0, 3);
	b6_opts(&b, DSR_IPPROTO_DSTOPTS, 0);
	b6_l4(&b, DSR_IPPROTO_UDP, 0, 0);
	len = b6_done(&b);
	check_cuts(&b, len, 0);
	b6_start(&b, 0, 255);
	b6_opts(&b, DSR_IPPROTO_HOPOPTS, 0);
	b6_l4(&b, DSR_IPPROTO_ICMPV6, 0, 0);
	len = b6_done(&b);
	check_cuts(&b, len, 0);
	b6_start(&b, 1, 64);
	b6_frag(&b, 0, 1, 3);
	b6_l4(&b, DSR_IPPROTO_TCP, DSR_TCP_SYN, 4);
	len = b6_done(&b);
	check_cuts(&b, len, 1);
}

/* What a parse costs (printed, not checked: the machine is shared). */
static void
test_speed(void)
{
	enum { N = 2000000 };
	struct dsr_pkt6 p;
	struct timespec t0, t1, t2;
	struct b6 b;
	uint32_t len, i, sum = 0;

	b6_start(&b, 0, 64);
	b6_l4(&b, DSR_IPPROTO_TCP, DSR_TCP_ACK, 0);
	len = b6_done(&b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < N; i++) {
		b.f[54 + 1] = (uint8_t)i;
		sum += dsr_pkt_parse6(b.f, len, &p) + p.flow.src_port;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (i = 0; i < N; i++) {
		b.f[54 + 1] = (uint8_t)i;
		sum += dsr_pkt_parse6_l3(b.f, len, 14, &p) + p.flow.src_port;
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	CHECK(sum != 0);
	printf("# parse6: %.1f ns a TCP frame, %.1f ns from l3 (dsr_pkt_parse6_l3)\n",
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / N,
	       ((double)(t2.tv_sec - t1.tv_sec) * 1e9 + (double)(t2.tv_nsec - t1.tv_nsec)) / N);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_tcp),         DSR_TEST(test_udp_vlan_padding),
		DSR_TEST(test_ext_headers), DSR_TEST(test_fragments),
		DSR_TEST(test_classes),     DSR_TEST(test_malformed),
		DSR_TEST(test_truncation),  DSR_TEST(test_largest),
		DSR_TEST(test_speed),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
