# SPDX-License-Identifier: ISC
"""unix-direct (mirari's own TCP/IP stack on a tap) vs nginx on the Linux
stack over a veth pair, both reached from a network namespace by the same
clients, side by side in one run.

  direct  examples/static-website built for unix-direct, started by
          `mirari run --unix` on a tap in namespace A; the clients run in A
          (the host side of the tap).
  nginx   the same files served by nginx (one worker, access_log off,
          sendfile on) in namespace S; the clients run in namespace C,
          joined to S by a veth pair.

It measures HTTP requests/s (wrk, a 1 KiB file, 10 and 100 connections)
and bulk TCP throughput (curl of a 16 MiB file), alternating the two
servers ROUNDS times, and prints the medians and the ratios direct/nginx.
Needs root (namespaces, tap, veth).

usage: bench/direct.py BUILD_DIR
env:   ROUNDS (3), DURATION seconds per wrk run (4)
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("ROUNDS", "3"))
DURATION = int(os.environ.get("DURATION", "4"))
BIG = 16 << 20


def sh(*args, **kw):
    kw.setdefault("check", True)
    return subprocess.run(args, **kw)


def ns_exec(ns, *args, **kw):
    return sh("ip", "netns", "exec", ns, *args, **kw)


def wrk(ns, url, conns):
    out = ns_exec(ns, "wrk", "-t1", f"-c{conns}", f"-d{DURATION}s", url,
                  capture_output=True, text=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def bulk(ns, url):
    out = ns_exec(ns, "curl", "-s", "-o", "/dev/null", "-w", "%{size_download} %{time_total}",
                  url, capture_output=True, text=True).stdout.split()
    size, secs = int(out[0]), float(out[1])
    assert size == BIG, (size, url)
    return size / secs / 1e6


def wait_http(ns, url, proc, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        if ns_exec(ns, "curl", "-s", "-o", "/dev/null", "--max-time", "1", url,
                   check=False).returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} does not answer")


def main():
    build = Path(sys.argv[1] if len(sys.argv) > 1 else "build").resolve()
    mirari = build / "bin" / "mirari"
    if os.geteuid() != 0:
        sys.exit("bench/direct.py needs root (network namespaces, tap, veth)")
    for prog in ("wrk", "curl", "nginx"):
        if not shutil.which(prog) and not Path(f"/usr/sbin/{prog}").exists():
            sys.exit(f"bench/direct.py needs {prog} (scripts/install-deps --bench)")
    tmp = Path(tempfile.mkdtemp(prefix="mirari-bench-direct-"))
    tag = uuid.uuid4().hex[:6]
    a, c, s = f"mbd-a-{tag}", f"mbd-c-{tag}", f"mbd-s-{tag}"
    procs = []
    try:
        app = tmp / "static-website"
        shutil.copytree(REPO / "examples" / "static-website", app)
        (app / "files" / "big.bin").write_bytes(os.urandom(BIG))
        for cmd in ("configure", "build"):
            sh(str(mirari), "-q", cmd, "--unix", cwd=app)
        for ns in (a, c, s):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        # direct: a tap in A
        sh("ip", "-n", a, "tuntap", "add", "dev", "mt0", "mode", "tap")
        sh("ip", "-n", a, "addr", "add", "10.0.0.1/24", "dev", "mt0")
        sh("ip", "-n", a, "link", "set", "mt0", "up")
        env = dict(os.environ, MIRARI_TAP="mt0")
        direct = subprocess.Popen(["ip", "netns", "exec", a, str(mirari), "-q", "run", "--unix",
                                   "--", "--ip-address=10.0.0.2", "--ip-netmask=255.255.255.0",
                                   "--log-level=warn"], cwd=app, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(direct)
        # nginx: C <-veth-> S
        sh("ip", "link", "add", f"vc{tag}", "netns", c, "type", "veth", "peer", "name",
           f"vs{tag}", "netns", s)
        sh("ip", "-n", c, "addr", "add", "10.1.0.1/24", "dev", f"vc{tag}")
        sh("ip", "-n", s, "addr", "add", "10.1.0.2/24", "dev", f"vs{tag}")
        sh("ip", "-n", c, "link", "set", f"vc{tag}", "up")
        sh("ip", "-n", s, "link", "set", f"vs{tag}", "up")
        conf = tmp / "nginx.conf"
        # user root: the files are in a private temporary directory.
        conf.write_text(f"""user root;
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx.err;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{ listen 10.1.0.2:8080; root {app}/files; }}
}}
""")
        nginx = subprocess.Popen(["ip", "netns", "exec", s, "nginx", "-c", str(conf)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(nginx)
        servers = {"direct": (a, "http://10.0.0.2:8080"), "nginx": (c, "http://10.1.0.2:8080")}
        wait_http(a, servers["direct"][1] + "/1k.bin", direct)
        wait_http(c, servers["nginx"][1] + "/1k.bin", nginx)

        tests = [("1 KiB, 10 conns (req/s)", lambda ns, u: wrk(ns, u + "/1k.bin", 10)),
                 ("1 KiB, 100 conns (req/s)", lambda ns, u: wrk(ns, u + "/1k.bin", 100)),
                 ("16 MiB download (MB/s)", lambda ns, u: bulk(ns, u + "/big.bin"))]
        results = {(t, name): [] for t, _ in tests for name in servers}
        for _ in range(ROUNDS):
            for t, fn in tests:
                for name, (ns, url) in servers.items():
                    results[(t, name)].append(fn(ns, url))
        print(f"{'':28} {'direct':>10} {'nginx':>10} {'ratio':>7}   (medians of {ROUNDS})")
        for t, _ in tests:
            d = statistics.median(results[(t, "direct")])
            n = statistics.median(results[(t, "nginx")])
            print(f"{t:28} {d:10.1f} {n:10.1f} {d / n:7.2f}")
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
        for ns in (a, c, s):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
