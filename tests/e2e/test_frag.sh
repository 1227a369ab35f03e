#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e: fragments and ping through dsrlb, over IPv4, or over IPv6 with
# RIG_IPV6=1 (the client and dsrlb then find each other, and dsrlb the
# backends, by neighbour discovery). The daemon runs on a port that hands
# it fragments as they are (RIG_PORT af_xdp by default, or tap;
# net_af_packet reassembles them first and would test nothing).
# 1. A UDP VIP with two backends, each running a receiver that logs every
#    datagram it gets. The client (MTU 1500) sends 4000-byte datagrams,
#    which its kernel sends in 3 fragments each, from 16 source ports, 4
#    from each. Every datagram must arrive whole and unchanged exactly
#    once, all datagrams of a port on one backend, both backends used;
#    frag-fwd and frag-tracked count.
#    Then single datagrams whose fragments come last first (built on a raw
#    socket, or as Ethernet frames for IPv6): to a VIP address with one
#    backend (10.0.0.101, fd00::101) the later fragments go to it
#    (frag-guessed) and the datagram arrives whole; to the VIP with two
#    backends they are dropped (frag-no-first) and the datagram never
#    arrives.
# 2. ping of the VIP and of the port's address (10.0.0.2 or fd00::2, no
#    kernel interface) are answered, each once, and event icmp-echo counts
#    them.
# 3. With `icmp rate 0` no echo is answered and drop icmp-rate counts them;
#    `icmp rate 1000` answers again.
set -uo pipefail
RIG_PORT=${RIG_PORT:-af_xdp}
. "$(dirname "$0")/rig.sh"
trap rig_down EXIT

if [ "$RIG_PORT" = af_packet ]; then
	echo "test_frag: net_af_packet reassembles fragments; use RIG_PORT=af_xdp or tap"
	exit 1
fi

UDP_PORT=5300
NPORTS=16
COUNT=4
SIZE=4000
FIRST=40000
TOOL=$(dirname "$0")/udp_frag.py
if [ "$RIG_IPV6" = 1 ]; then
	FVIP=$VIP6
	VIP1=fd00::101 # a VIP address with one backend, b1
	SVC="[$VIP6]:$UDP_PORT/udp"
	SVC1="[$VIP1]:$UDP_PORT/udp"
	PORT_IP=$LB_IP6
	CLIENT_IP=$CLIENT_IP6
	BE1=$B1_IP6
	BE2=$B2_IP6
	FAMILY=6
else
	FVIP=$VIP
	VIP1=10.0.0.101
	SVC=$VIP:$UDP_PORT/udp
	SVC1=$VIP1:$UDP_PORT/udp
	PORT_IP=10.0.0.2
	CLIENT_IP=10.0.0.10
	BE1="10.0.0.21 mac $B1_MAC"
	BE2="10.0.0.22 mac $B2_MAC"
	FAMILY=4
fi

rig_up || { echo "rig setup failed"; exit 1; }
if [ "$RIG_IPV6" = 1 ]; then
	ns b1 ip -6 addr add "$VIP1/128" dev lo nodad
else
	ns cl ip neigh replace "$VIP" lladdr "$LB_MAC" dev eth0 nud permanent
	ns cl ip neigh replace "$VIP1" lladdr "$LB_MAC" dev eth0 nud permanent
	ns b1 ip addr add "$VIP1/32" dev lo
fi
{
	if [ "$RIG_IPV6" = 1 ]; then rig_conf6; else rig_conf; fi
	echo "vip add $SVC"
	echo "backend add $SVC $BE1"
	echo "backend add $SVC $BE2"
	echo "vip add $SVC1"
	echo "backend add $SVC1 $BE1"
} >"$RIG_DIR/lb.conf"
for b in b1 b2; do
	: >"$RIG_DIR/$b.udp"
	ns "$b" setsid /usr/bin/python3 "$TOOL" recv "$UDP_PORT" "$RIG_DIR/$b.udp" "$FAMILY" \
		>"$RIG_DIR/$b.udp.err" 2>&1 </dev/null &
done
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }
echo "port: $(grep '^port 0' <(rig_ctl show ports))"
if [ "$RIG_IPV6" = 1 ]; then
	check "the client reaches http://[$VIP6]/ (neighbour discovery both ways)" rig_wait_vip6 15
fi
udp_up() { ns b1 ss -Huln "sport = :$UDP_PORT" | grep -q . && ns b2 ss -Huln "sport = :$UDP_PORT" | grep -q .; }
rig_wait_for 50 udp_up

# --- 1. Fragmented datagrams.
# 4000 bytes of UDP payload in 1500-byte frames: 3 fragments a datagram.
read -r fwd0 tracked0 < <(rig_counters "event frag-fwd count" "event frag-tracked count" | paste -sd' ')
check "the client sends $((NPORTS * COUNT)) datagrams of $SIZE bytes to $FVIP" \
	ns cl timeout 20 /usr/bin/python3 "$TOOL" send "$FVIP" "$UDP_PORT" "$FIRST" "$NPORTS" "$COUNT" "$SIZE"
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
both_used() { rig_gt "$on_b1" 0 && rig_gt "$on_b2" 0; }
check "both backends received datagrams" both_used
read -r fwd tracked nofirst guessed < <(rig_counters "event frag-fwd count" "event frag-tracked count" \
	"drop frag-no-first count" "event frag-guessed count" | paste -sd' ')
