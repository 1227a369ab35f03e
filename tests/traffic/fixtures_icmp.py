# SPDX-License-Identifier: BSD-3-Clause
"""Traffic fixtures for ICMP and IPv4 fragments (issue 16).

ICMP errors to a VIP go, unchanged, to the backend of the flow they
quote: its entry's, else the Maglev choice; they never make or touch an
entry. Echo requests to a VIP or the port's address get a reply from
dsrlb, paced by `icmp rate`. A datagram's fragments all reach the backend
its first fragment went to; later fragments without a first one go to the
address's only backend, or are dropped as frag-no-first.
"""

from scapy.all import IP, TCP, UDP, ICMP, Ether, Raw, fragment

from fixtures import (BASE_CONF, B_FLOWS, CLIENT_MAC, LB_MAC, VIP_A, VIP_B, VIP_E, VIP_U, Case,
                      conn, eth, tcp)

ROUTER = "192.0.2.1"  # a router on the way back to the client
CLIENT = "192.0.2.10"
VIP_F = "10.0.0.104"  # :5300/udp, two backends (e1, b3)
FRAG_CONF = BASE_CONF + """\
vip add 10.0.0.104:5300/udp
backend add 10.0.0.104:5300/udp 10.0.0.51 mac 02:00:00:00:e1:01
backend add 10.0.0.104:5300/udp 10.0.0.52 mac 02:00:00:00:b3:03
"""
# Datagrams to VIP_F by client port, and the backend each is pinned to.
F_FLOWS = [(6001, "e1"), (6002, "e1"), (6003, "b3"), (6004, "e1")]


def frag_needed(vip, vport, cport, proto=TCP, client=CLIENT, mtu=1280, quote_len=28, src=ROUTER):
    """A router's "fragmentation needed" to vip about a packet vip:vport -> client:cport."""
    inner = IP(src=vip, dst=client, ttl=63) / proto(sport=vport, dport=cport)
    return eth() / IP(src=src, dst=vip) / ICMP(type=3, code=4, nexthopmtu=mtu) / \
        Raw(bytes(inner)[:quote_len])


def echo(dst, id_=0x4242, seq=1, src=CLIENT, payload=b"ping payload 0123456789"):
    return eth() / IP(src=src, dst=dst, id=77) / ICMP(type=8, id=id_, seq=seq) / Raw(payload)


def echo_reply(frm, id_=0x4242, seq=1, to=CLIENT, payload=b"ping payload 0123456789"):
    return Ether(src=LB_MAC, dst=CLIENT_MAC) / IP(src=frm, dst=to, id=77, ttl=64) / \
        ICMP(type=0, id=id_, seq=seq) / Raw(payload)


def datagram(sport, ident, size=4000, dst=VIP_F, dport=5300, src="192.0.2.20"):
    """The fragments (1480 bytes of data each) of one UDP datagram, in order."""
    pkt = IP(src=src, dst=dst, id=ident) / UDP(sport=sport, dport=dport) / Raw(b"d" * size)
    return [eth() / f for f in fragment(pkt, fragsize=1480)]


def first_frag(sport, ident, dst=VIP_F, dport=5300, src="192.0.2.20"):
    """A first fragment alone: MF, offset 0, the UDP header of a 4000-byte datagram."""
    return eth() / IP(src=src, dst=dst, id=ident, flags="MF") / \
        UDP(sport=sport, dport=dport, len=4008, chksum=0x1111) / Raw(b"f" * 64)


def flood_frags(n, ports):
    """n first fragments from ports[i % len(ports)] with IP id i: a template patched
    (scapy builds 13000 packets slowly)."""
    t = bytearray(bytes(first_frag(ports[0], 0)))
    out = []
    for i in range(n):
        t[18:20] = (i & 0xffff).to_bytes(2, "big")
        t[34:36] = ports[i % len(ports)].to_bytes(2, "big")
        t[24:26] = b"\0\0"
        c = sum(int.from_bytes(t[k:k + 2], "big") for k in range(14, 34, 2))
        c = (c & 0xffff) + (c >> 16)
        c = (c & 0xffff) + (c >> 16)
        t[24:26] = (~c & 0xffff).to_bytes(2, "big")
        out.append(Raw(bytes(t)))
    return out


# Client ports of the flood (192.0.2.20:7000-7049 to VIP_F) that Maglev gives to e1.
FLOOD_E1 = {7001, 7002, 7003, 7005, 7007, 7008, 7010, 7014, 7015, 7018, 7020, 7022, 7025, 7029,
            7030, 7031, 7034, 7035, 7037, 7039, 7040, 7041, 7044, 7045}


def steps(frames, t0, to, dt=0.001):
    return [(t0 + i * dt, f, to) for i, f in enumerate(frames)]


