# SPDX-License-Identifier: ISC
"""Shell completion (issue 11, item 8): the bash and zsh scripts that
`make install` puts in share/, driven as the shells drive them, offer
exactly what `mirari --help` lists (commands, options, app.conf keys as
--KEY=, targets) and the values of keys, read from the installed tool."""

import os
import re
import shutil
import subprocess

import pytest

from test_tool import HELLO_C, make_app


def help_text(mirari):
    return subprocess.run([str(mirari), "--help"], capture_output=True, text=True,
                          check=True).stdout


def section(text, title):
    """The lines of a --help section ("Commands:") up to the next blank line."""
    lines = text.split(f"\n{title}\n", 1)[1].split("\n\n", 1)[0]
    return lines.splitlines()


def bash_complete(prefix, words, cwd):
    """COMPREPLY of the installed bash script's function for words as bash
    splits them (COMP_WORDBREAKS: '=' is a word of its own), the last
    being completed."""
    script = prefix / "share/bash-completion/completions/mirari"
    code = r'''
source "$1"; shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
complete -p mirari >/dev/null || exit 3
_mirari
printf '%s\n' "${COMPREPLY[@]}"
'''
    env = dict(os.environ, PATH=f"{prefix}/bin:{os.environ['PATH']}")
    r = subprocess.run(["bash", "--norc", "-c", code, "bash", str(script), "mirari", *words],
                       cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return [w for w in r.stdout.splitlines() if w]


@pytest.fixture
def app(tmp_path):
    a = make_app(tmp_path / "a", "main-noip: hello_main\n", hello__c=HELLO_C)
    (a / "files").mkdir()
    (a / "tmpl").mkdir()
    return a


def test_bash_commands(prefix, mirari, app):
    listed = [line.split()[0] for line in section(help_text(mirari), "Commands:")]
    assert bash_complete(prefix, [""], app) == listed
    assert "pack" not in listed and "complete" not in listed
    assert bash_complete(prefix, ["b"], app) == ["build"]
    assert bash_complete(prefix, ["help", ""], app) == listed
    assert bash_complete(prefix, ["help", "build", ""], app) == []
    # A word after the options is still the command.
    assert bash_complete(prefix, ["-v", "-f", "app.conf", "cl"], app) == ["clean"]


def test_bash_options_and_keys_are_those_of_help(prefix, mirari, app):
    text = help_text(mirari)
    got = set(bash_complete(prefix, ["build", "-"], app))
    options = set()
    for line in section(text, "Options:"):
        if line.startswith("  -"):
            options |= set(re.findall(r"(?<![\w-])--?[a-z][a-z-]*", line))
    assert {"-f", "--file", "--unix", "--version"} <= options, options
    assert options <= got, options - got
    keys = set()
    for line in section(text, "Keys (see app.conf(5)):"):
        opt = line.split()[0]  # --http-port=PORT, --fs-NAME=DIR, --ip-use-dhcp=true|false
        name, value = opt.split("=", 1)
        if name.endswith(("-NAME", "-KEY")):
            keys.add(name.rsplit("-", 1)[0] + "-")  # a family: --fs-, to be continued
        elif value == "true|false":
            keys.add(name)  # a boolean alone means true
        else:
            keys.add(name + "=")
    assert len(keys) > 10 and keys <= got, keys - got
    # Nothing else: every candidate is an option or a key of --help.
    assert got == options | keys
    # clean takes no keys.
    assert not any(w.startswith("--http") for w in bash_complete(prefix, ["clean", "-"], app))


def test_bash_values(prefix, mirari, app):
    levels = ["error", "warn", "info", "debug"]
    assert bash_complete(prefix, ["build", "--log-level", "=", "d"], app) == ["debug"]
    assert bash_complete(prefix, ["build", "--log-level", "="], app) == levels
    assert bash_complete(prefix, ["build", "--log-level", ""], app) == levels
    assert bash_complete(prefix, ["run", "--ip-use-dhcp", "=", ""], app) == ["true", "false"]
    targets = [line.split()[0] for line in section(help_text(mirari), "Targets:")]
    got = bash_complete(prefix, ["run", "-t", ""], app)
    assert set(targets) <= set(got) and {"socket", "unix"} <= set(got)
    assert bash_complete(prefix, ["run", "--target", "=", "q"], app) == ["qemu"]
    # Directories for a store, a .conf (or a directory) for -f.
    assert bash_complete(prefix, ["configure", "--fs-static", "=", "f"], app) == ["files"]
    assert sorted(bash_complete(prefix, ["configure", "-f", ""], app)) == \
        ["app.conf", "files", "tmpl"]
    # After --, the unikernel's boot arguments (for run).
    got = bash_complete(prefix, ["run", "--", "--ht"], app)
    assert got == ["--http-port=", "--http-address=", "--https-port=", "--https-redirect"]
    # A PEM file for tls-cert and tls-key (and directories to reach one).
    (app / "cert.pem").write_text("")
    assert sorted(bash_complete(prefix, ["configure", "--tls-cert", "=", ""], app)) == \
        ["cert.pem", "files", "tmpl"]
    assert bash_complete(prefix, ["run", "--", "--log-level", "=", "i"], app) == ["info"]
    assert bash_complete(prefix, ["run", "--", "--fs"], app) == []


ZSH_STUBS = r'''
# What _describe, _files and compset are asked to do, instead of doing it.
_describe() { local arr=$4; shift 4; print -r -- "describe(${*}) ${(P)arr}"; }
_files() { print -r -- "files $*"; }
compset() { print -r -- "compset $*"; }
source "$1"; shift
words=(mirari "$@")
CURRENT=$#words
_mirari
'''


def zsh_complete(prefix, words, cwd):
    script = prefix / "share/zsh/site-functions/_mirari"
    env = dict(os.environ, PATH=f"{prefix}/bin:{os.environ['PATH']}")
    r = subprocess.run(["zsh", "-f", "-c", ZSH_STUBS, "zsh", str(script), *words], cwd=cwd,
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def test_zsh(prefix, app):
    if not shutil.which("zsh"):
        pytest.skip("zsh is not installed (scripts/install-deps --test installs it)")
    script = prefix / "share/zsh/site-functions/_mirari"
    assert script.read_text().startswith("#compdef mirari\n")
    r = subprocess.run(["zsh", "-n", str(script)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = zsh_complete(prefix, [""], app)
    assert len(out) == 1 and out[0].startswith("describe() configure:check the .conf"), out
    assert "build:configure when needed, then compile mir-NAME" in out[0]
    assert "pack" not in out[0]
    # Values keep the word whole (zsh does not split at '=').
    assert zsh_complete(prefix, ["build", "--log-level=d"], app) == \
        ["describe() --log-level=debug"]
    # --KEY= is continued: no space after it.
    out = zsh_complete(prefix, ["build", "--http-p"], app)
    assert out == ["describe(-S ) --http-port=:TCP port the HTTP server listens on (main-http)"]
    assert zsh_complete(prefix, ["configure", "--fs-static=f"], app) == \
        ["compset -P *=", "files -/"]
    assert zsh_complete(prefix, ["-f", ""], app) == ["compset -P *=", "files -g *.conf(-.)"]
