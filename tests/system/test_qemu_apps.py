# SPDX-License-Identifier: ISC
"""Applications on the qemu target through the installed `mirari`:
configure and build a PVH image, `mirari run -t qemu` boots it under QEMU
and exits as the unikernel did (0, its own status, 139 for a crash), boot
arguments reach it, static-website answers curl and echo answers over TCP
and UDP through QEMU's user-mode network, on -M microvm (virtio-mmio) and
-M pc (legacy virtio-pci), and SIGTERM stops QEMU."""

import os
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest

from conftest import free_port
from ptyrun import PtyRun

pytestmark = pytest.mark.skipif(shutil.which("qemu-system-x86_64") is None,
                                reason="qemu-system-x86_64 is not installed")

MACHINES = ["microvm", "pc"]
# QEMU's user-mode network: run as root in the host's namespace, mirari
# would otherwise make a tap there (test_qemu_tap.py tests taps inside
# namespaces of its own).
USER_NET = {"MIRARI_QEMU_NET": "user"}


def run(mirari, app, *args, env=None, timeout=120):
    e = dict(os.environ, **USER_NET, **(env or {}))
    return subprocess.run([str(mirari), *args], cwd=app, capture_output=True, text=True,
                          timeout=timeout, env=e, stdin=subprocess.DEVNULL)


def make_app(tmp_path, name, conf, source):
    app = tmp_path / name
    app.mkdir()
    (app / "app.conf").write_text(conf)
    (app / f"{name}.c").write_text(source)
    return app


def test_build_prints_a_pvh_image(mirari, app_copy):
    app = app_copy("hello")
    r = run(mirari, app, "build", "-t", "qemu")
    assert r.returncode == 0, r.stdout + r.stderr
    image = app / "mir-hello.pvh"
    m = re.search(r"built mir-hello\.pvh \(qemu, (\d+) bytes\)", r.stdout)
    assert m and int(m.group(1)) == image.stat().st_size, r.stdout
    # An ELF64 with the PVH entry note (Xen, type 18) and its code at 1 MiB.
    notes = subprocess.run(["readelf", "-nW", str(image)], capture_output=True, text=True).stdout
    assert re.search(r"Xen\s+0x[0-9a-f]+\s+Unknown note type: \(0x00000012\)", notes) or \
        "PHYS32_ENTRY" in notes, notes
    phdrs = subprocess.run(["readelf", "-lW", str(image)], capture_output=True, text=True).stdout
    assert re.search(r"LOAD\s+0x0+ 0x0+100000", phdrs), phdrs


def test_run_hello(mirari, app_copy):
    app = app_copy("hello")
    r = run(mirari, app, "run", "-t", "qemu")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Hello from hello" in r.stdout
    assert "goodbye" in r.stdout


def test_exit_status_of_the_unikernel(mirari, tmp_path):
    app = make_app(tmp_path, "three", "main-noip: Three.main\n",
                   "int three_main(void);\nint three_main(void) { return 3; }\n")
    r = run(mirari, app, "run", "-t", "qemu")
    assert r.returncode == 3, r.stdout + r.stderr


def test_crash_gives_a_report_and_139(mirari, tmp_path):
    app = make_app(tmp_path, "boom", "main-noip: Boom.main\n",
                   "int boom_main(void);\n"
                   "int *volatile nowhere; /* NULL, and gcc cannot know it */\n"
                   "__attribute__((noinline)) static void poke(void) { *nowhere = 1; }\n"
                   "int boom_main(void) { poke(); return 0; }\n")
    r = run(mirari, app, "run", "-t", "qemu")
    assert r.returncode == 139, r.stdout + r.stderr
    assert "NULL pointer dereference" in r.stdout
    assert re.search(r"#0 0x[0-9a-f]+ <poke\+0x[0-9a-f]+>", r.stdout), r.stdout
    assert "crashed" in r.stderr


def test_boot_arguments_reach_the_unikernel(mirari, app_copy):
    app = app_copy("hello")
    r = run(mirari, app, "run", "-t", "qemu", "--", "--help")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "usage: mir-hello" in r.stdout
    r = run(mirari, app, "run", "-t", "qemu", "--", "--no-such-option")
    assert r.returncode == 2, r.stdout + r.stderr


