#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e: path MTU discovery through dsrlb, with real Linux TCP.
#
#   pc 10.0.1.10 (MTU 1500) --- rt: eth1 10.0.1.1 (MTU 1280)
#                               rt: eth0 10.0.0.1 --- br0 --- dsrlb, b1, b2
#
# The client pc reaches the VIP through the router rt, which ARPs for the
# VIP on the LAN (dsrlb answers). The backends answer pc through rt, with
# segments of 1500 bytes (pc's MSS): rt sends "fragmentation needed" (MTU
# 1280) to their source, the VIP, so to dsrlb, which must forward it to the
# flow's backend. Then a 2 MB download completes, the serving backend's
# route to pc shows mtu 1280, and icmp-fwd counts. The same download with
# `icmp forward off` (after the backends forget the learned MTU) must
# hang, with drop icmp-off counting: this proves the test tests the fix.
set -uo pipefail
. "$(dirname "$0")/rig.sh"
trap rig_down EXIT

PC=10.0.1.10
RT_MAC=02:00:00:00:00:01
SVC=$VIP:80/tcp
SIZE=2097152

rig_up || { echo "rig setup failed"; exit 1; }

# The router: on the LAN, and toward pc over a link of MTU 1280 (its end;
# pc's end keeps 1500, so pc's SYN offers MSS 1460).
rig_host rt "$RT_MAC" 10.0.0.1/24
ip netns add "$RIG-pc"
ip link add eth0 netns "$RIG-pc" type veth peer name eth1 netns "$RIG-rt"
ns pc sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ns pc ip link set lo up
ns pc ip link set eth0 up
ns pc ip addr add "$PC/24" dev eth0
ns pc ip route add default via 10.0.1.1
ns rt ip link set eth1 mtu 1280 up
ns rt ip addr add 10.0.1.1/24 dev eth1
# Forward, and send every ICMP error at once (no rate limit).
ns rt sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
for b in b1 b2; do
	ns "$b" ip route add 10.0.1.0/24 via 10.0.0.1
	# Only PMTU discovery may save the download: no MTU probing.
	ns "$b" sysctl -qw net.ipv4.tcp_mtu_probing=0 net.ipv4.ip_no_pmtu_disc=0
	head -c "$SIZE" /dev/urandom >"$RIG_DIR/$b/big"
done

rig_conf >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }

check "backends do not probe the MTU (tcp_mtu_probing 0)" \
	[ "$(ns b1 sysctl -n net.ipv4.tcp_mtu_probing)$(ns b2 sysctl -n net.ipv4.tcp_mtu_probing)" = 00 ]

frag_needed_sent() { # ICMP "destination unreachable" sent by the router
	ns rt awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) f[$i] = i; h = 1 } else print $f["OutDestUnreachs"] }' \
		/proc/net/snmp
}

# Which backend served the download in $1 (b1, b2 or none).
served_by() {
	local b
	for b in b1 b2; do
		cmp -s "$1" "$RIG_DIR/$b/big" && { echo "$b"; return; }
	done
	echo none
}

# The learned MTU in BACKEND's route to pc ("none" without one).
route_mtu() {
	local m
	m=$(ns "$1" ip route get "$PC" | grep -o 'mtu [0-9]*' | awk '{print $2}')
	echo "${m:-none}"
}

# --- 1. ICMP forwarding on (the default).
check "a small request through the router works" \
	bash -c "ip netns exec $RIG-pc curl -s --max-time 5 http://$VIP/ | grep -Eq '^b[12]$'"
check "the router reached the VIP at dsrlb's MAC (ARP)" \
	bash -c "ip netns exec $RIG-rt ip neigh show $VIP | grep -qi $LB_MAC"
t0=$(date +%s.%N)
ns pc curl -s --max-time 15 -o "$RIG_DIR/on.got" "http://$VIP/big"
rc=$?
t1=$(date +%s.%N)
got=$(stat -c %s "$RIG_DIR/on.got" 2>/dev/null || echo 0)
be=$(served_by "$RIG_DIR/on.got")
echo "icmp forward on: curl rc $rc, $got bytes in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s, from $be"
check "icmp forward on: the 2 MB download completes, byte for byte" [ "$rc" = 0 -a "$be" != none ]
read -r vip_fwd b1_fwd b2_fwd < <(rig_counters "vip $SVC icmp-fwd" "backend $SVC 10.0.0.21 icmp-fwd" \
	"backend $SVC 10.0.0.22 icmp-fwd" | paste -sd' ')
echo "router sent $(frag_needed_sent) destination-unreachable; icmp-fwd: vip $vip_fwd, b1 $b1_fwd, b2 $b2_fwd"
check "the router sent fragmentation-needed" rig_gt "$(frag_needed_sent)" 0
check "the VIP's icmp-fwd counts ($vip_fwd)" rig_gt "$vip_fwd" 0
case "$be" in
b1) be_fwd=$b1_fwd ;;
b2) be_fwd=$b2_fwd ;;
*) be_fwd=missing ;;
esac
check "the serving backend's icmp-fwd counts ($be_fwd)" rig_gt "$be_fwd" 0
mtu=none
[ "$be" = none ] || mtu=$(route_mtu "$be")
echo "ip route get $PC on $be: $(ns "${be/none/b1}" ip route get "$PC" | tr '\n' ' ')"
check "the serving backend learned mtu 1280 for $PC ($mtu)" [ "$mtu" = 1280 ]

# --- 2. ICMP forwarding off: the same download must hang.
for b in b1 b2; do
	ns "$b" ip route flush cache
done
check "the backends forgot the learned MTU" [ "$(route_mtu b1) $(route_mtu b2)" = "none none" ]
check "dsrlbctl icmp forward off" rig_ctl icmp forward off
off0=$(rig_counters "drop icmp-off count")
unreach0=$(frag_needed_sent)
ns pc curl -s --max-time 6 -o "$RIG_DIR/off.got" "http://$VIP/big"
rc=$?
got=$(stat -c %s "$RIG_DIR/off.got" 2>/dev/null || echo 0)
off1=$(rig_counters "drop icmp-off count")
unreach1=$(frag_needed_sent)
echo "icmp forward off: curl rc $rc (28 is a timeout), $got of $SIZE bytes; router sent $((unreach1 - unreach0)) destination-unreachable; drop icmp-off $off0 -> $off1"
check "icmp forward off: the download hangs (curl times out)" [ "$rc" = 28 -a "$got" -lt "$SIZE" ]
check "icmp forward off: the router sent fragmentation-needed" [ "$unreach1" -gt "$unreach0" ]
check "icmp forward off: drop icmp-off counts them" rig_gt "$off1" "$off0"
check "icmp forward off: the backends learned no MTU" [ "$(route_mtu b1) $(route_mtu b2)" = "none none" ]
finish
