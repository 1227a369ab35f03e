# SPDX-License-Identifier: BSD-3-Clause
"""Single-core benchmarks on replayed pcaps: forwarding, connection churn,
cycles by stage, memory per entry. Used by bench.py.

Every case replays one pcap from memory (net_pcap infinite_rx=1, transmit
dropped) into one worker on lcore 1 (main lcore 0): dpdk-testpmd
--forward-mode=macswap, l3fwd -E (bench_l3fwd.py) and dsrlb in
alternation, on the same pcap. Every program's packet rate is its port
0's opackets over the same window, through DPDK telemetry (telemetry.py).
dsrlb's own counters (connections created, table full) come from two
`dsrlbctl --json show stats` snapshots taken right after the telemetry
ones (the daemon's uptime-ms gives their interval).
"""

import json
import os
import re
import signal
import subprocess
import threading
import time

import gen_pcap
import telemetry

# Telemetry stays on: the rates are read through it.
EAL = ["-l", "0,1", "--no-pci", "--in-memory"]
PORT1_MAC = bytes.fromhex("027063617001")  # net_pcap1's MAC
STAGES = ("rx", "parse", "table", "maglev", "tx")

CONF = """\
port 0 address 10.0.0.2/24
conntrack size {conntrack}
{size6}timeout set tcp-fin 60
vip add 10.0.0.100:80/tcp
backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01
backend add 10.0.0.100:80/tcp 10.0.0.22 mac 02:00:00:00:b1:02
backend add 10.0.0.100:80/tcp 10.0.0.23 mac 02:00:00:00:b1:03
backend add 10.0.0.100:80/tcp 10.0.0.24 mac 02:00:00:00:b1:04
vip add 10.0.0.100:53/udp
backend add 10.0.0.100:53/udp 10.0.0.21 mac 02:00:00:00:b1:01
backend add 10.0.0.100:53/udp 10.0.0.22 mac 02:00:00:00:b1:02
backend add 10.0.0.100:53/udp 10.0.0.23 mac 02:00:00:00:b1:03
backend add 10.0.0.100:53/udp 10.0.0.24 mac 02:00:00:00:b1:04
vip add [fd00::100]:80/tcp
backend add [fd00::100]:80/tcp fd00::21 mac 02:00:00:00:b1:01
backend add [fd00::100]:80/tcp fd00::22 mac 02:00:00:00:b1:02
backend add [fd00::100]:80/tcp fd00::23 mac 02:00:00:00:b1:03
backend add [fd00::100]:80/tcp fd00::24 mac 02:00:00:00:b1:04
vip add [fd00::100]:53/udp
backend add [fd00::100]:53/udp fd00::21 mac 02:00:00:00:b1:01
backend add [fd00::100]:53/udp fd00::22 mac 02:00:00:00:b1:02
backend add [fd00::100]:53/udp fd00::23 mac 02:00:00:00:b1:03
backend add [fd00::100]:53/udp fd00::24 mac 02:00:00:00:b1:04
"""


# Size IPv6 cases' tables as builds before `conntrack size6` must (conntrack
# size 4x, the IPv6 table a quarter of it), also for builds that know it:
# ab.py sets it when one of its builds is older, so that both run one config.
OLD_SIZES = False


def pow2_at_least(n):
    return max(1024, 1 << (n - 1).bit_length())


class Case:
    """One benchmark case.

    name     fwd, udp, churn or churn-full; fwd6, udp6, churn6 over IPv6
    flows    flows whose entries the table holds (fwd) or flows per pass (churn)
    kind     gen_pcap kind of the replayed pcap
    sample   replay only this many of the flows (the others were created
             by a one-pass fill on port 1 first); None: all of them
    conntrack  the table's size (entries): for IPv6 kinds the IPv6
             table's (`conntrack size6`), the IPv4 one at its minimum
    """

    def __init__(self, name, flows, kind, conntrack=None, sample=None):
        self.name, self.flows, self.kind, self.sample = name, flows, kind, sample
        self.v6 = kind in gen_pcap.V6_KINDS
        self.conntrack = conntrack or pow2_at_least(2 * flows)
        per_flow = len(gen_pcap.KINDS[kind])
        self.npkts = (sample or flows) * per_flow  # packets in the replayed pcap
        self.fill_pkts = flows * per_flow if sample else 0

    def sizes(self, build):
        """(conntrack size, conntrack size6 or None) for this case and build."""
        if not self.v6:
            return self.conntrack, None
        if OLD_SIZES or not has_size6(build):  # as before `conntrack size6`: a quarter
            return 4 * self.conntrack, None
        return 1024, self.conntrack

    @property
    def label(self):
        if self.sample:
            return "%s %s (replaying %s)" % (self.name, human(self.flows), human(self.sample))
        return "%s %s" % (self.name, human(self.flows))


