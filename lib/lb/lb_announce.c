/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VIP routes (issue 18): with `announce table T`, one kernel route per
 * VIP address, "VIP/32 dev KERNEL-IF proto dsrlb table T", present while
 * the address has a usable backend (health in service, MAC resolved,
 * weight > 0) and the operator has not withdrawn it, for a routing
 * daemon (BIRD, FRR) to announce. Main lcore only, off the packet path:
 * re-evaluated every ANN_TICK_MS, and at once after vip withdraw/announce;
 * routes are written again every ANN_REFRESH_MS and when a kernel
 * interface comes up.
 */
#include <stdlib.h>
#include <string.h>

#include "dsr_lb.h"
#include "dsr_log.h"
#include "dsr_route.h"
#include "lb_pvt.h"

#define ANN_TICK_MS    100u   /* how often the rule is evaluated */
#define ANN_RETRY_MS   1000u  /* a failed netlink request is tried again after this */
#define ANN_REFRESH_MS 10000u /* present routes are written again (a link flap drops them) */

/* One VIP address (all services of it share the route). */
struct ann_addr {
	struct dsr_svc_key key; /* family and address; port and protocol 0 */
	bool used;
	bool seen;      /* some VIP has this address (this evaluation) */
	bool usable;    /* some VIP of it has a usable backend (this evaluation) */
	bool withdrawn; /* vip withdraw */
	bool present;   /* the route is in the kernel (as far as we know) */
	bool failed;    /* the last request failed (logged once) */
	uint8_t state;  /* enum dsr_lb_route_state */
	uint32_t ifindex;
	uint32_t retry_ms; /* next attempt after a failure */
};

struct dsr_lb_announce {
	int fd; /* NETLINK_ROUTE, -1 without announce table */
	uint32_t table;
	uint32_t next_tick_ms;
	uint32_t next_refresh_ms;
	uint32_t kif_up; /* bit p: port p's kernel interface was up at the last evaluation */
	bool vip_usable[DSR_MAX_VIPS];
	struct ann_addr addr[DSR_MAX_VIPS];
};

static const char *const route_state_names[] = {
	[DSR_LB_ROUTE_OFF] = "not-announced",   [DSR_LB_ROUTE_ANNOUNCED] = "announced",
	[DSR_LB_ROUTE_WITHDRAWN] = "withdrawn", [DSR_LB_ROUTE_NO_BACKEND] = "no-usable-backend",
	[DSR_LB_ROUTE_FAILED] = "route-error",
};

const char *
dsr_lb_route_state_name(enum dsr_lb_route_state s)
{
	if ((unsigned int)s >= DSR_DIM(route_state_names))
		return "unknown";
	return route_state_names[s];
}

/* The entry of svc's address, or NULL; with add, a free one is taken for it. */
static struct ann_addr *
ann_find(struct dsr_lb_announce *a, const struct dsr_svc_key *svc, bool add)
{
	struct ann_addr *free_slot = NULL;
	unsigned int i;

	for (i = 0; i < DSR_MAX_VIPS; i++) {
		struct ann_addr *e = &a->addr[i];

		if (e->used && dsr_conf_same_addr(&e->key, svc))
			return e;
		if (!e->used && free_slot == NULL)
			free_slot = e;
	}
	if (!add || free_slot == NULL)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->key.family = svc->family;
	free_slot->key.ip = svc->ip;
	memcpy(free_slot->key.ip6, svc->ip6, 16);
	return free_slot;
}

/* Whether backend b may take new flows: in service, weight > 0, MAC known. */
static bool
backend_usable(const struct dsr_lb *lb, unsigned int b)
{
	const struct dsr_conf_backend *cb = &lb->conf->backends[b];
	uint8_t mac[6];

	if (!cb->used || cb->weight == 0 || !dsr_health_in_service(&lb->health->be[b]))
		return false;
	if (cb->has_mac)
		return true;
	if (cb->family == DSR_AF_IPV6)
		return lb->nd != NULL && dsr_nd_lookup(lb->nd, cb->ip6, mac) == DSR_MAC_OK;
	return lb->arp != NULL && dsr_arp_lookup(lb->arp, cb->ip, mac) == DSR_MAC_OK;
}

/* The kernel interface the route of key goes through: its port's, else the first; 0 if none. */
static uint32_t
route_ifindex(const struct dsr_lb *lb, const struct dsr_svc_key *key)
{
	int p = key->family == DSR_AF_IPV6 ? dsr_conf_port_of6(lb->conf, key->ip6)
					   : dsr_conf_port_of(lb->conf, key->ip);
	const struct dsr_lb_kif *k = p >= 0 ? dsr_lb_kernel_if(lb, (uint16_t)p) : NULL;
	uint16_t i;

	for (i = 0; k == NULL && i < DSR_MAX_PORTS; i++)
		k = dsr_lb_kernel_if(lb, i);
	return k == NULL ? 0 : k->ifindex;
}

