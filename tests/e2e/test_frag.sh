#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e: IPv4 fragments and ping through dsrlb. The daemon runs on a port
# that hands it fragments as they are (RIG_PORT af_xdp by default, or tap;
# net_af_packet reassembles them first and would test nothing).
# 1. A UDP VIP with two backends, each running a receiver that logs every
#    datagram it gets. The client (MTU 1500) sends 4000-byte datagrams, so
#    in 3 fragments each, from 16 source ports, 4 from each. Every
#    datagram must arrive whole and unchanged exactly once, all datagrams
#    of a port on one backend, both backends used; frag-fwd and
#    frag-tracked count.
# 2. ping of the VIP and of the port's address (10.0.0.2, no kernel
#    interface) are answered, each once, and event icmp-echo counts them.
set -uo pipefail
RIG_PORT=${RIG_PORT:-af_xdp}
. "$(dirname "$0")/rig.sh"
trap rig_down EXIT

if [ "$RIG_PORT" = af_packet ]; then
	echo "test_frag: net_af_packet reassembles fragments; use RIG_PORT=af_xdp or tap"
	exit 1
fi

UDP_PORT=5300
SVC=$VIP:$UDP_PORT/udp
PORT_IP=10.0.0.2
NPORTS=16
COUNT=4
SIZE=4000
FIRST=40000
TOOL=$(dirname "$0")/udp_frag.py

rig_up || { echo "rig setup failed"; exit 1; }
ns cl ip neigh replace "$VIP" lladdr "$LB_MAC" dev eth0 nud permanent
{
	rig_conf
	echo "vip add $SVC"
	echo "backend add $SVC 10.0.0.21 mac $B1_MAC"
	echo "backend add $SVC 10.0.0.22 mac $B2_MAC"
} >"$RIG_DIR/lb.conf"
for b in b1 b2; do
	: >"$RIG_DIR/$b.udp"
	ns "$b" setsid /usr/bin/python3 "$TOOL" recv "$UDP_PORT" "$RIG_DIR/$b.udp" \
		>"$RIG_DIR/$b.udp.err" 2>&1 </dev/null &
done
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }
echo "port: $(grep '^port 0' <(rig_ctl show ports))"
for i in $(seq 50); do
	ns b1 ss -Huln "sport = :$UDP_PORT" | grep -q . && ns b2 ss -Huln "sport = :$UDP_PORT" | grep -q . && break
	sleep 0.1
done

# --- 1. Fragmented datagrams.
read -r fwd0 tracked0 < <(rig_counters "event frag-fwd count" "event frag-tracked count" | paste -sd' ')
check "the client sends $((NPORTS * COUNT)) datagrams of $SIZE bytes" \
	ns cl timeout 20 /usr/bin/python3 "$TOOL" send "$VIP" "$UDP_PORT" "$FIRST" "$NPORTS" "$COUNT" "$SIZE"
want=$((NPORTS * COUNT))
for i in $(seq 50); do
	[ "$(cat "$RIG_DIR/b1.udp" "$RIG_DIR/b2.udp" | wc -l)" -ge "$want" ] && break
	sleep 0.1
done
sleep 0.3 # duplicates, if any, arrive too
read -r _ total _ whole _ bad _ dups _ missing _ split _ on_b1 on_b2 < <(/usr/bin/python3 "$TOOL" verify \
	"$NPORTS" "$COUNT" "$SIZE" "$RIG_DIR/b1.udp" "$RIG_DIR/b2.udp")
echo "received $total datagrams: whole $whole, bad $bad, duplicates $dups, missing $missing; b1 $on_b1, b2 $on_b2; ports on two backends $split"
check "every datagram arrived ($missing missing)" [ "$missing" = 0 ]
check "every datagram arrived whole: $SIZE bytes, unchanged ($whole of $total)" [ "$total" -gt 0 -a "$whole" = "$total" -a "$bad" = 0 ]
check "no datagram arrived twice ($dups)" [ "$dups" = 0 ]
check "all datagrams of a client port reached one backend ($split ports split)" [ "$split" = 0 ]
check "both backends received datagrams" rig_gt "$on_b1" 0 && rig_gt "$on_b2" 0
read -r fwd tracked vpkts drop_frag nofirst < <(rig_counters "event frag-fwd count" "event frag-tracked count" \
	"vip $SVC pkts" "drop fragment count" "drop frag-no-first count" | paste -sd' ')
echo "frag-fwd $fwd0 -> $fwd, frag-tracked $tracked0 -> $tracked, vip $SVC pkts $vpkts, drop fragment $drop_frag, drop frag-no-first $nofirst"
check "event frag-fwd counts the fragments" rig_gt "$fwd" 0
check "event frag-tracked counts the first fragments" rig_gt "$tracked" 0

# --- 2. ping.
echo0=$(rig_counters "event icmp-echo count")
ping_ok() { # address: 3 echoes, each answered once
	local out
	out=$(ns cl timeout 20 ping -c 3 -W 2 -i 0.3 "$1") || { echo "$out"; return 1; }
	echo "$out" | tail -2
	grep -q "3 packets transmitted, 3 received, 0% packet loss" <<<"$out" && ! grep -q DUP <<<"$out"
}
check "ping -c 3 $VIP is answered, each once" ping_ok "$VIP"
check "ping -c 3 $PORT_IP (the port's address) is answered, each once" ping_ok "$PORT_IP"
echo1=$(rig_counters "event icmp-echo count")
echo "event icmp-echo $echo0 -> $echo1"
check "event icmp-echo counts the 6 replies" \
	bash -c "[[ '$echo0' =~ ^[0-9]+\$ && '$echo1' =~ ^[0-9]+\$ ]] && [ \$(($echo1 - $echo0)) = 6 ]"
finish
