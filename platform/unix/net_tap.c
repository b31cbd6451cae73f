/* SPDX-License-Identifier: ISC */
/* The network device of unix-direct: a tap device opened by `mirari run
 * --unix` with IFF_TAP | IFF_NO_PI and inherited as --net-fd=N (taken out
 * of argv by init.c). Each read(2) gives one Ethernet frame, each write(2)
 * sends one; the same holds for one end of a socketpair(AF_UNIX,
 * SOCK_DGRAM), which the test suite's impairment relay passes instead.
 *
 * Offloads. When the tap was opened with IFF_VNET_HDR (mirari run does,
 * unless MIRARI_TAP_OFFLOAD=off), every frame both ways is preceded by a
 * virtio-net header (struct virtio_net_hdr_v1: virtio 1.2 5.1.6, 12 bytes,
 * little-endian, set here with TUNSETVNETHDRSZ and TUNSETVNETLE so it does
 * not depend on what an earlier user of the tap left). Through it the
 * stack hands the kernel TCP segments of up to 64 KiB with a partial
 * checksum, which the kernel cuts (GSO) or, for a local receiver, takes
 * whole; and with TUNSETOFFLOAD (TUN_F_CSUM | TUN_F_TSO4) the kernel
 * hands us its own TCP segments of up to 64 KiB unsegmented, with a
 * checksum that is only partial (NEEDS_CSUM) or already checked
 * (DATA_VALID). A tap is a character device: one read or write is one
 * frame, and there is no call that moves several (sendmmsg needs a
 * socket); the large segments are what saves system calls. The header is
 * found at start (TUNGETIFF, before the process confines itself); a
 * socketpair has none.
 *
 * The MAC address is made up at start: locally administered and unicast
 * (02:xx:xx:xx:xx:xx, IEEE 802 "U/L" bit set, "I/G" bit clear), the other
 * five bytes mixed from the wall clock, the monotonic clock and the
 * process id, so two unikernels started together still differ. The MTU is
 * Ethernet's 1500, the default of a new tap. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <platform.h>

#include "unix.h"
#include "unix_net.h"

static bool opened, hung_up;
static uint8_t mac[6];
/* The fd carries a virtio-net header, and the offloads it gives. */
static bool vnet;
static uint32_t offloads;

#define VNET_HLEN ((int)sizeof(struct virtio_net_hdr_v1))

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

/* Find the virtio-net header and set it and the offloads up. */
static void probe_vnet(void)
{
    struct ifreq ifr = {0};
    if (ioctl(unix_net_fd, TUNGETIFF, &ifr) != 0 || !(ifr.ifr_flags & IFF_VNET_HDR))
        return; /* a socketpair, or a tap without the header */
    int size = VNET_HLEN, le = 1;
    if (ioctl(unix_net_fd, TUNSETVNETHDRSZ, &size) != 0) {
        /* Cannot happen on Linux >= 2.6.35; without the size nothing can
         * be read right. */
        static const char msg[] = "mirari: warning: the tap's virtio-net header size cannot be "
                                  "set; frames will not be understood\n";
        plat_console_write(msg, sizeof(msg) - 1);
        return;
    }
    /* Fields are little-endian (virtio 1.x). The call fails only on kernels
     * before 4.0, where the header is in host order: the same on x86. */
    ioctl(unix_net_fd, TUNSETVNETLE, &le);
    vnet = true;
    /* What we send: any frame the header describes, whatever the offloads
     * of the tap (those are what the kernel may send us). */
    offloads = PLAT_NET_TX_CSUM | PLAT_NET_TX_TSO4;
    if (ioctl(unix_net_fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4)) == 0)
        offloads |= PLAT_NET_RX_CSUM | PLAT_NET_RX_GSO;
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
        probe_vnet();
        make_mac(mac);
        opened = true;
    }
    memcpy(info->mac, mac, sizeof(mac));
    info->mtu = 1500;
    info->offloads = offloads;
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

