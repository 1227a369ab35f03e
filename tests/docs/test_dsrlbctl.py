#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""dsrlbctl against a fake daemon, no dsrlb needed.

usage: test_dsrlbctl.py PATH/TO/dsrlbctl

Each test starts a fake control socket (lib/ctl/dsr_ctl.h protocol) on a
temporary UNIX socket, served from a thread: a greeting, then scripted
replies to the lines it receives, which it records. Every wait is bounded.
Prints "N passed, N failed" last; exits 1 if any failed.
"""
import os
import pty
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time

EXE = os.path.abspath(sys.argv[1])
WAIT = 15  # seconds: the most any step may take
GREETING = "dsrlb protocol 1 (read-write)"
CLOSE = object()  # in a reply: close the connection there
HANG = object()  # as a reply: never answer

results = {"passed": 0, "failed": 0}


class FakeDaemon:
    """A fake control socket. answer(line) gives the reply to a request:
    a str (sent whole), a list of str pieces (sent apart, 50 ms between)
    that may end with CLOSE, HANG, or None (no reply, as for comments)."""

    def __init__(self, path, answer=None, greeting=GREETING):
        self.path = path
        self.answer = answer or (lambda line: "OK\n")
        self.greeting = greeting
        self.requests = []
        self.connections = 0
        self.stop = threading.Event()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.thread = threading.Thread(target=self.accept_loop, daemon=True)
        self.thread.start()

    def accept_loop(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        conn.settimeout(WAIT)
        try:
            with conn:
                conn.sendall((self.greeting + "\n").encode())
                if self.greeting.startswith("ERR"):
                    return
                pending = b""
                while not self.stop.is_set():
                    data = conn.recv(65536)
                    if not data:
                        return
                    pending += data
                    while b"\n" in pending:
                        line, pending = pending.split(b"\n", 1)
                        line = line.decode("utf-8", "replace")
                        self.requests.append(line)
                        if not self.reply(conn, self.answer(line)):
                            return
        except OSError:
            return  # the client went away (as it should on a bad reply)

    def reply(self, conn, r):
        """Send a reply; False when the connection is to be closed."""
        if r is None:
            return True
        if r is HANG:
            self.stop.wait(WAIT)
            return False
        if isinstance(r, str):
            r = [r]
        for i, piece in enumerate(r):
            if piece is CLOSE:
                return False
            if i > 0:
                time.sleep(0.05)
            conn.sendall(piece.encode())
        return True

    def close(self):
        self.stop.set()
        self.sock.close()
        self.thread.join(WAIT)


def run(args, stdin=None, env=None, timeout=WAIT):
    e = {k: v for k, v in os.environ.items() if not k.startswith("DSRLB_")}
    e["DSRLB_TIMEOUT"] = "5"
    e.update(env or {})
    t0 = time.monotonic()
    p = subprocess.run([EXE] + args, input=stdin, capture_output=True, text=True, env=e,
                       timeout=timeout, stdin=None if stdin is not None else subprocess.DEVNULL)
    p.elapsed = time.monotonic() - t0
    return p


def check(name, ok, detail=""):
    if ok:
        results["passed"] += 1
        print("ok: %s" % name)
    else:
        results["failed"] += 1
        print("FAILED: %s %s" % (name, detail))


def expect(name, p, rc, stdout=None, stderr=None, stderr_has=None):
    """Check a finished run: exit status, and stdout/stderr exactly or in part."""
    problems = []
    if p.returncode != rc:
        problems.append("rc %d, want %d" % (p.returncode, rc))
    if stdout is not None and p.stdout != stdout:
        problems.append("stdout %r, want %r" % (p.stdout[:300], stdout[:300]))
    if stderr is not None and p.stderr != stderr:
        problems.append("stderr %r, want %r" % (p.stderr, stderr))
    if stderr_has is not None and stderr_has not in p.stderr:
        problems.append("stderr %r lacks %r" % (p.stderr, stderr_has))
    check(name, not problems, "; ".join(problems) + " (stdout %r, stderr %r)" %
          (p.stdout[:200], p.stderr[:300]) if problems else "")


class Case:
    """A fake daemon on a fresh socket for one test."""

    def __init__(self, tmp, answer=None, greeting=GREETING):
        self.path = os.path.join(tmp, "s%d.sock" % time.monotonic_ns())
        self.d = FakeDaemon(self.path, answer, greeting)

    def __enter__(self):
        return self.d

    def __exit__(self, *exc):
        self.d.close()
        return False


ROWS = "vip 10.0.0.100:80/tcp: pkts 10 bytes 600\nvip 10.0.0.100:53/udp: pkts 0 bytes 0\n"


def scripted(line):
    """A daemon that knows a few lines; ERR for anything with 'frob'."""
    if "frob" in line:
        if line.startswith("json "):
            return '{"rows":[],"status":"ERR","error":"unknown command \'vip frob\'"}\n'
        return "ERR unknown command 'vip frob'\n"
    if line == "show vips":
        return ROWS + "OK\n"
    if line.startswith("json "):
        return '{"rows":[],"status":"OK"}\n'
    return "OK\n"


def test_one_shot(tmp):
    with Case(tmp, scripted) as d:
        p = run(["-s", d.path, "show", "vips"])
        expect("one-shot OK prints the rows", p, 0, stdout=ROWS, stderr="")
        check("one-shot sends one line", d.requests == ["show vips"], d.requests)
    with Case(tmp, scripted) as d:
        p = run(["-s", d.path, "vip", "frob"])
        expect("one-shot ERR", p, 1, stdout="", stderr="dsrlbctl: unknown command 'vip frob'\n")
    with Case(tmp, lambda line: "# HELP dsrlb_rx_packets x\ndsrlb_rx_packets 5\nOK\n") as d:
        p = run(["-s", d.path, "show", "stats", "--prometheus"])
        expect("options after COMMAND belong to it", p, 0,
               stdout="# HELP dsrlb_rx_packets x\ndsrlb_rx_packets 5\n")
        check("show stats --prometheus sent as typed",
              d.requests == ["show stats --prometheus"], d.requests)
    with Case(tmp, scripted) as d:
        p = run(["show", "vips"], env={"DSRLB_SOCKET": d.path})
        expect("DSRLB_SOCKET", p, 0, stdout=ROWS)
    with Case(tmp, lambda line: "ERR\n") as d:
        p = run(["-s", d.path, "help"])
        expect("ERR without a reason", p, 1, stderr_has="no reason")
        check("help goes to the daemon", d.requests == ["help"], d.requests)


def test_json(tmp):
    tricky = ('{"rows":[{"kind":"backend","status":"ERR","x":"\\"status\\":\\"ERR\\" {["},'
              '{"kind":"text","text":"]}"}],"status":"OK"}')
    with Case(tmp, lambda line: tricky + "\n") as d:
        p = run(["-s", d.path, "--json", "show", "backends"])
        expect("--json OK: the document as is", p, 0, stdout=tricky + "\n", stderr="")
        check("--json sends json first", d.requests == ["json show backends"], d.requests)
    doc = '{"rows":[],"status":"ERR","error":"no service \\"10.0.0.9:80/tcp\\""}'
    with Case(tmp, lambda line: doc + "\n") as d:
        p = run(["-s", d.path, "--json", "vip", "del", "10.0.0.9:80/tcp"])
        expect("--json ERR: exit 1, reason on stderr", p, 1, stdout=doc + "\n",
               stderr='dsrlbctl: no service "10.0.0.9:80/tcp"\n')
    with Case(tmp, lambda line: '{"status":"OK","rows":[]}\n') as d:
        p = run(["-s", d.path, "json", "show", "vips"])
        expect("a typed json word means a JSON reply", p, 0, stdout='{"status":"OK","rows":[]}\n')
        check("json not doubled", d.requests == ["json show vips"], d.requests)
    with Case(tmp, lambda line: "ERR line too long\n") as d:
        p = run(["-s", d.path, "--json", "show", "vips"])
        expect("--json: a text ERR is understood", p, 1, stderr="dsrlbctl: line too long\n")
    with Case(tmp, lambda line: '{"rows":[]}\n') as d:
        p = run(["-s", d.path, "--json", "show", "vips"])
        expect("--json: no status is a protocol error", p, 2, stderr_has="no status")
    big = '{"rows":[' + ",".join(['{"kind":"conn","n":%d,"pad":"%s"}' % (i, "x" * 100)
                                  for i in range(160000)]) + '],"status":"OK"}'
    pieces = [big[i:i + (1 << 20)] for i in range(0, len(big), 1 << 20)]
    with Case(tmp, lambda line: pieces[:-1] + [pieces[-1] + "\n"]) as d:
        p = run(["-s", d.path, "--json", "show", "conns"], timeout=60)
        expect("--json: a %d MiB document streams through" % (len(big) >> 20), p, 0)
        check("--json: big document intact", p.stdout == big + "\n", "len %d" % len(p.stdout))


def test_file(tmp):
    conf = os.path.join(tmp, "c.conf")
    with open(conf, "w") as f:
        f.write("vip add 10.0.0.100:80/tcp\n# a comment\nvip frob 1\nvip add 10.0.0.101:80/tcp\n")
    with Case(tmp, scripted) as d:
        p = run(["-s", d.path, "-f", conf])
        expect("-f stops at the first ERR", p, 1,
               stderr="dsrlbctl: %s:3: unknown command 'vip frob'\n" % conf)
        check("-f: comment not sent, nothing after the ERR",
              d.requests == ["vip add 10.0.0.100:80/tcp", "vip frob 1"], d.requests)
    with open(conf, "w") as f:
        f.write("# header\n\n   \t\n  # indented\nvip add 10.0.0.100:80/tcp  # why\r\n"
                "show vips\n\tbackend add 10.0.0.100:80/tcp 10.0.0.21")  # no final newline
    with Case(tmp, scripted) as d:
        p = run(["-s", d.path, "-f", conf])
        expect("-f all OK", p, 0, stdout=ROWS, stderr="")
        check("-f sends only command lines, as written",
              d.requests == ["vip add 10.0.0.100:80/tcp  # why", "show vips",
                             "\tbackend add 10.0.0.100:80/tcp 10.0.0.21"], d.requests)
    with Case(tmp, scripted) as d:
        p = run(["-s", d.path, "--json", "-f", conf])
        expect("--json -f", p, 0, stdout='{"rows":[],"status":"OK"}\n' * 3)
        check("--json -f sends json lines", d.requests[1:2] == ["json show vips"], d.requests)
    with Case(tmp, scripted) as d:
        p = run(["-s", d.path], stdin="show vips\n# c\nvip frob\nshow vips\n")
        expect("stdin that is not a terminal reads like -f -", p, 1, stdout=ROWS,
               stderr="dsrlbctl: stdin:3: unknown command 'vip frob'\n")
        check("stdin: requests", d.requests == ["show vips", "vip frob"], d.requests)
    with Case(tmp, scripted) as d:
        p = run(["-s", d.path, "-f", "-"], stdin="show vips\n")
        expect("-f - is stdin", p, 0, stdout=ROWS)
    p = run(["-s", os.path.join(tmp, "none.sock"), "-f", os.path.join(tmp, "missing.conf")])
    expect("-f missing file", p, 2, stderr_has="cannot open")


def test_greetings(tmp):
    refusal = "ERR permission denied: uid 1000 is neither root nor in group dsrlb"
    with Case(tmp, scripted, greeting=refusal) as d:
        p = run(["-s", d.path, "show", "vips"])
        expect("refused: reason printed, exit 1", p, 1,
               stderr="dsrlbctl: permission denied: uid 1000 is neither root nor in group dsrlb\n")
        check("refused: nothing sent", d.requests == [], d.requests)
    with Case(tmp, scripted, greeting="ERR too many clients (256)") as d:
        p = run(["-s", d.path, "-f", "-"], stdin="show vips\n")
        expect("too many clients", p, 1, stderr="dsrlbctl: too many clients (256)\n")
    with Case(tmp, scripted, greeting="dsrlb protocol 2 (read-write)") as d:
        p = run(["-s", d.path, "show", "vips"])
        expect("protocol 2: exit 2", p, 2,
               stderr="dsrlbctl: daemon speaks protocol 2, this dsrlbctl speaks 1\n")
    with Case(tmp, scripted, greeting="SSH-2.0-OpenSSH_9.2") as d:
        p = run(["-s", d.path, "show", "vips"])
        expect("not a dsrlb socket", p, 2, stderr_has="unexpected greeting")
    with Case(tmp, scripted, greeting="dsrlb protocol 1 (read-only)") as d:
        p = run(["-s", d.path, "show", "vips"])
        expect("read-only greeting accepted", p, 0, stdout=ROWS)
    path = os.path.join(tmp, "nobody.sock")
    p = run(["-s", path, "show", "vips"])
    expect("no socket: exit 2", p, 2,
           stderr="dsrlbctl: cannot connect to %s: No such file or directory "
                  "(is dsrlb running? -s PATH)\n" % path)


def test_failures(tmp):
    with Case(tmp, lambda line: HANG) as d:
        p = run(["-s", d.path, "show", "vips"], env={"DSRLB_TIMEOUT": "1"})
        expect("no reply: timeout, exit 2", p, 2, stderr_has="dsrlb sent nothing for 1 s")
        check("timeout took about 1 s", p.elapsed < 5, "%.1f s" % p.elapsed)
    with Case(tmp, lambda line: ["vip a: x 1\n", CLOSE]) as d:
        p = run(["-s", d.path, "show", "vips"])
        expect("daemon gone mid-reply: exit 2", p, 2, stdout="vip a: x 1\n",
               stderr_has="closed the connection")
    row = "conn: " + "y" * (3 << 20)
    with Case(tmp, lambda line: [row[:1000], row[1000:2 << 20], row[2 << 20:] + "\n", "OK\n"]) as d:
        p = run(["-s", d.path, "show", "conns"])
        expect("a 3 MiB row in pieces", p, 0)
        check("3 MiB row intact", p.stdout == row + "\n", "len %d" % len(p.stdout))
    with Case(tmp, lambda line: ["z" * (17 << 20) + "\nOK\n"]) as d:
        p = run(["-s", d.path, "show", "conns"], timeout=60)
        expect("a text line over 16 MiB: exit 2", p, 2, stderr_has="16 MiB")
    p = run(["-s", os.path.join(tmp, "x.sock"), "show"], env={"DSRLB_TIMEOUT": "soon"})
    expect("bad DSRLB_TIMEOUT", p, 2, stderr_has="DSRLB_TIMEOUT")


def test_reconnect(tmp):
    # The daemon drops the client after each reply (as after an idle
    # timeout): the next line goes on a new connection.
    with Case(tmp, lambda line: ["OK\n", CLOSE]) as d:
        e = {k: v for k, v in os.environ.items() if not k.startswith("DSRLB_")}
        p = subprocess.Popen([EXE, "-s", d.path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=e)
        try:
            p.stdin.write("show vips\n")
            p.stdin.flush()
            time.sleep(0.5)
            out, err = p.communicate("show arp\n", timeout=WAIT)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        check("reconnects after the daemon closed", p.returncode == 0 and
              d.requests == ["show vips", "show arp"] and d.connections == 2,
              "rc %s requests %s connections %d stderr %r" %
              (p.returncode, d.requests, d.connections, err))


def test_usage(tmp):
    p = run(["--markdown"])
    expect("--markdown", p, 0)
    check("--markdown content", p.stdout.startswith("# dsrlbctl") and
          "### `vip add VIP:PORT/PROTO [routed]`" in p.stdout and "dsrlbctl show vips" in p.stdout,
          p.stdout[:200])
    p = run(["-h"])
    expect("-h", p, 0)
    check("-h prints usage", p.stdout.startswith("usage: dsrlbctl"), p.stdout[:100])
    with Case(tmp, scripted) as d:
        p = run(["-s", d.path, "#", "nothing"])
        expect("a comment COMMAND is a usage error", p, 2, stderr_has="nothing to send")
        p = run(["-s", d.path, "show vips\nvip del 10.0.0.100:80/tcp"])
        expect("a COMMAND with a line break is refused", p, 2, stderr_has="line break")
        check("usage errors send nothing", d.requests == [], d.requests)
    p = run(["--bogus"])
    expect("unknown option", p, 2)
    p = run(["-f", "x", "show", "vips"])
    expect("-f and COMMAND", p, 2, stderr_has="not both")


class PtyReader:
    """All that a pty gave so far; waits bounded."""

    def __init__(self, fd):
        self.fd = fd
        self.text = ""

    def wait_for(self, want, count=1):
        """Read until want has appeared count times in all, or WAIT passed."""
        end = time.monotonic() + WAIT
        while self.text.count(want) < count:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return False
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            self.text += data.decode("utf-8", "replace")
        return True


def test_interactive(tmp):
    home = os.path.join(tmp, "home")
    os.mkdir(home)
    with Case(tmp, scripted) as d:
        master, slave = pty.openpty()
        e = {k: v for k, v in os.environ.items() if not k.startswith("DSRLB_")}
        e.update({"HOME": home, "TERM": "dumb", "INPUTRC": "/dev/null"})
        p = subprocess.Popen([EXE, "-s", d.path], stdin=slave, stdout=slave, stderr=slave,
                             env=e, close_fds=True)
        os.close(slave)
        tty = PtyReader(master)
        try:
            tty.wait_for("dsrlb> ", 1)
            os.write(master, b"show vips\r")
            tty.wait_for("dsrlb> ", 2)
            os.write(master, b"  # just a note\r")
            tty.wait_for("dsrlb> ", 3)
            os.write(master, b"vip frob\r")
            tty.wait_for("dsrlb> ", 4)
            os.write(master, b"sh\tv\t\r")  # Tab completes "show vips"
            tty.wait_for("dsrlb> ", 5)
            os.write(master, b"js\tsh\tconfl\t\r")  # "json show conflicts"
            tty.wait_for("dsrlb> ", 6)
            os.write(master, b"quit\r")
            rc = p.wait(WAIT)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait(WAIT)
        finally:
            os.close(master)
        seen = tty.text
        check("interactive: rows shown", "vip 10.0.0.100:80/tcp: pkts 10" in seen, repr(seen))
        check("interactive: ERR shown, session goes on",
              "dsrlbctl: unknown command 'vip frob'" in seen, repr(seen))
        check("interactive: quit exits 0", rc == 0, "rc %s" % rc)
        check("interactive: comments not sent, Tab completes",
              d.requests == ["show vips", "vip frob", "show vips ", "json show conflicts "],
              d.requests)
        hist = os.path.join(home, ".dsrlbctl_history")
        text = open(hist).read() if os.path.exists(hist) else ""
        check("interactive: history saved", "show vips" in text and "vip frob" in text,
              repr(text))


def main():
    with tempfile.TemporaryDirectory(prefix="dsrlbctl-test-") as tmp:
        for t in (test_one_shot, test_json, test_file, test_greetings, test_failures,
                  test_reconnect, test_usage, test_interactive):
            try:
                t(tmp)
            except Exception as e:  # a crashed test counts as one failure
                check(t.__name__, False, "raised %r" % e)
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
