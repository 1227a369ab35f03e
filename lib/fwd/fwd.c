/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-packet path on a flat frame: classify (parse, VIP match,
 * martians, hash), then decide (connection table, TCP state, Maglev for
 * new flows, RST window) and rewrite the Ethernet addresses. Two
 * implementations that must agree (tests/unit/test_fwd*.c): the general
 * path, dsr_fwd_classify() then dsr_fwd_decide(), for any frame; and
 * dsr_fwd_burst(), the worker's two-stage burst, which takes untagged
 * IPv4 without options at fixed offsets (the FF_ constants) and hands
 * every other frame to the general path. Pure C, no EAL.
 */
#include <string.h>

#include "dsr_fwd.h"
#include "fwd_pvt.h"

/* Byte offsets of the fast classifier's frame: untagged Ethernet, IPv4 with IHL 5, TCP or UDP. */
#define FF_ETHERTYPE   12u                         /* ethertype, then the IPv4 header */
#define FF_IP          DSR_ETH_HLEN                /* version and IHL */
#define FF_IP_TOTLEN   (FF_IP + 2u)                /* total length, 2 bytes */
#define FF_IP_FRAG     (FF_IP + 6u)                /* flags and fragment offset, 2 bytes */
#define FF_IP_TTL      (FF_IP + 8u)                /* time to live */
#define FF_IP_PROTO    (FF_IP + 9u)                /* protocol */
#define FF_IP_SRC      (FF_IP + 12u)               /* source, then destination address */
#define FF_L4          (FF_IP + DSR_IPV4_MIN_HLEN) /* the TCP or UDP header */
#define FF_IP4_TOTLEN  (FF_IP_TOTLEN - FF_IP)      /* in IPv4: total length, 2 bytes */
#define FF_TCP_DATAOFF 12u                         /* in TCP: data offset (high nibble) */
#define FF_TCP_FLAGS   13u                         /* in TCP: flags */
#define FF_UDP_LEN     4u                          /* in UDP: length, 2 bytes */

/* An entry of backend be left its table (either family's). */
static void
fwd_count_freed(struct dsr_fwd *f, uint16_t be, enum dsr_ct_free_reason why)
{
	DSR_CTR_ADD(f->st->backend[be].active, (uint64_t)-1);
	if (why == DSR_CT_EXPIRED)
		DSR_CTR_ADD(f->st->event[DSR_EV_CT_EXPIRED], 1);
}

