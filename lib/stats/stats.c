/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dsr_stats.h"

#define DSR_X_NAME(e, name, help) name,
#define DSR_X_HELP(e, name, help) help,
static const char *const drop_names[] = {DSR_DROP_REASONS(DSR_X_NAME)};
static const char *const drop_helps[] = {DSR_DROP_REASONS(DSR_X_HELP)};
static const char *const event_names[] = {DSR_EVENTS(DSR_X_NAME)};
static const char *const event_helps[] = {DSR_EVENTS(DSR_X_HELP)};
#undef DSR_X_NAME
#undef DSR_X_HELP

/* Row, family, help, label, telemetry command, offset, count, names, helps. */
const struct dsr_ctr_array dsr_ctr_drops = {
	"drop",       "dsrlb_drops_total", "Frames dropped, by reason.",
	"reason",     DSR_TEL_DROPS,       offsetof(struct dsr_stats_lcore, drop),
	DSR_DROP_MAX, drop_names,          drop_helps,
};
const struct dsr_ctr_array dsr_ctr_events = {
	"event",    "dsrlb_events_total", "Connection table and slow-path events.",
	"event",    DSR_TEL_EVENTS,       offsetof(struct dsr_stats_lcore, event),
	DSR_EV_MAX, event_names,          event_helps,
};

/* The groups' rows as descriptors (struct dsr_ctr_desc). */
#define DSR_X_WORKER(f, key, rows, family, type, help, tel)                                        \
	{offsetof(struct dsr_stats_lcore, f), #f, key, rows, family, #type, help, tel},
#define DSR_X_PORT(f, key, family, type, help, tel)                                                \
	{offsetof(struct dsr_ctr_port, f), #f, key, 0, family, #type, help, tel},
#define DSR_X_VIP(f, key, family, type, help)                                                      \
	{offsetof(struct dsr_ctr_flow, f),                                                         \
	 #f,                                                                                       \
	 key,                                                                                      \
	 0,                                                                                        \
	 "dsrlb_vip_" family,                                                                      \
	 #type,                                                                                    \
	 help ", by VIP.",                                                                         \
	 NULL},
#define DSR_X_BACKEND(f, key, family, type, help)                                                  \
	{offsetof(struct dsr_ctr_flow, f),                                                         \
	 #f,                                                                                       \
	 key,                                                                                      \
	 0,                                                                                        \
	 "dsrlb_backend_" family,                                                                  \
	 #type,                                                                                    \
	 help ", by backend.",                                                                     \
	 NULL},
static const struct dsr_ctr_desc ctr_traffic[] = {DSR_CTR_TRAFFIC(DSR_X_WORKER)};
static const struct dsr_ctr_desc ctr_loop[] = {DSR_CTR_LOOP(DSR_X_WORKER)};
static const struct dsr_ctr_desc ctr_port[] = {DSR_CTR_PORT(DSR_X_PORT)};
static const struct dsr_ctr_desc ctr_vip[] = {DSR_CTR_FLOW(DSR_X_VIP)};
static const struct dsr_ctr_desc ctr_backend[] = {DSR_CTR_FLOW(DSR_X_BACKEND)};
#undef DSR_X_WORKER
#undef DSR_X_PORT
#undef DSR_X_VIP
#undef DSR_X_BACKEND

#define DSR_X_CYC_NAME(f, help) {offsetof(struct dsr_stats_lcore, f), #f},
static const struct {
	size_t off;
	const char *name;
} cyc_names[] = {DSR_CTR_CYCLES(DSR_X_CYC_NAME)};
#undef DSR_X_CYC_NAME

#define DSR_NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const struct dsr_ctr_desc *d;
	unsigned int n;
} groups[DSR_CTR_G_MAX] = {
	[DSR_CTR_G_TRAFFIC] = {ctr_traffic, DSR_NELEM(ctr_traffic)},
	[DSR_CTR_G_LOOP] = {ctr_loop, DSR_NELEM(ctr_loop)},
	[DSR_CTR_G_PORT] = {ctr_port, DSR_NELEM(ctr_port)},
	[DSR_CTR_G_VIP] = {ctr_vip, DSR_NELEM(ctr_vip)},
	[DSR_CTR_G_BACKEND] = {ctr_backend, DSR_NELEM(ctr_backend)},
};

void
dsr_stats_sum(struct dsr_stats_lcore *out, const struct dsr_stats_lcore *const *per, unsigned int n)
{
	const size_t words = sizeof(*out) / sizeof(uint64_t);
	uint64_t *dst = (uint64_t *)out;
	unsigned int i;
	size_t w;

	/* The struct is nothing but uint64_t counters: sum it word by word. */
	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		const uint64_t *src = (const uint64_t *)per[i];

		for (w = 0; w < words; w++)
			dst[w] += DSR_CTR_GET(src[w]);
	}
}

