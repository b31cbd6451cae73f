/* The unix-direct runner (`mirari run --unix`): the image is a Linux
 * process with mirari's own TCP/IP stack, and its network is a tap device
 * whose fd it inherits as --net-fd=N.
 *
 *   tap       a new one (mir0, mir1, ...: the kernel picks the number),
 *             created non-persistent, so it disappears as soon as the
 *             last fd on it is closed: when both mirari and the unikernel
 *             are gone, whatever happened to them. MIRARI_TAP=NAME uses a
 *             tap created beforehand instead (the way to run without
 *             privileges: `ip tuntap add dev NAME mode tap user USER`),
 *             which is left as it was.
 *   host side the tap gets 10.0.0.1/24 and is brought up (MIRARI_TAP_ADDRESS
 *             =A.B.C.D/N to choose; nothing is done to a MIRARI_TAP).
 *   addresses an app with neither ip-use-dhcp nor ip-address is given
 *             --ip-address=10.0.0.2 (the host address + 1) with the host's
 *             netmask and the host as gateway.
 *   DHCP      with ip-use-dhcp: true, dnsmasq serves that tap alone
 *             (--interface, --bind-interfaces, --except-interface=lo,
 *             --port=0: no DNS), a range of the host's subnet, its lease
 *             file and pid file in a private temporary directory.
 *   fd        opened close-on-exec and made inheritable only in the child
 *             between fork and exec: it exists before the unikernel does,
 *             so there is no hand-off to race.
 *   exit      the unikernel's status (128+N when killed by signal N);
 *             SIGINT, SIGTERM and SIGHUP are passed on to it; dnsmasq and
 *             the temporary directory are removed on every path. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mirari/net.h>

#include "target.h"
#include "util.h"

#define DEFAULT_HOST   "10.0.0.1"
#define DEFAULT_PREFIX 24

static volatile pid_t child;
static volatile sig_atomic_t stopped_by; /* a signal that came before the unikernel started */

/* As run_socket: a signal sent to mirari alone is passed on; one from the
 * terminal (si_code SI_KERNEL) reached the unikernel too. Before the
 * unikernel runs, it stops the start-up (and the cleanup still happens). */
static void forward(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    if (child > 0) {
        if (info->si_code != SI_KERNEL)
            kill(child, sig);
    } else {
        stopped_by = sig;
    }
}

static void set_handlers(bool on)
{
    struct sigaction sa = {0};
    sigemptyset(&sa.sa_mask);
    if (on) {
        sa.sa_sigaction = forward;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
    } else {
        sa.sa_handler = SIG_DFL;
    }
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* The value of --KEY= in the boot arguments; the last one wins, as in the
 * unikernel. */
static const char *boot_value(char **args, const char *key)
{
    const char *v = NULL;
    size_t n = strlen(key);
    for (char **a = args; *a; a++)
        if (strncmp(*a, "--", 2) == 0 && strncmp(*a + 2, key, n) == 0 && (*a)[2 + n] == '=')
            v = *a + 3 + n;
    return v;
}

static const char *privilege_hint =
    "creating a tap device needs CAP_NET_ADMIN: run mirari as root, or create one once with "
    "`sudo ip tuntap add dev mir0 mode tap user $USER && sudo ip addr add 10.0.0.1/24 dev mir0 "
    "&& sudo ip link set mir0 up` and run with MIRARI_TAP=mir0";

/* Open (and with `create`, make) the tap `name` ("" lets the kernel
 * choose); its name comes back in name. -1 after a message. */
static int tap_open(char name[IFNAMSIZ], bool create)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (errno == EACCES || errno == EPERM)
            errorf("cannot open /dev/net/tun: %s; %s", strerror(errno), privilege_hint);
        else
            errorf("cannot open /dev/net/tun: %s (is the tun module loaded?)", strerror(errno));
        return -1;
    }
    struct ifreq ifr = {0};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", create ? "mir%d" : name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;
        if (create && (e == EPERM || e == EACCES))
            errorf("%s", privilege_hint);
        else if (!create && (e == EPERM || e == EACCES))
            errorf("cannot use tap %s: %s; it must belong to you (ip tuntap add dev %s mode tap "
                   "user $USER)",
                   name, strerror(e), name);
        else
            errorf("cannot %s tap %s: %s", create ? "create" : "open", ifr.ifr_name, strerror(e));
        close(fd);
        return -1;
    }
    snprintf(name, IFNAMSIZ, "%s", ifr.ifr_name);
    return fd;
}

/* Give the host side of the tap its address and bring it up. */
static int tap_configure(const char *name, mi_ipv4 addr, mi_ipv4 mask)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
    struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(addr);
    int r = ioctl(s, SIOCSIFADDR, &ifr);
    if (r == 0) {
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(mask);
        r = ioctl(s, SIOCSIFNETMASK, &ifr);
    }
    if (r == 0)
        r = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (r == 0) {
        ifr.ifr_flags |= IFF_UP;
        r = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int e = errno;
    close(s);
    if (r < 0)
        errorf("cannot configure %s: %s", name, strerror(e));
    return r;
}

