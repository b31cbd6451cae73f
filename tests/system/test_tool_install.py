# SPDX-License-Identifier: ISC
"""The Makefile's user targets (issue 11, item 8): `make uninstall`
removes exactly what `make install` put."""

import subprocess

from conftest import BUILD, REPO


def make(*args, **kw):
    """make in the repository with the flags the build under test was made
    with (its .flags stamp), so nothing is rebuilt differently."""
    stamp = BUILD / ".flags"
    sanitize = "1" if stamp.exists() and "SANITIZE=1" in stamp.read_text() else "0"
    return ["make", "-C", str(REPO), f"BUILD={BUILD}", f"SANITIZE={sanitize}", *args]


def files_below(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() or p.is_symlink())


def test_uninstall_removes_what_install_put(tmp_path):
    dest = tmp_path / "prefix"
    subprocess.run(make("-s", "install", f"PREFIX={dest}"), check=True)
    installed = files_below(dest)
    for f in ("bin/mirari", "lib/mirari/unix-socket.mk", "include/mirari/app.h",
              "share/man/man1/mirari.1", "share/man/man5/app.conf.5",
              "share/man/man3/mirari-api.3", "share/bash-completion/completions/mirari",
              "share/zsh/site-functions/_mirari"):
        assert f in installed, (f, installed)
    subprocess.run(make("-s", "uninstall", f"PREFIX={dest}"), check=True)
    assert files_below(dest) == []
    assert not (dest / "lib/mirari").exists() and not (dest / "include/mirari").exists()

    # Exactly what install put: other files stay, mirari's directories
    # too when something else is in them.
    subprocess.run(make("-s", "install", f"PREFIX={dest}"), check=True)
    (dest / "bin/other-tool").write_text("#!/bin/sh\n")
    (dest / "lib/mirari/mine.mk").write_text("# a user's\n")
    r = subprocess.run(make("-s", "uninstall", f"PREFIX={dest}"), check=True,
                       capture_output=True, text=True)
    assert files_below(dest) == ["bin/other-tool", "lib/mirari/mine.mk"]
    assert f"kept {dest}/lib/mirari: not empty" in r.stdout + r.stderr
