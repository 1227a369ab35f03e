/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dsrlb-counters: every counter and where it appears (dsr_ctr_outputs()),
 * one a line, for tests/traffic/test_counters.py. Fields, tab-separated:
 * field, `show stats` row and key, Prometheus family and label, telemetry
 * command and key ("-" where empty).
 */
#include <stdio.h>
#include <stdlib.h>

#include "dsr_stats.h"

static const char *
dash(const char *s)
{
	return s[0] != '\0' ? s : "-";
}

int
main(void)
{
	unsigned int n = dsr_ctr_outputs(NULL, 0), i;
	struct dsr_ctr_where *w = calloc(n, sizeof(*w));

	if (w == NULL) {
		fprintf(stderr, "dsrlb-counters: out of memory\n");
		return 1;
	}
	dsr_ctr_outputs(w, n);
	for (i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", w[i].field, w[i].row, w[i].key, w[i].family,
		       dash(w[i].label), dash(w[i].tel_cmd), dash(w[i].tel_key));
	free(w);
	return 0;
}
