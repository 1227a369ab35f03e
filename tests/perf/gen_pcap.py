#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write benchmark pcaps fast (raw bytes; scapy is too slow for millions).

usage: gen_pcap.py OUT.pcap FLOWS KIND [VIP] [--sample N] [--seed S] [--dst-mac MAC]
  KIND ack:   one 64-byte TCP ACK per flow (established traffic after the
              first pass of an infinite replay)
  KIND churn: SYN, ACK, FIN+ACK per flow (connection churn)
  KIND udp:   one 64-byte UDP datagram per flow
  KIND ack6, churn6, udp6: the same over IPv6 (74-byte TCP frames, 80-byte
              UDP ones)
  --sample N: only N of the FLOWS flows, drawn at random without
              repetition (seed S, default 1), in random order
  --dst-mac:  destination MAC (default net_pcap port 0's 02:70:63:61:70:00;
              net_pcap port 1 is 02:70:63:61:70:01)
Flow i comes from 100.64.0.0/10 + i (unique up to 4194304 flows), port
1024 + (i * 7919) % 64000; all go to VIP:80 (TCP) or VIP:53 (UDP).
Every IPv4 frame is 60 bytes (64 on the wire); TCP checksums are left 0.
IPv6 flow i comes from 2001:db8::i, same port, to fd00::100.
With numpy (python3-numpy) 4M flows take about a second; without, a
plain loop writes about 300k packets a second.
"""

import argparse
import socket
import struct

try:
    import numpy as np
except ImportError:  # the plain loop below still works
    np = None

DST_MAC = bytes.fromhex("027063617000")
SRC_MAC = bytes.fromhex("02000000c101")
KINDS = {"ack": [(6, 0x10)], "churn": [(6, 0x02), (6, 0x10), (6, 0x11)], "udp": [(17, 0)],
         "ack6": [(6, 0x10)], "churn6": [(6, 0x02), (6, 0x10), (6, 0x11)], "udp6": [(17, 0)]}
# IPv6 kinds: from 2001:db8::/64 + i to VIP6 (fd00::100), 74- and 80-byte frames.
V6_KINDS = ("ack6", "churn6", "udp6")
VIP6 = socket.inet_pton(socket.AF_INET6, "fd00::100")
MAX_FLOWS = 1 << 22
FRAME = 60
REC = 16 + FRAME  # pcap record header + frame


def csum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def src_ip(i):
    return 0x64400000 | (i & (MAX_FLOWS - 1))


def src_port(i):
    return 1024 + (i * 7919) % 64000


def frame(src, sport, vip, proto, flags, dst_mac=DST_MAC):
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", sport, 80, 1000, 1, 5 << 4, flags, 65535, 0, 0)
    else:
        l4 = struct.pack("!HHHH", sport, 53, 8 + 18, 0) + b"\0" * 18
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0,
                     src, vip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    f = dst_mac + SRC_MAC + b"\x08\x00" + ip + l4
    return f + b"\0" * max(0, FRAME - len(f))


def flow_ids(flows, sample, seed):
    """The flow numbers to write, in order."""
    if sample is None or sample >= flows:
        return None  # 0 .. flows-1 in order
    if np is not None:
        return np.random.default_rng(seed).permutation(flows)[:sample]
    import random
    return random.Random(seed).sample(range(flows), sample)


def write_pcap(out, flows, kind, vip="10.0.0.100", sample=None, seed=1, dst_mac=DST_MAC):
    """Write the pcap; returns its packet count."""
    if flows > MAX_FLOWS:
        raise ValueError("at most %d unique flows" % MAX_FLOWS)
    vip = socket.inet_aton(vip)
    seq = KINDS[kind]
    ids = flow_ids(flows, sample, seed)
    header = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    with open(out, "wb") as f:
        f.write(header)
        if kind in V6_KINDS and np is not None:
            n = _write_numpy6(f, flows, ids, seq, dst_mac)
        elif kind in V6_KINDS:
            n = _write_loop6(f, flows, ids, seq, dst_mac)
        elif np is not None:
            n = _write_numpy(f, flows, ids, seq, vip, dst_mac)
        else:
            n = _write_loop(f, flows, ids, seq, vip, dst_mac)
    return n


def _write_loop(f, flows, ids, seq, vip, dst_mac):
    n = 0
    for i in (range(flows) if ids is None else ids):
        src = struct.pack("!I", src_ip(i))
        for proto, flags in seq:
            fr = frame(src, src_port(i), vip, proto, flags, dst_mac)
            f.write(struct.pack("<IIII", 1700000000, i % 1000000, len(fr), len(fr)))
            f.write(fr)
            n += 1
    return n


def frame6(i, sport, proto, flags, dst_mac=DST_MAC):
    """An IPv6 frame of flow i: 2001:db8::i -> fd00::100 (checksums left 0)."""
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", sport, 80, 1000, 1, 5 << 4, flags, 65535, 0, 0)
    else:
        l4 = struct.pack("!HHHH", sport, 53, 8 + 18, 0) + b"\0" * 18
    src = bytes.fromhex("20010db8000000000000") + struct.pack("!HI", 0, i)
    ip = struct.pack("!IHBB", 6 << 28, len(l4), proto, 64) + src + VIP6
    return dst_mac + SRC_MAC + b"\x86\xdd" + ip + l4


def _write_loop6(f, flows, ids, seq, dst_mac):
    n = 0
    for i in (range(flows) if ids is None else ids):
        i = int(i)
        for proto, flags in seq:
            fr = frame6(i, src_port(i), proto, flags, dst_mac)
            f.write(struct.pack("<IIII", 1700000000, i % 1000000, len(fr), len(fr)))
            f.write(fr)
            n += 1
    return n


def _records(ids, seq, template):
    """numpy records (n, len(seq), 16 + frame) from template(proto, flags),
    each with its pcap header and the flow's timestamp (microseconds).
    Every kind's frames are of one length."""
    n, k = len(ids), len(seq)
    frames = [template(proto, flags) for proto, flags in seq]
    rec = np.empty((n, k, 16 + len(frames[0])), dtype=np.uint8)
    for j, fr in enumerate(frames):
        rec[:, j, :] = np.frombuffer(struct.pack("<IIII", 1700000000, 0, len(fr), len(fr)) + fr,
                                     dtype=np.uint8)
    rec[:, :, 4:8] = (ids % 1000000).astype("<u4").view(np.uint8).reshape(n, 1, 4)
    return rec


