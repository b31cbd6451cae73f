# SPDX-License-Identifier: ISC
"""unix-direct downloads under packet loss: static-website (own TCP/IP
stack, started by `mirari run --unix` on a tap in a namespace the test
makes) serves a 3 MiB file to curl on the Linux side, while nftables in
that namespace drops a share of the server's TCP segments at random (the
download direction: the own stack is the sender that has to recover).

The file must arrive byte for byte, curl must succeed, and the unikernel
must not give up on a peer that keeps acknowledging (no retransmission
timeout reset, issue 12). The loss must really have happened: the
nftables rule counts what it dropped. Speed is not tested here (see
bench/loss.py)."""

import hashlib
import os
import random
import re
import subprocess

import pytest

from conftest import copy_example
from direct_env import Unikernel, drops, ns

ADDR = "10.0.0.2"  # what mirari run gives an app without an address
SIZE = 3 << 20


@pytest.fixture(scope="module")
def site(mirari, tmp_path_factory):
    """static-website for unix-direct with files/big.bin; (app dir, bytes)."""
    app = copy_example("static-website", tmp_path_factory.mktemp("direct-loss") / "site")
    data = random.Random(12).randbytes(SIZE)
    (app / "files" / "big.bin").write_bytes(data)
    for cmd in ("configure", "build"):
        r = subprocess.run([str(mirari), cmd, "--unix"], cwd=app, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    return app, data


def set_loss(netns_name, pct):
    """Drop pct% of the server's TCP segments as they reach the namespace."""
    rules = f"""table inet loss {{
    chain in {{
        type filter hook input priority 0;
        ip saddr {ADDR} meta l4proto tcp numgen random mod 100 < {pct} counter drop;
    }}
}}
"""
    ns(netns_name, "nft", "-f", "-", input=rules)


def dropped(netns_name):
    out = ns(netns_name, "nft", "list", "table", "inet", "loss").stdout
    return int(re.search(r"counter packets (\d+)", out).group(1))


@pytest.mark.parametrize("cc", ["bbr", "newreno"])
@pytest.mark.parametrize("pct", [5, 20])
def test_download_under_loss(netns, mirari, site, tmp_path, pct, cc):
    """With either congestion control: BBR's (the default), or NewReno's
    chosen by the boot argument tcp-congestion."""
    app, data = site
    name = netns()
    args = ["--log-level=debug"] + ([f"--tcp-congestion={cc}"] if cc != "bbr" else [])
    u = Unikernel(name, [str(mirari), "run", "--unix", "--", *args],
                  tmp_path / "web.log", r"serving HTTP", cwd=app)
    out = tmp_path / "big.bin"
    try:
        set_loss(name, pct)
        r = ns(name, "curl", "-sS", "-o", str(out), "--retry", "0", "--max-time", "900",
               f"http://{ADDR}:8080/big.bin", check=False, timeout=960)
        assert r.returncode == 0, r.stderr
        got = out.read_bytes()
        assert len(got) == SIZE
        assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
        assert dropped(name) > 0
    finally:
        u.stop()
    log = u.text()
    assert "Sanitizer" not in log
    assert ("net: TCP congestion control newreno" in log) == (cc == "newreno"), log[:2000]
    # The stack never timed the connection out, and the server never gave
    # up on a client that stopped reading: the peer answered throughout.
    assert drops(log).get("tcp_timeout", 0) == 0, log[-2000:]
    assert "client stopped reading" not in log
    if pct == 20:
        # At 20% some retransmissions are lost too (about one in five of
        # some hundreds): RACK (RFC 8985) finds them by send time and
        # sends them again without waiting for a timeout. The stack logs
        # each at debug level under its counter's name.
        assert drops(log).get("tcp_rack_lost_rexmit", 0) > 0, log[-2000:]
    os.remove(out)
