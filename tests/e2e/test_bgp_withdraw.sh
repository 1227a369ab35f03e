#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e scale-out (issue 18), rig_bgp.sh: taking one of two BGP-announcing
# dsrlb instances out of service without cutting a connection.
# 1. Graceful withdraw: eight paced downloads run over both
#    instances; `dsrlbctl vip withdraw` on the one with more of them: its
#    route leaves table 100, BIRD withdraws it, the router's route points
#    at the other instance alone. The downloads move there and complete
#    byte for byte with no RST from the VIP; 40 new connections all go to
#    the other instance. `vip announce` brings the path back.
# 2. Health: the backends stop answering one instance's dsr checks (an
#    unreachable route to its port's address on both, which drops the
#    probes' SYNs; a blackhole would keep them half open and fill the
#    listeners' SYN queues): every backend of the
#    VIP is down there, so it removes the route and the router stops
#    sending it new connections; the other instance serves them all.
#    When the checks pass again, the path comes back.
set -uo pipefail
. "$(dirname "$0")/rig_bgp.sh"

N=8
RATE=200k # a ceiling (rig_slowget): no 1 MB download ends in under 5 s
CHECK="check set $VIP:80/tcp dsr interval 0.5 timeout 0.5 rise 2 fall 2"
trap bgp_down EXIT

# new_conns FIRST-PORT N: N connections from client ports FIRST..; prints
# how many were answered, and how many of them have an entry on lb1, lb2.
new_conns() {
	local first=$1 n=$2 ok c1 c2
	bgp_clients "$first" "$n" "$RIG_DIR/new.$first"
	ok=$(grep -c '^b[12] ' "$RIG_DIR/new.$first")
	c1=$(bgp_conns lb1 | awk -v a="$first" -v b=$((first + n)) '$1 >= a && $1 < b' | wc -l)
	c2=$(bgp_conns lb2 | awk -v a="$first" -v b=$((first + n)) '$1 >= a && $1 < b' | wc -l)
	bgp_clients_close
	echo "$ok $c1 $c2"
}

# vip_route HOST STATE: `show vips` gives the VIP's route as STATE.
vip_route() {
	bgp_ctl "$1" show vips | grep "$VIP:80/tcp" | grep -qE " route $2( |$)"
}

bgp_up || { echo "rig setup failed"; exit 1; }
bgp_start_lb lb1 "$CHECK" || { bgp_finish; exit 1; }
bgp_start_lb lb2 "$CHECK" || { bgp_finish; exit 1; }
t=$(bgp_wait_paths "10.0.0.2 10.0.0.3" 20)
check "the router has an ECMP route to $VIP via both instances ($t)" [ "${t% ms}" != "$t" ]

# 1. Graceful withdraw.
bgp_capture_rsts
bgp_downloads "$N" "$RATE"
sleep 1
bgp_downloads_split
out=$BGP_BUSY in=$BGP_IDLE

bgp_ctl "$out" vip withdraw "$VIP:80/tcp"
t=$(bgp_wait_paths "${BGP_ADDR[$in]}" 10)
echo "# vip withdraw on $out: the router's route is via $in alone after $t"
check "vip withdraw on $out: the router's route is via $in alone ($t)" [ "${t% ms}" != "$t" ]
check "$out's route is gone from table $BGP_TABLE" \
	[ -z "$(ns "$out" ip route show table "$BGP_TABLE" "$VIP/32")" ]
check "$out logs the withdrawal" grep -q "VIP $VIP: withdrawn (operator)" "$RIG_DIR/$out.err"
check "show vips on $out says 'route withdrawn'" vip_route "$out" withdrawn
check "show vips on $in says 'route announced'" vip_route "$in" announced
read -r ok c1 c2 < <(new_conns 42001 40)
declare -A cnt=([lb1]=$c1 [lb2]=$c2)
echo "40 new connections: answered $ok, entries on lb1 $c1, lb2 $c2"
check "40 new connections are answered, all by $in" \
	[ "$ok.${cnt[$in]}.${cnt[$out]}" = "40.40.0" ]

check "all $N downloads complete, byte for byte" bgp_downloads_ok BGP_WAS
bgp_stop_capture
check "no RST from the VIP reached the client ($BGP_RSTS)" [ "$BGP_RSTS" = 0 ]

bgp_ctl "$out" vip announce "$VIP:80/tcp"
t=$(bgp_wait_paths "10.0.0.2 10.0.0.3" 10)
check "vip announce on $out: both paths again ($t)" [ "${t% ms}" != "$t" ]

# 2. Health: every backend fails $out's checks.
ns b1 ip route add unreachable "${BGP_ADDR[$out]}/32"
ns b2 ip route add unreachable "${BGP_ADDR[$out]}/32"
t=$(bgp_wait_paths "${BGP_ADDR[$in]}" 10)
echo "# all backends fail $out's checks: the router's route is via $in alone after $t"
check "no healthy backend on $out: the router's route is via $in alone ($t)" [ "${t% ms}" != "$t" ]
check "$out logs why" grep -q "VIP $VIP: withdrawn (no usable backend)" "$RIG_DIR/$out.err"
check "show vips on $out says 'route no-usable-backend'" vip_route "$out" no-usable-backend
check "$out has both backends down" \
	[ "$(bgp_ctl "$out" show backends | grep -c ' health down ')" = 2 ]
read -r ok c1 c2 < <(new_conns 43001 40)
cnt=([lb1]=$c1 [lb2]=$c2)
echo "40 new connections: answered $ok, entries on lb1 $c1, lb2 $c2"
check "40 new connections are answered, all by $in" \
	[ "$ok.${cnt[$in]}.${cnt[$out]}" = "40.40.0" ]
ns b1 ip route del unreachable "${BGP_ADDR[$out]}/32"
ns b2 ip route del unreachable "${BGP_ADDR[$out]}/32"
t=$(bgp_wait_paths "10.0.0.2 10.0.0.3" 10)
check "the checks pass again: both paths again ($t)" [ "${t% ms}" != "$t" ]
bgp_finish
