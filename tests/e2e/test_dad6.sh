#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e IPv6 duplicate addresses (rig.sh with RIG_IPV6=1): hosts on the LAN
# that take dsrlb's IPv6 VIP.
# 1. A Linux host configured with the VIP (`ip -6 addr add fd00::100/64`)
#    runs DAD (an NS from ::): dsrlb logs "probed for our IP address",
#    answers the probe (an NA to all-nodes), so the host's DAD fails (the
#    address goes dadfailed) and dsrlb keeps the VIP: `show conflicts`
#    lists it (kind probe), `show nd` counts probes-answered, and the
#    client is still served. (First dsrlb's own announcements must be
#    over: an unsolicited NA for the VIP fails the host's DAD by itself.)
# 2. A host using the VIP (an unsolicited NA with Override, from scapy):
#    dsrlb logs "is using our IP address" and defends the VIP with an NA
#    to all-nodes; the client's neighbour entry, moved to the rogue by
#    its NA, goes back to dsrlb's MAC; `show conflicts` lists it (kind
#    using), `show nd` counts defended, and the client is still served.
set -uo pipefail
RIG_IPV6=1
. "$(dirname "$0")/rig.sh"
trap rig_down EXIT
DUP_MAC=02:00:00:00:00:77
ROGUE_MAC=02:66:66:66:66:66
ROGUE=$(dirname "$0")/nd_rogue.py

rig_up || exit 1
rig_conf6 >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }
check "the IPv6 VIP answers HTTP (dsrlb's DAD over)" rig_wait_vip6 10
check "the client's neighbour entry for $VIP6 is dsrlb's MAC ($(rig_neigh_mac cl "$VIP6"))" \
	[ "$(rig_neigh_mac cl "$VIP6")" = "$LB_MAC" ]
conflicts() { rig_ctl show conflicts; }

# dsrlb's own announcements (2 unsolicited NAs for each of its 2 addresses,
# 2 s apart) would make the host's DAD below fail by themselves, before
# its probe: wait until they are over.
nd_ctr() { # counter of `show nd`, port 0
	rig_ctl show nd | awk -v k="$1" '/^nd port 0:/ {for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'
}
announcements() { nd_ctr announcements-sent; }
announced() { [ "$(announcements)" -ge 4 ] 2>/dev/null; }
rig_wait_for 100 announced
check "dsrlb's announcements are over (announcements-sent $(announcements))" announced

# 1. A Linux host's DAD for the VIP.
rig_host dup "$DUP_MAC"
rig_host6 dup
ns dup sysctl -qw net.ipv6.conf.eth0.accept_dad=1 net.ipv6.conf.eth0.dad_transmits=1
# Its link-local address's DAD first (so that the VIP's probe is the next).
rig_wait_for 50 bash -c "! ip netns exec '$RIG-dup' ip -6 addr show dev eth0 | grep -q tentative"
ns dup ip -6 addr add "$VIP6/64" dev eth0
dadfailed() { ns dup ip -6 addr show dev eth0 | grep "inet6 $VIP6/64" | grep -q dadfailed; }
rig_wait_for 50 dadfailed
echo "     the host: $(ns dup ip -6 addr show dev eth0 | grep "inet6 $VIP6" | xargs)"
check "the host's DAD for $VIP6 failed (dadfailed): dsrlb answered its probe" dadfailed
rig_wait_for 20 grep -q "probed for our IP address $VIP6" "$RIG_DIR/lb.err"
check "the probe is logged" grep -qx \
	"WARNING port 0: MAC address $DUP_MAC probed for our IP address $VIP6" "$RIG_DIR/lb.err"
check "... and listed (show conflicts: $(conflicts | grep "$DUP_MAC" | cut -c1-80))" \
	grep -q "^conflict $VIP6 $DUP_MAC: port 0 kind probe" <<<"$(conflicts)"
n=$(nd_ctr probes-answered)
check "... and answered (show nd: probes-answered ${n:-missing})" [ "$n" = 1 ]
check "the client is still served by the VIP" rig_served6
check "... at dsrlb's MAC ($(rig_neigh_mac cl "$VIP6"))" [ "$(rig_neigh_mac cl "$VIP6")" = "$LB_MAC" ]

# 2. A host using the VIP: an unsolicited NA.
rig_host rogue "$ROGUE_MAC"
out=$(ns rogue /usr/bin/python3 "$ROGUE" claim "$ROGUE_MAC" "$VIP6" "$LB_MAC" 2>&1)
echo "     rogue: $out"
check "the rogue's claim was defended (an NA to all-nodes from dsrlb)" grep -qx "defences [1-9][0-9]*" <<<"$out"
rig_wait_for 20 grep -q "is using our IP address $VIP6" "$RIG_DIR/lb.err"
check "the rogue using the VIP is logged" grep -qx \
	"WARNING port 0: MAC address $ROGUE_MAC is using our IP address $VIP6" "$RIG_DIR/lb.err"
check "... and listed (show conflicts: $(conflicts | grep "$ROGUE_MAC" | cut -c1-80))" \
	grep -q "^conflict $VIP6 $ROGUE_MAC: port 0 kind using" <<<"$(conflicts)"
check "the client's neighbour entry for $VIP6 is dsrlb's MAC again ($(rig_neigh_mac cl "$VIP6"))" \
	[ "$(rig_neigh_mac cl "$VIP6")" = "$LB_MAC" ]
n=$(nd_ctr defended)
check "... defended once (show nd: defended ${n:-missing})" [ "$n" = 1 ]
check "the client is still served by the VIP" rig_served6
n=$(grep -c "our IP address $VIP6" "$RIG_DIR/lb.err" || true)
check "two conflict lines in all ($n)" [ "$n" = 2 ]
finish
