# SPDX-License-Identifier: ISC
"""HTTPS: examples/static-website on unix-socket (BearSSL) vs nginx with
OpenSSL, the same certificate and files, side by side in one run.

For an ECDSA P-256 and an RSA-2048 certificate (made here by a test CA):
full handshakes/s (`openssl s_time -new`), resumed handshakes/s
(`openssl s_time -reuse`, session IDs), and the download rate of a 1 MiB
file over one kept-alive TLS connection (curl, 10 transfers a round);
each alternating the two servers ROUNDS times, medians, and the peak RSS
of each server afterwards, with the ratios mirari/nginx.

nginx runs as a user would tune it for this comparison: one worker,
access_log off, TLS 1.2 only with the suites mirari offers (ECDHE with
AES-GCM or ChaCha20-Poly1305), a shared session cache and no session
tickets (so both resume by session ID).

usage: bench/tls.py BUILD_DIR   (BUILD_DIR holds bin/mirari, see Makefile)
env:   ROUNDS (3), DURATION seconds per s_time run (4)
"""

import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# bench/http.py's helpers, loaded under another name than the standard
# library's http package.
_spec = importlib.util.spec_from_file_location("bench_http", Path(__file__).with_name("http.py"))
_http = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_http)
REPO, free_port, make_site, rss_kib = _http.REPO, _http.free_port, _http.make_site, _http.rss_kib
children, start_nginx, stop, wait_listening = (_http.children, _http.start_nginx, _http.stop,
                                               _http.wait_listening)

ROUNDS = int(os.environ.get("ROUNDS", "3"))
DURATION = int(os.environ.get("DURATION", "4"))
SUITES = "ECDHE+AESGCM:ECDHE+CHACHA20"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certs(d):
    (d / "san.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=bench-ca", cwd=d)
    for name, newkey in {"ecdsa": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
                         "rsa": ["-newkey", "rsa:2048"]}.items():
        openssl("req", *newkey, "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", "/CN=localhost", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "1", "-extfile", "san.cnf",
                cwd=d)


def start_mirari(build, site, certs, kind, http, https):
    tool = str(build / "bin" / "mirari")
    subprocess.run([tool, "-q", "configure", f"--tls-cert={certs}/{kind}.pem",
                    f"--tls-key={certs}/{kind}.key"], cwd=site, check=True)
    subprocess.run([tool, "-q", "build"], cwd=site, check=True)
    exe = next(site.glob("mir-*"))
    return subprocess.Popen([str(exe), f"--http-port={http}", f"--https-port={https}",
                             "--log-level=warn"], cwd=site)


def nginx_tls(certs, kind, port):
    """The server block for start_nginx: TLS on port with the certificate."""
    return f"""
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {certs}/{kind}.pem;
        ssl_certificate_key {certs}/{kind}.key;
        ssl_protocols TLSv1.2;
        ssl_ciphers {SUITES};
        ssl_session_cache shared:SSL:1m;
        ssl_session_tickets off;
"""


def s_time(port, mode):
    """Handshakes per second of wall time: s_time's count over its run."""
    out = subprocess.run(["openssl", "s_time", "-connect", f"127.0.0.1:{port}", f"-{mode}",
                          "-tls1_2", "-time", str(DURATION)],
                         capture_output=True, text=True, timeout=DURATION * 10).stdout
    m = re.search(r"(\d+) connections in (\d+) real seconds", out)
    if m is None:
        raise RuntimeError(f"s_time -{mode} on {port}: {out}")
    return int(m.group(1)) / max(int(m.group(2)), 1)


def download(port, certs):
    """MiB/s of 10 transfers of 1m.bin on one connection, the median."""
    url = f"https://localhost:{port}/1m.bin"
    out = subprocess.run(["curl", "-s", "--cacert", f"{certs}/ca.pem", "--resolve",
                          f"localhost:{port}:127.0.0.1", "-w", "%{speed_download}\\n",
                          *(["-o", "/dev/null", url] * 10)],
                         capture_output=True, text=True, check=True).stdout
    return statistics.median(float(x) for x in out.split()) / (1 << 20)


def run_kind(build, tmp, site, certs, kind):
    http, mport, nport = free_port(), free_port(), free_port()
    servers = {"mirari": start_mirari(build, site, certs, kind, http, mport)}
    ntmp = tmp / f"nginx-{kind}"
    ntmp.mkdir()
    servers["nginx"] = start_nginx(ntmp, site / "files", nport,
                                   listen=nginx_tls(certs, kind, nport))
    ports = {"mirari": mport, "nginx": nport}
    runs = {n: {"new": [], "reuse": [], "mib": []} for n in servers}
    try:
        wait_listening(mport, servers["mirari"])
        wait_listening(nport, servers["nginx"])
        for _ in range(ROUNDS):
            for name in ("mirari", "nginx"):  # alternate
                runs[name]["new"].append(s_time(ports[name], "new"))
                runs[name]["reuse"].append(s_time(ports[name], "reuse"))
                runs[name]["mib"].append(download(ports[name], certs))
        rss = {"mirari": rss_kib([servers["mirari"].pid]),
               "nginx": rss_kib([servers["nginx"].pid] + children(servers["nginx"].pid))}
    finally:
        for p in servers.values():
            stop(p)
    med = {n: {k: statistics.median(v) for k, v in r.items()} for n, r in runs.items()}
    return med, rss


def main():
    build = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "build").resolve()
    for tool in ("openssl", "nginx", "curl"):
        if not shutil.which(tool):
            sys.exit(f"bench/tls.py: {tool} is missing: apt-get install openssl nginx-light curl")
    with tempfile.TemporaryDirectory(prefix="mirari-bench-") as t:
        tmp = Path(t)
        os.chmod(tmp, 0o755)  # nginx's worker reads the files as nobody
        site = make_site(tmp)
        certs = tmp / "certs"
        certs.mkdir()
        make_certs(certs)
        results = {kind: run_kind(build, tmp, site, certs, kind) for kind in ("ecdsa", "rsa")}

    print(f"openssl s_time and curl, {ROUNDS} alternating rounds ({DURATION} s per s_time run),"
          f" medians; mirari unix-socket (BearSSL) vs nginx (1 worker, OpenSSL), TLS 1.2")
    print(f"{'cert':6} {'measure':22} {'mirari':>9} {'nginx':>9} {'ratio':>6}")
    for kind, (med, rss) in results.items():
        for key, label in (("new", "full handshakes/s"), ("reuse", "resumed handshakes/s"),
                           ("mib", "1 MiB download MiB/s")):
            m, n = med["mirari"][key], med["nginx"][key]
            print(f"{kind:6} {label:22} {m:>9.1f} {n:>9.1f} {m / n if n else 0:>6.2f}")
        print(f"{kind:6} {'peak RSS KiB':22} {rss['mirari']:>9} {rss['nginx']:>9} "
              f"{rss['mirari'] / rss['nginx']:>6.2f}   (nginx: master+worker)")


if __name__ == "__main__":
    main()
