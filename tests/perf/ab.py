#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare two dsrlb builds on one forwarding case, in alternating rounds.

For measuring a change to the packet path against the version before it
(the "previous version" baseline): the same pcap, lcores and method as
tests/perf/run's section 1 (bench_fwd.py), the two builds taking turns so
that the machine's drift hits both. Optionally testpmd macswap too, and
the cycles by stage (dsrlb --record-cycles) of each build.

usage: ab.py BUILD_A BUILD_B [--flows N] [--kind K] [--rounds R] [--testpmd] [--l3fwd]
            [--cycles]
  BUILD_A, BUILD_B  build directories (e.g. one from `git worktree add`)
  --flows N         established flows (default 10000; 1000000 takes a
                    while to load)
  --kind K          ack (default: established flows), udp, churn (SYN, ACK, FIN+ACK per
                    flow: new connections); ack6, udp6, churn6 the same over IPv6 (a build
                    before `conntrack size6` gets conntrack size 4x instead, as before)
  --rounds R        rounds of A then B (default 3)
  --testpmd         testpmd macswap in each round too
  --l3fwd           l3fwd -E in each round too (bench_l3fwd.py builds it)
Each rate is followed by the forwarding thread's on-CPU share over its
window: below 100% something else ran on CPU 1 (the machine is shared);
below 90% the measurement is taken again (telemetry.steady()).
Needs root and 2048 hugepages of 2 MB, as tests/perf/run (which sets
them up). Prints each round and the median of each build, and B/A.
"""

import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_fwd  # noqa: E402
import bench_l3fwd  # noqa: E402
import gen_pcap  # noqa: E402
import telemetry  # noqa: E402

WARMUP, WINDOW = 2.0, 3.0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build_a")
    ap.add_argument("build_b")
    ap.add_argument("--flows", type=int, default=10000)
    ap.add_argument("--kind", choices=("ack", "udp", "churn", "ack6", "udp6", "churn6"), default="ack")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--testpmd", action="store_true")
    ap.add_argument("--l3fwd", action="store_true")
    ap.add_argument("--cycles", action="store_true")
    args = ap.parse_args()
    for b in (args.build_a, args.build_b):
        if not os.path.exists(os.path.join(b, "app/dsrlb/dsrlb")):
            sys.exit("ab.py: no app/dsrlb/dsrlb in %s (build it first)" % b)
    if not all(bench_fwd.has_size6(b) for b in (args.build_a, args.build_b)):
        bench_fwd.OLD_SIZES = True
        if args.kind in gen_pcap.V6_KINDS:
            print("a build without `conntrack size6`: both size the IPv6 table as a quarter "
                  "of conntrack size", flush=True)
    case = bench_fwd.Case({"ack": "fwd"}.get(args.kind, args.kind), args.flows, args.kind)
    rates = {"A": [], "B": [], "testpmd": [], "l3fwd": []}
    # Packets per second of the forwarding thread's time on its CPU: less
    # sensitive than the rate to others running on CPU 1 (still in the caches).
    oncpu = {"A": [], "B": []}
    with tempfile.TemporaryDirectory(prefix="dsrlb-ab-") as tmp:
        l3fwd = bench_l3fwd.build(tmp) if args.l3fwd else None
        for r in range(args.rounds):
            if args.testpmd:
                path, _ = bench_fwd.pcaps(tmp, case)
                pps, cpu = telemetry.steady("testpmd", lambda: bench_fwd.testpmd_pps(
                    path, case.npkts, WARMUP, WINDOW))
                rates["testpmd"].append(pps / 1e6)
                print("round %d testpmd %.2f Mpps, on CPU %.0f%%" % (r + 1, pps / 1e6, 100 * cpu),
                      flush=True)
            if l3fwd:
                pps, cpu = telemetry.steady("l3fwd", lambda: bench_l3fwd.l3fwd_pps(
                    l3fwd, tmp, case, WARMUP, WINDOW))
                rates["l3fwd"].append(pps / 1e6)
                print("round %d l3fwd %.2f Mpps, on CPU %.0f%%" % (r + 1, pps / 1e6, 100 * cpu),
                      flush=True)
            for name, build in (("A", args.build_a), ("B", args.build_b)):
                _, _, res = telemetry.steady(name, lambda: bench_fwd.dsrlb_rate(
                    build, tmp, case, WARMUP, WINDOW))
                rates[name].append(res["fwd_pps"] / 1e6)
                oncpu[name].append(res["fwd_pps"] / 1e6 / max(res["oncpu"], 0.01))
                print("round %d %s %.2f Mpps, on CPU %.0f%%" % (
                    r + 1, name, rates[name][-1], 100 * res["oncpu"]), flush=True)
        if args.cycles:
            for name, build in (("A", args.build_a), ("B", args.build_b)):
                cy = bench_fwd.dsrlb_measure(build, tmp, case, 1.0, 2.0,
                                             record_cycles=True)["cycles"]
                print("cycles %s: %s" % (name, ", ".join(
                    "%s %.1f" % (k, v) for k, v in cy.items())), flush=True)
    a, b = statistics.median(rates["A"]), statistics.median(rates["B"])
    print("median A %.2f Mpps, B %.2f Mpps, B/A %.3f" % (a, b, b / a))
    ca, cb = statistics.median(oncpu["A"]), statistics.median(oncpu["B"])
    print("median per second on CPU: A %.2f M, B %.2f M, B/A %.3f" % (ca, cb, cb / ca))
    for peer in ("testpmd", "l3fwd"):
        if rates[peer]:
            m = statistics.median(rates[peer])
            print("median %s %.2f Mpps: A %.2fx, B %.2fx" % (peer, m, a / m, b / m))
    print("load %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
