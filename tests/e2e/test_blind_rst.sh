#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e, issue 13 item 3: RSTs from a rogue host on the LAN that spoof a
# client's address and port, with sequence numbers far from the flow's
# (a blind attacker's), are forwarded (the backend ignores them) but leave
# the connection's entry: `show conns` still shows it, rst-out-of-window
# counts them, and the download finishes byte for byte. (A client's own
# RST still removes its entry at once: test_ctl.sh, part 3.)
set -uo pipefail
. "$(dirname "$0")/rig.sh"
trap rig_down EXIT
ROGUE_MAC=02:00:00:00:00:66
PORT=45101

rig_up || exit 1
rig_host rogue "$ROGUE_MAC" 10.0.0.66/24
rig_conf >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }
has_conn() { rig_ctl show conns | grep -q "10.0.0.10:$PORT "; }
event() { rig_ctl show stats | awk -v k="event $1:" 'index($0, k) == 1 {for (i = 1; i < NF; i++) if ($i == "count") print $(i + 1)}'; }

# The client's next sequence number, seen on its own interface.
ns cl timeout 10 /usr/bin/python3 - "$PORT" "$RIG_DIR/seq" <<'PY' &
import sys
from scapy.all import sniff, TCP
p = sniff(iface="eth0", count=1, timeout=8,
          lfilter=lambda p: TCP in p and p[TCP].sport == int(sys.argv[1]) and "A" in p[TCP].flags)
if p:
    t = p[0][TCP]
    open(sys.argv[2], "w").write(str((t.seq + len(t.payload)) % 2**32))
PY
sniffer=$!
sleep 1
rig_slowget "$VIP" "$PORT" 200k "$RIG_DIR/dl.got" &
dl=$!
wait $sniffer
sleep 0.3
check "show conns shows the download's connection" has_conn
be=$(rig_ctl show conns | awk -v p="10.0.0.10:$PORT" '$0 ~ p {for (i = 1; i < NF; i++) if ($i == "backend") print $(i + 1)}')
check "the client's sequence number was seen" test -s "$RIG_DIR/seq"

# 20 RSTs from the rogue host, half a sequence space away (and more).
ns rogue /usr/bin/python3 - "$VIP" "$LB_MAC" "$PORT" "$(cat "$RIG_DIR/seq" 2>/dev/null || echo 0)" <<'PY'
import sys
from scapy.all import Ether, IP, TCP, sendp
vip, lbmac, port, seq = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
pkts = [Ether(dst=lbmac) / IP(src="10.0.0.10", dst=vip) /
        TCP(sport=port, dport=80, flags="R" if i % 2 else "RA",
            seq=(seq + 2**31 + i * 2**22) % 2**32, ack=12345)
        for i in range(20)]
sendp(pkts, iface="eth0", verbose=False)
PY
sleep 0.3
oow=$(event rst-out-of-window)
check "the blind RSTs were counted out of window (${oow:-none} of 20)" [ "${oow:-0}" -ge 20 ]
check "no entry was removed by them (ct-rst $(event ct-rst))" [ "$(event ct-rst)" = 0 ]
check "the connection's entry survived the blind RSTs" has_conn
check "it still names its backend ($be)" \
	bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show conns | grep '10.0.0.10:$PORT ' | grep -q 'backend $be '"
wait $dl
check "the download finished byte for byte" \
	bash -c "cmp -s '$RIG_DIR/dl.got' '$RIG_DIR/b1/blob' || cmp -s '$RIG_DIR/dl.got' '$RIG_DIR/b2/blob'"
finish
