# SPDX-License-Identifier: ISC
"""Helpers for the unix-direct system tests (test_direct*.py): apps built
for unix-direct by the installed mirari, tap devices inside network
namespaces the tests create, unikernels started on them (directly, through
the impairment relay of relay.py, or by `mirari run --unix`), and sockets
opened from inside a namespace.

Everything runs in namespaces made by conftest's `netns` fixture, which
deletes them (and kills what runs in them) after each test."""

import ctypes
import errno
import hashlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from conftest import REPO, copy_example

HERE = Path(__file__).resolve().parent
PYTHON = "/usr/bin/python3"
CLONE_NEWNET = 0x40000000

_libc = ctypes.CDLL(None, use_errno=True)


@contextmanager
def in_netns(name):
    """Run the body with this thread in network namespace `name`: sockets
    made inside belong to it (and keep working after the block)."""
    own = os.open(f"/proc/self/task/{threading.get_native_id()}/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if _libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
        yield
    finally:
        _libc.setns(own, CLONE_NEWNET)
        os.close(own)
        os.close(target)


def ns(name, *args, **kw):
    """Run a command inside namespace `name`."""
    kw.setdefault("check", True)
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    return subprocess.run(["ip", "netns", "exec", name, *args], **kw)


def make_tap(netns_name, tap="mt0", host="10.0.0.1/24"):
    """A tap in the namespace with the host side's address, up."""
    subprocess.run(["ip", "-n", netns_name, "tuntap", "add", "dev", tap, "mode", "tap"],
                   check=True)
    subprocess.run(["ip", "-n", netns_name, "addr", "add", host, "dev", tap], check=True)
    subprocess.run(["ip", "-n", netns_name, "link", "set", tap, "up"], check=True)
    return tap


def build(mirari, example, workdir, conf_lines=()):
    """Build examples/<example> for unix-direct in workdir; the image path."""
    app = Path(workdir) / example
    copy_example(example, app)
    if conf_lines:
        confs = list(app.glob("*.conf"))  # the example's one configuration file
        assert len(confs) == 1, confs
        with open(confs[0], "a") as f:
            f.write("\n" + "\n".join(conf_lines) + "\n")
    for cmd in ("configure", "build"):
        r = subprocess.run([str(mirari), cmd, "--unix"], cwd=app, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    images = [p for p in app.glob("mir-*") if p.is_file()]
    assert len(images) == 1, images
    return images[0]


class Unikernel:
    """A unikernel (or `mirari run`) running in a namespace, its stderr in a
    log file. `ready` is a regular expression the log must match."""

    def __init__(self, netns_name, argv, log, ready, env=None, cwd=None, timeout=60):
        self.log_path = Path(log)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(["ip", "netns", "exec", netns_name, *argv],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                     cwd=cwd, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not re.search(ready, self.text()):
            if self.proc.poll() is not None:
                raise AssertionError(f"exited with {self.proc.returncode}:\n{self.text()}")
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"not ready after {timeout} s:\n{self.text()}")
            time.sleep(0.02)

    def text(self):
        return self.log_path.read_text(errors="replace")

    def send(self, sig):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def relay_argv(tap, image, args, impair=()):
    """argv running `image args` behind relay.py on `tap` (see relay.py)."""
    return [PYTHON, str(HERE / "relay.py"), "--tap", tap, *impair, "--", str(image), *args]


def echo_transfer(netns_name, addr, port, data, timeout=600):
    """Send data to a TCP echo server while reading it back; the bytes
    received and the seconds it took."""
    # Under heavy loss the kernel's ARP may give up ("no route to host"):
    # a client tries again, as any would.
    for attempt in range(5):
        try:
            with in_netns(netns_name):
                s = socket.create_connection((addr, port), timeout=timeout)
            break
        except OSError as e:
            if e.errno != errno.EHOSTUNREACH or attempt == 4:
                raise
    got = bytearray()
    t0 = time.monotonic()

    def send():
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)

    th = threading.Thread(target=send)
    th.start()
    while True:
        b = s.recv(1 << 16)
        if not b:
            break
        got += b
    th.join()
    s.close()
    return bytes(got), time.monotonic() - t0


def same(a, b):
    return len(a) == len(b) and hashlib.sha256(a).digest() == hashlib.sha256(b).digest()


def drops(log):
    """Counter name -> how many drops the stack logged at debug level."""
    counts = {}
    for m in re.finditer(r"debug: net: ([a-z0-9_]+): ", log):
        counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts
