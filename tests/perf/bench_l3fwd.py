# SPDX-License-Identifier: BSD-3-Clause
"""DPDK's l3fwd in exact-match mode (-E) as a second speed peer: one
read-only rte_hash lookup of the 5-tuple per packet, the closest
stateless peer of dsrlb's table lookup. Used by bench.py.

build() copies the example's source from Debian's dpdk-doc package
(/usr/share/dpdk/examples/l3fwd and examples/common) into a temporary
directory, applies l3fwd-net-pcap.patch (what net_pcap needs: see the
patch's header) and builds it with its own Makefile against the system
DPDK. Nothing of it is kept.

l3fwd_pps() runs it on the same pcap and core as testpmd and dsrlb
(bench_fwd.py), with one exact-match rule per flow of the pcap
(--rule_ipv4), every rule sending out port 0, and counts port 0's
opackets through telemetry over the same window. It runs on one lcore
(-l 1, --config="(0,0,1)"): net_pcap has one TX queue, and l3fwd gives
every lcore its own. net_pcap sets no packet types, so --parse-ptype
(an RX callback that parses each frame's headers) is needed for the
lookup path.

check_hits() proves that the lookups hit: the same rules sent out a
second port (net_null), so that a hit leaves on port 1 and a miss (l3fwd
sends a miss back out the port it came in on) on port 0.
"""

import collections
import os
import shutil
import socket
import struct
import subprocess
import threading
import time

import bench_fwd
import gen_pcap
import telemetry

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = "/usr/share/dpdk/examples"
PATCH = os.path.join(HERE, "l3fwd-net-pcap.patch")
PREFIX = "bench-l3"
# l3fwd wants an IPv6 rule file as well (-E loads both); one rule from its
# own default file, never matched by IPv4 traffic.
RULE_V6 = ("R2001:0200:0000:0000:0000:0000:0000:0000 "
           "2001:0200:0000:0000:0000:0000:0000:0001 9 9 0x11 0\n")


def build(tmp):
    """Copy, patch and build l3fwd in tmp; returns the binary's path."""
    for d in ("l3fwd", "common"):
        if not os.path.isdir(os.path.join(EXAMPLES, d)):
            raise RuntimeError("no %s/%s: apt-get install dpdk-doc" % (EXAMPLES, d))
    src = os.path.join(tmp, "l3fwd-src")
    shutil.rmtree(src, ignore_errors=True)
    for d in ("l3fwd", "common"):
        shutil.copytree(os.path.join(EXAMPLES, d), os.path.join(src, d))
    for cmd in (["patch", "-p1", "-d", src, "-i", PATCH],
                ["make", "-C", os.path.join(src, "l3fwd")]):
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError("l3fwd build: %s failed:\n%s" % (
                " ".join(cmd[:2]), (r.stdout + r.stderr)[-3000:]))
    return os.path.join(src, "l3fwd", "build", "l3fwd")


def rules(tmp, case, if_out=0, vip="10.0.0.100"):
    """One exact-match rule per flow of the case (l3fwd's format:
    R<dst> <src> <dst port> <src port> <proto> <port out>), written once
    per run. Returns (IPv4 rules, IPv6 rules). A sampled case (a large
    table, replaying a sample of it: bench_fwd.Case) gets a rule for every
    flow of the table, as dsrlb holds an entry for each."""
    v4 = os.path.join(tmp, "l3fwd-%s-%d-out%d.rules" % (case.kind, case.flows, if_out))
    v6 = os.path.join(tmp, "l3fwd-v6.rules")
    if not os.path.exists(v6):
        with open(v6, "w") as f:
            f.write(RULE_V6)
    if os.path.exists(v4):
        return v4, v6
    proto = gen_pcap.KINDS[case.kind][0][0]
    dport = 80 if proto == 6 else 53
    with open(v4, "w") as f:
        f.writelines("R%s %s %d %d %d %d\n" % (
            vip, socket.inet_ntoa(struct.pack("!I", gen_pcap.src_ip(i))), dport,
            gen_pcap.src_port(i), proto, if_out) for i in range(case.flows))
    return v4, v6


class L3fwd:
    """l3fwd -E on the case's pcap (port 0), with net_null as port 1 when
    check: then the rules send out port 1."""

    def __init__(self, binary, tmp, case, check=False):
        path, _ = bench_fwd.pcaps(tmp, case)
        v4, v6 = rules(tmp, case, if_out=1 if check else 0)
        args = [binary, "-l", "1", "--no-pci", "--in-memory", "--file-prefix", PREFIX,
                "--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % path]
        if check:
            args += ["--vdev", "net_null0"]
        args += ["--", "-p", "0x3" if check else "0x1", "-E", "--parse-ptype",
                 "--config=(0,0,1)", "--rule_ipv4=" + v4, "--rule_ipv6=" + v6,
                 "--mbufs", str(case.npkts + 65536)]
        self.args, self.check = args, check
        self.tail = collections.deque(maxlen=60)

    def __enter__(self):
        self.p = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        # It prints a line per rule: keep the others, for errors.
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        try:
            self.tel = telemetry.Telemetry(PREFIX, self.p)
            telemetry.wait_sending(self.tel, self.p, key="ipackets" if self.check else "opackets")
        except RuntimeError as e:
            self.__exit__()
            raise RuntimeError("l3fwd: %s\n%s" % (e, "".join(self.tail)))
        return self

    def _read(self):
        for line in self.p.stdout:
            if not line.startswith("EM: Adding route"):
                self.tail.append(line)

    def __exit__(self, *exc):
        if getattr(self, "tel", None):
            self.tel.close()
            self.tel = None
        bench_fwd.stop_process(self.p)
        self.reader.join(timeout=5)


def l3fwd_pps(binary, tmp, case, warmup, window, during=None):
    """(port 0's opackets per second over the window, the forwarding
    thread's on-CPU share); during: see telemetry.tx_rate."""
    with L3fwd(binary, tmp, case) as l3:
        pps, oncpu, _ = telemetry.tx_rate(l3.tel, warmup, window, during=during)
    return pps, oncpu


def check_hits(binary, tmp, case, secs=0.5):
    """(packets that hit, packets that missed) in a short run: what left
    on port 1 and on port 0."""
    with L3fwd(binary, tmp, case, check=True) as l3:
        time.sleep(secs)
        return l3.tel.opackets(1), l3.tel.opackets(0)