echo "frag-fwd $fwd0 -> $fwd, frag-tracked $tracked0 -> $tracked, drop frag-no-first $nofirst, frag-guessed $guessed"
check "event frag-fwd counts the $((want * 3)) fragments" rig_grew_by "$fwd0" "$fwd" $((want * 3))
check "event frag-tracked counts the $want first fragments" rig_grew_by "$tracked0" "$tracked" "$want"
check "in order, no fragment came without its first" [ "$nofirst $guessed" = "0 0" ]
check "vip $SVC counts the $((want * 3)) fragments" rig_grew_by 0 "$(rig_stat "vip $SVC" pkts)" $((want * 3))

# Later fragments first. Each datagram has 3 fragments: 2 later ones, then the first.
received() { # sport: the receivers' log lines for that client port
	cat "$RIG_DIR/b1.udp" "$RIG_DIR/b2.udp" | awk -v p="$1" '$1 == p'
}
read -r tracked0 guessed0 nofirst0 < <(rig_counters "event frag-tracked count" "event frag-guessed count" \
	"drop frag-no-first count" | paste -sd' ')
reversed_send() { # dst sport: one datagram, its fragments last first
	if [ "$RIG_IPV6" = 1 ]; then
		ns cl timeout 10 /usr/bin/python3 "$TOOL" reversed6 "$CLIENT_IP" "$1" "$2" "$UDP_PORT" "$SIZE" \
			eth0 "$(rig_neigh_mac cl "$VIP6")"
	else
		ns cl timeout 10 /usr/bin/python3 "$TOOL" reversed "$CLIENT_IP" "$1" "$2" "$UDP_PORT" "$SIZE"
	fi
}
reversed_send "$VIP1" 41000
for i in $(seq 30); do
	[ -n "$(received 41000)" ] && break
	sleep 0.1
done
reversed_send "$FVIP" 41001
sleep 0.5
read -r tracked1 guessed1 nofirst1 < <(rig_counters "event frag-tracked count" "event frag-guessed count" \
	"drop frag-no-first count" | paste -sd' ')
echo "last first: to $VIP1 received '$(received 41000)' on $(grep -l '^41000 ' "$RIG_DIR"/b?.udp | xargs -r -n1 basename);" \
	"to $FVIP received '$(received 41001)'; frag-tracked $tracked0 -> $tracked1, frag-guessed $guessed0 -> $guessed1," \
	"drop frag-no-first $nofirst0 -> $nofirst1"
check "last first, one backend: the datagram reaches b1 whole" \
	bash -c "[ \"\$(awk '\$1 == 41000' $RIG_DIR/b1.udp)\" = '41000 0 $SIZE ok' ]"
check "last first, one backend: frag-guessed counts the 2 later fragments" rig_grew_by "$guessed0" "$guessed1" 2
check "last first, two backends: the datagram never arrives" [ -z "$(received 41001)" ]
check "last first, two backends: drop frag-no-first counts the 2 later fragments" \
	rig_grew_by "$nofirst0" "$nofirst1" 2
check "last first: frag-tracked counts both first fragments" rig_grew_by "$tracked0" "$tracked1" 2

# --- 2. ping.
echo0=$(rig_counters "event icmp-echo count")
ping_ok() { # address: 3 echoes, each answered once
	local out
	out=$(ns cl timeout 20 ping -c 3 -W 2 -i 0.3 "$1") || { echo "$out"; return 1; }
	echo "$out" | tail -2
	grep -q "3 packets transmitted, 3 received, 0% packet loss" <<<"$out" && ! grep -q DUP <<<"$out"
}
check "ping -c 3 $FVIP is answered, each once" ping_ok "$FVIP"
check "ping -c 3 $PORT_IP (the port's address) is answered, each once" ping_ok "$PORT_IP"
echo1=$(rig_counters "event icmp-echo count")
echo "event icmp-echo $echo0 -> $echo1"
check "event icmp-echo counts the 6 replies" rig_grew_by "$echo0" "$echo1" 6

# --- 3. icmp rate 0: no echo answered, each counted as drop icmp-rate.
read -r echo1 rate0 < <(rig_counters "event icmp-echo count" "drop icmp-rate count" | paste -sd' ')
check "dsrlbctl icmp rate 0" rig_ctl icmp rate 0
out=$(ns cl timeout 20 ping -c 3 -W 1 -i 0.3 "$FVIP" 2>&1)
echo "$out" | tail -2 | head -1
read -r echo2 rate1 < <(rig_counters "event icmp-echo count" "drop icmp-rate count" | paste -sd' ')
echo "icmp rate 0: event icmp-echo $echo1 -> $echo2, drop icmp-rate $rate0 -> $rate1"
check "icmp rate 0: ping of $FVIP gets no answer" grep -q "3 packets transmitted, 0 received" <<<"$out"
rate_counted() { rig_grew_by "$rate0" "$rate1" 3 && rig_grew_by "$echo1" "$echo2" 0; }
check "icmp rate 0: drop icmp-rate counts the 3 requests, icmp-echo unchanged" rate_counted
check "dsrlbctl icmp rate 1000: ping answers again" \
	bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' icmp rate 1000 >/dev/null &&
		ip netns exec $RIG-cl timeout 10 ping -c 1 -W 2 $FVIP >/dev/null"
finish
