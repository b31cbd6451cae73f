# SPDX-License-Identifier: ISC
"""What mirari and a unikernel say, case by case (issue 11, item 7): the
original Mirari named as such, a store that is a file, a UTF-8 byte order
mark, --help and --version on standard output, the URL of a web app,
every configuration error in one run, http-address on a target with
mirari's own stack, file errors with their full path, xl-* keys on
another target, and a `name:` key."""

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import copy_example, free_port
from test_tool import HELLO_C, make_app, mi, ok

HTTP_C = """#include <mirari/mirari.h>
void web_main(mi_http_exchange *x)
{
    mi_http_set_status(x, 200);
    mi_http_body_printf(x, "hi\\n");
    mi_http_finish(x);
}
"""


def hello(tmp_path, conf="main-noip: hello_main\n"):
    return make_app(tmp_path / "a", conf, hello__c=HELLO_C)


def test_compiler_note_names_the_original_mirari(mirari, tmp_path):
    app = hello(tmp_path, "main-noip: hello_main\ncompiler: 4.00.1+mirage-unix\n")
    r = ok(mirari, "configure", cwd=app)
    assert ("app.conf:2: note: compiler: 4.00.1+mirage-unix is the original Mirari's OPAM "
            "switch name: it selects target unix-socket") in r.stderr, r.stderr
    assert "seed" not in r.stderr


def test_store_that_is_a_file(mirari, tmp_path):
    app = hello(tmp_path, "main-noip: hello_main\nfs-static: afile\nfs-other: nothere\n")
    (app / "afile").write_text("not a directory\n")
    r = mi(mirari, "configure", cwd=app)
    assert r.returncode == 2, r.stderr
    assert ("app.conf:2: fs-static: afile is not a directory (it is a file); expected a "
            "directory relative to the .conf file's directory") in r.stderr, r.stderr
    assert "directory afile not found" not in r.stderr
    assert "app.conf:3: fs-other: directory nothere not found" in r.stderr, r.stderr


def test_conf_with_a_utf8_byte_order_mark(mirari, tmp_path):
    app = hello(tmp_path)
    (app / "app.conf").write_bytes(b"\xef\xbb\xbfmain-noip: hello_main\nlog-level: debug\n")
    r = ok(mirari, "run", cwd=app)
    assert "unknown key" not in r.stderr
    assert "hello, app" in r.stdout
    assert '{"log-level", "debug"}' in (app / "_build/main.c").read_text()


