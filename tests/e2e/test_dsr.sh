#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e: real Linux TCP through dsrlb on net_af_packet, in namespaces.
# 50 curl requests must all succeed and reach both backends, and the
# daemon must see only client->VIP packets: the replies bypass it.
set -euo pipefail
. "$(dirname "$0")/rig.sh"
trap rig_down EXIT

fail() {
	echo "FAIL: $*"
	echo "--- dsrlb stderr"; cat "$RIG_DIR/lb.err" || true
	echo "--- dsrlb stdout"; cat "$RIG_DIR/lb.out" || true
	echo "0 passed, 1 failed"
	exit 1
}

rig_up || fail "rig setup"
# The VIP's MAC is static here: the ARP responder is tested on its own.
ns cl ip neigh replace "$VIP" lladdr "$LB_MAC" dev eth0 nud permanent
rig_conf >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" || fail "dsrlb start"

declare -A served=([b1]=0 [b2]=0)
ok=0
for i in $(seq 50); do
	who=$(ns cl curl -s --max-time 3 "http://$VIP/" || true)
	case "$who" in
	b1 | b2) served[$who]=$((served[$who] + 1)); ok=$((ok + 1)) ;;
	*) echo "request $i: no answer ('$who')" ;;
	esac
done
echo "50 requests: $ok answered; b1 ${served[b1]}, b2 ${served[b2]}"
[ "$ok" = 50 ] || fail "only $ok of 50 requests succeeded"
[ "${served[b1]}" -gt 0 ] && [ "${served[b2]}" -gt 0 ] || fail "requests did not reach both backends"

# A 1 MB download byte for byte.
ns cl curl -s --max-time 10 -o "$RIG_DIR/blob.got" "http://$VIP/blob" || fail "download"
cmp -s "$RIG_DIR/blob.got" "$RIG_DIR/b1/blob" || cmp -s "$RIG_DIR/blob.got" "$RIG_DIR/b2/blob" ||
	fail "downloaded file differs from both backends' copies"

cl_tx=$(ns cl cat /sys/class/net/eth0/statistics/tx_packets)
rig_lb_stats >/dev/null
read -r rx fwd notours slow other < <(/usr/bin/python3 -c '
import sys; sys.path.insert(0, sys.argv[1])
import dsrtest
c = dsrtest.parse_summary(open(sys.argv[2]).read())
other = c["total drops"] - c["drop not-our-mac count"]
print(c["total rx-pkts"], c["total fwd-pkts"], c["drop not-our-mac count"], c["event slowpath count"], other)
' "$TOP/tests/pylib" "$RIG_DIR/lb.out")
echo "dsrlb: rx $rx, forwarded $fwd, not-our-mac $notours, slow path $slow, other drops $other; client sent $cl_tx"
[ "$other" = 0 ] || fail "dsrlb dropped $other frames addressed to it"
[ "$fwd" = $((rx - notours - slow)) ] || fail "frames addressed to dsrlb that were not client->VIP"
# Everything dsrlb forwarded came from the client (the client also sends a few ARP replies).
[ "$fwd" -le "$cl_tx" ] && [ "$fwd" -ge $((cl_tx - 8)) ] ||
	fail "forwarded $fwd frames, but the client sent $cl_tx: replies did not bypass dsrlb?"
rig_stop_lb
grep -q "^total: " "$RIG_DIR/lb.out" || fail "no summary at exit"
echo "1 passed, 0 failed"
