/* SPDX-License-Identifier: ISC */
/* The network "interface" of a process on host sockets: the host's own.
 * There is nothing to bring up; mi_net_interface() describes the host's
 * first non-loopback IPv4 interface (or loopback), for applications that
 * print or use their address. */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mirari/log.h>
#include <mirari/loop.h>
#include <mirari/net.h>

#include "core/net_backend.h"
#include "socket/sock.h"

static mi_netif netif;
static bool netif_up;

const mi_netif *mi_net_interface(void)
{
    return netif_up ? &netif : NULL;
}

static uint16_t interface_mtu(const char *name)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int mtu = 1500;
    if (fd >= 0) {
        if (ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0 && ifr.ifr_mtu <= 65535)
            mtu = ifr.ifr_mtu;
        close(fd);
    }
    return (uint16_t)mtu;
}

/* The default gateway through interface `name`, from /proc/net/route
 * (columns: Iface Destination Gateway ..., addresses in hex, network byte
 * order as the kernel stores them). 0 when none. */
static mi_ipv4 default_gateway(const char *name)
{
    char text[8192];
    int fd = open("/proc/net/route", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char iface[IFNAMSIZ + 1];
        unsigned dest, gw;
        if (sscanf(line, "%16s %x %x", iface, &dest, &gw) == 3 && dest == 0 &&
            strcmp(iface, name) == 0)
            return ntohl(gw);
    }
    return 0;
}

static void find_host_interface(void)
{
    memset(&netif, 0, sizeof(netif));
    netif.address = MI_IPV4(127, 0, 0, 1);
    netif.netmask = MI_IPV4(255, 0, 0, 0);
    netif.mtu = 65535;
    struct ifaddrs *list;
    if (getifaddrs(&list) < 0)
        return;
    for (struct ifaddrs *i = list; i != NULL; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET ||
            (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP))
            continue;
        netif.address = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
        netif.netmask =
            i->ifa_netmask ? ntohl(((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr) : 0;
        netif.mtu = interface_mtu(i->ifa_name);
        netif.gateway = default_gateway(i->ifa_name);
        break;
    }
    freeifaddrs(list);
}

int net_backend_start(const struct net_backend_config *cfg, void (*ready)(void *arg), void *arg)
{
    int rc = sock_setup();
    if (rc < 0)
        return rc;
    find_host_interface();
    netif_up = true;
    char a[MI_IPV4_STRLEN];
    mi_debug("unix-socket: using the host's network (%s); ip-use-dhcp, ip-address, ip-netmask, "
             "ip-gateway and tcp-congestion%s are not used here",
             mi_ipv4_format(netif.address, a), cfg->dhcp || cfg->address != 0 ? " (set)" : "");
    return mi_defer(ready, arg);
}
