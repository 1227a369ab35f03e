/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The balancer's side of neighbour discovery: lib/nd decides, this file
 * moves frames, as lb_arp.c does for ARP. Our IPv6 addresses (ports and
 * VIPs) and the IPv6 backends to resolve come from the configuration;
 * each port accepts the multicast groups lib/nd lists (all-nodes and the
 * solicited-node group of each of our addresses): its multicast filter
 * is programmed with them, or, where the driver has no filter, it is put
 * in all-multicast mode. A port's kernel interface gets copies of the
 * NS and NA about the port's IPv6 address, as with ARP (lb_kif.c).
 */
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dsr_lb.h"
#include "dsr_log.h"
#include "dsr_nd.h"
#include "dsr_pkt6.h"
#include "lb_pvt.h"

/* Multicast groups a port accepts at most (all-nodes, then one per address). */
#define LB_ND_MC_MAX 256

static void
lb_nd_params(const struct dsr_conf *conf, struct dsr_nd_params *p)
{
	dsr_nd_params_default(p);
	p->arp.announce_count = conf->arp_announce_count;
	p->arp.announce_interval_ms = conf->arp_announce_interval_s * 1000;
	p->arp.refresh_ms = conf->arp_refresh_s * 1000;
	/* Unsolicited MLD reports are announcements too: none with `arp announce 0`. */
	if (conf->arp_announce_count == 0)
		p->mld_reports = 0;
}

/* Add (ip6, port, kind) to a once. */
static void
lb_nd_add(struct dsr_nd_addr *a, unsigned int *n, const uint8_t ip6[16], uint16_t port,
	  uint8_t kind)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (a[i].port == port && memcmp(a[i].ip, ip6, 16) == 0)
			return;
	memcpy(a[*n].ip, ip6, 16);
	a[*n].port = port;
	a[*n].kind = kind;
	a[*n].pad = 0;
	(*n)++;
}

/* Program each port's multicast filter with lib/nd's groups (or all-multicast). */
static void
lb_nd_multicast(struct dsr_lb *lb)
{
	struct rte_ether_addr macs[LB_ND_MC_MAX];
	uint16_t p;

	for (p = 0; p < lb->nb_ports; p++) {
		unsigned int n = dsr_nd_mc_macs(lb->nd, p, (uint8_t(*)[6])macs, LB_ND_MC_MAX);
		uint16_t id = lb->ports[p].port_id;

		/* All-nodes alone: no IPv6 address on this port, nothing to join. */
		if (n <= 1 || n > LB_ND_MC_MAX)
			continue;
		if (rte_eth_dev_set_mc_addr_list(id, macs, n) == 0)
			continue;
		if (rte_eth_allmulticast_get(id) == 1)
			continue;
		if (rte_eth_allmulticast_enable(id) == 0)
			dsr_log(DSR_LOG_INFO,
				"port %u: no multicast filter (%s): all-multicast on, for neighbour "
				"discovery",
				p, lb->ports[p].driver);
		else
			dsr_log(DSR_LOG_INFO,
				"port %u: neither a multicast filter nor all-multicast (%s): IPv6 "
				"neighbour discovery relies on the port receiving multicast as it is "
				"(net_af_packet on a veth does)",
				p, lb->ports[p].driver);
	}
}

