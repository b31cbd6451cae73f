# SPDX-License-Identifier: ISC
"""An impairment relay between a tap device and a unix-direct unikernel.

Run inside the network namespace that holds the tap:

    relay.py --tap NAME [--seed N] [--loss P] [--dup P] [--reorder P]
             [--corrupt P] [--delay MS] [--jitter MS] -- IMAGE [ARGS...]

It opens the tap, makes a socketpair(AF_UNIX, SOCK_DGRAM), starts the
unikernel with one end as --net-fd=N (the platform reads and writes whole
frames on it as on a tap), and moves frames between the tap and the other
end, each direction impaired the same way from a seeded generator:

  loss      drop the frame (P percent)
  dup       send it twice
  corrupt   flip one bit of one byte after the destination MAC address
  reorder   hold it back by up to --jitter ms (default 20), so later
            frames overtake it
  delay     every frame waits --delay ms (one way)

With --pcap FILE it also writes every frame it reads, before impairment,
to FILE (libpcap format), to see afterwards what each side sent.

It exits with the unikernel's status, passing SIGINT and SIGTERM on, and
prints what it did as one line on stderr ("relay: ...").

Also importable: `Tap` and helpers used by the system tests."""

import argparse
import fcntl
import heapq
import os
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def open_tap(name):
    """The fd of an existing tap device (IFF_TAP | IFF_NO_PI)."""
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


class Impair:
    def __init__(self, args, seed):
        self.rng = random.Random(seed)
        self.a = args
        self.stats = dict(frames=0, dropped=0, duplicated=0, corrupted=0, reordered=0)

    def frames(self, frame, now):
        """(deliver_at, frame) for each copy of frame that goes on."""
        a, r = self.a, self.rng
        self.stats["frames"] += 1
        if a.loss and r.random() * 100 < a.loss:
            self.stats["dropped"] += 1
            return []
        copies = 1
        if a.dup and r.random() * 100 < a.dup:
            copies = 2
            self.stats["duplicated"] += 1
        out = []
        for _ in range(copies):
            f = frame
            at = now + a.delay / 1000.0
            if a.reorder and r.random() * 100 < a.reorder:
                at += r.random() * a.jitter / 1000.0
                self.stats["reordered"] += 1
            if a.corrupt and len(f) > 6 and r.random() * 100 < a.corrupt:
                i = r.randrange(6, len(f))
                f = f[:i] + bytes([f[i] ^ (1 << r.randrange(8))]) + f[i + 1:]
                self.stats["corrupted"] += 1
            out.append((at, f))
        return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tap", required=True)
    p.add_argument("--seed", type=int, default=1)
    for k in ("loss", "dup", "reorder", "corrupt"):
        p.add_argument("--" + k, type=float, default=0)
    p.add_argument("--delay", type=float, default=0, help="ms, one way")
    p.add_argument("--jitter", type=float, default=20, help="ms, for reordered frames")
    p.add_argument("--pcap", help="write the frames read to this file")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        p.error("the unikernel to run goes after --")

    tap = open_tap(a.tap)
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    for s in (ours, theirs):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    os.set_blocking(tap, False)
    ours.setblocking(False)
    fd = theirs.fileno()
    child = subprocess.Popen(cmd + [f"--net-fd={fd}"], pass_fds=(fd,))
    theirs.close()

    def forward(sig, frame):
        if child.poll() is None:
            child.send_signal(sig)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)

    pcap = None
    if a.pcap:
        pcap = open(a.pcap, "wb", buffering=0)  # unbuffered: readable while running
        # libpcap header: magic, version 2.4, GMT offset, accuracy, snaplen, Ethernet
        pcap.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))

    # Both directions from one generator, in the order frames come.
    imp = Impair(a, a.seed)
    queue = []  # (deliver_at, seq, to_tap, frame)
    seq = 0
    while child.poll() is None:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, to_tap, f = heapq.heappop(queue)
            try:
                if to_tap:
                    os.write(tap, f)
                else:
                    ours.send(f)
            except (BlockingIOError, OSError):
                pass  # a full queue drops, as a link would
        timeout = 0.2
        if queue:
            timeout = max(0.0, min(timeout, queue[0][0] - now))
        try:
            ready, _, _ = select.select([tap, ours], [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for src in ready:
            for _ in range(64):
                try:
                    f = os.read(tap, 65536) if src == tap else ours.recv(65536)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    break
                if pcap:
                    wall = time.time()
                    pcap.write(struct.pack("<IIII", int(wall), int(wall % 1 * 1e6), len(f),
                                           len(f)) + f)
                for at, g in imp.frames(f, now):
                    heapq.heappush(queue, (at, seq, src != tap, g))
                    seq += 1
    if pcap:
        pcap.close()
    st = imp.stats
    print("relay: " + ", ".join(f"{k} {v}" for k, v in st.items()), file=sys.stderr, flush=True)
    sys.exit(child.returncode if child.returncode >= 0 else 128 - child.returncode)


if __name__ == "__main__":
    main()
