#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""dsrlb's benchmarks (tests/perf/run runs this; not part of CI).

1. forwarding Mpps on one core against dpdk-testpmd macswap and DPDK's
   l3fwd in exact-match mode, same pcap and core, 1k to 4M established
   flows (bench_fwd.py, bench_l3fwd.py; l3fwd is built from Debian's
   dpdk-doc in the run's temporary directory); IPv6 at 10k and 1M flows
   against testpmd;
2. new connections per second, and with a full table (bench_fwd.py);
   IPv6 churn too;
3. memory per connection entry, and for 10M entries, IPv4's and IPv6's
   tables (bench_fwd.py, bench_ct);
4. cycles per packet by stage, dsrlb --record-cycles (bench_fwd.py), and
   lib/fwd's stages alone, IPv4 against IPv6 (bench_fwd6);
5. real TCP in the namespace rig: wrk against nginx, direct, through
   dsrlb and through HAProxy, with balancer CPU per connection
   (bench_rig.py, rig_bench.sh).
Prints a summary and writes OUT.md (report.py) with perf-*.png beside it
(no plots when OUT.md is /dev/null).

usage: bench.py BUILD_DIR OUT.md [--quick] [--no-rig] [--json FILE]
  --quick      reduced flow counts, one round, short windows: checks the
               tooling in about two minutes; not for quoting
  --no-rig     skip item 5
  --json FILE  also save the raw results (report.py FILE OUT.md writes
               the report again from them)
"""

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_fwd  # noqa: E402
import bench_l3fwd  # noqa: E402
import bench_rig  # noqa: E402
import report  # noqa: E402
import telemetry  # noqa: E402

FULL = {"rounds": 2, "warmup": 2.0, "window": 3.0, "cyc_warmup": 1.0, "cyc_window": 2.0,
        "rig_secs": 10, "rig_rounds": 2}
QUICK = {"rounds": 1, "warmup": 0.5, "window": 1.0, "cyc_warmup": 0.5, "cyc_window": 1.0,
         "rig_secs": 2, "rig_rounds": 1}
MEMORY_SIZES = (10000000, 1 << 24)
# Cases that also get a run with --record-cycles (by name and flows).
CYCLES = {("fwd", 1000), ("fwd", 10000), ("fwd", 1000000), ("fwd", 4000000),
          ("churn", 100000), ("churn-full", 100000),
          ("churn", 10000), ("churn-full", 10000),
          ("fwd6", 10000), ("fwd6", 1000000), ("churn6", 100000), ("churn6", 10000)}


def cmd_out(args):
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) / 2**20
    return "%s, %d cores, %.0f GiB, Linux %s" % (cpu, os.cpu_count(), mem, platform.release())


def versions():
    v = ["DPDK " + (cmd_out(["pkg-config", "--modversion", "libdpdk"]) or "?")]
    h = cmd_out(["haproxy", "-v"]).split("\n")[0].split()
    if len(h) > 2:
        v.append("HAProxy " + h[2])
    n = subprocess.run(["nginx", "-v"], capture_output=True, text=True) \
        if shutil.which("nginx") else None
    if n:
        v.append(n.stderr.strip().replace("nginx version: ", "").replace("/", " "))
    d = cmd_out(["dpkg-query", "-W", "-f=${Version}", "dpdk-doc"])
    if d:
        v.append("l3fwd from dpdk-doc " + d)
    w = cmd_out(["dpkg-query", "-W", "-f=${Version}", "wrk"])
    if w:
        v.append("wrk " + w)
    return ", ".join(v)


def load():
    """The 1, 5 and 15 minute load averages (the machine is shared)."""
    return list(os.getloadavg())


def run_case(build, tmp, case, p, l3fwd):
    """Rounds of testpmd, l3fwd (forwarding cases, when l3fwd is given)
    and dsrlb in turn. Each rate comes with the on-CPU share of the
    program's forwarding thread over its window (oncpu: below 1 when
    something else ran on the forwarding CPU)."""
    tp, l3, lb, oncpu, hits = [], [], [], [], None
    l3fwd = l3fwd if case.name in ("fwd", "udp") else None
    if l3fwd:
        hits = bench_l3fwd.check_hits(l3fwd, tmp, case)
        print("%s: l3fwd's lookups: %d hits, %d misses" % ((case.label,) + hits), flush=True)
        if hits[1] or not hits[0]:
            raise RuntimeError("l3fwd's rules do not match %s's pcap" % case.label)
    for r in range(p["rounds"]):
        pps, cpu = telemetry.steady("testpmd", lambda: bench_fwd.testpmd_pps(
            bench_fwd.pcaps(tmp, case)[0], case.npkts, p["warmup"], p["window"]))
        tp.append(pps)
        oncpu.append(cpu)
        if l3fwd:
            pps, cpu = telemetry.steady("l3fwd", lambda: bench_l3fwd.l3fwd_pps(
                l3fwd, tmp, case, p["warmup"], p["window"]))
            l3.append(pps)
            oncpu.append(cpu)
        _, _, last = telemetry.steady("dsrlb", lambda: bench_fwd.dsrlb_rate(
            build, tmp, case, p["warmup"], p["window"]))
        lb.append(last)
        oncpu.append(last["oncpu"])
        print("%s round %d: testpmd %.2f Mpps,%s dsrlb %.2f Mpps (its own count %.2f), "
              "new conns %.2f M/s, ct-full %.2f M/s, drops %d, live entries %d%s; "
              "on CPU %s; load %.2f %.2f %.2f" % ((
                  case.label, r + 1, tp[-1] / 1e6,
                  " l3fwd-em %.2f Mpps," % (l3[-1] / 1e6) if l3fwd else "",
                  last["fwd_pps"] / 1e6, last["own_fwd_pps"] / 1e6,
                  last["ct_new"] / 1e6, last["ct_full"] / 1e6, last["drops"], last["conns"],
                  ", table filled in %.1f s" % last["fill_s"] if last["fill_s"] else "",
                  " ".join("%.0f%%" % (100 * c) for c in oncpu[-(3 if l3fwd else 2):])) +
                  tuple(load())), flush=True)
    return {"name": case.name, "label": case.label, "flows": case.flows, "sample": case.sample,
            "npkts": case.npkts, "conntrack": case.conntrack, "load": load(),
            "tp": statistics.mean(tp), "lb": statistics.mean(x["fwd_pps"] for x in lb),
            "l3": statistics.mean(l3) if l3 else None, "l3_hits": hits,
            "rounds_tp": tp, "rounds_l3": l3, "rounds_lb": [x["fwd_pps"] for x in lb],
            "oncpu_min": min(oncpu),
            "ct_new": statistics.mean(x["ct_new"] for x in lb),
            "ct_full": statistics.mean(x["ct_full"] for x in lb),
            "conns_per_s": statistics.mean(x["conns_per_s"] for x in lb)
            if "conns_per_s" in last else None,
            "conns": last["conns"], "fill_s": last["fill_s"], "entry_bytes": last["entry_bytes"]}


def main():
    argv = sys.argv[1:]
    json_out = None
    if "--json" in argv:
        i = argv.index("--json")
        json_out = argv[i + 1] if i + 1 < len(argv) else None
        del argv[i:i + 2]
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2 or ("--json" in sys.argv and not json_out):
        print(__doc__, file=sys.stderr)
        return 2
    build, out_md = os.path.abspath(args[0]), args[1]
    quick = "--quick" in sys.argv
    p = QUICK if quick else FULL
    t0 = time.time()
    res = {"quick": quick, "machine": machine(), "versions": versions(),
           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), **p,
           "haproxy_version": (cmd_out(["haproxy", "-v"]).split() + ["", "", ""])[2],
           "cases": [], "cycles": {}, "load_start": load()}
    with tempfile.TemporaryDirectory(prefix="dsrlb-bench-") as tmp:
        l3fwd = bench_l3fwd.build(tmp)
        res["memory"], res["tsc_hz"] = bench_fwd.memory(build, tmp, MEMORY_SIZES)
        for m in res["memory"]:
            print("memory: conntrack size %d: %d MB (%d bytes per entry) logged, %.1f MiB "
                  "computed; IPv6 (size6 %d): %d MB (%d bytes per entry) logged, %.1f MiB "
                  "computed" % (m["entries"], m["log_mb"], m["log_bytes"], m["bytes"] / 2**20,
                                m["entries"], m["log_mb6"], m["log_bytes6"],
                                m["bytes6"] / 2**20), flush=True)
        cases = bench_fwd.cases(quick)
        for case in cases:
            res["cases"].append(run_case(build, tmp, case, p, l3fwd))
            print("[%.0f s] %s done" % (time.time() - t0, case.label), flush=True)
        for case in cases:
            if (case.name, case.flows) not in CYCLES:
                continue
            c = bench_fwd.dsrlb_measure(build, tmp, case, p["cyc_warmup"], p["cyc_window"],
                                        record_cycles=True)
            c["wall_cycles"] = (res["tsc_hz"] or 0) / c["fwd_pps"] if c["fwd_pps"] else 0.0
            res["cycles"][case.label] = c
            print("[%.0f s] cycles %s: %s" % (time.time() - t0, case.label, ", ".join(
                "%s %.1f" % kv for kv in c["cycles"].items())), flush=True)
        # Where IPv6's cycles go: lib/fwd alone (no DPDK), IPv4 against IPv6.
        res["split6"] = [bench_fwd.fwd_split(build, f, n) for f, n in
                         ((10000, 200), (1000000, 3)) if not quick or f == 10000]
        for sp in res["split6"]:
            print("[%.0f s] lib/fwd at %d flows: %s" % (time.time() - t0, sp["flows"], ", ".join(
                "%s %.1f + %.1f" % (k, v["s1"], v["s2"]) for k, v in sp.items()
                if isinstance(v, dict) and "s1" in v)), flush=True)
        if "--no-rig" in sys.argv:
            res["rig"] = {"skipped": "--no-rig"}
        elif bench_rig.missing_tools():
            res["rig"] = {"skipped": "missing " + ", ".join(bench_rig.missing_tools())}
            print("rig: skipped, %s" % res["rig"]["skipped"], flush=True)
        else:
            try:
                res["rig"] = bench_rig.run(build, tmp, p["rig_secs"], p["rig_rounds"],
                                           res["tsc_hz"] or 1e9)
            except (RuntimeError, OSError, subprocess.SubprocessError, ValueError) as e:
                res["rig"] = {"skipped": "failed: %s" % e}
                print("rig: %s" % res["rig"]["skipped"], flush=True)
    res["duration_s"] = time.time() - t0
    res["load_end"] = load()
    if json_out:
        with open(json_out, "w") as f:
            json.dump(res, f, indent=1)
    print(report.console_table(res))
    pngs = report.write(res, out_md)
    print("wrote %s%s in %.1f minutes" % (
        out_md, " and " + ", ".join(sorted(pngs)) if pngs else "", res["duration_s"] / 60))
    return 0


if __name__ == "__main__":
    sys.exit(main())
