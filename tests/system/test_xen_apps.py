# SPDX-License-Identifier: ISC
"""Applications built by `mirari configure --xen && mirari build --xen`,
started with the NAME.xl the tool wrote, by the real `xl create` of the
nested Xen lab (tests/xen/lab.py): the xl file parses, its cmdline reaches
the application's boot arguments (a value with a space survives the
quoting), the console shows the app, exit 0 powers the domain off and a
non-zero exit crashes it, honouring xl-on_crash.

The only change made to the tool's NAME.xl is the kernel path, which names
the image on the host: in dom0 the image is /lab/mir-NAME.xen. One lab boot
runs every domain."""

import re
import shutil
import sys

import pytest

from conftest import BUILD, REPO, copy_example

sys.path.insert(0, str(REPO / "tests" / "xen"))
import domains  # noqa: E402  (tests/xen is not a package)
import lab  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which(lab.QEMU) is None,
                                reason="qemu-system-x86_64 is not installed")

GREET_C = r"""#include <stdlib.h>
#include <mirari/mirari.h>
int greet_main(void)
{
    mi_info("greeting: [%s]", mi_conf_get("app-greeting"));
    return atoi(mi_conf_get("app-status"));
}
"""

# name: (app.conf lines, configure options)
GREET = {
    "greet": ("app-greeting: from the conf\napp-status: 0\n",
              ["--app-greeting=from the command line"]),
    "fail": ("app-greeting: failing\napp-status: 3\nxl-on_crash: preserve\n", []),
}

DOMAINS = ["fail", "static-website", "hello"]

# static-website serves until destroyed: once its console says so (at most
# 180 s: its netfront waits for dom0's hotplug script), it is destroyed, so
# the script's wait for the domains' end does not wait for it.
SITE_SERVES = """
n=0
until grep -q 'serving HTTP' /tmp/console/guest-static-website.log 2>/dev/null; do
    n=$((n + 1)); [ $n -le 720 ] || break; sleep 0.25
done
xl destroy static-website
"""


@pytest.fixture(scope="module")
def xen(mirari, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("xen-apps")
    files = {}
    xls = {}
    for name, (conf, options) in GREET.items():
        d = tmp / name
        d.mkdir()
        (d / f"{name}.conf").write_text("main-noip: greet_main\n" + conf)
        (d / "greet.c").write_text(GREET_C)
        _, image, xl = domains.build_xen(mirari, d, *options)
        files[image.name], files[f"{name}.xl"] = image, xl.encode()
        xls[name] = xl
    for example in ("hello", "static-website"):
        d = tmp / example
        copy_example(example, d)
        name, image, xl = domains.build_xen(mirari, d)
        files[image.name], files[f"{name}.xl"] = image, xl.encode()
        xls[name] = xl
    xen_lab = lab.prepare(BUILD / "xen-lab")
    status, console = xen_lab.run(files, domains.script(DOMAINS, interactive="greet",
                                                        then=SITE_SERVES),
                                  timeout=300, log=tmp / "console.log")
    assert status == 0, f"dom0 script failed (status {status}):\n{console[-6000:]}"
    out = domains.parse(console, DOMAINS, interactive="greet")
    out["xl"] = xls
    return out


def test_cmdline_reaches_the_app(xen):
    # configure's --app-greeting (with spaces) went into NAME.xl's cmdline,
    # and through xl and the kernel command line into the app.
    assert "greeting: [from the command line]" in xen["greet"], xen["greet"]
    # Exit 0 is a power-off: xl's default on_poweroff destroyed the domain.
    assert "greet" not in xen["list"], xen["list"]


def test_nonzero_exit_crashes_and_on_crash_is_honoured(xen):
    assert 'on_crash = "preserve"' in xen["xl"]["fail"]
    assert "greeting: [failing]" in xen["fail"], xen["fail"]
    assert "mirari: exit status 3" in xen["fail"], xen["fail"]
    assert "c" in xen["list"]["fail"], xen["list"]


def test_hello_example(xen):
    out = xen["hello"]
    assert "Hello from hello!" in out and "tick 3" in out and "goodbye" in out, out
    assert "hello" not in xen["list"], xen["list"]


def test_network_app_config_is_accepted(xen):
    # The vif line and the HTTP boot arguments parse with the real xl, the
    # domain starts and its netfront connects. Configured without an
    # address or DHCP, the app takes the tap targets' default address from
    # NAME.xl's cmdline and serves; test_xen_net and test_xen_run fetch.
    assert re.search(r"^vif = \[ 'ip=10.0.0.2' \]", xen["xl"]["static-website"], re.M), xen["xl"]
    out = xen["static-website"]
    assert "netfront device/vif/0" in out, out
    assert "net: 10.0.0.2/255.255.255.0 gateway 10.0.0.1" in out, out
    assert "serving HTTP on 0.0.0.0:8080" in out, out
