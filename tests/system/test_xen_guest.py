# SPDX-License-Identifier: ISC
"""mirari's PVH kernel as a Xen PVH domU, in the nested Xen lab
(tests/xen/lab.py): the guest programs of tests/qemu/ (built into
$MIRARI_BUILD/qemu/ by `make tests`), unchanged images, booted with
`xl create`. The kernel finds Xen through CPUID and uses its interfaces
instead of the PC devices a PVH domU lacks (platform/xen): the PV console
ring, pvclock and shared_info's wall clock, the one-shot timer and event
upcall for sleeping, SCHEDOP_shutdown for exit.

One lab boot serves every guest (the boot is most of the time: about 12 s
to dom0's prompt, then 1-2 s per guest). dom0 restarts xenconsoled with
--log=guest so each guest's console is kept in a file, read back here; one
guest is also run the interactive way, `xl create -c`, whose output is what
a user sees. Domains whose exit is preserved (on_poweroff and on_crash
"preserve") stay in `xl list` with their state: 's' for shut down, 'c'
for crashed."""

import re
import shutil
import sys
import time

import pytest

from conftest import BUILD, REPO

sys.path.insert(0, str(REPO / "tests" / "xen"))
import domains  # noqa: E402  (tests/xen is not a package)
import lab  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which(lab.QEMU) is None,
                                reason="qemu-system-x86_64 is not installed")

GUESTS = BUILD / "qemu"

# name: (image, boot arguments); all preserved on power-off and crash.
DOMAINS = {
    "hello": ("hello", ""),
    "hello3": ("hello", "3"),
    "crash": ("crash", ""),
    "sleep": ("sleep", ""),
    "idle": ("sleep", "1500"),
    "libc": ("libc_test", ""),
}


@pytest.fixture(scope="module")
def xen(tmp_path_factory):
    """One lab run of every domain: {"list": {name: state}, name: output}."""
    tmp = tmp_path_factory.mktemp("xen-guest")
    xen_lab = lab.prepare(BUILD / "xen-lab")
    files = {f"{img}.pvh": GUESTS / f"{img}.pvh" for img, _ in DOMAINS.values()}
    files.update({f"{d}.cfg": domains.config(d, img, args)
                  for d, (img, args) in DOMAINS.items()})
    files["interactive.cfg"] = domains.config("interactive", "hello", "", on_poweroff="destroy")
    t0 = time.time()
    status, console = xen_lab.run(files, domains.script(DOMAINS, interactive="interactive"),
                                  timeout=300, log=tmp / "console.log")
    out = domains.parse(console, DOMAINS, interactive="interactive")
    print(f"dom0 ready {xen_lab.timing.get('ready', 0):.1f} s, "
          f"boot to power-off {xen_lab.timing['total']:.1f} s, "
          f"{len(DOMAINS) + 1} guests in {out['seconds']} s")
    print(out["list"])
    assert status == 0, f"dom0 script failed (status {status}):\n{console[-6000:]}"
    out["host-time"] = t0
    return out


def test_console_and_poweroff(xen):
    # exit(0): the console ring carried the output, and the domain shut
    # down as a power-off (preserved: 's', not crashed).
    assert "hello from hello" in xen["hello"], xen["hello"]
    assert "s" in xen["list"]["hello"] and "c" not in xen["list"]["hello"], xen["list"]


def test_interactive_console(xen):
    # `xl create -c`: the output reached xl's console, and the power-off
    # destroyed the domain.
    assert "hello from hello" in xen["interactive"], xen["interactive"]
    assert "interactive" not in xen["list"], xen["list"]


def test_nonzero_exit_is_a_crash(xen):
    # xl carries no exit status: a non-zero exit ends the domain through
    # on_crash, with the status on the console.
    assert "hello from hello" in xen["hello3"]
    assert "mirari: exit status 3" in xen["hello3"], xen["hello3"]
    assert "c" in xen["list"]["hello3"], xen["list"]


def test_fault_is_a_crash(xen):
    out = xen["crash"]
    assert "about to crash" in out and "still alive" not in out
    assert "unhandled exception 14 (#PF page fault)" in out, out
    assert "NULL pointer dereference" in out
    frames = re.findall(r"#\d+ 0x[0-9a-f]+ <(\w+)\+0x[0-9a-f]+>", out)
    assert frames[:3] == ["write_through", "crash_inner", "main"], out
    assert "c" in xen["list"]["crash"], xen["list"]


def test_clocks_and_timer(xen):
    # A 200 ms sleep woken by Xen's one-shot timer, measured on pvclock:
    # never early, and not absurdly late even under nested TCG.
    m = re.search(r"slept (\d+) us", xen["sleep"])
    assert m, xen["sleep"]
    assert 200_000 <= int(m.group(1)) < 5_000_000, m.group(0)
    # The wall clock (shared_info's, from the emulated RTC Xen read at its
    # boot) is the host's time, give or take the lab's run.
    wall = int(re.search(r"wall clock (\d+) s", xen["sleep"]).group(1))
    assert abs(wall - xen["host-time"]) < 600, (wall, xen["host-time"])
    assert "s" in xen["list"]["sleep"] and "c" not in xen["list"]["sleep"]


def test_idle_blocks(xen):
    # A 1.5 s sleep blocks the vCPU (hlt with interrupts on is Xen's
    # SCHEDOP_block) instead of spinning: the domain's CPU time (xl list,
    # 0.1 s resolution) stays far below the time slept. Boot and exit
    # cost about 0.1 s of it under nested TCG.
    m = re.search(r"slept (\d+) us", xen["idle"])
    assert m and int(m.group(1)) >= 1_500_000, xen["idle"]
    assert float(xen["cpu"]["idle"]) < 0.7, xen["cpu"]


def test_libc(xen):
    out = xen["libc"]
    assert "0 checks failed" in out, out
    assert "FAIL" not in out
    assert len(re.findall(r"^ok ", out, re.M)) >= 20
    assert "s" in xen["list"]["libc"] and "c" not in xen["list"]["libc"], xen["list"]
