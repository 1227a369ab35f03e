#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The direct-server-return rig: network namespaces joined by a bridge.
#
#   client 10.0.0.10 ---+
#   dsrlb  (no kernel IP; DPDK net_af_packet on its eth0) ---+--- br0 (namespace "sw")
#   b1 10.0.0.21, VIP on lo ---+
#   b2 10.0.0.22, VIP on lo ---+
#
# Backends hold the VIP on lo with arp_ignore=1/arp_announce=2 and run a
# real HTTP server that names itself; replies go straight to the client.
# Source this file; call rig_up, rig_start_lb CONF, rig_down (from a trap).

RIG=${RIG:-dsr$$}
RIG_DIR=${RIG_DIR:-$(mktemp -d /tmp/dsrlb-rig.XXXXXX)}
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
DSRLB=${DSRLB:-$TOP/build/app/dsrlb/dsrlb}
DSRLBCTL=${DSRLBCTL:-$TOP/build/app/dsrlbctl/dsrlbctl}
VIP=10.0.0.100
LB_MAC=02:00:00:00:00:02
CLIENT_MAC=02:00:00:00:00:10
B1_MAC=02:00:00:00:00:21
B2_MAC=02:00:00:00:00:22
B3_MAC=02:00:00:00:00:23
# The daemon's lcores (EAL --lcores) and its port (EAL --vdev); a test may
# set these before rig_start_lb, e.g. for several workers and queues.
RIG_LCORES=${RIG_LCORES:-0,1}
RIG_VDEV_ARGS=${RIG_VDEV_ARGS:-net_af_packet0,iface=eth0}
LB_PID=

# Test verdicts (tests/check.sh): check DESCRIPTION COMMAND... runs the
# command; finish prints the daemon's log on failure and the "N passed, N
# failed" line.
. "$TOP/tests/check.sh"

finish() {
	if [ "$failures" != 0 ]; then
		echo "--- dsrlb stderr"; grep -v "^EAL" "$RIG_DIR/lb.err" || true
		echo "--- dsrlb stdout"; tail -40 "$RIG_DIR/lb.out" || true
	fi
	check_summary
}

ns() {
	local h=$1
	shift
	ip netns exec "$RIG-$h" "$@"
}

rig_host() { # name mac [ip/len]
	local h=$1 mac=$2 addr=${3:-}
	ip netns add "$RIG-$h"
	ip link add eth0 netns "$RIG-$h" address "$mac" type veth peer name "$h" netns "$RIG-sw"
	ns "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ns "$h" ip link set lo up
	ns "$h" ip link set eth0 up
	[ -z "$addr" ] || ns "$h" ip addr add "$addr" dev eth0
	ns sw ip link set "$h" master br0 up
}

rig_backend() { # name mac ip
	local h=$1
	rig_host "$h" "$2" "$3/24"
	ns "$h" ip addr add "$VIP/32" dev lo
	ns "$h" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
		net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
	mkdir -p "$RIG_DIR/$h"
	echo "$h" >"$RIG_DIR/$h/index.html"
	head -c 1048576 /dev/urandom >"$RIG_DIR/$h/blob"
	ns "$h" setsid /usr/bin/python3 -m http.server 80 --bind 0.0.0.0 \
		--directory "$RIG_DIR/$h" >"$RIG_DIR/$h.log" 2>&1 </dev/null &
}

rig_up() {
	ip netns add "$RIG-sw"
	ns sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ns sw ip link add br0 type bridge
	ns sw ip link set br0 up
	rig_host cl "$CLIENT_MAC" 10.0.0.10/24
	rig_host lb "$LB_MAC"
	# af_packet sees veth frames with CHECKSUM_PARTIAL: have the kernel fill
	# the checksums in before they reach the balancer.
	ns sw ethtool -K lb tx off >/dev/null
	rig_backend b1 "$B1_MAC" 10.0.0.21
	rig_backend b2 "$B2_MAC" 10.0.0.22
	local i
	for i in $(seq 50); do
		if ns b1 bash -c 'exec 3<>/dev/tcp/10.0.0.21/80' 2>/dev/null &&
			ns b2 bash -c 'exec 3<>/dev/tcp/10.0.0.22/80' 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "rig: backends' HTTP servers did not start" >&2
	return 1
}