static void
ann_route(const struct dsr_lb_announce *a, const struct ann_addr *e, struct dsr_route *r)
{
	memset(r, 0, sizeof(*r));
	r->family = e->key.family;
	r->ip = e->key.ip;
	memcpy(r->ip6, e->key.ip6, 16);
	r->table = a->table;
	r->ifindex = e->ifindex;
}

static const char *
addr_str(const struct ann_addr *e, char *buf)
{
	return dsr_addr_str(e->key.family, e->key.ip, e->key.ip6, buf);
}

/*
 * Put e's route in (want; again if it is there) or take it out; log each
 * change once, and a failure once until it succeeds.
 */
static void
ann_set(struct dsr_lb_announce *a, struct ann_addr *e, bool want, const char *why, uint32_t now)
{
	char err[256], ip[DSR_IP6_STR_LEN];
	struct dsr_route r;
	int rc;

	if (e->failed && (int32_t)(now - e->retry_ms) < 0)
		return;
	ann_route(a, e, &r);
	if (want && r.ifindex == 0) {
		rc = -1;
		snprintf(err, sizeof(err), "no kernel interface is up to route it through");
	} else {
		rc = want ? dsr_route_add(a->fd, &r, err, sizeof(err))
			  : dsr_route_del(a->fd, &r, err, sizeof(err));
	}
	if (rc != 0) {
		if (!e->failed)
			dsr_log(DSR_LOG_WARNING, "VIP %s: %s; retrying every %u s", addr_str(e, ip),
				err, ANN_RETRY_MS / 1000);
		e->failed = true;
		e->retry_ms = now + ANN_RETRY_MS;
		if (want)
			e->present = false; /* the kernel may not have it */
		return;
	}
	if (e->failed)
		dsr_log(DSR_LOG_NOTICE, "VIP %s: the kernel took the route this time",
			addr_str(e, ip));
	e->failed = false;
	if (want && !e->present)
		dsr_log(DSR_LOG_INFO, "VIP %s: announced (table %u)", addr_str(e, ip), a->table);
	else if (!want && e->present)
		dsr_log(DSR_LOG_INFO, "VIP %s: withdrawn (%s)", addr_str(e, ip), why);
	e->present = want;
}

static uint8_t
addr_state(const struct ann_addr *e)
{
	if (e->present)
		return DSR_LB_ROUTE_ANNOUNCED;
	if (e->withdrawn)
		return DSR_LB_ROUTE_WITHDRAWN;
	if (!e->usable)
		return DSR_LB_ROUTE_NO_BACKEND;
	return DSR_LB_ROUTE_FAILED;
}

/*
 * Which kernel interfaces are up. Linux drops the routes through one that
 * goes down; when one comes up, the routes are written again at once.
 */
static uint32_t
kif_up_mask(const struct dsr_lb *lb)
{
	uint32_t m = 0;
	uint16_t p;

	for (p = 0; p < DSR_MAX_PORTS; p++)
		if (lb->conf->ports[p].kif[0] != '\0' && dsr_lb_kernel_if_up(lb, p))
			m |= 1u << p;
	return m;
}

/* The rule, for every address of the running configuration. */
static void
ann_eval(struct dsr_lb *lb, uint32_t now)
{
	struct dsr_lb_announce *a = lb->ann;
	const struct dsr_conf *c = lb->conf;
	uint32_t up = kif_up_mask(lb);
	bool link_change = up != a->kif_up;
	bool refresh = (int32_t)(now - a->next_refresh_ms) >= 0 || link_change;
	unsigned int i;

	memset(a->vip_usable, 0, sizeof(a->vip_usable));
	for (i = 0; i < DSR_MAX_BACKENDS; i++)
		if (c->backends[i].used && !a->vip_usable[c->backends[i].vip])
			a->vip_usable[c->backends[i].vip] = backend_usable(lb, i);
	for (i = 0; i < DSR_MAX_VIPS; i++)
		a->addr[i].seen = a->addr[i].usable = false;
	for (i = 0; i < DSR_MAX_VIPS; i++) {
		struct ann_addr *e;

		if (!c->vips[i].used)
			continue;
		e = ann_find(a, &c->vips[i].svc, true);
		if (e == NULL)
			continue; /* cannot happen: one entry per VIP at most */
		e->seen = true;
		e->usable |= a->vip_usable[i];
	}
	if (refresh)
		a->next_refresh_ms = now + ANN_REFRESH_MS;
	a->kif_up = up;
	for (i = 0; i < DSR_MAX_VIPS; i++) {
		struct ann_addr *e = &a->addr[i];
		bool want = e->seen && e->usable && !e->withdrawn;
		uint32_t ifindex;

		if (!e->used)
			continue;
		ifindex = want ? route_ifindex(lb, &e->key) : 0;
		if (link_change)
			e->retry_ms = now; /* no need to wait for the next retry */
		/* Written again on a new interface, and now and then (a link flap drops it). */
		if (want && (!e->present || ifindex != e->ifindex || refresh)) {
			e->ifindex = ifindex;
			ann_set(a, e, true, NULL, now);
		} else if (!want && e->present) {
			ann_set(a, e, false,
				!e->seen       ? "VIP deleted"
				: e->withdrawn ? "operator"
					       : "no usable backend",
				now);
		}
		e->state = addr_state(e);
		if (!e->seen && !e->present)
			e->used = false;
	}
}

