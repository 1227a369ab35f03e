/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration state. Every apply function checks everything first
 * and changes conf only once nothing can fail, so a failed command leaves
 * the state as it was.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conf_pvt.h"
#include "dsr_conf.h"

static const uint32_t conf_default_timeouts[DSR_TIMEOUT_NKINDS] = {
	[DSR_TIMEOUT_TCP_SYN] = 30, [DSR_TIMEOUT_TCP] = 900, [DSR_TIMEOUT_TCP_FIN] = 60,
	[DSR_TIMEOUT_UDP] = 300,    [DSR_TIMEOUT_FRAG] = 2,
};

/* Write one error line into err (if any) and return -1. */
int
dsr_conf_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Not "this network" (0/8), loopback (127/8), multicast, reserved or broadcast (224/3). */
static bool
is_unicast(uint32_t ip_be)
{
	uint32_t a = ntohl(ip_be);

	return (a >> 24) != 0 && (a >> 24) != 127 && a < 0xe0000000u;
}

static int
check_unicast(uint32_t ip_be, const char *what, char *err, size_t errlen)
{
	char ip[INET_ADDRSTRLEN];

	if (is_unicast(ip_be))
		return 0;
	return dsr_conf_err(err, errlen, "%s %s is not a unicast address", what,
			    dsr_ip_str(ip_be, ip));
}

static bool
is_prime(uint32_t n)
{
	uint32_t d;

	if (n < 2)
		return false;
	if (n % 2 == 0)
		return n == 2;
	for (d = 3; d <= n / d; d += 2)
		if (n % d == 0)
			return false;
	return true;
}

void
dsr_conf_init(struct dsr_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	memcpy(conf->timeout_s, conf_default_timeouts, sizeof(conf->timeout_s));
	conf->conntrack_size = DSR_CONNTRACK_DEFAULT;
	conf->conntrack_size6 = DSR_CONNTRACK6_AUTO;
	conf->maglev_size = 65537u;
	conf->strict_syn = false;
	conf->arp_announce_count = 2;
	conf->arp_announce_interval_s = DSR_ARP_ANNOUNCE_INTERVAL;
	conf->arp_refresh_s = 60;
	conf->icmp_forward = true;
	conf->icmp_rate = 1000;
}

/* Is ip on the subnet of port p? */
static bool
port_holds(const struct dsr_conf_port *p, uint32_t ip)
{
	uint32_t mask = p->prefix_len == 0 ? 0 : htonl(~0u << (32 - p->prefix_len));

	return p->has_addr && (p->ip & mask) == (ip & mask);
}

int
dsr_conf_port_of(const struct dsr_conf *conf, uint32_t ip)
{
	unsigned int i;

	for (i = 0; i < DSR_MAX_PORTS; i++)
		if (port_holds(&conf->ports[i], ip))
			return (int)i;
	return -1;
}

int
dsr_conf_find_vip(const struct dsr_conf *conf, const struct dsr_svc_key *svc)
{
	unsigned int i;

	for (i = 0; i < DSR_MAX_VIPS; i++) {
		const struct dsr_conf_vip *v = &conf->vips[i];

		if (v->used && v->svc.family == svc->family && v->svc.ip == svc->ip &&
		    v->svc.port == svc->port && v->svc.proto == svc->proto &&
		    (svc->family != DSR_AF_IPV6 || memcmp(v->svc.ip6, svc->ip6, 16) == 0))
			return (int)i;
	}
	return -1;
}

unsigned int
dsr_conf_vip_count(const struct dsr_conf *conf)
{
	unsigned int i, n = 0;

	for (i = 0; i < DSR_MAX_VIPS; i++)
		n += conf->vips[i].used;
	return n;
}

int
dsr_conf_check_reload(const struct dsr_conf *run, const struct dsr_conf *want, bool allow_empty,
		      char *err, size_t errlen)
{
	unsigned int n = dsr_conf_vip_count(run);

	if (allow_empty || n == 0 || dsr_conf_vip_count(want) > 0)
		return 0;
	return dsr_conf_err(
		err, errlen,
		"the file has no VIP: it would remove all %u VIPs; refused (start dsrlb "
		"with --allow-empty to allow this, or remove VIPs with 'vip del')",
		n);
}

