# SPDX-License-Identifier: ISC
"""Disk images (`mirari image`) against the -kernel path, in one run.

  size    examples/static-website's disk: the raw file's length and what it
          occupies (it is sparse), qcow2, GCE's archive; next to the kernel.
  boot    QEMU start to the first HTTP 200 (user-mode network with a host
          forward, address by DHCP in all three) for the disk under SeaBIOS
          from virtio-blk, the disk under OVMF from NVMe, and the PVH kernel
          given to -kernel: the ratios say what the firmware and GRUB add.
          The three alternate within each round; medians of RUNS rounds.

usage: bench/image.py BUILD_DIR   (BUILD_DIR holds bin/mirari)
env:   RUNS (5) rounds
"""

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("RUNS", "5"))
QEMU = shutil.which("qemu-system-x86_64")
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_of(port):
    """The status of GET / on the port, or None. (Raw HTTP: bench/http.py
    would shadow Python's http package here.) A short timeout: QEMU's
    user network accepts the connection before the guest is up, and a
    long wait would round every boot time up to it."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.25) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            head = s.recv(64)
    except OSError:
        return None
    parts = head.split(b" ", 2)
    return int(parts[1]) if len(parts) > 2 and parts[0].startswith(b"HTTP/") else None


def first_200(argv, port, timeout=300):
    """Seconds from QEMU's start to the first 200 on the forwarded port."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL)
    try:
        while time.monotonic() - t0 < timeout:
            if status_of(port) == 200:
                return time.monotonic() - t0
            time.sleep(0.02)
        raise RuntimeError(f"no 200 after {timeout} s: {' '.join(argv)}")
    finally:
        p.kill()
        p.wait()


def qemu_argv(how, app, tmp, port):
    argv = [QEMU, "-M", "pc", "-m", "256", "-nodefaults", "-display", "none",
            "-serial", "null", "-no-reboot",
            "-nic", f"user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:{port}-:8080"]
    disk = app / "static-website.img"
    if how == "kernel":
        return argv + ["-kernel", str(app / "mir-static-website.pvh"),
                       "-append", "--ip-use-dhcp=true"]
    if how == "bios":
        return argv + ["-drive", f"file={disk},format=raw,if=virtio,snapshot=on"]
    vars_copy = tmp / "vars.fd"
    shutil.copy(OVMF_VARS, vars_copy)
    return argv + ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                   "-drive", f"if=pflash,format=raw,file={vars_copy}",
                   "-drive", f"file={disk},format=raw,if=none,id=d0,snapshot=on",
                   "-device", "nvme,drive=d0,serial=bench,bootindex=0"]


def mib(n):
    return f"{n / (1 << 20):7.2f} MiB"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    mirari = Path(sys.argv[1]).resolve() / "bin" / "mirari"
    if not QEMU or not OVMF_CODE.exists() or not shutil.which("grub-mkimage"):
        print("  skipped: needs qemu-system-x86, ovmf and the image tools "
              "(scripts/install-deps --image)")
        return
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        app = tmp / "static-website"
        shutil.copytree(REPO / "examples/static-website", app,
                        ignore=shutil.ignore_patterns("_build", "mir-*", "*.img"))
        for fmt in ("raw", "qcow2", "gce"):
            subprocess.run([str(mirari), "image", "-q", "-t", "qemu", f"--format={fmt}"],
                           cwd=app, check=True)
        kernel = app / "mir-static-website.pvh"
        raw = app / "static-website.img"
        print(f"  size   kernel (PVH + Multiboot2)      {mib(kernel.stat().st_size)}")
        print(f"         raw disk: length               {mib(raw.stat().st_size)}"
              f"   occupied {mib(raw.stat().st_blocks * 512)}")
        print(f"         qcow2                          "
              f"{mib((app / 'static-website.qcow2').stat().st_size)}")
        print(f"         GCE archive (1 GiB disk.raw)   "
              f"{mib((app / 'static-website-gce.tar.gz').stat().st_size)}")
        times = {"kernel": [], "bios": [], "uefi": []}
        for _ in range(RUNS):
            for how in times:
                port = free_port()
                times[how].append(first_200(qemu_argv(how, app, tmp, port), port))
        med = {k: statistics.median(v) for k, v in times.items()}
        base = med["kernel"]
        print(f"  boot   QEMU start to first 200, medians of {RUNS} (TCG, user network, DHCP)")
        print(f"         -kernel (PVH)                  {base:6.2f} s")
        print(f"         disk, SeaBIOS, virtio-blk      {med['bios']:6.2f} s"
              f"   ratio {med['bios'] / base:5.2f}")
        print(f"         disk, OVMF, NVMe               {med['uefi']:6.2f} s"
              f"   ratio {med['uefi'] / base:5.2f}")


if __name__ == "__main__":
    main()
