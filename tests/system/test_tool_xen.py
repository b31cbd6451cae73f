# SPDX-License-Identifier: ISC
"""The xen target of the mirari command: configure writes _build/NAME.xl
(parsed back here as xl reads it), build makes mir-NAME.xen (the qemu
target's PVH kernel), run drives xl. This machine has no Xen, so run is
checked twice: without xl (the one clear error) and with MIRARI_XL naming a
fake xl written by the test, which logs the commands it gets and plays a
domain that powers off or crashes (or runs until destroyed)."""

import os
import re
import signal
import subprocess
import time

from conftest import BUILD  # noqa: F401  (MIRARI_BUILD: the build under test)
from test_tool import make_app, mi, ok, HELLO_C


def parse_xl(text):
    """xl's configuration syntax: KEY = VALUE lines, values numbers,
    strings in double or single quotes, lists of those in brackets."""
    out = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = re.fullmatch(r"([a-z_][a-z0-9_]*) = (.*)", line)
        assert m, line
        key, v = m.groups()
        if v.startswith("["):
            assert v.endswith("]"), line
            items = re.findall(r"""\s*("[^"]*"|'[^']*'|\d+)\s*(?:,|$)""", v[1:-1])
            out[key] = [i[1:-1] if i[0] in "'\"" else int(i) for i in items]
        elif v[0] in "'\"":
            assert v[-1] == v[0] and v[0] not in v[1:-1], line
            out[key] = v[1:-1]
        else:
            assert v.isdigit(), line
            out[key] = int(v)
    return out


def test_configure_hello(mirari, app_copy):
    app = app_copy("hello")
    ok(mirari, "configure", "--xen", cwd=app)
    xl = parse_xl((app / "_build/hello.xl").read_text())
    assert xl == {"name": "hello", "type": "pvh", "kernel": str(app.resolve() / "mir-hello.xen"),
                  "memory": 32, "cmdline": ""}
    assert "_build/hello.xl" in (app / "_build/manifest").read_text().split()
    ok(mirari, "clean", cwd=app)
    assert not (app / "_build").exists()


def test_configure_static_website(mirari, app_copy):
    app = app_copy("static-website")
    ok(mirari, "configure", "--xen", "--log-level=debug", "--app-greeting=hi there", cwd=app)
    xl = parse_xl((app / "_build/static-website.xl").read_text())
    assert xl["kernel"] == str(app.resolve() / "mir-static-website.xen")
    # The boot arguments run -t qemu passes, then app- keys, then (no
    # ip-address, no DHCP) the tap targets' default address; a word with a
    # blank in the kernel's double quotes, so the xl string in single ones.
    assert xl["cmdline"] == ('--http-port=8080 --http-address=* --log-level=debug '
                             '"--app-greeting=hi there" --ip-address=10.0.0.2 '
                             '--ip-netmask=255.255.255.0 --ip-gateway=10.0.0.1')
    # main-http uses the network: a vif with that address.
    assert xl["vif"] == ["ip=10.0.0.2"]
    # With DHCP, no address: the vif is whatever the bridge gives.
    ok(mirari, "configure", "--xen", "--ip-use-dhcp=true", cwd=app)
    xl = parse_xl((app / "_build/static-website.xl").read_text())
    assert "ip-address" not in xl["cmdline"] and xl["vif"] == [""]


def test_seed_xl_keys(mirari, tmp_path):
    conf = ("main-ip: echo_main\nip-address: 10.0.0.2\nxl-memory: 48\nxl-on_crash: preserve\n"
            "xl-vif: [ 'mac=00:16:3E:74:34:32' ]\nxl-acpi: false\nxl-vcpus: 2\n")
    app = make_app(tmp_path / "a", conf, echo__c="int echo_main(void *n) { return 0; }\n")
    ok(mirari, "configure", "--xen", cwd=app)
    text = (app / "_build/app.xl").read_text()
    assert "vif = [ 'mac=00:16:3E:74:34:32' ]\n" in text
    xl = parse_xl(text)
    assert xl["memory"] == 48 and xl["on_crash"] == "preserve" and xl["acpi"] == 0
    assert xl["vcpus"] == 2 and xl["vif"] == ["mac=00:16:3E:74:34:32"]
    assert xl["cmdline"] == "--ip-address=10.0.0.2"
    # Without xl-vif, the static address goes into the vif's ip=.
    (app / "app.conf").write_text("main-ip: echo_main\nip-address: 10.0.0.2\n")
    ok(mirari, "configure", "--xen", cwd=app)
    assert parse_xl((app / "_build/app.xl").read_text())["vif"] == ["ip=10.0.0.2"]


def test_bad_xl_keys(mirari, tmp_path):
    conf = ("main-noip: hello_main\nxl-memory: lots\nxl-vif: [ 'mac=1'\nxl-on_crash: explode\n"
            "xl-kernel: /boot/x\nxl-extra_x: 'a\nxl-foo: a\\b\napp-msg: say \"hi\"\n")
    app = make_app(tmp_path / "a", conf, hello__c=HELLO_C)
    r = mi(mirari, "configure", "--xen", cwd=app)
    assert r.returncode == 2, r.stderr
    for line, key in [(2, "xl-memory"), (3, "xl-vif"), (4, "xl-on_crash"), (5, "xl-kernel"),
                      (6, "xl-extra_x"), (7, "xl-foo"), (8, "app-msg")]:
        assert f"app.conf:{line}: {key}: " in r.stderr, (key, r.stderr)
    assert not (app / "_build/app.xl").exists()


