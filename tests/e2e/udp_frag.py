#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""UDP datagrams big enough to be fragmented, for the e2e frag test.

  udp_frag.py recv PORT OUT [6]   log "SPORT SEQ LEN ok|bad" per datagram to OUT
                                  (6: on IPv6, ::)
  udp_frag.py send DST PORT FIRST N COUNT SIZE
                                  from source ports FIRST..FIRST+N-1, COUNT
                                  datagrams of SIZE bytes each, DF off (an
                                  IPv6 DST: the kernel fragments them too)
  udp_frag.py reversed SRC DST SPORT DPORT SIZE
                                  one datagram (SEQ 0) as IPv4 fragments that
                                  the client builds itself (raw socket), sent
                                  last fragment first
  udp_frag.py reversed6 SRC DST SPORT DPORT SIZE IFACE DSTMAC
                                  the same over IPv6, sent as Ethernet frames
                                  on IFACE to DSTMAC (a packet socket)
  udp_frag.py verify N COUNT SIZE LOG...
                                  one line: what the receivers' logs hold

A datagram's payload is "SPORT:SEQ:" then bytes that depend on both, so a
receiver knows whether it arrived whole and unchanged.
"""

import hashlib
import random
import socket
import struct
import sys
import time

IP_MTU_DISCOVER = getattr(socket, "IP_MTU_DISCOVER", 10)
IP_PMTUDISC_DONT = getattr(socket, "IP_PMTUDISC_DONT", 0)


def payload(sport, seq, size):
    head = b"%d:%d:" % (sport, seq)
    block = hashlib.sha256(head).digest()
    body = block * ((size - len(head)) // len(block) + 1)
    return head + body[: size - len(head)]


def recv(port, out, family="4"):
    v6 = family == "6"
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind(("::" if v6 else "0.0.0.0", port))
    with open(out, "a", buffering=1) as f:
        while True:
            data, addr = s.recvfrom(65535)
            sport = addr[1]
            try:
                seq = int(data.split(b":", 2)[1])
            except (IndexError, ValueError):
                seq = -1
            ok = seq >= 0 and data == payload(sport, seq, len(data))
            f.write("%d %d %d %s\n" % (sport, seq, len(data), "ok" if ok else "bad"))


def send(dst, port, first, n, count, size):
    socks = []
    v6 = ":" in dst
    for sport in range(first, first + n):
        s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
        if not v6:
            # Let the kernel fragment: no DF, whatever the path MTU.
            s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
        # (IPv6 has no DF: the sender fragments to the path MTU by default.)
        s.bind(("::" if v6 else "0.0.0.0", sport))
        socks.append((sport, s))
    for seq in range(count):
        for sport, s in socks:
            s.sendto(payload(sport, seq, size), (dst, port))
            time.sleep(0.002)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def reversed_fragments(src, dst, sport, dport, size):
    saddr, daddr = socket.inet_aton(src), socket.inet_aton(dst)
    data = payload(sport, 0, size)
    ulen = 8 + len(data)
    pseudo = saddr + daddr + struct.pack("!BBH", 0, socket.IPPROTO_UDP, ulen)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + data
    udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xFFFF) + udp[8:]
    ident = random.randrange(1, 65536)
    step = 1480  # a multiple of 8 that fits a 1500-byte MTU
    frags = []
    for off in range(0, len(udp), step):
        chunk = udp[off : off + step]
        flags = (0x2000 if off + step < len(udp) else 0) | (off // 8)
        hdr = struct.pack(
            "!BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk), ident, flags, 64, socket.IPPROTO_UDP, 0, saddr, daddr
        )
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        frags.append(hdr + chunk)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for f in reversed(frags):
        s.sendto(f, (dst, 0))
        time.sleep(0.002)
    print("sent %d fragments, last first (IP id %d)" % (len(frags), ident))


def reversed_fragments6(src, dst, sport, dport, size, iface, dstmac):
    """One UDP datagram over IPv6 as fragments of 1448 bytes (a 1500-byte MTU), last first."""
    saddr = socket.inet_pton(socket.AF_INET6, src)
    daddr = socket.inet_pton(socket.AF_INET6, dst)
    data = payload(sport, 0, size)
    ulen = 8 + len(data)
    pseudo = saddr + daddr + struct.pack("!I3xB", ulen, socket.IPPROTO_UDP)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + data
    udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xFFFF) + udp[8:]
    ident = random.randrange(1, 1 << 32)
    step = 1448  # a multiple of 8: 40 + 8 + 1448 = 1496 bytes fit the MTU
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    eth = bytes.fromhex(dstmac.replace(":", "")) + s.getsockname()[4][:6] + b"\x86\xdd"
    frags = []
    for off in range(0, len(udp), step):
        chunk = udp[off : off + step]
        more = 1 if off + step < len(udp) else 0
        fh = struct.pack("!BBHI", socket.IPPROTO_UDP, 0, off | more, ident)
        ip6 = struct.pack("!IHBB", 6 << 28, len(fh) + len(chunk), 44, 64) + saddr + daddr
        frags.append(eth + ip6 + fh + chunk)
    for f in reversed(frags):
        s.send(f)
        time.sleep(0.002)
    print("sent %d IPv6 fragments, last first (id %d)" % (len(frags), ident))


def verify(n, count, size, logs):
    """Print: total whole bad dups missing split (ports on two backends) and per-log counts."""
    seen = {}
    where = {}
    total = whole = bad = dups = 0
    per_log = []
    for i, log in enumerate(logs):
        k = 0
        with open(log) as f:
            for line in f:
                sport, seq, length, ok = line.split()
                sport, seq, length = int(sport), int(seq), int(length)
                total += 1
                k += 1
                if ok == "ok" and length == size:
                    whole += 1
                else:
                    bad += 1
                key = (sport, seq)
                if key in seen:
                    dups += 1
                seen[key] = True
                where.setdefault(sport, set()).add(i)
        per_log.append(k)
    missing = n * count - len(seen)
    split = sum(1 for s in where.values() if len(s) > 1)
    print(
        "total %d whole %d bad %d dups %d missing %d split %d per-log %s"
        % (total, whole, bad, dups, missing, split, " ".join(map(str, per_log)))
    )


def main():
    cmd = sys.argv[1]
    a = sys.argv[2:]
    if cmd == "recv":
        recv(int(a[0]), a[1], *a[2:3])
    elif cmd == "send":
        send(a[0], int(a[1]), int(a[2]), int(a[3]), int(a[4]), int(a[5]))
    elif cmd == "reversed":
        reversed_fragments(a[0], a[1], int(a[2]), int(a[3]), int(a[4]))
    elif cmd == "reversed6":
        reversed_fragments6(a[0], a[1], int(a[2]), int(a[3]), int(a[4]), a[5], a[6])
    elif cmd == "verify":
        verify(int(a[0]), int(a[1]), int(a[2]), a[3:])
    else:
        sys.exit("usage: see the docstring")


if __name__ == "__main__":
    main()
