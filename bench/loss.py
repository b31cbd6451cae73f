# SPDX-License-Identifier: ISC
"""Downloads under random packet loss: unix-direct (mirari's own TCP/IP
stack on a tap) vs nginx on the Linux stack over a veth pair, side by
side in one run.

  direct  examples/static-website built for unix-direct, started by
          `mirari run --unix` on a tap in namespace A; curl runs in A
          (the host side of the tap).
  linux   the same files served by nginx (one worker, access_log off,
          sendfile on) in namespace S; curl runs in namespace C, joined
          to S by a veth pair. Offloads (TSO, GSO, GRO, checksums) are
          turned off on both veth ends with ethtool, and on the tap with
          MIRARI_TAP_OFFLOAD=off: large offloaded segments would make one
          nftables drop cost many segments at once, so with one 1500-byte
          frame at a time on both sides the loss rates are the same
          (bench/bulk.py measures the offloads).

The loss is the same for both: nftables rules in the client's namespace
only (A, C), dropping P% of the TCP packets at random in each direction
(`numgen random mod 100 < P`, input and output hooks). For each loss rate
(1%, 5%, 20%) and file (100 KB, 1 MB) it runs ROUNDS rounds of one curl
fetch from each server, alternating, and prints the median fetch times and
the ratio direct/linux (below 1: the own stack is faster), the means and
their ratio, then each side's quartiles. The times are bimodal: most
fetches take milliseconds, one whose SYN, SYN-ACK or last segments were
lost waits a timeout (200 ms to seconds), so a median of few rounds
lands on either side: compare runs of 30 rounds or more, and the means.
A fetch that fails or takes longer than MAXTIME seconds counts as
MAXTIME and is reported. Needs root (namespaces, tap, veth), nginx, ethtool, nft.

Linux uses the host's default congestion control (printed first); the
own stack its default, a BBR-like model (runtime/net/tcp_bbr.c). Both
kinds keep their rate under random loss; loss-based ones do not: in a
trial over a veth pair set up like this one, Linux with CUBIC or Reno
(set per socket) took over a minute for 1 MB at 20%, and the own stack's
NewReno (OWN_CC=newreno) took 3-20 s. LINUX_CC=NAME sets Linux's in
nginx's namespace alone; outside the host's namespace only the ones in
net.ipv4.tcp_allowed_congestion_control may be chosen (the host's
default, reno, and cubic on a Debian host, where cubic is the default).

usage: bench/loss.py BUILD_DIR
env:   ROUNDS (5), LOSS percentages (1,5,20), MAXTIME seconds per fetch (300),
       LINUX_CC (the host's default), OWN_CC (bbr; newreno: tcp-congestion)
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
LOSS = [int(x) for x in os.environ.get("LOSS", "1,5,20").split(",")]
MAXTIME = int(os.environ.get("MAXTIME", "300"))
FILES = [("100 KB", "100k.bin", 100_000), ("1 MB", "1m.bin", 1_000_000)]


def spread(xs):
    """The first and third quartiles of xs, as "q1-q3" seconds."""
    if len(xs) < 2:
        return f"{xs[0]:.3f}-{xs[0]:.3f}"
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return f"{q[0]:.3f}-{q[2]:.3f}"


def sh(*args, **kw):
    kw.setdefault("check", True)
    return subprocess.run(args, **kw)


def ns_exec(ns, *args, **kw):
    return sh("ip", "netns", "exec", ns, *args, **kw)


def fetch(ns, url, size):
    """Seconds one download took; MAXTIME (and a note) when it failed."""
    r = ns_exec(ns, "curl", "-s", "-o", "/dev/null", "--max-time", str(MAXTIME), "-w",
                "%{size_download} %{time_total}", url, capture_output=True, text=True,
                check=False)
    out = r.stdout.split()
    if r.returncode != 0 or len(out) != 2 or int(out[0]) != size:
        print(f"  {url}: curl exit {r.returncode}, {out}", file=sys.stderr)
        return float(MAXTIME)
    return float(out[1])


def set_loss(ns, pct):
    """P% random loss of TCP both ways in ns (0: none)."""
    ns_exec(ns, "nft", "flush", "ruleset")
    if pct == 0:
        return
    rules = f"""table inet loss {{
    chain in {{ type filter hook input priority 0; meta l4proto tcp numgen random mod 100 < {pct} drop; }}
    chain out {{ type filter hook output priority 0; meta l4proto tcp numgen random mod 100 < {pct} drop; }}
}}
"""
    ns_exec(ns, "nft", "-f", "-", input=rules, text=True)


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
        sys.exit("bench/loss.py needs root (network namespaces, tap, veth)")
    for prog in ("curl", "nginx", "ethtool", "nft"):
        if not shutil.which(prog) and not Path(f"/usr/sbin/{prog}").exists():
            sys.exit(f"bench/loss.py needs {prog}")
    tmp = Path(tempfile.mkdtemp(prefix="mirari-bench-loss-"))
    tag = uuid.uuid4().hex[:6]
    a, c, s = f"mbl-a-{tag}", f"mbl-c-{tag}", f"mbl-s-{tag}"
    procs = []
    try:
        app = tmp / "static-website"
        shutil.copytree(REPO / "examples" / "static-website", app)
        for _, name, size in FILES:
            (app / "files" / name).write_bytes(os.urandom(size))
        for cmd in ("configure", "build"):
            sh(str(mirari), "-q", cmd, "--unix", cwd=app)
        for ns in (a, c, s):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        # direct: a tap in A
        sh("ip", "-n", a, "tuntap", "add", "dev", "mt0", "mode", "tap")
        sh("ip", "-n", a, "addr", "add", "10.0.0.1/24", "dev", "mt0")
        sh("ip", "-n", a, "link", "set", "mt0", "up")
        # Frames of at most the MTU on the tap too (see above).
        env = dict(os.environ, MIRARI_TAP="mt0", MIRARI_TAP_OFFLOAD="off")
        cc = os.environ.get("OWN_CC", "bbr")
        direct = subprocess.Popen(["ip", "netns", "exec", a, str(mirari), "-q", "run", "--unix",
                                   "--", "--ip-address=10.0.0.2", "--ip-netmask=255.255.255.0",
                                   "--log-level=warn", f"--tcp-congestion={cc}"],
                                  cwd=app, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        procs.append(direct)
        # linux: C <-veth-> S, offloads off on both ends
        vc, vs = f"vc{tag}", f"vs{tag}"
        sh("ip", "link", "add", vc, "netns", c, "type", "veth", "peer", "name", vs, "netns", s)
        sh("ip", "-n", c, "addr", "add", "10.1.0.1/24", "dev", vc)
        sh("ip", "-n", s, "addr", "add", "10.1.0.2/24", "dev", vs)
        for ns, dev in ((c, vc), (s, vs)):
            sh("ip", "-n", ns, "link", "set", dev, "up")
            ns_exec(ns, "ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off", "tx",
                    "off", "rx", "off", capture_output=True)
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
        if os.environ.get("LINUX_CC"):
            ns_exec(s, "sysctl", "-q", "-w",
                    f"net.ipv4.tcp_congestion_control={os.environ['LINUX_CC']}")
        nginx = subprocess.Popen(["ip", "netns", "exec", s, "nginx", "-c", str(conf)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(nginx)
        servers = {"direct": (a, "http://10.0.0.2:8080"), "linux": (c, "http://10.1.0.2:8080")}
        wait_http(a, servers["direct"][1] + "/index.html", direct)
        wait_http(c, servers["linux"][1] + "/index.html", nginx)

        # The comparison depends on it: BBR keeps its rate under random
        # loss, loss-based Reno and CUBIC (the own stack's kind) halve it.
        cc = ns_exec(s, "sysctl", "-n", "net.ipv4.tcp_congestion_control", capture_output=True,
                     text=True, check=False).stdout.strip()
        print(f"linux congestion control: {cc or 'unknown'}", flush=True)
        print(f"{'':22} {'direct s':>9} {'linux s':>9} {'ratio':>7}   (median fetch times, "
              f"{ROUNDS} rounds; then the means and their ratio, and each side's quartiles: "
              "a lost SYN costs a second, so a median of few rounds may land on either side "
              "of it)", flush=True)
        for pct in LOSS:
            for ns, _ in servers.values():
                set_loss(ns, pct)
            for label, name, size in FILES:
                times = {n: [] for n in servers}
                for _ in range(ROUNDS):
                    for n, (ns, url) in servers.items():
                        times[n].append(fetch(ns, f"{url}/{name}", size))
                d = statistics.median(times["direct"])
                lx = statistics.median(times["linux"])
                dm = statistics.mean(times["direct"])
                lm = statistics.mean(times["linux"])
                print(f"{pct:3}% loss, {label:8} {d:9.3f} {lx:9.3f} {d / lx:7.2f}   "
                      f"mean {dm:.3f} {lm:.3f} {dm / lm:.2f}   "
                      f"direct {spread(times['direct'])}  linux {spread(times['linux'])}",
                      flush=True)
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
