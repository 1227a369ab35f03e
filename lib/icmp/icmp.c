/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "dsr_icmp.h"
#include "icmp_pvt.h"

enum dsr_icmp_err
dsr_icmp4_error_flow(const uint8_t *icmp, uint32_t len, uint32_t outer_dst, struct dsr_flow *flow)
{
	const uint8_t *q = icmp + DSR_ICMP_HLEN; /* the quoted IPv4 header */
	uint32_t ihl;

	if (len < DSR_ICMP_HLEN + DSR_IPV4_MIN_HLEN)
		return DSR_ICMP_ERR_TRUNCATED;
	ihl = (uint32_t)(q[0] & 0x0f) * 4;
	if ((q[0] >> 4) != 4 || ihl < DSR_IPV4_MIN_HLEN)
		return DSR_ICMP_ERR_FOREIGN;
	/* RFC 792: the header and the first 8 bytes of data, the ports. */
	if (len < DSR_ICMP_HLEN + ihl + ICMP_QUOTED_L4)
		return DSR_ICMP_ERR_TRUNCATED;
	if (q[ICMP_IP_PROTO] != DSR_IPPROTO_TCP && q[ICMP_IP_PROTO] != DSR_IPPROTO_UDP)
		return DSR_ICMP_ERR_FOREIGN;
	if ((((uint32_t)q[ICMP_IP_FRAG] << 8 | q[ICMP_IP_FRAG + 1]) & ICMP_IP_OFFMASK) != 0 ||
	    memcmp(q + ICMP_IP_SRC, &outer_dst, 4) != 0)
		return DSR_ICMP_ERR_FOREIGN;
	/* Quoted: VIP -> client, VIP port -> client port. Reversed: the client's. */
	memset(flow, 0, sizeof(*flow));
	memcpy(&flow->src_ip, q + ICMP_IP_DST, 4);
	memcpy(&flow->dst_ip, q + ICMP_IP_SRC, 4);
	icmp_turn_ports(q + ihl, &flow->src_port, &flow->dst_port);
	flow->proto = q[ICMP_IP_PROTO];
	return DSR_ICMP_ERR_OK;
}

int
dsr_icmp4_echo_reply(uint8_t *frame, const struct dsr_pkt *pkt, const uint8_t mac[6])
{
	uint8_t *ip = frame + pkt->l3_off, *icmp = frame + pkt->l4_off, tmp[4];
	uint32_t tot = (uint32_t)ip[2] << 8 | ip[3];
	uint32_t len = tot - (pkt->l4_off - pkt->l3_off);

	if (dsr_csum_fold(dsr_csum_add(0, icmp, len)) != 0)
		return -1;
	icmp_eth_reply(frame, mac);
	memcpy(tmp, ip + ICMP_IP_SRC, 4);
	memcpy(ip + ICMP_IP_SRC, ip + ICMP_IP_DST, 4);
	memcpy(ip + ICMP_IP_DST, tmp, 4);
	ip[ICMP_IP_TTL] = ICMP_REPLY_TTL;
	icmp_put16(ip + ICMP_IP_CSUM, 0);
	icmp_put16(ip + ICMP_IP_CSUM,
		   dsr_csum_fold(dsr_csum_add(0, ip, pkt->l4_off - pkt->l3_off)));
	icmp[0] = DSR_ICMP_ECHO_REPLY;
	icmp[1] = 0;
	icmp_put16(icmp + 2, 0);
	icmp_put16(icmp + 2, dsr_csum_fold(dsr_csum_add(0, icmp, len)));
	return 0;
}

void
dsr_icmp_rl_init(struct dsr_icmp_rl *rl, uint32_t rate, uint32_t now_ms)
{
	rl->rate = rate;
	rl->last_ms = now_ms;
	rl->milli = (uint64_t)rate * 1000;
	if (rate > 0 && rl->milli < 1000)
		rl->milli = 1000;
}

bool
dsr_icmp_rl_take(struct dsr_icmp_rl *rl, uint32_t now_ms)
{
	uint64_t cap = (uint64_t)rl->rate * 1000;
	uint32_t dt = now_ms - rl->last_ms;

	if (rl->rate == 0)
		return false;
	if (cap < 1000)
		cap = 1000;
	if ((int32_t)dt > 0) {
		/* rate tokens a second: rate thousandths a millisecond. */
		rl->milli += (uint64_t)dt * rl->rate;
		if (rl->milli > cap)
			rl->milli = cap;
		rl->last_ms = now_ms;
	}
	if (rl->milli < 1000)
		return false;
	rl->milli -= 1000;
	return true;
}
