# SPDX-License-Identifier: BSD-3-Clause
"""ARP traffic fixtures: responder, announcements, backend resolution and
refresh, duplicate-address detection and defence, malformed frames.

Every frame dsrlb sends is given in full (Ethernet and ARP, zero padded
to 60 bytes, or 64 with a VLAN tag). Log lines are checked exactly.
"""

from scapy.all import ARP, Dot1Q, Ether, Padding, Raw

from fixtures import Case, LB_MAC, CLIENT_MAC, tcp

BCAST = "ff:ff:ff:ff:ff:ff"
ZERO = "00:00:00:00:00:00"
B1 = "02:00:00:00:b1:01"
B1_NEW = "02:00:00:00:b1:99"
B2 = "02:00:00:00:b2:02"
OTHER = "02:00:00:00:99:99"
SPOOF = "02:66:66:66:66:66"
PROBER = "1c:c1:de:b4:76:60"
VIP = "10.0.0.100"
PORT_IP = "10.0.0.2"

CONF = """\
port 0 address 10.0.0.2/24
arp announce 0
conntrack size 4096
vip add 10.0.0.100:80/tcp
backend add 10.0.0.100:80/tcp 10.0.0.22 mac 02:00:00:00:b2:02
"""
ANNOUNCE_CONF = CONF.replace("arp announce 0", "arp announce 2 interval 2")
RESOLVE_CONF = CONF.replace(
    "backend add 10.0.0.100:80/tcp 10.0.0.22",
    "backend add 10.0.0.100:80/tcp 10.0.0.21\nbackend add 10.0.0.100:80/tcp 10.0.0.22")

BOTH_ARP_CONF = RESOLVE_CONF.replace("10.0.0.22 mac 02:00:00:00:b2:02", "10.0.0.22")


def pad(p, size=60):
    n = len(bytes(p))
    return p / Padding(b"\0" * (size - n)) if n < size else p


def announce(ip):
    return pad(Ether(dst=BCAST, src=LB_MAC) /
               ARP(op=1, hwsrc=LB_MAC, psrc=ip, hwdst=ZERO, pdst=ip))


def request(ip):
    return pad(Ether(dst=BCAST, src=LB_MAC) /
               ARP(op=1, hwsrc=LB_MAC, psrc=PORT_IP, hwdst=ZERO, pdst=ip))


def unicast_request(ip, mac):
    """The confirmation of a known MAC: a request sent to it alone."""
    return pad(Ether(dst=mac, src=LB_MAC) /
               ARP(op=1, hwsrc=LB_MAC, psrc=PORT_IP, hwdst=ZERO, pdst=ip))


def lb_reply(ip, to_mac, to_ip, vlan=None):
    if vlan is None:
        return pad(Ether(dst=to_mac, src=LB_MAC) /
                   ARP(op=2, hwsrc=LB_MAC, psrc=ip, hwdst=to_mac, pdst=to_ip))
    return pad(Ether(dst=to_mac, src=LB_MAC) / Dot1Q(vlan=vlan) /
               ARP(op=2, hwsrc=LB_MAC, psrc=ip, hwdst=to_mac, pdst=to_ip), 64)


def who_has(ip, src_mac=CLIENT_MAC, src_ip="10.0.0.10", dst=BCAST):
    return Ether(dst=dst, src=src_mac) / ARP(op=1, hwsrc=src_mac, psrc=src_ip, pdst=ip)


def patched(pkt, offset, value):
    """pkt's bytes with value written at offset (to build malformed ARP)."""
    raw = bytearray(bytes(pkt))
    raw[offset:offset + len(value)] = value
    return Raw(bytes(raw))


def backend_reply(mac, ip="10.0.0.21"):
    return Ether(dst=LB_MAC, src=mac) / ARP(op=2, hwsrc=mac, psrc=ip, hwdst=LB_MAC,
                                            pdst=PORT_IP)


def fwd(pkt, mac):
    raw = bytes(pkt)
    return Raw(bytes.fromhex(mac.replace(":", "")) +
               bytes.fromhex(LB_MAC.replace(":", "")) + raw[12:])


