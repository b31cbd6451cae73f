# SPDX-License-Identifier: ISC
"""`mirari run --xen` end to end, with the nested Xen lab's xl
(tests/xen/xl) as MIRARI_XL: each run boots Xen and a Linux dom0 under
QEMU, whose real `xl create -c` starts the app; mirari streams its console,
watches `xl list`, destroys the domain and exits as it ended. The runs are
in network namespaces the tests make, where the lab's network is a tap
bridged to the guest's vif, as a Xen host's bridge would be:
  - hello: its console, status 0, no domain left;
  - an app exiting 3 with xl-on_crash: preserve: status 139, the domain kept
    (crashed, `xl list`) and the message saying how to remove it;
  - static-website with a binary file, a 3 MiB file and odd names, every
    byte compared through netfront; then Ctrl-C (SIGINT) destroys the
    domain and nothing is left (QEMU, tap, domain);
  - echo configured by DHCP from dnsmasq on the host side of a tap the test
    made (MIRARI_TAP), echoing over TCP and UDP; SIGTERM ends it.
One lab per run: about 15-30 s each under TCG."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from conftest import BUILD, REPO, copy_example, recv_all
from direct_env import Unikernel, in_netns, make_tap, ns

sys.path.insert(0, str(REPO / "tests" / "xen"))
import lab  # noqa: E402  (tests/xen is not a package)

XL = REPO / "tests" / "xen" / "xl"
DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"

pytestmark = pytest.mark.skipif(shutil.which(lab.QEMU) is None or not Path(DNSMASQ).exists(),
                                reason="needs qemu-system-x86_64 and dnsmasq")


@pytest.fixture
def xen_env(tmp_path):
    """The environment of a `mirari run --xen` with the lab's xl, its state
    in a directory of the test's; a lab still up afterwards is destroyed
    and fails the test."""
    state = tmp_path / "xl-state"
    env = dict(os.environ, MIRARI_XL=str(XL), MIRARI_XEN_LAB_CACHE=str(BUILD / "xen-lab"),
               MIRARI_XEN_LAB_STATE=str(state))
    yield env
    left = xl(env, "list").stdout.splitlines()[1:]
    for line in left:
        xl(env, "destroy", line.split()[0])
    assert left == [], f"domains left behind: {left}"


def xl(env, *args):
    return subprocess.run([str(XL), *args], env=env, capture_output=True, text=True,
                          timeout=120)


def build_xen(mirari, app, *options):
    for cmd in (["configure", "--xen", *options], ["build", "--xen"]):
        r = subprocess.run([str(mirari), *cmd], cwd=app, capture_output=True, text=True,
                           timeout=600)
        assert r.returncode == 0, r.stdout + r.stderr
    return app


def run_xen(mirari, app, env, *args, timeout=600):
    return subprocess.run([str(mirari), "run", "--xen", *args], cwd=app, env=env,
                          capture_output=True, text=True, timeout=timeout)


def labs_running(env):
    """Keepers (and so QEMUs) of the lab started with this state directory."""
    out = subprocess.run(["pgrep", "-f", f"_keep {env['MIRARI_XEN_LAB_STATE']}"],
                         capture_output=True, text=True).stdout
    return out.split()


def test_hello_console_and_poweroff(mirari, tmp_path, xen_env):
    app = build_xen(mirari, copy_example("hello", tmp_path / "hello"))
    r = run_xen(mirari, app, xen_env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "info: Hello from hello!" in r.stdout, r.stdout + r.stderr
    assert re.search(r"info: tick 3\n", r.stdout), r.stdout
    # Powered off: mirari destroyed it; its lab is gone.
    assert xl(xen_env, "list", "hello").returncode == 1
    assert labs_running(xen_env) == []


FAIL_C = r"""#include <mirari/mirari.h>
int fail_main(void)
{
    mi_info("failing on purpose");
    return 3;
}
"""


def test_crash_is_kept_with_on_crash_preserve(mirari, tmp_path, xen_env):
    app = tmp_path / "fail"
    app.mkdir()
    (app / "fail.conf").write_text("main-noip: fail_main\nxl-on_crash: preserve\n")
    (app / "fail.c").write_text(FAIL_C)
    build_xen(mirari, app)
    r = run_xen(mirari, app, xen_env)
    assert r.returncode == 139, r.stdout + r.stderr
    assert "failing on purpose" in r.stdout
    assert "mirari: exit status 3" in r.stdout
    assert "the domain is kept as xl-on_crash: preserve asks" in r.stderr, r.stderr
    assert "xl destroy fail" in r.stderr
    listed = xl(xen_env, "list", "fail")
    assert listed.returncode == 0
    assert "c" in listed.stdout.splitlines()[1].split()[4], listed.stdout
    # The console of the kept domain is still there; `xl console` follows
    # it until the domain goes, so it is stopped here.
    con = subprocess.Popen([str(XL), "console", "fail"], env=xen_env, stdout=subprocess.PIPE)
    try:
        out, _ = con.communicate(timeout=3)
    except subprocess.TimeoutExpired:
        con.kill()
        out, _ = con.communicate()
    assert b"failing on purpose" in out
    assert xl(xen_env, "destroy", "fail").returncode == 0
    assert xl(xen_env, "list", "fail").returncode == 1
    assert labs_running(xen_env) == []


# Odd names: blanks, a percent sign, non-ASCII, a nested directory.
SITE_FILES = {
    "blob.bin": os.urandom(70001),
    "big/three-mib.bin": os.urandom(3 << 20),
    "name with spaces (1).txt": b"spaces\n",
    "100% sure.txt": b"percent\n",
    "caf\u00e9-\u00fcber.html": "<p>caf\u00e9</p>\n".encode(),
}


def test_static_website_through_netfront_then_ctrl_c(mirari, netns, tmp_path, xen_env):
    app = copy_example("static-website", tmp_path / "static-website")
    for name, data in SITE_FILES.items():
        (app / "files" / name).parent.mkdir(parents=True, exist_ok=True)
        (app / "files" / name).write_bytes(data)
    build_xen(mirari, app)
    name = netns()
    run = Unikernel(name, [str(mirari), "run", "--xen"], tmp_path / "run.log",
                    r"serving HTTP", env=xen_env, cwd=app, timeout=300)
    try:
        # The default address, as the tap targets give it; the lab's tap
        # has 10.0.0.1/24.
        assert "10.0.0.2/255.255.255.0 gateway 10.0.0.1" in run.text()
        files = dict(SITE_FILES, **{"index.html": (app / "files/index.html").read_bytes()})
        for path, data in files.items():
            url = "http://10.0.0.2:8080/" + urllib.parse.quote(path)
            out = tmp_path / "got"
            r = ns(name, "curl", "-sS", "--retry", "3", "--retry-all-errors", "--max-time",
                   "120", "-o", str(out), "-w", "%{http_code}", url, check=False)
            assert (r.returncode, r.stdout) == (0, "200"), f"{path}: {r.stderr}"
            assert out.read_bytes() == data, f"{path}: the bytes differ"
        assert labs_running(xen_env) != []
    finally:
        rc = run.stop(signal.SIGINT, timeout=60)
    assert rc == 128 + signal.SIGINT, run.text()
    assert "destroyed domain static-website" in run.text()
    assert xl(xen_env, "list", "static-website").returncode == 1
    assert labs_running(xen_env) == []
    links = subprocess.run(["ip", "-n", name, "-o", "link"], capture_output=True,
                           text=True).stdout
    assert [ln.split(":")[1].strip() for ln in links.splitlines()] == ["lo"], links


def test_echo_by_dhcp_over_tcp_and_udp(mirari, netns, tmp_path, xen_env):
    app = build_xen(mirari, copy_example("echo", tmp_path / "echo"), "--ip-use-dhcp=true")
    assert "vif = [ '' ]" in (app / "_build/echo.xl").read_text()
    name = netns()
    tap = make_tap(name, "xt0")
    leases = tmp_path / "leases"
    dhcp = subprocess.Popen(
        ["ip", "netns", "exec", name, DNSMASQ, "--keep-in-foreground", "--no-resolv",
         "--no-hosts", "--port=0", f"--interface={tap}", "--bind-interfaces",
         "--dhcp-range=10.0.0.100,10.0.0.119,255.255.255.0,1h", f"--dhcp-leasefile={leases}",
         f"--pid-file={tmp_path / 'dnsmasq.pid'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = dict(xen_env, MIRARI_TAP=tap)
    run = None
    try:
        run = Unikernel(name, [str(mirari), "run", "--xen"], tmp_path / "run.log",
                        r"echo: listening", env=env, cwd=app, timeout=300)
        addr = re.search(r"dhcp: lease of ([\d.]+)", run.text())
        assert addr, run.text()
        addr = addr.group(1)
        assert 100 <= int(addr.split(".")[3]) <= 119, addr
        assert addr in leases.read_text()
        data = os.urandom(200000)
        with in_netns(name):
            with socket.create_connection((addr, 7), timeout=60) as s:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
                assert recv_all(s) == data
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.settimeout(5)
                got = None
                for _ in range(10):  # UDP: a lost datagram is sent again
                    u.sendto(b"datagram \x00\xff", (addr, 7))
                    try:
                        got = u.recvfrom(2048)[0]
                        break
                    except socket.timeout:
                        pass
                assert got == b"datagram \x00\xff"
    finally:
        rc = run.stop(signal.SIGTERM, timeout=60) if run else None
        dhcp.terminate()
        dhcp.wait()
    assert rc == 128 + signal.SIGTERM, run.text()
    # The user's tap is left as it was.
    assert ns(name, "ip", "link", "show", tap).returncode == 0

