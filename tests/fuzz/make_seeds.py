#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpora of the fuzz targets: tests/fuzz/corpus/<target>/.

    tests/fuzz/make_seeds.py [OUTDIR]     (default: the corpus/ next to this file)

Each seed is a small, meaningful input in the format its target reads (see
the comment at the top of tests/fuzz/fuzz_<target>.c): real frames made
with scapy for fwd, arp, pkt6 and nd, config and control lines for cmd and ctl. The
output is deterministic; re-running it rewrites the same files (and
removes none: seeds added by hand or from fuzzing stay).
"""
import os
import socket
import struct
import sys

from scapy.layers.inet import ICMP, IP, TCP, UDP, fragment
from scapy.layers.inet6 import (ICMPv6EchoRequest, ICMPv6PacketTooBig, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA,
                                ICMPv6ND_Redirect, ICMPv6ND_RS, ICMPv6NDOptDstLLAddr,
                                ICMPv6NDOptSrcLLAddr, IPv6, IPv6ExtHdrDestOpt,
                                IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                                IPv6ExtHdrSegmentRouting, fragment6)
from scapy.layers.ipsec import AH, ESP
from scapy.layers.l2 import ARP, Dot1Q, Ether

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
ROOT = os.path.dirname(os.path.dirname(HERE))

# The fuzz targets' fixed setup (fuzz_fwd.c, fuzz_arp.c, fuzz_nd.c).
PMAC = ["02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03"]
BCAST = "ff:ff:ff:ff:ff:ff"
CLIENT_MAC = "02:00:00:00:0c:01"
CLIENT = "198.51.100.7"
VIP = "10.0.0.100"


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- fwd: [clock u16] then [flags u8][dt u8][len u16 LE][frame] records ---

END = 0x04      # the burst ends after this frame
SWITCH = 0x08   # switch generation at the next burst
SWEEP = 0x10    # sweep (and flush if dt bit 7) after the burst


def rec(frame, port=0, flags=END, dt=0, shift=0):
    b = bytes(frame)
    return struct.pack("<BBH", (flags & 0x1C) | port | (shift << 5), dt, len(b)) + b


def fwd_seed(name, *recs, clock=0):
    write("fwd", name, struct.pack("<H", clock) + b"".join(recs))


def tcp(tf, sport=40000, dport=80, dst=VIP, port=0, vlan=None, payload=b"", ttl=64, seq=0, **ip):
    e = Ether(src=CLIENT_MAC, dst=PMAC[port])
    if vlan is not None:
        e = e / Dot1Q(vlan=vlan)
    return e / IP(src=CLIENT, dst=dst, ttl=ttl, **ip) / TCP(sport=sport, dport=dport,
                                                            flags=tf, seq=seq) / payload


def udp(sport=5353, dport=53, dst=VIP, port=0, payload=b"q"):
    return (Ether(src=CLIENT_MAC, dst=PMAC[port]) / IP(src=CLIENT, dst=dst) /
            UDP(sport=sport, dport=dport) / payload)


def arp_req(tpa, port=0, spa="10.0.0.50", hw=CLIENT_MAC, dst=BCAST, vlan=None, op=1,
            tha="00:00:00:00:00:00"):
    e = Ether(src=hw, dst=dst)
    if vlan is not None:
        e = e / Dot1Q(vlan=vlan)
    return e / ARP(op=op, hwsrc=hw, psrc=spa, hwdst=tha, pdst=tpa)


def fwd_seeds():
    fwd_seed("tcp-syn-vip", rec(tcp("S")))
    fwd_seed("tcp-flow", rec(tcp("S")), rec(tcp("A"), dt=10), rec(tcp("PA", payload=b"GET /"), dt=1),
             rec(tcp("FA"), dt=5), rec(tcp("A"), dt=1))
    fwd_seed("tcp-rst", rec(tcp("S")), rec(tcp("R"), dt=3), rec(tcp("A"), dt=3))
    # Blind RSTs far from the flow's numbers keep the entry; the client's own RST removes it.
    fwd_seed("tcp-rst-window", rec(tcp("S", seq=0xFFFF0000)),
             rec(tcp("PA", seq=0xFFFF0001, payload=b"x" * 1000), dt=1),
             rec(tcp("R", seq=0x7FFF0000), dt=1), rec(tcp("RA", seq=0xFFE00000), dt=1),
             rec(tcp("A", seq=0x00080000), dt=1), rec(tcp("A", seq=0xFFFF03E9), dt=1),
             rec(tcp("R", seq=0xFFFF03E9), dt=1))
    fwd_seed("tcp-port-reuse", rec(tcp("S")), rec(tcp("F"), dt=1), rec(tcp("S"), dt=1))
    fwd_seed("udp-dns", rec(udp()), rec(udp(), dt=200, shift=1))
    fwd_seed("vlan-syn", rec(tcp("S", vlan=42)))
    fwd_seed("arp-request", rec(arp_req("10.0.0.2")))
    fwd_seed("not-our-mac", rec(tcp("S", port=1), port=0))
    fwd_seed("not-vip", rec(tcp("S", dport=81)), rec(udp(dport=54), dt=1))
    fwd_seed("no-backend", rec(tcp("S", dst="192.168.1.100", dport=443, port=1), port=1),
             rec(udp(dst="10.0.0.101", dport=8080), dt=1))
    fwd_seed("malformed", rec(bytes(tcp("S"))[:30]), rec(bytes(tcp("S"))[:10]),
             rec(tcp("S", ttl=1)), rec(tcp("S", flags="MF")), rec(tcp("S", frag=10)),
             rec(Ether(src=CLIENT_MAC, dst=PMAC[0]) / IP(src=CLIENT, dst=VIP) / ICMP()),
             rec(bytes(Ether(src=CLIENT_MAC, dst=PMAC[0], type=0x86DD)) + b"\x60" + b"\0" * 39),
             rec(bytes(Ether(src=CLIENT_MAC, dst=PMAC[0]) / IP(src=CLIENT, dst=VIP, ihl=4) /
                       TCP(dport=80))))
    # ICMP errors quoting a VIP's flow (one with an entry), echo, fragments.
    quote = bytes(IP(src=VIP, dst=CLIENT) / TCP(sport=80, dport=40000))[:28]
    fwd_seed("icmp", rec(tcp("S")),
             rec(Ether(src=CLIENT_MAC, dst=PMAC[0]) / IP(src="192.0.2.1", dst=VIP) /
                 ICMP(type=3, code=4, nexthopmtu=1280) / quote, dt=1),
             rec(Ether(src=CLIENT_MAC, dst=PMAC[0]) / IP(src="192.0.2.1", dst=VIP) /
                 ICMP(type=11) / quote[:24], dt=1),
             rec(Ether(src=CLIENT_MAC, dst=PMAC[0]) / IP(src=CLIENT, dst=VIP) / ICMP(type=8) /
                 b"ping", dt=1))
    big = IP(src=CLIENT, dst=VIP, id=7) / UDP(sport=5353, dport=53) / (b"d" * 3000)
    frags = [Ether(src=CLIENT_MAC, dst=PMAC[0]) / f for f in fragment(big, fragsize=1480)]
    fwd_seed("fragments", *[rec(f, dt=1) for f in frags[1:] + frags[:1] + frags[1:]])
    # IPv6: a flow to [fd00:1::100]:80 with its RST, packet too big, echo, a solicitation.
    def e6():
        return Ether(src=CLIENT_MAC, dst=PMAC[0])
    v6 = "fd00:1::100"
    c6 = "2001:db8::7"
    fwd_seed("ipv6", rec(e6() / IPv6(src=c6, dst=v6) / TCP(sport=40000, dport=80, flags="S")),
             rec(e6() / IPv6(src=c6, dst=v6) / TCP(sport=40000, dport=80, flags="A", seq=1),
                 dt=1),
             rec(e6() / IPv6(src="2001:db8::1", dst=v6) / ICMPv6PacketTooBig(mtu=1280) /
                 bytes(IPv6(src=v6, dst=c6) / TCP(sport=80, dport=40000)), dt=1),
             rec(e6() / IPv6(src=c6, dst=v6) / IPv6ExtHdrDestOpt() /
                 TCP(sport=40001, dport=80, flags="S"), dt=1),
             rec(e6() / IPv6(src=c6, dst=v6) / ICMPv6EchoRequest(), dt=1),
             rec(Ether(src=CLIENT_MAC, dst="33:33:ff:00:01:00") /
                 IPv6(src="fd00::10", dst="ff02::1:ff00:100", hlim=255) / ICMPv6ND_NS(tgt=v6),
                 dt=1),
             rec(e6() / IPv6(src=c6, dst=v6) / TCP(sport=40000, dport=80, flags="R", seq=1),
                 dt=1))
    # IPv6 fragments: a UDP datagram to [fd00:1::100]:53 (one backend) later fragments
    # first, then in order; a TCP segment to :80 (two backends); fragmented ICMPv6; the
    # later fragments again once their entries expired.
    big6 = IPv6(src=c6, dst=v6) / IPv6ExtHdrFragment(id=0x10203) / UDP(sport=5353, dport=53) / \
        (b"d" * 3000)
    fr6 = [e6() / f for f in fragment6(big6, 1280)]
    seg6 = IPv6(src=c6, dst=v6) / IPv6ExtHdrFragment(id=0x80000001) / \
        TCP(sport=40002, dport=80, flags="PA") / (b"t" * 2000)
    sf6 = [e6() / f for f in fragment6(seg6, 1280)]
    fwd_seed("ipv6-fragments", *[rec(f, dt=1) for f in fr6[1:] + fr6 + sf6[1:] + sf6],
             rec(e6() / IPv6(src=c6, dst=v6) / IPv6ExtHdrFragment(m=1, id=6) /
                 ICMPv6EchoRequest(data=b"x" * 8), dt=1),
             *[rec(f, dt=255, shift=2) for f in fr6[1:] + sf6[1:]])
    fwd_seed("bad-port", rec(tcp("S"), port=3), rec(tcp("S", port=2), port=2, dt=1))
    # A burst of eight, the same flow twice: classify all, then decide each.
    burst = [rec(tcp("S", sport=41000 + i), flags=0, dt=0) for i in range(6)]
    burst += [rec(tcp("A", sport=41000), flags=0), rec(udp(sport=6000), flags=END)]
    fwd_seed("burst", *burst)
    # Flows under A, then B: 10.0.0.22 removed (stale entries), strict-syn, 10.0.0.23 loses its MAC.
    flows = [rec(tcp("S", sport=42000 + i), dt=1) for i in range(6)]
    fwd_seed("gen-switch", *flows, rec(tcp("A", sport=42000), flags=END | SWITCH),
             *[rec(tcp("A", sport=42000 + i), dt=1) for i in range(6)],
             rec(tcp("A", sport=43000), dt=1),
             rec(tcp("S", dst="192.168.1.100", dport=443, port=1), port=1, flags=END | SWITCH))
    # More flows than the table (8 entries) holds.
    fwd_seed("ct-full", *[rec(tcp("S", sport=44000 + i)) for i in range(12)])
    # Time passes beyond the timeouts: expiry, then a mid-flow entry.
    fwd_seed("timeouts", rec(tcp("S")), rec(tcp("A"), dt=255, shift=2),
             rec(udp(), dt=100), rec(udp(), dt=255, shift=2), clock=0xFFFF)
    fwd_seed("sweep-flush", rec(tcp("S")), rec(udp(), flags=END | SWEEP, dt=0x80 | 3),
             rec(tcp("S", sport=1234)), rec(tcp("A"), flags=END | SWEEP, dt=0x80 | 0),
             rec(tcp("A", sport=1234), dt=255, shift=3, flags=END | SWEEP))


# --- arp: [clock u16] then [op][args] operations ---

def arp_frame(frame, port=0, dt=0, shift=0):
    b = bytes(frame)
    assert len(b) < 256
    return bytes([0 | (port << 3) | (shift << 5), dt, len(b)]) + b


def arp_tick(dt, shift=0):
    return bytes([4 | (shift << 5)]) + struct.pack("<H", dt)


def arp_conf(b=False, params=False):
    return bytes([0x85 | (0x08 if b else 0) | (0x10 if params else 0)])


def arp_seed(name, *ops, clock=0):
    write("arp", name, struct.pack("<H", clock) + b"".join(ops))


def arp_seeds():
    arp_seed("request-port-address", arp_frame(arp_req("10.0.0.2")))
    arp_seed("request-vip-vlan", arp_frame(arp_req("10.0.0.100", vlan=7)))
    arp_seed("request-vip-port1", arp_frame(arp_req("164.152.77.34", port=1, spa="192.168.1.9"),
                                            port=1))
    arp_seed("request-not-ours", arp_frame(arp_req("10.0.0.77")),
             arp_frame(arp_req("10.0.0.2", dst="01:00:5e:00:00:01")))
    arp_seed("announce", arp_tick(0), arp_tick(100), arp_tick(100), arp_tick(1000))
    # Resolution: the request for 10.0.0.21 goes out at the first tick; its reply is learned.
    reply = arp_req("10.0.0.2", spa="10.0.0.21", hw="02:00:00:00:00:21", dst=PMAC[0], op=2,
                    tha=PMAC[0])
    arp_seed("resolve-learn", arp_tick(1), arp_frame(reply, dt=5), arp_tick(200, 1),
             arp_tick(60), arp_frame(reply, dt=1))
    arp_seed("resolve-fail", arp_tick(1), arp_tick(60), arp_tick(60), arp_tick(60),
             arp_tick(2000), arp_frame(reply, dt=1))
    arp_seed("unsolicited-reply", arp_frame(reply))
    arp_seed("conflict-using", arp_frame(arp_req("10.0.0.1", spa="10.0.0.2", hw="00:13:d4:59:7a:da")),
             arp_frame(arp_req("10.0.0.100", spa="10.0.0.100", hw="00:13:d4:59:7a:da")),
             arp_tick(255, 3), arp_frame(arp_req("10.0.0.2", spa="10.0.0.2", hw="00:13:d4:59:7a:da")))
    arp_seed("conflict-probe", arp_frame(arp_req("10.0.0.2", spa="0.0.0.0", hw="1c:c1:de:b4:76:60")),
             arp_frame(arp_req("10.0.0.100", spa="0.0.0.0", hw="1c:c1:de:b4:76:60", vlan=9)))
    probes = [arp_frame(arp_req(ip, spa="0.0.0.0", hw="02:00:00:00:0e:%02x" % i))
              for i, ip in enumerate(["10.0.0.2", "10.0.0.100", "164.152.77.34"] * 2)]
    arp_seed("conflict-table-full", *probes, arp_conf(params=True))
    arp_seed("reconfigure", arp_tick(1), arp_frame(reply, dt=1), arp_conf(b=True), arp_tick(10),
             arp_conf(b=False, params=True), arp_tick(10))
    good = bytes(arp_req("10.0.0.2"))
    arp_seed("malformed", arp_frame(good[:20]), arp_frame(good[:41]),
             arp_frame(good[:14] + b"\x00\x06" + good[16:]),       # htype
             arp_frame(good[:16] + b"\x86\xdd" + good[18:]),       # ptype
             arp_frame(good[:18] + b"\x08" + good[19:]),           # hlen
             arp_frame(good[:19] + b"\x10" + good[20:]),           # plen
             arp_frame(good[:20] + b"\x00\x03" + good[22:]),       # op
             arp_frame(arp_req("10.0.0.2", hw="01:00:00:00:00:01")),
             arp_frame(arp_req("10.0.0.2", hw="00:00:00:00:00:00")),
             arp_frame(good[:12] + b"\x81\x00"),
             arp_frame(Ether(src=CLIENT_MAC, dst=PMAC[0]) / IP(dst="10.0.0.2")))
    arp_seed("own-mac", arp_frame(arp_req("10.0.0.2", hw=PMAC[1])))
    arp_seed("other-port", arp_frame(arp_req("10.0.0.2"), port=3))
    # Replies to our requests (op 7): [dt][sha index | spa index << 4]; 10.0.0.21 (ip 5)
    # from its own MAC (mac 5), then, at the refresh (900 ms), from another (mac 10):
    # believed only once 02:00:00:00:00:21 stops answering the unicast requests.
    real, spoof = bytes([7, 1, 0x55]), bytes([7, 1, 0x5a])
    arp_seed("contradicting-reply", arp_tick(1), real, arp_tick(912), spoof, spoof, real,
             arp_tick(912), spoof, arp_tick(50), arp_tick(50), arp_tick(50), spoof, arp_tick(10))
    # Structured frames (op 6): [dt][b0: sha | dst << 4][spa][tha][tpa | reply 0x40 | tag 0x80]
    arp_seed("structured", bytes([6, 0, 0x35, 5, 0, 0x40]), bytes([4, 1, 0]),
             bytes([6, 1, 0x07, 10, 4, 0]), bytes([6, 1, 0x07, 0, 4, 0x80]))


# --- pkt6: one frame ---

CLIENT6 = "2001:db8::a"
VIP6 = "fd00:1::100"


def pkt6_seed(name, frame):
    write("pkt6", name, bytes(frame))


def v6(*layers, vlan=None, hlim=64, src=CLIENT6, dst=VIP6):
    p = Ether(src=CLIENT_MAC, dst=PMAC[0])
    if vlan is not None:
        p = p / Dot1Q(vlan=vlan)
    p = p / IPv6(src=src, dst=dst, hlim=hlim)
    for l in layers:
        p = p / l
    return p


def pkt6_seeds():
    syn = TCP(sport=40000, dport=80, flags="S")
    pkt6_seed("tcp-syn", v6(syn))
    pkt6_seed("tcp-data-vlan", v6(TCP(sport=40000, dport=80, flags="PA") / b"GET /", vlan=42))
    pkt6_seed("udp-dns", v6(UDP(sport=5353, dport=53) / b"q"))
    pkt6_seed("padding", bytes(v6(UDP(sport=5353, dport=53))) + b"\0" * 10)
    pkt6_seed("icmpv6-echo", v6(ICMPv6EchoRequest(data=b"ping")))
    pkt6_seed("ns-hbh", v6(IPv6ExtHdrHopByHop(), ICMPv6ND_NS(tgt=VIP6), hlim=255,
                           src="::", dst="ff02::1:ff00:100"))
    pkt6_seed("hbh-tcp", v6(IPv6ExtHdrHopByHop(), syn))
    pkt6_seed("dstopt-tcp", v6(IPv6ExtHdrDestOpt(), syn))
    pkt6_seed("routing-done", v6(IPv6ExtHdrRouting(addresses=[VIP6], segleft=0), syn))
    pkt6_seed("routing-left", v6(IPv6ExtHdrRouting(addresses=[VIP6], segleft=1), syn))
    pkt6_seed("srh", v6(IPv6ExtHdrSegmentRouting(addresses=[VIP6], segleft=0), syn))
    pkt6_seed("chain", v6(IPv6ExtHdrHopByHop(), IPv6ExtHdrDestOpt(),
                          IPv6ExtHdrRouting(addresses=[VIP6], segleft=0), IPv6ExtHdrDestOpt(),
                          UDP(sport=5353, dport=53) / b"q", vlan=7))
    pkt6_seed("chain-9", v6(*([IPv6ExtHdrDestOpt()] * 9), syn))
    pkt6_seed("hbh-not-first", v6(IPv6ExtHdrDestOpt(), IPv6ExtHdrHopByHop(), syn))
    pkt6_seed("atomic-fragment", v6(IPv6ExtHdrFragment(id=5), UDP(sport=5353, dport=53)))
    big = IPv6(src=CLIENT6, dst=VIP6) / IPv6ExtHdrFragment(id=0x1234) / \
        UDP(sport=5353, dport=53) / (b"d" * 3000)
    for i, f in enumerate(fragment6(big, 1280)):
        pkt6_seed("fragment-%d" % i, Ether(src=CLIENT_MAC, dst=PMAC[0]) / f)
    pkt6_seed("fragment-icmpv6", v6(IPv6ExtHdrFragment(m=1, id=6), ICMPv6EchoRequest(data=b"x" * 8)))
    pkt6_seed("two-fragment-headers", v6(IPv6ExtHdrFragment(m=1, id=1), IPv6ExtHdrFragment(id=2), syn))
    pkt6_seed("esp", v6(ESP(spi=1, seq=1) / (b"\0" * 16)))
    pkt6_seed("ah", v6(AH(spi=1, seq=1, nh=6, payloadlen=4) / (b"\0" * 12) / syn))
    pkt6_seed("no-next-header", v6(IPv6ExtHdrDestOpt(nh=59)))
    pkt6_seed("hop-limit-1", v6(syn, hlim=1))
    good = bytes(v6(IPv6ExtHdrHopByHop(), syn))
    pkt6_seed("truncated-header", good[:40])
    pkt6_seed("truncated-frame", good[:60])
    pkt6_seed("payload-length", good[:-1])
    pkt6_seed("version-4", good[:14] + b"\x40" + good[15:])
    pkt6_seed("ipv4", tcp("S"))
    pkt6_seed("arp", arp_req("10.0.0.2"))


# --- cmd: text ---

# --- nd: [clock u16] then [op][args] operations, as arp (fuzz_nd.c) ---

OTHER_MAC = "00:13:d4:59:7a:da"
PROBER_MAC = "1c:c1:de:b4:76:60"
BK21_MAC = "02:00:00:00:00:21"


def solicited(ip):
    b = socket.inet_pton(socket.AF_INET6, ip)
    return socket.inet_ntop(socket.AF_INET6, bytes.fromhex("ff0200000000000000000001ff") + b[13:])


def sn_mac(ip):
    b = socket.inet_pton(socket.AF_INET6, solicited(ip))
    return "33:33:" + ":".join("%02x" % x for x in b[12:])


def nd_ns(tgt, src="fd00::50", hw=CLIENT_MAC, dst=None, edst=None, vlan=None, opt=True, hlim=255):
    dst = dst or solicited(tgt)
    edst = edst or sn_mac(tgt)
    e = Ether(src=hw, dst=edst)
    if vlan is not None:
        e = e / Dot1Q(vlan=vlan)
    f = e / IPv6(src=src, dst=dst, hlim=hlim) / ICMPv6ND_NS(tgt=tgt)
    if opt and src != "::":
        f = f / ICMPv6NDOptSrcLLAddr(lladdr=hw)
    return f


def nd_na(tgt, src=None, hw=OTHER_MAC, dst="ff02::1", edst="33:33:00:00:00:01", S=0, opt=True):
    f = (Ether(src=hw, dst=edst) / IPv6(src=src or tgt, dst=dst, hlim=255) /
         ICMPv6ND_NA(tgt=tgt, R=0, S=S, O=1))
    if opt:
        f = f / ICMPv6NDOptDstLLAddr(lladdr=hw)
    return f


def nd_seed(name, *ops, clock=0):
    write("nd", name, struct.pack("<H", clock) + b"".join(ops))


def nd_answer(port=0, mac_i=5, tgt_i=4, dt=0):
    return bytes([7 | (port << 3), dt, (tgt_i << 4) | mac_i])


def nd_seeds():
    dad = [arp_tick(0), arp_tick(100), arp_tick(1)]  # DAD probes, then in use (A: 100 ms)
    nd_seed("ns-port-address", *dad, arp_frame(nd_ns("fd00::2")))
    nd_seed("ns-vip-vlan-port1", *dad, arp_frame(nd_ns("fd00:100::100", src="fd00:1::9", vlan=7),
                                                 port=1))
    nd_seed("ns-unicast", *dad, arp_frame(nd_ns("fd00::100", dst="fd00::100", edst=PMAC[0],
                                                opt=False)))
    nd_seed("ns-tentative", arp_tick(0), arp_frame(nd_ns("fd00::2")))
    nd_seed("ns-not-ours", *dad, arp_frame(nd_ns("fd00::77")),
            arp_frame(nd_ns("fd00::100"), port=1))
    nd_seed("announce", *dad, arp_tick(100), arp_tick(100), arp_tick(1000))
    nd_seed("dad-conflict", arp_tick(0), arp_frame(nd_na("fd00::2")),
            arp_frame(nd_ns("fd00::100", src="::", hw=PROBER_MAC)), arp_tick(100), arp_tick(1))
    nd_seed("conflict-probe", *dad, arp_frame(nd_ns("fd00::2", src="::", hw=PROBER_MAC)),
            arp_frame(nd_ns("fd00:100::100", src="::", hw=PROBER_MAC, vlan=9)),
            *[arp_frame(nd_ns("fd00::2", src="::", hw=PROBER_MAC)) for _ in range(10)])
    nd_seed("conflict-using", *dad, arp_frame(nd_na("fd00:100::100")),
            arp_frame(nd_ns("fd00::100", src="fd00::2", hw=OTHER_MAC)), arp_tick(255, 3),
            arp_frame(nd_na("fd00:100::100")))
    probes = [arp_frame(nd_ns(ip, src="::", hw="02:00:00:00:0e:%02x" % i))
              for i, ip in enumerate(["fd00::2", "fd00::100", "fd00:100::100"] * 2)]
    nd_seed("conflict-table-full", *dad, *probes, arp_conf(params=True))
    answer = nd_na("fd00::21", hw=BK21_MAC, dst="fd00::2", edst=PMAC[0], S=1)
    nd_seed("resolve-learn", *dad, arp_tick(1), arp_frame(answer, dt=5), nd_answer(),
            arp_tick(200, 1), arp_tick(60), arp_frame(answer, dt=1))
    nd_seed("resolve-fail", *dad, arp_tick(60), arp_tick(60), arp_tick(60), arp_tick(2000),
            nd_answer(dt=1))
    nd_seed("claim", *dad, nd_answer(), nd_answer(mac_i=7), arp_tick(960), nd_answer(mac_i=7),
            arp_tick(50), arp_tick(50), arp_tick(50), nd_answer(mac_i=7))
    nd_seed("unsolicited-na", *dad, arp_frame(nd_na("fd00::21", hw=BK21_MAC)))
    nd_seed("reconfigure", *dad, nd_answer(), arp_conf(b=True), arp_tick(10), arp_tick(100),
            arp_conf(b=False, params=True), arp_tick(10), arp_tick(40))
    good = bytes(nd_ns("fd00::2"))
    nd_seed("malformed", *dad, arp_frame(good[:60]), arp_frame(good[:14] + b"\x40" + good[15:]),
            arp_frame(nd_ns("fd00::2", hlim=64)),
            arp_frame(good[:56] + b"\x00\x00" + good[58:]),                 # checksum
            arp_frame(nd_ns("fd00::2", src="::", dst="fd00::2", edst=PMAC[0])),
            arp_frame(nd_ns("fd00::2", hw="01:00:00:00:00:01")),
            arp_frame(nd_na("fd00::2", src="::", hw=OTHER_MAC)),
            arp_frame(nd_na("fd00::2", S=1)),
            arp_frame(nd_ns("fd00::2", edst="33:33:00:00:00:01")),
            arp_frame(good[:12] + b"\x81\x00"))
    e = Ether(src=CLIENT_MAC, dst="33:33:00:00:00:02")
    nd_seed("other-types", arp_frame(e / IPv6(src="fe80::1", dst="ff02::2", hlim=255) / ICMPv6ND_RS()),
            arp_frame(e / IPv6(src="fe80::1", dst="ff02::1", hlim=255) / ICMPv6ND_RA()),
            arp_frame(Ether(src=CLIENT_MAC, dst=PMAC[0]) / IPv6(src="fe80::1", dst="fd00::2",
                                                                hlim=255) /
                      ICMPv6ND_Redirect(tgt="fe80::2", dst="fd00::9")),
            arp_frame(Ether(src=CLIENT_MAC, dst=PMAC[0]) / IPv6(src="fd00::50", dst="fd00::2") /
                      ICMPv6EchoRequest()))
    nd_seed("own-mac", *dad, arp_frame(nd_ns("fd00::2", hw=PMAC[1])),
            arp_frame(nd_na("fd00::2", hw=PMAC[0])))


def cmd_seeds():
    with open(os.path.join(ROOT, "config", "dsrlb.conf"), "rb") as f:
        conf = f.read()
    write("cmd", "dsrlb.conf", conf)
    lines = [l for l in conf.split(b"\n") if l.strip() and not l.startswith(b"#")]
    for i, l in enumerate(lines):
        write("cmd", "conf-line-%02d" % i, l)
    small = b"\n".join([
        b"maglev size 251", b"port 0 address 10.0.0.2/24", b"port 1 address 192.168.1.2/24",
        b"vip add 10.0.0.100:80/tcp", b"vip add 192.168.1.100:53/udp",
        b"backend add 10.0.0.100:80/tcp 10.0.0.21 weight 10",
        b"backend add 10.0.0.100:80/tcp 10.0.0.22 mac 02:00:00:00:b1:02 weight 0",
        b"backend add 10.0.0.100:80/tcp 10.0.0.23",
        b"backend add 192.168.1.100:53/udp 192.168.1.50 mac 02:00:00:00:c1:50",
        b"backend set 10.0.0.100:80/tcp 10.0.0.22 weight 5",
        b"backend del 10.0.0.100:80/tcp 10.0.0.23", b"vip del 192.168.1.100:53/udp",
        b"arp announce 3 interval 5", b"arp refresh 30", b"strict-syn on", b""])
    write("cmd", "small-config", small)
    runtime = [b"show vips", b"show backends 10.0.0.100:80/tcp", b"show conns limit 20",
               b"show conns 10.0.0.100:80/tcp limit 5", b"conns flush", b"conns flush 10.0.0.100:53/udp",
               b"show timeouts", b"show stats", b"show stats drops --prometheus", b"show arp",
               b"show conflicts", b"show ports", b"show workers", b"show config", b"help",
               b"help backend add", b"show stats --prometheus vips\r\n"]
    write("cmd", "runtime", b"\n".join(runtime))
    bad = [b"vip add 10.0.0.300:80/tcp", b"vip frob", b"backend add 10.0.0.100:80/sctp 10.0.0.1",
           b"port 40 address 10.0.0.2/24", b"port 0 address 10.0.0.0/24", b"maglev size 65536",
           b"conntrack size 12", b"timeout set tcp 0", b"backend add 10.0.0.100:80/tcp 10.0.0.21 mac zz",
           b"backend add 10.0.0.100:80/tcp 224.0.0.1", b"vip add 10.0.0.100:80/tcp # dup",
           b"vip add 10.0.0.100:80/tcp", b"strict-syn maybe", b"help " + b"x" * 70,
           b"show stats vips drops", b"show conns limit 0", b"vip add 10.0.0.100:80/tcp\x00junk",
           b"\tvip\tadd  10.0.0.101:81/udp   # tabs", b"vip add \xc3\xa9"]
    write("cmd", "errors", b"\n".join(bad))
    write("cmd", "ipv6", b"\n".join([
        b"port 0 address 10.0.0.2/24", b"port 0 address fd00::2/64",
        b"vip add [fd00:1::100]:80/tcp", b"vip add 10.0.0.100:80/tcp",
        b"backend add [fd00:1::100]:80/tcp fd00::21",
        b"backend add [fd00:1::100]:80/tcp 2001:db8::5 mac 02:00:00:00:b1:05 weight 7",
        b"backend add [fd00:1::100]:80/tcp 10.0.0.21", b"vip add fd00::1:80/tcp",
        b"backend set [fd00:1::100]:80/tcp fd00::21 weight 0",
        b"check set [fd00:1::100]:80/tcp dsr", b"vip del [fd00:1::100]:80/tcp", b""]))
    write("cmd", "nul-byte", b"show vips\x00")
    write("cmd", "long-line", b"help " + b"a" * 4100)


# --- ctl: [mode] then [size][bytes] pieces ---

def pieces(*chunks):
    out = b""
    for c in chunks:
        while len(c) > 0x7F:
            n = min(len(c) // 64, 0x7F)
            out += bytes([0x80 | n]) + c[:n * 64]
            c = c[n * 64:]
        out += bytes([len(c)]) + c
    return out


def ctl_seed(name, *chunks, mode=0):
    write("ctl", name, bytes([mode]) + pieces(*chunks))


def ctl_seeds():
    ctl_seed("echo", b"echo hello\n")
    ctl_seed("json", b"json echo hello\n", b"json fail here\n", b"json m1\n")
    ctl_seed("fail", b"fail\n", b"fail with a reason\n")
    ctl_seed("more", b"m\n", b"mm\n", b"mmm\n", b"json mmmm\n")
    ctl_seed("big", b"b\n", b"echo after\n")
    ctl_seed("text", b"t free text\n")
    ctl_seed("blank-comment", b"\n", b"   \n", b"# comment\n", b"\t# c\r\n", b"json\n", b"json # x\n")
    ctl_seed("crlf-split", b"ec", b"ho a", b"\r", b"\n", b"echo b\r\n")
    ctl_seed("bad-bytes", b"echo \x01\n", b"json echo \xff\n", b"echo ok\n", b"e\x00\n")
    ctl_seed("too-long", b"echo " + b"x" * 4200 + b"\n", b"echo after\n")
    ctl_seed("too-long-json", b"json " + b"y" * 4095 + b"\r\n", b"echo after\n")
    ctl_seed("no-final-newline", b"echo last")
    ctl_seed("pipelined", b"echo 1\necho 2\nfail 3\nmm\nb\necho 4\n")
    ctl_seed("hangup-mid-reply", b"b\n", b"mmm\n", mode=1)
    ctl_seed("read-only", b"echo ro\n", mode=2)


if __name__ == "__main__":
    fwd_seeds()
    arp_seeds()
    pkt6_seeds()
    nd_seeds()
    cmd_seeds()
    ctl_seeds()
