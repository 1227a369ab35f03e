#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e IPv6: real TCP in namespaces (rig.sh with RIG_IPV6=1), backends
# resolved by neighbour discovery, the client finding the VIP by NS
# (answered by dsrlb), no static neighbour entry anywhere. One dsrlb with
# an IPv6 and an IPv4 VIP on the same two backends (dual stack):
# 1. the client's neighbour entry for the IPv6 VIP is dsrlb's MAC;
# 2. requests to http://[fd00::100]/ spread over both backends;
# 3. a 1 MB download, byte for byte;
# 4. the IPv4 VIP on the same backends answers too, alongside;
# 5. ping -6 to the VIP is answered by dsrlb (event icmp-echo);
# 6. counters (`show stats`): the IPv6 VIP's and both backends' packets;
# 7. restart: dsrlb stopped mid-download (paced 1 MB downloads),
#    down about 1 s, started again on the same config: the downloads
#    complete byte for byte, the client capture holds no RST, each
#    connection is on the backend it was on (`show conns`), and the new
#    daemon counts the pick-ups (event ct-midflow). As for IPv4
#    (test_restart.sh): the flow hash and the Maglev table are seedless.
set -uo pipefail
RIG_IPV6=1
. "$(dirname "$0")/rig.sh"

RATE=150k # a ceiling (rig_slowget): no 1 MB download ends in under 6 s
# Client ports of the restart's downloads: the seedless hash puts them on
# both backends (checked below).
RESTART_PORTS=(46101 46102 46103 46104)
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
name_of() { case "$1" in "$B1_IP6") echo b1 ;; "$B2_IP6") echo b2 ;; *) echo "?" ;; esac; }
# The backend a client port is pinned to, from `show conns`.
conn_backend() {
	rig_ctl show conns |
		awk -v p="]:$1 " 'index($0, p) {for (i = 1; i < NF; i++) if ($i == "backend") print $(i + 1)}'
}
conn_backends() { # port...: "PORT:BACKEND ..."
	local p out=
	for p; do out="$out $p:$(conn_backend "$p")"; done
	echo "${out# }"
}
all_pinned() { ! conn_backends "$@" | grep -qE ':( |$)'; }
midflows_at_least() { [ "$(rig_stat "event ct-midflow" count)" -ge "$1" ] 2>/dev/null; }
# The backend (b1, b2) whose /blob the file is, or "none".
blob_of() {
	if cmp -s "$1" "$RIG_DIR/b1/blob"; then echo b1; elif cmp -s "$1" "$RIG_DIR/b2/blob"; then echo b2; else echo none; fi
}

rig_up || exit 1
rig_conf6 --dual >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }
rig_wait_for 100 rig_resolved6
check "IPv6 backends resolved by neighbour discovery" rig_resolved6
check "the IPv6 VIP answers HTTP (dsrlb's DAD over)" rig_wait_vip6 10

# 1. The client found the VIP at dsrlb by NS; no entry at a backend's MAC.
mac=$(rig_neigh_mac cl "$VIP6")
check "the client's neighbour entry for $VIP6 is dsrlb's MAC ($mac)" [ "$mac" = "$LB_MAC" ]
n=$(ns cl ip -6 neigh show nud permanent | wc -l)
check "no static neighbour entry on the client ($n)" [ "$n" = 0 ]

# 2. Spread.
declare -A seen=([b1]=0 [b2]=0)
bad=0
for i in $(seq 40); do
	who=$(ns cl curl -sg --max-time 2 "http://[$VIP6]/" || true)
	case "$who" in b1 | b2) seen[$who]=$((seen[$who] + 1)) ;; *) bad=$((bad + 1)) ;; esac
done
check "40 requests to http://[$VIP6]/ all answered (b1 ${seen[b1]}, b2 ${seen[b2]}, failed $bad)" [ "$bad" = 0 ]
check "... spread over both backends" [ "${seen[b1]}" -gt 0 ] && [ "${seen[b2]}" -gt 0 ]

# 3. A 1 MB download, byte for byte.
ns cl curl -sg --max-time 20 -o "$RIG_DIR/one.got" "http://[$VIP6]/blob"
from=$(blob_of "$RIG_DIR/one.got")
check "a 1 MB download over IPv6 byte for byte ($(stat -c %s "$RIG_DIR/one.got" 2>/dev/null) bytes, from $from)" \
	[ "$from" != none ]

