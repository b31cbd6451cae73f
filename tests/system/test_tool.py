# SPDX-License-Identifier: ISC
"""The mirari command end to end, as a user drives it: the installed tool
configures, builds, runs and cleans real applications on the default target
(unix-socket), and reports mistakes with the right exit status and a
FILE:LINE: KEY: message."""

import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import BUILD


def mi(mirari, *args, cwd, env=None, timeout=300):
    """Run the tool; the completed process (text output)."""
    return subprocess.run([str(mirari), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def ok(mirari, *args, cwd, **kw):
    r = mi(mirari, *args, cwd=cwd, **kw)
    assert r.returncode == 0, f"mirari {' '.join(map(str, args))}: {r.stdout}{r.stderr}"
    return r


def snapshot(root):
    """Every file below root with its contents."""
    return {p.relative_to(root): p.read_bytes() for p in Path(root).rglob("*") if p.is_file()}


def make_app(root, conf, **files):
    """An app directory: NAME.conf (conf is the text, named app.conf unless
    a `conf_name` file is given) plus C files and others."""
    root.mkdir(parents=True, exist_ok=True)
    name = files.pop("conf_name", "app.conf")
    (root / name).write_text(conf)
    for fname, text in files.items():
        (root / fname.replace("__", ".")).write_text(text)
    return root


HELLO_C = """#include <stdio.h>
#include <mirari/mirari.h>
int hello_main(void) { printf("hello, %s\\n", mi_app_name()); return 0; }
"""


# ---- the hello example, end to end -------------------------------------------

def test_hello_example_end_to_end(mirari, app_copy):
    app = app_copy("hello")
    before = snapshot(app)

    r = ok(mirari, "configure", cwd=app)
    assert "configured hello for unix-socket" in r.stdout
    for f in ("main.c", "Makefile", "sources.mk", "configuration", "manifest"):
        assert (app / "_build" / f).is_file()

    r = ok(mirari, "build", cwd=app)
    m = re.search(r"built mir-hello \(unix-socket, (\d+) bytes\)", r.stdout)
    assert m, r.stdout
    assert int(m.group(1)) == (app / "mir-hello").stat().st_size
    assert "CC    hello.c" in r.stdout

    r = ok(mirari, "run", cwd=app)
    assert "Hello from hello" in r.stderr
    assert "is up to date" in r.stdout

    # A second build does nothing and says so.
    mtime = (app / "mir-hello").stat().st_mtime_ns
    r = ok(mirari, "build", cwd=app)
    assert re.search(r"mir-hello is up to date \(unix-socket, \d+ bytes\)", r.stdout)
    assert "CC" not in r.stdout and "LD" not in r.stdout
    assert (app / "mir-hello").stat().st_mtime_ns == mtime

    r = ok(mirari, "clean", cwd=app)
    assert re.search(r"removed \d+ files", r.stdout)
    assert snapshot(app) == before
    assert not (app / "_build").exists()
    r = ok(mirari, "clean", cwd=app)
    assert "nothing to clean" in r.stdout


def test_build_configures_first_and_again_on_change(mirari, tmp_path):
    app = make_app(tmp_path / "a", "main-noip: hello_main\n", hello__c=HELLO_C)
    r = ok(mirari, "build", cwd=app)
    assert "configured app" in r.stdout and "built mir-app" in r.stdout

    # A change of the .conf configures again; only the glue is recompiled.
    with open(app / "app.conf", "a") as f:
        f.write("log-level: debug\n")
    r = ok(mirari, "build", cwd=app)
    assert "configured app" in r.stdout
    assert "CC    _build/main.c" in r.stdout
    assert "CC    hello.c" not in r.stdout
    assert '{"log-level", "debug"}' in (app / "_build/main.c").read_text()

    # An edited source is recompiled alone; a new one is picked up.
    time.sleep(0.01)
    (app / "hello.c").write_text(HELLO_C + "/* edited */\n")
    r = ok(mirari, "build", cwd=app)
    assert "CC    hello.c" in r.stdout and "configured" not in r.stdout
    (app / "extra.c").write_text("int extra_value = 1;\n")
    r = ok(mirari, "build", cwd=app)
    assert "CC    extra.c" in r.stdout and "CC    hello.c" not in r.stdout


def test_command_line_keys_are_remembered(mirari, tmp_path):
    app = make_app(tmp_path / "a", "main-noip: hello_main\nlog-level: info\n", hello__c=HELLO_C)
    ok(mirari, "configure", "--log-level=debug", cwd=app)
    assert "arg --log-level=debug" in (app / "_build/configuration").read_text()
    assert '{"log-level", "debug"}' in (app / "_build/main.c").read_text()

    # build and run without keys keep them: nothing to configure again.
    r = ok(mirari, "build", cwd=app)
    assert "configured" not in r.stdout
    r = ok(mirari, "-v", "run", cwd=app)
    assert "./mir-app --log-level=debug" in r.stderr
    assert "hello, app" in r.stdout

    # A key given to build applies to that build only (tests/system/
    # test_tool_keys.py has every case of the rule); extra boot arguments
    # after -- come last.
    r = ok(mirari, "build", "--log-level", "warn", cwd=app)
    assert "configured" in r.stdout
    assert '{"log-level", "warn"}' in (app / "_build/main.c").read_text()
    r = ok(mirari, "-v", "run", "--", "--log-level=error", cwd=app)
    assert "./mir-app --log-level=debug --log-level=error" in r.stderr

    # configure without keys goes back to the file.
    ok(mirari, "configure", cwd=app)
    assert '{"log-level", "info"}' in (app / "_build/main.c").read_text()


def test_user_main_c_and_makefile_survive(mirari, tmp_path):
    """A user's own main.c is compiled like any other source (the generated
    one is _build/main.c); their Makefile is never touched."""
    main_c = HELLO_C.replace("hello, %s", "from the user's main.c: %s")
    makefile = "all:\n\t@echo the user's own Makefile\n"
    app = make_app(tmp_path / "a", "main-noip: hello_main\n", main__c=main_c,
                   Makefile=makefile, notes__txt="mine\n")
    (app / "_build").mkdir()
    (app / "_build" / "keep.txt").write_text("the user's file in _build\n")
    ok(mirari, "configure", cwd=app)
    r = ok(mirari, "run", cwd=app)
    assert "from the user's main.c: app" in r.stdout
    assert (app / "_build/app/main.o").is_file() and (app / "_build/main.o").is_file()
    r = ok(mirari, "clean", cwd=app)
    assert "kept _build/keep.txt" in r.stderr
    assert (app / "main.c").read_text() == main_c
    assert (app / "Makefile").read_text() == makefile
    assert (app / "notes.txt").read_text() == "mine\n"
    assert sorted(p.name for p in (app / "_build").iterdir()) == ["keep.txt"]
    assert not (app / "mir-app").exists()


def test_compiler_errors_are_shown_unchanged(mirari, tmp_path):
    app = make_app(tmp_path / "a", "main-noip: hello_main\n", hello__c=HELLO_C,
                   broken__c="int broken = ;\n")
    r = mi(mirari, "build", cwd=app)
    assert r.returncode == 1
    assert re.search(r"^broken\.c:1:\d+: error:", r.stderr, re.M), r.stderr
    assert "building mir-app failed" in r.stderr


# ---- running: exit status and signals ----------------------------------------

def test_run_exit_status(mirari, tmp_path):
    app = make_app(tmp_path / "three", "main-noip: three_main\n",
                   three__c="int three_main(void) { return 3; }\n")
    assert mi(mirari, "run", cwd=app).returncode == 3

    app = make_app(tmp_path / "killed", "main-noip: die_main\n",
                   die__c="#include <signal.h>\nint die_main(void) { raise(SIGKILL); return 0; }\n")
    r = mi(mirari, "run", cwd=app)
    assert r.returncode == 128 + signal.SIGKILL
    assert "mir-app was killed by signal 9" in r.stderr


# "sleeper ready" comes from a timer: the loop is running then, with its
# signal handling set up.
SLEEPER_C = """#include <mirari/mirari.h>
static mi_timer soon, late;
static void too_late(mi_timer *x, void *a) { (void)x; (void)a; mi_exit(9); }
static void ready(mi_timer *x, void *a)
{
    (void)x;
    (void)a;
    mi_info("sleeper ready");
    mi_timer_init(&late, too_late, NULL);
    mi_timer_after(&late, 120 * MI_NSEC_PER_SEC);
}
int sleeper_main(void)
{
    mi_timer_init(&soon, ready, NULL);
    mi_timer_after(&soon, MI_NSEC_PER_MSEC);
    return 0;
}
"""


def wait_for_line(proc, text, timeout=60):
    """Read proc's stderr until a line contains text."""
    end = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < end:
        ready, _, _ = select.select([proc.stderr], [], [], 1)
        if ready:
            line = proc.stderr.readline()
            seen += line
            if text in line:
                return seen
            if not line and proc.poll() is not None:
                break
    raise AssertionError(f"no {text!r} in: {seen}")


@pytest.mark.parametrize("how", ["mirari alone", "process group"])
def test_run_forwards_signals(mirari, tmp_path, how):
    app = make_app(tmp_path / "s", "main-noip: sleeper_main\n", sleeper__c=SLEEPER_C)
    ok(mirari, "build", cwd=app)
    proc = subprocess.Popen([str(mirari), "run"], cwd=app, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_for_line(proc, "sleeper ready")
        if how == "mirari alone":
            proc.send_signal(signal.SIGTERM)  # as a supervisor would
            expected, name = 128 + signal.SIGTERM, "SIGTERM"
        else:
            os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal
            expected, name = 128 + signal.SIGINT, "SIGINT"
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == expected
    assert f"stopping on {name}" in err


# ---- stores --------------------------------------------------------------------

STORE_C = """#include <stdio.h>
#include <mirari/mirari.h>
int list_main(void)
{
    const mi_kv *kv = mi_kv_open("my-files");
    if (!kv)
        return 1;
    for (size_t i = 0; i < mi_kv_count(kv); i++) {
        mi_kv_entry e;
        mi_kv_at(kv, i, &e);
        printf("%s=%.*s\\n", e.key, (int)e.size, (const char *)e.data);
    }
    return 0;
}
"""


def test_store_directory_with_awkward_names(mirari, tmp_path):
    """A store directory whose names hold blanks, quotes, $, :, # and =:
    packed, repacked when a file changes or appears, untouched otherwise."""
    app = make_app(tmp_path / "my app", "main-noip: list_main\nfs-my-files: the files\n",
                   list__c=STORE_C)
    files = app / "the files"
    (files / "sub dir").mkdir(parents=True)
    (files / "it's $HOME").write_text("one")
    (files / "sub dir" / "a:b#c=d").write_text("two")
    r = ok(mirari, "run", cwd=app)
    assert "it's $HOME=one" in r.stdout
    assert "sub dir/a:b#c=d=two" in r.stdout

    r = ok(mirari, "build", cwd=app)
    assert "up to date" in r.stdout

    time.sleep(0.01)
    (files / "sub dir" / "a:b#c=d").write_text("changed")
    r = ok(mirari, "build", cwd=app)
    assert "PACK" in r.stdout and "built" in r.stdout
    (files / "new file").write_text("three")
    r = ok(mirari, "run", cwd=app)
    assert "a:b#c=d=changed" in r.stdout and "new file=three" in r.stdout
    assert "up to date" in ok(mirari, "build", cwd=app).stdout

    # A directory named on the command line, relative to where mirari runs.
    other = tmp_path / "other"
    other.mkdir()
    (other / "x").write_text("from the command line")
    r = ok(mirari, "run", "--fs-my-files=../other", cwd=app)
    assert "x=from the command line" in r.stdout


def test_store_leaves_out_dotfiles(mirari, tmp_path):
    """A store pointed at a checkout does not publish its .git or dotfiles,
    and a dangling link (an editor's lock) is a warning, not a failed
    build; pack-dotfiles: true packs everything."""
    app = make_app(tmp_path / "a", "main-noip: list_main\nfs-my-files: site\n",
                   list__c=STORE_C)
    site = app / "site"
    (site / ".git").mkdir(parents=True)
    (site / ".git" / "config").write_text("[core]")
    (site / ".env").write_text("SECRET=1")
    (site / "index.html").write_text("hi")
    os.symlink("gone", site / "stale-link")
    os.symlink("index.html", site / ".#index.html")
    r = ok(mirari, "run", cwd=app)
    assert "index.html=hi" in r.stdout, r.stdout
    assert ".git" not in r.stdout and "SECRET" not in r.stdout and ".#" not in r.stdout
    assert "stale-link: symbolic link with a missing target, left out" in r.stderr, r.stderr
    r = ok(mirari, "run", "--pack-dotfiles=true", cwd=app)
    assert ".git/config=[core]" in r.stdout and ".env=SECRET=1" in r.stdout, r.stdout
    assert ".#index.html=hi" in r.stdout


def test_entry_point_checked_by_the_compiler(mirari, tmp_path):
    """An entry point whose type differs from what its main-* key calls (or
    that is static) is a compiler error in the app's own file, never an
    image that builds and then hangs or crashes (_build/entry.h)."""
    cases = [
        ("main-http: err_serve\n", "int err_serve(void) { return 0; }\n"),
        ("main-ip: err_serve\n", "int err_serve(void) { return 0; }\n"),
        ("main-noip: err_serve\n", "void err_serve(int x) { (void)x; }\n"),
        ("main-noip: err_serve\n", "static int err_serve(void) { return 0; }\n"),
    ]
    for i, (conf, code) in enumerate(cases):
        app = make_app(tmp_path / f"a{i}", conf, err__c="#include <mirari/mirari.h>\n" + code)
        r = mi(mirari, "build", cwd=app)
        assert r.returncode != 0, (conf, code, r.stdout)
        out = r.stdout + r.stderr
        assert "err.c:2" in out and "err_serve" in out, out
        assert "_build/entry.h" in out, out
    # The right forms build.
    app = make_app(tmp_path / "good", "main-http: good_serve\n",
                   good__c="#include <mirari/mirari.h>\n"
                           "void good_serve(mi_http_exchange *x) { mi_http_finish(x); }\n")
    ok(mirari, "build", cwd=app)



def test_link_failures_explained(mirari, tmp_path):
    """A missing or misnamed entry point, or a main() of the app's, fails
    the link; mirari says why in its own terms (the key, where it is, the
    prototype to write) after the linker's own messages, which stay shown
    and in _build/link.log (issue 11, item 1)."""
    header = "#include <mirari/mirari.h>\n"
    conf = "log-level: info\nmain-http: Err.serve\n"
    wanted = ("app.conf:2: main-http: Err.serve: no function err_serve was linked; define it "
              "in one of the app's sources as: void err_serve(mi_http_exchange *x)")
    cases = {
        "missing": header + "int unrelated;\n",
        "misnamed": header + "void err_sevre(mi_http_exchange *x) { mi_http_finish(x); }\n",
    }
    for name, code in cases.items():
        app = make_app(tmp_path / name, conf, err__c=code)
        r = mi(mirari, "build", cwd=app)
        assert r.returncode == 1, r.stdout
        assert wanted in r.stderr, r.stderr
        assert "undefined reference to" in r.stderr, r.stderr
        assert "err_serve" in (app / "_build/link.log").read_text()
        assert r.stderr.index("undefined reference") < r.stderr.index(wanted)
        assert r.stderr.rstrip().endswith("mirari: building mir-app failed"), r.stderr

    # Given on the command line, the key is named as such.
    app = tmp_path / "missing"
    r = mi(mirari, "build", "--main-noip=other_main", cwd=app)
    assert ("command line: --main-noip=other_main: no function other_main was linked; "
            "define it in one of the app's sources as: int other_main(void)") in r.stderr

    # A static entry point is a compiler error in the app's file already:
    # no link, no link message.
    app = make_app(tmp_path / "static", conf,
                   err__c=header + "static void err_serve(mi_http_exchange *x) "
                                   "{ mi_http_finish(x); }\n")
    r = mi(mirari, "build", cwd=app)
    assert r.returncode == 1 and "err.c:2" in r.stderr and "LD" not in r.stdout
    assert "was linked" not in r.stderr

    # The app's own main(): the glue provides main().
    app = make_app(tmp_path / "main", "main-noip: hello_main\n", hello__c=HELLO_C,
                   mymain__c="int main(void) { return 0; }\n")
    r = mi(mirari, "build", cwd=app)
    assert r.returncode == 1
    assert "multiple definition of" in r.stderr, r.stderr
    assert ("mymain.c: defines main(), but mirari's glue (_build/main.c) provides main() and "
            "starts the entry point that app.conf:1: main-noip: hello_main names; make that "
            "function the app's start instead of main(): int hello_main(void)") in r.stderr

    # Once fixed, the log of the failed link explains nothing any more.
    (app / "mymain.c").unlink()
    ok(mirari, "build", cwd=app)
    assert "main" not in (app / "_build/link.log").read_text()


# ---- configuration errors --------------------------------------------------------

def test_bad_conf_reports_every_error_with_file_and_line(mirari, tmp_path):
    app = make_app(tmp_path / "a", "# comment\nmain-noip: hello_main\nhttp-port: 99999\n"
                   "htp-port: 80\nip-address: 10.0.0.1\nip-use-dhcp: maybe\n",
                   hello__c=HELLO_C)
    r = mi(mirari, "configure", cwd=app)
    assert r.returncode == 2
    err = r.stderr
    assert 'app.conf:3: http-port: "99999" is not a port number; expected a number from 1 ' \
           'to 65535' in err
    assert "app.conf:4: htp-port: unknown key; did you mean http-port?" in err
    assert 'app.conf:6: ip-use-dhcp: "maybe" is not a boolean' in err
    assert "app.conf:3: http-port: only a main-http application serves HTTP" in err
    assert not (app / "_build").exists()

    r = mi(mirari, "build", "--http-port=0", cwd=app)
    assert r.returncode == 2
    assert 'command line: --http-port: "0" is not a port number' in r.stderr

    (app / "app.conf").write_text("main-noip: hello_main\nfs-static: missing\n")
    r = mi(mirari, "configure", cwd=app)
    assert r.returncode == 2
    assert "app.conf:2: fs-static: directory missing not found" in r.stderr


def test_seed_example_names_each_opam_package(mirari, tmp_path, repo):
    """The original README's app.conf parses; configure then explains that
    its OCaml/OPAM names are not Debian packages or pkg-config modules."""
    seed = (repo / "tests/fuzz/corpus/conf/seed-readme.conf").read_text()
    app = make_app(tmp_path / "www" / "app", seed, dispatch__c="")
    (tmp_path / "www" / "files").mkdir()
    (tmp_path / "www" / "tmpl").mkdir()
    r = mi(mirari, "configure", cwd=app)
    assert r.returncode == 2
    for name, line in [("cohttp.syntax", 42), ("uri", 42), ("re", 42), ("cow.syntax", 42),
                       ("mirage-net", 43), ("cow", 43)]:
        key = "depends" if line == 42 else "packages"
        assert re.search(rf"^app\.conf:{line}: {key}: {re.escape(name)} is not ", r.stderr,
                         re.M), (name, r.stderr)
    assert "OCaml/OPAM packages" in r.stderr
    assert "app.conf:48: note: compiler: 4.01.0dev+mirage-xen" in r.stderr
    assert "the OCaml compiler part does not apply" in r.stderr


# ---- the command line -------------------------------------------------------------

def test_command_line_errors_and_help(mirari, tmp_path):
    app = make_app(tmp_path / "a", "main-noip: hello_main\n", hello__c=HELLO_C)
    for args, text in [(["frobnicate"], "unknown command"),
                       ([], "no command"),
                       (["configure", "--htp-port=1"], "did you mean --http-port?"),
                       (["configure", "--http-port"], "needs a value"),
                       (["configure", "-t", "vmware"], 'unknown target "vmware"; expected '
                        'unix-socket (socket), unix-direct (unix), qemu or xen'),
                       (["configure", "--xen", "--unix"], "different targets"),
                       (["configure", "-f"], "needs a value"),
                       (["build", "--", "x"], "after -- are for run"),
                       (["clean", "--http-port=8080"], "takes no operands and no keys")]:
        r = mi(mirari, *args, cwd=app)
        assert r.returncode == 2, (args, r.stderr)
        assert text in r.stderr, (args, r.stderr)

    r = ok(mirari, "--help", cwd=app)
    assert "usage: mirari" in r.stdout and "--http-port=PORT" in r.stdout
    assert "unix-socket" in r.stdout
    for cmd in ("configure", "build", "run", "clean"):
        r = ok(mirari, cmd, "--help", cwd=app)
        assert f"usage: mirari {cmd}" in r.stdout
    r = ok(mirari, "help", "run", cwd=app)
    assert "usage: mirari run" in r.stdout
    assert re.match(r"mirari \d+\.\d+\.\d+$", ok(mirari, "--version", cwd=app).stdout.strip())


def test_unknown_and_misspelt_commands(mirari, tmp_path):
    """A word that is not a command is a usage error naming the commands,
    never run as some default command (pack, the Makefile's, least of all);
    pack stays out of the list a user is offered."""
    app = make_app(tmp_path / "a", "main-noip: hello_main\n", hello__c=HELLO_C)
    before = snapshot(app)
    for word in ("frobnicate", "biuld", "Build", "cleann", "packs"):
        r = mi(mirari, word, "x", "y", cwd=app)
        assert r.returncode == 2, (word, r.stderr)
        assert f'unknown command "{word}"' in r.stderr, r.stderr
        assert "configure, build, run, image, deploy, clean or help" in r.stderr, r.stderr
        assert "pack" not in r.stderr.replace(f'"{word}"', ""), r.stderr
    r = mi(mirari, "biuld", cwd=app)
    assert "(did you mean build?)" in r.stderr, r.stderr
    r = mi(mirari, "frobnicate", cwd=app)
    assert "did you mean" not in r.stderr, r.stderr
    r = mi(mirari, "help", "biuld", cwd=app)
    assert r.returncode == 2 and 'no help for "biuld"' in r.stderr, r.stderr
    assert snapshot(app) == before
    r = ok(mirari, "--help", cwd=app)
    assert not re.search(r"^  pack", r.stdout, re.M), r.stdout


def test_discovery(mirari, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = mi(mirari, "configure", cwd=empty)
    assert r.returncode == 2 and "no *.conf file" in r.stderr

    two = make_app(tmp_path / "two", "main-noip: hello_main\n", conf_name="a.conf",
                   hello__c=HELLO_C)
    (two / "b.conf").write_text("main-noip: hello_main\n")
    r = mi(mirari, "configure", cwd=two)
    assert r.returncode == 2 and "2 .conf files" in r.stderr and "a.conf, b.conf" in r.stderr

    # -f chooses; the app's name is the file's name without .conf.
    r = ok(mirari, "build", "-f", "b.conf", cwd=two)
    assert "built mir-b " in r.stdout
    # -f from another directory: the app and its _build stay with the file.
    r = ok(mirari, "run", "-f", two / "a.conf", cwd=tmp_path)
    assert "hello, a" in r.stdout
    assert (two / "mir-a").is_file() and not (tmp_path / "_build").exists()


# ---- targets, compilers, dependencies ------------------------------------------------

def test_target_not_installed(prefix, tmp_path):
    """A mirari installed without a target's runtime (unix-direct is left
    out where libseccomp is missing) names the target and what is missing."""
    part = tmp_path / "partial"
    (part / "bin").mkdir(parents=True)
    (part / "lib/mirari").mkdir(parents=True)
    shutil.copy2(prefix / "bin/mirari", part / "bin/mirari")
    os.symlink(prefix / "include", part / "include")
    for f in (prefix / "lib/mirari").iterdir():
        if f.name not in ("unix-direct.mk", "qemu.mk"):
            os.symlink(f, part / "lib/mirari" / f.name)
    app = make_app(tmp_path / "a", "main-noip: hello_main\n", hello__c=HELLO_C)
    tool = part / "bin/mirari"
    # xen builds with the qemu target's runtime (one PVH kernel for both).
    for target, mk in (("unix-direct", "unix-direct.mk"), ("qemu", "qemu.mk"), ("xen", "qemu.mk")):
        r = mi(tool, "build", "-t", target, cwd=app)
        assert r.returncode == 1, r.stderr
        assert f"target {target} is not available yet in this mirari build" in r.stderr
        assert mk in r.stderr
    ok(tool, "build", cwd=app)  # the installed target still builds


def test_compiler_key(mirari, tmp_path):
    app = make_app(tmp_path / "a", "main-noip: hello_main\ncompiler: cc\n", hello__c=HELLO_C)
    r = ok(mirari, "-v", "build", cwd=app)
    assert re.search(r"^cc .* -c hello\.c -o _build/app/hello\.o$", r.stdout, re.M), r.stdout
    # The seed's OPAM switch for unix keeps a unix target and says so.
    (app / "app.conf").write_text("main-noip: hello_main\ncompiler: 4.00.1+mirage-unix\n")
    r = ok(mirari, "build", cwd=app)
    assert "the OCaml compiler part does not apply" in r.stderr
    assert "(unix-socket, " in r.stdout


SECCOMP_C = """#include <stdio.h>
#include <seccomp.h>
int v_main(void)
{
    const struct scmp_version *v = seccomp_version();
    printf("libseccomp %u\\n", v->major);
    return 0;
}
"""


def test_depends_and_packages(mirari, tmp_path):
    if subprocess.run(["pkg-config", "--exists", "libseccomp"]).returncode != 0:
        pytest.skip("libseccomp-dev is not installed")
    app = make_app(tmp_path / "a", "main-noip: v_main\ndepends: libseccomp\npackages: make\n",
                   v__c=SECCOMP_C)
    r = ok(mirari, "run", cwd=app)
    assert re.search(r"libseccomp \d+", r.stdout)
    assert "-lseccomp" in (app / "_build/Makefile").read_text()

    (app / "app.conf").write_text("main-noip: v_main\ndepends: no-such-module-xyz\n")
    r = mi(mirari, "configure", cwd=app)
    assert r.returncode == 2
    assert "app.conf:2: depends: no-such-module-xyz is not a pkg-config module" in r.stderr

    if subprocess.run(["apt-cache", "show", "hello"], capture_output=True).returncode != 0:
        return  # no apt lists on this machine: nothing installable to name
    if subprocess.run(["dpkg-query", "-W", "hello"], capture_output=True).returncode == 0:
        return
    (app / "app.conf").write_text("main-noip: v_main\npackages: hello\n")
    r = mi(mirari, "configure", "--no-install", cwd=app)
    assert r.returncode == 1
    assert "apt-get install -y hello" in r.stderr


def test_not_root_prints_the_apt_command(mirari, prefix, tmp_path):
    """As an ordinary user, a missing package is an error that shows the
    exact command to run."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root to switch to an ordinary user")
    if subprocess.run(["apt-cache", "show", "hello"], capture_output=True).returncode != 0 or \
            subprocess.run(["dpkg-query", "-W", "hello"], capture_output=True).returncode == 0:
        pytest.skip("needs a Debian package known to apt and not installed (hello)")
    # Somewhere an ordinary user can read the tool and write the app.
    shared = Path(tempfile.mkdtemp(prefix="mirari-user-"))
    try:
        shutil.copytree(prefix, shared / "prefix", symlinks=True)
        app = make_app(shared / "app", "main-noip: hello_main\npackages: hello\n",
                       hello__c=HELLO_C)
        for p in [shared, *shared.rglob("*")]:
            p.chmod(0o777 if p.is_dir() else 0o755)
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            str(shared / "prefix/bin/mirari"), "configure"],
                           cwd=app, capture_output=True, text=True, timeout=120)
        assert r.returncode == 1, r.stderr
        assert "sudo apt-get install -y hello" in r.stderr
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def test_runtime_found_from_the_build_tree_and_prefix_override(tmp_path):
    """The tool of the build tree finds the runtime next to it; MIRARI_PREFIX
    overrides that, and a wrong one is a clear error."""
    tool = BUILD / "bin" / "mirari"
    app = make_app(tmp_path / "a", "main-noip: hello_main\n", hello__c=HELLO_C)
    ok(tool, "configure", cwd=app)
    assert f"MIRARI_PREFIX := {BUILD.resolve()}\n" in (app / "_build/Makefile").read_text()
    r = mi(tool, "configure", cwd=app, env={**os.environ, "MIRARI_PREFIX": str(tmp_path)})
    assert r.returncode == 1
    assert "cannot find mirari's runtime" in r.stderr and "MIRARI_PREFIX" in r.stderr


def test_lost_or_damaged_manifest(mirari, tmp_path):
    """build writes a deleted or damaged _build/manifest anew; clean
    without one, or with a damaged one, removes nothing and says to run
    configure (issue 11, item 6)."""
    app = make_app(tmp_path / "a", "main-noip: hello_main\n", hello__c=HELLO_C)
    ok(mirari, "build", cwd=app)
    manifest = app / "_build/manifest"
    good = manifest.read_text()
    manifest.unlink()
    r = ok(mirari, "build", cwd=app)
    assert "note: _build/manifest is missing; configuring again to write it" in r.stderr
    assert manifest.read_text() == good

    manifest.unlink()
    r = mi(mirari, "clean", cwd=app)
    assert r.returncode == 1
    assert "_build/manifest: No such file or directory" in r.stderr
    assert "`mirari configure` writes it again" in r.stderr
    assert (app / "mir-app").exists()

    ok(mirari, "configure", cwd=app)
    manifest.write_text("\0\1 not a manifest\n")
    r = mi(mirari, "clean", cwd=app)
    assert r.returncode == 1
    assert "_build/manifest is damaged (a NUL byte)" in r.stderr
    assert "kept" not in r.stderr
    assert (app / "mir-app").exists() and (app / "_build/main.c").exists()
    r = ok(mirari, "build", cwd=app)
    assert "note: _build/manifest is damaged; configuring again" in r.stderr
    assert manifest.read_text() == good
    ok(mirari, "clean", cwd=app)
    assert sorted(p.name for p in app.iterdir()) == ["app.conf", "hello.c"]
