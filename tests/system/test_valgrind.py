# SPDX-License-Identifier: ISC
"""The examples on unix-socket under valgrind (memcheck), built without
sanitizers: no invalid read or write, no use of uninitialised memory, no
definite leak, while they serve real clients, good requests and bad ones.

ASan watches every other system test; valgrind adds what it does not see
(uninitialised values) and checks the build users actually run."""

import signal
import socket
import subprocess
import time

import pytest

from conftest import REPO, copy_example, free_port, recv_all

VALGRIND = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--track-origins=yes"]


def build(plain_mirari, tmp_path, example):
    app = tmp_path / example
    copy_example(example, app)
    for cmd in ("configure", "build"):
        subprocess.run([str(plain_mirari), "-q", cmd], cwd=app, check=True)
    return app / f"mir-{example}"


def assert_clean(log):
    """valgrind's own lines start with ==PID==; -q leaves only errors."""
    errors = [line for line in log.splitlines() if line.startswith("==")]
    assert not errors, "\n".join(errors)


def wait_port(port, proc, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, f"exited with {proc.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listens on {port}")


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


def test_hello(plain_mirari, tmp_path):
    image = build(plain_mirari, tmp_path, "hello")
    r = subprocess.run(VALGRIND + [str(image)], capture_output=True, text=True, timeout=120)
    assert_clean(r.stderr)
    assert r.returncode == 0, r.stderr
    assert "tick 3" in r.stderr and "goodbye" in r.stderr


def exchange(port, data):
    """Send raw bytes, read until the server closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        return recv_all(s)


def test_static_website(plain_mirari, tmp_path):
    image = build(plain_mirari, tmp_path, "static-website")
    port = free_port()
    proc = subprocess.Popen(VALGRIND + [str(image), f"--http-port={port}"],
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_port(port, proc)
        host = b"Host: x\r\n"
        cases = {
            b"GET / HTTP/1.1\r\n" + host + b"\r\n": b"HTTP/1.1 200",
            b"GET /hello?name=%3Cb%3E HTTP/1.1\r\n" + host + b"\r\n": b"HTTP/1.1 200",
            b"HEAD /css/site.css HTTP/1.1\r\n" + host + b"\r\n": b"HTTP/1.1 200",
            b"GET / HTTP/1.1\r\n" + host + b"Range: bytes=0-9\r\n\r\n": b"HTTP/1.1 206",
            b"GET /nope HTTP/1.1\r\n" + host + b"\r\n": b"HTTP/1.1 404",
            b"GET /../../etc/passwd HTTP/1.1\r\n" + host + b"\r\n": b"HTTP/1.1 400",
            b"POST / HTTP/1.1\r\n" + host + b"Content-Length: 3\r\n\r\nabc": b"HTTP/1.1 405",
            b"GET / HTTP/1.1\r\n" + host + b"Content-Length: 1\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n": b"HTTP/1.1 400",
            b"BREW / HTTP/1.1\r\n" + host + b"\r\n": b"HTTP/1.1 501",
            b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n": b"HTTP/1.1 414",
            b"\x00\xff garbage\r\n\r\n": b"HTTP/1.1 400",
            # Two pipelined requests in one send, both answered in order.
            (b"GET /nope HTTP/1.1\r\n" + host + b"\r\n") * 2: b"HTTP/1.1 404",
        }
        for request, expect in cases.items():
            answer = exchange(port, request)
            assert answer.startswith(expect), (request[:60], answer[:200])
    finally:
        status, err = stop(proc)
    assert_clean(err)
    assert status == 128 + signal.SIGTERM, err


def test_echo(plain_mirari, tmp_path):
    image = build(plain_mirari, tmp_path, "echo")
    port = free_port()
    proc = subprocess.Popen(VALGRIND + [str(image), f"--app-echo-port={port}"],
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_port(port, proc)
        data = bytes(range(256)) * 1024  # 256 KiB through the TCP echo
        assert exchange(port, data) == data
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.settimeout(10)
            u.sendto(b"datagram", ("127.0.0.1", port))
            assert u.recvfrom(100)[0] == b"datagram"
    finally:
        status, err = stop(proc)
    assert_clean(err)
    assert status == 128 + signal.SIGTERM, err
