# SPDX-License-Identifier: ISC
"""examples/static-website on the qemu target against a Linux guest serving
the same files under the same QEMU (TCG here: no usable KVM).

  guest      Debian's kernel (linux-image-amd64, fetched with `apt-get
             download` and unpacked with `dpkg-deb -x` into
             build/cache/qemu-linux/, never committed) with a busybox-static
             initramfs this script builds with busybox's own cpio: /init
             loads the virtio modules in dependency order, sets 10.0.2.15
             and runs `busybox httpd` on the site's files.
  QEMU       the same for both: -M pc, -accel tcg -cpu max, -m 128 (the
             Linux guest needs ~96 MiB to unpack itself), -nodefaults, the
             console on the serial port, virtio-net-pci on QEMU's user-mode
             network with a host forward to port 8080. Only -kernel,
             -initrd and -append differ (mirari's with tsc-khz=, as
             `mirari run` passes it).
  requests   wrk -t1 -c10 for DURATION s on a 1 KiB and a 1 MiB file,
             ROUNDS alternating rounds (one boot of each guest per round),
             medians. busybox httpd forks per connection and closes it
             after one response (Connection: close); mirari keeps it.
  boot       QEMU start to the first HTTP 200 (GET /1k.bin), from the
             same boots, median.
  size       the .pvh as built and stripped vs vmlinuz + initramfs; both
             carry the same site (the example's files + 1k.bin + 1m.bin).
  bulk       (as root; issue 12, bench 3c) a 16 MiB download by curl over
             a tap in a namespace this script makes, QEMU's virtio-net on
             it with virtio-net headers (vnet_hdr=on), so each guest gets
             the offloads its driver asks for (checksum, TSO4 both ways,
             mergeable rx buffers): the throughput a user gets on a bridge
             or tap rather than the user-mode network. Both guests are
             built again with the 16 MiB file added, boot once per round,
             alternating; MB/s median of BULK_FETCHES fetches per boot.
             Download only: busybox httpd takes no upload a client could
             time without a CGI of its own, so no like-for-like.

usage: bench/qemu_linux.py BUILD_DIR   (BUILD_DIR holds bin/mirari)
env:   ROUNDS (3), DURATION seconds per wrk run (5), BULK (1; 0 skips it),
       BULK_FETCHES (3)
"""

import os
import re
import shutil
import socket
import stat
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bulk import BIG, download, http_ok, ns_exec, tap_ns, wait_until

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "build" / "cache" / "qemu-linux"
ROUNDS = int(os.environ.get("ROUNDS", "3"))
DURATION = int(os.environ.get("DURATION", "5"))
BULK = os.environ.get("BULK", "1") != "0"
BULK_FETCHES = int(os.environ.get("BULK_FETCHES", "3"))
QEMU = shutil.which("qemu-system-x86_64")
BUSYBOX = "/bin/busybox"  # busybox-static: the initramfs has no libc
MEMORY = 128
PORT = 8080  # inside both guests
# Dependency order: nothing loads them for us (no modprobe in the guest).
MODULES = ["virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev",
           "virtio_pci", "failover", "net_failover", "virtio_net"]
GUEST_NET = "--ip-address=10.0.2.15 --ip-netmask=255.255.255.0 --ip-gateway=10.0.2.2"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def host_tsc_khz():
    """The host TSC rate, as tool/run_qemu.c measures it (from the host
    kernel's calibration here: Python has no rdtsc)."""
    out = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
    m = re.findall(r"tsc: Refined TSC clocksource calibration: ([\d.]+) MHz", out) or \
        re.findall(r"tsc: Detected ([\d.]+) MHz", out)
    return int(float(m[-1]) * 1000) if m else None


def fetch_kernel():
    """vmlinuz and the virtio modules of Debian's current kernel, in the
    cache (downloaded once; only what the guest needs is kept)."""
    dep = subprocess.run(["apt-cache", "depends", "linux-image-amd64"], capture_output=True,
                         text=True).stdout
    m = re.search(r"Depends: (linux-image-\S+)", dep)
    if not m:
        sys.exit("bench/qemu_linux.py: apt-cache knows no linux-image-amd64 (apt-get update?)")
    pkg = m.group(1)
    kdir = CACHE / pkg
    if (kdir / "vmlinuz").is_file() and all((kdir / f"{n}.ko").is_file() for n in MODULES):
        return kdir
    work = CACHE / "download"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    r = subprocess.run(["apt-get", "download", pkg], cwd=work, capture_output=True, text=True)
    debs = list(work.glob(f"{pkg}_*.deb"))
    if r.returncode != 0 or not debs:
        sys.exit(f"bench/qemu_linux.py: apt-get download {pkg} failed:\n{r.stderr}")
    subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(work / "root")], check=True)
    kdir.mkdir(parents=True, exist_ok=True)
    shutil.copy(next((work / "root/boot").glob("vmlinuz-*")), kdir / "vmlinuz")
    for n in MODULES:
        ko = next((work / "root/lib/modules").glob(f"*/kernel/**/{n}.ko"))
        shutil.copy(ko, kdir / f"{n}.ko")
    shutil.rmtree(work)
    return kdir