int
dsr_conf_find_backend_addr(const struct dsr_conf *conf, uint16_t vip, uint8_t family, uint32_t ip,
			   const uint8_t ip6[16])
{
	unsigned int i;

	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		const struct dsr_conf_backend *b = &conf->backends[i];

		if (b->used && b->vip == vip && b->family == family &&
		    (family == DSR_AF_IPV6 ? memcmp(b->ip6, ip6, 16) == 0 : b->ip == ip))
			return (int)i;
	}
	return -1;
}

int
dsr_conf_find_backend(const struct dsr_conf *conf, uint16_t vip, uint32_t ip)
{
	static const uint8_t none[16];

	return dsr_conf_find_backend_addr(conf, vip, DSR_AF_IPV4, ip, none);
}

/*
 * A backend address must be someone else's: not a port address nor a
 * VIP (the balancer would send the packets to itself). Says whose it is.
 */
static int
check_not_own(const struct dsr_conf *conf, uint32_t ip, char *err, size_t errlen)
{
	char s[DSR_IP6_STR_LEN], v[DSR_SVC_STR_LEN];
	unsigned int i;

	for (i = 0; i < DSR_MAX_PORTS; i++)
		if (conf->ports[i].has_addr && conf->ports[i].ip == ip)
			return dsr_conf_err(
				err, errlen,
				"backend %s is the address of port %u: a backend cannot be "
				"the balancer itself",
				dsr_ip_str(ip, s), i);
	for (i = 0; i < DSR_MAX_VIPS; i++)
		if (conf->vips[i].used && conf->vips[i].svc.ip == ip)
			return dsr_conf_err(
				err, errlen,
				"backend %s is VIP %s: a backend cannot be the balancer "
				"itself",
				dsr_ip_str(ip, s), dsr_svc_str(&conf->vips[i].svc, v, sizeof(v)));
	return 0;
}

/* "the address of backend B of VIP V", for errors. */
static const char *
backend_str(const struct dsr_conf *conf, int id, char *buf, size_t len)
{
	const struct dsr_conf_backend *b = &conf->backends[id];
	char s[DSR_IP6_STR_LEN], v[DSR_SVC_STR_LEN];

	snprintf(buf, len, "the address of backend %s of VIP %s",
		 dsr_addr_str(b->family, b->ip, b->ip6, s),
		 dsr_svc_str(&conf->vips[b->vip].svc, v, sizeof(v)));
	return buf;
}

/* A backend's static MAC must be a unicast address other than all zeros. */
static int
check_backend_mac(const char *ip, const uint8_t mac[6], char *err, size_t errlen)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	char m[DSR_MAC_STR_LEN];
	const char *what;

	if (dsr_mac_is_unicast(mac))
		return 0;
	if (dsr_mac_eq(mac, bcast))
		what = "broadcast";
	else if (mac[0] & 1)
		what = "multicast";
	else
		what = "all zeros";
	return dsr_conf_err(err, errlen,
			    "backend %s mac %s is %s: give the backend's own unicast MAC", ip,
			    dsr_mac_str(mac, m), what);
}

