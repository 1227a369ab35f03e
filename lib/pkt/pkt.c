/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include "dsr_pkt.h"
#include "pkt_pvt.h"

enum dsr_pkt_class
dsr_pkt_parse(const uint8_t *frame, uint32_t len, struct dsr_pkt *pkt)
{
	uint32_t l3, ihl, tot, l4, l4_len, ports;
	uint64_t ips, rest;
	uint16_t type;
	const uint8_t *ip;

	pkt->has_vlan = 0;
	pkt->tcp_flags = 0;
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
	if ((dsr_rd16(ip + 6) & (DSR_IPV4_MF | DSR_IPV4_OFFMASK)) != 0)
		return DSR_PKT_FRAGMENT;
	if (ip[8] <= 1)
		return DSR_PKT_TTL;

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
		if (dsr_rd16(frame + l4 + 4) < DSR_UDP_HLEN || dsr_rd16(frame + l4 + 4) > l4_len)
			return DSR_PKT_MALFORMED;
		break;
	default:
		return DSR_PKT_OTHER_L4;
	}
	/*
	 * Both addresses are adjacent in the IPv4 header and both ports in the
	 * L4 header: write the flow as exactly two 8-byte words, so that the
	 * 8-byte loads of dsr_flow_hash() and the table forward from these
	 * stores instead of stalling on narrower ones.
	 */
	memcpy(&ips, ip + 12, 8);
	memcpy(&ports, frame + l4, 4);
	rest = ports | ((uint64_t)ip[9] << 32);
	memcpy(&pkt->flow, &ips, 8);
	memcpy((uint8_t *)&pkt->flow + 8, &rest, 8);
	return DSR_PKT_L4;
}
