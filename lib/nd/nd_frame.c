/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ND frames: validation of received NS and NA (RFC 4861 sections 7.1.1
 * and 7.1.2), and the NS and NA we send (hop limit 255, checksum over the
 * IPv6 pseudo-header, RFC 8200 section 8.1).
 */
#include <string.h>

#include "dsr_nd.h"
#include "dsr_pkt.h"
#include "nd_pvt.h"

static uint16_t
nd_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The one's complement sum of the pseudo-header and the ICMPv6 message. */
uint32_t
nd_csum_sum(const uint8_t *ip6, const uint8_t *icmp, uint32_t len)
{
	uint32_t sum = dsr_csum_add(0, ip6 + 8, 32); /* source and destination */

	sum += (len >> 16) + (len & 0xffff) + DSR_IPPROTO_ICMPV6;
	return dsr_csum_add(sum, icmp, len);
}

void
nd_mc_mac(const uint8_t *ip, uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, ip + 12, 4);
}

void
dsr_nd_solicited_node(const uint8_t ip[16], uint8_t out[16])
{
	static const uint8_t prefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};

	memcpy(out, prefix, sizeof(prefix));
	memcpy(out + 13, ip + 13, 3);
}

/*
 * Walk the options of an NS or NA (after the 24 fixed bytes): each must
 * have a non-zero length within the message; a link-layer address option
 * of type want must be 8 bytes (Ethernet), and the first one is taken.
 */
static int
nd_options(const uint8_t *icmp, uint32_t len, uint8_t want, struct nd_frame *f)
{
	uint32_t o = ND_HLEN;

	while (o < len) {
		uint32_t l;

		if (len - o < 2)
			return DSR_ND_BAD_OPTION;
		l = (uint32_t)icmp[o + 1] * 8;
		if (l == 0 || l > len - o)
			return DSR_ND_BAD_OPTION;
		if (icmp[o] == want) {
			if (l != 8)
				return DSR_ND_BAD_OPTION;
			if (!f->has_opt) {
				f->has_opt = true;
				f->mac = icmp + o + 2;
			}
		}
		o += l;
	}
	return DSR_ND_NCOUNTERS;
}

/* The checks after the header's: addresses, options, DAD and NA rules, MACs. */
static int
nd_check(const uint8_t *frame, const uint8_t *icmp, uint32_t plen, struct nd_frame *f)
{
	uint8_t sn[16];
	int r;

	if (f->src[0] == 0xff)
		return DSR_ND_BAD_SOURCE;
	if (f->target[0] == 0xff)
		return DSR_ND_BAD_TARGET;
	r = nd_options(icmp, plen, f->type == DSR_ND_NS ? ND_OPT_SLL : ND_OPT_TLL, f);
	if (r != DSR_ND_NCOUNTERS)
		return r;
	f->from_any = nd_ip_is_any(f->src);
	if (f->type == DSR_ND_NS && f->from_any) {
		dsr_nd_solicited_node(f->target, sn);
		if (!nd_ip_eq(f->dst, sn))
			return DSR_ND_BAD_DAD_DST;
		if (f->has_opt)
			return DSR_ND_BAD_DAD_OPTION;
	}
	if (f->type == DSR_ND_NA) {
		f->flags = icmp[4];
		if (f->from_any)
			return DSR_ND_BAD_NA_SOURCE;
		if (f->dst[0] == 0xff && (f->flags & ND_NA_SOLICITED) != 0)
			return DSR_ND_BAD_NA_SOLICITED;
	}
	if (!f->has_opt)
		f->mac = frame + 6;
	if (!dsr_mac_is_unicast(f->mac) || !dsr_mac_is_unicast(frame + 6))
		return DSR_ND_BAD_SENDER_MAC;
	if ((f->eth_dst[0] & 1) != 0) {
		uint8_t m[6];

		nd_mc_mac(f->dst, m);
		if (f->dst[0] != 0xff || !dsr_mac_eq(m, f->eth_dst))
			return DSR_ND_BAD_DST;
	}
	return DSR_ND_NCOUNTERS;
}

/*
 * Validate an ND frame and fill f. Returns DSR_ND_NCOUNTERS for a valid
 * NS or NA, DSR_ND_OTHER_TYPE for RS, RA and redirect, else the counter
 * of the reason; -1 if it is not ICMPv6 ND at all (or too short to tell).
 */
