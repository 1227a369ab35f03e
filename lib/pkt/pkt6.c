/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "dsr_pkt6.h"
#include "pkt_pvt.h"

/* Offsets in the IPv6 fixed header (RFC 8200 section 3). */
#define IP6_PLEN  4u
#define IP6_NEXT  6u
#define IP6_HLIM  7u
#define IP6_ADDRS 8u

/* The fragment header's offset field: 13 bits of 8-byte units, 2 reserved, M. */
#define IP6_FRAG_OFFMASK 0xfff8u
#define IP6_FRAG_MORE    0x0001u

#define DSR_PKT6_X_NAME(e, name, text) [DSR_PKT6_##e] = name,
static const char *const reason_names[DSR_PKT6_NREASONS] = {[DSR_PKT6_OK] = "ok",
							    DSR_PKT6_REASONS(DSR_PKT6_X_NAME)};
#undef DSR_PKT6_X_NAME

const char *
dsr_pkt6_reason_name(enum dsr_pkt6_reason r)
{
	return (unsigned int)r < DSR_PKT6_NREASONS ? reason_names[r] : "?";
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)dsr_rd16(p) << 16 | dsr_rd16(p + 2);
}

static inline enum dsr_pkt_class
malformed(struct dsr_pkt6 *pkt, enum dsr_pkt6_reason r)
{
	pkt->reason = (uint8_t)r;
	return DSR_PKT_MALFORMED;
}

/* The flow's last word: ports (as in the frame), protocol, zero pad. */
static inline void
set_tail(struct dsr_pkt6 *pkt, uint8_t proto, uint32_t ports)
{
	uint64_t tail = (uint64_t)proto << 32 | ports;

	memcpy((uint8_t *)&pkt->flow + 32, &tail, 8);
}

/*
 * The upper-layer header at off, the end of the chain: TCP and UDP whole
 * (as dsr_pkt_parse() checks them), ICMPv6's 8 bytes.
 */
static enum dsr_pkt_class
parse_l4(const uint8_t *frame, uint32_t off, uint32_t end, uint8_t nh, struct dsr_pkt6 *pkt)
{
	uint32_t l4_len = end - off, ports, doff;

	pkt->l4_off = (uint16_t)off;
	set_tail(pkt, nh, 0);
	switch (nh) {
	case DSR_IPPROTO_TCP:
		if (l4_len < DSR_TCP_MIN_HLEN)
			return malformed(pkt, DSR_PKT6_TRUNCATED);
		doff = (uint32_t)(frame[off + 12] >> 4) * 4;
		if (doff < DSR_TCP_MIN_HLEN || doff > l4_len)
			return malformed(pkt, DSR_PKT6_L4_HEADER);
		pkt->tcp_flags = frame[off + 13];
		break;
	case DSR_IPPROTO_UDP:
		if (l4_len < DSR_UDP_HLEN)
			return malformed(pkt, DSR_PKT6_TRUNCATED);
		/* A first fragment holds only part of what the UDP length covers. */
		if (dsr_rd16(frame + off + 4) < DSR_UDP_HLEN ||
		    (pkt->frag == DSR_PKT_FRAG_NONE && dsr_rd16(frame + off + 4) > l4_len))
			return malformed(pkt, DSR_PKT6_L4_HEADER);
		break;
	case DSR_IPPROTO_ICMPV6:
		if (pkt->frag != DSR_PKT_FRAG_NONE)
			return DSR_PKT_FRAGMENT;
		return l4_len < DSR_ICMPV6_HLEN ? malformed(pkt, DSR_PKT6_TRUNCATED)
						: DSR_PKT_ICMPV6;
	default:
		return pkt->frag != DSR_PKT_FRAG_NONE ? DSR_PKT_FRAGMENT : DSR_PKT_OTHER_L4;
	}
	memcpy(&ports, frame + off, 4);
	set_tail(pkt, nh, ports);
	return DSR_PKT_L4;
}

/*
 * The fragment header at off (8 bytes within end). Returns -1 to go on
 * along the chain (an atomic or first fragment), else the class.
 */
static int
parse_frag(const uint8_t *frame, uint32_t off, uint32_t end, struct dsr_pkt6 *pkt)
{
	uint32_t fo = dsr_rd16(frame + off + 2), data = end - off - DSR_IPV6_FRAG_HLEN;

	if (pkt->frag_hdr_off != 0)
		return malformed(pkt, DSR_PKT6_EXT_CHAIN);
	/* RFC 8200 section 4.5: whole 8-byte units before the last; at most 65535. */
	if (((fo & IP6_FRAG_MORE) && (data & 7) != 0) || (fo & IP6_FRAG_OFFMASK) + data > 65535)
		return malformed(pkt, DSR_PKT6_EXT_CHAIN);
	pkt->frag_hdr_off = (uint16_t)off;
	pkt->frag_id = rd32(frame + off + 4);
	if ((fo & IP6_FRAG_OFFMASK) != 0) {
		pkt->frag = DSR_PKT_FRAG_LATER;
		set_tail(pkt, frame[off], 0);
		return DSR_PKT_FRAGMENT;
	}
	/* An atomic fragment (offset 0, no more) is a whole datagram (RFC 6946). */
	if (fo & IP6_FRAG_MORE)
		pkt->frag = DSR_PKT_FRAG_FIRST;
	return -1;
}

