#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e restart and failover without resets: real TCP in namespaces, backends
# resolved by ARP (no 'mac' in the config), paced 1 MB downloads
# through the VIP (one on each backend), a capture on the client.
# 1. Restart: dsrlb is stopped (SIGINT) mid-download, left down about 1 s
#    and started again on the same config and socket. The downloads
#    complete byte for byte, the client capture holds no RST, `show conns`
#    of the new daemon has each connection on the backend it was on
#    before, and the new daemon counts the pick-ups (event ct-midflow).
# 2. Failover: a second dsrlb ("lb2": its own MAC, address, socket and
#    file prefix) on the same bridge takes the VIP mid-download: `vip add`
#    and `backend add` on lb2 (which announces the VIP by gratuitous ARP),
#    bracketed by `strict-syn on`/`off` until its backends are resolved (see
#    below), then `vip del` on lb. The client's neighbour entry for the VIP
#    moves to lb2's MAC by the announcement alone (no static entry; Linux
#    updates an existing entry from an ARP whose sender IP it names, and a
#    gratuitous one overrides at once, whatever arp_accept says), lb2
#    forwards the flows (ct-midflow, fwd-pkts), and again: byte for byte,
#    no RST, same backends.
# Why it works: the flow hash and the Maglev table are seedless and do not
# depend on the order of the config, so any dsrlb with the same backends
# sends a mid-flow packet it has no entry for to the backend that holds
# the connection; a peer with no record of the 4-tuple could only send RST.
set -uo pipefail
. "$(dirname "$0")/rig.sh"

LB2_MAC=02:00:00:00:00:03
RATE=200k # a ceiling (rig_slowget): no 1 MB download ends in under 5 s
# Client ports: by the seedless flow hash, the first of each pair goes to
# b1 and the second to b2 (checked below), so both backends are covered,
# the one ARP resolves first and the other.
RESTART_PORTS=(46001 46003)
FAILOVER_PORTS=(46002 46005)
TCPDUMP_PID=
declare -A DL_PIDS=()

# In the background ns() is a subshell; nsx execs, so that $! is the command.
nsx() { exec ip netns exec "$RIG-$1" "${@:2}"; }
stop_pid() { # pid: SIGTERM, then wait (bounded), then SIGKILL
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
cleanup() {
	local p
	stop_pid "$TCPDUMP_PID"
	for p in "${DL_PIDS[@]}"; do stop_pid "$p"; done
	rig_down
}
trap cleanup EXIT

T0=$(date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
name_of() { case "$1" in 10.0.0.21) echo b1 ;; 10.0.0.22) echo b2 ;; *) echo "?" ;; esac; }
# The backend a client port is pinned to, from `show conns` on socket $1.
conn_backend() {
	"$DSRLBCTL" -s "$1" show conns |
		awk -v p=":$2 " '$0 ~ p {for (i = 1; i < NF; i++) if ($i == "backend") print $(i + 1)}'
}
# "PORT:BACKEND ..." for the ports $2... on socket $1.
conn_backends() {
	local s=$1 p out=
	shift
	for p; do out="$out $p:$(conn_backend "$s" "$p")"; done
	echo "${out# }"
}
all_pinned() { ! conn_backends "$@" | grep -qE ':( |$)'; }
# A value of `show stats` on socket $1: the row ("event ct-midflow",
# "total"), the key ("count", "fwd-pkts").
stat_of() {
	"$DSRLBCTL" -s "$1" show stats | awk -v row="$2:" -v key="$3" '
		index($0, row " ") == 1 {for (i = 1; i < NF; i++) if ($i == key) print $(i + 1)}'
}
ev() { stat_of "$1" "event $2" count; }
drop() { stat_of "$1" "drop $2" count; }
# Wait (at most $1 tenths of a second) until the command succeeds.
wait_for() {
	local n=$1 i
	shift
	for i in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
	return 1
}
resolved() { [ "$("$DSRLBCTL" -s "$1" show backends | grep -c 'arp resolved')" = 2 ]; }
midflows_at_least() { [ "$(ev "$1" ct-midflow)" -ge "$2" ] 2>/dev/null; }

