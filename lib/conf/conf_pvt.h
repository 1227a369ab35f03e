/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_CONF_PVT_H
#define DSR_CONF_PVT_H

/* Shared by conf.c (commands), conf_ip6.c, conf_dump.c and conf_file.c (files). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsr_conf.h"

/* Write one error line into err (if any) and return -1. */
int dsr_conf_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse and apply n bytes of text; a blank or comment line is 0. */
int dsr_conf_apply_text(struct dsr_conf *conf, const char *line, size_t n, char *err,
			size_t errlen);

/* conf_ip6.c: IPv6 addresses. */
bool dsr_conf_is_unicast6(const uint8_t ip6[16]);
int dsr_conf_check_unicast6(const uint8_t ip6[16], const char *what, char *err, size_t errlen);
int dsr_conf_apply_port_address6(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err,
				 size_t errlen);
/* The backend (of any VIP) with this address, or -1. */
int dsr_conf_backend_with(const struct dsr_conf *conf, uint8_t family, uint32_t ip,
			  const uint8_t ip6[16]);
/* Whether ip6 is a port's IPv6 address or a VIP's. */
int dsr_conf_check_not_own6(const struct dsr_conf *conf, const uint8_t ip6[16], char *err,
			    size_t errlen);

/* conf_dump.c: the settings' writers (conf.c's conf_ops[] table names them). */
int dsr_conf_settings_ports(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg);
int dsr_conf_settings_port_kif(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg);
int dsr_conf_settings_timeouts(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg);
int dsr_conf_settings_conntrack(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg);
int dsr_conf_settings_conntrack6(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg);
int dsr_conf_settings_maglev(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg);
int dsr_conf_settings_strict_syn(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg);
int dsr_conf_settings_arp_announce(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg);
int dsr_conf_settings_arp_refresh(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg);
int dsr_conf_settings_icmp_forward(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg);
int dsr_conf_settings_icmp_rate(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg);

/* conf_announce.c: announce table, routed VIPs. */
int dsr_conf_apply_announce_table(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err,
				  size_t errlen);
int dsr_conf_settings_announce(const struct dsr_conf *conf, dsr_conf_emit_fn emit, void *arg);
/* A VIP's routed flag must be that of the other services of its address. */
int dsr_conf_check_routed(const struct dsr_conf *conf, const struct dsr_svc_key *svc, bool routed,
			  char *err, size_t errlen);

/* conf_check.c: check set. */
int dsr_conf_apply_check(struct dsr_conf *conf, const struct dsr_cmd *cmd, char *err,
			 size_t errlen);

#endif /* DSR_CONF_PVT_H */
