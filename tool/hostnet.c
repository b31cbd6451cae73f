/* SPDX-License-Identifier: ISC */
/* The host side of a tap network: tap, host address, dnsmasq, cleanup.
 * See hostnet.h. */
#include "hostnet.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_tun.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *privilege_hint =
    "creating a tap device needs CAP_NET_ADMIN: run mirari as root, or create one once with "
    "`sudo ip tuntap add dev mir0 mode tap user $USER && sudo ip addr add 10.0.0.1/24 dev mir0 "
    "&& sudo ip link set mir0 up` and run with MIRARI_TAP=mir0";

const char *hostnet_boot_value(char **args, const char *key)
{
    const char *v = NULL;
    size_t n = strlen(key);
    for (char **a = args; *a; a++)
        if (strncmp(*a, "--", 2) == 0 && strncmp(*a + 2, key, n) == 0 && (*a)[2 + n] == '=')
            v = *a + 3 + n;
    return v;
}

const char *hostnet_given_tap(void)
{
    const char *t = getenv("MIRARI_TAP");
    return t && *t ? t : NULL;
}

int hostnet_parse_cidr(const char *s, mi_ipv4 *addr, mi_ipv4 *mask)
{
    const char *slash = strchr(s, '/');
    char *ip = slash ? xstrndup(s, (size_t)(slash - s)) : xstrdup(s);
    int r = mi_ipv4_parse(ip, addr);
    free(ip);
    long n = HOSTNET_DEFAULT_PREFIX;
    if (r == 0 && slash) {
        char *end;
        n = strtol(slash + 1, &end, 10);
        if (*end || end == slash + 1 || n < 8 || n > 30)
            r = -1;
    }
    if (r == 0)
        *mask = (mi_ipv4)(0xffffffffull << (32 - n));
    return r;
}

void hostnet_dhcp_range(mi_ipv4 host, mi_ipv4 mask, mi_ipv4 *first, mi_ipv4 *last)
{
    mi_ipv4 net = host & mask;
    *last = (net | ~mask) - 1;
    /* The upper part of the subnet, clear of the host and of addresses
     * people usually give by hand at the bottom. */
    *first = net + (~mask + 1) / 2;
    if (*first <= host && host <= *last)
        *first = host + 1;
}

static char *fmt_ip(mi_ipv4 a)
{
    char b[MI_IPV4_STRLEN];
    return xstrdup(mi_ipv4_format(a, b));
}

/* The interface other than `self` whose subnet overlaps net/mask, or NULL
 * (a static buffer). Two interfaces routing one subnet would take the
 * host's route away from whichever was there first. */
