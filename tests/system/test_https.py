# SPDX-License-Identifier: ISC
"""HTTPS (issue 14 item 2): https-port, tls-cert, tls-key, https-redirect.

The test makes its own CA and server certificates with openssl (RSA and
ECDSA, and an expired one), builds static-website with them, and talks to
it with curl, `openssl s_client` and testssl.sh: the files come back
byte-exact, the protocol is TLS 1.2 with ECDHE and AES-GCM or
ChaCha20-Poly1305, sessions resume, a client trusting another CA refuses
the server, configure refuses an expired certificate and a key that is
not the certificate's, garbage and truncated handshakes close their
connection while the server goes on serving, and testssl.sh finds no weak
protocol or cipher. The same runtime is checked on the qemu target, and a
kernel without an entropy source refuses to serve HTTPS while HTTP runs."""

import json
import os
import re
import shutil
import socket
import subprocess
import time

import pytest

from conftest import free_port

def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, another CA, and server certificates for localhost and
    127.0.0.1: RSA-2048 and ECDSA P-256 by the CA, one expired."""
    d = tmp_path_factory.mktemp("pki")
    (d / "san.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for ca in ("ca", "other"):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", f"{ca}.key", "-out", f"{ca}.pem", "-days", "30", "-subj", f"/CN={ca}",
                cwd=d)
    keys = {"rsa": ["-newkey", "rsa:2048"],
            "ecdsa": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]}
    for name, newkey in keys.items():
        openssl("req", *newkey, "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", "/CN=localhost", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "10", "-extfile", "san.cnf",
                cwd=d)
    openssl("x509", "-req", "-in", "rsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "expired.pem", "-days", "-1", "-extfile", "san.cnf", cwd=d)
    return d


def site(app_copy):
    """static-website with a 1 MiB file among its files."""
    app = app_copy("static-website")
    (app / "files" / "1m.bin").write_bytes(os.urandom(1 << 20))
    return app


def configure(mirari, app, pki, kind, *extra):
    return subprocess.run([str(mirari), "configure", f"--tls-cert={pki}/{kind}.pem",
                           f"--tls-key={pki}/{kind}.key", *extra], cwd=app,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)


def build(mirari, app, pki, kind, *extra, target=()):
    r = configure(mirari, app, pki, kind, *target, *extra)
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run([str(mirari), "build", *target], cwd=app, capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr


class Server:
    """The unix-socket unikernel on free ports, its log in a file."""

    def __init__(self, app, *args):
        self.http, self.https = free_port(), free_port()
        self.log_path = app / "run.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [str(app / "mir-static-website"), f"--http-port={self.http}",
             f"--https-port={self.https}", "--log-level=debug", *args],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while "serving HTTPS" not in self.log_path.read_text():
            assert self.proc.poll() is None, self.log_path.read_text()
            assert time.monotonic() < deadline, self.log_path.read_text()
            time.sleep(0.05)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture(params=["rsa", "ecdsa"])
def server(request, mirari, app_copy, pki):
    app = site(app_copy)
    build(mirari, app, pki, request.param)
    s = Server(app)
    s.app, s.kind = app, request.param
    yield s
    s.stop()


def curl(url, *args, port=None):
    res = ["--resolve", f"localhost:{port}:127.0.0.1"] if port else []
    return subprocess.run(["curl", "-sS", "--max-time", "30", *res, *args, url],
                          capture_output=True, timeout=60)


def s_client(port, pki, *args, stdin=b""):
    return subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
                           "-servername", "localhost", "-CAfile", str(pki / "ca.pem"), *args],
                          input=stdin, capture_output=True, timeout=60)


def test_curl_gets_the_files_byte_exact(server, pki):
    for name in ("index.html", "1k.bin", "1m.bin"):
        r = curl(f"https://localhost:{server.https}/{name}", "--cacert", str(pki / "ca.pem"),
                 port=server.https)
        assert r.returncode == 0, r.stderr.decode() + server.log_path.read_text()
        assert r.stdout == (server.app / "files" / name).read_bytes(), name
    # Plain HTTP goes on beside it.
    r = curl(f"http://127.0.0.1:{server.http}/index.html")
    assert r.stdout == (server.app / "files" / "index.html").read_bytes()


def test_tls12_ecdhe_aead_and_resumption(server, pki, tmp_path):
    sess = tmp_path / "session"
    r = s_client(server.https, pki, "-sess_out", str(sess))
    out = r.stdout.decode()
    assert "Verify return code: 0 (ok)" in out, out
    assert re.search(r"Protocol\s*: TLSv1\.2", out), out
    sig = "RSA" if server.kind == "rsa" else "ECDSA"
    cipher = re.search(r"Cipher\s*: (\S+)", out).group(1)
    assert re.fullmatch(rf"ECDHE-{sig}-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)",
                        cipher), cipher
    assert "New, TLSv1.2" in out, out
    r = s_client(server.https, pki, "-sess_in", str(sess))
    assert "Reused, TLSv1.2" in r.stdout.decode(), r.stdout.decode()
    # ChaCha20-Poly1305 when the client asks for it alone.
    r = s_client(server.https, pki, "-cipher", f"ECDHE-{sig}-CHACHA20-POLY1305", "-tls1_2")
    assert re.search(r"Cipher\s*: ECDHE-\S+-CHACHA20-POLY1305", r.stdout.decode())
    # TLS 1.1 and plain RSA key exchange are refused.
    assert s_client(server.https, pki, "-tls1_1").returncode != 0
    r = s_client(server.https, pki, "-tls1_2", "-cipher", "AES128-GCM-SHA256")
    assert r.returncode != 0


def test_a_client_trusting_another_ca_refuses(server, pki):
    r = curl(f"https://localhost:{server.https}/", "--cacert", str(pki / "other.pem"),
             port=server.https)
    assert r.returncode == 60, r.stderr  # peer certificate cannot be authenticated
    # And the server goes on.
    r = curl(f"https://localhost:{server.https}/", "--cacert", str(pki / "ca.pem"),
             port=server.https)
    assert r.returncode == 0


def closed_after(sock, payload, timeout=15):
    """Send payload, then read until the server closes: True when it does."""
    sock.settimeout(timeout)
    if payload:
        sock.sendall(payload)
    try:
        while sock.recv(4096):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_garbage_and_truncated_handshakes(server, pki):
    hello = socket.create_connection(("127.0.0.1", server.https))
    # A ClientHello record header announcing 512 bytes, and 40 of them:
    # the server waits for the rest (while serving others) ...
    truncated = bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]) + \
        os.urandom(29)
    hello.sendall(truncated)
    garbage = socket.create_connection(("127.0.0.1", server.https))
    assert closed_after(garbage, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    garbage.close()
    noise = socket.create_connection(("127.0.0.1", server.https))
    assert closed_after(noise, os.urandom(4096))
    noise.close()
    r = curl(f"https://localhost:{server.https}/index.html", "--cacert", str(pki / "ca.pem"),
             port=server.https)
    assert r.returncode == 0, r.stderr
    # ... and closes it when the client ends its side.
    hello.shutdown(socket.SHUT_WR)
    assert closed_after(hello, b"")
    hello.close()
    assert server.proc.poll() is None


def test_redirect_to_https(mirari, app_copy, pki):
    app = site(app_copy)
    build(mirari, app, pki, "rsa", "--https-redirect=true")
    s = Server(app)
    try:
        r = curl(f"http://localhost:{s.http}/docs/?q=1", "-o", "/dev/null", "-w",
                 "%{http_code} %{redirect_url}")
        assert r.stdout.decode() == f"308 https://localhost:{s.https}/docs/?q=1"
        r = curl(f"http://localhost:{s.http}/index.html", "-L", "--cacert", str(pki / "ca.pem"),
                 port=s.https)
        assert r.stdout == (app / "files" / "index.html").read_bytes(), r.stderr
    finally:
        s.stop()


def test_configure_refuses_bad_credentials(mirari, app_copy, pki):
    app = app_copy("static-website")
    r = subprocess.run([str(mirari), "configure", f"--tls-cert={pki}/expired.pem",
                        f"--tls-key={pki}/rsa.key"], cwd=app, capture_output=True, text=True)
    assert r.returncode != 0
    assert re.search(r"--tls-cert: .*expired on \d{4}-\d\d-\d\d", r.stderr), r.stderr
    r = subprocess.run([str(mirari), "configure", f"--tls-cert={pki}/rsa.pem",
                        f"--tls-key={pki}/ecdsa.key"], cwd=app, capture_output=True, text=True)
    assert r.returncode != 0
    assert "an EC key, but tls-cert's certificate has an RSA key" in r.stderr, r.stderr
    other = pki / "rsa2.key"
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
            str(other), cwd=pki)
    r = subprocess.run([str(mirari), "configure", f"--tls-cert={pki}/rsa.pem",
                        f"--tls-key={other}"], cwd=app, capture_output=True, text=True)
    assert "not the key of tls-cert's certificate" in r.stderr, r.stderr
    r = subprocess.run([str(mirari), "configure", "--https-port=8443"], cwd=app,
                       capture_output=True, text=True)
    assert "https-port: HTTPS needs a certificate" in r.stderr, r.stderr
    r = subprocess.run([str(mirari), "configure", f"--tls-cert={pki}/san.cnf",
                        f"--tls-key={pki}/rsa.key"], cwd=app, capture_output=True, text=True)
    assert "no certificate in it" in r.stderr, r.stderr
    # No key material in any message.
    assert "PRIVATE" not in r.stderr
    r = subprocess.run([str(mirari), "configure", f"--tls-cert={pki}/rsa.pem",
                        f"--tls-key={pki}/missing.key"], cwd=app, capture_output=True, text=True)
    assert "missing.key: No such file or directory" in r.stderr, r.stderr


def test_the_key_is_kept_private(mirari, app_copy, pki):
    app = site(app_copy)
    build(mirari, app, pki, "ecdsa")
    assert (app / "_build" / "tls-key.der").stat().st_mode & 0o077 == 0
    r = subprocess.run([str(mirari), "clean"], cwd=app, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert not (app / "_build" / "tls-key.der").exists()


@pytest.mark.skipif(shutil.which("testssl") is None, reason="testssl.sh is not installed")
def test_testssl_finds_no_weak_protocol_or_cipher(server, tmp_path):
    report = tmp_path / "testssl.json"
    subprocess.run(["testssl", "--quiet", "--color", "0", "--warnings", "off", "--protocols",
                    "--std", "--jsonfile", str(report), f"127.0.0.1:{server.https}"],
                   capture_output=True, timeout=600, stdin=subprocess.DEVNULL)
    found = {f["id"]: f["finding"] for f in json.loads(report.read_text())}
    for proto in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
        assert found[proto].startswith("not offered"), (proto, found[proto])
    assert "offered" in found["TLS1_2"] and "not" not in found["TLS1_2"], found["TLS1_2"]
    # testssl 3.0's groups: LOW is 64-bit ciphers, DES, RC2 and RC4;
    # AVERAGE the obsoleted CBC suites.
    for weak in ("cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT", "cipherlist_LOW",
                 "cipherlist_3DES_IDEA", "cipherlist_AVERAGE"):
        assert found[weak].startswith("not offered"), (weak, found[weak])
    assert found["cipherlist_STRONG"].startswith("offered"), found["cipherlist_STRONG"]


QEMU = shutil.which("qemu-system-x86_64")
# A CPU without RDSEED/RDRAND (test_entropy.py): with no virtio-rng either,
# the kernel has no entropy source.
NO_RNG_CPU = "qemu64,-rdrand,-rdseed"


class Kernel:
    """`mirari run -t qemu` on QEMU's user-mode network, HTTP and HTTPS
    forwarded from loopback; its output in a file."""

    def __init__(self, mirari, app, log, env=None):
        self.http, self.https = free_port(), free_port()
        self.log_path = log
        self.log = open(log, "w")
        env = dict(os.environ, MIRARI_QEMU_NET="user", MIRARI_QEMU_HTTP_PORT=str(self.http),
                   MIRARI_QEMU_HOSTFWD=f"tcp:127.0.0.1:{self.https}-:8443", **(env or {}))
        self.proc = subprocess.Popen([str(mirari), "run", "-t", "qemu", "--",
                                      "--https-port=8443"], cwd=app, stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)

    def wait_for(self, text, timeout=120):
        deadline = time.monotonic() + timeout
        while text not in self.log_path.read_text():
            assert self.proc.poll() is None, self.log_path.read_text()
            assert time.monotonic() < deadline, self.log_path.read_text()
            time.sleep(0.05)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.mark.skipif(QEMU is None, reason="qemu-system-x86_64 is not installed")
def test_https_on_qemu(mirari, app_copy, pki, tmp_path):
    app = site(app_copy)
    build(mirari, app, pki, "ecdsa", target=["-t", "qemu"])
    k = Kernel(mirari, app, tmp_path / "run.log")
    try:
        k.wait_for("serving HTTPS")
        r = curl(f"https://localhost:{k.https}/1m.bin", "--cacert", str(pki / "ca.pem"),
                 "--retry", "5", "--retry-connrefused", port=k.https)
        assert r.returncode == 0, r.stderr.decode() + k.log_path.read_text()
        assert r.stdout == (app / "files" / "1m.bin").read_bytes()
        sess = tmp_path / "session"
        r = s_client(k.https, pki, "-sess_out", str(sess))
        out = r.stdout.decode()
        assert "Verify return code: 0 (ok)" in out and "New, TLSv1.2" in out, out
        assert re.search(r"Cipher\s*: ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|"
                         r"CHACHA20-POLY1305)", out), out
        r = s_client(k.https, pki, "-sess_in", str(sess))
        assert "Reused, TLSv1.2" in r.stdout.decode(), r.stdout.decode()
        noise = socket.create_connection(("127.0.0.1", k.https))
        assert closed_after(noise, os.urandom(4096), timeout=60)
        noise.close()
        r = curl(f"https://localhost:{k.https}/index.html", "--cacert", str(pki / "ca.pem"),
                 port=k.https)
        assert r.stdout == (app / "files" / "index.html").read_bytes(), r.stderr
    finally:
        k.stop()


@pytest.mark.skipif(QEMU is None, reason="qemu-system-x86_64 is not installed")
def test_no_entropy_no_https(mirari, app_copy, pki, tmp_path):
    """A kernel on a CPU without RDSEED/RDRAND and without virtio-rng says
    so at boot and refuses to serve HTTPS; plain HTTP still runs."""
    app = site(app_copy)
    build(mirari, app, pki, "rsa", target=["-t", "qemu"])
    # QEMU as mirari starts it, less the virtio-rng device, on that CPU.
    wrapper = tmp_path / "qemu-without-rng"
    wrapper.write_text(
        "#!/usr/bin/env python3\n"
        "import os, sys\n"
        "a = sys.argv[1:]\n"
        "for i, x in enumerate(a):\n"
        "    if x == '-cpu':\n"
        f"        a[i + 1] = {NO_RNG_CPU!r}\n"
        "    if x.startswith('virtio-rng'):\n"
        "        a[i - 1] = a[i] = None\n"
        "a = [x for x in a if x is not None]\n"
        f"os.execv({QEMU!r}, [{QEMU!r}] + a)\n")
    wrapper.chmod(0o755)
    k = Kernel(mirari, app, tmp_path / "run.log",
               {"MIRARI_QEMU": str(wrapper), "MIRARI_QEMU_ACCEL": "tcg"})
    try:
        k.wait_for("NOT serving HTTPS")
        log = k.log_path.read_text()
        assert "WARNING: no entropy source" in log, log
        assert "no hardware entropy source" in log, log
        r = curl(f"http://127.0.0.1:{k.http}/index.html", "--retry", "5",
                 "--retry-connrefused")
        assert r.stdout == (app / "files" / "index.html").read_bytes(), r.stderr
    finally:
        k.stop()


def test_https_on_unix_direct(netns, mirari, app_copy, pki, tmp_path):
    """The own TCP/IP stack on a tap (in a namespace of the test's), under
    unix-direct's seccomp confinement."""
    from direct_env import Unikernel, ns
    app = site(app_copy)
    build(mirari, app, pki, "rsa", target=["--unix"])
    name = netns()
    u = Unikernel(name, [str(mirari), "run", "--unix", "--", "--https-port=8443"],
                  tmp_path / "run.log", r"serving HTTPS", cwd=app)
    try:
        res = ["--resolve", "localhost:8443:10.0.0.2", "--cacert", str(pki / "ca.pem")]
        r = ns(name, "curl", "-sS", "--max-time", "30", *res, "https://localhost:8443/1m.bin",
               text=False, check=False)
        assert r.returncode == 0, r.stderr.decode() + u.text()
        assert r.stdout == (app / "files" / "1m.bin").read_bytes()
        sess = tmp_path / "session"
        base = ["openssl", "s_client", "-connect", "10.0.0.2:8443", "-servername", "localhost",
                "-CAfile", str(pki / "ca.pem")]
        r = ns(name, *base, "-sess_out", str(sess), input="", check=False)
        assert "Verify return code: 0 (ok)" in r.stdout and "New, TLSv1.2" in r.stdout, r.stdout
        r = ns(name, *base, "-sess_in", str(sess), input="", check=False)
        assert "Reused, TLSv1.2" in r.stdout, r.stdout
    finally:
        u.stop()
    assert "Sanitizer" not in u.text()