uint64_t
dsr_stats_drops(const struct dsr_stats_lcore *s)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < DSR_DROP_MAX; i++)
		sum += s->drop[i];
	return sum;
}

const char *
dsr_drop_name(enum dsr_drop d)
{
	return (unsigned int)d < DSR_DROP_MAX ? drop_names[d] : "?";
}

const char *
dsr_drop_help(enum dsr_drop d)
{
	return (unsigned int)d < DSR_DROP_MAX ? drop_helps[d] : "?";
}

const char *
dsr_event_name(enum dsr_event e)
{
	return (unsigned int)e < DSR_EV_MAX ? event_names[e] : "?";
}

const char *
dsr_event_help(enum dsr_event e)
{
	return (unsigned int)e < DSR_EV_MAX ? event_helps[e] : "?";
}

const struct dsr_ctr_desc *
dsr_ctr_group(enum dsr_ctr_group g, unsigned int *n)
{
	if ((unsigned int)g >= DSR_CTR_G_MAX) {
		*n = 0;
		return NULL;
	}
	*n = groups[g].n;
	return groups[g].d;
}

const char *
dsr_tel_name(const char *in, char *out, size_t len)
{
	size_t i;

	if (len == 0)
		return out;
	for (i = 0; in[i] != '\0' && i + 1 < len; i++)
		out[i] = (isalnum((unsigned char)in[i]) || in[i] == '/') ? in[i] : '_';
	out[i] = '\0';
	return out;
}

/* The name of the group counter at off in its struct, or NULL. */
static const char *
group_field(enum dsr_ctr_group g, size_t off)
{
	unsigned int i;

	for (i = 0; i < groups[g].n; i++)
		if (groups[g].d[i].off == off)
			return groups[g].d[i].field;
	return NULL;
}

/* A scalar of struct dsr_stats_lcore, or NULL. */
static const char *
scalar_field(size_t off)
{
	const char *f = group_field(DSR_CTR_G_TRAFFIC, off);
	unsigned int i;

	if (f == NULL)
		f = group_field(DSR_CTR_G_LOOP, off);
	for (i = 0; f == NULL && i < DSR_NELEM(cyc_names); i++)
		if (cyc_names[i].off == off)
			f = cyc_names[i].name;
	return f;
}

/* "what[i].field", or "(padding)" when f is NULL. */
static const char *
elem_field(char *buf, size_t len, const char *what, size_t i, const char *f)
{
	if (f == NULL)
		snprintf(buf, len, "(padding)");
	else
		snprintf(buf, len, "%s[%zu].%s", what, i, f);
	return buf;
}

const char *
dsr_stats_field_name(size_t off, char *buf, size_t len)
{
	const size_t w = sizeof(uint64_t);
	const size_t d = offsetof(struct dsr_stats_lcore, drop);
	const size_t ev = offsetof(struct dsr_stats_lcore, event);
	const size_t po = offsetof(struct dsr_stats_lcore, port);
	const size_t vi = offsetof(struct dsr_stats_lcore, vip);
	const size_t bo = offsetof(struct dsr_stats_lcore, backend);
	const size_t end = bo + DSR_MAX_BACKENDS * sizeof(struct dsr_ctr_flow);
	const size_t fl = sizeof(struct dsr_ctr_flow), pl = sizeof(struct dsr_ctr_port);
	const char *f;

	if (off >= bo && off < end)
		return elem_field(buf, len, "backend", (off - bo) / fl,
				  group_field(DSR_CTR_G_BACKEND, (off - bo) % fl));
	if (off >= vi && off < bo)
		return elem_field(buf, len, "vip", (off - vi) / fl,
				  group_field(DSR_CTR_G_VIP, (off - vi) % fl));
	if (off >= po && off < vi)
		return elem_field(buf, len, "port", (off - po) / pl,
				  group_field(DSR_CTR_G_PORT, (off - po) % pl));
	if (off >= ev && off < ev + DSR_EV_MAX * w)
		snprintf(buf, len, "event[%s]", dsr_event_name((enum dsr_event)((off - ev) / w)));
	else if (off >= d && off < d + DSR_DROP_MAX * w)
		snprintf(buf, len, "drop[%s]", dsr_drop_name((enum dsr_drop)((off - d) / w)));
	else if ((f = scalar_field(off)) != NULL)
		snprintf(buf, len, "%s", f);
	else
		snprintf(buf, len, "(padding)");
	return buf;
}

