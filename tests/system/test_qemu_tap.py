# SPDX-License-Identifier: ISC
"""`mirari run -t qemu` on a tap, inside network namespaces the tests create
(`ip netns exec NS mirari run -t qemu`): mirari makes the tap, gives the
host side 10.0.0.1/24, runs dnsmasq for a DHCP app and hands the tap to
QEMU. static-website gets a lease (or its default static address) and
answers curl from the namespace, on -M microvm (virtio-mmio) and -M pc
(virtio-pci); a chosen subnet and a pre-created tap work too. Whatever
ends the run (SIGINT, SIGTERM, Ctrl-C on its terminal, the unikernel
exiting, QEMU failing to start, mirari itself killed), no tap, dnsmasq,
QEMU or temporary file is left. Without CAP_NET_ADMIN, or when another
interface has the subnet, the run falls back to QEMU's user-mode network
and says so in one line."""

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO, copy_example
from direct_env import Unikernel, ns
from ptyrun import PtyRun

pytestmark = pytest.mark.skipif(
    shutil.which("qemu-system-x86_64") is None or shutil.which("dnsmasq") is None
    and not Path("/usr/sbin/dnsmasq").exists(),
    reason="needs qemu-system-x86_64 and dnsmasq")

MACHINES = ["microvm", "pc"]
FILES = REPO / "examples/static-website/files"
TAP = "mir0"  # the first tap mirari makes in a fresh namespace


