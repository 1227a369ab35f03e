#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e: VIP routes (issue 18). dsrlb with a kernel interface (dsr0) and
# `announce table 100` keeps "VIP/32 dev dsr0 proto dsrlb table 100" in
# its namespace while the VIP has a usable backend: `vip withdraw` takes
# it away, `vip announce` gives it back, weight 0 on every backend or
# failed health checks take it away, SIGTERM removes it (logged), a stale route of an earlier run
# is flushed at start. A routed VIP (`vip add ... routed`) gets no ARP
# answer while a normal one does, and is still forwarded; a reload that
# turns the flag round turns the ARP answers round. An IPv6 VIP gets its
# /128 route the same way (the kernel interface has the port's IPv6
# address), is withdrawn and announced, and removed at SIGTERM.
set -euo pipefail
RIG_IPV6=1
. "$(dirname "$0")/rig.sh"
trap rig_down EXIT

KIF=dsr0
RVIP=10.0.0.101 # the routed VIP
PROTO=248       # DSR_ROUTE_PROTO ("dsrlb" once rt_protos.d/dsrlb.conf is installed)

routes() { # the VIP routes in table 100, "ADDR DEV" a line, sorted
	ns lb ip -4 route show table 100 proto "$PROTO" | awk '{print $1, $3}' | sort
}

routes6() { # the IPv6 VIP routes in table 100, as routes
	ns lb ip -6 route show table 100 proto "$PROTO" | awk '{print $1, $3}' | sort
}

routes6_are() { # wait (5 s at most: DAD and neighbour discovery first) for routes6 = "$1"
	local i got
	for i in $(seq 50); do
		got=$(routes6)
		[ "$got" = "$1" ] && return 0
		sleep 0.1
	done
	echo "table 100 (IPv6): '$got', want '$1'"
	return 1
}

routes_are() { # wait (2 s at most) until routes prints exactly "$1"
	local i got
	for i in $(seq 20); do
		got=$(routes)
		[ "$got" = "$1" ] && return 0
		sleep 0.1
	done
	echo "table 100: '$got', want '$1'"
	return 1
}

route_col() { # SVC: the route column of its show vips row
	rig_ctl show vips | awk -v k="vip $1" 'index($0, k ": ") == 1 {
		for (i = 1; i < NF; i++) if ($i == "route") print $(i + 1) }'
}

col_is() { # SVC want
	local got
	got=$(route_col "$1")
	[ "$got" = "$2" ] || { echo "show vips $1: route '$got', want '$2'"; return 1; }
}

arp_answered() { # addr: does the client get an ARP reply?
	ns cl arping -q -c 2 -w 2 -I eth0 "$1"
}

rig_up || { echo "rig setup failed"; exit 1; }
ns lb sysctl -qw net.ipv4.conf.eth0.arp_ignore=8 net.ipv4.conf.all.rp_filter=1 \
	net.ipv4.conf.eth0.rp_filter=1
# The routed VIP on the backends' lo too, and on the client's side a
# neighbour entry, as a router would have from the BGP next hop.
ns b1 ip addr add "$RVIP/32" dev lo
ns b2 ip addr add "$RVIP/32" dev lo
# A route of an earlier run that was killed: flushed at start.
ns lb ip link add stale0 type veth peer name stale1
ns lb ip link set stale0 up
ns lb ip route add 10.9.9.9/32 dev stale0 table 100 proto "$PROTO"
ns lb ip route add 10.9.9.10/32 dev stale0 table 100 proto static
{
	rig_conf
	echo "port 0 kernel-interface $KIF"
	echo "announce table 100"
	echo "vip add $RVIP:80/tcp routed"
	echo "backend add $RVIP:80/tcp 10.0.0.21 mac $B1_MAC"
	echo "backend add $RVIP:80/tcp 10.0.0.22 mac $B2_MAC"
	echo "port 0 address $LB_IP6/64"
	echo "vip add [$VIP6]:80/tcp"
	echo "backend add [$VIP6]:80/tcp $B1_IP6"
	echo "backend add [$VIP6]:80/tcp $B2_IP6"
} >"$RIG_DIR/lb.conf"
t0=$(date +%s.%N)
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }

check "both VIPs announced through $KIF" routes_are "10.0.0.100 $KIF
$RVIP $KIF"
check "the stale route is gone, the static one stays" \
	test "$(ns lb ip -4 route show table 100 | grep -c '^10.9.9')" = 1
check "the flush is logged" grep -q "announce table 100: removed 1 routes of an earlier run" \
	"$RIG_DIR/lb.err"
check "logged: announced (table 100)" grep -q "INFO VIP $VIP: announced (table 100)" \
	"$RIG_DIR/lb.err"
check "show vips: announced" col_is "$VIP:80/tcp" announced
check "the IPv6 VIP announced through $KIF (/128)" routes6_are "$VIP6 $KIF"
check "logged: [$VIP6] announced" grep -q "INFO VIP $VIP6: announced (table 100)" \
	"$RIG_DIR/lb.err"
