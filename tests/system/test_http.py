# SPDX-License-Identifier: ISC
"""examples/static-website (main-http) on the unix-socket target against
real clients on loopback: curl (keep-alive, HEAD, ranges, validators,
errors, redirects, traversal attempts), raw sockets (pipelining,
100-continue, chunked bodies, malformed requests), wrk with 1000
connections, and 200 slowloris clients that must not stall anyone."""

import hashlib
import os
import re
import socket
import subprocess
import threading
import time

import pytest

from conftest import REPO, copy_example, free_port


@pytest.fixture(scope="module")
def site_build(mirari, tmp_path_factory):
    """The example with a 1 MiB and a 5 MiB file added (the committed
    example stays small), configured and built once."""
    app = tmp_path_factory.mktemp("site") / "static-website"
    copy_example("static-website", app)
    (app / "files" / "1m.bin").write_bytes(os.urandom(1 << 20))
    (app / "files" / "5m.bin").write_bytes(os.urandom(5 << 20))
    subprocess.run([str(mirari), "configure"], cwd=app, check=True, capture_output=True)
    subprocess.run([str(mirari), "build"], cwd=app, check=True, capture_output=True)
    images = [p for p in app.glob("mir-*") if p.is_file()]
    assert len(images) == 1, images
    return app, images[0]


class Site:
    def __init__(self, app, image, log, *args):
        self.app = app
        self.port = free_port()
        self.log_path = log
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [str(image), f"--http-port={self.port}", "--log-level=debug", *args],
            stderr=self.log)
        deadline = time.monotonic() + 60
        while "serving HTTP" not in log.read_text():
            assert self.proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        self.base = f"http://127.0.0.1:{self.port}"

    def file(self, rel):
        return (self.app / "files" / rel).read_bytes()

    def stop(self):
        alive = self.proc.poll() is None
        if alive:
            self.proc.kill()
        self.proc.wait()
        self.log.close()
        return alive


@pytest.fixture
def site(site_build, tmp_path):
    s = Site(*site_build, tmp_path / "site.log")
    yield s
    # It must have survived everything the test did to it.
    assert s.stop(), s.log_path.read_text()[-4000:]


def curl(*args, timeout=60):
    """curl -s -i: (status, headers dict with lower-case names, body) of the
    final response (after any 100 Continue, and redirects with -L)."""
    out = subprocess.run(["curl", "-s", "-i", "--max-time", "30", *args], capture_output=True,
                         timeout=timeout, check=True).stdout
    head, _, body = out.partition(b"\r\n\r\n")
    while body.startswith(b"HTTP/1.1 ") and (head.startswith(b"HTTP/1.1 1") or
                                             b"\r\nLocation: " in head):
        head, _, body = body.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return status, fields, body