rig_conf() { # [--arp]: leave the backends' MACs to ARP instead of giving them
	local m1=" mac $B1_MAC" m2=" mac $B2_MAC"
	if [ "${1:-}" = --arp ]; then
		m1=
		m2=
	fi
	cat <<CONF
port 0 address 10.0.0.2/24
conntrack size 65536
vip add $VIP:80/tcp
backend add $VIP:80/tcp 10.0.0.21$m1
backend add $VIP:80/tcp 10.0.0.22$m2
CONF
}

rig_start_lb() { # conf-file [dsrlb options...]
	local conf=$1
	shift
	ns lb "$DSRLB" --no-huge -m 256 --no-pci \
		--file-prefix "$RIG" --lcores "$RIG_LCORES" --vdev "$RIG_VDEV_ARGS" --log-level=lib.*:warning \
		-- -f "$conf" -s "$RIG_DIR/ctl.sock" "$@" >"$RIG_DIR/lb.out" 2>"$RIG_DIR/lb.err" &
	LB_PID=$!
	rig_wait_started "$LB_PID" "$RIG_DIR/lb.err" dsrlb
}

rig_wait_started() { # pid stderr-file what: wait up to 10 s for "dsrlb running"
	local i
	for i in $(seq 100); do
		grep -q "dsrlb running" "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	echo "rig: $3 did not start:" >&2
	cat "$2" >&2
	return 1
}

# Print the daemon's counters now (SIGUSR1) and wait until they are out.
# Run dsrlbctl against this rig's daemon.
rig_ctl() {
	"$DSRLBCTL" -s "$RIG_DIR/ctl.sock" "$@"
}

rig_lb_stats() {
	local before
	before=$(grep -c '^end$' "$RIG_DIR/lb.out" 2>/dev/null || true)
	pkill -USR1 -f -- "^$DSRLB .*--file-prefix $RIG " || true
	local i
	for i in $(seq 50); do
		[ "$(grep -c '^end$' "$RIG_DIR/lb.out")" -gt "$before" ] && break
		sleep 0.1
	done
	cat "$RIG_DIR/lb.out"
}

rig_stop_lb() {
	[ -n "$LB_PID" ] || return 0
	pkill -INT -f -- "^$DSRLB .*--file-prefix $RIG " 2>/dev/null || true
	wait "$LB_PID" 2>/dev/null || true
	LB_PID=
}

# More daemons on the same segment, each on a host made with rig_host NAME
# MAC (no address), with its own file prefix ($RIG-NAME), control socket
# ($RIG_DIR/NAME.sock) and output ($RIG_DIR/NAME.out, NAME.err).
declare -gA RIG_LB_PIDS=()
rig_start_lb_on() { # host conf-file [dsrlb options...]
	local h=$1 conf=$2
	shift 2
	ns sw ethtool -K "$h" tx off >/dev/null
	# Not through ns(): in the background that is a subshell, and $! must be
	# the daemon itself (ip netns exec execs it) for rig_stop_lb_on.
	ip netns exec "$RIG-$h" "$DSRLB" --no-huge -m 256 --no-pci \
		--file-prefix "$RIG-$h" --lcores "$RIG_LCORES" --vdev "$RIG_VDEV_ARGS" --log-level=lib.*:warning \
		-- -f "$conf" -s "$RIG_DIR/$h.sock" "$@" >"$RIG_DIR/$h.out" 2>"$RIG_DIR/$h.err" &
	RIG_LB_PIDS[$h]=$!
	rig_wait_started "${RIG_LB_PIDS[$h]}" "$RIG_DIR/$h.err" "dsrlb on $h"
}

rig_stop_lb_on() { # host
	local pid=${RIG_LB_PIDS[$1]:-}
	[ -n "$pid" ] || return 0
	kill -INT "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	unset "RIG_LB_PIDS[$1]"
}

rig_down() {
	rig_stop_lb
	local h
	for h in "${!RIG_LB_PIDS[@]}"; do rig_stop_lb_on "$h"; done
	local n
	for n in $(ip netns list | awk '{print $1}' | grep "^$RIG-"); do
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null || true
	done
	for n in $(ip netns list | awk '{print $1}' | grep "^$RIG-"); do
		ip netns del "$n" 2>/dev/null || true
	done
	[ -n "${KEEP_RIG_DIR:-}" ] || rm -rf "$RIG_DIR"
}
