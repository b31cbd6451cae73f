/* SPDX-License-Identifier: ISC */
/* virtio-net (virtio 1.2, 5.1) under the platform interface: one receive
 * queue (0) and one transmit queue (1).
 *
 * Offloads, where the device offers them (QEMU does when its backend, a
 * tap with a virtio-net header, can) and the guest has memory for them:
 * checksums both ways (CSUM, GUEST_CSUM), TCP segmentation both ways
 * (HOST_TSO4, GUEST_TSO4), and mergeable receive buffers (MRG_RXBUF), so
 * that a segment of up to 64 KiB the device hands over fills several
 * 2 KiB buffers, which the driver puts back together; GUEST_TSO4 is taken
 * only with it. Transmit buffers then hold a whole 64 KiB frame. What was
 * agreed is what plat_net_info reports (platform.h). Without them every
 * frame is one buffer of header + Ethernet frame.
 *
 * Receive buffers stay posted; a frame is copied out in
 * plat_net_read() and its buffer posted again. Transmit copies the
 * frame into a free buffer; buffers come back when the device has sent
 * them (reclaimed on the next write, no transmit interrupts). The
 * receive queue interrupts, so plat_yield() can halt until a frame
 * arrives (pvh/net.c).
 *
 * Descriptors carry physical addresses (port.h). The buffers are one
 * allocation, so the pointer to a buffer the device hands back is the
 * allocation's pointer plus the buffer's offset in it (buf_ptr). */
#include <errno.h>
#include <string.h>

#include <platform.h>
#include <port.h>

#include "virtio.h"
#include "virtio_net.h"

#define VIRTIO_NET_F_CSUM       0 /* feature bits (virtio 1.2, 5.1.3) */
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_MAC        5
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_HOST_TSO4  11
#define VIRTIO_NET_F_MRG_RXBUF  15
#define F(bit)                  (1ull << (bit))

/* struct virtio_net_hdr (5.1.6): flags, gso_type, then little-endian
 * hdr_len, gso_size, csum_start, csum_offset and, with MRG_RXBUF or on a
 * modern device, num_buffers. */
#define HDR_F_NEEDS_CSUM 1
#define HDR_F_DATA_VALID 2
#define HDR_GSO_NONE     0
#define HDR_GSO_TCPV4    1

#define RXQ       0
#define TXQ       1
#define BUF_SIZE  2048 /* header + 1514-byte frame, rounded to split pages evenly */
#define QUEUE_MAX 256
/* A transmit buffer for TSO: header + the largest frame, in whole pages. */
#define TSO_BUF_SIZE (((12 + PLAT_NET_FRAME_GSO) / PORT_PAGE_SIZE + 1) * PORT_PAGE_SIZE)

static struct {
    bool up;
    struct virtio_dev dev;
    struct virtq rx, tx;
    size_t hdr_len; /* 10 (legacy) or 12 (virtio 1.x or MRG_RXBUF: num_buffers) */
    uint64_t features;
    uint32_t offloads; /* PLAT_NET_* from the features */
    size_t tx_size;    /* BUF_SIZE, or TSO_BUF_SIZE with HOST_TSO4 */
    uint8_t mac[6];
    uint8_t *bufs;               /* the receive and transmit buffers */
    uint64_t bufs_phys;          /* their physical address */
    uint64_t tx_free[QUEUE_MAX]; /* a stack of free transmit buffers (physical) */
    unsigned ntx_free;
    unsigned long rx_frames, tx_frames, rx_dropped, tx_busy;
} net;

static void irq(void *arg)
{
    (void)arg;
    net.dev.t->ack_interrupt(&net.dev);
}

static uint8_t *buf_ptr(uint64_t phys)
{
    return net.bufs + (phys - net.bufs_phys);
}

static void kick(unsigned q)
{
    if (virtq_publish(q == RXQ ? &net.rx : &net.tx))
        net.dev.t->notify(&net.dev, q);
}

/* The features minus those whose prerequisite is missing (5.1.3.1):
 * HOST_TSO4 needs CSUM, GUEST_TSO4 needs GUEST_CSUM, and here also
 * MRG_RXBUF (else every receive buffer would have to hold 64 KiB). */
static uint64_t consistent(uint64_t f)
{
    if (!(f & F(VIRTIO_NET_F_CSUM)))
        f &= ~F(VIRTIO_NET_F_HOST_TSO4);
    if (!(f & F(VIRTIO_NET_F_GUEST_CSUM)) || !(f & F(VIRTIO_NET_F_MRG_RXBUF)))
        f &= ~F(VIRTIO_NET_F_GUEST_TSO4);
    return f;
}

static uint32_t offloads_of(uint64_t f)
{
    return ((f & F(VIRTIO_NET_F_CSUM)) ? PLAT_NET_TX_CSUM : 0) |
           ((f & F(VIRTIO_NET_F_HOST_TSO4)) ? PLAT_NET_TX_TSO4 : 0) |
           ((f & F(VIRTIO_NET_F_GUEST_CSUM)) ? PLAT_NET_RX_CSUM : 0) |
           ((f & F(VIRTIO_NET_F_GUEST_TSO4)) ? PLAT_NET_RX_GSO : 0);
}

