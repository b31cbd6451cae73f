# SPDX-License-Identifier: ISC
"""wrk against examples/static-website on unix-socket vs nginx serving the
same files, side by side in one run.

For a 1 KiB and a 1 MiB file, with 1 and 100 connections, it alternates the
two servers ROUNDS times and reports the median requests/s and p99 latency,
the peak RSS of each server under load, and the ratios mirari/nginx.
nginx runs as a user would tune it for this: one worker, access_log off,
sendfile on.

usage: bench/http.py BUILD_DIR   (BUILD_DIR holds bin/mirari, see Makefile)
env:   ROUNDS (3), DURATION seconds per wrk run (4)
"""

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("ROUNDS", "3"))
DURATION = int(os.environ.get("DURATION", "4"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def rss_kib(pids):
    """Peak resident set (VmHWM) summed over the server's processes."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(url, conns):
    threads = 1 if conns == 1 else 2
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{conns}", f"-d{DURATION}s", "--latency", url],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    p99 = float(m.group(1)) * UNITS[m.group(2)]
    errors = re.search(r"Socket errors: (.*)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors or non2xx:
        print(f"    note: {url} c={conns}: {errors.group(0) if errors else ''} "
              f"{non2xx.group(0) if non2xx else ''}")
    return rps, p99


def make_site(tmp):
    """A copy of the example with the two benchmark files added."""
    site = tmp / "static-website"
    shutil.copytree(REPO / "examples" / "static-website", site,
                    ignore=shutil.ignore_patterns("_build", "mir-*"))
    files = site / "files"
    (files / "1k.bin").write_bytes(os.urandom(1024))
    (files / "1m.bin").write_bytes(os.urandom(1024 * 1024))
    return site


def start_mirari(build, site, port):
    tool = str(build / "bin" / "mirari")
    subprocess.run([tool, "-q", "configure", f"--http-port={port}"], cwd=site, check=True)
    subprocess.run([tool, "-q", "build"], cwd=site, check=True)
    exe = next(site.glob("mir-*"))
    return subprocess.Popen([str(exe), f"--http-port={port}", "--log-level=warn"], cwd=site)


def start_nginx(tmp, root, port, listen=None):
    """nginx serving root on port; listen replaces the listen line (the
    TLS lines of bench/tls.py)."""
    listen = listen or f"listen 127.0.0.1:{port};"
    conf = tmp / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    server {{
        {listen}
        root {root};
    }}
}}
""")
    return subprocess.Popen(["nginx", "-c", str(conf), "-p", str(tmp)])


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main():
    build = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "build").resolve()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"bench/http.py: {tool} is missing: apt-get install wrk nginx-light")
    with tempfile.TemporaryDirectory(prefix="mirari-bench-") as t:
        tmp = Path(t)
        # nginx's worker drops root for nobody: it must be able to read the
        # files (TemporaryDirectory is 0700).
        os.chmod(tmp, 0o755)
        site = make_site(tmp)
        mport, nport = free_port(), free_port()
        servers = {}
        servers["mirari"] = start_mirari(build, site, mport)
        servers["nginx"] = start_nginx(tmp, site / "files", nport)
        try:
            wait_listening(mport, servers["mirari"])
            wait_listening(nport, servers["nginx"])
            ports = {"mirari": mport, "nginx": nport}
            results = {}
            for path in ("1k.bin", "1m.bin"):
                for conns in (1, 100):
                    runs = {"mirari": [], "nginx": []}
                    for _ in range(ROUNDS):
                        for name in ("mirari", "nginx"):  # alternate
                            url = f"http://127.0.0.1:{ports[name]}/{path}"
                            runs[name].append(wrk(url, conns))
                    results[(path, conns)] = {
                        n: (statistics.median(r[0] for r in v),
                            statistics.median(r[1] for r in v)) for n, v in runs.items()}
            rss = {"mirari": rss_kib([servers["mirari"].pid]),
                   "nginx": rss_kib([servers["nginx"].pid] + children(servers["nginx"].pid))}
        finally:
            for p in servers.values():
                stop(p)

    print(f"wrk, {ROUNDS} alternating rounds of {DURATION} s, medians; "
          f"mirari unix-socket vs nginx (1 worker, sendfile)")
    print(f"{'file':8} {'conns':>5} {'mirari req/s':>13} {'nginx req/s':>12} {'ratio':>6}"
          f" {'mirari p99':>11} {'nginx p99':>10} {'ratio':>6}")
    for (path, conns), r in results.items():
        (mr, mp), (nr, np_) = r["mirari"], r["nginx"]
        print(f"{path:8} {conns:>5} {mr:>13.0f} {nr:>12.0f} {mr / nr:>6.2f}"
              f" {mp:>9.2f}ms {np_:>8.2f}ms {mp / np_ if np_ else 0:>6.2f}")
    print(f"peak RSS under load: mirari {rss['mirari']} KiB, nginx {rss['nginx']} KiB "
          f"(master+worker), ratio {rss['mirari'] / rss['nginx']:.2f}")


if __name__ == "__main__":
    main()
