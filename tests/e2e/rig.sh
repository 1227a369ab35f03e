#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The direct-server-return rig: network namespaces joined by a bridge.
#
#   client 10.0.0.10 ---+
#   dsrlb  (no kernel IP; a DPDK port on its eth0) ---+--- br0 (namespace "sw")
#   b1 10.0.0.21, VIP on lo ---+
#   b2 10.0.0.22, VIP on lo ---+
#
# Backends hold the VIP on lo with arp_ignore=1/arp_announce=2 and run a
# real HTTP server that names itself; replies go straight to the client.
# Source this file; call rig_up, rig_start_lb CONF, rig_down (from a trap).
#
# RIG_PORT chooses how the daemon attaches to its namespace's eth0:
#   af_packet (default)  net_af_packet on eth0. The kernel reassembles IP
#                        fragments before DPDK sees them.
#   af_xdp               net_af_xdp on eth0 (generic XDP on the veth).
#   tap                  net_tap (lbtap0) in the balancer's namespace, bridged
#                        there with eth0 (bridge lbbr); the port keeps the
#                        host's MAC, eth0 and the kernel side of the tap get
#                        others, or that bridge would keep the port's frames.
# af_xdp and tap hand fragments to DPDK as they arrive.
#
# RIG_IPV6=1 (before rig_up) adds IPv6 (otherwise off in every namespace):
#   fd00::/64 on the LAN, client fd00::10, backends fd00::21/22 with VIP6
#   fd00::100/128 on lo, HTTP servers on [::]:80 (IPv4 too); dsrlb's
#   namespace and the switch keep IPv6 off (the daemon does its own ND).
#   No static neighbour entries: the client finds VIP6 by neighbour
#   solicitation, answered by dsrlb. A backend needs no sysctl against
#   answering for VIP6: Linux answers an NS only for an address on the
#   interface it came in on (ndisc_recv_ns looks the target up strictly on
#   that device, unlike ARP's weak host model), and picks an NS's source
#   on that interface too (the analogue of arp_announce=2 is built in).
#   What it needs: VIP6 on lo (nodad: lo does no DAD anyway), no proxy_ndp
#   (off by default, set off below), and no DAD delay on its eth0 address
#   (nodad); accept_ra 0 and router_solicitations 0 cut noise.

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
RIG_IPV6=${RIG_IPV6:-0}
VIP6=fd00::100
LB_IP6=fd00::2
CLIENT_IP6=fd00::10
B1_IP6=fd00::21
B2_IP6=fd00::22
# The daemon's lcores (EAL --lcores) and its port (EAL --vdev); a test may
# set these before rig_start_lb, e.g. for several workers and queues.
RIG_LCORES=${RIG_LCORES:-0,1}
RIG_PORT=${RIG_PORT:-af_packet}
case "$RIG_PORT" in
af_packet) RIG_VDEV_DEFAULT=net_af_packet0,iface=eth0 ;;
af_xdp) RIG_VDEV_DEFAULT=net_af_xdp0,iface=eth0,start_queue=0,queue_count=1 ;;
tap) RIG_VDEV_DEFAULT=net_tap0,iface=lbtap0,mac=$LB_MAC ;;
*)
	echo "rig: RIG_PORT=$RIG_PORT: use af_packet, af_xdp or tap" >&2
	exit 1
	;;
esac
RIG_VDEV_ARGS=${RIG_VDEV_ARGS:-$RIG_VDEV_DEFAULT}
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