/* Everything but the flow and the Ethernet fields, as for a frame not parsed yet. */
static inline void
reset(struct dsr_pkt6 *pkt, uint32_t l3)
{
	pkt->frag_id = 0;
	pkt->l3_off = (uint16_t)l3;
	pkt->l4_off = 0;
	pkt->end_off = 0;
	pkt->frag_hdr_off = 0;
	pkt->tcp_flags = 0;
	pkt->frag = DSR_PKT_FRAG_NONE;
	pkt->hop_limit = 0;
	pkt->reason = DSR_PKT6_OK;
	pkt->n_ext = 0;
}

enum dsr_pkt_class
dsr_pkt_parse6_l3(const uint8_t *frame, uint32_t len, uint32_t l3, struct dsr_pkt6 *pkt)
{
	uint32_t off, end, hlen;
	const uint8_t *ip;
	uint8_t nh;
	int cls;

	reset(pkt, l3);
	if (len < DSR_IPV6_HLEN || l3 > len - DSR_IPV6_HLEN)
		return malformed(pkt, DSR_PKT6_TRUNCATED);
	ip = frame + l3;
	if ((ip[0] >> 4) != 6)
		return malformed(pkt, DSR_PKT6_VERSION);
	end = l3 + DSR_IPV6_HLEN + dsr_rd16(ip + IP6_PLEN);
	if (end > len)
		return malformed(pkt, DSR_PKT6_PAYLOAD_LEN);
	pkt->end_off = end;
	pkt->hop_limit = ip[IP6_HLIM];
	memcpy(&pkt->flow, ip + IP6_ADDRS, 32);
	set_tail(pkt, 0, 0);
	if (ip[IP6_HLIM] <= 1)
		return DSR_PKT_HOPLIMIT;

	nh = ip[IP6_NEXT];
	off = l3 + DSR_IPV6_HLEN;
	for (;;) {
		switch (nh) {
		case DSR_IPPROTO_HOPOPTS:
			if (pkt->n_ext != 0)
				return malformed(pkt, DSR_PKT6_HOPOPTS_NOT_FIRST);
			break;
		case DSR_IPPROTO_ROUTING:
		case DSR_IPPROTO_DSTOPTS:
		case DSR_IPPROTO_FRAGMENT:
			break;
		default:
			return parse_l4(frame, off, end, nh, pkt);
		}
		/* An extension header: next header, then its length. */
		if (pkt->n_ext == DSR_PKT6_MAX_EXT)
			return malformed(pkt, DSR_PKT6_EXT_MANY);
		pkt->n_ext++;
		if (nh == DSR_IPPROTO_FRAGMENT) {
			if (end - off < DSR_IPV6_FRAG_HLEN)
				return malformed(pkt, DSR_PKT6_TRUNCATED);
			cls = parse_frag(frame, off, end, pkt);
			if (cls >= 0)
				return (enum dsr_pkt_class)cls;
			hlen = DSR_IPV6_FRAG_HLEN;
		} else {
			if (end - off < 8)
				return malformed(pkt, DSR_PKT6_TRUNCATED);
			hlen = ((uint32_t)frame[off + 1] + 1) * 8;
			if (hlen > end - off)
				return malformed(pkt, DSR_PKT6_TRUNCATED);
			/* Segments left: not at its destination yet; the chain ends here. */
			if (nh == DSR_IPPROTO_ROUTING && frame[off + 3] != 0)
				return parse_l4(frame, off, end, nh, pkt);
		}
		nh = frame[off];
		off += hlen;
	}
}

enum dsr_pkt_class
dsr_pkt_parse6(const uint8_t *frame, uint32_t len, struct dsr_pkt6 *pkt)
{
	struct dsr_pkt eth;
	enum dsr_pkt_class cls;

	/* dsr_pkt_parse() reads Ethernet and the tag, and sets l3_off only if they are whole. */
	cls = dsr_pkt_parse(frame, len, &eth);
	pkt->has_vlan = eth.has_vlan;
	pkt->vlan_tci = eth.has_vlan ? eth.vlan_tci : 0;
	pkt->ethertype = eth.l3_off != 0 ? eth.ethertype : 0;
	if (cls == DSR_PKT_NOT_IPV4 && eth.ethertype == DSR_ETHERTYPE_IPV6)
		return dsr_pkt_parse6_l3(frame, len, eth.l3_off, pkt);
	reset(pkt, eth.l3_off);
	if (eth.l3_off == 0)
		return malformed(pkt, DSR_PKT6_TRUNCATED);
	return DSR_PKT_NOT_IPV6;
}

uint32_t
dsr_pkt6_mld_off(const uint8_t *frame, uint32_t len, uint32_t l3)
{
	const uint8_t *ip;
	uint32_t off;

	if (l3 == 0 || len < l3 + DSR_IPV6_HLEN + 8)
		return 0;
	ip = frame + l3;
	if ((ip[0] >> 4) != 6 || ip[6] != DSR_IPPROTO_HOPOPTS || ip[7] != 1 ||
	    ip[DSR_IPV6_HLEN] != DSR_IPPROTO_ICMPV6)
		return 0;
	off = l3 + DSR_IPV6_HLEN + ((uint32_t)ip[DSR_IPV6_HLEN + 1] + 1) * 8;
	if (off > len || len - off < 4)
		return 0;
	switch (frame[off]) {
	case DSR_MLD_QUERY:
	case DSR_MLD_REPORT_V1:
	case DSR_MLD_DONE:
	case DSR_MLD_REPORT_V2:
		return off;
	default:
		return 0;
	}
}