static int
apply_port_address4(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	uint16_t port = cmd->u.port_addr.port;
	uint8_t len = cmd->u.port_addr.prefix_len;
	uint32_t ip = cmd->u.port_addr.ip;
	uint32_t host_mask, host;
	struct dsr_conf_port np;
	char s[INET_ADDRSTRLEN], bs[96];
	unsigned int i;
	int other;

	if (port >= DSR_MAX_PORTS)
		return dsr_conf_err(err, errlen, "port %u out of range (0-%u)", port,
				    DSR_MAX_PORTS - 1);
	if (len > 32)
		return dsr_conf_err(err, errlen, "bad prefix length %u (0-32)", len);
	if (conf->ports[port].has_addr)
		return dsr_conf_err(
			err, errlen, "port %u already has address %s/%u (one address per port)",
			port, dsr_ip_str(conf->ports[port].ip, s), conf->ports[port].prefix_len);
	if (check_unicast(ip, "port address", err, errlen) < 0)
		return -1;
	other = dsr_conf_backend_with(conf, DSR_AF_IPV4, ip, NULL);
	if (other >= 0)
		return dsr_conf_err(err, errlen, "port %u address %s is %s", port,
				    dsr_ip_str(ip, s), backend_str(conf, other, bs, sizeof(bs)));
	if (len <= 30) {
		host_mask = len == 0 ? UINT32_MAX : (1u << (32 - len)) - 1;
		host = ntohl(ip) & host_mask;
		if (host == 0 || host == host_mask)
			return dsr_conf_err(err, errlen,
					    "port %u address %s/%u is the %s address of its subnet",
					    port, dsr_ip_str(ip, s), len,
					    host == 0 ? "network" : "broadcast");
	}
	for (i = 0; i < DSR_MAX_PORTS; i++)
		if (i != port && conf->ports[i].has_addr && conf->ports[i].ip == ip)
			return dsr_conf_err(err, errlen, "address %s is already on port %u",
					    dsr_ip_str(ip, s), i);
	np = conf->ports[port]; /* its IPv6 address and kernel interface stay */
	np.has_addr = true;
	np.prefix_len = len;
	np.ip = ip;
	conf->ports[port] = np;
	return 0;
}

static int
apply_port_address(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	if (cmd->u.port_addr.family == DSR_AF_IPV6)
		return dsr_conf_apply_port_address6(conf, cmd, err, errlen);
	return apply_port_address4(conf, cmd, err, errlen);
}

/* A service from a command: TCP or UDP, a port, a unicast address. */
static int
check_svc(const struct dsr_svc_key *svc, char *err, size_t errlen)
{
	char s[DSR_SVC_STR_LEN];

	if ((svc->proto != IPPROTO_TCP && svc->proto != IPPROTO_UDP) || svc->port == 0 ||
	    svc->family > DSR_AF_IPV6)
		return dsr_conf_err(err, errlen, "bad service %s", dsr_svc_str(svc, s, sizeof(s)));
	if (svc->family == DSR_AF_IPV6)
		return dsr_conf_check_unicast6(svc->ip6, "VIP", err, errlen);
	return check_unicast(svc->ip, "VIP", err, errlen);
}

/* The id of the command's VIP, or -1 with "VIP ... does not exist". */
static int
existing_vip(const struct dsr_conf *conf, const struct dsr_svc_key *svc, char *err, size_t errlen)
{
	int id = dsr_conf_find_vip(conf, svc);
	char s[DSR_SVC_STR_LEN];

	if (id < 0)
		dsr_conf_err(err, errlen, "VIP %s does not exist", dsr_svc_str(svc, s, sizeof(s)));
	return id;
}

static int
apply_vip_add(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	const struct dsr_svc_key *svc = &cmd->u.vip.svc;
	struct dsr_conf_vip *v;
	char s[DSR_SVC_STR_LEN], bs[160];
	unsigned int id;
	int be;

	if (check_svc(svc, err, errlen) < 0)
		return -1;
	if (dsr_conf_find_vip(conf, svc) >= 0)
		return dsr_conf_err(err, errlen, "VIP %s already exists",
				    dsr_svc_str(svc, s, sizeof(s)));
	if (dsr_conf_check_routed(conf, svc, cmd->u.vip.routed, err, errlen) < 0)
		return -1;
	be = dsr_conf_backend_with(conf, svc->family, svc->ip, svc->ip6);
	if (be >= 0)
		return dsr_conf_err(err, errlen, "VIP %s is %s", dsr_svc_str(svc, s, sizeof(s)),
				    backend_str(conf, be, bs, sizeof(bs)));
	for (id = 0; id < DSR_MAX_VIPS && conf->vips[id].used; id++)
		;
	if (id == DSR_MAX_VIPS)
		return dsr_conf_err(err, errlen, "no free VIP id (max %u VIPs)", DSR_MAX_VIPS);
	v = &conf->vips[id];
	memset(v, 0, sizeof(*v));
	v->used = true;
	v->svc.family = svc->family;
	if (svc->family == DSR_AF_IPV6)
		memcpy(v->svc.ip6, svc->ip6, 16);
	else
		v->svc.ip = svc->ip;
	v->svc.port = svc->port;
	v->svc.proto = svc->proto;
	v->routed = cmd->u.vip.routed;
	dsr_check_default(&v->check);
	return 0;
}

