# SPDX-License-Identifier: ISC
"""examples/hello built by the installed mirari and run as a process
(unix-socket): boot arguments (--help, errors, exit statuses), the log
format, and a main-noip program that ends when its timer stops."""

import re
import subprocess

import pytest

from conftest import REPO, copy_example

BOOT_KEYS = ["ip-use-dhcp", "ip-address", "ip-netmask", "ip-gateway",
             "http-port", "http-address", "log-level"]
LOG_LINE = re.compile(r"^\[ *\d+\.\d{6}\] (error|warn|info|debug): ")


@pytest.fixture(scope="module")
def hello(mirari, tmp_path_factory):
    """Path of the built hello image."""
    app = tmp_path_factory.mktemp("hello") / "hello"
    copy_example("hello", app)
    subprocess.run([str(mirari), "build"], cwd=app, check=True, capture_output=True)
    images = [p for p in app.glob("mir-*") if p.is_file()]
    assert len(images) == 1, images
    return images[0]


def run(image, *args):
    return subprocess.run([str(image), *args], capture_output=True, text=True, timeout=60)


def test_help_lists_every_boot_key(hello):
    r = run(hello, "--help")
    assert r.returncode == 0
    out = r.stdout + r.stderr
    for key in BOOT_KEYS:
        assert f"--{key}=" in out
    # The compiled or built-in default of each key is shown.
    assert "(default: 80)" in out
    assert "(default: *)" in out
    assert "(default: info)" in out
    # Build-time keys are not boot arguments.
    assert "--main-noip" not in out
    assert "--version" in out


def test_version(hello):
    r = run(hello, "--version")
    assert r.returncode == 0
    # What was asked for goes to standard output, as any program's.
    assert re.search(r"mirari \d+\.\d+\.\d+", r.stdout)
    assert r.stderr == ""


@pytest.mark.parametrize("arg, message", [
    ("--http-port=abc",
     '--http-port: "abc" is not valid; expected a number from 1 to 65535'),
    ("--ip-address=10.0.0.256", '--ip-address: "10.0.0.256" is not valid'),
    ("--log-level=loud", "expected error, warn, info or debug"),
    ("--htp-port=8080", "unknown boot argument --htp-port; did you mean --http-port?"),
    ("--main-noip=other", "--main-noip is fixed when the application is built"),
    ("--app-greeting=hi", "unknown boot argument --app-greeting; this application declares no "
     "app- keys"),
    ("stray", 'unexpected argument "stray"'),
    ("--net-fd=x", "--net-fd=N"),
])
def test_bad_boot_argument_exits_2(hello, arg, message):
    r = run(hello, arg)
    assert r.returncode == 2
    assert message in r.stderr
    # Named like any Unix tool's complaint, and nothing ran.
    assert re.search(r"^mir-\w+: ", r.stderr, re.M)
    assert "tick" not in r.stderr


def test_ticks_then_exits_0(hello):
    r = run(hello)
    assert r.returncode == 0
    lines = r.stderr.splitlines()
    assert all(LOG_LINE.match(line) for line in lines), lines
    text = [LOG_LINE.sub("", line) for line in lines]
    assert text[0].startswith("Hello from ")
    assert text[1:4] == ["tick 1", "tick 2", "tick 3"]
    # Time since start, increasing, 100 ms timers never early.
    stamps = [float(re.match(r"^\[ *([\d.]+)\]", line).group(1)) for line in lines]
    assert stamps == sorted(stamps)
    assert stamps[3] - stamps[0] >= 0.3


def test_boot_arguments_override(hello):
    # log-level error hides the info lines; both forms are accepted; the
    # socket target accepts (and ignores) the ip-* keys.
    r = run(hello, "--log-level", "error", "--ip-address=10.0.0.2", "--ip-use-dhcp",
            "--http-port=8080")
    assert r.returncode == 0
    assert r.stderr == ""


def test_platform_argument_is_taken_out(hello):
    # --net-fd belongs to the unix platform (unix-direct's tap device); the
    # socket runtime accepts it without using it.
    r = run(hello, "--net-fd=9", "--log-level=error")
    assert r.returncode == 0, r.stderr
