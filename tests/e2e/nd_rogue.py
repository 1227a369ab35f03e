#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A host using the balancer's IPv6 address (run in its namespace, on eth0).

    nd_rogue.py claim MY_MAC ADDR LB_MAC
        Sends one unsolicited Neighbor Advertisement "ADDR is at MY_MAC"
        (to all-nodes, from ADDR, Override set, a target link-layer option),
        as a host that takes ADDR does, then listens for 2 s for the
        balancer's defence: an NA from LB_MAC to all-nodes for ADDR with
        Override set and LB_MAC as its target link-layer option. Prints
        "defences N".
"""
import select
import socket
import sys
import time

from scapy.layers.inet6 import IPv6, ICMPv6ND_NA, ICMPv6NDOptDstLLAddr
from scapy.layers.l2 import Ether

IFACE = "eth0"
ALL_NODES = "ff02::1"
ALL_NODES_MAC = "33:33:00:00:00:01"


def raw_socket():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((IFACE, 0))
    s.setblocking(False)
    return s


def is_defence(frame, addr, lb_mac):
    e = Ether(frame)
    if e.src != lb_mac or IPv6 not in e or ICMPv6ND_NA not in e:
        return False
    na = e[ICMPv6ND_NA]
    opt = e.getlayer(ICMPv6NDOptDstLLAddr)
    return (e[IPv6].dst == ALL_NODES and na.tgt == addr and na.O == 1 and na.S == 0 and
            opt is not None and opt.lladdr == lb_mac)


def claim(my_mac, addr, lb_mac):
    frame = bytes(Ether(src=my_mac, dst=ALL_NODES_MAC) /
                  IPv6(src=addr, dst=ALL_NODES, hlim=255) /
                  ICMPv6ND_NA(R=0, S=0, O=1, tgt=addr) /
                  ICMPv6NDOptDstLLAddr(lladdr=my_mac))
    s = raw_socket()
    s.send(frame)
    defences = 0
    end = time.time() + 2
    while time.time() < end:
        select.select([s], [], [], 0.1)
        while True:
            try:
                got = s.recv(65535)
            except BlockingIOError:
                break
            if is_defence(got, addr, lb_mac):
                defences += 1
    print(f"defences {defences}")


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "claim":
        claim(sys.argv[2], sys.argv[3], sys.argv[4])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