def build_qemu(mirari, workdir, conf_lines=()):
    app = Path(workdir) / "static-website"
    copy_example("static-website", app)
    if conf_lines:
        with open(app / "static-website.conf", "a") as f:
            f.write("\n" + "\n".join(conf_lines) + "\n")
    r = subprocess.run([str(mirari), "build", "-t", "qemu"], cwd=app, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return app


@pytest.fixture(scope="module")
def site(mirari, tmp_path_factory):
    return build_qemu(mirari, tmp_path_factory.mktemp("qemu-tap-static"))


@pytest.fixture(scope="module")
def dhcp_site(mirari, tmp_path_factory):
    return build_qemu(mirari, tmp_path_factory.mktemp("qemu-tap-dhcp"), ["ip-use-dhcp: true"])


def children(pid):
    """{pid: comm} of the processes whose parent is pid."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    comm, rest = f.read().split(" (", 1)[1].rsplit(") ", 1)
            except (OSError, IndexError, ValueError):
                continue
            if int(rest.split()[1]) == pid:
                kids[int(d)] = comm
    return kids


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Run:
    """`mirari run -t qemu` inside namespace `name`, with TMPDIR a directory
    of its own so that leftovers can be seen."""

    def __init__(self, name, mirari, app, tmp_path, ready, machine="microvm", args=(),
                 env=None):
        self.ns = name
        self.tmp = tmp_path / "tmp"
        self.tmp.mkdir(exist_ok=True)
        e = {k: v for k, v in os.environ.items()
             if k not in ("MIRARI_QEMU_NET", "MIRARI_TAP", "MIRARI_TAP_ADDRESS")}
        e.update(TMPDIR=str(self.tmp), MIRARI_QEMU_MACHINE=machine, **(env or {}))
        self.uk = Unikernel(name, [str(mirari), "run", "-t", "qemu", *(["--", *args] if args
                                                                     else [])],
                            tmp_path / "run.log", ready, env=e, cwd=app, timeout=120)
        # `ip netns exec` execs mirari itself: its children are QEMU and
        # (for DHCP) dnsmasq.
        self.kids = children(self.uk.proc.pid)

    def text(self):
        return self.uk.text()

    def pid_of(self, comm_prefix):
        return [p for p, c in self.kids.items() if c.startswith(comm_prefix)]


def curl(name, url):
    r = ns(name, "curl", "-sS", "--max-time", "30", "-w", "%{http_code}", url, text=False,
           check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout


def tap_exists(name, tap=TAP):
    return subprocess.run(["ip", "-n", name, "link", "show", tap],
                          capture_output=True).returncode == 0


def assert_nothing_left(run):
    """No tap, no QEMU, no dnsmasq, no temporary file once mirari is gone."""
    for pid in run.kids:
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(pid), f"{run.kids[pid]} {pid} is still running"
    assert not tap_exists(run.ns), subprocess.run(["ip", "-n", run.ns, "link"],
                                                  capture_output=True, text=True).stdout
    assert list(run.tmp.iterdir()) == []


@pytest.mark.parametrize("machine", MACHINES)
def test_dhcp_lease_from_dnsmasq_and_curl(netns, mirari, dhcp_site, tmp_path, machine):
    name = netns()
    run = Run(name, mirari, dhcp_site, tmp_path, r"dhcp: lease of [\d.]+[\s\S]*serving HTTP",
              machine)
    try:
        addr = re.search(r"dhcp: lease of ([\d.]+)", run.text()).group(1)
        # dnsmasq's range is the upper half of 10.0.0.0/24.
        assert re.fullmatch(r"10\.0\.0\.(\d+)", addr) and int(addr.split(".")[3]) >= 128
        assert "network: tap mir0, host side 10.0.0.1, DHCP from dnsmasq" in run.text()
        assert len(run.pid_of("qemu-system")) == 1 and len(run.pid_of("dnsmasq")) == 1
        assert len(list(run.tmp.iterdir())) == 1  # dnsmasq's private directory
        assert tap_exists(name)
        body = curl(name, f"http://{addr}:8080/")
        assert body == (FILES / "index.html").read_bytes() + b"200"
        assert curl(name, f"http://{addr}:8080/nope").endswith(b"404")
    finally:
        rc = run.uk.stop(signal.SIGINT)
    assert rc == 128 + signal.SIGINT, run.text()
    assert_nothing_left(run)


@pytest.mark.parametrize("machine", MACHINES)
def test_static_address_and_curl(netns, mirari, site, tmp_path, machine):
    name = netns()
    # The default: the host address + 1.
    run = Run(name, mirari, site, tmp_path, r"serving HTTP", machine)
    try:
        assert "http://10.0.0.2:8080/ reaches the unikernel" in run.text()
        assert run.pid_of("dnsmasq") == []  # a static address needs none
        assert curl(name, "http://10.0.0.2:8080/1k.bin") == \
            (FILES / "1k.bin").read_bytes() + b"200"
    finally:
        rc = run.uk.stop(signal.SIGTERM)
    assert rc == 128 + signal.SIGTERM, run.text()
    assert_nothing_left(run)


def test_chosen_subnet_and_address(netns, mirari, site, tmp_path):
    name = netns()
    run = Run(name, mirari, site, tmp_path, r"serving HTTP", args=["--ip-address=10.77.3.4"],
              env={"MIRARI_TAP_ADDRESS": "10.77.0.1/16"})
    try:
        addrs = subprocess.run(["ip", "-n", name, "-4", "addr", "show", TAP],
                               capture_output=True, text=True).stdout
        assert "inet 10.77.0.1/16" in addrs
        assert curl(name, "http://10.77.3.4:8080/").endswith(b"200")
    finally:
        assert run.uk.stop(signal.SIGINT) == 128 + signal.SIGINT
    assert_nothing_left(run)


def test_a_pre_created_tap_is_used_and_kept(netns, mirari, site, tmp_path):
    name = netns()
    subprocess.run(["ip", "-n", name, "tuntap", "add", "dev", "given0", "mode", "tap"],
                   check=True)
    subprocess.run(["ip", "-n", name, "addr", "add", "10.0.0.1/24", "dev", "given0"], check=True)
    subprocess.run(["ip", "-n", name, "link", "set", "given0", "up"], check=True)
    run = Run(name, mirari, site, tmp_path, r"serving HTTP", env={"MIRARI_TAP": "given0"})
    try:
        assert "network: tap given0" in run.text()
        assert not tap_exists(name)  # no mir0 of mirari's
        assert curl(name, "http://10.0.0.2:8080/").endswith(b"200")
    finally:
        assert run.uk.stop(signal.SIGINT) == 128 + signal.SIGINT
    assert tap_exists(name, "given0")  # the user's, left as it was


def test_unikernel_exiting_leaves_nothing(netns, mirari, tmp_path):
    """An app that returns once its interface is up (by DHCP): QEMU exits,
    mirari exits with the app's status, and cleans up."""
    app = tmp_path / "quit"
    app.mkdir()
    (app / "app.conf").write_text("main-ip: Quit.main\nip-use-dhcp: true\n")
    (app / "quit.c").write_text(
        "#include <stdio.h>\n#include <mirari/net.h>\n"
        "int quit_main(const mi_netif *nif);\n"
        "int quit_main(const mi_netif *nif)\n"
        "{\n    char b[MI_IPV4_STRLEN];\n"
        "    printf(\"up as %s\\n\", mi_ipv4_format(nif->address, b));\n    return 4;\n}\n")
    name = netns()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    r = ns(name, str(mirari), "run", "-t", "qemu", check=False, cwd=app, timeout=120,
           env=dict(os.environ, TMPDIR=str(tmp)))
    assert r.returncode == 4, r.stdout + r.stderr
    assert re.search(r"up as 10\.0\.0\.\d+", r.stdout), r.stdout
    assert "DHCP from dnsmasq" in r.stderr
    assert not tap_exists(name)
    assert list(tmp.iterdir()) == []


def test_ctrl_c_on_a_terminal(netns, mirari, dhcp_site, tmp_path):
    """Ctrl-C typed on mirari's terminal (a pty): QEMU, in mirari's process
    group, ends on it; dnsmasq, in a group of its own, is stopped by
    mirari; status 130."""
    name = netns()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    argv = ["ip", "netns", "exec", name, str(mirari), "run", "-t", "qemu"]
    with PtyRun(argv, cwd=dhcp_site, env={"TMPDIR": str(tmp)}) as term:
        term.wait_for(b"serving HTTP")
        kids = children(term.pid)
        assert sorted(c[:4] for c in kids.values()) == ["dnsm", "qemu"], kids
        status = term.ctrl_c()
    assert status == 130, term.text()
    for k in kids:
        assert not alive(k), f"{kids[k]} {k} is still running"
    assert not tap_exists(name)
    assert list(tmp.iterdir()) == []


def test_a_subnet_in_use_is_not_taken_twice(netns, mirari, site, tmp_path):
    """Another interface of the namespace has 10.0.0.0/24: asked for a tap,
    mirari refuses in one line; not asked, it takes the user-mode network."""
    name = netns()
    subprocess.run(["ip", "-n", name, "tuntap", "add", "dev", "other0", "mode", "tap"],
                   check=True)
    subprocess.run(["ip", "-n", name, "addr", "add", "10.0.0.77/24", "dev", "other0"],
                   check=True)
    r = ns(name, str(mirari), "run", "-t", "qemu", check=False, cwd=site, timeout=120,
           env=dict(os.environ, MIRARI_QEMU_NET="tap"))
    assert r.returncode == 1
    errors = [line for line in r.stderr.splitlines() if line.startswith("mirari:")]
    assert len(errors) == 1 and "already other0's" in errors[0] \
        and "MIRARI_TAP_ADDRESS" in errors[0], r.stderr
    assert not tap_exists(name)
    run = Run(name, mirari, site, tmp_path, r"serving HTTP",
              env={"MIRARI_QEMU_HTTP_PORT": "18081"})
    try:
        assert "user-mode network, not a tap (the tap's subnet is in use" in run.text()
        assert not tap_exists(name)
        assert curl(name, "http://127.0.0.1:18081/").endswith(b"200")
    finally:
        assert run.uk.stop(signal.SIGTERM) == 128 + signal.SIGTERM


def test_qemu_failing_to_start_leaves_nothing(netns, mirari, tmp_path):
    """QEMU cannot allocate 1 TiB of guest memory and exits at once, after
    mirari made the tap and started dnsmasq."""
    app = build_qemu(mirari, tmp_path, ["ip-use-dhcp: true", "memory: 1048576"])
    name = netns()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    before = set(os.listdir("/proc"))
    r = ns(name, str(mirari), "run", "-t", "qemu", check=False, cwd=app, timeout=120,
           env=dict(os.environ, TMPDIR=str(tmp)))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "QEMU failed to run" in r.stderr
    assert "network: tap mir0" in r.stderr  # it got as far as the network
    assert not tap_exists(name)
    assert list(tmp.iterdir()) == []
    for pid in set(os.listdir("/proc")) - before:
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        assert str(tmp).encode() not in cmd, cmd  # no dnsmasq of this run


def test_mirari_killed_takes_qemu_and_dnsmasq_along(netns, mirari, dhcp_site, tmp_path):
    """SIGKILL leaves mirari no chance to clean up: QEMU and dnsmasq end on
    their parent-death signal, and the tap goes with QEMU's fd. (Only
    dnsmasq's temporary directory stays: nobody is left to remove it.)"""
    name = netns()
    run = Run(name, mirari, dhcp_site, tmp_path, r"dhcp: lease of [\d.]+[\s\S]*serving HTTP")
    assert len(run.kids) == 2, run.kids
    run.uk.stop(signal.SIGKILL)
    for pid in run.kids:
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(pid), f"{run.kids[pid]} {pid} outlived mirari"
    assert not tap_exists(name)


def test_without_privileges_user_mode_network_in_one_line(netns, mirari, site, tmp_path):
    """Root without CAP_NET_ADMIN (as a user would be): the tap cannot be
    made, and the site is served through QEMU's user-mode network instead.
    (In a namespace of the test's own all the same.)"""
    name = netns()
    log = tmp_path / "run.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            ["ip", "netns", "exec", name, "setpriv", "--bounding-set=-net_admin", str(mirari),
             "run", "-t", "qemu"],
            cwd=site, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env=dict(os.environ, MIRARI_QEMU_HTTP_PORT="18080"))
    try:
        deadline = time.monotonic() + 120
        while "serving HTTP" not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        text = log.read_text()
        lines = [line for line in text.splitlines() if "user-mode network, not a tap" in line]
        assert len(lines) == 1 and "CAP_NET_ADMIN" in lines[0], text
        assert not tap_exists(name)
        assert curl(name, "http://127.0.0.1:18080/").endswith(b"200")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 128 + signal.SIGTERM
