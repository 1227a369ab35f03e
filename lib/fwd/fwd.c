/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "dsr_fwd.h"

#define DSR_IPPROTO_TCP 6

#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

static void
fwd_entry_freed(void *arg, const struct dsr_ct_entry *e, enum dsr_ct_free_reason why)
{
	struct dsr_fwd *f = arg;

	DSR_CTR_ADD(f->st->backend[e->backend].active, (uint64_t)-1);
	if (why == DSR_CT_EXPIRED)
		DSR_CTR_ADD(f->st->event[DSR_EV_CT_EXPIRED], 1);
}

void
dsr_fwd_init(struct dsr_fwd *f, struct dsr_ct *ct, struct dsr_stats_lcore *st)
{
	memset(f, 0, sizeof(*f));
	f->ct = ct;
	f->st = st;
	f->timeouts_version = UINT64_MAX;
	dsr_ct_set_free_cb(ct, fwd_entry_freed, f);
}

void
dsr_fwd_set_port_mac(struct dsr_fwd *f, uint16_t port, const uint8_t mac[6])
{
	if (port < DSR_MAX_PORTS)
		memcpy(f->port_mac[port], mac, 6);
}

void
dsr_fwd_begin(struct dsr_fwd *f, const struct dsr_gen *g)
{
	f->gen = g;
	if (g->version != f->timeouts_version) {
		dsr_ct_set_timeouts(f->ct, g->timeout_ms);
		f->timeouts_version = g->version;
	}
}

static inline enum dsr_fwd_verdict
fwd_drop(struct dsr_fwd *f, enum dsr_drop why)
{
	DSR_CTR_ADD(f->st->drop[why], 1);
	return DSR_FWD_DROP;
}

static inline int
mac_eq(const uint8_t *a, const uint8_t *b)
{
	uint32_t a4, b4;
	uint16_t a2, b2;

	memcpy(&a4, a, 4);
	memcpy(&b4, b, 4);
	memcpy(&a2, a + 4, 2);
	memcpy(&b2, b + 4, 2);
	return a4 == b4 && a2 == b2;
}

enum dsr_fwd_verdict
dsr_fwd_classify(struct dsr_fwd *f, const uint8_t *frame, uint32_t len, uint16_t port,
		 struct dsr_fwd_meta *m)
{
	enum dsr_pkt_class cls;
	int vip;

	if (port >= DSR_MAX_PORTS)
		return fwd_drop(f, DSR_NOT_OURS);

	cls = dsr_pkt_parse(frame, len, &m->pkt);
	if (cls == DSR_PKT_MALFORMED && len < 14)
		return fwd_drop(f, DSR_MALFORMED);
	if (!mac_eq(frame, f->port_mac[port])) {
		/* Others' unicast is not ours; broadcast/multicast only for ARP. */
		if (cls == DSR_PKT_ARP && (frame[0] & 1))
			goto slow;
		return fwd_drop(f, DSR_NOT_OURS);
	}
	switch (cls) {
	case DSR_PKT_L4:
		break;
	case DSR_PKT_ARP:
		goto slow;
	case DSR_PKT_NOT_IPV4:
		return fwd_drop(f, DSR_NOT_IPV4);
	case DSR_PKT_FRAGMENT:
		return fwd_drop(f, DSR_FRAGMENT);
	case DSR_PKT_TTL:
		return fwd_drop(f, DSR_TTL);
	case DSR_PKT_OTHER_L4:
		return fwd_drop(f, DSR_NOT_VIP);
	default:
		return fwd_drop(f, DSR_MALFORMED);
	}
	vip = dsr_gen_vip_lookup(f->gen, m->pkt.flow.dst_ip, m->pkt.flow.dst_port,
				 m->pkt.flow.proto);
	if (vip < 0)
		return fwd_drop(f, DSR_NOT_VIP);
	m->vip = (uint16_t)vip;
	m->port = port;
	m->hash = dsr_flow_hash(&m->pkt.flow);
	dsr_ct_prefetch(f->ct, m->hash);
	return DSR_FWD_PENDING;
slow:
	DSR_CTR_ADD(f->st->event[DSR_EV_SLOWPATH], 1);
	return DSR_FWD_SLOW;
}

/* The state of a new entry, from the packet that creates it. */
static inline uint8_t
fwd_first_state(const struct dsr_fwd_meta *m)
{
	uint8_t fl = m->pkt.tcp_flags;

	if (m->pkt.flow.proto != DSR_IPPROTO_TCP)
		return DSR_CT_UDP;
	if (fl & DSR_TCP_FIN)
		return DSR_CT_FIN;
	if ((fl & (DSR_TCP_SYN | DSR_TCP_ACK)) == DSR_TCP_SYN)
		return DSR_CT_SYN;
	return DSR_CT_EST;
}

/*
 * Look the flow up and return the backend id its packet goes to, or a
 * negative drop reason. Creates, updates and removes entries.
 */
