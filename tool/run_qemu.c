/* SPDX-License-Identifier: ISC */
/* The qemu runner: boot the PVH image with qemu-system-x86_64, the
 * console on stdout, and exit as the unikernel did.
 *
 *   accelerator  KVM when /dev/kvm opens and the CPU has VT-x or AMD-V
 *                (a paravirtual /dev/kvm such as kvm-pvm cannot run an
 *                ordinary guest), TCG otherwise, with a note.
 *   machine      microvm (virtio-mmio, the fastest to start) unless
 *                MIRARI_QEMU_MACHINE says pc or q35 (virtio-pci).
 *   memory       the memory: key, else xl-memory, else 32 MiB.
 *   network      none for a main-noip app. Otherwise, by MIRARI_QEMU_NET:
 *                  (unset)   a tap when mirari may make one (root, or
 *                            CAP_NET_ADMIN) or MIRARI_TAP names one,
 *                            else QEMU's user-mode network, with a note;
 *                  tap       a tap, or an error saying why not;
 *                  tap:NAME  the existing tap NAME (as MIRARI_TAP=NAME);
 *                  user      QEMU's user-mode network (no privileges);
 *                  none      no network device.
 *                A tap is hostnet.h's, as for unix-direct: a new mirN with
 *                10.0.0.1/24 on the host side (MIRARI_TAP_ADDRESS), the
 *                app at the host address + 1 unless it has an address or
 *                uses DHCP, dnsmasq for ip-use-dhcp. mirari opens it and
 *                QEMU inherits the fd (-netdev tap,fd=N): a tap takes one
 *                owner at a time, and it goes away with the last of the
 *                two. The user-mode network takes the app's address
 *                (10.0.2.15 when it configures none), and for main-http
 *                forwards 127.0.0.1:<http-port> (MIRARI_QEMU_HTTP_PORT)
 *                to the unikernel; MIRARI_QEMU_HOSTFWD adds forwards
 *                ("udp:127.0.0.1:7-:7").
 *   entropy      a virtio-rng device, which the kernel seeds its random
 *                numbers from when the CPU has no RDSEED or RDRAND.
 *   exit status  decoded from isa-debug-exit (platform/x86_64/exit.c):
 *                the unikernel's status (0-125), 139 when it crashed,
 *                130/143 when interrupted, 1 when QEMU failed.
 *   cleanup      dnsmasq, its files and the tap are gone on every path:
 *                QEMU exits or fails to start, Ctrl-C, SIGTERM or SIGHUP
 *                to mirari (passed on to QEMU); QEMU gets SIGTERM should
 *                mirari itself be killed.
 *
 * MIRARI_QEMU names another QEMU binary; MIRARI_QEMU_ACCEL=kvm|tcg forces
 * the accelerator. */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "qemu_exit.h"
#include "check.h"
#include "hostnet.h"
#include "supervise.h"
#include "target.h"
#include "util.h"

#define DEFAULT_MEMORY_MB "32"
#define CRASH_STATUS      (128 + SIGSEGV) /* as a process that faulted */
#define SLIRP_GUEST       "10.0.2.15"     /* QEMU user-mode network defaults */
#define SLIRP_GATEWAY     "10.0.2.2"

/* Hardware virtualisation: /dev/kvm alone is not enough (this may be a
 * VM whose /dev/kvm is paravirtual and runs only its own guests). */
