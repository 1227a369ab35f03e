/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Duplicate address bookkeeping (dsr_dup.h), shared by lib/arp's
 * arp_conflict.c and lib/nd's nd_conflict.c.
 */
#include <stdlib.h>
#include <string.h>

#include "dsr_common.h"
#include "dsr_dup.h"

bool
dsr_dup_take(struct dsr_dup_limits *l, enum dsr_dup_timer timer, uint32_t now_ms)
{
	uint32_t *since = timer == DSR_DUP_DEFENDED    ? &l->defend_ms
			  : timer == DSR_DUP_LOG_USING ? &l->log_using_ms
						       : &l->log_probe_ms;

	if ((l->flags & timer) != 0 && now_ms - *since < DSR_ARP_DEFEND_MS)
		return false;
	l->flags |= (uint8_t)timer;
	*since = now_ms;
	return true;
}

bool
dsr_dup_probe_answer(struct dsr_dup_limits *l, uint32_t now_ms)
{
	if ((l->flags & DSR_DUP_PROBE_WIN) == 0 ||
	    now_ms - l->probe_win_ms >= DSR_ARP_PROBE_WINDOW_MS) {
		l->flags |= DSR_DUP_PROBE_WIN;
		l->probe_win_ms = now_ms;
		l->probe_answers = 0;
	}
	if (l->probe_answers >= DSR_ARP_PROBE_ANSWERS)
		return false;
	l->probe_answers++;
	return true;
}

/* One timer: stopped if it ran out, else its end is a candidate for *due_ms. */
static void
dup_expire_one(struct dsr_dup_limits *l, uint8_t timer, uint32_t since_ms, uint32_t ms,
	       uint32_t now_ms, bool *running, uint32_t *due_ms)
{
	uint32_t end = since_ms + ms;

	if ((l->flags & timer) == 0)
		return;
	if (now_ms - since_ms >= ms) {
		l->flags &= (uint8_t)~timer;
		return;
	}
	if (!*running || (int32_t)(end - *due_ms) < 0)
		*due_ms = end;
	*running = true;
}

bool
dsr_dup_expire(struct dsr_dup_limits *l, uint32_t now_ms, uint32_t *due_ms)
{
	bool running = false;

	dup_expire_one(l, DSR_DUP_DEFENDED, l->defend_ms, DSR_ARP_DEFEND_MS, now_ms, &running,
		       due_ms);
	dup_expire_one(l, DSR_DUP_LOG_USING, l->log_using_ms, DSR_ARP_DEFEND_MS, now_ms, &running,
		       due_ms);
	dup_expire_one(l, DSR_DUP_LOG_PROBE, l->log_probe_ms, DSR_ARP_DEFEND_MS, now_ms, &running,
		       due_ms);
	dup_expire_one(l, DSR_DUP_PROBE_WIN, l->probe_win_ms, DSR_ARP_PROBE_WINDOW_MS, now_ms,
		       &running, due_ms);
	return running;
}

const char *
dsr_conflict_ip_str(const struct dsr_conflict *c, char *buf)
{
	uint32_t ip;

	if (c->family == DSR_AF_IPV6)
		return dsr_ip6_str(c->ip, buf);
	memcpy(&ip, c->ip, 4);
	return dsr_ip_str(ip, buf);
}

int
dsr_conflicts_init(struct dsr_conflicts *t, unsigned int max)
{
	t->rows = calloc(max, sizeof(*t->rows));
	t->n = 0;
	t->max = max;
	return t->rows == NULL ? -1 : 0;
}

void
dsr_conflicts_fini(struct dsr_conflicts *t)
{
	free(t->rows);
	t->rows = NULL;
	t->n = 0;
}

int
dsr_conflicts_resized(const struct dsr_conflicts *t, unsigned int max, struct dsr_conflicts *out)
{
	unsigned int n = t->n, skip = 0;

	if (dsr_conflicts_init(out, max) < 0)
		return -1;
	if (n > max) {
		skip = n - max;
		n = max;
	}
	if (n > 0)
		memcpy(out->rows, t->rows + skip, n * sizeof(*t->rows));
	out->n = n;
	return 0;
}

bool
dsr_conflicts_record(struct dsr_conflicts *t, uint8_t family, uint16_t port, const uint8_t *ip,
		     const uint8_t mac[6], enum dsr_arp_conflict_kind kind, uint32_t now_ms)
{
	uint8_t key[16] = {0};
	struct dsr_conflict *c;
	bool full = false;
	unsigned int i;

	memcpy(key, ip, family == DSR_AF_IPV6 ? 16 : 4);
	for (i = 0; i < t->n; i++) {
		c = &t->rows[i];
		if (c->family == family && c->port == port && c->kind == kind &&
		    memcmp(c->ip, key, 16) == 0 && dsr_mac_eq(c->mac, mac)) {
			c->last_ms = now_ms;
			c->count++;
			return false;
		}
	}
	if (t->n == t->max) {
		/* Full: the oldest row (the first) goes, to keep first-seen order. */
		memmove(t->rows, t->rows + 1, (t->n - 1) * sizeof(*t->rows));
		t->n--;
		full = true;
	}
	c = &t->rows[t->n++];
	memset(c, 0, sizeof(*c));
	memcpy(c->ip, key, 16);
	memcpy(c->mac, mac, 6);
	c->port = port;
	c->kind = (uint8_t)kind;
	c->family = family;
	c->first_ms = now_ms;
	c->last_ms = now_ms;
	c->count = 1;
	return full;
}
