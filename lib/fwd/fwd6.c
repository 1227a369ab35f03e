/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 on the packet path: TCP and UDP to an IPv6 VIP, by the same rules
 * as IPv4 (martians, TCP states, RST window, Maglev without an entry),
 * with the worker's IPv6 table (lib/ct6); ICMPv6 errors to the flow's
 * backend as fwd_icmp.c does for IPv4; echo and neighbour discovery to
 * the main lcore. Stage 1 parses (lib/pkt's dsr_pkt_parse6_l3()), finds
 * the VIP, hashes and prefetches; stage 2 parses again (IPv6 is not on
 * the inline fast path, and the burst's meta holds an IPv4 flow) and
 * decides. Fragments as IPv4's (fwd_frag.c, whose table and rules they
 * share): a first fragment of TCP or UDP, its header whole, goes as a
 * packet of its flow and is remembered by its fragment header's id;
 * later ones follow it (also K_FLOW6: decide tells them by parsing
 * again); other fragments are dropped (`fragment`).
 */
#include "dsr_ct6.h"
#include "dsr_icmp.h"
#include "dsr_pkt6.h"
#include "fwd_pvt.h"

/*
 * A source no client can have: unspecified, loopback, multicast,
 * link-local, IPv4-mapped, the VIP itself or the port's own address.
 */
static bool
fwd6_martian(const struct dsr_gen *g, const uint8_t src[16], const uint8_t dst[16], uint16_t port)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	static const uint8_t zero[15];

	if (memcmp(src, zero, 15) == 0 && (src[15] == 0 || src[15] == 1))
		return true;
	if (src[0] == 0xff || (src[0] == 0xfe && (src[1] & 0xc0) == 0x80))
		return true;
	return memcmp(src, mapped, sizeof(mapped)) == 0 || memcmp(src, dst, 16) == 0 ||
	       memcmp(src, g->port_ip6[port], 16) == 0;
}

/* Neighbour discovery (RS, RA, NS, NA, redirect: ICMPv6 133-137) for the main lcore. */
static inline bool
fwd6_is_nd(uint8_t type)
{
	return type >= 133 && type <= 137;
}

/* lib/stats has lib/pkt's IPv6 reasons as drop reasons, in the same order. */
_Static_assert(DSR_DROP_L4_HEADER - DSR_DROP_TRUNCATED == DSR_PKT6_L4_HEADER - DSR_PKT6_TRUNCATED,
	       "IPv6 drop reasons in lib/pkt's order");

static enum dsr_drop
fwd6_malformed(uint8_t reason)
{
	if (reason == DSR_PKT6_OK || reason >= DSR_PKT6_NREASONS)
		return DSR_DROP_MALFORMED;
	return (enum dsr_drop)(DSR_DROP_TRUNCATED + (reason - DSR_PKT6_TRUNCATED));
}

bool
fwd6_nd_multicast(const uint8_t *frame, uint32_t len, uint32_t l3)
{
	uint32_t mld = dsr_pkt6_mld_off(frame, len, l3);
	struct dsr_pkt6 p;

	if (mld != 0)
		return frame[mld] == DSR_MLD_QUERY;
	return dsr_pkt_parse6_l3(frame, len, l3, &p) == DSR_PKT_ICMPV6 &&
	       fwd6_is_nd(frame[p.l4_off]);
}

/* To the IPv6 address of a port with a kernel interface? */
static inline bool
fwd6_for_kernel(const struct dsr_gen *g, const uint8_t dst[16], uint16_t port)
{
	static const uint8_t zero[16];

	return memcmp(dst, g->kernel_ip6[port], 16) == 0 && memcmp(dst, zero, 16) != 0;
}

/* To the main lcore, which hands it to the port's kernel interface. */
static enum dsr_fwd_verdict
fwd6_kernel(struct dsr_fwd *f)
{
	DSR_CTR_ADD(f->st->event[DSR_EV_TO_KERNEL], 1);
	DSR_CTR_ADD(f->st->event[DSR_EV_SLOWPATH], 1);
	return DSR_FWD_SLOW;
}

/*
 * TCP or UDP to no VIP: to the main lcore when it is a backend's answer to
 * a dsr check (TCP from a VIP to the port's address, as fwd.c's
 * fwd_probe_reply()) or for the port's kernel interface; else a drop.
 */