def has_size6(build):
    """Whether the build's dsrlb knows `conntrack size6` (ab.py compares
    builds from before it: those size the IPv6 table as a quarter of
    conntrack size)."""
    with open(os.path.join(build, "app/dsrlb/dsrlb"), "rb") as f:
        return b"conntrack size6" in f.read()


def human(n):
    for div, suf in ((1000000, "M"), (1000, "k")):
        if n >= div and n % (div // 10) == 0:
            v = n / div
            return ("%d%s" % (v, suf)) if v == int(v) else ("%.1f%s" % (v, suf))
    return str(n)


def cases(quick):
    if quick:
        return [Case("fwd", 1000, "ack"), Case("fwd", 10000, "ack"),
                Case("fwd", 100000, "ack"),
                Case("fwd", 1000000, "ack", sample=100000),
                Case("udp", 10000, "udp"),
                Case("churn", 10000, "churn"),
                Case("churn-full", 10000, "churn", conntrack=2048),
            Case("fwd6", 10000, "ack6"), Case("fwd6", 1000000, "ack6", sample=100000),
            Case("churn6", 10000, "churn6")]
    return [Case("fwd", 1000, "ack"), Case("fwd", 10000, "ack"),
            Case("fwd", 100000, "ack"), Case("fwd", 1000000, "ack"),
            Case("fwd", 4000000, "ack", sample=1000000),
            Case("udp", 100000, "udp"),
            Case("churn", 100000, "churn"),
            Case("churn-full", 100000, "churn", conntrack=16384),
            Case("fwd6", 10000, "ack6"), Case("fwd6", 1000000, "ack6"),
            Case("udp6", 100000, "udp6"),
            Case("churn6", 100000, "churn6")]


def pcaps(tmp, case):
    """(replayed pcap, fill pcap or None), written once per run."""
    def one(tag, **kw):
        path = os.path.join(tmp, "%s-%d-%s.pcap" % (case.kind, case.flows, tag))
        if not os.path.exists(path):
            gen_pcap.write_pcap(path, case.flows, case.kind, **kw)
        return path
    if case.sample:
        return one("s%d" % case.sample, sample=case.sample), one("fill", dst_mac=PORT1_MAC)
    return one("all"), None


def testpmd_pps(path, npkts, warmup, window, during=None):
    """(port 0's opackets per second over the window (telemetry), the
    forwarding thread's on-CPU share); during: see telemetry.tx_rate."""
    cmd = ["dpdk-testpmd"] + EAL + ["--file-prefix", "bench-tp", "--vdev",
                                    "net_pcap0,rx_pcap=%s,infinite_rx=1" % path, "--",
                                    "--forward-mode=macswap", "--nb-cores=1",
                                    "--total-num-mbufs=%d" % (npkts + 65536),
                                    "--stats-period=1"]
    # --stats-period keeps it running without a terminal; its output is
    # read (and kept for errors) so that the pipe never fills.
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    tail = []
    t = threading.Thread(target=lambda: [tail.append(line) for line in p.stdout], daemon=True)
    t.start()
    try:
        tel = telemetry.Telemetry("bench-tp", p)
        telemetry.wait_sending(tel, p)
        pps, oncpu, _ = telemetry.tx_rate(tel, warmup, window, during=during)
        tel.close()
    except RuntimeError as e:
        raise RuntimeError("testpmd: %s\n%s" % (e, "".join(tail[-40:])))
    finally:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        t.join(timeout=5)
    return pps, oncpu


def stop_process(p, timeout=30):
    """SIGTERM p, and SIGKILL it if it has not exited within timeout seconds."""
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class Dsrlb:
    """dsrlb on net_pcap vdevs, driven through its control socket."""

    def __init__(self, build, tmp, conntrack, vdevs, mbufs, record_cycles=False,
                 eal_debug=False, conntrack6=None):
        self.build, self.tmp = build, tmp
        self.sock = os.path.join(tmp, "ctl.sock")
        self.conf = os.path.join(tmp, "bench.conf")
        self.err_path = os.path.join(tmp, "dsrlb.err")
        with open(self.conf, "w") as f:
            f.write(CONF.format(conntrack=conntrack, size6="" if conntrack6 is None else
                                "conntrack size6 %d\n" % conntrack6))
        args = [os.path.join(build, "app/dsrlb/dsrlb")] + EAL + ["--file-prefix", "bench-lb"]
        for v in vdevs:
            args += ["--vdev", v]
        if eal_debug:  # prints the TSC frequency
            args += ["--log-level=lib.eal:debug"]
        args += ["--", "-f", self.conf, "--socket", self.sock, "--mbufs", str(mbufs)]
        if record_cycles:
            args.append("--record-cycles")
        self.args = args
        self.p = None

    def __enter__(self):
        with open(os.path.join(self.tmp, "dsrlb.out"), "w") as so, \
                open(self.err_path, "w") as se:
            self.p = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=so, stderr=se)
        deadline = time.time() + 120
        while "dsrlb running" not in self.log():
            if self.p.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("dsrlb did not start:\n" + self.log()[-3000:])
            time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.p is None:
            return
        stop_process(self.p)
        self.p = None

    def log(self):
        with open(self.err_path) as f:
            return f.read()

    def stats(self):
        """`show stats` as {"ROW KEY": value}, e.g. "worker 0 fwd-pkts"."""
        r = subprocess.run([os.path.join(self.build, "app/dsrlbctl/dsrlbctl"), "-s", self.sock,
                            "--json", "show stats"], capture_output=True, text=True,
                           timeout=30, check=True)
        out = {}
        for row in json.loads(r.stdout)["rows"]:
            kind = row.pop("kind")
            for k, v in row.items():
                out["%s %s" % (kind, k)] = v
        return out