static bool kvm_usable(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return false;
    close(fd);
    char *cpuinfo = read_file("/proc/cpuinfo", NULL);
    bool hw = cpuinfo && (strstr(cpuinfo, " vmx") || strstr(cpuinfo, " svm"));
    free(cpuinfo);
    return hw;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Under TCG the guest reads the host's TSC, so the host can tell the
 * kernel its rate (tsc-khz=) and spare it 50 ms of PIT calibration. Only
 * for a TSC that ticks at a constant rate, measured over 10 ms here. */
static unsigned long host_tsc_khz(void)
{
#if defined(__x86_64__)
    char *cpuinfo = read_file("/proc/cpuinfo", NULL);
    bool constant = cpuinfo && strstr(cpuinfo, " constant_tsc") && strstr(cpuinfo, " nonstop_tsc");
    free(cpuinfo);
    if (!constant)
        return 0;
    uint32_t lo, hi;
    uint64_t t0 = now_ns();
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t c0 = (uint64_t)hi << 32 | lo, t1, c1;
    do {
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        c1 = (uint64_t)hi << 32 | lo;
        t1 = now_ns();
    } while (t1 - t0 < 10000000);
    return (unsigned long)((c1 - c0) * 1000000 / (t1 - t0));
#else
    return 0;
#endif
}

/* The kernel command line, encoded as the kernel splits it
 * (abi/cmdline.h). */
static void append_word(struct sbuf *b, const char *w)
{
    char *enc = xmalloc(cmdline_encoded_len(w) + 1);
    cmdline_encode(w, enc);
    if (b->len)
        sb_add(b, " ");
    sb_add(b, enc);
    free(enc);
}

static int parse_ipv4(const char *s, uint32_t *out)
{
    unsigned a, b, c, d;
    char end;
    if (!s || sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &end) != 4 || a > 255 || b > 255 ||
        c > 255 || d > 255)
        return -1;
    *out = a << 24 | b << 16 | c << 8 | d;
    return 0;
}

