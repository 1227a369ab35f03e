/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "dsr_dp.h"

int
dsr_dp_init(struct dsr_dp *dp, unsigned int nb_workers, char *err, size_t errlen)
{
	size_t sz = rte_rcu_qsbr_get_memsize(nb_workers);

	memset(dp, 0, sizeof(*dp));
	dp->nb_workers = nb_workers;
	dp->next_version = 1;
	dp->qsv = rte_zmalloc("dsr_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (dp->qsv == NULL) {
		snprintf(err, errlen, "cannot allocate the RCU variable (%zu bytes)", sz);
		return -1;
	}
	if (rte_rcu_qsbr_init(dp->qsv, nb_workers) != 0) {
		snprintf(err, errlen, "rte_rcu_qsbr_init: %s", rte_strerror(rte_errno));
		rte_free(dp->qsv);
		dp->qsv = NULL;
		return -1;
	}
	return 0;
}

uint64_t
dsr_dp_next_version(struct dsr_dp *dp)
{
	return dp->next_version++;
}

void
dsr_dp_publish(struct dsr_dp *dp, struct dsr_gen *g)
{
	struct dsr_gen *old;

	old = __atomic_exchange_n(&dp->gen, g, __ATOMIC_ACQ_REL);
	if (old == NULL)
		return;
	if (dp->nb_pending == DSR_DP_PENDING_MAX)
		dsr_dp_reclaim(dp, true);
	dp->pending[dp->nb_pending].gen = old;
	dp->pending[dp->nb_pending].token = rte_rcu_qsbr_start(dp->qsv);
	dp->nb_pending++;
}

unsigned int
dsr_dp_reclaim(struct dsr_dp *dp, bool wait)
{
	unsigned int i, kept = 0;

	for (i = 0; i < dp->nb_pending; i++) {
		struct dsr_dp_pending *p = &dp->pending[i];

		if (rte_rcu_qsbr_check(dp->qsv, p->token, wait) == 1)
			dsr_gen_free(p->gen);
		else
			dp->pending[kept++] = *p;
	}
	dp->nb_pending = kept;
	return kept;
}

void
dsr_dp_fini(struct dsr_dp *dp)
{
	unsigned int i;

	for (i = 0; i < dp->nb_pending; i++)
		dsr_gen_free(dp->pending[i].gen);
	dp->nb_pending = 0;
	dsr_gen_free(dp->gen);
	dp->gen = NULL;
	rte_free(dp->qsv);
	dp->qsv = NULL;
}
