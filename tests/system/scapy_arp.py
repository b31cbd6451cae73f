# SPDX-License-Identifier: ISC
"""ARP both ways with a unix-direct unikernel, seen from the host side of
its tap (run inside the test's namespace, as root):

    scapy_arp.py IFACE TARGET_IP

It listens on IFACE, says "sniffing" and waits for a line on stdin (the
test starts the unikernel meanwhile), then:
  1. asks who-has TARGET from a made-up neighbour 10.0.0.77 and expects
     the answer, sent to that neighbour's MAC address;
  2. pings TARGET from another made-up neighbour, 10.0.0.66, that the
     unikernel has never heard of: it must ask who-has 10.0.0.66 (this
     script answers) before its echo reply can go.
Prints what it saw as JSON: the gratuitous ARP at start-up, the reply to
1., the request of 2. and the echo reply."""

import json
import sys
import time

from scapy.all import ARP, ICMP, IP, AsyncSniffer, Ether, Raw, conf, sendp

conf.verb = 0

MAC77 = "02:00:00:00:77:77"
MAC66 = "02:00:00:00:66:66"


def main():
    iface, target = sys.argv[1], sys.argv[2]
    result = {"gratuitous": False, "reply_to_77": False, "asked_for_66": False,
              "echo_reply_to_66": False}
    state = {"target_mac": None}

    def on_packet(p):
        if ARP in p:
            a = p[ARP]
            if a.op == 1 and a.psrc == target and a.pdst == target:
                result["gratuitous"] = True
                state["target_mac"] = a.hwsrc
            elif a.op == 2 and a.psrc == target and a.pdst == "10.0.0.77" and \
                    p[Ether].dst == MAC77 and a.hwdst == MAC77:
                result["reply_to_77"] = True
                state["target_mac"] = a.hwsrc
            elif a.op == 1 and a.psrc == target and a.pdst == "10.0.0.66":
                result["asked_for_66"] = True
                sendp(Ether(src=MAC66, dst=a.hwsrc) /
                      ARP(op=2, hwsrc=MAC66, psrc="10.0.0.66", hwdst=a.hwsrc, pdst=target),
                      iface=iface)
        elif IP in p and ICMP in p and p[IP].src == target and p[IP].dst == "10.0.0.66" and \
                p[ICMP].type == 0 and p[Ether].dst == MAC66:
            result["echo_reply_to_66"] = True

    sniffer = AsyncSniffer(iface=iface, prn=on_packet, store=False)
    sniffer.start()
    time.sleep(0.5)
    print("sniffing", flush=True)
    sys.stdin.readline()
    time.sleep(0.5)
    sendp(Ether(src=MAC77, dst="ff:ff:ff:ff:ff:ff") /
          ARP(op=1, hwsrc=MAC77, psrc="10.0.0.77", pdst=target), iface=iface)
    deadline = time.time() + 5
    while state["target_mac"] is None and time.time() < deadline:
        time.sleep(0.05)
    if state["target_mac"]:
        sendp(Ether(src=MAC66, dst=state["target_mac"]) / IP(src="10.0.0.66", dst=target) /
              ICMP(id=3, seq=1) / Raw(b"arp both ways"), iface=iface)
    deadline = time.time() + 5
    while not result["echo_reply_to_66"] and time.time() < deadline:
        time.sleep(0.05)
    sniffer.stop()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