# A capture of the client's port-80 traffic and ARP, until stop_capture.
start_capture() { # file
	: >"$RIG_DIR/tcpdump.err"
	nsx cl timeout 120 tcpdump -i eth0 -U -n -B 8192 -s 96 -w "$1" 'tcp port 80 or arp' 2>"$RIG_DIR/tcpdump.err" &
	TCPDUMP_PID=$!
	wait_for 50 grep -q "listening on" "$RIG_DIR/tcpdump.err"
}
# Stop it once it has caught up: tcpdump can lag behind on a busy machine,
# and stopping drops what it has not written yet. Wait (at most 5 s) until
# the client's FINs of the $2 downloads are written and the file has not
# grown for 0.3 s.
stop_capture() { # pcap number-of-downloads
	local size last=-1 still=0
	for _ in $(seq 50); do
		size=$(stat -c %s "$1")
		if [ "$size" = "$last" ]; then still=$((still + 1)); else still=0; fi
		last=$size
		[ "$still" -ge 3 ] && [ "$(tcpdump -n -r "$1" "src host 10.0.0.10 and tcp[tcpflags] & tcp-fin != 0" 2>/dev/null |
			wc -l)" -ge "$2" ] && break
		sleep 0.1
	done
	stop_pid "$TCPDUMP_PID"
	TCPDUMP_PID=
}
rsts() { tcpdump -n -r "$1" 'tcp[tcpflags] & tcp-rst != 0' 2>/dev/null; }
# TCP payload bytes from the VIP in a capture (veth frames are large: GRO).
payload() {
	tcpdump -n -r "$1" "tcp and src host $VIP" 2>/dev/null |
		awk 'match($0, /, length [0-9]+/) {n += substr($0, RSTART + 9, RLENGTH - 9)} END {printf "%d\n", n}'
}
# Both downloads $2... must still be running at the stop: their reader alive
# and short of the whole blob; prints what each has got and when.
running_at_stop() { # tag port...
	local tag=$1 p sz out= ok=0
	shift
	for p; do
		sz=$(stat -c %s "$RIG_DIR/$tag-$p.got" 2>/dev/null || echo 0)
		out="$out $p:$((sz / 1024))KiB"
		kill -0 "${DL_PIDS[$p]}" 2>/dev/null && [ "$sz" -lt 1048576 ] || ok=1
	done
	echo "${out# }"
	return $ok
}
# For each client port: the client's first and last packet to the VIP in a
# capture, in ms after $2 (ns since the epoch; the event $3), and how many.
port_times() { # pcap t0-ns event port...
	local pcap=$1 t0=$2 what=$3 p
	shift 3
	for p; do
		tcpdump -n -tt -r "$pcap" "tcp and src port $p and dst host $VIP" 2>/dev/null |
			awk -v p="$p" -v t0="$t0" -v what="$what" '{t = $1 * 1000 - t0 / 1000000; if (!n++) f = t; l = t}
				END {printf "     client port %s: %d packets to the VIP, first %d ms, last %d ms after %s\n", p, n, f, l, what}'
	done
}
# The longest stall of a download in a capture, in ms: the longest time
# without new data (a sequence number beyond the highest yet) in a flow.
longest_stall() {
	tcpdump -n -tt -r "$1" "tcp and src host $VIP" 2>/dev/null | awk '
		match($0, / seq [0-9]+:[0-9]+/) {
			t = $1 * 1000; f = $5; split(substr($0, RSTART + 5, RLENGTH - 5), s, ":")
			if (!(f in top)) {top[f] = s[2]; last[f] = t; next}
			if (s[2] + 0 > top[f]) {if (t - last[f] > gap) gap = t - last[f]; top[f] = s[2] + 0; last[f] = t}
		}
		END {printf "%d\n", gap}'
}
# Paced downloads of /blob (rig_slowget): each flow stays busy on the wire
# for the whole download, and none ends before the test has done its part.
start_downloads() { # tag port...
	local tag=$1 p
	shift
	for p; do
		rig_slowget "$VIP" "$p" "$RATE" "$RIG_DIR/$tag-$p.got" 2>"$RIG_DIR/$tag-$p.err" &
		DL_PIDS[$p]=$!
	done
}
# Wait for the downloads; each must end well, byte for byte as its backend's blob.
check_downloads() { # tag "PORT:BACKEND ..."
	local tag=$1 pb p be rc
	for pb in $2; do
		p=${pb%%:*} be=${pb#*:}
		wait "${DL_PIDS[$p]}"
		rc=$?
		unset "DL_PIDS[$p]"
		check "download from port $p ($(name_of "$be")) completed byte for byte (exit $rc$(sed 's/^/: /' "$RIG_DIR/$tag-$p.err"))" \
			cmp -s "$RIG_DIR/$tag-$p.got" "$RIG_DIR/$(name_of "$be")/blob"
	done
}
check_capture() { # pcap number-of-downloads
	local n_rst got
	echo "     tcpdump: $(grep -E 'captured|received|dropped' "$RIG_DIR/tcpdump.err" | paste -sd, -)"
	check "the capture lost nothing in the kernel (tcpdump: 0 packets dropped by kernel)" \
		grep -q "^0 packets dropped by kernel" "$RIG_DIR/tcpdump.err"
	n_rst=$(rsts "$1" | wc -l)
	[ "$n_rst" = 0 ] || rsts "$1" | head -5 | sed 's/^/     RST: /'
	check "no RST in the client capture ($n_rst)" [ "$n_rst" = 0 ]
	got=$(payload "$1")
	check "the capture holds the downloads ($got bytes of TCP payload from the VIP)" \
		[ "$got" -ge $(($2 * 1048576)) ]
}

rig_up || exit 1
rig_conf --arp >"$RIG_DIR/lb.conf"
SOCK=$RIG_DIR/ctl.sock

# --- 1. Restart on the same config.
echo "--- restart"
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }
wait_for 50 resolved "$SOCK"
check "backends resolved by ARP" resolved "$SOCK"
start_capture "$RIG_DIR/restart.pcap"
check "tcpdump captures on the client" kill -0 "$TCPDUMP_PID"
t_dl=$(date +%s%N)
start_downloads restart "${RESTART_PORTS[@]}"
wait_for 30 all_pinned "$SOCK" "${RESTART_PORTS[@]}"
sleep 0.5
before=$(conn_backends "$SOCK" "${RESTART_PORTS[@]}")
check "show conns: the downloads run, one on each backend ($before)" \
	[ "$(echo "$before" | tr ' ' '\n' | cut -d: -f2 | sort | tr '\n' ' ')" = "10.0.0.21 10.0.0.22 " ]
