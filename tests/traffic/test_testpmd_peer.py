#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""dpdk-testpmd as the external traffic peer of the real daemon, over net_memif.

dsrlb runs as the memif server, dpdk-testpmd (Debian's, 22.11) as the client,
two processes, no hugepages (memif in copy mode). Two phases, each with a
fresh pair of processes:

flowgen (UDP): testpmd's flowgen engine in DPDK 22.11 sends UDP from
  10.254.0.0:1000 to 10.253.0.0+f:1001 for flow f = 0..N-1 (it varies the
  destination address, not the source), round robin, with fixed MACs
  00:01:02:03:04:00 -> 00:01:02:03:04:01 (it ignores --eth-peer). So
  dsrlb's memif port gets MAC 00:01:02:03:04:01 and serves one UDP VIP
  per flow, 10.253.0.0+f:1001/udp, each with the same two backends.
  testpmd dumps every frame it sends and receives (set verbose 3); the
  frames come back in the order they were sent (one memif queue, one
  worker), so the k-th frame received belongs to flow k mod N. Every
  frame must come back from dsrlb's MAC to the MAC of the backend that
  dsrlb's connection table holds for its flow, each flow on one backend,
  both backends used, and the counts must agree: testpmd TX = dsrlb RX =
  dsrlb forwarded = dsrlb port TX = testpmd RX = frames dumped, per
  backend as well.

pcap (TCP): testpmd in io mode forwards a scapy-built pcap (several
  thousand TCP flows to one VIP, each flow seen three times) from a
  net_pcap port to memif, and what comes back from memif to the net_pcap
  port's tx_pcap. Each output frame must be its input frame, byte for
  byte, with only the destination MAC (the flow's backend, as in dsrlb's
  connection table) and the source MAC (dsrlb's) changed; each flow on
  one backend, both used; counters equal on both sides.

Bounds: the memif rings hold 2^14 frames and a phase sends fewer than
that (checked), so no frame can be dropped for want of room whatever the
scheduling. flowgen has no packet count: the output reader writes "stop"
as soon as it has seen enough frames sent, and reads the dumps slowly
through a small pipe, which paces testpmd (a few ten thousand frames a
second) so that few more go out before testpmd stops. testpmd's memif
is its port 0 so that its RX queue is polled before anything is sent: a
memif server (dsrlb) has no room to send until the client's first RX
poll posts the ring's buffers.

Counters are read from both sides (testpmd "show port stats all",
dsrlbctl show stats / show conns) before either side is stopped: a memif
peer can crash when the other side goes away. dsrlb is stopped first
(SIGTERM, testpmd idle) and must exit 0; then testpmd (quit), whose exit
status is only reported (see Rig.shutdown).

usage: test_testpmd_peer.py DSRLB DSRLBCTL
Exits 77 (skipped) when dpdk-testpmd or the memif/pcap drivers are missing.
"""

import fcntl
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))

from scapy.all import Ether, IP, TCP, Raw, RawPcapReader, RawPcapWriter  # noqa: E402

import dsrtest  # noqa: E402

TESTPMD = os.environ.get("DSRLB_TESTPMD", "/usr/bin/dpdk-testpmd")
PMD_GLOB = "/usr/lib/*/dpdk/pmds-*/librte_%s.so*"  # Debian's driver directory

LB_MAC = "00:01:02:03:04:01"   # flowgen's fixed destination MAC (22.11): dsrlb's port
TP_MAC = "00:01:02:03:04:00"   # flowgen's fixed source MAC: testpmd's memif port
CLIENT_MAC = "02:00:00:00:c1:01"
BACKENDS = {"10.0.0.21": "02:00:00:00:b1:01", "10.0.0.22": "02:00:00:00:b2:02"}

FG_SRC, FG_SPORT, FG_DPORT = "10.254.0.0", 1000, 1001   # flowgen.c cfg_ip_src, cfg_udp_*
UDP_FLOWS = 1000          # one VIP each (dsrlb has at most 1024 VIPs)
FG_TARGET = 6 * UDP_FLOWS  # stop flowgen once this many frames were sent
FG_FRAME = 60             # flowgen's frame: --txpkts 64 less the FCS
TCP_VIP, TCP_PORT = "10.0.0.100", 80
TCP_FLOWS = 4096
RING_LOG2 = 14            # memif rings of 16384 slots
RING = 1 << RING_LOG2

STEP_TIMEOUT = 20         # seconds, any single wait


def fg_vip(f):
    a = (10 << 24 | 253 << 16) + f
    return "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)


def mac_bytes(m):
    return bytes.fromhex(m.replace(":", ""))


def write_conf(path):
    lines = ["port 0 address 10.0.0.2/24", "arp announce 0", "conntrack size 65536",
             "maglev size 1021", "timeout set udp 300", "timeout set tcp-fin 300"]
    services = ["%s:%d/udp" % (fg_vip(f), FG_DPORT) for f in range(UDP_FLOWS)]
    services.append("%s:%d/tcp" % (TCP_VIP, TCP_PORT))
    for svc in services:
        lines.append("vip add " + svc)
        for ip, mac in sorted(BACKENDS.items()):
            lines.append("backend add %s %s mac %s" % (svc, ip, mac))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def backtraces(pid):
    """Every thread's stack of a process that hangs (gdb, when installed)."""
    if shutil.which("gdb") is None:
        return "(gdb not installed)"
    try:
        r = subprocess.run(["gdb", "-p", str(pid), "-batch", "-nx", "-ex",
                            "thread apply all bt 20"], capture_output=True, text=True,
                           timeout=STEP_TIMEOUT)
        return "\n".join(line for line in r.stdout.splitlines() if line.startswith(("#", "Thread")))
    except (OSError, subprocess.TimeoutExpired) as e:
        return "(gdb: %s)" % e


def die_with_parent():
    """In the child: SIGKILL when the test dies, even by SIGKILL (Linux prctl)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Proc:
    """A child process whose stdout+stderr a thread collects; optional stdin pipe."""

    pace = 0  # seconds to sleep after each read: a reader that paces its writer

    def __init__(self, name, argv, log_path, stdin=False):
        self.name = name
        self.log_path = log_path
        self.lock = threading.Lock()
        self.buf = bytearray()
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  preexec_fn=die_with_parent)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        fd = self.p.stdout.fileno()
        while True:
            try:
                b = os.read(fd, 1 << 16)
            except OSError:
                break
            if not b:
                break
            with self.lock:
                self.buf += b
            self.on_data(b)
            if self.pace:
                time.sleep(self.pace)

    def on_data(self, b):
        pass

    def size(self):
        with self.lock:
            return len(self.buf)

    def text(self, start=0):
        with self.lock:
            return bytes(self.buf[start:]).decode(errors="replace")

    def wait_text(self, needle, timeout=STEP_TIMEOUT, start=0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if needle in self.text(start):
                return
            if self.p.poll() is not None:
                time.sleep(0.1)  # let the reader take the last words
                raise RuntimeError("%s exited (%s) before printing %r:\n%s" %
                                   (self.name, self.p.returncode, needle, self.tail()))
            time.sleep(0.02)
        raise RuntimeError("%s did not print %r in %d s:\n%s" %
                           (self.name, needle, timeout, self.tail()))

    def tail(self, n=3000):
        t = self.text()
        return t[-n:]

    def stop(self, sig=signal.SIGTERM, timeout=STEP_TIMEOUT):
        """Signal and wait; kill after timeout. Returns the exit status (None if killed)."""
        if self.p.poll() is not None:
            return self.p.returncode
        try:
            self.p.send_signal(sig)
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            print("%s did not exit in %d s after signal %d; its threads:\n%s" % (
                self.name, timeout, sig, backtraces(self.p.pid)))
            self.kill()
            return None

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def save_log(self):
        with open(self.log_path, "w") as f:
            f.write(self.text())


DUMP = re.compile(r"src=([0-9A-Fa-f:]{17}) - dst=([0-9A-Fa-f:]{17}) - .*?type=0x([0-9a-f]{4}) - "
                  r"length=(\d+) .* (Receive|Send) queue=")
PROMPT = "testpmd> "


class TestPmd(Proc):
    """dpdk-testpmd -i driven over a pipe; parses the per-packet dumps (set
    verbose) as they come.

    A command is done when testpmd is idle at its prompt again: the output
    ends with "testpmd> ". That only holds while nothing forwards with
    dumps on: testpmd writes the prompt (and the echo) one byte at a time,
    and the forwarding lcore's dump lines land in between. So "start" with
    dumps on waits for a line of its own instead, and "stop" for "Done."
    and the prompt after it (the forwarding lcore has finished by then)."""

    def __init__(self, name, argv, log_path):
        self._partial = b""
        self.tx_frames = 0
        self.rx_macs = []          # (src, dst, type, length) per frame received, in order
        self.tx_bad = []           # frames sent that are not flowgen's
        self.stop_after_tx = None  # write "stop" once this many frames were dumped as sent
        self.stop_sent_at = None
        self.stop_offset = None
        self.wlock = threading.Lock()
        # testpmd's forwarding lcore blocks when its stdout pipe is full: with a
        # small pipe read at most every millisecond, flowgen sends a few thousand
        # frames a second while it dumps them, and the frames it sends between
        # the reader's "stop" and testpmd acting on it stay few.
        self.pace = 0.001
        super().__init__(name, ["stdbuf", "-oL"] + argv, log_path, stdin=True)
        try:
            fcntl.fcntl(self.p.stdout.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 16384)
        except OSError:
            pass

    def on_data(self, b):
        data = self._partial + b
        lines = data.split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            if b"src=" not in line:
                continue
            m = DUMP.search(line.decode(errors="replace"))
            if not m:
                continue
            src, dst, typ, length, d = m.groups()
            if d == "Receive":
                self.rx_macs.append((src.lower(), dst.lower(), typ, int(length)))
            else:
                self.tx_frames += 1
                if (src.lower(), dst.lower(), typ, int(length)) != (TP_MAC, LB_MAC, "0800",
                                                                    FG_FRAME):
                    self.tx_bad.append(line)
                if self.stop_after_tx is not None and self.stop_sent_at is None and \
                        self.tx_frames >= self.stop_after_tx:
                    self.stop_sent_at = self.tx_frames
                    self.stop_offset = self.size()
                    self.write("stop")

    def write(self, line):
        with self.wlock:
            self.p.stdin.write((line + "\n").encode())
            self.p.stdin.flush()

    def wait_idle(self, start, needle, timeout=STEP_TIMEOUT):
        """Wait until the output after offset start holds needle and ends with the prompt."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            t = self.text(start)
            if needle in t and t.endswith(PROMPT):
                return t
            if self.p.poll() is not None:
                time.sleep(0.1)
                raise RuntimeError("testpmd exited (%s):\n%s" % (self.p.returncode, self.tail()))
            time.sleep(0.005)
        raise RuntimeError("testpmd: no %r then prompt in %d s:\n%s" % (needle, timeout,
                                                                          self.tail()))

    def cmd(self, line, timeout=STEP_TIMEOUT):
        """Send a command while testpmd is idle (or forwards without dumps); return
        what it printed."""
        start = self.size()
        self.write(line)
        return self.wait_idle(start, line, timeout)

    def start_dumping(self, what, timeout=STEP_TIMEOUT):
        """'start' with dumps on: done when the forwarding lcore has been told what to do."""
        start = self.size()
        self.write("start")
        self.wait_text("%s packet forwarding - ports=" % what, timeout, start)

    def stop(self, timeout=STEP_TIMEOUT):
        start = self.size()
        self.write("stop")
        return self.wait_idle(start, "Done.", timeout)

    def port_stats(self):
        out = self.cmd("show port stats all")
        stats = {}
        for m in re.finditer(r"NIC statistics for port (\d+)\s+#+\s+"
                             r"RX-packets:\s*(\d+)\s+RX-missed:\s*(\d+)\s+RX-bytes:\s*(\d+)\s+"
                             r"RX-errors:\s*(\d+)\s+RX-nombuf:\s*(\d+)\s+"
                             r"TX-packets:\s*(\d+)\s+TX-errors:\s*(\d+)\s+TX-bytes:\s*(\d+)", out):
            v = [int(x) for x in m.groups()]
            stats[v[0]] = dict(zip(("rx", "rx-missed", "rx-bytes", "rx-errors", "rx-nombuf",
                                    "tx", "tx-errors", "tx-bytes"), v[1:]))
        return stats

    def wait_link(self, port, timeout=STEP_TIMEOUT):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if "Link status: up" in self.cmd("show port info %d" % port):
                return
            time.sleep(0.1)
        raise RuntimeError("testpmd port %d: memif link not up in %d s:\n%s" %
                           (port, timeout, self.tail()))

    def quit(self, timeout=STEP_TIMEOUT):
        if self.p.poll() is not None:
            return self.p.returncode
        try:
            self.write("quit")
            return self.p.wait(timeout=timeout)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()
            return None


def fwd_stats(out):
    """testpmd's 'Forward statistics for port N' blocks printed by stop."""
    res = {}
    for m in re.finditer(r"Forward statistics for port (\d+)\s+-+\s+"
                         r"RX-packets:\s*(\d+)\s+RX-dropped:\s*(\d+)\s+RX-total:\s*(\d+)\s+"
                         r"TX-packets:\s*(\d+)\s+TX-dropped:\s*(\d+)\s+TX-total:\s*(\d+)", out):
        v = [int(x) for x in m.groups()]
        res[v[0]] = dict(zip(("rx", "rx-dropped", "rx-total", "tx", "tx-dropped", "tx-total"),
                             v[1:]))
    return res


class Rig:
    """One dsrlb (memif server) and one testpmd (memif client), cleaned up always."""

    def __init__(self, tmp, tag, dsrlb, ctl, conf, tp_vdevs, tp_args):
        self.tmp, self.ctl = tmp, ctl
        self.sock = os.path.join(tmp, "ctl-%s.sock" % tag)
        memif = os.path.join(tmp, "memif-%s.sock" % tag)
        pid = os.getpid()
        self.prefixes = ["dsrtp%d%s" % (pid, tag), "tpmd%d%s" % (pid, tag)]
        self.lb = Proc("dsrlb", [
            dsrlb, "--no-huge", "-m", "256", "--no-shconf", "--no-telemetry", "--no-pci",
            "--file-prefix", self.prefixes[0], "-l", "0,1",
            "--vdev", "net_memif0,role=server,id=0,socket=%s,socket-abstract=no,mac=%s,rsize=%d"
            % (memif, LB_MAC, RING_LOG2),
            "--log-level", "lib.*:warning", "--", "-f", conf, "--socket", self.sock],
            os.path.join(tmp, "dsrlb-%s.log" % tag))
        self.tp = None
        try:
            self.lb.wait_text("dsrlb running")
            # memif is testpmd's port 0, so its RX queue is polled first. (A memif
            # server cannot send before the client's first RX poll posts the ring's
            # buffers: dsrlb would count the first burst as tx-full.)
            # testpmd's forwarding lcore on CPU 0, dsrlb's worker on CPU 1.
            vdevs = ["--vdev", "net_memif0,role=client,id=0,socket=%s,socket-abstract=no,"
                     "mac=%s,rsize=%d" % (memif, TP_MAC, RING_LOG2)]
            for v in tp_vdevs:
                vdevs += ["--vdev", v]
            self.tp = TestPmd("testpmd", [
                TESTPMD, "--no-huge", "-m", "256", "--no-shconf", "--no-telemetry", "--no-pci",
                "--file-prefix", self.prefixes[1], "-l", "0,1", "--main-lcore", "1",
                "--log-level", "lib.*:warning"] + vdevs +
                ["--", "-i", "--no-flush-rx", "--total-num-mbufs=16384"] + tp_args,
                os.path.join(tmp, "testpmd-%s.log" % tag))
            self.tp.wait_text(PROMPT)
        except BaseException:
            self.close()
            raise

    def dsrlbctl(self, *words):
        r = subprocess.run([self.ctl, "-s", self.sock] + list(words), capture_output=True,
                           text=True, timeout=STEP_TIMEOUT)
        if r.returncode != 0:
            raise RuntimeError("dsrlbctl %s: exit %d: %s" % (" ".join(words), r.returncode,
                                                              r.stderr))
        return r.stdout

    def lb_stats(self):
        return dsrtest.parse_summary(self.dsrlbctl("show", "stats"))

    def lb_conns(self):
        """{(client ip, client port, vip ip, vip port, proto): backend ip}"""
        out = self.dsrlbctl("show", "conns", "limit", "100000")
        conns = {}
        for m in re.finditer(r"^conn: worker \d+ client ([\d.]+):(\d+) vip ([\d.]+):(\d+)/(\w+) "
                             r"backend ([\d.]+) ", out, re.M):
            cip, cport, vip, vport, proto, be = m.groups()
            conns[(cip, int(cport), vip, int(vport), proto)] = be
        return conns

    def wait_lb(self, pred, what, timeout=STEP_TIMEOUT):
        deadline = time.time() + timeout
        while True:
            s = self.lb_stats()
            if pred(s):
                return s
            if time.time() > deadline:
                raise RuntimeError("dsrlb: %s not reached in %d s (rx %s fwd %s tx %s)" % (
                    what, timeout, s.get("total rx-pkts"), s.get("total fwd-pkts"),
                    s.get("port 0 tx-pkts")))
            time.sleep(0.05)

    def shutdown(self):
        """dsrlb first (SIGTERM; testpmd is stopped, so it does not poll memif while
        dsrlb disconnects), then testpmd (quit). Returns (dsrlb rc, testpmd rc).

        Not the other way round: in DPDK 22.11 net_memif, the interrupt thread
        unmaps the shared regions on a peer's disconnect while the datapath may be
        in the RX burst, so the side left polling can crash (dsrlb did, about one
        run in ten, SIGSEGV in eth_memif_rx while memif_disconnect munmaps). And
        testpmd left behind dies in its EAL cleanup ("Invalid memory") once the
        server went away: its status is only reported."""
        lb_rc = self.lb.stop(signal.SIGTERM)
        tp_rc = self.tp.quit()
        return lb_rc, tp_rc

    def close(self):
        for p in (self.lb, self.tp):
            if p is not None:
                p.kill()
                p.save_log()
        # The (empty) EAL runtime directories of our two prefixes.
        run = "/var/run/dpdk" if os.geteuid() == 0 else \
            os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")
        for prefix in self.prefixes:
            shutil.rmtree(os.path.join(run, prefix), ignore_errors=True)


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok   %s%s" % (name, ": " + detail if detail else ""))
        else:
            self.failed += 1
            self.failures.append("FAIL %s%s" % (name, ": " + detail if detail else ""))
            print(self.failures[-1])
        sys.stdout.flush()
        return ok

    def equal(self, name, got, want):
        return self.check(name, got == want, "%s" % (got,) if got == want else
                          "expected %s, got %s" % (want, got))


def phase_flowgen(res, tmp, dsrlb, ctl, conf):
    """UDP from testpmd's flowgen engine, one VIP per flow."""
    rig = Rig(tmp, "fg", dsrlb, ctl, conf, [],
              ["--forward-mode=flowgen", "--flowgen-flows=%d" % UDP_FLOWS])
    tp = rig.tp
    try:
        tp.wait_link(0)
        tp.cmd("set verbose 3")
        t0 = time.time()
        tp.stop_after_tx = FG_TARGET
        tp.start_dumping("flowgen")
        # The reader writes "stop" at FG_TARGET frames sent; wait for its output.
        deadline = time.time() + STEP_TIMEOUT
        while tp.stop_sent_at is None and time.time() < deadline:
            time.sleep(0.005)
        if tp.stop_sent_at is None:
            tp.stop()
            raise RuntimeError("flowgen sent %d frames in %d s, wanted %d" % (
                tp.tx_frames, STEP_TIMEOUT, FG_TARGET))
        fwd = fwd_stats(tp.wait_idle(tp.stop_offset, "Done.")).get(0, {})
        gen_s = time.time() - t0
        sent = tp.tx_frames
        # Frames still in flight come back once testpmd polls again: drain them.
        lb = rig.wait_lb(lambda s: s.get("total rx-pkts") == fwd.get("tx") and
                         s.get("port 0 tx-pkts", 0) + s.get("drop tx-full count", 0) ==
                         s.get("total fwd-pkts"), "rx-pkts == testpmd TX")
        tp.cmd("set fwd rxonly")
        tp.start_dumping("rxonly")
        deadline = time.time() + STEP_TIMEOUT
        while len(tp.rx_macs) < lb["port 0 tx-pkts"] and time.time() < deadline:
            time.sleep(0.01)
        if len(tp.rx_macs) < lb["port 0 tx-pkts"]:
            print("rxonly: %d of %d frames dumped as received after %d s" % (
                len(tp.rx_macs), lb["port 0 tx-pkts"], STEP_TIMEOUT))
        tp.stop()
        # Read everything before stopping either side.
        tps = tp.port_stats().get(0, {})
        lb = rig.lb_stats()
        conns = rig.lb_conns()
        lb_rc, tp_rc = rig.shutdown()
    finally:
        rig.close()

    rx = tp.rx_macs
    print("flowgen: %d frames sent in %.2f s (stop asked at %d), %d received" % (
        tps.get("tx", 0), gen_s, tp.stop_sent_at, len(rx)))
    res.check("flowgen sent enough frames", tps.get("tx", 0) >= FG_TARGET,
              "%d >= %d (%d rounds of %d flows)" % (tps.get("tx", 0), FG_TARGET,
                                                    tps.get("tx", 0) // UDP_FLOWS, UDP_FLOWS))
    res.check("flowgen stayed within the ring", tps.get("tx", 0) < RING,
              "%d < %d" % (tps.get("tx", 0), RING))
    res.equal("flowgen TX-dropped", fwd.get("tx-dropped"), 0)
    res.equal("flowgen frames dumped as sent == TX-packets", sent, tps.get("tx"))
    res.check("flowgen frames as flowgen.c builds them", not tp.tx_bad,
              "%d sent %s -> %s, 60 bytes" % (sent, TP_MAC, LB_MAC) if not tp.tx_bad else
              "%d others, first: %s" % (len(tp.tx_bad), tp.tx_bad[0][:200]))
    n = tps.get("tx")
    res.equal("dsrlb rx-pkts == testpmd TX", lb.get("total rx-pkts"), n)
    res.equal("dsrlb fwd-pkts == testpmd TX", lb.get("total fwd-pkts"), n)
    res.equal("dsrlb port 0 tx-pkts == testpmd TX", lb.get("port 0 tx-pkts"), n)
    res.equal("dsrlb drops", lb.get("total drops"), 0)
    res.equal("testpmd RX-packets == testpmd TX", tps.get("rx"), n)
    res.equal("frames dumped as received == testpmd TX", len(rx), n)
    res.equal("testpmd rx-missed/errors/nombuf",
              (tps.get("rx-missed"), tps.get("rx-errors"), tps.get("rx-nombuf")), (0, 0, 0))
    res.equal("dsrlb ct-new (one per flow)", lb.get("event ct-new count"), UDP_FLOWS)

    # Every frame: from dsrlb's MAC to its flow's backend (flow = k mod N, see above).
    want_flow = {}
    for f in range(UDP_FLOWS):
        be = conns.get((FG_SRC, FG_SPORT, fg_vip(f), FG_DPORT, "udp"))
        want_flow[f] = BACKENDS.get(be)
    res.check("dsrlb holds a connection per flow", all(want_flow.values()) and
              len(conns) == UDP_FLOWS, "%d connections" % len(conns))
    seen = {}
    wrong = []
    for k, (src, dst, typ, length) in enumerate(rx):
        f = k % UDP_FLOWS
        seen.setdefault(f, set()).add(dst)
        if (src, dst, typ, length) != (LB_MAC, want_flow[f], "0800", FG_FRAME):
            wrong.append((k, f, src, dst, typ, length, want_flow[f]))
    res.check("every frame back from dsrlb's MAC to its flow's backend MAC", not wrong,
              "%d frames" % len(rx) if not wrong else
              "%d wrong, first (k, flow, src, dst, type, len, want dst): %s" % (len(wrong),
                                                                                 wrong[0]))
    split = [f for f, macs in seen.items() if len(macs) != 1]
    res.check("each flow on one backend", not split and len(seen) == UDP_FLOWS,
              "%d flows" % len(seen) if not split else "%d flows split, e.g. %s" % (
                  len(split), split[:5]))
    per_be = {ip: sum(1 for f in range(UDP_FLOWS) if want_flow[f] == mac)
              for ip, mac in BACKENDS.items()}
    print("flowgen flows per backend: %s" % per_be)
    res.check("both backends get flows", all(per_be.values()), "%s" % per_be)
    frames_be = {ip: sum(1 for x in rx if x[1] == mac) for ip, mac in BACKENDS.items()}
    lb_be = {ip: sum(v for k, v in lb.items() if k.startswith("backend ") and
                     k.endswith("/udp %s pkts" % ip)) for ip in BACKENDS}
    res.equal("frames per backend: testpmd == dsrlb", frames_be, lb_be)
    res.equal("dsrlb exit status (SIGTERM, peer idle)", lb_rc, 0)
    if tp_rc != 0:
        print("note: testpmd exited %s on quit after dsrlb left (not checked: a memif "
              "peer may crash on shutdown)" % tp_rc)


def build_tcp_pcap(path):
    """SYN, then data, then FIN of every flow: each flow comes back three times,
    far apart. Returns the frames and each frame's connection key."""
    flows = []
    for i in range(TCP_FLOWS):
        src = "198.18.%d.%d" % (i >> 8, i & 255)
        sport = 1024 + (i * 7919) % 64000
        flows.append((src, sport, Ether(src=CLIENT_MAC, dst=LB_MAC) /
                      IP(src=src, dst=TCP_VIP, id=i, ttl=64) /
                      TCP(sport=sport, dport=TCP_PORT, window=8192) / Raw(b"")))
    frames, keys = [], []
    for flags, seq, ack in (("S", 1000, 0), ("PA", 1001, 1), ("FA", 1001, 1)):
        for i, (src, sport, p) in enumerate(flows):
            p[TCP].flags, p[TCP].seq, p[TCP].ack = flags, seq, ack
            p[Raw].load = bytes([i & 255]) * (i % 97) if flags == "PA" else b""
            frames.append(bytes(p))
            keys.append((src, sport, TCP_VIP, TCP_PORT, "tcp"))
    w = RawPcapWriter(path, linktype=1, sync=False)
    for f in frames:
        w.write(f)
    w.close()
    return frames, keys


def phase_pcap(res, tmp, dsrlb, ctl, conf):
    """TCP from a pcap through testpmd's io mode: pcap port (1) -> memif (0) -> dsrlb
    -> memif -> pcap port's tx_pcap."""
    inp = os.path.join(tmp, "tcp-in.pcap")
    outp = os.path.join(tmp, "tcp-out.pcap")
    t0 = time.time()
    frames, keys = build_tcp_pcap(inp)
    n = len(frames)
    print("pcap: %d TCP frames, %d flows, built in %.1f s" % (n, TCP_FLOWS, time.time() - t0))
    rig = Rig(tmp, "io", dsrlb, ctl, conf, ["net_pcap0,rx_pcap=%s,tx_pcap=%s" % (inp, outp)],
              ["--forward-mode=io"])
    tp = rig.tp
    try:
        tp.wait_link(0)
        info = tp.cmd("show port info 1")
        if "net_pcap" not in info:
            raise RuntimeError("testpmd port 1 is not the pcap port:\n" + info[-1500:])
        t0 = time.time()
        tp.cmd("start")
        deadline = time.time() + STEP_TIMEOUT
        while True:
            st = tp.port_stats()
            if st.get(1, {}).get("tx", 0) >= n:
                break
            if time.time() > deadline:
                print("io: pcap port sent %d of %d frames in %d s" % (
                    st.get(1, {}).get("tx", 0), n, STEP_TIMEOUT))
                break
            time.sleep(0.05)
        fwd = fwd_stats(tp.stop())
        io_s = time.time() - t0
        tps = tp.port_stats()
        lb = rig.lb_stats()
        conns = rig.lb_conns()
        lb_rc, tp_rc = rig.shutdown()
    finally:
        rig.close()

    memif, pcap = tps.get(0, {}), tps.get(1, {})
    print("pcap: %d frames in, %d out in %.2f s" % (pcap.get("rx", 0), pcap.get("tx", 0), io_s))
    res.equal("testpmd pcap RX-packets (the whole file)", pcap.get("rx"), n)
    res.equal("testpmd memif TX-packets", memif.get("tx"), n)
    res.equal("testpmd forward TX-dropped (memif, pcap)",
              (fwd.get(0, {}).get("tx-dropped"), fwd.get(1, {}).get("tx-dropped")), (0, 0))
    res.equal("dsrlb rx-pkts == testpmd TX", lb.get("total rx-pkts"), n)
    res.equal("dsrlb fwd-pkts", lb.get("total fwd-pkts"), n)
    res.equal("dsrlb port 0 tx-pkts", lb.get("port 0 tx-pkts"), n)
    res.equal("dsrlb drops", lb.get("total drops"), 0)
    res.equal("testpmd memif RX-packets", memif.get("rx"), n)
    res.equal("testpmd pcap TX-packets", pcap.get("tx"), n)
    res.equal("dsrlb ct-new (one per flow)", lb.get("event ct-new count"), TCP_FLOWS)
    res.equal("dsrlb vip pkts", lb.get("vip %s:%d/tcp pkts" % (TCP_VIP, TCP_PORT)), n)

    try:
        got = [bytes(d) for d, _ in RawPcapReader(outp)]
    except (OSError, EOFError) as e:
        got = []
        print("cannot read %s: %s" % (outp, e))
    res.equal("frames in tx_pcap", len(got), n)
    lbm = mac_bytes(LB_MAC)
    be_mac = {ip: mac_bytes(m) for ip, m in BACKENDS.items()}
    flow_be = {}
    wrong = []
    for i, (src, out, key) in enumerate(zip(frames, got, keys)):
        be = conns.get(key)
        want = be_mac.get(be, b"?" * 6) + lbm + src[12:]
        if out != want:
            wrong.append("frame %d (flow %s:%d, backend %s): %s" % (
                i, key[0], key[1], be, dsrtest.hexdiff(want, out)))
        flow_be.setdefault(key, set()).add(out[0:6])
    res.equal("dsrlb connections (one per flow)", len(conns), TCP_FLOWS)
    res.check("every output frame == its input with dst = its flow's backend, src = dsrlb",
              not wrong and len(got) == n,
              "%d frames, byte for byte" % len(got) if not wrong else
              "%d differ; %s" % (len(wrong), "; ".join(wrong[:3])))
    split = [k for k, v in flow_be.items() if len(v) != 1]
    res.check("each flow on one backend", not split and len(flow_be) == TCP_FLOWS,
              "%d flows" % len(flow_be) if not split else "%d flows split" % len(split))
    per_be = {ip: sum(1 for k in flow_be if conns.get(k) == ip) for ip in BACKENDS}
    print("pcap flows per backend: %s" % per_be)
    res.check("both backends get flows", all(per_be.values()), "%s" % per_be)
    frames_be = {ip: sum(1 for g in got if g[0:6] == be_mac[ip]) for ip in BACKENDS}
    lb_be = {ip: lb.get("backend %s:%d/tcp %s pkts" % (TCP_VIP, TCP_PORT, ip))
             for ip in BACKENDS}
    res.equal("frames per backend: tx_pcap == dsrlb", frames_be, lb_be)
    res.equal("dsrlb exit status (SIGTERM, peer idle)", lb_rc, 0)
    if tp_rc != 0:
        print("note: testpmd exited %s on quit after dsrlb left (not checked: a memif "
              "peer may crash on shutdown)" % tp_rc)


def missing():
    if not os.access(TESTPMD, os.X_OK):
        return TESTPMD + " not found (apt-get install dpdk)"
    if shutil.which("stdbuf") is None:
        return "stdbuf not found (coreutils)"
    for drv in ("net_memif", "net_pcap"):
        if not glob.glob(PMD_GLOB % drv):
            return "driver %s not found (%s)" % (drv, PMD_GLOB % drv)
    return None


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    dsrlb, ctl = sys.argv[1], sys.argv[2]
    why = missing()
    if why:
        print("SKIP: " + why)
        return 77
    # meson's timeout sends SIGTERM: unwind, so that the finally blocks kill the peers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    res = Results()
    t0 = time.time()
    tmp = tempfile.mkdtemp(prefix="dsrlb-testpmd-")
    keep = False
    times = []
    try:
        conf = os.path.join(tmp, "lb.conf")
        write_conf(conf)
        for name, phase in (("flowgen", phase_flowgen), ("pcap", phase_pcap)):
            t1 = time.time()
            try:
                phase(res, tmp, dsrlb, ctl, conf)
            except Exception as e:  # noqa: BLE001 -- report and go on to the next phase
                res.check("%s phase ran" % name, False, "%s" % e)
            times.append("%s phase: %.1f s" % (name, time.time() - t1))
            print(times[-1])
        keep = bool(os.environ.get("DSRLB_KEEP_TMP"))
        if res.failed:
            # testpmd's logs first, dsrlb's last: the end of a long log is what is shown.
            for f in sorted(os.listdir(tmp), key=lambda f: (f.startswith("dsrlb"), f)):
                if f.endswith(".log"):
                    with open(os.path.join(tmp, f), errors="replace") as fh:
                        text = fh.read()
                    text = "\n".join(line for line in text.splitlines()
                                     if "src=" not in line and "ol_flags" not in line)
                    print("---- %s (last lines, packet dumps left out)\n%s" % (f, text[-2500:]))
    finally:
        if keep:
            print("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%s, total %.1f s" % (", ".join(times), time.time() - t0))
    # Again after the logs, so that the end of a long log says what failed.
    for line in res.failures:
        print(line if len(line) < 400 else line[:400] + " ...")
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
