/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_FWD_PVT_H
#define DSR_FWD_PVT_H

/*
 * What fwd.c (the flow path), fwd_icmp.c (ICMP errors and echo) and
 * fwd_frag.c (IPv4 fragments) share.
 */

#include <string.h>

#include "dsr_fwd.h"

/* Offset of the IPv4 destination address in its header. */
#define FWD_IP4_DST 16u

static inline enum dsr_fwd_verdict
fwd_drop(struct dsr_fwd *f, enum dsr_drop why)
{
	DSR_CTR_ADD(f->st->drop[why], 1);
	return DSR_FWD_DROP;
}

/*
 * Is src a source address no client can have? "This network" 0/8,
 * loopback 127/8, multicast 224/4, reserved 240/4 with the limited
 * broadcast (RFC 1122 3.2.1.3, RFC 6890), the VIP it is sent to, or the
 * address of the port it came in on. A few compares (addresses in
 * network order; port < DSR_MAX_PORTS).
 */
static inline int
fwd_martian(const struct dsr_gen *g, uint32_t src, uint32_t dst, uint16_t port)
{
	uint8_t a;

	memcpy(&a, &src, 1); /* the first octet */
	return (uint8_t)(a - 1) >= 223 || a == 127 || src == dst || src == g->port_ip[port];
}

/*
 * Is a valid IPv4 frame that matched no VIP for the kernel interface of
 * its port: is it to the port's address, and has the port one? Only the
 * not-a-VIP branch asks, so VIP traffic pays nothing for it.
 */
static inline int
fwd_for_kernel(const struct dsr_gen *g, const uint8_t *frame, const struct dsr_pkt *pkt,
	       uint16_t port)
{
	uint32_t dst;

	if (g->kernel_ip[port] == 0)
		return 0;
	memcpy(&dst, frame + pkt->l3_off + FWD_IP4_DST, 4);
	return dst == g->kernel_ip[port];
}

/* Rewrite the Ethernet addresses of a frame going to backend b. */
static inline void
fwd_rewrite(const struct dsr_fwd *f, uint8_t *frame, const struct dsr_gen_backend *b, uint16_t port)
{
	memcpy(frame, b->mac, 6);
	memcpy(frame + 6, f->port_mac[port], 6);
}

/* Count a frame forwarded to backend be (of VIP vip), the general path's way. */
static inline void
fwd_count_flow(struct dsr_fwd *f, uint16_t vip, uint16_t be, uint32_t len)
{
	DSR_CTR_ADD(f->st->vip[vip].pkts, 1);
	DSR_CTR_ADD(f->st->vip[vip].bytes, len);
	DSR_CTR_ADD(f->st->backend[be].pkts, 1);
	DSR_CTR_ADD(f->st->backend[be].bytes, len);
}

/* fwd.c: the not-a-VIP verdict: to the kernel interface, or dropped. */
enum dsr_fwd_verdict fwd_not_vip(struct dsr_fwd *f, const uint8_t *frame, const struct dsr_pkt *pkt,
				 uint16_t port);

/* fwd_icmp.c: classify ICMP (DSR_PKT_ICMP); decide for a DSR_FWD_K_ICMP meta. */
enum dsr_fwd_verdict fwd_classify_icmp(struct dsr_fwd *f, const uint8_t *frame,
				       const struct dsr_pkt *pkt, uint16_t port,
				       struct dsr_fwd_meta *m);
enum dsr_fwd_verdict fwd_decide_icmp(struct dsr_fwd *f, uint8_t *frame, uint32_t len,
				     const struct dsr_fwd_meta *m, uint32_t now_ms);

/*
 * fwd_frag.c: classify a DSR_PKT_FRAGMENT; decide for a later fragment;
 * remember the backend of a first fragment that was forwarded to be.
 */
enum dsr_fwd_verdict fwd_classify_frag(struct dsr_fwd *f, const uint8_t *frame,
				       const struct dsr_pkt *pkt, uint16_t port,
				       struct dsr_fwd_meta *m);
enum dsr_fwd_verdict fwd_decide_frag_later(struct dsr_fwd *f, uint8_t *frame, uint32_t len,
					   const struct dsr_fwd_meta *m, uint32_t now_ms);
void fwd_frag_track(struct dsr_fwd *f, const uint8_t *frame, const struct dsr_fwd_meta *m,
		    uint16_t be, uint32_t now_ms);

#endif /* DSR_FWD_PVT_H */
