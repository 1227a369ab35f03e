# SPDX-License-Identifier: BSD-3-Clause
"""Traffic fixtures, in the manner of Katran's lib/testing.

Each case is a config, a list of steps and the counters expected at the
end. A step is (seconds, packet, expect): the time the packet arrives
(the worker's clock), a scapy packet, and either None (dropped) or the
name of the backend it must reach. The expected frame is the input
frame with only the Ethernet addresses changed: destination = that
backend's MAC, source = the port's MAC. Everything else must come out
byte for byte. Backends named in two-backend cases are pinned: the flow
hash and Maglev are seedless, so a change that moves them also breaks
consistency with running daemons, and must be caught.
"""

from scapy.all import ARP, IP, IPv6, TCP, UDP, ICMP, Dot1Q, Ether, Raw, IPOption_RR

LB_MAC = "02:70:63:61:70:00"
CLIENT_MAC = "02:00:00:00:c1:01"
ROUTER_MAC = "02:00:00:00:ee:01"
BACKENDS = {
    "a1": "02:00:00:00:a1:01",
    "b1": "02:00:00:00:b1:01",
    "b2": "02:00:00:00:b2:02",
    "u1": "02:00:00:00:c0:01",
    "b3": "02:00:00:00:b3:03",
    "e1": "02:00:00:00:e1:01",
}
VIP_A = "10.0.0.100"  # :80/tcp, one backend (a1)
VIP_B = "10.0.0.101"  # :443/tcp, two backends (b1, b2)
VIP_U = "10.0.0.102"  # :53/udp, one backend (u1)
VIP_E = "10.0.0.103"  # :80/tcp, no backend

BASE_CONF = """\
port 0 address 10.0.0.2/24
arp announce 0
conntrack size 4096
timeout set tcp-syn 30
timeout set tcp 900
timeout set tcp-fin 60
timeout set udp 300
vip add 10.0.0.100:80/tcp
backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:a1:01
vip add 10.0.0.101:443/tcp
backend add 10.0.0.101:443/tcp 10.0.0.31 mac 02:00:00:00:b1:01 weight 100
backend add 10.0.0.101:443/tcp 10.0.0.32 mac 02:00:00:00:b2:02 weight 100
vip add 10.0.0.102:53/udp
backend add 10.0.0.102:53/udp 10.0.0.41 mac 02:00:00:00:c0:01
vip add 10.0.0.103:80/tcp
"""


def eth(dst=LB_MAC):
    return Ether(src=CLIENT_MAC, dst=dst)


def tcp(flags, sport=40000, dst=VIP_A, dport=80, src="192.0.2.10", payload=b"", seq=1000, **ip):
    return eth() / IP(src=src, dst=dst, **ip) / TCP(sport=sport, dport=dport, flags=flags,
                                                    seq=seq, ack=1 if "A" in flags else 0) / \
        Raw(payload)


def udp(sport=5000, dst=VIP_U, dport=53, src="192.0.2.20", payload=b"query"):
    return eth() / IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(payload)


def conn(sport, flags_list, t0=0.0, dst=VIP_A, dport=80, to="a1", src="192.0.2.10"):
    return [(t0 + i * 0.001, tcp(f, sport=sport, dst=dst, dport=dport, src=src), to)
            for i, f in enumerate(flags_list)]


class Case:
    """counters: "SCOPE key" -> int, or a function (value, all counters) -> bool.
    logs: an exact log line -> the number of times it must appear."""

    def __init__(self, name, doc, steps, counters, conf=BASE_CONF, live=(), logs=None):
        self.name = name
        self.doc = doc
        self.steps = steps
        self.counters = counters
        self.conf = conf
        self.live = list(live)  # (ms, command) applied during the replay
        self.logs = logs or {}


