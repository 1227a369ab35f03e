#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e backend failure: three ARP-resolved backends (b1, b2, b3) with
# `arp refresh 3`, and a paced 1 MiB download open on each. b2's
# namespace is deleted mid-run (its processes killed first). Then:
# - within refresh + 3 unanswered requests (1 s apart) + margin, `show
#   backends` says b2 failed with 0 Maglev slots (the time is printed);
# - b2's slots went to b1 and b3 and nothing else moved: their slot counts
#   only grew, and the three counts still add up to the table size;
# - 20 new requests all succeed and none reaches b2;
# - the downloads on b1 and b3 finish byte for byte, on the same backend;
# - b2's row of `show stats` counts its open connection(s) in lost-conns,
#   and b1's and b3's count none.
# Then b2 comes back (same MAC and IP): within a few seconds it is resolved
# and up again, takes new flows, and the slot counts are exactly those of
# the start (Maglev is deterministic).
set -uo pipefail
. "$(dirname "$0")/rig.sh"
DL_PIDS=
cleanup() {
	local p
	for p in $DL_PIDS; do kill "$p" 2>/dev/null || true; done
	rig_down
}
trap cleanup EXIT

REFRESH=3   # arp refresh, seconds
TRIES=3     # unanswered requests before failed (lib/arp), 1 s apart
MARGIN=3    # seconds of slack on a 2-CPU VM
RATE=65536  # bytes/s: the downloads (1 MiB) last 16 s
SVC="$VIP:80/tcp"

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
name_of() { case "$1" in 10.0.0.21) echo b1 ;; 10.0.0.22) echo b2 ;; 10.0.0.23) echo b3 ;; *) echo "?" ;; esac; }
ip_of() { case "$1" in b1) echo 10.0.0.21 ;; b2) echo 10.0.0.22 ;; b3) echo 10.0.0.23 ;; esac; }
curl_who() { ns cl curl -s --max-time 3 "http://$VIP/" || echo none; }
# The backend a client port is pinned to, from `show conns`.
conn_backend() { rig_ctl show conns | awk -v p=":$1 " '$0 ~ p {for (i = 1; i < NF; i++) if ($i == "backend") print $(i + 1)}'; }
# The value of key $3 in the row "backend SVC IP:" of `show $1` ($2 = backend name).
be_val() {
	rig_ctl show "$1" | awk -v kind="backend $SVC $(ip_of "$2"):" -v key="$3" \
		'index($0, kind) == 1 {for (i = 1; i < NF; i++) if ($i == key) print $(i + 1)}'
}
slots() { echo "$(be_val backends b1 slots) $(be_val backends b2 slots) $(be_val backends b3 slots)"; }
server_up() { ns "$1" bash -c "exec 3<>/dev/tcp/$(ip_of "$1")/80" 2>/dev/null; }

rig_up || exit 1
rig_backend b3 "$B3_MAC" 10.0.0.23
for i in $(seq 50); do server_up b3 && break; sleep 0.1; done
cat >"$RIG_DIR/lb.conf" <<CONF
port 0 address 10.0.0.2/24
conntrack size 65536
arp refresh $REFRESH
vip add $SVC
backend add $SVC 10.0.0.21
backend add $SVC 10.0.0.22
backend add $SVC 10.0.0.23
CONF
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }
for i in $(seq 50); do
	[ "$(rig_ctl show backends | grep -c 'state up .*arp resolved')" = 3 ] && break
	sleep 0.1
done
check "the three backends are resolved by ARP and up" \
	[ "$(rig_ctl show backends | grep -c 'state up .*arp resolved')" = 3 ]

# 1. One paced download open on each backend. Client ports from 46001 on;
# a download that lands on a backend that already has one is stopped.
declare -A dl_pid=([b1]= [b2]= [b3]=) dl_port=([b1]=none [b2]=none [b3]=none)
ndl=0
for port in $(seq 46001 46030); do
	[ "$ndl" = 3 ] && break
	rig_slowget "$VIP" "$port" "$RATE" "$RIG_DIR/dl.$port" &
	pid=$!
	be=
	for i in $(seq 20); do
		be=$(conn_backend "$port")
		[ -n "$be" ] && break
		sleep 0.1
	done
	name=$(name_of "$be")
	if [ -n "$be" ] && [ -z "${dl_pid[$name]:-}" ]; then
		dl_pid[$name]=$pid
		dl_port[$name]=$port
		ndl=$((ndl + 1))
		DL_PIDS="$DL_PIDS $pid"
	else
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
done
echo "     downloads: b1 port ${dl_port[b1]}, b2 port ${dl_port[b2]}, b3 port ${dl_port[b3]}"
check "a download is open on each backend" [ "$ndl" = 3 ]
[ "$ndl" = 3 ] || { finish; exit 1; }
read -r s1 s2 s3 < <(slots)
total=$((s1 + s2 + s3))
echo "     Maglev slots before: b1 $s1, b2 $s2, b3 $s3 (total $total)"
check "each backend has slots" [ "$s1" -gt 0 -a "$s2" -gt 0 -a "$s3" -gt 0 ]

