#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Forwarding and churn benchmarks against dpdk-testpmd, in the same run.

Each case replays one pcap from memory (net_pcap infinite_rx=1, transmit
dropped) into one worker on lcore 1 (main lcore 0), first through
dpdk-testpmd --forward-mode=macswap, then through dsrlb, alternating for
ROUNDS rounds, and reports packets per second of each and their ratio.
The machine is shared and noisy: only the ratio is meaningful.

usage: bench.py BUILD_DIR OUT.md [--quick]
"""

import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
import dsrtest  # noqa: E402

ROUNDS = 2
WARMUP = 2.0   # seconds before measuring (first pass creates the entries)
WINDOW = 3.0   # seconds measured
EAL = ["-l", "0,1", "--no-pci", "--no-telemetry", "--in-memory"]

CONF = """\
port 0 address 10.0.0.2/24
conntrack size %d
timeout set tcp-fin 60
vip add 10.0.0.100:80/tcp
backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01
backend add 10.0.0.100:80/tcp 10.0.0.22 mac 02:00:00:00:b1:02
backend add 10.0.0.100:80/tcp 10.0.0.23 mac 02:00:00:00:b1:03
backend add 10.0.0.100:80/tcp 10.0.0.24 mac 02:00:00:00:b1:04
"""


def pcap(tmp, flows, kind):
    path = os.path.join(tmp, "%s-%d.pcap" % (kind, flows))
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_pcap.py"), path, str(flows),
                        kind], check=True)
    return path


def testpmd_pps(path, npkts):
    cmd = ["dpdk-testpmd"] + EAL + ["--file-prefix", "bench-tp", "--vdev",
                                    "net_pcap0,rx_pcap=%s,infinite_rx=1" % path, "--",
                                    "--forward-mode=macswap", "--nb-cores=1",
                                    "--total-num-mbufs=%d" % (npkts + 65536),
                                    "--stats-period=1"]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    rates, tail = [], []

    def read():
        for line in p.stdout:
            tail.append(line)
            m = re.search(r"Rx-pps:\s+(\d+)", line)
            if m and int(m.group(1)) > 0:
                rates.append(int(m.group(1)))

    t = threading.Thread(target=read, daemon=True)
    t.start()
    # Loading a large pcap takes a while before rates appear: wait for
    # the warm-up samples plus the window, whatever the load took.
    need = int(WARMUP + WINDOW) + 1
    deadline = time.time() + 120
    while len(rates) < need and time.time() < deadline and p.poll() is None:
        time.sleep(0.2)
    p.send_signal(signal.SIGINT)
    p.wait(timeout=60)
    t.join(timeout=5)
    if len(rates) < need:
        raise RuntimeError("testpmd gave too few rates:\n" + "".join(tail[-40:]))
    return statistics.median(rates[-int(WINDOW):])


def dsrlb_run(build, path, npkts, flows, tmp):
    conf = os.path.join(tmp, "bench.conf")
    with open(conf, "w") as f:
        f.write(CONF % max(1024, 1 << (2 * flows - 1).bit_length()))
    out = os.path.join(tmp, "dsrlb.out")
    err = os.path.join(tmp, "dsrlb.err")
    with open(out, "w") as so, open(err, "w") as se:
        p = subprocess.Popen([os.path.join(build, "app/dsrlb/dsrlb")] + EAL +
                             ["--file-prefix", "bench-lb", "--vdev",
                              "net_pcap0,rx_pcap=%s,infinite_rx=1" % path, "--", "-f", conf,
                              "--socket", os.path.join(tmp, "ctl.sock"),
                              "--mbufs", str(npkts + 65536)], stdout=so, stderr=se)
    deadline = time.time() + 60
    while "dsrlb running" not in open(err).read():
        if p.poll() is not None or time.time() > deadline:
            raise RuntimeError("dsrlb did not start:\n" + open(err).read())
        time.sleep(0.1)
    time.sleep(WARMUP)
    samples = []
    for _ in range(2):
        p.send_signal(signal.SIGUSR1)
        time.sleep(0.2)
        samples.append(dsrtest.parse_summary(open(out).read()))
        time.sleep(WINDOW)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)
    a, b = samples
    dt = (b["stats uptime-ms"] - a["stats uptime-ms"]) / 1000.0
    res = {k: (b[k] - a[k]) / dt for k in ("worker 0 rx-pkts", "event ct-new count",
                                          "worker 0 fwd-pkts")}
    res["drops"] = b["total drops"]
    res["conns"] = b["total conns"]
    m = re.search(r"\((\d+) bytes per entry\)", open(err).read())
    res["entry_bytes"] = int(m.group(1)) if m else None
    return res


def machine():
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return "%s, %d cores, Linux %s, %s" % (cpu, os.cpu_count(), platform.release(),
                                          time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))


def main():
    build, out_md = sys.argv[1], sys.argv[2]
    quick = "--quick" in sys.argv
    cases = [("fwd", 10000, "ack"), ("fwd", 100000, "ack"), ("fwd", 1000000, "ack"),
             ("churn", 100000, "churn")]
    if quick:
        cases = cases[:1]
    rows = []
    with tempfile.TemporaryDirectory(prefix="dsrlb-bench-") as tmp:
        for name, flows, kind in cases:
            path = pcap(tmp, flows, kind)
            npkts = flows * (3 if kind == "churn" else 1)
            tp, lb, conns, entry = [], [], [], None
            for r in range(ROUNDS):
                tp.append(testpmd_pps(path, npkts))
                res = dsrlb_run(build, path, npkts, flows, tmp)
                lb.append(res["worker 0 fwd-pkts"])
                conns.append(res["event ct-new count"])
                entry = res["entry_bytes"]
                print("%s %d flows round %d: testpmd %.2f Mpps, dsrlb %.2f Mpps, "
                      "new conns %.2f M/s, drops %d, live entries %d" % (
                          name, flows, r + 1, tp[-1] / 1e6, lb[-1] / 1e6, conns[-1] / 1e6,
                          res["drops"], res["conns"]), flush=True)
            rows.append((name, flows, statistics.mean(tp), statistics.mean(lb),
                         statistics.mean(conns), entry))
    lines = ["| case | flows | testpmd macswap Mpps | dsrlb Mpps | ratio | new conns/s | bytes/entry |",
             "|---|---|---|---|---|---|---|"]
    for name, flows, tp, lb, conns, entry in rows:
        lines.append("| %s | %d | %.2f | %.2f | %.2f | %s | %s |" % (
            name, flows, tp / 1e6, lb / 1e6, lb / tp,
            "%.2f M" % (conns / 1e6) if name == "churn" else "-", entry))
    table = "\n".join(lines)
    print(table)
    with open(out_md, "w") as f:
        f.write(REPORT.format(machine=machine(), table=table, rounds=ROUNDS, window=WINDOW,
                              warmup=WARMUP))
    return 0


REPORT = """# dsrlb performance

