# SPDX-License-Identifier: ISC
"""unix-direct: mirari's own TCP/IP stack on a tap device, with the Linux
kernel as the peer, inside network namespaces the tests create. The
unikernels are started by `mirari run --unix` (which makes the tap, gives
the host side 10.0.0.1/24, runs dnsmasq for DHCP apps and passes the fd).

ping (plain, 8000 bytes fragmented, a flood), TCP echo of 10 MiB compared
by SHA-256, 200 concurrent connections, RST from a closed port, UDP echo
(up to 60000-byte datagrams, fragmented both ways), static-website over a
DHCP lease and over a static address, seccomp confinement, and cleanup of
the tap, dnsmasq and its files after SIGINT, SIGTERM and a crash."""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO, check_echoes
from direct_env import Unikernel, build, echo_transfer, in_netns, ns, same

ADDR = "10.0.0.2"  # what mirari run gives an app without an address


@pytest.fixture(scope="module")
def echo_app(mirari, tmp_path_factory):
    image = build(mirari, "echo", tmp_path_factory.mktemp("direct-echo"))
    return image.parent


@pytest.fixture(scope="module")
def website_app(mirari, tmp_path_factory):
    image = build(mirari, "static-website", tmp_path_factory.mktemp("direct-web"))
    return image.parent


@pytest.fixture(scope="module")
def website_dhcp_app(mirari, tmp_path_factory):
    image = build(mirari, "static-website", tmp_path_factory.mktemp("direct-web-dhcp"),
                  ["ip-use-dhcp: true"])
    return image.parent


def run_unix(netns_name, mirari, appdir, log, ready, args=(), env=None):
    return Unikernel(netns_name, [str(mirari), "run", "--unix", "--", "--log-level=debug", *args],
                     log, ready, env=env, cwd=appdir)


@pytest.fixture
def echo(netns, mirari, echo_app, tmp_path):
    name = netns()
    u = run_unix(name, mirari, echo_app, tmp_path / "echo.log", r"echo: listening")
    u.ns = name
    yield u
    u.stop()
    assert "Sanitizer" not in u.text()


def test_ping(echo):
    for args in (["-c", "3"], ["-c", "3", "-s", "8000"], ["-f", "-c", "1000"]):
        r = ns(echo.ns, "ping", "-W", "2", *args, ADDR)
        m = re.search(r"(\d+) packets transmitted, (\d+) received", r.stdout)
        assert m and m.group(1) == m.group(2), r.stdout
    log = echo.text()
    # The 8000-byte requests came in 6 fragments and were reassembled.
    assert "ip_reass" not in log  # no reassembly failure of any kind


def test_tcp_echo_10mib(echo):
    data = os.urandom(10 << 20)
    got, secs = echo_transfer(echo.ns, ADDR, 7, data)
    assert same(got, data)
    print(f"10 MiB echo over the tap: {secs:.2f} s, {2 * len(data) / secs / 1e6:.1f} MB/s")


def test_200_concurrent_connections(echo):
    with in_netns(echo.ns):
        socks = [socket.create_connection((ADDR, 7), timeout=60) for _ in range(200)]
    try:
        check_echoes(socks, [os.urandom(4096) + i.to_bytes(4, "big") for i in range(200)])
    finally:
        for s in socks:
            s.close()


def test_rst_on_closed_port(echo):
    with in_netns(echo.ns):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((ADDR, 81), timeout=10)
    assert "tcp_drop_no_listener" in echo.text()


def test_udp_echo(echo):
    with in_netns(echo.ns):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with s:
        s.settimeout(10)
        for n in (1, 1000, 8000, 60000):
            payload = os.urandom(n)
            s.sendto(payload, (ADDR, 7))
            data, peer = s.recvfrom(65536)
            assert data == payload and peer == (ADDR, 7)


def unikernel_pids(image):
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if os.readlink(d / "exe") == str(image):
                    pids.append(int(d.name))
            except OSError:
                pass
    return pids


def test_confined_by_seccomp(echo, echo_app):
    pids = unikernel_pids(next(echo_app.glob("mir-*")).resolve())
    assert len(pids) == 1
    # The process confines itself at its first wait for input
    # (platform/unix/yield.c), which follows the line the fixture waits
    # for: on a loaded machine the status may still show the moment before.
    deadline = time.monotonic() + 20
    while True:
        status = Path(f"/proc/{pids[0]}/status").read_text()
        if re.search(r"^Seccomp:\s+2$", status, re.M) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert re.search(r"^Seccomp:\s+2$", status, re.M), status  # SECCOMP_MODE_FILTER


