/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's kernel interface (`port N kernel-interface NAME`): a Linux
 * network interface NAME with the port's MAC and address, for what
 * dsrlb does not take itself (ping, SSH, BGP, health checks).
 *
 * The kernel side is a DPDK port of its own, hot-plugged at start:
 * net_virtio_user over /dev/vhost-net where that exists (the kernel's
 * vhost-net thread moves the frames), else net_tap. Both make a tap
 * interface NAME; the rest (queues, the kernel interface's MAC, address
 * and state, the frames) is the same code for both.
 *
 * Only the main lcore touches it. Workers hand frames to the port's
 * address that match no VIP to the main lcore on their slow rings (as
 * ARP); the main lcore sends them to the kernel port. What the kernel
 * sends goes out of the DPDK port through a worker's TX ring, as ARP's
 * frames do (lb_arp.c). ARP stays dsrlb's: it answers for the port's
 * address, and the kernel gets copies of the ARP frames for that address
 * to learn its neighbours (its own requests go out; its replies are
 * dropped, dsrlb has answered already). A port's IPv6 address goes to the
 * interface too (no DAD, no link-local address of its own), and NDP is
 * dsrlb's as ARP is: the kernel gets copies of NS for that address and NA
 * to it (lb_nd.c), its NS go out, its NA are dropped.
 */
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <linux/ipv6.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dsr_lb.h"
#include "dsr_log.h"
#include "dsr_pkt.h"
#include "lb_pvt.h"

#define KIF_VHOST_NET "/dev/vhost-net"
#define KIF_BURSTS    4 /* bursts taken from each kernel port per service call, at most */

const char *
dsr_lb_kif_driver(const struct dsr_lb_kif *k)
{
	return k->vhost ? "virtio-user" : "tap";
}

unsigned int
dsr_lb_kif_count(const struct dsr_conf *conf)
{
	unsigned int p, n = 0;

	for (p = 0; p < DSR_MAX_PORTS; p++)
		n += conf->ports[p].kif[0] != '\0';
	return n;
}

const struct dsr_lb_kif *
dsr_lb_kernel_if(const struct dsr_lb *lb, uint16_t port)
{
	if (port >= DSR_MAX_PORTS || !lb->kif[port].started)
		return NULL;
	return &lb->kif[port];
}

