#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Where each program's time per packet goes, testpmd macswap, l3fwd -E and
dsrlb side by side: the section 1 method (bench_fwd.py, bench_l3fwd.py)
in alternating rounds, with `perf record -C 1` (the forwarding core)
of the program's own process (`-p PID`) over each program's measurement
window.

This VM exposes no PMU (the kernel says "PMU not available due to
virtualization"), so `perf stat -e cache-misses,cycles` reports <not
supported> and `perf record` samples by the timer (cpu-clock). What
this gives instead, per program and flow count: ns per packet (the
window over the packets sent), the forwarding thread's CPU time per
packet (the same times its on-CPU share: what counts on a shared
machine), and that CPU time split by function from the samples, so
that the growth from few flows to many shows where each program's extra
time goes. The PMD and hash libraries are stripped: their samples are
summed per library. The on-CPU share is the forwarding thread's over
its window (telemetry.py): below 100%, something else ran on CPU 1.

usage: profile_peers.py BUILD_DIR [--flows N [N ...]] [--rounds R] [--no-perf]
  --flows N ...  established flows per case (default: 10000 1000000)
  --rounds R     rounds of testpmd, l3fwd, dsrlb in turn (default 2)
  --no-perf      rates only
Needs root, 2048 hugepages of 2 MB (tests/perf/run sets them up),
dpdk-doc and linux-perf.
"""

import argparse
import collections
import contextlib
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_fwd  # noqa: E402
import bench_l3fwd  # noqa: E402

WARMUP, WINDOW = 2.0, 3.0
PEERS = ("testpmd", "l3fwd", "dsrlb")
TOP = 12


@contextlib.contextmanager
def perf_record(path, pid):
    """perf record of pid on CPU 1 (the forwarding lcore) while the block runs."""
    p = subprocess.Popen(["perf", "record", "-q", "-C", "1", "-p", str(pid), "-o", path],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        p.send_signal(signal.SIGINT)
        p.wait(timeout=60)


def symbols(path):
    """{(dso, symbol): share of the samples} from a perf.data; a stripped
    library's samples (no symbol names) summed as (dso, "*")."""
    r = subprocess.run(["perf", "report", "-i", path, "--stdio", "--no-children",
                        "--sort", "dso,sym", "--percent-limit", "0"],
                       capture_output=True, text=True, timeout=300)
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*\S)", line)
        if m:
            sym = "*" if m.group(3).startswith("0x") else m.group(3)
            out[(m.group(2), sym)] = out.get((m.group(2), sym), 0) + float(m.group(1)) / 100
    return out


def measure(name, build, l3fwd, tmp, case, during):
    if name == "testpmd":
        return bench_fwd.testpmd_pps(bench_fwd.pcaps(tmp, case)[0], case.npkts, WARMUP,
                                     WINDOW, during=during)
    if name == "l3fwd":
        return bench_l3fwd.l3fwd_pps(l3fwd, tmp, case, WARMUP, WINDOW, during=during)
    r = bench_fwd.dsrlb_measure(build, tmp, case, WARMUP, WINDOW, during=during)
    return r["fwd_pps"], r["oncpu"]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build")
    ap.add_argument("--flows", type=int, nargs="+", default=[10000, 1000000])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-perf", action="store_true")
    args = ap.parse_args()
    print("load %.2f %.2f %.2f" % os.getloadavg(), flush=True)
    with tempfile.TemporaryDirectory(prefix="dsrlb-prof-") as tmp:
        l3fwd = bench_l3fwd.build(tmp)
        for flows in args.flows:
            case = bench_fwd.Case("fwd", flows, "ack")
            hit, miss = bench_l3fwd.check_hits(l3fwd, tmp, case)
            if miss or not hit:
                sys.exit("l3fwd's rules miss: %d hits, %d misses" % (hit, miss))
            rates, cpu_ns = collections.defaultdict(list), collections.defaultdict(list)
            ns = collections.defaultdict(lambda: collections.defaultdict(list))
            for r in range(args.rounds):
                for name in PEERS:
                    data = os.path.join(tmp, "perf-%s.data" % name)
                    pps, cpu = measure(name, args.build, l3fwd, tmp, case, None if args.no_perf
                                       else lambda pid: perf_record(data, pid))
                    rates[name].append(pps)
                    cpu_ns[name].append(cpu * 1e9 / pps)
                    if not args.no_perf:
                        for k, share in symbols(data).items():
                            ns[name][k].append(share * cpu_ns[name][-1])
                    print("%d flows round %d %s %.2f Mpps (%.1f ns/packet), on CPU %.0f%% "
                          "(%.1f ns of CPU/packet); load %.2f %.2f %.2f" % (
                              (flows, r + 1, name, pps / 1e6, 1e9 / pps, 100 * cpu,
                               cpu_ns[name][-1]) + os.getloadavg()), flush=True)
            med = {n: statistics.median(rates[n]) for n in PEERS}
            cmed = {n: statistics.median(cpu_ns[n]) for n in PEERS}
            print("%d flows, medians: %s; dsrlb / l3fwd %.2f (CPU time: %.2f), dsrlb / testpmd "
                  "%.2f (%.2f)" % (
                      flows, ", ".join("%s %.2f Mpps %.1f ns (CPU %.1f ns)" % (
                          n, med[n] / 1e6, 1e9 / med[n], cmed[n]) for n in PEERS),
                      med["dsrlb"] / med["l3fwd"], cmed["l3fwd"] / cmed["dsrlb"],
                      med["dsrlb"] / med["testpmd"], cmed["testpmd"] / cmed["dsrlb"]),
                  flush=True)
            for n in PEERS if not args.no_perf else ():
                top = sorted(ns[n].items(), key=lambda kv: -sum(kv[1]))[:TOP]
                print("  %s, ns of CPU per packet by function (mean of rounds):" % n)
                for (dso, sym), v in top:
                    print("    %6.2f  %s %s" % (sum(v) / args.rounds, dso, sym))
    print("load %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
