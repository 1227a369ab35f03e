#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e: a port's kernel interface with an IPv6 address (rig.sh with
# RIG_IPV6=1; `port 0 kernel-interface dsr0` on a dual-stack port). dsr0
# gets fd00::2/64 too (no DAD: dsrlb did it; no link-local address of its
# own). ND stays dsrlb's: it answers NS for fd00::2, the kernel gets
# copies of NS for it and NA to it. The client pings fd00::2 (answered by
# the kernel, once each), fetches from a server bound to [fd00::2]:8080
# in the balancer's namespace (a 1 MB download byte for byte), and the
# kernel's `ip -6 neigh` learns the client; the IPv6 VIP still goes to
# the backends, never to the kernel. Then the same port with its IPv6
# address alone: ping -6 and the server again.
set -euo pipefail
RIG_IPV6=1
. "$(dirname "$0")/rig.sh"
. "$(dirname "$0")/health_lib.sh"
trap rig_down EXIT

KIF=dsr0

kif_has() { # dsr0 in the balancer's namespace, as `ip` shows it, has WORDS
	local show w
	show=$(ns lb ip -o addr show dev "$KIF" 2>/dev/null)
	for w in "$@"; do
		grep -qF -- "$w" <<<"$show" || { echo "$KIF: no '$w' in: $show"; return 1; }
	done
}

ping6_ok() {
	local out
	out=$(ns cl timeout 20 ping -6 -c 3 -W 2 -i 0.3 "$LB_IP6") || { echo "$out"; return 1; }
	echo "$out" | tail -2
	grep -q "3 packets transmitted, 3 received, 0% packet loss" <<<"$out" && ! grep -q DUP <<<"$out"
}

rig_up || { echo "rig setup failed"; exit 1; }
# As test_kernel_if.sh: the kernel of the balancer's namespace ignores
# eth0 for IPv4; IPv6 stays off on eth0 (rig.sh), on only on lo, for the
# namespace's own connections to fd00::2 (dsrlb turns it on on dsr0).
ns lb sysctl -qw net.ipv4.conf.eth0.arp_ignore=8 net.ipv4.conf.all.rp_filter=1 \
	net.ipv4.conf.eth0.rp_filter=1 net.ipv6.conf.lo.disable_ipv6=0
{ rig_conf6 --dual; echo "port 0 kernel-interface $KIF"; } >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }

check "$KIF has the port's IPv6 address (no DAD) and IPv4 address, no link-local" \
	kif_has "inet6 $LB_IP6/64" "inet 10.0.0.2/24"
check "... and no link-local address of its own" bash -c "! ip netns exec $RIG-lb ip -6 -o addr show dev $KIF | grep -q fe80"
check "... and not tentative" bash -c "! ip netns exec $RIG-lb ip -6 -o addr show dev $KIF | grep -q tentative"

# A TCP server on the port's IPv6 address in the balancer's namespace.
mkdir -p "$RIG_DIR/kif"
echo "lb-kernel6" >"$RIG_DIR/kif/index.html"
head -c 1048576 /dev/urandom >"$RIG_DIR/kif/blob"
ns lb setsid /usr/bin/python3 -m http.server 8080 --bind "$LB_IP6" \
	--directory "$RIG_DIR/kif" >"$RIG_DIR/kif.log" 2>&1 </dev/null &
rig_wait_for 50 ns lb timeout 1 bash -c "exec 3<>/dev/tcp/$LB_IP6/8080" 2>/dev/null || true
# dsrlb's DAD of fd00::2 (about 1 s) must be over before it answers NS for it.
rig_wait_for 20 ns cl ping -6 -c 1 -W 1 "$LB_IP6" >/dev/null || true

check "ping -6 -c 3 $LB_IP6 from the client is answered, each once" ping6_ok
check "the client's neighbour entry for $LB_IP6 is the port's MAC" \
	bash -c "[ \"\$(ip netns exec $RIG-cl ip -6 neigh show $LB_IP6 dev eth0 | grep -o '$LB_MAC')\" = $LB_MAC ]"
check "curl http://[$LB_IP6]:8080/ reaches the server in the balancer's namespace" \
	bash -c "[ \"\$(ip netns exec $RIG-cl curl -sg --max-time 5 http://[$LB_IP6]:8080/)\" = lb-kernel6 ]"
check "a 1 MB download from it arrives byte for byte" \
	bash -c "ip netns exec $RIG-cl curl -sg --max-time 20 -o $RIG_DIR/kif.got http://[$LB_IP6]:8080/blob &&
		cmp -s $RIG_DIR/kif.got $RIG_DIR/kif/blob"
neigh=$(ns lb ip -6 neigh show "$CLIENT_IP6" dev "$KIF")
echo "the kernel's neighbour entry: $neigh"
check "the kernel's ip -6 neigh learned the client at its MAC" grep -qi "lladdr $CLIENT_MAC" <<<"$neigh"
check "the echoes were the kernel's, not dsrlb's (event icmp-echo 0)" \
	[ "$(rig_stat "event icmp-echo" count)" = 0 ]

rig_wait_for 100 rig_resolved6 || true
read -r to_kernel < <(rig_stat "event to-kernel" count)
read -r b1 b2 bad < <(requests 20 "[$VIP6]")
echo "20 VIP6 requests: b1 $b1, b2 $b2, failed $bad"
check "IPv6 VIP requests still go to both backends" [ "$bad" = 0 -a "$b1" -gt 0 -a "$b2" -gt 0 ]
read -r to_kernel2 < <(rig_stat "event to-kernel" count)
echo "to-kernel $to_kernel -> $to_kernel2"
check "no VIP frame went to the kernel (to-kernel unchanged)" [ "$to_kernel2" = "$to_kernel" ]
check "frames went to the kernel" rig_gt "$to_kernel" 100
rig_stop_lb

# A port with an IPv6 address alone: dsr0 has no IPv4 address, the same IPv6 path.
{ rig_conf6; echo "port 0 kernel-interface $KIF"; } >"$RIG_DIR/lb6.conf"
rig_start_lb "$RIG_DIR/lb6.conf" || { finish; exit 1; }
check "IPv6 alone: $KIF has $LB_IP6/64 and no IPv4 address" \
	bash -c "ip netns exec $RIG-lb ip -o addr show dev $KIF | grep -q 'inet6 $LB_IP6/64' &&
		! ip netns exec $RIG-lb ip -o addr show dev $KIF | grep -q 'inet '"
rig_wait_for 20 ns cl ping -6 -c 1 -W 1 "$LB_IP6" >/dev/null || true
check "IPv6 alone: ping -6 -c 3 $LB_IP6 is answered, each once" ping6_ok
check "IPv6 alone: curl http://[$LB_IP6]:8080/ reaches the server" \
	bash -c "[ \"\$(ip netns exec $RIG-cl curl -sg --max-time 5 http://[$LB_IP6]:8080/)\" = lb-kernel6 ]"
rig_stop_lb
finish
