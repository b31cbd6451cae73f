/* SPDX-License-Identifier: ISC */
/* virtio-mmio version 2 (virtio 1.2, 4.2.2): a page of registers per
 * device at an address the command line gives (mmio_param.h). This is
 * Firecracker's only transport, and QEMU microvm's with
 * `-global virtio-mmio.force-legacy=false`. Version 1 (legacy mmio, QEMU
 * microvm's default) is refused with a hint. */
#include <errno.h>

#include <port.h>

#include "mmio_param.h"
#include "virtio.h"

#define REG_MAGIC         0x000 /* "virt" */
#define REG_VERSION       0x004
#define REG_DEVICE_ID     0x008
#define REG_DEV_FEATURES  0x010
#define REG_DEV_FEAT_SEL  0x014
#define REG_DRV_FEATURES  0x020
#define REG_DRV_FEAT_SEL  0x024
#define REG_QUEUE_SEL     0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM     0x038
#define REG_QUEUE_READY   0x044
#define REG_QUEUE_NOTIFY  0x050
#define REG_INT_STATUS    0x060
#define REG_INT_ACK       0x064
#define REG_STATUS        0x070
#define REG_QUEUE_DESC    0x080 /* low, high at +4 */
#define REG_QUEUE_DRIVER  0x090
#define REG_QUEUE_DEVICE  0x0a0
#define REG_CONFIG        0x100

#define MAGIC 0x74726976u

static uint32_t rd(struct virtio_dev *d, unsigned off)
{
    return port_mmio_read32(d->base + off);
}

static void wr(struct virtio_dev *d, unsigned off, uint32_t v)
{
    port_mmio_write32(d->base + off, v);
}

static void wr64(struct virtio_dev *d, unsigned off, uint64_t v)
{
    wr(d, off, (uint32_t)v);
    wr(d, off + 4, (uint32_t)(v >> 32));
}

static uint64_t get_features(struct virtio_dev *d)
{
    wr(d, REG_DEV_FEAT_SEL, 0);
    uint64_t lo = rd(d, REG_DEV_FEATURES);
    wr(d, REG_DEV_FEAT_SEL, 1);
    return lo | (uint64_t)rd(d, REG_DEV_FEATURES) << 32;
}

static void set_status(struct virtio_dev *d, uint8_t s)
{
    wr(d, REG_STATUS, s);
}

static uint8_t get_status(struct virtio_dev *d)
{
    return (uint8_t)rd(d, REG_STATUS);
}

static bool set_features(struct virtio_dev *d, uint64_t f)
{
    wr(d, REG_DRV_FEAT_SEL, 0);
    wr(d, REG_DRV_FEATURES, (uint32_t)f);
    wr(d, REG_DRV_FEAT_SEL, 1);
    wr(d, REG_DRV_FEATURES, (uint32_t)(f >> 32));
    /* 3.1.1 steps 5-6: set FEATURES_OK and check the device kept it. */
    uint8_t s = get_status(d);
    set_status(d, s | VIRTIO_STATUS_FEATURES_OK);
    return get_status(d) & VIRTIO_STATUS_FEATURES_OK;
}

static uint8_t config_read8(struct virtio_dev *d, unsigned off)
{
    return port_mmio_read8(d->base + REG_CONFIG + off);
}

static size_t pages_for(size_t bytes)
{
    return (bytes + PORT_PAGE_SIZE - 1) / PORT_PAGE_SIZE;
}

static int setup_queue(struct virtio_dev *d, unsigned index, struct virtq *q, uint16_t max)
{
    wr(d, REG_QUEUE_SEL, index);
    if (rd(d, REG_QUEUE_READY))
        return -EBUSY;
    uint32_t dev_max = rd(d, REG_QUEUE_NUM_MAX);
    if (dev_max == 0)
        return -ENODEV;
    uint16_t size = 1;
    while ((uint32_t)size * 2 <= dev_max && size * 2 <= max)
        size = (uint16_t)(size * 2);
    /* Three separate areas, each in its own pages (4.2.2: 16-, 2- and
     * 4-byte alignment would do). */
    size_t desc = sizeof(struct vring_desc) * size;
    size_t avail = sizeof(uint16_t) * (3 + size);
    size_t used = sizeof(uint16_t) * 3 + sizeof(struct vring_used_elem) * size;
    size_t avail_off = pages_for(desc) * PORT_PAGE_SIZE;
    size_t used_off = avail_off + pages_for(avail) * PORT_PAGE_SIZE;
    uint64_t phys;
    char *mem = port_page_alloc(pages_for(desc) + pages_for(avail) + pages_for(used), &phys);
    if (!mem)
        return -ENOMEM;
    virtq_init(q, size, mem, mem + avail_off, mem + used_off);
    wr(d, REG_QUEUE_NUM, size);
    wr64(d, REG_QUEUE_DESC, phys);
    wr64(d, REG_QUEUE_DRIVER, phys + avail_off);
    wr64(d, REG_QUEUE_DEVICE, phys + used_off);
    wr(d, REG_QUEUE_READY, 1);
    return 0;
}

static void notify(struct virtio_dev *d, unsigned index)
{
    wr(d, REG_QUEUE_NOTIFY, index);
}

static uint32_t ack_interrupt(struct virtio_dev *d)
{
    uint32_t s = rd(d, REG_INT_STATUS);
    if (s)
        wr(d, REG_INT_ACK, s);
    return s;
}

static const struct virtio_transport mmio = {
    "virtio-mmio", get_features, set_features, set_status,    get_status,
    config_read8,  setup_queue,  notify,       ack_interrupt,
};

int virtio_mmio_find(unsigned id, struct virtio_dev *d)
{
    const char *word;
    for (size_t i = 0; (word = port_kernel_param(i)) != NULL; i++) {
        struct mmio_param p;
        if (mmio_param_parse(word, &p) < 0)
            continue;
        if (p.base + p.size > PORT_MMIO_LIMIT || p.size < 0x200) {
            port_log("mirari: ignoring %s: outside the mapped 4 GiB or too small\n", word);
            continue;
        }
        struct virtio_dev probe = {.base = p.base};
        if (rd(&probe, REG_MAGIC) != MAGIC || rd(&probe, REG_DEVICE_ID) != id)
            continue;
        uint32_t version = rd(&probe, REG_VERSION);
        if (version != 2) {
            port_log("mirari: virtio-mmio device at 0x%lx is version %u; only version 2 is "
                     "supported (QEMU: -global virtio-mmio.force-legacy=false)\n",
                     p.base, version);
            continue;
        }
        d->t = &mmio;
        d->base = p.base;
        d->irq = p.irq; /* 255 (VIRTIO_NO_IRQ) is no line either */
        d->modern = true;
        port_snprintf(d->where, sizeof d->where, "mmio 0x%lx irq %u", p.base, p.irq);
        return 0;
    }
    return -ENODEV;
}
