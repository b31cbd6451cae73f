# SPDX-License-Identifier: ISC
"""unix-direct with the tap's offloads (issue 12, bulk): `mirari run
--unix` opens the tap with a virtio-net header, so the own stack hands the
kernel TCP segments of up to 64 KiB with partial checksums (TSO) and
takes the kernel's own unsegmented, with checksums left partial. Byte-exact
transfers of several MiB both ways, with a packet socket on the tap
showing that frames beyond the MTU really went each way; and the same
transfers with MIRARI_TAP_OFFLOAD=off, where no frame exceeds 1514 bytes.
Speed is not tested here (see bench/bulk.py)."""

import hashlib
import os
import random
import socket
import struct
import subprocess
import threading

import pytest

from conftest import copy_example
from direct_env import Unikernel, build, echo_transfer, in_netns, ns, same

ADDR = "10.0.0.2"  # what mirari run gives an app without an address
ETH_P_ALL = 0x0003
PACKET_HOST, PACKET_OUTGOING = 0, 4
MTU_FRAME = 14 + 1500


class Capture:
    """Sizes of the frames on tap `dev` of a namespace, by direction: `out`
    from the unikernel (the host receives them), `to` towards it."""

    def __init__(self, netns_name, dev="mir0"):
        with in_netns(netns_name):
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind((dev, 0))
        self.sock.settimeout(0.2)
        self.largest = {"from": 0, "to": 0}
        self.beyond_mtu = {"from": 0, "to": 0}
        self.running = True
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def run(self):
        while self.running:
            try:
                data, addr = self.sock.recvfrom(1 << 17)
            except socket.timeout:
                continue
            way = {PACKET_HOST: "from", PACKET_OUTGOING: "to"}.get(addr[2])
            if way is None:
                continue
            # A packet socket may be handed a truncated copy; the IP total
            # length tells the frame's size.
            size = len(data)
            if len(data) >= 18 and data[12:14] == b"\x08\x00":
                size = 14 + struct.unpack("!H", data[16:18])[0]
            self.largest[way] = max(self.largest[way], size)
            if size > MTU_FRAME:
                self.beyond_mtu[way] += 1

    def stop(self):
        self.running = False
        self.thread.join()
        self.sock.close()
        return self


@pytest.fixture(scope="module")
def echo_app(mirari, tmp_path_factory):
    return build(mirari, "echo", tmp_path_factory.mktemp("offload-echo")).parent


@pytest.fixture(scope="module")
def site(mirari, tmp_path_factory):
    """static-website for unix-direct with a 6 MiB files/big.bin; (dir, bytes)."""
    app = copy_example("static-website", tmp_path_factory.mktemp("offload-web") / "site")
    data = random.Random(5).randbytes(6 << 20)
    (app / "files" / "big.bin").write_bytes(data)
    for cmd in ("configure", "build"):
        r = subprocess.run([str(mirari), cmd, "--unix"], cwd=app, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    return app, data


def run_unix(netns_name, mirari, appdir, log, ready, offload=True):
    env = dict(os.environ)
    env.pop("MIRARI_TAP_OFFLOAD", None)
    if not offload:
        env["MIRARI_TAP_OFFLOAD"] = "off"
    return Unikernel(netns_name, [str(mirari), "run", "--unix", "--", "--log-level=debug"], log,
                     ready, env=env, cwd=appdir)


OFFLOADS_LINE = "net: device offloads: tx-csum tso4 rx-csum rx-gso"


@pytest.mark.parametrize("offload", [True, False], ids=["offload", "offload-off"])
def test_echo_8mib_both_ways(netns, mirari, echo_app, tmp_path, offload):
    name = netns()
    u = run_unix(name, mirari, echo_app, tmp_path / "echo.log", r"echo: listening", offload)
    cap = Capture(name)
    try:
        data = os.urandom(8 << 20)
        got, _ = echo_transfer(name, ADDR, 7, data)
        assert same(got, data)
    finally:
        cap.stop()
        u.stop()
    log = u.text()
    assert "Sanitizer" not in log
    assert "eth_drop_bad_offload" not in log
    assert "tcp_drop_checksum" not in log
    if offload:
        assert OFFLOADS_LINE in log
        # The kernel handed over its segments unsegmented, and the stack
        # sent TSO frames: both ways beyond the MTU.
        assert cap.beyond_mtu["to"] > 0, cap.largest
        assert cap.beyond_mtu["from"] > 0, cap.largest
    else:
        assert "device offloads" not in log
        assert cap.largest["to"] <= MTU_FRAME and cap.largest["from"] <= MTU_FRAME, cap.largest


@pytest.mark.parametrize("offload", [True, False], ids=["offload", "offload-off"])
def test_download_6mib(netns, mirari, site, tmp_path, offload):
    app, data = site
    name = netns()
    u = run_unix(name, mirari, app, tmp_path / "web.log", r"serving HTTP", offload)
    cap = Capture(name)
    out = tmp_path / "big.bin"
    try:
        for _ in range(2):
            ns(name, "curl", "-sS", "--max-time", "120", "-o", str(out),
               f"http://{ADDR}:8080/big.bin")
            assert hashlib.sha256(out.read_bytes()).digest() == hashlib.sha256(data).digest()
    finally:
        cap.stop()
        u.stop()
    assert "Sanitizer" not in u.text()
    if offload:
        assert cap.beyond_mtu["from"] > 0, cap.largest
    else:
        assert cap.largest["from"] <= MTU_FRAME, cap.largest
