# SPDX-License-Identifier: ISC
"""Several domains in one boot of the nested Xen lab (lab.py): the dom0
script that starts them and the parser of what it prints.

The lab's boot is most of a test's time (about 10 s to dom0's prompt, then
1-2 s per guest), so tests start all their domains in one boot. dom0
restarts xenconsoled with --log=guest so each guest's console is kept in a
file; one domain may also be run the interactive way, `xl create -c`, whose
output is what a user sees. The script waits (at most 120 s) until no guest is
running or blocked, then prints `xl list` and every console log. Result
lines carry a prefix so they are told apart from what Xen prints on the
same serial line.

  script(domains, interactive=None, then="") -> the dom0 script; each name
      NAME has its config in /lab/NAME.cfg (or NAME.xl), given to lab.run;
      `then` runs once they are created, before the wait for their end.
  parse(console, domains, interactive=None) -> {
      NAME: console text, "list": {NAME: state}, "cpu": {NAME: seconds}}
      where a state has 's' for shut down and 'c' for crashed (preserved
      domains); a destroyed domain is not listed.
  lines(console, prefix) -> the lines a `then` script printed with prefix.
  config(name, image, args="", on_poweroff="preserve", extra="") -> the xl
      config (bytes) of tests/qemu guest IMAGE.pvh in /lab, crashes kept.
  build_xen(mirari, appdir, *options) -> (name, image, xl): an app built by
      `mirari configure --xen OPTIONS && mirari build --xen`, with its
      NAME.xl's kernel path pointing at /lab/mir-NAME.xen."""

import re
import subprocess

SCRIPT = """
kill $(cat /run/xenconsoled.pid)
mkdir -p /tmp/console
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/tmp/console || exit 20
t0=$(date +%s)
INTERACTIVE
for d in DOMAINS; do
    cfg=$d.cfg; [ -e $cfg ] || cfg=$d.xl
    xl create $cfg >/dev/null 2>&1 || { echo "xl create $d failed"; exit 10; }
done
THEN
# Wait (at most 120 s: a guest's netfront waits for dom0's hotplug
# script, slow on a loaded machine) until no guest is running or blocked.
n=0
while xl list | awk 'NR > 2 && $5 !~ /[sc]/ { busy = 1 } END { exit !busy }'; do
    n=$((n + 1))
    [ $n -le 480 ] || break
    sleep 0.25
done
echo "lab-seconds: $(( $(date +%s) - t0 ))"
xl list | sed 's/^/xl-list: /'
for d in DOMAINS; do
    tr -d '\\r' < /tmp/console/guest-$d.log | sed "s/^/log-$d: /"
done
"""

# xl attaches xenconsole before the guest runs and returns when the domain
# is gone (on_poweroff = "destroy").
INTERACTIVE = """
cfg=NAME.cfg; [ -e $cfg ] || cfg=NAME.xl
xl create -c $cfg 2>&1 | sed 's/^/xl-console: /'
"""


def script(domains, interactive=None, then=""):
    run = INTERACTIVE.replace("NAME", interactive) if interactive else ""
    return (SCRIPT.replace("INTERACTIVE", run).replace("THEN", then)
            .replace("DOMAINS", " ".join(domains)))


def lines(console, prefix):
    return [ln[len(prefix):] for ln in console.splitlines() if ln.startswith(prefix)]


def parse(console, domains, interactive=None):
    out = {d: "\n".join(lines(console, f"log-{d}: ")) for d in domains}
    if interactive:
        out[interactive] = "\n".join(lines(console, "xl-console: "))
    listed = [f for f in map(str.split, lines(console, "xl-list: ")) if len(f) > 5]
    out["list"] = {f[0]: f[4] for f in listed}
    out["cpu"] = {f[0]: f[5] for f in listed}  # seconds of CPU time
    out["seconds"] = " ".join(lines(console, "lab-seconds: "))
    return out


def config(name, image, args="", on_poweroff="preserve", extra=""):
    return (f'name = "{name}"\ntype = "pvh"\nkernel = "/lab/{image}.pvh"\n'
            f'cmdline = "{args}"\nmemory = 32\n'
            f'on_poweroff = "{on_poweroff}"\non_crash = "preserve"\n{extra}').encode()


def build_xen(mirari, appdir, *options):
    for cmd in (["configure", "--xen", *options], ["build", "--xen"]):
        r = subprocess.run([str(mirari), *cmd], cwd=appdir, capture_output=True, text=True,
                           timeout=600)
        assert r.returncode == 0, f"mirari {' '.join(cmd)}: {r.stdout}{r.stderr}"
    name = next(appdir.glob("*.conf")).stem
    image = appdir / f"mir-{name}.xen"
    xl = (appdir / "_build" / f"{name}.xl").read_text()
    # The one line that names the host: the image, in dom0's /lab.
    xl, n = re.subn(r'^kernel = ".*"$', f'kernel = "/lab/{image.name}"', xl, flags=re.M)
    assert n == 1, xl
    return name, image, xl