static int
apply_vip_del(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	int id = existing_vip(conf, &cmd->u.vip.svc, err, errlen);
	unsigned int i;

	if (id < 0)
		return -1;
	for (i = 0; i < DSR_MAX_BACKENDS; i++)
		if (conf->backends[i].used && conf->backends[i].vip == id)
			memset(&conf->backends[i], 0, sizeof(conf->backends[i]));
	memset(&conf->vips[id], 0, sizeof(conf->vips[id]));
	return 0;
}

/* The backend named by a backend del/set command, or -1 with the reason. */
static int
existing_backend(const struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	int vip = existing_vip(conf, &cmd->u.backend.svc, err, errlen);
	char s[DSR_SVC_STR_LEN], ip[DSR_IP6_STR_LEN];
	int id;

	if (vip < 0)
		return -1;
	id = dsr_conf_find_backend_addr(conf, (uint16_t)vip, cmd->u.backend.family,
					cmd->u.backend.ip, cmd->u.backend.ip6);
	if (id < 0)
		dsr_conf_err(err, errlen, "backend %s of VIP %s does not exist",
			     dsr_addr_str(cmd->u.backend.family, cmd->u.backend.ip,
					  cmd->u.backend.ip6, ip),
			     dsr_svc_str(&cmd->u.backend.svc, s, sizeof(s)));
	return id;
}

static int
check_weight(uint32_t weight, char *err, size_t errlen)
{
	if (weight > DSR_WEIGHT_MAX)
		return dsr_conf_err(err, errlen, "bad weight %u (0-%u)", weight, DSR_WEIGHT_MAX);
	return 0;
}

/* A backend's address: of its VIP's family, unicast, not the balancer's own. */
static int
check_backend_addr(const struct dsr_conf *conf, const struct dsr_cmd *cmd, int vip, char *err,
		   size_t errlen)
{
	const struct dsr_svc_key *svc = &conf->vips[vip].svc;
	char s[DSR_SVC_STR_LEN], ip[DSR_IP6_STR_LEN];

	dsr_addr_str(cmd->u.backend.family, cmd->u.backend.ip, cmd->u.backend.ip6, ip);
	if (cmd->u.backend.family != svc->family)
		return dsr_conf_err(err, errlen, "backend %s is %s but VIP %s is %s", ip,
				    cmd->u.backend.family == DSR_AF_IPV6 ? "IPv6" : "IPv4",
				    dsr_svc_str(svc, s, sizeof(s)),
				    svc->family == DSR_AF_IPV6 ? "IPv6" : "IPv4");
	if (cmd->u.backend.family == DSR_AF_IPV6)
		return dsr_conf_check_unicast6(cmd->u.backend.ip6, "backend", err, errlen) < 0 ||
				       dsr_conf_check_not_own6(conf, cmd->u.backend.ip6, err,
							       errlen) < 0
			       ? -1
			       : 0;
	if (check_unicast(cmd->u.backend.ip, "backend", err, errlen) < 0 ||
	    check_not_own(conf, cmd->u.backend.ip, err, errlen) < 0)
		return -1;
	return 0;
}

