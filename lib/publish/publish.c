/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "dsr_publish.h"

int
dsr_pub_init(struct dsr_pub *pub, unsigned int nb_workers, char *err, size_t errlen)
{
	size_t sz = rte_rcu_qsbr_get_memsize(nb_workers);

	memset(pub, 0, sizeof(*pub));
	pub->nb_workers = nb_workers;
	pub->next_version = 1;
	pub->qsv = rte_zmalloc("dsr_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (pub->qsv == NULL) {
		snprintf(err, errlen, "cannot allocate the RCU variable (%zu bytes)", sz);
		return -1;
	}
	if (rte_rcu_qsbr_init(pub->qsv, nb_workers) != 0) {
		snprintf(err, errlen, "rte_rcu_qsbr_init: %s", rte_strerror(rte_errno));
		rte_free(pub->qsv);
		pub->qsv = NULL;
		return -1;
	}
	return 0;
}

uint64_t
dsr_pub_next_version(struct dsr_pub *pub)
{
	return pub->next_version++;
}

void
dsr_pub_publish(struct dsr_pub *pub, struct dsr_gen *g)
{
	struct dsr_gen *old;

	old = __atomic_exchange_n(&pub->gen, g, __ATOMIC_ACQ_REL);
	if (old == NULL)
		return;
	if (pub->nb_pending == DSR_PUB_PENDING_MAX)
		dsr_pub_reclaim(pub, true);
	pub->pending[pub->nb_pending].gen = old;
	pub->pending[pub->nb_pending].token = rte_rcu_qsbr_start(pub->qsv);
	pub->nb_pending++;
}

unsigned int
dsr_pub_reclaim(struct dsr_pub *pub, bool wait)
{
	unsigned int i, kept = 0;

	for (i = 0; i < pub->nb_pending; i++) {
		struct dsr_pub_pending *p = &pub->pending[i];

		if (rte_rcu_qsbr_check(pub->qsv, p->token, wait) == 1)
			dsr_gen_free(p->gen);
		else
			pub->pending[kept++] = *p;
	}
	pub->nb_pending = kept;
	return kept;
}

void
dsr_pub_fini(struct dsr_pub *pub)
{
	unsigned int i;

	for (i = 0; i < pub->nb_pending; i++)
		dsr_gen_free(pub->pending[i].gen);
	pub->nb_pending = 0;
	dsr_gen_free(pub->gen);
	pub->gen = NULL;
	rte_free(pub->qsv);
	pub->qsv = NULL;
}
