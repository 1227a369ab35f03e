#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Bad input on the real control socket: every kind gets a clear ERR, and
the daemon keeps serving. usage: ctl_bad_input.py SOCKET"""

import socket
import sys
import time

SOCK = sys.argv[1]
passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL %s %s" % (what, detail))


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(SOCK)
    f = s.makefile("rb")
    greeting = f.readline()
    return s, f, greeting


def ask(s, f, raw):
    """Send raw bytes (one request) and read the reply up to OK/ERR."""
    s.sendall(raw)
    lines = []
    while True:
        line = f.readline()
        if not line:
            return lines, None
        line = line.rstrip(b"\n").decode("ascii", "replace")
        if line == "OK" or line.startswith("ERR"):
            return lines, line
        lines.append(line)


s, f, g = connect()
check("greeting", g.startswith(b"dsrlb protocol 1"), g)
cases = [
    (b"frobnicate now\n", "ERR unknown command 'frobnicate'"),
    (b"vip add 10.0.0.300:80/tcp\n", "ERR bad IPv4 address '10.0.0.300'"),
    (b"vip add 10.0.0.100:70000/tcp\n", "ERR bad port '70000' (1-65535)"),
    (b"vip add 10.0.0.100:80/sctp\n", "ERR bad protocol 'sctp' (tcp or udp)"),
    (b"backend set 10.0.0.100:80/tcp 10.0.0.21 weight 65536\n", "ERR bad weight '65536' (0-65535)"),
    (b"timeout set tcp 0\n", "ERR bad seconds '0' (1-604800)"),
    (b"timeout set tcp 99999999999\n", "ERR bad seconds '99999999999' (1-604800)"),
    (b"vip add 10.0.0.100:80/tcp\n", "ERR VIP 10.0.0.100:80/tcp already exists"),
    (b"backend add 10.0.0.100:80/tcp 10.0.0.21\n",
     "ERR backend 10.0.0.21 of VIP 10.0.0.100:80/tcp already exists"),
    (b"backend add 10.0.0.199:80/tcp 10.0.0.21\n", "ERR VIP 10.0.0.199:80/tcp does not exist"),
    (b"x" * 4097 + b"\n", "ERR line too long (max 4096 bytes)"),
    (b"show\x00vips\n", "ERR bad byte 0x00 at column 5"),
    (b"show \xff\xfe\n", "ERR bad byte 0xff at column 6"),
    (b"conntrack size 8\n", "ERR 'conntrack size' can only be set in the config file at start"),
]
for raw, want in cases:
    _, status = ask(s, f, raw)
    check("%r -> %s" % (raw[:40], want), status == want, "got %r" % status)
rows, status = ask(s, f, b"show vips\n")
check("the connection still works after errors", status == "OK" and len(rows) == 1, rows)

# A client that disconnects mid-reply (asks for a large reply, reads nothing).
s2, f2, _ = connect()
s2.sendall(b"show stats\nshow stats\nshow stats\n")
s2.close()
# 200 clients at once, each asks and is answered; one that connects and never sends.
idle, _, _ = connect()
many = [connect() for _ in range(200)]
check("200 clients connected and greeted", all(g.startswith(b"dsrlb") for _, _, g in many))
for c, cf, _ in many:
    c.sendall(b"show timeouts\n")
answers = [ask(c, cf, b"")[1] for c, cf, _ in many]
check("200 clients answered", answers.count("OK") == 200, answers[:3])
for c, _, _ in many:
    c.close()
rows, status = ask(s, f, b"show stats control\n")
check("the daemon still answers with an idle client connected", status == "OK", rows)
print("     " + (rows[0] if rows else ""))
idle.close()
s.close()
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
