#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e: a port's kernel interface (`port 0 kernel-interface dsr0`). dsrlb
# runs on net_af_packet in the rig and makes dsr0 in its namespace (with
# net_tap here: no /dev/vhost-net) with the port's MAC and 10.0.0.2/24.
# The client pings 10.0.0.2 and fetches from a TCP server bound to
# 10.0.0.2 inside the balancer's namespace, through the DPDK port, while
# VIP traffic still goes to the backends and never to the kernel.
set -euo pipefail
. "$(dirname "$0")/rig.sh"
trap rig_down EXIT

KIF=dsr0
PORT_IP=10.0.0.2

counters() { # print KEY... from a fresh counters summary, one a line
	rig_lb_stats >/dev/null
	/usr/bin/python3 -c '
import sys; sys.path.insert(0, sys.argv[1])
import dsrtest
c = dsrtest.parse_summary(open(sys.argv[2]).read())
for k in sys.argv[3:]:
    print(c[k])
' "$TOP/tests/pylib" "$RIG_DIR/lb.out" "$@"
}

vip_requests() { # n: all answered, by both backends
	local n=$1 i who b1=0 b2=0
	for i in $(seq "$n"); do
		who=$(ns cl curl -s --max-time 3 "http://$VIP/" || true)
		case "$who" in
		b1) b1=$((b1 + 1)) ;;
		b2) b2=$((b2 + 1)) ;;
		*) echo "VIP request $i: no answer ('$who')"; return 1 ;;
		esac
	done
	echo "$n VIP requests: b1 $b1, b2 $b2"
	[ "$b1" -gt 0 ] && [ "$b2" -gt 0 ]
}

kif_has() { # the interface in the balancer's namespace, as `ip` shows it, has WORDS
	local show
	show=$(ns lb ip -o addr show dev "$KIF" 2>/dev/null; ns lb ip -o link show dev "$KIF" 2>/dev/null)
	local w
	for w in "$@"; do
		grep -qF -- "$w" <<<"$show" || { echo "$KIF: no '$w' in: $show"; return 1; }
	done
}

rig_up || { echo "rig setup failed"; exit 1; }
# net_af_packet leaves eth0 to the kernel of the balancer's namespace too
# (a NIC bound to vfio-pci would not): once dsr0 holds 10.0.0.2, that
# kernel would answer ARP and ping arriving on eth0 as well, twice over.
# Have it ignore eth0: no ARP answers, and strict reverse-path filtering
# (the client is reached through dsr0) drops what arrives there.
ns lb sysctl -qw net.ipv4.conf.eth0.arp_ignore=8 net.ipv4.conf.all.rp_filter=1 \
	net.ipv4.conf.eth0.rp_filter=1
{ rig_conf; echo "port 0 kernel-interface $KIF"; } >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }

check "$KIF exists with the port's MAC and address, up" \
	kif_has "link/ether $LB_MAC" "inet $PORT_IP/24" "UP"
ports=$(rig_ctl show ports)
echo "$ports" | grep '^port 0'
check "show ports names the interface and its driver" \
	grep -Eq "kernel-interface $KIF kernel-driver (tap|virtio-user) kernel-state up" <<<"$ports"

# A TCP server on the port's address inside the balancer's namespace.
mkdir -p "$RIG_DIR/kif"
echo "lb-kernel" >"$RIG_DIR/kif/index.html"
head -c 1048576 /dev/urandom >"$RIG_DIR/kif/blob"
ns lb setsid /usr/bin/python3 -m http.server 8080 --bind "$PORT_IP" \
	--directory "$RIG_DIR/kif" >"$RIG_DIR/kif.log" 2>&1 </dev/null &
for i in $(seq 50); do
	ns lb bash -c "exec 3<>/dev/tcp/$PORT_IP/8080" 2>/dev/null && break
	sleep 0.1
done

ping_ok() {
	local out
	out=$(ns cl timeout 20 ping -c 3 -W 2 -i 0.3 "$PORT_IP") || { echo "$out"; return 1; }
	echo "$out" | tail -2
	# Every echo answered once: a duplicate would mean a second path.
	grep -q "3 packets transmitted, 3 received, 0% packet loss" <<<"$out" && ! grep -q DUP <<<"$out"
}
check "ping -c 3 $PORT_IP from the client is answered, each once" ping_ok
check "the client's neighbour entry for $PORT_IP is the port's MAC" \
	bash -c "ip netns exec $RIG-cl ip neigh show $PORT_IP | grep -qi $LB_MAC"
check "curl http://$PORT_IP:8080/ reaches the server in the balancer's namespace" \
	bash -c "[ \"\$(ip netns exec $RIG-cl curl -s --max-time 5 http://$PORT_IP:8080/)\" = lb-kernel ]"
check "a 1 MB download from it arrives byte for byte" \
	bash -c "ip netns exec $RIG-cl curl -s --max-time 20 -o $RIG_DIR/kif.got http://$PORT_IP:8080/blob &&
		cmp -s $RIG_DIR/kif.got $RIG_DIR/kif/blob"

# VIP traffic: to the backends, never to the kernel.
read -r to_kernel kin < <(counters "event to-kernel count" "port 0 kernel-in-pkts" | paste -sd' ')
check "VIP requests still go to both backends" vip_requests 20
read -r to_kernel2 kin2 kout drops < <(counters "event to-kernel count" "port 0 kernel-in-pkts" \
	"port 0 kernel-out-pkts" "port 0 kernel-drops" | paste -sd' ')
echo "to-kernel $to_kernel -> $to_kernel2, kernel-in-pkts $kin -> $kin2, kernel-out-pkts $kout, kernel-drops $drops"
check "no VIP frame went to the kernel (to-kernel unchanged)" [ "$to_kernel2" = "$to_kernel" ]
check "frames went both ways through the interface" [ "$kin" -gt 100 ] && [ "$kout" -gt 100 ]
check "no frame was lost on the way" [ "$drops" = 0 ]

rig_stop_lb
check "$KIF is gone when dsrlb exits" bash -c "! ip netns exec $RIG-lb ip link show $KIF 2>/dev/null"

# A name that is taken: a clear error, no start.
{ rig_conf; echo "port 0 kernel-interface lo"; } >"$RIG_DIR/taken.conf"
ns lb "$DSRLB" --no-huge -m 256 --no-pci --file-prefix "$RIG-t" --lcores "$RIG_LCORES" \
	--vdev "$RIG_VDEV_ARGS" --log-level=lib.*:warning -- -f "$RIG_DIR/taken.conf" \
	-s "$RIG_DIR/t.sock" >"$RIG_DIR/t.out" 2>"$RIG_DIR/t.err" && rc=0 || rc=$?
grep -v '^EAL' "$RIG_DIR/t.err" | tail -2
check "an existing interface name is refused with a clear error" \
	bash -c "[ $rc != 0 ] && grep -q 'kernel interface lo: an interface of that name exists already' $RIG_DIR/t.err"
finish
