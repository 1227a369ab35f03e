# SPDX-License-Identifier: BSD-3-Clause
"""Traffic fixtures for IPv6 (issue 17): forwarding by MAC rewrite, byte for
byte, through the worker's IPv6 table; echo; neighbour discovery and DAD
(lib/nd) through the daemon's slow path.

At start dsrlb probes each IPv6 address it holds (DAD: a neighbour
solicitation from ::) and uses it a second later; the first step of each
case therefore expects those probes.
"""

from scapy.layers.inet import TCP
from scapy.layers.inet6 import (ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest,
                                ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                                ICMPv6NDOptSrcLLAddr, ICMPv6PacketTooBig, IPv6)
from scapy.layers.l2 import Ether
from scapy.packet import Raw

from fixtures import CLIENT_MAC, LB_MAC, Case

VIP6 = "fd00:1::100"
PORT6 = "fd00::2"
CLIENT6 = "2001:db8::a"
ROUTER6 = "2001:db8::1"
OTHER_MAC = "02:00:00:00:99:01"

CONF6 = """\
port 0 address 10.0.0.2/24
port 0 address fd00::2/64
arp announce 0
conntrack size 4096
vip add [fd00:1::100]:80/tcp
backend add [fd00:1::100]:80/tcp fd00::21 mac 02:00:00:00:a1:01
backend add [fd00:1::100]:80/tcp fd00::22 mac 02:00:00:00:b1:01
"""


def sn_mac(addr):
    """The solicited-node multicast MAC and address of an IPv6 address."""
    import ipaddress
    b = ipaddress.IPv6Address(addr).packed
    ip = "ff02::1:ff%02x:%02x%02x" % (b[13], b[14], b[15])
    return "33:33:ff:%02x:%02x:%02x" % (b[13], b[14], b[15]), ip


def dad_probe(addr):
    mac, ip = sn_mac(addr)
    return Ether(src=LB_MAC, dst=mac) / IPv6(src="::", dst=ip, hlim=255) / ICMPv6ND_NS(tgt=addr)


DAD = [dad_probe(PORT6), dad_probe(VIP6)]


def eth6(dst=LB_MAC, src=CLIENT_MAC):
    return Ether(src=src, dst=dst)


def tcp6(flags, sport=40000, src=CLIENT6, hlim=64, seq=1000):
    return eth6() / IPv6(src=src, dst=VIP6, hlim=hlim) / TCP(sport=sport, dport=80, flags=flags,
                                                             seq=seq)


def dropped_v6():
    """A frame that is dropped whatever happens (not a VIP): carries the DAD step."""
    return eth6() / IPv6(src=CLIENT6, dst="fd00:9::9") / TCP(dport=80)


CASES = [
    Case("ipv6-forward", "IPv6 TCP to an IPv6 VIP goes by MAC rewrite, byte for byte, and "
         "stays on its backend; a packet too big for it goes there too; hop limit 1 drops",
         [(0, dropped_v6(), DAD),
          (2, tcp6("S"), "a1"), (2.1, tcp6("A"), "a1"), (2.2, tcp6("PA") / Raw(b"GET /"), "a1"),
          (2.3, eth6() / IPv6(src=ROUTER6, dst=VIP6) / ICMPv6PacketTooBig(mtu=1280) /
           Raw(bytes(IPv6(src=VIP6, dst=CLIENT6, hlim=63) / TCP(sport=80, dport=40000))),
           "a1"),
          (2.4, tcp6("S", hlim=1), None),
          (2.5, eth6() / IPv6(src=ROUTER6, dst=VIP6) / ICMPv6DestUnreach(code=4) /
           Raw(bytes(IPv6(src=VIP6, dst=CLIENT6) / TCP(sport=81, dport=40000))), None)],
         {"event ct-new count": 1, "vip [fd00:1::100]:80/tcp icmp-fwd": 1,
          "vip [fd00:1::100]:80/tcp pkts": 4, "drop ttl count": 1,
          "drop icmp-no-service count": 1, "drop not-vip count": 1},
         conf=CONF6),
    Case("ipv6-echo-nd", "echo to the VIP is answered; a neighbour solicitation for the VIP "
         "is answered with its MAC once DAD is over",
         [(0, dropped_v6(), DAD),
          (2, eth6() / IPv6(src=CLIENT6, dst=VIP6, hlim=64) /
           ICMPv6EchoRequest(id=7, seq=1, data=b"ping6"),
           [Ether(src=LB_MAC, dst=CLIENT_MAC) / IPv6(src=VIP6, dst=CLIENT6, hlim=64) /
            ICMPv6EchoReply(id=7, seq=1, data=b"ping6")]),
          (2.1, eth6(dst=sn_mac(VIP6)[0]) / IPv6(src="fd00::10", dst=sn_mac(VIP6)[1], hlim=255) /
           ICMPv6ND_NS(tgt=VIP6) / ICMPv6NDOptSrcLLAddr(lladdr=CLIENT_MAC),
           [Ether(src=LB_MAC, dst=CLIENT_MAC) / IPv6(src=VIP6, dst="fd00::10", hlim=255) /
            ICMPv6ND_NA(R=0, S=1, O=1, tgt=VIP6) / ICMPv6NDOptDstLLAddr(lladdr=LB_MAC)])],
         {"event icmp-echo count": 1},
         conf=CONF6),
    Case("ipv6-dad-defend", "a DAD probe from another host for the VIP is logged and "
         "defended with an advertisement to all nodes",
         [(0, dropped_v6(), DAD),
          (3, Ether(src=OTHER_MAC, dst=sn_mac(VIP6)[0]) /
           IPv6(src="::", dst=sn_mac(VIP6)[1], hlim=255) / ICMPv6ND_NS(tgt=VIP6),
           [Ether(src=LB_MAC, dst="33:33:00:00:00:01") / IPv6(src=VIP6, dst="ff02::1", hlim=255) /
            ICMPv6ND_NA(R=0, S=0, O=1, tgt=VIP6) / ICMPv6NDOptDstLLAddr(lladdr=LB_MAC)])],
         {},
         conf=CONF6,
         logs={"WARNING port 0: MAC address 02:00:00:00:99:01 probed for our IP address "
               "fd00:1::100": 1}),
]
