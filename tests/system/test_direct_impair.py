# SPDX-License-Identifier: ISC
"""unix-direct under impairment: the echo unikernel runs behind relay.py,
which moves frames between the tap and the unikernel with seeded loss,
duplication, reordering, corruption and delay. The Linux stack on the
other side sends data through it and gets it back; the bytes must be the
same every time."""

import os
import re

import pytest

from direct_env import Unikernel, build, echo_transfer, make_tap, relay_argv, same

ADDR = "10.0.0.2"
ARGS = [f"--ip-address={ADDR}", "--ip-netmask=255.255.255.0", "--log-level=info"]

# name, relay options (the seed is 7 unless they say), bytes sent (and
# echoed back). Under 20% loss the own stack used to stall for a minute
# or more (issue 12): its RTO stayed doubled after data was acknowledged,
# one timestamp echo of a duplicate made it 14 s, and Linux's window
# probes (all it sends while our window is closed) had their ACKs
# ignored. Seeds 3 and 14 stalled that way; they stay here.
CASES = [
    ("loss-5", ["--loss", "5"], 10 << 20),
    ("loss-20", ["--loss", "20"], 256 << 10),
    ("loss-20-seed-3", ["--loss", "20", "--seed", "3"], 256 << 10),
    ("loss-20-seed-14", ["--loss", "20", "--seed", "14"], 256 << 10),
    ("loss-20-1m", ["--loss", "20", "--seed", "21"], 1 << 20),
    ("reorder", ["--reorder", "25", "--jitter", "20"], 4 << 20),
    ("duplicate", ["--dup", "20"], 4 << 20),
    ("corrupt", ["--corrupt", "5"], 4 << 20),
    ("delay-100ms", ["--delay", "100"], 1 << 20),
    ("everything", ["--loss", "5", "--dup", "5", "--reorder", "10", "--corrupt", "2",
                    "--delay", "20"], 2 << 20),
]


@pytest.fixture(scope="module")
def echo_image(mirari, tmp_path_factory):
    return build(mirari, "echo", tmp_path_factory.mktemp("impair-echo"))


@pytest.mark.parametrize("name,impair,size", CASES, ids=[c[0] for c in CASES])
def test_echo_under_impairment(netns, echo_image, tmp_path, name, impair, size):
    ns = netns()
    tap = make_tap(ns)
    seed = [] if "--seed" in impair else ["--seed", "7"]
    u = Unikernel(ns, relay_argv(tap, echo_image, ARGS, [*seed, *impair]),
                  tmp_path / "relay.log", r"echo: listening")
    try:
        data = os.urandom(size)
        # A stall (no byte for 3 minutes) fails rather than waiting out the
        # default 10.
        got, secs = echo_transfer(ns, ADDR, 7, data, timeout=180)
        assert same(got, data)
        print(f"{name}: {size >> 10} KiB echoed in {secs:.1f} s")
    finally:
        u.stop()
    log = u.text()
    assert "Sanitizer" not in log
    # The relay did impair (its summary line), so the test tested something.
    m = re.search(r"relay: frames (\d+), dropped (\d+), duplicated (\d+), corrupted (\d+), "
                  r"reordered (\d+)", log)
    assert m, log
    frames, dropped, duplicated, corrupted, reordered = map(int, m.groups())
    assert frames > 0
    for opt, n in (("--loss", dropped), ("--dup", duplicated), ("--corrupt", corrupted),
                   ("--reorder", reordered)):
        if opt in impair:
            assert n > 0, (opt, log)
