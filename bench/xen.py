# SPDX-License-Identifier: ISC
"""The xen target in the nested Xen lab (tests/xen/xl as MIRARI_XL: Xen and
a Linux dom0 under QEMU's TCG), side by side with the qemu target on the
same machine.

  boot     `mirari run --xen` of examples/static-website to its first HTTP
           200 through netfront, against `xl create` to the end of an empty
           PVH domU (tests/xen/guest_e9.S, which shuts down at its entry):
           both include booting the lab; the difference is what mirari's
           kernel, its netfront handshake and the runtime cost.
  http     requests/s (wrk, a 1 KiB file, 10 connections) and a 1 MiB
           download (MB/s, curl) from the same app through netfront (xen,
           in the lab) and through virtio-net (`mirari run -t qemu` on a
           tap), each from the host side of its tap.

Each round runs the three in turn (alternating sides); medians and the
ratios xen/qemu are printed. Nested TCG makes the xen figures a measure of
the lab as much as of mirari: read them as ratios on this machine.
Needs root (namespaces, taps).

usage: bench/xen.py BUILD_DIR   (BUILD_DIR holds bin/mirari)
env:   ROUNDS (3), DURATION seconds per wrk run (4)
"""

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "xen"))
import lab  # noqa: E402  (tests/xen is not a package)

ROUNDS = int(os.environ.get("ROUNDS", "3"))
DURATION = int(os.environ.get("DURATION", "4"))
XL = REPO / "tests" / "xen" / "xl"
ONE_MIB = 1 << 20


def sh(*args, **kw):
    kw.setdefault("check", True)
    return subprocess.run(args, **kw)


def ns_exec(ns, *args, **kw):
    return sh("ip", "netns", "exec", ns, *args, **kw)


def http_ok(ns, url):
    r = ns_exec(ns, "curl", "-s", "-o", "/dev/null", "--max-time", "2", "-w", "%{http_code}",
                url, check=False, capture_output=True, text=True)
    return r.stdout == "200"


def wrk(ns, url):
    out = ns_exec(ns, "wrk", "-t1", "-c10", f"-d{DURATION}s", url, capture_output=True,
                  text=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def bulk(ns, url):
    out = ns_exec(ns, "curl", "-s", "-o", "/dev/null", "-w", "%{size_download} %{time_total}",
                  "--max-time", "300", url, capture_output=True, text=True).stdout.split()
    size, secs = int(out[0]), float(out[1])
    assert size == ONE_MIB, (size, url)
    return size / secs / 1e6


class Server:
    """`mirari run ARGS` of the app in a fresh namespace; ready at 200."""

    def __init__(self, mirari, app, args, env, log):
        self.ns = "mb-" + uuid.uuid4().hex[:8]
        sh("ip", "netns", "add", self.ns)
        sh("ip", "-n", self.ns, "link", "set", "lo", "up")
        self.t0 = time.monotonic()
        self.log = open(log, "w")
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns, str(mirari), "run", *args],
                                     cwd=app, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        end = self.t0 + 300
        while not http_ok(self.ns, "http://10.0.0.2:8080/1k.bin"):
            if self.proc.poll() is not None or time.monotonic() > end:
                self.stop()
                raise RuntimeError(f"no answer from {' '.join(args)}; see {log}")
            time.sleep(0.05)
        self.ready = time.monotonic() - self.t0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        sh("ip", "netns", "del", self.ns, check=False)


def empty_domain(env, xl_file):
    """Seconds from `xl create` to the empty guest's end (it crashes on
    purpose at its entry)."""
    t0 = time.monotonic()
    sh(str(XL), "create", str(xl_file), env=env, capture_output=True)
    try:
        while True:
            out = sh(str(XL), "list", "e9", env=env, capture_output=True, text=True,
                     check=False).stdout.splitlines()
            if len(out) > 1 and re.search(r"[sc]", out[1].split()[4]):
                return time.monotonic() - t0
            time.sleep(0.05)
    finally:
        sh(str(XL), "destroy", "e9", env=env, capture_output=True, check=False)


def build(mirari, tmp):
    app = tmp / "static-website"
    shutil.copytree(REPO / "examples" / "static-website", app,
                    ignore=shutil.ignore_patterns("_build", "mir-*"))
    (app / "files" / "1k.bin").write_bytes(os.urandom(1024))
    (app / "files" / "1m.bin").write_bytes(os.urandom(ONE_MIB))
    for args in (["configure", "--xen"], ["build", "--xen"], ["build", "-t", "qemu"]):
        sh(str(mirari), *args, cwd=app, capture_output=True)
    return app


def main():
    build_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "build").resolve()
    mirari = build_dir / "bin" / "mirari"
    if os.geteuid() != 0 or not shutil.which("wrk") or not shutil.which(lab.QEMU):
        print("  skipped: needs root, wrk and qemu-system-x86_64")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="bench-xen-"))
    env = dict(os.environ, MIRARI_XL=str(XL), MIRARI_XEN_LAB_STATE=str(tmp / "xl-state"),
               MIRARI_XEN_LAB_CACHE=os.environ.get("MIRARI_XEN_LAB_CACHE",
                                                   str(build_dir / "xen-lab")))
    try:
        app = build(mirari, tmp)
        e9 = lab.build_e9_guest(tmp / "e9")
        xl_file = tmp / "e9.xl"
        xl_file.write_text(f'name = "e9"\ntype = "pvh"\nkernel = "{e9}"\nmemory = 32\n'
                           'on_crash = "preserve"\n')
        sh(str(XL), "info", env=env, capture_output=True)  # prepares the lab once
        r = {k: [] for k in ("xen boot", "empty boot", "xen req/s", "qemu req/s", "xen MB/s",
                             "qemu MB/s")}
        for i in range(ROUNDS):
            r["empty boot"].append(empty_domain(env, xl_file))
            for side, args in (("xen", ["--xen"]), ("qemu", ["-t", "qemu"])):
                s = Server(mirari, app, args, env, tmp / f"{side}.log")
                try:
                    if side == "xen":
                        r["xen boot"].append(s.ready)
                    r[f"{side} req/s"].append(wrk(s.ns, "http://10.0.0.2:8080/1k.bin"))
                    r[f"{side} MB/s"].append(bulk(s.ns, "http://10.0.0.2:8080/1m.bin"))
                finally:
                    s.stop()
        m = {k: statistics.median(v) for k, v in r.items()}
        print(f"  rounds {ROUNDS} (medians; the lab is Xen and dom0 under QEMU TCG)")
        print(f"  boot: lab start to first 200 (static-website)   {m['xen boot']:8.1f} s")
        print(f"        lab start to end of an empty PVH domU      {m['empty boot']:8.1f} s"
              f"   ratio {m['xen boot'] / m['empty boot']:.2f}")
        print(f"  http 1 KiB, 10 conns: netfront {m['xen req/s']:9.0f} req/s   "
              f"virtio (qemu) {m['qemu req/s']:9.0f} req/s   "
              f"ratio xen/qemu {m['xen req/s'] / m['qemu req/s']:.2f}")
        print(f"  1 MiB download:       netfront {m['xen MB/s']:9.2f} MB/s    "
              f"virtio (qemu) {m['qemu MB/s']:9.2f} MB/s    "
              f"ratio xen/qemu {m['xen MB/s'] / m['qemu MB/s']:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
