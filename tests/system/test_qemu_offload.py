# SPDX-License-Identifier: ISC
"""virtio-net's offloads on the qemu target (issue 12, bulk): `mirari run
-t qemu` hands QEMU a tap with a virtio-net header, so QEMU's virtio-net
offers checksum offload, TSO both ways and mergeable receive buffers, and
the driver (platform/virtio/virtio_net.c) takes them: the stack sends TCP
segments of up to 64 KiB and receives the host's unsegmented. Byte-exact
transfers of several MiB both ways on -M microvm (virtio-mmio) and -M pc
(legacy virtio-pci); with MIRARI_TAP_OFFLOAD=off QEMU offers none and the
same transfers still arrive intact. Speed is not tested here."""

import hashlib
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import copy_example
from direct_env import Unikernel, echo_transfer, ns, same

pytestmark = pytest.mark.skipif(shutil.which("qemu-system-x86_64") is None,
                                reason="needs qemu-system-x86_64")

ADDR = "10.0.0.2"
SIZE = 4 << 20
OFFLOADS_LINE = "net: device offloads: tx-csum tso4 rx-csum rx-gso"


def build(mirari, example, app, files=None):
    copy_example(example, app)
    for name, data in (files or {}).items():
        (app / "files" / name).write_bytes(data)
    r = subprocess.run([str(mirari), "build", "-t", "qemu"], cwd=app, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return app


@pytest.fixture(scope="module")
def site(mirari, tmp_path_factory):
    data = random.Random(9).randbytes(SIZE)
    app = build(mirari, "static-website", tmp_path_factory.mktemp("qemu-offload") / "site",
                {"big.bin": data})
    return app, data


@pytest.fixture(scope="module")
def echo_app(mirari, tmp_path_factory):
    return build(mirari, "echo", tmp_path_factory.mktemp("qemu-offload-echo") / "echo")


def run_qemu(name, mirari, app, log, ready, machine, offload=True):
    env = {k: v for k, v in os.environ.items()
           if k not in ("MIRARI_QEMU_NET", "MIRARI_TAP", "MIRARI_TAP_ADDRESS",
                        "MIRARI_TAP_OFFLOAD")}
    env["MIRARI_QEMU_MACHINE"] = machine
    if not offload:
        env["MIRARI_TAP_OFFLOAD"] = "off"
    return Unikernel(name, [str(mirari), "run", "-t", "qemu", "--", "--log-level=debug"], log,
                     ready, env=env, cwd=app, timeout=120)


def download_twice(name, data, out):
    for _ in range(2):
        ns(name, "curl", "-sS", "--max-time", "300", "-o", str(out),
           f"http://{ADDR}:8080/big.bin")
        assert hashlib.sha256(Path(out).read_bytes()).digest() == hashlib.sha256(data).digest()


@pytest.mark.parametrize("machine", ["microvm", "pc"])
def test_download_with_offloads(netns, mirari, site, tmp_path, machine):
    app, data = site
    name = netns()
    u = run_qemu(name, mirari, app, tmp_path / "run.log", r"serving HTTP", machine)
    try:
        download_twice(name, data, tmp_path / "big.bin")
    finally:
        u.stop()
    log = u.text()
    assert OFFLOADS_LINE in log
    assert "eth_drop_bad_offload" not in log and "tcp_drop_checksum" not in log


@pytest.mark.parametrize("machine", ["microvm", "pc"])
def test_echo_both_ways_with_offloads(netns, mirari, echo_app, tmp_path, machine):
    name = netns()
    u = run_qemu(name, mirari, echo_app, tmp_path / "run.log", r"echo: listening", machine)
    try:
        data = os.urandom(SIZE)
        got, _ = echo_transfer(name, ADDR, 7, data)
        assert same(got, data)
    finally:
        u.stop()
    log = u.text()
    assert OFFLOADS_LINE in log
    assert "eth_drop_bad_offload" not in log and "tcp_drop_checksum" not in log


def test_download_without_offloads(netns, mirari, site, tmp_path):
    app, data = site
    name = netns()
    u = run_qemu(name, mirari, app, tmp_path / "run.log", r"serving HTTP", "microvm",
                 offload=False)
    try:
        download_twice(name, data, tmp_path / "big.bin")
    finally:
        u.stop()
    assert "device offloads" not in u.text()