# A paced download of the backends' /blob from the client (slowget.py says
# how): run it in the background (it execs, so $! is the reader itself).
RIG_SLOWGET=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/slowget.py
rig_slowget() { # [--hold bytes file] addr client-port rate out
	exec ip netns exec "$RIG-cl" /usr/bin/python3 "$RIG_SLOWGET" "$@"
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

# Turn IPv6 on in a host's namespace (made by rig_host, which turns it
# off), with an address on eth0 if given; see RIG_IPV6 above.
rig_host6() { # name [ip6/len]
	local h=$1 addr=${2:-} k
	ns "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
	for k in all default lo eth0; do
		ns "$h" sysctl -qw net.ipv6.conf.$k.disable_ipv6=0 net.ipv6.conf.$k.accept_ra=0 \
			net.ipv6.conf.$k.router_solicitations=0 net.ipv6.conf.$k.proxy_ndp=0
	done
	[ -z "$addr" ] || ns "$h" ip -6 addr add "$addr" dev eth0 nodad
}

rig_backend() { # name mac ip [ip6]
	local h=$1 bind=0.0.0.0
	rig_host "$h" "$2" "$3/24"
	ns "$h" ip addr add "$VIP/32" dev lo
	ns "$h" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
		net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
	if [ -n "${4:-}" ]; then
		rig_host6 "$h" "$4/64"
		ns "$h" ip -6 addr add "$VIP6/128" dev lo nodad
		bind=::
	fi
	mkdir -p "$RIG_DIR/$h"
	echo "$h" >"$RIG_DIR/$h/index.html"
	head -c 1048576 /dev/urandom >"$RIG_DIR/$h/blob"
	# --bind :: serves IPv4 too (http.server's dual-stack socket).
	ns "$h" setsid /usr/bin/python3 -m http.server 80 --bind "$bind" \
		--directory "$RIG_DIR/$h" >"$RIG_DIR/$h.log" 2>&1 </dev/null &
}

# Can HOST connect to ADDR port 80 (an IPv6 address too)?
rig_http_up() { # host addr
	ns "$1" bash -c "exec 3<>/dev/tcp/$2/80" 2>/dev/null
}

# The switch: namespace "sw" with the bridge br0 that rig_host joins.
rig_switch() {
	ip netns add "$RIG-sw"
	ns sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ns sw ip link add br0 type bridge
	ns sw ip link set br0 up
}

rig_up() {
	rig_switch
	rig_host cl "$CLIENT_MAC" 10.0.0.10/24
	rig_host lb "$LB_MAC"
	# af_packet sees veth frames with CHECKSUM_PARTIAL: have the kernel fill
	# the checksums in before they reach the balancer.
	ns sw ethtool -K lb tx off >/dev/null
	local b1_6='' b2_6=''
	if [ "$RIG_IPV6" = 1 ]; then
		b1_6=$B1_IP6
		b2_6=$B2_IP6
		# Flood all multicast (NS to solicited-node groups): the tests but
		# test_mld.sh leave MLD snooping out.
		ns sw ip link set br0 type bridge mcast_snooping 0
		rig_host6 cl "$CLIENT_IP6/64"
	fi
	rig_backend b1 "$B1_MAC" 10.0.0.21 $b1_6
	rig_backend b2 "$B2_MAC" 10.0.0.22 $b2_6
	local i
	for i in $(seq 50); do
		if rig_http_up b1 10.0.0.21 && rig_http_up b2 10.0.0.22 &&
			{ [ "$RIG_IPV6" != 1 ] || { rig_http_up b1 "$B1_IP6" && rig_http_up b2 "$B2_IP6"; }; }; then
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

# An IPv6 config (RIG_IPV6=1): the port's IPv6 address, VIP6 on both
# backends, resolved by neighbour discovery (no 'mac'); with --dual, the
# port's IPv4 address and the IPv4 VIP on the same backends too.
rig_conf6() { # [--dual]
	echo "port 0 address $LB_IP6/64"
	[ "${1:-}" != --dual ] || echo "port 0 address 10.0.0.2/24"
	echo "conntrack size 65536"
	echo "vip add [$VIP6]:80/tcp"
	echo "backend add [$VIP6]:80/tcp $B1_IP6"
	echo "backend add [$VIP6]:80/tcp $B2_IP6"
	if [ "${1:-}" = --dual ]; then
		echo "vip add $VIP:80/tcp"
		echo "backend add $VIP:80/tcp 10.0.0.21"
		echo "backend add $VIP:80/tcp 10.0.0.22"
	fi
}

# The MAC in HOST's neighbour entry for ADDR on eth0 (IPv4 or IPv6), or
# nothing.
rig_neigh_mac() { # host addr
	ns "$1" ip neigh show "$2" dev eth0 | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'
}

# Wait (at most $1 s, default 10) until the client gets an HTTP answer
# from VIP6: dsrlb's own DAD keeps VIP6 unanswered for its first seconds.
rig_wait_vip6() { # [seconds]
	local i
	for i in $(seq $((${1:-10} * 2))); do
		ns cl curl -sg --max-time 0.5 "http://[$VIP6]/" >/dev/null && return 0
		sleep 0.5
	done
	return 1
}

# Are 5 of 5 requests from the client to VIP6 answered by a backend?
rig_served6() {
	local ok=0 who
	for _ in $(seq 5); do
		who=$(ns cl curl -sg --max-time 2 "http://[$VIP6]/" || true)
		case "$who" in b1 | b2) ok=$((ok + 1)) ;; esac
	done
	[ "$ok" = 5 ]
}

# For the IPv6 tests: wait (at most $1 tenths of a second) until the
# command succeeds.
rig_wait_for() { # tenths command...
	local n=$1 i
	shift
	for i in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
	return 1
}

# A value of `show stats` on this rig's daemon: the row ("event
# icmp-echo", "vip [fd00::100]:80/tcp"), the key ("count", "pkts").
rig_stat() { # row key
	rig_ctl show stats | awk -v row="$1:" -v key="$2" '
		index($0, row " ") == 1 {for (i = 1; i < NF; i++) if ($i == key) print $(i + 1)}'
}

# Are both IPv6 backends resolved by neighbour discovery (`show stats`
# backend rows, "arp resolved" or the like; not "unresolved")?
rig_resolved6() {
	[ "$(rig_ctl show stats | grep -E "^backend \[$VIP6\]:80/tcp ($B1_IP6|$B2_IP6):" |
		grep -cE ' resolved( |$)')" = 2 ]
}

# The port's MAC for a balancer host: eth0's as rig_host made it (in tap
# mode eth0 gets another one at the first start, see rig_port_prepare).
declare -gA RIG_PORT_MACS=()
rig_port_mac() { # host
	[ -n "${RIG_PORT_MACS[$1]:-}" ] || RIG_PORT_MACS[$1]=$(ns "$1" cat /sys/class/net/eth0/address)
	echo "${RIG_PORT_MACS[$1]}"
}

# The --vdev argument for a daemon on HOST: RIG_VDEV_ARGS when a test set
# its own, else RIG_PORT's, the tap with the host's MAC.
rig_vdev() { # host
	if [ "$RIG_VDEV_ARGS" != "$RIG_VDEV_DEFAULT" ] || [ "$RIG_PORT" != tap ]; then
		echo "$RIG_VDEV_ARGS"
	else
		echo "net_tap0,iface=lbtap0,mac=$(rig_port_mac "$1")"
	fi
}

# The kernel MAC for eth0 or the tap in tap mode: the port's with its
# second-lowest byte set to $2 (01 eth0, 02 the tap).
rig_other_mac() { # mac byte
	echo "${1%??:??}$2:${1##*:}"
}

# Before a daemon starts on HOST: in tap mode, give eth0 a MAC other than
# the port's and make the bridge that will join it and the tap.
rig_port_prepare() { # host
	local h=$1 mac
	[ "$RIG_PORT" = tap ] && [ "$RIG_VDEV_ARGS" = "$RIG_VDEV_DEFAULT" ] || return 0
	# Here, not in a $(...) subshell: the MAC is remembered for later starts.
	[ -n "${RIG_PORT_MACS[$h]:-}" ] || RIG_PORT_MACS[$h]=$(ns "$h" cat /sys/class/net/eth0/address)
	mac=${RIG_PORT_MACS[$h]}
	ns "$h" ip link show lbbr >/dev/null 2>&1 && return 0
	ns "$h" ip link set eth0 address "$(rig_other_mac "$mac" 01)"
	ns "$h" ip link add lbbr type bridge
	# No netfilter (and so no defragmentation) on this bridge.
	ns "$h" sysctl -qw net.bridge.bridge-nf-call-iptables=0 2>/dev/null || true
	ns "$h" ip link set eth0 master lbbr
	ns "$h" ip link set lbbr up
}

# Once a daemon runs on HOST: in tap mode, bridge its tap with eth0.
rig_port_attach() { # host
	local h=$1 i
	[ "$RIG_PORT" = tap ] && [ "$RIG_VDEV_ARGS" = "$RIG_VDEV_DEFAULT" ] || return 0
	for i in $(seq 50); do
		ns "$h" ip link show lbtap0 >/dev/null 2>&1 && break
		sleep 0.1
	done
	if ! { ns "$h" ip link set lbtap0 down &&
		ns "$h" ip link set lbtap0 address "$(rig_other_mac "$(rig_port_mac "$h")" 02)" &&
		ns "$h" ip link set lbtap0 master lbbr &&
		ns "$h" ip link set lbtap0 up; }; then
		echo "rig: cannot bridge lbtap0 in $RIG-$h" >&2
		return 1
	fi
}

rig_start_lb() { # conf-file [dsrlb options...]
	local conf=$1
	shift
	rig_port_prepare lb
	ns lb "$DSRLB" --no-huge -m 256 --no-pci \
		--file-prefix "$RIG" --lcores "$RIG_LCORES" --vdev "$(rig_vdev lb)" --log-level=lib.*:warning \
		-- -f "$conf" -s "$RIG_DIR/ctl.sock" "$@" >"$RIG_DIR/lb.out" 2>"$RIG_DIR/lb.err" &
	LB_PID=$!
	rig_wait_started "$LB_PID" "$RIG_DIR/lb.err" dsrlb && rig_port_attach lb
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
	rig_port_prepare "$h"
	local vdev
	vdev=$(rig_vdev "$h")
	# Not through ns(): in the background that is a subshell, and $! must be
	# the daemon itself (ip netns exec execs it) for rig_stop_lb_on.
	ip netns exec "$RIG-$h" "$DSRLB" --no-huge -m 256 --no-pci \
		--file-prefix "$RIG-$h" --lcores "$RIG_LCORES" --vdev "$vdev" --log-level=lib.*:warning \
		-- -f "$conf" -s "$RIG_DIR/$h.sock" "$@" >"$RIG_DIR/$h.out" 2>"$RIG_DIR/$h.err" &
	RIG_LB_PIDS[$h]=$!
	rig_wait_started "${RIG_LB_PIDS[$h]}" "$RIG_DIR/$h.err" "dsrlb on $h" && rig_port_attach "$h"
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

# Print KEY... ("drop icmp-off count", "vip 10.0.0.100:80/tcp icmp-fwd")
# from a fresh counters summary, one a line; "missing" for a key it lacks.
rig_counters() {
	rig_lb_stats >/dev/null
	/usr/bin/python3 -c '
import sys; sys.path.insert(0, sys.argv[1])
import dsrtest
c = dsrtest.parse_summary(open(sys.argv[2]).read())
for k in sys.argv[3:]:
    print(c.get(k, "missing"))
' "$TOP/tests/pylib" "$RIG_DIR/lb.out" "$@"
}

# Is $1 a number greater than $2 (a number)? ("missing" is not.)
rig_gt() {
	[[ "$1" =~ ^[0-9]+$ && "$2" =~ ^[0-9]+$ ]] && [ "$1" -gt "$2" ]
}

# Are BEFORE and AFTER numbers, AFTER = BEFORE + N?
rig_grew_by() { # before after n
	[[ "$1" =~ ^[0-9]+$ && "$2" =~ ^[0-9]+$ ]] && [ $(($2 - $1)) = "$3" ]
}