int
nd_parse(const uint8_t *frame, uint32_t len, struct nd_frame *f)
{
	uint32_t off = DSR_ETH_HLEN, plen;
	const uint8_t *ip, *icmp;
	uint16_t type;

	if (len < DSR_ETH_HLEN)
		return -1;
	memset(f, 0, sizeof(*f));
	f->eth_dst = frame;
	type = nd_be16(frame + 12);
	if (type == DSR_ETHERTYPE_VLAN) {
		if (len < DSR_ETH_HLEN + DSR_VLAN_HLEN)
			return -1;
		f->vlan = frame + 12;
		type = nd_be16(frame + 16);
		off += DSR_VLAN_HLEN;
	}
	/* The next header and the ICMPv6 type tell an ND frame. */
	if (type != DSR_ETHERTYPE_IPV6 || len < off + DSR_IPV6_HLEN + 1)
		return -1;
	ip = frame + off;
	icmp = ip + DSR_IPV6_HLEN;
	if (ip[6] != DSR_IPPROTO_ICMPV6 || icmp[0] < DSR_ND_RS || icmp[0] > DSR_ND_RD)
		return -1;
	if (icmp[0] != DSR_ND_NS && icmp[0] != DSR_ND_NA)
		return DSR_ND_OTHER_TYPE;
	f->type = icmp[0];
	plen = nd_be16(ip + 4);
	if (len < off + DSR_IPV6_HLEN + 4 || plen > len - off - DSR_IPV6_HLEN)
		return DSR_ND_BAD_TRUNCATED;
	if ((ip[0] >> 4) != 6)
		return DSR_ND_BAD_VERSION;
	if (ip[7] != 255)
		return DSR_ND_BAD_HOP_LIMIT;
	if (icmp[1] != 0)
		return DSR_ND_BAD_CODE;
	if (plen < ND_HLEN)
		return DSR_ND_BAD_LENGTH;
	if (dsr_csum_fold(nd_csum_sum(ip, icmp, plen)) != 0)
		return DSR_ND_BAD_CHECKSUM;
	f->src = ip + 8;
	f->dst = ip + 24;
	f->target = icmp + 8;
	return nd_check(frame, icmp, plen, f);
}

/*
 * Build and send an NS or NA from port: Ethernet (the port's MAC, vlan
 * if not NULL), IPv6 (ip_src to ip_dst, hop limit 255), ICMPv6 type with
 * the flags byte and target, and a link-layer address option of type opt
 * (the port's MAC) unless opt is 0.
 */
uint32_t
nd_frame_head(uint8_t *f, const uint8_t *eth_dst, const uint8_t *mac, const uint8_t *vlan,
	      const uint8_t *ip_src, const uint8_t *ip_dst, uint8_t nh, uint8_t hop, uint32_t plen)
{
	uint32_t off = DSR_ETH_HLEN;
	uint8_t *ip;

	memcpy(f, eth_dst, 6);
	memcpy(f + 6, mac, 6);
	if (vlan != NULL) {
		memcpy(f + 12, vlan, DSR_VLAN_HLEN);
		off += DSR_VLAN_HLEN;
	}
	f[off - 2] = (uint8_t)(DSR_ETHERTYPE_IPV6 >> 8);
	f[off - 1] = (uint8_t)DSR_ETHERTYPE_IPV6;
	ip = f + off;
	memset(ip, 0, 8);
	ip[0] = 0x60;
	ip[4] = (uint8_t)(plen >> 8);
	ip[5] = (uint8_t)plen;
	ip[6] = nh;
	ip[7] = hop;
	memcpy(ip + 8, ip_src, 16);
	memcpy(ip + 24, ip_dst, 16);
	return off;
}

static void
nd_send(struct dsr_nd *nd, uint16_t port, const uint8_t *vlan, const uint8_t *eth_dst,
	const uint8_t *ip_src, const uint8_t *ip_dst, uint8_t type, uint8_t flags,
	const uint8_t *target, uint8_t opt)
{
	uint8_t f[DSR_ND_FRAME_LEN + DSR_VLAN_HLEN];
	const uint8_t *mac = nd->ports[port].mac;
	uint32_t plen = ND_HLEN + (opt != 0 ? 8 : 0), off;
	uint8_t *ip, *icmp;
	uint16_t csum;

	memset(f, 0, sizeof(f));
	off = nd_frame_head(f, eth_dst, mac, vlan, ip_src, ip_dst, DSR_IPPROTO_ICMPV6, 255, plen);
	ip = f + off;
	icmp = ip + DSR_IPV6_HLEN;
	icmp[0] = type;
	icmp[4] = flags;
	memcpy(icmp + 8, target, 16);
	if (opt != 0) {
		icmp[24] = opt;
		icmp[25] = 1;
		memcpy(icmp + 26, mac, 6);
	}
	csum = dsr_csum_fold(nd_csum_sum(ip, icmp, plen));
	icmp[2] = (uint8_t)(csum >> 8);
	icmp[3] = (uint8_t)csum;
	if (nd->tx != NULL)
		nd->tx(nd->arg, port, f, off + DSR_IPV6_HLEN + plen);
}

/* An NA for our address target, with a target link-layer option. */
void
nd_send_na(struct dsr_nd *nd, uint16_t port, const uint8_t *vlan, const uint8_t *eth_dst,
	   const uint8_t *ip_dst, const uint8_t *target, uint8_t flags)
{
	nd_send(nd, port, vlan, eth_dst, target, ip_dst, DSR_ND_NA, flags, target, ND_OPT_TLL);
}

/* An NS for target; from :: (a DAD probe) it carries no source link-layer option. */
void
nd_send_ns(struct dsr_nd *nd, uint16_t port, const uint8_t *eth_dst, const uint8_t *ip_src,
	   const uint8_t *ip_dst, const uint8_t *target)
{
	nd_send(nd, port, NULL, eth_dst, ip_src, ip_dst, DSR_ND_NS, 0, target,
		nd_ip_is_any(ip_src) ? 0 : ND_OPT_SLL);
}
