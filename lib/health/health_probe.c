/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frames of the dsr check: a TCP SYN from a port's address to the VIP,
 * addressed to the backend's MAC as a forwarded client packet is; the RST
 * that closes a half-open probe; and the parse of a reply (SYN-ACK or RST
 * from the VIP to the port's address). IPv4 and IPv6, one builder.
 */
#include <string.h>

#include "dsr_health.h"
#include "dsr_pkt.h"
#include "dsr_pkt6.h"

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

/* The IPv4 header of a probe (payload TCP_LEN); the pseudo-header's addresses into pseudo. */
static void
probe_ip4(uint8_t *ip, const struct dsr_probe *p, uint8_t *pseudo)
{
	ip[0] = 0x45;
	put16(ip + 2, IP4_LEN + TCP_LEN);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = DSR_IPPROTO_TCP;
	memcpy(ip + 12, &p->src_ip, 4);
	memcpy(ip + 16, &p->dst_ip, 4);
	put16(ip + 10, dsr_csum_fold(dsr_csum_add(0, ip, IP4_LEN)));
	memcpy(pseudo, ip + 12, 8);
}

/* The IPv6 header of a probe (payload TCP_LEN, hop limit 64); the addresses into pseudo. */
static void
probe_ip6(uint8_t *ip, const struct dsr_probe *p, uint8_t *pseudo)
{
	ip[0] = 0x60;
	put16(ip + 4, TCP_LEN);
	ip[6] = DSR_IPPROTO_TCP;
	ip[7] = 64;
	memcpy(ip + 8, p->src_ip6, 16);
	memcpy(ip + 24, p->dst_ip6, 16);
	memcpy(pseudo, ip + 8, 32);
}

/*
 * A TCP segment without payload or options, with the given flags, over
 * the probe's family. The pseudo-header is the addresses, then zero,
 * TCP and the length (RFC 793's 12 bytes, RFC 8200's 40: the same sum).
 */
static uint32_t
probe_frame(uint8_t *buf, size_t len, const struct dsr_probe *p, uint8_t flags, uint32_t seq,
	    uint32_t ack)
{
	bool v6 = p->family == DSR_AF_IPV6;
	uint32_t ip_len = v6 ? DSR_IPV6_HLEN : IP4_LEN, flen = ETH_LEN + ip_len + TCP_LEN;
	uint8_t *ip = buf + ETH_LEN, *tcp = ip + ip_len, pseudo[36];
	uint32_t sum, alen = v6 ? 32 : 8;

	if (len < flen)
		return 0;
	memset(buf, 0, flen);
	memcpy(buf, p->dst_mac, 6);
	memcpy(buf + 6, p->src_mac, 6);
	put16(buf + 12, v6 ? DSR_ETHERTYPE_IPV6 : DSR_ETHERTYPE_IPV4);
	if (v6)
		probe_ip6(ip, p, pseudo);
	else
		probe_ip4(ip, p, pseudo);
	put16(tcp, p->sport);
	put16(tcp + 2, p->dport);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = (TCP_LEN / 4) << 4;
	tcp[13] = flags;
	put16(tcp + 14, flags & DSR_TCP_RST ? 0 : 65535);
	pseudo[alen] = 0;
	pseudo[alen + 1] = DSR_IPPROTO_TCP;
	put16(pseudo + alen + 2, TCP_LEN);
	sum = dsr_csum_add(dsr_csum_add(0, pseudo, alen + 4), tcp, TCP_LEN);
	put16(tcp + 16, dsr_csum_fold(sum));
	return flen;
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

/* The TCP header at tcp into r. */
static void
probe_parse_tcp(const uint8_t *tcp, uint8_t flags, struct dsr_probe_reply *r)
{
	r->sport = get16(tcp);
	r->dport = get16(tcp + 2);
	r->seq = get32(tcp + 4);
	r->ack = get32(tcp + 8);
	r->flags = flags;
}

int
dsr_probe_parse(const uint8_t *frame, uint32_t len, struct dsr_probe_reply *r)
{
	enum dsr_pkt_class c;
	struct dsr_pkt6 p6;
	struct dsr_pkt pkt;

	/* lib/pkt walks the headers (a whole TCP header, no fragment). */
	memset(r, 0, sizeof(*r));
	c = dsr_pkt_parse(frame, len, &pkt);
	if (c == DSR_PKT_NOT_IPV4 && pkt.ethertype == DSR_ETHERTYPE_IPV6) {
		if (dsr_pkt_parse6_l3(frame, len, pkt.l3_off, &p6) != DSR_PKT_L4 ||
		    p6.flow.proto != DSR_IPPROTO_TCP || p6.frag != DSR_PKT_FRAG_NONE)
			return -1;
		r->family = DSR_AF_IPV6;
		memcpy(r->src_ip6, p6.flow.src_ip, 16);
		memcpy(r->dst_ip6, p6.flow.dst_ip, 16);
		probe_parse_tcp(frame + p6.l4_off, p6.tcp_flags, r);
		return 0;
	}
	if (c != DSR_PKT_L4 || pkt.flow.proto != DSR_IPPROTO_TCP || pkt.frag != DSR_PKT_FRAG_NONE)
		return -1;
	r->src_ip = pkt.flow.src_ip;
	r->dst_ip = pkt.flow.dst_ip;
	probe_parse_tcp(frame + pkt.l4_off, pkt.tcp_flags, r);
	return 0;
}

/* Does r come from p's VIP to p's source address? */
static bool
probe_addrs_match(const struct dsr_probe *p, const struct dsr_probe_reply *r)
{
	if (r->family != p->family)
		return false;
	if (p->family == DSR_AF_IPV6)
		return memcmp(r->src_ip6, p->dst_ip6, 16) == 0 &&
		       memcmp(r->dst_ip6, p->src_ip6, 16) == 0;
	return r->src_ip == p->dst_ip && r->dst_ip == p->src_ip;
}

enum dsr_probe_verdict
dsr_probe_match(const struct dsr_probe *p, const struct dsr_probe_reply *r)
{
	if (!probe_addrs_match(p, r) || r->sport != p->dport || r->dport != p->sport)
		return DSR_PROBE_OTHER;
	if ((r->flags & DSR_TCP_RST) && (!(r->flags & DSR_TCP_ACK) || r->ack == p->seq + 1))
		return DSR_PROBE_REFUSED;
	if ((r->flags & (DSR_TCP_SYN | DSR_TCP_ACK | DSR_TCP_RST | DSR_TCP_FIN)) ==
		    (DSR_TCP_SYN | DSR_TCP_ACK) &&
	    r->ack == p->seq + 1)
		return DSR_PROBE_ANSWERED;
	return DSR_PROBE_OTHER;
}
