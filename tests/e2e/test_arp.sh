#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e ARP: real Linux hosts in namespaces, arping from iputils-arping.
# - the client reaches the VIP through dsrlb's ARP reply alone (no static
#   neighbour entry), and backends are resolved with no 'mac' in the config;
# - a host configured with our port address sending gratuitous ARP
#   (arping -U) makes the conflict WARNING appear in the daemon's log;
# - arping -D for the VIP (a probe, sender 0.0.0.0) gets the defence reply
#   (arping -D exits 1 when answered) and the probe WARNING is logged.
set -euo pipefail
. "$(dirname "$0")/rig.sh"
trap rig_down EXIT
DUP_MAC=02:00:00:00:00:66


rig_up
rig_conf --arp >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf"

# The backends answer dsrlb's ARP requests within a second or so.
resolved() {
	rig_lb_stats | grep -q "^neighbour 10.0.0.21: port 0 state reachable mac $B1_MAC" &&
		grep -q "^neighbour 10.0.0.22: port 0 state reachable mac $B2_MAC" "$RIG_DIR/lb.out"
}
for i in $(seq 30); do resolved && break; sleep 0.2; done
check "backends resolved by ARP with no mac in the config" resolved

ok=0
declare -A served=([b1]=0 [b2]=0)
for i in $(seq 20); do
	who=$(ns cl curl -s --max-time 3 "http://$VIP/" || true)
	case "$who" in b1 | b2) ok=$((ok + 1)); served[$who]=$((served[$who] + 1)) ;; esac
done
echo "     20 requests: $ok answered (b1 ${served[b1]}, b2 ${served[b2]})"
check "client reaches the VIP through dsrlb's ARP reply alone" [ "$ok" = 20 ]
check "both backends serve" test "${served[b1]}" -gt 0 -a "${served[b2]}" -gt 0
check "client learned the VIP's MAC from dsrlb" \
	bash -c "ip netns exec $RIG-cl ip neigh show $VIP | grep -q $LB_MAC"

# A host that was given our port address announces it.
rig_host dup "$DUP_MAC" 10.0.0.2/24
ns dup arping -q -U -c 2 -w 3 -I eth0 10.0.0.2 || true
sleep 0.3
check "WARNING for a host using our address (arping -U)" \
	grep -qx "WARNING port 0: MAC address $DUP_MAC is using our IP address 10.0.0.2" \
	"$RIG_DIR/lb.err"

# Duplicate address detection from the client: a probe for the VIP.
set +e
ns cl arping -D -c 2 -w 3 -I eth0 "$VIP" >"$RIG_DIR/arping-d.out" 2>&1
rc=$?
set -e
echo "     arping -D $VIP exited $rc: $(grep -i -m1 'reply\|received' "$RIG_DIR/arping-d.out" || true)"
check "arping -D for the VIP is answered (exit 1)" [ "$rc" = 1 ]
check "WARNING for the probe" \
	grep -qx "WARNING port 0: MAC address $CLIENT_MAC probed for our IP address $VIP" \
	"$RIG_DIR/lb.err"
rig_lb_stats >/dev/null
check "conflicts listed" grep -q "^conflict 10.0.0.2 $DUP_MAC: port 0 kind using" "$RIG_DIR/lb.out"
finish