static const char *subnet_owner(mi_ipv4 addr, mi_ipv4 mask, const char *self)
{
    static char owner[IFNAMSIZ];
    struct ifaddrs *list;
    if (getifaddrs(&list) != 0)
        return NULL;
    const char *found = NULL;
    for (struct ifaddrs *i = list; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !i->ifa_netmask ||
            strcmp(i->ifa_name, self) == 0)
            continue;
        mi_ipv4 a = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
        mi_ipv4 m = ntohl(((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr);
        mi_ipv4 common = m & mask; /* the shorter prefix of the two */
        if ((a & common) == (addr & common)) {
            snprintf(owner, sizeof owner, "%s", i->ifa_name);
            found = owner;
        }
    }
    freeifaddrs(list);
    return found;
}

const char *hostnet_route_overlap(const char *routes, mi_ipv4 addr, mi_ipv4 mask, char *iface,
                                  size_t cap)
{
    static char found[64];
    const char *line = strchr(routes, '\n'); /* the header */
    while (line && *++line) {
        char name[IFNAMSIZ];
        unsigned dest, gw, flags, rmask;
        if (sscanf(line, "%15s %x %x %x %*d %*d %*d %x", name, &dest, &gw, &flags, &rmask) == 5) {
            /* The table is in network byte order, printed as a host word. */
            mi_ipv4 d = ntohl(dest), m = ntohl(rmask), g = ntohl(gw);
            mi_ipv4 common = m & mask;
            /* The default route (mask 0) covers everything: it is where the
             * tap's own route takes traffic from, as intended. Routes of the
             * tap itself were made with it. */
            if (m != 0 && (d & common) == (addr & common)) {
                char *dt = fmt_ip(d), *gt = fmt_ip(g);
                snprintf(found, sizeof found, "%s/%d%s%s", dt, m ? 32 - __builtin_ctz(m) : 0,
                         g ? " via " : "", g ? gt : "");
                free(dt);
                free(gt);
                snprintf(iface, cap, "%s", name);
                return found;
            }
        }
        line = strchr(line, '\n');
    }
    return NULL;
}

/* A route of the host's (other than through an interface whose address
 * overlaps, which subnet_owner reports) that the tap's subnet would take
 * traffic from: a VPN's 10.0.0.0/8, say. */
static const char *route_owner(mi_ipv4 addr, mi_ipv4 mask, char *iface, size_t cap)
{
    char *routes = read_file("/proc/net/route", NULL);
    if (!routes)
        return NULL;
    const char *r = hostnet_route_overlap(routes, addr, mask, iface, cap);
    free(routes);
    return r;
}

/* Frames on the tap carry a virtio-net header (IFF_VNET_HDR, which can
 * only be chosen here, when the fd attaches), unless MIRARI_TAP_OFFLOAD
 * is "off": with it the unikernel hands the kernel TCP segments of up to
 * 64 KiB with partial checksums and takes coalesced ones (it sets the
 * header's size and the offloads itself, platform/unix/net_tap.c; QEMU,
 * given the fd, does the same for its guest). Without it every frame is
 * a plain Ethernet frame of at most the MTU. */
static bool tap_offload(void)
{
    const char *v = getenv("MIRARI_TAP_OFFLOAD");
    return !(v && strcmp(v, "off") == 0);
}

/* Open (and with `create`, make) the tap `name` ("" lets the kernel
 * choose); its name comes back in name. The fd, or -1 with errno and
 * *step ("open" or "attach") saying which call failed. */
static int tap_open(char name[IFNAMSIZ], bool create, const char **step)
{
    *step = "open";
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct ifreq ifr = {0};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (tap_offload() ? IFF_VNET_HDR : 0);
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", create ? "mir%d" : name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;
        close(fd);
        *step = "attach";
        errno = e;
        return -1;
    }
    snprintf(name, IFNAMSIZ, "%s", ifr.ifr_name);
    /* A tap made beforehand keeps the offloads its last user set: start
     * from none, so a reader without the header never gets a frame
     * larger than the MTU or with a partial checksum. */
    ioctl(fd, TUNSETOFFLOAD, 0ul);
    return fd;
}

static void tap_error(const char *name, bool create, const char *step, int e)
{
    if (strcmp(step, "open") == 0) {
        if (e == EACCES || e == EPERM)
            errorf("cannot open /dev/net/tun: %s; %s", strerror(e), privilege_hint);
        else
            errorf("cannot open /dev/net/tun: %s (is the tun module loaded?)", strerror(e));
    } else if (create && (e == EPERM || e == EACCES)) {
        errorf("%s", privilege_hint);
    } else if (!create && (e == EPERM || e == EACCES)) {
        errorf("cannot use tap %s: %s; it must belong to you (ip tuntap add dev %s mode tap user "
               "$USER)",
               name, strerror(e), name);
    } else {
        errorf("cannot %s tap %s: %s", create ? "create" : "open", create ? "mir%d" : name,
               strerror(e));
    }
}

/* Give the host side of the tap its address and bring it up. */
static int tap_configure(const char *name, mi_ipv4 addr, mi_ipv4 mask)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        errorf("cannot configure %s: %s", name, strerror(errno));
        return -1;
    }
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