/* Negotiate: the MAC, and the offloads when the guest has the memory for
 * their buffers. A device that offers an offload without its
 * prerequisite is reset and asked again without it. */
static int negotiate(struct virtio_dev *d, bool small, uint64_t *features)
{
    uint64_t want = F(VIRTIO_NET_F_MAC);
    if (!small)
        want |= F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_HOST_TSO4) |
                F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_MRG_RXBUF);
    int err = virtio_begin(d, want, features);
    if (err == 0 && consistent(*features) != *features)
        err = virtio_begin(d, consistent(*features), features);
    return err;
}

static int start(struct virtio_dev *d)
{
    uint64_t features;
    /* Buffers: fewer in a small guest (memory), never more than a queue
     * holds. */
    bool small = port_mem_top() < (16u << 20);
    int err = negotiate(d, small, &features);
    if (err < 0)
        return err;
    net.features = features;
    net.offloads = offloads_of(features);
    net.hdr_len = d->modern || (features & F(VIRTIO_NET_F_MRG_RXBUF)) ? 12 : 10;
    net.tx_size = (features & F(VIRTIO_NET_F_HOST_TSO4)) ? TSO_BUF_SIZE : BUF_SIZE;
    if ((err = d->t->setup_queue(d, RXQ, &net.rx, QUEUE_MAX)) < 0 ||
        (err = d->t->setup_queue(d, TXQ, &net.tx, QUEUE_MAX)) < 0) {
        d->t->set_status(d, VIRTIO_STATUS_FAILED);
        return err;
    }

    unsigned nrx = small ? 16 : 128, ntx = small ? 8 : net.tx_size > BUF_SIZE ? 16 : 64;
    if (nrx > net.rx.size)
        nrx = net.rx.size;
    if (ntx > net.tx.size)
        ntx = net.tx.size;
    net.bufs =
        port_page_alloc((nrx * BUF_SIZE + ntx * net.tx_size) / PORT_PAGE_SIZE + 1, &net.bufs_phys);
    if (!net.bufs) {
        d->t->set_status(d, VIRTIO_STATUS_FAILED);
        return -ENOMEM;
    }
    for (unsigned i = 0; i < nrx; i++)
        virtq_add(&net.rx, net.bufs_phys + i * BUF_SIZE, BUF_SIZE, true);
    for (unsigned i = 0; i < ntx; i++)
        net.tx_free[i] = net.bufs_phys + nrx * BUF_SIZE + i * net.tx_size;
    net.ntx_free = ntx;
    virtq_set_interrupts(&net.tx, false);

    if (features & (1ull << VIRTIO_NET_F_MAC)) {
        for (unsigned i = 0; i < 6; i++)
            net.mac[i] = d->t->config_read8(d, i);
    } else {
        port_random_bytes(net.mac, sizeof net.mac);
        net.mac[0] = (uint8_t)((net.mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
    }
    if (d->irq != VIRTIO_NO_IRQ && port_irq_register(d->irq, irq, NULL) < 0)
        d->irq = VIRTIO_NO_IRQ; /* a line the architecture cannot take: poll */
    d->t->set_status(d, d->t->get_status(d) | VIRTIO_STATUS_DRIVER_OK);
    kick(RXQ);
    return 0;
}

int virtio_net_init(void)
{
    struct virtio_dev d = {0};
    if (virtio_pci_legacy_find(VIRTIO_ID_NET, &d) < 0 && virtio_mmio_find(VIRTIO_ID_NET, &d) < 0)
        return -ENODEV;
    net.dev = d;
    int err = start(&net.dev);
    if (err < 0) {
        port_log("mirari: virtio-net at %s: start-up failed (%d)\n", d.where, err);
        return err;
    }
    net.up = true;
    port_log("mirari: virtio-net at %s (%s), mac %02x:%02x:%02x:%02x:%02x:%02x, %s\n", d.where,
             d.t->name, net.mac[0], net.mac[1], net.mac[2], net.mac[3], net.mac[4], net.mac[5],
             net.dev.irq != VIRTIO_NO_IRQ ? "interrupts" : "polled");
    return 0;
}

bool virtio_net_has_irq(void)
{
    return net.up && net.dev.irq != VIRTIO_NO_IRQ;
}

void virtio_net_mac(uint8_t mac[6])
{
    memcpy(mac, net.mac, 6);
}

bool virtio_net_pending(void)
{
    if (!net.up)
        return false;
    /* Acknowledge first, then look: a frame arriving after the look
     * raises the interrupt again and ends the coming halt. */
    if (net.dev.irq != VIRTIO_NO_IRQ)
        net.dev.t->ack_interrupt(&net.dev);
    return virtq_has_used(&net.rx);
}

static uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Give a receive buffer back to the device. */
static void repost(uint64_t addr)
{
    virtq_add(&net.rx, addr, BUF_SIZE, true);
}

/* The flags of a received header for plat_net_recv, or -EBADMSG: the
 * device may hand over only what was agreed (TCP over IPv4, no ECN). */
static int rx_flags(const uint8_t *h)
{
    if (h[1] != HDR_GSO_NONE && (h[1] != HDR_GSO_TCPV4 || !(net.offloads & PLAT_NET_RX_GSO)))
        return -EBADMSG;
    if ((h[0] & ~(HDR_F_NEEDS_CSUM | HDR_F_DATA_VALID)) ||
        (h[0] != 0 && !(net.offloads & PLAT_NET_RX_CSUM)))
        return -EBADMSG;
    return h[0] != 0 ? (int)PLAT_NET_RX_CSUM_OK : 0;
}

/* The rest of a frame merged over several buffers (MRG_RXBUF): they are
 * in the used ring already (the device publishes a frame's buffers
 * together). Appends to buf at *at; -EMSGSIZE when it does not fit,
 * -EIO when a buffer is missing; every buffer taken is posted again. */
static int merge(unsigned more, uint8_t *buf, size_t cap, size_t *at)
{
    int rc = 0;
    for (unsigned i = 0; i < more; i++) {
        uint32_t used;
        int id = virtq_get_used(&net.rx, &used);
        if (id < 0)
            return -EIO;
        uint64_t addr = virtq_addr(&net.rx, id);
        if (rc == 0 && used > cap - *at)
            rc = -EMSGSIZE;
        if (rc == 0) {
            memcpy(buf + *at, buf_ptr(addr), used);
            *at += used;
        }
        repost(addr);
    }
    return rc;
}

int virtio_net_recv(void *buf, size_t cap, size_t *len, unsigned *flags)
{
    if (!net.up)
        return -ENODEV;
    for (;;) {
        uint32_t used;
        int id = virtq_get_used(&net.rx, &used);
        if (id < 0)
            return -EAGAIN;
        uint64_t addr = virtq_addr(&net.rx, id);
        const uint8_t *h = buf_ptr(addr);
        unsigned nbuf = (net.features & F(VIRTIO_NET_F_MRG_RXBUF)) ? get_le16(h + 10) : 1;
        bool empty = used <= net.hdr_len; /* nothing in it: try the next one */
        int rc = 0;
        size_t at = 0;
        if (!empty && used - net.hdr_len > cap) {
            rc = -EMSGSIZE;
        } else if (!empty) {
            at = used - net.hdr_len;
            memcpy(buf, h + net.hdr_len, at);
            rc = rx_flags(h);
        }
        repost(addr); /* h is not read past here */
        int m = merge(nbuf > 1 ? nbuf - 1 : 0, buf, cap, &at);
        kick(RXQ);
        if (rc >= 0 && m < 0)
            rc = m;
        if (empty || rc < 0) {
            net.rx_dropped++;
            if (empty)
                continue;
            return rc;
        }
        *flags = (unsigned)rc;
        *len = at;
        net.rx_frames++;
        return 0;
    }
}

int virtio_net_read(void *buf, size_t cap, size_t *len)
{
    unsigned flags;
    int rc = virtio_net_recv(buf, cap, len, &flags);
    /* A checksum left partial would be found wrong by this caller. */
    return rc == 0 && flags != 0 ? -EBADMSG : rc;
}

uint32_t virtio_net_offloads(void)
{
    return net.up ? net.offloads : 0;
}

int virtio_net_send(const struct plat_net_frag *frag, int n, const struct plat_net_tx *tx)
{
    if (!net.up)
        return -ENODEV;
    bool csum = tx != NULL && tx->csum_start != 0, tso = tx != NULL && tx->tso_mss != 0;
    if (n < 1 || n > PLAT_NET_SEND_FRAGS || (csum && !(net.offloads & PLAT_NET_TX_CSUM)) ||
        (tso && (!csum || !(net.offloads & PLAT_NET_TX_TSO4))))
        return -EINVAL;
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += frag[i].len;
    if (len > net.tx_size - net.hdr_len || (!tso && len > 14 + 1500u))
        return -EIO;
    int id;
    while ((id = virtq_get_used(&net.tx, NULL)) >= 0)
        net.tx_free[net.ntx_free++] = virtq_addr(&net.tx, id);
    if (net.ntx_free == 0) {
        net.tx_busy++;
        return -EAGAIN;
    }
    uint64_t addr = net.tx_free[--net.ntx_free];
    uint8_t *p = buf_ptr(addr);
    memset(p, 0, net.hdr_len);
    if (csum) {
        p[0] = HDR_F_NEEDS_CSUM;
        put_le16(p + 6, tx->csum_start);
        put_le16(p + 8, tx->csum_offset);
    }
    if (tso) {
        p[1] = HDR_GSO_TCPV4;
        put_le16(p + 2, tx->hdr_len);
        put_le16(p + 4, tx->tso_mss);
    }
    size_t at = net.hdr_len;
    for (int i = 0; i < n; i++) {
        memcpy(p + at, frag[i].base, frag[i].len);
        at += frag[i].len;
    }
    virtq_add(&net.tx, addr, (uint32_t)at, false);
    kick(TXQ);
    net.tx_frames++;
    return 0;
}

int virtio_net_write(const void *frame, size_t len)
{
    struct plat_net_frag f = {frame, len};
    return virtio_net_send(&f, 1, NULL);
}
