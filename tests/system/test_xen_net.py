# SPDX-License-Identifier: ISC
"""platform/xen's devices beyond the machine, in the nested Xen lab
(tests/xen/lab.py): the xenstore client (tests/qemu/xen_store.c reads its
own domain id and name, lists its home and writes a key in a transaction),
with per-port event dispatch waking it.

One lab boot serves every check: dom0 starts the guests, waits (bounded)
for them, and prints each guest's console with a prefix."""

import shutil
import sys

import pytest

from conftest import BUILD, REPO

sys.path.insert(0, str(REPO / "tests" / "xen"))
import lab  # noqa: E402  (tests/xen is not a package)

pytestmark = pytest.mark.skipif(shutil.which(lab.QEMU) is None,
                                reason="qemu-system-x86_64 is not installed")

GUESTS = BUILD / "qemu"


def config(name, image, args="", extra=""):
    return (f'name = "{name}"\ntype = "pvh"\nkernel = "/lab/{image}.pvh"\n'
            f'cmdline = "{args}"\nmemory = 32\n'
            f'on_poweroff = "preserve"\non_crash = "preserve"\n{extra}').encode()


SCRIPT = """
kill $(cat /run/xenconsoled.pid)
mkdir -p /tmp/console
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/tmp/console || exit 20
xl create store.cfg >/dev/null 2>&1 || { echo "xl create store failed"; exit 10; }
n=0
while xl list | awk 'NR > 2 && $5 !~ /[sc]/ { busy = 1 } END { exit !busy }'; do
    n=$((n + 1))
    [ $n -le 120 ] || break
    sleep 0.25
done
xl list | sed 's/^/xl-list: /'
echo "store-domid: $(xl domid store)"
for d in store; do
    tr -d '\\r' < /tmp/console/guest-$d.log | sed "s/^/log-$d: /"
done
"""


def lines(console, prefix):
    return [ln[len(prefix):] for ln in console.splitlines() if ln.startswith(prefix)]


@pytest.fixture(scope="module")
def xen(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("xen-net")
    xen_lab = lab.prepare(BUILD / "xen-lab")
    files = {"xen_store.pvh": GUESTS / "xen_store.pvh", "store.cfg": config("store", "xen_store")}
    status, console = xen_lab.run(files, SCRIPT, timeout=120, log=tmp / "console.log")
    assert status == 0, f"dom0 script failed (status {status}):\n{console[-6000:]}"
    out = {d: "\n".join(lines(console, f"log-{d}: ")) for d in ("store",)}
    listed = [f for f in map(str.split, lines(console, "xl-list: ")) if len(f) > 5]
    out["list"] = {f[0]: f[4] for f in listed}
    out["store-domid"] = "".join(lines(console, "store-domid: ")).strip()
    return out


def test_xenstore_reads_own_name_and_id(xen):
    out = xen["store"]
    assert f"xenstore: domid {xen['store-domid']} name store" in out, out
    # The home lists the keys the toolstack wrote (name, domid, device...).
    assert "xenstore: home has" in out and " name" in out, out
    assert "xenstore: read back [written in a transaction]" in out, out
    assert "s" in xen["list"]["store"] and "c" not in xen["list"]["store"], xen["list"]