static inline int
fwd_choose(struct dsr_fwd *f, const struct dsr_fwd_meta *m, uint32_t now)
{
	const struct dsr_gen *g = f->gen;
	const struct dsr_gen_vip *v = &g->vips[m->vip];
	int tcp = m->pkt.flow.proto == DSR_IPPROTO_TCP;
	uint8_t fl = tcp ? m->pkt.tcp_flags : 0;
	int syn = (fl & (DSR_TCP_SYN | DSR_TCP_ACK | DSR_TCP_RST)) == DSR_TCP_SYN;
	struct dsr_ct_entry *e;
	uint16_t be;

	e = dsr_ct_lookup(f->ct, &m->pkt.flow, m->hash, now);
	if (e != NULL) {
		const struct dsr_gen_backend *b = &g->backends[e->backend];

		be = e->backend;
		if (!(b->flags & DSR_GEN_BE_USED) || b->vip != m->vip) {
			/* Its backend was removed: choose again. */
			dsr_ct_remove(f->ct, e);
			DSR_CTR_ADD(f->st->event[DSR_EV_CT_STALE], 1);
		} else if (fl & DSR_TCP_RST) {
			/* The backend must see the RST; the entry goes now. */
			dsr_ct_remove(f->ct, e);
			DSR_CTR_ADD(f->st->event[DSR_EV_CT_RST], 1);
			return be;
		} else if (syn && e->state == DSR_CT_FIN) {
			/* Port reuse after a close: a new connection. */
			dsr_ct_remove(f->ct, e);
			DSR_CTR_ADD(f->st->event[DSR_EV_CT_REUSE], 1);
		} else {
			dsr_ct_touch(e, tcp ? dsr_ct_tcp_next(e->state, fl) : DSR_CT_UDP, now);
			return be;
		}
	}

	if (tcp && !syn && g->strict_syn && !(fl & DSR_TCP_RST))
		return -DSR_NO_STATE;
	if (unlikely(f->cycles != NULL)) {
		uint64_t t = f->cycles();

		be = dsr_maglev_lookup(v->maglev, g->maglev_size, m->hash);
		DSR_CTR_ADD(f->st->cyc_maglev, f->cycles() - t);
	} else {
		be = dsr_maglev_lookup(v->maglev, g->maglev_size, m->hash);
	}
	if (be == DSR_MAGLEV_NONE)
		return -DSR_NO_BACKEND;
	/*
	 * Its backend's MAC is not resolved yet: drop (the client retransmits)
	 * rather than pin the flow anywhere else.
	 */
	if (!(g->backends[be].flags & DSR_GEN_BE_MAC))
		return -DSR_NO_MAC;
	if (fl & DSR_TCP_RST)
		return be; /* never create state for an RST */
	e = dsr_ct_insert(f->ct, &m->pkt.flow, m->hash, be, fwd_first_state(m), now);
	if (e == NULL) {
		DSR_CTR_ADD(f->st->event[DSR_EV_CT_FULL], 1);
		return be;
	}
	DSR_CTR_ADD(f->st->event[DSR_EV_CT_NEW], 1);
	if (tcp && !syn)
		DSR_CTR_ADD(f->st->event[DSR_EV_CT_MIDFLOW], 1);
	DSR_CTR_ADD(f->st->vip[m->vip].new_conns, 1);
	DSR_CTR_ADD(f->st->backend[be].new_conns, 1);
	DSR_CTR_ADD(f->st->backend[be].active, 1);
	return be;
}

enum dsr_fwd_verdict
dsr_fwd_decide(struct dsr_fwd *f, uint8_t *frame, uint32_t len, const struct dsr_fwd_meta *m,
	       uint32_t now_ms)
{
	const struct dsr_gen_backend *b;
	int be = fwd_choose(f, m, now_ms);

	if (be < 0)
		return fwd_drop(f, (enum dsr_drop)-be);
	b = &f->gen->backends[be];
	if (!(b->flags & DSR_GEN_BE_MAC))
		return fwd_drop(f, DSR_NO_MAC);
	memcpy(frame, b->mac, 6);
	memcpy(frame + 6, f->port_mac[m->port], 6);
	DSR_CTR_ADD(f->st->vip[m->vip].pkts, 1);
	DSR_CTR_ADD(f->st->vip[m->vip].bytes, len);
	DSR_CTR_ADD(f->st->backend[be].pkts, 1);
	DSR_CTR_ADD(f->st->backend[be].bytes, len);
	return DSR_FWD_TX;
}

void
dsr_fwd_count_fwd(struct dsr_fwd *f, uint64_t pkts, uint64_t bytes)
{
	DSR_CTR_ADD(f->st->fwd_pkts, pkts);
	DSR_CTR_ADD(f->st->fwd_bytes, bytes);
}

void
dsr_fwd_count_rx(struct dsr_fwd *f, uint16_t port, uint64_t pkts, uint64_t bytes)
{
	struct dsr_stats_lcore *st = f->st;

	DSR_CTR_ADD(st->rx_pkts, pkts);
	DSR_CTR_ADD(st->rx_bytes, bytes);
	if (port < DSR_MAX_PORTS) {
		DSR_CTR_ADD(st->port[port].rx_pkts, pkts);
		DSR_CTR_ADD(st->port[port].rx_bytes, bytes);
	}
}

enum dsr_fwd_verdict
dsr_fwd_frame(struct dsr_fwd *f, uint8_t *frame, uint32_t len, uint16_t port, uint32_t now_ms)
{
	struct dsr_fwd_meta m;
	enum dsr_fwd_verdict v;

	dsr_fwd_count_rx(f, port, 1, len);
	v = dsr_fwd_classify(f, frame, len, port, &m);

	if (v != DSR_FWD_PENDING)
		return v;
	v = dsr_fwd_decide(f, frame, len, &m, now_ms);
	if (v == DSR_FWD_TX)
		dsr_fwd_count_fwd(f, 1, len);
	return v;
}
