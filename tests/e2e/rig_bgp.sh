#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The scale-out rig (issue 18): two dsrlb instances behind a router's ECMP
# route to the VIP, which each announces by BGP through its own BIRD.
#
#   cl 10.1.0.10 --- eth1 10.1.0.1  rt  eth0 10.0.0.1 ---+
#                    (BIRD: BGP+BFD to lb1, lb2;          |
#                     merge paths, L4 multipath hash)     |
#   lb1: dsrlb on eth0 (net_af_packet), dsr0 10.0.0.2 ---+--- br0 ("sw")
#        (tap), BIRD over dsr0                            |
#   lb2: the same, 10.0.0.3 (backends listed the other   |
#        way round in its config)                         |
#   b1 10.0.0.21, b2 10.0.0.22: VIP on lo, default ------+
#        route via rt: they answer the client through it
#
# Each dsrlb has `announce table 100` and the VIP `routed`: it keeps
# 10.0.0.100/32 dev dsr0 in table 100 while the VIP has a usable backend,
# and answers no ARP for the VIP. Its BIRD (config/bird-dsrlb.conf, the
# addresses changed for lb2) learns that table and announces the route
# with next hop self. The router's BIRD (config/bird-router.conf)
# installs both as one multipath route, hashed on the 5-tuple.
# Source this file (it sources rig.sh); call bgp_up, then bgp_start_lb
# for lb1 and lb2, bgp_wait_paths 2; bgp_down (from a trap) ends it all.

. "$(dirname "${BASH_SOURCE[0]}")/rig.sh"

ROUTER_MAC=02:00:00:00:00:01
LB1_MAC=02:00:00:00:00:02
LB2_MAC=02:00:00:00:00:03
CLIENT_IP=10.1.0.10
BGP_TABLE=100
BGP_PROTO=248
KIF=dsr0
BIRD=${BIRD:-bird}
BIRDC=${BIRDC:-birdc}
declare -gA BGP_ADDR=([lb1]=10.0.0.2 [lb2]=10.0.0.3)
declare -gA BGP_MAC=([lb1]=$LB1_MAC [lb2]=$LB2_MAC)

# The LAN, the router with its BIRD, the client behind it, the backends.
bgp_up() {
	if ! command -v "$BIRD" >/dev/null || ! command -v "$BIRDC" >/dev/null; then
		echo "rig: no $BIRD/$BIRDC: apt-get install bird2 (tests/deps.sh)" >&2
		return 1
	fi
	rig_switch
	rig_host rt "$ROUTER_MAC" 10.0.0.1/24
	ip netns add "$RIG-cl"
	ip link add eth0 netns "$RIG-cl" address "$CLIENT_MAC" type veth peer name eth1 netns "$RIG-rt"
	ns cl sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ns cl ip link set lo up
	ns cl ip link set eth0 up
	ns cl ip addr add "$CLIENT_IP/24" dev eth0
	ns cl ip route add default via 10.1.0.1
	ns rt ip link set eth1 up
	ns rt ip addr add 10.1.0.1/24 dev eth1
	ns rt sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
	bgp_start_bird rt "$TOP/config/bird-router.conf" || return 1
	local h
	for h in lb1 lb2; do
		rig_host "$h" "${BGP_MAC[$h]}"
		# The kernel of a balancer's namespace sees eth0 too (af_packet):
		# only dsr0 holds the address (see test_kernel_if.sh).
		ns "$h" sysctl -qw net.ipv4.conf.eth0.arp_ignore=8 net.ipv4.conf.all.rp_filter=1 \
			net.ipv4.conf.eth0.rp_filter=1
	done
	rig_backend b1 "$B1_MAC" 10.0.0.21
	rig_backend b2 "$B2_MAC" 10.0.0.22
	ns b1 ip route add default via 10.0.0.1
	ns b2 ip route add default via 10.0.0.1
	local i
	for i in $(seq 50); do
		rig_http_up b1 10.0.0.21 && rig_http_up b2 10.0.0.22 && return 0
		sleep 0.1
	done
	echo "rig: backends' HTTP servers did not start" >&2
	return 1
}

# BIRD in HOST's namespace, in the foreground, logging to $RIG_DIR/HOST.bird.
bgp_start_bird() { # host conf
	ip netns exec "$RIG-$1" "$BIRD" -f -c "$2" -s "$RIG_DIR/$1.bird.sock" \
		-P "$RIG_DIR/$1.bird.pid" >"$RIG_DIR/$1.bird" 2>&1 &
	local i
	for i in $(seq 50); do
		[ -S "$RIG_DIR/$1.bird.sock" ] && return 0
		sleep 0.1
	done
	echo "rig: bird in $1 did not start:" >&2
	cat "$RIG_DIR/$1.bird" >&2
	return 1
}

bgp_birdc() { # host command...
	local h=$1
	shift
	ns "$h" "$BIRDC" -s "$RIG_DIR/$h.bird.sock" "$@"
}

