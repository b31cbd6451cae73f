# SPDX-License-Identifier: ISC
"""The initial sequence numbers a TCP listener answers SYNs with, seen
from the host side (run inside the test's namespace, as root):

    scapy_isn.py TARGET_IP PORT SPORT...

Sends one SYN from each source port and prints the SYN-ACKs' sequence
numbers as a JSON list, in the order of the ports (null when none came).
The namespace's own stack answers the SYN-ACK with a reset, since no
socket of its own made the SYN: the listener forgets the half-open
connection."""

import json
import sys

from scapy.all import IP, TCP, conf, sr1

conf.verb = 0


def main():
    target, port, sports = sys.argv[1], int(sys.argv[2]), [int(p) for p in sys.argv[3:]]
    isns = []
    for sp in sports:
        isn = None
        for _ in range(3):  # the first SYN may wait for ARP
            r = sr1(IP(dst=target) / TCP(sport=sp, dport=port, flags="S", seq=1000), timeout=3)
            if r is not None and TCP in r and (r[TCP].flags & 0x12) == 0x12:
                isn = r[TCP].seq
                break
        isns.append(isn)
    print(json.dumps(isns))


if __name__ == "__main__":
    main()
