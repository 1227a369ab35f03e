/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rise/fall state machine and the panic rule (see dsr_health.h).
 */
#include <stdio.h>
#include <string.h>

#include "dsr_health.h"

void
dsr_health_reset(struct dsr_health_be *h, uint64_t now_ms)
{
	memset(h, 0, sizeof(*h));
	h->state = DSR_HEALTH_UNCHECKED;
	h->since_ms = now_ms;
}

enum dsr_health_change
dsr_health_record(struct dsr_health_be *h, uint32_t rise, uint32_t fall, bool ok,
		  uint32_t latency_us, const char *why, uint64_t now_ms)
{
	enum dsr_health_result r = ok ? DSR_HEALTH_RES_OK : DSR_HEALTH_RES_FAIL;

	rise = rise == 0 ? 1 : rise;
	fall = fall == 0 ? 1 : fall;
	h->run = h->last == r && h->run < UINT32_MAX ? h->run + 1 : 1;
	h->last = (uint8_t)r;
	h->latency_us = latency_us;
	h->checks++;
	if (!ok) {
		h->failures++;
		snprintf(h->why, sizeof(h->why), "%s", why != NULL ? why : "failed");
	}
	if (ok && h->state != DSR_HEALTH_UP && h->run >= rise) {
		h->state = DSR_HEALTH_UP;
		h->since_ms = now_ms;
		return DSR_HEALTH_WENT_UP;
	}
	if (!ok && h->state != DSR_HEALTH_DOWN && h->run >= fall) {
		h->state = DSR_HEALTH_DOWN;
		h->since_ms = now_ms;
		return DSR_HEALTH_WENT_DOWN;
	}
	return DSR_HEALTH_SAME;
}

const char *
dsr_health_name(enum dsr_health state)
{
	switch (state) {
	case DSR_HEALTH_UNCHECKED:
		return "unchecked";
	case DSR_HEALTH_UP:
		return "up";
	case DSR_HEALTH_DOWN:
		return "down";
	}
	return "unknown";
}

const char *
dsr_health_result_name(enum dsr_health_result r)
{
	switch (r) {
	case DSR_HEALTH_RES_NONE:
		return "none";
	case DSR_HEALTH_RES_OK:
		return "ok";
	case DSR_HEALTH_RES_FAIL:
		return "failed";
	}
	return "unknown";
}

int
dsr_health_line(char *buf, size_t len, const char *vip, const char *backend, const char *kind,
		const struct dsr_health_be *h, enum dsr_health_change c, uint32_t rise,
		uint32_t fall)
{
	rise = rise == 0 ? 1 : rise;
	fall = fall == 0 ? 1 : fall;
	if (c == DSR_HEALTH_WENT_DOWN)
		return snprintf(buf, len,
				"VIP %s: backend %s is down (%s: %s; %u of %u checks failed)", vip,
				backend, kind, h->why, fall, fall);
	if (c == DSR_HEALTH_WENT_UP)
		return snprintf(buf, len, "VIP %s: backend %s is up (%u of %u checks passed)", vip,
				backend, rise, rise);
	return snprintf(buf, len, "VIP %s: backend %s is %s", vip, backend,
			dsr_health_name((enum dsr_health)h->state));
}

bool
dsr_health_panic_rule(unsigned int healthy, unsigned int total, unsigned int pct)
{
	if (pct == 0 || total == 0)
		return false;
	return (uint64_t)healthy * 100 < (uint64_t)pct * total;
}

int
dsr_health_vip_update(struct dsr_health_vip *v, unsigned int healthy, unsigned int total,
		      unsigned int pct, uint64_t now_ms)
{
	bool panic = dsr_health_panic_rule(healthy, total, pct);

	if (panic == v->panic)
		return 0;
	v->panic = panic;
	v->since_ms = now_ms;
	if (panic) {
		v->panics++;
		return 1;
	}
	return -1;
}

int
dsr_health_panic_line(char *buf, size_t len, const char *vip, int change, unsigned int healthy,
		      unsigned int total, unsigned int pct)
{
	if (change > 0)
		return snprintf(buf, len,
				"VIP %s: only %u of %u backends are healthy, below panic %u%%: "
				"using all of them",
				vip, healthy, total, pct);
	return snprintf(buf, len,
			"VIP %s: %u of %u backends are healthy, panic %u%% is over: down "
			"backends are out again",
			vip, healthy, total, pct);
}