def test_build_xen_image(mirari, app_copy):
    app = app_copy("hello")
    r = ok(mirari, "build", "--xen", cwd=app)
    assert "built mir-hello.xen (xen," in r.stdout
    image = (app / "mir-hello.xen").read_bytes()
    assert image[:4] == b"\x7fELF"
    notes = subprocess.run(["readelf", "-n", str(app / "mir-hello.xen")], capture_output=True,
                           text=True, check=True).stdout
    # XEN_ELFNOTE_PHYS32_ENTRY (18): the PVH entry point Xen and QEMU use.
    assert re.search(r"^\s*Xen\s+0x[0-9a-f]+\s+Unknown note type: \(0x00000012\)", notes, re.M)
    ok(mirari, "clean", cwd=app)
    assert not (app / "mir-hello.xen").exists()


def test_run_without_xen(mirari, app_copy, tmp_path):
    app = app_copy("hello")
    env = dict(os.environ, PATH="/usr/bin:/bin")
    r = mi(mirari, "run", "--xen", cwd=app, env=dict(env, MIRARI_XL=str(tmp_path / "no-xl")))
    assert r.returncode == 1
    assert "not found: running on Xen needs the Xen hypervisor" in r.stderr
    assert "Traceback" not in r.stderr
    # xl is there, Xen is not: xl info fails.
    fake = tmp_path / "xl"
    fake.write_text("#!/bin/sh\necho 'xencall: error: Could not obtain handle' >&2\nexit 1\n")
    fake.chmod(0o755)
    r = mi(mirari, "run", "--xen", cwd=app, env=dict(env, MIRARI_XL=str(fake)))
    assert r.returncode == 1
    assert f"`{fake} info` failed (status 1): Xen is not running here" in r.stderr


# A fake xl: logs each command line, keeps the domain's state in a file.
# create -c prints a console line, runs for a moment, then ends the
# domain as FAKE_END says (---s--: powered off, ---sc-: crashed, or
# nothing: runs until destroyed) and, like xl's console, returns once
# the domain is destroyed.
FAKE_XL = r"""#!/bin/sh
d=$FAKE_DIR
echo "$*" >> "$d/log"
case "$1" in
info) echo "host : fake"; exit 0 ;;
list)
    [ -f "$d/state" ] || { echo "invalid domain identifier" >&2; exit 1; }
    echo "Name                                        ID   Mem VCPUs	State	Time(s)"
    echo "$2                                         7    32     1     $(cat "$d/state")       0.1"
    ;;
destroy) [ -f "$d/state" ] || exit 1; rm -f "$d/state" ;;
create)
    echo "r-----" > "$d/state"
    echo "console: hello from the fake domain"
    sleep 0.5
    [ -n "$FAKE_END" ] && echo "$FAKE_END" > "$d/state"
    while [ -f "$d/state" ]; do sleep 0.1; done
    ;;
esac
"""


def fake_env(tmp_path, end):
    fake = tmp_path / "fake-xl"
    fake.write_text(FAKE_XL)
    fake.chmod(0o755)
    return dict(os.environ, MIRARI_XL=str(fake), FAKE_DIR=str(tmp_path), FAKE_END=end)


def log(tmp_path):
    return (tmp_path / "log").read_text().splitlines()


def test_run_poweroff(mirari, app_copy, tmp_path):
    app = app_copy("hello")
    env = fake_env(tmp_path, "---s--")
    r = mi(mirari, "run", "--xen", "--", "--log-level=debug", cwd=app, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "console: hello from the fake domain" in r.stdout
    cmds = [c for c in log(tmp_path) if not c.startswith("list")]
    assert cmds == ["info",
                    'create -c _build/hello.xl on_poweroff="preserve" on_crash="preserve" '
                    'cmdline="--log-level=debug"',
                    "destroy hello"], cmds
    assert not (tmp_path / "state").exists()


def test_run_crash(mirari, app_copy, tmp_path):
    app = app_copy("hello")
    r = mi(mirari, "run", "--xen", cwd=app, env=fake_env(tmp_path, "---sc-"), timeout=60)
    assert r.returncode == 139
    assert "hello crashed or exited with a non-zero status" in r.stderr
    assert log(tmp_path)[-1] == "destroy hello"


def test_run_crash_preserved(mirari, app_copy, tmp_path):
    app = app_copy("hello")
    with open(app / "hello.conf", "a") as f:
        f.write("xl-on_crash: preserve\n")
    r = mi(mirari, "run", "--xen", cwd=app, env=fake_env(tmp_path, "---sc-"), timeout=60)
    assert r.returncode == 139
    assert "the domain is kept as xl-on_crash: preserve asks" in r.stderr
    assert "`xl console hello`" in r.stderr and "`xl destroy hello`" in r.stderr
    assert not any(c.startswith("destroy") for c in log(tmp_path))
    assert (tmp_path / "state").read_text().strip() == "---sc-"


def test_run_interrupted(mirari, app_copy, tmp_path):
    app = app_copy("hello")
    ok(mirari, "build", "--xen", cwd=app)
    env = fake_env(tmp_path, "")
    p = subprocess.Popen([str(mirari), "run", "--xen"], cwd=app, env=env, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not (tmp_path / "state").exists():
        assert time.monotonic() < deadline and p.poll() is None
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 130, err
    assert log(tmp_path)[-1] == "destroy hello"
    assert "destroyed domain hello" in err
    assert not (tmp_path / "state").exists()


def test_run_domain_exists(mirari, app_copy, tmp_path):
    app = app_copy("hello")
    env = fake_env(tmp_path, "")
    (tmp_path / "state").write_text("-b----\n")
    r = mi(mirari, "run", "--xen", cwd=app, env=env, timeout=60)
    assert r.returncode == 1
    assert "a domain named hello already exists" in r.stderr
    assert not any(c.startswith(("create", "destroy")) for c in log(tmp_path))