/* Write the pieces as one frame. */
static int write_frame(const struct iovec *iov, int n, size_t len)
{
    if (!opened || hung_up)
        return -EIO;
    for (;;) {
        ssize_t w = writev(unix_net_fd, iov, n);
        if (w == (ssize_t)len)
            return 0;
        if (w >= 0)
            return -EIO; /* a tap takes whole frames or nothing */
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
            return -EAGAIN;
        return -EIO;
    }
}

int plat_net_send(const struct plat_net_frag *frag, int n, const struct plat_net_tx *tx)
{
    if (n < 1 || n > PLAT_NET_SEND_FRAGS)
        return -EINVAL;
    bool csum = tx != NULL && tx->csum_start != 0, tso = tx != NULL && tx->tso_mss != 0;
    if ((csum && !(offloads & PLAT_NET_TX_CSUM)) ||
        (tso && (!(offloads & PLAT_NET_TX_TSO4) || !csum || frag[0].len < tx->hdr_len)))
        return -EINVAL;
    struct virtio_net_hdr_v1 h = {0};
    struct iovec iov[1 + PLAT_NET_SEND_FRAGS];
    int k = 0;
    size_t len = 0;
    if (vnet) {
        if (csum) {
            h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
            h.csum_start = htole16(tx->csum_start);
            h.csum_offset = htole16(tx->csum_offset);
        }
        if (tso) {
            h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
            h.gso_size = htole16(tx->tso_mss);
            h.hdr_len = htole16(tx->hdr_len);
        }
        iov[k++] = (struct iovec){&h, VNET_HLEN};
        len += VNET_HLEN;
    }
    for (int i = 0; i < n; i++) {
        iov[k++] = (struct iovec){(void *)frag[i].base, frag[i].len};
        len += frag[i].len;
    }
    return write_frame(iov, k, len);
}

int plat_net_write(const void *frame, size_t len)
{
    struct plat_net_frag f = {frame, len};
    return plat_net_send(&f, 1, NULL);
}

/* The flags of a received header, or -EBADMSG when the stack cannot take
 * the frame. Segments coalesced by the kernel come only as TCP over IPv4
 * without ECN (TUN_F_TSO4 alone); anything else was not asked for.
 * *partial: the checksum field holds only the pseudo-header sum. */
static int rx_flags(const struct virtio_net_hdr_v1 *h, bool *partial)
{
    if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE && h->gso_type != VIRTIO_NET_HDR_GSO_TCPV4)
        return -EBADMSG;
    if (h->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID))
        return -EBADMSG;
    /* NEEDS_CSUM: the host's own packet, its checksum left to a device
     * (virtio 1.2 5.1.6.4.1); DATA_VALID: the kernel checked it. */
    *partial = (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0;
    return h->flags != 0 ? (int)PLAT_NET_RX_CSUM_OK : 0;
}

static int recv_frame(void *buf, size_t cap, size_t *len, unsigned *flags, bool *partial)
{
    if (!opened || hung_up)
        return -EAGAIN;
    struct virtio_net_hdr_v1 h;
    struct iovec iov[2] = {{&h, VNET_HLEN}, {buf, cap}};
    *flags = 0;
    *partial = false;
    for (;;) {
        ssize_t n = vnet ? readv(unix_net_fd, iov, 2) : read(unix_net_fd, buf, cap);
        if (n > 0) {
            if (vnet) {
                if (n < VNET_HLEN)
                    return -EBADMSG;
                int f = rx_flags(&h, partial);
                if (f < 0)
                    return f;
                *flags = (unsigned)f;
                n -= VNET_HLEN;
            }
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

int plat_net_recv(void *buf, size_t cap, size_t *len, unsigned *flags)
{
    bool partial;
    return recv_frame(buf, cap, len, flags, &partial);
}

int plat_net_read(void *buf, size_t cap, size_t *len)
{
    unsigned flags;
    bool partial;
    int r = recv_frame(buf, cap, len, &flags, &partial);
    /* Its caller would check the partial checksum and find it wrong. */
    return r == 0 && partial ? -EBADMSG : r;
}