static int
apply_backend_add(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	int vip = existing_vip(conf, &cmd->u.backend.svc, err, errlen);
	const uint8_t family = cmd->u.backend.family;
	struct dsr_conf_backend *b;
	char s[DSR_SVC_STR_LEN], ip[DSR_IP6_STR_LEN];
	unsigned int id;

	if (vip < 0 || check_backend_addr(conf, cmd, vip, err, errlen) < 0)
		return -1;
	dsr_addr_str(family, cmd->u.backend.ip, cmd->u.backend.ip6, ip);
	if ((cmd->u.backend.has_mac &&
	     check_backend_mac(ip, cmd->u.backend.mac, err, errlen) < 0) ||
	    check_weight(cmd->u.backend.weight, err, errlen) < 0)
		return -1;
	if (dsr_conf_find_backend_addr(conf, (uint16_t)vip, family, cmd->u.backend.ip,
				       cmd->u.backend.ip6) >= 0)
		return dsr_conf_err(err, errlen, "backend %s of VIP %s already exists", ip,
				    dsr_svc_str(&cmd->u.backend.svc, s, sizeof(s)));
	if (!cmd->u.backend.has_mac &&
	    (family == DSR_AF_IPV6 ? dsr_conf_port_of6(conf, cmd->u.backend.ip6)
				   : dsr_conf_port_of(conf, cmd->u.backend.ip)) < 0)
		return dsr_conf_err(
			err, errlen,
			"backend %s is on no port's subnet, so its MAC cannot be resolved: "
			"give 'mac', or a 'port N address' on its subnet first",
			ip);
	for (id = 0; id < DSR_MAX_BACKENDS && (conf->backends[id].used || conf->backend_held[id]);
	     id++)
		;
	if (id == DSR_MAX_BACKENDS)
		return dsr_conf_err(err, errlen, "no free backend id (max %u backends)",
				    DSR_MAX_BACKENDS);
	b = &conf->backends[id];
	memset(b, 0, sizeof(*b));
	b->used = true;
	b->has_mac = cmd->u.backend.has_mac;
	if (b->has_mac)
		memcpy(b->mac, cmd->u.backend.mac, sizeof(b->mac));
	b->vip = (uint16_t)vip;
	b->family = family;
	if (family == DSR_AF_IPV6)
		memcpy(b->ip6, cmd->u.backend.ip6, 16);
	else
		b->ip = cmd->u.backend.ip;
	b->weight = cmd->u.backend.weight;
	return 0;
}

static int
apply_backend_del(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	int id = existing_backend(conf, cmd, err, errlen);

	if (id < 0)
		return -1;
	memset(&conf->backends[id], 0, sizeof(conf->backends[id]));
	return 0;
}

static int
apply_backend_set(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	int id = existing_backend(conf, cmd, err, errlen);

	if (id < 0 || check_weight(cmd->u.backend.weight, err, errlen) < 0)
		return -1;
	conf->backends[id].weight = cmd->u.backend.weight;
	return 0;
}

static int
apply_timeout(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	unsigned int kind = (unsigned int)cmd->u.timeout.kind;
	uint32_t s = cmd->u.timeout.seconds, max;

	if (kind >= DSR_TIMEOUT_NKINDS)
		return dsr_conf_err(err, errlen, "bad timeout kind %u", kind);
	max = kind == DSR_TIMEOUT_FRAG ? DSR_TIMEOUT_FRAG_MAX_S : DSR_TIMEOUT_MAX_S;
	if (s < 1 || s > max)
		return dsr_conf_err(err, errlen, "timeout %s %u out of range (1-%u)",
				    dsr_timeout_name(cmd->u.timeout.kind), s, max);
	conf->timeout_s[kind] = s;
	return 0;
}

static int
apply_conntrack_size(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	uint32_t n = cmd->u.size;

	if (n < DSR_CONNTRACK_MIN || n > DSR_CONNTRACK_MAX)
		return dsr_conf_err(err, errlen, "conntrack size %u out of range (%u-%u)", n,
				    DSR_CONNTRACK_MIN, DSR_CONNTRACK_MAX);
	conf->conntrack_size = n;
	return 0;
}

static int
apply_conntrack_size6(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	uint32_t n = cmd->u.size;

	if (n != 0 && (n < DSR_CONNTRACK_MIN || n > DSR_CONNTRACK_MAX))
		return dsr_conf_err(err, errlen, "conntrack size6 %u out of range (0 or %u-%u)", n,
				    DSR_CONNTRACK_MIN, DSR_CONNTRACK_MAX);
	conf->conntrack_size6 = n;
	return 0;
}

uint32_t
dsr_conf_conntrack_size6(const struct dsr_conf *conf)
{
	if (conf->conntrack_size6 != DSR_CONNTRACK6_AUTO)
		return conf->conntrack_size6;
	return conf->conntrack_size / 4 < DSR_CONNTRACK_MIN ? DSR_CONNTRACK_MIN
							    : conf->conntrack_size / 4;
}