CASES = [
    Case("icmp-follows-entry",
         "frag-needed for an established flow goes to the entry's backend, byte for byte, even "
         "when Maglev now points elsewhere; one for a flow without an entry goes to Maglev's "
         "choice; neither makes or changes an entry",
         [s for sp, b in B_FLOWS for s in conn(sp, ["S", "A"], dst=VIP_B, dport=443, to=b)] +
         # 10.0.0.31 (b1) is drained at 1.5 s: Maglev gives new flows to b2 only
         [(2, frag_needed(VIP_B, 443, 41002), "b1"),
          (2.1, frag_needed(VIP_B, 443, 41003, mtu=1400), "b1"),
          (2.2, frag_needed(VIP_B, 443, 42000), "b2"),
          (2.3, tcp("A", sport=41002, dst=VIP_B, dport=443), "b1")],
         {"vip 10.0.0.101:443/tcp icmp-fwd": 3, "backend 10.0.0.101:443/tcp 10.0.0.31 icmp-fwd": 2,
          "backend 10.0.0.101:443/tcp 10.0.0.32 icmp-fwd": 1, "event ct-new count": 4,
          "total conns": 4, "vip 10.0.0.101:443/tcp pkts": 12, "total fwd-pkts": 12},
         live=[(1500, "backend set 10.0.0.101:443/tcp 10.0.0.31 weight 0")]),
    Case("icmp-no-entry-maglev",
         "ICMP errors for flows this worker never saw go where Maglev sends the flows "
         "(after a restart, or from another ECMP path); the flows' own packets agree",
         [(i * 0.01, frag_needed(VIP_B, 443, sp), b) for i, (sp, b) in enumerate(B_FLOWS)] +
         [(0.1, eth() / IP(src=ROUTER, dst=VIP_U) / ICMP(type=11, code=0) /
           Raw(bytes(IP(src=VIP_U, dst="192.0.2.20") / UDP(sport=53, dport=5000))[:28]), "u1"),
          (0.2, eth() / IP(src=ROUTER, dst=VIP_A) / ICMP(type=3, code=1) /
           Raw(bytes(IP(src=VIP_A, dst=CLIENT) / TCP(sport=80, dport=40000) / Raw(b"x" * 64))),
           "a1")] +
         [(1 + i * 0.01, tcp("A", sport=sp, dst=VIP_B, dport=443), b)
          for i, (sp, b) in enumerate(B_FLOWS)],
         {"vip 10.0.0.101:443/tcp icmp-fwd": 4, "vip 10.0.0.102:53/udp icmp-fwd": 1,
          "vip 10.0.0.100:80/tcp icmp-fwd": 1, "event ct-midflow count": 4,
          "event ct-new count": 4, "total conns": 4}),
    Case("icmp-bad", "truncated, foreign and malformed ICMP are dropped and counted by reason",
         [(0, frag_needed(VIP_A, 80, 40000, quote_len=20), None),  # no ports
          (0.01, frag_needed(VIP_A, 80, 40000, quote_len=8), None),
          (0.02, frag_needed(VIP_A, 80, 40000, quote_len=0), None),
          (0.03, eth() / IP(src=ROUTER, dst=VIP_A) / ICMP(type=3, code=4) /
           Raw(bytes(IP(src="10.0.0.99", dst=CLIENT) / TCP(sport=80, dport=40000))[:28]), None),
          (0.04, eth() / IP(src=ROUTER, dst=VIP_A) / ICMP(type=3, code=4) /
           Raw(bytes(IP(src=VIP_A, dst=CLIENT) / ICMP(type=0))[:28]), None),
          (0.05, eth() / IP(src=ROUTER, dst=VIP_A) / ICMP(type=3, code=4) /
           Raw(bytes(IP(src=VIP_A, dst=CLIENT, frag=185, proto=6) / Raw(b"y" * 8))), None),
          (0.06, frag_needed(VIP_A, 81, 40000), None),  # no service on port 81
          (0.07, frag_needed(VIP_A, 80, 40000, proto=UDP), None),  # nor on 80/udp
          (0.08, eth() / IP(src=ROUTER, dst=VIP_A) / ICMP(type=5, code=1, gw="192.0.2.99") /
           Raw(bytes(IP(src=VIP_A, dst=CLIENT) / TCP(sport=80, dport=40000))[:28]), None),
          (0.09, eth() / IP(src=CLIENT, dst=VIP_A) / ICMP(type=0), None),  # echo reply
          (0.10, frag_needed("10.0.0.99", 80, 40000), None),  # not a VIP address
          (0.11, Raw(bytes(frag_needed(VIP_A, 80, 40000))[:14 + 20 + 6]), None),
          (0.12, eth() / IP(src=ROUTER, dst=VIP_A, len=20 + 6) / ICMP(type=3, code=4), None),
          (0.13, frag_needed(VIP_A, 80, 40000, src="127.0.0.1"), None),
          (0.14, eth() / IP(src=ROUTER, dst=VIP_A, flags="MF") / ICMP(type=3, code=4) /
           Raw(b"z" * 40), None)],  # a fragment of ICMP
         {"drop icmp-truncated count": 3, "drop icmp-foreign count": 3,
          "drop icmp-no-service count": 2, "drop icmp-type count": 2, "drop not-vip count": 1,
          "drop malformed count": 2, "drop martian count": 1, "drop fragment count": 1,
          "total fwd-pkts": 0, "total conns": 0, "total drops": 15}),
    Case("icmp-off", "with `icmp forward off` ICMP errors to a VIP are dropped as icmp-off",
         [(0, frag_needed(VIP_A, 80, 40000), None), (0.1, echo(VIP_A), [echo_reply(VIP_A)])],
         {"drop icmp-off count": 1, "total fwd-pkts": 0, "event icmp-echo count": 1},
         conf=BASE_CONF + "icmp forward off\n"),
    Case("echo", "echo requests to a VIP and to the port's address are answered, both "
         "checksums right; a bad checksum or another address gets nothing",
         [(0, echo(VIP_A), [echo_reply(VIP_A)]),
          (0.1, echo(VIP_E, seq=2, payload=b""), [echo_reply(VIP_E, seq=2, payload=b"")]),
          (0.2, echo("10.0.0.2", seq=3), [echo_reply("10.0.0.2", seq=3)]),
          (0.3, echo("10.0.0.99", seq=4), None),
          (0.4, eth() / IP(src=CLIENT, dst=VIP_A, id=77) / ICMP(type=8, chksum=0x1234) /
           Raw(b"x"), None),
          (0.5, echo(VIP_A, src="224.0.0.1"), None)],
         {"event icmp-echo count": 3, "drop not-vip count": 1, "drop malformed count": 1,
          "drop martian count": 1, "total fwd-pkts": 0, "event slowpath count": 4}),
    Case("echo-rate", "`icmp rate 2`: two replies at once, then two a second",
         [(0.001 * i, echo(VIP_A, seq=i), [echo_reply(VIP_A, seq=i)] if i < 2 else None)
          for i in range(5)] +
         [(0.6, echo(VIP_A, seq=5), [echo_reply(VIP_A, seq=5)]),
          (0.61, echo(VIP_A, seq=6), None),
          (2, echo(VIP_A, seq=7), [echo_reply(VIP_A, seq=7)])],
         {"event icmp-echo count": 4, "drop icmp-rate count": 4},
         conf=BASE_CONF + "icmp rate 2\n"),
    Case("frag-one-backend",
         "a fragmented datagram's first and later fragments all reach one backend, unchanged, "
         "each datagram its flow's",
         [s for i, (sp, b) in enumerate(F_FLOWS) for s in steps(datagram(sp, 100 + i), i, b)] +
         # the flow's whole packets go to the same backend
         [(5 + i * 0.01, eth() / IP(src="192.0.2.20", dst=VIP_F) / UDP(sport=sp, dport=5300) /
           Raw(b"q"), b) for i, (sp, b) in enumerate(F_FLOWS)],
         {"event frag-fwd count": 12, "event frag-tracked count": 4, "total fwd-pkts": 16,
          "drop frag-no-first count": 0, "backend 10.0.0.104:5300/udp 10.0.0.51 pkts": 12,
          "backend 10.0.0.104:5300/udp 10.0.0.52 pkts": 4, "total conns": 4},
         conf=FRAG_CONF),
    Case("frag-later-first",
         "later fragments before their first: dropped as frag-no-first when the VIP has two "
         "backends; sent to the only backend when it has one",
         [(0, datagram(6001, 200)[1], None), (0.001, datagram(6001, 200)[2], None),
          (0.002, datagram(6001, 200)[0], "e1"), (0.003, datagram(6001, 200)[1], "e1")] +
         steps(datagram(5000, 300, dst=VIP_U, dport=53)[::-1], 1, "u1"),
         {"drop frag-no-first count": 2, "event frag-guessed count": 2,
          "event frag-fwd count": 5, "event frag-tracked count": 2},
         conf=FRAG_CONF),
    Case("frag-expiry", "a fragment table entry lives `timeout frag` seconds",
         [(0, datagram(6002, 400)[0], "e1"), (1.9, datagram(6002, 400)[1], "e1"),
          (2.1, datagram(6002, 400)[2], None),
          (3, datagram(6003, 401)[0], "b3"), (7.9, datagram(6003, 401)[1], "b3"),
          (8.1, datagram(6003, 401)[2], None)],
         {"event frag-expired count": 2, "drop frag-no-first count": 2,
          "event frag-fwd count": 4},
         conf=FRAG_CONF, live=[(2500, "timeout set frag 5")]),
    Case("frag-flood", "a flood of first fragments fills the fixed table and evicts the "
         "oldest; the table never grows and a datagram sent after it still goes whole",
         [(i * 0.00001, f, "e1" if (7000 + i % 50) in FLOOD_E1 else "b3")
          for i, f in enumerate(flood_frags(13000, range(7000, 7050)))] +
         steps(datagram(6001, 65000), 1, "e1"),
         {"event frag-tracked count": 13001, "event frag-fwd count": 13003,
          "event frag-evicted count": lambda v, c: 712 <= v <= 13000,
          "drop frag-no-first count": 0},
         conf=FRAG_CONF),
]
