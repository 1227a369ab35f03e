/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtnetlink messages for VIP routes, built and read on plain buffers (no
 * socket, no EAL): one nlmsghdr, one rtmsg, then attributes. Netlink is
 * in host byte order; addresses are in network order.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "dsr_common.h"
#include "route_pvt.h"

/* A message being built: header, rtmsg, attributes. */
struct route_msg {
	uint8_t *buf;
	size_t len;
	size_t used;
};

static int
msg_put(struct route_msg *m, const void *p, size_t n)
{
	size_t padded = NLMSG_ALIGN(n);

	if (m->used + padded > m->len)
		return -1;
	memcpy(m->buf + m->used, p, n);
	memset(m->buf + m->used + n, 0, padded - n);
	m->used += padded;
	return 0;
}

static int
msg_attr(struct route_msg *m, uint16_t type, const void *data, uint16_t n)
{
	struct rtattr a = {.rta_len = (unsigned short)RTA_LENGTH(n), .rta_type = type};

	if (m->used + RTA_SPACE(n) > m->len)
		return -1;
	memcpy(m->buf + m->used, &a, sizeof(a));
	memcpy(m->buf + m->used + RTA_LENGTH(0), data, n);
	memset(m->buf + m->used + RTA_LENGTH(n), 0, RTA_SPACE(n) - RTA_LENGTH(n));
	m->used += RTA_SPACE(n);
	return 0;
}

/* Start a message: its header (length set at the end) and rtmsg. */
static int
msg_start(struct route_msg *m, uint16_t type, uint16_t flags, uint32_t seq, const struct rtmsg *rt)
{
	struct nlmsghdr h = {.nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq};

	m->used = 0;
	if (msg_put(m, &h, sizeof(h)) < 0 || msg_put(m, rt, sizeof(*rt)) < 0)
		return -1;
	return 0;
}

static int
msg_end(struct route_msg *m)
{
	uint32_t n = (uint32_t)m->used;

	memcpy(m->buf, &n, sizeof(n)); /* nlmsg_len */
	return (int)n;
}

static uint8_t
route_af(uint8_t family)
{
	return family == DSR_AF_IPV6 ? AF_INET6 : AF_INET;
}

/* A route message of r: the rtmsg, then dst, table and (if any) oif. */
static int
route_msg(const struct dsr_route *r, uint16_t type, uint16_t flags, uint8_t scope, uint32_t seq,
	  uint8_t *buf, size_t len)
{
	struct route_msg m = {buf, len, 0};
	struct rtmsg rt;
	bool v6 = r->family == DSR_AF_IPV6;

	if (r->family > DSR_AF_IPV6 || r->table == 0)
		return -1;
	memset(&rt, 0, sizeof(rt));
	rt.rtm_family = route_af(r->family);
	rt.rtm_dst_len = v6 ? 128 : 32;
	/* Tables past 255 go in RTA_TABLE only, as iproute2 does. */
	rt.rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rt.rtm_protocol = DSR_ROUTE_PROTO;
	rt.rtm_scope = scope;
	rt.rtm_type = RTN_UNICAST;
	if (msg_start(&m, type, flags, seq, &rt) < 0 ||
	    msg_attr(&m, RTA_DST, v6 ? (const void *)r->ip6 : (const void *)&r->ip, v6 ? 16 : 4) <
		    0 ||
	    msg_attr(&m, RTA_TABLE, &r->table, sizeof(r->table)) < 0 ||
	    (r->ifindex != 0 && msg_attr(&m, RTA_OIF, &r->ifindex, sizeof(r->ifindex)) < 0))
		return -1;
	return msg_end(&m);
}

int
dsr_route_msg_add(const struct dsr_route *r, uint32_t seq, uint8_t *buf, size_t len)
{
	if (r->ifindex == 0)
		return -1;
	/* No gateway: the VIP is on the link, as `ip route add VIP dev IF` makes it. */
	return route_msg(r, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
			 RT_SCOPE_LINK, seq, buf, len);
}

int
dsr_route_msg_del(const struct dsr_route *r, uint32_t seq, uint8_t *buf, size_t len)
{
	/* Scope "nowhere" matches any; the protocol only dsrlb's routes. */
	return route_msg(r, RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK, RT_SCOPE_NOWHERE, seq, buf,
			 len);
}