static int
apply_maglev_size(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	uint32_t n = cmd->u.size;

	if (n < DSR_CONF_MAGLEV_MIN || n > DSR_CONF_MAGLEV_MAX)
		return dsr_conf_err(err, errlen, "maglev size %u out of range (%u-%u)", n,
				    DSR_CONF_MAGLEV_MIN, DSR_CONF_MAGLEV_MAX);
	if (!is_prime(n))
		return dsr_conf_err(err, errlen, "maglev size %u is not prime", n);
	conf->maglev_size = n;
	return 0;
}

static int
apply_strict_syn(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	conf->strict_syn = cmd->u.on;
	return 0;
}

static int
apply_icmp_forward(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	conf->icmp_forward = cmd->u.on;
	return 0;
}

static int
apply_icmp_rate(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	if (cmd->u.rate > DSR_ICMP_RATE_MAX)
		return dsr_conf_err(err, errlen, "icmp rate %u out of range (0-%u)", cmd->u.rate,
				    DSR_ICMP_RATE_MAX);
	conf->icmp_rate = cmd->u.rate;
	return 0;
}

static int
apply_arp_announce(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	if (cmd->u.arp_announce.count > DSR_ARP_ANNOUNCE_MAX ||
	    cmd->u.arp_announce.interval_s < 1 ||
	    cmd->u.arp_announce.interval_s > DSR_ARP_INTERVAL_MAX_S)
		return dsr_conf_err(err, errlen, "arp announce %u interval %u out of range",
				    cmd->u.arp_announce.count, cmd->u.arp_announce.interval_s);
	conf->arp_announce_count = cmd->u.arp_announce.count;
	conf->arp_announce_interval_s = cmd->u.arp_announce.interval_s;
	return 0;
}

static int
apply_arp_refresh(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	if (cmd->u.seconds < 1 || cmd->u.seconds > DSR_ARP_REFRESH_MAX_S)
		return dsr_conf_err(err, errlen, "arp refresh %u out of range (1-%u)",
				    cmd->u.seconds, DSR_ARP_REFRESH_MAX_S);
	conf->arp_refresh_s = cmd->u.seconds;
	return 0;
}

static int
apply_port_kif(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	uint16_t port = cmd->u.port_kif.port;
	const char *name = cmd->u.port_kif.name;
	unsigned int i;

	if (port >= DSR_MAX_PORTS)
		return dsr_conf_err(err, errlen, "port %u out of range (0-%u)", port,
				    DSR_MAX_PORTS - 1);
	if (name[0] == '\0' || memchr(name, '\0', DSR_IFNAME_MAX) == NULL)
		return dsr_conf_err(err, errlen, "port %u: bad kernel interface name", port);
	if (conf->ports[port].kif[0] != '\0')
		return dsr_conf_err(err, errlen,
				    "port %u already has kernel interface %s (one per port)", port,
				    conf->ports[port].kif);
	for (i = 0; i < DSR_MAX_PORTS; i++)
		if (strcmp(conf->ports[i].kif, name) == 0)
			return dsr_conf_err(err, errlen, "kernel interface %s is already port %u's",
					    name, i);
	snprintf(conf->ports[port].kif, sizeof(conf->ports[port].kif), "%s", name);
	return 0;
}

/*
 * What each configuration command does to a state, by the command table's
 * id: apply it, and for settings, write their values back as commands.
 * The control socket's commands (DSR_CMD_F_RUNTIME) have no row here.
 */
