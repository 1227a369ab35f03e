/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_FWD_PVT_H
#define DSR_FWD_PVT_H

/*
 * What fwd.c (the flow path), fwd_icmp.c (ICMP errors and echo),
 * fwd_frag.c (fragments) and fwd6.c (IPv6) share.
 */

#include <stdbool.h>
#include <string.h>

#include "dsr_fwd.h"

/* Offset of the IPv4 destination address in its header. */
#define FWD_IP4_DST 16u
/* Offset of the sequence number in TCP. */
#define FWD_TCP_SEQ 4u

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

/* Where a frame's IP header starts: the fast path keeps no l3_off (one VLAN tag at most). */
static inline uint32_t
fwd_l3_off(const uint8_t *frame)
{
	return frame[12] == 0x81 && frame[13] == 0x00 ? DSR_ETH_HLEN + DSR_VLAN_HLEN : DSR_ETH_HLEN;
}

/* Rewrite the Ethernet addresses of a frame going to backend b. */
static inline void
fwd_rewrite(const struct dsr_fwd *f, uint8_t *frame, const struct dsr_gen_backend *b, uint16_t port)
{
	memcpy(frame, b->mac, 6);
	memcpy(frame + 6, f->port_mac[port], 6);
}

/*
 * The sequence hint of a TCP segment (l4: its header, seg_len: header and
 * data): of its seq + data length, + 1 for SYN and for FIN, the client's
 * next sequence number once the segment is sent.
 */