static enum dsr_fwd_verdict
fwd6_not_vip(struct dsr_fwd *f, const struct dsr_pkt6 *p, uint16_t port)
{
	const struct dsr_gen *g = f->gen;
	bool probe = g->dsr_checks && p->flow.proto == DSR_IPPROTO_TCP &&
		     memcmp(p->flow.dst_ip, g->port_ip6[port], 16) == 0 &&
		     dsr_gen_vip6_lookup(g, p->flow.src_ip, p->flow.src_port, DSR_IPPROTO_TCP) >= 0;

	if (!probe) {
		if (!fwd6_for_kernel(g, p->flow.dst_ip, port))
			return fwd_drop(f, DSR_DROP_NOT_VIP);
		return fwd6_kernel(f);
	}
	DSR_CTR_ADD(f->st->event[DSR_EV_SLOWPATH], 1);
	return DSR_FWD_SLOW;
}

/* ICMPv6 to us: an error about a flow (PENDING), echo or ND (SLOW), or a drop. */
static enum dsr_fwd_verdict
fwd6_icmp(struct dsr_fwd *f, const uint8_t *frame, const struct dsr_pkt6 *p, uint16_t port,
	  struct dsr_fwd_meta *m)
{
	const struct dsr_gen *g = f->gen;
	const uint8_t type = frame[p->l4_off];
	struct dsr_flow6 fl;
	enum dsr_drop why;
	int vip = -1;

	bool vip_addr = dsr_gen_addr6_lookup(g, p->flow.dst_ip) != NULL, kernel;

	/*
	 * Neighbour discovery is lib/nd's to judge; the rest to a port's
	 * address with a kernel interface is the kernel's (echo included);
	 * echo is answered for our other addresses.
	 */
	kernel = !fwd6_is_nd(type) && !vip_addr && fwd6_for_kernel(g, p->flow.dst_ip, port);
	if (kernel || fwd6_is_nd(type) ||
	    (dsr_icmp6_kind(type) == DSR_ICMP_K_ECHO &&
	     (vip_addr || memcmp(p->flow.dst_ip, g->port_ip6[port], 16) == 0))) {
		if (kernel)
			DSR_CTR_ADD(f->st->event[DSR_EV_TO_KERNEL], 1);
		DSR_CTR_ADD(f->st->event[DSR_EV_SLOWPATH], 1);
		return DSR_FWD_SLOW;
	}
	if (!vip_addr)
		return fwd_drop(f, DSR_DROP_NOT_VIP);
	if (fwd6_martian(g, p->flow.src_ip, p->flow.dst_ip, port))
		return fwd_drop(f, DSR_DROP_MARTIAN);
	if (dsr_icmp6_kind(type) != DSR_ICMP_K_ERROR)
		return fwd_drop(f, DSR_DROP_ICMP_TYPE);
	if (!g->icmp_forward)
		return fwd_drop(f, DSR_DROP_ICMP_OFF);
	switch (dsr_icmp6_error_flow(frame + p->l4_off, p->end_off - p->l4_off, p->flow.dst_ip,
				     &fl)) {
	case DSR_ICMP_ERR_OK:
		vip = dsr_gen_vip6_lookup(g, fl.dst_ip, fl.dst_port, fl.proto);
		why = DSR_DROP_ICMP_NO_SERVICE;
		break;
	case DSR_ICMP_ERR_TRUNCATED:
		why = DSR_DROP_ICMP_TRUNCATED;
		break;
	default:
		why = DSR_DROP_ICMP_FOREIGN;
		break;
	}
	if (vip < 0)
		return fwd_drop(f, why);
	memset(&m->flow, 0, sizeof(m->flow));
	m->flow.proto = fl.proto;
	m->vip = (uint16_t)vip;
	m->port = port;
	m->seq_hint = 0;
	m->tcp_flags = 0;
	m->kind = DSR_FWD_K_ICMP6;
	m->hash = dsr_flow6_table_hash(&fl);
	dsr_ct6_prefetch(f->ct6, m->hash);
	return DSR_FWD_PENDING;
}

