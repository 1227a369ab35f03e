#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e MLD (rig.sh with RIG_IPV6=1): dsrlb behind a switch that snoops
# MLD, the Linux bridge with mcast_snooping on and unregistered multicast
# not flooded to dsrlb's port (mcast_flood off): the Neighbor
# Solicitations for the VIP reach dsrlb only if it reported the VIP's
# solicited-node group.
# 1. No querier yet: dsrlb's unsolicited reports alone put its port in
#    the bridge's multicast database for the VIP's and the port address's
#    solicited-node groups (`bridge mdb`), from the port's link-local
#    address (modified EUI-64 of its MAC); `show nd` counts them.
# 2. The bridge becomes the querier: its queries are answered
#    (mld-queries, mld-reports-sent grow), the groups stay, and the client
#    resolves the VIP and is served through it.
# 3. Without dsrlb's reports (`arp announce 0`, which also stops the
#    unsolicited ones) the port is not in the database and the client's
#    solicitations for the VIP go unanswered, until the next query, which
#    dsrlb answers: the group is there after it, and the client served.
set -uo pipefail
RIG_IPV6=1
. "$(dirname "$0")/rig.sh"
trap rig_down EXIT

# The solicited-node group of an IPv6 address.
sn_group() {
	/usr/bin/python3 -c 'import ipaddress, sys
a = ipaddress.IPv6Address(sys.argv[1]).packed
print(ipaddress.IPv6Address(bytes.fromhex("ff0200000000000000000001ff") + a[13:]))' "$1"
}
VIP6_SN=$(sn_group "$VIP6")
PORT6_SN=$(sn_group "$LB_IP6")
# Does the bridge have port lb in group $1?
in_mdb() { ns sw bridge mdb show dev br0 | grep -q "port lb grp $1 "; }
not_in_mdb() { ! in_mdb "$1"; }
nd_stat() { rig_ctl show nd | grep -o " $1 [0-9]*" | awk '{s += $2} END {print s + 0}'; }
queries_over() { [ "$(nd_stat mld-queries)" -gt "$1" ]; }

rig_up || exit 1
ns sw ip link set br0 type bridge mcast_snooping 1 mcast_querier 0
ns sw ip link set dev lb type bridge_slave mcast_flood off
ns sw bridge link show dev lb | sed 's/^/     /'

# --- 1. Unsolicited reports.
rig_conf6 >"$RIG_DIR/lb.conf"
: >"$RIG_DIR/mld.txt"
ip netns exec "$RIG-sw" timeout 20 tcpdump -i lb -nn -vv -l 'icmp6 or (ip6 and ip6[6] == 0)' \
	>"$RIG_DIR/mld.txt" 2>/dev/null &
dump=$!
sleep 0.5
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }
rig_wait_for 50 in_mdb "$VIP6_SN"
check "the bridge has dsrlb's port in the VIP's group $VIP6_SN (unsolicited report)" in_mdb "$VIP6_SN"
check "... and in the port address's group $PORT6_SN" in_mdb "$PORT6_SN"
ns sw bridge mdb show dev br0 | grep "port lb" | sed 's/^/     /'
sleep 1.5
check "two unsolicited reports, no query yet (mld-reports-sent $(nd_stat mld-reports-sent), mld-queries $(nd_stat mld-queries))" \
	[ "$(nd_stat mld-reports-sent).$(nd_stat mld-queries)" = "2.0" ]
kill "$dump" 2>/dev/null
wait "$dump" 2>/dev/null
ll=$(/usr/bin/python3 -c 'import ipaddress, sys
m = bytes.fromhex(sys.argv[1].replace(":", ""))
print(ipaddress.IPv6Address(b"\xfe\x80" + bytes(6) + bytes([m[0] ^ 2]) + m[1:3] + b"\xff\xfe" + m[3:]))' "$LB_MAC")
grep -m1 "multicast listener report v2" "$RIG_DIR/mld.txt" | sed 's/^/     /'
check "tcpdump decodes dsrlb's report: from $ll to ff02::16, router alert" \
	grep -q "$ll > ff02::16: HBH (rtalert: 0x0000).*multicast listener report v2" "$RIG_DIR/mld.txt"

# --- 2. The bridge as querier: queries answered, the VIP served.
ns sw sysctl -qw net.ipv6.conf.br0.disable_ipv6=0
ns sw ip link set br0 type bridge mcast_querier 1 mcast_query_interval 300 \
	mcast_startup_query_interval 100 mcast_query_response_interval 100
q0=$(nd_stat mld-queries)
rig_wait_for 100 queries_over "$q0"
check "dsrlb answers the bridge's queries (mld-queries $(nd_stat mld-queries), mld-reports-sent $(nd_stat mld-reports-sent))" \
	[ "$(nd_stat mld-queries)" -gt "$q0" ]
check "the VIP's group is still dsrlb's port's" in_mdb "$VIP6_SN"
check "the client is served through the VIP ($VIP6)" rig_wait_vip6 10
check "... 5 of 5 requests" rig_served6
check "the client resolved the VIP to dsrlb's MAC ($(rig_neigh_mac cl "$VIP6"))" \
	[ "$(rig_neigh_mac cl "$VIP6")" = "$LB_MAC" ]
rig_stop_lb

# --- 3. No unsolicited reports: the group comes with the answer to a query.
ns sw ip link set br0 type bridge mcast_querier 0
ns sw bridge mdb del dev br0 port lb grp "$VIP6_SN" 2>/dev/null
ns sw bridge mdb del dev br0 port lb grp "$PORT6_SN" 2>/dev/null
{
	echo "arp announce 0"
	rig_conf6
} >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }
sleep 2
check "with arp announce 0 no report went out (mld-reports-sent $(nd_stat mld-reports-sent))" \
	[ "$(nd_stat mld-reports-sent)" = 0 ]
check "... and the bridge does not have the port in the VIP's group" not_in_mdb "$VIP6_SN"
ns cl ip -6 neigh flush dev eth0
no_answer() { ! ns cl curl -sg --max-time 3 "http://[$VIP6]/" >/dev/null; }
check "so the client's solicitations for the VIP do not reach dsrlb: no answer" no_answer
ns sw ip link set br0 type bridge mcast_querier 1
rig_wait_for 100 in_mdb "$VIP6_SN"
check "after a query, answered (mld-queries $(nd_stat mld-queries)), the port is in the group" in_mdb "$VIP6_SN"
check "... and the client is served through the VIP" rig_wait_vip6 10
finish
