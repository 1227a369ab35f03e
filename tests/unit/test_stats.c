/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/stats: the counter tables (the X-macros) and what is
 * made from them. That each output really shows every counter is checked
 * against a running daemon by tests/traffic/test_counters.py.
 */

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dsr_stats.h"
#include "dsr_test.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Every word of the block is a named counter, and no two scalars share a name. */
static void
test_field_names(void)
{
	static char names[sizeof(struct dsr_stats_lcore) / sizeof(uint64_t)][48];
	const size_t end = offsetof(struct dsr_stats_lcore, backend) +
			   DSR_MAX_BACKENDS * sizeof(struct dsr_ctr_flow);
	size_t off, i;
	char buf[48];

	for (off = 0; off < sizeof(struct dsr_stats_lcore); off += sizeof(uint64_t)) {
		dsr_stats_field_name(off, names[off / 8], sizeof(names[0]));
		if (off < end && strcmp(names[off / 8], "(padding)") == 0)
			fprintf(stderr, "word at %zu has no name\n", off);
		CHECK(off >= end || strcmp(names[off / 8], "(padding)") != 0);
		CHECK(off < end || strcmp(names[off / 8], "(padding)") == 0);
	}
	/* The scalars, drop reasons and events have names of their own. */
	for (i = 0; i < offsetof(struct dsr_stats_lcore, port) / 8; i++) {
		size_t j;

		for (j = i + 1; j < offsetof(struct dsr_stats_lcore, port) / 8; j++)
			CHECK(strcmp(names[i], names[j]) != 0);
	}

	CHECK_STR(dsr_stats_field_name(offsetof(struct dsr_stats_lcore, rx_pkts), buf, sizeof(buf)),
		  "rx_pkts");
	CHECK_STR(dsr_stats_field_name(offsetof(struct dsr_stats_lcore, busy_polls), buf,
				       sizeof(buf)),
		  "busy_polls");
	CHECK_STR(dsr_stats_field_name(offsetof(struct dsr_stats_lcore, cyc_tx), buf, sizeof(buf)),
		  "cyc_tx");
	CHECK_STR(dsr_stats_field_name(offsetof(struct dsr_stats_lcore, drop[DSR_DROP_TTL]), buf,
				       sizeof(buf)),
		  "drop[ttl]");
	CHECK_STR(dsr_stats_field_name(offsetof(struct dsr_stats_lcore, event[DSR_EV_SLOWPATH]),
				       buf, sizeof(buf)),
		  "event[slowpath]");
	CHECK_STR(dsr_stats_field_name(offsetof(struct dsr_stats_lcore, port[3].tx_bytes), buf,
				       sizeof(buf)),
		  "port[3].tx_bytes");
	CHECK_STR(dsr_stats_field_name(offsetof(struct dsr_stats_lcore, vip[5].new_conns), buf,
				       sizeof(buf)),
		  "vip[5].new_conns");
	CHECK_STR(dsr_stats_field_name(
			  offsetof(struct dsr_stats_lcore, backend[DSR_MAX_BACKENDS - 1].active),
			  buf, sizeof(buf)),
		  "backend[4095].active");
}

/* A Prometheus metric name: [a-zA-Z_:][a-zA-Z0-9_:]*. */
static int
prom_name_ok(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || isdigit((unsigned char)s[0]))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != ':')
			return 0;
	return 1;
}

/* A `show stats` key: lower-case words joined by '-'. */
static int
key_ok(const char *s)
{
	size_t i;

	if (s == NULL || !islower((unsigned char)s[0]))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return s[i - 1] != '-';
}

/* A key telemetry takes as it is. */
static int
tel_ok(const char *s)
{
	char buf[64];

	return s != NULL && s[0] != '\0' && strcmp(dsr_tel_name(s, buf, sizeof(buf)), s) == 0;
}

