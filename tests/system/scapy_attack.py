# SPDX-License-Identifier: ISC
"""Crafted bad input for a unix-direct unikernel, sent with scapy from the
host side of its tap (run inside the test's namespace, as root):

    scapy_attack.py IFACE TARGET_IP TARGET_MAC PORT

truncated headers, bad checksums, bad IHL and data offsets, lying length
fields, impossible TCP flag combinations, overlapping, endless, tiny and
oversized fragments, then a SYN flood from spoofed addresses. Prints what
it sent, as JSON, on stdout."""

import json
import random
import sys

from scapy.all import ICMP, IP, TCP, UDP, Ether, Raw, conf, get_if_hwaddr, sendp

conf.verb = 0


def main():
    iface, target, theirs, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rng = random.Random(5)
    ours = get_if_hwaddr(iface)
    src = "10.0.0.1"
    eth = Ether(src=ours, dst=theirs, type=0x0800)  # also for Raw payloads
    sent = {}
    frames = []

    def add(kind, pkts):
        sent[kind] = sent.get(kind, 0) + len(pkts)
        frames.extend(pkts)

    udp_ok = IP(src=src, dst=target) / UDP(sport=5000, dport=port) / Raw(b"x" * 20)
    raw_ok = bytes(udp_ok)
    # IPv4 header problems.
    add("ip_truncated", [eth / Raw(raw_ok[:n]) for n in range(1, 20)])
    add("ip_bad_version", [eth / Raw(bytes([0x65]) + raw_ok[1:]) for _ in range(10)])
    add("ip_bad_checksum", [eth / IP(src=src, dst=target, chksum=0x1234) / UDP(dport=port)
                            for _ in range(10)])
    add("ip_ihl_short", [eth / IP(src=src, dst=target, ihl=3) / UDP(dport=port)
                         for _ in range(10)])
    add("ip_ihl_long", [eth / Raw(bytes([0x4F]) + raw_ok[1:]) for _ in range(10)])
    add("ip_length_lies", [eth / IP(src=src, dst=target, len=1400) / UDP(dport=port)
                           for _ in range(10)])
    # Transport problems.
    add("udp_bad_checksum", [eth / IP(src=src, dst=target) / UDP(dport=port, chksum=0xBEEF) /
                             Raw(b"y" * 10) for _ in range(10)])
    add("tcp_bad_checksum", [eth / IP(src=src, dst=target) /
                             TCP(sport=6000 + i, dport=port, flags="S", chksum=0xDEAD)
                             for i in range(10)])
    add("tcp_bad_offset", [eth / IP(src=src, dst=target) /
                           TCP(sport=6100 + i, dport=port, flags="S", dataofs=3)
                           for i in range(5)] +
        [eth / IP(src=src, dst=target) / TCP(sport=6200 + i, dport=port, flags="S", dataofs=15)
         for i in range(5)])
    add("tcp_syn_fin", [eth / IP(src=src, dst=target) / TCP(sport=6300 + i, dport=port,
                                                           flags="SF") for i in range(10)])
    add("tcp_syn_rst", [eth / IP(src=src, dst=target) / TCP(sport=6400 + i, dport=port,
                                                           flags="SR") for i in range(10)])
    add("tcp_xmas_null", [eth / IP(src=src, dst=target) / TCP(sport=6500 + i, dport=port,
                                                             flags=f) for i, f in
                          enumerate(["FPU", "", "FPU", "", "A", "F"])])
    # Fragments.
    ping = bytes(ICMP(id=7, seq=1) / Raw(b"z" * 3000))
    for i in range(10):  # overlapping: the second starts inside the first
        add("frag_overlap", [eth / IP(src=src, dst=target, proto=1, id=100 + i, flags="MF",
                                      frag=0) / Raw(ping[:1480]),
                             eth / IP(src=src, dst=target, proto=1, id=100 + i, flags="MF",
                                      frag=1400 // 8) / Raw(ping[1400:2880]),
                             eth / IP(src=src, dst=target, proto=1, id=100 + i,
                                      frag=2880 // 8) / Raw(ping[2880:])])
    add("frag_endless", [eth / IP(src=src, dst=target, proto=17, id=1000 + i, flags="MF",
                                  frag=rng.randrange(0, 8000)) / Raw(b"e" * 1000)
                         for i in range(300)])
    add("frag_tiny", [eth / IP(src=src, dst=target, proto=17, id=5000, flags="MF", frag=k) /
                      Raw(b"t" * 8) for k in range(100)])
    add("frag_too_long", [eth / IP(src=src, dst=target, proto=1, id=6000 + i, frag=8180) /
                          Raw(b"d" * 200) for i in range(10)])
    # A SYN flood from spoofed sources on the link (nobody answers their
    # ARP): the SYN queue fills, then SYN cookies.
    flood = []
    for i in range(3000):
        spoof = f"10.0.0.{rng.randrange(100, 250)}"
        flood.append(eth / IP(src=spoof, dst=target) /
                     TCP(sport=rng.randrange(1024, 65535), dport=port, flags="S",
                         seq=rng.randrange(1 << 32)))
    add("syn_flood", flood)
    sendp(frames, iface=iface)
    print(json.dumps(sent))


if __name__ == "__main__":
    main()