def syn(sport):
    return tcp("S", sport=sport, dst=VIP, dport=80)


def ack(sport):
    return tcp("A", sport=sport, dst=VIP, dport=80)


IPV6 = Ether(dst=LB_MAC, src=CLIENT_MAC, type=0x86dd) / Raw(b"\x60" + b"\0" * 39)
# Flows to VIP and the backend each is pinned to once 10.0.0.21 resolves
# (seedless hash and Maglev: see fixtures.py).
PINNED = [(50001, "b2"), (50002, "b1"), (50003, "b2"), (50004, "b1")]
MACS = {"b1": B1, "b2": B2}

W_USING = "WARNING port 0: MAC address %s is using our IP address %s"
W_PROBE = "WARNING port 0: MAC address %s probed for our IP address %s"

CASES = [
    Case("arp-responder", "requests for the port address and the VIP are answered; "
         "others are not",
         [(0, who_has(VIP), [lb_reply(VIP, CLIENT_MAC, "10.0.0.10")]),
          (0.1, who_has(PORT_IP), [lb_reply(PORT_IP, CLIENT_MAC, "10.0.0.10")]),
          (0.2, who_has(VIP, dst=LB_MAC), [lb_reply(VIP, CLIENT_MAC, "10.0.0.10")]),
          (0.3, Ether(dst=BCAST, src=CLIENT_MAC) / Dot1Q(vlan=42) /
           ARP(op=1, hwsrc=CLIENT_MAC, psrc="10.0.0.10", pdst=VIP),
           [lb_reply(VIP, CLIENT_MAC, "10.0.0.10", vlan=42)]),
          (0.4, who_has("10.0.0.99"), None),
          (0.5, who_has(VIP, dst="01:00:5e:00:00:01"), None)],
         {"arp port 0 requests-answered": 4, "arp port 0 requests-ignored": 1,
          "arp port 0 bad-dst": 1, "arp port 0 rx": 6},
         conf=CONF),
    Case("arp-announce", "two gratuitous ARPs per address at start, 2 s apart",
         [(0, IPV6, [announce(PORT_IP), announce(VIP)]),
          (1, IPV6, None),
          (2, IPV6, [announce(PORT_IP), announce(VIP)]),
          (4, IPV6, None)],
         {"arp port 0 announcements-sent": 4},
         conf=ANNOUNCE_CONF),
    Case("arp-announce-vip-add", "a VIP added live is announced; existing ones are not again",
         [(0, IPV6, [announce(PORT_IP), announce(VIP)]),
          (2, IPV6, [announce(PORT_IP), announce(VIP)]),
          (5, IPV6, [announce("10.0.0.101")]),
          (7, IPV6, [announce("10.0.0.101")]),
          (9, IPV6, None)],
         {"arp port 0 announcements-sent": 6},
         conf=ANNOUNCE_CONF, live=[(5000, "vip add 10.0.0.101:80/tcp")]),
    Case("arp-resolve", "a backend without a MAC is resolved; until then it takes no flows",
         [(0, syn(50001), [fwd(syn(50001), B2), request("10.0.0.21")]),
          (0.5, backend_reply(B1), None)] +
         [(1 + i * 0.01, syn(sp), MACS[b]) for i, (sp, b) in enumerate(PINNED[1:])] +
         [(1.5, ack(50001), "b2")],
         {"arp port 0 requests-sent": 1, "arp port 0 replies-learned": 1,
          "neighbour 10.0.0.21 state": "reachable", "neighbour 10.0.0.21 mac": B1,
          "backend 10.0.0.100:80/tcp 10.0.0.21 arp": "resolved"},
         conf=RESOLVE_CONF,
         logs={"INFO port 0: backend 10.0.0.21 is at 02:00:00:00:b1:01": 1}),
    # After a (re)start, a packet of a flow with no entry goes by Maglev; a
    # table over the backends resolved so far would send the connections of
    # one still being resolved to another backend, which answers RST.
    Case("arp-resolve-pending", "a backend not resolved yet keeps its Maglev slots: a "
         "mid-flow packet that maps to it is dropped (no entry), never sent elsewhere",
         [(0, IPV6, [request("10.0.0.21"), request("10.0.0.22")]),
          (0.01, backend_reply(B1), None),
          (0.02, ack(50001), None),  # b2's flow: b2 not resolved yet, dropped, no entry
          (0.03, ack(50002), "b1"),  # b1's flow goes at once
          (0.04, backend_reply(B2, ip="10.0.0.22"), None),
          (0.05, ack(50001), "b2"),  # the retransmission reaches its own backend
          (0.06, ack(50002), "b1")],
         {"drop no-mac count": 1, "event ct-midflow count": 2, "event ct-new count": 2,
          "arp port 0 replies-learned": 2},
         conf=BOTH_ARP_CONF),
    Case("arp-pending-then-failed", "a backend that never answers holds its flows only "
         "until it fails (3 tries); then Maglev gives them to the others",
         [(0, IPV6, [request("10.0.0.21"), request("10.0.0.22")]),
          (0.01, backend_reply(B1), None),
          (0.5, ack(50001), None),  # b2's flow waits for b2
          (1, IPV6, [request("10.0.0.22")]),
          (2, IPV6, [request("10.0.0.22")]),
          (3.5, IPV6, None),        # b2 failed at 3 s: out of the Maglev table
          (3.6, ack(50001), "b1"),
          (3.7, ack(50002), "b1")],
         {"drop no-mac count": 1, "neighbour 10.0.0.22 state": "failed",
          "backend 10.0.0.100:80/tcp 10.0.0.22 arp": "failed"},
         conf=BOTH_ARP_CONF,
         logs={"WARNING port 0: backend 10.0.0.22 does not answer ARP (3 tries); "
               "no new flows go to it": 1}),
    Case("arp-retry", "no answer: three requests a second apart, then failed; "
         "a late answer brings it back",
         [(0, IPV6, [request("10.0.0.21")]),
          (1, IPV6, [request("10.0.0.21")]),
          (2, IPV6, [request("10.0.0.21")]),
          (3.5, IPV6, None),
          (3.6, backend_reply(B1), None),
          (3.7, syn(50002), "b1")],
         {"arp port 0 replies-learned": 1, "neighbour 10.0.0.21 state": "reachable"},
         conf=RESOLVE_CONF,
         logs={"WARNING port 0: backend 10.0.0.21 does not answer ARP (3 tries); "
               "no new flows go to it": 1}),
    Case("arp-refresh-mac-change", "the MAC is refreshed; a reply naming another MAC is "
         "believed only once the known MAC stops answering unicast requests; then it is "
         "logged and used",
         [(0, IPV6, [request("10.0.0.21")]),
          (0.5, backend_reply(B1), None),
          (1, syn(50002), "b1"),
          (61, ack(50002), [fwd(ack(50002), B1), request("10.0.0.21")]),
          # Another MAC answers: a claim; the known MAC is asked, unicast.
          (61.5, backend_reply(B1_NEW), [unicast_request("10.0.0.21", B1)]),
          (62, ack(50002), [fwd(ack(50002), B1)]),
          (62.6, IPV6, [unicast_request("10.0.0.21", B1)]),
          (63.6, IPV6, [unicast_request("10.0.0.21", B1)]),
          # Three unanswered: the old MAC is gone, ask everyone; the new one answers.
          (64.6, IPV6, [request("10.0.0.21")]),
          (64.7, backend_reply(B1_NEW), None),
          (65, ack(50002), [fwd(ack(50002), B1_NEW)])],
         {"arp port 0 requests-sent": 6, "arp port 0 replies-learned": 2,
          "arp port 0 conflict-backend": 1, "neighbour 10.0.0.21 mac": B1_NEW,
          "conflict 10.0.0.21 02:00:00:00:b1:99 kind": "backend"},
         conf=RESOLVE_CONF,
         logs={"WARNING port 0: MAC address 02:00:00:00:b1:99 claims backend address "
               "10.0.0.21 (known at 02:00:00:00:b1:01)": 1,
               "WARNING port 0: backend 10.0.0.21 does not answer at 02:00:00:00:b1:01 any "
               "more (3 tries); asking who has it": 1,
               "WARNING port 0: backend 10.0.0.21 changed MAC from 02:00:00:00:b1:01 to "
               "02:00:00:00:b1:99": 1}),
    Case("arp-spoofed-reply", "replies naming another MAC for a backend that answers never "
         "replace its MAC (the backend answers the unicast request)",
         [(0, IPV6, [request("10.0.0.21")]),
          (0.5, backend_reply(B1), None),
          (61, ack(50002), [fwd(ack(50002), B1), request("10.0.0.21")]),
          (61.1, backend_reply(SPOOF), [unicast_request("10.0.0.21", B1)]),
          (61.2, backend_reply(SPOOF), None),
          (61.3, backend_reply(B1), None),
          (61.4, backend_reply(SPOOF), None),
          (62, ack(50002), [fwd(ack(50002), B1)]),
          (66, ack(50002), [fwd(ack(50002), B1)])],
         {"arp port 0 replies-learned": 2, "arp port 0 conflict-backend": 3,
          "neighbour 10.0.0.21 mac": B1, "neighbour 10.0.0.21 state": "reachable",
          "conflict 10.0.0.21 02:66:66:66:66:66 count": 3},
         conf=RESOLVE_CONF,
         logs={"WARNING port 0: MAC address 02:66:66:66:66:66 claims backend address "
               "10.0.0.21 (known at 02:00:00:00:b1:01)": 1}),
    Case("arp-not-learned", "unsolicited replies and static MACs are never learned",
         [(0, IPV6, [request("10.0.0.21")]),
          (0.1, backend_reply(OTHER, ip="10.0.0.22"), None),
          (0.2, backend_reply(OTHER, ip="10.0.0.23"), None),
          (0.3, Ether(dst=BCAST, src=OTHER) /
           ARP(op=1, hwsrc=OTHER, psrc="10.0.0.21", pdst="10.0.0.21"), None),
          # 50002 maps to 10.0.0.21, still unresolved: it waits (dropped, no entry)
          (0.4, syn(50002), None)],
         {"arp port 0 replies-ignored": 2, "arp port 0 replies-learned": 0,
          "drop no-mac count": 1, "total conns": 0,
          "neighbour 10.0.0.21 state": "incomplete",
          "backend 10.0.0.100:80/tcp 10.0.0.22 mac": B2},
         conf=RESOLVE_CONF),
    Case("arp-conflict", "another MAC using our address is logged, defended, never learned",
         # A gratuitous request for our VIP from another MAC: defended with an
         # announcement (once per 10 s), and, being a request for our address,
         # answered like any other.
         [(0, Ether(dst=BCAST, src=OTHER) / ARP(op=1, hwsrc=OTHER, psrc=VIP, pdst=VIP),
           [announce(VIP), lb_reply(VIP, OTHER, VIP)]),
          (1, Ether(dst=BCAST, src=OTHER) / ARP(op=1, hwsrc=OTHER, psrc=VIP, pdst=VIP),
           [lb_reply(VIP, OTHER, VIP)]),
          (11, Ether(dst=BCAST, src=OTHER) / ARP(op=1, hwsrc=OTHER, psrc=VIP, pdst=VIP),
           [announce(VIP), lb_reply(VIP, OTHER, VIP)]),
          # A reply from a host that took our port address.
          (12, Ether(dst=LB_MAC, src="02:00:00:00:99:98") /
           ARP(op=2, hwsrc="02:00:00:00:99:98", psrc=PORT_IP, hwdst=LB_MAC,
               pdst="10.0.0.10"), [announce(PORT_IP)]),
          (13, syn(50001), "b2")],
         {"arp port 0 conflict-using": 4, "arp port 0 defended": 3,
          "conflict 10.0.0.100 02:00:00:00:99:99 count": 3,
          "conflict 10.0.0.100 02:00:00:00:99:99 kind": "using",
          "conflict 10.0.0.2 02:00:00:00:99:98 count": 1},
         conf=CONF,
         logs={W_USING % (OTHER, VIP): 2, W_USING % ("02:00:00:00:99:98", PORT_IP): 1}),
    Case("arp-probe-defence", "a probe (sender 0.0.0.0) for our address is always answered, "
         "right after a defence too; logged at most once per 10 s",
         [(0, Ether(dst=BCAST, src=PROBER) /
           ARP(op=1, hwsrc=PROBER, psrc="0.0.0.0", hwdst=ZERO, pdst=VIP),
           [lb_reply(VIP, PROBER, "0.0.0.0")]),
          (2, Ether(dst=BCAST, src=PROBER) /
           ARP(op=1, hwsrc=PROBER, psrc="0.0.0.0", hwdst=ZERO, pdst=VIP),
           [lb_reply(VIP, PROBER, "0.0.0.0")]),
          # Another host uses the VIP: defended (an announcement) ...
          (3, Ether(dst=BCAST, src=OTHER) / ARP(op=2, hwsrc=OTHER, psrc=VIP, pdst=VIP),
           [announce(VIP)]),
          # ... and a probe right after is still answered.
          (3.5, Ether(dst=BCAST, src=PROBER) /
           ARP(op=1, hwsrc=PROBER, psrc="0.0.0.0", hwdst=ZERO, pdst=VIP),
           [lb_reply(VIP, PROBER, "0.0.0.0")]),
          (12, Ether(dst=BCAST, src=PROBER) /
           ARP(op=1, hwsrc=PROBER, psrc="0.0.0.0", hwdst=ZERO, pdst=VIP),
           [lb_reply(VIP, PROBER, "0.0.0.0")]),
          (13, Ether(dst=BCAST, src=PROBER) /
           ARP(op=1, hwsrc=PROBER, psrc="0.0.0.0", hwdst=ZERO, pdst="10.0.0.77"), None)],
         {"arp port 0 conflict-probe": 4, "arp port 0 probes-answered": 4,
          "arp port 0 defended": 1,
          "conflict 10.0.0.100 1c:c1:de:b4:76:60 kind": "probe",
          "arp port 0 requests-answered": 0},
         conf=CONF,
         logs={W_PROBE % (PROBER, VIP): 2, W_USING % (OTHER, VIP): 1}),
    Case("arp-malformed", "malformed ARP is counted by reason and dropped",
         [(0, Raw(bytes(who_has(VIP))[:30]), None),
          # ARP starts at byte 14: htype 14-15, ptype 16-17, hlen 18, plen 19, op 20-21.
          (0.1, patched(who_has(VIP), 14, b"\x00\x06"), None),
          (0.2, patched(who_has(VIP), 16, b"\x86\xdd"), None),
          (0.3, patched(who_has(VIP), 18, b"\x08"), None),
          (0.4, patched(who_has(VIP), 19, b"\x10"), None),
          (0.5, patched(who_has(VIP), 20, b"\x00\x03"), None),
          (0.6, Ether(dst=BCAST, src=CLIENT_MAC) /
           ARP(op=1, hwsrc=BCAST, psrc="10.0.0.10", pdst=VIP), None),
          (0.7, Ether(dst=BCAST, src=CLIENT_MAC) /
           ARP(op=1, hwsrc="01:00:5e:00:00:05", psrc="10.0.0.10", pdst=VIP), None)],
         {"arp port 0 bad-truncated": 1, "arp port 0 bad-htype": 1, "arp port 0 bad-ptype": 1,
          "arp port 0 bad-hlen": 1, "arp port 0 bad-plen": 1, "arp port 0 bad-op": 1,
          "arp port 0 bad-sender-mac": 2, "arp port 0 requests-answered": 0},
         conf=CONF),
]
