/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fragments on the fast path, IPv4's here and the shared part of
 * IPv6's (fwd6.c parses those). The first fragment carries the ports:
 * it goes like any packet of its flow (fwd.c, fwd6.c), and
 * fwd_frag_track_key() remembers (family, source, destination, protocol,
 * id) -> backend in the worker's fragment table, one for both families.
 * Later fragments carry no ports: they follow that entry. One that finds none (it came first, its first fragment went
 * to another worker, or the entry expired) goes to the backend the
 * address and protocol alone choose when that is not in doubt (one
 * service of that protocol on the address, with one backend for new
 * flows; the kernel interface's, if the address is also the port's),
 * and is dropped as frag-no-first otherwise: with two backends or
 * more, a guess is as likely wrong as right, and a wrong backend only
 * holds the fragment until its reassembly times out (docs/design.md).
 * Nothing is reassembled or buffered; the backend's kernel reassembles.
 */
#include "fwd_pvt.h"

/* Offset of the IPv4 identification in its header. */
#define FWD_IP4_ID 4u

/* The fragment table's key k of an IPv4 fragment (flow: its addresses and protocol). */
static inline void
fwd_frag_key(struct dsr_frag_key *k, const uint8_t *frame, const struct dsr_flow *flow)
{
	const uint8_t *id = frame + fwd_l3_off(frame) + FWD_IP4_ID;

	dsr_frag_key4(k, flow->src_ip, flow->dst_ip, (uint16_t)(id[0] << 8 | id[1]), flow->proto);
}

enum dsr_fwd_verdict
fwd_classify_frag(struct dsr_fwd *f, const uint8_t *frame, const struct dsr_pkt *pkt, uint16_t port,
		  struct dsr_fwd_meta *m)
{
	const struct dsr_gen *g = f->gen;
	uint8_t proto = pkt->flow.proto;

	if (dsr_gen_addr_lookup(g, pkt->flow.dst_ip) == NULL)
		return fwd_not_vip(f, frame, pkt, port);
	/* The first fragment of another protocol, or a later one. */
	if (!fwd_frag_followable(pkt->frag, proto)) {
		if (fwd_for_kernel(g, frame, pkt, port))
			return fwd_not_vip(f, frame, pkt, port);
		return fwd_drop(f, DSR_DROP_FRAGMENT);
	}
	if (fwd_martian(g, pkt->flow.src_ip, pkt->flow.dst_ip, port))
		return fwd_drop(f, DSR_DROP_MARTIAN);
	m->flow = pkt->flow;
	m->hash = 0;
	m->vip = 0;
	m->port = port;
	m->seq_hint = 0;
	m->tcp_flags = 0;
	m->kind = DSR_FWD_K_FRAG_LATER;
	return DSR_FWD_PENDING;
}

void
fwd_frag_track_key(struct dsr_fwd *f, const struct dsr_frag_key *k, uint16_t be, uint32_t now_ms)
{
	DSR_CTR_ADD(f->st->event[DSR_EV_FRAG_FWD], 1);
	if (f->frag == NULL)
		return;
	switch (dsr_frag_put(f->frag, k, be, now_ms)) {
	case DSR_FRAG_PUT_EXPIRED:
		DSR_CTR_ADD(f->st->event[DSR_EV_FRAG_EXPIRED], 1);
		break;
	case DSR_FRAG_PUT_EVICTED:
		DSR_CTR_ADD(f->st->event[DSR_EV_FRAG_EVICTED], 1);
		break;
	default:
		break;
	}
	DSR_CTR_ADD(f->st->event[DSR_EV_FRAG_TRACKED], 1);
}

void
fwd_frag_track(struct dsr_fwd *f, const uint8_t *frame, const struct dsr_fwd_meta *m, uint16_t be,
	       uint32_t now_ms)
{
	struct dsr_frag_key k;

	fwd_frag_key(&k, frame, &m->flow);
	fwd_frag_track_key(f, &k, be, now_ms);
}

uint16_t
fwd_frag_follow(struct dsr_fwd *f, const struct dsr_frag_key *k, uint32_t now_ms)
{
	const uint8_t want = DSR_GEN_BE_USED | DSR_GEN_BE_MAC;
	uint16_t be = DSR_MAGLEV_NONE;

	if (f->frag == NULL)
		return DSR_MAGLEV_NONE;
	switch (dsr_frag_get(f->frag, k, now_ms, &be)) {
	case DSR_FRAG_HIT:
		return (f->gen->backends[be].flags & want) == want ? be : DSR_MAGLEV_NONE;
	case DSR_FRAG_EXPIRED:
		DSR_CTR_ADD(f->st->event[DSR_EV_FRAG_EXPIRED], 1);
		return DSR_MAGLEV_NONE;
	default:
		return DSR_MAGLEV_NONE;
	}
}

enum dsr_fwd_verdict
fwd_frag_send(struct dsr_fwd *f, uint8_t *frame, uint32_t len, uint16_t be, const uint16_t *frag_be,
	      uint8_t proto, uint16_t port)
{
	const struct dsr_gen *g = f->gen;

	if (be == DSR_MAGLEV_NONE) {
		/* No first fragment seen: the address's only choice, if it has one. */
		if (frag_be != NULL)
			be = frag_be[proto == DSR_IPPROTO_UDP ? DSR_GEN_ADDR_UDP
							      : DSR_GEN_ADDR_TCP];
		if (be == DSR_MAGLEV_NONE)
			return fwd_drop(f, DSR_DROP_FRAG_NO_FIRST);
		if (!(g->backends[be].flags & DSR_GEN_BE_MAC))
			return fwd_drop(f, DSR_DROP_NO_MAC);
		DSR_CTR_ADD(f->st->event[DSR_EV_FRAG_GUESSED], 1);
	}
	fwd_rewrite(f, frame, &g->backends[be], port);
	fwd_count_flow(f, g->backends[be].vip, be, len);
	DSR_CTR_ADD(f->st->event[DSR_EV_FRAG_FWD], 1);
	return DSR_FWD_TX;
}

enum dsr_fwd_verdict
fwd_decide_frag_later(struct dsr_fwd *f, uint8_t *frame, uint32_t len, const struct dsr_fwd_meta *m,
		      uint32_t now_ms)
{
	const struct dsr_gen *g = f->gen;
	const struct dsr_gen_addr_slot *a;
	struct dsr_frag_key k;
	uint16_t be;

	fwd_frag_key(&k, frame, &m->flow);
	be = fwd_frag_follow(f, &k, now_ms);
	if (be != DSR_MAGLEV_NONE)
		return fwd_frag_send(f, frame, len, be, NULL, m->flow.proto, m->port);
	/* A VIP on the address of a port with a kernel interface: the kernel's. */
	if (g->kernel_ip[m->port] != 0 && m->flow.dst_ip == g->kernel_ip[m->port]) {
		DSR_CTR_ADD(f->st->event[DSR_EV_TO_KERNEL], 1);
		DSR_CTR_ADD(f->st->event[DSR_EV_SLOWPATH], 1);
		return DSR_FWD_SLOW;
	}
	a = dsr_gen_addr_lookup(g, m->flow.dst_ip);
	return fwd_frag_send(f, frame, len, be, a == NULL ? NULL : a->frag_be, m->flow.proto,
			     m->port);
}