static inline uint16_t
fwd_seq_hint(const uint8_t *l4, uint32_t seg_len, uint32_t hl, uint8_t flags)
{
	const uint8_t *q = l4 + FWD_TCP_SEQ;
	uint32_t seq =
		((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3];

	seq += seg_len - hl + (flags & DSR_TCP_SYN ? 1u : 0u) + (flags & DSR_TCP_FIN ? 1u : 0u);
	return dsr_ct_seq_hint(seq);
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

/*
 * fwd.c: choosing a backend, in halves that either family's table uses.
 * fwd_entry_plan() on a flow's entry t (or a copy of its state) with
 * backend be: be (t refreshed), be with *remove (an RST in window), or
 * FWD_AGAIN with *remove (choose anew). fwd_new_backend(): Maglev on
 * maglev_hash, or a negative drop reason; *create says to make an entry.
 * fwd_count_new(): count a new entry. m->flow.proto tells TCP from UDP.
 */
#define FWD_AGAIN (-1000)
int fwd_entry_plan(struct dsr_fwd *f, const struct dsr_fwd_meta *m, int tcp, struct dsr_ct_entry *t,
		   uint16_t be, uint32_t now, bool *remove);
int fwd_new_backend(struct dsr_fwd *f, const struct dsr_fwd_meta *m, int tcp, uint64_t maglev_hash,
		    bool *create);
void fwd_count_new(struct dsr_fwd *f, const struct dsr_fwd_meta *m, int tcp, uint16_t be);

/* fwd.c: the not-a-VIP verdict: to the kernel interface, or dropped. */
enum dsr_fwd_verdict fwd_not_vip(struct dsr_fwd *f, const uint8_t *frame, const struct dsr_pkt *pkt,
				 uint16_t port);

/* Does backend be still take the flows of its entries for VIP vip (there, live, that VIP's)? */
static inline bool
fwd_backend_takes(const struct dsr_gen *g, uint16_t be, uint16_t vip)
{
	const uint8_t live = DSR_GEN_BE_USED | DSR_GEN_BE_LIVE;

	return (g->backends[be].flags & live) == live && g->backends[be].vip == vip;
}

/*
 * fwd_icmp.c, for both families: an ICMP error's backend, its flow's entry's
 * (entry_be, or -1 without an entry) if that still takes the VIP's flows,
 * else Maglev's on maglev_hash, or a negative drop reason; and the error
 * sent to it (be, or a negative drop reason), counted as the flow's and
 * as icmp-fwd. No entry is made or refreshed.
 */
int fwd_icmp_backend(const struct dsr_fwd *f, uint16_t vip, int entry_be, uint64_t maglev_hash);
enum dsr_fwd_verdict fwd_icmp_send(struct dsr_fwd *f, uint8_t *frame, uint32_t len,
				   const struct dsr_fwd_meta *m, int be);

/* fwd_icmp.c: classify ICMP (DSR_PKT_ICMP); decide for a DSR_FWD_K_ICMP meta. */
enum dsr_fwd_verdict fwd_classify_icmp(struct dsr_fwd *f, const uint8_t *frame,
				       const struct dsr_pkt *pkt, uint16_t port,
				       struct dsr_fwd_meta *m);
enum dsr_fwd_verdict fwd_decide_icmp(struct dsr_fwd *f, uint8_t *frame, uint32_t len,
				     const struct dsr_fwd_meta *m, uint32_t now_ms);

/*
 * Does a fragment follow its first through the fragment table: a later
 * fragment (frag, enum dsr_pkt_frag) of TCP or UDP? Other fragments are
 * dropped as `fragment`.
 */
static inline bool
fwd_frag_followable(uint8_t frag, uint8_t proto)
{
	return frag == DSR_PKT_FRAG_LATER && (proto == DSR_IPPROTO_TCP || proto == DSR_IPPROTO_UDP);
}

/*
 * fwd_frag.c, IPv4: classify a DSR_PKT_FRAGMENT; decide for a later
 * fragment; remember the backend of a first fragment that was forwarded
 * to be.
 */
enum dsr_fwd_verdict fwd_classify_frag(struct dsr_fwd *f, const uint8_t *frame,
				       const struct dsr_pkt *pkt, uint16_t port,
				       struct dsr_fwd_meta *m);
enum dsr_fwd_verdict fwd_decide_frag_later(struct dsr_fwd *f, uint8_t *frame, uint32_t len,
					   const struct dsr_fwd_meta *m, uint32_t now_ms);
void fwd_frag_track(struct dsr_fwd *f, const uint8_t *frame, const struct dsr_fwd_meta *m,
		    uint16_t be, uint32_t now_ms);

/*
 * fwd_frag.c, either family: remember that the datagram k (its first
 * fragment) went to be; the backend of a later fragment of k by the
 * table, DSR_MAGLEV_NONE if none (or it has no MAC now); send a later
 * fragment to be, or, with DSR_MAGLEV_NONE, to the only backend its
 * address has for proto (frag_be: the address slot's, NULL for none),
 * else drop it as frag-no-first.
 */
void fwd_frag_track_key(struct dsr_fwd *f, const struct dsr_frag_key *k, uint16_t be,
			uint32_t now_ms);
uint16_t fwd_frag_follow(struct dsr_fwd *f, const struct dsr_frag_key *k, uint32_t now_ms);
enum dsr_fwd_verdict fwd_frag_send(struct dsr_fwd *f, uint8_t *frame, uint32_t len, uint16_t be,
				   const uint16_t *frag_be, uint8_t proto, uint16_t port);

/*
 * fwd6.c: classify an IPv6 frame (its header at l3); decide for a
 * DSR_FWD_K_FLOW6 or DSR_FWD_K_ICMP6 meta; whether a multicast frame is
 * neighbour discovery or an MLD query (for the main lcore).
 */
enum dsr_fwd_verdict fwd_classify6(struct dsr_fwd *f, const uint8_t *frame, uint32_t len,
				   uint32_t l3, uint16_t port, struct dsr_fwd_meta *m);
enum dsr_fwd_verdict fwd_decide6(struct dsr_fwd *f, uint8_t *frame, uint32_t len,
				 const struct dsr_fwd_meta *m, uint32_t now_ms);
bool fwd6_nd_multicast(const uint8_t *frame, uint32_t len, uint32_t l3);

#endif /* DSR_FWD_PVT_H */
