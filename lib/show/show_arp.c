/* SPDX-License-Identifier: BSD-3-Clause */
/* The ARP rows of show arp, show conflicts and show stats arp. */
#include <stdio.h>

#include "dsr_ctl.h"
#include "dsr_lb.h"
#include "show_pvt.h"

bool
show_rows_arp(const struct dsr_lb *lb, unsigned int part, unsigned int *next,
	      struct dsr_ctl_out *out)
{
	const struct dsr_arp_neigh *nb;
	const struct dsr_arp_conflict *cf;
	char kind[64], ip[16], mac[18];
	unsigned int n;
	int c;

	if (part == 0)
		n = lb->nb_ports;
	else if (part == 1)
		nb = dsr_arp_neighbours(lb->arp, &n);
	else
		cf = dsr_arp_conflicts(lb->arp, &n);
	for (; *next < n; (*next)++) {
		unsigned int i = *next;

		if (dsr_ctl_queued(out) > DSR_CTL_CHUNK)
			return false;
		if (part == 0) {
			snprintf(kind, sizeof(kind), "arp port %u", i);
			dsr_ctl_row_begin(out, kind);
			for (c = 0; c < DSR_ARP_NCOUNTERS; c++)
				dsr_ctl_kv_u64(out, dsr_arp_counter_name(c),
					       dsr_arp_counter(lb->arp, (uint16_t)i, c));
		} else if (part == 1) {
			snprintf(kind, sizeof(kind), "neighbour %s", dsr_ip_str(nb[i].ip, ip));
			dsr_ctl_row_begin(out, kind);
			dsr_ctl_kv_u64(out, "port", nb[i].port);
			dsr_ctl_kv_str(out, "state", dsr_arp_state_name(nb[i].state));
			dsr_ctl_kv_str(out, "mac",
				       nb[i].has_mac ? dsr_mac_str(nb[i].mac, mac) : "none");
		} else {
			snprintf(kind, sizeof(kind), "conflict %s %s", dsr_ip_str(cf[i].ip, ip),
				 dsr_mac_str(cf[i].mac, mac));
			dsr_ctl_row_begin(out, kind);
			dsr_ctl_kv_u64(out, "port", cf[i].port);
			dsr_ctl_kv_str(out, "kind", dsr_arp_conflict_kind_name(cf[i].kind));
			dsr_ctl_kv_u64(out, "count", cf[i].count);
			dsr_ctl_kv_u64(out, "first-ms", cf[i].first_ms);
			dsr_ctl_kv_u64(out, "last-ms", cf[i].last_ms);
		}
		dsr_ctl_row_end(out);
	}
	return true;
}
