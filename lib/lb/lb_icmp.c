/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Echo replies, on the main lcore. A worker passes an echo request on
 * its slow ring when it is to a VIP address, or to a port's address
 * without a kernel interface (lib/fwd's fwd_icmp.c); ICMP for a kernel
 * interface comes the same way and goes on to the kernel. Replies are
 * paced by a token bucket of `icmp rate` a second, so a flood of
 * requests costs the main lcore a parse each, never a reply each.
 */
#include <string.h>

#include <rte_mbuf.h>

#include "dsr_icmp.h"
#include "dsr_lb.h"
#include "dsr_pkt6.h"
#include "lb_pvt.h"

/* Whether a reply may go now (`icmp rate`, shared by both families); counts a refusal. */
static bool
lb_icmp_take(struct dsr_lb *lb, uint32_t now_ms)
{
	if (lb->icmp_rl.rate != lb->conf->icmp_rate)
		dsr_icmp_rl_init(&lb->icmp_rl, lb->conf->icmp_rate, now_ms);
	if (dsr_icmp_rl_take(&lb->icmp_rl, now_ms))
		return true;
	DSR_CTR_ADD(lb->main_st->drop[DSR_DROP_ICMP_RATE], 1);
	return false;
}

bool
dsr_lb_icmp6_input(struct dsr_lb *lb, struct rte_mbuf *m, const struct dsr_pkt6 *p, uint32_t now_ms)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	int len;

	if (m->port >= lb->nb_ports || frame[p->l4_off] != DSR_ICMP6_ECHO_REQUEST)
		return false;
	/* The kernel interface answers for its own address. */
	if (lb->kif[m->port].started && lb->conf->ports[m->port].has_addr6 &&
	    memcmp(p->flow.dst_ip, lb->conf->ports[m->port].ip6, 16) == 0)
		return false;
	if (!lb_icmp_take(lb, now_ms))
		return true;
	len = dsr_icmp6_echo_reply(frame, rte_pktmbuf_data_len(m), p->l3_off, p->l4_off,
				   lb->ports[m->port].mac);
	if (len < 0) {
		DSR_CTR_ADD(lb->main_st->drop[DSR_DROP_MALFORMED], 1);
		return true;
	}
	dsr_lb_send_frame(lb, m->port, frame, (uint32_t)len);
	DSR_CTR_ADD(lb->main_st->event[DSR_EV_ICMP_ECHO], 1);
	return true;
}

bool
dsr_lb_icmp_input(struct dsr_lb *lb, struct rte_mbuf *m, const struct dsr_pkt *pkt, uint32_t now_ms)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t p = m->port;

	if (p >= lb->nb_ports || frame[pkt->l4_off] != DSR_ICMP_ECHO_REQUEST)
		return false;
	/* The kernel interface answers for its own address. */
	if (lb->kif[p].started && pkt->flow.dst_ip == lb->conf->ports[p].ip)
		return false;
	if (!lb_icmp_take(lb, now_ms))
		return true;
	if (dsr_icmp4_echo_reply(frame, pkt, lb->ports[p].mac) != 0) {
		DSR_CTR_ADD(lb->main_st->drop[DSR_DROP_MALFORMED], 1);
		return true;
	}
	dsr_lb_send_frame(lb, p, frame, rte_pktmbuf_data_len(m));
	DSR_CTR_ADD(lb->main_st->event[DSR_EV_ICMP_ECHO], 1);
	return true;
}