INIT = """#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
for m in {modules}; do /bin/busybox insmod /lib/modules/$m.ko || echo "insmod $m failed"; done
/bin/busybox ip link set lo up
/bin/busybox ip addr add 10.0.2.15/24 dev eth0
/bin/busybox ip link set eth0 up
/bin/busybox ip route add default via 10.0.2.2
echo "httpd on port {port}"
exec /bin/busybox httpd -f -p {port} -h /www
"""


def make_initramfs(kdir, site_files, out):
    """busybox, /init, the modules and the site, as a gzipped newc cpio
    made by busybox's cpio."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        for d in ("bin", "dev", "proc", "sys", "lib/modules"):
            (root / d).mkdir(parents=True)
        shutil.copy(BUSYBOX, root / "bin/busybox")
        (root / "bin/sh").symlink_to("busybox")
        os.mknod(root / "dev/console", stat.S_IFCHR | 0o600, os.makedev(5, 1))
        for n in MODULES:
            shutil.copy(kdir / f"{n}.ko", root / "lib/modules")
        shutil.copytree(site_files, root / "www")
        init = root / "init"
        init.write_text(INIT.format(modules=" ".join(MODULES), port=PORT))
        init.chmod(0o755)
        names = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
        cpio = Path(tmp) / "initramfs.cpio"
        with open(cpio, "wb") as f:
            subprocess.run([BUSYBOX, "cpio", "-o", "-H", "newc"], cwd=root, check=True,
                           input="\n".join(names).encode() + b"\n", stdout=f,
                           stderr=subprocess.DEVNULL)
        with open(out, "wb") as f:
            subprocess.run([BUSYBOX, "gzip", "-9", "-c", str(cpio)], check=True, stdout=f)


def make_site(tmp, mirari, big=False):
    """The example with the two benchmark files (and with big, the 16 MiB
    one), built for qemu."""
    site = tmp / ("static-website-big" if big else "static-website")
    shutil.copytree(REPO / "examples" / "static-website", site,
                    ignore=shutil.ignore_patterns("_build", "mir-*"))
    (site / "files" / "1k.bin").write_bytes(os.urandom(1024))
    (site / "files" / "1m.bin").write_bytes(os.urandom(1024 * 1024))
    if big:
        (site / "files" / "16m.bin").write_bytes(os.urandom(BIG))
    r = subprocess.run([str(mirari), "-q", "build", "-t", "qemu"], cwd=site, capture_output=True,
                       text=True)
    if r.returncode != 0:
        sys.exit(f"building static-website for qemu failed:\n{r.stdout}{r.stderr}")
    return site, next(site.glob("mir-*.pvh"))


def qemu_cmd(port, boot, netdev=None, memory=MEMORY):
    netdev = netdev or f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:{PORT}"
    return [QEMU, "-M", "pc", "-accel", "tcg", "-cpu", "max", "-m", str(memory),
            "-nodefaults", "-no-user-config", "-no-reboot", "-display", "none",
            "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-netdev", netdev, "-device", "virtio-net-pci,netdev=n0", *boot]


def http_status(port, path="/1k.bin"):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(f"GET {path} HTTP/1.0\r\nHost: bench\r\n\r\n".encode())
            head = s.recv(64)
    except OSError:
        return None
    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return int(m.group(1)) if m else None


class Guest:
    """One boot: QEMU started, then the time to the first HTTP 200."""

    def __init__(self, boot, log):
        self.port = free_port()
        t0 = time.monotonic()
        self.proc = subprocess.Popen(qemu_cmd(self.port, boot), stdout=open(log, "wb"),
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.boot_s = None
        while time.monotonic() - t0 < 60 and self.proc.poll() is None:
            if http_status(self.port) == 200:
                self.boot_s = time.monotonic() - t0
                break
            time.sleep(0.005)

    def stop(self):
        self.proc.kill()
        self.proc.wait()


UNITS = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}


def wrk(port, path):
    """requests/s and bytes/s of wrk -t1 -c10, and any errors it saw."""
    # A 1 MiB response through QEMU's user-mode network can take longer
    # than wrk's default 2 s timeout; count it, not drop it.
    out = subprocess.run(["wrk", "-t1", "-c10", f"-d{DURATION}s", "--timeout", "20s",
                          f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, timeout=DURATION + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    tps = re.search(r"Transfer/sec:\s+([\d.]+)(B|KB|MB|GB)", out)
    errs = [m.group(0) for m in (re.search(r"Socket errors: .*", out),
                                 re.search(r"Non-2xx or 3xx responses: \d+", out)) if m]
    if not rps:
        return None, None, [out.strip() or "wrk printed nothing"]
    return float(rps.group(1)), float(tps.group(1)) * UNITS[tps.group(2)] if tps else None, errs


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def guest_args(pvh, kdir, initrd, khz):
    return {
        "mirari": ["-kernel", str(pvh), "-append",
                   f"{GUEST_NET} --http-port={PORT} --log-level=warn"
                   + (f" tsc-khz={khz}" if khz else "")],
        "linux": ["-kernel", str(kdir / "vmlinuz"), "-initrd", str(initrd), "-append",
                  "console=ttyS0 quiet panic=-1"],
    }


def bulk(tmp, mirari, kdir, khz):
    """16 MiB downloads over a tap with virtio-net headers: {guest: [MB/s]}
    and notes. The Linux guest unpacks the file into its initramfs, so
    both get 256 MiB."""
    site, pvh = make_site(tmp, mirari, big=True)
    initrd = tmp / "initramfs-big.gz"
    make_initramfs(kdir, site / "files", initrd)
    guests = guest_args(pvh, kdir, initrd, khz)
    ns = f"mqb-{uuid.uuid4().hex[:8]}"
    speeds = {g: [] for g in guests}
    notes = []
    url = f"http://10.0.2.15:{PORT}/16m.bin"
    try:
        tap_ns(ns)
        ns_exec(ns, "ip", "addr", "add", "10.0.2.2/24", "dev", "mt0")
        netdev = "tap,id=n0,ifname=mt0,script=no,downscript=no,vnet_hdr=on"
        for r in range(ROUNDS):
            for g in (list(guests) if r % 2 == 0 else list(reversed(guests))):
                log = tmp / f"bulk-{g}-{r}.log"
                proc = subprocess.Popen(["ip", "netns", "exec", ns,
                                         *qemu_cmd(None, guests[g], netdev, memory=256)],
                                        stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
                proc.log = log
                try:
                    wait_until(lambda: http_ok(ns, f"http://10.0.2.15:{PORT}/1k.bin"), proc,
                               f"{g} guest", timeout=90)
                    speeds[g] += [download(ns, url) for _ in range(BULK_FETCHES)]
                except (RuntimeError, AssertionError, subprocess.CalledProcessError) as e:
                    notes.append(f"bulk {g} round {r}: {str(e)[-400:]}")
                finally:
                    proc.kill()
                    proc.wait()
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)
    return speeds, notes


def stripped_size(path):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s"
        subprocess.run(["strip", "-s", "-o", str(out), str(path)], check=True)
        return out.stat().st_size


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    mirari = Path(sys.argv[1]).resolve() / "bin" / "mirari"
    for tool, pkg in ((QEMU, "qemu-system-x86"), (shutil.which("wrk"), "wrk"),
                      (BUSYBOX if Path(BUSYBOX).is_file() else None, "busybox-static")):
        if tool is None:
            print(f"{pkg} is not installed: skipped (scripts/install-deps --bench)")
            return
    if b"INTERP" in subprocess.run(["readelf", "-lW", BUSYBOX], capture_output=True).stdout:
        print(f"{BUSYBOX} is not statically linked: install busybox-static; skipped")
        return
    kdir = fetch_kernel()
    khz = host_tsc_khz()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site, pvh = make_site(tmp, mirari)
        initrd = tmp / "initramfs.gz"
        make_initramfs(kdir, site / "files", initrd)
        pvh_size, pvh_stripped = pvh.stat().st_size, stripped_size(pvh)
        initrd_size = initrd.stat().st_size
        guests = guest_args(pvh, kdir, initrd, khz)
        load0 = os.getloadavg()[0]
        boots = {g: [] for g in guests}
        runs = {(g, f): [] for g in guests for f in ("1k", "1m")}
        notes = []
        for r in range(ROUNDS):
            order = list(guests) if r % 2 == 0 else list(reversed(guests))
            for g in order:
                guest = Guest(guests[g], tmp / f"{g}-{r}.log")
                try:
                    boots[g].append(guest.boot_s)
                    if guest.boot_s is None:
                        notes.append(f"{g} round {r}: no HTTP 200 within 60 s: "
                                     + (tmp / f"{g}-{r}.log").read_text(errors="replace")[-400:])
                        continue
                    for f in ("1k", "1m"):
                        rps, bps, errs = wrk(guest.port, f"/{f}.bin")
                        runs[(g, f)].append((rps, bps))
                        if errs:
                            notes.append(f"{g} {f} round {r}: {'; '.join(errs)}")
                finally:
                    guest.stop()
        speeds = None
        if BULK and os.geteuid() == 0:
            speeds, bulk_notes = bulk(tmp, mirari, kdir, khz)
            notes += bulk_notes

    version = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout.split()
    print(f"QEMU {version[3] if len(version) > 3 else '?'} -M pc -accel tcg -m {MEMORY}, "
          f"virtio-net-pci on the user-mode network; Linux: {kdir.name} + busybox httpd")
    print(f"wrk -t1 -c10, {ROUNDS} alternating rounds of {DURATION} s, medians "
          f"(host load average {load0:.1f} before, {os.getloadavg()[0]:.1f} after, "
          f"{os.cpu_count()} CPUs)")
    print("  %-10s %14s %14s %8s" % ("file", "mirari", "linux", "mirari/linux"))
    for f in ("1k", "1m"):
        m_rps = median([x[0] for x in runs[("mirari", f)]])
        l_rps = median([x[0] for x in runs[("linux", f)]])
        print("  %-10s %10s r/s %10s r/s %8s" % (f"{f}.bin", f"{m_rps:.0f}" if m_rps else "-",
                                                 f"{l_rps:.0f}" if l_rps else "-",
                                                 ratio(m_rps, l_rps)))
        if f == "1m":
            m_b = median([x[1] for x in runs[("mirari", f)]])
            l_b = median([x[1] for x in runs[("linux", f)]])
            print("  %-10s %8s MiB/s %8s MiB/s %8s" % ("", f"{m_b / (1 << 20):.1f}" if m_b else "-",
                                                        f"{l_b / (1 << 20):.1f}" if l_b else "-",
                                                        ratio(m_b, l_b)))
    mb, lb = median(boots["mirari"]), median(boots["linux"])
    print(f"\nQEMU start to first HTTP 200, median of {ROUNDS}")
    print("  mirari %8s   linux %8s   linux/mirari %s" % (
        f"{mb * 1000:.0f} ms" if mb else "-", f"{lb * 1000:.0f} ms" if lb else "-", ratio(lb, mb)))
    print("  all boots: " + ", ".join(f"{g} " + " ".join("-" if b is None else f"{b:.2f}"
                                                         for b in boots[g]) for g in boots))
    site_bytes = sum(p.stat().st_size for p in (REPO / "examples/static-website/files").rglob("*")
                     if p.is_file()) + 1024 + (1 << 20)
    vmlinuz = (kdir / "vmlinuz").stat().st_size
    print(f"\nimage sizes (bytes; both carry the site's {site_bytes} bytes of files)")
    print(f"  mirari .pvh          {pvh_size:>10}  (stripped {pvh_stripped})")
    print(f"  linux vmlinuz        {vmlinuz:>10}")
    print(f"        initramfs.gz   {initrd_size:>10}")
    print(f"        together       {vmlinuz + initrd_size:>10}  "
          f"({ratio(vmlinuz + initrd_size, pvh_size)} x the .pvh)")
    if speeds is not None:
        ms, ls = median(speeds["mirari"]), median(speeds["linux"])
        print(f"\nbulk: 16 MiB download over a tap with virtio-net offloads (-m 256), "
              f"median of {len(speeds['mirari'])}/{len(speeds['linux'])} fetches")
        print("  mirari %8s   linux %8s   mirari/linux %s" % (
            f"{ms:.1f} MB/s" if ms else "-", f"{ls:.1f} MB/s" if ls else "-", ratio(ms, ls)))
    elif BULK:
        print("\nbulk: skipped (needs root for the tap and its namespace)")
    for n in notes:
        print(f"  note: {n}")


if __name__ == "__main__":
    main()