# 4. Dual stack: the IPv4 VIP on the same backends, requests interleaved.
declare -A seen4=([b1]=0 [b2]=0) seen6=([b1]=0 [b2]=0)
bad=0
for i in $(seq 20); do
	who=$(ns cl curl -s --max-time 2 "http://$VIP/" || true)
	case "$who" in b1 | b2) seen4[$who]=$((seen4[$who] + 1)) ;; *) bad=$((bad + 1)) ;; esac
	who=$(ns cl curl -sg --max-time 2 "http://[$VIP6]/" || true)
	case "$who" in b1 | b2) seen6[$who]=$((seen6[$who] + 1)) ;; *) bad=$((bad + 1)) ;; esac
done
check "dual stack: 20 + 20 requests to $VIP and [$VIP6] interleaved all answered (failed $bad)" [ "$bad" = 0 ]
check "... IPv4 over both backends (b1 ${seen4[b1]}, b2 ${seen4[b2]})" \
	[ "${seen4[b1]}" -gt 0 ] && [ "${seen4[b2]}" -gt 0 ]
check "... IPv6 over both backends (b1 ${seen6[b1]}, b2 ${seen6[b2]})" \
	[ "${seen6[b1]}" -gt 0 ] && [ "${seen6[b2]}" -gt 0 ]
mac=$(rig_neigh_mac cl "$VIP")
check "the client's ARP entry for $VIP is dsrlb's MAC too ($mac)" [ "$mac" = "$LB_MAC" ]

# 5. Echo.
echo0=$(rig_stat "event icmp-echo" count)
out=$(ns cl ping -6 -c 3 -i 0.2 -W 1 "$VIP6" 2>&1)
echo "     $(grep 'packets transmitted' <<<"$out")"
check "ping -6 -c 3 $VIP6: 3 answered" grep -q "3 received" <<<"$out"
echo1=$(rig_stat "event icmp-echo" count)
check "... by dsrlb (event icmp-echo $echo0 -> $echo1)" rig_grew_by "${echo0:-x}" "${echo1:-x}" 3

# 6. Counters.
pkts=$(rig_stat "vip [$VIP6]:80/tcp" pkts)
conns=$(rig_stat "vip [$VIP6]:80/tcp" new-conns)
check "show stats: the IPv6 VIP forwarded packets (pkts ${pkts:-missing}, new-conns ${conns:-missing})" \
	rig_gt "${pkts:-x}" 0
check "... and counted its connections (new-conns >= 62: the 40 + 1 + 20 above and a first one)" rig_gt "${conns:-x}" 61
p1=$(rig_stat "backend [$VIP6]:80/tcp $B1_IP6" pkts)
p2=$(rig_stat "backend [$VIP6]:80/tcp $B2_IP6" pkts)
check "... both IPv6 backends' packets (b1 ${p1:-missing}, b2 ${p2:-missing})" \
	rig_gt "${p1:-x}" 0 && rig_gt "${p2:-x}" 0
p4=$(rig_stat "vip $VIP:80/tcp" pkts)
check "... and the IPv4 VIP's (pkts ${p4:-missing})" rig_gt "${p4:-x}" 0

# 7. Restart mid-download.
echo "--- restart"
: >"$RIG_DIR/tcpdump.err"
nsx cl timeout 60 tcpdump -i eth0 -U -n -B 8192 -s 128 -w "$RIG_DIR/restart.pcap" \
	'tcp port 80 or icmp6' 2>"$RIG_DIR/tcpdump.err" &
TCPDUMP_PID=$!
rig_wait_for 50 grep -q "listening on" "$RIG_DIR/tcpdump.err"
check "tcpdump captures on the client" kill -0 "$TCPDUMP_PID"
t_dl=$(date +%s%N)
for p in "${RESTART_PORTS[@]}"; do
	rig_slowget "$VIP6" "$p" "$RATE" "$RIG_DIR/restart-$p.got" 2>"$RIG_DIR/restart-$p.err" &
	DL_PIDS[$p]=$!
done
rig_wait_for 30 all_pinned "${RESTART_PORTS[@]}"
sleep 0.5
before=$(conn_backends "${RESTART_PORTS[@]}")
check "show conns: the IPv6 downloads run, on both backends ($before)" \
	[ "$(echo "$before" | tr ' ' '\n' | cut -d: -f2- | sort -u | tr '\n' ' ')" = "$B1_IP6 $B2_IP6 " ]