/* "A.B.C.D/N" */
static int parse_cidr(const char *s, mi_ipv4 *addr, mi_ipv4 *mask)
{
    const char *slash = strchr(s, '/');
    char *ip = slash ? xstrndup(s, (size_t)(slash - s)) : xstrdup(s);
    int r = mi_ipv4_parse(ip, addr);
    free(ip);
    long n = DEFAULT_PREFIX;
    if (r == 0 && slash) {
        char *end;
        n = strtol(slash + 1, &end, 10);
        if (*end || end == slash + 1 || n < 8 || n > 30)
            r = -1;
    }
    *mask = (mi_ipv4)(0xffffffffull << (32 - n));
    return r;
}

static char *fmt_ip(mi_ipv4 a)
{
    char b[MI_IPV4_STRLEN];
    return xstrdup(mi_ipv4_format(a, b));
}

static const char *dnsmasq_path(void)
{
    static const char *const candidates[] = {"/usr/sbin/dnsmasq", "/sbin/dnsmasq",
                                             "/usr/local/sbin/dnsmasq"};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
        if (access(candidates[i], X_OK) == 0)
            return candidates[i];
    return find_program("dnsmasq") ? "dnsmasq" : NULL;
}

/* Start dnsmasq for the tap alone; its pid, or -1 after a message. */
static pid_t dnsmasq_start(const char *tap, const char *dir, mi_ipv4 host, mi_ipv4 mask)
{
    const char *prog = dnsmasq_path();
    if (prog == NULL) {
        errorf("the app uses DHCP but dnsmasq is not installed (Debian package dnsmasq-base)");
        return -1;
    }
    mi_ipv4 net = host & mask;
    mi_ipv4 last = (net | ~mask) - 1;
    /* The upper part of the subnet, clear of the host and of addresses
     * people usually give by hand at the bottom. */
    mi_ipv4 first = net + (~mask + 1) / 2;
    if (first <= host && host <= last)
        first = host + 1;
    char *f = fmt_ip(first), *l = fmt_ip(last), *m = fmt_ip(mask);
    char *range = xasprintf("--dhcp-range=%s,%s,%s,1h", f, l, m);
    char *iface = xasprintf("--interface=%s", tap);
    char *leases = xasprintf("--dhcp-leasefile=%s/leases", dir);
    char *pidf = xasprintf("--pid-file=%s/dnsmasq.pid", dir);
    char *argv[] = {(char *)prog,
                    "--keep-in-foreground",
                    "--conf-file=/dev/null",
                    iface,
                    "--bind-interfaces",
                    "--except-interface=lo",
                    "--port=0",
                    "--no-resolv",
                    "--no-hosts",
                    "--no-ping",
                    "--dhcp-authoritative",
                    range,
                    leases,
                    pidf,
                    "--user=root",
                    "--log-facility=-",
                    "--quiet-dhcp",
                    NULL};
    if (verbosity >= 2) {
        char *line = cmd_line(argv);
        fprintf(stderr, "%s\n", line);
        free(line);
    }
    pid_t pid = fork();
    if (pid == 0) {
        set_handlers(false);
        /* Its own process group: Ctrl-C is for the unikernel; mirari
         * stops dnsmasq itself. */
        setpgid(0, 0);
        if (verbosity < 2) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0)
                dup2(null, STDERR_FILENO);
        }
        execv(prog, argv);
        _exit(127);
    }
    free(f), free(l), free(m), free(range), free(iface), free(leases), free(pidf);
    if (pid < 0) {
        errorf("cannot start dnsmasq: %s", strerror(errno));
        return -1;
    }
    /* Ready when it has written its pid file (after binding); a few
     * seconds at most, and the client retransmits anyway. */
    char *pidpath = path_join(dir, "dnsmasq.pid");
    for (int i = 0; i < 200; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            errorf("dnsmasq failed to start on %s (exit status %d); run with -v to see why", tap,
                   WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
            free(pidpath);
            return -1;
        }
        if (is_file(pidpath))
            break;
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    free(pidpath);
    return pid;
}

static void dnsmasq_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(pid, NULL, WNOHANG) != 0)
            return;
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* Remove the temporary directory and what dnsmasq left in it. */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = path_join(dir, e->d_name);
            unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* fork + exec with the tap fd inherited; exec errors come back through a
 * close-on-exec pipe. */
static pid_t start(const char *image, char **argv, int tapfd, int *exec_errno)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t pid = fork();
    if (pid == 0) {
        set_handlers(false);
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (tapfd >= 0)
            fcntl(tapfd, F_SETFD, 0); /* inherited by this exec only */
        execv(image, argv);
        int e = errno;
        (void)!write(p[1], &e, sizeof e);
        _exit(127);
    }
    child = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(p[1]);
    *exec_errno = 0;
    if (pid > 0) {
        ssize_t n;
        while ((n = read(p[0], exec_errno, sizeof *exec_errno)) < 0 && errno == EINTR)
            ;
        if (n != (ssize_t)sizeof *exec_errno)
            *exec_errno = 0;
    }
    close(p[0]);
    return pid;
}