def tsc_hz_from(log):
    m = re.search(r"TSC frequency is ~(\d+) KHz", log)
    return int(m.group(1)) * 1000 if m else None


def stage_cycles(s):
    """Total cycles per stage (and packets) from the per-packet averages."""
    n = s.get("worker 0 cycles-pkts", 0)
    tot = {st: s.get("worker 0 cycles-" + st, 0.0) * n for st in STAGES}
    tot["pkts"] = n
    return tot


def dsrlb_measure(build, tmp, case, warmup, window, record_cycles=False, during=None):
    """Rates over the window: port 0's opackets/s through telemetry
    (fwd_pps), the worker's on-CPU share (oncpu), and from the daemon's
    counters fwd-pkts/s (own_fwd_pps), ct-new/s, ct-full/s; with
    record_cycles, the cycles per packet by stage over the window.
    during: see telemetry.tx_rate."""
    path, fill = pcaps(tmp, case)
    vdevs = ["net_pcap0,rx_pcap=%s,infinite_rx=1" % path]
    if fill:
        vdevs.append("net_pcap1,rx_pcap=%s" % fill)
    size, size6 = case.sizes(build)
    with Dsrlb(build, tmp, size, vdevs, case.npkts + 65536, record_cycles=record_cycles,
               conntrack6=size6) as lb:
        t0 = time.time()
        if fill:
            # One pass of the fill pcap (port 1, not infinite) creates
            # an entry for every flow; wait until it has all gone in.
            while lb.stats().get("port 1 rx-pkts", 0) < case.fill_pkts:
                if time.time() - t0 > 180:
                    raise RuntimeError("fill did not finish in 180 s")
                time.sleep(0.2)
        fill_s = time.time() - t0
        tel = telemetry.Telemetry("bench-lb", lb.p)
        telemetry.wait_sending(tel, lb.p)
        pps, oncpu, (a, b) = telemetry.tx_rate(tel, warmup, window, between=lb.stats,
                                               during=during)
        tel.close()
        entry = re.search(r"%sconnection table: .*\((\d+) bytes per entry\)"
                          % ("IPv6 " if case.v6 else "^(?:.*[^6] )?"), lb.log(), re.M)
    dt = (b["stats uptime-ms"] - a["stats uptime-ms"]) / 1000.0

    def rate(k):
        return (b.get(k, 0) - a.get(k, 0)) / dt

    res = {"fwd_pps": pps, "oncpu": oncpu, "own_fwd_pps": rate("worker 0 fwd-pkts"),
           "rx_pps": rate("worker 0 rx-pkts"),
           "ct_new": rate("event ct-new count"), "ct_full": rate("event ct-full count"),
           "drops": b["total drops"] - a["total drops"],
           "conns": b["worker 0 conns6" if case.v6 else "worker 0 conns"],
           "capacity": b["worker 0 capacity6" if case.v6 else "worker 0 capacity"], "fill_s": fill_s if fill else None,
           "entry_bytes": int(entry.group(1)) if entry else None,
           "busy": (b["worker 0 busy-polls"] - a["worker 0 busy-polls"]) /
           max(1, b["worker 0 polls"] - a["worker 0 polls"])}
    if case.kind in ("churn", "churn6"):  # every flow is SYN, ACK, FIN+ACK: a connection per 3 packets
        res["conns_per_s"] = res["own_fwd_pps"] / 3
    if record_cycles:
        ca, cb = stage_cycles(a), stage_cycles(b)
        n = cb["pkts"] - ca["pkts"]
        # (the daemon prints averages to 2 decimals: clamp the rounding)
        res["cycles"] = {st: max(0.0, (cb[st] - ca[st]) / n) if n else 0.0 for st in STAGES}
        res["cycles"]["accounted"] = sum(res["cycles"][st] for st in STAGES if st != "maglev")
    return res


