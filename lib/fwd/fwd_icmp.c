/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP on the fast path. An error (unreachable, fragmentation needed,
 * time exceeded) to a VIP quotes a packet the VIP "sent": a backend's
 * answer to a client. It goes, unchanged, to the backend of that flow:
 * the table's entry if this worker has one, else the Maglev choice, which
 * is the entry's backend unless the backends changed since it was made.
 * That holds on every worker and every dsrlb instance behind ECMP, and
 * after a restart. No entry is made or refreshed for it. Echo requests
 * go to the main lcore, which answers them (lib/lb).
 */
#include "dsr_icmp.h"
#include "fwd_pvt.h"

/* Bytes of the ICMP message: from its header to the end of the datagram. */
static inline uint32_t
fwd_icmp_len(const uint8_t *frame, const struct dsr_pkt *pkt)
{
	const uint8_t *ip = frame + pkt->l3_off;
	uint32_t tot = (uint32_t)ip[2] << 8 | ip[3];

	return tot - (uint32_t)(pkt->l4_off - pkt->l3_off);
}

/* An ICMP error to a VIP address: PENDING to the quoted flow's backend, or why not. */
static enum dsr_fwd_verdict
fwd_icmp_error(struct dsr_fwd *f, const uint8_t *frame, const struct dsr_pkt *pkt, uint16_t port,
	       struct dsr_fwd_meta *m)
{
	const struct dsr_gen *g = f->gen;
	enum dsr_drop why;
	struct dsr_flow fl;
	int vip = -1;

	if (!g->icmp_forward)
		return fwd_drop(f, DSR_DROP_ICMP_OFF);
	switch (dsr_icmp4_error_flow(frame + pkt->l4_off, fwd_icmp_len(frame, pkt),
				     pkt->flow.dst_ip, &fl)) {
	case DSR_ICMP_ERR_OK:
		vip = dsr_gen_vip_lookup(g, fl.dst_ip, fl.dst_port, fl.proto);
		why = DSR_DROP_ICMP_NO_SERVICE;
		break;
	case DSR_ICMP_ERR_TRUNCATED:
		why = DSR_DROP_ICMP_TRUNCATED;
		break;
	default:
		why = DSR_DROP_ICMP_FOREIGN;
		break;
	}
	if (vip < 0) {
		/* Not about a service: the kernel interface's, if the address is the port's. */
		if (fwd_for_kernel(g, frame, pkt, port))
			return fwd_not_vip(f, frame, pkt, port);
		return fwd_drop(f, why);
	}
	m->flow = fl;
	m->vip = (uint16_t)vip;
	m->port = port;
	m->seq_hint = 0;
	m->tcp_flags = 0;
	m->kind = DSR_FWD_K_ICMP;
	m->hash = dsr_flow_table_hash(&fl);
	dsr_ct_prefetch(f->ct, m->hash);
	return DSR_FWD_PENDING;
}

enum dsr_fwd_verdict
fwd_classify_icmp(struct dsr_fwd *f, const uint8_t *frame, const struct dsr_pkt *pkt, uint16_t port,
		  struct dsr_fwd_meta *m)
{
	const struct dsr_gen *g = f->gen;
	uint32_t dst = pkt->flow.dst_ip;
	bool vip_addr = dsr_gen_addr_lookup(g, dst) != NULL;
	enum dsr_icmp_kind kind = dsr_icmp4_kind(frame[pkt->l4_off]);

	if (!vip_addr && dst != g->port_ip[port])
		return fwd_not_vip(f, frame, pkt, port);
	if (fwd_martian(g, pkt->flow.src_ip, dst, port))
		return fwd_drop(f, DSR_DROP_MARTIAN);
	if (kind == DSR_ICMP_K_ERROR && vip_addr)
		return fwd_icmp_error(f, frame, pkt, port, m);
	/* The port's address with a kernel interface: the kernel answers. */
	if (fwd_for_kernel(g, frame, pkt, port))
		return fwd_not_vip(f, frame, pkt, port);
	if (kind == DSR_ICMP_K_ECHO) {
		DSR_CTR_ADD(f->st->event[DSR_EV_SLOWPATH], 1);
		return DSR_FWD_SLOW;
	}
	return fwd_drop(f, vip_addr ? DSR_DROP_ICMP_TYPE : DSR_DROP_NOT_VIP);
}

int
fwd_icmp_backend(const struct dsr_fwd *f, uint16_t vip, int entry_be, uint64_t maglev_hash)
{
	const struct dsr_gen *g = f->gen;
	uint16_t be;

	if (entry_be >= 0 && fwd_backend_takes(g, (uint16_t)entry_be, vip))
		return entry_be;
	/* Maglev's hash, as for a packet of the flow without an entry. */
	be = dsr_maglev_lookup(g->vips[vip].maglev, g->maglev_size, maglev_hash);
	return be == DSR_MAGLEV_NONE ? -DSR_DROP_NO_BACKEND : be;
}

enum dsr_fwd_verdict
fwd_icmp_send(struct dsr_fwd *f, uint8_t *frame, uint32_t len, const struct dsr_fwd_meta *m, int be)
{
	const struct dsr_gen_backend *b;

	if (be < 0)
		return fwd_drop(f, (enum dsr_drop)(-be));
	b = &f->gen->backends[be];
	if (!(b->flags & DSR_GEN_BE_MAC))
		return fwd_drop(f, DSR_DROP_NO_MAC);
	fwd_rewrite(f, frame, b, m->port);
	fwd_count_flow(f, m->vip, (uint16_t)be, len); /* frames forwarded, of which ICMP: */
	DSR_CTR_ADD(f->st->vip[m->vip].icmp_fwd, 1);
	DSR_CTR_ADD(f->st->backend[be].icmp_fwd, 1);
	return DSR_FWD_TX;
}

enum dsr_fwd_verdict
fwd_decide_icmp(struct dsr_fwd *f, uint8_t *frame, uint32_t len, const struct dsr_fwd_meta *m,
		uint32_t now_ms)
{
	const struct dsr_ct_entry *e = dsr_ct_lookup(f->ct, &m->flow, m->hash, now_ms);

	return fwd_icmp_send(
		f, frame, len, m,
		fwd_icmp_backend(f, m->vip, e != NULL ? e->backend : -1, dsr_flow_hash(&m->flow)));
}