/* ioctl() on a socket, for the interface ifr names. */
static int
kif_ioctl(unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r;

	if (fd < 0)
		return -1;
	r = ioctl(fd, req, ifr);
	if (r < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

bool
dsr_lb_kernel_if_up(const struct dsr_lb *lb, uint16_t port)
{
	const struct dsr_lb_kif *k = dsr_lb_kernel_if(lb, port);
	struct ifreq ifr;

	if (k == NULL)
		return false;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", k->name);
	if (kif_ioctl(SIOCGIFFLAGS, &ifr) != 0)
		return false;
	return (ifr.ifr_flags & IFF_UP) != 0;
}

static int
kif_err(char *err, size_t errlen, const struct dsr_lb_kif *k, const char *what)
{
	snprintf(err, errlen, "kernel interface %s: cannot %s: %s", k->name, what, strerror(errno));
	return -1;
}

/* Write value to the interface's /proc/sys/net/ipv6/conf/NAME/key. */
static bool
kif_sysctl6(const struct dsr_lb_kif *k, const char *key, const char *value)
{
	char path[96];
	size_t n = strlen(value);
	bool ok;
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", k->name, key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ok = write(fd, value, n) == (ssize_t)n;
	close(fd);
	return ok;
}

/*
 * IPv6 before the interface goes up: none at all without a port IPv6
 * address (dsrlb passes the kernel no IPv6 then); with one, no link-local
 * address or autoconfiguration of its own, and no DAD (dsrlb did it).
 */
static int
kif_ipv6_settings(const struct dsr_lb_kif *k, const struct dsr_conf_port *cp, char *err,
		  size_t errlen)
{
	if (!cp->has_addr6) {
		if (!kif_sysctl6(k, "disable_ipv6", "1\n"))
			dsr_log(DSR_LOG_INFO, "kernel interface %s: IPv6 stays on", k->name);
		return 0;
	}
	if (!kif_sysctl6(k, "disable_ipv6", "0\n") || !kif_sysctl6(k, "addr_gen_mode", "1\n") ||
	    !kif_sysctl6(k, "accept_dad", "0\n") || !kif_sysctl6(k, "accept_ra", "0\n"))
		return kif_err(err, errlen, k, "set its IPv6 settings");
	return 0;
}

/* The port's IPv6 address on the interface (once up: going down removes it). */
static int
kif_address6(struct dsr_lb_kif *k, const struct dsr_conf_port *cp, char *err, size_t errlen)
{
	struct in6_ifreq r6;
	int fd, rc;

	if (!cp->has_addr6)
		return 0;
	memset(&r6, 0, sizeof(r6));
	memcpy(&r6.ifr6_addr, cp->ip6, 16);
	r6.ifr6_prefixlen = cp->prefix6;
	r6.ifr6_ifindex = (int)k->ifindex;
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return kif_err(err, errlen, k, "open an IPv6 socket");
	rc = ioctl(fd, SIOCSIFADDR, &r6) == 0 ? 0 : errno;
	close(fd);
	if (rc != 0 && rc != EEXIST) {
		errno = rc;
		return kif_err(err, errlen, k, "set its IPv6 address");
	}
	return 0;
}

/*
 * The kernel's side: the port's MAC (net_tap sets it from its devargs,
 * virtio-user's tap has one of its own), the port's address of each
 * family it has, up.
 */
static int
kif_configure_kernel(struct dsr_lb_kif *k, const uint8_t mac[6], const struct dsr_conf_port *cp,
		     char *err, size_t errlen)
{
	struct sockaddr_in *sin;
	struct ifreq ifr;
	short flags;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", k->name);
	if (kif_ioctl(SIOCGIFFLAGS, &ifr) != 0)
		return kif_err(err, errlen, k, "read its flags");
	flags = ifr.ifr_flags;
	ifr.ifr_flags = (short)(flags & ~IFF_UP);
	if (kif_ioctl(SIOCSIFFLAGS, &ifr) != 0)
		return kif_err(err, errlen, k, "set it down");
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	if (kif_ioctl(SIOCSIFHWADDR, &ifr) != 0)
		return kif_err(err, errlen, k, "set its MAC address");
	if (kif_ipv6_settings(k, cp, err, errlen) != 0)
		return -1;
	if (cp->has_addr) {
		memset(&ifr.ifr_addr, 0, sizeof(ifr.ifr_addr));
		sin = (struct sockaddr_in *)(void *)&ifr.ifr_addr;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = cp->ip;
		if (kif_ioctl(SIOCSIFADDR, &ifr) != 0)
			return kif_err(err, errlen, k, "set its address");
		sin->sin_addr.s_addr =
			cp->prefix_len == 0 ? 0 : htonl(~0u << (32 - cp->prefix_len));
		if (kif_ioctl(SIOCSIFNETMASK, &ifr) != 0)
			return kif_err(err, errlen, k, "set its netmask");
	}
	ifr.ifr_flags = (short)(flags | IFF_UP);
	if (kif_ioctl(SIOCSIFFLAGS, &ifr) != 0)
		return kif_err(err, errlen, k, "set it up");
	k->ifindex = if_nametoindex(k->name);
	return kif_address6(k, cp, err, errlen);
}

/*
 * The pool of port p's kernel interface RX queue: its descriptors, and as
 * many frames again as can wait in the worker's tx ring and the port's TX
 * descriptors before they are sent and freed.
 */
static struct rte_mempool *
kif_pool(struct dsr_lb *lb, uint16_t p, int socket, char *err, size_t errlen)
{
	const struct dsr_port_info *pt = &lb->ports[p];
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_mempool *mp;
	unsigned int n;

	n = DSR_LB_KIF_DESC + DSR_LB_SLOW_RING + pt->nb_txq * pt->tx_desc + 2 * DSR_BURST;
	snprintf(name, sizeof(name), "dsr_kif_%u", p);
	mp = rte_pktmbuf_pool_create(name, n, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (mp == NULL)
		snprintf(err, errlen,
			 "kernel interface %s: cannot allocate %u packet buffers on socket %d: %s",
			 lb->kif[p].name, n, socket, rte_strerror(rte_errno));
	return mp;
}

/* The DPDK side: hot-plug the vdev, one RX and one TX queue, start it. */
static int
kif_create_port(struct dsr_lb *lb, uint16_t p, char *err, size_t errlen)
{
	struct dsr_lb_kif *k = &lb->kif[p];
	struct rte_eth_conf ec;
	char args[160], mac[DSR_MAC_STR_LEN], vdev[sizeof(k->vdev)];
	int socket = lb->ports[p].socket, r;

	dsr_mac_str(lb->ports[p].mac, mac);
	k->vhost = access(KIF_VHOST_NET, R_OK | W_OK) == 0;
	snprintf(vdev, sizeof(vdev), "%s_%s", k->vhost ? "net_virtio_user" : "net_tap", k->name);
	memcpy(k->vdev, vdev, sizeof(vdev));
	if (k->vhost)
		snprintf(args, sizeof(args), "path=%s,queues=1,queue_size=%u,iface=%s,mac=%s",
			 KIF_VHOST_NET, DSR_LB_KIF_DESC, k->name, mac);
	else
		snprintf(args, sizeof(args), "iface=%s,mac=%s", k->name, mac);
	r = rte_eal_hotplug_add("vdev", k->vdev, args);
	if (r != 0) {
		snprintf(err, errlen,
			 "kernel interface %s: cannot create %s (%s): %s; is the name free, and "
			 "may dsrlb create interfaces (CAP_NET_ADMIN)?",
			 k->name, k->vdev, args, rte_strerror(r < 0 ? -r : r));
		return -1;
	}
	k->plugged = true;
	if (rte_eth_dev_get_port_by_name(k->vdev, &k->dev_port) != 0) {
		snprintf(err, errlen, "kernel interface %s: %s has no port", k->name, k->vdev);
		return -1;
	}
	k->pool = kif_pool(lb, p, socket, err, errlen);
	if (k->pool == NULL)
		return -1;
	memset(&ec, 0, sizeof(ec));
	r = rte_eth_dev_configure(k->dev_port, 1, 1, &ec);
	if (r == 0)
		r = rte_eth_rx_queue_setup(k->dev_port, 0, DSR_LB_KIF_DESC, (unsigned int)socket,
					   NULL, k->pool);
	if (r == 0)
		r = rte_eth_tx_queue_setup(k->dev_port, 0, DSR_LB_KIF_DESC, (unsigned int)socket,
					   NULL);
	if (r == 0)
		r = rte_eth_dev_start(k->dev_port);
	if (r != 0) {
		snprintf(err, errlen, "kernel interface %s: cannot start %s: %s", k->name, k->vdev,
			 rte_strerror(-r));
		return -1;
	}
	k->started = true;
	return 0;
}

int
dsr_lb_kif_init(struct dsr_lb *lb, char *err, size_t errlen)
{
	const struct dsr_conf_port *cp;
	struct dsr_lb_kif *k;
	uint16_t p;

	for (p = 0; p < DSR_MAX_PORTS; p++) {
		cp = &lb->conf->ports[p];
		if (cp->kif[0] == '\0')
			continue;
		k = &lb->kif[p];
		snprintf(k->name, sizeof(k->name), "%s", cp->kif);
		if (p >= lb->nb_ports || (!cp->has_addr && !cp->has_addr6)) {
			snprintf(
				err, errlen,
				p >= lb->nb_ports
					? "the config gives port %u kernel interface %s, but there "
					  "is no such port"
					: "port %u kernel-interface %s needs an address: add 'port "
					  "%u address IP/LEN'",
				p, k->name, p);
			return -1;
		}
		if (if_nametoindex(k->name) != 0) {
			snprintf(err, errlen,
				 "kernel interface %s: an interface of that name exists already",
				 k->name);
			return -1;
		}
		if (kif_create_port(lb, p, err, errlen) != 0 ||
		    kif_configure_kernel(k, lb->ports[p].mac, cp, err, errlen) != 0)
			return -1;
		dsr_log(DSR_LOG_INFO,
			"port %u: kernel interface %s (%s, DPDK port %u, ifindex %u) is up", p,
			k->name, dsr_lb_kif_driver(k), k->dev_port, k->ifindex);
	}
	return 0;
}

void
dsr_lb_kif_fini(struct dsr_lb *lb)
{
	struct rte_mempool *pool;
	uint16_t p;

	for (p = 0; p < DSR_MAX_PORTS; p++) {
		struct dsr_lb_kif *k = &lb->kif[p];

		if (k->started) {
			(void)rte_eth_dev_stop(k->dev_port);
			(void)rte_eth_dev_close(k->dev_port);
		}
		if (k->plugged && rte_eal_hotplug_remove("vdev", k->vdev) != 0)
			dsr_log(DSR_LOG_WARNING, "kernel interface %s: cannot remove %s", k->name,
				k->vdev);
		/* Its pool outlives it: the port's TX ring may hold its buffers. */
		pool = k->pool;
		memset(k, 0, sizeof(*k));
		k->pool = pool;
	}
}

void
dsr_lb_kif_pools_free(struct dsr_lb *lb)
{
	uint16_t p;

	for (p = 0; p < DSR_MAX_PORTS; p++) {
		rte_mempool_free(lb->kif[p].pool);
		lb->kif[p].pool = NULL;
	}
}

bool
dsr_lb_kif_take(struct dsr_lb *lb, struct rte_mbuf *m)
{
	uint16_t p = m->port;
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	struct dsr_pkt pkt;
	struct dsr_lb_kif *k;

	if (p >= DSR_MAX_PORTS || !lb->kif[p].started)
		return false;
	k = &lb->kif[p];
	if (dsr_pkt_parse(frame, len, &pkt) == DSR_PKT_ARP &&
	    dsr_arp_kernel_rx(frame, len, lb->conf->ports[p].ip) != DSR_ARP_KERNEL_COPY)
		return false;
	if (rte_eth_tx_burst(k->dev_port, 0, &m, 1) == 1) {
		DSR_CTR_ADD(lb->main_st->port[p].kernel_in_pkts, 1);
		return true;
	}
	DSR_CTR_ADD(lb->main_st->port[p].kernel_drops, 1);
	return false;
}

/* An ARP reply or an NA from the kernel: dsrlb has answered already. */
static bool
kif_tx_drop(const struct rte_mbuf *m)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);

	return dsr_arp_kernel_tx(frame, len) == DSR_ARP_KERNEL_DROP ||
	       dsr_nd_kernel_tx(frame, len) == DSR_ARP_KERNEL_DROP;
}

/* What the kernel sent on port p's interface: out of port p. */
static void
kif_poll(struct dsr_lb *lb, uint16_t p)
{
	struct dsr_worker *w = lb->workers[p % lb->nb_workers];
	struct rte_mbuf *m[DSR_BURST];
	unsigned int b, i, n;

	for (b = 0; b < KIF_BURSTS; b++) {
		n = rte_eth_rx_burst(lb->kif[p].dev_port, 0, m, DSR_BURST);
		for (i = 0; i < n; i++) {
			if (kif_tx_drop(m[i])) {
				rte_pktmbuf_free(m[i]);
				continue;
			}
			m[i]->port = p;
			m[i]->ol_flags = 0;
			if (rte_ring_enqueue(w->tx_ring, m[i]) == 0) {
				DSR_CTR_ADD(lb->main_st->port[p].kernel_out_pkts, 1);
			} else {
				rte_pktmbuf_free(m[i]);
				DSR_CTR_ADD(lb->main_st->port[p].kernel_drops, 1);
			}
		}
		if (n < DSR_BURST)
			break;
	}
}

void
dsr_lb_kif_service(struct dsr_lb *lb)
{
	uint16_t p;

	for (p = 0; p < lb->nb_ports; p++)
		if (lb->kif[p].started)
			kif_poll(lb, p);
}
