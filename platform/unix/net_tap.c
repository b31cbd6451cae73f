/* SPDX-License-Identifier: ISC */
/* The network device of unix-direct: a tap device opened by `mirari run
 * --unix` with IFF_TAP | IFF_NO_PI and inherited as --net-fd=N (taken out
 * of argv by init.c). Each read(2) gives one Ethernet frame, each write(2)
 * sends one; the same holds for one end of a socketpair(AF_UNIX,
 * SOCK_DGRAM), which the test suite's impairment relay passes instead.
 *
 * The MAC address is made up at start: locally administered and unicast
 * (02:xx:xx:xx:xx:xx, IEEE 802 "U/L" bit set, "I/G" bit clear), the other
 * five bytes mixed from the wall clock, the monotonic clock and the
 * process id, so two unikernels started together still differ. The MTU is
 * Ethernet's 1500, the default of a new tap. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <platform.h>

#include "unix.h"
#include "unix_net.h"

static bool opened, hung_up;
static uint8_t mac[6];

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void make_mac(uint8_t out[6])
{
    struct timespec wall, mono;
    clock_gettime(CLOCK_REALTIME, &wall);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    uint64_t x = mix((uint64_t)wall.tv_sec * 1000000000ull + (uint64_t)wall.tv_nsec);
    x = mix(x ^ ((uint64_t)mono.tv_sec * 1000000000ull + (uint64_t)mono.tv_nsec));
    x = mix(x ^ (uint64_t)getpid());
    out[0] = 0x02;
    for (int i = 1; i < 6; i++)
        out[i] = (uint8_t)(x >> (8 * i));
}

int plat_net_info(struct plat_net_info *info)
{
    if (unix_net_fd < 0)
        return -ENODEV;
    if (!opened) {
        /* The stack reads until there is nothing left: never block. */
        int fl = fcntl(unix_net_fd, F_GETFL);
        if (fl < 0 || fcntl(unix_net_fd, F_SETFL, fl | O_NONBLOCK) < 0)
            return -ENODEV;
        make_mac(mac);
        opened = true;
    }
    memcpy(info->mac, mac, sizeof(mac));
    info->mtu = 1500;
    return 0;
}

int unix_net_poll_fd(void)
{
    return opened && !hung_up ? unix_net_fd : -1;
}

void unix_net_hangup(void)
{
    static const char msg[] = "mirari: the network device hung up\n";
    if (!hung_up)
        plat_console_write(msg, sizeof(msg) - 1);
    hung_up = true;
}

int plat_net_write(const void *frame, size_t len)
{
    if (!opened || hung_up)
        return -EIO;
    for (;;) {
        ssize_t n = write(unix_net_fd, frame, len);
        if (n == (ssize_t)len)
            return 0;
        if (n >= 0)
            return -EIO; /* a tap takes whole frames or nothing */
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
            return -EAGAIN;
        return -EIO;
    }
}

int plat_net_read(void *buf, size_t cap, size_t *len)
{
    if (!opened || hung_up)
        return -EAGAIN;
    for (;;) {
        ssize_t n = read(unix_net_fd, buf, cap);
        if (n > 0) {
            *len = (size_t)n;
            return 0;
        }
        if (n == 0) {
            /* The other end of a socketpair was closed. */
            unix_net_hangup();
            return -EAGAIN;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return -EAGAIN;
        if (errno == EMSGSIZE)
            return -EMSGSIZE;
        unix_net_hangup();
        return -EAGAIN;
    }
}
