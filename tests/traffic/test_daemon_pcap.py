#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The daemon itself on net_pcap: the real dsrlb binary, a worker lcore,
the main lcore, signals and the exit summary.

A pcap of 300 TCP flows (SYN, ACK, data, FIN) plus frames to drop goes in
through net_pcap's rx_pcap; what comes out of tx_pcap must be, byte for
byte, what the in-process runner produces from the same input, and each
output must be its input with only the Ethernet addresses changed, each
flow on one backend. The counters come from SIGUSR1 and the exit summary.

usage: test_daemon_pcap.py DSRLB RUNNER
"""

import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))

from scapy.all import Ether, IP, TCP, Raw, rdpcap, wrpcap  # noqa: E402

import dsrtest  # noqa: E402
import fixtures as fx  # noqa: E402

NFLOWS = 300


def build_input():
    pkts = []
    for i in range(NFLOWS):
        for flags in ("S", "A", "PA", "FA"):
            pkts.append(fx.tcp(flags, sport=30000 + i, dst=fx.VIP_B, dport=443,
                               payload=b"x" * (i % 7) if flags == "PA" else b""))
    pkts.append(fx.tcp("S", dst="10.0.0.99"))  # not a VIP
    pkts.append(Ether(src=fx.CLIENT_MAC, dst=fx.LB_MAC) / IP(dst=fx.VIP_A, ttl=1) / TCP(dport=80))
    return pkts


def wait_running(proc, err_path, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(err_path) as f:
            if "dsrlb running" in f.read():
                return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    with open(err_path) as f:
        raise RuntimeError("daemon did not start:\n" + f.read())


def wait_stats(proc, out_path, want_rx, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        proc.send_signal(signal.SIGUSR1)
        time.sleep(0.2)
        with open(out_path) as f:
            text = f.read()
        if "stats: uptime-ms" in text and text.rstrip().endswith("end"):
            c = dsrtest.parse_summary(text)
            if c.get("total rx-pkts") == want_rx:
                return c
    raise RuntimeError("daemon did not receive %d frames in %d s" % (want_rx, timeout))


def main():
    dsrlb, runner = sys.argv[1], sys.argv[2]
    errors = []
    with tempfile.TemporaryDirectory(prefix="dsrlb-pcap-") as tmp:
        conf = os.path.join(tmp, "lb.conf")
        inp = os.path.join(tmp, "in.pcap")
        out_d = os.path.join(tmp, "daemon.pcap")
        out_r = os.path.join(tmp, "runner.pcap")
        with open(conf, "w") as f:
            f.write(fx.BASE_CONF)
        pkts = build_input()
        wrpcap(inp, pkts)
        subprocess.run([runner, "-c", conf, "-i", inp, "-o", out_r, "-m", fx.LB_MAC],
                       check=True, capture_output=True, timeout=60)
        stdout = os.path.join(tmp, "daemon.out")
        with open(stdout, "w") as so, open(os.path.join(tmp, "daemon.err"), "w") as se:
            proc = subprocess.Popen(
                [dsrlb, "--no-huge", "-m", "256", "--no-shconf", "--no-telemetry", "--no-pci",
                 "--file-prefix", "dsrpcap%d" % os.getpid(), "-l", "0,1",
                 "--vdev", "net_pcap0,rx_pcap=%s,tx_pcap=%s" % (inp, out_d),
                 "--log-level", "lib.*:warning", "--", "-f", conf,
                 "--socket", os.path.join(tmp, "ctl.sock")], stdout=so, stderr=se)
            try:
                wait_running(proc, os.path.join(tmp, "daemon.err"))
                live = wait_stats(proc, stdout, len(pkts))
            finally:
                proc.send_signal(signal.SIGTERM)
                rc = proc.wait(timeout=20)
        with open(stdout) as f:
            final = dsrtest.parse_summary(f.read())
        if rc != 0:
            errors.append("daemon exited %d" % rc)
        got = [bytes(p) for p in rdpcap(out_d)]
        ref = [bytes(p) for p in rdpcap(out_r)]
        if got != ref:
            errors.append("daemon output differs from the runner's: %d vs %d frames" %
                          (len(got), len(ref)))
        lb = bytes.fromhex(fx.LB_MAC.replace(":", ""))
        macs = {bytes.fromhex(fx.BACKENDS[b].replace(":", "")) for b in ("b1", "b2")}
        flow_mac = {}
        for i, raw in enumerate(got):
            src = bytes(pkts[i])
            if raw[6:12] != lb or raw[0:6] not in macs or raw[12:] != src[12:]:
                errors.append("frame %d is not its input with the MACs changed" % i)
                break
            sport = Ether(raw)[TCP].sport
            if flow_mac.setdefault(sport, raw[0:6]) != raw[0:6]:
                errors.append("flow %d changed backend" % sport)
        used = set(flow_mac.values())
        checks = [
            ("live total rx-pkts", live["total rx-pkts"], len(pkts)),
            ("forwarded frames", len(got), NFLOWS * 4),
            ("exit total fwd-pkts", final["total fwd-pkts"], NFLOWS * 4),
            ("exit drop not-vip", final["drop not-vip count"], 1),
            ("exit drop ttl", final["drop ttl count"], 1),
            ("exit ct-new", final["event ct-new count"], NFLOWS),
            ("exit conns (FIN state)", final["total conns"], NFLOWS),
            ("port tx-pkts", final["port 0 tx-pkts"], NFLOWS * 4),
            ("backends used", len(used), 2),
        ]
        for name, g, w in checks:
            if g != w:
                errors.append("%s: expected %s, got %s" % (name, w, g))
        print("daemon forwarded %d frames over %d flows; b1/b2 flows: %s" % (
            len(got), len(flow_mac),
            [sum(1 for m in flow_mac.values() if m == x) for x in sorted(macs)]))
    for e in errors:
        print("FAIL " + e)
    print("%d passed, %d failed" % (0 if errors else 1, 1 if errors else 0))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