static void
fwd_entry_freed(void *arg, const struct dsr_ct_entry *e, enum dsr_ct_free_reason why)
{
	fwd_count_freed(arg, e->backend, why);
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

static void
fwd_entry6_freed(void *arg, const struct dsr_ct6_entry *e, enum dsr_ct_free_reason why)
{
	fwd_count_freed(arg, e->backend, why);
}

void
dsr_fwd_set_ct6(struct dsr_fwd *f, struct dsr_ct6 *ct6)
{
	f->ct6 = ct6;
	if (ct6 != NULL)
		dsr_ct6_set_free_cb(ct6, fwd_entry6_freed, f);
	f->timeouts_version = UINT64_MAX;
}

void
dsr_fwd_set_frag(struct dsr_fwd *f, struct dsr_frag *frag)
{
	f->frag = frag;
	f->timeouts_version = UINT64_MAX; /* the next dsr_fwd_begin() sets its timeout */
}

void
dsr_fwd_set_port_mac(struct dsr_fwd *f, uint16_t port, const uint8_t mac[6])
{
	if (port < DSR_MAX_PORTS) {
		memcpy(f->port_mac[port], mac, 6);
		f->port_mac_w[port] = 0;
		memcpy(&f->port_mac_w[port], mac, 6); /* as the first 6 bytes of a frame load */
	}
}

void
dsr_fwd_begin(struct dsr_fwd *f, const struct dsr_gen *g)
{
	f->gen = g;
	if (g->version != f->timeouts_version) {
		dsr_ct_set_timeouts(f->ct, g->timeout_ms);
		if (f->frag != NULL)
			dsr_frag_set_timeout(f->frag, g->frag_timeout_ms);
		if (f->ct6 != NULL)
			dsr_ct6_set_timeouts(f->ct6, g->timeout_ms);
		f->timeouts_version = g->version;
	}
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

/* The longest standard Ethernet frame without its FCS, a VLAN tag included. */
#define DSR_FWD_STD_FRAME_MAX 1518

/*
 * Why a frame dsr_pkt_parse() found malformed is dropped: oversize for a
 * whole, valid IPv4 header whose total length is beyond the frame when
 * the frame is longer than any standard Ethernet frame (net_af_packet
 * delivers a datagram the kernel reassembled beyond its ring's frame
 * size cut to that size), malformed for anything else.
 */
static enum dsr_drop
fwd_malformed_reason(const uint8_t *frame, uint32_t len, const struct dsr_pkt *pkt)
{
	const uint8_t *ip = frame + pkt->l3_off;
	uint32_t ihl, tot;

	/* len > 1518 first: only then is pkt->ethertype sure to be set. */
	if (len <= DSR_FWD_STD_FRAME_MAX || pkt->ethertype != DSR_ETHERTYPE_IPV4 ||
	    len < pkt->l3_off + DSR_IPV4_MIN_HLEN)
		return DSR_DROP_MALFORMED;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	tot = (uint32_t)((ip[FF_IP4_TOTLEN] << 8) | ip[FF_IP4_TOTLEN + 1]);
	if ((ip[0] >> 4) != 4 || ihl < DSR_IPV4_MIN_HLEN || tot < ihl || pkt->l3_off + tot <= len)
		return DSR_DROP_MALFORMED;
	return DSR_DROP_OVERSIZE;
}

enum dsr_fwd_verdict
fwd_not_vip(struct dsr_fwd *f, const uint8_t *frame, const struct dsr_pkt *pkt, uint16_t port)
{
	if (!fwd_for_kernel(f->gen, frame, pkt, port))
		return fwd_drop(f, DSR_DROP_NOT_VIP);
	DSR_CTR_ADD(f->st->event[DSR_EV_TO_KERNEL], 1);
	DSR_CTR_ADD(f->st->event[DSR_EV_SLOWPATH], 1);
	return DSR_FWD_SLOW;
}

/*
 * A backend's answer to a dsr health check: TCP from a VIP to the address
 * of the port it came in on, while some VIP has such a check. Only frames
 * to no VIP get here, so VIP traffic never pays for it.
 */
static inline bool
fwd_probe_reply(const struct dsr_gen *g, const struct dsr_flow *fl, uint16_t port)
{
	return g->dsr_checks && fl->proto == DSR_IPPROTO_TCP && g->port_ip[port] != 0 &&
	       fl->dst_ip == g->port_ip[port] &&
	       dsr_gen_vip_lookup(g, fl->src_ip, fl->src_port, DSR_IPPROTO_TCP) >= 0;
}

enum dsr_fwd_verdict
dsr_fwd_classify(struct dsr_fwd *f, const uint8_t *frame, uint32_t len, uint16_t port,
		 struct dsr_fwd_meta *m)
{
	enum dsr_pkt_class cls;
	struct dsr_pkt pkt;
	int vip;

	if (port >= DSR_MAX_PORTS)
		return fwd_drop(f, DSR_DROP_NOT_OURS);

	cls = dsr_pkt_parse(frame, len, &pkt);
	if (cls == DSR_PKT_MALFORMED && len < 14)
		return fwd_drop(f, DSR_DROP_MALFORMED);
	if (!mac_eq(frame, f->port_mac[port])) {
		/* Others' unicast is not ours; broadcast/multicast only for ARP. */
		if (cls == DSR_PKT_ARP && (frame[0] & 1))
			goto slow;
		/* IPv6 multicast (33:33:...) only for neighbour discovery and MLD queries. */
		if (cls == DSR_PKT_NOT_IPV4 && pkt.ethertype == DSR_ETHERTYPE_IPV6 &&
		    f->ct6 != NULL && frame[0] == 0x33 && frame[1] == 0x33 &&
		    fwd6_nd_multicast(frame, len, pkt.l3_off))
			goto slow;
		return fwd_drop(f, DSR_DROP_NOT_OURS);
	}
	switch (cls) {
	case DSR_PKT_L4:
		break;
	case DSR_PKT_ARP:
		goto slow;
	case DSR_PKT_NOT_IPV4:
		if (pkt.ethertype == DSR_ETHERTYPE_IPV6)
			return fwd_classify6(f, frame, len, pkt.l3_off, port, m);
		return fwd_drop(f, DSR_DROP_NOT_IPV4);
	case DSR_PKT_FRAGMENT:
		return fwd_classify_frag(f, frame, &pkt, port, m);
	case DSR_PKT_ICMP:
		return fwd_classify_icmp(f, frame, &pkt, port, m);
	case DSR_PKT_TTL:
		/* Traffic for the kernel interface ends here: eBGP sends TTL 1. */
		if (fwd_for_kernel(f->gen, frame, &pkt, port))
			return fwd_not_vip(f, frame, &pkt, port);
		return fwd_drop(f, DSR_DROP_TTL);
	case DSR_PKT_OTHER_L4:
		return fwd_not_vip(f, frame, &pkt, port);
	default:
		return fwd_drop(f, fwd_malformed_reason(frame, len, &pkt));
	}
	vip = dsr_gen_vip_lookup(f->gen, pkt.flow.dst_ip, pkt.flow.dst_port, pkt.flow.proto);
	if (vip < 0) {
		if (fwd_probe_reply(f->gen, &pkt.flow, port))
			goto slow;
		return fwd_not_vip(f, frame, &pkt, port);
	}
	if (fwd_martian(f->gen, pkt.flow.src_ip, pkt.flow.dst_ip, port))
		return fwd_drop(f, DSR_DROP_MARTIAN);
	m->flow = pkt.flow;
	m->tcp_flags = pkt.tcp_flags;
	m->vip = (uint16_t)vip;
	m->port = port;
	m->seq_hint = 0;
	m->kind = pkt.frag == DSR_PKT_FRAG_FIRST ? DSR_FWD_K_FRAG_FIRST : DSR_FWD_K_FLOW;
	if (pkt.flow.proto == DSR_IPPROTO_TCP) {
		const uint8_t *ip = frame + pkt.l3_off;
		uint32_t tot = (uint32_t)((ip[FF_IP4_TOTLEN] << 8) | ip[FF_IP4_TOTLEN + 1]);
		uint32_t seg = tot - (uint32_t)(ip[0] & 0x0f) * 4;

		m->seq_hint = fwd_seq_hint(frame + pkt.l4_off, seg,
					   (uint32_t)(frame[pkt.l4_off + FF_TCP_DATAOFF] >> 4) * 4,
					   pkt.tcp_flags);
	}
	m->hash = dsr_flow_table_hash(&m->flow);
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
	if (m->flow.proto != DSR_IPPROTO_TCP)
		return DSR_CT_UDP;
	return dsr_ct_tcp_next(DSR_CT_FREE, m->tcp_flags);
}

/* A SYN on an entry that saw a FIN or RST: the client reuses the port for a new connection. */
static inline bool
fwd_port_reuse(uint8_t tcp_flags, uint8_t state)
{
	return (tcp_flags & (DSR_TCP_SYN | DSR_TCP_ACK)) == DSR_TCP_SYN && state == DSR_CT_FIN;
}

/*
 * What the fast path leaves to the general one among SYNs on an entry:
 * port reuse (state FIN), and a retransmitted SYN (state SYN, counted in
 * syn-retries). One mask test, as cheap as the compare it replaces.
 */
static inline bool
fwd_syn_general(uint8_t tcp_flags, uint8_t state)
{
	return (tcp_flags & (DSR_TCP_SYN | DSR_TCP_ACK)) == DSR_TCP_SYN &&
	       ((1u << state) & ((1u << DSR_CT_FIN) | (1u << DSR_CT_SYN))) != 0;
}

/*
 * The half of choosing a backend that an entry decides, whatever table it
 * is in: t is the flow's entry (for IPv6 a copy of its state and time, to
 * store back), be its backend. Returns be, t refreshed; or be with
 * *remove set (a client RST in window: the entry goes, the RST goes on);
 * or FWD_AGAIN with *remove set (its backend is gone or down, or a SYN
 * reuses the port after a close: choose anew). Counts what it saw.
 */
int
fwd_entry_plan(struct dsr_fwd *f, const struct dsr_fwd_meta *m, int tcp, struct dsr_ct_entry *t,
	       uint16_t be, uint32_t now, bool *remove)
{
	uint8_t fl = tcp ? m->tcp_flags : 0;
	int syn = (fl & (DSR_TCP_SYN | DSR_TCP_ACK | DSR_TCP_RST)) == DSR_TCP_SYN;

	*remove = false;
	if (!fwd_backend_takes(f->gen, be, m->vip)) {
		/* Its backend was removed, or is down: choose again. */
		*remove = true;
		DSR_CTR_ADD(f->st->event[DSR_EV_CT_STALE], 1);
		return FWD_AGAIN;
	}
	if (fl & DSR_TCP_RST) {
		/*
		 * The backend must see the RST. Near the flow's sequence
		 * numbers it is the client's: the entry goes now. Far from
		 * them it may be a blind attacker's, which the backend ignores
		 * too: the entry stays as it was.
		 */
		if (dsr_ct_rst_in_window(t, m->seq_hint)) {
			*remove = true;
			DSR_CTR_ADD(f->st->event[DSR_EV_CT_RST], 1);
		} else {
			DSR_CTR_ADD(f->st->event[DSR_EV_RST_OUT_OF_WINDOW], 1);
		}
		return be;
	}
	if (tcp && fwd_port_reuse(fl, dsr_ct_entry_state(t))) {
		/* Port reuse after a close: a new connection. */
		*remove = true;
		DSR_CTR_ADD(f->st->event[DSR_EV_CT_REUSE], 1);
		return FWD_AGAIN;
	}
	if (tcp) {
		uint8_t state = dsr_ct_entry_state(t);

		if (syn && state == DSR_CT_SYN) {
			/* The client retransmits its SYN: the backend did not answer. */
			DSR_CTR_ADD(f->st->vip[m->vip].syn_retries, 1);
			DSR_CTR_ADD(f->st->backend[be].syn_retries, 1);
		}
		dsr_ct_touch_tcp(t, dsr_ct_tcp_next(state, fl), m->seq_hint, now);
	} else {
		dsr_ct_touch(t, DSR_CT_UDP, now);
	}
	return be;
}

/*
 * The half of choosing a backend for a flow without a (usable) entry:
 * Maglev on maglev_hash (the flow's dsr_flow_hash(), or its IPv6 twin).
 * Returns the backend, *create set when an entry is to be made (never
 * for an RST), or a negative drop reason.
 */
int
fwd_new_backend(struct dsr_fwd *f, const struct dsr_fwd_meta *m, int tcp, uint64_t maglev_hash,
		bool *create)
{
	const struct dsr_gen *g = f->gen;
	const struct dsr_gen_vip *v = &g->vips[m->vip];
	uint8_t fl = tcp ? m->tcp_flags : 0;
	int syn = (fl & (DSR_TCP_SYN | DSR_TCP_ACK | DSR_TCP_RST)) == DSR_TCP_SYN;
	uint16_t be;

	*create = false;
	if (tcp && !syn && g->strict_syn && !(fl & DSR_TCP_RST))
		return -DSR_DROP_NO_STATE;
	if (unlikely(f->cycles != NULL)) {
		uint64_t t = f->cycles();

		be = dsr_maglev_lookup(v->maglev, g->maglev_size, maglev_hash);
		DSR_CTR_ADD(f->st->cyc_maglev, f->cycles() - t);
	} else {
		be = dsr_maglev_lookup(v->maglev, g->maglev_size, maglev_hash);
	}
	if (be == DSR_MAGLEV_NONE)
		return -DSR_DROP_NO_BACKEND;
	/*
	 * Its backend's MAC is not resolved yet: drop (the client retransmits)
	 * rather than pin the flow anywhere else.
	 */
	if (!(g->backends[be].flags & DSR_GEN_BE_MAC))
		return -DSR_DROP_NO_MAC;
	*create = !(fl & DSR_TCP_RST); /* never create state for an RST */
	return be;
}

/* Count an entry made for a flow to backend be (its first packet's flags in m). */
void
fwd_count_new(struct dsr_fwd *f, const struct dsr_fwd_meta *m, int tcp, uint16_t be)
{
	uint8_t fl = tcp ? m->tcp_flags : 0;

	DSR_CTR_ADD(f->st->event[DSR_EV_CT_NEW], 1);
	if (tcp && (fl & (DSR_TCP_SYN | DSR_TCP_ACK | DSR_TCP_RST)) != DSR_TCP_SYN)
		DSR_CTR_ADD(f->st->event[DSR_EV_CT_MIDFLOW], 1);
	DSR_CTR_ADD(f->st->vip[m->vip].new_conns, 1);
	DSR_CTR_ADD(f->st->backend[be].new_conns, 1);
	DSR_CTR_ADD(f->st->backend[be].active, 1);
}

/*
 * Given e, what dsr_ct_lookup() found for the flow (or NULL), return the
 * backend id its packet goes to, or a negative drop reason. Creates,
 * updates and removes entries.
 */
static int
fwd_choose(struct dsr_fwd *f, const struct dsr_fwd_meta *m, uint32_t now, struct dsr_ct_entry *e)
{
	int tcp = m->flow.proto == DSR_IPPROTO_TCP;
	bool remove, create;
	int be;

	if (e != NULL) {
		be = fwd_entry_plan(f, m, tcp, e, e->backend, now, &remove);
		if (remove)
			dsr_ct_remove(f->ct, e);
		if (be != FWD_AGAIN)
			return be;
	}
	/* Maglev's hash, not the table's (dsr_pkt.h says why). */
	be = fwd_new_backend(f, m, tcp, dsr_flow_hash(&m->flow), &create);
	if (be < 0 || !create)
		return be;
	e = dsr_ct_insert(f->ct, &m->flow, m->hash, (uint16_t)be, fwd_first_state(m), now);
	if (e == NULL) {
		DSR_CTR_ADD(f->st->event[DSR_EV_CT_FULL], 1);
		return be;
	}
	if (tcp)
		dsr_ct_seq_init(e, m->seq_hint);
	fwd_count_new(f, m, tcp, (uint16_t)be);
	return be;
}

/* Stage 2 given what the table lookup found (e, or NULL). */
static enum dsr_fwd_verdict
fwd_decide_found(struct dsr_fwd *f, uint8_t *frame, uint32_t len, const struct dsr_fwd_meta *m,
		 uint32_t now_ms, struct dsr_ct_entry *e)
{
	const struct dsr_gen_backend *b;
	int be = fwd_choose(f, m, now_ms, e);

	if (be < 0)
		return fwd_drop(f, (enum dsr_drop)(-be));
	b = &f->gen->backends[be];
	if (!(b->flags & DSR_GEN_BE_MAC))
		return fwd_drop(f, DSR_DROP_NO_MAC);
	fwd_rewrite(f, frame, b, m->port);
	fwd_count_flow(f, m->vip, (uint16_t)be, len);
	if (m->kind == DSR_FWD_K_FRAG_FIRST)
		fwd_frag_track(f, frame, m, (uint16_t)be, now_ms);
	return DSR_FWD_TX;
}

enum dsr_fwd_verdict
dsr_fwd_decide(struct dsr_fwd *f, uint8_t *frame, uint32_t len, const struct dsr_fwd_meta *m,
	       uint32_t now_ms)
{
	switch (m->kind) {
	case DSR_FWD_K_ICMP:
		return fwd_decide_icmp(f, frame, len, m, now_ms);
	case DSR_FWD_K_FRAG_LATER:
		return fwd_decide_frag_later(f, frame, len, m, now_ms);
	case DSR_FWD_K_FLOW6:
	case DSR_FWD_K_ICMP6:
		return fwd_decide6(f, frame, len, m, now_ms);
	default: /* a flow's packet or its first fragment */
		return fwd_decide_found(f, frame, len, m, now_ms,
					dsr_ct_lookup(f->ct, &m->flow, m->hash, now_ms));
	}
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

/* A 64-bit word whose in-memory bytes are b0..b7 (so comparisons with
 * loaded frame words do not depend on the host's byte order). */
static inline uint64_t
fwd_bytes_w(uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3, uint8_t b4, uint8_t b5, uint8_t b6,
	    uint8_t b7)
{
	const uint8_t b[8] = {b0, b1, b2, b3, b4, b5, b6, b7};
	uint64_t w;

	memcpy(&w, b, 8);
	return w;
}

static inline uint64_t
fwd_load64(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/* The last VIP stage 1 matched in this burst (key 0: none; keys are never 0). */
struct fwd_vip_cache {
	uint64_t key;
	int vip;
};

/*
 * Stage 1 for the common frame: unicast to the port, untagged IPv4
 * without options, not a fragment, TTL > 1, complete TCP or UDP header,
 * to a VIP. Fills m and returns 1; returns 0 for anything else, which
 * dsr_fwd_classify() then handles (and counts). Accepts exactly the
 * frames that dsr_fwd_classify() would find PENDING without a VLAN tag
 * or IP options, with the same flow and flags.
 */
static inline int
fwd_fast_classify(const struct dsr_fwd *f, const uint8_t *p, uint32_t len, uint16_t port,
		  struct dsr_fwd_meta *m, struct fwd_vip_cache *vc)
{
	const uint64_t mac_mask = fwd_bytes_w(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0);
	/* ethertype 0x0800, version 4 and IHL 5 at FF_ETHERTYPE.. */
	const uint64_t ip_mask = fwd_bytes_w(0xff, 0xff, 0xff, 0, 0, 0, 0, 0);
	const uint64_t ip_want = fwd_bytes_w(0x08, 0x00, 0x45, 0, 0, 0, 0, 0);
	/* MF and fragment offset at FF_IP_FRAG */
	const uint64_t frag_mask = fwd_bytes_w(0x3f, 0xff, 0, 0, 0, 0, 0, 0);
	const uint8_t *l4 = p + FF_L4;
	uint32_t tot, l4_len, hl;
	uint8_t proto, flags = 0;
	uint16_t seq_hint = 0;
	uint64_t w, ports, key;
	int vip;

	if (len < FF_L4 + DSR_UDP_HLEN || ((fwd_load64(p) ^ f->port_mac_w[port]) & mac_mask) != 0)
		return 0;
	w = fwd_load64(p + FF_ETHERTYPE);
	if ((w & ip_mask) != ip_want)
		return 0;
	w = fwd_load64(p + FF_IP_FRAG);
	if ((w & frag_mask) != 0 || p[FF_IP_TTL] <= 1)
		return 0;
	tot = (uint32_t)((p[FF_IP_TOTLEN] << 8) | p[FF_IP_TOTLEN + 1]);
	if (tot < DSR_IPV4_MIN_HLEN || FF_IP + tot > len)
		return 0;
	l4_len = tot - DSR_IPV4_MIN_HLEN;
	proto = p[FF_IP_PROTO];
	if (proto == DSR_IPPROTO_TCP) {
		if (l4_len < DSR_TCP_MIN_HLEN)
			return 0;
		hl = (uint32_t)(l4[FF_TCP_DATAOFF] >> 4) * 4;
		if (hl < DSR_TCP_MIN_HLEN || hl > l4_len)
			return 0;
		flags = l4[FF_TCP_FLAGS];
		seq_hint = fwd_seq_hint(l4, l4_len, hl, flags);
	} else if (proto == DSR_IPPROTO_UDP) {
		if (l4_len < DSR_UDP_HLEN)
			return 0;
		hl = (uint32_t)((l4[FF_UDP_LEN] << 8) | l4[FF_UDP_LEN + 1]);
		if (hl < DSR_UDP_HLEN || hl > l4_len)
			return 0;
	} else {
		return 0;
	}
	/* Source and destination address, then the ports and the protocol:
	 * struct dsr_flow's layout (16 bytes, asserted in dsr_pkt.h). */
	memcpy(&m->flow, p + FF_IP_SRC, 8);
	ports = 0;
	memcpy(&ports, l4, 4);
	ports |= (uint64_t)proto << 32;
	memcpy((uint8_t *)&m->flow + 8, &ports, 8);
	/* Bursts mostly go to one VIP: look it up once. */
	key = dsr_gen_vip_key(m->flow.dst_ip, m->flow.dst_port, proto);
	if (key == vc->key) {
		vip = vc->vip;
	} else {
		vip = dsr_gen_vip_lookup(f->gen, m->flow.dst_ip, m->flow.dst_port, proto);
		if (vip < 0)
			return 0;
		vc->key = key;
		vc->vip = vip;
	}
	if (fwd_martian(f->gen, m->flow.src_ip, m->flow.dst_ip, port))
		return 0; /* dsr_fwd_classify() counts it */
	m->vip = (uint16_t)vip;
	m->port = port;
	m->seq_hint = seq_hint;
	m->tcp_flags = flags;
	m->kind = DSR_FWD_K_FLOW;
	m->hash = dsr_flow_table_hash(&m->flow);
	dsr_ct_prefetch(f->ct, m->hash);
	return 1;
}

/*
 * Stage 2 for a packet of an established entry whose backend is still
 * the VIP's, with a MAC, that neither resets nor reopens the flow:
 * refresh the entry, rewrite, return the backend id. Anything else
 * returns -1 and goes to fwd_decide_found(), which handles every case.
 */
static inline int
fwd_fast_decide(struct dsr_fwd *f, uint8_t *frame, const struct dsr_fwd_meta *m,
		struct dsr_ct_entry *e, uint32_t now)
{
	const uint8_t want = DSR_GEN_BE_USED | DSR_GEN_BE_MAC | DSR_GEN_BE_LIVE;
	const struct dsr_gen_backend *b;
	uint8_t fl = m->tcp_flags, state;

	if (e == NULL)
		return -1;
	b = &f->gen->backends[e->backend];
	if ((b->flags & want) != want || b->vip != m->vip || (fl & DSR_TCP_RST))
		return -1;
	if (m->flow.proto == DSR_IPPROTO_TCP) {
		state = dsr_ct_entry_state(e);
		if (fwd_syn_general(fl, state))
			return -1;
		dsr_ct_touch_tcp(e, dsr_ct_tcp_next(state, fl), m->seq_hint, now);
	} else {
		dsr_ct_touch(e, DSR_CT_UDP, now);
	}
	fwd_rewrite(f, frame, b, m->port);
	return e->backend;
}

void
dsr_fwd_stage1(struct dsr_fwd *f, uint8_t *const frame[], const uint16_t len[], unsigned int n,
	       uint16_t port, struct dsr_fwd_meta meta[], uint8_t verdict[])
{
	struct fwd_vip_cache vc = {0, -1};
	uint64_t rx_bytes = 0, t0 = 0;
	unsigned int i;

	if (unlikely(f->cycles != NULL))
		t0 = f->cycles();
	for (i = 0; i < n; i++) {
		rx_bytes += len[i];
		if (likely(port < DSR_MAX_PORTS) &&
		    fwd_fast_classify(f, frame[i], len[i], port, &meta[i], &vc))
			verdict[i] = DSR_FWD_PENDING;
		else
			verdict[i] = (uint8_t)dsr_fwd_classify(f, frame[i], len[i], port, &meta[i]);
	}
	dsr_fwd_count_rx(f, port, n, rx_bytes);
	if (unlikely(f->cycles != NULL)) {
		DSR_CTR_ADD(f->st->cyc_parse, f->cycles() - t0);
		DSR_CTR_ADD(f->st->cyc_pkts, n);
	}
}

unsigned int
dsr_fwd_stage2(struct dsr_fwd *f, uint8_t *const frame[], const uint16_t len[], unsigned int n,
	       uint32_t now_ms, const struct dsr_fwd_meta meta[], uint8_t verdict[])
{
	struct dsr_stats_lcore *st = f->st;
	uint64_t tx_bytes = 0, run_pkts = 0, run_bytes = 0, t0 = 0;
	unsigned int i, ntx = 0, run_vip = 0;
	int be;

	if (unlikely(f->cycles != NULL))
		t0 = f->cycles();
	for (i = 0; i < n; i++) {
		const struct dsr_fwd_meta *m = &meta[i];
		struct dsr_ct_entry *e;

		if (verdict[i] != DSR_FWD_PENDING)
			continue;
		if (unlikely(m->kind != DSR_FWD_K_FLOW)) {
			/* ICMP and fragments: the general path counts them. */
			verdict[i] = (uint8_t)dsr_fwd_decide(f, frame[i], len[i], m, now_ms);
			goto counted;
		}
		e = dsr_ct_lookup(f->ct, &m->flow, m->hash, now_ms);
		be = fwd_fast_decide(f, frame[i], m, e, now_ms);
		if (be < 0) {
			/* The general path counts the VIP and backend itself. */
			verdict[i] = (uint8_t)fwd_decide_found(f, frame[i], len[i], m, now_ms, e);
		} else {
			verdict[i] = DSR_FWD_TX;
			DSR_CTR_ADD(st->backend[be].pkts, 1);
			DSR_CTR_ADD(st->backend[be].bytes, len[i]);
			/* Bursts mostly go to one VIP: count its packets by runs. */
			if (m->vip != run_vip) {
				DSR_CTR_ADD(st->vip[run_vip].pkts, run_pkts);
				DSR_CTR_ADD(st->vip[run_vip].bytes, run_bytes);
				run_vip = m->vip;
				run_pkts = 0;
				run_bytes = 0;
			}
			run_pkts++;
			run_bytes += len[i];
		}
counted:
		if (verdict[i] == DSR_FWD_TX) {
			ntx++;
			tx_bytes += len[i];
		}
	}
	DSR_CTR_ADD(st->vip[run_vip].pkts, run_pkts);
	DSR_CTR_ADD(st->vip[run_vip].bytes, run_bytes);
	dsr_fwd_count_fwd(f, ntx, tx_bytes);
	if (unlikely(f->cycles != NULL))
		DSR_CTR_ADD(st->cyc_table, f->cycles() - t0);
	return ntx;
}

unsigned int
dsr_fwd_burst(struct dsr_fwd *f, uint8_t *const frame[], const uint16_t len[], unsigned int n,
	      uint16_t port, uint32_t now_ms, uint8_t verdict[])
{
	struct dsr_fwd_meta meta[DSR_FWD_BURST_MAX];

	if (n > DSR_FWD_BURST_MAX)
		n = DSR_FWD_BURST_MAX;
	dsr_fwd_stage1(f, frame, len, n, port, meta, verdict);
	return dsr_fwd_stage2(f, frame, len, n, now_ms, meta, verdict);
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
