#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""SYN flood against the real daemon (not run by CI; tests/flood is the CI test).

usage: flood_daemon.py BUILD [--syns N] [--est N] [--conntrack N] [--seconds S]
                       [--syn-timeout S] [--mem MB]

dsrlb runs on one worker (lcore 1; main lcore 0) with one net_pcap port
replaying, from memory and forever (infinite_rx=1; what it sends is
dropped), a pcap of: EST flows' SYN then their ACK (198.18.0.0 + j, port
1024 + j), then N unique SYNs (100.64.0.0/10 + i, port 2048 + ...), with
one ACK of an established flow after every 10 SYNs, in turn. Each pass
repeats the same SYNs: a table far smaller than N stays full of SYN
entries (ct-full counts what Maglev forwards alone). A SYN timeout does
not show here: a pass takes well under a second, and each repeated SYN
refreshes its own entry (tests/flood, in simulated time, shows it).
After a warm-up a fifth backend is added (dsrlbctl),
so that an established flow that lost its entry would move. The window's
rates come from two `dsrlbctl --json show stats` snapshots.

Reports the frames and SYN frames per second the worker held (one core),
ct-new/ct-full/ct-expired per second, drops, the table's fill, the
daemon's VmRSS at start-up, after the warm-up and at the end, and whether
every established flow's entry is still in `dsrlbctl show conns`,
established, on the backend it had before the flood and the backend
change. Exits 1 if an established entry is missing or moved, a frame was
dropped, or VmRSS grew by more than 1 MiB after the warm-up.
EAL memory is --no-huge (-m MB; by default sized from the pcap: its
frames all sit in mbufs, about 2.3 KB each).
"""

import argparse
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_fwd  # noqa: E402  (stop_process)
import gen_pcap  # noqa: E402  (frame layout, shared with the benchmarks)

VIP = "10.0.0.100"
EST_BASE = 0xC6120000  # 198.18.0.0
SYN_BASE = 0x64400000  # 100.64.0.0/10
SYN_PER_ACK = 10
BACKENDS = ["10.0.0.21", "10.0.0.22", "10.0.0.23", "10.0.0.24"]
NEW_BACKEND = "10.0.0.25"


def write_pcap(path, nsyn, nest):
    """The replayed pcap; returns (frames, SYN frames of the flood part)."""
    vip = socket.inet_aton(VIP)
    syn_t = gen_pcap.frame(b"\0\0\0\0", 0, vip, 6, 0x02)
    ack_t = gen_pcap.frame(b"\0\0\0\0", 0, vip, 6, 0x10)
    base = {}
    for t in (syn_t, ack_t):
        # the template's IP checksum, un-complemented (source 0.0.0.0)
        base[t] = (~int.from_bytes(t[24:26], "big")) & 0xFFFF
    rec = struct.Struct("<IIII")
    n = 0

    def put(f, t, src, sport):
        nonlocal n
        fr = bytearray(t)
        s = base[t] + (src >> 16) + (src & 0xFFFF)
        s = (s & 0xFFFF) + (s >> 16)
        s = (s & 0xFFFF) + (s >> 16)
        fr[24:26] = ((~s) & 0xFFFF).to_bytes(2, "big")
        fr[26:30] = src.to_bytes(4, "big")
        fr[34:36] = sport.to_bytes(2, "big")
        f.write(rec.pack(1700000000, n % 1000000, len(fr), len(fr)))
        f.write(fr)
        n += 1

    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t in (syn_t, ack_t):
            for j in range(nest):
                put(f, t, EST_BASE + j, 1024 + j)
        a = 0
        for i in range(nsyn):
            put(f, syn_t, SYN_BASE + i, 2048 + (i * 7919) % 63000)
            if i % SYN_PER_ACK == SYN_PER_ACK - 1:
                put(f, ack_t, EST_BASE + a, 1024 + a)
                a = (a + 1) % nest
    return n, nsyn


class Lb:
    def __init__(self, build, tmp, args, pcap, nframes):
        self.ctl = os.path.join(build, "app/dsrlbctl/dsrlbctl")
        self.sock = os.path.join(tmp, "ctl.sock")
        conf = os.path.join(tmp, "flood.conf")
        with open(conf, "w") as f:
            f.write("port 0 address 10.0.0.2/24\n")
            f.write("conntrack size %d\n" % args.conntrack)
            f.write("timeout set tcp-syn %d\n" % args.syn_timeout)
            f.write("vip add %s:80/tcp\n" % VIP)
            for i, b in enumerate(BACKENDS):
                f.write("backend add %s:80/tcp %s mac 02:00:00:00:b1:%02x\n" % (VIP, b, i + 1))
        self.err = os.path.join(tmp, "dsrlb.err")
        cmd = [os.path.join(build, "app/dsrlb/dsrlb"), "-l", "0,1", "--no-pci", "--no-telemetry",
               "--no-huge", "-m", str(args.mem), "--file-prefix",
               "flood-%d" % os.getpid(), "--vdev",
               "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap, "--", "-f", conf, "--socket",
               self.sock, "--mbufs", str(nframes + 65536)]
        with open(os.path.join(tmp, "dsrlb.out"), "w") as so, open(self.err, "w") as se:
            self.p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=so, stderr=se)
        deadline = time.time() + 180
        while "dsrlb running" not in self.log():
            if self.p.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("dsrlb did not start:\n" + self.log()[-3000:])
            time.sleep(0.2)

    def log(self):
        with open(self.err) as f:
            return f.read()

    def stop(self):
        bench_fwd.stop_process(self.p)

    def run(self, *words, js=True):
        r = subprocess.run([self.ctl, "-s", self.sock] + (["--json"] if js else []) +
                           list(words), capture_output=True, text=True, timeout=60, check=True)
        return json.loads(r.stdout) if js else r.stdout

    def stats(self):
        out = {}
        for row in self.run("show", "stats")["rows"]:
            kind = row.pop("kind")
            for k, v in row.items():
                out["%s %s" % (kind, k)] = v
        return out

    def est_conns(self, nest):
        """{client: (backend, state, idle-ms)} of the established flows."""
        want = {"%s:%d" % (socket.inet_ntoa(struct.pack("!I", EST_BASE + j)), 1024 + j)
                for j in range(nest)}
        got = {}
        for row in self.run("show", "conns")["rows"]:
            if row.get("kind") == "conn" and row.get("client") in want:
                # idle-ms is now - last_seen in u32: an entry touched after
                # the walk read its clock shows as 2^32 - a few ms.
                idle = row["idle-ms"]
                got[row["client"]] = (row["backend"], row["state"],
                                      idle - (1 << 32) if idle >= 1 << 31 else idle)
        return got

    def rss_kb(self):
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return -1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("--syns", type=int, default=500000, help="unique SYNs per pass")
    ap.add_argument("--est", type=int, default=1000, help="established flows")
    ap.add_argument("--conntrack", type=int, default=65536)
    ap.add_argument("--seconds", type=float, default=10, help="measured window")
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--syn-timeout", type=int, default=30)
    ap.add_argument("--mem", type=int, default=0, help="EAL -m, MB (0: from the pcap)")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="dsrlb-flood.")
    try:
        return flood(a, tmp)
    finally:
        subprocess.run(["rm", "-rf", tmp], check=False)


def flood(a, tmp):
    pcap = os.path.join(tmp, "flood.pcap")
    t = time.time()
    nframes, nsyn = write_pcap(pcap, a.syns, a.est)
    syn_share = (nsyn + a.est) / nframes
    print("pcap: %d frames (%d unique flood SYNs, %d established flows, 1 ACK per %d SYNs), "
          "written in %.1f s" % (nframes, nsyn, a.est, SYN_PER_ACK, time.time() - t))
    if not a.mem:
        a.mem = (nframes + 65536) * 2304 * 3 // 2 // (1 << 20) + 512
    lb = Lb(a.build, tmp, a, pcap, nframes)
    bad = []
    try:
        rss0 = lb.rss_kb()
        time.sleep(a.warmup)
        before = lb.est_conns(a.est)
        lb.run("backend", "add", "%s:80/tcp" % VIP, NEW_BACKEND, "mac", "02:00:00:00:b1:05",
               js=False)
        rss1 = lb.rss_kb()
        s0 = lb.stats()
        time.sleep(a.seconds)
        s1 = lb.stats()
        after = lb.est_conns(a.est)
        rss2 = lb.rss_kb()
    finally:
        lb.stop()
    dt = (s1["stats uptime-ms"] - s0["stats uptime-ms"]) / 1000.0

    def rate(k):
        return (s1.get(k, 0) - s0.get(k, 0)) / dt

    rx = rate("worker 0 rx-pkts")
    print("worker 0 (one core) over %.1f s: %.2f M frames/s received, %.2f M forwarded; "
          "%.2f M SYN frames/s" % (dt, rx / 1e6, rate("worker 0 fwd-pkts") / 1e6,
                                   rx * syn_share / 1e6))
    print("per second: ct-new %.0f, ct-full %.0f, ct-expired %.0f; drops in the window %d; "
          "table %d of %d" % (rate("event ct-new count"), rate("event ct-full count"),
                              rate("event ct-expired count"),
                              s1["total drops"] - s0["total drops"], s1["worker 0 conns"],
                              s1["worker 0 capacity"]))
    print("totals: ct-new %d, ct-full %d, ct-expired %d" % (
        s1.get("event ct-new count", 0), s1.get("event ct-full count", 0),
        s1.get("event ct-expired count", 0)))
    print("VmRSS: %d KiB at start-up, %d after the warm-up, %d at the end" % (rss0, rss1, rss2))
    missing = [c for c in before if c not in after]
    moved = [c for c in before if c in after and after[c][0] != before[c][0]]
    not_est = [c for c in after if after[c][1] != "established"]
    idle = max((v[2] for v in after.values()), default=0)
    print("established flows: %d of %d in show conns before, %d after; %d moved, %d not "
          "established; largest idle %d ms" % (len(before), a.est, len(after), len(moved),
                                               len(not_est), idle))
    if len(before) != a.est or missing or moved or not_est:
        bad.append("established entries missing or changed")
    if s1["total drops"] - s0["total drops"]:
        bad.append("drops during the flood")
    if rss2 - rss1 > 1024:
        bad.append("VmRSS grew by %d KiB" % (rss2 - rss1))
    print("FAIL: " + "; ".join(bad) if bad else "ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
