/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_SHOW_H
#define DSR_SHOW_H

/**
 * @file
 * What people and tools see of the balancer (lib/lb): the control
 * socket's commands (show ..., and the changes, which it hands to
 * dsr_lb_apply_cmd()), the counters as rows, in the Prometheus format
 * and in DPDK telemetry, and the SIGUSR1 summary. It reads lib/lb's
 * state and never keeps its own, but for the telemetry snapshot. Main
 * lcore only, but for the telemetry callbacks (DPDK's telemetry thread).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dsr_ctl.h"
#include "dsr_lb.h"

/**
 * The control socket's request handler and its cancel function (lib/ctl),
 * with the balancer as arg.
 */
enum dsr_ctl_result dsr_show_ctl_handle(void *arg, const struct dsr_ctl_req *req,
					struct dsr_ctl_out *out, void **state);
void dsr_show_ctl_cancel(void *arg, void *state);

/** Whether the control socket has a handler for commands of this id. */
bool dsr_show_handles(enum dsr_cmd_id id);

/** Print the counters summary (on SIGUSR1 and at exit). */
void dsr_show_print_stats(const struct dsr_lb *lb, FILE *out);

/** Register the /dsrlb/ telemetry commands (once per process). */
void dsr_show_telemetry_register(void);

/** From the main loop: refresh what telemetry shows, once a second. */
void dsr_show_service(const struct dsr_lb *lb, uint32_t now_ms);

#endif /* DSR_SHOW_H */