class Unikernel:
    """`mirari run -t qemu` in the background, its output in a file."""

    def __init__(self, mirari, app, log, env, boot_args=()):
        self.log_path = log
        self.log = open(log, "w")
        self.proc = subprocess.Popen([str(mirari), "run", "-t", "qemu", "--", *boot_args],
                                     cwd=app,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL,
                                     env=dict(os.environ, **USER_NET, **env))

    def wait_for(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while text not in self.log_path.read_text():
            assert self.proc.poll() is None, self.log_path.read_text()
            assert time.monotonic() < deadline, self.log_path.read_text()
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


@pytest.mark.parametrize("machine", MACHINES)
def test_static_website_answers_curl(mirari, app_copy, tmp_path, machine):
    app = app_copy("static-website")
    port = free_port()
    uk = Unikernel(mirari, app, tmp_path / "run.log",
                   {"MIRARI_QEMU_MACHINE": machine, "MIRARI_QEMU_HTTP_PORT": str(port)})
    try:
        uk.wait_for("serving HTTP")
        body = subprocess.run(["curl", "-sS", "--fail", "--max-time", "30", "--retry", "5",
                               "--retry-connrefused", f"http://127.0.0.1:{port}/"],
                              capture_output=True, timeout=60)
        assert body.returncode == 0, body.stderr.decode() + uk.log_path.read_text()
        assert body.stdout == (app / "files" / "index.html").read_bytes()
        missing = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                  "--max-time", "30", f"http://127.0.0.1:{port}/nope"],
                                 capture_output=True, text=True, timeout=60)
        assert missing.stdout == "404"
    finally:
        status = uk.stop()
    # Stopped by SIGTERM: QEMU ended, mirari says so in its status.
    assert status == 128 + signal.SIGTERM, uk.log_path.read_text()


@pytest.mark.parametrize("machine", MACHINES)
def test_echo_over_tcp_and_udp(mirari, app_copy, tmp_path, machine):
    app = app_copy("echo")
    tcp, udp = free_port(), free_port()
    # The port is the app's own key, given on the kernel command line.
    uk = Unikernel(mirari, app, tmp_path / "run.log",
                   {"MIRARI_QEMU_MACHINE": machine,
                    "MIRARI_QEMU_HOSTFWD": f"tcp:127.0.0.1:{tcp}-:7007,udp:127.0.0.1:{udp}-:7007"},
                   boot_args=["--app-echo-port=7007"])
    try:
        uk.wait_for("port 7007 (TCP and UDP)")
        payload = os.urandom(100000)
        got = subprocess.run(["socat", "-t", "30", "-", f"TCP:127.0.0.1:{tcp}"], input=payload,
                             capture_output=True, timeout=60)
        assert got.stdout == payload, uk.log_path.read_text()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(2)
            data = None
            # QEMU's user network forwards UDP only once the guest is
            # reachable; a lost first datagram is sent again.
            for attempt in range(10):
                s.sendto(b"ping over udp", ("127.0.0.1", udp))
                try:
                    data, _ = s.recvfrom(2048)
                    break
                except socket.timeout:
                    continue
            assert data == b"ping over udp"
    finally:
        uk.stop()


def children(pid):
    """PIDs whose parent is pid."""
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                kids.append(int(d))
    return kids


def test_ctrl_c_on_a_terminal_stops_qemu(mirari, app_copy):
    """Ctrl-C typed on the terminal `mirari run` runs on (a pty here): QEMU
    ends and mirari exits 130, as a process interrupted by SIGINT."""
    app = app_copy("static-website")
    env = {"MIRARI_QEMU_HTTP_PORT": str(free_port()), **USER_NET}
    with PtyRun([str(mirari), "run", "-t", "qemu"], cwd=app, env=env) as term:
        term.wait_for(b"serving HTTP")
        qemus = children(term.pid)
        assert qemus, "no QEMU under mirari"
        status = term.ctrl_c()
    assert status == 130, term.text()
    # mirari waited for QEMU before it exited: nothing is left behind.
    for q in qemus:
        assert not os.path.exists(f"/proc/{q}"), f"QEMU {q} still running"
