# SPDX-License-Identifier: ISC
"""The kernel's random numbers (platform/pvh/entropy.c, platform/rng/rng.c):

  - where it finds entropy: the CPU's RDSEED/RDRAND, else a virtio-rng
    device (virtio-mmio on microvm, legacy virtio-pci on pc); with
    neither, one WARNING line at boot and entropy_is_weak() is true, and
    the program still runs;
  - `mirari run -t qemu` gives QEMU a virtio-rng device, which a CPU
    without RDRAND/RDSEED then uses;
  - the DRBG's output through getrandom(), a stream longer than its
    reseed volume, passes rngtest's FIPS 140-2 tests (and a biased copy
    of it does not, so the check can fail);
  - two boots of one image answer the same SYNs with unrelated initial
    sequence numbers (the stack's hash key is the DRBG's, RFC 6528).

The guest tests/qemu/rng_stream.c says whether the kernel is weak, then
writes N bytes of getrandom() output in hex."""

import json
import re
import shutil
import signal
import subprocess

import pytest

from conftest import BUILD
from direct_env import HERE, PYTHON, ns
from test_qemu_tap import Run, assert_nothing_left, build_qemu

QEMU = shutil.which("qemu-system-x86_64")
pytestmark = pytest.mark.skipif(QEMU is None, reason="qemu-system-x86_64 is not installed")

WARNING = "mirari: WARNING: no entropy source"
EXIT_0 = 3  # exit(0) through isa-debug-exit (platform/x86_64/exit.c)
NO_RNG_CPU = "qemu64,-rdrand,-rdseed"
MICROVM = ["-M", "microvm,acpi=off,pit=on,pic=on,rtc=on", "-global",
           "virtio-mmio.force-legacy=false"]
MACHINES = {"microvm": (MICROVM, "virtio-rng-device"), "pc": (["-M", "pc"], "virtio-rng-pci")}