int
dsr_route_msg_dump(uint8_t family, uint32_t seq, uint8_t *buf, size_t len)
{
	struct route_msg m = {buf, len, 0};
	struct rtmsg rt;

	memset(&rt, 0, sizeof(rt));
	rt.rtm_family = route_af(family);
	if (msg_start(&m, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, seq, &rt) < 0)
		return -1;
	return msg_end(&m);
}

/*
 * The answers are read with memcpy() at byte offsets rather than with
 * <linux/netlink.h>'s NLMSG_ and RTA_ macros, which cast the const away
 * (and the buffer need not be aligned).
 */

/* One RTM_NEWROUTE of a dump (msg, mlen bytes): to fn if it is dsrlb's and in table. */
static int
parse_route(const uint8_t *msg, uint32_t mlen, uint32_t table, dsr_route_fn fn, void *arg)
{
	const uint32_t hdr = NLMSG_HDRLEN, rta_hdr = RTA_LENGTH(0);
	uint32_t off = hdr + NLMSG_ALIGN(sizeof(struct rtmsg));
	struct rtmsg rt;
	struct rtattr a;
	struct dsr_route r;
	bool has_dst = false;

	if (mlen < hdr + sizeof(rt))
		return -EBADMSG;
	memcpy(&rt, msg + hdr, sizeof(rt));
	memset(&r, 0, sizeof(r));
	r.table = rt.rtm_table;
	if (rt.rtm_family != AF_INET && rt.rtm_family != AF_INET6)
		return 0;
	r.family = rt.rtm_family == AF_INET6 ? DSR_AF_IPV6 : DSR_AF_IPV4;
	while (off + sizeof(a) <= mlen) {
		const uint8_t *data = msg + off + rta_hdr;
		size_t dl;

		memcpy(&a, msg + off, sizeof(a));
		if (a.rta_len < sizeof(a) || a.rta_len > mlen - off)
			break;
		dl = a.rta_len - rta_hdr;
		if (a.rta_type == RTA_TABLE && dl == 4)
			memcpy(&r.table, data, 4);
		else if (a.rta_type == RTA_OIF && dl == 4)
			memcpy(&r.ifindex, data, 4);
		else if (a.rta_type == RTA_DST && dl == (r.family == DSR_AF_IPV6 ? 16u : 4u)) {
			memcpy(r.family == DSR_AF_IPV6 ? (void *)r.ip6 : (void *)&r.ip, data, dl);
			has_dst = true;
		}
		off += RTA_ALIGN(a.rta_len);
	}
	if (rt.rtm_protocol != DSR_ROUTE_PROTO || r.table != table || !has_dst ||
	    rt.rtm_dst_len != (r.family == DSR_AF_IPV6 ? 128 : 32))
		return 0;
	if (fn != NULL)
		fn(arg, &r);
	return 0;
}

int
dsr_route_parse(const uint8_t *buf, size_t len, uint32_t seq, uint32_t table, dsr_route_fn fn,
		void *arg)
{
	struct nlmsghdr h;
	struct nlmsgerr e;
	size_t off = 0;
	int r;

	if (len > INT32_MAX)
		return -EBADMSG;
	while (len - off >= sizeof(h)) {
		memcpy(&h, buf + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - off)
			break;
		if (h.nlmsg_seq != seq) {
			off += NLMSG_ALIGN(h.nlmsg_len);
			continue; /* an answer to an older request */
		}
		switch (h.nlmsg_type) {
		case NLMSG_DONE:
			return 1;
		case NLMSG_ERROR:
			if (h.nlmsg_len < NLMSG_LENGTH(sizeof(e)))
				return -EBADMSG;
			memcpy(&e, buf + off + NLMSG_HDRLEN, sizeof(e));
			return e.error == 0 ? 1 : (e.error < 0 ? e.error : -e.error);
		case RTM_NEWROUTE:
			r = parse_route(buf + off, h.nlmsg_len, table, fn, arg);
			if (r < 0)
				return r;
			break;
		default:
			break;
		}
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
	return off == len ? 0 : -EBADMSG;
}

const char *
dsr_route_str(const struct dsr_route *r, char *buf, size_t len)
{
	char ip[DSR_IP6_STR_LEN];

	snprintf(buf, len, "%s/%u", dsr_addr_str(r->family, r->ip, r->ip6, ip),
		 r->family == DSR_AF_IPV6 ? 128u : 32u);
	return buf;
}
