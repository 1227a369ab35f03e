/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_DP_H
#define DSR_DP_H

/**
 * @file
 * The published generation and its RCU. The main lcore builds a new
 * struct dsr_gen, publishes it with one atomic store, and the old one
 * is freed only once rte_rcu_qsbr shows that every worker has passed a
 * quiescent point since (workers report once per loop). The main lcore
 * never blocks on this: old generations wait in a small list that
 * dsr_dp_reclaim() empties from the main loop.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsr_gen.h"

struct rte_rcu_qsbr;

#define DSR_DP_PENDING_MAX 64

struct dsr_dp_pending {
	struct dsr_gen *gen;
	uint64_t token;
};

struct dsr_dp {
	struct dsr_gen *
		gen; /**< the published generation (atomic); workers read it through dsr_dp_gen() */
	struct rte_rcu_qsbr *qsv;
	unsigned int nb_workers;
	int quit; /**< set to stop the workers (atomic) */
	uint64_t next_version;
	unsigned int nb_pending;
	struct dsr_dp_pending pending[DSR_DP_PENDING_MAX];
};

/** Allocate the RCU variable for nb_workers reader threads (ids 0..n-1). */
int dsr_dp_init(struct dsr_dp *dp, unsigned int nb_workers, char *err, size_t errlen);

/**
 * Publish g (built with version dsr_dp_next_version()). The previous
 * generation is queued and freed after a grace period.
 */
void dsr_dp_publish(struct dsr_dp *dp, struct dsr_gen *g);

/** The version number for the next generation to build. */
uint64_t dsr_dp_next_version(struct dsr_dp *dp);

/**
 * Free the queued generations that no worker can reach any more.
 * With wait, block until all are free (shutdown, or a full queue).
 * @return the number still queued.
 */
unsigned int dsr_dp_reclaim(struct dsr_dp *dp, bool wait);

/** Free everything; the workers must have stopped. */
void dsr_dp_fini(struct dsr_dp *dp);

/** The current generation, for a worker at the top of its loop. */
static inline const struct dsr_gen *
dsr_dp_gen(const struct dsr_dp *dp)
{
	return __atomic_load_n(&dp->gen, __ATOMIC_ACQUIRE);
}

static inline bool
dsr_dp_quitting(const struct dsr_dp *dp)
{
	return __atomic_load_n(&dp->quit, __ATOMIC_RELAXED) != 0;
}

#endif /* DSR_DP_H */
