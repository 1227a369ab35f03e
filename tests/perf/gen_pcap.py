#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write benchmark pcaps fast (raw bytes; scapy is too slow for millions).

usage: gen_pcap.py OUT.pcap FLOWS KIND [VIP]
  KIND ack:   one 64-byte TCP ACK per flow (established traffic after the
              first pass of an infinite replay)
  KIND churn: SYN, ACK, FIN+ACK per flow (connection churn)
  KIND udp:   one 64-byte UDP datagram per flow
Flow i comes from 100.64.0.0/10 + i (unique up to 4M flows), port
1024 + (i * 7919) % 64000; all go to VIP:80 (TCP) or
VIP:53 (UDP), destination MAC = net_pcap's 02:70:63:61:70:00.
"""

import socket
import struct
import sys

DST_MAC = bytes.fromhex("027063617000")
SRC_MAC = bytes.fromhex("02000000c101")


def csum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def frame(src_ip, sport, vip, proto, flags):
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", sport, 80, 1000, 1, 5 << 4, flags, 65535, 0, 0)
    else:
        l4 = struct.pack("!HHHH", sport, 53, 8 + 18, 0) + b"\0" * 18
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0,
                     src_ip, vip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    f = DST_MAC + SRC_MAC + b"\x08\x00" + ip + l4
    return f + b"\0" * max(0, 60 - len(f))


def main():
    out, flows, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    vip = socket.inet_aton(sys.argv[4] if len(sys.argv) > 4 else "10.0.0.100")
    seq = {"ack": [(6, 0x10)], "churn": [(6, 0x02), (6, 0x10), (6, 0x11)],
           "udp": [(17, 0)]}[kind]
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(flows):
            src = struct.pack("!I", 0x64400000 | (i & 0x3fffff))
            sport = 1024 + (i * 7919) % 64000
            for proto, flags in seq:
                fr = frame(src, sport, vip, proto, flags)
                f.write(struct.pack("<IIII", 1700000000, i % 1000000, len(fr), len(fr)))
                f.write(fr)


if __name__ == "__main__":
    main()
