/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Received ARP frames: validation, then, in this order, duplicate address
 * detection (arp_conflict.c), the responder for our addresses, and
 * learning from replies to our requests (arp_neigh.c).
 */
#include <string.h>

#include "dsr_arp.h"
#include "dsr_pkt.h"
#include "arp_pvt.h"

static uint16_t
arp_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * Validate an ARP frame and fill f. Returns DSR_ARP_NCOUNTERS if valid,
 * else the counter of the reason; -1 if it is not an ARP frame at all
 * (another ethertype).
 */
static int
arp_parse(const uint8_t *frame, uint32_t len, struct arp_frame *f)
{
	uint32_t off = DSR_ETH_HLEN;
	const uint8_t *p;
	uint16_t type;

	if (len < DSR_ETH_HLEN)
		return DSR_ARP_BAD_TRUNCATED;
	memset(f, 0, sizeof(*f));
	f->eth_dst = frame;
	type = arp_be16(frame + 12);
	if (type == DSR_ETHERTYPE_VLAN) {
		if (len < DSR_ETH_HLEN + DSR_VLAN_HLEN)
			return DSR_ARP_BAD_TRUNCATED;
		f->vlan = frame + 12;
		type = arp_be16(frame + 16);
		off += DSR_VLAN_HLEN;
	}
	if (type != DSR_ETHERTYPE_ARP)
		return -1;
	if (len < off + ARP_BODY_LEN)
		return DSR_ARP_BAD_TRUNCATED;
	p = frame + off;
	if (arp_be16(p) != 1)
		return DSR_ARP_BAD_HTYPE;
	if (arp_be16(p + 2) != DSR_ETHERTYPE_IPV4)
		return DSR_ARP_BAD_PTYPE;
	if (p[4] != 6)
		return DSR_ARP_BAD_HLEN;
	if (p[5] != 4)
		return DSR_ARP_BAD_PLEN;
	f->op = arp_be16(p + 6);
	if (f->op != ARP_OP_REQUEST && f->op != ARP_OP_REPLY)
		return DSR_ARP_BAD_OP;
	f->sha = p + 8;
	if ((f->sha[0] & 1) != 0 || dsr_mac_eq(f->sha, arp_mac_zero))
		return DSR_ARP_BAD_SENDER_MAC;
	memcpy(&f->spa, p + 14, 4);
	f->tha = p + 18;
	memcpy(&f->tpa, p + 24, 4);
	return DSR_ARP_NCOUNTERS;
}

/* Is mac one of our port MACs? */
static bool
arp_mac_ours(const struct dsr_arp *a, const uint8_t *mac)
{
	uint16_t i;

	for (i = 0; i < a->nb_ports; i++)
		if (dsr_mac_eq(a->ports[i].mac, mac))
			return true;
	return false;
}

/* A request with a sender IP: answer it if it asks for one of our addresses. */
static void
arp_respond(struct dsr_arp *a, uint16_t port, const struct arp_frame *f)
{
	const uint8_t *dst = f->eth_dst;
	bool bcast = dsr_mac_eq(dst, arp_mac_bcast);

	if (!bcast && (dst[0] & 1) != 0) {
		arp_count(a, port, DSR_ARP_BAD_DST);
		return;
	}
	if (arp_addr_find(a, port, f->tpa) == NULL ||
	    (!bcast && !dsr_mac_eq(dst, a->ports[port].mac))) {
		arp_count(a, port, DSR_ARP_REQ_IGNORED);
		return;
	}
	arp_send(a, port, f->vlan, f->sha, ARP_OP_REPLY, f->tpa, f->sha, f->spa);
	arp_count(a, port, DSR_ARP_REQ_ANSWERED);
}

void
dsr_arp_input(struct dsr_arp *a, uint16_t port, const uint8_t *frame, uint32_t len, uint32_t now_ms)
{
	struct arp_addr *addr = NULL;
	struct arp_frame f;
	int r;

	if (port >= DSR_MAX_PORTS || frame == NULL)
		return;
	r = arp_parse(frame, len, &f);
	if (r < 0)
		return;
	arp_count(a, port, DSR_ARP_RX);
	if (r != DSR_ARP_NCOUNTERS) {
		arp_count(a, port, (enum dsr_arp_counter)r);
		return;
	}
	/* Our own frame, looped back. */
	if (arp_mac_ours(a, f.sha))
		return;

	if (f.spa != 0)
		addr = arp_addr_find(a, port, f.spa);
	if (addr != NULL)
		arp_conflict_using(a, port, addr, &f, now_ms);

	if (f.op == ARP_OP_REQUEST) {
		if (f.spa != 0) {
			arp_respond(a, port, &f);
			return;
		}
		addr = arp_addr_find(a, port, f.tpa);
		if (addr != NULL)
			arp_conflict_probe(a, port, addr, &f, now_ms);
		else
			arp_count(a, port, DSR_ARP_REQ_IGNORED);
		return;
	}
	/* A reply: never learned from if it conflicts. */
	if (addr == NULL && arp_neigh_learn(a, port, &f, now_ms))
		arp_count(a, port, DSR_ARP_REPLIES_LEARNED);
	else
		arp_count(a, port, DSR_ARP_REPLIES_IGNORED);
}

enum dsr_arp_kernel
dsr_arp_kernel_rx(const uint8_t *frame, uint32_t len, uint32_t ip)
{
	struct arp_frame f;

	if (ip == 0 || arp_parse(frame, len, &f) != DSR_ARP_NCOUNTERS || f.tpa != ip ||
	    f.spa == 0 || f.spa == ip)
		return DSR_ARP_KERNEL_NONE;
	return DSR_ARP_KERNEL_COPY;
}

enum dsr_arp_kernel
dsr_arp_kernel_tx(const uint8_t *frame, uint32_t len)
{
	struct arp_frame f;

	if (arp_parse(frame, len, &f) != DSR_ARP_NCOUNTERS)
		return DSR_ARP_KERNEL_NONE;
	return f.op == ARP_OP_REPLY ? DSR_ARP_KERNEL_DROP : DSR_ARP_KERNEL_SEND;
}
