#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A paced HTTP download for the e2e tests: GET /blob from ADDR (IPv4 or
IPv6) port 80, from client port PORT, reading at most RATE bytes/s
(suffix k: 1024) through a small receive buffer, so that the server's
sends follow the reading and the flow stays busy on the wire for the
whole download. The body goes to OUT as it comes (its size there is the
progress). Exit 0 when the body is complete (its Content-Length), else
1 with the reason on stderr.

The pace is a ceiling counted from the start: after a stall the reader
catches up, but a download never ends before len/RATE seconds, however
slowly the test gets round to what it does mid-download. (curl 7.88's
--limit-rate is no ceiling: it overshoots several-fold on veth.)

--hold BYTES FILE: stop reading at BYTES of body until FILE exists, so the
flow stays open and established however slow the machine.
"""
import argparse
import os
import socket
import sys
import time


def rate(s):
    return int(s[:-1]) * 1024 if s.endswith("k") else int(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hold", nargs=2, metavar=("BYTES", "FILE"))
    ap.add_argument("--rcvbuf", type=int, default=16384)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("rate", type=rate)
    ap.add_argument("out")
    a = ap.parse_args()
    fam = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", a.port))
    s.settimeout(10)
    t0 = time.monotonic()
    deadline = t0 + a.timeout
    try:
        s.connect((a.addr, 80))
        s.sendall(b"GET /blob HTTP/1.0\r\nHost: x\r\n\r\n")
    except OSError as e:
        sys.exit("slowget: port %d: connect: %s" % (a.port, e))
    head, body, length = b"", 0, None
    hold = int(a.hold[0]) if a.hold else None
    with open(a.out, "wb", buffering=0) as out:
        while time.monotonic() < deadline:
            if hold is not None and length is not None and body >= hold:
                if not os.path.exists(a.hold[1]):
                    time.sleep(0.05)
                    continue
                hold = None
            try:
                chunk = s.recv(4096)
            except OSError as e:
                sys.exit("slowget: port %d: after %d bytes: %s" % (a.port, body, e))
            if not chunk:
                break
            if length is None:
                head += chunk
                if b"\r\n\r\n" not in head:
                    continue
                head, _, chunk = head.partition(b"\r\n\r\n")
                length = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
                          if l.lower().startswith(b"content-length:")]
                length = length[0] if length else -1
            out.write(chunk)
            body += len(chunk)
            ahead = (body + len(head)) / a.rate - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)
    if length is None or body != length:
        sys.exit("slowget: port %d: got %d bytes of body, Content-Length %s" % (a.port, body, length))


if __name__ == "__main__":
    main()
