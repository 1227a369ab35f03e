# SPDX-License-Identifier: BSD-3-Clause
"""Real TCP on the namespace rig: runs rig_bench.sh and reads what it
wrote. Used by bench.py.

Balancer CPU, counted per path. CPU 1 is the balancer's alone, and RPS
moves the kernel's processing of what it sends to the other CPUs (see
rig_bench.sh).
- dsrlb: its worker polls without pause, so its core counts as busy only
  for the cycles it spent on packets: with --record-cycles, the worker
  times each non-empty burst (rte_eth_rx_burst, parse, table, tx);
  sum(cycles-STAGE) * cycles-pkts, before and after, over the TSC
  frequency. Plus the CPU time of its other threads (main lcore: control
  socket, ARP; /proc/PID/task/TID/stat utime+stime).
  rdtsc counts wall time: if something else preempts the worker in a
  burst, the count includes it. The report therefore also gives the
  worker's time spent runnable but not running (schedstat), and a second
  estimate that does not depend on it: the worker's on-CPU time
  (schedstat) minus its empty polls at the cost measured in the 0.5 s
  with no traffic just before the run.
- HAProxy: utime + stime of its process (/proc/PID/stat): its own work
  and its system calls; for a check, its schedstat run time.
"""

import os
import re
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = ("wrk", "nginx", "haproxy", "curl", "taskset")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PATHS = ("direct", "dsrlb", "haproxy")
WORKLOADS = ("small", "1mb")


def missing_tools():
    return [t for t in TOOLS if shutil.which(t) is None]