def raw(port, data, timeout=30):
    """Send data on a fresh connection, half-close, read until EOF."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            c = s.recv(65536)
            if not c:
                return b"".join(chunks)
            chunks.append(c)


def split_responses(data, head_requests=()):
    """Split a byte stream into (status, fields, body) responses."""
    out = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        assert sep, data[:200]
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {l.partition(":")[0].lower(): l.partition(":")[2].strip() for l in lines[1:]}
        n = 0 if len(out) in head_requests or status in (100, 204, 304) else \
            int(fields.get("content-length", 0))
        out.append((status, fields, rest[:n]))
        data = rest[n:]
    return out


def test_index_and_types(site):
    status, f, body = curl(site.base + "/")
    assert status == 200
    assert f["content-type"] == "text/html; charset=utf-8"
    assert body == site.file("index.html")
    assert re.fullmatch(r'"[0-9a-f]{16}"', f["etag"])
    assert f["last-modified"].endswith(" GMT")
    assert f["date"].endswith(" GMT")
    for rel, ctype in (("css/site.css", "text/css; charset=utf-8"), ("img/logo.png", "image/png"),
                       ("1k.bin", "application/octet-stream")):
        status, f, body = curl(f"{site.base}/{rel}")
        assert (status, f["content-type"], body) == (200, ctype, site.file(rel))


def test_keep_alive_reuse(site):
    out = subprocess.run(["curl", "-sv", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                          site.base + "/", site.base + "/css/site.css", site.base + "/1k.bin"],
                         capture_output=True, text=True, timeout=60, check=True).stderr
    assert len(re.findall(r"Re-using existing connection", out)) == 2, out
    assert len(re.findall(r"Connected to", out)) == 1, out


def test_big_files(site):
    for rel in ("1m.bin", "5m.bin"):
        out = subprocess.run(["curl", "-s", "--max-time", "60", f"{site.base}/{rel}"],
                             capture_output=True, timeout=90, check=True).stdout
        assert hashlib.sha256(out).digest() == hashlib.sha256(site.file(rel)).digest()


def test_head(site):
    resp = raw(site.port, b"HEAD /1m.bin HTTP/1.1\r\nHost: x\r\n\r\n"
                          b"GET /css/site.css HTTP/1.1\r\nHost: x\r\n\r\n")
    (s1, f1, b1), (s2, f2, b2) = split_responses(resp, head_requests=(0,))
    assert (s1, f1["content-length"], b1) == (200, str(1 << 20), b"")
    assert (s2, b2) == (200, site.file("css/site.css"))
    status, f, body = curl("-I", site.base + "/index.html")
    assert status == 200 and f["content-length"] == str(len(site.file("index.html")))


def test_ranges(site):
    data = site.file("1m.bin")
    status, f, body = curl("-r", "100-199", site.base + "/1m.bin")
    assert (status, f["content-range"], body) == (206, f"bytes 100-199/{len(data)}", data[100:200])
    status, f, body = curl("-r", "-10", site.base + "/1m.bin")
    assert (status, body) == (206, data[-10:])
    status, f, body = curl("-r", f"{len(data) - 5}-", site.base + "/1m.bin")
    assert (status, body) == (206, data[-5:])
    status, f, body = curl("-r", "5000-", site.base + "/1k.bin")
    assert (status, f["content-range"]) == (416, "bytes */1024")
    # several ranges: multipart/byteranges (test_http_semantics has the details)
    status, f, body = curl("-r", "0-1,5-6", site.base + "/1k.bin")
    assert status == 206
    assert f["content-type"].startswith("multipart/byteranges; boundary=")
    assert b"\r\nContent-Range: bytes 5-6/1024\r\n\r\n" + site.file("1k.bin")[5:7] in body


def test_validators(site):
    status, f, _ = curl(site.base + "/css/site.css")
    etag, lm = f["etag"], f["last-modified"]
    status, f, body = curl("-H", f"If-None-Match: {etag}", site.base + "/css/site.css")
    assert (status, body, f["etag"]) == (304, b"", etag)
    status, _, body = curl("-H", f"If-Modified-Since: {lm}", site.base + "/css/site.css")
    assert (status, body) == (304, b"")
    status, _, body = curl("-H", 'If-None-Match: "nope"', site.base + "/css/site.css")
    assert (status, body) == (200, site.file("css/site.css"))
    status, _, _ = curl("-H", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT",
                        site.base + "/css/site.css")
    assert status == 200


def test_errors_and_redirects(site):
    status, f, body = curl(site.base + "/no/such/file")
    assert status == 404 and b"404 Not Found" in body
    assert f["content-type"].startswith("text/html")
    status, f, body = curl("-X", "POST", "-d", "x=1", site.base + "/index.html")
    assert status == 405 and f["allow"] == "GET, HEAD"
    status, f, _ = curl("-X", "DELETE", site.base + "/")
    assert status == 405
    status, f, _ = curl(site.base + "/docs")
    assert (status, f["location"]) == (301, "/docs/")
    status, _, body = curl("-L", site.base + "/docs")
    assert status == 200 and body == site.file("docs/index.html")


def test_traversal(site):
    secret = (site.app / "static-website.conf").read_bytes()
    passwd = open("/etc/passwd", "rb").read()
    for target in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/files/..%2f..%2fstatic-website.conf",
                   "/docs/..%2f..%2fstatic-website.conf", "/..%2fstatic-website.conf", "/%2e%2e%2fstatic-website.conf",
                   "/css/%2e%2e/%2e%2e/static-website.conf", "/..\\static-website.conf", "/a%00.html",
                   "/%2e%2e%5cstatic-website.conf", "//etc/passwd"):
        status, _, body = curl("--path-as-is", site.base + target)
        assert status in (400, 404), (target, status)
        assert secret not in body and b"root:" not in body and passwd not in body


def test_template_page(site):
    status, f, body = curl(site.base + "/hello?name=%3Cscript%3Ealert(1)%3C/script%3E")
    assert status == 200 and f["content-type"] == "text/html; charset=utf-8"
    assert b"<script>" not in body
    assert b"Hello, &lt;script&gt;alert(1)&lt;/script&gt;!" in body
    status, _, body = curl("-d", "name=Ada+Lovelace", site.base + "/hello")
    assert status == 200 and b"Hello, Ada Lovelace!" in body
    status, _, body = curl(site.base + "/hello")
    assert b"Hello, world!" in body


def test_chunked_post(site):
    status, _, body = curl("-H", "Transfer-Encoding: chunked", "-d", "name=chunky",
                           site.base + "/hello")
    assert status == 200 and b"Hello, chunky!" in body
    # chunk extensions and trailers, the body cut into small sends
    req = (b"POST /hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"5;ext=1\r\nname=\r\n3\r\nByt\r\n1\r\ne\r\n0\r\nX-Trailer: t\r\n\r\n")
    with socket.create_connection(("127.0.0.1", site.port), timeout=30) as s:
        for i in range(0, len(req), 7):
            s.sendall(req[i:i + 7])
            time.sleep(0.01)
        s.shutdown(socket.SHUT_WR)
        resp = b""
        while (c := s.recv(65536)):
            resp += c
    [(status, _, body)] = split_responses(resp)
    assert status == 200 and b"Hello, Byte!" in body


def test_expect_continue(site):
    with socket.create_connection(("127.0.0.1", site.port), timeout=30) as s:
        s.sendall(b"POST /hello HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\n")
        assert s.recv(4096) == b"HTTP/1.1 100 Continue\r\n\r\n"
        s.sendall(b"name=Eve!")
        s.shutdown(socket.SHUT_WR)
        resp = b""
        while (c := s.recv(65536)):
            resp += c
    [(status, _, body)] = split_responses(resp)
    assert status == 200 and b"Hello, Eve!!" in body
    # too large: 413 straight away, no 100, and the connection ends
    resp = raw(site.port, b"POST /hello HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                          b"Content-Length: 99999999\r\n\r\n")
    [(status, f, _)] = split_responses(resp)
    assert status == 413 and f["connection"] == "close"
    # and curl's own 100-continue handling
    status, _, body = curl("-H", "Expect: 100-continue", "-d", "name=" + "x" * 2000,
                           site.base + "/hello")
    assert status == 200 and b"Hello, " in body


def test_pipelined_batch(site):
    paths = ["/", "/css/site.css", "/1k.bin", "/missing", "/docs/", "/hello?name=p",
             "/img/logo.png", "/docs", "/index.html", "/1k.bin"]
    batch = b"".join(f"GET {p} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for p in paths)
    with socket.create_connection(("127.0.0.1", site.port), timeout=30) as s:
        s.sendall(batch)  # one send, ten requests
        resp = b""
        while len(split_responses_prefix(resp)) < len(paths):
            c = s.recv(65536)
            assert c, "connection closed early"
            resp += c
    got = split_responses(resp)
    assert [g[0] for g in got] == [200, 200, 200, 404, 200, 200, 200, 301, 200, 200]
    assert got[0][2] == site.file("index.html")
    assert got[2][2] == got[9][2] == site.file("1k.bin")
    assert b"Hello, p!" in got[5][2]


def split_responses_prefix(data):
    """The complete responses at the start of data."""
    done = []
    while True:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            return done
        m = re.search(rb"\r\nContent-Length: (\d+)", head)
        n = int(m.group(1)) if m else 0
        if len(rest) < n:
            return done
        done.append(head)
        data = rest[n:]


def test_malformed_requests(site):
    for req, want in ((b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
                      (b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n folded\r\n\r\n", 400),
                      (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                       b"Transfer-Encoding: chunked\r\n\r\n", 400),
                      (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                       b"Content-Length: 2\r\n\r\n", 400),
                      (b"GET / HTTP/1.1\r\n\r\n", 400),
                      (b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 501),
                      (b"GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505),
                      (b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
                      (b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 20000 + b"\r\n\r\n", 431),
                      (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(64), 400)):
        resp = raw(site.port, req + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        got = split_responses(resp)
        # one answer, the refusal, and nothing after it on that connection
        assert [g[0] for g in got] == [want], (req[:60], got)
        assert got[0][1]["connection"] == "close"
    # each one was logged at debug level
    log = site.log_path.read_text()
    for status in (400, 414, 431, 501, 505):
        assert f"http: {status} " in log


def test_listen_address(site_build, tmp_path):
    # '*' (the example's setting) answers on every loopback address
    s = Site(*site_build, tmp_path / "any.log")
    try:
        with socket.create_connection(("127.0.0.2", s.port), timeout=10):
            pass
    finally:
        assert s.stop()
    # an address: only that one
    s = Site(*site_build, tmp_path / "one.log", "--http-address=127.0.0.1")
    try:
        assert curl(s.base + "/")[0] == 200
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.2", s.port), timeout=10)
    finally:
        assert s.stop()


def test_wrk_1000_connections(site):
    out = subprocess.run(["wrk", "-c1000", "-t2", "-d3s", site.base + "/1k.bin"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    m = re.search(r"(\d+) requests in", out)
    assert m and int(m.group(1)) > 1000, out
    assert "Socket errors" not in out, out
    assert "Non-2xx" not in out, out


def test_slowloris_does_not_block(site):
    """200 clients each sending one byte of a request per second hold their
    connections open; a normal client is served all along."""
    slow = []
    for _ in range(200):
        s = socket.create_connection(("127.0.0.1", site.port), timeout=30)
        slow.append(s)
    stop = threading.Event()
    request = b"GET / HTTP/1.1\r\nHost: slow\r\nX-Padding: " + b"p" * 100

    def trickle():
        i = 0
        while not stop.is_set() and i < len(request):
            for s in slow:
                try:
                    s.send(request[i:i + 1])
                except OSError:
                    pass
            i += 1
            stop.wait(1.0)

    t = threading.Thread(target=trickle)
    t.start()
    try:
        for _ in range(4):
            status, _, body = curl(site.base + "/index.html")
            assert status == 200 and body == site.file("index.html")
            time.sleep(0.5)
    finally:
        stop.set()
        t.join()
        for s in slow:
            s.close()