int run_direct(const struct run_request *req)
{
    const char *dhcp_v = boot_value(req->boot_args, "ip-use-dhcp");
    bool dhcp = dhcp_v && strcmp(dhcp_v, "true") == 0;
    bool has_addr = boot_value(req->boot_args, "ip-address") != NULL;
    const char *given_tap = getenv("MIRARI_TAP");
    const char *host_cidr = getenv("MIRARI_TAP_ADDRESS");
    if (given_tap && !*given_tap)
        given_tap = NULL;

    mi_ipv4 host = 0, mask = 0;
    if (parse_cidr(host_cidr && *host_cidr ? host_cidr : DEFAULT_HOST, &host, &mask) != 0) {
        errorf("MIRARI_TAP_ADDRESS=%s: expected an address and prefix length such as 10.0.0.1/24",
               host_cidr);
        return 1;
    }

    char tap[IFNAMSIZ] = "";
    if (given_tap) {
        if (strlen(given_tap) >= IFNAMSIZ) {
            errorf("MIRARI_TAP=%s: an interface name has at most %d characters", given_tap,
                   IFNAMSIZ - 1);
            return 1;
        }
        snprintf(tap, sizeof tap, "%s", given_tap);
    }
    int tapfd = tap_open(tap, given_tap == NULL);
    if (tapfd < 0)
        return 1;
    if (!given_tap && tap_configure(tap, host, mask) != 0) {
        close(tapfd);
        return 1;
    }

    /* The boot arguments, plus the default address and the fd. */
    size_t n = 0;
    while (req->boot_args[n])
        n++;
    char **argv = xmalloc((n + 6) * sizeof *argv);
    size_t k = 0;
    argv[k++] = (char *)req->image;
    for (size_t i = 0; i < n; i++)
        argv[k++] = req->boot_args[i];
    char *extra[4] = {NULL};
    if (!dhcp && !has_addr) {
        char *a = fmt_ip(host + 1), *m = fmt_ip(mask), *g = fmt_ip(host);
        extra[0] = xasprintf("--ip-address=%s", a);
        extra[1] = xasprintf("--ip-netmask=%s", m);
        extra[2] = xasprintf("--ip-gateway=%s", g);
        free(a), free(m), free(g);
        for (int i = 0; i < 3; i++)
            argv[k++] = extra[i];
    }
    extra[3] = xasprintf("--net-fd=%d", tapfd);
    argv[k++] = extra[3];
    argv[k] = NULL;

    char *dir = NULL;
    pid_t dns = 0;
    int rc = 1;
    stopped_by = 0;
    set_handlers(true);
    if (dhcp && geteuid() != 0) {
        errorf("the app uses DHCP, and dnsmasq needs root to serve it (port 67): run mirari as "
               "root, or give the app a static address (ip-address)");
        goto out;
    }
    if (dhcp) {
        if (given_tap && !host_cidr) {
            /* We did not configure the tap: serve the subnet it has. */
            note("DHCP on %s for the default subnet %s/%d: set MIRARI_TAP_ADDRESS to the address "
                 "of %s if it has another one",
                 tap, DEFAULT_HOST, DEFAULT_PREFIX, tap);
        }
        const char *tmp = getenv("TMPDIR");
        dir = xasprintf("%s/mirari-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (mkdtemp(dir) == NULL) {
            errorf("cannot make a temporary directory %s: %s", dir, strerror(errno));
            free(dir);
            dir = NULL;
            goto out;
        }
        dns = dnsmasq_start(tap, dir, host, mask);
        if (dns < 0)
            goto out;
    }

    char *h = fmt_ip(host);
    note("network: tap %s, host side %s%s", tap, h, dhcp ? ", DHCP from dnsmasq" : "");
    free(h);
    if (verbosity >= 2) {
        char *line = cmd_line(argv);
        fprintf(stderr, "%s\n", line);
        free(line);
    }
    fflush(stdout);
    if (stopped_by) {
        rc = 128 + stopped_by;
        goto out;
    }
    int exec_errno;
    pid_t pid = start(req->image, argv, tapfd, &exec_errno);
    int status = 0;
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    child = 0;
    if (pid < 0 || exec_errno) {
        errorf("cannot start %s: %s", req->image, strerror(pid < 0 ? errno : exec_errno));
        rc = 1;
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        errorf("%s was killed by signal %d (%s)", path_base(req->image), sig, strsignal(sig));
        rc = 128 + sig;
    } else {
        rc = WEXITSTATUS(status);
    }
out:
    set_handlers(false);
    dnsmasq_stop(dns);
    if (dir) {
        remove_dir(dir);
        free(dir);
    }
    /* The last fd on a non-persistent tap: closing it removes the device. */
    close(tapfd);
    for (int i = 0; i < 4; i++)
        free(extra[i]);
    free(argv);
    return rc;
}