static char *ipv4_str(uint32_t a)
{
    return xasprintf("%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* -netdev user: QEMU's built-in NAT (slirp) on the unikernel's subnet, so
 * a static address works as well as DHCP (slirp serves 10.0.2.15 on
 * 10.0.2.0/24 by default). */
static void user_netdev(const struct run_request *req, struct sbuf *nd)
{
    sb_add(nd, "user,id=n0");
    const char *dhcp = hostnet_boot_value(req->boot_args, "ip-use-dhcp");
    uint32_t addr = 0, mask = 0xffffff00u, gw = 0;
    bool fixed = !(dhcp && strcmp(dhcp, "true") == 0) &&
                 parse_ipv4(hostnet_boot_value(req->boot_args, "ip-address"), &addr) == 0;
    if (fixed) {
        parse_ipv4(hostnet_boot_value(req->boot_args, "ip-netmask"), &mask);
        if (parse_ipv4(hostnet_boot_value(req->boot_args, "ip-gateway"), &gw) < 0 ||
            (gw & mask) != (addr & mask))
            gw = (addr & mask) | ((addr & ~mask) == 1 ? 2 : 1);
        char *net = ipv4_str(addr & mask), *m = ipv4_str(mask), *host = ipv4_str(gw);
        /* The DHCP range and DNS address must be in the subnet too; keep
         * them off the unikernel's address. */
        uint32_t dns = (addr & mask) | 3, dhcp_start = (addr & mask) | 200;
        if (dns == addr || dns == gw)
            dns = (addr & mask) | 4;
        char *d = ipv4_str(dns), *ds = ipv4_str(dhcp_start);
        sb_printf(nd, ",net=%s/%s,host=%s,dns=%s,dhcpstart=%s", net, m, host, d, ds);
        free(net), free(m), free(host), free(d), free(ds);
    }
    char *guest = fixed ? ipv4_str(addr) : xstrdup("");
    if (req->cfg->kind == MI_MAIN_HTTP) {
        const char *p = hostnet_boot_value(req->boot_args, "http-port");
        unsigned port = p ? (unsigned)atoi(p) : 80;
        /* The host side: the same port, unless that needs privileges. */
        unsigned host_port = port >= 1024 || geteuid() == 0 ? port : port + 8000;
        const char *env = getenv("MIRARI_QEMU_HTTP_PORT");
        if (env && atoi(env) > 0)
            host_port = (unsigned)atoi(env);
        sb_printf(nd, ",hostfwd=tcp:127.0.0.1:%u-%s:%u", host_port, guest, port);
        note("http://127.0.0.1:%u/ reaches the unikernel's port %u (QEMU user-mode network)",
             host_port, port);
    }
    const char *extra = getenv("MIRARI_QEMU_HOSTFWD");
    if (extra && *extra) {
        char *copy = xstrdup(extra);
        for (char *save, *r = strtok_r(copy, ",", &save); r; r = strtok_r(NULL, ",", &save))
            sb_printf(nd, ",hostfwd=%s", r);
        free(copy);
    }
    free(guest);
}

/* The tool's exit status from QEMU's (ctx: the run_request). */
static int decode(int status, const void *ctx)
{
    const struct run_request *req = ctx;
    const char *name = path_base(req->image);
    if (WIFSIGNALED(status)) {
        char *who = xasprintf("QEMU running %s", name);
        int rc = child_exit_code(who, status);
        free(who);
        return rc;
    }
    int st = WEXITSTATUS(status);
    if (child_stopped_by() && st == 0)
        return 128 + child_stopped_by(); /* QEMU ended on our Ctrl-C or SIGTERM */
    int c = qemu_exit_decode(st);
    switch (c) {
    case QEMU_EXIT_CRASHED:
        errorf("%s crashed (the kernel's report is above)", name);
        return CRASH_STATUS;
    case QEMU_EXIT_RESET:
        errorf("%s reset the VM (a triple fault: a crash the kernel could not report)", name);
        return CRASH_STATUS;
    case QEMU_EXIT_QEMU_ERROR:
        errorf("QEMU failed to run %s (status %d)", name, st);
        return 1;
    default:
        return c;
    }
}

enum net_mode { NET_NONE, NET_AUTO, NET_TAP, NET_USER };

/* The network MIRARI_QEMU_NET and MIRARI_TAP ask for; -1 after a message. */
static int net_mode(const struct run_request *req, enum net_mode *mode, const char **tap)
{
    const char *net = getenv("MIRARI_QEMU_NET");
    *tap = hostnet_given_tap();
    if (req->cfg->kind == MI_MAIN_NOIP || (net && strcmp(net, "none") == 0))
        *mode = NET_NONE;
    else if (!net || !*net)
        *mode = *tap ? NET_TAP : NET_AUTO;
    else if (strcmp(net, "user") == 0)
        *mode = NET_USER;
    else if (strcmp(net, "tap") == 0)
        *mode = NET_TAP;
    else if (strncmp(net, "tap:", 4) == 0 && net[4]) {
        *mode = NET_TAP;
        *tap = net + 4;
    } else {
        errorf("MIRARI_QEMU_NET=%s: use tap, tap:IFNAME, user or none", net);
        return -1;
    }
    return 0;
}

/* Where a main-http app answers on a tap. */
static void tap_http_note(const struct run_request *req, const struct hostnet *hn)
{
    if (req->cfg->kind != MI_MAIN_HTTP)
        return;
    const char *p = hostnet_boot_value(req->boot_args, "http-port");
    mi_ipv4 guest = hostnet_guest_address(hn, req->boot_args);
    if (guest) {
        char b[MI_IPV4_STRLEN];
        note("http://%s:%s/ reaches the unikernel", mi_ipv4_format(guest, b), p ? p : "80");
    } else {
        note("the unikernel's address is the lease dnsmasq gives it (it says which)");
    }
}

/* What the environment and the configuration chose; the network is
 * settled by qemu_network(). */
struct qemu_setup {
    const char *qemu;    /* the binary */
    const char *machine; /* microvm, pc or q35 */
    bool microvm, kvm;
    const char *memory;    /* MiB */
    enum net_mode mode;    /* NET_NONE, NET_TAP or NET_USER after qemu_network() */
    const char *given_tap; /* MIRARI_TAP or MIRARI_QEMU_NET=tap:NAME */
    struct hostnet hn;     /* the tap, when mode is NET_TAP */
};

/* The binary, accelerator, machine, memory and network mode; -1 after a
 * message. Nothing is set up yet. */
static int qemu_choices(const struct run_request *req, struct qemu_setup *q)
{
    *q = (struct qemu_setup){.hn = {.fd = -1}};
    q->qemu = getenv("MIRARI_QEMU");
    if (!q->qemu || !*q->qemu)
        q->qemu = "qemu-system-x86_64";
    if (!find_program(q->qemu)) {
        errorf("%s not found: install QEMU (Debian package qemu-system-x86)", q->qemu);
        return -1;
    }

    const char *accel = getenv("MIRARI_QEMU_ACCEL");
    q->kvm = accel && *accel ? strcmp(accel, "kvm") == 0 : kvm_usable();
    if (!q->kvm && !(accel && *accel))
        note("no hardware virtualisation (KVM) here: QEMU emulates the CPU (TCG), which is "
             "slower");

    q->machine = getenv("MIRARI_QEMU_MACHINE");
    if (!q->machine || !*q->machine)
        q->machine = "microvm";
    q->microvm = strcmp(q->machine, "microvm") == 0;
    if (!q->microvm && strcmp(q->machine, "pc") != 0 && strcmp(q->machine, "q35") != 0) {
        errorf("MIRARI_QEMU_MACHINE=%s: use microvm, pc or q35", q->machine);
        return -1;
    }

    const struct conf_item *mem = cfg_get(req->cfg, "memory");
    if (!mem)
        mem = cfg_get(req->cfg, "xl-memory");
    q->memory = mem ? mem->value : DEFAULT_MEMORY_MB;
    if (atoi(q->memory) <= 0) {
        errorf("memory: %s is not a size in MiB", q->memory);
        return -1;
    }
    return net_mode(req, &q->mode, &q->given_tap);
}

/* A tap when one is asked for or may be made (the user-mode network when
 * none may, for NET_AUTO), with dnsmasq for DHCP; -1 after a message. */
static int qemu_network(const struct run_request *req, struct qemu_setup *q)
{
    if (q->mode != NET_TAP && q->mode != NET_AUTO)
        return 0;
    const char *why = NULL;
    int r = hostnet_open(&q->hn, req->boot_args, q->given_tap, q->mode == NET_AUTO, &why);
    if (r == HOSTNET_UNAVAILABLE) {
        note("network: QEMU's user-mode network, not a tap (%s; MIRARI_QEMU_NET=user "
             "chooses it without this note)",
             why);
        q->mode = NET_USER;
        return 0;
    }
    if (r != HOSTNET_OK || hostnet_start_dhcp(&q->hn) != 0)
        return -1;
    q->mode = NET_TAP;
    hostnet_note(&q->hn);
    tap_http_note(req, &q->hn);
    const char *fwd = getenv("MIRARI_QEMU_HOSTFWD");
    if (fwd && *fwd)
        note("MIRARI_QEMU_HOSTFWD is for the user-mode network: ignored on tap %s", q->hn.tap);
    return 0;
}

/* The kernel command line: the network's defaults, the boot arguments
 * and, under TCG, the host's TSC rate. Every word can be carried
 * (abi/cmdline.h); returns 0. */
static int kernel_cmdline(const struct run_request *req, const struct qemu_setup *q,
                          struct sbuf *cmdline)
{
    /* An app that configures no address gets the one QEMU's user-mode
     * network serves (its DHCP would give the same, a few round trips
     * later) or the tap's default; boot arguments after these still
     * override them. */
    struct strlist words = {0};
    if (q->mode == NET_USER && !hostnet_boot_value(req->boot_args, "ip-address") &&
        !hostnet_boot_value(req->boot_args, "ip-use-dhcp")) {
        sl_add(&words, "--ip-address=" SLIRP_GUEST);
        sl_add(&words, "--ip-netmask=255.255.255.0");
        sl_add(&words, "--ip-gateway=" SLIRP_GATEWAY);
    }
    if (q->mode == NET_TAP)
        hostnet_default_address(&q->hn, &words);
    for (char **a = req->boot_args; *a; a++)
        sl_add(&words, *a);
    for (size_t i = 0; i < words.n; i++)
        append_word(cmdline, words.v[i]);
    sl_free(&words);
    unsigned long khz = !q->kvm ? host_tsc_khz() : 0;
    if (khz) {
        char w[32];
        snprintf(w, sizeof w, "tsc-khz=%lu", khz);
        append_word(cmdline, w);
    }
    return 0;
}

/* QEMU's arguments: machine, CPU, memory, the console and exit devices,
 * the entropy and network devices, the kernel and its command line. */
static void qemu_argv(const struct run_request *req, const struct qemu_setup *q,
                      const char *cmdline, struct strlist *argv)
{
    sl_add(argv, q->qemu);
    if (q->microvm) {
        /* No ACPI: devices are announced on the command line; the PIT,
         * PICs and RTC the kernel uses stay on under KVM too. */
        sl_add(argv, "-M");
        sl_add(argv, "microvm,acpi=off,pit=on,pic=on,rtc=on");
        sl_add(argv, "-global");
        sl_add(argv, "virtio-mmio.force-legacy=false");
    } else {
        sl_add(argv, "-M");
        sl_add(argv, q->machine);
    }
    sl_add(argv, "-accel");
    sl_add(argv, q->kvm ? "kvm" : "tcg");
    sl_add(argv, "-cpu");
    sl_add(argv, q->kvm ? "host" : "max");
    sl_add(argv, "-m");
    sl_add(argv, q->memory);
    const char *fixed[] = {"-nodefaults",
                           "-no-user-config",
                           "-no-reboot",
                           "-display",
                           "none",
                           "-chardev",
                           "stdio,id=con,signal=on",
                           "-serial",
                           "chardev:con",
                           "-device",
                           "isa-debug-exit,iobase=0xf4,iosize=0x04"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        sl_add(argv, fixed[i]);

    /* An entropy device for the kernel's DRBG when the CPU has no
     * RDSEED/RDRAND (platform/pvh/entropy.c); unused, and cheap, when it
     * has. Its host side is QEMU's own getrandom(). */
    sl_add(argv, "-device");
    sl_add(argv, q->microvm ? "virtio-rng-device" : "virtio-rng-pci");

    if (q->mode != NET_NONE) {
        struct sbuf nd = {0};
        if (q->mode == NET_TAP)
            sb_printf(&nd, "tap,id=n0,fd=%d", q->hn.fd);
        else
            user_netdev(req, &nd);
        sl_add(argv, "-netdev");
        sl_add(argv, sb_str(&nd));
        sl_add(argv, "-device");
        sl_add(argv, q->microvm ? "virtio-net-device,netdev=n0" : "virtio-net-pci,netdev=n0");
        sb_free(&nd);
    }
    sl_add(argv, "-kernel");
    sl_add(argv, req->image);
    sl_add(argv, "-append");
    sl_add(argv, cmdline);
    sl_add(argv, ""); /* room for the terminating NULL */
    free(argv->v[argv->n - 1]);
    argv->v[argv->n - 1] = NULL;
}

int run_qemu(const struct run_request *req)
{
    struct qemu_setup q;
    if (qemu_choices(req, &q) != 0)
        return 1;

    /* From here on what was set up is removed on every path; a signal
     * before QEMU runs stops the start-up. */
    int rc = 1;
    struct sbuf cmdline = {0};
    struct strlist argv = {0};
    supervise_begin((struct forwarding){.as = SIGTERM, .hup = true});
    if (qemu_network(req, &q) == 0 && kernel_cmdline(req, &q, &cmdline) == 0) {
        qemu_argv(req, &q, sb_str(&cmdline), &argv);
        /* No VM left running (and holding the tap) without mirari. */
        struct child_spec spec = {.argv = argv.v, .keep_fd = q.hn.fd, .death_signal = SIGTERM};
        rc = supervise_run(&spec, decode, req);
    }
    supervise_end();
    hostnet_close(&q.hn);
    sb_free(&cmdline);
    sl_free(&argv);
    return rc;
}
