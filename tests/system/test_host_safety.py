# SPDX-License-Identifier: ISC
"""The host side of `mirari run --unix` is the user's to choose and mirari
never takes a subnet the host already routes: in a namespace the test
makes, a route to 10.0.0.0/16 (a VPN's, say) makes the default 10.0.0.1/24
tap a clear error naming the route, --tap-address gives another subnet
(the app then takes the address next to it), and --tap=NAME runs on a tap
made beforehand, left as it was."""

import re
import subprocess

import pytest

from direct_env import Unikernel, build, make_tap, ns


@pytest.fixture(scope="module")
def echo_app(mirari, tmp_path_factory):
    return build(mirari, "echo", tmp_path_factory.mktemp("host-safety")).parent


def routed_ns(netns):
    """A namespace whose host routes 10.0.0.0/16 through a link of its own
    (one end of a veth pair: this kernel has no dummy links)."""
    name = netns()
    ns(name, "ip", "link", "add", "vpn0", "type", "veth", "peer", "name", "vpn1")
    ns(name, "ip", "link", "set", "vpn1", "up")
    ns(name, "ip", "addr", "add", "192.168.5.1/24", "dev", "vpn0")
    ns(name, "ip", "link", "set", "vpn0", "up")
    ns(name, "ip", "route", "add", "10.0.0.0/16", "via", "192.168.5.254")
    return name


def test_a_routed_subnet_is_refused_and_another_chosen(netns, mirari, echo_app, tmp_path):
    name = routed_ns(netns)
    r = ns(name, str(mirari), "run", "--unix", cwd=echo_app, check=False)
    assert r.returncode == 1
    assert re.search(r"the subnet of 10\.0\.0\.1/24 overlaps the host's route to "
                     r"10\.0\.0\.0/16 via 192\.168\.5\.254 on vpn0", r.stderr), r.stderr
    assert "--tap-address" in r.stderr
    links = ns(name, "ip", "-o", "link").stdout
    assert "mir" not in links, links  # nothing made
    u = Unikernel(name, [str(mirari), "run", "--unix", "--tap-address=10.9.0.1/24"],
                  tmp_path / "run.log", r"echo: listening", cwd=echo_app)
    try:
        assert "10.9.0.2" in u.text()
        assert ns(name, "ip", "-4", "-o", "addr", "show", "mir0").stdout.count("10.9.0.1/24") == 1
        r = ns(name, "ping", "-c", "2", "-W", "2", "10.9.0.2", check=False)
        assert r.returncode == 0, r.stdout
    finally:
        u.stop()


def test_tap_flag_uses_a_tap_made_beforehand(netns, mirari, echo_app, tmp_path):
    name = netns()
    tap = make_tap(name, "given0", "10.0.0.1/24")
    u = Unikernel(name, [str(mirari), "run", "--unix", f"--tap={tap}"], tmp_path / "run.log",
                  r"echo: listening", cwd=echo_app)
    try:
        r = ns(name, "ping", "-c", "2", "-W", "2", "10.0.0.2", check=False)
        assert r.returncode == 0, r.stdout
    finally:
        u.stop()
    assert ns(name, "ip", "link", "show", tap).returncode == 0  # left as it was
    assert "mir0" not in ns(name, "ip", "-o", "link").stdout


def test_tap_flags_belong_to_run(mirari, echo_app):
    r = subprocess.run([str(mirari), "build", "--tap=x"], cwd=echo_app, capture_output=True,
                       text=True)
    assert r.returncode == 2 and "--tap is an option of mirari run, not of build" in r.stderr
