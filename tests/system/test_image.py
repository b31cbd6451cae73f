# SPDX-License-Identifier: ISC
"""`mirari image` and `mirari deploy`: disk images that leave this machine.

The static-website image (with a binary file, a 2 MiB file and odd names
added to its site) is booted by QEMU under TCG with Debian's firmware, as
clouds present disks: SeaBIOS from virtio-blk, OVMF from NVMe and from
virtio-scsi, and the GCE archive unpacked and booted by OVMF from
virtio-scsi. Each gets its address by DHCP from dnsmasq on a tap in a
namespace the test makes and serves every file byte-exact; so does the
libvirt domain of --format=libvirt, which virt-xml-validate accepts,
defined and started by a real libvirtd. Boot arguments
with quotes, blanks and backslashes reach the app through GRUB's command
line, and --set changes them without a rebuild. The disk's GPT is checked
by sgdisk, qcow2 by qemu-img. Bad input (unknown format, a disk too small,
GRUB missing, a failing build, the wrong target, an interrupt) gets a
clear error and leaves no image and no temporary file. deploy prints the
clouds' commands, and with --yes runs them (fake gcloud/aws record what
they were given)."""

import os
import re
import shutil
import signal
import subprocess
import tarfile
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import copy_example
from direct_env import Unikernel, make_tap, ns

QEMU = shutil.which("qemu-system-x86_64")
DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")

pytestmark = pytest.mark.skipif(
    QEMU is None or not Path(DNSMASQ).exists() or not OVMF_CODE.exists()
    or shutil.which("grub-mkimage") is None or shutil.which("mformat") is None,
    reason="needs qemu-system-x86_64, dnsmasq, ovmf, grub-common and mtools")

SITE_FILES = {
    "blob.bin": bytes(range(256)) * 64,
    "big/two-mib.dat": os.urandom(2 << 20),
    "odd names/a b+c%.txt": b"spaces, plus and percent\n",
}


def mirari_ok(mirari, app, *args, env=None):
    r = subprocess.run([str(mirari), *args], cwd=app, capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


@pytest.fixture(scope="module")
def site(mirari, tmp_path_factory):
    """static-website with the extra files, configured for qemu, imaged."""
    app = copy_example("static-website", tmp_path_factory.mktemp("image") / "static-website")
    for name, data in SITE_FILES.items():
        (app / "files" / name).parent.mkdir(parents=True, exist_ok=True)
        (app / "files" / name).write_bytes(data)
    mirari_ok(mirari, app, "configure", "-t", "qemu")
    r = mirari_ok(mirari, app, "image")
    assert "takes its address by DHCP" in r.stderr
    assert (app / "static-website.img").exists()
    return app


def site_files(app):
    files = dict(SITE_FILES)
    files["index.html"] = (app / "files/index.html").read_bytes()
    return files


def leftovers(directory):
    return sorted(p.name for p in Path(directory).iterdir() if ".mirari-" in p.name)


class Boot:
    """QEMU booting `disk` in namespace `ns_name` with a virtio-net on tap
    `tap`, the serial console in a log."""

    def __init__(self, ns_name, disk, tmp_path, how, tap, ready=r"serving HTTP", fmt="raw"):
        argv = [QEMU, "-M", "pc", "-m", "256", "-nographic", "-no-reboot", "-nodefaults",
                "-serial", "stdio", "-netdev", f"tap,id=n0,ifname={tap},script=no,downscript=no",
                "-device", "virtio-net-pci,netdev=n0,romfile=",
                "-drive", f"file={disk},format={fmt},if=none,id=d0"]
        if how == "bios-virtio-blk":
            argv += ["-device", "virtio-blk-pci,drive=d0"]
        else:
            vars_copy = tmp_path / f"vars-{how}.fd"
            shutil.copy(OVMF_VARS, vars_copy)
            argv += ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                     "-drive", f"if=pflash,format=raw,file={vars_copy}"]
            if how == "uefi-nvme":
                argv += ["-device", "nvme,drive=d0,serial=mirari,bootindex=0"]
            else:
                argv += ["-device", "virtio-scsi-pci", "-device", "scsi-hd,drive=d0,bootindex=0"]
        self.uk = Unikernel(ns_name, argv, tmp_path / f"{how}.log", ready, timeout=300)

    def text(self):
        return self.uk.text()

    def stop(self):
        return self.uk.stop(signal.SIGTERM, timeout=30)


