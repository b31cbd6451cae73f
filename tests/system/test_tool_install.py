# SPDX-License-Identifier: ISC
"""The Makefile's user targets (issue 11, item 8): `make uninstall`
removes exactly what `make install` put, and Ctrl-C on `make example`
ends it without make's error line."""

import os
import re
import signal
import subprocess
import time

from conftest import BUILD, REPO, copy_example, free_port


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
    # Programs are executable, data is not.
    assert os.stat(dest / "bin/mirari").st_mode & 0o777 == 0o755
    assert os.stat(dest / "lib/mirari/unix-socket.mk").st_mode & 0o777 == 0o644
    if (dest / "lib/mirari/qemu.mk").exists():
        assert os.stat(dest / "lib/mirari/qemu-cc").st_mode & 0o777 == 0o755
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


def test_make_example_ends_quietly_on_ctrl_c(tmp_path):
    """Started as a terminal starts it (a process group of its own) and
    interrupted as Ctrl-C does (SIGINT to the whole group)."""
    app = copy_example("static-website", tmp_path / "site")
    conf = app / "static-website.conf"
    port = free_port()
    conf.write_text(re.sub(r"(?m)^http-port: .*$", f"http-port: {port}", conf.read_text()))
    err_path = tmp_path / "stderr"
    with open(err_path, "w") as err:
        proc = subprocess.Popen(make("example", f"EXAMPLE={app}"), stdout=subprocess.DEVNULL,
                                stderr=err, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while "serving HTTP" not in err_path.read_text():
            assert proc.poll() is None, err_path.read_text()
            assert time.monotonic() < deadline, err_path.read_text()
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    err = err_path.read_text()
    assert f"serving HTTP on 0.0.0.0:{port}: http://127.0.0.1:{port}/" in err
    assert "stopping on SIGINT" in err
    # Nothing from make: neither "Error 130" nor "Interrupt".
    assert "make" not in err and "***" not in err and "Error" not in err, err