running=0
for p in "${RESTART_PORTS[@]}"; do kill -0 "${DL_PIDS[$p]}" 2>/dev/null && running=$((running + 1)); done
check "the downloads still run when dsrlb stops ($running of ${#RESTART_PORTS[@]})" \
	[ "$running" = "${#RESTART_PORTS[@]}" ]
t_stop=$(date +%s%N)
rig_stop_lb
cp "$RIG_DIR/lb.out" "$RIG_DIR/lb-first.out"
check "the first daemon stopped cleanly and printed its counters" grep -q "^total: " "$RIG_DIR/lb-first.out"
sleep 1
t_start=$(date +%s%N)
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }
start_ms=$(ms_since "$t_start")
rig_wait_for 100 rig_resolved6
resolved_ms=$(ms_since "$t_start")
rig_wait_for 150 midflows_at_least "${#RESTART_PORTS[@]}"
midflow_ms=$(ms_since "$t_start")
rig_wait_for 50 all_pinned "${RESTART_PORTS[@]}"
after=$(conn_backends "${RESTART_PORTS[@]}")
check "the new daemon picked the flows up mid-flow (ct-midflow $(rig_stat "event ct-midflow" count))" \
	midflows_at_least "${#RESTART_PORTS[@]}"
check "show conns after the restart: each connection on the backend it was on ($after)" \
	[ "$after" = "$before" ]
for pb in $before; do
	p=${pb%%:*} be=${pb#*:}
	wait "${DL_PIDS[$p]}"
	rc=$?
	unset "DL_PIDS[$p]"
	check "download from port $p ($(name_of "$be")) completed byte for byte (exit $rc$(sed 's/^/: /' "$RIG_DIR/restart-$p.err"))" \
		cmp -s "$RIG_DIR/restart-$p.got" "$RIG_DIR/$(name_of "$be")/blob"
done
dl_ms=$(ms_since "$t_dl")
# Let tcpdump catch up (it lags on a busy machine, and stopping drops what
# it has not written): wait (at most 5 s) until the client's FINs of the
# downloads are written and the file has not grown for 0.3 s. Flags from
# tcpdump's text: its tcp[] filters do not reach IPv6.
fins() { tcpdump -n -r "$RIG_DIR/restart.pcap" "tcp and src host $CLIENT_IP6" 2>/dev/null | grep -c 'Flags \[F'; }
last=-1 still=0
for _ in $(seq 50); do
	size=$(stat -c %s "$RIG_DIR/restart.pcap")
	if [ "$size" = "$last" ]; then still=$((still + 1)); else still=0; fi
	last=$size
	[ "$still" -ge 3 ] && [ "$(fins)" -ge "${#RESTART_PORTS[@]}" ] && break
	sleep 0.1
done
stop_pid "$TCPDUMP_PID"
TCPDUMP_PID=
echo "     dsrlb down $(((t_start - t_stop) / 1000000)) ms (stop, 1 s, start); the new daemon runs after $start_ms ms," \
	"its backends resolved by $resolved_ms ms, the flows picked up by $midflow_ms ms; downloads done after $dl_ms ms"
echo "     new daemon: ct-midflow $(rig_stat "event ct-midflow" count), drops no-mac $(rig_stat "drop no-mac" count)," \
	"no-backend $(rig_stat "drop no-backend" count), not-vip $(rig_stat "drop not-vip" count)"
echo "     tcpdump: $(grep -E 'captured|received|dropped' "$RIG_DIR/tcpdump.err" | paste -sd, -)"
check "the capture lost nothing in the kernel" grep -q "^0 packets dropped by kernel" "$RIG_DIR/tcpdump.err"
rsts() { tcpdump -n -r "$RIG_DIR/restart.pcap" tcp 2>/dev/null | grep 'Flags \[R'; }
n_rst=$(rsts | wc -l)
rsts | head -5 | sed 's/^/     RST: /'
check "no RST in the client capture ($n_rst)" [ "$n_rst" = 0 ]
got=$(tcpdump -n -r "$RIG_DIR/restart.pcap" "tcp and src host $VIP6" 2>/dev/null |
	awk 'match($0, /, length [0-9]+/) {n += substr($0, RSTART + 9, RLENGTH - 9)} END {printf "%d\n", n}')
check "the capture holds the downloads ($got bytes of TCP payload from the VIP)" \
	[ "$got" -ge $((${#RESTART_PORTS[@]} * 1048576)) ]
echo "     runtime $(ms_since "$T0") ms"
finish