# 2. b2 dies: its processes, then its namespace (and with it its veth).
ip netns pids "$RIG-b2" | xargs -r kill -9 2>/dev/null
for i in $(seq 50); do [ -z "$(ip netns pids "$RIG-b2")" ] && break; sleep 0.1; done
ip netns del "$RIG-b2"
t_del=$(date +%s%N)
# The kernel tears a namespace down asynchronously: b2 answers ARP until
# its veth is gone. The bound counts from then.
gone_ms=
for i in $(seq 100); do
	ns sw ip link show b2 >/dev/null 2>&1 || { gone_ms=$(ms_since "$t_del"); break; }
	sleep 0.1
done
t_gone=$(date +%s%N)
limit=$((REFRESH + TRIES + MARGIN))
fail_ms=
while [ "$(ms_since "$t_gone")" -lt $((limit * 1000)) ]; do
	if [ "$(be_val backends b2 state)" = failed ]; then
		fail_ms=$(ms_since "$t_gone")
		break
	fi
	sleep 0.1
done
echo "     b2's veth went ${gone_ms:-never (10 s)} ms after ip netns del; b2 failed" \
	"${fail_ms:-never} ms after that (bound ${limit} s = refresh $REFRESH + $TRIES tries + $MARGIN)"
check "show backends says b2 failed within ${limit} s of its veth going" [ -n "$fail_ms" ]
still=0
for n in b1 b3; do kill -0 "${dl_pid[$n]}" 2>/dev/null && still=$((still + 1)); done
echo "     b1/b3 downloads still running at the failover: $still of 2"
read -r f1 f2 f3 < <(slots)
echo "     Maglev slots after: b1 $f1, b2 $f2, b3 $f3"
check "b2 has 0 slots" [ "$f2" = 0 ]
check "b1 and b3 only gained slots, and took all of b2's" \
	[ "$f1" -ge "$s1" -a "$f3" -ge "$s3" -a $((f1 + f3)) = "$total" ]
check "b2's state is failed (arp failed)" [ "$(be_val backends b2 arp)" = failed ]

ok=0
declare -A served=([b1]=0 [b2]=0 [b3]=0 [none]=0)
for i in $(seq 20); do
	who=$(curl_who)
	case "$who" in b1 | b2 | b3) served[$who]=$((served[$who] + 1)) ;; *) served[none]=$((served[none] + 1)) ;; esac
done
echo "     20 new requests: b1 ${served[b1]}, b2 ${served[b2]}, b3 ${served[b3]}, no answer ${served[none]}"
check "20 new requests all succeed, none on b2" [ "${served[b1]}" -gt 0 -a "${served[b3]}" -gt 0 -a \
	$((served[b1] + served[b3])) = 20 ]

lost=$(be_val stats b2 lost-conns)
echo "     lost-conns: b1 $(be_val stats b1 lost-conns), b2 $lost, b3 $(be_val stats b3 lost-conns)"
check "b2's lost-conns counts its open connection (>= 1)" [ "${lost:-0}" -ge 1 ]
check "b1 and b3 lost nothing" [ "$(be_val stats b1 lost-conns)" = 0 -a "$(be_val stats b3 lost-conns)" = 0 ]

for n in b1 b3; do
	wait "${dl_pid[$n]}"
	check "the download on $n finished byte for byte" \
		cmp -s "$RIG_DIR/dl.${dl_port[$n]}" "$RIG_DIR/$n/blob"
	check "... its connection stayed on $n" [ "$(name_of "$(conn_backend "${dl_port[$n]}")")" = "$n" ]
done
kill "${dl_pid[b2]}" 2>/dev/null
wait "${dl_pid[b2]}" 2>/dev/null

# 3. b2 comes back with the same MAC and IP (and a new blob: not compared).
rig_backend b2 "$B2_MAC" 10.0.0.22
t_back=$(date +%s%N)
for i in $(seq 50); do server_up b2 && break; sleep 0.1; done
up_ms=
while [ "$(ms_since "$t_back")" -lt 12000 ]; do
	if [ "$(be_val backends b2 state)" = up ] && [ "$(be_val backends b2 arp)" = resolved ]; then
		up_ms=$(ms_since "$t_back")
		break
	fi
	sleep 0.1
done
echo "     b2 resolved and up ${up_ms:-never} ms after it came back (failed backends are asked every 5 s)"
check "b2 is resolved and up again within 12 s" [ -n "$up_ms" ]
read -r r1 r2 r3 < <(slots)
echo "     Maglev slots after the return: b1 $r1, b2 $r2, b3 $r3"
check "the slot counts are exactly those of the start" [ "$r1 $r2 $r3" = "$s1 $s2 $s3" ]
back=0 ok=0
for i in $(seq 30); do
	who=$(curl_who)
	[ "$who" = b2 ] && back=$((back + 1))
	case "$who" in b1 | b2 | b3) ok=$((ok + 1)) ;; esac
done
echo "     30 new requests: $ok answered, $back by b2"
check "b2 takes new flows again, and every request is answered" [ "$back" -gt 0 -a "$ok" = 30 ]
finish