rig_ctl vip withdraw "[$VIP6]:80/tcp"
check "vip withdraw of the IPv6 VIP: its route goes" routes6_are ""
check "... the IPv4 ones stay" routes_are "10.0.0.100 $KIF
$RVIP $KIF"
rig_ctl vip announce "[$VIP6]:80/tcp"
check "vip announce of the IPv6 VIP: back" routes6_are "$VIP6 $KIF"
prom() { # the dsrlb_vip_announced sample of SVC
	rig_ctl show stats --prometheus | awk -v k="dsrlb_vip_announced{vip=\"$1\"}" '$1 == k {print $2}'
}
check "Prometheus: dsrlb_vip_announced 1" test "$(prom "$VIP:80/tcp")" = 1
json=$(rig_ctl --json show vips | python3 -c 'import json, sys
print(" ".join(r["route"] + "/" + r["routed"] for r in json.load(sys.stdin)["rows"]))')
check "show vips --json: route and routed ($json)" \
	test "$json" = "announced/no announced/yes announced/no"
check "show config: routed" grep -qx "vip add $RVIP:80/tcp routed" <(rig_ctl show config)

check "a normal VIP is answered by ARP" arp_answered "$VIP"
check "a routed VIP is not" eval "! arp_answered $RVIP"
ns cl ip neigh replace "$RVIP" lladdr "$LB_MAC" dev eth0
who=$(ns cl curl -s --max-time 3 "http://$RVIP/" || true)
check "the routed VIP is forwarded (answer '$who')" grep -Eqx 'b1|b2' <<<"$who"

rig_ctl vip withdraw "$VIP:80/tcp"
check "vip withdraw: its route goes at once" routes_are "$RVIP $KIF"
check "show vips: withdrawn" col_is "$VIP:80/tcp" withdrawn
check "Prometheus: dsrlb_vip_announced 0" test "$(prom "$VIP:80/tcp")" = 0
check "logged: withdrawn (operator)" grep -q "INFO VIP $VIP: withdrawn (operator)" \
	"$RIG_DIR/lb.err"
who=$(ns cl curl -s --max-time 3 "http://$VIP/" || true)
check "a withdrawn VIP is still forwarded (answer '$who')" grep -Eqx 'b1|b2' <<<"$who"
rig_ctl vip announce "$VIP:80/tcp"
check "vip announce: back" routes_are "10.0.0.100 $KIF
$RVIP $KIF"

rig_ctl backend set "$VIP:80/tcp" 10.0.0.21 weight 0
check "one backend left: still announced" routes_are "10.0.0.100 $KIF
$RVIP $KIF"
rig_ctl backend set "$VIP:80/tcp" 10.0.0.22 weight 0
check "no usable backend: withdrawn" routes_are "$RVIP $KIF"
check "show vips: no-usable-backend" col_is "$VIP:80/tcp" no-usable-backend
check "logged: withdrawn (no usable backend)" \
	grep -q "INFO VIP $VIP: withdrawn (no usable backend)" "$RIG_DIR/lb.err"
rig_ctl backend set "$VIP:80/tcp" 10.0.0.22 weight 100
check "a usable backend again: announced" routes_are "10.0.0.100 $KIF
$RVIP $KIF"

# The kernel drops the routes of an interface that goes down; dsrlb says
# so, and writes them again as soon as it is up.
ns lb ip link set "$KIF" down
check "$KIF down: no route" routes_are ""
rig_wait_for 20 col_is "$VIP:80/tcp" route-error >/dev/null || true
check "show vips: route-error" col_is "$VIP:80/tcp" route-error
check "logged once: the kernel's reason" \
	test "$(grep -c "WARNING VIP $VIP: cannot add route $VIP/32 table 100: Network is down" \
		"$RIG_DIR/lb.err")" = 1
ns lb ip link set "$KIF" up
check "$KIF up: both back" routes_are "10.0.0.100 $KIF
$RVIP $KIF"
check "logged: the kernel took it" grep -q "NOTICE VIP $VIP: the kernel took the route" \
	"$RIG_DIR/lb.err"

# Health: a tcp check on a closed port takes both backends down.
rig_ctl check set "$RVIP:80/tcp" tcp port 81 interval 0.2 timeout 0.1 fall 1
check "every backend down by health: withdrawn" routes_are "10.0.0.100 $KIF"
check "logged: $RVIP withdrawn (no usable backend)" \
	grep -q "INFO VIP $RVIP: withdrawn (no usable backend)" "$RIG_DIR/lb.err"
rig_ctl check set "$RVIP:80/tcp" none
check "no check, backends in service: announced" routes_are "10.0.0.100 $KIF
$RVIP $KIF"

# A reload that turns the flag round on both: ARP follows, routes stay.
sed -i -e "s|^vip add $VIP:80/tcp\$|vip add $VIP:80/tcp routed|" \
	-e "s|^vip add $RVIP:80/tcp routed\$|vip add $RVIP:80/tcp|" "$RIG_DIR/lb.conf"
ns lb pkill -HUP -f -- "--file-prefix $RIG " || true
rig_wait_for 30 grep -q "SIGHUP: " "$RIG_DIR/lb.err" || true
# Three: the two flags, and 10.0.0.21's weight back from 0 to the file's.
check "reload: the routed flags changed" grep -q "reloaded: 3 changes applied" "$RIG_DIR/lb.err"
check "reload: $RVIP, no longer routed, is answered by ARP" arp_answered "$RVIP"
check "reload: $VIP, now routed, is not" eval "! arp_answered $VIP"
check "reload: both still announced" routes_are "10.0.0.100 $KIF
$RVIP $KIF"

out=$(rig_ctl vip withdraw 10.0.0.200:80/tcp 2>&1 || true)
check "withdraw of a missing VIP: refused ('$out')" \
	grep -q "VIP 10.0.0.200:80/tcp does not exist" <<<"$out"

pkill -TERM -f -- "^$DSRLB .*--file-prefix $RIG " || true
wait "$LB_PID" 2>/dev/null || true
LB_PID=
check "SIGTERM: both routes removed" routes_are ""
check "SIGTERM: the IPv6 route removed" routes6_are ""
check "logged: withdrawn (stopping)" grep -q "INFO VIP $RVIP: withdrawn (stopping)" \
	"$RIG_DIR/lb.err"
echo "# test time $(echo "$(date +%s.%N) - $t0" | bc) s from start"
finish
