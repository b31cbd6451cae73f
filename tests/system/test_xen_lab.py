# SPDX-License-Identifier: ISC
"""The nested Xen lab (tests/xen/lab.py): Debian's Xen and a Linux PV dom0
booted by QEMU under TCG, where dom0 runs `xl create` of a tiny PVH guest
(tests/xen/guest_e9.S), then `xl list`, `xl dmesg` and `xl destroy`. This is
the path `mirari run --xen` will take, checked here with a guest that only
writes a line to Xen's debug port 0xE9 and crashes on purpose; its vif
(never connected: the guest has no netfront) checks that dom0's network
backend and hotplug script are in place for the netfront to come.

The Debian packages are fetched once into $MIRARI_BUILD/xen-lab/ (the only
thing kept between runs); the guest is assembled afresh in the test's
temporary directory. The test takes about 20 s on a 2-core TCG machine."""

import shutil
import sys
import time

import pytest

from conftest import BUILD, REPO

sys.path.insert(0, str(REPO / "tests" / "xen"))
import lab  # noqa: E402  (tests/xen is not a package)

pytestmark = pytest.mark.skipif(shutil.which(lab.QEMU) is None,
                                reason="qemu-system-x86_64 is not installed")

GUEST_CFG = """name = "e9"
type = "pvh"
kernel = "/lab/guest_e9.elf"
memory = 32
on_crash = "preserve"
vif = [ "ip=10.99.0.2" ]
"""

# Run by dom0's /init in /lab once xenstored and xenconsoled are up. Each
# result line carries a prefix, so the test tells dom0's output from what
# Xen prints on the same serial line (Xen also echoes the guest's 0xE9
# line there: only the copy read back through `xl dmesg` counts).
SCRIPT = """
xl create e9.cfg || exit 10
n=0
# The guest crashes within milliseconds of starting; poll for at most 10 s.
until xl list | awk '$1 == "e9" { print $5 }' | grep -q c; do
    n=$((n + 1))
    [ $n -le 40 ] || break
    sleep 0.25
done
xl list | sed 's/^/xl-list: /'
xl dmesg | grep -a 'mirari-xen-lab' | sed 's/^/xl-dmesg: /'
ip -o addr show | sed 's/^/dom0-addr: /'
ip route | sed 's/^/dom0-route: /'
xl destroy e9 || exit 11
xl list | sed 's/^/xl-list-after: /'
"""


def lines(console, prefix):
    return [ln[len(prefix):] for ln in console.splitlines() if ln.startswith(prefix)]


def test_xl_create_pvh_guest(tmp_path):
    t0 = time.monotonic()
    xen = lab.prepare(BUILD / "xen-lab")
    t_prepare = time.monotonic() - t0
    guest = lab.build_e9_guest(tmp_path)
    status, console = xen.run({"guest_e9.elf": guest, "e9.cfg": GUEST_CFG.encode()}, SCRIPT,
                              timeout=90, log=tmp_path / "console.log")
    print(f"prepare {t_prepare:.1f} s, dom0 ready {xen.timing.get('ready', 0):.1f} s, "
          f"boot to power-off {xen.timing['total']:.1f} s")
    assert status == 0, f"dom0 script failed (status {status}):\n{console[-6000:]}"

    # Created, and crashed on purpose (state flag 'c'), kept by on_crash.
    listed = [ln.split() for ln in lines(console, "xl-list: ")]
    e9 = [f for f in listed if f and f[0] == "e9"]
    assert e9, f"e9 not in xl list:\n{console[-6000:]}"
    assert "c" in e9[0][4], f"e9 did not end crashed: {e9[0]}"

    # The guest's 0xE9 line, as Xen logged it for that domain.
    domid = e9[0][1]
    assert f"(d{domid}) mirari-xen-lab: hello from domU" in lines(console, "xl-dmesg: "), \
        console[-6000:]

    # The vif's backend (xen-netback) and lab.py's routed hotplug script:
    # dom0's end of the vif is up with 10.99.0.1 and routes the guest's
    # address, ready for a netfront to connect.
    vif = f"vif{domid}.0"
    addrs = lines(console, "dom0-addr: ")
    assert any(f" {vif} " in a and "inet 10.99.0.1/32" in a for a in addrs), addrs
    assert f"10.99.0.2 dev {vif} scope link  src 10.99.0.1 " in lines(console, "dom0-route: ")

    # Destroyed: only dom0 is left.
    after = [ln.split()[0] for ln in lines(console, "xl-list-after: ")]
    assert after == ["Name", "Domain-0"], after