got=$(running_at_stop restart "${RESTART_PORTS[@]}")
check "both downloads still run at the stop, $(ms_since "$t_dl") ms after their start ($got)" \
	running_at_stop restart "${RESTART_PORTS[@]}"
t_stop=$(date +%s%N)
rig_stop_lb
cp "$RIG_DIR/lb.out" "$RIG_DIR/lb-first.out"
cp "$RIG_DIR/lb.err" "$RIG_DIR/lb-first.err"
check "the first daemon stopped cleanly and printed its counters" grep -q "^total: " "$RIG_DIR/lb-first.out"
sleep 1
t_start=$(date +%s%N)
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }
start_ms=$(ms_since "$t_start")
wait_for 50 resolved "$SOCK"
resolved_ms=$(ms_since "$t_start")
wait_for 150 midflows_at_least "$SOCK" 2
midflow_ms=$(ms_since "$t_start")
wait_for 50 all_pinned "$SOCK" "${RESTART_PORTS[@]}"
after=$(conn_backends "$SOCK" "${RESTART_PORTS[@]}")
check "the new daemon picked both flows up mid-flow (ct-midflow $(ev "$SOCK" ct-midflow))" \
	midflows_at_least "$SOCK" 2
check "show conns after the restart: each connection on the backend it was on ($after)" \
	[ "$after" = "$before" ]
check_downloads restart "$before"
dl_ms=$(ms_since "$t_dl")
stop_capture "$RIG_DIR/restart.pcap" 2
echo "     dsrlb down $(((t_start - t_stop) / 1000000)) ms (stop, 1 s, start); the new daemon runs after $start_ms ms," \
	"its backends resolved by $resolved_ms ms, both flows picked up by $midflow_ms ms"
echo "     downloads done after $dl_ms ms; longest stall of a download $(longest_stall "$RIG_DIR/restart.pcap") ms"
echo "     new daemon: ct-midflow $(ev "$SOCK" ct-midflow), ct-new $(ev "$SOCK" ct-new)," \
	"drops no-backend $(drop "$SOCK" no-backend), no-mac $(drop "$SOCK" no-mac), not-vip $(drop "$SOCK" not-vip)"
check_capture "$RIG_DIR/restart.pcap" 2
port_times "$RIG_DIR/restart.pcap" "$t_stop" "the stop" "${RESTART_PORTS[@]}"

