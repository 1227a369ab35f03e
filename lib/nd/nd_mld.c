/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MLD for our solicited-node groups (RFC 3810 MLDv2, RFC 2710 MLDv1). A
 * switch that snoops MLD forwards a group's multicast only to the ports
 * that reported it, and the solicitations for our addresses and VIPs go
 * to their solicited-node groups: without reports, a snooping switch
 * starves dsrlb of them once its querier runs. Reports go out when our
 * groups change (p.mld_reports of them, 1 s apart) and answer queries at
 * once. Their source is the port's link-local address (modified EUI-64
 * of its MAC), which dsrlb uses for nothing else.
 */
#include <stdlib.h>
#include <string.h>

#include "dsr_nd.h"
#include "dsr_pkt.h"
#include "dsr_pkt6.h"
#include "nd_pvt.h"

#define MLD_INTERVAL_MS   1000u   /* Unsolicited Report Interval */
#define MLD_V1_PRESENT_MS 260000u /* Older Version Querier Present Timeout */
#define MLD_RECORDS_MAX   64u     /* records per MLDv2 report: a 1350-byte frame */
#define MLD_REC_LEN       20u     /* a record without sources */
#define MLD_HBH_LEN       8u      /* Hop-by-Hop: router alert and PadN */
#define MLD_V1_LEN        24u
#define MLD_V2_QUERY_MIN  28u
#define MLD_ANSWERS_MAX   10u /* query answers per port and second */

/* MLDv2 record types (RFC 3810 5.2.12). */
#define MLD2_IS_EX 2u
#define MLD2_TO_IN 3u
#define MLD2_TO_EX 4u

static const uint8_t mld_all_routers[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0,
					    0,    0,    0, 0, 0, 0, 0, 0x02};
static const uint8_t mld_v2_routers[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16};

