/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Received NS and NA: validation (nd_frame.c), then, in lib/arp's order,
 * duplicate address detection (nd_conflict.c), the responder for our
 * addresses, and learning from advertisements answering our
 * solicitations (nd_neigh.c).
 */
#include <string.h>

#include "dsr_nd.h"
#include "nd_pvt.h"

/* Is mac one of our port MACs? */
static bool
nd_mac_ours(const struct dsr_nd *nd, const uint8_t *mac)
{
	uint16_t i;

	for (i = 0; i < nd->nb_ports; i++)
		if (dsr_mac_eq(nd->ports[i].mac, mac))
			return true;
	return false;
}

/*
 * An NS from a unicast source: answer it if it asks for one of our
 * addresses (RFC 4861 7.2.3), with a solicited NA to its source.
 */
static void
nd_respond(struct dsr_nd *nd, uint16_t port, const struct nd_frame *f)
{
	struct nd_addr *t = nd_addr_find(nd, port, f->target);
	uint8_t sn[16];

	dsr_nd_solicited_node(f->target, sn);
	if (t == NULL ||
	    ((f->eth_dst[0] & 1) == 0 && !dsr_mac_eq(f->eth_dst, nd->ports[port].mac)) ||
	    (f->dst[0] == 0xff && !nd_ip_eq(f->dst, sn))) {
		nd_count(nd, port, DSR_ND_REQ_IGNORED);
		return;
	}
	if (t->state == DSR_ND_TENTATIVE) {
		/* RFC 4862 5.4.3: a tentative address is not answered for. */
		nd_count(nd, port, DSR_ND_REQ_TENTATIVE);
		return;
	}
	nd_send_na(nd, port, f->vlan, f->mac, f->src, t->ip, ND_NA_SOLICITED | ND_NA_OVERRIDE);
	nd_count(nd, port, DSR_ND_REQ_ANSWERED);
}

void
dsr_nd_input(struct dsr_nd *nd, uint16_t port, const uint8_t *frame, uint32_t len, uint32_t now_ms)
{
	struct nd_addr *addr = NULL;
	struct nd_frame f;
	int r;

	if (port >= DSR_MAX_PORTS || frame == NULL)
		return;
	r = nd_parse(frame, len, &f);
	if (r < 0)
		return;
	nd_count(nd, port, DSR_ND_RX);
	if (r != DSR_ND_NCOUNTERS) {
		nd_count(nd, port, (enum dsr_nd_counter)r);
		return;
	}
	/* Our own frame, looped back (our DAD probes among them). */
	if (nd_mac_ours(nd, f.mac) || nd_mac_ours(nd, frame + 6))
		return;

	/* Another MAC using our address: as the source of an NS, or the target of an NA. */
	if (f.type == DSR_ND_NS && !f.from_any)
		addr = nd_addr_find(nd, port, f.src);
	else if (f.type == DSR_ND_NA)
		addr = nd_addr_find(nd, port, f.target);
	if (addr != NULL)
		nd_conflict_using(nd, port, addr, &f, now_ms);

	if (f.type == DSR_ND_NS) {
		if (!f.from_any) {
			nd_respond(nd, port, &f);
			return;
		}
		addr = nd_addr_find(nd, port, f.target);
		if (addr != NULL)
			nd_conflict_probe(nd, port, addr, &f, now_ms);
		else
			nd_count(nd, port, DSR_ND_REQ_IGNORED);
		return;
	}
	/* An NA: never learned from if it conflicts. */
	if (addr == NULL && nd_neigh_learn(nd, port, &f, now_ms))
		nd_count(nd, port, DSR_ND_REPLIES_LEARNED);
	else
		nd_count(nd, port, DSR_ND_REPLIES_IGNORED);
}

enum dsr_arp_kernel
dsr_nd_kernel_rx(const uint8_t *frame, uint32_t len, const uint8_t ip6[16])
{
	static const uint8_t zero[16];
	struct nd_frame f;

	if (memcmp(ip6, zero, 16) == 0 || nd_parse(frame, len, &f) != DSR_ND_NCOUNTERS ||
	    f.from_any || nd_ip_eq(f.src, ip6))
		return DSR_ARP_KERNEL_NONE;
	if (f.type == DSR_ND_NS ? nd_ip_eq(f.target, ip6) : nd_ip_eq(f.dst, ip6))
		return DSR_ARP_KERNEL_COPY;
	return DSR_ARP_KERNEL_NONE;
}

enum dsr_arp_kernel
dsr_nd_kernel_tx(const uint8_t *frame, uint32_t len)
{
	struct nd_frame f;

	if (nd_parse(frame, len, &f) != DSR_ND_NCOUNTERS)
		return DSR_ARP_KERNEL_NONE;
	return f.type == DSR_ND_NA ? DSR_ARP_KERNEL_DROP : DSR_ARP_KERNEL_SEND;
}
