# SPDX-License-Identifier: BSD-3-Clause
"""Traffic fixtures for IPv6 (issue 17): forwarding by MAC rewrite, byte for
byte, through the worker's IPv6 table; echo; neighbour discovery and DAD
(lib/nd) through the daemon's slow path; fragments, as IPv4's
(fixtures_icmp.py): a datagram's later fragments follow its first.

At start dsrlb probes each IPv6 address it holds (DAD: a neighbour
solicitation from ::) and uses it a second later; the first step of each
case therefore expects those probes.
"""

from scapy.layers.inet import TCP, UDP
from scapy.layers.inet6 import (ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest,
                                ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                                ICMPv6NDOptSrcLLAddr, ICMPv6PacketTooBig, IPv6,
                                IPv6ExtHdrFragment, fragment6)
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


# --- Fragments. [VIP6]:5300/udp has two backends (a1, b1); VIP6_1 (fd00:1::101)
# has one UDP service with one backend (a1), so its later fragments can be guessed.
VIP6_1 = "fd00:1::101"
CONF6_FRAG = CONF6 + """\
vip add [fd00:1::100]:5300/udp
backend add [fd00:1::100]:5300/udp fd00::21 mac 02:00:00:00:a1:01
backend add [fd00:1::100]:5300/udp fd00::22 mac 02:00:00:00:b1:01
vip add [fd00:1::101]:53/udp
backend add [fd00:1::101]:53/udp fd00::21 mac 02:00:00:00:a1:01
"""
DAD_FRAG = DAD + [dad_probe(VIP6_1)]
# Datagrams to [VIP6]:5300 by client port, and the backend each is pinned to.
F6_FLOWS = [(6001, "a1"), (6002, "b1"), (6003, "a1"), (6004, "a1")]


def datagram6(sport, ident, size=4000, dst=VIP6, dport=5300):
    """The fragments (1448 bytes of data, 1500-byte packets) of one UDP datagram, in order."""
    pkt = IPv6(src=CLIENT6, dst=dst) / IPv6ExtHdrFragment(id=ident) / \
        UDP(sport=sport, dport=dport) / Raw(b"d" * size)
    return [eth6() / f for f in fragment6(pkt, 1500)]


def steps6(frames, t0, to, dt=0.001):
    return [(t0 + i * dt, f, to) for i, f in enumerate(frames)]


CASES += [
    Case("ipv6-frag", "an IPv6 datagram's first and later fragments all reach its flow's "
         "backend, unchanged, on both backends; an atomic fragment is a whole packet",
         [(0, dropped_v6(), DAD_FRAG)] +
         [s for i, (sp, b) in enumerate(F6_FLOWS)
          for s in steps6(datagram6(sp, 0x10000 + i), 2 + i * 0.1, b)] +
         # the flows' whole packets go to the same backends
         [(3 + i * 0.01, eth6() / IPv6(src=CLIENT6, dst=VIP6) / UDP(sport=sp, dport=5300) /
           Raw(b"q"), b) for i, (sp, b) in enumerate(F6_FLOWS)] +
         [(3.1, eth6() / IPv6(src=CLIENT6, dst=VIP6) / IPv6ExtHdrFragment(id=9, m=0) /
           UDP(sport=6001, dport=5300) / Raw(b"atomic"), F6_FLOWS[0][1])],
         {"event frag-fwd count": 12, "event frag-tracked count": 4,
          "vip [fd00:1::100]:5300/udp pkts": 17, "drop frag-no-first count": 0,
          "backend [fd00:1::100]:5300/udp fd00::21 pkts":
          sum(4 if b == "a1" else 0 for _, b in F6_FLOWS) + (1 if F6_FLOWS[0][1] == "a1" else 0),
          "total conns6": 4},
         conf=CONF6_FRAG),
    Case("ipv6-frag-later-first",
         "IPv6 later fragments before their first: dropped as frag-no-first when the VIP has "
         "two backends, sent to the only one when it has one; fragments of ICMPv6 dropped",
         [(0, dropped_v6(), DAD_FRAG),
          (2, datagram6(6001, 200)[1], None), (2.001, datagram6(6001, 200)[2], None),
          (2.002, datagram6(6001, 200)[0], F6_FLOWS[0][1]),
          (2.003, datagram6(6001, 200)[1], F6_FLOWS[0][1])] +
         steps6(datagram6(5000, 300, dst=VIP6_1, dport=53)[::-1], 3, "a1") +
         [(4, eth6() / IPv6(src=CLIENT6, dst=VIP6) / IPv6ExtHdrFragment(id=5, m=1) /
           ICMPv6EchoRequest(data=b"x" * 16), None)],
         {"drop frag-no-first count": 2, "event frag-guessed count": 2,
          "event frag-fwd count": 5, "event frag-tracked count": 2,
          "drop fragment count": 1},
         conf=CONF6_FRAG),
    Case("ipv6-frag-expiry", "an IPv6 fragment table entry lives `timeout frag` seconds",
         [(0, dropped_v6(), DAD_FRAG),
          (2, datagram6(6002, 400)[0], F6_FLOWS[1][1]),
          (3.9, datagram6(6002, 400)[1], F6_FLOWS[1][1]),
          (4.1, datagram6(6002, 400)[2], None)],
         {"event frag-expired count": 1, "drop frag-no-first count": 1,
          "event frag-fwd count": 2},
         conf=CONF6_FRAG),
]
