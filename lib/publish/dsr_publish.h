/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_PUBLISH_H
#define DSR_PUBLISH_H

/**
 * @file
 * The published generation and its RCU. The main lcore builds a new
 * struct dsr_gen, publishes it with one atomic store, and the old one
 * is freed only once rte_rcu_qsbr shows that every worker has passed a
 * quiescent point since (workers report once per loop). The main lcore
 * never blocks on this: old generations wait in a small list that
 * dsr_pub_reclaim() empties from the main loop.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsr_gen.h"

struct rte_rcu_qsbr;

#define DSR_PUB_PENDING_MAX 64

struct dsr_pub_pending {
	struct dsr_gen *gen;
	uint64_t token;
};

struct dsr_pub {
	struct dsr_gen *
		gen; /**< the published generation (atomic); workers read it through dsr_pub_gen() */
	struct rte_rcu_qsbr *qsv;
	unsigned int nb_workers;
	int quit; /**< set to stop the workers (atomic) */
	uint64_t next_version;
	unsigned int nb_pending;
	struct dsr_pub_pending pending[DSR_PUB_PENDING_MAX];
};

/** Allocate the RCU variable for nb_workers reader threads (ids 0..n-1). */
int dsr_pub_init(struct dsr_pub *pub, unsigned int nb_workers, char *err, size_t errlen);

/**
 * Publish g (built with version dsr_pub_next_version()). The previous
 * generation is queued and freed after a grace period.
 */
void dsr_pub_publish(struct dsr_pub *pub, struct dsr_gen *g);

/** The version number for the next generation to build. */
uint64_t dsr_pub_next_version(struct dsr_pub *pub);

/**
 * Free the queued generations that no worker can reach any more.
 * With wait, block until all are free (shutdown, or a full queue).
 * @return the number still queued.
 */
unsigned int dsr_pub_reclaim(struct dsr_pub *pub, bool wait);

/** Free everything; the workers must have stopped. */
void dsr_pub_fini(struct dsr_pub *pub);

/** The current generation, for a worker at the top of its loop. */
static inline const struct dsr_gen *
dsr_pub_gen(const struct dsr_pub *pub)
{
	return __atomic_load_n(&pub->gen, __ATOMIC_ACQUIRE);
}

static inline bool
dsr_pub_quitting(const struct dsr_pub *pub)
{
	return __atomic_load_n(&pub->quit, __ATOMIC_RELAXED) != 0;
}

#endif /* DSR_PUBLISH_H */