def dsrlb_rate(build, tmp, case, warmup, window):
    """dsrlb_measure() as (rate, on-CPU share, all of it), for telemetry.steady()."""
    r = dsrlb_measure(build, tmp, case, warmup, window)
    return r["fwd_pps"], r["oncpu"], r


def memory(build, tmp, entries_list=(10000000,)):
    """The daemon's own report of its tables' memory (the log lines at
    start: conntrack size and conntrack size6 both set to each size),
    beside the exact sizes that tests/perf/bench_ct computes with lib/ct
    and lib/ct6; also the TSC frequency from EAL's debug log."""
    case = Case("fwd", 1000, "ack")
    path, _ = pcaps(tmp, case)
    out, tsc = [], None
    exact = ct_mem_sizes(build, entries_list)
    for entries in entries_list:
        with Dsrlb(build, tmp, entries, ["net_pcap0,rx_pcap=%s,infinite_rx=1" % path], 8192,
                   eal_debug=tsc is None, conntrack6=entries) as lb:
            log = lb.log()
        tsc = tsc or tsc_hz_from(log)
        m = {}
        for v6 in (False, True):
            m[v6] = re.search(r"^(?:.*[^6] )?%sconnection table: (\d+) entries per worker, "
                              r"(\d+) MB each \((\d+) bytes per entry\)"
                              % ("IPv6 " if v6 else ""), log, re.M)
            if not m[v6]:
                raise RuntimeError("no %sconnection table line in dsrlb's log:\n%s"
                                   % ("IPv6 " if v6 else "", log[-2000:]))
        out.append({"entries": entries, "log_mb": int(m[False].group(2)),
                    "log_bytes": int(m[False].group(3)), "bytes": exact[entries][0],
                    "log_mb6": int(m[True].group(2)), "log_bytes6": int(m[True].group(3)),
                    "bytes6": exact[entries][1]})
    return out, tsc


def ct_mem_sizes(build, entries_list):
    """{entries: (dsr_ct_mem_size(), dsr_ct6_mem_size())} from `bench_ct memory`."""
    r = subprocess.run([os.path.join(build, "tests/perf/bench_ct"), "memory"] +
                       [str(n) for n in entries_list], capture_output=True, text=True,
                       timeout=60, check=True)
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r"memory\s+cap\s+(\d+): (\d+) bytes, .*; ct6 (\d+) bytes", line)
        if m:
            out[int(m.group(1))] = (int(m.group(2)), int(m.group(3)))
    return out


def fwd_split(build, flows, passes):
    """tests/perf/bench_fwd6's split of lib/fwd's stages, IPv4 against IPv6
    (no DPDK): {"ipv4": {"s1", "s2"}, "ipv4 general": ..., "ipv6": ...,
    "ipv6 general": ..., "parts6": {"parse", "vip", "hash"}} in cycles a
    packet."""
    r = subprocess.run([os.path.join(build, "tests/perf/bench_fwd6"), str(flows), str(passes)],
                       capture_output=True, text=True, timeout=600, check=True)
    out = {"flows": flows, "passes": passes}
    for line in r.stdout.splitlines():
        m = re.match(r"(ipv[46])(, general decide)?\s+stage 1\s+([\d.]+), stage 2\s+([\d.]+)",
                     line)
        if m:
            out[m.group(1) + (" general" if m.group(2) else "")] = {
                "s1": float(m.group(3)), "s2": float(m.group(4))}
        m = re.match(r"ipv6 stage 1's parts: parse ([\d.]+), VIP lookup ([\d.]+), "
                     r"table hash ([\d.]+)", line)
        if m:
            out["parts6"] = {"parse": float(m.group(1)), "vip": float(m.group(2)),
                             "hash": float(m.group(3))}
    if "ipv6" not in out or "parts6" not in out:
        raise RuntimeError("bench_fwd6 printed no split:\n" + r.stdout)
    return out
