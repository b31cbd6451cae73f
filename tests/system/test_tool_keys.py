# SPDX-License-Identifier: ISC
"""Remembered keys, case by case, against the one rule of mirari(1):
configure remembers its target and keys in _build/configuration, starting
afresh from the configuration file; build and run use the remembered
target and keys, and a target or keys given to them apply to that command
only. Every command says on stderr what it takes from the file and what it
drops (issue 11, item 4)."""

import re

from conftest import REPO
from test_tool import HELLO_C, make_app, ok

RULE = ("configure remembers its target and keys in _build/configuration, starting afresh "
        "from the configuration file; build and run use the remembered target and keys, and "
        "a target or keys given to them apply to that command only.")


def hello(tmp_path):
    return make_app(tmp_path / "a", "main-noip: hello_main\nlog-level: info\n",
                    hello__c=HELLO_C)


def compiled(app, key, value):
    """The key's compiled-in value is value (the glue lists each key)."""
    return '{"%s", "%s"}' % (key, value) in (app / "_build/main.c").read_text()


def test_configure_keys_are_used_by_build_and_run_with_a_note(mirari, tmp_path):
    app = hello(tmp_path)
    ok(mirari, "configure", "--log-level=debug", "--app-colour=red", cwd=app)
    for cmd in ("build", "run"):
        r = ok(mirari, "-v", cmd, cwd=app)
        assert "note: using remembered keys: --log-level=debug --app-colour=red " \
               "(from _build/configuration; `mirari configure` resets them)" in r.stderr
        assert "configured" not in r.stdout
    assert "./mir-app --log-level=debug" in r.stderr
    # -q keeps notes quiet.
    assert "note:" not in ok(mirari, "-q", "build", cwd=app).stderr


def test_keys_given_to_build_or_run_apply_to_that_command_only(mirari, tmp_path):
    app = hello(tmp_path)
    ok(mirari, "configure", "--log-level=debug", "--app-colour=red", cwd=app)

    r = ok(mirari, "build", "--log-level=warn", "--app-size=3", cwd=app)
    assert "note: --log-level=warn replaces the remembered --log-level=debug for this " \
           "command only" in r.stderr
    assert "note: using remembered keys: --app-colour=red (" in r.stderr
    assert compiled(app, "log-level", "warn") and compiled(app, "app-size", "3")
    assert compiled(app, "app-colour", "red")

    # The next command goes back to what configure remembered, and says
    # which keys of the last one it drops.
    r = ok(mirari, "-v", "run", cwd=app)
    assert "note: dropping --log-level=warn: it was given to an earlier build or run, for " \
           "that command only (`mirari configure --log-level=warn` remembers it)" in r.stderr
    assert "note: dropping --app-size=3:" in r.stderr
    assert "./mir-app --log-level=debug" in r.stderr
    assert compiled(app, "log-level", "debug") and not compiled(app, "app-size", "3")
    assert "configured" in r.stdout

    # Nothing is left to drop the time after.
    r = ok(mirari, "build", cwd=app)
    assert "dropping" not in r.stderr and "up to date" in r.stdout

    # Keys given to run (the unikernel runs with them) are not remembered either.
    r = ok(mirari, "-v", "run", "--log-level=error", cwd=app)
    assert "./mir-app --log-level=error" in r.stderr
    assert "note: dropping --log-level=error:" in ok(mirari, "build", cwd=app).stderr


def test_configure_starts_afresh(mirari, tmp_path):
    app = hello(tmp_path)
    ok(mirari, "configure", "--log-level=debug", "--app-colour=red", cwd=app)
    r = ok(mirari, "configure", "--app-colour=blue", cwd=app)
    assert "note: configure starts afresh from app.conf and its own keys; no longer " \
           "remembered: --log-level=debug --app-colour=red" in r.stderr
    assert compiled(app, "log-level", "info") and compiled(app, "app-colour", "blue")
    r = ok(mirari, "build", cwd=app)
    assert "using remembered keys: --app-colour=blue (" in r.stderr
    r = ok(mirari, "configure", cwd=app)
    assert "no longer remembered: --app-colour=blue" in r.stderr
    r = ok(mirari, "build", cwd=app)
    assert "note:" not in r.stderr
    assert "remembered" not in (app / "_build/configuration").read_text().replace(
        "# `remembered` lines", "")


def test_target_given_to_build_applies_to_that_build_only(mirari, tmp_path):
    app = hello(tmp_path)
    ok(mirari, "configure", "--log-level=debug", cwd=app)
    r = ok(mirari, "build", "--unix", cwd=app)
    assert "configured app for unix-direct" in r.stdout
    assert "note: using remembered keys: --log-level=debug (" in r.stderr
    r = ok(mirari, "build", cwd=app)
    assert "configured app for unix-socket" in r.stdout
    assert "note: back to target unix-socket: unix-direct was given to an earlier build or " \
           "run, for that command only (`mirari configure -t unix-direct` remembers it)" \
           in r.stderr

    # A target configure remembered is used, and named, by build and run.
    ok(mirari, "configure", "--unix", "--log-level=debug", cwd=app)
    r = ok(mirari, "build", cwd=app)
    assert "configured" not in r.stdout and "(unix-direct," in r.stdout
    assert "note: using remembered keys: --log-level=debug -t unix-direct (" in r.stderr
    r = ok(mirari, "build", "-t", "unix-socket", cwd=app)
    assert "configured app for unix-socket" in r.stdout
    assert "note: using remembered keys: --log-level=debug (" in r.stderr
    assert "back to target" not in r.stderr


def test_run_key_does_not_reach_a_later_qemu_build(mirari, tmp_path):
    """The report: --ip-use-dhcp given once to `run --unix` made a later
    `build -t qemu` ask DHCP for an address instead of using the documented
    10.0.0.2. Here build stands for run (which needs a tap device): both
    take their keys for that command only."""
    app = make_app(tmp_path / "a", "main-ip: echo_main\n",
                   echo__c="#include <mirari/mirari.h>\n"
                           "int echo_main(const mi_netif *nif) { (void)nif; return 0; }\n")
    r = ok(mirari, "build", "--unix", "--ip-use-dhcp", cwd=app)
    assert compiled(app, "ip-use-dhcp", "true")
    r = ok(mirari, "build", "-t", "qemu", cwd=app)
    assert "note: dropping --ip-use-dhcp=true: it was given to an earlier build or run" \
           in r.stderr
    assert not compiled(app, "ip-use-dhcp", "true")
    assert re.search(r"built mir-app\S* \(qemu, \d+ bytes\)", r.stdout), r.stdout
    assert "arg --ip-use-dhcp" not in (app / "_build/configuration").read_text()


def test_help_states_the_rule(mirari, tmp_path):
    for cmd in ("build", "run"):
        out = ok(mirari, cmd, "--help", cwd=tmp_path).stdout
        assert "given here apply to this %s only" % cmd in out
    # The rule in the words of mirari(1).
    out = " ".join(ok(mirari, "--help", cwd=tmp_path).stdout.split())
    assert RULE in out
    man = (REPO / "docs" / "mirari.1").read_text()
    man = " ".join(line for line in man.splitlines() if not line.startswith(".") or
                   line.startswith(".IR _build/configuration"))
    assert RULE in man.replace(".IR _build/configuration ,", "_build/configuration,")