int
dsr_lb_nd_configure(struct dsr_lb *lb, const struct dsr_conf *conf, char *err, size_t errlen)
{
	static struct dsr_nd_addr addrs[DSR_MAX_PORTS * (DSR_MAX_VIPS + 1)];
	static struct dsr_nd_target targets[DSR_MAX_BACKENDS];
	uint8_t macs[DSR_MAX_PORTS][6];
	struct dsr_nd_config c;
	struct dsr_nd_params p;
	unsigned int i, n = 0, nt = 0, first;
	uint16_t port;
	int bp;

	for (port = 0; port < lb->nb_ports; port++) {
		memcpy(macs[port], lb->ports[port].mac, 6);
		if (conf->ports[port].has_addr6)
			lb_nd_add(addrs, &n, conf->ports[port].ip6, port, DSR_ND_ADDR_PORT);
	}
	for (i = 0; i < DSR_MAX_VIPS; i++) {
		const struct dsr_svc_key *s = &conf->vips[i].svc;

		/* A routed VIP: no NA, no DAD, no answer (routers use its route). */
		if (!conf->vips[i].used || s->family != DSR_AF_IPV6 || conf->vips[i].routed)
			continue;
		/* On the ports whose subnet holds it, else on every IPv6 port (as ARP). */
		first = n;
		bp = dsr_conf_port_of6(conf, s->ip6);
		if (bp >= 0 && bp < lb->nb_ports)
			lb_nd_add(addrs, &n, s->ip6, (uint16_t)bp, DSR_ND_ADDR_VIP);
		for (port = 0; n == first && port < lb->nb_ports; port++)
			if (conf->ports[port].has_addr6)
				lb_nd_add(addrs, &n, s->ip6, port, DSR_ND_ADDR_VIP);
	}
	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		const struct dsr_conf_backend *b = &conf->backends[i];

		if (!b->used || b->has_mac || b->family != DSR_AF_IPV6)
			continue;
		bp = dsr_conf_port_of6(conf, b->ip6);
		if (bp < 0 || bp >= lb->nb_ports)
			continue;
		memcpy(targets[nt].ip, b->ip6, 16);
		targets[nt++].port = (uint16_t)bp;
	}
	c.nb_ports = lb->nb_ports;
	c.port_mac = (const uint8_t(*)[6])macs;
	c.addrs = addrs;
	c.n_addrs = n;
	c.backends = targets;
	c.n_backends = nt;
	lb_nd_params(conf, &p);
	if (dsr_nd_configure(lb->nd, &c, &p, dsr_lb_now_ms(lb)) != 0) {
		snprintf(err, errlen, "neighbour discovery: cannot take the configuration");
		return -1;
	}
	if (lb->ports_started)
		lb_nd_multicast(lb);
	return 0;
}

int
dsr_lb_nd_init(struct dsr_lb *lb, char *err, size_t errlen)
{
	struct dsr_nd_params p;

	lb_nd_params(lb->conf, &p);
	lb->nd = dsr_nd_create(&p, dsr_lb_slow_tx, dsr_lb_slow_log, lb);
	if (lb->nd == NULL) {
		snprintf(err, errlen, "neighbour discovery: cannot create its state");
		return -1;
	}
	return dsr_lb_nd_configure(lb, lb->conf, err, errlen);
}

/*
 * ND for the port's IPv6 address: the kernel interface gets a copy too
 * (dsr_nd_kernel_rx()), so that it learns its neighbours.
 */
static bool
lb_nd_for_kernel(const struct dsr_lb *lb, uint16_t port, const uint8_t *frame, uint32_t len)
{
	const struct dsr_conf_port *cp;

	if (dsr_lb_kernel_if(lb, port) == NULL)
		return false;
	cp = &lb->conf->ports[port];
	return cp->has_addr6 && dsr_nd_kernel_rx(frame, len, cp->ip6) == DSR_ARP_KERNEL_COPY;
}

bool
dsr_lb_ipv6_input(struct dsr_lb *lb, struct rte_mbuf *m, uint32_t l3, uint32_t now_ms)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	struct dsr_pkt6 p;
	uint8_t type;

	if (dsr_pkt6_mld_off(frame, len, l3) != 0) {
		if (lb->nd != NULL)
			dsr_nd_mld_input(lb->nd, m->port, frame, len, now_ms);
		return true;
	}
	switch (dsr_pkt_parse6_l3(frame, len, l3, &p)) {
	case DSR_PKT_ICMPV6:
		break;
	case DSR_PKT_L4:
		/* A dsr check's answer, else for the kernel interface. */
		return dsr_lb_health_input(lb, m->port, frame, len);
	default:
		return false;
	}
	type = frame[p.l4_off];
	if (type >= 133 && type <= 137) {
		if (lb->nd != NULL)
			dsr_nd_input(lb->nd, m->port, frame, len, now_ms);
		return !lb_nd_for_kernel(lb, m->port, frame, len);
	}
	return dsr_lb_icmp6_input(lb, m, &p, now_ms);
}