def test_unikernel_help_and_version_on_stdout(mirari, tmp_path):
    app = hello(tmp_path)
    ok(mirari, "build", cwd=app)
    image = app / "mir-app"
    r = subprocess.run([image, "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert "--log-level=" in r.stdout and "--version" in r.stdout
    r = subprocess.run([image, "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert re.fullmatch(r"mir-app: mirari \d+\.\d+\.\d+\n", r.stdout), r.stdout
    # Errors stay on standard error.
    r = subprocess.run([image, "--htp-port=1"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    assert "unknown boot argument --htp-port" in r.stderr


def serve(image, args, log):
    """Start a web app, wait for its "serving HTTP" line; the process and
    that line."""
    with open(log, "w") as f:
        proc = subprocess.Popen([image, *args], stdout=f, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while "serving HTTP" not in log.read_text():
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.02)
    line = next(l for l in log.read_text().splitlines() if "serving HTTP" in l)
    return proc, line


@pytest.mark.parametrize("address, url_host", [("*", "127.0.0.1"), ("127.0.0.1", "127.0.0.1")])
def test_serving_http_names_a_url_that_reaches_the_app(mirari, tmp_path, address, url_host):
    app = make_app(tmp_path / "w", f"main-http: web_main\nhttp-address: {address}\n",
                   web__c=HTTP_C)
    ok(mirari, "build", cwd=app)
    port = free_port()
    proc, line = serve(app / "mir-app", [f"--http-port={port}"], tmp_path / "log")
    try:
        bound = "0.0.0.0" if address == "*" else address
        url = f"http://{url_host}:{port}/"
        assert line.endswith(f"serving HTTP on {bound}:{port}: {url}"), line
        r = subprocess.run(["curl", "-sS", url], capture_output=True, text=True, timeout=30)
        assert r.stdout == "hi\n", r.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_every_configuration_error_in_one_run(mirari, tmp_path):
    """A bad fs- directory no longer hides the names of depends and
    packages, nor the sources' problem (mirari(1): every error is
    reported)."""
    app = make_app(tmp_path / "a", "main-noip: hello_main\nfs-static: missing\n"
                   "depends: no-such-module-xyz\npackages: Not_A_Package\nhttp-port: 0\n")
    r = mi(mirari, "configure", cwd=app)
    assert r.returncode == 2, r.stderr
    for text in ["no .c file next to app.conf",
                 "app.conf:2: fs-static: directory missing not found",
                 "app.conf:3: depends: no-such-module-xyz is not a pkg-config module",
                 "app.conf:4: packages: Not_A_Package is not a Debian package name",
                 'app.conf:5: http-port: "0" is not a port number']:
        assert text in r.stderr, (text, r.stderr)
    # In the order of the lines.
    lines = [int(m) for m in re.findall(r"^app\.conf:(\d+):", r.stderr, re.M)]
    assert lines == sorted(lines), r.stderr
    assert not (app / "_build").exists()


def test_http_address_on_a_target_with_its_own_stack(mirari, tmp_path):
    app = make_app(tmp_path / "w", "main-http: web_main\nhttp-address: 127.0.0.1\n",
                   web__c=HTTP_C)
    for target in ("--unix", "-tqemu", "--xen"):
        name = {"--unix": "unix-direct", "-tqemu": "qemu", "--xen": "xen"}[target]
        r = mi(mirari, "configure", target, cwd=app)
        assert r.returncode == 2, (target, r.stderr)
        assert (f"app.conf:2: http-address: 127.0.0.1 is a loopback address, which an app on "
                f"the {name} target cannot listen on") in r.stderr, r.stderr
        assert "expected * or that address" in r.stderr and "--socket" in r.stderr
        assert not (app / "_build").exists()
    # On host sockets loopback works; * works everywhere.
    ok(mirari, "configure", cwd=app)
    ok(mirari, "configure", "--unix", "--http-address=*", cwd=app)
    # An address that is not the app's own cannot be listened on either.
    (app / "app.conf").write_text("main-http: web_main\nip-address: 10.0.0.5\n"
                                  "http-address: 10.0.0.6\n")
    r = mi(mirari, "configure", "--unix", cwd=app)
    assert r.returncode == 2
    assert ("app.conf:3: http-address: 10.0.0.6 is not the app's address: on the unix-direct "
            "target the app listens only on its own interface's address, ip-address 10.0.0.5; "
            "expected * or 10.0.0.5") in r.stderr, r.stderr
    ok(mirari, "configure", "--unix", "--http-address=10.0.0.5", cwd=app)
    ok(mirari, "configure", cwd=app)


def test_file_errors_name_the_full_path(mirari, tmp_path):
    app = hello(tmp_path)
    (app / "_build").write_text("a file in the way\n")
    r = mi(mirari, "configure", cwd=app)
    assert r.returncode == 1
    assert f"mirari: {app}/_build: Not a directory" in r.stderr, r.stderr


def test_permission_denied_names_the_full_path(mirari, prefix):
    """As an ordinary user in a directory it cannot write: the message
    names the directory from the root, not `_build`."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root to switch to an ordinary user")
    shared = Path(tempfile.mkdtemp(prefix="mirari-perm-"))
    try:
        shutil.copytree(prefix, shared / "prefix", symlinks=True)
        app = make_app(shared / "app", "main-noip: hello_main\n", hello__c=HELLO_C)
        for p in [shared, *shared.rglob("*")]:
            p.chmod(0o755)
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            str(shared / "prefix/bin/mirari"), "configure"],
                           cwd=app, capture_output=True, text=True, timeout=120)
        assert r.returncode == 1, r.stderr
        assert f"mirari: {app}/_build: Permission denied" in r.stderr, r.stderr
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def test_xl_keys_on_another_target_get_a_note(mirari, tmp_path):
    app = hello(tmp_path, "main-noip: hello_main\nxl-on_crash: preserve\nxl-memory: 48\n")
    r = ok(mirari, "configure", cwd=app)
    for line, key in [(2, "xl-on_crash"), (3, "xl-memory")]:
        assert (f"app.conf:{line}: note: {key} applies only to the xen target (--xen); "
                f"unix-socket does not use it") in r.stderr, r.stderr
    r = ok(mirari, "configure", "--xl-vcpus=2", cwd=app)
    assert ("command line: note: --xl-vcpus applies only to the xen target (--xen)"
            in r.stderr), r.stderr
    # qemu sizes its VM with xl-memory when memory is not given.
    r = ok(mirari, "configure", "-t", "qemu", cwd=app)
    assert "note: xl-on_crash applies only to the xen target" in r.stderr
    assert "xl-memory applies" not in r.stderr
    r = ok(mirari, "configure", "--xen", cwd=app)
    assert "applies only" not in r.stderr


def test_name_key_says_where_the_name_comes_from(mirari, tmp_path):
    app = hello(tmp_path, "main-noip: hello_main\nname: web\n")
    r = mi(mirari, "configure", cwd=app)
    assert r.returncode == 2
    assert ("app.conf:2: name: unknown key; the application's name is the .conf file's name "
            "(NAME.conf builds mir-NAME); rename the file to change it") in r.stderr, r.stderr
    (app / "app.conf").write_text("main-noip: hello_main\n")
    r = mi(mirari, "configure", "--name=web", cwd=app)
    assert r.returncode == 2
    assert "unknown option --name; the application's name is the .conf file's name" in r.stderr