# The dsrlb config of instance HOST: the same VIP and backends on both,
# listed in the other order on lb2 (the choice must not depend on it).
bgp_conf() { # host [extra lines...]
	local h=$1 b
	shift
	echo "port 0 address ${BGP_ADDR[$h]}/24"
	echo "port 0 kernel-interface $KIF"
	echo "announce table $BGP_TABLE"
	echo "conntrack size 65536"
	echo "vip add $VIP:80/tcp routed"
	if [ "$h" = lb1 ]; then b="21 22"; else b="22 21"; fi
	for b in $b; do
		echo "backend add $VIP:80/tcp 10.0.0.$b mac 02:00:00:00:00:$b"
	done
	local l
	for l; do echo "$l"; done
}

# Start dsrlb on HOST with its config (bgp_conf plus EXTRA lines), then
# its BIRD (config/bird-dsrlb.conf with HOST's address).
bgp_start_lb() { # host [extra config lines...]
	local h=$1
	shift
	bgp_conf "$h" "$@" >"$RIG_DIR/$h.conf"
	rig_start_lb_on "$h" "$RIG_DIR/$h.conf" || return 1
	if [ ! -S "$RIG_DIR/$h.bird.sock" ]; then
		sed "s/10\.0\.0\.2\b/${BGP_ADDR[$h]}/g" "$TOP/config/bird-dsrlb.conf" >"$RIG_DIR/$h.bird.conf"
		bgp_start_bird "$h" "$RIG_DIR/$h.bird.conf"
	fi
}

bgp_ctl() { # host command...
	local h=$1
	shift
	"$DSRLBCTL" -s "$RIG_DIR/$h.sock" "$@"
}

# The router's next hops for the VIP, sorted, one a line.
bgp_paths() {
	ns rt ip -4 route show "$VIP/32" | grep -oE 'via [0-9.]+' | awk '{print $2}' | sort
}

# Wait (at most $2 s, default 15) until the router's route to the VIP has
# exactly the next hops given ("10.0.0.2 10.0.0.3", or "" for no route);
# print how long it took.
bgp_wait_paths() { # "hops" [seconds]
	local want start now
	want=$(tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort)
	start=$(date +%s%N)
	while :; do
		[ "$(bgp_paths)" = "$want" ] && break
		now=$(date +%s%N)
		if [ $(((now - start) / 1000000)) -gt $((${2:-15} * 1000)) ]; then
			echo "timeout (router has: $(bgp_paths | paste -sd' '))"
			return 1
		fi
		sleep 0.05
	done
	now=$(date +%s%N)
	echo "$(((now - start) / 1000000)) ms"
}

# N connections to the VIP from the client, one after the other, from
# client ports FIRST.. (ephemeral ports may repeat within a few hundred);
# each reads its answer up to the server's FIN, and stays open (the
# client does not close) until bgp_clients_close: so every connection
# keeps its entry on the balancers (an RST would drop it; and a backend's
# tail-loss probe retransmitting its FIN to a client that has closed
# draws one). Writes "BACKEND-NAME PORT" for each to OUT, "fail PORT WHY"
# for a failure, and returns once all are answered.
BGP_CLIENTS_PID=
bgp_clients() { # first n out
	rm -f "$RIG_DIR/clients.done" "$RIG_DIR/clients.close"
	ip netns exec "$RIG-cl" /usr/bin/python3 - "$VIP" "$1" "$2" "$RIG_DIR/clients" >"$3" <<'PY' &
import os, socket, sys, time
vip, first, n, flag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
socks = []
for port in range(first, first + n):
    try:
        s = socket.create_connection((vip, 80), timeout=3, source_address=("", port))
        socks.append(s)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        body = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            body += d
        print(body.split(b"\r\n\r\n", 1)[1].decode().strip(), port, flush=True)
    except OSError as e:
        print("fail", port, e, flush=True)
open(flag + ".done", "w").close()
for _ in range(1200):
    if os.path.exists(flag + ".close"):
        break
    time.sleep(0.05)
PY
	BGP_CLIENTS_PID=$!
	while [ ! -e "$RIG_DIR/clients.done" ]; do
		kill -0 "$BGP_CLIENTS_PID" 2>/dev/null || return 1
		sleep 0.1
	done
}

# Close the connections of bgp_clients.
bgp_clients_close() {
	[ -n "$BGP_CLIENTS_PID" ] || return 0
	touch "$RIG_DIR/clients.close"
	wait "$BGP_CLIENTS_PID" 2>/dev/null
	BGP_CLIENTS_PID=
}

# N paced downloads (rig_slowget) of the backends' 1 MB blob through the
# VIP, from client ports 41001.., in the background (bgp_downloads_ok
# waits); each reader's complaint goes to dl.PORT.err.
declare -gA BGP_DL_PIDS=()
bgp_downloads() { # n rate
	local i port
	for i in $(seq "$1"); do
		port=$((41000 + i))
		rig_slowget "$VIP" "$port" "$2" "$RIG_DIR/dl.$port" 2>"$RIG_DIR/dl.$port.err" &
		BGP_DL_PIDS[$port]=$!
	done
}