@pytest.fixture
def lan(netns, tmp_path):
    """A namespace with tap it0 (10.0.0.1/24) and dnsmasq leasing
    10.0.0.50-59 on it."""
    name = netns()
    tap = make_tap(name, "it0")
    dhcp = subprocess.Popen(
        ["ip", "netns", "exec", name, DNSMASQ, "--keep-in-foreground", "--no-resolv",
         "--no-hosts", "--port=0", f"--interface={tap}", "--bind-interfaces",
         "--dhcp-range=10.0.0.50,10.0.0.59,255.255.255.0,1h",
         f"--dhcp-leasefile={tmp_path / 'leases'}", f"--pid-file={tmp_path / 'dnsmasq.pid'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield name, tap
    dhcp.terminate()
    dhcp.wait()


def serve_check(name, boot, app, tmp_path):
    """The lease came from dnsmasq and every file comes back byte-exact."""
    m = re.search(r"dhcp: lease of ([\d.]+)", boot.text())
    assert m, boot.text()
    addr = m.group(1)
    assert 50 <= int(addr.split(".")[3]) <= 59, addr
    for path, data in site_files(app).items():
        out = tmp_path / "got"
        r = ns(name, "curl", "-sS", "--retry", "3", "--retry-all-errors", "--max-time", "120",
               "-o", str(out), "-w", "%{http_code}",
               f"http://{addr}:8080/" + urllib.parse.quote(path), check=False)
        assert (r.returncode, r.stdout) == (0, "200"), f"{path}: {r.stderr}"
        assert out.read_bytes() == data, f"{path}: the bytes differ"


def test_disk_layout_is_a_valid_gpt_for_bios_and_uefi(site):
    img = site / "static-website.img"
    r = subprocess.run(["sgdisk", "-v", str(img)], capture_output=True, text=True)
    assert "No problems found" in r.stdout, r.stdout + r.stderr
    table = subprocess.run(["sgdisk", "-p", str(img)], capture_output=True, text=True).stdout
    assert re.search(r"^\s+1\s+2048\s+4095\s.*EF02", table, re.M), table
    assert re.search(r"^\s+2\s+4096\s+\d+\s.*EF00", table, re.M), table
    # The ESP: GRUB for UEFI, its configuration with the boot arguments,
    # the kernel itself.
    esp = f"{img}@@{4096 * 512}"
    listing = subprocess.run(["mdir", "-i", esp, "-/", "-b", "::"], capture_output=True,
                             text=True).stdout
    for f in ("::/EFI/BOOT/BOOTX64.EFI", "::/boot/grub/grub.cfg",
              "::/boot/mir-static-website.pvh"):
        assert f in listing, listing
    cfg = subprocess.run(["mtype", "-i", esp, "::/boot/grub/grub.cfg"], capture_output=True,
                         text=True).stdout
    assert "multiboot2 '/boot/mir-static-website.pvh'" in cfg
    assert "'--ip-use-dhcp=true'" in cfg
    # The MBR is GRUB's boot code, pointing at core.img in partition 1.
    with open(img, "rb") as f:
        mbr = f.read(512)
    assert int.from_bytes(mbr[0x5c:0x64], "little") == 2048
    assert mbr[510:] == b"\x55\xaa" and mbr[450] == 0xEE


@pytest.mark.parametrize("how", ["bios-virtio-blk", "uefi-nvme", "uefi-virtio-scsi"])
def test_image_boots_and_serves_by_dhcp(site, lan, tmp_path, how):
    name, tap = lan
    # Each boot on its own copy: the firmware may write to the disk.
    disk = tmp_path / "disk.img"
    shutil.copy(site / "static-website.img", disk)
    boot = Boot(name, disk, tmp_path, how, tap)
    try:
        serve_check(name, boot, site, tmp_path)
    finally:
        boot.stop()


def test_gce_archive_unpacks_to_a_disk_that_boots(mirari, site, lan, tmp_path):
    out = tmp_path / "site-gce.tar.gz"
    mirari_ok(mirari, site, "image", "--format=gce", "-o", str(out))
    with tarfile.open(out) as t:
        members = t.getmembers()
        assert [m.name for m in members] == ["disk.raw"]
        assert members[0].size % (1 << 30) == 0
        # The old GNU format GCE asks for, sparse: magic "ustar  \0".
        t.extractall(tmp_path / "unpacked")
    with open(out, "rb") as f:
        import gzip
        header = gzip.GzipFile(fileobj=f).read(512)
    assert header[257:265] == b"ustar  \x00"
    disk = tmp_path / "unpacked/disk.raw"
    assert disk.stat().st_blocks * 512 < 64 << 20, "the disk should stay sparse"
    name, tap = lan
    boot = Boot(name, disk, tmp_path, "uefi-virtio-scsi", tap)
    try:
        serve_check(name, boot, site, tmp_path)
    finally:
        boot.stop()


def motd_app(tmp_path):
    """A main-noip app that prints its app-motd and exits."""
    app = tmp_path / "motd"
    app.mkdir()
    (app / "motd.conf").write_text("main-noip: motd_main\napp-motd: plain\n")
    (app / "motd.c").write_text(
        '#include <stdio.h>\n#include <mirari/mirari.h>\n'
        'int motd_main(void) {\n'
        '    printf("motd=[%s]\\n", mi_conf_get("app-motd"));\n'
        '    return 0;\n}\n')
    return app


def boot_console(disk, tmp_path, fmt="raw"):
    """Boot by SeaBIOS from virtio-blk without a network; the console."""
    r = subprocess.run([QEMU, "-M", "pc", "-m", "128", "-nographic", "-no-reboot",
                        "-nodefaults", "-serial", "stdio", "-drive",
                        f"file={disk},format={fmt},if=virtio", "-device",
                        "isa-debug-exit,iobase=0xf4,iosize=4"],
                       capture_output=True, timeout=300)
    return r.stdout.decode(errors="replace")


def test_boot_arguments_through_grub_and_set_without_rebuild(mirari, tmp_path):
    app = motd_app(tmp_path)
    r = subprocess.run([str(mirari), "build", "-t", "qemu"], cwd=app, capture_output=True,
                       text=True)
    if r.returncode != 0 and "mi_conf_get" in r.stdout + r.stderr:
        pytest.fail(r.stdout + r.stderr)
    assert r.returncode == 0, r.stdout + r.stderr
    kernel = app / "mir-motd.pvh"
    built = kernel.stat().st_mtime_ns
    tricky = "it's \"quoted\", a \\ backslash and  two blanks"
    r = mirari_ok(mirari, app, "image", "-t", "qemu", "--format", "qcow2", "--set",
                  f"app-motd={tricky}")
    m = re.search(r"a (\d+) MiB disk", r.stdout)
    assert m and int(m.group(1)) < 100, r.stdout  # a few tens of MiB, sparse in qcow2
    info = subprocess.run(["qemu-img", "info", str(app / "motd.qcow2")], capture_output=True,
                          text=True).stdout
    assert "file format: qcow2" in info
    assert f"motd=[{tricky}]" in boot_console(app / "motd.qcow2", tmp_path, "qcow2")
    assert kernel.stat().st_mtime_ns == built, "--set must not rebuild the kernel"
    # The configuration's own value when nothing is set.
    mirari_ok(mirari, app, "image", "-t", "qemu")
    assert "motd=[plain]" in boot_console(app / "motd.img", tmp_path)


@pytest.mark.parametrize("args,message", [
    (["--format=vmdk"], "unknown format; expected raw, qcow2, gce or libvirt"),
    (["--network=default"], "a network is only for --format=libvirt"),
    (["--format=libvirt", "--network=tap:"], "expected a libvirt network's name"),
    (["--size=1M"], "the disk is too small; this image needs at least"),
    (["--size=lots"], "expected a size in bytes"),
    (["--set", "app-nope=1"], "app-nope is not declared"),
    (["--set", "http-port=99999"], "--set http-port=99999"),
    (["--set", "fs-static=x"], "not a boot argument"),
    (["--bucket=b"], "--bucket is an option of mirari deploy, not of image"),
])
def test_bad_input_is_refused_and_leaves_nothing(mirari, site, args, message):
    before = sorted(p.name for p in site.iterdir())
    r = subprocess.run([str(mirari), "image", *args, "-o", "out.img"], cwd=site,
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert message in r.stderr, r.stderr
    assert sorted(p.name for p in site.iterdir()) == before


def test_missing_grub_names_the_packages(mirari, site, tmp_path):
    env = dict(os.environ, MIRARI_GRUB_LIB=str(tmp_path / "no-grub"))
    r = subprocess.run([str(mirari), "image", "-o", "out.img"], cwd=site, capture_output=True,
                       text=True, env=env)
    assert r.returncode == 1
    assert "apt-get install grub-pc-bin grub-efi-amd64-bin" in r.stderr, r.stderr
    assert not (site / "out.img").exists() and leftovers(site) == []


def test_wrong_target_and_failed_build_leave_nothing(mirari, app_copy):
    app = app_copy("hello")
    r = subprocess.run([str(mirari), "image"], cwd=app, capture_output=True, text=True)
    assert r.returncode == 1
    assert "configured for unix-socket" in r.stderr and "-t qemu" in r.stderr, r.stderr
    (app / "hello.c").write_text("this is not C\n")
    r = subprocess.run([str(mirari), "image", "-t", "qemu"], cwd=app, capture_output=True,
                       text=True)
    assert r.returncode != 0
    assert not list(app.glob("*.img")) and leftovers(app) == []


def test_interrupt_while_writing_leaves_nothing(mirari, site, tmp_path):
    """SIGINT while GRUB's images are made (a grub-mkimage that takes its
    time) removes the work directory and writes no image."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    real = shutil.which("grub-mkimage")
    (bin_dir / "grub-mkimage").write_text(f"#!/bin/sh\nsleep 3\nexec {real} \"$@\"\n")
    (bin_dir / "grub-mkimage").chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    p = subprocess.Popen([str(mirari), "image", "-o", "late.img"], cwd=site, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    deadline = time.monotonic() + 60
    while not leftovers(site) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert leftovers(site), "the work directory never appeared"
    os.killpg(p.pid, signal.SIGINT)
    p.communicate(timeout=60)
    assert p.returncode != 0
    assert not (site / "late.img").exists() and leftovers(site) == []


def test_deploy_prints_the_clouds_commands(mirari, site):
    r = mirari_ok(mirari, site, "deploy", "gce", "--bucket=my-bucket")
    out = r.stdout
    assert "gcloud storage cp" in out and "gs://my-bucket/static-website-" in out
    assert re.search(r"gcloud compute images create static-website-\d+ "
                     r"--source-uri='gs://my-bucket/static-website-\d+\.tar\.gz'", out), out
    assert (site / "static-website-gce.tar.gz").exists()
    r = mirari_ok(mirari, site, "deploy", "aws", "--bucket=my-bucket")
    out = r.stdout
    assert "aws ec2 import-snapshot" in out and "S3Bucket=my-bucket" in out
    assert "--boot-mode legacy-bios" in out and "--ena-support" not in out.replace(
        "no --ena-support", "")
    assert "Nitro" in out
    r = subprocess.run([str(mirari), "deploy", "gce"], cwd=site, capture_output=True, text=True)
    assert r.returncode == 2 and "needs --bucket=NAME" in r.stderr
    r = subprocess.run([str(mirari), "deploy", "azure", "--bucket=b"], cwd=site,
                       capture_output=True, text=True)
    assert r.returncode == 2 and "gce|aws" in r.stderr


def test_deploy_yes_runs_the_printed_commands(mirari, site, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    for tool in ("gcloud", "aws"):
        (bin_dir / tool).write_text(
            f"#!/bin/sh\necho \"{tool} $*\" >> {calls}\n"
            "case \"$*\" in *--query*) echo id-123 ;; esac\n")
        (bin_dir / tool).chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    mirari_ok(mirari, site, "deploy", "gce", "--bucket=bk", "--yes", env=env)
    lines = calls.read_text().splitlines()
    assert lines[0].startswith("gcloud storage cp ") and "gs://bk/" in lines[0]
    assert lines[1].startswith("gcloud compute images create ")
    assert lines[2].startswith("gcloud compute instances create ")
    calls.unlink()
    mirari_ok(mirari, site, "deploy", "aws", "--bucket=bk", "--yes", env=env)
    lines = calls.read_text().splitlines()
    assert [ln.split()[1:3] for ln in lines] == [
        ["s3", "cp"], ["ec2", "import-snapshot"], ["ec2", "wait"],
        ["ec2", "describe-import-snapshot-tasks"], ["ec2", "register-image"]]
    assert "SnapshotId=id-123" in lines[-1]
    # Without the CLI: one clear error before anything is built.
    env = dict(os.environ, PATH="/usr/bin:/bin")
    r = subprocess.run([str(mirari), "deploy", "aws", "--bucket=bk", "--yes"], cwd=site,
                       capture_output=True, text=True, env=env)
    if shutil.which("aws", path="/usr/bin:/bin") is None:
        assert r.returncode == 1 and "runs aws, which is not installed" in r.stderr


@pytest.fixture
def libvirtd(lan, tmp_path):
    """libvirtd and virtlogd started for the test inside its namespace (so
    QEMU runs there, next to the tap), stopped afterwards; the test is
    skipped where libvirt is not installed or a libvirtd already runs."""
    if shutil.which("libvirtd") is None or shutil.which("virsh") is None:
        pytest.skip("needs libvirt-daemon-system and libvirt-clients")
    if subprocess.run(["pgrep", "-x", "libvirtd"], capture_output=True).returncode == 0:
        pytest.skip("a libvirtd is running already: not touching it")
    name, tap = lan
    had_run_dir = Path("/run/libvirt").exists()
    daemons = []
    for daemon in ("virtlogd", "libvirtd"):
        daemons.append(subprocess.Popen(["ip", "netns", "exec", name, daemon],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    deadline = time.monotonic() + 60
    while subprocess.run(["virsh", "-c", "qemu:///system", "version"],
                         capture_output=True).returncode != 0:
        assert time.monotonic() < deadline, "libvirtd did not answer"
        time.sleep(0.2)
    yield name, tap
    for d in reversed(daemons):
        d.terminate()
        d.wait(timeout=30)
    if not had_run_dir:
        shutil.rmtree("/run/libvirt", ignore_errors=True)


def virsh(*args, check=True):
    r = subprocess.run(["virsh", "-c", "qemu:///system", *args], capture_output=True,
                       text=True)
    assert not check or r.returncode == 0, r.stdout + r.stderr
    return r


@pytest.fixture
def shared_dir():
    """A directory libvirt's QEMU (user libvirt-qemu) can reach: pytest's
    own are private to root."""
    d = Path(tempfile.mkdtemp(prefix="mirari-libvirt-", dir="/var/tmp"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_libvirt_domain_validates_and_boots(mirari, site, libvirtd, shared_dir, tmp_path):
    name, tap = libvirtd
    out = shared_dir / "web.xml"
    r = mirari_ok(mirari, site, "image", "--format=libvirt", f"--network=tap:{tap}", "-o",
                  str(out))
    assert "virsh define" in r.stdout
    disk = shared_dir / "web.img"
    assert disk.exists()
    if shutil.which("virt-xml-validate"):
        v = subprocess.run(["virt-xml-validate", str(out), "domain"], capture_output=True,
                           text=True)
        assert v.returncode == 0, v.stdout + v.stderr
    xml = out.read_text()
    assert f"<source file='{disk}'/>" in xml and f"<target dev='{tap}' managed='no'/>" in xml
    assert "<rng model='virtio'>" in xml
    # A domain of that name from an earlier run would make define fail.
    virsh("destroy", "static-website", check=False)
    virsh("undefine", "static-website", check=False)
    virsh("define", str(out))
    try:
        virsh("start", "static-website")
        log = shared_dir / "static-website.console.log"
        deadline = time.monotonic() + 300
        while not (log.exists() and "serving HTTP" in log.read_text(errors="replace")):
            assert time.monotonic() < deadline, log.read_text() if log.exists() else "no log"
            time.sleep(0.2)

        class Console:
            def text(self):
                return log.read_text(errors="replace")

        serve_check(name, Console(), site, tmp_path)
        # The kernel found the virtio-rng device: no weak-entropy warning.
        assert "no entropy source" not in log.read_text(errors="replace")
        assert "running" in virsh("domstate", "static-website").stdout
    finally:
        virsh("destroy", "static-website", check=False)
        virsh("undefine", "static-website", check=False)
    assert "static-website" not in virsh("list", "--all", "--name").stdout