int hostnet_open(struct hostnet *hn, char **boot_args, const char *given, bool probe,
                 const char **why)
{
    *hn = (struct hostnet){.fd = -1, .boot_args = boot_args};
    const char *dhcp = hostnet_boot_value(boot_args, "ip-use-dhcp");
    hn->dhcp = dhcp && strcmp(dhcp, "true") == 0;
    hn->has_address = hostnet_boot_value(boot_args, "ip-address") != NULL;
    hn->given = given != NULL;

    const char *cidr = getenv("MIRARI_TAP_ADDRESS");
    if (hostnet_parse_cidr(cidr && *cidr ? cidr : HOSTNET_DEFAULT_HOST, &hn->host, &hn->mask) !=
        0) {
        errorf("MIRARI_TAP_ADDRESS=%s: expected an address and prefix length such as 10.0.0.1/24",
               cidr);
        return HOSTNET_FAILED;
    }
    if (given) {
        if (strlen(given) >= IFNAMSIZ) {
            errorf("tap %s: an interface name has at most %d characters", given, IFNAMSIZ - 1);
            return HOSTNET_FAILED;
        }
        snprintf(hn->tap, sizeof hn->tap, "%s", given);
    } else {
        const char *owner = subnet_owner(hn->host, hn->mask, "");
        char via[IFNAMSIZ] = "";
        const char *route = owner ? NULL : route_owner(hn->host, hn->mask, via, sizeof via);
        if (owner || route) {
            char *h = fmt_ip(hn->host);
            if (probe) {
                *why = "the tap's subnet is in use";
            } else if (owner) {
                errorf("the subnet of %s/%d is already %s's: choose another with "
                       "--tap-address=A.B.C.D/N (or MIRARI_TAP_ADDRESS)",
                       h, 32 - __builtin_ctz(hn->mask), owner);
            } else {
                errorf("the subnet of %s/%d overlaps the host's route to %s on %s: choose "
                       "another with --tap-address=A.B.C.D/N (or MIRARI_TAP_ADDRESS)",
                       h, 32 - __builtin_ctz(hn->mask), route, via);
            }
            free(h);
            return probe ? HOSTNET_UNAVAILABLE : HOSTNET_FAILED;
        }
    }

    const char *step;
    hn->fd = tap_open(hn->tap, !given, &step);
    if (hn->fd < 0) {
        int e = errno;
        bool absent = strcmp(step, "open") == 0 && (e == ENOENT || e == ENODEV || e == ENXIO);
        if (probe && (e == EPERM || e == EACCES || absent)) {
            *why = absent ? "there is no tun driver" : "creating a tap needs CAP_NET_ADMIN";
            return HOSTNET_UNAVAILABLE;
        }
        tap_error(hn->tap, !given, step, e);
        return HOSTNET_FAILED;
    }
    if (!given && tap_configure(hn->tap, hn->host, hn->mask) != 0)
        return HOSTNET_FAILED;
    return HOSTNET_OK;
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
    mi_ipv4 first, last;
    hostnet_dhcp_range(host, mask, &first, &last);
    char *f = fmt_ip(first), *l = fmt_ip(last), *m = fmt_ip(mask);
    char *range = xasprintf("--dhcp-range=%s,%s,%s,1h", f, l, m);
    char *iface = xasprintf("--interface=%s", tap);
    char *leases = xasprintf("--dhcp-leasefile=%s/leases", dir);
    char *pidf = xasprintf("--pid-file=%s/dnsmasq.pid", dir);
    char *argv[] = {(char *)prog, "--keep-in-foreground", "--conf-file=/dev/null", iface,
                    "--bind-interfaces", "--except-interface=lo", "--port=0", "--no-resolv",
                    "--no-hosts", "--no-ping", /* no 3 s ICMP probe before each lease */
                    "--dhcp-authoritative", range, leases, pidf, "--user=root",
                    /* No change of group either: that would clear the
                     * parent-death signal (prctl(2)). */
                    "--group=root", "--log-facility=-", "--quiet-dhcp", NULL};
    if (verbosity >= 2) {
        char *line = cmd_line(argv);
        fprintf(stderr, "%s\n", line);
        free(line);
    }
    fflush(stdout);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* The runner's handlers are not for this process. */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        /* Its own process group: Ctrl-C is for the unikernel; mirari
         * stops dnsmasq itself, and should mirari be killed outright,
         * dnsmasq goes too. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
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

int hostnet_start_dhcp(struct hostnet *hn)
{
    if (!hn->dhcp)
        return 0;
    if (geteuid() != 0) {
        errorf("the app uses DHCP, and dnsmasq needs root to serve it (port 67): run mirari as "
               "root, or give the app a static address (ip-address)");
        return -1;
    }
    const char *cidr = getenv("MIRARI_TAP_ADDRESS");
    if (hn->given && !(cidr && *cidr)) {
        /* We did not configure the tap: serve the subnet it has. */
        note("DHCP on %s for the default subnet %s/%d: set MIRARI_TAP_ADDRESS to the address of "
             "%s if it has another one",
             hn->tap, HOSTNET_DEFAULT_HOST, HOSTNET_DEFAULT_PREFIX, hn->tap);
    }
    const char *tmp = getenv("TMPDIR");
    hn->dir = xasprintf("%s/mirari-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(hn->dir) == NULL) {
        errorf("cannot make a temporary directory %s: %s", hn->dir, strerror(errno));
        free(hn->dir);
        hn->dir = NULL;
        return -1;
    }
    pid_t pid = dnsmasq_start(hn->tap, hn->dir, hn->host, hn->mask);
    if (pid < 0)
        return -1;
    hn->dnsmasq = pid;
    return 0;
}

void hostnet_default_address(const struct hostnet *hn, struct strlist *out)
{
    if (hn->dhcp)
        return;
    mi_ipv4 guest = hostnet_guest_address(hn, hn->boot_args);
    /* An address of the app's own outside the host's subnet: its own
     * business (it may have a gateway there). */
    if (guest == 0 || (guest & hn->mask) != (hn->host & hn->mask))
        return;
    char *a = fmt_ip(guest), *m = fmt_ip(hn->mask), *g = fmt_ip(hn->host);
    if (!hn->has_address)
        sl_addf(out, "--ip-address=%s", a);
    if (!hostnet_boot_value(hn->boot_args, "ip-netmask"))
        sl_addf(out, "--ip-netmask=%s", m);
    if (!hostnet_boot_value(hn->boot_args, "ip-gateway"))
        sl_addf(out, "--ip-gateway=%s", g);
    free(a), free(m), free(g);
}

mi_ipv4 hostnet_guest_address(const struct hostnet *hn, char **boot_args)
{
    if (hn->dhcp)
        return 0;
    mi_ipv4 a;
    const char *v = hostnet_boot_value(boot_args, "ip-address");
    if (v)
        return mi_ipv4_parse(v, &a) == 0 ? a : 0;
    return hn->host + 1;
}

void hostnet_note(const struct hostnet *hn)
{
    char *h = fmt_ip(hn->host);
    note("network: tap %s, host side %s%s", hn->tap, h, hn->dhcp ? ", DHCP from dnsmasq" : "");
    free(h);
}

void hostnet_close(struct hostnet *hn)
{
    dnsmasq_stop(hn->dnsmasq);
    hn->dnsmasq = 0;
    if (hn->dir) {
        remove_dir(hn->dir);
        free(hn->dir);
        hn->dir = NULL;
    }
    /* The last fd on a non-persistent tap: closing it removes the device
     * (unless a child that inherited it still runs). */
    if (hn->fd >= 0) {
        /* The unikernel is gone; a tap made beforehand outlives it and
         * should not keep its offloads for the next user (see tap_open). */
        ioctl(hn->fd, TUNSETOFFLOAD, 0ul);
        close(hn->fd);
    }
    hn->fd = -1;
}
