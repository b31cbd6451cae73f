# SPDX-License-Identifier: ISC
"""Bulk TCP throughput, both directions: unix-direct (mirari's own TCP/IP
stack on a tap) vs the Linux stack over a veth pair, side by side in one
run (issue 12, bench 3b).

  direct     mirari run --unix on a tap in its own namespace, the clients
             on the host side of the tap; the tap carries virtio-net
             headers, so the stack and the kernel exchange TCP segments of
             up to 64 KiB with partial checksums (the default).
  direct-1500  the same with MIRARI_TAP_OFFLOAD=off: plain frames of at
             most 1514 bytes, one system call each, what the tap gave
             before it had offloads.
  linux      the Linux stack in namespace S, the clients in namespace C,
             joined by a veth pair with the offloads a user gets (the
             defaults: TSO, GSO and checksum offload on).

download  curl fetches a 16 MiB file over HTTP: examples/static-website
          for the own stack, nginx (one worker, sendfile on, access_log
          off) for Linux.
upload    a client sends 16 MiB over one TCP connection to bench/sink,
          which reads it to the end and answers with the count: built for
          unix-direct on the own stack, for unix-socket (host sockets) on
          Linux, so the application is the same and only the stack
          differs. Timed from connect to the answer.

Each round runs every test once against each server, alternating; the
table has the medians in MB/s (10^6 bytes per second) and the ratios
direct/linux and direct-1500/linux. Needs root (namespaces, tap, veth),
nginx and curl.

usage: bench/bulk.py BUILD_DIR
env:   ROUNDS (5), UPLOAD_MIB (16): the upload's size
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("ROUNDS", "5"))
BIG = 16 << 20
# The upload at 16 MiB lasts ~13 ms at these speeds, mostly connection
# set-up: UPLOAD_MIB=256 gives a figure long enough to profile.
UPLOAD_MIB = int(os.environ.get("UPLOAD_MIB", "16"))
UP = UPLOAD_MIB << 20
SINK_PORT = 5001

UPLOAD_CLIENT = r"""
import socket, sys, time
addr, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = open(path, "rb").read()
t0 = time.monotonic()
s = socket.create_connection((addr, port))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
answer = b""
while chunk := s.recv(64):
    answer += chunk
secs = time.monotonic() - t0
print(answer.decode().strip(), secs)
"""


def sh(*args, **kw):
    kw.setdefault("check", True)
    return subprocess.run(args, **kw)


def ns_exec(ns, *args, **kw):
    return sh("ip", "netns", "exec", ns, *args, **kw)


def download(ns, url):
    out = ns_exec(ns, "curl", "-s", "-o", "/dev/null", "-w", "%{size_download} %{time_total}",
                  url, capture_output=True, text=True).stdout.split()
    size, secs = int(out[0]), float(out[1])
    assert size == BIG, (size, url)
    return size / secs / 1e6


def upload(ns, addr, path):
    out = ns_exec(ns, sys.executable, "-c", UPLOAD_CLIENT, addr, str(SINK_PORT), str(path),
                  capture_output=True, text=True).stdout.split()
    count, secs = int(out[0]), float(out[1])
    assert count == UP, (count, addr)
    return count / secs / 1e6


def wait_until(ok, proc, what, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            log = Path(getattr(proc, "log", "/dev/null")).read_text(errors="replace")
            raise RuntimeError(f"{what} exited with {proc.returncode}\n{log}")
        if ok():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} does not answer")


def http_ok(ns, url):
    return ns_exec(ns, "curl", "-s", "-o", "/dev/null", "--max-time", "1", url,
                   check=False).returncode == 0


def tcp_ok(ns, addr, port):
    code = f"import socket; socket.create_connection(('{addr}', {port}), timeout=1).close()"
    return ns_exec(ns, sys.executable, "-c", code, check=False,
                   capture_output=True).returncode == 0


def build(mirari, src, dst, target, files=None):
    """src copied to dst (with files: name -> bytes added to its files/), built."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("_build", "mir-*"))
    for name, data in (files or {}).items():
        (dst / "files" / name).write_bytes(data)
    for cmd in ("configure", "build"):
        sh(str(mirari), "-q", cmd, target, cwd=dst)
    return dst


def tap_ns(name):
    """A namespace with a tap mt0 whose host side is 10.0.0.1/24."""
    sh("ip", "netns", "add", name)
    sh("ip", "-n", name, "link", "set", "lo", "up")
    sh("ip", "-n", name, "tuntap", "add", "dev", "mt0", "mode", "tap")
    sh("ip", "-n", name, "addr", "add", "10.0.0.1/24", "dev", "mt0")
    sh("ip", "-n", name, "link", "set", "mt0", "up")


def run_direct(procs, ns, mirari, app, offload, log):
    env = dict(os.environ, MIRARI_TAP="mt0")
    if not offload:
        env["MIRARI_TAP_OFFLOAD"] = "off"
    with open(log, "w") as f:
        p = subprocess.Popen(["ip", "netns", "exec", ns, str(mirari), "-q", "run", "--unix", "--",
                              "--ip-address=10.0.0.2", "--ip-netmask=255.255.255.0",
                              "--log-level=warn"], cwd=app, env=env, stdout=f, stderr=f)
    p.log = log
    procs.append(p)
    return p