/* A later fragment (or the first of another protocol) to us: PENDING to follow its first. */
static enum dsr_fwd_verdict
fwd6_classify_frag(struct dsr_fwd *f, const struct dsr_pkt6 *p, uint16_t port,
		   struct dsr_fwd_meta *m)
{
	const struct dsr_gen *g = f->gen;

	/* Fragments of the kernel interface's own traffic are the kernel's to reassemble. */
	if (dsr_gen_addr6_lookup(g, p->flow.dst_ip) == NULL) {
		if (fwd6_for_kernel(g, p->flow.dst_ip, port))
			return fwd6_kernel(f);
		return fwd_drop(f, DSR_DROP_NOT_VIP);
	}
	if (!fwd_frag_followable(p->frag, p->flow.proto)) {
		if (fwd6_for_kernel(g, p->flow.dst_ip, port))
			return fwd6_kernel(f);
		return fwd_drop(f, DSR_DROP_FRAGMENT);
	}
	if (fwd6_martian(g, p->flow.src_ip, p->flow.dst_ip, port))
		return fwd_drop(f, DSR_DROP_MARTIAN);
	memset(m, 0, sizeof(*m));
	m->flow.proto = p->flow.proto;
	m->port = port;
	m->kind = DSR_FWD_K_FLOW6;
	return DSR_FWD_PENDING;
}

/* A later fragment (p) to a VIP address: its first's backend, else the address's only one. */
static enum dsr_fwd_verdict
fwd6_frag_later(struct dsr_fwd *f, uint8_t *frame, uint32_t len, const struct dsr_pkt6 *p,
		uint16_t port, uint32_t now_ms)
{
	const struct dsr_gen_addr6_slot *a;
	struct dsr_frag_key k;
	uint16_t be;

	dsr_frag_key6(&k, p->flow.src_ip, p->flow.dst_ip, p->frag_id, p->flow.proto);
	be = fwd_frag_follow(f, &k, now_ms);
	if (be != DSR_MAGLEV_NONE)
		return fwd_frag_send(f, frame, len, be, NULL, p->flow.proto, port);
	/* A VIP on the address of a port with a kernel interface: the kernel's. */
	if (fwd6_for_kernel(f->gen, p->flow.dst_ip, port))
		return fwd6_kernel(f);
	a = dsr_gen_addr6_lookup(f->gen, p->flow.dst_ip);
	return fwd_frag_send(f, frame, len, be, a == NULL ? NULL : a->frag_be, p->flow.proto, port);
}

enum dsr_fwd_verdict
fwd_classify6(struct dsr_fwd *f, const uint8_t *frame, uint32_t len, uint32_t l3, uint16_t port,
	      struct dsr_fwd_meta *m)
{
	const struct dsr_gen *g = f->gen;
	struct dsr_pkt6 p;
	int vip;

	if (f->ct6 == NULL)
		return fwd_drop(f, DSR_DROP_NOT_IPV4);
	switch (dsr_pkt_parse6_l3(frame, len, l3, &p)) {
	case DSR_PKT_L4:
		break;
	case DSR_PKT_ICMPV6:
		return fwd6_icmp(f, frame, &p, port, m);
	case DSR_PKT_HOPLIMIT:
		/* Traffic for the kernel interface ends here: eBGP sends hop limit 1. */
		if (fwd6_for_kernel(g, p.flow.dst_ip, port))
			return fwd6_kernel(f);
		return fwd_drop(f, DSR_DROP_TTL);
	case DSR_PKT_FRAGMENT:
		return fwd6_classify_frag(f, &p, port, m);
	case DSR_PKT_MALFORMED:
		return fwd_drop(f, fwd6_malformed(p.reason));
	default:
		return fwd_drop(f, DSR_DROP_NOT_VIP);
	}
	vip = dsr_gen_vip6_lookup(g, p.flow.dst_ip, p.flow.dst_port, p.flow.proto);
	if (vip < 0)
		return fwd6_not_vip(f, &p, port);
	if (fwd6_martian(g, p.flow.src_ip, p.flow.dst_ip, port))
		return fwd_drop(f, DSR_DROP_MARTIAN);
	memset(&m->flow, 0, sizeof(m->flow));
	m->flow.proto = p.flow.proto;
	m->vip = (uint16_t)vip;
	m->port = port;
	m->tcp_flags = p.tcp_flags;
	m->seq_hint = 0;
	if (p.flow.proto == DSR_IPPROTO_TCP)
		m->seq_hint = fwd_seq_hint(frame + p.l4_off, p.end_off - p.l4_off,
					   (uint32_t)(frame[p.l4_off + 12] >> 4) * 4, p.tcp_flags);
	m->kind = DSR_FWD_K_FLOW6;
	m->hash = dsr_flow6_table_hash(&p.flow);
	dsr_ct6_prefetch(f->ct6, m->hash);
	return DSR_FWD_PENDING;
}

