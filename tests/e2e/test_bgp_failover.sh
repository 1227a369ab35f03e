#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e scale-out failover (issue 18), rig_bgp.sh: sixteen paced 1 MB
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

N=16 # both instances carry some: all on one path by chance is 2^-15
RATE=100k # a ceiling (rig_slowget): no 1 MB download ends in under 10 s
CAPS=()

cleanup() {
	local p
	for p in "${CAPS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	bgp_down
}
trap cleanup EXIT

bgp_up || { echo "rig setup failed"; exit 1; }
bgp_start_lb lb1 || { bgp_finish; exit 1; }
bgp_start_lb lb2 || { bgp_finish; exit 1; }
t=$(bgp_wait_paths "10.0.0.2 10.0.0.3" 20)
check "the router has an ECMP route to $VIP via both instances ($t)" [ "${t% ms}" != "$t" ]

# Captures of the VIP's port 80 at each instance's port.
bgp_capture_rsts
for h in lb1 lb2; do
	ip netns exec "$RIG-$h" timeout 90 tcpdump -i eth0 -U -n -s 96 -w "$RIG_DIR/$h.pcap" \
		"tcp and dst host $VIP and dst port 80" 2>"$RIG_DIR/$h.tcpdump" &
	CAPS+=($!)
done
for h in lb1 lb2; do
	for _ in $(seq 50); do grep -q "listening on" "$RIG_DIR/$h.tcpdump" && break; sleep 0.1; done
done

bgp_downloads "$N" "$RATE"
sleep 1.5
bgp_downloads_split
n1=$(wc -w <<<"${BGP_ON[lb1]}") n2=$(wc -w <<<"${BGP_ON[lb2]}")
check "all $N downloads have an entry (lb1 $n1, lb2 $n2)" [ "$((n1 + n2))" = "$N" ]
check "both instances carry downloads" [ "$n1" -gt 0 -a "$n2" -gt 0 ]
victim=$BGP_BUSY survivor=$BGP_IDLE
read -r -a moved <<<"${BGP_ON[$victim]}"

t_kill=$(date +%s%N)
kill -KILL "${RIG_LB_PIDS[$victim]}"
wait "${RIG_LB_PIDS[$victim]}" 2>/dev/null
unset "RIG_LB_PIDS[$victim]"
t=$(bgp_wait_paths "${BGP_ADDR[$survivor]}" 10)
echo "# kill -KILL $victim: the router's route is via $survivor alone after $t"
check "the router withdraws $victim's path" [ "${t% ms}" != "$t" ]

check "all $N downloads complete, byte for byte, from the backend they started on" \
	bgp_downloads_ok BGP_WAS

declare -A now=()
while read -r port b; do now[$port]=$b; done < <(bgp_conns "$survivor")
same=0
for port in "${moved[@]}"; do
	if [ "${now[$port]:-}" = "${BGP_WAS[$port]}" ]; then
		same=$((same + 1))
	else
		echo "     port $port: on ${BGP_WAS[$port]} at $victim, at $survivor: ${now[$port]:-no entry}"
	fi
done
check "$survivor has each of the ${#moved[@]} moved flows on the backend it was on ($same)" \
	[ "$same" = "${#moved[@]}" ]
echo "$survivor: event ct-midflow $(bgp_ctl "$survivor" show stats | awk '$1 == "event" && $2 == "ct-midflow:" {print $4}')"

bgp_stop_capture
check "no RST from the VIP reached the client ($BGP_RSTS)" [ "$BGP_RSTS" = 0 ]
for p in "${CAPS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
CAPS=()
# The first packet of a moved flow at the survivor after the kill.
first=$(tcpdump -n -tt -r "$RIG_DIR/$survivor.pcap" 2>/dev/null | awk -v k="$t_kill" -v ports=" ${moved[*]} " '
	{ split($3, a, "."); if (index(ports, " " a[5] " ") && $1 * 1e9 > k) { print $1; exit } }')
if [ -n "$first" ]; then
	ms=$(awk -v f="$first" -v k="$t_kill" 'BEGIN { printf "%d", (f * 1e9 - k) / 1e6 }')
	echo "# kill -KILL $victim: first packet of a moved flow at $survivor after $ms ms"
fi
check "the moved flows reached $survivor after the kill" [ -n "$first" ]
bgp_finish
