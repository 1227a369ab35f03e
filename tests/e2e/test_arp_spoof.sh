#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e ARP against a hostile host on the LAN (scapy in its namespace):
# - spoofed replies "10.0.0.21 is at ROGUE" sprayed at dsrlb through
#   about 8 refreshes (arp refresh 2) never replace b1's MAC: the conflict
#   is logged, counted and listed, and no client SYN reaches the rogue.
#   For the second half b1's bridge port stops flooding broadcasts, so b1
#   no longer hears the refresh requests (its answer is as good as late)
#   and hears only dsrlb's unicast confirmation: the rogue's answer is then
#   the only one to the broadcast, every time;
# - a backend whose MAC really changes (its old MAC no longer answers the
#   unicast confirmation) is followed to the new MAC;
# - RFC 5227 probes for the VIP are answered right after dsrlb defended the
#   VIP against another host (the defence's 10 s limit is not the probes').
set -uo pipefail
. "$(dirname "$0")/rig.sh"
trap rig_down EXIT
ROGUE_MAC=02:66:66:66:66:66
PROBER_MAC=02:00:00:00:00:77
B1_NEW_MAC=02:00:00:00:00:31
ROGUE=$(dirname "$0")/arp_rogue.py

rig_up || exit 1
rig_host rogue "$ROGUE_MAC" 10.0.0.66/24
rig_host prober "$PROBER_MAC"
{
	rig_conf --arp
	echo "arp refresh 2"
} >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }
neigh() { rig_ctl show arp | grep "^neighbour $1:"; }
for i in $(seq 50); do
	[ "$(rig_ctl show backends | grep -c 'arp resolved')" = 2 ] && break
	sleep 0.1
done
check "backends resolved by ARP" grep -q "mac $B1_MAC" <<<"$(neigh 10.0.0.21)"

# 1. The spray, over about 8 refreshes of b1 (one every 2 s), with client traffic.
# Not through ns(): $! must be timeout itself (ip netns exec execs it), to stop it.
ip netns exec "$RIG-b1" timeout 20 tcpdump -i eth0 -nn -e -l arp >"$RIG_DIR/b1-arp.txt" 2>/dev/null &
dump=$!
ns rogue /usr/bin/python3 "$ROGUE" spray 16 "$ROGUE_MAC" 10.0.0.21 "$LB_MAC" 10.0.0.2 "$VIP" \
	>"$RIG_DIR/spray.out" 2>&1 &
spray=$!
ok=0
macs=""
for i in $(seq 24); do
	[ "$i" = 12 ] && ns sw ip link set dev b1 type bridge_slave bcast_flood off
	who=$(ns cl curl -s --max-time 2 "http://$VIP/" || true)
	case "$who" in b1 | b2) ok=$((ok + 1)) ;; esac
	macs="$macs $(neigh 10.0.0.21 | awk '{for (i = 1; i < NF; i++) if ($i == "mac") print $(i + 1)}')"
	sleep 0.5
done
wait $spray
ns sw ip link set dev b1 type bridge_slave bcast_flood on
sleep 0.5
kill "$dump" 2>/dev/null
wait "$dump" 2>/dev/null
echo "     rogue: $(cat "$RIG_DIR/spray.out"); $ok/24 requests answered"
echo "     b1's MAC seen during the spray: $(tr ' ' '\n' <<<"$macs" | sort | uniq -c | xargs)"
check "the spray went on through the refreshes" grep -q "^sent [1-9][0-9]\{3,\}" "$RIG_DIR/spray.out"
check "b1's MAC never changed to the rogue's" bash -c "! grep -q '$ROGUE_MAC' <<<'$macs'"
check "b1 is still at its own MAC" grep -q "state .* mac $B1_MAC" <<<"$(neigh 10.0.0.21)"
check "no 'changed MAC' line" bash -c "! grep -q 'changed MAC' '$RIG_DIR/lb.err'"
check "no client SYN reached the rogue" grep -q "syns-to-us 0$" "$RIG_DIR/spray.out"
check "every request answered during the spray ($ok/24)" [ "$ok" = 24 ]
check "the conflict is logged" grep -qx \
	"WARNING port 0: MAC address $ROGUE_MAC claims backend address 10.0.0.21 (known at $B1_MAC)" \
	"$RIG_DIR/lb.err"
n=$(grep -c "claims backend address" "$RIG_DIR/lb.err" || true)
check "... at most once per 10 s ($n lines in 16 s)" [ "$n" -le 2 ]
claims=$(rig_ctl show stats arp | grep -o 'conflict-backend [0-9]*' | awk '{print $2}')
check "... counted (conflict-backend ${claims:-none})" [ "${claims:-0}" -gt 100 ]
check "... and listed (show conflicts)" \
	bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show conflicts | grep -q '^conflict 10.0.0.21 $ROGUE_MAC: port 0 kind backend'"
n=$(grep -c "$LB_MAC > $B1_MAC.*Request who-has 10.0.0.21" "$RIG_DIR/b1-arp.txt" || true)
check "b1's MAC confirmed by unicast requests ($n seen at b1)" [ "$n" -gt 0 ]

# 2. A real change of b1's MAC is still followed (the old one stops answering).
ns b1 ip link set eth0 address "$B1_NEW_MAC"
for i in $(seq 150); do
	grep -q "mac $B1_NEW_MAC" <<<"$(neigh 10.0.0.21)" && break
	sleep 0.1
done
check "b1's new MAC learned once its old one stopped answering" \
	grep -q "state reachable mac $B1_NEW_MAC" <<<"$(neigh 10.0.0.21)"
if ! grep -q "state reachable mac $B1_NEW_MAC" <<<"$(neigh 10.0.0.21)"; then
	echo "     $(neigh 10.0.0.21)"
	echo "     $(rig_ctl show stats arp | tr '\n' ' ')"
	grep "10\.0\.0\.21" "$RIG_DIR/lb.err" | tail -5 | sed 's/^/     lb: /'
fi
check "... and logged" grep -q \
	"WARNING port 0: backend 10.0.0.21 does not answer at $B1_MAC any more (3 tries); asking who has it" \
	"$RIG_DIR/lb.err"
check "... changed MAC logged" grep -q \
	"WARNING port 0: backend 10.0.0.21 changed MAC from $B1_MAC to $B1_NEW_MAC" "$RIG_DIR/lb.err"
ok=0
for i in $(seq 10); do
	who=$(ns cl curl -s --max-time 2 "http://$VIP/" || true)
	case "$who" in b1 | b2) ok=$((ok + 1)) ;; esac
done
check "requests answered after the change ($ok/10)" [ "$ok" = 10 ]

# 3. A probe right after a defence is answered.
ns rogue /usr/bin/python3 "$ROGUE" claim "$ROGUE_MAC" "$VIP"
sleep 0.3
check "the rogue using the VIP is logged" \
	grep -qx "WARNING port 0: MAC address $ROGUE_MAC is using our IP address $VIP" "$RIG_DIR/lb.err"
check "... and the VIP defended" \
	bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show stats arp | grep -q 'defended 1 '"
out=$(ns prober /usr/bin/python3 "$ROGUE" probe 3 "$PROBER_MAC" "$VIP" "$LB_MAC" 2>&1)
echo "     prober, within 10 s of the defence: $out"
check "3 probes for the VIP within 10 s of a defence: 3 answered" [ "$out" = "probes 3 answered 3" ]
check "probes counted (probes-answered 3)" \
	bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show stats arp | grep -q 'probes-answered 3 '"
finish
