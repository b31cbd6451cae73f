# SPDX-License-Identifier: ISC
"""platform/xen's devices beyond the machine, in the nested Xen lab
(tests/xen/lab.py):
  - the xenstore client: tests/qemu/xen_store.c reads its own domain id and
    name, lists its home and writes a key in a transaction;
  - the netfront: dom0 pings tests/qemu/net_ping.c (the platform's network
    calls alone, no TCP/IP stack) at 10.99.0.3, and pings and fetches
    static-website's index over HTTP from the example built by
    `mirari configure --xen` with a static address, 10.99.0.2, started from
    the NAME.xl the tool wrote.

The network is the lab's routed vif-lab: dom0's end of each vif has
10.99.0.1/32 and a host route to the vif's ip=; the guests are in
10.99.0.0/24, so dom0's address is on their link, and each answers dom0's
ARP for its own address.

One lab boot serves every check: dom0 starts the guests, runs the checks
with bounded waits, and prints the results and each guest's console with a
prefix."""

import base64
import re
import shutil
import sys

import pytest

from conftest import BUILD, REPO, copy_example

sys.path.insert(0, str(REPO / "tests" / "xen"))
import domains  # noqa: E402  (tests/xen is not a package)
import lab  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which(lab.QEMU) is None,
                                reason="qemu-system-x86_64 is not installed")

GUESTS = BUILD / "qemu"
WEB_IP, PING_IP = "10.99.0.2", "10.99.0.3"
INDEX = REPO / "examples" / "static-website" / "files" / "index.html"


DOMAINS = ["store", "pinged", "static-website"]

# Run in dom0 once the guests are created: bounded waits throughout.
CHECKS = """
echo "store-domid: $(xl domid store)"
# Until the guest answers (its netfront connects once the backend's
# hotplug script has run, slow on a loaded machine): at most 180 s.
up() {
    end=$(($(date +%s) + 180))
    until ping -c 1 -W 1 $1 >/dev/null 2>&1; do
        # By the clock: an unanswered ping may take longer than its -W.
        [ $(date +%s) -lt $end ] || return 1
    done
}
# What dom0 sees of a guest that does not answer: its vif's counters and
# netback's rings (lab-vifs), the neighbour entry, the backend's xenstore
# state, Xen's view of the guest's vCPU and event channels, and the
# kernels' messages.
diag() {
    {
        xl list
        lab-vifs
        ip neigh
        xenstore-ls -f /local/domain/0/backend/vif
        # q: each domain's vCPUs (blocked? upcall pending?), e: the
        # event channels (pending, masked) of every domain.
        xl debug-keys q
        xl debug-keys e
        xl dmesg | tail -n 200
        dmesg | tail -n 40
    } 2>&1 | sed "s/^/diag-$1: /"
}
for a in PING_IP WEB_IP; do
    s=1
    rm -f /tmp/ping
    if up $a; then ping -c 3 -W 5 $a > /tmp/ping 2>&1; s=$?; else diag $a; fi
    sed "s/^/ping-$a: /" /tmp/ping
    echo "ping-$a-status: $s"
done
ip -4 addr show | sed 's/^/dom0-addr: /'
ip route | sed 's/^/dom0-route: /'
# Neither -q nor -T: Debian 12's busybox wget crashes with either; the
# timeout bounds it.
timeout 30 wget -O /tmp/index.html http://WEB_IP:8080/ > /tmp/wget 2>&1
echo "wget-status: $?"
sed 's/^/wget: /' /tmp/wget
base64 /tmp/index.html | sed 's/^/index: /'
for d in pinged static-website; do xl destroy $d; done
""".replace("PING_IP", PING_IP).replace("WEB_IP", WEB_IP)


def build_website(mirari, tmp):
    d = copy_example("static-website", tmp / "static-website")
    _, image, xl = domains.build_xen(mirari, d, f"--ip-address={WEB_IP}",
                                     "--ip-netmask=255.255.255.0", "--ip-gateway=10.99.0.1")
    assert f"vif = [ 'ip={WEB_IP}' ]" in xl, xl
    return image, xl


@pytest.fixture(scope="module")
def xen(mirari, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("xen-net")
    image, xl = build_website(mirari, tmp)
    files = {
        "xen_store.pvh": GUESTS / "xen_store.pvh",
        "store.cfg": domains.config("store", "xen_store"),
        "net_ping.pvh": GUESTS / "net_ping.pvh",
        "pinged.cfg": domains.config("pinged", "net_ping", f"--ip={PING_IP} --seconds=300",
                                     extra=f"vif = [ 'ip={PING_IP}' ]\n"),
        image.name: image,
        "static-website.xl": xl.encode(),
    }
    xen_lab = lab.prepare(BUILD / "xen-lab")
    status, console = xen_lab.run(files, domains.script(DOMAINS, then=CHECKS), timeout=600,
                                  log=tmp / "console.log")
    assert status == 0, f"dom0 script failed (status {status}):\n{console[-6000:]}"
    out = domains.parse(console, DOMAINS)
    lines = domains.lines
    out["store-domid"] = "".join(lines(console, "store-domid: ")).strip()
    for a in (PING_IP, WEB_IP):
        out[f"ping-{a}"] = "\n".join(lines(console, f"ping-{a}: "))
        out[f"ping-{a}-status"] = "".join(lines(console, f"ping-{a}-status: "))
        out[f"diag-{a}"] = "\n".join(lines(console, f"diag-{a}: "))
    out["wget-status"] = "".join(lines(console, "wget-status: "))
    out["wget"] = "\n".join(lines(console, "wget: "))
    out["index"] = base64.b64decode("".join(lines(console, "index: ")))
    out["dom0"] = "\n".join(lines(console, "dom0-addr: ") + lines(console, "dom0-route: "))
    return out


def test_xenstore_reads_own_name_and_id(xen):
    out = xen["store"]
    assert f"xenstore: domid {xen['store-domid']} name store" in out, out
    # The home lists the keys the toolstack wrote (name, domid, device...).
    assert "xenstore: home has" in out and " name" in out, out
    assert "xenstore: read back [written in a transaction]" in out, out
    assert "s" in xen["list"]["store"] and "c" not in xen["list"]["store"], xen["list"]


def test_routed_vif_setup(xen):
    # vif-lab gave dom0's end of each vif 10.99.0.1/32 and a host route to
    # the vif's ip=.
    assert "inet 10.99.0.1/32" in xen["dom0"], xen["dom0"]
    for a in (PING_IP, WEB_IP):
        assert re.search(rf"^{re.escape(a)} dev vif\d+\.0 .*src 10\.99\.0\.1", xen["dom0"],
                         re.M), xen["dom0"]


@pytest.mark.parametrize("guest", ["pinged", "static-website"])
def test_netfront_connects(xen, guest):
    assert re.search(r"mirari: netfront device/vif/0 \(backend /local/domain/0/backend/vif/"
                     r"\d+/0\), mac 00:16:3e", xen[guest]), xen[guest]


@pytest.mark.parametrize("addr", [PING_IP, WEB_IP])
def test_dom0_pings_the_guest(xen, addr):
    out = xen[f"ping-{addr}"]
    guest = "pinged" if addr == PING_IP else "static-website"
    assert xen[f"ping-{addr}-status"] == "0", \
        f"{out}\n--- guest:\n{xen[guest]}\n--- dom0:\n{xen[f'diag-{addr}']}"
    assert "3 packets transmitted, 3 packets received" in out, out


def test_http_index_byte_for_byte(xen):
    assert xen["wget-status"] == "0", (xen["wget"], xen["static-website"])
    assert xen["index"] == INDEX.read_bytes()