# --- 2. Failover: move the VIP to a second dsrlb on the same segment.
echo "--- failover"
SOCK2=$RIG_DIR/lb2.sock
rig_host lb2 "$LB2_MAC"
cat >"$RIG_DIR/lb2.conf" <<CONF
port 0 address 10.0.0.3/24
conntrack size 65536
CONF
rig_start_lb_on lb2 "$RIG_DIR/lb2.conf" || { finish; exit 1; }
neigh_vip() { ns cl ip neigh show "$VIP" dev eth0 | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'; }
neigh_is() { [ "$(neigh_vip)" = "$1" ]; }
check "before the move the client reaches the VIP at lb ($(neigh_vip))" neigh_is "$LB_MAC"
start_capture "$RIG_DIR/failover.pcap"
t_dl=$(date +%s%N)
start_downloads failover "${FAILOVER_PORTS[@]}"
wait_for 30 all_pinned "$SOCK" "${FAILOVER_PORTS[@]}"
sleep 0.5
before=$(conn_backends "$SOCK" "${FAILOVER_PORTS[@]}")
check "show conns on lb: the downloads run, one on each backend ($before)" \
	[ "$(echo "$before" | tr ' ' '\n' | cut -d: -f2 | sort | tr '\n' ' ')" = "10.0.0.21 10.0.0.22 " ]
got=$(running_at_stop failover "${FAILOVER_PORTS[@]}")
check "both downloads still run at the move, $(ms_since "$t_dl") ms after their start ($got)" \
	running_at_stop failover "${FAILOVER_PORTS[@]}"
# The move. lb2 announces the VIP as soon as it has it, and its backends
# come one command at a time and are resolved by ARP: until it has them
# all, a Maglev table over some of them would send mid-flow packets of
# the others' connections to the wrong backend (RST). strict-syn on keeps
# lb2 from picking up any flow (mid-flow packets are dropped, no-state,
# and TCP retransmits) until its backends are all resolved.
cat >"$RIG_DIR/move.txt" <<CONF
strict-syn on
vip add $VIP:80/tcp
backend add $VIP:80/tcp 10.0.0.21
backend add $VIP:80/tcp 10.0.0.22
CONF
t_move=$(date +%s%N)
"$DSRLBCTL" -s "$SOCK2" -f "$RIG_DIR/move.txt" >/dev/null
wait_for 50 resolved "$SOCK2"
check "lb2 has the VIP and its backends, resolved by ARP" resolved "$SOCK2"
"$DSRLBCTL" -s "$SOCK2" strict-syn off >/dev/null
ready_ms=$(ms_since "$t_move")
rig_ctl vip del "$VIP:80/tcp" >/dev/null
del_ms=$(ms_since "$t_move")
wait_for 50 neigh_is "$LB2_MAC"
neigh_ms=$(ms_since "$t_move")
check "the client's neighbour entry for the VIP moved to lb2 ($(ns cl ip neigh show "$VIP" dev eth0))" \
	neigh_is "$LB2_MAC"
wait_for 150 midflows_at_least "$SOCK2" 2
midflow_ms=$(ms_since "$t_move")
wait_for 50 all_pinned "$SOCK2" "${FAILOVER_PORTS[@]}"
after=$(conn_backends "$SOCK2" "${FAILOVER_PORTS[@]}")
check "lb2 picked both flows up mid-flow (ct-midflow $(ev "$SOCK2" ct-midflow))" midflows_at_least "$SOCK2" 2
check "show conns on lb2: each connection on the backend it was on ($after)" [ "$after" = "$before" ]
check_downloads failover "$before"
dl_ms=$(ms_since "$t_dl")
stop_capture "$RIG_DIR/failover.pcap" 2
fwd2=$(stat_of "$SOCK2" total fwd-pkts)
check "lb2 forwarded the flows' packets (fwd-pkts $fwd2)" [ "${fwd2:-0}" -gt 0 ]
echo "     move: lb2 ready (strict-syn off) after $ready_ms ms, vip del on lb after $del_ms ms;" \
	"the client's entry on lb2 by $neigh_ms ms; both flows picked up by lb2 by $midflow_ms ms"
echo "     ARP the client saw (arp_accept $(ns cl sysctl -n net.ipv4.conf.eth0.arp_accept)):"
tcpdump -n -e -r "$RIG_DIR/failover.pcap" arp 2>/dev/null | cut -d' ' -f2,3,5- | sed 's/^/       /' | head -8
asked=$(tcpdump -n -r "$RIG_DIR/failover.pcap" "arp and src host 10.0.0.10 and ether broadcast" 2>/dev/null | wc -l)
check "the client did not ask for the VIP again: the announcement moved it ($asked broadcast requests)" \
	[ "$asked" = 0 ]
echo "     downloads done after $dl_ms ms; longest stall of a download $(longest_stall "$RIG_DIR/failover.pcap") ms"
echo "     lb2: ct-midflow $(ev "$SOCK2" ct-midflow), ct-new $(ev "$SOCK2" ct-new), fwd-pkts $fwd2," \
	"drops no-state $(drop "$SOCK2" no-state), no-backend $(drop "$SOCK2" no-backend), no-mac $(drop "$SOCK2" no-mac);" \
	"$("$DSRLBCTL" -s "$SOCK2" show stats arp | grep -o 'announcements-sent [0-9]*')"
echo "     lb after vip del: drops not-vip $(drop "$SOCK" not-vip)"
grep WARNING "$RIG_DIR/lb.err" | sed 's/^/     lb:  /'
grep WARNING "$RIG_DIR/lb2.err" | sed 's/^/     lb2: /'
check_capture "$RIG_DIR/failover.pcap" 2
port_times "$RIG_DIR/failover.pcap" "$t_move" "the move" "${FAILOVER_PORTS[@]}"
[ "$failures" = 0 ] || { echo "--- lb2 stderr"; grep -v "^EAL" "$RIG_DIR/lb2.err"; }
echo "     runtime $(ms_since "$T0") ms"
finish