def run(build, tmp, secs, rounds, tsc_hz):
    out = os.path.join(tmp, "rig")
    shutil.rmtree(out, ignore_errors=True)
    budget = rounds * 3 * 2 * (secs + 10) + 120
    p = subprocess.run(["bash", os.path.join(HERE, "rig_bench.sh"), build, out, str(secs),
                        str(rounds)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=budget)
    print(p.stdout, end="", flush=True)
    if p.returncode != 0:
        raise RuntimeError("rig_bench.sh failed (%d)" % p.returncode)
    return parse(out, tsc_hz, secs, rounds)


def _read(path):
    with open(path) as f:
        return f.read()


def _size(v, unit):
    return float(v) * {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30,
                       "TB": 1 << 40}[unit]


def parse_wrk(text):
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m), ([\d.]+)(B|KB|MB|GB|TB) read", text)
    if not m:
        raise RuntimeError("cannot read wrk's output:\n" + text)
    secs = float(m.group(2)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[m.group(3)]
    res = {"requests": int(m.group(1)), "secs": secs, "bytes": _size(m.group(4), m.group(5)),
           "errors": 0}
    e = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if e:
        res["errors"] += sum(int(x) for x in e.groups())
    e = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if e:
        res["errors"] += int(e.group(1))
    return res


def task_times(path):
    """{comm: (utime + stime) in seconds} summed by thread name."""
    out = {}
    for line in _read(path).splitlines():
        comm = line[line.index("(") + 1:line.rindex(")")]
        f = line[line.rindex(")") + 2:].split()
        # after the name: state(0) ppid pgrp session tty tpgid flags minflt
        # cminflt majflt cmajflt utime(11) stime(12)
        out[comm] = out.get(comm, 0.0) + (int(f[11]) + int(f[12])) / CLK_TCK
    return out


def sched(path):
    """{comm: (on-CPU s, runnable-waiting s)} from TID COMM schedstat lines."""
    out = {}
    for line in _read(path).splitlines():
        _, comm, run_ns, wait_ns, _ = line.split()
        out[comm] = (int(run_ns) / 1e9, int(wait_ns) / 1e9)
    return out


def worker_row(path):
    import json
    return json.loads(_read(path))["rows"][0]


def packet_cycles(row):
    n = row.get("cycles-pkts", 0)
    return n * sum(row.get("cycles-" + s, 0.0) for s in ("rx", "parse", "table", "tx"))


def is_worker(comm):
    return "worker" in comm


def parse(out, tsc_hz, secs, rounds):
    runs = []
    for line in _read(os.path.join(out, "runs")).splitlines():
        r, path, wl = line.split()
        p = os.path.join(out, "%s-%s-%s" % (r, path, wl))
        w = parse_wrk(_read(p + ".wrk"))
        res = {"round": int(r), "path": path, "workload": wl, **w}
        if path == "dsrlb":
            a, b, i = worker_row(p + ".a.json"), worker_row(p + ".b.json"), \
                worker_row(p + ".i.json")
            ta, tb = task_times(p + ".a.stat"), task_times(p + ".b.stat")
            sa, sb, si = sched(p + ".a.sched"), sched(p + ".b.sched"), sched(p + ".i.sched")
            wk = [c for c in sb if is_worker(c)][0]
            pkts = b["cycles-pkts"] - a["cycles-pkts"]
            cyc = packet_cycles(b) - packet_cycles(a)
            other = sum(tb[c] - ta.get(c, 0.0) for c in tb if not is_worker(c))
            res["packets"] = pkts
            res["pkt_cycles"] = cyc / pkts if pkts else 0.0
            res["stages"] = {s: (b.get("cycles-" + s, 0) * b["cycles-pkts"] -
                                 a.get("cycles-" + s, 0) * a["cycles-pkts"]) / max(1, pkts)
                             for s in ("rx", "parse", "table", "maglev", "tx")}
            res["cpu_pkts"] = cyc / tsc_hz
            res["cpu_other"] = other
            res["cpu"] = res["cpu_pkts"] + other
            res["worker_wait"] = sb[wk][1] - sa[wk][1]
            # Second estimate: on-CPU time minus empty polls at their cost.
            idle_polls = a["polls"] - i["polls"] - (a["busy-polls"] - i["busy-polls"])
            idle_run = sa[wk][0] - si[wk][0]
            per_poll = idle_run / idle_polls if idle_polls > 0 else 0.0
            empty = (b["polls"] - a["polls"]) - (b["busy-polls"] - a["busy-polls"])
            res["cpu_oncpu"] = max(0.0, (sb[wk][0] - sa[wk][0]) - empty * per_poll) + other
            res["empty_poll_ns"] = per_poll * 1e9
        elif path == "haproxy":
            ta, tb = task_times(p + ".a.stat"), task_times(p + ".b.stat")
            sa, sb = sched(p + ".a.sched"), sched(p + ".b.sched")
            res["cpu"] = sum(tb.values()) - sum(ta.values())
            res["cpu_oncpu"] = sum(v[0] for v in sb.values()) - sum(v[0] for v in sa.values())
            res["worker_wait"] = sum(v[1] for v in sb.values()) - sum(v[1] for v in sa.values())
        runs.append(res)
    return {"runs": runs, "summary": summarize(runs), "secs": secs, "rounds": rounds}


def summarize(runs):
    """Per path and workload: sums over the rounds."""
    out = {}
    for path in PATHS:
        for wl in WORKLOADS:
            rs = [r for r in runs if r["path"] == path and r["workload"] == wl]
            if not rs:
                continue
            t = sum(r["secs"] for r in rs)
            n = sum(r["requests"] for r in rs)
            s = {"path": path, "workload": wl, "conns_per_s": n / t, "secs": t,
                 "bytes_per_s": sum(r["bytes"] for r in rs) / t, "conns": n,
                 "errors": sum(r["errors"] for r in rs)}
            if "cpu" in rs[0]:
                for k in ("cpu", "cpu_oncpu", "worker_wait"):
                    s[k] = sum(r[k] for r in rs)
                s["cpu_ms_per_kconn"] = 1e6 * s["cpu"] / n if n else None
                s["oncpu_ms_per_kconn"] = 1e6 * s["cpu_oncpu"] / n if n else None
                s["cpu_share"] = s["cpu"] / t
            if path == "dsrlb":
                pk = sum(r["packets"] for r in rs)
                s["pkts_per_conn"] = pk / n if n else None
                s["pkt_cycles"] = sum(r["pkt_cycles"] * r["packets"] for r in rs) / max(1, pk)
                s["stages"] = {st: sum(r["stages"][st] * r["packets"] for r in rs) / max(1, pk)
                               for st in rs[0]["stages"]}
                s["cpu_other"] = sum(r["cpu_other"] for r in rs)
            out["%s %s" % (path, wl)] = s
    return out