def boot_stream(nbytes, cpu="max", machine="microvm", rng_device=False, timeout=300):
    """Boot rng_stream; returns (exit status, console text, decoded bytes)."""
    image = BUILD / "qemu" / "rng_stream.pvh"
    assert image.is_file(), f"{image} missing: build with `make BUILD=... tests`"
    opts, dev = MACHINES[machine]
    cmd = [QEMU, *opts, "-accel", "tcg", "-cpu", cpu, "-m", "32", "-nodefaults",
           "-no-user-config", "-no-reboot", "-display", "none", "-serial", "stdio",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-kernel", str(image), "-append", str(nbytes)]
    if rng_device:
        cmd += ["-device", dev]
    p = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    out = p.stdout.decode(errors="replace").replace("\r", "")
    lines = out.split("\n")
    data = bytes.fromhex("".join(l for l in lines if re.fullmatch(r"[0-9a-f]+", l)))
    return p.returncode, out + p.stderr.decode(errors="replace"), data


@pytest.mark.parametrize("cpu, machine, device, weak, virtio", [
    ("max", "microvm", False, False, False),           # RDSEED/RDRAND
    ("qemu64,+rdrand,-rdseed", "microvm", False, False, False),  # RDRAND alone
    (NO_RNG_CPU, "microvm", False, True, False),      # nothing: the warning
    (NO_RNG_CPU, "microvm", True, False, True),       # virtio-rng over MMIO
    (NO_RNG_CPU, "pc", False, True, False),
    (NO_RNG_CPU, "pc", True, False, True),            # virtio-rng over legacy PCI
])
def test_entropy_source_and_warning(cpu, machine, device, weak, virtio):
    status, out, data = boot_stream(64, cpu, machine, device)
    assert status == EXIT_0, out
    assert f"rng: weak={int(weak)}" in out, out
    # One clear line when there is no source, none otherwise; the
    # program runs either way.
    assert out.count(WARNING) == (1 if weak else 0), out
    assert ("mirari: entropy from virtio-rng" in out) == virtio, out
    assert len(data) == 64 and "rng: end" in out


def rngtest(data):
    r = subprocess.run(["rngtest"], input=data, capture_output=True)
    text = r.stderr.decode()
    ok = int(re.search(r"FIPS 140-2 successes: (\d+)", text).group(1))
    bad = int(re.search(r"FIPS 140-2 failures: (\d+)", text).group(1))
    return ok, bad, text


@pytest.mark.skipif(shutil.which("rngtest") is None,
                    reason="rngtest is not installed (Debian package rng-tools5)")
def test_drbg_stream_passes_fips_140_2():
    # 1.25 MB: more than DRBG_RESEED_BYTES (1 MiB), so a reseed from the
    # CPU happens inside the stream. rngtest checks 20000-bit blocks
    # (its first 32 bits prime the continuous-run test).
    n = 1250000
    status, out, data = boot_stream(n)
    assert status == EXIT_0 and len(data) == n, out[-2000:]
    ok, bad, text = rngtest(data)
    assert ok + bad == n * 8 // 20000 - 1, text
    # A good source fails a FIPS 140-2 block now and then (about 1 in
    # 1000 blocks, mostly the runs test): a handful of 499 is allowed,
    # a broken generator fails nearly all of them.
    assert bad <= 4, text
    # The check can fail: the same stream with every eighth byte zeroed.
    biased = bytes(0 if i % 8 == 0 else b for i, b in enumerate(data))
    ok2, bad2, text2 = rngtest(biased)
    assert bad2 > ok2, text2


@pytest.fixture(scope="module")
def site(mirari, tmp_path_factory):
    return build_qemu(mirari, tmp_path_factory.mktemp("entropy-site"))


def isns(name, sports):
    r = ns(name, PYTHON, str(HERE / "scapy_isn.py"), "10.0.0.2", "8080",
           *[str(p) for p in sports], timeout=120)
    got = json.loads(r.stdout)
    assert None not in got, got
    return got


def test_isns_differ_across_boots(netns, mirari, site, tmp_path):
    sports = [40001, 40002, 40003, 40004]
    seen = []
    for boot in range(2):
        name = netns()
        d = tmp_path / f"boot{boot}"
        d.mkdir()
        run = Run(name, mirari, site, d, r"serving HTTP")
        try:
            assert WARNING not in run.text()
            seen.append(isns(name, sports))
        finally:
            assert run.uk.stop(signal.SIGINT) == 128 + signal.SIGINT, run.text()
        assert_nothing_left(run)
    first, second = seen
    assert all(a != b for a, b in zip(first, second)), seen
    # ISN = M + F(4-tuple, key), M a 4 us clock (RFC 6528). With one key
    # for both boots the differences per port would all be about the
    # same (the clock's); with unrelated keys they are unrelated numbers.
    diffs = [(b - a) % 2**32 for a, b in zip(first, second)]
    assert len({x >> 24 for x in diffs}) > 1, (seen, diffs)


def test_run_qemu_offers_virtio_rng(netns, mirari, site, tmp_path):
    # A CPU without RDRAND/RDSEED (a QEMU wrapper replacing -cpu): the
    # device `mirari run -t qemu` adds is what the kernel seeds from.
    wrapper = tmp_path / "qemu-no-rdrand"
    wrapper.write_text(f"""#!/bin/sh
prev=
for a; do
    shift
    [ "$prev" = -cpu ] && a={NO_RNG_CPU}
    prev=$a
    set -- "$@" "$a"
done
exec {QEMU} "$@"
""")
    wrapper.chmod(0o755)
    for machine in ("microvm", "pc"):
        name = netns()
        d = tmp_path / machine
        d.mkdir()
        run = Run(name, mirari, site, d, r"serving HTTP", machine,
                  env={"MIRARI_QEMU": str(wrapper)})
        try:
            assert "mirari: entropy from virtio-rng" in run.text(), run.text()
            assert WARNING not in run.text()
            assert isns(name, [40001])[0] is not None
        finally:
            assert run.uk.stop(signal.SIGINT) == 128 + signal.SIGINT, run.text()
        assert_nothing_left(run)
