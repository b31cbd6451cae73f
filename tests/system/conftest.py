# SPDX-License-Identifier: ISC
"""Shared fixtures for the system tests.

The suite runs against one build directory (MIRARI_BUILD, set by tests/run;
build/check when run by hand), installs it once into a temporary prefix, and
drives the installed `mirari` the way a user would."""

import os
import shutil
import socket
import subprocess
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("MIRARI_BUILD", REPO / "build" / "check"))


@pytest.fixture(scope="session")
def repo():
    return REPO


@pytest.fixture(scope="session")
def prefix(tmp_path_factory):
    """`make install PREFIX=...` of the build under test, once per session."""
    dest = tmp_path_factory.mktemp("prefix")
    # Install with the flags the build was made with (Makefile's .flags
    # stamp), so nothing is rebuilt differently on the way.
    stamp = BUILD / ".flags"
    flags = stamp.read_text() if stamp.exists() else ""
    sanitize = "1" if "SANITIZE=1" in flags else "0"
    subprocess.run(
        ["make", "-s", "-C", str(REPO), f"BUILD={BUILD}", f"SANITIZE={sanitize}",
         "install", f"PREFIX={dest}"],
        check=True,
    )
    return dest


@pytest.fixture(scope="session")
def mirari(prefix):
    """Path of the installed mirari command."""
    return prefix / "bin" / "mirari"


@pytest.fixture(scope="session")
def plain_mirari():
    """The mirari of the build without sanitizers (make check makes it in
    BUILD/plain), for unikernels run under valgrind."""
    plain = Path(os.environ.get("MIRARI_PLAIN_BUILD", BUILD / "plain"))
    tool = plain / "bin" / "mirari"
    assert tool.exists(), f"{tool} is missing: make BUILD={plain} SANITIZE=0 plain-socket"
    return tool


def copy_example(name, dst):
    """examples/NAME copied to dst as the repository has it: without what a
    user's `mirari configure/build` left in the tree (_build/, mir-*), so
    the suite does not depend on it."""
    shutil.copytree(REPO / "examples" / name, dst,
                    ignore=shutil.ignore_patterns("_build", "mir-*"))
    return dst


@pytest.fixture
def app_copy(tmp_path):
    """Copy an example (by name) into a fresh directory, so tests never write
    into the source tree."""

    def copy(name):
        return copy_example(name, tmp_path / name)

    return copy


def recv_all(sock):
    """Everything the peer sends until it closes its side."""
    got = bytearray()
    while chunk := sock.recv(65536):
        got += chunk
    return bytes(got)


def check_echoes(socks, payloads):
    """Send one payload on each connection and half-close it, then expect
    each payload back whole on its own connection (an echo server)."""
    for s, p in zip(socks, payloads):
        s.sendall(p)
        s.shutdown(socket.SHUT_WR)
    for s, p in zip(socks, payloads):
        assert recv_all(s) == p


def free_port():
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def netns():
    """Factory for network namespaces the test owns; all are deleted after
    the test, whatever happened."""
    made = []

    def make():
        name = "mi-" + uuid.uuid4().hex[:10]
        subprocess.run(["ip", "netns", "add", name], check=True)
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        made.append(name)
        return name

    yield make
    for name in made:
        out = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True)
        for pid in out.stdout.split():
            subprocess.run(["kill", "-9", pid], capture_output=True)
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