/* The backend of an IPv6 flow: its entry's, or a new choice (and entry). */
static int
fwd6_choose(struct dsr_fwd *f, const struct dsr_fwd_meta *m, const struct dsr_flow6 *flow,
	    uint32_t now)
{
	int tcp = m->flow.proto == DSR_IPPROTO_TCP;
	struct dsr_ct6_entry *e = dsr_ct6_lookup(f->ct6, flow, m->hash, now);
	bool remove, create;
	int be;

	if (e != NULL) {
		struct dsr_ct_entry t = dsr_ct6_as_ct(e);

		be = fwd_entry_plan(f, m, tcp, &t, e->backend, now, &remove);
		if (remove)
			dsr_ct6_remove(f->ct6, e);
		else
			dsr_ct6_store_back(e, &t);
		if (be != FWD_AGAIN)
			return be;
	}
	be = fwd_new_backend(f, m, tcp, dsr_flow6_hash(flow), &create);
	if (be < 0 || !create)
		return be;
	e = dsr_ct6_insert(f->ct6, flow, m->hash, (uint16_t)be,
			   tcp ? dsr_ct_tcp_next(DSR_CT_FREE, m->tcp_flags) : DSR_CT_UDP, now);
	if (e == NULL) {
		DSR_CTR_ADD(f->st->event[DSR_EV_CT_FULL], 1);
		return be;
	}
	if (tcp)
		dsr_ct6_seq_init(e, m->seq_hint);
	fwd_count_new(f, m, tcp, (uint16_t)be);
	return be;
}

enum dsr_fwd_verdict
fwd_decide6(struct dsr_fwd *f, uint8_t *frame, uint32_t len, const struct dsr_fwd_meta *m,
	    uint32_t now_ms)
{
	struct dsr_pkt6 p;
	enum dsr_pkt_class cls = dsr_pkt_parse6_l3(frame, len, fwd_l3_off(frame), &p);
	struct dsr_flow6 flow;
	int be;

	/* Parse again: classify found it whole (or a later fragment), so this cannot fail. */
	if (cls == DSR_PKT_FRAGMENT)
		return fwd6_frag_later(f, frame, len, &p, m->port, now_ms);
	if (cls == DSR_PKT_L4)
		flow = p.flow;
	else if (dsr_icmp6_error_flow(frame + p.l4_off, p.end_off - p.l4_off, p.flow.dst_ip,
				      &flow) != DSR_ICMP_ERR_OK)
		return fwd_drop(f, DSR_DROP_MALFORMED);
	if (m->kind == DSR_FWD_K_ICMP6) {
		const struct dsr_ct6_entry *e = dsr_ct6_lookup(f->ct6, &flow, m->hash, now_ms);

		return fwd_icmp_send(f, frame, len, m,
				     fwd_icmp_backend(f, m->vip, e != NULL ? e->backend : -1,
						      dsr_flow6_hash(&flow)));
	}
	be = fwd6_choose(f, m, &flow, now_ms);
	if (be < 0)
		return fwd_drop(f, (enum dsr_drop)(-be));
	if (!(f->gen->backends[be].flags & DSR_GEN_BE_MAC))
		return fwd_drop(f, DSR_DROP_NO_MAC);
	fwd_rewrite(f, frame, &f->gen->backends[be], m->port);
	fwd_count_flow(f, m->vip, (uint16_t)be, len);
	if (p.frag == DSR_PKT_FRAG_FIRST) {
		struct dsr_frag_key k;

		dsr_frag_key6(&k, flow.src_ip, flow.dst_ip, p.frag_id, flow.proto);
		fwd_frag_track_key(f, &k, (uint16_t)be, now_ms);
	}
	return DSR_FWD_TX;
}
