# SPDX-License-Identifier: BSD-3-Clause
"""A port's transmit rate through DPDK telemetry, the same way for every
program measured (testpmd, l3fwd, dsrlb): `/ethdev/stats,PORT` opackets,
read twice WINDOW seconds apart on the process's telemetry socket (what
dpdk-telemetry.py talks to: /var/run/dpdk/PREFIX/dpdk_telemetry.v2).
Each process needs its own --file-prefix and no --no-telemetry.

The machine is shared: with the rate comes the share of the window that
the process's threads on the forwarding CPU were on it (schedstat), so
that a round another busy process shared the CPU with shows.
"""

import contextlib
import json
import os
import socket
import time

RUN_DIR = "/var/run/dpdk"
FWD_CPU = 1  # the forwarding lcore's CPU in every benchmark here
# A measurement whose forwarding thread had less of its CPU than this is
# taken again (steady()).
RETRY_BELOW = 0.9


class Telemetry:
    """A connection to one DPDK process's telemetry socket."""

    def __init__(self, prefix, proc, timeout=120):
        """Connect to PREFIX's socket once the process proc (a Popen) has
        opened it: a socket left by an earlier process of the same prefix
        refuses the connection or answers with another pid."""
        path = os.path.join(RUN_DIR, prefix, "dpdk_telemetry.v2")
        deadline = time.time() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError("%s exited (status %d) before its telemetry socket "
                                   "opened" % (prefix, proc.returncode))
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            try:
                s.connect(path)
                info = json.loads(s.recv(1024))
                if info.get("pid") == proc.pid:
                    self.sock, self.pid = s, proc.pid
                    return
            except (OSError, ValueError):
                pass
            s.close()
            if time.time() > deadline:
                raise RuntimeError("no telemetry socket of pid %d at %s in %d s" % (
                    proc.pid, path, timeout))
            time.sleep(0.1)

    def query(self, cmd):
        self.sock.send(cmd.encode())
        return json.loads(self.sock.recv(1 << 16))[cmd.split(",")[0]]

    def opackets(self, port=0):
        return self.query("/ethdev/stats,%d" % port)["opackets"]

    def close(self):
        self.sock.close()


def wait_sending(tel, proc, port=0, key="opackets", timeout=180):
    """Wait until the port transmits (a large pcap takes a while to load),
    or with key="ipackets", receives."""
    deadline = time.time() + timeout
    while tel.query("/ethdev/stats,%d" % port)[key] == 0:
        if proc.poll() is not None or time.time() > deadline:
            raise RuntimeError("port %d: no %s in %d s" % (port, key, timeout))
        time.sleep(0.1)


def fwd_cpu_ns(pid):
    """Time on the CPU (ns, schedstat) of pid's threads last run on FWD_CPU."""
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                cpu = int(f.read().rsplit(")", 1)[1].split()[36])
            if cpu == FWD_CPU:
                with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                    total += int(f.read().split()[0])
        except (OSError, IndexError, ValueError):
            pass  # a thread that ended
    return total


def tx_rate(tel, warmup, window, port=0, between=None, during=None):
    """opackets per second over the window, after warmup seconds. The
    interval is the host's monotonic clock between the two replies.
    Returns (pps, on-CPU share of the forwarding thread over the window,
    extra). between(), when given, runs right after each snapshot (a
    program's own counters in the same window); extra is then [first,
    second result]. during(pid), when given, returns a context manager
    held over the window (a profiler: profile_peers.py)."""
    time.sleep(warmup)
    a, ca, ta = tel.opackets(port), fwd_cpu_ns(tel.pid), time.monotonic()
    extra = [between()] if between else []
    with during(tel.pid) if during else contextlib.nullcontext():
        time.sleep(window)
        b, cb, tb = tel.opackets(port), fwd_cpu_ns(tel.pid), time.monotonic()
    if between:
        extra.append(between())
    return (b - a) / (tb - ta), (cb - ca) / 1e9 / (tb - ta), extra


def steady(label, measure, tries=3):
    """measure() -> (rate, on-CPU share, ...): again, up to tries times in
    all, while something else took over a tenth of the forwarding CPU (the
    machine is shared); keeps the try with the largest share."""
    best = None
    for t in range(tries):
        r = measure()
        if best is None or r[1] > best[1]:
            best = r
        if r[1] >= RETRY_BELOW:
            break
        print("%s: on CPU %.0f%% of the window (%.2f Mpps): %s" % (
            label, 100 * r[1], r[0] / 1e6, "again" if t + 1 < tries else "kept the best"),
            flush=True)
    return best
