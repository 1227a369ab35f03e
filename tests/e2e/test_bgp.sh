#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e scale-out (issue 18), rig_bgp.sh: two dsrlb instances announce the
# VIP by BGP through their own BIRD; the router spreads the client's
# connections over both by its ECMP route, hashed on the 5-tuple.
# 1. Both instances carry some of 200 connections, and each connection's
#    entry (`show conns`) names the backend that answered it.
# 2. Same choice everywhere: for each of the 200 flows, a bare ACK of the
#    same 5-tuple sent from the router straight to the instance that did
#    not carry it (its MAC; strict-syn is off, so it picks the flow up by
#    Maglev, as it would after a failover) gets an entry there too: both
#    instances name the same backend for every flow, though their configs
#    list the backends in opposite orders.
set -uo pipefail
. "$(dirname "$0")/rig_bgp.sh"
trap bgp_down EXIT

N=200

bgp_up || { echo "rig setup failed"; exit 1; }
bgp_start_lb lb1 || { bgp_finish; exit 1; }
bgp_start_lb lb2 || { bgp_finish; exit 1; }
t=$(bgp_wait_paths "10.0.0.2 10.0.0.3" 20)
check "the router has an ECMP route to $VIP via both instances ($t)" [ "${t% ms}" != "$t" ]
ns rt ip route show "$VIP/32"

# N connections, kept open (see bgp_clients); "BACKEND-NAME CLIENT-PORT".
bgp_clients 40001 "$N" "$RIG_DIR/served"
declare -A served=()
bad=0
while read -r who port; do
	case "$who" in
	b1) served[$port]=10.0.0.21 ;;
	b2) served[$port]=10.0.0.22 ;;
	*) bad=$((bad + 1)) ;;
	esac
done <"$RIG_DIR/served"
echo "$N connections: b1 $(grep -c '^b1 ' "$RIG_DIR/served"), b2 $(grep -c '^b2 ' "$RIG_DIR/served"), failed $bad"
check "all $N connections are answered" [ "$bad.${#served[@]}" = "0.$N" ]

# Each flow's entry: on the instance the router chose.
declare -A on1=() on2=()
while read -r port b; do on1[$port]=$b; done < <(bgp_conns lb1)
while read -r port b; do on2[$port]=$b; done < <(bgp_conns lb2)
n1=0 n2=0 both=0 none=0 wrong=0
for port in "${!served[@]}"; do
	[ -n "${on1[$port]:-}" ] && n1=$((n1 + 1))
	[ -n "${on2[$port]:-}" ] && n2=$((n2 + 1))
	[ -n "${on1[$port]:-}" ] && [ -n "${on2[$port]:-}" ] && both=$((both + 1))
	[ -z "${on1[$port]:-}${on2[$port]:-}" ] && none=$((none + 1))
	[ -n "${on1[$port]:-}${on2[$port]:-}" ] ||
		echo "port $port (${served[$port]}): lb1 '${on1[$port]:-}', lb2 '${on2[$port]:-}'" \
		"$(bgp_ctl lb1 show conns | grep ":$port ") $(bgp_ctl lb2 show conns | grep ":$port ")"
	b=${on1[$port]:-${on2[$port]:-}}
	[ -z "$b" ] || [ "$b" = "${served[$port]}" ] || wrong=$((wrong + 1))
done
echo "entries: lb1 $n1, lb2 $n2, on both $both, on neither $none, backend not the one that answered $wrong"
[ "$none" = 0 ] || for h in lb1 lb2; do
	echo "$h: $(bgp_ctl "$h" show stats | grep -E '^(total|event|drop) ' | grep -v 'count 0$' | paste -sd' ')"
done
check "both instances carry traffic (lb1 $n1, lb2 $n2)" [ "$n1" -gt 0 -a "$n2" -gt 0 ]
check "each connection has an entry on exactly one instance" [ "$both.$none" = 0.0 ]
check "each entry names the backend that answered" [ "$wrong" = 0 ]

# The other instance's choice: a bare ACK of each flow, from the router
# to the instance that did not see it.
for port in "${!served[@]}"; do
	if [ -n "${on1[$port]:-}" ]; then echo "$port ${BGP_MAC[lb2]}"; else echo "$port ${BGP_MAC[lb1]}"; fi
done >"$RIG_DIR/acks"
ns rt /usr/bin/python3 - "$RIG_DIR/acks" "$ROUTER_MAC" "$CLIENT_IP" "$VIP" <<'PY'
import sys
from scapy.all import Ether, IP, TCP, sendp, conf
conf.verb = 0
acks, src_mac, client, vip = sys.argv[1:5]
frames = []
for line in open(acks):
    port, mac = line.split()
    frames.append(Ether(src=src_mac, dst=mac) / IP(src=client, dst=vip, ttl=63) /
                  TCP(sport=int(port), dport=80, flags="A", seq=1, ack=1))
sendp(frames, iface="eth0", inter=0.002)
PY
sleep 0.5
# The second instance's entries: v1 on lb1 for the flows lb2 carried, v2
# on lb2 for lb1's.
declare -A v1=() v2=()
while read -r port b; do v1[$port]=$b; done < <(bgp_conns lb1)
while read -r port b; do v2[$port]=$b; done < <(bgp_conns lb2)
seen2=0 agree=0 differ=0
for port in "${!served[@]}"; do
	if [ -n "${on1[$port]:-}" ]; then
		first=${on1[$port]} second=${v2[$port]:-}
	else
		first=${on2[$port]:-} second=${v1[$port]:-}
	fi
	[ -n "$second" ] || continue
	seen2=$((seen2 + 1))
	if [ "$first" = "$second" ] && [ "$second" = "${served[$port]}" ]; then
		agree=$((agree + 1))
	else
		differ=$((differ + 1))
		echo "port $port: first instance $first, second $second, answered by ${served[$port]}"
	fi
done
echo "flows seen on both instances: $seen2, same backend $agree, different $differ"
check "every flow now has an entry on the other instance too" [ "$seen2" = "$N" ]
check "both instances chose the same backend for every flow, the one that answered" \
	[ "$agree" = "$N" ]
bgp_clients_close
bgp_finish
