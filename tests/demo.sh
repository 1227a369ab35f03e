#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The demo: installs what it needs (Debian 12, as root), builds dsrlb,
# and runs it on a built-in topology of network namespaces: a client and
# two backends running real HTTP servers. Twenty curl requests go to the
# VIP; each prints the backend that served it, and then the daemon's
# counters show what it forwarded. Replies go from the backends straight
# to the client (direct server return): dsrlb never sees them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/deps.sh
bash tests/build.sh >/dev/null
. tests/e2e/rig.sh
trap rig_down EXIT

echo "== topology: client 10.0.0.10, dsrlb (DPDK on net_af_packet), backends b1 10.0.0.21 and b2 10.0.0.22"
rig_up
# No static ARP anywhere: dsrlb answers the client's ARP for the VIP and
# resolves the backends' MACs itself.
rig_conf --arp >"$RIG_DIR/lb.conf"
echo "== config:"
sed 's/^/   /' "$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf"
for i in $(seq 30); do
	rig_lb_stats | grep -q "^backend .* 10.0.0.22: .* arp resolved" &&
		grep -q "^backend .* 10.0.0.21: .* arp resolved" "$RIG_DIR/lb.out" && break
	sleep 0.2
done
echo "== dsrlb's log:"
sed 's/^/   /' "$RIG_DIR/lb.err" | grep -v "^   EAL\|^   TELEMETRY"
echo "== 20 requests to http://$VIP/"
for i in $(seq 20); do
	printf "   request %2d (client port %s) served by %s\n" "$i" "$((40000 + i))" \
		"$(ns cl curl -s --max-time 3 --local-port $((40000 + i)) "http://$VIP/" || echo FAILED)"
done
echo "== the same client port again: a flow always reaches the same backend"
for i in 1 2 3; do
	printf "   request from client port 40001 served by %s\n" \
		"$(ns cl curl -s --max-time 3 --local-port 40001 "http://$VIP/" || echo FAILED)"
	sleep 0.2
done
echo "== dsrlb counters (SIGUSR1):"
rig_lb_stats | awk '/^stats:/{n++} n' | grep -v ' count 0$' | sed 's/^/   /'
