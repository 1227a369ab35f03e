/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
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

/* dsr_stats_sum() relies on the struct holding only uint64_t counters. */
_Static_assert(sizeof(struct dsr_stats_lcore) % sizeof(uint64_t) == 0, "counters only");
