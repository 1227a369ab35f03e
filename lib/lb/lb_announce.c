/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VIP routes (issue 18): with `announce table T`, one kernel route per
 * VIP address, "VIP/32 dev KERNEL-IF proto dsrlb table T", present while
 * the address has a usable backend and the operator has not withdrawn
 * it, for a routing daemon (BIRD, FRR) to announce. Main lcore only,
 * off the packet path.
 */
#include <stdlib.h>
#include <string.h>

#include "dsr_lb.h"
#include "dsr_log.h"
#include "lb_pvt.h"

/* One VIP address (all services of it share the route). */
struct ann_addr {
	struct dsr_svc_key key; /* family and address; port and protocol 0 */
	bool used;
	bool withdrawn; /* vip withdraw */
	uint8_t state;  /* enum dsr_lb_route_state */
};

struct dsr_lb_announce {
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

int
dsr_lb_announce_init(struct dsr_lb *lb, char *err, size_t errlen)
{
	lb->ann = calloc(1, sizeof(*lb->ann));
	if (lb->ann == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void
dsr_lb_announce_fini(struct dsr_lb *lb)
{
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
	if (lb->conf->announce_table == 0 || lb->ann == NULL) {
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
	return 0;
}

enum dsr_lb_route_state
dsr_lb_vip_route(const struct dsr_lb *lb, unsigned int vip)
{
	struct ann_addr *e;

	if (lb->ann == NULL || lb->conf->announce_table == 0 || vip >= DSR_MAX_VIPS ||
	    !lb->conf->vips[vip].used)
		return DSR_LB_ROUTE_OFF;
	e = ann_find(lb->ann, &lb->conf->vips[vip].svc, false);
	return e == NULL ? DSR_LB_ROUTE_NO_BACKEND : (enum dsr_lb_route_state)e->state;
}