def curl(netns_name, url):
    """The body followed by the status code, as bytes."""
    return ns(netns_name, "curl", "-sS", "--max-time", "20", "-o", "-", "-w", "%{http_code}", url,
              text=False).stdout


def test_static_website_static_address(netns, mirari, website_app, tmp_path):
    name = netns()
    u = run_unix(name, mirari, website_app, tmp_path / "web.log", r"serving HTTP")
    try:
        # The log names the URL that reaches the app: its own address.
        assert f"serving HTTP on 0.0.0.0:8080: http://{ADDR}:8080/" in u.text(), u.text()
        index = (REPO / "examples/static-website/files/index.html").read_bytes()
        assert curl(name, f"http://{ADDR}:8080/") == index + b"200"
    finally:
        u.stop()


def dnsmasq_pids(tap):
    out = subprocess.run(["pgrep", "-f", f"dnsmasq.*--interface={tap}"], capture_output=True,
                         text=True).stdout
    return [int(p) for p in out.split()]


def start_dhcp_site(netns_name, mirari, appdir, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp))
    u = run_unix(netns_name, mirari, appdir, tmp_path / "web.log",
                 r"dhcp: lease of [\d.]+[\s\S]*serving HTTP", env=env)
    addr = re.search(r"dhcp: lease of ([\d.]+)", u.text()).group(1)
    return u, addr, tmp


def assert_cleaned_up(netns_name, tmp):
    assert dnsmasq_pids("mir0") == []
    assert list(tmp.iterdir()) == []
    r = subprocess.run(["ip", "-n", netns_name, "link", "show", "mir0"], capture_output=True)
    assert r.returncode != 0  # the tap is gone


def test_static_website_over_dhcp(netns, mirari, website_dhcp_app, tmp_path):
    name = netns()
    u, addr, tmp = start_dhcp_site(name, mirari, website_dhcp_app, tmp_path)
    try:
        assert addr.startswith("10.0.0.") and addr != "10.0.0.1"
        assert f"serving HTTP on 0.0.0.0:8080: http://{addr}:8080/" in u.text(), u.text()
        assert len(dnsmasq_pids("mir0")) == 1
        assert len(list(tmp.iterdir())) == 1  # the tool's private directory
        files = REPO / "examples/static-website/files"
        assert curl(name, f"http://{addr}:8080/") == (files / "index.html").read_bytes() + b"200"
        assert curl(name, f"http://{addr}:8080/1k.bin") == (files / "1k.bin").read_bytes() + b"200"
    finally:
        rc = u.stop(signal.SIGINT)
    assert rc == 128 + signal.SIGINT
    assert_cleaned_up(name, tmp)


def test_cleanup_on_sigterm(netns, mirari, website_dhcp_app, tmp_path):
    name = netns()
    u, addr, tmp = start_dhcp_site(name, mirari, website_dhcp_app, tmp_path)
    assert u.stop(signal.SIGTERM) == 128 + signal.SIGTERM
    assert_cleaned_up(name, tmp)


def test_cleanup_when_the_unikernel_crashes(netns, mirari, website_dhcp_app, tmp_path):
    name = netns()
    u, addr, tmp = start_dhcp_site(name, mirari, website_dhcp_app, tmp_path)
    pids = unikernel_pids(next(website_dhcp_app.glob("mir-*")).resolve())
    assert len(pids) == 1
    os.kill(pids[0], signal.SIGSEGV)
    rc = u.proc.wait(timeout=30)
    u.stop()
    if "AddressSanitizer" in u.text():
        assert rc == 1  # a sanitizer build reports the fault and exits 1
    else:
        assert rc == 128 + signal.SIGSEGV
        assert "killed by signal 11" in u.text()
    assert_cleaned_up(name, tmp)


def test_without_privileges_one_line_says_what_to_do(mirari, echo_app):
    # Root without CAP_NET_ADMIN (gone from the bounding set, so from the
    # exec'd mirari too): creating the tap is refused.
    r = subprocess.run(["setpriv", "--bounding-set=-net_admin", str(mirari), "run", "--unix"],
                       cwd=echo_app, capture_output=True, text=True)
    assert r.returncode == 1
    errors = [line for line in r.stderr.splitlines() if line.startswith("mirari:")]
    assert len(errors) == 1, r.stderr
    assert "CAP_NET_ADMIN" in errors[0] and "MIRARI_TAP=" in errors[0]
