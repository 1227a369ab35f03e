/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include "dsr_pkt.h"
#include "pkt_pvt.h"

enum dsr_pkt_class
dsr_pkt_parse(const uint8_t *frame, uint32_t len, struct dsr_pkt *pkt)
{
	uint32_t l3, ihl, tot, l4, l4_len, ports;
	uint16_t type, frag;
	uint64_t ips, rest;
	const uint8_t *ip;

	pkt->has_vlan = 0;
	pkt->tcp_flags = 0;
	pkt->frag = DSR_PKT_FRAG_NONE;
	pkt->l3_off = 0;
	pkt->l4_off = 0;
	if (len < DSR_ETH_HLEN)
		return DSR_PKT_MALFORMED;
	type = dsr_rd16(frame + 12);
	l3 = DSR_ETH_HLEN;
	if (type == DSR_ETHERTYPE_VLAN) {
		if (len < DSR_ETH_HLEN + DSR_VLAN_HLEN)
			return DSR_PKT_MALFORMED;
		pkt->has_vlan = 1;
		pkt->vlan_tci = dsr_rd16(frame + 14);
		type = dsr_rd16(frame + 16);
		l3 += DSR_VLAN_HLEN;
	}
	pkt->ethertype = type;
	pkt->l3_off = (uint16_t)l3;
	if (type == DSR_ETHERTYPE_ARP)
		return DSR_PKT_ARP;
	if (type != DSR_ETHERTYPE_IPV4)
		return DSR_PKT_NOT_IPV4;

	/* IPv4 header: version, lengths, then the fields we key on. */
	if (len < l3 + DSR_IPV4_MIN_HLEN)
		return DSR_PKT_MALFORMED;
	ip = frame + l3;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	tot = dsr_rd16(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < DSR_IPV4_MIN_HLEN || tot < ihl || l3 + tot > len)
		return DSR_PKT_MALFORMED;
	if (ip[8] <= 1)
		return DSR_PKT_TTL;
	pkt->ip_id = dsr_rd16(ip + 4);
	/*
	 * Both addresses are adjacent in the IPv4 header and both ports in the
	 * L4 header: write the flow as exactly two 8-byte words, so that the
	 * 8-byte loads of dsr_flow_hash() and the table forward from these
	 * stores instead of stalling on narrower ones.
	 */
	memcpy(&ips, ip + 12, 8);
	memcpy(&pkt->flow, &ips, 8);
	rest = (uint64_t)ip[9] << 32; /* ports 0 until the L4 header is read */
	memcpy((uint8_t *)&pkt->flow + 8, &rest, 8);
	frag = dsr_rd16(ip + 6);
	if ((frag & DSR_IPV4_OFFMASK) != 0) {
		pkt->frag = DSR_PKT_FRAG_LATER;
		return DSR_PKT_FRAGMENT;
	}
	if (frag & DSR_IPV4_MF)
		pkt->frag = DSR_PKT_FRAG_FIRST;

	l4 = l3 + ihl;
	l4_len = tot - ihl;
	pkt->l4_off = (uint16_t)l4;
	switch (ip[9]) {
	case DSR_IPPROTO_TCP:
		if (l4_len < DSR_TCP_MIN_HLEN)
			return DSR_PKT_MALFORMED;
		if ((uint32_t)(frame[l4 + 12] >> 4) * 4 < DSR_TCP_MIN_HLEN ||
		    (uint32_t)(frame[l4 + 12] >> 4) * 4 > l4_len)
			return DSR_PKT_MALFORMED;
		pkt->tcp_flags = frame[l4 + 13];
		break;
	case DSR_IPPROTO_UDP:
		if (l4_len < DSR_UDP_HLEN)
			return DSR_PKT_MALFORMED;
		/* A first fragment holds only part of what the UDP length covers. */
		if (dsr_rd16(frame + l4 + 4) < DSR_UDP_HLEN ||
		    (pkt->frag == DSR_PKT_FRAG_NONE && dsr_rd16(frame + l4 + 4) > l4_len))
			return DSR_PKT_MALFORMED;
		break;
	case DSR_IPPROTO_ICMP:
		if (pkt->frag != DSR_PKT_FRAG_NONE)
			return DSR_PKT_FRAGMENT;
		return l4_len < DSR_ICMP_HLEN ? DSR_PKT_MALFORMED : DSR_PKT_ICMP;
	default:
		return pkt->frag != DSR_PKT_FRAG_NONE ? DSR_PKT_FRAGMENT : DSR_PKT_OTHER_L4;
	}
	memcpy(&ports, frame + l4, 4);
	rest |= ports;
	memcpy((uint8_t *)&pkt->flow + 8, &rest, 8);
	return DSR_PKT_L4;
}

uint32_t
dsr_csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += dsr_rd16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

uint16_t
dsr_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