# Where the downloads run: BGP_ON[lb1] and BGP_ON[lb2] list their ports,
# BGP_WAS maps each port to its backend, BGP_BUSY is the instance with
# more of them (lb1 on a tie) and BGP_IDLE the other.
declare -gA BGP_WAS=() BGP_ON=()
BGP_BUSY=
BGP_IDLE=
bgp_downloads_split() {
	local h port b
	BGP_WAS=()
	BGP_ON=([lb1]="" [lb2]="")
	for h in lb1 lb2; do
		while read -r port b; do
			BGP_WAS[$port]=$b
			BGP_ON[$h]+=" $port"
		done < <(bgp_conns "$h")
	done
	echo "downloads on lb1:${BGP_ON[lb1]}; on lb2:${BGP_ON[lb2]}"
	if [ "$(wc -w <<<"${BGP_ON[lb1]}")" -ge "$(wc -w <<<"${BGP_ON[lb2]}")" ]; then
		BGP_BUSY=lb1 BGP_IDLE=lb2
	else
		BGP_BUSY=lb2 BGP_IDLE=lb1
	fi
}

# Wait for the downloads: is each complete, byte for byte the blob of the
# backend that the array named by $1 gives for its port (IP)?
bgp_downloads_ok() { # name of an array: port -> backend IP
	local -n be=$1
	local port blob bad=0
	for port in "${!BGP_DL_PIDS[@]}"; do
		wait "${BGP_DL_PIDS[$port]}" || {
			echo "download from port $port: exit $? $(cat "$RIG_DIR/dl.$port.err")"
			bad=$((bad + 1))
		}
		case "${be[$port]:-}" in
		10.0.0.21) blob=$RIG_DIR/b1/blob ;;
		10.0.0.22) blob=$RIG_DIR/b2/blob ;;
		*) blob=/nonexistent ;;
		esac
		cmp -s "$RIG_DIR/dl.$port" "$blob" || {
			echo "download from port $port: $(stat -c %s "$RIG_DIR/dl.$port" 2>/dev/null) bytes," \
				"not ${be[$port]:-?}'s blob"
			bad=$((bad + 1))
		}
	done
	BGP_DL_PIDS=()
	[ "$bad" = 0 ]
}

# A capture of the RSTs at the client, until bgp_stop_capture.
BGP_CAP_PID=
bgp_capture_rsts() {
	ip netns exec "$RIG-cl" timeout 90 tcpdump -i eth0 -U -n -s 96 -w "$RIG_DIR/rst.pcap" \
		"tcp and port 80 and tcp[tcpflags] & tcp-rst != 0" 2>"$RIG_DIR/rst.tcpdump" &
	BGP_CAP_PID=$!
	for _ in $(seq 50); do grep -q "listening on" "$RIG_DIR/rst.tcpdump" && break; sleep 0.1; done
}

# Stop the capture; set BGP_RSTS to the number of RSTs from the VIP. Those
# are reset connections (a backend without the socket). The client's own
# RSTs are only reported: a backend's tail-loss probe that retransmits its
# FIN after the client has closed draws one.
BGP_RSTS=
bgp_stop_capture() {
	sleep 0.3
	kill "$BGP_CAP_PID" 2>/dev/null && wait "$BGP_CAP_PID" 2>/dev/null
	BGP_CAP_PID=
	echo "RSTs from the client: $(tcpdump -n -r "$RIG_DIR/rst.pcap" "src host $CLIENT_IP" 2>/dev/null | wc -l)"
	BGP_RSTS=$(tcpdump -n -r "$RIG_DIR/rst.pcap" "src host $VIP" 2>/dev/null | wc -l)
}

# The backend (IP) of each connection of instance HOST: "PORT BACKEND"
# lines, client ports of $CLIENT_IP only.
bgp_conns() { # host
	bgp_ctl "$1" --json show conns | /usr/bin/python3 -c '
import json, sys
for r in json.load(sys.stdin)["rows"]:
    ip, _, port = r.get("client", "").rpartition(":")
    if r["kind"] == "conn" and ip == sys.argv[1]:
        print(port, r["backend"])
' "$CLIENT_IP"
}

bgp_down() {
	local p
	for p in $BGP_CLIENTS_PID $BGP_CAP_PID "${BGP_DL_PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rig_down
}

bgp_finish() {
	if [ "$failures" != 0 ]; then
		local h
		for h in lb1 lb2; do
			echo "--- $h dsrlb stderr"; grep -v "^EAL" "$RIG_DIR/$h.err" 2>/dev/null | tail -20 || true
			echo "--- $h bird"; tail -20 "$RIG_DIR/$h.bird" 2>/dev/null || true
			bgp_birdc "$h" show protocols all uplink 2>/dev/null | head -12
			ns "$h" ip -o addr show dev "$KIF"
		done
		echo "--- rt bird"; tail -30 "$RIG_DIR/rt.bird" 2>/dev/null || true
		bgp_birdc rt show protocols 2>/dev/null
	fi
	check_summary
}
