# SPDX-License-Identifier: ISC
"""docs/guide.md is true: every file it shows is, byte for byte, an
application under tests/guide/, and each of those builds with the
installed mirari for unix-socket and does what the guide says (curl for
the HTTP one). The guide's account of the C library on the PVH kernel is
checked by a small guest under QEMU: unsupported system calls fail with
ENOSYS and are named once per call number."""

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO, free_port

GUIDE = REPO / "docs" / "guide.md"
APPS = REPO / "tests" / "guide"
BLOCK = re.compile(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```\n", re.S)


def guide_blocks():
    return BLOCK.findall(GUIDE.read_text())


def test_guide_shows_the_tested_files():
    shown = {path: text for path, text in guide_blocks()}
    files = sorted(str(p.relative_to(REPO)) for p in APPS.glob("*/*")
                   if p.suffix in (".c", ".conf"))
    assert sorted(shown) == files
    for path, text in shown.items():
        assert (REPO / path).read_text() == text, f"{path} differs from docs/guide.md"


def build(mirari, name, tmp_path):
    """tests/guide/NAME copied (without anything built in the tree) and
    built for unix-socket; the app's directory."""
    app = tmp_path / name
    shutil.copytree(APPS / name, app, ignore=shutil.ignore_patterns("_build", "mir-*"))
    r = subprocess.run([str(mirari), "build"], cwd=app, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"built mir-{name} (unix-socket," in r.stdout
    assert "warning" not in r.stdout + r.stderr
    return app


def test_ticker(mirari, tmp_path):
    app = build(mirari, "ticker", tmp_path)
    r = subprocess.run([str(mirari), "run"], cwd=app, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.endswith("\nmonday.txt: buy milk\ntuesday.txt: call Ada\n"), r.stdout
    assert re.findall(r"info: tick (\d) of 3", r.stderr) == ["1", "2", "3"]
    assert "armed the first tick" not in r.stderr
    r = subprocess.run([str(mirari), "run", "--", "--app-ticks=5", "--log-level=debug"],
                       cwd=app, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "tick 5 of 5" in r.stderr and "armed the first tick" in r.stderr


class Server:
    """A built unikernel running as a process, ready once `ready` shows in
    its log."""

    def __init__(self, argv, cwd, ready, log):
        self.log = open(log, "w+")
        self.proc = subprocess.Popen(argv, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while ready not in Path(log).read_text():
            assert self.proc.poll() is None, Path(log).read_text()
            assert time.monotonic() < deadline, Path(log).read_text()
            time.sleep(0.02)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def curl(port, path):
    r = subprocess.run(["curl", "-sS", "-o", "-", "-w", "\n%{http_code}",
                        f"http://127.0.0.1:{port}{path}"],
                       capture_output=True, text=True, timeout=30)
    body, _, code = r.stdout.rpartition("\n")
    return int(code), body


def test_counter(mirari, tmp_path):
    app = build(mirari, "counter", tmp_path)
    port = free_port()
    srv = Server(["./mir-counter", f"--http-port={port}"], app, "serving HTTP",
                 tmp_path / "log")
    try:
        assert curl(port, "/") == (200, "Hello, request 1\n")
        assert curl(port, "/later") == (200, "Hello, request 2\n")
        assert curl(port, "/pages/") == (200, "<p>a page from the store</p>\n")
        assert curl(port, "/pages/none.html")[0] == 404
        assert curl(port, "/elsewhere")[0] == 404
    finally:
        srv.stop()
    srv = Server(["./mir-counter", f"--http-port={port}", "--app-greeting=Hi"], app,
                 "serving HTTP", tmp_path / "log2")
    try:
        assert curl(port, "/") == (200, "Hi, request 1\n")
    finally:
        srv.stop()


def test_shout(mirari, tmp_path):
    app = build(mirari, "shout", tmp_path)
    port = free_port()
    srv = Server(["./mir-shout", f"--app-port={port}"], app, "shouting on", tmp_path / "log")
    try:
        data = b"hello, shout! " * 20000  # more than a socket buffer: backpressure
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            got = bytearray()
            s.setblocking(False)
            sent = 0
            while len(got) < len(data):
                if sent < len(data):
                    try:
                        sent += s.send(data[sent:sent + 65536])
                    except BlockingIOError:
                        pass
                try:
                    chunk = s.recv(65536)
                    assert chunk, "closed early"
                    got += chunk
                except BlockingIOError:
                    time.sleep(0.001)
        assert bytes(got) == data.upper()
    finally:
        srv.stop()


LIBC_C = r"""#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <mirari/mirari.h>
static void *work(void *arg) { return arg; }
int libc_main(void)
{
    for (int i = 0; i < 2; i++) {
        pthread_t t;
        printf("pthread_create: %s\n", strerror(pthread_create(&t, NULL, work, NULL)));
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        printf("socket: %d %s\n", fd, strerror(errno));
    }
    FILE *f = fopen("/etc/hostname", "r");
    printf("fopen: %s\n", f ? "opened" : strerror(errno));
    return 0;
}
"""


@pytest.mark.skipif(shutil.which("qemu-system-x86_64") is None,
                    reason="qemu-system-x86_64 is not installed")
def test_unsupported_system_calls_on_the_pvh_kernel(mirari, tmp_path):
    app = tmp_path / "libc"
    app.mkdir()
    (app / "libc.conf").write_text("main-noip: libc_main\n")
    (app / "libc.c").write_text(LIBC_C)
    # QEMU's user-mode network, so that root makes no tap for a guest
    # that uses none.
    env = dict(os.environ, MIRARI_QEMU_NET="user")
    r = subprocess.run([str(mirari), "run", "-t", "qemu"], cwd=app, capture_output=True,
                       text=True, timeout=300, env=env, stdin=subprocess.DEVNULL)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert out.count("pthread_create: Resource temporarily unavailable") == 2, out
    assert out.count("socket: -1 Function not implemented") == 2, out
    assert "fopen: No such file or directory" in out
    clone = ("mirari: system call 56 (clone) is not implemented on this target, it fails with "
             "ENOSYS; one thread: use timers and callbacks (mirari/loop.h)")
    sock = ("mirari: system call 41 (socket) is not implemented on this target, it fails with "
            "ENOSYS; use mirari's network API (mirari/net.h)")
    assert out.count(clone) == 1, out
    assert out.count(sock) == 1, out


def test_docs_name_only_declared_functions():
    """The guide and mirari-api(3) document the API that exists: every mi_
    or MI_ name they use is declared in include/mirari/."""
    declared = set()
    for h in (REPO / "include" / "mirari").glob("*.h"):
        declared |= set(re.findall(r"\b(?:mi|MI)_\w+", h.read_text()))
    for doc in ("guide.md", "mirari-api.3"):
        text = (REPO / "docs" / doc).read_text().replace("\\-", "-")
        used = set(re.findall(r"\b(?:mi|MI)_\w+", text))
        assert used - declared == set(), doc
        assert len(used) > 40, doc