/* Each group's rows: well-formed, and no two alike where they meet. */
static void
test_groups(void)
{
	const char *families[64];
	unsigned int g, i, j, n, nf = 0;

	families[nf++] = dsr_ctr_drops.family;
	families[nf++] = dsr_ctr_events.family;
	for (g = 0; g < DSR_CTR_G_MAX; g++) {
		const struct dsr_ctr_desc *d = dsr_ctr_group(g, &n);
		const int worker = g == DSR_CTR_G_TRAFFIC || g == DSR_CTR_G_LOOP;
		const int flow = g == DSR_CTR_G_VIP || g == DSR_CTR_G_BACKEND;

		CHECK(d != NULL && n > 0);
		for (i = 0; d != NULL && i < n; i++) {
			const char *t = d[i].type;
			size_t fl = strlen(d[i].family), hl = strlen(d[i].help);

			CHECK(key_ok(d[i].key));
			CHECK(prom_name_ok(d[i].family));
			CHECK(strncmp(d[i].family, "dsrlb_", 6) == 0);
			CHECK(strcmp(t, "counter") == 0 || strcmp(t, "gauge") == 0);
			/* Prometheus: counters end in _total, gauges do not. */
			CHECK((strcmp(t, "counter") == 0) ==
			      (fl > 6 && strcmp(d[i].family + fl - 6, "_total") == 0));
			CHECK(hl > 0 && d[i].help[hl - 1] == '.');
			CHECK(flow ? d[i].tel == NULL : tel_ok(d[i].tel));
			CHECK(worker ? d[i].rows != 0 : d[i].rows == 0);
			CHECK(d[i].off % sizeof(uint64_t) == 0);
			for (j = 0; j < i; j++) {
				CHECK(strcmp(d[i].key, d[j].key) != 0);
				CHECK(d[i].off != d[j].off);
				CHECK(flow || strcmp(d[i].tel, d[j].tel) != 0);
			}
			for (j = 0; j < nf; j++)
				CHECK(strcmp(d[i].family, families[j]) != 0);
			if (nf < NELEM(families))
				families[nf++] = d[i].family;
		}
	}
	/* The traffic and loop counters share /dsrlb/stats. */
	{
		const struct dsr_ctr_desc *t = dsr_ctr_group(DSR_CTR_G_TRAFFIC, &n);
		const struct dsr_ctr_desc *l = dsr_ctr_group(DSR_CTR_G_LOOP, &j);

		for (i = 0; i < n * j; i++)
			CHECK(strcmp(t[i / j].tel, l[i % j].tel) != 0);
	}
	CHECK(dsr_ctr_group(DSR_CTR_G_MAX, &n) == NULL && n == 0);
}

/* The drop reasons and events: names, helps, enums and their telemetry keys. */
static void
test_arrays(void)
{
	const struct dsr_ctr_array *const arrays[] = {&dsr_ctr_drops, &dsr_ctr_events};
	unsigned int a, i, j;
	char x[48], y[48];

	CHECK_EQ(dsr_ctr_drops.n, DSR_DROP_MAX);
	CHECK_EQ(dsr_ctr_events.n, DSR_EV_MAX);
	CHECK_STR(dsr_drop_name(DSR_DROP_NOT_OURS), "not-our-mac");
	CHECK_STR(dsr_drop_name(DSR_DROP_TX_FULL), "tx-full");
	CHECK_STR(dsr_drop_name(DSR_DROP_MAX), "?");
	CHECK_STR(dsr_event_name(DSR_EV_CT_NEW), "ct-new");
	CHECK_STR(dsr_event_help(DSR_EV_MAX), "?");
	for (a = 0; a < NELEM(arrays); a++) {
		const struct dsr_ctr_array *r = arrays[a];

		CHECK(prom_name_ok(r->family));
		CHECK(prom_name_ok(r->label));
		for (i = 0; i < r->n; i++) {
			CHECK(key_ok(r->names[i]));
			CHECK(r->helps[i][0] != '\0');
			for (j = 0; j < i; j++)
				CHECK(strcmp(dsr_tel_name(r->names[i], x, sizeof(x)),
					     dsr_tel_name(r->names[j], y, sizeof(y))) != 0);
		}
	}
	{
		struct dsr_stats_lcore *s = calloc(1, sizeof(*s));

		CHECK(s != NULL);
		if (s == NULL)
			return;
		s->drop[DSR_DROP_NO_MAC] = 7;
		s->event[DSR_EV_CT_STALE] = 9;
		CHECK_EQ(dsr_ctr_array_get(s, &dsr_ctr_drops, DSR_DROP_NO_MAC), 7);
		CHECK_EQ(dsr_ctr_array_get(s, &dsr_ctr_events, DSR_EV_CT_STALE), 9);
		CHECK_EQ(dsr_stats_drops(s), 7);
		free(s);
	}
}

static void
test_tel_name(void)
{
	char buf[16];

	CHECK_STR(dsr_tel_name("not-vip", buf, sizeof(buf)), "not_vip");
	CHECK_STR(dsr_tel_name("10.0.0.1:80/tcp", buf, sizeof(buf)), "10_0_0_1_80/tcp");
	CHECK_STR(dsr_tel_name("0123456789abcdefgh", buf, sizeof(buf)), "0123456789abcde");
	CHECK_STR(dsr_tel_name("", buf, sizeof(buf)), "");
}

/* dsr_ctr_get() reads the field its row names. */
static void
test_get(void)
{
	struct dsr_ctr_port p = {.rx_pkts = 1,
				 .rx_bytes = 2,
				 .tx_pkts = 3,
				 .tx_bytes = 4,
				 .kernel_in_pkts = 5,
				 .kernel_out_pkts = 6,
				 .kernel_drops = 7};
	struct dsr_ctr_flow f = {.pkts = 5,
				 .bytes = 6,
				 .new_conns = 7,
				 .active = 8,
				 .syn_retries = 9,
				 .icmp_fwd = 10};
	const struct dsr_ctr_desc *d;
	unsigned int n, i;

	d = dsr_ctr_group(DSR_CTR_G_PORT, &n);
	CHECK_EQ(n, 7);
	for (i = 0; i < n; i++)
		CHECK_EQ(dsr_ctr_get(&p, &d[i]), i + 1);
	d = dsr_ctr_group(DSR_CTR_G_BACKEND, &n);
	CHECK_EQ(n, 6);
	for (i = 0; i < n; i++)
		CHECK_EQ(dsr_ctr_get(&f, &d[i]), i + 5);
	CHECK_STR(d[3].family, "dsrlb_backend_active_connections");
	CHECK_STR(d[3].help, "Live entries, by backend.");
	CHECK_STR(d[4].family, "dsrlb_backend_syn_retries_total");
	d = dsr_ctr_group(DSR_CTR_G_VIP, &n);
	CHECK_STR(d[0].family, "dsrlb_vip_packets_total");
	CHECK_STR(d[0].help, "Frames forwarded, by VIP.");
}

/*
 * dsr_ctr_outputs(): every counter (but the cycle accounting) in all three
 * outputs, but for the VIPs' and backends' in telemetry, where only a
 * VIP's pkts are.
 */
static void
test_outputs(void)
{
	static struct dsr_ctr_where w[256];
	unsigned int g, n, i, k, total = dsr_ctr_drops.n + dsr_ctr_events.n;

	for (g = 0; g < DSR_CTR_G_MAX; g++) {
		dsr_ctr_group(g, &k);
		total += k;
	}
	n = dsr_ctr_outputs(w, NELEM(w));
	CHECK_EQ(n, total);
	CHECK(n <= NELEM(w));
	CHECK_EQ(dsr_ctr_outputs(w, 3), total);
	n = dsr_ctr_outputs(w, NELEM(w));
	for (i = 0; i < n && i < NELEM(w); i++) {
		const int flow = strncmp(w[i].field, "vip[]", 5) == 0 ||
				 strncmp(w[i].field, "backend[]", 9) == 0;

		CHECK(w[i].row[0] != '\0' && key_ok(w[i].key) && prom_name_ok(w[i].family));
		CHECK(flow || (w[i].tel_cmd[0] == '/' && tel_ok(w[i].tel_key)));
		if (flow)
			CHECK(strcmp(w[i].field, "vip[].pkts") == 0
				      ? strcmp(w[i].tel_cmd, DSR_TEL_VIPS) == 0
				      : w[i].tel_cmd[0] == '\0');
		for (k = 0; k < i; k++)
			CHECK(strcmp(w[i].field, w[k].field) != 0);
	}
	CHECK_STR(w[0].field, "rx_pkts");
	CHECK_STR(w[0].row, "total");
	CHECK_STR(w[0].tel_cmd, DSR_TEL_STATS);
	CHECK_STR(w[n - 1].row, "event frag-guessed");
	CHECK_STR(w[n - 1].label, "event=\"frag-guessed\"");
	CHECK_STR(w[n - 1].tel_key, "frag_guessed");
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_field_names), DSR_TEST(test_groups), DSR_TEST(test_arrays),
		DSR_TEST(test_tel_name),    DSR_TEST(test_get),    DSR_TEST(test_outputs),
	};

	return dsr_test_run(cases, NELEM(cases));
}
