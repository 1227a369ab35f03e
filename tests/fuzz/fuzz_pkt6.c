/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the IPv6 parser (lib/pkt's dsr_pkt_parse6()) alone.
 *
 * Input: one frame, from the Ethernet destination address, parsed from a
 * buffer of exactly its size (ASan sees any read past it).
 * Invariants:
 *   - the class is one dsr_pkt_parse6() returns; reason is set exactly
 *     for DSR_PKT_MALFORMED, and has a name;
 *   - DSR_PKT_NOT_IPV6 exactly when Ethernet (and its one tag) is whole
 *     and the ethertype is not IPv6;
 *   - offsets within the frame: l3_off + 40 <= l4_off, frag_hdr_off <=
 *     end_off <= len where set; end_off is the fixed header's payload
 *     length's end; addresses and hop limit are the frame's;
 *   - the class agrees with the fields: L4 is TCP or UDP with its header
 *     whole within end_off and the frame's ports and flags; ICMPV6 has 8
 *     bytes and is no fragment; FRAGMENT has a fragment header and no
 *     ports; HOPLIMIT a hop limit <= 1; OTHER_L4 no ports and a protocol
 *     that is none of TCP, UDP, ICMPv6 or a walked extension header;
 *   - the same result for the same bytes with junk after the payload
 *     length's end, or cut right at it; and from dsr_pkt_parse6_l3() at
 *     the same l3_off.
 */
#include <stdbool.h>

#include "dsr_pkt6.h"
#include "fuzz_util.h"

#define JUNK 64

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

static enum dsr_pkt_class
parse(const uint8_t *data, size_t len, size_t alloc, const uint8_t *junk, struct dsr_pkt6 *p)
{
	uint8_t *f = malloc(alloc > 0 ? alloc : 1);
	enum dsr_pkt_class c;

	FUZZ_CHECK(f != NULL);
	if (len > 0)
		memcpy(f, data, len);
	if (alloc > len)
		memcpy(f + len, junk, alloc - len);
	memset(p, 0xa5, sizeof(*p)); /* the same start for every parse, to compare whole */
	c = dsr_pkt_parse6(f, (uint32_t)alloc, p);
	free(f);
	return c;
}

/* Ethernet and its tag as dsr_pkt_parse() reads them: l3, or 0 if cut. */
static uint32_t
l2(const uint8_t *f, size_t len, uint16_t *type)
{
	if (len < DSR_ETH_HLEN)
		return 0;
	*type = rd16(f + 12);
	if (*type != DSR_ETHERTYPE_VLAN)
		return DSR_ETH_HLEN;
	if (len < DSR_ETH_HLEN + DSR_VLAN_HLEN)
		return 0;
	*type = rd16(f + 16);
	return DSR_ETH_HLEN + DSR_VLAN_HLEN;
}

static void
check_fields(const uint8_t *f, size_t len, enum dsr_pkt_class c, const struct dsr_pkt6 *p)
{
	const struct dsr_flow6 *fl = &p->flow;
	uint16_t type = 0;
	uint32_t l3 = l2(f, len, &type), l4 = p->l4_off;
	bool ports_zero = fl->src_port == 0 && fl->dst_port == 0;

	FUZZ_CHECK(c == DSR_PKT_L4 || c == DSR_PKT_MALFORMED || c == DSR_PKT_FRAGMENT ||
		   c == DSR_PKT_OTHER_L4 || c == DSR_PKT_ICMPV6 || c == DSR_PKT_HOPLIMIT ||
		   c == DSR_PKT_NOT_IPV6);
	FUZZ_CHECK(p->reason < DSR_PKT6_NREASONS);
	FUZZ_CHECK((p->reason != DSR_PKT6_OK) == (c == DSR_PKT_MALFORMED));
	FUZZ_CHECK(dsr_pkt6_reason_name((enum dsr_pkt6_reason)p->reason)[0] != '?');
	if (l3 == 0) {
		FUZZ_CHECK(c == DSR_PKT_MALFORMED && p->reason == DSR_PKT6_TRUNCATED);
		return;
	}
	FUZZ_CHECK(p->l3_off == l3 && p->has_vlan == (l3 > DSR_ETH_HLEN) && p->ethertype == type);
	FUZZ_CHECK((c == DSR_PKT_NOT_IPV6) == (type != DSR_ETHERTYPE_IPV6));
	if (c == DSR_PKT_NOT_IPV6)
		return;

	/* The fixed header. */
	if (p->end_off == 0) {
		FUZZ_CHECK(c == DSR_PKT_MALFORMED);
		FUZZ_CHECK(p->l4_off == 0 && p->frag_hdr_off == 0 && p->n_ext == 0);
		return;
	}
	FUZZ_CHECK(len >= l3 + DSR_IPV6_HLEN && (f[l3] >> 4) == 6);
	FUZZ_CHECK(p->end_off == l3 + DSR_IPV6_HLEN + rd16(f + l3 + 4) && p->end_off <= len);
	FUZZ_CHECK(memcmp(fl->src_ip, f + l3 + 8, 32) == 0);
	FUZZ_CHECK(fl->pad[0] == 0 && fl->pad[1] == 0 && fl->pad[2] == 0);
	FUZZ_CHECK(p->hop_limit == f[l3 + 7]);
	FUZZ_CHECK((c == DSR_PKT_HOPLIMIT) == (p->hop_limit <= 1));
	FUZZ_CHECK(p->n_ext <= DSR_PKT6_MAX_EXT);
	FUZZ_CHECK(c == DSR_PKT_L4 || ports_zero);
	FUZZ_CHECK(p->tcp_flags == 0 || (c == DSR_PKT_L4 && fl->proto == DSR_IPPROTO_TCP));
	if (l4 != 0)
		FUZZ_CHECK(l4 >= l3 + DSR_IPV6_HLEN && l4 <= p->end_off);
	if (p->frag_hdr_off != 0) {
		FUZZ_CHECK(p->frag_hdr_off >= l3 + DSR_IPV6_HLEN);
		FUZZ_CHECK(p->frag_hdr_off + DSR_IPV6_FRAG_HLEN <= p->end_off);
		FUZZ_CHECK(p->frag_id == rd32(f + p->frag_hdr_off + 4));
		FUZZ_CHECK(l4 == 0 || l4 >= p->frag_hdr_off + DSR_IPV6_FRAG_HLEN);
	} else {
		FUZZ_CHECK(p->frag == DSR_PKT_FRAG_NONE && p->frag_id == 0);
	}

	switch (c) {
	case DSR_PKT_L4:
		FUZZ_CHECK(fl->proto == DSR_IPPROTO_TCP || fl->proto == DSR_IPPROTO_UDP);
		FUZZ_CHECK(p->frag != DSR_PKT_FRAG_LATER && l4 != 0);
		FUZZ_CHECK(memcmp(&fl->src_port, f + l4, 4) == 0);
		if (fl->proto == DSR_IPPROTO_TCP) {
			FUZZ_CHECK(l4 + (uint32_t)(f[l4 + 12] >> 4) * 4 <= p->end_off);
			FUZZ_CHECK((f[l4 + 12] >> 4) >= 5 && p->tcp_flags == f[l4 + 13]);
		} else {
			FUZZ_CHECK(l4 + DSR_UDP_HLEN <= p->end_off && rd16(f + l4 + 4) >= 8);
			FUZZ_CHECK(p->frag != DSR_PKT_FRAG_NONE ||
				   l4 + rd16(f + l4 + 4) <= p->end_off);
		}
		break;
	case DSR_PKT_ICMPV6:
		FUZZ_CHECK(fl->proto == DSR_IPPROTO_ICMPV6 && p->frag == DSR_PKT_FRAG_NONE);
		FUZZ_CHECK(l4 != 0 && l4 + DSR_ICMPV6_HLEN <= p->end_off);
		break;
	case DSR_PKT_FRAGMENT:
		FUZZ_CHECK(p->frag != DSR_PKT_FRAG_NONE && p->frag_hdr_off != 0);
		FUZZ_CHECK((p->frag == DSR_PKT_FRAG_LATER) == (l4 == 0));
		if (p->frag == DSR_PKT_FRAG_LATER)
			FUZZ_CHECK(fl->proto == f[p->frag_hdr_off]);
		else
			FUZZ_CHECK(fl->proto != DSR_IPPROTO_TCP && fl->proto != DSR_IPPROTO_UDP);
		break;
	case DSR_PKT_OTHER_L4:
		FUZZ_CHECK(p->frag == DSR_PKT_FRAG_NONE && l4 != 0);
		FUZZ_CHECK(fl->proto != DSR_IPPROTO_TCP && fl->proto != DSR_IPPROTO_UDP &&
			   fl->proto != DSR_IPPROTO_ICMPV6 && fl->proto != DSR_IPPROTO_HOPOPTS &&
			   fl->proto != DSR_IPPROTO_DSTOPTS && fl->proto != DSR_IPPROTO_FRAGMENT);
		if (fl->proto == DSR_IPPROTO_ROUTING)
			FUZZ_CHECK(l4 + 8 <= p->end_off && f[l4 + 3] != 0);
		break;
	case DSR_PKT_HOPLIMIT:
		FUZZ_CHECK(l4 == 0 && p->n_ext == 0);
		break;
	default: /* MALFORMED past the fixed header */
		FUZZ_CHECK(p->reason != DSR_PKT6_VERSION && p->reason != DSR_PKT6_PAYLOAD_LEN);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsr_pkt6 p, q;
	enum dsr_pkt_class c;
	uint8_t junk[JUNK];
	size_t i;

	for (i = 0; i < JUNK; i++)
		junk[i] = (uint8_t)(size > 0 ? ~data[(size - 1 - i % size)] : 0xee);
	c = parse(data, size, size, junk, &p);
	check_fields(data, size, c, &p);
	if (p.end_off == 0 || c == DSR_PKT_NOT_IPV6)
		return 0;

	/* Padding after the payload changes nothing, nor does its absence. */
	FUZZ_CHECK(parse(data, size, size + JUNK, junk, &q) == c);
	FUZZ_CHECK(memcmp(&p, &q, sizeof(p)) == 0);
	FUZZ_CHECK(parse(data, p.end_off, p.end_off, junk, &q) == c);
	FUZZ_CHECK(memcmp(&p, &q, sizeof(p)) == 0);

	/* From l3 on, as the forwarding path calls it: the same but for the Ethernet fields. */
	memset(&q, 0xa5, sizeof(q));
	FUZZ_CHECK(dsr_pkt_parse6_l3(data, (uint32_t)size, p.l3_off, &q) == c);
	q.has_vlan = p.has_vlan;
	q.vlan_tci = p.vlan_tci;
	q.ethertype = p.ethertype;
	FUZZ_CHECK(memcmp(&p, &q, sizeof(p)) == 0);
	return 0;
}