void
dsr_nd_link_local(const uint8_t mac[6], uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	out[8] = mac[0] ^ 0x02;
	out[9] = mac[1];
	out[10] = mac[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = mac[3];
	out[14] = mac[4];
	out[15] = mac[5];
}

static int
mld_group_cmp(const void *x, const void *y)
{
	return memcmp(x, y, 16);
}

/*
 * The solicited-node groups of port's addresses, sorted and unique, in
 * *n; NULL with *n 0 if there are none, NULL with *n 1 without memory.
 */
static struct nd_mld_group *
mld_groups(const struct dsr_nd *nd, uint16_t port, unsigned int *n)
{
	struct nd_mld_group *g;
	unsigned int i, j = 0;

	*n = 0;
	for (i = 0; i < nd->n_addrs; i++)
		j += nd->addrs[i].port == port;
	if (j == 0)
		return NULL;
	g = calloc(j, sizeof(*g));
	if (g == NULL) {
		*n = 1;
		return NULL;
	}
	for (i = 0, j = 0; i < nd->n_addrs; i++)
		if (nd->addrs[i].port == port)
			dsr_nd_solicited_node(nd->addrs[i].ip, g[j++].ip);
	qsort(g, j, sizeof(*g), mld_group_cmp);
	for (i = 0; i < j; i++)
		if (*n == 0 || memcmp(g[*n - 1].ip, g[i].ip, 16) != 0)
			g[(*n)++] = g[i];
	return g;
}

/* Send an MLD message (blen bytes at body; its checksum is filled here) on port to dst. */
static void
mld_send(struct dsr_nd *nd, uint16_t port, const uint8_t *vlan, const uint8_t *dst, uint8_t *body,
	 uint32_t blen)
{
	uint8_t f[DSR_ETH_HLEN + DSR_VLAN_HLEN + DSR_IPV6_HLEN + MLD_HBH_LEN + 8 +
		  MLD_RECORDS_MAX * MLD_REC_LEN];
	static const uint8_t hbh[MLD_HBH_LEN] = {DSR_IPPROTO_ICMPV6, 0, 5, 2, 0, 0, 1, 0};
	uint32_t plen = MLD_HBH_LEN + blen, off;
	uint8_t mac[6], src[16], *ip;
	uint16_t csum;

	nd_mc_mac(dst, mac);
	dsr_nd_link_local(nd->ports[port].mac, src);
	off = nd_frame_head(f, mac, nd->ports[port].mac, vlan, src, dst, DSR_IPPROTO_HOPOPTS, 1,
			    plen);
	ip = f + off;
	memcpy(ip + DSR_IPV6_HLEN, hbh, sizeof(hbh));
	body[2] = 0;
	body[3] = 0;
	csum = dsr_csum_fold(nd_csum_sum(ip, body, blen));
	body[2] = (uint8_t)(csum >> 8);
	body[3] = (uint8_t)csum;
	memcpy(ip + DSR_IPV6_HLEN + MLD_HBH_LEN, body, blen);
	if (nd->tx != NULL)
		nd->tx(nd->arg, port, f, off + DSR_IPV6_HLEN + plen);
	nd_count(nd, port, DSR_ND_MLD_REPORTS);
}

/* MLDv2 reports to ff02::16: a record of type rtype for each of the n groups. */
static void
mld_report_v2(struct dsr_nd *nd, uint16_t port, const uint8_t *vlan, const struct nd_mld_group *g,
	      unsigned int n, uint8_t rtype)
{
	uint8_t body[8 + MLD_RECORDS_MAX * MLD_REC_LEN];
	unsigned int i, k;

	for (i = 0; i < n; i += k) {
		uint8_t *rec;
		unsigned int j;

		k = n - i > MLD_RECORDS_MAX ? MLD_RECORDS_MAX : n - i;
		memset(body, 0, 8 + k * MLD_REC_LEN);
		body[0] = DSR_MLD_REPORT_V2;
		body[6] = (uint8_t)(k >> 8);
		body[7] = (uint8_t)k;
		for (j = 0; j < k; j++) {
			rec = body + 8 + j * MLD_REC_LEN;
			rec[0] = rtype;
			memcpy(rec + 4, g[i + j].ip, 16);
		}
		mld_send(nd, port, vlan, mld_v2_routers, body, 8 + k * MLD_REC_LEN);
	}
}

/* MLDv1: a report to each of the n groups, or (Done) one for each to ff02::2. */
static void
mld_report_v1(struct dsr_nd *nd, uint16_t port, const uint8_t *vlan, const struct nd_mld_group *g,
	      unsigned int n, uint8_t type)
{
	uint8_t body[MLD_V1_LEN];
	unsigned int i;

	for (i = 0; i < n; i++) {
		memset(body, 0, sizeof(body));
		body[0] = type;
		memcpy(body + 8, g[i].ip, 16);
		mld_send(nd, port, vlan, type == DSR_MLD_DONE ? mld_all_routers : g[i].ip, body,
			 sizeof(body));
	}
}

static bool
mld_v1(const struct nd_mld *m, uint32_t now_ms)
{
	return m->v1 && !nd_due(now_ms, m->v1_until_ms);
}

/* Joins (added) or leaves (not added) of the n groups, in the port's MLD version. */
static void
mld_state_change(struct dsr_nd *nd, uint16_t port, const struct nd_mld_group *g, unsigned int n,
		 bool added, uint32_t now_ms)
{
	if (mld_v1(&nd->mld[port], now_ms))
		mld_report_v1(nd, port, NULL, g, n, added ? DSR_MLD_REPORT_V1 : DSR_MLD_DONE);
	else
		mld_report_v2(nd, port, NULL, g, n, added ? MLD2_TO_EX : MLD2_TO_IN);
}

/*
 * Port's groups now against those last reported: report the difference
 * (unless p.mld_reports is 0) and schedule the retransmissions. False
 * without memory (nothing changed; the caller retries).
 */
static bool
mld_change(struct dsr_nd *nd, uint16_t port, uint32_t now_ms)
{
	struct nd_mld *m = &nd->mld[port];
	struct nd_mld_group *cur, *add, *rem;
	unsigned int n, na = 0, nr = 0, i = 0, j = 0;
	int c;

	cur = mld_groups(nd, port, &n);
	if (cur == NULL && n > 0)
		return false;
	add = calloc(n + 1, sizeof(*add));
	rem = calloc(m->n_groups + 1, sizeof(*rem));
	if (add == NULL || rem == NULL) {
		free(cur);
		free(add);
		free(rem);
		return false;
	}
	while (i < n || j < m->n_groups) {
		c = i == n ? 1 : j == m->n_groups ? -1 : memcmp(cur[i].ip, m->groups[j].ip, 16);
		if (c < 0)
			add[na++] = cur[i++];
		else if (c > 0)
			rem[nr++] = m->groups[j++];
		else {
			i++;
			j++;
		}
	}
	if (nd->p.mld_reports > 0 && na + nr > 0) {
		mld_state_change(nd, port, add, na, true, now_ms);
		mld_state_change(nd, port, rem, nr, false, now_ms);
		m->left = (uint8_t)(nd->p.mld_reports - 1);
		m->next_ms = now_ms + MLD_INTERVAL_MS;
	}
	free(m->groups);
	m->groups = cur;
	m->n_groups = n;
	free(add);
	free(rem);
	return true;
}

void
nd_mld_tick(struct dsr_nd *nd, uint32_t now_ms)
{
	uint16_t p;

	if (nd->mld_dirty) {
		nd->mld_dirty = false;
		for (p = 0; p < DSR_MAX_PORTS; p++) {
			if (p >= nd->nb_ports) {
				free(nd->mld[p].groups);
				memset(&nd->mld[p], 0, sizeof(nd->mld[p]));
			} else if (!mld_change(nd, p, now_ms)) {
				nd->mld_dirty = true;
			}
		}
		if (nd->mld_dirty)
			nd_wake(nd, now_ms + MLD_INTERVAL_MS);
	}
	for (p = 0; p < nd->nb_ports; p++) {
		struct nd_mld *m = &nd->mld[p];

		if (m->left > 0 && nd_due(now_ms, m->next_ms)) {
			/* The retransmission: the current state, as joins. */
			mld_state_change(nd, p, m->groups, m->n_groups, true, now_ms);
			m->left--;
			m->next_ms = now_ms + MLD_INTERVAL_MS;
		}
		if (m->left > 0)
			nd_wake(nd, m->next_ms);
	}
}

void
nd_mld_fini(struct dsr_nd *nd)
{
	uint16_t p;

	for (p = 0; p < DSR_MAX_PORTS; p++) {
		free(nd->mld[p].groups);
		nd->mld[p].groups = NULL;
		nd->mld[p].n_groups = 0;
	}
}

/* Does the Hop-by-Hop header (len bytes at h) carry a router alert for MLD (value 0)? */
static bool
mld_router_alert(const uint8_t *h, uint32_t len)
{
	uint32_t o = 2;

	while (o < len) {
		if (h[o] == 0) { /* Pad1 */
			o++;
			continue;
		}
		if (len - o < 2 || h[o + 1] > len - o - 2)
			return false;
		if (h[o] == 5 && h[o + 1] == 2 && h[o + 2] == 0 && h[o + 3] == 0)
			return true;
		o += 2u + h[o + 1];
	}
	return false;
}

/*
 * Validate a query whose ICMPv6 message is at off (the IPv6 header at l3):
 * its length in *mlen. False if it is bad.
 */
static bool
mld_query_ok(const uint8_t *frame, uint32_t len, uint32_t l3, uint32_t off, uint32_t *mlen)
{
	const uint8_t *ip = frame + l3, *icmp = frame + off;
	uint32_t plen = (uint32_t)ip[4] << 8 | ip[5], hlen = off - l3 - DSR_IPV6_HLEN;

	if (plen > len - l3 - DSR_IPV6_HLEN || plen < hlen + MLD_V1_LEN)
		return false;
	*mlen = plen - hlen;
	if (*mlen != MLD_V1_LEN && *mlen < MLD_V2_QUERY_MIN)
		return false;
	/* RFC 3810 5.1.14: link-local source, and the router alert. */
	if (ip[8] != 0xfe || (ip[9] & 0xc0) != 0x80 || !mld_router_alert(ip + DSR_IPV6_HLEN, hlen))
		return false;
	if (icmp[1] != 0 || dsr_csum_fold(nd_csum_sum(ip, icmp, *mlen)) != 0)
		return false;
	/* The group: :: (a general query) or a multicast address. */
	return nd_ip_is_any(icmp + 8) || icmp[8] == 0xff;
}

void
dsr_nd_mld_input(struct dsr_nd *nd, uint16_t port, const uint8_t *frame, uint32_t len,
		 uint32_t now_ms)
{
	const uint8_t *vlan = NULL, *group;
	struct nd_mld_group *g, *hit;
	uint32_t l3 = DSR_ETH_HLEN, off, mlen;
	struct nd_mld *m;
	unsigned int n;

	if (nd == NULL || port >= nd->nb_ports || frame == NULL || len < DSR_ETH_HLEN + 4)
		return;
	if (frame[12] == (uint8_t)(DSR_ETHERTYPE_VLAN >> 8) &&
	    frame[13] == (uint8_t)DSR_ETHERTYPE_VLAN) {
		vlan = frame + 12;
		l3 += DSR_VLAN_HLEN;
	}
	off = dsr_pkt6_mld_off(frame, len, l3);
	/* Other hosts' reports and Done: nothing for us. */
	if (off == 0 || frame[off] != DSR_MLD_QUERY)
		return;
	if (!mld_query_ok(frame, len, l3, off, &mlen)) {
		nd_count(nd, port, DSR_ND_MLD_BAD);
		return;
	}
	nd_count(nd, port, DSR_ND_MLD_QUERIES);
	m = &nd->mld[port];
	if (m->win_n == 0 || now_ms - m->win_ms >= 1000) {
		m->win_ms = now_ms;
		m->win_n = 0;
	}
	if (m->win_n >= MLD_ANSWERS_MAX) {
		nd_count(nd, port, DSR_ND_MLD_LIMITED);
		return;
	}
	m->win_n++;
	if (mlen == MLD_V1_LEN) {
		m->v1 = true;
		m->v1_until_ms = now_ms + MLD_V1_PRESENT_MS;
	}
	g = mld_groups(nd, port, &n);
	if (g == NULL)
		return;
	group = frame + off + 8;
	hit = g;
	if (!nd_ip_is_any(group)) {
		hit = bsearch(group, g, n, sizeof(*g), mld_group_cmp);
		n = hit != NULL;
	}
	if (n > 0 && mlen == MLD_V1_LEN)
		mld_report_v1(nd, port, vlan, hit, n, DSR_MLD_REPORT_V1);
	else if (n > 0)
		mld_report_v2(nd, port, vlan, hit, n, MLD2_IS_EX);
	free(g);
}
