# SPDX-License-Identifier: ISC
"""examples/echo (main-ip) on the unix-socket target against real peers on
loopback: socat over TCP and UDP, a 10 MiB stream compared by SHA-256, a
client that stops reading (backpressure), 100 concurrent connections, and
SIGINT ending the program cleanly. The port is the application key
app-echo-port, given at boot (--app-echo-port=N)."""

import hashlib
import os
import re
import signal
import socket
import subprocess
import time

import pytest

from conftest import REPO, check_echoes, copy_example, free_port


@pytest.fixture(scope="module")
def echo_image(mirari, tmp_path_factory):
    """The echo image, built as the example is (echo.conf: app-echo-port: 7)."""
    app = tmp_path_factory.mktemp("echo") / "echo"
    copy_example("echo", app)
    subprocess.run([str(mirari), "build"], cwd=app, check=True, capture_output=True)
    assert '{"app-echo-port", "7"}' in (app / "_build" / "main.c").read_text()
    return app / "mir-echo"


class Echo:
    """mir-echo on a free port above 1024, given at boot: port 7, the
    compiled default, needs root."""

    def __init__(self, image, log):
        self.port = free_port()
        self.log_path = log
        self.log = open(log, "w")
        self.proc = subprocess.Popen([str(image), "--log-level=debug",
                                      f"--app-echo-port={self.port}"], stderr=self.log)
        # Ready when it says so (or dead: then fail with its log).
        deadline = time.monotonic() + 60
        while "listening" not in log.read_text():
            assert self.proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "echo did not start"
            time.sleep(0.02)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


@pytest.fixture
def echo(echo_image, tmp_path):
    e = Echo(echo_image, tmp_path / "echo.log")
    yield e
    e.stop()


def test_port_from_the_boot_argument(echo):
    assert re.search(rf"echo: listening on [\d.]+ port {echo.port} \(TCP and UDP\)$",
                     echo.log_path.read_text(), re.M), echo.log_path.read_text()


@pytest.mark.parametrize("value", ["seven", "0", "65536", "-1", " 7", "7x", ""])
def test_bad_port_setting_exits_2(echo_image, value):
    r = subprocess.run([str(echo_image), f"--app-echo-port={value}"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert f'app-echo-port: "{value}" is not a port; expected a number from 1 to 65535' in r.stderr


def test_undeclared_app_key_is_refused(echo_image):
    r = subprocess.run([str(echo_image), "--app-echo-prot=7007"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2
    assert "unknown boot argument --app-echo-prot; this application declares --app-echo-port" \
        in r.stderr
    r = subprocess.run([str(echo_image), "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    assert "--app-echo-port=VALUE" in r.stdout + r.stderr
    assert "(default: 7)" in r.stdout + r.stderr


def socat(args, data, timeout=60):
    return subprocess.run(["socat", *args], input=data, capture_output=True, timeout=timeout,
                          check=True).stdout


def test_tcp_echo(echo):
    assert socat(["-t", "30", "-", f"TCP:127.0.0.1:{echo.port}"], b"hello, echo\n") == \
        b"hello, echo\n"


def test_udp_echo(echo):
    assert socat(["-t", "5", "-", f"UDP:127.0.0.1:{echo.port}"], b"ping\n") == b"ping\n"
    # Datagrams keep their boundaries and come back to their sender.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(30)
        for n in (1, 1000, 65507):
            payload = os.urandom(n)
            s.sendto(payload, ("127.0.0.1", echo.port))
            data, peer = s.recvfrom(65536)
            assert data == payload
            assert peer == ("127.0.0.1", echo.port)


def test_10mib_stream(echo):
    data = os.urandom(10 << 20)
    out = socat(["-b", "65536", "-t", "30", "-", f"TCP:127.0.0.1:{echo.port}"], data)
    assert len(out) == len(data)
    assert hashlib.sha256(out).hexdigest() == hashlib.sha256(data).hexdigest()


def test_backpressure_then_resume(echo):
    """A client that writes without reading fills both directions; the
    server must stop reading (not buffer without bound, not drop), and
    finish once the client reads."""
    with socket.create_connection(("127.0.0.1", echo.port)) as s:
        s.setblocking(False)
        sent = bytearray()
        chunk = os.urandom(65536)
        while True:
            try:
                n = s.send(chunk)
            except BlockingIOError:
                break
            sent += chunk[:n]
        assert len(sent) > 0
        s.setblocking(True)
        s.settimeout(60)
        s.shutdown(socket.SHUT_WR)
        got = bytearray()
        while True:
            b = s.recv(1 << 20)
            if not b:
                break
            got += b
        assert got == sent


def test_100_concurrent_connections(echo):
    socks = [socket.create_connection(("127.0.0.1", echo.port)) for _ in range(100)]
    try:
        for s in socks:
            s.settimeout(60)
        check_echoes(socks, [os.urandom(10000) + i.to_bytes(4, "big") for i in range(100)])
    finally:
        for s in socks:
            s.close()


def test_sigint_exits_cleanly(echo):
    # An open, idle connection must not keep it from stopping.
    with socket.create_connection(("127.0.0.1", echo.port)) as s:
        s.sendall(b"x")
        s.settimeout(30)
        assert s.recv(1) == b"x"
        echo.proc.send_signal(signal.SIGINT)
        assert echo.proc.wait(timeout=30) == 128 + signal.SIGINT
    log = echo.log_path.read_text()
    assert re.search(r"^\[ *\d+\.\d{6}\] info: stopping on SIGINT$", log, re.M), log
    assert "Sanitizer" not in log


def test_sigterm_exits_cleanly(echo):
    echo.proc.send_signal(signal.SIGTERM)
    assert echo.proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert "stopping on SIGTERM" in echo.log_path.read_text()
