/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMPv6 (RFC 4443): the flow an error is about, and echo replies. The
 * IPv4 twins are in icmp.c; the shared pieces in icmp_pvt.h, the
 * checksum sums in lib/pkt.
 */
#include <string.h>

#include "dsr_icmp.h"
#include "icmp_pvt.h"

/* Offsets in an IPv6 header. */
#define ICMP6_IP_PLEN 4u  /* payload length, 2 bytes */
#define ICMP6_IP_NXT  6u  /* next header */
#define ICMP6_IP_HLIM 7u  /* hop limit */
#define ICMP6_IP_SRC  8u  /* source address */
#define ICMP6_IP_DST  24u /* destination address */

/* A fragment header's length, and its offset field's mask (RFC 8200 4.5). */
#define ICMP6_FRAG_HLEN 8u
#define ICMP6_FRAG_OFF  0xfff8u

static uint16_t
icmp6_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * Walk the extension headers of an IPv6 packet from *nh at *off (bytes
 * p[0..len)) to its upper-layer header, DSR_ICMP6_MAX_EXT at most.
 * Sets *nh and *off to it. @return DSR_ICMP_ERR_OK, TRUNCATED if a
 * header runs past len, FOREIGN for a later fragment or too many headers.
 */
static enum dsr_icmp_err
icmp6_skip_ext(const uint8_t *p, uint32_t len, uint8_t *nh, uint32_t *off)
{
	unsigned int n;

	for (n = 0; n <= DSR_ICMP6_MAX_EXT; n++) {
		uint32_t hl;

		switch (*nh) {
		case DSR_IPPROTO_HOPOPTS:
		case DSR_IPPROTO_ROUTING:
		case DSR_IPPROTO_DSTOPTS:
			if (len < *off + 2)
				return DSR_ICMP_ERR_TRUNCATED;
			hl = ((uint32_t)p[*off + 1] + 1) * 8;
			break;
		case DSR_IPPROTO_FRAGMENT:
			if (len < *off + ICMP6_FRAG_HLEN)
				return DSR_ICMP_ERR_TRUNCATED;
			if ((icmp6_rd16(p + *off + 2) & ICMP6_FRAG_OFF) != 0)
				return DSR_ICMP_ERR_FOREIGN; /* a later fragment: no ports */
			hl = ICMP6_FRAG_HLEN;
			break;
		default:
			return DSR_ICMP_ERR_OK;
		}
		if (len < *off + hl)
			return DSR_ICMP_ERR_TRUNCATED;
		*nh = p[*off];
		*off += hl;
	}
	return DSR_ICMP_ERR_FOREIGN;
}

enum dsr_icmp_err
dsr_icmp6_error_flow(const uint8_t *icmp, uint32_t len, const uint8_t outer_dst[16],
		     struct dsr_flow6 *flow)
{
	const uint8_t *q = icmp + DSR_ICMP_HLEN; /* the quoted IPv6 header */
	uint32_t qlen, off = DSR_IPV6_HLEN;
	enum dsr_icmp_err err;
	uint8_t nh;

	if (len < DSR_ICMP_HLEN + DSR_IPV6_HLEN)
		return DSR_ICMP_ERR_TRUNCATED;
	if ((q[0] >> 4) != 6 || memcmp(q + ICMP6_IP_SRC, outer_dst, 16) != 0)
		return DSR_ICMP_ERR_FOREIGN;
	qlen = len - DSR_ICMP_HLEN;
	nh = q[ICMP6_IP_NXT];
	err = icmp6_skip_ext(q, qlen, &nh, &off);
	if (err != DSR_ICMP_ERR_OK)
		return err;
	if (nh != DSR_IPPROTO_TCP && nh != DSR_IPPROTO_UDP)
		return DSR_ICMP_ERR_FOREIGN;
	if (qlen < off + ICMP_QUOTED_L4)
		return DSR_ICMP_ERR_TRUNCATED;
	/* Quoted: VIP -> client, VIP port -> client port. Reversed: the client's. */
	memset(flow, 0, sizeof(*flow));
	memcpy(flow->src_ip, q + ICMP6_IP_DST, 16);
	memcpy(flow->dst_ip, q + ICMP6_IP_SRC, 16);
	icmp_turn_ports(q + off, &flow->src_port, &flow->dst_port);
	flow->proto = nh;
	return DSR_ICMP_ERR_OK;
}

uint16_t
dsr_icmp6_csum(const uint8_t *ip6, const uint8_t *msg, uint32_t len)
{
	/* Pseudo-header: source, destination, upper-layer length, next header. */
	uint32_t sum = dsr_csum_add(0, ip6 + ICMP6_IP_SRC, 32);

	sum += len >> 16;
	sum += len & 0xffff;
	sum += DSR_IPPROTO_ICMPV6;
	return dsr_csum_fold(dsr_csum_add(sum, msg, len));
}

int
dsr_icmp6_echo_reply(uint8_t *frame, uint32_t frame_len, uint32_t l3_off, uint32_t l4_off,
		     const uint8_t mac[6])
{
	uint8_t *ip = frame + l3_off, *icmp, tmp[16];
	uint32_t plen, len;

	if (l4_off < l3_off + DSR_IPV6_HLEN || frame_len < l3_off + DSR_IPV6_HLEN)
		return -1;
	plen = icmp6_rd16(ip + ICMP6_IP_PLEN);
	if (l3_off + DSR_IPV6_HLEN + plen > frame_len ||
	    l4_off + DSR_ICMP_HLEN > l3_off + DSR_IPV6_HLEN + plen)
		return -1;
	icmp = frame + l4_off;
	len = l3_off + DSR_IPV6_HLEN + plen - l4_off;
	if (icmp[0] != DSR_ICMP6_ECHO_REQUEST || dsr_icmp6_csum(ip, icmp, len) != 0)
		return -1;
	icmp_eth_reply(frame, mac);
	memcpy(tmp, ip + ICMP6_IP_SRC, 16);
	memcpy(ip + ICMP6_IP_SRC, ip + ICMP6_IP_DST, 16);
	memcpy(ip + ICMP6_IP_DST, tmp, 16);
	ip[ICMP6_IP_HLIM] = ICMP_REPLY_TTL;
	if (l4_off != l3_off + DSR_IPV6_HLEN) {
		/* Drop the extension headers. */
		memmove(ip + DSR_IPV6_HLEN, icmp, len);
		icmp = ip + DSR_IPV6_HLEN;
		ip[ICMP6_IP_NXT] = DSR_IPPROTO_ICMPV6;
		icmp_put16(ip + ICMP6_IP_PLEN, (uint16_t)len);
	}
	icmp[0] = DSR_ICMP6_ECHO_REPLY;
	icmp[1] = 0;
	icmp_put16(icmp + 2, 0);
	icmp_put16(icmp + 2, dsr_icmp6_csum(ip, icmp, len));
	return (int)(l3_off + DSR_IPV6_HLEN + len);
}
