#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The nested Xen lab: Debian's Xen hypervisor booted by QEMU (TCG: there is
no KVM here), Debian's Linux as its PV dom0, and a busybox initramfs holding
xl and the Xen daemons, so a test can `xl create` a guest and read what it
did. Standard library only; used by tests/system/test_xen_lab.py and runnable
as a script.

  prepare(cache_dir) -> Lab   download the Debian packages with
      `apt-get download` (once per set of package versions: the products
      are kept in cache_dir/<key>/, the .debs and the unpacked tree are
      not), unpack them with `dpkg-deb -x`, and make xen (xen.gz
      gunzipped), dom0-kernel (the vmlinux inside Debian's vmlinuz) and
      base.cpio: the dom0 initramfs with busybox, the Xen tools, every
      shared library they need, the kernel modules, and a vif hotplug
      script (vif-lab: routed, or bridged when dom0 has a bridge br0)
      for guests with a network.
  Lab.initrd(guest_files, script, out), Lab.qemu_argv(initrd, memory,
      devices): the pieces of run, for a caller that runs QEMU itself (the
      lab's xl, next to this file).
  Lab.run(guest_files, script, timeout) -> (status, console)
      append a per-run cpio (the guest files in /lab and the fragment
      `script`, run by dom0's /init once the Xen daemons are up) to
      base.cpio (the kernel unpacks concatenated archives in turn), boot
      QEMU with the serial console in a log file, and return the
      fragment's exit status and the console text. dom0 always ends the VM
      (isa-debug-exit), and QEMU is killed on timeout.
  build_e9_guest(out_dir) -> path of the tiny PVH test guest (guest_e9.S).

Shared libraries: for every ELF put in the initramfs, its PT_INTERP and
DT_NEEDED entries are read here (a small ELF reader below, no ldd: ldd would
run host code on the binaries) and each name is looked up first in the
unpacked packages' library directories, then in the host's
/lib/x86_64-linux-gnu (libc, libgcc_s, zlib...: the host is the same Debian
release as the packages); the walk repeats over each library found. All
libraries go to /lib/x86_64-linux-gnu in dom0, which the dynamic loader
searches by default.

Kernel modules: Debian's linux-image package ships no modules.dep (depmod
makes it at install time), so dependencies come from each module's own
.modinfo "depends=" field, loaded dependencies first.

usage: tests/xen/lab.py [--cache DIR] [--timeout S] [--guest FILE]... [SCRIPT]
   prepares the lab, copies each FILE to /lab/BASENAME in dom0, runs SCRIPT
   (a file; default: `xl info`) in dom0, prints the console and exits with
   the script's status.
"""

import argparse
import gzip
import hashlib
import lzma
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
QEMU = "qemu-system-x86_64"
XEN_VERSION = "4.17"
XEN_BIN = f"/usr/lib/xen-{XEN_VERSION}/bin"
# What dom0 needs to run xl (platform-facts.md, "Xen, nested under QEMU TCG").
PACKAGES = [
    f"xen-hypervisor-{XEN_VERSION}-amd64", f"xen-utils-{XEN_VERSION}", "xen-utils-common",
    "xenstore-utils", "libxencall1", "libxendevicemodel1", "libxenevtchn1",
    "libxenforeignmemory1", "libxengnttab1", "libxenhypfs1", f"libxenmisc{XEN_VERSION}",
    "libxenstore4", "libxentoolcore1", "libxentoollog1", "libyajl2", "libext2fs2",
    "busybox-static",
]
KERNEL_META = "linux-image-amd64"  # resolved to the versioned image package
# Programs copied from the packages into dom0 (same paths as in Debian).
PROGRAMS = [f"{XEN_BIN}/{p}" for p in
            ("xl", "xenstored", "xen-init-dom0", "xenconsoled", "xenconsole", "xen-hvmctx")] + \
           ["/usr/bin/xenstore"]
XENSTORE_TOOLS = ["read", "write", "rm", "ls", "list", "exists", "watch", "chmod"]
# dom0 kernel modules: the Xen devices xl and the daemons open, xenfs for
# /proc/xen, xen-netback for guests with a vif, and for the lab's xl (xl,
# next to this file) a virtio NIC on the host's tap and a bridge joining it
# to the guests' vifs.
MODULES = ["xen-evtchn", "xen-gntdev", "xen-gntalloc", "xen-privcmd", "xenfs", "xen-netback",
           "virtio-pci", "virtio-net", "bridge"]
DLOPENED = ["libgcc_s.so.1"]
HOST_LIBS = [Path("/lib/x86_64-linux-gnu"), Path("/usr/lib/x86_64-linux-gnu")]
DOM0_LIBS = "/lib/x86_64-linux-gnu"
# Xen: serial console, guest port 0xE9 writes in `xl dmesg` (guest_loglvl),
# one dom0 vCPU with fixed memory so the rest of -m is free for guests.
# bootscrub=false: scrubbing free RAM at boot costs ~3 s under TCG.
XEN_CMDLINE = ("console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all "
               "dom0_mem=384M,max:384M dom0_max_vcpus=1 bootscrub=false")
DOM0_CMDLINE = "console=hvc0 quiet"
# isa-debug-exit: dom0 writing v to port 0xf4 ends QEMU with status 2v+1.
DEBUG_EXIT_PORT = 0xF4
STATUS_MARK = "mirari-xen-lab: script status "
READY_MARK = b"mirari-xen-lab: dom0 ready"


class LabError(Exception):
    """The lab cannot be prepared or run (a package cannot be fetched, a
    library or module is missing, QEMU failed)."""


# ---- small ELF reader (ELF64 little-endian only: all we unpack is x86_64)


class Elf:
    def __init__(self, path, data=None):
        self.data = d = Path(path).read_bytes() if data is None else data
        if d[:4] != b"\x7fELF" or d[4] != 2 or d[5] != 1:
            raise LabError(f"{path}: not an ELF64 little-endian file")
        (self.phoff, self.shoff) = struct.unpack_from("<QQ", d, 0x20)
        (self.phentsize, self.phnum, self.shentsize, self.shnum,
         self.shstrndx) = struct.unpack_from("<HHHHH", d, 0x36)

    def segments(self):
        for i in range(self.phnum):
            # p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz
            yield struct.unpack_from("<IIQQQQ", self.data, self.phoff + i * self.phentsize)

    def _cstr(self, off):
        return self.data[off:self.data.index(b"\0", off)].decode()

    def _file_offset(self, vaddr):
        for ptype, _, off, va, _, filesz in self.segments():
            if ptype == 1 and va <= vaddr < va + filesz:  # PT_LOAD
                return vaddr - va + off
        raise LabError(f"address {vaddr:#x} is in no PT_LOAD segment")

    def interp(self):
        for ptype, _, off, _, _, filesz in self.segments():
            if ptype == 3:  # PT_INTERP
                return self.data[off:off + filesz].rstrip(b"\0").decode()
        return None

    def needed(self):
        """The DT_NEEDED names, in order."""
        dyn = [(off, filesz) for ptype, _, off, _, _, filesz in self.segments() if ptype == 2]
        if not dyn:
            return []
        off, size = dyn[0]
        entries = [struct.unpack_from("<qQ", self.data, off + i) for i in range(0, size, 16)]
        strtab = self._file_offset(next(v for t, v in entries if t == 5))  # DT_STRTAB
        return [self._cstr(strtab + v) for t, v in entries if t == 1]  # DT_NEEDED

    def section(self, name):
        sh = [struct.unpack_from("<IIQQQQ", self.data, self.shoff + i * self.shentsize)
              for i in range(self.shnum)]
        names = sh[self.shstrndx][4]
        for sh_name, _, _, _, off, size in sh:
            if self._cstr(names + sh_name) == name:
                return self.data[off:off + size]
        return None


def module_bytes(path):
    """A kernel module, decompressed if the kernel ships it as .ko.xz
    (Debian's 6.1 ships plain .ko; later releases compress them)."""
    data = path.read_bytes()
    return lzma.decompress(data) if path.name.endswith(".xz") else data


def modinfo(path):
    """A kernel module's .modinfo as {key: value}."""
    info = Elf(path, module_bytes(path)).section(".modinfo") or b""
    return dict(f.split("=", 1) for f in info.decode(errors="replace").split("\0") if "=" in f)


# ---- newc cpio writer (the Linux initramfs format; no cpio tool needed)


class Cpio:
    def __init__(self):
        self.out = bytearray()
        self.ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        name_b = name.lstrip("/").encode() + b"\0"
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(name_b), 0]
        self.ino += 1
        self.out += b"070701" + b"".join(b"%08X" % f for f in fields) + name_b
        self.out += b"\0" * (-len(self.out) % 4) + data
        self.out += b"\0" * (-len(self.out) % 4)

    def dir(self, name):
        self._entry(name, 0o040755)

    def file(self, name, data, mode=0o644):
        self._entry(name, 0o100000 | mode, data)

    def symlink(self, name, target):
        self._entry(name, 0o120777, target.encode())

    def chardev(self, name, major, minor):
        self._entry(name, 0o020600, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        self.out += b"\0" * (-len(self.out) % 512)
        return bytes(self.out)


# ---- packages


def _apt(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def _candidates():
    """{package: candidate version} for PACKAGES and the kernel image the
    metapackage pins, from one look-up in apt's lists (None if unknown)."""
    out = _apt(["apt-cache", "show", "--no-all-versions", KERNEL_META, *PACKAGES]).stdout
    versions, kernel = {p: None for p in PACKAGES}, None
    for para in out.split("\n\n"):
        name = re.search(r"^Package: (\S+)", para, re.M)
        version = re.search(r"^Version: (\S+)", para, re.M)
        if not (name and version):
            continue
        if name.group(1) == KERNEL_META:
            kernel = re.search(r"^Depends: (linux-image-\S+) \(= (\S+)\)", para, re.M)
        elif name.group(1) in versions:
            versions[name.group(1)] = version.group(1)
    if kernel:
        versions[kernel.group(1)] = kernel.group(2)
    else:
        versions[KERNEL_META] = None
    return versions


def resolve_versions():
    """The exact packages and versions to fetch, running `apt-get update`
    once if apt's lists do not know them (a fresh machine)."""
    versions = _candidates()
    if not all(versions.values()):
        _apt(["apt-get", "update", "-q"])
        versions = _candidates()
    unknown = [p for p, v in versions.items() if not v]
    if unknown:
        raise LabError(f"apt knows no candidate for {', '.join(unknown)} "
                       "(is Debian's registry reachable? apt-get update?)")
    return versions


def download(versions, dest):
    """`apt-get download` of exactly these versions into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    # apt drops privileges to _apt for downloads; let it write here.
    dest.chmod(0o777)
    r = _apt(["apt-get", "download", *(f"{p}={v}" for p, v in versions.items())], cwd=dest)
    debs = list(dest.glob("*.deb"))
    if r.returncode != 0 or len(debs) != len(versions):
        raise LabError(f"apt-get download failed (exit {r.returncode}):\n{r.stderr.strip()}")
    return debs


# ---- building the base initramfs from the unpacked packages


def _lib_dirs(tree):
    return [tree / "usr/lib/x86_64-linux-gnu", tree / "lib/x86_64-linux-gnu",
            tree / f"usr/lib/xen-{XEN_VERSION}/lib/x86_64-linux-gnu"] + HOST_LIBS


def shared_libraries(tree, programs):
    """{soname: file} of everything the programs load, transitively, and the
    dynamic loader under its PT_INTERP path."""
    found, interp = {}, None
    todo = [(p, Elf(p).needed()) for p in programs]
    # glibc dlopens libgcc_s for pthread_cancel (xl's child uses it):
    # no DT_NEEDED names it.
    todo.append((None, DLOPENED))
    while todo:
        path, needed = todo.pop()
        if path is not None:
            interp = Elf(path).interp() or interp
        for name in needed:
            if name in found:
                continue
            path = next((d / name for d in _lib_dirs(tree) if (d / name).exists()), None)
            if path is None:
                raise LabError(f"shared library {name} is neither in the packages nor on "
                               f"the host ({', '.join(map(str, HOST_LIBS))})")
            found[name] = path
            todo.append((path, Elf(path).needed()))
    if interp is None or not Path(interp).exists():
        raise LabError(f"dynamic loader {interp} is missing on the host")
    return found, interp


def kernel_modules(tree):
    """[(name, file)] of MODULES and their dependencies, dependencies first."""
    kdir = next((tree / "lib/modules").iterdir())
    by_name = {ko.name.split(".ko")[0].replace("_", "-"): ko
               for ko in kdir.rglob("*.ko*") if ko.name.endswith((".ko", ".ko.xz"))}
    order = []

    def visit(name):
        key = name.replace("_", "-")
        if key in (n for n, _ in order):
            return
        if key not in by_name:
            raise LabError(f"kernel module {name} is not in {kdir.name}")
        for dep in filter(None, modinfo(by_name[key]).get("depends", "").split(",")):
            visit(dep)
        order.append((key, by_name[key]))

    for m in MODULES:
        visit(m)
    return order


INIT = r"""#!/bin/busybox sh
# dom0's /init (made by tests/xen/lab.py): mount, load the Xen modules,
# start the Xen daemons, run the test's fragment, report its status and
# end the VM whatever happened.
export PATH=/bin:/usr/bin:/usr/sbin:__XEN_BIN__
export LD_LIBRARY_PATH=__DOM0_LIBS__
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmp /tmp
ip link set lo up
mkdir -p /run/xen /run/xenstored /var/lib/xen /var/lib/xenstored /var/log/xen /var/lock
ln -s /run /var/run

lab_end() { # status: report it and end QEMU through isa-debug-exit
    echo "__STATUS_MARK__$1"
    printf "\\$(printf %o $(($1 & 0x7f)))" | dd of=/dev/port bs=1 seek=__PORT__ count=1 2>/dev/null
    # Not reached when isa-debug-exit is there: then a reboot ends QEMU
    # (-no-reboot), and the host sees no status.
    reboot -f
}

for m in __MODULES__; do
    insmod /lib/modules/$m.ko || { echo "lab: insmod $m failed"; lab_end 125; }
done
mount -t xenfs xenfs /proc/xen || { echo "lab: no xenfs"; lab_end 125; }
xenstored --pid-file /run/xenstored.pid || { echo "lab: xenstored failed"; lab_end 125; }
xen-init-dom0 >/dev/null || { echo "lab: xen-init-dom0 failed"; lab_end 125; }
xenconsoled --pid-file=/run/xenconsoled.pid || { echo "lab: xenconsoled failed"; lab_end 125; }
echo "__READY_MARK__"
cd /lab
sh /lab/script
lab_end $?
"""

VIF_SCRIPT = r"""#!/bin/sh
# /etc/xen/scripts/vif-lab (made by tests/xen/lab.py), the hotplug script
# of every vif. libxl runs it with $1 = online|offline, the interface in
# $vif and the backend's store path in $XENBUS_PATH; xen-netback waits for
# hotplug-status "connected" before it connects to the guest's netfront.
# With a bridge br0 (the lab's xl made one, joined to the host's tap) the
# vif joins it, as vif-bridge does. Without one it is routed, vif-route
# like: dom0 gets 10.99.0.1/32 on each vif and a host route to each
# address of the vif's `ip=` key.
case "$1" in
online)
    ip link set "$vif" up
    if [ -d /sys/class/net/br0 ]; then
        brctl addif br0 "$vif"
    else
        ip addr add 10.99.0.1/32 dev "$vif"
        for a in $(xenstore-read "$XENBUS_PATH/ip" 2>/dev/null); do
            ip route add "$a" dev "$vif" src 10.99.0.1
        done
    fi
    xenstore-write "$XENBUS_PATH/hotplug-status" connected
    ;;
offline)
    ip link set "$vif" down 2>/dev/null
    xenstore-rm "$XENBUS_PATH/hotplug-status" 2>/dev/null
    ;;
esac
exit 0
"""

# /usr/bin/lab-vifs: what dom0 knows of each guest's vif, for the
# diagnostics of a guest that stops answering: its carrier and counters
# (busybox's ip has no -s) and netback's view of its rings (debugfs:
# indices and event thresholds, i.e. who waits for whom).
VIFS_SCRIPT = r"""#!/bin/sh
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
for v in /sys/class/net/vif*; do
    [ -e "$v" ] || continue
    n=${v##*/}
    echo "$n: carrier $(cat $v/carrier 2>/dev/null) $(cat $v/operstate)" \
         "tx $(cat $v/statistics/tx_packets) drop $(cat $v/statistics/tx_dropped)" \
         "rx $(cat $v/statistics/rx_packets) drop $(cat $v/statistics/rx_dropped)"
    sed "s/^/$n: /" /sys/kernel/debug/xen-netback/$n/io_ring_q0 2>&1
done
"""

# xl's global configuration: vifs use vif-lab, not the default vif-bridge.
XL_CONF = 'vif.default.script = "vif-lab"\n'


def build_base(tree, out):
    """The dom0 initramfs common to every run, written to out."""
    c, made = Cpio(), set()
    for d in ("bin", "dev", "proc", "sys", "tmp", "run", "lab", "var", "etc/xen/scripts",
              "lib64", "lib/modules", "usr/bin", "usr/sbin", "usr/lib", DOM0_LIBS,
              f"usr/lib/xen-{XEN_VERSION}", XEN_BIN):
        parts = Path(d.lstrip("/")).parts
        for i in range(len(parts)):
            if "/".join(parts[:i + 1]) not in made:
                made.add("/".join(parts[:i + 1]))
                c.dir("/".join(parts[:i + 1]))
    # The kernel opens /dev/console for init before devtmpfs is mounted.
    c.chardev("dev/console", 5, 1)
    busybox = tree / "bin/busybox"
    c.file("bin/busybox", busybox.read_bytes(), 0o755)
    for applet in subprocess.run([str(busybox), "--list"], capture_output=True, text=True,
                                 check=True).stdout.split():
        if applet != "busybox":
            c.symlink(f"bin/{applet}", "busybox")
    programs = [tree / p.lstrip("/") for p in PROGRAMS]
    for p, src in zip(PROGRAMS, programs):
        c.file(p, src.read_bytes(), 0o755)
    for t in XENSTORE_TOOLS:
        c.symlink(f"usr/bin/xenstore-{t}", "xenstore")
    for p in ("xl", "xenstored", "xenconsoled", "xen-init-dom0"):
        c.symlink(f"usr/sbin/{p}", f"{XEN_BIN}/{p}")
    libs, interp = shared_libraries(tree, programs)
    for name, path in sorted(libs.items()):
        c.file(f"{DOM0_LIBS}/{name}", path.resolve().read_bytes(), 0o755)
    loader = Path(interp).resolve().read_bytes()
    c.file(interp, loader, 0o755)
    modules = kernel_modules(tree)
    for name, ko in modules:
        c.file(f"lib/modules/{name}.ko", module_bytes(ko))
    c.file("etc/xen/xl.conf", XL_CONF.encode())
    c.file("etc/xen/scripts/vif-lab", VIF_SCRIPT.encode(), 0o755)
    c.file("usr/bin/lab-vifs", VIFS_SCRIPT.encode(), 0o755)
    init = INIT
    for key, value in {"XEN_BIN": XEN_BIN, "DOM0_LIBS": DOM0_LIBS, "STATUS_MARK": STATUS_MARK,
                       "READY_MARK": READY_MARK.decode(), "PORT": str(DEBUG_EXIT_PORT),
                       "MODULES": " ".join(n for n, _ in modules)}.items():
        init = init.replace(f"__{key}__", value)
    c.file("init", init.encode(), 0o755)
    out.write_bytes(c.finish())


# ---- the lab


class Lab:
    """A prepared lab: xen, dom0-kernel and base.cpio in one cache directory."""

    def __init__(self, dir):
        self.dir = Path(dir)
        self.xen = self.dir / "xen"
        self.kernel = self.dir / "dom0-kernel"
        self.base = self.dir / "base.cpio"
        self.timing = {}  # of the last run: seconds to "dom0 ready" and in all

    def initrd(self, guest_files, script, out):
        """Write dom0's initramfs to out: base.cpio, then a per-run cpio
        with guest_files ({name: bytes or path}) in /lab and `script`."""
        c = Cpio()
        for name, data in guest_files.items():
            if isinstance(data, (str, Path)):
                data = Path(data).read_bytes()
            c.file(f"lab/{name}", data, 0o755)
        c.file("lab/script", script.encode(), 0o755)
        # One multiboot module per dom0 initrd: base and run go in one file.
        with open(out, "wb") as f, open(self.base, "rb") as base:
            shutil.copyfileobj(base, f)
            f.write(c.finish())

    def qemu_argv(self, initrd, memory=1024, devices=()):
        """QEMU's command line booting Xen, dom0 and `initrd`, the serial
        console on stdout; `devices` are more QEMU arguments (a NIC)."""
        for p in (self.kernel, initrd):
            if "," in str(p):  # QEMU's multiboot module separator
                raise LabError(f"path {p} has a comma")
        return [QEMU, "-M", "pc", "-accel", "tcg", "-cpu", "qemu64,+svm,+npt,+rdrand",
                "-m", str(memory), "-smp", "1", "-nodefaults", "-no-user-config",
                "-display", "none", "-serial", "stdio", "-no-reboot",
                "-device", f"isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},iosize=0x04",
                *devices, "-kernel", str(self.xen), "-append", XEN_CMDLINE,
                "-initrd", f"{self.kernel} {DOM0_CMDLINE},{initrd}"]

    def run(self, guest_files, script, timeout, log=None, memory=1024):
        """Boot the lab, run `script` (sh) in dom0's /lab, where
        guest_files ({name: bytes or path}) are. Returns (status, console):
        the script's exit status (0-127), or None if the VM ended without
        reporting one; console is the serial log (also written to `log`).
        Raises LabError on timeout, after killing QEMU."""
        with tempfile.TemporaryDirectory(prefix="xen-lab-") as tmp:
            tmp = Path(tmp)
            initrd = tmp / "dom0.cpio"
            self.initrd(guest_files, script, initrd)
            log = Path(log) if log else tmp / "console.log"
            cmd = self.qemu_argv(initrd, memory)
            self.timing = {}
            t0 = time.monotonic()
            with open(log, "wb") as out:
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT)
                while True:
                    if "ready" not in self.timing and READY_MARK in log.read_bytes():
                        self.timing["ready"] = time.monotonic() - t0
                    try:
                        rc = proc.wait(timeout=0.2)
                        break
                    except subprocess.TimeoutExpired:
                        pass
                    if time.monotonic() - t0 > timeout:
                        proc.kill()
                        proc.wait()
                        raise LabError(f"lab timed out after {timeout} s; console:\n"
                                       + log.read_text(errors="replace")[-4000:])
            self.timing["total"] = time.monotonic() - t0
            # Xen turns dom0's "\r\n" into "\r\r\n": keep plain lines.
            console = log.read_bytes().decode(errors="replace").replace("\r", "")
            return status_of(rc, console), console


def status_of(qemu_status, console):
    """The dom0 script's exit status from QEMU's (isa-debug-exit makes it
    2v+1) and the console's status line; None when it reported none."""
    if qemu_status > 0 and qemu_status & 1 and STATUS_MARK in console:
        return (qemu_status - 1) // 2
    return None


def dom0_kernel(bzimage, out):
    """The vmlinux ELF inside Debian's bzImage, decompressed once here: Xen
    would otherwise decompress its xz payload at every boot, which costs
    2-3 s under TCG. Where the payload's compression is one the standard
    library cannot read, the bzImage itself (Xen boots both)."""
    data = bzimage.read_bytes()
    # Linux boot protocol (Documentation/arch/x86/boot.rst): setup_sects at
    # 0x1f1, payload_offset and payload_length at 0x248, relative to the
    # protected-mode code after the setup sectors.
    setup_sects = data[0x1F1] or 4
    offset, length = struct.unpack_from("<II", data, 0x248)
    payload = data[(setup_sects + 1) * 512 + offset:][:length]
    if payload.startswith(b"\xfd7zXZ"):
        elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)
    elif payload.startswith(b"\x1f\x8b"):
        elf = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(payload)
    else:
        elf = None
    out.write_bytes(elf if elf and elf.startswith(b"\x7fELF") else data)


def prepare(cache_dir, log=print):
    """Fetch and unpack what the lab needs into cache_dir (once per set of
    package versions) and return the Lab."""
    cache_dir = Path(cache_dir)
    versions = resolve_versions()
    manifest = "".join(f"{p}={v}\n" for p, v in sorted(versions.items()))
    # The lab's own recipe is part of the key: a change to this file
    # rebuilds the initramfs.
    key = hashlib.sha256(manifest.encode() + Path(__file__).read_bytes()).hexdigest()[:16]
    lab = Lab(cache_dir / key)
    if (lab.dir / "ready").exists():
        return lab
    t0 = time.monotonic()
    cache_dir.mkdir(parents=True, exist_ok=True)
    for old in cache_dir.iterdir():  # keep one prepared version
        if old.is_dir():
            shutil.rmtree(old)
    work = Path(tempfile.mkdtemp(prefix="work-", dir=cache_dir))
    try:
        tree = work / "root"
        for deb in download(versions, work / "debs"):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], check=True)
        lab.dir.mkdir()
        xen_gz = tree / f"boot/xen-{XEN_VERSION}-amd64.gz"
        with gzip.open(xen_gz) as src, open(lab.xen, "wb") as dst:
            shutil.copyfileobj(src, dst)
        dom0_kernel(next((tree / "boot").glob("vmlinuz-*")), lab.kernel)
        build_base(tree, lab.base)
        (lab.dir / "versions").write_text(manifest)
        (lab.dir / "ready").write_text("")
    except BaseException:
        shutil.rmtree(lab.dir, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log(f"xen lab prepared in {lab.dir} in {time.monotonic() - t0:.1f} s")
    return lab


def build_e9_guest(out_dir):
    """Assemble and link tests/xen/guest_e9.S into out_dir/guest_e9.elf."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    obj, elf = out_dir / "guest_e9.o", out_dir / "guest_e9.elf"
    for cmd in (["gcc", "-c", "-o", str(obj), str(HERE / "guest_e9.S")],
                ["ld", "-nostdlib", "-T", str(HERE / "guest_e9.ld"), "-o", str(elf), str(obj)]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise LabError(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return elf


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", default=HERE.parents[1] / "build" / "xen-lab")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--guest", action="append", default=[], type=Path)
    ap.add_argument("script", nargs="?", type=Path)
    args = ap.parse_args()
    try:
        lab = prepare(args.cache)
        script = args.script.read_text() if args.script else "xl info\n"
        status, console = lab.run({g.name: g for g in args.guest}, script, args.timeout)
    except LabError as e:
        sys.exit(f"lab.py: {e}")
    sys.stdout.write(console)
    times = ", ".join(f"{k} {v:.1f} s" for k, v in lab.timing.items())
    print(f"lab.py: status {status} ({times})", file=sys.stderr)
    sys.exit(255 if status is None else status)


if __name__ == "__main__":
    main()
