# SPDX-License-Identifier: BSD-3-Clause
"""The dsr health check of an IPv6 VIP: the SYN over IPv6 from the port's
IPv6 address to the VIP, to the backend's MAC, byte for byte; its SYN-ACK
handed from the worker to the main lcore; the RST; an RST answer or
timeouts taking the backend out of the Maglev table. Times, ports and
sequence numbers as fixtures_health.py's; the first step also carries
the DAD probes of the port's IPv6 address and the VIP (fixtures_ipv6.py).
"""

from scapy.layers.inet import TCP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether

from fixtures import BACKENDS, LB_MAC, Case
from fixtures_health import seq_at
from fixtures_ipv6 import CONF6, DAD, PORT6, VIP6, dropped_v6, tcp6

A1 = BACKENDS["a1"]

# fixtures_ipv6.py's configuration with one backend (a1), and the check.
CONF = "".join(line for line in CONF6.splitlines(True) if "fd00::22" not in line) + \
    "check set [fd00:1::100]:80/tcp dsr interval 0.5 timeout 0.3 rise 2 fall 2\n"


def probe(ms, rnd, flags="S"):
    """The SYN sent at clock ms, round rnd (or, flags "R", the RST that closes it)."""
    rst = flags == "R"
    return (Ether(dst=A1, src=LB_MAC) / IPv6(src=PORT6, dst=VIP6, hlim=64) /
            TCP(sport=49152 + rnd, dport=80, seq=(seq_at(ms) + rst) % 2**32, flags=flags,
                window=0 if rst else 65535))


def answer(ms, rnd, flags="SA", src=VIP6):
    """The backend's answer to the probe sent at ms: from the VIP to the port's address."""
    return (Ether(dst=LB_MAC, src=A1) / IPv6(src=src, dst=PORT6) /
            TCP(sport=80, dport=49152 + rnd, seq=777000, ack=(seq_at(ms) + 1) % 2**32,
                flags=flags))


SVC = "[fd00:1::100]:80/tcp"
UP = "INFO VIP %s: backend fd00::21 is up (2 of 2 checks passed)" % SVC
DOWN = "WARNING VIP %s: backend fd00::21 is down (dsr: timeout; 2 of 2 checks failed)" % SVC
REFUSED = ("WARNING VIP %s: backend fd00::21 is down (dsr: connection refused; 2 of 2 checks "
           "failed)" % SVC)

CASES = [
    Case("dsr-probe6", "an IPv6 VIP's dsr check: the SYN over IPv6 to the backend's MAC, its "
         "SYN-ACK to the main lcore, the RST; two answers: up; then timeouts: down, out of "
         "the Maglev table",
         [(0, dropped_v6(), DAD + [probe(1000, 0)]),
          (0.1, answer(1000, 0), [probe(1000, 0, "R")]),
          (0.6, dropped_v6(), [probe(1600, 1)]),
          (0.7, answer(1600, 1), [probe(1600, 1, "R")]),
          (0.8, tcp6("S", sport=40100), "a1"),
          (1.2, dropped_v6(), [probe(2200, 2)]),
          (1.6, dropped_v6(), None),  # timed out: 1 of 2
          (1.8, dropped_v6(), [probe(2800, 3)]),
          (2.2, dropped_v6(), None),  # timed out: 2 of 2, down
          (2.3, tcp6("S", sport=40101), [probe(3300, 0)])],
         {"event slowpath count": 2, "total fwd-pkts": 1, "drop no-backend count": 1},
         conf=CONF, logs={UP: 1, DOWN: 1}),
    Case("dsr-probe6-refused", "an RST from the IPv6 VIP fails the check; an answer from the "
         "backend's own address is dropped by the worker, a late one is no answer",
         [(0, dropped_v6(), DAD + [probe(1000, 0)]),
          (0.1, answer(1000, 0, flags="RA"), None),
          (0.6, dropped_v6(), [probe(1600, 1)]),
          (0.65, answer(1600, 1, src="fd00::21"), None),
          (0.66, answer(1000, 0), None),
          (0.7, answer(1600, 1, flags="R"), None),
          (0.8, tcp6("S", sport=40103), None)],
         {"event slowpath count": 3, "drop no-backend count": 1},
         conf=CONF, logs={REFUSED: 1}),
    Case("dsr-probe6-off", "without a dsr check, a SYN-ACK from the IPv6 VIP to the port's "
         "address is dropped as not-vip, never handed to the main lcore",
         [(0, answer(1000, 0), DAD)],
         {"event slowpath count": 0, "drop not-vip count": 1},
         conf=CONF.replace("check set [fd00:1::100]:80/tcp dsr", "# no check")),
]

