#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e scale-out failover (issue 18), rig_bgp.sh: eight rate-limited 1 MB
# downloads run through the VIP, spread by the router over both dsrlb
# instances. The instance with more of them is killed (SIGKILL): its
# kernel interface goes with the process, so do its BGP session (the
# router's hold timer, 3 s) and its route. The router's route then points
# at the other instance alone, which picks the flows up by Maglev (it has
# no entry for them): every download completes byte for byte, no RST
# comes from the VIP, and each moved flow keeps its backend.
# Prints the time from the kill to the router's new route and to the
# first packet of a moved flow at the other instance (a capture on its
# port's interface).
set -uo pipefail
. "$(dirname "$0")/rig_bgp.sh"

N=8
RATE=150k # each 1 MB download takes about 7 s
declare -A DL_PIDS=()
CAPS=()

nsx() { exec ip netns exec "$RIG-$1" "${@:2}"; }
cleanup() {
	local p
	for p in "${DL_PIDS[@]}" "${CAPS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	rig_down
}
trap cleanup EXIT

bgp_up || { echo "rig setup failed"; exit 1; }
bgp_start_lb lb1 || { bgp_finish; exit 1; }
bgp_start_lb lb2 || { bgp_finish; exit 1; }
# A small receive window: the backends send as fast as curl reads, so the
# flows need the balancers all along (the whole 1 MB would otherwise sit
# in the client's socket buffer within the first second).
ns cl sysctl -qw net.ipv4.tcp_rmem="4096 32768 65536"
t=$(bgp_wait_paths "10.0.0.2 10.0.0.3" 20)
check "the router has an ECMP route to $VIP via both instances ($t)" [ "${t% ms}" != "$t" ]

# Captures: RSTs at the client; the VIP's port 80 at each instance's port.
for h in cl lb1 lb2; do
	f="tcp and port 80 and tcp[tcpflags] & tcp-rst != 0"
	[ "$h" = cl ] || f="tcp and dst host $VIP and dst port 80"
	nsx "$h" timeout 90 tcpdump -i eth0 -U -n -s 96 -w "$RIG_DIR/$h.pcap" "$f" 2>"$RIG_DIR/$h.tcpdump" &
	CAPS+=($!)
done
for h in cl lb1 lb2; do
	for _ in $(seq 50); do grep -q "listening on" "$RIG_DIR/$h.tcpdump" && break; sleep 0.1; done
done

for i in $(seq $N); do
	port=$((41000 + i))
	nsx cl curl -s --max-time 60 --limit-rate "$RATE" --local-port "$port" \
		-o "$RIG_DIR/dl.$port" "http://$VIP/blob" &
	DL_PIDS[$port]=$!
done
sleep 1.5
declare -A on1=() on2=() was=()
while read -r port b; do on1[$port]=$b; was[$port]=$b; done < <(bgp_conns lb1)
while read -r port b; do on2[$port]=$b; was[$port]=$b; done < <(bgp_conns lb2)
echo "downloads on lb1: ${!on1[*]}; on lb2: ${!on2[*]}"
check "all $N downloads have an entry (lb1 ${#on1[@]}, lb2 ${#on2[@]})" \
	[ "$((${#on1[@]} + ${#on2[@]}))" = "$N" ]
if [ "${#on1[@]}" -ge "${#on2[@]}" ]; then
	victim=lb1 survivor=lb2 moved=("${!on1[@]}")
else
	victim=lb2 survivor=lb1 moved=("${!on2[@]}")
fi
check "both instances carry downloads" [ "${#on1[@]}" -gt 0 -a "${#on2[@]}" -gt 0 ]

t_kill=$(date +%s%N)
kill -KILL "${RIG_LB_PIDS[$victim]}"
wait "${RIG_LB_PIDS[$victim]}" 2>/dev/null
unset "RIG_LB_PIDS[$victim]"
t=$(bgp_wait_paths "${BGP_ADDR[$survivor]}" 10)
echo "# kill -KILL $victim: the router's route is via $survivor alone after $t"
check "the router withdraws $victim's path" [ "${t% ms}" != "$t" ]

bad=0
for port in "${!DL_PIDS[@]}"; do
	wait "${DL_PIDS[$port]}" || { echo "download from port $port: curl exit $?"; bad=$((bad + 1)); }
	case "${was[$port]:-}" in
	10.0.0.21) blob=$RIG_DIR/b1/blob ;;
	10.0.0.22) blob=$RIG_DIR/b2/blob ;;
	*) blob=/nonexistent ;;
	esac
	cmp -s "$RIG_DIR/dl.$port" "$blob" || {
		echo "download from port $port: $(stat -c %s "$RIG_DIR/dl.$port" 2>/dev/null) bytes, not ${was[$port]:-?}'s blob"
		bad=$((bad + 1))
	}
done
DL_PIDS=()
check "all $N downloads complete, byte for byte, from the backend they started on" [ "$bad" = 0 ]

declare -A now=()
while read -r port b; do now[$port]=$b; done < <(bgp_conns "$survivor")
same=0
for port in "${moved[@]}"; do [ "${now[$port]:-}" = "${was[$port]}" ] && same=$((same + 1)); done
check "$survivor has each of the ${#moved[@]} moved flows on the backend it was on ($same)" \
	[ "$same" = "${#moved[@]}" ]
echo "$survivor: event ct-midflow $(bgp_ctl "$survivor" show stats | awk '$1 == "event" && $2 == "ct-midflow:" {print $4}')"

sleep 0.5
for p in "${CAPS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
CAPS=()
# An RST from the VIP is a reset connection (a backend without the
# socket). The client's own RSTs are counted apart: a backend's tail-loss
# probe that retransmits its FIN after the client has closed draws one.
rsts=$(tcpdump -n -r "$RIG_DIR/cl.pcap" "src host $VIP" 2>/dev/null | wc -l)
echo "RSTs from the client after its downloads: $(tcpdump -n -r "$RIG_DIR/cl.pcap" "src host $CLIENT_IP" 2>/dev/null | wc -l)"
check "no RST from the VIP reached the client ($rsts)" [ "$rsts" = 0 ]
# The first packet of a moved flow at the survivor after the kill.
first=$(tcpdump -n -tt -r "$RIG_DIR/$survivor.pcap" 2>/dev/null | awk -v k="$t_kill" -v ports=" ${moved[*]} " '
	{ split($3, a, "."); if (index(ports, " " a[5] " ") && $1 * 1e9 > k) { print $1; exit } }')
if [ -n "$first" ]; then
	ms=$(awk -v f="$first" -v k="$t_kill" 'BEGIN { printf "%d", (f * 1e9 - k) / 1e6 }')
	echo "# kill -KILL $victim: first packet of a moved flow at $survivor after $ms ms"
fi
check "the moved flows reached $survivor after the kill" [ -n "$first" ]
bgp_finish
