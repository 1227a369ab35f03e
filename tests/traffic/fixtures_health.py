# SPDX-License-Identifier: BSD-3-Clause
"""Health check fixtures: the dsr probe's frames byte for byte (the SYN
dsrlb sends to the backend's MAC, the RST after its SYN-ACK), answers
handed from the worker to the main lcore, timeouts taking a backend out
of the Maglev table, and the log lines.

The runner's clock starts at 1000 ms and the main lcore runs after each
input frame, so a probe goes out with the first frame at or after it is
due. A probe's source port is 49152 + 4 x backend id + its round (0-3);
its sequence number is (ms x 2654435761) ^ (backend id x 40503) ^
0x5eed1234, modulo 2^32 (lib/lb/lb_health.c).
"""

from scapy.all import IP, TCP, Ether, Raw

from fixtures import Case, LB_MAC, CLIENT_MAC, BACKENDS, tcp

A1 = BACKENDS["a1"]
VIP = "10.0.0.100"
PORT_IP = "10.0.0.2"
IPV6 = Ether(dst=LB_MAC, src=CLIENT_MAC, type=0x86dd) / Raw(b"\x60" + b"\0" * 39)

CONF = """\
port 0 address 10.0.0.2/24
arp announce 0
conntrack size 4096
vip add 10.0.0.100:80/tcp
backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:a1:01
check set 10.0.0.100:80/tcp dsr interval 0.5 timeout 0.3 rise 2 fall 2
"""


def seq_at(ms, backend=0):
    return ((ms * 2654435761) ^ (backend * 40503) ^ 0x5eed1234) % 2**32


def probe(ms, rnd, backend=0):
    """The SYN sent at clock ms, round rnd."""
    return (Ether(dst=A1, src=LB_MAC) /
            IP(src=PORT_IP, dst=VIP, id=0, flags="DF", ttl=64) /
            TCP(sport=49152 + 4 * backend + rnd, dport=80, seq=seq_at(ms, backend), flags="S",
                window=65535))


def rst(ms, rnd, backend=0):
    return (Ether(dst=A1, src=LB_MAC) /
            IP(src=PORT_IP, dst=VIP, id=0, flags="DF", ttl=64) /
            TCP(sport=49152 + 4 * backend + rnd, dport=80, seq=(seq_at(ms, backend) + 1) % 2**32,
                flags="R", window=0))


def answer(ms, rnd, flags="SA", src=VIP, backend=0):
    """The backend's answer to the probe sent at ms: from the VIP to the port's address."""
    return (Ether(dst=LB_MAC, src=A1) / IP(src=src, dst=PORT_IP) /
            TCP(sport=80, dport=49152 + 4 * backend + rnd, seq=777000,
                ack=(seq_at(ms, backend) + 1) % 2**32, flags=flags))


UP = "INFO VIP 10.0.0.100:80/tcp: backend 10.0.0.21 is up (2 of 2 checks passed)"
DOWN = ("WARNING VIP 10.0.0.100:80/tcp: backend 10.0.0.21 is down (dsr: timeout; "
        "2 of 2 checks failed)")
REFUSED = ("WARNING VIP 10.0.0.100:80/tcp: backend 10.0.0.21 is down (dsr: connection "
           "refused; 2 of 2 checks failed)")

CASES = [
    Case("dsr-probe", "the dsr check's SYN to the backend's MAC, its SYN-ACK to the main "
         "lcore, the RST; two answers: up",
         [(0, IPV6, [probe(1000, 0)]),
          (0.1, answer(1000, 0), [rst(1000, 0)]),
          (0.6, IPV6, [probe(1600, 1)]),
          (0.7, answer(1600, 1), [rst(1600, 1)]),
          (0.8, tcp("S", sport=40100), "a1")],
         {"event slowpath count": 2, "drop not-vip count": 0, "total fwd-pkts": 1},
         conf=CONF, logs={UP: 1}),
    Case("dsr-probe-timeout", "probes without answers time out; fall of them take the backend "
         "out of the Maglev table at once, and its flows with it",
         [(0, IPV6, [probe(1000, 0)]),
          (0.1, answer(1000, 0), [rst(1000, 0)]),
          (0.6, IPV6, [probe(1600, 1)]),
          (0.7, answer(1600, 1), [rst(1600, 1)]),
          (0.75, tcp("S", sport=40101), "a1"),
          (1.2, IPV6, [probe(2200, 2)]),
          (1.6, IPV6, None),  # timed out: 1 of 2
          (1.8, IPV6, [probe(2800, 3)]),
          (2.2, IPV6, None),  # timed out: 2 of 2, down
          # dropped (no backend left); the next probe goes out
          (2.3, tcp("S", sport=40102), [probe(3300, 0)]),
          (2.4, tcp("A", sport=40101), None)],
         {"drop no-backend count": 2, "event ct-stale count": 1, "total fwd-pkts": 1,
          "backend 10.0.0.100:80/tcp 10.0.0.21 lost-conns": 1},
         conf=CONF, logs={UP: 1, DOWN: 1}),
    Case("dsr-probe-refused", "an RST answer (the VIP is there, nothing listens) fails the "
         "check; late, stray and other frames to the port's address are not answers",
         [(0, IPV6, [probe(1000, 0)]),
          (0.1, answer(1000, 0, flags="RA"), None),
          (0.6, IPV6, [probe(1600, 1)]),
          # from the backend's own address, not the VIP: dropped by the worker
          (0.65, answer(1600, 1, src="10.0.0.21"), None),
          # a late answer to the first probe: not this one's
          (0.66, answer(1000, 0), None),
          (0.7, answer(1600, 1, flags="R"), None),
          (0.8, tcp("S", sport=40103), None)],
         {"event slowpath count": 3, "drop not-vip count": 1, "drop no-backend count": 1},
         conf=CONF, logs={REFUSED: 1}),
    Case("dsr-probe-off", "without a dsr check, a SYN-ACK from a VIP to the port's address is "
         "dropped as not-vip, never handed to the main lcore",
         [(0, answer(1000, 0), None)],
         {"event slowpath count": 0, "drop not-vip count": 1},
         conf=CONF.replace("check set 10.0.0.100:80/tcp dsr", "# no check")),
]
