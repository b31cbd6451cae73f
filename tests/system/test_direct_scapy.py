# SPDX-License-Identifier: ISC
"""unix-direct against crafted input (python3-scapy from the host side of
the tap): ARP both ways, and a stream of malformed packets plus a SYN
flood, during which the unikernel keeps serving a normal client and after
which it has counted every kind of drop (each drop is logged at debug
level with its counter's name).

The unikernel is started by `mirari run --unix` on a tap the test made
beforehand (MIRARI_TAP), which is also how a user without privileges runs
it."""

import json
import os
import re
import subprocess

import pytest

from direct_env import HERE, PYTHON, Unikernel, build, drops, echo_transfer, make_tap, same

ADDR = "10.0.0.2"


@pytest.fixture(scope="module")
def echo_app(mirari, tmp_path_factory):
    return build(mirari, "echo", tmp_path_factory.mktemp("scapy-echo")).parent


def start_echo(ns, mirari, appdir, tap, log):
    env = dict(os.environ, MIRARI_TAP=tap, MIRARI_TAP_ADDRESS="10.0.0.1/24")
    return Unikernel(ns, [str(mirari), "run", "--unix", "--", "--log-level=debug",
                          f"--ip-address={ADDR}", "--ip-netmask=255.255.255.0"],
                     log, r"echo: listening", env=env, cwd=appdir)


def test_arp_both_ways(netns, mirari, echo_app, tmp_path):
    ns = netns()
    tap = make_tap(ns)
    sniff = subprocess.Popen(["ip", "netns", "exec", ns, PYTHON, str(HERE / "scapy_arp.py"),
                              tap, ADDR], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    try:
        assert sniff.stdout.readline().strip() == "sniffing"
        u = start_echo(ns, mirari, echo_app, tap, tmp_path / "echo.log")
        try:
            sniff.stdin.write("go\n")
            sniff.stdin.flush()
            result = json.loads(sniff.stdout.readline())
        finally:
            u.stop()
    finally:
        sniff.kill()
        sniff.wait()
    assert result == {"gratuitous": True, "reply_to_77": True, "asked_for_66": True,
                      "echo_reply_to_66": True}, result
    # The pre-created tap belongs to the test: mirari leaves it in place.
    subprocess.run(["ip", "-n", ns, "link", "show", tap], check=True, capture_output=True)


def test_crafted_input_and_syn_flood(netns, mirari, echo_app, tmp_path):
    ns = netns()
    tap = make_tap(ns)
    u = start_echo(ns, mirari, echo_app, tap, tmp_path / "echo.log")
    mac = re.search(r"mac ([0-9a-f:]{17})", u.text()).group(1)
    try:
        attack = subprocess.Popen(["ip", "netns", "exec", ns, PYTHON,
                                   str(HERE / "scapy_attack.py"), tap, ADDR, mac, "7"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # A normal client keeps being served while the attack goes on.
        served = 0
        while attack.poll() is None or served < 3:
            data = os.urandom(200000)
            got, _ = echo_transfer(ns, ADDR, 7, data, timeout=60)
            assert same(got, data)
            served += 1
        out, err = attack.communicate()
        assert attack.returncode == 0, err
        sent = json.loads(out)
        data = os.urandom(1 << 20)
        got, _ = echo_transfer(ns, ADDR, 7, data, timeout=60)
        assert same(got, data)
    finally:
        u.stop()
    log = u.text()
    assert "Sanitizer" not in log
    d = drops(log)
    print("sent:", sent)
    print("drops counted:", dict(sorted(d.items())))
    # Every malformed packet was dropped and counted under its reason.
    bad_header = (sent["ip_truncated"] + sent["ip_bad_version"] + sent["ip_ihl_short"] +
                  sent["ip_ihl_long"] + sent["ip_length_lies"])
    assert d.get("ip_drop_bad_header", 0) >= bad_header
    assert d.get("ip_drop_bad_checksum", 0) >= sent["ip_bad_checksum"]
    assert d.get("udp_drop_checksum", 0) >= sent["udp_bad_checksum"]
    assert d.get("tcp_drop_checksum", 0) >= sent["tcp_bad_checksum"]
    assert d.get("tcp_drop_bad_header", 0) >= sent["tcp_bad_offset"]
    assert d.get("tcp_drop_bad_flags", 0) >= sent["tcp_syn_fin"] + sent["tcp_syn_rst"]
    assert d.get("ip_reass_overlap", 0) >= sent["frag_overlap"] // 3
    assert d.get("ip_reass_bad", 0) >= sent["frag_too_long"]
    assert d.get("ip_reass_no_mem", 0) > 0  # endless and tiny fragments hit the bounds
    # The flood overflowed the SYN queue; the rest got SYN cookies.
    assert d.get("tcp_syn_queue_full", 0) > 0