def _sports(ids):
    n = len(ids)
    sport = (np.uint64(1024) + (ids * np.uint64(7919)) % np.uint64(64000)).astype(">u2")
    return sport.view(np.uint8).reshape(n, 1, 2)


def _write_numpy6(f, flows, ids, seq, dst_mac):
    """Same bytes as _write_loop6: the source address's low 32 bits and the
    port are the per-flow fields (no IPv6 header checksum)."""
    ids = np.arange(flows, dtype=np.uint64) if ids is None else np.asarray(ids, np.uint64)
    n = len(ids)
    rec = _records(ids, seq, lambda proto, flags: frame6(0, 0, proto, flags, dst_mac))
    rec[:, :, 16 + 34:16 + 38] = ids.astype(">u4").view(np.uint8).reshape(n, 1, 4)
    rec[:, :, 16 + 54:16 + 56] = _sports(ids)
    f.write(rec.tobytes())
    return n * len(seq)


def _write_numpy(f, flows, ids, seq, vip, dst_mac):
    """Same bytes as _write_loop: a template per packet kind, then the
    per-flow fields (timestamp, source address and port, IP checksum)
    written as columns."""
    ids = np.arange(flows, dtype=np.uint64) if ids is None else np.asarray(ids, np.uint64)
    k = len(seq)
    n = len(ids)
    rec = _records(ids, seq, lambda proto, flags: frame(b"\0\0\0\0", 0, vip, proto, flags,
                                                        dst_mac))
    src = (np.uint64(0x64400000) | (ids & np.uint64(MAX_FLOWS - 1))).astype(np.uint32)
    rec[:, :, 16 + 26:16 + 30] = src.astype(">u4").view(np.uint8).reshape(n, 1, 4)
    rec[:, :, 16 + 34:16 + 36] = _sports(ids)
    # IP checksum: the template's (computed with source 0.0.0.0 and
    # checksum 0) complemented back, plus the source's two words.
    for j in range(k):
        base = (~int.from_bytes(bytes(rec[0, j, 16 + 24:16 + 26]), "big")) & 0xffff
        s = np.uint32(base) + (src >> np.uint32(16)) + (src & np.uint32(0xffff))
        s = (s & np.uint32(0xffff)) + (s >> np.uint32(16))
        s = (s & np.uint32(0xffff)) + (s >> np.uint32(16))
        c = (~s & np.uint32(0xffff)).astype(">u2")
        rec[:, j, 16 + 24:16 + 26] = c.view(np.uint8).reshape(n, 2)
    f.write(rec.tobytes())
    return n * k


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("flows", type=int)
    ap.add_argument("kind", choices=sorted(KINDS))
    ap.add_argument("vip", nargs="?", default="10.0.0.100")
    ap.add_argument("--sample", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dst-mac", default="02:70:63:61:70:00")
    a = ap.parse_args()
    write_pcap(a.out, a.flows, a.kind, a.vip, a.sample, a.seed,
               bytes.fromhex(a.dst_mac.replace(":", "")))


if __name__ == "__main__":
    main()