/* Where counter c of group g appears. */
static void
group_where(enum dsr_ctr_group g, const struct dsr_ctr_desc *c, struct dsr_ctr_where *x)
{
	static const char *const what[DSR_CTR_G_MAX] = {
		[DSR_CTR_G_PORT] = "port",
		[DSR_CTR_G_VIP] = "vip",
		[DSR_CTR_G_BACKEND] = "backend",
	};

	memset(x, 0, sizeof(*x));
	if (what[g] != NULL) {
		snprintf(x->field, sizeof(x->field), "%s[].%s", what[g], c->field);
		snprintf(x->row, sizeof(x->row), "%s", what[g]);
	} else {
		snprintf(x->field, sizeof(x->field), "%s", c->field);
		snprintf(x->row, sizeof(x->row), "%s",
			 (c->rows & DSR_CTR_IN_TOTAL) ? "total" : "worker");
	}
	snprintf(x->key, sizeof(x->key), "%s", c->key);
	snprintf(x->family, sizeof(x->family), "%s", c->family);
	if (c->tel != NULL) {
		snprintf(x->tel_cmd, sizeof(x->tel_cmd), "%s",
			 g == DSR_CTR_G_PORT ? DSR_TEL_PORT : DSR_TEL_STATS);
		snprintf(x->tel_key, sizeof(x->tel_key), "%s", c->tel);
	} else if (g == DSR_CTR_G_VIP && c->off == offsetof(struct dsr_ctr_flow, pkts)) {
		snprintf(x->tel_cmd, sizeof(x->tel_cmd), "%s", DSR_TEL_VIPS);
	}
}

static void
array_where(const struct dsr_ctr_array *a, unsigned int i, struct dsr_ctr_where *x)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->field, sizeof(x->field), "%s[%s]", a->row, a->names[i]);
	snprintf(x->row, sizeof(x->row), "%s %s", a->row, a->names[i]);
	snprintf(x->key, sizeof(x->key), "count");
	snprintf(x->family, sizeof(x->family), "%s", a->family);
	snprintf(x->label, sizeof(x->label), "%s=\"%s\"", a->label, a->names[i]);
	snprintf(x->tel_cmd, sizeof(x->tel_cmd), "%s", a->tel);
	dsr_tel_name(a->names[i], x->tel_key, sizeof(x->tel_key));
}

unsigned int
dsr_ctr_outputs(struct dsr_ctr_where *w, unsigned int max)
{
	const struct dsr_ctr_array *const arrays[] = {&dsr_ctr_drops, &dsr_ctr_events};
	struct dsr_ctr_where x;
	unsigned int g, i, a, n = 0;

	for (g = 0; g < DSR_CTR_G_MAX; g++) {
		for (i = 0; i < groups[g].n; i++, n++) {
			group_where(g, &groups[g].d[i], &x);
			if (n < max)
				w[n] = x;
		}
	}
	for (a = 0; a < DSR_NELEM(arrays); a++) {
		for (i = 0; i < arrays[a]->n; i++, n++) {
			array_where(arrays[a], i, &x);
			if (n < max)
				w[n] = x;
		}
	}
	return n;
}

/*
 * The fields come from the X-macros: the layout must stay what the fast
 * path and dsr_stats_sum() expect, counters only, with no gaps.
 */
#define DSR_X_COUNT(...) +1
_Static_assert(sizeof(struct dsr_stats_lcore) % sizeof(uint64_t) == 0, "counters only");
_Static_assert(sizeof(struct dsr_ctr_flow) == (0 DSR_CTR_FLOW(DSR_X_COUNT)) * sizeof(uint64_t),
	       "flow counters only");
_Static_assert(sizeof(struct dsr_ctr_port) == (0 DSR_CTR_PORT(DSR_X_COUNT)) * sizeof(uint64_t),
	       "port counters only");
_Static_assert(offsetof(struct dsr_stats_lcore, drop) ==
		       (0 DSR_CTR_TRAFFIC(DSR_X_COUNT)) * sizeof(uint64_t),
	       "traffic counters first");
_Static_assert(offsetof(struct dsr_stats_lcore, port) ==
		       offsetof(struct dsr_stats_lcore, event) +
			       (DSR_EV_MAX DSR_CTR_LOOP(DSR_X_COUNT) DSR_CTR_CYCLES(DSR_X_COUNT)) *
				       sizeof(uint64_t),
	       "events, loop and cycle counters, then the ports");
#undef DSR_X_COUNT
