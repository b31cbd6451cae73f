# SPDX-License-Identifier: ISC
"""The qemu target: image sizes, boot times and the smallest memory that
serves, under whatever accelerator this machine has (TCG without KVM).

  sizes      each example built with `mirari build -t qemu`: the image as
             built, fully stripped, and its loaded code+data (text, rodata,
             data) and bss; plus the kernel+musl-only hello of tests/qemu.
  boot       QEMU start to the first HTTP 200 from examples/static-website
             (user-mode network, a host forward), against QEMU start to exit
             of bench/qemu-null.S, a kernel whose first instruction exits:
             the difference is what mirari's kernel and runtime cost.
             With tsc-khz= (what `mirari run` passes under TCG) and without
             (the kernel calibrates its TSC against the PIT for 50 ms).
  guest      kernel entry to main(), by the kernel's own monotonic clock
             (tests/qemu/boottime.c, built here when BUILD_DIR lacks it).
  memory     the smallest -m (MiB) at which static-website still answers.
  idle       host CPU time QEMU uses while the unikernel idles 3 s.

usage: bench/qemu.py BUILD_DIR   (BUILD_DIR holds bin/mirari and qemu/)
env:   RUNS (5) boots per median
"""

import os
import re
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

MACHINES = {
    "microvm": (["-M", "microvm,acpi=off,pit=on,pic=on,rtc=on",
                 "-global", "virtio-mmio.force-legacy=false"], "virtio-net-device"),
    "pc": (["-M", "pc"], "virtio-net-pci"),
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def host_tsc_khz():
    """The host TSC rate that tool/run_qemu.c passes as tsc-khz= (it
    measures it with rdtsc; Python cannot, so take the kernel's figure)."""
    out = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
    m = re.findall(r"tsc: Refined TSC clocksource calibration: ([\d.]+) MHz", out) or \
        re.findall(r"tsc: Detected ([\d.]+) MHz", out)
    return int(float(m[-1]) * 1000) if m else None


def guest(build_dir, name):
    """BUILD_DIR/qemu/NAME.pvh, a guest program of tests/qemu, or None after
    saying why. `make all` does not build those (`make tests`, `make bench`
    and `make qemu-guests` do), so a missing one is built here rather than
    leaving its measurement out."""
    path = build_dir / "qemu" / f"{name}.pvh"
    if path.is_file():
        return path
    target = f"{os.path.relpath(build_dir, REPO)}/qemu/{name}.pvh"
    r = subprocess.run(["make", "-C", str(REPO), "--no-print-directory",
                        f"BUILD={os.path.relpath(build_dir, REPO)}", target],
                       capture_output=True, text=True)
    if r.returncode != 0 or not path.is_file():
        print(f"  (cannot build {target}: {(r.stderr or r.stdout).strip()[-300:]})")
        return None
    return path


def qemu_cmd(machine, image, append, memory=32, netdev=None):
    opts, nic = MACHINES[machine]
    cmd = [QEMU, *opts, "-accel", "tcg", "-cpu", "max", "-m", str(memory), "-nodefaults",
           "-no-user-config", "-no-reboot", "-display", "none", "-serial", "stdio",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", str(image),
           "-append", append]
    if netdev:
        cmd += ["-netdev", netdev, "-device", f"{nic},netdev=n0"]
    return cmd


def build(mirari, example, workdir):
    app = workdir / example
    shutil.copytree(REPO / "examples" / example, app)
    r = subprocess.run([str(mirari), "build", "-t", "qemu"], cwd=app, capture_output=True,
                       text=True)
    if r.returncode != 0:
        sys.exit(f"building {example} for qemu failed:\n{r.stdout}{r.stderr}")
    return next(app.glob("mir-*.pvh"))


def sizes(path):
    stripped = Path(tempfile.mktemp())
    subprocess.run(["strip", "-s", "-o", str(stripped), str(path)], check=True)
    full = stripped.stat().st_size
    stripped.unlink()
    sec = {}
    for line in subprocess.run(["size", "-A", str(path)], capture_output=True,
                               text=True).stdout.splitlines():
        f = line.split()
        if len(f) >= 2 and f[1].isdigit():
            sec[f[0]] = int(f[1])
    code = sum(sec.get(s, 0) for s in (".text", ".init", ".fini", ".rodata", ".data",
                                       ".tdata", ".note.pvh", ".kernel_symbols"))
    return path.stat().st_size, full, code, sec.get(".bss", 0)


def http_status(port):
    """The status of GET / on 127.0.0.1:port, or None. (A socket of our own:
    bench/http.py would shadow the http package for urllib.)"""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            head = s.recv(64)
    except OSError:
        return None
    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return int(m.group(1)) if m else None


def time_to_exit(cmd):
    t0 = time.monotonic()
    subprocess.run(cmd, capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    return time.monotonic() - t0


def time_to_200(cmd, port):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL)
    try:
        while time.monotonic() - t0 < 30:
            if http_status(port) == 200:
                return time.monotonic() - t0
            time.sleep(0.002)
        return None
    finally:
        p.kill()
        p.wait()


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def ms(x):
    return "-" if x is None else f"{x * 1000:.0f} ms"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build_dir = Path(sys.argv[1]).resolve()
    mirari = build_dir / "bin" / "mirari"
    if QEMU is None:
        print("qemu-system-x86_64 is not installed: skipped")
        return
    khz = host_tsc_khz()
    web_args = "--ip-address=10.0.2.15 --ip-netmask=255.255.255.0 --ip-gateway=10.0.2.2 " \
               "--http-port=8080"

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        images = {e: build(mirari, e, tmp) for e in ("hello", "static-website", "echo")}
        print("sizes (bytes): image as built | stripped | loaded code+data | bss")
        rows = [(f"{e} ({images[e].name})", images[e]) for e in images]
        kernel_only = guest(build_dir, "hello")
        if kernel_only:
            rows.append(("kernel + musl only (tests/qemu/hello.c)", kernel_only))
        for name, path in rows:
            print("  %-42s %8d %8d %8d %8d" % (name, *sizes(path)))

        null = tmp / "null.pvh"
        subprocess.run(["gcc", "-c", str(REPO / "bench" / "qemu-null.S"), "-o",
                        str(tmp / "null.o")], check=True)
        subprocess.run(["ld", "-T", str(REPO / "bench" / "qemu-null.ld"), "--build-id=none",
                        "-o", str(null), str(tmp / "null.o")], check=True)

        web = images["static-website"]
        print(f"\nboot, median of {RUNS} (TCG), QEMU start to:")
        for machine in MACHINES:
            base = median([time_to_exit(qemu_cmd(machine, null, "", 8)) for _ in range(RUNS)])
            print(f"  {machine:8s} exit of the null kernel           {ms(base)}")
            for label, extra in (("with tsc-khz", f" tsc-khz={khz}" if khz else None),
                                 ("PIT calibration", "")):
                if extra is None:
                    continue
                times = []
                for _ in range(RUNS):
                    port = free_port()
                    times.append(time_to_200(
                        qemu_cmd(machine, web, web_args + extra,
                                 netdev=f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:8080"), port))
                t = median(times)
                extra_ms = "" if t is None or base is None else f"  (+{ms(t - base)})"
                print(f"  {machine:8s} first HTTP 200, {label:16s} {ms(t)}{extra_ms}")

        print(f"\nguest: kernel entry to main() (tests/qemu/boottime.c), median of {RUNS}")
        boottime = guest(build_dir, "boottime")
        for machine in MACHINES if boottime else ():
            for label, extra in (("with tsc-khz", f"tsc-khz={khz}" if khz else None),
                                 ("PIT calibration", "")):
                if extra is None:
                    print(f"  {machine:8s} {label:16s} - (host TSC rate unknown: no tsc: line "
                          "in dmesg)")
                    continue
                stamps = []
                for _ in range(RUNS):
                    out = subprocess.run(qemu_cmd(machine, boottime, extra), capture_output=True,
                                         text=True, timeout=60).stdout
                    m = re.search(r"main reached (\d+) ns", out)
                    stamps.append(int(m.group(1)) / 1e9 if m else None)
                t = median(stamps)
                print(f"  {machine:8s} {label:16s} " + ("-" if t is None else f"{t * 1e3:.2f} ms"))

        print("\nmemory: smallest -m (MiB) at which static-website answers")
        for machine in MACHINES:
            smallest = None
            for mb in (1, 2, 3, 4, 6, 8, 16):
                port = free_port()
                cmd = qemu_cmd(machine, web, web_args + (f" tsc-khz={khz}" if khz else ""),
                               memory=mb,
                               netdev=f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:8080")
                if time_to_200(cmd, port) is not None:
                    smallest = mb
                    break
            print(f"  {machine:8s} {smallest if smallest else '> 16'}")

        print("\nidle: host CPU time of QEMU while static-website idles 3 s")
        port = free_port()
        p = subprocess.Popen(qemu_cmd("microvm", web, web_args + (f" tsc-khz={khz}" if khz else ""),
                                      netdev=f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:8080"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             stdin=subprocess.DEVNULL)
        try:
            time.sleep(1)
            tick = os.sysconf("SC_CLK_TCK")

            def cpu():
                f = Path(f"/proc/{p.pid}/stat").read_text().rsplit(")", 1)[1].split()
                return (int(f[11]) + int(f[12])) / tick

            c0 = cpu()
            time.sleep(3)
            print(f"  microvm  {(cpu() - c0) * 1000:.0f} ms of CPU in 3000 ms")
        finally:
            p.kill()
            p.wait()


if __name__ == "__main__":
    main()