# Flows to VIP_B and the backend each is pinned to (see module doc).
B_FLOWS = [(41001, "b2"), (41002, "b1"), (41003, "b1"), (41004, "b1")]
# live-changes: new flows 43000.. once 10.0.0.33 (b3) joins, and B_FLOWS
# once 10.0.0.31 (b1) is gone (its flows chosen again by Maglev).
LIVE_NEW_3 = ["b3", "b3", "b1", "b3", "b3", "b2", "b1", "b1", "b3", "b2", "b3", "b2"]
LIVE_AFTER_DEL = [(41001, "b2"), (41002, "b2"), (41003, "b2"), (41004, "b3")]

CASES = [
    Case("syn", "a SYN to a VIP reaches its backend with only the MACs changed",
         [(0, tcp("S"), "a1")],
         {"total fwd-pkts": 1, "event ct-new count": 1, "total conns": 1,
          "vip 10.0.0.100:80/tcp new-conns": 1, "backend 10.0.0.100:80/tcp 10.0.0.21 active": 1,
          "total drops": 0}),
    Case("established-pinned", "every packet of each flow reaches the same pinned backend",
         [s for sp, b in B_FLOWS for s in conn(sp, ["S", "A", "PA", "PA"], dst=VIP_B, dport=443,
                                                to=b)],
         {"total fwd-pkts": 16, "event ct-new count": 4, "total conns": 4,
          "backend 10.0.0.101:443/tcp 10.0.0.31 new-conns": 3,
          "backend 10.0.0.101:443/tcp 10.0.0.32 new-conns": 1,
          "event ct-midflow count": 0}),
    Case("rst-evicts", "an RST is forwarded and removes the entry at once; never creates one",
         conn(40001, ["S", "A", "R"]) + [(1, tcp("R", sport=40002), "a1")],
         {"total fwd-pkts": 4, "event ct-rst count": 1, "event ct-new count": 1,
          "total conns": 0, "backend 10.0.0.100:80/tcp 10.0.0.21 active": 0}),
    Case("rst-out-of-window", "a blind RST, far from the flow's sequence numbers, is forwarded "
         "but leaves the entry; the client's own RST then removes it",
         conn(40014, ["S", "A"]) +
         [(0.1, tcp("R", sport=40014, seq=1000 + 0x40000000), "a1"),
          (0.2, tcp("RA", sport=40014, seq=(1000 - 0x30000000) % 2**32), "a1"),
          (0.3, tcp("PA", sport=40014, payload=b"x" * 100), "a1"),
          (0.4, tcp("R", sport=40014, seq=1100), "a1")],
         {"event rst-out-of-window count": 2, "event ct-rst count": 1, "event ct-new count": 1,
          "event ct-midflow count": 0, "total conns": 0, "total fwd-pkts": 6}),
    Case("fin-then-timeout", "after a FIN the entry lives tcp-fin seconds, then ages out",
         conn(40003, ["S", "A", "FA"]) + [(59, tcp("A", sport=40003), "a1"),
                                          (59 + 61, tcp("A", sport=40003), "a1")],
         {"total fwd-pkts": 5, "event ct-new count": 2, "event ct-expired count": 1,
          "event ct-midflow count": 1, "total conns": 1}),
    Case("syn-timeout", "a SYN-only entry lives tcp-syn seconds",
         [(0, tcp("S", sport=40004), "a1"), (29.9, tcp("S", sport=40004), "a1"),
          (29.9 + 30, tcp("S", sport=40004), "a1")],
         {"event ct-new count": 2, "event ct-expired count": 1, "total conns": 1}),
    Case("syn-reuses-closed", "a SYN on a closing entry starts a new connection",
         conn(40005, ["S", "A", "FA"]) + [(1, tcp("S", sport=40005), "a1")],
         {"event ct-reuse count": 1, "event ct-new count": 2, "total conns": 1,
          "vip 10.0.0.100:80/tcp new-conns": 2}),
    Case("udp", "UDP flows are tracked with the udp timeout",
         [(0, udp(), "u1"), (1, udp(), "u1"), (299.5, udp(), "u1"), (299.5 + 300, udp(), "u1"),
          (600, udp(sport=5001), "u1")],
         {"total fwd-pkts": 5, "event ct-new count": 3, "event ct-expired count": 1,
          "total conns": 2, "vip 10.0.0.102:53/udp pkts": 5}),
    Case("not-vip", "traffic that matches no VIP is dropped and counted",
         [(0, tcp("S", dst="10.0.0.99"), None),
          (0.1, tcp("S", dport=81), None),
          (0.2, eth() / IP(src="192.0.2.10", dst=VIP_A) / UDP(sport=1, dport=80), None),
          (0.3, eth() / IP(src="192.0.2.10", dst="10.0.0.99") / ICMP(), None)],
         {"drop not-vip count": 4, "total fwd-pkts": 0, "total conns": 0}),
    Case("malformed", "truncated and inconsistent headers are dropped as malformed",
         [(0, Raw(bytes(Ether(dst=LB_MAC, src=CLIENT_MAC))[:10]), None),
          (0.1, Raw(bytes(tcp("S"))[:14 + 12]), None),  # IPv4 header cut
          (0.2, Raw(bytes(tcp("S"))[:14 + 20 + 10]), None),  # frame shorter than IP length
          (0.25, eth() / IP(src="192.0.2.10", dst=VIP_A, len=30, proto=6) / Raw(b"x" * 10), None),
          (0.3, eth() / IP(src="192.0.2.10", dst=VIP_A, ihl=4) / TCP(dport=80), None),
          (0.4, eth() / IP(src="192.0.2.10", dst=VIP_A, len=200) / TCP(dport=80), None),
          (0.5, eth() / IP(src="192.0.2.10", dst=VIP_A, version=6) / TCP(dport=80), None),
          (0.6, eth() / IP(src="192.0.2.10", dst=VIP_A) / TCP(dport=80, dataofs=4), None),
          (0.7, eth() / IP(src="192.0.2.10", dst=VIP_A) / UDP(sport=1, dport=53, len=4), None)],
         {"drop malformed count": 9, "total fwd-pkts": 0}),
    Case("oversize", "a datagram longer than its frame, in a frame longer than any standard "
         "Ethernet frame, was cut by the driver (net_af_packet): oversize, not malformed",
         [(0, Raw(bytes(udp(payload=b"x" * 2972))[:1982]), None),
          (0.1, Raw(bytes(udp(payload=b"x" * 2972))[:1518]), None),  # a standard frame: malformed
          (0.2, udp(sport=5002, payload=b"x" * 1940), "u1")],  # a long, whole datagram
         {"drop oversize count": 1, "drop malformed count": 1, "total fwd-pkts": 1}),
    Case("martian", "sources no client can have are dropped and counted, and create no entry",
         [(i * 0.01, tcp("S", sport=40020 + i, src=src), None) for i, src in enumerate(
             ["0.0.0.0", "0.1.2.3", "127.0.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1",
              "255.255.255.255", VIP_A, "10.0.0.2"])] +
         [(0.2, udp(src="127.0.0.1"), None), (0.3, tcp("S", sport=40030, src="1.0.0.1"), "a1")],
         {"drop martian count": 10, "event ct-new count": 1, "total conns": 1,
          "total fwd-pkts": 1}),
    Case("ip-options", "IPv4 options pass through untouched",
         [(0, eth() / IP(src="192.0.2.10", dst=VIP_A, options=[IPOption_RR(routers=["1.2.3.4"])]) /
           TCP(sport=40006, dport=80, flags="S") / Raw(b"opt"), "a1")],
         {"total fwd-pkts": 1, "drop malformed count": 0}),
    Case("ethernet-padding", "a short frame's Ethernet padding is kept",
         [(0, tcp("S", sport=40007) / Raw(b"\x00" * 6), "a1")],
         {"total fwd-pkts": 1}),
    Case("fragment", "fragments of neither TCP nor UDP are dropped and counted; the "
         "fragments of a TCP segment follow its first one (more in fixtures_icmp)",
         [(0, eth() / IP(src="192.0.2.10", dst=VIP_A, flags="MF", id=9) /
           TCP(sport=40020, dport=80, flags="S"), "a1"),
          (0.1, eth() / IP(src="192.0.2.10", dst=VIP_A, frag=5, proto=6, id=9) / Raw(b"x" * 20),
           "a1"),
          (0.2, eth() / IP(src="192.0.2.10", dst=VIP_A, frag=100, proto=47) / Raw(b"x" * 20),
           None),
          (0.3, eth() / IP(src="192.0.2.10", dst=VIP_A, flags="MF", proto=47) / Raw(b"x" * 24),
           None)],
         {"drop fragment count": 2, "total fwd-pkts": 2, "event frag-fwd count": 2,
          "event frag-tracked count": 1}),
    Case("ttl", "TTL 0 and 1 are dropped",
         [(0, eth() / IP(src="192.0.2.10", dst=VIP_A, ttl=1) / TCP(dport=80), None),
          (0.1, eth() / IP(src="192.0.2.10", dst=VIP_A, ttl=0) / TCP(dport=80), None),
          (0.2, eth() / IP(src="192.0.2.10", dst=VIP_A, ttl=2) / TCP(sport=40008, dport=80,
                                                                   flags="S"), "a1")],
         {"drop ttl count": 2, "total fwd-pkts": 1}),
    Case("vlan", "one 802.1Q tag is kept as it is; two tags are not IPv4 to us",
         [(0, eth() / Dot1Q(vlan=42, prio=3) / IP(src="192.0.2.10", dst=VIP_A) /
           TCP(sport=40009, dport=80, flags="S"), "a1"),
          (0.1, eth() / Dot1Q(vlan=42) / Dot1Q(vlan=7) / IP(src="192.0.2.10", dst=VIP_A) /
           TCP(dport=80), None)],
         {"total fwd-pkts": 1, "drop not-ipv4 count": 1}),
    Case("not-ipv4-and-mac", "other ethertypes, other hosts' frames, and ARP to the slow path",
         [(0, Ether(src=CLIENT_MAC, dst=LB_MAC, type=0x88cc) / Raw(b"lldp" * 12), None),
          (0.1, tcp("S", sport=40010).copy(), "a1"),
          (0.2, Ether(src=CLIENT_MAC, dst="02:00:00:00:99:99") / IP(src="192.0.2.10", dst=VIP_A) /
           TCP(dport=80, flags="S"), None),
          (0.3, Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") / IP(src="192.0.2.10", dst=VIP_A) /
           TCP(dport=80, flags="S"), None),
          (0.4, Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") /
           ARP(hwsrc=CLIENT_MAC, psrc="10.0.0.10", pdst=VIP_A),
           [Ether(dst=CLIENT_MAC, src=LB_MAC) /
            ARP(op=2, hwsrc=LB_MAC, psrc=VIP_A, hwdst=CLIENT_MAC, pdst="10.0.0.10") /
            Raw(b"\0" * 18)])],
         {"drop not-ipv4 count": 1, "drop not-our-mac count": 2, "event slowpath count": 1,
          "total slowpath-handled": 1, "total fwd-pkts": 1,
          "arp port 0 requests-answered": 1}),
    Case("syn-retries", "a client SYN repeated while its entry is still in the SYN state "
         "counts as a retry for the backend (it did not answer); a SYN after the ACK does not",
         conn(40200, ["S", "S", "S", "A", "S"]) + conn(40201, ["S", "A"], t0=1),
         {"backend 10.0.0.100:80/tcp 10.0.0.21 syn-retries": 2,
          "vip 10.0.0.100:80/tcp syn-retries": 2, "event ct-new count": 2,
          "total fwd-pkts": 7}),
    Case("no-backend", "a VIP without backends drops and counts",
         [(0, tcp("S", dst=VIP_E), None)],
         {"drop no-backend count": 1}),
    Case("strict-syn", "with strict-syn on, only a SYN may create state",
         [(0, tcp("A", sport=40011), None), (0.1, tcp("S", sport=40012), "a1"),
          (0.2, tcp("A", sport=40012), "a1"), (0.3, tcp("R", sport=40013), "a1")],
         {"drop no-state count": 1, "event ct-new count": 1, "total fwd-pkts": 3},
         conf=BASE_CONF + "strict-syn on\n"),
    Case("midflow-pickup", "an ACK without an entry goes where Maglev points and creates one",
         [(0, tcp("A", sport=sp, dst=VIP_B, dport=443), b) for sp, b in B_FLOWS],
         {"event ct-midflow count": 4, "event ct-new count": 4, "total conns": 4}),
    Case("drain", "weight 0: established flows stay, new flows go to the others",
         [s for sp, b in B_FLOWS for s in conn(sp, ["S", "A"], dst=VIP_B, dport=443, to=b)] +
         [(2 + i * 0.001, tcp("PA", sport=sp, dst=VIP_B, dport=443), b)
          for i, (sp, b) in enumerate(B_FLOWS)] +
         [(3 + i * 0.001, tcp("S", sport=42000 + i, dst=VIP_B, dport=443), "b2")
          for i in range(8)],
         {"event ct-new count": 12, "backend 10.0.0.101:443/tcp 10.0.0.31 new-conns": 3,
          "backend 10.0.0.101:443/tcp 10.0.0.32 new-conns": 9,
          "backend 10.0.0.101:443/tcp 10.0.0.31 pkts": 9},
         live=[(1500, "backend set 10.0.0.101:443/tcp 10.0.0.31 weight 0")]),
    Case("live-changes", "config changes while traffic flows: established flows keep their "
         "backend, new flows follow the new Maglev table, removed backends' flows move",
         [s for sp, b in B_FLOWS for s in conn(sp, ["S", "A"], dst=VIP_B, dport=443, to=b)] +
         # after `backend add ... 10.0.0.33` at 1 s: established flows stay put
         [(1.5 + i * 0.001, tcp("PA", sport=sp, dst=VIP_B, dport=443), b)
          for i, (sp, b) in enumerate(B_FLOWS)] +
         # new flows spread over three backends
         [(1.6 + i * 0.001, tcp("S", sport=43000 + i, dst=VIP_B, dport=443), b)
          for i, b in enumerate(LIVE_NEW_3)] +
         # after `backend del ... 10.0.0.31` at 3 s: b1's flows are chosen again
         [(3.5 + i * 0.001, tcp("PA", sport=sp, dst=VIP_B, dport=443), b)
          for i, (sp, b) in enumerate(LIVE_AFTER_DEL)] +
         # a VIP added at 4 s works; deleted at 5 s it is not a VIP any more
         [(4.5, tcp("S", sport=44000, dst="10.0.0.104", dport=80), "e1"),
          (5.5, tcp("A", sport=44000, dst="10.0.0.104", dport=80), None)],
         {"event ct-stale count": 3, "drop not-vip count": 1,
          "backend 10.0.0.101:443/tcp 10.0.0.33 new-conns": lambda v, c: v >= 3,
          "total generations": 7},
         live=[(1000, "backend add 10.0.0.101:443/tcp 10.0.0.33 mac 02:00:00:00:b3:03"),
               (2000, "backend set 10.0.0.101:443/tcp 10.0.0.32 weight 200"),
               (3000, "backend del 10.0.0.101:443/tcp 10.0.0.31"),
               (4000, "vip add 10.0.0.104:80/tcp"),
               (4001, "backend add 10.0.0.104:80/tcp 10.0.0.51 mac 02:00:00:00:e1:01"),
               (5000, "vip del 10.0.0.104:80/tcp")]),
    Case("full-table", "when the table is full, new flows are still forwarded by Maglev",
         [(i * 0.0001, tcp("S", sport=20000 + i), "a1") for i in range(1030)],
         {"total fwd-pkts": 1030, "drop tx-full count": 0,
          "total conns": lambda v, c: 1020 <= v <= 1024,
          "event ct-full count": lambda v, c: v == 1030 - c["total conns"]},
         conf=BASE_CONF.replace("conntrack size 4096", "conntrack size 1024")),
]
