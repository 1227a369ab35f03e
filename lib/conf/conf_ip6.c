/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 addresses in the configuration: which may be a port's, a VIP's or
 * a backend's, a port's IPv6 address and subnet, and the lookups that
 * IPv4's code does with uint32_t compares.
 */
#include <string.h>

#include "conf_pvt.h"
#include "dsr_conf.h"

/*
 * Not unspecified (::), loopback (::1), multicast (ff00::/8), link-local
 * (fe80::/10: dsrlb's addresses and backends are reached by routing and
 * NDP on a subnet) or IPv4-mapped (::ffff:0:0/96).
 */
bool
dsr_conf_is_unicast6(const uint8_t a[16])
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t zero[15];

	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
		return false;
	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return false;
	return memcmp(a, mapped, sizeof(mapped)) != 0;
}

int
dsr_conf_check_unicast6(const uint8_t ip6[16], const char *what, char *err, size_t errlen)
{
	char s[DSR_IP6_STR_LEN];

	if (dsr_conf_is_unicast6(ip6))
		return 0;
	return dsr_conf_err(err, errlen,
			    "%s %s is not a global or unique-local unicast address (not ::, ::1, "
			    "multicast, link-local or IPv4-mapped)",
			    what, dsr_ip6_str(ip6, s));
}

/* Whether a and b share their first len bits. */
static bool
prefix_eq(const uint8_t a[16], const uint8_t b[16], unsigned int len)
{
	unsigned int bytes = len / 8, bits = len % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	return bits == 0 || ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

int
dsr_conf_port_of6(const struct dsr_conf *conf, const uint8_t ip6[16])
{
	unsigned int i;

	for (i = 0; i < DSR_MAX_PORTS; i++)
		if (conf->ports[i].has_addr6 &&
		    prefix_eq(conf->ports[i].ip6, ip6, conf->ports[i].prefix6))
			return (int)i;
	return -1;
}

int
dsr_conf_backend_with(const struct dsr_conf *conf, uint8_t family, uint32_t ip,
		      const uint8_t ip6[16])
{
	unsigned int i;

	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		const struct dsr_conf_backend *b = &conf->backends[i];

		if (b->used && b->family == family &&
		    (family == DSR_AF_IPV6 ? memcmp(b->ip6, ip6, 16) == 0 : b->ip == ip))
			return (int)i;
	}
	return -1;
}

int
dsr_conf_check_not_own6(const struct dsr_conf *conf, const uint8_t ip6[16], char *err,
			size_t errlen)
{
	char s[DSR_IP6_STR_LEN], v[DSR_SVC_STR_LEN];
	unsigned int i;

	for (i = 0; i < DSR_MAX_PORTS; i++)
		if (conf->ports[i].has_addr6 && memcmp(conf->ports[i].ip6, ip6, 16) == 0)
			return dsr_conf_err(err, errlen,
					    "backend %s is the address of port %u: a backend "
					    "cannot be the balancer itself",
					    dsr_ip6_str(ip6, s), i);
	for (i = 0; i < DSR_MAX_VIPS; i++)
		if (conf->vips[i].used && conf->vips[i].svc.family == DSR_AF_IPV6 &&
		    memcmp(conf->vips[i].svc.ip6, ip6, 16) == 0)
			return dsr_conf_err(err, errlen,
					    "backend %s is VIP %s: a backend cannot be the "
					    "balancer itself",
					    dsr_ip6_str(ip6, s),
					    dsr_svc_str(&conf->vips[i].svc, v, sizeof(v)));
	return 0;
}

int
dsr_conf_apply_port_address6(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err,
			     size_t errlen)
{
	static const uint8_t zero[16];
	uint16_t port = cmd->u.port_addr.port;
	uint8_t len = cmd->u.port_addr.prefix_len;
	const uint8_t *ip6 = cmd->u.port_addr.ip6;
	struct dsr_conf_port *p;
	char s[DSR_IP6_STR_LEN], t[DSR_IP6_STR_LEN], bs[160];
	unsigned int i;
	int other;

	if (port >= DSR_MAX_PORTS)
		return dsr_conf_err(err, errlen, "port %u out of range (0-%u)", port,
				    DSR_MAX_PORTS - 1);
	if (len > 128)
		return dsr_conf_err(err, errlen, "bad prefix length %u (0-128)", len);
	p = &conf->ports[port];
	if (p->has_addr6)
		return dsr_conf_err(err, errlen,
				    "port %u already has IPv6 address %s/%u (one IPv6 address per "
				    "port)",
				    port, dsr_ip6_str(p->ip6, t), p->prefix6);
	if (dsr_conf_check_unicast6(ip6, "port address", err, errlen) < 0)
		return -1;
	/* The subnet-router anycast address (RFC 4291 2.6.1): the host bits all zero. */
	if (len < 127) {
		uint8_t host[16];

		for (i = 0; i < 16; i++) {
			unsigned int lo = i * 8;

			host[i] = lo >= len       ? ip6[i]
				  : lo + 8 <= len ? 0
						  : (uint8_t)(ip6[i] & (0xff >> (len - lo)));
		}
		if (memcmp(host, zero, 16) == 0)
			return dsr_conf_err(err, errlen,
					    "port %u address %s/%u is the subnet-router anycast "
					    "address of its subnet",
					    port, dsr_ip6_str(ip6, s), len);
	}
	other = dsr_conf_backend_with(conf, DSR_AF_IPV6, 0, ip6);
	if (other >= 0) {
		const struct dsr_conf_backend *b = &conf->backends[other];
		char v[DSR_SVC_STR_LEN];

		snprintf(bs, sizeof(bs), "the address of backend %s of VIP %s",
			 dsr_ip6_str(b->ip6, t),
			 dsr_svc_str(&conf->vips[b->vip].svc, v, sizeof(v)));
		return dsr_conf_err(err, errlen, "port %u address %s is %s", port,
				    dsr_ip6_str(ip6, s), bs);
	}
	for (i = 0; i < DSR_MAX_PORTS; i++)
		if (i != port && conf->ports[i].has_addr6 &&
		    memcmp(conf->ports[i].ip6, ip6, 16) == 0)
			return dsr_conf_err(err, errlen, "address %s is already on port %u",
					    dsr_ip6_str(ip6, s), i);
	p->has_addr6 = true;
	p->prefix6 = len;
	memcpy(p->ip6, ip6, 16);
	return 0;
}

bool
dsr_conf_has_ipv6(const struct dsr_conf *conf)
{
	unsigned int i;

	for (i = 0; i < DSR_MAX_PORTS; i++)
		if (conf->ports[i].has_addr6)
			return true;
	for (i = 0; i < DSR_MAX_VIPS; i++)
		if (conf->vips[i].used && conf->vips[i].svc.family == DSR_AF_IPV6)
			return true;
	return false;
}
