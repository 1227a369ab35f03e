/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `check set`: a VIP's health check, part of the VIP (vip del drops it,
 * show config writes it after its vip add, a reload compares it per VIP).
 */
#include <netinet/in.h>
#include <string.h>

#include "conf_pvt.h"
#include "dsr_conf.h"

/*
 * Whether some port has a kernel interface (issue 15, section 1): the tcp
 * and http checks connect from the kernel (`port N kernel-interface NAME`).
 */
bool
dsr_conf_has_kernel_if(const struct dsr_conf *conf)
{
	unsigned int i;

	for (i = 0; i < DSR_MAX_PORTS; i++)
		if (conf->ports[i].kif[0] != '\0')
			return true;
	return false;
}

/* Whether some port has an address of family (a dsr check's source). */
static bool
has_port_address(const struct dsr_conf *conf, uint8_t family)
{
	unsigned int i;

	for (i = 0; i < DSR_MAX_PORTS; i++)
		if (family == DSR_AF_IPV6 ? conf->ports[i].has_addr6 : conf->ports[i].has_addr)
			return true;
	return false;
}

/* The ranges dsr_cmd_parse() checks, again for commands built by hand, and timeout <= interval. */
static int
check_ranges(const struct dsr_check *k, char *err, size_t errlen)
{
	char iv[16], to[16];

	if (k->interval_ms < DSR_CHECK_INTERVAL_MIN || k->interval_ms > DSR_CHECK_INTERVAL_MAX ||
	    k->timeout_ms < DSR_CHECK_INTERVAL_MIN || k->rise < 1 || k->rise > DSR_CHECK_RISE_MAX ||
	    k->fall < 1 || k->fall > DSR_CHECK_RISE_MAX || k->panic > 100 ||
	    (k->kind == DSR_CHECK_HTTP && (k->expect < 100 || k->expect > 599)))
		return dsr_conf_err(err, errlen, "check values out of range");
	if (k->kind == DSR_CHECK_HTTP &&
	    (k->path[0] != '/' || memchr(k->path, '\0', sizeof(k->path)) == NULL))
		return dsr_conf_err(err, errlen, "bad check path (starts with '/')");
	if (k->timeout_ms > k->interval_ms)
		return dsr_conf_err(err, errlen,
				    "check timeout %s s is longer than its interval %s s: a check "
				    "must end before the next one starts",
				    dsr_ms_str(k->timeout_ms, to, sizeof(to)),
				    dsr_ms_str(k->interval_ms, iv, sizeof(iv)));
	return 0;
}

int
dsr_conf_apply_check(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err, size_t errlen)
{
	const struct dsr_check *k = &cmd->u.check.check;
	int vip = dsr_conf_find_vip(conf, &cmd->u.check.svc);
	const char *kind = dsr_check_kind_name((enum dsr_check_kind)k->kind);
	struct dsr_check c;
	char s[DSR_SVC_STR_LEN];

	dsr_svc_str(&cmd->u.check.svc, s, sizeof(s));
	if (vip < 0)
		return dsr_conf_err(err, errlen, "VIP %s does not exist", s);
	if (k->kind >= DSR_CHECK_NKINDS)
		return dsr_conf_err(err, errlen, "bad check kind %u", k->kind);
	if (k->kind == DSR_CHECK_NONE) {
		dsr_check_default(&conf->vips[vip].check);
		return 0;
	}
	if (check_ranges(k, err, errlen) < 0)
		return -1;
	if ((k->kind == DSR_CHECK_TCP || k->kind == DSR_CHECK_HTTP) &&
	    !dsr_conf_has_kernel_if(conf))
		return dsr_conf_err(err, errlen,
				    "a %s check connects from the kernel, and no port has a kernel "
				    "interface: add 'port N kernel-interface NAME' to the config "
				    "file, or use 'check set %s dsr', which needs none",
				    kind, s);
	if (k->kind == DSR_CHECK_DSR && cmd->u.check.svc.proto != IPPROTO_TCP)
		return dsr_conf_err(err, errlen,
				    "a dsr check sends a TCP SYN to the VIP: VIP %s is not TCP", s);
	if (k->kind == DSR_CHECK_DSR && k->port != 0 && k->port != ntohs(cmd->u.check.svc.port))
		return dsr_conf_err(err, errlen,
				    "a dsr check goes to the VIP's own port: drop 'port %u'",
				    k->port);
	if (k->kind == DSR_CHECK_DSR && !has_port_address(conf, cmd->u.check.svc.family))
		return dsr_conf_err(
			err, errlen,
			"a dsr check sends from a port's address, and no port has one%s: "
			"add 'port N address IP/LEN' first",
			cmd->u.check.svc.family == DSR_AF_IPV6 ? " of IPv6" : "");
	/* Copy field by field onto zeros, so equal checks compare equal. */
	dsr_check_default(&c);
	c.kind = k->kind;
	c.panic = k->panic;
	c.port = k->port;
	c.interval_ms = k->interval_ms;
	c.timeout_ms = k->timeout_ms;
	c.rise = k->rise;
	c.fall = k->fall;
	if (k->kind == DSR_CHECK_HTTP) {
		c.expect = k->expect;
		memset(c.path, 0, sizeof(c.path));
		memcpy(c.path, k->path, strlen(k->path));
	}
	conf->vips[vip].check = c;
	return 0;
}
