/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frames of the dsr check: a TCP SYN from a port's address to the VIP,
 * addressed to the backend's MAC as a forwarded client packet is; the RST
 * that closes a half-open probe; and the parse of a reply (SYN-ACK or RST
 * from the VIP to the port's address). Untagged IPv4 only.
 */
#include <string.h>

#include "dsr_health.h"
#include "dsr_pkt.h"

#define ETH_LEN DSR_ETH_HLEN
#define IP4_LEN DSR_IPV4_MIN_HLEN
#define TCP_LEN DSR_TCP_MIN_HLEN

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* A TCP segment without payload or options, with the given flags. */
static uint32_t
probe_frame(uint8_t *buf, size_t len, const struct dsr_probe *p, uint8_t flags, uint32_t seq,
	    uint32_t ack)
{
	uint8_t *ip = buf + ETH_LEN, *tcp = ip + IP4_LEN, pseudo[12];
	uint32_t sum;

	if (len < DSR_PROBE_FRAME_LEN)
		return 0;
	memset(buf, 0, DSR_PROBE_FRAME_LEN);
	memcpy(buf, p->dst_mac, 6);
	memcpy(buf + 6, p->src_mac, 6);
	put16(buf + 12, DSR_ETHERTYPE_IPV4);
	ip[0] = 0x45;
	put16(ip + 2, IP4_LEN + TCP_LEN);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = DSR_IPPROTO_TCP;
	memcpy(ip + 12, &p->src_ip, 4);
	memcpy(ip + 16, &p->dst_ip, 4);
	put16(ip + 10, dsr_csum_fold(dsr_csum_add(0, ip, IP4_LEN)));
	put16(tcp, p->sport);
	put16(tcp + 2, p->dport);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = (TCP_LEN / 4) << 4;
	tcp[13] = flags;
	put16(tcp + 14, flags & DSR_TCP_RST ? 0 : 65535);
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = DSR_IPPROTO_TCP;
	put16(pseudo + 10, TCP_LEN);
	sum = dsr_csum_add(dsr_csum_add(0, pseudo, sizeof(pseudo)), tcp, TCP_LEN);
	put16(tcp + 16, dsr_csum_fold(sum));
	return DSR_PROBE_FRAME_LEN;
}

uint32_t
dsr_probe_syn(uint8_t *buf, size_t len, const struct dsr_probe *p)
{
	return probe_frame(buf, len, p, DSR_TCP_SYN, p->seq, 0);
}

uint32_t
dsr_probe_rst(uint8_t *buf, size_t len, const struct dsr_probe *p)
{
	return probe_frame(buf, len, p, DSR_TCP_RST, p->seq + 1, 0);
}

int
dsr_probe_parse(const uint8_t *frame, uint32_t len, struct dsr_probe_reply *r)
{
	const uint8_t *tcp;
	struct dsr_pkt pkt;

	/* lib/pkt walks the headers (a whole TCP header, no fragment). */
	if (dsr_pkt_parse(frame, len, &pkt) != DSR_PKT_L4 || pkt.flow.proto != DSR_IPPROTO_TCP ||
	    pkt.frag != DSR_PKT_FRAG_NONE)
		return -1;
	tcp = frame + pkt.l4_off;
	r->src_ip = pkt.flow.src_ip;
	r->dst_ip = pkt.flow.dst_ip;
	r->sport = get16(tcp);
	r->dport = get16(tcp + 2);
	r->seq = get32(tcp + 4);
	r->ack = get32(tcp + 8);
	r->flags = pkt.tcp_flags;
	return 0;
}

enum dsr_probe_verdict
dsr_probe_match(const struct dsr_probe *p, const struct dsr_probe_reply *r)
{
	if (r->src_ip != p->dst_ip || r->dst_ip != p->src_ip || r->sport != p->dport ||
	    r->dport != p->sport)
		return DSR_PROBE_OTHER;
	if ((r->flags & DSR_TCP_RST) && (!(r->flags & DSR_TCP_ACK) || r->ack == p->seq + 1))
		return DSR_PROBE_REFUSED;
	if ((r->flags & (DSR_TCP_SYN | DSR_TCP_ACK | DSR_TCP_RST | DSR_TCP_FIN)) ==
		    (DSR_TCP_SYN | DSR_TCP_ACK) &&
	    r->ack == p->seq + 1)
		return DSR_PROBE_ANSWERED;
	return DSR_PROBE_OTHER;
}
