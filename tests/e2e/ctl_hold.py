#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hold many control socket connections, as a local user locking others out.

    ctl_hold.py SOCKET COUNT SECONDS

Opens COUNT connections to SOCKET and reads each one's first line (the
greeting, or the ERR it is refused with). Then prints one line,
"accepted N refused M first-refusal ERR...", and holds the accepted ones
for SECONDS, sending "help" on each every 20 s (which a 60 s idle limit
alone would never close) and reading the replies. Exits early when the
server has closed every connection.
"""
import select
import socket
import sys
import time


def first_line(s):
    buf = b""
    end = time.monotonic() + 5
    while b"\n" not in buf and time.monotonic() < end:
        r, _, _ = select.select([s], [], [], 0.1)
        if r:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
    return buf.split(b"\n", 1)[0].decode("ascii", "replace")


def main():
    path, count, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    held, refused, refusal = [], 0, ""
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        line = first_line(s)
        if line.startswith("dsrlb protocol"):
            held.append(s)
        else:
            refused += 1
            refusal = refusal or line
            s.close()
    print("accepted %d refused %d first-refusal %s" % (len(held), refused, refusal), flush=True)
    end = time.monotonic() + seconds
    next_help = time.monotonic()
    while held and time.monotonic() < end:
        if time.monotonic() >= next_help:
            for s in held:
                try:
                    s.sendall(b"help\n")
                except OSError:
                    pass
            next_help = time.monotonic() + 20
        r, _, _ = select.select(held, [], [], 1)
        for s in r:
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                held.remove(s)
                s.close()


main()