Measured by `tests/perf/run` on {machine}.
These machines are shared virtual machines: absolute numbers move from run
to run, so every dsrlb number sits next to dpdk-testpmd measured in the
same run, on the same pcap and the same cores, and the ratio is what counts.

## Method

- One worker on lcore 1, main lcore 0, hugepages (`--in-memory`).
- Traffic: `net_pcap0,rx_pcap=FILE,infinite_rx=1` replays the pcap from
  memory forever; with no `tx_pcap` the port drops what is transmitted.
  The pcaps come from `tests/perf/gen_pcap.py`: 64-byte frames, flow i from
  100.64.0.0 + i, to one TCP VIP with four backends.
- `fwd`: one ACK per flow. The first pass creates an entry per flow (a
  mid-flow pick-up); every later pass finds it. So the table holds exactly
  FLOWS established entries while measured.
- `churn`: SYN, ACK, FIN+ACK per flow. On the first pass every SYN creates
  an entry; on later passes each SYN finds its flow's entry in the FIN state
  and starts a new connection there (remove, Maglev, insert): `new conns/s`
  is the rate of `ct-new`.
- Baseline: `dpdk-testpmd --forward-mode=macswap --nb-cores=1` on the same
  pcap and lcores, median of its per-second `Rx-pps` over the window.
- dsrlb: forwarded packets per second from two SIGUSR1 counter dumps
  {window:.0f} s apart, after {warmup:.0f} s of warm-up.
- {rounds} rounds, testpmd and dsrlb alternating; the table shows the means.
- Bytes per entry: the connection table's memory divided by its capacity
  (buckets of 64 bytes, three 20-byte entries each, sized for at most 80%
  load), as dsrlb logs at start.

## Results

{table}

## Numbers others publish (not measured here)

- DPVS v1.9.2: 200k new connections/s and 2.9 Mpps UDP per worker.
- VPP lb plugin: more than 3 Mpps per core with 1M flows.
- Katran: caps table inserts at 125k new connections/s per core.
- Maglev (paper): about 350 ns per packet.
"""

if __name__ == "__main__":
    sys.exit(main())