int
dsr_lb_announce_init(struct dsr_lb *lb, char *err, size_t errlen)
{
	char why[256];
	unsigned int n;

	lb->ann = calloc(1, sizeof(*lb->ann));
	if (lb->ann == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	lb->ann->fd = -1;
	lb->ann->table = lb->conf->announce_table;
	if (lb->ann->table == 0)
		return 0;
	lb->ann->fd = dsr_route_open(err, errlen);
	if (lb->ann->fd < 0)
		return -1;
	/* Routes that a dsrlb killed before it could remove them left behind. */
	if (dsr_route_flush(lb->ann->fd, lb->ann->table, &n, why, sizeof(why)) != 0)
		dsr_log(DSR_LOG_WARNING, "announce table %u: %s", lb->ann->table, why);
	else if (n > 0)
		dsr_log(DSR_LOG_NOTICE, "announce table %u: removed %u routes of an earlier run",
			lb->ann->table, n);
	dsr_log(DSR_LOG_INFO,
		"announce table %u: a route for each VIP address with a usable backend, "
		"proto dsrlb (%u)",
		lb->ann->table, DSR_ROUTE_PROTO);
	return 0;
}

void
dsr_lb_announce_tick(struct dsr_lb *lb, uint32_t now_ms)
{
	struct dsr_lb_announce *a = lb->ann;

	if (a == NULL || a->fd < 0 || (int32_t)(now_ms - a->next_tick_ms) < 0)
		return;
	a->next_tick_ms = now_ms + ANN_TICK_MS;
	ann_eval(lb, now_ms);
}

void
dsr_lb_announce_stop(struct dsr_lb *lb)
{
	struct dsr_lb_announce *a = lb->ann;
	unsigned int i;

	if (a == NULL || a->fd < 0)
		return;
	for (i = 0; i < DSR_MAX_VIPS; i++) {
		struct ann_addr *e = &a->addr[i];

		if (!e->used || !e->present)
			continue;
		e->failed = false; /* one last try, now */
		ann_set(a, e, false, "stopping", 0);
		e->state = addr_state(e);
	}
	dsr_route_close(a->fd);
	a->fd = -1;
}

void
dsr_lb_announce_fini(struct dsr_lb *lb)
{
	dsr_lb_announce_stop(lb);
	free(lb->ann);
	lb->ann = NULL;
}

int
dsr_lb_vip_withdraw(struct dsr_lb *lb, const struct dsr_svc_key *svc, bool withdraw, char *err,
		    size_t errlen)
{
	char s[DSR_SVC_STR_LEN];
	struct ann_addr *e;

	dsr_svc_str(svc, s, sizeof(s));
	if (dsr_conf_find_vip(lb->conf, svc) < 0) {
		snprintf(err, errlen, "VIP %s does not exist", s);
		return -1;
	}
	if (lb->ann == NULL || lb->ann->fd < 0) {
		snprintf(err, errlen,
			 "VIP %s has no route to %s: the config has no 'announce table T'", s,
			 withdraw ? "withdraw" : "announce");
		return -1;
	}
	e = ann_find(lb->ann, svc, true);
	if (e == NULL) {
		snprintf(err, errlen, "no room for VIP %s's route", s);
		return -1;
	}
	e->withdrawn = withdraw;
	e->failed = false; /* act now, not at the next retry */
	ann_eval(lb, dsr_lb_now_ms(lb));
	return 0;
}

enum dsr_lb_route_state
dsr_lb_vip_route(const struct dsr_lb *lb, unsigned int vip)
{
	struct ann_addr *e;

	if (lb->ann == NULL || lb->ann->fd < 0 || vip >= DSR_MAX_VIPS || !lb->conf->vips[vip].used)
		return DSR_LB_ROUTE_OFF;
	e = ann_find(lb->ann, &lb->conf->vips[vip].svc, false);
	return e == NULL ? DSR_LB_ROUTE_NO_BACKEND : (enum dsr_lb_route_state)e->state;
}
