/* SPDX-License-Identifier: ISC */
/* virtio-net (virtio 1.2, 5.1) under the platform interface: one receive
 * queue (0) and one transmit queue (1), no offloads, no mergeable receive
 * buffers, so every frame is one buffer of header + Ethernet frame.
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

#include <port.h>

#include "virtio.h"
#include "virtio_net.h"

#define VIRTIO_NET_F_MAC 5

#define RXQ       0
#define TXQ       1
#define BUF_SIZE  2048 /* header + 1514-byte frame, rounded to split pages evenly */
#define QUEUE_MAX 256

static struct {
    bool up;
    struct virtio_dev dev;
    struct virtq rx, tx;
    size_t hdr_len; /* 10 (legacy) or 12 (virtio 1.x: num_buffers always there) */
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

static int start(struct virtio_dev *d)
{
    uint64_t features;
    int err = virtio_begin(d, 1ull << VIRTIO_NET_F_MAC, &features);
    if (err < 0)
        return err;
    net.hdr_len = d->modern ? 12 : 10;
    if ((err = d->t->setup_queue(d, RXQ, &net.rx, QUEUE_MAX)) < 0 ||
        (err = d->t->setup_queue(d, TXQ, &net.tx, QUEUE_MAX)) < 0) {
        d->t->set_status(d, VIRTIO_STATUS_FAILED);
        return err;
    }

    /* Buffers: fewer in a small guest (memory), never more than a queue
     * holds. */
    bool small = port_mem_top() < (16u << 20);
    unsigned nrx = small ? 16 : 128, ntx = small ? 8 : 64;
    if (nrx > net.rx.size)
        nrx = net.rx.size;
    if (ntx > net.tx.size)
        ntx = net.tx.size;
    net.bufs = port_page_alloc((nrx + ntx) * BUF_SIZE / PORT_PAGE_SIZE + 1, &net.bufs_phys);
    if (!net.bufs) {
        d->t->set_status(d, VIRTIO_STATUS_FAILED);
        return -ENOMEM;
    }
    for (unsigned i = 0; i < nrx; i++)
        virtq_add(&net.rx, net.bufs_phys + i * BUF_SIZE, BUF_SIZE, true);
    for (unsigned i = 0; i < ntx; i++)
        net.tx_free[i] = net.bufs_phys + (nrx + i) * BUF_SIZE;
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

int virtio_net_read(void *buf, size_t cap, size_t *len)
{
    if (!net.up)
        return -ENODEV;
    for (;;) {
        uint32_t used;
        int id = virtq_get_used(&net.rx, &used);
        if (id < 0)
            return -EAGAIN;
        uint64_t addr = virtq_addr(&net.rx, id);
        int rc = 0;
        if (used <= net.hdr_len) {
            rc = 1; /* nothing in it: try the next one */
            net.rx_dropped++;
        } else if (used - net.hdr_len > cap) {
            rc = -EMSGSIZE;
            net.rx_dropped++;
        } else {
            *len = used - net.hdr_len;
            memcpy(buf, buf_ptr(addr) + net.hdr_len, *len);
            net.rx_frames++;
        }
        virtq_add(&net.rx, addr, BUF_SIZE, true);
        kick(RXQ);
        if (rc <= 0)
            return rc;
    }
}

int virtio_net_write(const void *frame, size_t len)
{
    if (!net.up)
        return -ENODEV;
    if (len > BUF_SIZE - net.hdr_len)
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
    memset(p, 0, net.hdr_len); /* no checksum offload, no segmentation */
    memcpy(p + net.hdr_len, frame, len);
    virtq_add(&net.tx, addr, (uint32_t)(net.hdr_len + len), false);
    kick(TXQ);
    net.tx_frames++;
    return 0;
}