NGINX_CONF = """user root;
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
    server {{ listen 10.1.0.2:8080; root {root}; }}
}}
"""


def main():
    build_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "build").resolve()
    mirari = build_dir / "bin" / "mirari"
    if os.geteuid() != 0:
        sys.exit("bench/bulk.py needs root (network namespaces, tap, veth)")
    for prog in ("curl", "nginx"):
        if not shutil.which(prog) and not Path(f"/usr/sbin/{prog}").exists():
            sys.exit(f"bench/bulk.py needs {prog} (scripts/install-deps --bench)")
    tmp = Path(tempfile.mkdtemp(prefix="mirari-bench-bulk-"))
    tag = uuid.uuid4().hex[:6]
    # web and sink for each own-stack variant, the client side of the veth, its server side
    names = {k: f"mbb-{k}-{tag}" for k in ("w", "w1500", "k", "k1500", "c", "s")}
    procs = []
    try:
        # The file is in place before the build: a stale store would make
        # both `mirari run`s rebuild the app at once.
        site = build(mirari, REPO / "examples" / "static-website", tmp / "site", "--unix",
                     {"big.bin": os.urandom(BIG)})
        up = tmp / "up.bin"
        up.write_bytes(os.urandom(UP))
        sink_direct = build(mirari, REPO / "bench" / "sink", tmp / "sink-direct", "--unix")
        sink_socket = build(mirari, REPO / "bench" / "sink", tmp / "sink-socket", "--socket")

        for k in ("w", "w1500", "k", "k1500"):
            tap_ns(names[k])
        for k in ("c", "s"):
            sh("ip", "netns", "add", names[k])
            sh("ip", "-n", names[k], "link", "set", "lo", "up")
        web = {"direct": run_direct(procs, names["w"], mirari, site, True, tmp / "w.log"),
               "direct-1500": run_direct(procs, names["w1500"], mirari, site, False,
                                         tmp / "w1500.log")}
        sink = {"direct": run_direct(procs, names["k"], mirari, sink_direct, True, tmp / "k.log"),
                "direct-1500": run_direct(procs, names["k1500"], mirari, sink_direct, False,
                                          tmp / "k1500.log")}

        c, s = names["c"], names["s"]
        sh("ip", "link", "add", f"vc{tag}", "netns", c, "type", "veth", "peer", "name",
           f"vs{tag}", "netns", s)
        sh("ip", "-n", c, "addr", "add", "10.1.0.1/24", "dev", f"vc{tag}")
        sh("ip", "-n", s, "addr", "add", "10.1.0.2/24", "dev", f"vs{tag}")
        sh("ip", "-n", c, "link", "set", f"vc{tag}", "up")
        sh("ip", "-n", s, "link", "set", f"vs{tag}", "up")
        conf = tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=tmp, root=site / "files"))
        web["linux"] = subprocess.Popen(["ip", "netns", "exec", s, "nginx", "-c", str(conf)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(web["linux"])
        images = [p for p in sink_socket.glob("mir-*") if p.is_file()]
        sink["linux"] = subprocess.Popen(["ip", "netns", "exec", s, str(images[0]),
                                          "--log-level=warn"], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
        procs.append(sink["linux"])

        # name -> (client namespace, server address) for each test
        web_at = {"direct": (names["w"], "10.0.0.2"), "direct-1500": (names["w1500"], "10.0.0.2"),
                  "linux": (c, "10.1.0.2")}
        sink_at = {"direct": (names["k"], "10.0.0.2"),
                   "direct-1500": (names["k1500"], "10.0.0.2"), "linux": (c, "10.1.0.2")}
        for name, (ns, addr) in web_at.items():
            url = f"http://{addr}:8080/1k.bin"
            wait_until(lambda: http_ok(ns, url), web[name], f"{name} web server")
        for name, (ns, addr) in sink_at.items():
            wait_until(lambda: tcp_ok(ns, addr, SINK_PORT), sink[name], f"{name} sink")

        tests = [("16 MiB download (MB/s)",
                  lambda name: download(web_at[name][0], f"http://{web_at[name][1]}:8080/big.bin")),
                 (f"{UPLOAD_MIB} MiB upload (MB/s)",
                  lambda name: upload(sink_at[name][0], sink_at[name][1], up))]
        servers = ["direct", "direct-1500", "linux"]
        results = {(t, name): [] for t, _ in tests for name in servers}
        for _ in range(ROUNDS):
            for t, fn in tests:
                for name in servers:
                    results[(t, name)].append(fn(name))
        print(f"{'':24} {'direct':>9} {'d-1500':>9} {'linux':>9} {'ratio':>7} {'r-1500':>7}"
              f"   (medians of {ROUNDS}; ratio = direct/linux)")
        for t, _ in tests:
            med = {n: statistics.median(results[(t, n)]) for n in servers}
            print(f"{t:24} {med['direct']:9.1f} {med['direct-1500']:9.1f} {med['linux']:9.1f} "
                  f"{med['direct'] / med['linux']:7.2f} {med['direct-1500'] / med['linux']:7.2f}")
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
        for ns in names.values():
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