static const struct conf_cmd_ops {
	int (*apply)(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen);
	int (*settings)(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg);
} conf_ops[DSR_CMD_NIDS] = {
	[DSR_CMD_PORT_ADDRESS] = {apply_port_address, dsr_conf_settings_ports},
	[DSR_CMD_PORT_KERNEL_IF] = {apply_port_kif, dsr_conf_settings_port_kif},
	[DSR_CMD_VIP_ADD] = {apply_vip_add, NULL},
	[DSR_CMD_VIP_DEL] = {apply_vip_del, NULL},
	[DSR_CMD_BACKEND_ADD] = {apply_backend_add, NULL},
	[DSR_CMD_BACKEND_DEL] = {apply_backend_del, NULL},
	[DSR_CMD_BACKEND_SET] = {apply_backend_set, NULL},
	[DSR_CMD_CHECK_SET] = {dsr_conf_apply_check, NULL},
	[DSR_CMD_TIMEOUT_SET] = {apply_timeout, dsr_conf_settings_timeouts},
	[DSR_CMD_CONNTRACK_SIZE] = {apply_conntrack_size, dsr_conf_settings_conntrack},
	[DSR_CMD_CONNTRACK_SIZE6] = {apply_conntrack_size6, dsr_conf_settings_conntrack6},
	[DSR_CMD_STRICT_SYN] = {apply_strict_syn, dsr_conf_settings_strict_syn},
	[DSR_CMD_MAGLEV_SIZE] = {apply_maglev_size, dsr_conf_settings_maglev},
	[DSR_CMD_ARP_ANNOUNCE] = {apply_arp_announce, dsr_conf_settings_arp_announce},
	[DSR_CMD_ARP_REFRESH] = {apply_arp_refresh, dsr_conf_settings_arp_refresh},
	[DSR_CMD_ICMP_FORWARD] = {apply_icmp_forward, dsr_conf_settings_icmp_forward},
	[DSR_CMD_ICMP_RATE] = {apply_icmp_rate, dsr_conf_settings_icmp_rate},
	[DSR_CMD_ANNOUNCE_TABLE] = {dsr_conf_apply_announce_table, dsr_conf_settings_announce},
};

bool
dsr_conf_applies(enum dsr_cmd_id id, bool *settings)
{
	bool has = (unsigned int)id < DSR_CMD_NIDS && conf_ops[id].apply != NULL;

	if (settings != NULL)
		*settings = has && conf_ops[id].settings != NULL;
	return has;
}

int
dsr_conf_apply(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	const struct dsr_cmd_spec *spec = dsr_cmd_spec_of(cmd->id);

	if (spec == NULL)
		return dsr_conf_err(err, errlen, "bad command id %d", (int)cmd->id);
	if ((spec->flags & DSR_CMD_F_RUNTIME) || conf_ops[cmd->id].apply == NULL)
		return dsr_conf_err(err, errlen, "'%s' is not a configuration command",
				    spec->words);
	return conf_ops[cmd->id].apply(conf, cmd, err, errlen);
}

/* The order settings are written in (show config); the cmd_table test checks it is whole. */
static const enum dsr_cmd_id settings_order[] = {
	DSR_CMD_TIMEOUT_SET,  DSR_CMD_CONNTRACK_SIZE, DSR_CMD_CONNTRACK_SIZE6,
	DSR_CMD_MAGLEV_SIZE,  DSR_CMD_STRICT_SYN,     DSR_CMD_ARP_ANNOUNCE,
	DSR_CMD_ARP_REFRESH,  DSR_CMD_ICMP_FORWARD,   DSR_CMD_ICMP_RATE,
	DSR_CMD_PORT_ADDRESS, DSR_CMD_PORT_KERNEL_IF, DSR_CMD_ANNOUNCE_TABLE,
};

int
dsr_conf_settings(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg)
{
	unsigned int i;
	int r = 0;

	for (i = 0; i < DSR_DIM(settings_order) && r == 0; i++)
		r = conf_ops[settings_order[i]].settings(conf, emit, arg);
	return r;
}

/* Parse and apply n bytes of text; a blank or comment line is 0. */
int
dsr_conf_apply_text(struct dsr_conf *conf, const char *line, size_t n, char *err, size_t errlen)
{
	struct dsr_cmd cmd;
	int r = dsr_cmd_parse_n(line, n, &cmd, err, errlen);

	if (r <= 0)
		return r;
	return dsr_conf_apply(conf, &cmd, err, errlen);
}

int
dsr_conf_apply_line(struct dsr_conf *conf, const char *line, char *err, size_t errlen)
{
	return dsr_conf_apply_text(conf, line, strlen(line), err, errlen);
}
